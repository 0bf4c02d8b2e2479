//! The fake shop's tables, shaped like PrestaShop's own (`ps_product`, `ps_product_attribute`,
//! `ps_stock_available`, `ps_orders`…), with prices kept as PrestaShop keeps them: decimals of
//! six places, here integer millionths.

use std::collections::BTreeMap;

pub(crate) struct Product {
    pub id: u64,
    pub reference: String,
    pub ean13: String,
    pub price_micros: i64,
    pub name: String,
    pub description: String,
    pub date_add: String,
    pub date_upd: String,
}

pub(crate) struct Combination {
    pub id: u64,
    pub id_product: u64,
    pub reference: String,
    pub ean13: String,
    /// The impact on the product's price, not a price of its own.
    pub price_micros: i64,
    pub size: String,
}

pub(crate) struct StockAvailable {
    pub id: u64,
    pub id_product: u64,
    pub id_product_attribute: u64,
    pub quantity: i64,
    pub depends_on_stock: String,
    pub out_of_stock: String,
    pub location: String,
}

pub(crate) struct Customer {
    pub id: u64,
    pub firstname: String,
    pub lastname: String,
    pub email: String,
}

pub(crate) struct OrderRow {
    pub id: u64,
    pub product_id: u64,
    pub product_attribute_id: u64,
    pub product_quantity: i64,
    pub product_name: String,
    pub product_reference: String,
    pub unit_price_micros: i64,
}

pub(crate) struct Order {
    pub id: u64,
    pub reference: String,
    pub current_state: u64,
    pub id_customer: u64,
    pub total_paid_micros: i64,
    pub date_add: String,
    pub date_upd: String,
    pub rows: Vec<OrderRow>,
}

pub(crate) struct OrderHistory {
    pub id: u64,
    pub id_order: u64,
    pub id_order_state: u64,
    pub date_add: String,
}

pub(crate) struct Shop {
    pub api_key: String,
    /// ISO 4217 code of currency 1, the shop's only one.
    pub currency: String,
    pub exponent: u32,
    last_id: u64,
    pub products: BTreeMap<u64, Product>,
    pub combinations: BTreeMap<u64, Combination>,
    pub stocks: BTreeMap<u64, StockAvailable>,
    pub customers: BTreeMap<u64, Customer>,
    pub orders: BTreeMap<u64, Order>,
    pub histories: BTreeMap<u64, OrderHistory>,
    pub throttle_next: usize,
    pub fail_next: usize,
    pub garbage_next: usize,
    pub requests: Vec<String>,
    pub pushes: Vec<(String, i64)>,
}

impl Shop {
    pub fn new(api_key: &str, currency: &str) -> Self {
        let currency = currency.trim().to_ascii_uppercase();
        let exponent = if currency == "CLP" || currency == "COP" { 0 } else { 2 };
        Self {
            api_key: api_key.to_owned(),
            currency,
            exponent,
            last_id: 0,
            products: BTreeMap::new(),
            combinations: BTreeMap::new(),
            stocks: BTreeMap::new(),
            customers: BTreeMap::new(),
            orders: BTreeMap::new(),
            histories: BTreeMap::new(),
            throttle_next: 0,
            fail_next: 0,
            garbage_next: 0,
            requests: Vec::new(),
            pushes: Vec::new(),
        }
    }

    /// One counter for every table: ids stay unique across them, which keeps tests honest
    /// about which id they hold.
    pub fn next_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }

    fn micros_per_minor(&self) -> i64 {
        10_i64.pow(6_u32.saturating_sub(self.exponent))
    }

    pub fn micros_from_minor(&self, minor: i64) -> i64 {
        minor * self.micros_per_minor()
    }

    pub fn minor_from_micros(&self, micros: i64) -> i64 {
        micros / self.micros_per_minor()
    }

    pub fn insert_product(&mut self, sku: &str, title: &str, price_micros: i64, description: Option<&str>) -> u64 {
        let id = self.next_id();
        let now = now_text();
        self.products.insert(
            id,
            Product {
                id,
                reference: sku.to_owned(),
                ean13: String::new(),
                price_micros,
                name: title.to_owned(),
                description: description.unwrap_or("<p>A product of the fake shop.</p>").to_owned(),
                date_add: now.clone(),
                date_upd: now,
            },
        );
        id
    }

    pub fn insert_stock(&mut self, id_product: u64, id_product_attribute: u64, quantity: i64) {
        let id = self.next_id();
        self.stocks.insert(
            id,
            StockAvailable {
                id,
                id_product,
                id_product_attribute,
                quantity,
                depends_on_stock: "0".into(),
                out_of_stock: "2".into(),
                location: String::new(),
            },
        );
    }

    /// `(product id, combination id or 0)` of a SKU.
    pub fn address_of(&self, sku: &str) -> Option<(u64, u64)> {
        if let Some(combination) = self.combinations.values().find(|c| c.reference == sku) {
            return Some((combination.id_product, combination.id));
        }
        self.products.values().find(|p| p.reference == sku).map(|p| (p.id, 0))
    }

    pub fn sku_of(&self, product: u64, combination: u64) -> String {
        if combination == 0 {
            self.products.get(&product).map(|p| p.reference.clone()).unwrap_or_default()
        } else {
            self.combinations.get(&combination).map(|c| c.reference.clone()).unwrap_or_default()
        }
    }

    pub fn display_name(&self, product: u64, combination: u64) -> String {
        let name = self.products.get(&product).map(|p| p.name.clone()).unwrap_or_default();
        match self.combinations.get(&combination) {
            Some(combo) => format!("{name} - Size : {}", combo.size),
            None => name,
        }
    }

    pub fn stock_row(&self, product: u64, combination: u64) -> Option<&StockAvailable> {
        self.stocks.values().find(|s| s.id_product == product && s.id_product_attribute == combination)
    }

    pub fn stock_row_mut(&mut self, product: u64, combination: u64) -> Option<&mut StockAvailable> {
        self.stocks.values_mut().find(|s| s.id_product == product && s.id_product_attribute == combination)
    }

    /// PrestaShop keeps the product's own row (attribute 0) as the sum of its combinations'.
    pub fn recount_product_stock(&mut self, product: u64) {
        let has_combinations = self.combinations.values().any(|c| c.id_product == product);
        if !has_combinations {
            return;
        }
        let sum = self
            .stocks
            .values()
            .filter(|s| s.id_product == product && s.id_product_attribute != 0)
            .map(|s| s.quantity)
            .sum();
        if let Some(row) = self.stock_row_mut(product, 0) {
            row.quantity = sum;
        }
    }

    pub fn touch_product(&mut self, product: u64) {
        if let Some(item) = self.products.get_mut(&product) {
            item.date_upd = now_text();
        }
    }
}

/// Nine capital letters, as PrestaShop's order references look (`XKBKNABJK`).
pub(crate) fn order_reference(id: u64) -> String {
    let mut seed = id.wrapping_mul(2_654_435_761).wrapping_add(12_345);
    (0..9)
        .map(|_| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            char::from(b'A' + u8::try_from((seed >> 33) % 26).unwrap_or(0))
        })
        .collect()
}

/// Now as PrestaShop writes dates: `YYYY-MM-DD HH:MM:SS` (the shop's time zone; UTC here).
#[allow(clippy::disallowed_methods, reason = "the shop is another system with its own clock, not the app's")]
pub(crate) fn now_text() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(0));
    datetime_text(seconds)
}

fn datetime_text(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400);
    let second_of_day = unix_seconds.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        second_of_day / 3_600,
        second_of_day % 3_600 / 60,
        second_of_day % 60
    )
}

/// `12.500000` from 12_500_000 millionths.
pub(crate) fn decimal_text(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000)
}

/// Millionths from a decimal the API was sent (`12.5`, `-3`, `12.500000`).
pub(crate) fn micros_from_text(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let (negative, digits) = raw.strip_prefix('-').map_or((false, raw), |rest| (true, rest));
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    if !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let fraction = format!("{:0<6}", fraction.get(..fraction.len().min(6))?);
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let micros = whole.checked_mul(1_000_000)?.checked_add(fraction.parse::<i64>().ok()?)?;
    Some(if negative { -micros } else { micros })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_decimals_read_as_prestashop_writes_them() {
        assert_eq!(datetime_text(0), "1970-01-01 00:00:00");
        assert_eq!(datetime_text(1_704_067_200 + 3_661), "2024-01-01 01:01:01");
        assert_eq!(decimal_text(12_500_000), "12.500000");
        assert_eq!(decimal_text(-500_000), "-0.500000");
        assert_eq!(micros_from_text("12.5"), Some(12_500_000));
        assert_eq!(micros_from_text("-3"), Some(-3_000_000));
        assert_eq!(micros_from_text("abc"), None);
        assert_eq!(order_reference(1).len(), 9);
    }
}
