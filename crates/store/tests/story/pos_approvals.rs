//! The till's money accounting on both databases: a manager's PIN and the run of wrong PINs
//! that locks a till, approvals used by one sale only, a sale's voids and manual discount in
//! the session's figures, and a session that does not add up closed with its count per
//! denomination.

use omnicanal_domain::access::Role;
use omnicanal_domain::pos::approval::MAX_PIN_FAILURES;
use omnicanal_domain::pos::{ApprovalAction, PinGuard, PinRefusal, SessionStatus, TenderMethod};
use omnicanal_store::{
    PosApprovalRow, PosDeviceLimitsRow, PosDeviceRow, PosSaleAccounting, PosSaleOutcome, PosSaleVoidRow, PosSessionRow,
    Store, StoreError, UserRow,
};

use crate::pos::{device_row, open_session, sale, session_row};
use crate::support::{Shop, T0, id};

fn approval(device: &PosDeviceRow, session: &PosSessionRow, manager: &str, action: ApprovalAction) -> PosApprovalRow {
    PosApprovalRow {
        id: id("apr"),
        device_id: device.id.clone(),
        session_id: Some(session.id.clone()),
        merchant_id: device.merchant_id.clone(),
        action,
        amount_minor: Some(5_000),
        currency: Some(session.currency),
        reason: "cliente frecuente".into(),
        approved_by: manager.into(),
        requested_by: None,
        created_at_ms: T0,
        sale_id: None,
    }
}

/// Scenario: PINs, approvals, voids, manual discounts and a close by denominations.
pub async fn pos_approvals_voids_and_the_count(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "CAF-250", 2500, true).await;
    shop.restock(store, "CAF-250", 5).await.expect("stock");
    let manager = UserRow {
        id: id("usr"),
        email: "jefa@example.cl".into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::MerchantManager,
        merchant_id: Some(shop.merchant.id.clone()),
        location_id: None,
        created_at_ms: T0,
    };
    store.insert_user(&manager).await.expect("a manager");
    assert!(store.manager_pins(&shop.merchant.id).await.expect("pins").is_empty(), "no PIN yet");
    store.set_user_pin(&manager.id, "$argon2id$pin-hash").await.expect("set a PIN");
    let pins = store.manager_pins(&shop.merchant.id).await.expect("pins");
    assert_eq!(pins.iter().map(|p| p.pin_hash.as_str()).collect::<Vec<_>>(), ["$argon2id$pin-hash"]);
    assert!(store.manager_pins("mer_other").await.expect("pins").is_empty(), "another merchant's managers");
    assert!(matches!(store.set_user_pin("usr_nobody", "x").await, Err(StoreError::NotFound)));

    let device = device_row(&shop, "Caja 2", "T8APR");
    store.insert_pos_device(&device).await.expect("a till");
    assert_eq!(store.pos_device_limits(&device.id).await.expect("limits"), None, "defaults until set");
    let limits = PosDeviceLimitsRow {
        device_id: device.id.clone(),
        line_discount_bps: 1_500,
        line_void_minor: 3_000,
        updated_by: Some(manager.id.clone()),
        updated_at_ms: T0,
    };
    store.set_pos_device_limits(&limits).await.expect("set limits");
    store.set_pos_device_limits(&PosDeviceLimitsRow { line_void_minor: 4_000, ..limits.clone() }).await.expect("again");
    assert_eq!(store.pos_device_limits(&device.id).await.expect("limits").map(|l| l.line_void_minor), Some(4_000));

    // Five wrong PINs in a row lock the till; the lock answers until it lapses.
    assert_eq!(store.pin_guard(&device.id).await.expect("guard"), PinGuard::default());
    for left in (1..MAX_PIN_FAILURES).rev() {
        let refusal = store.record_pin_failure(&device.id, T0).await.expect("a wrong PIN");
        assert_eq!(refusal, PinRefusal::Wrong { attempts_left: left });
    }
    let locked = store.record_pin_failure(&device.id, T0).await.expect("the fifth");
    let PinRefusal::Locked { until_ms } = locked else { panic!("locked, got {locked:?}") };
    assert_eq!(store.record_pin_failure(&device.id, T0 + 1).await.expect("while locked"), locked, "not counted again");
    assert_eq!(store.pin_guard(&device.id).await.expect("guard").check(until_ms), Ok(()));

    let session = session_row(&shop, &device, 10_000);
    open_session(store, &session).await;
    let during_lock =
        PosApprovalRow { created_at_ms: T0 + 1, ..approval(&device, &session, &manager.id, ApprovalAction::LineVoid) };
    assert!(matches!(store.insert_pos_approval(&during_lock).await, Err(StoreError::StaleState)), "locked");
    let void_ok = PosApprovalRow {
        created_at_ms: until_ms,
        ..approval(&device, &session, &manager.id, ApprovalAction::LineVoid)
    };
    store.insert_pos_approval(&void_ok).await.expect("an approval once the lock lapsed");
    assert_eq!(store.pin_guard(&device.id).await.expect("guard").failures, 0, "a right PIN ends the run");
    assert_eq!(store.get_pos_approval(&void_ok.id).await.expect("read"), Some(void_ok.clone()));

    // A sale with a manual discount and two voided lines, one approved.
    let mut first = sale(&session, "sale-apr-1", 1, "CAF-250", 2, 2500, false);
    first.sale.receipt_number = "T8APR-1".into();
    first.sale.discount_minor = 500;
    first.accounting = PosSaleAccounting {
        manual_discount_minor: 500,
        voids: vec![
            PosSaleVoidRow { sku: "CAF-250".into(), quantity: 1, value_minor: 2_500, approval_id: None },
            PosSaleVoidRow {
                sku: "CAF-250".into(),
                quantity: 2,
                value_minor: 5_000,
                approval_id: Some(void_ok.id.clone()),
            },
        ],
        approval_ids: vec![void_ok.id.clone()],
    };
    assert!(matches!(store.record_pos_sale(&first).await, Ok(PosSaleOutcome::Recorded(_))));
    assert_eq!(
        store.get_pos_approval(&void_ok.id).await.expect("read").and_then(|a| a.sale_id),
        Some("sale-apr-1".into())
    );
    let mut second = sale(&session, "sale-apr-2", 2, "CAF-250", 1, 2500, false);
    second.sale.receipt_number = "T8APR-2".into();
    second.accounting.approval_ids = vec![void_ok.id.clone()];
    let taken = store.record_pos_sale(&second).await;
    assert!(matches!(&taken, Err(StoreError::ApprovalTaken(id)) if *id == void_ok.id), "{taken:?}");
    assert!(store.get_pos_sale("sale-apr-2").await.expect("read").is_none(), "nothing of the refused sale is kept");

    // A session that does not add up: float 10 000 + cash 5 000 = 15 000, counted 14 500.
    let accounting = store.pos_session_accounting(&session.id).await.expect("accounting");
    assert_eq!((accounting.void_count, accounting.void_minor, accounting.manual_discount_minor), (2, 7_500, 500));
    assert_eq!(accounting.approval_count, 1);
    let totals = store.pos_session_totals(&session.id).await.expect("totals");
    assert_eq!(totals.by_method, vec![(TenderMethod::Cash, 5_000)]);
    store
        .close_pos_session_counted(
            &session.id,
            14_500,
            Some("[[10000,1],[2000,2],[500,1]]"),
            &manager.id,
            T0 + 9,
            &id("evt"),
        )
        .await
        .expect("close with a count");
    let closed = store.get_pos_session(&session.id).await.expect("read").expect("the session");
    assert_eq!(
        (closed.status, closed.expected_cash_minor, closed.counted_cash_minor),
        (SessionStatus::Closed, Some(15_000), Some(14_500))
    );
    let accounting = store.pos_session_accounting(&session.id).await.expect("accounting");
    assert_eq!(accounting.denominations, vec![(10_000, 1), (2_000, 2), (500, 1)]);
    let again = store.close_pos_session_counted(&session.id, 0, None, &manager.id, T0 + 10, &id("evt")).await;
    assert!(matches!(again, Err(StoreError::SessionClosed)), "{again:?}");
    assert_eq!(store.list_session_approvals(&session.id).await.expect("approvals").len(), 1);
}
