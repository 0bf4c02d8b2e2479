//! Fulfilment scenario: transitions planned by `omnicanal_domain::fulfillment::plan_transition`
//! and applied by the store with their stock, money and events; a stale plan is a conflict.

use omnicanal_domain::fulfillment::{
    Actor, FulfillmentStatus, MoneyEffect, StockEffect, TransitionPlan, TransitionRequest, plan_transition,
};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{FulfillmentChange, FulfillmentRecord, OrderRecord, Store, StoreError};
use serde_json::json;

use crate::stock::{events_after, payload};
use crate::support::{Shop, T0, id};

use FulfillmentStatus::{Accepted, Collected, Placed, Preparing, Ready, Rejected};

/// The domain's plan for moving `part` from `from` to `to`, as the merchant.
fn plan(
    part: &FulfillmentRecord,
    method: PaymentMethod,
    from: FulfillmentStatus,
    to: FulfillmentStatus,
) -> TransitionPlan {
    plan_transition(TransitionRequest {
        from,
        to,
        actor: Actor::Merchant,
        presented_pickup_code: Some(&part.pickup_code),
        pickup_code: &part.pickup_code,
        payment_method: method,
        subtotal: Money::new(part.subtotal_minor, Currency::Clp),
    })
    .expect("a legal transition")
}

fn change(part: &FulfillmentRecord, plan: TransitionPlan, reason: Option<&str>) -> FulfillmentChange {
    FulfillmentChange {
        fulfillment_id: part.id.clone(),
        plan,
        reason: reason.map(Into::into),
        preparation: Default::default(),
        now_ms: T0 + 60_000,
        event_id: id("evt"),
        money_event_id: id("evt"),
    }
}

/// Applies each step of `path` in turn and returns the order after the last.
async fn walk(
    store: &dyn Store,
    part: &FulfillmentRecord,
    method: PaymentMethod,
    path: &[FulfillmentStatus],
) -> OrderRecord {
    let mut record = None;
    for step in path.windows(2) {
        let applied = store
            .apply_transition(&change(part, plan(part, method, step[0], step[1]), None))
            .await
            .unwrap_or_else(|error| panic!("{} → {}: {error:?}", step[0], step[1]));
        assert_eq!(applied.fulfillments[0].status, step[1]);
        record = Some(applied);
    }
    record.expect("at least one step")
}

/// Scenario 5: the life of three parts, a rejection with refund, and a stale plan.
pub async fn transitions_move_stock_and_money(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "SAND", 1000, true).await;
    shop.add_product(store, "NAPKIN", 0, false).await;
    shop.restock(store, "SAND", 10).await.expect("stock");
    let lines_a = [("SAND", 2, 1000, true), ("NAPKIN", 1, 0, false)];
    let a = store.place_order(&shop.order(&lines_a, "card", T0)).await.expect("a");
    let b = shop.order(&[("SAND", 3, 1000, true)], "card", T0 + 1);
    let b = store.place_order(&b).await.expect("b");
    let c = shop.order(&[("SAND", 1, 1000, true)], "pay_at_pickup", T0 + 2);
    let c = store.place_order(&c).await.expect("c");
    let shop = &shop;
    let sand = move || async move { shop.level(store, "SAND").await.expect("sand level") };
    assert_eq!((sand().await.on_hand, sand().await.reserved), (10, 6));

    // Card part A: accept, prepare, ready; then collect sells the reserved units.
    let part_a = &a.fulfillments[0];
    let card = PaymentMethod::Card;
    walk(store, part_a, card, &[Placed, Accepted, Preparing, Ready]).await;
    assert_eq!((sand().await.on_hand, sand().await.reserved), (10, 6), "no stock effect yet");
    let collect = plan(part_a, card, Ready, Collected);
    assert_eq!((collect.stock, collect.money), (Some(StockEffect::Sell), None));
    let head = store.outbox_head().await.expect("head");
    let collected = walk(store, part_a, card, &[Ready, Collected]).await;
    assert_eq!((sand().await.on_hand, sand().await.reserved), (8, 4));
    assert_eq!((collected.order.captured_minor, collected.order.refunded_minor), (2000, 0));
    assert_eq!(collected.fulfillments[0].updated_at_ms, T0 + 60_000);
    let events = events_after(store, head).await;
    let kinds: Vec<_> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(kinds, ["stock.changed", "fulfillment.status_changed"], "untracked line: no event");
    let status = payload(&events[1]);
    assert_eq!((status["from"].clone(), status["status"].clone()), (json!("ready"), json!("collected")));
    assert_eq!(events[1].order_id.as_deref(), Some(a.order.id.as_str()));

    // Card part B rejected: reserved units released and its subtotal refunded.
    let part_b = &b.fulfillments[0];
    let reject = plan(part_b, card, Placed, Rejected);
    let refund = MoneyEffect::Refund(Money::new(3000, Currency::Clp));
    assert_eq!((reject.stock, reject.money), (Some(StockEffect::Release), Some(refund)));
    let head = store.outbox_head().await.expect("head");
    let rejection = change(part_b, reject, Some("out of bread"));
    let rejected = store.apply_transition(&rejection).await.expect("reject");
    assert_eq!((sand().await.on_hand, sand().await.reserved), (8, 1));
    assert_eq!((rejected.order.captured_minor, rejected.order.refunded_minor), (3000, 3000));
    let part = store.get_fulfillment(&part_b.id).await.expect("get").expect("part");
    assert_eq!((part.status.as_str(), part.reason.as_deref()), ("rejected", Some("out of bread")));
    assert_eq!((part.captured_minor, part.refunded_minor), (3000, 3000));
    assert_eq!(part.lines, part_b.lines);
    let events = events_after(store, head).await;
    let kinds: Vec<_> = events.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(kinds, ["stock.changed", "payment.refunded", "fulfillment.status_changed"]);
    let refunded = &events[1];
    assert_eq!(refunded.event_id, rejection.money_event_id);
    assert_eq!(refunded.merchant_id.as_deref(), Some(shop.merchant.id.as_str()));
    let expected = json!({
        "order_id": b.order.id,
        "fulfillment_id": part_b.id,
        "merchant_id": shop.merchant.id,
        "location_id": shop.location.id,
        "amount": {"amount": 3000, "currency": "CLP"},
    });
    assert_eq!(payload(refunded), expected);
    assert_eq!(payload(&events[2])["reason"], json!("out of bread"));

    // A plan made from a stale status is a conflict and changes nothing.
    let before = store.get_order(&b.order.id).await.expect("get");
    let (level, head) = (sand().await, store.outbox_head().await.expect("head"));
    for stale in [plan(part_b, card, Placed, Accepted), reject] {
        let outcome = store.apply_transition(&change(part_b, stale, Some("again"))).await;
        assert!(matches!(outcome, Err(StoreError::StaleState)), "{outcome:?}");
    }
    assert_eq!(store.get_order(&b.order.id).await.expect("get"), before);
    assert_eq!((sand().await, store.outbox_head().await.expect("head")), (level, head));

    // Pay-at-pickup part C: the handover captures what was outstanding.
    let part_c = &c.fulfillments[0];
    assert_eq!((c.order.captured_minor, c.order.outstanding_minor), (0, 1000));
    let pap = PaymentMethod::PayAtPickup;
    let path = [Placed, Accepted, Preparing, Ready, Collected];
    let handed = walk(store, part_c, pap, &path).await;
    assert_eq!((handed.order.captured_minor, handed.order.outstanding_minor), (1000, 0));
    assert_eq!(handed.fulfillments[0].captured_minor, 1000);
    assert_eq!((sand().await.on_hand, sand().await.reserved), (7, 0));

    // Money per part, for parts placed in [from, to).
    let money = move |from_ms, to_ms| async move {
        let parts = store.merchant_money(&shop.merchant.id, from_ms, to_ms).await.expect("money");
        let mut pairs: Vec<(i64, i64)> = parts.iter().map(|p| (p.captured_minor, p.refunded_minor)).collect();
        pairs.sort_unstable();
        pairs
    };
    assert_eq!(money(T0, T0 + 100).await, [(1000, 0), (2000, 0), (3000, 3000)]);
    assert_eq!(money(T0, T0 + 2).await, [(2000, 0), (3000, 3000)], "to is exclusive");
    assert_eq!(money(T0 + 1, T0 + 2).await, [(3000, 3000)], "from is inclusive");
    assert!(store.merchant_money("someone-else", T0, T0 + 100).await.expect("none").is_empty());
}
