//! Built-in worlds a lesson can start from.

use mail_lab_proto::sorted::SortedMap;

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
        services: Service::ALL.into_iter().fold(SortedMap::new(), |mut m, s| {
            m.insert(s.default_port(), s);
            m
        }),
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
        aliases: {
            let staff = USERS
                .iter()
                .filter(|(u, _)| u.ends_with(&format!("@{domain}")) && !u.starts_with("postmaster"))
                .map(|(u, _)| u.to_string())
                .collect();
            // Inserted, not built `from` an array: that would bring sort code for one entry.
            let mut aliases = SortedMap::new();
            aliases.insert(format!("staff@{domain}"), staff);
            aliases
        },
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
    // Each domain's mail leaves from its MX host, and from nowhere else.
    world.add_txt("a.example", "v=spf1 mx -all");
    world.add_txt("b.example", "v=spf1 mx -all");
    world.add_client(ClientMachine { name: "pc.a.example".into(), address: "192.0.2.10".into() });
    world.set_learner_accounts(["bob@a.example", "alice@a.example", "carol@b.example"].map(String::from).to_vec());
    world
}

/// The built-in scenarios by name, for the page and `mail-lab-serve --scenario`.
pub const NAMES: [&str; 8] =
    ["two-domains", "open-relay", "backup-mx", "pop-before-smtp", "eavesdropping", "dial-up", "spoofing", "op25b"];

/// Scenarios only builds with feature `dmarc` have (the native server and the
/// page; its DKIM keys and list need feature `dkim`, which both have too).
#[cfg(feature = "dmarc")]
pub const DMARC_NAMES: [&str; 1] = ["dmarc"];

/// A built-in scenario by name.
pub fn by_name(name: &str) -> Option<World> {
    Some(match name {
        "two-domains" => two_domains(),
        "open-relay" => open_relay(),
        "backup-mx" => backup_mx(),
        "pop-before-smtp" => pop_before_smtp(),
        "eavesdropping" => eavesdropping(),
        "dial-up" => dial_up(),
        "spoofing" => spoofing(),
        "op25b" => op25b(),
        #[cfg(feature = "dmarc")]
        "dmarc" => dmarc(),
        _ => return None,
    })
}

/// The spam problem: mail.b.example relays for anybody on port 25, and a
/// spammer's machine uses it to send mail with a forged sender to bob.
pub fn open_relay() -> World {
    let mut world = two_domains();
    if let Some(h) = world.host_mut("mail.b.example") {
        h.mx.relay = mail_lab_smtp::RelayPolicy::Anybody;
    }
    world.add_client(ClientMachine { name: "spam.example.net".into(), address: "203.0.113.66".into() });
    world
}

/// Store and forward with a backup MX: mail.b.example is down for the first 20
/// minutes; backup.b.example (preference 20) holds b.example's mail until then.
pub fn backup_mx() -> World {
    let mut world = two_domains();
    let mut backup = mail_host("backup.b.example", "198.51.100.26", "b.example");
    backup.domains = Vec::new();
    backup.store = Store::new();
    backup.mx = ServerConfig::mx("backup.b.example", &[]);
    backup.mx.relay_domains = vec!["b.example".into()];
    world.add_host(backup);
    world.add_mx("b.example", 20, "backup.b.example");
    let start = world.now();
    if let Some(h) = world.host_mut("mail.b.example") {
        h.faults.push(crate::Fault::Down { from: start, until: start.plus_millis(20 * 60_000) });
    }
    world
}

/// POP before SMTP: reading mail with POP3 lets that machine relay through
/// mail.a.example's port 25 for ten minutes.
pub fn pop_before_smtp() -> World {
    let mut world = two_domains();
    if let Some(h) = world.host_mut("mail.a.example") {
        h.pop_before_smtp_minutes = Some(10);
    }
    world
}

/// What an eavesdropper sees: USER/PASS in the clear, APOP's digest, and only
/// ciphertext after STLS; a café network machine sits on the same link.
pub fn eavesdropping() -> World {
    let mut world = two_domains();
    world.add_client(ClientMachine { name: "cafe-wifi.example".into(), address: "192.0.2.99".into() });
    world
}

/// Store and forward as UUCP-era mail did: mail.b.example is online only for
/// the first 10 minutes of every hour; its mail waits upstream meanwhile.
pub fn dial_up() -> World {
    let mut world = two_domains();
    if let Some(h) = world.host_mut("mail.b.example") {
        h.online = Some(crate::OnlineSchedule { period_minutes: 60, online_minutes: 10 });
    }
    world
}

/// A forged sender and SPF: both domains publish `v=spf1 mx -all`, both MX
/// hosts check SPF on port 25, and spam.example.net (203.0.113.66) sends mail
/// as a.example straight to mail.b.example.
pub fn spoofing() -> World {
    let mut world = two_domains();
    world.add_client(ClientMachine { name: "spam.example.net".into(), address: "203.0.113.66".into() });
    world.set_policy("mail.a.example", crate::Policy::SpfCheck, true);
    world.set_policy("mail.b.example", crate::Policy::SpfCheck, true);
    world
}

/// Outbound Port 25 Blocking: a.example's provider network lets its customers'
/// machines (pc.a.example) reach port 25 of no other network's host, so mail
/// for b.example goes through mail.a.example's submission port with AUTH.
pub fn op25b() -> World {
    let mut world = two_domains();
    world.set_policy("mail.a.example", crate::Policy::Op25b, true);
    world
}

/// The key mail.a.example signs a.example's mail with (selector `lab`). It is
/// printed here, so it is secret to nobody: a lab key.
#[cfg(feature = "dkim")]
pub const A_EXAMPLE_DKIM_SEED: [u8; 32] = *b"Mail Lab a.example DKIM key 2026";

/// DKIM and DMARC on top of SPF (RFC 6376, RFC 7489); without feature `dkim`,
/// DMARC on SPF alone, with no key and no list. mail.a.example signs
/// its users' submitted mail as a.example; both MX hosts check SPF, DKIM and
/// DMARC on port 25. a.example asks receivers to reject what fails
/// (`p=reject`), b.example to put it in Junk (`p=quarantine`).
/// spam.example.net has an SPF record of its own, so mail with its envelope
/// passes SPF, but not for the From: domain it forges. `forward@b.example`
/// passes mail on to bob@a.example: forwarded, SPF fails and DKIM survives.
/// The MTAs' names publish SPF records, so bounces pass DMARC.
/// `lab-list@b.example` is a mailing list run by carol, for bob and carol: it
/// tags the Subject `[lab-list]`, which breaks a.example's signature, so
/// alice's post is refused at bob's end (DMARC p=reject) and bounces to carol.
#[cfg(feature = "dmarc")]
pub fn dmarc() -> World {
    let mut world = spoofing();
    world.add_txt("spam.example.net", "v=spf1 ip4:203.0.113.66 -all");
    #[cfg(feature = "dkim")]
    world.add_dkim_key("mail.a.example", "a.example", "lab", A_EXAMPLE_DKIM_SEED);
    world.add_txt("_dmarc.a.example", "v=DMARC1; p=reject");
    world.add_txt("_dmarc.b.example", "v=DMARC1; p=quarantine");
    // The MTAs' own names publish SPF too (RFC 7208 §2.3): a bounce has a null
    // MAIL FROM, so SPF checks its HELO name, and DMARC then finds it aligned
    // with the bounce's From: MAILER-DAEMON@ that host. Without them the other
    // domain's p=reject or p=quarantine would take every bounce.
    world.add_txt("mail.a.example", "v=spf1 a -all");
    world.add_txt("mail.b.example", "v=spf1 a -all");
    if let Some(h) = world.host_mut("mail.b.example") {
        h.aliases.insert("forward@b.example".into(), vec!["bob@a.example".into()]);
    }
    #[cfg(feature = "dkim")]
    {
        let list = crate::MailingList {
            host: "mail.b.example".into(),
            address: "lab-list@b.example".into(),
            owner: "carol@b.example".into(),
            subject_tag: "[lab-list]".into(),
            members: vec!["bob@a.example".into(), "carol@b.example".into()],
        };
        let added = world.add_mailing_list(list);
        debug_assert!(added.is_ok(), "{added:?}");
    }
    world
}
