//! What the tablet, the console and integrations see of an endless-aisle sale and of its
//! shipment (issue 17 point 7).

use serde::Serialize;
use utoipa::ToSchema;

use super::{DeliveryAddressView, MoneyView, OrderView};
use omnicanal_app::aisle::order::AisleSale;
use omnicanal_store::{AislePaymentRow, ShipmentRow};

/// A tender as applied at the tablet.
#[derive(Debug, Serialize, ToSchema)]
pub struct AislePaymentView {
    /// `cash` or `card`.
    pub method: String,
    /// What it paid of the total.
    pub amount: i64,
    /// Cash handed over, when more than applied.
    pub tendered: Option<i64>,
    /// The terminal's reference, for a card.
    pub reference: Option<String>,
}

impl From<AislePaymentRow> for AislePaymentView {
    fn from(payment: AislePaymentRow) -> Self {
        Self {
            method: payment.method.as_str().to_owned(),
            amount: payment.amount_minor,
            tendered: payment.tendered_minor,
            reference: payment.reference,
        }
    }
}

/// A delivery's shipment.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentView {
    /// Opaque id.
    pub id: String,
    /// Its order.
    pub order_id: String,
    /// The order's part it carries.
    pub fulfillment_id: String,
    /// The source location it ships from.
    pub location_id: String,
    /// `pending`, `picked`, `packed`, `shipped`, `delivered` or `cancelled`.
    #[schema(pattern = "^(pending|picked|packed|shipped|delivered|cancelled)$")]
    pub status: String,
    /// The steps it may take next.
    pub next: Vec<String>,
    /// The carrier's reference, once shipped.
    pub tracking_reference: Option<String>,
    /// Who receives it.
    pub recipient_name: String,
    /// Their phone.
    pub recipient_phone: String,
    /// Where.
    pub address: DeliveryAddressView,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last step (RFC 3339).
    pub updated_at: String,
}

impl From<ShipmentRow> for ShipmentView {
    fn from(shipment: ShipmentRow) -> Self {
        Self {
            address: DeliveryAddressView::from(&shipment.address),
            next: shipment.status.next_statuses().iter().map(|s| s.as_str().to_owned()).collect(),
            id: shipment.id,
            order_id: shipment.order_id,
            fulfillment_id: shipment.fulfillment_id,
            location_id: shipment.location_id,
            status: shipment.status.as_str().to_owned(),
            tracking_reference: shipment.tracking_reference,
            recipient_name: shipment.recipient_name,
            recipient_phone: shipment.recipient_phone,
            created_at: omnicanal_app::ids::rfc3339(shipment.created_at_ms),
            updated_at: omnicanal_app::ids::rfc3339(shipment.updated_at_ms),
        }
    }
}

/// A page of a location's shipments.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShipmentListView {
    /// The shipments, oldest first.
    pub items: Vec<ShipmentView>,
}

/// An endless-aisle sale: the order, how it reaches the customer and how it was paid.
#[derive(Debug, Serialize, ToSchema)]
pub struct AisleOrderView {
    /// The `tablet` order (its number is the customer's reference).
    pub order: OrderView,
    /// `delivery` or `pickup_here`.
    #[schema(pattern = "^(delivery|pickup_here)$")]
    pub fulfilment: String,
    /// The store that sold it (where a pickup here is collected).
    pub store_location_id: String,
    /// Where the units are held and leave from.
    pub source_location_id: String,
    /// The source's name.
    pub source_name: String,
    /// A pickup here: the promised local day (`YYYY-MM-DD`) and opening time (`HH:MM`).
    pub promised_date: Option<String>,
    /// A pickup here: the store's opening time that day.
    pub promised_from: Option<String>,
    /// A pickup here: whether the units arrived at the store (the part is then ready).
    pub received: bool,
    /// The order's total.
    pub total: MoneyView,
    /// Cash given back at the tablet.
    pub change: MoneyView,
    /// Cash owed back to the customer after a cancellation.
    pub cash_refund_owed: MoneyView,
    /// The tenders.
    pub payments: Vec<AislePaymentView>,
    /// A pickup here: the transfers from the source.
    pub transfer_ids: Vec<String>,
    /// A delivery's shipment.
    pub shipment: Option<ShipmentView>,
}

impl AisleOrderView {
    /// The view of a sale; `for_customer` when the answer is given at the tablet with the
    /// customer there (the order's tracking token and pickup code, to hand over or print).
    pub fn new(sale: AisleSale, for_customer: bool) -> Self {
        let currency = sale.order.order.currency;
        let aisle = sale.aisle.aisle;
        Self {
            order: OrderView::new(&sale.order, for_customer),
            fulfilment: aisle.mode.as_str().to_owned(),
            store_location_id: aisle.store_location_id,
            source_location_id: aisle.source_location_id,
            source_name: sale.source_name,
            promised_date: aisle.promised_date,
            promised_from: aisle.promised_from,
            received: aisle.received_at_ms.is_some(),
            total: MoneyView::from_parts(sale.order.order.total_minor, currency),
            change: MoneyView::from_parts(aisle.change_minor, currency),
            cash_refund_owed: MoneyView::from_parts(aisle.cash_refund_owed_minor, currency),
            payments: sale.aisle.payments.into_iter().map(Into::into).collect(),
            transfer_ids: sale.aisle.transfer_ids,
            shipment: sale.shipment.map(Into::into),
        }
    }
}
