//! The POP3 client engine against the server engine through an in-memory link.
#![allow(clippy::unwrap_used)]

mod support;

use mail_lab_pop3::{Pop3Client, Pop3ClientConfig, Pop3Config, Pop3Login, Pop3Server};
use mail_lab_proto::sasl::Mechanism;
use mail_lab_proto::{ClientTls, Engine, Output, Peer, Session, TlsMode};
use support::{NOW, TestHost};

#[derive(Default)]
struct Wire {
    client_lines: Vec<String>,
    tls_switches: usize,
}

fn run(client: &mut Pop3Client, server: &mut Pop3Server, host: &mut TestHost) -> Wire {
    let mut wire = Wire::default();
    server.open(host, NOW);
    loop {
        let mut moved = false;
        while let Some(out) = server.poll_output() {
            if let Output::Bytes(b) = out {
                client.receive(&b, &mut (), NOW);
                moved = true;
            }
        }
        while let Some(out) = client.poll_output() {
            match out {
                Output::Bytes(b) => {
                    wire.client_lines.extend(String::from_utf8_lossy(&b).lines().map(str::to_string));
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

fn server(config: Pop3Config) -> Pop3Server {
    Pop3Server::new(config, Peer { address: "192.0.2.10".into(), session_id: "42".into() })
}

fn client(login: Pop3Login, tls: ClientTls) -> Pop3ClientConfig {
    Pop3ClientConfig {
        user: "bob".into(),
        password: "bob-pw".into(),
        tls,
        login,
        leave_on_server: false,
        known_uids: Vec::new(),
        allow_plaintext: false,
    }
}

fn host() -> TestHost {
    TestHost::with("bob", "bob-pw", &[b"Subject: 1\r\n\r\none\r\n", b"Subject: 2\r\n\r\n.two\r\n"])
}

#[test]
fn apop_download_and_delete() {
    let mut config = Pop3Config::new("mail.a.example");
    config.tls = TlsMode::Unavailable;
    let mut c = Pop3Client::new(client(Pop3Login::Auto, ClientTls::IfOffered));
    let mut h = host();
    let wire = run(&mut c, &mut server(config), &mut h);
    assert!(c.is_done() && c.error().is_none(), "{:?}", c.error());
    let digest = mail_lab_proto::sasl::apop_digest(&format!("<42.{}@mail.a.example>", NOW.as_secs()), "bob-pw");
    assert_eq!(
        wire.client_lines,
        vec![
            "CAPA".to_string(),
            format!("APOP bob {digest}"),
            "UIDL".into(),
            "RETR 1".into(),
            "DELE 1".into(),
            "RETR 2".into(),
            "DELE 2".into(),
            "QUIT".into()
        ]
    );
    let got: Vec<&[u8]> = c.retrieved().iter().map(|r| r.data.as_slice()).collect();
    assert_eq!(got, vec![&b"Subject: 1\r\n\r\none\r\n"[..], b"Subject: 2\r\n\r\n.two\r\n"]);
    assert!(h.maildrops["bob"].is_empty());
}

#[test]
fn leave_on_server_downloads_only_new_messages() {
    let mut config = Pop3Config::new("mail.a.example");
    config.tls = TlsMode::Unavailable;
    let mut cc = client(Pop3Login::Auto, ClientTls::Never);
    cc.leave_on_server = true;
    cc.known_uids = vec!["7.1".into()];
    let mut c = Pop3Client::new(cc);
    let mut h = host();
    let wire = run(&mut c, &mut server(config), &mut h);
    assert_eq!(c.retrieved().len(), 1);
    assert_eq!(c.retrieved()[0].unique_id, "7.2");
    assert_eq!(c.server_uids(), ["7.1", "7.2"]);
    assert!(!wire.client_lines.iter().any(|l| l.starts_with("DELE")));
    assert_eq!(h.maildrops["bob"].len(), 2);
}

#[test]
fn stls_then_user_pass_inside_tls() {
    let mut config = Pop3Config::new("mail.a.example");
    config.apop = false;
    config.sasl = vec![];
    config.plaintext_requires_tls = true;
    let mut c = Pop3Client::new(client(Pop3Login::Auto, ClientTls::Required));
    let mut srv = server(config);
    let wire = run(&mut c, &mut srv, &mut host());
    assert_eq!(wire.tls_switches, 1);
    assert!(srv.tls_active());
    assert_eq!(&wire.client_lines[..5], ["CAPA", "STLS", "CAPA", "USER bob", "PASS bob-pw"]);
    assert_eq!(c.retrieved().len(), 2);
}

#[test]
fn cram_md5_when_no_apop_and_refusals() {
    let mut config = Pop3Config::new("mail.a.example");
    config.apop = false;
    config.tls = TlsMode::Unavailable;
    let mut c = Pop3Client::new(client(Pop3Login::Auto, ClientTls::IfOffered));
    let wire = run(&mut c, &mut server(config.clone()), &mut host());
    assert_eq!(wire.client_lines[1], "AUTH CRAM-MD5");
    assert_eq!(c.retrieved().len(), 2);

    // No TLS and only USER/PASS: the client refuses to leak the password.
    config.sasl = vec![];
    let mut c = Pop3Client::new(client(Pop3Login::Auto, ClientTls::IfOffered));
    let wire = run(&mut c, &mut server(config.clone()), &mut host());
    assert_eq!(c.error(), Some("refusing to send USER/PASS in the clear"));
    assert!(!wire.client_lines.iter().any(|l| l.starts_with("PASS")));

    // Wrong password.
    let mut cc = client(Pop3Login::Sasl(Mechanism::Plain), ClientTls::IfOffered);
    cc.password = "nope".into();
    cc.allow_plaintext = true;
    config.sasl = vec![Mechanism::Plain];
    let mut c = Pop3Client::new(cc);
    run(&mut c, &mut server(config), &mut host());
    assert_eq!(c.error(), Some("login failed: -ERR [AUTH] invalid user name or password"));
    assert!(c.retrieved().is_empty());
}
