//! The one session interface that every engine, client and server alike, implements.

use std::collections::VecDeque;

use crate::time::Time;

/// What an engine hands to its driver, in the order it must happen on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Bytes to send to the peer.
    Bytes(Vec<u8>),
    /// Switch the link to TLS now: everything before this was sent in the clear,
    /// everything after it goes inside TLS (RFC 3207, RFC 2595).
    StartTls,
    /// Close the connection after sending everything before this.
    Close,
}

/// How TLS is offered on a server's service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TlsMode {
    /// No TLS: STARTTLS/STLS is neither advertised nor accepted.
    Unavailable,
    /// Offered by command: STARTTLS (RFC 3207, IMAP) or STLS (RFC 2595).
    StartTls,
    /// The connection is inside TLS from the first byte (465, 995, 993; RFC 8314).
    Implicit,
}

/// How a client engine uses TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientTls {
    /// Never ask for TLS.
    Never,
    /// Use STARTTLS/STLS when the server offers it, plaintext otherwise.
    IfOffered,
    /// Ask for TLS and give up when it is not offered.
    Required,
    /// The connection is already inside TLS (465, 995, 993).
    Implicit,
}

/// Who is connected to a server session, as the driver knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// The client's address, e.g. `192.0.2.10`.
    pub address: String,
    /// A label unique per session on the host, used in queue ids, APOP
    /// timestamps and SASL challenges (deterministic, unlike a process id).
    pub session_id: String,
}

/// What a session takes that is not a command, as `StateHint::allowed` names it; the
/// page shows each in its own language.
pub const MESSAGE_LINES: &str = "<message lines>";
pub const CHUNK_OCTETS: &str = "<chunk octets>";
pub const BASE64_RESPONSE: &str = "<base64 response>";

/// A short description of where a session is, for the UI's hint line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateHint {
    /// Name of the protocol state, e.g. `TRANSACTION` or `mail transaction`.
    pub state: &'static str,
    /// Commands that are valid in this state.
    pub allowed: Vec<&'static str>,
    /// The server is reading a message's text, ended by a lone `.`, where a
    /// line's leading dot is transparency (SMTP DATA, RFC 5321 §4.5.2).
    pub reads_message_text: bool,
}

/// What every engine offers its driver, whatever the backend: the output
/// queue and where the session stands.
pub trait Engine {
    /// The next thing to do on the wire, if any.
    fn poll_output(&mut self) -> Option<Output>;

    /// Where the session is now and what may be typed next.
    fn hint(&self) -> StateHint;

    /// True once the session has nothing more to say and wants the link closed.
    fn is_closed(&self) -> bool;

    /// True while a long command is half done: the driver calls
    /// [`Session::resume`] for its next slice (other sessions may run between).
    fn is_busy(&self) -> bool {
        false
    }

    /// How many logins a server session refused for a wrong name or password
    /// (a driver with real clients may send such a refusal late, as Dovecot's
    /// `auth_failure_delay` does: the engine itself never waits).
    fn failed_logins(&self) -> u32 {
        0
    }
}

/// A protocol engine driven by bytes and logical time.
///
/// `B` is what the engine asks of its surroundings while it handles input (the
/// mail store and host policy for a server; `()` for most clients). Passing it
/// per call, rather than storing it, keeps engines free of shared ownership and
/// lets one world drive many sessions over one store.
pub trait Session<B: ?Sized>: Engine {
    /// The connection has opened; a server queues its greeting here.
    fn open(&mut self, backend: &mut B, now: Time);

    /// Bytes arrived from the peer. They may hold part of a command, one
    /// command, or many pipelined commands; replies are queued in order.
    fn receive(&mut self, input: &[u8], backend: &mut B, now: Time);

    /// Something else changed the world (another session wrote to the store);
    /// a session that pushes updates unasked (IMAP IDLE) does so here.
    fn wake(&mut self, _backend: &mut B, _now: Time) {}

    /// Do the next slice of a long command (see [`Engine::is_busy`]); once it is
    /// done, commands that were pipelined behind it run.
    fn resume(&mut self, _backend: &mut B, _now: Time) {}

    /// The link went away without a proper goodbye (a dropped connection). A
    /// POP3 server releases its maildrop lock here without committing anything.
    fn connection_lost(&mut self, _backend: &mut B) {}

    /// The peer has been silent longer than the server's inactivity limit
    /// (RFC 5321 §4.5.3.2.7, RFC 1939 §3, RFC 9051 §5.4). A server says its
    /// protocol's goodbye, if it has one, and closes; by default the session
    /// ends as if the link had dropped.
    fn timed_out(&mut self, backend: &mut B, _now: Time) {
        self.connection_lost(backend);
    }
}

/// An ordered queue of [`Output`] that merges adjacent byte chunks.
#[derive(Debug, Default, Clone)]
pub struct Outbox {
    queue: VecDeque<Output>,
}

impl Outbox {
    /// Queue bytes, appending to the previous chunk when possible.
    pub fn push_bytes(&mut self, bytes: &[u8]) {
        if let Some(Output::Bytes(last)) = self.queue.back_mut() {
            last.extend_from_slice(bytes);
        } else {
            self.queue.push_back(Output::Bytes(bytes.to_vec()));
        }
    }

    /// Queue a control output (TLS switch or close).
    pub fn push(&mut self, output: Output) {
        match output {
            Output::Bytes(b) => self.push_bytes(&b),
            other => self.queue.push_back(other),
        }
    }

    /// Take the next output.
    pub fn pop(&mut self) -> Option<Output> {
        self.queue.pop_front()
    }

    /// True when nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Octets of bytes queued (adjacent chunks are merged, so this is a short walk).
    pub fn queued_bytes(&self) -> usize {
        self.queue.iter().map(|o| if let Output::Bytes(b) = o { b.len() } else { 0 }).sum()
    }
}

/// Drains every pending output of a session into (bytes, events) in order;
/// a convenience for tests and simple drivers.
pub fn drain_bytes<S: Engine + ?Sized>(session: &mut S) -> (Vec<u8>, Vec<Output>) {
    let mut bytes = Vec::new();
    let mut controls = Vec::new();
    while let Some(out) = session.poll_output() {
        match out {
            Output::Bytes(b) => bytes.extend_from_slice(&b),
            other => controls.push(other),
        }
    }
    (bytes, controls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_merges_bytes_but_keeps_controls_in_order() {
        let mut o = Outbox::default();
        o.push_bytes(b"220 ");
        o.push_bytes(b"ready\r\n");
        o.push(Output::StartTls);
        o.push_bytes(b"x");
        assert_eq!(o.pop(), Some(Output::Bytes(b"220 ready\r\n".to_vec())));
        assert_eq!(o.pop(), Some(Output::StartTls));
        assert_eq!(o.pop(), Some(Output::Bytes(b"x".to_vec())));
        assert!(o.pop().is_none());
    }
}
