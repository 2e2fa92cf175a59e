//! Framing before grammar: split the byte stream into command lines and
//! dot-terminated data blocks, with explicit size limits, before any parser runs.
//! Memory held by a reader never exceeds its limit, whatever the peer sends.

/// One framed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A complete line without its line ending. `bare_lf` is true when it
    /// ended in LF alone rather than CRLF.
    Complete { text: Vec<u8>, bare_lf: bool },
    /// The line was longer than the limit; its bytes were discarded up to and
    /// including the next LF. `length` counts the bytes seen, including the ending.
    TooLong { length: usize },
}

/// Splits input into lines of at most `max_len` octets including the line ending.
#[derive(Debug, Clone)]
pub struct LineReader {
    partial: Vec<u8>,
    max_len: usize,
    overflow: Option<usize>,
}

impl LineReader {
    /// A reader for lines of at most `max_len` octets, CRLF included.
    pub fn new(max_len: usize) -> Self {
        LineReader { partial: Vec::new(), max_len, overflow: None }
    }

    /// The limit in octets, CRLF included.
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Change the limit for the next line (e.g. AUTH responses may be longer).
    pub fn set_max_len(&mut self, max_len: usize) {
        self.max_len = max_len;
    }

    /// True when part of a line is waiting for its ending.
    pub fn has_partial(&self) -> bool {
        !self.partial.is_empty() || self.overflow.is_some()
    }

    /// Forget any partial line (used when a protocol switches mode, e.g. STARTTLS).
    pub fn clear(&mut self) {
        self.partial.clear();
        self.overflow = None;
    }

    /// Take the next line from the front of `input`, advancing it past the bytes
    /// consumed. Returns `None` when `input` ends before a line ending; the
    /// partial line is kept for the next call.
    pub fn next_line(&mut self, input: &mut &[u8]) -> Option<Line> {
        let (chunk, found_lf) = match input.iter().position(|&b| b == b'\n') {
            Some(i) => (&input[..=i], true),
            None => (&input[..], false),
        };
        *input = &input[chunk.len()..];
        if let Some(seen) = self.overflow.as_mut() {
            *seen += chunk.len();
        } else if self.partial.len() + chunk.len() > self.max_len {
            self.overflow = Some(self.partial.len() + chunk.len());
            self.partial.clear();
        } else {
            self.partial.extend_from_slice(chunk);
        }
        if !found_lf {
            return None;
        }
        if let Some(length) = self.overflow.take() {
            return Some(Line::TooLong { length });
        }
        let mut text = std::mem::take(&mut self.partial);
        text.pop(); // the LF
        let bare_lf = text.last() != Some(&b'\r');
        if !bare_lf {
            text.pop();
        }
        Some(Line::Complete { text, bare_lf })
    }
}

/// What a [`DotReader`] noticed while reading a dot-terminated block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DotFindings {
    /// A LF not preceded by CR (a line ended the Unix way).
    pub bare_lf: bool,
    /// A CR not followed by LF.
    pub bare_cr: bool,
    /// A NUL octet, which no text line may carry.
    pub nul: bool,
    /// A line longer than the reader's line limit (CRLF included).
    pub long_line: bool,
    /// More data than the size limit; the excess was counted, not kept.
    pub oversize: bool,
}

impl DotFindings {
    /// What a message body sent without dot-stuffing (SMTP BDAT) holds, judged
    /// by the rules `DotReader` applies to DATA: lines end in CRLF, no NUL, no
    /// line over `max_line` octets (CRLF included).
    pub fn scan(data: &[u8], max_line: usize) -> DotFindings {
        let mut findings = DotFindings::default();
        let mut line_start = 0;
        for (i, &b) in data.iter().enumerate() {
            match b {
                b'\n' => {
                    if i == 0 || data[i - 1] != b'\r' {
                        findings.bare_lf = true;
                    }
                    findings.long_line |= i + 1 - line_start > max_line;
                    line_start = i + 1;
                }
                b'\r' if data.get(i + 1) != Some(&b'\n') => findings.bare_cr = true,
                0 => findings.nul = true,
                _ => {}
            }
        }
        findings.long_line |= data.len() - line_start > max_line;
        findings
    }

    /// True when nothing unusual was seen.
    pub fn is_clean(&self) -> bool {
        *self == DotFindings::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DotState {
    LineStart,
    Dot,
    DotCr,
    Text,
    Cr,
}

/// Reads a dot-stuffed block (SMTP DATA, POP3 multi-line response), removing the
/// stuffing (RFC 5321 §4.5.2) and stopping only at `<CRLF>.<CRLF>`.
///
/// No other sequence ends the block: `<LF>.<LF>`, `<CR>.<CR>` or `<LF>.<CRLF>`
/// stay data and are reported in [`DotFindings`], so a caller can refuse them
/// (SMTP smuggling needs a second end-of-data form to exist; here it does not).
#[derive(Debug, Clone)]
pub struct DotReader {
    data: Vec<u8>,
    total: usize,
    max_size: usize,
    max_line: usize,
    line_len: usize,
    state: DotState,
    findings: DotFindings,
}

impl DotReader {
    /// A reader keeping at most `max_size` octets and flagging lines longer than
    /// `max_line` octets (CRLF included).
    pub fn new(max_size: usize, max_line: usize) -> Self {
        DotReader {
            data: Vec::new(),
            total: 0,
            max_size,
            max_line,
            line_len: 0,
            state: DotState::LineStart,
            findings: DotFindings::default(),
        }
    }

    fn emit(&mut self, bytes: &[u8]) {
        self.total += bytes.len();
        if self.data.len() + bytes.len() > self.max_size {
            self.findings.oversize = true;
        } else {
            self.data.extend_from_slice(bytes);
        }
    }

    /// Consume bytes from the front of `input`. Returns true when the end marker
    /// was read; `input` then starts right after it (pipelined commands follow).
    pub fn feed(&mut self, input: &mut &[u8]) -> bool {
        let mut i = 0;
        let bytes = *input;
        while i < bytes.len() {
            if self.state == DotState::Text {
                // Fast path: copy the run of ordinary octets up to the next CR, LF or NUL.
                let rest = &bytes[i..];
                let run = memchr::memchr3(b'\r', b'\n', 0, rest).unwrap_or(rest.len());
                if run > 0 {
                    self.line_len += run;
                    if self.line_len > self.max_line {
                        self.findings.long_line = true;
                    }
                    self.emit(&rest[..run]);
                    i += run;
                    continue;
                }
            }
            let b = bytes[i];
            i += 1;
            self.line_len += 1;
            if self.line_len > self.max_line {
                self.findings.long_line = true;
            }
            if b == 0 {
                self.findings.nul = true;
            }
            match (self.state, b) {
                (DotState::LineStart, b'.') => {
                    // The dot added for transparency is not the line's (RFC 5321 §4.5.3.1.6).
                    self.line_len -= 1;
                    self.state = DotState::Dot;
                }
                (DotState::Dot, b'\r') => self.state = DotState::DotCr,
                (DotState::DotCr, b'\n') => {
                    *input = &bytes[i..];
                    return true;
                }
                (DotState::DotCr, other) => {
                    // ".<CR>x": the dot was stuffing; the CR is a bare CR.
                    self.findings.bare_cr = true;
                    self.emit(b"\r");
                    self.state = DotState::Text;
                    self.text_byte(other);
                }
                (DotState::Cr, b'\n') => {
                    self.emit(b"\r\n");
                    self.state = DotState::LineStart;
                    self.line_len = 0;
                }
                (DotState::Cr, other) => {
                    self.findings.bare_cr = true;
                    self.emit(b"\r");
                    self.state = DotState::Text;
                    self.text_byte(other);
                }
                // A leading dot followed by more text is stuffing: drop it.
                (DotState::Dot | DotState::LineStart | DotState::Text, other) => {
                    self.state = DotState::Text;
                    self.text_byte(other);
                }
            }
        }
        *input = &bytes[bytes.len()..];
        false
    }

    fn text_byte(&mut self, b: u8) {
        match b {
            b'\r' => self.state = DotState::Cr,
            b'\n' => {
                // Not a line start: only CRLF may precede the end marker, so
                // `<LF>.<CRLF>` cannot end the block.
                self.findings.bare_lf = true;
                self.emit(b"\n");
                self.state = DotState::Text;
                self.line_len = 0;
            }
            other => self.emit(&[other]),
        }
    }

    /// What was noticed so far.
    pub fn findings(&self) -> DotFindings {
        self.findings
    }

    /// Octets of unstuffed data seen, including any beyond the size limit.
    pub fn total_size(&self) -> usize {
        self.total
    }

    /// The unstuffed data kept (at most the size limit).
    pub fn into_data(self) -> Vec<u8> {
        self.data
    }
}

/// Dot-stuff `data` for the wire and append the end marker: every line ends
/// in CRLF (a bare LF, which a message appended over IMAP or imported may
/// hold, is sent as CRLF: RFC 5321 §2.3.8, RFC 1939 §3), every line that starts
/// with `.` gets one more, then `.CRLF`.
pub fn dot_stuff(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 64 + 5);
    for line in wire_lines(data) {
        if line.first() == Some(&b'.') {
            out.push(b'.');
        }
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// The octets of `data` with every line end as CRLF (see [`dot_stuff`]): what
/// POP3's LIST and RETR announce (RFC 1939 §11). A last line without a line
/// end counts without one, as Dovecot counts it: the CRLF the wire adds there
/// belongs to the terminating `.` line.
pub fn crlf_size(data: &[u8]) -> usize {
    let unended = if data.is_empty() || data.ends_with(b"\n") { 0 } else { 2 };
    wire_lines(data).map(|line| line.len() + 2).sum::<usize>() - unended
}

/// `data` with every bare LF made CRLF, as [`dot_stuff`] sends it (a last line
/// without a line end stays without one); `None` when it has no bare LF.
pub fn with_crlf(data: &[u8]) -> Option<Vec<u8>> {
    let bare = |i: usize| data[i] == b'\n' && (i == 0 || data[i - 1] != b'\r');
    if !(0..data.len()).any(bare) {
        return None;
    }
    let mut out = Vec::with_capacity(data.len() + data.len() / 32);
    for (i, &b) in data.iter().enumerate() {
        if bare(i) {
            out.push(b'\r');
        }
        out.push(b);
    }
    Some(out)
}

/// Octets of a message's header and the empty line after it: up to its first
/// empty line, CRLF or bare LF (RFC 5322 §2.1), or all of it when there is none.
pub fn header_len(message: &[u8]) -> usize {
    let mut pos = 0;
    while pos < message.len() {
        let end = memchr::memchr(b'\n', &message[pos..]).map_or(message.len(), |i| pos + i + 1);
        if matches!(&message[pos..end], b"\r\n" | b"\n") {
            return end;
        }
        pos = end;
    }
    message.len()
}

/// The lines of `data` without their line ends (CRLF or a bare LF); a last
/// line without one is a line too.
fn wire_lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(reader: &mut LineReader, mut input: &[u8]) -> Vec<Line> {
        let mut out = Vec::new();
        while let Some(line) = reader.next_line(&mut input) {
            out.push(line);
        }
        out
    }

    fn complete(text: &str, bare_lf: bool) -> Line {
        Line::Complete { text: text.as_bytes().to_vec(), bare_lf }
    }

    #[test]
    fn splits_pipelined_lines_and_keeps_partial() {
        let mut r = LineReader::new(512);
        assert_eq!(lines(&mut r, b"NOOP\r\nRSET\nQU"), vec![complete("NOOP", false), complete("RSET", true)]);
        assert!(r.has_partial());
        assert_eq!(lines(&mut r, b"IT\r\n"), vec![complete("QUIT", false)]);
    }

    #[test]
    fn overlong_line_is_discarded_with_bounded_memory() {
        let mut r = LineReader::new(8);
        let big = vec![b'x'; 100_000];
        assert!(lines(&mut r, &big).is_empty());
        assert!(r.partial.len() <= 8);
        assert_eq!(lines(&mut r, b"yy\r\nOK\r\n"), vec![Line::TooLong { length: 100_004 }, complete("OK", false)]);
        // Exactly at the limit (CRLF included) is fine.
        assert_eq!(lines(&mut r, b"123456\r\n"), vec![complete("123456", false)]);
        assert_eq!(lines(&mut r, b"1234567\r\n"), vec![Line::TooLong { length: 9 }]);
    }

    fn read_block(input: &[u8]) -> (bool, Vec<u8>, DotFindings, Vec<u8>) {
        let mut r = DotReader::new(1 << 20, 1000);
        let mut rest = input;
        let done = r.feed(&mut rest);
        let findings = r.findings();
        (done, r.into_data(), findings, rest.to_vec())
    }

    #[test]
    fn unstuffs_and_stops_only_at_crlf_dot_crlf() {
        let (done, data, f, rest) = read_block(b"Hi\r\n..dot\r\n.\r\nQUIT\r\n");
        assert!(done);
        assert_eq!(data, b"Hi\r\n.dot\r\n");
        assert!(f.is_clean());
        assert_eq!(rest, b"QUIT\r\n");
        // An empty message.
        let (done, data, _, _) = read_block(b".\r\n");
        assert!(done && data.is_empty());
    }

    #[test]
    fn smuggling_forms_are_data_not_an_end() {
        for form in [&b"a\n.\nMAIL"[..], b"a\r.\rMAIL", b"a\n.\r\nMAIL", b"a\r\n.\nMAIL"] {
            let (done, _, f, _) = read_block(form);
            assert!(!done, "{form:?} must not end the data");
            assert!(f.bare_lf || f.bare_cr, "{form:?} must be reported");
        }
    }

    #[test]
    fn reports_nul_long_lines_and_oversize() {
        let mut r = DotReader::new(10, 8);
        let mut input: &[u8] = b"a\0bcdefghijkl\r\n.\r\n";
        assert!(r.feed(&mut input));
        let f = r.findings();
        assert!(f.nul && f.long_line && f.oversize);
        assert_eq!(r.total_size(), 15);
    }

    #[test]
    fn stuffing_round_trips() {
        let original = b"line\r\n.hidden\r\n..two\r\nend";
        let wire = dot_stuff(original);
        assert_eq!(wire, b"line\r\n..hidden\r\n...two\r\nend\r\n.\r\n");
        let (done, data, _, _) = read_block(&wire);
        assert!(done);
        assert_eq!(data, b"line\r\n.hidden\r\n..two\r\nend\r\n");
        assert_eq!(dot_stuff(b""), b".\r\n");
        assert_eq!(dot_stuff(b"."), b"..\r\n.\r\n");
        // A bare LF goes out as CRLF.
        assert_eq!(dot_stuff(b"a\n.b\r\n"), b"a\r\n..b\r\n.\r\n");
    }

    #[test]
    fn the_header_ends_at_its_first_empty_line() {
        assert_eq!(header_len(b"Subject: x\n\nb1\r\n\r\nb2"), 12);
        assert_eq!(header_len(b"Subject: x\r\n\r\nbody"), 14);
        assert_eq!(header_len(b"\r\nbody"), 2);
        assert_eq!(header_len(b"just text\r\nmore"), 15, "no empty line: all header");
        assert_eq!(header_len(b""), 0);
    }

    #[test]
    fn the_wire_size_counts_crlf_line_ends() {
        for data in [&b""[..], b"a\r\nb\r\n", b"Subject: lf\n\nline1\n.dot\nend\n", b"Subject: nocr", b"x\r\n\r\ny"] {
            let wire = dot_stuff(data);
            let stuffed = wire.windows(3).filter(|w| w == b"\n..").count() + usize::from(wire.starts_with(b".."));
            let added = if data.is_empty() || data.ends_with(b"\n") { 0 } else { 2 };
            assert_eq!(crlf_size(data), wire.len() - 3 - stuffed - added, "{:?}", String::from_utf8_lossy(data));
        }
        assert_eq!(crlf_size(b"Subject: lf\n\nline1\n.dot\nend\n"), 33);
        assert_eq!(crlf_size(b"Subject: nocr"), 13);
        assert_eq!((crlf_size(b"\r"), crlf_size(b"\r\n"), crlf_size(b"x\r")), (0, 2, 1));
        // What the SMTP client sends: SIZE= and BDAT count these octets.
        assert_eq!(with_crlf(b"a\r\nb\r\n"), None);
        assert_eq!(with_crlf(b"a\nb\n").as_deref(), Some(&b"a\r\nb\r\n"[..]));
        assert_eq!(with_crlf(b"a\n\r\nb").as_deref(), Some(&b"a\r\n\r\nb"[..]));
        for data in [&b"a\nb\n"[..], b"a\n\r\nb", b"\n"] {
            assert_eq!(with_crlf(data).unwrap().len(), crlf_size(data), "{data:?}");
        }
    }
}
