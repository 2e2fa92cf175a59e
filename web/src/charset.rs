//! Charsets through the browser's own TextDecoder, so the page carries no
//! decoding tables of its own (ISO-2022-JP, Shift_JIS, EUC-JP and the rest).

use mail_lab_message::CharsetDecoder;

/// Decodes with `TextDecoder` in the browser; natively (unit tests) only UTF-8.
#[derive(Debug, Clone, Copy, Default)]
pub struct BrowserDecoder;

impl CharsetDecoder for BrowserDecoder {
    fn decode(&self, charset: &str, bytes: &[u8]) -> Option<String> {
        #[cfg(target_arch = "wasm32")]
        {
            let decoder = web_sys::TextDecoder::new_with_label(charset.trim()).ok()?;
            decoder.decode_with_u8_array(bytes).ok()
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            mail_lab_message::Utf8Only.decode(charset, bytes)
        }
    }
}
