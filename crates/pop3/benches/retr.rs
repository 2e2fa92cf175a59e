//! RETR of a 10 MB message: the server session dot-stuffs it onto the wire and
//! the client engine unstuffs it again, beside a plain copy of the same bytes.

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use std::hint::black_box;

    use criterion::{Criterion, Throughput};
    use mail_lab_pop3::{MaildropEntry, MaildropError, Pop3Backend, Pop3Config, Pop3Server};
    use mail_lab_proto::framing::DotReader;
    use mail_lab_proto::{Engine, Output, Peer, Session, Time, TlsMode};

    const SIZE: usize = 10 * 1024 * 1024;

    fn message() -> Vec<u8> {
        let mut data = b"Subject: bench\r\n\r\n".to_vec();
        let mut i = 0;
        while data.len() < SIZE {
            if i % 20 == 0 {
                data.push(b'.');
            }
            data.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, 75));
            data.extend_from_slice(b"\r\n");
            i += 1;
        }
        data
    }

    struct One(Vec<u8>);
    impl Pop3Backend for One {
        fn password(&mut self, _: &str) -> Option<(String, String)> {
            Some(("pw".into(), "u".into()))
        }
        fn open_maildrop(&mut self, _: &str) -> Result<Vec<MaildropEntry>, MaildropError> {
            Ok(vec![MaildropEntry { uid: 1, size: self.0.len(), unique_id: "1.1".into() }])
        }
        fn message(&mut self, _: &str, _: u32) -> Option<Vec<u8>> {
            Some(self.0.clone())
        }
        fn commit(&mut self, _: &str, _: &[u32]) -> Result<usize, String> {
            Ok(1)
        }
        fn release(&mut self, _: &str) {}
    }

    pub fn retr(c: &mut Criterion) {
        let data = message();
        let mut group = c.benchmark_group("pop3_retr_10MB");
        group.sample_size(10);
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function("memcpy (reference)", |b| b.iter(|| black_box(black_box(&data).clone())));
        let mut config = Pop3Config::new("mail.bench.example");
        config.tls = TlsMode::Unavailable;
        let run_server = |backend: &mut One| {
            let mut server = Pop3Server::new(config.clone(), Peer { address: "x".into(), session_id: "1".into() });
            server.open(backend, Time(0));
            server.receive(b"USER u\r\nPASS pw\r\nRETR 1\r\n", backend, Time(0));
            let mut wire = Vec::new();
            while let Some(out) = server.poll_output() {
                if let Output::Bytes(b) = out {
                    wire.extend_from_slice(&b);
                }
            }
            wire
        };
        group.bench_function("server_retr_dot_stuffing", |b| {
            let mut backend = One(data.clone());
            b.iter(|| black_box(run_server(&mut backend).len()))
        });
        let mut backend = One(data.clone());
        let wire = run_server(&mut backend);
        let start =
            wire.windows(9).position(|w| w == b"octets\r\n".as_slice() || w.ends_with(b"octets\r\n")).unwrap_or(0) + 9;
        group.bench_function("client_unstuffing", |b| {
            b.iter(|| {
                let mut reader = DotReader::new(SIZE * 2, usize::MAX);
                let mut input = black_box(&wire[start..]);
                assert!(reader.feed(&mut input));
                black_box(reader.into_data().len())
            })
        });
        group.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, bench::retr);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
