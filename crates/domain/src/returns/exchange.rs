//! An exchange: the returned items give back what they paid, the new items are priced today
//! (by the one pricing engine, the caller's job), and only the difference moves.

/// Who pays whom after an exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeSettlement {
    /// The new items cost more: the customer pays this much.
    CustomerPays(i64),
    /// The returned items were worth more: the customer gets this much back.
    MerchantRefunds(i64),
    /// Same value: nothing moves.
    Even,
}

/// Settles an exchange of items refunding `returned_minor` for new items costing
/// `new_items_minor` today.
pub fn settle_exchange(returned_minor: i64, new_items_minor: i64) -> ExchangeSettlement {
    match new_items_minor.cmp(&returned_minor) {
        std::cmp::Ordering::Greater => ExchangeSettlement::CustomerPays(new_items_minor - returned_minor),
        std::cmp::Ordering::Less => ExchangeSettlement::MerchantRefunds(returned_minor - new_items_minor),
        std::cmp::Ordering::Equal => ExchangeSettlement::Even,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_difference_moves() {
        assert_eq!(settle_exchange(1000, 1500), ExchangeSettlement::CustomerPays(500));
        assert_eq!(settle_exchange(1500, 1000), ExchangeSettlement::MerchantRefunds(500));
        assert_eq!(settle_exchange(1000, 1000), ExchangeSettlement::Even);
    }
}
