//! DMARC, RFC 7489: the domain in the From: field a person reads publishes at
//! `_dmarc.domain` what a receiver should do with mail that neither SPF nor
//! DKIM ties to that domain. A pass needs one of them to pass *for an aligned
//! domain*: SPF's MAIL FROM domain or a DKIM signature's `d=` must be the From:
//! domain (strict) or share its organizational domain (relaxed, the default).

use crate::dns::{DnsError, Resolver};
use crate::shown;
use crate::spf::SpfResult;

/// Most tags of a record read: far above any real record; the rest are ignored.
pub const MAX_TAGS: usize = 64;

/// What the domain asks receivers to do with mail that fails (`p=`, `sp=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Deliver as usual; only report.
    None,
    /// Deliver, but as suspicious: here, to the recipient's Junk folder.
    Quarantine,
    /// Refuse at the end of DATA (550 5.7.1).
    Reject,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::None => "none",
            Disposition::Quarantine => "quarantine",
            Disposition::Reject => "reject",
        }
    }

    fn parse(text: &str) -> Option<Disposition> {
        Some(match text.to_ascii_lowercase().as_str() {
            "none" => Disposition::None,
            "quarantine" => Disposition::Quarantine,
            "reject" => Disposition::Reject,
            _ => return None,
        })
    }
}

/// A DMARC record (RFC 7489 §6.3), the tags this receiver acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub policy: Disposition,
    /// `sp=`: for subdomains of the domain that published the record.
    pub subdomain_policy: Option<Disposition>,
    /// `adkim=s`: DKIM's `d=` must equal the From: domain.
    pub strict_dkim: bool,
    /// `aspf=s`: the MAIL FROM domain must equal the From: domain.
    pub strict_spf: bool,
    /// `pct=`: the share of failing mail the policy is meant for.
    pub percent: u8,
}

/// Reads a TXT record as DMARC. `Ok(None)` is a TXT record that is not one
/// (another `v=`), or a DMARC record without a valid `p=` and no `rua=` (which
/// RFC 7489 §6.3 says to ignore); an error names what makes a record unusable.
pub fn parse_record(text: &str) -> Result<Option<Record>, String> {
    // v=DMARC1 must come first (RFC 7489 §6.4).
    let (version, rest) = text.split_once(';').unwrap_or((text, ""));
    if !version.replace(|c: char| c.is_ascii_whitespace(), "").eq_ignore_ascii_case("v=DMARC1") {
        return Ok(None);
    }
    let mut record = Record {
        policy: Disposition::None,
        subdomain_policy: None,
        strict_dkim: false,
        strict_spf: false,
        percent: 100,
    };
    let mut policy = None;
    let (mut bad_policy, mut reports) = (false, false);
    // Names are read without regard to case; a later tag replaces an earlier one.
    for spec in crate::tag_specs(rest).take(MAX_TAGS) {
        let (name, value) = spec?;
        let name = name.to_ascii_lowercase();
        let strict = || match value.to_ascii_lowercase().as_str() {
            "s" => Ok(true),
            "r" => Ok(false),
            _ => Err(format!("{name}={} is neither r nor s", shown(value))),
        };
        match name.as_str() {
            "p" => {
                policy = Disposition::parse(value);
                bad_policy |= policy.is_none();
            }
            "sp" => {
                record.subdomain_policy = Disposition::parse(value);
                bad_policy |= record.subdomain_policy.is_none();
            }
            "rua" => reports = value.split(',').any(|uri| uri.trim().to_ascii_lowercase().starts_with("mailto:")),
            "adkim" => record.strict_dkim = strict()?,
            "aspf" => record.strict_spf = strict()?,
            "pct" => {
                record.percent = value
                    .parse::<u8>()
                    .ok()
                    .filter(|p| *p <= 100)
                    .ok_or_else(|| format!("pct={} is not 0 to 100", shown(value)))?
            }
            // ruf, fo, rf, ri: reports, which this lab does not send.
            _ => {}
        }
    }
    // Without a valid p= (or with a bad sp=) the record counts as p=none when
    // it asks for reports, and is ignored otherwise (RFC 7489 §6.6.3).
    match policy {
        Some(p) if !bad_policy => record.policy = p,
        _ if reports => {
            record.policy = Disposition::None;
            record.subdomain_policy = None;
        }
        _ => return Ok(None),
    }
    Ok(Some(record))
}

/// The organizational domain (RFC 7489 §3.2): the public suffix plus one
/// label. With feature `suffix_list`, by the whole Public Suffix List (the
/// `psl` crate's copy, compiled in: no list is fetched). `mail.a.example` →
/// `a.example` (an unlisted top-level name is a suffix of one label);
/// `www.example.co.jp` → `example.co.jp`; with the whole list only,
/// `www.city.kawasaki.jp` → `city.kawasaki.jp` (an exception rule). A name
/// that is itself a public suffix is its own.
pub fn organizational_domain(domain: &str) -> String {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    registrable(&domain).unwrap_or(&domain).to_string()
}

#[cfg(feature = "suffix_list")]
fn registrable(domain: &str) -> Option<&str> {
    psl::domain_str(domain)
}

/// The suffixes of two labels a classroom meets most: Japan's by kind of
/// organization, and a few others'. The page carries these, not the whole list.
#[cfg(not(feature = "suffix_list"))]
const SHORT_SUFFIX_LIST: [&str; 16] = [
    "ac.jp", "ad.jp", "co.jp", "ed.jp", "go.jp", "gr.jp", "lg.jp", "ne.jp", "or.jp", "ac.uk", "co.uk", "org.uk",
    "com.au", "com.cn", "co.kr", "com.tw",
];

/// The same rule (the longest listed suffix, else the last label, plus one
/// label) over [`SHORT_SUFFIX_LIST`].
#[cfg(not(feature = "suffix_list"))]
fn registrable(domain: &str) -> Option<&str> {
    let suffix_labels =
        if SHORT_SUFFIX_LIST.iter().any(|s| domain.strip_suffix(s).is_some_and(|rest| rest.ends_with('.'))) {
            2
        } else {
            1
        };
    let starts = domain.char_indices().filter(|&(_, c)| c == '.').map(|(i, _)| i + 1);
    let starts: Vec<usize> = std::iter::once(0).chain(starts).collect();
    let keep = suffix_labels + 1;
    (starts.len() >= keep).then(|| &domain[starts[starts.len() - keep]..])
}

/// Identifier alignment (RFC 7489 §3.1): the same name (strict), or the same
/// organizational domain (relaxed).
pub fn aligned(from_domain: &str, other: &str, strict: bool) -> bool {
    let (a, b) = (from_domain.trim_end_matches('.'), other.trim_end_matches('.'));
    if strict { a.eq_ignore_ascii_case(b) } else { organizational_domain(a) == organizational_domain(b) }
}

/// The results of RFC 8601 §2.7.1 for DMARC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmarcResult {
    /// The From: domain publishes no DMARC record.
    None,
    Pass,
    Fail,
    TempError,
    PermError,
}

impl DmarcResult {
    pub fn as_str(self) -> &'static str {
        match self {
            DmarcResult::None => "none",
            DmarcResult::Pass => "pass",
            DmarcResult::Fail => "fail",
            DmarcResult::TempError => "temperror",
            DmarcResult::PermError => "permerror",
        }
    }
}

/// What the checks before DMARC found.
pub struct Inputs<'a> {
    /// The domain of the From: field.
    pub from_domain: &'a str,
    /// SPF's result and the domain it checked (MAIL FROM's, or HELO's for `<>`).
    pub spf: (SpfResult, &'a str),
    /// The `d=` of every DKIM signature that passed.
    pub dkim_passes: &'a [String],
    /// The `d=` of every DKIM signature whose check could not finish now
    /// (its key lookup failed: `temperror`).
    pub dkim_temp_errors: &'a [String],
    /// This message's draw, 0 to 99, for a record's `pct=` below 100: the
    /// policy is applied when the draw is below `pct`, the next lower policy
    /// otherwise (RFC 7489 §6.3 `pct`, §6.6.4). The RFC asks for a random
    /// number; the lab's engines have no randomness, so the caller draws it
    /// from the message ([`draw`]): the same octets always draw the same.
    pub draw: u8,
}

/// A message's draw for `pct=` sampling, 0 to 99: its octets hashed
/// (FNV-1a, 64-bit), scaled to 0..100 from the hash's high bits, which every
/// octet stirs (the low bits of FNV-1a follow only the octets' low bits).
pub fn draw(message: &[u8]) -> u8 {
    let hash =
        message.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    ((u128::from(hash) * 100) >> 64) as u8
}

/// The DMARC check of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub result: DmarcResult,
    /// What the receiver does: the record's `p=` (or `sp=`) on a fail,
    /// [`Disposition::None`] otherwise.
    pub disposition: Disposition,
    /// The policy the record publishes for this domain, with its tag (`p` or
    /// `sp`), when there is a record (for Authentication-Results).
    pub policy: Option<(&'static str, Disposition)>,
    /// What decided the result, for the learner.
    pub why: String,
}

/// The DMARC record for `domain`: its own, else its organizational domain's
/// (RFC 7489 §6.6.3), with the name it was found at.
fn discover(dns: &mut dyn Resolver, domain: &str) -> Result<Option<(Record, String)>, (DmarcResult, String)> {
    let organizational = organizational_domain(domain);
    let mut names = vec![domain.to_ascii_lowercase()];
    if organizational != names[0] {
        names.push(organizational);
    }
    for name in names {
        let texts = match dns.txt(&format!("_dmarc.{name}")) {
            Ok(texts) => texts,
            Err(DnsError::NxDomain) => continue,
            Err(DnsError::TempFail) => {
                return Err((DmarcResult::TempError, format!("the lookup of _dmarc.{name} timed out")));
            }
        };
        let mut records = Vec::new();
        for text in &texts {
            match parse_record(text) {
                Ok(Some(record)) => records.push(record),
                Ok(None) => {}
                Err(why) => {
                    return Err((DmarcResult::PermError, format!("the DMARC record of {name} is unusable: {why}")));
                }
            }
        }
        // More than one record is as good as none, and ends the search (§6.6.3).
        match records.len() {
            0 => {}
            1 => return Ok(records.pop().map(|r| (r, name))),
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// The DMARC check at the receiving MTA, after SPF and DKIM.
pub fn check(dns: &mut dyn Resolver, inputs: &Inputs<'_>) -> Verdict {
    let from = inputs.from_domain.to_ascii_lowercase();
    let (record, found_at) = match discover(dns, &from) {
        Ok(Some(found)) => found,
        Ok(None) => {
            return Verdict {
                result: DmarcResult::None,
                disposition: Disposition::None,
                policy: None,
                why: format!("{from} publishes no DMARC record"),
            };
        }
        Err((result, why)) => return Verdict { result, disposition: Disposition::None, policy: None, why },
    };
    let (tag, published) = match record.subdomain_policy {
        Some(sp) if found_at != from => ("sp", sp),
        _ => ("p", record.policy),
    };
    // pct= below 100: a message whose draw misses the sample gets the next
    // lower policy (§6.6.4): reject becomes quarantine, quarantine none.
    let sampled = inputs.draw < record.percent;
    let policy = match (sampled, published) {
        (true, p) => p,
        (false, Disposition::Reject) => Disposition::Quarantine,
        (false, _) => Disposition::None,
    };
    let (spf_result, spf_domain) = inputs.spf;
    let spf_aligned = spf_result == SpfResult::Pass && aligned(&from, spf_domain, record.strict_spf);
    let dkim_aligned = inputs.dkim_passes.iter().find(|d| aligned(&from, d, record.strict_dkim));
    let mode = |strict: bool| if strict { "strict" } else { "relaxed" };
    let (result, why) = if let Some(d) = dkim_aligned {
        (DmarcResult::Pass, format!("a DKIM signature of {d} passed and is aligned with From: {from}"))
    } else if spf_aligned {
        (DmarcResult::Pass, format!("SPF passed for {spf_domain}, aligned with From: {from}"))
    } else if spf_result == SpfResult::TempError
        || inputs.dkim_temp_errors.iter().any(|d| aligned(&from, d, record.strict_dkim))
    {
        let why = format!("no aligned pass yet, and a check for {from} could not finish now (temperror)");
        let policy = Some((tag, published));
        return Verdict { result: DmarcResult::TempError, disposition: Disposition::None, policy, why };
    } else {
        let spf_part = if spf_result == SpfResult::Pass {
            format!("SPF passed for {spf_domain}, which is not aligned with {from} ({})", mode(record.strict_spf))
        } else {
            format!("SPF gave {} for {spf_domain}", spf_result.as_str())
        };
        let dkim_part = if inputs.dkim_passes.is_empty() {
            "no DKIM signature passed".to_string()
        } else {
            format!(
                "the DKIM signatures that passed ({}) are not aligned with {from} ({})",
                inputs.dkim_passes.join(", "),
                mode(record.strict_dkim)
            )
        };
        let percent = match record.percent {
            100 => String::new(),
            0 => format!(" with pct=0, so {}", policy.as_str()),
            pct => {
                let below = if sampled { "below" } else { "not below" };
                format!(" with pct={pct}; this message drew {} ({below} {pct}), so {}", inputs.draw, policy.as_str())
            }
        };
        (
            DmarcResult::Fail,
            format!("{spf_part}, and {dkim_part}; {found_at} asks for {tag}={}{percent}", published.as_str()),
        )
    };
    let disposition = if result == DmarcResult::Fail { policy } else { Disposition::None };
    Verdict { result, disposition, policy: Some((tag, published)), why }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{Record as Rr, Zone};

    fn zone(records: &[(&str, &str)]) -> Zone {
        let mut zone = Zone::default();
        for (name, text) in records {
            zone.add(name, Rr::Txt(text.to_string()));
        }
        zone
    }

    fn run(zone: &mut Zone, from: &str, spf: (SpfResult, &str), dkim: &[&str]) -> Verdict {
        let dkim: Vec<String> = dkim.iter().map(|d| d.to_string()).collect();
        check(zone, &Inputs { from_domain: from, spf, dkim_passes: &dkim, dkim_temp_errors: &[], draw: 0 })
    }

    #[test]
    fn organizational_domains_follow_the_suffix_list() {
        assert_eq!(organizational_domain("mail.a.example"), "a.example");
        assert_eq!(organizational_domain("a.example"), "a.example");
        assert_eq!(organizational_domain("example"), "example");
        assert_eq!(organizational_domain("news.Example.CO.JP."), "example.co.jp");
        assert_eq!(organizational_domain("a.b.c.example.com"), "example.com");
        assert_eq!(organizational_domain("smtp.example.co.uk"), "example.co.uk");
        assert_eq!(organizational_domain("co.uk"), "co.uk");
    }

    #[cfg(feature = "suffix_list")]
    #[test]
    fn the_whole_list_has_wildcards_exceptions_and_prefectures() {
        // The list's own test vectors (*.kawasaki.jp, !city.kawasaki.jp).
        assert_eq!(organizational_domain("b.test.kawasaki.jp"), "b.test.kawasaki.jp");
        assert_eq!(organizational_domain("www.city.kawasaki.jp"), "city.kawasaki.jp");
        assert_eq!(organizational_domain("mx.example.kyoto.jp"), "example.kyoto.jp");
    }

    #[cfg(not(feature = "suffix_list"))]
    #[test]
    fn the_short_list_knows_two_label_suffixes_only() {
        assert_eq!(organizational_domain("mx.example.kyoto.jp"), "kyoto.jp");
        assert_eq!(organizational_domain("www.u-tokyo.ac.jp"), "u-tokyo.ac.jp");
        assert_eq!(organizational_domain("ac.jp"), "ac.jp");
        assert_eq!(organizational_domain("xco.jp"), "xco.jp");
    }

    #[test]
    fn alignment_as_rfc_7489_section_3_1_describes_it() {
        // §3.1.1: MAIL FROM news.example.com, From: example.com.
        assert!(aligned("example.com", "news.example.com", false));
        assert!(!aligned("example.com", "news.example.com", true));
        // §3.1.1: d=example.com signing From: news.example.com.
        assert!(aligned("news.example.com", "example.com", false));
        assert!(!aligned("news.example.com", "example.com", true));
        assert!(aligned("Example.COM", "example.com.", true));
        // Sharing only the public suffix is no alignment.
        assert!(!aligned("example.co.jp", "other.co.jp", false));
        assert!(!aligned("a.example", "b.example", false));
    }

    #[test]
    fn records_are_read_and_bad_ones_refused() {
        let r = parse_record("v=DMARC1; p=reject; sp=none; adkim=s; aspf=r; pct=50; rua=mailto:d@a.example").unwrap();
        assert_eq!(
            r,
            Some(Record {
                policy: Disposition::Reject,
                subdomain_policy: Some(Disposition::None),
                strict_dkim: true,
                strict_spf: false,
                percent: 50
            })
        );
        assert_eq!(parse_record("v=spf1 -all"), Ok(None));
        // No valid p=: p=none when the record asks for reports, ignored otherwise.
        let reports = parse_record("v=DMARC1; rua=mailto:x@y.example").unwrap().unwrap();
        assert_eq!(reports.policy, Disposition::None);
        assert_eq!(parse_record("v=DMARC1; p=delete"), Ok(None));
        assert_eq!(parse_record("v=DMARC1; p=reject; sp=maybe"), Ok(None));
        assert_eq!(parse_record("v=DMARC1; p=none; adkim=x"), Err("adkim=x is neither r nor s".into()));
        assert_eq!(parse_record("v=DMARC1; p=none; pct=101"), Err("pct=101 is not 0 to 100".into()));
    }

    #[test]
    fn tag_names_ignore_case_and_a_later_tag_replaces_an_earlier_one() {
        // The tag-list syntax is DKIM's (RFC 7489 §6.4); what is done with it is DMARC's.
        let r = parse_record(" v = DMARC1 ;\tP=Reject; p=none ;; ").unwrap().unwrap();
        assert_eq!(r.policy, Disposition::None);
        assert_eq!(parse_record("v=DMARC1; p"), Err("\"p\" is not tag=value".into()));
        assert_eq!(parse_record("; v=DMARC1; p=reject"), Ok(None), "v=DMARC1 comes first");
    }

    #[test]
    fn a_spoofed_from_fails_and_takes_the_domains_policy() {
        let mut z = zone(&[("_dmarc.a.example", "v=DMARC1; p=reject")]);
        // The spammer's own envelope passes SPF, but for another domain.
        let v = run(&mut z, "a.example", (SpfResult::Pass, "spam.example.net"), &[]);
        assert_eq!((v.result, v.disposition), (DmarcResult::Fail, Disposition::Reject));
        assert_eq!(
            v.why,
            "SPF passed for spam.example.net, which is not aligned with a.example (relaxed), and no DKIM signature passed; a.example asks for p=reject"
        );
    }

    #[test]
    fn either_aligned_pass_is_enough() {
        let mut z = zone(&[("_dmarc.a.example", "v=DMARC1; p=reject; adkim=s")]);
        let spf_only = run(&mut z, "a.example", (SpfResult::Pass, "a.example"), &[]);
        assert_eq!((spf_only.result, spf_only.disposition), (DmarcResult::Pass, Disposition::None));
        // Forwarded: SPF fails at the next hop, the signature survives.
        let dkim_only = run(&mut z, "a.example", (SpfResult::Fail, "a.example"), &["a.example"]);
        assert_eq!(dkim_only.result, DmarcResult::Pass);
        assert_eq!(dkim_only.why, "a DKIM signature of a.example passed and is aligned with From: a.example");
        // adkim=s: a parent domain's signature is not aligned with a subdomain's From.
        let mut z = zone(&[("_dmarc.a.example", "v=DMARC1; p=quarantine; adkim=s")]);
        let v = run(&mut z, "news.a.example", (SpfResult::None, "news.a.example"), &["a.example"]);
        assert_eq!((v.result, v.disposition), (DmarcResult::Fail, Disposition::Quarantine));
    }

    #[test]
    fn a_subdomain_uses_the_organizational_record_and_its_sp() {
        let mut z = zone(&[("_dmarc.a.example", "v=DMARC1; p=reject; sp=quarantine")]);
        let v = run(&mut z, "news.a.example", (SpfResult::Fail, "news.a.example"), &[]);
        assert_eq!(
            (v.result, v.disposition, v.policy),
            (DmarcResult::Fail, Disposition::Quarantine, Some(("sp", Disposition::Quarantine)))
        );
        assert!(v.why.ends_with("a.example asks for sp=quarantine"), "{}", v.why);
        // A record of the subdomain's own wins, and its p= applies.
        z.add("_dmarc.news.a.example", Rr::Txt("v=DMARC1; p=none".into()));
        let v = run(&mut z, "news.a.example", (SpfResult::Fail, "news.a.example"), &[]);
        assert_eq!((v.result, v.disposition), (DmarcResult::Fail, Disposition::None));
    }

    #[test]
    fn no_record_two_records_and_broken_dns() {
        let mut z = zone(&[]);
        assert_eq!(run(&mut z, "a.example", (SpfResult::Fail, "x.example"), &[]).result, DmarcResult::None);
        let mut z = zone(&[("_dmarc.a.example", "v=DMARC1; p=reject"), ("_dmarc.a.example", "v=DMARC1; p=none")]);
        assert_eq!(run(&mut z, "a.example", (SpfResult::Fail, "x.example"), &[]).result, DmarcResult::None);
        let mut z = zone(&[("_dmarc.a.example", "v=DMARC1; p=reject; adkim=maybe")]);
        let v = run(&mut z, "a.example", (SpfResult::Fail, "x.example"), &[]);
        assert_eq!((v.result, v.disposition), (DmarcResult::PermError, Disposition::None));
        // Two records at the From: domain end the search: the organizational
        // domain's record is not read instead.
        let mut z = zone(&[
            ("_dmarc.news.a.example", "v=DMARC1; p=none"),
            ("_dmarc.news.a.example", "v=DMARC1; p=none"),
            ("_dmarc.a.example", "v=DMARC1; p=reject"),
        ]);
        assert_eq!(run(&mut z, "news.a.example", (SpfResult::Fail, "x.example"), &[]).result, DmarcResult::None);
        let mut z = zone(&[]);
        z.time_out("_dmarc.a.example");
        assert_eq!(run(&mut z, "a.example", (SpfResult::Pass, "a.example"), &[]).result, DmarcResult::TempError);
    }

    #[test]
    fn pct_0_applies_the_next_lower_policy_and_temperror_defers() {
        let mut z = zone(&[("_dmarc.a.example", "v=DMARC1; p=reject; pct=0")]);
        let v = run(&mut z, "a.example", (SpfResult::Fail, "a.example"), &[]);
        assert_eq!((v.result, v.disposition), (DmarcResult::Fail, Disposition::Quarantine));
        assert!(v.why.ends_with("asks for p=reject with pct=0, so quarantine"), "{}", v.why);
        assert_eq!(v.policy, Some(("p", Disposition::Reject)));
        let mut z = zone(&[("_dmarc.a.example", "v=DMARC1; p=reject")]);
        let temp = ["a.example".to_string()];
        let inputs = Inputs {
            from_domain: "a.example",
            spf: (SpfResult::Fail, "a.example"),
            dkim_passes: &[],
            dkim_temp_errors: &temp,
            draw: 0,
        };
        let v = check(&mut z, &inputs);
        assert_eq!((v.result, v.disposition), (DmarcResult::TempError, Disposition::None));
    }

    #[test]
    fn pct_applies_the_policy_to_draws_below_it_and_the_next_lower_to_the_rest() {
        // Mail from `from` that fails SPF, with `record` at _dmarc.a.example.
        let failing_from = |from: &str, record: &str, draw: u8| {
            let mut z = zone(&[("_dmarc.a.example", record)]);
            let inputs = Inputs {
                from_domain: from,
                spf: (SpfResult::Fail, from),
                dkim_passes: &[],
                dkim_temp_errors: &[],
                draw,
            };
            check(&mut z, &inputs)
        };
        let failing = |record: &str, draw: u8| failing_from("a.example", record, draw);
        let v = failing("v=DMARC1; p=reject; pct=30", 29);
        assert_eq!(v.disposition, Disposition::Reject);
        assert!(v.why.ends_with("with pct=30; this message drew 29 (below 30), so reject"), "{}", v.why);
        let v = failing("v=DMARC1; p=reject; pct=30", 30);
        assert_eq!(v.disposition, Disposition::Quarantine);
        assert!(v.why.ends_with("with pct=30; this message drew 30 (not below 30), so quarantine"), "{}", v.why);
        assert_eq!(failing("v=DMARC1; p=quarantine; pct=1", 1).disposition, Disposition::None);
        assert_eq!(failing("v=DMARC1; p=quarantine; pct=1", 0).disposition, Disposition::Quarantine);
        // pct=100 (the default) takes every draw, and says nothing of it.
        let v = failing("v=DMARC1; p=reject", 99);
        assert_eq!(v.disposition, Disposition::Reject);
        assert!(v.why.ends_with("asks for p=reject"), "{}", v.why);
        assert_eq!(failing("v=DMARC1; p=reject; pct=0", 0).disposition, Disposition::Quarantine);
        // sp= is sampled the same way, and p=none stays none either way.
        let sub = |record: &str, draw: u8| failing_from("news.a.example", record, draw).disposition;
        assert_eq!(sub("v=DMARC1; p=none; sp=reject; pct=40", 39), Disposition::Reject);
        assert_eq!(sub("v=DMARC1; p=none; sp=reject; pct=40", 40), Disposition::Quarantine);
        assert_eq!(failing("v=DMARC1; p=none; pct=40", 0).disposition, Disposition::None);
        assert_eq!(failing("v=DMARC1; p=none; pct=40", 99).disposition, Disposition::None);
        // A pass is never sampled into a policy.
        let mut z = zone(&[("_dmarc.a.example", "v=DMARC1; p=reject; pct=50")]);
        let inputs = Inputs {
            from_domain: "a.example",
            spf: (SpfResult::Pass, "a.example"),
            dkim_passes: &[],
            dkim_temp_errors: &[],
            draw: 3,
        };
        assert_eq!(check(&mut z, &inputs).disposition, Disposition::None);
    }

    #[test]
    fn the_draw_is_the_same_for_the_same_message_and_spread_over_0_to_99() {
        assert_eq!(draw(b"Subject: a\r\n\r\nbody\r\n"), draw(b"Subject: a\r\n\r\nbody\r\n"));
        let mut seen = [0usize; 100];
        for i in 0..10_000 {
            seen[usize::from(draw(format!("Message-ID: <{i}@a.example>\r\n\r\nhi\r\n").as_bytes()))] += 1;
        }
        // Every number is drawn, none far more often than the 100 expected.
        assert!(seen.iter().all(|&n| (50..=150).contains(&n)), "{seen:?}");
    }
}
