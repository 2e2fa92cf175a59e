//! Typed events the UI reduces into its views (transcripts, wiretap, mailboxes).

use mail_lab_proto::Time;
use mail_lab_proto::sasl::Proof;
use serde::{Deserialize, Serialize};

use crate::ConnectionId;

/// The world's event log: numbered events, capped at [`crate::EVENT_LOG_LIMIT`]
/// events and [`crate::EVENT_LOG_BYTES`] bytes of link traffic, so a lab that
/// runs all day, or a client streaming junk, holds a bounded amount.
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    events: std::collections::VecDeque<Event>,
    seq: u64,
    /// What the kept events weigh (see [`EventKind::weight`]).
    bytes: usize,
}

impl EventLog {
    /// Record `kind` at `at`; the oldest events go while the log is over a limit.
    pub fn push(&mut self, at: Time, kind: EventKind) {
        self.seq += 1;
        self.bytes += kind.weight();
        self.events.push_back(Event { seq: self.seq, at, kind });
        while self.events.len() > 1
            && (self.events.len() > crate::EVENT_LOG_LIMIT || self.bytes > crate::EVENT_LOG_BYTES)
        {
            if let Some(old) = self.events.pop_front() {
                self.bytes -= old.kind.weight();
            }
        }
    }

    /// Events, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Event> {
        self.events.iter()
    }

    /// The kept events after `seq`, oldest first: what a view that has read up
    /// to `seq` has not seen yet (found by position, not by a scan).
    pub fn since(&self, seq: u64) -> impl Iterator<Item = &Event> {
        let first = self.events.front().map_or(1, |e| e.seq);
        let seen = usize::try_from(seq.saturating_sub(first - 1)).unwrap_or(usize::MAX).min(self.events.len());
        self.events.range(seen..)
    }

    /// The number of the newest event (0 before any).
    pub fn newest(&self) -> u64 {
        self.seq
    }

    /// What the kept events weigh, in bytes (at most about [`crate::EVENT_LOG_BYTES`]).
    pub fn weight(&self) -> usize {
        self.bytes
    }
}

/// Which way bytes moved on a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    ToServer,
    ToClient,
}

/// One thing that happened in the world.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the log, from 1.
    pub seq: u64,
    pub at: Time,
    pub kind: EventKind,
}

/// A check's weight: its reason, and the DNS names and TXT records it looked up,
/// which a scenario may make long.
fn checked_weight(why: &str, lookups: &[(String, String)]) -> usize {
    256 + why.len() + lookups.iter().map(|(q, a)| 48 + q.len() + a.len()).sum::<usize>()
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    Connected {
        connection: ConnectionId,
        client: String,
        host: String,
        port: u16,
    },
    /// The link switched to TLS (STARTTLS accepted, or an implicit-TLS port).
    TlsStarted {
        connection: ConnectionId,
    },
    Disconnected {
        connection: ConnectionId,
    },
    /// The server closed a session whose client was silent too long.
    SessionTimedOut {
        connection: ConnectionId,
    },
    /// Bytes on a link as the engines saw them; `encrypted` when they crossed
    /// inside TLS, so an eavesdropper saw only ciphertext.
    LinkBytes {
        connection: ConnectionId,
        direction: Direction,
        bytes: Vec<u8>,
        encrypted: bool,
    },
    /// A server accepted a message (it answered 250 after DATA).
    MessageAccepted {
        host: String,
        id: String,
        reverse_path: String,
        forward_paths: Vec<String>,
        size: usize,
    },
    /// The MDA stored a message in a mailbox.
    Delivered {
        host: String,
        account: String,
        folder: String,
        uid: u32,
    },
    /// A folder changed in a host's store, by any session or delivery: a
    /// message appended or expunged, flags changed, a folder created or deleted.
    MailboxChanged {
        host: String,
        account: String,
        folder: String,
        change: mail_lab_store::ChangeKind,
    },
    /// A message was removed from a mailbox (POP3 UPDATE, IMAP EXPUNGE).
    Removed {
        host: String,
        account: String,
        folder: String,
        uid: u32,
    },
    /// POP before SMTP: this client may relay through the host until `until`.
    RelayWindowOpened {
        host: String,
        client: String,
        until: Time,
    },
    /// A message waits in a host's queue for these recipients.
    Queued {
        queue_id: String,
        host: String,
        recipients: Vec<String>,
    },
    /// The queue's host opens an SMTP session to the next host (the MTA-to-MTA
    /// dialogue is the `LinkBytes` of `connection`).
    RelayAttempt {
        queue_id: String,
        from: String,
        to: String,
        connection: ConnectionId,
        attempt: u32,
    },
    /// The next host accepted responsibility for a recipient.
    Relayed {
        queue_id: String,
        from: String,
        to: String,
        recipient: String,
    },
    /// A temporary failure: the message stays queued until `next_attempt`.
    Deferred {
        queue_id: String,
        host: String,
        recipients: Vec<String>,
        next_attempt: Time,
        reason: String,
        /// The world's own reason when no server was reached (`reason` says it in English).
        unreachable: Option<crate::WorldError>,
    },
    /// A permanent failure or give-up: a bounce goes to the reverse-path.
    Bounced {
        queue_id: String,
        bounce_id: String,
        host: String,
        to: String,
        recipients: Vec<String>,
    },
    /// A failed bounce (null reverse-path) is dropped, never bounced again; or,
    /// `not_wanted`, the sender asked for no bounce (NOTIFY without FAILURE).
    BounceDiscarded {
        queue_id: String,
        recipients: Vec<String>,
        #[serde(default)]
        not_wanted: bool,
    },
    /// A delivery status notification the sender asked for with NOTIFY (RFC 3461):
    /// `delayed` (still being tried) or delivered to the mailbox.
    Reported {
        queue_id: String,
        report_id: String,
        host: String,
        to: String,
        delayed: bool,
        recipients: Vec<String>,
    },
    /// A client logged in to a server; `encrypted` when the link was inside TLS,
    /// so an eavesdropper did not see what `proof` says was sent. The proof
    /// crossed in the client's last `LinkBytes` on `connection` before this event.
    LoggedIn {
        connection: ConnectionId,
        host: String,
        client: String,
        protocol: crate::Protocol,
        account: String,
        proof: Proof,
        encrypted: bool,
    },
    /// A POP3 client downloaded a message (RETR or TOP).
    MessageRead {
        host: String,
        account: String,
        uid: u32,
    },
    /// A host's policy refused a client (relay denied, and the like); `reply` is
    /// what the client was told.
    PolicyRefused {
        host: String,
        client: String,
        rule: String,
        reply: String,
    },
    /// A receiving host took `fields` Authentication-Results fields claiming to
    /// be its own out of a message it accepted: they came from outside (RFC 8601 §5).
    ForgedResultsRemoved {
        host: String,
        fields: usize,
    },
    /// A host that was down (or offline by schedule) is reachable again.
    HostUp {
        host: String,
    },
    /// A host checked the sender's SPF record at the end of DATA (RFC 7208):
    /// `result` as in `Received-SPF:`, `domain` the MAIL FROM (or HELO) domain,
    /// `why` the record's explanation of a fail, or what decided the result.
    SpfChecked {
        host: String,
        client: String,
        domain: String,
        result: String,
        why: String,
        /// The DNS questions the check asked and their answers, in order
        /// (`a.example TXT?`, `"v=spf1 mx -all"`): what crossed the host's link
        /// to DNS. At most [`crate::dns::MAX_LOGGED`].
        lookups: Vec<(String, String)>,
    },
    /// A submission host signed a message (RFC 6376): `d=domain; s=selector`.
    #[cfg(feature = "dkim")]
    DkimSigned {
        host: String,
        domain: String,
        selector: String,
        /// The signed header fields, as in `h=`.
        signed: String,
    },
    /// A receiving host checked one DKIM signature at the end of DATA
    /// (`domain` and `selector` empty when the field could not be read).
    #[cfg(feature = "dkim")]
    DkimChecked {
        host: String,
        domain: String,
        selector: String,
        result: String,
        why: String,
        /// The key's DNS question and its answer (`lab._domainkey.a.example TXT?`).
        lookups: Vec<(String, String)>,
    },
    /// A host posted a message to a mailing list's members: `members` get a
    /// copy from `owner`, its Subject tagged when `tagged`.
    #[cfg(feature = "dkim")]
    ListPosted {
        host: String,
        list: String,
        owner: String,
        members: Vec<String>,
        tagged: bool,
    },
    /// A list host did not post a message to the members: it went to the
    /// list's owner instead, for `why`.
    #[cfg(feature = "dkim")]
    ListHeld {
        host: String,
        list: String,
        owner: String,
        why: String,
    },
    /// A receiving host checked the From: domain's DMARC policy (RFC 7489):
    /// `action` is what it did (`deliver`, `junk`, `reject`, `defer`). A
    /// domain with no record is logged too (`none`, with the questions asked).
    #[cfg(feature = "dmarc")]
    DmarcChecked {
        host: String,
        from_domain: String,
        result: String,
        action: String,
        why: String,
        /// The DNS questions asked for the policy, each with its answer.
        lookups: Vec<(String, String)>,
    },
}

impl EventKind {
    /// Roughly what the event holds in memory: its bytes of link traffic, or a
    /// fixed share for the names and addresses the other kinds carry.
    pub fn weight(&self) -> usize {
        let payload = match self {
            EventKind::LinkBytes { bytes, .. } => bytes.len(),
            // Their texts come from the message (each bounded by the DKIM engine).
            #[cfg(feature = "dkim")]
            EventKind::DkimChecked { domain, selector, why, lookups, .. } => {
                checked_weight(why, lookups) + domain.len() + selector.len()
            }
            EventKind::SpfChecked { lookups, why, .. } => checked_weight(why, lookups),
            #[cfg(feature = "dmarc")]
            EventKind::DmarcChecked { lookups, why, .. } => checked_weight(why, lookups),
            _ => 256,
        };
        payload + std::mem::size_of::<Event>()
    }

    /// What an eavesdropper on the link saw of these bytes, for `LinkBytes`:
    /// the bytes themselves in the clear, or inside TLS a ciphertext stand-in
    /// derived from the plaintext, the link and the event number (deterministic,
    /// like the whole world; the same length as the plaintext, as a stream
    /// cipher's would be). `None` for other events.
    pub fn seen_on_wire(&self, seq: u64) -> Option<Vec<u8>> {
        let EventKind::LinkBytes { connection, bytes, encrypted, .. } = self else { return None };
        if !*encrypted {
            return Some(bytes.clone());
        }
        let mut state = (connection.0 ^ seq.rotate_left(32)).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        Some(
            bytes
                .iter()
                .map(|b| {
                    // xorshift64: a keystream, not cryptography; the point is only
                    // that nothing readable crosses the link.
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    b ^ (state >> 24) as u8
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_finds_the_unseen_events_by_position_even_after_old_ones_went() {
        let mut log = EventLog::default();
        let up = |n: u64| EventKind::HostUp { host: format!("h{n}") };
        for n in 1..=crate::EVENT_LOG_LIMIT as u64 + 10 {
            log.push(Time(n), up(n));
        }
        let seqs = |from: u64| log.since(from).map(|e| e.seq).collect::<Vec<_>>();
        let newest = log.newest();
        assert_eq!(seqs(newest - 3), [newest - 2, newest - 1, newest]);
        assert_eq!(seqs(newest), Vec::<u64>::new());
        // Old events went (by count or by bytes); a reader further behind than
        // the log reaches gets every kept event, one within it the rest.
        let first = log.iter().next().map(|e| e.seq).unwrap();
        assert!(first > 1);
        assert_eq!(log.since(0).count(), log.iter().count());
        assert_eq!(log.since(first + 4).next().map(|e| e.seq), Some(first + 5));
    }
}
