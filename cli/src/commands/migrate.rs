//! The commands that touch the database: `upgrade`, `downgrade`, `stamp`, `current`.

use std::collections::HashSet;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use retort_core::Revision;
use retort_core::codes::Code;
use retort_core::plan::History;
use retort_core::target::Target;
use retort_runtime::{Direction, Migrator, Step};

use super::{Ctx, Fail, Outcome, Status, count, fail, list, parse_target, runtime_fail};
use crate::cli::{Format, MoveArgs, ReadArgs, StampArgs};
use crate::outln;

const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// `1.2ms`, `530.8µs`, `2.3s`.
pub fn duration(d: Duration) -> String {
    format!("{d:.1?}")
}

/// The line of one step: `  applied  002 Add user email      1.1ms`.
fn step_line(step: &Step, width: usize, styled: bool) -> String {
    let verb = match (step.direction, step.skipped) {
        (_, true) => "skipped ",
        (Direction::Up, false) => "applied ",
        (Direction::Down, false) => "reverted",
    };
    let (on, off) = if styled {
        (
            if step.direction == Direction::Up {
                GREEN
            } else {
                YELLOW
            },
            RESET,
        )
    } else {
        ("", "")
    };
    let message: String = step.message.chars().take(width).collect();
    format!(
        "  {on}{verb}{off} {} {message:<width$} {:>9}",
        step.revision,
        duration(step.duration)
    )
}

/// What the progress line shows: the migration under way, since when, and whether its line
/// is on the screen.
#[derive(Default)]
struct Under {
    current: Option<(String, Instant)>,
    shown: bool,
}

/// On a terminal, a line for a migration that runs for more than half a second, with its
/// time so far, refreshed until it ends; fast runs never show it.
struct Ticker {
    under: Arc<Mutex<Under>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

const TICK_AFTER: Duration = Duration::from_millis(500);

impl Ticker {
    fn start() -> Ticker {
        let under = Arc::new(Mutex::new(Under::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (under, stop) = (Arc::clone(&under), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    let mut u = under.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some((label, since)) = &u.current
                        && since.elapsed() >= TICK_AFTER
                    {
                        let mut out = std::io::stdout().lock();
                        let _ = write!(
                            out,
                            "\r\x1b[2K  {label} … {:.1}s",
                            since.elapsed().as_secs_f64()
                        );
                        let _ = out.flush();
                        u.shown = true;
                    }
                }
            })
        };
        Ticker {
            under,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let u = self.under.lock().unwrap_or_else(|e| e.into_inner());
        if u.shown {
            let _ = write!(std::io::stdout(), "\r\x1b[2K");
        }
    }
}

/// A migrator with the project's settings, printing a line per step, and with a
/// [`Ticker`], the migration under way when it takes long.
fn migrator<'s>(
    ctx: &Ctx,
    set: &'s retort_core::MigrationSet,
    ticker: Option<&Ticker>,
) -> Migrator<'s> {
    let styled = ctx.styled_out;
    // Messages padded to the longest in the set (up to 48 characters), so times line up.
    let width = set
        .iter()
        .map(|m| m.message().chars().count())
        .max()
        .unwrap_or(0)
        .min(48);
    let under = ticker.map(|t| Arc::clone(&t.under));
    Migrator::new(set)
        .with_config(ctx.config.clone())
        .on_progress(move |migration, direction, step| {
            let mut guard = under
                .as_ref()
                .map(|u| u.lock().unwrap_or_else(|e| e.into_inner()));
            match step {
                None => {
                    if let Some(u) = guard.as_mut() {
                        let verb = match direction {
                            Direction::Up => "applying",
                            Direction::Down => "reverting",
                        };
                        u.current = Some((
                            format!("{verb} {} {}", migration.revision(), migration.message()),
                            Instant::now(),
                        ));
                    }
                }
                Some(step) => {
                    let mut out = std::io::stdout().lock();
                    if let Some(u) = guard.as_mut() {
                        if u.shown {
                            let _ = write!(out, "\r\x1b[2K");
                        }
                        u.current = None;
                        u.shown = false;
                    }
                    let _ = writeln!(out, "{}", step_line(step, width, styled));
                }
            }
        })
}

/// `TARGET` or `FROM:TO` (the latter only with `--sql`).
fn split_range(text: &str, sql: bool) -> Result<(Option<Target>, Target), Fail> {
    match text.split_once(':') {
        Some((from, to)) => {
            if !sql {
                return Err(fail(
                    Status::Usage,
                    Code::CliBadArgument,
                    format!("a range `{text}` is only for `--sql`"),
                    Some(format!(
                        "online, the database says where it is: give only the target, `{to}`"
                    )),
                ));
            }
            let from = if from.is_empty() {
                None
            } else {
                Some(parse_target(from)?)
            };
            Ok((from, parse_target(to)?))
        }
        None => Ok((None, parse_target(text)?)),
    }
}

/// `retort upgrade [TARGET] [--sql | --dry-run]`.
pub fn upgrade(ctx: &Ctx, args: &MoveArgs) -> Outcome {
    run_move(ctx, args, Direction::Up)
}

/// `retort downgrade TARGET [--sql | --dry-run]`.
pub fn downgrade(ctx: &Ctx, args: &MoveArgs) -> Outcome {
    run_move(ctx, args, Direction::Down)
}

fn run_move(ctx: &Ctx, args: &MoveArgs, direction: Direction) -> Outcome {
    let (up, name) = match direction {
        Direction::Up => (true, "upgrade"),
        Direction::Down => (false, "downgrade"),
    };
    let text = match (&args.target, up) {
        (Some(t), _) => t.clone(),
        (None, true) => "head".to_owned(),
        (None, false) => {
            return Err(fail(Status::Usage, Code::CliBadArgument,
                "`retort downgrade` needs a target",
                Some("`retort downgrade -1` reverts the last revision, `retort downgrade base` all of them".to_owned()),
            ));
        }
    };
    let (from, target) = split_range(&text, args.sql)?;
    let set = ctx.set()?;
    if args.sql {
        let m = Migrator::new(&set).with_config(ctx.config.clone());
        let script = if up {
            m.upgrade_script(from.as_ref(), &target)
        } else {
            m.downgrade_script(from.as_ref(), &target)
        }
        .map_err(|e| runtime_fail(&e))?;
        outln!("{}", script.trim_end());
        return Ok(Status::Success);
    }
    if let Some(fleet) = ctx.fleet_for(args.format)? {
        return Ok(super::fleet::run_move(
            ctx,
            &fleet,
            &set,
            &target,
            direction,
            args.dry_run,
            args.format,
        ));
    }
    let mut client = ctx.connect()?;
    let started = Instant::now();
    let ticker = ctx.out_tty.then(Ticker::start);
    let mut m = migrator(ctx, &set, ticker.as_ref()).dry_run(args.dry_run);
    let steps = if up {
        m.upgrade(&mut client, &target)
    } else {
        m.downgrade(&mut client, &target)
    };
    drop(m);
    drop(ticker);
    let steps = steps.map_err(|e| runtime_fail(&e))?;
    let status = Migrator::new(&set)
        .with_config(ctx.config.clone())
        .status(&mut client)
        .map_err(|e| runtime_fail(&e))?;
    let at = if status.current.is_empty() {
        "base".to_owned()
    } else {
        status
            .current
            .iter()
            .map(Revision::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (b, r) = if ctx.styled_out {
        (BOLD, RESET)
    } else {
        ("", "")
    };
    if steps.is_empty() {
        outln!("nothing to {name}: the database is at {b}{at}{r}");
    } else if args.dry_run {
        outln!(
            "dry run: {} {}, then rolled back; nothing was changed (the database is at {b}{at}{r})",
            count(steps.len(), "migration"),
            if up { "applied" } else { "reverted" }
        );
    } else {
        outln!(
            "{}d to {b}{at}{r}: {} in {}",
            name,
            count(steps.len(), "migration"),
            duration(started.elapsed())
        );
    }
    Ok(Status::Success)
}

/// `retort stamp TARGET`.
pub fn stamp(ctx: &Ctx, args: &StampArgs) -> Outcome {
    let Some(text) = args.target.as_deref() else {
        return Err(fail(
            Status::Usage,
            Code::CliBadArgument,
            "`retort stamp` needs a target or `--adopt TOOL`",
            Some("write `retort stamp head`, or `retort stamp --adopt sqlx`".to_owned()),
        ));
    };
    let target = parse_target(text)?;
    let set = ctx.set()?;
    if let Some(fleet) = ctx.fleet_for(args.format)? {
        return Ok(super::fleet::stamp(ctx, &fleet, &set, &target, args.format));
    }
    let mut client = ctx.connect()?;
    let (added, removed) = Migrator::new(&set)
        .with_config(ctx.config.clone())
        .stamp(&mut client, &target)
        .map_err(|e| runtime_fail(&e))?;
    let status = Migrator::new(&set)
        .with_config(ctx.config.clone())
        .status(&mut client)
        .map_err(|e| runtime_fail(&e))?;
    let at = if status.current.is_empty() {
        "base".to_owned()
    } else {
        list(&status.current)
    };
    outln!(
        "stamped {at}: recorded {} as applied, {} as not applied; no SQL was run",
        list(&added),
        list(&removed)
    );
    Ok(Status::Success)
}

/// `retort current [--format json]`.
pub fn current(ctx: &Ctx, args: &ReadArgs) -> Outcome {
    let set = ctx.set()?;
    if let Some(fleet) = &ctx.fleet {
        return Ok(super::fleet::current(ctx, fleet, &set, args.format));
    }
    let mut client = ctx.connect()?;
    let status = Migrator::new(&set)
        .with_config(ctx.config.clone())
        .status(&mut client)
        .map_err(|e| runtime_fail(&e))?;
    let heads: HashSet<Revision> = History::from_set(&set)
        .map(|h| h.heads().into_iter().collect())
        .unwrap_or_default();
    let message = |r: &Revision| {
        set.get(r.as_str()).map_or_else(
            || {
                status
                    .applied
                    .iter()
                    .find(|row| &row.revision == r)
                    .map_or_else(String::new, |row| row.message.clone())
            },
            |m| m.message().to_owned(),
        )
    };
    match args.format {
        Format::Json => {
            let current: Vec<serde_json::Value> = status
                .current
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "revision": r.as_str(),
                        "message": message(r),
                        "head": heads.contains(r),
                        "known": set.get(r.as_str()).is_some(),
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "current": current,
                "pending": status.pending.iter().map(Revision::as_str).collect::<Vec<_>>(),
                "in_sync": status.is_in_sync(),
            });
            outln!("{doc:#}");
        }
        Format::Text => {
            if status.current.is_empty() {
                eprintln!("note: no revision is applied: the database is at base");
            }
            for r in &status.current {
                let mut flags = String::new();
                if heads.contains(r) {
                    flags.push_str(" (head)");
                }
                if set.get(r.as_str()).is_none() {
                    flags.push_str(" (unknown to these migrations)");
                }
                outln!("{r}{flags}, {}", message(r));
            }
            if !status.pending.is_empty() {
                eprintln!(
                    "note: {} pending: `retort upgrade` applies {}",
                    count(status.pending.len(), "revision"),
                    if status.pending.len() == 1 {
                        "it"
                    } else {
                        "them"
                    }
                );
            }
        }
    }
    Ok(Status::Success)
}
