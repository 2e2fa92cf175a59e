//! The mail client (MUA) in the page: its form and what it holds, and what it
//! does on the learner's behalf through the world, as a real client would:
//! submission on 587 with AUTH, POP3 and IMAP from the learner's machine.

use mail_lab_imap::{ImapClient, ImapClientConfig, ImapJob};
use mail_lab_world::{ConnectionId, Service};

use crate::state::Lab;
use crate::terminal::TranscriptLine;

/// What the mail client (MUA) holds between actions.
#[derive(Debug, Default)]
pub struct MailClient {
    /// Its last dialogue with a server, and what it concluded.
    pub log: Vec<TranscriptLine>,
    pub status: Option<MuaStatus>,
    /// Messages it has downloaded: (account, from, subject).
    pub inbox: Vec<(String, String, String)>,
    /// POP3 UIDs already downloaded (UIDL), so a check fetches only new mail.
    pub(crate) seen: Vec<String>,
    /// Messages sent so far (numbers each Message-ID).
    pub(crate) sent: u32,
    /// The INBOX as its last IMAP check saw it.
    pub imap: Vec<ImapRow>,
    /// Its IMAP session idling on an INBOX, if watching.
    pub(crate) idle: Option<(String, ConnectionId, ImapClient)>,
    /// What the server pushed while it idled, as IMAP lines.
    pub pushed: Vec<String>,
    /// What is being composed.
    pub draft: Compose,
}

/// A message in the mail client's IMAP view of an INBOX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapRow {
    pub account: String,
    pub uid: u32,
    pub from: String,
    pub subject: String,
    pub flags: String,
}

/// What the mail client last did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MuaStatus {
    NoAccount(String),
    NoRecipient,
    /// Per recipient, what the submission server said.
    Sent(Vec<(String, MuaOutcome)>),
    Fetched {
        count: usize,
        account: String,
    },
    /// An IMAP check listed this many messages in the INBOX.
    Listed {
        count: usize,
        account: String,
    },
    Failed(String),
}

/// One recipient's fate at submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MuaOutcome {
    Accepted,
    /// A 4xx reply: code and text.
    Later(String),
    /// A 5xx reply: code and text.
    Refused(String),
}

/// What the learner wrote in the mail client.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Compose {
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub body: String,
}

fn addresses(list: &str) -> Vec<mail_lab_message::builder::Mailbox> {
    list.split(',').map(str::trim).filter(|a| !a.is_empty()).map(mail_lab_message::builder::Mailbox::new).collect()
}

impl Lab {
    /// The host that keeps `account`'s mail and the account's password.
    pub(crate) fn home(&self, account: &str) -> Option<(String, String)> {
        let world = self.world.borrow();
        let domain = account.rsplit_once('@')?.1;
        let host = world.hosts().iter().find(|h| h.is_local_domain(domain))?;
        let password = host.store.account(account)?.password.clone();
        Some((host.name.clone(), password))
    }

    fn mua_record(&mut self, conn: Option<mail_lab_world::ConnectionId>) {
        let Some(conn) = conn else { return };
        let world = self.world.borrow();
        let protocol = world.connection_info(conn).map(|i| i.service.protocol());
        self.client.log = world
            .dialogue(conn)
            .into_iter()
            .map(|(d, text)| {
                if d == mail_lab_world::Direction::ToServer {
                    TranscriptLine::Client(text, protocol)
                } else {
                    TranscriptLine::Server(text, protocol)
                }
            })
            .collect();
    }

    /// Add a second dialogue (the IMAP APPEND after a send) to the shown log.
    fn mua_record_more(&mut self, conn: mail_lab_world::ConnectionId) {
        let earlier = std::mem::take(&mut self.client.log);
        self.mua_record(Some(conn));
        self.client.log.splice(0..0, earlier);
    }

    fn imap_config(&self, account: &str) -> Option<(String, ImapClientConfig)> {
        let (host, password) = self.home(account)?;
        let config = ImapClientConfig {
            user: account.to_string(),
            password,
            tls: mail_lab_proto::ClientTls::IfOffered,
            allow_plaintext: false,
        };
        Some((host, config))
    }

    /// Run an IMAP session for `account` with these jobs; the connection (for
    /// the log) and the client (for its results).
    fn mua_imap_run(
        &mut self,
        account: &str,
        jobs: Vec<ImapJob>,
    ) -> (Option<mail_lab_world::ConnectionId>, Option<ImapClient>) {
        let Some((host, config)) = self.imap_config(account) else {
            self.client.status = Some(MuaStatus::NoAccount(account.to_string()));
            return (None, None);
        };
        let mut client = ImapClient::new(config, jobs);
        let pc = self.learner_pc();
        let result = self.world.borrow_mut().run_client(&pc, &host, Service::Imap.default_port(), &mut client);
        match result {
            Ok(conn) => {
                if let Some(why) = client.errors().first() {
                    self.client.status = Some(MuaStatus::Failed(why.clone()));
                }
                (Some(conn), Some(client))
            }
            Err(e) => {
                self.client.status = Some(MuaStatus::Failed(e.to_string()));
                (None, None)
            }
        }
    }

    /// List the INBOX over IMAP (after `first` jobs, e.g. a MOVE).
    pub(crate) fn mua_check_imap(&mut self, account: &str, first: Vec<ImapJob>) {
        let mut jobs = vec![ImapJob::Select("INBOX".into())];
        jobs.extend(first);
        jobs.push(ImapJob::FetchSummaries);
        let (conn, client) = self.mua_imap_run(account, jobs);
        self.mua_record(conn);
        let Some(client) = client else { return };
        self.client.imap = client
            .summaries()
            .iter()
            .map(|s| ImapRow {
                account: account.to_string(),
                uid: s.uid,
                from: s.from.clone(),
                subject: mail_lab_message::transfer::decode_header_value(&s.subject, &crate::charset::BrowserDecoder).0,
                flags: s.flags.join(" "),
            })
            .collect();
        if client.errors().is_empty() {
            self.client.status =
                Some(MuaStatus::Listed { count: self.client.imap.len(), account: account.to_string() });
        }
    }

    /// Start or stop the mail client's IDLE session on `account`'s INBOX.
    pub(crate) fn mua_watch(&mut self, account: &str, on: bool) {
        if let Some((_, conn, mut client)) = self.client.idle.take() {
            client.stop_idle();
            self.world.borrow_mut().pump_client(conn, &mut client);
        }
        if !on {
            return;
        }
        let Some((host, config)) = self.imap_config(account) else { return };
        let mut client = ImapClient::new(config, vec![ImapJob::Select("INBOX".into()), ImapJob::Idle]);
        let pc = self.learner_pc();
        let started = self.world.borrow_mut().start_client(&pc, &host, Service::Imap.default_port(), &mut client);
        match started {
            Ok(conn) if client.is_idling() => {
                self.mua_record(Some(conn));
                self.client.pushed.clear();
                self.client.idle = Some((account.to_string(), conn, client));
            }
            Ok(_) => self.client.status = Some(MuaStatus::Failed(client.errors().join("; "))),
            Err(e) => self.client.status = Some(MuaStatus::Failed(e.to_string())),
        }
    }

    /// Hand the idling mail client what its server pushed since the last action.
    pub(crate) fn mua_hear(&mut self) {
        let Some((_, conn, client)) = self.client.idle.as_mut() else { return };
        let before = client.updates().len();
        self.world.borrow_mut().pump_client(*conn, client);
        for update in &client.updates()[before..] {
            use mail_lab_imap::client::Update;
            self.client.pushed.push(match update {
                Update::Exists(n) => format!("* {n} EXISTS"),
                Update::Expunge(n) => format!("* {n} EXPUNGE"),
                Update::Flags { seq, flags } => format!("* {seq} FETCH (FLAGS ({}))", flags.join(" ")),
            });
        }
        if !client.is_idling() {
            self.client.idle = None;
        }
    }

    /// The account the mail client is watching with IDLE, if any.
    pub fn mua_watching(&self) -> Option<&str> {
        self.client.idle.as_ref().map(|(a, _, _)| a.as_str())
    }

    pub(crate) fn mua_send(&mut self, c: &Compose) {
        use mail_lab_message::builder::{Draft, Mailbox, build};
        use mail_lab_smtp::{ClientConfig, Outcome, OutgoingMessage, SmtpClient};
        let Some((host, password)) = self.home(&c.from) else {
            self.client.status = Some(MuaStatus::NoAccount(c.from.clone()));
            return;
        };
        let draft = Draft {
            from: Mailbox::new(&c.from),
            to: addresses(&c.to),
            cc: addresses(&c.cc),
            bcc: addresses(&c.bcc),
            subject: c.subject.clone(),
            text: c.body.clone(),
            ..Draft::default()
        };
        self.client.sent += 1;
        let now = self.world.borrow().now();
        let built = build(&draft, now, &format!("mua.{}.{}", self.client.sent, now.as_secs()));
        if built.recipients.is_empty() {
            self.client.status = Some(MuaStatus::NoRecipient);
            return;
        }
        let pc = self.learner_pc();
        let mut config = ClientConfig::relay(&pc);
        config.credentials = Some((c.from.clone(), password));
        let sent_copy = built.raw.clone();
        let message = OutgoingMessage {
            reverse_path: c.from.clone(),
            recipients: built.recipients,
            data: built.raw,
            ..Default::default()
        };
        let mut client = SmtpClient::new(config, message);
        let result = self.world.borrow_mut().run_client(&pc, &host, Service::Submission.default_port(), &mut client);
        match result {
            Ok(conn) => {
                self.mua_record(Some(conn));
                let outcomes = client
                    .outcomes()
                    .into_iter()
                    .map(|(r, o)| {
                        let outcome = match o {
                            Outcome::Delivered(_) => MuaOutcome::Accepted,
                            Outcome::Deferred(rep) => {
                                MuaOutcome::Later(format!("{} {}", rep.code, rep.lines.join(" ")))
                            }
                            Outcome::Bounced(rep) => {
                                MuaOutcome::Refused(format!("{} {}", rep.code, rep.lines.join(" ")))
                            }
                        };
                        (r.to_string(), outcome)
                    })
                    .collect();
                self.client.status = Some(MuaStatus::Sent(outcomes));
                // A copy in Sent, as mail clients keep one: APPEND over IMAP.
                let job = ImapJob::Append { folder: "Sent".into(), flags: vec!["\\Seen".into()], message: sent_copy };
                if let Some(conn) = self.mua_imap_run(&c.from, vec![job]).0 {
                    self.mua_record_more(conn);
                }
            }
            Err(e) => self.client.status = Some(MuaStatus::Failed(e.to_string())),
        }
    }

    pub(crate) fn mua_check(&mut self, account: &str) {
        use mail_lab_pop3::{Pop3Client, Pop3ClientConfig, Pop3Login};
        let Some((host, password)) = self.home(account) else { return };
        let mut client = Pop3Client::new(Pop3ClientConfig {
            user: account.to_string(),
            password,
            tls: mail_lab_proto::ClientTls::IfOffered,
            login: Pop3Login::Auto,
            leave_on_server: true,
            known_uids: self.client.seen.clone(),
            allow_plaintext: false,
        });
        let pc = self.learner_pc();
        let result = self.world.borrow_mut().run_client(&pc, &host, Service::Pop3.default_port(), &mut client);
        match result {
            Ok(conn) => {
                self.mua_record(Some(conn));
                for r in client.retrieved() {
                    let header = |name: &str| mail_lab_message::header_value(&r.data, name).unwrap_or_default();
                    let decode = |v: String| {
                        mail_lab_message::transfer::decode_header_value(&v, &crate::charset::BrowserDecoder).0
                    };
                    self.client.inbox.push((account.to_string(), decode(header("From")), decode(header("Subject"))));
                }
                self.client.seen.extend(client.server_uids().iter().cloned());
                self.client.status = Some(match client.error() {
                    Some(e) => MuaStatus::Failed(e.to_string()),
                    None => MuaStatus::Fetched { count: client.retrieved().len(), account: account.to_string() },
                });
            }
            Err(e) => self.client.status = Some(MuaStatus::Failed(e.to_string())),
        }
    }
}
