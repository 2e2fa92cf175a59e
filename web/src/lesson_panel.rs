//! The lessons: the list with progress, and the active lesson's goal, steps,
//! hint and (for APOP) the digest calculator.

use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{Lang, bracketed, colon, t, text};
use crate::lessons::{LESSONS, NOTES, Step};

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
    /// The scenario of the lab set aside, if one is.
    pub aside: Option<&'a str>,
    pub on_back: Callback<MouseEvent>,
    pub on_let_go: Callback<MouseEvent>,
    pub syllabus: bool,
    pub on_syllabus: Callback<bool>,
}

/// The lessons (plain markup: its state lives in the lab).
pub fn lesson_panel(props: &LessonPanelProps<'_>) -> Html {
    let lang = props.lang;
    let is_done = |i: usize| props.done.iter().any(|d| d == LESSONS[i].id);
    let start = |i: usize| {
        // A lesson on another world sets this lab aside; only when one is set
        // aside already is this one replaced, and then the learner is asked.
        let ask = LESSONS[i].scenario != props.scenario && props.aside.is_some();
        let on_start = props.on_start.clone();
        Callback::from(move |_: MouseEvent| {
            if !ask || gloo::dialogs::confirm(t(lang, text::NEW_WORLD_CONFIRM)) {
                on_start.emit(i);
                bring_into_view(LESSONS[i].shows);
            }
        })
    };
    let done = format!("{}/{} {}", props.done.len(), LESSONS.len(), t(lang, text::LESSONS_DONE));
    let count = bracketed(lang, t(lang, text::LESSONS), &done);
    html! {
        <section class="lessons" aria-label={t(lang, text::LESSONS)}>
            if let Some(scenario) = props.aside {
                <p class="aside" role="status">
                    { t(lang, text::ASIDE_NOTE) }{ " " }<code>{ scenario }</code>{ " " }
                    <button onclick={props.on_back.clone()}>{ t(lang, text::BACK_TO_ASIDE) }</button>
                    <button onclick={props.on_let_go.clone()}>{ t(lang, text::LET_ASIDE_GO) }</button>
                </p>
            }
            if props.syllabus {
                { syllabus(lang, props, &start, &is_done) }
            }
            <details class="lesson-list">
                <summary>{ count }</summary>
                <ol>
                    { for LESSONS.iter().enumerate().map(|(i, l)| html! {
                        <li class={if is_done(i) { "done" } else { "" }}>
                            <button class="link" onclick={start(i)} aria-current={(props.active == Some(i)).then_some("step")}>
                                { format!("{}{}", if is_done(i) { "✓ " } else { "" }, t(lang, l.title())) }
                            </button>
                        </li>
                    }) }
                </ol>
            </details>
            if let Some(i) = props.active {
                { active_lesson(i, is_done(i), lang, props) }
                if is_done(i) && i + 1 < LESSONS.len() {
                    <button class="next-lesson" onclick={start(i + 1)}>{ t(lang, text::NEXT_LESSON) }</button>
                }
            }
        </section>
    }
}

/// Every lesson with the lecture-note topic it teaches and its world; a title
/// opens to preview the goal and steps, and only Start changes anything.
fn syllabus(
    lang: Lang,
    props: &LessonPanelProps<'_>,
    start: &dyn Fn(usize) -> Callback<MouseEvent>,
    is_done: &dyn Fn(usize) -> bool,
) -> Html {
    let close = props.on_syllabus.reform(|_: MouseEvent| false);
    html! {
        <section class="syllabus" role="dialog" aria-label={t(lang, text::SYLLABUS)}>
            <header>
                <h2>{ t(lang, text::SYLLABUS) }</h2>
                <button onclick={close}>{ t(lang, text::CLOSE) }</button>
            </header>
            <p class="note">{ t(lang, text::SYLLABUS_NOTE) }</p>
            <table>
                <thead><tr>
                    <th scope="col">{ "#" }</th>
                    <th scope="col">{ t(lang, text::LESSONS) }</th>
                    <th scope="col">{ t(lang, text::SYLLABUS_TOPIC) }</th>
                    <th scope="col">{ t(lang, text::SYLLABUS_SCENARIO) }</th>
                    <th scope="col"></th>
                </tr></thead>
                <tbody>
                    { for LESSONS.iter().enumerate().map(|(i, l)| html! {
                        <tr class={if props.active == Some(i) { "active" } else { "" }} data-lesson={l.id}>
                            <td>{ format!("{}{}", i + 1, if is_done(i) { " ✓" } else { "" }) }</td>
                            <td>
                                <details>
                                    <summary>{ t(lang, l.title()) }</summary>
                                    <p class="goal">{ t(lang, l.goal()) }</p>
                                    <ol class="preview-steps">
                                        { for l.steps.iter().map(|s| match s {
                                            Step::Type(line) => html! { <li><code>{ line }</code></li> },
                                            Step::Do(what) => html! { <li>{ t(lang, what) }</li> },
                                        }) }
                                    </ol>
                                </details>
                            </td>
                            <td>{ t(lang, l.topic()) }</td>
                            <td><code>{ l.scenario }</code></td>
                            <td><button onclick={start(i)} aria-label={format!("{} {}", t(lang, text::START), i + 1)}>{ t(lang, text::START) }</button></td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <h3>{ t(lang, text::LECTURE_NOTES) }</h3>
            <ul class="notes">
                { for NOTES.iter().map(|(letter, title)| html! { <li>{ format!("{letter}{}{}", colon(lang), t(lang, *title)) }</li> }) }
            </ul>
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
            <li class="type"><button type="button" class="step-line" title={t(lang, text::PUT_IN_COMMAND_BOX)} onclick={fill}>{ shown }</button></li>
        }
    };
    let status = if done { text::GOAL_REACHED } else { text::GOAL_NOT_YET };
    html! {
        <article class="lesson" data-lesson={lesson.id} data-shows={lesson.shows}>
            <h2>{ format!("{}. {}", index + 1, t(lang, lesson.title())) }</h2>
            <p class="goal"><strong>{ t(lang, text::GOAL) }{ colon(lang) }</strong>{ t(lang, lesson.goal()) }</p>
            <p role="status" class={if done { "lesson-status reached" } else { "lesson-status pending" }}>{ t(lang, status) }</p>
            <details open={!done}>
                <summary>{ t(lang, text::STEPS) }</summary>
                <ol class="steps">
                    { for lesson.steps.iter().map(|s| match s {
                        Step::Type("") => typed("", html! { <><code data-line="">{ "⏎" }</code>{ " " }<em>{ t(lang, text::EMPTY_LINE) }</em></> }),
                        Step::Type(line) => typed(line, html! { <code data-line={line}>{ line }</code> }),
                        Step::Do(what) => html! { <li class="do">{ t(lang, what) }</li> },
                    }) }
                </ol>
            </details>
            <p class="lesson-hint"><strong>{ t(lang, text::HINT) }{ colon(lang) }</strong>{ t(lang, lesson.hint()) }</p>
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
            <legend>{ t(lang, text::APOP_CALCULATOR) }</legend>
            <label>{ t(lang, text::TIMESTAMP) }
                <input type="text" value={stamp.clone()} oninput={field(true)} placeholder="<1234.5678@mail.a.example>" spellcheck="false" />
            </label>
            <label>{ t(lang, text::PASSWORD) }
                <input type="text" value={password.clone()} oninput={field(false)} spellcheck="false" />
            </label>
            <label>{ t(lang, text::DIGEST) }
                <output class="digest">{ digest }</output>
            </label>
            if added { <p class="note">{ format!("{} {bracketed}", t(lang, text::APOP_BRACKETS)) }</p> }
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

/// Fold the lesson list away, so the lesson just started is what the rail
/// shows, and scroll the side column to the view with this id (the page
/// itself never scrolls).
fn bring_into_view(id: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Ok(Some(list)) = document.query_selector(".lesson-list") {
        let _ = list.remove_attribute("open");
        // The button that had focus is folded away with the list: keep the
        // keyboard's place at the list's summary, not at the top of the page.
        if let Some(summary) = list.first_element_child().and_then(|s| s.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = summary.focus();
        }
    }
    if let Some(el) = document.get_element_by_id(id) {
        el.scroll_into_view();
    }
}
