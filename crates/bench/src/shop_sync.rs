//! Workloads of issue 16, shop connections: how long a sale takes to reach four connected
//! shops (`shop-sync`), and how long the first import of a 5,000-SKU shop takes
//! (`shop-import`).
//!
//! The shops are the repository's fakes (`omnicanal-fakeshops`), served from this process on
//! loopback, so the harness can read a shop's state in memory the instant it changes instead
//! of asking it over HTTP. The server reaches them because the spawned server allows
//! `127.0.0.1` outbound; its poll and drift timers come from `OMNICANAL_SHOP_POLL_MS` and
//! `OMNICANAL_SHOP_DRIFT_MS` in the harness's own environment, which the server inherits
//! (run with both at 60000 so no poll lands inside a measurement).
//!
//! `shop-sync`: one merchant, one location, `--skus` tracked SKUs; one shop of each kind holding
//! the same SKUs, each connected to the location. After every first import is done, sales are
//! made one at a time (`POST /orders`, approved card, one unit), and for each sale and shop the
//! time from the sale's 201 to the shop showing the new quantity is taken by a thread that
//! reads the four fakes every millisecond.
//!
//! `shop-import`: a shop seeded with 5,000 SKUs (`SKU-00001`…), the merchant given the same
//! SKUs by the CSV catalogue and stock imports (different stock and prices than the shop's), then
//! the connection is created and timed until the first import is over (every SKU mapped) and
//! until the shop shows our stock for all of them.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use omnicanal_fakeshops::Serving;
use omnicanal_fakeshops::magento::FakeMagento;
use omnicanal_fakeshops::prestashop::FakePrestaShop;
use omnicanal_fakeshops::shopify::FakeShopify;
use omnicanal_fakeshops::woocommerce::FakeWooCommerce;
use serde_json::{Value, json};

use crate::api::{Api, Fixture, UNIT_PRICE_CLP, http_client, order_body, setup, unique_prefix};
use crate::report::Outcome;
use crate::server::Server;
use crate::stats::{Latencies, Outcomes, Row, Summary, ms};

const WOO_KEY: &str = "ck_bench_consumer_key";
const WOO_SECRET: &str = "cs_bench_consumer_secret";
const WOO_WEBHOOK_SECRET: &str = "bench-woo-webhook-secret";
const PRESTA_KEY: &str = "BENCHPRESTASHOPWEBSERVICEKEY0001";
const MAGENTO_TOKEN: &str = "bench-magento-integration-token";
const SHOPIFY_TOKEN: &str = "shpat_bench_token";
const SHOPIFY_WEBHOOK_SECRET: &str = "bench-shopify-app-secret";
/// Shopify's cost bucket is set this large (points, and points restored per second) so its
/// throttle, which a real shop applies, does not decide the latency measured.
const SHOPIFY_BUCKET: f64 = 1_000_000.0;
/// Units the shops hold before the first import (ours differ, so the import must push).
const SHOP_STOCK_BEFORE: i64 = 3;
/// How often the watcher reads the fakes' state.
const WATCH_EVERY: Duration = Duration::from_millis(1);
/// How often the connection is read while waiting for an import.
const READ_EVERY: Duration = Duration::from_millis(20);
/// p99 issue 16 asks for: a sale in every shop within 2 s.
const P99_TARGET_MS: f64 = 2_000.0;

/// Which fake shop the first import is timed against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ShopKind {
    /// WooCommerce REST API v3.
    Woocommerce,
    /// PrestaShop Webservice.
    Prestashop,
    /// Magento 2 REST (MSI source items).
    Magento,
    /// Shopify Admin GraphQL.
    Shopify,
}

impl ShopKind {
    /// The connection's `kind` in the API.
    fn name(self) -> &'static str {
        match self {
            ShopKind::Woocommerce => "woocommerce",
            ShopKind::Prestashop => "prestashop",
            ShopKind::Magento => "magento",
            ShopKind::Shopify => "shopify",
        }
    }
}

/// One fake shop of any kind, as the harness reads and seeds it.
#[derive(Clone)]
enum Fake {
    Woo(FakeWooCommerce),
    Presta(FakePrestaShop),
    Magento(FakeMagento),
    Shopify(FakeShopify),
}

impl Fake {
    /// A shop selling in CLP where the fake can (Magento's fake sells in USD only).
    fn new(kind: ShopKind) -> Fake {
        match kind {
            ShopKind::Woocommerce => Fake::Woo(FakeWooCommerce::new(WOO_KEY, WOO_SECRET).with_currency("CLP")),
            ShopKind::Prestashop => Fake::Presta(FakePrestaShop::with_currency(PRESTA_KEY, "CLP")),
            ShopKind::Magento => Fake::Magento(FakeMagento::new(MAGENTO_TOKEN)),
            ShopKind::Shopify => {
                let shop = FakeShopify::new(SHOPIFY_TOKEN, SHOPIFY_WEBHOOK_SECRET);
                shop.set_currency("CLP", 0);
                shop.set_bucket(SHOPIFY_BUCKET, SHOPIFY_BUCKET);
                Fake::Shopify(shop)
            }
        }
    }

    fn kind(&self) -> ShopKind {
        match self {
            Fake::Woo(_) => ShopKind::Woocommerce,
            Fake::Presta(_) => ShopKind::Prestashop,
            Fake::Magento(_) => ShopKind::Magento,
            Fake::Shopify(_) => ShopKind::Shopify,
        }
    }

    /// The credentials the connection is created with.
    fn credentials(&self) -> Value {
        match self {
            Fake::Woo(_) => {
                json!({"consumer_key": WOO_KEY, "consumer_secret": WOO_SECRET, "webhook_secret": WOO_WEBHOOK_SECRET})
            }
            Fake::Presta(_) => json!({"api_key": PRESTA_KEY}),
            Fake::Magento(_) => json!({"token": MAGENTO_TOKEN}),
            Fake::Shopify(_) => json!({"access_token": SHOPIFY_TOKEN, "webhook_secret": SHOPIFY_WEBHOOK_SECRET}),
        }
    }

    async fn spawn(&self) -> Result<Serving, String> {
        let serving = match self {
            Fake::Woo(shop) => shop.spawn().await,
            Fake::Presta(shop) => shop.spawn().await,
            Fake::Magento(shop) => shop.spawn().await,
            Fake::Shopify(shop) => shop.spawn().await,
        };
        serving.map_err(|e| format!("the fake {} shop cannot listen: {e}", self.kind().name()))
    }

    fn add_product(&self, sku: &str, title: &str, price_minor: i64, stock: i64) {
        match self {
            Fake::Woo(shop) => {
                let _ = shop.add_product(sku, title, price_minor, stock);
            }
            Fake::Presta(shop) => {
                let _ = shop.add_product(sku, title, price_minor, stock);
            }
            // The fake keeps prices in hundredths (USD); a CLP shop's price must be whole pesos.
            Fake::Magento(shop) => {
                let _ = shop.add_product(sku, title, price_minor * 100, stock);
            }
            Fake::Shopify(shop) => {
                let _ = shop.add_product(sku, title, price_minor, stock);
            }
        }
    }

    fn seed_catalog(&self, n: usize) {
        match self {
            Fake::Woo(shop) => shop.seed_catalog(n),
            Fake::Presta(shop) => shop.seed_catalog(n),
            Fake::Magento(shop) => shop.seed_catalog(n),
            Fake::Shopify(shop) => shop.seed_catalog(n),
        }
    }

    fn stock_of(&self, sku: &str) -> Option<i64> {
        match self {
            Fake::Woo(shop) => shop.stock_of(sku),
            Fake::Presta(shop) => shop.stock_of(sku),
            Fake::Magento(shop) => shop.stock_of(sku),
            Fake::Shopify(shop) => shop.stock_of(sku),
        }
    }

    /// Every stock push the shop received, `(sku, quantity)` in order.
    fn pushes(&self) -> Vec<(String, i64)> {
        match self {
            Fake::Woo(shop) => shop.pushes(),
            Fake::Presta(shop) => shop.pushes(),
            Fake::Magento(shop) => shop.pushes(),
            Fake::Shopify(shop) => shop.pushes(),
        }
    }
}

/// A fake shop listening, and its connection.
struct Shop {
    fake: Fake,
    /// Kept so the shop listens until the workload ends.
    _serving: Serving,
    connection_id: String,
}

/// Creates the connection of `fake` (at `base_url`) for `merchant_id` selling `location_id`.
async fn connect(
    api: &Api,
    fake: &Fake,
    base_url: &str,
    merchant_id: &str,
    location_id: &str,
) -> Result<String, String> {
    let kind = fake.kind().name();
    let created = api
        .post(
            "/connections",
            &json!({
                "merchant_id": merchant_id,
                "kind": kind,
                "name": format!("{kind} bench shop"),
                "base_url": base_url,
                "credentials": fake.credentials(),
                "location_ids": [location_id],
            }),
        )
        .await?;
    created["id"].as_str().map(str::to_owned).ok_or_else(|| format!("connection answer without id: {created}"))
}

/// Reads connection `id` until `done` holds or `limit` passes; the last reading and when
/// `done` first held (`None` on time-out).
async fn read_until(
    api: &Api,
    id: &str,
    limit: Duration,
    done: impl Fn(&Value) -> bool,
) -> Result<(Value, Option<Instant>), String> {
    let started = Instant::now();
    loop {
        let shown = api.get(&format!("/connections/{id}")).await?;
        if done(&shown) {
            return Ok((shown, Some(Instant::now())));
        }
        if started.elapsed() > limit {
            return Ok((shown, None));
        }
        tokio::time::sleep(READ_EVERY).await;
    }
}

fn imported(shown: &Value) -> bool {
    shown["sync"]["running"] == false && shown["status"] == "active"
}

/// The timing the spawned server inherits, for the report.
fn timing_in_effect() -> String {
    let read = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| format!("{default} (default)"));
    format!(
        "poll every {} ms, drift check every {} ms",
        read("OMNICANAL_SHOP_POLL_MS", "30000"),
        read("OMNICANAL_SHOP_DRIFT_MS", "60000")
    )
}

/// Settings of the `shop-sync` workload.
#[derive(Debug, Clone)]
pub struct ShopSyncOptions {
    /// Sales made, one after another.
    pub sales: usize,
    /// SKUs the merchant and every shop hold (sales go round them).
    pub skus: usize,
    /// How long one sale may take to reach every shop before it counts as missing.
    pub limit: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// When each shop showed one sale, after its 201.
struct SaleSeen {
    /// Per shop, in the order of the shops: 201 → the shop showing it, or `None` past the limit.
    latencies: Vec<Option<Duration>>,
}

/// Runs `shop-sync` against `server`.
pub async fn run(server: &Server, options: &ShopSyncOptions) -> Result<Outcome, String> {
    let client = http_client(8, options.timeout)?;
    let api = Api::login(client.clone(), &server.base_url, &server.admin_email, &server.admin_password).await?;
    let prefix = unique_prefix("shop-sync");
    // Enough stock that no SKU runs out whatever the number of sales.
    let stock = i64::try_from(options.sales).unwrap_or(i64::MAX / 2).saturating_add(100);
    let fixture = setup(&api, &prefix, 1, options.skus.max(1), stock).await?;
    let (merchant_id, location_id) = (fixture.merchants[0].clone(), fixture.locations[0].clone());
    let kinds = [ShopKind::Woocommerce, ShopKind::Prestashop, ShopKind::Magento, ShopKind::Shopify];
    let connecting = Instant::now();
    let mut shops = Vec::new();
    for kind in kinds {
        let fake = Fake::new(kind);
        for (index, item) in fixture.items.iter().enumerate() {
            fake.add_product(&item.sku, &format!("Plato {index}"), UNIT_PRICE_CLP, SHOP_STOCK_BEFORE);
        }
        let serving = fake.spawn().await?;
        let connection_id = connect(&api, &fake, &serving.base_url(), &merchant_id, &location_id).await?;
        shops.push(Shop { fake, _serving: serving, connection_id });
    }
    let mut outcome = Outcome::default();
    // Every first import over and our stock in every shop before a sale is timed.
    for shop in &shops {
        let (shown, done) = read_until(&api, &shop.connection_id, Duration::from_secs(60), imported).await?;
        if done.is_none() {
            return Err(format!(
                "the {} shop's first import did not end within 60 s: {shown}",
                shop.fake.kind().name()
            ));
        }
    }
    let mut expected: HashMap<String, i64> = fixture.items.iter().map(|item| (item.sku.clone(), stock)).collect();
    let in_step = wait_for_stock(&shops, &expected, Duration::from_secs(30)).await;
    if !in_step {
        return Err("the shops did not show our stock within 30 s of their first imports".into());
    }
    let ready_after = connecting.elapsed();

    let cpu_before = server.cpu_seconds();
    let started = Instant::now();
    let mut outcomes = Outcomes::default();
    let mut order_latency = Latencies::new();
    let mut seen: Vec<SaleSeen> = Vec::with_capacity(options.sales);
    for sale in 0..options.sales {
        let item = &fixture.items[sale % fixture.items.len()];
        let body = order_body(&fixture.site_id, &[(item, 1)], &format!("Cliente {sale}"));
        let sent = Instant::now();
        let answer = client.post(format!("{}/api/v1/orders", server.base_url)).json(&body).send().await;
        let answered = Instant::now();
        order_latency.record(answered - sent);
        match answer {
            Ok(response) => {
                let status = response.status().as_u16();
                outcomes.status(status);
                let _ = response.bytes().await;
                if status != 201 {
                    continue;
                }
            }
            Err(error) => {
                outcomes.transport_error(&error);
                continue;
            }
        }
        let quantity = expected.get(&item.sku).copied().unwrap_or_default() - 1;
        expected.insert(item.sku.clone(), quantity);
        seen.push(watch_sale(&shops, &item.sku, quantity, answered, options.limit).await?);
    }
    let elapsed = started.elapsed();
    let server_cpu = server.cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);

    let mut per_shop: Vec<Latencies> = shops.iter().map(|_| Latencies::new()).collect();
    let mut missing = vec![0_u64; shops.len()];
    let mut all = Latencies::new();
    let mut last_shop = Latencies::new();
    for sale in &seen {
        for (index, latency) in sale.latencies.iter().enumerate() {
            match latency {
                Some(latency) => {
                    per_shop[index].record(*latency);
                    all.record(*latency);
                }
                None => missing[index] += 1,
            }
        }
        if sale.latencies.iter().all(Option::is_some)
            && let Some(slowest) = sale.latencies.iter().flatten().max()
        {
            last_shop.record(*slowest);
        }
    }
    let accepted = outcomes.count(201);
    let cpu_per_sale = server_cpu.filter(|_| accepted > 0).map(|seconds| seconds * 1_000.0 / accepted as f64);

    outcome.say(format!(
        "shop-sync ({}): {} SKUs at one location, four shops (WooCommerce, PrestaShop, Magento, Shopify; fakes in \
         this process on loopback), {}; set up and first imports in {:.1} s",
        server.backend,
        fixture.items.len(),
        timing_in_effect(),
        ready_after.as_secs_f64()
    ));
    outcome.say(format!(
        "  {} sales one at a time in {:.1} s ({}); POST /orders ms p50 {:.1} p99 {:.1}",
        outcomes.total(),
        elapsed.as_secs_f64(),
        outcomes.describe(),
        order_latency.percentile(50.0).map(ms).unwrap_or_default(),
        order_latency.percentile(99.0).map(ms).unwrap_or_default()
    ));
    let mut summaries = Vec::new();
    for (index, shop) in shops.iter().enumerate() {
        let summary = per_shop[index].summary();
        outcome.say(format!(
            "  201 → {:<11} ms p50 {:.1} p99 {:.1} max {:.1}; {} missing",
            shop.fake.kind().name(),
            summary.p50.unwrap_or_default(),
            summary.p99.unwrap_or_default(),
            summary.max.unwrap_or_default(),
            missing[index]
        ));
        summaries.push(summary);
    }
    let overall = all.summary();
    let slowest = last_shop.summary();
    outcome.say(format!(
        "  201 → any shop   ms p50 {:.1} p99 {:.1} max {:.1}; 201 → all four shops p50 {:.1} p99 {:.1} max {:.1}",
        overall.p50.unwrap_or_default(),
        overall.p99.unwrap_or_default(),
        overall.max.unwrap_or_default(),
        slowest.p50.unwrap_or_default(),
        slowest.p99.unwrap_or_default(),
        slowest.max.unwrap_or_default()
    ));
    if let (Some(per_sale), Some(seconds)) = (cpu_per_sale, server_cpu) {
        outcome.say(format!(
            "  server CPU {seconds:.2} s over the sales: {per_sale:.2} ms per sale (the order and its four pushes)"
        ));
    }

    let total_missing: u64 = missing.iter().sum();
    if total_missing > 0 {
        outcome.fail(format!(
            "shop-sync: {total_missing} (sale, shop) pairs never showed the new stock within {:?}",
            options.limit
        ));
    }
    if outcomes.count(201) != outcomes.total() {
        outcome.fail(format!("shop-sync: not every sale was accepted: {}", outcomes.describe()));
    }
    let p99 = slowest.p99.unwrap_or(f64::INFINITY);
    outcome.target(
        format!("sale → every shop p99 < {P99_TARGET_MS:.0} ms ({})", server.backend),
        p99 < P99_TARGET_MS && total_missing == 0,
        format!("p99 {p99:.1} ms, {total_missing} missing"),
    );

    let cpu_note = cpu_per_sale.map(|ms| format!("; server CPU {ms:.2} ms/sale")).unwrap_or_default();
    let mut push_row = |series: String, requests: u64, ok: u64, missing: u64, latency: Summary, notes: String| {
        outcome.rows.push(Row {
            workload: series,
            backend: server.backend.clone(),
            requests,
            ok,
            conflicts: 0,
            other_4xx: 0,
            server_errors: 0,
            transport_errors: missing,
            seconds: elapsed.as_secs_f64(),
            per_second: ok as f64 / elapsed.as_secs_f64().max(1e-9),
            latency,
            notes,
        });
    };
    let sales = seen.len() as u64;
    for (index, shop) in shops.iter().enumerate() {
        let seen_here = per_shop[index].len() as u64;
        push_row(
            format!("shop-sync: sale → {}", shop.fake.kind().name()),
            sales,
            seen_here,
            missing[index],
            summaries[index],
            "201 → the fake shows the new quantity (read every 1 ms)".into(),
        );
    }
    push_row(
        "shop-sync: sale → each shop (all samples)".into(),
        sales * shops.len() as u64,
        all.len() as u64,
        total_missing,
        overall,
        format!("{} sales one at a time{cpu_note}", outcomes.total()),
    );
    push_row(
        "shop-sync: sale → all four shops".into(),
        sales,
        last_shop.len() as u64,
        total_missing,
        slowest,
        format!("the slowest shop of each sale; p99 target < {P99_TARGET_MS:.0} ms"),
    );
    Ok(outcome)
}

/// Waits until every shop shows `expected` for every SKU; whether it did within `limit`.
async fn wait_for_stock(shops: &[Shop], expected: &HashMap<String, i64>, limit: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        let all =
            shops.iter().all(|shop| expected.iter().all(|(sku, quantity)| shop.fake.stock_of(sku) == Some(*quantity)));
        if all {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// Reads every shop's stock of `sku` each [`WATCH_EVERY`] on a thread of its own (a timer
/// finer than the async runtime's) until each shows `quantity` or `limit` passes after
/// `answered`.
async fn watch_sale(
    shops: &[Shop],
    sku: &str,
    quantity: i64,
    answered: Instant,
    limit: Duration,
) -> Result<SaleSeen, String> {
    let fakes: Vec<Fake> = shops.iter().map(|shop| shop.fake.clone()).collect();
    let sku = sku.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut latencies: Vec<Option<Duration>> = vec![None; fakes.len()];
        loop {
            let now = Instant::now();
            for (index, fake) in fakes.iter().enumerate() {
                if latencies[index].is_none() && fake.stock_of(&sku) == Some(quantity) {
                    latencies[index] = Some(now.saturating_duration_since(answered));
                }
            }
            if latencies.iter().all(Option::is_some) || now.saturating_duration_since(answered) > limit {
                return SaleSeen { latencies };
            }
            std::thread::sleep(WATCH_EVERY);
        }
    })
    .await
    .map_err(|e| format!("the shop watcher failed: {e}"))
}

/// Settings of the `shop-import` workload.
#[derive(Debug, Clone)]
pub struct ShopImportOptions {
    /// The shop's (and the merchant's) SKUs.
    pub skus: usize,
    /// Which fake shop.
    pub kind: ShopKind,
    /// How long the import and the pushes may take in all.
    pub limit: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// Runs `shop-import` against `server`.
pub async fn run_import(server: &Server, options: &ShopImportOptions) -> Result<Outcome, String> {
    let client = http_client(4, options.timeout)?;
    let api = Api::login(client.clone(), &server.base_url, &server.admin_email, &server.admin_password).await?;
    let prefix = unique_prefix("shop-import");
    let fixture = setup(&api, &prefix, 1, 0, 0).await?;
    let catalog_started = Instant::now();
    let ours = stock_the_catalog(&api, &fixture, options.skus).await?;
    let catalog_took = catalog_started.elapsed();

    let fake = Fake::new(options.kind);
    fake.seed_catalog(options.skus);
    let serving = fake.spawn().await?;
    let kind = options.kind.name();

    let cpu_before = server.cpu_seconds();
    let started = Instant::now();
    let connection_id = connect(&api, &fake, &serving.base_url(), &fixture.merchants[0], &fixture.locations[0]).await?;
    let wanted = i64::try_from(options.skus).unwrap_or(i64::MAX);
    let mapped = |shown: &Value| imported(shown) && shown["mapped_skus"].as_i64() == Some(wanted);
    let (shown, import_done) = read_until(&api, &connection_id, options.limit, mapped).await?;
    let import_cpu = server.cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    let Some(import_done) = import_done else {
        return Err(format!("the {kind} first import did not map {wanted} SKUs within {:?}: {shown}", options.limit));
    };
    let (pushed, in_step_at) = watch_pushes(&fake, &ours, started + options.limit).await?;
    let total_cpu = server.cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    let (after, _) =
        read_until(&api, &connection_id, Duration::from_secs(10), |shown| shown["queue_length"] == 0).await?;

    let mut outcome = Outcome::default();
    let import_time = import_done - started;
    outcome.say(format!(
        "shop-import ({}, {kind}): {} SKUs in the shop and in our catalogue (set up by CSV import in {:.1} s), {}",
        server.backend,
        options.skus,
        catalog_took.as_secs_f64(),
        timing_in_effect()
    ));
    outcome.say(format!(
        "  connection created → first import over ({} mapped, {} unmatched): {:.2} s; server CPU {}",
        shown["mapped_skus"],
        shown["unmatched_total"],
        import_time.as_secs_f64(),
        cpu_text(import_cpu)
    ));
    let in_step_time = in_step_at.map(|at| at - started);
    match in_step_time {
        Some(took) => outcome.say(format!(
            "  connection created → the shop shows our stock for all {}: {:.2} s ({} stock pushes seen); server CPU {}; \
             then queue_length {}, lag {} ms",
            options.skus,
            took.as_secs_f64(),
            pushed,
            cpu_text(total_cpu),
            after["queue_length"],
            after["lag_ms"]
        )),
        None => outcome.fail(format!(
            "shop-import: the {kind} shop did not show our stock for all {} SKUs within {:?} ({pushed} pushes seen, \
             queue_length {})",
            options.skus, options.limit, after["queue_length"]
        )),
    }
    let mismatched = ours.iter().filter(|(sku, quantity)| fake.stock_of(sku) != Some(**quantity)).count();
    if mismatched > 0 {
        outcome.fail(format!("shop-import: {mismatched} SKUs in the {kind} shop do not show our stock at the end"));
    }
    outcome.target(
        format!("{kind}: first import of {} SKUs, our stock in the shop < 60 s ({})", options.skus, server.backend),
        in_step_time.is_some_and(|took| took < Duration::from_secs(60)),
        in_step_time.map(|took| format!("{:.1} s", took.as_secs_f64())).unwrap_or_else(|| "not reached".into()),
    );
    let mut push_row = |series: String, took: Option<Duration>, cpu: Option<f64>| {
        let seconds = took.map(|took| took.as_secs_f64()).unwrap_or_default();
        let mut notes = format!("server CPU {}", cpu_text(cpu));
        if let Some(cpu) = cpu {
            let _ = write!(notes, " ({:.2} ms per SKU)", cpu * 1_000.0 / options.skus.max(1) as f64);
        }
        outcome.rows.push(Row {
            workload: series,
            backend: server.backend.clone(),
            requests: options.skus as u64,
            ok: if took.is_some() { options.skus as u64 } else { 0 },
            conflicts: 0,
            other_4xx: 0,
            server_errors: 0,
            transport_errors: 0,
            seconds,
            per_second: options.skus as f64 / seconds.max(1e-9),
            latency: Summary { p50: None, p90: None, p99: None, max: took.map(ms) },
            notes,
        });
    };
    push_row(format!("shop-import: {kind} {} SKUs mapped", options.skus), Some(import_time), import_cpu);
    push_row(format!("shop-import: {kind} {} SKUs our stock in the shop", options.skus), in_step_time, total_cpu);
    Ok(outcome)
}

fn cpu_text(seconds: Option<f64>) -> String {
    seconds.map(|seconds| format!("{seconds:.2} s")).unwrap_or_else(|| "–".into())
}

/// Gives the fixture's merchant `skus` products `SKU-00001`… (one variant each, the seeded
/// shops' SKUs) by the CSV catalogue import, and stocks them at its location by the CSV stock
/// import, each with a quantity the shop does not hold; our quantities by SKU.
async fn stock_the_catalog(api: &Api, fixture: &Fixture, skus: usize) -> Result<BTreeMap<String, i64>, String> {
    let merchant_id = &fixture.merchants[0];
    let location_id = &fixture.locations[0];
    let mut catalog = String::from("merchant_id,product,sku,price,currency\n");
    let mut stock = String::from("sku,location_id,on_hand\n");
    let mut ours = BTreeMap::new();
    for index in 1..=skus {
        let sku = format!("SKU-{index:05}");
        let on_hand = 20 + i64::try_from(index % 13).unwrap_or(0);
        let _ = writeln!(catalog, "{merchant_id},Producto {index},{sku},{UNIT_PRICE_CLP},CLP");
        let _ = writeln!(stock, "{sku},{location_id},{on_hand}");
        ours.insert(sku, on_hand);
    }
    for (path, body) in [("/imports/catalog", catalog), ("/imports/stock", stock)] {
        let response = api
            .client
            .post(format!("{}/api/v1{path}", api.base_url))
            .bearer_auth(&api.token)
            .header("content-type", "text/csv")
            .timeout(Duration::from_secs(600))
            .body(body)
            .send()
            .await
            .map_err(|e| format!("POST {path}: {e}"))?;
        let status = response.status();
        let report: Value = response.json().await.map_err(|e| format!("POST {path} answer: {e}"))?;
        let rejected = report["rejected"].as_array().map(Vec::len).unwrap_or_default();
        if !status.is_success() || rejected > 0 {
            return Err(format!("POST {path} → {status}: {}", truncate(&report.to_string(), 600)));
        }
    }
    Ok(ours)
}

fn truncate(text: &str, most: usize) -> &str {
    match text.char_indices().nth(most) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// Reads the shop's stock pushes every [`WATCH_EVERY`] until the latest push of every SKU is
/// our quantity (or `deadline`); how many pushes there were and when all were in step.
async fn watch_pushes(
    fake: &Fake,
    ours: &BTreeMap<String, i64>,
    deadline: Instant,
) -> Result<(usize, Option<Instant>), String> {
    let fake = fake.clone();
    let ours = ours.clone();
    tokio::task::spawn_blocking(move || {
        let mut read = 0;
        let mut latest: HashMap<String, i64> = HashMap::new();
        loop {
            let pushes = fake.pushes();
            for (sku, quantity) in pushes.iter().skip(read) {
                latest.insert(sku.clone(), *quantity);
            }
            read = pushes.len();
            let now = Instant::now();
            if ours.iter().all(|(sku, quantity)| latest.get(sku) == Some(quantity)) {
                return (read, Some(now));
            }
            if now > deadline {
                return (read, None);
            }
            std::thread::sleep(WATCH_EVERY);
        }
    })
    .await
    .map_err(|e| format!("the push watcher failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_on_a_character_boundary() {
        assert_eq!(truncate("añb", 2), "añ");
        assert_eq!(truncate("ab", 5), "ab");
    }

    #[test]
    fn every_kind_has_its_credentials() {
        for kind in [ShopKind::Woocommerce, ShopKind::Prestashop, ShopKind::Magento, ShopKind::Shopify] {
            let fake = Fake::new(kind);
            assert_eq!(fake.kind(), kind);
            assert!(fake.credentials().as_object().is_some_and(|fields| !fields.is_empty()));
        }
    }
}
