//! Writes the generated migrations for the peer crates of `bench/peers/run.sh`.
//!
//! - `peers-gen ROOT N`: the same N migrations in every layout, under
//!   `ROOT/{retort,sqlx,refinery,diesel}/migrations`, and `ROOT/up.sql` for `psql -X -1 -f`;
//! - `peers-gen ROOT N --add`: one more migration (the N+1-th) in every layout;
//! - `peers-gen ROOT N --remove`: removes that added migration again.

use std::path::Path;
use std::process::ExitCode;

use retort_bench::layouts::{Layout, added_step, write_peers};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(root), Some(Ok(n))) = (args.first(), args.get(1).map(|n| n.parse::<usize>())) else {
        eprintln!("usage: peers-gen ROOT N [--add | --remove]");
        return ExitCode::from(2);
    };
    let root = Path::new(root);
    let result = match args.get(2).map(String::as_str) {
        None => write_peers(root, n)
            .map(|bytes| println!("{n} migrations, {bytes} bytes of SQL each layout")),
        Some("--add") => Layout::ALL.into_iter().try_for_each(|layout| {
            layout.write_step(&root.join(layout.name()).join("migrations"), &added_step(n))
        }),
        Some("--remove") => remove_added(root, n),
        Some(other) => {
            eprintln!("error: unknown option `{other}`: expected --add or --remove");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Removes what `--add` wrote: every file or directory whose name holds `added`.
fn remove_added(root: &Path, n: usize) -> std::io::Result<()> {
    let step = added_step(n);
    for layout in Layout::ALL {
        let dir = root.join(layout.name()).join("migrations");
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let name = path.file_name().map(|s| s.to_string_lossy().into_owned());
            if name.is_some_and(|s| s.contains(&format!("_{}", step.slug))) {
                if path.is_dir() {
                    std::fs::remove_dir_all(&path)?;
                } else {
                    std::fs::remove_file(&path)?;
                }
            }
        }
    }
    Ok(())
}
