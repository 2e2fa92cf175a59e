//! Every refusal the server can give, as table rows: what was sent in which
//! state, and the exact reply a learner sees. Plus the SMTP smuggling cases.
#![allow(clippy::unwrap_used)]

mod support;

use mail_lab_proto::Engine;
use mail_lab_smtp::{ServerConfig, TlsMode, explain_state};
use support::{Harness, TestHost};

fn mx() -> Harness {
    let mut config = ServerConfig::mx("mx.foo.com", &["foo.com"]);
    config.tls = TlsMode::Unavailable;
    config.max_recipients = 2;
    Harness::new(config, TestHost::new("foo.com", &[("jones", "pw"), ("brown", "pw"), ("green", "pw")]), "192.0.2.1").0
}

const EHLO: &[&str] = &["EHLO bar.com"];
const MAIL: &[&str] = &["EHLO bar.com", "MAIL FROM:<a@bar.com>"];
const RCPT: &[&str] = &["EHLO bar.com", "MAIL FROM:<a@bar.com>", "RCPT TO:<jones@foo.com>"];

#[test]
fn refusals_name_the_expected_form() {
    let rows: &[(&[&str], &str, &str)] = &[
        (&[], "MAIL FROM:<a@bar.com>", "503 Bad sequence of commands: send EHLO or HELO first"),
        (&[], "RCPT TO:<jones@foo.com>", "503 Bad sequence of commands: send EHLO or HELO first"),
        (&[], "DATA", "503 Bad sequence of commands: send EHLO or HELO first"),
        (EHLO, "RCPT TO:<jones@foo.com>", "503 5.5.1 Bad sequence of commands: need MAIL before RCPT"),
        (EHLO, "DATA", "503 5.5.1 Bad sequence of commands: need MAIL and RCPT before DATA"),
        (MAIL, "DATA", "554 5.5.1 No valid recipients: give RCPT TO first"),
        (
            MAIL,
            "MAIL FROM:<b@bar.com>",
            "503 5.5.1 Bad sequence of commands: nested MAIL; finish this mail or RSET first",
        ),
        (&[], "EHLO", "501 Syntax: EHLO domain (or EHLO [address-literal])"),
        (&[], "EHLO not a domain", "501 Syntax: EHLO domain (or EHLO [address-literal])"),
        (&[], "HELO -bad-", "501 Syntax: HELO domain"),
        (
            EHLO,
            "MAIL FROM: <a@bar.com>",
            // As textbooks print it: accepted (as Postfix does), and the reply teaches the form.
            "250 2.1.0 Sender <a@bar.com> OK (accepted, but RFC 5321 has no space after \"FROM:\")",
        ),
        (EHLO, "MAIL FROM:a@bar.com", "501 5.5.4 Syntax: MAIL FROM:<reverse-path> [SP Mail-parameters]"),
        (EHLO, "MAIL", "501 5.5.4 Syntax: MAIL FROM:<reverse-path> [SP Mail-parameters]"),
        (EHLO, "MAIL TO:<a@bar.com>", "501 5.5.4 Syntax: MAIL FROM:<reverse-path> [SP Mail-parameters]"),
        (EHLO, "MAIL FROM:<a@bar.com> FOO=1", "555 5.5.4 MAIL FROM parameter FOO not recognized or not implemented"),
        // AUTH= belongs to a service that has AUTH (RFC 4954 §5); this MX has none.
        (EHLO, "MAIL FROM:<a@bar.com> AUTH=<>", "555 5.5.4 MAIL FROM parameter AUTH not recognized or not implemented"),
        (EHLO, "MAIL FROM:<a@bar.com> SIZE=lots", "501 5.5.4 Syntax: SIZE=<number of octets> (RFC 1870)"),
        (EHLO, "MAIL FROM:<a@bar.com> BODY=BINARYMIME", "501 5.5.4 Syntax: BODY=7BIT or BODY=8BITMIME (RFC 6152)"),
        (EHLO, "MAIL FROM:<a@bar.com> SIZE=1 SIZE=2", "501 5.5.4 Duplicate MAIL parameter SIZE"),
        // A known parameter written wrong is a syntax error (501), not an unknown one (555).
        (EHLO, "MAIL FROM:<a@bar.com> SIZE=+5", "501 5.5.4 Syntax: SIZE=<number of octets> (RFC 1870)"),
        (EHLO, "MAIL FROM:<a@bar.com> SIZE", "501 5.5.4 Syntax: SIZE=<number of octets> (RFC 1870)"),
        (
            EHLO,
            "MAIL FROM:<a@bar.com> SIZE=99999999999999999999",
            "552 5.3.4 Message size exceeds fixed maximum message size (10485760 octets)",
        ),
        (EHLO, "MAIL FROM:<a@bar.com> SMTPUTF8=yes", "501 5.5.4 Syntax: SMTPUTF8 takes no value (RFC 6531)"),
        (
            EHLO,
            "MAIL FROM:<a@bar.com> ENVID=x+ZZ",
            "501 5.5.4 Syntax: ENVID=<at most 100 characters of xtext> (RFC 3461)",
        ),
        (EHLO, "MAIL FROM:<a@bar.com> ENVID", "501 5.5.4 Syntax: ENVID=<at most 100 characters of xtext> (RFC 3461)"),
        (
            MAIL,
            "RCPT TO:<jones@foo.com> NOTIFY",
            "501 5.5.4 Syntax: NOTIFY=NEVER or NOTIFY=SUCCESS,FAILURE,DELAY; ORCPT=addr-type;address (RFC 3461)",
        ),
        (MAIL, "RCPT TO:<jones@foo.com> NOTIFY=NEVER NOTIFY=SUCCESS", "501 5.5.4 Duplicate RCPT parameter NOTIFY"),
        (&["HELO bar.com"], "MAIL FROM:<a@bar.com> SIZE=10", "555 MAIL parameters need EHLO, not HELO"),
        (
            MAIL,
            "RCPT TO: <jones@foo.com>",
            "250 2.1.5 Recipient <jones@foo.com> OK (accepted, but RFC 5321 has no space after \"TO:\")",
        ),
        (MAIL, "RCPT TO:<>", "501 5.5.4 Syntax: RCPT TO:<forward-path> [SP Rcpt-parameters]"),
        (MAIL, "RCPT TO:<jones@foo.com> XYZ=1", "555 5.5.4 RCPT TO parameter XYZ not recognized or not implemented"),
        (MAIL, "RCPT TO:<nobody@foo.com>", "550 5.1.1 No such user here"),
        (MAIL, "RCPT TO:<Postmaster>", "250 2.1.5 Recipient <Postmaster> OK"),
        (
            &["EHLO bar.com", "MAIL FROM:<a@bar.com>", "RCPT TO:<jones@foo.com>", "RCPT TO:<brown@foo.com>"],
            "RCPT TO:<green@foo.com>",
            "452 4.5.3 Too many recipients (at most 2 per message)",
        ),
        (RCPT, "DATA now", "501 5.5.4 Syntax: DATA (no arguments)"),
        (EHLO, "RSET now", "501 5.5.4 Syntax: RSET (no arguments)"),
        (EHLO, "QUIT now", "501 5.5.4 Syntax: QUIT (no arguments)"),
        (EHLO, "VRFY", "501 5.5.4 Syntax: VRFY user-name or VRFY <address>"),
        (EHLO, "EXPN staff", "550 5.1.1 Mailing list unknown: staff"),
        (EHLO, "EXPN", "501 5.5.4 Syntax: EXPN list-name"),
        (EHLO, "STARTTLS", "502 5.5.1 STARTTLS is not offered on this service"),
        (EHLO, "AUTH PLAIN", "502 5.5.1 AUTH is not offered on this service"),
        (EHLO, "HELP FOO", "504 5.5.1 HELP: no help for FOO"),
        (
            EHLO,
            "HELP mail",
            "214 2.0.0 MAIL FROM:<address> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8]: start a message; the envelope sender",
        ),
        (
            EHLO,
            "XYZZY",
            "500 5.5.1 Command unrecognized: XYZZY. Valid now: MAIL EHLO HELO NOOP RSET VRFY EXPN HELP QUIT",
        ),
        (
            RCPT,
            "XYZZY",
            "500 5.5.1 Command unrecognized: XYZZY. Valid now: RCPT DATA BDAT NOOP RSET VRFY EXPN HELP QUIT",
        ),
        (EHLO, "", "500 5.5.2 Syntax error: empty command (try HELP)"),
        (EHLO, "noop", "250 2.0.0 OK"),
    ];
    for (setup, command, expected) in rows {
        let mut h = mx();
        for line in *setup {
            h.line(line);
        }
        assert_eq!(h.line(command), format!("{expected}\r\n"), "after {setup:?}, sending {command:?}");
    }
}

#[test]
fn bad_bytes_in_commands_are_refused_and_the_session_goes_on() {
    let rows: &[(&[u8], &str)] = &[
        (b"NO\0OP\r\n", "500 5.5.2 Syntax error: NUL octet in command"),
        (b"NOOP \xff\xfe\r\n", "500 5.5.2 Syntax error: command is not valid UTF-8"),
        // Echoed text keeps to TAB and printable characters (RFC 5321 §4.2): a CR
        // from the client cannot make a second reply line.
        (
            b"FOO\rX\r\n",
            "500 5.5.1 Command unrecognized: FOO?X. Valid now: MAIL EHLO HELO NOOP RSET VRFY EXPN HELP QUIT",
        ),
        (b"VRFY a\r250 2.1.5 ok\r\n", "550 5.1.1 User unknown: a?250 2.1.5 ok"),
        (b"HELP x\x1b[2J\r\n", "504 5.5.1 HELP: no help for X?[2J"),
    ];
    for (bytes, expected) in rows {
        let mut h = mx();
        h.line("EHLO bar.com");
        assert_eq!(h.send(bytes), format!("{expected}\r\n"));
        assert_eq!(h.line("NOOP"), "250 2.0.0 OK\r\n");
    }
    // 513 octets with CRLF is one too many; a line of megabytes costs nothing.
    let mut h = mx();
    h.line("EHLO bar.com");
    let long = format!("NOOP {}\r\n", "x".repeat(506));
    assert_eq!(long.len(), 513);
    let too_long = "500 5.5.2 Line too long: commands are limited to 512 octets including CRLF, MAIL and RCPT with parameters to 2048 (RFC 5321 4.5.3.1.4)\r\n";
    assert_eq!(h.send(long.as_bytes()), too_long);
    assert_eq!(h.send(format!("NOOP {}\r\n", "x".repeat(505)).as_bytes()), "250 2.0.0 OK\r\n");
    for _ in 0..20 {
        assert_eq!(h.send(&vec![b'A'; 1 << 20]), "");
    }
    assert_eq!(h.send(b"\r\nNOOP\r\n"), format!("{too_long}250 2.0.0 OK\r\n"));
    // MAIL and RCPT carry parameters, which lengthen the line (RFC 1869 §4.1.2):
    // an ORCPT may be 500 characters (RFC 3461 §4.2).
    h.line("MAIL FROM:<a@bar.com>");
    let orcpt =
        format!("RCPT TO:<jones@foo.com> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;{}@foo.com", "j".repeat(480));
    assert!(orcpt.len() > 512);
    assert_eq!(h.line(&orcpt), "250 2.1.5 Recipient <jones@foo.com> OK\r\n");
}

/// SMTP smuggling: only <CRLF>.<CRLF> ends DATA. Every other candidate is read as
/// data up to the real end, and the message is refused as a whole, so the
/// "smuggled" second message is never seen as commands.
#[test]
fn smuggling_forms_never_end_data() {
    let bare = "554 5.6.0 Message rejected: bare LF or CR in message data; every line must end with CRLF (RFC 5321 2.3.8, SMTP smuggling protection)";
    let rows: &[(&[u8], &str)] = &[
        (b"Subject: a\r\n\r\nx\n.\nMAIL FROM:<evil@x.example>\r\nRCPT TO:<brown@foo.com>\r\nDATA\r\nsmuggled\r\n.\r\n", bare),
        (b"Subject: a\r\n\r\nx\r.\rMAIL FROM:<evil@x.example>\r\n.\r\n", bare),
        (b"Subject: a\r\n\r\nx\n.\r\nMAIL FROM:<evil@x.example>\r\n.\r\n", bare),
        (b"Subject: a\r\n\r\nx\r\n.\nMAIL FROM:<evil@x.example>\r\n.\r\n", bare),
        (b"Subject: a\r\n\r\nx\0y\r\n.\r\n", "554 5.6.0 Message rejected: NUL octet in message data"),
    ];
    for (data, expected) in rows {
        let mut h = mx();
        for line in RCPT {
            h.line(line);
        }
        h.line("DATA");
        assert_eq!(h.send(data), format!("{expected}\r\n"), "{}", String::from_utf8_lossy(data));
        assert!(h.host.delivered.is_empty());
        assert_eq!(h.server.state_key(), "ready", "the transaction is over, no smuggled MAIL ran");
    }
    let mut h = mx();
    for line in RCPT {
        h.line(line);
    }
    h.line("DATA");
    let long = format!("{}\r\n.\r\n", "y".repeat(999));
    assert_eq!(
        h.send(long.as_bytes()),
        "554 5.6.0 Message rejected: a text line is longer than 1000 octets including CRLF (RFC 5321 4.5.3.1.6)\r\n"
    );
    // The dot added for transparency is not counted (RFC 5321 §4.5.3.1.6): 998
    // octets that begin with "." are 1001 on the wire, and fit.
    let mut h = mx();
    for line in RCPT {
        h.line(line);
    }
    h.line("DATA");
    let stuffed = format!("..{}\r\n.\r\n", "y".repeat(997));
    assert!(h.send(stuffed.as_bytes()).starts_with("250 "));
}

#[test]
fn every_state_has_an_explanation_and_a_hint() {
    let mut h = mx();
    let mut seen = Vec::new();
    for line in ["EHLO bar.com", "MAIL FROM:<a@bar.com>", "RCPT TO:<jones@foo.com>", "DATA", "x", ".", "QUIT"] {
        let key = h.server.state_key();
        let hint = Engine::hint(&h.server);
        assert_eq!(hint.state, key);
        assert_ne!(explain_state(key).en, "Unknown state.", "{key}");
        assert!(!explain_state(key).ja.is_empty());
        seen.push(key);
        h.line(line);
    }
    assert_eq!(h.server.state_key(), "closed");
    assert_eq!(seen, ["connected", "ready", "mail", "rcpt", "data", "data", "ready"]);
}

#[test]
fn the_valid_now_list_names_expn_only_where_ehlo_lists_it() {
    for expn in [true, false] {
        let mut config = ServerConfig::mx("mx.foo.com", &["foo.com"]);
        config.tls = TlsMode::Unavailable;
        config.expn = expn;
        let (mut h, _) = Harness::new(config, TestHost::new("foo.com", &[("jones", "pw")]), "192.0.2.1");
        let ehlo = h.line("EHLO bar.com");
        let listed = Engine::hint(&h.server).allowed.contains(&"EXPN");
        assert_eq!(ehlo.contains("250-EXPN"), expn, "{ehlo}");
        assert_eq!(listed, expn);
        assert_eq!(h.line("XYZZY").contains(" EXPN "), expn);
        assert!(h.line("EXPN staff").starts_with(if expn { "550 " } else { "502 " }));
    }
}

#[test]
fn a_submission_service_asks_for_auth_before_mail() {
    let mut config = ServerConfig::submission("mail.a.example", &["a.example"]);
    config.tls = TlsMode::Unavailable;
    config.auth_requires_tls = false;
    let (mut h, _) = Harness::new(config, TestHost::new("a.example", &[("alice", "pw")]), "192.0.2.10");
    h.line("EHLO pc.a.example");
    assert_eq!(h.server.state_key(), "login_first");
    assert!(explain_state("login_first").en.contains("AUTH before MAIL FROM"));
    assert!(h.line("MAIL FROM:<alice@a.example>").starts_with("530 "));
    assert!(h.line("AUTH PLAIN AGFsaWNlAHB3").starts_with("235 "));
    assert_eq!(h.server.state_key(), "ready");
}

#[test]
fn the_auth_parameter_is_xtext_where_auth_is_offered() {
    let mut config = ServerConfig::submission("mail.foo.com", &["foo.com"]);
    config.tls = TlsMode::Unavailable;
    config.auth_requires_tls = false;
    config.require_auth = false;
    let (mut h, _) = Harness::new(config, TestHost::new("foo.com", &[("jones", "pw")]), "192.0.2.1");
    h.line("EHLO bar.com");
    assert_eq!(h.line("MAIL FROM:<a@bar.com> AUTH=<>"), "250 2.1.0 Sender <a@bar.com> OK\r\n");
    h.line("RSET");
    assert_eq!(h.line("MAIL FROM:<a@bar.com> AUTH=a+2Bb@bar.com"), "250 2.1.0 Sender <a@bar.com> OK\r\n");
    h.line("RSET");
    assert_eq!(
        h.line("MAIL FROM:<a@bar.com> AUTH=a+b@bar.com"),
        "501 5.5.4 Syntax: AUTH=<> or AUTH=an address in xtext (RFC 4954 §5)\r\n"
    );
}

#[test]
fn a_service_that_requires_auth_answers_vrfy_and_expn_only_after_it() {
    // RFC 4954 §6: 530 to any command but AUTH, EHLO, HELO, NOOP, RSET and QUIT; else
    // anyone could list a submission service's users.
    let mut config = ServerConfig::submission("mail.foo.com", &["foo.com"]);
    config.tls = TlsMode::Unavailable;
    config.auth_requires_tls = false;
    let (mut h, _) = Harness::new(config, TestHost::new("foo.com", &[("jones", "pw")]), "192.0.2.1");
    h.line("EHLO bar.com");
    for verb in ["VRFY", "EXPN"] {
        assert_eq!(
            h.line(&format!("{verb} jones")),
            format!("530 5.7.0 Authentication required: log in with AUTH before {verb}\r\n")
        );
    }
    assert!(h.line("AUTH PLAIN AGpvbmVzAHB3").starts_with("235 "));
    assert_eq!(h.line("VRFY jones"), "250 2.1.5 <jones@foo.com>\r\n");
}

#[test]
fn the_auth_parameter_waits_for_auth_to_be_offered() {
    // Before STARTTLS this service offers no AUTH (it needs TLS first): AUTH= is 555 there.
    let mut config = ServerConfig::submission("mail.foo.com", &["foo.com"]);
    config.tls = TlsMode::StartTls;
    config.auth_requires_tls = true;
    config.require_auth = false;
    let (mut h, _) = Harness::new(config, TestHost::new("foo.com", &[("jones", "pw")]), "192.0.2.1");
    assert!(!h.line("EHLO bar.com").contains("AUTH"));
    assert_eq!(
        h.line("MAIL FROM:<a@bar.com> AUTH=<>"),
        "555 5.5.4 MAIL FROM parameter AUTH not recognized or not implemented\r\n"
    );
}
