//! The lint settings of a call: `retort.toml` beside the crate's `Cargo.toml` (as the build
//! script and `retort check` read it), then the call's `allow`, `warn` and `deny` lists.

use std::path::Path;

use retort_core::codes::Code;
use retort_core::diagnostic::Diagnostic;
use retort_core::lint::LintSettings;
use retort_core::lint::config::CONFIG_FILE;

use crate::ast::Call;

/// The text of `retort.toml` in `manifest_dir`, if it is there and readable.
pub fn config_text(manifest_dir: &Path) -> Option<String> {
    std::fs::read_to_string(manifest_dir.join(CONFIG_FILE)).ok()
}

/// The settings for `call`: the file's, with the call's levels over them; a file whose
/// lint settings cannot be used is an error.
pub fn settings(call: &Call, config: Option<&str>) -> Result<LintSettings, Box<Diagnostic>> {
    let mut settings = match config {
        Some(text) => LintSettings::from_toml(text).map_err(|e| {
            Diagnostic::error(Code::CheckLintConfig, format!("{CONFIG_FILE}: {e}"))
                .with_help("`[lints]` maps a lint's code to \"allow\", \"warn\" or \"deny\"")
        })?,
        None => LintSettings::default(),
    };
    settings.levels.extend(call.lints.iter().copied());
    Ok(settings)
}
