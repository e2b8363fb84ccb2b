//! Reading squawk's syntax tree for the rules: the words of a node, the table an `ALTER
//! TABLE` names, the relations a statement lists.

use std::ops::Range;

use squawk_syntax::ast::{self, AstNode};

use crate::schema::catalog::{QName, qname, simple_name};

/// The words and punctuation of `node` in lower case, comments and whitespace left out (a
/// string literal is one word, so `'not valid'` never reads as `NOT VALID`).
pub fn words(node: &impl AstNode) -> Vec<String> {
    node.syntax()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| !t.kind().is_trivia())
        .map(|t| t.text().to_lowercase())
        .collect()
}

/// Whether `words` holds `seq` in a row (`["not", "valid"]`).
pub fn has_seq(words: &[String], seq: &[&str]) -> bool {
    words
        .windows(seq.len())
        .any(|w| w.iter().zip(seq).all(|(a, b)| a == b))
}

/// Where `node` is in the statement (relative to its first byte).
pub fn range(node: &impl AstNode) -> Range<usize> {
    let r = node.syntax().text_range();
    usize::from(r.start())..usize::from(r.end())
}

/// The text of `node` as written.
pub fn text(node: &impl AstNode) -> String {
    node.syntax().text().to_string()
}

/// The table an `ALTER TABLE` names.
pub fn altered_table(s: &ast::AlterTable) -> Option<QName> {
    let r = s.table_relation_name()?.table_name_ref()?;
    qname(&text(&r))
}

/// The tables a `TRUNCATE` names.
pub fn truncated(s: &ast::Truncate) -> Vec<QName> {
    s.table_list()
        .into_iter()
        .flat_map(|l| l.table_relation_names())
        .filter_map(|t| t.table_name_ref())
        .filter_map(|r| qname(&text(&r)))
        .collect()
}

/// The relations a `LOCK` names.
pub fn locked(s: &ast::Lock) -> Vec<QName> {
    s.relation_list()
        .into_iter()
        .flat_map(|l| l.relation_names())
        .filter_map(|r| r.relation_name_ref())
        .filter_map(|r| qname(&text(&r)))
        .collect()
}

/// The name a constraint is given (`CONSTRAINT name …`), if written.
pub fn constraint_name(c: &ast::Constraint) -> Option<String> {
    c.syntax()
        .children()
        .find_map(ast::ConstraintNameClause::cast)
        .and_then(|n| n.constraint_name())
        .and_then(|n| simple_name(&text(&n)))
}
