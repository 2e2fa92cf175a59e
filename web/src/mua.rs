//! The mail client (MUA) panel: compose and send through submission, fetch with
//! POP3, and the protocol dialogue the client generated.

use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::i18n::{Lang, t, text};
use crate::state::{Compose, MuaOutcome, MuaStatus, TranscriptLine};

/// What the mail client panel shows and where its actions go.
pub struct MuaProps<'a> {
    /// What is being composed (kept in the lab).
    pub draft: &'a Compose,
    pub on_draft: Callback<Compose>,
    pub accounts: &'a [String],
    pub log: &'a [TranscriptLine],
    pub status: Option<&'a crate::state::MuaStatus>,
    pub inbox: &'a [(String, String, String)],
    pub lang: Lang,
    pub on_send: Callback<Compose>,
    pub on_check: Callback<String>,
    /// The INBOX as the last IMAP check listed it.
    pub imap: &'a [crate::state::ImapRow],
    /// What the server pushed to the idling client.
    pub pushed: &'a [String],
    /// The account being watched with IDLE.
    pub watching: Option<&'a str>,
    pub on_check_imap: Callback<String>,
    pub on_trash: Callback<(String, u32)>,
    pub on_watch: Callback<(String, bool)>,
}

/// The mail client (plain markup: the draft lives in the lab).
pub fn mua_panel(props: &MuaProps<'_>) -> Html {
    let lang = props.lang;
    let draft = props.draft;
    let field = |set: fn(&mut Compose, String)| {
        let (draft, on_draft) = (draft.clone(), props.on_draft.clone());
        Callback::from(move |e: InputEvent| {
            let value = e
                .target_dyn_into::<HtmlInputElement>()
                .map(|i| i.value())
                .or_else(|| e.target_dyn_into::<HtmlTextAreaElement>().map(|t| t.value()))
                .unwrap_or_default();
            let mut next = draft.clone();
            set(&mut next, value);
            on_draft.emit(next);
        })
    };
    let on_account = {
        let (draft, on_draft) = (draft.clone(), props.on_draft.clone());
        Callback::from(move |e: Event| {
            if let Some(s) = e.target_dyn_into::<HtmlSelectElement>() {
                on_draft.emit(Compose { from: s.value(), ..draft.clone() });
            }
        })
    };
    let send = {
        let (draft, cb) = (draft.clone(), props.on_send.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            cb.emit(draft.clone());
        })
    };
    let account_action = |cb: &Callback<String>| {
        let (draft, cb) = (draft.clone(), cb.clone());
        Callback::from(move |_: MouseEvent| cb.emit(draft.from.clone()))
    };
    let check = account_action(&props.on_check);
    let check_imap = account_action(&props.on_check_imap);
    let watching = props.watching.is_some();
    let watch = {
        let (draft, cb) = (draft.clone(), props.on_watch.clone());
        Callback::from(move |_: MouseEvent| cb.emit((draft.from.clone(), !watching)))
    };
    html! {
        <section class="mua" id="mua" aria-label={t(lang, text::MAIL_CLIENT)}>
            <h2>{ t(lang, text::MAIL_CLIENT) }</h2>
            <p class="note">{ t(lang, text::MAIL_CLIENT_NOTE) }</p>
            <form onsubmit={send}>
                <label>{ t(lang, text::ACCOUNT) }
                    <select aria-label={t(lang, text::ACCOUNT)} onchange={on_account}>
                        { for props.accounts.iter().map(|a| html! { <option value={a.clone()} selected={*a == draft.from}>{ a }</option> }) }
                    </select>
                </label>
                <label>{ t(lang, text::TO) }<input aria-label={t(lang, text::TO)} value={draft.to.clone()} oninput={field(|d, v| d.to = v)} /></label>
                <label>{ t(lang, text::CC) }<input aria-label={t(lang, text::CC)} value={draft.cc.clone()} oninput={field(|d, v| d.cc = v)} /></label>
                <label>{ t(lang, text::BCC) }<input aria-label={t(lang, text::BCC)} value={draft.bcc.clone()} oninput={field(|d, v| d.bcc = v)} /></label>
                <label>{ t(lang, text::SUBJECT) }<input aria-label={t(lang, text::SUBJECT)} value={draft.subject.clone()} oninput={field(|d, v| d.subject = v)} /></label>
                <label>{ t(lang, text::BODY) }<textarea aria-label={t(lang, text::BODY)} value={draft.body.clone()} oninput={field(|d, v| d.body = v)} /></label>
                <div class="mua-actions">
                    <button type="submit">{ t(lang, text::SEND) }</button>
                    <button type="button" onclick={check}>{ t(lang, text::CHECK_MAIL) }</button>
                    <button type="button" onclick={check_imap}>{ t(lang, text::CHECK_MAIL_IMAP) }</button>
                    <button type="button" aria-pressed={watching.to_string()} onclick={watch}>
                        { if watching { t(lang, text::STOP_WATCHING) } else { t(lang, text::WATCH) } }
                    </button>
                </div>
            </form>
            if let Some(status) = &props.status {
                <p class="mua-status" role="status">{ status_text(props.lang, status) }</p>
            }
            <ol class="transcript mua-log" role="log" aria-label={t(lang, text::TRANSCRIPT)}>
                { for props.log.iter().map(|line| {
                    let class = if matches!(line, TranscriptLine::Client(..)) { "client" } else { "server" };
                    html! { <li {class}>{ line.wire_text().unwrap_or_default() }</li> }
                }) }
            </ol>
            if !props.pushed.is_empty() {
                <h3>{ t(lang, text::PUSHED) }</h3>
                <ol class="mua-pushed" role="log">{ for props.pushed.iter().map(|l| html! { <li><code>{ l }</code></li> }) }</ol>
            }
            if !props.imap.is_empty() {
                <h3>{ t(lang, text::IMAP_INBOX) }</h3>
                <ul class="mua-imap">
                    { for props.imap.iter().map(|r| {
                        let trash = {
                            let (cb, account, uid) = (props.on_trash.clone(), r.account.clone(), r.uid);
                            Callback::from(move |_| cb.emit((account.clone(), uid)))
                        };
                        html! {
                            <li data-uid={r.uid.to_string()}>
                                { format!("UID {} {} — {} {}", r.uid, r.from, r.subject, r.flags) }
                                { " " }
                                <button onclick={trash} aria-label={format!("{} UID {}", t(lang, text::MOVE_TO_TRASH), r.uid)}>{ t(lang, text::MOVE_TO_TRASH) }</button>
                            </li>
                        }
                    }) }
                </ul>
            }
            if !props.inbox.is_empty() {
                <h3>{ t(lang, text::DOWNLOADED) }</h3>
                <ul class="mua-inbox">
                    { for props.inbox.iter().map(|(account, from, subject)| html! { <li>{ format!("{account}: {from} — {subject}") }</li> }) }
                </ul>
            }
        </section>
    }
}

/// What the mail client last did, in `lang`.
fn status_text(lang: Lang, status: &MuaStatus) -> String {
    let ja = lang == Lang::Ja;
    match status {
        MuaStatus::NoAccount(a) if ja => format!("{a} というアカウントはありません"),
        MuaStatus::NoAccount(a) => format!("No account {a}"),
        MuaStatus::NoRecipient if ja => "宛先を 1 つ以上入れてください。".into(),
        MuaStatus::NoRecipient => "Give at least one recipient.".into(),
        MuaStatus::Sent(outcomes) => outcomes
            .iter()
            .map(|(rcpt, outcome)| match (outcome, ja) {
                (MuaOutcome::Accepted, false) => format!("{rcpt}: accepted"),
                (MuaOutcome::Accepted, true) => format!("{rcpt}：受け付けられました"),
                (MuaOutcome::Later(reply), false) => format!("{rcpt}: try later ({reply})"),
                (MuaOutcome::Later(reply), true) => format!("{rcpt}：後で再送（{reply}）"),
                (MuaOutcome::Refused(reply), false) => format!("{rcpt}: refused ({reply})"),
                (MuaOutcome::Refused(reply), true) => format!("{rcpt}：拒否されました（{reply}）"),
            })
            .collect::<Vec<_>>()
            .join(if ja { "、" } else { "; " }),
        MuaStatus::Fetched { count, account } if ja => format!("{account} の新着メッセージ {count} 通"),
        MuaStatus::Fetched { count, account } => format!(
            "{} for {account}",
            if *count == 1 { "1 new message".to_string() } else { format!("{count} new messages") }
        ),
        MuaStatus::Listed { count, account } if ja => format!("{account} の INBOX（IMAP）：{count} 通"),
        MuaStatus::Listed { count, account } => {
            format!("{account} INBOX over IMAP: {}", crate::i18n::message_count(lang, *count))
        }
        MuaStatus::Failed(why) if ja => format!("失敗しました：{why}"),
        MuaStatus::Failed(why) => format!("Failed: {why}"),
    }
}
