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

impl Default for Digest128 {
    fn default() -> Self {
        Self::new()
    }
}
