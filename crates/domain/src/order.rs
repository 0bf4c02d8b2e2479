//! An order's overall status and its pickup codes. (Pricing and splitting a cart into one part
//! per location is the pricing engine's job: [`crate::pricing::engine`].)

use serde::{Deserialize, Serialize};

use crate::fulfillment::FulfillmentStatus;

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

crate::named_enum! {
    /// The tax document each part of an order gets from its merchant.
    pub enum DocumentKind("document_kind") {
        /// A sales receipt for a consumer (boleta electrónica).
        Boleta => "boleta",
        /// An invoice to a customer with a tax id (factura electrónica).
        Factura => "factura",
    }
}

impl DocumentKind {
    /// A factura when the customer gave a tax id, else a boleta.
    pub fn for_customer(has_tax_id: bool) -> Self {
        if has_tax_id { DocumentKind::Factura } else { DocumentKind::Boleta }
    }
}

/// A four-digit pickup code drawn from the random number the caller supplies.
pub fn pickup_code(random: u32) -> String {
    format!("{:04}", random % 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_status_follows_parts() {
        use FulfillmentStatus::*;
        assert_eq!(OrderStatus::derive(&[Placed, Placed]), OrderStatus::Placed);
        assert_eq!(OrderStatus::derive(&[Ready, Rejected]), OrderStatus::Ready);
        assert_eq!(OrderStatus::derive(&[Collected, Cancelled]), OrderStatus::Completed);
        assert_eq!(OrderStatus::derive(&[Rejected, Cancelled]), OrderStatus::Cancelled);
        assert_eq!(OrderStatus::derive(&[Accepted, Placed]), OrderStatus::InProgress);
    }
}
