//! Mailbox panes: an account's folders with counts, the messages of one folder
//! with UIDs and flags, what the last action changed, and only the rows in
//! view rendered, so a folder of 10,000 messages stays smooth.

use mail_lab_message::header_value;
use mail_lab_message::transfer::decode_header_value;
use mail_lab_store::{ChangeKind, Flag};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::charset::BrowserDecoder;
use crate::i18n::{Lang, message_count, t, text};
use crate::state::{Lab, PaneView};

/// Rows rendered at most: what fits the pane plus a margin for scrolling.
pub const WINDOW: usize = 30;
/// The fixed height of a row in pixels (the spacers stand in for hidden rows).
pub const ROW_PX: usize = 28;

/// One row of a mailbox pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub uid: u32,
    /// The From: field as written (an empty one stays empty); None without one.
    pub from: Option<String>,
    pub subject: String,
    pub flags: String,
    /// What the last action did to it: `new` or `flags`.
    pub change: Option<&'static str>,
}

/// A folder as the pane's tabs show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderTab {
    pub name: String,
    pub count: usize,
    pub unseen: usize,
}

/// What a mailbox pane shows for one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxSummary {
    pub account: String,
    pub folder: String,
    pub folders: Vec<FolderTab>,
    /// Messages in the folder; `rows` holds those from `first` on.
    pub total: usize,
    pub first: usize,
    pub rows: Vec<MessageRow>,
    /// UIDs the last action removed from this folder.
    pub expunged: Vec<u32>,
    /// Mail just arrived: the rows scroll to their end.
    pub follow: bool,
}

/// Read one pane from the world: only the rows in view are decoded.
pub fn summarize(lab: &Lab, pane: &PaneView) -> MailboxSummary {
    let world = lab.world.borrow();
    let account = pane.account.as_str();
    let folders_of = world.store_for(account).and_then(|s| s.account(account));
    let mut folders: Vec<FolderTab> = folders_of
        .map(|a| {
            a.folders
                .values()
                .map(|f| FolderTab {
                    name: f.name.clone(),
                    count: f.messages.len(),
                    unseen: f.messages.iter().filter(|m| !m.flags.contains(&Flag::Seen)).count(),
                })
                .collect()
        })
        .unwrap_or_default();
    // INBOX first, as every mail client lists it; the rest by name.
    if let Some(inbox) = folders.iter().position(|f| f.name == mail_lab_store::INBOX) {
        folders[..=inbox].rotate_right(1);
    }
    let changes: Vec<&ChangeKind> = lab
        .just_changed
        .iter()
        .filter(|c| c.account.eq_ignore_ascii_case(account) && c.folder == pane.folder)
        .map(|c| &c.kind)
        .collect();
    let change_of = |uid: u32| {
        changes.iter().rev().find_map(|k| match k {
            ChangeKind::Appended { uid: u } if *u == uid => Some("new"),
            ChangeKind::FlagsChanged { uid: u } if *u == uid => Some("flags"),
            _ => None,
        })
    };
    let expunged = changes.iter().filter_map(|k| if let ChangeKind::Expunged { uid } = k { Some(*uid) } else { None });
    let folder = folders_of.and_then(|a| a.folder(&pane.folder));
    let total = folder.map_or(0, |f| f.messages.len());
    // A folder that just got mail scrolls to its end (`Lab::show_new_mail` put
    // its first row there).
    let follow = lab.follow_new && changes.iter().any(|k| matches!(k, ChangeKind::Appended { .. }));
    let first = pane.first.min(total.saturating_sub(1));
    let decode = |raw: &[u8], name: &str| header_value(raw, name).map(|v| decode_header_value(&v, &BrowserDecoder).0);
    let rows = folder
        .map(|f| {
            f.messages
                .iter()
                .skip(first)
                .take(WINDOW)
                .map(|m| MessageRow {
                    uid: m.uid,
                    // The header's From only: the envelope sender is not the
                    // message's author (lesson 3), and a list that showed it
                    // would hide that the field is missing.
                    from: decode(&m.raw, "From"),
                    subject: decode(&m.raw, "Subject").unwrap_or_default(),
                    flags: m.flags.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
                    change: change_of(m.uid),
                })
                .collect()
        })
        .unwrap_or_default();
    MailboxSummary {
        account: account.to_string(),
        folder: pane.folder.clone(),
        folders,
        total,
        first,
        rows,
        expunged: expunged.collect(),
        follow,
    }
}

/// What a pane shows and where its actions go.
pub struct MailboxProps {
    pub summary: MailboxSummary,
    pub lang: Lang,
    /// Open a message: account, folder, UID.
    pub on_select: Callback<(String, String, u32)>,
    /// Show a folder, or scroll: account, folder, first row in view.
    pub on_view: Callback<(String, String, usize)>,
    /// Download the folder as mbox.
    pub on_export: Callback<(String, String)>,
    /// A file chosen for import into the folder: account, folder, file name, bytes.
    pub on_import: Callback<(String, String, String, Vec<u8>)>,
}

/// One account's pane (plain markup: no state of its own).
pub fn mailbox_view(props: &MailboxProps) -> Html {
    let s = &props.summary;
    let lang = props.lang;
    let (account, folder) = (s.account.clone(), s.folder.clone());
    let onscroll = {
        let (on_view, account, folder, first) = (props.on_view.clone(), account.clone(), folder.clone(), s.first);
        Callback::from(move |e: Event| {
            let Some(el) = e.target_dyn_into::<web_sys::Element>() else { return };
            // Keep a few rows above the view so a small scroll up has rows to show.
            let top = (el.scroll_top().max(0) as usize / ROW_PX).saturating_sub(5);
            if top.abs_diff(first) >= 5 {
                on_view.emit((account.clone(), folder.clone(), top));
            }
        })
    };
    let export = {
        let (cb, account, folder) = (props.on_export.clone(), account.clone(), folder.clone());
        Callback::from(move |_| cb.emit((account.clone(), folder.clone())))
    };
    let import = {
        let (cb, account, folder) = (props.on_import.clone(), account.clone(), folder.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
            let (cb, account, folder) = (cb.clone(), account.clone(), folder.clone());
            crate::files::read_chosen(&input, Box::new(move |name, bytes| cb.emit((account, folder, name, bytes))));
        })
    };
    let below = s.total.saturating_sub(s.first + s.rows.len());
    html! {
        <section class="mailbox" aria-label={format!("{} {}", t(lang, text::MAILBOX), s.account)}>
            <h2>{ format!("{} {} — {} ({})", t(lang, text::MAILBOX), s.account, s.folder, message_count(lang, s.total)) }</h2>
            <div class="folders" role="group" aria-label={t(lang, text::FOLDERS)}>
                { for s.folders.iter().map(|f| {
                    let show = {
                        let (on_view, account, name) = (props.on_view.clone(), account.clone(), f.name.clone());
                        Callback::from(move |_| on_view.emit((account.clone(), name.clone(), 0)))
                    };
                    html! {
                        <button class="folder" aria-pressed={(f.name == s.folder).to_string()} onclick={show}
                            title={crate::i18n::folder_counts(lang, f.count, f.unseen)}>
                            { format!("{} {}", f.name, f.count) }
                            if f.unseen > 0 { <span class="unseen">{ format!(" ({})", f.unseen) }</span> }
                        </button>
                    }
                }) }
            </div>
            if !s.expunged.is_empty() {
                <p class="expunged" role="status">
                    { format!("{} {}", t(lang, text::EXPUNGED), s.expunged.iter().map(|u| format!("UID {u}")).collect::<Vec<_>>().join(", ")) }
                </p>
            }
            if s.total == 0 {
                <p class="empty">{ t(lang, text::EMPTY) }</p>
            } else {
                <div class={if s.follow { "rows follow" } else { "rows" }} {onscroll}>
                    <table>
                        <thead><tr>
                            <th scope="col" title={t(lang, text::UID_NOTE)}>{ t(lang, text::UID) }</th>
                            <th scope="col">{ t(lang, text::FLAGS) }</th>
                            <th scope="col">{ t(lang, text::FROM) }</th>
                            <th scope="col">{ t(lang, text::SUBJECT) }</th>
                        </tr></thead>
                        <tbody>
                            <tr class="spacer" aria-hidden="true" style={format!("height: {}px", s.first * ROW_PX)} />
                            { for s.rows.iter().map(|r| html! {
                                <tr key={r.uid} class={crate::view::class_list(&["message", r.change.unwrap_or(""), if r.flags.contains("\\Deleted") { "deleted" } else { "" }, if r.flags.contains("\\Seen") { "" } else { "unread" }])} data-flags={r.flags.clone()}>
                                    <td>{ r.uid }</td>
                                    <td class="flags">{ &r.flags }</td>
                                    if let Some(from) = &r.from {
                                        <td title={from.clone()}>{ from }</td>
                                    } else {
                                        <td class="missing">{ t(lang, text::NO_FROM) }</td>
                                    }
                                    <td>
                                        <button class="link" onclick={
                                            let (on_select, account, folder, uid) = (props.on_select.clone(), account.clone(), folder.clone(), r.uid);
                                            Callback::from(move |_| on_select.emit((account.clone(), folder.clone(), uid)))
                                        }>
                                            { if r.subject.is_empty() { t(lang, text::NO_SUBJECT).to_string() } else { r.subject.clone() } }
                                        </button>
                                    </td>
                                </tr>
                            }) }
                            <tr class="spacer" aria-hidden="true" style={format!("height: {}px", below * ROW_PX)} />
                        </tbody>
                    </table>
                </div>
            }
            <div class="folder-files">
                <button onclick={export} disabled={s.total == 0}>{ t(lang, text::EXPORT_MBOX) }</button>
                <label class="import">{ t(lang, text::IMPORT_MAIL) }
                    <input type="file" accept=".eml,.mbox,message/rfc822,application/mbox" onchange={import} />
                </label>
            </div>
        </section>
    }
}
