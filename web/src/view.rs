//! Components of the page. They read plain props and send actions; only [`App`]
//! touches the reducer.

use mail_lab_message::{Body, Envelope, MessageView, PartKind};
use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::charset::BrowserDecoder;
use crate::i18n::{Lang, lab_note, t, text};
use crate::mailbox::{MailboxProps, MailboxSummary, mailbox_view, summarize};
use crate::state::{Action, Bench, Lab, Notice, Part, Terminal, TranscriptLine};
use mail_lab_world::{Protocol, Service};

/// A callback that sends the action `f` makes of its argument. A plain `fn`
/// (not a closure) so all callbacks of one argument type share one body.
fn dispatch<T: 'static>(d: &UseReducerDispatcher<Bench>, f: fn(T) -> Action) -> Callback<T> {
    let d = d.clone();
    Callback::from(move |x| d.dispatch(f(x)))
}

/// A `class` attribute of the non-empty names (in place of yew's `classes!`,
/// whose set type costs page weight for nothing here).
pub fn class_list(names: &[&str]) -> String {
    let mut list = String::new();
    for name in names.iter().filter(|n| !n.is_empty()) {
        if !list.is_empty() {
            list.push(' ');
        }
        list.push_str(name);
    }
    list
}

/// How long the lab waits after the last change before saving it.
const SAVE_AFTER_MS: u32 = 400;

/// The language chosen on an earlier visit, else the browser's.
fn initial_lang() -> Lang {
    crate::persist::load_lang()
        .or_else(|| web_sys::window().and_then(|w| w.navigator().language()))
        .map_or(Lang::En, |tag| Lang::from_tag(&tag))
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let bench = use_reducer(|| Bench::new(Lab::new(initial_lang())));
    let d = bench.dispatcher();
    let lab = bench.lab.borrow();
    let lang = lab.lang;
    {
        // After every action: each log (transcripts, the wiretap, the timeline,
        // a folder that just got mail)
        // shows its newest line, as a terminal scrolls; and the lab is saved
        // after a pause in the learner's work (not on every keystroke), or
        // when the page goes away, whichever comes first.
        let (pending, on_hide) = (bench.lab.clone(), bench.lab.clone());
        let follow_new = lab.follow_new;
        use_effect_with(bench.revision, move |_| {
            let document = web_sys::window().and_then(|w| w.document());
            let logs = document.as_ref().map(|d| d.get_elements_by_class_name("follow"));
            if let Some(logs) = logs {
                for i in 0..logs.length() {
                    if let Some(el) = logs.item(i) {
                        el.set_scroll_top(el.scroll_height());
                    }
                }
            }
            // Mail that just arrived is brought into view, in whichever pane it landed:
            // its newest row (the pane's own rows already follow their end).
            let arrived = document.and_then(|d| d.query_selector_all(".mailboxes tr.new").ok());
            if follow_new
                && let Some(row) = arrived.and_then(|rows| rows.item(rows.length().checked_sub(1)?))
                && let Ok(row) = row.dyn_into::<web_sys::Element>()
            {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                row.scroll_into_view_with_scroll_into_view_options(&options);
            }
            let save = gloo::timers::callback::Timeout::new(SAVE_AFTER_MS, move || {
                crate::persist::save_lab(&mut pending.borrow_mut())
            });
            let listener = web_sys::window().map(|w| {
                gloo::events::EventListener::new(&w, "pagehide", move |_| {
                    crate::persist::save_lab(&mut on_hide.borrow_mut())
                })
            });
            move || drop((save, listener))
        });
        // The page's language is the document's; the command box of the
        // terminal in front has the keyboard (on load, and when another
        // terminal comes to the front); an opened message comes into view.
        use_effect_with((lab.active_terminal, lab.selected.is_some(), lang.tag()), |&(front, opened, tag)| {
            if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
                let _ = root.set_attribute("lang", tag);
            }
            focus_command(front);
            if opened
                && let Some(el) = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.query_selector(".inspector").ok().flatten())
            {
                el.scroll_into_view();
            }
        });
    }
    let reset = {
        let lab = d.clone();
        Callback::from(move |_| {
            if gloo::dialogs::confirm(t(lang, text::RESET_CONFIRM)) {
                lab.dispatch(Action::Reset);
            }
        })
    };
    let start_fresh = dispatch(&d, |_: MouseEvent| Action::Reset);
    let switch_lang = {
        let d = d.clone();
        Callback::from(move |_| {
            // Kept once the learner chooses, so a reload speaks the same language.
            crate::persist::save_lang(lang.other().tag());
            d.dispatch(Action::SetLang(lang.other()))
        })
    };
    let hosts: Vec<String> = lab.world.borrow().hosts().iter().map(|h| h.name.clone()).collect();
    let export_lab = {
        let world = lab.world.clone();
        Callback::from(move |_| {
            crate::files::download("mail-lab.world.txt", "text/plain", world.borrow().to_compact().as_bytes())
        })
    };
    let import_lab = {
        let lab = d.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
            let lab = lab.clone();
            crate::files::read_chosen(
                &input,
                Box::new(move |_, bytes| {
                    if gloo::dialogs::confirm(t(lang, text::IMPORT_LAB_CONFIRM)) {
                        lab.dispatch(Action::ImportLab(bytes));
                    }
                }),
            );
        })
    };
    let on_open = dispatch(&d, |(host, port)| Action::Open { host, port });
    let show_terminal = dispatch(&d, Action::ShowTerminal);
    // Plain functions, not closures over the state: one callback body for all clicks.
    let side_by_side: fn(MouseEvent) -> Action =
        if lab.side_by_side { |_| Action::SideBySide(false) } else { |_| Action::SideBySide(true) };
    let side_by_side = dispatch(&d, side_by_side);
    let projector: fn(MouseEvent) -> Action =
        if lab.projector { |_| Action::Projector(false) } else { |_| Action::Projector(true) };
    let projector = dispatch(&d, projector);
    let on_form = dispatch(&d, |(host, port)| Action::OpenForm(host, port));
    let on_syllabus = dispatch(&d, Action::Syllabus);
    let titles = terminal_titles(&lab.terminals);
    // Each part renders again only when its stamp moves (`state::Shown`); a
    // terminal's also holds where its transcript is scrolled to.
    let part = |part: Part| {
        let scroll = match part {
            Part::Terminal(id) => lab.terminals.get(id).and_then(|t| t.view_top).map_or(0, |top| top + 1),
            _ => 0,
        };
        let stamp = (bench.shown.stamp(part), scroll);
        html! { <PartView {part} {stamp} lab={bench.lab.clone()} d={d.clone()} /> }
    };
    html! {
        <div class={if lab.projector { "lab-root projector" } else { "lab-root" }}>
            <header class="top">
                <h1>{ t(lang, text::TITLE) }</h1>
                <p class="tagline">{ t(lang, text::TAGLINE) }</p>
                <button onclick={on_syllabus.reform(|_: MouseEvent| true)}>{ t(lang, text::SYLLABUS) }</button>
                <button class="projector-switch" aria-pressed={lab.projector.to_string()} onclick={projector}>{ t(lang, text::PROJECTOR) }</button>
                <button class="lang" onclick={switch_lang}>{ t(lang, text::SWITCH_LANGUAGE) }</button>
                <button class="reset" onclick={reset}>{ t(lang, text::RESET) }</button>
                <button onclick={export_lab}>{ t(lang, text::EXPORT_LAB) }</button>
                <label class="import">{ t(lang, text::IMPORT_LAB) }
                    <input type="file" accept=".txt,text/plain" onchange={import_lab} />
                </label>
            </header>
            if let Some(notice) = &lab.notice {
                <p class={if !matches!(notice, Notice::Imported { .. } | Notice::LabImported) { "notice failed" } else { "notice" }} role="status">
                    { notice_text(lang, notice) }
                </p>
            }
            if let Some(problem) = &lab.storage_problem {
                <div class="storage-problem" role="alert">
                    <p>{ t(lang, text::STORAGE_PROBLEM) }{ " " }{ problem }</p>
                    <button onclick={start_fresh}>{ t(lang, text::START_FRESH) }</button>
                </div>
            }
            <div class="bench">
                { part(Part::Lessons) }
                <main class="terminals">
                    { open_terminal(&lab, lang, &hosts, &on_form, &on_open) }
                    <div class="tabs">
                        <div role="tablist" aria-label={t(lang, text::TERMINALS)}>
                            { for lab.terminals.iter().zip(&titles).map(|(term, title)| {
                                let front = term.id == lab.active_terminal;
                                let id = term.id;
                                let show = show_terminal.reform(move |_: MouseEvent| id);
                                html! {
                                    <button role="tab" aria-selected={front.to_string()} aria-controls={format!("terminal-{}", term.id)}
                                        class={if term.open { "tab" } else { "tab closed" }} onclick={show}
                                        title={(!term.open).then(|| connection_status(lang, term))}>
                                        { title }
                                    </button>
                                }
                            }) }
                        </div>
                        <button class="side" aria-pressed={lab.side_by_side.to_string()} onclick={side_by_side}>{ t(lang, text::SIDE_BY_SIDE) }</button>
                    </div>
                    <div class={if lab.side_by_side { "terminal-stack side-by-side" } else { "terminal-stack" }}>
                        { for lab.terminals.iter().map(|term| part(Part::Terminal(term.id))) }
                    </div>
                </main>
                <div class="side-column">
                    { part(Part::Panes) }
                    <nav class="view-nav" aria-label={t(lang, text::VIEWS)}>
                        // Plain links to the sections: the browser scrolls the pane, no code needed.
                        { for [("#wiretap", text::WIRETAP), ("#network", text::NETWORK), ("#mua", text::MAIL_CLIENT)].into_iter().map(|(href, text)| html! {
                            <a {href}>{ t(lang, text) }</a>
                        }) }
                    </nav>
                    <div class="views">
                        { part(Part::Inspector) }
                        { part(Part::Network) }
                        { part(Part::MailClient) }
                    </div>
                </div>
            </div>
        </div>
    }
}

/// A part's props: which part, and its stamp. Two are equal when the stamps
/// are (the lab and the dispatcher are the same for the page's life), so a
/// part whose stamp did not move is not rendered again.
#[derive(Properties)]
pub struct PartProps {
    part: Part,
    stamp: (u64, usize),
    lab: Rc<RefCell<Lab>>,
    d: UseReducerDispatcher<Bench>,
}

impl PartialEq for PartProps {
    fn eq(&self, other: &Self) -> bool {
        self.part == other.part && self.stamp == other.stamp
    }
}

#[cfg(debug_assertions)]
thread_local! {
    static RENDERS: RefCell<Vec<(Part, u64)>> = const { RefCell::new(Vec::new()) };
}

/// How often `part` has rendered on this page (debug builds, for the tests).
#[cfg(debug_assertions)]
pub fn renders(part: Part) -> u64 {
    RENDERS.with(|r| r.borrow().iter().find(|(p, _)| *p == part).map_or(0, |(_, n)| *n))
}

/// One part of the page, rendered from the lab as it is now.
#[function_component(PartView)]
fn part_view(props: &PartProps) -> Html {
    #[cfg(debug_assertions)]
    RENDERS.with(|r| {
        let mut r = r.borrow_mut();
        match r.iter_mut().find(|(p, _)| *p == props.part) {
            Some((_, n)) => *n += 1,
            None => r.push((props.part, 1)),
        }
    });
    let (d, lab) = (&props.d, props.lab.borrow());
    let lang = lab.lang;
    match props.part {
        Part::Lessons => crate::lesson_panel::lesson_panel(&crate::lesson_panel::LessonPanelProps {
            done: &lab.progress.done,
            active: lab.progress.active,
            scenario: &lab.progress.scenario,
            lang,
            on_start: dispatch(d, Action::StartLesson),
            apop: &lab.apop_input,
            on_apop: dispatch(d, |(stamp, password)| Action::ApopInput(stamp, password)),
            terminal: lab.active_terminal,
            aside: lab.aside.as_ref().map(|a| a.scenario.as_str()),
            on_back: dispatch(d, |_: MouseEvent| Action::BackToAside),
            on_let_go: dispatch(d, |_: MouseEvent| Action::LetAsideGo),
            syllabus: lab.syllabus,
            on_syllabus: dispatch(d, Action::Syllabus),
        }),
        Part::Terminal(id) => {
            let titles = terminal_titles(&lab.terminals);
            let Some((term, title)) = lab.terminals.iter().zip(&titles).find(|(t, _)| t.id == id) else {
                return Html::default();
            };
            let on_send = dispatch(d, |(terminal, line)| Action::SendLine { terminal, line });
            let on_scroll = dispatch(d, |(terminal, top)| Action::ScrollTranscript { terminal, top });
            let ctx = Terminals { lab: &props.lab, lang, on_send: &on_send, on_scroll: &on_scroll };
            terminal_view(term, title, &ctx, !lab.side_by_side && id != lab.active_terminal)
        }
        Part::Panes => panes(&lab, d),
        Part::Inspector => {
            let world = lab.world.borrow();
            let (Some((account, folder, uid)), Some(message)) = (&lab.selected, lab.open_message(&world)) else {
                return Html::default();
            };
            let inspected =
                Inspected { account, folder, uid: *uid, envelope: message.envelope.as_ref(), raw: &message.raw };
            let view = MessageView::parse(&message.raw, &BrowserDecoder);
            inspector(
                &inspected,
                &view,
                lang,
                &dispatch(d, Action::Select),
                lab.read_as.as_deref(),
                &dispatch(d, Action::ReadAs),
            )
        }
        Part::Network => {
            let world = lab.world.borrow();
            let mut log = lab.network_log.borrow_mut();
            log.catch_up(&world);
            let mut network = crate::network::NetworkView::read(&world, &log);
            // The map draws the route of the message open in the inspector.
            if let Some(message) = lab.open_message(&world) {
                network.map.set_route(&MessageView::parse(&message.raw, &BrowserDecoder).trace());
            }
            html! { <>
                { crate::network::wiretap(log.tap(), lang) }
                { crate::network::network_panel(&crate::network::NetworkProps { view: &network, timeline: log.timeline(), lang,
                    on_advance: dispatch(d, Action::Advance), on_run: dispatch(d, |()| Action::RunUntilIdle),
                    on_host: dispatch(d, |(host, up)| Action::SetHostUp { host, up }),
                    on_policy: dispatch(d, |(host, policy, on)| Action::SetPolicy { host, policy, on }),
                    on_txt: dispatch(d, |(name, text)| Action::SetTxt { name, text }),
                    picked: lab.picked_host.as_deref(), on_pick: dispatch(d, Action::PickHost) }) }
            </> }
        }
        Part::MailClient => crate::mua::mua_panel(&crate::mua::MuaProps {
            draft: &lab.client.draft,
            on_draft: dispatch(d, Action::Draft),
            accounts: &lab.watched,
            log: &lab.client.log,
            status: lab.client.status.as_ref(),
            inbox: &lab.client.inbox,
            lang,
            on_send: dispatch(d, Action::Send),
            on_check: dispatch(d, |account| Action::CheckMail { account }),
            imap: &lab.client.imap,
            pushed: &lab.client.pushed,
            watching: lab.mua_watching(),
            on_check_imap: dispatch(d, |account| Action::CheckMailImap { account }),
            on_trash: dispatch(d, |(account, uid)| Action::MoveToTrash { account, uid }),
            on_watch: dispatch(d, |(account, on)| Action::Watch { account, on }),
        }),
    }
}

/// The mailbox panes, and the choice of another account to watch.
fn panes(lab: &Lab, d: &UseReducerDispatcher<Bench>) -> Html {
    let lang = lab.lang;
    let mailboxes: Vec<MailboxSummary> = lab.panes.iter().map(|p| summarize(lab, p)).collect();
    let on_select = dispatch(d, |m| Action::Select(Some(m)));
    let on_view = dispatch(d, |(account, folder, first)| Action::View { account, folder, first });
    let on_import = dispatch(d, |(account, folder, name, bytes)| Action::Import { account, folder, name, bytes });
    let on_export = {
        let world = lab.world.clone();
        Callback::from(move |(account, folder): (String, String)| {
            let world = world.borrow();
            let Some(f) = world.store_for(&account).and_then(|s| s.folder(&account, &folder)) else { return };
            let messages: Vec<_> = f
                .messages
                .iter()
                .map(|m| {
                    let sender = m.envelope.as_ref().map(|e| e.reverse_path.clone()).unwrap_or_default();
                    (sender, m.internal_date, m.raw.clone())
                })
                .collect();
            let name = format!("{}-{}.mbox", account.replace('@', "_at_"), folder.replace('/', "_"));
            crate::files::download(&name, "application/mbox", &mail_lab_message::mbox::export(&messages));
        })
    };
    let add_pane = {
        let lab = d.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>()
                && !select.value().is_empty()
            {
                lab.dispatch(Action::AddPane(select.value()));
                select.set_value("");
            }
        })
    };
    let accounts: Vec<String> = lab
        .world
        .borrow()
        .hosts()
        .iter()
        .flat_map(|h| h.store.accounts().map(|a| a.address.clone()).collect::<Vec<_>>())
        .filter(|a| !lab.panes.iter().any(|p| p.account == *a))
        .collect();
    html! {
        <div class="mailboxes">
            if !accounts.is_empty() {
                <label class="add-pane">{ t(lang, text::ADD_PANE) }
                    <select onchange={add_pane}>
                        <option value="" selected=true>{ "…" }</option>
                        { for accounts.iter().map(|a| html! { <option value={a.clone()}>{ a }</option> }) }
                    </select>
                </label>
            }
            { for mailboxes.into_iter().map(|summary| html! {
                { mailbox_view(&MailboxProps { summary, lang, on_select: on_select.clone(),
                    on_view: on_view.clone(), on_export: on_export.clone(), on_import: on_import.clone() }) }
            }) }
        </div>
    }
}

/// Terminal `id`'s command box, if it is on the page.
pub fn command_box(id: usize) -> Option<HtmlInputElement> {
    let document = web_sys::window()?.document()?;
    document.query_selector(&format!("#terminal-{id} input.command")).ok()??.dyn_into().ok()
}

/// Put the keyboard in terminal `id`'s command box.
pub fn focus_command(id: usize) {
    if let Some(input) = command_box(id) {
        let _ = input.focus();
    }
}

/// Each terminal's title: `telnet host port` (or `$` at a prompt), numbered
/// when two would read the same.
fn terminal_titles(terms: &[Terminal]) -> Vec<String> {
    let plain: Vec<String> = terms.iter().map(terminal_title).collect();
    plain
        .iter()
        .enumerate()
        .map(|(i, title)| {
            if plain.iter().filter(|t| *t == title).count() > 1 { format!("{title} #{}", i + 1) } else { title.clone() }
        })
        .collect()
}

/// `telnet host port` as a form: pick a host and a service port (plain
/// markup: the choice lives in the lab, `Lab::open_form`).
fn open_terminal(
    lab: &Lab,
    lang: Lang,
    hosts: &[String],
    on_form: &Callback<(String, u16)>,
    on_open: &Callback<(String, u16)>,
) -> Html {
    let (host, port) = (lab.open_form.0.clone(), lab.open_form.1);
    let host = if host.is_empty() { hosts.first().cloned().unwrap_or_default() } else { host };
    let select_value = |e: &Event| e.target_dyn_into::<web_sys::HtmlSelectElement>().map(|s| s.value());
    let on_host = {
        let on_form = on_form.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = select_value(&e) {
                on_form.emit((v, port));
            }
        })
    };
    let on_port = {
        let (on_form, host) = (on_form.clone(), host.clone());
        Callback::from(move |e: Event| {
            if let Some(p) = select_value(&e).and_then(|v| v.parse().ok()) {
                on_form.emit((host.clone(), p));
            }
        })
    };
    let onsubmit = {
        let (on_open, host) = (on_open.clone(), host.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_open.emit((host.clone(), port));
        })
    };
    html! {
        <form class="open-terminal" {onsubmit}>
            <label>{ t(lang, text::HOST) }
                <select aria-label={t(lang, text::HOST)} onchange={on_host}>
                    { for hosts.iter().map(|h| html! {
                        <option value={h.clone()} selected={*h == host}>{ h }</option>
                    }) }
                </select>
            </label>
            <label>{ t(lang, text::PORT) }
                <select aria-label={t(lang, text::PORT)} onchange={on_port}>
                    { for Service::ALL.iter().map(|s| {
                        let p = s.default_port();
                        html! { <option value={p.to_string()} selected={p == port}>{ format!("{p} ({})", s.name()) }</option> }
                    }) }
                </select>
            </label>
            <button type="submit">{ t(lang, text::OPEN_TERMINAL) }</button>
        </form>
    }
}

/// `telnet host port`, or `$` for a terminal that never connected.
fn terminal_title(term: &Terminal) -> String {
    if term.host.is_empty() { "$".to_string() } else { format!("telnet {} {}", term.host, term.port) }
}

fn explain_state(lang: Lang, protocol: Option<Protocol>, key: &str) -> &'static str {
    match protocol {
        Some(Protocol::Pop3) => t(lang, mail_lab_pop3::explain_state(key)),
        Some(Protocol::Imap) => t(lang, mail_lab_imap::explain_state(key)),
        _ => t(lang, mail_lab_smtp::explain_state(key)),
    }
}

/// What a terminal's head (and its tab, when it is not open) says of its connection.
fn connection_status(lang: Lang, term: &Terminal) -> String {
    match (term.open, term.encrypted) {
        (true, true) => format!("{} · TLS", t(lang, text::CONNECTED)),
        (true, false) => t(lang, text::CONNECTED).to_string(),
        // At the prompt nothing was ever open: not "closed".
        (false, _) if term.host.is_empty() => t(lang, text::PROMPT).to_string(),
        (false, _) => t(lang, text::CLOSED).to_string(),
    }
}

/// The CSS class and explanation of a server line, by protocol; `after_logout`
/// when the line before it was an IMAP LOGOUT.
fn classify(
    lang: Lang,
    protocol: Option<Protocol>,
    text: &str,
    after_logout: bool,
) -> (Option<String>, Option<String>) {
    match protocol {
        // Only a multi-line body can start with a dot: two dots are stuffing.
        Some(Protocol::Pop3) if text.starts_with("..") => {
            (Some("stuffed".to_string()), Some(t(lang, text::STUFFED_BY_SERVER).to_string()))
        }
        Some(Protocol::Pop3) => {
            let class = if text.starts_with("+OK") {
                Some("r2xx")
            } else if text.starts_with("-ERR") {
                Some("r5xx")
            } else if text.starts_with("+ ") {
                Some("r3xx")
            } else {
                None
            };
            let explain = class.map(|_| t(lang, mail_lab_pop3::explain_status(text)).to_string());
            (class.map(str::to_string), explain)
        }
        Some(Protocol::Imap) => {
            let mut words = text.split_whitespace();
            let first = words.next().unwrap_or("");
            let status = words.next().unwrap_or("").to_ascii_uppercase();
            let class = match (first, status.as_str()) {
                ("+", _) => Some("r3xx"),
                (_, "OK") => Some("r2xx"),
                (_, "NO") => Some("r4xx"),
                // A BYE answering LOGOUT is no error (RFC 9051 §6.1.3); any other
                // closes the session unasked (autologout, a line too long).
                ("*", "BYE") if after_logout => Some("untagged"),
                (_, "BAD" | "BYE") => Some("r5xx"),
                ("*", _) => Some("untagged"),
                _ => None,
            };
            let explain = class.map(|_| t(lang, mail_lab_imap::explain_status(text)).to_string());
            (class.map(str::to_string), explain)
        }
        _ => match reply_code(text) {
            Some(code) => {
                (Some(format!("r{}xx", code / 100)), Some(t(lang, mail_lab_smtp::explain_code(code)).to_string()))
            }
            None => (None, None),
        },
    }
}

/// What a typed command does, by protocol: the verb is the first word, or
/// for IMAP the word after the tag (and after `UID`).
fn explain_command(lang: Lang, protocol: Option<Protocol>, line: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    let explanation = match protocol {
        Some(Protocol::Imap) => {
            let first = words.next()?;
            let verb = if first.eq_ignore_ascii_case("DONE") { first } else { words.next()? };
            mail_lab_imap::explain_command(verb)
        }
        Some(Protocol::Pop3) => mail_lab_pop3::explain_command(words.next()?),
        Some(Protocol::Smtp) => mail_lab_smtp::explain_command(words.next()?.split(':').next()?),
        // Typed at the shell prompt (`telnet host port`): no protocol's command.
        None => None,
    }?;
    Some(t(lang, explanation).to_string())
}

/// The reply code at the start of a server line, if any.
fn reply_code(text: &str) -> Option<u16> {
    let digits = text.get(..3)?;
    let rest = text.as_bytes().get(3).copied();
    if matches!(rest, None | Some(b' ') | Some(b'-')) { digits.parse().ok() } else { None }
}

/// One terminal (plain markup: its transcript and history live in the lab;
/// where Up/Down recall stands is kept on the input element itself).
/// Transcript rows rendered around the view (the rest stand in as two spacers),
/// and how far the view moves before the rows are rendered again.
const TRANSCRIPT_WINDOW: usize = 160;
const TRANSCRIPT_MARGIN: usize = 60;
const TRANSCRIPT_STEP: usize = 30;

/// What every terminal's view shares.
struct Terminals<'a> {
    lab: &'a Rc<RefCell<Lab>>,
    lang: Lang,
    on_send: &'a Callback<(usize, String)>,
    on_scroll: &'a Callback<(usize, Option<usize>)>,
}

/// The rows of a transcript to render: those around its first row in view, or
/// the newest while it follows them. A render costs the same at any length.
fn transcript_window(term: &Terminal) -> (usize, usize) {
    let len = term.transcript.len();
    match term.view_top {
        None => (len.saturating_sub(TRANSCRIPT_WINDOW), len),
        Some(top) => {
            let start = top.saturating_sub(TRANSCRIPT_MARGIN).min(len);
            (start, (start + TRANSCRIPT_WINDOW).min(len))
        }
    }
}

fn terminal_view(term: &Terminal, title: &str, ctx: &Terminals<'_>, hidden: bool) -> Html {
    let lang = ctx.lang;
    let onkeydown = {
        let (on_send, id, lab) = (ctx.on_send.clone(), term.id, ctx.lab.clone());
        Callback::from(move |e: KeyboardEvent| {
            let Some(field) = e.target_dyn_into::<HtmlInputElement>() else { return };
            // Read when a key is pressed, not copied at every render.
            let history = lab.borrow().terminals.get(id).map(|t| t.history.clone()).unwrap_or_default();
            let recall: Option<usize> = field.get_attribute("data-recall").and_then(|v| v.parse().ok());
            let show = |i: Option<usize>| {
                let _ = match i {
                    Some(i) => field.set_attribute("data-recall", &i.to_string()),
                    None => field.remove_attribute("data-recall"),
                };
                field.set_value(i.and_then(|i| history.get(i)).map_or("", String::as_str));
            };
            match e.key().as_str() {
                // Enter that ends an IME composition (Japanese input) only confirms the text.
                "Enter" if e.is_composing() => {}
                "Enter" => {
                    e.prevent_default();
                    let line = field.value();
                    show(None);
                    on_send.emit((id, line));
                }
                "ArrowUp" if !history.is_empty() => {
                    e.prevent_default();
                    show(Some(recall.map_or(history.len() - 1, |i| i.saturating_sub(1))));
                }
                "ArrowDown" => {
                    e.prevent_default();
                    show(recall.map(|i| i + 1).filter(|i| *i < history.len()));
                }
                _ => {}
            }
        })
    };
    let status = connection_status(lang, term);
    // A terminal that never connected is a shell prompt waiting for `telnet host port`.
    let label = if term.host.is_empty() {
        crate::i18n::bracketed(lang, t(lang, text::TERMINAL), t(lang, text::PROMPT))
    } else {
        format!("{} {}:{}", t(lang, text::TERMINAL), term.host, term.port)
    };
    let (start, end) = transcript_window(term);
    // Scrolling away from the newest line stops following it; the rows are
    // rendered again only when the view has moved by a few of them.
    let onscroll = {
        let (on_scroll, id, len, top) = (ctx.on_scroll.clone(), term.id, term.transcript.len(), term.view_top);
        Callback::from(move |e: Event| {
            let Some(el) = e.target_dyn_into::<web_sys::Element>() else { return };
            let row = (f64::from(el.scroll_height()) / len.max(1) as f64).max(1.0);
            let at_bottom = f64::from(el.scroll_top() + el.client_height()) + row >= f64::from(el.scroll_height());
            let next = (!at_bottom).then(|| (f64::from(el.scroll_top()) / row) as usize);
            let moved = match (top, next) {
                (Some(a), Some(b)) => a.abs_diff(b) >= TRANSCRIPT_STEP,
                (None, None) => false,
                _ => true,
            };
            if moved {
                on_scroll.emit((id, next));
            }
        })
    };
    let download = {
        let (lab, id) = (ctx.lab.clone(), term.id);
        Callback::from(move |_: MouseEvent| {
            let lab = lab.borrow();
            if let Some(term) = lab.terminals.get(id) {
                crate::files::download(&format!("transcript-{}.txt", id + 1), "text/plain", term.as_text().as_bytes());
            }
        })
    };
    // A click anywhere on the terminal (not a selection) gives its command box the keys.
    let onclick = {
        let id = term.id;
        Callback::from(move |_: MouseEvent| {
            let selecting =
                web_sys::window().and_then(|w| w.get_selection().ok().flatten()).is_some_and(|s| !s.is_collapsed());
            if !selecting {
                focus_command(id);
            }
        })
    };
    html! {
        <section key={term.id} class="terminal" id={format!("terminal-{}", term.id)} aria-label={label} {hidden} {onclick}>
            <header class="terminal-head">
                <span class="endpoint" data-host={term.host.clone()} data-port={term.port.to_string()}>{ title.to_string() }</span>
                <button class="download" onclick={download}>{ t(lang, text::DOWNLOAD_TRANSCRIPT) }</button>
                <span class={if term.open { "status open" } else if term.host.is_empty() { "status" } else { "status closed" }}>{ status }</span>
            </header>
            <ol class={if term.view_top.is_none() { "transcript follow" } else { "transcript" }} role="log" aria-live="polite"
                aria-label={t(lang, text::TRANSCRIPT)} data-server-lines={term.server_lines.to_string()}
                data-client-lines={term.client_lines.to_string()} {onscroll}>
                if start > 0 {
                    <li class="spacer" aria-hidden="true" style={format!("height: calc({start} * var(--row))")} />
                }
                { for term.transcript[start..end].iter().enumerate().map(|(k, line)| {
                    let after_logout = (start + k).checked_sub(1).and_then(|i| term.transcript.get(i)).is_some_and(|l| {
                        matches!(l, TranscriptLine::Client(c, Some(Protocol::Imap)) if c.split_whitespace().nth(1).is_some_and(|v| v.eq_ignore_ascii_case("LOGOUT")))
                    });
                    let (who, text, (reply_class, explain)) = match line {
                        TranscriptLine::Client(text, protocol) => ("client", text.clone(), (None, explain_command(lang, *protocol, text))),
                        TranscriptLine::Server(text, protocol) => ("server", text.clone(), classify(lang, *protocol, text, after_logout)),
                        TranscriptLine::Lab(note) => ("lab", lab_note(lang, note), (None, None)),
                    };
                    let class = match reply_class { Some(reply) => format!("{who} {reply}"), None => who.to_string() };
                    html! { <li {class} title={explain}>{ text }</li> }
                }) }
                if end < term.transcript.len() {
                    <li class="spacer" aria-hidden="true" style={format!("height: calc({} * var(--row))", term.transcript.len() - end)} />
                }
            </ol>
            if let Some(hint) = term.hint.as_ref().filter(|_| term.open) {
                <p class="hint" data-state={hint.state}>
                    { format!("{}{c}{} — {}{c}{}", t(lang, text::STATE), explain_state(lang, term.protocol, hint.state), t(lang, text::VALID_NOW), hint.allowed.iter().map(|a| crate::i18n::allowed_entry(lang, a)).collect::<Vec<_>>().join(" "), c = crate::i18n::colon(lang)) }
                </p>
            }
            <input class="command" type="text" {onkeydown}
                aria-label={t(lang, text::COMMAND)} placeholder={t(lang, text::COMMAND)}
                autocomplete="off" spellcheck="false" />
        </section>
    }
}

/// The message as it crosses the wire after DATA: every line that starts with
/// a dot gets one more (RFC 5321 §4.5.2), then the final `.` line. Given in
/// runs: each stuffed line on its own (marked), the lines between them as one
/// text, so a large message costs a handful of DOM nodes, not one per line.
fn wire_runs(raw: &str) -> Vec<(String, bool)> {
    let mut runs: Vec<(String, bool)> = Vec::new();
    let mut add = |text: String, stuffed: bool| match runs.last_mut() {
        Some((run, false)) if !stuffed => run.push_str(&text),
        _ => runs.push((text, stuffed)),
    };
    for line in raw.strip_suffix("\r\n").unwrap_or(raw).split("\r\n") {
        if line.starts_with('.') { add(format!(".{line}\n"), true) } else { add(format!("{line}\n"), false) }
    }
    add(".\n".to_string(), false);
    runs
}

/// Put in front of every HTML mail shown: nothing may load but inline styles and data: images.
const MAIL_CSP: &str = "<!doctype html><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">";

/// A stored message opened in the inspector.
pub struct Inspected<'a> {
    pub account: &'a str,
    pub folder: &'a str,
    pub uid: u32,
    pub envelope: Option<&'a Envelope>,
    /// The message as stored, byte for byte (what the .eml download holds).
    pub raw: &'a [u8],
}

/// Envelope beside header, the route, the MIME tree, the body and the raw
/// bytes (plain markup: no state of its own).
fn inspector(
    i: &Inspected<'_>,
    v: &MessageView<'_>,
    lang: Lang,
    on_select: &Callback<Option<(String, String, u32)>>,
    read_as: Option<&str>,
    on_read_as: &Callback<Option<String>>,
) -> Html {
    let raw_text = String::from_utf8_lossy(i.raw);
    let label = format!("{} {} UID {}", t(lang, text::MESSAGE), i.account, i.uid);
    let close = {
        let on_select = on_select.clone();
        Callback::from(move |_| on_select.emit(None))
    };
    let download_eml = {
        let (raw, name) = (i.raw.to_vec(), format!("{}-{}-{}.eml", i.account.replace('@', "_at_"), i.folder, i.uid));
        Callback::from(move |_| crate::files::download(&name, "message/rfc822", &raw))
    };
    let row =
        |label: &str, value: String| html! { <tr><th scope="row">{ label.to_string() }</th><td>{ value }</td></tr> };
    let first = |kind: PartKind| v.parts().iter().find(|p| p.kind == kind).map(|p| v.body(p));
    let html_body = first(PartKind::Html).and_then(|b| if let Body::Html(h) = b { Some(h) } else { None });
    let text_part = v.parts().iter().find(|p| p.kind == PartKind::Text);
    // What the receiving hosts found, newest first as the fields stand.
    let verdicts: Vec<_> = v
        .headers()
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("Authentication-Results"))
        .map(|f| mail_lab_message::auth_results::parse(&f.value))
        .collect();
    // Read with the charset the learner picked, else as the part is labelled
    // (decoded once: this runs on every render).
    let text_body = text_part.and_then(|p| {
        read_as.and_then(|charset| v.text_as(p, charset)).or_else(|| match v.body(p) {
            Body::Text(labelled) => Some(labelled),
            _ => None,
        })
    });
    let pick = {
        let on_read_as = on_read_as.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                let value = select.value();
                on_read_as.emit((!value.is_empty()).then_some(value));
            }
        })
    };
    html! {
        // Keyed by the message: its "Read the text as" choice is a fresh element
        // for each message (a <select> the learner changed no longer follows
        // its options' `selected` attributes).
        <section class="inspector" key={label.clone() + " " + i.folder} aria-label={label}>
            <header class="inspector-head">
                <h2>{ v.subject().unwrap_or(t(lang, text::NO_SUBJECT)).to_string() }</h2>
                <button onclick={close}>{ t(lang, text::CLOSE) }</button>
            </header>
            <div class="envelope-vs-header">
                <table class="envelope">
                    <caption>{ t(lang, text::ENVELOPE) }</caption>
                    if let Some(e) = i.envelope {
                        { row("MAIL FROM", if e.reverse_path.is_empty() {
                            t(lang, text::NULL_REVERSE_PATH).to_string()
                        } else {
                            format!("<{}>", e.reverse_path)
                        }) }
                        { row("RCPT TO", e.forward_paths.iter().map(|p| format!("<{p}>")).collect::<Vec<_>>().join(", ")) }
                        { row("HELO/EHLO", e.helo.clone()) }
                        { row(t(lang, text::CLIENT_ADDRESS), e.client_address.clone()) }
                    }
                </table>
                <table class="header-fields">
                    <caption>{ t(lang, text::HEADER) }</caption>
                    { for ["From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References"].into_iter().filter_map(|name| {
                        v.decoded(name).map(|value| row(name, value.to_string()))
                    }) }
                </table>
            </div>
            <p class="note">{ t(lang, text::ENVELOPE_NOTE) }</p>
            if !verdicts.is_empty() {
                <h3>{ t(lang, text::AUTH_RESULTS) }</h3>
            }
            { for verdicts.iter().map(|a| html! {
                <table class="auth-results">
                    <caption>{ crate::i18n::checked_by(lang, &a.authserv_id) }</caption>
                    { for a.results.iter().map(|r| html! { <>
                        <tr>
                            <th scope="row">{ r.method.to_ascii_uppercase() }</th>
                            <td class={format!("verdict-{}", r.result)}>{ r.result.clone() }</td>
                            <td>{ r.properties.iter().map(|(k, v)| format!("{k}={v}"))
                                .chain(r.comments.iter().map(|c| format!("({c})")))
                                .collect::<Vec<_>>().join(" ") }</td>
                        </tr>
                        if !t(lang, crate::i18n::verdict(&r.method, &r.result)).is_empty() {
                            <tr><td colspan="3">{ t(lang, crate::i18n::verdict(&r.method, &r.result)) }</td></tr>
                        }
                    </> }) }
                </table>
            }) }
            <h3>{ t(lang, text::ROUTE) }</h3>
            if v.trace().is_empty() {
                <p class="note">{ t(lang, text::NO_ROUTE) }</p>
            }
            <ol class="route">
                { for v.trace().iter().map(|h| html! {
                    <li>{ format!("{} → {} ({}, id {}) {}",
                        h.from.clone().unwrap_or_default(), h.by.clone().unwrap_or_default(),
                        h.with.clone().unwrap_or_default(), h.id.clone().unwrap_or_default(),
                        h.date.clone().unwrap_or_default()) }</li>
                }) }
            </ol>
            <h3>{ t(lang, text::PARTS) }</h3>
            <ul class="mime-tree">
                { for v.parts().iter().map(|p| html! {
                    <li style={format!("margin-left: {}rem", p.depth)}>
                        { format!("{} {}{} · {} · {} {}",
                            if p.section.is_empty() { t(lang, text::CONTAINER).to_string() } else { p.section.to_string() },
                            p.content_type,
                            p.charset.as_ref().map(|c| format!("; charset={c}")).unwrap_or_default(),
                            p.transfer_encoding,
                            p.body_range.len(), t(lang, text::OCTETS)) }
                    </li>
                }) }
            </ul>
            <h3>{ t(lang, text::BODY) }</h3>
            if let (Some(text), Some(part)) = (text_body, text_part) {
                <label class="read-as">{ t(lang, text::READ_AS) }
                    <select onchange={pick}>
                        <option value="" selected={read_as.is_none()}>
                            { crate::i18n::bracketed(lang, t(lang, text::AS_LABELLED), part.charset.as_deref().unwrap_or(t(lang, text::NO_LABEL))) }
                        </option>
                        { for READ_AS.iter().map(|c| html! { <option value={*c} selected={read_as == Some(*c)}>{ *c }</option> }) }
                    </select>
                </label>
                <pre class="body-text">{ text }</pre>
            }
            if let Some(html) = html_body {
                // No allow-scripts, no allow-same-origin: nothing in a mail can run;
                // the CSP also stops remote loads (tracking pixels) as mail clients do.
                // The CSP meta alone once let a mail's <img src> through (a race in
                // Chromium, about one load in ten under load): the markup itself is
                // defused first, so nothing in it can load.
                <iframe class="html-body" sandbox="" srcdoc={format!("{MAIL_CSP}{}", mail_lab_message::html::defuse_remote(&html))} title={t(lang, text::HTML_SANDBOXED)} />
            }
            if !v.diagnostics().is_empty() {
                <h3>{ t(lang, text::DIAGNOSTICS) }</h3>
                <ul class="diagnostics">
                    { for v.diagnostics().iter().map(|d| html! {
                        <li>{ match (d.detail.is_empty(), d.offset) {
                            (false, _) => crate::i18n::bracketed(lang, t(lang, d.explain()), &d.detail),
                            (true, Some(at)) => crate::i18n::bracketed(lang, t(lang, d.explain()), &format!("{} {at}", t(lang, text::AT_OCTET))),
                            (true, None) => t(lang, d.explain()).to_string(),
                        } }</li>
                    }) }
                </ul>
            }
            <details>
                <summary>{ t(lang, text::RAW_MESSAGE) }</summary>
                <pre class="raw">{ raw_text.to_string() }</pre>
            </details>
            <details class="wire">
                <summary>{ t(lang, text::WIRE_FORM) }</summary>
                <p class="note">{ t(lang, text::WIRE_NOTE) }</p>
                <pre class="wire-form">
                    { for wire_runs(&raw_text).into_iter().map(|(text, stuffed)| html! {
                        <span class={if stuffed { "stuffed" } else { "" }}>{ text }</span>
                    }) }
                </pre>
            </details>
            <button onclick={download_eml}>{ t(lang, text::DOWNLOAD_EML) }</button>
        </section>
    }
}

/// Charsets a learner can read a text with in the inspector: the Japanese
/// ones mail uses (the browser's TextDecoder knows each).
const READ_AS: [&str; 4] = ["UTF-8", "ISO-2022-JP", "Shift_JIS", "EUC-JP"];

/// What an import came to, in `lang`.
fn notice_text(lang: Lang, notice: &Notice) -> String {
    match (lang, notice) {
        (Lang::En, Notice::Imported { count, account, folder }) => {
            format!("Imported {} into {account} {folder}.", crate::i18n::message_count(lang, *count))
        }
        (Lang::Ja, Notice::Imported { count, account, folder }) => {
            format!("{account} の {folder} に {} を取り込みました。", crate::i18n::message_count(lang, *count))
        }
        (Lang::En, Notice::LabImported) => "The saved lab is open.".into(),
        (Lang::Ja, Notice::LabImported) => "保存したラボを開きました。".into(),
        (Lang::En, Notice::ImportFailed(why)) => format!("Could not import: {why}"),
        (Lang::Ja, Notice::ImportFailed(why)) => format!("取り込めませんでした：{why}"),
        (Lang::En, Notice::LabUnreadable(e)) => format!("Could not import: {e}"),
        (Lang::Ja, Notice::LabUnreadable(e)) => {
            use mail_lab_world::SnapshotError::*;
            match e {
                Malformed(why) => format!("取り込めませんでした：保存したラボが読めません（{why}）"),
                WrongFormat(found) => {
                    format!("取り込めませんでした：保存した Mail Lab のラボではありません（形式「{found}」）")
                }
                UnsupportedVersion { found, .. } => format!(
                    "取り込めませんでした：保存したラボの形式は第 {found} 版で、この Mail Lab では読めません（いまのラボはそのままです）"
                ),
            }
        }
        (Lang::En, Notice::TooLarge) => "Could not import: the file is larger than a mailbox's quota (64 MiB).".into(),
        (Lang::Ja, Notice::TooLarge) => {
            "取り込めませんでした：ファイルがメールボックスの容量の上限（64 MiB）より大きいです。".into()
        }
        (Lang::En, Notice::OverQuota(account)) => {
            format!(
                "Could not import: {account} has no room for all these messages (64 MiB, 100,000 messages at most); none was stored."
            )
        }
        (Lang::Ja, Notice::OverQuota(account)) => {
            format!(
                "取り込めませんでした：{account} にはこれらのメッセージ全部を入れる空きがありません（上限 64 MiB・100,000 通）。1 通も保存していません。"
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn the_wire_form_stuffs_dot_lines_and_keeps_the_rest_in_few_runs() {
        let raw = "Subject: x\r\n\r\n.hidden\r\nplain\r\n..two\r\n.\r\nend\r\n";
        let runs = wire_runs(raw);
        let text: String = runs.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, "Subject: x\n\n..hidden\nplain\n...two\n..\nend\n.\n");
        let stuffed: Vec<&str> = runs.iter().filter(|(_, s)| *s).map(|(t, _)| t.as_str()).collect();
        assert_eq!(stuffed, ["..hidden\n", "...two\n", "..\n"]);
        // 10,000 plain lines are one run, not 10,000 nodes.
        let big = "line\r\n".repeat(10_000);
        assert_eq!(wire_runs(&big).len(), 1);
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn imap_status_lines_are_coloured_by_what_they_mean() {
        let class = |line: &str| classify(Lang::En, Some(Protocol::Imap), line, false).0;
        assert_eq!(class("a1 OK LOGIN completed").as_deref(), Some("r2xx"));
        assert_eq!(class("a2 NO [TRYCREATE] no such mailbox").as_deref(), Some("r4xx"));
        assert_eq!(class("a3 BAD unknown command").as_deref(), Some("r5xx"));
        // Every LOGOUT gets a BYE first (RFC 9051 §6.1.3): not shown as an error;
        // a BYE nobody asked for is.
        let after_logout = classify(Lang::En, Some(Protocol::Imap), "* BYE Logging out", true).0;
        assert_eq!(after_logout.as_deref(), Some("untagged"));
        assert_eq!(class("* BYE Autologout; idle for too long").as_deref(), Some("r5xx"));
        assert_eq!(class("+ Ready for literal data").as_deref(), Some("r3xx"));
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn a_file_that_is_not_a_saved_lab_is_refused_in_the_pages_language() {
        let mut lab = Lab::new(Lang::Ja);
        lab.apply(Action::ImportLab(b"hello".to_vec()));
        let notice = lab.notice.clone().expect("a notice");
        assert_eq!(
            notice_text(Lang::Ja, &notice),
            "取り込めませんでした：保存した Mail Lab のラボではありません（形式「hello」）"
        );
        assert_eq!(
            notice_text(Lang::En, &notice),
            "Could not import: this is not a saved Mail Lab world (format \"hello\", expected \"mail-lab-world\")"
        );
        lab.apply(Action::ImportLab(b"mail-lab-world 999 x".to_vec()));
        let notice = lab.notice.clone().expect("a notice");
        assert!(notice_text(Lang::Ja, &notice).contains("第 999 版"), "{notice:?}");
    }
}
