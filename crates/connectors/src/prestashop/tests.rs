//! The client against the fake PrestaShop over real HTTP on loopback: every method of the
//! trait, the failures the connection must tell apart, and the wire shapes the docs give.

use omnicanal_app::connections::client::{
    Credentials, PricePush, RemoteItem, ShopAccess, ShopClient, ShopFailure, StockPush,
};
use omnicanal_domain::connections::{ConnectorKind, RemoteOrderStatus};
use omnicanal_fakeshops::prestashop::{FakeCombination, FakePrestaShop};

use super::PrestaShopClient;

const KEY: &str = "ZR92FNY5UFRERNI3O9Z5QDHWKTP3YIIT";

fn access(base_url: &str, key: &str) -> ShopAccess {
    ShopAccess {
        kind: ConnectorKind::PrestaShop,
        base_url: base_url.to_owned(),
        credentials: Credentials([("api_key".to_owned(), key.to_owned())].into_iter().collect()),
        currency: "USD".into(),
    }
}

fn client(base_url: &str) -> PrestaShopClient {
    PrestaShopClient::new(reqwest::Client::new(), &access(base_url, KEY))
}

fn sizes(prefix: &str) -> Vec<FakeCombination> {
    ["S", "M"]
        .iter()
        .enumerate()
        .map(|(index, size)| FakeCombination {
            sku: format!("{prefix}-{size}"),
            size: (*size).to_owned(),
            barcode: Some(format!("400638133393{index}")),
            stock: 4 + i64::try_from(index).unwrap_or(0),
        })
        .collect()
}

#[tokio::test]
async fn the_key_is_checked_and_a_wrong_one_is_unauthorized() {
    let fake = FakePrestaShop::new(KEY);
    let serving = fake.spawn().await.unwrap();
    client(&serving.base_url()).check_credentials().await.unwrap();
    let wrong = PrestaShopClient::new(reqwest::Client::new(), &access(&serving.base_url(), "WRONGKEY"));
    assert!(matches!(wrong.check_credentials().await, Err(ShopFailure::Unauthorized(_))));
    assert!(fake.requests()[0].starts_with("GET /api/products?"), "{:?}", fake.requests());
}

#[tokio::test]
async fn variants_come_in_pages_simple_products_and_combinations_alike() {
    let fake = FakePrestaShop::new(KEY);
    fake.add_product("TEE", "T-shirt", 1250, 7);
    fake.set_barcode("TEE", "4006381333931");
    let sweater = fake.add_product_with_sizes("Sweater", 3000, &sizes("SW"));
    fake.add_product("MUG", "Mug", 990, 3);
    let serving = fake.spawn().await.unwrap();
    let mut client = client(&serving.base_url());
    client.page_size = 2;

    let first = client.list_variants(None).await.unwrap();
    assert_eq!(first.next.as_deref(), Some("2"));
    let second = client.list_variants(first.next.as_deref()).await.unwrap();
    assert_eq!(second.next, None);
    let all: Vec<_> = first.items.into_iter().chain(second.items).collect();
    let skus: Vec<_> = all.iter().map(|v| v.sku.clone().unwrap_or_default()).collect();
    assert_eq!(skus, ["TEE", "SW-S", "SW-M", "MUG"]);
    let tee = &all[0];
    assert_eq!((tee.price_minor, tee.stock, tee.barcode.as_deref()), (Some(1250), Some(7), Some("4006381333931")));
    assert_eq!(tee.item.variant_id, None);
    assert!(tee.item.inventory_id.is_some());
    let medium = &all[2];
    assert_eq!(medium.item.product_id, sweater);
    assert_eq!(medium.item.variant_id, fake.combination_id("SW-M"));
    assert_eq!((medium.price_minor, medium.stock, medium.title.as_str()), (Some(3000), Some(5), "Sweater"));
    assert!(
        fake.requests().iter().any(|r| r.starts_with("GET /api/products?display=full&sort=%5Bid_ASC%5D&limit=2%2C2"))
    );
}

#[tokio::test]
async fn read_variants_sees_edits_made_in_the_admin() {
    let fake = FakePrestaShop::new(KEY);
    fake.add_product("TEE", "T-shirt", 1250, 7);
    fake.add_product_with_sizes("Sweater", 3000, &sizes("SW"));
    let serving = fake.spawn().await.unwrap();
    let client = client(&serving.base_url());
    let listed = client.list_variants(None).await.unwrap().items;
    let items: Vec<RemoteItem> = listed.iter().map(|v| v.item.clone()).collect();

    fake.admin_set_stock("SW-M", 42);
    fake.admin_set_price("SW-M", 3500);
    fake.admin_set_stock("TEE", 1);
    let read = client.read_variants(&items[1..]).await.unwrap();
    assert_eq!(read.len(), 2);
    let medium = read.iter().find(|v| v.sku.as_deref() == Some("SW-M")).unwrap();
    assert_eq!((medium.stock, medium.price_minor), (Some(42), Some(3500)));
    let gone = RemoteItem { product_id: "999".into(), variant_id: None, inventory_id: None };
    let read = client.read_variants(&[items[0].clone(), gone]).await.unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].stock, Some(1));
}

#[tokio::test]
async fn stock_pushes_put_the_whole_stock_available_and_land() {
    let fake = FakePrestaShop::new(KEY);
    let tee = fake.add_product("TEE", "T-shirt", 1250, 7);
    fake.add_product_with_sizes("Sweater", 3000, &sizes("SW"));
    let serving = fake.spawn().await.unwrap();
    let client = client(&serving.base_url());
    let listed = client.list_variants(None).await.unwrap().items;
    let medium = listed.iter().find(|v| v.sku.as_deref() == Some("SW-M")).unwrap();

    let pushes = [
        // Without the stock row's id: found by product and attribute 0.
        StockPush {
            item: RemoteItem { product_id: tee, variant_id: None, inventory_id: None },
            sku: "TEE".into(),
            available: 3,
        },
        StockPush { item: medium.item.clone(), sku: "SW-M".into(), available: 9 },
    ];
    client.push_stock(&pushes).await.unwrap();
    assert_eq!(fake.stock_of("TEE"), Some(3));
    assert_eq!(fake.stock_of("SW-M"), Some(9));
    assert_eq!(fake.pushes(), [("TEE".to_owned(), 3), ("SW-M".to_owned(), 9)]);
    let puts = fake.requests().into_iter().filter(|r| r.starts_with("PUT /api/stock_availables/")).count();
    assert_eq!(puts, 2);
}

#[tokio::test]
async fn price_pushes_patch_products_and_combination_impacts() {
    let fake = FakePrestaShop::new(KEY);
    let tee = fake.add_product("TEE", "T-shirt", 1250, 7);
    let sweater = fake.add_product_with_sizes("Sweater", 3000, &sizes("SW"));
    let serving = fake.spawn().await.unwrap();
    let client = client(&serving.base_url());
    let push = |item: RemoteItem, sku: &str, price_minor| PricePush {
        item,
        sku: sku.into(),
        price_minor,
        currency: "USD".into(),
    };
    let pushes = [
        push(RemoteItem { product_id: tee, variant_id: None, inventory_id: None }, "TEE", 1399),
        push(
            RemoteItem { product_id: sweater.clone(), variant_id: fake.combination_id("SW-M"), inventory_id: None },
            "SW-M",
            2850,
        ),
        push(
            RemoteItem { product_id: sweater, variant_id: fake.combination_id("SW-S"), inventory_id: None },
            "SW-S",
            3000,
        ),
    ];
    client.push_prices(&pushes).await.unwrap();
    assert_eq!(fake.price_of("TEE"), Some(1399));
    assert_eq!(fake.price_of("SW-M"), Some(2850));
    assert_eq!(fake.price_of("SW-S"), Some(3000));
    assert!(fake.requests().iter().any(|r| r.starts_with("PATCH /api/combinations/")));
}

#[tokio::test]
async fn orders_are_polled_by_date_upd_in_pages_with_their_customers() {
    let fake = FakePrestaShop::new(KEY);
    fake.add_product("TEE", "T-shirt", 1250, 7);
    fake.add_product_with_sizes("Sweater", 3000, &sizes("SW"));
    let first = fake.place_order(&[("TEE", 2), ("SW-M", 1)], "Ana Pérez");
    let second = fake.place_order(&[("TEE", 1)], "Luis Soto");
    let serving = fake.spawn().await.unwrap();
    let mut client = client(&serving.base_url());
    client.page_size = 1;
    let an_hour_ago = now_ms() - 3_600_000;

    let page = client.list_orders(an_hour_ago, None).await.unwrap();
    assert_eq!(page.next.as_deref(), Some("1"));
    let order = &page.items[0];
    assert_eq!(order.remote_id, first);
    assert_eq!(order.status, "2");
    assert_eq!(order.customer_name, "Ana Pérez");
    assert_eq!(order.customer_email.as_deref(), Some("ana.pérez@example.com"));
    assert_eq!(order.total_minor, Some(2 * 1250 + 3000));
    assert_eq!(order.currency.as_deref(), Some("USD"));
    assert_eq!(order.lines.len(), 2);
    assert_eq!((order.lines[1].sku.as_deref(), order.lines[1].quantity), (Some("SW-M"), 1));
    assert_eq!(order.lines[1].item.as_ref().and_then(|i| i.variant_id.clone()), fake.combination_id("SW-M"));
    assert_eq!(order.lines[0].unit_price_minor, Some(1250));
    assert!(order.created_at_ms.is_some_and(|at| at >= an_hour_ago));
    assert_eq!(fake.stock_of("TEE"), Some(4));

    let page = client.list_orders(an_hour_ago, page.next.as_deref()).await.unwrap();
    assert_eq!(page.items[0].remote_id, second);
    let page = client.list_orders(an_hour_ago, Some("2")).await.unwrap();
    assert!(page.items.is_empty() && page.next.is_none());
    // The filter starts 14 hours early (the shop's time zone is unknown): 15 hours ahead
    // finds nothing.
    let later = client.list_orders(now_ms() + 15 * 3_600_000, None).await.unwrap();
    assert!(later.items.is_empty());
    assert!(fake.requests().iter().any(|r| r.contains("filter%5Bdate_upd%5D=") && r.contains("date=1")));
}

#[tokio::test]
async fn order_statuses_become_order_histories() {
    let fake = FakePrestaShop::new(KEY);
    fake.add_product("TEE", "T-shirt", 1250, 7);
    let order = fake.place_order(&[("TEE", 1)], "Ana Pérez");
    let serving = fake.spawn().await.unwrap();
    let client = client(&serving.base_url());
    for (status, state) in [
        (RemoteOrderStatus::Ready, "3"),
        (RemoteOrderStatus::Shipped, "4"),
        (RemoteOrderStatus::Cancelled, "6"),
        (RemoteOrderStatus::Refunded, "7"),
    ] {
        client.set_order_status(&order, status).await.unwrap();
        assert_eq!(fake.order_status(&order).as_deref(), Some(state));
    }
    assert!(matches!(client.set_order_status("999", RemoteOrderStatus::Shipped).await, Err(ShopFailure::Refused(_))));
}

#[tokio::test]
async fn throttling_outages_and_garbage_are_told_apart() {
    let fake = FakePrestaShop::new(KEY);
    fake.add_product("TEE", "T-shirt", 1250, 7);
    let serving = fake.spawn().await.unwrap();
    let client = client(&serving.base_url());
    fake.throttle_next(1);
    assert_eq!(client.list_variants(None).await, Err(ShopFailure::Throttled { retry_after_ms: Some(2_000) }));
    fake.fail_next(1);
    assert!(matches!(client.list_variants(None).await, Err(ShopFailure::Unavailable(_))));
    fake.garbage_next(1);
    assert!(matches!(client.list_variants(None).await, Err(ShopFailure::Garbage(_))));
    assert!(matches!(client.list_variants(Some("not-a-cursor")).await, Err(ShopFailure::Refused(_))));
    assert_eq!(client.list_variants(None).await.unwrap().items.len(), 1);
}

#[tokio::test]
async fn no_request_gets_an_answer_from_a_closed_port() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let client = client(&format!("http://{closed}"));
    assert!(matches!(client.check_credentials().await, Err(ShopFailure::Unavailable(_))));
}

#[test]
fn webhooks_are_not_prestashops() {
    let client = client("http://127.0.0.1:9");
    assert_eq!(client.parse_order_webhook(Some("order.created"), b"{}"), Ok(None));
}

#[allow(clippy::disallowed_methods, reason = "the fake shop dates its orders by the system clock")]
fn now_ms() -> i64 {
    let elapsed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    i64::try_from(elapsed.as_millis()).unwrap()
}

#[tokio::test]
async fn the_five_thousand_sku_catalogue_lists_in_fifty_pages() {
    let fake = FakePrestaShop::new(KEY);
    fake.seed_catalog(5_000);
    let serving = fake.spawn().await.unwrap();
    let client = client(&serving.base_url());
    let (mut cursor, mut pages, mut skus) = (None, 0, 0);
    loop {
        let page = client.list_variants(cursor.as_deref()).await.unwrap();
        pages += 1;
        skus += page.items.len();
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    // 50 full pages, then an empty one that says the list has ended.
    assert_eq!((pages, skus), (51, 5_000));
}

#[tokio::test]
async fn a_shop_in_pesos_reads_and_writes_whole_prices() {
    let fake = FakePrestaShop::with_currency(KEY, "CLP");
    let tee = fake.add_product("TEE", "Polera", 8990, 5);
    fake.place_order(&[("TEE", 2)], "Ana Pérez");
    let serving = fake.spawn().await.unwrap();
    let mut shop_access = access(&serving.base_url(), KEY);
    shop_access.currency = "CLP".into();
    let client = PrestaShopClient::new(reqwest::Client::new(), &shop_access);
    let listed = client.list_variants(None).await.unwrap().items;
    assert_eq!(listed[0].price_minor, Some(8990));
    let item = RemoteItem { product_id: tee, variant_id: None, inventory_id: None };
    let push = PricePush { item, sku: "TEE".into(), price_minor: 9990, currency: "CLP".into() };
    client.push_prices(&[push]).await.unwrap();
    assert_eq!(fake.price_of("TEE"), Some(9990));
    let order = &client.list_orders(0, None).await.unwrap().items[0];
    assert_eq!((order.total_minor, order.currency.as_deref()), (Some(2 * 8990), Some("CLP")));
}
