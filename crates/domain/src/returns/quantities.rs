//! What of a purchase can still come back: per purchased line, bought minus already
//! returned; and a return's requested lines (by SKU) matched to the purchased lines, never
//! more than what is still returnable.
//!
//! A SKU may be on several lines of one purchase (two parts of an order, a line repeated at
//! the till); a requested quantity is taken from those lines in their order, and a SKU asked
//! for twice in one return counts both times. The refund of each piece is the line's paid
//! price pro rata ([`super::refund_for`]).

use super::refund::refund_for;

/// One line of a purchase, with what was already returned of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchasedLine {
    /// The SKU.
    pub sku: String,
    /// Units bought.
    pub bought: i64,
    /// Units already returned.
    pub returned: i64,
    /// What the line's units paid together, after every discount (minor units).
    pub paid_minor: i64,
}

impl PurchasedLine {
    /// Units that may still come back.
    pub fn returnable(&self) -> i64 {
        (self.bought - self.returned).max(0)
    }
}

/// A line of a return as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedLine {
    /// The SKU.
    pub sku: String,
    /// Units (at least one).
    pub quantity: i64,
    /// Back to this location's stock (else to the damaged bin).
    pub restock: bool,
}

/// A piece of a return taken from one purchased line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedLine {
    /// Which requested line it comes from (its index in the request).
    pub request_index: usize,
    /// Which purchased line it returns (its index in the purchase).
    pub purchased_index: usize,
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// What these units give back.
    pub refund_minor: i64,
    /// Back to stock.
    pub restock: bool,
}

/// Why a requested line cannot be returned: `field` is `sku` or `quantity` of line `index`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    /// The requested line's index.
    pub index: usize,
    /// `sku` or `quantity`.
    pub field: &'static str,
    /// Why, in plain words.
    pub message: String,
}

/// Matches the requested lines to the purchase, every problem reported at once: a SKU not in
/// the purchase, a quantity below one, or more than what is still returnable of the SKU
/// (counting the lines of this request before it).
pub fn plan_lines(
    purchased: &[PurchasedLine],
    requested: &[RequestedLine],
) -> Result<Vec<PlannedLine>, Vec<LineProblem>> {
    let mut taken = vec![0i64; purchased.len()];
    let mut planned = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in requested.iter().enumerate() {
        if line.quantity < 1 {
            problems.push(LineProblem { index, field: "quantity", message: "must be at least 1".into() });
            continue;
        }
        let matching: Vec<usize> =
            purchased.iter().enumerate().filter(|(_, p)| p.sku == line.sku).map(|(i, _)| i).collect();
        if matching.is_empty() {
            problems.push(LineProblem { index, field: "sku", message: "is not in this purchase".into() });
            continue;
        }
        let left: i64 = matching
            .iter()
            .map(|&i| purchased.get(i).map_or(0, PurchasedLine::returnable) - taken.get(i).copied().unwrap_or(0))
            .sum();
        if line.quantity > left {
            problems.push(LineProblem {
                index,
                field: "quantity",
                message: format!("is more than bought minus already returned ({left} left of {})", line.sku),
            });
            continue;
        }
        let mut wanted = line.quantity;
        for &i in &matching {
            let (Some(bought), Some(already)) = (purchased.get(i), taken.get_mut(i)) else { continue };
            let free = bought.returnable() - *already;
            let quantity = wanted.min(free);
            if quantity <= 0 {
                continue;
            }
            let refund_minor = refund_for(bought.paid_minor, bought.bought, bought.returned + *already, quantity);
            *already += quantity;
            wanted -= quantity;
            planned.push(PlannedLine {
                request_index: index,
                purchased_index: i,
                sku: line.sku.clone(),
                quantity,
                refund_minor,
                restock: line.restock,
            });
            if wanted == 0 {
                break;
            }
        }
    }
    if problems.is_empty() { Ok(planned) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn line(sku: &str, bought: i64, returned: i64, paid: i64) -> PurchasedLine {
        PurchasedLine { sku: sku.into(), bought, returned, paid_minor: paid }
    }

    fn ask(sku: &str, quantity: i64) -> RequestedLine {
        RequestedLine { sku: sku.into(), quantity, restock: true }
    }

    #[test]
    fn a_return_takes_from_every_line_of_the_sku() {
        let purchase = [line("TEE", 1, 0, 1000), line("CAP", 2, 0, 500), line("TEE", 2, 1, 1800)];
        let planned = plan_lines(&purchase, &[ask("TEE", 2)]).unwrap_or_default();
        assert_eq!(planned.len(), 2);
        assert_eq!((planned[0].purchased_index, planned[0].quantity, planned[0].refund_minor), (0, 1, 1000));
        assert_eq!((planned[1].purchased_index, planned[1].quantity, planned[1].refund_minor), (2, 1, 900));
    }

    #[test]
    fn more_than_returnable_and_unknown_skus_are_named() {
        let purchase = [line("TEE", 2, 1, 1000)];
        let problems = plan_lines(&purchase, &[ask("TEE", 2), ask("HAT", 1), ask("TEE", 0)]).err().unwrap_or_default();
        let fields: Vec<_> = problems.iter().map(|p| (p.index, p.field)).collect();
        assert_eq!(fields, vec![(0, "quantity"), (1, "sku"), (2, "quantity")]);
    }

    #[test]
    fn the_same_sku_twice_counts_both_times() {
        let purchase = [line("TEE", 2, 0, 1000)];
        assert!(plan_lines(&purchase, &[ask("TEE", 1), ask("TEE", 2)]).is_err());
        assert!(plan_lines(&purchase, &[ask("TEE", 1), ask("TEE", 1)]).is_ok());
    }

    proptest! {
        /// Whatever is asked, a planned return never takes more of a line than is returnable.
        #[test]
        fn never_more_than_returnable(
            lines in proptest::collection::vec((0usize..3, 0i64..6, 0i64..6, 0i64..10_000), 1..6),
            asks in proptest::collection::vec((0usize..3, -1i64..8), 1..6),
        ) {
            let skus = ["A", "B", "C"];
            let purchase: Vec<PurchasedLine> = lines.iter().map(|(s, bought, returned, paid)| {
                line(skus[*s], *bought, (*returned).min(*bought), *paid)
            }).collect();
            let request: Vec<RequestedLine> = asks.iter().map(|(s, q)| ask(skus[*s], *q)).collect();
            if let Ok(planned) = plan_lines(&purchase, &request) {
                let mut taken = vec![0i64; purchase.len()];
                for piece in &planned {
                    prop_assert!(piece.quantity >= 1);
                    taken[piece.purchased_index] += piece.quantity;
                }
                for (i, p) in purchase.iter().enumerate() {
                    prop_assert!(taken[i] <= p.returnable());
                }
                for (i, r) in request.iter().enumerate() {
                    let total: i64 = planned.iter().filter(|p| p.request_index == i).map(|p| p.quantity).sum();
                    prop_assert_eq!(total, r.quantity);
                }
            }
        }
    }
}
