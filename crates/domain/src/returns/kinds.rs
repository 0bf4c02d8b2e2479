//! The words a return is recorded with: what it returns, where the money goes, how it went
//! back, and the state of each item that came back.

crate::named_enum! {
    /// What was bought: an order (any channel) or a till sale.
    pub enum ReturnSource("source") {
        /// An order (web, shop, phone, QR…).
        Order => "order",
        /// A till sale.
        Sale => "sale",
    }
}

crate::named_enum! {
    /// Where the customer asked the money to go.
    pub enum RefundTo("refund_to") {
        /// Back to how they paid.
        Original => "original",
        /// To their store credit.
        StoreCredit => "store_credit",
    }
}

crate::named_enum! {
    /// How the money actually went back.
    pub enum RefundMethod("refund_method") {
        /// A refund payment job against the card's capture.
        Card => "card",
        /// Cash out of the returning till's open session.
        Cash => "cash",
        /// An entry in the customer's store-credit ledger.
        StoreCredit => "store_credit",
        /// Nothing was owed (a free item).
        None => "none",
    }
}

crate::named_enum! {
    /// The state of an item that came back, which decides where it goes.
    pub enum ItemCondition("condition") {
        /// Sellable: back into this location's on-hand.
        Resellable => "resellable",
        /// Damaged: to the damaged bin, not into on-hand.
        Damaged => "damaged",
    }
}
