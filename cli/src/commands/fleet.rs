//! Many targets at once (`--targets FILE`, `targets` in retort.toml): `upgrade`, `downgrade`,
//! `stamp`, `current` and `check` on each database or schema, each with its own connection,
//! advisory lock and version table, at most `--jobs` at a time.
//!
//! Threads do the work (the runtime is synchronous): each takes the next target not started
//! until none is left, or until a failure stops new starts (`--fail-fast`). With `--canary K`
//! the first K targets run first, and the rest only if all of them succeeded. Each target's
//! line is printed when it ends; a summary follows, and, when a target failed or was not
//! started, `error[db-targets-failed]` naming them. A fleet run is not atomic across targets:
//! running it again resumes it, the targets already there finding nothing to do.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use retort_core::codes::Code;
use retort_core::target::Target as Goal;
use retort_core::{MigrationSet, Revision};
use retort_runtime::{Direction, Migrator, Step};

use super::migrate::duration;
use super::{Ctx, Fail, Status, connect_fail, count, fail};
use crate::cli::Format;
use crate::targets::Target;
use crate::url;

/// How a fleet run goes: its targets and how many run at once.
#[derive(Clone, Debug)]
pub struct Fleet {
    /// The targets, in the order given.
    pub targets: Vec<Target>,
    /// How many run at once (at least 1).
    pub jobs: usize,
    /// Stop starting targets after the first failure.
    pub fail_fast: bool,
    /// Run this many targets first; the rest only if they all succeeded (0: no canary).
    pub canary: usize,
}

/// How one target ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// It reached what was asked (or, for `current`, was read).
    Done,
    /// `check` found it out of sync or drifted.
    NotInSync,
    /// It failed: unreachable, refused, or a migration failed.
    Failed,
    /// It was not started (after a failure with `--fail-fast`, or a failed canary).
    NotStarted,
}

impl State {
    fn word(self) -> &'static str {
        match self {
            State::Done => "ok",
            State::NotInSync => "not-in-sync",
            State::Failed => "failed",
            State::NotStarted => "not-started",
        }
    }
}

/// What happened on one target.
#[derive(Debug)]
struct Report {
    label: String,
    origin: String,
    state: State,
    /// Its revisions before the run, when they could be read.
    from: Option<Vec<Revision>>,
    /// Its revisions after the run, when they could be read.
    to: Option<Vec<Revision>>,
    /// The migrations applied or reverted (also those before a failure).
    steps: Vec<Step>,
    time: Duration,
    /// The error, rendered as retort renders it, password-free.
    error: Option<String>,
    /// Why it was not started.
    reason: Option<String>,
    /// More lines for the text report (what `check` and `current` found).
    notes: Vec<String>,
    /// More fields for the JSON report.
    extra: serde_json::Map<String, serde_json::Value>,
}

impl Report {
    fn new(target: &Target) -> Report {
        Report {
            label: target.label(),
            origin: target.origin.clone(),
            state: State::Done,
            from: None,
            to: None,
            steps: Vec::new(),
            time: Duration::ZERO,
            error: None,
            reason: None,
            notes: Vec::new(),
            extra: serde_json::Map::new(),
        }
    }

    fn failed(mut self, target: &Target, text: &str) -> Report {
        self.state = State::Failed;
        self.error = Some(url::redact(text, Some(target.url())));
        self
    }
}

/// `base`, or the revisions joined.
fn revs(r: &Option<Vec<Revision>>) -> String {
    match r {
        None => "?".to_owned(),
        Some(v) if v.is_empty() => "base".to_owned(),
        Some(v) => v
            .iter()
            .map(Revision::as_str)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn revs_json(r: &Option<Vec<Revision>>) -> serde_json::Value {
    match r {
        None => serde_json::Value::Null,
        Some(v) => v.iter().map(Revision::as_str).collect::<Vec<_>>().into(),
    }
}

/// The revisions' ids.
fn names(v: &[Revision]) -> Vec<String> {
    v.iter().map(|r| r.as_str().to_owned()).collect()
}

/// The code of a rendered error: `error[db-migration-failed]: …` → `db-migration-failed`.
fn code_of(text: &str) -> Option<&str> {
    let rest = &text[text.find("error[")? + "error[".len()..];
    rest.split(']').next()
}

/// Connects to one target.
fn connect(target: &Target) -> Result<postgres::Client, Fail> {
    let masked = target.label();
    let config = target.connect_config().map_err(|e| {
        fail(
            Status::Usage,
            Code::DbBadUrl,
            format!(
                "`{masked}` is not a database URL: {}",
                url::redact(&e.to_string(), Some(target.url()))
            ),
            Some("write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE".to_owned()),
        )
    })?;
    config
        .connect(postgres::NoTls)
        .map_err(|e| connect_fail(&e, &masked, target.url()))
}

/// Runs `one` on every target as the fleet's settings say; prints each target's line as it
/// ends (text format). The reports come back in the targets' order.
fn run_all<F>(ctx: &Ctx, fleet: &Fleet, format: Format, verb: &str, one: F) -> Vec<Report>
where
    F: Fn(&Target) -> Report + Sync,
{
    let n = fleet.targets.len();
    let slots: Vec<Mutex<Option<Report>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let finished = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let print = |r: &Report| {
        if format == Format::Text {
            let k = finished.fetch_add(1, Ordering::Relaxed) + 1;
            let text = line(ctx, r, verb, k, n);
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        }
    };
    let phase = |range: std::ops::Range<usize>| {
        let next = AtomicUsize::new(range.start);
        let workers = fleet.jobs.min(range.len()).max(1);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        if stop.load(Ordering::SeqCst) {
                            break;
                        }
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        if i >= range.end {
                            break;
                        }
                        let started = Instant::now();
                        let mut r = one(&fleet.targets[i]);
                        r.time = started.elapsed();
                        if r.state == State::Failed && fleet.fail_fast {
                            stop.store(true, Ordering::SeqCst);
                        }
                        print(&r);
                        *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
                    }
                });
            }
        });
    };
    let canary = fleet.canary.min(n);
    let mut why_not = "a target failed and `--fail-fast` is set";
    if canary > 0 {
        phase(0..canary);
        let canaries_ok = slots[..canary].iter().all(|s| {
            s.lock()
                .unwrap_or_else(|e| e.into_inner())
                .as_ref()
                .is_some_and(|r| r.state == State::Done)
        });
        if canaries_ok {
            phase(canary..n);
        } else {
            why_not = "a canary target failed (`--canary`)";
        }
    } else {
        phase(0..n);
    }
    // The targets never started, listed after the others.
    fleet
        .targets
        .iter()
        .zip(slots)
        .map(|(t, slot)| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| {
                    let mut r = Report::new(t);
                    r.state = State::NotStarted;
                    r.reason = Some(why_not.to_owned());
                    print(&r);
                    r
                })
        })
        .collect()
}

/// One target's lines in the text report.
fn line(ctx: &Ctx, r: &Report, verb: &str, k: usize, n: usize) -> String {
    let width = n.to_string().len();
    let (on, off) = match (ctx.styled_out, r.state) {
        (false, _) => ("", ""),
        (true, State::Done) => ("\x1b[32m", "\x1b[0m"),
        (true, State::NotStarted) => ("\x1b[33m", "\x1b[0m"),
        (true, _) => ("\x1b[1;31m", "\x1b[0m"),
    };
    let mut text = format!(
        "[{k:>width$}/{n}] {on}{:<11}{off} {}",
        r.state.word(),
        r.label
    );
    match r.state {
        State::NotStarted => {
            text.push_str(&format!(
                "  not started: {}",
                r.reason.as_deref().unwrap_or("")
            ));
        }
        _ => {
            let moved = match verb {
                "upgrade" | "downgrade" => format!(
                    "  {} → {}  {} {}",
                    revs(&r.from),
                    revs(&r.to),
                    count(r.steps.len(), "migration"),
                    if verb == "upgrade" {
                        "applied"
                    } else {
                        "reverted"
                    }
                ),
                "stamp" => format!("  {} → {}  stamped", revs(&r.from), revs(&r.to)),
                _ => format!("  at {}", revs(&r.to)),
            };
            if r.from.is_some() || r.to.is_some() {
                text.push_str(&moved);
            }
            text.push_str(&format!("  {}", duration(r.time)));
        }
    }
    for note in &r.notes {
        text.push_str(&format!("\n    {note}"));
    }
    if let Some(e) = &r.error {
        for l in e.lines() {
            text.push_str(&format!("\n    {l}"));
        }
    }
    text
}

/// The summary, the JSON document or the closing error, and the exit status.
fn finish(
    reports: &[Report],
    format: Format,
    verb: &str,
    started: Instant,
    extra: serde_json::Map<String, serde_json::Value>,
) -> Status {
    let n = reports.len();
    let tally = |s: State| reports.iter().filter(|r| r.state == s).count();
    let (done, behind, failed, not_started) = (
        tally(State::Done),
        tally(State::NotInSync),
        tally(State::Failed),
        tally(State::NotStarted),
    );
    let status = if failed + not_started > 0 {
        Status::Database
    } else if behind > 0 {
        Status::NotInSync
    } else {
        Status::Success
    };
    let elapsed = started.elapsed();
    match format {
        Format::Json => {
            let targets: Vec<serde_json::Value> = reports
                .iter()
                .map(|r| {
                    let mut o = serde_json::json!({
                        "target": r.label,
                        "source": r.origin,
                        "status": r.state.word(),
                        "from": revs_json(&r.from),
                        "to": revs_json(&r.to),
                        "migrations": r.steps.iter().map(|s| serde_json::json!({
                            "revision": s.revision.as_str(),
                            "direction": s.direction.to_string(),
                            "ms": s.duration.as_secs_f64() * 1e3,
                        })).collect::<Vec<_>>(),
                        "ms": r.time.as_secs_f64() * 1e3,
                        "error": r.error.as_ref().map(|e| serde_json::json!({
                            "code": code_of(e),
                            "rendered": e,
                        })),
                        "reason": r.reason,
                    });
                    if let Some(map) = o.as_object_mut() {
                        map.extend(r.extra.clone());
                    }
                    o
                })
                .collect();
            let mut doc = serde_json::json!({
                "command": verb,
                "ok": status == Status::Success,
                "targets": targets,
                "summary": {
                    "targets": n,
                    "ok": done,
                    "not_in_sync": behind,
                    "failed": failed,
                    "not_started": not_started,
                    "ms": elapsed.as_secs_f64() * 1e3,
                },
            });
            if let Some(map) = doc.as_object_mut() {
                map.extend(extra);
            }
            crate::outln!("{doc:#}");
        }
        Format::Text => {
            let mut parts = vec![format!("{done} ok")];
            if behind > 0 {
                parts.push(format!("{behind} not in sync"));
            }
            parts.push(format!("{failed} failed"));
            parts.push(format!("{not_started} not started"));
            crate::outln!(
                "{verb} on {}: {} in {}",
                count(n, "target"),
                parts.join(", "),
                duration(elapsed)
            );
            if failed + not_started > 0 {
                let mut d = retort_core::diagnostic::Diagnostic::error(
                    Code::DbTargetsFailed,
                    format!(
                        "{failed} of {} failed{}",
                        count(n, "target"),
                        if not_started > 0 {
                            format!(", {not_started} not started")
                        } else {
                            String::new()
                        },
                    ),
                );
                for r in reports.iter().filter(|r| r.state == State::Failed) {
                    d = d.with_note(format!("failed: {} ({})", r.label, r.origin));
                }
                if let Some(r) = reports.iter().find(|r| r.state == State::NotStarted) {
                    d = d.with_note(format!(
                        "not started: {} ({})",
                        count(not_started, "target"),
                        r.reason.as_deref().unwrap_or_default()
                    ));
                }
                let d = d.with_help(format!(
                    "a run on many targets is not atomic: the others stay where they are. Fix \
                     the failed {}, then run the same command again: targets already there do \
                     nothing",
                    if failed == 1 { "target" } else { "targets" }
                ));
                let _ = writeln!(
                    std::io::stderr(),
                    "{}",
                    d.render(&retort_core::source::Sources::new())
                );
            }
        }
    }
    status
}

/// `upgrade` or `downgrade` on every target.
pub fn run_move(
    ctx: &Ctx,
    fleet: &Fleet,
    set: &MigrationSet,
    goal: &Goal,
    direction: Direction,
    dry_run: bool,
    format: Format,
) -> Status {
    let verb = match direction {
        Direction::Up => "upgrade",
        Direction::Down => "downgrade",
    };
    let started = Instant::now();
    let reports = run_all(ctx, fleet, format, verb, |target| {
        let r = Report::new(target);
        let mut client = match connect(target) {
            Ok(c) => c,
            Err(f) => return r.failed(target, &f.text),
        };
        let config = target.runtime_config(&ctx.config);
        let status = |client: &mut postgres::Client| {
            Migrator::new(set)
                .with_config(config.clone())
                .status(client)
                .ok()
                .map(|s| s.current)
        };
        let mut r = r;
        r.from = status(&mut client);
        let steps: Arc<Mutex<Vec<Step>>> = Arc::default();
        let result = {
            let seen = Arc::clone(&steps);
            let mut m = Migrator::new(set)
                .with_config(config.clone())
                .dry_run(dry_run)
                .on_progress(move |_, _, step| {
                    if let Some(s) = step {
                        seen.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(s.clone());
                    }
                });
            match direction {
                Direction::Up => m.upgrade(&mut client, goal),
                Direction::Down => m.downgrade(&mut client, goal),
            }
        };
        r.to = status(&mut client);
        r.steps = std::mem::take(&mut *steps.lock().unwrap_or_else(|e| e.into_inner()));
        match result {
            Ok(done) => {
                r.steps = done;
                r
            }
            Err(e) => r.failed(target, &e.render()),
        }
    });
    finish(&reports, format, verb, started, serde_json::Map::new())
}

/// `stamp TARGET` on every target.
pub fn stamp(ctx: &Ctx, fleet: &Fleet, set: &MigrationSet, goal: &Goal, format: Format) -> Status {
    let started = Instant::now();
    let reports = run_all(ctx, fleet, format, "stamp", |target| {
        let mut r = Report::new(target);
        let mut client = match connect(target) {
            Ok(c) => c,
            Err(f) => return r.failed(target, &f.text),
        };
        let mut m = Migrator::new(set).with_config(target.runtime_config(&ctx.config));
        r.from = m.status(&mut client).ok().map(|s| s.current);
        let result = m.stamp(&mut client, goal);
        r.to = m.status(&mut client).ok().map(|s| s.current);
        match result {
            Ok((added, removed)) => {
                r.extra.insert("recorded".into(), names(&added).into());
                r.extra.insert("removed".into(), names(&removed).into());
                r
            }
            Err(e) => r.failed(target, &e.render()),
        }
    });
    finish(&reports, format, "stamp", started, serde_json::Map::new())
}

/// What `current` and `check` say about a target's version table, as notes and JSON.
fn describe_status(r: &mut Report, s: &retort_runtime::Status) {
    let edited: Vec<String> = s
        .edited
        .iter()
        .map(|(r, _)| r.as_str().to_owned())
        .collect();
    for (what, items) in [
        ("pending", names(&s.pending)),
        ("unknown", names(&s.unknown)),
        ("edited", edited.clone()),
        ("interrupted", names(&s.interrupted)),
    ] {
        if !items.is_empty() {
            r.notes.push(format!("{what:<12} {}", items.join(", ")));
        }
    }
    r.extra.insert("in_sync".into(), s.is_in_sync().into());
    r.extra.insert("pending".into(), names(&s.pending).into());
    r.extra.insert("unknown".into(), names(&s.unknown).into());
    r.extra.insert("edited".into(), edited.into());
    r.extra
        .insert("interrupted".into(), names(&s.interrupted).into());
}

/// `current` on every target: where each is; a target that cannot be read fails.
pub fn current(ctx: &Ctx, fleet: &Fleet, set: &MigrationSet, format: Format) -> Status {
    let started = Instant::now();
    let reports = run_all(ctx, fleet, format, "current", |target| {
        let mut r = Report::new(target);
        let mut client = match connect(target) {
            Ok(c) => c,
            Err(f) => return r.failed(target, &f.text),
        };
        match Migrator::new(set)
            .with_config(target.runtime_config(&ctx.config))
            .status(&mut client)
        {
            Ok(s) => {
                r.from = Some(s.current.clone());
                r.to = Some(s.current.clone());
                describe_status(&mut r, &s);
                r
            }
            Err(e) => r.failed(target, &e.render()),
        }
    });
    finish(&reports, format, "current", started, serde_json::Map::new())
}

/// `check`'s database part on every target: in sync, and, for a database target, no drift
/// (a schema target's drift is not compared: the schema model knows one database's schemas,
/// not one schema standing for `public`). `model` gives the schema model at a revision.
pub fn check<M>(
    ctx: &Ctx,
    fleet: &Fleet,
    set: &MigrationSet,
    model: M,
    format: Format,
    extra: serde_json::Map<String, serde_json::Value>,
) -> Result<Status, Fail>
where
    M: Fn(&[Revision]) -> Result<Option<retort_core::schema::Catalog>, Fail> + Sync,
{
    let started = Instant::now();
    let reports = run_all(ctx, fleet, format, "check", |target| {
        let mut r = Report::new(target);
        let mut client = match connect(target) {
            Ok(c) => c,
            Err(f) => return r.failed(target, &f.text),
        };
        let config = target.runtime_config(&ctx.config);
        let s = match Migrator::new(set)
            .with_config(config.clone())
            .status(&mut client)
        {
            Ok(s) => s,
            Err(e) => return r.failed(target, &e.render()),
        };
        r.from = Some(s.current.clone());
        r.to = Some(s.current.clone());
        describe_status(&mut r, &s);
        if !s.is_in_sync() {
            r.state = State::NotInSync;
        }
        let settled = s.edited.is_empty() && s.unknown.is_empty() && s.interrupted.is_empty();
        if target.schema().is_some() {
            r.extra.insert("drift".into(), serde_json::Value::Null);
            return r;
        }
        let model = match settled.then(|| model(&s.current)) {
            Some(Ok(m)) => m,
            Some(Err(f)) => return r.failed(target, &f.text),
            None => None,
        };
        let Some(model) = model else {
            r.extra.insert("drift".into(), serde_json::Value::Null);
            return r;
        };
        match super::drift::drift(&mut client, target.url(), &config, &model) {
            Ok(drift) => {
                if !drift.is_empty() {
                    r.state = State::NotInSync;
                    r.notes.push(format!(
                        "error[{}]: {} made outside the migrations",
                        Code::DbDrift,
                        count(drift.len(), "change")
                    ));
                }
                for d in &drift {
                    r.notes.push(format!("  - {}", d.what));
                }
                r.extra.insert(
                    "drift".into(),
                    drift
                        .iter()
                        .map(|d| serde_json::json!({"what": d.what, "sql": d.sql}))
                        .collect::<Vec<_>>()
                        .into(),
                );
                r
            }
            Err(f) => r.failed(target, &f.text),
        }
    });
    Ok(finish(&reports, format, "check", started, extra))
}
