//! Placing an order: validate and price the lines, authorise the card, store the
//! order with its stock reservations in one transaction, then capture.
//!
//! Order of steps (why): the card is authorised before stock is touched so a
//! decline reserves nothing; the order and its reservations commit together so a
//! short line leaves nothing behind; the hold is voided if the store refuses, and
//! captured only once the order is durable.

use std::collections::HashMap;

use omnicanal_domain::catalog::{MAX_LINES_PER_ORDER, Name, Quantity, Sku};
use omnicanal_domain::order::{PricedLine, build_order, pickup_code};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{FulfillmentRecord, LineRow, LocationRow, NewOrder, OrderRecord, OrderRow, StoreError};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::idempotency::IdempotencyClaim;
use crate::ids::{new_id, new_token, now_ms, random_u32};
use crate::payments::PaymentError;
use crate::state::AppState;
use crate::validate::{Validator, vetted};
use crate::views::CustomerView;

/// One line of a new order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrderLineRequest {
    /// SKU sold by the location's merchant.
    pub sku: String,
    /// Where it is picked up.
    pub location_id: String,
    /// 1 to 9999.
    pub quantity: i64,
}

/// How the customer pays.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PaymentRequest {
    /// `card` or `pay_at_pickup`.
    pub method: String,
    /// Card number, for `card`.
    pub card_number: Option<String>,
}

/// A new order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlaceOrder {
    /// The site (mall) the order is placed at.
    pub site_id: String,
    /// `qr`, `web`, `pos`, `phone`, `kiosk`, `tablet` or `shop:<connector>`.
    pub channel: String,
    /// Who picks it up.
    pub customer: CustomerView,
    /// 1 to 200 lines, across any of the site's locations.
    pub lines: Vec<OrderLineRequest>,
    /// Pickup time (RFC 3339); as soon as possible when absent.
    pub pickup_at: Option<String>,
    /// Payment.
    pub payment: PaymentRequest,
}

/// Channels an order may come through, besides `shop:<connector>`.
pub const CHANNELS: [&str; 6] = ["qr", "web", "pos", "phone", "kiosk", "tablet"];

/// True for the channels an order may come through.
pub fn valid_channel(channel: &str) -> bool {
    CHANNELS.contains(&channel)
        || channel.strip_prefix("shop:").is_some_and(|connector| {
            !connector.is_empty()
                && connector.len() <= 64
                && connector.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}

/// Places an order as described in the module docs.
pub async fn place_order(
    state: &AppState,
    request: PlaceOrder,
    claim: Option<IdempotencyClaim>,
) -> ApiResult<OrderRecord> {
    if request.lines.len() > MAX_LINES_PER_ORDER {
        return Err(ApiError::invalid("lines", format!("an order may have at most {MAX_LINES_PER_ORDER} lines")));
    }
    let mut v = Validator::new();
    let site = state.store.get_site(&request.site_id).await?;
    if site.is_none() {
        v.push("site_id", "no such site");
    }
    if !valid_channel(&request.channel) {
        v.push("channel", "must be qr, web, pos, phone, kiosk, tablet or shop:<connector>");
    }
    v.check("customer.name", Name::parse("customer.name", &request.customer.name));
    let method = v.check("payment.method", PaymentMethod::parse(&request.payment.method));
    let pickup_at = match &request.pickup_at {
        Some(raw) => match chrono::DateTime::parse_from_rfc3339(raw) {
            Ok(time) => Some(time.to_rfc3339()),
            Err(_) => {
                v.push("pickup_at", "must be an RFC 3339 time with offset");
                None
            }
        },
        None => None,
    };
    if request.lines.is_empty() {
        v.push("lines", "an order needs at least one line");
    }
    v.finish()?;
    let site = vetted(site)?;
    let currency: Currency = site.currency.parse()?;
    let method = vetted(method)?;
    let lines = price_lines(state, &site.id, currency, &request.lines).await?;
    if method == PaymentMethod::PayAtPickup
        && let Some(location) = lines.locations.values().find(|l| !l.pay_at_pickup)
    {
        return Err(ApiError::invalid(
            "payment.method",
            format!("{} does not accept payment at pickup", location.name),
        ));
    }
    let allocations = channel_allocations(state, &lines.locations, &request.channel).await?;
    let draft = build_order(currency, lines.priced)?;
    let reference = match method {
        PaymentMethod::Card => Some(authorize(state, request.payment.card_number.as_deref(), draft.total).await?),
        PaymentMethod::PayAtPickup => None,
    };
    let now = now_ms();
    let order_id = new_id("ord");
    let captured = if method == PaymentMethod::Card { draft.total.amount_minor } else { 0 };
    let new_order = NewOrder {
        order: OrderRow {
            id: order_id.clone(),
            number: 0,
            site_id: site.id,
            channel: request.channel,
            customer_name: request.customer.name.trim().to_owned(),
            customer_phone: request.customer.phone,
            customer_email: request.customer.email,
            tracking_token: new_token(),
            currency: currency.code().to_owned(),
            total_minor: draft.total.amount_minor,
            payment_method: method.as_str().to_owned(),
            payment_reference: reference.clone(),
            captured_minor: captured,
            refunded_minor: 0,
            outstanding_minor: draft.total.amount_minor - captured,
            pickup_at,
            created_at_ms: now,
        },
        fulfillments: draft
            .fulfillments
            .into_iter()
            .map(|part| FulfillmentRecord {
                hold_expires_at_ms: allocations
                    .iter()
                    .find(|(location, _, _)| *location == part.location_id)
                    .and_then(|(_, _, ttl)| *ttl)
                    .map(|ttl| now + ttl),
                id: new_id("ful"),
                order_id: order_id.clone(),
                merchant_id: part.merchant_id,
                location_id: part.location_id,
                status: "placed".into(),
                pickup_code: pickup_code(random_u32()),
                subtotal_minor: part.subtotal.amount_minor,
                currency: currency.code().to_owned(),
                captured_minor: if method == PaymentMethod::Card { part.subtotal.amount_minor } else { 0 },
                refunded_minor: 0,
                reason: None,
                created_at_ms: now,
                updated_at_ms: now,
                lines: part
                    .lines
                    .into_iter()
                    .map(|line| LineRow {
                        sku: line.sku.as_str().to_owned(),
                        quantity: line.quantity.get(),
                        unit_price_minor: line.unit_price.amount_minor,
                        total_minor: line.total.amount_minor,
                        track_stock: line.track_stock,
                    })
                    .collect(),
            })
            .collect(),
        event_id: new_id("evt"),
        idempotency: claim.map(|claim| (claim.scope, claim.key)),
        safety_buffers: allocations.iter().map(|(location, buffer, _)| (location.clone(), *buffer)).collect(),
    };
    let stored = match state.store.place_order(&new_order).await {
        Ok(stored) => stored,
        Err(error) => {
            if let Some(reference) = &reference {
                void_quietly(state, reference).await;
            }
            return Err(match error {
                StoreError::InsufficientStock { sku } => ApiError::InsufficientStock { sku },
                other => other.into(),
            });
        }
    };
    state.wake_dispatcher();
    if let Some(reference) = &reference
        && let Err(error) = state.payments.capture(reference).await
    {
        // The order is stored and the hold exists; capture is retried by the provider's
        // own settlement of authorisations. Log it for the support queue.
        tracing::error!(order_id = %stored.order.id, %error, "capture failed after the order was stored");
    }
    Ok(stored)
}

/// (location, units kept back from `channel`, hold time-to-live) for each location with an
/// allocation; a location closed to the channel refuses the order.
async fn channel_allocations(
    state: &AppState,
    locations: &HashMap<String, LocationRow>,
    channel: &str,
) -> ApiResult<Vec<(String, i64, Option<i64>)>> {
    let mut buffers = Vec::with_capacity(locations.len());
    for location in locations.values() {
        let allocations = state.store.list_channel_allocations(&location.id).await?;
        match allocations.into_iter().find(|allocation| allocation.channel == channel) {
            Some(allocation) if !allocation.enabled => {
                return Err(ApiError::invalid(
                    "channel",
                    format!("{} does not sell through the {channel} channel now", location.name),
                ));
            }
            Some(allocation) => buffers.push((location.id.clone(), allocation.safety_buffer, allocation.hold_ttl_ms)),
            None => {}
        }
    }
    Ok(buffers)
}

async fn authorize(state: &AppState, card_number: Option<&str>, total: Money) -> ApiResult<String> {
    let card_number = card_number
        .filter(|number| !number.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("payment.card_number", "required when paying by card"))?;
    state.payments.authorize(card_number, total).await.map_err(|error| match error {
        PaymentError::Declined => ApiError::PaymentDeclined,
        PaymentError::InvalidCard(message) => ApiError::invalid("payment.card_number", message),
        PaymentError::Unavailable(message) => ApiError::Internal(message.into()),
    })
}

async fn void_quietly(state: &AppState, reference: &str) {
    if let Err(error) = state.payments.void(reference).await {
        tracing::warn!(%error, "could not void an authorisation; it will lapse on its own");
    }
}

struct PricedLines {
    priced: Vec<PricedLine>,
    locations: HashMap<String, LocationRow>,
}

/// Looks up each line's location and variant; reports every bad line at once.
async fn price_lines(
    state: &AppState,
    site_id: &str,
    currency: Currency,
    lines: &[OrderLineRequest],
) -> ApiResult<PricedLines> {
    let mut v = Validator::new();
    let mut locations: HashMap<String, Option<LocationRow>> = HashMap::new();
    let mut priced = Vec::with_capacity(lines.len());
    let mut unknown_sku = None;
    for (index, line) in lines.iter().enumerate() {
        let sku = v.check(&format!("lines[{index}].sku"), Sku::parse(&line.sku));
        let quantity = v.check(&format!("lines[{index}].quantity"), Quantity::parse(line.quantity));
        if !locations.contains_key(&line.location_id) {
            let location = state.store.get_location(&line.location_id).await?.filter(|l| l.site_id == site_id);
            locations.insert(line.location_id.clone(), location);
        }
        let Some(Some(location)) = locations.get(&line.location_id) else {
            v.push(format!("lines[{index}].location_id"), "no such location at this site");
            continue;
        };
        if !location.is_open {
            v.push(format!("lines[{index}].location_id"), format!("{} is not taking orders now", location.name));
        }
        let (Some(sku), Some(quantity)) = (sku, quantity) else {
            continue;
        };
        match state.store.find_variant(&location.merchant_id, sku.as_str()).await? {
            None => {
                unknown_sku.get_or_insert_with(|| (sku.as_str().to_owned(), format!("lines[{index}].sku")));
                v.push(format!("lines[{index}].sku"), format!("{} does not sell {sku}", location.name));
            }
            Some((variant, track_stock)) => {
                if variant.currency != currency.code() {
                    v.push(
                        format!("lines[{index}].sku"),
                        format!("priced in {}, the site sells in {currency}", variant.currency),
                    );
                    continue;
                }
                priced.push(PricedLine {
                    sku,
                    location_id: location.id.clone(),
                    merchant_id: location.merchant_id.clone(),
                    quantity,
                    unit_price: Money::new(variant.price_minor, currency),
                    track_stock,
                });
            }
        }
    }
    if let Some((sku, field)) = unknown_sku
        && v.len() == 1
    {
        return Err(ApiError::UnknownSku { sku, field });
    }
    v.finish()?;
    Ok(PricedLines { priced, locations: locations.into_iter().filter_map(|(id, l)| l.map(|l| (id, l))).collect() })
}
