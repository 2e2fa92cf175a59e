//! Feeds arbitrary bytes, in arbitrary chunks, to the IMAP server's input path.
//! Besides "no panic": everything the server sends parses as IMAP with
//! imap-codec, and the buffer never holds an oversized literal.
#![no_main]

use imap_codec::ResponseCodec;
use imap_codec::decode::Decoder;
use libfuzzer_sys::fuzz_target;
use mail_lab_imap::{ImapBackend, ImapConfig, ImapServer};
use mail_lab_proto::sorted::SortedSet;
use mail_lab_proto::{Engine, Output, Peer, Session, Time, TlsMode};
use mail_lab_store::{INBOX, Store};

struct Host(Store);

impl ImapBackend for Host {
    fn password(&mut self, user: &str) -> Option<(String, String)> {
        (user == "u").then(|| ("p".to_string(), "u@x".to_string()))
    }
    fn store(&mut self) -> &mut Store {
        &mut self.0
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let mut store = Store::new();
    let _ = store.add_account("u@x", "p");
    let _ = store.create_folder("u@x", "Trash");
    for n in 0..3 {
        let raw = format!("Subject: m{n}\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx{n}\r\n--b--\r\n");
        let _ = store.append("u@x", INBOX, raw.into_bytes(), SortedSet::new(), Time(0), None);
    }
    let mut host = Host(store);
    let mut config = ImapConfig::new("imap.fuzz.example");
    config.max_literal = 64;
    config.plaintext_requires_tls = pick & 1 != 0;
    if pick & 2 != 0 {
        config.tls = TlsMode::Implicit;
    }
    let mut server = ImapServer::new(config, Peer { address: "192.0.2.1".into(), session_id: "F".into() });
    server.open(&mut host, Time(0));
    let mut out = Vec::new();
    let step = 1 + (pick as usize % 11);
    for chunk in rest.chunks(step) {
        server.receive(chunk, &mut host, Time(0));
        while server.is_busy() {
            server.resume(&mut host, Time(0));
        }
        server.wake(&mut host, Time(0));
        while let Some(o) = server.poll_output() {
            if let Output::Bytes(b) = o {
                out.extend_from_slice(&b);
            }
        }
    }
    // Skip the greeting line, then every response must parse.
    let Some(first) = out.iter().position(|&b| b == b'\n') else { return };
    // imap-codec reads no LIST-EXTENDED data items yet: CHILDINFO comes off first.
    let out = without_childinfo(&out[first + 1..]);
    let mut rest = &out[..];
    while !rest.is_empty() {
        // imap-codec has no ESEARCH (RFC 4731) yet: such a line must at least be
        // one well-formed line of the known shape.
        if rest.starts_with(b"* ESEARCH (TAG \"") {
            let end = rest.windows(2).position(|w| w == b"\r\n").expect("an ESEARCH line ends with CRLF");
            let line = &rest[..end];
            assert!(line.iter().all(|&b| (0x20..0x7f).contains(&b)), "ESEARCH line {:?}", String::from_utf8_lossy(line));
            rest = &rest[end + 2..];
            continue;
        }
        match ResponseCodec::default().decode(rest) {
            Ok((r, _)) => rest = r,
            Err(e) => panic!("invalid response {:?}: {e:?}", String::from_utf8_lossy(rest)),
        }
    }
});

/// The bytes with every LIST line's ` ("CHILDINFO" ("SUBSCRIBED"))` taken off.
fn without_childinfo(bytes: &[u8]) -> Vec<u8> {
    const ITEM: &[u8] = b" (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n";
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(ITEM) {
            out.extend_from_slice(b"\r\n");
            i += ITEM.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}
