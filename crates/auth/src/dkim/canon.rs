//! DKIM canonicalization (RFC 6376 §3.4): `simple` keeps the bytes, `relaxed`
//! forgives the changes mail servers commonly make to whitespace and case.

/// A header field as it stands in the message: its name and its whole raw
/// text (name, colon, value, folding), without the final CRLF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    pub name: &'a str,
    pub raw: &'a [u8],
}

/// The header fields and the body of a message (CRLF line ends). A header
/// section with no empty line after it is all header and no body.
pub(crate) fn split(message: &[u8]) -> (Vec<Field<'_>>, &[u8]) {
    let (head, body) = match find(message, b"\r\n\r\n") {
        Some(at) => (&message[..at + 2], &message[at + 4..]),
        None => (message, &message[message.len()..]),
    };
    let mut fields: Vec<Field<'_>> = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < head.len() {
        let end = find(&head[at..], b"\r\n").map_or(head.len(), |n| at + n);
        let next = (end + 2).min(head.len());
        // A line that starts with WSP continues the field above.
        let continues = head.get(next).is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continues {
            let raw = &head[start..end];
            let name_end = raw.iter().position(|b| *b == b':').unwrap_or(raw.len());
            let name = std::str::from_utf8(&raw[..name_end]).unwrap_or("").trim_end_matches([' ', '\t']);
            if !raw.is_empty() {
                fields.push(Field { name, raw });
            }
            start = next;
        }
        at = next;
    }
    (fields, body)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One header field canonicalized, with its CRLF.
pub(crate) fn header(raw: &[u8], relaxed: bool, out: &mut Vec<u8>) {
    if !relaxed {
        out.extend_from_slice(raw);
        out.extend_from_slice(b"\r\n");
        return;
    }
    let colon = raw.iter().position(|b| *b == b':').unwrap_or(raw.len());
    let name = &raw[..colon];
    let name_end = name.iter().rposition(|b| *b != b' ' && *b != b'\t').map_or(0, |i| i + 1);
    out.extend(name[..name_end].iter().map(u8::to_ascii_lowercase));
    out.push(b':');
    // Unfold, turn each run of whitespace into one space, and drop it at both ends.
    let mut pending_space = false;
    let mut started = false;
    for &b in raw.get(colon + 1..).unwrap_or_default() {
        match b {
            b'\r' | b'\n' => {}
            b' ' | b'\t' => pending_space = started,
            _ => {
                if pending_space {
                    out.push(b' ');
                }
                pending_space = false;
                started = true;
                out.push(b);
            }
        }
    }
    out.extend_from_slice(b"\r\n");
}

/// The body canonicalized.
pub(crate) fn body(body: &[u8], relaxed: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut lines = body.split(|b| *b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if last && line.is_empty() {
            break;
        }
        if relaxed {
            let mut pending_space = false;
            for &b in line {
                if b == b' ' || b == b'\t' {
                    pending_space = true;
                } else {
                    if pending_space {
                        out.push(b' ');
                    }
                    pending_space = false;
                    out.push(b);
                }
            }
        } else {
            out.extend_from_slice(line);
        }
        out.extend_from_slice(b"\r\n");
    }
    // Empty lines at the end are ignored.
    while out.ends_with(b"\r\n\r\n") {
        out.truncate(out.len() - 2);
    }
    if out == b"\r\n" {
        out.clear();
    }
    // An empty body is one CRLF in simple, nothing in relaxed.
    if out.is_empty() && !relaxed {
        out.extend_from_slice(b"\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6376 §3.4.5's example, whitespace as the RFC draws it.
    const HEADER: &[u8] = b"A: X\r\nB : Y\t\r\n\tZ  \r\n";
    const BODY: &[u8] = b" C \r\nD \t E\r\n\r\n\r\n";

    fn headers(relaxed: bool) -> Vec<u8> {
        let message = [HEADER, b"\r\n", BODY].concat();
        let (fields, _) = split(&message);
        let mut out = Vec::new();
        for f in fields {
            header(f.raw, relaxed, &mut out);
        }
        out
    }

    #[test]
    fn the_rfc_6376_section_3_4_5_example() {
        assert_eq!(headers(true), b"a:X\r\nb:Y Z\r\n");
        assert_eq!(body(BODY, true), b" C\r\nD E\r\n");
        assert_eq!(headers(false), HEADER);
        assert_eq!(body(BODY, false), b" C \r\nD \t E\r\n");
    }

    #[test]
    fn empty_bodies_and_missing_final_crlf() {
        assert_eq!(body(b"", false), b"\r\n");
        assert_eq!(body(b"", true), b"");
        assert_eq!(body(b"\r\n\r\n", true), b"");
        assert_eq!(body(b"x", false), b"x\r\n");
    }
}
