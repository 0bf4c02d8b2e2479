//! Stock conflicts resolved by the manager, on both databases: by a count of the shelf, by a
//! transfer from another location (refused and undone when the source lacks the units), and a
//! second resolution of the same conflict that finds it already resolved.

use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::{DomainEvent, EventType, StockConflictResolved};
use omnicanal_domain::inventory::{MovementReason, TransferStatus};
use omnicanal_store::{
    ConflictResolveOutcome, LocationRow, NewConflictResolution, NewEvent, PosSaleOutcome, ResolutionCount,
    StockConflictRow, StockMovementRow, Store, StoreError, TransferRow,
};

use crate::pos::{device_row, open_session, sale, session_row};
use crate::stock::events_after;
use crate::support::{Shop, T0, id};

fn movement(location: &LocationRow, sku: &str, delta: i64, reason: MovementReason) -> StockMovementRow {
    StockMovementRow {
        id: id("mov"),
        sku: sku.into(),
        location_id: location.id.clone(),
        merchant_id: location.merchant_id.clone(),
        delta,
        reason,
        reference: None,
        channel: (reason == MovementReason::Sale).then_some(Channel::Pos),
        created_by: Some("usr_manager".into()),
        created_at_ms: T0,
        event_id: id("evt"),
    }
}

fn resolution(conflict: &StockConflictRow, action: &str) -> NewConflictResolution {
    NewConflictResolution {
        conflict_id: conflict.id.clone(),
        action: action.into(),
        resolved_by: "usr_manager".into(),
        resolved_at_ms: T0 + 1,
        count: None,
        transfer: None,
        movements: Vec::new(),
        resolution_json: "{}".into(),
        event: NewEvent {
            event_id: id("evt"),
            created_at_ms: T0 + 1,
            event: DomainEvent::StockConflictResolved(StockConflictResolved {
                conflict_id: conflict.id.clone(),
                merchant_id: conflict.merchant_id.clone(),
                location_id: conflict.location_id.clone(),
                sku: conflict.sku.clone(),
                shortfall: conflict.shortfall,
                action: action.into(),
                resolved_by: "usr_manager".into(),
                movement_ids: Vec::new(),
                transfer_id: None,
                order_id: None,
                refund_job_id: None,
            }),
        },
    }
}

/// Scenario: three offline sales short of stock, resolved by a count, a transfer (after one
/// the source could not serve), and a second resolution that finds the first.
pub async fn stock_conflicts_are_resolved_once(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "TE-100", 1500, true).await;
    shop.restock(store, "TE-100", 1).await.expect("stock");
    let bodega = LocationRow { id: id("loc"), name: "Bodega".into(), ..shop.location.clone() };
    store.insert_location(&bodega).await.expect("a second location");
    store.apply_stock_movement(&movement(&bodega, "TE-100", 3, MovementReason::Receipt)).await.expect("bodega stock");
    let device = device_row(&shop, "Caja 1", "T8CNF");
    store.insert_pos_device(&device).await.expect("till");
    let session = session_row(&shop, &device, 0);
    open_session(store, &session).await;
    let mut conflicts = Vec::new();
    for n in 1..=3 {
        let quantity = if n == 1 { 2 } else { 1 };
        let offline = sale(&session, &format!("cnf-{n}"), n, "TE-100", quantity, 1500, true);
        let PosSaleOutcome::Recorded(opened) = store.record_pos_sale(&offline).await.expect("offline sale") else {
            panic!("an offline sale is recorded")
        };
        assert_eq!(opened.len(), 1, "sale {n} is one unit short");
        conflicts.push(opened[0].clone());
    }
    let head = store.outbox_head().await.expect("head");

    // A count: on-hand becomes the figure; the conflict is resolved with who, when and how.
    let mut by_count = resolution(&conflicts[0], "count");
    let counted = movement(&shop.location, "TE-100", 0, MovementReason::Count);
    by_count.count = Some(ResolutionCount { movement: counted.clone(), counted: 2 });
    by_count.resolution_json = format!(r#"{{"movement_ids":["{}"],"counted":2}}"#, counted.id);
    assert_eq!(store.resolve_stock_conflict(&by_count).await.expect("count"), ConflictResolveOutcome::Resolved);
    assert_eq!(shop.level(store, "TE-100").await.map(|level| level.on_hand), Some(2));
    let detail = store.get_stock_conflict_detail(&conflicts[0].id).await.expect("read").expect("there");
    assert_eq!(detail.conflict.status, "resolved");
    assert_eq!(detail.resolution.as_deref(), Some("count"));
    assert_eq!(detail.resolved_by.as_deref(), Some("usr_manager"));
    assert_eq!(detail.resolved_at_ms, Some(T0 + 1));
    assert_eq!(detail.receipt_number.as_deref(), Some("T9-1"));
    assert_eq!(detail.resolution_json, Some(by_count.resolution_json.clone()));

    // Resolving twice finds the first resolution and changes nothing.
    let mut again = resolution(&conflicts[0], "count");
    again.count =
        Some(ResolutionCount { movement: movement(&shop.location, "TE-100", 0, MovementReason::Count), counted: 9 });
    assert_eq!(store.resolve_stock_conflict(&again).await.expect("again"), ConflictResolveOutcome::AlreadyResolved);
    assert_eq!(shop.level(store, "TE-100").await.map(|level| level.on_hand), Some(2));
    let nothing = resolution(&StockConflictRow { id: "scf_nothing".into(), ..conflicts[0].clone() }, "count");
    assert_eq!(store.resolve_stock_conflict(&nothing).await.expect("missing"), ConflictResolveOutcome::Missing);

    // A transfer the source cannot serve is refused whole: the conflict stays open.
    let transfer = |quantity: i64| TransferRow {
        id: id("trf"),
        merchant_id: shop.merchant.id.clone(),
        sku: "TE-100".into(),
        from_location_id: bodega.id.clone(),
        to_location_id: shop.location.id.clone(),
        quantity,
        status: TransferStatus::Received,
        created_by: Some("usr_manager".into()),
        created_at_ms: T0 + 1,
        received_at_ms: Some(T0 + 1),
    };
    let mut too_many = resolution(&conflicts[1], "transfer");
    too_many.transfer = Some(transfer(4));
    too_many.movements = vec![
        movement(&bodega, "TE-100", -4, MovementReason::TransferOut),
        movement(&shop.location, "TE-100", 4, MovementReason::TransferIn),
    ];
    let refused = store.resolve_stock_conflict(&too_many).await;
    assert!(matches!(&refused, Err(StoreError::InsufficientStock { sku }) if sku == "TE-100"), "{refused:?}");
    let open =
        store.list_stock_conflict_details(&shop.location.id, Some("open"), Default::default()).await.expect("open");
    assert_eq!(open.len(), 2, "the refused transfer left its conflict open");

    // The shortfall from the bodega: out there, in here, and the rest of the sale off the shelf.
    let mut by_transfer = resolution(&conflicts[1], "transfer");
    by_transfer.transfer = Some(transfer(1));
    by_transfer.movements = vec![
        movement(&bodega, "TE-100", -1, MovementReason::TransferOut),
        movement(&shop.location, "TE-100", 1, MovementReason::TransferIn),
        movement(&shop.location, "TE-100", -1, MovementReason::Sale),
    ];
    assert_eq!(store.resolve_stock_conflict(&by_transfer).await.expect("transfer"), ConflictResolveOutcome::Resolved);
    assert_eq!(shop.level(store, "TE-100").await.map(|level| level.on_hand), Some(2));
    let transfer_row = by_transfer.transfer.as_ref().map(|t| t.id.clone()).unwrap_or_default();
    assert_eq!(
        store.get_transfer(&transfer_row).await.expect("read").map(|t| t.status),
        Some(TransferStatus::Received)
    );
    let open =
        store.list_stock_conflict_details(&shop.location.id, Some("open"), Default::default()).await.expect("open");
    assert_eq!(open.iter().map(|d| d.conflict.id.clone()).collect::<Vec<_>>(), vec![conflicts[2].id.clone()]);

    let resolved: Vec<_> = events_after(store, head)
        .await
        .into_iter()
        .filter(|e| e.event_type == EventType::StockConflictResolved)
        .collect();
    assert_eq!(resolved.len(), 2, "one event per resolution, none for the refused or repeated ones");
}
