//! `retort explain CODE`: the documentation of a diagnostic code; `retort explain --list`:
//! every code with its one-line summary.

use retort_core::codes::{Code, Family};
use retort_core::diagnostic::Severity;

use super::{Outcome, Status, fail};
use crate::cli::ExplainArgs;
use crate::outln;

/// Prints the code's documentation (exit 0), or the list of codes; an unknown code is a
/// usage error (exit 2) that names the nearest codes.
pub fn run(args: &ExplainArgs) -> Outcome {
    let Some(name) = args.code.as_deref().filter(|_| !args.list) else {
        outln!("{}", list());
        return Ok(Status::Success);
    };
    match Code::lookup(name.trim()) {
        Some(code) => {
            outln!("{}", page(code));
            Ok(Status::Success)
        }
        None => Err(unknown(name)),
    }
}

/// `# code (error)`, the summary, then the documentation.
fn page(code: Code) -> String {
    format!(
        "# {code} ({})\n\n{}\n\n{}",
        severity(code.default_severity()),
        code.summary(),
        code.doc().trim_end()
    )
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Every code, aligned, one line each, with a blank line between families.
fn list() -> String {
    let width = Code::ALL
        .iter()
        .map(|c| c.as_str().len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let mut family: Option<Family> = None;
    for &code in Code::ALL {
        if family.is_some_and(|f| f != code.family()) {
            out.push('\n');
        }
        family = Some(code.family());
        out.push_str(&format!("{:<width$}  {}\n", code.as_str(), code.summary()));
    }
    out.push_str("\n`retort explain CODE` shows what a code means and how to fix it.");
    out
}

/// The error for a name that is no code, with the nearest ones.
fn unknown(name: &str) -> super::Fail {
    let near: Vec<String> = Code::similar(name)
        .iter()
        .map(|c| format!("`{c}`"))
        .collect();
    let help = match near.as_slice() {
        [] => "`retort explain --list` lists every code".to_owned(),
        [one] => format!("did you mean {one}? `retort explain --list` lists every code"),
        many => format!(
            "did you mean one of {}? `retort explain --list` lists every code",
            many.join(", ")
        ),
    };
    fail(
        Status::Usage,
        Code::CliUnknownCode,
        format!("`{name}` is not a retort code"),
        Some(help),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_every_code_once() {
        let text = list();
        for &code in Code::ALL {
            let lines = text
                .lines()
                .filter(|l| l.split_whitespace().next() == Some(code.as_str()))
                .count();
            assert_eq!(lines, 1, "{code} in\n{text}");
        }
    }

    #[test]
    fn a_page_has_the_code_its_severity_and_the_sections() {
        let text = page(Code::SqlUnchecked);
        assert!(text.starts_with("# sql-unchecked (warning)\n\n"), "{text}");
        assert!(text.contains("## Fix"), "{text}");
    }
}
