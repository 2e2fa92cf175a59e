//! Files in and out of the page: a download made from bytes, and the bytes of
//! a file the learner chose. Nothing leaves the browser.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

/// Offer `bytes` as a download named `name`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Some(a) = document.create_element("a").ok().and_then(|e| e.dyn_into::<web_sys::HtmlAnchorElement>().ok()) {
        a.set_href(&url);
        a.set_download(name);
        a.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}

/// The most of a chosen file that is read: one byte past a mailbox's quota,
/// enough to know it can never be imported, so a file of gigabytes cannot
/// exhaust the page's memory.
pub const READ_LIMIT: usize = mail_lab_store::ACCOUNT_STORAGE_LIMIT + 1;

/// Read the file chosen in `input` (its first [`READ_LIMIT`] bytes) and hand
/// its name and bytes to `done` (later: files are read asynchronously). The
/// input is cleared so the same file can be chosen again. `done` is boxed so
/// every caller shares one reading task in the page's code.
pub fn read_chosen(input: &HtmlInputElement, done: Box<dyn FnOnce(String, Vec<u8>)>) {
    let Some(file) = input.files().and_then(|list| list.get(0)) else { return };
    input.set_value("");
    let Ok(head) = file.slice_with_f64_and_f64(0.0, READ_LIMIT as f64) else { return };
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(head.array_buffer()).await {
            done(file.name(), js_sys::Uint8Array::new(&buffer).to_vec());
        }
    });
}
