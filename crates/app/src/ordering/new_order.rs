//! The rows of a new order, built from a priced cart: the order, one part per location with
//! its lines, the stock each location keeps back and how long each part's hold lasts.
//!
//! Pure: ids, tokens and pickup codes are drawn here, but nothing is read or written, so the
//! same quote always yields the same money on every row.

use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::order::{DocumentKind, pickup_code};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pricing::Quote;
use omnicanal_domain::pricing::engine::{QuotedLine, QuotedPart};
use omnicanal_store::{
    CouponRedemption, FulfillmentRecord, LinePricing, LineRow, NewOrder, OrderRow, PartPricing, SiteRow,
};

use super::command::PlaceOrder;
use crate::error::{AppError, AppResult};
use crate::ids::{new_id, new_token, random_u32};
use crate::pricing::cart::PricedCart;

/// How one location takes a new part: the units it keeps back from the order's channel and
/// how long the part's stock hold lasts while it is not accepted (None: until handled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LocationHold {
    pub location_id: String,
    pub safety_buffer: i64,
    pub hold_ttl_ms: Option<i64>,
}

/// Everything a new order is made of, decided before it is stored.
pub(crate) struct OrderDraft<'a> {
    pub order_id: String,
    pub order: &'a PlaceOrder,
    pub site: &'a SiteRow,
    pub priced: &'a PricedCart,
    pub holds: &'a [LocationHold],
    pub redemptions: Vec<CouponRedemption>,
    pub payment_reference: Option<String>,
    pub idempotency: Option<omnicanal_store::HeldClaim>,
    pub now_ms: i64,
    /// What gift cards and store credit pay of each part (issue 17 point 8).
    pub credit: &'a [crate::credit::orders::CreditShareOfPart],
    /// The catalog generation it was priced at from the node's snapshot, if it was.
    pub catalog_generation: Option<i64>,
}

impl OrderDraft<'_> {
    /// The rows `Store::place_order` writes in one transaction. A card order is captured in
    /// full (by a payment job the store queues with it); a pay-at-pickup order owes it all.
    /// Credit counts as paid from the start: a card order is captured in full (card plus
    /// credit), a pay-at-pickup part owes what its credit did not pay.
    pub fn into_new_order(self) -> AppResult<NewOrder> {
        let quote = &self.priced.quote;
        // Paid in the shop: taken in full before it reached us, like a captured card.
        let by_card = matches!(self.order.payment.method(), PaymentMethod::Card | PaymentMethod::PaidInShop);
        let credit_minor: i64 = self.credit.iter().map(|share| share.amount_minor).sum();
        let captured_minor = if by_card { quote.total.amount_minor } else { credit_minor };
        let quote_json = serde_json::to_string(quote).map_err(|error| AppError::Internal(Box::new(error)))?;
        let fulfillments: Vec<FulfillmentRecord> = quote
            .parts
            .iter()
            .enumerate()
            .map(|(index, part)| {
                let credit: i64 =
                    self.credit.iter().filter(|share| share.part == index).map(|share| share.amount_minor).sum();
                self.part(quote, part, if by_card { part.subtotal.amount_minor } else { credit })
            })
            .collect();
        let credit_spends = self
            .credit
            .iter()
            .filter_map(|share| {
                Some(omnicanal_store::OrderCreditSpend {
                    fulfillment_id: fulfillments.get(share.part)?.id.clone(),
                    account_id: share.account_id.clone(),
                    method: share.method,
                    amount_minor: share.amount_minor,
                })
            })
            .collect();
        let customer = &self.order.customer;
        let order = OrderRow {
            id: self.order_id.clone(),
            number: 0,
            site_id: self.site.id.clone(),
            channel: self.order.cart.channel.clone(),
            customer_name: customer.name.as_str().to_owned(),
            customer_phone: customer.phone.clone(),
            customer_email: customer.email.clone(),
            tracking_token: new_token(),
            currency: self.site.currency,
            total_minor: quote.total.amount_minor,
            payment_method: self.order.payment.method(),
            payment_reference: self.payment_reference,
            captured_minor,
            refunded_minor: 0,
            outstanding_minor: quote.total.amount_minor - captured_minor,
            pickup_at: self.order.pickup_at_ms.map(pickup_text),
            customer_tax_id: customer.tax_id.clone(),
            table_label: self.order.table.clone(),
            quote_json: Some(quote_json),
            created_at_ms: self.now_ms,
            delivery: self.order.delivery.clone(),
        };
        Ok(NewOrder {
            order,
            fulfillments,
            event_id: new_id("evt"),
            idempotency: self.idempotency,
            safety_buffers: self.holds.iter().map(|hold| (hold.location_id.clone(), hold.safety_buffer)).collect(),
            redemptions: self.redemptions,
            document_kind: DocumentKind::for_customer(customer.tax_id.is_some()),
            credit_spends,
            catalog_generation: self.catalog_generation,
        })
    }

    /// One location's part, placed, with its lines and what is already paid of it.
    fn part(&self, quote: &Quote, part: &QuotedPart, captured_minor: i64) -> FulfillmentRecord {
        let hold_ttl_ms =
            self.holds.iter().find(|hold| hold.location_id == part.location_id).and_then(|h| h.hold_ttl_ms);
        FulfillmentRecord {
            id: new_id("ful"),
            order_id: self.order_id.clone(),
            merchant_id: part.merchant_id.clone(),
            location_id: part.location_id.clone(),
            status: FulfillmentStatus::Placed,
            pickup_code: self.order.fixed_pickup_code.clone().unwrap_or_else(|| pickup_code(random_u32())),
            subtotal_minor: part.subtotal.amount_minor,
            currency: self.site.currency,
            captured_minor,
            refunded_minor: 0,
            reason: None,
            hold_expires_at_ms: hold_ttl_ms.map(|ttl| self.now_ms + ttl),
            created_at_ms: self.now_ms,
            updated_at_ms: self.now_ms,
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
                .map(|line| self.line(line))
                .collect(),
        }
    }

    fn line(&self, line: &QuotedLine) -> LineRow {
        LineRow {
            sku: line.sku.clone(),
            quantity: line.quantity,
            unit_price_minor: line.unit_price.amount_minor,
            total_minor: line.total.amount_minor,
            track_stock: line.track_stock,
            pricing: LinePricing {
                name: self.priced.names.get(&(line.location_id.clone(), line.sku.clone())).cloned(),
                gross_minor: Some(line.gross.amount_minor),
                discount_minor: line.discount.amount_minor,
                tax_code: line.tax.code.clone(),
                tax_rate_bps: i64::from(line.tax.rate_bps),
                tax_minor: line.tax.amount.amount_minor,
                modifiers_json: (!line.modifiers.is_empty())
                    .then(|| serde_json::to_string(&line.modifiers).unwrap_or_default()),
                note: line.note.clone(),
            },
        }
    }
}

/// A scheduled pickup as orders store it: RFC 3339 in UTC, whole seconds.
fn pickup_text(at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pickup_is_stored_in_whole_seconds_utc() {
        assert_eq!(pickup_text(1_700_000_000_999), "2023-11-14T22:13:20Z");
    }
}
