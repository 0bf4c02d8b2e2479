//! Magento's REST shapes as we read them, and their translation into the app's words. Every
//! field is optional or defaulted where Magento may leave it out, and a value we cannot read
//! becomes [`ShopFailure::Garbage`], never a panic.
//!
//! Shapes: products and orders from the REST reference
//! (<https://adobe-commerce.redoc.ly/2.4.7-admin/>), search results from
//! <https://developer.adobe.com/commerce/webapi/rest/use-rest/performing-searches/>, source items
//! from <https://developer.adobe.com/commerce/webapi/rest/inventory/manage-source-items/>.

use omnicanal_app::connections::client::{
    RemoteItem, RemoteOrder, RemoteOrderLine, RemoteVariant, ShopFailure, ShopResult,
};
use omnicanal_domain::connections::decimal::minor_from_decimal;
use serde::Deserialize;
use serde_json::Value;

/// Custom attributes that may hold a barcode: Magento has no built-in one, so shops add one of
/// these codes (the first present wins).
const BARCODE_ATTRIBUTES: [&str; 4] = ["barcode", "ean", "gtin", "upc"];

/// A `getList` answer: `{items, search_criteria, total_count}`.
#[derive(Debug, Deserialize)]
pub(super) struct SearchResults<T> {
    // Both always present in Magento's answer: a JSON body without them is not Magento's.
    pub items: Vec<T>,
    pub total_count: u64,
}

#[derive(Debug, Deserialize)]
pub(super) struct CustomAttribute {
    pub attribute_code: String,
    #[serde(default)]
    pub value: Value,
}

#[derive(Debug, Deserialize)]
pub(super) struct Product {
    pub sku: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub price: Option<Value>,
    #[serde(default)]
    pub custom_attributes: Vec<CustomAttribute>,
}

#[derive(Debug, Deserialize)]
pub(super) struct SourceItem {
    pub sku: String,
    pub source_code: String,
    #[serde(default)]
    pub quantity: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Address {
    #[serde(default)]
    pub firstname: Option<String>,
    #[serde(default)]
    pub lastname: Option<String>,
    #[serde(default)]
    pub telephone: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct OrderItem {
    #[serde(default)]
    pub item_id: Option<Value>,
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub qty_ordered: Option<Value>,
    #[serde(default)]
    pub price: Option<Value>,
    #[serde(default)]
    pub product_type: Option<String>,
    #[serde(default)]
    pub parent_item_id: Option<Value>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Order {
    pub entity_id: Value,
    #[serde(default)]
    pub increment_id: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub customer_firstname: Option<String>,
    #[serde(default)]
    pub customer_lastname: Option<String>,
    #[serde(default)]
    pub customer_email: Option<String>,
    #[serde(default)]
    pub billing_address: Option<Address>,
    #[serde(default)]
    pub items: Vec<OrderItem>,
    #[serde(default)]
    pub grand_total: Option<Value>,
    #[serde(default)]
    pub order_currency_code: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// A JSON number or numeric string as its text (Magento writes prices and quantities as
/// numbers, some versions as strings); the text then goes through the exact decimal bridge.
fn number_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) => Some(text.trim().to_owned()),
        _ => None,
    }
}

/// A price as minor units: `None` when absent or null, `Garbage` when unreadable.
pub(super) fn price_minor(value: Option<&Value>, exponent: u32) -> ShopResult<Option<i64>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(value) => number_text(value)
            .and_then(|text| minor_from_decimal(&text, exponent))
            .map(Some)
            .ok_or_else(|| ShopFailure::Garbage(format!("a price Magento wrote as {value}"))),
    }
}

/// A quantity in whole units (Magento's are floats: `2`, `2.0`, `"2.0000"`).
pub(super) fn whole_units(value: Option<&Value>) -> ShopResult<Option<i64>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(value) => number_text(value)
            .and_then(|text| minor_from_decimal(&text, 0))
            .map(Some)
            .ok_or_else(|| ShopFailure::Garbage(format!("a quantity Magento wrote as {value}"))),
    }
}

fn attribute_text(product: &Product, code: &str) -> Option<String> {
    product.custom_attributes.iter().find(|attribute| attribute.attribute_code == code).and_then(|attribute| {
        match &attribute.value {
            Value::String(text) if !text.is_empty() => Some(text.clone()),
            Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    })
}

/// A product (and its stock at `source`, when it has a source item) as a sellable variant.
pub(super) fn variant(product: Product, source: Option<(&str, i64)>, exponent: u32) -> ShopResult<RemoteVariant> {
    let price_minor = price_minor(product.price.as_ref(), exponent)?;
    let barcode = BARCODE_ATTRIBUTES.iter().find_map(|code| attribute_text(&product, code));
    let description = attribute_text(&product, "description");
    let item = RemoteItem {
        product_id: product.sku.clone(),
        variant_id: None,
        inventory_id: source.map(|(code, _)| code.to_owned()),
    };
    Ok(RemoteVariant {
        item,
        title: product.name.clone().unwrap_or_else(|| product.sku.clone()),
        sku: Some(product.sku),
        barcode,
        description,
        price_minor,
        stock: source.map(|(_, quantity)| quantity),
    })
}

/// `YYYY-MM-DD HH:MM:SS` (UTC, as Magento's REST writes dates) from Unix ms.
pub(super) fn magento_time(unix_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(unix_ms)
        .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| "1970-01-01 00:00:00".into())
}

/// Unix ms from Magento's `YYYY-MM-DD HH:MM:SS` (UTC).
pub(super) fn unix_ms(magento: &str) -> Option<i64> {
    chrono::NaiveDateTime::parse_from_str(magento.trim(), "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|at| at.and_utc().timestamp_millis())
}

fn joined_name(first: Option<&str>, last: Option<&str>) -> String {
    [first, last].into_iter().flatten().map(str::trim).filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ")
}

fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::Number(number) => Some(number.to_string()),
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        _ => None,
    }
}

/// Magento lists a configurable sale twice: the parent line (`product_type` configurable, the
/// child's SKU, the price) and the child line (`parent_item_id`, price 0). We keep the parent
/// line and drop children of configurable parents; a child of another kind of parent (a
/// bundle's parts) is what was really sold, so it stays.
fn sold_lines(items: &[OrderItem]) -> Vec<&OrderItem> {
    let configurable_parents: Vec<String> = items
        .iter()
        .filter(|item| item.product_type.as_deref() == Some("configurable"))
        .filter_map(|item| item.item_id.as_ref().and_then(id_text))
        .collect();
    items
        .iter()
        .filter(|item| {
            let parent = item.parent_item_id.as_ref().and_then(id_text);
            !parent.is_some_and(|parent| configurable_parents.contains(&parent))
        })
        .collect()
}

/// An order as the app reads it.
pub(super) fn order(order: Order, exponent: u32) -> ShopResult<RemoteOrder> {
    let remote_id =
        id_text(&order.entity_id).ok_or_else(|| ShopFailure::Garbage("an order without entity_id".into()))?;
    let billing = order.billing_address.unwrap_or_default();
    let mut customer_name = joined_name(order.customer_firstname.as_deref(), order.customer_lastname.as_deref());
    if customer_name.is_empty() {
        // Guests' names are only on their addresses.
        customer_name = joined_name(billing.firstname.as_deref(), billing.lastname.as_deref());
    }
    let mut lines = Vec::new();
    for item in sold_lines(&order.items) {
        let sku = item.sku.clone().filter(|sku| !sku.is_empty());
        lines.push(RemoteOrderLine {
            item: sku.clone().map(|sku| RemoteItem { product_id: sku, ..RemoteItem::default() }),
            title: item.name.clone().or_else(|| sku.clone()).unwrap_or_default(),
            sku,
            quantity: whole_units(item.qty_ordered.as_ref())?.unwrap_or(0),
            unit_price_minor: price_minor(item.price.as_ref(), exponent)?,
        });
    }
    Ok(RemoteOrder {
        remote_id,
        number: order.increment_id,
        status: order.status.or(order.state).unwrap_or_default(),
        customer_name,
        customer_email: order.customer_email,
        customer_phone: billing.telephone,
        lines,
        total_minor: price_minor(order.grand_total.as_ref(), exponent)?,
        currency: order.order_currency_code,
        created_at_ms: order.created_at.as_deref().and_then(unix_ms),
    })
}

/// Magento's error text with its `%name` / `%1` placeholders filled from `parameters`.
pub(super) fn error_message(body: &[u8]) -> Option<String> {
    let error: Value = serde_json::from_slice(body).ok()?;
    let mut message = error.get("message")?.as_str()?.to_owned();
    match error.get("parameters") {
        Some(Value::Object(named)) => {
            for (name, value) in named {
                message = message.replace(&format!("%{name}"), &id_text(value).unwrap_or_default());
            }
        }
        Some(Value::Array(positional)) => {
            for (index, value) in positional.iter().enumerate().rev() {
                message = message.replace(&format!("%{}", index + 1), &id_text(value).unwrap_or_default());
            }
        }
        _ => {}
    }
    Some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_by_name_and_by_position() {
        let named = br#"{"message":"The consumer isn't authorized to access %resources.","parameters":{"resources":"Magento_Sales::sales"}}"#;
        assert_eq!(
            error_message(named).as_deref(),
            Some("The consumer isn't authorized to access Magento_Sales::sales.")
        );
        let positional = br#"{"message":"%1 of %10","parameters":["a","b","c","d","e","f","g","h","i","j"]}"#;
        assert_eq!(error_message(positional).as_deref(), Some("a of j"));
        assert_eq!(error_message(b"<html>"), None);
    }

    #[test]
    fn a_body_without_items_and_total_count_is_not_a_search_result() {
        assert!(serde_json::from_slice::<SearchResults<Product>>(b"{}").is_err());
    }

    #[test]
    fn only_children_of_configurable_parents_are_dropped() {
        let order: Order = serde_json::from_value(serde_json::json!({
            "entity_id": 7,
            "items": [
                {"item_id": 1, "sku": "TEE-M", "product_type": "configurable", "qty_ordered": 1.0, "price": 19.9},
                {"item_id": 2, "sku": "TEE-M", "product_type": "simple", "qty_ordered": 1.0, "price": 0, "parent_item_id": 1},
                {"item_id": 3, "sku": "KIT", "product_type": "bundle", "qty_ordered": 1.0, "price": 30},
                {"item_id": 4, "sku": "KIT-PART", "product_type": "simple", "qty_ordered": "2.0000", "price": 0, "parent_item_id": 3},
            ],
            "grand_total": 49.9,
        }))
        .expect("an order");
        let read = super::order(order, 2).expect("read");
        let lines: Vec<_> = read
            .lines
            .iter()
            .map(|line| (line.sku.clone().unwrap_or_default(), line.quantity, line.unit_price_minor))
            .collect();
        assert_eq!(
            lines,
            [("TEE-M".into(), 1, Some(1990)), ("KIT".into(), 1, Some(3000)), ("KIT-PART".into(), 2, Some(0))]
        );
        assert_eq!((read.remote_id.as_str(), read.total_minor), ("7", Some(4990)));
    }

    #[test]
    fn a_price_with_more_decimals_than_the_currency_is_garbage() {
        let price = serde_json::json!(12.345);
        assert!(matches!(price_minor(Some(&price), 2), Err(ShopFailure::Garbage(_))));
        assert_eq!(price_minor(Some(&serde_json::json!("8990.0000")), 0), Ok(Some(8990)));
    }

    #[test]
    fn magento_times_round_trip_in_utc() {
        assert_eq!(magento_time(1_700_000_000_000), "2023-11-14 22:13:20");
        assert_eq!(unix_ms("2023-11-14 22:13:20"), Some(1_700_000_000_000));
    }
}
