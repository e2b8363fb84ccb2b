//! PostgreSQL's facts behind each safety lint, checked row by row
//! (`retort_test_support::lint_claims::CLAIMS`).
//!
//! For each row, on a database of its own holding `BASE` and the row's setup: a holder
//! session takes ACCESS EXCLUSIVE on `t` in an open transaction; the row's statement runs in
//! a second session and queues behind it; a third session reads in `pg_locks` the mode the
//! statement waits for. The holder keeps its lock a while longer (a statement with a lock
//! timeout gives up then), then lets go. A transactional statement that succeeds also reads
//! the locks it holds on `t` before `COMMIT`. `pg_class.relfilenode` before and after tells a
//! rewrite; PostgreSQL's DEBUG1 messages ("verifying table", "validating foreign key
//! constraint", "building index") tell a scan. Every row is checked; the mismatches are
//! listed together.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use retort_core::sql::lex;
use retort_test_support::TestDb;
use retort_test_support::lint_claims::{BASE, CLAIMS, Claim, LockMode, Outcome, Run, Work};

/// Far longer than any row needs: reaching it means a statement never queued or never ended.
const BOUND: Duration = Duration::from_secs(120);

/// How long the holder keeps its lock after the statement queued: longer than the lock
/// timeout of the quiet `lock-without-timeout` row.
const HOLD: Duration = Duration::from_secs(5);

/// What one row did.
#[derive(Debug)]
struct Observed {
    /// The mode the statement queued for on `t`.
    waited_for: Option<LockMode>,
    /// The strongest mode it held on `t` before `COMMIT` (transactional rows that succeeded).
    held: Option<LockMode>,
    work: Work,
    outcome: Result<(), String>,
    /// Whether it ended while the holder still held its lock.
    ended_while_held: bool,
}

fn relfilenode(c: &mut postgres::Client) -> Option<u32> {
    c.query_opt(
        "SELECT relfilenode FROM pg_class WHERE oid = to_regclass('t')",
        &[],
    )
    .expect("pg_class")
    .map(|r| r.get::<_, postgres::types::Oid>(0))
}

/// The locks `pid` holds (`granted`) or waits for on `t`.
fn locks_on_t(c: &mut postgres::Client, pid: i32, granted: bool) -> Vec<LockMode> {
    c.query(
        "SELECT mode FROM pg_locks WHERE relation = to_regclass('t') AND pid = $1 AND granted = $2",
        &[&pid, &granted],
    )
    .expect("pg_locks")
    .iter()
    .filter_map(|r| LockMode::from_pg_name(r.get::<_, &str>(0)))
    .collect()
}

fn sqlstate(e: &postgres::Error) -> String {
    e.code()
        .map_or_else(|| format!("no SQLSTATE: {e}"), |c| c.code().to_owned())
}

/// Runs the row's statement as a migration would; returns its outcome and, for a
/// transaction that succeeded, the strongest lock it held on `t` before `COMMIT`.
fn run_statement(
    c: &mut postgres::Client,
    claim: &Claim,
    pid: i32,
) -> (Result<(), String>, Option<LockMode>) {
    match claim.run {
        Run::Transaction => {
            let ran = c.batch_execute(&format!("BEGIN;\n{}", claim.statement));
            match ran {
                Ok(()) => {
                    let held = locks_on_t(c, pid, true).into_iter().max();
                    let committed = c.batch_execute("COMMIT").map_err(|e| sqlstate(&e));
                    (committed, held)
                }
                Err(e) => {
                    let _ = c.batch_execute("ROLLBACK");
                    (Err(sqlstate(&e)), None)
                }
            }
        }
        Run::Autocommit => {
            for stmt in lex::split(claim.statement) {
                if let Err(e) = c.batch_execute(&claim.statement[stmt.range]) {
                    return (Err(sqlstate(&e)), None);
                }
            }
            (Ok(()), None)
        }
    }
}

/// Whether PostgreSQL's DEBUG1 messages say the rows of `t` were read.
fn scanned(messages: &[String]) -> bool {
    messages.iter().any(|m| {
        m == "verifying table \"t\""
            || m.starts_with("validating foreign key constraint")
            || (m.starts_with("building index") && m.contains("on table \"t\""))
    })
}

fn observe(claim: &'static Claim) -> Observed {
    let db: TestDb = retort_test_support::database().expect("a test database");
    let mut observer = db.connect();
    observer
        .batch_execute(&format!("{BASE}{}", claim.setup))
        .unwrap_or_else(|e| panic!("setup of {claim:?}: {e}"));
    let before = relfilenode(&mut observer);

    let mut holder = db.connect();
    holder
        .batch_execute("BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE;")
        .expect("the holder locks t");

    let messages = Arc::new(Mutex::new(Vec::new()));
    let mut config = db.config();
    let sink = Arc::clone(&messages);
    config.notice_callback(move |n| {
        if let Ok(mut m) = sink.lock() {
            m.push(n.message().to_owned());
        }
    });
    let mut runner = config
        .connect(postgres::NoTls)
        .expect("the statement's session");
    let pid: i32 = runner
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    runner
        .batch_execute("SET client_min_messages = debug1")
        .expect("debug messages");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(run_statement(&mut runner, claim, pid));
    });

    // Wait until the statement queues behind the holder.
    let queued = Instant::now();
    let mut waited_for = None;
    let mut early = None;
    while waited_for.is_none() && early.is_none() && queued.elapsed() < BOUND {
        waited_for = locks_on_t(&mut observer, pid, false).into_iter().next();
        if waited_for.is_none() {
            early = rx.try_recv().ok();
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    // Keep the lock a while: a statement with a lock timeout ends now.
    let during_hold = early.or_else(|| rx.recv_timeout(HOLD).ok());
    let ended_while_held = during_hold.is_some();
    holder
        .batch_execute("ROLLBACK")
        .expect("the holder lets go");
    let (outcome, held) = during_hold.unwrap_or_else(|| {
        rx.recv_timeout(BOUND)
            .unwrap_or_else(|_| panic!("{claim:?} did not end once the lock was free"))
    });

    let after = relfilenode(&mut observer);
    let messages = messages.lock().map(|m| m.clone()).unwrap_or_default();
    let work = if before.is_some() && after.is_some() && before != after {
        Work::Rewrite
    } else if scanned(&messages) {
        Work::Scan
    } else {
        Work::None
    };
    Observed {
        waited_for,
        held,
        work,
        outcome,
        ended_while_held,
    }
}

/// What is wrong with a row, if anything.
fn mismatches(claim: &Claim, seen: &Observed) -> Vec<String> {
    let mut wrong = Vec::new();
    if seen.waited_for != Some(claim.lock) {
        wrong.push(format!(
            "queued for {:?}, the row says {:?}",
            seen.waited_for, claim.lock
        ));
    }
    if let Some(held) = seen.held.filter(|h| *h != claim.lock) {
        wrong.push(format!(
            "held {held:?} before COMMIT, the row says {:?}",
            claim.lock
        ));
    }
    if claim.run == Run::Transaction && claim.outcome == Outcome::Succeeds && seen.held.is_none() {
        wrong.push("held no lock on t before COMMIT".to_owned());
    }
    if seen.work != claim.work {
        wrong.push(format!(
            "did {:?}, the row says {:?}",
            seen.work, claim.work
        ));
    }
    let expected = match claim.outcome {
        Outcome::Succeeds => Ok(()),
        Outcome::Fails(code) => Err(code.to_owned()),
    };
    if seen.outcome != expected {
        wrong.push(format!(
            "ended {:?}, the row says {expected:?}",
            seen.outcome
        ));
    }
    // Every statement here needs a lock on `t`, which the holder has: one that ends while
    // the holder holds it must have given up waiting (a lock timeout), never succeeded.
    if seen.ended_while_held && seen.outcome.is_ok() {
        wrong.push("succeeded while another session held ACCESS EXCLUSIVE on t".to_owned());
    }
    wrong
}

#[test]
fn every_claim_behind_the_lints_holds_on_postgresql() {
    let handles: Vec<_> = CLAIMS
        .iter()
        .map(|claim| std::thread::spawn(move || (claim, observe(claim))))
        .collect();
    let mut failures = Vec::new();
    for h in handles {
        let (claim, seen) = h.join().expect("a row's thread");
        let wrong = mismatches(claim, &seen);
        if !wrong.is_empty() {
            failures.push(format!(
                "{} ({:?}) `{}`: {}",
                claim.code,
                claim.form,
                claim.statement,
                wrong.join("; ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows do not hold:\n{}",
        failures.len(),
        CLAIMS.len(),
        failures.join("\n")
    );
}

#[test]
fn a_wrong_claim_is_caught() {
    // The same harness on a row whose lock and work are wrong on purpose.
    static WRONG: Claim = Claim {
        code: "create-index-blocks-writes",
        form: retort_test_support::lint_claims::Form::Fires,
        shows: "wrong on purpose",
        setup: "",
        statement: "CREATE INDEX t_v_idx ON t (v)",
        run: Run::Transaction,
        lock: LockMode::ShareUpdateExclusive,
        work: Work::Rewrite,
        outcome: Outcome::Succeeds,
    };
    let seen = observe(&WRONG);
    let wrong = mismatches(&WRONG, &seen);
    assert_eq!(wrong.len(), 3, "{wrong:?}"); // queued for, held, work
}
