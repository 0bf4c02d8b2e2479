//! Sessions: signing in (throttled), the user behind a token, signing out, changing a password.
//!
//! A session token is shown to its holder once and stored only as its SHA-256, so a copy of
//! the database opens no session.

use std::net::IpAddr;

use omnicanal_store::{SessionRow, UserRow};

use super::passwords::{DUMMY_HASH, MAX_PASSWORD_BYTES, NewPassword, hash_password, verify_password};
use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::{new_token, sha256_hex};

/// How long a sign-in lasts.
pub const SESSION_TTL_MS: i64 = 12 * 60 * 60 * 1000;

/// A signed-in session: who, and which session (to end it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The user.
    pub caller: Caller,
    /// SHA-256 of the session token.
    pub token_hash: String,
}

fn caller_of(row: UserRow) -> Caller {
    Caller { id: row.id, email: row.email, role: row.role, merchant_id: row.merchant_id, location_id: row.location_id }
}

impl App {
    /// Checks e-mail and password and opens a session: the new token (shown once) and the session.
    ///
    /// Failed attempts are throttled per (e-mail, `client_ip`) with growing delays, with an
    /// account ceiling that only spaces addresses the account signed in from before
    /// ([`crate::throttle`]): while a delay runs the answer is `Throttled` and the password is
    /// not checked.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client_ip: Option<IpAddr>,
    ) -> AppResult<(String, Session)> {
        let attempt = self
            .login_throttle
            .begin(email, client_ip)
            .map_err(|refused| AppError::Throttled { retry_after_secs: refused.retry_after_secs() })?;
        let outcome = self.check_and_open_session(email, password).await;
        match &outcome {
            Ok(_) => self.login_throttle.succeeded(attempt),
            Err(AppError::Unauthenticated(_)) => self.login_throttle.failed(attempt),
            Err(_) => self.login_throttle.abandoned(attempt),
        }
        outcome
    }

    async fn check_and_open_session(&self, email: &str, password: &str) -> AppResult<(String, Session)> {
        let wrong = AppError::Unauthenticated("wrong e-mail or password");
        if password.len() > MAX_PASSWORD_BYTES {
            // No stored password is this long: refuse without making argon2 hash a megabyte.
            return Err(wrong);
        }
        let Some(user) = self.store.find_user_by_email(email.trim()).await? else {
            let _ = verify_password(password, DUMMY_HASH);
            return Err(wrong);
        };
        if user.password_hash.is_empty() {
            // Invited, no password yet (`invitations`): as slow as a wrong password, so timing
            // does not tell who was invited.
            let _ = verify_password(password, DUMMY_HASH);
            return Err(wrong);
        }
        if !verify_password(password, &user.password_hash) {
            return Err(wrong);
        }
        let token = new_token();
        let token_hash = sha256_hex(token.as_bytes());
        let session = SessionRow {
            token_hash: token_hash.clone(),
            user_id: user.id.clone(),
            expires_at_ms: self.now_ms() + SESSION_TTL_MS,
        };
        self.store.insert_session(&session).await?;
        Ok((token, Session { caller: caller_of(user), token_hash }))
    }

    /// The session of a token, if it is known and not expired.
    pub async fn session(&self, token: &str) -> AppResult<Option<Session>> {
        let token_hash = sha256_hex(token.as_bytes());
        let user = self.store.find_session_user(&token_hash, self.now_ms()).await?;
        Ok(user.map(|user| Session { caller: caller_of(user), token_hash }))
    }

    /// Ends a session: its token stops working at once, everywhere.
    pub async fn sign_out(&self, token_hash: &str) -> AppResult<()> {
        self.store.delete_session(token_hash).await?;
        Ok(())
    }

    /// Changes the session's user's password after checking the current one, and ends every
    /// other session of the user (a stolen token stops working); this one stays signed in.
    /// A wrong current password is invalid `current_password`; an unchanged one invalid `new_password`.
    pub async fn change_password(&self, session: &Session, current: &str, new: &NewPassword) -> AppResult<()> {
        let not_current = || AppError::invalid("current_password", "is not your current password");
        if current.len() > MAX_PASSWORD_BYTES {
            return Err(not_current());
        }
        let stored = self
            .store
            .find_user_by_email(&session.caller.email)
            .await?
            .ok_or(AppError::Unauthenticated("the session's user no longer exists; sign in again"))?;
        if !verify_password(current, &stored.password_hash) {
            return Err(not_current());
        }
        if new.expose() == current {
            return Err(AppError::invalid("new_password", "must differ from the current password"));
        }
        let password_hash = hash_password(new.expose())?;
        self.store.set_password(&stored.id, &password_hash, &session.token_hash).await?;
        let change =
            Change::new(AuditEntity::User, &stored.id, AuditAction::PasswordChanged, stored.merchant_id.as_deref());
        self.record_change(&session.caller, change).await;
        Ok(())
    }
}
