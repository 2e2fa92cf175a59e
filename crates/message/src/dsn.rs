//! Delivery status notifications (RFC 3464) for bounces: a multipart/report
//! with a human-readable part, the machine-readable status and the original
//! message's header.

use crate::header::header_fields;

/// One recipient the bounce reports on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRecipient {
    pub recipient: String,
    /// Enhanced status code, e.g. `5.1.1` or `4.4.7`.
    pub status: String,
    /// What the remote server said (`smtp; 550 5.1.1 ...`) or why the MTA gave up.
    pub diagnostic: String,
    /// The host that answered, if one did.
    pub remote_mta: Option<String>,
}

/// What goes into a bounce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce<'a> {
    /// The MTA that gives up, e.g. `mail.a.example`.
    pub reporting_mta: &'a str,
    /// Where the bounce goes: the failed message's reverse-path.
    pub to: &'a str,
    /// RFC 5322 date-time of the bounce and of the original's arrival.
    pub date: &'a str,
    pub arrival_date: &'a str,
    /// A unique token for the Message-ID (the queue id serves).
    pub id: &'a str,
    pub failed: &'a [FailedRecipient],
    pub original: &'a [u8],
}

/// The bounce as a complete RFC 5322 message with CRLF line endings.
pub fn bounce_message(b: &Bounce<'_>) -> Vec<u8> {
    let boundary = format!("{}/{}", b.id, b.reporting_mta);
    let mut m = String::new();
    m.push_str(&format!("From: Mail Delivery System <MAILER-DAEMON@{}>\r\n", b.reporting_mta));
    m.push_str(&format!("To: <{}>\r\n", b.to));
    m.push_str("Subject: Undelivered Mail Returned to Sender\r\n");
    m.push_str(&format!("Date: {}\r\n", b.date));
    m.push_str(&format!("Message-ID: <{}.bounce@{}>\r\n", b.id, b.reporting_mta));
    m.push_str("Auto-Submitted: auto-replied\r\n");
    m.push_str("MIME-Version: 1.0\r\n");
    m.push_str(&format!(
        "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{boundary}\"\r\n\r\n"
    ));
    m.push_str("This is a MIME-encapsulated message.\r\n\r\n");
    // 1. For people.
    m.push_str(&format!("--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"));
    m.push_str(&format!("This is the mail system at host {}.\r\n\r\n", b.reporting_mta));
    m.push_str("Your message could not be delivered to one or more recipients.\r\n");
    m.push_str("The reasons are given below.\r\n\r\n");
    for f in b.failed {
        m.push_str(&format!("<{}>: {}\r\n", f.recipient, f.diagnostic));
    }
    m.push_str("\r\n");
    // 2. For programs (RFC 3464 §2.2, §2.3).
    m.push_str(&format!("--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"));
    m.push_str(&format!("Reporting-MTA: dns; {}\r\n", b.reporting_mta));
    m.push_str(&format!("Arrival-Date: {}\r\n", b.arrival_date));
    for f in b.failed {
        m.push_str("\r\n");
        m.push_str(&format!("Final-Recipient: rfc822; {}\r\n", f.recipient));
        m.push_str("Action: failed\r\n");
        m.push_str(&format!("Status: {}\r\n", f.status));
        if let Some(remote) = &f.remote_mta {
            m.push_str(&format!("Remote-MTA: dns; {remote}\r\n"));
        }
        m.push_str(&format!("Diagnostic-Code: {}\r\n", f.diagnostic));
    }
    m.push_str("\r\n");
    // 3. The original header (RFC 3462 text/rfc822-headers).
    m.push_str(&format!("--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"));
    let mut out = m.into_bytes();
    let fields = header_fields(b.original);
    let header_end = fields.last().map_or(0, |f| f.offset + f.len);
    out.extend_from_slice(&b.original[..header_end]);
    if header_end > 0 && !b.original[..header_end].ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header_value;

    #[test]
    fn bounce_has_the_three_parts_of_rfc3464() {
        let failed = [FailedRecipient {
            recipient: "nobody@b.example".into(),
            status: "5.1.1".into(),
            diagnostic: "smtp; 550 5.1.1 <nobody@b.example>: User unknown".into(),
            remote_mta: Some("mail.b.example".into()),
        }];
        let original = b"From: alice@a.example\r\nSubject: hi\r\n\r\nsecret body\r\n";
        let b = Bounce {
            reporting_mta: "mail.a.example",
            to: "alice@a.example",
            date: "Wed, 1 Apr 2026 09:05:00 +0000",
            arrival_date: "Wed, 1 Apr 2026 09:00:00 +0000",
            id: "C1-1",
            failed: &failed,
            original,
        };
        let msg = bounce_message(&b);
        let text = String::from_utf8(msg.clone()).unwrap();
        assert_eq!(header_value(&msg, "Subject").as_deref(), Some("Undelivered Mail Returned to Sender"));
        assert!(text.contains("Content-Type: multipart/report; report-type=delivery-status;"));
        assert!(text.contains("Final-Recipient: rfc822; nobody@b.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"));
        assert!(text.contains("Remote-MTA: dns; mail.b.example\r\n"));
        assert!(text.contains("Content-Type: text/rfc822-headers\r\n\r\nFrom: alice@a.example\r\nSubject: hi\r\n"));
        assert!(!text.contains("secret body"), "only the header of the original is returned");
        assert!(text.ends_with("--C1-1/mail.a.example--\r\n"));
        assert!(text.lines().all(|l| l.len() <= 998));
    }
}
