//! An HTML mail made harmless to show: nothing in it may reach the network
//! (no tracking pixel, no remote style, no refresh to elsewhere). The page also
//! puts it in a sandboxed frame with a Content-Security-Policy; this rewrite is
//! the layer that does not depend on the browser applying that policy in time.

/// Attributes that load or navigate to a URL (HTML, SVG), lower case.
const URL_ATTRIBUTES: [&str; 13] = [
    "src",
    "srcset",
    "href",
    "xlink:href",
    "background",
    "poster",
    "action",
    "formaction",
    "data",
    "ping",
    "lowsrc",
    "dynsrc",
    "http-equiv",
];

/// `html` with every URL-bearing attribute inside a tag renamed to
/// `data-blocked-<name>` (so it no longer loads anything), and CSS `url(`
/// and `@import` in the text disabled. Text between tags is kept as it is.
pub fn defuse_remote(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let bytes = html.as_bytes();
    let mut i = 0;
    let mut in_tag = false;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(q) = quote {
            if b == q {
                quote = None;
            }
        } else if in_tag {
            match b {
                b'"' | b'\'' => quote = Some(b),
                b'>' => in_tag = false,
                b' ' | b'\t' | b'\n' | b'\r' | b'/' | b'\x0c' => {
                    out.push(b as char);
                    i += 1;
                    if let Some(name) = URL_ATTRIBUTES.iter().find(|n| starts_attribute(&bytes[i..], n)) {
                        out.push_str("data-blocked-");
                        out.push_str(name);
                        i += name.len();
                    }
                    continue;
                }
                _ => {}
            }
        } else if b == b'<' {
            in_tag = true;
        }
        let ch_len = utf8_len(b);
        out.push_str(&html[i..(i + ch_len).min(html.len())]);
        i += ch_len;
    }
    // CSS in <style> elements or anywhere else: no url(), no @import.
    replace_ignore_case(&replace_ignore_case(&out, "url(", "blocked-url("), "@import", "@blocked-import")
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// `name` at the start of `rest`, followed by optional spaces and `=`.
fn starts_attribute(rest: &[u8], name: &str) -> bool {
    if rest.len() < name.len() || !rest[..name.len()].eq_ignore_ascii_case(name.as_bytes()) {
        return false;
    }
    let after = &rest[name.len()..];
    let trimmed = after.iter().position(|b| !b" \t\r\n".contains(b)).map_or(&[][..], |p| &after[p..]);
    trimmed.first() == Some(&b'=')
}

fn replace_ignore_case(text: &str, from: &str, to: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in lower.match_indices(from) {
        out.push_str(&text[last..at]);
        out.push_str(to);
        last = at + from.len();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_that_loads_survives_and_text_stays() {
        let mail = r#"<p id="hello">Hello src=x stays text</p><img src="x" onerror="alert(1)"><IMG SRC = 'http://t.example/p.gif'><img/src=y><a href=http://e.example>link</a>
<meta http-equiv="refresh" content="0;url=http://e.example"><div style="background:url(http://t.example/b)">b</div><style>@import "http://e.example/s.css"; p{background:URL(x)}</style><img alt="a > b" src="z">日本語"#;
        let safe = defuse_remote(mail);
        for gone in ["<img src", "<IMG SRC", "/src=", "<a href", "<meta http-equiv", ":url(", ":URL(", "@import"] {
            assert!(!safe.contains(gone), "{gone} left in {safe}");
        }
        assert!(safe.contains("<p id=\"hello\">Hello src=x stays text</p>"), "text between tags is untouched: {safe}");
        assert!(safe.contains("<img data-blocked-src=\"x\" onerror="), "{safe}");
        assert!(
            safe.contains("<div style=\"background:blocked-url(http://t.example/b)\">"),
            "styles stay, minus url(): {safe}"
        );
        assert!(safe.contains("<img alt=\"a > b\" data-blocked-src=\"z\">日本語"), "quotes are respected: {safe}");
    }
}
