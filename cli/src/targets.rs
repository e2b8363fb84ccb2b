//! The targets of a fleet run (`--targets FILE`, `targets = [...]` in retort.toml): one
//! database, or one schema of a database, per target.
//!
//! A targets file holds one database URL a line; `#` starts a comment (at the start of a
//! line, or after the URL and a space); blank lines are ignored. A line may add
//! `schema = "NAME"` after the URL: the target is then that schema, which its connection puts
//! first on the `search_path` and where its version table lives. A URL's own
//! `options=-csearch_path%3DNAME` says the same. A bad line is an error located at its line
//! and column; the text shown never holds a password.

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use retort_core::codes::Code;
use retort_core::diagnostic::Diagnostic;
use retort_core::source::Sources;
use retort_runtime::Ident;

use crate::url;

/// One database, or one schema of one, that a fleet command runs on.
#[derive(Clone, Debug)]
pub struct Target {
    /// The URL as written (it may hold a password: never print it).
    url: String,
    /// The schema the target is, from `schema = "…"` or the URL's `search_path`.
    schema: Option<Ident>,
    /// Whether the schema was given by `schema = "…"` (then the connection's options get it).
    schema_added: bool,
    /// Where it was written: `targets.txt:3`, `retort.toml:7`.
    pub origin: String,
}

/// Why a target cannot be used: the message, the help, and the byte range in its line or
/// entry the message is about (relative to the URL's start when `in_url`).
#[derive(Debug)]
pub struct TargetError {
    /// What is wrong (no password in it).
    pub message: String,
    /// What to write instead.
    pub help: String,
    /// Where, in the text after the URL (`None`: the URL itself).
    pub after_url: Option<std::ops::Range<usize>>,
}

const LINE_HELP: &str = "one target a line: postgres://USER:PASSWORD@HOST:PORT/DATABASE, \
     optionally followed by schema = \"NAME\"; `#` starts a comment";

impl Target {
    /// A target from its URL and, optionally, its schema.
    pub fn new(url: &str, schema: Option<&str>, origin: String) -> Result<Target, TargetError> {
        let url_error = |message: String, help: &str| TargetError {
            message,
            help: help.to_owned(),
            after_url: None,
        };
        let masked = url::mask(url);
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(url_error(
                format!("`{masked}` is not a database URL"),
                LINE_HELP,
            ));
        }
        let config: postgres::Config = url.parse().map_err(|e: postgres::Error| {
            url_error(
                format!(
                    "`{masked}` is not a database URL: {}",
                    url::redact(&e.to_string(), Some(url))
                ),
                "write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE",
            )
        })?;
        let in_url = match config.get_options().and_then(search_path) {
            Some(path) => first_schema(&path).map_err(|why| {
                url_error(
                    format!("`{masked}`: its search_path {why}"),
                    "name the target's schema first: options=-csearch_path%3Dtenant_42",
                )
            })?,
            None => None,
        };
        let given = match schema {
            Some(s) => Some(Ident::new(s).map_err(|e| {
                TargetError {
                    message: format!("bad schema: {e}"),
                    help:
                        "write the schema's name as it is in the database: schema = \"tenant_42\""
                            .to_owned(),
                    after_url: Some(0..0),
                }
            })?),
            None => None,
        };
        let (schema, schema_added) = match (given, in_url) {
            (Some(g), Some(u)) if g != u => {
                return Err(TargetError {
                    message: format!(
                        "schema `{}` differs from the URL's search_path, which starts with `{}`",
                        g.as_str(),
                        u.as_str()
                    ),
                    help: "name the schema once: either `schema = \"…\"` or the URL's \
                           options=-csearch_path%3D…"
                        .to_owned(),
                    after_url: Some(0..0),
                });
            }
            (Some(g), Some(_)) => (Some(g), false),
            (Some(g), None) => (Some(g), true),
            (None, u) => (u, false),
        };
        Ok(Target {
            url: url.to_owned(),
            schema,
            schema_added,
            origin,
        })
    }

    /// The URL as written: secret, for connecting and redacting only.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The target's schema, if it is one.
    pub fn schema(&self) -> Option<&Ident> {
        self.schema.as_ref()
    }

    /// How the target is shown: its URL with the password masked, and its schema when the
    /// URL does not say it.
    pub fn label(&self) -> String {
        let masked = url::mask(&self.url);
        match (&self.schema, self.schema_added) {
            (Some(s), true) => format!("{masked} schema={}", s.as_str()),
            _ => masked,
        }
    }

    /// The connection settings: the URL's, with the schema first on the `search_path` of this
    /// connection alone, a connect timeout (10 s unless the URL sets one) and
    /// `application_name` `retort` unless the URL sets one.
    pub fn connect_config(&self) -> Result<postgres::Config, postgres::Error> {
        let mut config: postgres::Config = self.url.parse()?;
        if let (Some(s), true) = (&self.schema, self.schema_added) {
            let setting = format!("-c search_path={}", escape_option(&s.quoted()));
            let options = match config.get_options() {
                Some(o) if !o.trim().is_empty() => format!("{o} {setting}"),
                _ => setting,
            };
            config.options(&options);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("retort");
        }
        Ok(config)
    }

    /// The runtime's settings for this target: `base`, with the version table in the
    /// target's schema when it is one (which also gives the schema a lock of its own).
    pub fn runtime_config(&self, base: &retort_runtime::Config) -> retort_runtime::Config {
        match &self.schema {
            Some(s) => base
                .clone()
                .schema(s.as_str())
                .unwrap_or_else(|_| base.clone()),
            None => base.clone(),
        }
    }

    /// What makes two targets the same: the URL and the schema.
    fn key(&self) -> (String, Option<String>) {
        (
            self.url.clone(),
            self.schema.as_ref().map(|s| s.as_str().to_owned()),
        )
    }
}

/// A backslash before each space and backslash, as PostgreSQL's `options` reads them.
fn escape_option(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == ' ' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The value of `search_path` in a connection's `options` (`-c search_path=…`,
/// `-csearch_path=…` or `--search_path=…`; the last one wins).
fn search_path(options: &str) -> Option<String> {
    // Split as PostgreSQL does: on unescaped whitespace, a backslash escaping the next
    // character.
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = options.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => word.extend(chars.next()),
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    let mut found = None;
    let mut i = 0;
    while i < words.len() {
        let setting = if words[i] == "-c" {
            i += 1;
            words.get(i).map(String::as_str)
        } else {
            words[i]
                .strip_prefix("-c")
                .or_else(|| words[i].strip_prefix("--"))
        };
        if let Some((name, value)) = setting.and_then(|s| s.split_once('='))
            && name
                .trim()
                .replace('-', "_")
                .eq_ignore_ascii_case("search_path")
        {
            found = Some(value.to_owned());
        }
        i += 1;
    }
    found
}

/// The first schema of a `search_path` value (`"Tenant 1", public` → `Tenant 1`), or `None`
/// for `$user` or an empty path.
fn first_schema(path: &str) -> Result<Option<Ident>, String> {
    let path = path.trim();
    let name = if let Some(quoted) = path.strip_prefix('"') {
        let mut name = String::new();
        let mut chars = quoted.chars().peekable();
        loop {
            match chars.next() {
                Some('"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    name.push('"');
                }
                Some('"') => break,
                Some(c) => name.push(c),
                None => return Err("has an unterminated quote".to_owned()),
            }
        }
        name
    } else {
        let first = path.split(',').next().unwrap_or_default().trim();
        if first.is_empty() || first == "$user" {
            return Ok(None);
        }
        first.to_lowercase()
    };
    Ident::new(&name).map(Some).map_err(|e| e.to_string())
}

/// A problem in a targets file, rendered as `error[cli-bad-target]` at its line and column.
#[derive(Debug)]
pub struct FileError {
    /// The rendered diagnostic (passwords masked).
    pub text: String,
}

/// Reads the targets file at `path` (shown as `display`).
pub fn read_file(path: &Path, display: &str) -> Result<Vec<Target>, FileError> {
    let text = std::fs::read_to_string(path).map_err(|e| FileError {
        text: Diagnostic::error(
            Code::CliBadTarget,
            format!("cannot read the targets file `{display}`: {e}"),
        )
        .with_help("pass `--targets` a readable file with one database URL a line")
        .render(&Sources::new()),
    })?;
    parse_file(&text, display)
}

/// Parses the text of a targets file.
pub fn parse_file(text: &str, display: &str) -> Result<Vec<Target>, FileError> {
    // The text shown in diagnostics: every URL masked, so that a located error never shows
    // a password. Positions are taken in it.
    let masked: Vec<String> = text
        .lines()
        .map(|line| {
            let start = line.len() - line.trim_start().len();
            let end = line[start..]
                .find(char::is_whitespace)
                .map_or(line.len(), |i| start + i);
            if line[start..].starts_with('#') || start == end {
                line.to_owned()
            } else {
                format!(
                    "{}{}{}",
                    &line[..start],
                    url::mask(&line[start..end]),
                    &line[end..]
                )
            }
        })
        .collect();
    let shown = masked.join("\n");
    let mut sources = Sources::new();
    let file = sources.add(display, &shown);
    let mut line_start = 0;
    let mut targets: Vec<Target> = Vec::new();
    let mut seen: HashMap<(String, Option<String>), usize> = HashMap::new();
    let mut errors: Vec<Diagnostic> = Vec::new();
    for (n, (line, shown_line)) in text.lines().zip(&masked).enumerate() {
        let at = line_start;
        line_start += shown_line.len() + 1;
        let lead = line.len() - line.trim_start().len();
        let rest = &line[lead..];
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        let url_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let url_text = &rest[..url_end];
        // Where the text after the URL starts, in the shown line.
        let shown_url_len = url::mask(url_text).len();
        let tail_at = at + lead + shown_url_len;
        let tail = &rest[url_end..];
        let located = |range: std::ops::Range<usize>, message: String, help: String| {
            Diagnostic::error(Code::CliBadTarget, message)
                .at(file, range, "here")
                .with_help(help)
        };
        let schema = match parse_tail(tail) {
            Ok(s) => s,
            Err((range, message)) => {
                errors.push(located(
                    tail_at + range.start..tail_at + range.end,
                    message,
                    LINE_HELP.to_owned(),
                ));
                continue;
            }
        };
        let origin = format!("{display}:{}", n + 1);
        match Target::new(url_text, schema.as_ref().map(|(s, _)| s.as_str()), origin) {
            Ok(t) => match seen.get(&t.key()) {
                Some(first) => errors.push(located(
                    at + lead..at + lead + shown_url_len,
                    format!("this target is already on line {first}"),
                    "list each database or schema once".to_owned(),
                )),
                None => {
                    seen.insert(t.key(), n + 1);
                    targets.push(t);
                }
            },
            Err(e) => {
                let range = match (e.after_url, &schema) {
                    (Some(_), Some((_, r))) => tail_at + r.start..tail_at + r.end,
                    _ => at + lead..at + lead + shown_url_len,
                };
                errors.push(located(range, e.message, e.help));
            }
        }
    }
    if errors.is_empty() && targets.is_empty() {
        errors.push(
            Diagnostic::error(
                Code::CliBadTarget,
                format!("the targets file `{display}` lists no target"),
            )
            .with_help(LINE_HELP),
        );
    }
    if errors.is_empty() {
        Ok(targets)
    } else {
        let text = errors
            .iter()
            .map(|d| d.render(&sources))
            .collect::<Vec<_>>()
            .join("\n\n");
        Err(FileError { text })
    }
}

/// What follows the URL on a line: nothing, a comment, or `schema = "NAME"` (and a comment).
/// Gives the schema and its range in `tail`, or the range of the problem and the message.
#[allow(clippy::type_complexity)]
fn parse_tail(
    tail: &str,
) -> Result<Option<(String, std::ops::Range<usize>)>, (std::ops::Range<usize>, String)> {
    let skip = |s: &str, from: usize| from + (s[from..].len() - s[from..].trim_start().len());
    let i = skip(tail, 0);
    if i == tail.len() || tail[i..].starts_with('#') {
        return Ok(None);
    }
    let word_end = tail[i..]
        .find(|c: char| c.is_whitespace() || c == '=')
        .map_or(tail.len(), |j| i + j);
    let word = &tail[i..word_end];
    if word != "schema" {
        return Err((
            i..word_end,
            format!("unexpected `{word}` after the URL (the only key is `schema`)"),
        ));
    }
    let j = skip(tail, word_end);
    if !tail[j..].starts_with('=') {
        return Err((j..j + 1, "expected `=` after `schema`".to_owned()));
    }
    let k = skip(tail, j + 1);
    let Some(quoted) = tail[k..].strip_prefix('"') else {
        let end = tail[k..]
            .find(char::is_whitespace)
            .map_or(tail.len(), |e| k + e);
        return Err((
            k..end.max(k + 1).min(tail.len().max(k + 1)),
            "the schema's name is written in double quotes: schema = \"tenant_42\"".to_owned(),
        ));
    };
    let Some(close) = quoted.find('"') else {
        return Err((
            k..tail.len(),
            "the schema's name has no closing quote".to_owned(),
        ));
    };
    let name = &quoted[..close];
    let after = k + 1 + close + 1;
    let m = skip(tail, after);
    if m < tail.len() && !tail[m..].starts_with('#') {
        return Err((
            m..tail.len(),
            "unexpected text after the schema's name".to_owned(),
        ));
    }
    Ok(Some((name.to_owned(), k..after)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_comments_and_schemas_are_read() {
        let text = "# the fleet\n\npostgres://app:pw@h/db1\n  postgres://h/db2   # second\n\
                    postgres://h/db3 schema = \"tenant_42\"\n\
                    postgres://h/db3?options=-csearch_path%3Dtenant_7\n\
                    postgres://h/db3 schema=\"Tenant 9\" # quoted\n";
        let t = parse_file(text, "targets.txt").unwrap();
        assert_eq!(t.len(), 5);
        assert_eq!(t[0].label(), "postgres://app:***@h/db1");
        assert_eq!(t[0].origin, "targets.txt:3");
        assert_eq!(t[1].schema(), None);
        assert_eq!(t[2].schema().map(Ident::as_str), Some("tenant_42"));
        assert_eq!(t[2].label(), "postgres://h/db3 schema=tenant_42");
        assert_eq!(t[3].schema().map(Ident::as_str), Some("tenant_7"));
        assert_eq!(
            t[3].label(),
            "postgres://h/db3?options=-csearch_path%3Dtenant_7"
        );
        let c = t[4].connect_config().unwrap();
        assert_eq!(c.get_options(), Some("-c search_path=\"Tenant\\ 9\""));
        assert_eq!(c.get_application_name(), Some("retort"));
        let rc = t[4].runtime_config(&retort_runtime::Config::new());
        assert_eq!(rc.display_table(), "Tenant 9.retort_migrations");
    }

    #[test]
    fn search_paths_in_options() {
        assert_eq!(search_path("-csearch_path=a").as_deref(), Some("a"));
        assert_eq!(
            search_path("-c statement_timeout=5 -c search_path=b,public").as_deref(),
            Some("b,public")
        );
        assert_eq!(search_path("--search-path=c").as_deref(), Some("c"));
        assert_eq!(search_path("-c geqo=off"), None);
        assert_eq!(
            first_schema("\"My \"\"T\"\"\", x")
                .unwrap()
                .unwrap()
                .as_str(),
            "My \"T\""
        );
        assert_eq!(
            first_schema("Tenant, public").unwrap().unwrap().as_str(),
            "tenant"
        );
        assert_eq!(first_schema("$user, public").unwrap(), None);
        assert!(first_schema("\"open").is_err());
    }

    #[test]
    fn bad_lines_are_located_without_passwords() {
        let e = parse_file("postgres://a:s3cretpw@h/db\nmysql://h/db\n", "t.txt").unwrap_err();
        assert!(e.text.starts_with("error[cli-bad-target]"), "{}", e.text);
        assert!(e.text.contains("t.txt:2:1"), "{}", e.text);
        assert!(e.text.contains("help:"), "{}", e.text);
        let e = parse_file("postgres://a:s3cretpw@h/db  tenant\n", "t.txt").unwrap_err();
        assert!(e.text.contains("t.txt:1:24"), "{}", e.text);
        assert!(e.text.contains("unexpected `tenant`"), "{}", e.text);
        assert!(!e.text.contains("s3cretpw"), "{}", e.text);
        let e = parse_file("postgres://h/db schema = tenant\n", "t.txt").unwrap_err();
        assert!(e.text.contains("t.txt:1:26"), "{}", e.text);
        let e = parse_file("postgres://h/db schema = \"\"\n", "t.txt").unwrap_err();
        assert!(e.text.contains("bad schema"), "{}", e.text);
        let e = parse_file(
            "postgres://h/db?options=-csearch_path%3Da schema = \"b\"\n",
            "t.txt",
        )
        .unwrap_err();
        assert!(
            e.text.contains("differs from the URL's search_path"),
            "{}",
            e.text
        );
        let e = parse_file("postgres://h/a\npostgres://h/a\n", "t.txt").unwrap_err();
        assert!(
            e.text.contains("t.txt:2:1") && e.text.contains("line 1"),
            "{}",
            e.text
        );
        let e = parse_file("# nothing\n\n", "t.txt").unwrap_err();
        assert!(e.text.contains("lists no target"), "{}", e.text);
        let e = parse_file("postgres://h:notaport/db\n", "t.txt").unwrap_err();
        assert!(e.text.contains("is not a database URL"), "{}", e.text);
    }
}
