//! Endless-aisle scenarios (issue 17 point 7): an order sold on a tablet holds its units at the
//! source like any order — two tablets selling the last unit at once sell it once — its
//! shipment moves only from where it stands and its delivery takes the held units out of
//! on-hand; a pickup here leaves the source at once and is held at the store when received,
//! once.

use std::sync::Arc;

use omnicanal_domain::aisle::AisleFulfilment;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::delivery::DeliveryAddress;
use omnicanal_domain::events::{DomainEvent, SessionAction, ShipmentStatusChanged};
use omnicanal_domain::fulfillment::{FulfillmentStatus, StockEffect, TransitionPlan};
use omnicanal_domain::inventory::{MovementReason, TransferStatus};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pos::TenderMethod;
use omnicanal_domain::shipment::{ShipmentStatus, TrackingReference};
use omnicanal_store::{
    AisleOrderRow, AislePaymentRow, AisleReceipt, AisleStore, FulfillmentChange, LocationRow, NewAisleOrder, NewEvent,
    PosSessionRow, Preparation, ShipmentChange, ShipmentRow, SqlStore, StockMovementRow, Store, StoreError,
    TransferRow,
};

use crate::pos::{device_row, open_session, session_event, session_row};
use crate::support::{Shop, T0, id};

/// An aisle order of `quantity` units of `sku` sold at `session`, held at the shop's location
/// (the source), paid in cash; a delivery, or a pickup at `store`.
fn aisle_order(
    shop: &Shop,
    session: &PosSessionRow,
    sku: &str,
    quantity: i64,
    store: Option<&LocationRow>,
) -> NewAisleOrder {
    let mut order = shop.order(&[(sku, quantity, 1000, true)], "card", T0);
    order.order.payment_method = PaymentMethod::PaidInShop;
    order.order.payment_reference = None;
    order.order.channel = Channel::Tablet;
    let order_id = order.order.id.clone();
    let part_id = order.fulfillments[0].id.clone();
    let mode = if store.is_some() { AisleFulfilment::PickupHere } else { AisleFulfilment::Delivery };
    let aisle = AisleOrderRow {
        order_id: order_id.clone(),
        merchant_id: shop.merchant.id.clone(),
        device_id: session.device_id.clone(),
        session_id: session.id.clone(),
        store_location_id: store.map_or(shop.location.id.clone(), |store| store.id.clone()),
        source_location_id: shop.location.id.clone(),
        fulfillment_id: part_id.clone(),
        mode,
        promised_date: store.map(|_| "2026-12-08".to_owned()),
        promised_from: store.map(|_| "10:00".to_owned()),
        received_at_ms: None,
        cash_minor: quantity * 1000,
        card_minor: 0,
        change_minor: 0,
        cash_refund_owed_minor: 0,
        created_by: None,
        created_at_ms: T0,
    };
    let shipment = store.is_none().then(|| ShipmentRow {
        id: id("shp"),
        order_id: order_id.clone(),
        fulfillment_id: part_id.clone(),
        merchant_id: shop.merchant.id.clone(),
        location_id: shop.location.id.clone(),
        status: ShipmentStatus::Pending,
        tracking_reference: None,
        recipient_name: "Ana Pérez".into(),
        recipient_phone: "+56911112222".into(),
        address: DeliveryAddress {
            street: "Av. Apoquindo".into(),
            number: "4501".into(),
            district: "Las Condes".into(),
            reference: None,
        },
        created_at_ms: T0,
        updated_at_ms: T0,
    });
    let transfers = store
        .map(|store| {
            let transfer = TransferRow {
                id: id("trf"),
                merchant_id: shop.merchant.id.clone(),
                sku: sku.into(),
                from_location_id: shop.location.id.clone(),
                to_location_id: store.id.clone(),
                quantity,
                status: TransferStatus::InTransit,
                created_by: None,
                created_at_ms: T0,
                received_at_ms: None,
            };
            let out = StockMovementRow {
                reason: MovementReason::TransferOut,
                reference: Some(order_id.clone()),
                ..shop.movement(sku, -quantity)
            };
            vec![(transfer, out)]
        })
        .unwrap_or_default();
    NewAisleOrder {
        order,
        aisle,
        payments: vec![AislePaymentRow {
            method: TenderMethod::Cash,
            amount_minor: quantity * 1000,
            tendered_minor: None,
            reference: None,
        }],
        shipment,
        transfers,
        session_event: Some(session_event(session, SessionAction::CashIn)),
    }
}

fn shipment_event(shipment: &ShipmentRow, from: ShipmentStatus, to: ShipmentStatus) -> NewEvent {
    NewEvent {
        event_id: id("evt"),
        created_at_ms: T0,
        event: DomainEvent::ShipmentStatusChanged(ShipmentStatusChanged {
            shipment_id: shipment.id.clone(),
            order_id: shipment.order_id.clone(),
            fulfillment_id: shipment.fulfillment_id.clone(),
            merchant_id: shipment.merchant_id.clone(),
            location_id: shipment.location_id.clone(),
            from,
            status: to,
            tracking_reference: None,
        }),
    }
}

fn step(shipment: &ShipmentRow, from: ShipmentStatus, to: ShipmentStatus) -> ShipmentChange {
    ShipmentChange {
        shipment_id: shipment.id.clone(),
        from,
        to,
        tracking: (to == ShipmentStatus::Shipped).then(|| TrackingReference::parse("CHX-1").expect("a reference")),
        part_change: None,
        card_refunds: Vec::new(),
        credit_refunds: Vec::new(),
        cash_refund_owed_minor: 0,
        event: shipment_event(shipment, from, to),
        now_ms: T0 + 1,
    }
}

fn part_change(
    part_id: &str,
    from: FulfillmentStatus,
    to: FulfillmentStatus,
    stock: Option<StockEffect>,
) -> FulfillmentChange {
    FulfillmentChange {
        fulfillment_id: part_id.to_owned(),
        plan: TransitionPlan { from, to, stock, money: None },
        reason: None,
        preparation: Preparation::default(),
        now_ms: T0 + 2,
        event_id: id("evt"),
        money_event_id: id("evt"),
    }
}

/// Scenario: two aisle orders for the last unit at a source, at once: exactly one is placed;
/// its shipment moves only from where it stands and its delivery sells the held unit.
pub async fn aisle_orders_hold_the_last_unit_once_and_ship_it(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    shop.add_product(store, "CHAQ-M", 1000, true).await;
    shop.restock(store, "CHAQ-M", 1).await.expect("stock");
    let device = device_row(&shop, "Tablet", "TA001");
    store.insert_pos_device(&device).await.expect("till");
    let session = session_row(&shop, &device, 0);
    open_session(store, &session).await;

    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let store = Arc::clone(&shared);
            let new = aisle_order(&shop, &session, "CHAQ-M", 1, None);
            tokio::spawn(async move { store.place_aisle_order(&new).await.map(|placed| (placed, new)) })
        })
        .collect();
    let (mut placed, mut short) = (Vec::new(), 0);
    for task in tasks {
        match task.await.expect("task") {
            Ok(won) => placed.push(won),
            Err(StoreError::InsufficientStock { sku }) if sku == "CHAQ-M" => short += 1,
            Err(other) => panic!("unexpected error under contention: {other:?}"),
        }
    }
    assert_eq!((placed.len(), short), (1, 1), "exactly one sells the last unit");
    let level = shop.level(store, "CHAQ-M").await.expect("level");
    assert_eq!((level.on_hand, level.reserved), (1, 1));
    let (record, new) = placed.remove(0);
    assert_eq!(record.order.channel, Channel::Tablet);
    let loser_order = store.get_aisle_order(&record.order.id).await.expect("read");
    assert_eq!(loser_order.map(|r| r.payments.len()), Some(1), "the winner's tenders are kept");
    let shipment = store.get_order_shipment(&record.order.id).await.expect("read").expect("a shipment");
    assert_eq!(shipment.status, ShipmentStatus::Pending);
    let listed = store
        .list_location_shipments(&shop.location.id, Some(ShipmentStatus::Pending), omnicanal_store::Page::first(10))
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);

    use ShipmentStatus::*;
    store.step_shipment(&step(&shipment, Pending, Picked)).await.expect("picked");
    let again = store.step_shipment(&step(&shipment, Pending, Picked)).await;
    assert!(matches!(again, Err(StoreError::StaleState)), "a step from where it no longer stands: {again:?}");
    store.step_shipment(&step(&shipment, Picked, Packed)).await.expect("packed");
    let shipped = store.step_shipment(&step(&shipment, Packed, Shipped)).await.expect("shipped");
    assert_eq!(shipped.tracking_reference.as_deref(), Some("CHX-1"));
    let part_id = &new.aisle.fulfillment_id;
    let delivered = ShipmentChange {
        part_change: Some(part_change(
            part_id,
            FulfillmentStatus::Placed,
            FulfillmentStatus::Collected,
            Some(StockEffect::Sell),
        )),
        ..step(&shipment, Shipped, Delivered)
    };
    store.step_shipment(&delivered).await.expect("delivered");
    let level = shop.level(store, "CHAQ-M").await.expect("level");
    assert_eq!((level.on_hand, level.reserved), (0, 0), "the held unit left on-hand");
    let order = store.get_order(&record.order.id).await.expect("read").expect("the order");
    assert_eq!(order.fulfillments[0].status, FulfillmentStatus::Collected);
}

/// Scenario: a pickup here leaves the source at once as a transfer, its part moves to the store,
/// and its arrival holds the units there for the part, once.
pub async fn an_aisle_pickup_leaves_the_source_and_is_held_at_the_store_once(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "MOCH-28", 1000, true).await;
    shop.restock(store, "MOCH-28", 3).await.expect("stock");
    let here = LocationRow { id: id("loc"), name: "Andina Las Condes".into(), ..shop.location.clone() };
    store.insert_location(&here).await.expect("the selling store");
    let device = device_row(&shop, "Tablet", "TA002");
    store.insert_pos_device(&device).await.expect("till");
    let session = session_row(&shop, &device, 0);
    open_session(store, &session).await;

    let new = aisle_order(&shop, &session, "MOCH-28", 2, Some(&here));
    let placed = store.place_aisle_order(&new).await.expect("placed");
    assert_eq!(placed.fulfillments[0].location_id, here.id, "the part is picked up at the store");
    assert!(placed.fulfillments[0].lines.iter().all(|line| !line.track_stock), "held nowhere in transit");
    let level = shop.level(store, "MOCH-28").await.expect("level");
    assert_eq!((level.on_hand, level.reserved), (1, 0), "the units left the source");
    let transfer_id = new.transfers[0].0.id.clone();
    let transfer = store.get_transfer(&transfer_id).await.expect("read").expect("a transfer");
    assert_eq!(transfer.status, TransferStatus::InTransit);

    let into = StockMovementRow {
        location_id: here.id.clone(),
        reason: MovementReason::TransferIn,
        ..shop.movement("MOCH-28", 2)
    };
    let receipt = AisleReceipt {
        order_id: new.aisle.order_id.clone(),
        movements: vec![(transfer_id.clone(), into.clone())],
        part_change: part_change(&new.aisle.fulfillment_id, FulfillmentStatus::Placed, FulfillmentStatus::Ready, None),
        now_ms: T0 + 5,
    };
    let received = store.receive_aisle_order(&receipt).await.expect("received");
    assert_eq!(received.fulfillments[0].status, FulfillmentStatus::Ready);
    assert!(received.fulfillments[0].lines.iter().all(|line| line.track_stock), "held at the store now");
    let filter = omnicanal_store::StockFilter {
        location_id: Some(here.id.clone()),
        sku: Some("MOCH-28".into()),
        ..Default::default()
    };
    let at_store = store.list_stock(&filter).await.expect("stock").pop().expect("a level at the store");
    assert_eq!((at_store.on_hand, at_store.reserved), (2, 2));
    let twice = AisleReceipt { movements: vec![(transfer_id, StockMovementRow { id: id("mov"), ..into })], ..receipt };
    assert!(matches!(store.receive_aisle_order(&twice).await, Err(StoreError::StaleState)), "received once");
    let record = store.get_aisle_order(&new.aisle.order_id).await.expect("read").expect("the aisle order");
    assert!(record.aisle.received_at_ms.is_some());
    assert_eq!(record.transfer_ids.len(), 1);
}
