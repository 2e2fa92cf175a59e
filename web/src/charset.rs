//! Charsets through the browser's own TextDecoder, so the page carries no
//! decoding tables of its own (ISO-2022-JP, Shift_JIS, EUC-JP and the rest).

use mail_lab_message::CharsetDecoder;

/// Decodes with `TextDecoder` in the browser; natively (unit tests) with
/// encoding_rs, which implements the same WHATWG Encoding Standard.
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
            mail_lab_message::charset::EncodingRs.decode(charset, bytes)
        }
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use mail_lab_message::MessageView;

    use super::BrowserDecoder;

    /// The page's mail-parser keeps one table, windows-1252's (ISO-8859-1 and
    /// US-ASCII go there): every other label is read through the browser.
    #[wasm_bindgen_test::wasm_bindgen_test]
    fn the_page_reads_western_central_european_cyrillic_and_japanese_labels() {
        let cases = [
            ("ISO-8859-1", "quoted-printable", "Andr=E9 says hello.", "André says hello."),
            ("windows-1252", "quoted-printable", "=93quoted=94", "“quoted”"),
            ("ISO-8859-2", "quoted-printable", "Pawe=B3", "Paweł"),
            ("KOI8-R", "base64", "6dfBzg==", "Иван"),
            ("ISO-2022-JP", "base64", "GyRCJDMkcyRLJEEkTyEiJVwlViQ1JHMbKEI=", "こんにちは、ボブさん"),
        ];
        for (charset, encoding, body, text) in cases {
            let raw = format!(
                "From: a@b.example\r\nSubject: {charset}\r\nMIME-Version: 1.0\r\n\
                 Content-Type: text/plain; charset={charset}\r\n\
                 Content-Disposition: inline; filename*=iso-8859-1''caf%E9.txt\r\n\
                 Content-Transfer-Encoding: {encoding}\r\n\r\n{body}\r\n"
            );
            let view = MessageView::parse(raw.as_bytes(), &BrowserDecoder);
            assert_eq!(view.text_body().as_deref().map(str::trim_end), Some(text), "{charset}");
            assert_eq!(view.parts()[0].filename.as_deref(), Some("café.txt"), "{charset}");
        }
    }
}
