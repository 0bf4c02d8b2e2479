//! The server's VAPID private key (RFC 8292), kept in the settings so every node signs with
//! the key browsers subscribed with. Making a key and signing with it are the server's (it
//! holds the P-256 implementation); storing it once, first insert winning, is decided here.

use crate::App;
use crate::error::AppResult;

/// The settings key of the private key (32 bytes, base64url).
pub const VAPID_PRIVATE_KEY_SETTING: &str = "vapid_private_key";

impl App {
    /// The stored VAPID private key; when there is none yet, `generate` makes one and it is
    /// stored. With several nodes starting together, the first insert wins and every node
    /// reads back that one.
    pub async fn vapid_private_key(&self, generate: impl FnOnce() -> String) -> AppResult<String> {
        if let Some(stored) = self.store.get_setting(VAPID_PRIVATE_KEY_SETTING).await? {
            return Ok(stored);
        }
        Ok(self.store.insert_setting_once(VAPID_PRIVATE_KEY_SETTING, &generate()).await?)
    }
}
