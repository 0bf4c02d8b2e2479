//! A fake Shopify shop speaking the GraphQL Admin API, built from Shopify's published docs:
//!
//! - one endpoint, `POST /admin/api/2025-01/graphql.json`, authenticated by the
//!   `X-Shopify-Access-Token` header; a wrong token gets the documented 401 body
//!   `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`
//!   (<https://shopify.dev/docs/api/admin-graphql#authentication>);
//! - calculated query costs and a leaky bucket per app and shop: every answer carries
//!   `extensions.cost { requestedQueryCost, actualQueryCost, throttleStatus }`, a query whose
//!   requested cost exceeds what is left gets HTTP 200 with
//!   `errors: [{message: "Throttled", extensions: {code: "THROTTLED"}}]` and
//!   `actualQueryCost: null`, and the bucket refunds requested − actual after a query
//!   (<https://shopify.dev/docs/api/usage/limits>, bucket 2,000 points restoring 100/s as for
//!   the standard plan; [`FakeShopify::set_bucket`] makes it small for tests);
//! - the queries and mutations our client uses, answered in their documented shapes
//!   (`graphql.rs` names the doc page of each);
//! - `orders/create` and `orders/updated` webhooks: the REST order JSON, signed with
//!   `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(app secret, raw body)) beside the documented
//!   `X-Shopify-*` headers (<https://shopify.dev/docs/apps/build/webhooks/subscribe/https>).
//!
//! It has no GraphQL engine: it reads the operation's root field from the query text and its
//! arguments from `variables`, which is all a fake needs to answer the shapes the docs give.
//!
//! Test-only route (not Shopify's):
//! `GET /__fake/webhooks/orders-create?secret=<s>[&order=<gid>][&topic=orders/updated]`
//! answers `{"headers": [[name, value]...], "body": "<raw body>"}`, the webhook this shop would
//! send for that order (the newest when none named; the shop's own secret when none given;
//! topic `orders/create` unless named), so a check outside Rust (the interop suite's official
//! `@shopify/shopify-api`) can verify our signing.

mod graphql;
mod mutations;
mod queries;
mod state;
mod webhook;

use std::sync::{Arc, Mutex, MutexGuard};

pub use graphql::LOCATION_GID;
use state::ShopState;
pub use state::{Bucket, FakeLine, FakeOrder, FakeVariant};

/// The Admin API version this fake serves (one of Shopify's dated versions).
pub const API_VERSION: &str = "2025-01";
/// The access token [`standalone`] accepts.
pub const DEMO_ACCESS_TOKEN: &str = "shpat_fake_demo_token";
/// The webhook (app) secret [`standalone`] signs with.
pub const DEMO_WEBHOOK_SECRET: &str = "fake-shopify-app-secret";
/// The shop's domain as its webhooks name it.
pub const SHOP_DOMAIN: &str = "omnicanal-fake.myshopify.com";

/// A fake Shopify shop; clones share one state.
#[derive(Clone)]
pub struct FakeShopify {
    state: Arc<Mutex<ShopState>>,
}

impl FakeShopify {
    /// A shop accepting `access_token` and signing webhooks with `webhook_secret`. Prices are
    /// in USD (2 decimals) until [`FakeShopify::set_currency`].
    pub fn new(access_token: &str, webhook_secret: &str) -> Self {
        Self { state: Arc::new(Mutex::new(ShopState::new(access_token, webhook_secret))) }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, ShopState> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Serves the shop on a loopback port.
    pub async fn spawn(&self) -> std::io::Result<crate::Serving> {
        crate::serve(graphql::router(self.clone())).await
    }

    /// The shop's currency and its number of decimals (`"CLP", 0`).
    pub fn set_currency(&self, code: &str, exponent: u32) {
        let mut state = self.lock();
        state.currency = code.to_string();
        state.exponent = exponent;
    }

    /// The cost bucket's size and restore rate (points per second); it starts full.
    pub fn set_bucket(&self, maximum_available: f64, restore_rate: f64) {
        self.lock().bucket = Bucket::new(maximum_available, restore_rate);
    }

    /// A simple product (one "Default Title" variant); returns the product GID.
    pub fn add_product(&self, sku: &str, title: &str, price_minor: i64, stock: i64) -> String {
        self.add_product_with_variants(title, &[("Default Title", sku, None, price_minor, stock)])
    }

    /// A product with variants `(title, sku, barcode, price_minor, stock)`; returns the product GID.
    pub fn add_product_with_variants(&self, title: &str, variants: &[(&str, &str, Option<&str>, i64, i64)]) -> String {
        self.lock().add_product(title, variants)
    }

    /// `n` simple products `SKU-00001`.. (the 5,000-SKU benchmark).
    pub fn seed_catalog(&self, n: usize) {
        let mut state = self.lock();
        for i in 1..=n {
            let sku = format!("SKU-{i:05}");
            state.add_product(&format!("Product {i}"), &[("Default Title", &sku, None, 1000 + i as i64, 10)]);
        }
    }

    /// The variant with this SKU, as the shop holds it.
    pub fn variant(&self, sku: &str) -> Option<FakeVariant> {
        self.lock().variant_by_sku(sku).cloned()
    }

    /// Available quantity of the variant with this SKU.
    pub fn stock_of(&self, sku: &str) -> Option<i64> {
        self.variant(sku).map(|variant| variant.stock)
    }

    /// Price of the variant with this SKU, minor units.
    pub fn price_of(&self, sku: &str) -> Option<i64> {
        self.variant(sku).map(|variant| variant.price_minor)
    }

    /// A person edits the stock in Shopify's admin (bumps the variant's `updatedAt`).
    pub fn admin_set_stock(&self, sku: &str, quantity: i64) {
        let mut state = self.lock();
        let now = state.now_ms();
        if let Some(variant) = state.variant_by_sku_mut(sku) {
            variant.stock = quantity;
            variant.updated_at_ms = now;
        }
    }

    /// A person edits the price in Shopify's admin.
    pub fn admin_set_price(&self, sku: &str, price_minor: i64) {
        let mut state = self.lock();
        let now = state.now_ms();
        if let Some(variant) = state.variant_by_sku_mut(sku) {
            variant.price_minor = price_minor;
            variant.updated_at_ms = now;
        }
    }

    /// A customer checks out `(sku, quantity)` lines; the shop decrements its stock. Returns
    /// the order's GID (`gid://shopify/Order/<n>`), the id its webhooks and queries share.
    pub fn place_order(&self, lines: &[(&str, i64)], customer_name: &str) -> String {
        self.lock().place_order(lines, customer_name)
    }

    /// The order as the shop holds it.
    pub fn order(&self, remote_id: &str) -> Option<FakeOrder> {
        self.lock().order_by_gid(remote_id).cloned()
    }

    /// The order's status word: `cancelled`, `refunded` (tagged so), `fulfilled`, `ready`
    /// (tagged so) or its financial status (`paid`), in that precedence.
    pub fn order_status(&self, remote_id: &str) -> Option<String> {
        self.order(remote_id).map(|order| order.status_word())
    }

    /// The `orders/create` webhook this shop would send for the order: headers and raw body,
    /// signed with `secret` exactly as Shopify documents.
    pub fn signed_order_webhook(&self, remote_id: &str, secret: &str) -> (Vec<(String, String)>, Vec<u8>) {
        let state = self.lock();
        webhook::signed(&state, remote_id, secret, "orders/create")
    }

    /// The same for another `orders/*` topic (`orders/updated`, `orders/cancelled`…).
    pub fn signed_order_webhook_with_topic(
        &self,
        remote_id: &str,
        secret: &str,
        topic: &str,
    ) -> (Vec<(String, String)>, Vec<u8>) {
        let state = self.lock();
        webhook::signed(&state, remote_id, secret, topic)
    }

    /// The next `n` GraphQL requests are answered THROTTLED (the bucket is drained first, so
    /// the answer's `throttleStatus` is an honest one).
    pub fn throttle_next(&self, n: usize) {
        self.lock().throttle_next = n;
    }

    /// The next `n` requests get a 500.
    pub fn fail_next(&self, n: usize) {
        self.lock().fail_next = n;
    }

    /// The next `n` requests get a 200 whose body is not JSON.
    pub fn garbage_next(&self, n: usize) {
        self.lock().garbage_next = n;
    }

    /// Each request as `METHOD path?query`, then the GraphQL root field (`POST
    /// /admin/api/2025-01/graphql.json productVariants`), in order.
    pub fn requests(&self) -> Vec<String> {
        self.lock().requests.clone()
    }

    /// `(sku, quantity)` of each stock write, in the order they arrived.
    pub fn pushes(&self) -> Vec<(String, i64)> {
        self.lock().pushes.clone()
    }
}

/// The fake as a process would run it: a few demo products and an order, the demo
/// credentials, listening on loopback.
pub async fn standalone() -> std::io::Result<crate::Serving> {
    let shop = FakeShopify::new(DEMO_ACCESS_TOKEN, DEMO_WEBHOOK_SECRET);
    shop.add_product("DEMO-MUG", "Mug", 1250, 40);
    shop.add_product_with_variants(
        "T-shirt",
        &[("S", "DEMO-TEE-S", Some("7800000000011"), 1990, 5), ("M", "DEMO-TEE-M", Some("7800000000028"), 1990, 7)],
    );
    shop.place_order(&[("DEMO-MUG", 2), ("DEMO-TEE-M", 1)], "Ana Pérez");
    shop.spawn().await
}

/// `gid://shopify/<kind>/<n>` → n.
fn graphql_numeric(gid: &str, kind: &str) -> Option<u64> {
    gid.strip_prefix("gid://shopify/")?.strip_prefix(kind)?.strip_prefix('/')?.parse().ok()
}

/// A decimal price in the shop's currency → minor units.
fn graphql_minor(raw: &str, exponent: u32) -> Option<i64> {
    graphql::minor(raw, exponent)
}
