//! The POP3 client engine for the mail client: CAPA, STLS when offered, APOP when
//! the greeting has a timestamp, otherwise SASL or USER/PASS; then UIDL, RETR of
//! the messages it has not seen, DELE unless mail is left on the server, QUIT.

use std::collections::VecDeque;

use mail_lab_proto::framing::{DotReader, Line, LineReader};
use mail_lab_proto::sasl::{self, Mechanism};
use mail_lab_proto::{ClientTls, Engine, Outbox, Output, Session, StateHint, Time};

/// Longest single-line response the client reads (RFC 2449 §4: 512 octets).
pub const MAX_RESPONSE_LINE: usize = 512;
/// Largest multi-line response kept; larger ones are an error, not a memory hog.
pub const MAX_MULTILINE: usize = 64 * 1024 * 1024;

/// How the client proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pop3Login {
    /// APOP if the greeting has a timestamp, else CRAM-MD5 if offered, else USER/PASS.
    Auto,
    UserPass,
    Apop,
    Sasl(Mechanism),
}

/// How the client behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pop3ClientConfig {
    pub user: String,
    pub password: String,
    pub tls: ClientTls,
    pub login: Pop3Login,
    /// Keep messages on the server (no DELE); `known_uids` then skips them next time.
    pub leave_on_server: bool,
    /// Unique-ids already downloaded in earlier sessions.
    pub known_uids: Vec<String>,
    /// Send the password in the clear when no TLS is available (the wiretap lesson).
    pub allow_plaintext: bool,
}

/// One downloaded message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retrieved {
    pub unique_id: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Greeting,
    Capa,
    Stls,
    User,
    Pass,
    Apop,
    Auth(Mechanism),
    Uidl,
    Retr { n: u32, unique_id: String },
    Dele,
    Quit,
}

impl Expect {
    fn multi_line(&self) -> bool {
        matches!(self, Expect::Capa | Expect::Uidl | Expect::Retr { .. })
    }
}

/// One POP3 client session.
#[derive(Debug, Clone)]
pub struct Pop3Client {
    config: Pop3ClientConfig,
    reader: LineReader,
    /// A multi-line response being read after its `+OK` line.
    block: Option<DotReader>,
    out: Outbox,
    awaiting: VecDeque<Expect>,
    capabilities: Vec<String>,
    timestamp: Option<String>,
    tls: bool,
    todo: VecDeque<(u32, String)>,
    server_uids: Vec<String>,
    retrieved: Vec<Retrieved>,
    error: Option<String>,
    done: bool,
}

impl Pop3Client {
    /// A client that starts when the server greets it.
    pub fn new(config: Pop3ClientConfig) -> Self {
        let tls = config.tls == ClientTls::Implicit;
        Pop3Client {
            config,
            reader: LineReader::new(MAX_RESPONSE_LINE),
            block: None,
            out: Outbox::default(),
            awaiting: VecDeque::from([Expect::Greeting]),
            capabilities: Vec::new(),
            timestamp: None,
            tls,
            todo: VecDeque::new(),
            server_uids: Vec::new(),
            retrieved: Vec::new(),
            error: None,
            done: false,
        }
    }

    /// Messages downloaded in this session, in maildrop order.
    pub fn retrieved(&self) -> &[Retrieved] {
        &self.retrieved
    }

    /// Every unique-id the server listed (for "leave on server" bookkeeping).
    pub fn server_uids(&self) -> &[String] {
        &self.server_uids
    }

    /// Why the session failed, if it did.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// True when the session is over.
    pub fn is_done(&self) -> bool {
        self.done
    }

    fn send(&mut self, line: &str, expect: Expect) {
        self.out.push_bytes(line.as_bytes());
        self.out.push_bytes(b"\r\n");
        self.awaiting.push_back(expect);
    }

    fn fail(&mut self, why: String) {
        self.error.get_or_insert(why);
        self.awaiting.clear();
        self.send("QUIT", Expect::Quit);
    }

    fn has_cap(&self, name: &str) -> bool {
        self.capabilities.iter().any(|c| c.split_whitespace().next().is_some_and(|w| w.eq_ignore_ascii_case(name)))
    }

    fn sasl_offered(&self, m: Mechanism) -> bool {
        self.capabilities.iter().any(|c| {
            let mut words = c.split_whitespace();
            words.next().is_some_and(|w| w.eq_ignore_ascii_case("SASL"))
                && words.any(|w| w.eq_ignore_ascii_case(m.name()))
        })
    }

    fn after_capa(&mut self) {
        if !self.tls {
            let offered = self.has_cap("STLS");
            match self.config.tls {
                ClientTls::IfOffered | ClientTls::Required if offered => return self.send("STLS", Expect::Stls),
                ClientTls::Required => return self.fail("TLS required but the server does not offer STLS".into()),
                _ => {}
            }
        }
        self.login();
    }

    fn login(&mut self) {
        let (user, pass) = (self.config.user.clone(), self.config.password.clone());
        let plaintext_ok = self.tls || self.config.allow_plaintext;
        let choice = match self.config.login {
            Pop3Login::Auto if self.timestamp.is_some() => Pop3Login::Apop,
            Pop3Login::Auto if self.sasl_offered(Mechanism::CramMd5) => Pop3Login::Sasl(Mechanism::CramMd5),
            Pop3Login::Auto => Pop3Login::UserPass,
            other => other,
        };
        match choice {
            Pop3Login::Apop => match self.timestamp.clone() {
                Some(ts) => self.send(&format!("APOP {user} {}", sasl::apop_digest(&ts, &pass)), Expect::Apop),
                None => self.fail("APOP needs a timestamp in the greeting, and there is none".into()),
            },
            Pop3Login::Sasl(m) if m.sends_password() && !plaintext_ok => {
                self.fail(format!("refusing to send the password in the clear with {}", m.name()))
            }
            Pop3Login::Sasl(m) => match sasl::client_initial(m, &user, &pass) {
                Some(initial) => {
                    self.send(&format!("AUTH {} {}", m.name(), sasl::encode_base64(&initial)), Expect::Auth(m))
                }
                None => self.send(&format!("AUTH {}", m.name()), Expect::Auth(m)),
            },
            _ if !plaintext_ok => self.fail("refusing to send USER/PASS in the clear".into()),
            _ => self.send(&format!("USER {user}"), Expect::User),
        }
    }

    fn next_retrieval(&mut self) {
        match self.todo.pop_front() {
            Some((n, unique_id)) => self.send(&format!("RETR {n}"), Expect::Retr { n, unique_id }),
            None => self.send("QUIT", Expect::Quit),
        }
    }

    fn handle_single(&mut self, line: &str) {
        let Some(expect) = self.awaiting.pop_front() else { return };
        let ok = line.starts_with("+OK");
        match expect {
            Expect::Greeting if ok => {
                self.timestamp = line.find('<').and_then(|a| line[a..].find('>').map(|b| line[a..=a + b].to_string()));
                self.send("CAPA", Expect::Capa);
            }
            Expect::Greeting => {
                self.error = Some(format!("server refused the connection: {line}"));
                self.done = true;
                self.out.push(Output::Close);
            }
            Expect::Capa => self.after_capa(), // -ERR: an RFC 1939-only server
            Expect::Stls if ok => {
                self.out.push(Output::StartTls);
                self.tls = true;
                self.capabilities.clear();
                self.send("CAPA", Expect::Capa);
            }
            Expect::Stls if self.config.tls == ClientTls::Required => self.fail(format!("STLS refused: {line}")),
            Expect::Stls => self.login(),
            Expect::User if ok => {
                let pass = self.config.password.clone();
                self.send(&format!("PASS {pass}"), Expect::Pass);
            }
            Expect::Auth(m) if line.starts_with('+') && !ok => {
                let challenge = sasl::decode_base64(line.get(2..).unwrap_or("")).unwrap_or_default();
                let answer = sasl::client_answer(m, &self.config.user, &self.config.password, &challenge);
                self.send(&sasl::encode_base64(&answer), Expect::Auth(m));
            }
            Expect::Pass | Expect::Apop | Expect::Auth(_) if ok => self.send("UIDL", Expect::Uidl),
            Expect::User | Expect::Pass | Expect::Apop | Expect::Auth(_) => self.fail(format!("login failed: {line}")),
            Expect::Uidl | Expect::Retr { .. } => self.fail(format!("server error: {line}")),
            Expect::Dele if ok => self.next_retrieval(),
            Expect::Dele => self.fail(format!("DELE refused: {line}")),
            Expect::Quit => {
                self.done = true;
                self.out.push(Output::Close);
            }
        }
    }

    fn handle_block(&mut self, body: Vec<u8>) {
        let Some(expect) = self.awaiting.pop_front() else { return };
        match expect {
            Expect::Capa => {
                self.capabilities = String::from_utf8_lossy(&body).lines().map(str::to_string).collect();
                self.after_capa();
            }
            Expect::Uidl => {
                for line in String::from_utf8_lossy(&body).lines() {
                    let mut parts = line.split_whitespace();
                    let (Some(n), Some(uid)) = (parts.next().and_then(|n| n.parse::<u32>().ok()), parts.next()) else {
                        continue;
                    };
                    self.server_uids.push(uid.to_string());
                    if !self.config.known_uids.iter().any(|k| k == uid) {
                        self.todo.push_back((n, uid.to_string()));
                    }
                }
                self.next_retrieval();
            }
            Expect::Retr { n, unique_id } => {
                self.retrieved.push(Retrieved { unique_id, data: body });
                if self.config.leave_on_server {
                    self.next_retrieval();
                } else {
                    self.send(&format!("DELE {n}"), Expect::Dele);
                }
            }
            _ => {}
        }
    }
}

impl Engine for Pop3Client {
    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    fn hint(&self) -> StateHint {
        let state = match self.awaiting.front() {
            _ if self.done => "closed",
            Some(Expect::Greeting) => "waiting for greeting",
            Some(Expect::User | Expect::Pass | Expect::Apop | Expect::Auth(_)) => "AUTHORIZATION",
            Some(Expect::Quit) => "UPDATE",
            _ => "TRANSACTION",
        };
        StateHint { state, allowed: Vec::new(), reads_message_text: false }
    }

    fn is_closed(&self) -> bool {
        self.done && self.out.is_empty()
    }
}

impl Session<()> for Pop3Client {
    fn open(&mut self, _backend: &mut (), _now: Time) {}

    fn receive(&mut self, input: &[u8], _backend: &mut (), _now: Time) {
        let mut input = input;
        while !self.done && !input.is_empty() {
            if let Some(reader) = self.block.as_mut() {
                if !reader.feed(&mut input) {
                    if reader.findings().oversize {
                        self.block = None;
                        self.fail("multi-line response too large".into());
                    }
                    return;
                }
                if let Some(reader) = self.block.take() {
                    self.handle_block(reader.into_data());
                }
                continue;
            }
            let Some(line) = self.reader.next_line(&mut input) else { return };
            let text = match line {
                Line::Complete { text, .. } => String::from_utf8_lossy(&text).into_owned(),
                Line::TooLong { .. } => {
                    self.fail("response line too long".into());
                    continue;
                }
            };
            let multi = self.awaiting.front().is_some_and(Expect::multi_line);
            if multi && text.starts_with("+OK") {
                self.block = Some(DotReader::new(MAX_MULTILINE, usize::MAX));
            } else {
                self.handle_single(&text);
            }
        }
    }
}
