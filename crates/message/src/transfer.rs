//! Content-Transfer-Encoding (RFC 2045 §6) and RFC 2047 encoded words, decoded
//! without ever failing: what cannot be decoded is kept and reported.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::charset::CharsetDecoder;

/// Base64 body text: white space and line breaks are ignored; invalid
/// characters make it `None` (the caller keeps the raw bytes).
pub fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
    STANDARD.decode(&clean).ok().or_else(|| {
        // Missing padding is common in the wild.
        let mut padded = clean.clone();
        while !padded.len().is_multiple_of(4) {
            padded.push(b'=');
        }
        STANDARD.decode(&padded).ok()
    })
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    }
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` octets and soft line breaks `=CRLF`.
/// `header` applies the encoded-word variant where `_` is a space (RFC 2047 §4.2).
pub fn decode_quoted_printable(text: &[u8], header: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'=' if text[i + 1..].starts_with(b"\r\n") => i += 3,
            b'=' if text[i + 1..].starts_with(b"\n") => i += 2,
            b'=' => match (text.get(i + 1).copied().and_then(hex), text.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 3;
                }
                _ => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b'_' if header => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// One problem met while decoding a header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordProblem {
    pub word: String,
    pub why: String,
}

/// Decode RFC 2047 encoded words (`=?charset?B|Q?text?=`) in an unfolded header
/// value. White space between two adjacent encoded words is dropped (§6.2).
pub fn decode_header_value(value: &str, charsets: &dyn CharsetDecoder) -> (String, Vec<WordProblem>) {
    if !value.contains("=?") {
        return (value.to_string(), Vec::new());
    }
    let mut out = String::new();
    let mut problems = Vec::new();
    let mut rest = value;
    let mut pending_space = String::new();
    let mut last_was_word = false;
    while !rest.is_empty() {
        let Some(start) = rest.find("=?") else {
            out.push_str(&pending_space);
            out.push_str(rest);
            break;
        };
        let (before, from) = rest.split_at(start);
        let word_end = from[2..].find("?=").and_then(|_| encoded_word_end(from));
        let Some(end) = word_end else {
            out.push_str(&pending_space);
            out.push_str(rest);
            break;
        };
        let word = &from[..end];
        let only_space = before.chars().all(char::is_whitespace);
        if !(last_was_word && only_space) {
            out.push_str(&pending_space);
            out.push_str(before);
        }
        pending_space.clear();
        match decode_word(word, charsets) {
            Ok(text) => {
                out.push_str(&text);
                last_was_word = true;
            }
            Err(why) => {
                problems.push(WordProblem { word: word.to_string(), why });
                out.push_str(word);
                last_was_word = false;
            }
        }
        rest = &from[end..];
        let spaces = rest.len() - rest.trim_start().len();
        pending_space = rest[..spaces].to_string();
        rest = &rest[spaces..];
    }
    (out, problems)
}

/// The length of the encoded word at the start of `s` (`=?a?b?c?=`), if any.
fn encoded_word_end(s: &str) -> Option<usize> {
    let inner = s.strip_prefix("=?")?;
    let q1 = inner.find('?')?;
    let after = &inner[q1 + 1..];
    let q2 = after.find('?')?;
    let text = &after[q2 + 1..];
    let close = text.find("?=")?;
    Some(2 + q1 + 1 + q2 + 1 + close + 2)
}

fn decode_word(word: &str, charsets: &dyn CharsetDecoder) -> Result<String, String> {
    let inner = &word[2..word.len() - 2];
    let mut parts = inner.splitn(3, '?');
    let (Some(charset), Some(encoding), Some(text)) = (parts.next(), parts.next(), parts.next()) else {
        return Err("not charset?encoding?text".into());
    };
    // RFC 2231 §5: a language may follow the charset after '*'.
    let charset = charset.split('*').next().unwrap_or(charset);
    let bytes = match encoding {
        "B" | "b" => decode_base64(text.as_bytes()).ok_or("invalid base64")?,
        "Q" | "q" => decode_quoted_printable(text.as_bytes(), true),
        other => return Err(format!("unknown encoding \"{other}\" (B or Q expected)")),
    };
    charsets.decode(charset, &bytes).ok_or_else(|| format!("charset {charset} is not known here"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charset::Utf8Only;

    #[test]
    fn quoted_printable_rows() {
        assert_eq!(decode_quoted_printable(b"caf=C3=A9 =\r\nok", false), "café ok".as_bytes());
        assert_eq!(decode_quoted_printable(b"a_b=3D", true), b"a b=");
        assert_eq!(decode_quoted_printable(b"bad =ZZ end=", false), b"bad =ZZ end=");
    }

    #[test]
    fn encoded_words_in_utf8() {
        let (text, problems) = decode_header_value("=?UTF-8?B?5pel5pys6Kqe?= and =?utf-8?Q?caf=C3=A9?=", &Utf8Only);
        assert_eq!(text, "日本語 and café");
        assert!(problems.is_empty());
        // Space between adjacent encoded words disappears (RFC 2047 §6.2).
        let (text, _) = decode_header_value("=?UTF-8?Q?a?= =?UTF-8?Q?b?=", &Utf8Only);
        assert_eq!(text, "ab");
        let (text, _) = decode_header_value("plain text only", &Utf8Only);
        assert_eq!(text, "plain text only");
    }

    #[test]
    fn broken_words_are_kept_and_reported() {
        let (text, problems) = decode_header_value("x =?UTF-8?X?abc?= y", &Utf8Only);
        assert_eq!(text, "x =?UTF-8?X?abc?= y");
        assert_eq!(problems[0].why, "unknown encoding \"X\" (B or Q expected)");
        let (_, problems) = decode_header_value("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", &Utf8Only);
        assert_eq!(problems[0].why, "charset ISO-2022-JP is not known here");
        let (text, _) = decode_header_value("=?unterminated", &Utf8Only);
        assert_eq!(text, "=?unterminated");
    }
}
