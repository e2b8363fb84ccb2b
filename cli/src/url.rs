//! Connection strings are never printed with their password: [`mask`] hides it in a URL or a
//! `key=value` string, [`redact`] removes it from any text (the postgres crate's errors
//! included) before that text is shown.

/// The URL with its password replaced by `***` (`postgres://app:***@host/db`); also
/// `password=…` in a query string or a `key=value` connection string.
pub fn mask(url: &str) -> String {
    let mut out = url.to_owned();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = rest_start..rest_start + at;
            if let Some(colon) = out[userinfo.clone()].find(':') {
                out.replace_range(userinfo.start + colon + 1..userinfo.end, "***");
            }
        }
    }
    mask_key_values(&out)
}

/// `password=secret` → `password=***` (also quoted values and `password = 'a b'`).
fn mask_key_values(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(found) = lower[i..].find("password") {
        let key_end = i + found + "password".len();
        let after = &s[key_end..];
        let eq = after.len() - after.trim_start().len();
        if !after.trim_start().starts_with('=') {
            out.push_str(&s[i..key_end]);
            i = key_end;
            continue;
        }
        let mut v = key_end + eq + 1;
        v += s[v..].len() - s[v..].trim_start().len();
        out.push_str(&s[i..v]);
        out.push_str("***");
        let value = &s[v..];
        let len = if let Some(q) = value.strip_prefix('\'') {
            // A quoted value ends at the next unescaped quote.
            let mut end = q.len();
            let mut chars = q.char_indices();
            while let Some((j, c)) = chars.next() {
                if c == '\\' {
                    chars.next();
                } else if c == '\'' {
                    end = j + 1;
                    break;
                }
            }
            1 + end
        } else {
            value.find([' ', '&', '\t', '\n']).unwrap_or(value.len())
        };
        i = v + len;
    }
    out.push_str(&s[i..]);
    out
}

/// The secrets a URL holds: its password as written and percent-decoded.
fn secrets(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
        if let Some(at) = authority.rfind('@')
            && let Some((_, pw)) = authority[..at].split_once(':')
        {
            found.push(pw.to_owned());
            found.push(percent_decode(pw));
        }
    }
    // key=value forms: what `mask` hides, taken from the difference.
    let lower = url.to_ascii_lowercase();
    let mut i = 0;
    while let Some(p) = lower[i..].find("password") {
        let start = i + p + "password".len();
        let rest = url[start..].trim_start();
        if let Some(v) = rest.strip_prefix('=') {
            let v = v.trim_start();
            if let Some(quoted) = v.strip_prefix('\'') {
                // A quoted value (spaces allowed), `\'` and `\\` escaped, as libpq reads it.
                let mut value = String::new();
                let mut chars = quoted.chars();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next()),
                        '\'' => break,
                        c => value.push(c),
                    }
                }
                found.push(value);
            } else {
                let end = v.find([' ', '&', '\t', '\n']).unwrap_or(v.len());
                found.push(v[..end].to_owned());
                found.push(percent_decode(&v[..end]));
            }
        }
        i = start;
    }
    found.retain(|s| !s.is_empty());
    found.sort_by_key(|s| std::cmp::Reverse(s.len()));
    found.dedup();
    found
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `text` with the URL masked and its password, however written, replaced by `***`.
pub fn redact(text: &str, url: Option<&str>) -> String {
    let Some(url) = url else {
        return text.to_owned();
    };
    let mut out = text.replace(url, &mask(url));
    for secret in secrets(url) {
        out = replace_secret(&out, &secret);
    }
    out
}

/// Replaces `secret` in `text` by `***`: everywhere when it is long enough not to be part of
/// ordinary words, else only where it stands alone (not inside a word: a password `b` must
/// not turn "database" into "data***ase").
fn replace_secret(text: &str, secret: &str) -> String {
    if secret.chars().count() >= 6 {
        return text.replace(secret, "***");
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut before: Option<char> = None;
    while let Some(i) = rest.find(secret) {
        let prev = rest[..i].chars().next_back().or(before);
        let next = rest[i + secret.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..i]);
        if word(prev) || word(next) {
            out.push_str(secret);
        } else {
            out.push_str("***");
        }
        before = secret.chars().next_back();
        rest = &rest[i + secret.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_masked() {
        assert_eq!(
            mask("postgres://app:s3cret@db:5432/app"),
            "postgres://app:***@db:5432/app"
        );
        assert_eq!(mask("postgres://app@db/app"), "postgres://app@db/app");
        assert_eq!(mask("postgresql://a:b@c@h/d"), "postgresql://a:***@h/d");
        assert_eq!(
            mask("postgres://h/d?user=a&password=xyz&sslmode=disable"),
            "postgres://h/d?user=a&password=***&sslmode=disable"
        );
        assert_eq!(
            mask("host=h user=a password='x y' dbname=d"),
            "host=h user=a password=*** dbname=d"
        );
    }

    #[test]
    fn short_passwords_are_redacted_where_they_stand_alone() {
        let url = "postgres://a:b@h/d";
        assert_eq!(
            redact("not a database URL: b was refused", Some(url)),
            "not a database URL: *** was refused"
        );
        let url = "postgres://a:s3cretpw@h/d";
        assert_eq!(redact("xs3cretpwx", Some(url)), "x***x");
    }

    #[test]
    fn quoted_key_value_passwords_are_redacted_whole() {
        let url = r"host=h password='it\'s a secret' dbname=d";
        let r = redact("the server said: it's a secret, really", Some(url));
        assert_eq!(r, "the server said: ***, really");
        assert_eq!(redact(url, Some(url)), "host=h password=*** dbname=d");
    }

    #[test]
    fn text_is_redacted() {
        let url = "postgres://app:p%40ss@127.0.0.1:1/db";
        let text = format!("failed for {url}: password p@ss and p%40ss");
        let r = redact(&text, Some(url));
        assert!(!r.contains("p@ss") && !r.contains("p%40ss"), "{r}");
        assert!(r.contains("postgres://app:***@127.0.0.1:1/db"), "{r}");
    }
}
