//! The world's DNS as the SPF checker reads it: A, MX and TXT from the world's
//! tables, PTR by finding the names of an address. A name in no table does not
//! exist (NXDOMAIN); a name in another table exists with no data of that type.
//! The world has no IPv6, so AAAA is always "no data".

use mail_lab_proto::sorted::SortedMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use mail_lab_auth::dns::{Answer, DnsError, Resolver, normalize};

#[derive(Clone, Copy)]
pub(crate) struct WorldDns<'a> {
    pub a: &'a SortedMap<String, String>,
    pub mx: &'a SortedMap<String, Vec<(u16, String)>>,
    pub txt: &'a SortedMap<String, Vec<String>>,
}

impl WorldDns<'_> {
    fn exists(&self, name: &str) -> bool {
        self.a.contains_key(name) || self.mx.contains_key(name) || self.txt.contains_key(name)
    }

    /// The records of `name` in one table, or what its absence means.
    fn answer<T>(&self, name: &str, found: Option<Vec<T>>) -> Answer<T> {
        match found {
            Some(records) => Ok(records),
            None if self.exists(name) => Ok(Vec::new()),
            None => Err(DnsError::NxDomain),
        }
    }
}

impl Resolver for WorldDns<'_> {
    fn txt(&mut self, name: &str) -> Answer<String> {
        let name = normalize(name);
        self.answer(&name, self.txt.get(&name).cloned())
    }

    fn a(&mut self, name: &str) -> Answer<Ipv4Addr> {
        let name = normalize(name);
        let found = self.a.get(&name).map(|address| address.parse().ok().into_iter().collect());
        self.answer(&name, found)
    }

    fn aaaa(&mut self, name: &str) -> Answer<Ipv6Addr> {
        let name = normalize(name);
        self.answer(&name, None)
    }

    fn mx(&mut self, name: &str) -> Answer<String> {
        let name = normalize(name);
        let found = self.mx.get(&name).map(|list| list.iter().map(|(_, exchange)| exchange.clone()).collect());
        self.answer(&name, found)
    }

    fn ptr(&mut self, ip: IpAddr) -> Answer<String> {
        let address = ip.to_string();
        let names: Vec<String> = self.a.iter().filter(|(_, a)| **a == address).map(|(n, _)| n.clone()).collect();
        if names.is_empty() { Err(DnsError::NxDomain) } else { Ok(names) }
    }
}

/// Most DNS questions one check writes down. RFC 7208's limits allow about a
/// hundred (ten querying terms, ten addresses for each `mx` or `ptr` term);
/// past this many the last line says how many more were asked (`…` `+N`).
pub const MAX_LOGGED: usize = 40;

/// A resolver that writes down each question and its answer, for the wiretap.
pub(crate) struct Logged<'a> {
    pub dns: WorldDns<'a>,
    pub lookups: Vec<(String, String)>,
    /// Questions asked past [`MAX_LOGGED`].
    pub unlogged: usize,
}

impl Logged<'_> {
    /// Write down `question` and its answer, given as the records' text.
    fn note(&mut self, question: String, answer: Result<Vec<String>, DnsError>) {
        if self.lookups.len() >= MAX_LOGGED {
            self.unlogged += 1;
            if let Some(last) = self.lookups.last_mut() {
                *last = ("…".to_string(), format!("+{}", self.unlogged + 1));
            }
            return;
        }
        // The DNS's own words (RFC 2308, RFC 1035) need no translation.
        let said = match answer {
            Ok(records) if records.is_empty() => "NODATA".to_string(),
            Ok(records) => records.join(", "),
            Err(DnsError::NxDomain) => "NXDOMAIN".to_string(),
            Err(DnsError::TempFail) => "SERVFAIL".to_string(),
        };
        self.lookups.push((question, said));
    }
}

/// The records of an answer as text.
fn shown<T: ToString>(answer: &Answer<T>) -> Result<Vec<String>, DnsError> {
    answer.as_ref().map(|records| records.iter().map(T::to_string).collect()).map_err(|e| *e)
}

impl Resolver for Logged<'_> {
    fn txt(&mut self, name: &str) -> Answer<String> {
        let answer = self.dns.txt(name);
        let quoted = answer.as_ref().map(|texts| texts.iter().map(|t| format!("\"{t}\"")).collect()).map_err(|e| *e);
        self.note(format!("{name} TXT?"), quoted);
        answer
    }

    fn a(&mut self, name: &str) -> Answer<Ipv4Addr> {
        let answer = self.dns.a(name);
        self.note(format!("{name} A?"), shown(&answer));
        answer
    }

    // The world has no IPv6, so its clients' checks never ask for AAAA.
    fn aaaa(&mut self, name: &str) -> Answer<Ipv6Addr> {
        self.dns.aaaa(name)
    }

    fn mx(&mut self, name: &str) -> Answer<String> {
        let answer = self.dns.mx(name);
        self.note(format!("{name} MX?"), shown(&answer));
        answer
    }

    fn ptr(&mut self, ip: IpAddr) -> Answer<String> {
        let answer = self.dns.ptr(ip);
        // Shown as `dig -x` takes it; the name asked is its in-addr.arpa form.
        self.note(format!("{ip} PTR?"), shown(&answer));
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_past_the_limit_are_counted_not_written() {
        let (a, mx) = (SortedMap::new(), SortedMap::new());
        let mut txt = SortedMap::new();
        txt.insert("a.example".to_string(), vec!["v=spf1 -all".to_string()]);
        let mut logged = Logged { dns: WorldDns { a: &a, mx: &mx, txt: &txt }, lookups: Vec::new(), unlogged: 0 };
        assert_eq!(logged.txt("A.example"), Ok(vec!["v=spf1 -all".to_string()]));
        assert_eq!(logged.a("a.example"), Ok(Vec::new()));
        assert_eq!(logged.mx("b.example"), Err(DnsError::NxDomain));
        let first: Vec<(&str, &str)> = logged.lookups.iter().map(|(q, a)| (q.as_str(), a.as_str())).collect();
        assert_eq!(
            first,
            [("A.example TXT?", "\"v=spf1 -all\""), ("a.example A?", "NODATA"), ("b.example MX?", "NXDOMAIN")]
        );
        for _ in 0..45 {
            let _ = logged.txt("a.example");
        }
        assert_eq!(logged.lookups.len(), MAX_LOGGED);
        // 48 questions in all: 39 written, the 40th line counts the other 9.
        assert_eq!(logged.lookups[MAX_LOGGED - 1], ("…".to_string(), "+9".to_string()));
    }
}
