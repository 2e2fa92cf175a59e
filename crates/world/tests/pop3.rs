//! POP3 in the world: mail delivered by SMTP is read by POP3; the snapshot, the
//! lock, UPDATE at QUIT, and a dropped link that commits nothing.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_world::{EventKind, World, scenario};

fn inbox_len(world: &World) -> usize {
    world.store_for("bob@a.example").unwrap().folder("bob@a.example", "INBOX").unwrap().messages.len()
}

#[test]
fn smtp_delivers_pop3_reads_and_deletes_at_quit() {
    let mut world = scenario::two_domains();
    deliver_to_bob(&mut world, "first");
    deliver_to_bob(&mut world, "second");
    let id = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    let greeting = String::from_utf8(world.take_output(id)).unwrap();
    assert!(greeting.starts_with("+OK POP3 server ready <C3."), "{greeting}");
    say(&mut world, id, "USER bob");
    assert!(say(&mut world, id, "PASS bob-pw").starts_with("+OK bob's maildrop has 2 messages ("));
    // Mail arriving now is not in this session's snapshot (RFC 1939 §8).
    deliver_to_bob(&mut world, "third");
    assert!(say(&mut world, id, "STAT").starts_with("+OK 2 "));
    let retr = say(&mut world, id, "RETR 1");
    assert!(retr.contains("Subject: first\r\n") && retr.ends_with("\r\n.\r\n"), "{retr}");
    assert_eq!(say(&mut world, id, "DELE 1"), "+OK message 1 deleted\r\n");
    assert_eq!(inbox_len(&world), 3, "DELE only marks");
    assert_eq!(say(&mut world, id, "QUIT"), "+OK mail.a.example POP3 server signing off (2 messages left)\r\n");
    assert!(!world.is_open(id));
    assert_eq!(inbox_len(&world), 2);
    assert!(world.events().any(|e| matches!(&e.kind, EventKind::Removed { uid: 1, .. })));
    // The next session sees the third message.
    let id = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(id);
    say(&mut world, id, "USER bob");
    assert!(say(&mut world, id, "PASS bob-pw").starts_with("+OK bob's maildrop has 2 messages"));
    // Unique-ids are UIDVALIDITY.UID: stable across sessions.
    let validity = world.store_for("bob@a.example").unwrap().folder("bob@a.example", "INBOX").unwrap().uid_validity;
    let uidl = say(&mut world, id, "UIDL");
    assert!(uidl.contains(&format!("1 {validity}.2\r\n2 {validity}.3\r\n")), "{uidl}");
}

#[test]
fn lock_in_use_and_dropped_link_commits_nothing() {
    let mut world = scenario::two_domains();
    deliver_to_bob(&mut world, "keep me");
    let a = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    let b = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(a);
    world.take_output(b);
    say(&mut world, a, "USER bob");
    say(&mut world, a, "PASS bob-pw");
    say(&mut world, a, "DELE 1");
    say(&mut world, b, "USER bob");
    assert_eq!(
        say(&mut world, b, "PASS bob-pw"),
        "-ERR [IN-USE] maildrop already locked: another POP3 session is using it\r\n"
    );
    world.disconnect(a);
    assert_eq!(inbox_len(&world), 1, "a dropped link never reaches UPDATE");
    say(&mut world, b, "USER bob");
    assert!(say(&mut world, b, "PASS bob-pw").starts_with("+OK bob's maildrop has 1 message"));
}

#[test]
fn pop3s_is_encrypted_from_the_first_byte_and_apop_works() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 995).unwrap();
    assert!(world.is_encrypted(id));
    let greeting = String::from_utf8(world.take_output(id)).unwrap();
    let ts = &greeting[greeting.find('<').unwrap()..=greeting.find('>').unwrap()];
    let digest = mail_lab_proto::sasl::apop_digest(ts, "bob-pw");
    assert!(say(&mut world, id, &format!("APOP bob {digest}")).starts_with("+OK bob's maildrop has 0 messages"));
}

#[test]
fn pop_before_smtp_opens_a_relay_window_for_a_while() {
    let mut world = scenario::two_domains();
    world.host_mut("mail.a.example").unwrap().pop_before_smtp_minutes = Some(10);
    let smtp = |world: &mut World| {
        let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
        world.take_output(id);
        say(world, id, "EHLO pc.a.example");
        say(world, id, "MAIL FROM:<bob@a.example>");
        say(world, id, "RCPT TO:<carol@b.example>")
    };
    assert!(smtp(&mut world).starts_with("554 5.7.1 <carol@b.example>: Relay access denied"));
    let id = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(id);
    say(&mut world, id, "USER bob");
    say(&mut world, id, "PASS bob-pw");
    say(&mut world, id, "QUIT");
    assert_eq!(smtp(&mut world), "250 2.1.5 Recipient <carol@b.example> OK\r\n");
    world.advance(11 * 60_000);
    assert!(smtp(&mut world).starts_with("554 5.7.1"), "the window closes after 10 minutes");
}

#[test]
fn a_message_stored_with_bare_lf_is_sent_with_crlf_and_its_size_says_so() {
    // An IMAP APPEND or an import may store LF line ends; POP3 sends CRLF
    // (RFC 1939 §3) and LIST announces the octets it sends (§11).
    let mut world = scenario::two_domains();
    let stored = b"Subject: lf\n\nline1\n.dot\nend".to_vec();
    world.import_messages("bob@a.example", "INBOX", vec![stored]).unwrap();
    let id = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(id);
    say(&mut world, id, "USER bob");
    assert_eq!(say(&mut world, id, "PASS bob-pw"), "+OK bob's maildrop has 1 message (31 octets)\r\n");
    assert_eq!(say(&mut world, id, "LIST 1"), "+OK 1 31\r\n");
    let retr = say(&mut world, id, "RETR 1");
    assert_eq!(retr, "+OK 31 octets\r\nSubject: lf\r\n\r\nline1\r\n..dot\r\nend\r\n.\r\n");
    // Less one stuffed dot and the CRLF that ends the last line only on the wire.
    let sent = retr.len() - "+OK 31 octets\r\n".len() - "\r\n.\r\n".len() - 1;
    assert_eq!(sent, 31, "the octets sent are the octets announced");
    assert_eq!(say(&mut world, id, "TOP 1 1"), "+OK top of message follows\r\nSubject: lf\r\n\r\nline1\r\n.\r\n");
    say(&mut world, id, "QUIT");
    // The header ends at its first empty line, even when a later one is CRLF.
    world.import_messages("bob@a.example", "INBOX", vec![b"Subject: x\n\nb1\r\n\r\nb2\r\n".to_vec()]).unwrap();
    let id = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(id);
    say(&mut world, id, "USER bob");
    say(&mut world, id, "PASS bob-pw");
    assert_eq!(say(&mut world, id, "TOP 2 0"), "+OK top of message follows\r\nSubject: x\r\n\r\n.\r\n");
}
