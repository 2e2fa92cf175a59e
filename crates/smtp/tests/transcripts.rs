//! RFC 5321 Appendix D and the ESMTP extensions, replayed as C:/S: transcripts
//! against the server engine. Server wording is the lab's; codes, order and
//! meaning are the RFCs'.
#![allow(clippy::unwrap_used)]

mod support;

use mail_lab_proto::Output;
use mail_lab_proto::sasl::Mechanism;
use mail_lab_smtp::{RelayPolicy, ServerConfig, TlsMode};
use support::{Harness, TestHost, replay};

fn foo_com() -> (ServerConfig, TestHost) {
    let mut config = ServerConfig::mx("foo.com", &["foo.com"]);
    config.tls = TlsMode::Unavailable;
    (config, TestHost::new("foo.com", &[("Jones", "j-pw"), ("Brown", "b-pw"), ("Crispin", "c-pw")]))
}

const EHLO_FOO: &str = "
S: 250-foo.com Hello bar.com [192.0.2.1]
S: 250-PIPELINING
S: 250-SIZE 10485760
S: 250-8BITMIME
S: 250-ENHANCEDSTATUSCODES
S: 250-SMTPUTF8
S: 250-DSN
S: 250-CHUNKING
S: 250-VRFY
S: 250-EXPN
S: 250 HELP";

/// RFC 5321 D.1: a typical SMTP transaction, one recipient refused.
#[test]
fn rfc5321_d1_typical_transaction() {
    let (config, host) = foo_com();
    let t = format!(
        "S: 220 foo.com ESMTP Mail Lab ready
         C: EHLO bar.com{EHLO_FOO}
         C: MAIL FROM:<Smith@bar.com>
         S: 250 2.1.0 Sender <Smith@bar.com> OK
         C: RCPT TO:<Jones@foo.com>
         S: 250 2.1.5 Recipient <Jones@foo.com> OK
         C: RCPT TO:<Green@foo.com>
         S: 550 5.1.1 No such user here
         C: RCPT TO:<Brown@foo.com>
         S: 250 2.1.5 Recipient <Brown@foo.com> OK
         C: DATA
         S: 354 End data with <CR><LF>.<CR><LF>
         C: Blah blah blah...
         C: ...etc. etc. etc.
         C: .
         S: 250 2.0.0 OK: queued as T1-1
         C: QUIT
         S: 221 2.0.0 foo.com closing connection"
    );
    let h = replay(config, host, "192.0.2.1", &t);
    assert_eq!(h.host.delivered.len(), 1);
    let d = &h.host.delivered[0];
    assert_eq!(d.envelope.reverse_path, "Smith@bar.com");
    assert_eq!(d.envelope.forward_paths, vec!["Jones@foo.com", "Brown@foo.com"]);
    let text = String::from_utf8(d.message.clone()).unwrap();
    assert_eq!(
        text,
        "Received: from bar.com ([192.0.2.1])\r\n\tby foo.com (Mail Lab) with ESMTP id T1-1;\r\n\tWed, 1 Apr 2026 09:00:00 +0000\r\nBlah blah blah...\r\n..etc. etc. etc.\r\n"
    );
    assert_eq!(h.controls, vec![Output::Close]);
}

/// RFC 5321 D.2: an aborted transaction.
#[test]
fn rfc5321_d2_aborted_transaction() {
    let (config, host) = foo_com();
    let t = format!(
        "S: 220 foo.com ESMTP Mail Lab ready
         C: EHLO bar.com{EHLO_FOO}
         C: MAIL FROM:<Smith@bar.com>
         S: 250 2.1.0 Sender <Smith@bar.com> OK
         C: RCPT TO:<Jones@foo.com>
         S: 250 2.1.5 Recipient <Jones@foo.com> OK
         C: RCPT TO:<Green@foo.com>
         S: 550 5.1.1 No such user here
         C: RSET
         S: 250 2.0.0 Reset OK
         C: QUIT
         S: 221 2.0.0 foo.com closing connection"
    );
    let h = replay(config, host, "192.0.2.1", &t);
    assert!(h.host.delivered.is_empty());
}

/// RFC 5321 D.3 step 1: a relay accepts mail for another domain from a trusted
/// client, and refuses it from anyone else.
#[test]
fn rfc5321_d3_relayed_mail() {
    let (mut config, host) = foo_com();
    config.relay = RelayPolicy::Addresses(vec!["192.0.2.1".into()]);
    let t = format!(
        "S: 220 foo.com ESMTP Mail Lab ready
         C: EHLO bar.com{EHLO_FOO}
         C: MAIL FROM:<JQP@bar.com>
         S: 250 2.1.0 Sender <JQP@bar.com> OK
         C: RCPT TO:<Jones@XYZ.COM>
         S: 250 2.1.5 Recipient <Jones@XYZ.COM> OK
         C: DATA
         S: 354 End data with <CR><LF>.<CR><LF>
         C: Date: Thu, 21 May 1998 05:33:29 -0700
         C: From: John Q. Public <JQP@bar.com>
         C: Subject: The Next Meeting of the Board
         C: To: Jones@xyz.com
         C:
         C: Bill:
         C: The next meeting of the board of directors will be
         C: on Tuesday.
         C: John.
         C: .
         S: 250 2.0.0 OK: queued as T1-1
         C: QUIT
         S: 221 2.0.0 foo.com closing connection"
    );
    let h = replay(config.clone(), host, "192.0.2.1", &t);
    assert_eq!(h.host.delivered[0].envelope.forward_paths, vec!["Jones@XYZ.COM"]);
    assert!(String::from_utf8_lossy(&h.host.delivered[0].message).contains("\r\n\tfor <Jones@XYZ.COM>;"));

    let (mut h, _) = Harness::new(config, TestHost::new("foo.com", &[]), "203.0.113.66");
    h.line("EHLO spam.example");
    h.line("MAIL FROM:<x@spam.example>");
    assert_eq!(
        h.line("RCPT TO:<Jones@XYZ.COM>"),
        "554 5.7.1 <Jones@XYZ.COM>: Relay access denied (this host only accepts mail for its own domains)\r\n"
    );
}

/// RFC 5321 D.4: verifying and sending; SEND is obsolete and unknown here.
#[test]
fn rfc5321_d4_verifying_and_sending() {
    let (config, host) = foo_com();
    let t = "S: 220 foo.com ESMTP Mail Lab ready
         C: HELO bar.com
         S: 250 foo.com Hello bar.com [192.0.2.1]
         C: VRFY Crispin
         S: 250 <crispin@foo.com>
         C: VRFY Nobody
         S: 550 User unknown: Nobody
         C: SEND FROM:<Smith@bar.com>
         S: 500 Command unrecognized: SEND. Valid now: MAIL EHLO HELO NOOP RSET VRFY EXPN HELP QUIT
         C: MAIL FROM:<Smith@bar.com>
         S: 250 Sender <Smith@bar.com> OK
         C: RCPT TO:<Crispin@foo.com>
         S: 250 Recipient <Crispin@foo.com> OK
         C: DATA
         S: 354 End data with <CR><LF>.<CR><LF>
         C: Blah blah blah...
         C: .
         S: 250 OK: queued as T1-1
         C: QUIT
         S: 221 foo.com closing connection";
    let h = replay(config, host, "192.0.2.1", t);
    // After HELO: no enhanced status codes, and the protocol is plain SMTP.
    assert!(String::from_utf8_lossy(&h.host.delivered[0].message).contains(" with SMTP id T1-1"));
}

/// RFC 2920: a pipelined group is answered in order, in one write.
#[test]
fn pipelining_answers_every_command_in_order() {
    let (config, host) = foo_com();
    let (mut h, _) = Harness::new(config, host, "192.0.2.1");
    h.line("EHLO bar.com");
    let out = h.send(
        b"MAIL FROM:<a@bar.com>\r\nRCPT TO:<Jones@foo.com>\r\nRCPT TO:<Green@foo.com>\r\nRCPT TO:<Brown@foo.com>\r\nDATA\r\n",
    );
    assert_eq!(
        out,
        "250 2.1.0 Sender <a@bar.com> OK\r\n250 2.1.5 Recipient <Jones@foo.com> OK\r\n550 5.1.1 No such user here\r\n250 2.1.5 Recipient <Brown@foo.com> OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
    );
    // Message and QUIT in one write, as a pipelining client may send them.
    let out = h.send(b"Subject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n");
    assert_eq!(out, "250 2.0.0 OK: queued as T1-1\r\n221 2.0.0 foo.com closing connection\r\n");
    // Byte by byte works too.
    let (mut h, _) = Harness::new(foo_com().0, foo_com().1, "192.0.2.1");
    let mut out = String::new();
    for b in b"EHLO bar.com\r\nNOOP\r\n" {
        out.push_str(&h.send(&[*b]));
    }
    assert!(out.ends_with("250 HELP\r\n250 2.0.0 OK\r\n"), "{out}");
}

fn submission() -> (ServerConfig, TestHost) {
    let mut config = ServerConfig::submission("mail.a.example", &["a.example"]);
    config.tls = TlsMode::StartTls;
    config.auth_requires_tls = false;
    (config, TestHost::new("a.example", &[("alice", "alice-pw"), ("tim", "tanstaaftanstaaf")]))
}

/// RFC 4954 + RFC 4616: AUTH PLAIN with an initial response; submission needs it.
#[test]
fn auth_plain_on_submission() {
    let (config, host) = submission();
    let t = "S: 220 mail.a.example ESMTP Mail Lab ready
         C: EHLO pc.a.example
         S: 250-mail.a.example Hello pc.a.example [192.0.2.10]
         S: 250-PIPELINING
         S: 250-SIZE 10485760
         S: 250-8BITMIME
         S: 250-ENHANCEDSTATUSCODES
         S: 250-SMTPUTF8
         S: 250-DSN
         S: 250-CHUNKING
         S: 250-VRFY
         S: 250-EXPN
         S: 250-STARTTLS
         S: 250-AUTH PLAIN LOGIN CRAM-MD5
         S: 250 HELP
         C: MAIL FROM:<alice@a.example>
         S: 530 5.7.0 Authentication required: log in with AUTH before MAIL
         C: AUTH PLAIN AGFsaWNlAHdyb25n
         S: 535 5.7.8 Authentication credentials invalid
         C: AUTH PLAIN AGFsaWNlAGFsaWNlLXB3
         S: 235 2.7.0 Authentication successful
         C: AUTH PLAIN AGFsaWNlAGFsaWNlLXB3
         S: 503 5.5.1 Bad sequence of commands: already authenticated
         C: MAIL FROM:<alice@a.example>
         S: 250 2.1.0 Sender <alice@a.example> OK
         C: RCPT TO:<carol@b.example>
         S: 250 2.1.5 Recipient <carol@b.example> OK
         C: DATA
         S: 354 End data with <CR><LF>.<CR><LF>
         C: Subject: relayed for an authenticated user
         C: .
         S: 250 2.0.0 OK: queued as T1-1";
    let h = replay(config, host, "192.0.2.10", t);
    let d = &h.host.delivered[0];
    assert_eq!(d.authenticated_as.as_deref(), Some("alice@a.example"));
    assert!(String::from_utf8_lossy(&d.message).contains(" with ESMTPA id T1-1"));
}

/// RFC 2195's CRAM-MD5 exchange and LOGIN, and cancelling with `*`.
#[test]
fn auth_cram_md5_login_and_cancel() {
    let (config, host) = submission();
    let (mut h, _) = Harness::new(config, host, "192.0.2.10");
    h.line("EHLO pc.a.example");
    // The challenge is built from the session id, the time and the host name.
    let challenge = h.line("AUTH CRAM-MD5");
    let expected = format!("<T1.{}@mail.a.example>", support::NOW.as_secs());
    assert_eq!(challenge, format!("334 {}\r\n", mail_lab_proto::sasl::encode_base64(expected.as_bytes())));
    let answer =
        mail_lab_proto::sasl::client_answer(Mechanism::CramMd5, "tim", "tanstaaftanstaaf", expected.as_bytes());
    assert_eq!(h.line(&mail_lab_proto::sasl::encode_base64(&answer)), "235 2.7.0 Authentication successful\r\n");

    let (config, host) = submission();
    let (mut h, _) = Harness::new(config, host, "192.0.2.10");
    h.line("EHLO pc.a.example");
    assert_eq!(h.line("AUTH LOGIN"), "334 VXNlcm5hbWU6\r\n");
    assert_eq!(h.line("YWxpY2U="), "334 UGFzc3dvcmQ6\r\n");
    assert_eq!(h.line("YWxpY2UtcHc="), "235 2.7.0 Authentication successful\r\n");

    let (config, host) = submission();
    let (mut h, _) = Harness::new(config, host, "192.0.2.10");
    h.line("EHLO pc.a.example");
    assert_eq!(h.line("AUTH LOGIN"), "334 VXNlcm5hbWU6\r\n");
    assert_eq!(h.line("*"), "501 5.0.0 Authentication cancelled\r\n");
    assert_eq!(h.line("AUTH PLAIN"), "334 \r\n");
    assert_eq!(h.line("not base64!"), "501 5.5.2 Cannot decode the response: it must be base64\r\n");
    assert_eq!(
        h.line("AUTH DIGEST-MD5"),
        "504 5.5.4 Unrecognized authentication type DIGEST-MD5; offered: PLAIN LOGIN CRAM-MD5\r\n"
    );
    assert_eq!(h.line("NOOP"), "250 2.0.0 OK\r\n");

    // RFC 4954 §4: data that decodes but is rejected gets 535 (user NUL password
    // has one NUL too few); an initial response to a mechanism that takes none, 501.
    assert_eq!(
        h.line("AUTH PLAIN dXNlcgBwYXNz"),
        "535 5.7.8 Authentication credentials invalid: PLAIN response must be authzid NUL authcid NUL password\r\n"
    );
    assert_eq!(mail_lab_proto::Engine::failed_logins(&h.server), 1, "a login that failed");
    assert_eq!(h.line("AUTH CRAM-MD5 dGlt"), "501 5.5.2 Authentication failed: CRAM-MD5 takes no initial response\r\n");
    assert_eq!(mail_lab_proto::Engine::failed_logins(&h.server), 1, "a command refused, no login tried");
    assert_eq!(
        h.line("AUTH CRAM-MD5"),
        format!(
            "334 {}\r\n",
            mail_lab_proto::sasl::encode_base64(format!("<T1.{}@mail.a.example>", support::NOW.as_secs()).as_bytes())
        )
    );
    assert_eq!(
        h.line(&mail_lab_proto::sasl::encode_base64(b"tim-no-digest")),
        "535 5.7.8 Authentication credentials invalid: CRAM-MD5 response must be: user SP 32 hex digits\r\n"
    );
}

/// RFC 3207: STARTTLS switches the link, drops pipelined input, forgets EHLO;
/// AUTH that needs TLS is refused with 538 and not advertised before it.
#[test]
fn starttls_resets_the_session_and_unlocks_auth() {
    let (mut config, host) = submission();
    config.auth_requires_tls = true;
    let (mut h, _) = Harness::new(config, host, "192.0.2.10");
    let ehlo = h.line("EHLO pc.a.example");
    assert!(ehlo.contains("250-STARTTLS\r\n") && !ehlo.contains("AUTH"), "{ehlo}");
    assert_eq!(
        h.line("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3"),
        "538 5.7.11 Encryption required for requested authentication mechanism: use STARTTLS first\r\n"
    );
    // A command injected after STARTTLS in the same packet must not run.
    let out = h.send(b"STARTTLS\r\nMAIL FROM:<evil@x.example>\r\n");
    assert_eq!(out, "220 2.0.0 Ready to start TLS\r\n");
    assert_eq!(h.controls, vec![Output::StartTls]);
    assert!(h.server.tls_active());
    // The EHLO before TLS is forgotten.
    assert_eq!(h.line("MAIL FROM:<alice@a.example>"), "503 Bad sequence of commands: send EHLO or HELO first\r\n");
    let ehlo = h.line("EHLO pc.a.example");
    assert!(!ehlo.contains("STARTTLS") && ehlo.contains("250-AUTH PLAIN LOGIN CRAM-MD5\r\n"), "{ehlo}");
    assert_eq!(h.line("STARTTLS"), "503 5.5.1 Bad sequence of commands: TLS is already active\r\n");
    assert_eq!(h.line("AUTH PLAIN AGFsaWNlAGFsaWNlLXB3"), "235 2.7.0 Authentication successful\r\n");
    h.line("MAIL FROM:<alice@a.example>");
    h.line("RCPT TO:<alice@a.example>");
    assert_eq!(h.send(b"BDAT 4 LAST\r\nhi\r\n"), "250 2.0.0 OK: queued as T1-1\r\n");
    assert!(String::from_utf8_lossy(&h.host.delivered[0].message).contains(" with ESMTPSA id T1-1"));
}

/// RFC 3030: BDAT chunks of exact length, binary-safe, no dot-stuffing.
#[test]
fn bdat_chunks_assemble_the_message() {
    let (config, host) = foo_com();
    let (mut h, _) = Harness::new(config, host, "192.0.2.1");
    h.line("EHLO bar.com");
    // A refused BDAT still has its chunk read and discarded.
    // The chunk holds "RSET\r\n": it is data, never a command.
    assert_eq!(
        h.send(b"BDAT 6\r\nRSET\r\nNOOP\r\n"),
        "503 5.5.1 Bad sequence of commands: need MAIL and RCPT before BDAT\r\n250 2.0.0 OK\r\n"
    );
    h.line("MAIL FROM:<a@bar.com>");
    h.line("RCPT TO:<Jones@foo.com>");
    assert_eq!(h.send(b"BDAT 9\r\n.\r\nline\r\n"), "250 2.0.0 9 octets received\r\n");
    assert_eq!(h.line("DATA"), "503 5.5.1 Bad sequence of commands: DATA after BDAT; finish with BDAT LAST\r\n");
    assert_eq!(h.send(b"BDAT 0 LAST\r\n"), "250 2.0.0 OK: queued as T1-1\r\n");
    assert!(h.host.delivered[0].message.ends_with(b"\r\n.\r\nline\r\n"));
    assert_eq!(h.line("BDAT x"), "501 5.5.4 Syntax: BDAT chunk-size [SP LAST]\r\n");
    assert_eq!(h.line("BDAT 1 FIRST"), "501 5.5.4 Syntax: BDAT chunk-size [SP LAST]\r\n");
}

/// RFC 3030 §2: a BDAT refused for its size is answered after its chunk is read,
/// so what follows the chunk is a command again, never more chunk.
#[test]
fn bdat_over_the_size_limit_is_answered_after_its_chunk() {
    let (mut config, host) = foo_com();
    config.max_message_size = 100;
    let (mut h, _) = Harness::new(config, host, "192.0.2.1");
    h.line("EHLO bar.com");
    h.line("MAIL FROM:<a@bar.com>");
    h.line("RCPT TO:<Jones@foo.com>");
    assert_eq!(h.send(b"BDAT 200\r\n"), "", "nothing before the chunk");
    let chunk = format!("{}RSET\r\n", "x".repeat(194));
    assert_eq!(
        h.send(format!("{chunk}NOOP\r\n").as_bytes()),
        "552 5.3.4 Message size exceeds fixed maximum message size (100 octets); transaction discarded\r\n250 2.0.0 OK\r\n"
    );
    assert!(h.host.delivered.is_empty());
}

/// RFC 5321 §4.4: Received's TCP-info is an address literal, tagged for IPv6.
#[test]
fn received_names_an_ipv6_client_as_an_address_literal() {
    let (config, host) = foo_com();
    let (mut h, _) = Harness::new(config, host, "2001:db8::25");
    for line in ["EHLO bar.com", "MAIL FROM:<a@bar.com>", "RCPT TO:<Jones@foo.com>", "DATA"] {
        h.line(line);
    }
    assert!(h.send(b"Subject: v6\r\n\r\nhi\r\n.\r\n").starts_with("250 "));
    let message = String::from_utf8_lossy(&h.host.delivered[0].message).into_owned();
    assert!(message.starts_with("Received: from bar.com ([IPv6:2001:db8::25])\r\n"), "{message}");
}

/// RFC 5321 §3.5.2: VRFY MAY be listed, and is not when it only answers 252.
#[test]
fn ehlo_lists_vrfy_only_where_it_answers() {
    let (mut config, host) = foo_com();
    config.vrfy = false;
    let (mut h, _) = Harness::new(config, host, "192.0.2.1");
    let ehlo = h.line("EHLO bar.com");
    assert!(!ehlo.contains("VRFY") && ehlo.contains("250-EXPN\r\n"), "{ehlo}");
    assert!(h.line("VRFY Jones").starts_with("252 "));
}

/// RFC 1123 §5.2.17: a domain literal of the host's own address is the host.
#[test]
fn an_address_literal_of_this_host_is_a_local_recipient() {
    let (mut config, host) = foo_com();
    config.own_addresses = vec!["192.0.2.25".into(), "2001:db8::25".into()];
    let (mut h, _) = Harness::new(config, host, "192.0.2.1");
    h.line("EHLO bar.com");
    h.line("MAIL FROM:<a@bar.com>");
    assert_eq!(h.line("RCPT TO:<Jones@[192.0.2.25]>"), "250 2.1.5 Recipient <Jones@foo.com> OK\r\n");
    assert_eq!(h.line("RCPT TO:<Brown@[IPv6:2001:db8::25]>"), "250 2.1.5 Recipient <Brown@foo.com> OK\r\n");
    // Another host's literal is another host: relaying, which this MX refuses.
    assert!(h.line("RCPT TO:<Jones@[192.0.2.99]>").starts_with("554 5.7.1 "));
    h.line("DATA");
    assert!(h.send(b"Subject: literal\r\n\r\nhi\r\n.\r\n").starts_with("250 "));
    assert_eq!(h.host.delivered.len(), 1);
}

/// RFC 1870: SIZE is advertised, checked at MAIL and again at the end of data.
#[test]
fn size_limit_at_mail_and_at_end_of_data() {
    let (mut config, host) = foo_com();
    config.max_message_size = 100;
    let (mut h, _) = Harness::new(config, host, "192.0.2.1");
    assert!(h.line("EHLO bar.com").contains("250-SIZE 100\r\n"));
    assert_eq!(
        h.line("MAIL FROM:<a@bar.com> SIZE=101"),
        "552 5.3.4 Message size exceeds fixed maximum message size (100 octets)\r\n"
    );
    h.line("MAIL FROM:<a@bar.com> SIZE=50");
    h.line("RCPT TO:<Jones@foo.com>");
    h.line("DATA");
    let big = format!("{}\r\n.\r\n", "x".repeat(150));
    assert_eq!(h.send(big.as_bytes()), "552 5.3.4 Message size exceeds fixed maximum message size (100 octets)\r\n");
    assert!(h.host.delivered.is_empty());
    // The session goes on.
    assert_eq!(h.line("MAIL FROM:<a@bar.com>"), "250 2.1.0 Sender <a@bar.com> OK\r\n");
}

/// RFC 6531: non-ASCII addresses need SMTPUTF8 on MAIL.
#[test]
fn smtputf8_addresses() {
    let (config, _) = foo_com();
    let host = TestHost::new("foo.com", &[("山田", "pw")]);
    let (mut h, _) = Harness::new(config, host, "192.0.2.1");
    h.line("EHLO bar.com");
    assert_eq!(
        h.line("MAIL FROM:<佐藤@bar.com>"),
        "553 5.6.7 A non-ASCII address needs the SMTPUTF8 parameter (RFC 6531)\r\n"
    );
    assert_eq!(h.line("MAIL FROM:<佐藤@bar.com> SMTPUTF8"), "250 2.1.0 Sender <佐藤@bar.com> OK\r\n");
    assert_eq!(h.line("RCPT TO:<山田@foo.com>"), "250 2.1.5 Recipient <山田@foo.com> OK\r\n");
    h.line("DATA");
    h.send("Subject: こんにちは\r\n\r\n本文\r\n.\r\n".as_bytes());
    assert!(String::from_utf8_lossy(&h.host.delivered[0].message).contains(" with UTF8SMTP id"));
}

/// RFC 3461: DSN parameters are accepted and kept in the envelope.
#[test]
fn dsn_parameters_are_kept() {
    let (config, host) = foo_com();
    let (mut h, _) = Harness::new(config, host, "192.0.2.1");
    h.line("EHLO bar.com");
    h.line("MAIL FROM:<a@bar.com> RET=HDRS ENVID=QQ314159");
    assert_eq!(
        h.line("RCPT TO:<Jones@foo.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Jones@foo.com"),
        "250 2.1.5 Recipient <Jones@foo.com> OK\r\n"
    );
    assert_eq!(
        h.line("RCPT TO:<Brown@foo.com> NOTIFY=NEVER,SUCCESS"),
        "501 5.5.4 Syntax: NOTIFY=NEVER or NOTIFY=SUCCESS,FAILURE,DELAY; ORCPT=addr-type;address (RFC 3461)\r\n"
    );
    h.line("DATA");
    h.send(b"x\r\n.\r\n");
    let env = &h.host.delivered[0].envelope;
    assert_eq!(
        env.mail_parameters,
        vec![("RET".into(), Some("HDRS".into())), ("ENVID".into(), Some("QQ314159".into()))]
    );
    assert_eq!(env.rcpt_parameters[0].len(), 2);
}

/// RFC 5321 §4.4: `for` names one Path; the bare <Postmaster> is not one.
#[test]
fn received_for_names_a_single_mailbox_only() {
    for (rcpt, for_clause) in [("Jones@foo.com", "\r\n\tfor <Jones@foo.com>;"), ("Postmaster", ";")] {
        let (config, host) = foo_com();
        let t = format!(
            "S: 220 foo.com ESMTP Mail Lab ready
             C: HELO bar.com
             S: 250 foo.com Hello bar.com [192.0.2.1]
             C: MAIL FROM:<Smith@bar.com>
             S: 250 Sender <Smith@bar.com> OK
             C: RCPT TO:<{rcpt}>
             S: 250 Recipient <{rcpt}> OK
             C: DATA
             S: 354 End data with <CR><LF>.<CR><LF>
             C: hi
             C: .
             S: 250 OK: queued as T1-1"
        );
        let h = replay(config, host, "192.0.2.1", &t);
        let text = String::from_utf8(h.host.delivered[0].message.clone()).unwrap();
        assert!(
            text.starts_with(&format!(
                "Received: from bar.com ([192.0.2.1])\r\n\tby foo.com (Mail Lab) with SMTP id T1-1{for_clause}\r\n\t"
            )),
            "{text}"
        );
    }
}
