//! The JSON the fake answers with, in the REST API v3 schemas ("Product properties",
//! "Product variation properties", "Order properties" in the docs): prices are decimal strings,
//! dates `YYYY-MM-DDTHH:MM:SS` in the site's zone and in GMT, a line's `price` a JSON number.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::state::{Order, Product, ProductType, Shop};

/// WordPress's REST error shape: `{"code","message","data":{"status"}}`.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, axum::Json(json!({"code": code, "message": message, "data": {"status": status.as_u16()}}))).into_response()
}

/// A decimal string of minor units (`1250` → `"12.50"`).
pub fn decimal(minor: i64, exponent: u32) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10_u64.pow(exponent);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let width = exponent as usize;
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale)
}

/// Minor units of a decimal string; none for anything but digits with at most `exponent` decimals.
pub fn minor(raw: &str, exponent: u32) -> Option<i64> {
    let (whole, fraction) = raw.trim().split_once('.').unwrap_or((raw.trim(), ""));
    let fraction = fraction.trim_end_matches('0');
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if fraction.len() > exponent as usize {
        return None;
    }
    let padded = format!("{fraction:0<width$}", width = exponent as usize);
    let scale = 10_i64.checked_pow(exponent)?;
    let fraction: i64 = if padded.is_empty() { 0 } else { padded.parse().ok()? };
    whole.parse::<i64>().ok()?.checked_mul(scale)?.checked_add(fraction)
}

fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn price_string(minor: Option<i64>, exponent: u32) -> String {
    minor.map(|m| decimal(m, exponent)).unwrap_or_default()
}

fn stock_status(product: &Product) -> &'static str {
    match (product.manage_stock, product.stock_quantity) {
        (true, Some(quantity)) if quantity <= 0 => "outofstock",
        _ => "instock",
    }
}

fn permalink(shop: &Shop, product: &Product) -> String {
    format!("{}/?p={}", shop.home_url, product.id)
}

/// A product as `GET /products/{id}` shows it.
pub fn product(shop: &Shop, product: &Product) -> Value {
    let e = shop.exponent;
    let price = product.sale_price_minor.or(product.regular_price_minor);
    let kind = match product.kind {
        ProductType::Simple => "simple",
        ProductType::Variable => "variable",
        ProductType::Variation => "variation",
    };
    let attributes: Vec<Value> = if product.kind == ProductType::Variable {
        let options: Vec<String> = product
            .variations
            .iter()
            .filter_map(|id| shop.products.get(id))
            .flat_map(|v| v.attributes.iter().map(|(_, option)| option.clone()))
            .collect();
        vec![json!({"id": 0, "name": "Size", "position": 0, "visible": true, "variation": true, "options": options})]
    } else {
        Vec::new()
    };
    json!({
        "id": product.id,
        "name": product.name,
        "slug": product.name.to_lowercase().replace(' ', "-"),
        "permalink": permalink(shop, product),
        "date_created": date(product.date_created),
        "date_created_gmt": date(product.date_created),
        "date_modified": date(product.date_modified),
        "date_modified_gmt": date(product.date_modified),
        "type": kind,
        "status": "publish",
        "featured": false,
        "catalog_visibility": "visible",
        "description": product.description,
        "short_description": "",
        "sku": product.sku,
        "global_unique_id": product.global_unique_id,
        "price": price_string(price, e),
        "regular_price": price_string(product.regular_price_minor, e),
        "sale_price": price_string(product.sale_price_minor, e),
        "on_sale": product.sale_price_minor.is_some(),
        "purchasable": price.is_some(),
        "manage_stock": product.manage_stock,
        "stock_quantity": if product.manage_stock { json!(product.stock_quantity) } else { Value::Null },
        "stock_status": stock_status(product),
        "parent_id": 0,
        "categories": [],
        "tags": [],
        "images": [],
        "attributes": attributes,
        "variations": product.variations,
        "meta_data": [],
    })
}

/// A variation as `GET /products/{id}/variations/{variation_id}` shows it.
pub fn variation(shop: &Shop, variation: &Product) -> Value {
    let e = shop.exponent;
    let price = variation.sale_price_minor.or(variation.regular_price_minor);
    let attributes: Vec<Value> =
        variation.attributes.iter().map(|(name, option)| json!({"id": 0, "name": name, "option": option})).collect();
    json!({
        "id": variation.id,
        "name": variation.name,
        "date_created": date(variation.date_created),
        "date_created_gmt": date(variation.date_created),
        "date_modified": date(variation.date_modified),
        "date_modified_gmt": date(variation.date_modified),
        "description": variation.description,
        "permalink": permalink(shop, variation),
        "sku": variation.sku,
        "global_unique_id": variation.global_unique_id,
        "price": price_string(price, e),
        "regular_price": price_string(variation.regular_price_minor, e),
        "sale_price": price_string(variation.sale_price_minor, e),
        "on_sale": variation.sale_price_minor.is_some(),
        "status": "publish",
        "purchasable": price.is_some(),
        "manage_stock": variation.manage_stock,
        "stock_quantity": if variation.manage_stock { json!(variation.stock_quantity) } else { Value::Null },
        "stock_status": stock_status(variation),
        "parent_id": variation.parent_id,
        "attributes": attributes,
        "meta_data": [],
    })
}

/// A product or a variation, whichever it is.
pub fn item(shop: &Shop, item: &Product) -> Value {
    match item.kind {
        ProductType::Variation => variation(shop, item),
        _ => product(shop, item),
    }
}

/// An order as `GET /orders/{id}` shows it.
pub fn order(shop: &Shop, order: &Order) -> Value {
    let e = shop.exponent;
    let total: i64 = order.lines.iter().map(|l| l.price_minor * l.quantity).sum();
    let lines: Vec<Value> = order
        .lines
        .iter()
        .map(|line| {
            let line_total = decimal(line.price_minor * line.quantity, e);
            // `price` is a JSON number in WooCommerce's schema (total ÷ quantity).
            let price: Value = serde_json::from_str(&decimal(line.price_minor, e)).unwrap_or(Value::Null);
            json!({
                "id": line.id,
                "name": line.name,
                "product_id": line.product_id,
                "variation_id": line.variation_id,
                "quantity": line.quantity,
                "tax_class": "",
                "subtotal": line_total,
                "subtotal_tax": decimal(0, e),
                "total": line_total,
                "total_tax": decimal(0, e),
                "taxes": [],
                "meta_data": [],
                "sku": line.sku,
                "price": price,
            })
        })
        .collect();
    let address = json!({
        "first_name": order.first_name, "last_name": order.last_name, "company": "",
        "address_1": "Av. Providencia 1234", "address_2": "", "city": "Santiago", "state": "RM",
        "postcode": "7500000", "country": "CL",
    });
    let mut billing = address.clone();
    if let Some(fields) = billing.as_object_mut() {
        fields.insert("email".into(), json!(order.email));
        fields.insert("phone".into(), json!(order.phone));
    }
    json!({
        "id": order.id,
        "parent_id": 0,
        "number": order.id.to_string(),
        "order_key": format!("wc_order_{}", order.id),
        "created_via": "checkout",
        "version": "9.4.0",
        "status": order.status,
        "currency": shop.currency,
        "date_created": date(order.date_created),
        "date_created_gmt": date(order.date_created),
        "date_modified": date(order.date_modified),
        "date_modified_gmt": date(order.date_modified),
        "discount_total": decimal(0, e),
        "discount_tax": decimal(0, e),
        "shipping_total": decimal(0, e),
        "shipping_tax": decimal(0, e),
        "cart_tax": decimal(0, e),
        "total": decimal(total, e),
        "total_tax": decimal(0, e),
        "prices_include_tax": false,
        "customer_id": 0,
        "customer_note": "",
        "billing": billing,
        "shipping": address,
        "payment_method": "bacs",
        "payment_method_title": "Direct bank transfer",
        "transaction_id": "",
        "date_paid": date(order.date_created),
        "date_paid_gmt": date(order.date_created),
        "date_completed": Value::Null,
        "date_completed_gmt": Value::Null,
        "cart_hash": "",
        "meta_data": [],
        "line_items": lines,
        "tax_lines": [],
        "shipping_lines": [],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": [],
    })
}

/// JSON as PHP's `wp_json_encode` writes it by default: `/` escaped as `\/` and every non-ASCII
/// character as `\uXXXX` (UTF-16), which is what a webhook's signed body holds.
pub fn php_json_encode(value: &Value) -> String {
    let plain = value.to_string();
    let mut out = String::with_capacity(plain.len());
    for c in plain.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0_u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out
}
