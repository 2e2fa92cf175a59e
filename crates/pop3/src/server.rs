//! The POP3 server engine (RFC 1939) with CAPA and response codes (RFC 2449),
//! APOP, SASL (RFC 5034) and STLS (RFC 2595).

use mail_lab_proto::framing::{Line, LineReader, dot_stuff};
use mail_lab_proto::sasl::{self, Credentials, Mechanism, Proof, SaslServer, SaslStep};
use mail_lab_proto::{Engine, Outbox, Output, Peer, Session, StateHint, Time, TlsMode, printable as clean};

use crate::grammar::{self, Command, SyntaxError};

/// Longest command line, CRLF included (RFC 2449 §4).
pub const MAX_COMMAND_LINE: usize = 255;
/// Longest SASL response line, CRLF included.
pub const MAX_AUTH_LINE: usize = 4096;

/// How one host's POP3 service behaves; given by the caller.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pop3Config {
    pub hostname: String,
    pub tls: TlsMode,
    /// USER/PASS and password-carrying SASL are refused until TLS is active.
    pub plaintext_requires_tls: bool,
    /// Offer APOP (the greeting then carries a timestamp).
    pub apop: bool,
    /// SASL mechanisms offered by AUTH.
    pub sasl: Vec<Mechanism>,
    /// The EXPIRE capability's argument (`NEVER` or days), if advertised.
    pub expire: Option<String>,
    /// The LOGIN-DELAY capability's argument in seconds, if advertised.
    pub login_delay: Option<u32>,
}

impl Pop3Config {
    /// The usual service for `hostname`: STLS, APOP, SASL PLAIN and CRAM-MD5,
    /// USER/PASS allowed in the clear (so the wiretap lesson can show it).
    pub fn new(hostname: &str) -> Self {
        Pop3Config {
            hostname: hostname.to_string(),
            tls: TlsMode::StartTls,
            plaintext_requires_tls: false,
            apop: true,
            sasl: vec![Mechanism::Plain, Mechanism::CramMd5],
            expire: Some("NEVER".into()),
            login_delay: None,
        }
    }
}

/// One message of a maildrop snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaildropEntry {
    /// The store's UID, used to fetch and delete it.
    pub uid: u32,
    /// Exact size in octets as RETR would send it before stuffing.
    pub size: usize,
    /// The UIDL unique-id: 1 to 70 characters in 0x21-0x7E, stable across sessions.
    pub unique_id: String,
}

/// Why a maildrop could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaildropError {
    /// Another POP3 session holds the lock (`[IN-USE]`, RFC 2449 §8.1.1).
    InUse,
    /// Something else went wrong (`[SYS/TEMP]`).
    Unavailable(String),
}

/// What the POP3 server asks of the host it runs on.
pub trait Pop3Backend {
    /// The password of `user` and the account it names, if the user exists.
    fn password(&mut self, user: &str) -> Option<(String, String)>;
    /// Lock the account's maildrop and list it. The list is the session's
    /// snapshot: mail arriving later is seen by the next session (RFC 1939 §8).
    fn open_maildrop(&mut self, account: &str) -> Result<Vec<MaildropEntry>, MaildropError>;
    /// A client logged in as `account` and holds its maildrop (for the host's event log).
    fn logged_in(&mut self, _account: &str, _proof: Proof) {}
    /// The message with this UID, if it still exists.
    fn message(&mut self, account: &str, uid: u32) -> Option<Vec<u8>>;
    /// The UPDATE state: remove these messages and release the lock; returns how
    /// many messages are left in the maildrop.
    fn commit(&mut self, account: &str, deleted: &[u32]) -> Result<usize, String>;
    /// Release the lock without changing anything (the connection dropped).
    fn release(&mut self, account: &str);
}

#[derive(Debug, Clone)]
struct Entry {
    uid: u32,
    size: usize,
    unique_id: String,
    deleted: bool,
}

/// The TRANSACTION state's data: the locked maildrop and its deletion marks.
#[derive(Debug, Clone)]
struct Maildrop {
    account: String,
    entries: Vec<Entry>,
}

impl Maildrop {
    fn live(&self) -> impl Iterator<Item = (usize, &Entry)> {
        self.entries.iter().enumerate().filter(|(_, e)| !e.deleted).map(|(i, e)| (i + 1, e))
    }

    fn totals(&self) -> (usize, usize) {
        self.live().fold((0, 0), |(n, size), (_, e)| (n + 1, size + e.size))
    }

    fn get(&self, msg: u32) -> Result<&Entry, String> {
        match self.entries.get((msg as usize).wrapping_sub(1)) {
            None => Err(match self.entries.len() {
                0 => "-ERR no such message, the maildrop is empty".to_string(),
                1 => "-ERR no such message, only 1 message in maildrop".to_string(),
                n => format!("-ERR no such message, only {n} messages in maildrop"),
            }),
            Some(e) if e.deleted => Err(format!("-ERR message {msg} already deleted")),
            Some(e) => Ok(e),
        }
    }
}

/// RFC 1939's states, each holding what it needs.
#[derive(Debug, Clone)]
enum State {
    Authorization {
        user: Option<String>,
    },
    /// A SASL exchange inside AUTHORIZATION.
    Sasl(Box<SaslServer>),
    Transaction(Maildrop),
    /// After QUIT from TRANSACTION the session passes through UPDATE (see
    /// `update`) and ends here; after QUIT from AUTHORIZATION it comes here directly.
    Closed,
}

/// One POP3 server session.
#[derive(Debug, Clone)]
pub struct Pop3Server {
    config: Pop3Config,
    peer: Peer,
    reader: LineReader,
    state: State,
    out: Outbox,
    tls: bool,
    timestamp: String,
    now_secs: u64,
    /// Logins refused for a wrong name, password or digest.
    failed_logins: u32,
    /// Pipelined input left for [`Session::resume`] once a slice of output is queued.
    unread: Vec<u8>,
}

/// Answers queued in one engine call before pipelined commands wait for
/// `resume`: 2,000 pipelined `RETR 1` of a 10 MB message would otherwise queue
/// 20 GB at once (the driver writes a slice before it resumes).
const SLICE_OCTETS: usize = 1 << 20;

fn summary(account: &str, n: usize, size: usize) -> String {
    let user = account.split('@').next().unwrap_or(account);
    let plural = if n == 1 { "" } else { "s" };
    format!("+OK {user}'s maildrop has {n} message{plural} ({size} octets)")
}

impl Pop3Server {
    /// A session for `peer` on a host configured by `config`.
    pub fn new(config: Pop3Config, peer: Peer) -> Self {
        let tls = config.tls == TlsMode::Implicit;
        Pop3Server {
            config,
            peer,
            reader: LineReader::new(MAX_COMMAND_LINE),
            state: State::Authorization { user: None },
            out: Outbox::default(),
            tls,
            timestamp: String::new(),
            now_secs: 0,
            failed_logins: 0,
            unread: Vec::new(),
        }
    }

    /// The APOP timestamp from the greeting, e.g. `<1896.697170952@dbc.mtview.ca.us>`.
    pub fn timestamp(&self) -> &str {
        &self.timestamp
    }

    /// True while the session is inside TLS.
    pub fn tls_active(&self) -> bool {
        self.tls
    }

    /// The RFC 1939 state: `AUTHORIZATION`, `TRANSACTION` or `closed`.
    pub fn state_key(&self) -> &'static str {
        match self.state {
            State::Authorization { .. } => "AUTHORIZATION",
            State::Sasl(_) => "AUTHORIZATION (SASL)",
            State::Transaction(_) => "TRANSACTION",
            State::Closed => "closed",
        }
    }

    fn line(&mut self, text: &str) {
        self.out.push_bytes(text.as_bytes());
        self.out.push_bytes(b"\r\n");
    }

    fn plaintext_allowed(&self) -> bool {
        self.tls || !self.config.plaintext_requires_tls
    }

    fn offered_sasl(&self) -> Vec<Mechanism> {
        let allowed = self.plaintext_allowed();
        self.config.sasl.iter().copied().filter(|m| allowed || !m.sends_password()).collect()
    }

    fn allowed(&self) -> Vec<&'static str> {
        match &self.state {
            // After USER the rest of the AUTHORIZATION state stays open: another
            // USER, AUTH, APOP or STLS (RFC 2595 §4, RFC 5034 §4), as Dovecot allows.
            State::Authorization { .. } => {
                let mut v = Vec::new();
                if self.plaintext_allowed() {
                    v.extend(["USER", "PASS"]);
                }
                if self.config.apop {
                    v.push("APOP");
                }
                if !self.offered_sasl().is_empty() {
                    v.push("AUTH");
                }
                if self.config.tls == TlsMode::StartTls && !self.tls {
                    v.push("STLS");
                }
                v.extend(["CAPA", "QUIT"]);
                v
            }
            State::Sasl(_) => vec![mail_lab_proto::BASE64_RESPONSE, "*"],
            State::Transaction(_) => {
                vec!["STAT", "LIST", "RETR", "DELE", "TOP", "UIDL", "NOOP", "RSET", "CAPA", "QUIT"]
            }
            State::Closed => Vec::new(),
        }
    }

    fn capabilities(&self) -> Vec<String> {
        let mut caps = vec!["TOP".to_string()];
        if self.plaintext_allowed() {
            caps.push("USER".into());
        }
        caps.push("UIDL".into());
        let sasl = self.offered_sasl();
        if !sasl.is_empty() {
            caps.push(format!("SASL {}", sasl.iter().map(|m| m.name()).collect::<Vec<_>>().join(" ")));
        }
        caps.push("RESP-CODES".into());
        caps.push("AUTH-RESP-CODE".into());
        caps.push("PIPELINING".into());
        if let Some(e) = &self.config.expire {
            caps.push(format!("EXPIRE {e}"));
        }
        if let Some(d) = self.config.login_delay {
            caps.push(format!("LOGIN-DELAY {d}"));
        }
        // STLS "indicates this command is present and permitted in the current
        // state" (RFC 2595 §4): not after login, where it is refused (as Dovecot).
        if self.config.tls == TlsMode::StartTls && !self.tls && matches!(self.state, State::Authorization { .. }) {
            caps.push("STLS".into());
        }
        caps.push("IMPLEMENTATION Mail-Lab".into());
        caps
    }

    fn handle_line<B: Pop3Backend + ?Sized>(&mut self, line: Line, input: &mut &[u8], backend: &mut B) {
        let text = match line {
            Line::TooLong { .. } => {
                return self.line(&format!(
                    "-ERR line too long: commands are limited to {MAX_COMMAND_LINE} octets including CRLF (RFC 2449)"
                ));
            }
            Line::Complete { text, .. } => text,
        };
        if text.contains(&0) {
            return self.line("-ERR NUL octet in command");
        }
        let Ok(text) = String::from_utf8(text) else {
            return self.line("-ERR command is not valid UTF-8");
        };
        let command = match grammar::command(&text) {
            Ok(c) => c,
            Err(SyntaxError::Unknown(verb)) => {
                let valid = self.allowed().join(" ");
                return self.line(&format!("-ERR unknown command \"{}\"; valid now: {valid}", clean(&verb)));
            }
            Err(SyntaxError::Arguments { expected, .. }) => return self.line(&format!("-ERR Syntax: {expected}")),
        };
        if !self.allowed().contains(&command.keyword()) {
            return self.refuse_in_state(&command);
        }
        match command {
            Command::Capa => {
                let mut text = String::from("+OK Capability list follows\r\n");
                for cap in self.capabilities() {
                    text.push_str(&cap);
                    text.push_str("\r\n");
                }
                text.push_str(".\r\n");
                self.out.push_bytes(text.as_bytes());
            }
            Command::Quit => self.quit(backend),
            Command::Stls => {
                self.line("+OK Begin TLS negotiation");
                self.out.push(Output::StartTls);
                // Nothing pipelined after STLS may run inside TLS as if sent there.
                *input = &[];
                self.reader.clear();
                self.tls = true;
                // A USER given in the clear is forgotten: PASS must follow one sent inside TLS.
                self.state = State::Authorization { user: None };
            }
            Command::User(name) => {
                // A name is VCHARs, but one that opens with "[" would read as a
                // response code (RFC 2449 §6.4), so it is not first on the line.
                let shown = if name.starts_with('[') { format!("user {name}") } else { name.clone() };
                self.line(&format!("+OK {shown} selected; send PASS"));
                self.state = State::Authorization { user: Some(name) };
            }
            Command::Pass(password) => {
                let State::Authorization { user: Some(user) } = &self.state else {
                    return self.line("-ERR send USER first");
                };
                let user = user.clone();
                let creds = Credentials::Password { authzid: String::new(), username: user, password };
                self.login(&creds, backend);
            }
            Command::Apop { name, digest } => match backend.password(&name) {
                Some((password, account)) if sasl::apop_digest(&self.timestamp, &password) == digest => {
                    self.open_maildrop(account, Proof::Digest, backend);
                }
                _ => {
                    self.failed_logins += 1;
                    self.line("-ERR [AUTH] authentication failed: wrong name or digest")
                }
            },
            Command::Auth { mechanism, initial } => self.start_sasl(&mechanism, initial.as_deref(), backend),
            other => self.transaction(other, backend),
        }
    }

    fn refuse_in_state(&mut self, command: &Command) {
        let keyword = command.keyword();
        let why = match (&self.state, keyword) {
            (State::Authorization { .. }, "USER" | "PASS") if !self.plaintext_allowed() => {
                "-ERR [AUTH] USER/PASS is disabled until STLS: the password would cross the network in the clear"
                    .to_string()
            }
            (State::Authorization { user: None }, "PASS") => "-ERR send USER first".to_string(),
            (State::Authorization { .. }, "APOP") => "-ERR APOP is not offered here".to_string(),
            (State::Authorization { .. }, "AUTH") => "-ERR AUTH is not offered here".to_string(),
            (State::Authorization { .. }, "STLS") if self.tls => "-ERR TLS is already active".to_string(),
            (State::Authorization { .. }, "STLS") => "-ERR STLS is not offered on this service".to_string(),
            (State::Transaction(_), "STLS") => "-ERR STLS is only allowed in the AUTHORIZATION state".to_string(),
            _ => format!(
                "-ERR {keyword} is not valid in the {} state; valid now: {}",
                self.state_key(),
                self.allowed().join(" ")
            ),
        };
        self.line(&why);
    }

    fn start_sasl<B: Pop3Backend + ?Sized>(&mut self, name: &str, initial: Option<&str>, backend: &mut B) {
        if name.is_empty() {
            // The mechanisms offered now, one per line (as CAPA's SASL line has them).
            let mut list = String::from("+OK SASL mechanisms follow\r\n");
            for m in self.offered_sasl() {
                list.push_str(m.name());
                list.push_str("\r\n");
            }
            list.push('.');
            return self.line(&list);
        }
        let Some(mechanism) = Mechanism::from_name(name).filter(|m| self.config.sasl.contains(m)) else {
            let offered: Vec<&str> = self.offered_sasl().iter().map(|m| m.name()).collect();
            return self.line(&format!("-ERR unsupported mechanism {name}; offered: {}", offered.join(" ")));
        };
        if !self.offered_sasl().contains(&mechanism) {
            return self.line(&format!("-ERR [AUTH] {} sends the password; use STLS first", mechanism.name()));
        }
        let initial = match initial {
            None => None,
            Some("=") => Some(Vec::new()),
            Some(text) => match sasl::decode_base64(text) {
                Some(b) => Some(b),
                None => return self.line("-ERR cannot decode the initial response: it must be base64"),
            },
        };
        let challenge = format!("<{}.{}@{}>", self.peer.session_id, self.now_secs, self.config.hostname);
        let (server, step) = SaslServer::start(mechanism, initial.as_deref(), &challenge);
        self.state = State::Sasl(Box::new(server));
        self.reader.set_max_len(MAX_AUTH_LINE);
        self.sasl_step(step, backend);
    }

    fn sasl_step<B: Pop3Backend + ?Sized>(&mut self, step: SaslStep, backend: &mut B) {
        match step {
            SaslStep::Challenge(bytes) => self.line(&format!("+ {}", sasl::encode_base64(&bytes))),
            SaslStep::Failed(why) => {
                self.end_sasl();
                self.failed_logins += 1;
                self.line(&format!("-ERR [AUTH] {why}"));
            }
            // Not the credentials' fault, so no [AUTH] (RFC 3206 §4).
            SaslStep::Misused(why) => {
                self.end_sasl();
                self.line(&format!("-ERR {why}"));
            }
            SaslStep::Done(creds) => {
                self.end_sasl();
                self.login(&creds, backend);
            }
        }
    }

    fn end_sasl(&mut self) {
        self.state = State::Authorization { user: None };
        self.reader.set_max_len(MAX_COMMAND_LINE);
    }

    fn handle_sasl_line<B: Pop3Backend + ?Sized>(&mut self, line: Line, backend: &mut B) {
        let State::Sasl(server) = &mut self.state else { return };
        let text = match line {
            Line::Complete { text, .. } => text,
            Line::TooLong { .. } => {
                self.end_sasl();
                return self.line("-ERR authentication line too long");
            }
        };
        if text == b"*" {
            self.end_sasl();
            return self.line("-ERR authentication cancelled");
        }
        let Some(bytes) = std::str::from_utf8(&text).ok().and_then(sasl::decode_base64) else {
            self.end_sasl();
            return self.line("-ERR cannot decode the response: it must be base64");
        };
        let step = server.step(&bytes);
        self.sasl_step(step, backend);
    }

    fn login<B: Pop3Backend + ?Sized>(&mut self, creds: &Credentials, backend: &mut B) {
        match backend.password(creds.username()) {
            Some((password, account)) if creds.verify(&password) => self.open_maildrop(account, creds.proof(), backend),
            _ => {
                self.failed_logins += 1;
                self.state = State::Authorization { user: None };
                self.line("-ERR [AUTH] invalid user name or password");
            }
        }
    }

    fn open_maildrop<B: Pop3Backend + ?Sized>(&mut self, account: String, proof: Proof, backend: &mut B) {
        match backend.open_maildrop(&account) {
            Ok(list) => {
                backend.logged_in(&account, proof);
                let entries = list
                    .into_iter()
                    .map(|e| Entry { uid: e.uid, size: e.size, unique_id: e.unique_id, deleted: false })
                    .collect();
                let drop = Maildrop { account: account.clone(), entries };
                let (n, size) = drop.totals();
                self.line(&summary(&account, n, size));
                self.state = State::Transaction(drop);
            }
            Err(MaildropError::InUse) => {
                self.state = State::Authorization { user: None };
                self.line("-ERR [IN-USE] maildrop already locked: another POP3 session is using it");
            }
            Err(MaildropError::Unavailable(why)) => {
                self.state = State::Authorization { user: None };
                self.line(&format!("-ERR [SYS/TEMP] maildrop unavailable: {why}"));
            }
        }
    }

    fn transaction<B: Pop3Backend + ?Sized>(&mut self, command: Command, backend: &mut B) {
        let State::Transaction(drop) = &mut self.state else { return };
        let reply: Result<String, String> = match command {
            Command::Stat => {
                let (n, size) = drop.totals();
                Ok(format!("+OK {n} {size}"))
            }
            Command::Noop => Ok("+OK".into()),
            Command::List(None) => {
                let (n, size) = drop.totals();
                let plural = if n == 1 { "" } else { "s" };
                let mut text = format!("+OK {n} message{plural} ({size} octets)\r\n");
                for (i, e) in drop.live() {
                    text.push_str(&format!("{i} {}\r\n", e.size));
                }
                text.push('.');
                Ok(text)
            }
            Command::List(Some(msg)) => drop.get(msg).map(|e| format!("+OK {msg} {}", e.size)),
            Command::Uidl(None) => {
                let mut text = String::from("+OK unique-id listing follows\r\n");
                for (i, e) in drop.live() {
                    text.push_str(&format!("{i} {}\r\n", e.unique_id));
                }
                text.push('.');
                Ok(text)
            }
            Command::Uidl(Some(msg)) => drop.get(msg).map(|e| format!("+OK {msg} {}", e.unique_id)),
            Command::Dele(msg) => drop.get(msg).map(|_| ()).map(|()| {
                if let Some(e) = drop.entries.get_mut(msg as usize - 1) {
                    e.deleted = true;
                }
                format!("+OK message {msg} deleted")
            }),
            Command::Rset => {
                for e in &mut drop.entries {
                    e.deleted = false;
                }
                let (n, size) = drop.totals();
                Ok(summary(&drop.account, n, size))
            }
            Command::Retr(msg) | Command::Top { msg, .. } => {
                let lines = if let Command::Top { lines, .. } = command { Some(lines) } else { None };
                match drop.get(msg).map(|e| (e.uid, e.size)) {
                    Err(e) => Err(e),
                    Ok((uid, size)) => match backend.message(&drop.account, uid) {
                        None => Err(format!("-ERR [SYS/TEMP] message {msg} was removed by another session")),
                        Some(data) => {
                            let (head, body) = match lines {
                                None => (format!("+OK {size} octets"), data),
                                Some(n) => ("+OK top of message follows".to_string(), top(&data, n)),
                            };
                            self.line(&head);
                            self.out.push_bytes(&dot_stuff(&body));
                            return;
                        }
                    },
                }
            }
            _ => return,
        };
        match reply {
            Ok(text) | Err(text) => self.line(&text),
        }
    }

    fn quit<B: Pop3Backend + ?Sized>(&mut self, backend: &mut B) {
        let host = self.config.hostname.clone();
        match std::mem::replace(&mut self.state, State::Closed) {
            State::Transaction(drop) => self.update(drop, backend),
            _ => self.line(&format!("+OK {host} POP3 server signing off")),
        }
        self.out.push(Output::Close);
    }

    /// The UPDATE state (RFC 1939 §6): only now are deletions made permanent.
    fn update<B: Pop3Backend + ?Sized>(&mut self, drop: Maildrop, backend: &mut B) {
        let deleted: Vec<u32> = drop.entries.iter().filter(|e| e.deleted).map(|e| e.uid).collect();
        let host = &self.config.hostname;
        let text = match backend.commit(&drop.account, &deleted) {
            Ok(0) => format!("+OK {host} POP3 server signing off (maildrop empty)"),
            Ok(1) => format!("+OK {host} POP3 server signing off (1 message left)"),
            Ok(left) => format!("+OK {host} POP3 server signing off ({left} messages left)"),
            Err(why) => format!("-ERR [SYS/TEMP] some deleted messages not removed: {why}"),
        };
        self.line(&text);
    }
}

/// The header, the empty line and the first `n` body lines (RFC 1939 §7 TOP).
fn top(data: &[u8], n: u32) -> Vec<u8> {
    let body_start = mail_lab_proto::framing::header_len(data);
    let mut out = data[..body_start].to_vec();
    let mut lines = 0;
    let mut pos = body_start;
    while lines < n && pos < data.len() {
        let end = data[pos..].iter().position(|&b| b == b'\n').map_or(data.len(), |i| pos + i + 1);
        out.extend_from_slice(&data[pos..end]);
        pos = end;
        lines += 1;
    }
    out
}

impl Engine for Pop3Server {
    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    fn hint(&self) -> StateHint {
        StateHint { state: self.state_key(), allowed: self.allowed(), reads_message_text: false }
    }

    fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed) && self.out.is_empty()
    }

    fn failed_logins(&self) -> u32 {
        self.failed_logins
    }

    fn is_busy(&self) -> bool {
        !self.unread.is_empty() && !matches!(self.state, State::Closed)
    }
}

impl Pop3Server {
    /// Handle `input`'s lines until a slice of answers is queued; the rest waits for `resume`.
    fn read_lines<B: Pop3Backend + ?Sized>(&mut self, mut input: &[u8], backend: &mut B) {
        while !input.is_empty() {
            if self.out.queued_bytes() >= SLICE_OCTETS {
                self.unread = input.to_vec();
                return;
            }
            let Some(line) = self.reader.next_line(&mut input) else { return };
            match self.state {
                State::Closed => return,
                State::Sasl(_) => self.handle_sasl_line(line, backend),
                _ => self.handle_line(line, &mut input, backend),
            }
        }
    }
}

impl<B: Pop3Backend + ?Sized> Session<B> for Pop3Server {
    fn open(&mut self, _backend: &mut B, now: Time) {
        self.now_secs = now.as_secs();
        self.timestamp = format!("<{}.{}@{}>", self.peer.session_id, now.as_secs(), self.config.hostname);
        let greeting = if self.config.apop {
            format!("+OK POP3 server ready {}", self.timestamp)
        } else {
            "+OK POP3 server ready".to_string()
        };
        self.line(&greeting);
    }

    fn receive(&mut self, input: &[u8], backend: &mut B, now: Time) {
        self.now_secs = now.as_secs();
        if !self.unread.is_empty() {
            // Behind a paused slice: in order, after what waits.
            self.unread.extend_from_slice(input);
            return;
        }
        self.read_lines(input, backend);
    }

    fn resume(&mut self, backend: &mut B, now: Time) {
        self.now_secs = now.as_secs();
        let input = std::mem::take(&mut self.unread);
        self.read_lines(&input, backend);
    }

    fn timed_out(&mut self, backend: &mut B, _now: Time) {
        // RFC 1939 §3: an autologout closes without UPDATE and without a response.
        self.connection_lost(backend);
        self.state = State::Closed;
        self.out.push(Output::Close);
    }

    fn connection_lost(&mut self, backend: &mut B) {
        // A dropped connection never reaches UPDATE: nothing is deleted.
        if let State::Transaction(drop) = std::mem::replace(&mut self.state, State::Closed) {
            backend.release(&drop.account);
        }
    }
}
