//! DMARC on SPF (feature `dmarc`; the same holds with DKIM, for unsigned
//! mail, as in the page's build): the page's DMARC lesson, step by step, as
//! the learner types it from pc.a.example.
#![cfg(feature = "dmarc")]
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_message::header_fields;
use mail_lab_world::{EventKind, World, scenario};

fn folder(world: &World, account: &str, name: &str) -> Vec<Vec<u8>> {
    let store = world.store_for(account).unwrap();
    store.folder(account, name).map(|f| f.messages.iter().map(|m| m.raw.to_vec()).collect()).unwrap_or_default()
}

/// pc.a.example gives `host`:25 an envelope from a domain with no SPF record,
/// and a message whose From: is `from`. Returns the reply to the end of DATA.
fn from_the_pc(world: &mut World, host: &str, rcpt: &str, from: &str) -> String {
    let id = world.connect("pc.a.example", host, 25).unwrap();
    world.take_output(id);
    say(world, id, "EHLO pc.a.example");
    assert!(say(world, id, "MAIL FROM:<winner@lottery.example>").starts_with("250"));
    assert!(say(world, id, &format!("RCPT TO:<{rcpt}>")).starts_with("250"));
    say(world, id, "DATA");
    let reply = say(world, id, &format!("From: <{from}>\r\nSubject: hello\r\n\r\nHello.\r\n."));
    say(world, id, "QUIT");
    reply
}

fn dmarc_events(world: &World) -> Vec<(String, String, String, String)> {
    let events = world.events().filter_map(|e| match &e.kind {
        EventKind::DmarcChecked { host, from_domain, result, action, .. } => {
            Some((host.clone(), from_domain.clone(), result.clone(), action.clone()))
        }
        _ => None,
    });
    events.collect()
}

/// The DNS questions and answers of the first DMARC check, for the wiretap.
fn first_dmarc_lookups(world: &World) -> Vec<(String, String)> {
    world
        .events()
        .find_map(|e| match &e.kind {
            EventKind::DmarcChecked { lookups, .. } => Some(lookups.clone()),
            _ => None,
        })
        .unwrap()
}

#[test]
fn spf_none_for_the_envelope_and_a_forged_from_is_rejected_as_a_example_asks() {
    let mut world = scenario::by_name("dmarc").unwrap();
    let reply = from_the_pc(&mut world, "mail.b.example", "carol@b.example", "alice@a.example");
    assert_eq!(
        reply,
        "550 5.7.1 DMARC: rejected by the policy for a.example (SPF gave none for lottery.example, and no DKIM signature passed; a.example asks for p=reject)\r\n"
    );
    assert!(folder(&world, "carol@b.example", "INBOX").is_empty());
    assert_eq!(dmarc_events(&world), [("mail.b.example".into(), "a.example".into(), "fail".into(), "reject".into())]);
    // The policy's lookup is written down for the wiretap, as SPF's are.
    let lookups = first_dmarc_lookups(&world);
    assert_eq!(lookups.len(), 1, "{lookups:?}");
    assert_eq!(lookups[0].0, "_dmarc.a.example TXT?");
    assert!(lookups[0].1.contains("v=DMARC1; p=reject"), "{lookups:?}");
}

#[test]
fn a_forged_from_in_b_example_goes_to_bobs_junk_as_b_example_asks() {
    let mut world = scenario::by_name("dmarc").unwrap();
    let reply = from_the_pc(&mut world, "mail.a.example", "bob@a.example", "carol@b.example");
    assert!(reply.starts_with("250 "), "{reply}");
    assert!(folder(&world, "bob@a.example", "INBOX").is_empty());
    let junk = folder(&world, "bob@a.example", "Junk");
    assert_eq!(junk.len(), 1);
    let results: Vec<String> =
        header_fields(&junk[0]).into_iter().filter(|f| f.name == "Authentication-Results").map(|f| f.value).collect();
    assert_eq!(
        results,
        [
            "mail.a.example;\tspf=none smtp.mailfrom=winner@lottery.example;\tdmarc=fail (p=quarantine dis=quarantine) header.from=b.example"
        ]
    );
    assert_eq!(dmarc_events(&world), [("mail.a.example".into(), "b.example".into(), "fail".into(), "junk".into())]);
}

#[test]
fn alices_own_mail_through_her_mx_passes_dmarc_on_spf() {
    let mut world = scenario::by_name("dmarc").unwrap();
    let id = world.connect("pc.a.example", "mail.a.example", 587).unwrap();
    world.take_output(id);
    say(&mut world, id, "EHLO pc.a.example");
    assert!(say(&mut world, id, "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3").starts_with("235"));
    say(&mut world, id, "MAIL FROM:<alice@a.example>");
    say(&mut world, id, "RCPT TO:<carol@b.example>");
    say(&mut world, id, "DATA");
    assert!(say(&mut world, id, "From: <alice@a.example>\r\nSubject: hi\r\n\r\nHi.\r\n.").starts_with("250"));
    world.run_until_idle();
    assert_eq!(folder(&world, "carol@b.example", "INBOX").len(), 1);
    let events = dmarc_events(&world);
    assert_eq!(events, [("mail.b.example".into(), "a.example".into(), "pass".into(), "deliver".into())]);
}

#[test]
fn a_from_domain_with_no_record_is_looked_up_and_shown_as_none() {
    let mut world = scenario::by_name("dmarc").unwrap();
    let reply = from_the_pc(&mut world, "mail.b.example", "carol@b.example", "winner@lottery.example");
    assert!(reply.starts_with("250 "), "{reply}");
    assert_eq!(
        dmarc_events(&world),
        [("mail.b.example".into(), "lottery.example".into(), "none".into(), "deliver".into())]
    );
    // The question and its answer reach the wiretap, as for a domain with a record.
    let lookups = first_dmarc_lookups(&world);
    assert_eq!(lookups, [("_dmarc.lottery.example TXT?".to_string(), "NXDOMAIN".to_string())]);
    // No record, no dmarc= clause in the header (RFC 8601 needs none).
    let inbox = folder(&world, "carol@b.example", "INBOX");
    let results: Vec<String> =
        header_fields(&inbox[0]).into_iter().filter(|f| f.name == "Authentication-Results").map(|f| f.value).collect();
    assert_eq!(results, ["mail.b.example;\tspf=none smtp.mailfrom=winner@lottery.example"]);
}
