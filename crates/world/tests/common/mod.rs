//! Helpers the world's integration tests share: typing into a connection and
//! delivering a message to bob the way a learner would.
#![allow(clippy::unwrap_used, dead_code)]

use mail_lab_world::{ConnectionId, World};

/// Send `line` (CRLF added) and return what the server answered.
pub fn say(world: &mut World, id: ConnectionId, line: &str) -> String {
    world.send(id, format!("{line}\r\n").as_bytes()).unwrap();
    String::from_utf8(world.take_output(id)).unwrap()
}

/// Alice sends bob a message through mail.a.example:25 and it is accepted.
pub fn deliver_to_bob(world: &mut World, subject: &str) {
    let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(id);
    let out = say(
        world,
        id,
        &format!(
            "EHLO pc.a.example\r\nMAIL FROM:<alice@a.example>\r\nRCPT TO:<bob@a.example>\r\nDATA\r\nSubject: {subject}\r\n\r\nHello.\r\n.\r\nQUIT"
        ),
    );
    assert!(out.contains("250 2.0.0 OK: queued as"), "{out}");
}

/// Alice submits a message on mail.a.example:587 after AUTH, as a mail client
/// would; returns the reply to the end of DATA.
pub fn submit(world: &mut World, from: &str, to: &str, subject: &str) -> String {
    submit_message(world, from, &[to], &format!("From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\r\nHello."))
}

/// Alice submits `message` (header and body, without the final dot) on
/// mail.a.example:587 after AUTH to each of `to`; returns the reply to the end of DATA.
pub fn submit_message(world: &mut World, from: &str, to: &[&str], message: &str) -> String {
    let rcpts: Vec<String> = to.iter().map(|to| format!("<{to}>")).collect();
    let rcpts: Vec<&str> = rcpts.iter().map(String::as_str).collect();
    submit_with_parameters(world, &format!("<{from}>"), &rcpts, message)
}

/// The same, with MAIL's and each RCPT's arguments as typed after `FROM:` and
/// `TO:` (`<alice@a.example> RET=FULL`, `<bob@b.example> NOTIFY=SUCCESS`).
pub fn submit_with_parameters(world: &mut World, mail: &str, rcpts: &[&str], message: &str) -> String {
    let id = world.connect("pc.a.example", "mail.a.example", 587).unwrap();
    world.take_output(id);
    say(world, id, "EHLO pc.a.example");
    assert_eq!(say(world, id, "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3"), "235 2.7.0 Authentication successful\r\n");
    assert!(say(world, id, &format!("MAIL FROM:{mail}")).starts_with("250"));
    for to in rcpts {
        let rcpt = say(world, id, &format!("RCPT TO:{to}"));
        assert!(rcpt.starts_with("250"), "{rcpt}");
    }
    say(world, id, "DATA");
    let reply = say(world, id, &format!("{message}\r\n."));
    say(world, id, "QUIT");
    reply
}

/// The messages in `account`'s INBOX, as stored.
pub fn inbox(world: &World, account: &str) -> Vec<Vec<u8>> {
    world
        .store_for(account)
        .unwrap()
        .folder(account, "INBOX")
        .unwrap()
        .messages
        .iter()
        .map(|m| m.raw.to_vec())
        .collect()
}
