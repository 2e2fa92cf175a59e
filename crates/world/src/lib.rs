//! The virtual mail system: hosts with their services and mail stores, DNS,
//! client machines, connections that move bytes through the engines, local
//! delivery (MDA) and a typed event log.
//!
//! Deterministic: no I/O, no wall clock, no randomness. Time advances only
//! through [`World::advance`]; the same inputs give the same event log.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod backend;
mod dns;
pub mod event;
pub mod queue;
pub mod scenario;
pub mod snapshot;
pub mod workload;

use mail_lab_proto::sorted::SortedMap;
use std::fmt;

use mail_lab_proto::sorted::SortedSet;

use mail_lab_imap::{ImapConfig, ImapServer};
use mail_lab_pop3::{Pop3Config, Pop3Server};
use mail_lab_proto::{Engine, Output, Session, StateHint, Time};
use mail_lab_smtp::{Peer, ServerConfig, SmtpServer, TlsMode};
use mail_lab_store::Store;
use serde::{Deserialize, Serialize};

pub use event::{Direction, Event, EventKind, EventLog};
pub use queue::{QUEUE_LIMIT, QUEUE_OCTETS_LIMIT, QueueEntry, RETRY_MINUTES};
pub use snapshot::{SNAPSHOT_VERSION, SnapshotError, WorldSnapshot};

/// A host policy a lesson or the page switches at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Port 25 relays for anybody (the spammer's friend) instead of nobody.
    OpenRelay,
    /// AUTH on SMTP, USER/PASS and AUTH PLAIN on POP3, LOGIN on IMAP only inside TLS.
    TlsBeforeLogin,
    /// VRFY answers whether a user exists (RFC 5321 §3.5).
    Vrfy,
    /// A POP3 login lets that address relay for 10 minutes.
    PopBeforeSmtp,
    /// The service on this port answers connections.
    Service(u16),
    /// Port 25 checks the sender's SPF record (RFC 7208) at the end of DATA:
    /// a `fail` is refused with 550 5.7.23 (RFC 7372), a `temperror` deferred,
    /// any other result recorded in a `Received-SPF:` field.
    SpfCheck,
    /// Outbound Port 25 Blocking: client machines in this host's domains (its
    /// provider's customers) cannot reach port 25 of another network's hosts;
    /// they send through this host's submission port (587) with AUTH.
    Op25b,
}

/// How long a server waits for a silent client before it closes the session,
/// by protocol: SMTP 5 minutes (RFC 5321 §4.5.3.2.7), POP3 10 minutes
/// (RFC 1939 §3), IMAP 30 minutes (RFC 9051 §5.4). Logical time.
pub fn session_timeout(protocol: Protocol) -> u64 {
    match protocol {
        Protocol::Smtp => 5 * 60_000,
        Protocol::Pop3 => 10 * 60_000,
        Protocol::Imap => 30 * 60_000,
    }
}

/// How many events the log keeps; older ones are dropped first.
pub const EVENT_LOG_LIMIT: usize = 50_000;
/// How many bytes of events (mostly link traffic) the log keeps; older ones
/// are dropped first.
pub const EVENT_LOG_BYTES: usize = 16 * 1024 * 1024;

/// A service a host can offer on a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Service {
    /// SMTP for mail between hosts (port 25).
    Smtp,
    /// Message submission for the host's own users, AUTH required (port 587, RFC 6409).
    Submission,
    /// Submission inside TLS from the first byte (port 465, RFC 8314).
    Smtps,
    /// POP3 (port 110, RFC 1939).
    Pop3,
    /// POP3 inside TLS from the first byte (port 995).
    Pop3s,
    /// IMAP (port 143, RFC 9051).
    Imap,
    /// IMAP inside TLS from the first byte (port 993).
    Imaps,
}

/// The protocol a service speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Protocol {
    Smtp,
    Pop3,
    Imap,
}

impl Service {
    /// The usual port of the service.
    pub fn default_port(self) -> u16 {
        match self {
            Service::Smtp => 25,
            Service::Submission => 587,
            Service::Smtps => 465,
            Service::Pop3 => 110,
            Service::Pop3s => 995,
            Service::Imap => 143,
            Service::Imaps => 993,
        }
    }

    /// Every service, in port order of the usual ports.
    pub const ALL: [Service; 7] = [
        Service::Smtp,
        Service::Pop3,
        Service::Imap,
        Service::Smtps,
        Service::Submission,
        Service::Imaps,
        Service::Pop3s,
    ];

    /// The protocol spoken on this service.
    pub fn protocol(self) -> Protocol {
        match self {
            Service::Smtp | Service::Submission | Service::Smtps => Protocol::Smtp,
            Service::Pop3 | Service::Pop3s => Protocol::Pop3,
            Service::Imap | Service::Imaps => Protocol::Imap,
        }
    }

    /// True when the connection is inside TLS from its first byte (RFC 8314).
    pub fn implicit_tls(self) -> bool {
        matches!(self, Service::Smtps | Service::Pop3s | Service::Imaps)
    }

    /// The service's name, as the native server prints it.
    pub fn name(self) -> &'static str {
        match self {
            Service::Smtp => "smtp",
            Service::Submission => "submission",
            Service::Smtps => "smtps",
            Service::Pop3 => "pop3",
            Service::Pop3s => "pop3s",
            Service::Imap => "imap",
            Service::Imaps => "imaps",
        }
    }
}

/// A mail host: its names, mail store and services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Host {
    /// Host name, e.g. `mail.a.example`.
    pub name: String,
    /// Its address on the virtual network.
    pub address: String,
    /// Mail domains this host delivers locally.
    pub domains: Vec<String>,
    pub store: Store,
    /// Open ports and what listens there.
    pub services: SortedMap<u16, Service>,
    /// A host that is down refuses every connection.
    pub up: bool,
    /// The SMTP service on port 25 (MX: mail from other hosts).
    pub mx: ServerConfig,
    /// The submission service on 587 and 465 (the host's users sending mail).
    pub submission: ServerConfig,
    /// The POP3 service on 110 and 995.
    pub pop3: Pop3Config,
    /// The IMAP service on 143 and 993.
    pub imap: ImapConfig,
    /// POP before SMTP: a successful POP3 login lets that client address relay
    /// through port 25 for this many minutes of logical time.
    pub pop_before_smtp_minutes: Option<u64>,
    /// Accounts whose maildrop a POP3 session holds (RFC 1939 §8's lock).
    pub pop3_locks: SortedSet<String>,
    /// POP-before-SMTP windows: client address -> relay allowed until.
    pub relay_windows: SortedMap<String, Time>,
    /// Attempts before queued mail bounces (the queue's give-up point).
    pub max_delivery_attempts: u32,
    /// An intermittent host (dial-up, UUCP era) is reachable only part of the time.
    pub online: Option<OnlineSchedule>,
    /// Failures injected on purpose, for lessons on retries and bounces.
    pub faults: Vec<Fault>,
    /// Local aliases: an address of this host -> the addresses it expands to.
    pub aliases: SortedMap<String, Vec<String>>,
}

/// When an intermittent host is online: the first `online_minutes` of every
/// `period_minutes` of logical time (counted from the Unix epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineSchedule {
    pub period_minutes: u64,
    pub online_minutes: u64,
}

/// Whether a host answers connections now ([`World::host_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostState {
    Up,
    /// Switched off by hand (the page's "Take down").
    TakenDown,
    /// Off by its online schedule (dial-up) or an outage fault, until then.
    ScheduledDown {
        until: Option<Time>,
    },
}

/// A failure injected at a chosen step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fault {
    /// Answer this to RCPT for the next `times` recipients (e.g. 451 4.3.0 to force retries).
    RcptReply { code: u16, text: String, times: u32 },
    /// Answer this at greeting and close, for the next `times` connections (e.g. 421).
    GreetingReply { text: String, times: u32 },
    /// Drop the link right after the end of DATA, before any reply, `times` times.
    DropAfterData { times: u32 },
    /// The host is down from `from` until `until` on the logical clock.
    Down { from: Time, until: Time },
}

impl Host {
    /// True when `domain` is delivered on this host.
    pub fn is_local_domain(&self, domain: &str) -> bool {
        self.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }
}

/// A host's DKIM signing key (feature `dkim`): mail it accepts from an
/// authenticated user with a From: in `domain` is signed as `d=domain;
/// s=selector`. The lab's keys are written in its scenarios, so they are
/// secret to nobody: they teach the mechanism, they protect nothing.
#[cfg(feature = "dkim")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DkimKey {
    pub host: String,
    pub domain: String,
    pub selector: String,
    /// The Ed25519 private key's 32-octet seed, in base64.
    pub seed: String,
}

/// A mailing list a host runs (feature `dkim`: what it teaches is what a list
/// does to a signature). Mail to `address` is posted to every member as a new
/// message from the list: its envelope sender is `owner`, the one who runs the
/// list (RFC 5321 §3.9.2: bounces go to the list, not to the author), and it
/// carries `List-Id:` (RFC 2919) and `List-Post:` (RFC 2369). A `subject_tag`
/// (e.g. `[lab]`) goes before the Subject, as many list managers do: the
/// author's signature covers Subject:, so the tag breaks it.
#[cfg(feature = "dkim")]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailingList {
    pub host: String,
    pub address: String,
    pub owner: String,
    pub subject_tag: String,
    pub members: Vec<String>,
}

/// Why `list` cannot run beside the `others` on `hosts`, if it cannot. Every post
/// must reach someone and nothing may bounce to no one: the list's address is
/// one of its host's domains and no account or alias there; its owner is an
/// account there; it has members, and a member in its host's domains is an
/// account there. Lists do not nest: no member is another list.
#[cfg(feature = "dkim")]
pub fn list_problem<'l>(
    hosts: &[Host],
    others: impl Iterator<Item = &'l MailingList> + Clone,
    list: &MailingList,
) -> Option<String> {
    let Some(host) = hosts.iter().find(|h| h.name.eq_ignore_ascii_case(&list.host)) else {
        return Some(format!("{}: no such host", list.host));
    };
    let local = |address: &str| address.rsplit_once('@').is_some_and(|(_, d)| host.is_local_domain(d));
    let account = |address: &str| host.store.account(address).is_some();
    let taken = account(&list.address)
        || host.aliases.iter().any(|(a, _)| a.eq_ignore_ascii_case(&list.address))
        || others
            .clone()
            .any(|l| l.host.eq_ignore_ascii_case(&host.name) && l.address.eq_ignore_ascii_case(&list.address));
    let why = if !local(&list.address) {
        format!("{} is not in a domain of {}", list.address, host.name)
    } else if taken {
        format!("{} is an account, an alias or a list of {} already", list.address, host.name)
    } else if !local(&list.owner) || !account(&list.owner) {
        format!("the owner {} is not an account of {}", list.owner, host.name)
    } else if list.members.is_empty() {
        format!("{} has no members", list.address)
    } else if let Some(m) = list.members.iter().find(|m| others.clone().any(|l| l.address.eq_ignore_ascii_case(m))) {
        format!("the member {m} is a list (lists do not nest)")
    } else if let Some(m) = list.members.iter().find(|m| local(m) && !account(m)) {
        format!("the member {m} is not an account of {}", host.name)
    } else {
        return None;
    };
    Some(why)
}

/// A machine a learner sits at (no services; it opens connections).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientMachine {
    pub name: String,
    pub address: String,
}

/// Identifies one connection in the world.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ConnectionId(pub u64);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[derive(Debug, Clone)]
enum ServerSession {
    Smtp(Box<SmtpServer>),
    Pop3(Box<Pop3Server>),
    Imap(Box<ImapServer>),
}

#[derive(Debug, Clone)]
struct Connection {
    host: usize,
    port: u16,
    client_address: String,
    service: Service,
    engine: ServerSession,
    /// What the server sent, in wire order with TLS switches and the close.
    to_client: Vec<Output>,
    open: bool,
    /// True once the link is inside (simulated) TLS.
    tls: bool,
    /// When the client last sent anything (the server's inactivity timer).
    last_heard: Time,
}

/// Where a connection goes and how it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub host: String,
    pub port: u16,
    pub service: Service,
    pub client_address: String,
    pub open: bool,
    pub encrypted: bool,
}

/// Why a connection could not be made or used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum WorldError {
    UnknownHost(String),
    UnknownClient(String),
    HostDown(String),
    ConnectionRefused {
        host: String,
        port: u16,
    },
    /// The client's provider drops its packets to another network's port 25 (OP25B).
    Port25Blocked {
        client: String,
        host: String,
        /// The provider's mail server, which takes submissions on 587.
        provider: String,
    },
    NoSuchConnection(ConnectionId),
    ConnectionClosed(ConnectionId),
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorldError::UnknownHost(h) => write!(f, "{h}: unknown host (no such name in DNS)"),
            WorldError::UnknownClient(c) => write!(f, "{c}: unknown client machine"),
            WorldError::HostDown(h) => write!(f, "{h}: host is down (no route to host)"),
            WorldError::ConnectionRefused { host, port } => {
                write!(f, "{host} port {port}: connection refused (no service listens there)")
            }
            WorldError::Port25Blocked { client, host, provider } => write!(
                f,
                "{host} port 25: no answer (the provider's network blocks port 25 from {client} to other networks: OP25B; send through its mail server {provider} port 587 with AUTH)"
            ),
            WorldError::NoSuchConnection(id) => write!(f, "connection {id} does not exist"),
            WorldError::ConnectionClosed(id) => write!(f, "connection {id} is closed"),
        }
    }
}

impl std::error::Error for WorldError {}

/// The whole virtual mail system.
#[derive(Debug, Clone)]
pub struct World {
    now: Time,
    hosts: Vec<Host>,
    clients: Vec<ClientMachine>,
    /// A records: name -> address.
    dns_a: SortedMap<String, String>,
    /// MX records: domain -> (preference, exchange host).
    dns_mx: SortedMap<String, Vec<(u16, String)>>,
    /// TXT records: name -> texts (SPF records among them).
    dns_txt: SortedMap<String, Vec<String>>,
    /// Hosts whose port 25 checks SPF ([`Policy::SpfCheck`]), lower case.
    spf_hosts: Vec<String>,
    /// Hosts whose customers' machines are behind OP25B ([`Policy::Op25b`]), lower case.
    op25b_hosts: Vec<String>,
    connections: SortedMap<ConnectionId, Connection>,
    next_connection: u64,
    events: EventLog,
    queue: Vec<QueueEntry>,
    running_queue: bool,
    bounce_seq: u64,
    /// Run the queue as soon as a message is accepted (as an MTA does). Off,
    /// mail waits until the clock is advanced, so a lesson can show the queue.
    pub auto_relay: bool,
    /// A long command (a FETCH of a huge folder) runs one slice per
    /// [`World::resume`], so a driver serving many clients serves the others in
    /// between. Off (the page, tests), it runs to its end at once.
    pub slice_long_commands: bool,
    learner_accounts: Vec<String>,
    #[cfg(feature = "dkim")]
    dkim_keys: Vec<DkimKey>,
    #[cfg(feature = "dkim")]
    mailing_lists: Vec<MailingList>,
}

impl World {
    /// An empty world whose clock starts at `start`.
    pub fn new(start: Time) -> Self {
        World {
            now: start,
            hosts: Vec::new(),
            clients: Vec::new(),
            dns_a: SortedMap::new(),
            dns_mx: SortedMap::new(),
            dns_txt: SortedMap::new(),
            spf_hosts: Vec::new(),
            op25b_hosts: Vec::new(),
            connections: SortedMap::new(),
            next_connection: 1,
            events: EventLog::default(),
            queue: Vec::new(),
            running_queue: false,
            bounce_seq: 0,
            auto_relay: true,
            slice_long_commands: false,
            learner_accounts: Vec::new(),
            #[cfg(feature = "dkim")]
            dkim_keys: Vec::new(),
            #[cfg(feature = "dkim")]
            mailing_lists: Vec::new(),
        }
    }

    /// The logical time now.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Move the clock to `at` if that is later (the native server's real-time
    /// mode follows the wall clock this way); retries due on the way run.
    pub fn advance_to(&mut self, at: Time) {
        if at > self.now {
            self.advance(at.0 - self.now.0);
        }
    }

    /// Move the logical clock forward, running every retry and every link
    /// that comes up on the way, in time order.
    pub fn advance(&mut self, millis: u64) {
        let target = self.now.plus_millis(millis);
        for _ in 0..100_000 {
            let next_retry = self.queue.iter().map(|e| e.next_attempt).filter(|t| *t > self.now).min();
            let next_up = self.next_host_up(self.now);
            let next_timeout = self.next_session_timeout();
            let Some(next) =
                [next_retry, next_up.map(|(t, _)| t), next_timeout.map(|(t, _)| t)].into_iter().flatten().min()
            else {
                break;
            };
            if next > target {
                break;
            }
            self.now = next;
            if let Some((t, id)) = next_timeout
                && t == next
            {
                self.time_out(id);
                continue;
            }
            if let Some((t, host)) = next_up
                && t == next
            {
                self.log(EventKind::HostUp { host: self.hosts[host].name.clone() });
                self.flush_queue_for(host);
            }
            self.run_queue();
        }
        self.now = target;
        self.run_queue();
    }

    /// The open session whose inactivity limit runs out first, and when.
    fn next_session_timeout(&self) -> Option<(Time, ConnectionId)> {
        self.connections
            .iter()
            .filter(|(_, c)| c.open)
            .map(|(id, c)| (c.last_heard.plus_millis(session_timeout(c.service.protocol())), *id))
            .min()
    }

    /// Close a session the client left silent too long: the engine says its
    /// goodbye (421, BYE, or nothing for POP3) and the link closes.
    fn time_out(&mut self, id: ConnectionId) {
        self.log(EventKind::SessionTimedOut { connection: id });
        self.drive(id, Input::Timeout);
        if let Some(conn) = self.connections.get_mut(&id)
            && conn.open
        {
            conn.open = false;
            conn.to_client.push(Output::Close);
            self.log(EventKind::Disconnected { connection: id });
        }
    }

    /// True when host `index` answers connections at this moment.
    fn host_up(&self, index: usize, at: Time) -> bool {
        let h = &self.hosts[index];
        let scheduled = h.online.is_none_or(|s| {
            let minute = at.0 / 60_000;
            s.period_minutes == 0 || minute % s.period_minutes < s.online_minutes
        });
        h.up && scheduled
            && !h.faults.iter().any(|f| matches!(f, Fault::Down { from, until } if *from <= at && at < *until))
    }

    /// The earliest time after `now` at which a host that is down now comes up.
    fn next_host_up(&self, now: Time) -> Option<(Time, usize)> {
        (0..self.hosts.len())
            .filter(|&i| self.hosts[i].up)
            .filter_map(|i| Some((self.comes_up_at(i, now)?, i)))
            .min_by_key(|(t, _)| *t)
    }

    /// When host `index`, down now by its schedule or an outage, answers again
    /// (`None`: up now, or not coming up by itself).
    fn comes_up_at(&self, index: usize, now: Time) -> Option<Time> {
        let h = &self.hosts[index];
        if self.host_up(index, now) {
            return None;
        }
        let mut candidates: Vec<Time> = h
            .faults
            .iter()
            .filter_map(|f| if let Fault::Down { until, .. } = f { Some(*until) } else { None })
            .collect();
        if let Some(s) = h.online.filter(|s| s.period_minutes > 0) {
            let minute = now.0 / 60_000;
            let next_period = (minute / s.period_minutes + 1).saturating_mul(s.period_minutes);
            candidates.push(Time(next_period.saturating_mul(60_000)));
        }
        candidates.into_iter().filter(|t| *t > now && self.host_up(index, *t)).min()
    }

    /// Whether host `name` answers connections now, and if not, why: taken
    /// down by hand, or down by its schedule or an outage (and until when).
    pub fn host_state(&self, name: &str) -> Option<HostState> {
        let index = self.hosts.iter().position(|h| h.name == name)?;
        let now = self.now;
        Some(if !self.hosts[index].up {
            HostState::TakenDown
        } else if self.host_up(index, now) {
            HostState::Up
        } else {
            HostState::ScheduledDown { until: self.comes_up_at(index, now) }
        })
    }

    /// A host came up: mail waiting for it upstream flows now (as a dial-up
    /// link or ETRN flushes the queue), instead of waiting for the next retry.
    fn flush_queue_for(&mut self, host: usize) {
        let name = self.hosts[host].name.to_ascii_lowercase();
        let now = self.now;
        let dns_mx = &self.dns_mx;
        for e in &mut self.queue {
            let serves = e.recipients.iter().any(|r| {
                let domain = r.rsplit_once('@').map_or("", |(_, d)| d).to_ascii_lowercase();
                dns_mx.get(&domain).is_some_and(|l| l.iter().any(|(_, h)| *h == name)) || domain == name
            });
            if serves {
                e.next_attempt = now;
            }
        }
    }

    /// Add a mail host and its A record.
    pub fn add_host(&mut self, host: Host) {
        self.dns_a.insert(host.name.to_ascii_lowercase(), host.address.clone());
        self.hosts.push(host);
    }

    /// Add a client machine and its A record.
    pub fn add_client(&mut self, client: ClientMachine) {
        self.dns_a.insert(client.name.to_ascii_lowercase(), client.address.clone());
        self.clients.push(client);
    }

    /// Add an MX record for `domain`.
    pub fn add_mx(&mut self, domain: &str, preference: u16, exchange: &str) {
        let list = self.dns_mx.entry(domain.to_ascii_lowercase()).or_default();
        // Kept in order as it grows (no sort code for this one list).
        let record = (preference, exchange.to_ascii_lowercase());
        let at = list.partition_point(|r| *r <= record);
        list.insert(at, record);
    }

    /// Add a TXT record (an SPF record is one: `v=spf1 mx -all`).
    pub fn add_txt(&mut self, name: &str, text: &str) {
        self.dns_txt.entry(name.to_ascii_lowercase()).or_default().push(text.to_string());
    }

    /// Give `host` a DKIM key for `domain` and publish its public half at
    /// `selector._domainkey.domain` (RFC 6376 §3.6.2.1).
    #[cfg(feature = "dkim")]
    pub fn add_dkim_key(&mut self, host: &str, domain: &str, selector: &str, seed: [u8; 32]) {
        use base64::Engine as _;
        let signer = mail_lab_auth::dkim::Signer { domain, selector, seed, headers: &[] };
        self.add_txt(&format!("{selector}._domainkey.{domain}"), &signer.key_record());
        self.dkim_keys.push(DkimKey {
            host: host.to_ascii_lowercase(),
            domain: domain.to_ascii_lowercase(),
            selector: selector.to_string(),
            seed: base64::engine::general_purpose::STANDARD.encode(seed),
        });
    }

    /// The DKIM keys of every host.
    #[cfg(feature = "dkim")]
    pub fn dkim_keys(&self) -> &[DkimKey] {
        &self.dkim_keys
    }

    /// Run `list` (replacing a list of the same address on the same host), or
    /// say why it cannot run ([`list_problem`]).
    #[cfg(feature = "dkim")]
    pub fn add_mailing_list(&mut self, mut list: MailingList) -> Result<(), String> {
        list.host.make_ascii_lowercase();
        list.address.make_ascii_lowercase();
        let same = |l: &MailingList| l.host == list.host && l.address == list.address;
        if let Some(why) = list_problem(&self.hosts, self.mailing_lists.iter().filter(|l| !same(l)), &list) {
            return Err(why);
        }
        self.mailing_lists.retain(|l| !same(l));
        self.mailing_lists.push(list);
        Ok(())
    }

    /// Every host's mailing lists.
    #[cfg(feature = "dkim")]
    pub fn mailing_lists(&self) -> &[MailingList] {
        &self.mailing_lists
    }

    /// Replace every TXT record of `name` (none removes the name's TXT records).
    pub fn set_txt(&mut self, name: &str, texts: Vec<String>) {
        if texts.is_empty() {
            self.dns_txt.remove(&name.to_ascii_lowercase());
        } else {
            self.dns_txt.insert(name.to_ascii_lowercase(), texts);
        }
    }

    /// The SPF record among `name`'s TXT records (RFC 7208 §4.5), if any.
    pub fn spf_record(&self, name: &str) -> Option<&str> {
        self.txt(name).iter().map(String::as_str).find(|t| mail_lab_auth::spf::is_spf1(t))
    }

    /// Replace `name`'s SPF record by `text` (none when `text` is empty),
    /// keeping its other TXT records.
    pub fn set_spf_record(&mut self, name: &str, text: &str) {
        let key = name.to_ascii_lowercase();
        let texts = self.dns_txt.entry(key.clone()).or_default();
        texts.retain(|t| !mail_lab_auth::spf::is_spf1(t));
        if !text.is_empty() {
            texts.push(text.to_string());
        }
        if texts.is_empty() {
            self.dns_txt.remove(&key);
        }
    }

    /// TXT records of `name`.
    pub fn txt(&self, name: &str) -> &[String] {
        self.dns_txt.get(&name.to_ascii_lowercase()).map_or(&[], Vec::as_slice)
    }

    /// Every A record: a name and its address.
    pub fn a_records(&self) -> impl Iterator<Item = (&str, &str)> {
        self.dns_a.iter().map(|(name, address)| (name.as_str(), address.as_str()))
    }

    /// Every TXT record, by name.
    pub fn txt_records(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.dns_txt.iter().map(|(name, texts)| (name.as_str(), texts.as_slice()))
    }

    /// The machine the learner sits at: the scenario's first client machine.
    pub fn learner(&self) -> Option<&ClientMachine> {
        self.clients.first()
    }

    /// The accounts whose mail the learner reads and writes at that machine,
    /// its mail client's own first (the page shows their mailboxes).
    pub fn learner_accounts(&self) -> &[String] {
        &self.learner_accounts
    }

    pub fn set_learner_accounts(&mut self, accounts: Vec<String>) {
        self.learner_accounts = accounts;
    }

    /// The learner's own mail host: the best MX of the learner machine's
    /// domain, or else the first host.
    pub fn home_host(&self) -> Option<&str> {
        let domain = self.learner().and_then(|c| c.name.split_once('.')).map_or("", |(_, d)| d);
        let mx = self.mx(domain).first().map(|(_, exchange)| exchange.as_str());
        mx.or_else(|| self.hosts.first().map(|h| h.name.as_str()))
    }

    /// Every mail host, in the order added.
    pub fn hosts(&self) -> &[Host] {
        &self.hosts
    }

    /// Every client machine.
    pub fn clients(&self) -> &[ClientMachine] {
        &self.clients
    }

    /// The host named `name` (case-insensitive), by host name or address.
    pub fn host(&self, name: &str) -> Option<&Host> {
        self.host_index(name).map(|i| &self.hosts[i])
    }

    /// Mutable access to a host (to switch it down, change policy, add users).
    pub fn host_mut(&mut self, name: &str) -> Option<&mut Host> {
        self.host_index(name).map(|i| &mut self.hosts[i])
    }

    fn host_index(&self, name: &str) -> Option<usize> {
        let address = self.dns_a.get(&name.to_ascii_lowercase()).map_or(name, String::as_str);
        self.hosts.iter().position(|h| h.address == address || h.name.eq_ignore_ascii_case(name))
    }

    /// MX records of `domain`, lowest preference first.
    pub fn mx(&self, domain: &str) -> &[(u16, String)] {
        self.dns_mx.get(&domain.to_ascii_lowercase()).map_or(&[], Vec::as_slice)
    }

    /// The store of the host that delivers mail for `address`'s domain.
    pub fn store_for(&self, address: &str) -> Option<&Store> {
        let domain = address.rsplit_once('@')?.1;
        self.hosts.iter().find(|h| h.is_local_domain(domain)).map(|h| &h.store)
    }

    /// Put messages straight into an account's folder, as an administrator
    /// restoring a mailbox would (the page's .eml and mbox import). Each gets
    /// the current time as its internal date; open IMAP sessions on the host
    /// hear of them as they would of a delivery. Returns the new UIDs. All or
    /// none: a folder or a quota that cannot take every message takes none.
    pub fn import_messages(
        &mut self,
        account: &str,
        folder: &str,
        messages: Vec<Vec<u8>>,
    ) -> Result<Vec<u32>, mail_lab_store::StoreError> {
        let domain = account.rsplit_once('@').map_or("", |(_, d)| d);
        let Some(index) = self.hosts.iter().position(|h| h.is_local_domain(domain)) else {
            return Err(mail_lab_store::StoreError::NoSuchAccount(account.to_string()));
        };
        let now = self.now;
        let before = self.hosts[index].store.revision();
        let store = &mut self.hosts[index].store;
        store.fits(account, messages.iter().map(Vec::len).sum(), messages.len())?;
        if store.folder(account, folder).is_none() {
            return Err(mail_lab_store::StoreError::NoSuchFolder(folder.to_string()));
        }
        let uids = messages
            .into_iter()
            .map(|raw| store.append(account, folder, raw, Default::default(), now, None))
            .collect::<Result<Vec<u32>, _>>();
        self.log_store_changes(index, before);
        self.wake_host(index, None);
        uids
    }

    /// Whether `policy` is on at `host` (`None` for an unknown host).
    pub fn policy(&self, host: &str, policy: Policy) -> Option<bool> {
        let h = self.host(host)?;
        Some(match policy {
            Policy::SpfCheck => self.spf_hosts.iter().any(|n| n.eq_ignore_ascii_case(&h.name)),
            Policy::Op25b => self.op25b_hosts.iter().any(|n| n.eq_ignore_ascii_case(&h.name)),
            Policy::OpenRelay => h.mx.relay == mail_lab_smtp::RelayPolicy::Anybody,
            Policy::TlsBeforeLogin => h.submission.auth_requires_tls && h.pop3.plaintext_requires_tls,
            Policy::Vrfy => h.mx.vrfy,
            Policy::PopBeforeSmtp => h.pop_before_smtp_minutes.is_some(),
            Policy::Service(port) => h.services.contains_key(&port),
        })
    }

    /// Switch `policy` at `host`; sessions already open keep the rules they
    /// started with, new ones get the new rules. False for an unknown host or
    /// a port that has no service to switch.
    pub fn set_policy(&mut self, host: &str, policy: Policy, on: bool) -> bool {
        if matches!(policy, Policy::SpfCheck | Policy::Op25b) {
            let Some(name) = self.host(host).map(|h| h.name.to_ascii_lowercase()) else { return false };
            let list = if policy == Policy::SpfCheck { &mut self.spf_hosts } else { &mut self.op25b_hosts };
            list.retain(|n| *n != name);
            if on {
                list.push(name);
            }
            return true;
        }
        let Some(h) = self.host_mut(host) else { return false };
        match policy {
            Policy::SpfCheck | Policy::Op25b => {}
            Policy::OpenRelay => {
                h.mx.relay = if on { mail_lab_smtp::RelayPolicy::Anybody } else { mail_lab_smtp::RelayPolicy::Nobody };
            }
            Policy::TlsBeforeLogin => {
                h.mx.auth_requires_tls = on;
                h.submission.auth_requires_tls = on;
                h.pop3.plaintext_requires_tls = on;
                h.imap.plaintext_requires_tls = on;
            }
            Policy::Vrfy => h.mx.vrfy = on,
            Policy::PopBeforeSmtp => h.pop_before_smtp_minutes = on.then_some(10),
            Policy::Service(port) => {
                let Some(service) = Service::ALL.into_iter().find(|s| s.default_port() == port) else { return false };
                if on {
                    h.services.insert(port, service);
                } else {
                    h.services.remove(&port);
                }
            }
        }
        true
    }

    /// Events, oldest first (at most [`EVENT_LOG_LIMIT`]).
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.events.iter()
    }

    /// The events after `seq`, oldest first (every kept one if `seq` is older).
    pub fn events_since(&self, seq: u64) -> impl Iterator<Item = &Event> {
        self.events.since(seq)
    }

    /// The number of the newest event (0 before any).
    pub fn newest_event(&self) -> u64 {
        self.events.newest()
    }

    fn log(&mut self, kind: EventKind) {
        self.events.push(self.now, kind);
    }

    /// Open a connection from client machine `from` to `host` port `port`,
    /// as `telnet host port` would. The server's greeting is ready at once.
    pub fn connect(&mut self, from: &str, host: &str, port: u16) -> Result<ConnectionId, WorldError> {
        let client_address = match self.clients.iter().find(|c| c.name.eq_ignore_ascii_case(from)) {
            Some(c) => {
                if port == 25
                    && let Some(provider) = self.op25b_provider(&c.name, host)
                {
                    let error = WorldError::Port25Blocked { client: c.name.clone(), host: host.to_string(), provider };
                    self.events.push(
                        self.now,
                        EventKind::PolicyRefused {
                            host: host.to_string(),
                            client: c.address.clone(),
                            rule: "op25b".into(),
                            reply: error.to_string(),
                        },
                    );
                    return Err(error);
                }
                c.address.clone()
            }
            None => match self.host(from) {
                Some(h) => h.address.clone(),
                None => return Err(WorldError::UnknownClient(from.to_string())),
            },
        };
        self.connect_from_address(client_address, host, port)
    }

    /// The provider host whose OP25B stops client machine `client` reaching
    /// port 25 of `host`: one with the policy on that serves the client's
    /// domain (`pc.a.example` is in `a.example`), when `host` does not.
    fn op25b_provider(&self, client: &str, host: &str) -> Option<String> {
        let domain = client.split_once('.')?.1;
        let provider = self
            .hosts
            .iter()
            .find(|h| h.is_local_domain(domain) && self.op25b_hosts.iter().any(|n| n.eq_ignore_ascii_case(&h.name)))?;
        let target = self.host(host)?;
        (!target.is_local_domain(domain)).then(|| provider.name.clone())
    }

    /// Open a connection from a client outside the world (a real TCP peer of
    /// the native server), known only by its address.
    pub fn connect_from_address(
        &mut self,
        client_address: String,
        host: &str,
        port: u16,
    ) -> Result<ConnectionId, WorldError> {
        let index = self.host_index(host).ok_or_else(|| WorldError::UnknownHost(host.to_string()))?;
        if !self.host_up(index, self.now) {
            return Err(WorldError::HostDown(self.hosts[index].name.clone()));
        }
        let h = &self.hosts[index];
        let Some(service) = h.services.get(&port).copied() else {
            return Err(WorldError::ConnectionRefused { host: h.name.clone(), port });
        };
        let id = ConnectionId(self.next_connection);
        // A loaded snapshot keeps this below 2^53 (WorldSnapshot::check), so ids stay unique.
        self.next_connection = self.next_connection.saturating_add(1);
        // Queue ids, APOP timestamps and challenges read "C<connection>": unique, deterministic.
        let peer = Peer { address: client_address.clone(), session_id: format!("C{}", id.0) };
        let engine = match service {
            Service::Smtp | Service::Submission | Service::Smtps => {
                let mut config = match service {
                    Service::Smtp => h.mx.clone(),
                    Service::Submission => h.submission.clone(),
                    _ => ServerConfig { tls: TlsMode::Implicit, ..h.submission.clone() },
                };
                config.own_addresses = vec![h.address.clone()];
                ServerSession::Smtp(Box::new(SmtpServer::new(config, peer)))
            }
            Service::Pop3 | Service::Pop3s => {
                let mut config = h.pop3.clone();
                if service.implicit_tls() {
                    config.tls = TlsMode::Implicit;
                }
                ServerSession::Pop3(Box::new(Pop3Server::new(config, peer)))
            }
            Service::Imap | Service::Imaps => {
                let mut config = h.imap.clone();
                if service.implicit_tls() {
                    config.tls = TlsMode::Implicit;
                }
                ServerSession::Imap(Box::new(ImapServer::new(config, peer)))
            }
        };
        let host_name = h.name.clone();
        let tls = service.implicit_tls();
        self.connections.insert(
            id,
            Connection {
                host: index,
                port,
                client_address: client_address.clone(),
                service,
                engine,
                to_client: Vec::new(),
                open: true,
                tls,
                last_heard: self.now,
            },
        );
        self.log(EventKind::Connected { connection: id, client: client_address, host: host_name, port });
        if tls {
            self.log(EventKind::TlsStarted { connection: id });
        }
        if let Some(text) = self.take_greeting_fault(index, service) {
            // An injected fault answers in place of the server and hangs up.
            let bytes = format!("{text}\r\n").into_bytes();
            if let Some(conn) = self.connections.get_mut(&id) {
                conn.to_client.push(Output::Bytes(bytes.clone()));
                conn.to_client.push(Output::Close);
                conn.open = false;
            }
            self.log(EventKind::LinkBytes { connection: id, direction: Direction::ToClient, bytes, encrypted: tls });
            self.log(EventKind::Disconnected { connection: id });
            return Ok(id);
        }
        self.drive(id, Input::Open);
        Ok(id)
    }

    fn take_greeting_fault(&mut self, host: usize, service: Service) -> Option<String> {
        if service.protocol() != Protocol::Smtp {
            return None;
        }
        self.hosts[host].faults.iter_mut().find_map(|f| match f {
            Fault::GreetingReply { text, times } if *times > 0 => {
                *times -= 1;
                Some(text.clone())
            }
            _ => None,
        })
    }

    /// Send bytes from the client side of a connection to its server. Mail the
    /// server queues for other hosts is relayed at once when `auto_relay` is on.
    pub fn send(&mut self, id: ConnectionId, bytes: &[u8]) -> Result<(), WorldError> {
        self.send_internal(id, bytes)?;
        if self.auto_relay {
            self.run_queue();
        }
        Ok(())
    }

    pub(crate) fn send_internal(&mut self, id: ConnectionId, bytes: &[u8]) -> Result<(), WorldError> {
        let now = self.now;
        let conn = self.connections.get_mut(&id).ok_or(WorldError::NoSuchConnection(id))?;
        if !conn.open {
            return Err(WorldError::ConnectionClosed(id));
        }
        conn.last_heard = now;
        let encrypted = conn.tls;
        self.log(EventKind::LinkBytes {
            connection: id,
            direction: Direction::ToServer,
            bytes: bytes.to_vec(),
            encrypted,
        });
        self.drive(id, Input::Bytes(bytes));
        Ok(())
    }

    /// Take the bytes the server has sent to the client since the last call
    /// (a terminal's view: TLS switches are only in the event log).
    pub fn take_output(&mut self, id: ConnectionId) -> Vec<u8> {
        let mut bytes = Vec::new();
        for out in self.take_outputs(id) {
            if let Output::Bytes(b) = out {
                bytes.extend_from_slice(&b);
            }
        }
        bytes
    }

    /// Take what the server has sent since the last call in wire order, with
    /// `StartTls` where a real driver must switch the socket to TLS and `Close`.
    pub fn take_outputs(&mut self, id: ConnectionId) -> Vec<Output> {
        self.connections.get_mut(&id).map(|c| std::mem::take(&mut c.to_client)).unwrap_or_default()
    }

    /// How many octets the server of `id` has sent that no driver has taken yet.
    pub fn queued_output(&self, id: ConnectionId) -> usize {
        let queued = self.connections.get(&id).map(|c| c.to_client.as_slice()).unwrap_or_default();
        queued.iter().map(|o| if let Output::Bytes(b) = o { b.len() } else { 0 }).sum()
    }

    /// True while the connection is open.
    pub fn is_open(&self, id: ConnectionId) -> bool {
        self.connections.get(&id).is_some_and(|c| c.open)
    }

    /// Where a connection goes and how it stands, for the UI.
    pub fn connection_info(&self, id: ConnectionId) -> Option<ConnectionInfo> {
        let c = self.connections.get(&id)?;
        Some(ConnectionInfo {
            host: self.hosts[c.host].name.clone(),
            port: c.port,
            service: c.service,
            client_address: c.client_address.clone(),
            open: c.open,
            encrypted: c.tls,
        })
    }

    /// True once the connection's link is inside (simulated) TLS.
    pub fn is_encrypted(&self, id: ConnectionId) -> bool {
        self.connections.get(&id).is_some_and(|c| c.tls)
    }

    /// How many logins the server of `id` refused for wrong credentials.
    pub fn failed_logins(&self, id: ConnectionId) -> u32 {
        self.connections.get(&id).map_or(0, |c| match &c.engine {
            ServerSession::Smtp(s) => s.failed_logins(),
            ServerSession::Pop3(s) => s.failed_logins(),
            ServerSession::Imap(s) => s.failed_logins(),
        })
    }

    /// The server's state and the commands valid now, for the UI's hint line.
    pub fn hint(&self, id: ConnectionId) -> Option<StateHint> {
        let conn = self.connections.get(&id)?;
        Some(match &conn.engine {
            ServerSession::Smtp(s) => s.hint(),
            ServerSession::Pop3(s) => s.hint(),
            ServerSession::Imap(s) => s.hint(),
        })
    }

    /// Drive a client engine (the MUA's SMTP or POP3 client, the MTA's relay
    /// client) over an open connection until it is done or the server stops
    /// answering. Bounded: a server that never stops talking cannot loop forever.
    pub(crate) fn pump<C: Session<()>>(&mut self, conn: ConnectionId, client: &mut C) {
        let now = self.now;
        for _ in 0..10_000 {
            let mut moved = false;
            while let Some(out) = client.poll_output() {
                if let Output::Bytes(bytes) = out {
                    if self.send_internal(conn, &bytes).is_err() {
                        break;
                    }
                    // A client inside the world waits for the whole answer.
                    while self.is_busy(conn) {
                        self.drive(conn, Input::Resume);
                    }
                    let reply = self.take_output(conn);
                    client.receive(&reply, &mut (), now);
                    moved = true;
                }
            }
            if client.is_closed() || !moved {
                break;
            }
        }
    }

    /// Run a client engine from machine `from` against `host:port`, as a mail
    /// client does: connect, converse, disconnect. Mail it submitted is relayed
    /// at once when `auto_relay` is on. Returns the connection, whose dialogue is
    /// in the event log (see [`World::dialogue`]).
    pub fn run_client<C: Session<()>>(
        &mut self,
        from: &str,
        host: &str,
        port: u16,
        client: &mut C,
    ) -> Result<ConnectionId, WorldError> {
        let conn = self.start_client(from, host, port, client)?;
        // A client still talking here is waiting for nothing more: hang up.
        if self.is_open(conn) {
            self.disconnect(conn);
            if self.auto_relay {
                self.run_queue();
            }
        }
        Ok(conn)
    }

    /// Connect a client engine that stays connected (an IMAP client in IDLE):
    /// it talks until it waits for the server or closes. Later calls to
    /// [`World::pump_client`] hand it what the server pushes.
    pub fn start_client<C: Session<()>>(
        &mut self,
        from: &str,
        host: &str,
        port: u16,
        client: &mut C,
    ) -> Result<ConnectionId, WorldError> {
        let conn = self.connect(from, host, port)?;
        self.pump_client(conn, client);
        Ok(conn)
    }

    /// Give a started client what its server sent meanwhile, let it answer,
    /// and hang up once it is done.
    pub fn pump_client<C: Session<()>>(&mut self, conn: ConnectionId, client: &mut C) {
        let pushed = self.take_output(conn);
        if !pushed.is_empty() {
            client.receive(&pushed, &mut (), self.now);
        }
        self.pump(conn, client);
        if client.is_closed() || !self.is_open(conn) {
            self.disconnect(conn);
            if self.auto_relay {
                self.run_queue();
            }
        }
    }

    /// What crossed a connection, in order, as text lines with their direction.
    pub fn dialogue(&self, id: ConnectionId) -> Vec<(Direction, String)> {
        let mut lines = Vec::new();
        for e in self.events() {
            if let EventKind::LinkBytes { connection, direction, bytes, .. } = &e.kind
                && *connection == id
            {
                for line in String::from_utf8_lossy(bytes).lines() {
                    lines.push((*direction, line.to_string()));
                }
            }
        }
        lines
    }

    /// Close a connection from the client side (the learner closed the terminal).
    pub fn disconnect(&mut self, id: ConnectionId) {
        if !self.is_open(id) {
            return;
        }
        self.drive(id, Input::Lost);
        if let Some(conn) = self.connections.get_mut(&id) {
            conn.open = false;
        }
        self.log(EventKind::Disconnected { connection: id });
    }

    /// Forget a connection the driver is done with (the native server's socket
    /// closed): hang up if still open, then drop its engine and anything it
    /// still held, so a client that left leaves nothing behind. Its events stay
    /// in the log.
    pub fn release(&mut self, id: ConnectionId) {
        self.disconnect(id);
        self.connections.remove(&id);
    }

    /// The client of `id` was silent past the driver's inactivity limit: the
    /// server says its protocol's goodbye (SMTP 421, IMAP BYE; POP3 closes) and
    /// the link closes, exactly as when the logical clock runs out the limit.
    pub fn expire(&mut self, id: ConnectionId) {
        if self.is_open(id) {
            self.time_out(id);
        }
    }

    /// Connections whose server has sent something no driver has taken yet
    /// (an IMAP session told of a delivery, a session timed out), so a driver
    /// with real sockets knows whom to wake.
    pub fn connections_with_output(&self) -> Vec<ConnectionId> {
        self.connections.iter().filter(|(_, c)| !c.to_client.is_empty()).map(|(id, _)| *id).collect()
    }

    /// True while the server of `id` is half way through a long command and
    /// waits for [`World::resume`] (only with `slice_long_commands`).
    pub fn is_busy(&self, id: ConnectionId) -> bool {
        self.connections.get(&id).is_some_and(|c| {
            c.open
                && match &c.engine {
                    ServerSession::Smtp(s) => s.is_busy(),
                    ServerSession::Pop3(s) => s.is_busy(),
                    ServerSession::Imap(s) => s.is_busy(),
                }
        })
    }

    /// Run the next slice of the long command `id` is busy with; commands the
    /// client pipelined behind it run once it is done.
    pub fn resume(&mut self, id: ConnectionId) {
        if self.is_busy(id) {
            // A session answering a long command is not idle.
            let now = self.now;
            if let Some(conn) = self.connections.get_mut(&id) {
                conn.last_heard = now;
            }
            self.drive(id, Input::Resume);
        }
    }

    /// Run the engine of `id` on `input`; if that changed the host's store,
    /// wake the host's other open IMAP sessions (IDLE pushes the change).
    fn drive(&mut self, id: ConnectionId, input: Input<'_>) {
        let Some(host) = self.connections.get(&id).map(|c| c.host) else { return };
        let before = self.hosts[host].store.revision();
        self.drive_one(id, input);
        if !self.slice_long_commands {
            // Each slice moves the command on, so this ends.
            while self.is_busy(id) {
                self.drive_one(id, Input::Resume);
            }
        }
        if self.hosts[host].store.revision() != before {
            self.log_store_changes(host, before);
            if !matches!(input, Input::Wake) {
                self.wake_host(host, Some(id));
            }
        }
    }

    /// One `MailboxChanged` event per store change on `host` after revision `before`.
    fn log_store_changes(&mut self, host: usize, before: u64) {
        let name = self.hosts[host].name.clone();
        let changes: Vec<EventKind> = self.hosts[host]
            .store
            .changes_since(before)
            .map(|changes| {
                changes
                    .map(|c| EventKind::MailboxChanged {
                        host: name.clone(),
                        account: c.account.clone(),
                        folder: c.folder.clone(),
                        change: c.kind.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        for change in changes {
            self.log(change);
        }
    }

    /// Wake every open IMAP session on `host` except `except`.
    fn wake_host(&mut self, host: usize, except: Option<ConnectionId>) {
        let idle: Vec<ConnectionId> = self
            .connections
            .iter()
            .filter(|(cid, c)| {
                Some(**cid) != except && c.host == host && c.open && matches!(c.engine, ServerSession::Imap(_))
            })
            .map(|(cid, _)| *cid)
            .collect();
        for cid in idle {
            self.drive_one(cid, Input::Wake);
        }
    }

    fn drive_one(&mut self, id: ConnectionId, input: Input<'_>) {
        let now = self.now;
        let Some(conn) = self.connections.get_mut(&id) else { return };
        let mut queued = Vec::new();
        let mut drop_link = false;
        let host = &mut self.hosts[conn.host];
        let checks_spf =
            conn.service == Service::Smtp && self.spf_hosts.iter().any(|n| n.eq_ignore_ascii_case(&host.name));
        let queue_full = self.queue.len() >= queue::QUEUE_LIMIT
            || self.queue.iter().map(|q| q.message.len()).sum::<usize>() >= queue::QUEUE_OCTETS_LIMIT;
        let mut backend = backend::HostBackend {
            #[cfg(feature = "dkim")]
            dkim_keys: &self.dkim_keys,
            #[cfg(feature = "dkim")]
            mailing_lists: &self.mailing_lists,
            spf: checks_spf.then_some(dns::WorldDns { a: &self.dns_a, mx: &self.dns_mx, txt: &self.dns_txt }),
            host,
            events: &mut self.events,
            now,
            client_address: &conn.client_address,
            connection: id,
            tls: conn.tls,
            queued: &mut queued,
            drop_link: &mut drop_link,
            queue_full,
        };
        let outputs = match &mut conn.engine {
            ServerSession::Smtp(server) => run_engine(server.as_mut(), &mut backend, input, now),
            ServerSession::Pop3(server) => run_engine(server.as_mut(), &mut backend, input, now),
            ServerSession::Imap(server) => run_engine(server.as_mut(), &mut backend, input, now),
        };
        for entry in queued {
            self.enqueue(entry);
        }
        if drop_link {
            // An injected fault: the link dies before the server's answer is sent,
            // and the session ends as on any lost link (its engine hears of the loss).
            if !matches!(input, Input::Lost) {
                self.drive_one(id, Input::Lost);
            }
            if let Some(conn) = self.connections.get_mut(&id) {
                conn.open = false;
                conn.to_client.clear();
            }
            self.log(EventKind::Disconnected { connection: id });
            return;
        }
        // Bytes before a StartTls cross the link in the clear, bytes after it inside TLS.
        for out in outputs {
            let Some(conn) = self.connections.get_mut(&id) else { return };
            match out {
                Output::Bytes(bytes) => {
                    conn.to_client.push(Output::Bytes(bytes.clone()));
                    let encrypted = conn.tls;
                    self.log(EventKind::LinkBytes { connection: id, direction: Direction::ToClient, bytes, encrypted });
                }
                Output::StartTls => {
                    conn.tls = true;
                    conn.to_client.push(Output::StartTls);
                    self.log(EventKind::TlsStarted { connection: id });
                }
                Output::Close => {
                    conn.open = false;
                    conn.to_client.push(Output::Close);
                    self.log(EventKind::Disconnected { connection: id });
                }
            }
        }
    }
}

/// What a driver hands an engine.
#[derive(Clone, Copy)]
enum Input<'a> {
    Open,
    Bytes(&'a [u8]),
    Lost,
    /// The store changed under the session (IMAP IDLE pushes it).
    Wake,
    /// The next slice of a long command.
    Resume,
    /// The client was silent past the server's inactivity limit.
    Timeout,
}

/// Drives any engine the same way: one input, then every output in order.
fn run_engine<B: ?Sized, S: Session<B>>(session: &mut S, backend: &mut B, input: Input<'_>, now: Time) -> Vec<Output> {
    match input {
        Input::Open => session.open(backend, now),
        Input::Bytes(bytes) => session.receive(bytes, backend, now),
        Input::Lost => session.connection_lost(backend),
        Input::Wake => session.wake(backend, now),
        Input::Resume => session.resume(backend, now),
        Input::Timeout => session.timed_out(backend, now),
    }
    std::iter::from_fn(|| session.poll_output()).collect()
}
