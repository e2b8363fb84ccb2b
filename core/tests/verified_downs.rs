//! What a previous check recorded only saves work, as a property: for generated histories and
//! a generated change to them (an up or a down section edited, a revision added or removed at
//! the head), checking the changed directory with what the check of the first one recorded
//! (`check_dir_verified`: SQL digests, and down sections by lineage; `check_dir_resumed`: the
//! catalog at the head too, `retort_core::resume`) reports exactly what a check from scratch
//! reports. The sections are right or wrong at random (a down that does not undo its up, a
//! statement about a table that is not there), so both verdicts occur.
//!
//! 128 cases a property by default; `RETORT_PROPTEST_CASES=2000` runs more.

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use retort_core::check::{
    Input, Options, Report, check_dir_resumed, check_dir_verified, check_texts,
};
use retort_core::resume::Resume;

/// One schema change and what a down section does about it.
#[derive(Clone, Debug)]
struct Step {
    /// Create a table, add a column to one, index one, or add it the column `x`.
    kind: u8,
    /// Which of the tables made so far it is about.
    target: u8,
    /// What the down section does: undo it (mostly), undo it and drop `x` if it is there,
    /// nothing, or drop a table.
    down: u8,
}

/// A step whose down section undoes it.
fn undone(kind: u8, target: u8) -> Step {
    Step {
        kind,
        target,
        down: 0,
    }
}

fn step() -> impl Strategy<Value = Step> {
    (0u8..4, any::<u8>(), 0u8..8).prop_map(|(kind, target, down)| Step { kind, target, down })
}

/// The migration files of a chain of revisions, each with its steps. Names come from the
/// revision and the step, so an up section is right unless an edit made it wrong. The files
/// of revisions from `early_from` on are named to sort before the others.
fn files(revisions: &[Vec<Step>], early_from: usize) -> Vec<Input> {
    let mut tables: Vec<String> = Vec::new();
    revisions
        .iter()
        .enumerate()
        .map(|(n, steps)| {
            let parent = if n == 0 {
                "none".to_owned()
            } else {
                format!("{:03}", n - 1)
            };
            let mut up = String::new();
            let mut downs = Vec::new();
            for (k, s) in steps.iter().enumerate() {
                let on = (!tables.is_empty()).then(|| tables[s.target as usize % tables.len()].clone());
                let (stmt, undo) = match (s.kind, on) {
                    (1, Some(t)) => (
                        format!("ALTER TABLE {t} ADD c{n}_{k} int;"),
                        format!("ALTER TABLE {t} DROP c{n}_{k};"),
                    ),
                    (2, Some(t)) => (
                        format!("CREATE INDEX i{n}_{k} ON {t} (id);"),
                        format!("DROP INDEX i{n}_{k};"),
                    ),
                    // A column of a fixed name, which a down section below may drop too.
                    (3, Some(t)) => (
                        format!("ALTER TABLE {t} ADD x int;"),
                        format!("ALTER TABLE {t} DROP x;"),
                    ),
                    _ => {
                        tables.push(format!("t{n}_{k}"));
                        (
                            format!("CREATE TABLE t{n}_{k} (id int);"),
                            format!("DROP TABLE t{n}_{k};"),
                        )
                    }
                };
                up.push_str(&stmt);
                up.push('\n');
                let on = &tables[s.target as usize % tables.len()];
                downs.push(match s.down {
                    // Right as long as no ancestor gave the table an `x`.
                    5 => format!("{undo}\nALTER TABLE {on} DROP IF EXISTS x;"),
                    6 => "SELECT 1;".to_owned(),
                    7 => format!("DROP TABLE IF EXISTS {on};"),
                    _ => undo,
                });
            }
            let down: String = downs.iter().rev().map(|d| format!("{d}\n")).collect();
            Input {
                name: if n >= early_from {
                    format!("00{n:03}_new.sql")
                } else {
                    format!("{n:03}_m.sql")
                },
                text: format!(
                    "-- revision: {n:03}\n-- down_revision: {parent}\n\n-- migrate:up\n{up}\n-- migrate:down\n{down}"
                ),
            }
        })
        .collect()
}

/// A change to a history.
#[derive(Clone, Debug)]
enum Change {
    /// The up section of revision `at` (modulo their count) gets another step.
    EditUp(usize, Step),
    /// The down section of revision `at` is written from `step` instead.
    EditDown(usize, u8),
    /// A revision added at the head.
    Add(Vec<Step>),
    /// The head revision removed.
    RemoveHead,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0usize..8, step()).prop_map(|(at, s)| Change::EditUp(at, s)),
        (0usize..8, 0u8..8).prop_map(|(at, d)| Change::EditDown(at, d)),
        prop::collection::vec(step(), 1..3).prop_map(Change::Add),
        Just(Change::RemoveHead),
    ]
}

fn apply(mut revisions: Vec<Vec<Step>>, change: &Change) -> Vec<Vec<Step>> {
    let n = revisions.len();
    match change {
        Change::EditUp(at, s) => revisions[at % n].push(s.clone()),
        Change::EditDown(at, d) => {
            for s in &mut revisions[at % n] {
                s.down = *d;
            }
        }
        Change::Add(steps) => revisions.push(steps.clone()),
        Change::RemoveHead if n > 1 => {
            revisions.pop();
        }
        Change::RemoveHead => {}
    }
    revisions
}

/// Checks `inputs` written to a directory of their own, with what a previous check recorded:
/// its digests, and, with `resume`, the catalog at its head.
fn check_written(inputs: &[Input], previous: &Report, resume: bool) -> Report {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "retort-verified-downs-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    for i in inputs {
        std::fs::write(dir.join(&i.name), &i.text).expect("write a migration");
    }
    let options = Options::default();
    let report = if resume {
        // Through the stored form, as the build script keeps it.
        let record = Resume::of(previous, &options).and_then(|r| Resume::from_bytes(&r.to_bytes()));
        check_dir_resumed(
            &dir,
            "migrations",
            &options,
            &previous.verified,
            record.as_ref(),
        )
    } else {
        check_dir_verified(&dir, "migrations", &options, &previous.verified)
    };
    let _ = std::fs::remove_dir_all(&dir);
    report
}

fn cases() -> u32 {
    std::env::var("RETORT_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn a_check_with_what_the_last_one_recorded_reports_what_a_fresh_one_does(
        revisions in prop::collection::vec(prop::collection::vec(step(), 1..4), 1..7),
        changes in prop::collection::vec(change(), 1..3),
        early in any::<bool>(),
    ) {
        let before = check_texts(&files(&revisions, usize::MAX), "migrations", &Options::default());
        let early_from = if early { revisions.len() } else { usize::MAX };
        let mut changed = revisions;
        for c in &changes {
            changed = apply(changed, c);
        }
        let after = files(&changed, early_from);
        let fresh = check_texts(&after, "migrations", &Options::default());
        for resume in [false, true] {
            let again = check_written(&after, &before, resume);
            prop_assert_eq!(again.render(), fresh.render());
            prop_assert_eq!(again.has_errors(), fresh.has_errors());
            // And what it records is what a fresh check records.
            prop_assert_eq!(&again.verified, &fresh.verified);
            prop_assert_eq!(head_catalog(&again), head_catalog(&fresh));
            let record = |r: &Report| Resume::of(r, &Options::default()).map(|r| r.to_bytes());
            prop_assert_eq!(record(&again), record(&fresh));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// The case the record is for: a history whose check passed grows at its head (the new
    /// revisions right or wrong, named to sort after the others or before them).
    #[test]
    fn a_history_grown_at_its_head_reports_what_a_fresh_check_does(
        revisions in prop::collection::vec(prop::collection::vec(
            (0u8..4, any::<u8>()).prop_map(|(kind, target)| Step { kind, target, down: 0 }),
            1..4,
        ), 1..7),
        added in prop::collection::vec(prop::collection::vec(step(), 1..3), 1..3),
        early in any::<bool>(),
    ) {
        let before = check_texts(&files(&revisions, usize::MAX), "migrations", &Options::default());
        prop_assume!(!before.has_errors());
        let early_from = if early { revisions.len() } else { usize::MAX };
        let mut grown = revisions.clone();
        grown.extend(added);
        let after = files(&grown, early_from);
        let fresh = check_texts(&after, "migrations", &Options::default());
        let again = check_written(&after, &before, true);
        prop_assert_eq!(again.schema.stats.resumed, revisions.len());
        prop_assert_eq!(again.render(), fresh.render());
        prop_assert_eq!(&again.verified, &fresh.verified);
        prop_assert_eq!(head_catalog(&again), head_catalog(&fresh));
    }
}

/// The catalog at the single head, as text (`Debug` shows what `PartialEq` ignores).
fn head_catalog(report: &Report) -> Option<String> {
    let heads = report.graph.heads();
    let [head] = heads.as_slice() else {
        return None;
    };
    let catalog = report.schema.catalogs[report.graph.file_of(*head)].as_ref()?;
    Some(format!("{catalog:?}"))
}

/// Three revisions that pass, the second with an index that is linted.
fn three_revisions() -> Vec<Vec<Step>> {
    vec![
        vec![undone(0, 0)],
        vec![undone(2, 0), undone(1, 0)],
        vec![undone(0, 0), undone(3, 1)],
    ]
}

/// A migration added at the head is the only one the check with a record replays, and it
/// reports what a fresh check does: the old revisions' lint warnings included.
#[test]
fn a_migration_added_at_the_head_is_the_only_one_replayed() {
    let revisions = three_revisions();
    let before = check_texts(
        &files(&revisions, usize::MAX),
        "migrations",
        &Options::default(),
    );
    assert!(!before.has_errors(), "{}", before.render());
    assert!(before.warnings().count() > 0, "the index is linted");
    for early_from in [usize::MAX, 3] {
        let mut grown = revisions.clone();
        grown.push(vec![undone(2, 1)]);
        let after = files(&grown, early_from);
        let fresh = check_texts(&after, "migrations", &Options::default());
        let resumed = check_written(&after, &before, true);
        assert_eq!(resumed.schema.stats.resumed, 3);
        assert_eq!(resumed.render(), fresh.render());
        assert_eq!(head_catalog(&resumed), head_catalog(&fresh));
        // An edited first revision: everything is replayed.
        let mut edited = after.clone();
        edited[if early_from == 3 { 1 } else { 0 }]
            .text
            .push_str("\n-- edited\n");
        let again = check_written(&edited, &before, true);
        assert_eq!(again.schema.stats.resumed, 0);
    }
}

/// The newest migration edited, again and again, as one is written: each check starts after
/// its parent (the record keeps the catalog there too) and reports what a fresh check does,
/// the lint warnings of the revisions before it and of its new text included.
#[test]
fn an_edited_head_is_replayed_from_its_parent() {
    let base = three_revisions();
    let mut previous = check_texts(&files(&base, usize::MAX), "migrations", &Options::default());
    assert!(!previous.has_errors(), "{}", previous.render());
    // Three edits of the head, each checked with the record the check before left.
    for head in [
        vec![undone(0, 0), undone(3, 1), undone(2, 1)],
        vec![undone(2, 1)],
        vec![undone(0, 0), undone(2, 0)],
    ] {
        let mut edited = base.clone();
        *edited.last_mut().expect("a head") = head;
        let inputs = files(&edited, usize::MAX);
        let fresh = check_texts(&inputs, "migrations", &Options::default());
        let resumed = check_written(&inputs, &previous, true);
        assert_eq!(resumed.schema.stats.resumed, 2, "the head's ancestors");
        assert_eq!(resumed.render(), fresh.render());
        assert_eq!(head_catalog(&resumed), head_catalog(&fresh));
        let record = |r: &Report| Resume::of(r, &Options::default()).map(|r| r.to_bytes());
        assert!(record(&resumed).is_some());
        assert_eq!(record(&resumed), record(&fresh));
        previous = resumed;
    }
    // The head's file gone and another head in its place, under another name: the same.
    let mut renamed = files(&base, usize::MAX);
    let last = renamed.last_mut().expect("a head");
    last.name = format!("9{}", last.name);
    let fresh = check_texts(&renamed, "migrations", &Options::default());
    let resumed = check_written(&renamed, &previous, true);
    assert_eq!(resumed.schema.stats.resumed, 2);
    assert_eq!(resumed.render(), fresh.render());
    // An edited parent: everything is replayed.
    let mut deeper = base.clone();
    deeper[1] = vec![undone(2, 0)];
    let inputs = files(&deeper, usize::MAX);
    let resumed = check_written(&inputs, &previous, true);
    assert_eq!(resumed.schema.stats.resumed, 0);
    assert_eq!(
        resumed.render(),
        check_texts(&inputs, "migrations", &Options::default()).render()
    );
}
