//! Shared helpers of the benchmark and corpus tools.

use std::fmt::Write as _;
use std::path::Path;

/// Converts a diesel-layout migration directory (`<name>/up.sql`, `<name>/down.sql`, optional
/// `metadata.toml` with `run_in_transaction = false`) into retort files in `out`, one per
/// migration, chained in name order. Returns how many files were written.
pub fn convert_diesel(src: &Path, out: &Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(out)?;
    let mut dirs: Vec<_> = std::fs::read_dir(src)?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("up.sql").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    let mut parent = "none".to_owned();
    for (i, name) in dirs.iter().enumerate() {
        let digits: String = name
            .chars()
            .take_while(|c| !c.is_ascii_alphabetic() && *c != '_')
            .filter(char::is_ascii_digit)
            .collect();
        // Ids must be unique and sortable: the index keeps them so where dates repeat.
        let rev = format!("{i:04}d{}", &digits[..digits.len().min(26)]);
        let slug: String = name
            .chars()
            .skip_while(|c| !c.is_ascii_alphabetic())
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let dir = src.join(name);
        let up = std::fs::read_to_string(dir.join("up.sql"))?;
        let down = std::fs::read_to_string(dir.join("down.sql")).ok();
        let meta = std::fs::read_to_string(dir.join("metadata.toml")).unwrap_or_default();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "-- revision: {rev}\n-- down_revision: {parent}\n-- message: {name}"
        );
        if meta.contains("run_in_transaction = false") {
            text.push_str("-- transaction: false\n");
        }
        if down.is_none() {
            text.push_str("-- irreversible: the diesel migration has no down.sql\n");
        }
        let _ = write!(text, "\n-- migrate:up\n{up}\n");
        if let Some(down) = down {
            let _ = write!(text, "\n-- migrate:down\n{down}\n");
        }
        std::fs::write(out.join(format!("{rev}_{slug}.sql")), text)?;
        parent = rev;
    }
    Ok(dirs.len())
}
