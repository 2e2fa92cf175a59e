//! Delivery status notifications as the sender asks for them (RFC 3461): NOTIFY
//! decides which reports go, RET what they carry, ENVID and ORCPT come back as
//! given, and a relay passes the request on to the next hop.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_world::{EventKind, World, scenario};

fn subject(raw: &[u8]) -> String {
    mail_lab_message::header_value(raw, "Subject").unwrap_or_default()
}

/// Alice submits on 587 with the given MAIL and RCPT parameters; the reply to the end of DATA.
fn submit_with(world: &mut World, mail: &str, rcpts: &[&str], body: &str) -> String {
    let message = format!("From: alice@a.example\r\nSubject: dsn test\r\n\r\n{body}");
    submit_with_parameters(world, &format!("<alice@a.example>{mail}"), rcpts, &message)
}

#[test]
fn notify_never_means_no_bounce() {
    let mut world = scenario::two_domains();
    let reply = submit_with(&mut world, "", &["<nobody@b.example> NOTIFY=NEVER"], "lost");
    assert!(reply.starts_with("250 "), "{reply}");
    world.run_until_idle();
    assert!(inbox(&world, "alice@a.example").is_empty(), "the sender asked for no bounce");
    assert!(world.events().any(|e| matches!(&e.kind,
        EventKind::BounceDiscarded { not_wanted: true, recipients, .. } if recipients == &["nobody@b.example"])));
    // Without NOTIFY the same failure bounces.
    submit_with(&mut world, "", &["<nobody@b.example>"], "lost");
    world.run_until_idle();
    assert_eq!(inbox(&world, "alice@a.example").len(), 1);
}

#[test]
fn notify_success_is_passed_on_and_the_last_host_reports_the_delivery() {
    let mut world = scenario::two_domains();
    let reply = submit_with(
        &mut world,
        " RET=FULL ENVID=QQ314159",
        &["<carol@b.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Carol@b.example"],
        "the whole body",
    );
    assert!(reply.starts_with("250 "), "{reply}");
    world.run_until_idle();
    assert_eq!(inbox(&world, "carol@b.example").len(), 1);
    // mail.a.example passed the request on to mail.b.example (RFC 3461 §5.2).
    let relayed: String = world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::LinkBytes { bytes, .. } => Some(String::from_utf8_lossy(bytes).into_owned()),
            _ => None,
        })
        .collect();
    assert!(relayed.contains("RET=FULL ENVID=QQ314159"), "MAIL passed on");
    assert!(relayed.contains("RCPT TO:<carol@b.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Carol@b.example"));
    // mail.b.example stored it, and so sent the report back, from <>.
    let reports = inbox(&world, "alice@a.example");
    assert_eq!(reports.len(), 1);
    let text = String::from_utf8_lossy(&reports[0]).into_owned();
    assert_eq!(subject(&reports[0]), "Successful Mail Delivery Report");
    assert!(text.starts_with("Return-Path: <>\r\n"));
    assert!(text.contains("Original-Envelope-Id: QQ314159\r\nReporting-MTA: dns; mail.b.example\r\n"));
    assert!(text.contains("Original-Recipient: rfc822;Carol@b.example\r\nFinal-Recipient: rfc822; carol@b.example\r\nAction: delivered\r\nStatus: 2.0.0\r\n"));
    assert!(text.contains("Content-Type: message/rfc822\r\n") && text.contains("the whole body"), "RET=FULL");
    assert!(
        world
            .events()
            .any(|e| matches!(&e.kind, EventKind::Reported { delayed: false, to, .. } if to == "alice@a.example"))
    );
}

#[test]
fn notify_delay_reports_the_first_wait_and_ret_hdrs_keeps_the_body_out() {
    let mut world = scenario::two_domains();
    world.host_mut("mail.b.example").unwrap().up = false;
    submit_with(&mut world, " RET=HDRS", &["<carol@b.example> NOTIFY=DELAY,FAILURE"], "private body");
    let reports = inbox(&world, "alice@a.example");
    assert_eq!(reports.len(), 1, "one delay report at the first deferral");
    assert_eq!(subject(&reports[0]), "Delayed Mail (still being retried)");
    let text = String::from_utf8_lossy(&reports[0]).into_owned();
    assert!(text.contains("Action: delayed\r\nStatus: 4.0.0\r\n"), "{text}");
    assert!(text.contains("Content-Type: text/rfc822-headers") && !text.contains("private body"));
    // The later retries send no more delay reports; giving up sends the failure.
    world.run_until_idle();
    let subjects: Vec<String> = inbox(&world, "alice@a.example").iter().map(|m| subject(m)).collect();
    assert_eq!(subjects, ["Delayed Mail (still being retried)", "Undelivered Mail Returned to Sender"]);
}

#[test]
fn a_local_delivery_is_reported_when_asked_and_not_otherwise() {
    let mut world = scenario::two_domains();
    // staff@ is an alias: expanded, not a mailbox, so no "delivered" is said of it.
    submit_with(&mut world, "", &["<bob@a.example> NOTIFY=SUCCESS", "<staff@a.example> NOTIFY=SUCCESS"], "hello");
    world.run_until_idle();
    // staff@ reaches alice too: her copy is there beside the one report.
    let reports: Vec<Vec<u8>> = inbox(&world, "alice@a.example")
        .into_iter()
        .filter(|m| subject(m) == "Successful Mail Delivery Report")
        .collect();
    assert_eq!(reports.len(), 1, "a report for bob only");
    let text = String::from_utf8_lossy(&reports[0]).into_owned();
    assert!(text.contains("Final-Recipient: rfc822; bob@a.example\r\nAction: delivered\r\n"));
    assert!(!text.contains("staff@a.example"));
}
