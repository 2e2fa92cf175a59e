//! The whole world as a versioned serde document: the page keeps it across
//! reloads and the native server across restarts. Open sessions are not part of
//! it (they close); everything they stored is.

use mail_lab_proto::sorted::SortedMap;
use std::fmt;

use mail_lab_proto::Time;
use serde::{Deserialize, Serialize};

use crate::{ClientMachine, Host, QueueEntry, World};

/// The format name written in every snapshot.
pub const SNAPSHOT_FORMAT: &str = "mail-lab-world";
/// The version this build writes. Bump it, and add a migration in
/// [`World::from_json`], whenever the document's shape changes.
/// Version 2 writes messages as text in JSON (version 1 wrote arrays of
/// octets, which still read the same way: no other field changed). Version 3
/// adds `subscriptions` at the end: subscribed names that are no folder.
/// Version 4 adds `learner_accounts` after it, and version 5 `dns_txt`,
/// `spf_hosts` and `op25b_hosts` after that.
pub const SNAPSHOT_VERSION: u32 = 5;
/// The oldest version this build still reads.
pub const OLDEST_READABLE_VERSION: u32 = 1;

fn readable(version: u64) -> bool {
    (u64::from(OLDEST_READABLE_VERSION)..=u64::from(SNAPSHOT_VERSION)).contains(&version)
}

/// The world at rest. Written through [`SnapshotRef`], so a snapshot and the
/// world it was taken from are written the same.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WorldSnapshot {
    pub format: String,
    pub version: u32,
    pub now: Time,
    pub hosts: Vec<Host>,
    pub clients: Vec<ClientMachine>,
    pub dns_a: SortedMap<String, String>,
    pub dns_mx: SortedMap<String, Vec<(u16, String)>>,
    pub queue: Vec<QueueEntry>,
    pub next_connection: u64,
    pub bounce_seq: u64,
    pub auto_relay: bool,
    /// (host, account, name) of every subscription whose folder does not exist
    /// (RFC 9051 §6.3.7 keeps them). Last: a version 2 compact body is this one
    /// without it (see `from_compact`).
    #[serde(default)]
    pub subscriptions: Vec<(String, String, String)>,
    /// The accounts the learner uses at the learner machine (version 4; last).
    #[serde(default)]
    pub learner_accounts: Vec<String>,
    /// TXT records, SPF records among them (version 5).
    #[serde(default)]
    pub dns_txt: SortedMap<String, Vec<String>>,
    /// Hosts whose port 25 checks SPF (version 5).
    #[serde(default)]
    pub spf_hosts: Vec<String>,
    /// Hosts whose customers are behind OP25B (version 5).
    #[serde(default)]
    pub op25b_hosts: Vec<String>,
    /// DKIM signing keys (builds with feature `dkim`, the native server; last).
    /// An optional field at the end, in no version of its own: a build without
    /// the feature reads a document that has it (JSON skips it, the compact
    /// form ignores what follows), and one with it reads a document without.
    /// Left out when empty, so a world without keys is written the same by
    /// every build.
    #[cfg(feature = "dkim")]
    #[serde(default)]
    pub dkim_keys: Vec<crate::DkimKey>,
    /// Mailing lists (builds with feature `dkim`; after the keys, in the same
    /// way). When there are lists, the keys are written even if there are none:
    /// the compact form is positional.
    #[cfg(feature = "dkim")]
    #[serde(default)]
    pub mailing_lists: Vec<crate::MailingList>,
}

/// The world at rest, borrowed: serialises exactly as [`WorldSnapshot`] does
/// (same fields, same order), without copying the world first (and without the
/// page carrying a deep clone of every host type).
#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: &'a str,
    version: u32,
    now: Time,
    hosts: &'a [Host],
    clients: &'a [ClientMachine],
    dns_a: &'a SortedMap<String, String>,
    dns_mx: &'a SortedMap<String, Vec<(u16, String)>>,
    queue: &'a [QueueEntry],
    next_connection: u64,
    bounce_seq: u64,
    auto_relay: bool,
    subscriptions: Vec<(String, String, String)>,
    learner_accounts: &'a [String],
    dns_txt: &'a SortedMap<String, Vec<String>>,
    spf_hosts: &'a [String],
    op25b_hosts: &'a [String],
    #[cfg(feature = "dkim")]
    #[serde(skip_serializing_if = "Keys::absent")]
    dkim_keys: Keys<'a>,
    #[cfg(feature = "dkim")]
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    mailing_lists: &'a [crate::MailingList],
}

/// The DKIM keys as written: left out when there are none, unless a field
/// after them is written (the compact form reads fields by position).
#[cfg(feature = "dkim")]
struct Keys<'a> {
    keys: &'a [crate::DkimKey],
    followed: bool,
}

#[cfg(feature = "dkim")]
impl Keys<'_> {
    fn absent(&self) -> bool {
        self.keys.is_empty() && !self.followed
    }
}

#[cfg(feature = "dkim")]
impl Serialize for Keys<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.keys.serialize(serializer)
    }
}

impl Serialize for WorldSnapshot {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SnapshotRef::of(self).serialize(serializer)
    }
}

impl<'a> SnapshotRef<'a> {
    /// A snapshot taken earlier, written as the world it came from would be.
    fn of(s: &'a WorldSnapshot) -> Self {
        SnapshotRef {
            format: &s.format,
            version: s.version,
            now: s.now,
            hosts: &s.hosts,
            clients: &s.clients,
            dns_a: &s.dns_a,
            dns_mx: &s.dns_mx,
            queue: &s.queue,
            next_connection: s.next_connection,
            bounce_seq: s.bounce_seq,
            auto_relay: s.auto_relay,
            subscriptions: s.subscriptions.clone(),
            learner_accounts: &s.learner_accounts,
            dns_txt: &s.dns_txt,
            spf_hosts: &s.spf_hosts,
            op25b_hosts: &s.op25b_hosts,
            #[cfg(feature = "dkim")]
            dkim_keys: Keys { keys: &s.dkim_keys, followed: !s.mailing_lists.is_empty() },
            #[cfg(feature = "dkim")]
            mailing_lists: &s.mailing_lists,
        }
    }
}

impl WorldSnapshot {
    /// As [`World::write_json`], for a copy taken to be saved off the world's lock.
    pub fn write_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer(out, self).map_err(std::io::Error::from)
    }

    /// Every host's store keeps its invariants (a scenario file is edited by hand).
    pub fn check(&self) -> Result<(), SnapshotError> {
        // Connection ids must stay unique as they count up; 2^53 leaves room forever.
        if self.next_connection > 1 << 53 {
            return Err(SnapshotError::Malformed(format!("next_connection {} is out of range", self.next_connection)));
        }
        for host in &self.hosts {
            host.store.check().map_err(|why| SnapshotError::Malformed(format!("on {}: {why}", host.name)))?;
        }
        #[cfg(feature = "dkim")]
        for (i, list) in self.mailing_lists.iter().enumerate() {
            let others = self.mailing_lists.iter().enumerate().filter(move |(j, _)| *j != i).map(|(_, l)| l);
            if let Some(why) = crate::list_problem(&self.hosts, others, list) {
                return Err(SnapshotError::Malformed(format!("mailing list: {why}")));
            }
        }
        Ok(())
    }
}

/// Why a snapshot could not be read. Never answered by an empty world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotError {
    /// Not JSON (or not compact text), or not shaped like a snapshot.
    Malformed(String),
    /// Some other kind of document.
    WrongFormat(String),
    /// Written by a build this one cannot read.
    UnsupportedVersion { found: u64, supported: u32 },
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SnapshotError::Malformed(why) => write!(f, "the saved lab cannot be read: {why}"),
            SnapshotError::WrongFormat(found) => {
                write!(f, "this is not a saved Mail Lab world (format \"{found}\", expected \"{SNAPSHOT_FORMAT}\")")
            }
            SnapshotError::UnsupportedVersion { found, supported } => write!(
                f,
                "the saved lab is format version {found}, and this Mail Lab reads versions {OLDEST_READABLE_VERSION} to {supported}; it was left untouched"
            ),
        }
    }
}

impl std::error::Error for SnapshotError {}

impl World {
    fn snapshot_ref(&self) -> SnapshotRef<'_> {
        SnapshotRef {
            format: SNAPSHOT_FORMAT,
            version: SNAPSHOT_VERSION,
            now: self.now,
            hosts: &self.hosts,
            clients: &self.clients,
            dns_a: &self.dns_a,
            dns_mx: &self.dns_mx,
            queue: &self.queue,
            next_connection: self.next_connection,
            bounce_seq: self.bounce_seq,
            auto_relay: self.auto_relay,
            subscriptions: self.dangling_subscriptions(),
            learner_accounts: &self.learner_accounts,
            dns_txt: &self.dns_txt,
            spf_hosts: &self.spf_hosts,
            op25b_hosts: &self.op25b_hosts,
            #[cfg(feature = "dkim")]
            dkim_keys: Keys { keys: &self.dkim_keys, followed: !self.mailing_lists.is_empty() },
            #[cfg(feature = "dkim")]
            mailing_lists: &self.mailing_lists,
        }
    }

    fn dangling_subscriptions(&self) -> Vec<(String, String, String)> {
        self.hosts
            .iter()
            .flat_map(|h| {
                h.store.dangling_subscriptions().into_iter().map(|(account, name)| (h.name.clone(), account, name))
            })
            .collect()
    }

    /// The world at rest. Open connections are not included.
    pub fn snapshot(&self) -> WorldSnapshot {
        WorldSnapshot {
            format: SNAPSHOT_FORMAT.to_string(),
            version: SNAPSHOT_VERSION,
            now: self.now,
            hosts: self.hosts.clone(),
            clients: self.clients.clone(),
            dns_a: self.dns_a.clone(),
            dns_mx: self.dns_mx.clone(),
            queue: self.queue.clone(),
            next_connection: self.next_connection,
            bounce_seq: self.bounce_seq,
            auto_relay: self.auto_relay,
            subscriptions: self.dangling_subscriptions(),
            learner_accounts: self.learner_accounts.clone(),
            dns_txt: self.dns_txt.clone(),
            spf_hosts: self.spf_hosts.clone(),
            op25b_hosts: self.op25b_hosts.clone(),
            #[cfg(feature = "dkim")]
            dkim_keys: self.dkim_keys.clone(),
            #[cfg(feature = "dkim")]
            mailing_lists: self.mailing_lists.clone(),
        }
    }

    /// A world from a snapshot; sessions that were open are gone, so their
    /// POP3 locks are released.
    pub fn from_snapshot(snapshot: WorldSnapshot) -> World {
        let mut world = World::new(snapshot.now);
        world.hosts = snapshot.hosts;
        for host in &mut world.hosts {
            host.pop3_locks.clear();
        }
        world.clients = snapshot.clients;
        world.dns_a = snapshot.dns_a;
        world.dns_mx = snapshot.dns_mx;
        world.queue = snapshot.queue;
        world.next_connection = snapshot.next_connection;
        world.bounce_seq = snapshot.bounce_seq;
        world.auto_relay = snapshot.auto_relay;
        world.learner_accounts = snapshot.learner_accounts;
        world.dns_txt = snapshot.dns_txt;
        world.spf_hosts = snapshot.spf_hosts;
        world.op25b_hosts = snapshot.op25b_hosts;
        #[cfg(feature = "dkim")]
        {
            world.dkim_keys = snapshot.dkim_keys;
            world.mailing_lists = snapshot.mailing_lists;
        }
        for (host, account, name) in &snapshot.subscriptions {
            if let Some(h) = world.hosts.iter_mut().find(|h| h.name.eq_ignore_ascii_case(host)) {
                h.store.restore_subscription(account, name);
            }
        }
        world
    }

    /// The snapshot as JSON.
    pub fn to_json(&self) -> String {
        // A snapshot holds only strings, numbers, maps and lists: it always serialises.
        serde_json::to_string(&self.snapshot_ref()).unwrap_or_default()
    }

    /// The snapshot as JSON, written as it is made (a big world needs no second
    /// copy as one string).
    pub fn write_json(&self, out: impl std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer(out, &self.snapshot_ref()).map_err(std::io::Error::from)
    }

    /// The snapshot as indented JSON: the scenario file a teacher edits.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(&self.snapshot_ref()).unwrap_or_default()
    }

    /// Read a JSON snapshot, checking its format and version first.
    pub fn from_json(text: &str) -> Result<World, SnapshotError> {
        /// Only the fields that say what the file is; the rest is skipped unread.
        #[derive(Deserialize)]
        struct Header {
            #[serde(default)]
            format: String,
            #[serde(default)]
            version: u64,
        }
        // Read straight from text, not through serde_json::Value: the page carries
        // this code, and dropping Value's deserializers saved 5.6 KB of wasm (3.4 KB gzip).
        let header: Header = serde_json::from_str(text).map_err(|e| SnapshotError::Malformed(e.to_string()))?;
        if header.format != SNAPSHOT_FORMAT {
            return Err(SnapshotError::WrongFormat(header.format));
        }
        if !readable(header.version) {
            return Err(SnapshotError::UnsupportedVersion { found: header.version, supported: SNAPSHOT_VERSION });
        }
        let snapshot: WorldSnapshot =
            serde_json::from_str(text).map_err(|e| SnapshotError::Malformed(e.to_string()))?;
        snapshot.check()?;
        Ok(World::from_snapshot(snapshot))
    }

    /// The snapshot as compact text for browser storage:
    /// `mail-lab-world <version> <base64 of the postcard encoding>`. The page
    /// keeps this form because its decoder costs far less page weight than
    /// JSON's (measured: 51.7 KB gzip for JSON persistence in the page).
    pub fn to_compact(&self) -> String {
        use base64::Engine as _;
        // Postcard only fails on types it cannot encode; a snapshot has none.
        let bytes = postcard::to_allocvec(&self.snapshot_ref()).unwrap_or_default();
        let body = base64::engine::general_purpose::STANDARD.encode(bytes);
        format!("{SNAPSHOT_FORMAT} {SNAPSHOT_VERSION} {body}")
    }

    /// Read [`World::to_compact`]'s form, checking format and version first.
    pub fn from_compact(text: &str) -> Result<World, SnapshotError> {
        use base64::Engine as _;
        let mut fields = text.trim().splitn(3, ' ');
        let format = fields.next().unwrap_or_default();
        if format != SNAPSHOT_FORMAT {
            let shown = if format.starts_with('{') { "JSON from an earlier Mail Lab" } else { format };
            return Err(SnapshotError::WrongFormat(shown.chars().take(40).collect()));
        }
        let version = fields.next().unwrap_or_default();
        let found: u64 = version
            .parse()
            .map_err(|_| SnapshotError::Malformed(format!("the version \"{version}\" is not a number")))?;
        if !readable(found) {
            return Err(SnapshotError::UnsupportedVersion { found, supported: SNAPSHOT_VERSION });
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(fields.next().unwrap_or_default())
            .map_err(|_| SnapshotError::Malformed("the body is not base64".into()))?;
        let mut bytes = bytes;
        // The compact form is positional, and versions 3, 4 and 5 only added
        // lists and maps at the end (`subscriptions`; `learner_accounts`; `dns_txt`,
        // `spf_hosts` and `op25b_hosts`): an empty one is one zero octet. (One
        // decoder, not one per version, for the page's weight.)
        // Two more zero octets stand for `dkim_keys` and `mailing_lists`, which
        // a build without the feature does not write (and postcard ignores
        // octets left over, as after keys written without lists).
        let missing = match found {
            ..3 => 7,
            3 => 6,
            4 => 5,
            _ => 2,
        };
        bytes.resize(bytes.len() + missing, 0);
        // Postcard's own error texts would add weight to the page and say no more.
        let snapshot: WorldSnapshot = postcard::from_bytes(&bytes)
            .map_err(|_| SnapshotError::Malformed("the body is not a Mail Lab world of this version".into()))?;
        if snapshot.format != SNAPSHOT_FORMAT || u64::from(snapshot.version) != found {
            return Err(SnapshotError::Malformed("the header and the body disagree".into()));
        }
        snapshot.check()?;
        Ok(World::from_snapshot(snapshot))
    }
}
