//! The IMAP client engine reading whatever a server might send: arbitrary
//! bytes in arbitrary chunks must never panic, never buffer more than the
//! client's limit, and leave the client either waiting or closed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mail_lab_imap::{ImapClient, ImapClientConfig, ImapJob};
use mail_lab_proto::{ClientTls, Engine, Session, Time};

fuzz_target!(|data: &[u8]| {
    let config = ImapClientConfig { user: "bob".into(), password: "pw".into(), tls: ClientTls::IfOffered, allow_plaintext: true };
    let jobs = vec![
        ImapJob::List,
        ImapJob::Select("INBOX".into()),
        ImapJob::FetchSummaries,
        ImapJob::FetchBody(1),
        ImapJob::Append { folder: "Sent".into(), flags: vec!["\\Seen".into()], message: b"Subject: x\r\n\r\ny".to_vec() },
        ImapJob::Idle,
    ];
    let mut client = ImapClient::new(config, jobs);
    // The first byte picks a chunk size, so framing is exercised across splits.
    let chunk = usize::from(data.first().copied().unwrap_or(1)).max(1);
    for piece in data.chunks(chunk) {
        client.receive(piece, &mut (), Time(0));
        while client.poll_output().is_some() {}
        if client.is_idling() {
            client.stop_idle();
        }
    }
    let _ = (client.summaries(), client.bodies(), client.errors(), client.hint());
});
