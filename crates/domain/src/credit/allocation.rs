//! How balances pay an order's parts (issue 17 point 8): a gift card or a customer's credit
//! spent on a web or API order is split over the parts of its merchant, first part first,
//! each tender in turn, never more than a part costs nor more than the tender offers.
//!
//! Why per part: a part is what is cancelled, rejected or lapses on its own, and what it took
//! from a balance is what it gives back then; a balance is one merchant's, so it never pays a
//! part of another merchant in the same order.

/// One share of a tender paying one part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditShare {
    /// Index of the tender in the order's credit tenders.
    pub tender: usize,
    /// Index of the part in the order's parts.
    pub part: usize,
    /// How much, in minor units (always more than zero).
    pub amount_minor: i64,
}

/// Splits `tenders` (what each offers, and the merchant it is of) over `parts` (what each
/// costs, and its merchant): tenders in order, parts of the same merchant in order. Shares of
/// zero are left out; what a tender offers beyond the parts it may pay is not taken.
pub fn allocate_credit(parts: &[(&str, i64)], tenders: &[(&str, i64)]) -> Vec<CreditShare> {
    let mut left: Vec<i64> = parts.iter().map(|(_, cost)| (*cost).max(0)).collect();
    let mut shares = Vec::new();
    for (tender, (tender_merchant, offered)) in tenders.iter().enumerate() {
        let mut offered = (*offered).max(0);
        for (part, (part_merchant, _)) in parts.iter().enumerate() {
            if offered == 0 {
                break;
            }
            let Some(cost_left) = left.get_mut(part) else { continue };
            if part_merchant != tender_merchant || *cost_left == 0 {
                continue;
            }
            let amount_minor = offered.min(*cost_left);
            *cost_left -= amount_minor;
            offered -= amount_minor;
            shares.push(CreditShare { tender, part, amount_minor });
        }
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenders_pay_their_merchants_parts_in_order_and_never_more_than_they_cost() {
        let parts = [("m1", 1_000), ("m2", 500), ("m1", 300)];
        let shares = allocate_credit(&parts, &[("m1", 1_100), ("m1", 5_000)]);
        assert_eq!(
            shares,
            [
                CreditShare { tender: 0, part: 0, amount_minor: 1_000 },
                CreditShare { tender: 0, part: 2, amount_minor: 100 },
                CreditShare { tender: 1, part: 2, amount_minor: 200 },
            ]
        );
        assert!(allocate_credit(&parts, &[("m3", 10)]).is_empty());
        assert!(allocate_credit(&parts, &[("m1", 0), ("m1", -5)]).is_empty());
    }
}
