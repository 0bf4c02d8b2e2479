//! Placing an order: validate and price the lines, authorise the card, store the
//! order with its stock reservations in one transaction, then capture.
//!
//! Order of steps (why): the card is authorised before stock is touched so a
//! decline reserves nothing; the order and its reservations commit together so a
//! short line leaves nothing behind; the hold is voided if the store refuses, and
//! captured only once the order is durable.

use std::collections::HashMap;

use omnicanal_domain::catalog::{MAX_LINES_PER_ORDER, Name};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::order::DocumentKind;
use omnicanal_domain::order::pickup_code;
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pricing::Quote;
use omnicanal_domain::pricing::promotion::NotAppliedReason;
use omnicanal_domain::site::UnacceptedPolicy;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{
    CouponRedemption, FulfillmentRecord, LinePricing, LineRow, LocationRow, NewOrder, OrderRecord, OrderRow,
    PartPricing, StoreError,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::idempotency::IdempotencyClaim;
use crate::ids::{new_id, new_token, now_ms, random_u32};
use crate::pricing::{self, CartRequest, PricedCart, cart_fingerprint, customer_key};
use crate::state::AppState;
use crate::views::{ChoiceView, CustomerView};
use omnicanal_app::validation::{Validator, vetted};
use omnicanal_app::{AppError, PaymentError};

/// One line of a new order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrderLineRequest {
    /// SKU sold by the location's merchant.
    pub sku: String,
    /// Where it is picked up.
    pub location_id: String,
    /// 1 to 9999.
    pub quantity: i64,
    /// Choices among the product's modifier groups (size, extras), checked against the catalog.
    #[serde(default)]
    pub modifiers: Vec<ChoiceView>,
    /// A note for the kitchen ("sin cebolla"), up to 140 characters.
    #[serde(default)]
    pub note: Option<String>,
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
    /// Coupon codes the customer entered (at most 10).
    #[serde(default)]
    pub coupon_codes: Option<Vec<String>>,
    /// The table the customer orders from (a QR poster's `?table=`): 1 to 20 characters, printed
    /// on the kitchen ticket so the food can be brought over.
    #[serde(default)]
    pub table: Option<String>,
    /// A quote from `POST /api/v1/pricing/quote` for this very cart: its prices are honoured
    /// until it expires, even if prices change meanwhile.
    #[serde(default)]
    pub quote_id: Option<String>,
}

/// Longest table label an order may carry.
pub const MAX_TABLE_CHARS: usize = 20;

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
    if let Some(tax_id) = &request.customer.tax_id
        && (tax_id.trim().is_empty() || tax_id.chars().count() > 32)
    {
        v.push("customer.tax_id", "must be 1 to 32 characters");
    }
    let table_label = request.table.as_deref().map(str::trim).filter(|table| !table.is_empty()).map(str::to_owned);
    if table_label
        .as_ref()
        .is_some_and(|table| table.chars().count() > MAX_TABLE_CHARS || table.chars().any(char::is_control))
    {
        v.push("table", format!("must be 1 to {MAX_TABLE_CHARS} printable characters"));
    }
    let method = v.check("payment.method", PaymentMethod::parse(&request.payment.method));
    let pickup_at = match &request.pickup_at {
        Some(raw) => match chrono::DateTime::parse_from_rfc3339(raw) {
            Ok(time) => Some(time.with_timezone(&chrono::Utc)),
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
    let currency: Currency = site.currency;
    let method = vetted(method)?;
    let now = now_ms();
    let customer_key = customer_key(request.customer.email.as_deref(), request.customer.phone.as_deref());
    let coupon_codes = request.coupon_codes.clone().unwrap_or_default();
    let cart = CartRequest {
        site: &site,
        channel: &request.channel,
        lines: &request.lines,
        coupon_codes: &coupon_codes,
        customer_key: customer_key.as_deref(),
        now_ms: now,
    };
    let mut priced = pricing::price(state, cart).await?;
    check_sold_out(state, &request.lines, &priced.locations).await?;
    if let Some(quote_id) = &request.quote_id {
        priced.quote = quoted(state, quote_id, &cart_fingerprint(&cart), now).await?;
    }
    let redemptions = redemptions(&priced, customer_key.as_deref())?;
    if method == PaymentMethod::PayAtPickup
        && let Some(location) = priced.locations.values().find(|l| !l.pay_at_pickup)
    {
        return Err(ApiError::invalid(
            "payment.method",
            format!("{} does not accept payment at pickup", location.name),
        ));
    }
    if let Some(pickup_at) = pickup_at {
        check_pickup_slot(state, &site, &priced, pickup_at, now).await?;
    }
    let pickup_at = pickup_at.map(|time| time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let mut allocations = channel_allocations(state, &priced.locations, &request.channel).await?;
    if let Some(minutes) = site.accept_within_minutes.filter(|_| site.unaccepted_policy != UnacceptedPolicy::NotifyOnly)
    {
        // The site's promise: a part not accepted in time is cancelled and refunded (the hold
        // lapses). Under `notify_only` the part stays and the customer is told instead
        // (`workers::notifications`), so the limit must not end the hold.
        for location in priced.locations.keys() {
            match allocations.iter_mut().find(|(id, _, _)| id == location) {
                Some((_, _, ttl)) => *ttl = Some(ttl.map_or(minutes * 60_000, |ttl| ttl.min(minutes * 60_000))),
                None => allocations.push((location.clone(), 0, Some(minutes * 60_000))),
            }
        }
    }
    let quote = &priced.quote;
    let total = quote.total;
    let reference = match method {
        PaymentMethod::Card => Some(authorize(state, request.payment.card_number.as_deref(), total).await?),
        PaymentMethod::PayAtPickup => None,
    };
    let order_id = new_id("ord");
    let captured = if method == PaymentMethod::Card { total.amount_minor } else { 0 };
    let quote_json = serde_json::to_string(quote).map_err(|error| AppError::Internal(Box::new(error)))?;
    let customer_tax_id = request.customer.tax_id.as_ref().map(|id| id.trim().to_owned());
    let new_order = NewOrder {
        order: OrderRow {
            id: order_id.clone(),
            number: 0,
            site_id: site.id,
            channel: Channel::parse(&request.channel)?,
            customer_name: request.customer.name.trim().to_owned(),
            customer_phone: request.customer.phone,
            customer_email: request.customer.email,
            tracking_token: new_token(),
            currency,
            total_minor: total.amount_minor,
            payment_method: method,
            payment_reference: reference.clone(),
            captured_minor: captured,
            refunded_minor: 0,
            outstanding_minor: total.amount_minor - captured,
            pickup_at,
            customer_tax_id: customer_tax_id.clone(),
            table_label,
            quote_json: Some(quote_json),
            created_at_ms: now,
        },
        fulfillments: quote
            .parts
            .iter()
            .map(|part| FulfillmentRecord {
                hold_expires_at_ms: allocations
                    .iter()
                    .find(|(location, _, _)| *location == part.location_id)
                    .and_then(|(_, _, ttl)| *ttl)
                    .map(|ttl| now + ttl),
                id: new_id("ful"),
                order_id: order_id.clone(),
                merchant_id: part.merchant_id.clone(),
                location_id: part.location_id.clone(),
                status: FulfillmentStatus::Placed,
                pickup_code: pickup_code(random_u32()),
                subtotal_minor: part.subtotal.amount_minor,
                currency,
                captured_minor: if method == PaymentMethod::Card { part.subtotal.amount_minor } else { 0 },
                refunded_minor: 0,
                reason: None,
                created_at_ms: now,
                updated_at_ms: now,
                pricing: PartPricing {
                    gross_minor: Some(part.gross.amount_minor),
                    discount_minor: part.discount.amount_minor,
                    merchant_funded_minor: part.merchant_funded.amount_minor,
                    operator_funded_minor: part.operator_funded.amount_minor,
                    document_kind: None,
                    document_number: None,
                },
                preparation: Default::default(),
                lines: quote
                    .lines
                    .iter()
                    .filter(|line| line.location_id == part.location_id)
                    .map(|line| LineRow {
                        sku: line.sku.clone(),
                        quantity: line.quantity,
                        unit_price_minor: line.unit_price.amount_minor,
                        total_minor: line.total.amount_minor,
                        track_stock: line.track_stock,
                        pricing: LinePricing {
                            name: priced.names.get(&(line.location_id.clone(), line.sku.clone())).cloned(),
                            gross_minor: Some(line.gross.amount_minor),
                            discount_minor: line.discount.amount_minor,
                            tax_code: line.tax.code.clone(),
                            tax_rate_bps: i64::from(line.tax.rate_bps),
                            tax_minor: line.tax.amount.amount_minor,
                            modifiers_json: (!line.modifiers.is_empty())
                                .then(|| serde_json::to_string(&line.modifiers).unwrap_or_default()),
                            note: line.note.clone(),
                        },
                    })
                    .collect(),
            })
            .collect(),
        event_id: new_id("evt"),
        idempotency: claim.map(|claim| (claim.scope, claim.key)),
        safety_buffers: allocations.iter().map(|(location, buffer, _)| (location.clone(), *buffer)).collect(),
        redemptions,
        document_kind: DocumentKind::for_customer(customer_tax_id.is_some()),
    };
    let stored = match state.store.place_order(&new_order).await {
        Ok(stored) => stored,
        Err(error) => {
            if let Some(reference) = &reference {
                state.app.queue_void(&order_id, reference, total).await;
            }
            return Err(match error {
                StoreError::InsufficientStock { sku } => AppError::InsufficientStock { sku }.into(),
                other => other.into(),
            });
        }
    };
    // The order's transaction queued the capture as a payment job; the worker carries it out.
    state.wake_dispatcher();
    Ok(stored)
}

/// A line whose SKU its location switched to sold out refuses the order (409 `sold_out` with the
/// SKU, before the card is touched), so the customer's cart can mark that line.
async fn check_sold_out(
    state: &AppState,
    lines: &[OrderLineRequest],
    locations: &HashMap<String, LocationRow>,
) -> ApiResult<()> {
    for location_id in locations.keys() {
        let switched_off = state.store.list_sold_out(location_id).await?;
        if switched_off.is_empty() {
            continue;
        }
        let sold_out = lines.iter().find(|line| {
            line.location_id.trim() == location_id && switched_off.iter().any(|row| row.sku == line.sku.trim())
        });
        if let Some(line) = sold_out {
            return Err(AppError::SoldOut { sku: line.sku.trim().to_owned() }.into());
        }
    }
    Ok(())
}

/// A scheduled pickup must be far enough ahead for every part's preparation, inside every
/// location's hours, and in a slot with room at each location. The room checked here only
/// spares a card authorisation for a slot already full; the place itself is taken atomically
/// by `Store::place_order` (a slot filled meanwhile is the same 409, and nothing is written).
async fn check_pickup_slot(
    state: &AppState,
    site: &omnicanal_store::SiteRow,
    priced: &PricedCart,
    pickup_at: chrono::DateTime<chrono::Utc>,
    now: i64,
) -> ApiResult<()> {
    let at_ms = pickup_at.timestamp_millis();
    if at_ms > now + 7 * 24 * 3_600_000 {
        return Err(ApiError::invalid("pickup_at", "must be within the next 7 days"));
    }
    let slot = crate::storefront::slot_start(pickup_at);
    let slot_end = slot + chrono::Duration::minutes(crate::storefront::SLOT_MINUTES);
    let (from, to) = (slot.timestamp_millis(), slot_end.timestamp_millis());
    for location in priced.locations.values() {
        if at_ms < now + location.storefront.prep_minutes * 60_000 {
            return Err(ApiError::invalid(
                "pickup_at",
                format!("{} needs {} minutes to prepare the order", location.name, location.storefront.prep_minutes),
            ));
        }
        if !crate::storefront::within_hours(location, &site.timezone, pickup_at) {
            return Err(ApiError::invalid("pickup_at", format!("{} is closed at that time", location.name)));
        }
        if let Some(capacity) = location.storefront.slot_capacity
            && state.store.count_pickups(&location.id, from, to).await? >= capacity
        {
            return Err(AppError::Conflict(format!(
                "{} has no room left in that pickup slot; choose another",
                location.name
            ))
            .into());
        }
    }
    Ok(())
}

/// The stored quote `quote_id`, if it is for this very cart and has not expired.
async fn quoted(state: &AppState, quote_id: &str, fingerprint: &str, now: i64) -> ApiResult<Quote> {
    let row = state
        .store
        .get_quote(quote_id)
        .await?
        .ok_or_else(|| ApiError::invalid("quote_id", "no such quote; ask for a new one"))?;
    if row.request_hash != fingerprint {
        return Err(ApiError::invalid(
            "quote_id",
            "the quote was made for another cart (lines, channel, coupons or customer differ)",
        ));
    }
    if row.expires_at_ms <= now {
        return Err(AppError::QuoteExpired { expired_at: crate::ids::rfc3339(row.expires_at_ms) }.into());
    }
    serde_json::from_str(&row.quote_json).map_err(|error| AppError::Internal(Box::new(error)).into())
}

/// The coupon uses to count. A code that does not exist is a 422, one that is used up or
/// limited to known customers a 409 or 422: the customer expected the discount, so the order
/// is not placed without it. (A valid coupon whose promotion does not fit the cart, such as an
/// unmet minimum, is explained in the quote and the order goes ahead.)
fn redemptions(priced: &PricedCart, customer_key: Option<&str>) -> ApiResult<Vec<CouponRedemption>> {
    let mut redemptions = Vec::new();
    for (index, outcome) in priced.quote.coupons.iter().enumerate() {
        match &outcome.reason {
            Some(NotAppliedReason::UnknownCoupon) => {
                return Err(ApiError::invalid(
                    format!("coupon_codes[{index}]"),
                    format!("no coupon has the code {}", outcome.code),
                ));
            }
            Some(NotAppliedReason::CustomerUnknown) => {
                return Err(ApiError::invalid(
                    "customer.email",
                    format!("coupon {} is limited per customer: give an email or phone", outcome.code),
                ));
            }
            Some(
                reason @ (NotAppliedReason::CouponLimitReached
                | NotAppliedReason::CustomerLimitReached
                | NotAppliedReason::Inactive),
            ) => {
                return Err(AppError::CouponUnavailable { code: outcome.code.clone(), reason: reason.message() }.into());
            }
            _ => {}
        }
        if outcome.applied
            && let Some(coupon) = priced.coupons.iter().find(|coupon| coupon.code == outcome.code)
        {
            redemptions.push(CouponRedemption {
                coupon_id: coupon.id.clone(),
                code: coupon.code.clone(),
                customer_key: customer_key.map(str::to_owned),
            });
        }
    }
    Ok(redemptions)
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
        match allocations.into_iter().find(|allocation| allocation.channel.as_str() == channel) {
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
    state.app.payments().authorize(card_number, total).await.map_err(|error| match error {
        PaymentError::Declined => AppError::PaymentDeclined.into(),
        PaymentError::InvalidCard(message) | PaymentError::Refused(message) => {
            ApiError::invalid("payment.card_number", message)
        }
        PaymentError::Unavailable(message) => AppError::Unavailable(message).into(),
    })
}
