//! Delivery status notifications (RFC 3464): a multipart/report with a
//! human-readable part, the machine-readable status and the original message
//! (its header, or all of it for RET=FULL). Bounces report failures; a sender
//! who asked with NOTIFY (RFC 3461) also gets reports of delays and deliveries.

use crate::header::header_fields;

/// One recipient the report is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailedRecipient {
    pub recipient: String,
    /// Enhanced status code, e.g. `5.1.1`, `4.4.7` or `2.0.0`.
    pub status: String,
    /// What the remote server said (`smtp; 550 5.1.1 ...`) or why the MTA gave up.
    pub diagnostic: String,
    /// The host that answered, if one did.
    pub remote_mta: Option<String>,
    /// The sender's ORCPT for it (`rfc822;bob@a.example`), echoed as Original-Recipient.
    pub original_recipient: Option<String>,
}

/// What happened to the recipients a report is about (RFC 3464 §2.3.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReportAction {
    /// Given up: a bounce.
    #[default]
    Failed,
    /// Still being tried (NOTIFY=DELAY).
    Delayed,
    /// Stored in the recipient's mailbox (NOTIFY=SUCCESS).
    Delivered,
}

/// What goes into a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce<'a> {
    /// The MTA that reports, e.g. `mail.a.example`.
    pub reporting_mta: &'a str,
    /// Where the report goes: the message's reverse-path.
    pub to: &'a str,
    /// RFC 5322 date-time of the report and of the original's arrival.
    pub date: &'a str,
    pub arrival_date: &'a str,
    /// A unique token for the Message-ID (the queue id serves).
    pub id: &'a str,
    pub failed: &'a [FailedRecipient],
    pub original: &'a [u8],
    pub action: ReportAction,
    /// The sender's ENVID, echoed as Original-Envelope-Id (RFC 3461 §6.3).
    pub envid: Option<&'a str>,
    /// RET=FULL: the whole original, not only its header (RFC 3461 §4.3).
    pub full: bool,
}

/// Most octets a report returns whole for RET=FULL; a larger message comes back
/// as its header, as Postfix's `bounce_size_limit` (50,000) does, so the report
/// is not itself refused for its size (RFC 3461 §4.3 allows it).
pub const FULL_RETURN_LIMIT: usize = 50_000;

/// The report as a complete RFC 5322 message with CRLF line endings.
pub fn bounce_message(b: &Bounce<'_>) -> Vec<u8> {
    let (subject, what, action) = match b.action {
        ReportAction::Failed => (
            "Undelivered Mail Returned to Sender",
            "Your message could not be delivered to one or more recipients.\r\nThe reasons are given below.",
            "failed",
        ),
        ReportAction::Delayed => (
            "Delayed Mail (still being retried)",
            "Your message could not be delivered yet; the mail system will keep trying.\r\nThe reasons are given below.",
            "delayed",
        ),
        ReportAction::Delivered => (
            "Successful Mail Delivery Report",
            "Your message was delivered to the mailbox of the recipients below,\r\nas you asked with NOTIFY=SUCCESS.",
            "delivered",
        ),
    };
    let boundary = format!("{}/{}", b.id, b.reporting_mta);
    let mut m = String::new();
    m.push_str(&format!("From: Mail Delivery System <MAILER-DAEMON@{}>\r\n", b.reporting_mta));
    m.push_str(&format!("To: <{}>\r\n", b.to));
    m.push_str(&format!("Subject: {subject}\r\n"));
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
    m.push_str(&format!("This is the mail system at host {}.\r\n\r\n{what}\r\n\r\n", b.reporting_mta));
    for f in b.failed {
        m.push_str(&format!("<{}>: {}\r\n", f.recipient, f.diagnostic));
    }
    m.push_str("\r\n");
    // 2. For programs (RFC 3464 §2.2, §2.3).
    m.push_str(&format!("--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"));
    if let Some(envid) = b.envid {
        m.push_str(&format!("Original-Envelope-Id: {envid}\r\n"));
    }
    m.push_str(&format!("Reporting-MTA: dns; {}\r\n", b.reporting_mta));
    m.push_str(&format!("Arrival-Date: {}\r\n", b.arrival_date));
    for f in b.failed {
        m.push_str("\r\n");
        if let Some(original) = &f.original_recipient {
            // addr-type ";" xtext, as the sender gave it (RFC 3464 §2.3.1).
            m.push_str(&format!("Original-Recipient: {original}\r\n"));
        }
        m.push_str(&format!("Final-Recipient: rfc822; {}\r\n", f.recipient));
        m.push_str(&format!("Action: {action}\r\n"));
        m.push_str(&format!("Status: {}\r\n", f.status));
        if let Some(remote) = &f.remote_mta {
            m.push_str(&format!("Remote-MTA: dns; {remote}\r\n"));
        }
        m.push_str(&format!("Diagnostic-Code: {}\r\n", f.diagnostic));
    }
    m.push_str("\r\n");
    // 3. The original: all of it (message/rfc822) or its header (RFC 3462 text/rfc822-headers).
    let full = b.full && b.original.len() <= FULL_RETURN_LIMIT;
    let returned =
        if full { b.original.len() } else { header_fields(b.original).last().map_or(0, |f| f.offset + f.len) };
    let kind = if full { "message/rfc822" } else { "text/rfc822-headers" };
    m.push_str(&format!("--{boundary}\r\nContent-Type: {kind}\r\n"));
    // An 8-bit message is not 7bit, the default for a part that does not say.
    if full && !b.original.is_ascii() {
        m.push_str("Content-Transfer-Encoding: 8bit\r\n");
    }
    m.push_str("\r\n");
    let mut out = m.into_bytes();
    out.extend_from_slice(&b.original[..returned]);
    if returned > 0 && !b.original[..returned].ends_with(b"\r\n") {
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
            original_recipient: None,
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
            action: ReportAction::Failed,
            envid: None,
            full: false,
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

    #[test]
    fn a_success_report_with_ret_full_envid_and_orcpt() {
        // RFC 3461 §6: ENVID and ORCPT come back as the sender wrote them; RET=FULL
        // returns the whole message.
        let delivered = [FailedRecipient {
            recipient: "bob@b.example".into(),
            status: "2.0.0".into(),
            diagnostic: "x-lab; delivered to the mailbox".into(),
            original_recipient: Some("rfc822;Bob@b.example".into()),
            ..Default::default()
        }];
        let report = |original: &[u8], envid| {
            bounce_message(&Bounce {
                reporting_mta: "mail.b.example",
                to: "alice@a.example",
                date: "Wed, 1 Apr 2026 09:05:00 +0000",
                arrival_date: "Wed, 1 Apr 2026 09:00:00 +0000",
                id: "C2-1",
                failed: &delivered,
                original,
                action: ReportAction::Delivered,
                envid,
                full: true,
            })
        };
        let original = b"From: alice@a.example\r\nSubject: hi\r\n\r\nthe body\r\n";
        let msg = report(original, Some("QQ314159"));
        let text = String::from_utf8(msg.clone()).unwrap();
        assert_eq!(header_value(&msg, "Subject").as_deref(), Some("Successful Mail Delivery Report"));
        assert!(text.contains("Original-Envelope-Id: QQ314159\r\nReporting-MTA: dns; mail.b.example\r\n"));
        assert!(text.contains(
            "Original-Recipient: rfc822;Bob@b.example\r\nFinal-Recipient: rfc822; bob@b.example\r\nAction: delivered\r\nStatus: 2.0.0\r\n"
        ));
        assert!(
            text.contains(
                "Content-Type: message/rfc822\r\n\r\nFrom: alice@a.example\r\nSubject: hi\r\n\r\nthe body\r\n"
            )
        );
        // Past FULL_RETURN_LIMIT only the header comes back; an 8-bit one says 8bit.
        let big = [&original[..], &vec![b'x'; FULL_RETURN_LIMIT]].concat();
        let eight = "From: alice@a.example\r\nSubject: hi\r\n\r\nd\u{e9}j\u{e0}\r\n".as_bytes();
        for (original, expected) in [
            (&big[..], "Content-Type: text/rfc822-headers\r\n\r\nFrom:"),
            (eight, "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\nFrom:"),
        ] {
            assert!(String::from_utf8_lossy(&report(original, None)).contains(expected), "{expected}");
        }
    }
}
