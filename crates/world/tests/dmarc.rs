//! DKIM and DMARC through the world (feature `dkim`): mail.a.example signs
//! what its users submit, the receiving MX verifies it, and the From: domain's
//! DMARC policy decides what happens to mail neither SPF nor DKIM ties to it.
#![cfg(feature = "dkim")]
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_message::header_fields;
use mail_lab_world::{ConnectionId, EventKind, World, scenario};

fn folder(world: &World, account: &str, name: &str) -> Vec<Vec<u8>> {
    world.store_for(account).unwrap().folder(account, name).unwrap().messages.iter().map(|m| m.raw.clone()).collect()
}

fn field(message: &[u8], name: &str) -> String {
    header_fields(message).into_iter().find(|f| f.name.eq_ignore_ascii_case(name)).map(|f| f.value).unwrap_or_default()
}

/// `machine` talks to `host`:25: the envelope, then `message` as DATA.
/// Returns the reply to the end of DATA.
fn send(world: &mut World, machine: &str, host: &str, mail_from: &str, rcpt: &str, message: &str) -> String {
    let id: ConnectionId = world.connect(machine, host, 25).unwrap();
    world.take_output(id);
    say(world, id, &format!("EHLO {machine}"));
    assert!(say(world, id, &format!("MAIL FROM:<{mail_from}>")).starts_with("250"));
    let rcpt = say(world, id, &format!("RCPT TO:<{rcpt}>"));
    assert!(rcpt.starts_with("250"), "{rcpt}");
    say(world, id, "DATA");
    let reply = say(world, id, &format!("{message}\r\n."));
    say(world, id, "QUIT");
    reply
}

fn dkim_events(world: &World) -> Vec<(String, String, String)> {
    world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::DkimChecked { host, domain, result, .. } => Some((host.clone(), domain.clone(), result.clone())),
            _ => None,
        })
        .collect()
}

fn dmarc_events(world: &World) -> Vec<(String, String, String, String)> {
    world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::DmarcChecked { host, from_domain, result, action, .. } => {
                Some((host.clone(), from_domain.clone(), result.clone(), action.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn submitted_mail_is_signed_and_passes_all_three_at_the_other_domain() {
    let mut world = scenario::dmarc();
    let reply = submit(&mut world, "alice@a.example", "carol@b.example", "signed");
    assert!(reply.starts_with("250 "), "{reply}");
    let got = folder(&world, "carol@b.example", "INBOX");
    assert_eq!(got.len(), 1);
    let signature = field(&got[0], "DKIM-Signature");
    assert!(signature.starts_with("v=1; a=ed25519-sha256; c=relaxed/relaxed; d=a.example; s=lab;"), "{signature}");
    assert!(signature.contains("h=from:to:subject;"), "only the fields the message has: {signature}");
    assert_eq!(
        field(&got[0], "Authentication-Results"),
        "mail.b.example;\tspf=pass smtp.mailfrom=alice@a.example;\tdkim=pass header.d=a.example header.s=lab;\tdmarc=pass policy.dmarc=reject header.from=a.example"
    );
    let signed = world.events().any(|e| {
        matches!(&e.kind, EventKind::DkimSigned { host, domain, selector, .. }
            if host == "mail.a.example" && domain == "a.example" && selector == "lab")
    });
    assert!(signed);
    assert_eq!(dkim_events(&world), [("mail.b.example".into(), "a.example".into(), "pass".into())]);
    assert_eq!(dmarc_events(&world), [("mail.b.example".into(), "a.example".into(), "pass".into(), "deliver".into())]);
}

#[test]
fn the_key_is_published_where_a_verifier_looks_for_it() {
    let world = scenario::dmarc();
    let key = world.dkim_keys().iter().find(|k| k.domain == "a.example").unwrap();
    assert_eq!((key.host.as_str(), key.selector.as_str()), ("mail.a.example", "lab"));
    let snapshot = world.snapshot();
    let record = snapshot.dns_txt.get("lab._domainkey.a.example").unwrap();
    assert_eq!(record.len(), 1);
    assert!(record[0].starts_with("v=DKIM1; k=ed25519; p="), "{record:?}");
}

#[test]
fn a_forged_from_is_refused_as_the_domain_asks_with_p_reject() {
    let mut world = scenario::dmarc();
    // The spammer's own envelope passes SPF: only DMARC sees the forged From:.
    let reply = send(
        &mut world,
        "spam.example.net",
        "mail.b.example",
        "promo@spam.example.net",
        "carol@b.example",
        "From: Alice <alice@a.example>\r\nSubject: your invoice\r\n\r\nPay now.",
    );
    assert_eq!(
        reply,
        "550 5.7.1 DMARC: a.example asks receivers to reject this message (SPF passed for spam.example.net, which is not aligned with a.example (relaxed), and no DKIM signature passed; a.example asks for p=reject)\r\n"
    );
    assert!(folder(&world, "carol@b.example", "INBOX").is_empty());
    assert!(folder(&world, "carol@b.example", "Junk").is_empty());
    assert_eq!(dmarc_events(&world), [("mail.b.example".into(), "a.example".into(), "fail".into(), "reject".into())]);
}

#[test]
fn p_quarantine_delivers_to_junk_with_the_verdict_on_top() {
    let mut world = scenario::dmarc();
    let reply = send(
        &mut world,
        "spam.example.net",
        "mail.a.example",
        "promo@spam.example.net",
        "bob@a.example",
        "From: <carol@b.example>\r\nSubject: lunch?\r\n\r\nClick here.",
    );
    assert!(reply.starts_with("250 "), "{reply}");
    assert!(folder(&world, "bob@a.example", "INBOX").is_empty());
    let junk = folder(&world, "bob@a.example", "Junk");
    assert_eq!(junk.len(), 1);
    assert_eq!(
        field(&junk[0], "Authentication-Results"),
        "mail.a.example;\tspf=pass smtp.mailfrom=promo@spam.example.net;\tdmarc=fail policy.dmarc=quarantine header.from=b.example"
    );
    let delivered = world.events().any(|e| {
        matches!(&e.kind, EventKind::Delivered { account, folder, .. } if account == "bob@a.example" && folder == "Junk")
    });
    assert!(delivered, "the learner sees where it went");
}

#[test]
fn forwarded_mail_fails_spf_at_the_next_hop_and_dkim_carries_it() {
    let mut world = scenario::dmarc();
    // alice -> forward@b.example -> bob@a.example: the second hop comes from
    // mail.b.example with alice's envelope, which a.example's SPF does not allow.
    let reply = submit(&mut world, "alice@a.example", "forward@b.example", "via b");
    assert!(reply.starts_with("250 "), "{reply}");
    let got = folder(&world, "bob@a.example", "INBOX");
    assert_eq!(got.len(), 1, "not refused for the SPF fail: the signature passed");
    assert_eq!(
        field(&got[0], "Authentication-Results"),
        "mail.a.example;\tspf=fail smtp.mailfrom=alice@a.example;\tdkim=pass header.d=a.example header.s=lab;\tdmarc=pass policy.dmarc=reject header.from=a.example"
    );
    assert!(field(&got[0], "Received-SPF").starts_with(
        "fail (mail.a.example: domain of alice@a.example does not designate 198.51.100.25 as permitted sender)"
    ));
}

#[test]
fn forwarding_without_a_signature_is_refused_for_its_spf_fail() {
    // The same path with the key gone: nothing vouches for the message any more.
    let mut world = scenario::dmarc();
    world.set_txt("lab._domainkey.a.example", Vec::new());
    let reply = submit(&mut world, "alice@a.example", "forward@b.example", "via b");
    assert!(reply.starts_with("250 "), "{reply}");
    assert!(folder(&world, "bob@a.example", "INBOX").is_empty());
    let refused = world.events().any(|e| matches!(&e.kind, EventKind::Bounced { .. }));
    assert!(refused, "mail.b.example's relay is refused and alice gets a bounce");
    assert_eq!(dkim_events(&world).last().unwrap().2, "permerror");
}

/// alice's message as mail.b.example received it: signed by mail.a.example.
fn signed_by_a(world: &mut World) -> String {
    assert!(submit(world, "alice@a.example", "carol@b.example", "original").starts_with("250 "));
    let raw = folder(world, "carol@b.example", "INBOX").pop().unwrap();
    let text = String::from_utf8(raw).unwrap();
    // From the signature down: what left mail.a.example.
    text[text.find("DKIM-Signature:").unwrap()..].to_string()
}

#[test]
fn a_byte_changed_in_the_body_fails_with_the_body_hash() {
    let mut world = scenario::dmarc();
    let message = signed_by_a(&mut world).replace("Hello.", "Hello!");
    // Sent on by a host a.example's SPF allows, so only DKIM can tell.
    let reply =
        send(&mut world, "mail.a.example", "mail.b.example", "alice@a.example", "carol@b.example", message.trim_end());
    assert!(reply.starts_with("250 "), "{reply}");
    let got = folder(&world, "carol@b.example", "INBOX").pop().unwrap();
    assert!(field(&got, "Authentication-Results").contains("dkim=fail header.d=a.example header.s=lab"));
    let why = world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::DkimChecked { why, .. } => Some(why.clone()),
            _ => None,
        })
        .last();
    assert_eq!(why.unwrap(), "the body hash (bh=) does not match: the body changed after signing");
}

#[test]
fn a_signed_header_changed_fails_and_dmarc_rejects_what_spf_cannot_vouch_for() {
    let mut world = scenario::dmarc();
    let message = signed_by_a(&mut world).replace("Subject: original", "Subject: [list] original");
    // A mailing list on spam.example.net resends it with its own envelope.
    let reply = send(
        &mut world,
        "spam.example.net",
        "mail.b.example",
        "list@spam.example.net",
        "carol@b.example",
        message.trim_end(),
    );
    assert!(reply.starts_with("550 5.7.1 DMARC: a.example asks receivers to reject this message"), "{reply}");
    let why = world
        .events()
        .filter_map(|e| match &e.kind {
            EventKind::DkimChecked { why, result, .. } => Some((result.clone(), why.clone())),
            _ => None,
        })
        .last();
    assert_eq!(
        why.unwrap(),
        ("fail".into(), "the signature does not match: a signed header field changed after signing".into())
    );
}

#[test]
fn the_keys_survive_a_snapshot() {
    let world = scenario::dmarc();
    for text in [world.to_json(), world.to_compact()] {
        let back = if text.starts_with('{') { World::from_json(&text) } else { World::from_compact(&text) }.unwrap();
        assert_eq!(back.dkim_keys(), world.dkim_keys());
    }
    let mut back = World::from_json(&world.to_json()).unwrap();
    assert!(submit(&mut back, "alice@a.example", "carol@b.example", "after restart").starts_with("250 "));
    let got = folder(&back, "carol@b.example", "INBOX");
    assert!(field(&got[0], "Authentication-Results").contains("dkim=pass"));
}
