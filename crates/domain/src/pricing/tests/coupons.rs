//! Coupons that unlock their promotion: codes normalised and counted once, a use counted only
//! when the promotion gave something, and each code's own verdict when two unlock one promotion.

use super::*;

#[test]
fn a_valid_coupon_unlocks_its_promotion_and_is_redeemed() -> TestResult {
    let mut shop = Shop::new(vec![with(promo("p", amount_order(2_000)), |p| p.requires_coupon = true)]);
    shop.codes = vec![" welcome ".into(), "WELCOME".into(), "other".into()];
    shop.coupons = vec![CouponState {
        usage_limit: Some(100),
        used: 99,
        per_customer_limit: Some(2),
        used_by_customer: Some(1),
        ..coupon("WELCOME", "p")
    }];
    let quote = shop.quote(vec![item("PIZZA", 1, 12_990)?])?;
    assert_eq!(quote.total.amount_minor, 10_990);
    assert!(outcome(&quote, "p")?.applied);
    // Codes are normalised and counted once; the unknown one says so.
    assert_eq!(quote.coupons.len(), 2);
    let (welcome, other) = (&quote.coupons[0], &quote.coupons[1]);
    assert_eq!((welcome.code.as_str(), welcome.promotion_id.as_deref(), welcome.applied), ("WELCOME", Some("p"), true));
    assert_eq!((&welcome.reason, &welcome.message), (&None, &None));
    assert_eq!(
        (other.code.as_str(), other.applied, other.reason.as_ref()),
        ("OTHER", false, Some(&NotAppliedReason::UnknownCoupon))
    );
    assert_eq!(quote.redeemed_coupons().map(|c| c.code.as_str()).collect::<Vec<_>>(), vec!["WELCOME"]);
    Ok(())
}

#[test]
fn a_valid_coupon_whose_promotion_gives_nothing_is_not_redeemed() -> TestResult {
    let mut shop = Shop::new(vec![with(promo("p", amount_order(2_000)), |p| {
        p.requires_coupon = true;
        p.min_spend = Some(clp(50_000));
    })]);
    shop.codes = vec!["welcome".into()];
    shop.coupons = vec![coupon("WELCOME", "p")];
    let quote = shop.quote(vec![item("PIZZA", 1, 12_990)?])?;
    let reason = NotAppliedReason::MinimumNotMet { minimum: clp(50_000), actual: clp(12_990) };
    assert_refused(&quote, "p", &reason)?;
    assert_eq!(quote.coupons[0].reason.as_ref(), Some(&reason));
    assert!(!quote.coupons[0].applied);
    assert_eq!(quote.redeemed_coupons().count(), 0);
    Ok(())
}

#[test]
fn each_code_reports_its_own_verdict() -> TestResult {
    // Two codes of one promotion, one used up: the valid one unlocks it, the other says why not.
    for codes in [["old", "new"], ["new", "old"]] {
        let mut shop = Shop::new(vec![with(promo("p", amount_order(1_000)), |p| p.requires_coupon = true)]);
        shop.codes = codes.iter().map(|c| (*c).to_owned()).collect();
        shop.coupons = vec![CouponState { usage_limit: Some(10), used: 10, ..coupon("OLD", "p") }, coupon("NEW", "p")];
        let quote = shop.quote(vec![item("PIZZA", 1, 12_990)?])?;
        assert_eq!(quote.discount.amount_minor, 1_000, "{codes:?}");
        let old = quote.coupons.iter().find(|c| c.code == "OLD").ok_or_else(|| missing("OLD".into()))?;
        let new = quote.coupons.iter().find(|c| c.code == "NEW").ok_or_else(|| missing("NEW".into()))?;
        assert_eq!(
            (old.applied, old.reason.as_ref()),
            (false, Some(&NotAppliedReason::CouponLimitReached)),
            "{codes:?}"
        );
        assert_eq!((new.applied, new.reason.as_ref()), (true, None), "{codes:?}");
        assert_eq!(quote.redeemed_coupons().map(|c| c.code.as_str()).collect::<Vec<_>>(), vec!["NEW"], "{codes:?}");
    }
    Ok(())
}
