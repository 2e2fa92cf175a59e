//! One IMAP folder of 10,000 and of 100,000 messages: SELECT, UID SEARCH by a
//! header's text, FETCH 1:* (FLAGS ENVELOPE), UID COPY of them all, and EXPUNGE of
//! all the copies. Time per operation at both
//! sizes shows how it grows (it should grow at most linearly: 10x).

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use std::collections::BTreeSet;
    use std::hint::black_box;

    use criterion::{BenchmarkId, Criterion};
    use mail_lab_imap::{ImapBackend, ImapConfig, ImapServer};
    use mail_lab_proto::{Engine, Output, Peer, Session, Time, TlsMode};
    use mail_lab_store::{INBOX, Store};

    struct Host(Store);
    impl ImapBackend for Host {
        fn password(&mut self, _: &str) -> Option<(String, String)> {
            Some(("pw".into(), "bob@a.example".into()))
        }
        fn store(&mut self) -> &mut Store {
            &mut self.0
        }
    }

    fn host(n: usize) -> Host {
        let mut store = Store::new();
        let _ = store.add_account("bob@a.example", "pw");
        for i in 0..n {
            let raw = format!(
                "From: Sender {i} <s{i}@b.example>\r\nTo: bob@a.example\r\nSubject: report {}\r\nDate: Wed, 1 Apr 2026 09:00:00 +0000\r\nMessage-ID: <{i}@b.example>\r\n\r\nbody {i}\r\n",
                i % 1000
            );
            let _ = store.append("bob@a.example", INBOX, raw.into_bytes(), BTreeSet::new(), Time(0), None);
        }
        Host(store)
    }

    fn session(host: &mut Host) -> ImapServer {
        let mut config = ImapConfig::new("mail.a.example");
        config.tls = TlsMode::Unavailable;
        let mut s = ImapServer::new(config, Peer { address: "x".into(), session_id: "1".into() });
        s.open(host, Time(0));
        s.receive(b"a LOGIN bob pw\r\nb SELECT INBOX\r\n", host, Time(0));
        while s.poll_output().is_some() {}
        s
    }

    fn run(s: &mut ImapServer, host: &mut Host, command: &[u8]) -> usize {
        s.receive(command, host, Time(0));
        let mut n = 0;
        while let Some(o) = s.poll_output() {
            if let Output::Bytes(b) = o {
                n += b.len();
            }
        }
        n
    }

    pub fn folder(c: &mut Criterion) {
        let mut group = c.benchmark_group("imap_folder");
        group.sample_size(10);
        for n in [10_000usize, 100_000] {
            let mut h = host(n);
            let mut s = session(&mut h);
            group.bench_with_input(BenchmarkId::new("select", n), &n, |b, _| {
                b.iter(|| black_box(run(&mut s, &mut h, b"c SELECT INBOX\r\n")))
            });
            group.bench_with_input(BenchmarkId::new("uid_search_header", n), &n, |b, _| {
                b.iter(|| black_box(run(&mut s, &mut h, b"d UID SEARCH HEADER Subject \"report 7\"\r\n")))
            });
            group.bench_with_input(BenchmarkId::new("fetch_all_flags_envelope", n), &n, |b, _| {
                b.iter(|| black_box(run(&mut s, &mut h, b"e FETCH 1:* (FLAGS ENVELOPE)\r\n")))
            });
            group.bench_with_input(BenchmarkId::new("uid_copy_all_to_a_new_folder", n), &n, |b, _| {
                b.iter(|| black_box(run(&mut s, &mut h, b"f CREATE Box\r\ng UID COPY 1:* Box\r\nh DELETE Box\r\n")))
            });
            group.bench_with_input(BenchmarkId::new("copy_all_then_expunge_them", n), &n, |b, _| {
                b.iter(|| {
                    black_box(run(
                        &mut s,
                        &mut h,
                        b"i CREATE Box\r\nj COPY 1:* Box\r\nk SELECT Box\r\nl STORE 1:* +FLAGS.SILENT (\\Deleted)\r\nm EXPUNGE\r\nn SELECT INBOX\r\no DELETE Box\r\n",
                    ))
                })
            });
        }
        group.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, bench::folder);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
