//! The macro call: `migrations!()`, `migrations!("db/migrations")`, then optional flags.
//!
//! ```text
//! call  := [ path ] { "," flag } [ "," ]
//!        | flag { "," flag } [ "," ]
//! path  := string literal (relative to the crate's Cargo.toml)
//! flag  := "allow_multiple_heads" | "allow_multiple_roots" | "untracked"
//!        | "schema_at" "=" "[" [ revision { "," revision } [ "," ] ] "]"
//!        | "derive" "=" "[" [ path { "," path } [ "," ] ] "]"
//!        | "types" "=" "[" [ family { "," family } [ "," ] ] "]"
//!        | ( "allow" | "warn" | "deny" ) "=" "[" [ lint { "," lint } [ "," ] ] "]"
//! revision := string literal (a revision id)
//! path  := a derive macro's path, such as `Debug` or `serde::Serialize`
//! family := "chrono" | "uuid" | "serde_json"
//! lint  := string literal (a lint's code, such as "create-index-blocks-writes")
//! ```

use proc_macro2::{Span, TokenStream, TokenTree};
use retort_core::codes::Code;
use retort_core::diagnostic::Diagnostic;
use retort_core::lint::{Level, config::lint_code};
use retort_core::source::Sources;
use syn::parse::{Parse, ParseStream};
use syn::{Error, Ident, Lit, LitStr, Result, Token};

use crate::family::{self, TypeFamily};

/// The directory read when the call names none.
pub const DEFAULT_DIR: &str = "migrations";

/// Every flag the call accepts, for the error message that lists them.
pub const FLAGS: &[&str] = &["allow_multiple_heads", "allow_multiple_roots", "untracked"];

/// The option that asks for the typed schema at more revisions than the head.
pub const SCHEMA_AT: &str = "schema_at";

/// How `schema_at` is written, for help lines.
const SCHEMA_AT_EXAMPLE: &str = "schema_at = [\"002\", \"005\"]";

/// The option that names the derives of the typed schema's row structs.
pub const DERIVE: &str = "derive";

/// How `derive` is written, for help lines.
const DERIVE_EXAMPLE: &str = "derive = [Debug, Clone, PartialEq]";

/// The option that chooses the crates of the typed schema's dates, times, `uuid` and `json`.
pub const TYPES: &str = "types";

/// How `types` is written, for help lines.
const TYPES_EXAMPLE: &str = "types = [chrono, uuid, serde_json]";

/// How the lint levels are written, for help lines.
const LINTS_EXAMPLE: &str = "deny = [\"create-index-blocks-writes\"]";

/// Every option the call accepts, as the help lines show them.
const OPTIONS: &[&str] = &[
    SCHEMA_AT_EXAMPLE,
    DERIVE_EXAMPLE,
    TYPES_EXAMPLE,
    LINTS_EXAMPLE,
    "warn = [\"prefer-bigint\"]",
    "allow = [\"lock-without-timeout\"]",
];

/// A parsed `migrations!(...)` call.
pub struct Call {
    /// The directory as written, relative to the crate's `Cargo.toml`.
    pub dir: String,
    /// Whether the call names the directory (or reads the default one).
    pub explicit_dir: bool,
    /// The span of the directory literal, or the call site when it is implicit.
    pub dir_span: Span,
    /// `allow_multiple_heads`: unmerged branches are not an error.
    pub allow_multiple_heads: bool,
    /// `allow_multiple_roots`: independent histories are not an error.
    pub allow_multiple_roots: bool,
    /// `untracked`: no build script needs to track the directory.
    pub untracked: bool,
    /// `schema_at = ["002", …]`: the revisions whose typed schema is generated besides the
    /// head's, as written (with their spans, for errors); `None` when the call has no
    /// `schema_at`.
    pub schema_at: Option<Vec<LitStr>>,
    /// `derive = [Debug, …]`: the derive macros of every row struct, each path's tokens as
    /// written (their spans point at the call); `None` when the call has no `derive`.
    pub derive: Option<Vec<TokenStream>>,
    /// `types = [chrono, …]`: the crates whose types the typed schema uses, in the order
    /// written; `None` when the call has no `types` (those columns are then `Raw`).
    pub types: Option<Vec<TypeFamily>>,
    /// `allow = […]`, `warn = […]`, `deny = […]`: lint levels, over those of `retort.toml`.
    pub lints: Vec<(Code, Level)>,
}

impl Parse for Call {
    fn parse(input: ParseStream) -> Result<Self> {
        let mut call = Call {
            dir: DEFAULT_DIR.to_owned(),
            explicit_dir: false,
            dir_span: Span::call_site(),
            allow_multiple_heads: false,
            allow_multiple_roots: false,
            untracked: false,
            schema_at: None,
            derive: None,
            types: None,
            lints: Vec::new(),
        };
        if input.is_empty() {
            return Ok(call);
        }
        let mut first = true;
        while !input.is_empty() {
            if input.peek(Ident) {
                let ident: Ident = input.parse()?;
                let looks_like_const = ident.to_string().starts_with(|c: char| c.is_uppercase());
                if looks_like_const
                    || input.peek(Token![!])
                    || input.peek(Token![::])
                    || input.peek(Token![.])
                {
                    return Err(error(
                        ident.span(),
                        "the migration directory must be a string literal",
                        "the macro reads the directory before other macros and constants are \
                         expanded; write the path itself: `retort::migrations!(\"db/migrations\")`",
                    ));
                }
                if input.peek(Token![=]) {
                    call.set_option(&ident, input)?;
                } else {
                    call.set_flag(&ident)?;
                }
            } else if input.peek(Lit) {
                let lit: Lit = input.parse()?;
                let Lit::Str(path) = lit else {
                    return Err(expected(lit.span()));
                };
                if !first {
                    return Err(error(
                        path.span(),
                        "the migration directory comes before the flags",
                        "write `retort::migrations!(\"db/migrations\", untracked)`",
                    ));
                }
                call.set_dir(&path)?;
            } else {
                return Err(expected(input.span()));
            }
            first = false;
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(call)
    }
}

impl Call {
    fn set_dir(&mut self, path: &LitStr) -> Result<()> {
        if !path.suffix().is_empty() {
            return Err(bad(
                path.span(),
                "the directory is a plain string literal, without a suffix",
            ));
        }
        let dir = path.value();
        if dir.trim().is_empty() {
            return Err(error(
                path.span(),
                "the migration directory is empty",
                "omit it to read `migrations`, or name one relative to Cargo.toml: \
                 `retort::migrations!(\"db/migrations\")`",
            ));
        }
        self.dir = dir;
        self.explicit_dir = true;
        self.dir_span = path.span();
        Ok(())
    }

    /// `name = value`: `schema_at = ["002", …]`, `derive = […]` or `types = […]`.
    fn set_option(&mut self, ident: &Ident, input: ParseStream) -> Result<()> {
        let name = ident.to_string();
        if name == DERIVE {
            return self.set_derive(ident, input);
        }
        if name == TYPES {
            return self.set_types(ident, input);
        }
        if let Ok(level) = name.parse::<Level>() {
            return self.set_lints(ident, level, input);
        }
        if name != SCHEMA_AT {
            let options: Vec<String> = OPTIONS.iter().map(|o| format!("`{o}`")).collect();
            return Err(error(
                ident.span(),
                &format!("unknown option `{name}`"),
                &format!("the options are {}", options.join(", ")),
            ));
        }
        input.parse::<Token![=]>()?;
        let list;
        syn::bracketed!(list in input);
        let revisions = list.parse_terminated(|i| i.parse::<Lit>(), Token![,])?;
        if self.schema_at.is_some() {
            return Err(bad(ident.span(), "`schema_at` is given twice"));
        }
        let mut listed: Vec<LitStr> = Vec::new();
        for lit in revisions {
            let Lit::Str(rev) = lit else {
                return Err(error(
                    lit.span(),
                    "expected a revision id as a string literal",
                    &format!("write `{SCHEMA_AT_EXAMPLE}`"),
                ));
            };
            if listed.iter().any(|r| r.value() == rev.value()) {
                return Err(bad(
                    rev.span(),
                    &format!("revision `{}` is listed twice", rev.value()),
                ));
            }
            listed.push(rev);
        }
        self.schema_at = Some(listed);
        Ok(())
    }

    /// `derive = [Debug, serde::Serialize, …]`: each path's tokens, split at the commas.
    fn set_derive(&mut self, ident: &Ident, input: ParseStream) -> Result<()> {
        input.parse::<Token![=]>()?;
        let list;
        syn::bracketed!(list in input);
        let tokens: TokenStream = list.parse()?;
        if self.derive.is_some() {
            return Err(bad(ident.span(), "`derive` is given twice"));
        }
        let mut paths = vec![TokenStream::new()];
        for tt in tokens {
            match &tt {
                TokenTree::Punct(p) if p.as_char() == ',' => {
                    if paths.last().is_some_and(TokenStream::is_empty) {
                        return Err(error(
                            p.span(),
                            "expected a derive macro's path before `,`",
                            &format!("write `{DERIVE_EXAMPLE}`"),
                        ));
                    }
                    paths.push(TokenStream::new());
                }
                _ => paths
                    .last_mut()
                    .into_iter()
                    .for_each(|p| p.extend([tt.clone()])),
            }
        }
        paths.retain(|p| !p.is_empty());
        self.derive = Some(paths);
        Ok(())
    }

    /// `deny = ["create-index-blocks-writes", …]` (or `allow`, `warn`): each a lint's code,
    /// given one level in the call.
    fn set_lints(&mut self, ident: &Ident, level: Level, input: ParseStream) -> Result<()> {
        input.parse::<Token![=]>()?;
        let list;
        syn::bracketed!(list in input);
        let names = list.parse_terminated(|i| i.parse::<TokenTree>(), Token![,])?;
        for tt in names {
            let span = tt.span();
            let Ok(name) = syn::parse2::<LitStr>(tt.into()) else {
                return Err(error(
                    span,
                    "expected a lint's code as a string literal",
                    &format!("write `{LINTS_EXAMPLE}`"),
                ));
            };
            let code = lint_code(&name.value()).map_err(|e| {
                error(
                    name.span(),
                    &e.to_string(),
                    &format!(
                        "`{ident}` lists lints by their codes, as the warnings print them: \
                         `{LINTS_EXAMPLE}`"
                    ),
                )
            })?;
            if self.lints.iter().any(|(c, _)| *c == code) {
                return Err(bad(
                    name.span(),
                    &format!("lint `{code}` is given a level twice"),
                ));
            }
            self.lints.push((code, level));
        }
        Ok(())
    }

    /// `types = [chrono, uuid, serde_json]`: each name a known family, once.
    fn set_types(&mut self, ident: &Ident, input: ParseStream) -> Result<()> {
        input.parse::<Token![=]>()?;
        let list;
        syn::bracketed!(list in input);
        let names = list.parse_terminated(|i| i.parse::<TokenTree>(), Token![,])?;
        if self.types.is_some() {
            return Err(bad(ident.span(), "`types` is given twice"));
        }
        let mut families = Vec::new();
        for name in names {
            let TokenTree::Ident(name) = name else {
                return Err(error(
                    name.span(),
                    "expected the name of a crate",
                    &format!("the crates are {}: `{TYPES_EXAMPLE}`", family::name_list()),
                ));
            };
            let text = name.to_string();
            let Some(family) = TypeFamily::from_name(&text) else {
                let names: Vec<&str> = TypeFamily::ALL.iter().map(|f| f.name()).collect();
                let suggestion = did_you_mean(&text, &names);
                return Err(error(
                    name.span(),
                    &format!("unknown crate `{text}` in `types`"),
                    &format!(
                        "{suggestion}the typed schema can read columns as the types of {}: \
                         `{TYPES_EXAMPLE}`",
                        family::name_list()
                    ),
                ));
            };
            if families.contains(&family) {
                return Err(bad(name.span(), &format!("`{text}` is listed twice")));
            }
            families.push(family);
        }
        self.types = Some(families);
        Ok(())
    }

    fn set_flag(&mut self, ident: &Ident) -> Result<()> {
        let name = ident.to_string();
        if name == SCHEMA_AT || name == DERIVE || name == TYPES || name.parse::<Level>().is_ok() {
            let example = match name.as_str() {
                DERIVE => DERIVE_EXAMPLE,
                TYPES => TYPES_EXAMPLE,
                "allow" | "warn" | "deny" => LINTS_EXAMPLE,
                _ => SCHEMA_AT_EXAMPLE,
            };
            return Err(error(
                ident.span(),
                &format!("`{name}` needs a list"),
                &format!("write `{example}`"),
            ));
        }
        let slot = match name.as_str() {
            "allow_multiple_heads" => &mut self.allow_multiple_heads,
            "allow_multiple_roots" => &mut self.allow_multiple_roots,
            "untracked" => &mut self.untracked,
            _ => {
                let suggestion = did_you_mean(&name, FLAGS);
                return Err(error(
                    ident.span(),
                    &format!("unknown flag `{name}`"),
                    &format!(
                        "{suggestion}the flags are {}, after the directory if the call names \
                         one: `retort::migrations!(\"db/migrations\", untracked)`",
                        flag_list()
                    ),
                ));
            }
        };
        if *slot {
            return Err(bad(ident.span(), &format!("flag `{name}` is given twice")));
        }
        *slot = true;
        Ok(())
    }
}

/// "did you mean `x`? " for the candidate closest to `name`, if one is close enough; else
/// nothing.
fn did_you_mean(name: &str, candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| (levenshtein(name, c), *c))
        .filter(|(d, c)| *d <= c.len() / 3)
        .min()
        .map(|(_, c)| format!("did you mean `{c}`? "))
        .unwrap_or_default()
}

fn flag_list() -> String {
    let quoted: Vec<String> = FLAGS.iter().map(|f| format!("`{f}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

fn expected(span: Span) -> Error {
    error(
        span,
        "expected the migration directory as a string literal, or a flag",
        &format!(
            "the call is `retort::migrations!()`, `retort::migrations!(\"db/migrations\")`, and \
             after the directory, if any, the flags {}",
            flag_list()
        ),
    )
}

/// A malformed argument at `span`, with a help line, laid out like the checks' messages.
pub fn error(span: Span, message: &str, help: &str) -> Error {
    error_with(span, Code::MacroBadArgument, message, Some(help))
}

/// A malformed argument at `span` that needs no help line.
fn bad(span: Span, message: &str) -> Error {
    error_with(span, Code::MacroBadArgument, message, None)
}

/// An error of kind `code` at `span`, laid out like the checks' messages.
pub fn error_with(span: Span, code: Code, message: &str, help: Option<&str>) -> Error {
    let mut d = Diagnostic::error(code, message);
    if let Some(help) = help {
        d = d.with_help(help);
    }
    Error::new(span, for_compile_error(&d.render(&Sources::new())))
}

/// A rendered diagnostic as the text of a `compile_error!` or `syn::Error`: rustc prints
/// `error: ` before it, so `error[code]: message` becomes `[code] message`.
pub fn for_compile_error(rendered: &str) -> String {
    match rendered
        .strip_prefix("error[")
        .and_then(|rest| rest.split_once("]: "))
    {
        Some((code, rest)) => format!("[{code}] {rest}"),
        None => rendered
            .strip_prefix("error: ")
            .unwrap_or(rendered)
            .to_owned(),
    }
}

/// Gives syn's own parse errors (`expected `,``) the code of a malformed argument.
pub fn with_code(errors: Error) -> Error {
    let mut coded = (&errors).into_iter().map(|e| {
        let text = e.to_string();
        if text.starts_with('[') {
            e
        } else {
            bad(e.span(), &text)
        }
    });
    let Some(mut all) = coded.next() else {
        return errors;
    };
    for e in coded {
        all.combine(e);
    }
    all
}

/// Edit distance between two short strings, for "did you mean".
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let here = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(here + 1);
            prev = here;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<Call> {
        syn::parse_str(src)
    }

    #[test]
    fn shapes() {
        let c = parse("").unwrap();
        assert_eq!(c.dir, "migrations");
        assert!(!c.untracked);
        let c = parse(r#""db/migrations", untracked, allow_multiple_heads,"#).unwrap();
        assert_eq!(c.dir, "db/migrations");
        assert!(c.untracked && c.allow_multiple_heads && !c.allow_multiple_roots);
        let c = parse("allow_multiple_roots").unwrap();
        assert_eq!(c.dir, "migrations");
        assert!(c.allow_multiple_roots);
    }

    #[test]
    fn lint_levels() {
        let c = parse(r#"deny = ["create-index-blocks-writes"], allow = ["lock-without-timeout"]"#)
            .unwrap();
        assert_eq!(
            c.lints,
            [
                (Code::CreateIndexBlocksWrites, Level::Deny),
                (Code::LockWithoutTimeout, Level::Allow)
            ]
        );
        let msg = |src: &str| parse(src).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            msg(r#"warn = ["prefer-bigints"]"#).contains("did you mean `prefer-bigint`?"),
            "{}",
            msg(r#"warn = ["prefer-bigints"]"#)
        );
        assert!(msg(r#"warn = ["sql-syntax"]"#).contains("`sql-syntax` is not a lint"));
        assert!(msg("deny = [prefer_bigint]").contains("as a string literal"));
        assert!(msg("deny").contains("`deny` needs a list"));
        assert!(
            msg(r#"deny = ["prefer-text"], allow = ["prefer-text"]"#).contains("a level twice")
        );
    }

    #[test]
    fn errors() {
        let msg = |src: &str| parse(src).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg("untraked").contains("did you mean `untracked`?"));
        assert!(msg("frobnicate").starts_with("[macro-bad-argument] unknown flag `frobnicate`\n"));
        assert!(!msg("frobnicate").contains("did you mean"));
        assert!(msg("untracked, untracked").contains("given twice"));
        assert!(msg("42").starts_with("[macro-bad-argument] expected the migration directory"));
        assert!(msg("concat!(\"a\")").contains("must be a string literal"));
        assert!(msg("consts::dir").contains("must be a string literal"));
        assert!(msg("DIR").contains("must be a string literal"));
        assert!(
            msg("crate::DIR").starts_with("[macro-bad-argument] expected the migration directory")
        );
        assert!(msg("untracked, \"db\"").contains("comes before the flags"));
        assert!(msg("\"\"").contains("is empty"));
        assert!(msg("\"a\" \"b\"").contains("expected `,`"));
        assert!(msg("schema_at").contains("`schema_at` needs a list"));
        assert!(msg("derive").contains("`derive` needs a list"));
        assert!(msg("derive = [Debug], derive = []").contains("`derive` is given twice"));
        assert!(msg("derive = [Debug,, Clone]").contains("path before `,`"));
        assert!(msg("derive = Debug").contains("expected square brackets"));
        assert!(msg("schema_at = [\"1\", \"1\"]").contains("`1` is listed twice"));
        assert!(msg("schema_at = [1]").contains("as a string literal"));
        assert!(msg("schema_at = \"1\"").contains("expected square brackets"));
        assert!(msg("schema_at = [], schema_at = [\"1\"]").contains("given twice"));
        assert!(msg("schema_at = [\"1\"], schema_at = [\"2\"]").contains("given twice"));
        assert!(
            msg("schema = [\"1\"]").starts_with("[macro-bad-argument] unknown option `schema`")
        );
        assert!(msg("schema = [\"1\"]").contains("`types = [chrono, uuid, serde_json]`"));
        assert!(msg("types").contains("`types` needs a list"));
        assert!(msg("types = chrono").contains("expected square brackets"));
        assert!(
            msg("types = [crono]")
                .starts_with("[macro-bad-argument] unknown crate `crono` in `types`\n")
        );
        assert!(msg("types = [crono]").contains("did you mean `chrono`?"));
        assert!(msg("types = [serdejson]").contains("did you mean `serde_json`?"));
        assert!(!msg("types = [time]").contains("did you mean"));
        assert!(
            msg("types = [\"uuid\"]")
                .starts_with("[macro-bad-argument] expected the name of a crate")
        );
        assert!(msg("types = [uuid, uuid]").contains("`uuid` is listed twice"));
        assert!(msg("types = [], types = [uuid]").contains("`types` is given twice"));
    }

    #[test]
    fn types_lists_families() {
        let c = parse("types = [serde_json, chrono,], untracked").unwrap();
        assert_eq!(
            c.types,
            Some(vec![TypeFamily::SerdeJson, TypeFamily::Chrono])
        );
        assert!(c.untracked);
        assert_eq!(parse("types = []").unwrap().types, Some(vec![]));
        assert!(parse("untracked").unwrap().types.is_none());
    }

    #[test]
    fn syn_errors_get_the_code_of_a_bad_argument() {
        let coded = |src: &str| parse(src).err().map(|e| with_code(e).to_string());
        assert_eq!(
            coded("\"a\" \"b\"").as_deref(),
            Some("[macro-bad-argument] expected `,`")
        );
        // Errors that have a code keep it, once.
        assert!(
            coded("frobnicate")
                .unwrap_or_default()
                .starts_with("[macro-bad-argument] unknown flag")
        );
    }

    #[test]
    fn schema_at_lists_revisions() {
        let c = parse(r#""db", schema_at = ["001", "a2b"], untracked"#).unwrap();
        let revs: Vec<String> = c.schema_at.iter().flatten().map(LitStr::value).collect();
        assert_eq!(revs, ["001", "a2b"]);
        assert!(c.untracked);
        assert_eq!(
            parse("schema_at = []").unwrap().schema_at.map(|v| v.len()),
            Some(0)
        );
        assert!(parse("untracked").unwrap().schema_at.is_none());
    }

    #[test]
    fn derive_lists_paths() {
        let c = parse("derive = [Debug, serde::Serialize,], untracked").unwrap();
        let paths: Vec<String> = c.derive.iter().flatten().map(|p| p.to_string()).collect();
        assert_eq!(paths, ["Debug", "serde :: Serialize"]);
        assert_eq!(
            parse("derive = []").unwrap().derive.map(|d| d.len()),
            Some(0)
        );
        assert!(parse("untracked").unwrap().derive.is_none());
    }

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("untraked", "untracked"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }
}
