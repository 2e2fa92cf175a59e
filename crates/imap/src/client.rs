//! The IMAP client engine for the mail client: CAPABILITY, STARTTLS when
//! offered, AUTHENTICATE PLAIN (with SASL-IR) or LOGIN, then a list of jobs
//! (LIST, SELECT, fetch summaries or a body, STORE flags, APPEND, MOVE, IDLE)
//! and LOGOUT. Responses are framed and tokenised by [`crate::response`].

use std::collections::VecDeque;

use mail_lab_proto::sasl;

use crate::response::{Token, code_and_text, complete_response, tokens};
use crate::utf7;
use mail_lab_proto::{ClientTls, Engine, Outbox, Output, Session, StateHint, Time};

/// Most bytes the client buffers for one response (a message body of this size
/// or more is refused rather than held).
pub const MAX_RESPONSE: usize = 64 * 1024 * 1024;

/// Who logs in and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapClientConfig {
    pub user: String,
    pub password: String,
    pub tls: ClientTls,
    /// Log in without TLS when the server offers none (the wiretap lesson).
    pub allow_plaintext: bool,
}

/// One thing the mail client asks of the server, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImapJob {
    /// LIST "" "*": every folder with its attributes.
    List,
    /// SELECT a folder (later jobs work in it).
    Select(String),
    /// UID FETCH 1:* (UID FLAGS ENVELOPE) of the selected folder.
    FetchSummaries,
    /// UID FETCH <uid> BODY[]: the whole message (sets \Seen).
    FetchBody(u32),
    /// UID STORE <uid> +FLAGS (...).
    AddFlags { uid: u32, flags: Vec<String> },
    /// APPEND a message to a folder with flags (a copy in Sent).
    Append { folder: String, flags: Vec<String>, message: Vec<u8> },
    /// UID MOVE <uid> to another folder (to Trash).
    Move { uid: u32, to: String },
    /// IDLE until [`ImapClient::stop_idle`]: what the server pushes meanwhile
    /// lands in [`ImapClient::updates`].
    Idle,
}

impl ImapJob {
    /// What the job asks, as a mail client's error message names it.
    pub fn describe(&self) -> String {
        match self {
            ImapJob::List => "LIST".into(),
            ImapJob::Select(folder) => format!("SELECT {folder}"),
            ImapJob::FetchSummaries => "FETCH of the message list".into(),
            ImapJob::FetchBody(uid) => format!("FETCH of message UID {uid}"),
            ImapJob::AddFlags { uid, flags } => format!("STORE {} on UID {uid}", flags.join(" ")),
            ImapJob::Append { folder, .. } => format!("APPEND to {folder}"),
            ImapJob::Move { uid, to } => format!("MOVE of UID {uid} to {to}"),
            ImapJob::Idle => "IDLE".into(),
        }
    }
}

/// A folder as LIST shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub name: String,
    pub attributes: Vec<String>,
}

/// A message as the summary fetch shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub uid: u32,
    pub flags: Vec<String>,
    pub subject: String,
    pub from: String,
}

/// Something the server said about the selected folder unasked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    Exists(u32),
    Expunge(u32),
    /// Flags of the message with this sequence number changed.
    Flags {
        seq: u32,
        flags: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Greeting,
    Capability {
        after_tls: bool,
    },
    StartTls,
    Login,
    Job(ImapJob),
    /// The IDLE command is accepted; DONE ends it.
    Idling,
    /// DONE sent, waiting for IDLE's tagged completion.
    EndingIdle,
    Logout,
    Closed,
}

/// The IMAP client engine.
#[derive(Debug, Clone)]
pub struct ImapClient {
    config: ImapClientConfig,
    jobs: VecDeque<ImapJob>,
    phase: Phase,
    tag: u32,
    tls: bool,
    buffer: Vec<u8>,
    out: Outbox,
    /// The literal to send when the server says "+" (a synchronising APPEND).
    pending_literal: Option<Vec<u8>>,
    capabilities: Vec<String>,
    folders: Vec<Folder>,
    selected: Option<String>,
    exists: u32,
    summaries: Vec<Summary>,
    bodies: Vec<(u32, Vec<u8>)>,
    appended: Vec<(String, u32)>,
    updates: Vec<Update>,
    errors: Vec<String>,
}

impl ImapClient {
    pub fn new(config: ImapClientConfig, jobs: Vec<ImapJob>) -> ImapClient {
        let tls = config.tls == ClientTls::Implicit;
        ImapClient {
            config,
            jobs: jobs.into(),
            phase: Phase::Greeting,
            tag: 0,
            tls,
            buffer: Vec::new(),
            out: Outbox::default(),
            pending_literal: None,
            capabilities: Vec::new(),
            folders: Vec::new(),
            selected: None,
            exists: 0,
            summaries: Vec::new(),
            bodies: Vec::new(),
            appended: Vec::new(),
            updates: Vec::new(),
            errors: Vec::new(),
        }
    }

    pub fn capabilities(&self) -> &[String] {
        &self.capabilities
    }
    pub fn folders(&self) -> &[Folder] {
        &self.folders
    }
    /// The selected folder and how many messages it has.
    pub fn selected(&self) -> Option<(&str, u32)> {
        self.selected.as_deref().map(|f| (f, self.exists))
    }
    pub fn summaries(&self) -> &[Summary] {
        &self.summaries
    }
    pub fn bodies(&self) -> &[(u32, Vec<u8>)] {
        &self.bodies
    }
    /// Where APPEND put messages: folder and UID (from APPENDUID).
    pub fn appended(&self) -> &[(String, u32)] {
        &self.appended
    }
    pub fn updates(&self) -> &[Update] {
        &self.updates
    }
    /// Refusals and failures, in order (the session goes on after each).
    pub fn errors(&self) -> &[String] {
        &self.errors
    }
    /// True while IDLE waits for the server to push changes.
    pub fn is_idling(&self) -> bool {
        self.phase == Phase::Idling
    }

    /// End IDLE (DONE) and go on with the jobs left, then LOGOUT.
    pub fn stop_idle(&mut self) {
        if self.phase == Phase::Idling {
            self.out.push_bytes(b"DONE\r\n");
            self.phase = Phase::EndingIdle;
        }
    }

    /// More work after IDLE: queued before [`ImapClient::stop_idle`] runs it.
    pub fn push_job(&mut self, job: ImapJob) {
        self.jobs.push_back(job);
    }

    fn send(&mut self, command: &str) {
        self.tag += 1;
        let line = format!("m{} {command}\r\n", self.tag);
        self.out.push_bytes(line.as_bytes());
    }

    fn current_tag(&self) -> String {
        format!("m{}", self.tag)
    }

    fn has(&self, capability: &str) -> bool {
        self.capabilities.iter().any(|c| c.eq_ignore_ascii_case(capability))
    }

    fn fail(&mut self, why: String) {
        self.errors.push(why);
    }

    /// After the capabilities are known: STARTTLS, or log in.
    fn after_capabilities(&mut self, after_tls: bool) {
        let wants_tls = matches!(self.config.tls, ClientTls::IfOffered | ClientTls::Required);
        if !self.tls && !after_tls && wants_tls && self.has("STARTTLS") {
            self.send("STARTTLS");
            self.phase = Phase::StartTls;
            return;
        }
        if !self.tls && self.config.tls == ClientTls::Required {
            self.fail("the server offers no STARTTLS, and TLS is required".into());
            return self.logout();
        }
        if !self.tls && (!self.config.allow_plaintext || self.has("LOGINDISABLED")) {
            self.fail("refusing to send the password without TLS".into());
            return self.logout();
        }
        if self.has("AUTH=PLAIN") && self.has("SASL-IR") {
            let initial = sasl::encode_base64(format!("\0{}\0{}", self.config.user, self.config.password).as_bytes());
            self.send(&format!("AUTHENTICATE PLAIN {initial}"));
        } else {
            let (user, password) = (quoted(&self.config.user), quoted(&self.config.password));
            self.send(&format!("LOGIN {user} {password}"));
        }
        self.phase = Phase::Login;
    }

    /// Start the next job, or LOGOUT when none is left.
    fn next_job(&mut self) {
        let Some(job) = self.jobs.pop_front() else { return self.logout() };
        let selected = self.selected.is_some();
        let needs_folder = matches!(
            job,
            ImapJob::FetchSummaries | ImapJob::FetchBody(_) | ImapJob::AddFlags { .. } | ImapJob::Move { .. }
        );
        if needs_folder && !selected {
            self.fail(format!("{} needs a selected folder", job.describe()));
            return self.next_job();
        }
        match &job {
            ImapJob::List => self.send("LIST \"\" \"*\""),
            ImapJob::Select(folder) => {
                self.summaries.clear();
                self.send(&format!("SELECT {}", quoted(&utf7::encode(folder))));
            }
            ImapJob::FetchSummaries => self.send("UID FETCH 1:* (UID FLAGS ENVELOPE)"),
            ImapJob::FetchBody(uid) => self.send(&format!("UID FETCH {uid} BODY[]")),
            ImapJob::AddFlags { uid, flags } => self.send(&format!("UID STORE {uid} +FLAGS ({})", flags.join(" "))),
            ImapJob::Append { folder, flags, message } => {
                // LITERAL+ (RFC 7888) sends the message at once; otherwise wait for "+".
                let plus = self.has("LITERAL+");
                let size = message.len();
                let marker = if plus { "+" } else { "" };
                self.send(&format!(
                    "APPEND {} ({}) {{{size}{marker}}}",
                    quoted(&utf7::encode(folder)),
                    flags.join(" ")
                ));
                let mut literal = message.clone();
                literal.extend_from_slice(b"\r\n");
                if plus {
                    self.out.push_bytes(&literal);
                } else {
                    self.pending_literal = Some(literal);
                }
            }
            ImapJob::Move { uid, to } => self.send(&format!("UID MOVE {uid} {}", quoted(&utf7::encode(to)))),
            ImapJob::Idle => self.send("IDLE"),
        }
        self.phase = Phase::Job(job);
    }

    fn logout(&mut self) {
        self.send("LOGOUT");
        self.phase = Phase::Logout;
    }

    fn process(&mut self) {
        // Responses are read from `at` on and let go of together at the end: a
        // chunk of 100,000 FETCH lines is not moved up once per line.
        let mut at = 0;
        loop {
            if self.phase == Phase::Closed {
                self.buffer.clear();
                return;
            }
            let len = match complete_response(&self.buffer[at..], MAX_RESPONSE) {
                Ok(Some(len)) => len,
                Ok(None) => break,
                Err(why) => {
                    self.fail(why);
                    self.phase = Phase::Closed;
                    self.out.push(Output::Close);
                    break;
                }
            };
            let response = self.buffer[at..at + len].to_vec();
            at += len;
            let event = Event::read(&response);
            if self.phase == Phase::Greeting {
                self.greeted(event);
            } else {
                self.handle(event);
            }
        }
        self.buffer.drain(..at);
    }

    /// The server's first words: OK (with or without capabilities) or BYE.
    fn greeted(&mut self, event: Event) {
        match event {
            Event::Greeting(caps) => match caps {
                Some(caps) => {
                    self.capabilities = caps;
                    self.after_capabilities(false);
                }
                None => {
                    self.send("CAPABILITY");
                    self.phase = Phase::Capability { after_tls: false };
                }
            },
            Event::Bye => {
                self.fail("the server said BYE at once".into());
                self.phase = Phase::Closed;
                self.out.push(Output::Close);
            }
            _ => {
                self.fail("the greeting is not IMAP".into());
                self.phase = Phase::Closed;
                self.out.push(Output::Close);
            }
        }
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::Ignored | Event::Greeting(_) => {}
            Event::Unreadable(line) => self.fail(format!("unreadable response: {line}")),
            Event::Continue => {
                if let Some(literal) = self.pending_literal.take() {
                    self.out.push_bytes(&literal);
                } else if self.phase == Phase::Job(ImapJob::Idle) {
                    self.phase = Phase::Idling;
                }
            }
            Event::Capabilities(caps) => self.capabilities = caps,
            Event::Listed(folder) => self.folders.push(folder),
            Event::Exists(n) => {
                self.exists = n;
                if matches!(self.phase, Phase::Idling | Phase::EndingIdle) {
                    self.updates.push(Update::Exists(n));
                }
            }
            Event::Expunge(seq) => {
                self.exists = self.exists.saturating_sub(1);
                if let Some(i) = (seq as usize).checked_sub(1).filter(|i| *i < self.summaries.len()) {
                    self.summaries.remove(i);
                }
                if !matches!(self.phase, Phase::Job(ImapJob::Move { .. })) {
                    self.updates.push(Update::Expunge(seq));
                }
            }
            Event::Fetched { seq, uid, flags, subject, from, body } => {
                if let (Some(uid), Some(body)) = (uid, body) {
                    self.bodies.push((uid, body));
                }
                match (&self.phase, uid) {
                    (Phase::Job(ImapJob::FetchSummaries), Some(uid)) => self.summaries.push(Summary {
                        uid,
                        flags: flags.unwrap_or_default(),
                        subject: subject.unwrap_or_default(),
                        from: from.unwrap_or_default(),
                    }),
                    (_, _) => {
                        if let Some(flags) = flags {
                            if let Some(s) = uid.and_then(|u| self.summaries.iter_mut().find(|s| s.uid == u)) {
                                s.flags = flags.clone();
                            }
                            if !matches!(self.phase, Phase::Job(_)) {
                                self.updates.push(Update::Flags { seq, flags });
                            }
                        }
                    }
                }
            }
            Event::Bye => {
                self.phase = Phase::Closed;
                self.out.push(Output::Close);
            }
            Event::Done { tag, ok, code, text } => {
                if tag != self.current_tag() {
                    return self.fail(format!("a reply for {tag}, which was not asked"));
                }
                self.completed(ok, code, text);
            }
        }
    }

    /// The tagged reply to the command in flight.
    fn completed(&mut self, ok: bool, code: Option<(String, u32)>, text: String) {
        let phase = std::mem::replace(&mut self.phase, Phase::Closed);
        match phase {
            Phase::Capability { after_tls } => self.after_capabilities(after_tls),
            Phase::StartTls if ok => {
                self.out.push(Output::StartTls);
                self.tls = true;
                // RFC 9051 §6.2.1: capabilities learnt before TLS are discarded.
                self.capabilities.clear();
                self.send("CAPABILITY");
                self.phase = Phase::Capability { after_tls: true };
            }
            Phase::StartTls => {
                self.fail(format!("STARTTLS refused: {text}"));
                self.after_capabilities(true);
            }
            Phase::Login if ok => self.next_job(),
            Phase::Login => {
                self.fail(format!("login refused: {text}"));
                self.logout();
            }
            Phase::Job(job) => {
                if !ok {
                    self.fail(format!("{} refused: {text}", job.describe()));
                } else if let ImapJob::Select(folder) = &job {
                    self.selected = Some(folder.clone());
                } else if let (ImapJob::Append { folder, .. }, Some((_, uid))) = (&job, code) {
                    self.appended.push((folder.clone(), uid));
                }
                self.pending_literal = None;
                self.next_job();
            }
            Phase::EndingIdle => self.next_job(),
            Phase::Logout | Phase::Closed | Phase::Greeting | Phase::Idling => {
                self.phase = Phase::Closed;
                self.out.push(Output::Close);
            }
        }
    }
}

/// A response boiled down to what the client acts on.
enum Event {
    Ignored,
    Unreadable(String),
    /// An untagged OK or PREAUTH, with the capabilities it carried.
    Greeting(Option<Vec<String>>),
    Continue,
    Capabilities(Vec<String>),
    Listed(Folder),
    Exists(u32),
    Expunge(u32),
    Fetched {
        seq: u32,
        uid: Option<u32>,
        flags: Option<Vec<String>>,
        subject: Option<String>,
        from: Option<String>,
        body: Option<Vec<u8>>,
    },
    Bye,
    Done {
        tag: String,
        ok: bool,
        /// APPENDUID: UIDVALIDITY and UID.
        code: Option<(String, u32)>,
        text: String,
    },
}

impl Event {
    fn read(response: &[u8]) -> Event {
        let first_line = response.split(|&b| b == b'\r').next().unwrap_or_default();
        let line = String::from_utf8_lossy(first_line).into_owned();
        let toks = tokens(response);
        let word = |i: usize| toks.get(i).and_then(Token::atom).map(str::to_ascii_uppercase).unwrap_or_default();
        // The text after the first `n` words of the line (a status line's code and text).
        let after = |n: usize| line.splitn(n + 1, ' ').nth(n).unwrap_or_default().to_string();
        match (word(0).as_str(), word(1).as_str()) {
            ("+", _) => Event::Continue,
            ("*", "BYE") => Event::Bye,
            ("*", "OK" | "PREAUTH" | "NO" | "BAD") => {
                let (code, _) = code_and_text(&after(2));
                match code {
                    Some(code) if code.first().is_some_and(|c| c.eq_ignore_ascii_case("CAPABILITY")) => {
                        Event::Greeting(Some(code[1..].to_vec()))
                    }
                    _ if word(1) == "OK" || word(1) == "PREAUTH" => Event::Greeting(None),
                    _ => Event::Ignored,
                }
            }
            ("*", "CAPABILITY") => Event::Capabilities(toks[2..].iter().filter_map(Token::text).collect()),
            // An IMAP4rev1 client: names come in modified UTF-7 (RFC 3501 section 5.1.3).
            ("*", "LIST") => Event::Listed(Folder {
                name: toks.get(4).and_then(Token::text).map(|n| utf7::decode(&n).unwrap_or(n)).unwrap_or_default(),
                attributes: toks.get(2).map(|t| t.list().iter().filter_map(Token::text).collect()).unwrap_or_default(),
            }),
            ("*", n) if n.parse::<u32>().is_ok() => {
                let n: u32 = n.parse().unwrap_or_default();
                match word(2).as_str() {
                    "EXISTS" => Event::Exists(n),
                    "EXPUNGE" => Event::Expunge(n),
                    "FETCH" => fetched(n, toks.get(3).map(Token::list).unwrap_or_default()),
                    _ => Event::Ignored,
                }
            }
            ("*", _) => Event::Ignored,
            ("", _) => Event::Unreadable(line),
            (_, status @ ("OK" | "NO" | "BAD")) => {
                let (code, text) = code_and_text(&after(2));
                let appended = code.filter(|c| c.len() == 3 && c[0].eq_ignore_ascii_case("APPENDUID"));
                Event::Done {
                    tag: toks.first().and_then(Token::text).unwrap_or_default(),
                    ok: status == "OK",
                    code: appended.and_then(|c| Some((c[1].clone(), c[2].parse().ok()?))),
                    text,
                }
            }
            _ => Event::Unreadable(line),
        }
    }
}

/// FETCH's data items: UID, FLAGS, ENVELOPE's subject and first sender, BODY[].
fn fetched(seq: u32, items: &[Token]) -> Event {
    let (mut uid, mut flags, mut subject, mut from, mut body) = (None, None, None, None, None);
    for pair in items.chunks(2) {
        let [name, value] = pair else { break };
        let name = name.atom().unwrap_or_default().to_ascii_uppercase();
        match name.as_str() {
            "UID" => uid = value.atom().and_then(|n| n.parse().ok()),
            "FLAGS" => flags = Some(value.list().iter().filter_map(Token::text).collect()),
            "ENVELOPE" => {
                let env = value.list();
                subject = env.get(1).and_then(Token::text);
                from = env.get(2).and_then(|list| list.list().first()).map(|address| {
                    let part = |i: usize| address.list().get(i).and_then(Token::text);
                    let mailbox = format!("{}@{}", part(2).unwrap_or_default(), part(3).unwrap_or_default());
                    match part(0) {
                        Some(name) => format!("{name} <{mailbox}>"),
                        None => mailbox,
                    }
                });
            }
            n if n.starts_with("BODY[") => {
                body = match value {
                    Token::Str(bytes) => Some(bytes.clone()),
                    _ => None,
                }
            }
            _ => {}
        }
    }
    Event::Fetched { seq, uid, flags, subject, from, body }
}

/// An IMAP quoted string (RFC 9051 §4.3): backslash and quote escaped.
fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Engine for ImapClient {
    fn poll_output(&mut self) -> Option<Output> {
        self.out.pop()
    }

    fn hint(&self) -> StateHint {
        let state = match self.phase {
            Phase::Greeting => "greeting",
            Phase::Capability { .. } => "capability",
            Phase::StartTls => "starttls",
            Phase::Login => "login",
            Phase::Job(_) => "working",
            Phase::Idling | Phase::EndingIdle => "idle",
            Phase::Logout => "logout",
            Phase::Closed => "closed",
        };
        StateHint { state, allowed: Vec::new(), reads_message_text: false }
    }

    fn is_closed(&self) -> bool {
        self.phase == Phase::Closed && self.out.is_empty()
    }
}

impl Session<()> for ImapClient {
    fn open(&mut self, _backend: &mut (), _now: Time) {}

    fn receive(&mut self, input: &[u8], _backend: &mut (), _now: Time) {
        self.buffer.extend_from_slice(input);
        self.process();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_lab_proto::session::drain_bytes;

    fn client() -> ImapClient {
        let config = ImapClientConfig {
            user: "bob".into(),
            password: "pw".into(),
            tls: ClientTls::Never,
            allow_plaintext: true,
        };
        ImapClient::new(config, vec![ImapJob::List])
    }

    fn feed(c: &mut ImapClient, bytes: &[u8]) -> String {
        c.receive(bytes, &mut (), Time(0));
        String::from_utf8(drain_bytes(c).0).unwrap()
    }

    #[test]
    fn logs_in_with_sasl_ir_when_offered_and_with_login_otherwise() {
        let mut c = client();
        let sent = feed(&mut c, b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n");
        assert_eq!(sent, "m1 AUTHENTICATE PLAIN AGJvYgBwdw==\r\n");
        let mut c = client();
        assert_eq!(feed(&mut c, b"* OK hi\r\n"), "m1 CAPABILITY\r\n");
        let sent = feed(&mut c, b"* CAPABILITY IMAP4rev1\r\nm1 OK done\r\n");
        assert_eq!(sent, "m2 LOGIN \"bob\" \"pw\"\r\n");
        assert_eq!(feed(&mut c, b"m2 OK in\r\n"), "m3 LIST \"\" \"*\"\r\n");
    }

    #[test]
    fn folder_names_are_read_and_written_in_modified_utf7() {
        // An IMAP4rev1 client (RFC 3501 section 5.1.3): the server says &TtVOiw-,
        // the learner sees 仕事, and SELECT sends the mUTF-7 spelling back.
        let config = client().config;
        let mut c = ImapClient::new(config, vec![ImapJob::List, ImapJob::Select("仕事".into())]);
        feed(&mut c, b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
        feed(&mut c, b"m1 OK in\r\n");
        let sent = feed(&mut c, b"* LIST (\\HasNoChildren) \"/\" &TtVOiw-\r\n* LIST () \"/\" AT&-T\r\nm2 OK done\r\n");
        let names: Vec<&str> = c.folders().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["仕事", "AT&T"]);
        assert_eq!(sent, "m3 SELECT \"&TtVOiw-\"\r\n");
    }

    #[test]
    fn garbage_is_noted_and_skipped_never_a_panic() {
        let mut c = client();
        assert_eq!(feed(&mut c, b"\x00\xff not imap\r\n"), "");
        assert_eq!(c.errors(), ["the greeting is not IMAP"]);
        assert!(c.is_closed());
        let mut c = client();
        feed(&mut c, b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
        // An unknown untagged response is ignored (RFC 9051 §7), an empty line
        // is noted, and the real answer still counts: the session goes on.
        let sent = feed(&mut c, b"* FROBNICATE ((\r\n\r\nm1 OK in\r\n");
        assert_eq!(sent, "m2 LIST \"\" \"*\"\r\n");
        assert_eq!(c.errors(), ["unreadable response: "]);
        // A literal announced larger than the limit is refused, not buffered forever.
        let mut huge = b"* 1 FETCH (BODY[] {99999999999}\r\n".to_vec();
        huge.extend(std::iter::repeat_n(b'x', 1024));
        feed(&mut c, &huge);
        assert!(c.errors().len() >= 2, "{:?}", c.errors());
    }

    #[test]
    fn a_chunk_of_many_responses_is_read_in_one_pass() {
        // 300,000 untagged lines in one chunk (a big folder's FETCH answers): each
        // used to move the rest of the chunk up, about 10^12 octets in all.
        let mut c = client();
        feed(&mut c, b"* OK [CAPABILITY IMAP4rev1] hi\r\n");
        feed(&mut c, b"m1 OK in\r\n");
        let chunk =
            [b"* OK still here\r\n".repeat(300_000), b"* LIST () \"/\" INBOX\r\nm2 OK done\r\n".to_vec()].concat();
        let start = std::time::Instant::now();
        feed(&mut c, &chunk);
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "took {:?}", start.elapsed());
        assert_eq!(c.folders().iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["INBOX"]);
        assert!(c.errors().is_empty(), "{:?}", c.errors());
    }
}
