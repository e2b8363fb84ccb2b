//! From a parsed call to tokens: check the directory with `retort-core`, then either one
//! `compile_error!` per problem or the static items.

use std::fmt::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};
use retort_core::check::{Options, Report, check_dir_structure, check_dir_verified};
use retort_core::codes::Code;
use retort_core::diagnostic::Diagnostic;
use retort_core::handoff::{self, Handoff};
use retort_core::load::{TRACKED_ENV, normalize_dir};
use retort_core::pack::{self, FORMAT as PACK_FORMAT};
use retort_core::schema::shape::SchemaShape;
use retort_core::source::Sources;
use retort_core::verified::{OUT_DIR_FILE, Verified};
use retort_core::{Migration, MigrationSet};

use crate::ast::{self, Call};
use crate::lints;
use crate::typed::{self, RowOptions};

/// Overrides `CARGO_MANIFEST_DIR` as the base of relative directories. For retort's own UI
/// tests: trybuild compiles each test in a generated crate under `target/`, so the test
/// harness points the macro back at the crate that holds the migration directories.
pub const MANIFEST_DIR_OVERRIDE_VAR: &str = "RETORT_MANIFEST_DIR_OVERRIDE";

/// The files whose SQL `retort_build::track` already checked in this build (it leaves their
/// digests in `OUT_DIR`); their SQL checks are skipped, everything else runs. Empty when the
/// crate has no build script or the file is missing or unreadable: then everything is checked.
fn verified_by_build_script() -> Verified {
    std::env::var_os("OUT_DIR")
        .and_then(|dir| std::fs::read_to_string(PathBuf::from(dir).join(OUT_DIR_FILE)).ok())
        .map_or_else(Verified::new, |text| Verified::from_text(&text))
}

/// The checks of a call whose directory the build script checked clean with the same files
/// and lint settings (its `retort_core::handoff` in `OUT_DIR`): the structure checks only,
/// with the call's options, and the build script's schema at the head. `None` otherwise, or
/// when the call asks for the schema at other revisions too (`schema_at`), which the build
/// script does not keep: then the call checks everything.
fn handed_off(call: &Call, abs_dir: &Path, options: &Options) -> Option<(Report, Handoff)> {
    if call.schema_at.is_some() {
        return None;
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR")?);
    let handoff = Handoff::read(&out_dir, abs_dir)?;
    let report = catch_unwind(AssertUnwindSafe(|| {
        check_dir_structure(abs_dir, &call.dir, options)
    }))
    .ok()?;
    if handoff::key(&report.sources, &options.lints) != handoff.key {
        return None;
    }
    // The same files make the same heads; should they not, check everything.
    handoff.agrees_with(&report).then_some((report, handoff))
}

/// What a call expands to.
pub struct Expansion {
    /// The items, or the errors (`compile_error!`), or both.
    pub tokens: TokenStream,
    /// Whether `tokens` holds no error: only such an expansion is cached.
    pub complete: bool,
}

impl Expansion {
    fn failed(tokens: TokenStream) -> Self {
        Self {
            tokens,
            complete: false,
        }
    }
}

/// Expands a call: the items, or the errors.
pub fn expand(call: &Call) -> Expansion {
    let Some(manifest_dir) = manifest_dir() else {
        return Expansion::failed(compile_error(&strip_level(
            Diagnostic::error(
                Code::MacroNoManifestDir,
                "`CARGO_MANIFEST_DIR` is not set: there is no crate root to find the \
                     migration directory in",
            )
            .with_help("build with cargo")
            .render(&Sources::new()),
        )));
    };
    let abs_dir = manifest_dir.join(&call.dir);
    let config = lints::config_text(&manifest_dir);
    let lints = match lints::settings(call, config.as_deref()) {
        Ok(lints) => lints,
        Err(d) => {
            return Expansion::failed(compile_error(&strip_level(d.render(&Sources::new()))));
        }
    };
    let options = Options {
        allow_multiple_heads: call.allow_multiple_heads,
        allow_multiple_roots: call.allow_multiple_roots,
        lints,
    };
    // `check_dir` never panics on user input; should it ever, the user gets an error that
    // says where to report it rather than a bare "proc macro panicked".
    let (report, handoff) = match handed_off(call, &abs_dir, &options) {
        Some((report, handoff)) => (report, Some(handoff)),
        None => {
            let verified = verified_by_build_script();
            match catch_unwind(AssertUnwindSafe(|| {
                check_dir_verified(&abs_dir, &call.dir, &options, &verified)
            })) {
                Ok(report) => (report, None),
                Err(_) => {
                    return Expansion::failed(compile_error(&internal_error(
                        &call.dir,
                        "checking it panicked",
                    )));
                }
            }
        }
    };

    let mut errors: Vec<String> = report
        .errors()
        .map(|d| strip_level(d.render(&report.sources)))
        .collect();
    let tracked_list = std::env::var(TRACKED_ENV).ok();
    let tracked_list = tracked_list.as_deref();
    if !call.untracked && !is_tracked(tracked_list, &call.dir, &manifest_dir, &abs_dir) {
        errors.push(untracked_error(call, tracked_list));
    }
    if !errors.is_empty() {
        return Expansion::failed(errors.iter().map(|e| compile_error(e)).collect());
    }
    let Some(set) = report.to_set() else {
        return Expansion::failed(compile_error(&internal_error(
            &call.dir,
            "the checks passed but the migrations do not form a set",
        )));
    };
    let mut out = items(&set, &call.dir, &abs_dir);
    // One check a crate the call lists in `types`: a compile error that names the feature
    // when it is off.
    out.extend(call.types.iter().flatten().map(|f| f.feature_check()));
    let shape_at = |rev: &str| -> Option<SchemaShape> {
        match &handoff {
            Some(h) => h
                .head
                .as_ref()
                .filter(|(head, _)| head == rev)
                .map(|(_, shape)| shape.clone()),
            None => {
                let i = report
                    .files
                    .iter()
                    .position(|f| f.revision.as_ref().is_some_and(|r| r.value.as_str() == rev))?;
                Some(SchemaShape::of(report.schema.catalogs.get(i)?.as_ref()?))
            }
        }
    };
    let (schema, complete) = schema_modules(call, &shape_at, &set);
    out.extend(schema);
    if call.untracked {
        // A tracked directory reruns the build script when any entry in it changes, which
        // rebuilds the crate; an untracked one relies on rustc's list of the files it read.
        out.extend(file_dependencies(&report, &abs_dir));
    }
    if config.is_some() {
        // Editing `retort.toml` changes the lints' verdict: it rebuilds, as a migration does.
        let path = manifest_dir.join(retort_core::lint::config::CONFIG_FILE);
        if let Some(path) = path.to_str() {
            out.extend(quote! { const _: &[u8] = ::core::include_bytes!(#path); });
        }
    }
    if !call.untracked {
        // `RETORT_TRACKED` (`retort_build::track` sets it with `cargo:rustc-env`): the tracked
        // directories, normalised, joined with `;`.
        // Rustc records variables read through `option_env!` in the dep-info, so cargo
        // rebuilds when `RETORT_TRACKED` changes however it is set (the build script setting
        // it already causes a rebuild; a value from the environment or `[env]` would not).
        out.extend(quote! {
            const _: ::core::option::Option<&str> = ::core::option_env!(#TRACKED_ENV);
        });
    }
    Expansion {
        tokens: out,
        complete,
    }
}

/// The crate root that relative directories start from (`RETORT_MANIFEST_DIR_OVERRIDE`, or
/// `CARGO_MANIFEST_DIR`).
pub fn manifest_dir() -> Option<PathBuf> {
    std::env::var_os(MANIFEST_DIR_OVERRIDE_VAR)
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from)
}

/// A rendered diagnostic without its leading `error`, which rustc adds back: `[code] …`.
fn strip_level(rendered: String) -> String {
    ast::for_compile_error(&rendered)
}

/// `compile_error!(msg)`, pointing at the macro call.
fn compile_error(message: &str) -> TokenStream {
    quote! { ::core::compile_error! { #message } }
}

fn internal_error(dir: &str, what: &str) -> String {
    strip_level(
        Diagnostic::error(
            Code::InternalError,
            format!("internal error in retort while reading `{dir}`: {what}"),
        )
        .with_help(
            "this is a bug in retort, not in your migrations; please report it at \
             https://github.com/retort-rs/retort/issues with the directory if you can share it",
        )
        .render(&Sources::new()),
    )
}

/// The directories in `RETORT_TRACKED`.
fn tracked_dirs(list: Option<&str>) -> impl Iterator<Item = &str> {
    list.unwrap_or_default()
        .split(';')
        .filter(|t| !t.is_empty())
}

/// Whether `list` (the value of `RETORT_TRACKED`) names `dir`: written the same way once
/// normalised, or naming the same directory on disk.
pub fn is_tracked(list: Option<&str>, dir: &str, manifest_dir: &Path, abs_dir: &Path) -> bool {
    let want = normalize_dir(dir);
    let canonical = abs_dir.canonicalize().ok();
    tracked_dirs(list).any(|t| {
        normalize_dir(t) == want
            || canonical
                .as_ref()
                .is_some_and(|c| manifest_dir.join(t).canonicalize().ok().as_ref() == Some(c))
    })
}

fn untracked_error(call: &Call, list: Option<&str>) -> String {
    let shown = normalize_dir(&call.dir);
    let opt_out = if call.explicit_dir {
        format!(
            "retort::migrations!(\"{}\", untracked)",
            call.dir.escape_debug()
        )
    } else {
        "retort::migrations!(untracked)".to_owned()
    };
    let tracked: Vec<String> = tracked_dirs(list).map(|t| format!("`{t}`")).collect();
    let mut d = Diagnostic::error(
        Code::MacroUntrackedDirectory,
        format!("the migration directory `{shown}` is not tracked by a build script"),
    )
    .with_note(
        "cargo rebuilds when a file the macro read changes, but not when a migration is added \
         or removed: the build would embed a stale list of migrations",
    );
    if !tracked.is_empty() {
        d = d.with_note(format!(
            "the build script tracks {} only",
            tracked.join(", ")
        ));
    }
    strip_level(
        d.with_help(format!(
            "add `retort_build::track(\"{}\");` to `fn main` in build.rs, with \
             `retort-build` under [build-dependencies]; or opt out with `{opt_out}`",
            shown.escape_debug()
        ))
        .render(&Sources::new()),
    )
}

/// The identifier of a revision's constant: `R` and the id (ids are `[0-9A-Za-z]{1,32}`).
fn rev_ident(rev: &str) -> Ident {
    format_ident!("R{}", rev)
}

/// `MIGRATIONS`, `revisions`, `HEADS` and `HEAD`.
fn items(set: &MigrationSet, dir: &str, abs_dir: &Path) -> TokenStream {
    let rust_modules = set.iter().filter(|m| m.is_rust()).filter_map(|m| {
        let ident = rust_module_ident(m.revision().as_str());
        let name = m.path().rsplit('/').next()?;
        let path = abs_dir.join(name);
        let path = path.to_str()?;
        let doc = format!(
            " The Rust migration `{}`, compiled in.",
            escape_code(m.path())
        );
        // A module file of its own (not `include!`), so that it may start with `//!` docs
        // and inner attributes like any module.
        let down = m
            .down_sql()
            .is_some()
            .then(|| quote!(::retort::__private::check_rust_migration_fn(#ident::down);));
        Some(quote! {
            #[doc = #doc]
            #[path = #path]
            mod #ident;

            const _: () = {
                #[allow(dead_code)]
                fn check() {
                    ::retort::__private::check_rust_migration_fn(#ident::up);
                    #down
                }
            };
        })
    });
    // As text, lexed in one call (see `lexed`): a constant a migration.
    let mut consts = String::new();
    for m in set.iter() {
        let rev = m.revision().as_str();
        let _ = write!(
            consts,
            "#[doc = {}] pub const R{rev}: __Revision = __Revision::from_static({});",
            typed::lit(&revision_doc(m)),
            typed::lit(rev)
        );
    }
    let consts = lexed(&consts).unwrap_or_else(|e| {
        compile_error(&internal_error(
            dir,
            &format!("its revisions' constants did not parse: {e}"),
        ))
    });
    let packed = packed_set(set, abs_dir);
    let rust_code = set
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_rust())
        .map(|(i, m)| {
            let i = i as u32;
            let module = rust_module_ident(m.revision().as_str());
            let down = if m.down_sql().is_some() {
                quote!(::core::option::Option::Some(#module::down))
            } else {
                quote!(::core::option::Option::None)
            };
            quote! {
                (#i, ::retort::__private::RustCode::new(&::retort::__private::RustMigration {
                    up: #module::up,
                    down: #down,
                }))
            }
        });
    let heads = set.heads();
    let head_idents = heads.iter().map(|r| rev_ident(r.as_str()));
    let shown = normalize_dir(dir);
    let n = set.len();
    let migrations_doc = format!(
        " Every migration of `{}` ({n}), each after its parents.",
        escape_code(&shown)
    );
    let revisions_doc = format!(
        " One constant a revision of `{}`: code that names a revision that is renamed or \
         deleted stops compiling.",
        escape_code(&shown)
    );
    let heads_doc = " The head revisions: those no other migration follows.";
    let head = match heads.as_slice() {
        [only] => {
            let ident = rev_ident(only.as_str());
            let doc = format!(
                " The head revision, `{}`: the migration that every other one precedes.",
                only.as_str()
            );
            quote! {
                #[doc = #doc]
                #[allow(dead_code)]
                pub const HEAD: ::retort::Revision = revisions::#ident;
            }
        }
        _ => TokenStream::new(),
    };
    quote! {
        #(#rust_modules)*

        const _: () = ::core::assert!(
            ::retort::__private::PACK_FORMAT == #PACK_FORMAT,
            "this code was generated by another release of retort's macro than the runtime's: \
             build with one release of `retort`",
        );

        #[doc = #migrations_doc]
        #[allow(dead_code)]
        pub static MIGRATIONS: ::retort::MigrationSet =
            ::retort::MigrationSet::from_packed(#packed, const { &[#(#rust_code),*] });

        #[doc = #revisions_doc]
        #[allow(dead_code, non_upper_case_globals)]
        pub mod revisions {
            use ::retort::Revision as __Revision;
            #consts
        }

        #[doc = #heads_doc]
        #[allow(dead_code)]
        pub const HEADS: &[::retort::Revision] = &[#(revisions::#head_idents),*];

        #head
    }
}

/// The typed schema: `schema` at the head (when there is one head) and `schema_at::R<id>`
/// for each revision the call lists in `schema_at`; and whether they hold no error.
fn schema_modules(
    call: &Call,
    shape_at: &dyn Fn(&str) -> Option<SchemaShape>,
    set: &MigrationSet,
) -> (TokenStream, bool) {
    let mut errors: Vec<String> = Vec::new();
    let mut complete = true;
    let mut out = TokenStream::new();
    // The row structs' derives: only those the call names (each costs compile time a table).
    let derive = match call.derive.as_deref() {
        Some(paths) if !paths.is_empty() => {
            // In scope for the modules after it, child modules included (a second call in
            // the same module defines its own, for the modules after it).
            let name = format_ident!("{}", typed::DERIVE_MACRO);
            quote! {
                #[allow(unused_macros)]
                macro_rules! #name {
                    ($($row:tt)*) => { #[derive(#(#paths),*)] $($row)* };
                }
            }
        }
        _ => TokenStream::new(),
    };
    let options = RowOptions {
        derive: !derive.is_empty(),
        types: call.types.as_deref().unwrap_or_default(),
    };
    out.extend(derive);
    let heads = set.heads();
    if let [head] = heads.as_slice() {
        let head = head.as_str();
        if let Some(catalog) = shape_at(head) {
            let doc = format!(
                " The typed schema at the head revision, `{head}`: a module a table \
                 (`schema::<table>`, or `schema::<schema>::<table>` outside `public`) with \
                 its name (`TABLE`), a constant a column, `COLUMNS`, and a `Row` struct \
                 that reads a row returned by `SELECT *`. Code that names a column or table \
                 a later migration drops stops compiling."
            );
            out.extend(schema_module(
                &call.dir,
                &format_ident!("schema"),
                &doc,
                &catalog,
                head,
                &options,
                &mut errors,
            ));
        }
    }
    if let Some(asked) = &call.schema_at {
        let mut modules = TokenStream::new();
        for lit in asked {
            let rev = lit.value();
            let Some(catalog) = set.get(&rev).and_then(|_| shape_at(&rev)) else {
                let head = heads.first().map_or("", |h| h.as_str());
                complete = false;
                out.extend(
                    ast::error_with(
                        lit.span(),
                        Code::MacroUnknownRevision,
                        &format!(
                            "`schema_at` names revision `{rev}`, which is not in `{}`",
                            escape_code(&normalize_dir(&call.dir))
                        ),
                        Some(&format!(
                            "list the ids of revisions in the directory, such as the head: \
                             `schema_at = [\"{head}\"]`"
                        )),
                    )
                    .to_compile_error(),
                );
                continue;
            };
            let doc = format!(
                " The typed schema after revision `{rev}`, laid out as the head's `schema`."
            );
            modules.extend(schema_module(
                &call.dir,
                &rev_ident(&rev),
                &doc,
                &catalog,
                &rev,
                &options,
                &mut errors,
            ));
        }
        out.extend(quote! {
            #[doc = " The typed schema at the revisions the call lists in `schema_at`, one module \
                     a revision (`schema_at::R<id>`)."]
            #[allow(dead_code, non_snake_case)]
            pub mod schema_at { #modules }
        });
    }
    let mut seen = std::collections::HashSet::new();
    errors.retain(|e| seen.insert(e.clone()));
    complete &= errors.is_empty();
    out.extend(errors.iter().map(|e| compile_error(e)));
    (out, complete)
}

/// `pub mod <name> { … }`: the typed schema of `catalog`, the schema after `rev`, in the
/// directory `dir`.
fn schema_module(
    dir: &str,
    name: &Ident,
    doc: &str,
    catalog: &SchemaShape,
    rev: &str,
    options: &RowOptions,
    errors: &mut Vec<String>,
) -> TokenStream {
    let generated = typed::schema_items(catalog, rev, options);
    let items = match lexed(&generated.items) {
        Ok(items) => items,
        Err(e) => {
            errors.push(internal_error(
                dir,
                &format!("the typed schema after `{rev}` did not parse: {e}"),
            ));
            TokenStream::new()
        }
    };
    errors.extend(generated.problems.into_iter().map(|p| {
        strip_level(
            Diagnostic::error(Code::MacroNameClash, p.message)
                .with_help(p.help)
                .render(&Sources::new()),
        )
    }));
    let mut doc = doc.to_owned();
    if catalog.all_unknown {
        doc.push_str(
            "\n\n Empty: a statement retort's schema model does not follow makes every \
             table unknown from there on.",
        );
    } else if generated.left_out > 0 {
        doc.push_str(&format!(
            "\n\n {} table(s) left out: retort's schema model cannot tell whether they exist.",
            generated.left_out
        ));
    }
    quote! {
        #[doc = #doc]
        #[allow(dead_code, non_snake_case, clippy::module_inception)]
        pub mod #name { #items }
    }
}

/// Rust source this crate wrote (see `typed::Generated::items`) as tokens, lexed by the
/// compiler in one call. Not through proc-macro2's `parse`, which first lexes the text again
/// with its own lexer, compiled unoptimised, to keep malformed input from reaching the
/// compiler: this text is well-formed by construction (names are identifiers, literals
/// escaped). Outside a macro (unit tests), proc-macro2's.
fn lexed(text: &str) -> Result<TokenStream, String> {
    if proc_macro::is_available() {
        text.parse::<proc_macro::TokenStream>()
            .map(TokenStream::from)
            .map_err(|e| e.to_string())
    } else {
        text.parse::<TokenStream>().map_err(|e| e.to_string())
    }
}

/// The set's bytes (see `retort_core::pack`): `include_bytes!` of a file in `OUT_DIR`,
/// which rustc copies without lexing, or, without `OUT_DIR` (no build script), one byte-string
/// literal.
fn packed_set(set: &MigrationSet, abs_dir: &Path) -> TokenStream {
    let bytes = pack::pack(set.as_slice(), set.fingerprint());
    if let Some(path) =
        std::env::var_os("OUT_DIR").and_then(|d| write_packed(Path::new(&d), abs_dir, &bytes))
    {
        return quote!(::core::include_bytes!(#path));
    }
    let lit = Literal::byte_string(&bytes);
    quote!(#lit)
}

/// Writes `bytes` to `OUT_DIR/retort-set-<dir>-<digest>.bin` unless that file is already
/// there (its name is its content's digest, so an existing one is right), removes the
/// directory's earlier ones, and returns its path. `dir` names the migration directory.
///
/// The file is dated 1970: rustc lists it among the crate's inputs, and cargo takes an input
/// newer than the start of the build that read it as changed, which would rebuild the crate
/// once more for nothing. What it holds only changes when a migration does, which cargo
/// follows on its own.
fn write_packed(out_dir: &Path, dir: &Path, bytes: &[u8]) -> Option<String> {
    use crate::cache::Digest128;
    let hex = |d: &[u8]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let prefix = format!(
        "retort-set-{}-",
        hex(&Digest128::of(dir.as_os_str().as_encoded_bytes())[..6])
    );
    let name = format!("{prefix}{}.bin", hex(&Digest128::of(bytes)));
    let path = out_dir.join(&name);
    if std::fs::metadata(&path).map(|m| m.len()).ok() != Some(bytes.len() as u64) {
        let tmp = out_dir.join(format!("{name}.{}.tmp", std::process::id()));
        std::fs::write(&tmp, bytes).ok()?;
        let file = std::fs::File::options().write(true).open(&tmp).ok()?;
        file.set_modified(std::time::SystemTime::UNIX_EPOCH).ok()?;
        drop(file);
        std::fs::rename(&tmp, &path).ok()?;
        // The directory's earlier sets: no expansion names them any more (the cache's key
        // covers the directory's files, so an expansion cached for other files is a miss).
        for entry in std::fs::read_dir(out_dir).ok()?.flatten() {
            let other = entry.file_name();
            let other = other.to_string_lossy();
            if other.starts_with(&prefix) && other.ends_with(".bin") && other != name {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    path.to_str().map(str::to_owned)
}

/// The module a Rust migration's file is included in: `__retort_rust_<id>`.
fn rust_module_ident(rev: &str) -> Ident {
    format_ident!("__retort_rust_{}", rev)
}

/// The doc comment of a revision's constant: message, parents, file.
fn revision_doc(m: &Migration) -> String {
    let parents = m.down_revisions();
    let follows = match parents {
        [] => "the first migration".to_owned(),
        [p] => format!("follows `{p}`"),
        ps => format!(
            "merges {}",
            ps.iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut doc = format!(
        " `{}`: {}\n\n {follows}; `{}`",
        m.revision(),
        escape_markdown(m.message()),
        escape_code(m.path())
    );
    if !m.is_transactional() {
        doc.push_str("; runs outside a transaction");
    }
    if m.irreversible().is_some() {
        doc.push_str("; irreversible");
    }
    doc.push('.');
    doc
}

/// Text shown as is in Markdown: the characters that could start a link, emphasis, code, an
/// entity or HTML are escaped, so a message never trips rustdoc's link lints.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '|' | '~' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Text for inside a Markdown code span (backticks cannot be escaped there).
fn escape_code(text: &str) -> String {
    text.replace('`', "'")
}

/// `const _: &[&[u8]] = &[include_bytes!("…"), …];`: rustc records every file in the
/// dep-info, so cargo rebuilds when one changes.
fn file_dependencies(report: &Report, abs_dir: &Path) -> TokenStream {
    let files = report.sources.iter().filter_map(|(_, src)| {
        let name = src.path().rsplit('/').next()?;
        let path = abs_dir.join(name);
        let path = path.to_str()?;
        Some(quote!(::core::include_bytes!(#path)))
    });
    quote! {
        const _: &[&[u8]] = &[#(#files),*];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracked_directories_match_once_normalised_or_on_disk() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let abs = root.join("src");
        let tracked = |list: Option<&str>, dir: &str| is_tracked(list, dir, root, &abs);
        assert!(tracked(Some("src"), "src"));
        assert!(tracked(Some("migrations;./src/"), "src"));
        assert!(tracked(Some("src"), "./src//"));
        // The same directory written another way.
        assert!(tracked(Some("../macros/src"), "src"));
        assert!(tracked(Some(abs.to_str().unwrap()), "src"));
        assert!(!tracked(Some("migrations"), "src"));
        assert!(!tracked(Some(""), "src"));
        assert!(!tracked(None, "src"));
    }

    #[test]
    fn a_packed_set_is_written_once_dated_1970_and_replaces_the_directorys_last() {
        let out = std::env::temp_dir().join(format!("retort-pack-out-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        let sets = |out: &Path| {
            let mut names: Vec<String> = std::fs::read_dir(out)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        let first = write_packed(&out, Path::new("/a/migrations"), b"one").unwrap();
        let modified = std::fs::metadata(&first).unwrap().modified().unwrap();
        assert_eq!(modified, std::time::SystemTime::UNIX_EPOCH);
        assert_eq!(std::fs::read(&first).unwrap(), b"one");
        // The same bytes: the same file, not written again.
        assert_eq!(
            write_packed(&out, Path::new("/a/migrations"), b"one"),
            Some(first.clone())
        );
        // Another directory's set stays beside it; the directory's next set replaces it.
        let other = write_packed(&out, Path::new("/b/migrations"), b"one").unwrap();
        assert_ne!(other, first);
        let second = write_packed(&out, Path::new("/a/migrations"), b"two").unwrap();
        let names = sets(&out);
        assert_eq!(names.len(), 2, "{names:?}");
        assert!(!Path::new(&first).exists());
        assert!(Path::new(&second).exists() && Path::new(&other).exists());
        std::fs::remove_dir_all(&out).unwrap();
    }

    /// The only test that sets the environment the macro reads (no other test here reads it).
    #[test]
    fn the_build_scripts_handoff_gives_the_expansion_a_full_check_gives() {
        use retort_core::check::check_dir;
        let root = std::env::temp_dir().join(format!("retort-handoff-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let (dir, out) = (root.join("migrations"), root.join("out"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        let write = |name: &str, rev: &str, parent: &str, up: &str, down: &str| {
            let text = format!(
                "-- revision: {rev}\n-- down_revision: {parent}\n\n-- migrate:up\n{up}\n\n-- migrate:down\n{down}\n"
            );
            std::fs::write(dir.join(name), text).unwrap();
        };
        write(
            "001_t.sql",
            "001",
            "none",
            "CREATE SCHEMA app;\nCREATE TABLE app.a (id int PRIMARY KEY, v text);\n\
             CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text, n int NOT NULL);",
            "DROP TABLE t;\nDROP TABLE app.a;\nDROP SCHEMA app;",
        );
        write(
            "002_u.sql",
            "002",
            "001",
            "CREATE TABLE u AS SELECT 1 AS x;\nALTER TABLE t ADD COLUMN flag boolean;",
            "ALTER TABLE t DROP COLUMN flag;\nDROP TABLE u;",
        );
        // SAFETY: no other test of this crate reads or writes the environment.
        unsafe {
            std::env::set_var(MANIFEST_DIR_OVERRIDE_VAR, &root);
            std::env::set_var("OUT_DIR", &out);
            std::env::set_var(TRACKED_ENV, "migrations");
        }
        let call: Call = syn::parse_str("").unwrap();
        let expand_text = || {
            let e = expand(&call);
            assert!(e.complete, "{}", e.tokens);
            e.tokens.to_string()
        };
        let full = expand_text();
        assert!(full.contains("pub mod schema"), "{full}");
        // What `retort_build::track` leaves after a clean check.
        let report = check_dir(&dir, "migrations", &Options::default());
        assert!(!report.has_errors(), "{}", report.render());
        let handoff = Handoff::of(&report, &Options::default().lints);
        handoff.write(&out, &dir).unwrap();
        assert_eq!(expand_text(), full);
        // The expansion does take the schema from the handoff: a changed one shows.
        let mut changed = handoff.clone();
        let (_, shape) = changed.head.as_mut().unwrap();
        let t = shape
            .tables
            .iter_mut()
            .find(|t| t.name.name == "t")
            .unwrap();
        t.columns.as_mut().unwrap()[1].name = "remark".into();
        changed.write(&out, &dir).unwrap();
        let from_changed = expand_text();
        assert!(from_changed.contains("REMARK") && !from_changed.contains("NOTE"));
        // Another file than the one checked: the handoff is left aside.
        write(
            "003_v.sql",
            "003",
            "002",
            "CREATE TABLE v (id int);",
            "DROP TABLE v;",
        );
        let after_edit = expand_text();
        assert!(after_edit.contains("NOTE") && after_edit.contains("pub mod v"));
        // A call that the structure checks refuse is refused with the handoff too.
        write(
            "004_w.sql",
            "004",
            "002",
            "CREATE TABLE w (id int);",
            "DROP TABLE w;",
        );
        let report = check_dir(
            &dir,
            "migrations",
            &Options {
                allow_multiple_heads: true,
                ..Options::default()
            },
        );
        Handoff::of(&report, &Options::default().lints)
            .write(&out, &dir)
            .unwrap();
        let refused = expand(&call);
        assert!(!refused.complete);
        assert!(
            refused.tokens.to_string().contains("multiple-heads"),
            "{}",
            refused.tokens
        );
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn markdown_is_escaped() {
        assert_eq!(escape_markdown("add [beta] *x*"), "add \\[beta\\] \\*x\\*");
        assert_eq!(escape_code("a`b"), "a'b");
    }
}
