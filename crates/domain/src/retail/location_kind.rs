//! Whether a location is a store or a warehouse. A warehouse sells only online: its stock
//! serves deliveries, but it is never offered as a pickup point, because no customer may walk
//! in there. A store does both.

crate::named_enum! {
    /// What a location is to a customer of the web shop.
    pub enum LocationKind("kind") {
        /// A store: pickup, the till and deliveries.
        Store => "store",
        /// A warehouse: deliveries of web orders only, never a pickup point.
        Warehouse => "warehouse",
    }
}

impl LocationKind {
    /// Whether a customer may pick an order up here.
    pub fn offers_pickup(self) -> bool {
        match self {
            LocationKind::Store => true,
            LocationKind::Warehouse => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stores_offer_pickup_and_unknown_kinds_are_refused() {
        assert_eq!(LocationKind::parse("warehouse").ok(), Some(LocationKind::Warehouse));
        assert!(LocationKind::Store.offers_pickup());
        assert!(!LocationKind::Warehouse.offers_pickup());
        assert!(LocationKind::parse("depot").is_err());
    }
}
