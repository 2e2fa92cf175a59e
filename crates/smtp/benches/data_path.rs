//! The DATA path on a 10 MB message: dot-unstuffing and end detection by the
//! lab's DotReader and by the whole server session, beside memchr's memmem
//! finding `\r\n.\r\n` in the same bytes (the physical reference: the least
//! work any reader must do).

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use std::hint::black_box;

    use criterion::{Criterion, Throughput};
    use mail_lab_proto::framing::{DotReader, dot_stuff};
    use mail_lab_proto::{Engine, Session, Time};
    use mail_lab_smtp::grammar::ForwardPath;
    use mail_lab_smtp::{Delivery, Peer, RcptContext, Reply, ServerConfig, SmtpBackend, SmtpServer, TlsMode};

    const SIZE: usize = 10 * 1024 * 1024;

    /// A 10 MB message of 78-octet lines, one line in 20 starting with a dot.
    fn wire_message() -> Vec<u8> {
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
        dot_stuff(&data)
    }

    struct Sink;
    impl SmtpBackend for Sink {
        fn check_local_recipient(&mut self, _: RcptContext<'_>, _: &ForwardPath) -> Result<(), Reply> {
            Ok(())
        }
        fn deliver(&mut self, d: Delivery) -> Result<(), Reply> {
            black_box(d.message.len());
            Ok(())
        }
        fn verify(&mut self, _: &str) -> Option<String> {
            None
        }
        fn password(&mut self, _: &str) -> Option<(String, String)> {
            None
        }
    }

    pub fn data_path(c: &mut Criterion) {
        let wire = wire_message();
        // The reference must really scan to the end marker, not stop early.
        assert_eq!(memchr::memmem::find(&wire, b"\r\n.\r\n"), Some(wire.len() - 5));
        let mut group = c.benchmark_group("data_path_10MB");
        group.sample_size(10);
        group.throughput(Throughput::Bytes(wire.len() as u64));
        group.bench_function("memchr_memmem_find_end (reference)", |b| {
            let finder = memchr::memmem::Finder::new(b"\r\n.\r\n");
            b.iter(|| black_box(finder.find(black_box(&wire))))
        });
        group.bench_function("dot_reader_unstuff_and_end", |b| {
            b.iter(|| {
                let mut reader = DotReader::new(SIZE * 2, 1000);
                let mut input = black_box(&wire[..]);
                assert!(reader.feed(&mut input));
                black_box(reader.into_data().len())
            })
        });
        group.bench_function("smtp_server_session_data", |b| {
            let mut config = ServerConfig::mx("mx.bench.example", &["bench.example"]);
            config.max_message_size = SIZE * 2;
            config.tls = TlsMode::Unavailable;
            b.iter(|| {
                let mut server =
                    SmtpServer::new(config.clone(), Peer { address: "192.0.2.1".into(), session_id: "B".into() });
                let mut sink = Sink;
                server.open(&mut sink, Time(0));
                server.receive(
                    b"EHLO c.example\r\nMAIL FROM:<a@c.example>\r\nRCPT TO:<b@bench.example>\r\nDATA\r\n",
                    &mut sink,
                    Time(0),
                );
                server.receive(black_box(&wire), &mut sink, Time(0));
                while Engine::poll_output(&mut server).is_some() {}
            })
        });
        group.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, bench::data_path);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
