//! Turning bytes in a named charset into text. The message crate decodes UTF-8
//! and ASCII itself and asks a [`CharsetDecoder`] for everything else, so the
//! page can use the browser's own decoders instead of bundling tables.

/// Decodes bytes in a named charset (`ISO-2022-JP`, `Shift_JIS`, `EUC-JP`, …).
pub trait CharsetDecoder {
    /// The text, or `None` when the charset is unknown here.
    fn decode(&self, charset: &str, bytes: &[u8]) -> Option<String>;
}

/// Knows only UTF-8 and US-ASCII (and their aliases); every other charset is
/// reported as unknown, and the text falls back to lossy UTF-8 with a diagnostic.
#[derive(Debug, Clone, Copy, Default)]
pub struct Utf8Only;

impl CharsetDecoder for Utf8Only {
    fn decode(&self, charset: &str, bytes: &[u8]) -> Option<String> {
        decode_builtin(charset, bytes)
    }
}

/// UTF-8, US-ASCII and ISO-8859-1 need no tables.
pub(crate) fn decode_builtin(charset: &str, bytes: &[u8]) -> Option<String> {
    match charset.trim().to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" | "us-ascii" | "ascii" | "" => Some(String::from_utf8_lossy(bytes).into_owned()),
        "iso-8859-1" | "latin1" | "iso_8859-1" => Some(bytes.iter().map(|&b| b as char).collect()),
        _ => None,
    }
}

/// Every charset of the WHATWG Encoding Standard, through encoding_rs.
#[cfg(feature = "encoding_rs")]
#[derive(Debug, Clone, Copy, Default)]
pub struct EncodingRs;

#[cfg(feature = "encoding_rs")]
impl CharsetDecoder for EncodingRs {
    fn decode(&self, charset: &str, bytes: &[u8]) -> Option<String> {
        if let Some(text) = decode_builtin(charset, bytes) {
            return Some(text);
        }
        let encoding = encoding_rs::Encoding::for_label(charset.trim().as_bytes())?;
        let (text, _, _) = encoding.decode(bytes);
        Some(text.into_owned())
    }
}
