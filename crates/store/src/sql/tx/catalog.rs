//! The catalog generation's check (migration 0056): the one row that triggers on every
//! catalog table raise, read by nodes that keep the catalog in memory and compared by the
//! transaction of an order priced from that memory.
//!
//! Why a check inside the write rather than a notification: a change committed on node A is
//! then never missed by the next order on node B, however late B hears of it; the order that
//! meets a newer generation is refused with nothing stored and priced again.

use sqlx::{AnyPool, Row};

use super::Tx;
use crate::{StoreError, StoreResult};

const GENERATION_SQL: &str = "SELECT generation FROM catalog_generation WHERE id = 1";

/// The committed generation.
pub(crate) async fn read_generation(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    sqlx::query(GENERATION_SQL).fetch_one(pool).await?.try_get("generation")
}

/// The generation as the transaction sees it.
pub(crate) async fn generation_in(transaction: &mut Tx) -> Result<i64, sqlx::Error> {
    sqlx::query(GENERATION_SQL).fetch_one(&mut **transaction).await?.try_get("generation")
}

/// Refuses an order priced at `priced_at` when the catalog has moved on (`CatalogChanged`).
pub(crate) fn check_generation(priced_at: Option<i64>, current: i64) -> StoreResult<()> {
    match priced_at {
        Some(generation) if generation != current => Err(StoreError::CatalogChanged),
        _ => Ok(()),
    }
}
