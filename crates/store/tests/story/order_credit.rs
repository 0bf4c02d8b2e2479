//! Credit spent on orders (issue 17 point 8): a web order and a till sale racing for the last
//! balance of one gift card — exactly one wins, the other records nothing, the balance never
//! goes below zero — and a cancelled part gives its credit back once, the card refunded only
//! the rest.

use std::sync::Arc;

use omnicanal_domain::fulfillment::{Actor, FulfillmentStatus, TransitionRequest, plan_transition};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pos::TenderMethod;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{
    CreditHolderKey, FulfillmentChange, NewCreditEntry, NewGiftCard, OrderCreditSpend, OrderStore, Page,
    PaymentJobFilter, PosPaymentRow, PosStore, SqlStore, Store, StoreError,
};

use crate::pos::{device_row, open_session, sale, session_row};
use crate::support::{Shop, T0, id};

fn card(merchant_id: &str, value: i64) -> NewGiftCard {
    NewGiftCard {
        id: id("cra"),
        first_credit: NewCreditEntry {
            merchant_id: merchant_id.into(),
            holder: CreditHolderKey::gift_card(id("hash")),
            currency: "CLP".into(),
            amount_minor: value,
            reason: "gift card issued".into(),
            source_kind: "gift_card".into(),
            source_id: id("iss"),
            at_ms: T0,
            by_user: None,
        },
        label: "7QX4".into(),
    }
}

/// Scenario: a web order and a till sale spend 6,000 each of a 10,000 gift card at once.
pub async fn web_order_and_till_sale_race_the_last_balance(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    shop.add_product(store, "TAZA", 6_000, true).await;
    shop.restock(store, "TAZA", 5).await.expect("stock");
    let (account, _) = store.issue_gift_card(&card(&shop.merchant.id, 10_000)).await.expect("issue").expect("card");
    let device = device_row(&shop, "Caja 1", "T9CRD");
    store.insert_pos_device(&device).await.expect("till");
    let session = session_row(&shop, &device, 0);
    open_session(store, &session).await;

    for round in 0..3 {
        // Each round starts from 10,000 again: top the card up to it.
        let balance = store.get_credit_account_by_id(&account.id).await.expect("read").expect("card").balance_minor;
        if balance < 10_000 {
            let top_up = NewCreditEntry {
                merchant_id: shop.merchant.id.clone(),
                holder: account.holder.clone(),
                currency: "CLP".into(),
                amount_minor: 10_000 - balance,
                reason: "top up".into(),
                source_kind: "grant".into(),
                source_id: format!("top-{round}"),
                at_ms: T0,
                by_user: None,
            };
            store.grant_credit(&top_up).await.expect("top up");
        }
        let mut order = shop.order(&[("TAZA", 1, 6_000, true)], "pay_at_pickup", T0 + 10);
        order.credit_spends = vec![OrderCreditSpend {
            fulfillment_id: order.fulfillments[0].id.clone(),
            account_id: account.id.clone(),
            method: TenderMethod::GiftCard,
            amount_minor: 6_000,
        }];
        order.fulfillments[0].captured_minor = 6_000;
        let sale_id = id("sale");
        let mut till = sale(&session, &sale_id, round + 1, "TAZA", 1, 6_000, false);
        till.payments = vec![PosPaymentRow {
            method: TenderMethod::GiftCard,
            amount_minor: 6_000,
            tendered_minor: None,
            reference: Some(account.id.clone()),
            card_last4: None,
        }];
        let web = {
            let store = Arc::clone(&shared);
            let order = order.clone();
            tokio::spawn(async move { store.place_order(&order).await })
        };
        let counter = {
            let store = Arc::clone(&shared);
            tokio::spawn(async move { store.record_pos_sale(&till).await })
        };
        let (web, counter) = (web.await.expect("task"), counter.await.expect("task"));
        match (&web, &counter) {
            (Ok(_), Err(StoreError::InsufficientCredit { balance_minor: 4_000 })) => {
                assert_eq!(store.get_pos_sale(&sale_id).await.expect("read"), None, "the refused sale left nothing");
            }
            (Err(StoreError::InsufficientCredit { balance_minor: 4_000 }), Ok(_)) => {
                assert!(
                    store.get_order(&order.order.id).await.expect("read").is_none(),
                    "the refused order left nothing"
                );
            }
            other => panic!("exactly one of the two must win: {other:?}"),
        }
        let after = store.get_credit_account_by_id(&account.id).await.expect("read").expect("card");
        assert_eq!(after.balance_minor, 4_000, "round {round}");
    }
    let (entries, _) = store.list_credit_entries(&account.id, Page::first(100)).await.expect("ledger");
    let balance = store.get_credit_account_by_id(&account.id).await.expect("read").expect("card").balance_minor;
    assert_eq!(entries.iter().map(|e| e.amount_minor).sum::<i64>(), balance, "the ledger adds up");
    assert!(entries.iter().all(|e| e.balance_after_minor >= 0));
}

async fn balance_of(store: &dyn Store, account_id: &str) -> i64 {
    store.get_credit_account_by_id(account_id).await.expect("read").expect("card").balance_minor
}

/// Scenario: a card order partly paid by a gift card is rejected: the card gets its credit back
/// (once, even if the rejection is replayed), the card payment is refunded only the rest.
pub async fn a_voided_part_gives_its_credit_back(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "LIBRO", 9_000, false).await;
    let (account, _) = store.issue_gift_card(&card(&shop.merchant.id, 5_000)).await.expect("issue").expect("card");
    let mut order = shop.order(&[("LIBRO", 1, 9_000, false)], "card", T0);
    order.credit_spends = vec![OrderCreditSpend {
        fulfillment_id: order.fulfillments[0].id.clone(),
        account_id: account.id.clone(),
        method: TenderMethod::GiftCard,
        amount_minor: 5_000,
    }];
    let placed = store.place_order(&order).await.expect("placed");
    assert_eq!(balance_of(store, &account.id).await, 0);
    let filter = PaymentJobFilter { order_id: Some(placed.order.id.clone()), ..PaymentJobFilter::default() };
    let jobs = store.list_payment_jobs(&filter).await.expect("jobs");
    let capture = jobs.iter().find(|job| job.order_id == placed.order.id).expect("a capture job");
    assert_eq!(capture.amount_minor, 4_000, "the card is captured what the gift card did not pay");

    let part = &placed.fulfillments[0];
    let plan = plan_transition(TransitionRequest {
        from: FulfillmentStatus::Placed,
        to: FulfillmentStatus::Rejected,
        actor: Actor::Merchant,
        presented_pickup_code: None,
        pickup_code: &part.pickup_code,
        payment_method: PaymentMethod::Card,
        subtotal: Money::new(part.subtotal_minor, Currency::Clp),
    })
    .expect("plan");
    let change = FulfillmentChange {
        fulfillment_id: part.id.clone(),
        plan,
        reason: Some("sin stock".into()),
        preparation: Default::default(),
        now_ms: T0 + 60_000,
        event_id: id("evt"),
        money_event_id: id("evt"),
    };
    let rejected = store.apply_transition(&change).await.expect("rejected");
    assert_eq!((rejected.order.captured_minor, rejected.order.refunded_minor), (9_000, 9_000));
    assert_eq!(balance_of(store, &account.id).await, 5_000, "the gift card got its 5,000 back");
    let jobs = store.list_payment_jobs(&filter).await.expect("jobs");
    let refund = jobs
        .iter()
        .find(|job| job.fulfillment_id.as_deref() == Some(part.id.as_str()))
        .expect("a refund job for the card's share");
    assert_eq!(refund.amount_minor, 4_000);
    assert!(matches!(store.apply_transition(&change).await, Err(StoreError::StaleState)));
    assert_eq!(balance_of(store, &account.id).await, 5_000, "given back once");
}
