//! IMAP in the world, beside SMTP and POP3 on the same store: deliveries and
//! POP3 deletions reach IMAP sessions, and IDLE pushes them without a command.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_world::{ConnectionId, World, scenario};

fn imap(world: &mut World) -> ConnectionId {
    let id = world.connect("pc.a.example", "mail.a.example", 143).unwrap();
    let greeting = String::from_utf8(world.take_output(id)).unwrap();
    assert!(greeting.starts_with("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 "), "{greeting}");
    assert!(say(world, id, "a1 LOGIN bob bob-pw").starts_with("a1 OK"));
    id
}

#[test]
fn smtp_delivery_is_pushed_to_an_idle_imap_session() {
    let mut world = scenario::two_domains();
    deliver_to_bob(&mut world, "first");
    let id = imap(&mut world);
    assert!(say(&mut world, id, "a2 SELECT INBOX").contains("* 1 EXISTS\r\n"));
    assert_eq!(say(&mut world, id, "a3 IDLE"), "+ idling\r\n");
    deliver_to_bob(&mut world, "second");
    // No command was sent: the world woke the idle session.
    // Both are \Recent here: this session was the first to see each of them.
    assert_eq!(String::from_utf8(world.take_output(id)).unwrap(), "* 2 EXISTS\r\n* 2 RECENT\r\n");
    assert_eq!(say(&mut world, id, "DONE"), "a3 OK IDLE terminated\r\n");
    let fetch = say(&mut world, id, "a4 FETCH 2 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
    assert!(fetch.contains("Subject: second\r\n"), "{fetch}");
}

#[test]
fn pop3_deletions_reach_imap_as_expunge() {
    let mut world = scenario::two_domains();
    deliver_to_bob(&mut world, "one");
    deliver_to_bob(&mut world, "two");
    let id = imap(&mut world);
    say(&mut world, id, "a2 SELECT INBOX");
    let pop = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(pop);
    say(&mut world, pop, "USER bob");
    say(&mut world, pop, "PASS bob-pw");
    say(&mut world, pop, "DELE 1");
    assert_eq!(say(&mut world, id, "a3 NOOP"), "a3 OK NOOP completed\r\n", "DELE only marks");
    say(&mut world, pop, "QUIT");
    assert_eq!(say(&mut world, id, "a4 NOOP"), "* 1 EXPUNGE\r\na4 OK NOOP completed\r\n");
    assert_eq!(say(&mut world, id, "a5 UID SEARCH ALL"), "* SEARCH 2\r\na5 OK UID SEARCH completed\r\n");
}

#[test]
fn two_imap_terminals_on_one_folder_see_each_other() {
    let mut world = scenario::two_domains();
    deliver_to_bob(&mut world, "shared");
    let a = imap(&mut world);
    let b = imap(&mut world);
    say(&mut world, a, "a2 SELECT INBOX");
    say(&mut world, b, "b2 SELECT INBOX");
    assert!(say(&mut world, b, "b3 STORE 1 +FLAGS (\\Flagged)").contains("b3 OK STORE completed"));
    // a selected first, so the message is \Recent in a's session only.
    assert_eq!(
        say(&mut world, a, "a3 NOOP"),
        "* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))\r\na3 OK NOOP completed\r\n"
    );
    assert!(say(&mut world, b, "b4 MOVE 1 Trash").contains("* 1 EXPUNGE\r\nb4 OK MOVE completed"));
    assert_eq!(say(&mut world, a, "a4 NOOP"), "* 1 EXPUNGE\r\na4 OK NOOP completed\r\n");
    let list = say(&mut world, a, "a5 LIST \"\" \"*\"");
    assert!(list.contains("* LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n"), "{list}");
    assert_eq!(
        say(&mut world, a, "a6 STATUS Trash (MESSAGES)"),
        "* STATUS Trash (MESSAGES 1)\r\na6 OK STATUS completed\r\n"
    );
}

#[test]
fn imaps_is_encrypted_from_the_first_byte() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 993).unwrap();
    assert!(world.is_encrypted(id));
    let greeting = String::from_utf8(world.take_output(id)).unwrap();
    assert!(!greeting.contains("STARTTLS"), "{greeting}");
}

#[test]
fn imported_messages_are_pushed_to_an_idle_session_and_refused_for_unknown_places() {
    let mut world = scenario::two_domains();
    let id = imap(&mut world);
    say(&mut world, id, "a2 SELECT INBOX");
    assert_eq!(say(&mut world, id, "a3 IDLE"), "+ idling\r\n");
    let uids = world
        .import_messages(
            "bob@a.example",
            "INBOX",
            vec![b"Subject: one\r\n\r\nx\r\n".to_vec(), b"Subject: two\r\n\r\ny\r\n".to_vec()],
        )
        .unwrap();
    assert_eq!(uids, [1, 2]);
    assert_eq!(String::from_utf8(world.take_output(id)).unwrap(), "* 2 EXISTS\r\n* 2 RECENT\r\n");
    assert!(world.import_messages("bob@a.example", "Nowhere", vec![b"x\r\n".to_vec()]).is_err());
    assert!(world.import_messages("nobody@z.example", "INBOX", vec![b"x\r\n".to_vec()]).is_err());
}

#[test]
fn three_sessions_interleave_imap_imap_pop3_and_smtp_with_sequence_numbers_kept() {
    let mut world = scenario::two_domains();
    deliver_to_bob(&mut world, "one");
    deliver_to_bob(&mut world, "two");
    let a = imap(&mut world);
    let b = imap(&mut world);
    say(&mut world, a, "a2 SELECT INBOX");
    say(&mut world, b, "b2 SELECT INBOX");
    assert_eq!(say(&mut world, b, "b3 IDLE"), "+ idling\r\n");

    // SMTP delivers a third: b hears it at once (IDLE), and being first, gets
    // it as \Recent; a hears of it at its next command, with its own RECENT
    // count again, as RFC 3501 §7.3.2 has it whenever the size changes.
    deliver_to_bob(&mut world, "three");
    assert_eq!(String::from_utf8(world.take_output(b)).unwrap(), "* 3 EXISTS\r\n* 1 RECENT\r\n");
    assert_eq!(say(&mut world, a, "a3 NOOP"), "* 3 EXISTS\r\n* 2 RECENT\r\na3 OK NOOP completed\r\n");

    // POP3 deletes the first at QUIT: both IMAP sessions renumber.
    let pop = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(pop);
    say(&mut world, pop, "USER bob\r\nPASS bob-pw\r\nDELE 1");
    assert!(world.take_output(b).is_empty(), "DELE alone changes nothing yet");
    say(&mut world, pop, "QUIT");
    assert_eq!(String::from_utf8(world.take_output(b)).unwrap(), "* 1 EXPUNGE\r\n");
    // a is in the middle of a FETCH: the EXPUNGE waits (RFC 9051 §7.5.1), and the
    // answer says message 1 is gone without renumbering (RFC 2180 §4.1.2) ...
    assert_eq!(
        say(&mut world, a, "a4 FETCH 1:* (UID)"),
        "* 2 FETCH (UID 2)\r\n* 3 FETCH (UID 3)\r\n\
         a4 NO [EXPUNGEISSUED] Some of the requested messages no longer exist: another session expunged them\r\n"
    );
    // ... and comes with the next NOOP; then sequence 1 is UID 2 everywhere.
    assert_eq!(say(&mut world, a, "a5 NOOP"), "* 1 EXPUNGE\r\na5 OK NOOP completed\r\n");
    assert_eq!(
        say(&mut world, a, "a6 FETCH 1:* (UID)"),
        "* 1 FETCH (UID 2)\r\n* 2 FETCH (UID 3)\r\na6 OK FETCH completed\r\n"
    );

    // b leaves IDLE and flags its sequence 2 (UID 3); a sees it by UID
    // (without \Recent: that one is recent in b's session).
    assert_eq!(say(&mut world, b, "DONE"), "b3 OK IDLE terminated\r\n");
    assert!(say(&mut world, b, "b4 STORE 2 +FLAGS (\\Answered)").contains("b4 OK STORE completed"));
    assert_eq!(say(&mut world, a, "a7 NOOP"), "* 2 FETCH (UID 3 FLAGS (\\Answered))\r\na7 OK NOOP completed\r\n");
}

#[test]
fn every_store_change_is_a_mailbox_changed_event() {
    use mail_lab_store::ChangeKind;
    use mail_lab_world::EventKind;
    let mut world = scenario::two_domains();
    deliver_to_bob(&mut world, "x");
    let id = imap(&mut world);
    say(&mut world, id, "a2 CREATE Projects\r\na3 SELECT INBOX\r\na4 STORE 1 +FLAGS (\\Flagged)\r\na5 MOVE 1 Projects");
    let changes: Vec<(String, ChangeKind)> = world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::MailboxChanged { host, account, folder, change } => {
                assert_eq!((host.as_str(), account.as_str()), ("mail.a.example", "bob@a.example"));
                Some((folder.clone(), change.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("INBOX".to_string(), ChangeKind::Appended { uid: 1 }),
            ("Projects".to_string(), ChangeKind::FolderCreated),
            ("INBOX".to_string(), ChangeKind::FlagsChanged { uid: 1 }),
            ("Projects".to_string(), ChangeKind::Appended { uid: 1 }),
            ("INBOX".to_string(), ChangeKind::Expunged { uid: 1 }),
        ]
    );
}

/// A hostile message (20,000 nested message/rfc822 parts in 640 KB) goes in over
/// SMTP like any other; FETCH, SEARCH and POP3 answer it, and nothing follows
/// the nesting deeper than the lab's limit.
#[test]
fn a_message_nested_20000_deep_is_stored_and_answered() {
    let mut world = scenario::two_domains();
    let mut data = String::from("Subject: deep\r\n");
    data.push_str(&"Content-Type: message/rfc822\r\n\r\n".repeat(20_000));
    data.push_str("Subject: innermost\r\n\r\nhi\r\n.");
    let smtp = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(smtp);
    say(&mut world, smtp, "EHLO pc.a.example\r\nMAIL FROM:<alice@a.example>\r\nRCPT TO:<bob@a.example>\r\nDATA");
    assert!(say(&mut world, smtp, &data).starts_with("250 2.0.0 OK: queued as"));
    let id = imap(&mut world);
    say(&mut world, id, "a2 SELECT INBOX");
    let fetch = say(&mut world, id, "a3 FETCH 1 (ENVELOPE BODYSTRUCTURE)");
    assert!(fetch.contains("\"deep\"") && fetch.contains("\"application\" \"octet-stream\""), "{}", &fetch[..300]);
    assert!(fetch.ends_with("a3 OK FETCH completed\r\n"));
    assert!(say(&mut world, id, "a4 SEARCH SUBJECT deep").starts_with("* SEARCH 1\r\n"));
    let pop = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(pop);
    say(&mut world, pop, "USER bob");
    say(&mut world, pop, "PASS bob-pw");
    assert!(say(&mut world, pop, "RETR 1").starts_with("+OK"));
}
