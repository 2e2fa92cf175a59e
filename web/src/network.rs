//! The network panel (clock, hosts, queues, timeline) and the wiretap: views of
//! the world's state and event log. They read plain props; actions go up.

use mail_lab_world::{Direction, EventKind, World};
use yew::prelude::*;

use crate::i18n::{Lang, Text, t};

/// One host as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRow {
    pub name: String,
    pub up: bool,
}

/// One queue entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub id: String,
    pub host: String,
    pub recipients: String,
    pub attempts: u32,
    pub next_attempt: String,
    pub last_error: String,
}

/// One line of the wiretap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapLine {
    pub link: String,
    pub to_server: bool,
    pub encrypted: bool,
    pub text: String,
    pub secret: bool,
}

/// What the panels show, read from the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkView {
    pub now: String,
    pub hosts: Vec<HostRow>,
    pub queue: Vec<QueueRow>,
    pub timeline: Vec<String>,
    pub tap: Vec<TapLine>,
}

/// Keep only the newest `n` items: panels show the recent past.
fn keep_last<T>(v: &mut Vec<T>, n: usize) {
    let len = v.len();
    if len > n {
        v.drain(..len - n);
    }
}

/// What an eavesdropper sees of encrypted bytes: a keystream over the plaintext,
/// derived from the link and the position (deterministic, like the whole world).
fn ciphertext(seed: u64, bytes: &[u8]) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    bytes
        .iter()
        .take(24)
        .map(|b| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            format!("{:02x}", b ^ (state as u8))
        })
        .collect::<Vec<_>>()
        .join(" ")
        + if bytes.len() > 24 { " …" } else { "" }
}

/// Lines that carry a password or its equivalent when sent in the clear.
fn carries_secret(line: &str) -> bool {
    let upper = line.to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().collect();
    matches!(words.first(), Some(&"PASS" | &"APOP" | &"AUTH"))
        || words.get(1) == Some(&"LOGIN")
        || words.get(1) == Some(&"AUTHENTICATE")
}

impl NetworkView {
    /// Read the panels' contents from `world`.
    pub fn read(world: &World) -> NetworkView {
        let hosts = world.hosts().iter().map(|h| HostRow { name: h.name.clone(), up: h.up }).collect();
        let queue = world
            .queue()
            .iter()
            .map(|e| QueueRow {
                id: e.id.clone(),
                host: e.host.clone(),
                recipients: e.recipients.join(", "),
                attempts: e.attempts,
                next_attempt: e.next_attempt.rfc5322(),
                last_error: e.last_error.clone().unwrap_or_default(),
            })
            .collect();
        let mut timeline = Vec::new();
        let mut tap = Vec::new();
        let mut links = std::collections::BTreeMap::new();
        for e in world.events() {
            let time = e.at.rfc5322();
            let time = time.split(' ').nth(4).unwrap_or("").to_string();
            match &e.kind {
                EventKind::Connected { connection, client, host, port } => {
                    links.insert(*connection, format!("{client} → {host}:{port}"));
                }
                EventKind::LinkBytes { connection, direction, bytes, encrypted } => {
                    let link = links.get(connection).cloned().unwrap_or_else(|| connection.to_string());
                    let to_server = *direction == Direction::ToServer;
                    if *encrypted {
                        tap.push(TapLine {
                            link,
                            to_server,
                            encrypted: true,
                            text: ciphertext(connection.0 ^ e.seq, bytes),
                            secret: false,
                        });
                    } else {
                        for line in String::from_utf8_lossy(bytes).lines() {
                            let secret = to_server && carries_secret(line);
                            tap.push(TapLine {
                                link: link.clone(),
                                to_server,
                                encrypted: false,
                                text: line.to_string(),
                                secret,
                            });
                        }
                    }
                }
                EventKind::TlsStarted { connection } => {
                    let link = links.get(connection).cloned().unwrap_or_default();
                    timeline.push(format!("{time} TLS started on {link}"));
                }
                EventKind::Queued { queue_id, host, recipients } => {
                    timeline.push(format!("{time} {host} queued {queue_id} for {}", recipients.join(", ")))
                }
                EventKind::RelayAttempt { queue_id, from, to, attempt, .. } => {
                    timeline.push(format!("{time} {from} → {to}: relay attempt {attempt} for {queue_id}"))
                }
                EventKind::Relayed { queue_id, to, recipient, .. } => {
                    timeline.push(format!("{time} {to} accepted {queue_id} for {recipient}"))
                }
                EventKind::Deferred { queue_id, next_attempt, reason, .. } => timeline.push(format!(
                    "{time} {queue_id} deferred ({reason}); next try {}",
                    next_attempt.rfc5322().split(' ').nth(4).unwrap_or("")
                )),
                EventKind::Bounced { queue_id, to, .. } => timeline.push(format!("{time} {queue_id} bounced to {to}")),
                EventKind::BounceDiscarded { queue_id, .. } => {
                    timeline.push(format!("{time} bounce of {queue_id} discarded"))
                }
                EventKind::Delivered { host, account, uid, .. } => {
                    timeline.push(format!("{time} {host} delivered UID {uid} to {account}"))
                }
                EventKind::Removed { account, uid, .. } => {
                    timeline.push(format!("{time} UID {uid} removed from {account}"))
                }
                EventKind::HostUp { host } => timeline.push(format!("{time} {host} is reachable again")),
                EventKind::RelayWindowOpened { client, until, .. } => timeline.push(format!(
                    "{time} POP before SMTP: {client} may relay until {}",
                    until.rfc5322().split(' ').nth(4).unwrap_or("")
                )),
                _ => {}
            }
        }
        keep_last(&mut timeline, 30);
        keep_last(&mut tap, 60);
        NetworkView { now: world.now().rfc5322(), hosts, queue, timeline, tap }
    }
}

#[derive(Properties, PartialEq)]
pub struct NetworkProps {
    pub view: NetworkView,
    pub lang: Lang,
    pub on_advance: Callback<u64>,
    pub on_run: Callback<()>,
    pub on_host: Callback<(String, bool)>,
}

/// Clock, hosts, queues and the event timeline.
#[function_component(NetworkPanel)]
pub fn network_panel(props: &NetworkProps) -> Html {
    let lang = props.lang;
    let v = &props.view;
    let advance = |ms: u64| {
        let cb = props.on_advance.clone();
        Callback::from(move |_| cb.emit(ms))
    };
    let run = {
        let cb = props.on_run.clone();
        Callback::from(move |_| cb.emit(()))
    };
    html! {
        <section class="network" aria-label={t(lang, Text::Network)}>
            <h2>{ t(lang, Text::Network) }</h2>
            <p class="clock">
                { format!("{}: {} ", t(lang, Text::Clock), v.now) }
                <button onclick={advance(60_000)}>{ t(lang, Text::AdvanceMinute) }</button>
                <button onclick={advance(600_000)}>{ t(lang, Text::AdvanceTenMinutes) }</button>
                <button onclick={run}>{ t(lang, Text::RunUntilIdle) }</button>
            </p>
            <ul class="hosts">
                { for v.hosts.iter().map(|h| {
                    let (cb, name, up) = (props.on_host.clone(), h.name.clone(), h.up);
                    let toggle = Callback::from(move |_| cb.emit((name.clone(), !up)));
                    html! {
                        <li class={classes!("host", if h.up { "up" } else { "down" })}>
                            { format!("{} ({}) ", h.name, if h.up { t(lang, Text::Up) } else { t(lang, Text::Down) }) }
                            <button onclick={toggle} aria-label={format!("{} {}", if h.up { t(lang, Text::TakeDown) } else { t(lang, Text::BringUp) }, h.name)}>
                                { if h.up { t(lang, Text::TakeDown) } else { t(lang, Text::BringUp) } }
                            </button>
                        </li>
                    }
                }) }
            </ul>
            <h3>{ t(lang, Text::Queue) }</h3>
            if v.queue.is_empty() {
                <p class="empty">{ t(lang, Text::QueueEmpty) }</p>
            } else {
                <table class="queue">
                    <tbody>
                        { for v.queue.iter().map(|q| html! {
                            <tr class="queued">
                                <td>{ &q.id }</td><td>{ &q.host }</td><td>{ &q.recipients }</td>
                                <td>{ format!("#{}", q.attempts) }</td><td>{ &q.next_attempt }</td><td>{ &q.last_error }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            <h3>{ t(lang, Text::Timeline) }</h3>
            <ol class="timeline" role="log">
                { for v.timeline.iter().map(|line| html! { <li>{ line }</li> }) }
            </ol>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct WiretapProps {
    pub tap: Vec<TapLine>,
    pub lang: Lang,
}

/// What an eavesdropper on each link sees.
#[function_component(Wiretap)]
pub fn wiretap(props: &WiretapProps) -> Html {
    let lang = props.lang;
    html! {
        <section class="wiretap" aria-label={t(lang, Text::Wiretap)}>
            <h2>{ t(lang, Text::Wiretap) }</h2>
            <p class="note">{ t(lang, Text::WiretapNote) }</p>
            <ol class="tap" role="log">
                { for props.tap.iter().map(|l| {
                    let class = classes!(if l.to_server { "to-server" } else { "to-client" }, l.encrypted.then_some("encrypted"), l.secret.then_some("secret"));
                    html! {
                        <li {class}>
                            <span class="link">{ format!("{} {} ", l.link, if l.to_server { "→" } else { "←" }) }</span>
                            if l.encrypted { <span class="badge">{ t(lang, Text::Encrypted) }</span> }
                            <code>{ &l.text }</code>
                            if l.secret { <strong class="warning">{ t(lang, Text::PasswordInClear) }</strong> }
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}
