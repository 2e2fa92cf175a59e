//! How a host answers its engines: recipients, local delivery (MDA), VRFY,
//! logins, POP3 maildrops and POP-before-SMTP windows.

use mail_lab_proto::sorted::SortedSet;

use mail_lab_auth::spf::{self, SpfResult, StepKind};
use mail_lab_imap::ImapBackend;
use mail_lab_pop3::{MaildropEntry, MaildropError, Pop3Backend};
use mail_lab_proto::Time;
use mail_lab_proto::sasl::Proof;
use mail_lab_smtp::grammar::{ForwardPath, Mailbox};
use mail_lab_smtp::{Delivery, RcptContext, RelayPolicy, Reply, SmtpBackend};
use mail_lab_store::INBOX;

use mail_lab_message::Envelope;
use mail_lab_store::StoreError;

use crate::queue::QueueEntry;
use crate::{EventKind, EventLog, Fault, Host};

/// A host's view handed to an engine for one call.
pub(crate) struct HostBackend<'a> {
    pub host: &'a mut Host,
    pub events: &'a mut EventLog,
    pub now: Time,
    pub client_address: &'a str,
    /// The connection being served (for login events).
    pub connection: crate::ConnectionId,
    /// The link is inside TLS (for login events).
    pub tls: bool,
    /// Messages accepted for other hosts; the world puts them in the queue.
    pub queued: &'a mut Vec<QueueEntry>,
    /// Set by an injected fault: the world drops the link instead of answering.
    pub drop_link: &'a mut bool,
    /// The world's DNS, when this service checks SPF ([`crate::Policy::SpfCheck`]).
    pub spf: Option<crate::dns::WorldDns<'a>>,
}

/// `text` as an RFC 5322 quoted-string.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars().filter(|c| !c.is_control()) {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `text` as it is when it is a dot-atom, quoted otherwise.
fn value(text: &str) -> String {
    let atom = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.@".contains(c);
    if !text.is_empty() && text.chars().all(atom) { text.to_string() } else { quoted(text) }
}

/// What decided an SPF result, in a line: the record's explanation of a
/// fail, the error, or the term that matched.
fn spf_reason(verdict: &spf::Verdict) -> String {
    if let Some(explanation) = &verdict.explanation {
        return explanation.clone();
    }
    let decisive = verdict.trace.iter().rev().find(|s| !matches!(s.what, StepKind::Term { matched: false, .. }));
    match decisive.map(|s| (&s.what, &s.domain)) {
        Some((StepKind::Error(why), _)) => why.clone(),
        Some((StepKind::Term { term, .. }, domain)) => format!("{term} in the record of {domain} matched"),
        Some((StepKind::NoMatch, domain)) => format!("no term of {domain}'s record matched"),
        _ => format!("{} publishes no SPF record", verdict.domain),
    }
}

/// The MDA: store a message in an account's INBOX with `Return-Path:` on top
/// (RFC 5321 §4.4) and log the delivery.
pub(crate) fn deliver_local(
    host: &mut Host,
    events: &mut EventLog,
    now: Time,
    account: &str,
    reverse_path: &str,
    message: &[u8],
    envelope: Option<Envelope>,
) -> Result<u32, StoreError> {
    let mut raw = format!("Return-Path: <{reverse_path}>\r\n").into_bytes();
    raw.extend_from_slice(message);
    let uid = host.store.append(account, INBOX, raw, SortedSet::new(), now, envelope)?;
    let account = host.store.account(account).map_or_else(|| account.to_string(), |a| a.address.clone());
    events.push(now, EventKind::Delivered { host: host.name.clone(), account, folder: INBOX.to_string(), uid });
    Ok(uid)
}

impl HostBackend<'_> {
    /// SPF at the end of DATA, when the host checks it: a `fail` is refused and
    /// a `temperror` deferred; otherwise the result goes on top of the message,
    /// above the `Received:` line, as `Authentication-Results:` and `Received-SPF:`.
    fn check_spf(&mut self, delivery: &mut Delivery) -> Result<(), Reply> {
        let Some(dns) = self.spf.as_mut() else { return Ok(()) };
        let envelope = &delivery.envelope;
        // Every client of the world and of the native server has an IP address.
        let Ok(ip) = envelope.client_address.parse() else { return Ok(()) };
        // Clients this host already trusts are not checked: its own domains'
        // other MX hosts (a backup MX passing mail on), its relay networks and
        // POP-before-SMTP windows, as a real MTA permits them before SPF.
        let client = envelope.client_address.as_str();
        let trusted_network =
            matches!(&self.host.mx.relay, RelayPolicy::Addresses(list) if list.iter().any(|a| a == client));
        let open_window = self.host.relay_windows.get(client).is_some_and(|until| *until > self.now);
        let our_mx = self.host.domains.iter().any(|d| {
            let exchanges = dns.mx.get(&d.to_ascii_lowercase());
            exchanges.is_some_and(|list| list.iter().any(|(_, x)| dns.a.get(x).is_some_and(|a| a == client)))
        });
        if trusted_network || open_window || our_mx {
            return Ok(());
        }
        let query = spf::Query {
            ip,
            mail_from: &envelope.reverse_path,
            helo: &envelope.helo,
            receiver: &self.host.name,
            now: self.now,
        };
        let verdict = spf::check_mail_from(dns, &query);
        let sender = if envelope.reverse_path.is_empty() {
            format!("postmaster@{}", envelope.helo)
        } else {
            envelope.reverse_path.clone()
        };
        let why = spf_reason(&verdict);
        self.log(EventKind::SpfChecked {
            host: self.host.name.clone(),
            client: envelope.client_address.clone(),
            domain: verdict.domain.clone(),
            result: verdict.result.as_str().to_string(),
            why: why.clone(),
        });
        let ip = &envelope.client_address;
        let domain = &verdict.domain;
        let comment = match verdict.result {
            SpfResult::Fail => {
                return Err(Reply::new(
                    550,
                    "5.7.23",
                    format!("SPF fail: {domain} does not authorise {ip} to send its mail ({why})"),
                ));
            }
            SpfResult::TempError => {
                return Err(Reply::new(451, "4.7.24", format!("SPF temperror for {domain} ({why}); try again later")));
            }
            SpfResult::Pass => format!("domain of {sender} designates {ip} as permitted sender"),
            SpfResult::SoftFail => {
                format!("transitioning domain of {sender} does not designate {ip} as permitted sender")
            }
            SpfResult::Neutral => format!("{ip} is neither permitted nor denied by domain of {sender}"),
            SpfResult::None => format!("domain of {sender} does not designate permitted sender hosts"),
            SpfResult::PermError => format!("error in processing during lookup of {sender}"),
        };
        // Authentication-Results (RFC 8601 §2.2) on top, for the MUA; Received-SPF
        // (RFC 7208 §9.1) under it, with the comment a person reads.
        let (host, result) = (&self.host.name, verdict.result.as_str());
        // Values are quoted strings unless they are plain dot-atoms (RFC 7208 §9.1):
        // a quoted local part or an address literal HELO must not break the field.
        let (from, helo) = (quoted(&sender), value(&envelope.helo));
        let fields = format!(
            "Authentication-Results: {host};\r\n\tspf={result} smtp.mailfrom={}\r\n\
             Received-SPF: {result} ({host}: {})\r\n\treceiver={host}; client-ip={ip}; envelope-from={from}; helo={helo}; identity=mailfrom;\r\n",
            value(&sender),
            comment.replace(['(', ')', '\\'], "")
        );
        delivery.message.splice(0..0, fields.into_bytes());
        Ok(())
    }

    fn log(&mut self, kind: EventKind) {
        self.events.push(self.now, kind);
    }

    fn log_login(&mut self, protocol: crate::Protocol, account: &str, proof: Proof) {
        self.log(EventKind::LoggedIn {
            connection: self.connection,
            host: self.host.name.clone(),
            client: self.client_address.to_string(),
            protocol,
            account: account.to_string(),
            proof,
            encrypted: self.tls,
        });
    }

    /// `user` or `user@domain` as a full address of this host.
    fn address_of(&self, user: &str) -> Option<String> {
        if user.contains('@') { Some(user.to_string()) } else { Some(format!("{user}@{}", self.host.domains.first()?)) }
    }

    /// The members of a local alias, if `address` is one.
    fn alias(&self, address: &str) -> Option<&Vec<String>> {
        self.host.aliases.iter().find(|(a, _)| a.eq_ignore_ascii_case(address)).map(|(_, m)| m)
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
        let injected = self.host.faults.iter_mut().find_map(|f| match f {
            Fault::RcptReply { code, text, times } if *times > 0 => {
                *times -= 1;
                Some(Reply { code: *code, enhanced: None, lines: vec![text.clone()] })
            }
            _ => None,
        });
        if let Some(reply) = injected {
            return Err(reply);
        }
        if let ForwardPath::Mailbox(m) = rcpt
            && self.alias(&m.to_string()).is_some()
        {
            return Ok(());
        }
        self.local_account(rcpt).map(|_| ())
    }

    fn policy_refused(&mut self, rule: &'static str, reply: &Reply) {
        self.log(EventKind::PolicyRefused {
            host: self.host.name.clone(),
            client: self.client_address.to_string(),
            rule: rule.to_string(),
            reply: format!("{} {}", reply.code, reply.lines.join(" ")),
        });
    }

    fn may_relay(&mut self, ctx: RcptContext<'_>) -> bool {
        self.host.relay_windows.get(ctx.client_address).is_some_and(|until| self.now <= *until)
    }

    fn deliver(&mut self, mut delivery: Delivery) -> Result<(), Reply> {
        let drop = self.host.faults.iter_mut().any(|f| match f {
            Fault::DropAfterData { times } if *times > 0 => {
                *times -= 1;
                true
            }
            _ => false,
        });
        if drop {
            *self.drop_link = true;
            return Err(Reply::new(451, "4.4.2", "link dropped (injected fault)"));
        }
        if delivery.authenticated_as.is_none() {
            self.check_spf(&mut delivery)?;
        }
        // Resolve every local recipient before storing anything, so a failure
        // cannot leave a half-delivered message that a retry would duplicate.
        let mut accounts = Vec::new();
        let mut remote = Vec::new();
        // Aliases expand one level: members are local accounts or remote addresses.
        let mut targets = Vec::new();
        for path in &delivery.envelope.forward_paths {
            match self.alias(path) {
                Some(members) => targets.extend(members.iter().cloned()),
                None => targets.push(path.clone()),
            }
        }
        for path in &targets {
            let local = path.eq_ignore_ascii_case("Postmaster")
                || path.rsplit_once('@').is_some_and(|(_, d)| self.host.is_local_domain(d));
            if !local {
                // The engine allowed this relay; the MTA queue takes it.
                remote.push(path.clone());
                continue;
            }
            let path = match path.rsplit_once('@') {
                Some((l, d)) => ForwardPath::Mailbox(Mailbox { local_part: l.into(), domain: d.into() }),
                None => ForwardPath::Postmaster,
            };
            let account = self.local_account(&path).map_err(|r| Reply::new(451, "4.3.0", r.lines.join(" ")))?;
            accounts.push(account);
        }
        self.log(EventKind::MessageAccepted {
            host: self.host.name.clone(),
            id: delivery.id.clone(),
            reverse_path: delivery.envelope.reverse_path.clone(),
            forward_paths: delivery.envelope.forward_paths.clone(),
            size: delivery.message.len(),
        });
        for account in accounts {
            deliver_local(
                self.host,
                self.events,
                self.now,
                &account,
                &delivery.envelope.reverse_path,
                &delivery.message,
                Some(delivery.envelope.clone()),
            )
            .map_err(|e| Reply::new(451, "4.3.0", format!("Local error in processing: {e}")))?;
        }
        if !remote.is_empty() {
            self.queued.push(QueueEntry {
                id: delivery.id.clone(),
                host: self.host.name.clone(),
                reverse_path: delivery.envelope.reverse_path.clone(),
                recipients: remote,
                message: delivery.message,
                arrived: self.now,
                attempts: 0,
                next_attempt: self.now,
                last_error: None,
            });
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

    fn expand(&mut self, list: &str) -> Option<Vec<String>> {
        let address = self.address_of(list.trim_start_matches('<').trim_end_matches('>'))?;
        self.alias(&address).cloned()
    }

    fn password(&mut self, username: &str) -> Option<(String, String)> {
        let address = self.address_of(username)?;
        self.host.store.account(&address).map(|a| (a.password.clone(), a.address.clone()))
    }

    fn logged_in(&mut self, account: &str, proof: Proof) {
        self.log_login(crate::Protocol::Smtp, account, proof);
    }
}

impl ImapBackend for HostBackend<'_> {
    fn password(&mut self, user: &str) -> Option<(String, String)> {
        SmtpBackend::password(self, user)
    }

    fn store(&mut self) -> &mut mail_lab_store::Store {
        &mut self.host.store
    }

    fn logged_in(&mut self, account: &str, proof: Proof) {
        self.log_login(crate::Protocol::Imap, account, proof);
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

    fn logged_in(&mut self, account: &str, proof: Proof) {
        self.log_login(crate::Protocol::Pop3, account, proof);
    }

    fn message(&mut self, account: &str, uid: u32) -> Option<Vec<u8>> {
        let folder = self.host.store.folder(account, INBOX)?;
        let raw = folder.messages.iter().find(|m| m.uid == uid).map(|m| m.raw.clone())?;
        let (host, account) = (self.host.name.clone(), account.to_string());
        self.log(EventKind::MessageRead { host, account, uid });
        Some(raw)
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
