//! The fake shop's data: products, variations and orders as WooCommerce stores them (one id
//! sequence for all three, as WordPress posts share one table), plus what a test switched on
//! (throttling, failures) and what it reads back (requests, stock writes).

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};

/// WooCommerce's product types the fake knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductType {
    /// `simple`.
    Simple,
    /// `variable`: sold through its variations.
    Variable,
    /// A variation of a variable product (its own resource under the product).
    Variation,
}

/// A product or a variation.
#[derive(Debug, Clone)]
pub struct Product {
    pub id: u64,
    /// The variable product of a variation; 0 for products.
    pub parent_id: u64,
    pub kind: ProductType,
    pub name: String,
    pub description: String,
    pub sku: String,
    pub global_unique_id: String,
    pub regular_price_minor: Option<i64>,
    pub sale_price_minor: Option<i64>,
    pub manage_stock: bool,
    pub stock_quantity: Option<i64>,
    /// A variation's attribute options, `(name, option)`.
    pub attributes: Vec<(String, String)>,
    /// A variable product's variation ids.
    pub variations: Vec<u64>,
    pub date_created: DateTime<Utc>,
    pub date_modified: DateTime<Utc>,
}

/// An order line.
#[derive(Debug, Clone)]
pub struct OrderLine {
    pub id: u64,
    pub name: String,
    pub product_id: u64,
    pub variation_id: u64,
    pub sku: String,
    pub quantity: i64,
    pub price_minor: i64,
}

/// An order.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    pub status: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub lines: Vec<OrderLine>,
    pub date_created: DateTime<Utc>,
    pub date_modified: DateTime<Utc>,
    /// Changed since it was placed (its webhook is `order.updated`).
    pub updated: bool,
}

/// The whole shop.
pub(crate) struct Shop {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub currency: String,
    pub exponent: u32,
    pub home_url: String,
    next_id: u64,
    pub products: BTreeMap<u64, Product>,
    pub orders: BTreeMap<u64, Order>,
    pub used_nonces: HashSet<String>,
    pub throttle_next: usize,
    pub retry_after_secs: u64,
    pub fail_next: usize,
    pub garbage_next: usize,
    pub requests: Vec<String>,
    pub pushes: Vec<(String, i64)>,
}

impl Shop {
    pub fn new(consumer_key: &str, consumer_secret: &str) -> Self {
        Self {
            consumer_key: consumer_key.to_owned(),
            consumer_secret: consumer_secret.to_owned(),
            currency: "USD".to_owned(),
            exponent: 2,
            home_url: String::new(),
            next_id: 10,
            products: BTreeMap::new(),
            orders: BTreeMap::new(),
            used_nonces: HashSet::new(),
            throttle_next: 0,
            retry_after_secs: 5,
            fail_next: 0,
            garbage_next: 0,
            requests: Vec::new(),
            pushes: Vec::new(),
        }
    }

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Now, for a modified date (WordPress keeps seconds).
    #[expect(
        clippy::disallowed_methods,
        reason = "the fake shop dates its changes by the wall clock, as WordPress does"
    )]
    pub fn tick(&mut self) -> DateTime<Utc> {
        Utc::now()
    }

    fn blank(&mut self, kind: ProductType, name: &str, sku: &str) -> Product {
        let now = self.tick();
        Product {
            id: self.next_id(),
            parent_id: 0,
            kind,
            name: name.to_owned(),
            description: String::new(),
            sku: sku.to_owned(),
            global_unique_id: String::new(),
            regular_price_minor: None,
            sale_price_minor: None,
            manage_stock: false,
            stock_quantity: None,
            attributes: Vec::new(),
            variations: Vec::new(),
            date_created: now,
            date_modified: now,
        }
    }

    pub fn add_simple(&mut self, sku: &str, title: &str, price_minor: i64, stock: i64) -> u64 {
        let mut product = self.blank(ProductType::Simple, title, sku);
        product.description = format!("<p>{title}</p>");
        product.regular_price_minor = Some(price_minor);
        product.manage_stock = true;
        product.stock_quantity = Some(stock);
        let id = product.id;
        self.products.insert(id, product);
        id
    }

    pub fn add_variable(&mut self, title: &str, sizes: &[(&str, &str, i64, i64)]) -> (u64, Vec<u64>) {
        let mut parent = self.blank(ProductType::Variable, title, "");
        parent.description = format!("<p>{title}</p>");
        let parent_id = parent.id;
        let mut ids = Vec::new();
        for (sku, size, price_minor, stock) in sizes {
            let mut variation = self.blank(ProductType::Variation, &format!("{title} - {size}"), sku);
            variation.parent_id = parent_id;
            variation.regular_price_minor = Some(*price_minor);
            variation.manage_stock = true;
            variation.stock_quantity = Some(*stock);
            variation.attributes = vec![("Size".to_owned(), (*size).to_owned())];
            ids.push(variation.id);
            self.products.insert(variation.id, variation);
        }
        parent.variations = ids.clone();
        self.products.insert(parent_id, parent);
        (parent_id, ids)
    }

    pub fn by_sku(&self, sku: &str) -> Option<&Product> {
        self.products.values().find(|p| !p.sku.is_empty() && p.sku == sku)
    }

    pub fn by_sku_mut(&mut self, sku: &str) -> Option<&mut Product> {
        self.products.values_mut().find(|p| !p.sku.is_empty() && p.sku == sku)
    }

    pub fn place_order(&mut self, lines: &[(&str, i64)], customer_name: &str) -> u64 {
        let now = self.tick();
        let id = self.next_id();
        let mut order_lines = Vec::new();
        for (sku, quantity) in lines {
            let line_id = self.next_id();
            let line = match self.by_sku_mut(sku) {
                Some(product) => {
                    if product.manage_stock {
                        product.stock_quantity = Some(product.stock_quantity.unwrap_or(0) - quantity);
                        product.date_modified = now;
                    }
                    let (product_id, variation_id) = match product.kind {
                        ProductType::Variation => (product.parent_id, product.id),
                        _ => (product.id, 0),
                    };
                    OrderLine {
                        id: line_id,
                        name: product.name.clone(),
                        product_id,
                        variation_id,
                        sku: product.sku.clone(),
                        quantity: *quantity,
                        price_minor: product.sale_price_minor.or(product.regular_price_minor).unwrap_or(0),
                    }
                }
                None => OrderLine {
                    id: line_id,
                    name: (*sku).to_owned(),
                    product_id: 0,
                    variation_id: 0,
                    sku: String::new(),
                    quantity: *quantity,
                    price_minor: 0,
                },
            };
            order_lines.push(line);
        }
        let (first_name, last_name) = customer_name.split_once(' ').unwrap_or((customer_name, ""));
        let email = format!("{}@example.com", first_name.to_lowercase());
        self.orders.insert(
            id,
            Order {
                id,
                status: "processing".to_owned(),
                first_name: first_name.to_owned(),
                last_name: last_name.to_owned(),
                email,
                phone: "+56 9 1234 5678".to_owned(),
                lines: order_lines,
                date_created: now,
                date_modified: now,
                updated: false,
            },
        );
        id
    }
}
