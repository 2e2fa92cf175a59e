//! Sender authentication as the receiving MTA does it: SPF (RFC 7208) today.
//! Sans-I/O like every engine here: DNS is a [`dns::Resolver`] the caller
//! supplies, and time is an argument.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod dns;
pub mod spf;
