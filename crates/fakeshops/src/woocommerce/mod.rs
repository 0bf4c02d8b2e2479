//! A fake WooCommerce shop: the REST API v3 (`/wp-json/wc/v3/`) as documented at
//! <https://woocommerce.github.io/woocommerce-rest-api-docs/>, over state a test drives.
//!
//! What it follows, and where it is written down:
//! - Authentication (`auth`): over plain HTTP, OAuth 1.0a "one-legged" signatures in the query
//!   string (HMAC-SHA256, the consumer secret plus `&` as the key, a 15-minute timestamp window,
//!   nonces used once), as the docs' "Authentication over HTTP" section and WooCommerce's
//!   `class-wc-rest-authentication.php` do; HTTP Basic or `consumer_key`/`consumer_secret` in the
//!   query when given (the docs' "over HTTPS" way: the fake listens on loopback HTTP, so it
//!   plays the site behind a TLS terminator). Refusals are WooCommerce's 401 answers.
//! - Products and variations (`routes`, `wire`): `GET /products` with `page`/`per_page`
//!   (at most 100) and the `X-WP-Total`/`X-WP-TotalPages` headers ("Pagination" section),
//!   `include`, `sku`, `orderby`/`order`; `/products/{id}/variations`; `PUT /products/{id}`;
//!   `POST /products/batch` and `/products/{id}/variations/batch` with at most 100 items
//!   ("Batch update products"), prices as decimal strings, `global_unique_id` as the barcode.
//! - Orders: `GET /orders` with `after`, `modified_after`, `dates_are_gmt`, pages;
//!   `PUT /orders/{id}` with the documented status words.
//! - Webhooks ([`FakeWooCommerce::signed_order_webhook`]): the `X-WC-Webhook-*` headers and
//!   `X-WC-Webhook-Signature` = base64 of HMAC-SHA256 of the raw body with the webhook's
//!   secret (docs "Webhooks" section; `WC_Webhook::generate_signature`), the body being the
//!   order as the REST API shows it, JSON-encoded the way PHP's `wp_json_encode` writes it.
//! - Errors: `{"code","message","data":{"status"}}`; the throttle a test switches on answers
//!   429 with `Retry-After` seconds, as the Store API's rate limiting documents
//!   (<https://developer.woocommerce.com/docs/apis/store-api/rate-limiting>).
//!
//! Not modelled: creating or deleting through the batch endpoints, coupons, taxes, refunds,
//! restocking on cancellation, HMAC-SHA1 signatures (answered as an invalid signature method).

mod auth;
mod orders;
mod routes;
mod state;
mod update;
mod wire;

use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use state::Shop;
pub use state::{Order, OrderLine, Product, ProductType};

/// The consumer key [`standalone`] accepts.
pub const TEST_CONSUMER_KEY: &str = "ck_omnicanal_fake_key";
/// The consumer secret [`standalone`] accepts.
pub const TEST_CONSUMER_SECRET: &str = "cs_omnicanal_fake_secret";
/// The webhook secret the standalone fake signs with (`/__fake/webhook/{id}`).
pub const TEST_WEBHOOK_SECRET: &str = "omnicanal-fake-webhook-secret";

/// A fake WooCommerce shop; clones share one shop.
#[derive(Clone)]
pub struct FakeWooCommerce {
    shop: Arc<Mutex<Shop>>,
}

impl FakeWooCommerce {
    /// A shop with no products that accepts this REST API key (prices in USD, two decimals).
    pub fn new(consumer_key: &str, consumer_secret: &str) -> Self {
        Self { shop: Arc::new(Mutex::new(Shop::new(consumer_key, consumer_secret))) }
    }

    /// The same shop priced in `currency` (ISO 4217): CLP and COP without decimals, others two.
    pub fn with_currency(self, currency: &str) -> Self {
        {
            let mut shop = self.lock();
            shop.currency = currency.to_owned();
            shop.exponent = if matches!(currency, "CLP" | "COP") { 0 } else { 2 };
        }
        self
    }

    /// Serves the REST API on a loopback port.
    pub async fn spawn(&self) -> std::io::Result<crate::Serving> {
        let serving = crate::serve(routes::router(self.clone())).await?;
        // The site's home URL: what OAuth signatures are computed over (no request can arrive
        // before the caller learns the address).
        self.lock().home_url = serving.base_url();
        Ok(serving)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Shop> {
        self.shop.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a simple product with its stock managed; returns its id.
    pub fn add_product(&self, sku: &str, title: &str, price_minor: i64, stock: i64) -> String {
        self.lock().add_simple(sku, title, price_minor, stock).to_string()
    }

    /// Adds a variable product with one variation per `(sku, size, price_minor, stock)`; returns
    /// the product's id and its variations' ids.
    pub fn add_variable_product(&self, title: &str, sizes: &[(&str, &str, i64, i64)]) -> (String, Vec<String>) {
        let (parent, variations) = self.lock().add_variable(title, sizes);
        (parent.to_string(), variations.into_iter().map(|id| id.to_string()).collect())
    }

    /// Sets an item's GTIN/UPC/EAN/ISBN (`global_unique_id`, WooCommerce 9.2+).
    pub fn set_barcode(&self, sku: &str, barcode: &str) {
        let mut shop = self.lock();
        if let Some(product) = shop.by_sku_mut(sku) {
            product.global_unique_id = barcode.to_owned();
        }
    }

    /// `n` simple products `SKU-00001`… (the 5,000-SKU benchmark's catalogue).
    pub fn seed_catalog(&self, n: usize) {
        let mut shop = self.lock();
        for i in 1..=n {
            let price = 1000 + i64::try_from(i % 97).unwrap_or(0) * 100;
            shop.add_simple(&format!("SKU-{i:05}"), &format!("Product {i}"), price, 10);
        }
    }

    /// The item's stock as the shop shows it (none when it does not manage it or has no such SKU).
    pub fn stock_of(&self, sku: &str) -> Option<i64> {
        self.lock().by_sku(sku).and_then(|p| if p.manage_stock { p.stock_quantity } else { None })
    }

    /// The item's regular price, minor units.
    pub fn price_of(&self, sku: &str) -> Option<i64> {
        self.lock().by_sku(sku).and_then(|p| p.regular_price_minor)
    }

    /// The item's GTIN as the shop holds it.
    pub fn barcode_of(&self, sku: &str) -> Option<String> {
        self.lock().by_sku(sku).map(|p| p.global_unique_id.clone())
    }

    /// A shop manager changes the stock in wp-admin (its modified date moves, as WooCommerce's does).
    pub fn admin_set_stock(&self, sku: &str, quantity: i64) {
        let mut shop = self.lock();
        let now = shop.tick();
        if let Some(product) = shop.by_sku_mut(sku) {
            product.manage_stock = true;
            product.stock_quantity = Some(quantity);
            product.date_modified = now;
        }
    }

    /// A shop manager changes the regular price in wp-admin.
    pub fn admin_set_price(&self, sku: &str, price_minor: i64) {
        let mut shop = self.lock();
        let now = shop.tick();
        if let Some(product) = shop.by_sku_mut(sku) {
            product.regular_price_minor = Some(price_minor);
            product.date_modified = now;
        }
    }

    /// A shop manager changes an order's status in wp-admin.
    pub fn admin_set_order_status(&self, remote_id: &str, status: &str) {
        let mut shop = self.lock();
        let now = shop.tick();
        if let Some(order) = remote_id.parse().ok().and_then(|id: u64| shop.orders.get_mut(&id)) {
            order.status = status.to_owned();
            order.date_modified = now;
            order.updated = true;
        }
    }

    /// A customer checks out `(sku, quantity)` lines: a `processing` (paid) order, its stock
    /// taken from managed items as WooCommerce does on payment. Returns the order id.
    pub fn place_order(&self, lines: &[(&str, i64)], customer_name: &str) -> String {
        self.lock().place_order(lines, customer_name).to_string()
    }

    /// The order's status word (`processing`, `completed`…).
    pub fn order_status(&self, remote_id: &str) -> Option<String> {
        let id: u64 = remote_id.parse().ok()?;
        self.lock().orders.get(&id).map(|order| order.status.clone())
    }

    /// The order as `GET /orders/{id}` shows it.
    pub fn order_json(&self, remote_id: &str) -> Option<serde_json::Value> {
        let id: u64 = remote_id.parse().ok()?;
        let shop = self.lock();
        shop.orders.get(&id).map(|order| wire::order(&shop, order))
    }

    /// The delivery WooCommerce would POST for this order's `order.created` (never changed since)
    /// or `order.updated` webhook, signed with `secret`: its headers and raw body. An unknown
    /// order gives the body `{}`.
    pub fn signed_order_webhook(&self, remote_id: &str, secret: &str) -> (Vec<(String, String)>, Vec<u8>) {
        let shop = self.lock();
        let order = remote_id.parse().ok().and_then(|id: u64| shop.orders.get(&id));
        let event = if order.is_some_and(|o| o.updated) { "updated" } else { "created" };
        let json = order.map(|o| wire::order(&shop, o)).unwrap_or_else(|| serde_json::json!({}));
        let body = wire::php_json_encode(&json).into_bytes();
        let headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            ("User-Agent".to_owned(), "WooCommerce/9.4.0 Hookshot (WordPress/6.7.1)".to_owned()),
            ("X-WC-Webhook-Source".to_owned(), format!("{}/", shop.home_url)),
            ("X-WC-Webhook-Topic".to_owned(), format!("order.{event}")),
            ("X-WC-Webhook-Resource".to_owned(), "order".to_owned()),
            ("X-WC-Webhook-Event".to_owned(), event.to_owned()),
            ("X-WC-Webhook-Signature".to_owned(), webhook_signature(secret, &body)),
            ("X-WC-Webhook-ID".to_owned(), "1".to_owned()),
            ("X-WC-Webhook-Delivery-ID".to_owned(), format!("{}", shop.requests.len() + 1)),
        ];
        (headers, body)
    }

    /// The next `n` API requests get the rate-limit answer: 429 with `Retry-After`.
    pub fn throttle_next(&self, n: usize) {
        self.lock().throttle_next = n;
    }

    /// The `Retry-After` seconds of the rate-limit answer (5 unless set).
    pub fn set_retry_after_secs(&self, seconds: u64) {
        self.lock().retry_after_secs = seconds;
    }

    /// The next `n` API requests get a 500 (a PHP fatal error, as WordPress shows it).
    pub fn fail_next(&self, n: usize) {
        self.lock().fail_next = n;
    }

    /// The next `n` API requests get a 200 whose body is not JSON (a plugin's notice printed
    /// before the answer, a caching page).
    pub fn garbage_next(&self, n: usize) {
        self.lock().garbage_next = n;
    }

    /// Method, path and query of every API request, in order.
    pub fn requests(&self) -> Vec<String> {
        self.lock().requests.clone()
    }

    /// `(sku, stock_quantity)` of every stock write, in the order they arrived.
    pub fn pushes(&self) -> Vec<(String, i64)> {
        self.lock().pushes.clone()
    }
}

/// `X-WC-Webhook-Signature`: base64 of HMAC-SHA256 of the raw body, keyed with the secret.
pub fn webhook_signature(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The fake as `fakeshops woocommerce` runs it: the test credentials, a few demo products (a
/// variable one among them) and one order, in USD.
pub async fn standalone() -> std::io::Result<crate::Serving> {
    let fake = FakeWooCommerce::new(TEST_CONSUMER_KEY, TEST_CONSUMER_SECRET);
    fake.add_product("MUG-001", "Enamel mug", 1250, 40);
    fake.add_product("TEE-BASIC", "Basic tee", 1990, 25);
    fake.add_product("CAP-RED", "Red cap", 1500, 12);
    fake.add_variable_product(
        "Hoodie",
        &[("HOODIE-S", "S", 4500, 5), ("HOODIE-M", "M", 4500, 8), ("HOODIE-L", "L", 4700, 3)],
    );
    fake.set_barcode("MUG-001", "7801234567890");
    fake.place_order(&[("MUG-001", 2), ("HOODIE-M", 1)], "Ana Pérez");
    fake.spawn().await
}
