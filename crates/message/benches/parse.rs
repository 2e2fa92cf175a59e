//! Messages per second and MB/s over the corpus: the bare parser (mail-parser)
//! beside the lab's view on top of it, so the cost of the lab's layer shows.
//!
//! The view works things out when they are first asked for, so each layer is
//! measured on its own: `message_view` is what every reader of more than the
//! header pays (the parse, asked for by the Date; target: within 10% of the bare parser), `message_view_part_table` adds the
//! MIME tree with IMAP sections and byte ranges (what FETCH BINARY and the
//! lessons read), and `message_view_read_everything` asks for every field,
//! body, the trace and the diagnostics, as the page's inspector does.

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use std::hint::black_box;
    use std::path::Path;

    use criterion::{Criterion, Throughput};
    use mail_lab_message::charset::EncodingRs;
    use mail_lab_message::{Body, MessageView};
    use mail_parser::MessageParser;

    fn corpus() -> Vec<Vec<u8>> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
        let mut files: Vec<_> =
            std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
        files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|e| e == "eml"));
        files.sort();
        files.iter().filter_map(|p| std::fs::read(p).ok()).collect()
    }

    /// Everything the inspector shows, so none of the lazy work is skipped.
    fn read_everything(view: &MessageView<'_>) -> usize {
        let bodies: usize = view
            .bodies()
            .into_iter()
            .map(|body| match body {
                Body::Text(t) | Body::Html(t) => t.len(),
                Body::Binary(b) => b.len(),
                Body::Multipart | Body::Message => 0,
            })
            .sum();
        bodies
            + view.decoded_headers().len()
            + view.diagnostics().len()
            + view.trace().len()
            + view.from().len()
            + view.to().len()
            + view.cc().len()
            + view.references().len()
    }

    pub fn parse(c: &mut Criterion) {
        let messages = corpus();
        let bytes: usize = messages.iter().map(Vec::len).sum();
        let mut group = c.benchmark_group(format!("corpus_{}_messages", messages.len()));
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function("mail_parser_bare (reference)", |b| {
            b.iter(|| {
                for m in &messages {
                    black_box(MessageParser::default().parse(black_box(m.as_slice())).map(|p| p.parts.len()));
                }
            })
        });
        group.bench_function("message_view", |b| {
            b.iter(|| {
                for m in &messages {
                    black_box(MessageView::parse(black_box(m), &EncodingRs).date());
                }
            })
        });
        group.bench_function("message_view_part_table", |b| {
            b.iter(|| {
                for m in &messages {
                    black_box(MessageView::parse(black_box(m), &EncodingRs).parts().len());
                }
            })
        });
        group.bench_function("message_view_read_everything", |b| {
            b.iter(|| {
                for m in &messages {
                    black_box(read_everything(&MessageView::parse(black_box(m), &EncodingRs)));
                }
            })
        });
        group.finish();
        // One message of 20,000 parts (200 KB): reading every body and the
        // diagnostics is one walk, so this stays linear in the number of parts.
        let mut wide = String::from("From: a@a.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
        wide.push_str(&"--b\r\n\r\nx\r\n".repeat(20_000));
        wide.push_str("--b--\r\n");
        let mut group = c.benchmark_group("one_message_of_20000_parts");
        group.throughput(Throughput::Bytes(wide.len() as u64));
        group.bench_function("mail_parser_bare (reference)", |b| {
            b.iter(|| black_box(MessageParser::default().parse(black_box(wide.as_bytes())).map(|p| p.parts.len())))
        });
        group.bench_function("message_view_read_everything", |b| {
            b.iter(|| black_box(read_everything(&MessageView::parse(black_box(wide.as_bytes()), &EncodingRs))))
        });
        group.finish();
        let mut group = c.benchmark_group("corpus_messages_per_second");
        group.throughput(Throughput::Elements(messages.len() as u64));
        group.bench_function("mail_parser_bare (reference)", |b| {
            b.iter(|| {
                messages
                    .iter()
                    .map(|m| MessageParser::default().parse(m.as_slice()).map_or(0, |p| p.parts.len()))
                    .sum::<usize>()
            })
        });
        group.bench_function("message_view", |b| {
            b.iter(|| messages.iter().map(|m| MessageView::parse(m, &EncodingRs).size()).sum::<usize>())
        });
        group.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, bench::parse);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
