//! Session timeouts on the logical clock: a server closes a silent session
//! the way its RFC says (SMTP 421 after 5 minutes, POP3 without UPDATE after
//! 10, IMAP BYE after 30), and any client activity restarts the timer.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_world::{EventKind, World, scenario};

const MINUTE: u64 = 60_000;

fn timed_out(world: &World) -> usize {
    world.events().filter(|e| matches!(e.kind, EventKind::SessionTimedOut { .. })).count()
}

#[test]
fn silent_smtp_session_gets_421_after_five_minutes_and_activity_restarts_the_timer() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 25).unwrap();
    world.take_output(id);
    world.advance(4 * MINUTE);
    assert!(say(&mut world, id, "EHLO pc.a.example").starts_with("250-"));
    world.advance(4 * MINUTE);
    assert!(world.is_open(id), "EHLO at minute 4 restarted the timer");
    assert!(world.take_output(id).is_empty());
    world.advance(MINUTE);
    assert_eq!(
        String::from_utf8(world.take_output(id)).unwrap(),
        "421 4.4.2 mail.a.example Error: timeout exceeded, closing connection\r\n"
    );
    assert!(!world.is_open(id));
    assert_eq!(timed_out(&world), 1);
}

#[test]
fn pop3_autologout_commits_nothing_and_releases_the_maildrop() {
    let mut world = scenario::two_domains();
    deliver_to_bob(&mut world, "keep me");
    let id = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(id);
    say(&mut world, id, "USER bob\r\nPASS bob-pw");
    assert_eq!(say(&mut world, id, "DELE 1"), "+OK message 1 deleted\r\n");
    world.advance(9 * MINUTE);
    assert!(world.is_open(id));
    world.advance(MINUTE);
    assert!(!world.is_open(id));
    assert!(world.take_output(id).is_empty(), "RFC 1939 §3: closed without a response");
    let inbox = world.store_for("bob@a.example").unwrap().folder("bob@a.example", "INBOX").unwrap();
    assert_eq!(inbox.messages.len(), 1, "no UPDATE: the DELE is forgotten");
    let again = world.connect("pc.a.example", "mail.a.example", 110).unwrap();
    world.take_output(again);
    say(&mut world, again, "USER bob");
    assert!(say(&mut world, again, "PASS bob-pw").starts_with("+OK bob's maildrop has 1 message"), "lock released");
}

#[test]
fn imap_autologout_after_thirty_minutes_even_in_idle() {
    let mut world = scenario::two_domains();
    let id = world.connect("pc.a.example", "mail.a.example", 143).unwrap();
    world.take_output(id);
    say(&mut world, id, "a1 LOGIN bob bob-pw");
    say(&mut world, id, "a2 SELECT INBOX");
    assert_eq!(say(&mut world, id, "a3 IDLE"), "+ idling\r\n");
    world.advance(29 * MINUTE);
    assert!(world.is_open(id));
    world.advance(MINUTE);
    assert_eq!(String::from_utf8(world.take_output(id)).unwrap(), "* BYE Autologout; idle for too long\r\n");
    assert!(!world.is_open(id));
}

#[test]
fn timeouts_fire_in_time_order_with_retries() {
    // A queued message retried while sessions time out: both happen, in order.
    let mut world = scenario::two_domains();
    world.host_mut("mail.b.example").unwrap().up = false;
    let sub = world.connect("pc.a.example", "mail.a.example", 587).unwrap();
    world.take_output(sub);
    say(
        &mut world,
        sub,
        "EHLO pc.a.example\r\nAUTH PLAIN AGFsaWNlAGFsaWNlLXB3\r\nMAIL FROM:<alice@a.example>\r\nRCPT TO:<carol@b.example>\r\nDATA\r\nSubject: x\r\n\r\nx\r\n.",
    );
    world.advance(60 * MINUTE);
    let order: Vec<&str> = world
        .events()
        .filter_map(|e| match e.kind {
            EventKind::SessionTimedOut { .. } => Some("timeout"),
            EventKind::Deferred { .. } => Some("deferred"),
            _ => None,
        })
        .collect();
    // Deferred at once (b is down); the silent session times out between the
    // retries; the log stays in time order.
    assert_eq!(order.first(), Some(&"deferred"));
    assert!(order.contains(&"timeout"));
    let times: Vec<u64> = world.events().map(|e| e.at.0).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "the log is in time order");
}
