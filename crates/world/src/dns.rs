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
