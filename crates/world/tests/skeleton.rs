//! The walking skeleton: a learner's SMTP session delivers into bob's mailbox.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_message::header_value;
use mail_lab_world::{EventKind, WorldError, scenario};

#[test]
fn smtp_session_delivers_to_bobs_inbox() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    let greeting = String::from_utf8(world.take_output(id)).unwrap();
    assert_eq!(greeting, "220 mail.a.example ESMTP Mail Lab ready\r\n");

    let ehlo = say(&mut world, id, "EHLO pc.a.example");
    assert!(ehlo.starts_with("250-mail.a.example Hello pc.a.example [192.0.2.10]\r\n"), "{ehlo}");
    assert!(ehlo.contains("250-PIPELINING\r\n") && ehlo.ends_with("250 HELP\r\n"), "{ehlo}");
    assert_eq!(say(&mut world, id, "MAIL FROM:<alice@a.example>"), "250 2.1.0 Sender <alice@a.example> OK\r\n");
    assert_eq!(say(&mut world, id, "RCPT TO:<bob@a.example>"), "250 2.1.5 Recipient <bob@a.example> OK\r\n");
    assert_eq!(say(&mut world, id, "DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n");
    assert_eq!(say(&mut world, id, "Subject: Hello Bob"), "");
    assert_eq!(say(&mut world, id, ""), "");
    assert_eq!(say(&mut world, id, "..a line that starts with a dot"), "");
    let accepted = say(&mut world, id, ".");
    assert!(accepted.starts_with("250 2.0.0 OK: queued as "), "{accepted}");
    assert_eq!(say(&mut world, id, "QUIT"), "221 2.0.0 mail.a.example closing connection\r\n");
    assert!(!world.is_open(id));

    let inbox = world.store_for("bob@a.example").unwrap().folder("bob@a.example", "INBOX").unwrap();
    assert_eq!(inbox.messages.len(), 1);
    let stored = &inbox.messages[0];
    let raw = String::from_utf8(stored.raw.to_vec()).unwrap();
    assert!(
        raw.starts_with("Return-Path: <alice@a.example>\r\nReceived: from pc.a.example ([192.0.2.10])\r\n"),
        "{raw}"
    );
    assert!(raw.ends_with("Subject: Hello Bob\r\n\r\n.a line that starts with a dot\r\n"), "{raw}");
    assert_eq!(header_value(&stored.raw, "Subject").as_deref(), Some("Hello Bob"));
    assert_eq!(stored.envelope.as_ref().unwrap().forward_paths, vec!["bob@a.example".to_string()]);
    assert!(
        world
            .events()
            .any(|e| matches!(&e.kind, EventKind::Delivered { account, uid: 1, .. } if account == "bob@a.example"))
    );
}

#[test]
fn unknown_user_and_relay_are_refused_and_nothing_is_stored() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(id);
    say(&mut world, id, "EHLO pc.a.example");
    say(&mut world, id, "MAIL FROM:<alice@a.example>");
    let r = say(&mut world, id, "RCPT TO:<nobody@a.example>");
    assert!(r.starts_with("550 5.1.1 <nobody@a.example>: Recipient address rejected"), "{r}");
    let r = say(&mut world, id, "RCPT TO:<carol@b.example>");
    assert!(r.starts_with("554 5.7.1 <carol@b.example>: Relay access denied"), "{r}");
    assert_eq!(say(&mut world, id, "DATA"), "554 5.5.1 No valid recipients: give RCPT TO first\r\n");
    let store = world.store_for("bob@a.example").unwrap();
    assert!(store.accounts().all(|a| a.folders.values().all(|f| f.messages.is_empty())));
}

#[test]
fn connections_are_refused_like_a_real_network() {
    let mut world = scenario::two_domains();
    assert_eq!(
        world.connect("pc.a.example", "mail.a.example", 8025).unwrap_err().to_string(),
        "mail.a.example port 8025: connection refused (no service listens there)"
    );
    assert!(matches!(world.connect("pc.a.example", "mail.zz.example", 25), Err(WorldError::UnknownHost(_))));
    world.host_mut("mail.b.example").unwrap().up = false;
    assert!(matches!(world.connect("pc.a.example", "mail.b.example", 25), Err(WorldError::HostDown(_))));
    // By address too, as DNS would resolve it.
    assert!(world.connect("pc.a.example", "192.0.2.25", 25).is_ok());
}

#[test]
fn same_inputs_give_the_same_event_log() {
    let run = || {
        let mut world = scenario::two_domains();
        let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
        world
            .send(id, b"EHLO x.example\r\nMAIL FROM:<alice@a.example>\r\nRCPT TO:<bob@a.example>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n")
            .unwrap();
        world.events().cloned().collect::<Vec<_>>()
    };
    let first = run();
    assert!(first.len() > 5);
    assert_eq!(first, run());
}

#[test]
fn starttls_and_implicit_tls_mark_the_link_encrypted() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 587).unwrap();
    world.take_output(id);
    say(&mut world, id, "EHLO pc.a.example");
    assert!(!world.is_encrypted(id));
    assert_eq!(say(&mut world, id, "STARTTLS"), "220 2.0.0 Ready to start TLS\r\n");
    assert!(world.is_encrypted(id));
    let ehlo = say(&mut world, id, "EHLO pc.a.example");
    assert!(ehlo.contains("AUTH PLAIN LOGIN CRAM-MD5"), "{ehlo}");
    // The wiretap sees the AUTH line only as encrypted bytes.
    say(&mut world, id, "AUTH PLAIN AGFsaWNlQGEuZXhhbXBsZQBhbGljZS1wdw==");
    let auth = world
        .events()
        .find_map(|e| match &e.kind {
            EventKind::LinkBytes { bytes, encrypted, .. } if bytes.starts_with(b"AUTH") => Some(*encrypted),
            _ => None,
        })
        .unwrap();
    assert!(auth);
    assert!(world.events().any(|e| matches!(e.kind, EventKind::TlsStarted { connection } if connection == id)));

    let id = world.connect("pc.a.example", "mail.a.example", 465).unwrap();
    assert!(world.is_encrypted(id));
    let info = world.connection_info(id).unwrap();
    assert_eq!((info.host.as_str(), info.port, info.encrypted), ("mail.a.example", 465, true));
}

#[test]
fn submission_requires_auth_before_mail() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 587).unwrap();
    world.take_output(id);
    say(&mut world, id, "EHLO pc.a.example");
    assert_eq!(
        say(&mut world, id, "MAIL FROM:<alice@a.example>"),
        "530 5.7.0 Authentication required: log in with AUTH before MAIL\r\n"
    );
    assert_eq!(say(&mut world, id, "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3"), "235 2.7.0 Authentication successful\r\n");
    say(&mut world, id, "MAIL FROM:<alice@a.example>");
    assert_eq!(say(&mut world, id, "RCPT TO:<bob@a.example>"), "250 2.1.5 Recipient <bob@a.example> OK\r\n");
}
