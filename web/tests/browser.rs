//! The real app mounted in headless Chromium: type an SMTP session into the
//! terminal's Command box and see the replies and bob's mailbox change.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(20)).await;
}

fn mount() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<mail_lab_web::App>::with_root(root.clone()).render();
    root
}

async fn type_line(root: &Element, line: &str) {
    let input: HtmlInputElement =
        root.query_selector("input[aria-label='Command']").unwrap().expect("a Command box").dyn_into().unwrap();
    input.set_value(line);
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input.dispatch_event(&event).unwrap();
    settle().await;
}

fn texts(root: &Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length()).filter_map(|i| list.item(i)).map(|n| n.text_content().unwrap_or_default()).collect()
}

#[wasm_bindgen_test]
async fn typed_smtp_session_delivers_to_the_mailbox_pane() {
    let root = mount();
    settle().await;
    let endpoint = texts(&root, ".terminal-head .endpoint");
    assert_eq!(endpoint, vec!["telnet mail.a.example 25"]);
    assert_eq!(texts(&root, "[role=log] li.server"), vec!["220 mail.a.example ESMTP Mail Lab ready"]);
    let pane = root.query_selector("section[aria-label='Mailbox bob@a.example']").unwrap();
    assert!(pane.is_some(), "bob's mailbox pane is labelled with the account");
    assert!(texts(&root, ".mailbox tr.message").is_empty());

    for line in [
        "EHLO pc.a.example",
        "MAIL FROM:<alice@a.example>",
        "RCPT TO:<bob@a.example>",
        "DATA",
        "From: Alice <alice@a.example>",
        "Subject: Lunch at noon?",
        "",
        "See you there.",
        ".",
        "QUIT",
    ] {
        type_line(&root, line).await;
    }
    let server = texts(&root, "[role=log] li.server");
    let codes: Vec<&str> = server.iter().map(|l| &l[..3]).collect();
    assert_eq!(codes.first(), Some(&"220"));
    assert!(codes.contains(&"354"));
    assert_eq!(codes.last(), Some(&"221"));
    assert!(server.iter().any(|l| l.starts_with("250 2.0.0 OK: queued as")), "{server:?}");
    let rows = texts(&root, "section[aria-label='Mailbox bob@a.example'] tr.message");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("Lunch at noon?") && rows[0].contains("Alice"), "{rows:?}");
    // The 5xx/2xx classes drive the colours.
    assert!(root.query_selector("[role=log] li.r2xx").unwrap().is_some());

    // The same terminal to POP3: the SMTP lines keep their colours and
    // explanations, the POP3 lines get POP3's, the shell's command none.
    type_line(&root, "telnet mail.a.example 110").await;
    type_line(&root, "USER bob").await;
    let coloured = |class: &str| -> Vec<(String, String)> {
        let list = root.query_selector_all(&format!("[role=log] li.{class}")).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
            .map(|e| (e.text_content().unwrap_or_default(), e.get_attribute("title").unwrap_or_default()))
            .collect()
    };
    let ok = coloured("r2xx");
    for reply in ["250 2.0.0 OK: queued as", "221 ", "+OK POP3 server ready", "+OK bob selected"] {
        assert!(ok.iter().any(|(l, title)| l.starts_with(reply) && !title.is_empty()), "{reply} in {ok:?}");
    }
    assert!(coloured("r3xx").iter().any(|(l, _)| l.starts_with("354")));
    let typed = coloured("client");
    let title_of = |line: &str| typed.iter().find(|(l, _)| l == line).map(|(_, t)| t.clone());
    assert_eq!(title_of("telnet mail.a.example 110").as_deref(), Some(""));
    assert!(title_of("DATA").is_some_and(|t| !t.is_empty()) && title_of("USER bob").is_some_and(|t| !t.is_empty()));

    // IMAP's BYE that answers LOGOUT is an untagged line, not an error.
    type_line(&root, "QUIT").await;
    type_line(&root, "telnet mail.a.example 143").await;
    type_line(&root, "a1 LOGOUT").await;
    let bye: Vec<String> = texts(&root, "[role=log] li.server.untagged");
    assert!(bye.iter().any(|l| l.starts_with("* BYE")), "{bye:?}");
    assert!(texts(&root, "[role=log] li.r5xx").iter().all(|l| !l.starts_with("* BYE")));
}

/// A keystroke in the mail client's compose form renders the mail client
/// alone; a line sent in a terminal (which can change the world) renders
/// every part but the inspector, whose message did not change. Counted in
/// debug builds (`mail_lab_web::renders`).
#[cfg(debug_assertions)]
#[wasm_bindgen_test]
async fn a_compose_keystroke_renders_only_the_mail_client() {
    use mail_lab_web::{renders, state::Part};
    let root = mount();
    settle().await;
    let parts = [Part::Lessons, Part::Terminal(0), Part::Panes, Part::Inspector, Part::Network, Part::MailClient];
    let count = || parts.map(renders);
    let before = count();
    let subject: HtmlInputElement =
        root.query_selector("input[aria-label='Subject']").unwrap().expect("a Subject field").dyn_into().unwrap();
    subject.set_value("Lunch");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    subject.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
    settle().await;
    let typed = count();
    let expected = [before[0], before[1], before[2], before[3], before[4], before[5] + 1];
    assert_eq!(typed, expected, "renders of {parts:?}");
    assert_eq!(subject.value(), "Lunch");

    type_line(&root, "NOOP").await;
    let sent = count();
    for (i, part) in parts.iter().enumerate() {
        if *part == Part::Inspector {
            assert_eq!(sent[i], typed[i], "the inspector rendered with nothing new to show");
        } else {
            assert!(sent[i] > typed[i], "{part:?} did not render after a line was sent");
        }
    }
    // What was typed is still in the form.
    assert_eq!(subject.value(), "Lunch");

    // The first look after a change renders the panes too (they stop following
    // new mail); the next renders the mail client alone again.
    let type_subject = |value: &str| {
        subject.set_value(value);
        subject.dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
    };
    type_subject("Lunch?");
    settle().await;
    let first_look = count();
    let expected = [sent[0], sent[1], sent[2] + 1, sent[3], sent[4], sent[5] + 1];
    assert_eq!(first_look, expected, "renders of {parts:?}");
    type_subject("Lunch?!");
    settle().await;
    let mut expected = first_look;
    expected[5] += 1;
    assert_eq!(count(), expected, "renders of {parts:?}");
}
