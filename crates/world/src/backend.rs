//! How a host answers its engines: recipients, local delivery (MDA), VRFY.

use std::collections::{BTreeSet, VecDeque};

use mail_lab_proto::Time;
use mail_lab_smtp::grammar::ForwardPath;
use mail_lab_smtp::{Delivery, RcptContext, Reply, SmtpBackend};
use mail_lab_store::{INBOX, Store};

use crate::{ConnectionId, Event, EventKind, log_event};

/// A host's view handed to an engine for one call.
pub(crate) struct HostBackend<'a> {
    pub host_name: &'a str,
    pub domains: &'a [String],
    pub store: &'a mut Store,
    pub events: &'a mut VecDeque<Event>,
    pub event_seq: &'a mut u64,
    pub now: Time,
    #[allow(dead_code)]
    pub connection: ConnectionId,
}

impl HostBackend<'_> {
    fn is_local(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }

    /// The account that receives mail for `path`, if it is local and exists.
    fn local_account(&self, path: &ForwardPath) -> Result<String, Reply> {
        let address = match path {
            ForwardPath::Postmaster => format!("postmaster@{}", self.domains.first().map_or("", String::as_str)),
            ForwardPath::Mailbox(m) if self.is_local(&m.domain) => m.to_string(),
            ForwardPath::Mailbox(m) => {
                return Err(Reply::new(
                    554,
                    "5.7.1",
                    format!("<{m}>: Relay access denied (this host only accepts mail for its own domains)"),
                ));
            }
        };
        match self.store.account(&address) {
            Some(a) => Ok(a.address.clone()),
            None => Err(Reply::new(
                550,
                "5.1.1",
                format!("<{address}>: Recipient address rejected: User unknown in local recipient table"),
            )),
        }
    }
}

impl SmtpBackend for HostBackend<'_> {
    fn check_local_recipient(&mut self, _ctx: RcptContext<'_>, rcpt: &ForwardPath) -> Result<(), Reply> {
        self.local_account(rcpt).map(|_| ())
    }

    fn password(&mut self, username: &str) -> Option<(String, String)> {
        let address =
            if username.contains('@') { username.to_string() } else { format!("{username}@{}", self.domains.first()?) };
        self.store.account(&address).map(|a| (a.password.clone(), a.address.clone()))
    }

    fn deliver(&mut self, delivery: Delivery) -> Result<(), Reply> {
        // Resolve every recipient before storing anything, so a failure cannot
        // leave a half-delivered message that a retry would duplicate.
        let mut accounts = Vec::new();
        for path in &delivery.envelope.forward_paths {
            let path = if path.eq_ignore_ascii_case("Postmaster") {
                ForwardPath::Postmaster
            } else {
                match path.rsplit_once('@') {
                    Some((l, d)) => {
                        ForwardPath::Mailbox(mail_lab_smtp::grammar::Mailbox { local_part: l.into(), domain: d.into() })
                    }
                    None => {
                        return Err(Reply::new(451, "4.3.0", format!("<{path}>: cannot resolve recipient")));
                    }
                }
            };
            let account = self.local_account(&path).map_err(|r| Reply::new(451, "4.3.0", r.lines.join(" ")))?;
            accounts.push(account);
        }
        log_event(
            self.events,
            self.event_seq,
            self.now,
            EventKind::MessageAccepted {
                host: self.host_name.to_string(),
                id: delivery.id.clone(),
                reverse_path: delivery.envelope.reverse_path.clone(),
                forward_paths: delivery.envelope.forward_paths.clone(),
                size: delivery.message.len(),
            },
        );
        // Final delivery adds Return-Path (RFC 5321 §4.4).
        let mut raw = format!("Return-Path: <{}>\r\n", delivery.envelope.reverse_path).into_bytes();
        raw.extend_from_slice(&delivery.message);
        for account in accounts {
            let uid = self
                .store
                .append(
                    &account,
                    INBOX,
                    raw.clone(),
                    BTreeSet::new(),
                    delivery.received_at,
                    Some(delivery.envelope.clone()),
                )
                .map_err(|e| Reply::new(451, "4.3.0", format!("Local error in processing: {e}")))?;
            log_event(
                self.events,
                self.event_seq,
                self.now,
                EventKind::Delivered { host: self.host_name.to_string(), account, folder: INBOX.to_string(), uid },
            );
        }
        Ok(())
    }

    fn verify(&mut self, query: &str) -> Option<String> {
        let address =
            if query.contains('@') { query.to_string() } else { format!("{query}@{}", self.domains.first()?) };
        let (_, domain) = address.rsplit_once('@')?;
        if !self.is_local(domain) {
            return None;
        }
        self.store.account(&address).map(|a| a.address.clone())
    }
}
