//! `Authentication-Results:` (RFC 8601 §2.2) read into its parts for a reader:
//! which host did the checks, and each method's result with its properties.
//! Lenient like the address parser: what does not fit is skipped, never an error.

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

#[derive(Debug, PartialEq)]
enum Token {
    Word(String),
    Comment(String),
    Equals,
    Semicolon,
}

fn tokens(value: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ';' => out.push(Token::Semicolon),
            '=' => out.push(Token::Equals),
            '(' => {
                let (mut depth, mut text) = (1, String::new());
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            text.extend(chars.next());
                            continue;
                        }
                        '(' => depth += 1,
                        ')' if depth == 1 => break,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    text.push(c);
                }
                out.push(Token::Comment(text.split_whitespace().collect::<Vec<_>>().join(" ")));
            }
            '"' => {
                let mut text = String::new();
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => text.extend(chars.next()),
                        '\r' | '\n' => {}
                        c => text.push(c),
                    }
                }
                // A quoted local part runs on into `@domain`.
                while let Some(&c) = chars.peek().filter(|c| !c.is_whitespace() && !";=(\"".contains(**c)) {
                    text.push(c);
                    chars.next();
                }
                out.push(Token::Word(text));
            }
            c if c.is_whitespace() => {}
            c => {
                let mut word = c.to_string();
                while let Some(&c) = chars.peek().filter(|c| !c.is_whitespace() && !";=(\"".contains(**c)) {
                    word.push(c);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
        }
    }
    out
}

/// Read one field's value (after `Authentication-Results:`).
pub fn parse(value: &str) -> AuthResults {
    let tokens = tokens(value);
    let mut clauses = tokens.split(|t| *t == Token::Semicolon);
    let authserv_id = clauses
        .next()
        .and_then(|c| c.iter().find_map(|t| if let Token::Word(w) = t { Some(w.clone()) } else { None }))
        .unwrap_or_default();
    let mut results = Vec::new();
    for clause in clauses {
        let mut result = MethodResult::default();
        let mut words = Vec::new();
        for t in clause {
            match t {
                Token::Comment(c) => result.comments.push(c.clone()),
                Token::Word(w) => words.push(Some(w.as_str())),
                Token::Equals => words.push(None),
                Token::Semicolon => {}
            }
        }
        // key = value pairs; the first is method=result. A stray word is skipped.
        let mut i = 0;
        while i < words.len() {
            match (words[i], words.get(i + 1), words.get(i + 2)) {
                (Some(key), Some(None), Some(Some(v))) => {
                    let key = key.to_ascii_lowercase();
                    if result.method.is_empty() {
                        result.method = key.split('/').next().unwrap_or_default().trim().to_string();
                        result.result = v.to_ascii_lowercase();
                    } else {
                        result.properties.push((key, v.to_string()));
                    }
                    i += 3;
                }
                _ => i += 1,
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
        assert_eq!(property(r, "smtp.mailfrom").as_deref(), Some("a b@a.example"));
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
