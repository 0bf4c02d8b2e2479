//! Placing an order: price the cart, check what only the store knows (sold-out switches, the
//! pickup slot, the channel's allocation), authorise the card, and store the order with its
//! stock reservations in one transaction.
//!
//! Order of steps (why): everything that can refuse the order without touching money is
//! checked before the card is authorised, so a refusal reserves and charges nothing; the order,
//! its reservations, its coupon uses and the capture's payment job commit together, so a short
//! line leaves nothing behind; an authorisation the store then refuses is voided by a payment
//! job. Capture is never called inline: the payment worker carries out the job the order's
//! transaction queued.

use omnicanal_domain::Money;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pricing::promotion::NotAppliedReason;
use omnicanal_domain::site::hold_ttl_ms;
use omnicanal_store::{CouponRedemption, HeldClaim, NewOrder, OrderRecord, SiteRow};

use super::command::{Payment, PlaceOrder};
use super::new_order::{LocationHold, OrderDraft};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::payments::PaymentError;
use crate::pricing::cart::{PricedCart, SoldFrom};

impl App {
    /// Places an order across one or more locations of a site, paid once (public). The
    /// idempotency claim is linked to the order in its transaction (and refuses it if a retry
    /// took the claim over meanwhile).
    ///
    /// Any channel of the contract is accepted here, `phone` too (outside integrations place
    /// phone orders through this route); [`App::place_phone_order`] is the console's way, which
    /// also ties the order to the location whose staff took it.
    pub async fn place_order(&self, order: PlaceOrder, idempotency: Option<HeldClaim>) -> AppResult<OrderRecord> {
        self.place_checked_order(order, idempotency).await
    }

    /// Places an order whose channel its caller was allowed to name.
    pub(crate) async fn place_checked_order(
        &self,
        order: PlaceOrder,
        idempotency: Option<HeldClaim>,
    ) -> AppResult<OrderRecord> {
        let site = self
            .store
            .get_site(&order.cart.site_id)
            .await?
            .ok_or_else(|| AppError::invalid("site_id", "no such site"))?;
        let now_ms = self.now_ms();
        let priced = self.price_order(&site, &order, now_ms).await?;
        let redemptions = coupon_redemptions(&priced, order.cart.customer_key.as_deref())?;
        check_pay_at_pickup(&order.payment, &priced)?;
        if let Some(at_ms) = order.pickup_at_ms {
            self.check_pickup_slot(&site, &priced, at_ms, now_ms).await?;
        }
        let holds = self.order_location_holds(&site, &priced, &order.cart.channel).await?;
        let total = priced.quote.total;
        // Gift cards and store credit pay first; the card is authorised for the rest only.
        let credit = self.order_credit_shares(&order, &priced).await?;
        let credit_minor: i64 = credit.iter().map(|share| share.amount_minor).sum();
        let card_amount = Money::new(total.amount_minor - credit_minor, total.currency);
        let payment_reference = if card_amount.amount_minor > 0 {
            self.authorize_order_payment(&order.payment, card_amount).await?
        } else {
            None
        };
        let new_order = OrderDraft {
            order_id: order.fixed_order_id.clone().unwrap_or_else(|| new_id("ord")),
            order: &order,
            site: &site,
            priced: &priced,
            holds: &holds,
            redemptions,
            payment_reference,
            idempotency,
            now_ms,
            credit: &credit,
        }
        .into_new_order()?;
        self.store_new_order(&new_order, card_amount).await
    }

    /// Prices the cart, refuses a line switched to sold out, and keeps a named quote's prices.
    async fn price_order(&self, site: &SiteRow, order: &PlaceOrder, now_ms: i64) -> AppResult<PricedCart> {
        // A scheduled pickup may be ordered while the location is closed by its hours: the
        // time asked for is checked against them (`check_pickup_slot`).
        let sold_from = if order.pickup_at_ms.is_some() { SoldFrom::Ahead } else { SoldFrom::Afar };
        let mut priced = self.price_cart(site, &order.cart, now_ms, sold_from).await?;
        self.refuse_sold_out_lines(order, &priced).await?;
        if let Some(quote_id) = &order.quote_id {
            priced.quote = self.stored_quote(quote_id, &order.cart, now_ms).await?;
        }
        Ok(priced)
    }

    /// A line whose SKU its location switched to sold out refuses the order (`SoldOut` with the
    /// SKU, before the card is touched), so the customer's cart can mark that line.
    async fn refuse_sold_out_lines(&self, order: &PlaceOrder, priced: &PricedCart) -> AppResult<()> {
        let location_ids: Vec<String> = priced.locations.keys().cloned().collect();
        let switched_off = self.store.list_sold_out_at(&location_ids).await?;
        if switched_off.is_empty() {
            return Ok(());
        }
        // The first such line of the cart, so the answer does not depend on the reading order.
        let sold_out = order.cart.items.iter().find(|item| {
            switched_off.iter().any(|row| row.location_id == item.location_id.trim() && row.sku == item.sku.as_str())
        });
        match sold_out {
            Some(item) => Err(AppError::SoldOut { sku: item.sku.as_str().to_owned() }),
            None => Ok(()),
        }
    }

    /// How each location of the cart takes its part: its allocation for the channel (a
    /// location closed to the channel refuses the order) bounded by the site's acceptance
    /// limit ([`hold_ttl_ms`]). Locations with neither are left out: no buffer, no limit.
    async fn order_location_holds(
        &self,
        site: &SiteRow,
        priced: &PricedCart,
        channel: &Channel,
    ) -> AppResult<Vec<LocationHold>> {
        let location_ids: Vec<String> = priced.locations.keys().cloned().collect();
        let allocations = self.store.list_channel_allocations_at(&location_ids).await?;
        let mut holds = Vec::with_capacity(priced.locations.len());
        for location in priced.locations.values() {
            let allocation = allocations
                .iter()
                .find(|allocation| allocation.location_id == location.id && &allocation.channel == channel)
                .cloned();
            if allocation.as_ref().is_some_and(|allocation| !allocation.enabled) {
                return Err(AppError::invalid(
                    "channel",
                    format!("{} does not sell through the {channel} channel now", location.name),
                ));
            }
            let (safety_buffer, channel_ttl_ms) = allocation.map_or((0, None), |a| (a.safety_buffer, a.hold_ttl_ms));
            let ttl_ms = hold_ttl_ms(site.unaccepted_policy, site.accept_within_minutes, channel_ttl_ms);
            if safety_buffer != 0 || ttl_ms.is_some() {
                holds.push(LocationHold { location_id: location.id.clone(), safety_buffer, hold_ttl_ms: ttl_ms });
            }
        }
        Ok(holds)
    }

    /// Holds the total on the card through the app's provider; the provider's reference, or
    /// none for payment at pickup.
    async fn authorize_order_payment(&self, payment: &Payment, total: Money) -> AppResult<Option<String>> {
        let Payment::Card(card_number) = payment else { return Ok(None) };
        match self.payments.authorize(card_number.expose(), total).await {
            Ok(reference) => Ok(Some(reference)),
            Err(PaymentError::Declined) => Err(AppError::PaymentDeclined),
            Err(PaymentError::InvalidCard(message) | PaymentError::Refused(message)) => {
                Err(AppError::invalid("payment.card_number", message))
            }
            Err(PaymentError::Unavailable(message)) => Err(AppError::Unavailable(message)),
        }
    }

    /// Stores the order; when the store refuses it (short stock, a full slot, a used-up
    /// coupon, a gift card or store credit spent meanwhile), the card's hold is released by a
    /// queued void. The capture was queued by the
    /// order's own transaction, so the workers are woken.
    async fn store_new_order(&self, new_order: &NewOrder, total: Money) -> AppResult<OrderRecord> {
        match self.store.place_order(new_order).await {
            Ok(stored) => {
                self.committed();
                Ok(stored)
            }
            Err(error) => {
                if let Some(reference) = &new_order.order.payment_reference {
                    self.queue_void(&new_order.order.id, reference, total).await;
                }
                Err(error.into())
            }
        }
    }
}

/// The coupon uses to count. A code that does not exist is invalid, one that is used up or
/// limited to known customers is refused: the customer expected the discount, so the order is
/// not placed without it. (A valid coupon whose promotion does not fit the cart, such as an
/// unmet minimum, is explained in the quote and the order goes ahead.)
fn coupon_redemptions(priced: &PricedCart, customer_key: Option<&str>) -> AppResult<Vec<CouponRedemption>> {
    let mut redemptions = Vec::new();
    for (index, outcome) in priced.quote.coupons.iter().enumerate() {
        match &outcome.reason {
            Some(NotAppliedReason::UnknownCoupon) => {
                return Err(AppError::invalid(
                    format!("coupon_codes[{index}]"),
                    format!("no coupon has the code {}", outcome.code),
                ));
            }
            Some(NotAppliedReason::CustomerUnknown) => {
                return Err(AppError::invalid(
                    "customer.email",
                    format!("coupon {} is limited per customer: give an email or phone", outcome.code),
                ));
            }
            Some(
                reason @ (NotAppliedReason::CouponLimitReached
                | NotAppliedReason::CustomerLimitReached
                | NotAppliedReason::Inactive),
            ) => {
                return Err(AppError::CouponUnavailable { code: outcome.code.clone(), reason: reason.message() });
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

/// Payment at pickup needs every location of the cart to accept it.
fn check_pay_at_pickup(payment: &Payment, priced: &PricedCart) -> AppResult<()> {
    if payment.method() == PaymentMethod::PayAtPickup
        && let Some(location) = priced.locations.values().find(|location| !location.pay_at_pickup)
    {
        return Err(AppError::invalid(
            "payment.method",
            format!("{} does not accept payment at pickup", location.name),
        ));
    }
    Ok(())
}
