//! The client engine against the server engine through an in-memory link, one
//! test per extension, plus a scripted peer for the paths our server never takes.
#![allow(clippy::unwrap_used)]

mod support;

use mail_lab_proto::sasl::Mechanism;
use mail_lab_proto::{Engine, Output, Session};
use mail_lab_smtp::{
    ClientConfig, ClientTls, Outcome, OutgoingMessage, Peer, ServerConfig, SmtpClient, SmtpServer, TlsMode,
};
use support::{NOW, TestHost};

/// What crossed the link.
#[derive(Default)]
struct Wire {
    client_writes: Vec<String>,
    tls_switches: usize,
}

/// Moves bytes both ways until neither side has anything to say.
fn run(client: &mut SmtpClient, server: &mut SmtpServer, host: &mut TestHost) -> Wire {
    let mut wire = Wire::default();
    server.open(host, NOW);
    client.open(&mut (), NOW);
    loop {
        let mut moved = false;
        while let Some(out) = Engine::poll_output(server) {
            if let Output::Bytes(b) = out {
                client.receive(&b, &mut (), NOW);
                moved = true;
            }
        }
        while let Some(out) = client.poll_output() {
            match out {
                Output::Bytes(b) => {
                    wire.client_writes.push(String::from_utf8_lossy(&b).into_owned());
                    server.receive(&b, host, NOW);
                    moved = true;
                }
                Output::StartTls => wire.tls_switches += 1,
                Output::Close => {}
            }
        }
        if !moved {
            return wire;
        }
    }
}

fn host() -> TestHost {
    TestHost::new("foo.com", &[("jones", "j-pw"), ("brown", "b-pw"), ("alice", "alice-pw")])
}

fn server(config: ServerConfig) -> SmtpServer {
    SmtpServer::new(config, Peer { address: "192.0.2.1".into(), session_id: "T1".into() })
}

fn message(rcpts: &[&str], data: &[u8]) -> OutgoingMessage {
    OutgoingMessage {
        reverse_path: "smith@bar.com".into(),
        recipients: rcpts.iter().map(|r| r.to_string()).collect(),
        data: data.to_vec(),
        ..Default::default()
    }
}

fn codes(outcomes: &[(String, Outcome)]) -> Vec<(String, char, u16)> {
    outcomes
        .iter()
        .map(|(r, o)| match o {
            Outcome::Delivered(rep) => (r.clone(), 'D', rep.code),
            Outcome::Deferred(rep) => (r.clone(), 'T', rep.code),
            Outcome::Bounced(rep) => (r.clone(), 'B', rep.code),
        })
        .collect()
}

#[test]
fn relay_pipelines_and_dot_stuffs_and_reports_each_recipient() {
    let data = b"Subject: dots\r\n\r\n.leading dot\r\n..two\r\n.\r\nend\r\n";
    let mut client = SmtpClient::new(
        ClientConfig::relay("bar.com"),
        message(&["jones@foo.com", "nobody@foo.com", "busy@foo.com", "brown@foo.com"], data),
    );
    let mut srv = server(ServerConfig::mx("foo.com", &["foo.com"]));
    let mut h = host();
    let wire = run(&mut client, &mut srv, &mut h);
    assert!(client.is_done());
    assert_eq!(
        codes(&client.outcomes()),
        vec![
            ("jones@foo.com".into(), 'D', 250),
            ("nobody@foo.com".into(), 'B', 550),
            ("busy@foo.com".into(), 'T', 451),
            ("brown@foo.com".into(), 'D', 250),
        ]
    );
    // PIPELINING: the envelope went out as one group ending in DATA (RFC 2920).
    assert!(wire.client_writes.contains(
        &format!("MAIL FROM:<smith@bar.com> SIZE={}\r\nRCPT TO:<jones@foo.com>\r\nRCPT TO:<nobody@foo.com>\r\nRCPT TO:<busy@foo.com>\r\nRCPT TO:<brown@foo.com>\r\nDATA\r\n", data.len())
    ), "{:?}", wire.client_writes);
    // Opportunistic TLS was used because the MX offers it.
    assert_eq!(wire.tls_switches, 1);
    assert!(srv.tls_active());
    // The data arrived unchanged after stuffing and unstuffing.
    assert!(h.delivered[0].message.ends_with(data));
    assert_eq!(h.delivered[0].envelope.forward_paths, vec!["jones@foo.com", "brown@foo.com"]);
}

#[test]
fn size_is_declared_and_an_oversized_message_is_not_sent() {
    let mut config = ServerConfig::mx("foo.com", &["foo.com"]);
    config.max_message_size = 64;
    let mut client = SmtpClient::new(ClientConfig::relay("bar.com"), message(&["jones@foo.com"], &[b'x'; 100]));
    let mut srv = server(config);
    let mut h = host();
    let wire = run(&mut client, &mut srv, &mut h);
    assert_eq!(codes(&client.outcomes()), vec![("jones@foo.com".into(), 'B', 552)]);
    assert!(!wire.client_writes.iter().any(|w| w.contains("MAIL FROM")));
    assert!(h.delivered.is_empty());
}

#[test]
fn eight_bit_and_utf8_parameters_follow_the_message() {
    let data = "Subject: 日本語\r\n\r\n本文\r\n".as_bytes();
    let mut client = SmtpClient::new(ClientConfig::relay("bar.com"), message(&["jones@foo.com"], data));
    let mut srv = server(ServerConfig::mx("foo.com", &["foo.com"]));
    let wire = run(&mut client, &mut srv, &mut host());
    let mail = format!("MAIL FROM:<smith@bar.com> SIZE={} BODY=8BITMIME\r\n", data.len());
    assert!(wire.client_writes.iter().any(|w| w.starts_with(&mail)), "{:?}", wire.client_writes);
    let mut msg = message(&["jones@foo.com"], b"x\r\n");
    msg.reverse_path = "佐藤@bar.com".into();
    let mut client = SmtpClient::new(ClientConfig::relay("bar.com"), msg);
    let mut srv = server(ServerConfig::mx("foo.com", &["foo.com"]));
    let wire = run(&mut client, &mut srv, &mut host());
    assert!(wire.client_writes.iter().any(|w| w.starts_with("MAIL FROM:<佐藤@bar.com> SIZE=3 SMTPUTF8\r\n")));
    assert_eq!(codes(&client.outcomes()), vec![("jones@foo.com".into(), 'D', 250)]);
}

#[test]
fn bare_lf_goes_out_as_crlf_and_size_counts_it() {
    // A message stored with bare LFs: SIZE= declares the octets DATA sends.
    let mut client =
        SmtpClient::new(ClientConfig::relay("bar.com"), message(&["jones@foo.com"], b"Subject: lf\n\nhi\n"));
    let mut srv = server(ServerConfig::mx("foo.com", &["foo.com"]));
    let mut h = host();
    let wire = run(&mut client, &mut srv, &mut h);
    assert!(
        wire.client_writes.iter().any(|w| w.starts_with("MAIL FROM:<smith@bar.com> SIZE=19\r\n")),
        "{:?}",
        wire.client_writes
    );
    assert!(
        wire.client_writes.iter().any(|w| w.contains("Subject: lf\r\n\r\nhi\r\n.\r\n")),
        "{:?}",
        wire.client_writes
    );
    assert_eq!(codes(&client.outcomes()), vec![("jones@foo.com".into(), 'D', 250)]);
}

fn submit_with(mechanisms: Vec<Mechanism>, password: &str) -> (SmtpClient, SmtpServer, TestHost, Wire) {
    let mut config = ServerConfig::submission("mail.foo.com", &["foo.com"]);
    config.auth_mechanisms = mechanisms;
    config.auth_requires_tls = true;
    let mut client_config = ClientConfig::relay("pc.foo.com");
    client_config.tls = ClientTls::Required;
    client_config.credentials = Some(("alice".into(), password.into()));
    let mut client =
        SmtpClient::new(client_config, message(&["carol@elsewhere.example"], b"Subject: hi\r\n\r\nhi\r\n"));
    let mut srv = server(config);
    let mut h = host();
    let wire = run(&mut client, &mut srv, &mut h);
    (client, srv, h, wire)
}

#[test]
fn submission_with_each_auth_mechanism_after_starttls() {
    for (mechanism, wire_start) in [
        (Mechanism::Plain, "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3\r\n"),
        (Mechanism::Login, "AUTH LOGIN\r\n"),
        (Mechanism::CramMd5, "AUTH CRAM-MD5\r\n"),
    ] {
        let (client, srv, h, wire) = submit_with(vec![mechanism], "alice-pw");
        assert_eq!(codes(&client.outcomes()), vec![("carol@elsewhere.example".into(), 'D', 250)], "{mechanism:?}");
        assert_eq!(srv.authenticated_as(), Some("alice@foo.com"));
        assert!(wire.client_writes.contains(&wire_start.to_string()), "{mechanism:?}: {:?}", wire.client_writes);
        assert_eq!(wire.tls_switches, 1);
        assert!(String::from_utf8_lossy(&h.delivered[0].message).contains(" with ESMTPSA id T1-1"));
    }
}

#[test]
fn wrong_password_bounces_and_plaintext_auth_is_not_used_in_the_clear() {
    let (client, _, h, _) = submit_with(vec![Mechanism::Plain], "nope");
    assert_eq!(codes(&client.outcomes()), vec![("carol@elsewhere.example".into(), 'B', 535)]);
    assert!(h.delivered.is_empty());

    // No TLS on offer and only PLAIN: the client refuses to send the password.
    let mut config = ServerConfig::submission("mail.foo.com", &["foo.com"]);
    config.tls = TlsMode::Unavailable;
    config.auth_mechanisms = vec![Mechanism::Plain];
    let mut cc = ClientConfig::relay("pc.foo.com");
    cc.credentials = Some(("alice".into(), "alice-pw".into()));
    let mut client = SmtpClient::new(cc, message(&["carol@elsewhere.example"], b"x\r\n"));
    let wire = run(&mut client, &mut server(config), &mut host());
    assert_eq!(codes(&client.outcomes()), vec![("carol@elsewhere.example".into(), 'B', 530)]);
    assert!(!wire.client_writes.iter().any(|w| w.starts_with("AUTH")));
}

#[test]
fn required_tls_not_offered_is_a_temporary_failure() {
    let mut config = ServerConfig::mx("foo.com", &["foo.com"]);
    config.tls = TlsMode::Unavailable;
    let mut cc = ClientConfig::relay("bar.com");
    cc.tls = ClientTls::Required;
    let mut client = SmtpClient::new(cc, message(&["jones@foo.com"], b"x\r\n"));
    let wire = run(&mut client, &mut server(config), &mut host());
    assert_eq!(codes(&client.outcomes()), vec![("jones@foo.com".into(), 'T', 454)]);
    assert_eq!(wire.tls_switches, 0);
    assert!(wire.client_writes.last().is_some_and(|w| w == "QUIT\r\n"));
}

/// A scripted peer: answers each client write with the next canned reply.
fn scripted(client: &mut SmtpClient, greeting: &str, replies: &[&str]) -> Vec<String> {
    let mut writes = Vec::new();
    client.receive(greeting.as_bytes(), &mut (), NOW);
    let mut replies = replies.iter();
    while let Some(out) = client.poll_output() {
        if let Output::Bytes(b) = out {
            writes.push(String::from_utf8_lossy(&b).into_owned());
            if let Some(r) = replies.next() {
                client.receive(r.as_bytes(), &mut (), NOW);
            }
        }
    }
    writes
}

#[test]
fn helo_fallback_and_one_command_at_a_time_without_pipelining() {
    let mut client =
        SmtpClient::new(ClientConfig::relay("bar.com"), message(&["a@old.example", "b@old.example"], b"x\r\n"));
    let writes = scripted(
        &mut client,
        "220 old.example SMTP\r\n",
        &[
            "500 what?\r\n",
            "250 old.example\r\n",
            "250 ok\r\n",
            "550 no\r\n",
            "250 ok\r\n",
            "354 go\r\n",
            "250 done\r\n",
            "221 bye\r\n",
        ],
    );
    assert_eq!(
        writes,
        vec![
            "EHLO bar.com\r\n",
            "HELO bar.com\r\n",
            "MAIL FROM:<smith@bar.com>\r\n",
            "RCPT TO:<a@old.example>\r\n",
            "RCPT TO:<b@old.example>\r\n",
            "DATA\r\n",
            "x\r\n.\r\n",
            "QUIT\r\n"
        ]
    );
    assert_eq!(codes(&client.outcomes()), vec![("a@old.example".into(), 'B', 550), ("b@old.example".into(), 'D', 250)]);
    assert!(client.is_done());
}

#[test]
fn failures_at_greeting_mail_and_mid_session() {
    // 554 at greeting: no service, bounce.
    let mut client = SmtpClient::new(ClientConfig::relay("bar.com"), message(&["a@x.example"], b"x\r\n"));
    let writes = scripted(&mut client, "554 no SMTP service here\r\n", &["221 bye\r\n"]);
    assert_eq!(writes, vec!["QUIT\r\n"]);
    assert_eq!(codes(&client.outcomes()), vec![("a@x.example".into(), 'B', 554)]);
    // 421 at greeting: try later.
    let mut client = SmtpClient::new(ClientConfig::relay("bar.com"), message(&["a@x.example"], b"x\r\n"));
    assert!(scripted(&mut client, "421 busy, closing\r\n", &[]).is_empty());
    assert_eq!(codes(&client.outcomes()), vec![("a@x.example".into(), 'T', 421)]);
    // MAIL refused, unpipelined: QUIT, everyone fails alike.
    let mut client =
        SmtpClient::new(ClientConfig::relay("bar.com"), message(&["a@x.example", "b@x.example"], b"x\r\n"));
    let writes = scripted(&mut client, "220 x\r\n", &["250 x\r\n", "451 4.3.0 try later\r\n", "221 bye\r\n"]);
    assert_eq!(writes.last().map(String::as_str), Some("QUIT\r\n"));
    assert_eq!(codes(&client.outcomes()), vec![("a@x.example".into(), 'T', 451), ("b@x.example".into(), 'T', 451)]);
    // The link drops after DATA: deferred, never delivered twice.
    let mut client = SmtpClient::new(ClientConfig::relay("bar.com"), message(&["a@x.example"], b"x\r\n"));
    scripted(&mut client, "220 x\r\n", &["250 x\r\n", "250 ok\r\n", "250 ok\r\n", "354 go\r\n"]);
    client.connection_lost();
    assert_eq!(codes(&client.outcomes()), vec![("a@x.example".into(), 'T', 421)]);
    // Garbage instead of a reply.
    let mut client = SmtpClient::new(ClientConfig::relay("bar.com"), message(&["a@x.example"], b"x\r\n"));
    scripted(&mut client, "HTTP/1.1 400 Bad Request\r\n", &[]);
    assert!(client.is_done());
    assert_eq!(codes(&client.outcomes()), vec![("a@x.example".into(), 'T', 451)]);
}

#[test]
fn chunking_sends_bdat_without_stuffing() {
    let data = b"Subject: chunks\r\n\r\n.starts with a dot\r\n";
    let mut config = ClientConfig::relay("bar.com");
    config.use_chunking = true;
    let mut client = SmtpClient::new(config, message(&["jones@foo.com", "nobody@foo.com"], data));
    let mut srv = server(ServerConfig::mx("foo.com", &["foo.com"]));
    let mut h = host();
    let wire = run(&mut client, &mut srv, &mut h);
    let bdat = format!(
        "RCPT TO:<nobody@foo.com>\r\nBDAT {} LAST\r\nSubject: chunks\r\n\r\n.starts with a dot\r\n",
        data.len()
    );
    assert!(
        wire.client_writes.iter().any(|w| w.ends_with(&bdat)),
        "pipelined with its chunk: {:?}",
        wire.client_writes
    );
    assert!(!wire.client_writes.iter().any(|w| w.contains("DATA\r\n")));
    assert_eq!(
        codes(&client.outcomes()),
        vec![("jones@foo.com".into(), 'D', 250), ("nobody@foo.com".into(), 'B', 550)]
    );
    assert!(h.delivered[0].message.ends_with(data), "the dot is data, not stuffing");
}
