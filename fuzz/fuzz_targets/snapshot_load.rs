//! A saved lab is a file a learner or teacher hands the page: any bytes as the
//! body of a compact snapshot either are refused with a reason or give a world
//! whose servers then never panic. The seed is the classroom scenario, so the
//! mutations are mostly well-formed worlds with odd values in them.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use mail_lab_world::{ConnectionId, World};

fn say(world: &mut World, id: ConnectionId, line: &str) {
    let _ = world.send(id, format!("{line}\r\n").as_bytes());
    world.take_output(id);
}

fuzz_target!(|data: &[u8]| {
    // The same bytes as a version 2 body (read through its own shape) and as a version 3 one.
    let body = base64::engine::general_purpose::STANDARD.encode(data);
    let Some(mut world) = ["2", "3"].iter().find_map(|v| World::from_compact(&format!("mail-lab-world {v} {body}")).ok())
    else {
        return;
    };
    let hosts: Vec<String> = world.hosts().iter().map(|h| h.name.clone()).collect();
    let Some(from) = world.clients().first().map(|c| c.name.clone()) else { return };
    for host in hosts.iter().take(3) {
        let accounts: Vec<(String, String)> = world
            .host(host)
            .map(|h| h.store.accounts().take(3).map(|a| (a.address.clone(), a.password.clone())).collect())
            .unwrap_or_default();
        for (address, password) in accounts {
            let user = address.split('@').next().unwrap_or_default().to_string();
            if let Ok(id) = world.connect(&from, host, 143) {
                world.take_output(id);
                for line in [
                    format!("a1 LOGIN {user} {password}"),
                    "a2 LIST \"\" *".into(),
                    "a3 SELECT INBOX".into(),
                    "a4 FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)".into(),
                    "a5 SEARCH TEXT a".into(),
                    "a6 STORE 1 +FLAGS (\\Deleted)".into(),
                    "a7 EXPUNGE".into(),
                    "a8 APPEND INBOX {3+}\r\nx\r\n".into(),
                    "a9 STATUS INBOX (MESSAGES UIDNEXT UNSEEN)".into(),
                    "a10 LOGOUT".into(),
                ] {
                    say(&mut world, id, &line);
                }
            }
            if let Ok(id) = world.connect(&from, host, 110) {
                world.take_output(id);
                for line in [format!("USER {user}"), format!("PASS {password}"), "LIST".into(), "UIDL".into(), "RETR 1".into(), "DELE 1".into(), "QUIT".into()] {
                    say(&mut world, id, &line);
                }
            }
            if let Ok(id) = world.connect(&from, host, 25) {
                world.take_output(id);
                for line in ["EHLO pc", "MAIL FROM:<>", &format!("RCPT TO:<{address}>"), "DATA", "Subject: s\r\n\r\nb\r\n.", "QUIT"] {
                    say(&mut world, id, line);
                }
            }
        }
    }
    world.advance(3_600_000);
    world.run_until_idle();
    let _ = (world.to_compact(), world.to_json());
});
