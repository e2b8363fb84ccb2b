//! `retort init [DIR]`: the directory, a first revision, and what to add to the crate.

use retort_core::MigrationSet;
use retort_core::codes::Code;

use super::revision::{check_message, new_id, template, write_new};
use super::{Ctx, Outcome, Status, fail};
use crate::cli::InitArgs;
use crate::outln;

/// Creates the directory with a first revision; refuses a non-empty one.
pub fn run(ctx: &Ctx, args: &InitArgs) -> Outcome {
    let message = check_message(&args.message)?;
    let dir = &ctx.dir;
    if dir.exists() {
        if !dir.is_dir() {
            return Err(fail(
                Status::Failure,
                Code::CliDirectoryNotEmpty,
                format!("`{}` exists and is not a directory", ctx.display),
                Some("choose another path: `retort init db/migrations`".to_owned()),
            ));
        }
        let non_empty = std::fs::read_dir(dir)
            .map(|mut e| e.next().is_some())
            .unwrap_or(true);
        if non_empty {
            return Err(fail(
                Status::Failure,
                Code::CliDirectoryNotEmpty,
                format!("`{}` already exists and is not empty", ctx.display),
                Some(format!(
                    "to add a revision there use `retort --dir {} revision -m MSG`; to start afresh choose an empty directory",
                    ctx.display
                )),
            ));
        }
    }
    ctx.create_dir()?;
    let empty = MigrationSet::from_static(&[]);
    let id = new_id(dir, &empty, None)?;
    let path = write_new(
        dir,
        &ctx.display,
        &id,
        &message,
        &template(&id, &[], &message, false),
    )?;
    let call = if ctx.display == "migrations" {
        "retort::migrations!();".to_owned()
    } else {
        format!("retort::migrations!({:?});", ctx.display)
    };
    outln!("created {}", path.display());
    outln!();
    outln!("Add to Cargo.toml:");
    outln!("    [dependencies]");
    outln!("    retort = \"0.1\"");
    outln!("    [build-dependencies]");
    outln!("    retort-build = \"0.1\"");
    outln!();
    outln!("Add to build.rs:");
    outln!("    fn main() {{");
    outln!("        retort_build::track({:?});", ctx.display);
    outln!("    }}");
    outln!();
    outln!("Add to your code (src/main.rs or src/lib.rs):");
    outln!("    {call}");
    outln!(
        "    // at start-up: retort::Migrator::new(&MIGRATIONS).upgrade(&mut client, &retort::Target::Head)?;"
    );
    outln!();
    outln!(
        "Then write SQL in {}, and `retort revision -m \"...\"` for the next change.",
        path.display()
    );
    Ok(Status::Success)
}
