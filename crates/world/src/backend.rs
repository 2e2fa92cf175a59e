//! How a host answers its engines: recipients, local delivery (MDA), VRFY,
//! logins, POP3 maildrops and POP-before-SMTP windows.

use std::collections::{BTreeSet, VecDeque};

use mail_lab_pop3::{MaildropEntry, MaildropError, Pop3Backend};
use mail_lab_proto::Time;
use mail_lab_smtp::grammar::{ForwardPath, Mailbox};
use mail_lab_smtp::{Delivery, RcptContext, Reply, SmtpBackend};
use mail_lab_store::INBOX;

use crate::{Event, EventKind, Host, log_event};

/// A host's view handed to an engine for one call.
pub(crate) struct HostBackend<'a> {
    pub host: &'a mut Host,
    pub events: &'a mut VecDeque<Event>,
    pub event_seq: &'a mut u64,
    pub now: Time,
    pub client_address: &'a str,
}

impl HostBackend<'_> {
    fn log(&mut self, kind: EventKind) {
        log_event(self.events, self.event_seq, self.now, kind);
    }

    /// `user` or `user@domain` as a full address of this host.
    fn address_of(&self, user: &str) -> Option<String> {
        if user.contains('@') { Some(user.to_string()) } else { Some(format!("{user}@{}", self.host.domains.first()?)) }
    }

    /// The account that receives mail for `path`, if it is local and exists.
    fn local_account(&self, path: &ForwardPath) -> Result<String, Reply> {
        let address = match path {
            ForwardPath::Postmaster => format!("postmaster@{}", self.host.domains.first().map_or("", String::as_str)),
            ForwardPath::Mailbox(m) if self.host.is_local_domain(&m.domain) => m.to_string(),
            ForwardPath::Mailbox(m) => {
                return Err(Reply::new(
                    554,
                    "5.7.1",
                    format!("<{m}>: Relay access denied (this host only accepts mail for its own domains)"),
                ));
            }
        };
        match self.host.store.account(&address) {
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

    fn may_relay(&mut self, ctx: RcptContext<'_>) -> bool {
        self.host.relay_windows.get(ctx.client_address).is_some_and(|until| self.now <= *until)
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
                    Some((l, d)) => ForwardPath::Mailbox(Mailbox { local_part: l.into(), domain: d.into() }),
                    None => return Err(Reply::new(451, "4.3.0", format!("<{path}>: cannot resolve recipient"))),
                }
            };
            match self.local_account(&path) {
                Ok(account) => accounts.push(account),
                // Relaying to other hosts comes with the MTA queue; until then
                // such mail is refused for now rather than lost.
                Err(r) => return Err(Reply::new(451, "4.3.0", r.lines.join(" "))),
            }
        }
        self.log(EventKind::MessageAccepted {
            host: self.host.name.clone(),
            id: delivery.id.clone(),
            reverse_path: delivery.envelope.reverse_path.clone(),
            forward_paths: delivery.envelope.forward_paths.clone(),
            size: delivery.message.len(),
        });
        // Final delivery adds Return-Path (RFC 5321 §4.4).
        let mut raw = format!("Return-Path: <{}>\r\n", delivery.envelope.reverse_path).into_bytes();
        raw.extend_from_slice(&delivery.message);
        for account in accounts {
            let uid = self
                .host
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
            let host = self.host.name.clone();
            self.log(EventKind::Delivered { host, account, folder: INBOX.to_string(), uid });
        }
        Ok(())
    }

    fn verify(&mut self, query: &str) -> Option<String> {
        let address = self.address_of(query)?;
        let (_, domain) = address.rsplit_once('@')?;
        if !self.host.is_local_domain(domain) {
            return None;
        }
        self.host.store.account(&address).map(|a| a.address.clone())
    }

    fn password(&mut self, username: &str) -> Option<(String, String)> {
        let address = self.address_of(username)?;
        self.host.store.account(&address).map(|a| (a.password.clone(), a.address.clone()))
    }
}

impl Pop3Backend for HostBackend<'_> {
    fn password(&mut self, user: &str) -> Option<(String, String)> {
        SmtpBackend::password(self, user)
    }

    fn open_maildrop(&mut self, account: &str) -> Result<Vec<MaildropEntry>, MaildropError> {
        let folder = self
            .host
            .store
            .folder(account, INBOX)
            .ok_or_else(|| MaildropError::Unavailable(format!("no INBOX for {account}")))?;
        let entries = folder
            .messages
            .iter()
            .map(|m| MaildropEntry {
                uid: m.uid,
                size: m.raw.len(),
                unique_id: format!("{}.{}", folder.uid_validity, m.uid),
            })
            .collect();
        if !self.host.pop3_locks.insert(account.to_string()) {
            return Err(MaildropError::InUse);
        }
        if let Some(minutes) = self.host.pop_before_smtp_minutes {
            let until = self.now.plus_millis(minutes * 60_000);
            self.host.relay_windows.insert(self.client_address.to_string(), until);
            self.log(EventKind::RelayWindowOpened {
                host: self.host.name.clone(),
                client: self.client_address.to_string(),
                until,
            });
        }
        Ok(entries)
    }

    fn message(&mut self, account: &str, uid: u32) -> Option<Vec<u8>> {
        let folder = self.host.store.folder(account, INBOX)?;
        folder.messages.iter().find(|m| m.uid == uid).map(|m| m.raw.clone())
    }

    fn commit(&mut self, account: &str, deleted: &[u32]) -> Result<usize, String> {
        self.host.pop3_locks.remove(account);
        let left = self.host.store.expunge(account, INBOX, deleted).map_err(|e| e.to_string())?;
        for &uid in deleted {
            let (host, account) = (self.host.name.clone(), account.to_string());
            self.log(EventKind::Removed { host, account, folder: INBOX.to_string(), uid });
        }
        Ok(left)
    }

    fn release(&mut self, account: &str) {
        self.host.pop3_locks.remove(account);
    }
}
