//! SMTP engines for Mail Lab: a server per RFC 5321 with ESMTP extensions,
//! sans-I/O behind [`mail_lab_proto::Session`].
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod client;
pub mod dsn;
pub mod grammar;
pub mod reply;
pub mod server;

pub use client::{ClientConfig, Outcome, OutgoingMessage, SmtpClient};
pub use dsn::{DsnRecipient, DsnRequest};
pub use mail_lab_proto::{ClientTls, Peer, TlsMode};
pub use reply::{Explanation, Reply, explain_class, explain_code, explain_command, explain_state};
pub use server::{Delivery, RcptContext, RelayPolicy, ServerConfig, SmtpBackend, SmtpServer};
