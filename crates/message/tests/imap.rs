//! ENVELOPE, BODYSTRUCTURE and BODY known answers for the corpus (reviewed by
//! hand against RFC 9051 §7.5.2; regenerate with MAIL_LAB_BLESS=1 and review the
//! diff), each also parsed by imap-codec's response decoder; FETCH sections; and
//! the MIME nesting limit.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use imap_codec::ResponseCodec;
use imap_codec::decode::Decoder;
use mail_lab_message::imap::{SectionText, body_structure, envelope, section};
use mail_lab_message::{MessageView, Problem, Utf8Only};

fn corpus() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

fn answers(raw: &[u8]) -> [String; 3] {
    [envelope(raw), body_structure(raw, true), body_structure(raw, false)]
}

fn assert_parses_as_imap(fetch: &str) {
    let line = format!("* 1 FETCH ({fetch})\r\n");
    match ResponseCodec::default().decode(line.as_bytes()) {
        Ok((rest, _)) => assert!(rest.is_empty(), "left over after {line}"),
        Err(e) => panic!("imap-codec rejects {line:?}: {e:?}"),
    }
}

#[test]
fn known_answers_for_every_corpus_structure() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/imap-known-answers.txt");
    let corpus = corpus();
    assert!(corpus.len() >= 10, "at least 10 structures");
    if std::env::var_os("MAIL_LAB_BLESS").is_some() {
        let mut out = String::new();
        for (name, raw) in &corpus {
            let [e, b, s] = answers(raw);
            out.push_str(&format!("== {name}\nENVELOPE {e}\nBODYSTRUCTURE {b}\nBODY {s}\n"));
        }
        std::fs::write(&file, out).unwrap();
    }
    let expected = std::fs::read_to_string(&file).unwrap();
    let mut blocks = expected.split("== ").filter(|b| !b.is_empty());
    for (name, raw) in &corpus {
        let block = blocks.next().unwrap_or_else(|| panic!("no known answer for {name}"));
        let [e, b, s] = answers(raw);
        assert_eq!(block, format!("{name}\nENVELOPE {e}\nBODYSTRUCTURE {b}\nBODY {s}\n"), "{name}");
        assert_parses_as_imap(&format!("ENVELOPE {e} BODYSTRUCTURE {b}"));
        assert_parses_as_imap(&format!("BODY {s}"));
    }
    assert!(blocks.next().is_none(), "known answers for files that no longer exist");
}

#[test]
fn sections_are_the_exact_bytes() {
    let raw = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/05-forwarded.eml")).unwrap();
    let get = |part: &[u32], text: SectionText| section(&raw, part, &text).map(|b| String::from_utf8(b).unwrap());
    assert_eq!(get(&[], SectionText::Whole).unwrap().len(), raw.len());
    assert_eq!(get(&[1], SectionText::Whole).as_deref(), Some("forwarded below"));
    assert_eq!(get(&[1], SectionText::Mime).as_deref(), Some("Content-Type: text/plain\r\n\r\n"));
    assert!(get(&[], SectionText::Header).unwrap().ends_with("boundary=b\r\n\r\n"));
    assert_eq!(
        get(&[], SectionText::HeaderFields(vec!["subject".into(), "FROM".into()])).as_deref(),
        Some("From: a@a.example\r\nSubject: fwd\r\n\r\n")
    );
    assert_eq!(
        get(&[], SectionText::HeaderFieldsNot(vec!["Content-Type".into(), "MIME-Version".into(), "From".into()]))
            .as_deref(),
        Some("Subject: fwd\r\n\r\n")
    );
    // Part 2 is message/rfc822: its HEADER and TEXT are the inner message's.
    assert!(get(&[2], SectionText::Header).unwrap().starts_with("From: c@c.example\r\n"));
    assert_eq!(get(&[2], SectionText::Text).as_deref(), Some("original body"));
    assert_eq!(get(&[2, 1], SectionText::Whole).as_deref(), Some("original body"));
    assert_eq!(get(&[2], SectionText::Mime).as_deref(), Some("Content-Type: message/rfc822\r\n\r\n"));
    // Parts that do not exist.
    assert_eq!(get(&[3], SectionText::Whole), None);
    assert_eq!(get(&[1, 1, 1], SectionText::Whole), None);
    assert_eq!(get(&[0], SectionText::Whole), None);
    assert_eq!(get(&[1], SectionText::Text), None, "TEXT of a non-message part");
}

#[test]
fn rfc822_size_counts_every_octet() {
    for (name, raw) in corpus() {
        assert_eq!(section(&raw, &[], &SectionText::Whole).map(|b| b.len()), Some(raw.len()), "{name}");
    }
}

/// `levels` containers, each holding the next: multipart/mixed or message/rfc822.
fn nested(levels: usize, multipart: bool) -> Vec<u8> {
    let mut raw = b"From: a@a.example\r\n".to_vec();
    for i in 0..levels {
        if multipart {
            raw.extend_from_slice(format!("Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n").as_bytes());
        } else {
            raw.extend_from_slice(b"Content-Type: message/rfc822\r\n\r\n");
        }
    }
    raw.extend_from_slice(b"Subject: innermost\r\n\r\nhi\r\n");
    raw
}

#[test]
fn nesting_past_the_limit_is_answered_as_one_opaque_body() {
    use mail_lab_message::parse::MAX_MIME_DEPTH;
    for multipart in [true, false] {
        // Deep enough to overflow the stack if anything followed it level by level.
        let raw = nested(20_000, multipart);
        let structure = body_structure(&raw, true);
        assert!(structure.contains(r#"("application" "octet-stream" NIL NIL NIL "7bit" "#), "{}", &structure[..200]);
        // Balanced and bounded. (imap-codec's decoder stops at 8 levels by its own
        // choice, so it cannot check this answer; Dovecot stops at 100 too.)
        let depths: Vec<i32> = structure
            .chars()
            .scan(0i32, |d, c| {
                *d += match c {
                    '(' => 1,
                    ')' => -1,
                    _ => 0,
                };
                Some(*d)
            })
            .collect();
        assert_eq!(depths.last(), Some(&0), "balanced");
        assert!(depths.iter().all(|&d| d >= 0) && depths.iter().max() < Some(&(3 * MAX_MIME_DEPTH as i32)));
        assert!(envelope(&raw).contains("\"a\" \"a.example\""));
        assert!(section(&raw, &[1], &SectionText::Whole).is_some());
        // FETCH BODY[...] finds exactly the parts BODYSTRUCTURE shows: the opaque
        // part at depth 100 (section 1.1…1, one more `1` when the top message's
        // body is itself part 1), and nothing below it.
        let opaque = vec![1; if multipart { MAX_MIME_DEPTH } else { MAX_MIME_DEPTH + 1 }];
        assert!(section(&raw, &opaque, &SectionText::Whole).is_some(), "the opaque part itself");
        assert!(section(&raw, &[opaque.as_slice(), &[1]].concat(), &SectionText::Whole).is_none());
        assert!(section(&raw, &opaque, &SectionText::Text).is_none(), "no TEXT inside an opaque part");
        // The message view stops at the same depth and says so.
        let view = MessageView::parse(&raw, &Utf8Only);
        assert!(view.parts().len() <= MAX_MIME_DEPTH + 2, "{} parts", view.parts().len());
        assert!(view.diagnostics().iter().any(|d| d.problem == Problem::TooDeeplyNested));
        for p in view.parts() {
            let _ = view.body(p);
        }
        // Within the limit nothing is hidden.
        let shallow = nested(10, multipart);
        assert!(!body_structure(&shallow, true).contains("octet-stream"));
        let view = MessageView::parse(&shallow, &Utf8Only);
        assert!(view.diagnostics().iter().all(|d| d.problem != Problem::TooDeeplyNested));
        assert_eq!(view.text_body().as_deref(), Some("hi\r\n"));
    }
}
