//! The live queue's JSON: the location as the display's header shows it, and each part with
//! its lines, timing and money, as the kitchen reads them (the use case decided what is late).

use omnicanal_app::console::queue::{LocationQueue, QueuedPart};
use omnicanal_domain::modifiers::ChosenModifier;
use serde::Serialize;
use utoipa::ToSchema;

use omnicanal_app::catalog::storefront::location_state;
use omnicanal_app::ids::rfc3339;

use crate::views::LocationStateView;
use crate::views::{ChoiceView, DocumentRefView, MoneyView};

/// The location itself, as the display's header shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueLocationView {
    /// Location id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Merchant id.
    pub merchant_id: String,
    /// Usual preparation time, in minutes (the default when accepting).
    pub prep_minutes: i64,
    /// Paused ("too busy") until then, when it is.
    pub paused_until: Option<String>,
    /// Open, paused or closed, as customers see it.
    pub status: LocationStateView,
    /// Where the counter is.
    pub counter: Option<String>,
}

/// One line of a queued part, as the kitchen reads it (no prices).
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueLineView {
    /// SKU.
    pub sku: String,
    /// Product name when sold (the SKU for lines stored before names were kept).
    pub name: String,
    /// Units.
    pub quantity: i64,
    /// The customer's choices.
    pub modifiers: Vec<ChoiceView>,
    /// The customer's note for the kitchen.
    pub note: Option<String>,
}

/// One part in the live queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemView {
    /// The part (use it for transitions and the ticket).
    pub fulfillment_id: String,
    /// Its order.
    pub order_id: String,
    /// The order's number, called out at the counter.
    pub order_number: i64,
    /// The channel it came through.
    pub channel: String,
    /// Who picks it up.
    pub customer_name: String,
    /// The table the customer ordered from (a QR poster's `?table=`), if any.
    pub table: Option<String>,
    /// placed, accepted, preparing, ready (or collected, rejected, cancelled with `include_done`).
    pub status: String,
    /// When it was placed.
    pub created_at: String,
    /// Scheduled pickup time; null: as soon as possible.
    pub pickup_at: Option<String>,
    /// When to start a scheduled part: pickup time minus the preparation time (null for ASAP).
    pub start_by: Option<String>,
    /// Preparation time given on acceptance.
    pub prep_minutes: Option<i64>,
    /// When it was accepted.
    pub accepted_at: Option<String>,
    /// When it is promised ready.
    pub estimated_ready_at: Option<String>,
    /// While placed: when its hold lapses.
    pub hold_expires_at: Option<String>,
    /// True when it needs attention now (see `late_reason`).
    pub late: bool,
    /// null, `not_accepted` (placed over 5 minutes ago, or past its hold), `past_estimate`
    /// (accepted or preparing past its estimate) or `past_pickup` (not collected past its pickup time).
    pub late_reason: Option<String>,
    /// Lines.
    pub lines: Vec<QueueLineView>,
    /// What the part costs.
    pub subtotal: MoneyView,
    /// `card` or `pay_at_pickup`.
    pub payment_method: String,
    /// What the customer still pays at the counter (pay at pickup, until handover).
    pub to_collect: MoneyView,
    /// Reason of a rejection or cancellation.
    pub reason: Option<String>,
    /// Its tax document.
    pub document: Option<DocumentRefView>,
    /// The customer's phone, for a phone order (the kitchen calls back when something is off).
    pub customer_phone: Option<String>,
    /// `pickup`, or `delivery` for a phone order delivered to `delivery_address`.
    pub fulfilment: String,
    /// Where a delivery goes, in one line and by part.
    pub delivery_address: Option<crate::views::DeliveryAddressView>,
    /// The delivery address in one line, as the card shows it.
    pub delivery_line: Option<String>,
}

/// A location's live queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueView {
    /// The location.
    pub location: QueueLocationView,
    /// The server's time, for the display's clocks.
    pub now: String,
    /// Parts, oldest first.
    pub items: Vec<QueueItemView>,
}

/// The queue as its display reads it.
pub(super) fn queue_view(queue: LocationQueue) -> QueueView {
    let LocationQueue { location, timezone, now_ms, items } = queue;
    QueueView {
        location: QueueLocationView {
            status: location_state(&location, &timezone, now_ms).into(),
            id: location.id,
            name: location.name,
            merchant_id: location.merchant_id,
            prep_minutes: location.storefront.prep_minutes,
            paused_until: location.storefront.paused_until_ms.filter(|until| *until > now_ms).map(rfc3339),
            counter: location.storefront.counter,
        },
        now: rfc3339(now_ms),
        items: items.iter().map(queue_item).collect(),
    }
}

/// The queue's view of one part.
fn queue_item(item: &QueuedPart) -> QueueItemView {
    let QueuedPart { order, part, .. } = item;
    let preparation = part.preparation;
    QueueItemView {
        fulfillment_id: part.id.clone(),
        order_id: order.id.clone(),
        order_number: order.number,
        channel: order.channel.to_string(),
        customer_name: order.customer_name.clone(),
        table: order.table_label.clone(),
        status: part.status.to_string(),
        created_at: rfc3339(part.created_at_ms),
        pickup_at: item.pickup_at_ms.map(rfc3339),
        start_by: item.start_by_ms.map(rfc3339),
        prep_minutes: preparation.prep_minutes,
        accepted_at: preparation.accepted_at_ms.map(rfc3339),
        estimated_ready_at: preparation.estimated_ready_ms.map(rfc3339),
        hold_expires_at: item.hold_expires_at_ms.map(rfc3339),
        late: item.late.is_some(),
        late_reason: item.late.map(|reason| reason.as_str().to_owned()),
        lines: part
            .lines
            .iter()
            .map(|line| QueueLineView {
                sku: line.sku.clone(),
                name: line.pricing.name.clone().unwrap_or_else(|| line.sku.clone()),
                quantity: line.quantity,
                modifiers: line
                    .pricing
                    .modifiers_json
                    .as_deref()
                    .and_then(|json| serde_json::from_str::<Vec<ChosenModifier>>(json).ok())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|chosen| ChoiceView { group: chosen.group, option: chosen.option })
                    .collect(),
                note: line.pricing.note.clone(),
            })
            .collect(),
        subtotal: MoneyView::from_parts(part.subtotal_minor, part.currency),
        payment_method: order.payment_method.as_str().to_owned(),
        to_collect: MoneyView::from_parts(item.to_collect_minor, part.currency),
        reason: part.reason.clone(),
        document: match (&part.pricing.document_kind, part.pricing.document_number) {
            (Some(kind), Some(number)) => Some(DocumentRefView { kind: *kind, number }),
            _ => None,
        },
        customer_phone: (order.channel == omnicanal_domain::channel::Channel::Phone)
            .then(|| order.customer_phone.clone())
            .flatten(),
        fulfilment: if order.delivery.is_some() { "delivery" } else { "pickup" }.to_owned(),
        delivery_address: order.delivery.as_ref().map(crate::views::DeliveryAddressView::from),
        delivery_line: order.delivery.as_ref().map(|address| address.one_line()),
    }
}
