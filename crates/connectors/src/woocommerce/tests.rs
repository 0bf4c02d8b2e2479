//! The client against the fake WooCommerce over real HTTP on loopback (plain HTTP, so every
//! call is OAuth 1.0a-signed and the fake verifies the signature).

use std::collections::BTreeMap;

use base64::Engine;
use hmac::{Hmac, Mac};
use omnicanal_app::connections::client::{
    Credentials, PricePush, RemoteItem, ShopAccess, ShopClient, ShopFailure, StockPush,
};
use omnicanal_domain::connections::{ConnectorKind, RemoteOrderStatus};
use omnicanal_fakeshops::Serving;
use omnicanal_fakeshops::woocommerce::FakeWooCommerce;
use sha2::Sha256;

use super::WooCommerceClient;

const KEY: &str = "ck_0123456789abcdef";
const SECRET: &str = "cs_fedcba9876543210";

fn access(base_url: &str, key: &str, secret: &str, currency: &str) -> ShopAccess {
    let credentials: BTreeMap<String, String> = [
        ("consumer_key".to_owned(), key.to_owned()),
        ("consumer_secret".to_owned(), secret.to_owned()),
        ("webhook_secret".to_owned(), "whsec".to_owned()),
    ]
    .into();
    ShopAccess {
        kind: ConnectorKind::WooCommerce,
        base_url: base_url.to_owned(),
        credentials: Credentials(credentials),
        currency: currency.to_owned(),
    }
}

async fn shop() -> (FakeWooCommerce, Serving, WooCommerceClient) {
    let fake = FakeWooCommerce::new(KEY, SECRET);
    let serving = fake.spawn().await.expect("fake spawns");
    let client = WooCommerceClient::new(reqwest::Client::new(), &access(&serving.base_url(), KEY, SECRET, "USD"));
    (fake, serving, client)
}

fn simple(id: &str) -> RemoteItem {
    RemoteItem { product_id: id.to_owned(), variant_id: None, inventory_id: None }
}

fn variation(product: &str, id: &str) -> RemoteItem {
    RemoteItem { product_id: product.to_owned(), variant_id: Some(id.to_owned()), inventory_id: None }
}

#[tokio::test]
async fn credentials_are_signed_with_oauth_over_http_and_wrong_ones_are_unauthorized() {
    let (_fake, serving, client) = shop().await;
    assert_eq!(client.check_credentials().await, Ok(()));

    let wrong_secret =
        WooCommerceClient::new(reqwest::Client::new(), &access(&serving.base_url(), KEY, "cs_nope", "USD"));
    match wrong_secret.check_credentials().await {
        Err(ShopFailure::Unauthorized(why)) => assert!(why.contains("Invalid signature"), "{why}"),
        other => panic!("expected Unauthorized, got {other:?}"),
    }
    let wrong_key =
        WooCommerceClient::new(reqwest::Client::new(), &access(&serving.base_url(), "ck_nope", SECRET, "USD"));
    match wrong_key.check_credentials().await {
        Err(ShopFailure::Unauthorized(why)) => assert!(why.contains("Consumer key is invalid"), "{why}"),
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn the_fake_takes_basic_auth_and_refuses_anonymous_callers() {
    let (_fake, serving, _client) = shop().await;
    let url = format!("{}/wp-json/wc/v3/products", serving.base_url());
    let http = reqwest::Client::new();
    let ok = http.get(&url).basic_auth(KEY, Some(SECRET)).send().await.expect("answer");
    assert_eq!(ok.status(), 200);
    let wrong = http.get(&url).basic_auth(KEY, Some("cs_nope")).send().await.expect("answer");
    assert_eq!(wrong.status(), 401);
    let body: serde_json::Value = wrong.json().await.expect("json");
    assert_eq!(body["code"], "woocommerce_rest_authentication_error");
    let anonymous = http.get(&url).send().await.expect("answer");
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn lists_simple_products_and_variations_across_pages() {
    let (fake, _serving, client) = shop().await;
    fake.seed_catalog(150);
    let (hoodie, sizes) =
        fake.add_variable_product("Hoodie", &[("HOODIE-S", "S", 4500, 5), ("HOODIE-M", "M", 4590, 8)]);
    fake.set_barcode("HOODIE-M", "7801234567890");

    let first = client.list_variants(None).await.expect("page 1");
    assert_eq!(first.items.len(), 100);
    assert_eq!(first.next.as_deref(), Some("2"));
    assert_eq!(first.total, Some(151));
    let second = client.list_variants(first.next.as_deref()).await.expect("page 2");
    assert_eq!(second.next, None);
    assert_eq!(second.items.len(), 52, "50 simple products and 2 variations");

    let simple_one = &first.items[0];
    assert_eq!(simple_one.sku.as_deref(), Some("SKU-00001"));
    assert_eq!(simple_one.item.variant_id, None);
    assert_eq!(simple_one.stock, Some(10));
    let medium = second.items.iter().find(|v| v.sku.as_deref() == Some("HOODIE-M")).expect("variation listed");
    assert_eq!(medium.item, variation(&hoodie, &sizes[1]));
    assert_eq!(medium.price_minor, Some(4590));
    assert_eq!(medium.stock, Some(8));
    assert_eq!(medium.barcode.as_deref(), Some("7801234567890"));
    assert_eq!(medium.title, "Hoodie - M");
    assert!(
        fake.requests().iter().any(|r| r.starts_with(&format!("GET /wp-json/wc/v3/products/{hoodie}/variations?")))
    );
}

#[tokio::test]
async fn reads_items_back_and_leaves_out_the_ones_the_shop_no_longer_has() {
    let (fake, _serving, client) = shop().await;
    let mug = fake.add_product("MUG", "Mug", 1250, 4);
    let (hoodie, sizes) = fake.add_variable_product("Hoodie", &[("HOODIE-S", "S", 4500, 5)]);
    fake.admin_set_stock("MUG", 9);
    fake.admin_set_price("HOODIE-S", 4999);

    let read = client
        .read_variants(&[simple(&mug), simple("999999"), variation(&hoodie, &sizes[0]), variation("888888", "1")])
        .await
        .expect("read");
    assert_eq!(read.len(), 2);
    let mug_read = read.iter().find(|v| v.sku.as_deref() == Some("MUG")).expect("mug");
    assert_eq!((mug_read.stock, mug_read.price_minor), (Some(9), Some(1250)));
    let small = read.iter().find(|v| v.sku.as_deref() == Some("HOODIE-S")).expect("variation");
    assert_eq!((small.stock, small.price_minor), (Some(5), Some(4999)));
}

#[tokio::test]
async fn stock_and_price_pushes_land_in_batches_of_at_most_one_hundred() {
    let (fake, _serving, client) = shop().await;
    fake.seed_catalog(150);
    let (hoodie, sizes) = fake.add_variable_product("Hoodie", &[("HOODIE-S", "S", 4500, 5)]);
    let listed = client.list_variants(None).await.expect("list");
    let mut pushes: Vec<StockPush> = listed
        .items
        .iter()
        .chain(client.list_variants(Some("2")).await.expect("list 2").items.iter())
        .filter(|v| v.item.variant_id.is_none())
        .map(|v| StockPush { item: v.item.clone(), sku: v.sku.clone().unwrap_or_default(), available: 3 })
        .collect();
    pushes.push(StockPush { item: variation(&hoodie, &sizes[0]), sku: "HOODIE-S".into(), available: 1 });
    client.push_stock(&pushes).await.expect("stock pushed");

    assert_eq!(fake.stock_of("SKU-00150"), Some(3));
    assert_eq!(fake.stock_of("HOODIE-S"), Some(1));
    assert_eq!(fake.pushes().len(), 151);
    let batches: Vec<String> = fake.requests().into_iter().filter(|r| r.starts_with("POST ")).collect();
    assert_eq!(batches.iter().filter(|r| r.starts_with("POST /wp-json/wc/v3/products/batch?")).count(), 2);
    assert_eq!(batches.iter().filter(|r| r.contains("/variations/batch?")).count(), 1);

    let prices = vec![
        PricePush { item: pushes[0].item.clone(), sku: "SKU-00001".into(), price_minor: 1999, currency: "USD".into() },
        PricePush {
            item: variation(&hoodie, &sizes[0]),
            sku: "HOODIE-S".into(),
            price_minor: 5005,
            currency: "USD".into(),
        },
    ];
    client.push_prices(&prices).await.expect("prices pushed");
    assert_eq!(fake.price_of("SKU-00001"), Some(1999));
    assert_eq!(fake.price_of("HOODIE-S"), Some(5005));

    let gone = vec![PricePush { item: simple("999999"), sku: "GONE".into(), price_minor: 100, currency: "USD".into() }];
    assert!(matches!(client.push_prices(&gone).await, Err(ShopFailure::Refused(_))));
}

#[tokio::test]
async fn prices_in_a_currency_without_decimals_are_whole_numbers() {
    let fake = FakeWooCommerce::new(KEY, SECRET).with_currency("CLP");
    let serving = fake.spawn().await.expect("spawn");
    let client = WooCommerceClient::new(reqwest::Client::new(), &access(&serving.base_url(), KEY, SECRET, "CLP"));
    let id = fake.add_product("TEA", "Tea", 8990, 1);
    client
        .push_prices(&[PricePush { item: simple(&id), sku: "TEA".into(), price_minor: 9990, currency: "CLP".into() }])
        .await
        .expect("pushed");
    assert_eq!(fake.price_of("TEA"), Some(9990));
    let listed = client.list_variants(None).await.expect("list");
    assert_eq!(listed.items[0].price_minor, Some(9990));
}

#[tokio::test]
async fn orders_since_an_instant_come_in_pages_with_their_lines() {
    let (fake, _serving, client) = shop().await;
    fake.add_product("MUG", "Mug", 1250, 500);
    let (_, _) = fake.add_variable_product("Hoodie", &[("HOODIE-M", "M", 4500, 500)]);
    #[expect(clippy::disallowed_methods, reason = "the fake shop dates orders by the wall clock")]
    let since_ms = chrono::Utc::now().timestamp_millis();
    let first_order = fake.place_order(&[("MUG", 2), ("HOODIE-M", 1)], "Ana Pérez");
    for _ in 0..104 {
        fake.place_order(&[("MUG", 1)], "Luis Soto");
    }

    let page = client.list_orders(since_ms, None).await.expect("orders");
    assert_eq!(page.items.len(), 100);
    assert_eq!(page.total, Some(105));
    assert_eq!(page.next.as_deref(), Some("2"));
    let rest = client.list_orders(since_ms, page.next.as_deref()).await.expect("page 2");
    assert_eq!((rest.items.len(), rest.next), (5, None));

    let order = &page.items[0];
    assert_eq!(order.remote_id, first_order);
    assert_eq!(order.status, "processing");
    assert_eq!(order.customer_name, "Ana Pérez");
    assert_eq!(order.total_minor, Some(2 * 1250 + 4500));
    assert_eq!(order.currency.as_deref(), Some("USD"));
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.lines[0].sku.as_deref(), Some("MUG"));
    assert_eq!((order.lines[0].quantity, order.lines[0].unit_price_minor), (2, Some(1250)));
    assert!(order.lines[1].item.as_ref().is_some_and(|item| item.variant_id.is_some()));
    assert_eq!(fake.stock_of("MUG"), Some(500 - 2 - 104));

    let later = client.list_orders(since_ms + 60_000, None).await.expect("none yet");
    assert!(later.items.is_empty());
    assert!(fake.requests().iter().any(|r| r.contains("modified_after=")));
}

#[tokio::test]
async fn order_statuses_are_told_in_woocommerce_words() {
    let (fake, _serving, client) = shop().await;
    fake.add_product("MUG", "Mug", 1250, 5);
    let id = fake.place_order(&[("MUG", 1)], "Ana Pérez");
    client.set_order_status(&id, RemoteOrderStatus::Shipped).await.expect("shipped");
    assert_eq!(fake.order_status(&id).as_deref(), Some("completed"));
    client.set_order_status(&id, RemoteOrderStatus::Cancelled).await.expect("cancelled");
    assert_eq!(fake.order_status(&id).as_deref(), Some("cancelled"));
    client.set_order_status(&id, RemoteOrderStatus::Refunded).await.expect("refunded");
    assert_eq!(fake.order_status(&id).as_deref(), Some("refunded"));
    assert!(matches!(client.set_order_status("424242", RemoteOrderStatus::Ready).await, Err(ShopFailure::Refused(_))));
}

#[tokio::test]
async fn throttling_reports_retry_after_or_waits_a_short_one_out() {
    let (fake, _serving, client) = shop().await;
    fake.throttle_next(1);
    assert_eq!(client.check_credentials().await, Err(ShopFailure::Throttled { retry_after_ms: Some(5000) }));
    fake.set_retry_after_secs(1);
    fake.throttle_next(1);
    assert_eq!(client.check_credentials().await, Ok(()));
}

#[tokio::test]
async fn an_outage_is_unavailable_and_a_broken_body_is_garbage() {
    let (fake, _serving, client) = shop().await;
    fake.fail_next(1);
    assert!(matches!(client.check_credentials().await, Err(ShopFailure::Unavailable(_))));
    fake.garbage_next(1);
    assert!(matches!(client.list_variants(None).await, Err(ShopFailure::Garbage(_))));
}

#[tokio::test]
async fn a_signed_order_webhook_is_read_as_the_order() {
    let (fake, _serving, client) = shop().await;
    fake.add_product("MUG", "Mug", 1250, 5);
    let id = fake.place_order(&[("MUG", 2)], "Ana Pérez");
    let (headers, body) = fake.signed_order_webhook(&id, "whsec");
    let header = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());

    let mut mac = Hmac::<Sha256>::new_from_slice(b"whsec").expect("key");
    mac.update(&body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(header("X-WC-Webhook-Signature"), Some(expected));
    assert_eq!(header("X-WC-Webhook-Topic").as_deref(), Some("order.created"));

    let topic = header("X-WC-Webhook-Topic");
    let order = client.parse_order_webhook(topic.as_deref(), &body).expect("readable").expect("an order");
    assert_eq!(order.remote_id, id);
    assert_eq!(order.customer_name, "Ana Pérez");
    assert_eq!(order.lines[0].quantity, 2);

    fake.admin_set_order_status(&id, "completed");
    let (headers, _) = fake.signed_order_webhook(&id, "whsec");
    assert!(headers.iter().any(|(k, v)| k == "X-WC-Webhook-Topic" && v == "order.updated"));
    assert_eq!(client.parse_order_webhook(Some("product.updated"), b"{\"id\":1}"), Ok(None));
    assert_eq!(client.parse_order_webhook(None, b"webhook_id=12"), Ok(None));
    assert!(matches!(client.parse_order_webhook(Some("order.updated"), b"<html>"), Err(ShopFailure::Garbage(_))));
}

#[tokio::test]
async fn the_fake_checks_the_whole_signed_query_its_timestamp_and_page_size() {
    let (_fake, serving, _client) = shop().await;
    let url = format!("{}/wp-json/wc/v3/products", serving.base_url());
    let http = reqwest::Client::new();
    #[expect(clippy::disallowed_methods, reason = "OAuth timestamps are checked against the fake's wall clock")]
    let now = chrono::Utc::now().timestamp();
    let params = |per_page: &str| vec![("per_page".to_owned(), per_page.to_owned())];
    let get = |query: String| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let answer = http.get(format!("{url}?{query}")).send().await.expect("answer");
            let status = answer.status().as_u16();
            (status, answer.json::<serde_json::Value>().await.expect("json"))
        }
    };

    let signed = super::oauth::signed_query("GET", &url, &params("5"), KEY, SECRET, now);
    assert_eq!(get(signed.clone()).await.0, 200);
    let (status, body) = get(signed.replace("per_page=5", "per_page=6")).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (401, Some("Invalid signature - provided signature does not match."))
    );
    let stale = super::oauth::signed_query("GET", &url, &params("5"), KEY, SECRET, now - 3600);
    assert_eq!(get(stale).await.1["message"], "Invalid timestamp.");
    let too_many = super::oauth::signed_query("GET", &url, &params("101"), KEY, SECRET, now);
    let (status, body) = get(too_many).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("rest_invalid_param")));
}

#[tokio::test]
async fn the_five_thousand_sku_catalogue_reads_in_fifty_pages_and_writes_in_fifty_batches() {
    let (fake, _serving, client) = shop().await;
    fake.seed_catalog(5000);
    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = client.list_variants(cursor.as_deref()).await.expect("page");
        listed.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(listed.len(), 5000);
    let pushes: Vec<StockPush> = listed
        .iter()
        .map(|v| StockPush { item: v.item.clone(), sku: v.sku.clone().unwrap_or_default(), available: 7 })
        .collect();
    client.push_stock(&pushes).await.expect("pushed");
    assert_eq!(fake.stock_of("SKU-05000"), Some(7));
    let requests = fake.requests();
    assert_eq!(requests.iter().filter(|r| r.starts_with("GET ")).count(), 50);
    assert_eq!(requests.iter().filter(|r| r.starts_with("POST ")).count(), 50);
}
