//! 10,000 messages submitted at a.example, relayed through the SMTP engines to
//! b.example and fetched over IMAP: messages per second natively. The same
//! workload runs in Chromium through the page (scripts/bench-wasm.mjs).
//! And the copy of a world the native server takes under its lock before each
//! periodic save (`World::snapshot`), with two mailboxes full to their quota.

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use criterion::{Criterion, Throughput};
    use mail_lab_world::workload::relay_and_fetch;

    const MESSAGES: usize = 10_000;

    pub fn relay(c: &mut Criterion) {
        let outcome = relay_and_fetch(MESSAGES);
        assert_eq!(outcome.delivered, MESSAGES, "every message reached carol");
        assert!(outcome.fetched_octets > MESSAGES * 100, "the fetch returned every message");
        let mut group = c.benchmark_group("world");
        group.sample_size(10);
        group.throughput(Throughput::Elements(MESSAGES as u64));
        group.bench_function("relay_and_fetch_10k", |b| b.iter(|| relay_and_fetch(MESSAGES)));
        group.finish();
    }

    /// bob holds 1,000 messages of 64 KiB (the 64 MiB quota), carol 99,000
    /// small ones: the copy shares message bytes, so it costs the count.
    pub fn save_copy(c: &mut Criterion) {
        let mut world = mail_lab_world::scenario::two_domains();
        let big = |i: usize| format!("Subject: big {i}\r\n\r\n{}\r\n", "x".repeat(64 * 1024 - 40)).into_bytes();
        let small = |i: usize| format!("Subject: small {i}\r\n\r\nhello\r\n").into_bytes();
        world.import_messages("bob@a.example", "INBOX", (0..1_000).map(big).collect()).expect("bob's room");
        world.import_messages("carol@b.example", "INBOX", (0..99_000).map(small).collect()).expect("carol's room");
        let copy = world.snapshot();
        let stored: usize = copy
            .hosts
            .iter()
            .flat_map(|h| h.store.accounts())
            .flat_map(|a| a.folders.values())
            .map(|f| f.messages.len())
            .sum();
        assert_eq!(stored, 100_000, "the copy holds every message");
        let mut group = c.benchmark_group("world");
        group.sample_size(10);
        group.bench_function("snapshot_of_100k_messages_128_mib", |b| b.iter(|| world.snapshot()));
        group.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, bench::relay, bench::save_copy);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
