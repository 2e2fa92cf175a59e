//! Hostile input through the world, as the page and the native server drive it:
//! junk streams cost bounded memory, a client that left leaves nothing behind,
//! BDAT follows DATA's rules, and a session the world has news for is named so
//! a driver can wake it.
#![allow(clippy::unwrap_used)]

mod common;

use common::say;
use mail_lab_world::{EVENT_LOG_BYTES, EventKind, World, scenario};

fn bob_inbox(world: &World) -> usize {
    world.store_for("bob@a.example").unwrap().folder("bob@a.example", "INBOX").unwrap().messages.len()
}

/// `total` octets of junk in 16 KiB chunks: long runs without a line end, then short lines.
fn stream_junk(world: &mut World, port: u16, total: usize) {
    let mut id = world.connect("pc.a.example", "mail.a.example", port).unwrap();
    let chunk: Vec<u8> = (0..16 * 1024).map(|i| if i % 5000 == 4999 { b'\n' } else { b'A' + (i % 26) as u8 }).collect();
    let mut sent = 0;
    while sent < total {
        if world.send(id, &chunk).is_err() {
            // The server hung up (IMAP says BYE to a huge line before login): come back.
            world.release(id);
            id = world.connect("pc.a.example", "mail.a.example", port).unwrap();
            continue;
        }
        world.take_output(id);
        sent += chunk.len();
    }
    world.release(id);
}

#[test]
fn junk_streams_leave_the_event_log_within_its_byte_bound() {
    let mut world = scenario::two_domains();
    for port in [143, 25, 110] {
        stream_junk(&mut world, port, 24 * 1024 * 1024);
    }
    let weight: usize = world.events().map(|e| e.kind.weight()).sum();
    assert!(weight <= EVENT_LOG_BYTES, "events weigh {weight} bytes, over the bound {EVENT_LOG_BYTES}");
    // The newest traffic is what stays: the wiretap keeps showing the present.
    assert!(matches!(world.events().last().unwrap().kind, EventKind::Disconnected { .. }));
    assert!(world.connections_with_output().is_empty(), "released connections hold nothing");
}

#[test]
fn bdat_refuses_an_oversized_chunk_after_it_and_bare_line_ends_like_data() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(id);
    assert!(say(&mut world, id, "EHLO pc.a.example").contains("250-CHUNKING"));
    say(&mut world, id, "MAIL FROM:<alice@a.example>");
    say(&mut world, id, "RCPT TO:<bob@a.example>");
    // RFC 3030 §2: the chunk is read and thrown away, then refused; none of it is kept.
    let too_big = 10 * 1024 * 1024 + 1;
    assert_eq!(say(&mut world, id, &format!("BDAT {too_big} LAST")), "", "answered after the chunk");
    world.send(id, &vec![b'x'; too_big - 1]).unwrap();
    assert_eq!(world.take_output(id), b"");
    world.send(id, b"xNOOP\r\n").unwrap();
    let refused = String::from_utf8(world.take_output(id)).unwrap();
    assert!(refused.starts_with("552 5.3.4 ") && refused.ends_with("250 2.0.0 OK\r\n"), "{refused}");

    let before = bob_inbox(&world);
    let smuggler = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(smuggler);
    say(&mut world, smuggler, "EHLO pc.a.example");
    say(&mut world, smuggler, "MAIL FROM:<alice@a.example>");
    say(&mut world, smuggler, "RCPT TO:<bob@a.example>");
    let body = "Subject: x\r\n\r\nline\n.\nMAIL FROM:<eve@evil.example>\nRCPT TO:<bob@a.example>\nDATA\nsmuggled\n";
    world.send(smuggler, format!("BDAT {} LAST\r\n{body}", body.len()).as_bytes()).unwrap();
    let reply = String::from_utf8(world.take_output(smuggler)).unwrap();
    assert!(reply.starts_with("554 5.6.0 Message rejected: bare LF"), "{reply}");
    assert_eq!(bob_inbox(&world), before, "nothing was delivered");
    // A clean chunked message still goes through.
    say(&mut world, smuggler, "MAIL FROM:<alice@a.example>");
    say(&mut world, smuggler, "RCPT TO:<bob@a.example>");
    let clean = "Subject: chunks\r\n\r\nfine\r\n";
    world.send(smuggler, format!("BDAT {} LAST\r\n{clean}", clean.len()).as_bytes()).unwrap();
    assert!(String::from_utf8(world.take_output(smuggler)).unwrap().starts_with("250 2.0.0 OK"));
    assert_eq!(bob_inbox(&world), before + 1);
}

#[test]
fn a_session_with_news_is_named_for_its_driver_and_expires_with_its_goodbye() {
    let mut world = scenario::two_domains();
    let idle = world.connect("pc.a.example", "mail.a.example", 143).unwrap();
    world.take_output(idle);
    say(&mut world, idle, "a1 LOGIN bob@a.example bob-pw");
    say(&mut world, idle, "a2 SELECT INBOX");
    assert!(say(&mut world, idle, "a3 IDLE").starts_with("+ "));
    assert!(world.connections_with_output().is_empty());
    common::deliver_to_bob(&mut world, "pushed");
    assert!(world.connections_with_output().contains(&idle), "the IDLE session has an EXISTS to push");
    assert!(String::from_utf8(world.take_output(idle)).unwrap().contains(" EXISTS\r\n"));

    // A driver's inactivity limit: each protocol's own goodbye, then the close.
    world.expire(idle);
    assert_eq!(String::from_utf8(world.take_output(idle)).unwrap(), "* BYE Autologout; idle for too long\r\n");
    assert!(!world.is_open(idle));
    let smtp = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(smtp);
    world.expire(smtp);
    assert!(String::from_utf8(world.take_output(smtp)).unwrap().starts_with("421 "));
    assert!(!world.is_open(smtp));
}

fn big_inbox(world: &mut World, messages: usize) {
    let raw = |n: usize| format!("From: s{n}@b.example\r\nSubject: report {n}\r\n\r\nbody {n}\r\n").into_bytes();
    world.import_messages("bob@a.example", "INBOX", (0..messages).map(raw).collect()).unwrap();
}

fn imap_selected(world: &mut World) -> mail_lab_world::ConnectionId {
    let id = world.connect("pc.a.example", "mail.a.example", 143).unwrap();
    world.take_output(id);
    assert!(say(world, id, "a LOGIN bob bob-pw").contains("a OK"));
    assert!(say(world, id, "b SELECT INBOX").contains("b OK"));
    id
}

#[test]
fn a_fetch_of_a_huge_folder_lets_other_clients_in_between_its_slices() {
    let mut world = scenario::two_domains();
    world.slice_long_commands = true;
    big_inbox(&mut world, 5_000);
    let reader = imap_selected(&mut world);
    world.send(reader, b"c FETCH 1:* (FLAGS ENVELOPE)\r\nd NOOP\r\n").unwrap();
    let mut answer = String::from_utf8(world.take_output(reader)).unwrap();
    assert!(world.is_busy(reader) && answer.matches(" FETCH (").count() == 500);

    // Between slices another client is greeted and delivers a message.
    let other = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    assert!(String::from_utf8(world.take_output(other)).unwrap().starts_with("220 "));
    say(&mut world, other, "HELO pc.a.example");
    say(&mut world, other, "MAIL FROM:<alice@a.example>");
    say(&mut world, other, "RCPT TO:<bob@a.example>");
    say(&mut world, other, "DATA");
    assert!(say(&mut world, other, "Subject: meanwhile\r\n\r\nhi\r\n.").starts_with("250 "));
    assert_eq!(bob_inbox(&world), 5_001);

    let mut slices = 1;
    while world.is_busy(reader) {
        world.resume(reader);
        answer.push_str(&String::from_utf8(world.take_output(reader)).unwrap());
        slices += 1;
    }
    assert_eq!(slices, 10);
    assert_eq!(answer.matches(" FETCH (").count(), 5_000, "the FETCH covers the folder as it was");
    let tail = &answer[answer.find("c OK").unwrap()..];
    assert_eq!(tail, "c OK FETCH completed\r\n* 5001 EXISTS\r\n* 5001 RECENT\r\nd OK NOOP completed\r\n");
}

#[test]
fn without_slicing_the_world_answers_a_long_fetch_at_once() {
    // The page (and every test driving the world) sees the whole answer per send.
    let mut world = scenario::two_domains();
    big_inbox(&mut world, 1_200);
    let reader = imap_selected(&mut world);
    let answer = say(&mut world, reader, "c FETCH 1:* (UID)");
    assert!(!world.is_busy(reader));
    assert_eq!(answer.matches(" FETCH (").count(), 1_200);
    assert!(answer.ends_with("c OK FETCH completed\r\n"));
}
