//! A `telnet`-style terminal: its transcript (bounded in lines and in the
//! length of a line), its history for Up/Down, and what its server said last.
//! The lab owns the terminals and connects them; a terminal only keeps what
//! crossed its connection and takes what its server sent.

use mail_lab_proto::StateHint;
use mail_lab_world::{ConnectionId, Protocol, World};

use crate::i18n::LabNote;

/// One line of a terminal's transcript, by who wrote it. A wire line keeps
/// the protocol its connection spoke (none at the shell prompt): a terminal
/// reused for another service must not re-read earlier lines as the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TranscriptLine {
    /// What the learner typed (sent to the server).
    Client(String, Option<Protocol>),
    /// What the server answered.
    Server(String, Option<Protocol>),
    /// A note from the lab, shown in the page's language.
    Lab(LabNote),
}

impl TranscriptLine {
    /// The protocol text of a client or server line (none for lab notes).
    pub fn wire_text(&self) -> Option<&str> {
        match self {
            TranscriptLine::Client(text, _) | TranscriptLine::Server(text, _) => Some(text),
            TranscriptLine::Lab(_) => None,
        }
    }
}

/// A `telnet`-style terminal connected to one host and port.
#[derive(Debug, Clone, PartialEq)]
pub struct Terminal {
    pub id: usize,
    pub client: String,
    pub host: String,
    pub port: u16,
    pub connection: Option<ConnectionId>,
    pub open: bool,
    /// True once the link is inside (simulated) TLS.
    pub encrypted: bool,
    /// What the server on the other end speaks, once connected.
    pub protocol: Option<Protocol>,
    /// The newest [`TRANSCRIPT_LINES`] lines (so a lab that runs all day stays bounded).
    pub transcript: Vec<TranscriptLine>,
    /// Server and client lines ever shown (tests and the page count with them).
    pub server_lines: usize,
    pub client_lines: usize,
    /// The first transcript row in view, or `None` while it follows the newest line.
    pub view_top: Option<usize>,
    /// Lines typed, oldest first, for Up/Down recall.
    pub history: Vec<String>,
    pub hint: Option<StateHint>,
    /// Server bytes after the last CRLF, waiting for the rest of their line.
    pending: Vec<u8>,
}

/// Transcript lines a terminal keeps (the oldest go first, in blocks).
pub const TRANSCRIPT_LINES: usize = 20_000;
/// Characters of one transcript line kept (a longer one is cut, and says so).
pub const LINE_CHARS: usize = 4_000;
/// Cut `text` to at most `max` bytes (on a character boundary), marked with " …".
pub fn cut(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(" …");
        // Give back what the rest held: a cut line must not keep its megabyte.
        text.shrink_to_fit();
    }
}

/// Lines typed that Up/Down can recall.
pub(crate) const HISTORY_LINES: usize = 500;

impl Terminal {
    /// A terminal not connected anywhere: a shell prompt waiting for `telnet host port`.
    pub(crate) fn at_prompt(id: usize, client: String) -> Terminal {
        Terminal {
            id,
            client,
            host: String::new(),
            port: 0,
            connection: None,
            open: false,
            encrypted: false,
            protocol: None,
            transcript: vec![TranscriptLine::Lab(LabNote::NotConnected)],
            server_lines: 0,
            client_lines: 0,
            view_top: None,
            history: Vec::new(),
            hint: None,
            pending: Vec::new(),
        }
    }

    /// Server bytes, as lines once their line end has arrived.
    pub(crate) fn absorb_server_bytes(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        // Lines are read from `at` on and let go of together: a 10 MB RETR is not
        // moved up once per line.
        let mut at = 0;
        while let Some(pos) = self.pending[at..].iter().position(|&b| b == b'\n') {
            let line = &self.pending[at..at + pos];
            let text = String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(line)).into_owned();
            at += pos + 1;
            self.push(TranscriptLine::Server(text, self.protocol));
        }
        self.pending.drain(..at);
    }

    /// Add a line, keeping the transcript and each line within their bounds.
    pub(crate) fn push(&mut self, mut line: TranscriptLine) {
        if let TranscriptLine::Client(text, _) | TranscriptLine::Server(text, _) = &mut line {
            cut(text, LINE_CHARS);
        }
        match line {
            TranscriptLine::Server(..) => self.server_lines += 1,
            TranscriptLine::Client(..) => self.client_lines += 1,
            TranscriptLine::Lab(_) => {}
        }
        self.transcript.push(line);
        if self.transcript.len() > TRANSCRIPT_LINES {
            // In blocks, so the cost of dropping is spread over many lines.
            let block = TRANSCRIPT_LINES / 10;
            self.transcript.drain(..block);
            self.view_top = self.view_top.map(|top| top.saturating_sub(block));
        }
    }

    /// Take the server's output so far, then note TLS and a close as they happened.
    pub(crate) fn catch_up(&mut self, world: &mut World) {
        let Some(conn) = self.connection else { return };
        let reply = world.take_output(conn);
        self.absorb_server_bytes(&reply);
        self.hint = world.hint(conn);
        if !self.encrypted && world.is_encrypted(conn) {
            self.encrypted = true;
            self.push(TranscriptLine::Lab(LabNote::TlsStarted(self.protocol)));
        }
        if !world.is_open(conn) {
            self.open = false;
            self.push(TranscriptLine::Lab(LabNote::ClosedByForeignHost));
        }
    }

    /// The dialogue as text, `C:` and `S:` lines as the terminal shows them
    /// (for a download; the lab's notes are the page's, not the protocol's).
    pub fn as_text(&self) -> String {
        let mut text = String::new();
        for line in &self.transcript {
            let (who, l) = match line {
                TranscriptLine::Client(l, _) => ("C: ", l),
                TranscriptLine::Server(l, _) => ("S: ", l),
                TranscriptLine::Lab(_) => continue,
            };
            text.push_str(who);
            text.push_str(l);
            text.push('\n');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_answer_in_one_chunk_is_split_into_lines_in_one_pass() {
        // 400,000 short lines at once (a RETR of a 4 MB message): each line used
        // to move the rest of the chunk up, about 10^12 octets in all.
        let mut t = Terminal::at_prompt(1, "pc.a.example".into());
        let chunk = "line\r\n".repeat(400_000) + "partial";
        #[cfg(not(target_arch = "wasm32"))]
        let start = std::time::Instant::now();
        t.absorb_server_bytes(chunk.as_bytes());
        // Timed natively only: wasm32's std has no clock.
        #[cfg(not(target_arch = "wasm32"))]
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "took {:?}", start.elapsed());
        assert_eq!(t.server_lines, 400_000);
        assert_eq!(t.pending, b"partial");
        assert!(matches!(t.transcript.last(), Some(TranscriptLine::Server(l, None)) if l == "line"));
        t.absorb_server_bytes(b" end\n");
        assert!(matches!(t.transcript.last(), Some(TranscriptLine::Server(l, None)) if l == "partial end"));
        assert!(t.pending.is_empty());
    }
}
