//! The shipping fulfilment of an endless-aisle delivery (issue 17 point 7): the units held at
//! the source location are picked, packed, shipped with a tracking reference and delivered.
//!
//! A machine of its own rather than new states in [`crate::fulfillment`]: a shipment has a
//! carrier's tracking reference and ends at the customer's door, not at a counter with a
//! pickup code, and the till's pickup flow must never see these states.
//! [`ShipmentStatus::next_statuses`] is the one table of legal moves; [`plan_shipment_step`]
//! adds what each move needs (the tracking reference to ship) and what the customer is told.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::DomainError;

/// Longest tracking reference, in characters.
pub const MAX_TRACKING_CHARS: usize = 80;

/// Where a shipment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStatus {
    /// Sold and paid; the units are held at the source location.
    Pending,
    /// Taken off the shelf at the source location.
    Picked,
    /// Packed and waiting for the carrier.
    Packed,
    /// Handed to the carrier, with its tracking reference.
    Shipped,
    /// At the customer's door: the held units leave on-hand. Final.
    Delivered,
    /// Withdrawn before it left: the held units are released. Final.
    Cancelled,
}

impl ShipmentStatus {
    /// Every status, in life-cycle order.
    pub const ALL: [ShipmentStatus; 6] =
        [Self::Pending, Self::Picked, Self::Packed, Self::Shipped, Self::Delivered, Self::Cancelled];

    /// The table of legal transitions: the statuses reachable in one step.
    pub fn next_statuses(self) -> &'static [ShipmentStatus] {
        use ShipmentStatus::*;
        match self {
            Pending => &[Picked, Cancelled],
            Picked => &[Packed, Cancelled],
            Packed => &[Shipped, Cancelled],
            Shipped => &[Delivered],
            Delivered | Cancelled => &[],
        }
    }

    /// True for statuses that end the shipment's life.
    pub fn is_final(self) -> bool {
        self.next_statuses().is_empty()
    }

    /// The snake_case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        use ShipmentStatus::*;
        match self {
            Pending => "pending",
            Picked => "picked",
            Packed => "packed",
            Shipped => "shipped",
            Delivered => "delivered",
            Cancelled => "cancelled",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == raw)
            .ok_or_else(|| DomainError::invalid("status", format!("unknown shipment status {raw:?}")))
    }
}

impl fmt::Display for ShipmentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A carrier's tracking reference: 1 to 80 visible characters (letters, digits, `-`, `_`, `/`,
/// `.`), trimmed — what a customer types into the carrier's site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingReference(String);

impl TrackingReference {
    /// Parses a tracking reference.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(DomainError::invalid("tracking_reference", "is required to ship"));
        }
        if value.chars().count() > MAX_TRACKING_CHARS {
            return Err(DomainError::invalid(
                "tracking_reference",
                format!("must be at most {MAX_TRACKING_CHARS} characters"),
            ));
        }
        if !value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.')) {
            return Err(DomainError::invalid("tracking_reference", "letters, digits, '-', '_', '/' or '.' only"));
        }
        Ok(Self(value.to_owned()))
    }

    /// The reference as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TrackingReference {
    type Error = DomainError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<TrackingReference> for String {
    fn from(reference: TrackingReference) -> Self {
        reference.0
    }
}

/// What a legal step does to the units held at the source location.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShipmentStock {
    /// The held units go back to availability.
    Release,
    /// The held units leave on-hand: the customer has them.
    Sell,
}

/// Why a step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShipmentRefusal {
    /// The table has no such move (a 409 for the API).
    #[error("a shipment cannot move from {from} to {to}")]
    IllegalStep {
        /// Current status.
        from: ShipmentStatus,
        /// Requested status.
        to: ShipmentStatus,
    },
    /// Shipping without a tracking reference (a 422 naming `tracking_reference`).
    #[error("a tracking reference is required to ship")]
    TrackingRequired,
}

/// A checked step with its consequences, for the store to apply in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentStep {
    /// Status before.
    pub from: ShipmentStatus,
    /// Status after.
    pub to: ShipmentStatus,
    /// The tracking reference to record (shipping only).
    pub tracking: Option<TrackingReference>,
    /// What happens to the held units, if anything.
    pub stock: Option<ShipmentStock>,
    /// The customer is told of every step (the notification names the new status).
    pub notify_customer: bool,
}

/// Checks a step from `from` to `to`; `tracking` is needed to ship and ignored otherwise.
pub fn plan_shipment_step(
    from: ShipmentStatus,
    to: ShipmentStatus,
    tracking: Option<TrackingReference>,
) -> Result<ShipmentStep, ShipmentRefusal> {
    if !from.next_statuses().contains(&to) {
        return Err(ShipmentRefusal::IllegalStep { from, to });
    }
    use ShipmentStatus::*;
    let (tracking, stock) = match to {
        Shipped => (Some(tracking.ok_or(ShipmentRefusal::TrackingRequired)?), None),
        Delivered => (None, Some(ShipmentStock::Sell)),
        Cancelled => (None, Some(ShipmentStock::Release)),
        Pending | Picked | Packed => (None, None),
    };
    Ok(ShipmentStep { from, to, tracking, stock, notify_customer: true })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ShipmentStatus::*;

    /// A test's failure, whichever step refused.
    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn tracking() -> Result<TrackingReference, DomainError> {
        TrackingReference::parse(" CHX-2026/000123 ")
    }

    #[test]
    fn a_shipment_goes_picked_packed_shipped_delivered_telling_the_customer_each_time() -> TestResult {
        let mut at = Pending;
        for to in [Picked, Packed, Shipped, Delivered] {
            let step = plan_shipment_step(at, to, Some(tracking()?))?;
            assert!(step.notify_customer);
            assert_eq!(step.tracking.is_some(), to == Shipped, "only shipping records the reference");
            assert_eq!(step.stock, (to == Delivered).then_some(ShipmentStock::Sell));
            at = step.to;
        }
        assert!(at.is_final());
        assert_eq!(tracking()?.as_str(), "CHX-2026/000123");
        Ok(())
    }

    #[test]
    fn shipping_needs_a_tracking_reference() {
        assert_eq!(plan_shipment_step(Packed, Shipped, None), Err(ShipmentRefusal::TrackingRequired));
        for bad in ["", "   ", "con espacio", &"X".repeat(MAX_TRACKING_CHARS + 1)] {
            assert!(TrackingReference::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_the_table_moves_and_cancelling_before_it_leaves_releases() -> TestResult {
        for from in ShipmentStatus::ALL {
            for to in ShipmentStatus::ALL {
                let legal = from.next_statuses().contains(&to);
                let planned = plan_shipment_step(from, to, Some(tracking()?));
                assert_eq!(planned.is_ok(), legal, "{from} → {to}");
            }
        }
        let cancel = plan_shipment_step(Packed, Cancelled, None)?;
        assert_eq!(cancel.stock, Some(ShipmentStock::Release));
        assert!(plan_shipment_step(Shipped, Cancelled, None).is_err(), "not once the carrier has it");
        for status in ShipmentStatus::ALL {
            assert_eq!(ShipmentStatus::parse(status.as_str()), Ok(status));
        }
        Ok(())
    }
}
