//! Pricing scenarios: coupon uses counted within their limits (in all and per customer) even
//! under concurrent placements, tax document numbers per merchant and kind without gaps or
//! duplicates under concurrency, price lists and promotions round trips with their
//! `price.changed` events, the active-promotion filter (site-wide and merchant), coupons, and
//! stored quotes.

use std::sync::Arc;

use omnicanal_domain::Currency;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::{ChangeAction, DomainEvent, EventType, PriceChanged, PromotionChanged};
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::order::DocumentKind;
use omnicanal_store::{
    CouponRedemption, CouponRow, FulfillmentRecord, LinePricing, NewEvent, NewOrder, OrderStore, Page, PartPricing,
    PriceEntryRow, PriceListRow, PromotionRow, QuoteRow, SqlStore, Store, StoreError,
};

use crate::support::{Shop, T0, id};

/// A `price.changed` event for the outbox (what changed does not matter to the store).
pub(crate) fn price_event(merchant_id: Option<&str>, what: &str) -> NewEvent {
    let changed = PromotionChanged {
        action: ChangeAction::Updated,
        promotion_id: id("pro"),
        merchant_id: merchant_id.map(str::to_owned),
        site_id: None,
        name: what.into(),
        active: true,
    };
    NewEvent {
        event_id: id("evt"),
        created_at_ms: T0,
        event: DomainEvent::PriceChanged(PriceChanged::Promotion(changed)),
    }
}

/// How many `price.changed` events the outbox holds.
async fn price_events(store: &dyn Store) -> usize {
    let events = store.outbox_after(0, 1000).await.expect("outbox");
    events.iter().filter(|event| event.event_type == EventType::PriceChanged).count()
}

/// A promotion row: a merchant's, or site-wide when `merchant_id` is `None`.
pub(crate) fn promotion(merchant_id: Option<&str>, site_id: Option<&str>, name: &str, active: bool) -> PromotionRow {
    PromotionRow {
        id: id("pro"),
        merchant_id: merchant_id.map(str::to_owned),
        site_id: site_id.map(str::to_owned),
        name: name.into(),
        active,
        definition_json: serde_json::json!({"name": name, "kind": {"type": "percent_off_order", "bps": 1000}})
            .to_string(),
        created_at_ms: T0,
        updated_at_ms: T0,
    }
}

/// A coupon row for `promotion_id`.
pub(crate) fn coupon(
    promotion_id: &str,
    code: &str,
    usage_limit: Option<i64>,
    per_customer_limit: Option<i64>,
) -> CouponRow {
    CouponRow {
        id: id("cpn"),
        promotion_id: promotion_id.into(),
        code: code.into(),
        usage_limit,
        per_customer_limit,
        used: 0,
        active: true,
        created_at_ms: T0,
    }
}

/// A one-line order of an untracked product that redeems `coupon` for `customer`.
fn order_with_coupon(shop: &Shop, coupon: &CouponRow, customer: Option<&str>) -> NewOrder {
    let mut order = shop.order(&[("CAFE", 1, 2000, false)], "card", T0);
    order.redemptions = vec![CouponRedemption {
        coupon_id: coupon.id.clone(),
        code: coupon.code.clone(),
        customer_key: customer.map(str::to_owned),
    }];
    order
}

/// Scenario: coupon uses are counted within the coupon's limits, atomically with the order.
pub async fn pricing_coupons_are_redeemed_within_their_limits(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    shop.add_product(store, "CAFE", 2000, false).await;
    let promo = promotion(Some(&shop.merchant.id), None, "Cupón 10%", true);
    store.insert_promotion(&promo, &price_event(Some(&shop.merchant.id), "promotion")).await.expect("promotion");

    // 20 concurrent placements for a coupon with 5 uses: exactly 5 orders exist afterwards.
    let limited = coupon(&promo.id, "CINCO", Some(5), None);
    store.insert_coupon(&limited).await.expect("coupon");
    let tasks: Vec<_> = (0..20)
        .map(|n| {
            let store = Arc::clone(&shared);
            let order = order_with_coupon(&shop, &limited, Some(&format!("email:c{n}@example.com")));
            tokio::spawn(async move { (order.order.id.clone(), store.place_order(&order).await) })
        })
        .collect();
    let (mut placed, mut refused) = (Vec::new(), Vec::new());
    for task in tasks {
        match task.await.expect("task") {
            (order_id, Ok(record)) => {
                assert_eq!(record.order.id, order_id);
                placed.push(order_id);
            }
            (order_id, Err(StoreError::CouponUnavailable { code, refusal })) => {
                assert_eq!(code, "CINCO");
                assert!(!refusal.message().is_empty(), "the refusal says why");
                refused.push(order_id);
            }
            (_, Err(other)) => panic!("unexpected error under contention: {other:?}"),
        }
    }
    assert_eq!((placed.len(), refused.len()), (5, 15), "exactly the coupon's limit is placed");
    for order_id in &refused {
        assert_eq!(store.get_order(order_id).await.expect("read"), None, "a refused order leaves nothing behind");
    }
    for order_id in &placed {
        assert!(store.get_order(order_id).await.expect("read").is_some(), "placed order {order_id} is stored");
    }
    let stored = store.get_coupon(&limited.id).await.expect("read").expect("coupon");
    assert_eq!(stored.used, 5, "one use per placed order");
    let again = store.place_order(&order_with_coupon(&shop, &limited, None)).await;
    assert!(matches!(again, Err(StoreError::CouponUnavailable { .. })), "still used up: {again:?}");

    // Per customer: two uses each, counted by customer key; no total limit.
    let per_customer = coupon(&promo.id, "DOSXCLIENTE", None, Some(2));
    store.insert_coupon(&per_customer).await.expect("coupon");
    let ana = "email:ana@example.com";
    for n in 0..2 {
        store.place_order(&order_with_coupon(&shop, &per_customer, Some(ana))).await.unwrap_or_else(|e| {
            panic!("use {n} of Ana's two: {e:?}");
        });
    }
    let third = store.place_order(&order_with_coupon(&shop, &per_customer, Some(ana))).await;
    assert!(matches!(&third, Err(StoreError::CouponUnavailable { code, .. }) if code == "DOSXCLIENTE"), "{third:?}");
    store.place_order(&order_with_coupon(&shop, &per_customer, Some("phone:56911112222"))).await.expect("Bob's first");
    let stored = store.get_coupon(&per_customer.id).await.expect("read").expect("coupon");
    assert_eq!(stored.used, 3, "Ana's refused third use is not counted");

    // What pricing reads: the coupon and this customer's uses (None without a customer key).
    let codes = vec!["DOSXCLIENTE".to_owned(), "NOEXISTE".to_owned()];
    let found = store.find_coupons(&codes, Some(ana)).await.expect("find");
    assert_eq!(found.len(), 1, "unknown codes are not found: {found:?}");
    assert_eq!((found[0].0.id.as_str(), found[0].0.used, found[0].1), (per_customer.id.as_str(), 3, Some(2)));
    let found = store.find_coupons(&codes, Some("email:new@example.com")).await.expect("find");
    assert_eq!(found[0].1, Some(0), "a customer who never used it");
    let found = store.find_coupons(&codes, None).await.expect("find");
    assert_eq!(found[0].1, None, "no customer key, no per-customer count");
    assert_eq!(store.find_coupons(&[], Some(ana)).await.expect("find"), Vec::new());

    // Two coupons in one order: the second one used up rolls the whole order back, the first
    // one's use included.
    let open = coupon(&promo.id, "ABIERTO", None, None);
    store.insert_coupon(&open).await.expect("coupon");
    let mut both = order_with_coupon(&shop, &open, None);
    both.redemptions.push(CouponRedemption {
        coupon_id: limited.id.clone(),
        code: limited.code.clone(),
        customer_key: None,
    });
    let outcome = store.place_order(&both).await;
    assert!(matches!(&outcome, Err(StoreError::CouponUnavailable { code, .. }) if code == "CINCO"), "{outcome:?}");
    assert_eq!(store.get_coupon(&open.id).await.expect("read").expect("coupon").used, 0, "rolled back");
    assert_eq!(store.get_order(&both.order.id).await.expect("read"), None);

    // A switched-off coupon is refused by the store too; switched on again, it counts.
    store.set_coupon_active(&open.id, false).await.expect("switch off");
    let off = store.place_order(&order_with_coupon(&shop, &open, None)).await;
    assert!(matches!(off, Err(StoreError::CouponUnavailable { .. })), "switched off: {off:?}");
    store.set_coupon_active(&open.id, true).await.expect("switch on");
    store.place_order(&order_with_coupon(&shop, &open, None)).await.expect("switched on again");
    assert_eq!(store.get_coupon(&open.id).await.expect("read").expect("coupon").used, 1);
}

/// A card order at `shop` for one untracked unit of `sku`, with `kind` documents.
fn document_order(shop: &Shop, sku: &str, kind: &str) -> NewOrder {
    let mut order = shop.order(&[(sku, 1, 1000, false)], "card", T0);
    order.document_kind = DocumentKind::parse(kind).expect("a kind");
    order
}

/// The (merchant, kind, number) of every part of `orders`, grouped and sorted.
fn numbers_of(records: &[omnicanal_store::OrderRecord], merchant_id: &str, kind: &str) -> Vec<i64> {
    let mut numbers: Vec<i64> = records
        .iter()
        .flat_map(|record| &record.fulfillments)
        .filter(|part| {
            part.merchant_id == merchant_id && part.pricing.document_kind.map(DocumentKind::as_str) == Some(kind)
        })
        .map(|part| part.pricing.document_number.expect("a numbered document"))
        .collect();
    numbers.sort_unstable();
    numbers
}

/// Scenario: each merchant numbers its boletas and facturas 1, 2, 3… with no gap or duplicate,
/// however many orders are placed at once.
pub async fn pricing_document_numbers_have_no_gaps(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let (a, b) = (Shop::open(store).await, Shop::open(store).await);
    a.add_product(store, "EMPANADA", 1000, false).await;
    b.add_product(store, "SOPAIPILLA", 1000, false).await;

    // The first documents, one by one.
    let first = store.place_order(&document_order(&a, "EMPANADA", "boleta")).await.expect("first");
    let part = &first.fulfillments[0].pricing;
    assert_eq!((part.document_kind, part.document_number), (Some(DocumentKind::Boleta), Some(1)));
    let stored = store.get_order(&first.order.id).await.expect("read").expect("order");
    assert_eq!(stored.fulfillments[0].pricing.document_number, Some(1), "the number is stored with the part");

    // One order with a part at each merchant: each part takes its own merchant's next number.
    let mut shared_order = document_order(&a, "EMPANADA", "boleta");
    let mut b_part: FulfillmentRecord = document_order(&b, "SOPAIPILLA", "boleta").fulfillments.remove(0);
    b_part.order_id = shared_order.order.id.clone();
    shared_order.order.total_minor += b_part.subtotal_minor;
    shared_order.order.captured_minor += b_part.captured_minor;
    shared_order.fulfillments.push(b_part);
    let both = store.place_order(&shared_order).await.expect("two-part order");
    let number_at = |merchant: &str| {
        both.fulfillments.iter().find(|p| p.merchant_id == merchant).and_then(|p| p.pricing.document_number)
    };
    assert_eq!((number_at(&a.merchant.id), number_at(&b.merchant.id)), (Some(2), Some(1)));

    // 40 concurrent orders across two merchants and both kinds.
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let store = Arc::clone(&shared);
            let (shop, sku) = if n % 2 == 0 { (&a, "EMPANADA") } else { (&b, "SOPAIPILLA") };
            let kind = if n % 4 < 2 { "boleta" } else { "factura" };
            let order = document_order(shop, sku, kind);
            tokio::spawn(async move { store.place_order(&order).await })
        })
        .collect();
    let mut records = vec![first, both];
    for task in tasks {
        records.push(task.await.expect("task").expect("concurrent order"));
    }
    // Read back what was stored, not only what was answered.
    let mut stored = Vec::new();
    for record in &records {
        stored.push(store.get_order(&record.order.id).await.expect("read").expect("order"));
    }
    for source in [&records, &stored] {
        assert_eq!(numbers_of(source, &a.merchant.id, "boleta"), (1..=12).collect::<Vec<_>>(), "A's boletas");
        assert_eq!(numbers_of(source, &b.merchant.id, "boleta"), (1..=11).collect::<Vec<_>>(), "B's boletas");
        assert_eq!(numbers_of(source, &a.merchant.id, "factura"), (1..=10).collect::<Vec<_>>(), "A's facturas");
        assert_eq!(numbers_of(source, &b.merchant.id, "factura"), (1..=10).collect::<Vec<_>>(), "B's facturas");
    }
}

fn entry(sku: &str, price_minor: i64) -> PriceEntryRow {
    PriceEntryRow { sku: sku.into(), price_minor, currency: Currency::Clp }
}

pub(crate) fn price_list(shop: &Shop, name: &str, entries: Vec<PriceEntryRow>) -> PriceListRow {
    PriceListRow {
        id: id("prl"),
        merchant_id: shop.merchant.id.clone(),
        name: name.into(),
        channel: None,
        location_id: None,
        valid_from_ms: None,
        valid_to_ms: None,
        active: true,
        created_at_ms: T0,
        updated_at_ms: T0,
        entries,
    }
}

/// Scenario: price lists are stored, replaced and deleted with their prices, each change with
/// its `price.changed` event; a refused write leaves nothing behind.
pub async fn pricing_price_lists_round_trip(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let other = Shop::open(store).await;
    let events = price_events(store).await;

    // Entries come back sorted by SKU.
    let mut web = price_list(&shop, "Web", vec![entry("CAFE", 1800), entry("BROWNIE", 2500)]);
    web.channel = Some(Channel::Web);
    web.location_id = Some(shop.location.id.clone());
    web.valid_from_ms = Some(T0);
    web.valid_to_ms = Some(T0 + 86_400_000);
    store.insert_price_list(&web, &price_event(Some(&shop.merchant.id), "price_list")).await.expect("insert");
    web.entries.sort_by(|x, y| x.sku.cmp(&y.sku));
    assert_eq!(store.get_price_list(&web.id).await.expect("get"), Some(web.clone()));
    assert_eq!(price_events(store).await, events + 1, "the insert's event");

    let mut paused = price_list(&shop, "Pausada", vec![entry("CAFE", 1)]);
    paused.active = false;
    paused.created_at_ms = T0 + 1;
    store.insert_price_list(&paused, &price_event(Some(&shop.merchant.id), "price_list")).await.expect("insert");
    let theirs = price_list(&other, "Suya", vec![entry("CAFE", 1500)]);
    store.insert_price_list(&theirs, &price_event(Some(&other.merchant.id), "price_list")).await.expect("insert");

    let listed = store.list_price_lists(&shop.merchant.id, Page::default()).await.expect("list");
    assert_eq!(listed, vec![web.clone(), paused.clone()], "the merchant's lists, oldest first, with prices");
    let page = store.list_price_lists(&shop.merchant.id, Page { limit: 1, offset: 1 }).await.expect("page");
    assert_eq!(page, vec![paused.clone()]);
    let ids = |lists: Vec<PriceListRow>| lists.into_iter().map(|l| l.id).collect::<Vec<_>>();
    let mut active = ids(store.active_price_lists(std::slice::from_ref(&shop.merchant.id)).await.expect("active"));
    assert_eq!(active, vec![web.id.clone()], "switched-off lists are not used for pricing");
    active = ids(store.active_price_lists(&[shop.merchant.id.clone(), other.merchant.id.clone()]).await.expect("a"));
    active.sort();
    let mut expected = vec![web.id.clone(), theirs.id.clone()];
    expected.sort();
    assert_eq!(active, expected);
    assert!(store.active_price_lists(&[]).await.expect("none").is_empty());

    // Replacing swaps every price; the creation time stays as the caller gives it.
    let mut replaced = web.clone();
    replaced.name = "Web verano".into();
    replaced.channel = None;
    replaced.valid_to_ms = None;
    replaced.updated_at_ms = T0 + 5;
    replaced.entries = vec![entry("CAFE", 1700), entry("MEDIALUNA", 900), entry("TE", 1200)];
    store.replace_price_list(&replaced, &price_event(Some(&shop.merchant.id), "price_list")).await.expect("replace");
    assert_eq!(store.get_price_list(&web.id).await.expect("get"), Some(replaced.clone()));
    let missing = price_list(&shop, "Nunca", vec![entry("CAFE", 1)]);
    let outcome = store.replace_price_list(&missing, &price_event(None, "price_list")).await;
    assert!(matches!(outcome, Err(StoreError::NotFound)), "{outcome:?}");

    // A negative price is refused by the database itself, and nothing is left behind.
    let before = price_events(store).await;
    let negative = price_list(&shop, "Negativa", vec![entry("CAFE", 100), entry("TE", -1)]);
    let outcome = store.insert_price_list(&negative, &price_event(Some(&shop.merchant.id), "price_list")).await;
    assert!(outcome.is_err(), "a negative price must be refused");
    assert_eq!(store.get_price_list(&negative.id).await.expect("get"), None);
    let mut bad_replace = replaced.clone();
    bad_replace.entries = vec![entry("CAFE", -5)];
    let outcome = store.replace_price_list(&bad_replace, &price_event(Some(&shop.merchant.id), "price_list")).await;
    assert!(outcome.is_err(), "a negative price must be refused on replace too");
    assert_eq!(store.get_price_list(&web.id).await.expect("get"), Some(replaced.clone()), "the old prices stay");
    assert_eq!(price_events(store).await, before, "no event for refused writes");

    // Many prices go in several statements.
    let mut big = price_list(&other, "Grande", (0..450).map(|n| entry(&format!("SKU-{n:04}"), n)).collect());
    store.insert_price_list(&big, &price_event(Some(&other.merchant.id), "price_list")).await.expect("450 prices");
    big.entries.sort_by(|x, y| x.sku.cmp(&y.sku));
    assert_eq!(store.get_price_list(&big.id).await.expect("get"), Some(big.clone()));

    // Deleting removes the list and its prices.
    store.delete_price_list(&web.id, &price_event(Some(&shop.merchant.id), "price_list")).await.expect("delete");
    assert_eq!(store.get_price_list(&web.id).await.expect("get"), None);
    let outcome = store.delete_price_list(&web.id, &price_event(Some(&shop.merchant.id), "price_list")).await;
    assert!(matches!(outcome, Err(StoreError::NotFound)), "{outcome:?}");
    let listed = store.list_price_lists(&shop.merchant.id, Page::default()).await.expect("list");
    assert_eq!(listed, vec![paused]);
    // 3 inserts, 1 replace, 1 big insert, 1 delete since the start.
    assert_eq!(price_events(store).await, events + 6, "one event per successful change");
    let last = store.outbox_after(0, 1000).await.expect("outbox").pop().expect("an event");
    assert_eq!((last.event_type, last.merchant_id.as_deref()), (EventType::PriceChanged, Some(&*shop.merchant.id)));
}

/// Scenario: promotions (a merchant's or site-wide) and their coupons; pricing reads only the
/// active ones of the cart's merchants and of its site.
pub async fn pricing_promotions_and_coupons(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let other = Shop::open(store).await;
    let events = price_events(store).await;
    let mine = promotion(Some(&shop.merchant.id), None, "2x1 empanadas", true);
    let mut mine_off = promotion(Some(&shop.merchant.id), None, "Apagada", false);
    mine_off.created_at_ms = T0 + 1;
    let theirs = promotion(Some(&other.merchant.id), None, "Suya", true);
    let mut site_wide = promotion(None, Some(&shop.site.id), "Cyber mall", true);
    site_wide.created_at_ms = T0 + 2;
    let mut site_off = promotion(None, Some(&shop.site.id), "Mall apagado", false);
    site_off.created_at_ms = T0 + 3;
    let other_site = promotion(None, Some(&other.site.id), "Otro mall", true);
    for row in [&mine, &mine_off, &theirs, &site_wide, &site_off, &other_site] {
        store.insert_promotion(row, &price_event(row.merchant_id.as_deref(), "promotion")).await.expect("insert");
    }
    assert_eq!(price_events(store).await, events + 6, "one event per promotion");
    assert_eq!(store.get_promotion(&site_wide.id).await.expect("get"), Some(site_wide.clone()));
    assert_eq!(store.get_promotion("pro-missing").await.expect("get"), None);

    let ids = |rows: Vec<PromotionRow>| {
        let mut ids: Vec<String> = rows.into_iter().map(|row| row.id).collect();
        ids.sort();
        ids
    };
    let sorted = |mut ids: Vec<String>| {
        ids.sort();
        ids
    };
    let merchants = [shop.merchant.id.clone()];
    let active = store.active_promotions(&shop.site.id, &merchants).await.expect("active");
    assert_eq!(ids(active), sorted(vec![mine.id.clone(), site_wide.id.clone()]), "merchant's and site's active ones");
    let active = store.active_promotions(&shop.site.id, &[]).await.expect("active");
    assert_eq!(ids(active), vec![site_wide.id.clone()], "only the site's without merchants");
    let both = [shop.merchant.id.clone(), other.merchant.id.clone()];
    let active = store.active_promotions(&other.site.id, &both).await.expect("active");
    assert_eq!(ids(active), sorted(vec![mine.id.clone(), theirs.id.clone(), other_site.id.clone()]));

    // Listing: one merchant's, one site's site-wide ones, or all; oldest first.
    let listed = store.list_promotions(Some(&shop.merchant.id), None, Page::default()).await.expect("list");
    assert_eq!(listed, vec![mine.clone(), mine_off.clone()]);
    let listed = store.list_promotions(None, Some(&shop.site.id), Page::default()).await.expect("list");
    assert_eq!(listed, vec![site_wide.clone(), site_off.clone()]);
    assert_eq!(store.list_promotions(None, None, Page::default()).await.expect("all").len(), 6);
    let page = store.list_promotions(None, None, Page { limit: 2, offset: 0 }).await.expect("page");
    assert_eq!(page.len(), 2);

    // Replacing switches one off (and another on); unknown ids are NotFound.
    let mut ended = mine.clone();
    ended.active = false;
    ended.name = "2x1 terminado".into();
    ended.updated_at_ms = T0 + 10;
    store.replace_promotion(&ended, &price_event(ended.merchant_id.as_deref(), "promotion")).await.expect("replace");
    let mut revived = site_off.clone();
    revived.active = true;
    store.replace_promotion(&revived, &price_event(None, "promotion")).await.expect("replace");
    assert_eq!(store.get_promotion(&mine.id).await.expect("get"), Some(ended));
    let active = store.active_promotions(&shop.site.id, &merchants).await.expect("active");
    assert_eq!(ids(active), sorted(vec![site_wide.id.clone(), site_off.id.clone()]));
    let ghost = promotion(None, Some(&shop.site.id), "Fantasma", true);
    let outcome = store.replace_promotion(&ghost, &price_event(None, "promotion")).await;
    assert!(matches!(outcome, Err(StoreError::NotFound)), "{outcome:?}");
    assert_eq!(price_events(store).await, events + 8, "replacements have events, refusals none");

    // Coupons: codes are unique across promotions; listed oldest first; switched on and off.
    let first = coupon(&mine.id, "EMPANADA2X1", Some(100), Some(1));
    let mut second = coupon(&mine.id, "EMPANADA-VIP", None, None);
    second.created_at_ms = T0 + 1;
    store.insert_coupon(&first).await.expect("coupon");
    store.insert_coupon(&second).await.expect("coupon");
    let taken = store.insert_coupon(&coupon(&theirs.id, "EMPANADA2X1", None, None)).await;
    assert!(
        matches!(taken, Err(StoreError::Duplicate(omnicanal_store::UniqueKey::CouponCode))),
        "a taken code is named: {taken:?}"
    );
    assert_eq!(store.list_coupons(&mine.id, Page::default()).await.expect("list"), vec![first.clone(), second.clone()]);
    assert!(store.list_coupons(&theirs.id, Page::default()).await.expect("list").is_empty());
    assert_eq!(store.get_coupon(&first.id).await.expect("get"), Some(first.clone()));
    store.set_coupon_active(&first.id, false).await.expect("switch off");
    let off = store.get_coupon(&first.id).await.expect("get").expect("coupon");
    assert!(!off.active);
    let found = store.find_coupons(&["EMPANADA2X1".to_owned()], None).await.expect("find");
    assert_eq!(found, vec![(off, None)], "pricing sees it switched off");
    let outcome = store.set_coupon_active("cpn-missing", true).await;
    assert!(matches!(outcome, Err(StoreError::NotFound)), "{outcome:?}");
}

/// Scenario: quotes are kept until they expire; an order keeps its quote and priced figures.
pub async fn pricing_quotes_and_priced_orders(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let ttl = 15 * 60 * 1000;
    let quote = QuoteRow {
        id: id("quo"),
        site_id: shop.site.id.clone(),
        request_hash: "a".repeat(64),
        quote_json: r#"{"total":{"amount":11900,"currency":"CLP"}}"#.into(),
        created_at_ms: T0,
        expires_at_ms: T0 + ttl,
    };
    store.insert_quote(&quote).await.expect("insert quote");
    assert_eq!(store.get_quote(&quote.id).await.expect("get"), Some(quote.clone()));
    assert_eq!(store.get_quote("quo-missing").await.expect("get"), None);
    // A later quote made before the first expired leaves it alone; one made after drops it.
    let later = QuoteRow { id: id("quo"), created_at_ms: T0 + ttl - 1, expires_at_ms: T0 + 2 * ttl, ..quote.clone() };
    store.insert_quote(&later).await.expect("insert later quote");
    assert_eq!(store.get_quote(&quote.id).await.expect("get"), Some(quote.clone()), "still valid then");
    let first_id = quote.id.clone();
    let much_later = QuoteRow { id: id("quo"), created_at_ms: T0 + ttl + 1, expires_at_ms: T0 + 3 * ttl, ..quote };
    store.insert_quote(&much_later).await.expect("insert");
    assert_eq!(store.get_quote(&much_later.id).await.expect("get"), Some(much_later));
    assert_eq!(store.get_quote(&first_id).await.expect("get"), None, "quotes expired before it are dropped");
    assert!(store.get_quote(&later.id).await.expect("get").is_some(), "the later one is still valid");

    // An order stores its quote, the customer's tax id, and the priced figures of parts and lines.
    shop.add_product(store, "LOMITO", 11900, false).await;
    let mut order = shop.order(&[("LOMITO", 2, 11900, false)], "card", T0);
    order.order.quote_json = Some(r#"{"total":{"amount":21420,"currency":"CLP"}}"#.into());
    order.order.customer_tax_id = Some("76.123.456-7".into());
    order.document_kind = DocumentKind::Factura;
    order.order.total_minor = 21_420;
    order.order.captured_minor = 21_420;
    let part = &mut order.fulfillments[0];
    part.subtotal_minor = 21_420;
    part.captured_minor = 21_420;
    part.pricing = PartPricing {
        gross_minor: Some(23_800),
        discount_minor: 2_380,
        merchant_funded_minor: 1_380,
        operator_funded_minor: 1_000,
        document_kind: None,
        document_number: None,
    };
    part.lines[0].total_minor = 21_420;
    part.lines[0].pricing = LinePricing {
        name: Some("Lomito completo".into()),
        gross_minor: Some(23_800),
        discount_minor: 2_380,
        tax_code: "IVA".into(),
        tax_rate_bps: 1_900,
        tax_minor: 3_420,
        modifiers_json: Some(
            r#"[{"group":"Agregados","option":"Palta","price":{"amount":800,"currency":"CLP"}}]"#.into(),
        ),
        note: Some("sin mayo".into()),
    };
    let placed = store.place_order(&order).await.expect("place");
    let stored = store.get_order(&order.order.id).await.expect("read").expect("order");
    assert_eq!(stored.order.customer_tax_id.as_deref(), Some("76.123.456-7"));
    let expected_part = PartPricing {
        document_kind: Some(DocumentKind::Factura),
        document_number: Some(1),
        ..order.fulfillments[0].pricing.clone()
    };
    assert_eq!(stored.fulfillments[0].pricing, expected_part);
    assert_eq!(placed.fulfillments[0].pricing, expected_part, "the answer has the number too");
    assert_eq!(stored.fulfillments[0].lines, order.fulfillments[0].lines, "line figures round-trip");
    let kept = store.get_order_quote(&order.order.id).await.expect("quote");
    assert_eq!(kept, order.order.quote_json, "the order's quote is kept as placed");
    let plain = store.place_order(&shop.order(&[("LOMITO", 1, 11900, false)], "card", T0)).await.expect("plain");
    assert_eq!(store.get_order_quote(&plain.order.id).await.expect("quote"), None, "an order without a quote");
    assert_eq!(store.get_order_quote("ord-missing").await.expect("quote"), None);

    // Settlement reads who funded the discounts, with the part's status.
    let money = store.merchant_money(&shop.merchant.id, T0, T0 + 1).await.expect("money");
    let promoted = money.iter().find(|p| p.operator_funded_minor == 1_000).expect("the promoted part");
    assert_eq!((promoted.captured_minor, promoted.merchant_funded_minor), (21_420, 1_380));
    assert_eq!(promoted.status, FulfillmentStatus::Placed);
}
