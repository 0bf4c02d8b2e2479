//! The Magento client against the fake Magento shop over real HTTP on loopback.

use std::collections::BTreeMap;

use omnicanal_app::connections::client::{
    Credentials, PricePush, RemoteItem, ShopAccess, ShopClient, ShopFailure, StockPush,
};
use omnicanal_domain::connections::{ConnectorKind, RemoteOrderStatus};
use omnicanal_fakeshops::Serving;
use omnicanal_fakeshops::magento::{FakeMagento, FakeVariant};

use super::MagentoClient;

const TOKEN: &str = "test-integration-token";

async fn shop() -> (FakeMagento, Serving) {
    let fake = FakeMagento::new(TOKEN);
    let serving = fake.spawn().await.expect("the fake listens");
    (fake, serving)
}

fn client_with(serving: &Serving, token: &str) -> MagentoClient {
    let access = ShopAccess {
        kind: ConnectorKind::Magento,
        base_url: serving.base_url(),
        credentials: Credentials(BTreeMap::from([("token".to_owned(), token.to_owned())])),
        currency: "USD".into(),
    };
    MagentoClient::new(reqwest::Client::new(), &access)
}

fn client(serving: &Serving) -> MagentoClient {
    client_with(serving, TOKEN)
}

fn sku_item(sku: &str) -> RemoteItem {
    RemoteItem { product_id: sku.into(), variant_id: None, inventory_id: Some("default".into()) }
}

fn sizes() -> Vec<FakeVariant> {
    let size = |sku: &str, option: &str, barcode: Option<&str>| FakeVariant {
        sku: sku.into(),
        option: option.into(),
        price_minor: 1990,
        stock: 4,
        barcode: barcode.map(Into::into),
    };
    vec![size("TEE-S", "S", Some("7800000000017")), size("TEE-M", "M", None)]
}

#[tokio::test]
async fn the_right_token_passes_and_a_wrong_one_is_unauthorized() {
    let (_fake, serving) = shop().await;
    assert_eq!(client(&serving).check_credentials().await, Ok(()));
    let refused = client_with(&serving, "wrong").check_credentials().await;
    let Err(ShopFailure::Unauthorized(message)) = refused else { panic!("expected Unauthorized, got {refused:?}") };
    assert_eq!(message, "The consumer isn't authorized to access Magento_Catalog::products.");
}

#[tokio::test]
async fn variants_are_listed_page_by_page_until_total_count_with_configurable_children_as_products() {
    let (fake, serving) = shop().await;
    fake.add_product("MUG-1", "Coffee mug", 1250, 20);
    fake.add_configurable("TEE", "T-shirt", &sizes());
    fake.add_product("CAP-1", "Cap", 990, 0);
    let mut client = client(&serving);
    client.product_page_size = 2;

    let mut listed = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = client.list_variants(cursor.as_deref()).await.expect("a page");
        pages += 1;
        assert_eq!(page.total, Some(4), "the configurable parent is not a sellable variant");
        listed.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
        assert!(pages < 10, "paging must stop by total_count");
    }
    assert_eq!(pages, 2);
    let skus: Vec<_> = listed.iter().filter_map(|variant| variant.sku.clone()).collect();
    assert_eq!(skus, ["MUG-1", "TEE-S", "TEE-M", "CAP-1"]);
    let mug = &listed[0];
    assert_eq!((mug.price_minor, mug.stock, mug.title.as_str()), (Some(1250), Some(20), "Coffee mug"));
    assert_eq!(mug.item, sku_item("MUG-1"));
    assert_eq!(mug.description.as_deref(), Some("<p>Coffee mug</p>"));
    let small = &listed[1];
    assert_eq!((small.title.as_str(), small.barcode.as_deref()), ("T-shirt-S", Some("7800000000017")));
    assert_eq!((small.price_minor, small.stock), (Some(1990), Some(4)));
    assert_eq!(listed[3].stock, Some(0));
    assert!(fake.requests().iter().any(|request| request.contains("searchCriteria%5BcurrentPage%5D=2")));
}

#[tokio::test]
async fn read_variants_sees_edits_made_in_the_admin_and_leaves_out_unknown_skus() {
    let (fake, serving) = shop().await;
    fake.add_product("MUG-1", "Coffee mug", 1250, 20);
    fake.add_configurable("TEE", "T-shirt", &sizes());
    fake.admin_set_stock("TEE-M", 7);
    fake.admin_set_price("MUG-1", 1399);
    let read =
        client(&serving).read_variants(&[sku_item("MUG-1"), sku_item("TEE-M"), sku_item("GONE")]).await.expect("read");
    let seen: Vec<_> = read.iter().map(|v| (v.sku.clone().unwrap_or_default(), v.price_minor, v.stock)).collect();
    assert_eq!(seen, [("MUG-1".into(), Some(1399), Some(20)), ("TEE-M".into(), Some(1990), Some(7))]);
}

#[tokio::test]
async fn stock_is_pushed_as_one_source_items_batch() {
    let (fake, serving) = shop().await;
    fake.seed_catalog(3);
    let pushes: Vec<StockPush> = (1..=3)
        .map(|index| StockPush {
            item: sku_item(&format!("SKU-0000{index}")),
            sku: format!("SKU-0000{index}"),
            available: index * 5,
        })
        .collect();
    client(&serving).push_stock(&pushes).await.expect("pushed");
    assert_eq!(fake.stock_of("SKU-00002"), Some(10));
    assert_eq!(fake.pushes(), [("SKU-00001".into(), 5), ("SKU-00002".into(), 10), ("SKU-00003".into(), 15)]);
    let posts: Vec<_> = fake.requests().into_iter().filter(|request| request.starts_with("POST")).collect();
    assert_eq!(posts, ["POST /rest/V1/inventory/source-items"]);
}

#[tokio::test]
async fn prices_are_pushed_as_base_prices_and_per_item_errors_are_refused() {
    let (fake, serving) = shop().await;
    fake.add_product("MUG-1", "Coffee mug", 1250, 20);
    fake.add_product("CAP-1", "Cap", 990, 1);
    let push = |sku: &str, price_minor| PricePush {
        item: sku_item(sku),
        sku: sku.into(),
        price_minor,
        currency: "USD".into(),
    };
    let client = client(&serving);
    client.push_prices(&[push("MUG-1", 1505), push("CAP-1", 1000)]).await.expect("pushed");
    assert_eq!((fake.price_of("MUG-1"), fake.price_of("CAP-1")), (Some(1505), Some(1000)));

    let refused = client.push_prices(&[push("GONE", 100)]).await;
    assert_eq!(refused, Err(ShopFailure::Refused("Requested product doesn't exist. SKU: GONE.".into())));
}

#[tokio::test]
async fn orders_are_listed_since_a_time_across_pages_without_configurable_duplicates() {
    let (fake, serving) = shop().await;
    fake.add_product("MUG-1", "Coffee mug", 1250, 100);
    fake.add_configurable("TEE", "T-shirt", &sizes());
    for _ in 0..52 {
        fake.place_order(&[("MUG-1", 1)], "Old Customer");
    }
    fake.advance_clock(60);
    let since_ms = fake.now_ms() - 30_000;
    let recent = fake.place_order(&[("TEE-M", 2), ("MUG-1", 1)], "Ana Pérez");
    let client = client(&serving);

    let page = client.list_orders(since_ms, None).await.expect("orders");
    assert_eq!((page.items.len(), page.next.clone()), (1, None));
    let order = &page.items[0];
    assert_eq!(order.remote_id, recent);
    assert_eq!((order.number.as_deref(), order.status.as_str()), (Some("000000053"), "pending"));
    assert_eq!((order.customer_name.as_str(), order.customer_email.as_deref()), ("Ana Pérez", Some("ana@example.com")));
    assert_eq!(order.customer_phone.as_deref(), Some("+56 9 1234 5678"));
    let lines: Vec<_> = order
        .lines
        .iter()
        .map(|line| (line.sku.clone().unwrap_or_default(), line.quantity, line.unit_price_minor))
        .collect();
    assert_eq!(lines, [("TEE-M".into(), 2, Some(1990)), ("MUG-1".into(), 1, Some(1250))]);
    assert_eq!(order.lines[0].title, "T-shirt");
    assert_eq!((order.total_minor, order.currency.as_deref()), (Some(5230), Some("USD")));
    assert!(order.created_at_ms.is_some_and(|at| at >= since_ms - 1000));
    assert_eq!(fake.stock_of("TEE-M"), Some(2));

    let first = client.list_orders(0, None).await.expect("first page");
    assert_eq!((first.items.len(), first.next.as_deref(), first.total), (50, Some("2"), Some(53)));
    let second = client.list_orders(0, first.next.as_deref()).await.expect("second page");
    assert_eq!((second.items.len(), second.next), (3, None));
    assert_eq!(second.items[2].remote_id, recent, "oldest first");
}

#[tokio::test]
async fn order_statuses_are_told_with_cancel_ship_refund_and_a_comment() {
    let (fake, serving) = shop().await;
    fake.add_product("MUG-1", "Coffee mug", 1250, 10);
    let client = client(&serving);
    let cancelled = fake.place_order(&[("MUG-1", 3)], "Ana Pérez");
    client.set_order_status(&cancelled, RemoteOrderStatus::Cancelled).await.expect("cancelled");
    assert_eq!(fake.order_status(&cancelled).as_deref(), Some("canceled"));
    assert_eq!(fake.stock_of("MUG-1"), Some(10), "cancelling gives the units back");
    let again = client.set_order_status(&cancelled, RemoteOrderStatus::Cancelled).await;
    assert!(matches!(again, Err(ShopFailure::Refused(_))), "{again:?}");

    let shipped = fake.place_order(&[("MUG-1", 1)], "Bo Li");
    client.set_order_status(&shipped, RemoteOrderStatus::Ready).await.expect("ready");
    assert_eq!(fake.order_comments(&shipped), ["Ready: picked and packed (Omnicanal)."]);
    client.set_order_status(&shipped, RemoteOrderStatus::Shipped).await.expect("shipped");
    assert_eq!(fake.order_status(&shipped).as_deref(), Some("complete"));

    let refunded = fake.place_order(&[("MUG-1", 1)], "Cy Ng");
    client.set_order_status(&refunded, RemoteOrderStatus::Refunded).await.expect("refunded");
    assert_eq!(fake.order_status(&refunded).as_deref(), Some("closed"));

    let posts: Vec<_> = fake.requests().into_iter().filter(|request| request.starts_with("POST")).collect();
    assert_eq!(
        posts,
        [
            format!("POST /rest/V1/orders/{cancelled}/cancel"),
            format!("POST /rest/V1/orders/{cancelled}/cancel"),
            format!("POST /rest/V1/orders/{shipped}/comments"),
            format!("POST /rest/V1/order/{shipped}/ship"),
            format!("POST /rest/V1/order/{refunded}/refund"),
        ]
    );
    let unknown = client.set_order_status("999", RemoteOrderStatus::Shipped).await;
    assert!(matches!(unknown, Err(ShopFailure::Refused(_))), "{unknown:?}");
}

#[tokio::test]
async fn a_429_is_throttled_with_its_retry_after() {
    let (fake, serving) = shop().await;
    fake.throttle_next(1);
    let client = client(&serving);
    assert_eq!(client.check_credentials().await, Err(ShopFailure::Throttled { retry_after_ms: Some(2000) }));
    assert_eq!(client.check_credentials().await, Ok(()));
}

#[tokio::test]
async fn a_500_is_unavailable_and_an_html_page_is_garbage() {
    let (fake, serving) = shop().await;
    fake.seed_catalog(2);
    let client = client(&serving);
    fake.fail_next(1);
    let failed = client.list_variants(None).await;
    assert!(matches!(failed, Err(ShopFailure::Unavailable(_))), "{failed:?}");
    fake.garbage_next(1);
    let garbage = client.list_variants(None).await;
    assert!(matches!(garbage, Err(ShopFailure::Garbage(_))), "{garbage:?}");
    assert_eq!(client.list_variants(None).await.map(|page| page.items.len()), Ok(2));
}

#[tokio::test]
async fn a_shop_that_does_not_answer_is_unavailable() {
    // A loopback port nobody listens on any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("a port");
    let access = ShopAccess {
        kind: ConnectorKind::Magento,
        base_url: format!("http://{closed}"),
        credentials: Credentials(BTreeMap::from([("token".to_owned(), TOKEN.to_owned())])),
        currency: "USD".into(),
    };
    let gone = MagentoClient::new(reqwest::Client::new(), &access).check_credentials().await;
    assert!(matches!(gone, Err(ShopFailure::Unavailable(_))), "{gone:?}");
}

#[test]
fn magento_sends_no_webhooks_so_a_body_is_refused() {
    let access = ShopAccess {
        kind: ConnectorKind::Magento,
        base_url: "https://shop.example".into(),
        credentials: Credentials(BTreeMap::new()),
        currency: "CLP".into(),
    };
    let client = MagentoClient::new(reqwest::Client::new(), &access);
    assert_eq!(client.api, "https://shop.example/rest/V1");
    assert_eq!(client.exponent, 0);
    assert!(matches!(client.parse_order_webhook(Some("order"), b"{}"), Err(ShopFailure::Refused(_))));
}

#[tokio::test]
async fn the_benchmark_catalogue_of_5000_skus_is_listed_whole() {
    let (fake, serving) = shop().await;
    fake.seed_catalog(5000);
    let client = client(&serving);
    let (mut listed, mut cursor) = (0, None::<String>);
    loop {
        let page = client.list_variants(cursor.as_deref()).await.expect("a page");
        listed += page.items.len();
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(listed, 5000);
}
