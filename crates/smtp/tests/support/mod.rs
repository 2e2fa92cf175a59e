//! A small host for the server engine in tests: a user list and a delivery log,
//! plus a transcript runner for `C:`/`S:` sessions.
#![allow(dead_code, clippy::unwrap_used)]

use mail_lab_proto::{Engine, Output, Session, Time};
use mail_lab_smtp::grammar::ForwardPath;
use mail_lab_smtp::{Delivery, Peer, RcptContext, Reply, ServerConfig, SmtpBackend, SmtpServer};

pub const NOW: Time = Time::from_secs(1_775_034_000);

#[derive(Default)]
pub struct TestHost {
    pub domain: String,
    pub users: Vec<(String, String)>,
    pub delivered: Vec<Delivery>,
    pub pop_before_smtp: Vec<String>,
}

impl TestHost {
    pub fn new(domain: &str, users: &[(&str, &str)]) -> Self {
        TestHost {
            domain: domain.to_string(),
            users: users.iter().map(|(u, p)| (u.to_ascii_lowercase(), p.to_string())).collect(),
            ..TestHost::default()
        }
    }
}

impl SmtpBackend for TestHost {
    fn check_local_recipient(&mut self, _ctx: RcptContext<'_>, rcpt: &ForwardPath) -> Result<(), Reply> {
        match rcpt {
            ForwardPath::Postmaster => Ok(()),
            ForwardPath::Mailbox(m) if m.local_part == "busy" => {
                Err(Reply::new(451, "4.2.1", "Mailbox busy, try later"))
            }
            ForwardPath::Mailbox(m) if self.users.iter().any(|(u, _)| u.eq_ignore_ascii_case(&m.local_part)) => Ok(()),
            ForwardPath::Mailbox(_) => Err(Reply::new(550, "5.1.1", "No such user here")),
        }
    }

    fn may_relay(&mut self, ctx: RcptContext<'_>) -> bool {
        self.pop_before_smtp.iter().any(|a| a == ctx.client_address)
    }

    fn deliver(&mut self, delivery: Delivery) -> Result<(), Reply> {
        self.delivered.push(delivery);
        Ok(())
    }

    fn verify(&mut self, query: &str) -> Option<String> {
        let user = query.split('@').next()?.to_ascii_lowercase();
        self.users.iter().any(|(u, _)| *u == user).then(|| format!("{user}@{}", self.domain))
    }

    fn password(&mut self, username: &str) -> Option<(String, String)> {
        let user = username.split('@').next()?.to_ascii_lowercase();
        self.users.iter().find(|(u, _)| *u == user).map(|(u, p)| (p.clone(), format!("{u}@{}", self.domain)))
    }
}

/// A server session with its host and everything it has sent.
pub struct Harness {
    pub server: SmtpServer,
    pub host: TestHost,
    pub controls: Vec<Output>,
}

impl Harness {
    pub fn new(config: ServerConfig, host: TestHost, client: &str) -> (Self, String) {
        let server = SmtpServer::new(config, Peer { address: client.to_string(), session_id: "T1".to_string() });
        let mut h = Harness { server, host, controls: Vec::new() };
        h.server.open(&mut h.host, NOW);
        let greeting = h.take();
        (h, greeting)
    }

    pub fn take(&mut self) -> String {
        let mut bytes = Vec::new();
        while let Some(out) = Engine::poll_output(&mut self.server) {
            match out {
                Output::Bytes(b) => bytes.extend_from_slice(&b),
                other => self.controls.push(other),
            }
        }
        String::from_utf8(bytes).unwrap()
    }

    pub fn send(&mut self, bytes: &[u8]) -> String {
        self.server.receive(bytes, &mut self.host, NOW);
        self.take()
    }

    pub fn line(&mut self, line: &str) -> String {
        self.send(format!("{line}\r\n").as_bytes())
    }
}

/// Replays a transcript: consecutive `C:` lines are sent together, then the
/// server's output must equal the following `S:` lines exactly.
pub fn replay(config: ServerConfig, host: TestHost, client: &str, transcript: &str) -> Harness {
    let mut lines = transcript.lines().map(str::trim_start).filter(|l| !l.is_empty() && !l.starts_with('#')).peekable();
    let mut expected_greeting = String::new();
    while let Some(l) = lines.next_if(|l| l.starts_with("S:")) {
        expected_greeting.push_str(&format!("{}\r\n", &l[3..]));
    }
    let (mut h, greeting) = Harness::new(config, host, client);
    assert_eq!(greeting, expected_greeting, "greeting");
    while lines.peek().is_some() {
        let mut sent = String::new();
        while let Some(l) = lines.next_if(|l| l.starts_with("C:")) {
            sent.push_str(l.get(3..).unwrap_or(""));
            sent.push_str("\r\n");
        }
        let mut expected = String::new();
        while let Some(l) = lines.next_if(|l| l.starts_with("S:")) {
            expected.push_str(&format!("{}\r\n", &l[3..]));
        }
        let got = h.send(sent.as_bytes());
        assert_eq!(got, expected, "after sending:\n{sent}");
    }
    h
}
