//! The server's VAPID identity (RFC 8292): one P-256 key pair, generated at first start and kept
//! in the `settings` table (by the use case `App::vapid_private_key`), so every node signs with
//! the same key the browsers subscribed with.
//!
//! The JWT is small enough to build here (header and claims in base64url, an ES256 signature by
//! RustCrypto's `p256`): a JWT crate would bring RSA and a dozen algorithms we never use.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use omnicanal_app::notifications::vapid::VAPID_PRIVATE_KEY_SETTING;
use omnicanal_app::{App, AppError};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use rand::RngCore;

/// The `settings` key of the private key (32 bytes, base64url).
pub const PRIVATE_KEY_SETTING: &str = VAPID_PRIVATE_KEY_SETTING;
/// How long a signed JWT is valid: push services refuse more than 24 hours.
pub const JWT_LIFETIME_SECONDS: i64 = 12 * 60 * 60;

/// Why the key pair could not be had.
#[derive(Debug, thiserror::Error)]
pub enum VapidError {
    /// The key could not be read or stored.
    #[error("{0}")]
    App(#[from] AppError),
    /// The stored value is not a P-256 private key.
    #[error("the stored VAPID private key ({PRIVATE_KEY_SETTING}) is not a P-256 key")]
    Corrupt,
}

/// The key pair that signs every push request.
#[derive(Clone)]
pub struct VapidKeys {
    signing_key: SigningKey,
    public_key: String,
}

impl fmt::Debug for VapidKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VapidKeys").field("public_key", &self.public_key).finish_non_exhaustive()
    }
}

impl VapidKeys {
    /// The stored key pair; generated and stored first when there is none. With several nodes
    /// starting together, the first insert wins and every node reads back that one.
    pub async fn load_or_create(app: &App) -> Result<VapidKeys, VapidError> {
        let stored = app.vapid_private_key(new_private_key).await?;
        VapidKeys::from_stored(&stored)
    }

    /// The key pair of a stored private key (32 bytes, base64url).
    pub fn from_stored(stored: &str) -> Result<VapidKeys, VapidError> {
        let bytes = URL_SAFE_NO_PAD.decode(stored.trim()).map_err(|_| VapidError::Corrupt)?;
        VapidKeys::from_private_key(&bytes).ok_or(VapidError::Corrupt)
    }

    /// The key pair of a 32-byte private scalar.
    pub fn from_private_key(bytes: &[u8]) -> Option<VapidKeys> {
        let signing_key = SigningKey::from_slice(bytes).ok()?;
        let public_point = signing_key.verifying_key().to_encoded_point(false);
        Some(VapidKeys { public_key: URL_SAFE_NO_PAD.encode(public_point.as_bytes()), signing_key })
    }

    /// The public key as browsers take it for `applicationServerKey`: the uncompressed point
    /// (65 bytes) in base64url without padding.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The `Authorization` header for a push to `endpoint`: `vapid t=<JWT>, k=<public key>`, the
    /// JWT's audience being the endpoint's origin (with its port when not the default one).
    pub fn authorization(&self, endpoint: &reqwest::Url, subject: &str, now_seconds: i64) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": endpoint.origin().ascii_serialization(),
            "exp": now_seconds + JWT_LIFETIME_SECONDS,
            "sub": subject,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{claims}");
        // ES256 (RFC 7518 §3.4): SHA-256, deterministic nonce (RFC 6979), r‖s as 64 bytes.
        let signature: Signature = self.signing_key.sign(signing_input.as_bytes());
        let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
        format!("vapid t={token}, k={}", self.public_key)
    }
}

/// A new private key in its stored form (32 bytes, base64url).
pub fn new_private_key() -> String {
    URL_SAFE_NO_PAD.encode(new_signing_key().to_bytes())
}

/// A random private key; a random 32-byte string is a valid scalar but with odds of 2⁻¹²⁸.
fn new_signing_key() -> SigningKey {
    loop {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        if let Ok(key) = SigningKey::from_slice(&bytes) {
            return key;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;

    #[test]
    fn the_jwt_verifies_against_the_public_key_and_names_the_origin() {
        let keys = VapidKeys::from_private_key(&new_signing_key().to_bytes()).unwrap_or_else(|| unreachable!());
        let endpoint = reqwest::Url::parse("http://127.0.0.1:8090/notify/abc").unwrap_or_else(|_| unreachable!());
        let header = keys.authorization(&endpoint, "mailto:ops@mall.cl", 1_000);
        let (token, key) = header
            .strip_prefix("vapid t=")
            .and_then(|rest| rest.split_once(", k="))
            .unwrap_or_else(|| panic!("unexpected header {header}"));
        assert_eq!(key, keys.public_key());
        let (signing_input, signature) = token.rsplit_once('.').unwrap_or_default();
        let public = URL_SAFE_NO_PAD.decode(key).unwrap_or_default();
        let verifying = VerifyingKey::from_sec1_bytes(&public).unwrap_or_else(|_| unreachable!());
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap_or_default())
            .unwrap_or_else(|_| unreachable!());
        assert!(verifying.verify(signing_input.as_bytes(), &signature).is_ok());
        let claims = signing_input.split('.').nth(1).unwrap_or_default();
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap_or_default()).unwrap_or_default();
        assert_eq!(claims["aud"], "http://127.0.0.1:8090");
        assert_eq!(claims["exp"], 1_000 + JWT_LIFETIME_SECONDS);
        assert_eq!(claims["sub"], "mailto:ops@mall.cl");
    }
}
