//! The till's scenarios: one open session per till, a session that does not add up, a sale
//! sent three times that is one sale, online sales refused for stock and offline ones turned
//! into conflicts, and a receipt series with its gap and its reused number.

use omnicanal_domain::Money;
use omnicanal_domain::events::{DomainEvent, EventType, PosSaleRecorded, PosSessionChanged, SessionAction};
use omnicanal_domain::pos::{CashDirection, SessionStatus, TenderMethod, series_report};
use omnicanal_store::{
    NewEvent, NewPosSale, PosCashMovementRow, PosDeviceRow, PosPaymentRow, PosSaleLineRow, PosSaleOutcome, PosSaleRow,
    PosSessionRow, PosStockLine, ReceiptDuplicateRow, Store, StoreError, UniqueKey,
};

use crate::stock::events_after;
use crate::support::{Shop, T0, id};

pub(crate) fn session_event(session: &PosSessionRow, action: SessionAction) -> NewEvent {
    NewEvent {
        event_id: id("evt"),
        created_at_ms: T0,
        event: DomainEvent::PosSessionChanged(PosSessionChanged {
            session_id: session.id.clone(),
            merchant_id: session.merchant_id.clone(),
            location_id: session.location_id.clone(),
            device_id: session.device_id.clone(),
            action,
            amount: None,
            reason: None,
            expected_cash: None,
            counted_cash: None,
            difference: None,
        }),
    }
}

/// A cash sale of `quantity` units of `sku` at `price`, receipt n, paid with `cash` handed over.
pub(crate) fn sale(
    session: &PosSessionRow,
    sale_id: &str,
    n: i64,
    sku: &str,
    quantity: i64,
    price: i64,
    offline: bool,
) -> NewPosSale {
    let total = quantity * price;
    let row = PosSaleRow {
        id: sale_id.into(),
        session_id: session.id.clone(),
        device_id: session.device_id.clone(),
        merchant_id: session.merchant_id.clone(),
        location_id: session.location_id.clone(),
        receipt_number: format!("T9-{n}"),
        receipt_n: n,
        request_hash: format!("hash-{sale_id}"),
        offline,
        sold_at_ms: T0,
        recorded_at_ms: T0,
        currency: session.currency,
        total_minor: total,
        discount_minor: 0,
        tax_minor: 0,
        change_minor: 0,
        customer_json: None,
        created_by: None,
        answer_json: "{}".into(),
    };
    NewPosSale {
        sale: row,
        lines: vec![PosSaleLineRow {
            sku: sku.into(),
            quantity,
            unit_price_minor: price,
            discount_minor: 0,
            tax_minor: 0,
            total_minor: total,
            track_stock: true,
            modifiers_json: None,
            note: None,
        }],
        payments: vec![PosPaymentRow {
            method: TenderMethod::Cash,
            amount_minor: total,
            tendered_minor: None,
            reference: None,
            card_last4: None,
        }],
        stock: vec![PosStockLine {
            sku: sku.into(),
            quantity,
            movement_id: id("mov"),
            event_id: id("evt"),
            conflict_id: id("scf"),
        }],
        event: NewEvent {
            event_id: id("evt"),
            created_at_ms: T0,
            event: DomainEvent::PosSaleRecorded(PosSaleRecorded {
                sale_id: sale_id.into(),
                merchant_id: session.merchant_id.clone(),
                location_id: session.location_id.clone(),
                device_id: session.device_id.clone(),
                session_id: session.id.clone(),
                receipt_number: format!("T9-{n}"),
                total: Money::new(total, session.currency),
                offline,
                sold_at: T0,
                lines: Vec::new(),
                conflicts: Vec::new(),
            }),
        },
        redemptions: Vec::new(),
        accounting: Default::default(),
    }
}

/// A till named `name` at the shop's location, giving receipts of `series` (not yet stored).
pub(crate) fn device_row(shop: &Shop, name: &str, series: &str) -> PosDeviceRow {
    PosDeviceRow {
        id: id("dev"),
        merchant_id: shop.merchant.id.clone(),
        location_id: shop.location.id.clone(),
        name: name.into(),
        receipt_series: series.into(),
        created_by: None,
        created_at_ms: T0,
    }
}

/// An open session on `device` with `float` in the drawer, in the shop's currency (not yet
/// stored).
pub(crate) fn session_row(shop: &Shop, device: &PosDeviceRow, float: i64) -> PosSessionRow {
    PosSessionRow {
        id: id("ses"),
        device_id: device.id.clone(),
        merchant_id: device.merchant_id.clone(),
        location_id: device.location_id.clone(),
        currency: shop.site.currency,
        status: SessionStatus::Open,
        opening_float_minor: float,
        opened_by: None,
        opened_at_ms: T0,
        expected_cash_minor: None,
        counted_cash_minor: None,
        closed_by: None,
        closed_at_ms: None,
    }
}

/// Stores `session` open, with its event.
pub(crate) async fn open_session(store: &dyn Store, session: &PosSessionRow) {
    store.open_pos_session(session, &session_event(session, SessionAction::Opened)).await.expect("open");
}

/// Scenario: a till's session, its sales exactly once, its conflicts and its receipt series.
pub async fn pos_till_sessions_sales_and_receipts(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "CAF-250", 2500, true).await;
    shop.restock(store, "CAF-250", 3).await.expect("stock");
    let device = device_row(&shop, "Caja 1", "T9ABC");
    store.insert_pos_device(&device).await.expect("register a till");
    let twin = PosDeviceRow { id: id("dev"), ..device.clone() };
    let taken = store.insert_pos_device(&twin).await;
    assert!(matches!(taken, Err(StoreError::Duplicate(UniqueKey::ReceiptSeries))), "{taken:?}");
    let elsewhere = PosDeviceRow {
        id: id("dev"),
        location_id: "loc_nowhere".into(),
        receipt_series: "TZZ".into(),
        ..device.clone()
    };
    assert!(store.insert_pos_device(&elsewhere).await.is_err(), "a till needs a location");
    assert_eq!(store.list_pos_devices(&shop.location.id).await.expect("tills"), vec![device.clone()]);

    let session = session_row(&shop, &device, 10_000);
    let head = store.outbox_head().await.expect("head");
    open_session(store, &session).await;
    let second = PosSessionRow { id: id("ses"), ..session.clone() };
    let refused = store.open_pos_session(&second, &session_event(&second, SessionAction::Opened)).await;
    assert!(matches!(refused, Err(StoreError::Duplicate(UniqueKey::OpenSession))), "{refused:?}");
    for (direction, amount) in [(CashDirection::In, 5_000), (CashDirection::Out, 2_000)] {
        let movement = PosCashMovementRow {
            id: id("cmv"),
            session_id: session.id.clone(),
            direction,
            amount_minor: amount,
            reason: "cambio".into(),
            created_by: None,
            created_at_ms: T0,
        };
        store.add_pos_cash_movement(&movement, &session_event(&session, SessionAction::CashIn)).await.expect("cash");
    }

    // A sale sent three times is one sale.
    let first = sale(&session, "sale-1", 1, "CAF-250", 2, 2500, false);
    assert_eq!(store.record_pos_sale(&first).await.expect("first"), PosSaleOutcome::Recorded(vec![]));
    for _ in 0..2 {
        match store.record_pos_sale(&first).await.expect("again") {
            PosSaleOutcome::Existing(existing, conflicts) => {
                assert_eq!(*existing, first.sale);
                assert!(conflicts.is_empty());
            }
            other => panic!("a repeat finds the first sale: {other:?}"),
        }
    }
    assert_eq!(store.pos_receipt_numbers(&device.id).await.expect("numbers"), vec![1]);
    assert_eq!(shop.level(store, "CAF-250").await.map(|l| l.on_hand), Some(1), "two units left the shelf once");

    // Online, a short SKU refuses the sale and records nothing.
    let short = sale(&session, "sale-2", 2, "CAF-250", 2, 2500, false);
    let refused = store.record_pos_sale(&short).await;
    assert!(matches!(&refused, Err(StoreError::InsufficientStock { sku }) if sku == "CAF-250"), "{refused:?}");
    assert_eq!(store.get_pos_sale("sale-2").await.expect("read"), None);

    // Offline, the sale is recorded; the ledger gives what it has and the rest is a conflict.
    let offline = sale(&session, "sale-4", 4, "CAF-250", 3, 2500, true);
    let PosSaleOutcome::Recorded(conflicts) = store.record_pos_sale(&offline).await.expect("offline sale") else {
        panic!("an offline sale is recorded")
    };
    assert_eq!(conflicts.len(), 1);
    assert_eq!((conflicts[0].sku.as_str(), conflicts[0].shortfall), ("CAF-250", 2));
    assert_eq!(conflicts[0].cause, omnicanal_store::OFFLINE_SALE_SHORT);
    assert_eq!(conflicts[0].sale_id.as_deref(), Some("sale-4"));
    let level = shop.level(store, "CAF-250").await.expect("level");
    assert_eq!((level.on_hand, level.reserved), (0, 0), "never a silent negative");
    let listed = store.list_stock_conflicts(&shop.location.id, Some("open"), Default::default()).await.expect("list");
    assert_eq!(listed, conflicts);
    let (_, with_conflicts) = store.get_pos_sale("sale-4").await.expect("read").expect("recorded");
    assert_eq!(with_conflicts, conflicts);

    // A receipt number reused by another sale is refused and kept for the report.
    let reuse = sale(&session, "sale-x", 1, "CAF-250", 1, 2500, true);
    assert_eq!(store.record_pos_sale(&reuse).await.expect("reuse"), PosSaleOutcome::ReceiptTaken("sale-1".into()));
    let duplicate = ReceiptDuplicateRow {
        device_id: device.id.clone(),
        receipt_n: 1,
        receipt_number: "T9-1".into(),
        sale_id: "sale-1".into(),
        refused_sale_id: "sale-x".into(),
        at_ms: T0,
    };
    store.record_receipt_duplicate(&duplicate).await.expect("keep the reuse");
    store.record_receipt_duplicate(&duplicate).await.expect("kept once");
    assert_eq!(store.list_receipt_duplicates(&device.id).await.expect("duplicates"), vec![duplicate]);
    let numbers: Vec<u64> =
        store.pos_receipt_numbers(&device.id).await.expect("numbers").into_iter().map(|n| n as u64).collect();
    let report = series_report(&numbers, 10);
    assert_eq!((report.last_number, report.gaps), (4, vec![2, 3]), "receipts 2 and 3 never arrived");

    // The session does not add up: 10 000 + 12 500 cash sales + 5 000 in − 2 000 out = 25 500.
    let totals = store.pos_session_totals(&session.id).await.expect("totals");
    assert_eq!((totals.sales_count, totals.total_minor, totals.offline_count), (2, 12_500, 1));
    assert_eq!(totals.by_method, vec![(TenderMethod::Cash, 12_500)]);
    assert_eq!((totals.cash_in_minor, totals.cash_out_minor), (5_000, 2_000));
    let closed = store.close_pos_session(&session.id, 25_000, "usr_1", T0 + 1, &id("evt")).await.expect("close");
    assert_eq!(closed.status, SessionStatus::Closed);
    assert_eq!((closed.expected_cash_minor, closed.counted_cash_minor), (Some(25_500), Some(25_000)));
    let again = store.close_pos_session(&session.id, 25_000, "usr_1", T0 + 2, &id("evt")).await;
    assert!(matches!(again, Err(StoreError::SessionClosed)), "{again:?}");
    let late = sale(&session, "sale-5", 5, "CAF-250", 1, 2500, true);
    assert!(matches!(store.record_pos_sale(&late).await, Err(StoreError::SessionClosed)));
    // A repeat of a recorded sale still answers after the close.
    assert!(matches!(store.record_pos_sale(&first).await, Ok(PosSaleOutcome::Existing(..))));
    let next = PosSessionRow { id: id("ses"), ..session.clone() };
    store.open_pos_session(&next, &session_event(&next, SessionAction::Opened)).await.expect("a new session");

    // Every change wrote its events in its own transaction.
    let events = events_after(store, head).await;
    let kinds = |kind: EventType| events.iter().filter(|event| event.event_type == kind).count();
    assert_eq!(kinds(EventType::PosSessionChanged), 5, "open, in, out, close, open");
    assert_eq!(kinds(EventType::PosSaleRecorded), 2);
    assert_eq!(kinds(EventType::StockChanged), 2, "one movement per recorded sale");
    let close = events
        .iter()
        .filter_map(|event| match event.event() {
            Ok(DomainEvent::PosSessionChanged(changed)) if changed.action == SessionAction::Closed => Some(changed),
            _ => None,
        })
        .next()
        .expect("the close's event");
    assert_eq!(close.difference.map(|m| m.amount_minor), Some(-500));
    let recorded = events
        .iter()
        .filter_map(|event| match event.event() {
            Ok(DomainEvent::PosSaleRecorded(recorded)) if recorded.offline => Some(recorded),
            _ => None,
        })
        .next()
        .expect("the offline sale's event");
    assert_eq!(recorded.conflicts.len(), 1);
}
