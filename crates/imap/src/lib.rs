//! IMAP engine for Mail Lab: a server with RFC 9051's states over one shared
//! mail store, sans-I/O behind [`mail_lab_proto::Session`]. Commands are read
//! with its own grammar into imap-types' AST (checked against imap-codec);
//! the teaching layer turns its refusals into `BAD` replies
//! that say what was expected.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod client;
pub mod command_parser;
pub mod explain;
mod extended;
mod fetch;
pub mod response;
mod search;
pub mod server;
mod syntax;
mod utf7;

pub use client::{ImapClient, ImapClientConfig, ImapJob};
pub use explain::{explain_command, explain_state, explain_status};
pub use server::{COMMANDS_PER_CALL, ImapBackend, ImapConfig, ImapServer};
