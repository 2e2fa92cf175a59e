//! One IMAP folder of 10,000 and of 100,000 messages: SELECT, UID SEARCH by a
//! header's text, FETCH 1:* (FLAGS ENVELOPE), UID COPY of them all, and EXPUNGE of
//! all the copies. Time per operation at both
//! sizes shows how it grows (it should grow at most linearly: 10x).
//!
//! The `imap_hostile` group times what a hostile client can ask for, each at two
//! sizes to show linear growth: LIST with 40 wildcards over 100 and 1,000 folders,
//! SEARCH by a set of as many ranges as one 8 KiB command line holds over 10,000
//! and 100,000 messages, MOVE of 5,000 and 50,000 messages, and 1,000 NOOPs on a
//! session that has fallen 10,000 and 100,000 changes behind; and over 10,000 and
//! 100,000 messages that each hold 128 keywords (the most a mailbox may), a STORE
//! of one more keyword (refused) and a SELECT.

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use mail_lab_proto::sorted::SortedSet;
    use std::hint::black_box;
    use std::time::{Duration, Instant};

    use criterion::{BatchSize, BenchmarkId, Criterion};
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
            let _ = store.append("bob@a.example", INBOX, raw.into_bytes(), SortedSet::new(), Time(0), None);
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

    /// Octets of the whole answer to `command`, every slice of it.
    fn run(s: &mut ImapServer, host: &mut Host, command: &[u8]) -> usize {
        s.receive(command, host, Time(0));
        let mut n = drain(s);
        while s.is_busy() {
            s.resume(host, Time(0));
            n += drain(s);
        }
        n
    }

    fn drain(s: &mut ImapServer) -> usize {
        let mut n = 0;
        while let Some(o) = s.poll_output() {
            if let Output::Bytes(b) = o {
                n += b.len();
            }
        }
        n
    }

    /// Time of the first slice of `command` only: how long it holds the world
    /// at a time (the rest is run, untimed, before the next iteration).
    fn first_slice(s: &mut ImapServer, host: &mut Host, command: &[u8], iters: u64) -> Duration {
        let mut held = Duration::ZERO;
        for _ in 0..iters {
            let began = Instant::now();
            s.receive(command, host, Time(0));
            black_box(drain(s));
            held += began.elapsed();
            while s.is_busy() {
                s.resume(host, Time(0));
                drain(s);
            }
        }
        held
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

    /// `UID SEARCH UID a:b,c:d,...` over every other pair of UIDs, as long as
    /// the server's 8 KiB command line allows.
    fn many_ranges(n: usize) -> Vec<u8> {
        let mut line = String::from("s UID SEARCH UID ");
        let mut i = 1;
        while line.len() < 8_000 && i < n {
            line.push_str(&format!("{}:{},", i, i + 1));
            i += 4;
        }
        line.pop();
        line.push_str("\r\n");
        line.into_bytes()
    }

    pub fn hostile(c: &mut Criterion) {
        let mut group = c.benchmark_group("imap_hostile");
        group.sample_size(10);
        let pattern = format!("l LIST \"\" \"{}q\"\r\n", "*%".repeat(20));
        for folders in [100usize, 1_000] {
            let mut h = host(0);
            let mut s = session(&mut h);
            for f in 0..folders {
                let name = format!("Archive/{f}/Projects/Customer-Correspondence-{}", "x".repeat(f % 150));
                run(&mut s, &mut h, format!("c CREATE \"{name}\"\r\n").as_bytes());
            }
            group.bench_with_input(BenchmarkId::new("list_40_wildcards", folders), &folders, |b, _| {
                b.iter(|| black_box(run(&mut s, &mut h, pattern.as_bytes())))
            });
        }
        for n in [10_000usize, 100_000] {
            let mut h = host(n);
            let mut s = session(&mut h);
            let search = many_ranges(n);
            group.bench_with_input(BenchmarkId::new("uid_search_many_ranges", n), &n, |b, _| {
                b.iter(|| black_box(run(&mut s, &mut h, &search)))
            });
        }
        for n in [10_000usize, 100_000] {
            let mut h = host(n);
            let mut s = session(&mut h);
            group.bench_with_input(BenchmarkId::new("fetch_all_one_slice", n), &n, |b, _| {
                b.iter_custom(|iters| first_slice(&mut s, &mut h, b"e FETCH 1:* (FLAGS ENVELOPE)\r\n", iters))
            });
            group.bench_with_input(BenchmarkId::new("search_text_one_slice", n), &n, |b, _| {
                b.iter_custom(|iters| first_slice(&mut s, &mut h, b"t SEARCH TEXT \"no such words\"\r\n", iters))
            });
        }
        for n in [5_000usize, 50_000] {
            group.bench_with_input(BenchmarkId::new("uid_move_all", n), &n, |b, &n| {
                b.iter_batched(
                    || {
                        let mut h = host(n);
                        let s = session(&mut h);
                        run(&mut session(&mut h), &mut h, b"c CREATE Box\r\n");
                        (h, s)
                    },
                    |(mut h, mut s)| black_box(run(&mut s, &mut h, b"m UID MOVE 1:* Box\r\n")),
                    BatchSize::LargeInput,
                )
            });
        }
        for n in [10_000usize, 100_000] {
            // Every message holds the most keywords a mailbox may: the refusal
            // and SELECT each look at all of them once.
            let mut h = host(n);
            let mut s = session(&mut h);
            for batch in 0..8 {
                let names: Vec<String> = (0..16).map(|i| format!("$label{}", batch * 16 + i)).collect();
                run(&mut s, &mut h, format!("k STORE 1:* +FLAGS.SILENT ({})\r\n", names.join(" ")).as_bytes());
            }
            group.bench_with_input(BenchmarkId::new("store_a_129th_keyword_refused", n), &n, |b, _| {
                b.iter(|| black_box(run(&mut s, &mut h, b"k STORE 1 +FLAGS ($one-more)\r\n")))
            });
            group.bench_with_input(BenchmarkId::new("select_with_128_keywords_on_each", n), &n, |b, _| {
                b.iter(|| black_box(run(&mut s, &mut h, b"s SELECT INBOX\r\n")))
            });
        }
        for behind in [10_000usize, 100_000] {
            group.bench_with_input(
                BenchmarkId::new("noop_x1000_after_falling_behind", behind),
                &behind,
                |b, &behind| {
                    b.iter_batched(
                        || {
                            let mut h = host(10);
                            let s = session(&mut h);
                            // Another session's changes to another folder: all to be skipped.
                            let mut other = session(&mut h);
                            run(
                                &mut other,
                                &mut h,
                                b"c CREATE Other\r\nd APPEND Other {1+}\r\nx\r\ne SELECT Other\r\n",
                            );
                            for i in 0..behind / 2 {
                                let flag = if i % 2 == 0 { "+" } else { "-" };
                                run(
                                    &mut other,
                                    &mut h,
                                    format!("f STORE 1 {flag}FLAGS.SILENT (\\Seen)\r\n").as_bytes(),
                                );
                                run(
                                    &mut other,
                                    &mut h,
                                    format!("g STORE 1 {flag}FLAGS.SILENT (\\Flagged)\r\n").as_bytes(),
                                );
                            }
                            (h, s)
                        },
                        |(mut h, mut s)| {
                            let mut n = 0;
                            for _ in 0..1000 {
                                n += run(&mut s, &mut h, b"n NOOP\r\n");
                            }
                            black_box(n)
                        },
                        BatchSize::LargeInput,
                    )
                },
            );
        }
        group.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, bench::folder, bench::hostile);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
