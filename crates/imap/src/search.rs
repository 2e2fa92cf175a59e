//! SEARCH (RFC 9051 §6.4.4): which messages of the selected mailbox match.

use std::cell::RefCell;

use imap_types::search::SearchKey;
use imap_types::sequence::SequenceSet;
use mail_lab_message::address::AddressItem;
use mail_lab_message::{MessageView, Utf8Only};
use mail_lab_proto::Time;
use mail_lab_store::{Flag, Store, StoredMessage};

use crate::server::{Selected, resolve};

/// `YYYY-MM-DD` for comparing dates as text.
fn ymd(t: Time) -> String {
    let (y, m, d, ..) = t.civil();
    format!("{y:04}-{m:02}-{d:02}")
}

/// Whether `needle` is in `haystack`, both [`folded`].
fn contains(haystack: &str, needle: &str) -> bool {
    folded(haystack).contains(&folded(needle))
}

/// `text` as SEARCH compares it: letters in lower case ([`fold`]) and Latin-1's
/// accented letters split into letter and combining mark, as Dovecot compares
/// (its decomposed titlecase), so `cafe` is found in `Café` and `café` is not
/// found in `Cafe`.
fn folded(text: &str) -> String {
    // À..ÿ in blocks of 32: the base letter and which mark, `_` for none.
    const BASES: &[u8; 32] = b"AAAAAA_CEEEEIIII_NOOOOO__UUUUY__";
    const MARKS: &[u8; 32] = b"012345_601240124_301234__01241__";
    const MARK: [char; 7] = ['\u{300}', '\u{301}', '\u{302}', '\u{303}', '\u{308}', '\u{30a}', '\u{327}'];
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let i = (c as u32 & 0x1f) as usize;
        match c {
            'ÿ' => out.push_str("y\u{308}"),
            '\u{c0}'..='\u{fe}' if MARKS[i] != b'_' => {
                out.push(BASES[i].to_ascii_lowercase() as char);
                out.push(MARK[usize::from(MARKS[i] - b'0')]);
            }
            _ => out.push(fold(c)),
        }
    }
    out
}

/// `c` in lower case, for the letters that have one in ASCII, Latin-1, Greek,
/// Cyrillic and fullwidth Latin (Ａ–Ｚ, common in Japanese text); any other
/// character is itself. RFC 9051 §6.4.4 asks for ASCII; these few ranges,
/// not core's full Unicode tables, keep the page light (8.9 KB gzip).
fn fold(c: char) -> char {
    let u = c as u32;
    let lower = match u {
        0x41..=0x5a | 0xc0..=0xde | 0x391..=0x3a9 | 0x410..=0x42f | 0xff21..=0xff3a if u != 0xd7 && u != 0x3a2 => {
            u + 0x20
        }
        0x400..=0x40f => u + 0x50,
        _ => u,
    };
    char::from_u32(lower).unwrap_or(c)
}

/// Most sequence or UID sets one SEARCH may hold: each is read once, and
/// finding it again costs a walk of those read, so their number is bounded.
pub(crate) const MAX_SETS: usize = 64;
/// The refusal past [`MAX_SETS`], one literal (no formatting code in the page).
pub(crate) const TOO_MANY_SETS: &str = "One SEARCH takes at most 64 message sets; combine them into one";
const _: () = assert!(MAX_SETS == 64);

/// How many sequence and UID sets `keys` hold (imap-codec bounds their nesting).
pub(crate) fn set_keys(keys: &[SearchKey<'_>]) -> usize {
    keys.iter()
        .map(|k| match k {
            SearchKey::SequenceSet(_) | SearchKey::Uid(_) => 1,
            SearchKey::And(inner) => set_keys(inner.as_ref()),
            SearchKey::Not(inner) => set_keys(std::slice::from_ref(inner.as_ref())),
            SearchKey::Or(a, b) => {
                set_keys(std::slice::from_ref(a.as_ref())) + set_keys(std::slice::from_ref(b.as_ref()))
            }
            _ => 0,
        })
        .sum()
}

/// Sets already read in this SEARCH, by the key's address and whether it names
/// UIDs, as the ascending indices they pick: testing a message is then a binary
/// search, not a walk of the whole set. (A search has few sets: a list suffices.)
type SetCache = RefCell<Vec<((usize, bool), Vec<usize>)>>;

fn in_set(ctx: &Ctx<'_>, set: &SequenceSet, uid: bool) -> bool {
    let key = (std::ptr::from_ref(set) as usize, uid);
    let mut cache = ctx.sets.borrow_mut();
    let at = match cache.iter().position(|(k, _)| *k == key) {
        Some(at) => at,
        None => {
            cache.push((key, resolve(set, uid, ctx.uids)));
            cache.len() - 1
        }
    };
    cache[at].1.binary_search(&ctx.index).is_ok()
}

struct Ctx<'a> {
    sets: &'a SetCache,
    index: usize,
    uids: &'a [u32],
    message: &'a StoredMessage,
    /// Parsed only when a key reads the message: flag and set keys never do.
    view: std::cell::OnceCell<MessageView<'a>>,
    /// \Recent in this session.
    recent: bool,
    /// The text parts and the header fields [`folded`] once per message: a
    /// thousand `BODY ""` keys must not fold a 10 MB body a thousand times.
    body_text: std::cell::OnceCell<String>,
    headers: std::cell::OnceCell<Vec<String>>,
    header_text: std::cell::OnceCell<String>,
}

fn view<'c, 'a>(ctx: &'c Ctx<'a>) -> &'c MessageView<'a> {
    ctx.view.get_or_init(|| MessageView::parse(&ctx.message.raw, &Utf8Only))
}

/// Whether some field `name` (any, for `None`) holds `needle` ([`folded`]);
/// the decoded values are folded once.
fn header_holds(ctx: &Ctx<'_>, name: Option<&str>, needle: &str) -> bool {
    let fields = view(ctx).decoded_headers();
    let values = ctx.headers.get_or_init(|| fields.iter().map(|(_, v)| folded(v)).collect());
    fields
        .iter()
        .zip(values)
        .any(|((n, _), v)| name.is_none_or(|name| n.eq_ignore_ascii_case(name)) && v.contains(needle))
}

fn header(ctx: &Ctx<'_>, name: &str) -> String {
    view(ctx)
        .decoded_headers()
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The message's text parts, decoded and [`folded`] once however many keys ask.
fn body_text<'c>(ctx: &'c Ctx<'_>) -> &'c str {
    ctx.body_text.get_or_init(|| {
        let text = view(ctx)
            .bodies()
            .into_iter()
            .filter_map(|body| match body {
                mail_lab_message::Body::Text(t) | mail_lab_message::Body::Html(t) => Some(t),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n");
        folded(&text)
    })
}

/// An address key matches the addresses of the header as `name` and
/// `local@domain`, comments and spacing taken out, as the envelope shows them:
/// `FROM user@domain.org` finds `<user (comment)@ domain.org>`, and `FROM comment`
/// does not. A header with no address in it is matched as written.
fn address_matches(ctx: &Ctx<'_>, field: &str, needle: &str) -> bool {
    let written = header(ctx, field);
    let items = mail_lab_message::address::address_list(&written);
    if items.is_empty() {
        return contains(&written, needle);
    }
    items.iter().any(|item| match item {
        AddressItem::Mailbox { name, local, domain } => {
            let addr = format!("{}@{}", local.as_deref().unwrap_or(""), domain.as_deref().unwrap_or(""));
            contains(&addr, needle) || name.as_deref().is_some_and(|n| contains(n, needle))
        }
        AddressItem::GroupStart(name) => contains(name, needle),
        AddressItem::GroupEnd => false,
    })
}

fn sent_date(ctx: &Ctx<'_>) -> Option<String> {
    let (year, month, day) = view(ctx).sent_day()?;
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

fn eval(key: &SearchKey<'_>, ctx: &Ctx<'_>, now: Time) -> bool {
    let flag = |f: Flag| ctx.message.flags.contains(&f);
    let text = |a: &dyn AsRef<[u8]>| String::from_utf8_lossy(a.as_ref()).into_owned();
    let date = |d: &imap_types::datetime::NaiveDate| d.as_ref().to_string();
    match key {
        SearchKey::And(keys) => keys.as_ref().iter().all(|k| eval(k, ctx, now)),
        SearchKey::SequenceSet(set) => in_set(ctx, set, false),
        SearchKey::Uid(set) => in_set(ctx, set, true),
        SearchKey::All => true,
        SearchKey::Answered => flag(Flag::Answered),
        SearchKey::Deleted => flag(Flag::Deleted),
        SearchKey::Draft => flag(Flag::Draft),
        SearchKey::Flagged => flag(Flag::Flagged),
        SearchKey::Seen => flag(Flag::Seen),
        SearchKey::Unanswered => !flag(Flag::Answered),
        SearchKey::Undeleted => !flag(Flag::Deleted),
        SearchKey::Undraft => !flag(Flag::Draft),
        SearchKey::Unflagged => !flag(Flag::Flagged),
        SearchKey::Unseen => !flag(Flag::Seen),
        SearchKey::New => ctx.recent && !flag(Flag::Seen),
        SearchKey::Recent => ctx.recent,
        SearchKey::Old => !ctx.recent,
        SearchKey::Keyword(k) => flag(Flag::Keyword(k.as_ref().to_string())),
        SearchKey::Unkeyword(k) => !flag(Flag::Keyword(k.as_ref().to_string())),
        SearchKey::Bcc(s) => address_matches(ctx, "Bcc", &text(s)),
        SearchKey::Cc(s) => address_matches(ctx, "Cc", &text(s)),
        SearchKey::From(s) => address_matches(ctx, "From", &text(s)),
        SearchKey::To(s) => address_matches(ctx, "To", &text(s)),
        SearchKey::Subject(s) => header_holds(ctx, Some("Subject"), &folded(&text(s))),
        SearchKey::Header(name, value) => header_holds(ctx, Some(&text(name)), &folded(&text(value))),
        SearchKey::Body(s) => body_text(ctx).contains(&folded(&text(s))),
        SearchKey::Text(s) => {
            let needle = folded(&text(s));
            body_text(ctx).contains(&needle)
                || header_holds(ctx, None, &needle)
                || ctx.header_text.get_or_init(|| folded(&view(ctx).header_text())).contains(&needle)
        }
        SearchKey::Larger(n) => ctx.message.raw.len() > *n as usize,
        SearchKey::Smaller(n) => ctx.message.raw.len() < *n as usize,
        SearchKey::Before(d) => ymd(ctx.message.internal_date) < date(d),
        SearchKey::On(d) => ymd(ctx.message.internal_date) == date(d),
        SearchKey::Since(d) => ymd(ctx.message.internal_date) >= date(d),
        SearchKey::SentBefore(d) => sent_date(ctx).is_some_and(|s| s < date(d)),
        SearchKey::SentOn(d) => sent_date(ctx).is_some_and(|s| s == date(d)),
        SearchKey::SentSince(d) => sent_date(ctx).is_some_and(|s| s >= date(d)),
        SearchKey::Not(k) => !eval(k, ctx, now),
        SearchKey::Or(a, b) => eval(a, ctx, now) || eval(b, ctx, now),
        SearchKey::Older(secs) => {
            now.as_secs().saturating_sub(ctx.message.internal_date.as_secs()) >= u64::from(secs.get())
        }
        SearchKey::Younger(secs) => {
            now.as_secs().saturating_sub(ctx.message.internal_date.as_secs()) <= u64::from(secs.get())
        }
        #[allow(unreachable_patterns)]
        _ => false,
    }
}

/// Most messages, and octets of them, one slice of a SEARCH reads before the
/// session lets the others run.
pub const SLICE_MESSAGES: usize = 2_000;
pub const SLICE_OCTETS: usize = 4 * 1024 * 1024;

/// A SEARCH under way: the next message to test and the matches so far.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub next: usize,
    /// Indices (0-based) of the selected mailbox's messages that match.
    pub hits: Vec<usize>,
    /// Kept across slices: a set is read once per SEARCH (the keys stay put in
    /// their command, so their addresses name them).
    sets: SetCache,
}

/// Test the next slice of the selected mailbox's messages against `keys`
/// (several are ANDed, RFC 9051 §6.4.4); true once every message is tested.
pub fn run(
    store: &Store,
    account: &str,
    mailbox: &Selected,
    keys: &[SearchKey<'_>],
    now: Time,
    p: &mut Progress,
) -> bool {
    let Some(folder) = store.folder(account, &mailbox.name) else { return true };
    let (mut tested, mut octets) = (0, 0);
    while p.next < mailbox.uids.len() {
        if tested == SLICE_MESSAGES || octets >= SLICE_OCTETS {
            return false;
        }
        let (index, uid) = (p.next, mailbox.uids[p.next]);
        p.next += 1;
        tested += 1;
        let Some(message) = folder.message(uid) else { continue };
        octets += message.raw.len();
        let ctx = Ctx {
            sets: &p.sets,
            index,
            uids: &mailbox.uids,
            message,
            view: std::cell::OnceCell::new(),
            recent: mailbox.is_recent(uid),
            body_text: Default::default(),
            headers: Default::default(),
            header_text: Default::default(),
        };
        if keys.iter().all(|key| eval(key, &ctx, now)) {
            p.hits.push(index);
        }
    }
    true
}
