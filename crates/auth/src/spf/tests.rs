//! RFC 7208 Appendix A: its zone and the results it gives for each record.

use super::*;
use crate::dns::{Record as Rr, Zone};

/// Appendix A's sample DNS, with `record` as example.com's SPF record.
fn appendix_a(record: &str) -> Zone {
    let mut z = Zone::new();
    let a = |s: &str| Rr::A(s.parse().unwrap());
    z.add("example.com", Rr::Mx(10, "mail-a.example.com".into()))
        .add("example.com", Rr::Mx(20, "mail-b.example.com".into()))
        .add("example.com", a("192.0.2.10"))
        .add("example.com", a("192.0.2.11"))
        .add("example.com", Rr::Txt(record.into()))
        .add("amy.example.com", a("192.0.2.65"))
        .add("bob.example.com", a("192.0.2.66"))
        .add("mail-a.example.com", a("192.0.2.129"))
        .add("mail-b.example.com", a("192.0.2.130"))
        .add("www.example.com", Rr::Cname("example.com".into()))
        .add("example.org", Rr::Mx(10, "mail-c.example.org".into()))
        .add("mail-c.example.org", a("192.0.2.140"));
    for (last, name) in [
        (10, "example.com"),
        (11, "example.com"),
        (65, "amy.example.com"),
        (66, "bob.example.com"),
        (129, "mail-a.example.com"),
        (130, "mail-b.example.com"),
        (140, "mail-c.example.org"),
    ] {
        z.add(&format!("{last}.2.0.192.in-addr.arpa"), Rr::Ptr(name.into()));
    }
    // A rogue reverse zone that claims to be something it is not.
    z.add("4.0.0.10.in-addr.arpa", Rr::Ptr("bob.example.com".into()));
    z
}

fn check_ip(zone: &mut Zone, ip: &str, from: &str) -> Verdict {
    let query = Query {
        ip: ip.parse().unwrap(),
        mail_from: from,
        helo: "mx.example.org",
        receiver: "mx.example.net",
        now: Time(0),
    };
    check_mail_from(zone, &query)
}

/// The addresses of the appendix, and which of them `record` lets send.
fn passing(record: &str) -> Vec<&'static str> {
    let all = [
        "192.0.2.10",
        "192.0.2.11",
        "192.0.2.65",
        "192.0.2.66",
        "192.0.2.128",
        "192.0.2.129",
        "192.0.2.130",
        "192.0.2.131",
        "192.0.2.140",
        "192.0.2.143",
        "10.0.0.4",
    ];
    let mut zone = appendix_a(record);
    all.into_iter()
        .filter(|ip| {
            let v = check_ip(&mut zone, ip, "someone@example.com");
            assert!(matches!(v.result, SpfResult::Pass | SpfResult::Fail), "{record} {ip}: {v:?}");
            v.result == SpfResult::Pass
        })
        .collect()
}

#[test]
fn appendix_a_1_simple_examples() {
    assert_eq!(passing("v=spf1 +all").len(), 11);
    assert_eq!(passing("v=spf1 a -all"), ["192.0.2.10", "192.0.2.11"]);
    assert!(passing("v=spf1 a:example.org -all").is_empty());
    assert_eq!(passing("v=spf1 mx -all"), ["192.0.2.129", "192.0.2.130"]);
    assert_eq!(passing("v=spf1 mx:example.org -all"), ["192.0.2.140"]);
    assert_eq!(passing("v=spf1 mx mx:example.org -all"), ["192.0.2.129", "192.0.2.130", "192.0.2.140"]);
    assert_eq!(
        passing("v=spf1 mx/30 mx:example.org/30 -all"),
        ["192.0.2.128", "192.0.2.129", "192.0.2.130", "192.0.2.131", "192.0.2.140", "192.0.2.143"]
    );
    assert_eq!(
        passing("v=spf1 ptr -all"),
        ["192.0.2.10", "192.0.2.11", "192.0.2.65", "192.0.2.66", "192.0.2.129", "192.0.2.130"]
    );
    assert_eq!(
        passing("v=spf1 ip4:192.0.2.128/28 -all"),
        ["192.0.2.128", "192.0.2.129", "192.0.2.130", "192.0.2.131", "192.0.2.140", "192.0.2.143"]
    );
}

#[test]
fn appendix_a_2_one_domain_includes_others_and_redirects() {
    let mut zone = appendix_a("v=spf1 mx -all");
    zone.add("example.net", Rr::Txt("v=spf1 ip4:192.0.2.20/31 -all".into()))
        .add("example.org", Rr::Txt("v=spf1 include:example.com include:example.net -all".into()))
        .add("la.example.org", Rr::Txt("v=spf1 redirect=example.org".into()));
    for (ip, result) in
        [("192.0.2.129", SpfResult::Pass), ("192.0.2.21", SpfResult::Pass), ("192.0.2.65", SpfResult::Fail)]
    {
        assert_eq!(check_ip(&mut zone, ip, "x@example.org").result, result, "{ip}");
        assert_eq!(check_ip(&mut zone, ip, "x@la.example.org").result, result, "{ip} via redirect");
    }
}

#[test]
fn appendix_a_3_dnsbl_style_exists() {
    let mut zone = appendix_a("v=spf1 mx -exists:%{ir}.sbl.example.org ~all");
    zone.add("65.2.0.192.sbl.example.org", Rr::A("127.0.0.2".parse().unwrap()));
    assert_eq!(check_ip(&mut zone, "192.0.2.129", "x@example.com").result, SpfResult::Pass);
    assert_eq!(check_ip(&mut zone, "192.0.2.65", "x@example.com").result, SpfResult::Fail);
    assert_eq!(check_ip(&mut zone, "192.0.2.66", "x@example.com").result, SpfResult::SoftFail);
}

#[test]
fn appendix_a_4_multiple_requirements_with_negated_includes() {
    let mut zone = appendix_a("v=spf1 -include:ip4._spf.%{d} -include:ptr._spf.%{d} +all");
    zone.add("ip4._spf.example.com", Rr::Txt("v=spf1 -ip4:192.0.2.0/24 +all".into()));
    // As printed, `-ptr` looks for names under ptr._spf.example.com itself, so
    // every address fails (erratum 6216).
    let mut printed = zone.clone();
    printed.add("ptr._spf.example.com", Rr::Txt("v=spf1 -ptr +all".into()));
    assert_eq!(check_ip(&mut printed, "192.0.2.65", "x@example.com").result, SpfResult::Fail);
    // As corrected: inside 192.0.2.0/24 and with a PTR name in example.com, both needed.
    zone.add("ptr._spf.example.com", Rr::Txt("v=spf1 -ptr:example.com +all".into()));
    assert_eq!(check_ip(&mut zone, "192.0.2.65", "x@example.com").result, SpfResult::Pass);
    assert_eq!(check_ip(&mut zone, "192.0.2.140", "x@example.com").result, SpfResult::Fail);
    assert_eq!(check_ip(&mut zone, "10.0.0.4", "x@example.com").result, SpfResult::Fail);
}

#[test]
fn no_record_none_two_records_permerror_and_a_broken_server_temperror() {
    let mut zone = appendix_a("v=spf1 -all");
    assert_eq!(check_ip(&mut zone, "192.0.2.1", "x@example.org").result, SpfResult::None);
    assert_eq!(check_ip(&mut zone, "192.0.2.1", "x@nowhere.example").result, SpfResult::None);
    assert_eq!(check_ip(&mut zone, "192.0.2.1", "x@localhost").result, SpfResult::None);
    zone.add("example.com", Rr::Txt("v=spf1 +all".into()));
    assert_eq!(check_ip(&mut zone, "192.0.2.1", "x@example.com").result, SpfResult::PermError);
    zone.time_out("slow.example");
    assert_eq!(check_ip(&mut zone, "192.0.2.1", "x@slow.example").result, SpfResult::TempError);
}

#[test]
fn the_lookup_limits_end_a_runaway_record() {
    let mut zone = Zone::new();
    zone.add("loop.example", Rr::Txt("v=spf1 include:loop.example -all".into()));
    let v = check_ip(&mut zone, "192.0.2.1", "x@loop.example");
    assert_eq!((v.result, v.lookups), (SpfResult::PermError, 11));
    assert!(matches!(&v.trace.last().unwrap().what, StepKind::Error(why) if why.contains("more than 10")));

    let mut zone = Zone::new();
    zone.add("void.example", Rr::Txt("v=spf1 a:n1.void.example a:n2.void.example a:n3.void.example +all".into()));
    assert_eq!(check_ip(&mut zone, "192.0.2.1", "x@void.example").result, SpfResult::PermError);
}

#[test]
fn a_fail_explains_itself_with_exp_and_the_trace_says_what_matched() {
    let mut zone = appendix_a("v=spf1 mx -all exp=explain._spf.%{d}");
    zone.add("explain._spf.example.com", Rr::Txt("%{i} is not one of %{d}'s designated mail servers.".into()));
    let v = check_ip(&mut zone, "192.0.2.65", "x@example.com");
    assert_eq!(v.result, SpfResult::Fail);
    assert_eq!(v.explanation.as_deref(), Some("192.0.2.65 is not one of example.com's designated mail servers."));
    assert_eq!(v.trace[1].what, StepKind::Term { term: "mx".into(), matched: false });
    assert_eq!(v.trace[2].what, StepKind::Term { term: "-all".into(), matched: true });

    let v = check_ip(&mut zone, "192.0.2.129", "x@example.com");
    assert_eq!((v.result, v.explanation), (SpfResult::Pass, None));
}

#[test]
fn ipv6_clients_match_ip6_and_aaaa_and_mapped_ipv4_is_ipv4() {
    let mut zone = Zone::new();
    zone.add("six.example", Rr::Txt("v=spf1 ip6:2001:db8:1::/48 a -all".into()))
        .add("six.example", Rr::Aaaa("2001:db8:2::25".parse().unwrap()))
        .add("four.example", Rr::Txt("v=spf1 ip4:192.0.2.0/24 -all".into()));
    assert_eq!(check_ip(&mut zone, "2001:db8:1::9", "x@six.example").result, SpfResult::Pass);
    assert_eq!(check_ip(&mut zone, "2001:db8:2::25", "x@six.example").result, SpfResult::Pass);
    assert_eq!(check_ip(&mut zone, "2001:db8:3::1", "x@six.example").result, SpfResult::Fail);
    assert_eq!(check_ip(&mut zone, "::ffff:192.0.2.7", "x@four.example").result, SpfResult::Pass);
}

#[test]
fn the_null_sender_is_checked_as_postmaster_at_the_helo_name() {
    let mut zone = Zone::new();
    zone.add("mx.example.org", Rr::Txt("v=spf1 ip4:192.0.2.9 -all".into()));
    let query =
        Query { ip: "192.0.2.9".parse().unwrap(), mail_from: "", helo: "mx.example.org", receiver: "", now: Time(0) };
    let v = check_mail_from(&mut zone, &query);
    assert_eq!((v.result, v.domain.as_str()), (SpfResult::Pass, "mx.example.org"));
    assert_eq!(check_helo(&mut zone, &query).result, SpfResult::Pass);
}

#[test]
fn long_expansions_are_cut_and_a_long_explanation_gives_the_default() {
    // A label of 60 octets, repeated by the macro: the name is cut from the left to 253.
    let label = "x".repeat(60);
    let mut zone = Zone::new();
    zone.add(
        &format!("{label}.example"),
        Rr::Txt("v=spf1 exists:%{d}.%{d}.%{d}.%{d}.%{d}.%{d} -all exp=e.%{d}".into()),
    );
    zone.add(&format!("e.{label}.example"), Rr::Txt("%{d} %{d} %{d} %{d} %{d}".into()));
    let v = check_ip(&mut zone, "192.0.2.1", &format!("x@{label}.example"));
    assert_eq!(v.result, SpfResult::Fail);
    assert_eq!(v.explanation.as_deref(), Some(DEFAULT_EXPLANATION), "5 × 68 octets is over {MAX_EXPLANATION}");
    // Many macros in one record expand to a bounded text, quickly.
    let many = "%{s}".repeat(20_000);
    let mut zone = Zone::new();
    zone.add("big.example", Rr::Txt(format!("v=spf1 exists:{many}.example -all")));
    let v = check_ip(&mut zone, "192.0.2.1", "someone@big.example");
    assert_eq!(v.result, SpfResult::Fail);
}

#[test]
fn an_address_literal_is_not_a_domain_to_check() {
    let mut zone = Zone::new();
    let query =
        Query { ip: "192.0.2.1".parse().unwrap(), mail_from: "", helo: "[192.0.2.1]", receiver: "", now: Time(0) };
    let v = check_helo(&mut zone, &query);
    assert_eq!((v.result, v.lookups), (SpfResult::None, 0));
    assert!(matches!(&v.trace[0].what, StepKind::Error(why) if why.contains("not a fully qualified domain name")));
}
