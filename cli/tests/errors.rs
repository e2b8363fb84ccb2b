//! Every mistake a user makes is one clear `error:` line (with `help:` where there is a fix),
//! a non-zero exit status, never a panic, and never a password.

mod common;

use common::{Project, database};

const SECRET: &str = "hunter2secret";

fn one_migration(p: &Project) {
    p.migration("001", "none", "CREATE TABLE t (id int);", "DROP TABLE t;");
}

/// The first line is `error[code]: …`, a `help:` follows, and the password is nowhere.
#[track_caller]
fn clear(run: &common::Run) {
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error["))
            .count(),
        1,
        "{run:#?}"
    );
    assert!(run.stderr.contains("help: "), "{run:#?}");
    assert!(
        !run.stderr.contains(SECRET) && !run.stdout.contains(SECRET),
        "{run:#?}"
    );
}

#[test]
fn an_unreachable_database_is_one_line_and_no_password() {
    let p = Project::new();
    one_migration(&p);
    let url = format!("postgres://app:{SECRET}@127.0.0.1:1/app");
    for args in [
        &["upgrade"][..],
        &["downgrade", "base"],
        &["current"],
        &["stamp", "head"],
        &["check"],
        &["upgrade", "--dry-run"],
    ] {
        let run = p.db(&url, args).code(4);
        clear(&run);
        assert!(
            run.stderr.contains(
                "error[db-connect-failed]: cannot connect to the database at postgres://app:***@127.0.0.1:1/app: "
            ),
            "{args:?}: {run:#?}"
        );
        assert!(
            run.stderr
                .contains("help: check that the server is running"),
            "{run:#?}"
        );
    }
    // The same from DATABASE_URL, and in key=value form.
    let run = p
        .retort_env(&["current"], &[("DATABASE_URL", &url)])
        .code(4);
    clear(&run);
    let kv = format!("host=127.0.0.1 port=1 user=app password={SECRET} dbname=app");
    let run = p.db(&kv, &["current"]).code(4);
    clear(&run);
    assert!(run.stderr.contains("password=***"), "{run:#?}");
}

#[test]
fn passwords_never_show_even_in_usage_errors() {
    let p = Project::new();
    one_migration(&p);
    let url = format!("postgres://app:{SECRET}@127.0.0.1:1/app");
    for args in [
        vec!["--database-url", &url, "upgrade", "--bogus"],
        vec!["--database-url", &url, "frobnicate"],
        vec!["--database-url", &url, "upgrade", "not!a!target"],
    ] {
        let run = p.retort(&args).code(2);
        assert!(
            !run.stderr.contains(SECRET) && !run.stdout.contains(SECRET),
            "{run:#?}"
        );
    }
    // A malformed URL with a password in it.
    let run = p.db(&format!("postgres://app:{SECRET}@[::1/app"), &["current"]);
    assert_ne!(run.code, 0);
    assert!(!run.stderr.contains(SECRET), "{run:#?}");
}

#[test]
fn a_wrong_database_name_says_so() {
    let db = database();
    let p = Project::new();
    one_migration(&p);
    let url = format!("{}_missing", db.url());
    let run = p.db(&url, &["upgrade"]).code(4);
    clear(&run);
    assert!(run.stderr.contains("does not exist"), "{run:#?}");
    assert_eq!(
        run.stderr
            .lines()
            .filter(|l| l.starts_with("error"))
            .count(),
        1,
        "{run:#?}"
    );
}

#[test]
fn no_database_is_a_usage_error() {
    let p = Project::new();
    one_migration(&p);
    let run = p.retort(&["upgrade"]).code(2);
    clear(&run);
    assert!(run.stderr.contains("--database-url"), "{run:#?}");
    // --sql needs none.
    let run = p.retort(&["upgrade", "--sql"]).ok();
    assert!(run.stdout.contains("CREATE TABLE t (id int);"), "{run:#?}");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let p = Project::new();
    one_migration(&p);
    for args in [
        &["upgrade", "no-such!"][..],
        &["downgrade"],
        &["upgrade", "--sql", "--dry-run"],
        &["revision"],
        &["revision", "-m", "x", "--rev-id", "bad-id"],
        &["history", "-r", "nocolon"],
        &["current", "--format", "yaml"],
    ] {
        let run = p.retort(args).code(2);
        assert!(run.stderr.starts_with("error["), "{args:?}: {run:#?}");
    }
}

#[test]
fn requests_that_cannot_be_done_exit_1() {
    let db = database();
    let p = Project::new();
    one_migration(&p);
    let run = p.db(db.url(), &["upgrade", "999"]).code(1);
    assert!(
        run.stderr
            .starts_with("error[target-not-found]: no revision id is or starts with `999`"),
        "{run:#?}"
    );
    let run = p.retort(&["show", "42"]).code(1);
    assert!(run.stderr.starts_with("error["), "{run:#?}");
    let run = p
        .retort(&["revision", "-m", "x", "--rev-id", "001"])
        .code(1);
    clear(&run);
    // A missing directory.
    let run = p.retort(&["--dir", "nope", "upgrade"]).code(1);
    assert!(
        run.stderr
            .starts_with("error[load-missing-directory]: cannot read the migration directory `nope`: it does not exist"),
        "{run:#?}"
    );
    let run = p.retort(&["--dir", "nope", "revision", "-m", "x"]).code(1);
    clear(&run);
    assert!(run.stderr.contains("retort init nope"), "{run:#?}");
    // Errors in the files stop a database command before it connects.
    p.migration("002", "001", "CREATE TABLE (;", "");
    let run = p.db(db.url(), &["upgrade"]).code(1);
    assert!(run.stderr.contains("migrations/002_m.sql:"), "{run:#?}");
    assert!(
        run.stderr.contains(
            "error[check-failed]: the migrations in migrations have 1 error; nothing was done"
        ),
        "{run:#?}"
    );
    assert!(!common::tables(&db).contains(&"t".to_owned()));
}

#[test]
fn a_failing_migration_names_its_file_and_exits_4() {
    let db = database();
    let p = Project::new();
    one_migration(&p);
    p.migration(
        "002",
        "001",
        "ALTER TABLE t ADD COLUMN x nosuchtype;",
        "ALTER TABLE t DROP COLUMN x;",
    );
    let run = p.db(db.url(), &["upgrade"]).code(4);
    assert!(run.stdout.contains("  applied  001 "), "{run:#?}");
    assert!(run.stderr.starts_with("error[db-migration-failed]: migration `002` failed in statement 1 of its up section: type \"nosuchtype\" does not exist"), "{run:#?}");
    assert!(run.stderr.contains("--> migrations/002_m.sql:"), "{run:#?}");
}

#[test]
fn retort_toml_mistakes_name_file_line_and_key() {
    let p = Project::new();
    one_migration(&p);
    p.file("retort.toml", "dir = \"migrations\"\ntabel = \"x\"\n");
    let run = p.retort(&["heads"]).code(1);
    assert!(
        run.stderr
            .starts_with("error[cli-config]: retort.toml:2: unknown key `tabel`\n"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("help: the keys are `dir`, `table`, `schema`, `lock_timeout`"),
        "{run:#?}"
    );
    p.file("retort.toml", "\nlock_timeout = \"soon\"\n");
    let run = p.retort(&["heads"]).code(1);
    assert!(
        run.stderr
            .starts_with("error[cli-config]: retort.toml:2: bad value for `lock_timeout`"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("help: `lock_timeout` is a whole number of seconds"),
        "{run:#?}"
    );
    p.file("retort.toml", "schema = \"\"\n");
    let run = p.retort(&["heads"]).code(1);
    assert!(
        run.stderr
            .starts_with("error[cli-config]: retort.toml:1: bad value for `schema`"),
        "{run:#?}"
    );
    // A name PostgreSQL would cut short at 63 bytes (and so silently name another table).
    p.file(
        "retort.toml",
        &format!("\ntable = \"{}\"\n", "t".repeat(64)),
    );
    let run = p.retort(&["heads"]).code(1);
    assert!(
        run.stderr
            .starts_with("error[cli-config]: retort.toml:2: bad value for `table`")
            && run
                .stderr
                .contains("longer than PostgreSQL's 63-byte limit"),
        "{run:#?}"
    );
    // Quotes, dots and semicolons are fine: the name is always quoted.
    p.file(
        "retort.toml",
        "table = \"v\\\"; DROP TABLE t; --.x\"\nschema = \"my.schema\"\n",
    );
    let run = p.retort(&["upgrade", "--sql"]).ok();
    assert!(
        run.stdout
            .contains("INSERT INTO \"my.schema\".\"v\"\"; DROP TABLE t; --.x\" "),
        "{run:#?}"
    );
}

#[test]
fn every_command_has_help_with_an_example() {
    let p = Project::new();
    for cmd in [
        "init",
        "revision",
        "upgrade",
        "downgrade",
        "current",
        "history",
        "heads",
        "branches",
        "show",
        "merge",
        "stamp",
        "check",
    ] {
        let run = p.retort(&[cmd, "--help"]).ok();
        assert!(
            run.stdout.contains(&format!("  retort {cmd}")),
            "{cmd}: {run:#?}"
        );
    }
    let run = p.retort(&["check", "--help"]).ok();
    for code in ["0 when", "1 when", "2 for", "3 when", "4 when"] {
        assert!(run.stdout.contains(code), "{run:#?}");
    }
}

#[test]
fn a_password_in_a_working_url_never_shows() {
    let db = database();
    let p = Project::new();
    one_migration(&p);
    // The test server trusts every login, so a password in the URL still connects.
    let url = db
        .url()
        .replacen("postgres@", &format!("postgres:{SECRET}@"), 1);
    assert!(url.contains(SECRET), "{url}");
    p.migration("002", "001", "SELECT 1/0;", "");
    for args in [
        &["upgrade", "001"][..],
        &["current"],
        &["check"],
        &["history", "-i"],
        &["upgrade"],
        &["downgrade", "base", "--dry-run"],
    ] {
        let run = p.db(&url, args);
        assert!(
            !run.stdout.contains(SECRET) && !run.stderr.contains(SECRET),
            "{args:?}: {run:#?}"
        );
    }
}

#[test]
fn a_held_lock_times_out_as_retort_toml_says() {
    let db = database();
    let p = Project::new();
    one_migration(&p);
    p.file("retort.toml", "lock_timeout = 1\n");
    // Another session holds the run's advisory lock.
    let mut holder = db.connect();
    let key: i64 = {
        // The key is derived from the table name; read it from an offline script.
        let script = p.retort(&["upgrade", "--sql"]).ok().stdout;
        let at = script.find("pg_advisory_lock(").unwrap() + "pg_advisory_lock(".len();
        script[at..script[at..].find(')').unwrap() + at]
            .parse()
            .unwrap()
    };
    holder
        .execute("SELECT pg_advisory_lock($1)", &[&key])
        .unwrap();
    let pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    let started = std::time::Instant::now();
    let run = p.db(db.url(), &["upgrade"]).code(4);
    // It waited the whole second before giving up (a lower bound: only a deadlock-sized
    // upper one, so a busy machine does not fail the test).
    let waited = started.elapsed();
    assert!(waited >= std::time::Duration::from_secs(1), "{waited:?}");
    assert!(waited < std::time::Duration::from_secs(60), "{waited:?}");
    assert!(
        run.stderr.starts_with(&format!(
            "error[db-lock-timeout]: another migration run holds the lock on `retort_migrations` (backend pid \
             {pid}"
        )) && run.stderr.contains("; gave up after 1s"),
        "{run:#?}"
    );
    assert!(
        run.stderr
            .contains("help: wait for the other run to finish"),
        "{run:#?}"
    );
    // Nothing ran.
    assert!(!common::tables(&db).contains(&"t".to_owned()), "{run:#?}");
}

#[test]
fn the_flag_wins_over_database_url() {
    let db = database();
    let p = Project::new();
    one_migration(&p);
    let env = [("DATABASE_URL", "postgres://nobody@127.0.0.1:1/nothing")];
    let mut args = vec!["--database-url", db.url(), "upgrade"];
    let run = p.retort_env(&args, &env).ok();
    assert!(run.stdout.contains("  applied  001 "), "{run:#?}");
    args.drain(..2);
    let run = p.retort_env(&args, &env).code(4);
    assert!(run.stderr.contains("127.0.0.1:1/nothing"), "{run:#?}");
}

/// A working connection string for `db` in every form a password can take: in the URL, in
/// the URL percent-encoded, in its query string, and as `key=value` pairs, bare and quoted.
fn urls_with_password(db: &retort_test_support::TestDb) -> Vec<String> {
    let config = db.config();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let name = db.name();
    vec![
        format!("postgres://postgres:{SECRET}@127.0.0.1:{port}/{name}"),
        // `p@ss/hunter2secret:x`, percent-encoded.
        format!("postgres://postgres:p%40ss%2F{SECRET}%3Ax@127.0.0.1:{port}/{name}"),
        format!(
            "postgresql://postgres@127.0.0.1:{port}/{name}?password={SECRET}&connect_timeout=10"
        ),
        format!("host=127.0.0.1 port={port} user=postgres password={SECRET} dbname={name}"),
        format!("host=127.0.0.1 port={port} user=postgres password='a {SECRET} b' dbname={name}"),
    ]
}

#[test]
fn a_password_never_shows_in_any_output() {
    let db = database();
    let p = Project::new();
    one_migration(&p);
    p.migration("002", "001", "SELECT 1/0;", "");
    for url in urls_with_password(&db) {
        // The trust-authenticated server ignores the password: every form connects.
        p.db(&url, &["current"]).ok();
        let runs = [
            (&["upgrade", "001"][..], 0),
            (&["current"], 0),
            (&["current", "--format", "json"], 0),
            (&["check"], 3),
            (&["check", "--format", "json"], 3),
            (&["history", "-i"], 0),
            (&["heads", "--format", "json"], 0),
            (&["upgrade", "--sql"], 0),
            (&["downgrade", "--sql", "001:base"], 0),
            (&["upgrade", "--dry-run"], 4),
            (&["upgrade"], 4),
            (&["downgrade", "base", "--dry-run"], 0),
            (&["stamp", "001"], 0),
            (&["downgrade", "base"], 0),
        ];
        for (args, code) in runs {
            let run = p.db(&url, args).code(code);
            for text in [&run.stdout, &run.stderr] {
                assert!(
                    !text.contains(SECRET) && !text.contains("p@ss") && !text.contains("p%40ss"),
                    "{url}: {args:?}: {run:#?}"
                );
            }
        }
        // The failing migration's error, too, and through DATABASE_URL.
        let run = p
            .retort_env(&["upgrade"], &[("DATABASE_URL", &url)])
            .code(4);
        assert!(run.stderr.contains("division by zero"), "{run:#?}");
        assert!(!run.stderr.contains(SECRET), "{url}: {run:#?}");
        p.db(&url, &["downgrade", "base"]).ok();
    }
}

#[test]
fn a_password_never_shows_when_the_connection_fails() {
    let db = database();
    let p = Project::new();
    one_migration(&p);
    for url in urls_with_password(&db) {
        // The same server, a database that does not exist.
        let missing = url
            .replace(db.name(), "no_such_database")
            .replace("dbname=no_such_database", "dbname='no_such_database'");
        let run = p.db(&missing, &["upgrade"]).code(4);
        clear(&run);
        assert!(run.stderr.contains("does not exist"), "{run:#?}");
        assert!(!run.stderr.contains("p@ss"), "{run:#?}");
        // A port nobody listens on.
        let port = db.config().get_ports()[0].to_string();
        let closed = url.replace(&port, "1");
        let run = p.db(&closed, &["current"]).code(4);
        clear(&run);
        assert!(run.stderr.contains("cannot connect"), "{run:#?}");
    }
}

#[test]
fn statement_lock_timeout_in_retort_toml_reaches_each_migration() {
    let p = Project::new();
    one_migration(&p);
    let script = p.retort(&["upgrade", "--sql"]).ok().stdout;
    assert!(!script.contains("lock_timeout"), "{script}");
    p.file("retort.toml", "statement_lock_timeout = 7\n");
    let script = p.retort(&["upgrade", "--sql"]).ok().stdout;
    assert!(
        script.contains("BEGIN;\nSET LOCAL lock_timeout = '7000ms';\n"),
        "{script}"
    );
    p.file("retort.toml", "statement_lock_timeout = \"7s\"\n");
    let run = p.retort(&["upgrade", "--sql"]).code(1);
    assert!(
        run.stderr
            .contains("retort.toml:1: bad value for `statement_lock_timeout`"),
        "{run:#?}"
    );
}
