//! A fake Magento 2 / Adobe Commerce shop: its REST web API under `/rest/V1` (and the
//! store-scoped `/rest/<store code>/V1`), over state a test drives.
//!
//! What it follows, from the published docs:
//! - Token auth (<https://developer.adobe.com/commerce/webapi/get-started/authentication/gs-authentication-token/>):
//!   `Authorization: Bearer <integration access token>`; anything else answers 401 with
//!   Magento's `{"message":"The consumer isn't authorized to access %resources.","parameters":{"resources":…}}`.
//! - Search criteria and list answers (<https://developer.adobe.com/commerce/webapi/rest/use-rest/performing-searches/>),
//!   in [`search`]: `GET /V1/products`, `/V1/orders`, `/V1/inventory/source-items`.
//! - MSI source items (<https://developer.adobe.com/commerce/webapi/rest/inventory/manage-source-items/>):
//!   stock lives per `(sku, source_code)`; `POST /V1/inventory/source-items` saves a batch.
//! - Base prices (<https://developer.adobe.com/commerce/webapi/rest/modules/catalog-pricing/>):
//!   `POST /V1/products/base-prices` answers `[]` or a list of per-item errors.
//! - Orders (<https://developer.adobe.com/commerce/webapi/rest/tutorials/orders/>): configurable
//!   products sell as a parent line plus a child line; `POST /V1/orders/{id}/cancel`,
//!   `POST /V1/order/{id}/ship`, `POST /V1/order/{id}/refund`, `POST /V1/orders/{id}/comments`.
//! - Rate limiting (Adobe Commerce on cloud rate-limits at Fastly with 429,
//!   <https://experienceleague.adobe.com/en/docs/experience-cloud-kcs/kbarticles/ka-27428>):
//!   [`FakeMagento::throttle_next`] answers 429 with `Retry-After: 2` (seconds).
//!
//! Magento sends no signed webhooks in open source, so there is no webhook here: orders are polled.

mod routes;
pub mod search;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// The token [`standalone`] accepts.
pub const DEMO_TOKEN: &str = "magento-integration-token";

/// The only MSI source the fake has (the one Magento creates and assigns products to).
pub const DEFAULT_SOURCE: &str = "default";

/// The fake's currency exponent: it sells in USD.
const EXPONENT: u32 = 2;

/// One variant of a configurable product, for [`FakeMagento::add_configurable`].
#[derive(Debug, Clone)]
pub struct FakeVariant {
    pub sku: String,
    /// The option's label (a size: `M`).
    pub option: String,
    pub price_minor: i64,
    pub stock: i64,
    pub barcode: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub id: i64,
    pub sku: String,
    pub name: String,
    pub price_minor: i64,
    /// `simple` or `configurable`.
    pub type_id: String,
    pub description: Option<String>,
    pub barcode: Option<String>,
    /// The configurable parent's SKU, for a child.
    pub parent_sku: Option<String>,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub(crate) struct SourceItem {
    pub quantity: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct OrderLine {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub price_minor: i64,
    /// Sold through a configurable parent (Magento then lists a parent and a child line).
    pub parent_sku: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub entity_id: i64,
    pub increment_id: String,
    pub state: String,
    pub status: String,
    pub firstname: String,
    pub lastname: String,
    pub email: String,
    pub telephone: String,
    pub lines: Vec<OrderLine>,
    pub created_at: String,
    pub updated_at: String,
    pub comments: Vec<String>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub token: String,
    pub products: Vec<Product>,
    /// Keyed by `(sku, source_code)`.
    pub source_items: BTreeMap<(String, String), SourceItem>,
    pub orders: Vec<Order>,
    pub next_product_id: i64,
    pub throttle: usize,
    pub fail: usize,
    pub garbage: usize,
    pub requests: Vec<String>,
    pub pushes: Vec<(String, i64)>,
    /// Seconds added to the wall clock, so a test can make "later" edits without sleeping.
    pub clock_offset_s: i64,
}

impl State {
    /// The shop's clock, Unix ms: the wall clock (a real shop's own), plus what a test advanced.
    pub(crate) fn now_ms(&self) -> i64 {
        #[allow(clippy::disallowed_methods, reason = "the fake is another system: its clock is its own, not the app's")]
        let wall = std::time::SystemTime::now();
        let now_ms = wall
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        now_ms + self.clock_offset_s * 1000
    }

    pub(crate) fn now(&self) -> String {
        magento_time(self.now_ms())
    }

    pub(crate) fn product_mut(&mut self, sku: &str) -> Option<&mut Product> {
        self.products.iter_mut().find(|product| product.sku == sku)
    }

    fn insert_product(&mut self, mut product: Product, stock: Option<i64>) {
        self.next_product_id += 1;
        product.id = self.next_product_id;
        product.updated_at = self.now();
        if let Some(quantity) = stock {
            self.source_items.insert((product.sku.clone(), DEFAULT_SOURCE.into()), SourceItem { quantity });
        }
        self.products.push(product);
    }
}

/// Magento's REST date-time: UTC, `YYYY-MM-DD HH:MM:SS`.
pub fn magento_time(unix_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(unix_ms)
        .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// A fake Magento shop. Clones share one shop.
#[derive(Clone)]
pub struct FakeMagento {
    state: Arc<Mutex<State>>,
}

impl FakeMagento {
    /// A shop that accepts this integration access token.
    pub fn new(token: &str) -> Self {
        let state = State { token: token.to_owned(), ..State::default() };
        Self { state: Arc::new(Mutex::new(state)) }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Serves the shop on a loopback port.
    pub async fn spawn(&self) -> std::io::Result<crate::Serving> {
        crate::serve(routes::router(self.clone())).await
    }

    /// A simple product; its remote id is its SKU (Magento addresses products by SKU).
    pub fn add_product(&self, sku: &str, title: &str, price_minor: i64, stock: i64) -> String {
        let product = Product {
            id: 0,
            sku: sku.to_owned(),
            name: title.to_owned(),
            price_minor,
            type_id: "simple".into(),
            description: Some(format!("<p>{title}</p>")),
            barcode: None,
            parent_sku: None,
            updated_at: String::new(),
        };
        self.lock().insert_product(product, Some(stock));
        sku.to_owned()
    }

    /// A configurable product and its children, each a simple product of its own SKU named
    /// `<title>-<option>` (as Magento's admin names them). Returns the parent's SKU.
    pub fn add_configurable(&self, parent_sku: &str, title: &str, variants: &[FakeVariant]) -> String {
        let mut state = self.lock();
        let parent = Product {
            id: 0,
            sku: parent_sku.to_owned(),
            name: title.to_owned(),
            price_minor: 0,
            type_id: "configurable".into(),
            description: Some(format!("<p>{title}</p>")),
            barcode: None,
            parent_sku: None,
            updated_at: String::new(),
        };
        state.insert_product(parent, None);
        for variant in variants {
            let child = Product {
                id: 0,
                sku: variant.sku.clone(),
                name: format!("{title}-{}", variant.option),
                price_minor: variant.price_minor,
                type_id: "simple".into(),
                description: None,
                barcode: variant.barcode.clone(),
                parent_sku: Some(parent_sku.to_owned()),
                updated_at: String::new(),
            };
            state.insert_product(child, Some(variant.stock));
        }
        parent_sku.to_owned()
    }

    /// Sets a product's `barcode` custom attribute.
    pub fn set_barcode(&self, sku: &str, barcode: &str) {
        if let Some(product) = self.lock().product_mut(sku) {
            product.barcode = Some(barcode.to_owned());
        }
    }

    /// `n` simple products `SKU-00001`… (the benchmark's catalogue).
    pub fn seed_catalog(&self, n: usize) {
        for index in 1..=n {
            let sku = format!("SKU-{index:05}");
            let price_minor = 1000 + i64::try_from(index).unwrap_or(0);
            self.add_product(&sku, &format!("Product {index}"), price_minor, 10);
        }
    }

    /// The quantity at the default source.
    pub fn stock_of(&self, sku: &str) -> Option<i64> {
        self.lock().source_items.get(&(sku.to_owned(), DEFAULT_SOURCE.to_owned())).map(|item| item.quantity)
    }

    /// The base price, minor units.
    pub fn price_of(&self, sku: &str) -> Option<i64> {
        self.lock().products.iter().find(|product| product.sku == sku).map(|product| product.price_minor)
    }

    /// An edit in the shop's admin: sets the source item's quantity and bumps the product's
    /// `updated_at`.
    pub fn admin_set_stock(&self, sku: &str, quantity: i64) {
        let mut state = self.lock();
        let now = state.now();
        state.source_items.insert((sku.to_owned(), DEFAULT_SOURCE.into()), SourceItem { quantity });
        if let Some(product) = state.product_mut(sku) {
            product.updated_at = now;
        }
    }

    /// An edit in the shop's admin: sets the base price and bumps `updated_at`.
    pub fn admin_set_price(&self, sku: &str, price_minor: i64) {
        let mut state = self.lock();
        let now = state.now();
        if let Some(product) = state.product_mut(sku) {
            product.price_minor = price_minor;
            product.updated_at = now;
        }
    }

    /// The shop's clock, Unix ms (what its next `updated_at` will say).
    pub fn now_ms(&self) -> i64 {
        self.lock().now_ms()
    }

    /// Moves the shop's clock forward (its `updated_at`/`created_at` stamps), so "later" needs no sleep.
    pub fn advance_clock(&self, seconds: i64) {
        self.lock().clock_offset_s += seconds;
    }

    /// A customer's order (state `new`, status `pending`); takes the units off the default
    /// source as Magento's reservation does. Returns the order's `entity_id`.
    pub fn place_order(&self, lines: &[(&str, i64)], customer_name: &str) -> String {
        let mut state = self.lock();
        let now = state.now();
        let mut order_lines = Vec::new();
        for (sku, quantity) in lines {
            let product = state.products.iter().find(|product| product.sku == *sku).cloned();
            let (name, price_minor, parent_sku) = match product {
                Some(product) => (product.name, product.price_minor, product.parent_sku),
                None => ((*sku).to_owned(), 0, None),
            };
            if let Some(item) = state.source_items.get_mut(&((*sku).to_owned(), DEFAULT_SOURCE.to_owned())) {
                item.quantity -= quantity;
            }
            order_lines.push(OrderLine { sku: (*sku).to_owned(), name, quantity: *quantity, price_minor, parent_sku });
        }
        let entity_id = i64::try_from(state.orders.len()).unwrap_or(0) + 1;
        let (firstname, lastname) = customer_name.split_once(' ').unwrap_or((customer_name, ""));
        let email = format!("{}@example.com", firstname.to_lowercase());
        state.orders.push(Order {
            entity_id,
            increment_id: format!("{:09}", entity_id),
            state: "new".into(),
            status: "pending".into(),
            firstname: firstname.to_owned(),
            lastname: lastname.to_owned(),
            email,
            telephone: "+56 9 1234 5678".into(),
            lines: order_lines,
            created_at: now.clone(),
            updated_at: now,
            comments: Vec::new(),
        });
        entity_id.to_string()
    }

    /// The order's status word (`pending`, `canceled`, `complete`, `closed`…).
    pub fn order_status(&self, remote_id: &str) -> Option<String> {
        let state = self.lock();
        state.orders.iter().find(|order| order.entity_id.to_string() == remote_id).map(|order| order.status.clone())
    }

    /// The status-history comments added to an order.
    pub fn order_comments(&self, remote_id: &str) -> Vec<String> {
        let state = self.lock();
        state
            .orders
            .iter()
            .find(|order| order.entity_id.to_string() == remote_id)
            .map(|order| order.comments.clone())
            .unwrap_or_default()
    }

    /// The next `n` API requests answer 429 with `Retry-After`.
    pub fn throttle_next(&self, n: usize) {
        self.lock().throttle = n;
    }

    /// The next `n` API requests answer Magento's 500.
    pub fn fail_next(&self, n: usize) {
        self.lock().fail = n;
    }

    /// The next `n` API requests answer 200 with an HTML page.
    pub fn garbage_next(&self, n: usize) {
        self.lock().garbage = n;
    }

    /// `METHOD /path?query` of every request, in order.
    pub fn requests(&self) -> Vec<String> {
        self.lock().requests.clone()
    }

    /// `(sku, quantity)` of every source-item write, in order.
    pub fn pushes(&self) -> Vec<(String, i64)> {
        self.lock().pushes.clone()
    }
}

/// The fake as `fakeshops magento` runs it: a simple product, a configurable one with sizes,
/// and an order, accepting [`DEMO_TOKEN`].
pub async fn standalone() -> std::io::Result<crate::Serving> {
    let shop = FakeMagento::new(DEMO_TOKEN);
    shop.add_product("MUG-1", "Coffee mug", 1250, 20);
    let size = |sku: &str, option: &str, barcode: &str| FakeVariant {
        sku: sku.into(),
        option: option.into(),
        price_minor: 1990,
        stock: 5,
        barcode: Some(barcode.into()),
    };
    shop.add_configurable(
        "TEE",
        "T-shirt",
        &[size("TEE-S", "S", "7800000000017"), size("TEE-M", "M", "7800000000024")],
    );
    shop.place_order(&[("TEE-M", 1), ("MUG-1", 2)], "Ana Pérez");
    shop.spawn().await
}
