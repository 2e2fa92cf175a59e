//! Command options imap-codec does not read yet, taken off the command line
//! before it is decoded: SEARCH's `RETURN (...)` (ESEARCH, RFC 4731; SAVE,
//! RFC 5182) and LIST's selection and return options (LIST-EXTENDED,
//! RFC 5258; SPECIAL-USE, RFC 6154; LIST-STATUS, RFC 5819). What is left is a
//! plain command the codec reads; the options come back beside it.

/// SEARCH's return options this server answers (RFC 4731, RFC 5182's SAVE).
pub(crate) const SEARCH_RETURN: [&str; 5] = ["MIN", "MAX", "ALL", "COUNT", "SAVE"];

/// A client's option word as a BAD may name it: 7-bit, no controls, 40 characters at most.
pub(crate) fn echoed(word: &str) -> String {
    mail_lab_proto::printable(&word.chars().take(40).collect::<String>())
}

/// What the options asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Options {
    /// `SEARCH RETURN (MIN MAX COUNT ALL SAVE)`, upper-cased; empty means ALL.
    Search(Vec<String>),
    List(ListOptions),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ListOptions {
    /// Selection SUBSCRIBED: only subscribed folders, marked \Subscribed.
    pub subscribed_only: bool,
    /// Selection RECURSIVEMATCH: also a name whose descendants match the
    /// selection, with CHILDINFO (RFC 5258 §3.5).
    pub recursive_match: bool,
    /// `LIST ref (p1 p2 ...)`: every pattern (RFC 5258 §3); empty for one pattern.
    pub patterns: Vec<String>,
    /// Why the options cannot be used: the command is answered BAD with it.
    pub invalid: Option<String>,
    /// Selection SPECIAL-USE: only folders with a special use.
    pub special_use_only: bool,
    /// Return SUBSCRIBED: mark subscribed folders.
    pub mark_subscribed: bool,
    /// Return STATUS (items): a STATUS line after each folder.
    pub status: Option<Vec<String>>,
}

/// The parenthesised list starting at `text` (which begins with `(`): its
/// words upper-cased with nested lists kept whole, and the text after it.
fn paren_list(text: &str) -> Option<(Vec<String>, &str)> {
    paren_list_within(text, 0)
}

/// Lists nest at most this deep here: deeper text is refused, not recursed into.
const MAX_NESTING: usize = 8;

fn paren_list_within(text: &str, depth: usize) -> Option<(Vec<String>, &str)> {
    // Only a list: `RETURN é()` must not be cut inside its first character.
    if depth > MAX_NESTING || !text.starts_with('(') {
        return None;
    }
    let mut open = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' => open += 1,
            ')' => {
                // Never below 1 here: the text starts with `(`, and the list ends at 0.
                open -= 1;
                if open == 0 {
                    let inner = &text[1..i];
                    return Some((words(inner, depth), &text[i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

/// Words of a list's inside, a nested `(...)` as one word.
fn words(inner: &str, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = inner.trim();
    while !rest.is_empty() {
        if rest.starts_with('(') {
            let Some((nested, after)) = paren_list_within(rest, depth + 1) else { break };
            out.push(format!("({})", nested.join(" ")));
            rest = after.trim_start();
        } else {
            let end = rest.find([' ', '(']).unwrap_or(rest.len());
            out.push(rest[..end].to_ascii_uppercase());
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// If `line` (one command line, CRLF included) carries options the codec does
/// not read, the line without them and the options.
pub(crate) fn take_options(line: &str) -> Option<(String, Options)> {
    let body = line.trim_end_matches(['\r', '\n']);
    let mut parts = body.splitn(3, ' ');
    let tag = parts.next()?;
    let mut verb = parts.next()?.to_ascii_uppercase();
    let mut rest = parts.next().unwrap_or("");
    let mut prefix = format!("{tag} {verb}");
    if verb == "UID" {
        let (v, r) = rest.split_once(' ').unwrap_or((rest, ""));
        verb = v.to_ascii_uppercase();
        prefix = format!("{tag} UID {v}");
        rest = r;
    }
    match verb.as_str() {
        "SEARCH" => {
            // Keywords are case-insensitive (RFC 9051 §9): `Return` too.
            let after = rest.get(..7).filter(|w| w.eq_ignore_ascii_case("RETURN ")).and(rest.get(7..))?;
            let (options, criteria) = paren_list(after.trim_start())?;
            Some((format!("{prefix} {}\r\n", criteria.trim()), Options::Search(options)))
        }
        "LIST" => {
            let mut options = ListOptions::default();
            let mut rest = rest.trim_start();
            let mut any = false;
            if rest.starts_with('(') {
                let (selection, after) = paren_list(rest)?;
                for option in &selection {
                    match option.as_str() {
                        "SUBSCRIBED" => options.subscribed_only = true,
                        "SPECIAL-USE" => options.special_use_only = true,
                        "RECURSIVEMATCH" => options.recursive_match = true,
                        "REMOTE" => {}
                        other => {
                            options.invalid.get_or_insert(format!("Unknown LIST selection option {}", echoed(other)));
                        }
                    }
                }
                // RFC 5258 §3.1: RECURSIVEMATCH needs another selection option to recurse on.
                if options.recursive_match && !options.subscribed_only && !options.special_use_only {
                    options.invalid.get_or_insert(
                        "RECURSIVEMATCH needs another selection option, e.g. LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"*\""
                            .to_string(),
                    );
                }
                rest = after.trim_start();
                any = true;
            }
            let upper = rest.to_ascii_uppercase();
            if let Some(at) = upper.rfind(" RETURN (") {
                let (returns, _) = paren_list(&rest[at + 8..])?;
                let mut i = 0;
                while i < returns.len() {
                    match returns[i].as_str() {
                        "SUBSCRIBED" => options.mark_subscribed = true,
                        "CHILDREN" | "SPECIAL-USE" => {}
                        "STATUS" => {
                            options.status = returns.get(i + 1).map(|items| words(items.trim_matches(['(', ')']), 0));
                            i += 1;
                        }
                        other => {
                            options.invalid.get_or_insert(format!("Unknown LIST return option {}", echoed(other)));
                        }
                    }
                    i += 1;
                }
                rest = &rest[..at];
                any = true;
            }
            // `reference (pattern pattern ...)`: the codec reads one pattern, so the
            // first stands in the line and all of them come back in the options.
            let (reference, after) = astring(rest)?;
            let after = after.trim_start();
            if after.starts_with('(') {
                let close = after.rfind(')')?;
                let mut inner = after[1..close].trim();
                while !inner.is_empty() {
                    let (token, next) = astring(inner)?;
                    options.patterns.push(token);
                    inner = next.trim_start();
                }
                let first = options.patterns.first().cloned().unwrap_or_default();
                return Some((
                    format!("{prefix} {} {}\r\n", quoted(&reference), quoted(&first)),
                    Options::List(options),
                ));
            }
            any.then(|| (format!("{prefix} {rest}\r\n"), Options::List(options)))
        }
        _ => None,
    }
}

/// If `line` (one command line, CRLF included) is an ID command (RFC 2971),
/// its tag and whether its argument is well formed: `NIL` or a parenthesised
/// list of field-value pairs of quoted strings (values may be NIL). Read here
/// because imap-codec's ID support would cost the page more than this does.
pub(crate) fn id_command(line: &str) -> Option<(String, bool)> {
    let body = line.trim_end_matches(['\r', '\n']);
    let mut parts = body.splitn(3, ' ');
    let tag = parts.next()?.to_string();
    if !parts.next()?.eq_ignore_ascii_case("ID") {
        return None;
    }
    let arg = parts.next().unwrap_or("").trim();
    if arg.eq_ignore_ascii_case("NIL") {
        return Some((tag, true));
    }
    let Some(inner) = arg.strip_prefix('(').and_then(|a| a.strip_suffix(')')) else { return Some((tag, false)) };
    let mut rest = inner.trim_start();
    let mut items = 0;
    while !rest.is_empty() {
        let value = if rest.starts_with('"') {
            astring(rest).map(|(_, after)| after)
        } else if rest.as_bytes().get(..3).is_some_and(|h| h.eq_ignore_ascii_case(b"NIL")) && items % 2 == 1 {
            // Three ASCII octets: a char boundary follows them.
            rest.get(3..)
        } else {
            None
        };
        let Some(after) = value else { return Some((tag, false)) };
        items += 1;
        rest = after.trim_start();
    }
    Some((tag, items % 2 == 0 && items <= 60))
}

/// The astring at the start of `text` (a quoted string, unescaped, or an atom
/// up to a space), and the text after it.
fn astring(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start();
    if let Some(body) = text.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => value.extend(chars.next().map(|(_, c)| c)),
                '"' => return Some((value, &body[i + 1..])),
                c => value.push(c),
            }
        }
        return None;
    }
    let end = text.find([' ', ')']).unwrap_or(text.len());
    (end > 0).then(|| (text[..end].to_string(), &text[end..]))
}

/// `value` as a quoted string.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A sequence set for `numbers` (ascending): `2,4:6,9`.
pub(crate) fn sequence_set(numbers: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end + 1 {
            i += 1;
            end = numbers[i];
        }
        out.push(if start == end { start.to_string() } else { format!("{start}:{end}") });
        i += 1;
    }
    out.join(",")
}

/// The ESEARCH response (RFC 4731 §3.1) for `numbers` found by the command
/// tagged `tag`, with the result options asked for (none: ALL).
pub(crate) fn esearch(tag: &str, uid: bool, numbers: &[u32], options: &[String]) -> String {
    let wants = |o: &str| options.iter().any(|x| x == o) || (options.is_empty() && o == "ALL");
    let mut line = format!("* ESEARCH (TAG \"{tag}\")");
    if uid {
        line.push_str(" UID");
    }
    if let (true, Some(min)) = (wants("MIN"), numbers.first()) {
        line.push_str(&format!(" MIN {min}"));
    }
    if let (true, Some(max)) = (wants("MAX"), numbers.last()) {
        line.push_str(&format!(" MAX {max}"));
    }
    if wants("COUNT") {
        line.push_str(&format!(" COUNT {}", numbers.len()));
    }
    if wants("ALL") && !numbers.is_empty() {
        line.push_str(&format!(" ALL {}", sequence_set(numbers)));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_return_options_come_off_the_line() {
        let (line, options) = take_options("a1 UID SEARCH RETURN (min COUNT) UNSEEN FROM alice\r\n").unwrap();
        assert_eq!(line, "a1 UID SEARCH UNSEEN FROM alice\r\n");
        assert_eq!(options, Options::Search(vec!["MIN".into(), "COUNT".into()]));
        assert_eq!(take_options("a2 SEARCH RETURN () ALL\r\n").unwrap().1, Options::Search(vec![]));
        assert!(take_options("a3 SEARCH ALL\r\n").is_none(), "plain SEARCH is the codec's");
        assert!(take_options("a4 SEARCH RETURN (MIN ALL\r\n").is_none(), "unclosed: left for the codec's BAD");
    }

    #[test]
    fn options_that_are_no_list_are_left_to_the_grammar() {
        for line in ["a1 SEARCH RETURN \u{e9}() ALL\r\n", "a2 SEARCH RETURN ) ALL\r\n"] {
            assert!(take_options(line).is_none(), "{line}");
        }
        let Some((_, Options::List(o))) = take_options("a3 LIST (\u{e9}) \"\" *\r\n") else { panic!("a list") };
        assert_eq!(o.invalid.as_deref(), Some("Unknown LIST selection option ?"));
    }

    #[test]
    fn nested_lists_are_read_to_a_bounded_depth() {
        let deep = format!("a1 SEARCH RETURN {}{} ALL\r\n", "(".repeat(4000), ")".repeat(4000));
        let Some((_, Options::Search(words))) = take_options(&deep) else { panic!("a list") };
        let opened = words.concat().matches('(').count();
        assert!(opened <= MAX_NESTING, "read {opened} levels deep");
    }

    #[test]
    fn list_selection_and_return_options_come_off_the_line() {
        let (line, options) =
            take_options("a1 LIST (SUBSCRIBED) \"\" \"*\" RETURN (CHILDREN STATUS (MESSAGES UNSEEN))\r\n").unwrap();
        assert_eq!(line, "a1 LIST \"\" \"*\"\r\n");
        let Options::List(o) = options else { panic!("list options") };
        assert!(o.subscribed_only && !o.special_use_only && !o.mark_subscribed);
        assert_eq!(o.status, Some(vec!["MESSAGES".into(), "UNSEEN".into()]));
        let (line, _) = take_options("a2 LIST \"\" \"*\" RETURN (SPECIAL-USE)\r\n").unwrap();
        assert_eq!(line, "a2 LIST \"\" \"*\"\r\n");
        assert!(take_options("a3 LIST \"\" \"*\"\r\n").is_none());
    }

    #[test]
    fn id_commands_are_read_here() {
        assert_eq!(id_command("a1 ID NIL\r\n"), Some(("a1".into(), true)));
        assert_eq!(id_command("a2 id (\"name\" \"x\" \"version\" NIL)\r\n"), Some(("a2".into(), true)));
        assert_eq!(id_command("a3 ID (\"name\")\r\n"), Some(("a3".into(), false)), "pairs only");
        assert_eq!(id_command("a4 ID\r\n"), Some(("a4".into(), false)));
        assert_eq!(id_command("a5 ID (NIL \"x\")\r\n"), Some(("a5".into(), false)), "a field is a string");
        assert_eq!(id_command("a6 IDLE\r\n"), None);
        // Non-ASCII where NIL might stand is refused, never sliced inside a character.
        assert_eq!(id_command("a7 ID (éé)\r\n"), Some(("a7".into(), false)));
        assert_eq!(id_command("a8 ID (\"n\" x名)\r\n"), Some(("a8".into(), false)));
    }

    #[test]
    fn esearch_lines_as_rfc_4731_writes_them() {
        assert_eq!(sequence_set(&[2, 4, 5, 6, 9]), "2,4:6,9");
        assert_eq!(esearch("a1", true, &[2, 4, 5, 6, 9], &[]), "* ESEARCH (TAG \"a1\") UID ALL 2,4:6,9");
        let opts = ["MIN", "MAX", "COUNT"].map(String::from);
        assert_eq!(esearch("a2", false, &[3, 7], &opts), "* ESEARCH (TAG \"a2\") MIN 3 MAX 7 COUNT 2");
        assert_eq!(esearch("a3", false, &[], &opts), "* ESEARCH (TAG \"a3\") COUNT 0");
    }
}
