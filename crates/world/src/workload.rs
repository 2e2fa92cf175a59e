//! A fixed workload for benchmarks, run the same way natively (criterion) and
//! in the browser (the page exports it), so the two figures compare like for
//! like: alice submits `n` messages on mail.a.example:587, each is relayed
//! through the full SMTP engines to mail.b.example and delivered, then carol
//! fetches them all over IMAP.

use crate::{World, scenario};

/// What the workload did, so a caller can check it really ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkloadOutcome {
    /// Messages in carol's INBOX at the end.
    pub delivered: usize,
    /// Octets the IMAP server sent for the fetch.
    pub fetched_octets: usize,
}

/// Run the workload on a fresh two-domain world.
pub fn relay_and_fetch(n: usize) -> WorkloadOutcome {
    let mut world = scenario::two_domains();
    let delivered = submit_and_relay(&mut world, n);
    let fetched_octets = fetch_all(&mut world);
    WorkloadOutcome { delivered, fetched_octets }
}

fn submit_and_relay(world: &mut World, n: usize) -> usize {
    let Ok(id) = world.connect("pc.a.example", "mail.a.example", 587) else { return 0 };
    // AUTH PLAIN alice / alice-pw.
    let _ = world.send(id, b"EHLO pc.a.example\r\nAUTH PLAIN AGFsaWNlAGFsaWNlLXB3\r\n");
    world.take_output(id);
    for i in 0..n {
        let message = format!(
            "MAIL FROM:<alice@a.example>\r\nRCPT TO:<carol@b.example>\r\nDATA\r\nFrom: alice@a.example\r\nTo: carol@b.example\r\nSubject: message {i}\r\n\r\nHello Carol, this is message {i}.\r\n.\r\n"
        );
        // Each accepted message is relayed at once (the world's MTA runs after every send).
        let _ = world.send(id, message.as_bytes());
        world.take_output(id);
    }
    let _ = world.send(id, b"QUIT\r\n");
    world.run_until_idle();
    world
        .store_for("carol@b.example")
        .and_then(|s| s.folder("carol@b.example", "INBOX"))
        .map_or(0, |f| f.messages.len())
}

fn fetch_all(world: &mut World) -> usize {
    let Ok(id) = world.connect("pc.a.example", "mail.b.example", 143) else { return 0 };
    let _ = world.send(id, b"a1 LOGIN carol carol-pw\r\na2 SELECT INBOX\r\n");
    world.take_output(id);
    let _ = world.send(id, b"a3 UID FETCH 1:* (FLAGS ENVELOPE BODY.PEEK[])\r\na4 LOGOUT\r\n");
    world.take_output(id).len()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_submitted_message_is_relayed_delivered_and_fetched() {
        let outcome = super::relay_and_fetch(25);
        assert_eq!(outcome.delivered, 25);
        // Each fetched message carries its own subject line, so the size grows with n.
        let bigger = super::relay_and_fetch(50);
        assert!(bigger.fetched_octets > outcome.fetched_octets * 19 / 10, "{outcome:?} {bigger:?}");
    }
}
