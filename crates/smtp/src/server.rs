//! The SMTP server engine: RFC 5321's state machine (§4.1.4) over framed input.

use mail_lab_message::Envelope;
use mail_lab_proto::framing::{DotFindings, DotReader, Line, LineReader};
use mail_lab_proto::{Outbox, Output, Session, StateHint, Time};

use crate::grammar::{self, ForwardPath, Mailbox, Param};
use crate::reply::Reply;

/// Longest command line, CRLF included (RFC 5321 §4.5.3.1.4).
pub const MAX_COMMAND_LINE: usize = 512;
/// Longest text line in DATA, CRLF included (RFC 5321 §4.5.3.1.6).
pub const MAX_TEXT_LINE: usize = 1000;

/// How one host's SMTP service behaves; given by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    /// The name the server gives in its greeting and `Received:` lines.
    pub hostname: String,
    /// Largest message accepted, in octets (advertised as SIZE, RFC 1870).
    pub max_message_size: usize,
    /// Most recipients in one transaction (RFC 5321 §4.5.3.1.8 asks for at least 100).
    pub max_recipients: usize,
    /// Whether VRFY reveals users; when off it answers 252 (RFC 5321 §3.5.3).
    pub vrfy: bool,
}

impl ServerConfig {
    /// A configuration with the usual limits for `hostname`.
    pub fn new(hostname: &str) -> Self {
        ServerConfig {
            hostname: hostname.to_string(),
            max_message_size: 10 * 1024 * 1024,
            max_recipients: 100,
            vrfy: true,
        }
    }
}

/// Who is connected, as the driver knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// The client's address, e.g. `192.0.2.10`.
    pub address: String,
    /// A label unique per session on this host, used in queue ids.
    pub session_id: String,
}

/// What the server knows when asking whether to accept a recipient.
#[derive(Debug, Clone, Copy)]
pub struct RcptContext<'a> {
    pub client_address: &'a str,
    pub authenticated_as: Option<&'a str>,
    pub reverse_path: Option<&'a Mailbox>,
}

/// A message the server accepted, handed to the backend before 250 is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The queue id, also written in the `Received:` line.
    pub id: String,
    pub envelope: Envelope,
    /// The message with the new `Received:` line on top, CRLF endings, unstuffed.
    pub message: Vec<u8>,
    pub received_at: Time,
}

/// What the SMTP server asks of the host it runs on.
pub trait SmtpBackend {
    /// Accept or refuse a recipient (local user, relay policy). `Err` carries the
    /// reply to send, e.g. `550 5.1.1 User unknown` or `554 5.7.1 Relay access denied`.
    fn check_recipient(&mut self, ctx: RcptContext<'_>, rcpt: &ForwardPath) -> Result<(), Reply>;
    /// Store or queue an accepted message. Only after `Ok` does the client get 250,
    /// so every 250 means the message is in a store or a queue.
    fn deliver(&mut self, delivery: Delivery) -> Result<(), Reply>;
    /// The full address of a user named by VRFY, if it exists.
    fn verify(&mut self, query: &str) -> Option<String>;
}

#[derive(Debug, Clone, Default)]
struct Transaction {
    reverse_path: Option<Mailbox>,
    mail_params: Vec<Param>,
    rcpts: Vec<(ForwardPath, Vec<Param>)>,
    smtputf8: bool,
}

#[derive(Debug, Clone)]
enum Mode {
    Command,
    Data(Box<DotReader>),
    Closed,
}

/// One SMTP server session.
#[derive(Debug, Clone)]
pub struct SmtpServer {
    config: ServerConfig,
    peer: Peer,
    reader: LineReader,
    mode: Mode,
    out: Outbox,
    helo: Option<String>,
    esmtp: bool,
    tx: Option<Transaction>,
    transactions: u32,
}

const SYNTAX_MAIL: &str = "Syntax: MAIL FROM:<reverse-path> [SP Mail-parameters]";
const SYNTAX_RCPT: &str = "Syntax: RCPT TO:<forward-path> [SP Rcpt-parameters]";
const SYNTAX_EHLO: &str = "Syntax: EHLO domain (or EHLO [address-literal])";
const SYNTAX_HELO: &str = "Syntax: HELO domain";

impl SmtpServer {
    /// A session for `peer` on a host configured by `config`.
    pub fn new(config: ServerConfig, peer: Peer) -> Self {
        SmtpServer {
            config,
            peer,
            reader: LineReader::new(MAX_COMMAND_LINE),
            mode: Mode::Command,
            out: Outbox::default(),
            helo: None,
            esmtp: false,
            tx: None,
            transactions: 0,
        }
    }

    fn reply(&mut self, reply: Reply) {
        self.out.push_bytes(&reply.to_wire(self.esmtp));
    }

    fn ehlo_lines(&self, client: &str) -> Vec<String> {
        vec![
            format!("{} Hello {} [{}]", self.config.hostname, client, self.peer.address),
            "PIPELINING".into(),
            format!("SIZE {}", self.config.max_message_size),
            "8BITMIME".into(),
            "ENHANCEDSTATUSCODES".into(),
            "SMTPUTF8".into(),
            "DSN".into(),
            "HELP".into(),
        ]
    }

    /// Commands valid now, for hints and error messages.
    fn allowed(&self) -> Vec<&'static str> {
        let always = ["NOOP", "RSET", "VRFY", "HELP", "QUIT"];
        let mut v: Vec<&'static str> = match (&self.mode, &self.helo, &self.tx) {
            (Mode::Closed, _, _) => return Vec::new(),
            (Mode::Data(_), _, _) => return vec!["<message lines>", "."],
            (_, None, _) => vec!["EHLO", "HELO"],
            (_, Some(_), None) => vec!["MAIL", "EHLO", "HELO"],
            (_, Some(_), Some(tx)) if tx.rcpts.is_empty() => vec!["RCPT"],
            (_, Some(_), Some(_)) => vec!["RCPT", "DATA"],
        };
        v.extend(always);
        v
    }

    fn handle_line<B: SmtpBackend + ?Sized>(&mut self, line: Line, backend: &mut B, now: Time) {
        let text = match line {
            Line::TooLong { .. } => {
                return self.reply(Reply::new(
                    500,
                    "5.5.2",
                    format!("Line too long: commands are limited to {MAX_COMMAND_LINE} octets including CRLF (RFC 5321 4.5.3.1.4)"),
                ));
            }
            Line::Complete { text, .. } => text,
        };
        if text.contains(&0) {
            return self.reply(Reply::new(500, "5.5.2", "Syntax error: NUL octet in command"));
        }
        let Ok(text) = String::from_utf8(text) else {
            return self.reply(Reply::new(500, "5.5.2", "Syntax error: command is not valid UTF-8"));
        };
        let (verb, args) = match text.split_once(' ') {
            Some((v, a)) => (v, Some(a)),
            None => (text.as_str(), None),
        };
        match verb.to_ascii_uppercase().as_str() {
            "EHLO" => self.cmd_helo(args, true),
            "HELO" => self.cmd_helo(args, false),
            "MAIL" => self.cmd_mail(args),
            "RCPT" => self.cmd_rcpt(args, backend),
            "DATA" => self.cmd_data(args),
            "RSET" => {
                if args.is_some() {
                    return self.reply(Reply::new(501, "5.5.4", "Syntax: RSET (no arguments)"));
                }
                self.tx = None;
                self.reply(Reply::new(250, "2.0.0", "Reset OK"));
            }
            "NOOP" => self.reply(Reply::new(250, "2.0.0", "OK")),
            "QUIT" => {
                if args.is_some() {
                    return self.reply(Reply::new(501, "5.5.4", "Syntax: QUIT (no arguments)"));
                }
                let bye = format!("{} closing connection", self.config.hostname);
                self.reply(Reply::new(221, "2.0.0", bye));
                self.out.push(Output::Close);
                self.mode = Mode::Closed;
            }
            "VRFY" => self.cmd_vrfy(args, backend),
            "EXPN" => self.reply(Reply::new(502, "5.5.1", "EXPN is not available on this server")),
            "HELP" => {
                let lines = vec![
                    "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP".to_string(),
                    format!("Valid now: {}", self.allowed().join(" ")),
                    "A message: MAIL FROM:<you@example> / RCPT TO:<them@example> / DATA / text / .".to_string(),
                ];
                self.reply(Reply { code: 214, enhanced: Some("2.0.0"), lines });
            }
            "" => self.reply(Reply::new(500, "5.5.2", "Syntax error: empty command (try HELP)")),
            other => {
                let msg = format!("Command unrecognized: {other}. Valid now: {}", self.allowed().join(" "));
                self.reply(Reply::new(500, "5.5.1", msg));
            }
        }
        let _ = now;
    }

    fn cmd_helo(&mut self, args: Option<&str>, extended: bool) {
        let syntax = if extended { SYNTAX_EHLO } else { SYNTAX_HELO };
        let Some(Ok((_, client))) = args.map(|a| grammar::ehlo_argument(a.as_bytes())) else {
            return self.reply(Reply::new(501, "5.5.4", syntax));
        };
        // EHLO/HELO also resets any transaction (RFC 5321 §4.1.4).
        self.tx = None;
        self.esmtp = extended;
        let reply = if extended {
            Reply { code: 250, enhanced: None, lines: self.ehlo_lines(&client) }
        } else {
            Reply::plain(250, format!("{} Hello {} [{}]", self.config.hostname, client, self.peer.address))
        };
        self.helo = Some(client);
        self.reply(reply);
    }

    fn cmd_mail(&mut self, args: Option<&str>) {
        if self.helo.is_none() {
            return self.reply(Reply::new(503, "5.5.1", "Bad sequence of commands: send EHLO or HELO first"));
        }
        if self.tx.is_some() {
            return self.reply(Reply::new(
                503,
                "5.5.1",
                "Bad sequence of commands: nested MAIL; finish this mail or RSET first",
            ));
        }
        let parsed = args.map(|a| grammar::mail_from(a.as_bytes()));
        let Some(Ok((_, (reverse_path, params)))) = parsed else {
            let extra = if args.is_some_and(|a| a.to_ascii_uppercase().starts_with("FROM: ")) {
                " (no space is allowed after the colon)"
            } else {
                ""
            };
            return self.reply(Reply::new(501, "5.5.4", format!("{SYNTAX_MAIL}{extra}")));
        };
        let mut tx = Transaction { reverse_path, ..Transaction::default() };
        if let Err(reply) = self.check_mail_params(&params, &mut tx) {
            return self.reply(reply);
        }
        if tx.reverse_path.as_ref().is_some_and(Mailbox::is_utf8) && !tx.smtputf8 {
            return self.reply(Reply::new(553, "5.6.7", "A non-ASCII address needs the SMTPUTF8 parameter (RFC 6531)"));
        }
        tx.mail_params = params;
        let who = tx.reverse_path.as_ref().map(Mailbox::to_string).unwrap_or_default();
        self.tx = Some(tx);
        self.reply(Reply::new(250, "2.1.0", format!("Sender <{who}> OK")));
    }

    fn check_mail_params(&self, params: &[Param], tx: &mut Transaction) -> Result<(), Reply> {
        if !params.is_empty() && !self.esmtp {
            return Err(Reply::new(555, "5.5.4", "MAIL parameters need EHLO, not HELO"));
        }
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in params {
            if seen.contains(&key.as_str()) {
                return Err(Reply::new(501, "5.5.4", format!("Duplicate MAIL parameter {key}")));
            }
            seen.push(key);
            let value = value.as_deref();
            match (key.as_str(), value) {
                ("SIZE", Some(v)) => {
                    let Ok(size) = v.parse::<u64>() else {
                        return Err(Reply::new(501, "5.5.4", "Syntax: SIZE=<number of octets> (RFC 1870)"));
                    };
                    if size > self.config.max_message_size as u64 {
                        return Err(Reply::new(
                            552,
                            "5.3.4",
                            format!(
                                "Message size exceeds fixed maximum message size ({} octets)",
                                self.config.max_message_size
                            ),
                        ));
                    }
                }
                ("BODY", Some(v)) if v.eq_ignore_ascii_case("7BIT") || v.eq_ignore_ascii_case("8BITMIME") => {}
                ("BODY", _) => {
                    return Err(Reply::new(501, "5.5.4", "Syntax: BODY=7BIT or BODY=8BITMIME (RFC 6152)"));
                }
                ("SMTPUTF8", None) => tx.smtputf8 = true,
                ("RET", Some(v)) if v.eq_ignore_ascii_case("FULL") || v.eq_ignore_ascii_case("HDRS") => {}
                ("RET", _) => {
                    return Err(Reply::new(501, "5.5.4", "Syntax: RET=FULL or RET=HDRS (RFC 3461)"));
                }
                ("ENVID", Some(_)) | ("AUTH", Some(_)) => {}
                _ => {
                    return Err(Reply::new(
                        555,
                        "5.5.4",
                        format!("MAIL FROM parameter {key} not recognized or not implemented"),
                    ));
                }
            }
        }
        Ok(())
    }

    fn cmd_rcpt<B: SmtpBackend + ?Sized>(&mut self, args: Option<&str>, backend: &mut B) {
        let Some(tx) = self.tx.as_ref() else {
            let why = if self.helo.is_none() { "send EHLO or HELO first" } else { "need MAIL before RCPT" };
            return self.reply(Reply::new(503, "5.5.1", format!("Bad sequence of commands: {why}")));
        };
        let parsed = args.map(|a| grammar::rcpt_to(a.as_bytes()));
        let Some(Ok((_, (forward_path, params)))) = parsed else {
            return self.reply(Reply::new(501, "5.5.4", SYNTAX_RCPT));
        };
        if !params.is_empty() && !self.esmtp {
            return self.reply(Reply::new(555, "5.5.4", "RCPT parameters need EHLO, not HELO"));
        }
        for (key, value) in &params {
            let ok = match (key.as_str(), value.as_deref()) {
                ("NOTIFY", Some(v)) => {
                    let items: Vec<String> = v.split(',').map(str::to_ascii_uppercase).collect();
                    items == ["NEVER"] || items.iter().all(|i| matches!(i.as_str(), "SUCCESS" | "FAILURE" | "DELAY"))
                }
                ("ORCPT", Some(v)) => v.contains(';'),
                _ => {
                    return self.reply(Reply::new(
                        555,
                        "5.5.4",
                        format!("RCPT TO parameter {key} not recognized or not implemented"),
                    ));
                }
            };
            if !ok {
                return self.reply(Reply::new(
                    501,
                    "5.5.4",
                    "Syntax: NOTIFY=NEVER or NOTIFY=SUCCESS,FAILURE,DELAY; ORCPT=addr-type;address (RFC 3461)",
                ));
            }
        }
        if let ForwardPath::Mailbox(m) = &forward_path
            && m.is_utf8()
            && !tx.smtputf8
        {
            return self.reply(Reply::new(
                553,
                "5.6.7",
                "A non-ASCII address needs the SMTPUTF8 parameter on MAIL FROM (RFC 6531)",
            ));
        }
        if tx.rcpts.len() >= self.config.max_recipients {
            return self.reply(Reply::new(
                452,
                "4.5.3",
                format!("Too many recipients (at most {} per message)", self.config.max_recipients),
            ));
        }
        let ctx = RcptContext {
            client_address: &self.peer.address,
            authenticated_as: None,
            reverse_path: tx.reverse_path.as_ref(),
        };
        match backend.check_recipient(ctx, &forward_path) {
            Ok(()) => {
                let text = format!("Recipient <{forward_path}> OK");
                if let Some(tx) = self.tx.as_mut() {
                    tx.rcpts.push((forward_path, params));
                }
                self.reply(Reply::new(250, "2.1.5", text));
            }
            Err(reply) => self.reply(reply),
        }
    }

    fn cmd_data(&mut self, args: Option<&str>) {
        if args.is_some() {
            return self.reply(Reply::new(501, "5.5.4", "Syntax: DATA (no arguments)"));
        }
        match &self.tx {
            None => {
                let why =
                    if self.helo.is_none() { "send EHLO or HELO first" } else { "need MAIL and RCPT before DATA" };
                self.reply(Reply::new(503, "5.5.1", format!("Bad sequence of commands: {why}")))
            }
            Some(tx) if tx.rcpts.is_empty() => {
                self.reply(Reply::new(554, "5.5.1", "No valid recipients: give RCPT TO first"))
            }
            Some(_) => {
                self.reply(Reply::plain(354, "End data with <CR><LF>.<CR><LF>"));
                self.mode = Mode::Data(Box::new(DotReader::new(self.config.max_message_size, MAX_TEXT_LINE)));
            }
        }
    }

    fn cmd_vrfy<B: SmtpBackend + ?Sized>(&mut self, args: Option<&str>, backend: &mut B) {
        let Some(query) = args.map(str::trim).filter(|a| !a.is_empty()) else {
            return self.reply(Reply::new(501, "5.5.4", "Syntax: VRFY user-name or VRFY <address>"));
        };
        if !self.config.vrfy {
            return self.reply(Reply::new(
                252,
                "2.5.0",
                "Cannot VRFY user, but will accept message and attempt delivery",
            ));
        }
        let query = query.trim_start_matches('<').trim_end_matches('>');
        match backend.verify(query) {
            Some(full) => self.reply(Reply::new(250, "2.1.5", format!("<{full}>"))),
            None => self.reply(Reply::new(550, "5.1.1", format!("User unknown: {query}"))),
        }
    }

    fn rejection(findings: DotFindings, max: usize) -> Option<Reply> {
        if findings.oversize {
            return Some(Reply::new(
                552,
                "5.3.4",
                format!("Message size exceeds fixed maximum message size ({max} octets)"),
            ));
        }
        if findings.bare_lf || findings.bare_cr {
            return Some(Reply::new(
                554,
                "5.6.0",
                "Message rejected: bare LF or CR in message data; every line must end with CRLF (RFC 5321 2.3.8, SMTP smuggling protection)",
            ));
        }
        if findings.nul {
            return Some(Reply::new(554, "5.6.0", "Message rejected: NUL octet in message data"));
        }
        if findings.long_line {
            return Some(Reply::new(
                500,
                "5.5.0",
                format!(
                    "Message rejected: a text line is longer than {MAX_TEXT_LINE} octets including CRLF (RFC 5321 4.5.3.1.6)"
                ),
            ));
        }
        None
    }

    fn finish_data<B: SmtpBackend + ?Sized>(&mut self, reader: DotReader, backend: &mut B, now: Time) {
        self.mode = Mode::Command;
        let Some(tx) = self.tx.take() else { return };
        if let Some(reply) = Self::rejection(reader.findings(), self.config.max_message_size) {
            return self.reply(reply);
        }
        self.transactions += 1;
        let id = format!("{}.{}", self.peer.session_id, self.transactions);
        let protocol = match (tx.smtputf8, self.esmtp) {
            (true, _) => "UTF8SMTP",
            (false, true) => "ESMTP",
            (false, false) => "SMTP",
        };
        let helo = self.helo.clone().unwrap_or_default();
        let mut received = format!(
            "Received: from {helo} ([{addr}])\r\n\tby {host} (Mail Lab) with {protocol} id {id}",
            addr = self.peer.address,
            host = self.config.hostname,
        );
        if let [(only, _)] = tx.rcpts.as_slice() {
            received.push_str(&format!("\r\n\tfor <{only}>"));
        }
        received.push_str(&format!(";\r\n\t{}\r\n", now.rfc5322()));
        let data = reader.into_data();
        let mut message = Vec::with_capacity(received.len() + data.len());
        message.extend_from_slice(received.as_bytes());
        message.extend_from_slice(&data);
        let envelope = Envelope {
            reverse_path: tx.reverse_path.map(|m| m.to_string()).unwrap_or_default(),
            forward_paths: tx.rcpts.iter().map(|(p, _)| p.to_string()).collect(),
            mail_parameters: tx.mail_params,
            rcpt_parameters: tx.rcpts.into_iter().map(|(_, p)| p).collect(),
            helo,
            client_address: self.peer.address.clone(),
        };
        match backend.deliver(Delivery { id: id.clone(), envelope, message, received_at: now }) {
            Ok(()) => self.reply(Reply::new(250, "2.0.0", format!("OK: queued as {id}"))),
            Err(reply) => self.reply(reply),
        }
    }
}

impl<B: SmtpBackend + ?Sized> Session<B> for SmtpServer {
    fn open(&mut self, _backend: &mut B, _now: Time) {
        let greeting = format!("{} ESMTP Mail Lab ready", self.config.hostname);
        self.reply(Reply::plain(220, greeting));
    }

    fn receive(&mut self, input: &[u8], backend: &mut B, now: Time) {
        let mut input = input;
        while !input.is_empty() {
            match &mut self.mode {
                Mode::Closed => return,
                Mode::Data(reader) => {
                    if reader.feed(&mut input) {
                        let Mode::Data(reader) = std::mem::replace(&mut self.mode, Mode::Command) else {
                            return;
                        };
                        self.finish_data(*reader, backend, now);
                    }
                }
                Mode::Command => match self.reader.next_line(&mut input) {
                    Some(line) => self.handle_line(line, backend, now),
                    None => return,
                },
            }
        }
    }

    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    fn hint(&self) -> StateHint {
        let state = match (&self.mode, &self.helo, &self.tx) {
            (Mode::Closed, _, _) => "closed",
            (Mode::Data(_), _, _) => "message data",
            (_, None, _) => "connected (greet with EHLO)",
            (_, Some(_), None) => "ready for MAIL",
            (_, Some(_), Some(tx)) if tx.rcpts.is_empty() => "sender given (add RCPT)",
            (_, Some(_), Some(_)) => "recipients given (DATA or more RCPT)",
        };
        StateHint { state, allowed: self.allowed() }
    }

    fn is_closed(&self) -> bool {
        matches!(self.mode, Mode::Closed) && self.out.is_empty()
    }
}
