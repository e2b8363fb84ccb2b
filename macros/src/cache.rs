//! The expansion cache: a touch rebuild (`touch src/main.rs && cargo build`) runs the macro
//! again with the very same inputs; checking 1,000 migrations and generating their items
//! takes seconds in a proc macro compiled without optimisation, reading them and hashing
//! them a fraction of that. So a complete expansion (one without errors) is kept in the
//! crate's `OUT_DIR`, under a key that covers everything the expansion depends on, and
//! reused while the key is the same.
//!
//! The key ([`key`]) is a 128-bit [`Digest128`] over: the cache format, this crate's version and build id
//! (a digest of its sources, and of `retort-core`'s in retort's own repository), a digest
//! that changes with `retort-core`'s version, the call's tokens, the resolved directory,
//! every environment variable the expansion reads, whether a build script tracks the
//! directory, `retort.toml` (its lint levels), and every entry of the directory that the checks read: name and bytes.
//!
//! One file a call and directory (`retort-expansion-<hash>.rs`), its first line the key and
//! the length of the rest, the expansion's tokens as text; written to a temporary file, then
//! renamed. The text is parsed back by the compiler's own parser (`proc_macro`), not by
//! `proc_macro2`, which would first check it with its unoptimised lexer (most of a hit's cost). Any I/O
//! problem leaves the cache aside: the macro expands as if there were none. No cache without
//! `OUT_DIR` (a crate without a build script), or when the call has `derive`: the derive
//! paths keep the spans the user wrote them with, which text parsed back would lose.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

pub use retort_core::digest::Digest128;
use retort_core::digest::to_hex;
use retort_core::load::{TRACKED_ENV, is_ignored};
use retort_core::verified::Verified;
use sha2::{Digest, Sha256};

use crate::ast::Call;
use crate::expand::{MANIFEST_DIR_OVERRIDE_VAR, is_tracked, manifest_dir};

/// The layout of the key and of the file; bump it when either changes, and when the text the
/// macro generates does (the build id covers that in this repository only).
const FORMAT: &str = "retort expansion cache 5";

/// Prefix of the cache files in `OUT_DIR`.
const FILE_PREFIX: &str = "retort-expansion-";

/// The first line of a cache file, before the key's hex digits.
const KEY_LINE: &str = "// retort expansion cache key ";

/// The environment variables that the expansion reads, besides `OUT_DIR` (which holds the
/// cache and the build script's digests; those only let the checks skip work).
const ENV_VARS: &[&str] = &["CARGO_MANIFEST_DIR", MANIFEST_DIR_OVERRIDE_VAR, TRACKED_ENV];

/// Everything an expansion depends on, besides the directory's files.
pub struct KeyInputs<'a> {
    /// The call's tokens as text.
    pub call: &'a str,
    /// The directory, resolved against the crate root.
    pub dir: &'a Path,
    /// The values of [`ENV_VARS`], in that order.
    pub env: &'a [Option<OsString>],
    /// Whether a build script tracks the directory.
    pub tracked: bool,
    /// The text of `retort.toml` beside `Cargo.toml` (its lint levels), if there is one.
    pub config: Option<&'a str>,
}

/// The key of an expansion, or `None` when the directory cannot be read as the checks read
/// it (an unreadable entry, a subdirectory, a name that is not UTF-8): then there is no
/// cache, and the checks report the problem.
pub fn key(inputs: &KeyInputs) -> Option<[u8; 16]> {
    let mut h = Digest128::new();
    let mut field = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    field(FORMAT.as_bytes());
    field(env!("CARGO_PKG_VERSION").as_bytes());
    field(
        option_env!("RETORT_MACROS_BUILD_ID")
            .unwrap_or_default()
            .as_bytes(),
    );
    // Covers `retort-core`'s version (the digest of the empty text names the checker).
    field(&Verified::digest(""));
    field(inputs.call.as_bytes());
    field(inputs.dir.as_os_str().as_encoded_bytes());
    for value in inputs.env {
        match value {
            Some(v) => {
                field(b"set");
                field(v.as_encoded_bytes());
            }
            None => field(b"unset"),
        }
    }
    field(&[u8::from(inputs.tracked)]);
    match inputs.config {
        Some(text) => {
            field(b"config");
            field(text.as_bytes());
        }
        None => field(b"no config"),
    }
    let mut names = Vec::new();
    for entry in fs::read_dir(inputs.dir).ok()? {
        names.push(entry.ok()?.file_name().into_string().ok()?);
    }
    names.sort();
    for name in names.iter().filter(|n| !is_ignored(n)) {
        // Follows symbolic links, as the checks do; a directory fails to read.
        let bytes = fs::read(inputs.dir.join(name)).ok()?;
        field(name.as_bytes());
        field(&bytes);
    }
    Some(h.finish())
}

/// Where one call's expansion is cached, and under which key.
pub struct Cache {
    path: PathBuf,
    key: String,
}

impl Cache {
    /// The cache of this call, or `None` when there is none (see the module's documentation).
    /// `call_text` is the call's tokens as text.
    pub fn for_call(call: &Call, call_text: &str) -> Option<Self> {
        if call.derive.as_ref().is_some_and(|d| !d.is_empty()) {
            return None;
        }
        let out_dir = PathBuf::from(std::env::var_os("OUT_DIR")?);
        let manifest_dir = manifest_dir()?;
        let dir = manifest_dir.join(&call.dir);
        let tracked_list = std::env::var(TRACKED_ENV).ok();
        let tracked = is_tracked(tracked_list.as_deref(), &call.dir, &manifest_dir, &dir);
        let env: Vec<Option<OsString>> = ENV_VARS.iter().map(std::env::var_os).collect();
        let config = crate::lints::config_text(&manifest_dir);
        let key = key(&KeyInputs {
            call: call_text,
            dir: &dir,
            env: &env,
            tracked,
            config: config.as_deref(),
        })?;
        // The file's name: the call and directory only, so that a changed migration
        // overwrites the call's one file instead of adding another.
        let mut name = Sha256::new();
        name.update(call_text.as_bytes());
        name.update([0]);
        name.update(dir.as_os_str().as_encoded_bytes());
        let name: [u8; 32] = name.finalize().into();
        Some(Self {
            path: out_dir.join(format!("{FILE_PREFIX}{}.rs", to_hex(&name[..8]))),
            key: to_hex(&key),
        })
    }

    /// The cached expansion's text, if the file exists, is readable, holds this key and its
    /// text is whole (its length is in the first line; the file is only ever replaced whole,
    /// by a rename): the compiler's parser cannot always recover from bad input, so nothing
    /// but text this cache wrote is handed to it.
    pub fn load(&self) -> Option<String> {
        let mut text = fs::read_to_string(&self.path).ok()?;
        let newline = text.find('\n')?;
        let (key, len) = text[..newline].strip_prefix(KEY_LINE)?.split_once(' ')?;
        if key != self.key || len.parse::<usize>().ok()? != text.len() - newline - 1 {
            return None;
        }
        text.drain(..=newline);
        Some(text)
    }

    /// Stores a complete expansion's text; a failure to write is ignored.
    pub fn store(&self, tokens: &str) {
        let text = format!("{KEY_LINE}{} {}\n{tokens}", self.key, tokens.len());
        let tmp = self
            .path
            .with_extension(format!("{}.tmp", std::process::id()));
        let written = fs::write(&tmp, text).and_then(|()| fs::rename(&tmp, &self.path));
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proc_macro2::TokenStream;

    use super::*;

    /// A fresh directory under the system's temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir()
                .join(format!("retort-macros-cache-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn write(&self, name: &str, text: &str) {
            fs::write(self.0.join(name), text).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn key_of(dir: &Path, call: &str, tracked: Option<&str>) -> Option<[u8; 16]> {
        let env = [
            Some(OsString::from("/crate")),
            None,
            tracked.map(OsString::from),
        ];
        key(&KeyInputs {
            call,
            dir,
            env: &env,
            tracked: true,
            config: None,
        })
    }

    #[test]
    fn key_changes_with_every_input_and_only_then() {
        let tmp = TempDir::new("key");
        tmp.write("001_a.sql", "-- revision: 001\n-- migrate:up\nSELECT 1;\n");
        tmp.write("002_b.sql", "-- revision: 002\n-- down_revision: 001\n");
        let dir = tmp.0.as_path();
        let base = key_of(dir, "", Some("migrations")).unwrap();
        assert_eq!(
            key_of(dir, "", Some("migrations")),
            Some(base),
            "deterministic"
        );

        // Ignored entries (dot-files, Markdown) do not count.
        tmp.write("README.md", "notes");
        tmp.write(".keep", "");
        assert_eq!(key_of(dir, "", Some("migrations")), Some(base));

        // A file's bytes.
        tmp.write("002_b.sql", "-- revision: 002\n-- down_revision: 001\n\n");
        let edited = key_of(dir, "", Some("migrations")).unwrap();
        assert_ne!(edited, base);
        // Back to the same bytes: the same key.
        tmp.write("002_b.sql", "-- revision: 002\n-- down_revision: 001\n");
        assert_eq!(key_of(dir, "", Some("migrations")), Some(base));

        // A file added, then renamed.
        tmp.write("003_c.sql", "-- revision: 003\n");
        let added = key_of(dir, "", Some("migrations")).unwrap();
        assert_ne!(added, base);
        fs::rename(dir.join("003_c.sql"), dir.join("003_d.sql")).unwrap();
        let renamed = key_of(dir, "", Some("migrations")).unwrap();
        assert_ne!(renamed, added);
        assert_ne!(renamed, base);
        fs::remove_file(dir.join("003_d.sql")).unwrap();
        assert_eq!(key_of(dir, "", Some("migrations")), Some(base));

        // The call's arguments and the environment.
        assert_ne!(key_of(dir, "untracked", Some("migrations")), Some(base));
        assert_ne!(
            key_of(dir, "allow_multiple_heads", Some("migrations")),
            Some(base)
        );
        assert_ne!(key_of(dir, "", Some("migrations;db")), Some(base));
        assert_ne!(key_of(dir, "", None), Some(base));
        let env = [Some(OsString::from("/crate")), None, None];
        let untracked = key(&KeyInputs {
            call: "",
            dir,
            env: &env,
            tracked: false,
            config: None,
        });
        assert_ne!(untracked, key_of(dir, "", None));
        // `retort.toml`'s lint levels change the verdict, so the key.
        let configured = key(&KeyInputs {
            call: "",
            dir,
            env: &env,
            tracked: false,
            config: Some("[lints]\ncreate-index-blocks-writes = \"deny\"\n"),
        });
        assert_ne!(configured, untracked);
    }

    #[test]
    fn no_key_for_a_directory_the_checks_would_reject_or_cannot_read() {
        let tmp = TempDir::new("nokey");
        tmp.write("001_a.sql", "-- revision: 001\n");
        assert!(key_of(&tmp.0, "", None).is_some());
        fs::create_dir(tmp.0.join("old")).unwrap();
        assert_eq!(key_of(&tmp.0, "", None), None);
        assert_eq!(key_of(&tmp.0.join("missing"), "", None), None);
    }

    #[test]
    fn a_stored_expansion_loads_under_its_key_only() {
        let tmp = TempDir::new("store");
        let cache = Cache {
            path: tmp.0.join("retort-expansion-x.rs"),
            key: "ab".to_owned(),
        };
        assert!(cache.load().is_none(), "nothing stored yet");
        let tokens: TokenStream = quote::quote! {
            pub const A: &[u8] = b"\x00\"";
            pub mod r#type { pub const S: &str = "a\nb"; }
        };
        cache.store(&tokens.to_string());
        let loaded = cache.load().expect("stored");
        let parsed = TokenStream::from_str(&loaded).expect("valid tokens");
        assert_eq!(parsed.to_string(), tokens.to_string());
        let other = Cache {
            path: cache.path.clone(),
            key: "cd".to_owned(),
        };
        assert!(other.load().is_none(), "another key misses");
        // A file cut short, or grown, is not used. (The cache replaces its file whole, by a
        // rename, so only a hand edit could change it in place.)
        let whole = fs::read_to_string(&cache.path).unwrap();
        fs::write(&cache.path, &whole[..whole.len() - 3]).unwrap();
        assert!(cache.load().is_none(), "a truncated file misses");
        fs::write(&cache.path, format!("{whole} ")).unwrap();
        assert!(cache.load().is_none(), "a longer file misses");
        fs::write(&cache.path, &whole).unwrap();
        assert!(cache.load().is_some());
        // No temporary file is left behind.
        let names: Vec<_> = fs::read_dir(&tmp.0)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [OsString::from("retort-expansion-x.rs")]);
    }
}
