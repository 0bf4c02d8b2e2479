//! Merchant console scenarios: sold-out switches with their events, accepting with a promise,
//! the live queue, the order search (text, number, phone, wildcards, filters, paging), the
//! day's takings per channel and the per-part settlement statement.

use omnicanal_domain::Currency;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::EventType;
use omnicanal_domain::fulfillment::{Actor, FulfillmentStatus, TransitionRequest, plan_transition};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_store::{
    FulfillmentChange, FulfillmentRecord, LocationRow, OrderSearch, Page, Preparation, SoldOutSwitch, Store, StoreError,
};
use serde_json::json;

use crate::stock::{events_after, payload};
use crate::support::{Shop, T0, id};

const MINUTE: i64 = 60_000;

fn switch(shop: &Shop, sku: &str, sold_out: bool, track_stock: bool, now_ms: i64) -> SoldOutSwitch {
    SoldOutSwitch {
        location_id: shop.location.id.clone(),
        merchant_id: shop.merchant.id.clone(),
        sku: sku.into(),
        sold_out,
        track_stock,
        user_id: Some("usr-staff".into()),
        now_ms,
        event_id: id("evt"),
    }
}

/// Scenario: a sold-out switch is kept per location, announced once per change as
/// `stock.changed` with `sold_out`, and carries the level only for counted products.
pub async fn console_sold_out_switches(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "EMPANADA", 2500, true).await;
    shop.add_product(store, "CAFE", 1800, false).await;
    shop.restock(store, "EMPANADA", 7).await.expect("stock");
    let head = store.outbox_head().await.expect("head");

    let on = switch(&shop, "EMPANADA", true, true, T0 + MINUTE);
    let (row, changed) = store.switch_sold_out(&on).await.expect("switch off");
    assert!(changed);
    let row = row.expect("sold out now");
    assert_eq!((row.sku.as_str(), row.since_ms, row.user_id.as_deref()), ("EMPANADA", T0 + MINUTE, Some("usr-staff")));
    let again = store.switch_sold_out(&switch(&shop, "EMPANADA", true, true, T0 + 2 * MINUTE)).await.expect("again");
    assert_eq!(again, (Some(row.clone()), false), "switching twice keeps the first time and announces nothing");
    store.switch_sold_out(&switch(&shop, "CAFE", true, false, T0 + 3 * MINUTE)).await.expect("cafe");

    let listed = store.list_sold_out(&shop.location.id).await.expect("list");
    assert_eq!(listed.iter().map(|r| r.sku.as_str()).collect::<Vec<_>>(), ["CAFE", "EMPANADA"], "by SKU");
    assert!(store.list_sold_out("loc-elsewhere").await.expect("other").is_empty());

    let events = events_after(store, head).await;
    assert_eq!(events.len(), 2, "one event per change: {events:?}");
    assert_eq!(events[0].event_type, EventType::StockChanged);
    assert_eq!(events[0].event_id, on.event_id);
    assert_eq!(events[0].location_id.as_deref(), Some(shop.location.id.as_str()));
    assert_eq!(events[0].merchant_id.as_deref(), Some(shop.merchant.id.as_str()));
    assert_eq!(
        payload(&events[0]),
        json!({"merchant_id": shop.merchant.id, "sku": "EMPANADA", "location_id": shop.location.id,
            "on_hand": 7, "reserved": 0, "available": 7, "sold_out": true})
    );
    let cafe = payload(&events[1]);
    assert_eq!((cafe["on_hand"].clone(), cafe["available"].clone()), (json!(null), json!(null)), "not counted");
    assert_eq!(cafe["sold_out"], json!(true));

    let head = store.outbox_head().await.expect("head");
    let (row, changed) =
        store.switch_sold_out(&switch(&shop, "EMPANADA", false, true, T0 + 4 * MINUTE)).await.expect("back");
    assert_eq!((row, changed), (None, true));
    let (row, changed) =
        store.switch_sold_out(&switch(&shop, "EMPANADA", false, true, T0 + 5 * MINUTE)).await.expect("twice");
    assert_eq!((row, changed), (None, false));
    let events = events_after(store, head).await;
    assert_eq!(events.len(), 1);
    assert_eq!(payload(&events[0])["sold_out"], json!(false));
    assert_eq!(store.list_sold_out(&shop.location.id).await.expect("list").len(), 1, "only CAFE is left");

    // The order's own transaction refuses a switched-off line and writes nothing.
    let head = store.outbox_head().await.expect("head");
    let refused = store
        .place_order(&shop.order(&[("EMPANADA", 1, 2500, true), ("CAFE", 1, 1800, false)], "card", T0 + 6 * MINUTE))
        .await;
    assert!(matches!(&refused, Err(StoreError::SoldOut { sku }) if sku == "CAFE"), "{refused:?}");
    assert!(events_after(store, head).await.is_empty(), "nothing announced");
    let level = shop.level(store, "EMPANADA").await.expect("level");
    assert_eq!(level.reserved, 0, "nothing reserved");
    store.place_order(&shop.order(&[("EMPANADA", 1, 2500, true)], "card", T0 + 7 * MINUTE)).await.expect("on sale");
}

fn accept(part: &FulfillmentRecord, now_ms: i64) -> FulfillmentChange {
    let plan = plan_transition(TransitionRequest {
        from: FulfillmentStatus::Placed,
        to: FulfillmentStatus::Accepted,
        actor: Actor::Merchant,
        presented_pickup_code: None,
        pickup_code: &part.pickup_code,
        payment_method: PaymentMethod::Card,
        subtotal: omnicanal_domain::Money::new(part.subtotal_minor, Currency::Clp),
    })
    .expect("legal");
    FulfillmentChange {
        fulfillment_id: part.id.clone(),
        plan,
        reason: None,
        preparation: Preparation::default(),
        now_ms,
        event_id: id("evt"),
        money_event_id: id("evt"),
    }
}

fn step(part: &FulfillmentRecord, from: FulfillmentStatus, to: FulfillmentStatus, now_ms: i64) -> FulfillmentChange {
    let mut change = accept(part, now_ms);
    change.plan = plan_transition(TransitionRequest {
        from,
        to,
        actor: Actor::Merchant,
        presented_pickup_code: Some(&part.pickup_code),
        pickup_code: &part.pickup_code,
        payment_method: PaymentMethod::Card,
        subtotal: omnicanal_domain::Money::new(part.subtotal_minor, Currency::Clp),
    })
    .expect("legal");
    change
}

/// Scenario: accepting records the promise and announces it; the queue lists live parts oldest
/// first with their orders and lines, and finished ones only when asked.
pub async fn console_promise_and_queue(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "LOMITO", 8900, false).await;
    let first = store.place_order(&shop.order(&[("LOMITO", 2, 8900, false)], "card", T0)).await.expect("first");
    let second = store.place_order(&shop.order(&[("LOMITO", 1, 8900, false)], "card", T0 + 1)).await.expect("second");
    let third = store.place_order(&shop.order(&[("LOMITO", 1, 8900, false)], "card", T0 + 2)).await.expect("third");
    let part = &first.fulfillments[0];
    assert_eq!(part.preparation, Preparation::default(), "nothing promised before acceptance");

    let head = store.outbox_head().await.expect("head");
    let promise = Preparation {
        prep_minutes: Some(20),
        accepted_at_ms: Some(T0 + MINUTE),
        estimated_ready_ms: Some(T0 + 21 * MINUTE),
    };
    let accepted = store
        .apply_transition(&FulfillmentChange { preparation: promise, ..accept(part, T0 + MINUTE) })
        .await
        .expect("accept");
    assert_eq!(accepted.fulfillments[0].preparation, promise);
    let status = payload(&events_after(store, head).await[0]);
    assert_eq!(status["status"], json!("accepted"));
    assert_eq!(status["prep_minutes"], json!(20));
    assert_eq!(status["estimated_ready_at"], json!("2023-11-14T22:34:20.000Z"), "T0 + 21 minutes");

    // Preparing keeps the promise (no new fields given), and says so in its event.
    let head = store.outbox_head().await.expect("head");
    let preparing = step(part, FulfillmentStatus::Accepted, FulfillmentStatus::Preparing, T0 + 2 * MINUTE);
    let kept = store.apply_transition(&preparing).await.expect("prepare");
    assert_eq!(kept.fulfillments[0].preparation, promise);
    assert_eq!(payload(&events_after(store, head).await[0])["estimated_ready_at"], json!("2023-11-14T22:34:20.000Z"));
    let read = store.get_fulfillment(&part.id).await.expect("get").expect("part");
    assert_eq!(read.preparation, promise, "read back");

    // The third part is rejected: gone from the live queue, back with include_done.
    let reject = step(&third.fulfillments[0], FulfillmentStatus::Placed, FulfillmentStatus::Rejected, T0 + 3 * MINUTE);
    store.apply_transition(&reject).await.expect("reject");
    let queue = store.location_queue(&shop.location.id, None, Page::default()).await.expect("queue");
    let ids: Vec<&str> = queue.iter().map(|entry| entry.part.id.as_str()).collect();
    assert_eq!(ids, [part.id.as_str(), second.fulfillments[0].id.as_str()], "live parts, oldest first");
    assert_eq!(queue[0].order.number, first.order.number);
    assert_eq!(queue[0].order.customer_name, "Ana Pérez");
    assert_eq!(queue[0].part.lines.len(), 1);
    assert_eq!(queue[0].part.lines[0].quantity, 2);
    assert_eq!(queue[0].part.status, FulfillmentStatus::Preparing);
    let with_done = store.location_queue(&shop.location.id, Some(T0), Page::default()).await.expect("done");
    assert_eq!(with_done.len(), 3);
    assert_eq!(with_done[2].part.status, FulfillmentStatus::Rejected);
    let too_old = store.location_queue(&shop.location.id, Some(T0 + 4 * MINUTE), Page::default()).await.expect("old");
    assert_eq!(too_old.len(), 2, "finished parts changed before the window are left out");
    let paged = store.location_queue(&shop.location.id, None, Page { limit: 1, offset: 1 }).await.expect("page");
    assert_eq!(paged.len(), 1);
    assert_eq!(paged[0].part.id, second.fulfillments[0].id);
    assert!(store.location_queue("loc-none", None, Page::default()).await.expect("empty").is_empty());
}

fn search(shop: &Shop, text: Option<&str>) -> OrderSearch {
    OrderSearch {
        merchant_id: shop.merchant.id.clone(),
        location_id: None,
        status: None,
        text: text.map(Into::into),
        from_ms: i64::MIN,
        to_ms: i64::MAX,
        page: Page::default(),
    }
}

/// Scenario: the search finds parts by customer name (any case), phone, order number, status,
/// location and period, newest first with a total; `%` and `_` match only themselves.
pub async fn console_order_search(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let annex = LocationRow { id: id("loc"), name: "Annex".into(), ..shop.location.clone() };
    store.insert_location(&annex).await.expect("annex");
    shop.add_product(store, "SOPA", 3000, false).await;
    let names = [("Ana Pérez", "+56 9 1111 2222"), ("BRUNO 100%", "+56933334444"), ("Carla_Ruiz", "+56955556666")];
    let mut placed = Vec::new();
    for (index, (name, phone)) in names.iter().enumerate() {
        let mut order =
            shop.order(&[("SOPA", 1, 3000, false)], "card", T0 + i64::try_from(index).expect("small") * MINUTE);
        order.order.customer_name = (*name).into();
        order.order.customer_phone = Some((*phone).into());
        if index == 2 {
            order.fulfillments[0].location_id = annex.id.clone();
        }
        placed.push(store.place_order(&order).await.expect("place"));
    }
    let found = |search: OrderSearch| async move { store.search_orders(&search).await.expect("search") };

    let (all, total) = found(search(&shop, None)).await;
    assert_eq!(total, 3);
    let newest_first: Vec<&str> = all.iter().map(|row| row.customer_name.as_str()).collect();
    assert_eq!(newest_first, ["Carla_Ruiz", "BRUNO 100%", "Ana Pérez"]);
    assert_eq!(all[0].location_name, "Annex");
    assert_eq!((all[2].subtotal_minor, all[2].currency), (3000, Currency::Clp));

    let (rows, _) = found(search(&shop, Some("bruno"))).await;
    assert_eq!(rows.len(), 1, "case-insensitive");
    let (rows, _) = found(search(&shop, Some("%"))).await;
    assert_eq!(rows.iter().map(|r| r.customer_name.as_str()).collect::<Vec<_>>(), ["BRUNO 100%"], "% is literal");
    let (rows, _) = found(search(&shop, Some("a_r"))).await;
    assert_eq!(rows.iter().map(|r| r.customer_name.as_str()).collect::<Vec<_>>(), ["Carla_Ruiz"], "_ is literal");
    let (rows, _) = found(search(&shop, Some("91111222"))).await;
    assert_eq!(rows.len(), 1, "phone digits match whatever the spacing");
    let number = placed[1].order.number.to_string();
    let (rows, _) = found(search(&shop, Some(&format!("#{number}")))).await;
    assert_eq!(rows.iter().map(|r| r.order_number).collect::<Vec<_>>(), [placed[1].order.number]);
    let (rows, total) = found(search(&shop, Some("nadie"))).await;
    assert_eq!((rows.len(), total), (0, 0));

    let at_annex = OrderSearch { location_id: Some(annex.id.clone()), ..search(&shop, None) };
    assert_eq!(found(at_annex).await.1, 1);
    let reject =
        step(&placed[0].fulfillments[0], FulfillmentStatus::Placed, FulfillmentStatus::Rejected, T0 + 9 * MINUTE);
    store.apply_transition(&reject).await.expect("reject");
    let rejected = OrderSearch { status: Some(FulfillmentStatus::Rejected), ..search(&shop, None) };
    let (rows, _) = found(rejected).await;
    assert_eq!(rows.iter().map(|r| r.refunded_minor).collect::<Vec<_>>(), [3000]);
    let window = OrderSearch { from_ms: T0 + MINUTE, to_ms: T0 + 2 * MINUTE, ..search(&shop, None) };
    assert_eq!(found(window).await.1, 1, "from inclusive, to exclusive");
    let paged = OrderSearch { page: Page { limit: 2, offset: 2 }, ..search(&shop, None) };
    let (rows, total) = found(paged).await;
    assert_eq!((rows.len(), total), (1, 3), "the total counts every match, not the page");
    let other = OrderSearch { merchant_id: "mer-other".into(), ..search(&shop, None) };
    assert_eq!(found(other).await.1, 0, "another merchant's parts are never found");
}

/// Scenario: takings add up a day's parts per channel; the settlement statement lists the same
/// parts as the settlement, with locations and channels.
pub async fn console_takings_and_statement(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "JUGO", 2000, false).await;
    for (channel, at, method) in
        [("qr", T0, "card"), ("web", T0 + 1, "card"), ("qr", T0 + 2, "card"), ("pos", T0 + 3, "pay_at_pickup")]
    {
        let mut order = shop.order(&[("JUGO", 1, 2000, false)], method, at);
        order.order.channel = Channel::parse(channel).expect("a channel");
        let placed = store.place_order(&order).await.expect("place");
        if channel == "web" {
            let reject = step(&placed.fulfillments[0], FulfillmentStatus::Placed, FulfillmentStatus::Rejected, at + 5);
            store.apply_transition(&reject).await.expect("reject");
        }
    }
    let late = shop.order(&[("JUGO", 1, 2000, false)], "card", T0 + 86_400_000);
    store.place_order(&late).await.expect("the next day");

    let day = store.takings_by_channel(&shop.merchant.id, None, T0, T0 + 86_400_000).await.expect("takings");
    let summary: Vec<(String, i64, i64, i64)> =
        day.iter().map(|row| (row.channel.to_string(), row.orders, row.gross_minor, row.refunds_minor)).collect();
    let expected = [("pos", 1, 0, 0), ("qr", 2, 4000, 0), ("web", 0, 2000, 2000)];
    assert_eq!(summary, expected.map(|(channel, a, b, c)| (channel.to_owned(), a, b, c)), "by channel");
    let here = store.takings_by_channel(&shop.merchant.id, Some(&shop.location.id), T0, T0 + 1).await.expect("one");
    assert_eq!(here.len(), 1);
    let elsewhere = store.takings_by_channel(&shop.merchant.id, Some("loc-other"), T0, i64::MAX).await.expect("none");
    assert!(elsewhere.is_empty());

    let lines = store.settlement_lines(&shop.merchant.id, T0, T0 + 86_400_000).await.expect("lines");
    let money = store.merchant_money(&shop.merchant.id, T0, T0 + 86_400_000).await.expect("money");
    assert_eq!(lines.len(), money.len());
    let mut from_lines: Vec<_> = lines.iter().map(|line| line.money.clone()).collect();
    let mut from_money = money.clone();
    let key = |row: &omnicanal_store::SettlementPartRow| (row.status, row.captured_minor, row.refunded_minor);
    from_lines.sort_by_key(key);
    from_money.sort_by_key(key);
    assert_eq!(from_lines, from_money, "the statement's parts are the settlement's parts");
    assert_eq!(lines[0].channel, Channel::Qr);
    assert_eq!(lines[0].location_name, shop.location.name);
    assert!(lines.windows(2).all(|pair| pair[0].created_at_ms <= pair[1].created_at_ms), "oldest first");
}
