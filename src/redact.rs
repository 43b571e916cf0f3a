//! Error text built from what a server sent: secrets and token-shaped strings taken out.
//!
//! A server may echo anything back (a login answer labelled text/html, an error page quoting
//! the request, a redirect carrying a token in its query), and such text ends up in error
//! messages, which apps log. Besides the secrets of the request, anything that looks like a
//! token goes: JWTs (three base64url parts, the first starting with `eyJ`, i.e. `{"`) and the
//! string values of JSON keys ending in `token`.

/// A short, printable piece of a body for error messages, with the request's secrets removed.
pub fn excerpt(body: &[u8], secrets: &[&str]) -> String {
    const MAX: usize = 200;
    // Redact before cutting, so that no prefix of a secret survives at the cut.
    let text = redact(&String::from_utf8_lossy(body), secrets);
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX)
        .collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// Replaces every secret in `text` with `[redacted]`: as written, and in the two ways a JSON
/// string may carry it (escaped quotes and backslashes, and also non-ASCII as `\uXXXX`); then
/// anything token-shaped.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        for form in [
            secret.to_string(),
            json_escaped(secret, false),
            json_escaped(secret, true),
        ] {
            if out.contains(&form) {
                out = out.replace(&form, "[redacted]");
            }
        }
    }
    redact_token_shapes(&out)
}

fn json_escaped(s: &str, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || (ascii_only && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `[redacted]` in place of JWT-shaped runs and of the values of JSON keys ending in "token".
fn redact_token_shapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        // A JWT: a maximal run of base64url characters and dots, with two dots or more,
        // starting with "eyJ".
        if bytes[i..].starts_with(b"eyJ")
            && (i == 0 || !(is_b64(bytes[i - 1]) || bytes[i - 1] == b'.'))
        {
            let end = bytes[i..]
                .iter()
                .position(|b| !(is_b64(*b) || *b == b'.'))
                .map_or(bytes.len(), |n| i + n);
            if bytes[i..end].iter().filter(|b| **b == b'.').count() >= 2 {
                out.push_str("[redacted]");
                i = end;
                continue;
            }
        }
        // "...token": "value" (any case): the value goes.
        if bytes[i] == b'"' && i >= 5 && bytes[i - 5..i].eq_ignore_ascii_case(b"token") {
            let rest = &bytes[i + 1..];
            let spaces = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_whitespace()).count();
            let mut j = spaces(rest);
            if rest.get(j) == Some(&b':') {
                j += 1;
                j += spaces(&rest[j..]);
                if rest.get(j) == Some(&b'"') {
                    let value = &rest[j + 1..];
                    let mut k = 0;
                    while k < value.len() && value[k] != b'"' {
                        k += if value[k] == b'\\' { 2 } else { 1 };
                    }
                    let close = (i + 1 + j + 1 + k).min(bytes.len());
                    out.push_str(&text[i..i + 1 + j + 1]);
                    out.push_str("[redacted]");
                    i = close;
                    continue;
                }
            }
        }
        let len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + len]);
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_covers_short_and_json_escaped_secrets() {
        assert_eq!(
            redact("wrong password xyz", &["xyz"]),
            "wrong password [redacted]"
        );
        let secret = "päss\"word😀";
        for echoed in [
            "bad: päss\"word😀",
            r#"{"p":"päss\"word😀"}"#,
            r#"{"p":"p\u00e4ss\"word\ud83d\ude00"}"#,
        ] {
            let out = redact(echoed, &[secret]);
            assert!(
                out.contains("[redacted]") && !out.contains("word"),
                "{echoed} -> {out}"
            );
        }
        assert_eq!(redact("none here", &[""]), "none here");
        // Tokens nobody named as secrets: JWTs, and the values of "...token" keys.
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln";
        for (echoed, expect) in [
            (format!("<p>{jwt}</p>"), "<p>[redacted]</p>".to_string()),
            (format!("t={jwt}&x=1"), "t=[redacted]&x=1".to_string()),
            (
                r#"{"access_token" : "opaque-abc", "refresh_TOKEN":"q\"w", "user_id":"u"}"#
                    .to_string(),
                r#"{"access_token" : "[redacted]", "refresh_TOKEN":"[redacted]", "user_id":"u"}"#
                    .to_string(),
            ),
            (r#"{"token": "#.to_string(), r#"{"token": "#.to_string()),
            (
                r#"{"token": "cut"#.to_string(),
                r#"{"token": "[redacted]"#.to_string(),
            ),
            // Not tokens: version strings, host names, a lone "eyJ".
            (
                "v1.2.3 www.example.com eyJ.x".to_string(),
                "v1.2.3 www.example.com eyJ.x".to_string(),
            ),
            (
                "zoë 日本 eyJa.b.c".to_string(),
                "zoë 日本 [redacted]".to_string(),
            ),
        ] {
            assert_eq!(redact(&echoed, &[]), expect);
        }
        // Redaction happens before the cut, so no prefix of a secret survives at the end.
        let long = "s".repeat(150);
        let body = format!("{}{long}", "x".repeat(100));
        assert!(!excerpt(body.as_bytes(), &[&long]).contains("sss"));
    }
}
