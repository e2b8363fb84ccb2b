//! What the end-to-end tests share: a project directory, running the built binary (to its
//! end, or in the background to wait for or kill), reading a database's catalog.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A project directory under the system's temporary directory, removed on drop.
pub struct Project {
    pub root: PathBuf,
}

/// What one run of `retort` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts the exit code, showing everything when it is another.
    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        assert_eq!(self.code, code, "{self:#?}");
        self
    }

    /// Asserts exit code 0.
    #[track_caller]
    pub fn ok(self) -> Run {
        self.code(0)
    }

    /// Waits for a run started with [`Project::spawn`]: a process killed by a signal has
    /// code -1, and output that is not UTF-8 (cut by the kill) is read lossily.
    pub fn of(child: Child) -> Run {
        let out = child
            .wait_with_output()
            .expect("the retort process is waited for");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Project {
    pub fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let root = std::env::temp_dir().join(format!(
            "retort-e2e-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        Project { root }
    }

    /// Writes `text` to `path`, relative to the project.
    pub fn file(&self, path: &str, text: &str) -> &Self {
        let path = self.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Writes `migrations/<name>`.
    pub fn migration_file(&self, name: &str, text: &str) -> &Self {
        self.file(&format!("migrations/{name}"), text)
    }

    /// Writes `migrations/<rev>_m.sql`.
    pub fn migration(&self, rev: &str, down: &str, up: &str, down_sql: &str) -> &Self {
        self.file(
            &format!("migrations/{rev}_m.sql"),
            &format!(
                "-- revision: {rev}\n-- down_revision: {down}\n-- message: Migration {rev}\n\n\
                 -- migrate:up\n{up}\n\n-- migrate:down\n{down_sql}\n"
            ),
        )
    }

    /// Replaces the sections of a file written by `retort revision` or `init`.
    pub fn fill(&self, path: &str, up: &str, down: &str) {
        let path = self.root.join(path.trim());
        let text = std::fs::read_to_string(&path).unwrap();
        let at = text.find("-- migrate:up").expect("a template");
        let filled = format!(
            "{}-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n",
            &text[..at]
        );
        std::fs::write(path, filled).unwrap();
    }

    /// Runs `retort ARGS` in the project directory.
    pub fn retort(&self, args: &[&str]) -> Run {
        self.retort_env(args, &[])
    }

    /// `retort ARGS` in the project directory, not started: the built binary, with no
    /// `DATABASE_URL` or `NO_COLOR` from the caller's environment, and a backtrace asked for
    /// (so that a panic would show, and fail the checks of [`Project::retort`]).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_retort"));
        cmd.args(args)
            .current_dir(&self.root)
            .env("RUST_BACKTRACE", "1")
            .env_remove("DATABASE_URL")
            .env_remove("NO_COLOR");
        cmd
    }

    /// Starts `retort ARGS` in the background, its output piped: wait for it with
    /// [`Run::of`], after killing it or not.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the retort binary runs")
    }

    /// Runs `retort ARGS` with extra environment variables.
    pub fn retort_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let output = cmd.output().expect("the retort binary runs");
        let run = Run {
            code: output.status.code().expect("retort exits, not killed"),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        };
        for text in [&run.stdout, &run.stderr] {
            assert!(
                !text.contains("panicked") && !text.contains("backtrace"),
                "{run:#?}"
            );
            // Never a terminal here: no colour, no progress line.
            assert!(!text.contains('\x1b'), "{run:#?}");
        }
        run
    }

    /// Runs `retort --database-url URL ARGS`.
    pub fn db(&self, url: &str, args: &[&str]) -> Run {
        let mut all = vec!["--database-url", url];
        all.extend_from_slice(args);
        self.retort(&all)
    }

    /// `p`, relative to the project.
    pub fn path(&self, p: &str) -> PathBuf {
        self.root.join(p)
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A fresh database.
pub fn database() -> retort_test_support::TestDb {
    retort_test_support::database().expect("a test database")
}

/// The schema as the catalogs say: columns, constraints, indexes, and the version table's
/// rows (without times). The head cache's table is left out: an online upgrade to the head
/// makes it, an offline script does not, and the two are compared.
pub fn catalog(db: &retort_test_support::TestDb) -> Vec<String> {
    let mut client = db.connect();
    let mut out = Vec::new();
    for (what, sql) in [
        (
            "column",
            "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable \
             || ' ' || coalesce(column_default, '') FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> 'retort_migrations_head' ORDER BY 1",
        ),
        (
            "constraint",
            "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE connamespace = 'public'::regnamespace \
             AND conrelid::regclass::text <> 'retort_migrations_head' ORDER BY 1",
        ),
        (
            "index",
            "SELECT indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = 'public' \
             AND tablename <> 'retort_migrations_head' ORDER BY 1",
        ),
    ] {
        for row in client.query(sql, &[]).unwrap() {
            out.push(format!("{what} {}", row.get::<_, String>(0)));
        }
    }
    let exists: bool = client
        .query_one("SELECT to_regclass('retort_migrations') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    if exists {
        for row in client
            .query(
                "SELECT revision || ' ' || array_to_string(down_revisions, ',') || ' ' || checksum \
                 || ' ' || state || ' ' || coalesce(down_sql, '') FROM retort_migrations ORDER BY seq",
                &[],
            )
            .unwrap()
        {
            out.push(format!("row {}", row.get::<_, String>(0)));
        }
    }
    out
}

/// The user tables of the public schema, sorted; the head cache's table, which every
/// upgrade to the head makes beside the version table, left out.
pub fn tables(db: &retort_test_support::TestDb) -> Vec<String> {
    db.connect()
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' \
             AND tablename <> 'retort_migrations_head' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// Applies a script with psql, stopping at the first error.
pub fn psql(db: &retort_test_support::TestDb, script: &str) {
    let out = db.psql_script(script).expect("psql runs");
    assert!(
        out.status.success(),
        "psql failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        script
    );
}

/// Whether `p` exists.
pub fn exists(p: &Path) -> bool {
    p.exists()
}
