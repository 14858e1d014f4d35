//! What identifies a file's bytes without holding them: their length and a 128-bit hash, so
//! that a run can let go of a file it will write later and still tell whether the file holds
//! what it read.

use std::hash::{DefaultHasher, Hash, Hasher};

/// The length and a 128-bit hash of some bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    len: usize,
    hash: [u64; 2],
}

impl Fingerprint {
    /// The fingerprint of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        let half = |seed: u8| {
            let mut hasher = DefaultHasher::new();
            seed.hash(&mut hasher);
            bytes.hash(&mut hasher);
            hasher.finish()
        };
        Fingerprint {
            len: bytes.len(),
            hash: [half(0), half(1)],
        }
    }

    /// How many bytes it identifies.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it identifies no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `bytes` are the bytes it identifies.
    pub fn matches(&self, bytes: &[u8]) -> bool {
        bytes.len() == self.len && Fingerprint::of(bytes) == *self
    }
}

#[cfg(test)]
mod tests {
    use super::Fingerprint;

    #[test]
    fn tells_bytes_apart_and_matches_equal_ones() {
        let print = Fingerprint::of(b"PROMPT = asyncio.run(fetch())\n");
        assert!(print.matches(b"PROMPT = asyncio.run(fetch())\n"));
        assert!(!print.matches(b"PROMPT = asyncio.run(fetch()) \n"));
        assert!(!print.matches(b"PROMPT = asyncio.run(fetch())\r"));
        assert_eq!(print.len(), 30);
        assert!(Fingerprint::of(b"").is_empty());
        assert_ne!(Fingerprint::of(b"a"), Fingerprint::of(b"b"));
    }
}
