//! Pricing a cart: the lines a cart is made of, checked once where the request is parsed, and
//! the loading of what the pure engine needs (variants, merchants, price lists, promotions,
//! coupons) before [`omnicanal_domain::pricing::price_cart`] is called.
//!
//! A quote (`App::quote_cart`) and order placement (`App::place_order`) both price through
//! here, so the same cart gets the same price whichever way it arrives. This module knows
//! nothing of placing orders: placement builds on a priced cart, never the other way round.
//!
//! Limits: at most [`MAX_LINES_PER_ORDER`] lines and [`MAX_COUPON_CODES`] coupon codes per cart.

use std::collections::{BTreeMap, HashMap};

use omnicanal_domain::Money;
use omnicanal_domain::catalog::{MAX_LINES_PER_ORDER, MerchantKind, Quantity, Sku};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::modifiers::{Choice, ModifierGroup, choose, note};
use omnicanal_domain::pricing::promotion::normalize_code;
use omnicanal_domain::pricing::tax::tax_rate;
use omnicanal_domain::pricing::{CartLine, CouponState, PricingContext, Promotion, Quote, price_cart};
use omnicanal_store::{CouponRow, LocationRow, MerchantRow, SellableRow, SiteRow};

use super::catalog_reads::{CatalogReads, StoreReads};
use crate::App;
use crate::catalog::storefront::{LocationState, location_state};
use crate::error::{AppError, AppResult};
use crate::ids::sha256_hex;
use crate::local_time::local_time;
use crate::price_book::engine_price_lists;
use crate::validation::Validator;

/// Most coupon codes one cart may carry.
pub const MAX_COUPON_CODES: usize = 10;
/// Longest coupon code accepted, in characters.
pub const MAX_COUPON_CODE_CHARS: usize = 64;

/// One line of a cart as the customer sent it, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct LineInput {
    /// SKU as typed.
    pub sku: String,
    /// Where it is picked up.
    pub location_id: String,
    /// Units asked for.
    pub quantity: i64,
    /// Choices among the product's modifier groups (checked against the catalogue when priced).
    pub choices: Vec<Choice>,
    /// A note for the kitchen.
    pub note: Option<String>,
}

/// One line of a cart, checked: a valid SKU, 1 to 9 999 units and a one-line note. Whether the
/// location sells the SKU, and whether the choices fit its modifier groups, is decided when the
/// cart is priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartItem {
    /// What is bought.
    pub sku: Sku,
    /// Where it is picked up (as sent: it is looked up at the cart's site).
    pub location_id: String,
    /// How many.
    pub quantity: Quantity,
    /// Choices as sent.
    pub choices: Vec<Choice>,
    /// The note, trimmed (none when empty).
    pub note: Option<String>,
    /// A cashier's manual discount (the till only; checked against its limits by the sale).
    pub manual_discount: Option<omnicanal_domain::pricing::ManualDiscount>,
}

impl CartItem {
    fn check(index: usize, line: LineInput, v: &mut Validator) -> Option<Self> {
        let field = format!("lines[{index}]");
        let sku = v.check(&format!("{field}.sku"), Sku::parse(&line.sku));
        let quantity = v.check(&format!("{field}.quantity"), Quantity::parse(line.quantity));
        let note = v.check(&format!("{field}.note"), note(line.note.as_deref(), &field));
        Some(Self {
            sku: sku?,
            quantity: quantity?,
            note: note?,
            location_id: line.location_id,
            choices: line.choices,
            manual_discount: None,
        })
    }
}

/// A cart to price: the site, the channel, checked lines, the coupon codes as typed and the
/// customer's key for per-customer coupon limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cart {
    /// The site (looked up when priced).
    pub site_id: String,
    /// The channel it comes through.
    pub channel: Channel,
    /// 1 to [`MAX_LINES_PER_ORDER`] lines.
    pub items: Vec<CartItem>,
    /// Codes as typed (each 1 to 64 characters).
    pub coupon_codes: Vec<String>,
    /// See [`customer_key`].
    pub customer_key: Option<String>,
}

impl Cart {
    /// Parses a cart to quote, reporting every bad field at once.
    pub fn parse(
        site_id: String,
        channel: &str,
        lines: Vec<LineInput>,
        coupon_codes: Vec<String>,
        customer_key: Option<String>,
    ) -> AppResult<Self> {
        check_line_count(lines.len())?;
        let mut v = Validator::new();
        let channel = v.check("channel", Channel::parse(channel));
        let cart = Self::check(site_id, channel, lines, coupon_codes, customer_key, &mut v);
        v.done(|| cart)
    }

    /// Checks the lines and codes into `v`; the cart when nothing in it was wrong.
    pub(crate) fn check(
        site_id: String,
        channel: Option<Channel>,
        lines: Vec<LineInput>,
        coupon_codes: Vec<String>,
        customer_key: Option<String>,
        v: &mut Validator,
    ) -> Option<Self> {
        if lines.is_empty() {
            v.push("lines", "an order needs at least one line");
        }
        if coupon_codes.len() > MAX_COUPON_CODES {
            v.push("coupon_codes", format!("at most {MAX_COUPON_CODES} codes"));
        }
        for (index, code) in coupon_codes.iter().enumerate() {
            let code = code.trim();
            if code.is_empty() || code.chars().count() > MAX_COUPON_CODE_CHARS {
                v.push(format!("coupon_codes[{index}]"), format!("must be 1 to {MAX_COUPON_CODE_CHARS} characters"));
            }
        }
        let items: Vec<Option<CartItem>> =
            lines.into_iter().enumerate().map(|(index, line)| CartItem::check(index, line, v)).collect();
        let items = items.into_iter().collect::<Option<Vec<_>>>()?;
        Some(Self { site_id, channel: channel?, items, coupon_codes, customer_key })
    }

    /// A fingerprint of the cart (lines merged and sorted, codes normalised), to match a stored
    /// quote to the order that names it.
    pub fn fingerprint(&self) -> String {
        let mut lines: BTreeMap<(&str, &str, String), i64> = BTreeMap::new();
        for item in &self.items {
            let mut choices: Vec<String> = item.choices.iter().map(|c| format!("{}={}", c.group, c.option)).collect();
            choices.sort();
            let signature = format!("{}|{}", choices.join(";"), item.note.as_deref().unwrap_or(""));
            let quantity = lines.entry((item.location_id.as_str(), item.sku.as_str(), signature)).or_default();
            *quantity = quantity.saturating_add(item.quantity.get());
        }
        let mut codes: Vec<String> =
            self.coupon_codes.iter().map(|code| normalize_code(code)).filter(|code| !code.is_empty()).collect();
        codes.sort();
        codes.dedup();
        let canonical = serde_json::json!({
            "site": self.site_id,
            "channel": self.channel.as_str(),
            "lines": lines.iter().map(|((location, sku, choices), quantity)| (location, sku, choices, quantity)).collect::<Vec<_>>(),
            "coupons": codes,
            "customer": self.customer_key,
        });
        sha256_hex(canonical.to_string().as_bytes())
    }
}

/// More lines than an order may have is refused alone, before anything else is checked.
pub(crate) fn check_line_count(lines: usize) -> AppResult<()> {
    if lines > MAX_LINES_PER_ORDER {
        return Err(AppError::invalid("lines", format!("an order may have at most {MAX_LINES_PER_ORDER} lines")));
    }
    Ok(())
}

/// The key per-customer coupon limits count by: the e-mail in lower case, else the phone's digits.
pub fn customer_key(email: Option<&str>, phone: Option<&str>) -> Option<String> {
    let email = email.map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty());
    let phone = phone.map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>()).filter(|p| !p.is_empty());
    email.map(|e| format!("email:{e}")).or_else(|| phone.map(|p| format!("phone:{p}")))
}

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

/// A cart's lines as the store knows them.
struct CartCatalog {
    /// The cart's locations that are at the site, by id.
    locations: HashMap<String, LocationRow>,
    /// Their merchants, by id.
    merchants: HashMap<String, MerchantRow>,
    /// The variants sold, by (merchant, SKU).
    sellables: HashMap<(String, String), SellableRow>,
}

/// What the lines of a cart turned into while they were checked against the store.
#[derive(Default)]
struct CheckedLines {
    locations: HashMap<String, Option<LocationRow>>,
    merchants: HashMap<String, MerchantRow>,
    names: HashMap<(String, String), String>,
    lines: Vec<CartLine>,
    /// The first SKU no location sells, with its field: alone, it is an `UnknownSku`.
    unknown_sku: Option<(String, String)>,
}

/// Where a cart is sold from, which decides whether opening hours and the kitchen's pause
/// apply. Only the till's own use case says `Counter`: the channel a request names proves
/// nothing (anyone may send `channel: "pos"` to the public routes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SoldFrom {
    /// A customer orders from afar: the location must be open and not paused.
    Afar,
    /// Staff sell at the counter whenever they are there to sell.
    Counter,
    /// A customer orders from afar for a scheduled pickup: a location closed now by its hours
    /// (one that opens again) is accepted, since the pickup time is checked against its hours.
    Ahead,
}

impl App {
    /// Prices `cart` at `site` at `now_ms`, checking every line against the catalogue; reports
    /// every bad line at once (a single unknown SKU as `UnknownSku`).
    pub(crate) async fn price_cart(
        &self,
        site: &SiteRow,
        cart: &Cart,
        now_ms: i64,
        sold_from: SoldFrom,
    ) -> AppResult<PricedCart> {
        self.price_cart_again(site, cart, now_ms, sold_from, &[]).await
    }

    /// [`Self::price_cart`] for a purchase already placed with the coupons `own_uses`: their
    /// use by that purchase (one overall, one by its customer) is not counted against their
    /// limits, so re-pricing a changed order does not refuse the coupon it already used.
    pub(crate) async fn price_cart_again(
        &self,
        site: &SiteRow,
        cart: &Cart,
        now_ms: i64,
        sold_from: SoldFrom,
        own_uses: &[String],
    ) -> AppResult<PricedCart> {
        self.price_cart_from(&StoreReads(self.store.as_ref()), site, cart, now_ms, sold_from, own_uses).await
    }

    /// [`Self::price_cart_again`] reading the catalog through `reads` (order placement reads
    /// its node's snapshot).
    pub(crate) async fn price_cart_from(
        &self,
        reads: &dyn CatalogReads,
        site: &SiteRow,
        cart: &Cart,
        now_ms: i64,
        sold_from: SoldFrom,
        own_uses: &[String],
    ) -> AppResult<PricedCart> {
        let mut v = Validator::new();
        let checked = self.check_cart_lines(reads, site, cart, now_ms, sold_from, &mut v).await?;
        if let Some((sku, field)) = checked.unknown_sku
            && v.len() == 1
        {
            return Err(AppError::UnknownSku { sku, field });
        }
        v.finish()?;
        let merchant_ids: Vec<String> = checked.merchants.keys().cloned().collect();
        let price_lists = engine_price_lists(reads.price_lists(&merchant_ids).await?);
        let promotions = promotions_from(reads, &site.id, &merchant_ids).await?;
        let codes: Vec<String> = cart.coupon_codes.iter().map(|code| normalize_code(code)).collect();
        let found = self.store.find_coupons(&codes, cart.customer_key.as_deref()).await?;
        let coupon_states: Vec<CouponState> = found
            .iter()
            .map(|(coupon, used)| {
                let mut state = coupon_state(coupon, *used);
                if own_uses.contains(&coupon.code) {
                    state.used = (state.used - 1).max(0);
                    state.used_by_customer = state.used_by_customer.map(|used| (used - 1).max(0));
                }
                state
            })
            .collect();
        let channel = cart.channel.as_str();
        let context = PricingContext {
            currency: site.currency,
            channel: &channel,
            now_ms,
            local: local_time(&site.timezone, now_ms),
            price_lists: &price_lists,
            promotions: &promotions,
            coupon_codes: &cart.coupon_codes,
            coupons: &coupon_states,
        };
        let quote = price_cart(&context, checked.lines)?;
        Ok(PricedCart {
            quote,
            locations: checked.locations.into_iter().filter_map(|(id, l)| l.map(|l| (id, l))).collect(),
            names: checked.names,
            coupons: found.into_iter().map(|(coupon, _)| coupon).collect(),
        })
    }

    /// Looks every line up: its location at the site (and whether it takes orders now), its
    /// merchant, and the variant it sells with its modifier groups.
    async fn check_cart_lines(
        &self,
        reads: &dyn CatalogReads,
        site: &SiteRow,
        cart: &Cart,
        now_ms: i64,
        sold_from: SoldFrom,
        v: &mut Validator,
    ) -> AppResult<CheckedLines> {
        let catalog = cart_catalog(reads, site, cart).await?;
        let mut checked = CheckedLines { merchants: catalog.merchants, ..CheckedLines::default() };
        for (index, item) in cart.items.iter().enumerate() {
            let field = format!("lines[{index}]");
            let location = catalog.locations.get(&item.location_id).cloned();
            checked.locations.insert(item.location_id.clone(), location.clone());
            let Some(location) = location else {
                v.push(format!("{field}.location_id"), "no such location at this site");
                continue;
            };
            let state = if sold_from == SoldFrom::Counter {
                LocationState::Open
            } else {
                location_state(&location, &site.timezone, now_ms)
            };
            match state {
                LocationState::Open => {}
                LocationState::Paused { until } => v.push(
                    format!("{field}.location_id"),
                    format!("{} is paused (too busy) until {until}", location.name),
                ),
                LocationState::Closed { opens_at: Some(_) } if sold_from == SoldFrom::Ahead => {}
                LocationState::Closed { .. } => {
                    v.push(format!("{field}.location_id"), format!("{} is not taking orders now", location.name))
                }
            }
            let key = (location.merchant_id.clone(), item.sku.as_str().to_owned());
            match catalog.sellables.get(&key).cloned() {
                None => {
                    let sku = item.sku.as_str().to_owned();
                    checked.unknown_sku.get_or_insert_with(|| (sku.clone(), format!("{field}.sku")));
                    v.push(format!("{field}.sku"), format!("{} does not sell {sku}", location.name));
                }
                // An archived product is off every menu; a crafted order may not bring it back,
                // but a till's queued offline sale of it must still be recorded.
                Some(sellable) if sellable.archived && sold_from != SoldFrom::Counter => {
                    v.push(format!("{field}.sku"), format!("{} no longer sells {}", location.name, item.sku.as_str()));
                }
                Some(sellable) => checked.add_line(site, &location, item, sellable, &field, v),
            }
        }
        Ok(checked)
    }
}

impl App {
    /// The promotions that may apply at the site for these merchants; one that cannot be read
    /// is logged and skipped, so a bad row never stops every sale.
    pub(crate) async fn cart_promotions(&self, site_id: &str, merchant_ids: &[String]) -> AppResult<Vec<Promotion>> {
        promotions_from(&StoreReads(self.store.as_ref()), site_id, merchant_ids).await
    }
}

/// What the store knows of a cart's lines, read in three queries whatever the cart's size:
/// its locations at this site, their merchants, and the variants they sell.
async fn cart_catalog(reads: &dyn CatalogReads, site: &SiteRow, cart: &Cart) -> AppResult<CartCatalog> {
    let mut location_ids: Vec<String> = cart.items.iter().map(|item| item.location_id.clone()).collect();
    location_ids.sort_unstable();
    location_ids.dedup();
    let locations: HashMap<String, LocationRow> = reads
        .locations(&location_ids)
        .await?
        .into_iter()
        .filter(|location| location.site_id == site.id)
        .map(|location| (location.id.clone(), location))
        .collect();
    let mut merchant_ids: Vec<String> = locations.values().map(|location| location.merchant_id.clone()).collect();
    merchant_ids.sort_unstable();
    merchant_ids.dedup();
    let merchants: HashMap<String, MerchantRow> =
        reads.merchants(&merchant_ids).await?.into_iter().map(|m| (m.id.clone(), m)).collect();
    let mut wanted: Vec<(String, String)> = cart
        .items
        .iter()
        .filter_map(|item| {
            locations.get(&item.location_id).map(|l| (l.merchant_id.clone(), item.sku.as_str().to_owned()))
        })
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let sellables = reads
        .sellables(&wanted)
        .await?
        .into_iter()
        .map(|sellable| ((sellable.variant.merchant_id.clone(), sellable.variant.sku.clone()), sellable))
        .collect();
    Ok(CartCatalog { locations, merchants, sellables })
}

/// [`App::cart_promotions`] read through `reads`.
async fn promotions_from(
    reads: &dyn CatalogReads,
    site_id: &str,
    merchant_ids: &[String],
) -> AppResult<Vec<Promotion>> {
    let rows = reads.promotions(site_id, merchant_ids).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| match serde_json::from_str::<Promotion>(&row.definition_json) {
            Ok(promotion) => Some(promotion),
            Err(error) => {
                tracing::error!(promotion_id = %row.id, %error, "a stored promotion could not be read; it is skipped");
                None
            }
        })
        .collect())
}

impl CheckedLines {
    /// Adds the engine's line for a variant the location sells, once its currency and the
    /// customer's choices check out.
    fn add_line(
        &mut self,
        site: &SiteRow,
        location: &LocationRow,
        item: &CartItem,
        sellable: SellableRow,
        field: &str,
        v: &mut Validator,
    ) {
        let currency = site.currency;
        if sellable.variant.currency != currency {
            v.push(
                format!("{field}.sku"),
                format!("priced in {}, the site sells in {currency}", sellable.variant.currency),
            );
            return;
        }
        let groups: Vec<ModifierGroup> =
            sellable.modifiers_json.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default();
        let Some(modifiers) = v.check(&format!("{field}.modifiers"), choose(&groups, &item.choices, field)) else {
            return;
        };
        let is_restaurant =
            self.merchants.get(&location.merchant_id).is_some_and(|merchant| merchant.kind == MerchantKind::Restaurant);
        self.names.insert((location.id.clone(), item.sku.as_str().to_owned()), sellable.product_name);
        self.lines.push(CartLine {
            sku: item.sku.clone(),
            location_id: location.id.clone(),
            merchant_id: location.merchant_id.clone(),
            quantity: item.quantity,
            base_price: Money::new(sellable.variant.price_minor, currency),
            tax: tax_rate(site.country, is_restaurant, sellable.tax_category),
            track_stock: sellable.track_stock,
            modifiers,
            note: item.note.clone(),
            manual_discount: item.manual_discount,
        });
    }
}

fn coupon_state(coupon: &CouponRow, used_by_customer: Option<i64>) -> CouponState {
    CouponState {
        code: coupon.code.clone(),
        promotion_id: coupon.promotion_id.clone(),
        usage_limit: coupon.usage_limit,
        used: coupon.used,
        per_customer_limit: coupon.per_customer_limit,
        used_by_customer,
        active: coupon.active,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(sku: &str, location: &str, quantity: i64) -> LineInput {
        LineInput { sku: sku.into(), location_id: location.into(), quantity, ..LineInput::default() }
    }

    fn cart(lines: Vec<LineInput>, codes: &[&str]) -> AppResult<Cart> {
        Cart::parse("site_1".into(), "qr", lines, codes.iter().map(|c| (*c).to_owned()).collect(), None)
    }

    fn fields(error: AppError) -> Vec<String> {
        match error {
            AppError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn every_bad_field_of_a_cart_is_reported_at_once() {
        let lines = vec![line(" ", "loc", 0), line("OK-1", "loc", 1)];
        let error = Cart::parse("s".into(), "fax", lines, vec!["".into()], None).err();
        assert_eq!(
            error.map(fields),
            Some(vec![
                "channel".to_owned(),
                "coupon_codes[0]".to_owned(),
                "lines[0].sku".to_owned(),
                "lines[0].quantity".to_owned()
            ])
        );
        assert_eq!(cart(vec![], &[]).err().map(fields), Some(vec!["lines".to_owned()]));
        let too_many = (0..=MAX_LINES_PER_ORDER).map(|_| line("A", "loc", 1)).collect();
        assert_eq!(cart(too_many, &[]).err().map(fields), Some(vec!["lines".to_owned()]));
    }

    #[test]
    fn the_fingerprint_ignores_line_order_split_lines_and_code_case() -> AppResult<()> {
        let one = cart(vec![line("A", "loc", 2), line("B", "loc", 1)], &["promo", "PROMO"])?;
        let other = cart(vec![line("B", "loc", 1), line("A", "loc", 1), line(" A ", "loc", 1)], &[" Promo "])?;
        assert_eq!(one.fingerprint(), other.fingerprint());
        let more = cart(vec![line("A", "loc", 3), line("B", "loc", 1)], &["PROMO"])?;
        assert_ne!(one.fingerprint(), more.fingerprint());
        Ok(())
    }

    #[test]
    fn customers_are_keyed_by_email_else_phone_digits() {
        assert_eq!(customer_key(Some(" Ana@X.cl "), Some("+56 9")), Some("email:ana@x.cl".into()));
        assert_eq!(customer_key(Some(""), Some("+56 9 1234")), Some("phone:5691234".into()));
        assert_eq!(customer_key(None, Some("n/a")), None);
    }
}
