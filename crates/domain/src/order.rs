//! Building an order from priced lines: one fulfilment per location, exact totals.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::catalog::{MAX_LINES_PER_ORDER, MAX_QUANTITY_PER_LINE, Quantity, Sku};
use crate::fulfillment::FulfillmentStatus;
use crate::{Currency, DomainError, Money};

/// One line as the customer asked for it, after the catalog supplied its price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLine {
    /// What is bought.
    pub sku: Sku,
    /// Where it is picked up.
    pub location_id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// How many.
    pub quantity: Quantity,
    /// Price of one unit.
    pub unit_price: Money,
    /// Whether stock is counted for this SKU (a made-to-order dish may not be).
    pub track_stock: bool,
}

/// A line of a fulfilment with its total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftLine {
    /// What is bought.
    pub sku: Sku,
    /// How many.
    pub quantity: Quantity,
    /// Price of one unit.
    pub unit_price: Money,
    /// `unit_price × quantity`.
    pub total: Money,
    /// Whether stock must be reserved.
    pub track_stock: bool,
}

/// One location's part of an order before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfillmentDraft {
    /// The location that prepares and hands over the part.
    pub location_id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Lines, sorted by SKU.
    pub lines: Vec<DraftLine>,
    /// Sum of the line totals.
    pub subtotal: Money,
}

/// An order ready to be stored: parts sorted by location, totals exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDraft {
    /// The currency of every amount.
    pub currency: Currency,
    /// One part per location.
    pub fulfillments: Vec<FulfillmentDraft>,
    /// Sum of the subtotals.
    pub total: Money,
}

/// Groups priced lines into one fulfilment per location and totals them.
///
/// Lines for the same SKU at the same location are merged (their quantities
/// added, still within the per-line limit) so stock is reserved once per SKU.
pub fn build_order(currency: Currency, lines: Vec<PricedLine>) -> Result<OrderDraft, DomainError> {
    if lines.is_empty() {
        return Err(DomainError::invalid("lines", "an order needs at least one line"));
    }
    if lines.len() > MAX_LINES_PER_ORDER {
        return Err(DomainError::invalid("lines", format!("an order may have at most {MAX_LINES_PER_ORDER} lines")));
    }
    let mut by_location: BTreeMap<String, (String, BTreeMap<Sku, PricedLine>)> = BTreeMap::new();
    for line in lines {
        if line.unit_price.currency != currency {
            return Err(DomainError::CurrencyMismatch {
                left: currency.code(),
                right: line.unit_price.currency.code(),
            });
        }
        let (_, skus) =
            by_location.entry(line.location_id.clone()).or_insert_with(|| (line.merchant_id.clone(), BTreeMap::new()));
        match skus.get_mut(&line.sku) {
            Some(existing) => {
                let merged = existing.quantity.get() + line.quantity.get();
                existing.quantity = Quantity::parse(merged).map_err(|_| {
                    DomainError::invalid(
                        "quantity",
                        format!("{} appears on several lines adding up to more than {MAX_QUANTITY_PER_LINE}", line.sku),
                    )
                })?;
            }
            None => {
                skus.insert(line.sku.clone(), line);
            }
        }
    }
    let mut fulfillments = Vec::with_capacity(by_location.len());
    for (location_id, (merchant_id, skus)) in by_location {
        let mut draft_lines = Vec::with_capacity(skus.len());
        for line in skus.into_values() {
            draft_lines.push(DraftLine {
                total: line.unit_price.checked_mul(line.quantity.get())?,
                sku: line.sku,
                quantity: line.quantity,
                unit_price: line.unit_price,
                track_stock: line.track_stock,
            });
        }
        let subtotal = Money::sum(currency, draft_lines.iter().map(|line| line.total))?;
        fulfillments.push(FulfillmentDraft { location_id, merchant_id, lines: draft_lines, subtotal });
    }
    let total = Money::sum(currency, fulfillments.iter().map(|part| part.subtotal))?;
    Ok(OrderDraft { currency, fulfillments, total })
}

/// The order's overall status, derived from its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// No part has been taken on yet.
    Placed,
    /// At least one part is being worked on.
    InProgress,
    /// Every live part waits at its counter.
    Ready,
    /// Every live part was handed over.
    Completed,
    /// Every part was rejected or cancelled.
    Cancelled,
}

impl OrderStatus {
    /// Derives the order status from its parts' statuses.
    pub fn derive(parts: &[FulfillmentStatus]) -> OrderStatus {
        let live: Vec<FulfillmentStatus> = parts.iter().copied().filter(|s| !s.is_voided()).collect();
        if live.is_empty() {
            OrderStatus::Cancelled
        } else if live.iter().all(|s| *s == FulfillmentStatus::Collected) {
            OrderStatus::Completed
        } else if live.iter().all(|s| matches!(s, FulfillmentStatus::Ready | FulfillmentStatus::Collected)) {
            OrderStatus::Ready
        } else if live.iter().all(|s| *s == FulfillmentStatus::Placed) {
            OrderStatus::Placed
        } else {
            OrderStatus::InProgress
        }
    }

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::InProgress => "in_progress",
            OrderStatus::Ready => "ready",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

/// A four-digit pickup code drawn from the random number the caller supplies.
pub fn pickup_code(random: u32) -> String {
    format!("{:04}", random % 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn line(sku: &str, location: &str, quantity: i64, price: i64) -> Result<PricedLine, DomainError> {
        Ok(PricedLine {
            sku: Sku::parse(sku)?,
            location_id: location.into(),
            merchant_id: format!("m-{location}"),
            quantity: Quantity::parse(quantity)?,
            unit_price: Money::new(price, Currency::Clp),
            track_stock: true,
        })
    }

    #[test]
    fn splits_one_part_per_location() -> Result<(), DomainError> {
        let draft = build_order(
            Currency::Clp,
            vec![line("A", "l1", 2, 1000)?, line("B", "l2", 1, 500)?, line("A", "l1", 1, 1000)?],
        )?;
        assert_eq!(draft.fulfillments.len(), 2);
        assert_eq!(draft.fulfillments[0].lines[0].quantity.get(), 3);
        assert_eq!(draft.fulfillments[0].subtotal.amount_minor, 3000);
        assert_eq!(draft.total.amount_minor, 3500);
        Ok(())
    }

    #[test]
    fn refuses_empty_and_oversized_orders() -> Result<(), DomainError> {
        assert!(build_order(Currency::Clp, vec![]).is_err());
        let many = (0..201).map(|i| line(&format!("S{i}"), "l", 1, 1)).collect::<Result<Vec<_>, _>>()?;
        assert!(build_order(Currency::Clp, many).is_err());
        Ok(())
    }

    #[test]
    fn merged_lines_respect_the_quantity_limit() -> Result<(), DomainError> {
        let lines = vec![line("A", "l", 9_000, 1)?, line("A", "l", 1_000, 1)?];
        assert!(build_order(Currency::Clp, lines).is_err());
        Ok(())
    }

    #[test]
    fn order_status_follows_parts() {
        use FulfillmentStatus::*;
        assert_eq!(OrderStatus::derive(&[Placed, Placed]), OrderStatus::Placed);
        assert_eq!(OrderStatus::derive(&[Ready, Rejected]), OrderStatus::Ready);
        assert_eq!(OrderStatus::derive(&[Collected, Cancelled]), OrderStatus::Completed);
        assert_eq!(OrderStatus::derive(&[Rejected, Cancelled]), OrderStatus::Cancelled);
        assert_eq!(OrderStatus::derive(&[Accepted, Placed]), OrderStatus::InProgress);
    }

    proptest! {
        #[test]
        fn total_is_the_sum_of_every_line(lines in proptest::collection::vec((0i64..5, 0i64..4, 1i64..100), 1..60), price_seed in 0i64..100_000) {
            // One SKU has one price, so the price is a function of (sku, location).
            let price_of = |sku: i64, location: i64| (price_seed + sku * 7_919 + location * 104_729) % 100_000;
            let priced = lines.iter().map(|(sku, location, quantity)| line(&format!("S{sku}-{location}"), &format!("l{location}"), *quantity, price_of(*sku, *location))).collect::<Result<Vec<_>, _>>().map_err(|e| TestCaseError::fail(e.to_string()))?;
            let expected: i64 = lines.iter().map(|(sku, location, quantity)| quantity * price_of(*sku, *location)).sum();
            let draft = build_order(Currency::Clp, priced).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(draft.total.amount_minor, expected);
            let sum_of_parts: i64 = draft.fulfillments.iter().map(|f| f.subtotal.amount_minor).sum();
            prop_assert_eq!(sum_of_parts, expected);
        }
    }
}
