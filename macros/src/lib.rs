//! The `migrations!()` proc macro of [retort](https://docs.rs/retort): load a migration
//! directory, check it with `retort-core`, and embed it as static data.
//!
//! Use it through the `retort` crate, which documents it: `retort::migrations!()`. The crate
//! is a thin shell: `ast` parses the call, `retort_core::check::check_dir` loads and checks
//! the directory, `expand` generates the items or the errors, and `cache` keeps a complete
//! expansion in `OUT_DIR` for the next rebuild with the same inputs.

#![warn(missing_docs)]

mod ast;
mod cache;
mod expand;
mod family;
mod ident;
mod lints;
mod typed;

use proc_macro::TokenStream;

/// # Generated items
///
/// In item position, in the module that calls it:
///
/// - `pub static MIGRATIONS: retort::MigrationSet`: every migration (revision, parents,
///   message, up and down SQL, transaction flag, checksum computed at compile time), each
///   after its parents. Static data: nothing is parsed or allocated at run time.
/// - `pub mod revisions`: one `pub const R<id>: retort::Revision` a revision (`R001`,
///   `Ra1b2c3`), documented with its message and file, so that code naming a revision that is
///   renamed or deleted stops compiling.
/// - `pub const HEADS: &[retort::Revision]`, and `pub const HEAD: retort::Revision` when there
///   is exactly one head.
/// - `pub mod schema`, when there is one head: the typed schema at the head, one module a
///   table with `TABLE`, a `retort::schema::Column` constant a column, `COLUMNS` and a `Row`
///   struct (see `retort::migrations!`); and `pub mod schema_at` with `R<id>` for each
///   revision the call lists in `schema_at = ["<id>", …]`; `derive = [Debug, …]` derives on
///   every `Row`; `types = [chrono, uuid, serde_json]` reads dates and times, `uuid` and
///   `json` as those crates' types (`retort::schema::Raw` otherwise).
///
/// The build depends on every file read, so editing one rebuilds the crate;
/// `retort_build::track` in `build.rs` makes adding or removing one rebuild it too.
///
/// # Errors
///
/// Each problem in the directory is a compile error pointing at the macro call, whose message
/// shows the file, the line and column, the offending line and how to fix it: the header and
/// sections of every file, the revision graph (duplicates, unknown parents, cycles, several
/// roots or heads), the SQL syntax of every statement, statements that PostgreSQL refuses
/// inside a transaction in a migration that runs in one, and the schema model's verdicts: a
/// statement about a table, column, index, constraint or type that does not exist at that
/// point or that creates one that already exists, a foreign key to columns without a unique
/// constraint, an enum value used in the transaction that added it, merged branches that
/// change one object differently, and a down section that
/// does not restore the schema its up changed. Each message starts with its code
/// (`[schema-missing-column]`), which `retort explain` documents. The same checks run in
/// `retort-build` and `retort check`, in the same words. Warnings (such as a statement exempted with
/// `-- retort:unchecked`) are reported by the build script, as a stable proc macro cannot warn.
///
/// A directory that no build script tracks is an error too, unless the call says
/// `untracked`.
#[proc_macro]
pub fn migrations(input: TokenStream) -> TokenStream {
    let call_text = input.to_string();
    let call = match syn::parse::<ast::Call>(input) {
        Ok(call) => call,
        Err(e) => return ast::with_code(e).to_compile_error().into(),
    };
    let cache = cache::Cache::for_call(&call, &call_text);
    if let Some(Ok(Ok(tokens))) = cache
        .as_ref()
        .and_then(cache::Cache::load)
        .map(|text| std::panic::catch_unwind(|| text.parse::<TokenStream>()))
    {
        return tokens;
    }
    let expansion = expand::expand(&call);
    if expansion.complete
        && let Some(cache) = &cache
    {
        cache.store(&expansion.tokens.to_string());
    }
    expansion.tokens.into()
}
