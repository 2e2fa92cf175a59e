//! Composes RFC 5322 messages for the mail client: always CRLF, every line
//! within 998 octets (76 where MIME asks), non-ASCII header text as RFC 2047
//! encoded words, bodies in quoted-printable or base64, attachments in base64.
//! Date and Message-ID come from the caller's clock and seed: deterministic.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mail_lab_proto::Time;

/// A name and an address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mailbox {
    pub name: Option<String>,
    pub address: String,
}

impl Mailbox {
    /// A bare address.
    pub fn new(address: &str) -> Self {
        Mailbox { name: None, address: address.to_string() }
    }
}

/// A file to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

/// What the user wrote.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    /// Blind copies: in the envelope only, never in the header.
    pub bcc: Vec<Mailbox>,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub attachments: Vec<Attachment>,
}

/// The message and who must receive it (To, Cc and Bcc: the envelope's RCPT TO).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub raw: Vec<u8>,
    pub recipients: Vec<String>,
    pub message_id: String,
}

/// An RFC 2047 `B` encoded word sequence for `text`, each word at most 75
/// characters, split only between characters.
fn encoded_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in text.chars() {
        let mut next = chunk.clone();
        next.push(c);
        // "=?UTF-8?B?" + base64 + "?=" must stay within 75 characters.
        if 12 + next.len().div_ceil(3) * 4 > 75 && !chunk.is_empty() {
            words.push(format!("=?UTF-8?B?{}?=", STANDARD.encode(chunk.as_bytes())));
            chunk.clear();
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(format!("=?UTF-8?B?{}?=", STANDARD.encode(chunk.as_bytes())));
    }
    words
}

/// Header text: ASCII as it is, anything else as encoded words folded one per line.
fn header_text(text: &str) -> String {
    if text.is_ascii() { text.to_string() } else { encoded_words(text).join("\r\n ") }
}

fn mailbox(m: &Mailbox) -> String {
    match &m.name {
        None => m.address.clone(),
        Some(name) if !name.is_ascii() => format!("{} <{}>", header_text(name), m.address),
        Some(name) if name.chars().all(|c| c.is_ascii_alphanumeric() || " !#$%&'*+-/=?^_`{|}~".contains(c)) => {
            format!("{name} <{}>", m.address)
        }
        Some(name) => format!("\"{}\" <{}>", name.replace('\\', "\\\\").replace('"', "\\\""), m.address),
    }
}

fn address_field(name: &str, list: &[Mailbox]) -> String {
    let items: Vec<String> = list.iter().map(mailbox).collect();
    format!("{name}: {}\r\n", items.join(",\r\n "))
}

/// Quoted-printable (RFC 2045 §6.7) with lines of at most 76 characters.
pub fn quoted_printable(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut width = 0;
        let bytes = line.as_bytes();
        for (j, &b) in bytes.iter().enumerate() {
            let last = j + 1 == bytes.len();
            let piece = match b {
                b'=' => "=3D".to_string(),
                b' ' | b'\t' if last => format!("={b:02X}"),
                33..=126 | b' ' | b'\t' => (b as char).to_string(),
                _ => format!("={b:02X}"),
            };
            if width + piece.len() > 75 {
                out.push_str("=\r\n");
                width = 0;
            }
            width += piece.len();
            out.push_str(&piece);
        }
    }
    out
}

fn base64_lines(data: &[u8]) -> String {
    let encoded = STANDARD.encode(data);
    let lines: Vec<&str> = encoded.as_bytes().chunks(76).map(|c| std::str::from_utf8(c).unwrap_or("")).collect();
    lines.join("\r\n")
}

/// A text part: 7bit when it is short ASCII lines, quoted-printable otherwise.
fn text_part(subtype: &str, text: &str) -> String {
    let plain = text.is_ascii() && text.lines().all(|l| l.len() <= 998);
    let body = if plain { text.replace("\r\n", "\n").replace('\n', "\r\n") } else { quoted_printable(text) };
    let cte = if plain { "7bit" } else { "quoted-printable" };
    format!("Content-Type: text/{subtype}; charset=UTF-8\r\nContent-Transfer-Encoding: {cte}\r\n\r\n{body}")
}

fn filename_param(name: &str) -> String {
    if name.is_ascii() && !name.contains('"') {
        format!("filename=\"{name}\"")
    } else {
        // RFC 2231 §4: charset'language'percent-encoded value.
        let encoded: String = name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        format!("filename*=UTF-8''{encoded}")
    }
}

fn multipart(subtype: &str, boundary: &str, parts: &[String]) -> String {
    let mut out = format!("Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\n");
    for p in parts {
        out.push_str(&format!("--{boundary}\r\n{p}\r\n"));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

/// Build the message. `seed` makes Message-ID and boundaries unique and
/// reproducible (the mail client passes a counter); `date` is the clock's time.
pub fn build(draft: &Draft, date: Time, seed: &str) -> Built {
    let domain = draft.from.address.rsplit_once('@').map_or("localhost", |(_, d)| d);
    let message_id = format!("<{seed}@{domain}>");
    let mut head = String::new();
    head.push_str(&format!("From: {}\r\n", mailbox(&draft.from)));
    if !draft.to.is_empty() {
        head.push_str(&address_field("To", &draft.to));
    }
    if !draft.cc.is_empty() {
        head.push_str(&address_field("Cc", &draft.cc));
    }
    head.push_str(&format!("Subject: {}\r\n", header_text(&draft.subject)));
    head.push_str(&format!("Date: {}\r\n", date.rfc5322()));
    head.push_str(&format!("Message-ID: {message_id}\r\n"));
    head.push_str("MIME-Version: 1.0\r\n");
    let text = text_part("plain", &draft.text);
    let body = match &draft.html {
        Some(html) => multipart("alternative", &format!("=_alt_{seed}"), &[text, text_part("html", html)]),
        None => text,
    };
    let body = if draft.attachments.is_empty() {
        body
    } else {
        let mut parts = vec![body];
        for a in &draft.attachments {
            parts.push(format!(
                "Content-Type: {}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; {}\r\n\r\n{}",
                a.content_type,
                filename_param(&a.filename),
                base64_lines(&a.data)
            ));
        }
        multipart("mixed", &format!("=_mixed_{seed}"), &parts)
    };
    let mut raw = head.into_bytes();
    raw.extend_from_slice(body.as_bytes());
    if !raw.ends_with(b"\r\n") {
        raw.extend_from_slice(b"\r\n");
    }
    let recipients = draft.to.iter().chain(&draft.cc).chain(&draft.bcc).map(|m| m.address.clone()).collect();
    Built { raw, recipients, message_id }
}
