//! Store credit scenarios (issue 17 point 8): grants, spends and retries add up in the ledger;
//! a spend beyond the balance, of an absent or expired balance, or in another currency is
//! refused with nothing written; and spends racing on one gift card (two tills, a till and the
//! web) never take it below zero, on either database.

use std::sync::Arc;

use omnicanal_domain::credit::DAY_MS;
use omnicanal_store::{CreditHolderKey, CreditStore, NewCreditEntry, NewGiftCard, Page, SqlStore, Store, StoreError};

use crate::support::{Shop, T0, id, merchant};

fn entry(merchant_id: &str, holder: &CreditHolderKey, amount_minor: i64, source: &str, at_ms: i64) -> NewCreditEntry {
    NewCreditEntry {
        merchant_id: merchant_id.into(),
        holder: holder.clone(),
        currency: "CLP".into(),
        amount_minor,
        reason: format!("story {source}"),
        source_kind: if amount_minor > 0 { "grant".into() } else { "pos_sale".into() },
        source_id: source.into(),
        at_ms,
        by_user: Some("usr_story".into()),
    }
}

async fn balance(store: &dyn Store, merchant_id: &str, holder: &CreditHolderKey) -> i64 {
    store.get_credit_account(merchant_id, holder).await.expect("read").map_or(-1, |account| account.balance_minor)
}

/// Scenario: a customer's credit is granted, spent, retried and refused as the ledger says.
pub async fn credit_ledger_grants_spends_and_refuses(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let m = shop.merchant.id.clone();
    let ana = CreditHolderKey::customer("ana@example.cl");

    // A spend with no account at all is refused and creates nothing.
    let none = store.spend_credit(&entry(&m, &ana, -100, "sale-0", T0)).await;
    assert!(matches!(none, Err(StoreError::InsufficientCredit { balance_minor: 0 })), "{none:?}");
    assert_eq!(store.get_credit_account(&m, &ana).await.expect("read"), None);

    let granted = store.grant_credit(&entry(&m, &ana, 5_000, "ret-1", T0)).await.expect("grant");
    assert_eq!((granted.amount_minor, granted.balance_after_minor), (5_000, 5_000));
    let again = store.grant_credit(&entry(&m, &ana, 5_000, "ret-1", T0 + 5)).await.expect("retried grant");
    assert_eq!(again, granted, "a retried grant is the first one, applied once");
    assert_eq!(balance(store, &m, &ana).await, 5_000);

    let spent = store.spend_credit(&entry(&m, &ana, -3_000, "sale-1", T0 + 10)).await.expect("spend");
    assert_eq!(spent.balance_after_minor, 2_000);
    let over = store.spend_credit(&entry(&m, &ana, -2_001, "sale-2", T0 + 20)).await;
    assert!(matches!(over, Err(StoreError::InsufficientCredit { balance_minor: 2_000 })), "{over:?}");
    let retried = store.spend_credit(&entry(&m, &ana, -3_000, "sale-1", T0 + 30)).await.expect("retried spend");
    assert_eq!(retried, spent, "a retried spend is not taken twice");
    let exact = store.spend_credit(&entry(&m, &ana, -2_000, "sale-3", T0 + 40)).await.expect("the whole balance");
    assert_eq!(exact.balance_after_minor, 0);

    let mut dollars = entry(&m, &ana, 100, "ret-usd", T0 + 50);
    dollars.currency = "USD".into();
    let other = store.grant_credit(&dollars).await;
    assert!(matches!(&other, Err(StoreError::CreditCurrency { currency }) if currency == "CLP"), "{other:?}");

    // The same e-mail at another merchant is another balance.
    let elsewhere = merchant("Otra Tienda");
    store.insert_merchant(&elsewhere).await.expect("merchant");
    assert_eq!(balance(store, &elsewhere.id, &ana).await, -1, "no account there");

    let (entries, total) = store.list_credit_entries(&granted.account_id, Page::default()).await.expect("ledger");
    assert_eq!(total, 3);
    let amounts: Vec<_> = entries.iter().map(|e| (e.amount_minor, e.balance_after_minor)).collect();
    assert_eq!(amounts, vec![(-2_000, 0), (-3_000, 2_000), (5_000, 5_000)], "newest first");
    let (accounts, count) =
        store.list_credit_accounts(&m, CreditHolderKey::CUSTOMER, Page::default()).await.expect("list");
    assert_eq!((accounts.len(), count), (1, 1));
    assert_eq!(accounts[0].holder, ana);
}

/// Scenario: credit expires by the merchant's policy; a new credit lapses the old balance first.
pub async fn credit_expires_by_merchant_policy(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let m = shop.merchant.id.clone();
    assert_eq!(store.credit_expiry_days(&m).await.expect("policy"), None, "never, by default");
    assert!(store.set_credit_expiry_days(&m, Some(30)).await.expect("set"));
    assert!(!store.set_credit_expiry_days("mer_nope", Some(30)).await.expect("set"), "no such merchant");
    assert_eq!(store.credit_expiry_days(&m).await.expect("policy"), Some(30));

    let bea = CreditHolderKey::customer("+56911112222");
    store.grant_credit(&entry(&m, &bea, 4_000, "g-1", T0)).await.expect("grant");
    let account = store.get_credit_account(&m, &bea).await.expect("read").expect("account");
    assert_eq!(account.expires_at_ms, Some(T0 + 30 * DAY_MS));
    store.spend_credit(&entry(&m, &bea, -1_000, "s-1", T0 + 30 * DAY_MS - 1)).await.expect("last moment");
    let late = store.spend_credit(&entry(&m, &bea, -1_000, "s-2", T0 + 30 * DAY_MS)).await;
    assert!(
        matches!(late, Err(StoreError::CreditExpired { expired_at_ms }) if expired_at_ms == T0 + 30 * DAY_MS),
        "{late:?}"
    );
    assert_eq!(balance(store, &m, &bea).await, 3_000, "the refused spend changed nothing");

    let later = T0 + 40 * DAY_MS;
    let fresh = store.grant_credit(&entry(&m, &bea, 500, "g-2", later)).await.expect("new grant");
    assert_eq!(fresh.balance_after_minor, 500, "the expired 3,000 lapsed first");
    let account = store.get_credit_account(&m, &bea).await.expect("read").expect("account");
    assert_eq!((account.balance_minor, account.expires_at_ms), (500, Some(later + 30 * DAY_MS)));
    let (entries, _) = store.list_credit_entries(&account.id, Page::default()).await.expect("ledger");
    let kinds: Vec<_> =
        entries.iter().map(|e| (e.source_kind.as_str(), e.amount_minor, e.balance_after_minor)).collect();
    assert_eq!(
        kinds,
        vec![("grant", 500, 500), ("expiry", -3_000, 0), ("pos_sale", -1_000, 3_000), ("grant", 4_000, 4_000)]
    );
}

fn gift_card(merchant_id: &str, hash: &str, value: i64) -> NewGiftCard {
    let holder = CreditHolderKey::gift_card(hash);
    let mut first_credit = entry(merchant_id, &holder, value, &id("gc"), T0);
    first_credit.source_kind = "gift_card".into();
    NewGiftCard { id: id("cra"), first_credit, label: "7QX4".into() }
}

/// Scenario: gift cards racing spends on one card from many tasks (two tills, a till and the
/// web) never go below zero, and exactly the spends the balance covers succeed.
pub async fn gift_card_spent_at_once_never_goes_negative(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    let m = shop.merchant.id.clone();

    let card = gift_card(&m, "hash-one", 10_000);
    let (account, first) = store.issue_gift_card(&card).await.expect("issue").expect("a new card");
    assert_eq!(
        (account.id.as_str(), account.balance_minor, first.balance_after_minor),
        (card.id.as_str(), 10_000, 10_000)
    );
    assert_eq!(account.label.as_deref(), Some("7QX4"));
    assert_eq!(account.holder.kind, CreditHolderKey::GIFT_CARD);
    let twin = gift_card(&m, "hash-one", 2_000);
    assert_eq!(store.issue_gift_card(&twin).await.expect("issue"), None, "a taken hash writes nothing");
    assert_eq!(store.get_credit_account_by_id(&twin.id).await.expect("read"), None);

    // Two spends of 6,000 at once on a 10,000 card: exactly one is refused, whichever came second.
    let holder = account.holder.clone();
    let spend = |source: &str, amount: i64| {
        let store = Arc::clone(&shared);
        let spend = entry(&m, &holder, amount, source, T0 + 1);
        tokio::spawn(async move { store.spend_credit(&spend).await })
    };
    let (till, web) = (spend("till-1", -6_000), spend("web-1", -6_000));
    let outcomes = [till.await.expect("task"), web.await.expect("task")];
    let refused: Vec<_> = outcomes.iter().filter(|o| o.is_err()).collect();
    assert_eq!(refused.len(), 1, "{outcomes:?}");
    assert!(matches!(refused[0], Err(StoreError::InsufficientCredit { balance_minor: 4_000 })), "{refused:?}");
    assert_eq!(balance(store, &m, &holder).await, 4_000);

    // Many spends of 300 at once on the 4,000 left: 13 go through, the rest are refused.
    let tasks: Vec<_> = (0..30).map(|n| spend(&format!("race-{n}"), -300)).collect();
    let (mut ok, mut short) = (0, 0);
    for task in tasks {
        match task.await.expect("task") {
            Ok(entry) => {
                assert!(entry.balance_after_minor >= 0);
                ok += 1;
            }
            Err(StoreError::InsufficientCredit { balance_minor }) => {
                assert!(balance_minor < 300, "refused with {balance_minor} left");
                short += 1;
            }
            Err(other) => panic!("unexpected error under contention: {other:?}"),
        }
    }
    assert_eq!((ok, short), (13, 17));
    assert_eq!(balance(store, &m, &holder).await, 100);
    let (entries, total) = store.list_credit_entries(&account.id, Page::first(100)).await.expect("ledger");
    assert_eq!(total, 15, "the card's credit, one 6,000 spend, 13 of 300");
    assert_eq!(entries.iter().map(|e| e.amount_minor).sum::<i64>(), 100, "the ledger adds up to the balance");
    let (cards, count) =
        store.list_credit_accounts(&m, CreditHolderKey::GIFT_CARD, Page::default()).await.expect("cards");
    assert_eq!((cards.len(), count), (1, 1));
}
