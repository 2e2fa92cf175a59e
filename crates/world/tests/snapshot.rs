//! Snapshot and restore: the world survives a round trip, and a snapshot this
//! build cannot read is refused with a clear error, never emptied.
#![allow(clippy::unwrap_used)]

use mail_lab_world::{SnapshotError, World, scenario};

#[test]
fn round_trip_keeps_mail_queue_clock_and_policies() {
    let mut world = scenario::two_domains();
    world.host_mut("mail.b.example").unwrap().up = false;
    world.host_mut("mail.a.example").unwrap().pop_before_smtp_minutes = Some(5);
    let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world
        .send(id, b"EHLO x.example\r\nMAIL FROM:<alice@a.example>\r\nRCPT TO:<bob@a.example>\r\nDATA\r\nSubject: keep\r\n\r\nx\r\n.\r\n")
        .unwrap();
    let sub = world.connect("pc.a.example", "mail.a.example", 587).unwrap();
    world
        .send(sub, b"EHLO x.example\r\nAUTH PLAIN AGFsaWNlAGFsaWNlLXB3\r\nMAIL FROM:<alice@a.example>\r\nRCPT TO:<carol@b.example>\r\nDATA\r\nSubject: queued\r\n\r\nx\r\n.\r\n")
        .unwrap();
    world.advance(30_000);
    let json = world.to_json();
    let back = World::from_json(&json).unwrap();
    assert_eq!(back.snapshot(), world.snapshot());
    // The page's compact form keeps exactly the same world.
    let compact = world.to_compact();
    assert!(compact.starts_with("mail-lab-world 1 "), "{}", &compact[..30]);
    assert_eq!(World::from_compact(&compact).unwrap().snapshot(), world.snapshot());
    assert_eq!(back.now(), world.now());
    assert_eq!(back.queue().len(), 1);
    let inbox = back.store_for("bob@a.example").unwrap().folder("bob@a.example", "INBOX").unwrap();
    assert_eq!(inbox.messages.len(), 1);
    // The restored world goes on: the queued mail flows when b comes back.
    let mut back = back;
    back.host_mut("mail.b.example").unwrap().up = true;
    back.run_until_idle();
    assert_eq!(
        back.store_for("carol@b.example").unwrap().folder("carol@b.example", "INBOX").unwrap().messages.len(),
        1
    );
}

#[test]
fn unreadable_snapshots_are_refused_with_a_reason() {
    let json = scenario::two_domains().to_json();
    let newer = json.replacen("\"version\":1", "\"version\":2", 1);
    assert_eq!(World::from_json(&newer).unwrap_err(), SnapshotError::UnsupportedVersion { found: 2, supported: 1 });
    assert_eq!(
        World::from_json(&newer).unwrap_err().to_string(),
        "the saved lab is format version 2, and this Mail Lab reads version 1; it was left untouched"
    );
    assert!(matches!(World::from_json("{\"format\":\"something\"}"), Err(SnapshotError::WrongFormat(_))));
    assert!(matches!(World::from_json("not json"), Err(SnapshotError::Malformed(_))));
    let truncated = &json[..json.len() / 2];
    assert!(matches!(World::from_json(truncated), Err(SnapshotError::Malformed(_))));
}

#[test]
fn unreadable_compact_snapshots_are_refused_with_a_reason() {
    let compact = scenario::two_domains().to_compact();
    let newer = compact.replacen("mail-lab-world 1 ", "mail-lab-world 2 ", 1);
    assert_eq!(World::from_compact(&newer).unwrap_err(), SnapshotError::UnsupportedVersion { found: 2, supported: 1 });
    // The JSON an earlier page kept is named, not silently dropped.
    let json = scenario::two_domains().to_json();
    assert_eq!(
        World::from_compact(&json).unwrap_err().to_string(),
        "this is not a saved Mail Lab world (format \"JSON from an earlier Mail Lab\", expected \"mail-lab-world\")"
    );
    assert!(matches!(World::from_compact("mail-lab-world one x"), Err(SnapshotError::Malformed(_))));
    assert!(matches!(World::from_compact("mail-lab-world 1 ***"), Err(SnapshotError::Malformed(_))));
    let truncated = &compact[..compact.len() / 2];
    assert!(matches!(World::from_compact(truncated), Err(SnapshotError::Malformed(_))));
    // Valid base64 of something else is malformed, not a world.
    assert!(matches!(World::from_compact("mail-lab-world 1 AAAA"), Err(SnapshotError::Malformed(_))));
}
