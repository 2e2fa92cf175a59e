//! The IMAP server engine: RFC 9051's states (§3) over one shared store, with
//! the untagged updates other sessions cause (§7.5), for IMAP4rev2 and rev1 clients.

use mail_lab_proto::sorted::SortedSet;

use imap_types::command::{Command, CommandBody};
use imap_types::core::{Charset, LiteralMode};
use imap_types::extensions::binary::LiteralOrLiteral8;
use imap_types::fetch::MacroOrMessageDataItemNames;
use imap_types::flag::{Flag as ImapFlag, StoreResponse, StoreType};
use imap_types::mailbox::{ListMailbox, Mailbox};
use imap_types::search::SearchKey;
use imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};
use imap_types::status::StatusDataItemName;
use mail_lab_proto::sasl::{self, Credentials, Mechanism, Proof, SaslServer, SaslStep};
use mail_lab_proto::{Engine, Outbox, Output, Peer, Session, StateHint, Time, TlsMode};
use mail_lab_store::{ChangeKind, Flag, Folder, INBOX, Store, StoreError};

use crate::command_parser::{self, Stop};
use crate::{extended, fetch, search, syntax, utf7};

/// Longest command line (without literals) the server buffers.
pub const MAX_LINE: usize = 8 * 1024;
/// Most commands one engine call runs before the session yields (see `resume`).
pub const COMMANDS_PER_CALL: usize = 64;
/// Most literals one command may announce (LOGIN has two, APPEND one).
pub const MAX_LITERALS: usize = 100;
/// Past this much of a command buffered, a later literal gets its "+" without
/// the grammar reading the command again (it reads it whole at the end).
const JUDGE_LIMIT: usize = 64 * 1024;
/// Most mailboxes one account may have: CREATE past it is `NO [LIMIT]`.
pub const MAX_FOLDERS: usize = 10_000;
/// Longest mailbox name, in octets, and deepest hierarchy CREATE and RENAME make.
pub const MAX_NAME: usize = 1000;
pub const MAX_LEVELS: usize = 32;
/// Most distinct keywords one mailbox holds, and the longest keyword, in
/// octets. Every message carries its own copies, so these bound what STORE can
/// make a mailbox weigh and how long FLAGS grows (Cyrus also stops at 128).
pub const MAX_KEYWORDS: usize = 128;
pub const MAX_KEYWORD_LEN: usize = 64;

/// How one host's IMAP service behaves; given by the caller.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImapConfig {
    pub hostname: String,
    pub tls: TlsMode,
    /// LOGIN and AUTHENTICATE PLAIN are refused until TLS (LOGINDISABLED).
    pub plaintext_requires_tls: bool,
    /// Largest literal accepted (APPEND and the like), in octets.
    pub max_literal: u32,
}

impl ImapConfig {
    /// The usual service for `hostname`: STARTTLS offered, LOGIN allowed in the clear.
    pub fn new(hostname: &str) -> Self {
        ImapConfig {
            hostname: hostname.to_string(),
            tls: TlsMode::StartTls,
            plaintext_requires_tls: false,
            max_literal: 16 * 1024 * 1024,
        }
    }
}

/// What the IMAP server asks of its host.
pub trait ImapBackend {
    /// The password of `user` and the account it names.
    fn password(&mut self, user: &str) -> Option<(String, String)>;
    /// The host's mail store, shared with every other session.
    fn store(&mut self) -> &mut Store;
    /// A client logged in as `account` (for the host's event log).
    fn logged_in(&mut self, _account: &str, _proof: Proof) {}
}

/// How far the next command reaches in the buffer (framing before grammar,
/// as imap-codec's fragmentizer does): command lines and the literals they
/// announce, each literal's size checked before its octets are buffered.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Extent {
    /// The whole command is in the buffer: this many octets.
    Complete(usize),
    /// A line of the command has not ended yet; it starts at `from`.
    AwaitingLine { from: usize },
    /// A literal's octets are still arriving: they start at `start`.
    AwaitingLiteral { start: usize, length: u64, non_sync: bool },
    /// A literal larger than the limit: refuse it. `line_end` is where the line
    /// announcing it ends; a non-synchronising literal's octets follow there.
    TooBig { length: u64, non_sync: bool, line_end: usize },
}

/// A literal announcement `{n}` or `{n+}` (or `~{n}`) at the end of a line.
fn literal_at_end(line: &[u8]) -> Option<(u64, bool)> {
    let line = line.strip_suffix(b"\r\n").or_else(|| line.strip_suffix(b"\n"))?;
    let inner = line.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|&b| b == b'{')?;
    let mut digits = &inner[open + 1..];
    let non_sync = digits.last() == Some(&b'+') || digits.last() == Some(&b'-');
    if non_sync {
        digits = &digits[..digits.len() - 1];
    }
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Leading zeros are a number's too, as the grammar reads it: `{0005}` is 5.
    let digits = &digits[digits.iter().position(|&b| b != b'0').unwrap_or(digits.len() - 1)..];
    if digits.len() > 19 {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok().map(|n| (n, non_sync))
}

/// The next command's extent, read in one walk with what the limits judge: how
/// many literals it announced so far and its longest whole line (with its
/// line end; literals' octets are not lines).
struct Framing {
    extent: Extent,
    literals: usize,
    longest_line: usize,
}

fn frame(buffer: &[u8], max_literal: u32) -> Framing {
    let (mut pos, mut literals, mut longest_line) = (0usize, 0, 0);
    let extent = loop {
        let Some(nl) = buffer[pos..].iter().position(|&b| b == b'\n') else {
            break Extent::AwaitingLine { from: pos };
        };
        let line_end = pos + nl + 1;
        longest_line = longest_line.max(line_end - pos);
        match literal_at_end(&buffer[pos..line_end]) {
            None => break Extent::Complete(line_end),
            Some((length, non_sync)) if length > u64::from(max_literal) => {
                break Extent::TooBig { length, non_sync, line_end };
            }
            Some((length, non_sync)) => {
                literals += 1;
                // Saturating: a saved lab may set max_literal near u32::MAX (usize on wasm32).
                let after = line_end.saturating_add(length as usize);
                // An empty literal at the end waits too: it is announced, and "+" is owed.
                if after > buffer.len() || (length == 0 && after == buffer.len()) {
                    break Extent::AwaitingLiteral { start: line_end, length, non_sync };
                }
                pos = after;
            }
        }
    };
    Framing { extent, literals, longest_line }
}

fn extent(buffer: &[u8], max_literal: u32) -> Extent {
    frame(buffer, max_literal).extent
}

/// The selected mailbox as this session knows it: sequence numbers map to UIDs.
#[derive(Debug, Clone)]
pub(crate) struct Selected {
    pub name: String,
    pub read_only: bool,
    pub uids: Vec<u32>,
    /// The folder's UIDVALIDITY when selected: a folder of that name made anew has another.
    pub uid_validity: u32,
    /// UID ranges (inclusive) that are \Recent in this session (RFC 3501 §2.3.2).
    pub recent: Vec<(u32, u32)>,
    /// False once the client enabled IMAP4rev2, which has no \Recent (RFC 9051 App. E).
    pub reports_recent: bool,
    /// Keywords the client was told of in FLAGS (RFC 9051 §7.3.5).
    pub keywords: SortedSet<String>,
}

impl Selected {
    /// Ranges ascend and never overlap (a claim only moves forward), so a
    /// binary search finds `uid`'s: 10,000 arrivals cost no scan of 10,000 ranges each.
    pub fn is_recent(&self, uid: u32) -> bool {
        let i = self.recent.partition_point(|&(_, last)| last < uid);
        self.recent.get(i).is_some_and(|&(first, _)| first <= uid)
    }

    /// Add a claimed range, joined to the last one when it follows on. Claims
    /// move forward; ranges not below a new one (a folder made anew, met by a
    /// resync) go, so the ranges always ascend.
    fn add_recent(&mut self, (first, last): (u32, u32)) {
        self.recent.retain(|&(_, end)| end < first);
        match self.recent.last_mut() {
            Some(prev) if prev.1.checked_add(1) == Some(first) => prev.1 = last,
            _ => self.recent.push((first, last)),
        }
    }

    /// Whether FETCH FLAGS for `uid` carries \Recent.
    pub fn shows_recent(&self, uid: u32) -> bool {
        self.reports_recent && self.is_recent(uid)
    }

    /// When `flags` hold a keyword the session was not told of, the FLAGS and
    /// PERMANENTFLAGS lines that announce it (sent before any FETCH showing it).
    /// The list announced is read afresh from the mailbox `folder` plus
    /// `flags`, not grown: keywords no message keeps any more drop out (RFC 9051
    /// §7.3.5 allows it), so it never outgrows [`MAX_KEYWORDS`] and `\*` says
    /// whether the mailbox has room.
    pub fn note_keywords(&mut self, flags: &SortedSet<Flag>, folder: &Folder, lines: &mut Vec<String>) {
        if self.hears_of_new(flags) {
            self.announce(keywords_with(folder, Some(flags)), lines);
        }
    }

    /// Whether `flags` hold a keyword the session was not told of.
    fn hears_of_new(&self, flags: &SortedSet<Flag>) -> bool {
        flags.iter().any(|flag| matches!(flag, Flag::Keyword(k) if !self.keywords.contains(k)))
    }

    /// Tell the session the mailbox's keywords are `known` (FLAGS, PERMANENTFLAGS).
    fn announce(&mut self, known: SortedSet<String>, lines: &mut Vec<String>) {
        self.keywords = known;
        let [flags, permanent] = self.flags_lines();
        lines.push(flags);
        // Read-only: PERMANENTFLAGS stays the () EXAMINE said.
        if !self.read_only {
            lines.push(permanent);
        }
    }

    /// `* FLAGS (...)` and `* OK [PERMANENTFLAGS (...)]`: the system flags, the
    /// folder's keywords, and `\*` while new keywords may be created.
    pub fn flags_lines(&self) -> [String; 2] {
        let mut flags = SYSTEM_FLAGS.join(" ");
        for k in &self.keywords {
            flags.push(' ');
            flags.push_str(k);
        }
        let more = if self.keywords.len() < MAX_KEYWORDS { " \\*" } else { "" };
        [format!("* FLAGS ({flags})"), format!("* OK [PERMANENTFLAGS ({flags}{more})] Flags permitted")]
    }

    /// The `* n RECENT` line, unless the client speaks IMAP4rev2.
    fn recent_line(&self) -> Option<String> {
        // UIDs ascend: each range's count is two binary searches.
        let at = |uid: u32| self.uids.partition_point(|&u| u < uid);
        let n: usize = self.recent.iter().map(|&(first, last)| at(last.saturating_add(1)) - at(first)).sum();
        self.reports_recent.then(|| format!("* {n} RECENT"))
    }
}

#[derive(Debug, Clone)]
enum State {
    NotAuthenticated,
    Authenticated { account: String },
    Selected { account: String, mailbox: Selected },
    Logout,
}

#[derive(Debug, Clone)]
enum Mode {
    Commands,
    /// Reading a SASL response line for AUTHENTICATE.
    Sasl {
        tag: String,
        server: Box<SaslServer>,
    },
    /// IDLE: updates flow until DONE.
    Idle {
        tag: String,
    },
    /// A refused command is being dropped: `remaining` octets of its literal,
    /// then the rest of its line.
    Skip {
        remaining: u64,
    },
    /// A long command runs slice by slice; commands behind it wait.
    Working(Box<Job>),
}

/// A command over many messages, half done. Between its slices other sessions
/// run; this session's sequence numbers hold still (no command of its own runs).
#[derive(Debug, Clone)]
struct Job {
    tag: String,
    name: String,
    uid: bool,
    /// A message it names was expunged by another session and is gone from the
    /// store, though this session was not yet told (RFC 2180 §4.1.2).
    missing: bool,
    work: Work,
}

#[derive(Debug, Clone)]
enum Work {
    /// `done` of `indices` have their responses.
    Fetch {
        indices: Vec<usize>,
        done: usize,
        items: MacroOrMessageDataItemNames<'static>,
    },
    /// `done` of `indices` have their flags set.
    Store {
        indices: Vec<usize>,
        done: usize,
        kind: StoreType,
        answer: bool,
        wanted: SortedSet<Flag>,
    },
    Search {
        criteria: Vec<SearchKey<'static>>,
        options: Option<extended::Options>,
        progress: search::Progress,
    },
}

/// Why a command naming a message another session expunged did not do it all
/// (RFC 5530's code; the session is not yet told, RFC 9051 §7.5.1).
const EXPUNGE_ISSUED: &str =
    "[EXPUNGEISSUED] Some of the requested messages no longer exist: another session expunged them";

/// Most messages one slice of a STORE changes.
const STORE_SLICE: usize = 1_000;

/// One IMAP server session.
#[derive(Debug, Clone)]
pub struct ImapServer {
    config: ImapConfig,
    peer: Peer,
    /// The command being read (its lines and literals so far), and nothing past it.
    buffer: Vec<u8>,
    /// Received input not yet framed: commands move from here into `buffer` one
    /// at a time, so reading one never moves or rescans the backlog behind it.
    unread: Vec<u8>,
    unread_at: usize,
    /// Where in `buffer` the literal the grammar last judged starts ("+" sent,
    /// or octets already coming): each literal is judged once, not per read.
    judged_literal: Option<usize>,
    /// An IDLE or SASL line over MAX_LINE is being dropped as it arrives.
    long_line: bool,
    state: State,
    mode: Mode,
    out: Outbox,
    tls: bool,
    /// The last store revision this session has told its client about.
    revision: u64,
    /// Store revisions this session made itself: its client already heard of them.
    own: Vec<std::ops::RangeInclusive<u64>>,
    /// ENABLE IMAP4rev2 was accepted (RFC 9051 §6.3.1).
    rev2: bool,
    /// Options taken off the command being decoded (RETURN, LIST selection).
    pending: Option<extended::Options>,
    /// The UIDs a `SEARCH RETURN (SAVE)` kept for `$` (RFC 5182); reset by SELECT.
    saved: Vec<u32>,
    /// The command being read had `$` standing for an empty saved result.
    saved_empty_used: bool,
    /// Commands run in the current engine call, and whether the call stopped
    /// at its budget with complete commands still buffered (then it is busy).
    ran: usize,
    paused: bool,
    now: Time,
    /// Logins refused for a wrong name or password.
    failed_logins: u32,
}

/// Commands valid in every state (RFC 9051 §6.1; ID, RFC 2971 §3.1).
pub(crate) const ANY_STATE: &[&str] = &["CAPABILITY", "NOOP", "LOGOUT", "ID"];
/// Commands of the authenticated state (RFC 9051 §6.3), valid when selected too.
pub(crate) const AUTHENTICATED: &[&str] = &[
    "SELECT",
    "EXAMINE",
    "CREATE",
    "DELETE",
    "RENAME",
    "SUBSCRIBE",
    "UNSUBSCRIBE",
    "LIST",
    "LSUB",
    "STATUS",
    "APPEND",
    "NAMESPACE",
    "ENABLE",
    "IDLE",
];
/// Commands only of the selected state (RFC 9051 §6.4).
pub(crate) const SELECTED_ONLY: &[&str] =
    &["FETCH", "SEARCH", "STORE", "COPY", "MOVE", "EXPUNGE", "UID", "CLOSE", "UNSELECT", "CHECK"];

/// SEARCH keys followed by an argument that is not a sequence set (RFC 9051 §6.4.4).
const SEARCH_KEYS_WITH_ARGUMENT: [&str; 19] = [
    "BCC",
    "BEFORE",
    "BODY",
    "CC",
    "CHARSET",
    "FROM",
    "HEADER",
    "KEYWORD",
    "LARGER",
    "ON",
    "SENTBEFORE",
    "SENTON",
    "SENTSINCE",
    "SINCE",
    "SMALLER",
    "SUBJECT",
    "TEXT",
    "TO",
    "UNKEYWORD",
];

const SYSTEM_FLAGS: [&str; 5] = ["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"];

/// Client-supplied text made safe for a status line (RFC 9051 §9 TEXT-CHAR).
pub(crate) use mail_lab_proto::printable as clean;

/// `astring` for a mailbox name: atom if it can be, quoted otherwise; in
/// modified UTF-7 unless the session has `utf8` names (IMAP4rev2).
pub(crate) fn mailbox_name(name: &str, utf8: bool) -> String {
    let spelled;
    let name = if utf8 {
        name
    } else {
        spelled = utf7::encode(name);
        spelled.as_str()
    };
    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&'+,-./:;<=>?@[^_`|~".contains(&b)) {
        name.to_string()
    } else {
        mail_lab_message::imap::string(name)
    }
}

/// A mailbox argument as the store names it. An IMAP4rev1 session spells names in
/// modified UTF-7 (RFC 3501 §5.1.3); a name that is not mUTF-7 is taken as it is
/// (only LIST's reference and pattern get here: `command` refuses any other name
/// that is not).
fn mailbox_str(m: &Mailbox<'_>, utf8: bool) -> String {
    match m {
        Mailbox::Inbox => INBOX.to_string(),
        Mailbox::Other(other) => {
            let name = String::from_utf8_lossy(other.as_ref()).into_owned();
            let name = if utf8 { name } else { utf7::decode(&name).unwrap_or(name) };
            // INBOX is case-insensitive as a superior too: `inbox/Work` is `INBOX/Work`.
            match name.get(..INBOX.len() + 1) {
                Some(head) if head.eq_ignore_ascii_case("INBOX/") => format!("{INBOX}/{}", &name[INBOX.len() + 1..]),
                _ => name,
            }
        }
    }
}

/// A store name as a refusal's text shows it: in mUTF-7 for an IMAP4rev1 session
/// (its own spelling, not `??`), 7-bit either way.
fn shown(name: &str, utf8: bool) -> String {
    if utf8 { clean(name) } else { utf7::encode(name) }
}

/// The mailbox names a command carries, but LIST's and LSUB's.
fn mailbox_args<'c>(body: &'c CommandBody<'static>) -> Vec<&'c Mailbox<'static>> {
    match body {
        CommandBody::Select { mailbox }
        | CommandBody::Examine { mailbox }
        | CommandBody::Create { mailbox }
        | CommandBody::Delete { mailbox }
        | CommandBody::Subscribe { mailbox }
        | CommandBody::Unsubscribe { mailbox }
        | CommandBody::Status { mailbox, .. }
        | CommandBody::Append { mailbox, .. }
        | CommandBody::Copy { mailbox, .. }
        | CommandBody::Move { mailbox, .. } => vec![mailbox],
        CommandBody::Rename { from, to } => vec![from, to],
        _ => Vec::new(),
    }
}

/// Why a mailbox name cannot be made (CREATE, RENAME's new name), if it cannot:
/// text between delimiters, at most `MAX_NAME` octets and `MAX_LEVELS` levels.
fn bad_name(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.split('/').any(str::is_empty) {
        Some("A mailbox name needs text between delimiters")
    } else if name.chars().any(char::is_control) {
        // mUTF-7 can spell NUL or CR LF (&AAA-), which no response may carry.
        Some("A mailbox name has no control characters")
    } else if name.len() > MAX_NAME || name.split('/').count() > MAX_LEVELS {
        Some("A mailbox name has at most 1000 octets and 32 levels")
    } else {
        None
    }
}

fn list_pattern(m: &ListMailbox<'_>) -> String {
    match m {
        ListMailbox::Token(t) => String::from_utf8_lossy(t.as_ref()).into_owned(),
        ListMailbox::String(s) => String::from_utf8_lossy(s.as_ref()).into_owned(),
    }
}

/// `*` matches anything, `%` anything but the delimiter `/` (RFC 9051 §6.3.9).
/// Names are case-sensitive except INBOX. Linear in the name for each pattern
/// position: runs of wildcards collapse (a run holding `*` is `*`, a run of `%`
/// is `%`), then one set of pattern positions steps through the name once, so
/// no pattern can make LIST backtrack (a 40-wildcard pattern costs what a short one does).
pub(crate) fn matches(pattern: &[u8], name: &[u8]) -> bool {
    let mut pat: Vec<u8> = Vec::with_capacity(pattern.len());
    for &b in pattern {
        match (pat.last_mut(), b) {
            (Some(last @ (b'*' | b'%')), b'*' | b'%') => {
                if b == b'*' {
                    *last = b'*';
                }
            }
            _ => pat.push(b),
        }
    }
    // Every literal octet must meet one octet of the name.
    if pat.iter().filter(|b| !matches!(b, b'*' | b'%')).count() > name.len() {
        return false;
    }
    let inbox = name.len() >= INBOX.len()
        && name[..INBOX.len()].eq_ignore_ascii_case(INBOX.as_bytes())
        && (name.len() == INBOX.len() || name[INBOX.len()] == b'/');
    // A wildcard may match nothing: a live position before one reaches past it.
    let close = |states: &mut Vec<bool>| {
        for i in 0..pat.len() {
            if states[i] && matches!(pat[i], b'*' | b'%') {
                states[i + 1] = true;
            }
        }
    };
    let mut states = vec![false; pat.len() + 1];
    states[0] = true;
    close(&mut states);
    for (at, &c) in name.iter().enumerate() {
        let mut next = vec![false; pat.len() + 1];
        for i in (0..pat.len()).filter(|&i| states[i]) {
            match pat[i] {
                b'*' => next[i] = true,
                b'%' => next[i] |= c != b'/',
                p if p == c || (inbox && at < INBOX.len() && p.eq_ignore_ascii_case(&c)) => next[i + 1] = true,
                _ => {}
            }
        }
        close(&mut next);
        if !next.contains(&true) {
            return false;
        }
        states = next;
    }
    states[pat.len()]
}

/// The distinct keywords in `folder`, and in `adding` when given: read from
/// the store's count of them, so the cost is the keywords, not the messages.
fn keywords_with(folder: &Folder, adding: Option<&SortedSet<Flag>>) -> SortedSet<String> {
    let mut all: SortedSet<String> = folder.keywords().cloned().collect();
    for flag in adding.into_iter().flatten() {
        if let Flag::Keyword(k) = flag
            && !all.contains(k)
        {
            all.insert(k.clone());
        }
    }
    all
}

/// The keywords `folder` would hold with `adding`'s, read only when `adding`
/// brings one (`None` otherwise); `Err` is the text of a `NO [LIMIT]`
/// (RFC 5530) when that passes [`MAX_KEYWORDS`] or [`MAX_KEYWORD_LEN`].
fn keywords_after(folder: &Folder, adding: &SortedSet<Flag>) -> Result<Option<SortedSet<String>>, &'static str> {
    let mut brings = false;
    for flag in adding {
        if let Flag::Keyword(k) = flag {
            if k.len() > MAX_KEYWORD_LEN {
                return Err("A keyword is at most 64 octets long");
            }
            brings = true;
        }
    }
    if !brings {
        return Ok(None);
    }
    let all = keywords_with(folder, Some(adding));
    if all.len() > MAX_KEYWORDS {
        return Err("A mailbox holds at most 128 keywords: use one it has, or take one off every message first");
    }
    Ok(Some(all))
}

/// [`keywords_after`]'s refusal for the mailbox `folder`; none when there is no
/// such mailbox (the command's own answer says so: APPEND's [TRYCREATE]).
fn keyword_limit(store: &Store, account: &str, folder: &str, adding: &SortedSet<Flag>) -> Option<&'static str> {
    keywords_after(store.folder(account, folder)?, adding).err()
}

pub(crate) fn store_flag(flag: &ImapFlag<'_>) -> Option<Flag> {
    Some(match flag {
        ImapFlag::Seen => Flag::Seen,
        ImapFlag::Answered => Flag::Answered,
        ImapFlag::Flagged => Flag::Flagged,
        ImapFlag::Deleted => Flag::Deleted,
        ImapFlag::Draft => Flag::Draft,
        ImapFlag::Keyword(k) => Flag::Keyword(k.as_ref().to_string()),
        ImapFlag::Extension(_) => return None,
    })
}

/// `* n EXISTS` for new mail, which a read-write session also claims as \Recent.
fn announce_arrivals(store: &mut Store, account: &str, mailbox: &mut Selected, lines: &mut Vec<String>) {
    lines.push(format!("* {} EXISTS", mailbox.uids.len()));
    if !mailbox.read_only
        && let Some(range) = store.claim_recent(account, &mailbox.name)
    {
        mailbox.add_recent(range);
    }
    lines.extend(mailbox.recent_line());
}

/// A message another session added: its UID is held, to be announced by EXISTS,
/// and keywords new to the session are announced first. False for a UID not
/// above every UID the session holds (it knows of it already).
fn note_arrival(store: &Store, account: &str, mailbox: &mut Selected, uid: u32, lines: &mut Vec<String>) -> bool {
    if mailbox.uids.last().is_some_and(|&last| last >= uid) {
        return false;
    }
    mailbox.uids.push(uid);
    if let Some(f) = store.folder(account, &mailbox.name)
        && let Some(m) = f.message(uid)
    {
        mailbox.note_keywords(&m.flags, f, lines);
    }
    true
}

/// Apply expunges another session made (`gone`, ascending by when they
/// happened): one pass over the session's UIDs, each `* n EXPUNGE` numbered
/// after the removals before it, as the client applies them in order.
fn apply_expunges(mailbox: &mut Selected, gone: &mut SortedSet<u32>, lines: &mut Vec<String>) {
    if gone.is_empty() {
        return;
    }
    let mut removed = 0;
    for (i, uid) in mailbox.uids.iter().enumerate() {
        if gone.contains(uid) {
            lines.push(format!("* {} EXPUNGE", i + 1 - removed));
            removed += 1;
        }
    }
    mailbox.uids.retain(|u| !gone.contains(u));
    gone.clear();
}

/// A parenthesised flag list; `recent` adds the session flag \Recent.
pub(crate) fn flag_list(flags: &SortedSet<Flag>, recent: bool) -> String {
    let mut names: Vec<String> = flags.iter().map(ToString::to_string).collect();
    if recent {
        names.push("\\Recent".to_string());
    }
    format!("({})", names.join(" "))
}

/// The message-number set of a non-UID FETCH, STORE, COPY or MOVE.
fn numbered_set<'c>(body: &'c CommandBody<'_>) -> Option<&'c SequenceSet> {
    match body {
        CommandBody::Fetch { sequence_set, uid: false, .. }
        | CommandBody::Store { sequence_set, uid: false, .. }
        | CommandBody::Copy { sequence_set, uid: false, .. }
        | CommandBody::Move { sequence_set, uid: false, .. } => Some(sequence_set),
        _ => None,
    }
}

/// Whether a message-number set names a number past `count` (or `*` when empty).
fn beyond(set: &SequenceSet, count: usize) -> bool {
    let past = |v: &SeqOrUid| match v {
        SeqOrUid::Value(n) => n.get() as usize > count,
        SeqOrUid::Asterisk => count == 0,
    };
    set.0.as_ref().iter().any(|seq| match seq {
        Sequence::Single(v) => past(v),
        Sequence::Range(a, b) => past(a) || past(b),
    })
}

/// The tagged NO for a store refusal, with the response code that names it (RFC 5530).
fn store_refusal(tag: &str, e: &StoreError) -> String {
    let code = match e {
        StoreError::NoSuchFolder(_) | StoreError::NoSuchAccount(_) => "[NONEXISTENT] ",
        StoreError::FolderExists(_) | StoreError::AccountExists(_) => "[ALREADYEXISTS] ",
        StoreError::InboxIsSpecial => "[CANNOT] ",
        StoreError::UidsExhausted(_) => "[LIMIT] ",
        StoreError::OverQuota(_) => "[OVERQUOTA] ",
    };
    format!("{tag} NO {code}{}", clean(&e.to_string()))
}

/// Indices (0-based) of the messages a sequence set names, ascending.
/// STATUS data items of a folder by name (RFC 9051 §6.3.11); unknown names are skipped.
fn status_items(f: &mail_lab_store::Folder, names: &[&str]) -> Vec<String> {
    let count = |flag: Flag, with: bool| f.messages.iter().filter(|m| m.flags.contains(&flag) == with).count();
    names
        .iter()
        .filter_map(|name| {
            let value = match *name {
                "MESSAGES" => f.messages.len(),
                "RECENT" => f.unclaimed_recent(),
                "UIDNEXT" => f.uid_next as usize,
                "UIDVALIDITY" => f.uid_validity as usize,
                "UNSEEN" => count(Flag::Seen, false),
                "DELETED" => count(Flag::Deleted, true),
                "SIZE" => f.size(),
                _ => return None,
            };
            Some(format!("{name} {value}"))
        })
        .collect()
}

pub(crate) fn resolve(set: &SequenceSet, uid: bool, uids: &[u32]) -> Vec<usize> {
    let max = if uid { uids.last().copied().unwrap_or(0) } else { uids.len() as u32 };
    let value = |v: &SeqOrUid| match v {
        SeqOrUid::Value(n) => n.get(),
        SeqOrUid::Asterisk => max,
    };
    // One mark per message: ranges may overlap and come in any order, and the
    // answer is in mailbox order.
    let mut picked = vec![false; uids.len()];
    for seq in set.0.as_ref() {
        let (a, b) = match seq {
            Sequence::Single(v) => (value(v), value(v)),
            Sequence::Range(x, y) => (value(x).min(value(y)), value(x).max(value(y))),
        };
        let range = if uid {
            // UIDs ascend (a store invariant), so each range is one slice of them.
            uids.partition_point(|&u| u < a)..uids.partition_point(|&u| u <= b)
        } else {
            (a.max(1) as usize - 1)..(b as usize).min(uids.len())
        };
        if let Some(marks) = picked.get_mut(range) {
            marks.fill(true);
        }
    }
    picked.iter().enumerate().filter(|(_, on)| **on).map(|(i, _)| i).collect()
}

impl ImapServer {
    /// A session for `peer` on a host configured by `config`.
    pub fn new(config: ImapConfig, peer: Peer) -> Self {
        let tls = config.tls == TlsMode::Implicit;
        ImapServer {
            config,
            peer,
            buffer: Vec::new(),
            unread: Vec::new(),
            unread_at: 0,
            judged_literal: None,
            long_line: false,
            state: State::NotAuthenticated,
            mode: Mode::Commands,
            out: Outbox::default(),
            tls,
            revision: 0,
            own: Vec::new(),
            rev2: false,
            pending: None,
            saved: Vec::new(),
            saved_empty_used: false,
            ran: 0,
            paused: false,
            failed_logins: 0,
            now: Time(0),
        }
    }

    /// The RFC 9051 state: `not authenticated`, `authenticated`, `selected`, `logout`
    /// (or `idle` while IDLE runs).
    pub fn state_key(&self) -> &'static str {
        match (&self.mode, &self.state) {
            (Mode::Idle { .. }, _) => "idle",
            (_, State::NotAuthenticated) => "not authenticated",
            (_, State::Authenticated { .. }) => "authenticated",
            (_, State::Selected { .. }) => "selected",
            (_, State::Logout) => "logout",
        }
    }

    /// True while the session is inside TLS.
    pub fn tls_active(&self) -> bool {
        self.tls
    }

    fn send(&mut self, line: &str) {
        self.out.push_bytes(line.as_bytes());
        self.out.push_bytes(b"\r\n");
    }

    /// `send` of a formatted line: one formatting routine for every reply, not
    /// a string built at each call site (the page carries every call site).
    #[inline(never)]
    fn sendf(&mut self, line: std::fmt::Arguments<'_>) {
        self.send(&std::fmt::format(line));
    }

    fn login_disabled(&self) -> bool {
        self.config.plaintext_requires_tls && !self.tls
    }

    fn capabilities(&self) -> String {
        let mut caps = vec![
            "IMAP4rev1",
            "IMAP4rev2",
            "LITERAL+",
            "SASL-IR",
            "IDLE",
            "NAMESPACE",
            "UNSELECT",
            "UIDPLUS",
            "MOVE",
            "ENABLE",
            "SPECIAL-USE",
            "CHILDREN",
            "STATUS=SIZE",
            "ESEARCH",
            "SEARCHRES",
            "LIST-EXTENDED",
            "LIST-STATUS",
            "ID",
        ];
        if self.config.tls == TlsMode::StartTls && !self.tls {
            caps.push("STARTTLS");
        }
        if self.login_disabled() {
            caps.push("LOGINDISABLED");
            caps.push("AUTH=CRAM-MD5");
        } else {
            caps.extend(["AUTH=PLAIN", "AUTH=CRAM-MD5"]);
        }
        caps.join(" ")
    }

    fn allowed(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = match (&self.mode, &self.state) {
            (Mode::Idle { .. }, _) => return vec!["DONE"],
            (Mode::Sasl { .. }, _) => return vec![mail_lab_proto::BASE64_RESPONSE, "*"],
            (_, State::NotAuthenticated) => vec!["LOGIN", "AUTHENTICATE", "STARTTLS"],
            (_, State::Authenticated { .. }) => AUTHENTICATED.to_vec(),
            (_, State::Selected { .. }) => SELECTED_ONLY.iter().chain(AUTHENTICATED).copied().collect(),
            (_, State::Logout) => return Vec::new(),
        };
        v.extend(ANY_STATE);
        v
    }

    /// The tag at the start of a line, if it has one.
    fn tag_of(line: &[u8]) -> String {
        let text = String::from_utf8_lossy(line);
        let tag = text.split_whitespace().next().unwrap_or("*");
        if tag.bytes().all(|b| b.is_ascii_graphic() && !b"(){%*\"\\+".contains(&b)) {
            tag.to_string()
        } else {
            "*".to_string()
        }
    }

    /// Drop the command being read, all of it: what is buffered, the octets
    /// still owed to a literal it announced, and the rest of a line still open.
    fn drop_command(&mut self) {
        match extent(&self.buffer, self.config.max_literal) {
            Extent::Complete(n) => {
                self.buffer.drain(..n);
            }
            Extent::AwaitingLiteral { start, length, .. } => {
                let remaining = length - (self.buffer.len() - start) as u64;
                self.buffer.clear();
                self.mode = Mode::Skip { remaining };
            }
            Extent::AwaitingLine { from } => {
                // Of the open line only the tail stays, where a literal's
                // announcement may be forming; nothing before the line.
                let keep = from.max(self.buffer.len().saturating_sub(32));
                self.buffer.drain(..keep);
                self.mode = Mode::Skip { remaining: 0 };
            }
            Extent::TooBig { length, non_sync, line_end } => {
                self.buffer.drain(..line_end);
                if non_sync {
                    self.mode = Mode::Skip { remaining: length };
                }
            }
        }
        self.judged_literal = None;
        self.pending = None;
    }

    /// Turn a line imap-codec refused into a BAD that says what was expected.
    /// A command line over `MAX_LINE` without its end: refused, and the rest of
    /// the line, when it comes, is dropped unread.
    /// A command line over `MAX_LINE`: refused at once, by its tag where one can
    /// be read, so the client is not left waiting; before login the session ends
    /// there, as Dovecot's does. Nothing of the refused command is ever read as a
    /// command: with `whole`, everything buffered belongs to it and goes, and the
    /// rest of its open line is dropped as it comes; otherwise its complete first
    /// line goes, with the octets of a non-synchronising literal it announces.
    fn refuse_long_line(&mut self, whole: bool) {
        self.pending = None;
        // A tag is readable only if a space ends it early in the line.
        let head = &self.buffer[..self.buffer.len().min(64)];
        let tag = if head.contains(&b' ') { Self::tag_of(head) } else { "*".to_string() };
        match self.buffer.iter().position(|&b| b == b'\n').filter(|_| !whole) {
            Some(end) => {
                let literal = literal_at_end(&self.buffer[..=end]);
                self.buffer.drain(..=end);
                if let Some((length, true)) = literal {
                    self.mode = Mode::Skip { remaining: length };
                }
            }
            None => self.drop_command(),
        }
        self.judged_literal = None;
        self.sendf(format_args!("{tag} BAD Line too long: commands are limited to {MAX_LINE} octets outside literals"));
        if matches!(self.state, State::NotAuthenticated) {
            self.send("* BYE Line too long before login; closing");
            self.out.push(Output::Close);
            self.state = State::Logout;
        }
    }

    fn explain_failure(&mut self, line: &[u8]) {
        let tag = Self::tag_of(line);
        let text = String::from_utf8_lossy(line);
        let first = text.split_whitespace().next().unwrap_or("");
        if syntax::expected(first).is_some() {
            // The learner typed a command without a tag.
            return self.sendf(format_args!("* BAD Every command needs a tag first, e.g.: a1 {}", clean(&text)));
        }
        let mut words = text.split_whitespace();
        words.next();
        let verb = words.next().unwrap_or("").to_ascii_uppercase();
        let verb = if verb == "UID" { words.next().map_or(verb, |v| v.to_ascii_uppercase()) } else { verb };
        let reply = match (tag.as_str(), syntax::expected(&verb)) {
            ("*", _) => {
                "* BAD Every command starts with a tag, a command and its arguments, e.g.: a1 CAPABILITY".to_string()
            }
            // The example speaks with the learner's own tag.
            (_, Some(form)) => format!("{tag} BAD {}", form.replace("a1 ", &format!("{tag} "))),
            (_, None) if verb.is_empty() => format!("{tag} BAD Missing command after the tag, e.g.: {tag} CAPABILITY"),
            (_, None) => format!("{tag} BAD Unknown command {}; valid now: {}", clean(&verb), self.allowed().join(" ")),
        };
        self.send(&reply);
    }

    /// ID (RFC 2971), valid in every state: the server says who it is, whatever
    /// the client said. True when the next line was an ID command (answered).
    fn id_command(&mut self) -> bool {
        let Some(end) = self.buffer.iter().position(|&b| b == b'\n') else { return false };
        // A line announcing a literal is left to the framing that skips its octets.
        if literal_at_end(&self.buffer[..=end]).is_some() {
            return false;
        }
        let Some((tag, ok)) = std::str::from_utf8(&self.buffer[..=end]).ok().and_then(extended::id_command) else {
            return false;
        };
        // A tag must be one (RFC 9051 §9: no "+" and no list specials).
        let tag = Self::tag_of(tag.as_bytes());
        self.buffer.drain(..=end);
        self.judged_literal = None;
        if ok && tag != "*" {
            self.sendf(format_args!(
                "* ID (\"name\" \"Mail Lab\" \"version\" \"{}\" \"support-url\" NIL)",
                env!("CARGO_PKG_VERSION")
            ));
            self.sendf(format_args!("{tag} OK ID completed"));
        } else {
            self.sendf(format_args!(
                "{tag} BAD {}",
                syntax::expected("ID").unwrap_or("ID (\"name\" \"x\")").replace("a1 ", &format!("{tag} "))
            ));
        }
        true
    }

    /// Before the codec reads the next command: take off the options it does not
    /// know (see [`extended`]) and put the saved search result where `$` stands.
    fn take_extended_options<B: ImapBackend + ?Sized>(&mut self, backend: &mut B) -> bool {
        self.saved_empty_used = false;
        let first_line = self.buffer.iter().position(|&b| b == b'\n').map(|end| &self.buffer[..=end]);
        let Some(line) = first_line.and_then(|l| std::str::from_utf8(l).ok()) else {
            self.pending = None;
            return false;
        };
        if line.trim_end().ends_with('}') {
            // A literal follows. SEARCH's RETURN options stand before any literal, so
            // they come off this line (once: the command is read again as its literals
            // arrive); the rest is left to the codec as it is.
            let length = line.len();
            if self.pending.is_none()
                && let Some((plain, options @ extended::Options::Search(_))) = extended::take_options(line)
            {
                self.buffer.splice(..length, plain.into_bytes());
                self.pending = Some(options);
            }
            return false;
        }
        // Options belong to the command being read: none may reach a later one.
        self.pending = None;
        let length = line.len();
        let mut line = line.to_string();
        if let Some((plain, options)) = extended::take_options(&line) {
            line = plain;
            self.pending = Some(options);
        }
        let words: Vec<&str> = line.split(' ').collect();
        let uid = words.get(1).is_some_and(|w| w.eq_ignore_ascii_case("UID"));
        // `$` is a sequence set only where one is (RFC 5182 §2.2), not, say, a password.
        let verb = words.get(if uid { 2 } else { 1 }).map(|w| w.trim_end().to_ascii_uppercase()).unwrap_or_default();
        let first_arg = if uid { 3 } else { 2 };
        // FETCH, STORE, COPY, MOVE and UID EXPUNGE take a set first; SEARCH takes one
        // as a key, but not as a key's argument (`SUBJECT $` looks for "$").
        // Words inside a quoted string are text: `SUBJECT "cost $ 5"` holds no set.
        let mut quoted = Vec::with_capacity(words.len());
        let mut open = false;
        for w in &words {
            quoted.push(open);
            let mut escaped = false;
            for c in w.chars() {
                match c {
                    '\\' if open => escaped = !escaped,
                    '"' if !escaped => open = !open,
                    _ => escaped = false,
                }
            }
        }
        let set_at = |i: usize| {
            let word = words.get(i).map_or("", |w| w.trim_end());
            // In SEARCH, `$` may open or close a parenthesised group: `($ SEEN)`.
            let in_group = word.trim_start_matches('(').trim_end_matches(')') == "$";
            !quoted[i]
                && match verb.as_str() {
                    "FETCH" | "STORE" | "COPY" | "MOVE" | "EXPUNGE" => word == "$" && i == first_arg,
                    "SEARCH" if in_group => {
                        let before = |n: usize| {
                            i.checked_sub(n)
                                .and_then(|j| words.get(j))
                                .map(|w| w.trim_start_matches('(').to_ascii_uppercase())
                        };
                        let takes_argument =
                            |w: Option<String>| w.is_some_and(|w| SEARCH_KEYS_WITH_ARGUMENT.contains(&w.as_str()));
                        i >= first_arg && !takes_argument(before(1)) && before(2).as_deref() != Some("HEADER")
                    }
                    _ => false,
                }
        };
        let sets: Vec<usize> = (first_arg..words.len()).filter(|&i| set_at(i)).collect();
        // Refused before each `$` becomes the saved result: 4,000 of them would
        // make a line of gigabytes out of a few kilobytes.
        if sets.len() > search::MAX_SETS {
            let tag = words.first().map_or("*", |t| t.trim_end()).to_string();
            self.drop_command();
            self.sendf(format_args!("{} NO [LIMIT] {}", clean(&tag), search::TOO_MANY_SETS));
            return true;
        }
        if !sets.is_empty() {
            // Numbers are only right after what other sessions did is applied.
            let hold = verb == "SEARCH" || (!uid && matches!(verb.as_str(), "FETCH" | "STORE" | "COPY" | "MOVE"));
            self.sync(backend, hold);
            let numbers: Vec<u32> = match &self.state {
                State::Selected { mailbox, .. } if uid => {
                    self.saved.iter().copied().filter(|u| mailbox.uids.binary_search(u).is_ok()).collect()
                }
                State::Selected { mailbox, .. } => {
                    self.saved.iter().filter_map(|u| mailbox.uids.binary_search(u).ok()).map(|i| i as u32 + 1).collect()
                }
                _ => Vec::new(),
            };
            // An empty saved result matches nothing: a number no message has, and
            // no error (RFC 5182 §2.1), so the range check lets it through.
            self.saved_empty_used = numbers.is_empty();
            let set = if numbers.is_empty() { u32::MAX.to_string() } else { extended::sequence_set(&numbers) };
            line = words
                .iter()
                .enumerate()
                .map(|(i, w)| if sets.contains(&i) { w.replacen('$', &set, 1) } else { w.to_string() })
                .collect::<Vec<_>>()
                .join(" ");
        }
        self.buffer.splice(..length, line.into_bytes());
        false
    }

    /// Unread input, from the read position on.
    fn unread(&self) -> &[u8] {
        &self.unread[self.unread_at..]
    }

    /// Pass over `n` unread octets; with `keep`, they join the command being read.
    fn advance_unread(&mut self, n: usize, keep: bool) {
        let end = self.unread_at + n.min(self.unread.len() - self.unread_at);
        if keep {
            self.buffer.extend_from_slice(&self.unread[self.unread_at..end]);
        }
        self.unread_at = end;
        // Read input is let go of in large steps: each octet is moved once.
        if self.unread_at == self.unread.len() {
            (self.unread, self.unread_at) = (Vec::new(), 0);
        } else if self.unread_at >= 64 * 1024 && self.unread_at * 2 >= self.unread.len() {
            self.unread.drain(..self.unread_at);
            self.unread_at = 0;
        }
    }

    /// Unread octets through the next line end, or `limit` of them if none is
    /// that near: a longer line is refused by its length, so more is not needed.
    fn unread_line(&mut self, limit: usize) {
        let rest = &self.unread()[..self.unread().len().min(limit)];
        let n = rest.iter().position(|&b| b == b'\n').map_or(rest.len(), |i| i + 1);
        self.advance_unread(n, true);
    }

    /// Move unread input into the buffer up to the end of the command being
    /// read: its lines, and its literals' octets (not past a literal too big).
    fn feed_command(&mut self) {
        let mut pos = 0;
        while !self.unread().is_empty() {
            let Some(nl) = self.buffer[pos..].iter().position(|&b| b == b'\n') else {
                let room = (MAX_LINE + 1).saturating_sub(self.buffer.len() - pos);
                if room == 0 {
                    return;
                }
                self.unread_line(room);
                continue;
            };
            let line_end = pos + nl + 1;
            match literal_at_end(&self.buffer[pos..line_end]) {
                Some((length, _)) if length <= u64::from(self.config.max_literal) => {
                    let after = line_end.saturating_add(length as usize);
                    if after > self.buffer.len() {
                        self.advance_unread(after - self.buffer.len(), true);
                    }
                    pos = after;
                }
                _ => return,
            }
        }
    }

    /// Drop what is left of a refused command: `remaining` octets of its
    /// literal, then the rest of its line (and the octets of a non-synchronising
    /// literal that line announces), from the buffer and unread input. True once
    /// all of it is gone.
    fn skip(&mut self, mut remaining: u64) -> bool {
        loop {
            let take = remaining.min(self.buffer.len() as u64) as usize;
            self.buffer.drain(..take);
            remaining -= take as u64;
            let take = remaining.min(self.unread().len() as u64) as usize;
            self.advance_unread(take, false);
            remaining -= take as u64;
            if remaining > 0 {
                self.mode = Mode::Skip { remaining };
                return false;
            }
            // However the rest of the line arrives, none of it is read as a command.
            loop {
                if let Some(i) = self.buffer.iter().position(|&b| b == b'\n') {
                    let literal = literal_at_end(&self.buffer[..=i]);
                    self.buffer.drain(..=i);
                    if let Some((length, true)) = literal {
                        remaining = length;
                        break;
                    }
                    self.mode = Mode::Commands;
                    return true;
                }
                // Only the tail is kept, where a literal's announcement may be forming.
                let tail = self.buffer.len().saturating_sub(32);
                self.buffer.drain(..tail);
                if self.unread().is_empty() {
                    self.mode = Mode::Skip { remaining: 0 };
                    return false;
                }
                self.unread_line(64 * 1024);
            }
        }
    }

    fn process_buffer<B: ImapBackend + ?Sized>(&mut self, backend: &mut B) {
        loop {
            match &self.mode {
                Mode::Skip { remaining } => {
                    if !self.skip(*remaining) {
                        return;
                    }
                    continue;
                }
                Mode::Sasl { .. } | Mode::Idle { .. } => {
                    if !self.buffer.contains(&b'\n') {
                        self.unread_line((MAX_LINE + 1).saturating_sub(self.buffer.len()));
                    }
                    let Some(i) = self.buffer.iter().position(|&b| b == b'\n') else {
                        // A line over MAX_LINE goes as it comes, and is answered
                        // as one line that is neither DONE nor base64.
                        if self.buffer.len() > MAX_LINE {
                            self.buffer.clear();
                            self.long_line = true;
                            continue;
                        }
                        return;
                    };
                    let line: Vec<u8> = self.buffer.drain(..=i).collect();
                    let line = if std::mem::take(&mut self.long_line) {
                        "<line too long>".to_string()
                    } else {
                        String::from_utf8_lossy(&line).trim_end().to_string()
                    };
                    self.continuation_line(&line, backend);
                    continue;
                }
                Mode::Working(_) => return,
                Mode::Commands => self.feed_command(),
            }
            if self.buffer.is_empty() || matches!(self.state, State::Logout) {
                return;
            }
            // One engine call does a bounded amount: pipelined commands past the
            // budget wait for `resume`, so other sessions run and answers are written.
            if self.ran >= COMMANDS_PER_CALL || self.out.queued_bytes() >= fetch::SLICE_OCTETS {
                self.paused = true;
                return;
            }
            self.ran += 1;
            let Framing { extent: framed, literals, longest_line } = frame(&self.buffer, self.config.max_literal);
            if let Extent::TooBig { length, line_end, .. } = framed {
                // Refused before a single octet of it is kept.
                let tag = Self::tag_of(&self.buffer[..line_end]);
                self.drop_command();
                let max = self.config.max_literal;
                self.sendf(format_args!(
                    "{tag} NO [TOOBIG] Literal of {length} octets is larger than this server accepts ({max} octets)"
                ));
                continue;
            }
            // A command line is judged by its length before any grammar runs,
            // however it arrived (whole in one read, or piece by piece), and so is
            // a line still open after the command's literals, and the command as a whole.
            match self.buffer.iter().position(|&b| b == b'\n') {
                Some(i) if i + 1 > MAX_LINE => {
                    self.refuse_long_line(false);
                    continue;
                }
                None if self.buffer.len() > MAX_LINE => {
                    self.refuse_long_line(true);
                    continue;
                }
                _ => {}
            }
            let open_line_too_long =
                matches!(framed, Extent::AwaitingLine { from } if self.buffer.len() - from > MAX_LINE);
            if open_line_too_long || self.buffer.len() as u64 > u64::from(self.config.max_literal) + 4 * MAX_LINE as u64
            {
                self.refuse_long_line(true);
                continue;
            }
            // A line after a literal is held to MAX_LINE as the first one is.
            if longest_line > MAX_LINE {
                self.refuse_long_line(true);
                continue;
            }
            if literals > MAX_LITERALS {
                let tag = Self::tag_of(&self.buffer[..self.buffer.len().min(64)]);
                self.drop_command();
                self.sendf(format_args!("{tag} BAD Too many literals in one command (at most {MAX_LITERALS})"));
                continue;
            }
            // The grammar runs once a line is whole, and once per literal
            // announced: not again for each octet of a literal or an open line.
            match framed {
                Extent::AwaitingLine { .. } => return,
                Extent::AwaitingLiteral { start, .. } if self.judged_literal == Some(start) => return,
                // A long command is not read again for each later literal: its
                // "+" comes at once (if no octet came unasked), the grammar at the end.
                Extent::AwaitingLiteral { start, non_sync, .. } if self.buffer.len() > JUDGE_LIMIT => {
                    if !non_sync && self.buffer.len() == start {
                        self.send("+ Ready for literal data");
                    }
                    self.judged_literal = Some(start);
                    return;
                }
                _ => {}
            }
            if self.id_command() {
                continue;
            }
            if self.take_extended_options(backend) {
                continue;
            }
            let decoded = command_parser::command(&self.buffer);
            // Options may have come off the line: the framing is read again.
            let framed = extent(&self.buffer, self.config.max_literal);
            let decoded = match decoded {
                // A whole command the grammar still wants more of is wrong as it
                // stands (framing and grammar read literals alike; this is a guard).
                Err(Stop::Incomplete | Stop::Literal(_)) if matches!(framed, Extent::Complete(_)) => Err(Stop::Failed),
                other => other,
            };
            // A command still waiting for its literals keeps the options taken off its line.
            if matches!(decoded, Err(Stop::Failed)) {
                self.pending = None;
            }
            match decoded {
                Ok((used, command)) => {
                    self.buffer.drain(..used);
                    self.judged_literal = None;
                    self.command(command, backend);
                    self.pending = None;
                }
                Err(Stop::Incomplete) | Err(Stop::Literal(_)) => {
                    // Asked for only when no octet of it has come unasked.
                    if matches!(decoded, Err(Stop::Literal(LiteralMode::Sync))) {
                        self.send("+ Ready for literal data");
                    }
                    if let Extent::AwaitingLiteral { start, .. } = framed {
                        self.judged_literal = Some(start);
                    }
                    return;
                }
                Err(Stop::Failed) => {
                    // Drop the whole command, its literals included: their octets
                    // must never be read as commands.
                    let end = match framed {
                        Extent::Complete(n) => n,
                        // Judged once its line is all here, so that one bad line
                        // gets one BAD, however the octets were split (lengths above).
                        Extent::AwaitingLine { .. } => return,
                        Extent::AwaitingLiteral { start, length, non_sync } => {
                            // A non-synchronising literal's octets come unasked:
                            // skip them. A synchronising one never gets its "+".
                            if non_sync {
                                let have = (self.buffer.len() - start) as u64;
                                self.mode = Mode::Skip { remaining: length - have };
                            }
                            self.buffer.len()
                        }
                        Extent::TooBig { line_end, .. } => line_end,
                    };
                    let line_end = self.buffer.iter().position(|&b| b == b'\n').map_or(end, |i| i + 1).min(end);
                    let first_line = String::from_utf8_lossy(&self.buffer[..line_end]).trim_end().to_string();
                    self.buffer.drain(..end);
                    self.judged_literal = None;
                    if first_line.is_empty() {
                        continue;
                    }
                    self.explain_failure(first_line.as_bytes());
                }
            }
        }
    }

    fn continuation_line<B: ImapBackend + ?Sized>(&mut self, line: &str, backend: &mut B) {
        match std::mem::replace(&mut self.mode, Mode::Commands) {
            Mode::Idle { tag } => {
                if line.eq_ignore_ascii_case("DONE") {
                    self.sendf(format_args!("{tag} OK IDLE terminated"));
                } else {
                    self.mode = Mode::Idle { tag };
                    self.send("* BAD Only DONE ends IDLE");
                }
            }
            Mode::Sasl { tag, mut server } => {
                if line == "*" {
                    return self.sendf(format_args!("{tag} BAD AUTHENTICATE cancelled"));
                }
                let Some(bytes) = sasl::decode_base64(line) else {
                    return self.sendf(format_args!("{tag} BAD The response must be base64"));
                };
                let step = server.step(&bytes);
                self.sasl_step(tag, server, step, backend);
            }
            other => self.mode = other,
        }
    }

    fn sasl_step<B: ImapBackend + ?Sized>(
        &mut self,
        tag: String,
        server: Box<SaslServer>,
        step: SaslStep,
        backend: &mut B,
    ) {
        match step {
            SaslStep::Challenge(bytes) => {
                self.sendf(format_args!("+ {}", sasl::encode_base64(&bytes)));
                self.mode = Mode::Sasl { tag, server };
            }
            SaslStep::Failed(why) => {
                self.failed_logins += 1;
                self.sendf(format_args!("{tag} NO [AUTHENTICATIONFAILED] {why}"))
            }
            // An initial response to a mechanism that takes none: BAD (RFC 9051 §6.2.2).
            SaslStep::Misused(why) => self.sendf(format_args!("{tag} BAD {why}")),
            SaslStep::Done(creds) => self.login(&tag, &creds, backend),
        }
    }

    fn login<B: ImapBackend + ?Sized>(&mut self, tag: &str, creds: &Credentials, backend: &mut B) {
        match backend.password(creds.username()) {
            Some((password, account)) if creds.verify(&password) => {
                backend.logged_in(&account, creds.proof());
                self.state = State::Authenticated { account };
                let caps = self.capabilities();
                self.sendf(format_args!("{tag} OK [CAPABILITY {caps}] Logged in"));
            }
            _ => {
                self.failed_logins += 1;
                self.sendf(format_args!("{tag} NO [AUTHENTICATIONFAILED] Invalid user name or password"))
            }
        }
    }

    fn account(&self) -> Option<&str> {
        match &self.state {
            State::Authenticated { account } | State::Selected { account, .. } => Some(account),
            _ => None,
        }
    }

    /// Tell a selected session what other sessions changed. EXPUNGE is held back
    /// while `hold_expunge` (non-UID FETCH, STORE, SEARCH: RFC 9051 §7.5.1). A
    /// message number is used only after EXISTS announced it, a run of expunges
    /// is applied in one pass, and a message whose flags changed gets one FETCH
    /// with its flags as they now are, however often they changed: a session far
    /// behind catches up in time linear in what changed.
    fn sync<B: ImapBackend + ?Sized>(&mut self, backend: &mut B, hold_expunge: bool) {
        let store = backend.store();
        let State::Selected { account, mailbox } = &mut self.state else {
            self.revision = store.revision();
            return;
        };
        // Deleted or renamed, or made anew (another UIDVALIDITY): checked first, even while
        // an expunge is held back, since none of the session's UIDs names a message there.
        if store.folder(account, &mailbox.name).map(|f| f.uid_validity) != Some(mailbox.uid_validity) {
            self.revision = store.revision();
            return self.folder_gone();
        }
        // This session's own changes, and other folders', are passed over.
        let own = &self.own;
        let folder = mailbox.name.clone();
        // Own ranges ascend and do not overlap: a bisection finds the one to ask.
        let is_own = |revision: u64| {
            let i = own.partition_point(|r| *r.end() < revision);
            own.get(i).is_some_and(|r| r.contains(&revision))
        };
        let theirs = |c: &mail_lab_store::Change| {
            !is_own(c.revision)
                // Store names are canonical (INBOX upper-cased), so only INBOX is case-insensitive.
                && c.account.eq_ignore_ascii_case(account)
                && c.folder == folder
        };
        // Copied out, because announcing arrivals claims \Recent in the store; only up to
        // an expunge held back, so a session that holds one while changes pile up behind
        // it copies none of them on each command.
        let changes = store.changes_since(self.revision).map(|c| {
            c.take_while(|c| !(hold_expunge && matches!(c.kind, ChangeKind::Expunged { .. }) && theirs(c)))
                .cloned()
                .collect::<Vec<_>>()
        });
        let mut lines = Vec::new();
        // UIDs whose flags changed, expunges not yet applied, and whether
        // UIDs the client has not been told of were added.
        let mut flagged = Vec::new();
        let mut gone: SortedSet<u32> = SortedSet::new();
        let mut arrived = false;
        let mut deleted = false;
        let revision = match changes {
            Some(changes) => {
                let mut revision = self.revision;
                for c in changes {
                    revision = c.revision;
                    if !theirs(&c) {
                        continue;
                    }
                    match c.kind {
                        // Never one held back: the copy stopped before it.
                        ChangeKind::Expunged { uid } => {
                            if arrived {
                                announce_arrivals(store, account, mailbox, &mut lines);
                                arrived = false;
                            }
                            gone.insert(uid);
                        }
                        ChangeKind::Appended { uid } => {
                            apply_expunges(mailbox, &mut gone, &mut lines);
                            arrived |= note_arrival(store, account, mailbox, uid, &mut lines);
                        }
                        ChangeKind::FlagsChanged { uid } => flagged.push(uid),
                        ChangeKind::FolderDeleted => {
                            deleted = true;
                            break;
                        }
                        ChangeKind::FolderCreated => {}
                    }
                }
                revision
            }
            // Too far behind the change log: what changed is read from the store itself.
            None => match store.folder(account, &mailbox.name) {
                Some(f) => {
                    let newer = mailbox.uids.last().map_or(0, |&last| f.messages.partition_point(|m| m.uid <= last));
                    let new: Vec<u32> = f.messages[newer..].iter().map(|m| m.uid).collect();
                    if !hold_expunge {
                        gone = mailbox.uids.iter().copied().filter(|&uid| f.message(uid).is_none()).collect();
                        // Which flags changed is not known: every message's are sent.
                        flagged = mailbox.uids.iter().copied().filter(|uid| !gone.contains(uid)).collect();
                    }
                    apply_expunges(mailbox, &mut gone, &mut lines);
                    for uid in new {
                        arrived |= note_arrival(store, account, mailbox, uid, &mut lines);
                    }
                    // A held expunge leaves this session behind, to look again next time.
                    if hold_expunge { self.revision } else { store.revision() }
                }
                None => store.revision(),
            },
        };
        apply_expunges(mailbox, &mut gone, &mut lines);
        if arrived {
            announce_arrivals(store, account, mailbox, &mut lines);
        }
        if let Some(f) = store.folder(account, &mailbox.name) {
            for uid in SortedSet::from_items(flagged).iter() {
                if let Ok(i) = mailbox.uids.binary_search(uid)
                    && let Some(m) = f.message(*uid)
                {
                    mailbox.note_keywords(&m.flags, f, &mut lines);
                    let flags = flag_list(&m.flags, mailbox.shows_recent(*uid));
                    lines.push(format!("* {} FETCH (UID {uid} FLAGS {flags})", i + 1));
                }
            }
        }
        self.revision = revision;
        // Own ranges no sync will ask about go: those this session has read past, and
        // those the log no longer holds (a session behind it reads the folder instead).
        // From the front, since they ascend: a session holding an expunge back while it
        // changes messages keeps at most one range per change the log holds.
        let floor = revision.max(store.oldest_change().unwrap_or(0).saturating_sub(1));
        let stale = self.own.partition_point(|r| *r.end() <= floor);
        self.own.drain(..stale);
        for l in lines {
            self.send(&l);
        }
        if deleted {
            self.folder_gone();
        }
    }

    /// Nothing of the selected folder is left to serve: say why and close, as Dovecot does.
    fn folder_gone(&mut self) {
        self.close_with("* BYE The selected mailbox was deleted or renamed by another session");
    }

    /// The server ends the session: `bye` says why, then the connection closes.
    fn close_with(&mut self, bye: &str) {
        self.send(bye);
        self.out.push(Output::Close);
        self.state = State::Logout;
        self.mode = Mode::Commands;
    }

    fn command<B: ImapBackend + ?Sized>(&mut self, command: Command<'static>, backend: &mut B) {
        let tag = command.tag.inner().to_string();
        let uid = matches!(
            &command.body,
            CommandBody::Fetch { uid: true, .. }
                | CommandBody::Store { uid: true, .. }
                | CommandBody::Search { uid: true, .. }
                | CommandBody::Copy { uid: true, .. }
                | CommandBody::Move { uid: true, .. }
        );
        let name = format!("{}{}", if uid { "UID " } else { "" }, command.body.name().to_ascii_uppercase());
        let verb = name.split_whitespace().last().unwrap_or("").to_string();
        // Extensions imap-codec reads but this server does not offer (QUOTA,
        // METADATA, …): unknown here in every state, as Dovecot says of them.
        let lists: [&[&str]; 4] = [&["LOGIN", "AUTHENTICATE", "STARTTLS"], AUTHENTICATED, SELECTED_ONLY, ANY_STATE];
        if !lists.iter().any(|l| l.contains(&verb.as_str())) {
            return self
                .sendf(format_args!("{tag} BAD Unknown command {verb}; valid now: {}", self.allowed().join(" ")));
        }
        // `UID FETCH` is checked as FETCH: valid only where FETCH is.
        if !self.allowed().contains(&verb.as_str()) {
            let why = match &self.state {
                State::NotAuthenticated => "log in first (LOGIN or AUTHENTICATE)",
                State::Authenticated { .. } => "SELECT a mailbox first",
                _ => "not valid now",
            };
            return self.sendf(format_args!(
                "{tag} BAD {verb} is not valid in the {} state: {why}. Valid now: {}",
                self.state_key(),
                self.allowed().join(" ")
            ));
        }
        // Another session's expunge waits while a command reads the client's message
        // numbers: FETCH, STORE and SEARCH (RFC 9051 §7.5.1), and COPY and MOVE, whose
        // numbers would otherwise name the message after the one meant; a UID SEARCH
        // may hold a sequence set among its keys.
        let hold = matches!(
            &command.body,
            CommandBody::Fetch { uid: false, .. }
                | CommandBody::Store { uid: false, .. }
                | CommandBody::Copy { uid: false, .. }
                | CommandBody::Move { uid: false, .. }
                | CommandBody::Search { .. }
        );
        // LOGOUT is answered with BYE alone: updates would be of no use to the client.
        if !matches!(command.body, CommandBody::Logout) {
            self.sync(backend, hold);
        }
        if matches!(self.state, State::Logout) {
            // The selected folder went away: BYE was said and nothing more is served.
            return;
        }
        let dollar_empty = std::mem::take(&mut self.saved_empty_used);
        if let (State::Selected { mailbox, .. }, Some(set)) = (&self.state, numbered_set(&command.body))
            && !dollar_empty
            && beyond(set, mailbox.uids.len())
        {
            // RFC 9051 §9 (seq-number): a number past the last message, or `*`
            // in an empty mailbox, is a client error.
            let count = mailbox.uids.len();
            return self.sendf(format_args!(
                "{tag} BAD No such message: the mailbox has {count} message{}; UID commands take any numbers",
                if count == 1 { "" } else { "s" }
            ));
        }
        // EXAMINE opens read-only: nothing may change flags or remove messages,
        // and MOVE expunges from the source (RFC 9051 §6.3.3, §6.4.8).
        if let State::Selected { mailbox, .. } = &self.state
            && mailbox.read_only
            && matches!(
                &command.body,
                CommandBody::Store { .. }
                    | CommandBody::Expunge
                    | CommandBody::ExpungeUid { .. }
                    | CommandBody::Move { .. }
            )
        {
            return self.sendf(format_args!("{tag} NO [READ-ONLY] The mailbox was opened with EXAMINE"));
        }
        if let CommandBody::Search { charset: Some(charset), .. } = &command.body {
            let name = match charset {
                Charset::Atom(a) => a.as_ref().to_string(),
                Charset::Quoted(q) => q.as_ref().to_string(),
            };
            if !["UTF-8", "US-ASCII"].iter().any(|c| name.eq_ignore_ascii_case(c)) {
                return self.sendf(format_args!(
                    "{tag} NO [BADCHARSET (UTF-8 US-ASCII)] This server searches in UTF-8 and US-ASCII only"
                ));
            }
        }
        // RFC 3501 section 5.1.3: until ENABLE IMAP4rev2 a name is spelled in modified
        // UTF-7, and one that is not is refused as Dovecot does (not taken as UTF-8).
        if !self.rev2 {
            let not_mutf7 = |m: &&Mailbox<'static>| match m {
                Mailbox::Other(o) => std::str::from_utf8(o.as_ref()).map_or(true, |n| utf7::decode(n).is_none()),
                Mailbox::Inbox => false,
            };
            if let Some(Mailbox::Other(o)) = mailbox_args(&command.body).into_iter().find(not_mutf7) {
                let typed = String::from_utf8_lossy(o.as_ref());
                // Printable ASCII fails only for its &; anything else has a spelling to show.
                let why = if typed.bytes().all(|b| (b' '..=b'~').contains(&b)) {
                    "& begins an encoded run that ends with -, and & itself is written &-".to_string()
                } else {
                    format!("IMAP4rev1 writes it {}; after ENABLE IMAP4rev2 names are UTF-8", utf7::encode(&typed))
                };
                // A SELECT that fails leaves no mailbox selected (RFC 9051 §6.3.2).
                if matches!(command.body, CommandBody::Select { .. } | CommandBody::Examine { .. })
                    && let Some(account) = self.account().map(str::to_string)
                {
                    self.state = State::Authenticated { account };
                }
                return self.sendf(format_args!("{tag} NO Mailbox name is not valid mUTF-7: {}", clean(&why)));
            }
        }
        let before = backend.store().revision();
        self.run(tag, name, command.body, backend);
        let after = backend.store().revision();
        self.note_own(before, after);
    }

    /// Revisions `before + 1 ..= after` are this session's own; joined to the last range
    /// when they follow on, so a session holding an expunge back (its revision cannot
    /// pass it, so nothing is let go) keeps few ranges.
    fn note_own(&mut self, before: u64, after: u64) {
        if after <= before {
            return;
        }
        match self.own.last_mut() {
            Some(last) if *last.end() == before => *last = *last.start()..=after,
            _ => self.own.push(before + 1..=after),
        }
    }

    fn run<B: ImapBackend + ?Sized>(&mut self, tag: String, name: String, body: CommandBody<'static>, backend: &mut B) {
        match body {
            CommandBody::Capability => {
                let caps = self.capabilities();
                self.sendf(format_args!("* CAPABILITY {caps}"));
                self.sendf(format_args!("{tag} OK CAPABILITY completed"));
            }
            CommandBody::Noop | CommandBody::Check => self.sendf(format_args!("{tag} OK {name} completed")),
            CommandBody::Logout => {
                self.send("* BYE Logging out");
                self.sendf(format_args!("{tag} OK LOGOUT completed"));
                self.out.push(Output::Close);
                self.state = State::Logout;
            }
            CommandBody::StartTLS => {
                if self.tls || self.config.tls != TlsMode::StartTls {
                    return self.sendf(format_args!(
                        "{tag} BAD STARTTLS is not available (TLS is already on, or not offered)"
                    ));
                }
                self.sendf(format_args!("{tag} OK Begin TLS negotiation now"));
                self.out.push(Output::StartTls);
                // Nothing pipelined after STARTTLS may run inside TLS as if sent there.
                self.buffer.clear();
                (self.unread, self.unread_at) = (Vec::new(), 0);
                self.tls = true;
            }
            CommandBody::Login { username, password } => {
                if self.login_disabled() {
                    return self.sendf(format_args!("{tag} NO [PRIVACYREQUIRED] LOGIN is disabled until STARTTLS: the password would cross the network in the clear"));
                }
                let user = String::from_utf8_lossy(username.as_ref()).into_owned();
                let password = String::from_utf8_lossy(password.declassify().as_ref()).into_owned();
                let creds = Credentials::Password { authzid: String::new(), username: user, password };
                self.login(&tag, &creds, backend);
            }
            CommandBody::Authenticate { mechanism, initial_response } => {
                let name = mechanism.to_string();
                let Some(mech) = Mechanism::from_name(&name).filter(|m| *m != Mechanism::Login) else {
                    return self.sendf(format_args!(
                        "{tag} NO [CANNOT] Unsupported mechanism {name}; offered: PLAIN CRAM-MD5"
                    ));
                };
                if mech.sends_password() && self.login_disabled() {
                    return self.sendf(format_args!(
                        "{tag} NO [PRIVACYREQUIRED] {name} sends the password; use STARTTLS first"
                    ));
                }
                let initial = initial_response.map(|r| r.declassify().to_vec());
                let challenge = format!("<{}.{}@{}>", self.peer.session_id, self.now.as_secs(), self.config.hostname);
                let (server, step) = SaslServer::start(mech, initial.as_deref(), &challenge);
                self.sasl_step(tag, Box::new(server), step, backend);
            }
            CommandBody::Enable { capabilities } => {
                let names: Vec<String> = capabilities
                    .as_ref()
                    .iter()
                    .map(|c| c.to_string())
                    .filter(|c| c.eq_ignore_ascii_case("IMAP4rev2"))
                    .collect();
                self.rev2 |= !names.is_empty();
                self.send(format!("* ENABLED {}", names.join(" ")).trim_end());
                self.sendf(format_args!("{tag} OK ENABLE completed"));
            }
            CommandBody::Namespace => {
                self.send("* NAMESPACE ((\"\" \"/\")) NIL NIL");
                self.sendf(format_args!("{tag} OK NAMESPACE completed"));
            }
            CommandBody::Idle => {
                self.send("+ idling");
                self.mode = Mode::Idle { tag };
            }
            CommandBody::Select { mailbox } => self.select(&tag, &mailbox_str(&mailbox, self.rev2), false, backend),
            CommandBody::Examine { mailbox } => self.select(&tag, &mailbox_str(&mailbox, self.rev2), true, backend),
            CommandBody::Unselect | CommandBody::Close => {
                if let (true, State::Selected { account, mailbox }) = (name == "CLOSE", &self.state)
                    && !mailbox.read_only
                {
                    // CLOSE expunges silently (RFC 9051 §6.4.1).
                    let (account, name) = (account.clone(), mailbox.name.clone());
                    let store = backend.store();
                    let deleted: Vec<u32> = store
                        .folder(&account, &name)
                        .map(|f| {
                            f.messages.iter().filter(|m| m.flags.contains(&Flag::Deleted)).map(|m| m.uid).collect()
                        })
                        .unwrap_or_default();
                    let _ = store.expunge(&account, &name, &deleted);
                }
                if let Some(account) = self.account().map(str::to_string) {
                    self.state = State::Authenticated { account };
                }
                self.revision = backend.store().revision();
                self.sendf(format_args!("{tag} OK {name} completed"));
            }
            CommandBody::Create { mailbox } => {
                let account = self.account().unwrap_or_default().to_string();
                // A trailing delimiter only says the name will have children (RFC 9051 §6.3.4).
                let name = mailbox_str(&mailbox, self.rev2).trim_end_matches('/').to_string();
                if let Some(why) = bad_name(&name) {
                    return self.sendf(format_args!("{tag} NO [CANNOT] {why}"));
                }
                let store = backend.store();
                let folders = store.account(&account).map_or(0, |a| a.folders.len());
                let levels: Vec<usize> = name.match_indices('/').map(|(i, _)| i).collect();
                let missing: Vec<&str> = levels
                    .iter()
                    .map(|&i| &name[..i])
                    .chain([name.as_str()])
                    .filter(|n| store.folder(&account, n).is_none())
                    .collect();
                if store.folder(&account, &name).is_some() {
                    return self.sendf(format_args!(
                        "{tag} NO [ALREADYEXISTS] folder {} already exists",
                        shown(&name, self.rev2)
                    ));
                }
                if folders + missing.len() > MAX_FOLDERS {
                    return self
                        .sendf(format_args!("{tag} NO [LIMIT] An account holds at most {MAX_FOLDERS} mailboxes"));
                }
                // Superiors are created as needed (RFC 9051 §6.3.4); none is subscribed (§6.3.7).
                for n in missing {
                    // A name subscribed before (its folder deleted) stays subscribed.
                    let was_subscribed = store.is_subscribed(&account, n);
                    if let Err(e) = store.create_folder(&account, n) {
                        return self.sendf(format_args!("{tag} NO {}", clean(&e.to_string())));
                    }
                    let _ = store.set_subscribed(&account, n, was_subscribed);
                }
                self.sendf(format_args!("{tag} OK CREATE completed"))
            }
            CommandBody::Delete { mailbox } => {
                let account = self.account().unwrap_or_default().to_string();
                match backend.store().delete_folder(&account, &mailbox_str(&mailbox, self.rev2)) {
                    Ok(()) => self.sendf(format_args!("{tag} OK DELETE completed")),
                    Err(e) => self.send(&store_refusal(&tag, &e)),
                }
            }
            CommandBody::Rename { from, to } => {
                let account = self.account().unwrap_or_default().to_string();
                let (from, to) = (mailbox_str(&from, self.rev2), mailbox_str(&to, self.rev2));
                if let Some(why) = bad_name(&to) {
                    return self.sendf(format_args!("{tag} NO [CANNOT] {why}"));
                }
                if from != INBOX && to.starts_with(&format!("{from}/")) {
                    return self.sendf(format_args!("{tag} NO [CANNOT] A mailbox cannot move under itself"));
                }
                // Superiors the new name needs are created, as CREATE does (RFC 9051 §6.3.6).
                let store = backend.store();
                let superiors: Vec<String> = to
                    .match_indices('/')
                    .map(|(i, _)| to[..i].to_string())
                    .filter(|n| n != &from && store.folder(&account, n).is_none())
                    .collect();
                if store.account(&account).map_or(0, |a| a.folders.len()) + superiors.len() > MAX_FOLDERS {
                    return self
                        .sendf(format_args!("{tag} NO [LIMIT] An account holds at most {MAX_FOLDERS} mailboxes"));
                }
                match store.rename_folder(&account, &from, &to) {
                    Ok(()) => {
                        for n in &superiors {
                            let was_subscribed = store.is_subscribed(&account, n);
                            let _ = store.create_folder(&account, n);
                            let _ = store.set_subscribed(&account, n, was_subscribed);
                        }
                        self.sendf(format_args!("{tag} OK RENAME completed"))
                    }
                    Err(e) => self.send(&store_refusal(&tag, &e)),
                }
            }
            CommandBody::Subscribe { mailbox } | CommandBody::Unsubscribe { mailbox } => {
                let account = self.account().unwrap_or_default().to_string();
                let folder = mailbox_str(&mailbox, self.rev2);
                // SUBSCRIBE checks the folder exists (RFC 9051 §6.3.7 allows it);
                // UNSUBSCRIBE takes any subscribed name off, folder or not.
                let done = if name == "SUBSCRIBE" {
                    backend.store().set_subscribed(&account, &folder, true)
                } else {
                    backend.store().unsubscribe(&account, &folder)
                };
                match done {
                    Ok(()) => self.sendf(format_args!("{tag} OK {name} completed")),
                    Err(e) => self.sendf(format_args!("{tag} NO [NONEXISTENT] {}", clean(&e.to_string()))),
                }
            }
            CommandBody::List { reference, mailbox_wildcard } | CommandBody::Lsub { reference, mailbox_wildcard } => {
                let lsub = name == "LSUB";
                let reference = mailbox_str(&reference, self.rev2);
                let pattern = list_pattern(&mailbox_wildcard);
                let options = match self.pending.take() {
                    Some(extended::Options::List(o)) if !lsub => o,
                    _ => extended::ListOptions::default(),
                };
                self.list(&tag, &reference, &pattern, lsub, &options, backend);
            }
            CommandBody::Status { mailbox, item_names } => {
                // RFC 9051 §6.3.11: one item at least; DELETED-STORAGE is QUOTA's (RFC 9208), not offered.
                if item_names.is_empty() {
                    return self.sendf(format_args!(
                        "{tag} BAD STATUS needs at least one item, e.g.: {tag} STATUS INBOX (MESSAGES UNSEEN)"
                    ));
                }
                if item_names.contains(&StatusDataItemName::DeletedStorage) {
                    return self.sendf(format_args!(
                        "{tag} BAD DELETED-STORAGE belongs to QUOTA (RFC 9208), which this server does not offer"
                    ));
                }
                let account = self.account().unwrap_or_default().to_string();
                let name = mailbox_str(&mailbox, self.rev2);
                let store = backend.store();
                let Some(f) = store.folder(&account, &name) else {
                    return self.sendf(format_args!("{tag} NO [NONEXISTENT] No mailbox {}", shown(&name, self.rev2)));
                };
                let names: Vec<&str> = item_names
                    .iter()
                    .filter_map(|item| {
                        Some(match item {
                            StatusDataItemName::Messages => "MESSAGES",
                            StatusDataItemName::Recent => "RECENT",
                            StatusDataItemName::UidNext => "UIDNEXT",
                            StatusDataItemName::UidValidity => "UIDVALIDITY",
                            StatusDataItemName::Unseen => "UNSEEN",
                            StatusDataItemName::Deleted => "DELETED",
                            StatusDataItemName::Size => "SIZE",
                            _ => return None,
                        })
                    })
                    .collect();
                let items = status_items(f, &names);
                let line = format!("* STATUS {} ({})", mailbox_name(&f.name, self.rev2), items.join(" "));
                self.send(&line);
                self.sendf(format_args!("{tag} OK STATUS completed"));
            }
            CommandBody::Append { mailbox, flags, date, message } => {
                let account = self.account().unwrap_or_default().to_string();
                let name = mailbox_str(&mailbox, self.rev2);
                let flags = mail_lab_proto::set_of(flags.iter().filter_map(store_flag));
                // The client's date-time becomes the internal date (RFC 9051 §6.3.12);
                // one before 1970 is kept as the epoch rather than refused.
                let internal_date =
                    date.map_or(self.now, |d| Time::from_secs(u64::try_from(d.as_ref().timestamp()).unwrap_or(0)));
                let store = backend.store();
                if let Some(why) = keyword_limit(store, &account, &name, &flags) {
                    return self.sendf(format_args!("{tag} NO [LIMIT] {why}"));
                }
                // RFC 9051 took BINARY's FETCH items, not its APPEND: ~{n} needs BINARY (RFC 3516).
                let data = match &message {
                    LiteralOrLiteral8::Literal(l) => l.data().to_vec(),
                    LiteralOrLiteral8::Literal8(_) => {
                        return self.sendf(format_args!(
                            "{tag} BAD APPEND takes a literal {{n}}: ~{{n}} (literal8) needs BINARY (RFC 3516), which this server does not offer"
                        ));
                    }
                };
                match store.append(&account, &name, data, flags, internal_date, None) {
                    Ok(uid) => {
                        let validity = store.folder(&account, &name).map_or(0, |f| f.uid_validity);
                        // Our own APPEND to the selected mailbox shows as EXISTS like any other.
                        self.sync(backend, false);
                        self.sendf(format_args!("{tag} OK [APPENDUID {validity} {uid}] APPEND completed"));
                    }
                    Err(e @ StoreError::NoSuchFolder(_)) => {
                        self.sendf(format_args!("{tag} NO [TRYCREATE] {}", clean(&e.to_string())))
                    }
                    // RFC 5530: [LIMIT] for no UIDs left, [OVERQUOTA] for a full mailbox.
                    Err(e) => self.send(&store_refusal(&tag, &e)),
                }
            }
            CommandBody::Expunge => self.expunge(&tag, None, backend),
            CommandBody::ExpungeUid { sequence_set } => self.expunge(&tag, Some(sequence_set), backend),
            CommandBody::Search { criteria, uid, .. } => {
                let options = self.pending.take();
                // An option this server does not know is refused (BAD, as Dovecot does),
                // not passed over: the client would wait for data that never comes.
                if let Some(extended::Options::Search(words)) = &options
                    && let Some(unknown) = words.iter().find(|w| !extended::SEARCH_RETURN.contains(&w.as_str()))
                {
                    return self.sendf(format_args!(
                        "{tag} BAD Unknown SEARCH return option {}; this server knows MIN MAX ALL COUNT SAVE",
                        extended::echoed(unknown)
                    ));
                }
                if search::set_keys(criteria.as_ref()) > search::MAX_SETS {
                    return self.sendf(format_args!("{tag} NO [LIMIT] {}", search::TOO_MANY_SETS));
                }
                let criteria = criteria.into_inner();
                let work = Work::Search { criteria, options, progress: search::Progress::default() };
                self.start(Job { tag, name, uid, missing: false, work }, backend);
            }
            CommandBody::Fetch { sequence_set, macro_or_item_names, uid } => {
                if matches!(&macro_or_item_names, MacroOrMessageDataItemNames::MessageDataItemNames(n) if n.is_empty())
                {
                    // RFC 9051's grammar wants one or more; the codec lets "()" through.
                    return self.sendf(format_args!(
                        "{tag} BAD FETCH needs at least one data item, e.g. {tag} FETCH 1 (FLAGS)"
                    ));
                }
                let State::Selected { mailbox, .. } = &self.state else { return };
                let indices = resolve(&sequence_set, uid, &mailbox.uids);
                let work = Work::Fetch { indices, done: 0, items: macro_or_item_names };
                self.start(Job { tag, name, uid, missing: false, work }, backend);
            }
            CommandBody::Store { sequence_set, kind, response, flags, uid } => {
                let State::Selected { account, mailbox } = &mut self.state else { return };
                let wanted = mail_lab_proto::set_of(flags.iter().filter_map(store_flag));
                // A keyword new to the session is announced before any FETCH shows it,
                // from the same one read of the mailbox that checks the limit.
                let mut lines = Vec::new();
                if !matches!(kind, StoreType::Remove)
                    && let Some(f) = backend.store().folder(account, &mailbox.name)
                {
                    match keywords_after(f, &wanted) {
                        Err(why) => return self.sendf(format_args!("{tag} NO [LIMIT] {why}")),
                        Ok(Some(known)) if mailbox.hears_of_new(&wanted) => mailbox.announce(known, &mut lines),
                        Ok(_) => {}
                    }
                }
                let indices = resolve(&sequence_set, uid, &mailbox.uids);
                for l in lines {
                    self.send(&l);
                }
                let work = Work::Store { indices, done: 0, kind, answer: response == StoreResponse::Answer, wanted };
                self.start(Job { tag, name, uid, missing: false, work }, backend);
            }
            CommandBody::Copy { sequence_set, mailbox: target, uid }
            | CommandBody::Move { sequence_set, mailbox: target, uid } => {
                let moving = name.ends_with("MOVE");
                let answer =
                    self.copy(&tag, &name, &sequence_set, &mailbox_str(&target, self.rev2), uid, moving, backend);
                // Copies into the selected folder are announced (EXISTS), and other sessions'
                // expunges held back while the numbers were read are told: they "MUST be
                // returned to the COPY command" (RFC 2180 §4.4), refused or not.
                self.sync(backend, false);
                if !matches!(self.state, State::Logout) {
                    self.send(&answer);
                }
            }
            other => {
                let verb = other.name().to_ascii_uppercase();
                let _ = name;
                self.sendf(format_args!("{tag} BAD {verb} is not implemented by this server; see CAPABILITY"));
            }
        }
    }

    fn start<B: ImapBackend + ?Sized>(&mut self, job: Job, backend: &mut B) {
        self.mode = Mode::Working(Box::new(job));
        self.slice(backend);
    }

    /// The next slice of the command under way; the last one ends it with its
    /// answer and the tagged OK.
    fn slice<B: ImapBackend + ?Sized>(&mut self, backend: &mut B) {
        let (Mode::Working(job), State::Selected { account, mailbox }) = (&mut self.mode, &self.state) else {
            return;
        };
        let store = backend.store();
        // Another session may delete the folder and put another in its place between slices.
        if store.folder(account, &mailbox.name).map(|f| f.uid_validity) != Some(mailbox.uid_validity) {
            // Deleted, or another mailbox now has its name: the session's numbers
            // mean nothing there, and nothing may be done to another mailbox's mail.
            return self.close_with("* BYE The selected mailbox was deleted or replaced while a command ran on it");
        }
        let mut unknown_cte = None;
        let done = match &mut job.work {
            Work::Fetch { indices, done, items } => {
                // Read in place, not cloned; another session's EXPUNGE meanwhile leaves a gap.
                let (bytes, covered, cte) =
                    fetch::run(store, account, mailbox, &indices[*done..], items, job.uid, &mut job.missing);
                *done += covered;
                self.out.push_bytes(&bytes);
                unknown_cte = cte;
                unknown_cte.is_some() || *done == indices.len()
            }
            Work::Store { indices, done, kind, answer, wanted } => {
                let end = indices.len().min(*done + STORE_SLICE);
                for &i in &indices[*done..end] {
                    let msg_uid = mailbox.uids[i];
                    let Some(current) =
                        store.folder(account, &mailbox.name).and_then(|f| f.message(msg_uid)).map(|m| &m.flags)
                    else {
                        job.missing = true;
                        continue;
                    };
                    let next: SortedSet<Flag> = match kind {
                        StoreType::Replace => wanted.clone(),
                        StoreType::Add => mail_lab_proto::set_of(current.union(wanted).cloned()),
                        StoreType::Remove => mail_lab_proto::set_of(current.difference(wanted).cloned()),
                    };
                    if *answer {
                        let uid_part = if job.uid { format!("UID {msg_uid} ") } else { String::new() };
                        let flags = flag_list(&next, mailbox.shows_recent(msg_uid));
                        self.out.push_bytes(format!("* {} FETCH ({uid_part}FLAGS {flags})\r\n", i + 1).as_bytes());
                    }
                    let _ = store.set_flags(account, &mailbox.name, msg_uid, next);
                }
                *done = end;
                end == indices.len()
            }
            Work::Search { criteria, progress, .. } => {
                search::run(store, account, mailbox, criteria, self.now, progress)
            }
        };
        if done && let Mode::Working(job) = std::mem::replace(&mut self.mode, Mode::Commands) {
            // RFC 2180 §4.1.2 and §4.2.1–3: a STORE .SILENT that changed every
            // message still there is OK.
            let expunge_issued = job.missing && !job.uid && !matches!(job.work, Work::Store { answer: false, .. });
            if let Work::Search { options, progress, .. } = job.work {
                self.answer_search(&job.tag, job.uid, &progress.hits, options);
            }
            match unknown_cte {
                // RFC 3516 section 4.3; what was sent before stands, as in Dovecot.
                Some(fetch::Stop::UnknownCte(cte)) => self.sendf(format_args!(
                    "{} NO [UNKNOWN-CTE] BINARY cannot undo Content-Transfer-Encoding {}; BODY[] gives the part as it is",
                    job.tag,
                    clean(&cte)
                )),
                Some(fetch::Stop::TooLarge) => self.sendf(format_args!(
                    "{} NO [LIMIT] Too much of one message in one FETCH; ask for fewer parts",
                    job.tag
                )),
                // A UID names no message once it is gone; a message number still
                // does, so the client is told why it got nothing for it.
                None if expunge_issued => self.sendf(format_args!("{} NO {EXPUNGE_ISSUED}", job.tag)),
                None => self.sendf(format_args!("{} OK {} completed", job.tag, job.name)),
            }
        }
    }

    /// SEARCH's answer: `* SEARCH`, or `* ESEARCH` for RETURN options or rev2,
    /// and the result SAVE keeps for `$` (RFC 5182).
    fn answer_search(&mut self, tag: &str, uid: bool, hits: &[usize], options: Option<extended::Options>) {
        let State::Selected { mailbox, .. } = &self.state else { return };
        let uids: Vec<u32> = hits.iter().map(|&i| mailbox.uids[i]).collect();
        let numbers: Vec<u32> = if uid { uids.clone() } else { hits.iter().map(|&i| i as u32 + 1).collect() };
        match options {
            Some(extended::Options::Search(options)) => {
                let has = |o: &str| options.iter().any(|x| x == o);
                if has("SAVE") {
                    // RFC 5182 §2.1: with only MIN and/or MAX, only those are saved.
                    self.saved = if (has("MIN") || has("MAX")) && !has("ALL") && !has("COUNT") {
                        let mut ends = Vec::new();
                        ends.extend(has("MIN").then(|| uids.first().copied()).flatten());
                        ends.extend(has("MAX").then(|| uids.last().copied()).flatten());
                        ends.dedup();
                        ends
                    } else {
                        uids
                    };
                }
                let shown: Vec<String> = options.iter().filter(|o| *o != "SAVE").cloned().collect();
                // SAVE alone answers nothing but OK (RFC 5182 §2.1).
                if !(has("SAVE") && shown.is_empty()) {
                    self.send(&extended::esearch(tag, uid, &numbers, &shown));
                }
            }
            _ if self.rev2 => self.send(&extended::esearch(tag, uid, &numbers, &[])),
            _ => {
                let list: Vec<String> = numbers.iter().map(u32::to_string).collect();
                let line = format!("* SEARCH {}", list.join(" "));
                self.send(line.trim_end());
            }
        }
    }

    fn select<B: ImapBackend + ?Sized>(&mut self, tag: &str, name: &str, read_only: bool, backend: &mut B) {
        let account = self.account().unwrap_or_default().to_string();
        // RFC 9051 §6.3.2: deselecting says [CLOSED] first, whether or not the new one opens.
        if self.rev2 && matches!(self.state, State::Selected { .. }) {
            self.send("* OK [CLOSED] Previous mailbox is now closed");
        }
        let store = backend.store();
        let Some(f) = store.folder(&account, name) else {
            // A failed SELECT leaves no mailbox selected (RFC 9051 §6.3.2).
            self.state = State::Authenticated { account };
            return self.sendf(format_args!("{tag} NO [NONEXISTENT] No mailbox {}", shown(name, self.rev2)));
        };
        let uids: Vec<u32> = f.messages.iter().map(|m| m.uid).collect();
        let first_unseen = f.messages.iter().position(|m| !m.flags.contains(&Flag::Seen));
        let (validity, next, folder_name) = (f.uid_validity, f.uid_next, f.name.clone());
        let keywords = keywords_with(f, None);
        // IMAP4rev2 sends the mailbox's LIST line too (RFC 9051 §6.3.2).
        let list_line = self.rev2.then(|| {
            let inferiors = format!("{}/", f.name);
            let children = store
                .account(&account)
                .is_some_and(|a| a.folders.keys().any(|n| n.len() > inferiors.len() && n.starts_with(&inferiors)));
            let mut attrs = vec![if children { "\\HasChildren" } else { "\\HasNoChildren" }];
            attrs.extend(f.special_use.as_deref());
            format!("* LIST ({}) \"/\" {}", attrs.join(" "), mailbox_name(&f.name, self.rev2))
        });
        // EXAMINE shows what is recent but must not take it from the next session.
        let unclaimed = (f.recent_claimed_through.saturating_add(1), uids.last().copied().unwrap_or(0));
        let recent = if read_only {
            Some(unclaimed).filter(|(first, last)| first <= last)
        } else {
            store.claim_recent(&account, name)
        };
        // RFC 5182 §2.1: a new SELECT or EXAMINE empties the saved search result.
        self.saved.clear();
        let mailbox = Selected {
            name: folder_name,
            read_only,
            uids,
            uid_validity: validity,
            recent: recent.into_iter().collect(),
            reports_recent: !self.rev2,
            keywords,
        };
        self.revision = store.revision();
        let [flags, permanent] = mailbox.flags_lines();
        self.send(&flags);
        if read_only {
            // Nothing can be changed through EXAMINE (RFC 9051 §6.3.3).
            self.send("* OK [PERMANENTFLAGS ()] Read-only mailbox");
        } else {
            self.send(&permanent);
        }
        self.sendf(format_args!("* {} EXISTS", mailbox.uids.len()));
        if let Some(line) = mailbox.recent_line() {
            self.send(&line);
        }
        if let Some(line) = list_line {
            self.send(&line);
        }
        // IMAP4rev2 has no UNSEEN here (RFC 9051 App. E: SEARCH UNSEEN finds them).
        if let Some(i) = first_unseen.filter(|_| !self.rev2) {
            self.sendf(format_args!("* OK [UNSEEN {}] First unseen message", i + 1));
        }
        self.sendf(format_args!("* OK [UIDVALIDITY {validity}] UIDs valid"));
        self.sendf(format_args!("* OK [UIDNEXT {next}] Predicted next UID"));
        let access = if read_only { "READ-ONLY" } else { "READ-WRITE" };
        let verb = if read_only { "EXAMINE" } else { "SELECT" };
        self.state = State::Selected { account, mailbox };
        self.sendf(format_args!("{tag} OK [{access}] {verb} completed"));
    }

    /// LIST and LSUB (RFC 9051 §6.3.9, RFC 3501 §6.3.9, RFC 5258). Names are the
    /// folders, the superiors they imply (shown `\Noselect`), and for SUBSCRIBED
    /// the subscribed names (`\NonExistent` when no folder has one).
    fn list<B: ImapBackend + ?Sized>(
        &mut self,
        tag: &str,
        reference: &str,
        pattern: &str,
        lsub: bool,
        options: &extended::ListOptions,
        backend: &mut B,
    ) {
        let verb = if lsub { "LSUB" } else { "LIST" };
        if let Some(why) = &options.invalid {
            return self.sendf(format_args!("{tag} BAD {why}"));
        }
        if pattern.is_empty() && !lsub && options.patterns.is_empty() {
            // LIST "" "" asks for the delimiter and the root (RFC 9051 §6.3.9).
            self.send("* LIST (\\Noselect) \"/\" \"\"");
            return self.sendf(format_args!("{tag} OK LIST completed"));
        }
        // An IMAP4rev1 pattern in modified UTF-7 is read as such; one that is not
        // (UTF-8, say) is matched as it is, as Dovecot does.
        let utf8 = self.rev2;
        let unspelled = |p: &str| if utf8 { None } else { utf7::decode(p) }.unwrap_or_else(|| p.to_string());
        let patterns: Vec<String> = if options.patterns.is_empty() {
            vec![format!("{reference}{}", unspelled(pattern))]
        } else {
            options.patterns.iter().map(|p| format!("{reference}{}", unspelled(p))).collect()
        };
        let matched = |name: &str| patterns.iter().any(|p| matches(p.as_bytes(), name.as_bytes()));
        let account = self.account().unwrap_or_default().to_string();
        let store = backend.store();
        let Some(acct) = store.account(&account) else { return };
        let has_children = |name: &str| {
            let prefix = format!("{name}/");
            acct.folders.range_from(prefix.as_str()).next().is_some_and(|(k, _)| k.starts_with(&prefix))
        };
        let is_subscribed = |name: &str| {
            acct.folders.get(name).is_some_and(|f| f.subscribed) || acct.dangling_subscriptions.contains(name)
        };
        let subscribed = acct
            .folders
            .values()
            .filter(|f| f.subscribed)
            .map(|f| f.name.as_str())
            .chain(acct.dangling_subscriptions.iter().map(String::as_str));
        let has_subscribed_child = |name: &str| {
            let prefix = format!("{name}/");
            let folder = acct.folders.range_from(prefix.as_str()).take_while(|(k, _)| k.starts_with(&prefix));
            let dangling =
                acct.dangling_subscriptions.range_from(prefix.as_str()).take_while(|k| k.starts_with(&prefix));
            folder.into_iter().any(|(_, f)| f.subscribed) || dangling.into_iter().next().is_some()
        };
        let superiors = |name: &str| -> Vec<String> {
            name.match_indices('/').map(|(i, _)| name[..i].to_string()).collect::<Vec<_>>()
        };
        let by_subscription = lsub || options.subscribed_only;
        // The names the answer shows, in order and each once; what is shown of
        // each is worked out from the name below.
        let mut names: SortedSet<String> = SortedSet::new();
        if by_subscription {
            for name in subscribed {
                let special = acct.folders.get(name).is_some_and(|f| f.special_use.is_some());
                if options.special_use_only && !special {
                    continue;
                }
                if matched(name) {
                    names.insert(name.to_string());
                } else if lsub || options.recursive_match {
                    // RFC 3501 §6.3.9 (LSUB's `%`) and RFC 5258 §3.5 (RECURSIVEMATCH):
                    // an unsubscribed superior the pattern stops at.
                    names.extend(superiors(name).into_iter().filter(|p| matched(p)));
                }
            }
        } else {
            for f in acct.folders.values() {
                if (options.special_use_only && f.special_use.is_none()) || !matched(&f.name) {
                    continue;
                }
                names.insert(f.name.clone());
            }
            if !options.special_use_only {
                // A superior no folder has (RFC 3501 §6.3.8: shown \Noselect).
                names.extend(acct.folders.keys().flat_map(|n| superiors(n)).filter(|n| matched(n)));
            }
        }
        let mut shown: Vec<(String, Vec<&str>, bool)> = Vec::new();
        for name in names {
            let folder = acct.folders.get(&name);
            let mut attrs = Vec::new();
            let selected = !by_subscription || is_subscribed(&name);
            match folder {
                // Listed only for a subscribed inferior: LSUB's \Noselect, RECURSIVEMATCH's ().
                Some(_) if !selected && lsub => attrs.push("\\Noselect"),
                Some(_) if !selected => {}
                Some(f) => {
                    attrs.push(if has_children(&name) { "\\HasChildren" } else { "\\HasNoChildren" });
                    attrs.extend(f.special_use.as_deref());
                }
                None if !by_subscription => attrs.extend(["\\Noselect", "\\HasChildren"]),
                // LSUB shows a subscribed name as it is, folder or not (as Dovecot does).
                None if lsub && selected => {}
                None if lsub => attrs.push("\\Noselect"),
                None if selected => attrs.push("\\NonExistent"),
                None => {}
            }
            let mark =
                !lsub && selected && is_subscribed(&name) && (options.subscribed_only || options.mark_subscribed);
            if mark {
                attrs.push("\\Subscribed");
            }
            shown.push((name, attrs, folder.is_some() && selected));
        }
        let mut lines = Vec::new();
        for (name, attrs, selectable) in &shown {
            let mut line = format!("* {verb} ({}) \"/\" {}", attrs.join(" "), mailbox_name(name, self.rev2));
            if options.recursive_match && has_subscribed_child(name) {
                line.push_str(" (\"CHILDINFO\" (\"SUBSCRIBED\"))");
            }
            lines.push(line);
            if let (Some(items), true, Some(f)) = (&options.status, *selectable, acct.folders.get(name)) {
                let names: Vec<&str> = items.iter().map(String::as_str).collect();
                lines.push(format!(
                    "* STATUS {} ({})",
                    mailbox_name(name, self.rev2),
                    status_items(f, &names).join(" ")
                ));
            }
        }
        for l in lines {
            self.send(&l);
        }
        self.sendf(format_args!("{tag} OK {verb} completed"));
    }

    fn expunge<B: ImapBackend + ?Sized>(&mut self, tag: &str, only: Option<SequenceSet>, backend: &mut B) {
        let State::Selected { account, mailbox } = &mut self.state else { return };
        let store = backend.store();
        let allowed: Option<Vec<usize>> = only.as_ref().map(|set| resolve(set, true, &mailbox.uids));
        let deleted: Vec<u32> = store
            .folder(account, &mailbox.name)
            .map(|f| f.messages.iter().filter(|m| m.flags.contains(&Flag::Deleted)).map(|m| m.uid).collect())
            .unwrap_or_default();
        // `deleted`, `allowed` and the session's UIDs all ascend: binary searches keep
        // EXPUNGE of a whole large folder linear.
        let targets: Vec<u32> = mailbox
            .uids
            .iter()
            .enumerate()
            .filter(|(i, u)| {
                deleted.binary_search(u).is_ok() && allowed.as_ref().is_none_or(|a| a.binary_search(i).is_ok())
            })
            .map(|(_, u)| *u)
            .collect();
        let _ = store.expunge(account, &mailbox.name, &targets);
        // Sent in ascending order, each number counts the removals before it.
        let mut lines = Vec::with_capacity(targets.len());
        for (i, _) in mailbox.uids.iter().enumerate().filter(|(_, u)| targets.binary_search(u).is_ok()) {
            lines.push(format!("* {} EXPUNGE", i + 1 - lines.len()));
        }
        mailbox.uids.retain(|u| targets.binary_search(u).is_err());
        for l in lines {
            self.send(&l);
        }
        let verb = if only.is_some() { "UID EXPUNGE" } else { "EXPUNGE" };
        self.sendf(format_args!("{tag} OK {verb} completed"));
    }

    #[allow(clippy::too_many_arguments)]
    fn copy<B: ImapBackend + ?Sized>(
        &mut self,
        tag: &str,
        name: &str,
        set: &SequenceSet,
        target: &str,
        uid: bool,
        moving: bool,
        backend: &mut B,
    ) -> String {
        let State::Selected { account, mailbox } = &mut self.state else { return format!("{tag} BAD Not selected") };
        let store = backend.store();
        let Some(validity) = store.folder(account, target).map(|f| f.uid_validity) else {
            return format!("{tag} NO [TRYCREATE] No mailbox {}", clean(target));
        };
        let indices = resolve(set, uid, &mailbox.uids);
        let uids: Vec<u32> = indices.iter().map(|&i| mailbox.uids[i]).collect();
        // A message number whose message another session expunged: the copy is
        // refused whole (RFC 2180 §4.4.1), as Dovecot does.
        if !uid && store.folder(account, &mailbox.name).is_some_and(|f| uids.iter().any(|&u| f.message(u).is_none())) {
            return format!("{tag} NO {EXPUNGE_ISSUED}");
        }
        let mut copied = SortedSet::new();
        if let Some(from) = store.folder(account, &mailbox.name) {
            for flag in uids.iter().filter_map(|&u| from.message(u)).flat_map(|m| m.flags.iter()) {
                if !copied.contains(flag) {
                    copied.insert(flag.clone());
                }
            }
        }
        if let Some(why) = keyword_limit(store, account, target, &copied) {
            return format!("{tag} NO [LIMIT] {why}");
        }
        let pairs = match store.copy_messages(account, &mailbox.name, &uids, target, moving) {
            Ok(p) => p,
            Err(e) => return store_refusal(tag, &e),
        };
        if pairs.is_empty() {
            // Nothing matched: no COPYUID, whose sets may not be empty (RFC 4315 §3).
            return format!("{tag} OK No messages matched; {name} completed");
        }
        // Both sets ascend in step, so ranges keep the pairing (RFC 4315 §3).
        let set = |v: Vec<u32>| extended::sequence_set(&v);
        let code = format!(
            "COPYUID {validity} {} {}",
            set(pairs.iter().map(|p| p.0).collect()),
            set(pairs.iter().map(|p| p.1).collect())
        );
        let mut lines = Vec::new();
        if moving {
            lines.push(format!("* OK [{code}] Moved"));
            let _ = store.expunge(account, &mailbox.name, &uids);
            // One pass over the session's UIDs, not a search per message.
            let mut moved = mail_lab_proto::set_of(uids.iter().copied());
            apply_expunges(mailbox, &mut moved, &mut lines);
        }
        for l in lines {
            self.send(&l);
        }
        if moving { format!("{tag} OK {name} completed") } else { format!("{tag} OK [{code}] {name} completed") }
    }
}

impl Engine for ImapServer {
    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    fn hint(&self) -> StateHint {
        StateHint { state: self.state_key(), allowed: self.allowed(), reads_message_text: false }
    }

    fn is_closed(&self) -> bool {
        matches!(self.state, State::Logout) && self.out.is_empty()
    }

    fn is_busy(&self) -> bool {
        (matches!(self.mode, Mode::Working(_)) || self.paused) && !matches!(self.state, State::Logout)
    }

    fn failed_logins(&self) -> u32 {
        self.failed_logins
    }
}

impl<B: ImapBackend + ?Sized> Session<B> for ImapServer {
    fn open(&mut self, backend: &mut B, now: Time) {
        self.now = now;
        self.revision = backend.store().revision();
        let caps = self.capabilities();
        let host = self.config.hostname.clone();
        self.sendf(format_args!("* OK [CAPABILITY {caps}] {host} IMAP4rev2 Mail Lab ready"));
    }

    fn receive(&mut self, input: &[u8], backend: &mut B, now: Time) {
        self.now = now;
        if matches!(self.state, State::Logout) {
            return;
        }
        self.unread.extend_from_slice(input);
        (self.ran, self.paused) = (0, false);
        self.process_buffer(backend);
    }

    fn timed_out(&mut self, _backend: &mut B, _now: Time) {
        if matches!(self.state, State::Logout) {
            return;
        }
        // RFC 9051 §5.4: the autologout timer is at least 30 minutes; BYE says why.
        self.close_with("* BYE Autologout; idle for too long");
    }

    fn resume(&mut self, backend: &mut B, now: Time) {
        self.now = now;
        (self.ran, self.paused) = (0, false);
        // Flags this slice sets are this session's own: its client hears of them here.
        let before = backend.store().revision();
        self.slice(backend);
        let after = backend.store().revision();
        self.note_own(before, after);
        self.process_buffer(backend);
    }

    fn wake(&mut self, backend: &mut B, now: Time) {
        self.now = now;
        // IDLE pushes what other sessions did (RFC 2177).
        if matches!(self.mode, Mode::Idle { .. }) {
            self.sync(backend, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> SequenceSet {
        SequenceSet::try_from(text).unwrap()
    }

    #[test]
    fn resolve_picks_uids_in_ranges_and_sequence_numbers_in_bounds() {
        let uids = [2, 5, 9, 12];
        // UIDs: ranges may be reversed, may fall between UIDs, `*` is the highest.
        assert_eq!(resolve(&set("3:10"), true, &uids), [1, 2]);
        assert_eq!(resolve(&set("10:3,1,*"), true, &uids), [1, 2, 3]);
        assert_eq!(resolve(&set("13:20"), true, &uids), [] as [usize; 0]);
        assert_eq!(resolve(&set("1:4294967295"), true, &uids), [0, 1, 2, 3]);
        // Sequence numbers beyond the mailbox pick nothing.
        assert_eq!(resolve(&set("3:*"), false, &uids), [2, 3]);
        assert_eq!(resolve(&set("2,7:9"), false, &uids), [1]);
        assert_eq!(resolve(&set("1:*"), false, &[]), [] as [usize; 0]);
    }

    #[test]
    fn recent_ranges_join_ascend_and_start_again_for_a_folder_made_anew() {
        let mut m = Selected {
            name: "INBOX".into(),
            read_only: false,
            uids: (1..=9).collect(),
            uid_validity: 1,
            recent: Vec::new(),
            reports_recent: true,
            keywords: SortedSet::new(),
        };
        for range in [(2, 3), (4, 4), (7, 8)] {
            m.add_recent(range);
        }
        assert_eq!(m.recent, [(2, 4), (7, 8)]);
        assert!(m.is_recent(4) && !m.is_recent(5) && m.is_recent(8) && !m.is_recent(9));
        assert_eq!(m.recent_line().as_deref(), Some("* 5 RECENT"));
        // A resync met a folder made anew under the name: its UIDs start again.
        m.add_recent((1, 2));
        assert_eq!(m.recent, [(1, 2)]);
        assert!(m.is_recent(1) && !m.is_recent(7));
    }
}
