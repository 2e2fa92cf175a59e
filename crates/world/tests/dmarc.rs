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
    world.store_for(account).unwrap().folder(account, name).unwrap().messages.iter().map(|m| m.raw.to_vec()).collect()
}

/// The `Authentication-Results:` values of `message`, in order.
fn results_of(message: &[u8]) -> Vec<String> {
    header_fields(message).into_iter().filter(|f| f.name == "Authentication-Results").map(|f| f.value).collect()
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

/// spam.example.net sends with its own envelope (`promo@spam.example.net`,
/// which its SPF record allows).
fn from_spammer(world: &mut World, host: &str, rcpt: &str, message: &str) -> String {
    send(world, "spam.example.net", host, "promo@spam.example.net", rcpt, message)
}

/// What `pick` takes from each event it knows, oldest first.
fn events_of<T>(world: &World, pick: impl Fn(&EventKind) -> Option<T>) -> Vec<T> {
    world.events().filter_map(|e| pick(&e.kind)).collect()
}

fn dkim_events(world: &World) -> Vec<(String, String, String)> {
    events_of(world, |kind| match kind {
        EventKind::DkimChecked { host, domain, result, .. } => Some((host.clone(), domain.clone(), result.clone())),
        _ => None,
    })
}

fn dmarc_events(world: &World) -> Vec<(String, String, String, String)> {
    events_of(world, |kind| match kind {
        EventKind::DmarcChecked { host, from_domain, result, action, .. } => {
            Some((host.clone(), from_domain.clone(), result.clone(), action.clone()))
        }
        _ => None,
    })
}

#[test]
fn submitted_mail_is_signed_and_passes_all_three_at_the_other_domain() {
    let mut world = scenario::dmarc();
    let reply = submit(&mut world, "alice@a.example", "carol@b.example", "signed");
    assert!(reply.starts_with("250 "), "{reply}");
    let got = folder(&world, "carol@b.example", "INBOX");
    assert_eq!(got.len(), 1);
    let signature = field(&got[0], "DKIM-Signature");
    assert!(signature.starts_with("v=1; a=ed25519-sha256; c=relaxed/relaxed;\td=a.example; s=lab; t="), "{signature}");
    assert!(
        signature.contains("h=from:from:to:to:cc:subject:subject:date;"),
        "the fields the message has, and once more those a forger would add: {signature}"
    );
    assert_eq!(
        field(&got[0], "Authentication-Results"),
        "mail.b.example;\tspf=pass smtp.mailfrom=alice@a.example;\tdkim=pass header.d=a.example header.s=lab;\tdmarc=pass (p=reject dis=none) header.from=a.example"
    );
    let signed = world.events().any(|e| {
        matches!(&e.kind, EventKind::DkimSigned { host, domain, selector, .. }
            if host == "mail.a.example" && domain == "a.example" && selector == "lab")
    });
    assert!(signed);
    assert_eq!(dkim_events(&world), [("mail.b.example".into(), "a.example".into(), "pass".into())]);
    assert_eq!(dmarc_events(&world), [("mail.b.example".into(), "a.example".into(), "pass".into(), "deliver".into())]);
    // The key's question and answer, for the wiretap on mail.b.example's link to DNS.
    let asked = events_of(&world, |kind| match kind {
        EventKind::DkimChecked { lookups, .. } => Some(lookups.clone()),
        _ => None,
    });
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].len(), 1, "{asked:?}");
    assert_eq!(asked[0][0].0, "lab._domainkey.a.example TXT?");
    assert!(asked[0][0].1.starts_with("\"v=DKIM1; k=ed25519; p="), "{asked:?}");
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
    let reply = from_spammer(
        &mut world,
        "mail.b.example",
        "carol@b.example",
        "From: Alice <alice@a.example>\r\nSubject: your invoice\r\n\r\nPay now.",
    );
    assert_eq!(
        reply,
        "550 5.7.1 DMARC: rejected by the policy for a.example (SPF passed for spam.example.net, which is not aligned with a.example (relaxed), and no DKIM signature passed; a.example asks for p=reject)\r\n"
    );
    assert!(folder(&world, "carol@b.example", "INBOX").is_empty());
    assert!(folder(&world, "carol@b.example", "Junk").is_empty());
    assert_eq!(dmarc_events(&world), [("mail.b.example".into(), "a.example".into(), "fail".into(), "reject".into())]);
}

#[test]
fn p_quarantine_delivers_to_junk_with_the_verdict_on_top() {
    let mut world = scenario::dmarc();
    let reply = from_spammer(
        &mut world,
        "mail.a.example",
        "bob@a.example",
        "From: <carol@b.example>\r\nSubject: lunch?\r\n\r\nClick here.",
    );
    assert!(reply.starts_with("250 "), "{reply}");
    assert!(folder(&world, "bob@a.example", "INBOX").is_empty());
    let junk = folder(&world, "bob@a.example", "Junk");
    assert_eq!(junk.len(), 1);
    assert_eq!(
        field(&junk[0], "Authentication-Results"),
        "mail.a.example;\tspf=pass smtp.mailfrom=promo@spam.example.net;\tdmarc=fail (p=quarantine dis=quarantine) header.from=b.example"
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
        "mail.a.example;\tspf=fail smtp.mailfrom=alice@a.example;\tdkim=pass header.d=a.example header.s=lab;\tdmarc=pass (p=reject dis=none) header.from=a.example"
    );
    assert!(field(&got[0], "Received-SPF").starts_with(
        "fail (mail.a.example: domain of alice@a.example does not designate 198.51.100.25 as permitted sender)"
    ));
}

#[test]
fn forwarding_without_a_working_signature_is_refused() {
    // The same path with the key gone: nothing vouches for the message any
    // more, and DMARC (checked before SPF's own refusal) rejects it.
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
    let why = events_of(&world, |kind| match kind {
        EventKind::DkimChecked { why, .. } => Some(why.clone()),
        _ => None,
    })
    .pop();
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
    assert!(reply.starts_with("550 5.7.1 DMARC: rejected by the policy for a.example"), "{reply}");
    let why = events_of(&world, |kind| match kind {
        EventKind::DkimChecked { why, result, .. } => Some((result.clone(), why.clone())),
        _ => None,
    })
    .pop();
    assert_eq!(
        why.unwrap(),
        (
            "fail".into(),
            "the signature does not verify with the published key: a signed header field changed after signing (or the signature is forged)".into()
        )
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

#[test]
fn hostile_signatures_cost_bounded_time() {
    // Twenty valid signatures (a.example's key is printed in the scenario, so
    // anyone can make them), each naming 256 fields, over 60,000 header fields
    // and 1 MiB of whitespace runs (relaxed canonicalization's work): only the
    // first five are checked, each with one pass over the fields and the body.
    let mut world = scenario::dmarc();
    let mut message = String::from("From: <alice@a.example>\r\nSubject: heavy\r\n");
    for n in 0..60_000 {
        message.push_str(&format!("X-Filler: {n}\r\n"));
    }
    message.push_str("\r\n");
    while message.len() < 2 * 1024 * 1024 {
        message.push_str("x  \t  \t  \t  \t  \t  \t  \t  \t  \t  \t  \t  \t  \t  \t  \t  \t  \t  \t  \t  \t\r\n");
    }
    let mut names = vec!["x-filler"; 254];
    names.extend(["from", "subject"]);
    let signer = mail_lab_auth::dkim::Signer {
        domain: "a.example",
        selector: "lab",
        seed: scenario::A_EXAMPLE_DKIM_SEED,
        headers: &names,
    };
    let field = signer.sign(message.as_bytes(), world.now());
    let message = field.repeat(20) + &message;
    let started = std::time::Instant::now();
    let reply =
        send(&mut world, "spam.example.net", "mail.b.example", "x@spam.example.net", "carol@b.example", &message);
    let took = started.elapsed();
    assert!(reply.starts_with("250 "), "aligned DKIM passes, so DMARC passes: {reply}");
    assert_eq!(dkim_events(&world).len(), 5, "RFC 6376 §8.4: a verifier may limit the signatures it checks");
    assert!(dkim_events(&world).iter().all(|(_, _, result)| result == "pass"));
    // Generous for an unoptimised build on a slow machine; the work is linear.
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
}

#[test]
fn a_forged_result_in_this_hosts_name_is_removed() {
    let mut world = scenario::dmarc();
    let reply = from_spammer(
        &mut world,
        "mail.b.example",
        "carol@b.example",
        "Authentication-Results: mail.b.example;\r\n\tdmarc=pass header.from=spam.example.net\r\n\
         Authentication-Results:\r\n mail.b.example; dkim=pass\r\n\
         authentication-results : (made here) \"MAIL.B.EXAMPLE\" 1; spf=pass\r\n\
         Authentication-Results: elsewhere.example; none\r\n\
         From: <promo@spam.example.net>\r\nSubject: trust me\r\n\r\nHi.",
    );
    assert!(reply.starts_with("250 "), "{reply}");
    let got = folder(&world, "carol@b.example", "INBOX").pop().unwrap();
    let results = results_of(&got);
    assert_eq!(results, ["mail.b.example;\tspf=pass smtp.mailfrom=promo@spam.example.net", "elsewhere.example; none"]);
}

#[test]
fn a_result_forged_by_an_authenticated_user_is_removed_too() {
    // alice, logged in on 587, writes a verdict in her own host's name: the
    // copy stored for bob and the copy signed and relayed to carol lose it.
    let mut world = scenario::dmarc();
    let reply = submit_message(
        &mut world,
        "alice@a.example",
        &["bob@a.example", "carol@b.example"],
        "Authentication-Results: mail.a.example; dmarc=pass header.from=bank.example\r\n\
         From: <alice@a.example>\r\nTo: <bob@a.example>\r\nSubject: from your bank\r\n\r\nHi.",
    );
    assert!(reply.starts_with("250 "), "{reply}");
    world.run_until_idle();
    for (account, host_results) in [("bob@a.example", 0), ("carol@b.example", 1)] {
        let got = folder(&world, account, "INBOX").pop().unwrap();
        let results = results_of(&got);
        assert!(!results.iter().any(|r| r.starts_with("mail.a.example")), "{account}: {results:?}");
        // carol's host adds its own verdict on the way in; the signature still holds.
        assert_eq!(results.len(), host_results, "{account}: {results:?}");
        if account == "carol@b.example" {
            assert!(results[0].contains("dkim=pass"), "{results:?}");
        }
    }
}

#[test]
fn a_from_dmarc_cannot_read_is_refused_and_every_author_domain_is_checked() {
    let mut world = scenario::dmarc();
    let send_from = |world: &mut World, from: &str| {
        let message = format!("From: {from}\r\nSubject: who?\r\n\r\nHi.");
        from_spammer(world, "mail.b.example", "carol@b.example", &message)
    };
    // A comment after the address does not hide the domain.
    let reply = send_from(&mut world, "alice@a.example (Alice)");
    assert!(reply.starts_with("550 5.7.1 DMARC: rejected by the policy for a.example"), "{reply}");
    // Two authors: the forged one is checked too.
    let reply = send_from(&mut world, "promo@spam.example.net, alice@a.example");
    assert!(reply.starts_with("550 5.7.1 DMARC: rejected by the policy for a.example"), "{reply}");
    let reply = send_from(&mut world, "undisclosed-sender");
    assert_eq!(reply, "550 5.7.1 DMARC: a From: address has no domain, so its author cannot be checked\r\n");
    // A quoted domain names no zone (and must not reach our own results field).
    let reply = send_from(&mut world, "x@\"a\\\"; dmarc=pass header.from=b.example; x=\\\"\".b.example");
    assert_eq!(
        reply,
        "550 5.7.1 DMARC: a From: address's domain is not a domain name, so its author cannot be checked\r\n"
    );
    assert!(folder(&world, "carol@b.example", "INBOX").is_empty());
}

#[test]
fn a_signed_field_added_on_top_breaks_the_signature() {
    let mut world = scenario::dmarc();
    let message = signed_by_a(&mut world);
    // Oversigned: a second Subject: above the signed one is caught.
    let forged = format!("Subject: Urgent: new bank details\r\n{message}");
    let reply =
        send(&mut world, "mail.a.example", "mail.b.example", "alice@a.example", "carol@b.example", forged.trim_end());
    assert!(reply.starts_with("250 "), "SPF still vouches for the host: {reply}");
    assert_eq!(dkim_events(&world).last().unwrap().2, "fail");
}

#[test]
fn pct_samples_the_policy_the_same_way_for_the_same_message() {
    let mut world = scenario::dmarc();
    world.set_txt("_dmarc.a.example", vec!["v=DMARC1; p=reject; pct=50".into()]);
    let forged = |i: usize| format!("From: Alice <alice@a.example>\r\nSubject: invoice {i}\r\n\r\nPay now.");
    let replies: Vec<String> =
        (0..16).map(|i| from_spammer(&mut world, "mail.b.example", "carol@b.example", &forged(i))).collect();
    let refused: Vec<&String> = replies.iter().filter(|r| r.starts_with("550 5.7.1")).collect();
    let junked = replies.iter().filter(|r| r.starts_with("250 ")).count();
    // Half the draws, roughly, fall below 50: both policies are seen.
    assert!(!refused.is_empty() && junked > 0 && refused.len() + junked == 16, "{replies:?}");
    for r in &refused {
        let drew: u8 = r.split("this message drew ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!(drew < 50 && r.contains("(below 50), so reject"), "{r}");
    }
    // The rest went to Junk, the next lower policy, and say so.
    let junk = folder(&world, "carol@b.example", "Junk");
    assert_eq!(junk.len(), junked);
    assert!(junk.iter().all(|m| field(m, "Authentication-Results").contains("dmarc=fail (p=reject dis=quarantine)")));
    // The draw comes from the message: sent again, each gets the same answer.
    for (i, first) in replies.iter().enumerate() {
        let again = from_spammer(&mut world, "mail.b.example", "carol@b.example", &forged(i));
        assert_eq!(again.split(' ').next(), first.split(' ').next(), "{again} after {first}");
    }
}

fn held_events(world: &World) -> Vec<String> {
    events_of(world, |kind| match kind {
        EventKind::ListHeld { why, .. } => Some(why.clone()),
        _ => None,
    })
}

fn list_events(world: &World) -> Vec<(String, bool)> {
    events_of(world, |kind| match kind {
        EventKind::ListPosted { list, tagged, .. } => Some((list.clone(), *tagged)),
        _ => None,
    })
}

#[test]
fn a_list_that_tags_the_subject_breaks_the_signature_and_its_owner_gets_the_bounce() {
    let mut world = scenario::dmarc();
    let reply = submit(&mut world, "alice@a.example", "lab-list@b.example", "meeting notes");
    assert!(reply.starts_with("250 "), "{reply}");
    assert_eq!(list_events(&world), [("lab-list@b.example".into(), true)]);
    // carol, a member on the list's own host, gets the list's copy.
    let carol = folder(&world, "carol@b.example", "INBOX");
    let copy = carol.iter().find(|m| field(m, "List-Id") == "<lab-list.b.example>").expect("the list's copy");
    assert_eq!(field(copy, "Subject"), "[lab-list] meeting notes");
    assert_eq!(field(copy, "List-Post"), "<mailto:lab-list@b.example>");
    assert_eq!(field(copy, "Return-Path"), "<carol@b.example>", "sent from the list's owner (RFC 5321 §3.9.2)");
    assert_eq!(field(copy, "From"), "<alice@a.example>", "the author stays the author");
    // bob's host sees a.example's signature over a Subject that changed: DKIM
    // fails, SPF passes only for b.example, and a.example asks for p=reject.
    assert!(folder(&world, "bob@a.example", "INBOX").is_empty());
    assert!(folder(&world, "bob@a.example", "Junk").is_empty());
    assert_eq!(dkim_events(&world).last().unwrap(), &("mail.a.example".into(), "a.example".into(), "fail".into()));
    assert_eq!(
        dmarc_events(&world).last().unwrap(),
        &("mail.a.example".into(), "a.example".into(), "fail".into(), "reject".into())
    );
    // The refusal goes back to the list's owner, not to the author.
    let bounced = events_of(&world, |kind| match kind {
        EventKind::Bounced { to, recipients, .. } => Some(format!("{to} {}", recipients.join(","))),
        _ => None,
    });
    assert_eq!(bounced, ["carol@b.example bob@a.example"]);
    let carol = folder(&world, "carol@b.example", "INBOX");
    assert_eq!(carol.len(), 2, "the list's copy and the bounce");
    assert!(String::from_utf8_lossy(&carol[1]).contains("DMARC: rejected by the policy for a.example"));
    assert!(folder(&world, "alice@a.example", "INBOX").is_empty(), "alice hears nothing: the list took it");
}

#[test]
fn a_list_that_leaves_the_subject_alone_keeps_the_signature() {
    let mut world = scenario::dmarc();
    let mut list = world.mailing_lists()[0].clone();
    list.subject_tag.clear();
    world.add_mailing_list(list).unwrap();
    assert_eq!(world.mailing_lists().len(), 1, "the same list, replaced");
    let reply = submit(&mut world, "alice@a.example", "lab-list@b.example", "meeting notes");
    assert!(reply.starts_with("250 "), "{reply}");
    assert_eq!(list_events(&world), [("lab-list@b.example".into(), false)]);
    let got = folder(&world, "bob@a.example", "INBOX");
    assert_eq!(got.len(), 1);
    assert_eq!(field(&got[0], "Subject"), "meeting notes");
    assert_eq!(field(&got[0], "List-Id"), "<lab-list.b.example>", "a field added, not one signed");
    assert_eq!(
        field(&got[0], "Authentication-Results"),
        "mail.a.example;\tspf=pass smtp.mailfrom=carol@b.example;\tdkim=pass header.d=a.example header.s=lab;\tdmarc=pass (p=reject dis=none) header.from=a.example"
    );
}

#[test]
fn a_reply_to_the_list_keeps_one_tag() {
    let mut world = scenario::dmarc();
    let reply = submit(&mut world, "alice@a.example", "lab-list@b.example", "Re: [LAB-LIST] meeting notes");
    assert!(reply.starts_with("250 "), "{reply}");
    assert_eq!(list_events(&world), [("lab-list@b.example".into(), false)]);
    let carol = folder(&world, "carol@b.example", "INBOX");
    assert_eq!(field(&carol[0], "Subject"), "Re: [LAB-LIST] meeting notes");
    // Nothing changed that was signed: bob gets it.
    assert_eq!(folder(&world, "bob@a.example", "INBOX").len(), 1);
}

#[test]
fn a_post_the_list_host_would_quarantine_is_held_for_the_owner() {
    let mut world = scenario::dmarc();
    let reply = from_spammer(
        &mut world,
        "mail.b.example",
        "lab-list@b.example",
        "From: <carol@b.example>\r\nSubject: win a prize\r\n\r\nClick here.",
    );
    assert!(reply.starts_with("250 "), "{reply}");
    assert!(list_events(&world).is_empty(), "not sent on to the members");
    assert_eq!(held_events(&world), ["the post failed DMARC and would be quarantined"]);
    assert_eq!(folder(&world, "carol@b.example", "Junk").len(), 1);
    assert!(folder(&world, "carol@b.example", "INBOX").is_empty());
    assert!(world.queue().is_empty());
}

#[test]
fn the_lists_survive_a_snapshot_with_keys_or_without() {
    let mut keyless = scenario::spoofing();
    keyless.add_mailing_list(scenario::dmarc().mailing_lists()[0].clone()).unwrap();
    for world in [scenario::dmarc(), keyless] {
        // A copy taken off the native server's lock is written as the world is.
        let (mut streamed, mut from_copy) = (Vec::new(), Vec::new());
        world.write_json(&mut streamed).unwrap();
        world.snapshot().write_json(&mut from_copy).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), world.to_json());
        assert_eq!(String::from_utf8(from_copy).unwrap(), world.to_json());
        for text in [world.to_json(), world.to_compact()] {
            let back =
                if text.starts_with('{') { World::from_json(&text) } else { World::from_compact(&text) }.unwrap();
            assert_eq!(back.mailing_lists(), world.mailing_lists());
            assert_eq!(back.dkim_keys(), world.dkim_keys());
        }
    }
}

#[test]
fn a_list_that_could_lose_or_loop_mail_is_refused_with_the_reason() {
    let mut world = scenario::dmarc();
    let good = world.mailing_lists()[0].clone();
    let with = |change: fn(&mut mail_lab_world::MailingList)| {
        let mut list = good.clone();
        change(&mut list);
        list
    };
    let cases = [
        (with(|l| l.host = "mail.c.example".into()), "mail.c.example: no such host"),
        (with(|l| l.address = "x@a.example".into()), "x@a.example is not in a domain of mail.b.example"),
        (
            with(|l| l.address = "carol@b.example".into()),
            "carol@b.example is an account, an alias or a list of mail.b.example already",
        ),
        (with(|l| l.owner = "alice@a.example".into()), "the owner alice@a.example is not an account of mail.b.example"),
        (with(|l| l.members.clear()), "lab-list@b.example has no members"),
        (
            with(|l| l.members.push("nobody@b.example".into())),
            "the member nobody@b.example is not an account of mail.b.example",
        ),
        (
            with(|l| {
                l.address = "second@b.example".into();
                l.members.push("lab-list@b.example".into());
            }),
            "the member lab-list@b.example is a list (lists do not nest)",
        ),
    ];
    for (list, why) in cases {
        assert_eq!(world.add_mailing_list(list), Err(why.to_string()));
    }
    assert_eq!(world.mailing_lists(), [good], "nothing changed");
    // A saved world edited by hand is held to the same rules.
    let json = world.to_json().replace("\"owner\":\"carol@b.example\"", "\"owner\":\"nobody@b.example\"");
    let refused = World::from_json(&json).unwrap_err().to_string();
    assert!(
        refused.contains("mailing list: the owner nobody@b.example is not an account of mail.b.example"),
        "{refused}"
    );
}

/// The dmarc world with an alias on a.example that leads back to the list,
/// and the list (no tag, so the signature survives) posting to it too.
fn looping_list() -> World {
    let mut world = scenario::dmarc();
    world
        .host_mut("mail.a.example")
        .unwrap()
        .aliases
        .insert("relist@a.example".into(), vec!["lab-list@b.example".into()]);
    let mut list = world.mailing_lists()[0].clone();
    list.subject_tag.clear();
    list.members.push("relist@a.example".into());
    world.add_mailing_list(list).unwrap();
    world
}

#[test]
fn a_post_that_comes_back_through_the_list_is_held_for_the_owner() {
    let mut world = looping_list();
    // b.example lets mail.a.example send its mail, so the copy coming back
    // passes SPF and reaches the list again.
    world.set_txt("b.example", vec!["v=spf1 mx a:mail.a.example -all".into()]);
    let reply = submit(&mut world, "alice@a.example", "lab-list@b.example", "round and round");
    assert!(reply.starts_with("250 "), "{reply}");
    assert_eq!(list_events(&world).len(), 1, "posted once");
    assert_eq!(held_events(&world), ["the post came through this list before (a loop)"]);
    // carol gets the post as a member, and once more as the owner it came back to.
    assert_eq!(folder(&world, "carol@b.example", "INBOX").len(), 2);
    assert_eq!(folder(&world, "bob@a.example", "INBOX").len(), 1);
}

#[test]
fn a_bounce_from_the_other_domain_passes_dmarc_by_its_helo_name() {
    let mut world = looping_list();
    // The copy forwarded by relist@a.example keeps the list's envelope
    // (carol@b.example), which b.example's SPF does not let mail.a.example
    // send: refused, so mail.a.example bounces it to carol.
    let reply = submit(&mut world, "alice@a.example", "lab-list@b.example", "forwarded back");
    assert!(reply.starts_with("250 "), "{reply}");
    let bounced = world.events().any(|e| matches!(&e.kind, EventKind::Bounced { host, to, .. } if host == "mail.a.example" && to == "carol@b.example"));
    assert!(bounced);
    let discarded = world.events().any(|e| matches!(&e.kind, EventKind::BounceDiscarded { .. }));
    assert!(!discarded, "the bounce is not lost to b.example's DMARC check");
    let carol = folder(&world, "carol@b.example", "INBOX");
    assert_eq!(carol.len(), 2, "the post, and the bounce of the copy that came back");
    assert!(
        field(&carol[1], "Authentication-Results").contains("spf=pass smtp.mailfrom=postmaster@mail.a.example"),
        "{}",
        field(&carol[1], "Authentication-Results")
    );
    assert!(field(&carol[1], "Authentication-Results").contains("dmarc=pass"));
}

#[test]
fn expn_lists_the_members_of_a_list() {
    let mut world = scenario::dmarc();
    world.host_mut("mail.b.example").unwrap().mx.expn = true;
    let id: ConnectionId = world.connect("pc.a.example", "mail.b.example", 25).unwrap();
    world.take_output(id);
    say(&mut world, id, "EHLO pc.a.example");
    let reply = say(&mut world, id, "EXPN lab-list@b.example");
    assert!(
        reply.starts_with("250-") && reply.contains("bob@a.example") && reply.contains("carol@b.example"),
        "{reply}"
    );
}

#[test]
fn a_post_of_header_fields_only_gets_the_list_fields_on_lines_of_their_own() {
    let mut world = scenario::dmarc();
    // BDAT lets a message end without CRLF; this one is all header.
    let id: ConnectionId = world.connect("spam.example.net", "mail.b.example", 25).unwrap();
    world.take_output(id);
    say(&mut world, id, "EHLO spam.example.net");
    assert!(say(&mut world, id, "MAIL FROM:<promo@spam.example.net>").starts_with("250"));
    assert!(say(&mut world, id, "RCPT TO:<lab-list@b.example>").starts_with("250"));
    let data = "From: <promo@spam.example.net>\r\nSubject: hi";
    world.send(id, format!("BDAT {} LAST\r\n{data}", data.len()).as_bytes()).unwrap();
    let reply = String::from_utf8(world.take_output(id)).unwrap();
    assert!(reply.starts_with("250"), "{reply}");
    let copy = folder(&world, "carol@b.example", "INBOX").pop().unwrap();
    let text = String::from_utf8(copy).unwrap();
    assert!(
        text.ends_with(
            "Subject: [lab-list] hi\r\nList-Id: <lab-list.b.example>\r\nList-Post: <mailto:lab-list@b.example>\r\n"
        ),
        "{text}"
    );
}
