//! The lessons: the list with progress, and the active lesson's goal, steps,
//! hint and (for APOP) the digest calculator.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{Lang, Text, t};
use crate::lessons::{LESSONS, Step};

/// What the lessons panel shows and where its actions go.
pub struct LessonPanelProps<'a> {
    pub done: &'a [String],
    pub active: Option<usize>,
    pub scenario: &'a str,
    pub lang: Lang,
    pub on_start: Callback<usize>,
    /// The APOP calculator's timestamp and password.
    pub apop: &'a (String, String),
    pub on_apop: Callback<(String, String)>,
    /// The terminal in front: a clicked step's line goes into its command box.
    pub terminal: usize,
}

/// The lessons (plain markup: its state lives in the lab).
pub fn lesson_panel(props: &LessonPanelProps<'_>) -> Html {
    let lang = props.lang;
    let is_done = |i: usize| props.done.iter().any(|d| d == LESSONS[i].id);
    let start = |i: usize| {
        let (on_start, same_world) = (props.on_start.clone(), LESSONS[i].scenario == props.scenario);
        Callback::from(move |_| {
            // A lesson on another world replaces this one: ask first.
            if same_world || gloo::dialogs::confirm(t(lang, Text::NewWorldConfirm)) {
                on_start.emit(i);
            }
        })
    };
    let count =
        format!("{} ({}/{} {})", t(lang, Text::Lessons), props.done.len(), LESSONS.len(), t(lang, Text::LessonsDone));
    html! {
        <section class="lessons" aria-label={t(lang, Text::Lessons)}>
            <details class="lesson-list">
                <summary>{ count }</summary>
                <ol>
                    { for LESSONS.iter().enumerate().map(|(i, l)| html! {
                        <li class={if is_done(i) { "done" } else { "" }}>
                            <button class="link" onclick={start(i)} aria-current={(props.active == Some(i)).then_some("step")}>
                                { format!("{}{}", if is_done(i) { "✓ " } else { "" }, l.title.get(lang)) }
                            </button>
                        </li>
                    }) }
                </ol>
            </details>
            if let Some(i) = props.active {
                { active_lesson(i, is_done(i), lang, props) }
                if is_done(i) && i + 1 < LESSONS.len() {
                    <button class="next-lesson" onclick={start(i + 1)}>{ t(lang, Text::NextLesson) }</button>
                }
            }
        </section>
    }
}

/// The active lesson: plain markup inside the panel (a component of its own
/// would cost page weight for no state of its own).
fn active_lesson(index: usize, done: bool, lang: Lang, props: &LessonPanelProps<'_>) -> Html {
    let lesson = &LESSONS[index];
    let terminal = props.terminal;
    // A step to type is a button: it puts its line in the command box (Enter still sends it).
    let typed = |line: &'static str, shown: Html| {
        let fill = Callback::from(move |_: MouseEvent| put_in_command_box(terminal, line));
        html! {
            <li class="type"><button type="button" class="step-line" title={t(lang, Text::PutInCommandBox)} onclick={fill}>{ shown }</button></li>
        }
    };
    let status = if done { Text::GoalReached } else { Text::GoalNotYet };
    html! {
        <article class="lesson" data-lesson={lesson.id}>
            <h2>{ format!("{}. {}", index + 1, lesson.title.get(lang)) }</h2>
            <p class="goal"><strong>{ t(lang, Text::Goal) }{ ": " }</strong>{ lesson.goal.get(lang) }</p>
            <p role="status" class={if done { "lesson-status reached" } else { "lesson-status pending" }}>{ t(lang, status) }</p>
            <details open={!done}>
                <summary>{ t(lang, Text::Steps) }</summary>
                <ol class="steps">
                    { for lesson.steps.iter().map(|s| match s {
                        Step::Type("") => typed("", html! { <><code data-line="">{ "⏎" }</code>{ " " }<em>{ t(lang, Text::EmptyLine) }</em></> }),
                        Step::Type(line) => typed(line, html! { <code data-line={*line}>{ *line }</code> }),
                        Step::Do(what) => html! { <li class="do">{ what.get(lang) }</li> },
                    }) }
                </ol>
            </details>
            <p class="lesson-hint"><strong>{ t(lang, Text::Hint) }{ ": " }</strong>{ lesson.hint.get(lang) }</p>
            if lesson.id == "apop" {
                { apop_calculator(lang, props.apop, &props.on_apop) }
            }
        </article>
    }
}

/// MD5(timestamp + password): what a mail client sends with APOP (RFC 1939 §7).
fn apop_calculator(lang: Lang, (stamp, password): &(String, String), on_apop: &Callback<(String, String)>) -> Html {
    // Each field sends both values, the other one as it stands.
    let field = |first: bool| {
        let (cb, stamp, password) = (on_apop.clone(), stamp.clone(), password.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                let value = input.value();
                cb.emit(if first { (value, password.clone()) } else { (stamp.clone(), value) });
            }
        })
    };
    // The angle brackets are part of the timestamp (RFC 1939 §7): pasted without
    // them, they are put back, and the calculator says so.
    let trimmed = stamp.trim();
    let bracketed = if trimmed.starts_with('<') { trimmed.to_string() } else { format!("<{trimmed}>") };
    let added = !trimmed.is_empty() && !trimmed.starts_with('<');
    let digest =
        if trimmed.is_empty() { String::new() } else { mail_lab_proto::sasl::apop_digest(&bracketed, password) };
    html! {
        <fieldset class="apop-calculator">
            <legend>{ t(lang, Text::ApopCalculator) }</legend>
            <label>{ t(lang, Text::Timestamp) }
                <input type="text" value={stamp.clone()} oninput={field(true)} placeholder="<1234.5678@mail.a.example>" spellcheck="false" />
            </label>
            <label>{ t(lang, Text::Password) }
                <input type="text" value={password.clone()} oninput={field(false)} spellcheck="false" />
            </label>
            <label>{ t(lang, Text::Digest) }
                <output class="digest">{ digest }</output>
            </label>
            if added { <p class="note">{ format!("{} {bracketed}", t(lang, Text::ApopBrackets)) }</p> }
        </fieldset>
    }
}

/// Put `line` in terminal `id`'s command box and give it the keyboard.
fn put_in_command_box(id: usize, line: &str) {
    if let Some(input) = crate::view::command_box(id) {
        input.set_value(line);
        let _ = input.focus();
    }
}
