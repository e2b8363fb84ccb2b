//! [`Verified`]: digests of files whose SQL already passed the checks.
//!
//! The build script checks the directory whenever a file changes; the macro runs again on
//! every rebuild of the crate, usually with the very same files. The SQL checks are most of
//! the cost (and proc-macro dependencies are compiled without optimisation), so the build
//! script leaves the digests of the files whose SQL passed in `OUT_DIR`, and the macro skips
//! the SQL checks of a file whose digest is there. The digest covers the file's normalised
//! text and this crate's version, so an edited file, or a newer checker, is checked again.
//! The format and graph checks always run.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

/// The file, in `OUT_DIR`, where the build script leaves the digests for the macro.
pub const OUT_DIR_FILE: &str = "retort-verified-sql.txt";

/// The first line of the stored form, naming the checker that verified the digests.
fn header() -> String {
    format!("retort-core {} verified sql", env!("CARGO_PKG_VERSION"))
}

/// A set of file digests whose SQL passed every check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verified {
    digests: HashSet<[u8; 32]>,
}

impl Verified {
    /// An empty set: everything is checked.
    pub fn new() -> Self {
        Self::default()
    }

    /// The digest of a file's normalised text, as the set stores it.
    pub fn digest(normalised_text: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(header().as_bytes());
        h.update([0]);
        h.update(normalised_text.as_bytes());
        h.finalize().into()
    }

    /// Records a file whose SQL passed.
    pub fn insert(&mut self, normalised_text: &str) {
        self.digests.insert(Self::digest(normalised_text));
    }

    /// Whether a file with this text has passed.
    pub fn contains(&self, normalised_text: &str) -> bool {
        !self.digests.is_empty() && self.digests.contains(&Self::digest(normalised_text))
    }

    /// Adds every digest of `other`.
    pub fn extend(&mut self, other: &Verified) {
        self.digests.extend(other.digests.iter().copied());
    }

    /// How many files.
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// The stored form: a header line, then one hexadecimal digest a line, sorted.
    pub fn to_text(&self) -> String {
        let mut lines: Vec<String> = self
            .digests
            .iter()
            .map(|d| crate::Checksum::from_bytes(*d).to_hex())
            .collect();
        lines.sort();
        let mut out = header();
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
        if lines.next() != Some(header().as_str()) {
            return Self::new();
        }
        let mut digests = HashSet::new();
        for line in lines {
            match crate::Checksum::from_hex(line) {
                Some(c) => {
                    digests.insert(*c.as_bytes());
                }
                None => return Self::new(),
            }
        }
        Verified { digests }
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
        let back = Verified::from_text(&v.to_text());
        assert_eq!(back, v);
        assert!(back.contains("a") && !back.contains("c"));
        assert!(Verified::from_text("retort-core 0.0.0 verified sql\n00").is_empty());
        let tampered = v
            .to_text()
            .replace(&header(), "retort-core 9.9.9 verified sql");
        assert!(Verified::from_text(&tampered).is_empty());
    }
}
