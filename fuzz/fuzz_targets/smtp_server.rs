//! Feeds arbitrary bytes, in arbitrary chunks, to the SMTP server's input path.
//! Besides "no panic", it checks what a user would rely on: every reply line is
//! well formed, and every "250 ... queued as" matches a message the host stored.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_lab_proto::sasl::Mechanism;
use mail_lab_proto::{Engine, Output, Session, Time};
use mail_lab_smtp::grammar::ForwardPath;
use mail_lab_smtp::{Delivery, Peer, RcptContext, Reply, ServerConfig, SmtpBackend, SmtpServer, TlsMode};

#[derive(Default)]
struct Host {
    stored: usize,
}

impl SmtpBackend for Host {
    fn check_local_recipient(&mut self, _: RcptContext<'_>, rcpt: &ForwardPath) -> Result<(), Reply> {
        match rcpt {
            ForwardPath::Mailbox(m) if m.local_part.starts_with('x') => Err(Reply::new(550, "5.1.1", "no")),
            _ => Ok(()),
        }
    }
    fn deliver(&mut self, _: Delivery) -> Result<(), Reply> {
        self.stored += 1;
        Ok(())
    }
    fn verify(&mut self, q: &str) -> Option<String> {
        Some(q.to_string())
    }
    fn password(&mut self, u: &str) -> Option<(String, String)> {
        Some(("pw".to_string(), u.to_string()))
    }
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks the configuration, the next the chunk sizes.
    let Some((&pick, rest)) = data.split_first() else { return };
    let mut config = if pick & 1 == 0 {
        ServerConfig::mx("mx.fuzz.example", &["fuzz.example"])
    } else {
        ServerConfig::submission("mx.fuzz.example", &["fuzz.example"])
    };
    config.max_message_size = 64 + (pick as usize) * 4;
    config.max_recipients = 3;
    config.auth_requires_tls = pick & 2 != 0;
    config.auth_mechanisms = vec![Mechanism::Plain, Mechanism::Login, Mechanism::CramMd5];
    if pick & 4 != 0 {
        config.tls = TlsMode::Implicit;
    }
    let mut server = SmtpServer::new(config, Peer { address: "192.0.2.1".into(), session_id: "F".into() });
    let mut host = Host::default();
    server.open(&mut host, Time(0));
    let step = 1 + (pick as usize % 17);
    let mut out = Vec::new();
    for chunk in rest.chunks(step) {
        server.receive(chunk, &mut host, Time(1));
        while let Some(o) = Engine::poll_output(&mut server) {
            if let Output::Bytes(b) = o {
                out.extend_from_slice(&b);
            }
        }
    }
    let text = String::from_utf8(out).expect("replies are UTF-8");
    let mut queued = 0;
    for line in text.split_terminator("\r\n") {
        let b = line.as_bytes();
        assert!(b.len() >= 4 && b[..3].iter().all(u8::is_ascii_digit), "bad reply line {line:?}");
        assert!(matches!(b[3], b' ' | b'-'), "bad separator in {line:?}");
        if line.starts_with("250 2.0.0 OK: queued as") || line.starts_with("250 OK: queued as") {
            queued += 1;
        }
    }
    assert_eq!(queued, host.stored, "every 250 after data is a stored message");
});
