//! SPF, RFC 7208: may this address send mail for this domain? The receiving
//! MTA asks with the client's address, the HELO name and the MAIL FROM
//! address; the domain's TXT record answers. Every step is kept in a trace,
//! so a learner can read why a message passed or failed.

mod macros;
mod record;

use std::net::IpAddr;

use mail_lab_proto::Time;

use crate::dns::{DnsError, Resolver};
use record::{Directive, Mechanism, Record};
pub use record::{Qualifier, is_spf1};

/// The seven results of RFC 7208 §2.6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpfResult {
    None,
    Neutral,
    Pass,
    Fail,
    SoftFail,
    TempError,
    PermError,
}

impl SpfResult {
    /// As written in `Received-SPF:` and `Authentication-Results:`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpfResult::None => "none",
            SpfResult::Neutral => "neutral",
            SpfResult::Pass => "pass",
            SpfResult::Fail => "fail",
            SpfResult::SoftFail => "softfail",
            SpfResult::TempError => "temperror",
            SpfResult::PermError => "permerror",
        }
    }

    fn of(q: Qualifier) -> Self {
        match q {
            Qualifier::Pass => SpfResult::Pass,
            Qualifier::Fail => SpfResult::Fail,
            Qualifier::SoftFail => SpfResult::SoftFail,
            Qualifier::Neutral => SpfResult::Neutral,
        }
    }
}

/// DNS-querying terms allowed in one check (§4.6.4).
pub const LOOKUP_LIMIT: u32 = 10;
/// Lookups that may answer nothing before the check gives up (§4.6.4).
pub const VOID_LOOKUP_LIMIT: u32 = 2;
/// Names one `mx` or `ptr` term may look at (§4.6.4).
const NAMES_PER_TERM: usize = 10;
/// The longest `exp=` text used; a longer one gives the default explanation.
pub const MAX_EXPLANATION: usize = 256;
/// The explanation when a failing record gives none of its own.
pub const DEFAULT_EXPLANATION: &str = "the domain's SPF record does not list this address as a sender";

/// What is checked: the connecting client and the identities it gave.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    pub ip: IpAddr,
    /// The MAIL FROM address, without angle brackets (empty for `<>`).
    pub mail_from: &'a str,
    pub helo: &'a str,
    /// The checking host's own name (`%{r}`).
    pub receiver: &'a str,
    pub now: Time,
}

/// One line of the trace: how deep in include/redirect, and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub depth: u8,
    pub domain: String,
    pub what: StepKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    /// The record found at the domain.
    Record(String),
    /// The domain publishes no SPF record (or does not exist).
    NoRecord,
    /// A term and whether it matched the client's address.
    Term { term: String, matched: bool },
    /// Nothing matched; the record's `redirect=` is followed.
    Redirect(String),
    /// Nothing matched and there is no `redirect=`: the default result.
    NoMatch,
    /// Why the check ended in `permerror` or `temperror`.
    Error(String),
}

/// The answer of one check, with its trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub result: SpfResult,
    /// The domain whose record was checked first (the identity's domain).
    pub domain: String,
    /// For `fail`: the domain's `exp=` text, or the default explanation.
    pub explanation: Option<String>,
    /// DNS-querying terms used ([`LOOKUP_LIMIT`] + 1 when the limit ended the check).
    pub lookups: u32,
    pub trace: Vec<Step>,
}

/// Check the MAIL FROM identity (RFC 7208 §2.4). A null reverse-path is
/// checked as `postmaster@` the HELO name.
pub fn check_mail_from(dns: &mut dyn Resolver, query: &Query<'_>) -> Verdict {
    let sender =
        if query.mail_from.is_empty() { format!("postmaster@{}", query.helo) } else { query.mail_from.to_string() };
    check(dns, query, &sender)
}

/// Check the HELO identity (RFC 7208 §2.3): the sender is `postmaster@` the HELO name.
pub fn check_helo(dns: &mut dyn Resolver, query: &Query<'_>) -> Verdict {
    check(dns, query, &format!("postmaster@{}", query.helo))
}

fn check(dns: &mut dyn Resolver, query: &Query<'_>, sender: &str) -> Verdict {
    let (local, domain) = match sender.rsplit_once('@') {
        Some((l, d)) => (if l.is_empty() { "postmaster" } else { l }, d),
        None => ("postmaster", sender),
    };
    // An IPv4-mapped IPv6 client is an IPv4 client (RFC 4291 §2.5.5.2).
    let ip = match query.ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(query.ip, IpAddr::V4),
        v4 => v4,
    };
    let sender = format!("{local}@{domain}");
    let mut run = Run {
        dns,
        query,
        ip,
        sender: &sender,
        local,
        sender_domain: domain,
        lookups: 0,
        voids: 0,
        trace: Vec::new(),
        explanation: None,
        includes: 0,
    };
    // An address literal such as `[192.0.2.1]` is no domain to check (§2.3).
    let result = if valid_domain(domain) && !domain.starts_with('[') {
        run.check_host(domain, 0)
    } else {
        // A malformed or single-label name is not checked at all (§4.3).
        run.step(0, domain, StepKind::Error(format!("\"{domain}\" is not a fully qualified domain name")));
        SpfResult::None
    };
    Verdict {
        result,
        domain: domain.to_string(),
        explanation: run.explanation.filter(|_| result == SpfResult::Fail),
        lookups: run.lookups,
        trace: run.trace,
    }
}

/// A multi-label name with labels of 1–63 octets (a trailing dot allowed).
/// (DNS itself takes any octets in a label, and SPF names may use them.)
fn valid_domain(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    name.len() <= 253 && name.contains('.') && name.split('.').all(|l| !l.is_empty() && l.len() <= 63)
}

/// Why a check stops early.
enum Stop {
    Temp(String),
    Perm(String),
    /// An include's error, already in the trace where it happened.
    Inner(SpfResult),
}

struct Run<'a, 'q> {
    dns: &'a mut dyn Resolver,
    query: &'a Query<'q>,
    ip: IpAddr,
    sender: &'a str,
    local: &'a str,
    sender_domain: &'a str,
    lookups: u32,
    voids: u32,
    trace: Vec<Step>,
    explanation: Option<String>,
    /// How many includes deep the check is.
    includes: u32,
}

impl Run<'_, '_> {
    fn step(&mut self, depth: u8, domain: &str, what: StepKind) {
        self.trace.push(Step { depth, domain: domain.to_string(), what });
    }

    /// `check_host()` of RFC 7208 §4 for `domain`.
    fn check_host(&mut self, domain: &str, depth: u8) -> SpfResult {
        match self.evaluate(domain, depth) {
            Ok(result) => result,
            Err(Stop::Temp(why)) => {
                self.step(depth, domain, StepKind::Error(why));
                SpfResult::TempError
            }
            Err(Stop::Perm(why)) => {
                self.step(depth, domain, StepKind::Error(why));
                SpfResult::PermError
            }
            Err(Stop::Inner(result)) => result,
        }
    }

    fn evaluate(&mut self, domain: &str, depth: u8) -> Result<SpfResult, Stop> {
        let Some(text) = self.find_record(domain)? else {
            self.step(depth, domain, StepKind::NoRecord);
            return Ok(SpfResult::None);
        };
        self.step(depth, domain, StepKind::Record(text.clone()));
        let record = record::parse(&text).map_err(Stop::Perm)?;
        for directive in &record.directives {
            if directive.mechanism.queries_dns() {
                self.count_lookup()?;
            }
            let matched = self.matches(directive, domain, depth)?;
            self.step(depth, domain, StepKind::Term { term: directive.text.clone(), matched });
            if matched {
                let result = SpfResult::of(directive.qualifier);
                if result == SpfResult::Fail {
                    self.explain(&record, domain);
                }
                return Ok(result);
            }
        }
        if let Some(redirect) = &record.redirect {
            self.count_lookup()?;
            let target = self.expand_domain(redirect, domain)?;
            self.step(depth, domain, StepKind::Redirect(target.clone()));
            // The target's record answers, its explanation included (§6.1).
            return match self.check_host(&target, depth.saturating_add(1)) {
                SpfResult::None => Err(Stop::Perm(format!("redirect={target} names a domain with no SPF record"))),
                result => Ok(result),
            };
        }
        self.step(depth, domain, StepKind::NoMatch);
        Ok(SpfResult::Neutral)
    }

    /// The one `v=spf1` TXT record of `domain` (§4.5).
    fn find_record(&mut self, domain: &str) -> Result<Option<String>, Stop> {
        let records = match self.dns.txt(domain) {
            Ok(records) => records,
            Err(DnsError::NxDomain) => return Ok(None),
            Err(DnsError::TempFail) => return Err(Stop::Temp(format!("the TXT lookup of {domain} failed"))),
        };
        let mut spf = records.into_iter().filter(|r| record::is_spf1(r));
        match (spf.next(), spf.next()) {
            (None, _) => Ok(None),
            (Some(one), None) => Ok(Some(one)),
            (Some(_), Some(_)) => Err(Stop::Perm(format!("{domain} publishes more than one SPF record"))),
        }
    }

    fn count_lookup(&mut self) -> Result<(), Stop> {
        self.lookups += 1;
        if self.lookups > LOOKUP_LIMIT {
            return Err(Stop::Perm(format!("more than {LOOKUP_LIMIT} DNS-querying terms (RFC 7208 §4.6.4)")));
        }
        Ok(())
    }

    /// A lookup answered no name or no data: counted, and too many are an error.
    fn void(&mut self) -> Result<(), Stop> {
        self.voids += 1;
        if self.voids > VOID_LOOKUP_LIMIT {
            return Err(Stop::Perm(format!("more than {VOID_LOOKUP_LIMIT} lookups found nothing (RFC 7208 §4.6.4)")));
        }
        Ok(())
    }

    fn matches(&mut self, directive: &Directive, domain: &str, depth: u8) -> Result<bool, Stop> {
        match &directive.mechanism {
            Mechanism::All => Ok(true),
            Mechanism::Ip4(net, len) => Ok(in_network(self.ip, IpAddr::V4(*net), *len)),
            Mechanism::Ip6(net, len) => Ok(in_network(self.ip, IpAddr::V6(*net), *len)),
            Mechanism::A { domain: spec, v4, v6 } => {
                let target = self.target(spec.as_deref(), domain)?;
                let addresses = self.addresses(&target)?;
                Ok(addresses.iter().any(|a| in_network(self.ip, *a, prefix(a, *v4, *v6))))
            }
            Mechanism::Mx { domain: spec, v4, v6 } => {
                let target = self.target(spec.as_deref(), domain)?;
                let found = self.dns.mx(&target);
                let exchanges = self.answer(found, &target)?;
                if exchanges.len() > NAMES_PER_TERM {
                    return Err(Stop::Perm(format!(
                        "{target} has more than {NAMES_PER_TERM} MX records (RFC 7208 §4.6.4)"
                    )));
                }
                for exchange in exchanges {
                    let addresses = self.addresses(&exchange)?;
                    if addresses.iter().any(|a| in_network(self.ip, *a, prefix(a, *v4, *v6))) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Mechanism::Ptr(spec) => {
                let target = self.target(spec.as_deref(), domain)?;
                Ok(self.validated_names().iter().any(|name| is_within(name, &target)))
            }
            Mechanism::Exists(spec) => {
                let target = self.expand_domain(spec, domain)?;
                // Always an A lookup, whatever the client's address family (§5.7).
                let found = self.dns.a(&target);
                Ok(!self.answer(found, &target)?.is_empty())
            }
            Mechanism::Include(spec) => {
                let target = self.expand_domain(spec, domain)?;
                self.includes += 1;
                let result = self.check_host(&target, depth.saturating_add(1));
                self.includes -= 1;
                match result {
                    SpfResult::Pass => Ok(true),
                    SpfResult::Fail | SpfResult::SoftFail | SpfResult::Neutral => Ok(false),
                    error @ (SpfResult::TempError | SpfResult::PermError) => Err(Stop::Inner(error)),
                    SpfResult::None => Err(Stop::Perm(format!("include:{target} names a domain with no SPF record"))),
                }
            }
        }
    }

    /// An answer's records; no name or no data counts as a void lookup.
    fn answer<T>(&mut self, answer: Result<Vec<T>, DnsError>, name: &str) -> Result<Vec<T>, Stop> {
        match answer {
            Ok(found) if !found.is_empty() => Ok(found),
            Ok(_) | Err(DnsError::NxDomain) => {
                self.void()?;
                Ok(Vec::new())
            }
            Err(DnsError::TempFail) => Err(Stop::Temp(format!("the lookup of {name} failed"))),
        }
    }

    /// The addresses of `name` in the client's family (A for IPv4, AAAA for IPv6).
    fn addresses(&mut self, name: &str) -> Result<Vec<IpAddr>, Stop> {
        if !valid_domain(name) {
            return Ok(Vec::new());
        }
        if self.ip.is_ipv4() {
            let found = self.dns.a(name);
            Ok(self.answer(found, name)?.into_iter().map(IpAddr::V4).collect())
        } else {
            let found = self.dns.aaaa(name);
            Ok(self.answer(found, name)?.into_iter().map(IpAddr::V6).collect())
        }
    }

    /// The client's PTR names that resolve back to it (§5.5); DNS errors only
    /// make the list shorter.
    fn validated_names(&mut self) -> Vec<String> {
        let names = self.dns.ptr(self.ip).unwrap_or_default();
        let mut validated = Vec::new();
        for name in names.into_iter().take(NAMES_PER_TERM) {
            let back = match self.ip {
                IpAddr::V4(_) => self.dns.a(&name).map(|a| a.into_iter().map(IpAddr::V4).collect::<Vec<_>>()),
                IpAddr::V6(_) => self.dns.aaaa(&name).map(|a| a.into_iter().map(IpAddr::V6).collect::<Vec<_>>()),
            };
            if back.is_ok_and(|addresses| addresses.contains(&self.ip)) {
                validated.push(name.trim_end_matches('.').to_string());
            }
        }
        validated
    }

    /// The term's domain: its own domain-spec expanded, or the current domain.
    fn target(&mut self, spec: Option<&[macros::Piece]>, domain: &str) -> Result<String, Stop> {
        match spec {
            Some(spec) => self.expand_domain(spec, domain),
            None => Ok(domain.to_string()),
        }
    }

    fn expand_domain(&mut self, spec: &[macros::Piece], domain: &str) -> Result<String, Stop> {
        let ptr = if macros::uses_ptr(spec) { self.ptr_value(domain) } else { None };
        let mut name = macros::expand(spec, &self.values(domain), ptr.as_deref());
        if name.ends_with('.') {
            name.pop();
        }
        // Longer than a domain name may be: drop labels from the left (§7.3),
        // in one cut (the expansion may be long).
        if name.len() > 253 {
            let from = name.len() - 253;
            match name.as_bytes()[from - 1..].iter().position(|&b| b == b'.') {
                Some(dot) => drop(name.drain(..from + dot)),
                None => name.clear(),
            }
        }
        Ok(name)
    }

    /// `%{p}`: a validated name of the client, one within `domain` if any (§7.3).
    fn ptr_value(&mut self, domain: &str) -> Option<String> {
        let names = self.validated_names();
        let exact = names.iter().find(|n| n.eq_ignore_ascii_case(domain));
        let within = names.iter().find(|n| is_within(n, domain));
        exact.or(within).or(names.first()).cloned()
    }

    fn values<'v>(&'v self, domain: &'v str) -> macros::MacroValues<'v> {
        macros::MacroValues {
            sender: self.sender,
            local_part: self.local,
            sender_domain: self.sender_domain,
            domain,
            ip: self.ip,
            helo: self.query.helo,
            receiver: self.query.receiver,
            now_secs: self.query.now.as_secs(),
        }
    }

    /// The explanation of a `fail` (§6.2): the `exp=` TXT text expanded, or the
    /// default. Anything wrong with `exp=` just means the default.
    fn explain(&mut self, record: &Record, domain: &str) {
        // An included record's fail is not the answer (§5.2): nothing to explain.
        if self.includes > 0 {
            return;
        }
        let own = record.exp.as_ref().and_then(|spec| {
            let target = self.expand_domain(spec, domain).ok()?;
            let texts = self.dns.txt(&target).ok()?;
            let [text] = texts.as_slice() else { return None };
            let pieces = macros::parse(text, macros::Place::Explanation).ok()?;
            let ptr = if macros::uses_ptr(&pieces) { self.ptr_value(domain) } else { None };
            let text = macros::expand(&pieces, &self.values(domain), ptr.as_deref());
            // It goes into an SMTP reply line (at most 512 octets, RFC 5321 §4.5.3.1.5).
            (text.len() <= MAX_EXPLANATION).then_some(text)
        });
        self.explanation = Some(own.unwrap_or_else(|| DEFAULT_EXPLANATION.to_string()));
    }
}

/// `name` is `domain` or a name under it.
fn is_within(name: &str, domain: &str) -> bool {
    let (name, domain) = (name.trim_end_matches('.'), domain.trim_end_matches('.'));
    name.eq_ignore_ascii_case(domain)
        || (name.len() > domain.len()
            && name.as_bytes()[name.len() - domain.len() - 1] == b'.'
            && name[name.len() - domain.len()..].eq_ignore_ascii_case(domain))
}

fn prefix(address: &IpAddr, v4: u8, v6: u8) -> u8 {
    if address.is_ipv4() { v4 } else { v6 }
}

/// `ip` lies in `network`/`len` (different families never match).
fn in_network(ip: IpAddr, network: IpAddr, len: u8) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len.min(32))).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len.min(128))).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests;
