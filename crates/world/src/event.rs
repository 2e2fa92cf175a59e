//! Typed events the UI reduces into its views (transcripts, wiretap, mailboxes).

use mail_lab_proto::Time;
use serde::{Deserialize, Serialize};

use crate::ConnectionId;

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
}
