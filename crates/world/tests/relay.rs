//! The MTA: submission, relay by MX, retries on the logical clock, backup MX,
//! bounces, injected faults and an intermittent host.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_message::header_fields;
use mail_lab_proto::Time;
use mail_lab_smtp::ServerConfig;
use mail_lab_world::{Direction, EventKind, Fault, OnlineSchedule, World, WorldError, scenario};

fn subject(raw: &[u8]) -> String {
    mail_lab_message::header_value(raw, "Subject").unwrap_or_default()
}

#[test]
fn submission_relays_to_the_other_domain_through_its_mx() {
    let mut world = scenario::two_domains();
    let reply = submit(&mut world, "alice@a.example", "carol@b.example", "Across the Internet");
    assert!(reply.starts_with("250 2.0.0 OK: queued as C1-1"), "{reply}");
    let got = inbox(&world, "carol@b.example");
    assert_eq!(got.len(), 1);
    // One Received line per hop, newest first, and Return-Path from the final MDA.
    let fields = header_fields(&got[0]);
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).take(3).collect();
    assert_eq!(names, ["Return-Path", "Received", "Received"]);
    assert_eq!(fields[0].value, "<alice@a.example>");
    assert!(
        fields[1]
            .value
            .starts_with("from mail.a.example ([192.0.2.25])\tby mail.b.example (Mail Lab) with ESMTPS id C2-1"),
        "{}",
        fields[1].value
    );
    assert!(
        fields[2]
            .value
            .starts_with("from pc.a.example ([192.0.2.10])\tby mail.a.example (Mail Lab) with ESMTPA id C1-1"),
        "{}",
        fields[2].value
    );
    // The MTA-to-MTA dialogue is on the wire: EHLO in the clear, then STARTTLS.
    let relay_conn = world
        .events()
        .find_map(|e| match &e.kind {
            EventKind::RelayAttempt { connection, from, to, .. }
                if from == "mail.a.example" && to == "mail.b.example" =>
            {
                Some(*connection)
            }
            _ => None,
        })
        .unwrap();
    let sent: Vec<(String, bool)> = world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::LinkBytes { connection, direction: Direction::ToServer, bytes, encrypted }
                if *connection == relay_conn =>
            {
                Some((String::from_utf8_lossy(bytes).into_owned(), *encrypted))
            }
            _ => None,
        })
        .collect();
    assert_eq!(sent[0], ("EHLO mail.a.example\r\n".to_string(), false));
    assert_eq!(sent[1], ("STARTTLS\r\n".to_string(), false));
    assert!(sent[2..].iter().all(|(_, encrypted)| *encrypted), "after STARTTLS the relay is encrypted");
    assert!(
        world
            .events()
            .any(|e| matches!(&e.kind, EventKind::Relayed { recipient, .. } if recipient == "carol@b.example"))
    );
    assert!(world.queue().is_empty());
}

#[test]
fn a_down_host_means_retries_then_a_bounce() {
    let mut world = scenario::two_domains();
    world.host_mut("mail.b.example").unwrap().up = false;
    let start = world.now();
    submit(&mut world, "alice@a.example", "carol@b.example", "Nobody home");
    assert_eq!(world.queue().len(), 1);
    assert_eq!(world.queue()[0].next_attempt, start.plus_millis(60_000), "first retry after a minute");
    world.run_until_idle();
    let retries: Vec<Time> = world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::RelayAttempt { .. } => Some(e.at),
            EventKind::Deferred { .. } => None,
            _ => None,
        })
        .collect();
    assert!(retries.is_empty(), "no SMTP session can start with a down host");
    let deferrals: Vec<u64> = world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::Deferred { next_attempt, .. } => Some((next_attempt.0 - e.at.0) / 60_000),
            _ => None,
        })
        .collect();
    assert_eq!(deferrals, [1, 5, 15, 30], "retry schedule in minutes; the 5th attempt gives up");
    // Each deferral names the world's own reason, typed, for the page to say in its language.
    assert!(world.events().all(|e| !matches!(&e.kind, EventKind::Deferred { unreachable, .. }
        if *unreachable != Some(WorldError::HostDown("mail.b.example".into())))));
    assert!(world.queue().is_empty());
    assert!(inbox(&world, "carol@b.example").is_empty());
    let bounces = inbox(&world, "alice@a.example");
    assert_eq!(bounces.len(), 1);
    let text = String::from_utf8_lossy(&bounces[0]).into_owned();
    assert!(text.starts_with("Return-Path: <>\r\n"), "a bounce has the null reverse-path");
    assert_eq!(subject(&bounces[0]), "Undelivered Mail Returned to Sender");
    assert!(text.contains("Final-Recipient: rfc822; carol@b.example\r\nAction: failed\r\nStatus: 4.4.7\r\n"), "{text}");
    assert!(text.contains("last error: mail.b.example: host is down (no route to host)"), "{text}");
    assert!(text.contains("Subject: Nobody home\r\n"));
    // Stored with the envelope the host gave itself: the null reverse-path, no SMTP client.
    let stored = world.store_for("alice@a.example").unwrap().folder("alice@a.example", "INBOX").unwrap();
    let envelope = stored.messages[0].envelope.as_ref().expect("a bounce has an envelope");
    assert_eq!(envelope.reverse_path, "", "MAIL FROM:<>");
    assert_eq!(envelope.forward_paths, ["alice@a.example"]);
    assert_eq!((envelope.helo.as_str(), envelope.client_address.as_str()), ("mail.a.example", "192.0.2.25"));
}

#[test]
fn unknown_remote_user_bounces_at_once_with_the_remote_reply() {
    let mut world = scenario::two_domains();
    submit(&mut world, "alice@a.example", "nobody@b.example", "Typo");
    let bounces = inbox(&world, "alice@a.example");
    assert_eq!(bounces.len(), 1);
    let text = String::from_utf8_lossy(&bounces[0]).into_owned();
    assert!(text.contains("Status: 5.1.1\r\nRemote-MTA: dns; mail.b.example\r\nDiagnostic-Code: smtp; 550 5.1.1 <nobody@b.example>: Recipient address rejected"), "{text}");
}

#[test]
fn a_failed_bounce_is_never_bounced() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 587).unwrap();
    world.take_output(id);
    say(&mut world, id, "EHLO pc.a.example");
    say(&mut world, id, "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3");
    say(&mut world, id, "MAIL FROM:<>");
    say(&mut world, id, "RCPT TO:<nobody@b.example>");
    say(&mut world, id, "DATA");
    assert!(say(&mut world, id, "Subject: a bounce\r\n\r\nx\r\n.").starts_with("250"));
    assert!(world.events().any(|e| matches!(e.kind, EventKind::BounceDiscarded { .. })));
    assert!(world.events().all(|e| !matches!(e.kind, EventKind::Bounced { .. })));
    assert!(world.queue().is_empty());
}

#[test]
fn backup_mx_holds_the_mail_until_the_primary_is_back() {
    let mut world = scenario::two_domains();
    let mut backup = world.host("mail.b.example").unwrap().clone();
    backup.name = "backup.b.example".into();
    backup.address = "198.51.100.26".into();
    backup.domains = Vec::new();
    backup.store = mail_lab_store::Store::new();
    backup.mx = ServerConfig::mx("backup.b.example", &[]);
    backup.mx.relay_domains = vec!["b.example".into()];
    world.add_host(backup);
    world.add_mx("b.example", 20, "backup.b.example");
    let now = world.now();
    world
        .host_mut("mail.b.example")
        .unwrap()
        .faults
        .push(Fault::Down { from: now, until: now.plus_millis(10 * 60_000) });
    submit(&mut world, "alice@a.example", "carol@b.example", "Via the backup");
    // Primary down: the backup MX took it at once and queued it for the primary.
    let entry = &world.queue()[0];
    assert_eq!(
        (entry.host.as_str(), entry.recipients.as_slice()),
        ("backup.b.example", &["carol@b.example".to_string()][..])
    );
    assert!(inbox(&world, "carol@b.example").is_empty());
    world.advance(9 * 60_000);
    assert!(inbox(&world, "carol@b.example").is_empty(), "still down at 9 minutes");
    world.advance(60_000);
    assert!(world.events().any(|e| matches!(&e.kind, EventKind::HostUp { host } if host == "mail.b.example")));
    let got = inbox(&world, "carol@b.example");
    assert_eq!(got.len(), 1, "delivered the moment the primary came back");
    let received = header_fields(&got[0]).into_iter().filter(|f| f.name == "Received").count();
    assert_eq!(received, 3, "pc -> mail.a -> backup.b -> mail.b");
}

#[test]
fn injected_451_at_rcpt_then_success_on_retry() {
    let mut world = scenario::two_domains();
    world.host_mut("mail.b.example").unwrap().faults.push(Fault::RcptReply {
        code: 451,
        text: "4.3.0 Try again later (injected)".into(),
        times: 2,
    });
    submit(&mut world, "alice@a.example", "carol@b.example", "Third time lucky");
    assert_eq!(world.queue().len(), 1);
    assert!(world.queue()[0].last_error.as_deref().unwrap().contains("451 4.3.0 Try again later (injected)"));
    world.advance(60_000);
    assert!(inbox(&world, "carol@b.example").is_empty());
    world.advance(5 * 60_000);
    assert_eq!(inbox(&world, "carol@b.example").len(), 1);
    let attempts = world.events().filter(|e| matches!(e.kind, EventKind::RelayAttempt { .. })).count();
    assert_eq!(attempts, 3);
}

#[test]
fn greeting_421_and_dropped_link_are_retried_without_duplicates() {
    let mut world = scenario::two_domains();
    let host = world.host_mut("mail.b.example").unwrap();
    host.faults.push(Fault::GreetingReply { text: "421 4.3.2 Service shutting down (injected)".into(), times: 1 });
    host.faults.push(Fault::DropAfterData { times: 1 });
    submit(&mut world, "alice@a.example", "carol@b.example", "Bumpy road");
    assert!(world.queue()[0].last_error.as_deref().unwrap().contains("421 4.3.2 Service shutting down"));
    world.advance(60_000);
    assert!(
        world.queue()[0].last_error.as_deref().unwrap().contains("Connection lost"),
        "{:?}",
        world.queue()[0].last_error
    );
    assert!(inbox(&world, "carol@b.example").is_empty(), "a dropped link stores nothing");
    world.advance(5 * 60_000);
    assert_eq!(inbox(&world, "carol@b.example").len(), 1, "delivered exactly once");
}

#[test]
fn intermittent_host_gets_its_mail_when_the_link_comes_up() {
    let mut world = scenario::two_domains();
    // Online for the first 10 minutes of every hour; the scenario starts at 09:00.
    world.host_mut("mail.b.example").unwrap().online = Some(OnlineSchedule { period_minutes: 60, online_minutes: 10 });
    world.advance(15 * 60_000);
    submit(&mut world, "alice@a.example", "carol@b.example", "Dial-up");
    world.advance(40 * 60_000);
    assert!(inbox(&world, "carol@b.example").is_empty(), "offline until 10:00");
    world.advance(5 * 60_000);
    assert_eq!(inbox(&world, "carol@b.example").len(), 1);
    let delivered_at =
        world.events().find_map(|e| matches!(e.kind, EventKind::Relayed { .. }).then_some(e.at)).unwrap();
    assert_eq!(delivered_at, scenario::START.plus_millis(60 * 60_000), "at 10:00 sharp, when the link came up");
}

#[test]
fn the_whole_run_is_deterministic() {
    let run = || {
        let mut world = scenario::two_domains();
        world.host_mut("mail.b.example").unwrap().faults.push(Fault::RcptReply {
            code: 451,
            text: "4.3.0 later".into(),
            times: 1,
        });
        submit(&mut world, "alice@a.example", "carol@b.example", "Same every time");
        submit(&mut world, "alice@a.example", "nobody@b.example", "Bounce every time");
        world.run_until_idle();
        world.events().cloned().collect::<Vec<_>>()
    };
    let first = run();
    assert!(first.len() > 50);
    assert_eq!(first, run());
}

/// The two-domain world with team@a.example for bob@a.example and carol@b.example.
fn with_team_alias() -> World {
    let mut world = scenario::two_domains();
    world
        .host_mut("mail.a.example")
        .unwrap()
        .aliases
        .insert("team@a.example".into(), vec!["bob@a.example".into(), "carol@b.example".into()]);
    world
}

#[test]
fn an_alias_expands_to_local_and_remote_members_and_expn_lists_it() {
    let mut world = with_team_alias();
    let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(id);
    say(&mut world, id, "EHLO pc.a.example");
    assert_eq!(say(&mut world, id, "EXPN team"), "250-2.1.5 <bob@a.example>\r\n250 2.1.5 <carol@b.example>\r\n");
    assert_eq!(
        say(&mut world, id, "EXPN staff@a.example"),
        "250-2.1.5 <alice@a.example>\r\n250 2.1.5 <bob@a.example>\r\n"
    );
    say(&mut world, id, "MAIL FROM:<alice@a.example>");
    assert_eq!(say(&mut world, id, "RCPT TO:<team@a.example>"), "250 2.1.5 Recipient <team@a.example> OK\r\n");
    say(&mut world, id, "DATA");
    assert!(say(&mut world, id, "Subject: to the team\r\n\r\nhi\r\n.").starts_with("250"));
    assert_eq!(inbox(&world, "bob@a.example").len(), 1);
    assert_eq!(inbox(&world, "carol@b.example").len(), 1, "the remote member got it through the queue");
}

#[test]
fn a_mailbox_named_twice_gets_one_copy() {
    // bob directly, through the alias, and in another case; carol remotely twice
    // (the domain in another case: the local part is b.example's to fold).
    let mut world = with_team_alias();
    // Submission (587, AUTH): carol@b.example may be relayed to.
    let to = ["bob@a.example", "team@a.example", "BOB@a.example", "carol@b.example", "carol@B.EXAMPLE"];
    let reply = submit_message(&mut world, "alice@a.example", &to, "Subject: once each\r\n\r\nhi");
    assert!(reply.starts_with("250 "), "{reply}");
    world.run_until_idle();
    assert_eq!(inbox(&world, "bob@a.example").len(), 1);
    assert_eq!(inbox(&world, "carol@b.example").len(), 1);
}

#[test]
fn a_mail_client_submits_and_reads_through_the_world() {
    use mail_lab_pop3::{Pop3Client, Pop3ClientConfig, Pop3Login};
    use mail_lab_proto::ClientTls;
    use mail_lab_smtp::{ClientConfig, Outcome, OutgoingMessage, SmtpClient};
    let mut world = scenario::two_domains();
    let mut config = ClientConfig::relay("pc.a.example");
    config.credentials = Some(("alice".into(), "alice-pw".into()));
    let message = OutgoingMessage {
        reverse_path: "alice@a.example".into(),
        recipients: vec!["carol@b.example".into()],
        data: b"From: alice@a.example\r\nSubject: from the MUA\r\n\r\nhi\r\n".to_vec(),
        ..Default::default()
    };
    let mut smtp = SmtpClient::new(config, message);
    let conn = world.run_client("pc.a.example", "mail.a.example", 587, &mut smtp).unwrap();
    assert!(matches!(smtp.outcomes()[0].1, Outcome::Delivered(_)));
    let dialogue: Vec<String> = world.dialogue(conn).into_iter().map(|(_, l)| l).collect();
    assert_eq!(dialogue[1], "EHLO pc.a.example");
    assert!(dialogue.contains(&"STARTTLS".to_string()));
    assert_eq!(inbox(&world, "carol@b.example").len(), 1, "relayed at once");
    let mut pop = Pop3Client::new(Pop3ClientConfig {
        user: "carol".into(),
        password: "carol-pw".into(),
        tls: ClientTls::IfOffered,
        login: Pop3Login::Auto,
        leave_on_server: true,
        known_uids: Vec::new(),
        allow_plaintext: false,
    });
    world.run_client("pc.a.example", "mail.b.example", 110, &mut pop).unwrap();
    assert_eq!(pop.error(), None);
    assert_eq!(pop.retrieved().len(), 1);
    assert_eq!(subject(&pop.retrieved()[0].data), "from the MUA");
}

#[test]
fn a_quoted_local_part_that_needs_no_quotes_reaches_the_same_mailbox() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(id);
    common::say(&mut world, id, "EHLO pc.a.example");
    common::say(&mut world, id, "MAIL FROM:<carol@b.example>");
    assert_eq!(
        common::say(&mut world, id, "RCPT TO:<\"alice\"@a.example>"),
        "250 2.1.5 Recipient <alice@a.example> OK\r\n"
    );
    common::say(&mut world, id, "DATA");
    assert!(common::say(&mut world, id, "Subject: quoted\r\n\r\nhi\r\n.").starts_with("250 2.0.0"));
    assert!(inbox(&world, "alice@a.example").iter().any(|m| m.windows(15).any(|w| w == b"Subject: quoted")));
}

#[test]
fn bob_at_the_address_literal_of_mail_a_example_is_bob() {
    // RFC 1123 §5.2.17, as a textbook exercise types it: the host's own literal.
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(id);
    say(&mut world, id, "EHLO pc.a.example");
    say(&mut world, id, "MAIL FROM:<alice@a.example>");
    assert_eq!(say(&mut world, id, "RCPT TO:<bob@[192.0.2.25]>"), "250 2.1.5 Recipient <bob@a.example> OK\r\n");
    say(&mut world, id, "DATA");
    assert!(say(&mut world, id, "Subject: by literal\r\n\r\nhi\r\n.").starts_with("250 "));
    assert_eq!(inbox(&world, "bob@a.example").len(), 1);
}
