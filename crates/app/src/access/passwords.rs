//! Passwords: argon2id hashes, and what a new password must be.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::{AppError, AppResult};

/// Shortest password accepted for a new user or a change.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted for a change (in characters).
pub const MAX_PASSWORD_CHARS: usize = 200;
/// Longest password a sign-in checks, and the most a new user's may have (in bytes): argon2
/// is never made to hash a megabyte.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// An argon2 hash of a random string, verified against when the e-mail is unknown so that
/// timing does not reveal which e-mails exist.
pub(crate) const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5Y0Wm0m8m8v0cY0l8pQ2pHc2bqg3xZ0b6Yk3K6m9z1E";

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> AppResult<String> {
    let mut salt_bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt_bytes);
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|error| AppError::internal(error.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| AppError::internal(error.to_string()))
}

/// Checks a password against a stored argon2 hash.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
        .unwrap_or(false)
}

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_PASSWORD_CHARS`] characters.
    TooShort,
    /// More than [`MAX_PASSWORD_CHARS`] characters.
    TooLong,
}

impl PasswordProblem {
    /// The message an API client reads.
    pub fn message(self) -> String {
        format!("must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")
    }
}

/// A password fit to be set: 10 to 200 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// Parses a new password.
    pub fn parse(raw: &str) -> Result<Self, PasswordProblem> {
        let length = raw.chars().count();
        if length < MIN_PASSWORD_CHARS {
            Err(PasswordProblem::TooShort)
        } else if length > MAX_PASSWORD_CHARS {
            Err(PasswordProblem::TooLong)
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    /// The password itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip_through_argon2() -> AppResult<()> {
        let hash = hash_password("correct horse")?;
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a hash"));
        Ok(())
    }

    #[test]
    fn a_new_password_has_ten_to_two_hundred_characters() {
        assert_eq!(NewPassword::parse("short"), Err(PasswordProblem::TooShort));
        assert_eq!(NewPassword::parse(&"x".repeat(201)), Err(PasswordProblem::TooLong));
        assert!(NewPassword::parse("ñandú-ñandú").is_ok(), "counted in characters, not bytes");
        assert!(!format!("{:?}", NewPassword::parse("secret-secret")).contains("secret-secret"));
    }
}
