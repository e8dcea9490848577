//! The technician PIN is stored only as a salted SHA-256 hash: `sha256$<salt>$<64 hex digits>`.

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PinHashError {
    #[error("PIN hash must look like sha256$<salt>$<64 hex digits>")]
    Malformed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinHash {
    salt: String,
    digest: [u8; 32],
}

impl PinHash {
    pub fn parse(text: &str) -> Result<Self, PinHashError> {
        let mut parts = text.trim().split('$');
        let (Some("sha256"), Some(salt), Some(hex), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(PinHashError::Malformed);
        };
        if hex.len() != 64 {
            return Err(PinHashError::Malformed);
        }
        let mut digest = [0u8; 32];
        for (i, byte) in digest.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16)
                .map_err(|_| PinHashError::Malformed)?;
        }
        Ok(Self { salt: salt.to_string(), digest })
    }

    /// Hashes a new PIN (for `kiosk` configuration tools and tests).
    pub fn new(salt: &str, pin: &str) -> Self {
        Self { salt: salt.to_string(), digest: hash(salt, pin) }
    }

    pub fn verify(&self, pin: &str) -> bool {
        let candidate = hash(&self.salt, pin);
        // Compare every byte so the time taken does not reveal the matching prefix.
        candidate.iter().zip(self.digest.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

impl std::fmt::Display for PinHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sha256${}$", self.salt)?;
        for b in self.digest {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

fn hash(salt: &str, pin: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(salt.as_bytes());
    hasher.update(b"$");
    hasher.update(pin.as_bytes());
    let out = hasher.finalize();
    let mut digest = [0u8; 32];
    digest.copy_from_slice(&out);
    digest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_verify() {
        let h = PinHash::new("kiosk", "246810");
        let parsed = PinHash::parse(&h.to_string()).unwrap();
        assert!(parsed.verify("246810"));
        assert!(!parsed.verify("246811"));
        assert!(!parsed.verify(""));
    }

    #[test]
    fn malformed_hashes_are_errors() {
        for bad in ["", "246810", "md5$x$00", "sha256$x$zz", "sha256$x$00$extra"] {
            assert_eq!(PinHash::parse(bad), Err(PinHashError::Malformed), "{bad}");
        }
    }
}
