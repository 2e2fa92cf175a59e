//! The SMTP client engine, for relay (MTA to MTA) and submission (MUA to MSA).
//! It sends one message per session and reports, per recipient, whether the
//! server took responsibility (delivered), failed for now (retry) or for good (bounce).

use std::collections::VecDeque;

use mail_lab_proto::framing::{Line, LineReader, dot_stuff};
use mail_lab_proto::sasl::{self, Mechanism};
use mail_lab_proto::{ClientTls, Engine, Outbox, Output, Session, StateHint, Time};

use crate::reply::Reply;

/// Longest reply line the client reads, CRLF included (RFC 5321 §4.5.3.1.5 says 512;
/// real servers send longer, so the client is lenient but bounded).
pub const MAX_REPLY_LINE: usize = 2048;
/// Most lines in one multi-line reply.
pub const MAX_REPLY_LINES: usize = 200;

/// How the client behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// The name sent in EHLO/HELO.
    pub helo_name: String,
    /// User name and password for AUTH, if the client should log in.
    pub credentials: Option<(String, String)>,
    pub tls: ClientTls,
    /// Allow PLAIN/LOGIN outside TLS (the lab shows why this is a bad idea).
    pub allow_plaintext_auth: bool,
    /// Send the message with BDAT (RFC 3030) when the server offers CHUNKING,
    /// instead of DATA with dot-stuffing.
    pub use_chunking: bool,
}

impl ClientConfig {
    /// A relay client: opportunistic TLS, no AUTH.
    pub fn relay(helo_name: &str) -> Self {
        ClientConfig {
            helo_name: helo_name.to_string(),
            credentials: None,
            tls: ClientTls::IfOffered,
            allow_plaintext_auth: false,
            use_chunking: false,
        }
    }
}

/// The message to send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// `MAIL FROM`; empty for the null reverse-path `<>` (bounces).
    pub reverse_path: String,
    pub recipients: Vec<String>,
    /// The message with CRLF line endings, not dot-stuffed.
    pub data: Vec<u8>,
    /// The sender's DSN parameters, passed on where the server offers DSN (RFC 3461 §5).
    pub dsn: crate::DsnRequest,
}

/// What happened to one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The server accepted responsibility (250 after the data).
    Delivered(Reply),
    /// A temporary failure (4xx, lost connection): try again later.
    Deferred(Reply),
    /// A permanent failure (5xx): give up and bounce.
    Bounced(Reply),
}

impl Outcome {
    fn from_reply(reply: Reply) -> Outcome {
        match reply.code {
            200..=399 => Outcome::Delivered(reply),
            400..=499 => Outcome::Deferred(reply),
            _ => Outcome::Bounced(reply),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    Auth(Mechanism),
    Mail,
    Rcpt(usize),
    Data,
    Body,
    Bdat,
    Quit,
}

#[derive(Debug, Clone, Default)]
struct Extensions {
    pipelining: bool,
    size: Option<u64>,
    eight_bit: bool,
    smtputf8: bool,
    starttls: bool,
    chunking: bool,
    dsn: bool,
    auth: Vec<Mechanism>,
}

/// One SMTP client session sending one message.
#[derive(Debug, Clone)]
pub struct SmtpClient {
    config: ClientConfig,
    message: OutgoingMessage,
    reader: LineReader,
    partial: Vec<String>,
    out: Outbox,
    awaiting: VecDeque<Cmd>,
    pending: VecDeque<Cmd>,
    ext: Extensions,
    tls: bool,
    authenticated: bool,
    outcomes: Vec<Option<Outcome>>,
    accepted: Vec<usize>,
    done: bool,
}

impl SmtpClient {
    /// A client that will send `message` once the server greets it.
    pub fn new(config: ClientConfig, mut message: OutgoingMessage) -> Self {
        // Bare LFs (a message appended over IMAP, an import) go out as CRLF
        // (RFC 5321 §2.3.8), so SIZE=, BDAT and DATA all count the same octets.
        if let Some(data) = mail_lab_proto::framing::with_crlf(&message.data) {
            message.data = data;
        }
        let outcomes = vec![None; message.recipients.len()];
        let tls = config.tls == ClientTls::Implicit;
        SmtpClient {
            config,
            message,
            reader: LineReader::new(MAX_REPLY_LINE),
            partial: Vec::new(),
            out: Outbox::default(),
            awaiting: VecDeque::from([Cmd::Greeting]),
            pending: VecDeque::new(),
            ext: Extensions::default(),
            tls,
            authenticated: false,
            outcomes,
            accepted: Vec::new(),
            done: false,
        }
    }

    /// Per recipient, what happened; complete once the session is over.
    pub fn outcomes(&self) -> Vec<(String, Outcome)> {
        let unknown = Reply::new(451, "4.4.2", "Session ended before the server answered");
        self.message
            .recipients
            .iter()
            .zip(&self.outcomes)
            .map(|(r, o)| (r.clone(), o.clone().unwrap_or_else(|| Outcome::Deferred(unknown.clone()))))
            .collect()
    }

    /// True once every recipient has an outcome and QUIT was answered (or the
    /// session was abandoned).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The driver lost the connection: every open recipient is deferred.
    pub fn connection_lost(&mut self) {
        self.fail_open(Reply::new(421, "4.4.2", "Connection lost"));
        self.done = true;
    }

    fn send_line(&mut self, line: &str) {
        self.out.push_bytes(line.as_bytes());
        self.out.push_bytes(b"\r\n");
    }

    /// Give every recipient without an outcome this failure and quit.
    fn fail_open(&mut self, reply: Reply) {
        for o in self.outcomes.iter_mut().filter(|o| o.is_none()) {
            *o = Some(Outcome::from_reply(reply.clone()));
        }
    }

    fn give_up(&mut self, reply: Reply) {
        self.fail_open(reply);
        self.pending.clear();
        self.issue(Cmd::Quit);
    }

    fn issue(&mut self, cmd: Cmd) {
        let line = match cmd {
            Cmd::Greeting | Cmd::Body | Cmd::Bdat => String::new(),
            Cmd::Ehlo => format!("EHLO {}", self.config.helo_name),
            Cmd::Helo => format!("HELO {}", self.config.helo_name),
            Cmd::StartTls => "STARTTLS".into(),
            Cmd::Auth(m) => {
                let (user, pass) = self.config.credentials.clone().unwrap_or_default();
                match sasl::client_initial(m, &user, &pass) {
                    Some(initial) => format!("AUTH {} {}", m.name(), sasl::encode_base64(&initial)),
                    None => format!("AUTH {}", m.name()),
                }
            }
            Cmd::Mail => self.mail_command(),
            Cmd::Rcpt(i) => {
                let to = &self.message.recipients[i];
                let dsn = if self.ext.dsn { self.message.dsn.rcpt_parameters(to) } else { String::new() };
                format!("RCPT TO:<{to}>{dsn}")
            }
            Cmd::Data => "DATA".into(),
            Cmd::Quit => "QUIT".into(),
        };
        match cmd {
            Cmd::Greeting => {}
            Cmd::Body => {
                let wire = dot_stuff(&self.message.data);
                self.out.push_bytes(&wire);
            }
            Cmd::Bdat => {
                // One chunk of exact length: no stuffing, no end marker (RFC 3030).
                self.send_line(&format!("BDAT {} LAST", self.message.data.len()));
                let data = self.message.data.clone();
                self.out.push_bytes(&data);
            }
            _ => self.send_line(&line),
        }
        self.awaiting.push_back(cmd);
    }

    fn mail_command(&self) -> String {
        let mut line = format!("MAIL FROM:<{}>", self.message.reverse_path);
        if self.ext.size.is_some() {
            line.push_str(&format!(" SIZE={}", self.message.data.len()));
        }
        if self.ext.eight_bit && !self.message.data.is_ascii() {
            line.push_str(" BODY=8BITMIME");
        }
        let utf8 = !self.message.reverse_path.is_ascii() || self.message.recipients.iter().any(|r| !r.is_ascii());
        if utf8 && self.ext.smtputf8 {
            line.push_str(" SMTPUTF8");
        }
        if self.ext.dsn {
            line.push_str(&self.message.dsn.mail_parameters());
        }
        line
    }

    /// After EHLO/HELO: TLS, then AUTH, then the mail transaction.
    fn after_greeting(&mut self) {
        if !self.tls {
            match self.config.tls {
                ClientTls::IfOffered | ClientTls::Required if self.ext.starttls => return self.issue(Cmd::StartTls),
                ClientTls::Required => {
                    return self.give_up(Reply::new(
                        454,
                        "4.7.0",
                        "TLS required but the server does not offer STARTTLS",
                    ));
                }
                _ => {}
            }
        }
        if self.config.credentials.is_some() && !self.authenticated {
            let usable = |m: &Mechanism| self.tls || !m.sends_password() || self.config.allow_plaintext_auth;
            let choice = Mechanism::ALL.into_iter().find(|m| self.ext.auth.contains(m) && usable(m));
            return match choice {
                Some(m) => self.issue(Cmd::Auth(m)),
                None => self.give_up(Reply::new(530, "5.7.0", "The server offers no usable AUTH mechanism")),
            };
        }
        if let Some(max) = self.ext.size
            && self.message.data.len() as u64 > max
        {
            return self.give_up(Reply::new(552, "5.3.4", format!("Message too big for the server (limit {max})")));
        }
        self.start_transaction();
    }

    fn start_transaction(&mut self) {
        self.pending.push_back(Cmd::Mail);
        for i in 0..self.message.recipients.len() {
            self.pending.push_back(Cmd::Rcpt(i));
        }
        let chunked = self.config.use_chunking && self.ext.chunking;
        self.pending.push_back(if chunked { Cmd::Bdat } else { Cmd::Data });
        self.flush_pending();
    }

    /// Send the next command, or the whole group when the server pipelines (RFC 2920).
    fn flush_pending(&mut self) {
        if !self.awaiting.is_empty() && !self.ext.pipelining {
            return;
        }
        if self.ext.pipelining {
            while let Some(cmd) = self.pending.pop_front() {
                self.issue(cmd);
            }
        } else if let Some(cmd) = self.pending.pop_front() {
            if matches!(cmd, Cmd::Data | Cmd::Bdat) && self.accepted.is_empty() {
                // Every recipient was refused: no DATA, just QUIT.
                return self.issue(Cmd::Quit);
            }
            self.issue(cmd);
        }
    }

    fn handle_reply(&mut self, reply: Reply) {
        let Some(cmd) = self.awaiting.pop_front() else { return };
        if reply.code == 421 {
            // The server is going away: whatever was in flight failed for now.
            self.fail_open(reply);
            self.pending.clear();
            self.awaiting.clear();
            self.out.push(Output::Close);
            self.done = true;
            return;
        }
        let ok = reply.code / 100 == 2;
        match cmd {
            Cmd::Greeting if ok => self.issue(Cmd::Ehlo),
            Cmd::Greeting => self.give_up(reply),
            Cmd::Ehlo if ok => {
                self.ext = parse_extensions(&reply);
                self.after_greeting();
            }
            Cmd::Ehlo if reply.code >= 500 => self.issue(Cmd::Helo),
            Cmd::Helo if ok => {
                self.ext = Extensions::default();
                self.after_greeting();
            }
            Cmd::Ehlo | Cmd::Helo => self.give_up(reply),
            Cmd::StartTls if reply.code == 220 => {
                self.out.push(Output::StartTls);
                self.tls = true;
                self.ext = Extensions::default();
                self.issue(Cmd::Ehlo);
            }
            Cmd::StartTls if self.config.tls == ClientTls::Required => self.give_up(reply),
            Cmd::StartTls => {
                // Opportunistic: go on in the clear.
                self.ext.starttls = false;
                self.after_greeting();
            }
            Cmd::Auth(m) => self.auth_reply(m, reply),
            Cmd::Mail if ok => self.flush_pending(),
            Cmd::Mail => {
                // Pipelined RCPTs and DATA are refused too: their replies are read
                // and the DATA reply sends QUIT. Unpipelined, QUIT now.
                self.fail_open(reply);
                self.pending.clear();
                if self.awaiting.is_empty() {
                    self.issue(Cmd::Quit);
                }
            }
            Cmd::Rcpt(i) => {
                if ok {
                    self.accepted.push(i);
                } else if self.outcomes[i].is_none() {
                    self.outcomes[i] = Some(Outcome::from_reply(reply));
                }
                self.flush_pending();
            }
            Cmd::Data if reply.code == 354 && self.accepted.is_empty() => {
                // RFC 2920 §3.1: no recipient was accepted; end the data at once.
                self.out.push_bytes(b".\r\n");
                self.awaiting.push_back(Cmd::Body);
            }
            Cmd::Data if reply.code == 354 => self.issue(Cmd::Body),
            Cmd::Data => {
                let accepted = std::mem::take(&mut self.accepted);
                for i in accepted {
                    self.outcomes[i] = Some(Outcome::from_reply(reply.clone()));
                }
                self.fail_open(reply);
                self.issue(Cmd::Quit);
            }
            Cmd::Body | Cmd::Bdat => {
                let accepted = std::mem::take(&mut self.accepted);
                for i in accepted {
                    self.outcomes[i] = Some(Outcome::from_reply(reply.clone()));
                }
                self.fail_open(reply);
                self.issue(Cmd::Quit);
            }
            Cmd::Quit => {
                self.out.push(Output::Close);
                self.done = true;
            }
        }
    }

    fn auth_reply(&mut self, mechanism: Mechanism, reply: Reply) {
        match reply.code {
            235 => {
                self.authenticated = true;
                self.after_greeting();
            }
            334 => {
                let challenge = sasl::decode_base64(reply.lines.first().map_or("", String::as_str)).unwrap_or_default();
                let (user, pass) = self.config.credentials.clone().unwrap_or_default();
                let answer = sasl::client_answer(mechanism, &user, &pass, &challenge);
                self.send_line(&sasl::encode_base64(&answer));
                self.awaiting.push_back(Cmd::Auth(mechanism));
            }
            _ => self.give_up(reply),
        }
    }

    fn handle_line(&mut self, line: Line) {
        let text = match line {
            Line::Complete { text, .. } => String::from_utf8_lossy(&text).into_owned(),
            Line::TooLong { .. } => return self.protocol_error("reply line too long"),
        };
        let bytes = text.as_bytes();
        let code_ok =
            bytes.len() >= 3 && bytes[..3].iter().all(u8::is_ascii_digit) && (b'2'..=b'5').contains(&bytes[0]);
        let sep = bytes.get(3).copied();
        if !code_ok || !matches!(sep, None | Some(b' ') | Some(b'-')) {
            return self.protocol_error("malformed reply line");
        }
        let rest = text.get(4..).unwrap_or("").to_string();
        if self.partial.len() >= MAX_REPLY_LINES {
            return self.protocol_error("reply has too many lines");
        }
        self.partial.push(rest);
        if sep == Some(b'-') {
            return;
        }
        let code = text[..3].parse().unwrap_or(451);
        let lines = std::mem::take(&mut self.partial);
        self.handle_reply(Reply { code, enhanced: None, lines });
    }

    fn protocol_error(&mut self, why: &str) {
        self.fail_open(Reply::new(451, "4.5.0", format!("Protocol error from server: {why}")));
        self.awaiting.clear();
        self.pending.clear();
        self.out.push(Output::Close);
        self.done = true;
    }
}

fn parse_extensions(reply: &Reply) -> Extensions {
    let mut ext = Extensions::default();
    for line in reply.lines.iter().skip(1) {
        let mut words = line.split_whitespace();
        let keyword = words.next().unwrap_or("").to_ascii_uppercase();
        match keyword.as_str() {
            "PIPELINING" => ext.pipelining = true,
            "SIZE" => ext.size = words.next().and_then(|n| n.parse().ok()).filter(|&n| n > 0),
            "8BITMIME" => ext.eight_bit = true,
            "SMTPUTF8" => ext.smtputf8 = true,
            "STARTTLS" => ext.starttls = true,
            "CHUNKING" => ext.chunking = true,
            "DSN" => ext.dsn = true,
            "AUTH" => ext.auth = words.filter_map(Mechanism::from_name).collect(),
            _ => {}
        }
    }
    ext
}

impl Engine for SmtpClient {
    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    fn hint(&self) -> StateHint {
        let state = match self.awaiting.front() {
            None if self.done => "closed",
            None => "idle",
            Some(Cmd::Greeting) => "waiting for greeting",
            Some(Cmd::Ehlo | Cmd::Helo) => "greeting",
            Some(Cmd::StartTls) => "starting TLS",
            Some(Cmd::Auth(_)) => "authenticating",
            Some(Cmd::Mail | Cmd::Rcpt(_) | Cmd::Data) => "envelope",
            Some(Cmd::Body | Cmd::Bdat) => "sending data",
            Some(Cmd::Quit) => "quitting",
        };
        StateHint { state, allowed: Vec::new(), reads_message_text: false }
    }

    fn is_closed(&self) -> bool {
        self.done && self.out.is_empty()
    }
}

impl Session<()> for SmtpClient {
    fn open(&mut self, _backend: &mut (), _now: Time) {}

    fn receive(&mut self, input: &[u8], _backend: &mut (), _now: Time) {
        let mut input = input;
        while !self.done {
            let Some(line) = self.reader.next_line(&mut input) else { return };
            self.handle_line(line);
        }
    }
}
