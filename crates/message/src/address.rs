//! RFC 5322 §3.4 address lists read from the raw header text, so that display
//! names keep their RFC 2047 encoded words (IMAP's ENVELOPE sends them so).
//! Lenient like real readers: what does not fit is skipped, never an error.

use crate::lex::Token;

/// One item of an address list, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressItem {
    /// `display-name <local@domain>` or a bare `local@domain`.
    Mailbox { name: Option<String>, local: Option<String>, domain: Option<String> },
    /// `display-name:` starts a group (RFC 5322 §3.4) ...
    GroupStart(String),
    /// ... and `;` ends it.
    GroupEnd,
}

/// Split a header value into words, specials and comments. A comment is no
/// part of an address, but a bare `addr-spec (Name)` gets its display name
/// from it, as readers (and Dovecot's ENVELOPE) do.
fn tokens(value: &str) -> Vec<Token> {
    crate::lex::tokens(value, "<>@,:;.[]")
}

/// `phrase = 1*word / obs-phrase`: words joined by one space; a `.` joins the
/// word before it (`John Q. Public`).
fn phrase(words: &[Token]) -> Option<String> {
    let mut out = String::new();
    for t in words {
        match t {
            Token::Word(w, _) => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(w);
            }
            Token::Special('.') => out.push('.'),
            Token::Special(_) | Token::Comment(_) => {}
        }
    }
    let out = out.trim().to_string();
    (!out.is_empty()).then_some(out)
}

/// `addr-spec = local-part "@" domain` from tokens, kept as written.
fn addr_spec(tokens: &[Token]) -> (Option<String>, Option<String>) {
    let at = tokens.iter().rposition(|t| *t == Token::Special('@'));
    let join = |ts: &[Token]| {
        let s: String = ts
            .iter()
            .map(|t| match t {
                Token::Word(w, true) => format!("\"{w}\""),
                Token::Word(w, false) => w.clone(),
                Token::Special(c) => c.to_string(),
                Token::Comment(_) => String::new(),
            })
            .collect();
        (!s.is_empty()).then_some(s)
    };
    match at {
        Some(i) => (join(&tokens[..i]), join(&tokens[i + 1..])),
        None => (join(tokens), None),
    }
}

/// Read an address list (`From`, `To`, `Cc`, ...).
pub fn address_list(value: &str) -> Vec<AddressItem> {
    let tokens = tokens(value);
    let mut items = Vec::new();
    let mut start = 0;
    let mut i = 0;
    let mut in_group = false;
    while i <= tokens.len() {
        let t = tokens.get(i);
        match t {
            Some(Token::Special('<')) => {
                // name-addr: the phrase before '<', the addr-spec up to '>'; an
                // obsolete route (@a,@b:) before the address is ignored.
                let name = phrase(&tokens[start..i]);
                let end = tokens[i..].iter().position(|t| *t == Token::Special('>')).map_or(tokens.len(), |p| i + p);
                let inner = &tokens[i + 1..end];
                let inner = match inner.iter().position(|t| *t == Token::Special(':')) {
                    Some(colon) => &inner[colon + 1..],
                    None => inner,
                };
                let (local, domain) = addr_spec(inner);
                items.push(AddressItem::Mailbox { name, local, domain });
                i = end + 1;
                // Skip to the next separator.
                while i < tokens.len() && !matches!(tokens[i], Token::Special(',' | ';')) {
                    i += 1;
                }
                start = i;
                continue;
            }
            Some(Token::Special(':')) if !in_group => {
                items.push(AddressItem::GroupStart(phrase(&tokens[start..i]).unwrap_or_default()));
                in_group = true;
                start = i + 1;
            }
            Some(Token::Special(',' | ';')) | None => {
                if start < i {
                    let (local, domain) = addr_spec(&tokens[start..i]);
                    if local.is_some() || domain.is_some() {
                        // `jane@b.example (Jane)`: the last non-empty comment names the mailbox.
                        let name = tokens[start..i].iter().rev().find_map(|t| match t {
                            Token::Comment(c) if !c.trim().is_empty() => Some(c.trim().to_string()),
                            _ => None,
                        });
                        items.push(AddressItem::Mailbox { name, local, domain });
                    }
                }
                if t == Some(&Token::Special(';')) && in_group {
                    items.push(AddressItem::GroupEnd);
                    in_group = false;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if in_group {
        items.push(AddressItem::GroupEnd);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mb(name: Option<&str>, local: &str, domain: &str) -> AddressItem {
        AddressItem::Mailbox { name: name.map(str::to_string), local: Some(local.into()), domain: Some(domain.into()) }
    }

    #[test]
    fn rows() {
        assert_eq!(address_list("bob@a.example"), [mb(None, "bob", "a.example")]);
        assert_eq!(address_list("Alice <alice@a.example>"), [mb(Some("Alice"), "alice", "a.example")]);
        assert_eq!(
            address_list("\"Doe, John\" <john@b.example>, jane@b.example (Jane)"),
            [mb(Some("Doe, John"), "john", "b.example"), mb(Some("Jane"), "jane", "b.example")]
        );
        assert_eq!(
            address_list("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"),
            [mb(Some("=?ISO-8859-1?Q?Andr=E9?= Pirard"), "PIRARD", "vm1.ulg.ac.be")]
        );
        // An encoded word with `,` and `.` inside (RFC 2047 §5 forbids them
        // there, but they are written) is one word, as mail-parser reads it.
        assert_eq!(
            address_list("=?UTF-8?Q?Doe,_J.?= <j@x.example>, k@x.example"),
            [mb(Some("=?UTF-8?Q?Doe,_J.?="), "j", "x.example"), mb(None, "k", "x.example")]
        );
        assert_eq!(address_list("John Q. Public <jqp@x.example>"), [mb(Some("John Q. Public"), "jqp", "x.example")]);
        assert_eq!(
            address_list("undisclosed-recipients:;"),
            [AddressItem::GroupStart("undisclosed-recipients".into()), AddressItem::GroupEnd]
        );
        assert_eq!(
            address_list("A Group: ed@x.example, <joe@y.example>; last@z.example"),
            [
                AddressItem::GroupStart("A Group".into()),
                mb(None, "ed", "x.example"),
                mb(None, "joe", "y.example"),
                AddressItem::GroupEnd,
                mb(None, "last", "z.example"),
            ]
        );
        assert_eq!(address_list("<@route.example:user@host.example>"), [mb(None, "user", "host.example")]);
        assert_eq!(address_list("\"odd\\\"quote\"@x.example"), [mb(None, "\"odd\"quote\"", "x.example")]);
        // Comments inside an address are no part of it (RFC 5322 §3.2.2 CFWS).
        assert_eq!(address_list("<user-from (comment)@ (comment) domain.org>"), [mb(None, "user-from", "domain.org")]);
        assert_eq!(address_list("user@domain (Real Name)"), [mb(Some("Real Name"), "user", "domain")]);
        assert_eq!(address_list("Named <n@x.example> (ignored)"), [mb(Some("Named"), "n", "x.example")]);
        assert!(address_list("").is_empty());
        assert!(address_list(", ,").is_empty());
    }
}
