//! What the checks ask of DNS, as a trait: the world answers from its own
//! tables, a test from a [`Zone`]. No sockets; every answer is deterministic.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A lookup that did not give an answer section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsError {
    /// RCODE 3: the name does not exist (RFC 7208 counts it as a void lookup).
    NxDomain,
    /// No answer in time, or SERVFAIL: the check ends in `temperror`.
    TempFail,
}

/// An answer: the records found (an empty list is "no data": the name exists
/// but has no record of that type).
pub type Answer<T> = Result<Vec<T>, DnsError>;

/// The DNS the checks read.
pub trait Resolver {
    /// TXT records of `name`, each one's character-strings joined (RFC 7208 §3.3).
    fn txt(&mut self, name: &str) -> Answer<String>;
    fn a(&mut self, name: &str) -> Answer<Ipv4Addr>;
    fn aaaa(&mut self, name: &str) -> Answer<Ipv6Addr>;
    /// The exchanges of `name`'s MX records, best preference first.
    fn mx(&mut self, name: &str) -> Answer<String>;
    /// The PTR names of an address (its `in-addr.arpa`/`ip6.arpa` name).
    fn ptr(&mut self, ip: IpAddr) -> Answer<String>;
}

/// One record in a [`Zone`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Mx(u16, String),
    Txt(String),
    Ptr(String),
    Cname(String),
    /// Queries of this type time out (a broken server, for `temperror`).
    Timeout(RecordType),
}

/// The types a [`Zone`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordType {
    A,
    Aaaa,
    Mx,
    Txt,
    Ptr,
}

/// An in-memory zone: names (case-insensitive, no trailing dot) to records.
/// A name marked with [`Zone::time_out`] times out for every type; a CNAME
/// is followed once.
#[derive(Debug, Clone, Default)]
pub struct Zone {
    names: BTreeMap<String, Vec<Record>>,
}

/// `name` as the key it is filed under: lower case, no trailing dot.
pub fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The reverse-lookup name of an address (RFC 1035 §3.5, RFC 3596 §2.5).
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(v6) => {
            let mut name = String::with_capacity(72);
            for byte in v6.octets().iter().rev() {
                name.push(nibble(byte & 0xf));
                name.push('.');
                name.push(nibble(byte >> 4));
                name.push('.');
            }
            name.push_str("ip6.arpa");
            name
        }
    }
}

pub(crate) fn nibble(n: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(n & 0xf)])
}

impl Zone {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: &str, record: Record) -> &mut Self {
        self.names.entry(normalize(name)).or_default().push(record);
        self
    }

    /// `name` exists, with no records yet (its lookups answer "no data").
    pub fn declare(&mut self, name: &str) -> &mut Self {
        self.names.entry(normalize(name)).or_default();
        self
    }

    /// Every query of `name` times out.
    pub fn time_out(&mut self, name: &str) -> &mut Self {
        for t in [RecordType::A, RecordType::Aaaa, RecordType::Mx, RecordType::Txt, RecordType::Ptr] {
            self.add(name, Record::Timeout(t));
        }
        self
    }

    fn lookup<T>(&self, name: &str, kind: RecordType, pick: impl Fn(&Record) -> Option<T>) -> Answer<T> {
        let key = normalize(name);
        if key.split('.').any(|label| label.len() > 63) {
            return Err(DnsError::NxDomain);
        }
        let Some(records) = self.names.get(&key) else { return Err(DnsError::NxDomain) };
        if records.contains(&Record::Timeout(kind)) {
            return Err(DnsError::TempFail);
        }
        let found: Vec<T> = records.iter().filter_map(&pick).collect();
        if found.is_empty()
            && let Some(Record::Cname(target)) = records.iter().find(|r| matches!(r, Record::Cname(_)))
        {
            let target = normalize(target);
            let Some(records) = self.names.get(&target) else { return Err(DnsError::NxDomain) };
            if records.contains(&Record::Timeout(kind)) {
                return Err(DnsError::TempFail);
            }
            return Ok(records.iter().filter_map(pick).collect());
        }
        Ok(found)
    }
}

impl Resolver for Zone {
    fn txt(&mut self, name: &str) -> Answer<String> {
        self.lookup(name, RecordType::Txt, |r| if let Record::Txt(t) = r { Some(t.clone()) } else { None })
    }
    fn a(&mut self, name: &str) -> Answer<Ipv4Addr> {
        self.lookup(name, RecordType::A, |r| if let Record::A(a) = r { Some(*a) } else { None })
    }
    fn aaaa(&mut self, name: &str) -> Answer<Ipv6Addr> {
        self.lookup(name, RecordType::Aaaa, |r| if let Record::Aaaa(a) = r { Some(*a) } else { None })
    }
    fn mx(&mut self, name: &str) -> Answer<String> {
        let mut found = self.lookup(name, RecordType::Mx, |r| match r {
            Record::Mx(pref, host) => Some((*pref, host.clone())),
            _ => None,
        })?;
        found.sort_by_key(|(pref, _)| *pref);
        Ok(found.into_iter().map(|(_, host)| host).collect())
    }
    fn ptr(&mut self, ip: IpAddr) -> Answer<String> {
        self.lookup(&reverse_name(ip), RecordType::Ptr, |r| if let Record::Ptr(p) = r { Some(p.clone()) } else { None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverse_names_follow_rfc_1035_and_3596() {
        assert_eq!(reverse_name("192.0.2.3".parse().unwrap()), "3.2.0.192.in-addr.arpa");
        assert_eq!(
            reverse_name("2001:db8::cb01".parse().unwrap()),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"
        );
    }

    #[test]
    fn a_zone_tells_no_data_from_no_name_and_follows_a_cname() {
        let mut zone = Zone::new();
        zone.add("example.com", Record::A("192.0.2.10".parse().unwrap()))
            .add("www.example.com", Record::Cname("example.com.".into()));
        zone.time_out("slow.example.com");
        assert_eq!(zone.a("WWW.example.com."), Ok(vec!["192.0.2.10".parse().unwrap()]));
        assert_eq!(zone.txt("example.com"), Ok(vec![]));
        assert_eq!(zone.txt("nowhere.example.com"), Err(DnsError::NxDomain));
        assert_eq!(zone.mx("slow.example.com"), Err(DnsError::TempFail));
    }
}
