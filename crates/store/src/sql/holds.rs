//! Stock holds that lapse: a part still `placed` when its hold expires is cancelled,
//! its units released and its money refunded (or no longer owed), like a customer cancel.
//!
//! Two callers: order placement expires lapsed holds at the locations it reserves from,
//! inside its own transaction, so availability never depends on the sweeper; the sweeper
//! (a server worker) tidies the rest and announces the releases.

use omnicanal_domain::fulfillment::{Actor, FulfillmentStatus, TransitionRequest, plan_transition};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::{Currency, Money};
use sqlx::{Any, Row, Transaction};

use super::orders::apply_change_in;
use crate::{FulfillmentChange, StoreResult};

/// The reason recorded on a part whose hold lapsed.
pub const HOLD_EXPIRED_REASON: &str = "hold expired before the merchant accepted";

/// Cancels up to `limit` parts whose hold lapsed by `now_ms` (at one location, or anywhere).
pub(crate) async fn expire_holds_in(
    transaction: &mut Transaction<'static, Any>,
    location_id: Option<&str>,
    now_ms: i64,
    limit: i64,
) -> StoreResult<usize> {
    let due = sqlx::query(
        "SELECT f.id, f.pickup_code, f.subtotal_minor, f.currency, o.payment_method \
         FROM fulfillments f JOIN orders o ON o.id = f.order_id \
         WHERE f.status = 'placed' AND f.hold_expires_at_ms IS NOT NULL AND f.hold_expires_at_ms <= $1 \
         AND ($2 IS NULL OR f.location_id = $2) ORDER BY f.hold_expires_at_ms, f.id LIMIT $3",
    )
    .bind(now_ms)
    .bind(location_id)
    .bind(limit)
    .fetch_all(&mut **transaction)
    .await?;
    for row in &due {
        let id: String = row.try_get("id")?;
        let pickup_code: String = row.try_get("pickup_code")?;
        let currency: Currency = row.try_get::<String, _>("currency")?.parse()?;
        let plan = plan_transition(TransitionRequest {
            from: FulfillmentStatus::Placed,
            to: FulfillmentStatus::Cancelled,
            actor: Actor::Merchant,
            presented_pickup_code: None,
            pickup_code: &pickup_code,
            payment_method: PaymentMethod::parse(&row.try_get::<String, _>("payment_method")?)?,
            subtotal: Money::new(row.try_get("subtotal_minor")?, currency),
        })?;
        let change = FulfillmentChange {
            // Deterministic ids: a part's hold lapses at most once.
            event_id: format!("evt_expired_{id}"),
            refund_event_id: format!("evt_expired_refund_{id}"),
            fulfillment_id: id,
            plan,
            reason: Some(HOLD_EXPIRED_REASON.into()),
            now_ms,
        };
        apply_change_in(transaction, &change).await?;
    }
    Ok(due.len())
}
