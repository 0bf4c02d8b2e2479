//! Promotions and coupons: what they give, where and when they apply, and why one did not.

use serde::{Deserialize, Serialize};

use crate::catalog::{MAX_QUANTITY_PER_LINE, Sku};
use crate::{DomainError, Money};

/// Who pays for a promotion's discount; settlement shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Funder {
    /// The merchant whose lines are discounted gives up the revenue.
    Merchant,
    /// The site's operator (the mall) pays the merchant back.
    Operator,
}

impl Funder {
    /// Parses `merchant` or `operator`.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        match raw {
            "merchant" => Ok(Funder::Merchant),
            "operator" => Ok(Funder::Operator),
            _ => Err(DomainError::invalid("funded_by", "must be merchant or operator")),
        }
    }
}

/// What a promotion gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PromotionKind {
    /// A percentage off each matching line.
    PercentOffLines {
        /// Basis points off (1 000 = 10 %), 1 to 10 000.
        bps: u32,
        /// Matching SKUs; empty means every line in scope.
        #[serde(default)]
        skus: Vec<String>,
    },
    /// A fixed amount off each matching unit (never below zero).
    AmountOffLines {
        /// Off each unit.
        amount: Money,
        /// Matching SKUs; empty means every line in scope.
        #[serde(default)]
        skus: Vec<String>,
    },
    /// A percentage off the order's lines in scope.
    PercentOffOrder {
        /// Basis points off, 1 to 10 000.
        bps: u32,
    },
    /// A fixed amount off the order's lines in scope (never below zero).
    AmountOffOrder {
        /// Off the lines in scope, shared among them in proportion to their amounts.
        amount: Money,
    },
    /// Buy `buy` units of the matching SKUs, get the next `get` (the cheapest of each group)
    /// at `get_off_bps` off: 2×1 is `buy 1, get 1, 10 000`.
    BuyXGetY {
        /// Matching SKUs (at one location).
        skus: Vec<String>,
        /// Units paid in full per group.
        buy: i64,
        /// Units discounted per group.
        get: i64,
        /// Basis points off the discounted units; 10 000 makes them free.
        get_off_bps: u32,
    },
    /// A combo: the components together (at one location) cost `price`.
    Bundle {
        /// SKU and units of each component.
        components: Vec<BundleComponent>,
        /// Price of one complete set.
        price: Money,
    },
}

/// One component of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleComponent {
    /// The SKU.
    pub sku: String,
    /// Units of it in one set.
    pub quantity: i64,
}

impl PromotionKind {
    /// True for kinds applied to lines before order-level kinds.
    pub fn is_line_level(&self) -> bool {
        !matches!(self, PromotionKind::PercentOffOrder { .. } | PromotionKind::AmountOffOrder { .. })
    }

    /// The SKUs a line-level kind is restricted to (empty: any).
    pub fn skus(&self) -> Vec<&str> {
        match self {
            PromotionKind::PercentOffLines { skus, .. }
            | PromotionKind::AmountOffLines { skus, .. }
            | PromotionKind::BuyXGetY { skus, .. } => skus.iter().map(String::as_str).collect(),
            PromotionKind::Bundle { components, .. } => components.iter().map(|c| c.sku.as_str()).collect(),
            PromotionKind::PercentOffOrder { .. } | PromotionKind::AmountOffOrder { .. } => Vec::new(),
        }
    }
}

/// Weekdays and a local time window, e.g. Monday to Friday 15:00–18:00.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HappyHour {
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    pub weekdays: Vec<u8>,
    /// Start, minutes after local midnight (inclusive).
    pub start_minute: u16,
    /// End, minutes after local midnight (exclusive); before `start_minute` it runs past midnight.
    pub end_minute: u16,
}

impl HappyHour {
    /// Whether the local time falls in the window (a window past midnight belongs to the day it starts).
    pub fn contains(&self, at: LocalTime) -> bool {
        if self.start_minute <= self.end_minute {
            self.weekdays.contains(&at.weekday) && at.minute >= self.start_minute && at.minute < self.end_minute
        } else {
            let previous_day = if at.weekday == 1 { 7 } else { at.weekday - 1 };
            (self.weekdays.contains(&at.weekday) && at.minute >= self.start_minute)
                || (self.weekdays.contains(&previous_day) && at.minute < self.end_minute)
        }
    }
}

/// The site's local wall-clock time, as happy hours read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalTime {
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// Minutes after local midnight.
    pub minute: u16,
}

/// A promotion as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promotion {
    /// Identifier.
    pub id: String,
    /// Name shown to customers and staff.
    pub name: String,
    /// The merchant it belongs to; `None` for a site-wide promotion of the operator.
    pub merchant_id: Option<String>,
    /// Who pays for the discount.
    pub funded_by: Funder,
    /// What it gives.
    pub kind: PromotionKind,
    /// Channels it applies to; empty means all.
    pub channels: Vec<String>,
    /// Locations it applies to; empty means all of its scope.
    pub location_ids: Vec<String>,
    /// Valid from (Unix ms, inclusive).
    pub valid_from_ms: Option<i64>,
    /// Valid until (Unix ms, exclusive).
    pub valid_to_ms: Option<i64>,
    /// Only during these local hours.
    pub happy_hour: Option<HappyHour>,
    /// The lines in scope must add up to at least this (after discounts already applied).
    pub min_spend: Option<Money>,
    /// Only with one of its coupon codes.
    pub requires_coupon: bool,
    /// Higher goes first.
    pub priority: i32,
    /// Does not combine with other promotions (see the engine's stacking rules).
    pub exclusive: bool,
    /// Switched off promotions are ignored.
    pub active: bool,
}

/// Largest priority accepted.
pub const MAX_PRIORITY: i32 = 1_000_000;
/// Most SKUs or bundle components one promotion may name.
pub const MAX_PROMOTION_SKUS: usize = 500;

impl Promotion {
    /// Checks the promotion's own values; every message names its field.
    pub fn validate(&self) -> Result<(), DomainError> {
        check_kind(&self.kind)?;
        if let (Some(from), Some(to)) = (self.valid_from_ms, self.valid_to_ms)
            && from >= to
        {
            return Err(DomainError::invalid("valid_to", "must be after valid_from"));
        }
        if let Some(hours) = &self.happy_hour {
            check_happy_hour(hours)?;
        }
        if let Some(min) = self.min_spend
            && min.amount_minor < 0
        {
            return Err(DomainError::invalid("min_spend", "must not be negative"));
        }
        if self.priority.abs() > MAX_PRIORITY {
            return Err(DomainError::invalid(
                "priority",
                format!("must be between -{MAX_PRIORITY} and {MAX_PRIORITY}"),
            ));
        }
        Ok(())
    }
}

/// The values of each kind, checked by the rules of its own fields.
fn check_kind(kind: &PromotionKind) -> Result<(), DomainError> {
    match kind {
        PromotionKind::PercentOffLines { bps, skus } => {
            check_percent("kind.bps", *bps)?;
            check_skus("kind.skus", skus, false)
        }
        PromotionKind::AmountOffLines { amount, skus } => {
            check_positive("kind.amount", *amount)?;
            check_skus("kind.skus", skus, false)
        }
        PromotionKind::PercentOffOrder { bps } => check_percent("kind.bps", *bps),
        PromotionKind::AmountOffOrder { amount } => check_positive("kind.amount", *amount),
        PromotionKind::BuyXGetY { skus, buy, get, get_off_bps } => check_buy_x_get_y(skus, *buy, *get, *get_off_bps),
        PromotionKind::Bundle { components, price } => check_bundle(components, *price),
    }
}

fn check_percent(field: &str, bps: u32) -> Result<(), DomainError> {
    if bps == 0 || bps > 10_000 {
        Err(DomainError::invalid(field, "must be more than 0 and at most 10000 basis points (100%)"))
    } else {
        Ok(())
    }
}

fn check_positive(field: &str, amount: Money) -> Result<(), DomainError> {
    if amount.amount_minor <= 0 { Err(DomainError::invalid(field, "must be more than zero")) } else { Ok(()) }
}

/// A bounded list of valid SKUs; `required` when the kind means nothing without one.
fn check_skus(field: &str, skus: &[String], required: bool) -> Result<(), DomainError> {
    if required && skus.is_empty() {
        return Err(DomainError::invalid(field, "must name at least one SKU"));
    }
    if skus.len() > MAX_PROMOTION_SKUS {
        return Err(DomainError::invalid(field, format!("may name at most {MAX_PROMOTION_SKUS} SKUs")));
    }
    skus.iter().try_for_each(|sku| Sku::parse(sku).map(|_| ()).map_err(|e| DomainError::invalid(field, e.to_string())))
}

/// The engine divides by `buy + get`, so both must be real quantities.
fn check_buy_x_get_y(skus: &[String], buy: i64, get: i64, get_off_bps: u32) -> Result<(), DomainError> {
    check_skus("kind.skus", skus, true)?;
    if !(1..=MAX_QUANTITY_PER_LINE).contains(&buy) {
        return Err(DomainError::invalid("kind.buy", "must be at least 1"));
    }
    if !(1..=MAX_QUANTITY_PER_LINE).contains(&get) {
        return Err(DomainError::invalid("kind.get", "must be at least 1"));
    }
    check_percent("kind.get_off_bps", get_off_bps)
}

/// A bundle is at least two units of distinct SKUs, each named once, at a price not below zero.
fn check_bundle(components: &[BundleComponent], price: Money) -> Result<(), DomainError> {
    let names: Vec<String> = components.iter().map(|c| c.sku.clone()).collect();
    check_skus("kind.components", &names, true)?;
    let units: i64 = components.iter().map(|c| c.quantity.clamp(0, MAX_QUANTITY_PER_LINE)).sum();
    if components.iter().any(|c| !(1..=MAX_QUANTITY_PER_LINE).contains(&c.quantity)) {
        return Err(DomainError::invalid("kind.components", "each component needs a quantity of at least 1"));
    }
    if units < 2 {
        return Err(DomainError::invalid("kind.components", "a bundle needs at least two units"));
    }
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != names.len() {
        return Err(DomainError::invalid("kind.components", "name each SKU once, with its quantity"));
    }
    if price.amount_minor < 0 {
        return Err(DomainError::invalid("kind.price", "must not be negative"));
    }
    Ok(())
}

/// Weekdays from 1 to 7 and two different minutes of the day.
fn check_happy_hour(hours: &HappyHour) -> Result<(), DomainError> {
    if hours.weekdays.is_empty() || hours.weekdays.iter().any(|day| !(1..=7).contains(day)) {
        return Err(DomainError::invalid("happy_hour.weekdays", "must list weekdays from 1 (Monday) to 7 (Sunday)"));
    }
    if hours.start_minute >= 1_440 || hours.end_minute >= 1_440 || hours.start_minute == hours.end_minute {
        return Err(DomainError::invalid("happy_hour", "start and end must be different times of day"));
    }
    Ok(())
}

/// A coupon code as found for the customer, with its usage so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CouponState {
    /// The code, upper case.
    pub code: String,
    /// The promotion it unlocks.
    pub promotion_id: String,
    /// Redemptions allowed in all (`None`: no limit).
    pub usage_limit: Option<i64>,
    /// Redemptions so far.
    pub used: i64,
    /// Redemptions allowed per customer (`None`: no limit).
    pub per_customer_limit: Option<i64>,
    /// This customer's redemptions so far; `None` when the customer gave no email or phone.
    pub used_by_customer: Option<i64>,
    /// Switched off coupons are refused.
    pub active: bool,
}

/// Normalises a coupon code as typed: trimmed, upper case.
pub fn normalize_code(raw: &str) -> String {
    raw.trim().to_uppercase()
}

/// Why a promotion or coupon did not apply. Serialised as `{code, message}`-friendly snake_case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum NotAppliedReason {
    /// Switched off.
    Inactive,
    /// Its window has not begun.
    NotStarted,
    /// Its window is over.
    Expired,
    /// Not offered through this channel.
    WrongChannel,
    /// Not offered at this line's location.
    WrongLocation,
    /// Outside its happy hour.
    OutsideHappyHour,
    /// It needs a coupon code that was not entered.
    CouponRequired,
    /// The coupon is used up.
    CouponLimitReached,
    /// This customer used the coupon as often as allowed.
    CustomerLimitReached,
    /// The coupon is limited per customer and the customer gave no email or phone.
    CustomerUnknown,
    /// No coupon has this code.
    UnknownCoupon,
    /// The lines in scope add up to less than the minimum.
    MinimumNotMet {
        /// The minimum.
        minimum: Money,
        /// What the lines in scope add up to.
        actual: Money,
    },
    /// Too few matching units for one group or set.
    NotEnoughItems {
        /// Units needed.
        needed: i64,
        /// Units present.
        present: i64,
    },
    /// The units were already discounted by a promotion of higher priority.
    AlreadyDiscounted {
        /// That promotion.
        by: String,
    },
    /// An exclusive promotion and this one cannot both apply.
    NotCombinable {
        /// The promotion it clashes with.
        with: String,
    },
    /// It would take nothing off: the bundle price is not below the items' own prices, or the
    /// lines in scope have nothing left to discount.
    NoSaving,
}

impl NotAppliedReason {
    /// A plain sentence for staff and customers.
    pub fn message(&self) -> String {
        match self {
            NotAppliedReason::Inactive => "the promotion is switched off".into(),
            NotAppliedReason::NotStarted => "the promotion has not started yet".into(),
            NotAppliedReason::Expired => "the promotion has expired".into(),
            NotAppliedReason::WrongChannel => "the promotion is not offered through this channel".into(),
            NotAppliedReason::WrongLocation => "the promotion is not offered at this location".into(),
            NotAppliedReason::OutsideHappyHour => "outside the promotion's hours".into(),
            NotAppliedReason::CouponRequired => "needs a coupon code".into(),
            NotAppliedReason::CouponLimitReached => "the coupon has reached its usage limit".into(),
            NotAppliedReason::CustomerLimitReached => "this customer has used the coupon as often as allowed".into(),
            NotAppliedReason::CustomerUnknown => "the coupon is limited per customer: give an email or phone".into(),
            NotAppliedReason::UnknownCoupon => "no coupon has this code".into(),
            NotAppliedReason::MinimumNotMet { minimum, actual } => {
                format!("minimum spend {} not met ({})", minimum.display(), actual.display())
            }
            NotAppliedReason::NotEnoughItems { needed, present } => {
                format!("needs {needed} matching items, the cart has {present}")
            }
            NotAppliedReason::AlreadyDiscounted { by } => format!("already discounted by {by}, which goes first"),
            NotAppliedReason::NotCombinable { with } => format!("does not combine with {with}"),
            NotAppliedReason::NoSaving => {
                "no saving: the bundle price is not below the items' prices, or nothing is left to discount".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    pub(crate) fn promotion(kind: PromotionKind) -> Promotion {
        Promotion {
            id: "p".into(),
            name: "p".into(),
            merchant_id: Some("m".into()),
            funded_by: Funder::Merchant,
            kind,
            channels: vec![],
            location_ids: vec![],
            valid_from_ms: None,
            valid_to_ms: None,
            happy_hour: None,
            min_spend: None,
            requires_coupon: false,
            priority: 0,
            exclusive: false,
            active: true,
        }
    }

    #[test]
    fn validation_names_the_field() {
        let over = promotion(PromotionKind::PercentOffOrder { bps: 10_001 });
        assert!(matches!(over.validate(), Err(DomainError::Invalid { field, .. }) if field == "kind.bps"));
        let negative = promotion(PromotionKind::AmountOffOrder { amount: Money::new(-1, Currency::Clp) });
        assert!(negative.validate().is_err());
        let single = promotion(PromotionKind::Bundle {
            components: vec![BundleComponent { sku: "A".into(), quantity: 1 }],
            price: Money::new(1, Currency::Clp),
        });
        assert!(single.validate().is_err());
        let mut hours = promotion(PromotionKind::PercentOffOrder { bps: 1_000 });
        hours.happy_hour = Some(HappyHour { weekdays: vec![8], start_minute: 0, end_minute: 60 });
        assert!(hours.validate().is_err());
        assert!(promotion(PromotionKind::PercentOffOrder { bps: 10_000 }).validate().is_ok());
    }

    #[test]
    fn happy_hour_windows() {
        let weekday_afternoon = HappyHour { weekdays: vec![1, 2, 3, 4, 5], start_minute: 15 * 60, end_minute: 18 * 60 };
        assert!(weekday_afternoon.contains(LocalTime { weekday: 3, minute: 16 * 60 }));
        assert!(!weekday_afternoon.contains(LocalTime { weekday: 3, minute: 18 * 60 }));
        assert!(!weekday_afternoon.contains(LocalTime { weekday: 6, minute: 16 * 60 }));
        let late = HappyHour { weekdays: vec![5], start_minute: 22 * 60, end_minute: 60 };
        assert!(late.contains(LocalTime { weekday: 5, minute: 23 * 60 }));
        assert!(late.contains(LocalTime { weekday: 6, minute: 30 }), "Friday's window runs into Saturday");
        assert!(!late.contains(LocalTime { weekday: 5, minute: 30 }));
    }
}
