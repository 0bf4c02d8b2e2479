//! A connection's credentials are stored sealed: AES-256-GCM under the server's credentials key
//! (`OMNICANAL_CREDENTIALS_KEY`), a fresh random nonce per sealing, the nonce and ciphertext
//! stored together in base64. A database dump alone gives no shop access; the key never enters
//! the database. `Debug` of the key and of [`Credentials`] shows nothing secret.

use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;

use super::client::Credentials;

/// The length of a credentials key, in bytes.
pub const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 12;
/// The version prefix of a sealed value (a later key rotation can add `v2:`).
const PREFIX: &str = "v1:";

/// The key credentials are sealed with.
#[derive(Clone)]
pub struct CredentialsKey([u8; KEY_BYTES]);

impl std::fmt::Debug for CredentialsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialsKey(<redacted>)")
    }
}

/// Why sealed credentials could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the connection's credentials cannot be opened with this server's credentials key")]
pub struct CannotOpen;

impl CredentialsKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// A key from its base64 text (32 bytes), as `OMNICANAL_CREDENTIALS_KEY` holds it.
    pub fn from_base64(text: &str) -> Option<Self> {
        let bytes = STANDARD.decode(text.trim()).ok()?;
        <[u8; KEY_BYTES]>::try_from(bytes.as_slice()).ok().map(Self)
    }

    /// A new random key (a single process's, for tests and a demo without a configured key).
    pub fn random() -> Self {
        let mut bytes = [0u8; KEY_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The key as base64 text.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Seals credentials for storage.
    pub fn seal(&self, credentials: &Credentials) -> String {
        let plain = serde_json::to_vec(&credentials.0).unwrap_or_default();
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rng().fill_bytes(&mut nonce);
        let cipher = Aes256Gcm::new((&self.0).into());
        // Encryption with a valid key and nonce length cannot fail for in-memory data.
        let sealed = cipher.encrypt(Nonce::from_slice(&nonce), plain.as_slice()).unwrap_or_default();
        let mut stored = nonce.to_vec();
        stored.extend(sealed);
        format!("{PREFIX}{}", STANDARD.encode(stored))
    }

    /// Opens sealed credentials.
    pub fn open(&self, sealed: &str) -> Result<Credentials, CannotOpen> {
        let bytes = sealed.strip_prefix(PREFIX).and_then(|text| STANDARD.decode(text).ok()).ok_or(CannotOpen)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(CannotOpen);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        let cipher = Aes256Gcm::new((&self.0).into());
        let plain = cipher.decrypt(Nonce::from_slice(nonce), sealed).map_err(|_| CannotOpen)?;
        let map: BTreeMap<String, String> = serde_json::from_slice(&plain).map_err(|_| CannotOpen)?;
        Ok(Credentials(map))
    }

    /// A key for another purpose, derived from this one (HMAC-SHA256 of `purpose`): the gift
    /// cards' code hashes use it, so they survive restarts wherever the credentials do.
    pub fn derive(&self, purpose: &str) -> [u8; KEY_BYTES] {
        use hmac::{Hmac, Mac};
        let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.0) else {
            // HMAC takes a key of any length.
            return [0; KEY_BYTES];
        };
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_credentials_open_only_with_their_key_and_never_show_in_clear() {
        let key = CredentialsKey::random();
        let credentials = Credentials(BTreeMap::from([("api_key".to_owned(), "S3CRET-KEY".to_owned())]));
        let sealed = key.seal(&credentials);
        assert!(!sealed.contains("S3CRET"), "{sealed}");
        assert_ne!(sealed, key.seal(&credentials), "a fresh nonce each time");
        assert_eq!(key.open(&sealed), Ok(credentials.clone()));
        assert_eq!(CredentialsKey::random().open(&sealed), Err(CannotOpen));
        assert_eq!(key.open("v1:AAAA"), Err(CannotOpen));
        assert!(!format!("{credentials:?} {key:?}").contains("S3CRET"));
        let again = CredentialsKey::from_base64(&key.to_base64()).expect("round trip");
        assert_eq!(again.open(&sealed), Ok(credentials));
    }
}
