//! The Omnicanal server: configuration, HTTP API, background workers.
//!
//! `main.rs` is a thin command line over [`start`]; tests call [`start`] directly
//! with a fresh database and talk to the returned address over real HTTP.

pub mod config;

pub use config::Config;

use std::net::SocketAddr;

/// A server that is listening; dropping it does not stop it, call [`Running::shutdown`].
pub struct Running {
    /// The address the server is bound to (useful when the configuration asked for port 0).
    pub addr: SocketAddr,
}

impl Running {
    /// Stops accepting connections, lets in-flight requests finish and stops the workers.
    pub async fn shutdown(self) {}
}

/// Errors that prevent the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// Connects to the database, applies migrations, seeds (admin, demo) and starts serving.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let _ = config;
    Err(StartError::Config("not yet".into()))
}
