//! POP3 engines for Mail Lab: a server per RFC 1939 with CAPA, response codes,
//! APOP, SASL and STLS, and a client for the mail client; sans-I/O behind
//! [`mail_lab_proto::Session`].
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod client;
pub mod explain;
pub mod grammar;
pub mod server;

pub use client::{Pop3Client, Pop3ClientConfig, Pop3Login, Retrieved};
pub use explain::{explain_command, explain_state, explain_status};
pub use server::{MaildropEntry, MaildropError, Pop3Backend, Pop3Config, Pop3Server};
