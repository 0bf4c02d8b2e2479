//! The endless aisle's sale (issue 17 point 7): how the customer gets what the store lacks,
//! and when "pickup here tomorrow" is promised.
//!
//! The promise is computed from the store's weekly hours, not typed by the clerk, so the
//! tablet, the receipt and the customer's notice all say the same day: the first day after
//! today on which the store opens, at its first opening. A store with no hours set is always
//! open, so that is tomorrow from midnight. Pure: the local time is passed in.

use crate::fulfillment::{FulfillmentStatus, MoneyEffect, StockEffect, TransitionPlan};
use crate::hours::OpeningHours;
use crate::pricing::LocalTime;
use crate::shipment::{ShipmentStep, ShipmentStock};
use crate::{DomainError, Money};

/// How an aisle order reaches the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AisleFulfilment {
    /// Shipped from the source location to the customer's address.
    Delivery,
    /// Transferred from the source location to the selling store and picked up there.
    PickupHere,
}

impl AisleFulfilment {
    /// The snake_case name used in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            AisleFulfilment::Delivery => "delivery",
            AisleFulfilment::PickupHere => "pickup_here",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw.trim() {
            "delivery" => Ok(AisleFulfilment::Delivery),
            "pickup_here" => Ok(AisleFulfilment::PickupHere),
            _ => Err(DomainError::invalid("fulfilment", "must be delivery or pickup_here")),
        }
    }
}

/// When a "pickup here" order can be collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PickupPromise {
    /// Days after today (1 is tomorrow; more when the store is closed tomorrow).
    pub days_ahead: u8,
    /// That day's ISO weekday (1 = Monday … 7 = Sunday).
    pub weekday: u8,
    /// Minutes after local midnight when the store opens that day.
    pub opens_at_minute: u16,
}

/// The pickup promised for an order sold at local time `now`: the first day after today on
/// which `hours` has a range, at its first opening; tomorrow at midnight when the store has no
/// hours (always open). None when the hours never open (nothing can be promised).
pub fn promise_pickup_here(hours: Option<&OpeningHours>, now: LocalTime) -> Option<PickupPromise> {
    let weekday_after = |days: u8| (now.weekday.clamp(1, 7) - 1 + days) % 7 + 1;
    let Some(hours) = hours else {
        return Some(PickupPromise { days_ahead: 1, weekday: weekday_after(1), opens_at_minute: 0 });
    };
    (1..=7u8).find_map(|days| {
        let weekday = weekday_after(days);
        hours.ranges(weekday).first().map(|(start, _)| PickupPromise {
            days_ahead: days,
            weekday,
            opens_at_minute: *start,
        })
    })
}

/// What a shipment's step does to the order's part it carries: delivered hands it over (the
/// held units sold, nothing more to pay: the tablet was paid), cancelled voids it (the units
/// released, what it cost refunded). Other steps leave the part as it is. A part already
/// handed over or voided cannot follow (`IllegalTransition`).
pub fn part_plan_for_shipment(
    step: &ShipmentStep,
    part_status: FulfillmentStatus,
    subtotal: Money,
) -> Result<Option<TransitionPlan>, DomainError> {
    let Some(stock) = step.stock else { return Ok(None) };
    let (to, stock, money) = match stock {
        ShipmentStock::Sell => (FulfillmentStatus::Collected, StockEffect::Sell, None),
        ShipmentStock::Release => {
            (FulfillmentStatus::Cancelled, StockEffect::Release, Some(MoneyEffect::Refund(subtotal)))
        }
    };
    if part_status.is_voided() || part_status == FulfillmentStatus::Collected {
        return Err(DomainError::IllegalTransition { from: part_status, to });
    }
    Ok(Some(TransitionPlan { from: part_status, to, stock: Some(stock), money }))
}

/// A pickup here whose units arrived at the store: the part becomes `ready` (the customer is
/// told, with the pickup code). Only a part not yet ready, handed over or voided can.
pub fn part_plan_for_arrival(part_status: FulfillmentStatus) -> Result<TransitionPlan, DomainError> {
    use FulfillmentStatus::*;
    match part_status {
        Placed | Accepted | Preparing => Ok(TransitionPlan { from: part_status, to: Ready, stock: None, money: None }),
        Ready | Collected | Rejected | Cancelled => {
            Err(DomainError::IllegalTransition { from: part_status, to: Ready })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hours(json: &str) -> Result<OpeningHours, DomainError> {
        OpeningHours::parse(json)
    }

    #[test]
    fn tomorrow_at_opening_or_the_next_open_day() -> Result<(), DomainError> {
        let week = hours(
            r#"{"1": [["10:00", "20:00"]], "2": [["11:00", "14:00"], ["16:00", "20:00"]], "6": [["10:00", "14:00"]]}"#,
        )?;
        let monday_evening = LocalTime { weekday: 1, minute: 19 * 60 };
        assert_eq!(
            promise_pickup_here(Some(&week), monday_evening),
            Some(PickupPromise { days_ahead: 1, weekday: 2, opens_at_minute: 11 * 60 })
        );
        let tuesday = LocalTime { weekday: 2, minute: 9 * 60 };
        assert_eq!(
            promise_pickup_here(Some(&week), tuesday),
            Some(PickupPromise { days_ahead: 4, weekday: 6, opens_at_minute: 10 * 60 }),
            "closed Wednesday to Friday: Saturday"
        );
        let saturday = LocalTime { weekday: 6, minute: 0 };
        assert_eq!(promise_pickup_here(Some(&week), saturday).map(|p| (p.days_ahead, p.weekday)), Some((2, 1)));
        assert_eq!(
            promise_pickup_here(None, LocalTime { weekday: 7, minute: 600 }),
            Some(PickupPromise { days_ahead: 1, weekday: 1, opens_at_minute: 0 })
        );
        assert_eq!(promise_pickup_here(Some(&hours("{}")?), saturday), None, "never open: no promise");
        Ok(())
    }

    #[test]
    fn delivered_sells_the_part_and_cancelled_releases_and_refunds() -> Result<(), DomainError> {
        use crate::Currency;
        use crate::shipment::{ShipmentStatus, plan_shipment_step};
        let subtotal = Money::new(89_990, Currency::Clp);
        let picked = plan_shipment_step(ShipmentStatus::Pending, ShipmentStatus::Picked, None)
            .map_err(|e| DomainError::invalid("step", e.to_string()))?;
        assert_eq!(part_plan_for_shipment(&picked, FulfillmentStatus::Placed, subtotal)?, None);
        let delivered = plan_shipment_step(ShipmentStatus::Shipped, ShipmentStatus::Delivered, None)
            .map_err(|e| DomainError::invalid("step", e.to_string()))?;
        let plan = part_plan_for_shipment(&delivered, FulfillmentStatus::Placed, subtotal)?;
        assert_eq!(
            plan.map(|p| (p.to, p.stock, p.money)),
            Some((FulfillmentStatus::Collected, Some(StockEffect::Sell), None))
        );
        let cancelled = plan_shipment_step(ShipmentStatus::Packed, ShipmentStatus::Cancelled, None)
            .map_err(|e| DomainError::invalid("step", e.to_string()))?;
        let plan = part_plan_for_shipment(&cancelled, FulfillmentStatus::Accepted, subtotal)?;
        assert_eq!(plan.and_then(|p| p.money), Some(MoneyEffect::Refund(subtotal)));
        assert!(part_plan_for_shipment(&cancelled, FulfillmentStatus::Cancelled, subtotal).is_err());
        Ok(())
    }

    #[test]
    fn an_arrival_makes_the_part_ready_once() {
        assert_eq!(part_plan_for_arrival(FulfillmentStatus::Placed).map(|p| p.to), Ok(FulfillmentStatus::Ready));
        for done in [FulfillmentStatus::Ready, FulfillmentStatus::Collected, FulfillmentStatus::Cancelled] {
            assert!(part_plan_for_arrival(done).is_err());
        }
    }

    #[test]
    fn fulfilment_names_read_back() {
        for kind in [AisleFulfilment::Delivery, AisleFulfilment::PickupHere] {
            assert_eq!(AisleFulfilment::parse(kind.as_str()), Ok(kind));
        }
        assert!(AisleFulfilment::parse("drone").is_err());
    }

    proptest! {
        /// Whatever the week and the moment, a promise is never today, is within a week, falls
        /// on a day the store opens, at that day's first opening.
        #[test]
        fn a_promise_is_a_later_day_the_store_opens(
            open_days in proptest::collection::btree_set(1u8..=7, 0..=7),
            start_hour in 0u16..23,
            weekday in 1u8..=7,
            minute in 0u16..1440,
        ) {
            let days: Vec<String> = open_days
                .iter()
                .map(|day| format!(r#""{day}": [["{start_hour:02}:00", "23:30"]]"#))
                .collect();
            let week = OpeningHours::parse(&format!("{{{}}}", days.join(", "))).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let promise = promise_pickup_here(Some(&week), LocalTime { weekday, minute });
            match promise {
                None => prop_assert!(open_days.is_empty()),
                Some(promise) => {
                    prop_assert!((1..=7).contains(&promise.days_ahead));
                    prop_assert_eq!(promise.weekday, (weekday - 1 + promise.days_ahead) % 7 + 1);
                    prop_assert!(open_days.contains(&promise.weekday));
                    prop_assert_eq!(promise.opens_at_minute, start_hour * 60);
                    for earlier in 1..promise.days_ahead {
                        prop_assert!(!open_days.contains(&((weekday - 1 + earlier) % 7 + 1)), "an earlier open day was skipped");
                    }
                }
            }
        }
    }
}
