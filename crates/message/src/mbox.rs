//! Files a learner can take away: a message as `.eml`, a folder as mbox in the
//! mboxrd form (a `From ` line starts each message; body lines that look like
//! one, with any `>` in front, get one more `>`), and back without loss.

use mail_lab_proto::Time;

/// One message of an mbox file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MboxMessage {
    /// The envelope sender on the `From ` line (`MAILER-DAEMON` for the null path).
    pub sender: String,
    /// The date on the `From ` line, as written.
    pub date: String,
    /// The message with CRLF line endings.
    pub raw: Vec<u8>,
}

/// A `.eml` file read back: line endings become CRLF, as the store keeps them.
pub fn from_eml(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 40);
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' && (i == 0 || bytes[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// The `From ` line's date: `Www Mmm dd hh:mm:ss yyyy` (asctime, UTC).
pub fn asctime(t: Time) -> String {
    let rfc = t.rfc5322(); // "Wed, 1 Apr 2026 09:00:00 +0000"
    let parts: Vec<&str> = rfc.split(' ').collect();
    match parts.as_slice() {
        [wd, day, mon, year, time, _] => format!("{} {mon} {day:>2} {time} {year}", wd.trim_end_matches(',')),
        _ => rfc,
    }
}

fn is_from_line(line: &[u8]) -> bool {
    let stripped = line.iter().position(|&b| b != b'>').map_or(&line[line.len()..], |i| &line[i..]);
    stripped.starts_with(b"From ")
}

/// Write messages as mboxrd with LF line endings.
pub fn export<Raw: AsRef<[u8]>>(messages: &[(String, Time, Raw)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (sender, date, raw) in messages {
        let raw = raw.as_ref();
        let sender = if sender.is_empty() { "MAILER-DAEMON" } else { sender };
        out.extend_from_slice(format!("From {sender} {}\n", asctime(*date)).as_bytes());
        let text = raw.strip_suffix(b"\r\n").unwrap_or(raw);
        for line in text.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if is_from_line(line) {
                out.push(b'>');
            }
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    out
}

/// Read an mboxrd (or mboxo) file; messages come back with CRLF endings.
pub fn import(bytes: &[u8]) -> Vec<MboxMessage> {
    let mut messages: Vec<MboxMessage> = Vec::new();
    let mut current: Option<(String, String, Vec<u8>)> = None;
    let finish = |c: Option<(String, String, Vec<u8>)>, messages: &mut Vec<MboxMessage>| {
        if let Some((sender, date, mut raw)) = c {
            // The blank line before the next "From " belongs to the file, not the message.
            if raw.ends_with(b"\r\n\r\n") {
                raw.truncate(raw.len() - 2);
            }
            messages.push(MboxMessage { sender, date, raw });
        }
    };
    let text = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    for line in text.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(rest) = line.strip_prefix(b"From ") {
            finish(current.take(), &mut messages);
            let rest = String::from_utf8_lossy(rest);
            let (sender, date) = rest.split_once(' ').unwrap_or((&rest, ""));
            current = Some((sender.to_string(), date.trim().to_string(), Vec::new()));
            continue;
        }
        let Some((_, _, raw)) = current.as_mut() else { continue };
        let unquoted = if line.starts_with(b">") && is_from_line(line) { &line[1..] } else { line };
        raw.extend_from_slice(unquoted);
        raw.extend_from_slice(b"\r\n");
    }
    finish(current.take(), &mut messages);
    messages
}
