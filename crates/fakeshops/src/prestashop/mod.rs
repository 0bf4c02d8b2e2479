//! A fake PrestaShop 8 shop speaking the Webservice (`<site>/api/<resource>`), for tests.
//!
//! What it follows, from the published docs (<https://devdocs.prestashop-project.org/8/webservice/>):
//! - auth: the key as the HTTP Basic user with an empty password, or `?ws_key=` (getting
//!   started / "Authentication"); a wrong key gets 401 with the webservice's realm and an XML
//!   `<errors>` body;
//! - XML answers `<prestashop xmlns:xlink=…>` with CDATA values; a bare list names only ids and
//!   `xlink:href`s; `display=full` or `display=[a,b]`, `filter[field]=[a|b]` (OR), `[a,b]`
//!   (interval), `[x]` (literal), `date=1` needed to filter on dates, `sort=[field_ASC]`,
//!   `limit=offset,count` (cheat sheet, "Additional list parameters");
//! - writes as XML bodies: PUT the whole resource (to `/api/<resource>/<id>` or with the id in
//!   the body), PATCH only some fields (PrestaShop 8 lists PATCH among its methods), POST to
//!   create (`order_histories`), each answering the written resource;
//! - resources `products` (price tax excluded, `name` per language, associations
//!   `combinations` and `stock_availables`), `combinations` (price = impact on the product's),
//!   `currencies` (the one the orders are in, by `id_currency`),
//!   `stock_availables` (one per product and combination; the product's row with
//!   `id_product_attribute` 0 holds the sum when it has combinations), `orders` with
//!   `order_rows`, `customers`, `order_histories` (a new one sets the order's `current_state`);
//!   default order states 2 payment accepted, 3 processing in progress, 4 shipped,
//!   5 delivered, 6 canceled, 7 refunded.
//!
//! PrestaShop publishes no rate limit; `throttle_next` answers what a reverse proxy in front
//! of it would: 429 with `Retry-After`.

mod render;
mod routes;
mod state;

use std::sync::{Arc, Mutex, MutexGuard};

use state::{Combination, Customer, Order, OrderRow, Shop};

/// The key `standalone` accepts.
pub const DEMO_API_KEY: &str = "ZR92FNY5UFRERNI3O9Z5QDHWKTP3YIIT";

/// A fake PrestaShop: cheap to clone, every clone the same shop.
#[derive(Clone)]
pub struct FakePrestaShop {
    shop: Arc<Mutex<Shop>>,
}

/// One size of a product with combinations.
#[derive(Debug, Clone)]
pub struct FakeCombination {
    pub sku: String,
    /// The attribute value shown after the product's name (`M`).
    pub size: String,
    /// EAN-13, when it has one.
    pub barcode: Option<String>,
    pub stock: i64,
}

impl FakePrestaShop {
    /// A shop that accepts `api_key`, selling in USD.
    pub fn new(api_key: &str) -> Self {
        Self::with_currency(api_key, "USD")
    }

    /// The same, selling in `currency` (ISO 4217; CLP and COP have no decimals, the rest 2):
    /// how `price_minor` arguments and answers are read, and the `iso_code` of its currency 1.
    /// The API always writes prices with 6 decimals.
    pub fn with_currency(api_key: &str, currency: &str) -> Self {
        Self { shop: Arc::new(Mutex::new(Shop::new(api_key, currency))) }
    }

    pub async fn spawn(&self) -> std::io::Result<crate::Serving> {
        crate::serve(routes::router(self.clone())).await
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Shop> {
        self.shop.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A simple product; returns its id.
    pub fn add_product(&self, sku: &str, title: &str, price_minor: i64, stock: i64) -> String {
        let mut shop = self.lock();
        let price_micros = shop.micros_from_minor(price_minor);
        let id = shop.insert_product(sku, title, price_micros, None);
        shop.insert_stock(id, 0, stock);
        id.to_string()
    }

    /// A product with one combination per size (each its own SKU, no price impact); returns
    /// the product's id.
    pub fn add_product_with_sizes(&self, title: &str, price_minor: i64, sizes: &[FakeCombination]) -> String {
        let mut shop = self.lock();
        let price_micros = shop.micros_from_minor(price_minor);
        let id = shop.insert_product("", title, price_micros, None);
        shop.insert_stock(id, 0, 0);
        for size in sizes {
            let combination = shop.next_id();
            shop.combinations.insert(
                combination,
                Combination {
                    id: combination,
                    id_product: id,
                    reference: size.sku.clone(),
                    ean13: size.barcode.clone().unwrap_or_default(),
                    price_micros: 0,
                    size: size.size.clone(),
                },
            );
            shop.insert_stock(id, combination, size.stock);
        }
        shop.recount_product_stock(id);
        id.to_string()
    }

    /// Sets the EAN-13 of the product or combination with this SKU.
    pub fn set_barcode(&self, sku: &str, ean13: &str) {
        let mut shop = self.lock();
        if let Some(combination) = shop.combinations.values_mut().find(|c| c.reference == sku) {
            combination.ean13 = ean13.to_owned();
        } else if let Some(product) = shop.products.values_mut().find(|p| p.reference == sku) {
            product.ean13 = ean13.to_owned();
        }
    }

    /// The combination id of a SKU, when it is a combination's.
    pub fn combination_id(&self, sku: &str) -> Option<String> {
        self.lock().combinations.values().find(|c| c.reference == sku).map(|c| c.id.to_string())
    }

    /// `n` simple products `SKU-00001`… (the 5,000-SKU benchmark).
    pub fn seed_catalog(&self, n: usize) {
        for index in 1..=n {
            let minor = 1_000 + i64::try_from(index).unwrap_or(0);
            self.add_product(&format!("SKU-{index:05}"), &format!("Product {index}"), minor, 10);
        }
    }

    pub fn stock_of(&self, sku: &str) -> Option<i64> {
        let shop = self.lock();
        let (product, combination) = shop.address_of(sku)?;
        shop.stock_row(product, combination).map(|row| row.quantity)
    }

    /// The price a customer sees (tax excluded): the product's, plus the combination's impact.
    pub fn price_of(&self, sku: &str) -> Option<i64> {
        let shop = self.lock();
        let (product, combination) = shop.address_of(sku)?;
        let base = shop.products.get(&product)?.price_micros;
        let impact = shop.combinations.get(&combination).map_or(0, |c| c.price_micros);
        Some(shop.minor_from_micros(base + impact))
    }

    /// A stock edited in the back office: the row changes and the product's `date_upd` moves.
    pub fn admin_set_stock(&self, sku: &str, quantity: i64) {
        let mut shop = self.lock();
        let Some((product, combination)) = shop.address_of(sku) else { return };
        if let Some(row) = shop.stock_row_mut(product, combination) {
            row.quantity = quantity;
        }
        shop.recount_product_stock(product);
        shop.touch_product(product);
    }

    /// A price edited in the back office (a combination's as its impact on the product's).
    pub fn admin_set_price(&self, sku: &str, price_minor: i64) {
        let mut shop = self.lock();
        let Some((product, combination)) = shop.address_of(sku) else { return };
        let wanted = shop.micros_from_minor(price_minor);
        if let Some(combo) = shop.combinations.get(&combination).map(|c| c.id) {
            let base = shop.products.get(&product).map_or(0, |p| p.price_micros);
            if let Some(combo) = shop.combinations.get_mut(&combo) {
                combo.price_micros = wanted - base;
            }
        } else if let Some(item) = shop.products.get_mut(&product) {
            item.price_micros = wanted;
        }
        shop.touch_product(product);
    }

    /// A customer checks out: an order in state 2 (payment accepted), its stock taken.
    pub fn place_order(&self, lines: &[(&str, i64)], customer_name: &str) -> String {
        let mut shop = self.lock();
        let customer = shop.next_id();
        let (firstname, lastname) = customer_name.split_once(' ').unwrap_or((customer_name, ""));
        let email = format!("{}@example.com", customer_name.to_lowercase().replace(' ', "."));
        shop.customers
            .insert(customer, Customer { id: customer, firstname: firstname.into(), lastname: lastname.into(), email });
        let mut rows = Vec::new();
        for (sku, quantity) in lines {
            let Some((product, combination)) = shop.address_of(sku) else { continue };
            let base = shop.products.get(&product).map_or(0, |p| p.price_micros);
            let impact = shop.combinations.get(&combination).map_or(0, |c| c.price_micros);
            let name = shop.display_name(product, combination);
            if let Some(row) = shop.stock_row_mut(product, combination) {
                row.quantity -= quantity;
            }
            shop.recount_product_stock(product);
            rows.push(OrderRow {
                id: shop.next_id(),
                product_id: product,
                product_attribute_id: combination,
                product_quantity: *quantity,
                product_name: name,
                product_reference: (*sku).to_owned(),
                unit_price_micros: base + impact,
            });
        }
        let id = shop.next_id();
        let now = state::now_text();
        let total_micros = rows.iter().map(|row| row.unit_price_micros * row.product_quantity).sum();
        shop.orders.insert(
            id,
            Order {
                id,
                reference: state::order_reference(id),
                current_state: 2,
                id_customer: customer,
                total_paid_micros: total_micros,
                date_add: now.clone(),
                date_upd: now,
                rows,
            },
        );
        id.to_string()
    }

    /// The order's `current_state` (`2`, `4`…), PrestaShop's word for its status.
    pub fn order_status(&self, remote_id: &str) -> Option<String> {
        let id: u64 = remote_id.parse().ok()?;
        self.lock().orders.get(&id).map(|order| order.current_state.to_string())
    }

    /// The next `n` requests get 429 with `Retry-After: 2`.
    pub fn throttle_next(&self, n: usize) {
        self.lock().throttle_next = n;
    }

    /// The next `n` requests get 500.
    pub fn fail_next(&self, n: usize) {
        self.lock().fail_next = n;
    }

    /// The next `n` requests get 200 with a body that is not XML.
    pub fn garbage_next(&self, n: usize) {
        self.lock().garbage_next = n;
    }

    /// Method, path and query of every request, in order.
    pub fn requests(&self) -> Vec<String> {
        self.lock().requests.clone()
    }

    /// `(sku, quantity)` of each stock write through the API, in order.
    pub fn pushes(&self) -> Vec<(String, i64)> {
        self.lock().pushes.clone()
    }
}

/// The fake as a process runs it: a few demo products (one with sizes) and one order, the
/// key [`DEMO_API_KEY`].
pub async fn standalone() -> std::io::Result<crate::Serving> {
    let shop = FakePrestaShop::new(DEMO_API_KEY);
    shop.add_product("demo_1", "Hummingbird printed t-shirt", 2390, 12);
    shop.add_product("demo_2", "Mug The best is yet to come", 1190, 30);
    let sizes = ["S", "M", "L"].map(|size| FakeCombination {
        sku: format!("demo_3_{size}"),
        size: size.to_owned(),
        barcode: None,
        stock: 5,
    });
    shop.add_product_with_sizes("Hummingbird printed sweater", 3590, &sizes);
    shop.set_barcode("demo_1", "4006381333931");
    shop.place_order(&[("demo_2", 2)], "John Doe");
    shop.spawn().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_edit_moves_the_products_date_upd_and_the_sum_of_its_sizes() {
        let fake = FakePrestaShop::new(DEMO_API_KEY);
        let sizes = ["S", "M"].map(|size| FakeCombination {
            sku: format!("SW-{size}"),
            size: size.to_owned(),
            barcode: None,
            stock: 2,
        });
        let product: u64 = fake.add_product_with_sizes("Sweater", 3000, &sizes).parse().unwrap();
        fake.lock().products.get_mut(&product).unwrap().date_upd = "2020-01-01 00:00:00".into();
        fake.admin_set_stock("SW-M", 7);
        let shop = fake.lock();
        assert_ne!(shop.products[&product].date_upd, "2020-01-01 00:00:00");
        assert_eq!(shop.stock_row(product, 0).map(|row| row.quantity), Some(9));
        drop(shop);
        assert_eq!(fake.stock_of("SW-M"), Some(7));
        fake.admin_set_price("SW-M", 3500);
        assert_eq!((fake.price_of("SW-M"), fake.price_of("SW-S")), (Some(3500), Some(3000)));
    }
}
