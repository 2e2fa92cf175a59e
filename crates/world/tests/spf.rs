//! SPF at the receiving MTA (RFC 7208): the spoofing scenario's forged sender
//! is refused at the end of DATA, relayed mail passes with `Received-SPF:`, and
//! with the check off nothing changes.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_message::header_fields;
use mail_lab_world::{EventKind, Policy, World, scenario};

/// `from_machine` talks to mail.b.example:25 as `sender`; returns the reply to the end of DATA.
fn send_direct(world: &mut World, from_machine: &str, sender: &str) -> String {
    send_message(world, from_machine, sender, &format!("From: <{sender}>\r\nSubject: urgent\r\n\r\nPay now."))
}

/// As [`send_direct`], with `message` (CRLF lines, no final dot) as DATA.
fn send_message(world: &mut World, from_machine: &str, sender: &str, message: &str) -> String {
    let id = world.connect(from_machine, "mail.b.example", 25).unwrap();
    world.take_output(id);
    say(world, id, &format!("EHLO {from_machine}"));
    assert!(say(world, id, &format!("MAIL FROM:<{sender}>")).starts_with("250"));
    assert!(say(world, id, "RCPT TO:<carol@b.example>").starts_with("250"));
    say(world, id, "DATA");
    let reply = say(world, id, &format!("{message}\r\n."));
    say(world, id, "QUIT");
    reply
}

/// The authserv-id and first method of each `Authentication-Results:`, in order.
fn results_in(raw: &[u8]) -> Vec<(String, String)> {
    header_fields(raw)
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("Authentication-Results"))
        .map(|f| {
            let a = mail_lab_message::auth_results::parse(&f.value);
            let first = a.results.first().map(|r| format!("{}={}", r.method, r.result)).unwrap_or_default();
            (a.authserv_id, first)
        })
        .collect()
}

#[test]
fn results_forged_in_this_hosts_name_are_removed_however_written() {
    // RFC 8601 §5: a reader trusts the field with its own host's id, so the
    // host takes out every such field it did not write (in the page too).
    let mut world = scenario::spoofing();
    let forged = "Authentication-Results: ((made) up) mail.b.example; spf=pass\r\n\
                  Authentication-Results: mail.b.example (the MTA) 1; dkim=pass\r\n\
                  authentication-results :\r\n \"MAIL.B.EXAMPLE \";\r\n\tdmarc=pass\r\n\
                  Authentication-Results: mail.b.example.; spf=pass\r\n\
                  Authentication-Results:\r\n\
                  Authentication-Results: mail.b.example; spf=fail\r\n\
                  no colon\r\n mail.b.example; spf=pass\r\n\
                  Authentication-Results: elsewhere.example; spf=fail\r\n\
                  From: <x@unlisted.example>\r\nSubject: trust me\r\n\r\nHi.";
    assert!(send_message(&mut world, "spam.example.net", "x@unlisted.example", forged).starts_with("250 "));
    let got = inbox(&world, "carol@b.example").pop().unwrap();
    // The empty one stays, and the line after a line that is no field joins
    // nothing: it cannot turn the empty one into a pass in this host's name.
    assert_eq!(
        results_in(&got),
        [
            ("mail.b.example".into(), "spf=none".into()),
            (String::new(), String::new()),
            ("elsewhere.example".into(), "spf=fail".into())
        ]
    );
    assert!(String::from_utf8_lossy(&got).contains("\r\nFrom: <x@unlisted.example>\r\nSubject: trust me\r\n\r\nHi."));
    // The timeline tells the learner what was taken out.
    let removed: Vec<(String, usize)> = world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::ForgedResultsRemoved { host, fields } => Some((host.clone(), *fields)),
            _ => None,
        })
        .collect();
    assert_eq!(removed, [("mail.b.example".to_string(), 5)]);
}

#[test]
fn a_refused_message_tells_of_no_removal() {
    // pc.a.example is not in a.example's record: SPF fails and nothing is kept,
    // so the timeline must not say a field was taken out of a stored message.
    let mut world = scenario::spoofing();
    let forged = "Authentication-Results: mail.b.example; spf=pass\r\nSubject: trust me\r\n\r\nHi.";
    assert!(send_message(&mut world, "pc.a.example", "alice@a.example", forged).starts_with("550 5.7.23"));
    assert!(!world.events().any(|e| matches!(e.kind, EventKind::ForgedResultsRemoved { .. })));
}

#[test]
fn many_forged_results_cost_the_length_of_the_message() {
    let mut world = scenario::spoofing();
    let field = "Authentication-Results: mail.b.example; spf=pass\r\n";
    let message = field.repeat(20_000) + "Subject: many\r\n\r\nHi.";
    let started = std::time::Instant::now();
    let reply = send_message(&mut world, "spam.example.net", "x@unlisted.example", &message);
    let took = started.elapsed();
    assert!(reply.starts_with("250 "), "{reply}");
    let got = inbox(&world, "carol@b.example").pop().unwrap();
    assert_eq!(results_in(&got), [("mail.b.example".into(), "spf=none".into())]);
    // Generous for an unoptimised build on a slow machine; the work is linear.
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
}

fn spf_events(world: &World) -> Vec<(String, String, String)> {
    world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::SpfChecked { host, domain, result, .. } => Some((host.clone(), domain.clone(), result.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_forged_sender_is_refused_with_5_7_23_and_nothing_is_stored() {
    let mut world = scenario::spoofing();
    let reply = send_direct(&mut world, "spam.example.net", "alice@a.example");
    assert_eq!(
        reply,
        "550 5.7.23 SPF fail: a.example does not authorise 203.0.113.66 to send its mail (the domain's SPF record does not list this address as a sender)\r\n"
    );
    assert!(inbox(&world, "carol@b.example").is_empty());
    assert_eq!(spf_events(&world), [("mail.b.example".into(), "a.example".into(), "fail".into())]);
}

#[test]
fn the_check_writes_down_its_dns_questions_and_answers() {
    let mut world = scenario::spoofing();
    send_direct(&mut world, "spam.example.net", "alice@a.example");
    let lookups: Vec<(String, String)> = world
        .events()
        .find_map(|e| match &e.kind {
            EventKind::SpfChecked { lookups, .. } => Some(lookups.clone()),
            _ => None,
        })
        .unwrap();
    let asked: Vec<(&str, &str)> = lookups.iter().map(|(q, a)| (q.as_str(), a.as_str())).collect();
    // v=spf1 mx -all: the record, then the MX and its address (A only: the
    // client's address is IPv4, RFC 7208 §5.4), which is not the client's.
    assert_eq!(
        asked,
        [
            ("a.example TXT?", "\"v=spf1 mx -all\""),
            ("a.example MX?", "mail.a.example"),
            ("mail.a.example A?", "192.0.2.25"),
        ]
    );
    // A domain with no DNS at all.
    let mut world = scenario::spoofing();
    send_direct(&mut world, "spam.example.net", "boss@nowhere.example");
    let last = world.events().filter_map(|e| match &e.kind {
        EventKind::SpfChecked { lookups, .. } => Some(lookups.clone()),
        _ => None,
    });
    assert_eq!(last.last().unwrap(), [("nowhere.example TXT?".to_string(), "NXDOMAIN".to_string())]);
}

#[test]
fn the_learners_pc_is_no_mail_server_of_a_example_either() {
    // Why a mail client submits on 587: straight to another domain's MX, the
    // PC's address is not in a.example's record.
    let mut world = scenario::spoofing();
    assert!(send_direct(&mut world, "pc.a.example", "alice@a.example").starts_with("550 5.7.23 "));
    let reply = submit(&mut world, "alice@a.example", "carol@b.example", "through my MX");
    assert!(reply.starts_with("250 "), "{reply}");
    let got = inbox(&world, "carol@b.example");
    assert_eq!(got.len(), 1);
    let fields = header_fields(&got[0]);
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).take(3).collect();
    assert_eq!(fields.len(), fields.iter().filter(|f| f.name != "Authentication-Results").count() + 1);
    assert_eq!(names, ["Return-Path", "Authentication-Results", "Received-SPF"], "above the receiver's Received line");
    assert_eq!(fields[3].name, "Received");
    assert_eq!(fields[1].value, "mail.b.example;\tspf=pass smtp.mailfrom=alice@a.example");
    assert_eq!(
        fields[2].value,
        "pass (mail.b.example: domain of alice@a.example designates 192.0.2.25 as permitted sender)\treceiver=mail.b.example; client-ip=192.0.2.25; envelope-from=\"alice@a.example\"; helo=mail.a.example; identity=mailfrom;"
    );
    // Submission with AUTH is not checked; the relay hop to mail.b.example is.
    assert_eq!(
        spf_events(&world),
        [
            ("mail.b.example".into(), "a.example".into(), "fail".into()),
            ("mail.b.example".into(), "a.example".into(), "pass".into())
        ]
    );
}

#[test]
fn softfail_none_and_neutral_are_delivered_and_labelled() {
    let mut world = scenario::spoofing();
    world.set_txt("a.example", vec!["v=spf1 mx ~all".into()]);
    assert!(send_direct(&mut world, "spam.example.net", "alice@a.example").starts_with("250 "));
    // A domain with no record at all: nothing to check against.
    assert!(send_direct(&mut world, "spam.example.net", "x@unlisted.example").starts_with("250 "));
    world.set_txt("a.example", vec!["v=spf1 mx ?all".into()]);
    assert!(send_direct(&mut world, "spam.example.net", "alice@a.example").starts_with("250 "));
    let results: Vec<String> = inbox(&world, "carol@b.example")
        .iter()
        .map(|raw| mail_lab_message::header_value(raw, "Received-SPF").unwrap().split(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(results, ["softfail", "none", "neutral"]);
}

#[test]
fn a_broken_record_is_a_permerror_and_the_mail_is_kept() {
    let mut world = scenario::spoofing();
    world.set_txt("a.example", vec!["v=spf1 mx -all".into(), "v=spf1 +all".into()]);
    assert!(send_direct(&mut world, "spam.example.net", "alice@a.example").starts_with("250 "));
    let raw = &inbox(&world, "carol@b.example")[0];
    let field = mail_lab_message::header_value(raw, "Received-SPF").unwrap();
    assert!(
        field.starts_with("permerror (mail.b.example: error in processing during lookup of alice@a.example)"),
        "{field}"
    );
    // Why is in the event (the timeline), not in the header.
    let why = world.events().find_map(|e| match &e.kind {
        EventKind::SpfChecked { why, .. } => Some(why.clone()),
        _ => None,
    });
    assert_eq!(why.as_deref(), Some("a.example publishes more than one SPF record"));
}

#[test]
fn with_the_check_off_the_forgery_is_delivered_untouched() {
    let mut world = scenario::spoofing();
    assert!(world.set_policy("mail.b.example", Policy::SpfCheck, false));
    assert_eq!(world.policy("mail.b.example", Policy::SpfCheck), Some(false));
    assert!(send_direct(&mut world, "spam.example.net", "alice@a.example").starts_with("250 "));
    let raw = &inbox(&world, "carol@b.example")[0];
    assert_eq!(mail_lab_message::header_value(raw, "Received-SPF"), None);
    assert!(spf_events(&world).is_empty());
    // two-domains publishes the records but checks nothing.
    assert_eq!(scenario::two_domains().policy("mail.b.example", Policy::SpfCheck), Some(false));
    assert_eq!(scenario::two_domains().txt("a.example"), ["v=spf1 mx -all"]);
}

#[test]
fn a_backup_mx_passing_mail_on_is_trusted_not_checked() {
    // backup.b.example holds b.example's mail while mail.b.example is down, then
    // hands it over: from an address a.example's record does not list.
    let mut world = scenario::backup_mx();
    world.set_policy("mail.b.example", Policy::SpfCheck, true);
    assert!(submit(&mut world, "alice@a.example", "carol@b.example", "via the backup").starts_with("250 "));
    world.advance(25 * 60_000);
    world.run_until_idle();
    assert_eq!(inbox(&world, "carol@b.example").len(), 1);
    assert!(spf_events(&world).is_empty(), "{:?}", spf_events(&world));
}

#[test]
fn an_address_literal_helo_is_quoted_in_received_spf() {
    let mut world = scenario::spoofing();
    let id = world.connect("spam.example.net", "mail.b.example", 25).unwrap();
    world.take_output(id);
    say(&mut world, id, "EHLO [203.0.113.66]");
    say(&mut world, id, "MAIL FROM:<x@unlisted.example>");
    say(&mut world, id, "RCPT TO:<carol@b.example>");
    say(&mut world, id, "DATA");
    assert!(say(&mut world, id, "Subject: literal\r\n\r\nx\r\n.").starts_with("250 "));
    let raw = &inbox(&world, "carol@b.example")[0];
    let field = mail_lab_message::header_value(raw, "Received-SPF").unwrap();
    assert!(field.contains("envelope-from=\"x@unlisted.example\"; helo=\"[203.0.113.66]\";"), "{field}");
}
