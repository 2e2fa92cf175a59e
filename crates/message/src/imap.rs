//! What IMAP FETCH answers about a message (RFC 9051 §7.5.2, RFC 3501 §7.4.2):
//! ENVELOPE, BODYSTRUCTURE and BODY, and the bytes of any section
//! (`1.2`, `HEADER`, `TEXT`, `MIME`, `HEADER.FIELDS (..)`, `HEADER.FIELDS.NOT (..)`).
//!
//! Strings are sent raw, as the message has them (encoded words stay encoded).
//! Where the RFC leaves a choice, the lab answers as Dovecot does: defaults in
//! lower case (`"text" "plain"`, `"7bit"`), values in the case the message uses.

use std::ops::Range;

use mail_parser::{HeaderValue, Message, MessagePart, MimeHeaders, PartType};

use crate::address::AddressItem;
use crate::parse::{MAX_MIME_DEPTH, Parsed};

/// An IMAP `nstring`: NIL, a quoted string, or a literal when quoting cannot carry it.
pub fn nstring(value: Option<&str>) -> String {
    match value {
        None => "NIL".to_string(),
        Some(v) => string(v),
    }
}

/// An IMAP `string`: quoted when possible, else a literal `{n}\r\n...`.
pub fn string(value: &str) -> String {
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) || !value.is_ascii() {
        format!("{{{}}}\r\n{}", value.len(), value)
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn raw_header<'a>(part: &'a MessagePart<'_>, raw: &'a [u8], name: &str) -> Option<&'a str> {
    part.headers.iter().find(|h| h.name.as_str().eq_ignore_ascii_case(name)).and_then(|h| {
        let bytes = raw.get(h.offset_start as usize..h.offset_end as usize)?;
        std::str::from_utf8(bytes).ok().map(|s| s.trim())
    })
}

fn unfold(value: &str) -> String {
    value.replace("\r\n", "").replace('\n', "")
}

/// An address list of ENVELOPE: `((name adl mailbox host) ...)` or NIL; a
/// group is `(NIL NIL "group" NIL) ... (NIL NIL NIL NIL)` (RFC 9051 §7.5.2).
/// Read from the raw header, so encoded words in names stay as they are.
fn address_list(raw: Option<&str>) -> String {
    let mut out = String::new();
    for item in crate::address::address_list(&unfold(raw.unwrap_or(""))) {
        match item {
            AddressItem::Mailbox { name, local, domain } => out.push_str(&format!(
                "({} NIL {} {})",
                nstring(name.as_deref()),
                nstring(local.as_deref()),
                nstring(domain.as_deref())
            )),
            AddressItem::GroupStart(name) => out.push_str(&format!("(NIL NIL {} NIL)", string(&name))),
            AddressItem::GroupEnd => out.push_str("(NIL NIL NIL NIL)"),
        }
    }
    if out.is_empty() { "NIL".to_string() } else { format!("({out})") }
}

fn envelope_of(message: &Message<'_>) -> String {
    let Some(root) = message.parts.first() else {
        return "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".to_string();
    };
    let raw = message.raw_message.as_ref();
    let text = |name: &str| nstring(raw_header(root, raw, name).map(unfold).as_deref());
    let list = |name: &str| address_list(raw_header(root, raw, name));
    let from = list("From");
    // RFC 9051 §7.5.2: an absent Sender or Reply-To is answered with From.
    let or_from = |name: &str| {
        let l = list(name);
        if l == "NIL" { from.clone() } else { l }
    };
    format!(
        "({} {} {} {} {} {} {} {} {} {})",
        text("Date"),
        text("Subject"),
        from,
        or_from("Sender"),
        or_from("Reply-To"),
        list("To"),
        list("Cc"),
        list("Bcc"),
        text("In-Reply-To"),
        text("Message-ID"),
    )
}

/// ENVELOPE of a message (RFC 9051 §7.5.2).
pub fn envelope(raw: &[u8]) -> String {
    match Parsed::new(raw).message() {
        Some(m) => envelope_of(m),
        None => "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)".to_string(),
    }
}

/// BODYSTRUCTURE (`extensible`) or BODY of a message (RFC 9051 §7.5.2).
pub fn body_structure(raw: &[u8], extensible: bool) -> String {
    match Parsed::new(raw).message() {
        Some(m) => structure(m, 0, extensible, false, 0),
        None => "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)".to_string(),
    }
}

fn params(part: &MessagePart<'_>, fallback_charset: bool) -> String {
    let mut list: Vec<(String, String)> = part
        .content_type()
        .and_then(|ct| ct.attributes())
        .map(|a| a.iter().map(|a| (a.name.to_string(), a.value.to_string())).collect())
        .unwrap_or_default();
    if list.is_empty() && fallback_charset {
        list.push(("charset".into(), "us-ascii".into()));
    }
    // mail-parser hands back RFC 2231 values decoded; IMAP carries the header's
    // form, so a non-ASCII value goes back out as `name*=UTF-8''%XX` (as Dovecot shows it).
    for (name, value) in &mut list {
        if !value.is_ascii() {
            *name = format!("{name}*");
            *value = format!("UTF-8''{}", percent_encode(value));
        }
    }
    if list.is_empty() {
        return "NIL".to_string();
    }
    format!("({})", list.iter().map(|(k, v)| format!("{} {}", string(k), string(v))).collect::<Vec<_>>().join(" "))
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn disposition(part: &MessagePart<'_>) -> String {
    match part.content_disposition() {
        None => "NIL".to_string(),
        Some(d) => {
            let attrs: Vec<String> = d
                .attributes()
                .map(|a| {
                    a.iter()
                        .map(|a| match a.value.is_ascii() {
                            true => format!("{} {}", string(&a.name), string(&a.value)),
                            false => format!(
                                "{} {}",
                                string(&format!("{}*", a.name)),
                                string(&format!("UTF-8''{}", percent_encode(&a.value)))
                            ),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let attrs = if attrs.is_empty() { "NIL".to_string() } else { format!("({})", attrs.join(" ")) };
            format!("({} {})", string(d.ctype()), attrs)
        }
    }
}

fn language(part: &MessagePart<'_>) -> String {
    match part.content_language() {
        HeaderValue::Text(t) => format!("({})", string(t)),
        HeaderValue::TextList(list) => format!("({})", list.iter().map(|t| string(t)).collect::<Vec<_>>().join(" ")),
        _ => "NIL".to_string(),
    }
}

/// body-fld-lines: the line ends in the body, as Dovecot counts them (a last
/// line without CRLF, as in every part of a multipart, does not count).
fn lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// One body's structure. `in_digest`: the parent is multipart/digest, where a
/// part without Content-Type is message/rfc822 (RFC 2046 §5.1.5). A container
/// deeper than [`MAX_MIME_DEPTH`] is answered as one application/octet-stream
/// body, as the message view shows it.
fn structure(message: &Message<'_>, index: usize, extensible: bool, in_digest: bool, depth: usize) -> String {
    let raw = message.raw_message.as_ref();
    let Some(part) = message.parts.get(index) else { return "NIL".to_string() };
    // `get`: mail-parser's offsets on malformed MIME are not trusted to be in order.
    let end = (part.offset_end as usize).min(raw.len());
    let body = raw.get(part.offset_body as usize..end).unwrap_or_default();
    let ct = part.content_type();
    let digest_message = in_digest && ct.is_none();
    let opaque = depth >= MAX_MIME_DEPTH
        && (digest_message || matches!(part.body, PartType::Multipart(_) | PartType::Message(_)));
    let ctype = if opaque {
        "application"
    } else if digest_message {
        "message"
    } else {
        ct.map_or("text", |c| c.ctype())
    };
    let subtype = match (opaque, digest_message, ct) {
        (true, ..) => "octet-stream",
        (false, true, _) => "rfc822",
        (false, false, Some(c)) => c.subtype().unwrap_or(""),
        (false, false, None) => "plain",
    };
    if let PartType::Multipart(children) = &part.body
        && !opaque
    {
        let digest = subtype.eq_ignore_ascii_case("digest");
        let mut out = String::from("(");
        for &child in children {
            out.push_str(&structure(message, child as usize, extensible, digest, depth + 1));
        }
        out.push(' ');
        out.push_str(&string(subtype));
        if extensible {
            out.push_str(&format!(
                " {} {} {} {}",
                params(part, false),
                disposition(part),
                language(part),
                location(part, raw)
            ));
        }
        out.push(')');
        return out;
    }
    let id = nstring(raw_header(part, raw, "Content-ID"));
    let description = nstring(raw_header(part, raw, "Content-Description"));
    let encoding = string(part.content_transfer_encoding().unwrap_or("7bit"));
    let is_text = ctype.eq_ignore_ascii_case("text");
    let mut out = format!(
        "({} {} {} {} {} {} {}",
        string(ctype),
        string(subtype),
        if digest_message || opaque {
            "NIL".to_string()
        } else {
            params(part, is_text && ct.and_then(|c| c.attributes()).is_none())
        },
        id,
        description,
        encoding,
        body.len()
    );
    let rfc822 = ctype.eq_ignore_ascii_case("message") && subtype.eq_ignore_ascii_case("rfc822");
    match &part.body {
        _ if opaque => {}
        PartType::Message(inner) if rfc822 => {
            out.push_str(&format!(
                " {} {} {}",
                envelope_of(inner),
                structure(inner, 0, extensible, false, depth + 1),
                lines(body)
            ));
        }
        _ if rfc822 || digest_message => match Parsed::new(body).message() {
            Some(inner) => out.push_str(&format!(
                " {} {} {}",
                envelope_of(inner),
                structure(inner, 0, extensible, false, depth + 1),
                lines(body)
            )),
            // Not readable as a message (empty, say): RFC 9051 §9's body-type-msg
            // still needs an envelope and a body, so an empty envelope and the
            // octets as plain text, as Dovecot answers.
            None => out.push_str(&format!(
                " (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" {} {}{}) {}",
                body.len(),
                lines(body),
                if extensible { " NIL NIL NIL NIL" } else { "" },
                lines(body)
            )),
        },
        _ if is_text => out.push_str(&format!(" {}", lines(body))),
        _ => {}
    }
    if extensible {
        out.push_str(&format!(
            " {} {} {} {}",
            nstring(raw_header(part, raw, "Content-MD5")),
            disposition(part),
            language(part),
            location(part, raw)
        ));
    }
    out.push(')');
    out
}

fn location(part: &MessagePart<'_>, raw: &[u8]) -> String {
    nstring(raw_header(part, raw, "Content-Location"))
}

/// A FETCH section-spec (RFC 9051 §6.4.5), already split into part and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionText {
    /// The whole part (or message): `BODY[]`, `BODY[1.2]`.
    Whole,
    Header,
    Text,
    Mime,
    HeaderFields(Vec<String>),
    HeaderFieldsNot(Vec<String>),
}

/// `BODY[HEADER]`, `BODY[TEXT]` and the like of a message mail-parser could
/// not read: the header runs to the first empty line (RFC 5322 §2.1), or to
/// the end when there is none.
fn unparsed_section(raw: &[u8], text: &SectionText) -> Option<Vec<u8>> {
    let (header, body) = raw.split_at(mail_lab_proto::framing::header_len(raw));
    match text {
        SectionText::Whole => Some(raw.to_vec()),
        SectionText::Header => Some(header.to_vec()),
        SectionText::HeaderFields(names) => Some(filter_fields(header, names, true)),
        SectionText::HeaderFieldsNot(names) => Some(filter_fields(header, names, false)),
        SectionText::Text => Some(body.to_vec()),
        SectionText::Mime => None,
    }
}

/// The bytes of `BODY[part.text]`, or `None` when the part does not exist.
pub fn section(raw: &[u8], part: &[u32], text: &SectionText) -> Option<Vec<u8>> {
    if part.is_empty() && *text == SectionText::Whole {
        return Some(raw.to_vec());
    }
    let parsed = Parsed::new(raw);
    let Some(root) = parsed.message() else {
        // mail-parser finds no message (no header field at all, say): the message
        // still has a header, up to its first empty line, and a text after it.
        return part.is_empty().then(|| unparsed_section(raw, text)).flatten();
    };
    let (msg, index, is_message_root, depth) = locate(root, part)?;
    let p = msg.parts.get(index)?;
    let whole = msg.raw_message.as_ref();
    let header: Range<usize> = p.offset_header as usize..p.offset_body as usize;
    let body: Range<usize> = p.offset_body as usize..(p.offset_end as usize).min(whole.len());
    let bytes = |r: Range<usize>| whole.get(r).map(<[u8]>::to_vec);
    match text {
        SectionText::Whole if part.is_empty() => Some(raw.to_vec()),
        SectionText::Whole => bytes(body),
        SectionText::Mime if !part.is_empty() && !is_message_root => bytes(header),
        SectionText::Mime => None,
        // A message/rfc822 part at the depth limit is one opaque body, as in BODYSTRUCTURE.
        SectionText::Header | SectionText::HeaderFields(_) | SectionText::HeaderFieldsNot(_) | SectionText::Text
            if !part.is_empty() && depth >= MAX_MIME_DEPTH =>
        {
            None
        }
        // HEADER and TEXT of a part apply to a message/rfc822 part's message.
        SectionText::Header | SectionText::HeaderFields(_) | SectionText::HeaderFieldsNot(_) => {
            let (hmsg, hindex) = message_of(msg, index, part.is_empty())?;
            let hp = hmsg.parts.get(hindex)?;
            let range = hp.offset_header as usize..hp.offset_body as usize;
            let header = hmsg.raw_message.get(range)?;
            Some(match text {
                SectionText::Header => header.to_vec(),
                SectionText::HeaderFields(names) => filter_fields(header, names, true),
                _ => {
                    let SectionText::HeaderFieldsNot(names) = text else { return None };
                    filter_fields(header, names, false)
                }
            })
        }
        // TEXT of a message/rfc822 part runs from its message's body to the end of
        // the part: an epilogue after the inner message's last boundary is text too.
        SectionText::Text if !part.is_empty() => {
            let (tmsg, tindex) = message_of(msg, index, false)?;
            let tp = tmsg.parts.get(tindex)?;
            let header_len = tp.offset_body.checked_sub(tp.offset_header)? as usize;
            bytes(body)?.get(header_len..).map(<[u8]>::to_vec)
        }
        SectionText::Text => {
            let (tmsg, tindex) = message_of(msg, index, part.is_empty())?;
            let tp = tmsg.parts.get(tindex)?;
            tmsg.raw_message
                .get(tp.offset_body as usize..(tp.offset_end as usize).min(tmsg.raw_message.len()))
                .map(<[u8]>::to_vec)
        }
    }
}

/// The message whose HEADER/TEXT a section means: the top message, or the one
/// inside a message/rfc822 part.
fn message_of<'m>(msg: &'m Message<'m>, index: usize, top: bool) -> Option<(&'m Message<'m>, usize)> {
    if top {
        return Some((msg, 0));
    }
    match &msg.parts.get(index)?.body {
        PartType::Message(inner) => Some((inner, 0)),
        _ => None,
    }
}

/// Find part `numbers` (1-based, IMAP order); returns the message holding it,
/// its index there, whether it is that message's root, and its nesting depth
/// as BODYSTRUCTURE counts it (nothing below [`MAX_MIME_DEPTH`] is found).
fn locate<'m>(message: &'m Message<'m>, numbers: &[u32]) -> Option<(&'m Message<'m>, usize, bool, usize)> {
    let mut msg = message;
    let mut index = 0usize;
    let mut at_root = true;
    let mut depth = 0usize;
    for &n in numbers {
        if n == 0 {
            return None;
        }
        // Stepping below a message/rfc822 part continues at its message's root.
        if let PartType::Message(inner) = &msg.parts.get(index)?.body
            && !at_root
        {
            if depth >= MAX_MIME_DEPTH {
                return None;
            }
            msg = inner;
            index = 0;
            at_root = true;
            depth += 1;
        }
        match &msg.parts.get(index)?.body {
            PartType::Multipart(_) if depth >= MAX_MIME_DEPTH => return None,
            PartType::Multipart(children) => {
                index = *children.get(n as usize - 1)? as usize;
                at_root = false;
                depth += 1;
            }
            // Only a message's single body is its part 1 (RFC 9051 §6.4.5).
            _ if at_root && n == 1 => at_root = false,
            _ => return None,
        }
    }
    Some((msg, index, at_root, depth))
}

fn filter_fields(header: &[u8], names: &[String], keep: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for f in crate::header::header_fields(header) {
        let listed = names.iter().any(|n| n.eq_ignore_ascii_case(&f.name));
        if listed == keep {
            out.extend_from_slice(&header[f.offset..f.offset + f.len]);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}
