//! Mail the world accepted is never lost. The input is a script of learner
//! actions on the two-domain world: submissions to local, remote, unknown and
//! alias recipients, hosts going down and up, the clock moving, POP3 and IMAP
//! sessions deleting and moving mail. At the end, with every host up and the
//! queues run dry, each accepted (message, recipient) is in the recipient's
//! store, was removed by a client in the script, or came back to the sender
//! as a bounce — and nothing is left in a queue.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use mail_lab_world::{ConnectionId, World, scenario};

const RECIPIENTS: [&str; 5] = ["bob@a.example", "carol@b.example", "nobody@b.example", "staff@a.example", "staff@b.example"];

fn say(world: &mut World, id: ConnectionId, line: &str) -> String {
    let _ = world.send(id, format!("{line}\r\n").as_bytes());
    String::from_utf8_lossy(&world.take_output(id)).into_owned()
}

fn subject_of(text: &str) -> Option<String> {
    text.split("\r\n").find_map(|l| l.strip_prefix("Subject: m")).map(|n| format!("m{n}"))
}

struct Script {
    world: World,
    /// (subject, recipient as written in RCPT TO) the world said 250 to after DATA.
    accepted: Vec<(String, String)>,
    /// (subject, account) a POP3 or IMAP client removed.
    removed: BTreeSet<(String, String)>,
    sent: u32,
}

impl Script {
    fn submit(&mut self, pick: u8) {
        let Ok(id) = self.world.connect("pc.a.example", "mail.a.example", 587) else { return };
        self.world.take_output(id);
        say(&mut self.world, id, "EHLO pc.a.example");
        say(&mut self.world, id, "AUTH PLAIN AGFsaWNlAGFsaWNlLXB3");
        say(&mut self.world, id, "MAIL FROM:<alice@a.example>");
        let mut rcpts = Vec::new();
        for (bit, r) in RECIPIENTS.iter().enumerate() {
            if pick & (1 << bit) != 0 && say(&mut self.world, id, &format!("RCPT TO:<{r}>")).starts_with("250") {
                rcpts.push(r.to_string());
            }
        }
        self.sent += 1;
        let subject = format!("m{}", self.sent);
        if say(&mut self.world, id, "DATA").starts_with("354") {
            let reply = say(&mut self.world, id, &format!("From: <alice@a.example>\r\nSubject: {subject}\r\n\r\nhi\r\n."));
            if reply.starts_with("250") {
                self.accepted.extend(rcpts.into_iter().map(|r| (subject.clone(), r)));
            }
        }
        say(&mut self.world, id, "QUIT");
    }

    fn pop3_delete(&mut self, which: u8) {
        let Ok(id) = self.world.connect("pc.a.example", "mail.a.example", 110) else { return };
        self.world.take_output(id);
        say(&mut self.world, id, "USER bob");
        if !say(&mut self.world, id, "PASS bob-pw").starts_with("+OK") {
            say(&mut self.world, id, "QUIT");
            return;
        }
        let stat = say(&mut self.world, id, "STAT");
        let count: u32 = stat.split(' ').nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
        let mut doomed = None;
        if count > 0 {
            let n = u32::from(which) % count + 1;
            let subject = subject_of(&say(&mut self.world, id, &format!("RETR {n}")));
            if say(&mut self.world, id, &format!("DELE {n}")).starts_with("+OK") {
                doomed = subject;
            }
        }
        if say(&mut self.world, id, "QUIT").starts_with("+OK") {
            self.removed.extend(doomed.map(|s| (s, "bob@a.example".to_string())));
        }
    }

    fn imap_expunge_or_move(&mut self, which: u8) {
        let Ok(id) = self.world.connect("pc.a.example", "mail.b.example", 143) else { return };
        self.world.take_output(id);
        say(&mut self.world, id, "a1 LOGIN carol carol-pw");
        if !say(&mut self.world, id, "a2 SELECT INBOX").contains("a2 OK") {
            return;
        }
        let n = u32::from(which >> 1) + 1;
        let fetched = say(&mut self.world, id, &format!("a3 FETCH {n} BODY.PEEK[HEADER.FIELDS (SUBJECT)]"));
        if which & 1 == 0 {
            say(&mut self.world, id, &format!("a4 MOVE {n} Trash"));
        } else if say(&mut self.world, id, &format!("a4 STORE {n} +FLAGS (\\Deleted)")).contains("a4 OK")
            && say(&mut self.world, id, "a5 EXPUNGE").contains("a5 OK")
        {
            self.removed.extend(subject_of(&fetched).map(|s| (s, "carol@b.example".to_string())));
        }
        say(&mut self.world, id, "a6 LOGOUT");
    }
}

/// Who a recipient address delivers to.
fn mailboxes(recipient: &str) -> Vec<&'static str> {
    match recipient {
        "staff@a.example" => vec!["alice@a.example", "bob@a.example"],
        "staff@b.example" => vec!["carol@b.example"],
        "bob@a.example" => vec!["bob@a.example"],
        "carol@b.example" => vec!["carol@b.example"],
        _ => vec![],
    }
}

fn holds(world: &World, account: &str, pred: &dyn Fn(&[u8]) -> bool) -> bool {
    let Some(store) = world.store_for(account) else { return false };
    store.account(account).is_some_and(|a| a.folders.values().any(|f| f.messages.iter().any(|m| pred(&m.raw))))
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fuzz_target!(|data: &[u8]| {
    let mut s = Script { world: scenario::two_domains(), accepted: Vec::new(), removed: BTreeSet::new(), sent: 0 };
    for step in data.chunks(2).take(64) {
        let (op, arg) = (step[0], step.get(1).copied().unwrap_or(0));
        match op % 7 {
            0 | 1 => s.submit(arg),
            2 => {
                if let Some(h) = s.world.host_mut("mail.b.example") {
                    h.up = arg & 1 == 1;
                }
            }
            3 => s.world.advance(u64::from(arg) * 60_000),
            4 => s.pop3_delete(arg),
            5 => s.imap_expunge_or_move(arg),
            _ => s.world.run_queue(),
        }
    }
    for host in ["mail.a.example", "mail.b.example"] {
        if let Some(h) = s.world.host_mut(host) {
            h.up = true;
        }
    }
    s.world.run_until_idle();
    assert!(s.world.queue().is_empty(), "left in a queue: {:?}", s.world.queue().len());
    for (subject, recipient) in &s.accepted {
        let header = format!("Subject: {subject}\r\n");
        let bounced = holds(&s.world, "alice@a.example", &|raw| {
            contains(raw, "Undelivered Mail Returned to Sender") && contains(raw, &header)
        });
        let targets = mailboxes(recipient);
        let delivered = !targets.is_empty()
            && targets.iter().all(|account| {
                s.removed.contains(&(subject.clone(), account.to_string()))
                    || holds(&s.world, account, &|raw| contains(raw, &header) && !contains(raw, "Undelivered Mail"))
            });
        assert!(delivered || bounced, "{subject} to {recipient}: neither delivered, removed by a client, nor bounced");
    }
});
