//! The autogenerate round trip on a real history: `roundtrip <dir> [<detail dir>]`.
//!
//! For every revision R of the retort migration directory `<dir>` (in graph order), the model's
//! catalog at R's parent is the start and the one at R the desired state; the differ writes
//! the migration between them (drops allowed; the renames it suspects annotated, as a user
//! would). On a throwaway PostgreSQL cluster (`retort-test-support`), one database follows the
//! real history revision by revision; for each R it is cloned at the parent (`CREATE DATABASE
//! … TEMPLATE`), the generated up applied to the clone and its catalog compared fact by fact
//! (`retort_bench::facts`) with the real R's, then the generated down applied and the result
//! compared with the parent's. Revisions whose model at R or at its parent is not fully
//! known are skipped, counted by reason. The tally goes to stdout, one line per
//! disagreement before it; with `<detail dir>`, each disagreement's SQL and facts go to a file
//! there. Not part of the test run: it needs a corpus.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use postgres::Client;
use retort_bench::facts::{self, Facts};
use retort_bench::roundtrip::{Comparison, Outcome, Section, Tally};
use retort_core::check::{Options, Report, check_dir};
use retort_core::schema::Catalog;
use retort_core::schema::ddl::unknown_parts;
use retort_core::schema::diff::{DiffOptions, Problem, Rename, Renames, diff, render};
use retort_core::sql::lex::split;
use retort_test_support::Cluster;

/// The database that follows the real history.
const MAIN: &str = "roundtrip_main";
/// The clone the generated SQL is applied to.
const CLONE: &str = "roundtrip_generated";
/// A schema no corpus uses: nothing to leave out of the facts.
const NO_SCHEMA: &str = "-";

/// A generated migration.
struct Generated {
    up: String,
    down: String,
    renames: usize,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: roundtrip <retort migration dir> [<detail dir>]");
        std::process::exit(2);
    };
    let detail = args.get(1).map(PathBuf::from);
    if let Some(d) = &detail
        && let Err(e) = std::fs::create_dir_all(d)
    {
        eprintln!("cannot create {}: {e}", d.display());
        std::process::exit(1);
    }
    let options = Options {
        allow_multiple_heads: true,
        allow_multiple_roots: true,
        ..Options::default()
    };
    let report = check_dir(Path::new(dir), "migrations", &options);
    let cluster = match retort_test_support::cluster() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("no PostgreSQL cluster: {e}");
            std::process::exit(1);
        }
    };
    match run(&report, cluster, detail.as_deref()) {
        Ok(tally) => print!("{}", tally.render(dir)),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

/// The round trip over every revision; an error stops it (the real history failing, the
/// server gone).
fn run(report: &Report, cluster: &Cluster, detail: Option<&Path>) -> Result<Tally, String> {
    let mut admin = cluster.connect().map_err(|e| e.to_string())?;
    recreate(&mut admin, MAIN, None)?;
    let mut parent_facts = with_db(cluster, MAIN, read_facts)?;
    let mut tally = Tally {
        revisions: report.order.len(),
        ..Tally::default()
    };
    let empty = Catalog::new();
    let mut at: Option<String> = None;
    let mut skipped = String::new();
    for &i in &report.order {
        let file = &report.files[i];
        let rev = file
            .revision
            .as_ref()
            .map(|r| r.value.to_string())
            .unwrap_or_default();
        let parents: Vec<String> = file
            .down_revisions
            .iter()
            .flatten()
            .map(|p| p.value.to_string())
            .collect();
        let parent_cat = match parents.first() {
            Some(p) => catalog_of(report, p),
            None => Some(&empty),
        };
        let known = if parents.len() > 1 || parents.first() != at.as_ref() {
            Err(Outcome::Skipped(
                "a merge or a revision off the main line".to_owned(),
            ))
        } else {
            match (parent_cat, report.schema.catalogs[i].as_ref()) {
                (Some(from), Some(to)) => match first_unknown(report, from, to) {
                    Some(why) => Err(Outcome::Skipped(why)),
                    None => Ok((from, to)),
                },
                _ => Err(Outcome::Skipped("no model (outside the graph)".to_owned())),
            }
        };
        let mut generated = None;
        let step = match known {
            Err(o) => Step::Done(o),
            Ok((from, to)) => match generate(from, to) {
                Err(problems) => Step::Done(Outcome::Refused(problems)),
                Ok(g) => {
                    tally.renames_annotated += usize::from(g.renames > 0);
                    let applied = apply_generated(&mut admin, cluster, &g, &parent_facts)?;
                    generated = Some(g);
                    applied
                }
            },
        };
        let real = match with_db(cluster, MAIN, |c| {
            apply_real(c, report, i).map_err(|e| postgres_text(&e))?;
            read_facts(c)
        }) {
            Ok(real) => real,
            Err(e) => {
                // Nothing after it can be compared: the rest is counted as not tried.
                let left = report.order.len() - tally.tried - tally.skipped.values().sum::<usize>();
                tally.stopped = Some((rev.clone(), e, left));
                break;
            }
        };
        let outcome = match step {
            Step::Applied(up_facts, down) => Outcome::Compared {
                up: compare(&up_facts, &real),
                down,
            },
            Step::Done(o) => o,
        };
        if !matches!(outcome, Outcome::Skipped(_))
            && !matches!(
                &outcome,
                Outcome::Compared {
                    up: Comparison::Same,
                    down: Ok(Comparison::Same)
                }
            )
        {
            println!("{rev}: {}", summary(&outcome));
            if let Some(d) = detail {
                write_detail(d, &rev, &outcome, generated.as_ref())?;
            }
        }
        if let (Outcome::Skipped(why), Some(d)) = (&outcome, detail) {
            skipped.push_str(&format!("{rev}: {why}\n"));
            std::fs::write(d.join("skipped.txt"), &skipped).map_err(|e| e.to_string())?;
        }
        tally.add(&outcome);
        parent_facts = real;
        at = Some(rev);
    }
    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {MAIN} WITH (FORCE)"));
    Ok(tally)
}

/// The catalog after the revision `rev`.
fn catalog_of<'r>(report: &'r Report, rev: &str) -> Option<&'r Catalog> {
    let i = report
        .files
        .iter()
        .position(|f| f.revision.as_ref().is_some_and(|r| r.value.as_str() == rev))?;
    report.schema.catalogs.get(i)?.as_ref()
}

/// The first part of `from` or `to` that the model does not know, if any.
fn first_unknown(report: &Report, from: &Catalog, to: &Catalog) -> Option<String> {
    [from, to]
        .into_iter()
        .flat_map(|c| unknown_parts(c, &report.sources))
        .map(|p| p.what)
        .next()
}

/// The migration from `from` to `to`, the renames it suspects annotated; or the problems
/// left.
fn generate(from: &Catalog, to: &Catalog) -> Result<Generated, Vec<String>> {
    let options = DiffOptions { allow_drop: true };
    let mut renames = Renames::none();
    // Each round annotates the renames the last one suspected; a rename can reveal another
    // (a column of a renamed table), so a few rounds.
    for _ in 0..4 {
        let d = diff(from, to, &renames, options);
        let suspects: Vec<Rename> = d
            .problems
            .iter()
            .filter_map(|p| match p {
                Problem::RenameSuspect { rename, .. } => Some(Rename {
                    kind: rename.clone(),
                    at: None,
                }),
                _ => None,
            })
            .collect();
        if suspects.is_empty() {
            if !d.problems.is_empty() {
                return Err(d
                    .problems
                    .iter()
                    .map(|p| p.to_diagnostic().message)
                    .collect());
            }
            let sections = render(&d);
            return Ok(Generated {
                up: sections.up,
                down: sections.down,
                renames: renames.items.len(),
            });
        }
        renames.items.extend(suspects);
    }
    Err(vec![
        "renames suspected after four rounds of annotations".to_owned(),
    ])
}

/// Where a revision stands before the real one is applied.
enum Step {
    /// Decided already (skipped, refused by the differ or by PostgreSQL).
    Done(Outcome),
    /// The generated up applied: the clone's facts, and how its down compared with the
    /// parent (or PostgreSQL's refusal of the down).
    Applied(Facts, Result<Comparison, String>),
}

/// Clones the main database (at the parent), applies the generated up and reads its facts,
/// applies the down and compares with the parent's.
fn apply_generated(
    admin: &mut Client,
    cluster: &Cluster,
    g: &Generated,
    parent: &Facts,
) -> Result<Step, String> {
    recreate(admin, CLONE, Some(MAIN))?;
    let result = with_db(cluster, CLONE, |c| {
        if let Err(e) = c.batch_execute(&g.up) {
            return Ok(Step::Done(Outcome::Rejected(
                Section::Up,
                postgres_text(&e),
            )));
        }
        let up_facts = read_facts(c)?;
        let down = match c.batch_execute(&g.down) {
            Err(e) => Err(postgres_text(&e)),
            Ok(()) => Ok(compare(&read_facts(c)?, parent)),
        };
        Ok::<_, String>(Step::Applied(up_facts, down))
    });
    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {CLONE} WITH (FORCE)"));
    result
}

/// Applies the real up section of `report.files[i]`: in one transaction, or statement by
/// statement for `transaction: false`.
fn apply_real(c: &mut Client, report: &Report, i: usize) -> Result<(), postgres::Error> {
    let file = &report.files[i];
    let Some(up) = &file.up else {
        return Ok(());
    };
    let text = &report.sources.get(file.file).text()[up.body.clone()];
    if file.transactional == Some(false) {
        for s in split(text) {
            c.batch_execute(&text[s.range])?;
        }
        Ok(())
    } else {
        let r = c.batch_execute(&format!("BEGIN;\n{text}\n;COMMIT;"));
        if r.is_err() {
            let _ = c.batch_execute("ROLLBACK");
        }
        r
    }
}

/// The generated side against the real one.
fn compare(generated: &Facts, real: &Facts) -> Comparison {
    let (generated_only, real_only) = facts::difference(generated, real);
    if generated_only.is_empty() && real_only.is_empty() {
        Comparison::Same
    } else {
        Comparison::Differs {
            generated_only,
            real_only,
        }
    }
}

/// Drops `name` and creates it again, empty or from `template`.
fn recreate(admin: &mut Client, name: &str, template: Option<&str>) -> Result<(), String> {
    let from = template
        .map(|t| format!(" TEMPLATE {t}"))
        .unwrap_or_default();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .and_then(|()| admin.batch_execute(&format!("CREATE DATABASE {name}{from}")))
        .map_err(|e| postgres_text(&e))
}

/// Runs `f` on a fresh connection to `db`, closed afterwards (a template must have none).
fn with_db<T>(
    cluster: &Cluster,
    db: &str,
    f: impl FnOnce(&mut Client) -> Result<T, String>,
) -> Result<T, String> {
    let mut c =
        Client::connect(&cluster.url_for(db), postgres::NoTls).map_err(|e| e.to_string())?;
    f(&mut c)
}

/// The facts of the database `c` is connected to.
fn read_facts(c: &mut Client) -> Result<Facts, String> {
    facts::read(c, NO_SCHEMA).map_err(|e| format!("reading the catalog: {}", postgres_text(&e)))
}

/// PostgreSQL's message, without the driver's prefix.
fn postgres_text(e: &postgres::Error) -> String {
    e.as_db_error()
        .map_or_else(|| e.to_string(), |d| d.message().to_owned())
}

/// One line for a disagreement.
fn summary(o: &Outcome) -> String {
    match o {
        Outcome::Skipped(why) => format!("skipped: {why}"),
        Outcome::Refused(p) => format!("differ refused: {}", p.join("; ")),
        Outcome::Rejected(s, e) => format!("PostgreSQL refused the generated {s:?}: {e}"),
        Outcome::Compared { up, down } => {
            let down = match down {
                Ok(Comparison::Same) => "same".to_owned(),
                Ok(c) => c.cause().label(),
                Err(e) => format!("refused: {e}"),
            };
            let up = match up {
                Comparison::Same => "same".to_owned(),
                c => c.cause().label(),
            };
            format!("up {up}; down {down}")
        }
    }
}

/// Writes a disagreement's SQL and differing facts to `<dir>/<rev>.txt`.
fn write_detail(dir: &Path, rev: &str, o: &Outcome, g: Option<&Generated>) -> Result<(), String> {
    let mut s = format!("{}\n\n", summary(o));
    if let Some(g) = g {
        let _ = write!(
            s,
            "-- generated up\n{}\n-- generated down\n{}\n",
            g.up, g.down
        );
    }
    let mut facts = |title: &str, c: &Comparison| {
        if let Comparison::Differs {
            generated_only,
            real_only,
        } = c
        {
            let _ = writeln!(s, "-- {title}: only after the generated SQL");
            for f in generated_only {
                let _ = writeln!(s, "+ {f}");
            }
            let _ = writeln!(s, "-- {title}: only after the real history");
            for f in real_only {
                let _ = writeln!(s, "- {f}");
            }
        }
    };
    if let Outcome::Compared { up, down } = o {
        facts("up", up);
        if let Ok(d) = down {
            facts("down", d);
        }
    }
    std::fs::write(dir.join(format!("{rev}.txt")), s).map_err(|e| e.to_string())
}
