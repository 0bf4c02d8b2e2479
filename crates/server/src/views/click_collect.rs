//! Click & collect and changes at the counter as the API shows them (issue 17 points 4 and
//! 5): a store's pick list, a merchant's pickup settings, a part changed at the till and the
//! record of its changes.

use omnicanal_app::click_collect::{PickList, PickListEntry, PickupSettings};
use omnicanal_app::ids::rfc3339;
use omnicanal_app::pos::pickup_changes::PickupChanged;
use omnicanal_domain::Currency;
use omnicanal_domain::pricing::engine::CouponOutcome;
use omnicanal_store::{ChangedLine, PickupChangeRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::{MoneyView, PickupView};

/// One line to pick.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickLineView {
    /// SKU.
    pub sku: String,
    /// Its barcode, when the catalogue has one.
    pub barcode: Option<String>,
    /// Product name when sold (the SKU for older lines).
    pub name: String,
    /// Units to pick.
    pub quantity: i64,
}

/// One part to pick.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickEntryView {
    /// The part: mark it picked with `POST /fulfillments/{id}/picked`.
    pub fulfillment_id: String,
    /// Its order.
    pub order_id: String,
    /// The order's number.
    pub order_number: i64,
    /// placed, accepted or preparing.
    pub status: String,
    /// Who collects it.
    pub customer_name: String,
    /// Their phone, when given.
    pub customer_phone: Option<String>,
    /// `card` or `pay_at_pickup`.
    pub payment_method: String,
    /// When it was ordered.
    pub ordered_at: String,
    /// Minutes since it was ordered.
    pub age_minutes: i64,
    /// What the part costs.
    pub subtotal: MoneyView,
    /// What to pick.
    pub lines: Vec<PickLineView>,
}

impl From<PickListEntry> for PickEntryView {
    fn from(entry: PickListEntry) -> Self {
        let PickListEntry { row, barcodes, age_minutes } = entry;
        let part = row.part;
        Self {
            fulfillment_id: part.id,
            order_id: part.order_id,
            order_number: row.order_number,
            status: part.status.to_string(),
            customer_name: row.customer_name,
            customer_phone: row.customer_phone,
            payment_method: row.payment_method.as_str().to_owned(),
            ordered_at: rfc3339(part.created_at_ms),
            age_minutes,
            subtotal: MoneyView::from_parts(part.subtotal_minor, part.currency),
            lines: part
                .lines
                .into_iter()
                .map(|line| PickLineView {
                    barcode: barcodes.get(&line.sku).cloned(),
                    name: line.pricing.name.clone().unwrap_or_else(|| line.sku.clone()),
                    sku: line.sku,
                    quantity: line.quantity,
                })
                .collect(),
        }
    }
}

/// A store's pick list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickListView {
    /// The store.
    pub location_id: String,
    /// Its name.
    pub location_name: String,
    /// Parts to pick, oldest first (empty: nothing to pick).
    pub items: Vec<PickEntryView>,
}

impl From<PickList> for PickListView {
    fn from(list: PickList) -> Self {
        Self {
            location_id: list.location.id,
            location_name: list.location.name,
            items: list.entries.into_iter().map(PickEntryView::from).collect(),
        }
    }
}

/// A merchant's pickup settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickupSettingsView {
    /// The merchant.
    pub merchant_id: String,
    /// Days a ready order waits for its customer before it is released and refunded.
    pub pickup_expiry_days: i64,
    /// True when the merchant set nothing and the default (7) applies.
    pub is_default: bool,
}

impl From<PickupSettings> for PickupSettingsView {
    fn from(settings: PickupSettings) -> Self {
        Self {
            merchant_id: settings.merchant_id,
            pickup_expiry_days: settings.pickup_expiry_days,
            is_default: settings.is_default,
        }
    }
}

/// One line before or after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangedLineView {
    /// SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// Price of one.
    pub unit_price: MoneyView,
    /// What the line costs, discounts taken.
    pub total: MoneyView,
}

impl ChangedLineView {
    fn new(line: ChangedLine, currency: Currency) -> Self {
        Self {
            sku: line.sku,
            quantity: line.quantity,
            unit_price: MoneyView::from_parts(line.unit_price_minor, currency),
            total: MoneyView::from_parts(line.total_minor, currency),
        }
    }
}

/// A change of a part at the counter, as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickupChangeView {
    /// Opaque id.
    pub id: String,
    /// The part.
    pub fulfillment_id: String,
    /// The till's session it was made in.
    pub session_id: Option<String>,
    /// The till.
    pub device_id: Option<String>,
    /// The cashier's user id.
    pub changed_by: Option<String>,
    /// When.
    pub changed_at: String,
    /// The part's total before.
    pub before_total: MoneyView,
    /// The part's total after, as the pricing engine priced it.
    pub after_total: MoneyView,
    /// Given back to the card (a payment job).
    pub refund: MoneyView,
    /// Left to pay at the till when collecting.
    pub to_collect: MoneyView,
    /// The lines before.
    pub before: Vec<ChangedLineView>,
    /// The lines after.
    pub after: Vec<ChangedLineView>,
}

impl From<PickupChangeRow> for PickupChangeView {
    fn from(change: PickupChangeRow) -> Self {
        let currency = change.currency;
        Self {
            id: change.id,
            fulfillment_id: change.fulfillment_id,
            session_id: change.session_id,
            device_id: change.device_id,
            changed_by: change.created_by,
            changed_at: rfc3339(change.created_at_ms),
            before_total: MoneyView::from_parts(change.before_total_minor, currency),
            after_total: MoneyView::from_parts(change.after_total_minor, currency),
            refund: MoneyView::from_parts(change.refund_minor, currency),
            to_collect: MoneyView::from_parts(change.to_collect_minor, currency),
            before: change.before.into_iter().map(|line| ChangedLineView::new(line, currency)).collect(),
            after: change.after.into_iter().map(|line| ChangedLineView::new(line, currency)).collect(),
        }
    }
}

/// A part changed at the till.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickupChangedView {
    /// The part as the till now shows it: collect it with what `to_collect` says.
    pub pickup: PickupView,
    /// The change as recorded.
    pub change: PickupChangeView,
    /// The order's coupons re-applied by the engine to the new lines: `{code, promotion_id,
    /// applied, reason, message}` — one no longer applied was dropped, `message` says why.
    #[schema(value_type = Vec<Object>)]
    pub coupons: Vec<CouponOutcome>,
}

impl From<PickupChanged> for PickupChangedView {
    fn from(changed: PickupChanged) -> Self {
        Self { pickup: changed.at_till.into(), change: changed.change.into(), coupons: changed.coupons }
    }
}
