//! [`Sources`]: the text of every file a check read, and offset → line:column mapping.

use std::ops::Range;

/// The index of a file in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(u32);

impl FileId {
    /// Its index in [`Sources`] (the order files were added), as the binary encoding of
    /// [`crate::codec`] writes it.
    #[cfg(feature = "check")]
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// One file as read: its display path and its text, normalised.
///
/// Normalised means: a leading byte-order mark removed and every `\r\n` turned into `\n`, so
/// that neither changes a checksum, an offset or a verdict.
#[derive(Debug, Clone)]
pub struct Source {
    path: String,
    text: String,
    line_starts: Vec<usize>,
}

impl Source {
    fn new(path: String, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Source {
            path,
            text,
            line_starts,
        }
    }

    /// The path as shown in diagnostics (relative to the crate or working directory).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The normalised text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let col = self.text[start..floor_char_boundary(&self.text, offset)]
            .chars()
            .count();
        (line + 1, col + 1)
    }

    /// The byte range of the 1-based line `line`, without its newline.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_starts[line - 1];
        let end = self
            .line_starts
            .get(line)
            .map_or(self.text.len(), |&next| next - 1);
        start..end
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Normalises file text: drops a leading byte-order mark and turns CRLF into LF.
pub fn normalize(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text.to_owned()
    }
}

/// Every file one check read, addressed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<Source>,
}

impl Sources {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file, normalising its text (see [`Source`]).
    pub fn add(&mut self, path: impl Into<String>, text: &str) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 2^32 files"));
        self.files.push(Source::new(path.into(), normalize(text)));
        id
    }

    /// The file behind an id.
    pub fn get(&self, id: FileId) -> &Source {
        &self.files[id.0 as usize]
    }

    /// Every file with its id, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &Source)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, s)| (FileId(i as u32), s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let mut s = Sources::new();
        let id = s.add("a.sql", "ab\nçd\n");
        let src = s.get(id);
        assert_eq!(src.line_col(0), (1, 1));
        assert_eq!(src.line_col(3), (2, 1));
        assert_eq!(src.line_col(5), (2, 2)); // after the two-byte 'ç'
        assert_eq!(src.line_col(7), (3, 1));
        assert_eq!(src.line_range(2), 3..6);
    }

    #[test]
    fn bom_and_crlf_are_normalised() {
        let mut s = Sources::new();
        let id = s.add("a.sql", "\u{feff}a\r\nb\r\n");
        assert_eq!(s.get(id).text(), "a\nb\n");
    }
}
