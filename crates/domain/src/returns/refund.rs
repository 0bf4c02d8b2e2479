//! How much a returned unit gives back: the price actually paid for its line, after the
//! engine's discounts (and a till sale's manual discount), shared pro rata over the line's
//! units.
//!
//! The share is cumulative — the first `n` units of a line give back
//! `floor(paid × n / bought)` — so returning a line bit by bit never refunds more, nor less,
//! than returning it at once: the last unit takes the rounding remainder.

/// What returning `quantity` more units of a line gives back, when `returned_before` were
/// already returned of the `bought` units that paid `paid_minor` together. Zero for an
/// empty or inconsistent line (nothing bought, or more asked than bought).
pub fn refund_for(paid_minor: i64, bought: i64, returned_before: i64, quantity: i64) -> i64 {
    if bought <= 0 || quantity <= 0 || returned_before < 0 || returned_before + quantity > bought {
        return 0;
    }
    let share = |units: i64| -> i64 {
        let value = i128::from(paid_minor) * i128::from(units) / i128::from(bought);
        i64::try_from(value).unwrap_or(0)
    };
    share(returned_before + quantity) - share(returned_before)
}

/// What each line actually paid when the purchase's total is below the sum of its lines (a
/// discount taken off the whole sale, not a line): the difference is taken from the lines in
/// proportion to their totals, the remainder to the first lines, so the results add up to
/// `paid_total_minor` exactly. Lines that already add up to the total are returned as they are.
pub fn paid_per_line(line_totals_minor: &[i64], paid_total_minor: i64) -> Vec<i64> {
    let sum: i64 = line_totals_minor.iter().sum();
    if sum <= 0 || paid_total_minor >= sum || paid_total_minor < 0 {
        return line_totals_minor.to_vec();
    }
    let cut = sum - paid_total_minor;
    let mut cuts: Vec<i64> = line_totals_minor
        .iter()
        .map(|total| i64::try_from(i128::from(cut) * i128::from(*total) / i128::from(sum)).unwrap_or(0))
        .collect();
    let mut left = cut - cuts.iter().sum::<i64>();
    for (index, total) in line_totals_minor.iter().enumerate() {
        if left == 0 {
            break;
        }
        if let Some(slot) = cuts.get_mut(index)
            && *slot < *total
        {
            *slot += 1;
            left -= 1;
        }
    }
    line_totals_minor.iter().zip(cuts).map(|(total, cut)| total - cut).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_line_returned_bit_by_bit_gives_back_what_it_paid() {
        assert_eq!(refund_for(1000, 3, 0, 1), 333);
        assert_eq!(refund_for(1000, 3, 1, 1), 333);
        assert_eq!(refund_for(1000, 3, 2, 1), 334);
        assert_eq!(refund_for(1000, 3, 0, 3), 1000);
    }

    #[test]
    fn more_than_bought_gives_nothing() {
        assert_eq!(refund_for(1000, 2, 1, 2), 0);
        assert_eq!(refund_for(1000, 0, 0, 1), 0);
    }

    #[test]
    fn a_sale_discount_is_shared_by_the_lines() {
        assert_eq!(paid_per_line(&[600, 400], 900), vec![540, 360]);
        assert_eq!(paid_per_line(&[1, 1, 1], 2), vec![0, 1, 1]);
        assert_eq!(paid_per_line(&[500, 500], 1000), vec![500, 500]);
    }

    proptest! {
        #[test]
        fn any_split_of_a_line_refunds_exactly_what_it_paid(paid in 0i64..10_000_000, bought in 1i64..50, cuts in proptest::collection::vec(1i64..10, 0..20)) {
            let mut returned = 0;
            let mut refunded = 0;
            for cut in cuts {
                let quantity = cut.min(bought - returned);
                if quantity == 0 { break; }
                refunded += refund_for(paid, bought, returned, quantity);
                returned += quantity;
            }
            refunded += refund_for(paid, bought, returned, bought - returned);
            prop_assert_eq!(refunded, paid);
        }

        #[test]
        fn lines_after_a_sale_discount_add_up_to_the_total(lines in proptest::collection::vec(0i64..100_000, 1..10), off in 0i64..100_000) {
            let sum: i64 = lines.iter().sum();
            let total = (sum - off).max(0);
            let paid = paid_per_line(&lines, total);
            prop_assert_eq!(paid.iter().sum::<i64>(), total);
            prop_assert!(paid.iter().zip(&lines).all(|(p, l)| *p >= 0 && p <= l));
        }
    }
}
