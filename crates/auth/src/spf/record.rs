//! The SPF record grammar (RFC 7208 §4.6.1, §5, §6, §12): the whole record is
//! read before any term is evaluated, so a syntax error anywhere is a
//! `permerror` with no DNS lookups made for it (§4.6).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::macros::{self, Piece, Place};

/// The result a matching directive gives (§4.6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    Pass,
    Fail,
    SoftFail,
    Neutral,
}

impl Qualifier {
    fn from_char(c: char) -> Option<Self> {
        match c {
            '+' => Some(Qualifier::Pass),
            '-' => Some(Qualifier::Fail),
            '~' => Some(Qualifier::SoftFail),
            '?' => Some(Qualifier::Neutral),
            _ => None,
        }
    }
}

/// A domain-spec: a macro-string, expanded per query.
pub(crate) type DomainSpec = Vec<Piece>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mechanism {
    All,
    Include(DomainSpec),
    A { domain: Option<DomainSpec>, v4: u8, v6: u8 },
    Mx { domain: Option<DomainSpec>, v4: u8, v6: u8 },
    Ptr(Option<DomainSpec>),
    Ip4(Ipv4Addr, u8),
    Ip6(Ipv6Addr, u8),
    Exists(DomainSpec),
}

impl Mechanism {
    /// Mechanisms that query DNS count against the limit of 10 (§4.6.4).
    pub(crate) fn queries_dns(&self) -> bool {
        !matches!(self, Mechanism::All | Mechanism::Ip4(..) | Mechanism::Ip6(..))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Directive {
    pub qualifier: Qualifier,
    pub mechanism: Mechanism,
    /// As written in the record, for the trace.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Record {
    pub directives: Vec<Directive>,
    pub redirect: Option<DomainSpec>,
    pub exp: Option<DomainSpec>,
}

/// True for a record this check reads: `v=spf1` alone or followed by a space (§4.5).
pub fn is_spf1(text: &str) -> bool {
    let head = text.get(..6).unwrap_or_default();
    head.eq_ignore_ascii_case("v=spf1") && matches!(text.as_bytes().get(6), None | Some(b' '))
}

/// Read a whole `v=spf1` record; the error names the term that is wrong.
pub(crate) fn parse(text: &str) -> Result<Record, String> {
    if let Some(bad) = text.chars().find(|c| !matches!(c, ' '..='~')) {
        return Err(format!("the record holds {bad:?}: SPF records are printable US-ASCII and spaces (RFC 7208 §3.1)"));
    }
    let mut record = Record::default();
    for term in text.get(6..).unwrap_or_default().split(' ').filter(|t| !t.is_empty()) {
        parse_term(term, &mut record).map_err(|why| format!("\"{term}\": {why}"))?;
    }
    Ok(record)
}

fn parse_term(term: &str, record: &mut Record) -> Result<(), String> {
    // A modifier is `name=value` with a name of ALPHA *(ALPHA / DIGIT / "-" / "_" / ".").
    if let Some((name, value)) = term.split_once('=')
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        let slot = if name.eq_ignore_ascii_case("redirect") {
            &mut record.redirect
        } else if name.eq_ignore_ascii_case("exp") {
            &mut record.exp
        } else {
            // Unknown modifiers are ignored, but must still be well formed (§6).
            macros::parse(value, Place::DomainSpec)?;
            return Ok(());
        };
        if slot.is_some() {
            return Err(format!("{name}= may appear only once (RFC 7208 §6)"));
        }
        *slot = Some(domain_spec(value)?);
        return Ok(());
    }
    let (qualifier, rest) = match term.chars().next().and_then(Qualifier::from_char) {
        Some(q) => (q, &term[1..]),
        None => (Qualifier::Pass, term),
    };
    let name_end = rest.find([':', '/']).unwrap_or(rest.len());
    let (name, args) = rest.split_at(name_end);
    let name = name.to_ascii_lowercase();
    let mechanism = match name.as_str() {
        "all" if args.is_empty() => Mechanism::All,
        "include" => Mechanism::Include(domain_spec(required(args)?)?),
        "exists" => Mechanism::Exists(domain_spec(required(args)?)?),
        "ptr" => Mechanism::Ptr(optional_domain(args)?),
        "a" | "mx" => {
            let (domain, v4, v6) = dual_cidr(args)?;
            let domain = optional_domain(domain)?;
            if name == "a" { Mechanism::A { domain, v4, v6 } } else { Mechanism::Mx { domain, v4, v6 } }
        }
        "ip4" => {
            let (addr, len) = split_cidr(required(args)?, 32)?;
            Mechanism::Ip4(strict_ip4(addr).ok_or("not an IPv4 address")?, len)
        }
        "ip6" => {
            let (addr, len) = split_cidr(required(args)?, 128)?;
            Mechanism::Ip6(addr.parse().map_err(|_| "not an IPv6 address")?, len)
        }
        "all" => return Err("all takes no argument".into()),
        _ => return Err("not a mechanism of SPF (RFC 7208 §5)".into()),
    };
    record.directives.push(Directive { qualifier, mechanism, text: term.to_string() });
    Ok(())
}

/// `:value`, required.
fn required(args: &str) -> Result<&str, String> {
    match args.strip_prefix(':') {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err("needs \":\" and a value".into()),
    }
}

/// Nothing, or `:domain-spec`.
fn optional_domain(args: &str) -> Result<Option<DomainSpec>, String> {
    if args.is_empty() { Ok(None) } else { domain_spec(required(args)?).map(Some) }
}

/// `[:domain][/v4][//v6]` split into the domain part and both prefix lengths.
fn dual_cidr(args: &str) -> Result<(&str, u8, u8), String> {
    let (rest, v6) = match args.rfind("//") {
        Some(at) => (&args[..at], cidr_length(&args[at + 2..], 128)?),
        None => (args, 128),
    };
    let (rest, v4) = match rest.rfind('/') {
        Some(at) if !rest[at + 1..].is_empty() && rest[at + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            (&rest[..at], cidr_length(&rest[at + 1..], 32)?)
        }
        _ => (rest, 32),
    };
    Ok((rest, v4, v6))
}

fn split_cidr(value: &str, max: u8) -> Result<(&str, u8), String> {
    match value.split_once('/') {
        Some((addr, len)) => Ok((addr, cidr_length(len, max)?)),
        None => Ok((value, max)),
    }
}

/// A prefix length: digits, no leading zero, at most `max` (§5.6).
fn cidr_length(text: &str, max: u8) -> Result<u8, String> {
    let ok = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
    match text.parse::<u8>() {
        Ok(n) if ok && n <= max => Ok(n),
        _ => Err(format!("\"/{text}\" is not a prefix length from 0 to {max}")),
    }
}

/// Dotted quad with each part 0–255 and no leading zeros (`qnum`, §5.6).
fn strict_ip4(text: &str) -> Option<Ipv4Addr> {
    let parts: Vec<&str> = text.split('.').collect();
    let good = parts.len() == 4
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
        && parts.iter().all(|p| *p == "0" || !p.starts_with('0'));
    if good { text.parse().ok() } else { None }
}

/// A domain-spec: a macro-string ending in `.toplabel` or in a macro (§7.1).
fn domain_spec(text: &str) -> Result<DomainSpec, String> {
    let pieces = macros::parse(text, Place::DomainSpec)?;
    let ends_in_macro = matches!(pieces.last(), Some(Piece::Macro(_)));
    if !ends_in_macro {
        let trimmed = text.strip_suffix('.').unwrap_or(text);
        let top = trimmed.rsplit_once('.').map(|(_, top)| top);
        if !top.is_some_and(is_toplabel) {
            return Err(format!("\"{text}\" does not end in a domain's top label (RFC 7208 §7.1)"));
        }
    }
    Ok(pieces)
}

/// `toplabel` of RFC 7208 §7.1: letters, digits and inner hyphens, not all digits.
fn is_toplabel(label: &str) -> bool {
    let b = label.as_bytes();
    !b.is_empty()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && b.iter().any(|c| !c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_read_term_by_term() {
        let r = parse("v=spf1 a mx/30 -ip4:192.0.2.128/28 ~include:_spf.example.org ip6:2001:db8::/32 redirect=x.example exp=e.%{d} -all")
            .unwrap();
        assert_eq!(r.directives.len(), 6);
        assert_eq!(r.directives[1].mechanism, Mechanism::Mx { domain: None, v4: 30, v6: 128 });
        assert_eq!(r.directives[2].qualifier, Qualifier::Fail);
        assert_eq!(r.directives[2].mechanism, Mechanism::Ip4("192.0.2.128".parse().unwrap(), 28));
        assert_eq!(r.directives[4].mechanism, Mechanism::Ip6("2001:db8::".parse().unwrap(), 32));
        assert!(r.redirect.is_some() && r.exp.is_some());
    }

    #[test]
    fn dual_cidr_lengths_follow_the_domain() {
        let r = parse("v=spf1 a:example.org/24//64 mx//48").unwrap();
        assert!(matches!(r.directives[0].mechanism, Mechanism::A { domain: Some(_), v4: 24, v6: 64 }));
        assert!(matches!(r.directives[1].mechanism, Mechanism::Mx { domain: None, v4: 32, v6: 48 }));
    }

    #[test]
    fn syntax_errors_anywhere_spoil_the_record() {
        for bad in [
            "v=spf1 foo",
            "v=spf1 all:x",
            "v=spf1 ip4:192.0.2.1/33",
            "v=spf1 ip4:192.0.2.01",
            "v=spf1 a:example.com/024",
            "v=spf1 include",
            "v=spf1 include:foo",
            "v=spf1 a:example.123",
            "v=spf1 redirect=a.example redirect=b.example",
            "v=spf1 exists:%{x}.example.com",
            "v=spf1 a\u{0d}ptr",
            "v=spf1 \u{80}a",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("v=spf1 moo.cow-far_out=man:dog/cat ip4:192.0.2.1 -all").is_ok());
    }

    #[test]
    fn the_version_must_stand_alone() {
        assert!(is_spf1("v=spf1 -all") && is_spf1("V=SPF1") && is_spf1("v=spf1"));
        assert!(!is_spf1("v=spf10 -all") && !is_spf1("v=spf") && !is_spf1("spf2.0/pra"));
    }
}
