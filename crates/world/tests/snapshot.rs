//! Snapshot and restore: the world survives a round trip, and a snapshot this
//! build cannot read is refused with a clear error, never emptied.
#![allow(clippy::unwrap_used)]

mod common;
use common::say;
use mail_lab_world::{Policy, SnapshotError, World, scenario};

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
    assert!(compact.starts_with("mail-lab-world 5 "), "{}", &compact[..30]);
    assert_eq!(World::from_compact(&compact).unwrap().to_json(), world.to_json());
    // The native server streams its saves, from the world or from a copy taken
    // off the lock: the same bytes either way.
    let (mut streamed, mut from_copy) = (Vec::new(), Vec::new());
    world.write_json(&mut streamed).unwrap();
    world.snapshot().write_json(&mut from_copy).unwrap();
    assert_eq!(String::from_utf8(streamed).unwrap(), json);
    assert_eq!(String::from_utf8(from_copy).unwrap(), json);
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
    let newer = json.replacen("\"version\":5", "\"version\":6", 1);
    assert_eq!(World::from_json(&newer).unwrap_err(), SnapshotError::UnsupportedVersion { found: 6, supported: 5 });
    assert_eq!(
        World::from_json(&newer).unwrap_err().to_string(),
        "the saved lab is format version 6, and this Mail Lab reads versions 1 to 5; it was left untouched"
    );
    assert!(matches!(World::from_json("{\"format\":\"something\"}"), Err(SnapshotError::WrongFormat(_))));
    assert!(matches!(World::from_json("not json"), Err(SnapshotError::Malformed(_))));
    let truncated = &json[..json.len() / 2];
    assert!(matches!(World::from_json(truncated), Err(SnapshotError::Malformed(_))));
}

#[test]
fn unreadable_compact_snapshots_are_refused_with_a_reason() {
    let compact = scenario::two_domains().to_compact();
    let newer = compact.replacen("mail-lab-world 5 ", "mail-lab-world 6 ", 1);
    assert_eq!(World::from_compact(&newer).unwrap_err(), SnapshotError::UnsupportedVersion { found: 6, supported: 5 });
    // The JSON an earlier page kept is named, not silently dropped.
    let json = scenario::two_domains().to_json();
    assert_eq!(
        World::from_compact(&json).unwrap_err().to_string(),
        "this is not a saved Mail Lab world (format \"JSON from an earlier Mail Lab\", expected \"mail-lab-world\")"
    );
    assert!(matches!(World::from_compact("mail-lab-world one x"), Err(SnapshotError::Malformed(_))));
    assert!(matches!(World::from_compact("mail-lab-world 2 ***"), Err(SnapshotError::Malformed(_))));
    let truncated = &compact[..compact.len() / 2];
    assert!(matches!(World::from_compact(truncated), Err(SnapshotError::Malformed(_))));
    // Valid base64 of something else is malformed, not a world.
    assert!(matches!(World::from_compact("mail-lab-world 2 AAAA"), Err(SnapshotError::Malformed(_))));
}

#[test]
fn version_1_json_with_messages_as_octet_arrays_still_reads() {
    let mut world = scenario::two_domains();
    world.import_messages("bob@a.example", "INBOX", vec![b"Subject: old\r\n\r\nkept\r\n".to_vec()]).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&world.to_json()).unwrap();
    // Rewrite it as version 1 wrote it: the message as an array of numbers.
    doc["version"] = 1.into();
    let raw = &mut doc["hosts"][0]["store"]["accounts"]["bob@a.example"]["folders"]["INBOX"]["messages"][0]["raw"];
    assert_eq!(raw.as_str(), Some("Subject: old\r\n\r\nkept\r\n"), "version 2 writes text");
    *raw = serde_json::Value::Array(b"Subject: old\r\n\r\nkept\r\n".iter().map(|&b| b.into()).collect());
    let back = World::from_json(&doc.to_string()).unwrap();
    assert_eq!(back.to_json(), world.to_json());
}

/// The example scenario file for teachers: plain JSON, messages as text, to copy and edit.
const CLASSROOM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/classroom.json");

fn classroom() -> World {
    let mut world = scenario::two_domains();
    let welcome = "From: Mail Lab <postmaster@a.example>\r\nTo: bob@a.example\r\nSubject: Welcome to Mail Lab\r\nDate: Wed, 1 Apr 2026 09:00:00 +0000\r\nMessage-ID: <welcome@a.example>\r\n\r\nThis message lives in the scenario file.\r\nCopy crates/world/scenarios/classroom.json and edit it to make your own world.\r\n";
    world.import_messages("bob@a.example", "INBOX", vec![welcome.as_bytes().to_vec()]).unwrap();
    world
}

#[test]
fn the_example_scenario_file_loads_and_is_written_the_way_it_reads() {
    let expected = classroom().to_json_pretty() + "\n";
    if std::env::var_os("MAIL_LAB_BLESS").is_some() {
        std::fs::create_dir_all(std::path::Path::new(CLASSROOM).parent().unwrap()).unwrap();
        std::fs::write(CLASSROOM, &expected).unwrap();
    }
    let file = std::fs::read_to_string(CLASSROOM).unwrap();
    assert_eq!(file, expected, "regenerate with MAIL_LAB_BLESS=1 after a format change");
    assert!(file.contains(
        r#""raw": "From: Mail Lab <postmaster@a.example>\r\nTo: bob@a.example\r\nSubject: Welcome to Mail Lab"#
    ));
    let world = World::from_json(&file).unwrap();
    let inbox = world.store_for("bob@a.example").unwrap().folder("bob@a.example", "INBOX").unwrap();
    assert_eq!(inbox.messages.len(), 1);
    // The page reads the compact form of the same world.
    assert_eq!(World::from_compact(&world.to_compact()).unwrap().snapshot(), world.snapshot());
    assert_eq!(World::from_json(&file).unwrap().to_json_pretty() + "\n", file);
}

/// A teacher's hand edits that would leave a store the sessions cannot trust are
/// refused when the file is read, with the place named.
#[test]
fn a_scenario_file_edited_into_an_inconsistent_store_is_refused_with_the_place() {
    let file = std::fs::read_to_string(CLASSROOM).unwrap();
    let uid = "\"uid\": 1,";
    assert!(file.contains(uid));
    let cases = [
        (file.replacen(uid, "\"uid\": 0,", 1), "bob@a.example folder INBOX: UIDs must ascend from 1 (UID 0 after 0)"),
        (
            file.replacen("\"uid_next\": 2,", "\"uid_next\": 1,", 1),
            "bob@a.example folder INBOX: uid_next 1 must be above the last UID 1",
        ),
        (
            file.replacen(
                "\"INBOX\": {\n                \"name\": \"INBOX\"",
                "\"Inbox\": {\n                \"name\": \"Inbox\"",
                1,
            ),
            "alice@a.example has no INBOX",
        ),
        (
            file.replacen("\"name\": \"Drafts\"", "\"name\": \"Entwürfe\"", 1),
            "folder Drafts is named \"Entwürfe\" inside",
        ),
        // IMAP writes keywords and special uses out as they are: a keyword shaped
        // like a literal would have broken the page's mail client reading FLAGS.
        (
            file.replacen("\"flags\": [],", "\"flags\": [{\"Keyword\": \"{4294967295+}\"}],", 1),
            "bob@a.example folder INBOX: keyword \"{4294967295+}\" is not an IMAP atom",
        ),
        (file.replacen("\"\\\\Junk\"", "\"\\\\Junk) (\"", 1), "special use \"\\Junk) (\" is none of"),
        (
            file.replacen("\"recent_claimed_through\": 0", "\"recent_claimed_through\": 4294967295", 1),
            "recent_claimed_through must be below uid_next",
        ),
    ];
    let far = file.replacen("\"next_connection\": 1,", "\"next_connection\": 18446744073709551615,", 1);
    assert_eq!(
        World::from_json(&far).unwrap_err().to_string(),
        "the saved lab cannot be read: next_connection 18446744073709551615 is out of range"
    );
    for (edited, why) in cases {
        assert!(edited != file, "the edit for {why:?} applies");
        let err = World::from_json(&edited).unwrap_err().to_string();
        assert!(err.starts_with("the saved lab cannot be read: on mail.a.example: "), "{err}");
        assert!(err.contains(why), "{err}");
    }
}

/// Numbers a saved lab may hold at their limits are limits, not overflows:
/// POP before SMTP's window, and the IMAP literal limit. The literal half can
/// overflow only where usize is 32 bits (the page); natively it shows the
/// session still reads such a literal.
#[test]
fn a_lab_with_its_limits_at_the_edge_still_answers() {
    let file = std::fs::read_to_string(CLASSROOM).unwrap();
    let edge = file
        .replacen("\"pop_before_smtp_minutes\": null", "\"pop_before_smtp_minutes\": 18446744073709551615", 1)
        .replacen("\"max_literal\": 16777216", "\"max_literal\": 4294967295", 1);
    let mut world = World::from_json(&edge).unwrap();
    let pop = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(pop);
    say(&mut world, pop, "USER bob");
    assert!(say(&mut world, pop, "PASS bob-pw").starts_with("+OK"));
    let imap = world.connect("pc.a.example", "mail.a.example", 143).unwrap();
    world.take_output(imap);
    say(&mut world, imap, "a1 LOGIN bob bob-pw");
    assert_eq!(say(&mut world, imap, "a2 APPEND INBOX {4294967295}"), "+ Ready for literal data\r\n");
    world.send(imap, b"partial").unwrap();
    assert!(world.take_output(imap).is_empty(), "still reading the literal");
}

/// A saved lab whose INBOX has handed out its last UID: APPEND is refused as an
/// implementation limit, and SMTP answers with a temporary failure, so the
/// sender keeps the message.
#[test]
fn a_folder_out_of_uids_is_a_limit_not_a_crash() {
    let file = std::fs::read_to_string(CLASSROOM).unwrap();
    let full = file.replacen("\"uid_next\": 2,", "\"uid_next\": 4294967295,", 1);
    assert!(full != file);
    let mut world = World::from_json(&full).unwrap();
    let imap = world.connect("pc.a.example", "mail.a.example", 143).unwrap();
    world.take_output(imap);
    say(&mut world, imap, "a1 LOGIN bob bob-pw");
    assert_eq!(say(&mut world, imap, "a2 APPEND INBOX {1+}\r\nx"), "a2 NO [LIMIT] folder INBOX has no UIDs left\r\n");
    let smtp = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(smtp);
    say(&mut world, smtp, "EHLO pc.a.example\r\nMAIL FROM:<alice@a.example>\r\nRCPT TO:<bob@a.example>\r\nDATA");
    let reply = say(&mut world, smtp, "Subject: one more\r\n\r\nhi\r\n.");
    assert!(reply.starts_with("4"), "{reply}");
    let inbox = world.store_for("bob@a.example").unwrap().folder("bob@a.example", "INBOX").unwrap();
    assert_eq!(inbox.messages.len(), 1);
}

#[test]
fn a_lab_saved_by_version_2_still_opens() {
    // Written by the build before subscriptions were kept apart from folders
    // (`mail-lab-serve --scenario two-domains --export-page-lab`).
    let v2 = include_str!("fixtures/two-domains-v2.txt");
    assert!(v2.starts_with("mail-lab-world 2 "));
    let world = World::from_compact(v2).unwrap();
    assert_eq!(world.snapshot().hosts, scenario::two_domains().snapshot().hosts);
}

#[test]
fn a_lab_saved_by_version_3_still_opens_without_learner_accounts() {
    // Written by the build before worlds named the learner's accounts
    // (`mail-lab-serve --scenario two-domains --export-page-lab`).
    let v3 = include_str!("fixtures/two-domains-v3.txt");
    assert!(v3.starts_with("mail-lab-world 3 "));
    let world = World::from_compact(v3).unwrap();
    assert_eq!(world.snapshot().hosts, scenario::two_domains().snapshot().hosts);
    assert_eq!(world.clients(), scenario::two_domains().clients());
    assert!(world.learner_accounts().is_empty(), "the page falls back to the scenario's");
    // Written again, it is the current version and keeps them once set.
    let mut world = world;
    world.set_learner_accounts(vec!["bob@a.example".into()]);
    let again = World::from_compact(&world.to_compact()).unwrap();
    assert_eq!(again.learner_accounts(), ["bob@a.example"]);
    assert!(world.to_compact().starts_with("mail-lab-world 5 "));
}

#[test]
fn a_lab_saved_by_version_4_still_opens_without_txt_records() {
    // Written by the build before the world had TXT records and SPF checks
    // (`mail-lab-serve --scenario two-domains --export-page-lab`).
    let v4 = include_str!("fixtures/two-domains-v4.txt");
    assert!(v4.starts_with("mail-lab-world 4 "));
    let mut world = World::from_compact(v4).unwrap();
    assert_eq!(world.snapshot().hosts, scenario::two_domains().snapshot().hosts);
    assert_eq!(world.learner_accounts(), scenario::two_domains().learner_accounts());
    assert!(world.txt("a.example").is_empty());
    assert_eq!(world.policy("mail.b.example", Policy::SpfCheck), Some(false));
    // Written again, it keeps what version 5 adds.
    world.add_txt("a.example", "v=spf1 mx -all");
    world.set_policy("mail.b.example", Policy::SpfCheck, true);
    let again = World::from_compact(&world.to_compact()).unwrap();
    assert_eq!(again.txt("a.example"), ["v=spf1 mx -all"]);
    assert_eq!(again.policy("mail.b.example", Policy::SpfCheck), Some(true));
}

#[test]
fn a_subscription_whose_folder_was_deleted_is_kept_across_a_save() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 143).unwrap();
    world.take_output(id);
    for line in ["a LOGIN bob@a.example bob-pw", "b CREATE Old", "c SUBSCRIBE Old", "d DELETE Old"] {
        world.send(id, format!("{line}\r\n").as_bytes()).unwrap();
    }
    world.take_output(id);
    let store = |w: &World| w.store_for("bob@a.example").unwrap().is_subscribed("bob@a.example", "Old");
    assert!(store(&world));
    assert!(store(&World::from_json(&world.to_json()).unwrap()), "JSON keeps it");
    assert!(store(&World::from_compact(&world.to_compact()).unwrap()), "the compact form keeps it");
}
