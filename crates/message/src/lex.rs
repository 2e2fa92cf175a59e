//! The lexical layer of structured header fields (RFC 5322 §3.2), shared by
//! the address and `Authentication-Results:` readers: atoms, quoted-strings
//! and comments, with folding undone. Each reader names its own specials.
//! Lenient: an unclosed quote or comment runs to the end of the value.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// An atom, or the content of a quoted-string, unescaped (`true`).
    Word(String, bool),
    /// One of the caller's specials.
    Special(char),
    /// A comment's text, unescaped; nested parentheses are kept.
    Comment(String),
}

/// The length of the RFC 2047 encoded word `s` starts with, if it does.
fn encoded_word(s: &str) -> Option<usize> {
    let body = s.strip_prefix("=?")?;
    let mut marks = 0;
    for (i, c) in body.char_indices() {
        match c {
            c if c.is_whitespace() => return None,
            '?' if marks == 2 => return body[i + 1..].starts_with('=').then_some(i + 4),
            '?' => marks += 1,
            _ => {}
        }
    }
    None
}

/// Split a header value into tokens. Where `=` is not a special, an encoded
/// word is one atom even when a special stands inside it: RFC 2047 forbids
/// that, but mail is written so, and readers keep the word whole.
pub(crate) fn tokens(value: &str, specials: &str) -> Vec<Token> {
    let words_encoded = !specials.contains('=');
    let mut out = Vec::new();
    let mut chars = value.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => {
                let mut word = String::new();
                while let Some((_, c)) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => word.extend(chars.next().map(|(_, c)| c)),
                        '\r' | '\n' => {}
                        c => word.push(c),
                    }
                }
                out.push(Token::Word(word, true));
            }
            '(' => {
                let (mut depth, mut text) = (1, String::new());
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            text.extend(chars.next().map(|(_, c)| c));
                            continue;
                        }
                        '(' => depth += 1,
                        ')' if depth == 1 => break,
                        ')' => depth -= 1,
                        '\r' | '\n' => continue,
                        _ => {}
                    }
                    text.push(c);
                }
                out.push(Token::Comment(text));
            }
            c if specials.contains(c) => out.push(Token::Special(c)),
            c if c.is_whitespace() => {}
            _ => {
                let stops = |c: char| c.is_whitespace() || "\"()".contains(c) || specials.contains(c);
                let mut end = at;
                loop {
                    let rest = &value[end..];
                    if let Some(len) = encoded_word(rest).filter(|_| words_encoded) {
                        end += len;
                        continue;
                    }
                    match rest.chars().next() {
                        Some(c) if end == at || !stops(c) => end += c.len_utf8(),
                        _ => break,
                    }
                }
                while chars.next_if(|&(j, _)| j < end).is_some() {}
                out.push(Token::Word(value[at..end].to_string(), false));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ts: &[Token]) -> Vec<String> {
        ts.iter()
            .map(|t| match t {
                Token::Word(w, false) => w.clone(),
                Token::Word(w, true) => format!("q:{w}"),
                Token::Special(c) => c.to_string(),
                Token::Comment(c) => format!("c:{c}"),
            })
            .collect()
    }

    #[test]
    fn atoms_quotes_comments_and_specials() {
        let ts = tokens("John Q. Public <jqp@x.example> (a (nested) note)", "<>@.");
        assert_eq!(
            words(&ts),
            ["John", "Q", ".", "Public", "<", "jqp", "@", "x", ".", "example", ">", "c:a (nested) note"]
        );
        // Escapes are undone; folding (CRLF before white space) is removed.
        let ts = tokens("\"a \\\"b\\\"\r\n c\" (x\\)y\r\n z)", "");
        assert_eq!(words(&ts), ["q:a \"b\" c", "c:x)y z"]);
        // Unclosed quote and comment run to the end.
        assert_eq!(words(&tokens("\"open", "")), ["q:open"]);
        assert_eq!(words(&tokens("(open (deeper)", "")), ["c:open (deeper)"]);
        assert!(tokens("", ".").is_empty());
    }

    #[test]
    fn encoded_words_stay_whole_where_equals_is_no_special() {
        // `.` and `,` inside an encoded word (not allowed, but written).
        let ts = tokens("=?UTF-8?Q?Doe,_J.?= <j@x.example>", "<>@,.");
        assert_eq!(words(&ts), ["=?UTF-8?Q?Doe,_J.?=", "<", "j", "@", "x", ".", "example", ">"]);
        // Joined to the atom around it; a broken one is an ordinary atom.
        assert_eq!(words(&tokens("a=?x?q?b.c?=d e", ".")), ["a=?x?q?b.c?=d", "e"]);
        assert_eq!(words(&tokens(",=?x?q?b,c?=", ",")), [",", "=?x?q?b,c?="]);
        assert_eq!(words(&tokens("=?x?q?b.c d?=", ".")), ["=?x?q?b", ".", "c", "d?="]);
        // Where `=` is special, nothing is read as an encoded word.
        assert_eq!(words(&tokens("a=?x?q?b.c?=", "=.")), ["a", "=", "?x?q?b", ".", "c?", "="]);
    }
}
