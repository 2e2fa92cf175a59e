//! RFC 8463 Appendix A: its keys, its signed message, and what changes break.

use super::*;
use crate::dns::{Record, Zone};

/// RFC 8463 A.3: the RFC 6376 example message, signed with both keys.
const SIGNED: &str = "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;
 d=football.example.com; i=@football.example.com;
 q=dns/txt; s=brisbane; t=1528637909; h=from : to :
 subject : date : message-id : from : subject : date;
 bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
 b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus
 Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;
 d=football.example.com; i=@football.example.com;
 q=dns/txt; s=test; t=1528637909; h=from : to : subject :
 date : message-id : from : subject : date;
 bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;
 b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3
 DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz
 dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=
From: Joe SixPack <joe@football.example.com>
To: Suzie Q <suzie@shopping.example.net>
Subject: Is dinner ready?
Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)
Message-ID: <20030712040037.46341.5F8J@football.example.com>

Hi.

We lost the game.  Are you hungry yet?

Joe.
";

/// RFC 8463 A.2's private key: the seed of RFC 8032's first test key.
const SEED: &str = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";

fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

/// RFC 8463 A.2's key records.
fn zone() -> Zone {
    let mut z = Zone::new();
    z.add(
        "brisbane._domainkey.football.example.com",
        Record::Txt("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=".into()),
    );
    z.add(
        "test._domainkey.football.example.com",
        Record::Txt(
            "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"
                .into(),
        ),
    );
    z
}

/// The verdicts on the signatures this build verifies: without feature `rsa`,
/// the RSA one is left out (its own test is below).
const NOT_AN_RSA_KEY: &str = if cfg!(feature = "rsa") { "is not an RSA public key" } else { "does not verify" };

fn results(message: &[u8]) -> Vec<(DkimResult, String)> {
    let got = verify(&mut zone(), message, Time::from_secs(1_528_637_909));
    got.into_iter().filter(|v| cfg!(feature = "rsa") || v.selector != "test").map(|v| (v.result, v.why)).collect()
}

#[test]
fn both_rfc_8463_signatures_verify() {
    let got = results(&crlf(SIGNED));
    assert_eq!(got.len(), if cfg!(feature = "rsa") { 2 } else { 1 });
    assert!(got.iter().all(|(r, _)| *r == DkimResult::Pass), "{got:?}");
}

#[cfg(not(feature = "rsa"))]
#[test]
fn without_rsa_an_rsa_signature_is_a_permerror_that_says_so() {
    let got = verify(&mut zone(), &crlf(SIGNED), Time::from_secs(1_528_637_909));
    let rsa = got.iter().find(|v| v.selector == "test").unwrap();
    assert_eq!(rsa.result, DkimResult::PermError);
    assert!(rsa.why.contains("RSA key, which this build does not verify"), "{}", rsa.why);
}

#[test]
fn signing_the_rfc_8463_data_with_its_key_gives_its_ed25519_signature() {
    // Ed25519 is deterministic: the same key over the same data gives the RFC's b=.
    let message = crlf(SIGNED);
    let (fields, _) = canon::split(&message);
    let sig = &fields[0];
    let names: Vec<String> = "from:to:subject:date:message-id:from:subject:date".split(':').map(String::from).collect();
    let data = signed_data(&fields, &names, true, &without_b_value(sig.raw));
    let seed: [u8; 32] = base64_value(SEED).unwrap().try_into().unwrap();
    let b = ed25519_dalek::SigningKey::from_bytes(&seed).sign(&Sha256::digest(&data));
    assert_eq!(
        base64::engine::general_purpose::STANDARD.encode(b.to_bytes()),
        "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw=="
    );
}

#[test]
fn a_changed_body_or_signed_header_fails_with_the_reason() {
    let body_changed = crlf(&SIGNED.replace("Are you hungry yet?", "Are you hungry now?"));
    for (result, why) in results(&body_changed) {
        assert_eq!(result, DkimResult::Fail);
        assert!(why.contains("body hash"), "{why}");
    }
    let subject_changed = crlf(&SIGNED.replace("Subject: Is dinner ready?", "Subject: Is lunch ready?"));
    for (result, why) in results(&subject_changed) {
        assert_eq!(result, DkimResult::Fail);
        assert!(why.contains("signed header field changed"), "{why}");
    }
    // Relaxed canonicalization forgives whitespace a relay may change.
    let rewrapped = crlf(&SIGNED.replace("Subject: Is dinner ready?", "Subject:   Is dinner   ready?  "));
    assert!(results(&rewrapped).iter().all(|(r, _)| *r == DkimResult::Pass));
    // A header field added after signing and not signed does not matter...
    let mut added = crlf("X-Mailing-List: cooks\n");
    added.extend(crlf(SIGNED));
    assert!(results(&added).iter().all(|(r, _)| *r == DkimResult::Pass));
    // ...but a second Subject: on top is caught: RFC 8463's h= names subject
    // twice, so the top one is signed too (oversigning, RFC 6376 §8.15).
    let mut forged = crlf("Subject: Win a prize\n");
    forged.extend(crlf(SIGNED));
    assert!(results(&forged).iter().all(|(r, _)| *r == DkimResult::Fail));
}

#[test]
fn a_message_signed_here_verifies_and_its_key_record_is_published() {
    let seed: [u8; 32] = base64_value(SEED).unwrap().try_into().unwrap();
    let signer = Signer { domain: "a.example", selector: "lab", seed, headers: &["from", "to", "subject"] };
    assert_eq!(signer.key_record(), "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    let message = crlf("From: alice@a.example\nTo: carol@b.example\nSubject: hi\n\nHello.\n");
    let mut signed = signer.sign(&message, Time::from_secs(1_800_000_000)).into_bytes();
    signed.extend_from_slice(&message);
    let mut zone = Zone::new();
    zone.add("lab._domainkey.a.example", Record::Txt(signer.key_record()));
    let got = verify(&mut zone, &signed, Time::from_secs(1_800_000_000));
    assert_eq!(got.len(), 1);
    assert_eq!((got[0].result, got[0].domain.as_str()), (DkimResult::Pass, "a.example"), "{}", got[0].why);
}

#[test]
fn unusable_signatures_and_keys_are_permerrors() {
    let message = crlf(SIGNED);
    // No key published.
    let mut empty = Zone::new();
    let got = verify(&mut empty, &message, Time(0));
    assert!(got.iter().all(|v| v.result == DkimResult::PermError && v.why.contains("no key record")));
    // A revoked key.
    let mut revoked = Zone::new();
    revoked.add("brisbane._domainkey.football.example.com", Record::Txt("v=DKIM1; k=ed25519; p=".into()));
    assert!(verify(&mut revoked, &message, Time(0))[0].why.contains("revoked"));
    // A DNS failure is temporary.
    let mut broken = Zone::new();
    broken.time_out("brisbane._domainkey.football.example.com");
    assert_eq!(verify(&mut broken, &message, Time(0))[0].result, DkimResult::TempError);
    // h= without From:, a missing d=, an unknown algorithm.
    let h = "h=from : to :\n subject : date : message-id : from : subject : date;";
    for (what, changed) in [
        ("h= without from", SIGNED.replacen(h, "h=to : subject;", 1)),
        ("no d=", SIGNED.replacen(" d=football.example.com;", "", 1)),
        ("a=ed448-sha256", SIGNED.replacen("a=ed25519-sha256", "a=ed448-sha256", 1)),
        ("d= not a domain", SIGNED.replacen(" d=football.example.com;", " d=foot ball(x).example;", 1)),
        ("s= not a selector", SIGNED.replacen(" s=brisbane;", " s=../etc;", 1)),
    ] {
        assert_ne!(changed, SIGNED, "{what}");
        let got = results(&crlf(&changed));
        assert_eq!(got[0].0, DkimResult::PermError, "{what}: {got:?}");
    }
    // A hostile field is refused before any work grows with it.
    let many_tags = SIGNED.replacen("q=dns/txt;", &(0..100_000).map(|n| format!("z{n}=1;")).collect::<String>(), 1);
    assert!(results(&crlf(&many_tags))[0].1.contains("more than 64 tags"));
    let many_names = SIGNED.replacen("h=from :", &format!("h={}from :", "to:".repeat(100_000)), 1);
    assert!(results(&crlf(&many_names))[0].1.contains("more than 256 header fields"));
    // Keys that are not keys, and a b= of the wrong size, are permerrors
    // with their reason, not a "changed in transit" fail.
    let ed = "brisbane._domainkey.football.example.com";
    for (record, why) in
        [("v=DKIM1; k=ed25519; p=AAAA", "is not 32 octets"), ("v=DKIM1; k=rsa; p=AAAA", NOT_AN_RSA_KEY)]
    {
        let mut zone = Zone::new();
        zone.add(ed, Record::Txt(record.into()));
        let got = verify(&mut zone, &message, Time(0));
        let v = got.iter().find(|v| v.result == DkimResult::PermError && v.why.contains(why));
        assert!(v.is_some(), "{record}: {got:?}");
    }
    let short_b = SIGNED.replacen(
        "b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\n Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==",
        "b=AAAA",
        1,
    );
    assert_ne!(short_b, SIGNED);
    assert!(results(&crlf(&short_b)).iter().any(|(r, why)| *r == DkimResult::PermError && why.contains("64 octets")));
    // Echoed values are cut short.
    let long_a = SIGNED.replacen("a=ed25519-sha256", &format!("a={}", "x".repeat(10_000)), 1);
    assert!(results(&crlf(&long_a))[0].1.len() < 200);
    // An unsigned message has nothing to check.
    assert!(results(&crlf("From: a@b.example\n\nx\n")).is_empty());
}

#[test]
fn l_is_refused_by_policy_even_when_it_verifies() {
    let seed: [u8; 32] = base64_value(SEED).unwrap().try_into().unwrap();
    let signer = Signer { domain: "a.example", selector: "lab", seed, headers: &["from"] };
    let message = crlf("From: alice@a.example\n\nHello.\n");
    let field = signer.sign(&message, Time(0));
    // Re-sign by hand with l=8 ("Hello.\r\n"): the data changes, so sign the new field.
    let unsigned = field.split("b=").next().unwrap().to_string().replace("bh=", "l=8; bh=") + "b=";
    let (fields, _) = canon::split(&message);
    let data = signed_data(&fields, &["from".to_string()], true, unsigned.as_bytes());
    let b = ed25519_dalek::SigningKey::from_bytes(&seed).sign(&Sha256::digest(&data));
    let mut signed =
        format!("{unsigned}{}\r\n", base64::engine::general_purpose::STANDARD.encode(b.to_bytes())).into_bytes();
    signed.extend_from_slice(&message);
    signed.extend_from_slice(b"Click here to claim your prize.\r\n");
    let mut zone = Zone::new();
    zone.add("lab._domainkey.a.example", Record::Txt(signer.key_record()));
    let got = verify(&mut zone, &signed, Time(0));
    assert_eq!(got[0].result, DkimResult::Policy, "{}", got[0].why);
}

#[test]
fn a_tag_list_refuses_a_name_given_twice_and_keeps_case() {
    // RFC 6376 §3.2: names are case-sensitive, and a duplicate makes the list invalid.
    let tags = tags(" v=1;\td = a.example ; D=b.example;").unwrap();
    assert_eq!(tags, [("v".into(), "1".into()), ("d".into(), "a.example".into()), ("D".into(), "b.example".into())]);
    assert_eq!(tag(&tags, "d"), Some("a.example"));
    assert_eq!(super::tags("v=1; d=a.example; d=b.example"), Err("the tag d= appears twice".into()));
    assert_eq!(super::tags("v=1; d"), Err("\"d\" is not tag=value".into()));
}
