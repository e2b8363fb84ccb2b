//! A compact binary encoding of the schema model's [`Catalog`](crate::schema::Catalog) and of
//! [`Diagnostic`]s, so that the head catalog can be kept between two build-script runs and the
//! next check replays only the migrations that are new since.
//!
//! The encoding is private to one version of `retort-core`: no compatibility across versions
//! is kept (the file holding it carries the version, and a file of another version is
//! ignored). Integers are LEB128 varints (`i64` zig-zag), a `bool` one byte, a string its
//! length and its UTF-8 bytes, an `Option` a tag byte, a collection its length and its items,
//! an enum a tag byte per variant and then its fields, a struct its fields in order.
//!
//! Decoding never panics: truncated or malformed input gives `None`. A [`FileId`] is written
//! as its index and read back through a map from the writing side's indexes to the reading
//! side's ids ([`Reader::new`]), since the files of one check are not numbered as another's.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::Arc;

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, Secondary, Severity, Span};
use crate::source::FileId;

/// Bytes being written.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The bytes written.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// One byte (a tag).
    pub(crate) fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    /// An unsigned integer, LEB128.
    pub(crate) fn u64(&mut self, mut v: u64) {
        loop {
            let low = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.buf.push(low);
                return;
            }
            self.buf.push(low | 0x80);
        }
    }

    /// A `usize` (a length, an offset), as a `u64`.
    pub(crate) fn usize(&mut self, v: usize) {
        self.u64(v as u64);
    }

    /// A signed integer, zig-zag then LEB128.
    pub(crate) fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)) as u64);
    }

    /// A string: its length in bytes, then its UTF-8 bytes.
    pub(crate) fn str(&mut self, s: &str) {
        self.usize(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }
}

/// Bytes being read.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Maps a [`FileId`]'s index as written to the [`FileId`] of the reading side (`None`:
    /// that file is unknown there, so decoding fails).
    files: &'a [Option<FileId>],
}

impl<'a> Reader<'a> {
    /// A reader of `bytes` from their start; `files` maps each file index as written to the
    /// reading side's [`FileId`] (`None`, or an index past its end: decoding fails).
    pub(crate) fn new(bytes: &'a [u8], files: &'a [Option<FileId>]) -> Self {
        Reader {
            bytes,
            pos: 0,
            files,
        }
    }

    /// Whether every byte has been read.
    pub(crate) fn is_at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    /// How many bytes are left.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// One byte (a tag).
    pub(crate) fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// The next `n` bytes.
    pub(crate) fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    /// An unsigned LEB128 integer; `None` when it does not fit in 64 bits.
    pub(crate) fn u64(&mut self) -> Option<u64> {
        let mut v: u64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            let bits = u64::from(b & 0x7f);
            // The tenth byte holds the 64th bit only.
            if shift == 63 && bits > 1 {
                return None;
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
            shift += 7;
            if shift > 63 {
                return None;
            }
        }
    }

    /// A `usize`; `None` when it does not fit.
    pub(crate) fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    /// A zig-zag signed integer.
    pub(crate) fn i64(&mut self) -> Option<i64> {
        let u = self.u64()?;
        Some(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    /// A collection's length; `None` when it exceeds the bytes left, since every item of a
    /// stored collection takes one byte at least (so a corrupt length cannot make a reader
    /// allocate or loop for long).
    pub(crate) fn count(&mut self) -> Option<usize> {
        let n = self.usize()?;
        (n <= self.remaining()).then_some(n)
    }

    /// A string written by [`Writer::str`]; `None` when it is not UTF-8.
    pub(crate) fn str(&mut self) -> Option<&'a str> {
        let n = self.usize()?;
        std::str::from_utf8(self.bytes(n)?).ok()
    }

    /// The reading side's id of the file written with index `index`.
    pub(crate) fn file(&self, index: usize) -> Option<FileId> {
        *self.files.get(index)?
    }
}

/// A value that can be written and read back.
pub(crate) trait Stored: Sized {
    /// Writes the value.
    fn put(&self, w: &mut Writer);
    /// Reads a value; `None` on truncated or malformed input (never panics).
    fn take(r: &mut Reader<'_>) -> Option<Self>;
}

/// The encoding of a whole value (the record writes its parts through a [`Writer`] without
/// gathering them into one value first).
#[cfg(test)]
pub(crate) fn encode<T: Stored>(value: &T) -> Vec<u8> {
    let mut w = Writer::new();
    value.put(&mut w);
    w.into_bytes()
}

/// The value `bytes` encode, their file indexes mapped through `files` (see [`Reader::new`]);
/// `None` when they are malformed, name a file `files` does not map, or do not end with it.
pub(crate) fn decode<T: Stored>(bytes: &[u8], files: &[Option<FileId>]) -> Option<T> {
    let mut r = Reader::new(bytes, files);
    let value = T::take(&mut r)?;
    r.is_at_end().then_some(value)
}

/// Implements [`Stored`] for a struct with named fields, listed in full: its fields in the
/// order listed. Destructured without `..`, so a field added to the struct and not to the
/// list is a compile error, not a field silently lost.
macro_rules! stored_struct {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl $crate::codec::Stored for $ty {
            fn put(&self, w: &mut $crate::codec::Writer) {
                let $ty { $($field),* } = self;
                $( $crate::codec::Stored::put($field, w); )*
            }

            fn take(r: &mut $crate::codec::Reader<'_>) -> Option<Self> {
                $( let $field = $crate::codec::Stored::take(r)?; )*
                Some($ty { $($field),* })
            }
        }
    };
}
pub(crate) use stored_struct;

impl Stored for u64 {
    fn put(&self, w: &mut Writer) {
        w.u64(*self);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        r.u64()
    }
}

impl Stored for usize {
    fn put(&self, w: &mut Writer) {
        w.usize(*self);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        r.usize()
    }
}

impl Stored for i64 {
    fn put(&self, w: &mut Writer) {
        w.i64(*self);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        r.i64()
    }
}

impl Stored for bool {
    fn put(&self, w: &mut Writer) {
        w.byte(u8::from(*self));
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

/// Zero bytes. Not to be a collection's item: a collection's length is checked against the
/// bytes left ([`Reader::count`]).
impl Stored for () {
    fn put(&self, _: &mut Writer) {}
    fn take(_: &mut Reader<'_>) -> Option<Self> {
        Some(())
    }
}

impl Stored for String {
    fn put(&self, w: &mut Writer) {
        w.str(self);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        r.str().map(str::to_owned)
    }
}

impl Stored for Arc<str> {
    fn put(&self, w: &mut Writer) {
        w.str(self);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        r.str().map(Arc::from)
    }
}

impl<T: Stored> Stored for Arc<T> {
    fn put(&self, w: &mut Writer) {
        T::put(self, w);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        T::take(r).map(Arc::new)
    }
}

impl<T: Stored> Stored for Option<T> {
    fn put(&self, w: &mut Writer) {
        match self {
            None => w.byte(0),
            Some(v) => {
                w.byte(1);
                v.put(w);
            }
        }
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Some(None),
            1 => T::take(r).map(Some),
            _ => None,
        }
    }
}

/// Writes `values` as a `Vec<T>` of them is written (and read back).
pub(crate) fn put_slice<T: Stored>(values: &[T], w: &mut Writer) {
    w.usize(values.len());
    for v in values {
        v.put(w);
    }
}

impl<T: Stored> Stored for Vec<T> {
    fn put(&self, w: &mut Writer) {
        put_slice(self, w);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.count()?;
        let mut v = Vec::with_capacity(n.min(r.remaining()));
        for _ in 0..n {
            v.push(T::take(r)?);
        }
        Some(v)
    }
}

impl<K: Stored + Ord, V: Stored> Stored for BTreeMap<K, V> {
    fn put(&self, w: &mut Writer) {
        w.usize(self.len());
        for (k, v) in self {
            k.put(w);
            v.put(w);
        }
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.count()?;
        let mut m = BTreeMap::new();
        for _ in 0..n {
            let k = K::take(r)?;
            m.insert(k, V::take(r)?);
        }
        Some(m)
    }
}

impl<T: Stored + Ord> Stored for BTreeSet<T> {
    fn put(&self, w: &mut Writer) {
        w.usize(self.len());
        for v in self {
            v.put(w);
        }
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.count()?;
        let mut s = BTreeSet::new();
        for _ in 0..n {
            s.insert(T::take(r)?);
        }
        Some(s)
    }
}

/// The bytes as they are, no length (a digest).
impl<const N: usize> Stored for [u8; N] {
    fn put(&self, w: &mut Writer) {
        w.buf.extend_from_slice(self);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        r.bytes(N)?.try_into().ok()
    }
}

impl Stored for Range<usize> {
    fn put(&self, w: &mut Writer) {
        w.usize(self.start);
        w.usize(self.end);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        Some(r.usize()?..r.usize()?)
    }
}

impl<A: Stored, B: Stored> Stored for (A, B) {
    fn put(&self, w: &mut Writer) {
        let (a, b) = self;
        a.put(w);
        b.put(w);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        Some((A::take(r)?, B::take(r)?))
    }
}

impl<A: Stored, B: Stored, C: Stored> Stored for (A, B, C) {
    fn put(&self, w: &mut Writer) {
        let (a, b, c) = self;
        a.put(w);
        b.put(w);
        c.put(w);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        Some((A::take(r)?, B::take(r)?, C::take(r)?))
    }
}

impl<A: Stored, B: Stored, C: Stored, D: Stored> Stored for (A, B, C, D) {
    fn put(&self, w: &mut Writer) {
        let (a, b, c, d) = self;
        a.put(w);
        b.put(w);
        c.put(w);
        d.put(w);
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        Some((A::take(r)?, B::take(r)?, C::take(r)?, D::take(r)?))
    }
}

/// Its index as written, mapped through the reader's files when read.
impl Stored for FileId {
    fn put(&self, w: &mut Writer) {
        w.usize(self.index());
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        let index = r.usize()?;
        r.file(index)
    }
}

/// Its name; an unknown name is malformed input.
impl Stored for Code {
    fn put(&self, w: &mut Writer) {
        w.str(self.as_str());
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        Code::lookup(r.str()?)
    }
}

impl Stored for Severity {
    fn put(&self, w: &mut Writer) {
        w.byte(match self {
            Severity::Error => 0,
            Severity::Warning => 1,
        });
    }
    fn take(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Some(Severity::Error),
            1 => Some(Severity::Warning),
            _ => None,
        }
    }
}

stored_struct!(Span { file, range });
stored_struct!(Secondary { span, label });
stored_struct!(Diagnostic {
    code,
    severity,
    message,
    span,
    label,
    secondary,
    notes,
    help,
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_inputs::reversible;
    use crate::check::{Options, Report, check_texts};
    use crate::schema::Catalog;
    use crate::source::Sources;

    /// A chain of migrations touching every kind of object the model keeps, one of them
    /// with an error and some with warnings.
    fn report() -> Report {
        let inputs = [
            reversible(
                "001",
                "none",
                "CREATE SCHEMA app;\n\
                 CREATE EXTENSION IF NOT EXISTS pgcrypto;\n\
                 CREATE TYPE mood AS ENUM ('happy', 'sad');\n\
                 CREATE SEQUENCE counter AS integer INCREMENT BY 5 START WITH 10;\n\
                 CREATE TABLE users (\n\
                   id bigserial PRIMARY KEY,\n\
                   email text NOT NULL UNIQUE COLLATE \"C\",\n\
                   age integer DEFAULT 0 CHECK (age >= 0),\n\
                   feeling mood,\n\
                   n integer GENERATED ALWAYS AS IDENTITY,\n\
                   doubled integer GENERATED ALWAYS AS (age * 2) STORED\n\
                 );\n\
                 CREATE TABLE app.posts (\n\
                   id serial PRIMARY KEY,\n\
                   user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,\n\
                   title text\n\
                 );\n\
                 CREATE INDEX posts_title ON app.posts (lower(title));\n\
                 CREATE UNIQUE INDEX posts_user ON app.posts (user_id) WHERE title IS NOT NULL;\n\
                 CREATE VIEW adults AS SELECT id, email FROM users WHERE age >= 18;\n\
                 CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n\
                 CREATE FUNCTION add(a integer, b integer DEFAULT 1) RETURNS integer \
                   LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN a + b;\n\
                 CREATE TRIGGER t BEFORE INSERT OR UPDATE OF email ON users \
                   FOR EACH ROW WHEN (NEW.age > 0) EXECUTE FUNCTION f();\n\
                 CREATE TABLE gone (id int);",
                "DROP SCHEMA app CASCADE;",
            ),
            reversible(
                "002",
                "001",
                "DROP TABLE gone;\n\
                 CREATE TABLE t2 AS SELECT 1 AS x;\n\
                 DO $$ BEGIN PERFORM 1; END $$;",
                "",
            ),
            reversible("003", "002", "ALTER TABLE nowhere ADD COLUMN x int;", ""),
        ];
        check_texts(&inputs, "migrations", &Options::default())
    }

    fn identity(sources: &Sources) -> Vec<Option<FileId>> {
        sources.iter().map(|(id, _)| Some(id)).collect()
    }

    fn last_catalog(report: &Report) -> &Catalog {
        report
            .schema
            .catalogs
            .iter()
            .rev()
            .flatten()
            .next()
            .expect("a catalog")
    }

    #[test]
    fn catalogs_and_diagnostics_round_trip() {
        let report = report();
        let files = identity(&report.sources);
        let catalog = last_catalog(&report);
        assert!(!catalog.relations.is_empty() && !catalog.functions.is_empty());
        assert!(!catalog.triggers.is_empty() && !catalog.types.is_empty());
        assert!(!catalog.extensions.is_empty() && !catalog.schemas.is_empty());
        assert!(catalog.functions.values().any(|f| !f.value.defs.is_empty()));
        assert!(catalog.triggers.values().any(|t| t.value.def.is_some()));
        assert!(!catalog.dropped.is_empty(), "{:?}", catalog.dropped);
        assert!(
            catalog.unknown.all.is_some()
                || !catalog.unknown.names.is_empty()
                || !catalog.unknown.ns.is_empty(),
            "{:?}",
            catalog.unknown
        );
        for c in report.schema.catalogs.iter().flatten() {
            let bytes = encode(c);
            let back: Catalog = decode(&bytes, &files).expect("decodes");
            assert_eq!(format!("{back:?}"), format!("{c:?}"));
        }

        let diagnostics = &report.diagnostics;
        assert!(diagnostics.iter().any(|d| d.is_error()), "{diagnostics:#?}");
        assert!(
            diagnostics.iter().any(|d| !d.is_error()),
            "{diagnostics:#?}"
        );
        let back: Vec<Diagnostic> =
            decode(&encode(diagnostics), &files).expect("diagnostics decode");
        assert_eq!(&back, diagnostics);
    }

    #[test]
    fn file_ids_are_remapped() {
        let report = report();
        let catalog = last_catalog(&report);
        let first = report.sources.iter().next().map(|(id, _)| id);
        let mut other = Sources::new();
        let _ = other.add("a", "");
        let _ = other.add("b", "");
        let moved = other.add("c", "");
        let mut files = identity(&report.sources);
        files[0] = Some(moved);
        let bytes = encode(catalog);
        let back: Catalog = decode(&bytes, &files).expect("decodes");
        let (_, users) = catalog
            .relations
            .iter()
            .find(|(k, _)| k.name == "users")
            .expect("users");
        assert_eq!(Some(users.origin.file), first);
        let (_, users_back) = back
            .relations
            .iter()
            .find(|(k, _)| k.name == "users")
            .expect("users");
        assert_eq!(users_back.origin.file, moved);

        files[0] = None;
        assert!(decode::<Catalog>(&bytes, &files).is_none());
        assert!(decode::<Catalog>(&bytes, &[]).is_none());
    }

    #[test]
    fn corrupt_input_never_panics() {
        let report = report();
        let files = identity(&report.sources);
        let catalog = last_catalog(&report);
        let bytes = encode(catalog);
        assert!(decode::<Catalog>(&bytes, &files).is_some());
        for n in 0..bytes.len() {
            assert!(
                decode::<Catalog>(&bytes[..n], &files).is_none(),
                "prefix {n}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode::<Catalog>(&longer, &files).is_none());
        for i in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= flip;
                let _ = decode::<Catalog>(&b, &files);
            }
        }
        let d = encode(&report.diagnostics);
        for n in 0..d.len() {
            assert!(decode::<Vec<Diagnostic>>(&d[..n], &files).is_none());
        }
        for i in 0..d.len() {
            let mut b = d.clone();
            b[i] ^= 0xff;
            let _ = decode::<Vec<Diagnostic>>(&b, &files);
        }
    }

    #[test]
    fn primitives() {
        for v in [0u64, 1, 127, 128, 300, u64::MAX - 1, u64::MAX] {
            assert_eq!(decode::<u64>(&encode(&v), &[]), Some(v));
        }
        for v in [0i64, -1, 1, i64::MIN, i64::MAX, -300] {
            assert_eq!(decode::<i64>(&encode(&v), &[]), Some(v));
        }
        // Eleven bytes, or a tenth byte above 1: more than 64 bits.
        assert_eq!(decode::<u64>(&[0xff; 10], &[]), None);
        assert_eq!(
            decode::<u64>(
                &[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02],
                &[]
            ),
            None
        );
        assert_eq!(decode::<bool>(&[2], &[]), None);
        assert_eq!(decode::<String>(&[2, 0xc3, 0x28], &[]), None, "not UTF-8");
        // A huge length with nothing behind it.
        let mut huge = Writer::new();
        huge.u64(u64::MAX >> 1);
        assert_eq!(decode::<Vec<String>>(&huge.into_bytes(), &[]), None);
        let v: (Range<usize>, Arc<str>, BTreeMap<String, BTreeSet<i64>>) = (
            3..9,
            Arc::from("é"),
            BTreeMap::from([("k".to_owned(), BTreeSet::from([-4, 5]))]),
        );
        assert_eq!(decode(&encode(&v), &[]), Some(v));
        assert_eq!(
            decode::<Code>(&encode(&"no-such-code".to_owned()), &[]),
            None
        );
    }
}
