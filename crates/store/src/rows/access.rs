//! Users and their sessions.

use omnicanal_domain::access::Role;

/// A person who signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Opaque id.
    pub id: String,
    /// Lower-case e-mail, unique.
    pub email: String,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// Their role.
    pub role: Role,
    /// The merchant a manager or staff member belongs to.
    pub merchant_id: Option<String>,
    /// The location a staff member works at.
    pub location_id: Option<String>,
    /// Creation time.
    pub created_at_ms: i64,
}

/// A bearer token, stored only as its SHA-256 hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Hex SHA-256 of the token.
    pub token_hash: String,
    /// Whose session.
    pub user_id: String,
    /// Expiry.
    pub expires_at_ms: i64,
}
