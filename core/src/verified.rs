//! [`Verified`]: what a previous check found clean, so that the next one need not find it
//! out again: files whose SQL passed, and revisions whose down section passed the
//! reversibility check.
//!
//! The build script checks the directory whenever a file changes; the macro runs again on
//! every rebuild of the crate, usually with the very same files. The SQL checks are most of
//! the cost (and proc-macro dependencies are compiled without optimisation), so the build
//! script leaves the digests of the files whose SQL passed in `OUT_DIR`, and the macro skips
//! the SQL checks of a file whose digest is there. The digest covers the file's normalised
//! text and this crate's version, so an edited file, or a newer checker, is checked again.
//! The format and graph checks always run.
//!
//! A down section's check depends on more than its file: on the schema before its up, made by
//! every ancestor. So a revision is recorded by its *lineage*: the digest of its file and of
//! its parents' lineages, which changes when any ancestor's text or the graph above it
//! changes. The next check does not replay the down section of a revision whose lineage is
//! recorded (only one whose down check gave no diagnostic at all is recorded): after a new
//! migration at the head, none of the old ones.

use std::collections::HashSet;

use crate::digest::{Digest128, from_hex, to_hex};

/// The file, in `OUT_DIR`, where the build script leaves the digests for the macro.
pub const OUT_DIR_FILE: &str = "retort-verified-sql.txt";

/// The first line of the stored form, naming the checker that verified the digests (and
/// the start of every file digest, made once, not once a file).
const HEADER: &str = concat!("retort-core ", env!("CARGO_PKG_VERSION"), " verified v2");

/// A file's digest or a revision's lineage.
pub type Digest = [u8; 16];

/// Digests of files whose SQL passed every check, and lineages of revisions whose down
/// section passed the reversibility check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verified {
    digests: HashSet<Digest>,
    downs: HashSet<Digest>,
}

impl Verified {
    /// An empty set: everything is checked.
    pub fn new() -> Self {
        Self::default()
    }

    /// The digest of a file's normalised text, as the set stores it.
    pub fn digest(normalised_text: &str) -> Digest {
        let mut h = Digest128::new();
        h.update(HEADER.as_bytes());
        h.update(&[0]);
        h.update(normalised_text.as_bytes());
        h.finish()
    }

    /// The lineage of a revision whose file has the digest `file` and whose parents, in the
    /// order of its header, have the lineages `parents`.
    pub fn lineage(file: &Digest, parents: &[Digest]) -> Digest {
        let mut h = Digest128::new();
        h.update(b"lineage\0");
        h.update(file);
        h.update(&(parents.len() as u64).to_le_bytes());
        for p in parents {
            h.update(p);
        }
        h.finish()
    }

    /// Records a file whose SQL passed.
    pub fn insert(&mut self, normalised_text: &str) {
        self.digests.insert(Self::digest(normalised_text));
    }

    /// Records a file whose SQL passed, by its [`Verified::digest`].
    pub fn insert_digest(&mut self, digest: Digest) {
        self.digests.insert(digest);
    }

    /// Whether a file with this text has passed.
    pub fn contains(&self, normalised_text: &str) -> bool {
        !self.digests.is_empty() && self.digests.contains(&Self::digest(normalised_text))
    }

    /// Whether a file with this [`Verified::digest`] has passed.
    pub fn contains_digest(&self, digest: &Digest) -> bool {
        self.digests.contains(digest)
    }

    /// Records a revision, by its [`Verified::lineage`], whose down section passed.
    pub fn insert_down(&mut self, lineage: Digest) {
        self.downs.insert(lineage);
    }

    /// Whether the down section of the revision with this [`Verified::lineage`] passed.
    pub fn down_passed(&self, lineage: &Digest) -> bool {
        self.downs.contains(lineage)
    }

    /// Adds everything of `other`.
    pub fn extend(&mut self, other: &Verified) {
        self.digests.extend(other.digests.iter().copied());
        self.downs.extend(other.downs.iter().copied());
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// How many revisions' down sections.
    pub fn downs_len(&self) -> usize {
        self.downs.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty() && self.downs.is_empty()
    }

    /// The stored form: a header line, then one digest a line, sorted: a file's in
    /// hexadecimal, a down section's lineage after `down `.
    pub fn to_text(&self) -> String {
        let mut lines: Vec<String> = self
            .digests
            .iter()
            .map(|d| to_hex(d))
            .chain(self.downs.iter().map(|d| format!("down {}", to_hex(d))))
            .collect();
        lines.sort();
        let mut out = HEADER.to_owned();
        for line in lines {
            out.push('\n');
            out.push_str(&line);
        }
        out.push('\n');
        out
    }

    /// Reads the stored form. Anything unexpected (another version's header, a bad line)
    /// gives an empty set, so the worst case is checking again.
    pub fn from_text(text: &str) -> Self {
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Self::new();
        }
        let mut read = Verified::new();
        for line in lines {
            let (set, digest) = match line.strip_prefix("down ") {
                Some(d) => (&mut read.downs, from_hex(d)),
                None => (&mut read.digests, from_hex(line)),
            };
            match digest {
                Some(d) => {
                    set.insert(d);
                }
                None => return Self::new(),
            }
        }
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusal_of_anything_else() {
        let mut v = Verified::new();
        v.insert("a");
        v.insert("b");
        let lineage = Verified::lineage(&Verified::digest("a"), &[]);
        v.insert_down(lineage);
        let back = Verified::from_text(&v.to_text());
        assert_eq!(back, v);
        assert!(back.contains("a") && !back.contains("c"));
        assert!(back.down_passed(&lineage));
        assert!(
            !back.down_passed(&Verified::digest("a")),
            "a file is no lineage"
        );
        assert!(Verified::from_text(&format!("{}\n00", HEADER)).is_empty());
        assert!(Verified::from_text(&format!("{}\ndown zz", HEADER)).is_empty());
        let tampered = v.to_text().replace(HEADER, "retort-core 9.9.9 verified v2");
        assert!(Verified::from_text(&tampered).is_empty());
    }

    #[test]
    fn a_lineage_changes_with_the_file_and_every_parent() {
        let (a, b) = (Verified::digest("a"), Verified::digest("b"));
        let root = Verified::lineage(&a, &[]);
        let child = Verified::lineage(&b, &[root]);
        assert_ne!(child, Verified::lineage(&b, &[]));
        assert_ne!(child, Verified::lineage(&a, &[root]));
        assert_ne!(child, Verified::lineage(&b, &[Verified::lineage(&b, &[])]));
        assert_ne!(
            Verified::lineage(&b, &[root, child]),
            Verified::lineage(&b, &[child, root]),
            "the parents' order is the header's"
        );
    }
}
