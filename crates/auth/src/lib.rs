//! Sender authentication as the receiving MTA does it: SPF (RFC 7208) and
//! DKIM (RFC 6376 with RFC 8463's Ed25519, feature `dkim`), and DMARC (RFC 7489).
//! Sans-I/O like every engine here: DNS is a [`dns::Resolver`] the caller
//! supplies, and time is an argument.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

#[cfg(feature = "dkim")]
pub mod dkim;
pub mod dmarc;
pub mod dns;
pub mod spf;

/// Record or field text echoed in an explanation, cut to 64 characters: a
/// hostile record must not be copied whole into events and replies.
fn shown(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
