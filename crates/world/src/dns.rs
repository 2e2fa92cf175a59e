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

/// Most DNS questions one check writes down (SPF's limits keep a check under
/// about 30); later ones are asked but not written down.
pub const MAX_LOGGED: usize = 40;

/// A resolver that writes down each question and its answer, for the wiretap.
pub(crate) struct Logged<'a> {
    pub dns: WorldDns<'a>,
    pub lookups: Vec<(String, String)>,
}

impl Logged<'_> {
    fn note<T: std::fmt::Display>(&mut self, question: String, answer: &Answer<T>, quote: bool) {
        if self.lookups.len() >= MAX_LOGGED {
            return;
        }
        // The DNS's own words (RFC 2308, RFC 1035) need no translation.
        let said = match answer {
            Ok(records) if records.is_empty() => "NODATA".to_string(),
            Ok(records) => {
                let shown: Vec<String> =
                    records.iter().map(|r| if quote { format!("\"{r}\"") } else { r.to_string() }).collect();
                shown.join(", ")
            }
            Err(DnsError::NxDomain) => "NXDOMAIN".to_string(),
            Err(DnsError::TempFail) => "SERVFAIL".to_string(),
        };
        self.lookups.push((question, said));
    }
}

impl Resolver for Logged<'_> {
    fn txt(&mut self, name: &str) -> Answer<String> {
        let answer = self.dns.txt(name);
        self.note(format!("{name} TXT?"), &answer, true);
        answer
    }

    fn a(&mut self, name: &str) -> Answer<Ipv4Addr> {
        let answer = self.dns.a(name);
        self.note(format!("{name} A?"), &answer, false);
        answer
    }

    fn aaaa(&mut self, name: &str) -> Answer<Ipv6Addr> {
        let answer = self.dns.aaaa(name);
        self.note(format!("{name} AAAA?"), &answer, false);
        answer
    }

    fn mx(&mut self, name: &str) -> Answer<String> {
        let answer = self.dns.mx(name);
        self.note(format!("{name} MX?"), &answer, false);
        answer
    }

    fn ptr(&mut self, ip: IpAddr) -> Answer<String> {
        let answer = self.dns.ptr(ip);
        self.note(format!("{} PTR?", mail_lab_auth::dns::reverse_name(ip)), &answer, false);
        answer
    }
}
