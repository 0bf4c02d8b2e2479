//! The web shop's checkout: the customer's lines, pickup in a chosen store or delivery to an
//! address, card or payment at pickup — placed as an ordinary order through
//! [`App::place_order`], so holds, payment jobs, pickup codes and notifications are exactly
//! those of every other order.
//!
//! Where it is placed (why one location): an order is placed at one site with a part per
//! location, and a shop's stores and warehouses sit at different sites (malls, streets,
//! cities). Pickup: the chosen store, which must be a store of this shop able to promise every
//! line — the units are reserved **there**; a store closed now by its hours takes the order for
//! its next opening (`pickup_at` is the promised ready time). Delivery: the first location that can
//! promise every line, warehouses first (they exist to serve the web), then the stores.

use omnicanal_domain::catalog::{MAX_LINES_PER_ORDER, Quantity, Sku};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::delivery::DeliveryAddress;
use omnicanal_store::{HeldClaim, OrderRecord};

use super::shop::{Shop, ShopLocation, ShopStock};
use crate::App;
use crate::error::{AppError, AppResult, FieldError};
use crate::ordering::command::{OrderInput, PlaceOrder};
use crate::ordering::phone::{DeliveryAddressInput, PhoneFulfilment, delivery_of};
use crate::pricing::cart::LineInput;
use crate::validation::Validator;

/// A checkout as sent.
#[derive(Debug, Clone, Default)]
pub struct ShopCheckoutInput {
    /// `pickup` or `delivery`.
    pub fulfilment: String,
    /// The store, for a pickup.
    pub location_id: Option<String>,
    /// The address, for a delivery.
    pub delivery_address: Option<DeliveryAddressInput>,
    /// Lines (SKU and quantity; `location_id` is decided here, whatever was sent).
    pub lines: Vec<LineInput>,
    /// Who orders.
    pub customer_name: String,
    /// E-mail, for the receipt (and, later, the customer's account).
    pub customer_email: Option<String>,
    /// Phone, for notices.
    pub customer_phone: Option<String>,
    /// `card` or `pay_at_pickup`.
    pub payment_method: String,
    /// Card number, for `card`.
    pub card_number: Option<String>,
    /// Coupon codes.
    pub coupon_codes: Vec<String>,
    /// A gift card spent as part payment (issue 17 point 8).
    pub gift_card_code: Option<String>,
    /// Whether the signed-in customer's store credit is spent as part payment.
    pub store_credit: bool,
}

/// How the order reaches the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopFulfilment {
    /// Picked up at this store.
    Pickup {
        /// The store.
        location_id: String,
    },
    /// Delivered to this address.
    Delivery(DeliveryAddress),
}

/// A checkout, checked: the order (its site and locations filled in when placed) and how it
/// reaches the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopOrder {
    /// The order, with the customer, lines and payment checked.
    pub order: PlaceOrder,
    /// Pickup or delivery.
    pub fulfilment: ShopFulfilment,
}

impl ShopOrder {
    /// Parses a checkout, reporting every bad field at once (the order's fields as
    /// `POST /orders` names them, `fulfilment`, `location_id`, `delivery_address.*`).
    pub fn parse(input: ShopCheckoutInput) -> AppResult<Self> {
        let mut errors: Vec<FieldError> = Vec::new();
        let pickup = input.fulfilment.trim() == "pickup";
        let fulfilment = match delivery_of(PhoneFulfilment {
            fulfilment: Some(input.fulfilment.clone()),
            delivery_address: input.delivery_address,
        }) {
            Ok(Some(address)) => Some(ShopFulfilment::Delivery(address)),
            Ok(None) if pickup => match input.location_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty()) {
                Some(location_id) => Some(ShopFulfilment::Pickup { location_id }),
                None => {
                    errors.push(FieldError {
                        field: "location_id".into(),
                        message: "choose the store to pick up at".into(),
                    });
                    None
                }
            },
            Ok(None) => {
                errors.push(FieldError { field: "fulfilment".into(), message: "must be pickup or delivery".into() });
                None
            }
            Err(problems) => {
                errors.extend(problems);
                None
            }
        };
        let order_input = OrderInput {
            site_id: String::new(),
            channel: Channel::Web.to_string(),
            customer_name: input.customer_name,
            customer_phone: input.customer_phone,
            customer_email: input.customer_email,
            lines: input.lines.into_iter().map(|line| LineInput { location_id: String::new(), ..line }).collect(),
            payment_method: input.payment_method,
            card_number: input.card_number,
            coupon_codes: input.coupon_codes,
            gift_card_code: input.gift_card_code,
            store_credit: input.store_credit,
            ..OrderInput::default()
        };
        let order = match PlaceOrder::parse(order_input) {
            Ok(order) => Some(order),
            Err(AppError::Invalid(order_errors)) => {
                errors.extend(order_errors);
                None
            }
            Err(other) => return Err(other),
        };
        match (order, fulfilment) {
            (Some(order), Some(fulfilment)) if errors.is_empty() => Ok(Self { order, fulfilment }),
            _ => Err(AppError::Invalid(errors)),
        }
    }

    /// (SKU, quantity) per SKU of the order, quantities of repeated lines added up.
    fn wanted(&self) -> Vec<(String, i64)> {
        let mut wanted: Vec<(String, i64)> = Vec::new();
        for item in &self.order.cart.items {
            let sku = item.sku.as_str();
            match wanted.iter_mut().find(|(seen, _)| seen == sku) {
                Some((_, quantity)) => *quantity += item.quantity.get(),
                None => wanted.push((sku.to_owned(), item.quantity.get())),
            }
        }
        wanted
    }
}

/// The open locations a delivery may come from, warehouses first (they hold the web's stock;
/// stores keep theirs for walk-ins), each kind by name.
fn delivery_candidates(shop: &Shop) -> Vec<&ShopLocation> {
    let mut candidates: Vec<&ShopLocation> = shop.locations.iter().filter(|entry| entry.open).collect();
    candidates.sort_by_key(|entry| entry.kind.offers_pickup());
    candidates
}

/// The first delivery candidate that can promise every line.
fn delivery_source<'a>(shop: &'a Shop, stock: &ShopStock, wanted: &[(String, i64, bool)]) -> Option<&'a ShopLocation> {
    delivery_candidates(shop).into_iter().find(|entry| stock.promises_all(&entry.location.id, wanted))
}

impl App {
    /// The stores of the shop that can promise every (SKU, quantity) of `lines` for pickup now,
    /// and the location a delivery would come from (none: no one location holds it all).
    /// Every bad SKU or quantity is reported at once; unknown SKUs are refused as the order
    /// would be.
    pub async fn webshop_fulfilment_options(
        &self,
        shop_key: &str,
        lines: &[(String, i64)],
    ) -> AppResult<(Shop, Vec<ShopLocation>, Option<ShopLocation>)> {
        let mut v = Validator::new();
        if lines.is_empty() || lines.len() > MAX_LINES_PER_ORDER {
            v.push("lines", format!("a cart needs 1 to {MAX_LINES_PER_ORDER} lines"));
        }
        for (index, (sku, quantity)) in lines.iter().enumerate() {
            v.check(&format!("lines[{index}].sku"), Sku::parse(sku));
            v.check(&format!("lines[{index}].quantity"), Quantity::parse(*quantity));
        }
        v.finish()?;
        let shop = self.webshop(shop_key).await?;
        let wanted = self.webshop_tracked_lines(&shop, lines).await?;
        let stock = self.webshop_stock(&shop).await?;
        let pickup: Vec<ShopLocation> =
            shop.pickup_stores().filter(|entry| stock.promises_all(&entry.location.id, &wanted)).cloned().collect();
        let delivery = delivery_source(&shop, &stock, &wanted).cloned();
        Ok((shop, pickup, delivery))
    }

    /// Places a web shop order (public): at the chosen store for a pickup, at the first
    /// location that can promise it all for a delivery. A store that is not this shop's (or is
    /// a warehouse) is invalid `location_id`; a line no suitable location can promise is
    /// `InsufficientStock` with its SKU, nothing reserved or charged.
    pub async fn place_webshop_order(
        &self,
        shop_key: &str,
        mut checkout: ShopOrder,
        idempotency: Option<HeldClaim>,
    ) -> AppResult<OrderRecord> {
        let shop = self.webshop(shop_key).await?;
        let requested: Vec<(String, i64)> = checkout.wanted();
        let wanted = self.webshop_tracked_lines(&shop, &requested).await?;
        let stock = self.webshop_stock(&shop).await?;
        let source = match &checkout.fulfilment {
            ShopFulfilment::Pickup { location_id } => {
                let store = shop
                    .location(location_id)
                    .filter(|entry| entry.kind.offers_pickup())
                    .ok_or_else(|| AppError::invalid("location_id", "not a store of this shop"))?;
                if !store.open {
                    // Closed now by its hours: ordered for its next opening, the promised time
                    // checked by the ordering use case as any scheduled pickup.
                    let ready_at_ms = store.pickup_ready_at_ms.ok_or_else(|| {
                        AppError::invalid("location_id", format!("{} is not taking orders now", store.location.name))
                    })?;
                    checkout.order.pickup_at_ms = Some(ready_at_ms);
                }
                store
            }
            // No one location holds it all: the open location first in line is named, and the
            // check below refuses the order with the first SKU short there.
            ShopFulfilment::Delivery(_) => delivery_source(&shop, &stock, &wanted)
                .or_else(|| delivery_candidates(&shop).into_iter().next())
                .ok_or(AppError::NotFound("shop"))?,
        };
        if let Some((sku, _, _)) =
            wanted.iter().find(|(sku, quantity, tracked)| *tracked && stock.at(&source.location.id, sku) < *quantity)
        {
            return Err(AppError::InsufficientStock { sku: sku.clone() });
        }
        checkout.order.cart.site_id = source.location.site_id.clone();
        checkout.order.cart.channel = Channel::Web;
        for item in &mut checkout.order.cart.items {
            item.location_id = source.location.id.clone();
        }
        checkout.order.delivery = match checkout.fulfilment {
            ShopFulfilment::Delivery(address) => Some(address),
            ShopFulfilment::Pickup { .. } => None,
        };
        self.place_order(checkout.order, idempotency).await
    }

    /// `lines` with whether each SKU's stock is counted; a SKU the shop does not sell is
    /// `UnknownSku` (its line's field).
    async fn webshop_tracked_lines(&self, shop: &Shop, lines: &[(String, i64)]) -> AppResult<Vec<(String, i64, bool)>> {
        let mut tracked = Vec::with_capacity(lines.len());
        for (index, (sku, quantity)) in lines.iter().enumerate() {
            let found = self.store.find_variant(&shop.merchant.id, sku).await?;
            // A variant switched off is not sold here, as if the shop did not have it.
            let Some((_, track_stock)) = found.filter(|_| !shop.inactive_skus.contains(sku)) else {
                return Err(AppError::UnknownSku { sku: sku.clone(), field: format!("lines[{index}].sku") });
            };
            tracked.push((sku.clone(), *quantity, track_stock));
        }
        Ok(tracked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ShopCheckoutInput {
        ShopCheckoutInput {
            fulfilment: "pickup".into(),
            location_id: Some("loc".into()),
            lines: vec![LineInput { sku: "POL-M-AZ".into(), quantity: 1, ..LineInput::default() }],
            customer_name: "Ana".into(),
            payment_method: "card".into(),
            card_number: Some("4242424242424242".into()),
            ..ShopCheckoutInput::default()
        }
    }

    fn fields(result: AppResult<ShopOrder>) -> Vec<String> {
        match result {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn a_checkout_reports_its_fulfilment_and_order_fields_together() {
        assert!(ShopOrder::parse(input()).is_ok());
        let bad = ShopCheckoutInput {
            location_id: None,
            customer_name: " ".into(),
            lines: vec![LineInput { sku: "POL".into(), quantity: 0, ..LineInput::default() }],
            ..input()
        };
        assert_eq!(fields(ShopOrder::parse(bad)), ["location_id", "customer.name", "lines[0].quantity"]);
        let no_address = ShopCheckoutInput { fulfilment: "delivery".into(), ..input() };
        assert_eq!(fields(ShopOrder::parse(no_address)), ["delivery_address"]);
        let drone = ShopCheckoutInput { fulfilment: "drone".into(), ..input() };
        assert_eq!(fields(ShopOrder::parse(drone)), ["fulfilment"]);
    }
}
