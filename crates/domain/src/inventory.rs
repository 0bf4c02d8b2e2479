//! The inventory ledger rules for one SKU at one location.
//!
//! **Invariant:** `0 ≤ reserved ≤ on_hand` after every operation. Each operation
//! returns the new level or refuses; the store applies the same rules with
//! conditional SQL updates so concurrent writers cannot break them either.

use serde::Serialize;

use crate::DomainError;

crate::named_enum! {
    /// Why on-hand changed: the reason code of a stock movement.
    pub enum MovementReason("reason") {
        /// Goods arrived from a supplier.
        Receipt => "receipt",
        /// A correction made by hand.
        Adjustment => "adjustment",
        /// The difference found by a count.
        Count => "count",
        /// A customer brought goods back.
        Return => "return",
        /// Damaged goods taken off the shelf.
        Damage => "damage",
        /// Goods lost or stolen.
        Loss => "loss",
        /// Received from another location of the merchant.
        TransferIn => "transfer_in",
        /// Sent to another location of the merchant.
        TransferOut => "transfer_out",
        /// A correction of an earlier movement.
        Correction => "correction",
        /// Handed over to a customer (written by the ledger, never by hand).
        Sale => "sale",
    }
}

impl MovementReason {
    /// The reasons a person may give for a movement made by hand (every one but `sale`).
    pub const MANUAL: [MovementReason; 9] = [
        MovementReason::Receipt,
        MovementReason::Adjustment,
        MovementReason::Count,
        MovementReason::Return,
        MovementReason::Damage,
        MovementReason::Loss,
        MovementReason::TransferIn,
        MovementReason::TransferOut,
        MovementReason::Correction,
    ];

    /// Parses a reason a person may give; `sale` and strangers are refused.
    pub fn parse_manual(raw: &str) -> Result<Self, DomainError> {
        Self::MANUAL.into_iter().find(|reason| reason.as_str() == raw).ok_or_else(|| {
            let words: Vec<&str> = Self::MANUAL.iter().map(|reason| reason.as_str()).collect();
            DomainError::invalid("reason", format!("must be one of {}", words.join(", ")))
        })
    }
}

crate::named_enum! {
    /// Where a transfer between two locations stands.
    pub enum TransferStatus("status") {
        /// Taken out of the source, not yet received.
        InTransit => "in_transit",
        /// Put into the destination. Final.
        Received => "received",
    }
}

/// Stock of one SKU at one location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct StockLevel {
    /// Units physically present.
    pub on_hand: i64,
    /// Units promised to placed orders and not yet handed over.
    pub reserved: i64,
}

/// One thing that can happen to a stock level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockOperation {
    /// A movement (receipt, adjustment, count difference) changing on-hand by `delta`.
    Adjust(i64),
    /// Hold units for an order line.
    Reserve(i64),
    /// Give held units back (rejection, cancellation, expiry).
    Release(i64),
    /// Held units leave the shelf (handover, shipment).
    Sell(i64),
}

impl StockLevel {
    /// Units that can still be promised.
    pub fn available(self) -> i64 {
        self.on_hand - self.reserved
    }

    /// Applies `operation`, or refuses if it would break the invariant.
    pub fn apply(self, operation: StockOperation) -> Result<StockLevel, DomainError> {
        let next = match operation {
            StockOperation::Adjust(delta) => {
                StockLevel { on_hand: self.on_hand.checked_add(delta).ok_or(DomainError::Overflow)?, ..self }
            }
            StockOperation::Reserve(units) => {
                require_positive(units)?;
                StockLevel { reserved: self.reserved.checked_add(units).ok_or(DomainError::Overflow)?, ..self }
            }
            StockOperation::Release(units) => {
                require_positive(units)?;
                StockLevel { reserved: self.reserved - units, ..self }
            }
            StockOperation::Sell(units) => {
                require_positive(units)?;
                StockLevel { on_hand: self.on_hand - units, reserved: self.reserved - units }
            }
        };
        if next.on_hand < 0 {
            return Err(DomainError::LedgerViolation("on-hand would go below zero"));
        }
        if next.reserved < 0 {
            return Err(DomainError::LedgerViolation("more released than reserved"));
        }
        if next.reserved > next.on_hand {
            return Err(DomainError::LedgerViolation("reserved would exceed on-hand"));
        }
        Ok(next)
    }
}

fn require_positive(units: i64) -> Result<(), DomainError> {
    if units > 0 { Ok(()) } else { Err(DomainError::LedgerViolation("units must be positive")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn operation() -> impl Strategy<Value = StockOperation> {
        prop_oneof![
            (-50i64..50).prop_map(StockOperation::Adjust),
            (-5i64..20).prop_map(StockOperation::Reserve),
            (-5i64..20).prop_map(StockOperation::Release),
            (-5i64..20).prop_map(StockOperation::Sell),
        ]
    }

    #[test]
    fn reserve_then_sell_moves_units_off_the_shelf() -> Result<(), DomainError> {
        let level = StockLevel::default().apply(StockOperation::Adjust(10))?;
        let level = level.apply(StockOperation::Reserve(3))?;
        assert_eq!(level.available(), 7);
        let level = level.apply(StockOperation::Sell(3))?;
        assert_eq!(level, StockLevel { on_hand: 7, reserved: 0 });
        Ok(())
    }

    #[test]
    fn cannot_adjust_below_what_is_reserved() -> Result<(), DomainError> {
        let level = StockLevel { on_hand: 5, reserved: 4 };
        assert!(level.apply(StockOperation::Adjust(-2)).is_err());
        assert_eq!(level.apply(StockOperation::Adjust(-1))?.available(), 0);
        Ok(())
    }

    proptest! {
        #[test]
        fn no_sequence_breaks_the_ledger(operations in proptest::collection::vec(operation(), 0..200)) {
            let mut level = StockLevel::default();
            for operation in operations {
                if let Ok(next) = level.apply(operation) {
                    level = next;
                }
                prop_assert!(level.on_hand >= 0);
                prop_assert!(level.reserved >= 0);
                prop_assert!(level.reserved <= level.on_hand);
            }
        }

        /// Holds placed, lapsed, released and sold in any order: the ledger stays valid and
        /// `reserved` always equals the units of the holds still open.
        #[test]
        fn hold_sequences_keep_reserved_equal_to_open_holds(steps in proptest::collection::vec((0u8..5, 1i64..8, 0usize..16), 0..300)) {
            let mut level = StockLevel::default();
            let mut open_holds: Vec<i64> = Vec::new();
            for (kind, units, pick) in steps {
                match kind {
                    0 => if let Ok(next) = level.apply(StockOperation::Adjust(units * 3)) { level = next },
                    1 => if let Ok(next) = level.apply(StockOperation::Reserve(units)) {
                        level = next;
                        open_holds.push(units);
                    },
                    // 2: the hold lapsed; 3: the part was rejected or cancelled — both release it.
                    2 | 3 if !open_holds.is_empty() => {
                        let held = open_holds.remove(pick % open_holds.len());
                        level = level.apply(StockOperation::Release(held)).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    }
                    4 if !open_holds.is_empty() => {
                        let held = open_holds.remove(pick % open_holds.len());
                        level = level.apply(StockOperation::Sell(held)).map_err(|e| TestCaseError::fail(e.to_string()))?;
                    }
                    _ => {}
                }
                prop_assert!(level.on_hand >= 0 && level.reserved <= level.on_hand);
                prop_assert_eq!(level.reserved, open_holds.iter().sum::<i64>());
            }
        }

        #[test]
        fn a_refused_operation_changes_nothing(on_hand in 0i64..100, reserved_share in 0i64..100, operation in operation()) {
            let level = StockLevel { on_hand, reserved: reserved_share.min(on_hand) };
            if let Ok(next) = level.apply(operation) {
                prop_assert!(next.reserved <= next.on_hand);
            }
        }
    }
}
