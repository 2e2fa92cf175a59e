//! `Authentication-Results:` (RFC 8601 §2.2) read into its parts for a reader:
//! which host did the checks, and each method's result with its properties.
//! Lenient like the address parser: what does not fit is skipped, never an error.

use crate::lex::{Token, tokens};

/// One `Authentication-Results:` field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthResults {
    /// The host that ran the checks. A reader trusts only the fields its own
    /// receiving host wrote (RFC 8601 §5): anyone can write one.
    pub authserv_id: String,
    /// Empty for `; none` (no method was run).
    pub results: Vec<MethodResult>,
}

/// One `method=result` of the field, with what came with it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MethodResult {
    /// `spf`, `dkim`, `dmarc`, `auth`, `iprev`, … lower-cased, version dropped.
    pub method: String,
    /// `pass`, `fail`, `softfail`, … lower-cased.
    pub result: String,
    /// `ptype.property` and its value (`smtp.mailfrom`, `header.d`, …) in
    /// order, and `reason` (RFC 8601 §2.7 reasonspec) where it stands.
    pub properties: Vec<(String, String)>,
    /// Comments, which carry what a person reads (`(good signature)`).
    pub comments: Vec<String>,
}

/// Whether a `key=` (`word=`, `word.word=` or `word/word=`) starts at `i`.
fn starts_pair(items: &[&Token], i: usize) -> bool {
    let at = |j: usize, c: char| items.get(j) == Some(&&Token::Special(c));
    word(items, i).is_some()
        && (at(i + 1, '=') || ((at(i + 1, '.') || at(i + 1, '/')) && word(items, i + 2).is_some() && at(i + 3, '=')))
}

/// A value (RFC 8601 `pvalue`): words joined by `.`, `@` and `/`, which
/// takes in domains, addresses, IP addresses and signature prefixes written
/// with CFWS inside, and a signature's `=` padding. It stops where the next
/// `key=` starts. A quoted local part keeps its quotes; a quoted value alone
/// is its content.
fn value(items: &[&Token], i: &mut usize) -> Option<String> {
    let mut out = String::new();
    let mut word_next = true;
    while let Some(t) = items.get(*i) {
        match t {
            Token::Word(..) if word_next && !out.is_empty() && starts_pair(items, *i) => break,
            // Padding: `=` after the value, where no value follows it.
            Token::Special('=') if !word_next && (word(items, *i + 1).is_none() || starts_pair(items, *i + 1)) => {
                out.push('=');
            }
            Token::Word(w, quoted) if word_next => {
                if *quoted && items.get(*i + 1) == Some(&&Token::Special('@')) {
                    out.push('"');
                    for c in w.chars() {
                        if c == '"' || c == '\\' {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    out.push('"');
                } else {
                    out.push_str(w);
                }
                word_next = false;
            }
            Token::Special(c @ ('.' | '@' | '/')) => {
                out.push(*c);
                word_next = true;
            }
            _ => break,
        }
        *i += 1;
    }
    (!out.is_empty()).then_some(out)
}

fn word<'t>(items: &[&'t Token], i: usize) -> Option<&'t str> {
    match items.get(i) {
        Some(Token::Word(w, _)) => Some(w),
        _ => None,
    }
}

/// `key=value` at `i`, the key lower-cased, and where it ends. The
/// method's key drops its `/version`; a property's is `ptype.property`
/// (or `reason`). The method's value is one word, a property's a [`value`].
fn pair(items: &[&Token], i: usize, method: bool) -> Option<(String, String, usize)> {
    let mut key = word(items, i)?.to_ascii_lowercase();
    let mut j = i + 1;
    if let (Some(Token::Special(c)), Some(part)) = (items.get(j), word(items, j + 1)) {
        match (*c, method) {
            ('/', true) => j += 2,
            ('.', false) => {
                key = format!("{key}.{}", part.to_ascii_lowercase());
                j += 2;
            }
            _ => {}
        }
    }
    if items.get(j) != Some(&&Token::Special('=')) {
        return None;
    }
    j += 1;
    let value = if method {
        let result = word(items, j)?.to_string();
        j += 1;
        result
    } else {
        value(items, &mut j)?
    };
    Some((key, value, j))
}

/// Read one field's value (after `Authentication-Results:`).
pub fn parse(value: &str) -> AuthResults {
    let tokens = tokens(value, ";=/.@");
    let mut clauses = tokens.split(|t| *t == Token::Special(';'));
    let head: Vec<&Token> =
        clauses.next().unwrap_or_default().iter().filter(|t| !matches!(t, Token::Comment(_))).collect();
    // A quoted id's white space is no part of the name.
    let authserv_id = self::value(&head, &mut 0).unwrap_or_default().trim().to_string();
    let mut results = Vec::new();
    for clause in clauses {
        let mut result = MethodResult::default();
        let mut items = Vec::new();
        for t in clause {
            match t {
                Token::Comment(c) => result.comments.push(c.split_whitespace().collect::<Vec<_>>().join(" ")),
                t => items.push(t),
            }
        }
        // `method[/version]=result`, then `reason=value` and
        // `ptype.property=value`. What does not fit is skipped a token at a time.
        let mut i = 0;
        while i < items.len() {
            match pair(&items, i, result.method.is_empty()) {
                Some((key, value, next)) if result.method.is_empty() => {
                    (result.method, result.result) = (key, value.to_ascii_lowercase());
                    i = next;
                }
                Some((key, value, next)) => {
                    result.properties.push((key, value));
                    i = next;
                }
                None => i += 1,
            }
        }
        if !result.method.is_empty() {
            results.push(result);
        }
    }
    AuthResults { authserv_id, results }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property(r: &MethodResult, key: &str) -> Option<String> {
        r.properties.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    fn summary(a: &AuthResults) -> Vec<(String, String)> {
        a.results.iter().map(|r| (r.method.clone(), r.result.clone())).collect()
    }

    #[test]
    fn rfc8601_appendix_b_examples() {
        // B.2: a version, and no method run.
        let a = parse(" example.org 1; none");
        assert_eq!(a.authserv_id, "example.org");
        assert!(a.results.is_empty());
        // B.3
        let a = parse(" example.com;\r\n          spf=pass smtp.mailfrom=example.net");
        assert_eq!(summary(&a), [("spf".into(), "pass".into())]);
        assert_eq!(property(&a.results[0], "smtp.mailfrom").as_deref(), Some("example.net"));
        // B.4, both fields.
        let a = parse(
            " example.com;\r\n          auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n          spf=pass smtp.mailfrom=example.net",
        );
        assert_eq!(summary(&a), [("auth".into(), "pass".into()), ("spf".into(), "pass".into())]);
        assert_eq!(a.results[0].comments, ["cram-md5"]);
        assert_eq!(property(&a.results[0], "smtp.auth").as_deref(), Some("sender@example.net"));
        let a = parse(" example.com; iprev=pass\r\n          policy.iprev=192.0.2.200");
        assert_eq!(property(&a.results[0], "policy.iprev").as_deref(), Some("192.0.2.200"));
        // B.6: two signatures, one good and one bad, each with its comment.
        let a = parse(
            " mail-router.example.net;\r\n          dkim=pass (good signature) header.d=newyork.example.com\r\n                header.b=oINEO8hg;\r\n          dkim=fail (bad signature) header.d=mail-router.example.net\r\n                header.b=EToRSuvU",
        );
        assert_eq!(summary(&a), [("dkim".into(), "pass".into()), ("dkim".into(), "fail".into())]);
        assert_eq!(a.results[1].comments, ["bad signature"]);
        assert_eq!(property(&a.results[1], "header.d").as_deref(), Some("mail-router.example.net"));
        assert_eq!(property(&a.results[1], "header.b").as_deref(), Some("EToRSuvU"));
    }

    #[test]
    fn quoted_values_reasons_versions_and_nested_comments() {
        let a = parse(
            r#" "mx (main)" ; spf/1 = Fail (the ip (192.0.2.66) is not listed) reason="no \"ip4\" match" smtp.mailfrom="a b"@a.example"#,
        );
        assert_eq!(a.authserv_id, "mx (main)");
        let r = &a.results[0];
        assert_eq!((r.method.as_str(), r.result.as_str()), ("spf", "fail"));
        assert_eq!(property(r, "reason").as_deref(), Some(r#"no "ip4" match"#));
        assert_eq!(r.comments, ["the ip (192.0.2.66) is not listed"]);
        assert_eq!(property(r, "smtp.mailfrom").as_deref(), Some(r#""a b"@a.example"#));
    }

    #[test]
    fn folding_white_space_and_comments_between_the_pieces() {
        // CFWS may stand around `/`, `=` and `.` (RFC 8601 §2.2), and before
        // the authserv-id: a comment with a comment inside hides nothing.
        let a = parse(
            " ((x) y)\r\n mx.b.example (the MTA) 1 ;\r\n spf / 1 = pass smtp . mailfrom = alice @ a . example\r\n header.b = a/b+c",
        );
        assert_eq!(a.authserv_id, "mx.b.example");
        let r = &a.results[0];
        assert_eq!((r.method.as_str(), r.result.as_str()), ("spf", "pass"));
        assert_eq!(
            r.properties,
            [("smtp.mailfrom".to_string(), "alice@a.example".to_string()), ("header.b".into(), "a/b+c".into())]
        );
        // A signature's padding; a value cut short does not take the next key.
        let a = parse("x; dkim=pass header.b=abcd== header.d=a.example; spf=pass smtp.mailfrom=alice@ header.d=x");
        assert_eq!(
            a.results[0].properties,
            [("header.b".to_string(), "abcd==".to_string()), ("header.d".into(), "a.example".into())]
        );
        assert_eq!(
            a.results[1].properties,
            [("smtp.mailfrom".to_string(), "alice@".to_string()), ("header.d".into(), "x".into())]
        );
        // A quoted id's white space, folded or not, is no part of it.
        assert_eq!(parse(" \"mx.b.example\r\n \"; none").authserv_id, "mx.b.example");
        // An address with no local part, and an IPv6 address.
        let a = parse("x; dkim=pass header.i=@a.example; iprev=pass policy.iprev=2001:db8::1");
        assert_eq!(property(&a.results[0], "header.i").as_deref(), Some("@a.example"));
        assert_eq!(property(&a.results[1], "policy.iprev").as_deref(), Some("2001:db8::1"));
    }

    #[test]
    fn garbage_gives_what_can_be_read() {
        // Nothing readable: no result, and no panic.
        for junk in ["", ";", "=;=", "(((", "\"", "x; =pass; spf=; dkim"] {
            assert_eq!(parse(junk).results, [], "{junk:?}");
        }
        let a = parse("x; a=b=c=d");
        assert_eq!(summary(&a), [("a".into(), "b".into())]);
        assert_eq!(a.results[0].properties, [("c".to_string(), "d".to_string())]);
        assert_eq!(summary(&parse("x; spf=; dkim=fail")), [("dkim".into(), "fail".into())]);
    }
}
