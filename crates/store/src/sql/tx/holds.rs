//! Stock holds that lapse: a part still `placed` when its hold expires is cancelled as the
//! domain plans it (`plan_hold_lapse`): its units released and its money refunded (with its
//! payment job) or no longer owed.
//!
//! Two callers: order placement expires lapsed holds at the locations it reserves from,
//! inside its own transaction, so availability never depends on the sweeper; the sweeper (the
//! app's holds use case, run by a worker) tidies the rest and announces the releases.

use omnicanal_domain::Money;
use omnicanal_domain::fulfillment::plan_hold_lapse;
use omnicanal_domain::payment::PaymentMethod;
use sqlx::Row;

use super::Tx;
use super::transition::apply_change_in;
use crate::rows::{FulfillmentChange, Preparation};
use crate::sql::columns::get_parsed;
use crate::sql::order_rows::currency;
use crate::{StoreError, StoreResult};

/// The reason recorded on a part whose hold lapsed.
pub const HOLD_EXPIRED_REASON: &str = "hold expired before the merchant accepted";

/// Cancels up to `limit` parts whose hold lapsed by `now_ms` (at one location, or anywhere).
pub(crate) async fn expire_holds_in(
    transaction: &mut Tx,
    location_id: Option<&str>,
    now_ms: i64,
    limit: i64,
) -> StoreResult<usize> {
    let due = sqlx::query(
        "SELECT f.id, f.subtotal_minor, f.currency, o.payment_method \
         FROM fulfillments f JOIN orders o ON o.id = f.order_id \
         WHERE f.status = 'placed' AND f.hold_expires_at_ms IS NOT NULL AND f.hold_expires_at_ms <= $1 \
         AND ($2 IS NULL OR f.location_id = $2) ORDER BY f.hold_expires_at_ms, f.id LIMIT $3",
    )
    .bind(now_ms)
    .bind(location_id)
    .bind(limit)
    .fetch_all(&mut **transaction)
    .await?;
    let mut expired = 0;
    for row in &due {
        let id: String = row.try_get("id")?;
        let subtotal = Money::new(row.try_get("subtotal_minor")?, get_parsed(row, "currency", currency)?);
        let method = get_parsed(row, "payment_method", PaymentMethod::parse)?;
        let change = FulfillmentChange {
            // Deterministic ids: a part's hold lapses at most once.
            event_id: format!("evt_expired_{id}"),
            money_event_id: format!("evt_expired_refund_{id}"),
            fulfillment_id: id,
            plan: plan_hold_lapse(method, subtotal),
            reason: Some(HOLD_EXPIRED_REASON.into()),
            preparation: Preparation::default(),
            now_ms,
        };
        match apply_change_in(transaction, &change).await {
            Ok(_) => expired += 1,
            // Another writer (a node's sweeper, a concurrent placement) cancelled it first.
            Err(StoreError::StaleState) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(expired)
}
