//! `retort.toml`: optional settings in the working directory. Flags win over the file, the
//! file over the defaults. An unknown key or a bad value is an error naming the file, the
//! line and the key.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

/// The file's name, looked for in the working directory.
pub const FILE: &str = "retort.toml";

/// What `retort.toml` may say.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    dir: Option<Spanned<String>>,
    table: Option<Spanned<String>>,
    schema: Option<Spanned<String>>,
    lock_timeout: Option<Spanned<u64>>,
    statement_lock_timeout: Option<Spanned<u64>>,
    lock: Option<Spanned<String>>,
    lease_expiry: Option<Spanned<u64>>,
    schema_file: Option<Spanned<String>>,
    environment: Option<Spanned<String>>,
    targets: Option<Vec<Spanned<RawTarget>>>,
    // Read again by `retort_core::lint`, which the build script and the macro share.
    lints: Option<toml::Table>,
}

/// An entry of `targets`: a URL, or a table with the URL and a schema.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawTarget {
    Url(String),
    Table(TargetTable),
}

/// `{ url = "…", schema = "…" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetTable {
    url: String,
    schema: Option<String>,
}

/// The settings, checked.
#[derive(Debug, Default)]
pub struct FileConfig {
    /// The migration directory.
    pub dir: Option<PathBuf>,
    /// The version table's settings.
    pub runtime: retort_runtime::Config,
    /// The desired schema's file.
    pub schema_file: Option<PathBuf>,
    /// The lints' levels (`[lints]`) and whether the runner sets a lock timeout.
    pub lints: retort_core::lint::LintSettings,
    /// The targets of the fleet commands (`targets`), empty when not set.
    pub targets: Vec<crate::targets::Target>,
}

/// Why the file cannot be used: the message and a help line.
#[derive(Debug)]
pub struct ConfigError {
    /// `retort.toml:3: …`.
    pub message: String,
    /// What to do.
    pub help: String,
}

const KEYS: &str = "`dir`, `table`, `schema`, `lock_timeout`, `schema_file`, \
     `statement_lock_timeout`, `lock`, `lease_expiry`, `environment`, `targets`, `[lints]`";

/// Reads `retort.toml` from `cwd` if it is there.
pub fn load(cwd: &Path) -> Result<FileConfig, ConfigError> {
    let path = cwd.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
        Err(e) => Err(ConfigError {
            message: format!("cannot read {FILE}: {e}"),
            help: "make it readable, or remove it to use the defaults".to_owned(),
        }),
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The key written on the line holding `offset` (`key = value`), if any.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let key = line.split('=').next()?.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_owned())
}

fn help_for(key: &str) -> String {
    match key {
        "dir" => "`dir` is the migration directory, a string: `dir = \"db/migrations\"`".to_owned(),
        "table" => "`table` names the version table: `table = \"retort_migrations\"`".to_owned(),
        "schema" => "`schema` is the version table's schema: `schema = \"public\"`".to_owned(),
        "schema_file" => {
            "`schema_file` is the desired schema's file, a string: `schema_file = \"db/schema.sql\"`"
                .to_owned()
        }
        "lock_timeout" => {
            "`lock_timeout` is a whole number of seconds: `lock_timeout = 60`".to_owned()
        }
        "statement_lock_timeout" => "`statement_lock_timeout` is a whole number of seconds, \
             at least 1, that each migration's statements may wait for a lock: \
             `statement_lock_timeout = 5`"
            .to_owned(),
        "lock" => "`lock` is how runs keep each other out: \"advisory\" (a session advisory \
             lock, the default) or \"table\" (a lease row in `<table>_lock`, for poolers in \
             transaction mode and servers without advisory locks): `lock = \"table\"`"
            .to_owned(),
        "lease_expiry" => "`lease_expiry` is a whole number of seconds, at least 1, that a \
             lease of `lock = \"table\"` lasts; longer than the longest run: \
             `lease_expiry = 3600`"
            .to_owned(),
        "targets" => "`targets` is a list of database URLs, each a string or a table with a \
             schema: `targets = [\"postgres://db-1/app\", { url = \"postgres://db-2/app\", \
             schema = \"tenant_42\" }]`"
            .to_owned(),
        _ => format!("the keys are {KEYS}"),
    }
}

/// Parses the text of `retort.toml`.
pub fn parse(text: &str) -> Result<FileConfig, ConfigError> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().to_owned();
        let offset = e.span().map_or(0, |s| s.start);
        let line = line_of(text, offset);
        if let Some(rest) = msg.strip_prefix("unknown field `") {
            let key = rest.split('`').next().unwrap_or_default();
            ConfigError {
                message: format!("{FILE}:{line}: unknown key `{key}`"),
                help: format!("the keys are {KEYS}"),
            }
        } else if let Some(key) = key_at(text, offset).filter(|k| KEYS.contains(&format!("`{k}`")))
        {
            ConfigError {
                message: format!("{FILE}:{line}: bad value for `{key}`: {msg}"),
                help: help_for(&key),
            }
        } else {
            ConfigError {
                message: format!("{FILE}:{line}: {msg}"),
                help: format!("{FILE} is TOML with the keys {KEYS}"),
            }
        }
    })?;
    let bad = |key: &str, span: std::ops::Range<usize>, why: String| ConfigError {
        message: format!(
            "{FILE}:{}: bad value for `{key}`: {why}",
            line_of(text, span.start)
        ),
        help: help_for(key),
    };
    let mut runtime = retort_runtime::Config::new();
    if let Some(t) = raw.table {
        runtime = runtime
            .table(t.get_ref())
            .map_err(|e| bad("table", t.span(), e.to_string()))?;
    }
    if let Some(s) = raw.schema {
        runtime = runtime
            .schema(s.get_ref())
            .map_err(|e| bad("schema", s.span(), e.to_string()))?;
    }
    if let Some(l) = raw.lock_timeout {
        runtime = runtime.lock_timeout(Duration::from_secs(*l.get_ref()));
    }
    if let Some(l) = &raw.statement_lock_timeout {
        // Zero would be PostgreSQL's "no timeout": leaving the key out says that.
        if *l.get_ref() == 0 {
            return Err(bad(
                "statement_lock_timeout",
                l.span(),
                "it is 0 (leave the key out to let statements wait for their locks)".to_owned(),
            ));
        }
        runtime = runtime.statement_lock_timeout(Duration::from_secs(*l.get_ref()));
    }
    if let Some(e) = raw.environment {
        runtime = runtime.environment(e.into_inner());
    }
    if let Some(l) = &raw.lock {
        let strategy = match l.get_ref().as_str() {
            "advisory" => retort_runtime::LockStrategy::Advisory,
            "table" => retort_runtime::LockStrategy::Table,
            other => {
                return Err(bad(
                    "lock",
                    l.span(),
                    format!("`{other}` is neither \"advisory\" nor \"table\""),
                ));
            }
        };
        runtime = runtime.lock_strategy(strategy);
    }
    if let Some(l) = &raw.lease_expiry {
        if *l.get_ref() == 0 {
            return Err(bad(
                "lease_expiry",
                l.span(),
                "it is 0 (a lease must outlast the run)".to_owned(),
            ));
        }
        runtime = runtime.lease_expiry(Duration::from_secs(*l.get_ref()));
    }
    let dir = match raw.dir {
        Some(d) if d.get_ref().is_empty() => {
            return Err(bad("dir", d.span(), "it is empty".to_owned()));
        }
        Some(d) => Some(PathBuf::from(d.into_inner())),
        None => None,
    };
    let schema_file = match raw.schema_file {
        Some(d) if d.get_ref().is_empty() => {
            return Err(bad("schema_file", d.span(), "it is empty".to_owned()));
        }
        Some(d) => Some(PathBuf::from(d.into_inner())),
        None => None,
    };
    let lints = retort_core::lint::LintSettings::from_toml(text).map_err(|e| ConfigError {
        message: format!("{FILE}: {e}"),
        help: "`[lints]` maps a lint's code to \"allow\", \"warn\" or \"deny\": \
               `create-index-blocks-writes = \"deny\"`"
            .to_owned(),
    })?;
    let _ = raw.lints;
    let mut targets: Vec<crate::targets::Target> = Vec::new();
    for entry in raw.targets.unwrap_or_default() {
        let span = entry.span();
        let line = line_of(text, span.start);
        let (url, schema) = match entry.into_inner() {
            RawTarget::Url(u) => (u, None),
            RawTarget::Table(t) => (t.url, t.schema),
        };
        let target = crate::targets::Target::new(&url, schema.as_deref(), format!("{FILE}:{line}"))
            .map_err(|e| ConfigError {
                message: format!("{FILE}:{line}: bad value for `targets`: {}", e.message),
                help: e.help,
            })?;
        let same =
            |t: &crate::targets::Target| t.url() == target.url() && t.schema() == target.schema();
        if let Some(first) = targets.iter().find(|t| same(t)) {
            return Err(ConfigError {
                message: format!(
                    "{FILE}:{line}: bad value for `targets`: {} is listed twice (first at {})",
                    target.label(),
                    first.origin
                ),
                help: "list each database or schema once".to_owned(),
            });
        }
        targets.push(target);
    }
    Ok(FileConfig {
        dir,
        runtime,
        schema_file,
        lints,
        targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read() {
        let c = parse("dir = \"db/m\"\ntable = \"t\"\nschema = \"s\"\nlock_timeout = 5\n").unwrap();
        assert_eq!(c.dir, Some(PathBuf::from("db/m")));
        assert_eq!(c.runtime.display_table(), "s.t");
        assert_eq!(c.runtime.get_lock_timeout(), Duration::from_secs(5));
        assert_eq!(c.runtime.get_statement_lock_timeout(), None);
        let c = parse("statement_lock_timeout = 3\n").unwrap();
        assert_eq!(
            c.runtime.get_statement_lock_timeout(),
            Some(Duration::from_secs(3))
        );
        assert!(parse("").unwrap().dir.is_none());
        let c = parse("schema_file = \"db/schema.sql\"\n").unwrap();
        assert_eq!(c.schema_file, Some(PathBuf::from("db/schema.sql")));
        assert!(parse("schema_file = \"\"\n").is_err());
    }

    #[test]
    fn the_lock_strategy_is_read() {
        use retort_runtime::LockStrategy;
        let c = parse("").unwrap();
        assert_eq!(c.runtime.get_lock_strategy(), LockStrategy::Advisory);
        let c = parse("lock = \"table\"\nlease_expiry = 7200\n").unwrap();
        assert_eq!(c.runtime.get_lock_strategy(), LockStrategy::Table);
        assert_eq!(c.runtime.get_lease_expiry(), Duration::from_secs(7200));
        let c = parse("lock = \"advisory\"\n").unwrap();
        assert_eq!(c.runtime.get_lock_strategy(), LockStrategy::Advisory);
        let e = parse("\nlock = \"row\"\n").unwrap_err();
        assert!(
            e.message
                .starts_with("retort.toml:2: bad value for `lock`: `row` is neither"),
            "{}",
            e.message
        );
        assert!(e.help.contains("\"table\""), "{}", e.help);
        for bad in [
            "lease_expiry = 0\n",
            "lease_expiry = \"1h\"\n",
            "lock = 1\n",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(
                e.message.starts_with("retort.toml:1: bad value for `"),
                "{bad}: {}",
                e.message
            );
        }
    }

    #[test]
    fn targets_are_read() {
        let c = parse(
            "targets = [\n  \"postgres://a:pw@h/db1\",\n  { url = \"postgres://h/db2\", \
             schema = \"t1\" },\n]\n",
        )
        .unwrap();
        assert_eq!(c.targets.len(), 2);
        assert_eq!(c.targets[0].label(), "postgres://a:***@h/db1");
        assert_eq!(c.targets[1].origin, "retort.toml:3");
        assert_eq!(c.targets[1].label(), "postgres://h/db2 schema=t1");
        let e = parse("targets = [\n\"postgres://h/a\",\n\"mysql://a:pw@h/b\"]\n").unwrap_err();
        assert!(
            e.message
                .starts_with("retort.toml:3: bad value for `targets`: `mysql://a:***@h/b`"),
            "{e:?}"
        );
        let e = parse("targets = [\"postgres://h/a\", \"postgres://h/a\"]\n").unwrap_err();
        assert!(e.message.contains("listed twice"), "{e:?}");
        let e = parse("targets = \"postgres://h/a\"\n").unwrap_err();
        assert!(
            e.message
                .starts_with("retort.toml:1: bad value for `targets`"),
            "{e:?}"
        );
        assert!(e.help.contains("list of database URLs"), "{e:?}");
    }

    #[test]
    fn errors_name_line_and_key() {
        let e = parse("dir = \"m\"\ntabel = \"t\"\n").unwrap_err();
        assert_eq!(e.message, "retort.toml:2: unknown key `tabel`");
        let e = parse("\n\nlock_timeout = \"soon\"\n").unwrap_err();
        assert!(
            e.message
                .starts_with("retort.toml:3: bad value for `lock_timeout`"),
            "{e:?}"
        );
        for bad in [
            "statement_lock_timeout = \"5s\"\n",
            "statement_lock_timeout = -1\n",
            "statement_lock_timeout = 0\n",
            "statement_lock_timeout = 1.5\n",
        ] {
            let e = parse(bad).unwrap_err();
            assert!(
                e.message
                    .starts_with("retort.toml:1: bad value for `statement_lock_timeout`"),
                "{bad}: {e:?}"
            );
            assert!(e.help.contains("whole number of seconds"), "{e:?}");
        }
        let e = parse("table = \"\"\n").unwrap_err();
        assert!(
            e.message
                .starts_with("retort.toml:1: bad value for `table`"),
            "{e:?}"
        );
        let e = parse("dir = \n").unwrap_err();
        assert!(e.message.starts_with("retort.toml:1"), "{e:?}");
    }
}
