//! Click & collect scenario (issue 17 point 5): two tills change the same part at once from
//! the same version — exactly one change lands, the other is `StaleState` and leaves nothing
//! behind (its holds, lines and record rolled back); a change to a SKU that is short is
//! `InsufficientStock` naming it, with the part as it was.

use std::sync::Arc;

use omnicanal_domain::Currency;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_store::{
    ChangedLine, ClickCollectStore, LineRow, NewPickupChange, OrderRecord, PickupChangeRow, SqlStore, Store, StoreError,
};

use crate::support::{Shop, T0, id};

/// A change of `order`'s only part to `lines` (sku, units, unit price), from version 0.
fn change_to(order: &OrderRecord, lines: &[(&str, i64, i64)]) -> NewPickupChange {
    let part = &order.fulfillments[0];
    let rows: Vec<LineRow> = lines
        .iter()
        .map(|&(sku, quantity, price)| LineRow {
            sku: sku.into(),
            quantity,
            unit_price_minor: price,
            total_minor: quantity * price,
            track_stock: true,
            pricing: Default::default(),
        })
        .collect();
    let after: i64 = rows.iter().map(|line| line.total_minor).sum();
    let mut net: std::collections::BTreeMap<String, i64> = Default::default();
    for line in &part.lines {
        *net.entry(line.sku.clone()).or_default() -= line.quantity;
    }
    for line in &rows {
        *net.entry(line.sku.clone()).or_default() += line.quantity;
    }
    let changed = |lines: &[LineRow]| -> Vec<ChangedLine> {
        lines
            .iter()
            .map(|l| ChangedLine {
                sku: l.sku.clone(),
                quantity: l.quantity,
                unit_price_minor: l.unit_price_minor,
                total_minor: l.total_minor,
            })
            .collect()
    };
    NewPickupChange {
        change: PickupChangeRow {
            id: id("pchg"),
            fulfillment_id: part.id.clone(),
            order_id: order.order.id.clone(),
            merchant_id: part.merchant_id.clone(),
            location_id: part.location_id.clone(),
            session_id: None,
            device_id: None,
            created_by: None,
            created_at_ms: T0 + 1_000,
            currency: Currency::Clp,
            before_total_minor: part.subtotal_minor,
            after_total_minor: after,
            refund_minor: 0,
            to_collect_minor: after,
            before: changed(&part.lines),
            after: changed(&rows),
        },
        expected_change_count: 0,
        expected_status: FulfillmentStatus::Placed,
        gross_minor: after,
        discount_minor: 0,
        merchant_funded_minor: 0,
        operator_funded_minor: 0,
        outstanding_delta_minor: after - part.subtotal_minor,
        stock_deltas: net.into_iter().filter(|(_, delta)| *delta != 0).collect(),
        lines: rows,
        payment_reference: None,
        refund_event: None,
        event_id: id("evt"),
    }
}

/// Scenario: two concurrent changes of one part → one lands, the other changes nothing.
pub async fn pickup_changes_of_one_part_land_once(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    for sku in ["TEE-M", "TEE-L", "TEE-XL"] {
        shop.add_product(store, sku, 9_990, true).await;
    }
    shop.restock(store, "TEE-M", 5).await.expect("stock M");
    shop.restock(store, "TEE-L", 5).await.expect("stock L");
    let order = store.place_order(&shop.order(&[("TEE-M", 1, 9_990, true)], "pay_at_pickup", T0)).await.expect("order");

    // XL has no stock: refused naming it, the part as it was.
    let short = store.change_pickup_part(&change_to(&order, &[("TEE-XL", 1, 9_990)])).await;
    assert!(matches!(&short, Err(StoreError::InsufficientStock { sku }) if sku == "TEE-XL"), "{short:?}");
    assert_eq!(store.part_change_count(&order.fulfillments[0].id).await.expect("version"), Some(0));
    assert_eq!(shop.level(store, "TEE-M").await.map(|l| l.reserved), Some(1), "M still held");

    let to_l = change_to(&order, &[("TEE-L", 1, 11_990)]);
    let to_two_m = change_to(&order, &[("TEE-M", 2, 9_990)]);
    let (a, b) = (Arc::clone(&shared), Arc::clone(&shared));
    let first = tokio::spawn(async move { a.change_pickup_part(&to_l).await });
    let second = tokio::spawn(async move { b.change_pickup_part(&to_two_m).await });
    let outcomes = [first.await.expect("task"), second.await.expect("task")];
    let landed = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
    let stale = outcomes.iter().filter(|outcome| matches!(outcome, Err(StoreError::StaleState))).count();
    assert_eq!((landed, stale), (1, 1), "{outcomes:?}");

    let part = store.get_fulfillment(&order.fulfillments[0].id).await.expect("read").expect("part");
    let changes = store.list_pickup_changes(&part.id).await.expect("changes");
    assert_eq!(changes.len(), 1, "only the landed change is recorded");
    assert_eq!(store.part_change_count(&part.id).await.expect("version"), Some(1));
    let held = |sku: &str| part.lines.iter().filter(|l| l.sku == sku).map(|l| l.quantity).sum::<i64>();
    assert_eq!(shop.level(store, "TEE-M").await.map(|l| l.reserved), Some(held("TEE-M")));
    assert_eq!(shop.level(store, "TEE-L").await.map(|l| l.reserved), Some(held("TEE-L")));
    let stored = store.get_order(&order.order.id).await.expect("read").expect("order");
    assert_eq!(stored.order.total_minor, part.subtotal_minor, "the order's total follows the part");
    assert_eq!(stored.order.outstanding_minor, part.subtotal_minor, "pay at pickup owes the new total");
}
