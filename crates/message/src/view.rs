//! The lab's view of a whole message: header fields, decoded subject and
//! addresses, the MIME tree with IMAP section numbers and exact byte ranges,
//! decoded bodies, the Received trace and diagnostics that teach. Built on
//! mail-parser; it never fails, however broken the input.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::ops::Range;

use mail_parser::{HeaderName, Message, MessagePart, PartType};

use crate::address::{AddressItem, address_list};
use crate::charset::{CharsetDecoder, decode_builtin};
use crate::header::{HeaderField, header_fields};
use crate::parse::{MAX_MIME_DEPTH, Parsed};
use crate::transfer::{decode_base64, decode_header_value, decode_quoted_printable};

/// A name and an address from From/To/Cc/….
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub name: Option<String>,
    pub address: Option<String>,
}

/// What a body part holds, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// text/* other than HTML, decoded to Unicode.
    Text(String),
    /// text/html, decoded; show only in a sandbox.
    Html(String),
    /// Anything else, transfer-decoded.
    Binary(Vec<u8>),
    /// multipart/*: the children follow in `parts`.
    Multipart,
    /// message/rfc822: the encapsulated message's parts follow in `parts`.
    Message,
}

/// One MIME part, with its IMAP section number (RFC 9051 §6.4.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// `1`, `1.2`, `2.1.3`; empty for a message's root multipart container,
    /// which IMAP addresses as the message's TEXT.
    pub section: Cow<'static, str>,
    pub depth: usize,
    /// `type/subtype`, lower case; `text/plain` when absent (RFC 2045 §5.2).
    pub content_type: Cow<'static, str>,
    pub charset: Option<Cow<'static, str>>,
    /// `7bit`, `8bit`, `binary`, `base64`, `quoted-printable`.
    pub transfer_encoding: Cow<'static, str>,
    pub disposition: Option<Cow<'static, str>>,
    pub filename: Option<String>,
    /// Where the part's header is in the raw message.
    pub header: Range<usize>,
    /// Where the part's body is in the raw message (still transfer-encoded).
    pub body_range: Range<usize>,
    pub kind: PartKind,
    /// Position in depth-first order (the index in [`MessageView::parts`]).
    pub ordinal: usize,
}

/// One `Received:` hop (RFC 5321 §4.4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hop {
    pub from: Option<String>,
    pub by: Option<String>,
    pub with: Option<String>,
    pub id: Option<String>,
    pub for_: Option<String>,
    pub date: Option<String>,
}

/// What kind of problem a diagnostic reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    MissingDate,
    MissingFrom,
    MissingMessageId,
    EightBitWithoutMime,
    LineTooLong,
    BadEncodedWord,
    UnknownCharset,
    NoHeaderBodySeparator,
    BadTransferEncoding,
    TooDeeplyNested,
}

/// A problem in the message, where it is, and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub problem: Problem,
    /// Byte offset in the raw message, when it has one place.
    pub offset: Option<usize>,
    pub detail: String,
}

impl Diagnostic {
    /// What the problem means, in English and Japanese.
    pub fn explain(&self) -> mail_lab_proto::Explanation {
        use mail_lab_proto::Explanation as E;
        match self.problem {
            Problem::MissingDate => E {
                en: "No Date: field; RFC 5322 §3.6 requires one.",
                ja: "Date: フィールドがありません（RFC 5322 §3.6 で必須）。",
            },
            Problem::MissingFrom => E {
                en: "No From: field; RFC 5322 §3.6 requires one.",
                ja: "From: フィールドがありません（RFC 5322 §3.6 で必須）。",
            },
            Problem::MissingMessageId => E {
                en: "No Message-ID: field; every message should have one (RFC 5322 §3.6.4).",
                ja: "Message-ID: がありません（RFC 5322 §3.6.4 で推奨）。",
            },
            Problem::EightBitWithoutMime => E {
                en: "8-bit bytes but no MIME charset: readers must guess the encoding.",
                ja: "8 ビットのバイトがあるのに MIME の charset 指定がありません。受信側は文字コードを推測するしかありません。",
            },
            Problem::LineTooLong => E {
                en: "A line longer than 998 octets (RFC 5322 §2.1.1).",
                ja: "998 オクテットを超える行があります（RFC 5322 §2.1.1）。",
            },
            Problem::BadEncodedWord => E {
                en: "An RFC 2047 encoded word that cannot be decoded.",
                ja: "デコードできない RFC 2047 のエンコードワードがあります。",
            },
            Problem::UnknownCharset => E {
                en: "A charset this reader does not know; the text may look garbled.",
                ja: "このラボが対応していない文字コードです。文字化けしているかもしれません。",
            },
            Problem::NoHeaderBodySeparator => E {
                en: "No empty line between header and body: everything is read as header.",
                ja: "ヘッダと本文の間に空行がありません。すべてがヘッダとして読まれます。",
            },
            Problem::TooDeeplyNested => E {
                en: "MIME parts nested more than 100 deep: the innermost ones are shown as one part.",
                ja: "MIME パートの入れ子が 100 段を超えています。奥のパートはまとめて 1 つのパートとして表示します。",
            },
            Problem::BadTransferEncoding => E {
                en: "The Content-Transfer-Encoding could not be decoded; the raw bytes are shown.",
                ja: "Content-Transfer-Encoding をデコードできませんでした。生のバイトを表示します。",
            },
        }
    }
}

/// What a part holds, before its body is decoded (see [`MessageView::body`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    Text,
    Html,
    Binary,
    Multipart,
    Message,
}

/// Everything the lab shows about one message, worked out on demand.
///
/// Parsing costs mail-parser's parse and nothing more. The part table
/// (sections, types, byte ranges), header fields, decoded values, the trace,
/// decoded bodies and diagnostics are each worked out when first asked for
/// (and kept), so a reader pays only for what it reads: a SEARCH on one
/// header never decodes a body. `benches/parse.rs` measures each layer.
pub struct MessageView<'a> {
    raw: &'a [u8],
    charsets: &'a dyn CharsetDecoder,
    /// mail-parser's reading, made on first need: the header alone (trace,
    /// header fields) never pays for the body.
    parsed: OnceCell<Parsed<'a>>,
    parts: OnceCell<Vec<Part>>,
    headers: OnceCell<Vec<HeaderField>>,
    decoded_headers: OnceCell<Vec<(String, String)>>,
    diagnostics: OnceCell<Vec<Diagnostic>>,
}

impl std::fmt::Debug for MessageView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageView")
            .field("size", &self.raw.len())
            .field("parts", &self.parts())
            .finish_non_exhaustive()
    }
}

/// Every `<id-left@id-right>` in a field's value, in order, without the brackets.
pub fn msg_ids(value: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else { break };
        let id: String = rest[open + 1..open + close].chars().filter(|c| !c.is_whitespace()).collect();
        if id.contains('@') {
            ids.push(id);
        }
        rest = &rest[open + close + 1..];
    }
    ids
}

/// The tokens of a Received value: `from`, `by`, `with`, `id`, `for`, then `; date`.
fn parse_received(value: &str) -> Hop {
    let (clauses, date) = match value.rsplit_once(';') {
        Some((c, d)) => (c, Some(d.trim().to_string())),
        None => (value, None),
    };
    // Drop comments in parentheses: they hold TCP-info, not clauses.
    let mut plain = String::new();
    let mut depth = 0usize;
    for c in clauses.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let words: Vec<&str> = plain.split_whitespace().collect();
    let mut hop = Hop { date, ..Hop::default() };
    for pair in words.windows(2) {
        let value = Some(pair[1].trim_matches(|c| c == '<' || c == '>').to_string());
        match pair[0].to_ascii_lowercase().as_str() {
            "from" if hop.from.is_none() => hop.from = value,
            "by" if hop.by.is_none() => hop.by = value,
            "with" if hop.with.is_none() => hop.with = value,
            "id" if hop.id.is_none() => hop.id = value,
            "for" if hop.for_.is_none() => hop.for_ = value,
            _ => {}
        }
    }
    hop
}

/// Section `n` under `prefix`; the first top-level sections are static strings.
fn join(prefix: &str, n: usize) -> Cow<'static, str> {
    const TOP: [&str; 9] = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];
    match (prefix.is_empty(), TOP.get(n.wrapping_sub(1))) {
        (true, Some(top)) => Cow::Borrowed(top),
        (true, None) => Cow::Owned(n.to_string()),
        (false, _) => Cow::Owned(format!("{prefix}.{n}")),
    }
}

/// How parts are visited: with their section numbers, or only in order.
#[derive(Clone, Copy)]
enum Sections {
    Named,
    Unnamed,
}

impl Sections {
    fn join(self, prefix: &str, n: usize) -> Cow<'static, str> {
        match self {
            Sections::Named => join(prefix, n),
            Sections::Unnamed => Cow::Borrowed(""),
        }
    }
}

/// Visits the parts of `message` depth first, with their IMAP section numbers:
/// a multipart container has none of its own (RFC 9051 §6.4.5), and the parts
/// of an encapsulated message/rfc822 number under the part that holds it.
fn walk<'m, 'x, F: FnMut(&'m MessagePart<'x>, Cow<'static, str>, usize)>(
    message: &'m Message<'x>,
    prefix: &str,
    depth: usize,
    sections: Sections,
    visit: &mut F,
) {
    let Some(root) = message.parts.first() else { return };
    if let PartType::Multipart(children) = &root.body {
        visit(root, Cow::Borrowed(""), depth);
        for (i, &child) in children.iter().enumerate() {
            walk_part(message, child as usize, sections.join(prefix, i + 1), depth + 1, sections, visit);
        }
    } else {
        walk_part(message, 0, sections.join(prefix, 1), depth, sections, visit);
    }
}

fn walk_part<'m, 'x, F: FnMut(&'m MessagePart<'x>, Cow<'static, str>, usize)>(
    message: &'m Message<'x>,
    index: usize,
    section: Cow<'static, str>,
    depth: usize,
    sections: Sections,
    visit: &mut F,
) {
    let Some(p) = message.parts.get(index) else { return };
    match &p.body {
        // Deeper than this, a container is one opaque part (its children are not walked).
        _ if depth >= MAX_MIME_DEPTH => visit(p, section, depth),
        PartType::Multipart(children) if index != 0 => {
            visit(p, section.clone(), depth);
            for (i, &child) in children.iter().enumerate() {
                walk_part(message, child as usize, sections.join(&section, i + 1), depth + 1, sections, visit);
            }
        }
        PartType::Message(inner) => {
            visit(p, section.clone(), depth);
            walk(inner, &section, depth + 1, sections, visit);
        }
        _ => visit(p, section, depth),
    }
}

/// Lower case; the common values are static strings, so they cost no allocation.
fn lower(value: &str) -> Cow<'static, str> {
    const KNOWN: [&str; 7] = ["7bit", "8bit", "binary", "base64", "quoted-printable", "inline", "attachment"];
    match KNOWN.iter().find(|k| k.eq_ignore_ascii_case(value)) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(value.to_ascii_lowercase()),
    }
}

/// The values most parts carry, so the part table costs no allocation for them.
const COMMON_TYPES: [&str; 12] = [
    "text/plain",
    "text/html",
    "multipart/mixed",
    "multipart/alternative",
    "multipart/related",
    "multipart/digest",
    "message/rfc822",
    "application/octet-stream",
    "application/pdf",
    "image/png",
    "image/jpeg",
    "message/delivery-status",
];

fn content_type_of(ct: &mail_parser::ContentType<'_>) -> Cow<'static, str> {
    let (ctype, subtype) = (ct.ctype(), ct.subtype().unwrap_or("plain"));
    let common = COMMON_TYPES.iter().find(|t| {
        t.len() == ctype.len() + 1 + subtype.len()
            && t[..ctype.len()].eq_ignore_ascii_case(ctype)
            && t[ctype.len() + 1..].eq_ignore_ascii_case(subtype)
    });
    match common {
        Some(t) => Cow::Borrowed(t),
        None => Cow::Owned(format!("{ctype}/{subtype}").to_ascii_lowercase()),
    }
}

/// A charset name as written; the common spellings are static strings.
fn charset_of(name: &str) -> Cow<'static, str> {
    const COMMON: [&str; 10] = [
        "utf-8",
        "UTF-8",
        "us-ascii",
        "US-ASCII",
        "iso-2022-jp",
        "ISO-2022-JP",
        "iso-8859-1",
        "ISO-8859-1",
        "Shift_JIS",
        "EUC-JP",
    ];
    match COMMON.iter().find(|c| **c == name) {
        Some(c) => Cow::Borrowed(c),
        None => Cow::Owned(name.to_string()),
    }
}

fn part_of(p: &MessagePart<'_>, section: Cow<'static, str>, depth: usize, ordinal: usize, size: usize) -> Part {
    // One pass over the part's fields; the last of a repeated field wins, as in mail-parser.
    let (mut ct, mut cte, mut cd) = (None, None, None);
    for h in &p.headers {
        match h.name {
            HeaderName::ContentType => ct = h.value.as_content_type(),
            HeaderName::ContentTransferEncoding => cte = h.value.as_text(),
            HeaderName::ContentDisposition => cd = h.value.as_content_type(),
            _ => {}
        }
    }
    let content_type = match ct {
        Some(ct) => content_type_of(ct),
        // Inside multipart/digest the default is message/rfc822 (RFC 2046 §5.1.5).
        None if matches!(p.body, PartType::Message(_)) => Cow::Borrowed("message/rfc822"),
        None => Cow::Borrowed("text/plain"),
    };
    let kind = match &p.body {
        PartType::Multipart(_) => PartKind::Multipart,
        PartType::Message(_) => PartKind::Message,
        PartType::Text(_) => PartKind::Text,
        PartType::Html(_) => PartKind::Html,
        PartType::Binary(_) | PartType::InlineBinary(_) => PartKind::Binary,
    };
    let filename = cd.and_then(|cd| cd.attribute("filename")).or_else(|| ct.and_then(|ct| ct.attribute("name")));
    Part {
        section,
        depth,
        content_type,
        charset: ct.and_then(|ct| ct.attribute("charset")).map(charset_of),
        transfer_encoding: lower(cte.unwrap_or("7bit")),
        disposition: cd.map(|d| lower(d.ctype())),
        filename: filename.map(str::to_string),
        header: p.offset_header as usize..p.offset_body as usize,
        body_range: p.offset_body as usize..(p.offset_end as usize).min(size),
        kind,
        ordinal,
    }
}

impl<'a> MessageView<'a> {
    /// Read `raw` (CRLF or LF line endings). Never fails: a message too broken
    /// to have any structure still yields its header fields and diagnostics.
    pub fn parse(raw: &'a [u8], charsets: &'a dyn CharsetDecoder) -> MessageView<'a> {
        MessageView {
            raw,
            charsets,
            parsed: OnceCell::new(),
            parts: OnceCell::new(),
            headers: OnceCell::new(),
            decoded_headers: OnceCell::new(),
            diagnostics: OnceCell::new(),
        }
    }

    fn parsed(&self) -> &Parsed<'a> {
        self.parsed.get_or_init(|| Parsed::new(self.raw))
    }

    /// The message's size in octets (RFC822.SIZE).
    pub fn size(&self) -> usize {
        self.raw.len()
    }

    /// The header fields as they stand, unfolded, with their byte offsets.
    pub fn headers(&self) -> &[HeaderField] {
        self.headers.get_or_init(|| header_fields(self.raw))
    }

    fn field(&self, name: &str) -> Option<&HeaderField> {
        self.headers().iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    fn value(&self, name: &str) -> Option<String> {
        self.field(name).map(|f| f.value.clone())
    }

    /// Every header field with its RFC 2047 words decoded through the caller's
    /// charsets, in order: what a reader is shown.
    pub fn decoded_headers(&self) -> &[(String, String)] {
        self.decoded_headers.get_or_init(|| {
            self.headers().iter().map(|f| (f.name.clone(), decode_header_value(&f.value, self.charsets).0)).collect()
        })
    }

    /// The first header field named `name`, decoded.
    pub fn decoded(&self, name: &str) -> Option<&str> {
        self.decoded_headers().iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The subject, decoded.
    pub fn subject(&self) -> Option<&str> {
        self.decoded("Subject")
    }

    /// The mailboxes of the first field named `name`, groups flattened. Display
    /// names are decoded through the caller's charsets, as the Subject is, so
    /// `=?ISO-2022-JP?B?…?=` reads right in the page too.
    fn addresses(&self, name: &str) -> Vec<Address> {
        let Some(field) = self.field(name) else { return Vec::new() };
        address_list(&field.value)
            .into_iter()
            .filter_map(|item| match item {
                AddressItem::Mailbox { name, local, domain } => Some(Address {
                    name: name.map(|n| decode_header_value(&n, self.charsets).0),
                    address: match (local, domain) {
                        (Some(local), Some(domain)) => Some(format!("{local}@{domain}")),
                        (local, None) => local,
                        (None, Some(domain)) => Some(format!("@{domain}")),
                    },
                }),
                AddressItem::GroupStart(_) | AddressItem::GroupEnd => None,
            })
            .collect()
    }

    pub fn from(&self) -> Vec<Address> {
        self.addresses("From")
    }

    pub fn sender(&self) -> Vec<Address> {
        self.addresses("Sender")
    }

    pub fn reply_to(&self) -> Vec<Address> {
        self.addresses("Reply-To")
    }

    pub fn to(&self) -> Vec<Address> {
        self.addresses("To")
    }

    pub fn cc(&self) -> Vec<Address> {
        self.addresses("Cc")
    }

    pub fn bcc(&self) -> Vec<Address> {
        self.addresses("Bcc")
    }

    /// `Date:` as written.
    pub fn date(&self) -> Option<String> {
        self.value("Date")
    }

    /// The day of `Date:` as written there (year, month, day), when it reads as a date.
    pub fn sent_day(&self) -> Option<(u16, u8, u8)> {
        let date = self.parsed().message()?.date()?;
        Some((date.year, date.month, date.day))
    }

    pub fn message_id(&self) -> Option<String> {
        self.value("Message-ID")
    }

    pub fn in_reply_to(&self) -> Option<String> {
        self.value("In-Reply-To")
    }

    /// The message ids a reply names, oldest first: `References:` (RFC 5322
    /// §3.6.4), or `In-Reply-To:` when there is no `References:`. Threads are
    /// built from these.
    pub fn references(&self) -> Vec<String> {
        msg_ids(self.field("References").or_else(|| self.field("In-Reply-To")).map_or("", |f| &f.value))
    }

    pub fn return_path(&self) -> Option<String> {
        self.value("Return-Path")
    }

    /// Every header field of the message and of its MIME parts, as written
    /// (names too), one per line: what IMAP's SEARCH TEXT reads besides the
    /// decoded text (RFC 9051 §6.4.4: "including MIME header fields"). A message
    /// mail-parser cannot read is read whole.
    pub fn header_text(&self) -> String {
        fn collect(message: &Message<'_>, depth: usize, out: &mut String) {
            for part in &message.parts {
                for h in &part.headers {
                    let field = message.raw_message.get(h.offset_field as usize..h.offset_end as usize);
                    out.push_str(&String::from_utf8_lossy(field.unwrap_or_default()));
                }
                if let PartType::Message(inner) = &part.body
                    && depth < MAX_MIME_DEPTH
                {
                    collect(inner, depth + 1, out);
                }
            }
        }
        let mut out = String::new();
        match self.parsed().message() {
            Some(m) => collect(m, 0, &mut out),
            None => out.push_str(&String::from_utf8_lossy(self.raw)),
        }
        out
    }

    /// Received hops, newest first (as they stand in the header).
    pub fn trace(&self) -> Vec<Hop> {
        self.headers()
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("Received"))
            .map(|f| parse_received(&f.value))
            .collect()
    }

    /// MIME parts in depth-first order.
    pub fn parts(&self) -> &[Part] {
        self.parts.get_or_init(|| {
            let mut parts = Vec::with_capacity(self.parsed().message().map_or(0, |m| m.parts.len()));
            if let Some(m) = self.parsed().message() {
                walk(m, "", 0, Sections::Named, &mut |p, section, depth| {
                    let ordinal = parts.len();
                    parts.push(part_of(p, section, depth, ordinal, self.raw.len()));
                });
            }
            parts
        })
    }

    /// The part with this IMAP section number.
    pub fn part(&self, section: &str) -> Option<&Part> {
        self.parts().iter().find(|p| p.section == section)
    }

    /// A part's body, decoded.
    pub fn body(&self, part: &Part) -> Body {
        self.decode_body(part).0
    }

    /// The first text/plain body, else the first text/html, decoded.
    pub fn text_body(&self) -> Option<String> {
        [PartKind::Text, PartKind::Html].into_iter().find_map(|kind| {
            self.parts().iter().find(|p| p.kind == kind).map(|p| match self.body(p) {
                Body::Text(t) | Body::Html(t) => t,
                _ => String::new(),
            })
        })
    }

    /// Every part beside mail-parser's part it was read from, in order: one
    /// walk, so work over all parts stays linear in their number.
    fn each_source(&self, visit: &mut dyn FnMut(&MessagePart<'a>, &Part)) {
        let parts = self.parts();
        let mut n = 0;
        if let Some(m) = self.parsed().message() {
            // In order without naming sections: nothing is allocated.
            walk(m, "", 0, Sections::Unnamed, &mut |source, _, _| {
                if let Some(part) = parts.get(n) {
                    visit(source, part);
                }
                n += 1;
            });
        }
    }

    /// Every part's body, decoded, in the order of [`MessageView::parts`].
    pub fn bodies(&self) -> Vec<Body> {
        let mut bodies = Vec::with_capacity(self.parts().len());
        self.each_source(&mut |source, part| bodies.push(self.decode(source, part).0));
        bodies
    }

    fn decode_body(&self, part: &Part) -> (Body, Vec<Diagnostic>) {
        let mut found = None;
        self.each_source(&mut |source, p| {
            if p.ordinal == part.ordinal {
                found = Some(self.decode(source, p));
            }
        });
        found.unwrap_or((Body::Binary(Vec::new()), Vec::new()))
    }

    fn decode(&self, source: &MessagePart<'a>, part: &Part) -> (Body, Vec<Diagnostic>) {
        match &source.body {
            PartType::Multipart(_) => (Body::Multipart, Vec::new()),
            PartType::Message(_) => (Body::Message, Vec::new()),
            PartType::Text(text) | PartType::Html(text) => {
                let (decoded, problem) = self.text(text, part);
                let body = if part.kind == PartKind::Html { Body::Html(decoded) } else { Body::Text(decoded) };
                (body, problem)
            }
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => (Body::Binary(bytes.to_vec()), Vec::new()),
        }
    }

    /// Text decoded with the caller's charsets when mail-parser's own decoding
    /// (UTF-8 and single-byte charsets) is not enough.
    fn text(&self, parsed: &str, part: &Part) -> (String, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        let Some(charset) = part.charset.as_deref() else { return (parsed.to_string(), problems) };
        if decode_builtin(charset, b"").is_some() {
            return (parsed.to_string(), problems);
        }
        let (bytes, problem) = self.transfer_decoded(part);
        problems.extend(problem);
        match self.charsets.decode(charset, &bytes) {
            Some(text) => (text, problems),
            None => {
                problems.push(Diagnostic {
                    problem: Problem::UnknownCharset,
                    offset: Some(part.body_range.start),
                    detail: format!("charset {charset}"),
                });
                (parsed.to_string(), problems)
            }
        }
    }

    /// A part's body with its transfer encoding undone (base64,
    /// quoted-printable): the octets a charset is applied to.
    pub fn transfer_decoded(&self, part: &Part) -> (Vec<u8>, Option<Diagnostic>) {
        let range = part.body_range.clone();
        let raw = self.raw.get(range.clone()).unwrap_or_default();
        match &*part.transfer_encoding {
            "base64" => match decode_base64(raw) {
                Some(bytes) => (bytes, None),
                None => {
                    let problem = Diagnostic {
                        problem: Problem::BadTransferEncoding,
                        offset: Some(range.start),
                        detail: "base64".into(),
                    };
                    (raw.to_vec(), Some(problem))
                }
            },
            "quoted-printable" => (decode_quoted_printable(raw, false), None),
            _ => (raw.to_vec(), None),
        }
    }

    /// A part's text read with `charset` instead of the charset it is
    /// labelled with: what a reader who picks another charset sees. The
    /// message is unchanged; `None` when no decoder knows `charset`.
    pub fn text_as(&self, part: &Part, charset: &str) -> Option<String> {
        let bytes = self.transfer_decoded(part).0;
        decode_builtin(charset, &bytes).or_else(|| self.charsets.decode(charset, &bytes))
    }

    /// What is wrong with the message, in order: encoded words in the
    /// subject, undecodable bodies, then the header and line checks.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        self.diagnostics.get_or_init(|| {
            let mut found = Vec::new();
            if let Some(f) = self.field("Subject") {
                for p in decode_header_value(&f.value, self.charsets).1 {
                    found.push(Diagnostic {
                        problem: Problem::BadEncodedWord,
                        offset: Some(f.offset),
                        detail: format!("{}: {} ({})", f.name, p.word, p.why),
                    });
                }
            }
            self.each_source(&mut |source, part| {
                if matches!(part.kind, PartKind::Text | PartKind::Html) {
                    found.extend(self.decode(source, part).1);
                }
            });
            if let Some(p) = self
                .parts()
                .iter()
                .find(|p| p.depth >= MAX_MIME_DEPTH && matches!(p.kind, PartKind::Multipart | PartKind::Message))
            {
                found.push(Diagnostic {
                    problem: Problem::TooDeeplyNested,
                    offset: Some(p.header.start),
                    detail: format!("section {}", p.section),
                });
            }
            self.check(&mut found);
            found
        })
    }

    fn check(&self, found: &mut Vec<Diagnostic>) {
        let raw = self.raw;
        let headers = self.headers();
        let has = |name: &str| headers.iter().any(|f| f.name.eq_ignore_ascii_case(name));
        for (problem, name) in
            [(Problem::MissingDate, "Date"), (Problem::MissingFrom, "From"), (Problem::MissingMessageId, "Message-ID")]
        {
            if !has(name) {
                // The explanation names the field: nothing to add.
                found.push(Diagnostic { problem, offset: None, detail: String::new() });
            }
        }
        let header_end = headers.last().map_or(0, |f| f.offset + f.len);
        let rest = &raw[header_end.min(raw.len())..];
        if !(raw.is_empty() || rest.starts_with(b"\r\n") || rest.starts_with(b"\n")) {
            found.push(Diagnostic {
                problem: Problem::NoHeaderBodySeparator,
                offset: Some(header_end),
                // The explanation says it; the page shows where (the offset).
                detail: String::new(),
            });
        }
        let mime = has("MIME-Version") || has("Content-Type");
        if !mime && let Some(pos) = raw.iter().position(|&b| b >= 0x80) {
            found.push(Diagnostic { problem: Problem::EightBitWithoutMime, offset: Some(pos), detail: String::new() });
        }
        let mut start = 0;
        for line in raw.split(|&b| b == b'\n') {
            let len = line.strip_suffix(b"\r").unwrap_or(line).len();
            if len > 998 {
                found.push(Diagnostic {
                    problem: Problem::LineTooLong,
                    offset: Some(start),
                    detail: format!("{len} octets"),
                });
            }
            start += line.len() + 1;
        }
    }
}
