//! The SMTP server engine: RFC 5321's state machine (§4.1.4) over framed input,
//! with the ESMTP extensions the lab teaches.

use mail_lab_message::Envelope;
use mail_lab_proto::framing::{DotFindings, DotReader, Line, LineReader};
use mail_lab_proto::sasl::{self, Credentials, Mechanism, Proof, SaslServer, SaslStep};
use mail_lab_proto::{Engine, Outbox, Output, Peer, Session, StateHint, Time, TlsMode};

use crate::grammar::{self, ForwardPath, Mailbox, Param};
use crate::reply::Reply;

/// Longest command line, CRLF included (RFC 5321 §4.5.3.1.4).
pub const MAX_COMMAND_LINE: usize = 512;
/// Longest MAIL or RCPT line, CRLF included: 512 plus what the advertised
/// extensions' parameters may add (RFC 1869 §4.1.2; AUTH= alone may be 500,
/// RFC 4954 §5; ORCPT 500, RFC 3461 §4.2), as Postfix's `line_length_limit`.
pub const MAX_PARAMETER_LINE: usize = 2048;
/// Longest text line in DATA, CRLF included (RFC 5321 §4.5.3.1.6).
pub const MAX_TEXT_LINE: usize = 1000;
/// Longest SASL response line, CRLF included (RFC 4954 §4).
pub const MAX_AUTH_LINE: usize = 12_288;

/// Who may send mail through this host to other domains.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RelayPolicy {
    /// Only mail for local domains is accepted.
    Nobody,
    /// Clients that authenticated with SMTP AUTH may relay (submission).
    Authenticated,
    /// Clients at these addresses may relay (a trusted network), and so may
    /// authenticated clients.
    Addresses(Vec<String>),
    /// Anyone may relay: an open relay, the spammer's friend.
    Anybody,
}

/// How one host's SMTP service behaves; given by the caller.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ServerConfig {
    /// The name the server gives in its greeting and `Received:` lines.
    pub hostname: String,
    /// Domains delivered on this host; any other domain is a relay.
    pub local_domains: Vec<String>,
    /// Domains this host relays for from anyone (a backup MX holds their mail
    /// until the primary is back).
    pub relay_domains: Vec<String>,
    /// Largest message accepted, in octets (advertised as SIZE, RFC 1870).
    pub max_message_size: usize,
    /// Most recipients in one transaction (RFC 5321 §4.5.3.1.8 asks for at least 100).
    pub max_recipients: usize,
    /// Whether VRFY reveals users; when off it answers 252 (RFC 5321 §3.5.3).
    pub vrfy: bool,
    /// Whether EXPN lists the members of an alias; when off it answers 502.
    pub expn: bool,
    pub relay: RelayPolicy,
    /// MAIL is refused until the client authenticates (a submission service, RFC 6409).
    pub require_auth: bool,
    /// AUTH is refused (538) and not advertised until TLS is active.
    pub auth_requires_tls: bool,
    pub tls: TlsMode,
    /// SASL mechanisms offered, in the order advertised. Empty: no AUTH.
    pub auth_mechanisms: Vec<Mechanism>,
    /// This host's own addresses: `user@[address]` names this host (RFC 1123
    /// §5.2.17), so it is `user@` its first local domain. Set by the driver for
    /// each session from the host's address, so not saved with the lab.
    #[serde(skip)]
    pub own_addresses: Vec<String>,
}

impl ServerConfig {
    /// An MX service on port 25 for `hostname` receiving mail for `local_domains`:
    /// no relay, no AUTH, STARTTLS offered.
    pub fn mx(hostname: &str, local_domains: &[&str]) -> Self {
        ServerConfig {
            hostname: hostname.to_string(),
            local_domains: local_domains.iter().map(|d| d.to_string()).collect(),
            relay_domains: Vec::new(),
            max_message_size: 10 * 1024 * 1024,
            max_recipients: 100,
            vrfy: true,
            expn: true,
            relay: RelayPolicy::Nobody,
            require_auth: false,
            auth_requires_tls: false,
            tls: TlsMode::StartTls,
            auth_mechanisms: Vec::new(),
            own_addresses: Vec::new(),
        }
    }

    /// A submission service (port 587): AUTH required, authenticated users relay.
    pub fn submission(hostname: &str, local_domains: &[&str]) -> Self {
        ServerConfig {
            relay: RelayPolicy::Authenticated,
            require_auth: true,
            auth_mechanisms: vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5],
            ..ServerConfig::mx(hostname, local_domains)
        }
    }

    fn is_local_domain(&self, domain: &str) -> bool {
        self.local_domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
    }
}

/// What the server knows when asking about a recipient.
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
    /// The message with the new `Received:` line on top, unstuffed.
    pub message: Vec<u8>,
    pub received_at: Time,
    /// The user who authenticated, if any.
    pub authenticated_as: Option<String>,
}

/// What the SMTP server asks of the host it runs on.
pub trait SmtpBackend {
    /// Accept or refuse a recipient in a local domain (or `<Postmaster>`). `Err`
    /// carries the reply to send, e.g. `550 5.1.1 User unknown`.
    fn check_local_recipient(&mut self, ctx: RcptContext<'_>, rcpt: &ForwardPath) -> Result<(), Reply>;
    /// Whether this client may relay beyond what the configured policy allows
    /// (e.g. POP before SMTP opened a window for its address).
    fn may_relay(&mut self, _ctx: RcptContext<'_>) -> bool {
        false
    }
    /// Store or queue an accepted message. Only after `Ok` does the client get 250,
    /// so every 250 means the message is in a store or a queue.
    fn deliver(&mut self, delivery: Delivery) -> Result<(), Reply>;
    /// The full address of a user named by VRFY, if it exists.
    fn verify(&mut self, query: &str) -> Option<String>;
    /// The members of an alias or mailing list named by EXPN, if it exists.
    fn expand(&mut self, _list: &str) -> Option<Vec<String>> {
        None
    }
    /// The password of a user who tries to authenticate, and the name the
    /// session should know them by; `None` for unknown users.
    fn password(&mut self, username: &str) -> Option<(String, String)>;
    /// A client authenticated as `account` (for the host's event log).
    fn logged_in(&mut self, _account: &str, _proof: Proof) {}
    /// The host's policy refused the client: `rule` is `relay`, `auth-required`
    /// or `tls-required`; `reply` is what the client is told (for the event log).
    fn policy_refused(&mut self, _rule: &'static str, _reply: &Reply) {}
}

#[derive(Debug, Clone, Default)]
struct Transaction {
    reverse_path: Option<Mailbox>,
    mail_params: Vec<Param>,
    rcpts: Vec<(ForwardPath, Vec<Param>)>,
    smtputf8: bool,
    /// Data received so far by BDAT (RFC 3030), and whether it overflowed.
    chunks: Option<(Vec<u8>, bool)>,
}

#[derive(Debug, Clone)]
enum Mode {
    Command,
    Data(Box<DotReader>),
    /// Reading a BDAT chunk of `size` octets, `remaining` still to come. With a
    /// `refusal` the chunk is read only to be thrown away, then the refusal sent.
    Bdat {
        size: u64,
        remaining: u64,
        last: bool,
        refusal: Option<Reply>,
    },
    Auth(Box<SaslServer>),
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
    tls: bool,
    authenticated: Option<String>,
    now: Time,
    /// Logins refused for wrong credentials (535).
    failed_logins: u32,
}

const SYNTAX_MAIL: &str = "Syntax: MAIL FROM:<reverse-path> [SP Mail-parameters]";
const SYNTAX_RCPT: &str = "Syntax: RCPT TO:<forward-path> [SP Rcpt-parameters]";
const SYNTAX_EHLO: &str = "Syntax: EHLO domain (or EHLO [address-literal])";
const SYNTAX_HELO: &str = "Syntax: HELO domain";
/// `FROM: <a@b>` as many textbooks print it: the spaces after the colon are taken
/// out (Postfix accepts it too, unless strict_rfc821_envelopes), and the reply says
/// RFC 5321 has none. Returns the arguments to parse and whether that was done.
fn textbook_spacing(args: Option<&str>, keyword: &str) -> (Option<String>, bool) {
    let Some(a) = args else { return (None, false) };
    let head = a.get(..keyword.len()).filter(|h| h.eq_ignore_ascii_case(keyword));
    match head.map(|h| (h, a[keyword.len()..].trim_start_matches(' '))) {
        Some((h, rest)) if rest.len() < a.len() - keyword.len() && rest.starts_with('<') => {
            (Some(format!("{h}{rest}")), true)
        }
        _ => (Some(a.to_string()), false),
    }
}

fn spacing_note(spaced: bool, keyword: &str) -> String {
    if spaced { format!(" (accepted, but RFC 5321 has no space after \"{keyword}\")") } else { String::new() }
}

const SYNTAX_BDAT: &str = "Syntax: BDAT chunk-size [SP LAST]";
const SYNTAX_AUTH: &str = "Syntax: AUTH mechanism [SP initial-response]";

/// Short help for each command, answered by `HELP <command>`.
fn command_help(verb: &str) -> Option<&'static str> {
    Some(match verb {
        "EHLO" => "EHLO <your domain>: greet the server and ask for its extensions (RFC 5321 4.1.1.1)",
        "HELO" => "HELO <your domain>: greet the server without extensions",
        "MAIL" => "MAIL FROM:<address> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8]: start a message; the envelope sender",
        "RCPT" => "RCPT TO:<address> [NOTIFY=...]: add an envelope recipient; repeat for more",
        "DATA" => "DATA: send the message (headers, empty line, body), end with a line holding only a period",
        "BDAT" => "BDAT <octets> [LAST]: send the message in chunks of exact length (RFC 3030)",
        "RSET" => "RSET: abandon the current message",
        "NOOP" => "NOOP: do nothing; the server answers 250",
        "QUIT" => "QUIT: close the session",
        "VRFY" => "VRFY <user>: ask whether a user exists (often disabled against address harvesting)",
        "EXPN" => "EXPN <list>: ask for the members of a mailing list",
        "HELP" => "HELP [command]: this help",
        "STARTTLS" => "STARTTLS: switch this connection to TLS, then greet again with EHLO (RFC 3207)",
        "AUTH" => "AUTH <PLAIN|LOGIN|CRAM-MD5> [initial-response]: log in (RFC 4954)",
        _ => return None,
    })
}

impl SmtpServer {
    /// A session for `peer` on a host configured by `config`.
    pub fn new(config: ServerConfig, peer: Peer) -> Self {
        let tls = config.tls == TlsMode::Implicit;
        SmtpServer {
            config,
            peer,
            reader: LineReader::new(MAX_PARAMETER_LINE),
            mode: Mode::Command,
            out: Outbox::default(),
            helo: None,
            esmtp: false,
            tx: None,
            transactions: 0,
            tls,
            authenticated: None,
            failed_logins: 0,
            now: Time(0),
        }
    }

    /// True while the session is inside TLS.
    pub fn tls_active(&self) -> bool {
        self.tls
    }

    /// The user who authenticated, if any.
    pub fn authenticated_as(&self) -> Option<&str> {
        self.authenticated.as_deref()
    }

    fn reply(&mut self, reply: Reply) {
        self.out.push_bytes(&reply.to_wire(self.esmtp));
    }

    fn auth_offered(&self) -> bool {
        !self.config.auth_mechanisms.is_empty() && (self.tls || !self.config.auth_requires_tls)
    }

    fn ehlo_lines(&self, client: &str) -> Vec<String> {
        let mut lines = vec![
            format!("{} Hello {} [{}]", self.config.hostname, client, self.peer.address),
            "PIPELINING".into(),
            format!("SIZE {}", self.config.max_message_size),
            "8BITMIME".into(),
            "ENHANCEDSTATUSCODES".into(),
            "SMTPUTF8".into(),
            "DSN".into(),
            "CHUNKING".into(),
        ];
        // RFC 5321 §3.5.2: EXPN, when supported, MUST be listed; VRFY MAY be (not
        // when it only answers 252).
        if self.config.vrfy {
            lines.push("VRFY".into());
        }
        if self.config.expn {
            lines.push("EXPN".into());
        }
        if self.config.tls == TlsMode::StartTls && !self.tls {
            lines.push("STARTTLS".into());
        }
        if self.auth_offered() && self.authenticated.is_none() {
            let names: Vec<&str> = self.config.auth_mechanisms.iter().map(|m| m.name()).collect();
            lines.push(format!("AUTH {}", names.join(" ")));
        }
        lines.push("HELP".into());
        lines
    }

    /// Commands valid now, for hints and error messages.
    fn allowed(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = match (&self.mode, &self.helo, &self.tx) {
            (Mode::Closed, _, _) => return Vec::new(),
            (Mode::Data(_), _, _) => return vec![mail_lab_proto::MESSAGE_LINES, "."],
            (Mode::Bdat { .. }, _, _) => return vec![mail_lab_proto::CHUNK_OCTETS],
            (Mode::Auth(_), _, _) => return vec![mail_lab_proto::BASE64_RESPONSE, "*"],
            (_, None, _) => vec!["EHLO", "HELO"],
            (_, Some(_), None) => {
                let mut v = vec!["MAIL", "EHLO", "HELO"];
                if self.config.tls == TlsMode::StartTls && !self.tls {
                    v.push("STARTTLS");
                }
                if self.auth_offered() && self.authenticated.is_none() {
                    v.push("AUTH");
                }
                v
            }
            (_, Some(_), Some(tx)) if tx.rcpts.is_empty() => vec!["RCPT"],
            (_, Some(_), Some(tx)) if tx.chunks.is_some() => vec!["BDAT"],
            (_, Some(_), Some(_)) => vec!["RCPT", "DATA", "BDAT"],
        };
        v.extend(["NOOP", "RSET", "VRFY"]);
        // EXPN is listed where EHLO lists it: where it answers (else 502).
        if self.config.expn {
            v.push("EXPN");
        }
        v.extend(["HELP", "QUIT"]);
        v
    }

    /// A short key of the current state; [`crate::explain_state`] explains it.
    pub fn state_key(&self) -> &'static str {
        match (&self.mode, &self.helo, &self.tx) {
            (Mode::Closed, _, _) => "closed",
            (Mode::Data(_), _, _) => "data",
            (Mode::Bdat { .. }, _, _) => "bdat",
            (Mode::Auth(_), _, _) => "auth",
            (_, None, _) => "connected",
            (_, Some(_), None) if self.config.require_auth && self.authenticated.is_none() => "login_first",
            (_, Some(_), None) => "ready",
            (_, Some(_), Some(tx)) if tx.rcpts.is_empty() => "mail",
            (_, Some(_), Some(_)) => "rcpt",
        }
    }

    fn handle_line<B: SmtpBackend + ?Sized>(&mut self, line: Line, input: &mut &[u8], backend: &mut B) {
        let too_long = Reply::new(
            500,
            "5.5.2",
            format!(
                "Line too long: commands are limited to {MAX_COMMAND_LINE} octets including CRLF, MAIL and RCPT with parameters to {MAX_PARAMETER_LINE} (RFC 5321 4.5.3.1.4)"
            ),
        );
        let text = match line {
            Line::TooLong { .. } => return self.reply(too_long),
            Line::Complete { text, .. } => text,
        };
        let with_parameters =
            text.get(..5).is_some_and(|v| v.eq_ignore_ascii_case(b"MAIL ") || v.eq_ignore_ascii_case(b"RCPT "));
        if text.len() + 2 > MAX_COMMAND_LINE && !with_parameters {
            return self.reply(too_long);
        }
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
        let verb = verb.to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => self.cmd_helo(args, true),
            "HELO" => self.cmd_helo(args, false),
            "MAIL" => self.cmd_mail(args, backend),
            "RCPT" => self.cmd_rcpt(args, backend),
            "DATA" => self.cmd_data(args),
            "BDAT" => self.cmd_bdat(args, backend),
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
            "EXPN" => self.cmd_expn(args, backend),
            "HELP" => self.cmd_help(args),
            "STARTTLS" => self.cmd_starttls(args, input),
            "AUTH" => self.cmd_auth(args, backend),
            "" => self.reply(Reply::new(500, "5.5.2", "Syntax error: empty command (try HELP)")),
            other => {
                let msg = format!("Command unrecognized: {other}. Valid now: {}", self.allowed().join(" "));
                self.reply(Reply::new(500, "5.5.1", msg));
            }
        }
    }

    fn cmd_help(&mut self, args: Option<&str>) {
        let lines = match args.map(|a| a.trim().to_ascii_uppercase()) {
            Some(topic) => match command_help(&topic) {
                Some(h) => vec![h.to_string()],
                None => return self.reply(Reply::new(504, "5.5.1", format!("HELP: no help for {topic}"))),
            },
            None => vec![
                "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY EXPN HELP STARTTLS AUTH".to_string(),
                format!("Valid now: {}", self.allowed().join(" ")),
                "HELP <command> explains one command".to_string(),
            ],
        };
        self.reply(Reply { code: 214, enhanced: Some("2.0.0"), lines });
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

    fn cmd_starttls(&mut self, args: Option<&str>, input: &mut &[u8]) {
        if args.is_some() {
            return self.reply(Reply::new(501, "5.5.4", "Syntax: STARTTLS (no arguments)"));
        }
        if self.tls {
            return self.reply(Reply::new(503, "5.5.1", "Bad sequence of commands: TLS is already active"));
        }
        if self.config.tls != TlsMode::StartTls {
            return self.reply(Reply::new(502, "5.5.1", "STARTTLS is not offered on this service"));
        }
        self.reply(Reply::new(220, "2.0.0", "Ready to start TLS"));
        self.out.push(Output::StartTls);
        // RFC 3207 §4.2: forget everything learnt in the clear, and drop any
        // command pipelined after STARTTLS (it would otherwise run inside TLS
        // as if the client had sent it there: CVE-2011-0411).
        *input = &[];
        self.reader.clear();
        self.tls = true;
        self.helo = None;
        self.esmtp = false;
        self.tx = None;
        self.authenticated = None;
    }

    fn cmd_auth<B: SmtpBackend + ?Sized>(&mut self, args: Option<&str>, backend: &mut B) {
        if self.config.auth_mechanisms.is_empty() {
            return self.reply(Reply::new(502, "5.5.1", "AUTH is not offered on this service"));
        }
        if self.helo.is_none() || !self.esmtp {
            return self.reply(Reply::new(503, "5.5.1", "Bad sequence of commands: send EHLO first"));
        }
        if self.authenticated.is_some() {
            return self.reply(Reply::new(503, "5.5.1", "Bad sequence of commands: already authenticated"));
        }
        if self.tx.is_some() {
            return self.reply(Reply::new(
                503,
                "5.5.1",
                "Bad sequence of commands: AUTH is not allowed during a mail transaction",
            ));
        }
        let Some((name, initial)) = args.map(|a| a.split_once(' ').map_or((a, None), |(m, i)| (m, Some(i)))) else {
            return self.reply(Reply::new(501, "5.5.4", SYNTAX_AUTH));
        };
        let Some(mechanism) = Mechanism::from_name(name).filter(|m| self.config.auth_mechanisms.contains(m)) else {
            let offered: Vec<&str> = self.config.auth_mechanisms.iter().map(|m| m.name()).collect();
            return self.reply(Reply::new(
                504,
                "5.5.4",
                format!("Unrecognized authentication type {name}; offered: {}", offered.join(" ")),
            ));
        };
        if self.config.auth_requires_tls && !self.tls {
            let reply = Reply::new(
                538,
                "5.7.11",
                "Encryption required for requested authentication mechanism: use STARTTLS first",
            );
            backend.policy_refused("tls-required", &reply);
            return self.reply(reply);
        }
        let initial = match initial {
            None => None,
            Some("=") => Some(Vec::new()),
            Some(text) => match sasl::decode_base64(text) {
                Some(bytes) => Some(bytes),
                None => {
                    return self.reply(Reply::new(
                        501,
                        "5.5.2",
                        "Cannot decode the initial response: it must be base64",
                    ));
                }
            },
        };
        let challenge = format!("<{}.{}@{}>", self.peer.session_id, self.now.as_secs(), self.config.hostname);
        let (server, step) = SaslServer::start(mechanism, initial.as_deref(), &challenge);
        self.mode = Mode::Auth(Box::new(server));
        self.reader.set_max_len(MAX_AUTH_LINE);
        self.sasl_step(step, backend);
    }

    fn sasl_step<B: SmtpBackend + ?Sized>(&mut self, step: SaslStep, backend: &mut B) {
        match step {
            SaslStep::Challenge(bytes) => {
                self.out.push_bytes(format!("334 {}\r\n", sasl::encode_base64(&bytes)).as_bytes())
            }
            // Data that decodes but is wrong is a rejected login (RFC 4954 §4: 535);
            // 501 is for what cannot be decoded or is not allowed, as an initial
            // response to a mechanism that takes none.
            SaslStep::Failed(why) => {
                self.end_auth();
                self.failed_logins += 1;
                self.reply(Reply::new(535, "5.7.8", format!("Authentication credentials invalid: {why}")));
            }
            SaslStep::Misused(why) => {
                self.end_auth();
                self.reply(Reply::new(501, "5.5.2", format!("Authentication failed: {why}")));
            }
            SaslStep::Done(credentials) => {
                self.end_auth();
                self.finish_auth(&credentials, backend);
            }
        }
    }

    fn end_auth(&mut self) {
        self.mode = Mode::Command;
        self.reader.set_max_len(MAX_PARAMETER_LINE);
    }

    fn finish_auth<B: SmtpBackend + ?Sized>(&mut self, credentials: &Credentials, backend: &mut B) {
        match backend.password(credentials.username()) {
            Some((password, name)) if credentials.verify(&password) => {
                backend.logged_in(&name, credentials.proof());
                self.authenticated = Some(name);
                self.reply(Reply::new(235, "2.7.0", "Authentication successful"));
            }
            _ => {
                self.failed_logins += 1;
                self.reply(Reply::new(535, "5.7.8", "Authentication credentials invalid"))
            }
        }
    }

    fn handle_auth_line<B: SmtpBackend + ?Sized>(&mut self, line: Line, backend: &mut B) {
        let Mode::Auth(server) = &mut self.mode else { return };
        let text = match line {
            Line::Complete { text, .. } => text,
            Line::TooLong { .. } => {
                self.end_auth();
                return self.reply(Reply::new(500, "5.5.6", "Authentication exchange line is too long"));
            }
        };
        if text == b"*" {
            self.end_auth();
            return self.reply(Reply::new(501, "5.0.0", "Authentication cancelled"));
        }
        let Some(bytes) = std::str::from_utf8(&text).ok().and_then(sasl::decode_base64) else {
            self.end_auth();
            return self.reply(Reply::new(501, "5.5.2", "Cannot decode the response: it must be base64"));
        };
        let step = server.step(&bytes);
        self.sasl_step(step, backend);
    }

    fn cmd_mail<B: SmtpBackend + ?Sized>(&mut self, args: Option<&str>, backend: &mut B) {
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
        if self.config.require_auth && self.authenticated.is_none() {
            let reply = Reply::new(530, "5.7.0", "Authentication required: log in with AUTH before MAIL");
            backend.policy_refused("auth-required", &reply);
            return self.reply(reply);
        }
        let (args, spaced) = textbook_spacing(args, "FROM:");
        let parsed = args.as_deref().map(|a| grammar::mail_from(a.as_bytes()));
        let Some(Ok((_, (reverse_path, params)))) = parsed else {
            return self.reply(Reply::new(501, "5.5.4", SYNTAX_MAIL));
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
        self.reply(Reply::new(250, "2.1.0", format!("Sender <{who}> OK{}", spacing_note(spaced, "FROM:"))));
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
                ("SIZE", Some(v)) if (1..=20).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) => {
                    // 20 digits may pass u64: still a size, and too big.
                    if v.parse::<u64>().map_or(true, |size| size > self.config.max_message_size as u64) {
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
                ("BODY", _) => return Err(Reply::new(501, "5.5.4", "Syntax: BODY=7BIT or BODY=8BITMIME (RFC 6152)")),
                ("SMTPUTF8", None) => tx.smtputf8 = true,
                ("RET", Some(v)) if v.eq_ignore_ascii_case("FULL") || v.eq_ignore_ascii_case("HDRS") => {}
                ("RET", _) => return Err(Reply::new(501, "5.5.4", "Syntax: RET=FULL or RET=HDRS (RFC 3461)")),
                ("SIZE", _) => {
                    return Err(Reply::new(501, "5.5.4", "Syntax: SIZE=<number of octets> (RFC 1870)"));
                }
                ("SMTPUTF8", Some(_)) => {
                    return Err(Reply::new(501, "5.5.4", "Syntax: SMTPUTF8 takes no value (RFC 6531)"));
                }
                ("ENVID", Some(v)) if v.len() <= 100 && is_xtext(v) => {}
                ("ENVID", _) => {
                    return Err(Reply::new(501, "5.5.4", "Syntax: ENVID=<at most 100 characters of xtext> (RFC 3461)"));
                }
                // Only where the service has AUTH (RFC 4954 §5; RFC 5321 §4.1.1.11):
                // an address in xtext, or <> for none.
                ("AUTH", v)
                    if !self.config.auth_mechanisms.is_empty() && (self.tls || !self.config.auth_requires_tls) =>
                {
                    if !v.is_some_and(is_xtext) {
                        return Err(Reply::new(
                            501,
                            "5.5.4",
                            "Syntax: AUTH=<> or AUTH=an address in xtext (RFC 4954 §5)",
                        ));
                    }
                }
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
        if tx.chunks.is_some() {
            return self.reply(Reply::new(
                503,
                "5.5.1",
                "Bad sequence of commands: RCPT after BDAT; finish with BDAT LAST",
            ));
        }
        let (args, spaced) = textbook_spacing(args, "TO:");
        let parsed = args.as_deref().map(|a| grammar::rcpt_to(a.as_bytes()));
        let Some(Ok((_, (mut forward_path, params)))) = parsed else {
            return self.reply(Reply::new(501, "5.5.4", SYNTAX_RCPT));
        };
        // An address literal of this host is this host: bob@[192.0.2.25] is bob@a.example.
        if let ForwardPath::Mailbox(m) = &mut forward_path
            && let Some(literal) = m.domain.strip_prefix('[').and_then(|d| d.strip_suffix(']'))
            && let Some(first) = self.config.local_domains.first()
        {
            let ip = literal.get(..5).filter(|t| t.eq_ignore_ascii_case("IPv6:")).map_or(literal, |_| &literal[5..]);
            if self.config.own_addresses.iter().any(|a| a.eq_ignore_ascii_case(ip)) {
                m.domain = first.clone();
            }
        }
        if !params.is_empty() && !self.esmtp {
            return self.reply(Reply::new(555, "5.5.4", "RCPT parameters need EHLO, not HELO"));
        }
        for (n, (key, value)) in params.iter().enumerate() {
            if params[..n].iter().any(|(k, _)| k == key) {
                return self.reply(Reply::new(501, "5.5.4", format!("Duplicate RCPT parameter {key}")));
            }
            let ok = match (key.as_str(), value.as_deref()) {
                ("NOTIFY", Some(v)) => {
                    let items: Vec<String> = v.split(',').map(str::to_ascii_uppercase).collect();
                    items == ["NEVER"] || items.iter().all(|i| matches!(i.as_str(), "SUCCESS" | "FAILURE" | "DELAY"))
                }
                // addr-type ";" xtext, at most 500 characters (RFC 3461 §4.2).
                ("ORCPT", Some(v)) => v.len() <= 500 && v.split_once(';').is_some_and(|(_, a)| is_xtext(a)),
                ("NOTIFY" | "ORCPT", None) => false,
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
            authenticated_as: self.authenticated.as_deref(),
            reverse_path: tx.reverse_path.as_ref(),
        };
        let local = match &forward_path {
            ForwardPath::Postmaster => true,
            ForwardPath::Mailbox(m) => self.config.is_local_domain(&m.domain),
        };
        let relay_domain = match &forward_path {
            ForwardPath::Mailbox(m) => self.config.relay_domains.iter().any(|d| d.eq_ignore_ascii_case(&m.domain)),
            ForwardPath::Postmaster => false,
        };
        let verdict = if local {
            backend.check_local_recipient(ctx, &forward_path)
        } else if relay_domain || self.relay_allowed(ctx) || backend.may_relay(ctx) {
            Ok(())
        } else {
            let reply = Reply::new(
                554,
                "5.7.1",
                format!("<{forward_path}>: Relay access denied (this host only accepts mail for its own domains)"),
            );
            backend.policy_refused("relay", &reply);
            Err(reply)
        };
        match verdict {
            Ok(()) => {
                let text = format!("Recipient <{forward_path}> OK{}", spacing_note(spaced, "TO:"));
                if let Some(tx) = self.tx.as_mut() {
                    tx.rcpts.push((forward_path, params));
                }
                self.reply(Reply::new(250, "2.1.5", text));
            }
            Err(reply) => self.reply(reply),
        }
    }

    fn relay_allowed(&self, ctx: RcptContext<'_>) -> bool {
        match &self.config.relay {
            RelayPolicy::Nobody => false,
            RelayPolicy::Authenticated => ctx.authenticated_as.is_some(),
            RelayPolicy::Addresses(list) => {
                ctx.authenticated_as.is_some() || list.iter().any(|a| a == ctx.client_address)
            }
            RelayPolicy::Anybody => true,
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
            Some(tx) if tx.chunks.is_some() => {
                self.reply(Reply::new(503, "5.5.1", "Bad sequence of commands: DATA after BDAT; finish with BDAT LAST"))
            }
            Some(_) => {
                self.reply(Reply::plain(354, "End data with <CR><LF>.<CR><LF>"));
                self.mode = Mode::Data(Box::new(DotReader::new(self.config.max_message_size, MAX_TEXT_LINE)));
            }
        }
    }

    fn cmd_bdat<B: SmtpBackend + ?Sized>(&mut self, args: Option<&str>, backend: &mut B) {
        // bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF (RFC 3030 §2)
        let parsed = args.and_then(|a| {
            let mut parts = a.split(' ');
            let size = parts.next().filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))?;
            let size = size.parse::<u64>().ok()?;
            let last = match parts.next() {
                None => false,
                Some(m) if m.eq_ignore_ascii_case("LAST") => true,
                Some(_) => return None,
            };
            parts.next().is_none().then_some((size, last))
        });
        let Some((size, last)) = parsed else {
            // Without a valid size the chunk's end is unknown; the session goes on
            // reading commands, the only choice RFC 3030 leaves.
            return self.reply(Reply::new(501, "5.5.4", SYNTAX_BDAT));
        };
        let mut refusal = match &self.tx {
            None => Some(Reply::new(503, "5.5.1", "Bad sequence of commands: need MAIL and RCPT before BDAT")),
            Some(tx) if tx.rcpts.is_empty() => {
                Some(Reply::new(554, "5.5.1", "No valid recipients: give RCPT TO first"))
            }
            Some(_) => None,
        };
        if refusal.is_none()
            && let Some(tx) = self.tx.as_mut()
        {
            let (data, _) = tx.chunks.get_or_insert_with(|| (Vec::new(), false));
            let max = self.config.max_message_size;
            if (data.len() as u64).saturating_add(size) > max as u64 {
                // Known as soon as announced, but answered after the chunk, like any
                // refused BDAT: the transaction is discarded and its octets are not kept.
                self.tx = None;
                refusal = Some(Reply::new(
                    552,
                    "5.3.4",
                    format!("Message size exceeds fixed maximum message size ({max} octets); transaction discarded"),
                ));
            }
        }
        // A refused BDAT's chunk is still read and thrown away before the answer
        // (RFC 3030 §2), so a client that stops to read it never has its next
        // command taken as chunk data.
        self.mode = Mode::Bdat { size, remaining: size, last, refusal };
        if size == 0 {
            self.finish_chunk(backend);
        }
    }

    fn read_chunk<B: SmtpBackend + ?Sized>(&mut self, input: &mut &[u8], backend: &mut B) {
        let Mode::Bdat { remaining, refusal, .. } = &mut self.mode else { return };
        let take = (*remaining).min(input.len() as u64) as usize;
        let (chunk, rest) = input.split_at(take);
        *input = rest;
        *remaining -= take as u64;
        // Kept only for a transaction that is still open (not refused, not discarded).
        let keep = refusal.is_none();
        let done = *remaining == 0;
        if keep && let Some((data, overflow)) = self.tx.as_mut().and_then(|tx| tx.chunks.as_mut()) {
            if data.len() + chunk.len() > self.config.max_message_size {
                *overflow = true;
            } else {
                data.extend_from_slice(chunk);
            }
        }
        if done {
            self.finish_chunk(backend);
        }
    }

    fn finish_chunk<B: SmtpBackend + ?Sized>(&mut self, backend: &mut B) {
        let Mode::Bdat { size, last, refusal, .. } = std::mem::replace(&mut self.mode, Mode::Command) else { return };
        if let Some(reply) = refusal {
            return self.reply(reply);
        }
        if self.tx.as_ref().is_none_or(|tx| tx.chunks.is_none()) {
            // Not reached (a BDAT without an open transaction carries its refusal),
            // but never left without an answer.
            return self.reply(Reply::new(503, "5.5.1", "Bad sequence of commands: need MAIL and RCPT before BDAT"));
        }
        if !last {
            return self.reply(Reply::new(250, "2.0.0", format!("{size} octets received")));
        }
        let Some(mut tx) = self.tx.take() else { return };
        let (data, overflow) = tx.chunks.take().unwrap_or_default();
        // The same rules as DATA: a chunked message may not smuggle bare LFs either.
        let findings = DotFindings { oversize: overflow, ..DotFindings::scan(&data, MAX_TEXT_LINE) };
        if let Some(reply) = Self::rejection(findings, self.config.max_message_size) {
            return self.reply(reply);
        }
        self.accept(tx, data, backend);
    }

    /// On a service that requires AUTH, VRFY and EXPN wait for it too (RFC 4954 §6):
    /// otherwise anyone could list the users.
    fn needs_auth_first(&mut self, verb: &str) -> bool {
        let refused = self.config.require_auth && self.authenticated.is_none();
        if refused {
            self.reply(Reply::new(530, "5.7.0", format!("Authentication required: log in with AUTH before {verb}")));
        }
        refused
    }

    fn cmd_vrfy<B: SmtpBackend + ?Sized>(&mut self, args: Option<&str>, backend: &mut B) {
        if self.needs_auth_first("VRFY") {
            return;
        }
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

    fn cmd_expn<B: SmtpBackend + ?Sized>(&mut self, args: Option<&str>, backend: &mut B) {
        if self.needs_auth_first("EXPN") {
            return;
        }
        let Some(query) = args.map(str::trim).filter(|a| !a.is_empty()) else {
            return self.reply(Reply::new(501, "5.5.4", "Syntax: EXPN list-name"));
        };
        if !self.config.expn {
            return self.reply(Reply::new(502, "5.5.1", "EXPN is disabled on this server"));
        }
        match backend.expand(query) {
            // RFC 5321 §3.5.2: one member per line of a multi-line 250.
            Some(members) if !members.is_empty() => {
                let lines = members.iter().map(|m| format!("<{m}>")).collect();
                self.reply(Reply { code: 250, enhanced: Some("2.1.5"), lines });
            }
            _ => self.reply(Reply::new(550, "5.1.1", format!("Mailing list unknown: {query}"))),
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
        // Among the replies RFC 5321 §4.3.2 allows at the end of DATA.
        if findings.long_line {
            return Some(Reply::new(
                554,
                "5.6.0",
                format!(
                    "Message rejected: a text line is longer than {MAX_TEXT_LINE} octets including CRLF (RFC 5321 4.5.3.1.6)"
                ),
            ));
        }
        None
    }

    fn finish_data<B: SmtpBackend + ?Sized>(&mut self, reader: DotReader, backend: &mut B) {
        self.mode = Mode::Command;
        let Some(tx) = self.tx.take() else { return };
        if let Some(reply) = Self::rejection(reader.findings(), self.config.max_message_size) {
            return self.reply(reply);
        }
        self.accept(tx, reader.into_data(), backend);
    }

    /// The protocol name for `Received: ... with` (RFC 3848, RFC 6531).
    fn with_protocol(&self, smtputf8: bool) -> &'static str {
        match (smtputf8, self.esmtp, self.tls, self.authenticated.is_some()) {
            (true, _, false, false) => "UTF8SMTP",
            (true, _, true, false) => "UTF8SMTPS",
            (true, _, false, true) => "UTF8SMTPA",
            (true, _, true, true) => "UTF8SMTPSA",
            (false, false, _, _) => "SMTP",
            (false, true, false, false) => "ESMTP",
            (false, true, true, false) => "ESMTPS",
            (false, true, false, true) => "ESMTPA",
            (false, true, true, true) => "ESMTPSA",
        }
    }

    fn accept<B: SmtpBackend + ?Sized>(&mut self, tx: Transaction, data: Vec<u8>, backend: &mut B) {
        self.transactions += 1;
        // An RFC 5321 Atom (section 4.4, ID): "." is not atext, so "-" joins the two.
        let id = format!("{}-{}", self.peer.session_id, self.transactions);
        let helo = self.helo.clone().unwrap_or_default();
        let mut received = format!(
            "Received: from {helo} ([{tag}{addr}])\r\n\tby {host} (Mail Lab) with {protocol} id {id}",
            // TCP-info is an address literal: an IPv6 one is tagged (RFC 5321 §4.1.3).
            tag = if self.peer.address.contains(':') { "IPv6:" } else { "" },
            addr = self.peer.address,
            host = self.config.hostname,
            protocol = self.with_protocol(tx.smtputf8),
        );
        // `for` takes a Path (RFC 5321 §4.4): not the bare <Postmaster>, which is none.
        if let [(only @ ForwardPath::Mailbox(_), _)] = tx.rcpts.as_slice() {
            received.push_str(&format!("\r\n\tfor <{only}>"));
        }
        received.push_str(&format!(";\r\n\t{}\r\n", self.now.rfc5322()));
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
        let delivery = Delivery {
            id: id.clone(),
            envelope,
            message,
            received_at: self.now,
            authenticated_as: self.authenticated.clone(),
        };
        match backend.deliver(delivery) {
            Ok(()) => self.reply(Reply::new(250, "2.0.0", format!("OK: queued as {id}"))),
            Err(reply) => self.reply(reply),
        }
    }
}

impl Engine for SmtpServer {
    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    fn hint(&self) -> StateHint {
        let reads_message_text = matches!(self.mode, Mode::Data(_));
        StateHint { state: self.state_key(), allowed: self.allowed(), reads_message_text }
    }

    fn is_closed(&self) -> bool {
        matches!(self.mode, Mode::Closed) && self.out.is_empty()
    }

    fn failed_logins(&self) -> u32 {
        self.failed_logins
    }
}

impl<B: SmtpBackend + ?Sized> Session<B> for SmtpServer {
    fn open(&mut self, _backend: &mut B, now: Time) {
        self.now = now;
        let greeting = format!("{} ESMTP Mail Lab ready", self.config.hostname);
        self.reply(Reply::plain(220, greeting));
    }

    fn timed_out(&mut self, _backend: &mut B, _now: Time) {
        if matches!(self.mode, Mode::Closed) {
            return;
        }
        // RFC 5321 §4.5.3.2.7: the server may close after 5 minutes of silence;
        // 421 is the reply that says the service is closing the channel.
        let bye = format!("{} Error: timeout exceeded, closing connection", self.config.hostname);
        self.reply(Reply::new(421, "4.4.2", bye));
        self.out.push(Output::Close);
        self.mode = Mode::Closed;
    }

    fn receive(&mut self, input: &[u8], backend: &mut B, now: Time) {
        self.now = now;
        let mut input = input;
        while !input.is_empty() {
            match &mut self.mode {
                Mode::Closed => return,
                Mode::Data(reader) => {
                    if reader.feed(&mut input) {
                        let Mode::Data(reader) = std::mem::replace(&mut self.mode, Mode::Command) else { return };
                        self.finish_data(*reader, backend);
                    }
                }
                Mode::Bdat { .. } => self.read_chunk(&mut input, backend),
                Mode::Auth(_) => match self.reader.next_line(&mut input) {
                    Some(line) => self.handle_auth_line(line, backend),
                    None => return,
                },
                Mode::Command => match self.reader.next_line(&mut input) {
                    Some(line) => self.handle_line(line, &mut input, backend),
                    None => return,
                },
            }
        }
    }
}
/// `xtext` (RFC 3461 §4): printable ASCII but `+` and `=`, and `+XX` for any
/// octet; `<>` stands for no address.
fn is_xtext(value: &str) -> bool {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' if bytes.len() > i + 2
                && bytes[i + 1..i + 3].iter().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(b)) =>
            {
                i += 3
            }
            b'+' | b'=' => return false,
            33..=126 => i += 1,
            _ => return false,
        }
    }
    !value.is_empty()
}
