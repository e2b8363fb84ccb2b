//! [`Digest128`]: the digest under which the macro caches an expansion and the build script
//! hands its verdict to the macro: cheap in code compiled without optimisation.

/// A 128-bit digest from two SipHash-1-3 streams (the standard library's `DefaultHasher`,
/// with fixed keys, so the same in every run of one build of the macro). A proc macro (and a
/// build script) is compiled without optimisation: SHA-256 hashed about 15 MB/s there, which at 10,000
/// migrations (2.6 MB of files) cost a cache hit a noticeable share of its time; SipHash
/// several times that. The key guards against a stale expansion, not against an attacker:
/// whoever can write the migrations can write the expansion.
///
/// ```
/// use retort_core::digest::Digest128;
///
/// let mut d = Digest128::new();
/// d.update(b"abc");
/// assert_eq!(d.finish(), Digest128::of(b"abc"));
/// assert_ne!(Digest128::of(b"abc"), Digest128::of(b"abd"));
/// ```
pub struct Digest128(std::hash::DefaultHasher, std::hash::DefaultHasher);

impl Digest128 {
    /// An empty digest.
    pub fn new() -> Self {
        use std::hash::Hasher;
        let (mut a, mut b) = (
            std::hash::DefaultHasher::new(),
            std::hash::DefaultHasher::new(),
        );
        a.write_u8(0xa5);
        b.write_u8(0x5a);
        Self(a, b)
    }

    /// Adds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        use std::hash::Hasher;
        self.0.write(bytes);
        self.1.write(bytes);
    }

    /// The digest.
    pub fn finish(&self) -> [u8; 16] {
        use std::hash::Hasher;
        let mut out = [0; 16];
        out[..8].copy_from_slice(&self.0.finish().to_le_bytes());
        out[8..].copy_from_slice(&self.1.finish().to_le_bytes());
        out
    }

    /// The digest of `bytes` alone.
    pub fn of(bytes: &[u8]) -> [u8; 16] {
        let mut d = Self::new();
        d.update(bytes);
        d.finish()
    }
}

/// Lower-case hexadecimal digits of `bytes`: how digests are written into files and names.
///
/// ```
/// use retort_core::digest::{from_hex, to_hex};
///
/// assert_eq!(to_hex(&[0x0a, 0xff]), "0aff");
/// assert_eq!(from_hex::<2>("0aff"), Some([0x0a, 0xff]));
/// assert_eq!(from_hex::<2>("0aFf"), Some([0x0a, 0xff]));
/// assert_eq!(from_hex::<2>("0af"), None);
/// assert_eq!(from_hex::<2>("0ag0"), None);
/// assert_eq!(from_hex::<2>("+aff"), None);
/// ```
pub fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The `N` bytes written as `2 × N` hexadecimal digits by [`to_hex`] (either case), or
/// `None` for any other text. A digit at a time, with no string made per byte: a run reads a
/// checksum per version-table row.
pub fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    fn nibble(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let mut out = [0; N];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

impl Default for Digest128 {
    fn default() -> Self {
        Self::new()
    }
}
