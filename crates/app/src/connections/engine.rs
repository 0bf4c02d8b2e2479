//! One pass over one connection, on the node that holds its lease: the first import or a
//! resync when asked, then the pushes owed (stock, then prices), the orders the shop sent, the
//! statuses owed back, a poll for orders and a look for edits made in the shop's admin, each
//! when due. One node at a time works a connection (the lease in the store), so pushes reach a
//! shop in the order they were owed, and a shop that fails is backed off as a whole.
//!
//! What a failure does to the connection is decided here, once (`App::record_shop_failure`):
//! refused credentials stop it until a person changes them or asks for a resync (no crash loop
//! against a shop that says no); throttling waits what the shop asked; an outage or an answer
//! we cannot read backs off, doubling, and the connection shows the cause in plain words.

use std::sync::Arc;

use omnicanal_domain::connections::{ConnectionStatus, retry_delay_ms};
use omnicanal_store::{ConnectionHealth, ShopConnectionRow};
use rand::Rng;

use super::client::{ShopAccess, ShopClient, ShopFailure};
use crate::App;
use crate::error::AppResult;

/// How long a node holds a connection for one pass (renewed while an import runs).
pub const LEASE_MS: i64 = 30_000;
/// How far ahead a stop on refused credentials puts the next call (a person's resync lifts it).
const STOPPED_MS: i64 = 365 * 24 * 60 * 60 * 1_000;

/// How often a connection looks at its shop without being asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionTiming {
    /// Orders are polled this often (the fallback when a webhook is lost; the only way for
    /// shops without webhooks).
    pub poll_orders_ms: i64,
    /// Edits made in the shop's admin are looked for this often.
    pub drift_check_ms: i64,
}

impl Default for ConnectionTiming {
    fn default() -> Self {
        Self { poll_orders_ms: 30_000, drift_check_ms: 60_000 }
    }
}

/// Why a pass stopped early: the shop failed (already recorded on the connection).
pub(crate) struct PassStopped;

impl App {
    /// Every connection's id, for the worker's round.
    pub async fn connection_ids(&self) -> AppResult<Vec<String>> {
        Ok(self.store.list_connections(None).await?.into_iter().map(|connection| connection.id).collect())
    }

    /// Works one connection once, if it has work due, no other node holds it and its backoff
    /// is over. Looking costs reads only: an idle connection writes nothing.
    pub async fn work_connection(&self, id: &str) -> AppResult<()> {
        let now = self.now_ms();
        let Some(connection) = self.store.get_connection(id).await? else { return Ok(()) };
        if connection.next_call_at_ms > now || connection.lease_until_ms > now {
            return Ok(());
        }
        let timing = self.connection_timing;
        let due = connection.sync_requested_at_ms.is_some()
            || now - connection.orders_polled_at_ms >= timing.poll_orders_ms
            || now - connection.drift_checked_at_ms >= timing.drift_check_ms
            || self.store.connection_work_due(id, now).await?;
        if !due {
            return Ok(());
        }
        let until = now + LEASE_MS;
        if !self.store.lease_connection(id, now, until).await? {
            return Ok(());
        }
        let outcome = self.connection_pass(id).await;
        self.store.release_connection(id, until).await?;
        outcome
    }

    async fn connection_pass(&self, id: &str) -> AppResult<()> {
        let Some(connection) = self.store.get_connection(id).await? else { return Ok(()) };
        let now = self.now_ms();
        if connection.next_call_at_ms > now {
            return Ok(());
        }
        let client = match self.shop_client(&connection) {
            Ok(client) => client,
            Err(failure) => {
                self.record_shop_failure(&connection, &failure).await?;
                return Ok(());
            }
        };
        let mut succeeded = false;
        let passes = async {
            if let Some(requested_at) = connection.sync_requested_at_ms {
                self.run_first_import(&connection, client.as_ref(), requested_at).await?;
                succeeded = true;
            }
            succeeded |= self.push_owed(&connection, client.as_ref()).await?;
            self.place_received_shop_orders(&connection).await?;
            succeeded |= self.tell_shop_statuses(&connection, client.as_ref()).await?;
            let timing = self.connection_timing;
            if self.now_ms() - connection.orders_polled_at_ms >= timing.poll_orders_ms {
                self.poll_shop_orders(&connection, client.as_ref()).await?;
                self.place_received_shop_orders(&connection).await?;
                succeeded = true;
            }
            if self.now_ms() - connection.drift_checked_at_ms >= timing.drift_check_ms {
                self.check_shop_drift(&connection, client.as_ref()).await?;
                succeeded = true;
            }
            Ok::<(), PassOutcome>(())
        }
        .await;
        match passes {
            Ok(()) => {
                if succeeded {
                    self.record_shop_success(&connection).await?;
                }
                Ok(())
            }
            Err(PassOutcome::Stopped(PassStopped)) => Ok(()),
            Err(PassOutcome::Fault(error)) => Err(error),
        }
    }

    /// The client for a connection, its credentials opened and its address checked again by
    /// this node's outbound policy.
    pub(crate) fn shop_client(&self, connection: &ShopConnectionRow) -> Result<Arc<dyn ShopClient>, ShopFailure> {
        self.outbound
            .check_url(&connection.base_url)
            .map_err(|refusal| ShopFailure::Refused(format!("the shop's address is refused: {refusal}")))?;
        let credentials = self.credentials_key.open(&connection.credentials_sealed).map_err(|_| {
            ShopFailure::Unauthorized(
                "the stored credentials cannot be opened with this server's key; enter them again".into(),
            )
        })?;
        let access = ShopAccess {
            kind: connection.kind,
            base_url: connection.base_url.clone(),
            credentials,
            currency: connection.currency.code().to_owned(),
        };
        Ok(self.shop_clients.client(&access))
    }

    /// Records a failed call and decides when the shop is called again.
    pub(crate) async fn record_shop_failure(
        &self,
        connection: &ShopConnectionRow,
        failure: &ShopFailure,
    ) -> AppResult<i64> {
        let now = self.now_ms();
        let failures = connection.failures + 1;
        let jitter = rand::rng().random_range(0..=1_000);
        let (status, next_call_at_ms) = match failure {
            ShopFailure::Unauthorized(_) => (ConnectionStatus::AuthFailed, now + STOPPED_MS),
            ShopFailure::Throttled { retry_after_ms } => {
                // Being asked to slow down is the shop working as documented, not a failure.
                let status = match connection.status {
                    ConnectionStatus::Pending | ConnectionStatus::AuthFailed => ConnectionStatus::Active,
                    other => other,
                };
                (status, now + retry_delay_ms(1, *retry_after_ms, jitter))
            }
            ShopFailure::Unavailable(_) | ShopFailure::Garbage(_) | ShopFailure::Refused(_) => {
                (ConnectionStatus::Failing, now + retry_delay_ms(failures, None, jitter))
            }
        };
        let health = ConnectionHealth {
            status,
            last_success_at_ms: connection.last_success_at_ms,
            last_error: Some(failure.to_string()),
            failures: if matches!(failure, ShopFailure::Throttled { .. }) { connection.failures } else { failures },
            next_call_at_ms,
        };
        tracing::info!(connection_id = %connection.id, kind = %connection.kind, cause = %failure, "a shop call failed");
        self.store.record_connection_health(&connection.id, &health, now).await?;
        Ok(next_call_at_ms)
    }

    async fn record_shop_success(&self, connection: &ShopConnectionRow) -> AppResult<()> {
        let now = self.now_ms();
        let Some(current) = self.store.get_connection(&connection.id).await? else { return Ok(()) };
        let status = if current.sync_requested_at_ms.is_some()
            && current.sync_requested_at_ms != connection.sync_requested_at_ms
        {
            ConnectionStatus::Importing
        } else {
            ConnectionStatus::Active
        };
        let health = ConnectionHealth {
            status,
            last_success_at_ms: Some(now),
            last_error: None,
            failures: 0,
            next_call_at_ms: current.next_call_at_ms.min(now),
        };
        self.store.record_connection_health(&connection.id, &health, now).await?;
        Ok(())
    }

    /// Records `failure` and stops the pass.
    pub(crate) async fn stop_pass(&self, connection: &ShopConnectionRow, failure: ShopFailure) -> PassOutcome {
        match self.record_shop_failure(connection, &failure).await {
            Ok(_) => PassOutcome::Stopped(PassStopped),
            Err(error) => PassOutcome::Fault(error),
        }
    }
}

/// How a step of a pass ended early.
pub(crate) enum PassOutcome {
    /// The shop failed; recorded.
    Stopped(PassStopped),
    /// Our own fault (the database).
    Fault(crate::error::AppError),
}

impl From<crate::error::AppError> for PassOutcome {
    fn from(error: crate::error::AppError) -> Self {
        PassOutcome::Fault(error)
    }
}

impl From<omnicanal_store::StoreError> for PassOutcome {
    fn from(error: omnicanal_store::StoreError) -> Self {
        PassOutcome::Fault(error.into())
    }
}

/// The result of a step of a pass.
pub(crate) type PassResult<T> = Result<T, PassOutcome>;
