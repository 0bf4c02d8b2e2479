//! What the fake Shopify shop holds: products and their variants (each with its inventory
//! item at the shop's one location), orders, the cost bucket, and the knobs a test turns.

use std::time::Instant;

/// First numeric id handed out (Shopify's ids are large integers inside GIDs).
const FIRST_ID: u64 = 8_000_000_001;
/// First order number (`#1001`, as a new Shopify store starts).
const FIRST_ORDER_NUMBER: u64 = 1001;

/// One variant with its product's fields (a simple product has one, titled "Default Title").
#[derive(Debug, Clone)]
pub struct FakeVariant {
    pub id: u64,
    pub product_id: u64,
    pub inventory_item_id: u64,
    pub product_title: String,
    pub description_html: String,
    pub title: String,
    pub sku: String,
    pub barcode: Option<String>,
    pub price_minor: i64,
    pub stock: i64,
    pub updated_at_ms: i64,
}

/// One line of an order.
#[derive(Debug, Clone)]
pub struct FakeLine {
    pub id: u64,
    pub sku: String,
    pub title: String,
    pub quantity: i64,
    pub price_minor: i64,
    pub variant_id: Option<u64>,
    pub product_id: Option<u64>,
}

/// An order, its one fulfillment order and what was done to it.
#[derive(Debug, Clone)]
pub struct FakeOrder {
    pub id: u64,
    pub number: u64,
    pub fulfillment_order_id: u64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub lines: Vec<FakeLine>,
    pub total_minor: i64,
    pub currency: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub cancelled_at_ms: Option<i64>,
    pub fulfilled: bool,
    pub tags: Vec<String>,
}

impl FakeOrder {
    /// The order's GID, the id its webhooks (`admin_graphql_api_id`) and queries share.
    pub fn gid(&self) -> String {
        format!("gid://shopify/Order/{}", self.id)
    }

    /// See [`super::FakeShopify::order_status`].
    pub fn status_word(&self) -> String {
        let tagged = |tag: &str| self.tags.iter().any(|t| t == tag);
        if self.cancelled_at_ms.is_some() {
            "cancelled".into()
        } else if tagged("refunded") {
            "refunded".into()
        } else if self.fulfilled {
            "fulfilled".into()
        } else if tagged("ready") {
            "ready".into()
        } else {
            "paid".into()
        }
    }
}

/// Shopify's leaky bucket of query cost points (<https://shopify.dev/docs/api/usage/limits>).
#[derive(Debug, Clone)]
pub struct Bucket {
    pub maximum_available: f64,
    pub restore_rate: f64,
    available: f64,
    refilled_at: Instant,
}

impl Bucket {
    /// A full bucket.
    pub fn new(maximum_available: f64, restore_rate: f64) -> Self {
        Self { maximum_available, restore_rate, available: maximum_available, refilled_at: Instant::now() }
    }

    /// Points available now (the bucket leaks back in continuously).
    pub fn currently_available(&mut self) -> f64 {
        let elapsed = self.refilled_at.elapsed().as_secs_f64();
        self.available = (self.available + elapsed * self.restore_rate).min(self.maximum_available);
        self.refilled_at = Instant::now();
        self.available
    }

    /// Takes `points` when there are that many; false (nothing taken) otherwise.
    pub fn take(&mut self, points: f64) -> bool {
        if self.currently_available() < points {
            return false;
        }
        self.available -= points;
        true
    }

    /// Gives back what a query was charged above its actual cost.
    pub fn refund(&mut self, points: f64) {
        self.available = (self.available + points).min(self.maximum_available);
    }

    pub fn drain(&mut self) {
        self.currently_available();
        self.available = 0.0;
    }
}

/// The whole shop.
pub struct ShopState {
    pub access_token: String,
    pub webhook_secret: String,
    pub currency: String,
    pub exponent: u32,
    pub variants: Vec<FakeVariant>,
    pub orders: Vec<FakeOrder>,
    pub bucket: Bucket,
    pub throttle_next: usize,
    pub fail_next: usize,
    pub garbage_next: usize,
    pub requests: Vec<String>,
    pub pushes: Vec<(String, i64)>,
    next_id: u64,
    next_order_number: u64,
    last_now_ms: i64,
}

impl ShopState {
    pub fn new(access_token: &str, webhook_secret: &str) -> Self {
        Self {
            access_token: access_token.into(),
            webhook_secret: webhook_secret.into(),
            currency: "USD".into(),
            exponent: 2,
            variants: Vec::new(),
            orders: Vec::new(),
            bucket: Bucket::new(2000.0, 100.0),
            throttle_next: 0,
            fail_next: 0,
            garbage_next: 0,
            requests: Vec::new(),
            pushes: Vec::new(),
            next_id: FIRST_ID,
            next_order_number: FIRST_ORDER_NUMBER,
            last_now_ms: 0,
        }
    }

    /// Now, Unix ms, strictly increasing so "changed since" is never ambiguous in a test.
    pub fn now_ms(&mut self) -> i64 {
        let now = wall_clock_ms().max(self.last_now_ms + 1);
        self.last_now_ms = now;
        now
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn add_product(&mut self, title: &str, variants: &[(&str, &str, Option<&str>, i64, i64)]) -> String {
        let product_id = self.next_id();
        let now = self.now_ms();
        for (variant_title, sku, barcode, price_minor, stock) in variants {
            let id = self.next_id();
            let inventory_item_id = self.next_id();
            self.variants.push(FakeVariant {
                id,
                product_id,
                inventory_item_id,
                product_title: title.into(),
                description_html: format!("<p>{title}</p>"),
                title: (*variant_title).into(),
                sku: (*sku).into(),
                barcode: barcode.map(str::to_string),
                price_minor: *price_minor,
                stock: *stock,
                updated_at_ms: now,
            });
        }
        format!("gid://shopify/Product/{product_id}")
    }

    pub fn variant_by_sku(&self, sku: &str) -> Option<&FakeVariant> {
        self.variants.iter().find(|variant| variant.sku == sku)
    }

    pub fn variant_by_sku_mut(&mut self, sku: &str) -> Option<&mut FakeVariant> {
        self.variants.iter_mut().find(|variant| variant.sku == sku)
    }

    pub fn order_by_gid(&self, gid: &str) -> Option<&FakeOrder> {
        self.orders.iter().find(|order| order.gid() == gid)
    }

    pub fn order_by_gid_mut(&mut self, gid: &str) -> Option<&mut FakeOrder> {
        self.orders.iter_mut().find(|order| order.gid() == gid)
    }

    pub fn place_order(&mut self, lines: &[(&str, i64)], customer_name: &str) -> String {
        let now = self.now_ms();
        let mut order_lines = Vec::new();
        for (sku, quantity) in lines {
            let line_id = self.next_id();
            let variant = self.variant_by_sku_mut(sku);
            let line = match variant {
                Some(variant) => {
                    variant.stock -= quantity;
                    variant.updated_at_ms = now;
                    FakeLine {
                        id: line_id,
                        sku: variant.sku.clone(),
                        title: variant.product_title.clone(),
                        quantity: *quantity,
                        price_minor: variant.price_minor,
                        variant_id: Some(variant.id),
                        product_id: Some(variant.product_id),
                    }
                }
                None => FakeLine {
                    id: line_id,
                    sku: (*sku).into(),
                    title: (*sku).into(),
                    quantity: *quantity,
                    price_minor: 0,
                    variant_id: None,
                    product_id: None,
                },
            };
            order_lines.push(line);
        }
        let total_minor = order_lines.iter().map(|line| line.price_minor * line.quantity).sum();
        let (first_name, last_name) = customer_name.split_once(' ').unwrap_or((customer_name, ""));
        let id = self.next_id();
        let fulfillment_order_id = self.next_id();
        let number = self.next_order_number;
        self.next_order_number += 1;
        let order = FakeOrder {
            id,
            number,
            fulfillment_order_id,
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: format!("customer{number}@example.com"),
            phone: Some("+56911112222".into()),
            lines: order_lines,
            total_minor,
            currency: self.currency.clone(),
            created_at_ms: now,
            updated_at_ms: now,
            cancelled_at_ms: None,
            fulfilled: false,
            tags: Vec::new(),
        };
        let gid = order.gid();
        self.orders.push(order);
        gid
    }
}

/// The fake is a shop of its own with its own clock: its order and edit times are the wall
/// clock's, as a real shop's would be (tests compare them only with each other).
#[allow(clippy::disallowed_methods, reason = "the fake shop's own clock, not the app's")]
pub fn wall_clock_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
