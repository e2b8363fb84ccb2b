//! A [`MigrationSet`](crate::MigrationSet) as one byte string: what the macro embeds with `include_bytes!`
//! instead of a `static` built from tokens.
//!
//! rustc reads a byte string from a file at the cost of copying it; the same data as tokens
//! (a string literal a section, a struct expression a migration, a `const` a revision) is
//! lexed, parsed, expanded, type-checked and evaluated, at every build of the crate, touch
//! rebuilds included: at 1,000 migrations that was about a megabyte of tokens. Packed, the
//! data is also smaller in the binary: no pointer a string (each of which is a relocation in
//! a position-independent executable), no struct padding.
//!
//! The layout is private to retort: the macro that writes it and the runtime that reads it
//! come from the same `retort-core` ([`FORMAT`] is checked by the generated code at compile
//! time). Little-endian throughout:
//!
//! ```text
//! magic "RETORTSET" · format u32 · count u32 · fingerprint [u8; 32]
//! then count records, each in set order:
//!   revision str · parents u32 + str each · message str · up str · down opt-str
//!   · irreversible opt-str · transactional u8 · checksum [u8; 32] · path str
//!   · up_line u32 · down_line u32 · replaces (u8, and two str when 1) · rust u8
//!   · environments u32 + str each
//! str: u32 length + UTF-8 bytes; opt-str: u8 (0 none, 1 some) + str when some.
//! ```
//!
//! Decoding borrows every string from the byte string (which is `'static` in a program), so
//! it allocates only the list of migrations, once, on first use; [`header`] reads the count
//! and the fingerprint without decoding anything, so that a start-up check on an up-to-date
//! database costs the same at 10 and at 10,000 migrations.

use std::borrow::Cow;

use crate::set::{Body, Migration, Replaces, RustCode};
use crate::{Checksum, Revision};

/// The version of the layout. The generated code asserts that the runtime reads the same.
pub const FORMAT: u32 = 1;

const MAGIC: &[u8; 9] = b"RETORTSET";

/// Bytes before the first record.
const HEADER_LEN: usize = MAGIC.len() + 4 + 4 + 32;

/// What the first bytes of a packed set say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// How many migrations.
    pub count: usize,
    /// The set's fingerprint (see [`crate::MigrationSet::fingerprint`]).
    pub fingerprint: [u8; 32],
}

/// Why a byte string is not a packed set. Only a build that mixes releases of retort (or a
/// damaged binary) gets one: the generated code checks [`FORMAT`] at compile time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    /// The magic bytes or the format differ.
    #[error("not a packed migration set of format {FORMAT}")]
    Format,
    /// The bytes end early, or a string is not UTF-8, or a revision is not valid.
    #[error("the packed migration set is damaged at byte {0}")]
    Damaged(usize),
}

/// The set's migrations as one byte string, with `fingerprint` in its header.
pub fn pack(migrations: &[Migration], fingerprint: [u8; 32]) -> Vec<u8> {
    let text: usize = migrations
        .iter()
        .map(|m| m.up_sql().len() + m.down_sql().map_or(0, str::len) + m.path().len() + 128)
        .sum();
    let mut out = Vec::with_capacity(HEADER_LEN + text);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    put_len(&mut out, migrations.len());
    out.extend_from_slice(&fingerprint);
    for m in migrations {
        put_str(&mut out, m.revision().as_str());
        put_len(&mut out, m.down_revisions().len());
        for p in m.down_revisions() {
            put_str(&mut out, p.as_str());
        }
        put_str(&mut out, m.message());
        put_str(&mut out, m.up_sql());
        put_opt(&mut out, m.down_sql());
        put_opt(&mut out, m.irreversible());
        out.push(u8::from(m.is_transactional()));
        out.extend_from_slice(m.checksum().as_bytes());
        put_str(&mut out, m.path());
        out.extend_from_slice(&m.up_line().to_le_bytes());
        out.extend_from_slice(&m.down_line().to_le_bytes());
        match m.replaces() {
            Some(r) => {
                out.push(1);
                put_str(&mut out, r.first.as_str());
                put_str(&mut out, r.last.as_str());
            }
            None => out.push(0),
        }
        out.push(u8::from(m.is_rust()));
        put_len(&mut out, m.environments().len());
        for e in m.environments() {
            put_str(&mut out, e);
        }
    }
    out
}

/// The header of a packed set, without decoding the rest.
pub fn header(bytes: &[u8]) -> Result<Header, PackError> {
    if bytes.len() < HEADER_LEN || &bytes[..MAGIC.len()] != MAGIC {
        return Err(PackError::Format);
    }
    let mut r = Reader {
        bytes,
        at: MAGIC.len(),
    };
    if r.u32()? != FORMAT {
        return Err(PackError::Format);
    }
    let count = r.u32()? as usize;
    let fingerprint = r.array()?;
    Ok(Header { count, fingerprint })
}

/// The migrations of a packed set, borrowing their text from `bytes`. `rust` gives the code
/// of the Rust migrations, by position in the set.
pub fn unpack(bytes: &'static [u8], rust: &[(u32, RustCode)]) -> Result<Vec<Migration>, PackError> {
    let head = header(bytes)?;
    let mut r = Reader {
        bytes,
        at: HEADER_LEN,
    };
    // Never trust a count to size an allocation: a record is at least 60 bytes.
    let mut out = Vec::with_capacity(head.count.min(bytes.len() / 60));
    for i in 0..head.count {
        let revision = r.revision()?;
        let parents = (0..r.u32()?)
            .map(|_| r.revision())
            .collect::<Result<Vec<_>, _>>()?;
        let message = r.str()?;
        let up_sql = r.str()?;
        let down_sql = r.opt()?;
        let irreversible = r.opt()?;
        let transactional = r.flag()?;
        let checksum = Checksum::from_bytes(r.array()?);
        let path = r.str()?;
        let up_line = r.u32()?;
        let down_line = r.u32()?;
        let replaces = if r.flag()? {
            Some(Replaces {
                first: r.revision()?,
                last: r.revision()?,
            })
        } else {
            None
        };
        let body = if r.flag()? {
            let code = rust
                .iter()
                .find(|(at, _)| *at as usize == i)
                .map(|(_, code)| *code);
            Body::Rust(code)
        } else {
            Body::Sql
        };
        let environments = (0..r.u32()?)
            .map(|_| r.str().map(Cow::Borrowed))
            .collect::<Result<Vec<_>, _>>()?;
        out.push(Migration::from_packed(crate::set::PackedParts {
            revision,
            down_revisions: parents,
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
            body,
            environments,
        }));
    }
    if r.at != bytes.len() {
        return Err(PackError::Damaged(r.at));
    }
    Ok(out)
}

fn put_len(out: &mut Vec<u8>, n: usize) {
    // A set, a section or a list longer than 4 GiB is not a migration directory.
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_len(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            out.push(1);
            put_str(out, s);
        }
        None => out.push(0),
    }
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> Result<&'b [u8], PackError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(PackError::Damaged(self.at))?;
        let bytes = &self.bytes[self.at..end];
        self.at = end;
        Ok(bytes)
    }

    fn u32(&mut self) -> Result<u32, PackError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PackError> {
        let at = self.at;
        self.take(N)?.try_into().map_err(|_| PackError::Damaged(at))
    }

    fn flag(&mut self) -> Result<bool, PackError> {
        match self.take(1)? {
            [0] => Ok(false),
            [1] => Ok(true),
            _ => Err(PackError::Damaged(self.at - 1)),
        }
    }

    fn str(&mut self) -> Result<&'b str, PackError> {
        let at = self.at;
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| PackError::Damaged(at))
    }

    fn opt(&mut self) -> Result<Option<&'b str>, PackError> {
        if self.flag()? {
            self.str().map(Some)
        } else {
            Ok(None)
        }
    }
}

impl Reader<'static> {
    fn revision(&mut self) -> Result<Revision, PackError> {
        let at = self.at;
        let s = self.str()?;
        Revision::parse(s)
            .map(|_| Revision::from_static(s))
            .map_err(|_| PackError::Damaged(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MigrationParts;

    fn migration(rev: &str, parents: &[&str], down: Option<&str>) -> Migration {
        Migration::new(MigrationParts {
            revision: Revision::parse(rev).unwrap(),
            down_revisions: parents
                .iter()
                .map(|p| Revision::parse(p).unwrap())
                .collect(),
            message: format!("migration {rev} — ünïcode"),
            up_sql: format!("CREATE TABLE t{rev} (id int);\n"),
            down_sql: down.map(str::to_owned),
            irreversible: down.is_none().then(|| "data is gone".to_owned()),
            transactional: rev != "2",
            path: format!("migrations/{rev}_x.sql"),
            environments: if rev == "2" {
                vec!["dev".into(), "test".into()]
            } else {
                vec![]
            },
            up_line: 4,
            down_line: if down.is_some() { 7 } else { 0 },
        })
    }

    fn leak(v: Vec<u8>) -> &'static [u8] {
        Box::leak(v.into_boxed_slice())
    }

    #[test]
    fn a_packed_set_unpacks_to_the_same_migrations() {
        let ms = vec![
            migration("1", &[], Some("DROP TABLE t1;")),
            migration("2", &["1"], None),
            migration("3", &["1"], Some("")),
            migration("4", &["2", "3"], Some("DROP TABLE t4;"))
                .with_replaces(Replaces {
                    first: Revision::parse("1").unwrap(),
                    last: Revision::parse("3").unwrap(),
                })
                .into_rust(Checksum::of_sql("x")),
        ];
        let bytes = leak(pack(&ms, [7; 32]));
        assert_eq!(
            header(bytes).unwrap(),
            Header {
                count: 4,
                fingerprint: [7; 32]
            }
        );
        let back = unpack(bytes, &[]).unwrap();
        assert_eq!(back, ms);
    }

    #[test]
    fn a_packed_set_answers_len_and_fingerprint_from_its_header_and_equals_the_set() {
        let ms = vec![
            migration("1", &[], Some("DROP TABLE t1;")),
            migration("2", &["1"], None),
        ];
        let owned = crate::MigrationSet::from_ordered(ms.clone()).unwrap();
        let bytes = leak(pack(&ms, owned.fingerprint()));
        let packed = crate::MigrationSet::from_packed(bytes, &[]);
        assert_eq!(packed.len(), 2);
        assert_eq!(packed.fingerprint(), owned.fingerprint());
        assert_eq!(packed, owned);
        assert_eq!(
            packed.get("2").map(Migration::message),
            Some(ms[1].message())
        );
        assert_eq!(packed.heads(), owned.heads());
        // Shown by its size, not byte by byte.
        let shown = format!("{:?}", crate::MigrationSet::from_packed(bytes, &[]));
        assert!(
            shown.contains(&format!("[{} bytes]", bytes.len())),
            "{shown}"
        );
    }

    #[test]
    fn every_truncation_is_an_error_not_a_wrong_set() {
        let ms = vec![
            migration("1", &[], Some("DROP TABLE t1;")),
            migration("2", &["1"], None),
        ];
        let full = pack(&ms, [0; 32]);
        for n in 0..full.len() {
            let cut = leak(full[..n].to_vec());
            assert!(unpack(cut, &[]).is_err(), "cut at {n}");
        }
        let mut longer = full.clone();
        longer.push(0);
        assert!(unpack(leak(longer), &[]).is_err());
        let mut other = full;
        other[MAGIC.len()] ^= 1;
        assert_eq!(unpack(leak(other), &[]), Err(PackError::Format));
    }
}
