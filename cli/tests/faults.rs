//! Reliability under faults: `retort upgrade` killed with SIGKILL at random moments, and the
//! server ending the runner's session in the middle of a migration. After each fault the
//! database must say no more than what was done (a transactional migration whole or not at
//! all, a non-transactional one recorded as started before its first statement and applied
//! after its last), an interrupted migration must block later runs with a message naming it
//! until a person resolves it, and the end state must equal that of a clean upgrade.
//!
//! Short variants run in `cargo test`; `RETORT_LONG_TESTS=1` runs the same code with bigger
//! counts. (Lock contention through `retort.toml`'s `lock_timeout` is in `errors.rs`.)

mod common;

use std::process::Child;
use std::time::{Duration, Instant};

use common::{Project, Run, catalog, database};
use retort_test_support::TestDb;

/// Whether the long variants were asked for.
fn long() -> bool {
    std::env::var("RETORT_LONG_TESTS").is_ok_and(|v| v == "1")
}

/// SplitMix64: small, deterministic, good enough to spread kills.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One observable effect of one statement.
#[derive(Clone, Debug)]
enum Effect {
    /// A table with this many rows.
    Table(String, i64),
    /// A valid index.
    Index(String),
    /// A row in `log`.
    Log(String),
}

/// What the database shows of an effect.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Seen {
    Present,
    Absent,
    /// An index left invalid by an interrupted `CREATE INDEX CONCURRENTLY`, or a table with
    /// other than its rows: something half-done.
    Partial,
}

/// One migration of the crash corpus: its statements (one effect each for non-transactional
/// ones; transactional ones list all their effects, statements being all-or-nothing).
struct Mig {
    rev: String,
    parent: String,
    transactional: bool,
    statements: Vec<String>,
    effects: Vec<Effect>,
}

const ROWS: i64 = 3000;

/// The crash corpus: 56 migrations, one in four non-transactional (two or three
/// `CREATE INDEX CONCURRENTLY` and a `log` row, one statement each), the others
/// transactional (a table, its rows, an index, a `log` row).
fn corpus() -> Vec<Mig> {
    let mut out = Vec::new();
    for i in 1..=56usize {
        let rev = format!("{i:03}");
        let parent = if i == 1 {
            "none".to_owned()
        } else {
            format!("{:03}", i - 1)
        };
        let log = format!("INSERT INTO log (rev) VALUES ('{rev}')");
        let m = if i == 1 {
            Mig {
                rev: rev.clone(),
                parent,
                transactional: true,
                statements: vec![
                    "CREATE TABLE log (rev text PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())"
                        .to_owned(),
                    log,
                ],
                effects: vec![Effect::Log(rev)],
            }
        } else if i % 4 == 0 {
            // Over the previous migration's table (i - 1 is never a multiple of 4).
            let t = format!("t{:03}", i - 1);
            let mut statements = Vec::new();
            let mut effects = Vec::new();
            let cols = ["v, id", "id, v", "(length(v)), id"];
            let n = if i % 8 == 0 { 3 } else { 2 };
            for (k, cols) in cols.iter().enumerate().take(n) {
                let name = format!("c{i:03}_{k}");
                statements.push(format!("CREATE INDEX CONCURRENTLY {name} ON {t} ({cols})"));
                effects.push(Effect::Index(name));
            }
            statements.push(log);
            effects.push(Effect::Log(rev.clone()));
            Mig {
                rev,
                parent,
                transactional: false,
                statements,
                effects,
            }
        } else {
            let t = format!("t{i:03}");
            Mig {
                rev: rev.clone(),
                parent,
                transactional: true,
                statements: vec![
                    format!("CREATE TABLE {t} (id int PRIMARY KEY, v text NOT NULL)"),
                    format!(
                        "INSERT INTO {t} SELECT g, md5(g::text) FROM generate_series(1, {ROWS}) g"
                    ),
                    format!("CREATE INDEX {t}_v ON {t} (v)"),
                    log,
                ],
                effects: vec![
                    Effect::Table(t.clone(), ROWS),
                    Effect::Index(format!("{t}_v")),
                    Effect::Log(rev),
                ],
            }
        };
        out.push(m);
    }
    out
}

/// The down section of a migration (never run here, but every file has one).
fn down_sql(m: &Mig) -> String {
    let mut out = Vec::new();
    for e in m.effects.iter().rev() {
        match e {
            Effect::Table(t, _) => out.push(format!("DROP TABLE {t};")),
            Effect::Index(i) if !m.transactional => {
                out.push(format!("DROP INDEX CONCURRENTLY {i};"))
            }
            Effect::Index(_) => {}
            Effect::Log(_) if m.rev == "001" => out.push("DROP TABLE log;".to_owned()),
            Effect::Log(r) => out.push(format!("DELETE FROM log WHERE rev = '{r}';")),
        }
    }
    out.join("\n")
}

fn write_corpus(p: &Project, migs: &[Mig]) {
    for m in migs {
        let header = if m.transactional {
            ""
        } else {
            "-- transaction: false\n"
        };
        let up: Vec<String> = m.statements.iter().map(|s| format!("{s};")).collect();
        p.file(
            &format!("migrations/{}_m.sql", m.rev),
            &format!(
                "-- revision: {}\n-- down_revision: {}\n-- message: Migration {}\n{header}\n\
                 -- migrate:up\n{}\n\n-- migrate:down\n{}\n",
                m.rev,
                m.parent,
                m.rev,
                up.join("\n"),
                down_sql(m)
            ),
        );
    }
}

fn seen(c: &mut postgres::Client, e: &Effect) -> Seen {
    match e {
        Effect::Table(t, n) => {
            let exists: bool = c
                .query_one("SELECT to_regclass($1) IS NOT NULL", &[t])
                .unwrap()
                .get(0);
            if !exists {
                return Seen::Absent;
            }
            let got: i64 = c
                .query_one(&format!("SELECT count(*) FROM {t}"), &[])
                .unwrap()
                .get(0);
            if got == *n {
                Seen::Present
            } else {
                Seen::Partial
            }
        }
        Effect::Index(i) => {
            let row = c
                .query_opt(
                    "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)",
                    &[i],
                )
                .unwrap();
            match row.map(|r| r.get::<_, bool>(0)) {
                None => Seen::Absent,
                Some(true) => Seen::Present,
                Some(false) => Seen::Partial,
            }
        }
        Effect::Log(r) => {
            let log: bool = c
                .query_one("SELECT to_regclass('log') IS NOT NULL", &[])
                .unwrap()
                .get(0);
            if !log {
                return Seen::Absent;
            }
            let n: i64 = c
                .query_one("SELECT count(*) FROM log WHERE rev = $1", &[r])
                .unwrap()
                .get(0);
            if n == 1 { Seen::Present } else { Seen::Absent }
        }
    }
}

/// The version table's rows: revision, state, statements done (empty when no table).
fn rows(c: &mut postgres::Client) -> Vec<(String, String, i32)> {
    let exists: bool = c
        .query_one("SELECT to_regclass('retort_migrations') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    if !exists {
        return Vec::new();
    }
    c.query(
        "SELECT revision, state, statements_done FROM retort_migrations ORDER BY seq",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

/// Asserts the version table's rows: (revision, state, statements done).
#[track_caller]
fn assert_rows(c: &mut postgres::Client, expected: &[(&str, &str, i32)], what: &str) {
    let expected: Vec<(String, String, i32)> = expected
        .iter()
        .map(|(r, s, n)| ((*r).to_owned(), (*s).to_owned(), *n))
        .collect();
    assert_eq!(rows(c), expected, "{what}");
}

/// How many `error` lines a run printed.
fn error_lines(run: &Run) -> usize {
    run.stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .count()
}

/// The other client sessions on this database (the runner's, a killed runner's lingering).
fn other_backends(c: &mut postgres::Client) -> Vec<(i32, Option<String>, String, bool)> {
    c.query(
        "SELECT pid, state, query, \
                state = 'idle in transaction' OR query ILIKE 'BEGIN%' \
                OR (xact_start IS NOT NULL AND xact_start < query_start) \
         FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid() \
           AND backend_type = 'client backend'",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect()
}

/// Waits until no other client session is left on the database; returns how long it took.
fn wait_alone(c: &mut postgres::Client, limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if other_backends(c).is_empty() {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "a killed runner's session is still there after {limit:?}: {:?}",
            other_backends(c)
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn advisory_locks(c: &mut postgres::Client) -> i64 {
    c.query_one(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' \
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        &[],
    )
    .unwrap()
    .get(0)
}

fn spawn_upgrade(p: &Project, url: &str) -> Child {
    spawn_retort(p, url, &["upgrade"])
}

fn spawn_retort(p: &Project, url: &str, args: &[&str]) -> Child {
    let mut all = vec!["--database-url", url];
    all.extend_from_slice(args);
    p.spawn(&all)
}

/// When each migration ran in a clean run, from the process's start: (index, from, to).
fn timeline(db: &TestDb, spawned: std::time::SystemTime) -> Vec<(usize, Duration, Duration)> {
    let t0 = spawned
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    // A transactional row is inserted after its SQL ran, a non-transactional one before.
    db.connect()
        .query(
            "SELECT (seq - 1)::int8, extract(epoch FROM applied_at)::float8, \
                    coalesce(duration_ms, 0) / 1e3, transactional \
             FROM retort_migrations ORDER BY seq",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            let (at, took) = (r.get::<_, f64>(1) - t0, r.get::<_, f64>(2));
            let from = if r.get(3) { at - took } else { at };
            (
                r.get::<_, i64>(0) as usize,
                Duration::from_secs_f64(from.max(0.0)),
                Duration::from_secs_f64((from + took).max(0.0)),
            )
        })
        .collect()
}

/// Where a kill landed.
#[derive(Default, Debug)]
struct Landed {
    outside: usize,
    /// Of those, the statement under way at the kill: ran to its end anyway (the server had
    /// not noticed the client was gone), left half-done (an invalid index), not run, or none
    /// (all had run, the row's last update had not).
    under_way_done: usize,
    under_way_partial: usize,
    under_way_absent: usize,
    under_way_none: usize,
    transactional: usize,
    between: usize,
    after_end: usize,
}

impl Landed {
    /// Counts one round: where the kill landed (0 inside a non-transactional migration, 1
    /// inside a transactional one, 2 between migrations, 3 after the run had ended) and what
    /// became of the statement under way in an interrupted migration.
    fn count(&mut self, landed: u8, under_way: Option<Option<Seen>>) {
        match under_way {
            Some(Some(Seen::Present)) => self.under_way_done += 1,
            Some(Some(Seen::Partial)) => self.under_way_partial += 1,
            Some(Some(Seen::Absent)) => self.under_way_absent += 1,
            Some(None) => self.under_way_none += 1,
            None => {}
        }
        match landed {
            0 => self.outside += 1,
            1 => self.transactional += 1,
            2 => self.between += 1,
            _ => self.after_end += 1,
        }
    }
}

/// Checks the promises after a kill of an upgrade (`reverting` false) or a downgrade: the
/// rows are a prefix of the chain, in order, all applied but perhaps the last, and every
/// applied row's effects are all there; a migration without a row has none of its effects
/// (a transactional one is whole or nothing either way); a row left `started` (`reverting`)
/// is a non-transactional migration whose first `statements_done` statements of its up (down)
/// section took effect and whose later ones did not. Returns the interrupted migration's
/// index, its statements done, and what became of the effect of the statement under way
/// (none when all were done), if any.
fn check_after_kill(
    c: &mut postgres::Client,
    migs: &[Mig],
    reverting: bool,
) -> Option<(usize, usize, Option<Seen>)> {
    let rows = rows(c);
    for (k, (rev, state, _)) in rows.iter().enumerate() {
        assert_eq!(rev, &migs[k].rev, "rows out of order: {rows:?}");
        if k + 1 < rows.len() {
            assert_eq!(state, "applied", "{rows:?}");
        }
    }
    // An interrupted row's state, and what its statements done and not done leave.
    let (interrupted_state, done_leaves, not_done_leaves) = if reverting {
        ("reverting", Seen::Absent, Seen::Present)
    } else {
        ("started", Seen::Present, Seen::Absent)
    };
    let mut interrupted = None;
    for (k, m) in migs.iter().enumerate() {
        let seen: Vec<Seen> = m.effects.iter().map(|e| seen(c, e)).collect();
        match rows.get(k) {
            Some((_, state, _)) if state == "applied" => assert!(
                seen.iter().all(|s| *s == Seen::Present),
                "{} is recorded applied but its effects are {:?} ({:?})",
                m.rev,
                seen,
                m.effects
            ),
            Some((_, state, done)) => {
                assert_eq!(state, interrupted_state, "{rows:?}");
                assert!(!m.transactional, "a transactional migration was '{state}'");
                let done = *done as usize;
                // All may be done: killed between its last statement and the row's update.
                assert!(done <= m.effects.len(), "{rows:?}");
                // The down section undoes the effects from the last to the first.
                let in_order: Vec<Seen> = if reverting {
                    seen.iter().rev().copied().collect()
                } else {
                    seen.clone()
                };
                for (j, s) in in_order.iter().enumerate() {
                    // Statement `done` may have been under way: it may have run, in part or
                    // whole, on a server that had not yet noticed the client was gone.
                    if j < done {
                        assert_eq!(*s, done_leaves, "{}: statement {j} of {done} done", m.rev);
                    } else if j > done {
                        assert_eq!(*s, not_done_leaves, "{}: statement {j} after {done}", m.rev);
                    }
                }
                interrupted = Some((k, done, in_order.get(done).copied()));
            }
            None => assert!(
                seen.iter().all(|s| *s == Seen::Absent),
                "{} has no row but effects {:?} ({:?})",
                m.rev,
                seen,
                m.effects
            ),
        }
    }
    interrupted
}

/// Resolves an interrupted non-transactional migration by hand, as a person reading the file
/// would: either bring it to applied — run what is missing of its up section (dropping an
/// index a killed `CREATE INDEX CONCURRENTLY` or `DROP INDEX CONCURRENTLY` left invalid,
/// skipping what is there) and `stamp REV` — or to not applied — run what is left of its down
/// section and `stamp PARENT`. `finish_it`: the way the interrupted run was going (applying
/// when not `reverting`), else back.
fn resolve(p: &Project, db: &TestDb, m: &Mig, done: usize, reverting: bool, finish_it: bool) {
    let mut c = db.connect();
    if finish_it != reverting {
        let from = if reverting { 0 } else { done };
        for (s, e) in m.statements.iter().zip(&m.effects).skip(from) {
            match seen(&mut c, e) {
                Seen::Present => continue,
                Seen::Partial => {
                    if let Effect::Index(i) = e {
                        c.batch_execute(&format!("DROP INDEX {i}")).unwrap();
                    }
                }
                Seen::Absent => {}
            }
            c.batch_execute(s).unwrap();
        }
        let run = p.db(db.url(), &["stamp", &m.rev]).ok();
        assert!(run.stdout.contains(&m.rev), "{run:#?}");
    } else {
        // The down section undoes the effects from the last to the first.
        let skip = if reverting { done } else { 0 };
        for e in m.effects.iter().rev().skip(skip) {
            match e {
                Effect::Index(i) => c
                    .batch_execute(&format!("DROP INDEX IF EXISTS {i}"))
                    .unwrap(),
                Effect::Log(r) => {
                    c.execute("DELETE FROM log WHERE rev = $1", &[r]).unwrap();
                }
                Effect::Table(..) => unreachable!("non-transactional migrations make no tables"),
            }
        }
        p.db(db.url(), &["stamp", &m.parent]).ok();
    }
}

#[test]
fn sigkill_at_random_moments_never_breaks_the_promises() {
    let rounds: u64 = if long() { 100 } else { 8 };
    let migs = corpus();
    let p = Project::new();
    write_corpus(&p, &migs);
    // A clean run: its duration spreads the kills, its catalog is what every round must reach.
    let clean_db = database();
    let spawned = std::time::SystemTime::now();
    let started = Instant::now();
    p.db(clean_db.url(), &["upgrade"]).ok();
    let clean_time = started.elapsed();
    let clean = catalog(&clean_db);
    let mut took = vec![Duration::ZERO; migs.len()];
    for (k, from, to) in timeline(&clean_db, spawned) {
        took[k] = to - from;
    }
    drop(clean_db);
    eprintln!("clean upgrade of {} migrations: {clean_time:?}", migs.len());
    let run = Killed {
        reverting: false,
        migs: &migs,
        clean: &clean,
        clean_time,
        took: &took,
    };
    kill_rounds(rounds, 0x5eed_0000, |seed, round| {
        run.round(&p, database(), seed, round)
    });
}

/// Runs `rounds` rounds of `round(seed, round)`, names the seed of a failing one, and prints
/// where the kills landed.
fn kill_rounds(
    rounds: u64,
    first_seed: u64,
    round: impl Fn(u64, u64) -> (u8, Option<Option<Seen>>, Duration, Duration),
) {
    let mut landed = Landed::default();
    let mut lingering = Duration::ZERO;
    let mut lock_waits = Duration::ZERO;
    let all = Instant::now();
    for r in 0..rounds {
        let seed = first_seed + r;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| round(seed, r)));
        match result {
            Ok((l, under_way, linger, wait)) => {
                landed.count(l, under_way);
                lingering += linger;
                lock_waits += wait;
            }
            Err(e) => {
                eprintln!("round {r} failed; its seed: {seed:#x}");
                std::panic::resume_unwind(e);
            }
        }
    }
    let per_round = all.elapsed() / rounds as u32;
    eprintln!(
        "{rounds} rounds, {per_round:?} per round; kills landed: {landed:?}; \
         killed sessions lingered {lingering:?} in all; next runs waited {lock_waits:?} in all"
    );
}

/// A run of the crash corpus to kill: `retort upgrade` (from base) or `retort downgrade
/// base` (from head), with what a clean run of it took and left.
struct Killed<'a> {
    reverting: bool,
    migs: &'a [Mig],
    /// The catalog after a clean run.
    clean: &'a [String],
    /// How long a clean run took.
    clean_time: Duration,
    /// How long each migration took in it (up or down section).
    took: &'a [Duration],
}

impl Killed<'_> {
    fn args(&self) -> &'static [&'static str] {
        if self.reverting {
            &["downgrade", "base"]
        } else {
            &["upgrade"]
        }
    }

    /// Whether the version table shows the run has reached migration `k`: an upgrade's
    /// non-transactional migration's row appears (`started`) as it starts, a transactional
    /// one starts when the one before it is applied; a downgrade's non-transactional
    /// migration's row turns `reverting` as its down section starts, a transactional one's
    /// when the row of the one after it is gone.
    fn reached(&self, k: usize, rows: &[(String, String, i32)]) -> bool {
        let transactional = self.migs[k].transactional;
        match (self.reverting, transactional) {
            (false, true) => k == 0 || rows.get(k - 1).is_some_and(|r| r.1 == "applied"),
            (false, false) => rows.len() > k,
            (true, true) => rows.len() <= k + 1,
            (true, false) => rows.len() <= k || rows[k].1 == "reverting",
        }
    }

    /// One round on `db` (empty for an upgrade, at head for a downgrade): returns where the
    /// kill landed (see [`Landed::count`]), what became of the statement under way in an
    /// interrupted migration, how long the killed session lingered, and how long the next
    /// run took when it ran at once.
    fn round(
        &self,
        p: &Project,
        db: TestDb,
        seed: u64,
        round: u64,
    ) -> (u8, Option<Option<Seen>>, Duration, Duration) {
        let migs = self.migs;
        let mut rng = Rng(seed);
        let mut c = db.connect();
        // A quarter of the kills at a random moment of the clean run's length; the others
        // aimed inside a migration (half of them a non-transactional one: they are quick, a
        // uniform spread would seldom hit them; a quarter a transactional one): wait until the
        // version table shows the run got there, then a random part of the migration's clean
        // duration.
        let aim = |rng: &mut Rng, transactional: bool| {
            let ks: Vec<usize> = (0..migs.len())
                .filter(|k| migs[*k].transactional == transactional)
                .collect();
            let k = ks[rng.below(ks.len() as u64) as usize];
            // The wait's polling takes some of a quick migration's time already.
            let span = if transactional {
                self.took[k]
            } else {
                self.took[k] / 2
            };
            (
                Some(k),
                Duration::from_micros(rng.below(span.as_micros() as u64 + 1)),
            )
        };
        let (at, delay) = match round % 4 {
            0 | 1 => aim(&mut rng, false),
            2 => aim(&mut rng, true),
            _ => (
                None,
                Duration::from_micros(rng.below(self.clean_time.as_micros() as u64)),
            ),
        };
        let mut child = spawn_retort(p, db.url(), self.args());
        if let Some(k) = at {
            let start = Instant::now();
            while !self.reached(k, &rows(&mut c)) && child.try_wait().unwrap().is_none() {
                assert!(start.elapsed() < Duration::from_secs(60), "seed {seed:#x}");
                std::thread::sleep(Duration::from_micros(100));
            }
        }
        std::thread::sleep(delay);
        // What the runner is doing at the kill (a snapshot a millisecond before).
        let doing = other_backends(&mut c);
        let ended = child.try_wait().unwrap().is_some();
        child.kill().unwrap();
        let run = Run::of(child);
        assert!(!run.stderr.contains("panicked"), "{run:#?}");
        let mut wait = Duration::ZERO;
        let while_ = if self.reverting {
            "reverting"
        } else {
            "applying"
        };
        // Every other round, the next run starts at once, while the killed session may still
        // hold the lock: it must wait for it (or find it free) and not time out.
        let early = if round % 2 == 1 {
            let t = Instant::now();
            let run = p.db(db.url(), self.args());
            wait = t.elapsed();
            assert!(
                run.code == 0
                    || run
                        .stderr
                        .contains(&format!("was interrupted while {while_}")),
                "seed {seed:#x}: {run:#?}"
            );
            Some(run)
        } else {
            None
        };
        let linger = wait_alone(&mut c, Duration::from_secs(30));
        let interrupted = check_after_kill(&mut c, migs, self.reverting);
        let landed = if ended {
            3
        } else if interrupted.is_some() {
            0
        } else if doing.iter().any(|d| d.3) {
            1
        } else {
            2
        };
        if let Some((k, done, _)) = interrupted {
            let m = &migs[k];
            let run = p.db(db.url(), &["check"]);
            assert!(run.code == 3 || run.code == 4, "{run:#?}");
            assert!(run.stderr.contains(&m.rev), "{run:#?}");
            // Upgrades and downgrades are blocked until a person decides, in the same words.
            let up = p.db(db.url(), &["upgrade"]).code(4);
            let run = p.db(db.url(), &["downgrade", "base"]).code(4);
            assert_eq!(up.stderr, run.stderr);
            if let Some(early) = &early {
                assert_eq!(early.stderr, run.stderr);
            }
            assert!(
                run.stderr.starts_with(&format!(
                    "error[db-interrupted-migration]: migration `{}` was interrupted while {while_}: {done} of its \
                     statements ran",
                    m.rev
                )),
                "{run:#?}"
            );
            assert!(
                run.stderr.contains(&format!("`retort stamp {}`", m.rev)),
                "{run:#?}"
            );
            if self.reverting {
                assert!(run.stderr.contains("finish reverting by hand"), "{run:#?}");
            }
            resolve(p, &db, m, done, self.reverting, rng.below(2) == 0);
        }
        p.db(db.url(), self.args()).ok();
        assert_eq!(catalog(&db), self.clean, "seed {seed:#x}");
        assert_eq!(advisory_locks(&mut c), 0);
        (landed, interrupted.map(|i| i.2), linger, wait)
    }
}

/// Finds the runner's session by the text of the statement it is running (the runtime sets
/// no `application_name`), checking that it holds the run's advisory lock, and ends it from
/// the server side. Returns whether it found it before the run ended.
fn terminate_runner(c: &mut postgres::Client, child: &mut Child, marker: &str) -> bool {
    let start = Instant::now();
    loop {
        let pid: Option<i32> = c
            .query_opt(
                "SELECT pid FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid() \
                   AND state = 'active' AND strpos(query, $1) > 0",
                &[&marker],
            )
            .unwrap()
            .map(|r| r.get(0));
        if let Some(pid) = pid {
            let holds: bool = c
                .query_one(
                    "SELECT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' \
                     AND granted AND pid = $1)",
                    &[&pid],
                )
                .unwrap()
                .get(0);
            assert!(holds, "the runner's session holds the run's lock");
            let ended: bool = c
                .query_one("SELECT pg_terminate_backend($1)", &[&pid])
                .unwrap()
                .get(0);
            assert!(ended);
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        assert!(start.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// One `error:` line, no panic, exit 4.
#[track_caller]
fn one_clear_error(run: &Run) {
    assert_eq!(run.code, 4, "{run:#?}");
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("backtrace"),
        "{run:#?}"
    );
    assert_eq!(error_lines(run), 1, "{run:#?}");
    // It says what happened: the session ended, the migration is not to blame. (The client
    // reads the server's FATAL message, or, when the socket closes first, only that.)
    assert!(
        (run.stderr
            .contains("terminating connection due to administrator command")
            || run
                .stderr
                .contains("the connection to the server was closed"))
            && run
                .stderr
                .contains("the connection to the database was lost")
            && !run.stderr.contains("Fix the migration"),
        "{run:#?}"
    );
}

/// `001` makes table `a` with a row; `002`, transactional, makes table `b`, inserts a row,
/// sleeps 30 s in a statement marked `slow-002`, and inserts another.
fn slow_transactional() -> Project {
    let p = Project::new();
    p.migration(
        "001",
        "none",
        "CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);",
        "DROP TABLE a;",
    );
    p.migration(
        "002",
        "001",
        "CREATE TABLE b (x int);\nINSERT INTO b VALUES (1);\nSELECT pg_sleep(30) /* slow-002 */;\n\
         INSERT INTO b VALUES (2);",
        "DROP TABLE b;",
    );
    p
}

/// `001` makes table `a`; `002`, outside a transaction, builds index `a_x` concurrently,
/// sleeps 30 s in a statement marked `slow-002`, and inserts a row into `a`.
fn slow_outside() -> Project {
    let p = Project::new();
    p.migration("001", "none", "CREATE TABLE a (x int);", "DROP TABLE a;");
    p.file(
        "migrations/002_m.sql",
        "-- revision: 002\n-- down_revision: 001\n-- transaction: false\n\n-- migrate:up\n\
         CREATE INDEX CONCURRENTLY a_x ON a (x);\nSELECT pg_sleep(30) /* slow-002 */;\n\
         INSERT INTO a VALUES (2);\n\n-- migrate:down\nDROP INDEX CONCURRENTLY a_x;\n",
    );
    p
}

#[test]
fn the_server_ending_the_session_mid_migration_leaves_only_what_was_done() {
    let repeats = if long() { 5 } else { 1 };
    // Transactional and slow: ended in its sleep, nothing of it may remain.
    let p = slow_transactional();
    for _ in 0..repeats {
        let db = database();
        let mut c = db.connect();
        let mut child = spawn_upgrade(&p, db.url());
        let started = Instant::now();
        assert!(terminate_runner(&mut c, &mut child, "slow-002"));
        let run = Run::of(child);
        assert!(started.elapsed() < Duration::from_secs(20), "{run:#?}");
        one_clear_error(&run);
        assert!(run.stderr.contains("nothing of it was applied"), "{run:#?}");
        // Not pointing at a statement that ran fine (the first) as the one that failed.
        assert!(!run.stderr.contains("CREATE TABLE b"), "{run:#?}");
        assert_eq!(
            rows(&mut c),
            vec![("001".to_owned(), "applied".to_owned(), 0)],
            "only what was done"
        );
        let b: bool = c
            .query_one("SELECT to_regclass('b') IS NULL", &[])
            .unwrap()
            .get(0);
        assert!(b, "nothing of 002 remains");
        wait_alone(&mut c, Duration::from_secs(10));
        assert_eq!(advisory_locks(&mut c), 0, "no lock left");
    }
}

#[test]
fn the_server_ending_the_session_mid_statement_records_the_statements_done() {
    let repeats = if long() { 5 } else { 1 };
    // Non-transactional and slow: ended in its second statement, it is recorded as started
    // with one statement done, and blocks the next run.
    let p = slow_outside();
    for _ in 0..repeats {
        let db = database();
        let mut c = db.connect();
        let mut child = spawn_upgrade(&p, db.url());
        let started = Instant::now();
        assert!(terminate_runner(&mut c, &mut child, "slow-002"));
        let run = Run::of(child);
        assert!(started.elapsed() < Duration::from_secs(20), "{run:#?}");
        one_clear_error(&run);
        assert!(
            run.stderr
                .contains("failed in statement 2 of its up section")
                && run.stderr.contains("1 of its statements ran")
                && run.stderr.contains("`retort stamp 002`"),
            "{run:#?}"
        );
        assert_rows(
            &mut c,
            &[("001", "applied", 0), ("002", "started", 1)],
            "only what was done",
        );
        let n: i64 = c.query_one("SELECT count(*) FROM a", &[]).unwrap().get(0);
        assert_eq!(n, 0, "the third statement did not run");
        wait_alone(&mut c, Duration::from_secs(10));
        assert_eq!(advisory_locks(&mut c), 0, "no lock left");
        let run = p.db(db.url(), &["upgrade"]).code(4);
        assert!(
            run.stderr
                .starts_with("error[db-interrupted-migration]: migration `002` was interrupted"),
            "{run:#?}"
        );
        // Finish it by hand, record it, and the next run goes on.
        c.batch_execute("INSERT INTO a VALUES (2)").unwrap();
        p.db(db.url(), &["stamp", "002"]).ok();
        p.db(db.url(), &["upgrade"]).ok();
        p.db(db.url(), &["check"]).ok();
    }
}

#[test]
fn the_server_ending_a_concurrent_index_build_leaves_it_invalid_and_the_run_says_so() {
    let repeats = if long() { 5 } else { 1 };
    let p = Project::new();
    p.migration(
        "001",
        "none",
        "CREATE TABLE a (x int);\nINSERT INTO a SELECT generate_series(1, 100);",
        "DROP TABLE a;",
    );
    p.file(
        "migrations/002_m.sql",
        "-- revision: 002\n-- down_revision: 001\n-- transaction: false\n\n-- migrate:up\n\
         CREATE INDEX CONCURRENTLY a_x ON a (x) /* slow-002 */;\n\
         CREATE INDEX CONCURRENTLY a_x2 ON a ((x * 2));\n\n-- migrate:down\n\
         DROP INDEX CONCURRENTLY a_x2;\nDROP INDEX CONCURRENTLY a_x;\n",
    );
    for _ in 0..repeats {
        let db = database();
        let mut c = db.connect();
        p.db(db.url(), &["upgrade", "001"]).ok();
        // An older snapshot held open: the build waits for it after creating its index (not
        // yet valid), which is where a terminated session leaves the index invalid.
        let mut holder = db.connect();
        let mut tx = holder
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .start()
            .unwrap();
        tx.query_one("SELECT count(*) FROM a", &[]).unwrap();
        let mut child = spawn_upgrade(&p, db.url());
        // Wait until the build is in its wait for older snapshots.
        let start = Instant::now();
        while !c
            .query_one(
                "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() \
                 AND strpos(query, 'slow-002') > 0 AND wait_event_type = 'Lock')",
                &[],
            )
            .unwrap()
            .get::<_, bool>(0)
        {
            assert!(start.elapsed() < Duration::from_secs(30));
            std::thread::sleep(Duration::from_millis(5));
        }
        assert!(terminate_runner(&mut c, &mut child, "slow-002"));
        let run = Run::of(child);
        tx.commit().unwrap();
        drop(holder);
        one_clear_error(&run);
        assert!(
            run.stderr
                .contains("failed in statement 1 of its up section")
                && run.stderr.contains("0 of its statements ran")
                && run.stderr.contains("may be left invalid"),
            "{run:#?}"
        );
        assert_rows(&mut c, &[("001", "applied", 0), ("002", "started", 0)], "");
        assert_eq!(seen(&mut c, &Effect::Index("a_x".into())), Seen::Partial);
        assert_eq!(seen(&mut c, &Effect::Index("a_x2".into())), Seen::Absent);
        wait_alone(&mut c, Duration::from_secs(10));
        assert_eq!(advisory_locks(&mut c), 0, "no lock left");
        let run = p.db(db.url(), &["check"]).code(3);
        assert!(run.stderr.contains("002"), "{run:#?}");
        p.db(db.url(), &["upgrade"]).code(4);
        // As a person would: drop the invalid index, stamp the parent, run again.
        c.batch_execute("DROP INDEX a_x").unwrap();
        p.db(db.url(), &["stamp", "001"]).ok();
        p.db(db.url(), &["upgrade"]).ok();
        assert_eq!(seen(&mut c, &Effect::Index("a_x".into())), Seen::Present);
        assert_eq!(seen(&mut c, &Effect::Index("a_x2".into())), Seen::Present);
        p.db(db.url(), &["check"]).ok();
    }
}

/// `  reverted 056 Migration 056      1.2ms` → (`056`, 1.2 ms).
fn step_time(line: &str) -> Option<(String, Duration)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.first() != Some(&"reverted") || words.len() < 3 {
        return None;
    }
    let time = words[words.len() - 1];
    let (number, unit) = ["ns", "µs", "ms", "s"]
        .iter()
        .find_map(|u| time.strip_suffix(u).map(|n| (n, *u)))?;
    let n: f64 = number.parse().ok()?;
    let secs = match unit {
        "ns" => n / 1e9,
        "µs" => n / 1e6,
        "ms" => n / 1e3,
        _ => n,
    };
    Some((words[1].to_owned(), Duration::from_secs_f64(secs)))
}

#[test]
fn sigkill_at_random_moments_of_a_downgrade_never_breaks_the_promises() {
    let rounds: u64 = if long() { 100 } else { 8 };
    let migs = corpus();
    for m in migs.iter().filter(|m| !m.transactional) {
        // One down statement per effect, undone from the last to the first.
        assert_eq!(down_sql(m).lines().count(), m.effects.len());
    }
    let p = Project::new();
    write_corpus(&p, &migs);
    // Every round starts from a copy of one database at head.
    let head = database();
    p.db(head.url(), &["upgrade"]).ok();
    // A clean downgrade: its step times aim the kills, its catalog is what every round must
    // reach.
    let clean_db = head.copy().unwrap();
    let started = Instant::now();
    let run = p.db(clean_db.url(), &["downgrade", "base"]).ok();
    let clean_time = started.elapsed();
    let clean = catalog(&clean_db);
    drop(clean_db);
    let times: std::collections::HashMap<String, Duration> =
        run.stdout.lines().filter_map(step_time).collect();
    let took: Vec<Duration> = migs
        .iter()
        .map(|m| {
            *times
                .get(&m.rev)
                .unwrap_or_else(|| panic!("no time for {} in {}", m.rev, run.stdout))
        })
        .collect();
    eprintln!(
        "clean downgrade of {} migrations: {clean_time:?}",
        migs.len()
    );

    let run = Killed {
        reverting: true,
        migs: &migs,
        clean: &clean,
        clean_time,
        took: &took,
    };
    kill_rounds(rounds, 0xd0_0000, |seed, round| {
        run.round(
            &p,
            head.copy().expect("a copy of the database at head"),
            seed,
            round,
        )
    });
}

/// Waits until the runner is in the statement marked `marker`.
fn wait_for_statement(c: &mut postgres::Client, child: &mut Child, marker: &str) {
    let start = Instant::now();
    loop {
        let running: bool = c
            .query_one(
                "SELECT EXISTS (SELECT FROM pg_stat_activity WHERE datname = current_database() \
                 AND pid <> pg_backend_pid() AND state = 'active' AND strpos(query, $1) > 0)",
                &[&marker],
            )
            .unwrap()
            .get(0);
        if running {
            return;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before {marker}"
        );
        assert!(start.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn the_server_stopping_mid_run_leaves_only_what_was_done() {
    use retort_test_support::StopMode;
    // A cluster of this test's own: stopping the shared one would fail every other test.
    let cluster = retort_test_support::private_cluster().expect("a private cluster");
    let (transactional, outside) = (slow_transactional(), slow_outside());
    let repeats = if long() { 5 } else { 1 };
    let mut took = Vec::new();
    let modes = [StopMode::Fast, StopMode::Immediate];
    for mode in modes.iter().copied().cycle().take(2 * repeats) {
        for (p, in_transaction) in [(&transactional, true), (&outside, false)] {
            let db = cluster.database().unwrap();
            let mut c = db.connect();
            let mut child = spawn_upgrade(p, db.url());
            wait_for_statement(&mut c, &mut child, "slow-002");
            drop(c);
            let started = Instant::now();
            cluster.stop(mode).unwrap();
            let run = Run::of(child);
            took.push(started.elapsed());
            // One clear error: the session ended under the migration, which is not to blame.
            assert_eq!(run.code, 4, "{mode:?}: {run:#?}");
            let errors = run
                .stderr
                .lines()
                .filter(|l| l.starts_with("error"))
                .count();
            assert_eq!(errors, 1, "{run:#?}");
            assert!(
                run.stderr
                    .contains("the connection to the database was lost while `002` ran")
                    && !run.stderr.contains("Fix the migration")
                    && !run.stderr.contains("panicked"),
                "{mode:?}: {run:#?}"
            );
            assert!(run.stdout.contains("applied  001"), "{run:#?}");
            cluster.start_again().unwrap();
            let mut c = db.connect();
            // Nothing is recorded that was not done, and the lock went with the session.
            assert_eq!(advisory_locks(&mut c), 0, "{mode:?}");
            if in_transaction {
                assert!(run.stderr.contains("nothing of it was applied"), "{run:#?}");
                // `001` committed without waiting for its flush (only a run's last commit
                // waits), and the run could not flush it once the server was gone: the error
                // says so. A fast stop flushes on its way down; after an immediate one,
                // recovery may roll `001` back, but only with its row.
                assert!(
                    run.stderr
                        .contains("this run committed `001` without waiting for the flush"),
                    "{run:#?}"
                );
                let kept = !rows(&mut c).is_empty();
                if mode == StopMode::Fast || kept {
                    assert_rows(&mut c, &[("001", "applied", 0)], &format!("{mode:?}"));
                    assert_eq!(seen(&mut c, &Effect::Table("a".into(), 1)), Seen::Present);
                } else {
                    assert_eq!(seen(&mut c, &Effect::Table("a".into(), 1)), Seen::Absent);
                }
                assert_eq!(seen(&mut c, &Effect::Table("b".into(), 2)), Seen::Absent);
            } else {
                assert!(
                    run.stderr.contains("1 of its statements ran")
                        && run.stderr.contains("`retort stamp 002`")
                        && !run.stderr.contains("SQLSTATE \n"),
                    "{run:#?}"
                );
                assert_rows(
                    &mut c,
                    &[("001", "applied", 0), ("002", "started", 1)],
                    &format!("{mode:?}"),
                );
                assert_eq!(seen(&mut c, &Effect::Index("a_x".into())), Seen::Present);
                let n: i64 = c.query_one("SELECT count(*) FROM a", &[]).unwrap().get(0);
                assert_eq!(n, 0, "the third statement did not run");
                p.db(db.url(), &["upgrade"]).code(4);
                // Finish it by hand and record it.
                c.batch_execute("INSERT INTO a VALUES (2)").unwrap();
                p.db(db.url(), &["stamp", "002"]).ok();
            }
            // The next run goes on from what the table says: the slow transactional migration
            // again (cancelled here from the server side: it fails on its own, rolled back at
            // once, and is not run again to find the statement), or, once resolved, nothing.
            let mut finisher = spawn_upgrade(p, db.url());
            if in_transaction {
                wait_for_statement(&mut c, &mut finisher, "slow-002");
                c.query_one(
                    "SELECT pg_cancel_backend(pid) FROM pg_stat_activity \
                     WHERE strpos(query, 'slow-002') > 0 AND pid <> pg_backend_pid()",
                    &[],
                )
                .unwrap();
            }
            let t = Instant::now();
            let run = Run::of(finisher);
            assert!(t.elapsed() < Duration::from_secs(20), "{run:#?}");
            if in_transaction {
                // Cancelled: the migration fails cleanly, rolled back; the table says so.
                assert_eq!(run.code, 4, "{run:#?}");
                assert!(
                    run.stderr.contains("nothing of `002` was applied"),
                    "{run:#?}"
                );
                assert!(
                    run.stderr
                        .contains("canceling statement due to user request"),
                    "{run:#?}"
                );
                assert_eq!(rows(&mut c).len(), 1);
            } else {
                assert_eq!(run.code, 0, "{run:#?}");
                assert_eq!(rows(&mut c).len(), 2);
            }
        }
    }
    eprintln!(
        "runs ended {took:?} after the stop was asked (fast and immediate in turn, \
         transactional then not)"
    );
    let _ = cluster.stop(StopMode::Immediate);
}

#[test]
fn a_connection_lost_at_commit_exits_4_naming_the_migration_and_the_next_run_converges() {
    use retort_test_support::{CommitCut, CutProxy};
    let p = Project::new();
    p.migration(
        "001",
        "none",
        "CREATE TABLE log (rev text NOT NULL);",
        "DROP TABLE log;",
    );
    p.migration(
        "002",
        "001",
        "INSERT INTO log VALUES ('002');\nCREATE TABLE b (x int);",
        "DROP TABLE b;\nDELETE FROM log WHERE rev = '002';",
    );
    for how in [CommitCut::AfterForwarding, CommitCut::BeforeForwarding] {
        let committed = how == CommitCut::AfterForwarding;
        let db = database();
        let mut c = db.connect();
        // The second COMMIT through the proxy is 002's.
        let proxy = CutProxy::start(&db, 2, how).unwrap();
        let run = p.db(&proxy.url(), &["upgrade"]).code(4);
        assert!(proxy.has_cut(), "{run:#?}");
        assert!(run.stdout.contains("applied  001"), "{run:#?}");
        assert_eq!(error_lines(&run), 1, "{run:#?}");
        assert!(
            run.stderr.starts_with(
                "error[db-commit-lost]: the connection to the database was lost while committing migration \
                 `002`: it may or may not have been applied"
            ) && run
                .stderr
                .contains("`retort current` shows whether `002` is applied"),
            "{run:#?}"
        );
        wait_alone(&mut c, Duration::from_secs(10));
        // `retort current` tells which it was, as the message says.
        let current = p.db(db.url(), &["current"]).ok();
        let at = if committed { "002" } else { "001" };
        assert!(current.stdout.starts_with(at), "{how:?}: {current:#?}");
        let run = p.db(db.url(), &["upgrade"]).ok();
        assert_eq!(run.stdout.contains("applied  002"), !committed, "{run:#?}");
        let n: i64 = c
            .query_one("SELECT count(*) FROM log WHERE rev = '002'", &[])
            .unwrap()
            .get(0);
        assert_eq!(n, 1, "{how:?}: applied exactly once");
        assert_rows(&mut c, &[("001", "applied", 0), ("002", "applied", 0)], "");
    }
}
