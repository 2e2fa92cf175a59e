//! 10,000 messages submitted at a.example, relayed through the SMTP engines to
//! b.example and fetched over IMAP: messages per second natively. The same
//! workload runs in Chromium through the page (scripts/bench-wasm.mjs).

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
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, bench::relay);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
