//! The lab's view of a whole message: header fields, decoded subject and
//! addresses, the MIME tree with IMAP section numbers and exact byte ranges,
//! decoded bodies, the Received trace and diagnostics that teach. Built on
//! mail-parser; it never fails, however broken the input.

use std::ops::Range;

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

use crate::charset::{CharsetDecoder, decode_builtin};
use crate::header::{HeaderField, header_fields};
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
    pub section: String,
    pub depth: usize,
    /// `type/subtype`, lower case; `text/plain` when absent (RFC 2045 §5.2).
    pub content_type: String,
    pub parameters: Vec<(String, String)>,
    pub charset: Option<String>,
    /// `7bit`, `8bit`, `binary`, `base64`, `quoted-printable`.
    pub transfer_encoding: String,
    pub disposition: Option<String>,
    pub filename: Option<String>,
    /// Where the part's header is in the raw message.
    pub header: Range<usize>,
    /// Where the part's body is in the raw message (still transfer-encoded).
    pub body_range: Range<usize>,
    pub body: Body,
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
                ja: "Date: フィールドがありません(RFC 5322 §3.6 で必須)。",
            },
            Problem::MissingFrom => E {
                en: "No From: field; RFC 5322 §3.6 requires one.",
                ja: "From: フィールドがありません(RFC 5322 §3.6 で必須)。",
            },
            Problem::MissingMessageId => E {
                en: "No Message-ID: field; every message should have one (RFC 5322 §3.6.4).",
                ja: "Message-ID: がありません(RFC 5322 §3.6.4 で推奨)。",
            },
            Problem::EightBitWithoutMime => E {
                en: "8-bit bytes but no MIME charset: readers must guess the encoding.",
                ja: "8 ビットのバイトがあるのに MIME の charset 指定がありません。受信側は文字コードを推測するしかありません。",
            },
            Problem::LineTooLong => E {
                en: "A line longer than 998 octets (RFC 5322 §2.1.1).",
                ja: "998 オクテットを超える行があります(RFC 5322 §2.1.1)。",
            },
            Problem::BadEncodedWord => E {
                en: "An RFC 2047 encoded word that cannot be decoded.",
                ja: "復号できない RFC 2047 のエンコードワードがあります。",
            },
            Problem::UnknownCharset => E {
                en: "A charset this reader does not know; the text may look garbled.",
                ja: "この読み手が知らない文字コードです。文字化けしているかもしれません。",
            },
            Problem::NoHeaderBodySeparator => E {
                en: "No empty line between header and body: everything is read as header.",
                ja: "ヘッダと本文の間に空行がありません。すべてがヘッダとして読まれます。",
            },
            Problem::BadTransferEncoding => E {
                en: "The Content-Transfer-Encoding could not be decoded; the raw bytes are shown.",
                ja: "Content-Transfer-Encoding を復号できませんでした。生のバイトを表示します。",
            },
        }
    }
}

/// Everything the lab shows about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageView {
    pub size: usize,
    pub headers: Vec<HeaderField>,
    /// Every header field with its RFC 2047 words decoded through the caller's
    /// charsets, in order: what a reader is shown.
    pub decoded_headers: Vec<(String, String)>,
    pub subject: Option<String>,
    pub from: Vec<Address>,
    pub sender: Vec<Address>,
    pub reply_to: Vec<Address>,
    pub to: Vec<Address>,
    pub cc: Vec<Address>,
    pub bcc: Vec<Address>,
    pub date: Option<String>,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    /// The message ids a reply names, oldest first: `References:` (RFC 5322
    /// §3.6.4), or `In-Reply-To:` when there is no `References:`. Threads are
    /// built from these.
    pub references: Vec<String>,
    pub return_path: Option<String>,
    /// Received hops, newest first (as they stand in the header).
    pub trace: Vec<Hop>,
    /// MIME parts in depth-first order.
    pub parts: Vec<Part>,
    pub diagnostics: Vec<Diagnostic>,
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

fn addresses(value: Option<&mail_parser::Address<'_>>) -> Vec<Address> {
    value
        .map(|a| {
            a.iter()
                .map(|addr| Address {
                    name: addr.name.as_ref().map(|n| n.to_string()),
                    address: addr.address.as_ref().map(|n| n.to_string()),
                })
                .collect()
        })
        .unwrap_or_default()
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

struct Walker<'a> {
    raw: &'a [u8],
    charsets: &'a dyn CharsetDecoder,
    parts: Vec<Part>,
    diagnostics: Vec<Diagnostic>,
}

fn join(prefix: &str, n: usize) -> String {
    if prefix.is_empty() { n.to_string() } else { format!("{prefix}.{n}") }
}

impl Walker<'_> {
    /// The root part of `message`: its children (multipart) or its one body take
    /// the sections under `prefix`.
    fn message(&mut self, message: &Message<'_>, prefix: &str, depth: usize) {
        let Some(root) = message.parts.first() else { return };
        if let PartType::Multipart(children) = &root.body {
            // The container itself has no part number of its own (RFC 9051 §6.4.5).
            self.part(message, 0, String::new(), depth);
            for (i, &child) in children.iter().enumerate() {
                self.part(message, child as usize, join(prefix, i + 1), depth + 1);
            }
        } else {
            self.part(message, 0, join(prefix, 1), depth);
        }
    }

    fn part(&mut self, message: &Message<'_>, index: usize, section: String, depth: usize) {
        let Some(p) = message.parts.get(index) else { return };
        let ct = p.content_type();
        let content_type = match ct {
            Some(ct) => format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("plain")).to_ascii_lowercase(),
            // Inside multipart/digest the default is message/rfc822 (RFC 2046 §5.1.5).
            None if matches!(p.body, PartType::Message(_)) => "message/rfc822".to_string(),
            None => "text/plain".to_string(),
        };
        let parameters: Vec<(String, String)> = ct
            .and_then(|ct| ct.attributes())
            .map(|attrs| attrs.iter().map(|a| (a.name.to_string(), a.value.to_string())).collect())
            .unwrap_or_default();
        let charset = parameters.iter().find(|(k, _)| k.eq_ignore_ascii_case("charset")).map(|(_, v)| v.clone());
        let transfer_encoding = p.content_transfer_encoding().unwrap_or("7bit").to_ascii_lowercase();
        let header = p.offset_header as usize..p.offset_body as usize;
        let body_range = p.offset_body as usize..(p.offset_end as usize).min(self.raw.len());
        let body = match &p.body {
            PartType::Multipart(_) => Body::Multipart,
            PartType::Message(_) => Body::Message,
            PartType::Text(text) | PartType::Html(text) => {
                let decoded = self.text(text, charset.as_deref(), &transfer_encoding, body_range.clone());
                if matches!(p.body, PartType::Html(_)) { Body::Html(decoded) } else { Body::Text(decoded) }
            }
            PartType::Binary(bytes) | PartType::InlineBinary(bytes) => Body::Binary(bytes.to_vec()),
        };
        let children = match &p.body {
            PartType::Multipart(children) if index != 0 => Some(children.clone()),
            _ => None,
        };
        self.parts.push(Part {
            section: section.clone(),
            depth,
            content_type,
            parameters,
            charset,
            transfer_encoding,
            disposition: p.content_disposition().map(|d| d.ctype().to_ascii_lowercase()),
            filename: p.attachment_name().map(str::to_string),
            header,
            body_range,
            body,
        });
        if let Some(children) = children {
            for (i, &child) in children.iter().enumerate() {
                self.part(message, child as usize, join(&section, i + 1), depth + 1);
            }
        }
        if let PartType::Message(inner) = &p.body {
            self.message(inner, &section, depth + 1);
        }
    }

    /// Text decoded with the caller's charsets when mail-parser's own decoding
    /// (UTF-8 and single-byte charsets) is not enough.
    fn text(&mut self, parsed: &str, charset: Option<&str>, cte: &str, range: Range<usize>) -> String {
        let Some(charset) = charset else { return parsed.to_string() };
        if decode_builtin(charset, b"").is_some() {
            return parsed.to_string();
        }
        let raw = &self.raw[range.clone()];
        let bytes = match cte {
            "base64" => match decode_base64(raw) {
                Some(b) => b,
                None => {
                    self.diagnostics.push(Diagnostic {
                        problem: Problem::BadTransferEncoding,
                        offset: Some(range.start),
                        detail: "invalid base64".into(),
                    });
                    raw.to_vec()
                }
            },
            "quoted-printable" => decode_quoted_printable(raw, false),
            _ => raw.to_vec(),
        };
        match self.charsets.decode(charset, &bytes) {
            Some(text) => text,
            None => {
                self.diagnostics.push(Diagnostic {
                    problem: Problem::UnknownCharset,
                    offset: Some(range.start),
                    detail: format!("charset {charset}"),
                });
                parsed.to_string()
            }
        }
    }
}

impl MessageView {
    /// Read `raw` (CRLF or LF line endings). Never fails: a message too broken
    /// to have any structure still yields its header fields and diagnostics.
    pub fn parse(raw: &[u8], charsets: &dyn CharsetDecoder) -> MessageView {
        let headers = header_fields(raw);
        let mut diagnostics = Vec::new();
        let field = |name: &str| headers.iter().find(|f| f.name.eq_ignore_ascii_case(name));
        let mut decode = |name: &str| {
            let f = field(name)?;
            let (text, problems) = decode_header_value(&f.value, charsets);
            for p in problems {
                diagnostics.push(Diagnostic {
                    problem: Problem::BadEncodedWord,
                    offset: Some(f.offset),
                    detail: format!("{}: {} ({})", f.name, p.word, p.why),
                });
            }
            Some(text)
        };
        let subject = decode("Subject");
        let decoded_headers =
            headers.iter().map(|f| (f.name.clone(), decode_header_value(&f.value, charsets).0)).collect();
        let parsed = MessageParser::default().parse(raw);
        let mut walker = Walker { raw, charsets, parts: Vec::new(), diagnostics: Vec::new() };
        let (from, sender, reply_to, to, cc, bcc) = match &parsed {
            Some(m) => {
                walker.message(m, "", 0);
                (
                    addresses(m.from()),
                    addresses(m.sender()),
                    addresses(m.reply_to()),
                    addresses(m.to()),
                    addresses(m.cc()),
                    addresses(m.bcc()),
                )
            }
            None => Default::default(),
        };
        diagnostics.append(&mut walker.diagnostics);
        let trace: Vec<Hop> = headers
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("Received"))
            .map(|f| parse_received(&f.value))
            .collect();
        let value = |name: &str| field(name).map(|f| f.value.clone());
        let view_date = value("Date");
        let message_id = value("Message-ID");
        let mut view = MessageView {
            size: raw.len(),
            subject,
            from,
            sender,
            reply_to,
            to,
            cc,
            bcc,
            date: view_date,
            message_id,
            references: msg_ids(value("References").or_else(|| value("In-Reply-To")).as_deref().unwrap_or("")),
            in_reply_to: value("In-Reply-To"),
            return_path: value("Return-Path"),
            trace,
            decoded_headers,
            parts: walker.parts,
            diagnostics,
            headers: Vec::new(),
        };
        view.headers = headers;
        view.check(raw);
        view
    }

    fn check(&mut self, raw: &[u8]) {
        let has = |name: &str| self.headers.iter().any(|f| f.name.eq_ignore_ascii_case(name));
        let mut found = Vec::new();
        for (problem, name) in
            [(Problem::MissingDate, "Date"), (Problem::MissingFrom, "From"), (Problem::MissingMessageId, "Message-ID")]
        {
            if !has(name) {
                found.push(Diagnostic { problem, offset: None, detail: format!("{name}:") });
            }
        }
        let header_end = self.headers.last().map_or(0, |f| f.offset + f.len);
        let rest = &raw[header_end.min(raw.len())..];
        if !(raw.is_empty() || rest.starts_with(b"\r\n") || rest.starts_with(b"\n")) {
            found.push(Diagnostic {
                problem: Problem::NoHeaderBodySeparator,
                offset: Some(header_end),
                detail: "expected an empty line after the last header field".into(),
            });
        }
        let mime = has("MIME-Version") || has("Content-Type");
        if !mime && let Some(pos) = raw.iter().position(|&b| b >= 0x80) {
            found.push(Diagnostic {
                problem: Problem::EightBitWithoutMime,
                offset: Some(pos),
                detail: format!("first 8-bit octet at offset {pos}"),
            });
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
        self.diagnostics.extend(found);
    }

    /// The first text/plain body, else the first text/html, decoded.
    pub fn text_body(&self) -> Option<&str> {
        self.parts.iter().find_map(|p| if let Body::Text(t) = &p.body { Some(t.as_str()) } else { None }).or_else(
            || self.parts.iter().find_map(|p| if let Body::Html(t) = &p.body { Some(t.as_str()) } else { None }),
        )
    }

    /// The first header field named `name`, decoded.
    pub fn decoded(&self, name: &str) -> Option<&str> {
        self.decoded_headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The part with this IMAP section number.
    pub fn part(&self, section: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.section == section)
    }
}
