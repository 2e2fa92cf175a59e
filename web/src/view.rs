//! Components of the page. They read plain props and send actions; only [`App`]
//! touches the reducer.

use mail_lab_message::header_value;
use mail_lab_store::INBOX;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::i18n::{Lang, Text, message_count, t};
use crate::state::{Action, Lab, Speaker, Terminal};
use mail_lab_world::{Protocol, Service};

fn initial_lang() -> Lang {
    web_sys::window().and_then(|w| w.navigator().language()).map_or(Lang::En, |tag| Lang::from_tag(&tag))
}

/// One row of a mailbox pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub uid: u32,
    pub from: String,
    pub subject: String,
    pub flags: String,
}

/// What a mailbox pane shows for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxSummary {
    pub account: String,
    pub folder: String,
    pub rows: Vec<MessageRow>,
}

fn summarize(lab: &Lab, account: &str) -> MailboxSummary {
    let world = lab.world.borrow();
    let rows = world
        .store_for(account)
        .and_then(|s| s.folder(account, INBOX))
        .map(|f| {
            f.messages
                .iter()
                .map(|m| MessageRow {
                    uid: m.uid,
                    from: header_value(&m.raw, "From")
                        .or_else(|| m.envelope.as_ref().map(|e| e.reverse_path.clone()))
                        .unwrap_or_default(),
                    subject: header_value(&m.raw, "Subject").unwrap_or_default(),
                    flags: m.flags.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
                })
                .collect()
        })
        .unwrap_or_default();
    MailboxSummary { account: account.to_string(), folder: INBOX.to_string(), rows }
}

/// The whole page.
#[function_component(App)]
pub fn app() -> Html {
    let lab = use_reducer(|| Lab::new(initial_lang()));
    let lang = lab.lang;
    {
        let tag = lang.tag();
        use_effect_with(tag, move |tag| {
            if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
                let _ = root.set_attribute("lang", tag);
            }
        });
    }
    let on_send = {
        let lab = lab.dispatcher();
        Callback::from(move |(terminal, line): (usize, String)| lab.dispatch(Action::SendLine { terminal, line }))
    };
    let switch_lang = {
        let lab = lab.dispatcher();
        Callback::from(move |_| lab.dispatch(Action::SetLang(lang.other())))
    };
    let mailboxes: Vec<MailboxSummary> = lab.watched.iter().map(|a| summarize(&lab, a)).collect();
    let hosts: Vec<String> = lab.world.borrow().hosts().iter().map(|h| h.name.clone()).collect();
    let on_open = {
        let lab = lab.dispatcher();
        Callback::from(move |(host, port): (String, u16)| lab.dispatch(Action::Open { host, port }))
    };
    html! {
        <div class="lab">
            <header class="top">
                <h1>{ t(lang, Text::Title) }</h1>
                <p class="tagline">{ t(lang, Text::Tagline) }</p>
                <button class="lang" onclick={switch_lang}>{ t(lang, Text::SwitchLanguage) }</button>
            </header>
            <main class="panes">
                <div class="terminals">
                    <OpenTerminal {hosts} {lang} {on_open} />
                    { for lab.terminals.iter().map(|term| html! {
                        <TerminalView key={term.id} terminal={term.clone()} {lang} on_send={on_send.clone()} />
                    }) }
                </div>
                <div class="mailboxes">
                    { for mailboxes.into_iter().map(|summary| html! {
                        <MailboxView key={summary.account.clone()} summary={summary.clone()} {lang} />
                    }) }
                </div>
            </main>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct OpenTerminalProps {
    hosts: Vec<String>,
    lang: Lang,
    on_open: Callback<(String, u16)>,
}

/// `telnet host port` as a form: pick a host and a service port.
#[function_component(OpenTerminal)]
fn open_terminal(props: &OpenTerminalProps) -> Html {
    let lang = props.lang;
    let host = use_state(|| props.hosts.first().cloned().unwrap_or_default());
    let port = use_state(|| Service::Smtp.default_port());
    let select_value = |e: &Event| e.target_dyn_into::<web_sys::HtmlSelectElement>().map(|s| s.value());
    let on_host = {
        let host = host.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = select_value(&e) {
                host.set(v);
            }
        })
    };
    let on_port = {
        let port = port.clone();
        Callback::from(move |e: Event| {
            if let Some(p) = select_value(&e).and_then(|v| v.parse().ok()) {
                port.set(p);
            }
        })
    };
    let onsubmit = {
        let (host, port, on_open) = (host.clone(), port.clone(), props.on_open.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_open.emit(((*host).clone(), *port));
        })
    };
    html! {
        <form class="open-terminal" {onsubmit}>
            <label>{ t(lang, Text::Host) }
                <select aria-label={t(lang, Text::Host)} onchange={on_host}>
                    { for props.hosts.iter().map(|h| html! {
                        <option value={h.clone()} selected={*h == *host}>{ h }</option>
                    }) }
                </select>
            </label>
            <label>{ t(lang, Text::Port) }
                <select aria-label={t(lang, Text::Port)} onchange={on_port}>
                    { for Service::ALL.iter().map(|s| {
                        let p = s.default_port();
                        html! { <option value={p.to_string()} selected={p == *port}>{ format!("{p} ({})", s.name()) }</option> }
                    }) }
                </select>
            </label>
            <button type="submit">{ t(lang, Text::OpenTerminal) }</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct TerminalProps {
    terminal: Terminal,
    lang: Lang,
    on_send: Callback<(usize, String)>,
}

fn in_lang(lang: Lang, e: mail_lab_proto::Explanation) -> &'static str {
    match lang {
        Lang::En => e.en,
        Lang::Ja => e.ja,
    }
}

fn explain_state(lang: Lang, protocol: Option<Protocol>, key: &str) -> &'static str {
    match protocol {
        Some(Protocol::Pop3) => in_lang(lang, mail_lab_pop3::explain_state(key)),
        _ => in_lang(lang, mail_lab_smtp::explain_state(key)),
    }
}

/// The CSS class and explanation of a server line, by protocol.
fn classify(lang: Lang, protocol: Option<Protocol>, text: &str) -> (Option<String>, Option<String>) {
    match protocol {
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
            let explain = class.map(|_| in_lang(lang, mail_lab_pop3::explain_status(text)).to_string());
            (class.map(str::to_string), explain)
        }
        _ => match reply_code(text) {
            Some(code) => {
                (Some(format!("r{}xx", code / 100)), Some(in_lang(lang, mail_lab_smtp::explain_code(code)).to_string()))
            }
            None => (None, None),
        },
    }
}

/// The reply code at the start of a server line, if any.
fn reply_code(text: &str) -> Option<u16> {
    let digits = text.get(..3)?;
    let rest = text.as_bytes().get(3).copied();
    if matches!(rest, None | Some(b' ') | Some(b'-')) { digits.parse().ok() } else { None }
}

#[function_component(TerminalView)]
fn terminal_view(props: &TerminalProps) -> Html {
    let term = &props.terminal;
    let lang = props.lang;
    let input = use_node_ref();
    let log = use_node_ref();
    let recall = use_mut_ref(|| None::<usize>);
    {
        let log = log.clone();
        use_effect_with(term.transcript.len(), move |_| {
            if let Some(el) = log.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }
    let onkeydown = {
        let input = input.clone();
        let on_send = props.on_send.clone();
        let id = term.id;
        let history = term.history.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(field) = input.cast::<HtmlInputElement>() else { return };
            let mut recall = recall.borrow_mut();
            match e.key().as_str() {
                "Enter" => {
                    e.prevent_default();
                    let line = field.value();
                    field.set_value("");
                    *recall = None;
                    on_send.emit((id, line));
                }
                "ArrowUp" if !history.is_empty() => {
                    e.prevent_default();
                    let i = recall.map_or(history.len() - 1, |i| i.saturating_sub(1));
                    *recall = Some(i);
                    field.set_value(&history[i]);
                }
                "ArrowDown" => {
                    e.prevent_default();
                    match *recall {
                        Some(i) if i + 1 < history.len() => {
                            *recall = Some(i + 1);
                            field.set_value(&history[i + 1]);
                        }
                        _ => {
                            *recall = None;
                            field.set_value("");
                        }
                    }
                }
                _ => {}
            }
        })
    };
    let status = match (term.open, term.encrypted) {
        (true, true) => format!("{} · TLS", t(lang, Text::Connected)),
        (true, false) => t(lang, Text::Connected).to_string(),
        (false, _) => t(lang, Text::Closed).to_string(),
    };
    let title = format!("telnet {} {}", term.host, term.port);
    html! {
        <section class="terminal" aria-label={format!("{} {}:{}", t(lang, Text::Terminal), term.host, term.port)}>
            <header class="terminal-head">
                <span class="endpoint" data-host={term.host.clone()} data-port={term.port.to_string()}>{ title }</span>
                <span class={classes!("status", if term.open { "open" } else { "closed" })}>{ status }</span>
            </header>
            <ol class="transcript" role="log" aria-live="polite" aria-label={t(lang, Text::Transcript)} ref={log}>
                { for term.transcript.iter().map(|line| {
                    let (who, (reply_class, explain)) = match line.speaker {
                        Speaker::Client => ("client", (None, None)),
                        Speaker::Server => ("server", classify(lang, term.protocol, &line.text)),
                        Speaker::Lab => ("lab", (None, None)),
                    };
                    let class = classes!(who, reply_class);
                    html! { <li {class} title={explain}>{ &line.text }</li> }
                }) }
            </ol>
            if let Some(hint) = term.hint.as_ref().filter(|_| term.open) {
                <p class="hint" data-state={hint.state}>
                    { format!("{}: {} — {}: {}", t(lang, Text::State), explain_state(lang, term.protocol, hint.state), t(lang, Text::ValidNow), hint.allowed.join(" ")) }
                </p>
            }
            <input class="command" type="text" ref={input} {onkeydown}
                aria-label={t(lang, Text::Command)} placeholder={t(lang, Text::Command)}
                autocomplete="off" spellcheck="false" />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct MailboxProps {
    summary: MailboxSummary,
    lang: Lang,
}

#[function_component(MailboxView)]
fn mailbox_view(props: &MailboxProps) -> Html {
    let s = &props.summary;
    let lang = props.lang;
    html! {
        <section class="mailbox" aria-label={format!("{} {}", t(lang, Text::Mailbox), s.account)}>
            <h2>{ format!("{} {} — {} ({})", t(lang, Text::Mailbox), s.account, s.folder, message_count(lang, s.rows.len())) }</h2>
            if s.rows.is_empty() {
                <p class="empty">{ t(lang, Text::Empty) }</p>
            } else {
                <table>
                    <thead><tr>
                        <th scope="col">{ t(lang, Text::Uid) }</th>
                        <th scope="col">{ t(lang, Text::From) }</th>
                        <th scope="col">{ t(lang, Text::Subject) }</th>
                    </tr></thead>
                    <tbody>
                        { for s.rows.iter().map(|r| html! {
                            <tr key={r.uid} class="message" data-flags={r.flags.clone()}>
                                <td>{ r.uid }</td>
                                <td>{ &r.from }</td>
                                <td>{ if r.subject.is_empty() { t(lang, Text::NoSubject).to_string() } else { r.subject.clone() } }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
