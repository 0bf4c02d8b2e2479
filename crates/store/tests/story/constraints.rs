//! Constraint scenario: a write that names a row that does not exist, or takes a unique key
//! that is taken, fails with the store's own typed error naming the reference or key — the
//! same on both backends — and leaves nothing behind.

use omnicanal_store::{
    CouponRow, LocationRow, PriceListRow, PushSubscriptionRow, Reference, Store, StoreError, UniqueKey,
};

use crate::pricing::{coupon, price_event, price_list, promotion};
use crate::support::{Shop, T0, id, merchant, product, variant};

fn missing(outcome: Result<(), StoreError>, expected: Reference, what: &str) {
    match outcome {
        Err(StoreError::MissingReference(reference)) => assert_eq!(reference, expected, "{what}"),
        other => panic!("{what}: expected MissingReference({expected:?}), got {other:?}"),
    }
}

/// Scenario: every insert that takes ids from a request names its missing reference, and the
/// unique keys a request can collide with are named too.
pub async fn constraint_violations_are_named(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let location = |merchant_id: &str, site_id: &str| LocationRow {
        id: id("loc"),
        merchant_id: merchant_id.into(),
        site_id: site_id.into(),
        ..shop.location.clone()
    };
    missing(
        store.insert_location(&location("mer-none", &shop.site.id)).await,
        Reference::Merchant,
        "location merchant",
    );
    missing(store.insert_location(&location(&shop.merchant.id, "site-none")).await, Reference::Site, "location site");

    let orphan = product("mer-none", "Ghost", false);
    let outcome = store.insert_product(&orphan, &[variant(&orphan, "GHOST", 100)]).await;
    missing(outcome, Reference::Merchant, "product merchant");
    assert_eq!(store.get_product(&orphan.id).await.expect("read"), None, "nothing left behind");

    let list = PriceListRow { location_id: Some("loc-none".into()), ..price_list(&shop, "Happy hour", Vec::new()) };
    let event = price_event(Some(&shop.merchant.id), "constraints");
    missing(store.insert_price_list(&list, &event).await, Reference::Location, "price list location");
    let list = PriceListRow { merchant_id: "mer-none".into(), ..price_list(&shop, "Nobody's", Vec::new()) };
    missing(store.insert_price_list(&list, &event).await, Reference::Merchant, "price list merchant");
    let site_wide = promotion(None, Some("site-none"), "Gone", true);
    missing(store.insert_promotion(&site_wide, &event).await, Reference::Site, "promotion site");
    missing(store.insert_coupon(&coupon("pro-none", "NADA", None, None)).await, Reference::Promotion, "coupon");

    let subscription = PushSubscriptionRow {
        id: id("psb"),
        order_id: "ord-none".into(),
        endpoint: "https://push.example/1".into(),
        p256dh: "k".into(),
        auth: "a".into(),
        language: "es".into(),
        open_path: None,
        created_at_ms: T0,
    };
    missing(
        store.upsert_push_subscription(&subscription).await.map(|_| ()),
        Reference::Order,
        "push subscription order",
    );

    // Unique keys: a coupon code, whatever the promotion.
    let promo = promotion(Some(&shop.merchant.id), None, "10%", true);
    store.insert_promotion(&promo, &event).await.expect("promotion");
    store.insert_coupon(&coupon(&promo.id, "DIEZ", None, None)).await.expect("coupon");
    let taken: Result<(), StoreError> =
        store.insert_coupon(&CouponRow { id: id("cpn"), ..coupon(&promo.id, "DIEZ", None, None) }).await;
    assert!(matches!(taken, Err(StoreError::Duplicate(UniqueKey::CouponCode))), "{taken:?}");
    assert_eq!(UniqueKey::CouponCode.field(), "code");
    assert_eq!(Reference::Merchant.field(), "merchant_id");

    // A merchant that exists makes the same writes pass.
    let other = merchant("Otra");
    store.insert_merchant(&other).await.expect("merchant");
    store.insert_location(&location(&other.id, &shop.site.id)).await.expect("now it exists");
}
