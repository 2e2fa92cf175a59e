//! The golden session of tests/golden/same-replies.txt, replayed against the
//! world exactly as the page drives it (MAIL_LAB_BLESS=1 writes the server
//! lines; review the diff). tests/native/test_same_replies.py replays the same
//! file against the native server: the page and real clients get the same replies.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use mail_lab_world::scenario;

#[derive(Debug)]
struct Step {
    sent: Vec<String>,
    expected: Vec<String>,
}

#[derive(Debug)]
struct Connection {
    port: u16,
    greeting: Vec<String>,
    steps: Vec<Step>,
}

fn parse(text: &str) -> (Vec<String>, Vec<Connection>) {
    let mut header = Vec::new();
    let mut conns: Vec<Connection> = Vec::new();
    for line in text.lines() {
        if let Some(port) = line.strip_prefix("> connect ") {
            conns.push(Connection { port: port.trim().parse().unwrap(), greeting: Vec::new(), steps: Vec::new() });
        } else if let Some(c) = conns.last_mut() {
            if let Some(sent) = line.strip_prefix("C:") {
                let sent = sent.strip_prefix(' ').unwrap_or(sent).to_string();
                match c.steps.last_mut() {
                    Some(step) if step.expected.is_empty() => step.sent.push(sent),
                    _ => c.steps.push(Step { sent: vec![sent], expected: Vec::new() }),
                }
            } else if let Some(s) = line.strip_prefix("S:") {
                let s = s.strip_prefix(' ').unwrap_or(s).to_string();
                match c.steps.last_mut() {
                    Some(step) => step.expected.push(s),
                    None => c.greeting.push(s),
                }
            }
        } else {
            header.push(line.to_string());
        }
    }
    (header, conns)
}

fn lines(bytes: Vec<u8>) -> Vec<String> {
    String::from_utf8(bytes).unwrap().split_terminator("\r\n").map(str::to_string).collect()
}

#[test]
fn the_world_gives_the_golden_replies() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden/same-replies.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let (header, conns) = parse(&text);
    let bless = std::env::var_os("MAIL_LAB_BLESS").is_some();
    let mut world = scenario::two_domains();
    let mut out = header.join("\n") + "\n";
    for c in &conns {
        let id = world.connect_from_address("127.0.0.1".into(), "mail.a.example", c.port).unwrap();
        let greeting = lines(world.take_output(id));
        out.push_str(&format!("> connect {}\n", c.port));
        for g in &greeting {
            out.push_str(&format!("S: {g}\n"));
        }
        if !bless {
            assert_eq!(greeting, c.greeting, "greeting on port {}", c.port);
        }
        for step in &c.steps {
            for s in &step.sent {
                world.send(id, format!("{s}\r\n").as_bytes()).unwrap();
                out.push_str(&format!("C: {s}\n").replace("C: \n", "C:\n"));
            }
            let got = lines(world.take_output(id));
            for g in &got {
                out.push_str(&format!("S: {g}\n").replace("S: \n", "S:\n"));
            }
            if !bless {
                assert_eq!(got, step.expected, "after {:?}", step.sent);
            }
        }
    }
    if bless {
        std::fs::write(&path, out).unwrap();
    }
}
