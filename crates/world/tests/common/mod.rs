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
