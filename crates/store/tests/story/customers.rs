//! Customer accounts' scenarios (issue 17 point 3): a sign-in link works once and not after it
//! expires, using it verifies the identifier and sets the password it carries, a verified
//! identifier is one account's only, and the history joins orders and till sales by normalised
//! e-mail and phone — the national phone form only at a site of the phone's country — plus the
//! orders claimed, newest first, never another customer's.

use omnicanal_domain::customers::IdentifierKind;
use omnicanal_store::{
    CustomerAccountRow, CustomerIdentifierRow, CustomerSessionRow, CustomerSignInLinkRow, Page, PurchaseKind,
    PurchasePhone, PurchaseQuery, Store,
};

use crate::pos::{device_row, open_session, sale, session_row};
use crate::support::{Shop, T0, id};

fn account(name: &str) -> CustomerAccountRow {
    CustomerAccountRow { id: id("cus"), name: Some(name.into()), password_hash: None, created_at_ms: T0 }
}

fn identifier(account: &CustomerAccountRow, kind: IdentifierKind, value: &str) -> CustomerIdentifierRow {
    CustomerIdentifierRow {
        account_id: account.id.clone(),
        kind,
        value: value.into(),
        verified_at_ms: None,
        created_at_ms: T0,
    }
}

fn link(account: &CustomerAccountRow, value: &str, password_hash: Option<&str>) -> CustomerSignInLinkRow {
    CustomerSignInLinkRow {
        token_hash: id("lnk"),
        account_id: account.id.clone(),
        kind: IdentifierKind::Email,
        value: value.into(),
        password_hash: password_hash.map(str::to_owned),
        created_at_ms: T0,
        expires_at_ms: T0 + 900_000,
        used_at_ms: None,
    }
}

fn session(account: &CustomerAccountRow) -> CustomerSessionRow {
    CustomerSessionRow {
        token_hash: id("cst"),
        account_id: account.id.clone(),
        created_at_ms: T0,
        expires_at_ms: T0 + 1_000_000,
    }
}

/// Scenario: links, verification, sessions.
pub async fn customer_links_verify_once(store: &dyn Store) {
    let ana = account("Ana");
    store
        .insert_customer_account(&ana, &[identifier(&ana, IdentifierKind::Email, "ana@mail.cl")])
        .await
        .expect("register");
    let impostor = account("Otra");
    store
        .insert_customer_account(&impostor, &[identifier(&impostor, IdentifierKind::Email, "ana@mail.cl")])
        .await
        .expect("an unverified e-mail may be registered twice");
    let found = store.find_customer_by_identifier(IdentifierKind::Email, "ana@mail.cl").await.expect("find");
    assert_eq!(found.map(|a| a.id), Some(ana.id.clone()), "the oldest registration until one verifies");

    let first = link(&ana, "ana@mail.cl", Some("argon-hash"));
    store.insert_customer_sign_in_link(&first).await.expect("link");
    assert_eq!(store.count_customer_sign_in_links(&ana.id, T0).await.expect("count"), 1);
    let opened = session(&ana);
    assert!(store.use_customer_sign_in_link(&first.token_hash, T0 + 1, &opened).await.expect("use"));
    assert!(
        !store.use_customer_sign_in_link(&first.token_hash, T0 + 2, &session(&ana)).await.expect("again"),
        "a link works once"
    );
    let used = store.get_customer_sign_in_link(&first.token_hash).await.expect("read").expect("stored");
    assert_eq!(used.used_at_ms, Some(T0 + 1));
    let signed_in = store.customer_session_account(&opened.token_hash, T0 + 5).await.expect("session");
    assert_eq!(signed_in.as_ref().and_then(|a| a.password_hash.clone()), Some("argon-hash".into()));
    assert!(store.customer_session_account(&opened.token_hash, T0 + 1_000_000).await.expect("expired").is_none());
    let identifiers = store.customer_identifiers(&ana.id).await.expect("identifiers");
    assert_eq!(identifiers[0].verified_at_ms, Some(T0 + 1));

    // The impostor's own link to the same e-mail signs in but never verifies what Ana proved.
    let theirs = link(&impostor, "ana@mail.cl", None);
    store.insert_customer_sign_in_link(&theirs).await.expect("link");
    assert!(store.use_customer_sign_in_link(&theirs.token_hash, T0 + 3, &session(&impostor)).await.expect("use"));
    let identifiers = store.customer_identifiers(&impostor.id).await.expect("identifiers");
    assert_eq!(identifiers[0].verified_at_ms, None);

    let late = link(&ana, "ana@mail.cl", None);
    store.insert_customer_sign_in_link(&late).await.expect("link");
    assert!(!store.use_customer_sign_in_link(&late.token_hash, T0 + 900_000, &session(&ana)).await.expect("late"));
    store.delete_customer_session(&opened.token_hash).await.expect("sign out");
    assert!(store.customer_session_account(&opened.token_hash, T0 + 5).await.expect("gone").is_none());
}

/// Scenario: the history joins orders and till sales by e-mail and phone, and claims.
pub async fn customer_history_joins_channels(store: &dyn Store) {
    let shop = Shop::open(store).await;
    shop.add_product(store, "TACO", 3000, false).await;
    shop.restock(store, "TACO", 10).await.expect("stock for the till");
    let mut web = shop.order(&[("TACO", 1, 3000, false)], "card", T0 + 10);
    web.order.customer_email = Some(" Ana_P@Mail.CL ".into());
    web.order.customer_phone = None;
    let web = store.place_order(&web).await.expect("web order");
    let mut by_phone = shop.order(&[("TACO", 2, 3000, false)], "card", T0 + 20);
    by_phone.order.customer_phone = Some("9 8765-4321".into());
    let by_phone = store.place_order(&by_phone).await.expect("phone order");
    let mut stranger = shop.order(&[("TACO", 1, 3000, false)], "card", T0 + 30);
    stranger.order.customer_email = Some("anaxp@mail.cl".into());
    let stranger = store.place_order(&stranger).await.expect("another customer's order");

    let device = device_row(&shop, "Caja 1", "T9");
    store.insert_pos_device(&device).await.expect("till");
    let till = session_row(&shop, &device, 0);
    open_session(store, &till).await;
    let mut till_sale = sale(&till, &id("sale"), 1, "TACO", 1, 3000, false);
    till_sale.sale.sold_at_ms = T0 + 40;
    till_sale.sale.customer_json = Some(r#"{"name":"Ana","phone":null,"email":"ana_p@mail.cl"}"#.into());
    store.record_pos_sale(&till_sale).await.expect("till sale");
    let mut phone_sale = sale(&till, &id("sale"), 2, "TACO", 1, 3000, false);
    phone_sale.sale.sold_at_ms = T0 + 50;
    phone_sale.sale.customer_json = Some(r#"{"name":null,"phone":"+56 9 8765 4321","email":null}"#.into());
    store.record_pos_sale(&phone_sale).await.expect("phone sale");

    let query = PurchaseQuery {
        account_id: id("cus"),
        emails: vec!["ana_p@mail.cl".into()],
        phones: vec![PurchasePhone {
            international: vec!["+56987654321".into(), "0056987654321".into(), "56987654321".into()],
            national: vec!["987654321".into(), "0987654321".into()],
            country: Some("CL".into()),
        }],
        merchant_id: None,
    };
    let (history, total) = store.customer_purchases(&query, Page::default()).await.expect("history");
    let ids: Vec<&str> = history.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(total, 4);
    assert_eq!(
        ids,
        vec![
            phone_sale.sale.id.as_str(),
            till_sale.sale.id.as_str(),
            by_phone.order.id.as_str(),
            web.order.id.as_str()
        ],
        "newest first, never the stranger's {}",
        stranger.order.id
    );
    assert_eq!(history[0].kind, PurchaseKind::Sale);
    assert_eq!(history[3].kind, PurchaseKind::Order);

    let (page, total) = store.customer_purchases(&query, Page { limit: 1, offset: 1 }).await.expect("page 2");
    assert_eq!((page.len(), total), (1, 4));
    assert_eq!(page[0].id, till_sale.sale.id);

    // The national form counts only at a site of the phone's country.
    let peru = PurchaseQuery {
        phones: vec![PurchasePhone { country: Some("PE".into()), ..query.phones[0].clone() }],
        emails: vec![],
        ..query.clone()
    };
    let (history, _) = store.customer_purchases(&peru, Page::default()).await.expect("history");
    assert_eq!(history.len(), 1, "only the sale typed with +56 matches at a Chilean site: {history:?}");

    let claimer = PurchaseQuery { account_id: id("cus"), ..PurchaseQuery::default() };
    let account_row = CustomerAccountRow { id: claimer.account_id.clone(), ..account("Claims") };
    store.insert_customer_account(&account_row, &[]).await.expect("account");
    store.insert_customer_claim(&claimer.account_id, &stranger.order.id, T0).await.expect("claim");
    store.insert_customer_claim(&claimer.account_id, &stranger.order.id, T0).await.expect("claim again");
    let (history, total) = store.customer_purchases(&claimer, Page::default()).await.expect("claims");
    assert_eq!((history.len(), total), (1, 1));
    let other = PurchaseQuery { merchant_id: Some(id("mer")), ..claimer };
    assert_eq!(store.customer_purchases(&other, Page::default()).await.expect("filtered").1, 0);
}
