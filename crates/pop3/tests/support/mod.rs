//! A small host for the POP3 engines in tests: maildrops, locks, commits.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use mail_lab_pop3::{MaildropEntry, MaildropError, Pop3Backend};
use mail_lab_proto::{Engine, Output, Time};

#[derive(Default)]
pub struct TestHost {
    pub users: BTreeMap<String, String>,
    pub maildrops: BTreeMap<String, Vec<(u32, Vec<u8>)>>,
    pub locked: BTreeSet<String>,
    pub commits: Vec<(String, Vec<u32>)>,
}

impl TestHost {
    pub fn with(user: &str, password: &str, messages: &[&[u8]]) -> Self {
        let mut h = TestHost::default();
        h.users.insert(user.to_string(), password.to_string());
        h.maildrops
            .insert(user.to_string(), messages.iter().enumerate().map(|(i, m)| (i as u32 + 1, m.to_vec())).collect());
        h
    }
}

impl Pop3Backend for TestHost {
    fn password(&mut self, user: &str) -> Option<(String, String)> {
        self.users.get(user).map(|p| (p.clone(), user.to_string()))
    }
    fn open_maildrop(&mut self, account: &str) -> Result<Vec<MaildropEntry>, MaildropError> {
        if !self.locked.insert(account.to_string()) {
            return Err(MaildropError::InUse);
        }
        Ok(self.maildrops[account]
            .iter()
            .map(|(uid, m)| MaildropEntry { uid: *uid, size: m.len(), unique_id: format!("7.{uid}") })
            .collect())
    }
    fn message(&mut self, account: &str, uid: u32) -> Option<Vec<u8>> {
        self.maildrops[account].iter().find(|(u, _)| *u == uid).map(|(_, m)| m.clone())
    }
    fn commit(&mut self, account: &str, deleted: &[u32]) -> Result<usize, String> {
        self.commits.push((account.to_string(), deleted.to_vec()));
        let drop = self.maildrops.get_mut(account).unwrap();
        drop.retain(|(uid, _)| !deleted.contains(uid));
        self.locked.remove(account);
        Ok(drop.len())
    }
    fn release(&mut self, account: &str) {
        self.locked.remove(account);
    }
}

/// Everything a server session sent, as text.
pub fn drain<S: Engine>(s: &mut S, controls: &mut Vec<Output>) -> String {
    let mut bytes = Vec::new();
    while let Some(out) = s.poll_output() {
        match out {
            Output::Bytes(b) => bytes.extend_from_slice(&b),
            other => controls.push(other),
        }
    }
    String::from_utf8(bytes).unwrap()
}

pub const NOW: Time = Time::from_secs(697_170_952);
