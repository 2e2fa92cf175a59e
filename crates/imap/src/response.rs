//! What the client reads of server responses (RFC 9051 §7): framing of a
//! response line with its literals, and a small tree of its tokens.
//!
//! Not imap-codec's response decoder: measured in the page, that decoder adds
//! 44 KB gzip (the page's budget is 400 KB), while the client needs only
//! status lines, CAPABILITY, LIST, EXISTS, EXPUNGE and FETCH's UID, FLAGS,
//! ENVELOPE and BODY[]. That every response the server sends is valid IMAP
//! is still checked with imap-codec, in the server's tests.

/// One token of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// An atom or number, e.g. `FETCH`, `\Seen`, `BODY[]`.
    Atom(String),
    /// A quoted string or a literal.
    Str(Vec<u8>),
    Nil,
    List(Vec<Token>),
}

impl Token {
    pub fn atom(&self) -> Option<&str> {
        if let Token::Atom(a) = self { Some(a) } else { None }
    }

    /// The text of a string, atom or NIL (`None`).
    pub fn text(&self) -> Option<String> {
        match self {
            Token::Atom(a) => Some(a.clone()),
            Token::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
            Token::Nil | Token::List(_) => None,
        }
    }

    pub fn list(&self) -> &[Token] {
        if let Token::List(items) = self { items } else { &[] }
    }
}

/// How long the complete response at the start of `buffer` is: its line, and
/// for each line ending in `{n}` the literal's `n` octets and the line after.
/// `Ok(None)` while more bytes are needed; `Err` when a literal is larger than
/// `limit` (so the client never waits to buffer it).
pub fn complete_response(buffer: &[u8], limit: usize) -> Result<Option<usize>, String> {
    let mut pos = 0;
    loop {
        let Some(end) = buffer[pos..].windows(2).position(|w| w == b"\r\n") else {
            return if buffer.len() > limit { Err("a response line without an end".into()) } else { Ok(None) };
        };
        let line_end = pos + end;
        let Some(size) = literal_size(&buffer[pos..line_end]) else { return Ok(Some(line_end + 2)) };
        let size = size.filter(|s| *s <= limit).ok_or_else(|| "a literal larger than the client keeps".to_string())?;
        pos = line_end + 2 + size;
        if buffer.len() < pos {
            return Ok(None);
        }
    }
}

/// `Some(size)` when the line ends with a literal announcement `{size}`
/// (`Some(None)` when the size is not a number that fits).
fn literal_size(line: &[u8]) -> Option<Option<usize>> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(std::str::from_utf8(digits).ok().and_then(|d| d.parse().ok()))
}

/// The tokens of one complete response (as [`complete_response`] measured it).
pub fn tokens(response: &[u8]) -> Vec<Token> {
    let mut pos = 0;
    read_list(response, &mut pos, 0)
}

/// Lists nested deeper than this are read flat: no response the client asks for
/// comes near it, and a server sending `((((…` must not exhaust the stack.
const MAX_LIST_DEPTH: usize = 32;

fn read_list(input: &[u8], pos: &mut usize, depth: usize) -> Vec<Token> {
    let nested = depth > 0;
    let mut out = Vec::new();
    while let Some(&b) = input.get(*pos) {
        match b {
            b' ' => *pos += 1,
            b'\r' | b'\n' if !nested => break,
            b'\r' | b'\n' => *pos += 1,
            b'(' if depth < MAX_LIST_DEPTH => {
                *pos += 1;
                out.push(Token::List(read_list(input, pos, depth + 1)));
            }
            b'(' => *pos += 1,
            b')' => {
                *pos += 1;
                if nested {
                    return out;
                }
            }
            b'"' => out.push(Token::Str(read_quoted(input, pos))),
            b'{' => match read_literal(input, pos) {
                Some(bytes) => out.push(Token::Str(bytes)),
                None => out.push(Token::Atom(read_atom(input, pos))),
            },
            _ => {
                let atom = read_atom(input, pos);
                out.push(if atom.eq_ignore_ascii_case("NIL") { Token::Nil } else { Token::Atom(atom) });
            }
        }
    }
    out
}

fn read_quoted(input: &[u8], pos: &mut usize) -> Vec<u8> {
    *pos += 1;
    let mut out = Vec::new();
    while let Some(&b) = input.get(*pos) {
        *pos += 1;
        match b {
            b'"' => break,
            b'\\' => {
                if let Some(&next) = input.get(*pos) {
                    out.push(next);
                    *pos += 1;
                }
            }
            _ => out.push(b),
        }
    }
    out
}

/// `{n}` CRLF and n octets; `None` (nothing consumed) when it is not one.
fn read_literal(input: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
    let close = input[*pos..].iter().position(|&b| b == b'}')? + *pos;
    let size: usize = std::str::from_utf8(&input[*pos + 1..close]).ok()?.trim_end_matches('+').parse().ok()?;
    let start = close + 3;
    // A size near usize::MAX (a keyword shaped `{n+}` in a crafted lab) must not wrap.
    let end = start.checked_add(size).filter(|&end| end <= input.len())?;
    if input.get(close + 1..start) != Some(b"\r\n") {
        return None;
    }
    *pos = end;
    Some(input[start..end].to_vec())
}

/// An atom; a `[...]` inside it (as in `BODY[HEADER.FIELDS (SUBJECT)]`) is
/// part of it, spaces and parentheses included.
fn read_atom(input: &[u8], pos: &mut usize) -> String {
    let start = *pos;
    let mut depth = 0;
    while let Some(&b) = input.get(*pos) {
        match b {
            b'[' => depth += 1,
            b']' if depth > 0 => depth -= 1,
            b' ' | b'(' | b')' | b'\r' | b'\n' if depth == 0 => break,
            _ => {}
        }
        *pos += 1;
    }
    if *pos == start {
        *pos += 1; // a stray byte: skip it rather than loop
    }
    String::from_utf8_lossy(&input[start..*pos]).into_owned()
}

/// A status line's response code and text: `[APPENDUID 38505 3955] done`
/// gives `(Some(["APPENDUID", "38505", "3955"]), "done")`.
pub fn code_and_text(rest: &str) -> (Option<Vec<String>>, String) {
    let rest = rest.trim_start();
    if let Some(inner) = rest.strip_prefix('[')
        && let Some(close) = inner.find(']')
    {
        let code = inner[..close].split_whitespace().map(str::to_string).collect();
        return (Some(code), inner[close + 1..].trim().to_string());
    }
    (None, rest.trim_end().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_is_its_line_plus_each_literal() {
        let r = b"* 1 FETCH (BODY[] {5}\r\nhello UID 3)\r\n* 2 EXISTS\r\n";
        let first = complete_response(r, 100).unwrap().unwrap();
        assert_eq!(&r[..first], b"* 1 FETCH (BODY[] {5}\r\nhello UID 3)\r\n");
        assert_eq!(complete_response(&r[..20], 100).unwrap(), None);
        assert_eq!(complete_response(&r[..25], 100).unwrap(), None, "the literal is not all here");
        assert!(complete_response(b"* 1 FETCH (BODY[] {99999999999999999999}\r\n", 100).is_err());
        assert!(complete_response(b"* 1 FETCH (BODY[] {500}\r\n", 100).is_err(), "over the limit");
    }

    #[test]
    fn a_literal_size_past_the_end_is_no_literal() {
        // A keyword shaped like a literal with `+` passes complete_response (that is
        // no literal at a line's end); read as one, its size must not wrap.
        for r in [&b"* FLAGS ({18446744073709551615+}\r\nx)\r\n"[..], b"* FLAGS ({4294967295+}\r\nx)\r\n"] {
            assert!(complete_response(r, 100).unwrap().is_some());
            assert!(!tokens(r).is_empty());
        }
    }

    #[test]
    fn tokens_of_a_fetch_with_envelope_and_literal() {
        let r = b"* 3 FETCH (UID 7 FLAGS (\\Seen \\Recent) ENVELOPE (\"date\" {5}\r\nhi \"x ((NIL NIL \"bob\" \"a.example\")) NIL) BODY[] NIL)\r\n";
        let t = tokens(r);
        assert_eq!(t[0], Token::Atom("*".into()));
        assert_eq!(t[2], Token::Atom("FETCH".into()));
        let items = t[3].list();
        assert_eq!(items[0], Token::Atom("UID".into()));
        assert_eq!(items[3].list(), [Token::Atom("\\Seen".into()), Token::Atom("\\Recent".into())]);
        let env = items[5].list();
        assert_eq!(env[1], Token::Str(b"hi \"x".to_vec()), "a literal holds anything");
        assert_eq!(env[2].list()[0].list()[2], Token::Str(b"bob".to_vec()));
        assert_eq!(env[3], Token::Nil);
        assert_eq!(items[6], Token::Atom("BODY[]".into()));
        assert_eq!(
            code_and_text(" [APPENDUID 38505 3955] APPEND done"),
            (Some(vec!["APPENDUID".into(), "38505".into(), "3955".into()]), "APPEND done".into())
        );
    }

    #[test]
    fn a_list_nested_a_million_deep_is_read_without_exhausting_the_stack() {
        let mut response = b"* 1 FETCH ".to_vec();
        response.extend(std::iter::repeat_n(b'(', 1_000_000));
        response.extend(std::iter::repeat_n(b')', 1_000_000));
        response.extend_from_slice(b"\r\n");
        let read = tokens(&response);
        assert_eq!(read.len(), 4, "{:?}", &read[..2]);
        let mut depth = 0;
        let mut list = read[3].list();
        while let Some(Token::List(inner)) = list.first() {
            depth += 1;
            list = inner;
        }
        assert_eq!(depth, MAX_LIST_DEPTH - 1);
    }

    #[test]
    fn odd_bytes_end_in_tokens_not_a_panic() {
        for input in [&b"((((("[..], b")))", b"\"unterminated", b"{3}\r\nab", b"[[[", b"\xff\x00 {x}"] {
            let _ = tokens(input);
            let _ = complete_response(input, 10);
        }
    }
}
