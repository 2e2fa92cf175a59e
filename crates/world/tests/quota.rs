//! Storage bounds a script cannot get past: each account's quota (octets and
//! messages, RFC 9208's STORAGE and MESSAGE) and the world's queue. A full
//! mailbox refuses with the protocols' own replies (SMTP 452 4.2.2, IMAP
//! `NO [OVERQUOTA]`), and every message that was accepted is in the store.
#![allow(clippy::unwrap_used)]

mod common;

use common::say;
use mail_lab_store::{ACCOUNT_MESSAGE_LIMIT, ACCOUNT_STORAGE_LIMIT};
use mail_lab_world::{ConnectionId, QUEUE_LIMIT, QUEUE_OCTETS_LIMIT, World, scenario};

const MIB: usize = 1024 * 1024;

fn usage(world: &World, account: &str) -> (usize, usize) {
    world.store_for(account).unwrap().account(account).unwrap().usage()
}

fn inbox_len(world: &World, account: &str) -> usize {
    world.store_for(account).unwrap().folder(account, "INBOX").unwrap().messages.len()
}

/// Fill `account`'s INBOX to `octets` in messages of at most 1 MiB, as an import would.
fn fill(world: &mut World, account: &str, octets: usize) {
    let mut left = octets - usage(world, account).0;
    let mut messages = Vec::new();
    while left > 0 {
        let n = left.min(MIB);
        messages.push(vec![b'x'; n]);
        left -= n;
    }
    world.import_messages(account, "INBOX", messages).unwrap();
    assert_eq!(usage(world, account).0, octets);
}

/// A message of about `octets` octets as DATA lines (76 octets each with CRLF).
fn body(octets: usize) -> String {
    let line = format!("{}\r\n", "y".repeat(74));
    format!("Subject: big\r\n\r\n{}.", line.repeat(octets / line.len()))
}

fn smtp(world: &mut World) -> ConnectionId {
    let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(id);
    assert!(say(world, id, "EHLO pc.a.example").starts_with("250"));
    id
}

#[test]
fn a_full_mailbox_refuses_at_rcpt_and_after_data_with_452_4_2_2() {
    let mut world = scenario::two_domains();
    fill(&mut world, "bob@a.example", ACCOUNT_STORAGE_LIMIT - MIB);
    let id = smtp(&mut world);

    // 1 MiB left: a 2 MiB message is refused after DATA, and nothing is stored.
    say(&mut world, id, "MAIL FROM:<alice@a.example>");
    assert!(say(&mut world, id, "RCPT TO:<bob@a.example>").starts_with("250"));
    say(&mut world, id, "DATA");
    let before = inbox_len(&world, "bob@a.example");
    let reply = say(&mut world, id, &body(2 * MIB));
    assert_eq!(reply, "452 4.2.2 mailbox bob@a.example is full (quota: 64 MiB, 100000 messages)\r\n");
    assert_eq!(inbox_len(&world, "bob@a.example"), before);

    // A small one still fits, and is in the store once accepted.
    say(&mut world, id, "MAIL FROM:<alice@a.example>");
    say(&mut world, id, "RCPT TO:<bob@a.example>");
    say(&mut world, id, "DATA");
    assert!(say(&mut world, id, &body(1000)).starts_with("250 2.0.0 OK"));
    assert_eq!(inbox_len(&world, "bob@a.example"), before + 1);

    // Full to the octet: bob is refused at RCPT, alice in the same transaction is not.
    fill(&mut world, "bob@a.example", ACCOUNT_STORAGE_LIMIT);
    say(&mut world, id, "MAIL FROM:<carol@b.example>");
    assert_eq!(
        say(&mut world, id, "RCPT TO:<bob@a.example>"),
        "452 4.2.2 mailbox bob@a.example is full (quota: 64 MiB, 100000 messages)\r\n"
    );
    assert!(say(&mut world, id, "RCPT TO:<alice@a.example>").starts_with("250"));
    say(&mut world, id, "DATA");
    assert!(say(&mut world, id, &body(1000)).starts_with("250 2.0.0 OK"));
    assert_eq!(inbox_len(&world, "alice@a.example"), 1);

    // Deleting mail (POP3 DELE) makes room again.
    let pop = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(pop);
    say(&mut world, pop, "USER bob");
    say(&mut world, pop, "PASS bob-pw");
    assert!(say(&mut world, pop, "DELE 1").starts_with("+OK"));
    assert!(say(&mut world, pop, "QUIT").starts_with("+OK"));
    say(&mut world, id, "RSET");
    say(&mut world, id, "MAIL FROM:<carol@b.example>");
    assert!(say(&mut world, id, "RCPT TO:<bob@a.example>").starts_with("250"));
}

fn imap_bob(world: &mut World) -> ConnectionId {
    let id = world.connect("pc.a.example", "mail.a.example", 143).unwrap();
    world.take_output(id);
    assert!(say(world, id, "a LOGIN bob bob-pw").contains("a OK"));
    id
}

#[test]
fn imap_append_and_copy_past_the_quota_say_overquota_and_move_still_works() {
    let mut world = scenario::two_domains();
    fill(&mut world, "bob@a.example", ACCOUNT_STORAGE_LIMIT - 10);
    let id = imap_bob(&mut world);
    let full = "mailbox bob@a.example is full (quota: 64 MiB, 100000 messages)";

    // Ten octets fit, eleven do not (RFC 5530's OVERQUOTA).
    assert_eq!(say(&mut world, id, "b APPEND INBOX {11+}\r\n01234567890"), format!("b NO [OVERQUOTA] {full}\r\n"));
    assert!(say(&mut world, id, "c APPEND INBOX {10+}\r\n0123456789").starts_with("c OK [APPENDUID"));
    assert_eq!(usage(&world, "bob@a.example").0, ACCOUNT_STORAGE_LIMIT);

    // COPY is all or nothing; MOVE adds nothing to the account, so a full
    // mailbox can still move mail to Trash.
    say(&mut world, id, "d SELECT INBOX");
    assert_eq!(say(&mut world, id, "e COPY 1:2 Trash"), format!("e NO [OVERQUOTA] {full}\r\n"));
    assert_eq!(world.store_for("bob@a.example").unwrap().folder("bob@a.example", "Trash").unwrap().messages.len(), 0);
    let moved = say(&mut world, id, "f MOVE 1:2 Trash");
    assert!(moved.ends_with("f OK MOVE completed\r\n"), "{moved}");
    assert_eq!(world.store_for("bob@a.example").unwrap().folder("bob@a.example", "Trash").unwrap().messages.len(), 2);
    assert_eq!(usage(&world, "bob@a.example").0, ACCOUNT_STORAGE_LIMIT);

    // Expunged from Trash, the octets are free again.
    say(&mut world, id, "g SELECT Trash");
    say(&mut world, id, "h STORE 1:* +FLAGS (\\Deleted)");
    assert!(say(&mut world, id, "i EXPUNGE").ends_with("i OK EXPUNGE completed\r\n"));
    assert_eq!(usage(&world, "bob@a.example").0, ACCOUNT_STORAGE_LIMIT - 2 * MIB);
    assert!(say(&mut world, id, "j APPEND INBOX {11+}\r\n01234567890").starts_with("j OK [APPENDUID"));
}

#[test]
fn the_message_count_bounds_tiny_messages_too() {
    let mut world = scenario::two_domains();
    let tiny = vec![b"x".to_vec(); ACCOUNT_MESSAGE_LIMIT];
    world.import_messages("bob@a.example", "INBOX", tiny).unwrap();
    let id = imap_bob(&mut world);
    assert!(say(&mut world, id, "b APPEND INBOX {1+}\r\ny").starts_with("b NO [OVERQUOTA] "));
    assert_eq!(usage(&world, "bob@a.example").1, ACCOUNT_MESSAGE_LIMIT);
    let smtp = smtp(&mut world);
    say(&mut world, smtp, "MAIL FROM:<alice@a.example>");
    assert!(say(&mut world, smtp, "RCPT TO:<bob@a.example>").starts_with("452 4.2.2 "));
}

#[test]
fn a_full_queue_refuses_relay_with_452_4_3_1_until_it_drains() {
    let mut world = scenario::two_domains();
    // mail.b.example is down, so mail for carol waits in mail.a.example's queue.
    world.host_mut("mail.b.example").unwrap().up = false;
    let submit = |world: &mut World| {
        let id = world.connect("pc.a.example", "mail.a.example", 587).unwrap();
        world.take_output(id);
        say(world, id, "EHLO pc.a.example");
        assert!(say(world, id, "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3").starts_with("235"));
        id
    };
    let id = submit(&mut world);
    let send = |world: &mut World, id: ConnectionId| {
        say(world, id, "MAIL FROM:<alice@a.example>");
        say(world, id, "RCPT TO:<carol@b.example>");
        say(world, id, "DATA");
        say(world, id, "Subject: waiting\r\n\r\nHi.\r\n.")
    };
    for _ in 0..QUEUE_LIMIT {
        assert!(send(&mut world, id).starts_with("250 2.0.0 OK"));
    }
    assert_eq!(world.queue().len(), QUEUE_LIMIT);
    assert_eq!(
        send(&mut world, id),
        format!(
            "452 4.3.1 Insufficient system storage: the queue is full ({QUEUE_LIMIT} messages or {} MiB)\r\n",
            QUEUE_OCTETS_LIMIT / MIB
        )
    );
    // Local mail is not held up by a full queue.
    say(&mut world, id, "MAIL FROM:<alice@a.example>");
    say(&mut world, id, "RCPT TO:<bob@a.example>");
    say(&mut world, id, "DATA");
    assert!(say(&mut world, id, "Subject: local\r\n\r\nHi.\r\n.").starts_with("250 2.0.0 OK"));

    // Once mail.b.example is back and the queue drains, relay is taken again.
    world.host_mut("mail.b.example").unwrap().up = true;
    world.advance(61 * 60 * 1000);
    assert_eq!(world.queue().len(), 0);
    assert_eq!(inbox_len(&world, "carol@b.example"), QUEUE_LIMIT);
    let id = submit(&mut world);
    assert!(send(&mut world, id).starts_with("250 2.0.0 OK"));
}

#[cfg(feature = "dkim")]
#[test]
fn a_list_copy_is_charged_before_anything_is_stored() {
    let mut world = scenario::dmarc();
    // carol has room for one copy of a 600 KiB message, not for the direct
    // copy and the list's copy (she is a member of lab-list@b.example).
    fill(&mut world, "carol@b.example", ACCOUNT_STORAGE_LIMIT - MIB);
    let before = inbox_len(&world, "carol@b.example");
    let lines = vec!["y".repeat(74); 600 * 1024 / 76].join("\r\n");
    let text = format!("From: <alice@a.example>\r\nSubject: notes\r\n\r\n{lines}");
    let reply =
        common::submit_message(&mut world, "alice@a.example", &["carol@b.example", "lab-list@b.example"], &text);
    assert!(reply.starts_with("250 "), "mail.a.example takes it for relay: {reply}");
    // mail.b.example refused it whole with 452 4.2.2: nothing half delivered,
    // and mail.a.example keeps it to try again.
    assert_eq!(inbox_len(&world, "carol@b.example"), before);
    let waiting = &world.queue()[0];
    assert!(
        waiting.last_error.as_deref().unwrap().contains("452 4.2.2 mailbox carol@b.example is full"),
        "{waiting:?}"
    );
}

#[test]
fn an_import_past_the_quota_stores_nothing() {
    let mut world = scenario::two_domains();
    fill(&mut world, "bob@a.example", ACCOUNT_STORAGE_LIMIT - MIB);
    let before = usage(&world, "bob@a.example");
    // Two messages of 600 KiB: the first would fit, both do not.
    let messages = vec![vec![b'x'; 600 * 1024], vec![b'y'; 600 * 1024]];
    let refused = world.import_messages("bob@a.example", "INBOX", messages);
    assert!(matches!(refused, Err(mail_lab_store::StoreError::OverQuota(_))), "{refused:?}");
    assert_eq!(usage(&world, "bob@a.example"), before, "nothing of a refused import is stored");
    // So is a folder that does not exist, and an account that does not.
    assert!(matches!(
        world.import_messages("bob@a.example", "Nowhere", vec![b"x".to_vec()]),
        Err(mail_lab_store::StoreError::NoSuchFolder(_))
    ));
    assert!(matches!(
        world.import_messages("nobody@a.example", "INBOX", vec![b"x".to_vec()]),
        Err(mail_lab_store::StoreError::NoSuchAccount(_))
    ));
    // One that fits is stored whole.
    assert_eq!(world.import_messages("bob@a.example", "INBOX", vec![vec![b'z'; 1024]]).unwrap().len(), 1);
}

/// alice sends to a user mail.b.example does not have, while her own mailbox
/// is full: the bounce cannot be stored, so it waits in mail.a.example's queue
/// (452 4.2.2, as a full mailbox answers any sender) until she makes room, or
/// until the queue gives up, and the event log says which.
fn bounce_to_a_full_mailbox(world: &mut World) {
    fill(world, "alice@a.example", ACCOUNT_STORAGE_LIMIT - 100);
    let id = world.connect("pc.a.example", "mail.a.example", 587).unwrap();
    world.take_output(id);
    say(world, id, "EHLO pc.a.example");
    assert!(say(world, id, "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3").starts_with("235"));
    say(world, id, "MAIL FROM:<alice@a.example>");
    say(world, id, "RCPT TO:<nobody@b.example>");
    say(world, id, "DATA");
    assert!(say(world, id, "Subject: hello?\r\n\r\nAnyone?\r\n.").starts_with("250 2.0.0 OK"));
    world.run_queue();
    let bounce = world.queue().iter().find(|e| e.reverse_path.is_empty()).expect("the bounce waits in the queue");
    assert_eq!(bounce.recipients, vec!["alice@a.example".to_string()]);
    assert!(
        bounce.last_error.as_deref().unwrap_or("").starts_with("4.2.2 mailbox alice@a.example is full"),
        "{bounce:?}"
    );
}

#[test]
fn a_bounce_to_a_full_mailbox_waits_in_the_queue_until_there_is_room() {
    let mut world = scenario::two_domains();
    bounce_to_a_full_mailbox(&mut world);
    let before = inbox_len(&world, "alice@a.example");
    // alice deletes her first message; at the next retry the bounce is hers.
    world.host_mut("mail.a.example").unwrap().store.expunge("alice@a.example", "INBOX", &[1]).unwrap();
    world.advance(60 * 1000);
    assert!(world.queue().is_empty(), "{:?}", world.queue());
    let inbox = world.store_for("alice@a.example").unwrap().folder("alice@a.example", "INBOX").unwrap();
    assert_eq!(inbox.messages.len(), before); // one out, the bounce in
    let bounce = String::from_utf8_lossy(&inbox.messages.last().unwrap().raw).into_owned();
    assert!(bounce.starts_with("Return-Path: <>\r\n") && bounce.contains("nobody@b.example"), "{bounce}");
}

#[test]
fn a_bounce_that_never_finds_room_is_given_up_and_the_log_says_so() {
    let mut world = scenario::two_domains();
    bounce_to_a_full_mailbox(&mut world);
    world.run_until_idle();
    assert!(world.queue().is_empty());
    let said = world.events().any(|e| matches!(&e.kind, mail_lab_world::EventKind::BounceDiscarded { .. }));
    assert!(said, "a bounce dropped for good is in the event log");
}
