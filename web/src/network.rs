//! The network panel (clock, hosts, queues, timeline) and the wiretap: views of
//! the world's state and event log. They read plain props; actions go up.

use mail_lab_proto::sasl::Proof;
use mail_lab_world::{ConnectionId, Direction, EventKind, Policy, Service, World};
use yew::prelude::*;

use crate::i18n::{Lang, t, text};

/// One host as the panel and the map show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRow<'a> {
    pub name: &'a str,
    pub address: &'a str,
    /// Answers connections now (its schedule and outages counted).
    pub up: bool,
    /// Up, taken down by hand, or down by its schedule or an outage.
    pub state: mail_lab_world::HostState,
    /// Every service port, its name, and whether the host runs it.
    pub services: Vec<(u16, &'static str, bool)>,
    pub users: Vec<&'a str>,
    /// The switchable policies and whether each is on.
    pub switches: Vec<(Policy, bool)>,
    /// Online only (minutes, of every minutes): a dial-up host.
    pub online: Option<(u64, u64)>,
    /// Messages waiting in this host's queue.
    pub queued: usize,
    /// Each domain the host serves, with its SPF record ("" for none).
    pub txt: Vec<(&'a str, &'a str)>,
    /// A message was delivered here in the last few events (the map pulses).
    pub just_delivered: bool,
}

/// A machine on the map: a client (left column) or a mail host (right column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapNode<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub host: bool,
    pub up: bool,
    pub just_delivered: bool,
    pub x: i32,
    pub y: i32,
}

/// A connection drawn between two machines: the newest one per pair and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapLink {
    pub from: usize,
    pub to: usize,
    pub port: u16,
    pub open: bool,
    pub tls: bool,
    /// Bytes crossed it in the last few events (drawn moving).
    pub busy: bool,
}

/// The map: machines, the links between them and DNS's MX, A and TXT records.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MapView<'a> {
    pub nodes: Vec<MapNode<'a>>,
    pub links: Vec<MapLink>,
    pub mx: Vec<String>,
    pub height: i32,
    /// The route of the message open in the inspector, oldest hop first, as node indexes.
    pub route: Vec<usize>,
}

impl MapView<'_> {
    /// Put a message's route on the map: each `Received:` hop (newest first,
    /// as in the header) names a sending and a receiving machine by name or
    /// address; consecutive repeats collapse.
    pub fn set_route(&mut self, hops: &[mail_lab_message::Hop]) {
        let find = |text: &str| {
            self.nodes.iter().position(|n| {
                text.split(|c: char| c.is_whitespace() || "()[]".contains(c)).any(|w| w == n.name || w == n.address)
            })
        };
        let mut route: Vec<usize> = Vec::new();
        for hop in hops.iter().rev() {
            for part in [&hop.from, &hop.by].into_iter().flatten() {
                if let Some(i) = find(part)
                    && route.last() != Some(&i)
                {
                    route.push(i);
                }
            }
        }
        self.route = route;
    }
}

/// The policies the host panel can switch.
const SWITCHES: [Policy; 6] =
    [Policy::OpenRelay, Policy::TlsBeforeLogin, Policy::Vrfy, Policy::PopBeforeSmtp, Policy::SpfCheck, Policy::Op25b];

/// How many of the newest events count as "just now" for the map's motion.
const RECENT_EVENTS: u64 = 12;

/// One queue entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow<'a> {
    pub id: &'a str,
    pub host: &'a str,
    pub recipients: String,
    pub attempts: u32,
    pub next_attempt: String,
    pub last_error: &'a str,
    /// The world's reason behind `last_error`, when no server was reached.
    pub unreachable: Option<&'a mail_lab_world::WorldError>,
}

/// One line of the wiretap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapLine {
    /// Counts every tap line ever read (a login's lines are found by number).
    pub number: u64,
    pub link: String,
    pub to_server: bool,
    pub encrypted: bool,
    pub text: String,
    /// What the world recorded this line as carrying: a login's proof.
    pub proof: Option<TapProof>,
}

/// What a login line showed an eavesdropper, from the world's `LoggedIn` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TapProof {
    /// USER/PASS, LOGIN, AUTH PLAIN/LOGIN outside TLS: the password itself.
    PasswordInClear,
    /// APOP, CRAM-MD5 outside TLS: a digest; the password did not cross.
    DigestOnly,
}

/// One line of the timeline, in both languages (worked out for the lines shown
/// only, from the events by reference: the log is never copied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Happened {
    pub en: String,
    pub ja: String,
}

/// What the panels show, read from the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkView<'a> {
    pub now: String,
    pub hosts: Vec<HostRow<'a>>,
    pub map: MapView<'a>,
    pub queue: Vec<QueueRow<'a>>,
}

/// Encrypted bytes as hex, as a packet capture shows them (the first 24).
fn hex_preview(bytes: &[u8]) -> String {
    let mut text = bytes.iter().take(24).map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ");
    if bytes.len() > 24 {
        text.push_str(" …");
    }
    text
}

/// Tap lines, timeline lines and map links the panels keep.
const TAP_LINES: usize = 60;
const TIMELINE_LINES: usize = 30;
const MAP_LINKS: usize = 10;

/// A link as the map keeps it: which machines, and its state now.
#[derive(Debug, Clone)]
struct LinkState {
    client_address: String,
    host: String,
    port: u16,
    open: bool,
    tls: bool,
    /// The newest event that carried its bytes.
    last_bytes: u64,
}

/// What the panels keep from the world's event log, read once. Each render
/// reads only the events after `seq`, so its cost does not grow with the log;
/// what is kept is bounded (the newest tap lines, timeline lines and links).
#[derive(Debug, Default)]
pub struct NetworkLog {
    seq: u64,
    /// Each open connection's `client → host:port` (a few at a time: a list).
    names: Vec<(ConnectionId, String)>,
    /// The newest tap lines.
    tap: Vec<TapLine>,
    next_line: u64,
    /// Per connection, the numbers of the tap lines of its latest client bytes:
    /// a login's proof crossed there (the `LoggedIn` event says which kind).
    last_sent: Vec<(ConnectionId, std::ops::Range<u64>)>,
    timeline: Vec<Happened>,
    links: Vec<(ConnectionId, LinkState)>,
    /// Per queue entry deferred because no server was reached, the world's reason
    /// (the queue table says it in the page's language).
    unreachable: Vec<(String, mail_lab_world::WorldError)>,
}

impl NetworkLog {
    /// The newest tap lines, oldest first.
    pub fn tap(&self) -> &[TapLine] {
        &self.tap
    }

    /// The newest lines of what happened, oldest first.
    pub fn timeline(&self) -> &[Happened] {
        &self.timeline
    }

    /// Read the events the log has not seen yet. A new world (its events
    /// numbered from the start again) is read from scratch.
    pub fn catch_up(&mut self, world: &World) {
        if world.newest_event() < self.seq {
            *self = NetworkLog::default();
        }
        for e in world.events_since(self.seq) {
            self.read(e);
        }
        self.seq = world.newest_event();
    }

    fn name(&self, connection: &ConnectionId) -> Option<String> {
        self.names.iter().find(|(c, _)| c == connection).map(|(_, n)| n.clone())
    }

    fn happened(&mut self, e: &mail_lab_world::Event, link: &str) {
        let time = e.at.rfc5322();
        let time = time.split(' ').nth(4).unwrap_or("");
        if let (Some(en), Some(ja)) =
            (crate::i18n::happened(Lang::En, time, &e.kind, link), crate::i18n::happened(Lang::Ja, time, &e.kind, link))
        {
            self.timeline.push(Happened { en, ja });
            if self.timeline.len() > TIMELINE_LINES {
                self.timeline.remove(0);
            }
        }
    }

    /// One line on the wiretap under `link` (a line of junk is shown cut: the
    /// tap holds lines, not their bytes; [`Self::keep_newest`] trims it after a batch).
    fn tap_line(&mut self, link: &str, to_server: bool, encrypted: bool, mut text: String) {
        crate::terminal::cut(&mut text, crate::terminal::LINE_CHARS);
        let number = self.next_line;
        self.tap.push(TapLine { number, link: link.to_string(), to_server, encrypted, text, proof: None });
        self.next_line += 1;
    }

    /// The wiretap keeps its newest lines.
    fn keep_newest(&mut self) {
        if self.tap.len() > TAP_LINES {
            self.tap.drain(..self.tap.len() - TAP_LINES);
        }
    }

    fn link(&mut self, connection: &ConnectionId) -> Option<&mut LinkState> {
        self.links.iter_mut().find(|(c, _)| c == connection).map(|(_, l)| l)
    }

    fn read(&mut self, e: &mail_lab_world::Event) {
        match &e.kind {
            EventKind::Deferred { queue_id, unreachable, .. } => {
                self.unreachable.retain(|(id, _)| id != queue_id);
                if let Some(why) = unreachable {
                    self.unreachable.push((queue_id.clone(), why.clone()));
                    if self.unreachable.len() > MAP_LINKS {
                        self.unreachable.remove(0);
                    }
                }
                self.happened(e, "");
            }
            EventKind::Connected { connection, client, host, port } => {
                self.names.push((*connection, format!("{client} → {host}:{port}")));
                // The newest connection per pair of machines and port stands for them.
                self.links.retain(|(_, l)| !(l.client_address == *client && l.host == *host && l.port == *port));
                let link = LinkState {
                    client_address: client.clone(),
                    host: host.clone(),
                    port: *port,
                    open: true,
                    tls: false,
                    last_bytes: 0,
                };
                self.links.push((*connection, link));
                if self.links.len() > MAP_LINKS {
                    self.links.remove(0);
                }
            }
            EventKind::LinkBytes { connection, direction, bytes, encrypted } => {
                let link = self.name(connection).unwrap_or_else(|| connection.to_string());
                let to_server = *direction == Direction::ToServer;
                let first = self.next_line;
                if *encrypted {
                    self.tap_line(&link, to_server, true, hex_preview(&e.kind.seen_on_wire(e.seq).unwrap_or_default()));
                } else {
                    for line in String::from_utf8_lossy(bytes).lines() {
                        self.tap_line(&link, to_server, false, line.to_string());
                    }
                }
                self.keep_newest();
                if to_server {
                    self.last_sent.retain(|(c, _)| c != connection);
                    self.last_sent.push((*connection, first..self.next_line));
                }
                if let Some(l) = self.link(connection) {
                    l.last_bytes = e.seq;
                }
            }
            EventKind::LoggedIn { connection, proof, encrypted, .. } => {
                // Inside TLS the eavesdropper saw ciphertext: nothing to label.
                let label = match proof {
                    Proof::Password => TapProof::PasswordInClear,
                    Proof::Digest => TapProof::DigestOnly,
                };
                if let Some((_, lines)) = self.last_sent.iter().find(|(c, _)| c == connection).filter(|_| !encrypted) {
                    for line in self.tap.iter_mut().filter(|l| lines.contains(&l.number)) {
                        line.proof = Some(label);
                    }
                }
                let link = self.name(connection).unwrap_or_default();
                self.happened(e, &link);
            }
            EventKind::TlsStarted { connection } | EventKind::SessionTimedOut { connection } => {
                if matches!(e.kind, EventKind::TlsStarted { .. })
                    && let Some(l) = self.link(connection)
                {
                    l.tls = true;
                }
                let link = self.name(connection).unwrap_or_default();
                self.happened(e, &link);
            }
            EventKind::Disconnected { connection } => {
                if let Some(l) = self.link(connection) {
                    l.open = false;
                }
                self.names.retain(|(c, _)| c != connection);
                self.last_sent.retain(|(c, _)| c != connection);
            }
            EventKind::Queued { .. }
            | EventKind::RelayAttempt { .. }
            | EventKind::Relayed { .. }
            | EventKind::Bounced { .. }
            | EventKind::BounceDiscarded { .. }
            | EventKind::Reported { .. }
            | EventKind::Delivered { .. }
            | EventKind::Removed { .. }
            | EventKind::HostUp { .. }
            | EventKind::RelayWindowOpened { .. }
            | EventKind::PolicyRefused { .. }
            | EventKind::ForgedResultsRemoved { .. }
            | EventKind::DkimSigned { .. }
            | EventKind::ListPosted { .. }
            | EventKind::ListHeld { .. } => self.happened(e, ""),
            // The check's DNS questions and answers cross the host's own link to DNS.
            EventKind::SpfChecked { host, lookups, .. }
            | EventKind::DkimChecked { host, lookups, .. }
            | EventKind::DmarcChecked { host, lookups, .. } => {
                let link = format!("{host} → DNS");
                for (question, answer) in lookups {
                    self.tap_line(&link, true, false, question.clone());
                    self.tap_line(&link, false, false, answer.clone());
                }
                self.keep_newest();
                self.happened(e, "");
            }
            _ => {}
        }
    }
}

impl<'a> NetworkView<'a> {
    /// Read the panels' contents from `world`, the event log through `log`
    /// (which has read only the events it had not seen: [`NetworkLog::catch_up`]).
    pub fn read(world: &'a World, log: &'a NetworkLog) -> NetworkView<'a> {
        let newest = world.newest_event();
        let recent = |seq: u64| seq + RECENT_EVENTS > newest;
        let delivered_at: Vec<&str> = world
            .events_since(newest.saturating_sub(RECENT_EVENTS))
            .filter_map(|e| match &e.kind {
                EventKind::Delivered { host, .. } => Some(host.as_str()),
                _ => None,
            })
            .collect();
        let hosts: Vec<HostRow> = world
            .hosts()
            .iter()
            .map(|h| {
                let state = world.host_state(&h.name).unwrap_or(mail_lab_world::HostState::Up);
                HostRow {
                    name: &h.name,
                    address: &h.address,
                    up: state == mail_lab_world::HostState::Up,
                    state,
                    services: Service::ALL
                        .iter()
                        .map(|s| (s.default_port(), s.name(), h.services.contains_key(&s.default_port())))
                        .collect(),
                    users: h.store.accounts().map(|a| a.address.as_str()).collect(),
                    switches: SWITCHES.iter().map(|&p| (p, world.policy(&h.name, p).unwrap_or(false))).collect(),
                    online: h.online.as_ref().map(|o| (o.online_minutes, o.period_minutes)),
                    queued: world.queue().iter().filter(|q| q.host == h.name).count(),
                    txt: h.domains.iter().map(|d| (d.as_str(), world.spf_record(d).unwrap_or_default())).collect(),
                    just_delivered: delivered_at.contains(&h.name.as_str()),
                }
            })
            .collect();
        let map = MapView::read(world, &hosts, log, &recent);
        let queue = world
            .queue()
            .iter()
            .map(|e| QueueRow {
                id: &e.id,
                host: &e.host,
                recipients: e.recipients.join(", "),
                attempts: e.attempts,
                next_attempt: e.next_attempt.rfc5322().split(' ').nth(4).unwrap_or("").to_string(),
                last_error: e.last_error.as_deref().unwrap_or_default(),
                unreachable: log.unreachable.iter().find(|(id, _)| *id == e.id).map(|(_, why)| why),
            })
            .collect();
        NetworkView { now: world.now().rfc5322(), hosts, map, queue }
    }
}

impl<'a> MapView<'a> {
    fn read(world: &'a World, hosts: &[HostRow<'a>], log: &NetworkLog, recent: &dyn Fn(u64) -> bool) -> MapView<'a> {
        let mut mx: Vec<String> = world
            .hosts()
            .iter()
            .flat_map(|h| h.domains.iter())
            .flat_map(|d| world.mx(d).iter().map(move |(p, x)| format!("{d} MX {p} {x}")))
            .fold(Vec::new(), |mut list, record| {
                // A domain two hosts serve is listed once.
                if !list.contains(&record) {
                    list.push(record);
                }
                list
            });
        // A records: what `telnet mail.a.example` and an MX name are looked up by.
        mx.extend(world.a_records().map(|(name, address)| format!("{name} A {address}")));
        // TXT records (SPF's among them), one row each: the page wraps them.
        for (name, texts) in world.txt_records() {
            for text in texts {
                let mut record = format!("{name} TXT \"{text}\"");
                crate::terminal::cut(&mut record, DNS_RECORD);
                mx.push(record);
            }
        }
        // The machines start below the lookup lines that come down from the DNS box.
        let top = 70;
        let mut nodes: Vec<MapNode<'a>> = world
            .clients()
            .iter()
            .enumerate()
            .map(|(i, c)| MapNode {
                name: &c.name,
                address: &c.address,
                host: false,
                up: true,
                just_delivered: false,
                x: CLIENT_X,
                y: top + 70 * i as i32,
            })
            .collect();
        nodes.extend(hosts.iter().enumerate().map(|(i, h)| MapNode {
            name: h.name,
            address: h.address,
            host: true,
            up: h.up,
            just_delivered: h.just_delivered,
            x: HOST_X,
            y: top + 70 * i as i32,
        }));
        let links = log
            .links
            .iter()
            .filter_map(|(_, l)| {
                let from = nodes.iter().position(|n| n.address == l.client_address)?;
                let to = nodes.iter().position(|n| n.name == l.host)?;
                Some(MapLink {
                    from,
                    to,
                    port: l.port,
                    open: l.open,
                    tls: l.tls,
                    busy: l.last_bytes > 0 && recent(l.last_bytes),
                })
            })
            .collect();
        let height = top + 30 + 70 * nodes.iter().filter(|n| n.host).count().max(nodes.len() - hosts.len()) as i32;
        MapView { nodes, links, mx, height, route: Vec::new() }
    }
}

/// Where the map draws clients and mail hosts, its width and half a node's width.
const CLIENT_X: i32 = 100;
const HOST_X: i32 = 440;
const MAP_WIDTH: i32 = 620;
const HALF_NODE: i32 = 80;

/// Where a link is drawn: the SVG path (client to server, so the arrow points
/// at the server) and where its label goes. Links between the same two
/// machines are spread apart, so no two labels print over each other; a link
/// between two hosts bends out to the right instead of crossing the hosts between.
fn link_geometry(map: &MapView<'_>, index: usize) -> (String, i32, i32) {
    let l = &map.links[index];
    let (a, b) = (&map.nodes[l.from], &map.nodes[l.to]);
    let same = |m: &MapLink| (m.from.min(m.to), m.from.max(m.to)) == (l.from.min(l.to), l.from.max(l.to));
    let k = map.links[..index].iter().filter(|m| same(m)).count() as i32;
    if a.host == b.host {
        let (x, bend) = (a.x + HALF_NODE, 40 + 22 * k);
        let mid = (a.y + b.y) / 2;
        let path = format!("M{x},{} Q{},{mid} {x},{}", a.y + 6, x + 2 * bend, b.y - 6);
        (path, x + bend + 4, mid + 4)
    } else {
        let spread = 14 * k;
        let (x1, y1, x2, y2) = (a.x + HALF_NODE, a.y - 8 + spread, b.x - HALF_NODE, b.y - 8 + spread);
        // Labels step along the line as well as across it.
        let at = |p: i32, q: i32| p + (q - p) * (30 + 18 * (k % 3)) / 100;
        (format!("M{x1},{y1} L{x2},{y2}"), at(x1, x2), at(y1, y2) - 3)
    }
}

/// Bytes of a TXT record the DNS box shows: every lesson's whole (a record
/// cut short could hide the `-all` that decides the check); a longer one,
/// from a learner or a saved lab, is cut.
const DNS_RECORD: usize = 600;

/// The DNS box: HTML above the map, so its records are read at the page's
/// text size (scaled with the map they were 9 px on a school laptop).
fn dns_box(map: &MapView<'_>) -> Html {
    html! {
        <div class="dns-box" role="group" aria-labelledby="dns-title">
            <strong id="dns-title">{ "DNS" }</strong>
            { for map.mx.iter().map(|line| html! { <code class="mx">{ line }</code> }) }
        </div>
    }
}

/// The map as SVG: clients left, mail hosts right, DNS's lookups from above; a
/// link is green when open, blue inside TLS, grey when closed, and moves while bytes cross.
fn map_svg(map: &MapView<'_>, lang: Lang, selected: Option<&str>, on_pick: &Callback<String>) -> Html {
    html! {
        <svg class="map" viewBox={format!("0 0 {MAP_WIDTH} {}", map.height)} role="img" aria-label={t(lang, text::MAP)}>
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
                    <path d="M0,0 L10,5 L0,10 z" />
                </marker>
            </defs>
            <g class="dns">
                { for map.nodes.iter().filter(|n| n.host).map(|n| html! {
                    <line class="lookup" x1="430" y1="0" x2={n.x.to_string()} y2={(n.y - 20).to_string()} />
                }) }
            </g>
            { for map.links.iter().enumerate().map(|(i, l)| {
                let state = if !l.open { "closed" } else if l.tls { "tls" } else { "open" };
                let (path, lx, ly) = link_geometry(map, i);
                html! {
                    <g class={crate::view::class_list(&["link", state, if l.busy { "busy" } else { "" }])}>
                        <path d={path} marker-end="url(#arrow)" />
                        <text x={lx.to_string()} y={ly.to_string()}>{ format!("{}{}", l.port, if l.tls { " TLS" } else { "" }) }</text>
                    </g>
                }
            }) }
            if map.route.len() > 1 {
                <polyline class="route-path" points={map.route.iter().map(|&i| format!("{},{}", map.nodes[i].x, map.nodes[i].y)).collect::<Vec<_>>().join(" ")} />
            }
            { for map.nodes.iter().enumerate().map(|(i, n)| {
                let on = |yes: bool, class: &'static str| if yes { class } else { "" };
                let class = crate::view::class_list(&["node", if n.host { "host" } else { "client" }, on(!n.up, "down"), on(map.route.contains(&i), "on-route"),
                    on(n.just_delivered, "delivered"), on(selected == Some(n.name), "selected")]);
                let pick = {
                    let (on_pick, name) = (on_pick.clone(), n.name.to_string());
                    Callback::from(move |_| on_pick.emit(name.clone()))
                };
                html! {
                    <g {class} data-name={n.name.to_string()} onclick={n.host.then_some(pick)}>
                        <rect x={(n.x - HALF_NODE).to_string()} y={(n.y - 22).to_string()} width={(2 * HALF_NODE).to_string()} height="44" rx="6" />
                        <text x={n.x.to_string()} y={(n.y - 4).to_string()} text-anchor="middle">{ &n.name }</text>
                        <text class="addr" x={n.x.to_string()} y={(n.y + 14).to_string()} text-anchor="middle">{ &n.address }</text>
                    </g>
                }
            }) }
        </svg>
    }
}

/// What the map's colours and lines mean (HTML, so it grows with the page's text).
fn map_legend(lang: Lang) -> Html {
    html! {
        <ul class="legend">
            { for [("open", text::LEGEND_OPEN), ("tls", text::LEGEND_TLS), ("closed", text::LEGEND_CLOSED), ("down", text::LEGEND_DOWN),
                   ("route", text::LEGEND_ROUTE), ("dns", text::LEGEND_DNS)].into_iter().map(|(class, text)| html! {
                <li><span class={format!("swatch {class}")} />{ t(lang, text) }</li>
            }) }
        </ul>
    }
}

/// What the network panel shows and where its actions go.
pub struct NetworkProps<'a> {
    pub view: &'a NetworkView<'a>,
    /// The newest lines of what happened (from the [`NetworkLog`]).
    pub timeline: &'a [Happened],
    pub lang: Lang,
    pub on_advance: Callback<u64>,
    pub on_run: Callback<()>,
    pub on_host: Callback<(String, bool)>,
    /// Switch a host's policy or service.
    pub on_policy: Callback<(String, Policy, bool)>,
    pub on_txt: Callback<(String, String)>,
    /// The host whose details are open, and the way to open or close one.
    pub picked: Option<&'a str>,
    pub on_pick: Callback<String>,
}

/// Clock, map, hosts, queues and the event timeline (plain markup: its state lives in the lab).
pub fn network_panel(props: &NetworkProps<'_>) -> Html {
    let lang = props.lang;
    let v = props.view;
    let advance = |ms: u64| {
        let cb = props.on_advance.clone();
        Callback::from(move |_| cb.emit(ms))
    };
    let run = {
        let cb = props.on_run.clone();
        Callback::from(move |_| cb.emit(()))
    };
    let (picked, pick) = (&props.picked, &props.on_pick);
    html! {
        <section class="network" id="network" aria-label={t(lang, text::NETWORK)}>
            <h2>{ t(lang, text::NETWORK) }</h2>
            <p class="clock">
                { format!("{}{}{} ", t(lang, text::CLOCK), crate::i18n::colon(lang), v.now) }
                <button onclick={advance(60_000)}>{ t(lang, text::ADVANCE_MINUTE) }</button>
                <button onclick={advance(600_000)}>{ t(lang, text::ADVANCE_TEN_MINUTES) }</button>
                <button onclick={run}>{ t(lang, text::RUN_UNTIL_IDLE) }</button>
            </p>
            { dns_box(&v.map) }
            { map_svg(&v.map, lang, picked.as_deref(), pick) }
            { map_legend(lang) }
            <ul class="hosts">
                { for v.hosts.iter().map(|h| {
                    let (cb, name) = (props.on_host.clone(), h.name.to_string());
                    let up = h.state == mail_lab_world::HostState::TakenDown;
                    let toggle = Callback::from(move |_| cb.emit((name.clone(), up)));
                    let show = {
                        let (pick, name) = (pick.clone(), h.name.to_string());
                        Callback::from(move |_| pick.emit(name.clone()))
                    };
                    // The switch is the hand's: a host down by its schedule can still be taken down.
                    let verb = if h.state == mail_lab_world::HostState::TakenDown { text::BRING_UP } else { text::TAKE_DOWN };
                    html! {
                        <li class={if h.up { "host up" } else { "host down" }}>
                            <span class="host-name">{ crate::i18n::bracketed(lang, h.name, &crate::i18n::host_state(lang, h.state)) }</span>
                            { " " }
                            <button onclick={toggle} aria-label={format!("{} {}", t(lang, verb), h.name)}>
                                { t(lang, verb) }
                            </button>
                            { " " }
                            // The switches are one visible button away, not behind the host's name.
                            <button class="settings" onclick={show} aria-expanded={(picked.as_deref() == Some(h.name)).to_string()}
                                aria-label={crate::i18n::settings_of(lang, h.name)}>
                                { t(lang, text::HOST_SETTINGS) }
                            </button>
                            if picked.as_deref() == Some(h.name) {
                                { host_details(h, lang, &props.on_policy, &props.on_txt) }
                            }
                        </li>
                    }
                }) }
            </ul>
            <h3>{ t(lang, text::QUEUE) }</h3>
            if v.queue.is_empty() {
                <p class="empty">{ t(lang, text::QUEUE_EMPTY) }</p>
            } else {
                <table class="queue">
                    <thead><tr>
                        { for [text::QUEUE_ID, text::QUEUE_HOST, text::QUEUE_RECIPIENTS, text::QUEUE_ATTEMPTS, text::QUEUE_NEXT_ATTEMPT, text::QUEUE_LAST_ERROR]
                            .into_iter().map(|h| html! { <th scope="col">{ t(lang, h) }</th> }) }
                    </tr></thead>
                    <tbody>
                        { for v.queue.iter().map(|q| html! {
                            <tr class="queued">
                                <td>{ &q.id }</td><td>{ &q.host }</td><td>{ &q.recipients }</td>
                                <td>{ q.attempts }</td><td>{ &q.next_attempt }</td><td>{ q.unreachable.map_or_else(|| q.last_error.to_string(), |e| crate::i18n::world_error(lang, e)) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            <h3>{ t(lang, text::TIMELINE) }</h3>
            // Empty, it says so (CSS shows data-empty): the DNS box below is not what happened.
            <ol class="timeline follow" role="log" data-empty={t(lang, text::TIMELINE_EMPTY)}>
                { for props.timeline.iter().map(|h| html! { <li>{ if lang == Lang::Ja { &h.ja } else { &h.en } }</li> }) }
            </ol>
        </section>
    }
}

/// A host's address, services, users and policies, each service and policy a switch.
fn host_details(
    h: &HostRow<'_>,
    lang: Lang,
    on_policy: &Callback<(String, Policy, bool)>,
    on_txt: &Callback<(String, String)>,
) -> Html {
    let switch = |policy: Policy, on: bool, label: String| {
        let (cb, name) = (on_policy.clone(), h.name.to_string());
        let flip = Callback::from(move |_| cb.emit((name.clone(), policy, !on)));
        html! { <label class="policy"><input type="checkbox" checked={on} onchange={flip} />{ label }</label> }
    };
    html! {
        <dl class="host-details">
            <dt>{ t(lang, text::ADDRESS) }</dt><dd>{ &h.address }</dd>
            <dt>{ t(lang, text::SERVICES) }</dt>
            <dd class="services">
                { for h.services.iter().map(|&(port, name, on)| switch(Policy::Service(port), on, format!("{port} {name}"))) }
            </dd>
            <dt>{ t(lang, text::USERS) }</dt><dd>{ if h.users.is_empty() { "—".to_string() } else { h.users.join(", ") } }</dd>
            <dt>{ t(lang, text::QUEUE) }</dt><dd>{ h.queued }</dd>
            <dt>{ t(lang, text::POLICIES) }</dt>
            <dd>
                if let Some((on, every)) = h.online {
                    <span class="policy">{ crate::i18n::online(lang, on, every) }</span>
                }
                { for h.switches.iter().map(|&(policy, on)| switch(policy, on, crate::i18n::policy(lang, policy))) }
            </dd>
            <dt>{ t(lang, text::TXT_RECORD) }</dt>
            <dd>
                <p class="note">{ t(lang, text::TXT_HINT) }</p>
                { for h.txt.iter().map(|&(domain, record)| {
                    let input = NodeRef::default();
                    let onsubmit = {
                        let (cb, input, domain) = (on_txt.clone(), input.clone(), domain.to_string());
                        Callback::from(move |e: SubmitEvent| {
                            e.prevent_default();
                            if let Some(field) = input.cast::<web_sys::HtmlInputElement>() {
                                cb.emit((domain.clone(), field.value()));
                            }
                        })
                    };
                    html! {
                        <form class="txt" {onsubmit}>
                            <label>{ domain }
                                <input ref={input} value={record.to_string()} spellcheck="false" maxlength="512"
                                    aria-label={format!("{domain} TXT")} />
                            </label>
                            <button type="submit">{ t(lang, text::SAVE) }</button>
                        </form>
                    }
                }) }
            </dd>
        </dl>
    }
}

/// What an eavesdropper on each link sees. Plain markup, not a component of
/// its own: it has no state, and each component costs page weight.
pub fn wiretap(tap: &[TapLine], lang: Lang) -> Html {
    html! {
        <section class="wiretap" id="wiretap" aria-label={t(lang, text::WIRETAP)}>
            <h2>{ t(lang, text::WIRETAP) }</h2>
            <p class="note">{ t(lang, text::WIRETAP_NOTE) }</p>
            // Kept in view: later lines (a relay's ciphertext) scroll the log past it.
            if let Some(l) = tap.iter().rev().find(|l| l.proof == Some(TapProof::PasswordInClear)) {
                <p class="caught"><strong class="warning">{ t(lang, text::LAST_PASSWORD_SEEN) }</strong>{ " " }<code>{ &l.text }</code>{ format!(" — {}", l.link) }</p>
            }
            <ol class="tap follow" role="log">
                { for tap.iter().enumerate().map(|(i, l)| {
                    // The link is named once for each run of lines on it.
                    let new_link = i == 0 || tap[i - 1].link != l.link;
                    let class = crate::view::class_list(&[
                        if l.to_server { "to-server" } else { "to-client" },
                        if l.encrypted { "encrypted" } else { "" },
                        match l.proof { Some(TapProof::PasswordInClear) => "secret", Some(TapProof::DigestOnly) => "digest", None => "" },
                    ]);
                    html! { <>
                        if new_link { <li class="tap-link">{ &l.link }</li> }
                        <li {class}>
                            <span class="link">{ if l.to_server { "→ " } else { "← " } }</span>
                            if l.encrypted { <span class="badge">{ t(lang, text::ENCRYPTED) }</span> }
                            <code>{ &l.text }</code>
                            if l.proof == Some(TapProof::PasswordInClear) { <strong class="warning">{ t(lang, text::PASSWORD_IN_CLEAR) }</strong> }
                            if l.proof == Some(TapProof::DigestOnly) { <strong class="digest-note">{ t(lang, text::DIGEST_ONLY) }</strong> }
                        </li>
                    </> }
                }) }
            </ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_lab_proto::sasl::{Mechanism, apop_digest, client_answer, decode_base64, encode_base64};
    use mail_lab_world::scenario;

    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    fn the_dns_box_lists_every_record_whole_and_cuts_only_an_overlong_one() {
        let mut world = scenario::two_domains();
        let long = format!("v=spf1 {}-all", "ip4:192.0.2.1 ".repeat(20));
        world.set_txt("a.example", vec![long.clone()]);
        world.set_txt("junk.example", vec!["x".repeat(100_000)]);
        let log = NetworkLog::default();
        let view = NetworkView::read(&world, &log);
        let rows = &view.map.mx;
        assert!(rows.contains(&"a.example MX 10 mail.a.example".to_string()), "{rows:?}");
        assert!(rows.contains(&"mail.a.example A 192.0.2.25".to_string()), "{rows:?}");
        assert!(rows.contains(&"pc.a.example A 192.0.2.10".to_string()), "{rows:?}");
        // 300 bytes of SPF in one row, its -all kept; the page wraps it.
        assert!(rows.contains(&format!("a.example TXT \"{long}\"")), "{rows:?}");
        let junk = rows.iter().find(|r| r.starts_with("junk.example TXT")).expect("the junk record");
        assert!(junk.len() <= DNS_RECORD + 4 && junk.ends_with(" …"), "{} bytes", junk.len());
    }

    /// Types `lines` into a new connection to mail.a.example:`port` and returns
    /// the wiretap's lines for it, as (text sent, label).
    fn tapped(
        port: u16,
        lines: &[&str],
        answer: impl Fn(&str, &str) -> Option<String>,
    ) -> Vec<(String, Option<TapProof>)> {
        let mut world = scenario::two_domains();
        let id = world.connect("pc.a.example", "mail.a.example", port).unwrap();
        let mut heard = String::from_utf8(world.take_output(id)).unwrap();
        for line in lines {
            let line = answer(line, &heard).unwrap_or_else(|| line.to_string());
            world.send(id, format!("{line}\r\n").as_bytes()).unwrap();
            heard = String::from_utf8(world.take_output(id)).unwrap();
        }
        let mut log = NetworkLog::default();
        log.catch_up(&world);
        log.tap().iter().filter(|l| l.to_server).map(|l| (l.text.clone(), l.proof)).collect()
    }

    fn label_of(tap: &[(String, Option<TapProof>)], prefix: &str) -> Option<TapProof> {
        tap.iter().find(|(text, _)| text.starts_with(prefix)).unwrap_or_else(|| panic!("{prefix} in {tap:?}")).1
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn each_login_proof_is_labelled_as_the_world_recorded_it() {
        use TapProof::{DigestOnly, PasswordInClear};
        let none = |_: &str, _: &str| None;
        // POP3 USER/PASS: the PASS line carries the password; USER does not.
        let tap = tapped(110, &["USER bob", "PASS bob-pw"], none);
        assert_eq!((label_of(&tap, "USER"), label_of(&tap, "PASS")), (None, Some(PasswordInClear)));
        // APOP: a digest of the greeting's timestamp and the password.
        let apop = |line: &str, heard: &str| {
            let stamp = &heard[heard.find('<')?..=heard.rfind('>')?];
            (line == "APOP").then(|| format!("APOP bob {}", apop_digest(stamp, "bob-pw")))
        };
        assert_eq!(label_of(&tapped(110, &["APOP"], apop), "APOP"), Some(DigestOnly));
        // SMTP AUTH PLAIN (one line) and LOGIN (the password is the last line).
        let plain = format!("AUTH PLAIN {}", encode_base64(b"\0alice\0alice-pw"));
        assert_eq!(label_of(&tapped(587, &["EHLO pc.a.example", &plain], none), "AUTH PLAIN"), Some(PasswordInClear));
        let login = tapped(587, &["EHLO pc.a.example", "AUTH LOGIN", "YWxpY2U=", "YWxpY2UtcHc="], none);
        assert_eq!((label_of(&login, "YWxpY2U="), label_of(&login, "YWxpY2UtcHc=")), (None, Some(PasswordInClear)));
        // CRAM-MD5 answers the server's challenge with a digest.
        let cram = |line: &str, heard: &str| {
            let challenge = decode_base64(heard.strip_prefix("334 ")?.trim())?;
            (line == "CRAM").then(|| encode_base64(&client_answer(Mechanism::CramMd5, "alice", "alice-pw", &challenge)))
        };
        let tap = tapped(587, &["EHLO pc.a.example", "AUTH CRAM-MD5", "CRAM"], cram);
        assert_eq!(tap.last().unwrap().1, Some(DigestOnly), "{tap:?}");
        // IMAP LOGIN in the clear.
        assert_eq!(label_of(&tapped(143, &["a1 LOGIN bob bob-pw"], none), "a1 LOGIN"), Some(PasswordInClear));
        // A wrong password logs nobody in: the world recorded no login to label.
        assert_eq!(label_of(&tapped(110, &["USER bob", "PASS wrong"], none), "PASS"), None);
        // Inside TLS the eavesdropper sees ciphertext only: no line is labelled.
        let tls = tapped(110, &["STLS", "USER bob", "PASS bob-pw"], none);
        assert!(tls.iter().all(|(_, proof)| proof.is_none()), "{tls:?}");
    }
}
