//! The golden corpus: every `.eml` in tests/corpus has a `.json` of what the
//! lab reads from it (reviewed by hand; MAIL_LAB_BLESS=1 rewrites them). Each
//! message is read with CRLF and again with LF line endings: same answer.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use mail_lab_message::charset::EncodingRs;
use mail_lab_message::{Body, MessageView};
use serde_json::{Value, json};

fn summary(view: &MessageView) -> Value {
    let text = |s: &str| s.replace("\r\n", "\n");
    json!({
        "subject": view.subject(),
        "from": view.decoded("From"),
        "to": view.decoded("To"),
        "cc": view.decoded("Cc"),
        "date": view.date(),
        "message_id": view.message_id(),
        "addresses": view.from().iter().chain(&view.to()).chain(&view.cc())
            .map(|a| json!([a.name, a.address])).collect::<Vec<_>>(),
        "trace": view.trace().len(),
        "parts": view.parts().iter().map(|p| json!({
            "section": p.section,
            "type": p.content_type,
            "charset": p.charset,
            "encoding": p.transfer_encoding,
            "filename": p.filename,
            "body": match &view.body(p) {
                Body::Text(t) => json!({"text": text(t)}),
                Body::Html(t) => json!({"html": text(t)}),
                Body::Binary(b) => json!({"binary_octets": b.len()}),
                Body::Multipart => json!("multipart"),
                Body::Message => json!("message"),
            },
        })).collect::<Vec<_>>(),
        "diagnostics": view.diagnostics().iter().map(|d| format!("{:?}", d.problem)).collect::<Vec<_>>(),
    })
}

fn to_lf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, &b) in raw.iter().enumerate() {
        if !(b == b'\r' && raw.get(i + 1) == Some(&b'\n')) {
            out.push(b);
        }
    }
    out
}

#[test]
fn every_corpus_message_reads_as_its_golden_json_with_crlf_and_lf() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    assert!(files.len() >= 13);
    for path in files {
        let raw = std::fs::read(&path).unwrap();
        let got = summary(&MessageView::parse(&raw, &EncodingRs));
        let golden = path.with_extension("json");
        if std::env::var_os("MAIL_LAB_BLESS").is_some() {
            std::fs::write(&golden, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
        }
        let expected: Value = serde_json::from_str(&std::fs::read_to_string(&golden).unwrap()).unwrap();
        assert_eq!(got, expected, "{}", path.display());
        let lf = summary(&MessageView::parse(&to_lf(&raw), &EncodingRs));
        assert_eq!(lf, expected, "{} with LF line endings", path.display());
    }
}
