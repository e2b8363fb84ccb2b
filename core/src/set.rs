//! [`Migration`] and [`MigrationSet`]: checked migrations as a program holds them.
//!
//! The macro builds these as `static` data (every field `Cow::Borrowed`); the command line
//! builds them at run time from a directory it has checked. Either way a set is in an order
//! where every migration follows its parents.

use std::any::Any;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::{Checksum, Revision};

/// One migration: a revision, its parents and its SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migration {
    revision: Revision,
    down_revisions: Cow<'static, [Revision]>,
    message: Cow<'static, str>,
    up_sql: Cow<'static, str>,
    down_sql: Option<Cow<'static, str>>,
    irreversible: Option<Cow<'static, str>>,
    transactional: bool,
    checksum: Checksum,
    path: Cow<'static, str>,
    up_line: u32,
    down_line: u32,
    replaces: Option<Replaces>,
    body: Body,
    environments: Cow<'static, [Cow<'static, str>]>,
}

/// What a migration runs: SQL sections, or the functions of a Rust data migration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// The up and down SQL ([`Migration::up_sql`], [`Migration::down_sql`]).
    Sql,
    /// The `pub fn up` (and `pub fn down`) of a `migrations/<rev>_<slug>.rs` file: the code
    /// when it is compiled into this program (the macro's set), `None` when the migration
    /// was read from a directory by a program that cannot run it (the `retort` command).
    Rust(Option<RustCode>),
}

/// A Rust migration's functions as compiled into a program. Opaque here, as this crate
/// knows no database client: the macro makes it from the runtime's own type, and the
/// runtime gets that type back with [`RustCode::downcast`].
#[derive(Clone, Copy)]
pub struct RustCode(&'static (dyn Any + Send + Sync));

impl RustCode {
    /// Wraps the runtime's description of the functions.
    #[doc(hidden)]
    pub const fn new(code: &'static (dyn Any + Send + Sync)) -> Self {
        RustCode(code)
    }

    /// The functions as the type they were made from, if it is `T`.
    pub fn downcast<T: Any>(&self) -> Option<&'static T> {
        self.0.downcast_ref::<T>()
    }
}

impl PartialEq for RustCode {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::addr_eq(self.0, other.0)
    }
}

impl Eq for RustCode {}

impl std::fmt::Debug for RustCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RustCode(..)")
    }
}

/// What a squash checkpoint stands for: `last` and every revision it descends from, `first`
/// being their root (the header `replaces: <first>..<last>`). See [`crate::checkpoint`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Replaces {
    /// The root of the replaced range.
    pub first: Revision,
    /// The last revision of the range: the checkpoint's schema is the schema there.
    pub last: Revision,
}

/// The parts of a [`Migration`], for building one at run time.
#[derive(Clone, Debug)]
pub struct MigrationParts {
    /// Its revision.
    pub revision: Revision,
    /// Its parents: none for a root, several for a merge.
    pub down_revisions: Vec<Revision>,
    /// One line describing it.
    pub message: String,
    /// The up section's SQL.
    pub up_sql: String,
    /// The down section's SQL; `None` for an irreversible migration.
    pub down_sql: Option<String>,
    /// Why it cannot be reverted, for an irreversible migration.
    pub irreversible: Option<String>,
    /// Whether it runs in a transaction.
    pub transactional: bool,
    /// Its file's path, as shown in messages.
    pub path: String,
    /// The environments it is limited to (`environments:`); empty: everywhere.
    pub environments: Vec<String>,
    /// The line of its file where the up SQL starts (1-based).
    pub up_line: u32,
    /// The line of its file where the down SQL starts (1-based), or 0.
    pub down_line: u32,
}

/// The parts of a [`Migration`] as `static` data, for [`Migration::from_static`]: what the
/// macro generates, field by field, so that the call reads by name and stays a constant.
/// Nothing in it has a destructor (the revision is its text), as a `const fn` cannot drop
/// what it takes apart.
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub struct StaticMigration {
    /// Its revision, checked (see [`Revision::from_static`]).
    pub revision: &'static str,
    /// Its parents: none for a root, several for a merge.
    pub down_revisions: &'static [Revision],
    /// One line describing it.
    pub message: &'static str,
    /// The up section's SQL.
    pub up_sql: &'static str,
    /// The down section's SQL; `None` for an irreversible migration.
    pub down_sql: Option<&'static str>,
    /// Why it cannot be reverted, for an irreversible migration.
    pub irreversible: Option<&'static str>,
    /// Whether it runs in a transaction.
    pub transactional: bool,
    /// The checksum of `up_sql` (see [`Checksum::of_sql`]), computed when the macro ran.
    pub checksum: [u8; 32],
    /// Its file's path, as shown in messages.
    pub path: &'static str,
    /// The line of its file where the up SQL starts (1-based).
    pub up_line: u32,
    /// The line of its file where the down SQL starts (1-based), or 0.
    pub down_line: u32,
    /// For a squash checkpoint, the first and last revisions it replaces, checked.
    pub replaces: Option<(&'static str, &'static str)>,
    /// For a Rust data migration, its functions (the runtime's type; see [`RustCode`]).
    pub rust: Option<&'static (dyn Any + Send + Sync)>,
    /// The environments it is limited to (`environments:`); empty: everywhere.
    pub environments: &'static [Cow<'static, str>],
}

/// The parts of a [`Migration`] decoded from a packed set (see [`crate::pack`]).
pub(crate) struct PackedParts {
    pub revision: Revision,
    pub down_revisions: Vec<Revision>,
    pub message: &'static str,
    pub up_sql: &'static str,
    pub down_sql: Option<&'static str>,
    pub irreversible: Option<&'static str>,
    pub transactional: bool,
    pub checksum: Checksum,
    pub path: &'static str,
    pub up_line: u32,
    pub down_line: u32,
    pub replaces: Option<Replaces>,
    pub body: Body,
    pub environments: Vec<Cow<'static, str>>,
}

impl Migration {
    /// A migration whose text is borrowed from a packed set.
    pub(crate) fn from_packed(p: PackedParts) -> Self {
        Migration {
            revision: p.revision,
            down_revisions: Cow::Owned(p.down_revisions),
            message: Cow::Borrowed(p.message),
            up_sql: Cow::Borrowed(p.up_sql),
            down_sql: p.down_sql.map(Cow::Borrowed),
            irreversible: p.irreversible.map(Cow::Borrowed),
            transactional: p.transactional,
            checksum: p.checksum,
            path: Cow::Borrowed(p.path),
            up_line: p.up_line,
            down_line: p.down_line,
            replaces: p.replaces,
            body: p.body,
            environments: Cow::Owned(p.environments),
        }
    }

    /// A migration from `static` data. The macro calls this, in a constant: nothing is
    /// computed or allocated at run time.
    #[doc(hidden)]
    pub const fn from_static(parts: StaticMigration) -> Self {
        let StaticMigration {
            revision,
            down_revisions,
            message,
            up_sql,
            down_sql,
            irreversible,
            transactional,
            checksum,
            path,
            up_line,
            down_line,
            replaces,
            rust,
            environments,
        } = parts;
        Migration {
            revision: Revision::from_static(revision),
            down_revisions: Cow::Borrowed(down_revisions),
            message: Cow::Borrowed(message),
            up_sql: Cow::Borrowed(up_sql),
            down_sql: match down_sql {
                Some(s) => Some(Cow::Borrowed(s)),
                None => None,
            },
            irreversible: match irreversible {
                Some(s) => Some(Cow::Borrowed(s)),
                None => None,
            },
            transactional,
            checksum: Checksum::from_bytes(checksum),
            path: Cow::Borrowed(path),
            up_line,
            down_line,
            replaces: match replaces {
                Some((first, last)) => Some(Replaces {
                    first: Revision::from_static(first),
                    last: Revision::from_static(last),
                }),
                None => None,
            },
            body: match rust {
                Some(code) => Body::Rust(Some(RustCode(code))),
                None => Body::Sql,
            },
            environments: Cow::Borrowed(environments),
        }
    }

    /// A migration built at run time; the checksum is computed from `up_sql`.
    pub fn new(parts: MigrationParts) -> Self {
        Migration {
            checksum: Checksum::of_sql(&parts.up_sql),
            revision: parts.revision,
            down_revisions: Cow::Owned(parts.down_revisions),
            message: Cow::Owned(parts.message),
            up_sql: Cow::Owned(parts.up_sql),
            down_sql: parts.down_sql.map(Cow::Owned),
            irreversible: parts.irreversible.map(Cow::Owned),
            transactional: parts.transactional,
            path: Cow::Owned(parts.path),
            up_line: parts.up_line,
            down_line: parts.down_line,
            replaces: None,
            body: Body::Sql,
            environments: parts.environments.into_iter().map(Cow::Owned).collect(),
        }
    }

    /// The environments it is limited to (`environments: dev, test`); empty when it runs in
    /// every environment.
    pub fn environments(&self) -> &[Cow<'static, str>] {
        &self.environments
    }

    /// Whether it runs where the runner's environment is `environment` (`None`: no
    /// environment named). A limited migration runs only in the environments it lists.
    pub fn runs_in(&self, environment: Option<&str>) -> bool {
        self.environments.is_empty()
            || environment.is_some_and(|e| self.environments.iter().any(|x| x == e))
    }

    /// The same migration as a Rust data migration read from its file, without its code
    /// (see [`Body::Rust`]): `checksum` is [`Checksum::of_rust`] of the file, as the macro
    /// computes it for the compiled-in set.
    pub fn into_rust(mut self, checksum: Checksum) -> Self {
        self.body = Body::Rust(None);
        self.checksum = checksum;
        self
    }

    /// What it runs: SQL, or Rust functions.
    pub fn body(&self) -> &Body {
        &self.body
    }

    /// Whether it is a Rust data migration.
    pub fn is_rust(&self) -> bool {
        matches!(self.body, Body::Rust(_))
    }

    /// The same migration as a squash checkpoint replacing `replaces` (its header's
    /// `replaces: <first>..<last>`).
    pub fn with_replaces(mut self, replaces: Replaces) -> Self {
        self.replaces = Some(replaces);
        self
    }

    /// The same migration with other parents (a checkpoint's child whose parent, a replaced
    /// revision, is no longer in the set).
    pub fn with_down_revisions(mut self, parents: Vec<Revision>) -> Self {
        self.down_revisions = Cow::Owned(parents);
        self
    }

    /// What it replaces, when it is a squash checkpoint.
    pub fn replaces(&self) -> Option<&Replaces> {
        self.replaces.as_ref()
    }

    /// Its revision.
    pub fn revision(&self) -> &Revision {
        &self.revision
    }

    /// Its parents (`down_revision`): empty for a root, several for a merge.
    pub fn down_revisions(&self) -> &[Revision] {
        &self.down_revisions
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The SQL of the up section (comments and layout as written).
    pub fn up_sql(&self) -> &str {
        &self.up_sql
    }

    /// The SQL of the down section; `None` when the migration is irreversible.
    pub fn down_sql(&self) -> Option<&str> {
        self.down_sql.as_deref()
    }

    /// Why the migration cannot be reverted, when its header says `irreversible`.
    pub fn irreversible(&self) -> Option<&str> {
        self.irreversible.as_deref()
    }

    /// Whether it runs inside a transaction (the header's `transaction`, default `true`).
    pub fn is_transactional(&self) -> bool {
        self.transactional
    }

    /// The checksum of its up SQL, or of a Rust migration's source (see [`Checksum`]).
    pub fn checksum(&self) -> Checksum {
        self.checksum
    }

    /// Its file, as shown in messages (`migrations/002_add_email.sql`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The 1-based line of the file where the up SQL starts, to map a server's error
    /// position back to the file.
    pub fn up_line(&self) -> u32 {
        self.up_line
    }

    /// The 1-based line where the down SQL starts, or 0 when there is none.
    pub fn down_line(&self) -> u32 {
        self.down_line
    }
}

/// Every migration of a directory, each after its parents.
///
/// ```
/// use retort_core::{MigrationSet, Migration, MigrationParts, Revision};
///
/// let m = Migration::new(MigrationParts {
///     revision: Revision::parse("001").unwrap(),
///     down_revisions: vec![],
///     message: "create users".into(),
///     up_sql: "CREATE TABLE users (id int);".into(),
///     down_sql: Some("DROP TABLE users;".into()),
///     irreversible: None,
///     transactional: true,
///     path: "migrations/001_create_users.sql".into(),
///     up_line: 5,
///     down_line: 8,
///     environments: vec![],
/// });
/// let set = MigrationSet::from_ordered(vec![m]).unwrap();
/// assert_eq!(set.heads().len(), 1);
/// assert_eq!(set.get("001").unwrap().message(), "create users");
/// ```
#[derive(Clone, Debug)]
pub struct MigrationSet {
    migrations: Cow<'static, [Migration]>,
    /// The set as the macro embeds it (see [`crate::pack`]), decoded into `decoded` on first
    /// use; `migrations` is then empty.
    packed: Option<Packed>,
    decoded: OnceLock<Vec<Migration>>,
    /// Revision → position, built on first use (a `static` set cannot build it at compile
    /// time), so that [`MigrationSet::get`] is a hash lookup, not a scan.
    index: OnceLock<HashMap<Revision, usize>>,
    /// [`MigrationSet::fingerprint`], computed on first use.
    fingerprint: OnceLock<[u8; 32]>,
}

/// The domain of [`fingerprint_of`]: a different purpose, or a different layout of what is
/// hashed, gives a different value.
const FINGERPRINT_DOMAIN: &[u8] = b"retort migration set fingerprint v1\0";

/// The SHA-256 fingerprint of `migrations`, in their order: for each, its revision, its
/// parents, its checksum, its transaction flag, the environments it is limited to and, for a
/// squash checkpoint, the range it replaces. Every variable-length field is prefixed with its
/// length, so no two different sets hash the same bytes.
///
/// What it leaves out changes nothing a run decides for a database already at the set's
/// head: messages, down SQL, paths and line numbers. (The up SQL counts through its
/// checksum.) [`MigrationSet::fingerprint`] caches it; this function is public so that a
/// set built elsewhere (the macro's, at compile time) can compute the same value.
pub fn fingerprint_of(migrations: &[Migration]) -> [u8; 32] {
    use sha2::{Digest, Sha256};

    fn field(h: &mut Sha256, bytes: &[u8]) {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    }

    let mut h = Sha256::new();
    h.update(FINGERPRINT_DOMAIN);
    h.update((migrations.len() as u64).to_be_bytes());
    for m in migrations {
        field(&mut h, m.revision().as_str().as_bytes());
        h.update((m.down_revisions().len() as u64).to_be_bytes());
        for p in m.down_revisions() {
            field(&mut h, p.as_str().as_bytes());
        }
        h.update(m.checksum().as_bytes());
        h.update([u8::from(m.is_transactional())]);
        h.update((m.environments().len() as u64).to_be_bytes());
        for e in m.environments() {
            field(&mut h, e.as_bytes());
        }
        match m.replaces() {
            None => h.update([0]),
            Some(r) => {
                h.update([1]);
                field(&mut h, r.first.as_str().as_bytes());
                field(&mut h, r.last.as_str().as_bytes());
            }
        }
    }
    h.finalize().into()
}

/// Why a list of migrations is not a [`MigrationSet`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetError {
    /// Two migrations have the same revision.
    #[error("revision `{0}` appears twice")]
    Duplicate(Revision),
    /// A migration comes before one of its parents, or names a parent that is not there.
    #[error("revision `{child}` names `{parent}` as its parent, which does not come before it")]
    Order {
        /// The migration.
        child: Revision,
        /// The parent that is missing or later.
        parent: Revision,
    },
}

/// A packed set and the code of its Rust migrations.
#[derive(Clone, Copy)]
struct Packed {
    bytes: &'static [u8],
    rust: &'static [(u32, RustCode)],
}

/// The size, not the bytes: a set of 10,000 migrations is megabytes of them.
impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packed")
            .field("bytes", &format_args!("[{} bytes]", self.bytes.len()))
            .field("rust", &self.rust.len())
            .finish()
    }
}

/// Two sets are equal when their migrations are, however each is held; what was computed
/// from them and cached (the index, the fingerprint) does not count.
impl PartialEq for MigrationSet {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for MigrationSet {}

impl MigrationSet {
    /// A set from `static` data that the macro has already checked and ordered.
    #[doc(hidden)]
    pub const fn from_static(migrations: &'static [Migration]) -> Self {
        MigrationSet {
            migrations: Cow::Borrowed(migrations),
            packed: None,
            decoded: OnceLock::new(),
            index: OnceLock::new(),
            fingerprint: OnceLock::new(),
        }
    }

    /// A set from the bytes [`crate::pack::pack`] wrote when the macro ran, and the code of
    /// its Rust migrations by position. Nothing is decoded until the migrations are asked
    /// for; [`MigrationSet::len`] reads the header only.
    #[doc(hidden)]
    pub const fn from_packed(bytes: &'static [u8], rust: &'static [(u32, RustCode)]) -> Self {
        MigrationSet {
            migrations: Cow::Borrowed(&[]),
            packed: Some(Packed { bytes, rust }),
            decoded: OnceLock::new(),
            index: OnceLock::new(),
            fingerprint: OnceLock::new(),
        }
    }

    /// A set from migrations in parent-first order; refuses duplicates and a migration that
    /// comes before its parent.
    pub fn from_ordered(migrations: Vec<Migration>) -> Result<Self, SetError> {
        let mut seen = std::collections::HashSet::new();
        for m in &migrations {
            for p in m.down_revisions() {
                if !seen.contains(p.as_str()) {
                    return Err(SetError::Order {
                        child: m.revision().clone(),
                        parent: p.clone(),
                    });
                }
            }
            if !seen.insert(m.revision().as_str()) {
                return Err(SetError::Duplicate(m.revision().clone()));
            }
        }
        Ok(MigrationSet {
            migrations: Cow::Owned(migrations),
            packed: None,
            decoded: OnceLock::new(),
            index: OnceLock::new(),
            fingerprint: OnceLock::new(),
        })
    }

    /// The migrations, each after its parents.
    pub fn iter(&self) -> std::slice::Iter<'_, Migration> {
        self.as_slice().iter()
    }

    /// The migrations as a slice, each after its parents.
    pub fn as_slice(&self) -> &[Migration] {
        match self.packed {
            None => &self.migrations,
            Some(p) => self.decoded.get_or_init(|| {
                // The generated code asserts `pack::FORMAT` at compile time, and the bytes
                // are the macro's own output: only a damaged binary fails here.
                crate::pack::unpack(p.bytes, p.rust).unwrap_or_else(|e| {
                    panic!("retort: the migration set compiled into this program is unreadable ({e}); rebuild it")
                })
            }),
        }
    }

    /// How many migrations.
    pub fn len(&self) -> usize {
        match self.packed.map(|p| crate::pack::header(p.bytes)) {
            Some(Ok(h)) => h.count,
            _ => self.as_slice().len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The migration of a revision.
    pub fn get(&self, revision: &str) -> Option<&Migration> {
        let index = self.index.get_or_init(|| {
            self.iter()
                .enumerate()
                .map(|(i, m)| (m.revision().clone(), i))
                .collect()
        });
        index.get(revision).map(|&i| &self.as_slice()[i])
    }

    /// A SHA-256 fingerprint of the set (see [`fingerprint_of`]): the same for the same
    /// migrations in the same order, different when any revision, parent, checksum,
    /// transaction flag, environment list or checkpoint range differs. Computed on first use,
    /// then kept.
    /// A set the macro embedded carries it from the build (in the packed header), so asking
    /// costs the same at 10 and at 10,000 migrations.
    pub fn fingerprint(&self) -> [u8; 32] {
        *self
            .fingerprint
            .get_or_init(|| match self.packed.map(|p| crate::pack::header(p.bytes)) {
                Some(Ok(h)) => h.fingerprint,
                _ => fingerprint_of(self.as_slice()),
            })
    }

    /// Whether `m` is a squash checkpoint whose replaced range is still in the set: it then
    /// stands beside the range and is neither a root nor a head of the history.
    pub fn is_shadowed(&self, m: &Migration) -> bool {
        m.replaces()
            .is_some_and(|r| self.get(r.last.as_str()).is_some())
    }

    /// The revisions no other migration names as a parent, in set order (a checkpoint whose
    /// range is still in the set is not one: see [`MigrationSet::is_shadowed`]).
    pub fn heads(&self) -> Vec<&Revision> {
        let parents: std::collections::HashSet<&str> = self
            .iter()
            .flat_map(|m| m.down_revisions().iter().map(Revision::as_str))
            .collect();
        self.iter()
            .filter(|m| !parents.contains(m.revision().as_str()) && !self.is_shadowed(m))
            .map(Migration::revision)
            .collect()
    }
}

impl<'a> IntoIterator for &'a MigrationSet {
    type Item = &'a Migration;
    type IntoIter = std::slice::Iter<'a, Migration>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built in a `static`, as the macro's output is.
    static ROOT: Migration = Migration::from_static(StaticMigration {
        revision: "001",
        down_revisions: &[],
        message: "create users",
        up_sql: "CREATE TABLE users (id int);",
        down_sql: Some("DROP TABLE users;"),
        irreversible: None,
        transactional: false,
        checksum: *b"0123456789abcdef0123456789abcdef",
        path: "migrations/001_create_users.sql",
        up_line: 5,
        down_line: 8,
        replaces: None,
        rust: None,
        environments: &[],
    });

    #[test]
    fn from_static_keeps_every_field_where_it_was_named() {
        assert_eq!(ROOT.revision().as_str(), "001");
        assert!(ROOT.down_revisions().is_empty());
        assert_eq!(ROOT.message(), "create users");
        assert_eq!(ROOT.up_sql(), "CREATE TABLE users (id int);");
        assert_eq!(ROOT.down_sql(), Some("DROP TABLE users;"));
        assert_eq!(ROOT.irreversible(), None);
        assert!(!ROOT.is_transactional());
        assert_eq!(
            ROOT.checksum().as_bytes(),
            b"0123456789abcdef0123456789abcdef"
        );
        assert_eq!(ROOT.path(), "migrations/001_create_users.sql");
        assert_eq!((ROOT.up_line(), ROOT.down_line()), (5, 8));
    }

    #[test]
    fn from_static_matches_a_migration_built_at_run_time() {
        static PARENTS: [Revision; 1] = [Revision::from_static("001")];
        let up = "ALTER TABLE users ADD COLUMN email text;";
        let built = Migration::from_static(StaticMigration {
            revision: "002",
            down_revisions: &PARENTS,
            message: "add email",
            up_sql: up,
            down_sql: None,
            irreversible: Some("the emails are gone"),
            transactional: true,
            checksum: *Checksum::of_sql(up).as_bytes(),
            path: "migrations/002_add_email.sql",
            up_line: 6,
            down_line: 0,
            replaces: None,
            rust: None,
            environments: &[],
        });
        let parts = MigrationParts {
            revision: Revision::parse("002").unwrap(),
            down_revisions: vec![Revision::parse("001").unwrap()],
            message: "add email".into(),
            up_sql: up.into(),
            down_sql: None,
            irreversible: Some("the emails are gone".into()),
            transactional: true,
            path: "migrations/002_add_email.sql".into(),
            up_line: 6,
            down_line: 0,
            environments: Vec::new(),
        };
        assert_eq!(built, Migration::new(parts));
    }

    fn migration(rev: &str, parents: &[&str], up: &str) -> Migration {
        Migration::new(MigrationParts {
            revision: Revision::parse(rev).unwrap(),
            down_revisions: parents
                .iter()
                .map(|p| Revision::parse(p).unwrap())
                .collect(),
            message: format!("migration {rev}"),
            up_sql: up.into(),
            down_sql: Some("SELECT 1;".into()),
            irreversible: None,
            transactional: true,
            path: format!("migrations/{rev}_m.sql"),
            up_line: 5,
            down_line: 8,
            environments: Vec::new(),
        })
    }

    fn chain(ups: &[&str]) -> Vec<Migration> {
        let revs: Vec<String> = (1..=ups.len()).map(|i| format!("{i:03}")).collect();
        ups.iter()
            .enumerate()
            .map(|(i, up)| {
                let parents: Vec<&str> = if i == 0 { vec![] } else { vec![&revs[i - 1]] };
                migration(&revs[i], &parents, up)
            })
            .collect()
    }

    #[test]
    fn the_fingerprint_is_the_same_for_the_same_set() {
        let ups = ["CREATE TABLE a (x int);", "CREATE TABLE b (x int);"];
        let a = MigrationSet::from_ordered(chain(&ups)).unwrap();
        let b = MigrationSet::from_ordered(chain(&ups)).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        // Cached: asking again gives the same value, and equality ignores the cache.
        assert_eq!(a.fingerprint(), fingerprint_of(a.as_slice()));
        assert_eq!(a, b);
        // Layout and comments are not meaning: the checksum, and so the fingerprint, stay.
        let c = MigrationSet::from_ordered(chain(&[
            "create table a (\n  x INT\n); -- first",
            "CREATE TABLE b (x int);",
        ]))
        .unwrap();
        assert_eq!(a.fingerprint(), c.fingerprint());
        // What a run at the head does not read: messages, down SQL, paths.
        let mut other = chain(&ups);
        other[1] = Migration::new(MigrationParts {
            message: "another message".into(),
            down_sql: None,
            irreversible: Some("no way back".into()),
            path: "elsewhere/002_x.sql".into(),
            ..parts_of(&other[1])
        });
        let other = MigrationSet::from_ordered(other).unwrap();
        assert_eq!(a.fingerprint(), other.fingerprint());
    }

    fn parts_of(m: &Migration) -> MigrationParts {
        MigrationParts {
            revision: m.revision().clone(),
            down_revisions: m.down_revisions().to_vec(),
            message: m.message().to_owned(),
            up_sql: m.up_sql().to_owned(),
            down_sql: m.down_sql().map(str::to_owned),
            irreversible: m.irreversible().map(str::to_owned),
            transactional: m.is_transactional(),
            path: m.path().to_owned(),
            up_line: m.up_line(),
            down_line: m.down_line(),
            environments: m.environments().iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn the_fingerprint_changes_with_anything_a_run_compares() {
        let ups = [
            "CREATE TABLE a (x int);",
            "CREATE TABLE b (x int);",
            "CREATE TABLE c (x int);",
        ];
        let base = fingerprint_of(&chain(&ups));
        // Any one checksum.
        for i in 0..ups.len() {
            let mut edited = ups;
            edited[i] = "CREATE TABLE z (x bigint);";
            assert_ne!(fingerprint_of(&chain(&edited)), base, "migration {i}");
        }
        // One migration more, or fewer.
        assert_ne!(fingerprint_of(&chain(&ups[..2])), base);
        let mut more = ups.to_vec();
        more.push("CREATE TABLE d (x int);");
        assert_ne!(fingerprint_of(&chain(&more)), base);
        // A transaction flag.
        let mut m = chain(&ups);
        m[2] = Migration::new(MigrationParts {
            transactional: false,
            ..parts_of(&m[2])
        });
        assert_ne!(fingerprint_of(&m), base);
        // Environments.
        let mut m = chain(&ups);
        m[1] = Migration::new(MigrationParts {
            environments: vec!["dev".into()],
            ..parts_of(&m[1])
        });
        let dev = fingerprint_of(&m);
        assert_ne!(dev, base);
        m[1] = Migration::new(MigrationParts {
            environments: vec!["de".into(), "v".into()],
            ..parts_of(&m[1])
        });
        assert_ne!(fingerprint_of(&m), dev, "fields are length-prefixed");
        // Parents: the same revisions in another graph.
        let mut m = chain(&ups);
        m[2] = Migration::new(MigrationParts {
            down_revisions: vec![Revision::parse("001").unwrap()],
            ..parts_of(&m[2])
        });
        assert_ne!(fingerprint_of(&m), base);
        // A revision renamed.
        let mut m = chain(&ups);
        m[2] = Migration::new(MigrationParts {
            revision: Revision::parse("003a").unwrap(),
            ..parts_of(&m[2])
        });
        assert_ne!(fingerprint_of(&m), base);
        // A checkpoint's range.
        let mut m = chain(&ups);
        m[2] = m[2].clone().with_replaces(Replaces {
            first: Revision::parse("001").unwrap(),
            last: Revision::parse("002").unwrap(),
        });
        assert_ne!(fingerprint_of(&m), base);
        // The order of the set.
        let a = migration("a", &[], "SELECT 1;");
        let b = migration("b", &[], "SELECT 2;");
        assert_ne!(
            fingerprint_of(&[a.clone(), b.clone()]),
            fingerprint_of(&[b, a])
        );
    }
}
