//! Modified UTF-7, the spelling of mailbox names an IMAP4rev1 client sends and
//! expects (RFC 3501 §5.1.3). The store keeps names in UTF-8; a session that has
//! not enabled IMAP4rev2 sees them through [`encode`] and [`decode`].

use base64::Engine;
use base64::alphabet::IMAP_MUTF7;
use base64::engine::GeneralPurpose;
use base64::engine::general_purpose::NO_PAD;

/// Base64 with `,` for `/` and no padding; stray low bits are refused.
const MODIFIED_BASE64: GeneralPurpose = GeneralPurpose::new(&IMAP_MUTF7, NO_PAD);

/// A UTF-8 name in mUTF-7: printable ASCII stands for itself (`&` as `&-`), every
/// run of other characters is UTF-16 in modified base64 between `&` and `-`.
pub(crate) fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut run: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            shift_out(&mut out, &mut run);
            out.push(c);
            if c == '&' {
                out.push('-');
            }
        } else {
            run.extend_from_slice(c.encode_utf16(&mut [0; 2]));
        }
    }
    shift_out(&mut out, &mut run);
    out
}

fn shift_out(out: &mut String, run: &mut Vec<u16>) {
    if !run.is_empty() {
        let octets: Vec<u8> = run.drain(..).flat_map(u16::to_be_bytes).collect();
        out.push('&');
        out.push_str(&MODIFIED_BASE64.encode(octets));
        out.push('-');
    }
}

/// The UTF-8 name an mUTF-7 one stands for, or `None` when it is not mUTF-7:
/// 8-bit or control octets, `&` with no `-`, bad base64 or UTF-16, a printable
/// character encoded, two encoded runs side by side. RFC 3501 allows one
/// spelling per name, so the test is that encoding gives the same text back.
pub(crate) fn decode(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let (encoded, after) = rest[at + 1..].split_once('-')?;
        if encoded.is_empty() {
            out.push('&');
        } else {
            let octets = MODIFIED_BASE64.decode(encoded).ok()?;
            if octets.len() % 2 != 0 {
                return None;
            }
            let units = octets.chunks_exact(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
            for c in char::decode_utf16(units) {
                out.push(c.ok()?);
            }
        }
        rest = after;
    }
    out.push_str(rest);
    (encode(&out) == name).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::{decode, encode};

    #[test]
    fn rfc_3501_example_and_japanese() {
        // RFC 3501 §5.1.3's example: "~peter/mail/台北/日本語".
        let name = "~peter/mail/\u{53F0}\u{5317}/\u{65E5}\u{672C}\u{8A9E}";
        assert_eq!(encode(name), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-").as_deref(), Some(name));
        assert_eq!(encode("仕事"), "&TtVOiw-");
        assert_eq!(encode("AT&T"), "AT&-T");
        assert_eq!(decode("AT&-T").as_deref(), Some("AT&T"));
        // Outside the BMP: a surrogate pair.
        assert_eq!(decode(&encode("📧 box")).as_deref(), Some("📧 box"));
    }

    #[test]
    fn only_the_one_spelling_is_accepted() {
        for bad in [
            "AT&T",          // & without -
            "&AGE-",         // "a" encoded
            "&ZeVnLA-&Iqe-", // two runs side by side
            "&ZeVnLIqe",     // no closing -
            "&AA-",          // an odd number of octets
            "&2D0-",         // a lone surrogate
            "仕事",          // 8-bit
            "a\tb",          // a control character not encoded
            "&TtVOix-",      // stray low bits
        ] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
