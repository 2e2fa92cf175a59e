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

/// A domain name or selector as RFC 6376 §3.1 and §3.5 allow: dot-separated
/// labels of letters, digits and hyphens, 63 octets each, 253 in all.
pub fn is_dns_name(name: &str) -> bool {
    name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// The `name=value` specs of a tag list (RFC 6376 §3.2, whose syntax RFC 7489
/// §6.4 takes for DMARC records): split at `;`, trimmed of whitespace, empty
/// ones skipped. What a protocol does with the case of names, with a tag given
/// twice and with unknown tags is its own.
fn tag_specs(text: &str) -> impl Iterator<Item = Result<(&str, &str), String>> {
    text.split(';')
        .map(|spec| spec.trim_matches(|c: char| c.is_ascii_whitespace()))
        .filter(|spec| !spec.is_empty())
        .map(|spec| {
            let (name, value) = spec.split_once('=').ok_or_else(|| format!("\"{}\" is not tag=value", shown(spec)))?;
            Ok((
                name.trim_matches(|c: char| c.is_ascii_whitespace()),
                value.trim_matches(|c: char| c.is_ascii_whitespace()),
            ))
        })
}

/// Record or field text echoed in an explanation, cut to 64 characters: a
/// hostile record must not be copied whole into events and replies.
fn shown(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
