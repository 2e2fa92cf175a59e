//! One view of a message for every other part of Mail Lab.
//!
//! The SMTP envelope ([`Envelope`]) is what the servers route on; the header
//! fields are what the recipient reads. Keeping both side by side is how the lab
//! explains Bcc and forged `From:` lines. Reading a header never fails: a broken
//! message still yields what could be read.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod address;
pub mod auth_results;
pub mod builder;
pub mod charset;
pub mod dsn;
pub mod envelope;
pub mod header;
pub mod html;
pub mod imap;
mod lex;
pub mod mbox;
pub mod parse;
pub mod transfer;
pub mod view;

pub use charset::{CharsetDecoder, Utf8Only};
pub use envelope::Envelope;
pub use header::{HeaderField, header_fields, header_value};
pub use view::{Address, Body, Diagnostic, Hop, MessageView, Part, PartKind, Problem};
