//! Feeds arbitrary bytes, in arbitrary chunks, to the POP3 server's input path.
//! Besides "no panic": messages are deleted only through QUIT in TRANSACTION,
//! only messages of the snapshot, and the lock is always released at the end.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_lab_pop3::{MaildropEntry, MaildropError, Pop3Backend, Pop3Config, Pop3Server};
use mail_lab_proto::{Engine, Output, Peer, Session, Time, TlsMode};

#[derive(Default)]
struct Host {
    locked: bool,
    committed: Option<Vec<u32>>,
}

impl Pop3Backend for Host {
    fn password(&mut self, user: &str) -> Option<(String, String)> {
        (user == "u").then(|| ("p".to_string(), "u".to_string()))
    }
    fn open_maildrop(&mut self, _: &str) -> Result<Vec<MaildropEntry>, MaildropError> {
        if self.locked {
            return Err(MaildropError::InUse);
        }
        self.locked = true;
        Ok((1..=3).map(|uid| MaildropEntry { uid, size: 10 * uid as usize, unique_id: format!("1.{uid}") }).collect())
    }
    fn message(&mut self, _: &str, uid: u32) -> Option<Vec<u8>> {
        (uid != 2).then(|| b"Subject: x\r\n\r\n.a\r\nb\r\n".to_vec())
    }
    fn commit(&mut self, _: &str, deleted: &[u32]) -> Result<usize, String> {
        assert!(deleted.iter().all(|uid| (1..=3).contains(uid)));
        assert!(self.committed.is_none(), "UPDATE happens once");
        self.committed = Some(deleted.to_vec());
        self.locked = false;
        Ok(3 - deleted.len())
    }
    fn release(&mut self, _: &str) {
        self.locked = false;
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let mut config = Pop3Config::new("pop.fuzz.example");
    config.plaintext_requires_tls = pick & 1 != 0;
    config.apop = pick & 2 != 0;
    config.tls = if pick & 4 != 0 { TlsMode::StartTls } else { TlsMode::Unavailable };
    let mut server = Pop3Server::new(config, Peer { address: "192.0.2.1".into(), session_id: "F".into() });
    let mut host = Host::default();
    server.open(&mut host, Time(0));
    let step = 1 + (pick as usize % 13);
    for chunk in rest.chunks(step) {
        server.receive(chunk, &mut host, Time(0));
        while let Some(out) = server.poll_output() {
            if let Output::Bytes(b) = out {
                assert!(b.starts_with(b"+") || b.starts_with(b"-ERR"), "a response starts with a status");
            }
        }
    }
    let saw_quit = rest.windows(4).any(|w| w.eq_ignore_ascii_case(b"QUIT"));
    if host.committed.is_some() {
        assert!(saw_quit, "deletions are committed only after QUIT");
    }
    Session::<Host>::connection_lost(&mut server, &mut host);
    assert!(!host.locked, "the lock is released when the link goes away");
});
