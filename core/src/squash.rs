//! The build's checks of squash checkpoints (files with `replaces: <first>..<last>`, see
//! [`crate::checkpoint`]): the range each one names can be stood for, and its up, replayed
//! from nothing, gives the schema the model has at `<last>`.

use std::collections::HashSet;

use crate::codes::Code;
use crate::diagnostic::Diagnostic;
use crate::file::MigrationFile;
use crate::file_graph::FileGraph;
use crate::graph::GraphProblem;
use crate::schema::SchemaReport;
use crate::schema::diff::{DiffOptions, Renames, diff, render_change};

/// How many differences a message names.
const SHOWN: usize = 5;

/// Checks every checkpoint's range and equivalence, appending the errors to `diags`.
pub fn check(
    files: &[MigrationFile],
    fg: &FileGraph,
    schema: &SchemaReport,
    diags: &mut Vec<Diagnostic>,
) {
    let graph = &fg.graph;
    let dangling: HashSet<usize> = fg
        .problems
        .iter()
        .filter_map(|p| match p {
            GraphProblem::Dangling { node, .. } => Some(*node),
            _ => None,
        })
        .collect();
    for (k, rep) in &fg.checkpoints {
        let f = &files[fg.file_of(*k)];
        let Some(value) = f.replaces.as_ref() else {
            continue;
        };
        let at = |msg: String, label: &str| {
            Diagnostic::error(Code::GraphCheckpointRange, msg).at(
                f.file,
                value.range.clone(),
                label,
            )
        };
        let me = &graph.nodes()[*k].revision;
        if f.down_revisions.as_ref().is_some_and(|p| !p.is_empty()) {
            diags.push(
                Diagnostic::error(
                    Code::GraphCheckpointRange,
                    format!("checkpoint `{me}` has a parent"),
                )
                .at(
                    f.file,
                    f.down_revision_value.clone().unwrap_or(0..0),
                    "a checkpoint builds the schema from nothing",
                )
                .with_help("write `down_revision: none`"),
            );
            continue;
        }
        let Some(last) = graph.find(rep.last.as_str()) else {
            if graph.find(rep.first.as_str()).is_some() {
                diags.push(
                    at(
                        format!(
                            "the range `{}..{}` is partly deleted: `{}` is gone, `{}` is not",
                            rep.first, rep.last, rep.last, rep.first
                        ),
                        "names a range with a hole",
                    )
                    .with_help("delete the replaced files all together, or none of them"),
                );
            }
            continue;
        };
        let range = graph.ancestors(last);
        let roots: Vec<usize> = (0..range.len())
            .filter(|&n| range[n] && graph.nodes()[n].parents.is_empty())
            .collect();
        if let Some(&hole) = (0..range.len())
            .find(|n| range[*n] && dangling.contains(n))
            .as_ref()
        {
            diags.push(
                at(
                    format!(
                        "the range `{}..{}` is partly deleted: `{}` names a parent that is gone",
                        rep.first,
                        rep.last,
                        graph.nodes()[hole].revision
                    ),
                    "names a range with a hole",
                )
                .with_help("delete the replaced files all together, or none of them"),
            );
            continue;
        }
        let root_names: Vec<String> = roots
            .iter()
            .map(|&n| format!("`{}`", graph.nodes()[n].revision))
            .collect();
        if roots.len() != 1 || graph.nodes()[roots[0]].revision != rep.first {
            diags.push(
                at(
                    format!(
                        "`{}` is not the root that `{}` descends from ({})",
                        rep.first,
                        rep.last,
                        root_names.join(", ")
                    ),
                    "not the range's root",
                )
                .with_help("a checkpoint replaces its last revision and everything before it"),
            );
            continue;
        }
        // Only the last revision's children may follow the range.
        let mut branched = false;
        for (n, node) in graph.nodes().iter().enumerate() {
            if range[n] || n == *k || graph.is_excluded(n) {
                continue;
            }
            if let Some(&p) = node.parents.iter().find(|&&p| range[p] && p != last) {
                diags.push(
                    at(
                        format!(
                            "`{}` follows `{}`, inside the range `{}..{}`",
                            node.revision,
                            graph.nodes()[p].revision,
                            rep.first,
                            rep.last
                        ),
                        "a branch leaves the range here",
                    )
                    .with_help(
                        "only children of the range's last revision can follow a checkpoint; \
                         squash to a revision after the branch is merged",
                    ),
                );
                branched = true;
                break;
            }
        }
        if branched {
            continue;
        }
        // The equivalence: the checkpoint's schema is the schema at `last`.
        let (Some(mine), Some(theirs)) = (
            schema.catalogs[fg.file_of(*k)].as_ref(),
            schema.catalogs[fg.file_of(last)].as_ref(),
        ) else {
            continue;
        };
        let d = diff(
            mine,
            theirs,
            &Renames::none(),
            DiffOptions { allow_drop: true },
        );
        if d.is_empty() {
            continue;
        }
        let mut diag = Diagnostic::error(
            Code::SchemaCheckpointDiffers,
            format!(
                "checkpoint `{me}` does not build the schema at `{}`: {} difference{}",
                rep.last,
                d.changes.len(),
                if d.changes.len() == 1 { "" } else { "s" }
            ),
        )
        .at(
            f.file,
            value.range.clone(),
            "replayed from nothing, its up differs",
        );
        for c in d.changes.iter().take(SHOWN) {
            diag = diag.with_note(format!(
                "to reach `{}` it would still need: {}",
                rep.last,
                render_change(c).trim()
            ));
        }
        if d.changes.len() > SHOWN {
            diag = diag.with_note(format!("and {} more", d.changes.len() - SHOWN));
        }
        diags.push(diag.with_help(format!(
            "write the checkpoint again with `retort squash --to {}`",
            rep.last
        )));
    }
}

#[cfg(test)]
mod tests {
    use crate::check::{Input, Options, check_texts};

    fn file(rev: &str, parent: &str, extra: &str, up: &str) -> Input {
        Input {
            name: format!("{rev}_m.sql"),
            text: format!(
                "-- revision: {rev}\n-- down_revision: {parent}\n{extra}\n-- migrate:up\n{up}\n"
            ),
        }
    }

    fn range() -> Vec<Input> {
        vec![
            file(
                "1",
                "none",
                "-- irreversible: test",
                "CREATE TABLE t (id int);",
            ),
            file(
                "2",
                "1",
                "-- irreversible: test",
                "ALTER TABLE t ADD COLUMN b text;",
            ),
            file(
                "3",
                "2",
                "-- irreversible: test",
                "CREATE TABLE u (id int);",
            ),
        ]
    }

    fn checkpoint(up: &str) -> Input {
        file(
            "9",
            "none",
            "-- replaces: 1..2\n-- irreversible: checkpoint",
            up,
        )
    }

    fn codes(inputs: &[Input]) -> Vec<String> {
        check_texts(inputs, "migrations", &Options::default())
            .errors()
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect()
    }

    #[test]
    fn a_checkpoint_beside_its_range_passes_and_is_no_second_root_or_head() {
        let mut inputs = range();
        inputs.push(checkpoint("CREATE TABLE t (id int, b text);"));
        assert_eq!(codes(&inputs), Vec::<String>::new());
        let report = check_texts(&inputs, "migrations", &Options::default());
        let set = report.to_set().expect("a set");
        let heads: Vec<&str> = set.heads().iter().map(|r| r.as_str()).collect();
        assert_eq!(heads, ["3"]);
    }

    #[test]
    fn a_checkpoint_that_builds_another_schema_is_an_error_naming_the_difference() {
        let mut inputs = range();
        inputs.push(checkpoint("CREATE TABLE t (id int);"));
        let errors = codes(&inputs);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with(
                "schema-checkpoint-differs: checkpoint `9` does not build the schema at `2`: 1 difference"
            ),
            "{errors:?}"
        );
        let report = check_texts(&inputs, "migrations", &Options::default());
        let d = report.errors().next().expect("an error");
        assert!(
            d.notes.iter().any(|n| n.contains("ADD COLUMN b text")),
            "{:?}",
            d.notes
        );
    }

    #[test]
    fn with_the_range_deleted_the_child_follows_the_checkpoint() {
        let inputs = vec![
            checkpoint("CREATE TABLE t (id int, b text);"),
            file(
                "3",
                "2",
                "-- irreversible: test",
                "ALTER TABLE t ADD COLUMN c int;",
            ),
        ];
        assert_eq!(codes(&inputs), Vec::<String>::new());
        let report = check_texts(&inputs, "migrations", &Options::default());
        let set = report.to_set().expect("a set");
        let parents: Vec<&str> = set
            .get("3")
            .expect("3")
            .down_revisions()
            .iter()
            .map(|r| r.as_str())
            .collect();
        assert_eq!(parents, ["9"]);
        // The child's replay starts from the checkpoint's schema: `t.b` is known there.
        let inputs = vec![
            checkpoint("CREATE TABLE t (id int, b text);"),
            file(
                "3",
                "2",
                "-- irreversible: test",
                "ALTER TABLE t DROP COLUMN b;",
            ),
        ];
        assert_eq!(codes(&inputs), Vec::<String>::new());
    }

    #[test]
    fn a_branch_off_the_middle_of_the_range_is_refused() {
        let mut inputs = range();
        inputs.push(file(
            "4",
            "1",
            "-- irreversible: test",
            "CREATE TABLE v (id int);",
        ));
        inputs.push(file("5", "3, 4", "-- irreversible: test", ""));
        inputs.push(checkpoint("CREATE TABLE t (id int, b text);"));
        let errors = codes(&inputs);
        assert!(
            errors.contains(
                &"graph-checkpoint-range: `4` follows `1`, inside the range `1..2`".to_owned()
            ),
            "{errors:?}"
        );
    }

    #[test]
    fn a_checkpoint_with_a_parent_or_a_wrong_root_is_refused() {
        let mut inputs = range();
        inputs.push(file(
            "9",
            "3",
            "-- replaces: 1..2\n-- irreversible: checkpoint",
            "",
        ));
        assert!(
            codes(&inputs)
                .iter()
                .any(|e| e == "graph-checkpoint-range: checkpoint `9` has a parent")
        );
        let mut inputs = range();
        inputs.push(file(
            "9",
            "none",
            "-- replaces: 2..3\n-- irreversible: checkpoint",
            "CREATE TABLE t (id int, b text); CREATE TABLE u (id int);",
        ));
        let errors = codes(&inputs);
        assert!(
            errors.iter().any(|e| e
                .starts_with("graph-checkpoint-range: `2` is not the root that `3` descends from")),
            "{errors:?}"
        );
    }
}
