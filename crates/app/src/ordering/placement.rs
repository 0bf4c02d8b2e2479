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
//!
//! The catalog is read from the node's snapshot (`pricing::snapshot`), checked current by the
//! order's own transaction: no catalog read costs a query while the catalog stands still.

use omnicanal_domain::Money;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pricing::promotion::NotAppliedReason;
use omnicanal_domain::site::hold_ttl_ms;
use omnicanal_store::{CouponRedemption, HeldClaim, OrderRecord, SiteRow, StoreError};

use super::command::{Payment, PlaceOrder};
use super::new_order::{LocationHold, OrderDraft};
use crate::App;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::payments::PaymentError;
use crate::pricing::cart::{PricedCart, SoldFrom};
use crate::pricing::catalog_reads::{CatalogReads, StoreReads};
use crate::pricing::snapshot::SnapshotReads;

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
    ///
    /// Priced from the node's catalog snapshot; when the order's transaction finds the catalog
    /// moved on meanwhile (`CatalogChanged`), or a refusal judged from the snapshot meets a
    /// newer generation, the snapshot is refreshed and the order priced again — the last
    /// attempt from rows read for it alone, so it always ends. An
    /// authorisation already taken is kept for the next attempt when the amount is the same,
    /// and voided otherwise or when the order ends refused.
    pub(crate) async fn place_checked_order(
        &self,
        order: PlaceOrder,
        idempotency: Option<HeldClaim>,
    ) -> AppResult<OrderRecord> {
        let order_id = order.fixed_order_id.clone().unwrap_or_else(|| new_id("ord"));
        let mut carried: Option<Authorisation> = None;
        for attempt in 1..=PLACEMENT_ATTEMPTS {
            let snapshot = if attempt < PLACEMENT_ATTEMPTS {
                match self.catalog.reads(self.store.as_ref()).await {
                    Ok(snapshot) => Some(snapshot),
                    Err(error) => return Err(self.void_carried(&order_id, carried, error.into()).await),
                }
            } else {
                None
            };
            let direct = StoreReads(self.store.as_ref());
            let reads: &dyn CatalogReads = match &snapshot {
                Some(snapshot) => snapshot,
                None => &direct,
            };
            let how = Attempt {
                reads,
                generation: snapshot.as_ref().map(SnapshotReads::generation),
                order_id: &order_id,
                idempotency: idempotency.clone(),
            };
            let generation = how.generation;
            let refusal = match self.place_attempt(how, &order, &mut carried).await {
                Ok(Some(placed)) => return Ok(placed),
                Ok(None) => None,
                Err(Refused::ByStore(error)) => Some(error),
                // A refusal judged from the snapshot (a paused location, a switch, an unknown
                // SKU) stands only if the snapshot was still current.
                Err(Refused::BeforeStore(error)) if generation.is_none() => Some(error),
                Err(Refused::BeforeStore(error)) => match self.catalog.refresh(self.store.as_ref()).await {
                    Ok(current) if Some(current) != generation => None,
                    Ok(_) => Some(error),
                    Err(failure) => Some(failure.into()),
                },
            };
            if let Some(error) = refusal {
                return Err(self.void_carried(&order_id, carried, error).await);
            }
            tracing::info!(order_id = %order_id, attempt, "the catalog changed since the order was priced; pricing it again");
            if let Err(error) = self.catalog.refresh(self.store.as_ref()).await {
                return Err(self.void_carried(&order_id, carried, error.into()).await);
            }
        }
        let unplaced = AppError::Unavailable("the catalog kept changing while the order was placed".into());
        Err(self.void_carried(&order_id, carried, unplaced).await)
    }

    /// One attempt at placing `order`: `None` when its catalog snapshot turned out stale (the
    /// card's authorisation, if taken, is left in `carried` for the next attempt).
    async fn place_attempt(
        &self,
        attempt: Attempt<'_>,
        order: &PlaceOrder,
        carried: &mut Option<Authorisation>,
    ) -> Result<Option<OrderRecord>, Refused> {
        let reads = attempt.reads;
        let site =
            reads.site(&order.cart.site_id).await?.ok_or_else(|| AppError::invalid("site_id", "no such site"))?;
        let now_ms = self.now_ms();
        let priced = self.price_order(reads, &site, order, now_ms).await?;
        let redemptions = coupon_redemptions(&priced, order.cart.customer_key.as_deref())?;
        check_pay_at_pickup(&order.payment, &priced)?;
        if let Some(at_ms) = order.pickup_at_ms {
            self.check_pickup_slot(&site, &priced, at_ms, now_ms).await?;
        }
        let holds = order_location_holds(reads, &site, &priced, &order.cart.channel).await?;
        let total = priced.quote.total;
        // Gift cards and store credit pay first; the card is authorised for the rest only.
        let credit = self.order_credit_shares(order, &priced).await?;
        let credit_minor: i64 = credit.iter().map(|share| share.amount_minor).sum();
        let card_amount = Money::new(total.amount_minor - credit_minor, total.currency);
        let payment_reference = match carried.take() {
            Some(previous) if previous.amount == card_amount => Some(previous.reference),
            previous => {
                if let Some(previous) = previous {
                    self.queue_void(attempt.order_id, &previous.reference, previous.amount).await;
                }
                if card_amount.amount_minor > 0 {
                    self.authorize_order_payment(&order.payment, card_amount).await?
                } else {
                    None
                }
            }
        };
        *carried = payment_reference.clone().map(|reference| Authorisation { amount: card_amount, reference });
        let new_order = OrderDraft {
            order_id: attempt.order_id.to_owned(),
            order,
            site: &site,
            priced: &priced,
            holds: &holds,
            redemptions,
            payment_reference,
            idempotency: attempt.idempotency,
            now_ms,
            credit: &credit,
            catalog_generation: attempt.generation,
        }
        .into_new_order()?;
        match self.store.place_order(&new_order).await {
            Ok(stored) => {
                *carried = None;
                // The capture was queued by the order's own transaction: the workers are woken.
                self.committed();
                Ok(Some(stored))
            }
            Err(StoreError::CatalogChanged) => Ok(None),
            Err(error) => Err(Refused::ByStore(error.into())),
        }
    }

    /// Releases an authorisation no order will capture (the order was refused after it was
    /// taken: short stock, a full slot, a used-up coupon, credit spent meanwhile) by a queued
    /// void, and hands back the refusal.
    async fn void_carried(&self, order_id: &str, carried: Option<Authorisation>, refusal: AppError) -> AppError {
        if let Some(authorisation) = carried {
            self.queue_void(order_id, &authorisation.reference, authorisation.amount).await;
        }
        refusal
    }

    /// Prices the cart, refuses a line switched to sold out, and keeps a named quote's prices.
    async fn price_order(
        &self,
        reads: &dyn CatalogReads,
        site: &SiteRow,
        order: &PlaceOrder,
        now_ms: i64,
    ) -> AppResult<PricedCart> {
        // A scheduled pickup may be ordered while the location is closed by its hours: the
        // time asked for is checked against them (`check_pickup_slot`).
        let sold_from = if order.pickup_at_ms.is_some() { SoldFrom::Ahead } else { SoldFrom::Afar };
        let mut priced = self.price_cart_from(reads, site, &order.cart, now_ms, sold_from, &[]).await?;
        refuse_sold_out_lines(reads, order, &priced).await?;
        if let Some(quote_id) = &order.quote_id {
            priced.quote = self.stored_quote(quote_id, &order.cart, now_ms).await?;
        }
        Ok(priced)
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
}

/// A line whose SKU its location switched to sold out refuses the order (`SoldOut` with the
/// SKU, before the card is touched), so the customer's cart can mark that line.
async fn refuse_sold_out_lines(reads: &dyn CatalogReads, order: &PlaceOrder, priced: &PricedCart) -> AppResult<()> {
    let location_ids: Vec<String> = priced.locations.keys().cloned().collect();
    let switched_off = reads.sold_out_at(&location_ids).await?;
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

/// A card authorisation taken for an order not yet stored.
struct Authorisation {
    amount: Money,
    reference: String,
}

/// How one attempt reads the catalog, and what it stores the order under.
struct Attempt<'a> {
    reads: &'a dyn CatalogReads,
    /// The snapshot's generation, when `reads` is the snapshot.
    generation: Option<i64>,
    order_id: &'a str,
    idempotency: Option<HeldClaim>,
}

/// Why an attempt did not place its order.
enum Refused {
    /// Judged before the store was asked, perhaps from the snapshot.
    BeforeStore(AppError),
    /// Judged by the order's transaction, which had found the snapshot current.
    ByStore(AppError),
}

impl From<AppError> for Refused {
    fn from(error: AppError) -> Self {
        Refused::BeforeStore(error)
    }
}

impl From<omnicanal_store::StoreError> for Refused {
    fn from(error: omnicanal_store::StoreError) -> Self {
        Refused::BeforeStore(error.into())
    }
}

/// Attempts at placing one order before giving up on a catalog that keeps changing.
const PLACEMENT_ATTEMPTS: usize = 3;

/// How each location of the cart takes its part: its allocation for the channel (a
/// location closed to the channel refuses the order) bounded by the site's acceptance
/// limit ([`hold_ttl_ms`]). Locations with neither are left out: no buffer, no limit.
async fn order_location_holds(
    reads: &dyn CatalogReads,
    site: &SiteRow,
    priced: &PricedCart,
    channel: &Channel,
) -> AppResult<Vec<LocationHold>> {
    let location_ids: Vec<String> = priced.locations.keys().cloned().collect();
    let allocations = reads.allocations_at(&location_ids).await?;
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
