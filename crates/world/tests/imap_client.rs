//! The IMAP client engine against the IMAP server engine through the world:
//! STARTTLS then AUTHENTICATE, LIST, SELECT, summaries, a body, flags, APPEND
//! to Sent, MOVE to Trash, and IDLE receiving a delivery without asking.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_imap::client::Update;
use mail_lab_imap::{ImapClient, ImapClientConfig, ImapJob};
use mail_lab_proto::ClientTls;
use mail_lab_proto::sasl::Proof;
use mail_lab_store::Flag;
use mail_lab_world::{Direction, EventKind, Protocol, World, scenario};

fn bob(tls: ClientTls) -> ImapClientConfig {
    ImapClientConfig { user: "bob".into(), password: "bob-pw".into(), tls, allow_plaintext: false }
}

fn folder_len(world: &World, folder: &str) -> usize {
    world.store_for("bob@a.example").unwrap().folder("bob@a.example", folder).unwrap().messages.len()
}

#[test]
fn a_mail_client_session_over_starttls_lists_reads_flags_files_and_moves() {
    let mut world = scenario::two_domains();
    deliver_to_bob(&mut world, "first");
    deliver_to_bob(&mut world, "second");
    let sent = b"From: bob@a.example\r\nTo: alice@a.example\r\nSubject: my copy\r\n\r\nsent\r\n".to_vec();
    let mut client = ImapClient::new(
        bob(ClientTls::IfOffered),
        vec![
            ImapJob::List,
            ImapJob::Select("INBOX".into()),
            ImapJob::FetchSummaries,
            ImapJob::FetchBody(2),
            ImapJob::AddFlags { uid: 1, flags: vec!["\\Flagged".into()] },
            ImapJob::Append { folder: "Sent".into(), flags: vec!["\\Seen".into()], message: sent.clone() },
            ImapJob::Move { uid: 1, to: "Trash".into() },
        ],
    );
    let conn = world.run_client("pc.a.example", "mail.a.example", 143, &mut client).unwrap();
    assert_eq!(client.errors(), [] as [String; 0]);
    let names: Vec<&str> = client.folders().iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"INBOX") && names.contains(&"Sent") && names.contains(&"Trash"), "{names:?}");
    let sent_folder = client.folders().iter().find(|f| f.name == "Sent").unwrap();
    assert!(sent_folder.attributes.iter().any(|a| a == "\\Sent"), "SPECIAL-USE: {sent_folder:?}");
    assert_eq!(client.selected(), Some(("INBOX", 1)), "one left after the MOVE");
    let subjects: Vec<&str> = client.summaries().iter().map(|s| s.subject.as_str()).collect();
    assert_eq!(subjects, ["second"], "the moved message left the summaries");
    let (uid, body) = &client.bodies()[0];
    assert_eq!(*uid, 2);
    assert!(String::from_utf8_lossy(body).contains("Subject: second\r\n"));
    assert_eq!(client.appended(), [("Sent".to_string(), 1)]);

    // The store agrees, and the wiretap shows STARTTLS then only ciphertext.
    let store = world.store_for("bob@a.example").unwrap();
    let inbox = store.folder("bob@a.example", "INBOX").unwrap();
    assert!(inbox.message(2).unwrap().flags.contains(&Flag::Seen), "BODY[] sets \\Seen");
    let trash = store.folder("bob@a.example", "Trash").unwrap();
    assert!(trash.messages[0].flags.contains(&Flag::Flagged), "the flag travelled with the MOVE");
    assert_eq!(store.folder("bob@a.example", "Sent").unwrap().messages[0].raw[..], sent[..]);
    let clear: String = world
        .dialogue(conn)
        .into_iter()
        .filter(|(d, _)| *d == Direction::ToServer)
        .map(|(_, l)| l)
        .take(2)
        .collect::<Vec<_>>()
        .join("|");
    assert!(clear.starts_with("m1 STARTTLS"), "{clear}");
    assert!(world.events().any(|e| matches!(
        e.kind,
        EventKind::LoggedIn { protocol: Protocol::Imap, proof: Proof::Password, encrypted: true, .. }
    )));
}

#[test]
fn idle_hears_a_delivery_and_the_session_goes_on_after_done() {
    let mut world = scenario::two_domains();
    deliver_to_bob(&mut world, "before");
    let mut client = ImapClient::new(bob(ClientTls::IfOffered), vec![ImapJob::Select("INBOX".into()), ImapJob::Idle]);
    let conn = world.start_client("pc.a.example", "mail.a.example", 143, &mut client).unwrap();
    assert!(client.is_idling());
    assert!(world.is_open(conn));
    deliver_to_bob(&mut world, "while idle");
    world.pump_client(conn, &mut client);
    assert_eq!(client.updates(), [Update::Exists(2)]);
    client.push_job(ImapJob::FetchSummaries);
    client.stop_idle();
    world.pump_client(conn, &mut client);
    let subjects: Vec<&str> = client.summaries().iter().map(|s| s.subject.as_str()).collect();
    assert_eq!(subjects, ["before", "while idle"]);
    assert!(!world.is_open(conn), "LOGOUT after the last job");
    assert_eq!(folder_len(&world, "INBOX"), 2);
}

#[test]
fn refusals_are_reported_and_no_password_crosses_in_the_clear() {
    let mut world = scenario::two_domains();
    // No TLS wanted and plaintext not allowed: the client will not log in.
    let mut shy = ImapClient::new(bob(ClientTls::Never), vec![ImapJob::List]);
    let conn = world.run_client("pc.a.example", "mail.a.example", 143, &mut shy).unwrap();
    assert_eq!(shy.errors(), ["refusing to send the password without TLS"]);
    assert!(!world.dialogue(conn).iter().any(|(_, l)| l.contains("bob-pw") || l.contains("AUTHENTICATE")));
    // Wrong password, then a job on a folder that does not exist.
    let mut wrong = ImapClient::new(
        ImapClientConfig { password: "nope".into(), ..bob(ClientTls::IfOffered) },
        vec![ImapJob::Select("INBOX".into())],
    );
    world.run_client("pc.a.example", "mail.a.example", 143, &mut wrong).unwrap();
    assert!(wrong.errors()[0].starts_with("login refused: "), "{:?}", wrong.errors());
    let mut lost =
        ImapClient::new(bob(ClientTls::IfOffered), vec![ImapJob::Select("Nowhere".into()), ImapJob::FetchSummaries]);
    world.run_client("pc.a.example", "mail.a.example", 143, &mut lost).unwrap();
    assert_eq!(lost.errors().len(), 2, "{:?}", lost.errors());
    assert!(lost.errors()[0].starts_with("SELECT Nowhere refused: "), "{:?}", lost.errors());
    assert_eq!(lost.errors()[1], "FETCH of the message list needs a selected folder");
}
