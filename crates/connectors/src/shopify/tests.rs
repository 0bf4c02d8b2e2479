//! The Shopify client against the fake Shopify shop over real HTTP on loopback.

use std::collections::BTreeMap;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use omnicanal_app::connections::client::{
    Credentials, PricePush, RemoteItem, ShopAccess, ShopClient, ShopFailure, StockPush,
};
use omnicanal_domain::connections::{ConnectorKind, RemoteOrderStatus};
use omnicanal_fakeshops::Serving;
use omnicanal_fakeshops::shopify::FakeShopify;
use sha2::Sha256;

use super::ShopifyClient;

const TOKEN: &str = "shpat_test_token";
const SECRET: &str = "test-app-secret";

fn client_for(serving: &Serving, token: &str, currency: &str) -> ShopifyClient {
    let credentials = BTreeMap::from([
        ("access_token".to_string(), token.to_string()),
        ("webhook_secret".to_string(), SECRET.to_string()),
    ]);
    let access = ShopAccess {
        kind: ConnectorKind::Shopify,
        base_url: serving.base_url(),
        credentials: Credentials(credentials),
        currency: currency.into(),
    };
    ShopifyClient::new(reqwest::Client::new(), &access)
}

async fn shop() -> (FakeShopify, Serving, ShopifyClient) {
    let fake = FakeShopify::new(TOKEN, SECRET);
    let serving = fake.spawn().await.expect("the fake shop listens");
    let client = client_for(&serving, TOKEN, "USD");
    (fake, serving, client)
}

fn graphql_calls(fake: &FakeShopify, root: &str) -> usize {
    fake.requests().iter().filter(|request| request.ends_with(&format!(" {root}"))).count()
}

#[tokio::test]
async fn right_credentials_pass_and_a_wrong_token_is_unauthorized() {
    let (_fake, serving, client) = shop().await;
    client.check_credentials().await.expect("the right token is accepted");
    let wrong = client_for(&serving, "shpat_wrong", "USD");
    match wrong.check_credentials().await {
        Err(ShopFailure::Unauthorized(why)) => assert!(why.contains("Invalid API key or access token"), "{why}"),
        other => panic!("expected Unauthorized, got {other:?}"),
    }
}

#[tokio::test]
async fn variants_are_listed_across_pages_simple_and_with_options() {
    let (fake, _serving, client) = shop().await;
    fake.seed_catalog(260);
    let product = fake.add_product_with_variants(
        "T-shirt",
        &[("S", "TEE-S", Some("7800000000011"), 1990, 5), ("M", "TEE-M", None, 2090, 7)],
    );
    let first = client.list_variants(None).await.expect("first page");
    assert_eq!(first.items.len(), 250);
    let second = client.list_variants(first.next.as_deref()).await.expect("second page");
    assert_eq!(second.items.len(), 12);
    assert_eq!(second.next, None);
    let simple = &first.items[0];
    assert_eq!(simple.sku.as_deref(), Some("SKU-00001"));
    assert_eq!(simple.title, "Product 1");
    assert_eq!(simple.price_minor, Some(1001));
    assert_eq!(simple.stock, Some(10));
    let small = second.items.iter().find(|variant| variant.sku.as_deref() == Some("TEE-S")).expect("TEE-S listed");
    assert_eq!(small.title, "T-shirt - S");
    assert_eq!(small.barcode.as_deref(), Some("7800000000011"));
    assert_eq!(small.item.product_id, product);
    assert!(small.item.variant_id.as_deref().is_some_and(|id| id.starts_with("gid://shopify/ProductVariant/")));
    assert!(small.item.inventory_id.as_deref().is_some_and(|id| id.starts_with("gid://shopify/InventoryItem/")));
    assert_eq!(small.price_minor, Some(1990));
}

#[tokio::test]
async fn read_variants_sees_admin_edits_and_leaves_out_deleted_ones() {
    let (fake, _serving, client) = shop().await;
    fake.add_product("MUG", "Mug", 1250, 40);
    let listed = client.list_variants(None).await.expect("listed").items;
    fake.admin_set_stock("MUG", 3);
    fake.admin_set_price("MUG", 1399);
    let gone = RemoteItem {
        product_id: "gid://shopify/Product/1".into(),
        variant_id: Some("gid://shopify/ProductVariant/1".into()),
        inventory_id: None,
    };
    let read = client.read_variants(&[listed[0].item.clone(), gone]).await.expect("read");
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].stock, Some(3));
    assert_eq!(read[0].price_minor, Some(1399));
}

#[tokio::test]
async fn stock_pushes_land_at_the_location_read_once() {
    let (fake, _serving, client) = shop().await;
    fake.add_product("A", "A", 100, 1);
    fake.add_product_with_variants("B", &[("S", "B-S", None, 100, 1), ("M", "B-M", None, 100, 1)]);
    let items = client.list_variants(None).await.expect("listed").items;
    let push = |sku: &str, available: i64| {
        let variant = items.iter().find(|variant| variant.sku.as_deref() == Some(sku)).expect("listed sku");
        StockPush { item: variant.item.clone(), sku: sku.into(), available }
    };
    client.push_stock(&[push("A", 9), push("B-S", 4)]).await.expect("pushed");
    // Without the inventory item: the client reads it from the variant first.
    let mut without_inventory = push("B-M", 0);
    without_inventory.item.inventory_id = None;
    client.push_stock(&[without_inventory]).await.expect("pushed");
    assert_eq!(fake.stock_of("A"), Some(9));
    assert_eq!(fake.stock_of("B-S"), Some(4));
    assert_eq!(fake.stock_of("B-M"), Some(0));
    assert_eq!(fake.pushes(), vec![("A".to_string(), 9), ("B-S".to_string(), 4), ("B-M".to_string(), 0)]);
    assert_eq!(graphql_calls(&fake, "locations"), 1);
    assert_eq!(graphql_calls(&fake, "inventorySetQuantities"), 2);
}

#[tokio::test]
async fn a_refused_stock_write_is_refused_with_the_shops_user_errors() {
    let (fake, _serving, client) = shop().await;
    fake.add_product("A", "A", 100, 1);
    let stray = StockPush {
        item: RemoteItem {
            product_id: "gid://shopify/Product/1".into(),
            variant_id: Some("gid://shopify/ProductVariant/1".into()),
            inventory_id: Some("gid://shopify/InventoryItem/1".into()),
        },
        sku: "STRAY".into(),
        available: 3,
    };
    match client.push_stock(&[stray]).await {
        Err(ShopFailure::Refused(why)) => assert!(why.contains("inventory item could not be found"), "{why}"),
        other => panic!("expected Refused, got {other:?}"),
    }
    assert_eq!(fake.pushes(), vec![]);
}

#[tokio::test]
async fn prices_are_pushed_one_call_per_product_in_the_shops_currency() {
    let fake = FakeShopify::new(TOKEN, SECRET);
    fake.set_currency("CLP", 0);
    let serving = fake.spawn().await.expect("listens");
    let client = client_for(&serving, TOKEN, "CLP");
    fake.add_product("A", "A", 1000, 1);
    fake.add_product_with_variants("B", &[("S", "B-S", None, 5000, 1), ("M", "B-M", None, 5000, 1)]);
    let items = client.list_variants(None).await.expect("listed").items;
    assert_eq!(items[0].price_minor, Some(1000));
    let pushes: Vec<PricePush> = [("A", 1290), ("B-S", 5990), ("B-M", 6490)]
        .iter()
        .map(|(sku, price_minor)| {
            let variant = items.iter().find(|variant| variant.sku.as_deref() == Some(sku)).expect("listed");
            PricePush {
                item: variant.item.clone(),
                sku: (*sku).into(),
                price_minor: *price_minor,
                currency: "CLP".into(),
            }
        })
        .collect();
    client.push_prices(&pushes).await.expect("pushed");
    assert_eq!(fake.price_of("A"), Some(1290));
    assert_eq!(fake.price_of("B-S"), Some(5990));
    assert_eq!(fake.price_of("B-M"), Some(6490));
    assert_eq!(graphql_calls(&fake, "productVariantsBulkUpdate"), 2);
}

#[tokio::test]
async fn orders_are_listed_since_a_time_across_pages() {
    let (fake, _serving, client) = shop().await;
    fake.add_product("MUG", "Mug", 1250, 100);
    fake.add_product_with_variants("T-shirt", &[("S", "TEE-S", None, 1990, 50)]);
    let first = fake.place_order(&[("MUG", 2), ("TEE-S", 1)], "Ana Pérez");
    let mut ids = vec![first.clone()];
    for _ in 0..11 {
        ids.push(fake.place_order(&[("MUG", 1)], "Bo Li"));
    }
    assert_eq!(fake.stock_of("MUG"), Some(100 - 2 - 11));

    let page = client.list_orders(0, None).await.expect("first page");
    assert_eq!(page.items.len(), 10);
    let rest = client.list_orders(0, page.next.as_deref()).await.expect("second page");
    assert_eq!(rest.items.len(), 2);
    assert_eq!(rest.next, None);
    let listed: Vec<String> = page.items.iter().chain(&rest.items).map(|order| order.remote_id.clone()).collect();
    assert_eq!(listed, ids);

    let order = &page.items[0];
    assert_eq!(order.remote_id, first);
    assert_eq!(order.number.as_deref(), Some("#1001"));
    assert_eq!(order.status, "PAID/UNFULFILLED");
    assert_eq!(order.customer_name, "Ana Pérez");
    assert!(order.customer_email.is_some());
    assert_eq!(order.total_minor, Some(2 * 1250 + 1990));
    assert_eq!(order.currency.as_deref(), Some("USD"));
    assert_eq!(order.lines.len(), 2);
    assert_eq!(order.lines[0].sku.as_deref(), Some("MUG"));
    assert_eq!(order.lines[0].quantity, 2);
    assert_eq!(order.lines[0].unit_price_minor, Some(1250));
    assert!(order.lines[0].item.as_ref().is_some_and(|item| item.product_id.starts_with("gid://shopify/Product/")));
    assert!(order.created_at_ms.is_some());

    // 2100-01-01: no order has changed since.
    let later = 4_102_444_800_000;
    assert!(client.list_orders(later, None).await.expect("none since").items.is_empty());
    let search = fake.requests().into_iter().filter(|request| request.ends_with(" orders")).count();
    assert_eq!(search, 3);
}

#[tokio::test]
async fn order_statuses_reach_the_shop() {
    let (fake, _serving, client) = shop().await;
    fake.add_product("MUG", "Mug", 1250, 10);
    let ready = fake.place_order(&[("MUG", 1)], "A B");
    let shipped = fake.place_order(&[("MUG", 1)], "A B");
    let cancelled = fake.place_order(&[("MUG", 1)], "A B");
    let refunded = fake.place_order(&[("MUG", 1)], "A B");

    client.set_order_status(&ready, RemoteOrderStatus::Ready).await.expect("ready");
    client.set_order_status(&shipped, RemoteOrderStatus::Shipped).await.expect("shipped");
    client.set_order_status(&shipped, RemoteOrderStatus::Shipped).await.expect("shipped twice is still shipped");
    client.set_order_status(&cancelled, RemoteOrderStatus::Cancelled).await.expect("cancelled");
    client.set_order_status(&refunded, RemoteOrderStatus::Refunded).await.expect("refunded");

    assert_eq!(fake.order_status(&ready).as_deref(), Some("ready"));
    assert_eq!(fake.order_status(&shipped).as_deref(), Some("fulfilled"));
    assert_eq!(fake.order_status(&cancelled).as_deref(), Some("cancelled"));
    assert_eq!(fake.order_status(&refunded).as_deref(), Some("refunded"));
    assert_eq!(graphql_calls(&fake, "fulfillmentCreate"), 1);

    client
        .set_order_status(&cancelled, RemoteOrderStatus::Cancelled)
        .await
        .expect("cancelled twice is still cancelled");
    assert!(matches!(
        client.set_order_status(&shipped, RemoteOrderStatus::Cancelled).await,
        Err(ShopFailure::Refused(_))
    ));
    assert!(matches!(
        client.set_order_status("gid://shopify/Order/1", RemoteOrderStatus::Shipped).await,
        Err(ShopFailure::Refused(_))
    ));
}

#[tokio::test]
async fn a_long_throttle_is_handed_back_with_the_wait_the_bucket_implies() {
    let (fake, _serving, client) = shop().await;
    fake.add_product("MUG", "Mug", 1250, 10);
    fake.throttle_next(1);
    match client.list_variants(None).await {
        // 752 points requested from an empty bucket refilling at 100 a second.
        Err(ShopFailure::Throttled { retry_after_ms: Some(wait_ms) }) => {
            assert!((7_000..=7_600).contains(&wait_ms), "{wait_ms}")
        }
        other => panic!("expected Throttled, got {other:?}"),
    }
}

#[tokio::test]
async fn a_short_throttle_is_waited_out_inside_the_call() {
    let (fake, _serving, client) = shop().await;
    fake.set_bucket(2000.0, 2000.0);
    fake.add_product("MUG", "Mug", 1250, 10);
    fake.throttle_next(1);
    let page = client.list_variants(None).await.expect("waited out");
    assert_eq!(page.items.len(), 1);
    assert_eq!(graphql_calls(&fake, "productVariants"), 2);
}

#[tokio::test]
async fn an_exhausted_bucket_throttles_by_itself() {
    let (fake, _serving, client) = shop().await;
    // A full page costs what it asked for (a short one would be refunded the difference).
    fake.set_bucket(800.0, 10.0);
    fake.seed_catalog(250);
    client.list_variants(None).await.expect("the first page fits the bucket");
    match client.list_variants(None).await {
        Err(ShopFailure::Throttled { retry_after_ms: Some(wait_ms) }) => assert!(wait_ms > 2_000, "{wait_ms}"),
        other => panic!("expected Throttled, got {other:?}"),
    }
}

#[tokio::test]
async fn a_500_is_unavailable_and_a_non_json_body_is_garbage() {
    let (fake, _serving, client) = shop().await;
    fake.fail_next(1);
    assert!(matches!(client.check_credentials().await, Err(ShopFailure::Unavailable(_))));
    fake.garbage_next(1);
    assert!(matches!(client.list_variants(None).await, Err(ShopFailure::Garbage(_))));
    client.check_credentials().await.expect("the shop is back");
}

#[tokio::test]
async fn the_signed_webhook_names_the_same_order_as_the_orders_query() {
    let (fake, _serving, client) = shop().await;
    fake.add_product_with_variants("T-shirt", &[("S", "TEE-S", None, 1990, 5)]);
    let remote_id = fake.place_order(&[("TEE-S", 2)], "Ana Pérez");
    let (headers, body) = fake.signed_order_webhook(&remote_id, SECRET);
    let header =
        |name: &str| headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.clone());

    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(&body);
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(header("X-Shopify-Hmac-Sha256"), Some(expected));
    assert_eq!(header("X-Shopify-Topic").as_deref(), Some("orders/create"));
    assert_eq!(header("X-Shopify-API-Version").as_deref(), Some(super::API_VERSION));
    for name in ["X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id", "X-Shopify-Triggered-At", "X-Shopify-Event-Id"] {
        assert!(header(name).is_some(), "{name}");
    }

    let topic = header("X-Shopify-Topic");
    let order = client.parse_order_webhook(topic.as_deref(), &body).expect("readable").expect("an order");
    let listed = client.list_orders(0, None).await.expect("listed").items;
    assert_eq!(order.remote_id, remote_id);
    assert_eq!(listed[0].remote_id, order.remote_id);
    assert_eq!(order.number.as_deref(), Some("#1001"));
    assert_eq!(order.status, listed[0].status);
    assert_eq!(order.customer_name, "Ana Pérez");
    assert_eq!(order.total_minor, Some(3980));
    assert_eq!(order.currency.as_deref(), Some("USD"));
    assert_eq!(order.lines.len(), 1);
    assert_eq!(order.lines[0].sku.as_deref(), Some("TEE-S"));
    assert_eq!(order.lines[0].unit_price_minor, Some(1990));
    assert_eq!(order.lines[0].item, listed[0].lines[0].item);
    assert_eq!(order.created_at_ms.map(|ms| ms / 1000), listed[0].created_at_ms.map(|ms| ms / 1000));

    let (updated_headers, updated_body) = fake.signed_order_webhook_with_topic(&remote_id, SECRET, "orders/updated");
    assert!(updated_headers.contains(&("X-Shopify-Topic".to_string(), "orders/updated".to_string())));
    let updated =
        client.parse_order_webhook(Some("orders/updated"), &updated_body).expect("readable").expect("an order");
    assert_eq!(updated.remote_id, remote_id);

    assert_eq!(client.parse_order_webhook(Some("products/update"), b"{\"id\":1}").expect("ignored"), None);
    assert!(matches!(client.parse_order_webhook(Some("orders/create"), b"<html>"), Err(ShopFailure::Garbage(_))));
}

#[tokio::test]
async fn a_long_order_has_all_its_lines_read() {
    let (fake, _serving, client) = shop().await;
    fake.seed_catalog(40);
    let skus: Vec<String> = (1..=40).map(|i| format!("SKU-{i:05}")).collect();
    let lines: Vec<(&str, i64)> = skus.iter().map(|sku| (sku.as_str(), 1)).collect();
    let remote_id = fake.place_order(&lines, "Ana Pérez");
    let orders = client.list_orders(0, None).await.expect("listed").items;
    assert_eq!(orders[0].remote_id, remote_id);
    let read: Vec<Option<String>> = orders[0].lines.iter().map(|line| line.sku.clone()).collect();
    assert_eq!(read, skus.into_iter().map(Some).collect::<Vec<_>>());
    assert_eq!(graphql_calls(&fake, "order"), 1);
}

#[tokio::test]
async fn a_large_stock_push_is_split_at_the_input_limit() {
    let (fake, _serving, client) = shop().await;
    fake.set_bucket(20_000.0, 10_000.0);
    fake.seed_catalog(300);
    let first = client.list_variants(None).await.expect("first page");
    let mut items = first.items;
    items.extend(client.list_variants(first.next.as_deref()).await.expect("second page").items);
    let pushes: Vec<StockPush> = items
        .iter()
        .map(|variant| StockPush {
            item: variant.item.clone(),
            sku: variant.sku.clone().unwrap_or_default(),
            available: 3,
        })
        .collect();
    assert_eq!(pushes.len(), 300);
    client.push_stock(&pushes).await.expect("pushed");
    assert_eq!(graphql_calls(&fake, "inventorySetQuantities"), 2);
    assert_eq!(fake.pushes().len(), 300);
    assert_eq!(fake.stock_of("SKU-00300"), Some(3));
}
