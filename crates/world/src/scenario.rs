//! Built-in worlds a lesson can start from.

use std::collections::BTreeMap;

use mail_lab_imap::ImapConfig;
use mail_lab_pop3::Pop3Config;
use mail_lab_proto::Time;
use mail_lab_smtp::ServerConfig;
use mail_lab_store::Store;

use crate::{ClientMachine, Host, Service, World};

/// The logical clock's start in built-in scenarios: 2026-04-01 09:00:00 UTC.
pub const START: Time = Time::from_secs(1_775_034_000);

/// A user of a built-in scenario: address and password.
pub const USERS: [(&str, &str); 5] = [
    ("alice@a.example", "alice-pw"),
    ("bob@a.example", "bob-pw"),
    ("postmaster@a.example", "postmaster-pw"),
    ("carol@b.example", "carol-pw"),
    ("postmaster@b.example", "postmaster-pw"),
];

fn mail_host(name: &str, address: &str, domain: &str) -> Host {
    let mut store = Store::new();
    for (user, password) in USERS.iter().filter(|(u, _)| u.ends_with(&format!("@{domain}"))) {
        // Names in USERS are distinct, so adding cannot fail.
        let _ = store.add_account(user, password);
        // The special-use folders a mail client expects (RFC 6154).
        for (folder, use_) in [("Sent", "\\Sent"), ("Drafts", "\\Drafts"), ("Trash", "\\Trash"), ("Junk", "\\Junk")] {
            let _ = store.create_folder(user, folder);
            let _ = store.set_special_use(user, folder, use_);
        }
    }
    Host {
        name: name.to_string(),
        address: address.to_string(),
        domains: vec![domain.to_string()],
        store,
        services: Service::ALL.into_iter().map(|s| (s.default_port(), s)).collect(),
        up: true,
        mx: ServerConfig::mx(name, &[domain]),
        submission: ServerConfig::submission(name, &[domain]),
        pop3: Pop3Config::new(name),
        imap: ImapConfig::new(name),
        pop_before_smtp_minutes: None,
        pop3_locks: Default::default(),
        relay_windows: Default::default(),
        max_delivery_attempts: 5,
        online: None,
        faults: Vec::new(),
        aliases: BTreeMap::from([(
            format!("staff@{domain}"),
            USERS
                .iter()
                .filter(|(u, _)| u.ends_with(&format!("@{domain}")) && !u.starts_with("postmaster"))
                .map(|(u, _)| u.to_string())
                .collect(),
        )]),
    }
}

/// Two domains, `a.example` (mail.a.example) and `b.example` (mail.b.example),
/// with a learner's PC `pc.a.example`.
pub fn two_domains() -> World {
    let mut world = World::new(START);
    world.add_host(mail_host("mail.a.example", "192.0.2.25", "a.example"));
    world.add_host(mail_host("mail.b.example", "198.51.100.25", "b.example"));
    world.add_mx("a.example", 10, "mail.a.example");
    world.add_mx("b.example", 10, "mail.b.example");
    world.add_client(ClientMachine { name: "pc.a.example".into(), address: "192.0.2.10".into() });
    world
}
