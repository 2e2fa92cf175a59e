//! Outbound Port 25 Blocking: the provider of a.example's customers drops
//! their packets to other networks' port 25, so the PC submits on 587.
#![allow(clippy::unwrap_used)]

mod common;
use common::*;
use mail_lab_world::{EventKind, Policy, WorldError, scenario};

#[test]
fn the_pc_cannot_reach_another_networks_port_25_and_submits_on_587_instead() {
    let mut world = scenario::op25b();
    let blocked = world.connect("pc.a.example", "mail.b.example", 25).unwrap_err();
    assert_eq!(
        blocked,
        WorldError::Port25Blocked {
            client: "pc.a.example".into(),
            host: "mail.b.example".into(),
            provider: "mail.a.example".into()
        }
    );
    assert_eq!(
        blocked.to_string(),
        "mail.b.example port 25: no answer (the provider's network blocks port 25 from pc.a.example to other networks: OP25B; send through its mail server mail.a.example port 587 with AUTH)"
    );
    assert!(world.events().any(|e| matches!(&e.kind, EventKind::PolicyRefused { rule, client, .. } if rule == "op25b" && client == "192.0.2.10")));
    // The provider's own MTA still answers on 25, and the other network's other ports are open.
    assert!(world.connect("pc.a.example", "mail.a.example", 25).is_ok());
    assert!(world.connect("pc.a.example", "mail.b.example", 110).is_ok());
    // Submission with AUTH goes out, and the MTA (a host, not a customer) relays on 25.
    let reply = submit(&mut world, "alice@a.example", "carol@b.example", "through 587");
    assert!(reply.starts_with("250 "), "{reply}");
    assert_eq!(
        world.store_for("carol@b.example").unwrap().folder("carol@b.example", "INBOX").unwrap().messages.len(),
        1
    );
    // Off, the PC reaches port 25 of any network again.
    assert!(world.set_policy("mail.a.example", Policy::Op25b, false));
    assert!(world.connect("pc.a.example", "mail.b.example", 25).is_ok());
    assert_eq!(scenario::two_domains().policy("mail.a.example", Policy::Op25b), Some(false));
}
