//! The fake's read queries, each answered in the shape of its 2025-01 reference page:
//! `productVariants` (<https://shopify.dev/docs/api/admin-graphql/2025-01/queries/productVariants>),
//! `nodes` (<https://shopify.dev/docs/api/admin-graphql/2025-01/queries/nodes>), `orders` with
//! its search syntax and `sortKey` (<https://shopify.dev/docs/api/admin-graphql/2025-01/queries/orders>),
//! and `order` (<https://shopify.dev/docs/api/admin-graphql/2025-01/queries/order>) with its
//! `lineItems` or `fulfillmentOrders`. Connections page with opaque cursors
//! (<https://shopify.dev/docs/api/usage/pagination-graphql>). Each returns its data and its
//! actual cost (objects returned, not asked for).

use base64::Engine as _;
use serde_json::{Value, json};

use super::graphql::{decimal, first_of};
use super::state::{FakeOrder, FakeVariant, ShopState};

/// A line item read with its variant, the variant's product and its price set's shop money.
pub const LINE_COST: f64 = 5.0;

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn page_info(has_next_page: bool, end_cursor: Option<&str>) -> Value {
    json!({ "hasNextPage": has_next_page, "endCursor": end_cursor, "hasPreviousPage": false, "startCursor": null })
}

fn encode_cursor(key: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(key)
}

fn decode_cursor(cursor: &Value) -> Option<String> {
    let raw = base64::engine::general_purpose::STANDARD.decode(cursor.as_str()?).ok()?;
    String::from_utf8(raw).ok()
}

pub fn variant_node(variant: &FakeVariant, exponent: u32) -> Value {
    json!({
        "id": format!("gid://shopify/ProductVariant/{}", variant.id),
        "sku": variant.sku,
        "barcode": variant.barcode,
        "title": variant.title,
        "price": decimal(variant.price_minor, exponent),
        "inventoryQuantity": variant.stock,
        "updatedAt": iso(variant.updated_at_ms),
        "product": {
            "id": format!("gid://shopify/Product/{}", variant.product_id),
            "title": variant.product_title,
            "descriptionHtml": variant.description_html,
        },
        "inventoryItem": { "id": format!("gid://shopify/InventoryItem/{}", variant.inventory_item_id) },
    })
}

pub fn product_variants(state: &ShopState, query: &str, variables: &Value) -> (Result<Value, Value>, f64) {
    let first = first_of("productVariants", query, variables).clamp(0.0, 250.0) as usize;
    let after: u64 = decode_cursor(&variables["after"]).and_then(|key| key.parse().ok()).unwrap_or(0);
    let mut sorted: Vec<&FakeVariant> = state.variants.iter().filter(|variant| variant.id > after).collect();
    sorted.sort_by_key(|variant| variant.id);
    let has_next_page = sorted.len() > first;
    sorted.truncate(first);
    let end_cursor = sorted.last().map(|variant| encode_cursor(&variant.id.to_string()));
    let nodes: Vec<Value> = sorted.iter().map(|variant| variant_node(variant, state.exponent)).collect();
    let actual = 2.0 + nodes.len() as f64 * 3.0;
    (
        Ok(
            json!({ "productVariants": { "nodes": nodes, "pageInfo": page_info(has_next_page, end_cursor.as_deref()) } }),
        ),
        actual,
    )
}

pub fn nodes(state: &ShopState, variables: &Value) -> (Result<Value, Value>, f64) {
    let ids = variables["ids"].as_array().cloned().unwrap_or_default();
    let found: Vec<Value> = ids
        .iter()
        .map(|id| {
            let variant = id
                .as_str()
                .and_then(|gid| super::graphql_numeric(gid, "ProductVariant"))
                .and_then(|id| state.variants.iter().find(|variant| variant.id == id));
            variant.map_or(Value::Null, |variant| variant_node(variant, state.exponent))
        })
        .collect();
    let actual = found.iter().filter(|node| !node.is_null()).count() as f64 * 3.0;
    (Ok(json!({ "nodes": found })), actual.max(1.0))
}

/// Reads `updated_at:>=<time>` (the time quoted or bare) from an orders search query.
/// (<https://shopify.dev/docs/api/usage/search-syntax>)
fn updated_since_ms(search: &str) -> i64 {
    let Some(at) = search.find("updated_at:>=") else { return i64::MIN };
    let value = search[at + "updated_at:>=".len()..].trim_start_matches(['\'', '"']);
    let value: String = value.chars().take_while(|c| !matches!(c, '\'' | '"' | ' ')).collect();
    chrono::DateTime::parse_from_rfc3339(&value).map_or(i64::MIN, |time| time.timestamp_millis())
}

fn money(minor: i64, state: &ShopState) -> Value {
    json!({ "shopMoney": { "amount": decimal(minor, state.exponent), "currencyCode": state.currency } })
}

/// One page of an order's line items, after the line at index `after` (cursors are indexes).
fn line_items(order: &FakeOrder, first: usize, after: usize, state: &ShopState) -> (Value, usize) {
    let lines: Vec<Value> = order
        .lines
        .iter()
        .skip(after)
        .take(first)
        .map(|line| {
            json!({
                "id": format!("gid://shopify/LineItem/{}", line.id),
                "sku": line.sku,
                "name": line.title,
                "quantity": line.quantity,
                "variant": line.variant_id.map(|id| json!({
                    "id": format!("gid://shopify/ProductVariant/{id}"),
                    "product": line.product_id.map(|product| json!({ "id": format!("gid://shopify/Product/{product}") })),
                })),
                "originalUnitPriceSet": money(line.price_minor, state),
            })
        })
        .collect();
    let returned = lines.len();
    let end = after + returned;
    let end_cursor = (returned > 0).then(|| encode_cursor(&end.to_string()));
    (json!({ "nodes": lines, "pageInfo": page_info(order.lines.len() > end, end_cursor.as_deref()) }), returned)
}

fn order_node(order: &FakeOrder, line_first: usize, state: &ShopState) -> Value {
    let (lines, _) = line_items(order, line_first, 0, state);
    json!({
        "id": order.gid(),
        "name": format!("#{}", order.number),
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": if order.fulfilled { "FULFILLED" } else { "UNFULFILLED" },
        "cancelledAt": order.cancelled_at_ms.map(iso),
        "email": order.email,
        "phone": order.phone,
        "tags": order.tags,
        "customer": { "firstName": order.first_name, "lastName": order.last_name },
        "lineItems": lines,
        "totalPriceSet": money(order.total_minor, state),
        "currencyCode": order.currency,
        "createdAt": iso(order.created_at_ms),
        "updatedAt": iso(order.updated_at_ms),
    })
}

pub fn orders(state: &ShopState, query: &str, variables: &Value) -> (Result<Value, Value>, f64) {
    let first = first_of("orders", query, variables).clamp(0.0, 250.0) as usize;
    let line_first = first_of("lineItems", query, variables).clamp(0.0, 250.0) as usize;
    // Shopify compares whole seconds: its timestamps have no fraction.
    let since_s = updated_since_ms(variables["query"].as_str().unwrap_or_default()).div_euclid(1000);
    let by_updated =
        variables["sortKey"].as_str().unwrap_or("ID") == "UPDATED_AT" || query.contains("sortKey: UPDATED_AT");
    let key =
        |order: &FakeOrder| if by_updated { (order.updated_at_ms.div_euclid(1000), order.id) } else { (0, order.id) };
    let after = decode_cursor(&variables["after"]).and_then(|cursor| {
        let (seconds, id) = cursor.split_once(':')?;
        Some((seconds.parse::<i64>().ok()?, id.parse::<u64>().ok()?))
    });
    let mut matching: Vec<&FakeOrder> = state
        .orders
        .iter()
        .filter(|order| order.updated_at_ms.div_euclid(1000) >= since_s)
        .filter(|order| after.is_none_or(|after| key(order) > after))
        .collect();
    matching.sort_by_key(|order| key(order));
    let has_next_page = matching.len() > first;
    matching.truncate(first);
    let end_cursor = matching.last().map(|order| {
        let (seconds, id) = key(order);
        encode_cursor(&format!("{seconds}:{id}"))
    });
    let nodes: Vec<Value> = matching.iter().map(|order| order_node(order, line_first, state)).collect();
    let actual =
        2.0 + matching.iter().map(|order| 6.0 + order.lines.len().min(line_first) as f64 * LINE_COST).sum::<f64>();
    (Ok(json!({ "orders": { "nodes": nodes, "pageInfo": page_info(has_next_page, end_cursor.as_deref()) } })), actual)
}

pub fn order_lines(state: &ShopState, query: &str, variables: &Value) -> (Result<Value, Value>, f64) {
    let first = first_of("lineItems", query, variables).clamp(0.0, 250.0) as usize;
    let after: usize = decode_cursor(&variables["after"]).and_then(|index| index.parse().ok()).unwrap_or(0);
    let order = variables["id"].as_str().and_then(|gid| state.order_by_gid(gid));
    let Some(order) = order else { return (Ok(json!({ "order": null })), 1.0) };
    let (lines, returned) = line_items(order, first, after, state);
    (Ok(json!({ "order": { "id": order.gid(), "lineItems": lines } })), 3.0 + returned as f64 * LINE_COST)
}

/// `order(id:) { id cancelledAt displayFulfillmentStatus }`.
pub fn order_summary(state: &ShopState, variables: &Value) -> (Result<Value, Value>, f64) {
    let order = variables["id"].as_str().and_then(|gid| state.order_by_gid(gid));
    let summary = order.map(|order| {
        json!({
            "id": order.gid(),
            "cancelledAt": order.cancelled_at_ms.map(iso),
            "displayFulfillmentStatus": if order.fulfilled { "FULFILLED" } else { "UNFULFILLED" },
        })
    });
    (Ok(json!({ "order": summary })), 1.0)
}

pub fn order_fulfillment_orders(state: &ShopState, variables: &Value) -> (Result<Value, Value>, f64) {
    let order = variables["id"].as_str().and_then(|gid| state.order_by_gid(gid));
    let Some(order) = order else { return (Ok(json!({ "order": null })), 1.0) };
    let status = match (order.cancelled_at_ms.is_some(), order.fulfilled) {
        (true, _) => "CANCELLED",
        (false, true) => "CLOSED",
        (false, false) => "OPEN",
    };
    let node =
        json!({ "id": format!("gid://shopify/FulfillmentOrder/{}", order.fulfillment_order_id), "status": status });
    (Ok(json!({ "order": { "id": order.gid(), "fulfillmentOrders": { "nodes": [node] } } })), 4.0)
}
