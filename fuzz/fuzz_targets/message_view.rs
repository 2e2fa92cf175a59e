//! Any bytes as a message: the view, the IMAP answers, every header field read
//! as Authentication-Results and the mbox round trip never panic. Besides:
//! every part's byte ranges lie inside the message, IMAP section numbers are
//! unique, and mboxrd export then import gives the same bytes back for a
//! message with CRLF line endings.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_lab_message::imap::{SectionText, body_structure, envelope, section};
use mail_lab_message::{MessageView, Utf8Only, mbox};
use mail_lab_proto::Time;

fuzz_target!(|data: &[u8]| {
    let view = MessageView::parse(data, &Utf8Only);
    let mut sections = std::collections::HashSet::new();
    for p in view.parts() {
        assert!(p.header.start <= p.header.end && p.body_range.start <= p.body_range.end, "{p:?}");
        assert!(p.body_range.end <= data.len(), "{p:?} in {} bytes", data.len());
        assert!(p.section.is_empty() || sections.insert(p.section.to_string()), "section {} twice", p.section);
        let _ = view.body(p);
        let numbers: Vec<u32> = p.section.split('.').filter_map(|n| n.parse().ok()).collect();
        for text in [SectionText::Whole, SectionText::Mime, SectionText::Header, SectionText::Text] {
            let _ = section(data, &numbers, &text);
        }
    }
    let _ = (view.diagnostics(), view.trace(), view.decoded_headers(), view.text_body(), view.references());
    let _ = (view.from(), view.to(), view.cc(), view.bcc(), view.sender(), view.reply_to());
    for f in view.headers() {
        let read = mail_lab_message::auth_results::parse(&f.value);
        assert!(read.results.iter().all(|r| !r.method.is_empty()), "{read:?}");
    }
    let _ = (envelope(data), body_structure(data, true), body_structure(data, false));

    // CRLF only (no other CR), ending in CRLF: what the store keeps.
    let lf: Vec<u8> = data.iter().copied().filter(|&b| b != b'\r').collect();
    let mut raw = mbox::from_eml(&lf);
    if !raw.ends_with(b"\r\n") {
        raw.extend_from_slice(b"\r\n");
    }
    let back = mbox::import(&mbox::export(&[("a@b.example".to_string(), Time(0), raw.clone())]));
    assert_eq!(back.len(), 1, "one message in, one out");
    assert_eq!(back[0].raw, raw, "mboxrd round trip");
});
