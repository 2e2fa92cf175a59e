//! The builder writes valid RFC 5322 that the view reads back; .eml and mbox
//! round-trip without loss.
#![allow(clippy::unwrap_used)]

use mail_lab_message::builder::{Attachment, Draft, Mailbox, build};
use mail_lab_message::charset::EncodingRs;
use mail_lab_message::mbox::{asctime, export, from_eml, import};
use mail_lab_message::{Body, MessageView};
use mail_lab_proto::Time;

const DATE: Time = Time::from_secs(1_775_034_000);

fn lines_ok(raw: &[u8]) {
    assert!(raw.ends_with(b"\r\n"));
    for (i, &b) in raw.iter().enumerate() {
        if b == b'\n' {
            assert!(i > 0 && raw[i - 1] == b'\r', "bare LF at {i}");
        }
    }
    assert!(raw.split(|&b| b == b'\n').all(|l| l.len() <= 1000), "a line over 998 octets");
}

#[test]
fn japanese_mail_with_html_and_attachment_round_trips_through_the_view() {
    let long_subject = "長い件名のテスト：".repeat(8);
    let draft = Draft {
        from: Mailbox { name: Some("山田 太郎".into()), address: "taro@a.example".into() },
        to: vec![Mailbox { name: Some("Bob, the builder".into()), address: "bob@a.example".into() }],
        cc: vec![Mailbox::new("carol@b.example")],
        bcc: vec![Mailbox::new("secret@b.example")],
        subject: long_subject.clone(),
        text: format!("こんにちは。\n{}\n= end", "x".repeat(300)),
        html: Some("<p>こんにちは</p>".into()),
        attachments: vec![Attachment {
            filename: "資料.bin".into(),
            content_type: "application/octet-stream".into(),
            data: (0..=255).collect(),
        }],
    };
    let built = build(&draft, DATE, "m1");
    lines_ok(&built.raw);
    assert_eq!(built.recipients, ["bob@a.example", "carol@b.example", "secret@b.example"]);
    assert_eq!(built.message_id, "<m1@a.example>");
    let text = String::from_utf8(built.raw.clone()).unwrap();
    assert!(!text.contains("secret@b.example"), "Bcc never appears in the header");
    assert!(text.is_ascii(), "everything non-ASCII is encoded");
    let view = MessageView::parse(&built.raw, &EncodingRs);
    assert!(view.diagnostics().is_empty(), "{:?}", view.diagnostics());
    assert_eq!(view.subject(), Some(long_subject.as_str()));
    assert_eq!(view.decoded("From"), Some("山田 太郎 <taro@a.example>"));
    assert_eq!(view.to()[0].name.as_deref(), Some("Bob, the builder"));
    assert_eq!(view.date().as_deref(), Some("Wed, 1 Apr 2026 09:00:00 +0000"));
    let types: Vec<&str> = view.parts().iter().map(|p| &*p.content_type).collect();
    assert_eq!(
        types,
        ["multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/octet-stream"]
    );
    assert_eq!(
        view.body(view.part("1.1").unwrap()),
        Body::Text(format!("こんにちは。\r\n{}\r\n= end", "x".repeat(300)))
    );
    assert_eq!(view.body(view.part("2").unwrap()), Body::Binary((0..=255).collect()));
    assert_eq!(view.part("2").unwrap().filename.as_deref(), Some("資料.bin"));
}

#[test]
fn plain_ascii_stays_7bit() {
    let draft = Draft {
        from: Mailbox::new("alice@a.example"),
        to: vec![Mailbox::new("bob@a.example")],
        subject: "Lunch?".into(),
        text: "See you at noon.\n".into(),
        ..Draft::default()
    };
    let built = build(&draft, DATE, "m2");
    let text = String::from_utf8(built.raw).unwrap();
    assert!(text.starts_with("From: alice@a.example\r\nTo: bob@a.example\r\nSubject: Lunch?\r\nDate: Wed, 1 Apr 2026 09:00:00 +0000\r\nMessage-ID: <m2@a.example>\r\nMIME-Version: 1.0\r\n"));
    assert!(text.ends_with("Content-Transfer-Encoding: 7bit\r\n\r\nSee you at noon.\r\n"));
}

#[test]
fn eml_import_normalises_line_endings() {
    assert_eq!(from_eml(b"Subject: x\n\nbody\n"), b"Subject: x\r\n\r\nbody\r\n");
    assert_eq!(from_eml(b"a\r\nb\n"), b"a\r\nb\r\n");
}

#[test]
fn mboxrd_round_trip_keeps_from_lines_and_dots() {
    let messages = vec![
        (
            "alice@a.example".to_string(),
            DATE,
            b"Subject: one\r\n\r\nFrom here on\r\n>From quoted\r\n>>From twice\r\n.\r\n\r\nend\r\n".to_vec(),
        ),
        (String::new(), DATE, b"Subject: bounce\r\n\r\nx\r\n".to_vec()),
    ];
    let file = export(&messages);
    let text = String::from_utf8(file.clone()).unwrap();
    assert!(text.starts_with("From alice@a.example Wed Apr  1 09:00:00 2026\nSubject: one\n\n>From here on\n>>From quoted\n>>>From twice\n"), "{text}");
    assert!(text.contains("\nFrom MAILER-DAEMON Wed Apr  1 09:00:00 2026\n"));
    let back = import(&file);
    assert_eq!(back.len(), 2);
    for (b, (_, _, raw)) in back.iter().zip(&messages) {
        assert_eq!(&b.raw, raw, "lossless");
    }
    assert_eq!(back[0].sender, "alice@a.example");
    assert_eq!(back[1].sender, "MAILER-DAEMON");
    assert_eq!(asctime(DATE), "Wed Apr  1 09:00:00 2026");
}
