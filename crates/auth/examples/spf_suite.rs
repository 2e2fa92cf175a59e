//! Runs SPF checks for an outside test suite (tests/native/test_spf_suite.py
//! feeds it the openspf RFC 7208 suite). Reads one scenario as JSON on stdin:
//!
//! ```json
//! {"zone": {"name": {"A": ["192.0.2.1"], "MX": [[10, "mx.example"]], "TXT": ["v=spf1 -all"], "PTR": "TIMEOUT"}},
//!  "tests": [{"id": "t1", "host": "192.0.2.1", "helo": "h.example", "mailfrom": "a@b.example"}]}
//! ```
//!
//! and prints one JSON line per test: `{"id", "result", "explanation"}`, the
//! explanation being `DEFAULT` when the record gave none of its own.

use std::io::Read;

use mail_lab_auth::dns::{Record, RecordType, Zone};
use mail_lab_auth::spf::{self, DEFAULT_EXPLANATION, Query};
use mail_lab_proto::Time;
use serde_json::{Value, json};

fn main() {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("spf_suite: cannot read stdin: {e}");
        std::process::exit(2);
    }
    let scenario: Value = match serde_json::from_str(&input) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("spf_suite: stdin is not JSON: {e}");
            std::process::exit(2);
        }
    };
    let zone = zone_of(&scenario["zone"]);
    for test in scenario["tests"].as_array().into_iter().flatten() {
        let text = |key: &str| test[key].as_str().unwrap_or_default().to_string();
        let (id, host) = (text("id"), text("host"));
        let Ok(ip) = host.parse() else {
            println!("{}", json!({"id": id, "result": "bad-host", "explanation": host}));
            continue;
        };
        let (helo, mail_from) = (text("helo"), text("mailfrom"));
        let query = Query { ip, mail_from: &mail_from, helo: &helo, receiver: "receiver.example", now: Time(0) };
        let verdict = spf::check_mail_from(&mut zone.clone(), &query);
        let explanation = match verdict.explanation.as_deref() {
            Some(DEFAULT_EXPLANATION) => "DEFAULT".to_string(),
            Some(own) => own.to_string(),
            None => String::new(),
        };
        println!("{}", json!({"id": id, "result": verdict.result.as_str(), "explanation": explanation}));
    }
}

fn zone_of(names: &Value) -> Zone {
    let mut zone = Zone::new();
    let Some(names) = names.as_object() else { return zone };
    for (name, types) in names {
        // Filed even with no records: the name exists (no data, not NXDOMAIN).
        zone.declare(name);
        for (kind, records) in types.as_object().into_iter().flatten() {
            let record_type = match kind.as_str() {
                "A" => RecordType::A,
                "AAAA" => RecordType::Aaaa,
                "MX" => RecordType::Mx,
                "PTR" => RecordType::Ptr,
                "TXT" => RecordType::Txt,
                _ => RecordType::A,
            };
            if records.as_str() == Some("TIMEOUT") {
                zone.add(name, Record::Timeout(record_type));
                continue;
            }
            for r in records.as_array().into_iter().flatten() {
                let s = r.as_str().unwrap_or_default();
                let record = match kind.as_str() {
                    "A" => s.parse().ok().map(Record::A),
                    "AAAA" => s.parse().ok().map(Record::Aaaa),
                    "MX" => {
                        Some(Record::Mx(r[0].as_u64().unwrap_or(0) as u16, r[1].as_str().unwrap_or_default().into()))
                    }
                    "PTR" => Some(Record::Ptr(s.into())),
                    "TXT" => Some(Record::Txt(s.into())),
                    "CNAME" => Some(Record::Cname(s.into())),
                    _ => None,
                };
                if let Some(record) = record {
                    zone.add(name, record);
                }
            }
        }
    }
    zone
}
