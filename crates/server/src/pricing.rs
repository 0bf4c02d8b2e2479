//! Pricing a cart for any channel: loads what the pure engine needs (variants, merchants,
//! price lists, promotions, coupons), validates every line, and calls
//! [`omnicanal_domain::pricing::price_cart`]. The quote route and order placement both come
//! through here, so the same cart gets the same price whichever way it arrives.

use std::collections::{BTreeMap, HashMap};

use omnicanal_domain::catalog::{MAX_LINES_PER_ORDER, MerchantKind, Quantity, Sku};
use omnicanal_domain::modifiers::{Choice, ModifierGroup, choose, note};
use omnicanal_domain::pricing::promotion::normalize_code;
use omnicanal_domain::pricing::tax::tax_rate;
use omnicanal_domain::pricing::{CartLine, CouponState, PricingContext, Promotion, Quote, price_cart};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{CouponRow, LocationRow, MerchantRow, SiteRow};

use omnicanal_app::local_time::local_time;
use omnicanal_app::price_book::engine_price_lists;

use crate::error::{ApiError, ApiResult};
use crate::ids::sha256_hex;
use crate::ordering::OrderLineRequest;
use crate::state::AppState;
use crate::storefront::{LocationState, location_state};
use omnicanal_app::AppError;
use omnicanal_app::validation::Validator;

/// Most coupon codes one cart may carry.
pub const MAX_COUPON_CODES: usize = 10;

/// A priced cart with what placement needs besides the quote.
#[derive(Debug)]
pub struct PricedCart {
    /// The engine's result.
    pub quote: Quote,
    /// The cart's locations by id.
    pub locations: HashMap<String, LocationRow>,
    /// Product names by (location, SKU), printed on receipts.
    pub names: HashMap<(String, String), String>,
    /// The coupons found for the codes entered.
    pub coupons: Vec<CouponRow>,
}

/// What a cart is, as the customer sent it.
#[derive(Debug, Clone, Copy)]
pub struct CartRequest<'a> {
    /// The site.
    pub site: &'a SiteRow,
    /// The channel.
    pub channel: &'a str,
    /// The lines.
    pub lines: &'a [OrderLineRequest],
    /// Coupon codes as typed.
    pub coupon_codes: &'a [String],
    /// The customer's normalised e-mail or phone, for per-customer coupon limits.
    pub customer_key: Option<&'a str>,
    /// The instant of pricing.
    pub now_ms: i64,
}

/// The key per-customer coupon limits count by: the e-mail in lower case, else the phone's digits.
pub fn customer_key(email: Option<&str>, phone: Option<&str>) -> Option<String> {
    let email = email.map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty());
    let phone = phone.map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>()).filter(|p| !p.is_empty());
    email.map(|e| format!("email:{e}")).or_else(|| phone.map(|p| format!("phone:{p}")))
}

/// A fingerprint of the cart (lines merged and sorted, codes normalised), to match a quote to an order.
pub fn cart_fingerprint(cart: &CartRequest<'_>) -> String {
    let mut lines: BTreeMap<(&str, &str, String), i64> = BTreeMap::new();
    for line in cart.lines {
        let mut choices: Vec<String> = line.modifiers.iter().map(|c| format!("{}={}", c.group, c.option)).collect();
        choices.sort();
        let signature = format!("{}|{}", choices.join(";"), line.note.as_deref().unwrap_or("").trim());
        let quantity = lines.entry((line.location_id.as_str(), line.sku.trim(), signature)).or_default();
        *quantity = quantity.saturating_add(line.quantity);
    }
    let mut codes: Vec<String> =
        cart.coupon_codes.iter().map(|c| normalize_code(c)).filter(|c| !c.is_empty()).collect();
    codes.sort();
    codes.dedup();
    let canonical = serde_json::json!({
        "site": cart.site.id,
        "channel": cart.channel,
        "lines": lines.iter().map(|((location, sku, choices), quantity)| (location, sku, choices, quantity)).collect::<Vec<_>>(),
        "coupons": codes,
        "customer": cart.customer_key,
    });
    sha256_hex(canonical.to_string().as_bytes())
}

/// Validates and prices a cart; reports every bad line at once.
pub async fn price(state: &AppState, cart: CartRequest<'_>) -> ApiResult<PricedCart> {
    if cart.lines.len() > MAX_LINES_PER_ORDER {
        return Err(ApiError::invalid("lines", format!("an order may have at most {MAX_LINES_PER_ORDER} lines")));
    }
    let site = cart.site;
    let currency: Currency = site.currency;
    let country = site.country;
    let mut v = Validator::new();
    if cart.lines.is_empty() {
        v.push("lines", "an order needs at least one line");
    }
    if cart.coupon_codes.len() > MAX_COUPON_CODES {
        v.push("coupon_codes", format!("at most {MAX_COUPON_CODES} codes"));
    }
    for (index, code) in cart.coupon_codes.iter().enumerate() {
        let code = code.trim();
        if code.is_empty() || code.chars().count() > 64 {
            v.push(format!("coupon_codes[{index}]"), "must be 1 to 64 characters");
        }
    }
    let mut locations: HashMap<String, Option<LocationRow>> = HashMap::new();
    let mut merchants: HashMap<String, MerchantRow> = HashMap::new();
    let mut names = HashMap::new();
    let mut lines = Vec::with_capacity(cart.lines.len());
    let mut unknown_sku = None;
    for (index, line) in cart.lines.iter().enumerate() {
        let sku = v.check(&format!("lines[{index}].sku"), Sku::parse(&line.sku));
        let quantity = v.check(&format!("lines[{index}].quantity"), Quantity::parse(line.quantity));
        if !locations.contains_key(&line.location_id) {
            let location = state.store.get_location(&line.location_id).await?.filter(|l| l.site_id == site.id);
            locations.insert(line.location_id.clone(), location);
        }
        let Some(Some(location)) = locations.get(&line.location_id) else {
            v.push(format!("lines[{index}].location_id"), "no such location at this site");
            continue;
        };
        match location_state(location, &site.timezone, cart.now_ms) {
            LocationState::Open => {}
            LocationState::Paused { until } => v.push(
                format!("lines[{index}].location_id"),
                format!("{} is paused (too busy) until {until}", location.name),
            ),
            LocationState::Closed { .. } => {
                v.push(format!("lines[{index}].location_id"), format!("{} is not taking orders now", location.name))
            }
        }
        if !merchants.contains_key(&location.merchant_id)
            && let Some(merchant) = state.store.get_merchant(&location.merchant_id).await?
        {
            merchants.insert(merchant.id.clone(), merchant);
        }
        let is_restaurant = merchants.get(&location.merchant_id).is_some_and(|m| m.kind == MerchantKind::Restaurant);
        let (Some(sku), Some(quantity)) = (sku, quantity) else {
            continue;
        };
        match state.store.find_sellable(&location.merchant_id, sku.as_str()).await? {
            None => {
                unknown_sku.get_or_insert_with(|| (sku.as_str().to_owned(), format!("lines[{index}].sku")));
                v.push(format!("lines[{index}].sku"), format!("{} does not sell {sku}", location.name));
            }
            Some(sellable) => {
                if sellable.variant.currency != currency {
                    v.push(
                        format!("lines[{index}].sku"),
                        format!("priced in {}, the site sells in {currency}", sellable.variant.currency),
                    );
                    continue;
                }
                let category = sellable.tax_category;
                let groups: Vec<ModifierGroup> = sellable
                    .modifiers_json
                    .as_deref()
                    .and_then(|json| serde_json::from_str(json).ok())
                    .unwrap_or_default();
                let field = format!("lines[{index}]");
                let (Some(modifiers), Some(note)) = (
                    v.check(
                        &format!("{field}.modifiers"),
                        choose(&groups, &line.modifiers.iter().map(Choice::from).collect::<Vec<_>>(), &field),
                    ),
                    v.check(&format!("{field}.note"), note(line.note.as_deref(), &field)),
                ) else {
                    continue;
                };
                names.insert((location.id.clone(), sku.as_str().to_owned()), sellable.product_name.clone());
                lines.push(CartLine {
                    sku,
                    location_id: location.id.clone(),
                    merchant_id: location.merchant_id.clone(),
                    quantity,
                    base_price: Money::new(sellable.variant.price_minor, currency),
                    tax: tax_rate(country, is_restaurant, category),
                    track_stock: sellable.track_stock,
                    modifiers,
                    note,
                });
            }
        }
    }
    if let Some((sku, field)) = unknown_sku
        && v.len() == 1
    {
        return Err(AppError::UnknownSku { sku, field }.into());
    }
    v.finish()?;
    let merchant_ids: Vec<String> = merchants.keys().cloned().collect();
    let price_lists = engine_price_lists(state.store.active_price_lists(&merchant_ids).await?);
    let promotions: Vec<Promotion> = state
        .store
        .active_promotions(&site.id, &merchant_ids)
        .await?
        .into_iter()
        .filter_map(|row| match serde_json::from_str::<Promotion>(&row.definition_json) {
            Ok(promotion) => Some(promotion),
            Err(error) => {
                tracing::error!(promotion_id = %row.id, %error, "a stored promotion could not be read; it is skipped");
                None
            }
        })
        .collect();
    let codes: Vec<String> = cart.coupon_codes.iter().map(|c| normalize_code(c)).collect();
    let found = state.store.find_coupons(&codes, cart.customer_key).await?;
    let coupon_states: Vec<CouponState> = found
        .iter()
        .map(|(coupon, used_by_customer)| CouponState {
            code: coupon.code.clone(),
            promotion_id: coupon.promotion_id.clone(),
            usage_limit: coupon.usage_limit,
            used: coupon.used,
            per_customer_limit: coupon.per_customer_limit,
            used_by_customer: *used_by_customer,
            active: coupon.active,
        })
        .collect();
    let context = PricingContext {
        currency,
        channel: cart.channel,
        now_ms: cart.now_ms,
        local: local_time(&site.timezone, cart.now_ms),
        price_lists: &price_lists,
        promotions: &promotions,
        coupon_codes: cart.coupon_codes,
        coupons: &coupon_states,
    };
    let quote = price_cart(&context, lines)?;
    Ok(PricedCart {
        quote,
        locations: locations.into_iter().filter_map(|(id, l)| l.map(|l| (id, l))).collect(),
        names,
        coupons: found.into_iter().map(|(coupon, _)| coupon).collect(),
    })
}
