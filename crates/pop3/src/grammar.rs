//! POP3 command grammar: RFC 1939 §9's command summary and RFC 2449 §3's ABNF,
//! one parser per rule, each named after it.

use nom::bytes::complete::{take_while_m_n, take_while1};
use nom::character::complete::{char, digit1};
use nom::combinator::{all_consuming, map, map_res, opt, rest, verify};
use nom::sequence::{pair, preceded, separated_pair};
use nom::{IResult, Parser};

type Res<'a, T> = IResult<&'a str, T>;

/// One POP3 command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    User(String),
    Pass(String),
    Apop { name: String, digest: String },
    Auth { mechanism: String, initial: Option<String> },
    Stls,
    Capa,
    Stat,
    List(Option<u32>),
    Retr(u32),
    Dele(u32),
    Noop,
    Rset,
    Top { msg: u32, lines: u32 },
    Uidl(Option<u32>),
    Quit,
}

impl Command {
    /// The keyword, as the state checks use it.
    pub fn keyword(&self) -> &'static str {
        match self {
            Command::User(_) => "USER",
            Command::Pass(_) => "PASS",
            Command::Apop { .. } => "APOP",
            Command::Auth { .. } => "AUTH",
            Command::Stls => "STLS",
            Command::Capa => "CAPA",
            Command::Stat => "STAT",
            Command::List(_) => "LIST",
            Command::Retr(_) => "RETR",
            Command::Dele(_) => "DELE",
            Command::Noop => "NOOP",
            Command::Rset => "RSET",
            Command::Top { .. } => "TOP",
            Command::Uidl(_) => "UIDL",
            Command::Quit => "QUIT",
        }
    }
}

/// Why a line is not a command: an unknown keyword, or the arguments of a known
/// one do not fit, with the form that was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxError {
    Unknown(String),
    Arguments { keyword: &'static str, expected: &'static str },
}

/// `keyword = 3*4VCHAR` (RFC 2449 §3).
pub fn keyword(i: &str) -> Res<'_, &str> {
    take_while_m_n(3, 4, |c: char| c.is_ascii_graphic()).parse(i)
}

/// `param = 1*VCHAR` (RFC 2449 §3). RFC 1939's 40 characters are lifted by RFC
/// 2449 §4: the command line's 255 octets bound it (a full address may be longer).
pub fn param(i: &str) -> Res<'_, &str> {
    take_while1(|c: char| c.is_ascii_graphic()).parse(i)
}

/// A message-number: `1*DIGIT`, never 0 (RFC 1939 §5 "msg"). One past `u32`
/// is refused as syntax, as Dovecot refuses it ("Message number too large").
pub fn message_number(i: &str) -> Res<'_, u32> {
    verify(map_res(digit1, str::parse::<u32>), |&n| n > 0).parse(i)
}

/// A non-negative number of lines for TOP (RFC 1939 §7 "n"). The RFC sets no
/// upper bound, so a count past `u32` reads as `u32::MAX`: more lines than any
/// message has.
pub fn line_count(i: &str) -> Res<'_, u32> {
    map(digit1, |d: &str| d.parse::<u32>().unwrap_or(u32::MAX)).parse(i)
}

/// `digest = 32 lowercase hex digits` of APOP (RFC 1939 §7).
pub fn digest(i: &str) -> Res<'_, &str> {
    verify(take_while1(|c: char| c.is_ascii_hexdigit()), |d: &str| d.len() == 32).parse(i)
}

fn no_args(i: &str) -> Res<'_, ()> {
    all_consuming(map(opt(char(' ')), |_| ())).parse(i)
}

/// Parse one command line (without CRLF). Keywords are case-insensitive.
pub fn command(line: &str) -> Result<Command, SyntaxError> {
    let (verb, args) = match line.split_once(' ') {
        Some((v, a)) => (v, a),
        None => (line, ""),
    };
    let upper = verb.to_ascii_uppercase();
    let has_args = line.len() > verb.len();
    let err = |keyword, expected| SyntaxError::Arguments { keyword, expected };
    match upper.as_str() {
        "USER" => all_consuming(param)
            .parse(args)
            .map(|(_, p)| Command::User(p.to_string()))
            .map_err(|_| err("USER", "USER name")),
        // The password is the rest of the line: it may contain spaces (RFC 1939 §7).
        "PASS" if has_args && !args.is_empty() => Ok(Command::Pass(args.to_string())),
        "PASS" => Err(err("PASS", "PASS password")),
        "APOP" => all_consuming(separated_pair(param, char(' '), digest))
            .parse(args)
            .map(|(_, (n, d))| Command::Apop { name: n.to_string(), digest: d.to_ascii_lowercase() })
            .map_err(|_| err("APOP", "APOP name digest (32 hex digits of MD5)")),
        // AUTH alone asks for the mechanisms (the form before RFC 5034 that
        // Outlook and Thunderbird still send, and Dovecot answers).
        "AUTH" if !has_args => Ok(Command::Auth { mechanism: String::new(), initial: None }),
        "AUTH" => all_consuming(pair(param, opt(preceded(char(' '), rest))))
            .parse(args)
            .map(|(_, (m, i))| Command::Auth { mechanism: m.to_ascii_uppercase(), initial: i.map(str::to_string) })
            .map_err(|_| err("AUTH", "AUTH mechanism [initial-response]")),
        "STLS" | "CAPA" | "STAT" | "NOOP" | "RSET" | "QUIT" if has_args && no_args(args).is_err() => {
            let keyword = match upper.as_str() {
                "STLS" => "STLS",
                "CAPA" => "CAPA",
                "STAT" => "STAT",
                "NOOP" => "NOOP",
                "RSET" => "RSET",
                _ => "QUIT",
            };
            Err(err(keyword, "no arguments"))
        }
        "STLS" => Ok(Command::Stls),
        "CAPA" => Ok(Command::Capa),
        "STAT" => Ok(Command::Stat),
        "NOOP" => Ok(Command::Noop),
        "RSET" => Ok(Command::Rset),
        "QUIT" => Ok(Command::Quit),
        "LIST" | "UIDL" => {
            let r = all_consuming(opt(message_number)).parse(args).map(|(_, n)| n);
            match (upper.as_str(), r) {
                ("LIST", Ok(n)) => Ok(Command::List(n)),
                ("UIDL", Ok(n)) => Ok(Command::Uidl(n)),
                ("LIST", Err(_)) => Err(err("LIST", "LIST [msg] (a message number, e.g. LIST 1)")),
                _ => Err(err("UIDL", "UIDL [msg] (a message number, e.g. UIDL 1)")),
            }
        }
        "RETR" | "DELE" => {
            let r = all_consuming(message_number).parse(args).map(|(_, n)| n);
            match (upper.as_str(), r) {
                ("RETR", Ok(n)) => Ok(Command::Retr(n)),
                ("DELE", Ok(n)) => Ok(Command::Dele(n)),
                ("RETR", Err(_)) => Err(err("RETR", "RETR msg (a message number, e.g. RETR 1)")),
                _ => Err(err("DELE", "DELE msg (a message number, e.g. DELE 1)")),
            }
        }
        "TOP" => all_consuming(separated_pair(message_number, char(' '), line_count))
            .parse(args)
            .map(|(_, (msg, lines))| Command::Top { msg, lines })
            .map_err(|_| err("TOP", "TOP msg n (message number and count of body lines, e.g. TOP 1 10)")),
        _ => Err(SyntaxError::Unknown(verb.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_rows() {
        let ok: &[(&str, Command)] = &[
            ("USER mrose", Command::User("mrose".into())),
            ("user mrose", Command::User("mrose".into())),
            ("PASS secret with spaces", Command::Pass("secret with spaces".into())),
            (
                "APOP mrose c4c9334bac560ecc979e58001b3e22fb",
                Command::Apop { name: "mrose".into(), digest: "c4c9334bac560ecc979e58001b3e22fb".into() },
            ),
            (
                "AUTH PLAIN AHRpbQB0YW5zdGFhZg==",
                Command::Auth { mechanism: "PLAIN".into(), initial: Some("AHRpbQB0YW5zdGFhZg==".into()) },
            ),
            ("auth cram-md5", Command::Auth { mechanism: "CRAM-MD5".into(), initial: None }),
            ("STAT", Command::Stat),
            ("LIST", Command::List(None)),
            ("LIST 2", Command::List(Some(2))),
            ("RETR 1", Command::Retr(1)),
            ("DELE 10", Command::Dele(10)),
            ("TOP 1 0", Command::Top { msg: 1, lines: 0 }),
            // Past u32: more lines than any message has.
            ("TOP 1 99999999999999999999", Command::Top { msg: 1, lines: u32::MAX }),
            ("UIDL", Command::Uidl(None)),
            ("uidl 3", Command::Uidl(Some(3))),
            ("CAPA", Command::Capa),
            ("STLS", Command::Stls),
            ("QUIT", Command::Quit),
        ];
        for (line, expected) in ok {
            assert_eq!(command(line).as_ref(), Ok(expected), "{line}");
        }
    }

    #[test]
    fn keyword_and_param_limits() {
        assert!(all_consuming(keyword).parse("CAPA").is_ok());
        assert!(all_consuming(keyword).parse("AB").is_err());
        assert!(all_consuming(keyword).parse("ABCDE").is_err());
        // RFC 2449 §4 lifts RFC 1939's 40-character argument: a long address is a name.
        let long = format!("{}@students.example-university.edu", "firstname.lastname".repeat(3));
        assert_eq!(command(&format!("USER {long}")), Ok(Command::User(long.clone())));
        assert!(all_consuming(param).parse("a b").is_err());
        assert_eq!(command(&format!("TOP 1 {}", "9".repeat(41))), Ok(Command::Top { msg: 1, lines: u32::MAX }));
    }

    #[test]
    fn error_rows_name_the_expected_form() {
        let rows: &[(&str, SyntaxError)] = &[
            ("RETR", SyntaxError::Arguments { keyword: "RETR", expected: "RETR msg (a message number, e.g. RETR 1)" }),
            (
                "RETR 0",
                SyntaxError::Arguments { keyword: "RETR", expected: "RETR msg (a message number, e.g. RETR 1)" },
            ),
            (
                "RETR one",
                SyntaxError::Arguments { keyword: "RETR", expected: "RETR msg (a message number, e.g. RETR 1)" },
            ),
            (
                "DELE -1",
                SyntaxError::Arguments { keyword: "DELE", expected: "DELE msg (a message number, e.g. DELE 1)" },
            ),
            (
                "TOP 1",
                SyntaxError::Arguments {
                    keyword: "TOP",
                    expected: "TOP msg n (message number and count of body lines, e.g. TOP 1 10)",
                },
            ),
            (
                "LIST x",
                SyntaxError::Arguments { keyword: "LIST", expected: "LIST [msg] (a message number, e.g. LIST 1)" },
            ),
            (
                "APOP mrose short",
                SyntaxError::Arguments { keyword: "APOP", expected: "APOP name digest (32 hex digits of MD5)" },
            ),
            ("USER", SyntaxError::Arguments { keyword: "USER", expected: "USER name" }),
            ("PASS", SyntaxError::Arguments { keyword: "PASS", expected: "PASS password" }),
            ("STAT now", SyntaxError::Arguments { keyword: "STAT", expected: "no arguments" }),
            (
                "RETR 99999999999",
                SyntaxError::Arguments { keyword: "RETR", expected: "RETR msg (a message number, e.g. RETR 1)" },
            ),
            ("HELO x", SyntaxError::Unknown("HELO".into())),
            ("XTND XMIT", SyntaxError::Unknown("XTND".into())),
            ("", SyntaxError::Unknown("".into())),
        ];
        for (line, expected) in rows {
            assert_eq!(command(line).as_ref(), Err(expected), "{line}");
        }
    }
}
