//! The page's single state and the actions that change it (the reducer). A
//! terminal's own state is in [`crate::terminal`], the mail client's in
//! [`crate::mail_client`].

use std::cell::RefCell;
use std::rc::Rc;

use mail_lab_world::{Service, World, scenario};
use yew::Reducible;

use crate::i18n::{LabNote, Lang};
use crate::lessons::{LESSONS, Progress, Step, newest_event};
pub use crate::mail_client::{Compose, ImapRow, MailClient, MuaOutcome, MuaStatus};
use crate::terminal::{HISTORY_LINES, LINE_CHARS, cut};
pub use crate::terminal::{Terminal, TranscriptLine};
use mail_lab_imap::ImapJob;

/// Everything the page shows.
#[derive(Debug)]
pub struct Lab {
    pub world: Rc<RefCell<World>>,
    pub terminals: Vec<Terminal>,
    pub lang: Lang,
    /// Accounts the mail client can use.
    pub watched: Vec<String>,
    /// The mailbox panes: which account, folder and first row each shows.
    pub panes: Vec<PaneView>,
    /// The message open in the inspector: account, folder and UID.
    pub selected: Option<(String, String, u32)>,
    /// The charset the inspector reads the open message's text with, in
    /// place of its label (`None`: as labelled). Only the reading changes.
    pub read_as: Option<String>,
    /// What the last action changed in the stores (the panes highlight it).
    pub just_changed: Vec<mail_lab_store::Change>,
    /// The outcome of the last file import, for the page to say.
    pub notice: Option<Notice>,
    /// Why the saved lab could not be read; while set, nothing is saved over it.
    pub storage_problem: Option<String>,
    /// The mail client: its form, its last dialogue and what it holds.
    pub client: MailClient,
    /// The host and port chosen in the "open terminal" form (empty host: the first).
    pub open_form: (String, u16),
    /// The host whose details the network panel shows.
    pub picked_host: Option<String>,
    /// The APOP calculator's timestamp and password.
    pub apop_input: (String, String),
    /// The terminal in front, and whether all are shown side by side instead.
    pub active_terminal: usize,
    pub side_by_side: bool,
    /// Every text large enough to read from the back of a classroom.
    pub projector: bool,
    /// Lessons done, the one in progress and the scenario the world came from.
    pub progress: Progress,
    /// The world or the progress changed since they were last saved.
    pub unsaved: bool,
    /// The last action could change the world: a folder that got mail shows
    /// it (after looking around, the panes stay where the learner put them).
    pub follow_new: bool,
    /// What the network panel and the wiretap have read of the event log.
    pub network_log: RefCell<crate::network::NetworkLog>,
    /// The lab as it was before a lesson brought its own world: the way back.
    pub aside: Option<Aside>,
    /// The syllabus is open over the bench.
    pub syllabus: bool,
}

/// A lab set aside when a lesson started from its own world, kept until the
/// learner goes back to it or lets it go.
#[derive(Debug)]
pub struct Aside {
    pub world: Rc<RefCell<World>>,
    pub scenario: String,
    /// The lesson that was active in it.
    pub lesson: Option<usize>,
}

/// The reducer's state: the lab, changed in place (never copied: an action
/// costs what it changes, not what the lab holds), a revision that grows
/// with every action, and the revision at which each part of the page last
/// had something new to show.
#[derive(Debug, Clone)]
pub struct Bench {
    pub lab: Rc<RefCell<Lab>>,
    pub revision: u64,
    pub shown: Shown,
}

impl Bench {
    pub fn new(lab: Lab) -> Self {
        Bench { lab: Rc::new(RefCell::new(lab)), revision: 0, shown: Shown::default() }
    }
}

/// A part of the page that renders on its own (`view::PartView`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Lessons,
    Terminal(usize),
    Panes,
    Inspector,
    Network,
    MailClient,
}

/// The revision of the last action that could change what each part shows.
/// Kept in the reducer, not the lab: a reset replaces the lab, and a part's
/// stamp must never come back to a value it was rendered with.
#[derive(Debug, Clone, Default)]
pub struct Shown {
    /// Every part: the language, and any action that can change the world.
    all: u64,
    lessons: u64,
    /// Which terminal is in front, or all side by side.
    terminals: u64,
    panes: u64,
    inspector: u64,
    /// The open message's stored bytes at the inspector's last stamp (held,
    /// so no other message can come to live at that address): a world change
    /// that leaves them in place does not make it read the message again.
    inspector_bytes: Option<std::sync::Arc<[u8]>>,
    network: u64,
    mail_client: u64,
}

impl Shown {
    /// Note which parts `action`, done at `revision`, can change. An action
    /// not named here changes them all, so a new one is never left unseen.
    fn mark(&mut self, action: &Action, revision: u64) {
        match action {
            Action::View { .. } | Action::AddPane(_) => self.panes = revision,
            // The map draws the open message's route.
            // The map draws the open message's route.
            Action::Select(_) => (self.inspector, self.network) = (revision, revision),
            Action::ReadAs(_) => self.inspector = revision,
            // The inspector takes no other action's stamp (`Shown::look_at`).
            Action::SetLang(_) => (self.all, self.inspector) = (revision, revision),
            Action::SideBySide(_) => self.terminals = revision,
            // A lesson step's line goes into the command box in front.
            Action::ShowTerminal(_) => (self.terminals, self.lessons) = (revision, revision),
            Action::PickHost(_) => self.network = revision,
            Action::Draft(_) => self.mail_client = revision,
            Action::ApopInput(..) | Action::LetAsideGo | Action::Syllabus(_) => self.lessons = revision,
            // The page's own header and forms, outside every part; a terminal's
            // props carry its scroll position (`view::app`).
            Action::Projector(_) | Action::OpenForm(..) | Action::ScrollTranscript { .. } => {}
            _ => self.all = revision,
        }
    }

    /// After an action: stamp the inspector if the open message's bytes are
    /// not the ones it showed (another message, none, another world).
    fn look_at(&mut self, lab: &Lab, revision: u64) {
        let bytes = lab.open_message(&lab.world.borrow()).map(|m| m.raw.clone());
        let same = match (&self.inspector_bytes, &bytes) {
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
            (a, b) => a.is_none() && b.is_none(),
        };
        if !same {
            self.inspector = revision;
            self.inspector_bytes = bytes;
        }
    }

    /// A number that changes whenever `part` may show something new.
    pub fn stamp(&self, part: Part) -> u64 {
        match part {
            Part::Inspector => self.inspector,
            Part::Lessons => self.all.max(self.lessons),
            Part::Terminal(_) => self.all.max(self.terminals),
            Part::Panes => self.all.max(self.panes),
            Part::Network => self.all.max(self.network),
            Part::MailClient => self.all.max(self.mail_client),
        }
    }
}

impl PartialEq for Bench {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lab, &other.lab) && self.revision == other.revision
    }
}

/// Where a mailbox pane looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaneView {
    pub account: String,
    pub folder: String,
    /// The first message row in view (the rows before it are not rendered).
    pub first: usize,
}

impl PaneView {
    /// A pane opens at the top of its account's INBOX.
    fn at_inbox(account: String) -> Self {
        PaneView { account, folder: mail_lab_store::INBOX.to_string(), first: 0 }
    }

    fn back_to_inbox(&mut self) {
        (self.folder, self.first) = (mail_lab_store::INBOX.to_string(), 0);
    }
}

/// The outcome of an import, shown until the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Imported {
        count: usize,
        account: String,
        folder: String,
    },
    LabImported,
    ImportFailed(String),
    /// The file chosen to open a saved lab is not one this page reads.
    LabUnreadable(mail_lab_world::SnapshotError),
    /// The file is longer than a mailbox's quota: it was not read whole.
    TooLarge,
    /// The account has no room for every message of the file: none was stored.
    OverQuota(String),
}

/// Longest TXT record the host panel sets, in characters: about what one
/// DNS answer over UDP holds (RFC 7208 §3.4 keeps SPF records under 450 octets).
pub const MAX_TXT: usize = 512;

/// What a learner can do.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send one typed line (CRLF is added) on a terminal.
    SendLine {
        terminal: usize,
        line: String,
    },
    /// Open a new terminal: `telnet host port` from the learner's PC.
    Open {
        host: String,
        port: u16,
    },
    SetLang(Lang),
    /// Open a message in the inspector (or close it with `None`).
    Select(Option<(String, String, u32)>),
    /// Read the open message's text with this charset (`None`: as labelled).
    ReadAs(Option<String>),
    /// Show a folder in an account's pane, from row `first`.
    View {
        account: String,
        folder: String,
        first: usize,
    },
    /// Put the messages of an .eml or mbox file into a folder.
    Import {
        account: String,
        folder: String,
        name: String,
        bytes: Vec<u8>,
    },
    /// Replace the world by a saved lab (the text [`World::to_compact`] writes).
    ImportLab(Vec<u8>),
    /// Start again from the built-in world (after the learner confirmed), also
    /// the way out of an unreadable saved lab.
    Reset,
    /// Move the logical clock forward (retries and outages happen on the way).
    Advance(u64),
    /// Advance until every queue is empty (or gives up).
    RunUntilIdle,
    /// Take a host down or bring it back up.
    SetHostUp {
        host: String,
        up: bool,
    },
    /// Switch a host policy or service on or off.
    SetPolicy {
        host: String,
        policy: mail_lab_world::Policy,
        on: bool,
    },
    /// Replace the SPF record of a DNS name (none when `text` is blank); its
    /// other TXT records stay.
    SetTxt {
        name: String,
        text: String,
    },
    /// The mail client sends what was composed, through submission (587).
    Send(Compose),
    /// The mail client fetches new mail for an account with POP3 (110).
    CheckMail {
        account: String,
    },
    /// The mail client lists an account's INBOX over IMAP (143, STARTTLS).
    CheckMailImap {
        account: String,
    },
    /// The mail client moves a message to Trash over IMAP.
    MoveToTrash {
        account: String,
        uid: u32,
    },
    /// The mail client keeps an IMAP session in IDLE on the INBOX (or stops).
    Watch {
        account: String,
        on: bool,
    },
    /// Bring a terminal to the front.
    ShowTerminal(usize),
    /// Show every terminal at once (true) or one at a time in tabs (false).
    SideBySide(bool),
    /// Projector mode on or off.
    Projector(bool),
    /// Where a terminal's transcript is scrolled to: its first row in view, or
    /// `None` to follow the newest line.
    ScrollTranscript {
        terminal: usize,
        top: Option<usize>,
    },
    /// Add a mailbox pane for an account.
    AddPane(String),
    /// The host and port picked in the "open terminal" form.
    OpenForm(String, u16),
    /// What is typed into the mail client's compose form.
    Draft(Compose),
    /// Open a host's details in the network panel, or close them if open.
    PickHost(String),
    /// What is typed into the APOP calculator: timestamp and password.
    ApopInput(String, String),
    /// Make this lesson the active one; its goal counts from now on. A lesson
    /// on another scenario starts from its own world, and the lab left is set
    /// aside (the first one only: the view asks before a later one is replaced).
    StartLesson(usize),
    /// Back to the lab set aside.
    BackToAside,
    /// Forget the lab set aside.
    LetAsideGo,
    /// Open or close the syllabus.
    Syllabus(bool),
}

impl Action {
    /// True for actions that only change what is shown, never the world.
    fn looks_only(&self) -> bool {
        matches!(
            self,
            Action::View { .. }
                | Action::Select(_)
                | Action::ReadAs(_)
                | Action::SetLang(_)
                | Action::ShowTerminal(_)
                | Action::SideBySide(_)
                | Action::Projector(_)
                | Action::ScrollTranscript { .. }
                | Action::AddPane(_)
                | Action::PickHost(_)
                | Action::OpenForm(..)
                | Action::Draft(_)
                | Action::ApopInput(..)
                | Action::LetAsideGo
                | Action::Syllabus(_)
        )
    }
}

/// The accounts the learner watches: the scenario's learner accounts, or
/// else every account but the postmasters'.
fn learner_accounts(world: &World) -> Vec<String> {
    if !world.learner_accounts().is_empty() {
        return world.learner_accounts().to_vec();
    }
    let accounts = world.hosts().iter().flat_map(|h| h.store.accounts()).map(|a| a.address.clone());
    accounts.filter(|a| !a.starts_with("postmaster@")).collect()
}

impl Lab {
    /// The saved lab, or on the first visit the two-domain world, a terminal to
    /// mail.a.example:25, the mailboxes in view and the first lesson started.
    pub fn new(lang: Lang) -> Self {
        let saved = crate::persist::load_progress();
        let mut progress = saved.clone().unwrap_or_else(|| Progress {
            active: Some(0),
            scenario: LESSONS[0].scenario.to_string(),
            ..Progress::default()
        });
        let (world, storage_problem) = match crate::persist::load() {
            Ok(Some(mut world)) => {
                // Saved before worlds named the learner's accounts: its scenario's.
                if world.learner_accounts().is_empty()
                    && let Some(fresh) = scenario::by_name(&progress.scenario)
                {
                    world.set_learner_accounts(fresh.learner_accounts().to_vec());
                }
                (world, None)
            }
            Ok(None) => (scenario::by_name(&progress.scenario).unwrap_or_else(scenario::two_domains), None),
            Err(why) => (scenario::two_domains(), Some(why)),
        };
        progress.since = newest_event(&world);
        let mut lab = Lab::with_world(lang, world, progress);
        lab.storage_problem = storage_problem;
        lab.aside = crate::persist::load_aside();
        lab
    }

    /// A lab on `world` with one terminal open to the learner's mail host, port 25.
    pub fn with_world(lang: Lang, world: World, progress: Progress) -> Self {
        let accounts = learner_accounts(&world);
        let mut lab = Lab {
            world: Rc::new(RefCell::new(world)),
            terminals: Vec::new(),
            lang,
            panes: accounts.iter().map(|a| PaneView::at_inbox(a.clone())).collect(),
            watched: accounts,
            selected: None,
            read_as: None,
            just_changed: Vec::new(),
            notice: None,
            storage_problem: None,
            client: MailClient::default(),
            open_form: (String::new(), Service::Smtp.default_port()),
            picked_host: None,
            apop_input: (String::new(), String::new()),
            active_terminal: 0,
            side_by_side: false,
            projector: false,
            progress,
            unsaved: false,
            follow_new: false,
            network_log: RefCell::default(),
            aside: None,
            syllabus: false,
        };
        lab.fresh_client();
        lab.open_home();
        lab
    }

    /// The machine the learner sits at (terminals and the mail client connect from it).
    pub(crate) fn learner_pc(&self) -> String {
        self.world.borrow().learner().map(|c| c.name.clone()).unwrap_or_default()
    }

    /// A terminal to the learner's own mail host, port 25.
    fn open_home(&mut self) {
        let home = self.world.borrow().home_host().unwrap_or_default().to_string();
        self.open(&home, Service::Smtp.default_port());
    }

    /// The mail client's form as on a new machine: an empty draft from its
    /// own account, whose password the APOP calculator starts with.
    fn fresh_client(&mut self) {
        let own = self.watched.first().cloned().unwrap_or_default();
        let password = self.home(&own).map(|(_, password)| password).unwrap_or_default();
        self.client.draft = Compose { from: own, ..Compose::default() };
        self.client.status = None;
        self.apop_input = (String::new(), password);
    }

    /// Make lesson `index` the active one. A lesson on another scenario gets
    /// a fresh world of that scenario; one whose steps start with `telnet`
    /// gets a fresh terminal at a prompt (open sessions are closed, which also
    /// releases POP3 maildrop locks).
    pub fn start_lesson(&mut self, index: usize) {
        let Some(lesson) = LESSONS.get(index) else { return };
        if lesson.scenario != self.progress.scenario
            && let Some(world) = scenario::by_name(lesson.scenario)
        {
            let (scenario, active) = (self.progress.scenario.clone(), self.progress.active);
            let left = self.replace_world(Rc::new(RefCell::new(world)), lesson.scenario);
            // The first lab left this way is kept (not each lesson's world after it).
            if self.aside.is_none() {
                self.aside = Some(Aside { world: left, scenario, lesson: active });
                crate::persist::save_aside(self.aside.as_ref());
            }
        }
        if let Some(Step::Type(first)) = lesson.steps.iter().find(|s| matches!(s, Step::Type(_)))
            && first.starts_with("telnet ")
        {
            self.close_terminals();
            self.terminals.push(Terminal::at_prompt(0, self.learner_pc()));
            self.active_terminal = 0;
        } else if self.terminals.iter().all(|t| !t.open) {
            self.terminals.clear();
            self.open_home();
            self.active_terminal = 0;
        }
        // A new lesson starts with a clean form, not the last lesson's draft.
        self.fresh_client();
        self.progress.active = Some(index);
        self.progress.since = newest_event(&self.world.borrow());
    }

    /// Hang up every open terminal's session (which also releases POP3
    /// maildrop locks) and remove the terminals.
    fn close_terminals(&mut self) {
        let mut world = self.world.borrow_mut();
        for conn in self.terminals.iter().filter_map(|t| t.connection.filter(|_| t.open)) {
            world.disconnect(conn);
        }
        drop(world);
        self.terminals.clear();
    }

    /// Put `world` in place of the current one and return the one left: the
    /// terminals' and the mail client's sessions there are hung up first (the
    /// world left is whole if it comes back), and nothing of it stays in view.
    fn replace_world(&mut self, world: Rc<RefCell<World>>, scenario: &str) -> Rc<RefCell<World>> {
        self.close_terminals();
        if let Some((_, conn, _)) = self.client.idle.take() {
            self.world.borrow_mut().disconnect(conn);
        }
        let left = std::mem::replace(&mut self.world, world);
        self.network_log = RefCell::default();
        self.progress.scenario = scenario.to_string();
        self.client.log.clear();
        self.client.inbox.clear();
        self.client.seen.clear();
        self.client.imap.clear();
        self.client.pushed.clear();
        self.selected = None;
        self.read_as = None;
        self.just_changed.clear();
        // Another world's folders and rows say nothing about this one.
        self.panes.iter_mut().for_each(PaneView::back_to_inbox);
        left
    }

    /// Back to the lab set aside, with the lesson that was active in it; the
    /// lesson's world is let go.
    fn back_to_aside(&mut self) {
        let Some(aside) = self.aside.take() else { return };
        self.replace_world(aside.world, &aside.scenario);
        // Saved by another build, the lesson may not exist any more.
        self.progress.active = aside.lesson.filter(|&i| i < LESSONS.len());
        self.progress.since = newest_event(&self.world.borrow());
        self.open_home();
        self.active_terminal = 0;
        self.fresh_client();
        crate::persist::save_aside(None);
    }

    fn open(&mut self, host: &str, port: u16) {
        let id = self.terminals.len();
        let mut term = Terminal::at_prompt(id, self.learner_pc());
        term.transcript.clear();
        term.host = host.to_string();
        term.port = port;
        self.terminals.push(term);
        self.connect_terminal(id);
    }

    /// Connect terminal `index` to its host and port, as `telnet host port` does.
    fn connect_terminal(&mut self, index: usize) {
        let Some(term) = self.terminals.get_mut(index) else { return };
        let mut world = self.world.borrow_mut();
        let (host, port) = (term.host.clone(), term.port);
        term.push(TranscriptLine::Lab(LabNote::Trying { host: host.clone(), port }));
        match world.connect(&term.client, &host, port) {
            Ok(conn) => {
                term.connection = Some(conn);
                term.open = true;
                term.encrypted = world.is_encrypted(conn);
                term.protocol = world.connection_info(conn).map(|i| i.service.protocol());
                let note = if term.encrypted { LabNote::ConnectedInsideTls } else { LabNote::Connected };
                term.push(TranscriptLine::Lab(note));
                let greeting = world.take_output(conn);
                term.absorb_server_bytes(&greeting);
                term.hint = world.hint(conn);
            }
            Err(e) => {
                term.open = false;
                term.hint = None;
                term.push(TranscriptLine::Lab(LabNote::World(e)));
            }
        }
    }

    fn send_line(&mut self, index: usize, line: String) {
        let Some(term) = self.terminals.get_mut(index) else { return };
        term.push(TranscriptLine::Client(line.clone(), term.protocol.filter(|_| term.open)));
        // In DATA a leading dot is transparency, not text: say what will be stored.
        let in_data = term.open && term.hint.as_ref().is_some_and(|h| h.reads_message_text);
        if in_data && line.len() > 1 && line.starts_with('.') {
            let stored = line[1..].to_string();
            let note =
                if line.starts_with("..") { LabNote::DotStuffed { stored } } else { LabNote::DotRemoved { stored } };
            term.push(TranscriptLine::Lab(note));
        }
        if !line.is_empty() && term.history.last() != Some(&line) {
            if term.history.len() == HISTORY_LINES {
                term.history.remove(0);
            }
            let mut recalled = line.clone();
            cut(&mut recalled, LINE_CHARS);
            term.history.push(recalled);
        }
        let Some(conn) = term.connection.filter(|_| term.open) else {
            // A closed terminal is a shell prompt: `telnet host port` reconnects.
            let words: Vec<&str> = line.split_whitespace().collect();
            if let ["telnet", host, port] = words.as_slice()
                && let Ok(port) = port.parse::<u16>()
            {
                term.host = host.to_string();
                term.port = port;
                term.encrypted = false;
                return self.connect_terminal(index);
            }
            term.push(TranscriptLine::Lab(LabNote::NotConnected));
            return;
        };
        // A real telnet would send it too; the lab then says why the server balked.
        let telnet_again = line.split_whitespace().next().is_some_and(|w| w.eq_ignore_ascii_case("telnet"));
        // In DATA, a line shaped like a command is message text: a forgotten "." line.
        let telnet_command = telnet_again
            && matches!(line.split_whitespace().collect::<Vec<_>>().as_slice(), [_, _, port] if port.parse::<u16>().is_ok());
        let typed_command = in_data && (telnet_command || looks_like_smtp_command(&line));
        let typed = typed_command.then(|| line.clone());
        let mut world = self.world.borrow_mut();
        let mut bytes = line.into_bytes();
        bytes.extend_from_slice(b"\r\n");
        if let Err(e) = world.send(conn, &bytes) {
            term.push(TranscriptLine::Lab(LabNote::World(e)));
        }
        term.catch_up(&mut world);
        if let Some(typed) = typed {
            term.push(TranscriptLine::Lab(LabNote::CommandInData { typed }));
        } else if telnet_again && term.open && !in_data {
            let (host, port) = (term.host.clone(), term.port);
            term.push(TranscriptLine::Lab(LabNote::StillConnected { host, port }));
        }
    }

    /// Show what every open terminal's server sent meanwhile: IDLE pushes,
    /// a timeout's goodbye, a close.
    fn refresh_terminals(&mut self) {
        let mut world = self.world.borrow_mut();
        for term in self.terminals.iter_mut().filter(|t| t.open) {
            term.catch_up(&mut world);
        }
    }
}

/// A line a learner would type as an SMTP command (not a sentence that starts with
/// "Mail" or "Help"): a verb alone, or a verb with the argument it takes.
fn looks_like_smtp_command(line: &str) -> bool {
    let upper = line.trim().to_ascii_uppercase();
    ["QUIT", "RSET", "DATA", "NOOP", "EHLO", "HELO", "STARTTLS", "HELP"].contains(&upper.as_str())
        || [
            "MAIL FROM:",
            "MAIL FROM <",
            "RCPT TO:",
            "RCPT TO <",
            "EHLO ",
            "HELO ",
            "AUTH PLAIN",
            "AUTH LOGIN",
            "AUTH CRAM-MD5",
        ]
        .iter()
        .any(|p| upper.starts_with(p))
        || ["VRFY ", "EXPN "].iter().any(|p| upper.starts_with(p) && !upper[p.len()..].contains(' '))
}

impl Reducible for Bench {
    type Action = Action;

    /// Saving is not done here: the page saves after a pause (`persist::save_lab`).
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let revision = self.revision + 1;
        let mut shown = self.shown.clone();
        shown.mark(&action, revision);
        {
            let mut lab = self.lab.borrow_mut();
            // Looking around (scrolling, opening, language) changes nothing worth saving.
            let looks_only = action.looks_only();
            lab.apply(action);
            lab.unsaved |= !looks_only;
            // A pane that followed new mail to its end stays where it is now.
            if lab.follow_new && looks_only {
                shown.panes = revision;
            }
            lab.follow_new = !looks_only;
            shown.look_at(&lab, revision);
        }
        Rc::new(Bench { lab: self.lab.clone(), revision, shown })
    }
}

impl Lab {
    /// The message open in the inspector, if it is still stored.
    pub fn open_message<'w>(&self, world: &'w World) -> Option<&'w mail_lab_store::StoredMessage> {
        let (account, folder, uid) = self.selected.as_ref()?;
        world.store_for(account)?.folder(account, folder)?.message(*uid)
    }

    /// Do `action`, then see whether it reached the active lesson's goal.
    pub fn apply(&mut self, action: Action) {
        let before: Vec<u64> = self.world.borrow().hosts().iter().map(|h| h.store.revision()).collect();
        let world_before = Rc::clone(&self.world);
        let looks_only = action.looks_only();
        self.act(action);
        if !looks_only {
            self.refresh_terminals();
            self.mua_hear();
            // Revisions of another world say nothing about this one.
            let same_world = Rc::ptr_eq(&world_before, &self.world);
            self.just_changed = if same_world { self.changes_since(&before) } else { Vec::new() };
            self.show_new_mail();
        }
        self.progress.check(&self.world.borrow());
    }

    /// A pane whose folder just got mail shows its end (new mail has the
    /// highest UIDs, and the page scrolls its newest row into view), and stays
    /// there until the learner scrolls. A pane whose folder did not change,
    /// while another folder of its account got mail or flags (a COPY, a DMARC
    /// quarantine to Junk, a copy kept in Sent), shows that folder: the learner
    /// sees what the command caused. A pane whose folder is gone (a DELETE)
    /// shows INBOX.
    fn show_new_mail(&mut self) {
        use mail_lab_store::ChangeKind;
        let world = self.world.borrow();
        let changed = &self.just_changed;
        for pane in &mut self.panes {
            let store = world.store_for(&pane.account);
            let account = pane.account.clone();
            let folder_of = |name: &str| store.and_then(|s| s.folder(&account, name));
            if folder_of(&pane.folder).is_none() {
                pane.back_to_inbox();
            }
            let mine = || changed.iter().filter(|c| c.account.eq_ignore_ascii_case(&account));
            let elsewhere = |appended: bool| {
                mine().rev().find(|c| {
                    let kind = match c.kind {
                        ChangeKind::Appended { .. } => appended,
                        ChangeKind::FlagsChanged { .. } => !appended,
                        _ => false,
                    };
                    kind && folder_of(&c.folder).is_some()
                })
            };
            // Mail that arrived somewhere is shown before flags set somewhere;
            // a folder shown anew starts at its top (as a click on its tab does),
            // or at its end for mail just arrived (below).
            if !mine().any(|c| c.folder == pane.folder)
                && let Some(c) = elsewhere(true).or_else(|| elsewhere(false))
            {
                (pane.folder, pane.first) = (c.folder.clone(), 0);
            }
            let got_mail = mine().any(|c| c.folder == pane.folder && matches!(c.kind, ChangeKind::Appended { .. }));
            if got_mail && let Some(folder) = folder_of(&pane.folder) {
                pane.first = folder.messages.len().saturating_sub(crate::mailbox::WINDOW);
            }
        }
    }

    /// The store changes made after each host's store was at `before`.
    fn changes_since(&self, before: &[u64]) -> Vec<mail_lab_store::Change> {
        let world = self.world.borrow();
        let hosts = world.hosts();
        if hosts.len() != before.len() {
            return Vec::new(); // a new world: nothing to compare with
        }
        hosts
            .iter()
            .zip(before)
            .filter_map(|(h, &rev)| h.store.changes_since(rev))
            .flat_map(|changes| changes.cloned().collect::<Vec<_>>())
            .collect()
    }

    fn import(&mut self, account: &str, folder: &str, name: &str, bytes: &[u8]) {
        // files::read_chosen stops one byte past a mailbox's quota: a file that long
        // could never fit, and its last message would be cut.
        if bytes.len() >= crate::files::READ_LIMIT {
            return self.notice = Some(Notice::TooLarge);
        }
        let lower = name.to_ascii_lowercase();
        let messages: Vec<Vec<u8>> = if lower.ends_with(".mbox") || bytes.starts_with(b"From ") {
            mail_lab_message::mbox::import(bytes).into_iter().map(|m| m.raw).collect()
        } else {
            vec![mail_lab_message::mbox::from_eml(bytes)]
        };
        let count = messages.len();
        self.notice = Some(match self.world.borrow_mut().import_messages(account, folder, messages) {
            Ok(_) => Notice::Imported { count, account: account.to_string(), folder: folder.to_string() },
            Err(mail_lab_store::StoreError::OverQuota(account)) => Notice::OverQuota(account),
            Err(e) => Notice::ImportFailed(e.to_string()),
        });
    }

    fn import_lab(&mut self, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        match World::from_compact(&text) {
            Ok(world) => {
                let mut progress = self.progress.clone();
                progress.since = newest_event(&world);
                let (projector, aside) = (self.projector, self.aside.take());
                *self = Lab::with_world(self.lang, world, progress);
                (self.projector, self.aside) = (projector, aside);
                self.notice = Some(Notice::LabImported);
            }
            Err(e) => self.notice = Some(Notice::LabUnreadable(e)),
        }
    }

    fn act(&mut self, action: Action) {
        let next = self;
        match action {
            Action::SendLine { terminal, line } => next.send_line(terminal, line),
            Action::Open { host, port } => {
                next.open(&host, port);
                next.active_terminal = next.terminals.len() - 1;
            }
            Action::ShowTerminal(index) => next.active_terminal = index.min(next.terminals.len().saturating_sub(1)),
            Action::SideBySide(on) => next.side_by_side = on,
            Action::Projector(on) => next.projector = on,
            Action::ScrollTranscript { terminal, top } => {
                if let Some(term) = next.terminals.get_mut(terminal) {
                    term.view_top = top;
                }
            }
            Action::PickHost(host) => {
                next.picked_host = if next.picked_host.as_ref() == Some(&host) { None } else { Some(host) };
            }
            Action::ApopInput(stamp, password) => next.apop_input = (stamp, password),
            Action::OpenForm(host, port) => next.open_form = (host, port),
            Action::Draft(draft) => next.client.draft = draft,
            Action::AddPane(account) => {
                if !next.panes.iter().any(|p| p.account == account) {
                    next.panes.push(PaneView::at_inbox(account));
                }
            }
            Action::SetLang(lang) => next.lang = lang,
            Action::Select(selection) => {
                // Another message is read as labelled until the learner picks again.
                if next.selected != selection {
                    next.read_as = None;
                }
                next.selected = selection;
            }
            Action::ReadAs(charset) => next.read_as = charset,
            Action::Advance(ms) => next.world.borrow_mut().advance(ms),
            Action::RunUntilIdle => next.world.borrow_mut().run_until_idle(),
            Action::SetHostUp { host, up } => {
                if let Some(h) = next.world.borrow_mut().host_mut(&host) {
                    h.up = up;
                }
            }
            Action::SetPolicy { host, policy, on } => {
                next.world.borrow_mut().set_policy(&host, policy, on);
            }
            Action::SetTxt { name, text } => {
                // A DNS answer holds a few hundred octets; a longer paste is cut.
                let text: String = text.trim().chars().take(MAX_TXT).collect();
                next.world.borrow_mut().set_spf_record(&name, &text);
            }
            Action::Send(compose) => next.mua_send(&compose),
            Action::CheckMail { account } => next.mua_check(&account),
            Action::CheckMailImap { account } => next.mua_check_imap(&account, Vec::new()),
            Action::MoveToTrash { account, uid } => {
                next.mua_check_imap(&account, vec![ImapJob::Move { uid, to: "Trash".into() }])
            }
            Action::Watch { account, on } => next.mua_watch(&account, on),
            Action::Reset => {
                let world = scenario::by_name(&next.progress.scenario).unwrap_or_else(scenario::two_domains);
                let mut progress = next.progress.clone();
                progress.since = newest_event(&world);
                let (projector, aside) = (next.projector, next.aside.take());
                *next = Lab::with_world(next.lang, world, progress);
                // The lab set aside is the learner's: a reset of this one keeps it.
                (next.projector, next.aside) = (projector, aside);
            }
            Action::StartLesson(index) => next.start_lesson(index),
            Action::BackToAside => next.back_to_aside(),
            Action::LetAsideGo => {
                next.aside = None;
                crate::persist::save_aside(None);
            }
            Action::Syllabus(open) => next.syllabus = open,
            Action::View { account, folder, first } => {
                if let Some(p) = next.panes.iter_mut().find(|p| p.account == account) {
                    p.folder = folder;
                    p.first = first;
                }
            }
            Action::Import { account, folder, name, bytes } => next.import(&account, &folder, &name, &bytes),
            Action::ImportLab(bytes) => next.import_lab(&bytes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::TRANSCRIPT_LINES;

    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_host_panel_replaces_a_names_spf_record_and_keeps_its_other_txt_records() {
        let mut lab = Lab::new(Lang::En);
        lab.world.borrow_mut().add_txt("a.example", "google-site-verification=abc");
        let set = |lab: &mut Lab, text: &str| lab.apply(Action::SetTxt { name: "A.example".into(), text: text.into() });
        set(&mut lab, "  v=spf1 ip4:192.0.2.10 -all ");
        assert_eq!(lab.world.borrow().txt("a.example"), ["google-site-verification=abc", "v=spf1 ip4:192.0.2.10 -all"]);
        set(&mut lab, &format!("v=spf1 {}", "x".repeat(10_000)));
        assert_eq!(lab.world.borrow().spf_record("a.example").map(str::len), Some(MAX_TXT), "a long paste is cut");
        set(&mut lab, " ");
        assert_eq!(
            lab.world.borrow().txt("a.example"),
            ["google-site-verification=abc"],
            "blank removes the SPF record only"
        );
        // A world change: the lab is saved after it.
        assert!(!Action::SetTxt { name: String::new(), text: String::new() }.looks_only());
    }

    fn bob_inbox_len(lab: &Lab) -> usize {
        lab.world.borrow().store_for("bob@a.example").unwrap().folder("bob@a.example", "INBOX").unwrap().messages.len()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_file_past_a_mailboxs_quota_is_refused_whole() {
        let mut lab = Lab::new(Lang::En);
        // What files::read_chosen hands over for a bigger file: its first READ_LIMIT bytes.
        let mut mbox = b"From alice@a.example Thu Jan  1 00:00:00 1970\nSubject: big\n\n".to_vec();
        mbox.resize(crate::files::READ_LIMIT, b'x');
        let (account, folder) = (String::from("bob@a.example"), String::from("INBOX"));
        lab.apply(Action::Import { account, folder, name: "big.mbox".into(), bytes: mbox });
        assert_eq!(lab.notice, Some(Notice::TooLarge));
        // Nothing of it was stored: not even a message cut short at the limit.
        assert_eq!(bob_inbox_len(&lab), 0);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn an_mbox_that_does_not_fit_stores_none_of_its_messages() {
        let mut lab = Lab::new(Lang::En);
        let room = mail_lab_store::ACCOUNT_STORAGE_LIMIT - 100_000;
        lab.world.borrow_mut().import_messages("bob@a.example", "INBOX", vec![vec![b'x'; room]]).unwrap();
        let message = |n: usize| {
            format!("From alice@a.example Thu Jan  1 00:00:00 1970\nSubject: {n}\n\n{}\n", "y".repeat(60_000))
        };
        let mbox = format!("{}{}", message(1), message(2)).into_bytes();
        let (account, folder) = (String::from("bob@a.example"), String::from("INBOX"));
        lab.apply(Action::Import { account, folder, name: "two.mbox".into(), bytes: mbox });
        assert_eq!(lab.notice, Some(Notice::OverQuota("bob@a.example".into())));
        assert_eq!(bob_inbox_len(&lab), 1);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_inspector_renders_again_only_when_what_it_shows_changes() {
        let bench = Rc::new(Bench::new(Lab::new(Lang::En)));
        let eml = b"Subject: big\r\n\r\nbody\r\n".to_vec();
        let (account, folder) = (String::from("bob@a.example"), String::from("INBOX"));
        let bench = bench.reduce(Action::Import { account: account.clone(), folder, name: "a.eml".into(), bytes: eml });
        let before = bench.shown.stamp(Part::Inspector);
        let mut bench = bench.reduce(Action::Select(Some((account.clone(), "INBOX".into(), 1))));
        let opened = bench.shown.stamp(Part::Inspector);
        assert!(opened > before, "opening a message shows it");
        // A line typed in a terminal changes the world, not the open message.
        // So does new mail in the open message's own folder.
        let lines = [
            "EHLO pc.a.example",
            "MAIL FROM:<alice@a.example>",
            "RCPT TO:<bob@a.example>",
            "DATA",
            "Subject: more",
            "",
            "hi",
            ".",
        ];
        for line in lines {
            bench = bench.reduce(Action::SendLine { terminal: 0, line: line.into() });
        }
        assert_eq!(bob_inbox_len(&bench.lab.borrow()), 2, "the new mail is stored");
        assert_eq!(bench.shown.stamp(Part::Inspector), opened);
        let bench = bench.reduce(Action::ReadAs(Some("ISO-2022-JP".into())));
        let read_as = bench.shown.stamp(Part::Inspector);
        assert!(read_as > opened);
        let bench = bench.reduce(Action::SetLang(Lang::Ja));
        let ja = bench.shown.stamp(Part::Inspector);
        assert!(ja > read_as);
        // The open message moved to Trash: the inspector no longer finds it.
        let bench = bench.reduce(Action::MoveToTrash { account, uid: 1 });
        assert!(bench.lab.borrow().open_message(&bench.lab.borrow().world.borrow()).is_none());
        assert!(bench.shown.stamp(Part::Inspector) > ja);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_pane_that_followed_new_mail_stays_at_its_end_after_looking_around() {
        // Through the reducer, as the page does it.
        let bench = Rc::new(Bench::new(Lab::new(Lang::En)));
        let mbox: String = (1..=100)
            .map(|n| format!("From alice@a.example Thu Jan  1 00:00:00 1970\nSubject: {n}\n\nbody\n\n"))
            .collect();
        let (account, folder) = (String::from("bob@a.example"), String::from("INBOX"));
        let bench = bench.reduce(Action::Import { account, folder, name: "a.mbox".into(), bytes: mbox.into_bytes() });
        let bob = |bench: &Bench| {
            let lab = bench.lab.borrow();
            let pane = crate::mailbox::summarize(&lab, &lab.panes[0]);
            (pane.account, pane.first, pane.follow)
        };
        let end = 100 - crate::mailbox::WINDOW;
        assert_eq!(bob(&bench), ("bob@a.example".into(), end, true));
        let panes = bench.shown.stamp(Part::Panes);
        // Typing in the mail client changes nothing in the pane but its following,
        // and the pane is rendered again for that, once.
        let bench = bench.reduce(Action::Draft(crate::mail_client::Compose::default()));
        assert_eq!(bob(&bench), ("bob@a.example".into(), end, false));
        assert!(bench.shown.stamp(Part::Panes) > panes);
        let panes = bench.shown.stamp(Part::Panes);
        let bench = bench.reduce(Action::Draft(crate::mail_client::Compose::default()));
        assert_eq!(bench.shown.stamp(Part::Panes), panes);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn typed_session_lands_in_the_transcript_and_the_store() {
        let mut lab = Lab::new(Lang::En);
        for line in [
            "EHLO pc.a.example",
            "MAIL FROM:<alice@a.example>",
            "RCPT TO:<bob@a.example>",
            "DATA",
            "Subject: hi",
            "",
            "body",
            ".",
            "QUIT",
        ] {
            lab.send_line(0, line.to_string());
        }
        let t = &lab.terminals[0];
        let server: Vec<&str> = t
            .transcript
            .iter()
            .filter(|l| matches!(l, TranscriptLine::Server(..)))
            .filter_map(|l| l.wire_text())
            .collect();
        assert_eq!(server[0], "220 mail.a.example ESMTP Mail Lab ready");
        assert!(server.iter().any(|l| l.starts_with("250 2.0.0 OK: queued as")));
        assert_eq!(server.last().copied(), Some("221 2.0.0 mail.a.example closing connection"));
        assert!(!t.open);
        assert_eq!(bob_inbox_len(&lab), 1);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn telnet_typed_while_connected_is_sent_and_explained() {
        let mut lab = Lab::new(Lang::En);
        let (host, port) = (lab.terminals[0].host.clone(), lab.terminals[0].port);
        lab.send_line(0, "telnet mail.a.example 110".into());
        let t = &lab.terminals[0];
        assert!(t.open && t.port == port, "still the same connection");
        let n = t.transcript.len();
        assert!(t.transcript[n - 2].wire_text().is_some_and(|l| l.starts_with("500 ")), "{:?}", t.transcript);
        assert_eq!(t.transcript[n - 1], TranscriptLine::Lab(LabNote::StillConnected { host, port }));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_command_typed_in_data_is_said_to_be_message_text() {
        let mut lab = Lab::new(Lang::En);
        for line in ["EHLO pc.a.example", "MAIL FROM:<alice@a.example>", "RCPT TO:<bob@a.example>", "DATA", "Hi"] {
            lab.send_line(0, line.into());
        }
        // The valid-now line names what DATA takes in the page's language.
        let allowed = |lang| {
            let hint = lab.terminals[0].hint.as_ref().expect("a hint in DATA");
            hint.allowed.iter().map(|a| crate::i18n::allowed_entry(lang, a)).collect::<Vec<_>>().join(" ")
        };
        assert_eq!(allowed(Lang::En), "<message lines> .");
        assert_eq!(allowed(Lang::Ja), "<メッセージの行> .");
        // A sentence that begins like a verb is text, and nothing is said of it.
        lab.send_line(0, "Mail me later".into());
        lab.send_line(0, "Telnet sends passwords in the clear".into());
        let notes = |lab: &Lab| {
            lab.terminals[0]
                .transcript
                .iter()
                .filter(|l| matches!(l, TranscriptLine::Lab(LabNote::CommandInData { .. })))
                .count()
        };
        assert_eq!(notes(&lab), 0);
        // The forgotten "." line: QUIT and telnet go into the message, and the note says so
        // (not that the server read them as commands).
        for line in ["QUIT", "telnet mail.a.example 110"] {
            lab.send_line(0, line.into());
            let t = &lab.terminals[0];
            assert_eq!(t.transcript.last(), Some(&TranscriptLine::Lab(LabNote::CommandInData { typed: line.into() })));
        }
        assert_eq!(notes(&lab), 2);
        // Other commands a learner may try in DATA, and sentences that only begin like them.
        for line in [
            "STARTTLS",
            "AUTH PLAIN AGJvYgBib2ItcHc=",
            "VRFY bob",
            "MAIL FROM <alice@a.example>",
            "Help",
            "Vrfy this with Bob",
        ] {
            lab.send_line(0, line.into());
        }
        assert_eq!(notes(&lab), 7, "{:?}", lab.terminals[0].transcript);
        assert!(
            !lab.terminals[0]
                .transcript
                .iter()
                .any(|l| matches!(l, TranscriptLine::Lab(LabNote::StillConnected { .. })))
        );
        lab.send_line(0, ".".into());
        assert_eq!(bob_inbox_len(&lab), 1);
        let stored = {
            let world = lab.world.borrow();
            let f = world.store_for("bob@a.example").unwrap().folder("bob@a.example", "INBOX").unwrap();
            String::from_utf8_lossy(&f.messages[0].raw).into_owned()
        };
        assert!(
            stored.contains(
                "Hi\r\nMail me later\r\nTelnet sends passwords in the clear\r\nQUIT\r\ntelnet mail.a.example 110\r\nSTARTTLS\r\n"
            ) && stored.ends_with("Help\r\nVrfy this with Bob\r\n"),
            "{stored}"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn closed_terminal_reconnects_with_telnet_and_shows_tls() {
        let mut lab = Lab::new(Lang::En);
        lab.send_line(0, "QUIT".into());
        assert!(!lab.terminals[0].open);
        lab.send_line(0, "EHLO x".into());
        assert_eq!(lab.terminals[0].transcript.last(), Some(&TranscriptLine::Lab(LabNote::NotConnected)));
        lab.send_line(0, "telnet mail.a.example 587".into());
        let t = &lab.terminals[0];
        assert!(t.open && t.port == 587);
        assert_eq!(t.transcript.last().and_then(|l| l.wire_text()), Some("220 mail.a.example ESMTP Mail Lab ready"));
        lab.send_line(0, "EHLO pc.a.example".into());
        lab.send_line(0, "STARTTLS".into());
        let t = &lab.terminals[0];
        assert!(t.encrypted);
        let note = t.transcript.last().and_then(|l| if let TranscriptLine::Lab(n) = l { Some(n) } else { None });
        let note = note.map(|n| crate::i18n::lab_note(Lang::En, n)).unwrap_or_default();
        assert!(
            note.starts_with("TLS handshake done (simulated)") && note.ends_with("Greet again with EHLO."),
            "{note}"
        );
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn refused_connection_is_explained_in_the_terminal() {
        let mut lab = Lab::new(Lang::Ja);
        lab.open("mail.a.example", 8025);
        let TranscriptLine::Lab(note) = &lab.terminals[1].transcript[1] else { panic!("a lab note") };
        assert_eq!(
            crate::i18n::lab_note(Lang::En, note),
            "mail.a.example port 8025: connection refused (no service listens there)"
        );
        assert_eq!(
            crate::i18n::lab_note(Lang::Ja, note),
            "mail.a.example のポート 8025：接続を拒否されました（そこで待ち受けるサービスがありません）"
        );
        assert!(!lab.terminals[1].open);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn after_pop3_stls_the_note_says_ask_capa_not_ehlo() {
        let mut lab = Lab::new(Lang::En);
        lab.open("mail.a.example", 110);
        lab.send_line(1, "STLS".into());
        let t = &lab.terminals[1];
        assert!(t.encrypted, "{:?}", t.transcript);
        let Some(TranscriptLine::Lab(note)) = t.transcript.last() else { panic!("a lab note: {:?}", t.transcript) };
        assert!(
            crate::i18n::lab_note(Lang::En, note).ends_with("Ask CAPA again: what the server offers may have changed.")
        );
        assert!(crate::i18n::lab_note(Lang::Ja, note).contains("CAPA"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn idle_pushes_and_timeouts_reach_terminals_nobody_typed_in() {
        let mut lab = Lab::with_world(Lang::En, scenario::two_domains(), Progress::default());
        lab.apply(Action::Open { host: "mail.a.example".into(), port: 143 });
        for line in ["a1 LOGIN bob bob-pw", "a2 SELECT INBOX", "a3 IDLE"] {
            lab.apply(Action::SendLine { terminal: 1, line: line.into() });
        }
        // Mail typed in terminal 0 shows up in terminal 1 while it idles.
        for line in
            ["EHLO x", "MAIL FROM:<alice@a.example>", "RCPT TO:<bob@a.example>", "DATA", "Subject: hi", "", "x", "."]
        {
            lab.apply(Action::SendLine { terminal: 0, line: line.into() });
        }
        let last = |lab: &Lab, t: usize| {
            lab.terminals[t].transcript.iter().rev().find_map(|l| l.wire_text()).map(String::from)
        };
        assert_eq!(last(&lab, 1).as_deref(), Some("* 1 RECENT"));
        // Five silent minutes later the SMTP server hangs up on terminal 0.
        lab.apply(Action::Advance(5 * 60_000));
        let t0 = &lab.terminals[0];
        assert!(!t0.open);
        assert_eq!(
            last(&lab, 0).as_deref(),
            Some("421 4.4.2 mail.a.example Error: timeout exceeded, closing connection")
        );
        assert_eq!(t0.transcript.last(), Some(&TranscriptLine::Lab(LabNote::ClosedByForeignHost)));
        assert!(lab.terminals[1].open, "IMAP waits 30 minutes");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_pane_shows_the_folder_a_command_changed_when_its_own_did_not_change() {
        let mut lab = Lab::with_world(Lang::En, scenario::two_domains(), Progress::default());
        for line in
            ["EHLO x", "MAIL FROM:<alice@a.example>", "RCPT TO:<bob@a.example>", "DATA", "Subject: hi", "", ".", "QUIT"]
        {
            lab.apply(Action::SendLine { terminal: 0, line: line.into() });
        }
        lab.apply(Action::Open { host: "mail.a.example".into(), port: 143 });
        let bob = |lab: &Lab| {
            let pane = lab.panes.iter().find(|p| p.account == "bob@a.example").unwrap();
            pane.folder.clone()
        };
        for line in ["a1 LOGIN bob bob-pw", "a2 SELECT INBOX", "a3 CREATE Projects"] {
            lab.apply(Action::SendLine { terminal: 1, line: line.into() });
        }
        assert_eq!(bob(&lab), "INBOX", "a new, empty folder is not shown");
        lab.apply(Action::SendLine { terminal: 1, line: "a4 COPY 1 Projects".into() });
        assert_eq!(bob(&lab), "Projects", "the copy is shown where it went");
        lab.apply(Action::SendLine { terminal: 1, line: "a5 STORE 1 +FLAGS (\\Flagged)".into() });
        assert_eq!(bob(&lab), "INBOX", "then the flag, where it was set");
        // A change to the folder shown keeps it, whatever else changed.
        lab.apply(Action::SendLine { terminal: 1, line: "a6 MOVE 1 Projects".into() });
        assert_eq!(bob(&lab), "INBOX");
        lab.apply(Action::SendLine { terminal: 1, line: "a7 SELECT Projects".into() });
        lab.apply(Action::SendLine { terminal: 1, line: "a8 STORE 1 +FLAGS (\\Seen)".into() });
        assert_eq!(bob(&lab), "Projects");
        // A folder that is gone leaves its pane at INBOX.
        lab.apply(Action::SendLine { terminal: 1, line: "a9 SELECT INBOX".into() });
        lab.apply(Action::SendLine { terminal: 1, line: "a10 DELETE Projects".into() });
        assert_eq!(bob(&lab), "INBOX");
        // Another world: the pane starts at INBOX, whatever it showed before.
        lab.apply(Action::View { account: "bob@a.example".into(), folder: "Trash".into(), first: 0 });
        assert_eq!(bob(&lab), "Trash");
        let other = LESSONS.iter().position(|l| !["two-domains", ""].contains(&l.scenario)).unwrap();
        lab.apply(Action::StartLesson(other));
        assert_eq!(bob(&lab), "INBOX");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_terminal_keeps_its_newest_lines_and_cuts_a_line_of_junk() {
        let mut lab = Lab::with_world(Lang::En, scenario::two_domains(), Progress::default());
        for _ in 0..(TRANSCRIPT_LINES / 2 + 100) {
            lab.send_line(0, "NOOP".into());
        }
        let t = &lab.terminals[0];
        assert!(t.transcript.len() <= TRANSCRIPT_LINES, "{} lines kept", t.transcript.len());
        assert_eq!(t.client_lines, TRANSCRIPT_LINES / 2 + 100, "every line typed is counted");
        assert_eq!(t.transcript.last().and_then(|l| l.wire_text()), Some("250 OK"));
        // A megabyte typed in one line is kept cut, in the transcript and in the history.
        lab.send_line(0, "x".repeat(1 << 20));
        let t = &lab.terminals[0];
        let typed =
            t.transcript.iter().rev().find_map(|l| if let TranscriptLine::Client(c, _) = l { Some(c) } else { None });
        assert!(typed.is_some_and(|c| c.len() <= LINE_CHARS + 4 && c.ends_with(" …")));
        assert!(t.history.iter().all(|h| h.len() <= LINE_CHARS + 4));
        assert!(t.history.len() <= 500);
    }
}
