//! The MTA: each host's outgoing queue, relay to the next host by MX through
//! the real SMTP client and server engines, retries on the logical clock, and
//! bounces (RFC 3464) to the reverse-path when delivery fails for good.

use mail_lab_message::dsn::{Bounce, FailedRecipient, ReportAction, bounce_message};
use mail_lab_proto::{ClientTls, Session, Time};
use mail_lab_smtp::{ClientConfig, DsnRequest, Outcome, OutgoingMessage, Reply, SmtpClient};
use serde::{Deserialize, Serialize};

use crate::{EventKind, World, WorldError};

/// More Received lines than this means a mail loop (RFC 5321 §6.3).
pub const MAX_HOPS: usize = 30;

/// Most messages the world's queues hold, and their most octets: past either,
/// a message for another host is refused with 452 4.3.1 (RFC 3463: mail system
/// full) and its sender tries again later, so relaying cannot grow memory
/// without bound. Bounces of queued mail may go up to twice this.
pub const QUEUE_LIMIT: usize = 1_000;
pub const QUEUE_OCTETS_LIMIT: usize = 64 * 1024 * 1024;
/// The refusal past either limit; the text names both.
pub(crate) const QUEUE_FULL: &str = "Insufficient system storage: the queue is full (1000 messages or 64 MiB)";
const _: () = assert!(QUEUE_LIMIT == 1_000 && QUEUE_OCTETS_LIMIT == 64 << 20);

/// Minutes between attempts: after the 1st failure, the 2nd, … (then the last repeats).
pub const RETRY_MINUTES: [u64; 5] = [1, 5, 15, 30, 60];

/// A message waiting in a host's queue for some of its recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub id: String,
    /// The host whose queue holds it.
    pub host: String,
    /// Empty for the null reverse-path (a bounce: never bounced again).
    pub reverse_path: String,
    /// Recipients still to be delivered.
    pub recipients: Vec<String>,
    #[serde(with = "mail_lab_store::raw_text")]
    pub message: Vec<u8>,
    pub arrived: Time,
    pub attempts: u32,
    pub next_attempt: Time,
    pub last_error: Option<String>,
    /// What the sender asked of delivery reports (RFC 3461), passed on when relayed.
    /// Not saved with the lab: a saved lab's format (postcard, read by position)
    /// stays the same, and a message restored from one reports as without NOTIFY.
    #[serde(skip)]
    pub dsn: DsnRequest,
}

impl QueueEntry {
    /// A message just accepted for `recipients`, to be tried at once.
    pub(crate) fn new(
        id: &str,
        host: &str,
        reverse_path: &str,
        recipients: Vec<String>,
        message: Vec<u8>,
        now: Time,
    ) -> Self {
        QueueEntry {
            id: id.to_string(),
            host: host.to_string(),
            reverse_path: reverse_path.to_string(),
            recipients,
            message,
            arrived: now,
            attempts: 0,
            next_attempt: now,
            last_error: None,
            dsn: DsnRequest::default(),
        }
    }
}

/// How one relay try ended.
enum Try {
    /// No SMTP conversation: host unknown, down, refused (the world's reason),
    /// or 421 at greeting (the server's words).
    Unreachable(String, Option<WorldError>),
    /// The server answered; per recipient outcomes.
    Answered(Vec<(String, Outcome)>),
}

fn status_of(reply: &Reply, fallback: &str) -> String {
    // The enhanced code is the first word of the text when the server sent one.
    let first = reply.lines.first().and_then(|l| l.split_whitespace().next()).unwrap_or("");
    let looks_enhanced = first.split('.').count() == 3 && first.split('.').all(|p| p.parse::<u16>().is_ok());
    if looks_enhanced { first.to_string() } else { fallback.to_string() }
}

fn reply_text(reply: &Reply) -> String {
    format!("{} {}", reply.code, reply.lines.join(" "))
}

impl World {
    /// Messages waiting in every host's queue.
    pub fn queue(&self) -> &[QueueEntry] {
        &self.queue
    }

    /// Attempt every queue entry that is due now. Runs again for bounces it
    /// creates; bounded so a misconfigured world cannot loop forever.
    pub fn run_queue(&mut self) {
        if self.running_queue {
            return;
        }
        self.running_queue = true;
        for _ in 0..10_000 {
            let now = self.now;
            let Some(i) = self.queue.iter().position(|e| e.next_attempt <= now) else { break };
            let entry = self.queue.remove(i);
            self.attempt(entry);
        }
        self.running_queue = false;
    }

    /// Advance the clock until nothing is queued (or a week of logical time
    /// has passed); retries and bounces happen on the way.
    pub fn run_until_idle(&mut self) {
        let limit = self.now.plus_millis(7 * 24 * 3_600_000);
        for _ in 0..10_000 {
            let Some(next) = self.queue.iter().map(|e| e.next_attempt).min() else { break };
            if next > limit {
                break;
            }
            let step = next.0.saturating_sub(self.now.0);
            self.advance(step);
        }
    }

    fn attempt(&mut self, mut entry: QueueEntry) {
        entry.attempts = entry.attempts.saturating_add(1);
        // Recipients by domain, in domain order (a sorted list: few domains, and
        // no map code of its own in the page).
        let mut by_domain: Vec<(String, Vec<String>)> = Vec::new();
        for r in &entry.recipients {
            let domain = r.rsplit_once('@').map_or("", |(_, d)| d).to_ascii_lowercase();
            match by_domain.binary_search_by(|(d, _)| d.cmp(&domain)) {
                Ok(at) => by_domain[at].1.push(r.clone()),
                Err(at) => by_domain.insert(at, (domain, vec![r.clone()])),
            }
        }
        // Per recipient: why it waits, and the world's own reason when no server
        // could be reached (shown in the learner's language).
        let mut deferred: Vec<(String, String, Option<WorldError>)> = Vec::new();
        let mut failed: Vec<FailedRecipient> = Vec::new();
        for (domain, rcpts) in by_domain {
            // The host's own accounts (a bounce that found no room): stored here, no SMTP.
            if let Some(index) = self.host_index(&entry.host)
                && self.hosts[index].is_local_domain(&domain)
            {
                for r in rcpts {
                    match self.deliver_own(index, &entry.reverse_path, &r, &entry.message) {
                        Ok(_) => {}
                        Err(e @ mail_lab_store::StoreError::OverQuota(_)) => {
                            deferred.push((r, format!("4.2.2 {e}"), None))
                        }
                        Err(e) => failed.push(FailedRecipient {
                            recipient: r,
                            status: "5.1.1".into(),
                            diagnostic: format!("x-lab; {e}"),
                            remote_mta: None,
                            original_recipient: None,
                        }),
                    }
                }
                continue;
            }
            let records = self.mx(&domain).to_vec();
            let mut exchanges: Vec<String> = match records.iter().find(|(_, h)| h.eq_ignore_ascii_case(&entry.host)) {
                // RFC 5321 §5.1: drop ourselves and every MX no better than us,
                // or a backup MX would relay to itself forever.
                Some((own, _)) => records.iter().filter(|(p, _)| p < own).map(|(_, h)| h.clone()).collect(),
                None => records.iter().map(|(_, h)| h.clone()).collect(),
            };
            if records.is_empty() && self.host(&domain).is_some() {
                exchanges.push(domain.clone()); // RFC 5321 §5.1: no MX, use the A record
            }
            let hops = mail_lab_message::header_fields(&entry.message)
                .iter()
                .filter(|f| f.name.eq_ignore_ascii_case("Received"))
                .count();
            if hops > MAX_HOPS {
                for r in rcpts {
                    failed.push(FailedRecipient {
                        recipient: r,
                        status: "5.4.6".into(),
                        diagnostic: format!("x-lab; mail loop: {hops} Received lines (more than {MAX_HOPS} hops)"),
                        remote_mta: None,
                        original_recipient: None,
                    });
                }
                continue;
            }
            if exchanges.is_empty() && !records.is_empty() {
                deferred.extend(
                    rcpts.into_iter().map(|r| {
                        (r, format!("{} is the best MX for {domain}; no better host answers", entry.host), None)
                    }),
                );
                continue;
            }
            if exchanges.is_empty() {
                for r in rcpts {
                    failed.push(FailedRecipient {
                        recipient: r,
                        status: "5.1.2".into(),
                        diagnostic: format!("x-lab; no MX or A record for domain {domain}"),
                        remote_mta: None,
                        original_recipient: None,
                    });
                }
                continue;
            }
            let mut last = String::from("no mail exchanger answered");
            let mut last_unreachable = None;
            let mut answered = None;
            for mx in &exchanges {
                match self.relay_once(&entry, mx, &rcpts) {
                    Try::Unreachable(why, error) => (last, last_unreachable) = (why, error),
                    Try::Answered(outcomes) => {
                        answered = Some((mx.clone(), outcomes));
                        break;
                    }
                }
            }
            let Some((mx, outcomes)) = answered else {
                deferred.extend(rcpts.into_iter().map(|r| (r, last.clone(), last_unreachable.clone())));
                continue;
            };
            for (rcpt, outcome) in outcomes {
                match outcome {
                    Outcome::Delivered(_) => self.log(EventKind::Relayed {
                        queue_id: entry.id.clone(),
                        from: entry.host.clone(),
                        to: mx.clone(),
                        recipient: rcpt,
                    }),
                    Outcome::Deferred(reply) => {
                        deferred.push((rcpt, format!("{mx} said: {}", reply_text(&reply)), None))
                    }
                    Outcome::Bounced(reply) => failed.push(FailedRecipient {
                        recipient: rcpt,
                        status: status_of(&reply, "5.0.0"),
                        diagnostic: format!("smtp; {}", reply_text(&reply)),
                        remote_mta: Some(mx.clone()),
                        original_recipient: None,
                    }),
                }
            }
        }
        let max_attempts = self.host(&entry.host).map_or(5, |h| h.max_delivery_attempts);
        if !deferred.is_empty() && entry.attempts >= max_attempts {
            for (rcpt, why, _) in deferred.drain(..) {
                failed.push(FailedRecipient {
                    recipient: rcpt,
                    status: "4.4.7".into(),
                    diagnostic: format!("x-lab; gave up after {} attempts; last error: {why}", entry.attempts),
                    remote_mta: None,
                    original_recipient: None,
                });
            }
        }
        if !failed.is_empty() {
            self.bounce(&entry, &failed);
        }
        // NOTIFY=DELAY: one report when the message first has to wait (RFC 3461 §4.1).
        let mut delayed = Vec::new();
        for (r, why, _) in &deferred {
            if entry.attempts == 1 && entry.dsn.wants(r, "DELAY") {
                delayed.push(FailedRecipient {
                    recipient: r.clone(),
                    status: "4.0.0".into(),
                    diagnostic: format!("x-lab; {why}"),
                    ..Default::default()
                });
            }
        }
        if !delayed.is_empty() {
            self.report(&entry, delayed, ReportAction::Delayed);
        }
        if !deferred.is_empty() {
            let wait = RETRY_MINUTES[(entry.attempts as usize - 1).min(RETRY_MINUTES.len() - 1)];
            entry.next_attempt = self.now.plus_millis(wait * 60_000);
            entry.last_error = deferred.first().map(|(_, why, _)| why.clone());
            let unreachable = deferred.first().and_then(|(_, _, e)| e.clone());
            entry.recipients = deferred.into_iter().map(|(r, ..)| r).collect();
            self.log(EventKind::Deferred {
                queue_id: entry.id.clone(),
                host: entry.host.clone(),
                recipients: entry.recipients.clone(),
                next_attempt: entry.next_attempt,
                reason: entry.last_error.clone().unwrap_or_default(),
                unreachable,
            });
            self.queue.push(entry);
        }
    }

    /// One SMTP conversation from the queue's host to `mx` for `rcpts`.
    fn relay_once(&mut self, entry: &QueueEntry, mx: &str, rcpts: &[String]) -> Try {
        let conn = match self.connect(&entry.host, mx, 25) {
            Ok(conn) => conn,
            Err(e) => return Try::Unreachable(e.to_string(), Some(e)),
        };
        self.log(EventKind::RelayAttempt {
            queue_id: entry.id.clone(),
            from: entry.host.clone(),
            to: mx.to_string(),
            connection: conn,
            attempt: entry.attempts,
        });
        let mut config = ClientConfig::relay(&entry.host);
        config.tls = ClientTls::IfOffered;
        let message = OutgoingMessage {
            reverse_path: entry.reverse_path.clone(),
            recipients: rcpts.to_vec(),
            data: entry.message.clone(),
            dsn: entry.dsn.for_recipients(rcpts),
        };
        let mut client = SmtpClient::new(config, message);
        let now = self.now;
        let greeting = self.take_output(conn);
        if greeting.first() == Some(&b'4') {
            // A busy server at greeting: try the next MX (RFC 5321 §5.1).
            self.disconnect(conn);
            return Try::Unreachable(format!("{mx} said: {}", String::from_utf8_lossy(&greeting).trim_end()), None);
        }
        client.receive(&greeting, &mut (), now);
        self.pump(conn, &mut client);
        if !client.is_done() {
            client.connection_lost();
        }
        self.disconnect(conn);
        Try::Answered(client.outcomes())
    }

    /// Send a bounce for `failed` to the entry's reverse-path, unless it is null
    /// or the sender asked for none (NOTIFY=NEVER, or a NOTIFY without FAILURE).
    fn bounce(&mut self, entry: &QueueEntry, failed: &[FailedRecipient]) {
        let recipients: Vec<String> = failed.iter().map(|f| f.recipient.clone()).collect();
        if entry.reverse_path.is_empty() {
            // RFC 5321 §4.5.5: a bounce is never bounced.
            self.log(EventKind::BounceDiscarded { queue_id: entry.id.clone(), recipients, not_wanted: false });
            return;
        }
        let mut wanted = Vec::new();
        let mut not_wanted = Vec::new();
        for f in failed {
            if entry.dsn.wants(&f.recipient, "FAILURE") {
                wanted.push(f.clone());
            } else {
                not_wanted.push(f.recipient.clone());
            }
        }
        if !not_wanted.is_empty() {
            self.log(EventKind::BounceDiscarded {
                queue_id: entry.id.clone(),
                recipients: not_wanted,
                not_wanted: true,
            });
        }
        if !wanted.is_empty() {
            self.report(entry, wanted, ReportAction::Failed);
        }
    }

    /// Send a delivery status notification about `about` (with the sender's ORCPT,
    /// ENVID and RET) to the entry's reverse-path, from the null reverse-path.
    fn report(&mut self, entry: &QueueEntry, about: Vec<FailedRecipient>, action: ReportAction) {
        self.bounce_seq = self.bounce_seq.saturating_add(1);
        let id = format!("B{}", self.bounce_seq);
        let (message, recipients) = report_message(entry, &id, about, action, self.now);
        let (queue_id, host, to) = (entry.id.clone(), entry.host.clone(), entry.reverse_path.clone());
        self.log(match action {
            ReportAction::Failed => EventKind::Bounced { queue_id, bounce_id: id.clone(), host, to, recipients },
            _ => EventKind::Reported {
                queue_id,
                report_id: id.clone(),
                host,
                to,
                delayed: action == ReportAction::Delayed,
                recipients,
            },
        });
        self.submit_from_host(&entry.host, &id, "", std::slice::from_ref(&entry.reverse_path), message);
    }

    /// A message a host itself sends (bounces): local recipients get it at
    /// once, remote ones through the queue.
    pub(crate) fn submit_from_host(
        &mut self,
        host: &str,
        id: &str,
        reverse_path: &str,
        recipients: &[String],
        message: Vec<u8>,
    ) {
        let Some(index) = self.host_index(host) else { return };
        let mut remote = Vec::new();
        for r in recipients {
            let domain = r.rsplit_once('@').map_or("", |(_, d)| d);
            // A local user whose mailbox cannot take it now (full, or no such
            // account) gets it through the queue, which retries or gives up
            // as for any recipient, and says so.
            if !self.hosts[index].is_local_domain(domain) || self.deliver_own(index, reverse_path, r, &message).is_err()
            {
                remote.push(r.clone());
            }
        }
        if !remote.is_empty() {
            self.enqueue(QueueEntry::new(id, host, reverse_path, remote, message, self.now));
        }
    }

    /// Store a message a host sends itself into one of its accounts' INBOX.
    fn deliver_own(
        &mut self,
        index: usize,
        reverse_path: &str,
        recipient: &str,
        message: &[u8],
    ) -> Result<u32, mail_lab_store::StoreError> {
        let host = &mut self.hosts[index];
        // No SMTP crossed, but the envelope is what the host gave itself:
        // the null reverse-path of a bounce is what the inspector must show.
        let envelope = mail_lab_message::Envelope {
            reverse_path: reverse_path.to_string(),
            forward_paths: vec![recipient.to_string()],
            mail_parameters: Vec::new(),
            rcpt_parameters: vec![Vec::new()],
            helo: host.name.clone(),
            client_address: host.address.clone(),
        };
        let target = (recipient, mail_lab_store::INBOX);
        crate::backend::deliver_local(host, &mut self.events, self.now, target, reverse_path, message, Some(envelope))
    }

    pub(crate) fn enqueue(&mut self, entry: QueueEntry) {
        self.log(EventKind::Queued {
            queue_id: entry.id.clone(),
            host: entry.host.clone(),
            recipients: entry.recipients.clone(),
        });
        self.queue.push(entry);
    }
}

/// A delivery status notification from `entry`'s host about `about` (each with
/// the sender's ORCPT), with its ENVID and RET; and the recipients it names.
pub(crate) fn report_message(
    entry: &QueueEntry,
    id: &str,
    mut about: Vec<FailedRecipient>,
    action: ReportAction,
    now: Time,
) -> (Vec<u8>, Vec<String>) {
    let mut recipients = Vec::new();
    for f in &mut about {
        f.original_recipient = entry.dsn.orcpt(&f.recipient).map(str::to_string);
        recipients.push(f.recipient.clone());
    }
    let message = bounce_message(&Bounce {
        reporting_mta: &entry.host,
        to: &entry.reverse_path,
        date: &now.rfc5322(),
        arrival_date: &entry.arrived.rfc5322(),
        id,
        failed: &about,
        original: &entry.message,
        action,
        envid: entry.dsn.envid.as_deref(),
        full: entry.dsn.full(),
    });
    (message, recipients)
}
