//! [`Revision`]: the identifier of one migration.

use std::borrow::Cow;
use std::fmt;

/// The longest revision identifier accepted.
pub const MAX_REVISION_LEN: usize = 32;

/// A revision identifier: 1 to 32 ASCII letters and digits.
///
/// A `Revision` is always valid; there is no way to build one from a string that breaks the
/// rule. Comparison is exact (case-sensitive), as in the file name and the version table.
///
/// ```
/// use retort_core::Revision;
///
/// let rev = Revision::parse("002").unwrap();
/// assert_eq!(rev.as_str(), "002");
/// assert!(Revision::parse("0-2").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Revision(Cow<'static, str>);

/// Why a string is not a [`Revision`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevisionError {
    /// The string is empty.
    #[error("a revision id cannot be empty")]
    Empty,
    /// The string is longer than [`MAX_REVISION_LEN`].
    #[error("a revision id has at most {MAX_REVISION_LEN} characters, this one has {0}")]
    TooLong(usize),
    /// The string holds a character other than `[0-9A-Za-z]`.
    #[error(
        "a revision id holds only letters and digits (0-9, A-Z, a-z); found {found:?} at character {index}"
    )]
    BadChar {
        /// The offending character.
        found: char,
        /// Its index among the characters, from 1.
        index: usize,
    },
}

/// Checks the revision rule; `const` so that compile-time data is checked when it is built.
const fn check(s: &str) -> Result<(), RevisionError> {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return Err(RevisionError::Empty);
    }
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            // Report the character, not the byte, where the string is not ASCII.
            return Err(RevisionError::BadChar {
                found: if bytes[i].is_ascii() {
                    bytes[i] as char
                } else {
                    char::REPLACEMENT_CHARACTER
                },
                index: i + 1,
            });
        }
        i += 1;
    }
    if bytes.len() > MAX_REVISION_LEN {
        return Err(RevisionError::TooLong(bytes.len()));
    }
    Ok(())
}

impl Revision {
    /// Parses a revision identifier.
    pub fn parse(s: &str) -> Result<Self, RevisionError> {
        match check(s) {
            Ok(()) => Ok(Revision(Cow::Owned(s.to_owned()))),
            Err(RevisionError::BadChar { index, .. }) => Err(RevisionError::BadChar {
                // Every byte before `index` is ASCII, so it is also the character index.
                found: s[index - 1..]
                    .chars()
                    .next()
                    .unwrap_or(char::REPLACEMENT_CHARACTER),
                index,
            }),
            Err(e) => Err(e),
        }
    }

    /// A revision from a string literal, checked at compile time when used in a `const`.
    ///
    /// # Panics
    ///
    /// Panics (a compile error in a `const` context) when `s` is not a valid revision.
    pub const fn from_static(s: &'static str) -> Self {
        match check(s) {
            Ok(()) => Revision(Cow::Borrowed(s)),
            Err(_) => panic!("invalid revision id: 1 to 32 ASCII letters and digits"),
        }
    }

    /// The identifier as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Revision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Revision({:?})", &*self.0)
    }
}

impl AsRef<str> for Revision {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Revision {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Revision {
    type Err = RevisionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Revision::parse(s)
    }
}

impl PartialEq<str> for Revision {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Revision {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_letters_and_digits() {
        for ok in ["0", "001", "abcDEF123", &"a".repeat(32)] {
            assert_eq!(Revision::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_everything_else() {
        assert_eq!(Revision::parse(""), Err(RevisionError::Empty));
        assert_eq!(
            Revision::parse(&"a".repeat(33)),
            Err(RevisionError::TooLong(33))
        );
        assert_eq!(
            Revision::parse("ab-c"),
            Err(RevisionError::BadChar {
                found: '-',
                index: 3
            })
        );
        assert_eq!(
            Revision::parse("äb"),
            Err(RevisionError::BadChar {
                found: 'ä',
                index: 1
            })
        );
        assert_eq!(
            Revision::parse("aé-"),
            Err(RevisionError::BadChar {
                found: 'é',
                index: 2
            })
        );
    }

    #[test]
    fn from_static_in_const() {
        const R: Revision = Revision::from_static("abc");
        assert_eq!(R.as_str(), "abc");
    }
}
