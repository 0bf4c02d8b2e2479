//! Selling from the tablet what the store lacks (issue 17 point 7): the clerk picked a line
//! from another location's available-to-promise; the customer pays at the tablet and the
//! units are held at that source location, in one transaction with the order.
//!
//! Why an ordinary `tablet` order underneath: pricing (the one engine, channel `tablet`, the
//! source's lists and the merchant's promotions), the reservation at the source with the
//! channel's safety buffer (a conditional update, so two tablets never both sell the last
//! unit), documents, events and the customer's order page are the order's, written once. The
//! order is recorded as already paid (`paid_in_shop`: taken at the point of sale before the
//! order was placed), so placement queues no capture; the tablet's tenders are kept beside it
//! (`aisle_payments`), cash goes into the till's session, a card is charged on the till's
//! terminal first and voided at once if the order is then refused, a gift card or store credit
//! is spent from its balance in the order's own transaction (never below zero; a balance that
//! does not cover it refuses the whole order). The part never lapses (no hold time): the
//! customer has paid, so only a person cancels it.
//!
//! Delivery: a shipment at the source (see [`super::shipments`]). Pickup here: the units leave
//! the source at once as transfers in transit to the selling store, and the part moves to the
//! store, where it becomes ready when they arrive (see [`super::pickup`]) and is handed over at
//! the till by its pickup code as any order. The pickup is promised for the store's next
//! opening day (the domain's `promise_pickup_here`).

use chrono::{Datelike, Duration};
use omnicanal_domain::Money;
use omnicanal_domain::aisle::{AisleFulfilment, promise_pickup_here};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::{DomainEvent, PosSessionChanged, SessionAction};
use omnicanal_domain::hours::{OpeningHours, hhmm};
use omnicanal_domain::inventory::{MovementReason, TransferStatus};
use omnicanal_domain::pos::{TenderMethod, settle_tenders};
use omnicanal_domain::shipment::ShipmentStatus;
use omnicanal_store::{
    AisleOrderRecord, AisleOrderRow, AislePaymentRow, HeldClaim, LocationRow, NewAisleOrder, NewEvent, OrderRecord,
    PosDeviceRow, PosSessionRow, ShipmentRow, SiteRow, StockMovementRow, StoreError, TransferRow,
};

use super::command::AisleOrder;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::local_time::local_time;
use crate::ordering::command::{Customer, Payment, PlaceOrder};
use crate::ordering::new_order::{LocationHold, OrderDraft};
use crate::pricing::cart::SoldFrom;

/// An aisle order as stored, with its shipment (a delivery).
#[derive(Debug, Clone)]
pub struct AisleSale {
    /// The `tablet` order.
    pub order: OrderRecord,
    /// What the aisle keeps of it.
    pub aisle: AisleOrderRecord,
    /// A delivery's shipment.
    pub shipment: Option<ShipmentRow>,
    /// The source location's name, for the clerk and the customer.
    pub source_name: String,
}

/// The till, its open session and the source location of an aisle order, checked.
struct Counter {
    device: PosDeviceRow,
    session: PosSessionRow,
    store: LocationRow,
    source: LocationRow,
}

impl App {
    /// Sells an aisle order from till `device_id` (staff of its store, its merchant's manager,
    /// admins): see the module docs. Another merchant's till or source location → `NotFound`;
    /// a SKU the source does not sell → `UnknownSku`; a source that cannot promise a line →
    /// `ShortAtLocation` naming the SKU and the location, nothing recorded and any card charge
    /// voided.
    pub async fn place_aisle_order(
        &self,
        caller: &Caller,
        device_id: &str,
        mut command: AisleOrder,
        idempotency: Option<HeldClaim>,
    ) -> AppResult<AisleSale> {
        let counter = self.aisle_counter(caller, device_id, &command).await?;
        let site = self.store.get_site(&counter.source.site_id).await?.ok_or(AppError::NotFound("location"))?;
        command.cart.site_id = site.id.clone();
        let now_ms = self.now_ms();
        let priced = self.price_cart(&site, &command.cart, now_ms, SoldFrom::Counter).await?;
        let buffer = self.tablet_buffer(&counter.source).await?;
        let total = priced.quote.total;
        let tenders: Vec<_> = command.payments.iter().map(|payment| payment.tender).collect();
        let settled = settle_tenders(total, &tenders)?;
        // Gift cards and store credit as a till sale takes them: the code or the holder becomes
        // the account, whose spend happens in the order's transaction (issue 17 point 8).
        self.resolve_credit_tenders(&counter.device.merchant_id, &counter.device.id, &mut command.payments).await?;
        let order_id = new_id("ord");
        let approvals = self.charge_counter_cards("aisle", &order_id, &command.payments, &settled.applied).await?;
        let place = PlaceOrder {
            cart: command.cart.clone(),
            customer: Customer {
                name: command.customer_name.clone(),
                phone: command.customer_phone.clone(),
                email: command.customer_email.clone(),
                tax_id: None,
            },
            table: None,
            pickup_at_ms: None,
            payment: Payment::PaidInShop,
            quote_id: None,
            delivery: command.delivery.as_ref().map(|delivery| delivery.address.clone()),
            fixed_order_id: Some(order_id.clone()),
            fixed_pickup_code: None,
            // The tablet's tenders are its own (cash, the till's card), settled above.
            gift_card: None,
            store_credit: false,
            credit_customer: None,
        };
        let holds = [LocationHold { location_id: counter.source.id.clone(), safety_buffer: buffer, hold_ttl_ms: None }];
        let draft = OrderDraft {
            order_id: order_id.clone(),
            order: &place,
            site: &site,
            priced: &priced,
            holds: &holds,
            redemptions: Vec::new(),
            payment_reference: None,
            idempotency,
            now_ms,
            credit: &[],
            catalog_generation: None,
        };
        let order = draft.into_new_order()?;
        let part = order.fulfillments.first().ok_or(AppError::internal("an aisle order without a part"))?;
        let payments: Vec<AislePaymentRow> = command
            .payments
            .iter()
            .zip(&settled.applied)
            .zip(&approvals)
            .map(|((payment, applied), approval)| AislePaymentRow {
                method: payment.tender.method,
                amount_minor: applied.amount_minor,
                tendered_minor: payment.tender.tendered.map(|t| t.amount_minor),
                // A card's terminal reference; a gift card's or store credit's account.
                reference: match approval {
                    Some(approval) => Some(approval.reference.clone()),
                    None if payment.tender.method.spends_credit() => payment.reference.clone(),
                    None => None,
                },
            })
            .collect();
        let paid_by = |method: TenderMethod| -> i64 {
            payments.iter().filter(|p| p.method == method).map(|p| p.amount_minor).sum()
        };
        let (promised_date, promised_from) = match command.kind {
            AisleFulfilment::PickupHere => self.promised_pickup(&counter.store, now_ms).await?,
            AisleFulfilment::Delivery => (None, None),
        };
        let aisle = AisleOrderRow {
            order_id: order_id.clone(),
            merchant_id: counter.device.merchant_id.clone(),
            device_id: counter.device.id.clone(),
            session_id: counter.session.id.clone(),
            store_location_id: counter.store.id.clone(),
            source_location_id: counter.source.id.clone(),
            fulfillment_id: part.id.clone(),
            mode: command.kind,
            promised_date,
            promised_from,
            received_at_ms: None,
            cash_minor: paid_by(TenderMethod::Cash),
            card_minor: paid_by(TenderMethod::Card),
            change_minor: settled.change.amount_minor,
            cash_refund_owed_minor: 0,
            created_by: Some(caller.id.clone()),
            created_at_ms: now_ms,
        };
        let shipment = command.delivery.as_ref().map(|delivery| ShipmentRow {
            id: new_id("shp"),
            order_id: order_id.clone(),
            fulfillment_id: part.id.clone(),
            merchant_id: counter.source.merchant_id.clone(),
            location_id: counter.source.id.clone(),
            status: ShipmentStatus::Pending,
            tracking_reference: None,
            recipient_name: delivery.recipient_name.clone(),
            recipient_phone: delivery.recipient_phone.clone(),
            address: delivery.address.clone(),
            created_at_ms: now_ms,
            updated_at_ms: now_ms,
        });
        let transfers = match command.kind {
            AisleFulfilment::PickupHere => transfers_to_store(&order, &counter, caller, now_ms),
            AisleFulfilment::Delivery => Vec::new(),
        };
        let session_event =
            (aisle.cash_minor > 0).then(|| cash_in_event(&counter.session, aisle.cash_minor, &order_id, now_ms));
        let new = NewAisleOrder { order, aisle, payments, shipment, transfers, session_event };
        let stored = match self.store.place_aisle_order(&new).await {
            Ok(stored) => stored,
            Err(error) => {
                self.void_counter_charges("aisle", &approvals).await;
                return Err(match error {
                    StoreError::InsufficientStock { sku } => AppError::ShortAtLocation {
                        sku,
                        location_id: counter.source.id.clone(),
                        location_name: counter.source.name.clone(),
                    },
                    other => other.into(),
                });
            }
        };
        self.committed();
        self.aisle_sale(stored, counter.source.name).await
    }

    /// An aisle order with what the aisle keeps of it (for the answer and the tablet's
    /// confirmation).
    pub(crate) async fn aisle_sale(&self, order: OrderRecord, source_name: String) -> AppResult<AisleSale> {
        let aisle = self
            .store
            .get_aisle_order(&order.order.id)
            .await?
            .ok_or(AppError::internal("an aisle order without its aisle row"))?;
        let shipment = self.store.get_order_shipment(&order.order.id).await?;
        Ok(AisleSale { order, aisle, shipment, source_name })
    }

    /// The till, its open session (of this till) and the source location (of its merchant).
    async fn aisle_counter(&self, caller: &Caller, device_id: &str, command: &AisleOrder) -> AppResult<Counter> {
        let device = self.till(caller, device_id).await?;
        let (session, session_device) = self.till_session(caller, &command.session_id).await?;
        if session_device.id != device.id {
            return Err(AppError::invalid("session_id", "is not this till's session"));
        }
        session.status.check_open()?;
        let store = self.store.get_location(&device.location_id).await?.ok_or(AppError::NotFound("device"))?;
        let source = match self.store.get_location(&command.source_location_id).await? {
            Some(source) if source.merchant_id == device.merchant_id => source,
            _ => return Err(AppError::NotFound("location")),
        };
        if source.id == store.id && command.kind == AisleFulfilment::PickupHere {
            return Err(AppError::invalid(
                "lines[0].source_location_id",
                "this store's own stock is sold at the till; a pickup here comes from another location",
            ));
        }
        Ok(Counter { device, session, store, source })
    }

    /// The units the source keeps back from the tablet; a source closed to the tablet refuses.
    async fn tablet_buffer(&self, source: &LocationRow) -> AppResult<i64> {
        let allocations = self.store.list_channel_allocations_at(std::slice::from_ref(&source.id)).await?;
        match allocations.iter().find(|a| a.location_id == source.id && a.channel == Channel::Tablet) {
            Some(allocation) if !allocation.enabled => Err(AppError::invalid(
                "lines[0].source_location_id",
                format!("{} does not sell through the tablet channel now", source.name),
            )),
            Some(allocation) => Ok(allocation.safety_buffer),
            None => Ok(0),
        }
    }

    /// The promised pickup at `store`: its next opening day after today, as a local date and
    /// opening time in the store's site's time zone.
    async fn promised_pickup(&self, store: &LocationRow, now_ms: i64) -> AppResult<(Option<String>, Option<String>)> {
        let site: SiteRow = self.store.get_site(&store.site_id).await?.ok_or(AppError::NotFound("location"))?;
        // Hours stored by the console were validated when set; unreadable ones count as none.
        let hours = store.storefront.opening_hours_json.as_deref().and_then(|json| OpeningHours::parse(json).ok());
        let Some(promise) = promise_pickup_here(hours.as_ref(), local_time(&site.timezone, now_ms)) else {
            return Err(AppError::Conflict(format!("{} has no opening hours to promise a pickup", store.name)));
        };
        let utc = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
        let today = match site.timezone.parse::<chrono_tz::Tz>() {
            Ok(zone) => utc.with_timezone(&zone).date_naive(),
            Err(_) => utc.date_naive(),
        };
        let day = today + Duration::days(i64::from(promise.days_ahead));
        let date = format!("{:04}-{:02}-{:02}", day.year(), day.month(), day.day());
        Ok((Some(date), Some(hhmm(promise.opens_at_minute))))
    }
}

/// A pickup here: one transfer per held line, from the source to the store, each with its
/// `transfer_out` movement (the order's id as reference).
fn transfers_to_store(
    order: &omnicanal_store::NewOrder,
    counter: &Counter,
    caller: &Caller,
    now_ms: i64,
) -> Vec<(TransferRow, StockMovementRow)> {
    let lines = order.fulfillments.iter().flat_map(|part| part.lines.iter().filter(|line| line.track_stock));
    lines
        .enumerate()
        .map(|(index, line)| {
            let transfer = TransferRow {
                id: new_id("trf"),
                merchant_id: counter.source.merchant_id.clone(),
                sku: line.sku.clone(),
                from_location_id: counter.source.id.clone(),
                to_location_id: counter.store.id.clone(),
                quantity: line.quantity,
                status: TransferStatus::InTransit,
                created_by: Some(caller.id.clone()),
                created_at_ms: now_ms,
                received_at_ms: None,
            };
            let out = StockMovementRow {
                id: new_id("mov"),
                sku: line.sku.clone(),
                location_id: counter.source.id.clone(),
                merchant_id: counter.source.merchant_id.clone(),
                delta: -line.quantity,
                reason: MovementReason::TransferOut,
                reference: Some(order.order.id.clone()),
                channel: Some(Channel::Tablet),
                created_by: Some(caller.id.clone()),
                created_at_ms: now_ms,
                event_id: format!("{}-t{index}", order.event_id),
            };
            (transfer, out)
        })
        .collect()
}

/// The session's `pos.session_changed` for the cash an aisle order put in.
fn cash_in_event(session: &PosSessionRow, cash_minor: i64, order_id: &str, now_ms: i64) -> NewEvent {
    NewEvent {
        event_id: new_id("evt"),
        created_at_ms: now_ms,
        event: DomainEvent::PosSessionChanged(PosSessionChanged {
            session_id: session.id.clone(),
            merchant_id: session.merchant_id.clone(),
            location_id: session.location_id.clone(),
            device_id: session.device_id.clone(),
            action: SessionAction::CashIn,
            amount: Some(Money::new(cash_minor, session.currency)),
            reason: Some(format!("aisle order {order_id}")),
            expected_cash: None,
            counted_cash: None,
            difference: None,
        }),
    }
}
