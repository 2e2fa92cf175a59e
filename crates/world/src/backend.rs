//! How a host answers its engines: recipients, local delivery (MDA), VRFY,
//! logins, POP3 maildrops and POP-before-SMTP windows.

use mail_lab_proto::sorted::SortedSet;

use mail_lab_auth::spf::{self, SpfResult, StepKind};
use mail_lab_imap::ImapBackend;
use mail_lab_pop3::{MaildropEntry, MaildropError, Pop3Backend};
use mail_lab_proto::Time;
use mail_lab_proto::sasl::Proof;
use mail_lab_smtp::grammar::{ForwardPath, Mailbox};
use mail_lab_smtp::{Delivery, DsnRequest, RcptContext, RelayPolicy, Reply, SmtpBackend};
use mail_lab_store::INBOX;

use mail_lab_message::Envelope;
use mail_lab_message::dsn::{FailedRecipient, ReportAction};
use mail_lab_store::StoreError;

use crate::queue::QueueEntry;
use crate::{EventKind, EventLog, Fault, Host};

/// A host's view handed to an engine for one call.
pub(crate) struct HostBackend<'a> {
    pub host: &'a mut Host,
    pub events: &'a mut EventLog,
    pub now: Time,
    pub client_address: &'a str,
    /// The connection being served (for login events).
    pub connection: crate::ConnectionId,
    /// The link is inside TLS (for login events).
    pub tls: bool,
    /// Messages accepted for other hosts; the world puts them in the queue.
    pub queued: &'a mut Vec<QueueEntry>,
    /// Set by an injected fault: the world drops the link instead of answering.
    pub drop_link: &'a mut bool,
    /// The world's queues are at [`crate::queue::QUEUE_LIMIT`]: mail for other
    /// hosts is refused for now.
    pub queue_full: bool,
    /// The world's DNS, when this service checks SPF ([`crate::Policy::SpfCheck`]).
    pub spf: Option<crate::dns::WorldDns<'a>>,
    /// Every host's DKIM keys; this host signs with its own.
    #[cfg(feature = "dkim")]
    pub dkim_keys: &'a [crate::DkimKey],
    /// Every host's mailing lists; this host runs its own.
    #[cfg(feature = "dkim")]
    pub mailing_lists: &'a [crate::MailingList],
}

/// The header fields a signature covers, when the message has them.
#[cfg(feature = "dkim")]
const SIGNED_FIELDS: [&str; 9] =
    ["From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"];

/// Fields signed once more than the message has them (oversigning).
#[cfg(feature = "dkim")]
const OVERSIGNED_FIELDS: [&str; 5] = ["From", "To", "Cc", "Subject", "Date"];

/// The folder DMARC's quarantine delivers to.
#[cfg(feature = "dmarc")]
const JUNK: &str = "Junk";

/// Most distinct author domains one message's From: may name (each is one
/// DMARC lookup); more is refused.
#[cfg(feature = "dmarc")]
const MAX_FROM_DOMAINS: usize = 10;

/// The message as this host received it: without the `Received:` field the
/// host put on top (its queue id and time differ each time), so DMARC's
/// `pct=` draw is the same when the same octets come again. (Mail relayed by
/// another MTA carries that MTA's own trace fields: a resend through it draws anew.)
#[cfg(feature = "dmarc")]
fn as_sent(message: &[u8]) -> &[u8] {
    if !message.get(..9).is_some_and(|name| name.eq_ignore_ascii_case(b"Received:")) {
        return message;
    }
    &message[field_end(message, 0, message.len())..]
}

/// Where the header field that starts at `start` ends, at most at `end`:
/// after its first line and every continuation line.
#[cfg(feature = "dmarc")]
fn field_end(message: &[u8], start: usize, end: usize) -> usize {
    let mut next = start;
    loop {
        next = message[next..end].iter().position(|b| *b == b'\n').map_or(end, |i| next + i + 1);
        if next >= end || !matches!(message[next], b' ' | b'\t') {
            return next;
        }
    }
}

/// The `List-Id:` value of `list` (RFC 2919): its address with `.` for `@`.
#[cfg(feature = "dkim")]
fn list_id(list: &crate::MailingList) -> String {
    format!("<{}>", list.address.replacen('@', ".", 1))
}

/// Whether `message` came through `list` already (a loop through an alias
/// elsewhere that leads back to it).
#[cfg(feature = "dkim")]
fn been_through(list: &crate::MailingList, message: &[u8]) -> bool {
    let id = list_id(list);
    mail_lab_message::header_fields(message)
        .iter()
        .any(|f| f.name.eq_ignore_ascii_case("List-Id") && f.value.trim().eq_ignore_ascii_case(&id))
}

/// A list's copy of `message` (RFC 2369, RFC 2919): `List-Id:` and
/// `List-Post:` at the end of the header, and the list's tag before the
/// Subject unless it is there already (a reply to the list keeps one tag).
#[cfg(feature = "dkim")]
fn list_copy(list: &crate::MailingList, message: &[u8]) -> (Vec<u8>, bool) {
    let header_end = message.windows(4).position(|w| w == b"\r\n\r\n").map_or(message.len(), |i| i + 2);
    let mut copy = message.to_vec();
    // A message of header fields only may end without CRLF (BDAT allows it).
    let open = header_end == message.len() && !message.ends_with(b"\n");
    let fields = format!(
        "{}List-Id: {}\r\nList-Post: <mailto:{}>\r\n",
        if open { "\r\n" } else { "" },
        list_id(list),
        list.address
    );
    copy.splice(header_end..header_end, fields.into_bytes());
    let mut tagged = false;
    let mut start = 0;
    while !list.subject_tag.is_empty() && start < header_end {
        let end = field_end(message, start, header_end);
        if message[start..].get(..8).is_some_and(|n| n.eq_ignore_ascii_case(b"Subject:")) {
            let value = &message[start + 8..end];
            let tag = list.subject_tag.as_bytes();
            if !value.windows(tag.len()).any(|w| w.eq_ignore_ascii_case(tag)) {
                let at = start + 8 + value.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
                copy.splice(at..at, [tag, b" "].concat());
                tagged = true;
            }
            break;
        }
        start = end;
    }
    (copy, tagged)
}

/// The domains of the From: field's addresses, lower case, each once: `None`
/// without a From: field, an error when one has an address DMARC cannot use.
#[cfg(feature = "dmarc")]
fn from_domains(message: &[u8]) -> Option<Result<Vec<String>, String>> {
    use mail_lab_message::address::{AddressItem, address_list};
    let fields = mail_lab_message::header_fields(message);
    let mut froms = fields.iter().filter(|f| f.name.eq_ignore_ascii_case("From")).peekable();
    froms.peek()?;
    let mut domains: Vec<String> = Vec::new();
    for field in froms {
        for item in address_list(&field.value) {
            let AddressItem::Mailbox { domain, .. } = item else { continue };
            let Some(domain) = domain else { return Some(Err("a From: address has no domain".into())) };
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            // A quoted or literal domain names no DNS zone: it would skip
            // DMARC, or carry text into our Authentication-Results.
            if !mail_lab_auth::is_dns_name(&domain) {
                return Some(Err("a From: address's domain is not a domain name".into()));
            }
            if !domains.contains(&domain) {
                domains.push(domain);
            }
            if domains.len() > MAX_FROM_DOMAINS {
                return Some(Err(format!("From: names more than {MAX_FROM_DOMAINS} domains")));
            }
        }
    }
    if domains.is_empty() {
        return Some(Err("the From: field holds no address".into()));
    }
    Some(Ok(domains))
}

/// What the checks after SPF found (feature `dmarc`; nothing without it).
struct Others {
    /// `Authentication-Results:` clauses, each starting with `;`.
    clauses: String,
    /// Where local copies go.
    folder: &'static str,
    /// Something vouches for the message although SPF failed: a DKIM pass
    /// for the envelope's domain.
    vouched: bool,
}

/// Take out every `Authentication-Results:` field whose authserv-id is
/// `host` (a final dot aside) from the message's header section: the fields
/// split and the id read as the inspector does. One pass, so a message of
/// many such fields costs its length. Returns how many it took out.
fn remove_results_of(message: &mut Vec<u8>, host: &str) -> usize {
    let forged = mail_lab_message::header_fields(message).into_iter().filter(|f| {
        f.name.eq_ignore_ascii_case("Authentication-Results")
            && mail_lab_message::auth_results::parse(&f.value)
                .authserv_id
                .trim_end_matches('.')
                .eq_ignore_ascii_case(host)
    });
    let mut kept = Vec::new();
    let (mut start, mut removed) = (0, 0);
    for field in forged {
        kept.extend_from_slice(&message[start..field.offset]);
        start = field.offset + field.len;
        removed += 1;
    }
    if start > 0 {
        kept.extend_from_slice(&message[start..]);
        *message = kept;
    }
    removed
}

/// `text` as an RFC 5322 quoted-string.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars().filter(|c| !c.is_control()) {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `text` as it is when it is a dot-atom, quoted otherwise.
fn value(text: &str) -> String {
    let atom = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.@".contains(c);
    if !text.is_empty() && text.chars().all(atom) { text.to_string() } else { quoted(text) }
}

/// What decided an SPF result, in a line: the record's explanation of a
/// fail, the error, or the term that matched.
fn spf_reason(verdict: &spf::Verdict) -> String {
    if let Some(explanation) = &verdict.explanation {
        return explanation.clone();
    }
    let decisive = verdict.trace.iter().rev().find(|s| !matches!(s.what, StepKind::Term { matched: false, .. }));
    match decisive.map(|s| (&s.what, &s.domain)) {
        Some((StepKind::Error(why), _)) => why.clone(),
        Some((StepKind::Term { term, .. }, domain)) => format!("{term} in the record of {domain} matched"),
        Some((StepKind::NoMatch, domain)) => format!("no term of {domain}'s record matched"),
        _ => format!("{} publishes no SPF record", verdict.domain),
    }
}

/// The MDA: store a message in an account's folder (INBOX, or Junk when
/// DMARC quarantines it) with `Return-Path:` on top
/// (RFC 5321 §4.4) and log the delivery.
pub(crate) fn deliver_local(
    host: &mut Host,
    events: &mut EventLog,
    now: Time,
    (account, folder): (&str, &str),
    reverse_path: &str,
    message: &[u8],
    envelope: Option<Envelope>,
) -> Result<u32, StoreError> {
    let mut raw = format!("Return-Path: <{reverse_path}>\r\n").into_bytes();
    raw.extend_from_slice(message);
    let uid = host.store.append(account, folder, raw, SortedSet::new(), now, envelope)?;
    let account = host.store.account(account).map_or_else(|| account.to_string(), |a| a.address.clone());
    events.push(now, EventKind::Delivered { host: host.name.clone(), account, folder: folder.to_string(), uid });
    Ok(uid)
}

/// A store that refused for another reason: the sender may try again.
fn local_error(e: StoreError) -> Reply {
    Reply::new(451, "4.3.0", format!("Local error in processing: {e}"))
}

/// A temporary refusal for a full mailbox (RFC 3463 X.2.2): its owner may
/// delete mail, and the sending MTA tries again.
fn mailbox_full(e: StoreError) -> Reply {
    Reply::new(452, "4.2.2", e.to_string())
}

impl<'a> HostBackend<'a> {
    /// Local accounts (each with the folder its copy goes to) and remote
    /// addresses for `targets`; nothing is stored yet.
    #[allow(clippy::type_complexity)]
    fn resolve(&mut self, targets: &[String], folder: &str) -> Result<(Vec<(String, String)>, Vec<String>), Reply> {
        let mut accounts = Vec::new();
        let mut remote = Vec::new();
        for path in targets {
            let local = path.eq_ignore_ascii_case("Postmaster")
                || path.rsplit_once('@').is_some_and(|(_, d)| self.host.is_local_domain(d));
            // One copy per mailbox, however many recipients and aliases name it
            // (as Postfix's duplicate filter does).
            if !local {
                // The engine allowed this relay; the MTA queue takes it. Only the
                // domain's case is ours to fold: the local part is the other host's
                // to interpret (RFC 5321 §2.4).
                if !remote.iter().any(|r: &String| same_remote(r, path)) {
                    remote.push(path.clone());
                }
                continue;
            }
            let path = match path.rsplit_once('@') {
                Some((l, d)) => ForwardPath::Mailbox(Mailbox { local_part: l.into(), domain: d.into() }),
                None => ForwardPath::Postmaster,
            };
            let account = self.local_account(&path).map_err(|r| Reply::new(451, "4.3.0", r.lines.join(" ")))?;
            if !accounts.iter().any(|(a, _)| *a == account) {
                accounts.push((account, folder.to_string()));
            }
        }
        // Quarantine: each recipient's Junk folder is found (or made) before
        // the first copy is stored.
        #[cfg(feature = "dmarc")]
        if folder == JUNK {
            for (account, folder) in &mut accounts {
                *folder = self.junk_folder(account)?;
            }
        }
        Ok((accounts, remote))
    }

    /// Store one copy for `accounts` here and queue it for `remote`.
    fn store_copy(
        &mut self,
        id: &str,
        envelope: &Envelope,
        message: Vec<u8>,
        accounts: Vec<(String, String)>,
        remote: Vec<String>,
    ) -> Result<(), Reply> {
        let dsn = DsnRequest::from_parameters(
            &envelope.mail_parameters,
            envelope.forward_paths.iter().map(String::as_str).zip(envelope.rcpt_parameters.iter().map(Vec::as_slice)),
        );
        for (account, folder) in accounts {
            deliver_local(
                self.host,
                self.events,
                self.now,
                (&account, &folder),
                &envelope.reverse_path,
                &message,
                Some(envelope.clone()),
            )
            .map_err(local_error)?;
        }
        // NOTIFY=SUCCESS for a mailbox stored here: a report that it was (RFC 3461 §4.1).
        // An alias is not a mailbox: it is expanded, and no "delivered" is said of it.
        let mut delivered = Vec::new();
        for p in &envelope.forward_paths {
            if !remote.contains(p) && self.alias(p).is_none() && dsn.wants(p, "SUCCESS") {
                delivered.push(FailedRecipient {
                    recipient: p.clone(),
                    status: "2.0.0".into(),
                    diagnostic: format!("x-lab; delivered to the mailbox on {}", self.host.name),
                    ..Default::default()
                });
            }
        }
        let mut entry = QueueEntry::new(id, &self.host.name, &envelope.reverse_path, remote, message, self.now);
        entry.dsn = dsn;
        if !delivered.is_empty() && !entry.reverse_path.is_empty() {
            // Sent as every report is: from the null reverse-path, through the queue.
            let report_id = format!("{id}-dsn");
            let (report, recipients) =
                crate::queue::report_message(&entry, &report_id, delivered, ReportAction::Delivered, self.now);
            self.log(EventKind::Reported {
                queue_id: id.to_string(),
                report_id: report_id.clone(),
                host: self.host.name.clone(),
                to: entry.reverse_path.clone(),
                delayed: false,
                recipients,
            });
            let to = vec![entry.reverse_path.clone()];
            self.queued.push(QueueEntry::new(&report_id, &self.host.name, "", to, report, self.now));
        }
        if !entry.recipients.is_empty() {
            entry.dsn = entry.dsn.for_recipients(&entry.recipients);
            self.queued.push(entry);
        }
        Ok(())
    }

    /// Sender authentication at the end of DATA, when the host checks it: SPF,
    /// with feature `dmarc` DMARC, and with `dkim` DKIM. A refusal is the reply; else the
    /// results go on top of the message, above the `Received:` line, as
    /// `Authentication-Results:` and `Received-SPF:`, and the answer is the
    /// folder local copies go to (Junk when DMARC says quarantine).
    fn check_sender(&mut self, delivery: &mut Delivery) -> Result<&'static str, Reply> {
        let Some(dns) = self.spf else { return Ok(INBOX) };
        let envelope = &delivery.envelope;
        // Every client of the world and of the native server has an IP address.
        let Ok(ip) = envelope.client_address.parse() else { return Ok(INBOX) };
        // Clients this host already trusts are not checked: its own domains'
        // other MX hosts (a backup MX passing mail on), its relay networks and
        // POP-before-SMTP windows, as a real MTA permits them before SPF.
        let client = envelope.client_address.as_str();
        let trusted_network =
            matches!(&self.host.mx.relay, RelayPolicy::Addresses(list) if list.iter().any(|a| a == client));
        let open_window = self.host.relay_windows.get(client).is_some_and(|until| *until > self.now);
        let our_mx = self.host.domains.iter().any(|d| {
            let exchanges = dns.mx.get(&d.to_ascii_lowercase());
            exchanges.is_some_and(|list| list.iter().any(|(_, x)| dns.a.get(x).is_some_and(|a| a == client)))
        });
        if trusted_network || open_window || our_mx {
            return Ok(INBOX);
        }
        let query = spf::Query {
            ip,
            mail_from: &envelope.reverse_path,
            helo: &envelope.helo,
            receiver: &self.host.name,
            now: self.now,
        };
        let mut logged = crate::dns::Logged { dns, lookups: Vec::new(), unlogged: 0 };
        let verdict = spf::check_mail_from(&mut logged, &query);
        let sender = if envelope.reverse_path.is_empty() {
            format!("postmaster@{}", envelope.helo)
        } else {
            envelope.reverse_path.clone()
        };
        let why = spf_reason(&verdict);
        self.log(EventKind::SpfChecked {
            host: self.host.name.clone(),
            client: envelope.client_address.clone(),
            domain: verdict.domain.clone(),
            result: verdict.result.as_str().to_string(),
            why: why.clone(),
            lookups: logged.lookups,
        });
        let domain = &verdict.domain;
        if verdict.result == SpfResult::TempError {
            return Err(Reply::new(451, "4.7.24", format!("SPF temperror for {domain} ({why}); try again later")));
        }
        #[cfg(feature = "dmarc")]
        let others = self.check_dkim_and_dmarc(dns, &delivery.message, &verdict)?;
        #[cfg(not(feature = "dmarc"))]
        let others = Others { clauses: String::new(), folder: INBOX, vouched: false };
        let ip = &envelope.client_address;
        let comment = match verdict.result {
            // A signature that passed for the envelope's domain vouches for
            // the message where SPF cannot (forwarded mail):
            // RFC 7489 §10.1 advises against refusing on an SPF fail before
            // DKIM and DMARC have had their say.
            SpfResult::Fail if !others.vouched => {
                return Err(Reply::new(
                    550,
                    "5.7.23",
                    format!("SPF fail: {domain} does not authorise {ip} to send its mail ({why})"),
                ));
            }
            SpfResult::Fail => format!("domain of {sender} does not designate {ip} as permitted sender"),
            SpfResult::Pass => format!("domain of {sender} designates {ip} as permitted sender"),
            SpfResult::SoftFail => {
                format!("transitioning domain of {sender} does not designate {ip} as permitted sender")
            }
            SpfResult::Neutral => format!("{ip} is neither permitted nor denied by domain of {sender}"),
            SpfResult::None => format!("domain of {sender} does not designate permitted sender hosts"),
            SpfResult::PermError | SpfResult::TempError => format!("error in processing during lookup of {sender}"),
        };
        // Authentication-Results (RFC 8601 §2.2) on top, for the MUA; Received-SPF
        // (RFC 7208 §9.1) under it, with the comment a person reads.
        let (host, result) = (&self.host.name, verdict.result.as_str());
        // Values are quoted strings unless they are plain dot-atoms (RFC 7208 §9.1):
        // a quoted local part or an address literal HELO must not break the field.
        let (from, helo) = (quoted(&sender), value(&envelope.helo));
        let fields = format!(
            "Authentication-Results: {host};\r\n\tspf={result} smtp.mailfrom={}{}\r\n\
             Received-SPF: {result} ({host}: {})\r\n\treceiver={host}; client-ip={ip}; envelope-from={from}; helo={helo}; identity=mailfrom;\r\n",
            value(&sender),
            others.clauses,
            comment.replace(['(', ')', '\\'], "")
        );
        delivery.message.splice(0..0, fields.into_bytes());
        Ok(others.folder)
    }

    /// DKIM's verdicts and DMARC's, after SPF: the `Authentication-Results:`
    /// clauses they add (none for a message with no signature from a domain
    /// with no DMARC record), and the folder. A From: DMARC cannot read (an
    /// address without a domain) is refused whatever the records say (RFC 7489
    /// §6.6.1). A DMARC `reject` is the 550 5.7.1 reply, a DMARC
    /// `temperror` 451.
    #[cfg(feature = "dmarc")]
    fn check_dkim_and_dmarc(
        &mut self,
        dns: crate::dns::WorldDns<'_>,
        message: &[u8],
        spf: &spf::Verdict,
    ) -> Result<Others, Reply> {
        use mail_lab_auth::dmarc;
        // Without feature `dkim`, DMARC has SPF alone to go on.
        #[cfg(feature = "dkim")]
        let (clauses, passes, temp_errors) = self.check_dkim(&mut { dns }, message);
        #[cfg(not(feature = "dkim"))]
        let (clauses, passes, temp_errors): (_, Vec<String>, Vec<String>) = (String::new(), Vec::new(), Vec::new());
        // DMARC's questions go on the wiretap, as SPF's do (a domain with no
        // record too: the learner sees where the receiver looked).
        let mut logged = crate::dns::Logged { dns, lookups: Vec::new(), unlogged: 0 };
        let vouched = passes.iter().any(|d| dmarc::aligned(&spf.domain, d, false));
        let mut others = Others { clauses, folder: INBOX, vouched };
        let domains = match from_domains(message) {
            None => return Ok(others),
            Some(Ok(domains)) => domains,
            Some(Err(why)) => {
                let reply = Reply::new(550, "5.7.1", format!("DMARC: {why}, so its author cannot be checked"));
                self.log(EventKind::DmarcChecked {
                    host: self.host.name.clone(),
                    from_domain: String::new(),
                    result: "permerror".into(),
                    action: "reject".into(),
                    why,
                    lookups: Vec::new(),
                });
                return Err(reply);
            }
        };
        let (mut reject, mut defer) = (None, None);
        // One draw per message, whichever author domains it names.
        let draw = dmarc::draw(as_sent(message));
        for from_domain in domains {
            let inputs = dmarc::Inputs {
                from_domain: &from_domain,
                spf: (spf.result, &spf.domain),
                dkim_passes: &passes,
                dkim_temp_errors: &temp_errors,
                draw,
            };
            let verdict = dmarc::check(&mut logged, &inputs);
            let lookups = std::mem::take(&mut logged.lookups);
            logged.unlogged = 0;
            let action = match (verdict.result, verdict.disposition) {
                (dmarc::DmarcResult::TempError, _) => {
                    defer = Some((from_domain.clone(), verdict.why.clone()));
                    "defer"
                }
                (_, dmarc::Disposition::Reject) => {
                    reject = Some((from_domain.clone(), verdict.why.clone()));
                    "reject"
                }
                (_, dmarc::Disposition::Quarantine) => {
                    others.folder = JUNK;
                    "junk"
                }
                (_, dmarc::Disposition::None) => "deliver",
            };
            self.log(EventKind::DmarcChecked {
                host: self.host.name.clone(),
                from_domain: from_domain.clone(),
                result: verdict.result.as_str().to_string(),
                action: action.to_string(),
                why: verdict.why.clone(),
                lookups,
            });
            // No record, no clause: the event above shows the questions asked.
            if verdict.result == dmarc::DmarcResult::None {
                continue;
            }
            // The record's policy and what was done, as a comment (RFC 8601
            // registers only header.from for dmarc).
            let comment = verdict.policy.map_or(String::new(), |(tag, policy)| {
                format!(" ({tag}={} dis={})", policy.as_str(), verdict.disposition.as_str())
            });
            others.clauses.push_str(&format!(
                ";\r\n\tdmarc={}{comment} header.from={}",
                verdict.result.as_str(),
                value(&from_domain)
            ));
        }
        if let Some((domain, why)) = reject {
            return Err(Reply::new(550, "5.7.1", format!("DMARC: rejected by the policy for {domain} ({why})")));
        }
        if let Some((domain, why)) = defer {
            return Err(Reply::new(451, "4.7.1", format!("DMARC for {domain}: {why}; try again later")));
        }
        Ok(others)
    }

    /// Every DKIM signature's verdict: the Authentication-Results clauses, and
    /// the domains that passed and that had a temporary error.
    #[cfg(feature = "dkim")]
    fn check_dkim(&mut self, dns: &mut crate::dns::WorldDns<'_>, message: &[u8]) -> (String, Vec<String>, Vec<String>) {
        use mail_lab_auth::dkim;
        let mut clauses = String::new();
        let (mut passes, mut temp_errors) = (Vec::new(), Vec::new());
        // The key questions go on the wiretap, each with the signature that asked it.
        let mut logged = crate::dns::Logged { dns: *dns, lookups: Vec::new(), unlogged: 0 };
        let verdicts = dkim::verify(&mut logged, message, self.now);
        for v in verdicts {
            let key = format!("{}._domainkey.{} ", v.selector, v.domain);
            let lookups = logged.lookups.iter().filter(|(q, _)| q.starts_with(&key)).cloned().collect();
            match v.result {
                dkim::DkimResult::Pass => passes.push(v.domain.clone()),
                dkim::DkimResult::TempError => temp_errors.push(v.domain.clone()),
                _ => {}
            }
            let d = if v.domain.is_empty() { String::new() } else { format!(" header.d={}", value(&v.domain)) };
            let s = if v.selector.is_empty() { String::new() } else { format!(" header.s={}", value(&v.selector)) };
            clauses.push_str(&format!(";\r\n\tdkim={}{d}{s}", v.result.as_str()));
            self.log(EventKind::DkimChecked {
                host: self.host.name.clone(),
                domain: v.domain,
                selector: v.selector,
                result: v.result.as_str().to_string(),
                why: v.why,
                lookups,
            });
        }
        (clauses, passes, temp_errors)
    }

    /// With feature `dkim`, sign mail from an authenticated user whose From:
    /// is in a domain this host has a key for (the submission host signs).
    #[cfg(feature = "dkim")]
    fn sign(&mut self, delivery: &mut Delivery) {
        use base64::Engine as _;
        use mail_lab_auth::dkim;
        let Some(Ok(domains)) = from_domains(&delivery.message) else { return };
        let [domain] = domains.as_slice() else { return };
        let name = self.host.name.to_ascii_lowercase();
        let Some(key) = self.dkim_keys.iter().find(|k| k.host == name && k.domain == *domain) else { return };
        let Some(seed) =
            base64::engine::general_purpose::STANDARD.decode(&key.seed).ok().and_then(|s| <[u8; 32]>::try_from(s).ok())
        else {
            return;
        };
        // The fields a reader relies on, each once per instance; the ones a
        // forger would add (a second From:, a Cc:) once more, so that adding
        // one breaks the signature (RFC 6376 §8.15). Received: lines are added
        // hop by hop, so they are not signed.
        let present = mail_lab_message::header_fields(&delivery.message);
        let mut headers: Vec<&str> = Vec::new();
        for name in SIGNED_FIELDS {
            let count = present.iter().filter(|f| f.name.eq_ignore_ascii_case(name)).count();
            let extra = usize::from(OVERSIGNED_FIELDS.contains(&name));
            headers.extend(std::iter::repeat_n(name, count + extra));
        }
        let signer = dkim::Signer { domain: &key.domain, selector: &key.selector, seed, headers: &headers };
        let field = signer.sign(&delivery.message, self.now);
        delivery.message.splice(0..0, field.into_bytes());
        self.log(EventKind::DkimSigned {
            host: self.host.name.clone(),
            domain: key.domain.clone(),
            selector: key.selector.clone(),
            signed: headers.join(":").to_ascii_lowercase(),
        });
    }

    /// The account's folder for junk: the one marked `\Junk` (RFC 6154), or a
    /// new `Junk` marked so.
    #[cfg(feature = "dmarc")]
    fn junk_folder(&mut self, account: &str) -> Result<String, Reply> {
        let store = &mut self.host.store;
        let marked = store.account(account).and_then(|a| {
            a.folders.iter().find(|(_, f)| f.special_use.as_deref() == Some("\\Junk")).map(|(name, _)| name.clone())
        });
        if let Some(name) = marked {
            return Ok(name);
        }
        if store.folder(account, JUNK).is_none() {
            store.create_folder(account, JUNK).map_err(local_error)?;
        }
        store.set_special_use(account, JUNK, "\\Junk").map_err(local_error)?;
        Ok(JUNK.to_string())
    }

    fn log(&mut self, kind: EventKind) {
        self.events.push(self.now, kind);
    }

    fn log_login(&mut self, protocol: crate::Protocol, account: &str, proof: Proof) {
        self.log(EventKind::LoggedIn {
            connection: self.connection,
            host: self.host.name.clone(),
            client: self.client_address.to_string(),
            protocol,
            account: account.to_string(),
            proof,
            encrypted: self.tls,
        });
    }

    /// `user` or `user@domain` as a full address of this host.
    fn address_of(&self, user: &str) -> Option<String> {
        if user.contains('@') { Some(user.to_string()) } else { Some(format!("{user}@{}", self.host.domains.first()?)) }
    }

    /// The list this host runs at `address`, if there is one.
    #[cfg(feature = "dkim")]
    fn list(&self, address: &str) -> Option<&'a crate::MailingList> {
        let lists: &'a [crate::MailingList] = self.mailing_lists;
        lists.iter().find(|l| l.host.eq_ignore_ascii_case(&self.host.name) && l.address.eq_ignore_ascii_case(address))
    }

    /// Whether `address` is one this host expands: an alias, or a list it runs.
    fn expands(&self, address: &str) -> bool {
        #[cfg(feature = "dkim")]
        if self.list(address).is_some() {
            return true;
        }
        self.alias(address).is_some()
    }

    /// The members of a local alias, if `address` is one.
    fn alias(&self, address: &str) -> Option<&Vec<String>> {
        self.host.aliases.iter().find(|(a, _)| a.eq_ignore_ascii_case(address)).map(|(_, m)| m)
    }

    /// The account that receives mail for `path`, if it is local and exists.
    fn local_account(&self, path: &ForwardPath) -> Result<String, Reply> {
        let address = match path {
            ForwardPath::Postmaster => format!("postmaster@{}", self.host.domains.first().map_or("", String::as_str)),
            ForwardPath::Mailbox(m) if self.host.is_local_domain(&m.domain) => m.to_string(),
            ForwardPath::Mailbox(m) => {
                return Err(Reply::new(
                    554,
                    "5.7.1",
                    format!("<{m}>: Relay access denied (this host only accepts mail for its own domains)"),
                ));
            }
        };
        match self.host.store.account(&address) {
            Some(a) => Ok(a.address.clone()),
            None => Err(Reply::new(
                550,
                "5.1.1",
                format!("<{address}>: Recipient address rejected: User unknown in local recipient table"),
            )),
        }
    }
}

impl SmtpBackend for HostBackend<'_> {
    fn check_local_recipient(&mut self, _ctx: RcptContext<'_>, rcpt: &ForwardPath) -> Result<(), Reply> {
        let injected = self.host.faults.iter_mut().find_map(|f| match f {
            Fault::RcptReply { code, text, times } if *times > 0 => {
                *times -= 1;
                Some(Reply { code: *code, enhanced: None, lines: vec![text.clone()] })
            }
            _ => None,
        });
        if let Some(reply) = injected {
            return Err(reply);
        }
        if let ForwardPath::Mailbox(m) = rcpt
            && self.expands(&m.to_string())
        {
            return Ok(());
        }
        // A mailbox without room for one more octet refuses here, for this
        // recipient alone (RFC 3463 X.2.2).
        let account = self.local_account(rcpt)?;
        self.host.store.fits(&account, 1, 1).map_err(mailbox_full)
    }

    fn policy_refused(&mut self, rule: &'static str, reply: &Reply) {
        self.log(EventKind::PolicyRefused {
            host: self.host.name.clone(),
            client: self.client_address.to_string(),
            rule: rule.to_string(),
            reply: format!("{} {}", reply.code, reply.lines.join(" ")),
        });
    }

    fn may_relay(&mut self, ctx: RcptContext<'_>) -> bool {
        self.host.relay_windows.get(ctx.client_address).is_some_and(|until| self.now <= *until)
    }

    fn deliver(&mut self, mut delivery: Delivery) -> Result<(), Reply> {
        let drop = self.host.faults.iter_mut().any(|f| match f {
            Fault::DropAfterData { times } if *times > 0 => {
                *times -= 1;
                true
            }
            _ => false,
        });
        if drop {
            *self.drop_link = true;
            return Err(Reply::new(451, "4.4.2", "link dropped (injected fault)"));
        }
        // A result claiming to come from this host, made elsewhere, is a forgery
        // a reader would trust (RFC 8601 §5). It goes from every message this
        // host takes in, submitted or relayed, checked or trusted, before ours
        // is added or the message is signed.
        let removed = remove_results_of(&mut delivery.message, &self.host.name);
        let folder = if delivery.authenticated_as.is_none() {
            self.check_sender(&mut delivery)?
        } else {
            #[cfg(feature = "dkim")]
            self.sign(&mut delivery);
            INBOX
        };
        // Aliases expand one level: members are local accounts or remote addresses.
        let mut targets = Vec::new();
        // A list this host runs posts a copy of its own to its members.
        #[cfg(feature = "dkim")]
        let mut lists = Vec::new();
        for path in &delivery.envelope.forward_paths {
            #[cfg(feature = "dkim")]
            if let Some(list) = self.list(path) {
                // What would go to Junk, or came through this list before, is
                // not sent on: it is held for the list's owner (a local account).
                let held = if folder == JUNK {
                    Some("the post failed DMARC and would be quarantined")
                } else if been_through(list, &delivery.message) {
                    Some("the post came through this list before (a loop)")
                } else {
                    None
                };
                match held {
                    Some(why) => {
                        self.log(EventKind::ListHeld {
                            host: self.host.name.clone(),
                            list: list.address.clone(),
                            owner: list.owner.clone(),
                            why: why.to_string(),
                        });
                        targets.push(list.owner.clone());
                    }
                    None => lists.push(list),
                }
                continue;
            }
            match self.alias(path) {
                Some(members) => targets.extend(members.iter().cloned()),
                None => targets.push(path.clone()),
            }
        }
        // Resolve every local recipient before storing anything, so a failure
        // cannot leave a half-delivered message that a retry would duplicate.
        let (accounts, remote) = self.resolve(&targets, folder)?;
        // Each copy gains a Return-Path: line (see `deliver_local`).
        let stored = "Return-Path: <>\r\n".len() + delivery.envelope.reverse_path.len() + delivery.message.len();
        for (account, _) in &accounts {
            self.host.store.fits(account, stored, 1).map_err(mailbox_full)?;
        }
        if self.queue_full && !remote.is_empty() {
            return Err(Reply::new(452, "4.3.1", crate::queue::QUEUE_FULL));
        }
        #[cfg(feature = "dkim")]
        let mut posts = Vec::new();
        #[cfg(feature = "dkim")]
        for list in lists {
            let (accounts, remote) = self.resolve(&list.members, INBOX)?;
            posts.push((list, accounts, remote));
        }
        // List copies are charged too, each account for every copy it gets,
        // before anything is stored.
        #[cfg(feature = "dkim")]
        {
            let mut charges: Vec<(&str, usize, usize)> =
                accounts.iter().map(|(a, _)| (a.as_str(), stored, 1)).collect();
            for (list, accounts, remote) in &posts {
                if self.queue_full && !remote.is_empty() {
                    return Err(Reply::new(452, "4.3.1", crate::queue::QUEUE_FULL));
                }
                let size = "Return-Path: <>\r\n".len() + list.owner.len() + list_copy(list, &delivery.message).0.len();
                for (account, _) in accounts {
                    match charges.iter_mut().find(|c| c.0 == account) {
                        Some(c) => (c.1, c.2) = (c.1 + size, c.2 + 1),
                        None => charges.push((account, size, 1)),
                    }
                }
            }
            for (account, octets, copies) in charges {
                self.host.store.fits(account, octets, copies).map_err(mailbox_full)?;
            }
        }
        // Told only for a message taken in: a refused one (or one retried after
        // a 451) kept nothing.
        if removed > 0 {
            self.log(EventKind::ForgedResultsRemoved { host: self.host.name.clone(), fields: removed });
        }
        self.log(EventKind::MessageAccepted {
            host: self.host.name.clone(),
            id: delivery.id.clone(),
            reverse_path: delivery.envelope.reverse_path.clone(),
            forward_paths: delivery.envelope.forward_paths.clone(),
            size: delivery.message.len(),
        });
        #[cfg(feature = "dkim")]
        for (n, (list, accounts, remote)) in posts.into_iter().enumerate() {
            let (message, tagged) = list_copy(list, &delivery.message);
            self.log(EventKind::ListPosted {
                host: self.host.name.clone(),
                list: list.address.clone(),
                owner: list.owner.clone(),
                members: list.members.clone(),
                tagged,
            });
            // RFC 5321 §3.9.2: the list's copy is sent from whoever runs it.
            let envelope = Envelope {
                reverse_path: list.owner.clone(),
                forward_paths: list.members.clone(),
                helo: self.host.name.clone(),
                client_address: self.host.address.clone(),
                ..Envelope::default()
            };
            let id = format!("{}.{}", delivery.id, n + 1);
            self.store_copy(&id, &envelope, message, accounts, remote)?;
        }
        self.store_copy(&delivery.id, &delivery.envelope, delivery.message, accounts, remote)
    }

    fn verify(&mut self, query: &str) -> Option<String> {
        let address = self.address_of(query)?;
        let (_, domain) = address.rsplit_once('@')?;
        if !self.host.is_local_domain(domain) {
            return None;
        }
        self.host.store.account(&address).map(|a| a.address.clone())
    }

    fn expand(&mut self, list: &str) -> Option<Vec<String>> {
        let address = self.address_of(list.trim_start_matches('<').trim_end_matches('>'))?;
        #[cfg(feature = "dkim")]
        if let Some(list) = self.list(&address) {
            return Some(list.members.clone());
        }
        self.alias(&address).cloned()
    }

    fn password(&mut self, username: &str) -> Option<(String, String)> {
        let address = self.address_of(username)?;
        self.host.store.account(&address).map(|a| (a.password.clone(), a.address.clone()))
    }

    fn logged_in(&mut self, account: &str, proof: Proof) {
        self.log_login(crate::Protocol::Smtp, account, proof);
    }
}

impl ImapBackend for HostBackend<'_> {
    fn password(&mut self, user: &str) -> Option<(String, String)> {
        SmtpBackend::password(self, user)
    }

    fn store(&mut self) -> &mut mail_lab_store::Store {
        &mut self.host.store
    }

    fn logged_in(&mut self, account: &str, proof: Proof) {
        self.log_login(crate::Protocol::Imap, account, proof);
    }
}

impl Pop3Backend for HostBackend<'_> {
    fn password(&mut self, user: &str) -> Option<(String, String)> {
        SmtpBackend::password(self, user)
    }

    fn open_maildrop(&mut self, account: &str) -> Result<Vec<MaildropEntry>, MaildropError> {
        let folder = self
            .host
            .store
            .folder(account, INBOX)
            .ok_or_else(|| MaildropError::Unavailable(format!("no INBOX for {account}")))?;
        let entries = folder
            .messages
            .iter()
            .map(|m| MaildropEntry {
                uid: m.uid,
                // The octets RETR sends, line ends as CRLF (RFC 1939 §11).
                size: mail_lab_proto::framing::crlf_size(&m.raw),
                unique_id: format!("{}.{}", folder.uid_validity, m.uid),
            })
            .collect();
        if !self.host.pop3_locks.insert(account.to_string()) {
            return Err(MaildropError::InUse);
        }
        if let Some(minutes) = self.host.pop_before_smtp_minutes {
            let until = self.now.plus_millis(minutes.saturating_mul(60_000));
            self.host.relay_windows.insert(self.client_address.to_string(), until);
            self.log(EventKind::RelayWindowOpened {
                host: self.host.name.clone(),
                client: self.client_address.to_string(),
                until,
            });
        }
        Ok(entries)
    }

    fn logged_in(&mut self, account: &str, proof: Proof) {
        self.log_login(crate::Protocol::Pop3, account, proof);
    }

    fn message(&mut self, account: &str, uid: u32) -> Option<Vec<u8>> {
        let folder = self.host.store.folder(account, INBOX)?;
        let raw = folder.messages.iter().find(|m| m.uid == uid).map(|m| m.raw.to_vec())?;
        let (host, account) = (self.host.name.clone(), account.to_string());
        self.log(EventKind::MessageRead { host, account, uid });
        Some(raw)
    }

    fn commit(&mut self, account: &str, deleted: &[u32]) -> Result<usize, String> {
        self.host.pop3_locks.remove(account);
        let left = self.host.store.expunge(account, INBOX, deleted).map_err(|e| e.to_string())?;
        for &uid in deleted {
            let (host, account) = (self.host.name.clone(), account.to_string());
            self.log(EventKind::Removed { host, account, folder: INBOX.to_string(), uid });
        }
        Ok(left)
    }

    fn release(&mut self, account: &str) {
        self.host.pop3_locks.remove(account);
    }
}

/// The same remote mailbox: the local part exactly, the domain in any case.
fn same_remote(a: &str, b: &str) -> bool {
    match (a.rsplit_once('@'), b.rsplit_once('@')) {
        (Some((local_a, domain_a)), Some((local_b, domain_b))) => {
            local_a == local_b && domain_a.eq_ignore_ascii_case(domain_b)
        }
        _ => a == b,
    }
}
