//! A location's live queue, for its kitchen display: the parts still being worked (and, when
//! asked, those finished lately), oldest first, each with its timing and whether it is late.

use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::kitchen::{LateReason, PartClock, lateness, start_by_ms};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_store::{FulfillmentRecord, LocationRow, OrderRow, Page, QueueEntry};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::parse_time;

/// Finished parts shown when asked for: those that changed in the last 12 hours.
pub const DONE_WINDOW_MS: i64 = 12 * 3_600_000;

/// A location's queue as its display shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationQueue {
    /// The location.
    pub location: LocationRow,
    /// Its site's time zone (for whether it is open now).
    pub timezone: String,
    /// The instant the queue was read at, by the app's clock.
    pub now_ms: i64,
    /// Its parts, oldest first.
    pub items: Vec<QueuedPart>,
}

/// One part in the queue, with what the kitchen must know of its timing and money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedPart {
    /// The order's header (channel, customer, table, payment method).
    pub order: OrderRow,
    /// The part with its lines.
    pub part: FulfillmentRecord,
    /// The scheduled pickup time; `None`: as soon as possible.
    pub pickup_at_ms: Option<i64>,
    /// When to start a scheduled part: its pickup time minus its preparation time.
    pub start_by_ms: Option<i64>,
    /// While placed: when its stock hold lapses.
    pub hold_expires_at_ms: Option<i64>,
    /// Why it needs attention now, if it does.
    pub late: Option<LateReason>,
    /// What the customer still pays at the counter (pay at pickup, until handover).
    pub to_collect_minor: i64,
}

impl App {
    /// A location's live queue: parts placed, accepted, preparing or ready, oldest first, plus
    /// those finished in the last 12 hours when `include_done` (staff of the location, its
    /// merchant's managers, admins).
    pub async fn location_queue(
        &self,
        caller: &Caller,
        location_id: &str,
        include_done: bool,
        page: Page,
    ) -> AppResult<LocationQueue> {
        let location = self.workable_location(caller, location_id).await?;
        let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("location"))?;
        let now_ms = self.now_ms();
        let done_since = include_done.then_some(now_ms - DONE_WINDOW_MS);
        let entries = self.store.location_queue(&location.id, done_since, page).await?;
        let usual_prep = location.storefront.prep_minutes;
        let items = entries.into_iter().map(|entry| queued_part(entry, usual_prep, now_ms)).collect();
        Ok(LocationQueue { location, timezone: site.timezone, now_ms, items })
    }
}

/// The queue's reading of one part; `usual_prep` is the location's usual preparation time.
fn queued_part(entry: QueueEntry, usual_prep: i64, now_ms: i64) -> QueuedPart {
    let QueueEntry { order, part } = entry;
    let pickup_at_ms = order.pickup_at.as_deref().and_then(parse_time);
    let preparation = part.preparation;
    let clock = PartClock {
        status: part.status,
        created_at_ms: part.created_at_ms,
        hold_expires_at_ms: part.hold_expires_at_ms,
        estimated_ready_ms: preparation.estimated_ready_ms,
        pickup_at_ms,
    };
    let owed_at_counter = order.payment_method == PaymentMethod::PayAtPickup && !part.status.is_final();
    QueuedPart {
        pickup_at_ms,
        start_by_ms: start_by_ms(pickup_at_ms, preparation.prep_minutes.unwrap_or(usual_prep)),
        hold_expires_at_ms: part.hold_expires_at_ms.filter(|_| part.status == FulfillmentStatus::Placed),
        late: lateness(&clock, now_ms),
        to_collect_minor: if owed_at_counter { (part.subtotal_minor - part.captured_minor).max(0) } else { 0 },
        order,
        part,
    }
}
