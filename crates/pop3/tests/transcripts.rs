//! RFC 1939 §10's example session and the other commands, replayed as C:/S:
//! transcripts against the server engine.
#![allow(clippy::unwrap_used)]

mod support;

use mail_lab_pop3::{Pop3Config, Pop3Server};
use mail_lab_proto::{Engine, Output, Peer, Session, TlsMode};
use support::{NOW, TestHost, drain};

/// Two messages of exactly 120 and 200 octets, as in the RFC's example.
fn rfc_messages() -> (Vec<u8>, Vec<u8>) {
    let make = |n: usize, subject: &str| {
        let mut m = format!("Subject: {subject}\r\n\r\n").into_bytes();
        while m.len() < n - 2 {
            m.push(b'x');
        }
        m.extend_from_slice(b"\r\n");
        assert_eq!(m.len(), n);
        m
    };
    (make(120, "one"), make(200, "two"))
}

struct Run {
    server: Pop3Server,
    host: TestHost,
    controls: Vec<Output>,
}

/// Replays a transcript; `S:` lines must match the server's output exactly.
fn replay(config: Pop3Config, host: TestHost, transcript: &str) -> Run {
    let peer = Peer { address: "192.0.2.10".into(), session_id: "1896".into() };
    let mut run = Run { server: Pop3Server::new(config, peer), host, controls: Vec::new() };
    run.server.open(&mut run.host, NOW);
    let mut lines = transcript.lines().map(str::trim_start).filter(|l| !l.is_empty()).peekable();
    let mut expected = String::new();
    while let Some(l) = lines.next_if(|l| l.starts_with("S:")) {
        expected.push_str(&format!("{}\r\n", &l[3..]));
    }
    assert_eq!(drain(&mut run.server, &mut run.controls), expected, "greeting");
    while lines.peek().is_some() {
        let mut sent = String::new();
        while let Some(l) = lines.next_if(|l| l.starts_with("C:")) {
            sent.push_str(&format!("{}\r\n", l.get(3..).unwrap_or("")));
        }
        let mut expected = String::new();
        while let Some(l) = lines.next_if(|l| l.starts_with("S:")) {
            expected.push_str(&format!("{}\r\n", l.get(3..).unwrap_or("")));
        }
        run.server.receive(sent.as_bytes(), &mut run.host, NOW);
        assert_eq!(drain(&mut run.server, &mut run.controls), expected, "after {sent}");
    }
    run
}

fn dbc() -> Pop3Config {
    let mut c = Pop3Config::new("dbc.mtview.ca.us");
    c.tls = TlsMode::Unavailable;
    c
}

#[test]
fn rfc1939_example_session_with_apop() {
    let (one, two) = rfc_messages();
    let host = TestHost::with("mrose", "tanstaaf", &[&one, &two]);
    let body = |m: &[u8]| String::from_utf8(m.to_vec()).unwrap().trim_end().replace("\r\n", "\nS: ");
    let t = format!(
        "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
         S: +OK mrose's maildrop has 2 messages (320 octets)
         C: STAT
         S: +OK 2 320
         C: LIST
         S: +OK 2 messages (320 octets)
         S: 1 120
         S: 2 200
         S: .
         C: RETR 1
         S: +OK 120 octets
         S: {}
         S: .
         C: DELE 1
         S: +OK message 1 deleted
         C: RETR 2
         S: +OK 200 octets
         S: {}
         S: .
         C: DELE 2
         S: +OK message 2 deleted
         C: QUIT
         S: +OK dbc.mtview.ca.us POP3 server signing off (maildrop empty)",
        body(&one),
        body(&two)
    );
    let run = replay(dbc(), host, &t);
    assert_eq!(run.server.timestamp(), "<1896.697170952@dbc.mtview.ca.us>");
    assert_eq!(run.host.commits, vec![("mrose".to_string(), vec![1, 2])]);
    assert!(run.host.maildrops["mrose"].is_empty());
    assert_eq!(run.controls, vec![Output::Close]);
}

#[test]
fn user_pass_list_top_uidl_rset_and_deletion_only_at_quit() {
    let (one, two) = rfc_messages();
    let host = TestHost::with("mrose", "tanstaaf", &[&one, &two]);
    let t = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: STAT
         S: -ERR STAT is not valid in the AUTHORIZATION state; valid now: USER PASS APOP AUTH CAPA QUIT
         C: PASS tanstaaf
         S: -ERR send USER first
         C: USER mrose
         S: +OK mrose selected; send PASS
         C: PASS wrong
         S: -ERR [AUTH] invalid user name or password
         C: USER mrose
         C: PASS tanstaaf
         S: +OK mrose selected; send PASS
         S: +OK mrose's maildrop has 2 messages (320 octets)
         C: USER again
         S: -ERR USER is not valid in the TRANSACTION state; valid now: STAT LIST RETR DELE TOP UIDL NOOP RSET CAPA QUIT
         C: LIST 2
         S: +OK 2 200
         C: LIST 3
         S: -ERR no such message, only 2 messages in maildrop
         C: UIDL
         S: +OK unique-id listing follows
         S: 1 7.1
         S: 2 7.2
         S: .
         C: TOP 1 0
         S: +OK top of message follows
         S: Subject: one
         S:
         S: .
         C: TOP 1 99999999999999999999
         S: +OK top of message follows
         S: Subject: one
         S:
         S: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
         S: .
         C: DELE 1
         S: +OK message 1 deleted
         C: DELE 1
         S: -ERR message 1 already deleted
         C: LIST
         S: +OK 1 message (200 octets)
         S: 2 200
         S: .
         C: UIDL 1
         S: -ERR message 1 already deleted
         C: RSET
         S: +OK mrose's maildrop has 2 messages (320 octets)
         C: DELE 2
         S: +OK message 2 deleted
         C: NOOP
         S: +OK
         C: RETR 0
         S: -ERR Syntax: RETR msg (a message number, e.g. RETR 1)
         C: XTND XMIT
         S: -ERR unknown command \"XTND\"; valid now: STAT LIST RETR DELE TOP UIDL NOOP RSET CAPA QUIT
         C: QUIT
         S: +OK dbc.mtview.ca.us POP3 server signing off (1 message left)";
    let run = replay(dbc(), host, t);
    assert_eq!(run.host.commits, vec![("mrose".to_string(), vec![2])]);
}

#[test]
fn capa_lists_what_is_configured() {
    let host = TestHost::with("mrose", "tanstaaf", &[]);
    let mut config = dbc();
    config.tls = TlsMode::StartTls;
    config.login_delay = Some(900);
    let t = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: CAPA
         S: +OK Capability list follows
         S: TOP
         S: USER
         S: UIDL
         S: SASL PLAIN CRAM-MD5
         S: RESP-CODES
         S: AUTH-RESP-CODE
         S: PIPELINING
         S: EXPIRE NEVER
         S: LOGIN-DELAY 900
         S: STLS
         S: IMPLEMENTATION Mail-Lab
         S: .
         C: STLS
         S: +OK Begin TLS negotiation
         C: CAPA
         S: +OK Capability list follows
         S: TOP
         S: USER
         S: UIDL
         S: SASL PLAIN CRAM-MD5
         S: RESP-CODES
         S: AUTH-RESP-CODE
         S: PIPELINING
         S: EXPIRE NEVER
         S: LOGIN-DELAY 900
         S: IMPLEMENTATION Mail-Lab
         S: .
         C: STLS
         S: -ERR TLS is already active";
    let run = replay(config, host, t);
    assert_eq!(run.controls, vec![Output::StartTls]);
    assert!(run.server.tls_active());
}

#[test]
fn after_user_the_authorization_state_stays_open() {
    // RFC 2595 §4 and RFC 5034 §4 allow STLS and AUTH anywhere in AUTHORIZATION,
    // so CAPA's list holds after USER (as in Dovecot). STLS forgets a USER sent in
    // the clear; a name longer than RFC 1939's 40 characters is a name (RFC 2449 §4).
    let host = TestHost::with("mrose", "tanstaaf", &[]);
    let mut config = dbc();
    config.tls = TlsMode::StartTls;
    let long = format!("{}@students.example-university.edu", "x".repeat(30));
    let t = format!(
        "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: USER {long}
         S: +OK {long} selected; send PASS
         C: USER [SYS/PERM]
         S: +OK user [SYS/PERM] selected; send PASS
         C: USER mrose
         S: +OK mrose selected; send PASS
         C: STLS
         S: +OK Begin TLS negotiation
         C: PASS tanstaaf
         S: -ERR send USER first
         C: USER mrose
         S: +OK mrose selected; send PASS
         C: AUTH PLAIN AG1yb3NlAHRhbnN0YWFm
         S: +OK mrose's maildrop has 0 messages (0 octets)"
    );
    replay(config, host, &t);
}

#[test]
fn plaintext_refused_before_tls_when_policy_says_so() {
    let host = TestHost::with("mrose", "tanstaaf", &[]);
    let mut config = dbc();
    config.tls = TlsMode::StartTls;
    config.plaintext_requires_tls = true;
    let t = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: USER mrose
         S: -ERR [AUTH] USER/PASS is disabled until STLS: the password would cross the network in the clear
         C: AUTH
         S: +OK SASL mechanisms follow
         S: CRAM-MD5
         S: .
         C: AUTH PLAIN AG1yb3NlAHRhbnN0YWFm
         S: -ERR [AUTH] PLAIN sends the password; use STLS first
         C: STLS
         S: +OK Begin TLS negotiation
         C: auth
         S: +OK SASL mechanisms follow
         S: PLAIN
         S: CRAM-MD5
         S: .
         C: AUTH PLAIN AG1yb3NlAHRhbnN0YWFm
         S: +OK mrose's maildrop has 0 messages (0 octets)";
    replay(config, host, t);
}

#[test]
fn sasl_cram_md5_and_cancel() {
    let host = TestHost::with("tim", "tanstaaftanstaaf", &[]);
    let challenge = "<1896.697170952@dbc.mtview.ca.us>";
    let answer = mail_lab_proto::sasl::client_answer(
        mail_lab_proto::sasl::Mechanism::CramMd5,
        "tim",
        "tanstaaftanstaaf",
        challenge.as_bytes(),
    );
    let t = format!(
        "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: AUTH CRAM-MD5
         S: + {}
         C: *
         S: -ERR authentication cancelled
         C: AUTH DIGEST-MD5
         S: -ERR unsupported mechanism DIGEST-MD5; offered: PLAIN CRAM-MD5
         C: AUTH CRAM-MD5 dGlt
         S: -ERR CRAM-MD5 takes no initial response
         C: AUTH PLAIN dGltAHB3
         S: -ERR [AUTH] PLAIN response must be authzid NUL authcid NUL password
         C: AUTH CRAM-MD5
         S: + {}
         C: {}
         S: +OK tim's maildrop has 0 messages (0 octets)",
        mail_lab_proto::sasl::encode_base64(challenge.as_bytes()),
        mail_lab_proto::sasl::encode_base64(challenge.as_bytes()),
        mail_lab_proto::sasl::encode_base64(&answer),
    );
    replay(dbc(), host, &t);
}

#[test]
fn second_session_gets_in_use_and_a_dropped_link_commits_nothing() {
    let (one, _) = rfc_messages();
    let mut host = TestHost::with("mrose", "tanstaaf", &[&one]);
    let peer = |id: &str| Peer { address: "192.0.2.10".into(), session_id: id.into() };
    let mut controls = Vec::new();
    let mut a = Pop3Server::new(dbc(), peer("1"));
    let mut b = Pop3Server::new(dbc(), peer("2"));
    a.open(&mut host, NOW);
    b.open(&mut host, NOW);
    drain(&mut a, &mut controls);
    drain(&mut b, &mut controls);
    a.receive(b"USER mrose\r\nPASS tanstaaf\r\nDELE 1\r\n", &mut host, NOW);
    assert!(drain(&mut a, &mut controls).ends_with("+OK message 1 deleted\r\n"));
    b.receive(b"USER mrose\r\nPASS tanstaaf\r\n", &mut host, NOW);
    assert!(
        drain(&mut b, &mut controls)
            .ends_with("-ERR [IN-USE] maildrop already locked: another POP3 session is using it\r\n")
    );
    // The first session's link drops: nothing is deleted, and the lock is free.
    Session::<TestHost>::connection_lost(&mut a, &mut host);
    assert!(host.commits.is_empty());
    assert_eq!(host.maildrops["mrose"].len(), 1);
    b.receive(b"USER mrose\r\nPASS tanstaaf\r\n", &mut host, NOW);
    assert!(drain(&mut b, &mut controls).ends_with("+OK mrose's maildrop has 1 message (120 octets)\r\n"));
}

#[test]
fn retr_dot_stuffs_and_limits_hold() {
    let msg = b"Subject: dots\r\n\r\n.hidden\r\n..\r\n.\r\nend\r\n";
    let mut host = TestHost::with("mrose", "tanstaaf", &[msg]);
    let mut controls = Vec::new();
    let mut s = Pop3Server::new(dbc(), Peer { address: "x".into(), session_id: "1".into() });
    s.open(&mut host, NOW);
    drain(&mut s, &mut controls);
    s.receive(b"USER mrose\r\nPASS tanstaaf\r\nRETR 1\r\n", &mut host, NOW);
    let out = drain(&mut s, &mut controls);
    let expected = format!("+OK {} octets\r\nSubject: dots\r\n\r\n..hidden\r\n...\r\n..\r\nend\r\n.\r\n", msg.len());
    assert!(out.ends_with(&expected), "{out}");
    let long = format!("NOOP {}\r\n", "x".repeat(300));
    s.receive(long.as_bytes(), &mut host, NOW);
    assert_eq!(
        drain(&mut s, &mut controls),
        "-ERR line too long: commands are limited to 255 octets including CRLF (RFC 2449)\r\n"
    );
    s.receive(b"NOOP\r\n", &mut host, NOW);
    assert_eq!(drain(&mut s, &mut controls), "+OK\r\n");
}

#[test]
fn pipelined_retrs_are_answered_a_slice_at_a_time() {
    // 2,000 pipelined RETRs of a 100 KiB message: one receive used to queue all
    // 200 MB. Now it queues a slice, then waits for resume, in order.
    let msg = [b"Subject: big\r\n\r\n".as_slice(), &b"x".repeat(100 * 1024), b"\r\n"].concat();
    let mut host = TestHost::with("mrose", "tanstaaf", &[&msg]);
    let mut controls = Vec::new();
    let mut s = Pop3Server::new(dbc(), Peer { address: "x".into(), session_id: "1".into() });
    s.open(&mut host, NOW);
    s.receive(b"USER mrose\r\nPASS tanstaaf\r\n", &mut host, NOW);
    drain(&mut s, &mut controls);
    s.receive("RETR 1\r\n".repeat(2000).as_bytes(), &mut host, NOW);
    let mut slices = vec![drain(&mut s, &mut controls)];
    assert!(slices[0].len() < 2 << 20, "one call queued {} bytes", slices[0].len());
    while s.is_busy() {
        s.resume(&mut host, NOW);
        slices.push(drain(&mut s, &mut controls));
        assert!(slices.last().is_some_and(|o| o.len() < 2 << 20));
    }
    let answers = slices.concat();
    assert_eq!(answers.matches("+OK 102418 octets\r\n").count(), 2000);
    s.receive(b"NOOP\r\n", &mut host, NOW);
    assert_eq!(drain(&mut s, &mut controls), "+OK\r\n");
}

#[test]
fn a_message_number_past_the_end_is_counted_in_words_that_fit() {
    let (one, _) = rfc_messages();
    let t = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: USER mrose
         C: PASS tanstaaf
         S: +OK mrose selected; send PASS
         S: +OK mrose's maildrop has 1 message (120 octets)
         C: RETR 2
         S: -ERR no such message, only 1 message in maildrop
         C: QUIT
         S: +OK dbc.mtview.ca.us POP3 server signing off (1 message left)";
    replay(dbc(), TestHost::with("mrose", "tanstaaf", &[&one]), t);
    let t = "S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
         C: USER mrose
         C: PASS tanstaaf
         S: +OK mrose selected; send PASS
         S: +OK mrose's maildrop has 0 messages (0 octets)
         C: LIST 1
         S: -ERR no such message, the maildrop is empty
         C: QUIT
         S: +OK dbc.mtview.ca.us POP3 server signing off (maildrop empty)";
    replay(dbc(), TestHost::with("mrose", "tanstaaf", &[]), t);
}
