//! FETCH responses (RFC 9051 §6.4.5, §7.5.2): the items a client asked for, per
//! message; a non-PEEK body fetch sets \Seen.

use imap_types::fetch::{Macro, MacroOrMessageDataItemNames, MessageDataItemName, Section};
use mail_lab_message::imap::{SectionText, body_structure, envelope, section};
use mail_lab_message::transfer::{decode_base64, decode_quoted_printable};
use mail_lab_proto::Time;
use mail_lab_store::{Flag, Store};

use crate::server::{Selected, flag_list};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `date-time` of INTERNALDATE: `" 1-Apr-2026 09:00:00 +0000"` (RFC 9051 §9).
pub fn internal_date(t: Time) -> String {
    let (y, mo, d, h, mi, s) = t.civil();
    format!("\"{d:>2}-{}-{y} {h:02}:{mi:02}:{s:02} +0000\"", MONTHS[(mo - 1) as usize])
}

fn literal(bytes: &[u8]) -> Vec<u8> {
    let mut out = format!("{{{}}}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out
}

fn names<'a>(items: &'a MacroOrMessageDataItemNames<'a>) -> Vec<MessageDataItemName<'a>> {
    match items {
        MacroOrMessageDataItemNames::Macro(m) => match m {
            Macro::Fast => {
                vec![MessageDataItemName::Flags, MessageDataItemName::InternalDate, MessageDataItemName::Rfc822Size]
            }
            Macro::All => vec![
                MessageDataItemName::Flags,
                MessageDataItemName::InternalDate,
                MessageDataItemName::Rfc822Size,
                MessageDataItemName::Envelope,
            ],
            Macro::Full => vec![
                MessageDataItemName::Flags,
                MessageDataItemName::InternalDate,
                MessageDataItemName::Rfc822Size,
                MessageDataItemName::Envelope,
                MessageDataItemName::Body,
            ],
            _ => vec![MessageDataItemName::Flags],
        },
        MacroOrMessageDataItemNames::MessageDataItemNames(list) => {
            // An item asked for twice is answered once: repeating BODY[] must not
            // multiply the answer.
            let mut unique: Vec<MessageDataItemName<'a>> = Vec::new();
            for item in list {
                if !unique.contains(item) {
                    unique.push(item.clone());
                }
            }
            unique
        }
    }
}

fn part_numbers(part: &imap_types::fetch::Part) -> Vec<u32> {
    part.0.as_ref().iter().map(|n| n.get()).collect()
}

fn join(numbers: &[u32]) -> String {
    numbers.iter().map(ToString::to_string).collect::<Vec<_>>().join(".")
}

/// The section's bytes and how the response names it (`BODY[1.HEADER]`).
fn body_section(raw: &[u8], s: Option<&Section<'_>>) -> (Option<Vec<u8>>, String) {
    let fields = |list: &[imap_types::core::AString<'_>]| -> Vec<String> {
        list.iter().map(|a| String::from_utf8_lossy(a.as_ref()).into_owned()).collect()
    };
    let prefix = |p: &Option<imap_types::fetch::Part>| {
        p.as_ref().map(|p| format!("{}.", join(&part_numbers(p)))).unwrap_or_default()
    };
    match s {
        None => (section(raw, &[], &SectionText::Whole), String::new()),
        Some(Section::Part(p)) => (section(raw, &part_numbers(p), &SectionText::Whole), join(&part_numbers(p))),
        Some(Section::Header(p)) => (
            section(raw, &p.as_ref().map(part_numbers).unwrap_or_default(), &SectionText::Header),
            format!("{}HEADER", prefix(p)),
        ),
        Some(Section::Text(p)) => (
            section(raw, &p.as_ref().map(part_numbers).unwrap_or_default(), &SectionText::Text),
            format!("{}TEXT", prefix(p)),
        ),
        Some(Section::Mime(p)) => {
            (section(raw, &part_numbers(p), &SectionText::Mime), format!("{}.MIME", join(&part_numbers(p))))
        }
        Some(Section::HeaderFields(p, list)) => {
            let names = fields(list.as_ref());
            (
                section(
                    raw,
                    &p.as_ref().map(part_numbers).unwrap_or_default(),
                    &SectionText::HeaderFields(names.clone()),
                ),
                format!("{}HEADER.FIELDS ({})", prefix(p), names.join(" ").to_ascii_uppercase()),
            )
        }
        Some(Section::HeaderFieldsNot(p, list)) => {
            let names = fields(list.as_ref());
            (
                section(
                    raw,
                    &p.as_ref().map(part_numbers).unwrap_or_default(),
                    &SectionText::HeaderFieldsNot(names.clone()),
                ),
                format!("{}HEADER.FIELDS.NOT ({})", prefix(p), names.join(" ").to_ascii_uppercase()),
            )
        }
    }
}

/// BINARY: the part's content with its transfer encoding undone (RFC 3516).
/// `BINARY[]` is the whole message as stored: its header still names the
/// encoding its body is in, so the two never disagree. `Err` names an encoding
/// this server cannot undo (RFC 3516 section 4.3: the answer is NO [UNKNOWN-CTE]).
fn binary(raw: &[u8], part: &[u32]) -> Result<Option<Vec<u8>>, String> {
    if part.is_empty() {
        return Ok(Some(raw.to_vec()));
    }
    let view = mail_lab_message::MessageView::parse(raw, &mail_lab_message::Utf8Only);
    let wanted = join(part);
    let Some(p) = view.parts().iter().find(|p| p.section == wanted) else { return Ok(None) };
    let Some(body) = raw.get(p.body_range.clone()) else { return Ok(None) };
    Ok(match &*p.transfer_encoding {
        "base64" => decode_base64(body),
        "quoted-printable" => Some(decode_quoted_printable(body, false)),
        "7bit" | "8bit" | "binary" => Some(body.to_vec()),
        other => return Err(other.to_string()),
    })
}

fn partial(bytes: Vec<u8>, range: Option<(u32, std::num::NonZeroU32)>) -> (Vec<u8>, String) {
    match range {
        None => (bytes, String::new()),
        Some((start, len)) => {
            let start = start as usize;
            let end = start.saturating_add(len.get() as usize).min(bytes.len());
            let slice = if start >= bytes.len() { Vec::new() } else { bytes[start..end].to_vec() };
            (slice, format!("<{start}>"))
        }
    }
}

/// Most messages, and octets of answer, one slice of a FETCH covers before the
/// session lets the others run: a FETCH of a huge folder never holds the world
/// (or memory) for the whole folder at once.
pub const SLICE_MESSAGES: usize = 500;
pub const SLICE_OCTETS: usize = 256 * 1024;

/// Why a FETCH ended before its last message.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// A BINARY item met a transfer encoding it cannot undo (RFC 3516 §4.3).
    UnknownCte(String),
    /// One message's answer outgrew [`answer_limit`], or its items × its size [`READING_BUDGET`].
    TooLarge,
}

/// Each item that reads a message parses it again: items × the message's size
/// may be at most this. Thunderbird asks for every part of a message in one
/// FETCH (40 parts of 1 MB pass); 300 of a 16 MB message do not.
pub const READING_BUDGET: usize = 64 << 20;

/// Whether `item` reads the message (its text or structure), not only what the store keeps.
pub fn reads_message(item: &MessageDataItemName<'_>) -> bool {
    !matches!(
        item,
        MessageDataItemName::Uid
            | MessageDataItemName::Flags
            | MessageDataItemName::Rfc822Size
            | MessageDataItemName::InternalDate
    )
}

/// The most octets one message's FETCH answer may carry: twice the message
/// (BODY[] and RFC822 together, say) and some, not hundreds of copies of it
/// (`BODY.PEEK[]<0.n> BODY.PEEK[]<1.n> ...`).
pub fn answer_limit(size: usize) -> usize {
    size.saturating_mul(2).saturating_add(64 * 1024)
}

/// The FETCH responses for the first of `indices` (0-based) of the selected
/// mailbox, up to a slice's limits; how many of `indices` they cover; and the
/// transfer encoding a BINARY item could not undo, which ends the FETCH there
/// (that message gets no response and is not marked \Seen). `missing` is set
/// when one of them is no longer in the store (expunged by another session).
pub fn run(
    store: &mut Store,
    account: &str,
    mailbox: &Selected,
    indices: &[usize],
    items: &MacroOrMessageDataItemNames<'_>,
    uid: bool,
    missing: &mut bool,
) -> (Vec<u8>, usize, Option<Stop>) {
    let mut wanted = names(items);
    if uid && !wanted.contains(&MessageDataItemName::Uid) {
        wanted.insert(0, MessageDataItemName::Uid);
    }
    let reading = wanted.iter().filter(|i| reads_message(i)).count();
    let mut out = Vec::new();
    let mut covered = 0;
    for &i in indices {
        if covered == SLICE_MESSAGES || out.len() >= SLICE_OCTETS {
            break;
        }
        covered += 1;
        let msg_uid = mailbox.uids[i];
        // Read in place, not copied: the borrow ends before \Seen is stored.
        let Some(message) = store.folder(account, &mailbox.name).and_then(|f| f.message(msg_uid)) else {
            *missing = true;
            continue;
        };
        let raw = &message.raw;
        if reading.saturating_mul(raw.len()) > READING_BUDGET {
            return (out, covered - 1, Some(Stop::TooLarge));
        }
        let before = message.flags.clone();
        let mut flags = before.clone();
        let mut parts: Vec<Vec<u8>> = Vec::new();
        let mut sets_seen = false;
        let mut octets = 0usize;
        for item in &wanted {
            let piece: Vec<u8> = match item {
                MessageDataItemName::Uid => format!("UID {msg_uid}").into_bytes(),
                MessageDataItemName::Flags => Vec::new(), // written last, after \Seen may be set
                MessageDataItemName::Rfc822Size => format!("RFC822.SIZE {}", raw.len()).into_bytes(),
                MessageDataItemName::InternalDate => {
                    format!("INTERNALDATE {}", internal_date(message.internal_date)).into_bytes()
                }
                MessageDataItemName::Envelope => format!("ENVELOPE {}", envelope(raw)).into_bytes(),
                MessageDataItemName::BodyStructure => {
                    format!("BODYSTRUCTURE {}", body_structure(raw, true)).into_bytes()
                }
                MessageDataItemName::Body => format!("BODY {}", body_structure(raw, false)).into_bytes(),
                MessageDataItemName::BodyExt { section, partial: range, peek } => {
                    sets_seen |= !peek;
                    let (bytes, spec) = body_section(raw, section.as_ref());
                    let (bytes, origin) = partial(bytes.unwrap_or_default(), *range);
                    let mut p = format!("BODY[{spec}]{origin} ").into_bytes();
                    p.extend(literal(&bytes));
                    p
                }
                MessageDataItemName::Rfc822 => {
                    sets_seen = true;
                    let mut p = b"RFC822 ".to_vec();
                    p.extend(literal(raw));
                    p
                }
                MessageDataItemName::Rfc822Header => {
                    let mut p = b"RFC822.HEADER ".to_vec();
                    p.extend(literal(&section(raw, &[], &SectionText::Header).unwrap_or_default()));
                    p
                }
                MessageDataItemName::Rfc822Text => {
                    sets_seen = true;
                    let mut p = b"RFC822.TEXT ".to_vec();
                    p.extend(literal(&section(raw, &[], &SectionText::Text).unwrap_or_default()));
                    p
                }
                MessageDataItemName::Binary { section, partial: range, peek } => {
                    let numbers: Vec<u32> = section.iter().map(|n| n.get()).collect();
                    let decoded = match binary(raw, &numbers) {
                        Ok(decoded) => decoded,
                        Err(cte) => return (out, covered - 1, Some(Stop::UnknownCte(cte))),
                    };
                    sets_seen |= !peek;
                    let (bytes, origin) = partial(decoded.unwrap_or_default(), *range);
                    let mut p = format!("BINARY[{}]{origin} ~", join(&numbers)).into_bytes();
                    p.extend(literal(&bytes));
                    p
                }
                MessageDataItemName::BinarySize { section } => {
                    let numbers: Vec<u32> = section.iter().map(|n| n.get()).collect();
                    let size = match binary(raw, &numbers) {
                        Ok(decoded) => decoded.map_or(0, |b| b.len()),
                        Err(cte) => return (out, covered - 1, Some(Stop::UnknownCte(cte))),
                    };
                    format!("BINARY.SIZE[{}] {size}", join(&numbers)).into_bytes()
                }
            };
            if !piece.is_empty() {
                octets += piece.len();
                if octets > answer_limit(raw.len()) {
                    return (out, covered - 1, Some(Stop::TooLarge));
                }
                parts.push(piece);
            }
        }
        if sets_seen && !mailbox.read_only && !flags.contains(&Flag::Seen) {
            flags.insert(Flag::Seen);
            let _ = store.set_flags(account, &mailbox.name, msg_uid, flags.clone());
        }
        // FLAGS are sent when asked, or when a body fetch just set \Seen.
        if wanted.contains(&MessageDataItemName::Flags) || (sets_seen && flags != before) {
            parts.push(format!("FLAGS {}", flag_list(&flags, mailbox.shows_recent(msg_uid))).into_bytes());
        }
        out.extend(format!("* {} FETCH (", i + 1).into_bytes());
        for (n, p) in parts.iter().enumerate() {
            if n > 0 {
                out.push(b' ');
            }
            out.extend_from_slice(p);
        }
        out.extend_from_slice(b")\r\n");
    }
    (out, covered, None)
}
