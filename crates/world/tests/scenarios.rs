//! Each built-in scenario, run to its end: who got what, which bounces, what
//! the wiretap saw.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_message::header_value;
use mail_lab_proto::sasl::Proof;
use mail_lab_world::{ConnectionId, EventKind, Protocol, World, scenario};

fn smtp(world: &mut World, from_machine: &str, host: &str, lines: &[&str]) -> String {
    let id = world.connect(from_machine, host, 25).unwrap();
    world.take_output(id);
    lines.iter().map(|l| say(world, id, l)).collect()
}

#[test]
fn every_name_builds_its_world() {
    for name in scenario::NAMES {
        assert!(scenario::by_name(name).is_some(), "{name}");
    }
    #[cfg(feature = "dmarc")]
    for name in scenario::DMARC_NAMES {
        assert!(scenario::by_name(name).is_some(), "{name}");
    }
    assert!(scenario::by_name("nope").is_none());
}

#[test]
fn open_relay_carries_the_spammers_forged_mail() {
    let mut world = scenario::by_name("open-relay").unwrap();
    let out = smtp(
        &mut world,
        "spam.example.net",
        "mail.b.example",
        &[
            "EHLO totally-legit.example",
            "MAIL FROM:<ceo@a.example>",
            "RCPT TO:<bob@a.example>",
            "DATA",
            "From: CEO <ceo@a.example>\r\nSubject: Urgent wire transfer\r\n\r\nPay now.\r\n.",
            "QUIT",
        ],
    );
    assert!(
        out.contains("250 2.1.5 Recipient <bob@a.example> OK"),
        "an open relay accepts mail for a foreign domain: {out}"
    );
    let got = inbox(&world, "bob@a.example");
    assert_eq!(got.len(), 1);
    assert_eq!(header_value(&got[0], "Subject").as_deref(), Some("Urgent wire transfer"));
    let text = String::from_utf8_lossy(&got[0]).into_owned();
    assert!(
        text.contains("from totally-legit.example ([203.0.113.66])\r\n\tby mail.b.example"),
        "the trace shows the real origin: {text}"
    );
    // The same attempt against mail.a.example (not open) is refused.
    let out = smtp(
        &mut world,
        "spam.example.net",
        "mail.a.example",
        &["EHLO x.example", "MAIL FROM:<ceo@a.example>", "RCPT TO:<carol@b.example>"],
    );
    assert!(out.contains("554 5.7.1 <carol@b.example>: Relay access denied"), "{out}");
}

#[test]
fn backup_mx_holds_mail_while_the_primary_is_down() {
    let mut world = scenario::by_name("backup-mx").unwrap();
    assert!(submit(&mut world, "alice@a.example", "carol@b.example", "hold it").starts_with("250"));
    assert!(inbox(&world, "carol@b.example").is_empty());
    assert_eq!(world.queue()[0].host, "backup.b.example");
    world.run_until_idle();
    assert_eq!(inbox(&world, "carol@b.example").len(), 1);
    assert!(world.events().any(|e| matches!(&e.kind, EventKind::HostUp { host } if host == "mail.b.example")));
    assert!(inbox(&world, "alice@a.example").is_empty(), "no bounce");
}

#[test]
fn pop_before_smtp_opens_relay_for_the_reader() {
    let mut world = scenario::by_name("pop-before-smtp").unwrap();
    let try_relay = |world: &mut World| {
        smtp(
            world,
            "pc.a.example",
            "mail.a.example",
            &["EHLO pc.a.example", "MAIL FROM:<bob@a.example>", "RCPT TO:<carol@b.example>"],
        )
    };
    assert!(try_relay(&mut world).contains("554 5.7.1"));
    let pop = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(pop);
    say(&mut world, pop, "USER bob");
    say(&mut world, pop, "PASS bob-pw");
    say(&mut world, pop, "QUIT");
    assert!(try_relay(&mut world).contains("250 2.1.5 Recipient <carol@b.example> OK"));
    world.advance(11 * 60_000);
    assert!(try_relay(&mut world).contains("554 5.7.1"));
}

/// Everything an eavesdropper captured on connection `id`, and whether some of it was inside TLS.
fn seen_by_eavesdropper(world: &World, id: ConnectionId) -> (String, bool) {
    let mut wire = Vec::new();
    let mut encrypted = false;
    for e in world.events() {
        if let EventKind::LinkBytes { connection, encrypted: enc, bytes, .. } = &e.kind
            && *connection == id
        {
            let seen = e.kind.seen_on_wire(e.seq).unwrap();
            assert_eq!(seen.len(), bytes.len(), "ciphertext is as long as the plaintext");
            assert_eq!(seen == *bytes, !*enc, "inside TLS nothing crosses as it was sent");
            encrypted |= *enc;
            wire.extend(seen);
        }
    }
    (String::from_utf8_lossy(&wire).into_owned(), encrypted)
}

#[test]
fn eavesdropping_plaintext_apop_and_stls() {
    let mut world = scenario::by_name("eavesdropping").unwrap();
    // USER/PASS in the clear: the password is on the wire.
    let plain = world.connect("cafe-wifi.example", "mail.a.example", 110).unwrap();
    world.take_output(plain);
    say(&mut world, plain, "USER bob");
    say(&mut world, plain, "PASS bob-pw");
    let (seen, _) = seen_by_eavesdropper(&world, plain);
    assert!(seen.contains("PASS bob-pw\r\n"));
    // APOP: only a digest crosses; the password does not.
    let apop = world.connect("cafe-wifi.example", "mail.a.example", 110).unwrap();
    let greeting = String::from_utf8(world.take_output(apop)).unwrap();
    let ts = &greeting[greeting.find('<').unwrap()..=greeting.find('>').unwrap()];
    let digest = mail_lab_proto::sasl::apop_digest(ts, "bob-pw");
    say(&mut world, plain, "QUIT");
    assert!(say(&mut world, apop, &format!("APOP bob {digest}")).starts_with("+OK"));
    let (seen, _) = seen_by_eavesdropper(&world, apop);
    assert!(seen.contains(&digest) && !seen.contains("bob-pw"));
    say(&mut world, apop, "QUIT");
    // STLS first: nothing after it is readable.
    let tls = world.connect("cafe-wifi.example", "mail.a.example", 110).unwrap();
    world.take_output(tls);
    say(&mut world, tls, "STLS");
    say(&mut world, tls, "USER bob");
    say(&mut world, tls, "PASS bob-pw");
    let (seen, encrypted) = seen_by_eavesdropper(&world, tls);
    assert!(encrypted && seen.contains("STLS\r\n") && !seen.contains("bob-pw") && !seen.contains("USER bob"));
    // The event log says the same, per login: what was sent and whether TLS hid it.
    let logins: Vec<(Proof, bool)> = world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::LoggedIn { protocol: Protocol::Pop3, account, proof, encrypted, .. } => {
                assert_eq!(account, "bob@a.example");
                Some((*proof, *encrypted))
            }
            _ => None,
        })
        .collect();
    assert_eq!(logins, [(Proof::Password, false), (Proof::Digest, false), (Proof::Password, true)]);
}

#[test]
fn refusals_by_policy_and_pop3_reads_are_events() {
    let mut world = scenario::two_domains();
    deliver_to_bob(&mut world, "read me");
    let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(id);
    say(&mut world, id, "EHLO pc.a.example\r\nMAIL FROM:<alice@a.example>");
    assert!(say(&mut world, id, "RCPT TO:<carol@b.example>").starts_with("554 5.7.1"));
    let sub = world.connect("pc.a.example", "mail.a.example", 587).unwrap();
    world.take_output(sub);
    say(&mut world, sub, "EHLO pc.a.example");
    assert!(say(&mut world, sub, "MAIL FROM:<alice@a.example>").starts_with("530 5.7.0"));
    let refusals: Vec<(String, String)> = world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::PolicyRefused { host, client, rule, reply } => {
                assert_eq!((host.as_str(), client.as_str()), ("mail.a.example", "192.0.2.10"));
                Some((rule.clone(), reply[..3].to_string()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(refusals, [("relay".to_string(), "554".to_string()), ("auth-required".into(), "530".into())]);

    let pop = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(pop);
    say(&mut world, pop, "USER bob\r\nPASS bob-pw\r\nLIST");
    let reads = |world: &World| world.events().filter(|e| matches!(e.kind, EventKind::MessageRead { .. })).count();
    assert_eq!(reads(&world), 0, "LIST reads no message");
    assert!(say(&mut world, pop, "RETR 1").starts_with("+OK"));
    let read = world.events().find_map(|e| match &e.kind {
        EventKind::MessageRead { host, account, uid } => Some((host.clone(), account.clone(), *uid)),
        _ => None,
    });
    assert_eq!(read, Some(("mail.a.example".into(), "bob@a.example".into(), 1)));
}

#[test]
fn dial_up_host_gets_its_mail_when_online() {
    let mut world = scenario::by_name("dial-up").unwrap();
    world.advance(20 * 60_000); // 09:20: offline until 10:00
    assert!(submit(&mut world, "alice@a.example", "carol@b.example", "by dial-up").starts_with("250"));
    world.run_until_idle();
    assert_eq!(inbox(&world, "carol@b.example").len(), 1);
    let delivered = world.events().find_map(|e| matches!(e.kind, EventKind::Relayed { .. }).then_some(e.at)).unwrap();
    assert_eq!(delivered, scenario::START.plus_millis(60 * 60_000));
}

#[test]
fn policies_switch_at_run_time_and_new_sessions_follow_them() {
    use mail_lab_world::Policy;
    let mut world = scenario::two_domains();
    let host = "mail.a.example";
    // TLS before login: USER/PASS refused in the clear, fine after STLS.
    assert_eq!(world.policy(host, Policy::TlsBeforeLogin), Some(false));
    assert!(world.set_policy(host, Policy::TlsBeforeLogin, true));
    let pop = world.connect("pc.a.example", host, 110).unwrap();
    world.take_output(pop);
    assert!(say(&mut world, pop, "USER bob").starts_with("-ERR [AUTH] USER/PASS is disabled until STLS"));
    say(&mut world, pop, "STLS");
    assert!(say(&mut world, pop, "USER bob").starts_with("+OK"));
    let imap = world.connect("pc.a.example", host, 143).unwrap();
    assert!(String::from_utf8(world.take_output(imap)).unwrap().contains("LOGINDISABLED"));
    // VRFY off: 252, not an answer about the user.
    let smtp = world.connect("pc.a.example", host, 25).unwrap();
    world.take_output(smtp);
    say(&mut world, smtp, "EHLO pc.a.example");
    assert!(say(&mut world, smtp, "VRFY bob").starts_with("250"));
    world.set_policy(host, Policy::Vrfy, false);
    let smtp = world.connect("pc.a.example", host, 25).unwrap();
    world.take_output(smtp);
    say(&mut world, smtp, "EHLO pc.a.example");
    assert!(!say(&mut world, smtp, "VRFY bob").starts_with("250"), "VRFY no longer confirms users");
    // A service switched off refuses connections; back on, it answers.
    assert!(world.set_policy(host, Policy::Service(110), false));
    assert!(matches!(
        world.connect("pc.a.example", host, 110),
        Err(mail_lab_world::WorldError::ConnectionRefused { .. })
    ));
    world.set_policy(host, Policy::Service(110), true);
    assert!(world.connect("pc.a.example", host, 110).is_ok());
    assert!(!world.set_policy(host, Policy::Service(8080), true), "no such service");
    assert!(!world.set_policy("nowhere.example", Policy::Vrfy, true));
    // POP before SMTP switched on opens relay after a POP3 login.
    world.set_policy(host, Policy::PopBeforeSmtp, true);
    assert_eq!(world.policy(host, Policy::PopBeforeSmtp), Some(true));
}

#[test]
fn a_scheduled_outage_and_a_dial_up_window_are_down_with_their_end() {
    use mail_lab_world::HostState;
    let mut world = scenario::backup_mx();
    let start = world.now();
    assert_eq!(
        world.host_state("mail.b.example"),
        Some(HostState::ScheduledDown { until: Some(start.plus_millis(20 * 60_000)) })
    );
    assert_eq!(world.host_state("backup.b.example"), Some(HostState::Up));
    world.advance(20 * 60_000);
    assert_eq!(world.host_state("mail.b.example"), Some(HostState::Up));
    world.host_mut("mail.b.example").unwrap().up = false;
    assert_eq!(world.host_state("mail.b.example"), Some(HostState::TakenDown));
    assert_eq!(world.host_state("nowhere.example"), None);

    // Online the first 10 minutes of every hour: down from minute 10 until the hour.
    let mut dial = scenario::dial_up();
    let minute = dial.now().as_secs() / 60 % 60;
    dial.advance((70 - minute.min(10)) % 60 * 60_000 + 60_000);
    let HostState::ScheduledDown { until: Some(until) } = dial.host_state("mail.b.example").unwrap() else {
        panic!("offline outside its window: {:?}", dial.host_state("mail.b.example"))
    };
    assert_eq!(until.as_secs() % 3600, 0, "back on the hour");
    dial.advance((until.as_secs() - dial.now().as_secs()) * 1000);
    assert_eq!(dial.host_state("mail.b.example"), Some(HostState::Up));
}

#[test]
fn the_learner_sits_at_the_first_client_machine_and_its_home_is_its_domains_mx() {
    for world in [scenario::two_domains(), scenario::open_relay(), scenario::backup_mx(), scenario::eavesdropping()] {
        let pc = world.learner().unwrap();
        assert_eq!(pc.name, "pc.a.example");
        assert_eq!(world.learner_accounts(), ["bob@a.example", "alice@a.example", "carol@b.example"]);
        assert_eq!(world.home_host(), Some("mail.a.example"));
    }
    // A world with no client machine still has a home: its first host.
    let mut bare = mail_lab_world::World::new(scenario::START);
    bare.add_host(scenario::two_domains().host("mail.b.example").unwrap().clone());
    assert_eq!((bare.learner(), bare.home_host()), (None, Some("mail.b.example")));
    assert!(bare.learner_accounts().is_empty());
}
