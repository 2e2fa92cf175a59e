//! Shared plumbing for every Mail Lab engine.
//!
//! Engines are sans-I/O: they never touch a socket, clock, timer, randomness or
//! the DOM. A driver (the world, the native server, a test) moves bytes in with
//! [`Session::receive`] and takes bytes and events out with [`Session::poll_output`];
//! the current logical time is always an argument.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod framing;
pub mod sasl;
pub mod session;
pub mod sorted;
pub mod time;

pub use framing::{Line, LineReader};
pub use session::{
    BASE64_RESPONSE, CHUNK_OCTETS, ClientTls, Engine, MESSAGE_LINES, Outbox, Output, Peer, Session, StateHint, TlsMode,
};
pub use time::Time;

/// `items` gathered into a set one insert at a time.
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> sorted::SortedSet<T> {
    items.into_iter().collect()
}

/// Client-supplied text made safe to echo in a reply line: printable US-ASCII
/// kept, anything else (NUL, CR, LF, other controls, 8-bit) shown as `?`. IMAP's
/// and POP3's status text are 7-bit (RFC 9051 §9 TEXT-CHAR, RFC 2449 §3).
pub fn printable(text: &str) -> String {
    text.chars().map(|c| if (' '..='~').contains(&c) { c } else { '?' }).collect()
}

/// A text in the two languages of the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Explanation {
    pub en: &'static str,
    pub ja: &'static str,
}
