//! SMTP command grammar, one parser per ABNF rule of RFC 5321 §4.1.2 (with the
//! RFC 6531 SMTPUTF8 additions), each named after its rule.
//!
//! Parsers work on one command line without its CRLF.

use nom::branch::alt;
use nom::bytes::complete::{tag, tag_no_case, take_while, take_while1};
use nom::character::complete::char;
use nom::combinator::{all_consuming, map, opt, recognize, verify};
use nom::multi::{many0, separated_list1};
use nom::sequence::{delimited, pair, preceded, terminated, tuple};
use nom::{IResult, Parser};

type Res<'a, T> = IResult<&'a [u8], T>;

/// A mailbox `local-part@domain` as written by the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// The local part as written; a quoted string keeps its quotes when it
    /// needs them (`"john doe"`), and loses them when not (`"alice"` is `alice`).
    pub local_part: String,
    /// The domain or address literal (`[192.0.2.1]`).
    pub domain: String,
}

impl std::fmt::Display for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.local_part, self.domain)
    }
}

impl Mailbox {
    /// True when any part is outside ASCII (needs SMTPUTF8, RFC 6531).
    pub fn is_utf8(&self) -> bool {
        !self.local_part.is_ascii() || !self.domain.is_ascii()
    }
}

/// One ESMTP parameter `keyword[=value]`.
pub type Param = (String, Option<String>);

/// A forward-path of RCPT, including the special `<Postmaster>` form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardPath {
    Mailbox(Mailbox),
    /// `<Postmaster>` with no domain: the postmaster of this server (RFC 5321 §4.1.1.3).
    Postmaster,
}

impl std::fmt::Display for ForwardPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ForwardPath::Mailbox(m) => m.fmt(f),
            ForwardPath::Postmaster => f.write_str("Postmaster"),
        }
    }
}

fn is_alpha_digit(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn is_utf8_non_ascii(b: u8) -> bool {
    b >= 0x80
}

/// `Let-dig = ALPHA / DIGIT` (RFC 5321 §4.1.2); U-labels allowed by RFC 6531.
fn let_dig(b: u8) -> bool {
    is_alpha_digit(b) || is_utf8_non_ascii(b)
}

/// `sub-domain = Let-dig [Ldh-str]`, `Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig`
/// (RFC 5321 §4.1.2; `sub-domain =/ U-label`, RFC 6531 §3.3).
pub fn sub_domain(i: &[u8]) -> Res<'_, &[u8]> {
    verify(take_while1(|b| let_dig(b) || b == b'-'), |s: &[u8]| {
        s.first().is_some_and(|&b| let_dig(b)) && s.last().is_some_and(|&b| let_dig(b))
    })
    .parse(i)
}

/// `Domain = sub-domain *("." sub-domain)` (RFC 5321 §4.1.2).
pub fn domain(i: &[u8]) -> Res<'_, &[u8]> {
    recognize(separated_list1(char('.'), sub_domain)).parse(i)
}

/// `address-literal = "[" ( IPv4-address-literal / IPv6-address-literal /
/// General-address-literal ) "]"` (RFC 5321 §4.1.3). The inside is checked
/// loosely: dcontent `%d33-90 / %d94-126`.
pub fn address_literal(i: &[u8]) -> Res<'_, &[u8]> {
    recognize(delimited(char('['), take_while1(|b| matches!(b, 33..=90 | 94..=126)), char(']'))).parse(i)
}

/// `atext` of RFC 5322 §3.2.3, widened by `UTF8-non-ascii` (RFC 6531 §3.3).
fn atext(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b) || is_utf8_non_ascii(b)
}

/// `Atom = 1*atext` (RFC 5321 §4.1.2).
pub fn atom(i: &[u8]) -> Res<'_, &[u8]> {
    take_while1(atext).parse(i)
}

/// `Dot-string = Atom *("." Atom)` (RFC 5321 §4.1.2).
pub fn dot_string(i: &[u8]) -> Res<'_, &[u8]> {
    recognize(separated_list1(char('.'), atom)).parse(i)
}

/// `Quoted-string = DQUOTE *QcontentSMTP DQUOTE`,
/// `QcontentSMTP = qtextSMTP / quoted-pairSMTP`, `quoted-pairSMTP = %d92 %d32-126`,
/// `qtextSMTP = %d32-33 / %d35-91 / %d93-126` (RFC 5321 §4.1.2).
pub fn quoted_string(i: &[u8]) -> Res<'_, &[u8]> {
    let qtext = take_while1(|b| matches!(b, 32..=33 | 35..=91 | 93..=126) || is_utf8_non_ascii(b));
    let quoted_pair = recognize(pair(char('\\'), nom::character::complete::satisfy(|c| (' '..='~').contains(&c))));
    recognize(delimited(char('"'), many0(alt((qtext, quoted_pair))), char('"'))).parse(i)
}

/// `Local-part = Dot-string / Quoted-string` (RFC 5321 §4.1.2).
pub fn local_part(i: &[u8]) -> Res<'_, &[u8]> {
    alt((dot_string, quoted_string)).parse(i)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `Mailbox = Local-part "@" ( Domain / address-literal )` (RFC 5321 §4.1.2).
/// A quoted local part that needs no quotes names the same mailbox as its
/// Dot-string (RFC 5322 §3.2.4: the quotes are not part of it), so
/// `"alice"@a.example` is kept as `alice@a.example`, as Postfix does.
pub fn mailbox(i: &[u8]) -> Res<'_, Mailbox> {
    map(tuple((local_part, char('@'), alt((domain, address_literal)))), |(l, _, d)| Mailbox {
        local_part: text(unquoted(l)),
        domain: text(d),
    })
    .parse(i)
}

fn unquoted(local: &[u8]) -> &[u8] {
    match local.strip_prefix(b"\"").and_then(|l| l.strip_suffix(b"\"")) {
        Some(inner) if all_consuming(dot_string).parse(inner).is_ok() => inner,
        _ => local,
    }
}

/// `At-domain = "@" Domain`; `A-d-l = At-domain *( "," At-domain )` (RFC 5321 §4.1.2).
/// Source routes are obsolete: parsed and ignored (RFC 5321 §4.1.1.3).
pub fn a_d_l(i: &[u8]) -> Res<'_, &[u8]> {
    recognize(separated_list1(char(','), preceded(char('@'), domain))).parse(i)
}

/// `Path = "<" [ A-d-l ":" ] Mailbox ">"` (RFC 5321 §4.1.2).
pub fn path(i: &[u8]) -> Res<'_, Mailbox> {
    delimited(char('<'), preceded(opt(terminated(a_d_l, char(':'))), mailbox), char('>')).parse(i)
}

/// `Reverse-path = Path / "<>"` (RFC 5321 §4.1.2); `None` is the null path.
pub fn reverse_path(i: &[u8]) -> Res<'_, Option<Mailbox>> {
    alt((map(tag("<>"), |_| None), map(path, Some))).parse(i)
}

/// `Forward-path = Path`, plus RCPT's `"<Postmaster@" Domain ">" / "<Postmaster>"`
/// (RFC 5321 §4.1.1.3).
pub fn forward_path(i: &[u8]) -> Res<'_, ForwardPath> {
    alt((map(tag_no_case("<Postmaster>"), |_| ForwardPath::Postmaster), map(path, ForwardPath::Mailbox))).parse(i)
}

/// `esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")` (RFC 5321 §4.1.2).
pub fn esmtp_keyword(i: &[u8]) -> Res<'_, &[u8]> {
    recognize(pair(take_while1(is_alpha_digit), take_while(|b| is_alpha_digit(b) || b == b'-'))).parse(i)
}

/// `esmtp-value = 1*(%d33-60 / %d62-126)` (RFC 5321 §4.1.2), plus UTF-8 (RFC 6531).
pub fn esmtp_value(i: &[u8]) -> Res<'_, &[u8]> {
    take_while1(|b| matches!(b, 33..=60 | 62..=126) || is_utf8_non_ascii(b)).parse(i)
}

/// `esmtp-param = esmtp-keyword ["=" esmtp-value]` (RFC 5321 §4.1.2).
pub fn esmtp_param(i: &[u8]) -> Res<'_, Param> {
    map(pair(esmtp_keyword, opt(preceded(char('='), esmtp_value))), |(k, v)| {
        (text(k).to_ascii_uppercase(), v.map(text))
    })
    .parse(i)
}

/// `Mail-parameters = esmtp-param *(SP esmtp-param)` (RFC 5321 §4.1.2); also
/// `Rcpt-parameters`. Returns an empty list when there are none.
pub fn parameters(i: &[u8]) -> Res<'_, Vec<Param>> {
    map(opt(preceded(char(' '), separated_list1(char(' '), esmtp_param))), Option::unwrap_or_default).parse(i)
}

/// `mail = "MAIL FROM:" Reverse-path [SP Mail-parameters] CRLF` (RFC 5321 §4.1.1.2),
/// after the verb `MAIL` and the space have been taken.
pub fn mail_from(i: &[u8]) -> Res<'_, (Option<Mailbox>, Vec<Param>)> {
    all_consuming(preceded(tag_no_case("FROM:"), pair(reverse_path, parameters))).parse(i)
}

/// `rcpt = "RCPT TO:" ( "<Postmaster@" Domain ">" / "<Postmaster>" / Forward-path )
/// [SP Rcpt-parameters] CRLF` (RFC 5321 §4.1.1.3), after `RCPT `.
pub fn rcpt_to(i: &[u8]) -> Res<'_, (ForwardPath, Vec<Param>)> {
    all_consuming(preceded(tag_no_case("TO:"), pair(forward_path, parameters))).parse(i)
}

/// `ehlo = "EHLO" SP ( Domain / address-literal ) CRLF` (RFC 5321 §4.1.1.1), after `EHLO `.
pub fn ehlo_argument(i: &[u8]) -> Res<'_, String> {
    all_consuming(map(alt((domain, address_literal)), text)).parse(i)
}

/// `String = Atom / Quoted-string` (RFC 5321 §4.1.2), for VRFY/EXPN/HELP.
pub fn string(i: &[u8]) -> Res<'_, String> {
    all_consuming(map(alt((dot_string, quoted_string)), text)).parse(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T>(r: Res<'_, T>) -> T {
        match r {
            Ok((rest, v)) => {
                assert!(rest.is_empty(), "left over: {:?}", String::from_utf8_lossy(rest));
                v
            }
            Err(e) => panic!("parse failed: {e:?}"),
        }
    }

    #[test]
    fn domain_rows() {
        for (input, good) in [
            (&b"a.example"[..], true),
            (b"mail-1.b.example", true),
            (b"x", true),
            (b"-bad.example", false),
            (b"bad-.example", false),
            (b"", false),
            ("例え.jp".as_bytes(), true),
        ] {
            let r = all_consuming(domain).parse(input);
            assert_eq!(r.is_ok(), good, "{}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn mail_from_rows() {
        let (path, params) = ok(mail_from(b"FROM:<alice@a.example>"));
        assert_eq!(path.map(|m| m.to_string()).as_deref(), Some("alice@a.example"));
        assert!(params.is_empty());
        let (path, params) = ok(mail_from(b"from:<> SIZE=1000 BODY=8BITMIME"));
        assert_eq!(path, None);
        assert_eq!(params, vec![("SIZE".into(), Some("1000".into())), ("BODY".into(), Some("8BITMIME".into()))]);
        let (path, _) = ok(mail_from(b"FROM:<@relay.example,@r2.example:\"john doe\"@[192.0.2.1]>"));
        assert_eq!(path.map(|m| m.to_string()).as_deref(), Some("\"john doe\"@[192.0.2.1]"));
        // Error rows: space after the colon, missing brackets, trailing junk.
        for bad in [&b"FROM: <a@b>"[..], b"FROM:a@b", b"FROM:<a@b> ", b"FROM:<a@>", b"TO:<a@b>", b"FROM:<a b@c>"] {
            assert!(mail_from(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn rcpt_to_rows() {
        assert_eq!(ok(rcpt_to(b"TO:<Postmaster>")).0, ForwardPath::Postmaster);
        let (fp, params) = ok(rcpt_to(b"To:<bob@b.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@b.example"));
        assert_eq!(fp.to_string(), "bob@b.example");
        assert_eq!(params.len(), 2);
        // Quotes that change nothing are not part of the address (RFC 5322 §3.2.4).
        assert_eq!(ok(rcpt_to(b"TO:<\"alice\"@a.example>")).0.to_string(), "alice@a.example");
        assert_eq!(ok(rcpt_to(b"TO:<\"a.b\"@a.example>")).0.to_string(), "a.b@a.example");
        for kept in ["\"a b\"@a.example", "\"a..b\"@a.example", "\"a\\\"b\"@a.example", "\"\"@a.example"] {
            assert_eq!(ok(rcpt_to(format!("TO:<{kept}>").as_bytes())).0.to_string(), kept);
        }
        for bad in [&b"TO:<>"[..], b"TO:bob@b.example", b"TO:<bob@b.example> =x", b"FROM:<a@b>"] {
            assert!(rcpt_to(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn utf8_mailbox_parses_and_is_flagged() {
        let (p, _) = ok(mail_from("FROM:<山田@例え.jp> SMTPUTF8".as_bytes()));
        assert!(p.is_some_and(|m| m.is_utf8()));
    }

    #[test]
    fn ehlo_argument_rows() {
        assert_eq!(ok(ehlo_argument(b"client.example")), "client.example");
        assert_eq!(ok(ehlo_argument(b"[192.0.2.7]")), "[192.0.2.7]");
        assert!(ehlo_argument(b"bad domain").is_err());
        assert!(ehlo_argument(b"").is_err());
    }
}
