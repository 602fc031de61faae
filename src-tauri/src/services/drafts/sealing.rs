//! Encryption at rest for drafts (LGPD personal data: CPFs, names, phones, ID photos).
//!
//! XChaCha20-Poly1305 with a random 24-byte nonce per message (random nonces are safe at this
//! size), and the owner of the bytes (a draft or document id) as associated data, so a sealed
//! value copied onto another row does not open. The 256-bit key is generated once and kept in
//! the OS keychain, never on disk.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use secrecy::{ExposeSecret, SecretString};

use crate::services::keychain::{self, KeychainError};

const NONCE_LEN: usize = 24;

/// Why sealed bytes could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The keychain could not give or keep the key.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    /// The key in the keychain is not one this app wrote.
    #[error("the drafts key in the system keychain is damaged")]
    BadKey,
    /// Tampered with, truncated, or sealed with another key.
    #[error("a saved draft could not be decrypted (damaged, or from another keychain)")]
    Corrupt,
}

/// Seals and opens bytes with the drafts key.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// The sealer with the keychain's drafts key, creating the key on first use.
    pub fn from_keychain() -> Result<Self, SealError> {
        let encoded = match keychain::load_named(keychain::DRAFTS_KEY)? {
            Some(k) => k,
            None => {
                let key = XChaCha20Poly1305::generate_key(&mut OsRng);
                let encoded =
                    SecretString::from(base64::engine::general_purpose::STANDARD.encode(key));
                keychain::store_named(keychain::DRAFTS_KEY, &encoded)?;
                encoded
            }
        };
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.expose_secret())
            .map_err(|_| SealError::BadKey)?;
        Self::from_key(&bytes).ok_or(SealError::BadKey)
    }

    /// A sealer with a given 32-byte key (tests, and the keychain path above).
    pub fn from_key(key: &[u8]) -> Option<Self> {
        (key.len() == 32).then(|| Self {
            cipher: XChaCha20Poly1305::new(Key::from_slice(key)),
        })
    }

    /// `nonce ‖ ciphertext ‖ tag`, bound to `owner`.
    pub fn seal(&self, owner: &str, plain: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: plain,
            aad: owner.as_bytes(),
        };
        // Encryption fails only for messages over 256 GiB; drafts are far below that.
        let sealed = self.cipher.encrypt(&nonce, payload).unwrap_or_default();
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens what [`seal`](Self::seal) made for the same `owner`.
    pub fn open(&self, owner: &str, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        if sealed.len() < NONCE_LEN {
            return Err(SealError::Corrupt);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: owner.as_bytes(),
                },
            )
            .map_err(|_| SealError::Corrupt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_what_it_sealed_and_nothing_else() {
        let sealer = Sealer::from_key(&[7; 32]).unwrap();
        let sealed = sealer.seal("draft-1", b"123.456.789-09 Maria");
        assert!(!sealed.windows(5).any(|w| w == b"Maria"));
        assert_eq!(
            sealer.open("draft-1", &sealed).unwrap(),
            b"123.456.789-09 Maria"
        );
        assert!(
            sealer.open("draft-2", &sealed).is_err(),
            "bound to its owner"
        );
        let mut tampered = sealed.clone();
        tampered[30] ^= 1;
        assert!(sealer.open("draft-1", &tampered).is_err());
        let other = Sealer::from_key(&[8; 32]).unwrap();
        assert!(other.open("draft-1", &sealed).is_err());
        assert!(Sealer::from_key(&[1; 31]).is_none());
        assert_ne!(
            sealer.seal("x", b"same"),
            sealer.seal("x", b"same"),
            "fresh nonce"
        );
    }
}
