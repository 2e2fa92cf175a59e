//! The message view: Japanese charsets, IMAP section numbers and byte ranges,
//! the trace, and diagnostics — and no failure on garbage.
#![allow(clippy::unwrap_used)]

use mail_lab_message::charset::EncodingRs;
use mail_lab_message::{Body, MessageView, Problem, Utf8Only};

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn encode(charset: &'static encoding_rs::Encoding, text: &str) -> Vec<u8> {
    charset.encode(text).0.into_owned()
}

#[test]
fn iso_2022_jp_subject_and_body_decode_as_japanese() {
    let subject = encode(encoding_rs::ISO_2022_JP, "日本語の件名");
    let body = encode(encoding_rs::ISO_2022_JP, "こんにちは、世界。\r\n");
    let raw = format!(
        "From: =?ISO-2022-JP?B?{}?= <taro@a.example>\r\nTo: bob@a.example\r\nSubject: =?ISO-2022-JP?B?{}?=\r\nDate: Wed, 1 Apr 2026 09:00:00 +0900\r\nMessage-ID: <1@a.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        base64(&encode(encoding_rs::ISO_2022_JP, "山田太郎")),
        base64(&subject),
        base64(&body)
    );
    let view = MessageView::parse(raw.as_bytes(), &EncodingRs);
    assert_eq!(view.subject(), Some("日本語の件名"));
    assert_eq!(view.text_body().as_deref(), Some("こんにちは、世界。\r\n"));
    assert_eq!(view.from()[0].address.as_deref(), Some("taro@a.example"));
    // The display name goes through the same charsets as the Subject.
    assert_eq!(view.from()[0].name.as_deref(), Some("山田太郎"));
    assert_eq!(view.decoded("from"), Some("山田太郎 <taro@a.example>"));
    assert!(view.diagnostics().is_empty(), "{:?}", view.diagnostics());
    // Without a decoder for it, the lab says so instead of showing garbage silently.
    let plain = MessageView::parse(raw.as_bytes(), &Utf8Only);
    let problems: Vec<Problem> = plain.diagnostics().iter().map(|d| d.problem).collect();
    assert!(problems.contains(&Problem::BadEncodedWord) && problems.contains(&Problem::UnknownCharset), "{problems:?}");
}

#[test]
fn display_names_in_single_byte_charsets_decode_through_the_callers_charsets() {
    let raw = "From: =?ISO-8859-2?B?UGF3ZbMgS293YWxza2k=?= <pawel@b.example>\r\n\
               To: \"Dvořák, Antonín\" <d@b.example>, team: =?KOI8-R?B?6dfBzg==?= <ivan@c.example>;\r\n\
               Subject: hi\r\n\r\nbody\r\n";
    let view = MessageView::parse(raw.as_bytes(), &EncodingRs);
    let from = view.from();
    assert_eq!(from[0].name.as_deref(), Some("Paweł Kowalski"));
    assert_eq!(from[0].address.as_deref(), Some("pawel@b.example"));
    let to: Vec<_> = view.to().into_iter().map(|a| (a.name, a.address)).collect();
    // A quoted name keeps its comma (UTF-8 as RFC 6532 allows), and a group's
    // members are listed as mailboxes.
    assert_eq!(
        to,
        [
            (Some("Dvořák, Antonín".to_string()), Some("d@b.example".to_string())),
            (Some("Иван".to_string()), Some("ivan@c.example".to_string())),
        ]
    );
    // The name goes through the caller's charsets, not mail-parser's tables: a
    // caller that knows no ISO-8859-2 gets the word as it stands.
    let plain = MessageView::parse(raw.as_bytes(), &Utf8Only);
    assert_eq!(plain.from()[0].name.as_deref(), Some("=?ISO-8859-2?B?UGF3ZbMgS293YWxza2k=?="));
}

#[test]
fn shift_jis_and_euc_jp_eight_bit_bodies() {
    for (charset, label) in [(encoding_rs::SHIFT_JIS, "Shift_JIS"), (encoding_rs::EUC_JP, "EUC-JP")] {
        let mut raw = format!(
            "From: a@a.example\r\nDate: x\r\nMessage-ID: <2@a>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset={label}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        )
        .into_bytes();
        raw.extend(encode(charset, "メールの本文です。"));
        let view = MessageView::parse(&raw, &EncodingRs);
        assert_eq!(view.text_body().as_deref(), Some("メールの本文です。"), "{label}");
        assert!(view.diagnostics().is_empty(), "{label}: {:?}", view.diagnostics());
    }
}

const NESTED: &[u8] = b"From: a@a.example\r\nDate: x\r\nMessage-ID: <3@a>\r\nSubject: outer\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\ninner text\r\n--c\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n--c--\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\n\r\nAAEC\r\n--b--\r\n";

#[test]
fn sections_follow_imap_numbering_with_exact_ranges() {
    let view = MessageView::parse(NESTED, &Utf8Only);
    let tree: Vec<(&str, &str)> = view.parts().iter().map(|p| (&*p.section, &*p.content_type)).collect();
    assert_eq!(
        tree,
        [
            ("", "multipart/mixed"),
            ("1", "text/plain"),
            ("2", "message/rfc822"),
            ("", "multipart/alternative"),
            ("2.1", "text/plain"),
            ("2.2", "text/html"),
            ("3", "application/octet-stream"),
        ]
    );
    let p = view.part("2.1").unwrap();
    assert_eq!(&NESTED[p.body_range.clone()], b"inner text");
    assert_eq!(view.body(p), Body::Text("inner text".into()));
    let a = view.part("3").unwrap();
    assert_eq!((a.filename.as_deref(), a.disposition.as_deref()), (Some("a.bin"), Some("attachment")));
    assert_eq!(view.body(a), Body::Binary(vec![0, 1, 2]));
    assert_eq!(&NESTED[a.body_range.clone()], b"AAEC");
    assert!(String::from_utf8_lossy(&NESTED[a.header.clone()]).starts_with("Content-Type: application/octet-stream"));
    // A single-part message's body is section 1.
    let single = MessageView::parse(b"Subject: s\r\n\r\nbody\r\n", &Utf8Only);
    assert_eq!(single.parts().len(), 1);
    assert_eq!(single.parts()[0].section, "1");
}

#[test]
fn received_trace_and_return_path() {
    let raw = b"Return-Path: <alice@a.example>\r\nReceived: from mail.a.example ([192.0.2.25])\r\n\tby mail.b.example (Mail Lab) with ESMTPS id C2-1\r\n\tfor <carol@b.example>;\r\n\tWed, 1 Apr 2026 09:00:00 +0000\r\nReceived: from pc.a.example ([192.0.2.10])\r\n\tby mail.a.example (Mail Lab) with ESMTPA id C1-1;\r\n\tWed, 1 Apr 2026 09:00:00 +0000\r\nSubject: x\r\n\r\nbody\r\n";
    let view = MessageView::parse(raw, &Utf8Only);
    assert_eq!(view.return_path().as_deref(), Some("<alice@a.example>"));
    assert_eq!(view.trace().len(), 2);
    let trace = view.trace();
    let hop = &trace[0];
    assert_eq!(
        (hop.from.as_deref(), hop.by.as_deref(), hop.with.as_deref(), hop.id.as_deref(), hop.for_.as_deref()),
        (Some("mail.a.example"), Some("mail.b.example"), Some("ESMTPS"), Some("C2-1"), Some("carol@b.example"))
    );
    assert_eq!(hop.date.as_deref(), Some("Wed, 1 Apr 2026 09:00:00 +0000"));
    assert_eq!(trace[1].with.as_deref(), Some("ESMTPA"));
}

#[test]
fn diagnostics_name_the_problem_and_place() {
    let long = "x".repeat(1200);
    let raw = format!("Subject: =?UTF-8?X?oops?=\r\n\r\ncaf\u{e9}\r\n{long}\r\n");
    let view = MessageView::parse(raw.as_bytes(), &Utf8Only);
    let problems: Vec<Problem> = view.diagnostics().iter().map(|d| d.problem).collect();
    for p in [
        Problem::MissingDate,
        Problem::MissingFrom,
        Problem::MissingMessageId,
        Problem::EightBitWithoutMime,
        Problem::LineTooLong,
        Problem::BadEncodedWord,
    ] {
        assert!(problems.contains(&p), "{p:?} missing from {problems:?}");
    }
    let long_line = view.diagnostics().iter().find(|d| d.problem == Problem::LineTooLong).unwrap();
    assert_eq!(long_line.offset, Some(raw.find(&long).unwrap()));
    assert!(!long_line.explain().ja.is_empty());
    let no_separator = MessageView::parse(b"Subject: a\r\nnot a header line\r\n", &Utf8Only);
    assert!(no_separator.diagnostics().iter().any(|d| d.problem == Problem::NoHeaderBodySeparator));
}

#[test]
fn never_fails_on_garbage() {
    let inputs: Vec<Vec<u8>> = vec![
        vec![],
        b"\r\n\r\n".to_vec(),
        (0..=255u8).cycle().take(5000).collect(),
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\ntruncated".to_vec(),
        b"Content-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!".to_vec(),
        b"Subject: =?=?=?\r\n\r\n".to_vec(),
    ];
    for raw in inputs {
        let view = MessageView::parse(&raw, &EncodingRs);
        assert_eq!(view.size(), raw.len());
        // Asking for everything must not fail either.
        for p in view.parts() {
            let _ = view.body(p);
        }
        let _ = (view.diagnostics(), view.trace(), view.decoded_headers(), view.text_body());
    }
}

#[test]
fn references_and_in_reply_to_give_the_thread_ids_in_order() {
    let raw = b"From: a@x.example\r\nSubject: Re: Re: plan\r\nIn-Reply-To: <2@x.example>\r\nReferences: <1@x.example>\r\n <2@x.example> (comment) <not-an-id>\r\n\r\nok\r\n";
    let v = MessageView::parse(raw, &Utf8Only);
    assert_eq!(v.references(), ["1@x.example", "2@x.example"]);
    assert_eq!(v.in_reply_to().as_deref(), Some("<2@x.example>"));
    // Without References:, In-Reply-To: names the parent.
    let raw = b"From: a@x.example\r\nIn-Reply-To: <p@x.example>\r\n\r\nok\r\n";
    assert_eq!(MessageView::parse(raw, &Utf8Only).references(), ["p@x.example"]);
    let raw = b"From: a@x.example\r\n\r\nnone\r\n";
    assert!(MessageView::parse(raw, &Utf8Only).references().is_empty());
}

#[test]
fn answers_do_not_depend_on_what_was_asked_first() {
    let raw = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/04-mixed-nested.eml")).unwrap();
    let everything = |view: &MessageView<'_>| {
        let bodies: Vec<Body> = view.parts().iter().map(|p| view.body(p)).collect();
        format!(
            "{:?} {:?} {:?} {:?} {:?}",
            view.diagnostics(),
            view.decoded_headers(),
            view.trace(),
            bodies,
            view.text_body()
        )
    };
    let first = MessageView::parse(&raw, &EncodingRs);
    let in_order = everything(&first);
    // Diagnostics before anything else, then the rest.
    let second = MessageView::parse(&raw, &EncodingRs);
    let _ = (second.diagnostics(), second.text_body(), second.subject());
    assert_eq!(everything(&second), in_order);
    assert!(first.parts().len() > 2, "a nested message: {:?}", first.parts());
}

/// Found by the message_view fuzz target: an encapsulated message whose header
/// runs into the outer boundary. mail-parser recovers from it, but a debug
/// assertion inside it fired (a panic in debug builds of the lab) until the
/// workspace turned mail-parser's debug assertions off.
#[test]
fn an_encapsulated_message_cut_short_by_the_boundary() {
    let raw: &[u8] = b"From: a@a.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@c.example\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@c.example\r\nSubject: original\r\n\r\noriginal body\r\n--b--\r\n";
    let view = MessageView::parse(raw, &Utf8Only);
    for p in view.parts() {
        assert!(p.body_range.end <= raw.len(), "{p:?}");
        let _ = view.body(p);
    }
    let _ = (view.diagnostics(), view.text_body());
    assert!(mail_lab_message::imap::body_structure(raw, true).starts_with('('));
}

/// Mojibake: the same octets read with the wrong label garble, and read with
/// the right charset come back — the label, not the bytes, was wrong.
#[test]
fn a_mislabelled_body_garbles_and_reads_right_with_its_real_charset() {
    let text = "こんにちは、ボブさん";
    // UTF-8 octets that say they are Shift_JIS (a learner typing into a terminal).
    let raw = format!(
        "Subject: mojibake\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=Shift_JIS\r\n\r\n{text}\r\n"
    );
    let view = MessageView::parse(raw.as_bytes(), &EncodingRs);
    let part = &view.parts()[0];
    assert_eq!(part.charset.as_deref(), Some("Shift_JIS"));
    let shown = view.text_body().unwrap();
    assert!(!shown.contains(text) && shown.starts_with("縺"), "read as Shift_JIS: {shown}");
    assert_eq!(view.text_as(part, "UTF-8").as_deref(), Some(format!("{text}\r\n").as_str()));
    assert_eq!(view.text_as(part, "Shift_JIS"), Some(shown));
    // ISO-2022-JP octets with no label at all: a reader who guesses US-ASCII
    // sees the escape sequences' letters; picking ISO-2022-JP reads them right.
    let jis = encode(encoding_rs::ISO_2022_JP, text);
    let mut raw = b"Subject: no label\r\n\r\n".to_vec();
    raw.extend_from_slice(&jis);
    let view = MessageView::parse(&raw, &EncodingRs);
    let part = &view.parts()[0];
    assert_eq!(part.charset, None);
    assert!(view.text_body().unwrap().contains("$B$3$s$K$A$O"));
    assert_eq!(view.text_as(part, "ISO-2022-JP").as_deref(), Some(text));
    // The transfer encoding is undone before the charset is applied.
    let raw = format!(
        "Content-Type: text/plain; charset=EUC-JP\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        base64(text.as_bytes())
    );
    let view = MessageView::parse(raw.as_bytes(), &EncodingRs);
    assert_eq!(view.transfer_decoded(&view.parts()[0]).0, text.as_bytes());
    assert_eq!(view.text_as(&view.parts()[0], "utf-8").as_deref(), Some(text));
    assert_eq!(MessageView::parse(raw.as_bytes(), &Utf8Only).text_as(&view.parts()[0], "x-unknown"), None);
}
