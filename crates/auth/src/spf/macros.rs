//! SPF macros (RFC 7208 §7): `%{d2}`, `%{ir}`, `%{l-}` and the escapes
//! `%%`, `%_`, `%-`. Parsed once when the record is read, so a bad macro is
//! a `permerror` before anything is evaluated; expanded per query.

use std::net::IpAddr;

/// One piece of a macro-string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Literal(String),
    Macro(Macro),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Macro {
    /// The letter, lower case.
    letter: u8,
    /// Upper-case letter: the value is URL-escaped (§7.3).
    escape: bool,
    /// Keep only this many right-hand parts.
    keep: Option<usize>,
    reverse: bool,
    /// Characters that split the value into parts (default `.`).
    delimiters: String,
}

/// Where a macro-string stands: `c`, `r` and `t` are allowed only in the
/// text of an explanation (§7.2), and only that text may hold spaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    DomainSpec,
    Explanation,
}

/// What the macros are expanded from.
pub(crate) struct MacroValues<'a> {
    pub sender: &'a str,
    pub local_part: &'a str,
    pub sender_domain: &'a str,
    pub domain: &'a str,
    pub ip: IpAddr,
    pub helo: &'a str,
    pub receiver: &'a str,
    pub now_secs: u64,
}

/// Parse a macro-string; the error says what is wrong, for the trace.
pub(crate) fn parse(text: &str, place: Place) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => match chars.next() {
                Some('%') => literal.push('%'),
                Some('_') => literal.push(' '),
                Some('-') => literal.push_str("%20"),
                Some('{') => {
                    let (mut body, mut closed) = (String::new(), false);
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        body.push(c);
                    }
                    if !closed {
                        return Err(format!("the macro \"%{{{body}\" is not closed"));
                    }
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Macro(parse_macro(&body, place)?));
                }
                Some(other) => return Err(format!("\"%{other}\" is not a macro (write %% for a percent sign)")),
                None => return Err("a lone \"%\" at the end".to_string()),
            },
            ' ' if place == Place::Explanation => literal.push(' '),
            '!'..='~' => literal.push(c),
            _ => return Err(format!("the character {c:?} may not appear here")),
        }
    }
    if !literal.is_empty() {
        pieces.push(Piece::Literal(literal));
    }
    Ok(pieces)
}

fn parse_macro(body: &str, place: Place) -> Result<Macro, String> {
    let mut chars = body.chars();
    let letter = chars.next().ok_or("an empty macro \"%{}\"")?;
    let lower = letter.to_ascii_lowercase();
    match lower {
        's' | 'l' | 'o' | 'd' | 'i' | 'p' | 'h' | 'v' => {}
        'c' | 'r' | 't' if place == Place::Explanation => {}
        'c' | 'r' | 't' => return Err(format!("%{{{letter}}} is allowed only in an explanation (RFC 7208 §7.2)")),
        _ => return Err(format!("%{{{letter}}} is not a macro letter")),
    }
    let rest = chars.as_str();
    let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let (digits, rest) = rest.split_at(digits_end);
    let keep = if digits.is_empty() {
        None
    } else {
        // A huge count keeps every part; zero is not allowed (§7.3).
        let n = digits.parse::<usize>().unwrap_or(usize::MAX);
        if n == 0 {
            return Err(format!("%{{{body}}} keeps zero parts"));
        }
        Some(n)
    };
    let (reverse, delimiters) = match rest.strip_prefix(['r', 'R']) {
        Some(d) => (true, d),
        None => (false, rest),
    };
    if let Some(bad) = delimiters.chars().find(|c| !".-+,/_=".contains(*c)) {
        return Err(format!("{bad:?} is not a macro delimiter in %{{{body}}}"));
    }
    Ok(Macro {
        letter: lower as u8,
        escape: letter.is_ascii_uppercase(),
        keep,
        reverse,
        delimiters: if delimiters.is_empty() { ".".to_string() } else { delimiters.to_string() },
    })
}

/// The longest expansion kept: a record of many `%{s}` must not grow without
/// bound (a domain is cut to 253 octets after, an explanation refused above 256).
pub(crate) const MAX_EXPANSION: usize = 4096;

/// The text of a parsed macro-string for one query. `%{p}` asks DNS, so the
/// caller passes it in already validated (or `None` when no macro needs it).
pub(crate) fn expand(pieces: &[Piece], values: &MacroValues<'_>, validated_ptr: Option<&str>) -> String {
    let mut out = String::new();
    for piece in pieces {
        if out.len() > MAX_EXPANSION {
            break;
        }
        match piece {
            Piece::Literal(text) => out.push_str(text),
            Piece::Macro(m) => {
                let value = value_of(m.letter, values, validated_ptr);
                let mut parts: Vec<&str> = value.split(|c| m.delimiters.contains(c)).collect();
                if m.reverse {
                    parts.reverse();
                }
                if let Some(n) = m.keep
                    && n < parts.len()
                {
                    parts.drain(..parts.len() - n);
                }
                let joined = parts.join(".");
                if m.escape { url_escape(&joined, &mut out) } else { out.push_str(&joined) }
            }
        }
    }
    out
}

/// True if the macro-string uses `%{p}` (which costs DNS lookups).
pub(crate) fn uses_ptr(pieces: &[Piece]) -> bool {
    pieces.iter().any(|p| matches!(p, Piece::Macro(m) if m.letter == b'p'))
}

fn value_of(letter: u8, v: &MacroValues<'_>, validated_ptr: Option<&str>) -> String {
    match letter {
        b's' => v.sender.to_string(),
        b'l' => v.local_part.to_string(),
        b'o' => v.sender_domain.to_string(),
        b'd' => v.domain.to_string(),
        b'h' => v.helo.to_string(),
        b'i' => dotted(v.ip),
        b'c' => v.ip.to_string(),
        b'p' => validated_ptr.unwrap_or("unknown").to_string(),
        b'v' => if v.ip.is_ipv4() { "in-addr" } else { "ip6" }.to_string(),
        b'r' => if v.receiver.is_empty() { "unknown" } else { v.receiver }.to_string(),
        b't' => v.now_secs.to_string(),
        _ => String::new(),
    }
}

/// `%{i}`: an IPv4 address as written, an IPv6 address as 32 dotted nibbles.
fn dotted(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let mut s = String::with_capacity(63);
            for byte in v6.octets() {
                for n in [byte >> 4, byte & 0xf] {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push(crate::dns::nibble(n));
                }
            }
            s
        }
    }
}

/// RFC 3986 escaping of all but the unreserved characters.
fn url_escape(text: &str, out: &mut String) {
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(crate::dns::nibble(b >> 4).to_ascii_uppercase());
            out.push(crate::dns::nibble(b & 0xf).to_ascii_uppercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7208 §7.4's example query.
    fn example(ip: &str) -> MacroValues<'static> {
        MacroValues {
            sender: "strong-bad@email.example.com",
            local_part: "strong-bad",
            sender_domain: "email.example.com",
            domain: "email.example.com",
            ip: ip.parse().unwrap(),
            helo: "mx.example.org",
            receiver: "",
            now_secs: 0,
        }
    }

    fn expanded(text: &str, ip: &str) -> String {
        expand(&parse(text, Place::DomainSpec).unwrap(), &example(ip), Some("mx.example.org"))
    }

    #[test]
    fn the_rfc_7208_section_7_4_examples_expand_as_printed() {
        let v4 = "192.0.2.3";
        for (macro_text, expansion) in [
            ("%{s}", "strong-bad@email.example.com"),
            ("%{o}", "email.example.com"),
            ("%{d}", "email.example.com"),
            ("%{d4}", "email.example.com"),
            ("%{d3}", "email.example.com"),
            ("%{d2}", "example.com"),
            ("%{d1}", "com"),
            ("%{dr}", "com.example.email"),
            ("%{d2r}", "example.email"),
            ("%{l}", "strong-bad"),
            ("%{l-}", "strong.bad"),
            ("%{lr}", "strong-bad"),
            ("%{lr-}", "bad.strong"),
            ("%{l1r-}", "strong"),
            ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
            ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
            ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
            ("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"),
            ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
        ] {
            assert_eq!(expanded(macro_text, v4), expansion, "{macro_text}");
        }
        assert_eq!(
            expanded("%{ir}.%{v}._spf.%{d2}", "2001:db8::cb01"),
            "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
        );
    }

    #[test]
    fn escapes_and_upper_case_letters() {
        assert_eq!(expanded("%%%_%-", "192.0.2.3"), "% %20");
        assert_eq!(expanded("%{S}", "192.0.2.3"), "strong-bad%40email.example.com");
    }

    #[test]
    fn bad_macros_are_syntax_errors() {
        for bad in ["%{x}", "%{d0}", "%{d", "%", "%a", "%{c}", "%{d2*}", "a b"] {
            assert!(parse(bad, Place::DomainSpec).is_err(), "{bad}");
        }
        assert!(parse("%{c} at %{t} by %{r}", Place::Explanation).is_ok());
    }
}
