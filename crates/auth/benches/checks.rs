//! What sender authentication costs a receiving MX per message: DKIM signing
//! and verifying a 100 KiB message (ed25519-sha256, relaxed/relaxed), SPF
//! through an include chain, and DMARC's record lookup and alignment.
// Set-up values are unwrapped: a failure there is a broken fixture.
#![allow(clippy::unwrap_used)]

#[cfg(not(target_arch = "wasm32"))]
mod bench {
    use criterion::{Criterion, Throughput};
    use mail_lab_auth::dkim::{self, DkimResult, Signer};
    use mail_lab_auth::dmarc::{self, DmarcResult};
    use mail_lab_auth::dns::{Record, Zone};
    use mail_lab_auth::spf::{self, SpfResult};
    use mail_lab_proto::Time;

    const SEED: [u8; 32] = *b"benchmark key of a.example......";

    fn message(body_octets: usize) -> Vec<u8> {
        let mut m = b"From: Alice <alice@a.example>\r\nTo: bob@b.example\r\nSubject: bench\r\n\r\n".to_vec();
        while m.len() < body_octets {
            m.extend_from_slice(b"A line of text,  with  runs of spaces \t and a tab.   \r\n");
        }
        m
    }

    pub fn checks(c: &mut Criterion) {
        let now = Time::from_secs(1_775_034_000);
        let signer = Signer { domain: "a.example", selector: "lab", seed: SEED, headers: &["from", "to", "subject"] };
        let mut zone = Zone::default();
        zone.add("lab._domainkey.a.example", Record::Txt(signer.key_record()));
        zone.add("a.example", Record::Txt("v=spf1 include:_spf.a.example -all".into()));
        zone.add("_spf.a.example", Record::Txt("v=spf1 ip4:198.51.100.0/24 include:_more.a.example -all".into()));
        zone.add("_more.a.example", Record::Txt("v=spf1 a:mail.a.example ip4:192.0.2.0/24 -all".into()));
        zone.add("mail.a.example", Record::A("192.0.2.25".parse().unwrap()));
        zone.add("_dmarc.a.example", Record::Txt("v=DMARC1; p=reject".into()));

        let plain = message(100 * 1024);
        let mut signed = signer.sign(&plain, now).into_bytes();
        signed.extend_from_slice(&plain);
        let verdicts = dkim::verify(&mut zone, &signed, now);
        assert_eq!(verdicts.len(), 1);
        assert_eq!(verdicts[0].result, DkimResult::Pass, "{}", verdicts[0].why);

        let mut group = c.benchmark_group("auth");
        group.throughput(Throughput::Bytes(plain.len() as u64));
        group.bench_function("dkim_sign_100k", |b| b.iter(|| signer.sign(&plain, now)));
        group.bench_function("dkim_verify_100k", |b| b.iter(|| dkim::verify(&mut zone, &signed, now)));
        group.throughput(Throughput::Elements(1));
        let query = spf::Query {
            ip: "192.0.2.25".parse().unwrap(),
            mail_from: "alice@a.example",
            helo: "mail.a.example",
            receiver: "mail.b.example",
            now,
        };
        assert_eq!(spf::check_mail_from(&mut zone, &query).result, SpfResult::Pass);
        group.bench_function("spf_include_chain", |b| b.iter(|| spf::check_mail_from(&mut zone, &query)));
        let passes = vec!["a.example".to_string()];
        let inputs = dmarc::Inputs {
            from_domain: "a.example",
            spf: (SpfResult::Pass, "a.example"),
            dkim_passes: &passes,
            dkim_temp_errors: &[],
            draw: 0,
        };
        assert_eq!(dmarc::check(&mut zone, &inputs).result, DmarcResult::Pass);
        group.bench_function("dmarc_check", |b| b.iter(|| dmarc::check(&mut zone, &inputs)));
        group.finish();
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, bench::checks);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
