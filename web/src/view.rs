//! Components of the page. They read plain props and send actions; only [`App`]
//! touches the reducer.

use mail_lab_message::header_value;
use mail_lab_store::INBOX;
use web_sys::{HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::i18n::{Lang, Text, message_count, t};
use crate::state::{Action, Lab, Speaker, Terminal};

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
    html! {
        <div class="lab">
            <header class="top">
                <h1>{ t(lang, Text::Title) }</h1>
                <p class="tagline">{ t(lang, Text::Tagline) }</p>
                <button class="lang" onclick={switch_lang}>{ t(lang, Text::SwitchLanguage) }</button>
            </header>
            <main class="panes">
                <div class="terminals">
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
struct TerminalProps {
    terminal: Terminal,
    lang: Lang,
    on_send: Callback<(usize, String)>,
}

fn explain_state(lang: Lang, key: &str) -> &'static str {
    let e = mail_lab_smtp::explain_state(key);
    match lang {
        Lang::En => e.en,
        Lang::Ja => e.ja,
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
                    let (who, code) = match line.speaker {
                        Speaker::Client => ("client", None),
                        Speaker::Server => ("server", reply_code(&line.text)),
                        Speaker::Lab => ("lab", None),
                    };
                    let class = classes!(who, code.map(|c| format!("r{}xx", c / 100)));
                    let explain = code.map(|c| {
                        let e = mail_lab_smtp::explain_code(c);
                        match lang { Lang::En => e.en, Lang::Ja => e.ja }.to_string()
                    });
                    html! { <li {class} title={explain}>{ &line.text }</li> }
                }) }
            </ol>
            if let Some(hint) = term.hint.as_ref().filter(|_| term.open) {
                <p class="hint" data-state={hint.state}>
                    { format!("{}: {} — {}: {}", t(lang, Text::State), explain_state(lang, hint.state), t(lang, Text::ValidNow), hint.allowed.join(" ")) }
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
