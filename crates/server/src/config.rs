//! Typed configuration built from defaults, command-line flags and `OMNICANAL_*` variables.

use std::fmt;
use std::net::SocketAddr;

/// A secret string whose `Debug` output never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret value; call only where it is used, never to log.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// `sqlite://PATH` or `postgres://...`.
    pub database_url: String,
    /// E-mail of the first admin, created when the database has no users.
    pub admin_email: Option<String>,
    /// Password of the first admin.
    pub admin_password: Option<Secret>,
    /// Load the demo data set when the database is empty.
    pub demo: bool,
}

impl Config {
    /// A configuration with defaults for everything but the database.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: database_url.into(),
            admin_email: None,
            admin_password: None,
            demo: false,
        }
    }
}
