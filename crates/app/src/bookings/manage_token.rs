//! A booking's manage token, derived rather than stored: `base64url(HMAC-SHA256(k, booking id))`
//! with `k` derived from the server's credentials key (`OMNICANAL_CREDENTIALS_KEY`) for this one
//! purpose. The booking keeps only the token's SHA-256, as before; what changes is that the
//! server can compute the token again for a reminder's manage link, so the reminders no longer
//! need a plaintext copy in the database (migration 0053 cleared the copies kept until then).
//!
//! The token is as strong as a random one (256 bits no one can compute without the key) and a
//! database dump alone gives none. When the token cannot be derived again — a booking made
//! before this change (its token was random), or one made under another key (a node or a
//! restart without the shared key) — `App::rederived_manage_token` says so by its hash, and
//! the reminder goes out without the token in its link instead of with a link that fails.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use omnicanal_store::BookingRow;
use sha2::Sha256;

use crate::App;
use crate::ids::{constant_time_eq, sha256_hex};

/// The purpose the credentials key is narrowed to for manage tokens (a new purpose string is a
/// new family of tokens: never change this one).
const MANAGE_TOKEN_PURPOSE: &str = "omnicanal booking manage token v1";

impl App {
    /// The manage token of the booking `booking_id` under this server's key.
    pub(crate) fn derived_manage_token(&self, booking_id: &str) -> String {
        let key = self.credentials_key.derive(MANAGE_TOKEN_PURPOSE);
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&key) else {
            // HMAC takes a key of any length; a random token keeps the booking safe regardless.
            return crate::ids::new_token();
        };
        mac.update(booking_id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// The booking's manage token when this server can derive it again (its hash matches the
    /// booking's); `None` for older bookings and ones made under another key.
    pub(crate) fn rederived_manage_token(&self, booking: &BookingRow) -> Option<String> {
        let token = self.derived_manage_token(&booking.id);
        constant_time_eq(&sha256_hex(token.as_bytes()), &booking.manage_token_hash).then_some(token)
    }
}
