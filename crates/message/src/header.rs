//! Header fields of an RFC 5322 message, unfolded, with their byte offsets.

/// One header field as it stands in the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderField {
    /// The field name as written (case kept).
    pub name: String,
    /// The unfolded value, leading white space removed, decoded lossily as UTF-8.
    pub value: String,
    /// Byte offset of the field's first octet in the message.
    pub offset: usize,
    /// Length in octets of the field including folded lines and the final CRLF.
    pub len: usize,
}

/// The header fields of `raw`, up to the first empty line (or the end).
/// Lines that are neither a field nor a continuation are skipped, and so are
/// the continuation lines after them: a field is always one run of octets,
/// `offset..offset + len`, so what a reader sees is what removing it removes.
pub fn header_fields(raw: &[u8]) -> Vec<HeaderField> {
    let mut fields: Vec<HeaderField> = Vec::new();
    let mut in_field = false;
    let mut pos = 0;
    while pos < raw.len() {
        let end = raw[pos..].iter().position(|&b| b == b'\n').map_or(raw.len(), |i| pos + i + 1);
        let line = &raw[pos..end];
        let content = line.strip_suffix(b"\n").unwrap_or(line);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        if content.is_empty() {
            break;
        }
        if matches!(content[0], b' ' | b'\t') {
            if let Some(last) = fields.last_mut().filter(|_| in_field) {
                last.value.push_str(&String::from_utf8_lossy(content));
                last.len += line.len();
            }
        } else if let Some(colon) = content.iter().position(|&b| b == b':') {
            let name = String::from_utf8_lossy(&content[..colon]).trim_end().to_string();
            let value = String::from_utf8_lossy(&content[colon + 1..]).trim_start().to_string();
            fields.push(HeaderField { name, value, offset: pos, len: line.len() });
            in_field = true;
        } else {
            in_field = false;
        }
        pos = end;
    }
    for f in &mut fields {
        f.value = f.value.trim_end().to_string();
    }
    fields
}

/// The value of the first field named `name` (case-insensitive).
pub fn header_value(raw: &[u8], name: &str) -> Option<String> {
    header_fields(raw).into_iter().find(|f| f.name.eq_ignore_ascii_case(name)).map(|f| f.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfolds_and_stops_at_body() {
        let raw = b"Subject: hello\r\n  world\r\nFrom: a@b\r\n\r\nNot: a header\r\n";
        let f = header_fields(raw);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].value, "hello  world");
        assert_eq!((f[0].offset, f[0].len), (0, 25));
        assert_eq!(header_value(raw, "from").as_deref(), Some("a@b"));
        assert_eq!(header_value(raw, "not"), None);
    }

    #[test]
    fn never_fails_on_garbage() {
        assert!(header_fields(b"").is_empty());
        assert!(header_fields(b"\xff\xfe no colon\n \tcontinuation").is_empty());
        assert_eq!(header_value(b"X:\xff", "x").as_deref(), Some("\u{fffd}"));
        // A continuation after a line that is no field belongs to no field.
        let f = header_fields(b"A: 1\r\nno colon\r\n more\r\nB: 2\r\n");
        assert_eq!(
            f.iter().map(|f| (f.value.as_str(), f.offset, f.len)).collect::<Vec<_>>(),
            [("1", 0, 6), ("2", 23, 6)]
        );
    }
}
