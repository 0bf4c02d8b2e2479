//! Returns (issue 17 point 6): a till sale's line returned by two tills at once — exactly one
//! return commits, the other sees the count it planned with is stale and changes nothing —
//! then the rest returned in cash out of the session, restocked at the location, with credit
//! notes numbered without gaps; more than bought is refused inside the transaction.

use std::sync::Arc;

use omnicanal_domain::Currency;
use omnicanal_domain::events::SessionAction;
use omnicanal_domain::pos::CashDirection;
use omnicanal_domain::returns::{ItemCondition, RefundMethod, RefundTo, ReturnSource};
use omnicanal_store::{
    ExchangeLineRow, ExchangePayment, NewExchange, NewReturn, ReturnLineRow, ReturnRow, ReturnStore, SqlStore, Store,
    StoreError,
};

use crate::pos::{device_row, open_session, sale, session_event, session_row};
use crate::support::{Shop, T0, id};

/// A cash return of `quantity` units of line 0 of `sale_id`, planned when `returned` units
/// were already back.
fn cash_return(shop: &Shop, session_id: &str, sale_id: &str, quantity: i64, returned: i64, bought: i64) -> NewReturn {
    let ret = ReturnRow {
        id: id("ret"),
        merchant_id: shop.merchant.id.clone(),
        location_id: shop.location.id.clone(),
        source: ReturnSource::Sale,
        source_id: sale_id.into(),
        currency: Currency::Clp,
        refund_minor: 2500 * quantity,
        refund_to: RefundTo::Original,
        refund_method: RefundMethod::Cash,
        session_id: Some(session_id.into()),
        device_id: None,
        payment_job_id: None,
        customer_key: None,
        credit_note_n: 0,
        credit_note_number: String::new(),
        reason: "no le quedó".into(),
        overridden: Vec::new(),
        override_by: None,
        override_reason: None,
        created_by: None,
        created_at_ms: T0 + 1,
    };
    NewReturn {
        exchange: None,
        ret,
        lines: vec![ReturnLineRow {
            position: 0,
            source_part: sale_id.into(),
            source_position: 0,
            sku: "CAF-250".into(),
            quantity,
            refund_minor: 2500 * quantity,
            restocked: true,
            condition: ItemCondition::Resellable,
        }],
        expected: vec![(sale_id.into(), 0, returned, bought)],
        card_refund: None,
        session_event: None,
        credit: None,
    }
}

/// Scenario: two tills returning the same last units at once → exactly one succeeds.
pub async fn returns_never_exceed_what_was_bought(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    shop.add_product(store, "CAF-250", 2500, true).await;
    shop.restock(store, "CAF-250", 5).await.expect("stock");
    let device = device_row(&shop, "Caja 1", "RT1");
    store.insert_pos_device(&device).await.expect("till");
    let session = session_row(&shop, &device, 10_000);
    open_session(store, &session).await;
    store.record_pos_sale(&sale(&session, "sale-ret-1", 1, "CAF-250", 3, 2500, false)).await.expect("sale");
    let on_hand = shop.level(store, "CAF-250").await.map(|l| l.on_hand).unwrap_or_default();

    // Both tills planned "2 of 3, none returned yet": one commits, the other is stale.
    let race = |quantity| {
        let store = Arc::clone(&shared);
        let mut new = cash_return(&shop, &session.id, "sale-ret-1", quantity, 0, 3);
        new.session_event = Some(session_event(&session, SessionAction::CashOut));
        tokio::spawn(async move { store.record_return(&new).await })
    };
    let (a, b) = (race(2), race(2));
    let outcomes = [a.await.expect("task"), b.await.expect("task")];
    let won: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(won.len(), 1, "{outcomes:?}");
    assert!(outcomes.iter().any(|o| matches!(o, Err(StoreError::StaleState))), "{outcomes:?}");
    assert_eq!(won[0].ret.credit_note_number, "NC-1");
    let purchase = store.get_purchase(ReturnSource::Sale, "sale-ret-1", &shop.merchant.id).await.expect("read");
    assert_eq!(purchase.map(|p| p.lines[0].returned), Some(2));
    assert_eq!(shop.level(store, "CAF-250").await.map(|l| l.on_hand), Some(on_hand + 2), "restocked once");

    // Planned on fresh counts: more than the one left is refused, the last one goes through
    // with the next credit note and its cash out of the session.
    let too_many = cash_return(&shop, &session.id, "sale-ret-1", 2, 2, 3);
    assert!(matches!(store.record_return(&too_many).await, Err(StoreError::StaleState)));
    let last = store.record_return(&cash_return(&shop, &session.id, "sale-ret-1", 1, 2, 3)).await.expect("the last");
    assert_eq!(last.ret.credit_note_number, "NC-2", "no gap from the refused ones");
    let movements = store.list_pos_cash_movements(&session.id).await.expect("cash");
    let out: i64 = movements.iter().map(|m| m.amount_minor).sum();
    assert_eq!(out, 3 * 2500, "the cash of both returns left the drawer");
    let read = store.get_return(&last.ret.id).await.expect("read").expect("stored");
    assert_eq!((read.ret.refund_minor, read.lines.len()), (2500, 1));
    assert_eq!(store.list_session_returns(&session.id).await.expect("list").len(), 2);

    // Another merchant's view of the sale: nothing.
    assert_eq!(store.get_purchase(ReturnSource::Sale, "sale-ret-1", "mer_other").await.expect("read"), None);
}

/// An exchange of one unit of line 0 of `sale_id` for `quantity` × `CAF-500` (4 500 each), the
/// difference paid in cash into the session.
fn exchange_return(shop: &Shop, session_id: &str, sale_id: &str, quantity: i64) -> NewReturn {
    let mut new = cash_return(shop, session_id, sale_id, 1, 0, 1);
    let owed = 4500 * quantity - 2500;
    new.ret.refund_minor = 0;
    new.ret.refund_method = RefundMethod::None;
    new.ret.session_id = None;
    new.exchange = Some(NewExchange {
        returned_minor: 2500,
        new_total_minor: 4500 * quantity,
        difference_minor: owed,
        session_id: Some(session_id.into()),
        change_minor: 0,
        payments: vec![ExchangePayment {
            method: "cash".into(),
            amount_minor: owed,
            tendered_minor: None,
            reference: None,
        }],
        lines: vec![ExchangeLineRow {
            sku: "CAF-500".into(),
            quantity,
            unit_price_minor: 4500,
            total_minor: 4500 * quantity,
            track_stock: true,
        }],
    });
    new
}

/// Scenario: an exchange whose new item is short records nothing (no return, no credit note,
/// no stock move, no cash); with the stock there, the new units leave this location's on-hand
/// and the difference paid in cash is in the session, all in the return's transaction.
pub async fn an_exchange_takes_its_new_items_or_nothing(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    shop.add_product(store, "CAF-250", 2500, true).await;
    shop.add_product(store, "CAF-500", 4500, true).await;
    shop.restock(store, "CAF-250", 5).await.expect("stock");
    shop.restock(store, "CAF-500", 1).await.expect("stock");
    let device = device_row(&shop, "Caja 1", "RX1");
    store.insert_pos_device(&device).await.expect("till");
    let session = session_row(&shop, &device, 10_000);
    open_session(store, &session).await;
    store.record_pos_sale(&sale(&session, "sale-exc-1", 1, "CAF-250", 1, 2500, false)).await.expect("sale");
    let level = |sku: &'static str| {
        let shop = &shop;
        async move { shop.level(store, sku).await.map(|l| l.on_hand).unwrap_or_default() }
    };
    let (small, large) = (level("CAF-250").await, level("CAF-500").await);

    let short = store.record_return(&exchange_return(&shop, &session.id, "sale-exc-1", 2)).await;
    assert!(matches!(&short, Err(StoreError::InsufficientStock { sku }) if sku == "CAF-500"), "{short:?}");
    assert_eq!((level("CAF-250").await, level("CAF-500").await), (small, large), "no stock moved");
    assert!(store.list_pos_cash_movements(&session.id).await.expect("cash").is_empty(), "no cash moved");
    let purchase = store.get_purchase(ReturnSource::Sale, "sale-exc-1", &shop.merchant.id).await.expect("read");
    assert_eq!(purchase.map(|p| p.lines[0].returned), Some(0), "nothing returned");

    let done = store.record_return(&exchange_return(&shop, &session.id, "sale-exc-1", 1)).await.expect("exchange");
    assert_eq!(done.ret.credit_note_number, "NC-1", "the refused one used no number");
    assert_eq!((level("CAF-250").await, level("CAF-500").await), (small + 1, large - 1));
    let cash = store.list_pos_cash_movements(&session.id).await.expect("cash");
    assert_eq!(cash.iter().map(|m| (m.direction, m.amount_minor)).collect::<Vec<_>>(), vec![(CashDirection::In, 2000)]);
}
