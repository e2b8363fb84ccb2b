//! Statements that squawk's parser accepts but PostgreSQL's grammar refuses.
//!
//! Found by measurement: every truncation and every one-token deletion of the 6,132
//! statements of the crates.io and lemmy migrations (137,428 variants) went through squawk
//! and through PostgreSQL 15; 929 variants squawk accepted, PostgreSQL refused with a syntax
//! error. Each check here closes one shape of those, from the syntax tree. Each is written
//! so that a statement PostgreSQL accepts never matches (the same runs' 22,891 accepted
//! variants are the test of that).

use squawk_syntax::{SyntaxKind as K, SyntaxNode, SyntaxToken};

use super::syntax::SyntaxError;

/// Keywords PostgreSQL reserves, or allows only as type or function names
/// (`pg_get_keywords()` categories R and T): none of them can name a column or a
/// constraint without quotes.
pub(crate) const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
    "authorization",
    "binary",
    "collation",
    "concurrently",
    "cross",
    "current_schema",
    "freeze",
    "full",
    "ilike",
    "inner",
    "is",
    "isnull",
    "join",
    "left",
    "like",
    "natural",
    "notnull",
    "outer",
    "overlaps",
    "right",
    "similar",
    "tablesample",
    "verbose",
];

/// Column-name keywords that PostgreSQL does not accept as a type name on their own
/// (`double precision` is a type; `precision` is not).
const NOT_A_TYPE: &[&str] = &[
    "between",
    "coalesce",
    "exists",
    "extract",
    "greatest",
    "grouping",
    "inout",
    "least",
    "national",
    "none",
    "normalize",
    "nullif",
    "out",
    "overlay",
    "position",
    "precision",
    "row",
    "substring",
    "treat",
    "trim",
    "values",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// Returns the first gap found in the tree of one statement, if any.
pub fn find_gap(root: &SyntaxNode) -> Option<SyntaxError> {
    root.descendants().find_map(|node| check_node(&node))
}

fn err(message: impl Into<String>, range: std::ops::Range<usize>) -> Option<SyntaxError> {
    Some(SyntaxError {
        message: message.into(),
        range,
    })
}

fn range_of_node(n: &SyntaxNode) -> std::ops::Range<usize> {
    let r = n.text_range();
    usize::from(r.start())..usize::from(r.end())
}

fn range_of_token(t: &SyntaxToken) -> std::ops::Range<usize> {
    let r = t.text_range();
    usize::from(r.start())..usize::from(r.end())
}

/// An empty range just after a node.
fn after(n: &SyntaxNode) -> std::ops::Range<usize> {
    let end = usize::from(n.text_range().end());
    end..end
}

fn child(n: &SyntaxNode, kind: K) -> Option<SyntaxNode> {
    n.children().find(|c| c.kind() == kind)
}

fn has_token(n: &SyntaxNode, kind: K) -> bool {
    n.children_with_tokens().any(|c| c.kind() == kind)
}

/// The first token that is not trivia.
fn first_token(n: &SyntaxNode) -> Option<SyntaxToken> {
    n.descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .find(|t| !t.kind().is_trivia())
}

fn is_keyword_in(t: &SyntaxToken, list: &[&str]) -> bool {
    // Quoted identifiers and plain identifiers are never keywords.
    !matches!(t.kind(), K::IDENT)
        && !t.text().starts_with('"')
        && list.contains(&t.text().to_ascii_lowercase().as_str())
}

fn check_node(node: &SyntaxNode) -> Option<SyntaxError> {
    match node.kind() {
        K::ALTER_TABLE
            if node
                .children()
                .all(|c| matches!(c.kind(), K::IF_EXISTS | K::TABLE_RELATION_NAME)) =>
        {
            let at = node.children().last().map_or(0..0, |c| after(&c));
            err(
                "`ALTER TABLE` without an action: expected `ADD`, `ALTER`, `DROP`, `RENAME`, `SET`, … after the table name",
                at,
            )
        }
        K::DROP_TABLE if child(node, K::TABLE_NAME_REF).is_none() => {
            let end = node
                .children_with_tokens()
                .filter(|c| !c.kind().is_trivia() && c.kind() != K::SEMICOLON)
                .last()
                .map_or(0, |c| usize::from(c.text_range().end()));
            err("`DROP TABLE` without a table name", end..end)
        }
        K::CREATE_TABLE
            if [K::TABLE_ARG_LIST, K::PARTITION_OF, K::OF_TYPE]
                .iter()
                .all(|&k| child(node, k).is_none()) =>
        {
            let at = child(node, K::TABLE_NAME).map_or(0..0, |n| after(&n));
            err(
                "`CREATE TABLE` without a column list: expected `(` after the table name",
                at,
            )
        }
        K::FROM_ALIAS
            if child(node, K::TABLE_ALIAS).is_none()
                && child(node, K::COLUMN_DEF_LIST).is_none() =>
        {
            err("`AS` without an alias name", range_of_node(node))
        }
        K::DEFAULT_CONSTRAINT => {
            let expr = node.children().next()?;
            bad_default(&expr).then(|| SyntaxError {
                message: "this `DEFAULT` needs parentheses: in a column definition PostgreSQL takes \
                          only a simple expression after `DEFAULT` (was the default value left out?)"
                    .into(),
                range: range_of_node(&expr),
            })
        }
        K::PARTITION_ITEM
            if node
                .parent()
                .and_then(|p| p.parent())
                .is_some_and(|g| g.kind() == K::CREATE_INDEX)
                && node
                    .children()
                    .next()
                    .is_some_and(|c| c.kind() == K::TUPLE_EXPR) =>
        {
            err(
                "an index element cannot be a row `(a, b)`: list the columns separately (was a function name left out?)",
                range_of_node(&node.children().next()?),
            )
        }
        K::PREFIX_EXPR => {
            let op = child(node, K::CUSTOM_OP)?;
            let text: String = op.text().to_string();
            matches!(text.as_str(), "<>" | "!=" | "<=" | ">=").then(|| SyntaxError {
                message: format!("`{text}` needs a left operand"),
                range: range_of_node(&op),
            })
        }
        K::NULLS_NOT_DISTINCT if !has_token(node, K::DISTINCT_KW) => {
            err("`NULLS NOT` must be followed by `DISTINCT`", after(node))
        }
        K::CREATE_STATISTICS if child(node, K::STATISTICS_ON_CLAUSE).is_none() => {
            err("`CREATE STATISTICS` without `ON (…)`", range_of_node(node))
        }
        K::SELECT if child(node, K::FROM_CLAUSE).is_none() => {
            let star = child(node, K::SELECT_CLAUSE)
                .and_then(|c| child(&c, K::TARGET_LIST))
                .and_then(|l| {
                    l.children()
                        .filter(|t| t.kind() == K::TARGET && t.children().next().is_none())
                        .find_map(|t| t.children_with_tokens().find(|e| e.kind() == K::STAR))
                })?;
            let r = star.text_range();
            err(
                "`SELECT *` with no `FROM`: PostgreSQL does not allow it",
                usize::from(r.start())..usize::from(r.end()),
            )
        }
        K::OBJECT_COLUMN => {
            let name = child(node, K::QUALIFIED_COLUMN_NAME_REF)?;
            let path = child(&name, K::PATH_REF)?;
            (!has_token(&path, K::DOT)).then(|| SyntaxError {
                message: "`COMMENT ON COLUMN` needs the table too: `table.column`".into(),
                range: range_of_node(&name),
            })
        }
        K::COLUMN_NAME | K::COLUMN_NAME_REF | K::CONSTRAINT_NAME
            if node.parent().is_some_and(|p| {
                matches!(
                    p.kind(),
                    K::ADD_COLUMN
                        | K::DROP_COLUMN
                        | K::RENAME_COLUMN
                        | K::ALTER_COLUMN
                        | K::CONSTRAINT_NAME_CLAUSE
                        | K::COLUMN
                )
            }) =>
        {
            let tok = first_token(node)?;
            is_keyword_in(&tok, RESERVED).then(|| SyntaxError {
                message: format!(
                    "`{}` is a reserved word in PostgreSQL: quote it to use it as a name (`\"{}\"`)",
                    tok.text(),
                    tok.text().to_ascii_lowercase()
                ),
                range: range_of_token(&tok),
            })
        }
        K::PATH_TYPE => {
            let segs: Vec<SyntaxToken> = node
                .descendants_with_tokens()
                .filter_map(|e| e.into_token())
                .filter(|t| !t.kind().is_trivia())
                .collect();
            match segs.as_slice() {
                [only] if is_keyword_in(only, NOT_A_TYPE) => err(
                    format!("`{}` is not a type name", only.text()),
                    range_of_token(only),
                ),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Whether an unparenthesised column default is outside PostgreSQL's `b_expr`.
fn bad_default(expr: &SyntaxNode) -> bool {
    match expr.kind() {
        K::PREFIX_EXPR if has_token(expr, K::NOT_KW) => true,
        K::PREFIX_EXPR => expr
            .children()
            .last()
            .is_some_and(|inner| bad_default(&inner)),
        K::BETWEEN_EXPR => true,
        K::BIN_EXPR => expr.children_with_tokens().any(|c| {
            matches!(
                c.kind(),
                K::AND_KW
                    | K::OR_KW
                    | K::IS_KW
                    | K::LIKE_KW
                    | K::ILIKE_KW
                    | K::SIMILAR_KW
                    | K::IN_KW
            )
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::sql::syntax::check_statement;

    #[test]
    fn truncated_statements_postgres_refuses_are_caught() {
        for sql in [
            "ALTER TABLE post;",
            "ALTER TABLE IF EXISTS ONLY t;",
            "DROP TABLE ;",
            "DROP TABLE IF EXISTS;",
            "CREATE TABLE user_;",
            "CREATE UNLOGGED TABLE t5;",
            "SELECT * FROM t AS;",
            "ALTER TABLE t ADD COLUMN a int DEFAULT NOT NULL;",
            "ALTER TABLE t ADD COLUMN a int DEFAULT 1 IS NULL;",
            "CREATE TABLE t (a int DEFAULT a AND b);",
            "CREATE INDEX i ON t ((score, published) DESC, id);",
            "DELETE FROM t WHERE != 0;",
            "CREATE UNIQUE INDEX i ON t (a) NULLS NOT;",
            "CREATE STATISTICS s FROM t;",
            "CREATE VIEW v AS SELECT *;",
            "COMMENT ON COLUMN t IS 'x';",
            "ALTER TABLE t ADD COLUMN select int;",
            "ALTER TABLE t RENAME COLUMN a TO from;",
            "ALTER TABLE t ADD CONSTRAINT select UNIQUE (a);",
            "CREATE TABLE t (c precision);",
        ] {
            assert!(check_statement(sql).is_some(), "not caught: {sql}");
        }
    }

    #[test]
    fn the_valid_neighbours_pass() {
        for sql in [
            "ALTER TABLE t ADD COLUMN a int;",
            "DROP TABLE a, b CASCADE;",
            "CREATE TABLE t ();",
            "CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);",
            "CREATE TABLE t OF mytype;",
            "SELECT * FROM t AS x JOIN u y ON true;",
            "SELECT * FROM f() AS (z int);",
            "ALTER TABLE t ADD COLUMN a boolean DEFAULT (NOT false);",
            "ALTER TABLE t ALTER COLUMN a SET DEFAULT NOT false;",
            "ALTER TABLE t ADD COLUMN a int DEFAULT 1 + 2;",
            "CREATE INDEX i ON t ((lower(a)), b);",
            "DELETE FROM t WHERE a != 0;",
            "CREATE UNIQUE INDEX i ON t (a) NULLS NOT DISTINCT;",
            "CREATE STATISTICS s ON a, b FROM t;",
            "SELECT 1;",
            "SELECT t.* FROM t;",
            "COMMENT ON COLUMN t.a IS 'x';",
            "ALTER TABLE t ADD COLUMN \"select\" int;",
            "ALTER TABLE t ADD COLUMN name text;",
            "ALTER TABLE t ADD COLUMN c double precision;",
            "SELECT 1 AS select;",
        ] {
            assert_eq!(check_statement(sql), None, "{sql}");
        }
    }
}
