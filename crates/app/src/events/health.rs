//! Whether the store answers: what a load balancer's health check asks.

use crate::App;

/// The store's health.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// The store answered.
    Ok,
    /// The store did not answer (the cause is logged, never shown).
    Unavailable,
}

impl App {
    /// Pings the store once.
    pub async fn health(&self) -> Health {
        match self.store.ping().await {
            Ok(()) => Health::Ok,
            Err(error) => {
                tracing::warn!(%error, "health check failed");
                Health::Unavailable
            }
        }
    }
}
