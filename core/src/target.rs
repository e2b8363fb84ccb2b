//! [`Target`]: where an upgrade or a downgrade goes, as the user writes it.
//!
//! A target is text from the command line or from a program: `head`, `heads`, `base`, a
//! revision id or a unique prefix of one, `+N` / `-N` (N steps from the current revision), or
//! `<rev>+N` / `<rev>-N` (N steps from a revision, following children or parents). Parsing
//! only checks the shape; [`crate::plan::History`] resolves a target against the revisions.

use std::fmt;
use std::str::FromStr;

use crate::revision::MAX_REVISION_LEN;

/// The valid forms of a target, as every [`TargetError`] message ends.
const FORMS: &str = "a target is `head`, `heads`, `base`, a revision id or a unique prefix of \
one, `+N` or `-N` (N steps from the current revision), or `<rev>+N` or `<rev>-N` (N steps from \
a revision), where N is a whole number of at least 1";

/// Where an upgrade or a downgrade goes.
///
/// The keywords are lower case and win over revision prefixes: `head` is always the keyword,
/// even when some revision id starts with `head` (type more of the id to name that one).
///
/// ```
/// use retort_core::target::Target;
///
/// assert_eq!("head".parse(), Ok(Target::Head));
/// assert_eq!("-2".parse(), Ok(Target::Relative(-2)));
/// assert_eq!("ae1f+1".parse(), Ok(Target::RevisionRelative("ae1f".into(), 1)));
/// assert_eq!(Target::RevisionRelative("ae1f".into(), -3).to_string(), "ae1f-3");
/// assert!("+0".parse::<Target>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// `head`: the single head (an error when there are several).
    Head,
    /// `heads`: every head.
    Heads,
    /// `base`: before the first revision, nothing applied.
    Base,
    /// A revision id, or a prefix that only one revision id starts with.
    Revision(String),
    /// `+N` (positive) or `-N` (negative): N revisions from what is applied now.
    Relative(i64),
    /// `<rev>+N` (positive) or `<rev>-N` (negative): the revision N steps after `<rev>`,
    /// following children, or before it, following parents. `<rev>` is an id or a unique
    /// prefix.
    RevisionRelative(String, i64),
}

/// Why a string is not a [`Target`]. Every message ends with the valid forms.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// The string is empty.
    #[error("the target is empty; {FORMS}")]
    Empty,
    /// The string holds a character that no form allows.
    #[error(
        "`{text}` is not a target: {found:?} (character {index}) cannot appear in a revision id, \
         which holds only letters and digits; {FORMS}"
    )]
    BadChar {
        /// The whole target as given.
        text: String,
        /// The offending character.
        found: char,
        /// Its index among the characters, from 1.
        index: usize,
    },
    /// The revision part is longer than any revision id.
    #[error(
        "`{text}` is not a target: a revision id has at most {MAX_REVISION_LEN} characters, \
         this one has {len}; {FORMS}"
    )]
    TooLong {
        /// The whole target as given.
        text: String,
        /// The length of its revision part.
        len: usize,
    },
    /// The step count after `+` or `-` is missing, not a whole number, zero or too large.
    #[error("`{text}` is not a target: {}; {FORMS}", number_problem(.number))]
    BadNumber {
        /// The whole target as given.
        text: String,
        /// What follows the sign.
        number: String,
    },
    /// A step counted from a keyword (`head-1`, `base+2`), which no form allows.
    #[error(
        "`{text}` is not a target: steps count from a revision id or from the current \
         revision, not from `{keyword}`; {FORMS}"
    )]
    KeywordStep {
        /// The whole target as given.
        text: String,
        /// The keyword before the sign.
        keyword: String,
    },
}

/// What is wrong with the step count `number` (the text after the sign).
fn number_problem(number: &str) -> String {
    if number.is_empty() {
        "the sign is not followed by a number of steps".to_owned()
    } else if !number.bytes().all(|b| b.is_ascii_digit()) {
        format!("`{number}` is not a whole number of steps")
    } else if number.bytes().all(|b| b == b'0') {
        "the number of steps must be at least 1".to_owned()
    } else {
        format!("`{number}` steps is more than can be counted")
    }
}

/// Whether `s` is one of the keywords.
fn is_keyword(s: &str) -> bool {
    matches!(s, "head" | "heads" | "base")
}

impl FromStr for Target {
    type Err = TargetError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "" => return Err(TargetError::Empty),
            "head" => return Ok(Target::Head),
            "heads" => return Ok(Target::Heads),
            "base" => return Ok(Target::Base),
            _ => {}
        }
        // The revision part runs up to the first character that is not a letter or a digit.
        let split = text
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(text.len());
        let (rev, rest) = text.split_at(split);
        let sign = match rest.chars().next() {
            None => None,
            Some(c @ ('+' | '-')) => Some(c),
            Some(found) => {
                return Err(TargetError::BadChar {
                    text: text.to_owned(),
                    found,
                    index: rev.chars().count() + 1,
                });
            }
        };
        if rev.len() > MAX_REVISION_LEN {
            return Err(TargetError::TooLong {
                text: text.to_owned(),
                len: rev.len(),
            });
        }
        let Some(sign) = sign else {
            return Ok(Target::Revision(rev.to_owned()));
        };
        if is_keyword(rev) {
            return Err(TargetError::KeywordStep {
                text: text.to_owned(),
                keyword: rev.to_owned(),
            });
        }
        let number = &rest[1..];
        let bad = || TargetError::BadNumber {
            text: text.to_owned(),
            number: number.to_owned(),
        };
        // `i64::from_str` would take a second sign; only digits are a step count.
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n: i64 = number.parse().map_err(|_| bad())?;
        if n == 0 {
            return Err(bad());
        }
        let n = if sign == '-' { -n } else { n };
        Ok(if rev.is_empty() {
            Target::Relative(n)
        } else {
            Target::RevisionRelative(rev.to_owned(), n)
        })
    }
}

impl fmt::Display for Target {
    /// The canonical text, which parses back to the same target (for targets that parsing
    /// can produce: a `Revision` that is a keyword, or a step count of 0, does not).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Head => f.write_str("head"),
            Target::Heads => f.write_str("heads"),
            Target::Base => f.write_str("base"),
            Target::Revision(rev) => f.write_str(rev),
            Target::Relative(n) => write!(f, "{n:+}"),
            Target::RevisionRelative(rev, n) => write!(f, "{rev}{n:+}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Target, TargetError> {
        s.parse()
    }

    #[test]
    fn every_form_parses_and_displays_back() {
        let cases = [
            ("head", Target::Head),
            ("heads", Target::Heads),
            ("base", Target::Base),
            ("ae1f", Target::Revision("ae1f".into())),
            ("001", Target::Revision("001".into())),
            ("HEAD", Target::Revision("HEAD".into())),
            ("headache", Target::Revision("headache".into())),
            ("+2", Target::Relative(2)),
            ("-1", Target::Relative(-1)),
            ("ae1f+2", Target::RevisionRelative("ae1f".into(), 2)),
            ("ae1f-1", Target::RevisionRelative("ae1f".into(), -1)),
            (
                "x+9223372036854775807",
                Target::RevisionRelative("x".into(), i64::MAX),
            ),
            ("-9223372036854775807", Target::Relative(-i64::MAX)),
            (
                "abcdefghijklmnopqrstuvwxyz012345",
                Target::Revision("abcdefghijklmnopqrstuvwxyz012345".into()),
            ),
        ];
        for (text, target) in cases {
            assert_eq!(parse(text), Ok(target.clone()), "{text}");
            assert_eq!(target.to_string(), text);
        }
        // Leading zeros are accepted; the canonical text drops them.
        assert_eq!(parse("+007"), Ok(Target::Relative(7)));
        assert_eq!(Target::Relative(7).to_string(), "+7");
    }

    #[test]
    fn empty() {
        assert_eq!(parse(""), Err(TargetError::Empty));
        assert_eq!(
            TargetError::Empty.to_string(),
            "the target is empty; a target is `head`, `heads`, `base`, a revision id or a unique \
             prefix of one, `+N` or `-N` (N steps from the current revision), or `<rev>+N` or \
             `<rev>-N` (N steps from a revision), where N is a whole number of at least 1"
        );
    }

    #[test]
    fn bad_numbers() {
        for (text, number, problem) in [
            ("+", "", "the sign is not followed by a number of steps"),
            ("ae1f-", "", "the sign is not followed by a number of steps"),
            ("+0", "0", "the number of steps must be at least 1"),
            ("ae1f-00", "00", "the number of steps must be at least 1"),
            ("+-1", "-1", "`-1` is not a whole number of steps"),
            ("--1", "-1", "`-1` is not a whole number of steps"),
            ("ae1f+2x", "2x", "`2x` is not a whole number of steps"),
            ("ae1f+2+3", "2+3", "`2+3` is not a whole number of steps"),
            ("+1 ", "1 ", "`1 ` is not a whole number of steps"),
            ("+1.5", "1.5", "`1.5` is not a whole number of steps"),
            (
                "-9223372036854775808",
                "9223372036854775808",
                "`9223372036854775808` steps is more than can be counted",
            ),
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(
                err,
                TargetError::BadNumber {
                    text: text.into(),
                    number: number.into()
                }
            );
            assert_eq!(
                err.to_string(),
                format!("`{text}` is not a target: {problem}; {FORMS}")
            );
        }
    }

    #[test]
    fn bad_characters() {
        for (text, found, index) in [
            ("ae_1f", '_', 3),
            (" head", ' ', 1),
            ("head ", ' ', 5),
            ("ae1f*2", '*', 5),
            ("äb", 'ä', 1),
            ("a/b+1", '/', 2),
        ] {
            assert_eq!(
                parse(text),
                Err(TargetError::BadChar {
                    text: text.into(),
                    found,
                    index
                }),
                "{text}"
            );
        }
        assert_eq!(
            parse("ae_1f").unwrap_err().to_string(),
            format!(
                "`ae_1f` is not a target: '_' (character 3) cannot appear in a revision id, \
                 which holds only letters and digits; {FORMS}"
            )
        );
    }

    #[test]
    fn too_long_and_keyword_steps() {
        let long = "a".repeat(33);
        assert_eq!(
            parse(&format!("{long}+1")),
            Err(TargetError::TooLong {
                text: format!("{long}+1"),
                len: 33
            })
        );
        assert_eq!(
            parse(&long).unwrap_err().to_string(),
            format!(
                "`{long}` is not a target: a revision id has at most 32 characters, this one \
                 has 33; {FORMS}"
            )
        );
        for (text, keyword) in [("head-1", "head"), ("heads+1", "heads"), ("base+2", "base")] {
            assert_eq!(
                parse(text),
                Err(TargetError::KeywordStep {
                    text: text.into(),
                    keyword: keyword.into()
                })
            );
        }
        assert_eq!(
            parse("head-1").unwrap_err().to_string(),
            format!(
                "`head-1` is not a target: steps count from a revision id or from the current \
                 revision, not from `head`; {FORMS}"
            )
        );
    }
}
