//! Every reason a promotion does not apply, each checked on the promotion's outcome and on the
//! lines it targets; the same promotions applying once their gates open; promotions that give
//! nothing, skipped validation, or belong to another merchant.

use super::*;
use crate::pricing::promotion::HappyHour;

struct GateCase {
    name: &'static str,
    shop: Shop,
    lines: Vec<CartLine>,
    /// The promotion that must not apply, and why.
    promotion: &'static str,
    reason: NotAppliedReason,
    /// The first coupon's promotion and why it did not apply, when a code was entered.
    coupon: Option<(Option<&'static str>, NotAppliedReason)>,
}

/// Every case: the promotion's own gates, then its coupon's, then those of the lines it meets.
fn gate_cases() -> Result<Vec<GateCase>, DomainError> {
    Ok([promotion_gate_cases()?, coupon_gate_cases()?, line_gate_cases()?].into_iter().flatten().collect())
}

/// 10 % off every line of m1, so that the reason also shows on the line.
fn gated() -> Promotion {
    promo("p", percent_lines(1_000, &[]))
}

fn shop_where(change: fn(&mut Promotion)) -> Shop {
    Shop::new(vec![with(gated(), change)])
}

/// A shop whose promotion needs a coupon, with `code` entered and `state` found for it.
fn coupon_shop(code: &str, state: CouponState) -> Shop {
    let mut shop = Shop::new(vec![with(gated(), |p| p.requires_coupon = true)]);
    shop.codes = vec![code.to_owned()];
    shop.coupons = vec![state];
    shop
}

fn pizza() -> Result<CartLine, DomainError> {
    item("PIZZA", 1, 12_990)
}

/// Switched off, outside its window, channel, location or hours.
fn promotion_gate_cases() -> Result<Vec<GateCase>, DomainError> {
    let mut wrong_channel = shop_where(|p| p.channels = vec!["web".into(), "kiosk".into()]);
    wrong_channel.channel = "qr".into();
    Ok(vec![
        GateCase {
            name: "switched off",
            shop: shop_where(|p| p.active = false),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::Inactive,
            coupon: None,
        },
        GateCase {
            name: "not started (from is inclusive, so one ms early)",
            shop: shop_where(|p| p.valid_from_ms = Some(NOW + 1)),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::NotStarted,
            coupon: None,
        },
        GateCase {
            name: "expired (to is exclusive)",
            shop: shop_where(|p| {
                p.valid_from_ms = Some(NOW - 1_000);
                p.valid_to_ms = Some(NOW);
            }),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::Expired,
            coupon: None,
        },
        GateCase {
            name: "wrong channel",
            shop: wrong_channel,
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::WrongChannel,
            coupon: None,
        },
        GateCase {
            name: "wrong location",
            shop: shop_where(|p| p.location_ids = vec!["l2".into()]),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::WrongLocation,
            coupon: None,
        },
        GateCase {
            name: "outside happy hour (weekdays 17:00–19:00, now Wednesday 16:00)",
            shop: shop_where(|p| {
                p.happy_hour =
                    Some(HappyHour { weekdays: vec![1, 2, 3, 4, 5], start_minute: 17 * 60, end_minute: 19 * 60 })
            }),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::OutsideHappyHour,
            coupon: None,
        },
    ])
}

/// No coupon, an unknown one, or one the customer may not use.
fn coupon_gate_cases() -> Result<Vec<GateCase>, DomainError> {
    Ok(vec![
        GateCase {
            name: "coupon required and none entered",
            shop: shop_where(|p| p.requires_coupon = true),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::CouponRequired,
            coupon: None,
        },
        GateCase {
            name: "unknown coupon",
            shop: {
                let mut shop = coupon_shop("NOPE", coupon("WELCOME", "p"));
                shop.codes = vec![" nope ".into()];
                shop
            },
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::CouponRequired,
            coupon: Some((None, NotAppliedReason::UnknownCoupon)),
        },
        GateCase {
            name: "coupon used up",
            shop: coupon_shop("welcome", CouponState { usage_limit: Some(100), used: 100, ..coupon("WELCOME", "p") }),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::CouponLimitReached,
            coupon: Some((Some("p"), NotAppliedReason::CouponLimitReached)),
        },
        GateCase {
            name: "coupon switched off",
            shop: coupon_shop("welcome", CouponState { active: false, ..coupon("WELCOME", "p") }),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::Inactive,
            coupon: Some((Some("p"), NotAppliedReason::Inactive)),
        },
        GateCase {
            name: "customer used the coupon as often as allowed",
            shop: coupon_shop(
                "welcome",
                CouponState { per_customer_limit: Some(1), used_by_customer: Some(1), ..coupon("WELCOME", "p") },
            ),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::CustomerLimitReached,
            coupon: Some((Some("p"), NotAppliedReason::CustomerLimitReached)),
        },
        GateCase {
            name: "coupon limited per customer and the customer is unknown",
            shop: coupon_shop(
                "welcome",
                CouponState { per_customer_limit: Some(1), used_by_customer: None, ..coupon("WELCOME", "p") },
            ),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::CustomerUnknown,
            coupon: Some((Some("p"), NotAppliedReason::CustomerUnknown)),
        },
    ])
}

/// Minimum spend, too few items, and the stacking rules.
fn line_gate_cases() -> Result<Vec<GateCase>, DomainError> {
    let mut not_combinable = Shop::new(vec![
        with(promo("first", percent_lines(1_000, &[])), |p| p.exclusive = true),
        promo("p", percent_order(500)),
    ]);
    not_combinable.channel = "pos".into();
    Ok(vec![
        GateCase {
            name: "minimum spend not met",
            shop: shop_where(|p| p.min_spend = Some(clp(20_000))),
            lines: vec![pizza()?, item("SODA", 2, 1_990)?],
            promotion: "p",
            reason: NotAppliedReason::MinimumNotMet { minimum: clp(20_000), actual: clp(16_970) },
            coupon: None,
        },
        GateCase {
            name: "not enough items for a 3×2",
            shop: Shop::new(vec![promo("p", buy_get(&["PIZZA", "SODA"], 2, 1, 10_000))]),
            lines: vec![pizza()?, item("SODA", 1, 1_990)?],
            promotion: "p",
            reason: NotAppliedReason::NotEnoughItems { needed: 3, present: 2 },
            coupon: None,
        },
        GateCase {
            name: "already discounted by a line promotion that goes first",
            shop: Shop::new(vec![with(promo("first", amount_lines(500, &[])), |p| p.priority = 1), gated()]),
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::AlreadyDiscounted { by: name("first") },
            coupon: None,
        },
        GateCase {
            name: "not combinable with an exclusive line promotion",
            shop: not_combinable,
            lines: vec![pizza()?],
            promotion: "p",
            reason: NotAppliedReason::NotCombinable { with: name("first") },
            coupon: None,
        },
    ])
}

#[test]
fn every_reason_a_promotion_does_not_apply() -> TestResult {
    for case in gate_cases()? {
        let quote = case.shop.quote(case.lines)?;
        assert_refused(&quote, case.promotion, &case.reason).map_err(|e| missing(format!("{}: {e}", case.name)))?;
        let line_level =
            case.shop.promotions.iter().find(|p| p.id == case.promotion).is_some_and(|p| p.kind.is_line_level());
        for quoted in &quote.lines {
            let expected = if line_level { vec![&case.reason] } else { vec![] };
            assert_eq!(reasons_on(quoted, case.promotion), expected, "{}: {}", case.name, quoted.sku);
            let note = quoted.not_applied.iter().find(|n| n.promotion_id == case.promotion);
            if let Some(note) = note {
                assert_eq!(note.message, case.reason.message(), "{}", case.name);
                assert_eq!(note.name, name(case.promotion), "{}", case.name);
            }
            assert!(quoted.discounts.iter().all(|d| d.promotion_id != case.promotion), "{}", case.name);
        }
        match &case.coupon {
            None => assert!(quote.coupons.is_empty(), "{}", case.name),
            Some((promotion_id, reason)) => {
                assert_eq!(quote.coupons.len(), 1, "{}", case.name);
                let coupon = &quote.coupons[0];
                assert_eq!(coupon.promotion_id.as_deref(), *promotion_id, "{}", case.name);
                assert!(!coupon.applied, "{}", case.name);
                assert_eq!(coupon.reason.as_ref(), Some(reason), "{}", case.name);
                assert_eq!(coupon.message.as_deref(), Some(reason.message().as_str()), "{}", case.name);
                assert_eq!(quote.redeemed_coupons().count(), 0, "{}", case.name);
            }
        }
    }
    Ok(())
}

#[test]
fn the_same_promotions_apply_when_their_gates_open() -> TestResult {
    // Each gate case's promotion, with its condition met, applies: the gates are not stuck shut.
    let happy = HappyHour { weekdays: vec![3], start_minute: 15 * 60, end_minute: 17 * 60 };
    let late = HappyHour { weekdays: vec![2], start_minute: 22 * 60, end_minute: 60 };
    let open = [
        with(promo("p", percent_lines(1_000, &[])), |p| {
            p.valid_from_ms = Some(NOW);
            p.valid_to_ms = Some(NOW + 1);
            p.channels = vec!["qr".into()];
            p.location_ids = vec!["l1".into()];
            p.happy_hour = Some(happy.clone());
            p.min_spend = Some(clp(12_990));
        }),
        with(promo("p", percent_lines(1_000, &[])), |p| p.happy_hour = Some(late.clone())),
    ];
    for (index, promotion) in open.into_iter().enumerate() {
        let mut shop = Shop::new(vec![promotion]);
        if index == 1 {
            // Tuesday's 22:00–01:00 window, at 00:30 on Wednesday.
            shop.local = LocalTime { weekday: 3, minute: 30 };
        }
        let quote = shop.quote(vec![item("PIZZA", 1, 12_990)?])?;
        assert_eq!(quote.discount.amount_minor, 1_299, "case {index}");
        assert!(outcome(&quote, "p")?.applied, "case {index}");
    }
    Ok(())
}

#[test]
fn a_promotion_that_would_give_nothing_does_not_apply() -> TestResult {
    // 0.01 % of $100 rounds to nothing: the promotion does not apply and its coupon is not used.
    let mut shop = Shop::new(vec![with(promo("p", percent_order(1)), |p| p.requires_coupon = true)]);
    shop.codes = vec!["tiny".into()];
    shop.coupons = vec![coupon("TINY", "p")];
    let quote = shop.quote(vec![item("GUM", 1, 100)?])?;
    assert_refused(&quote, "p", &NotAppliedReason::NoSaving)?;
    assert_eq!(
        (quote.coupons[0].applied, quote.coupons[0].reason.as_ref()),
        (false, Some(&NotAppliedReason::NoSaving))
    );
    assert_eq!(quote.redeemed_coupons().count(), 0);
    // A free item takes nothing off: the line says so and keeps no discount entry.
    let quote = Shop::new(vec![promo("p", amount_lines(500, &["FREE"]))]).quote(vec![item("FREE", 2, 0)?])?;
    assert_refused(&quote, "p", &NotAppliedReason::NoSaving)?;
    let free = line(&quote, "FREE")?;
    assert!(free.discounts.is_empty());
    assert_eq!(reasons_on(free, "p"), vec![&NotAppliedReason::NoSaving]);
    Ok(())
}

#[test]
fn promotions_that_skipped_validation_do_not_panic() -> TestResult {
    let broken = vec![
        promo("empty-group", buy_get(&["A"], 0, 0, 10_000)),
        promo("zero-component", bundle(&[("A", 0), ("B", 1)], 100)),
        promo("huge-group", buy_get(&["A"], i64::MAX, 1, 10_000)),
    ];
    assert!(broken.iter().all(|p| p.validate().is_err()));
    let quote = Shop::new(broken).quote(items(&[("A", 3, 1_000), ("B", 1, 1_000)])?)?;
    assert_eq!(quote.discount.amount_minor, 0);
    assert!(quote.promotions.iter().all(|o| !o.applied));
    // A negative price (refused by the catalog) takes no discount rather than panicking.
    let negative = Shop::new(vec![promo("p", percent_lines(1_000, &[]))]).quote(vec![item("A", 1, -100)?])?;
    assert_eq!((negative.discount.amount_minor, negative.total.amount_minor), (0, -100));
    Ok(())
}

#[test]
fn a_promotion_of_another_merchant_is_not_considered() -> TestResult {
    let theirs = with(promo("p", percent_order(1_000)), |p| p.merchant_id = Some("m2".into()));
    let quote = Shop::new(vec![theirs]).quote(vec![item("PIZZA", 1, 12_990)?])?;
    assert!(quote.promotions.is_empty());
    assert_eq!(quote.total.amount_minor, 12_990);
    Ok(())
}
