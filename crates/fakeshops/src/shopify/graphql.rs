//! The fake's one GraphQL endpoint and its test-only webhook route: auth, the knobs a test
//! turns (throttle, 500, garbage), the cost bucket, and one answer per root field, each in the
//! shape of its page in the 2025-01 reference (<https://shopify.dev/docs/api/admin-graphql/2025-01>):
//! `shop`, `locations`, `productVariants`, `nodes`, `orders`, `order { fulfillmentOrders }`,
//! `inventorySetQuantities`, `productVariantsBulkUpdate`, `orderCancel`, `fulfillmentCreate`
//! and `tagsAdd`.
//!
//! Costs follow the documented rules loosely (an object costs 1, a connection 2 plus `first`
//! times its node, a mutation 10, a single query may not request more than 1,000) — close
//! enough that a client which overspends or never paces meets the same answers as in Shopify.
//! Input arrays longer than 250 are refused, as <https://shopify.dev/docs/api/usage/limits#input-limits>
//! says every API does (the error code is ours: the page names none).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::state::{FakeOrder, ShopState};
use super::{FakeShopify, queries};

/// The shop's one location (inventory lives at a location).
pub const LOCATION_GID: &str = "gid://shopify/Location/1";
/// The most a single query may request (<https://shopify.dev/docs/api/usage/limits#cost-calculation>).
const SINGLE_QUERY_MAX_COST: f64 = 1000.0;
const MUTATION_COST: f64 = 10.0;
/// The most items an input array may hold (<https://shopify.dev/docs/api/usage/limits#input-limits>).
pub const MAX_INPUT_ARRAY: usize = 250;
const INVALID_TOKEN: &str = "[API] Invalid API key or access token (unrecognized login or wrong password)";

pub fn router(shop: FakeShopify) -> Router {
    Router::new()
        .route(&format!("/admin/api/{}/graphql.json", super::API_VERSION), post(graphql))
        .route("/__fake/webhooks/orders-create", get(webhook_preview))
        .with_state(shop)
}

/// `1250, 2` → `"12.50"`.
pub fn decimal(minor: i64, exponent: u32) -> String {
    if exponent == 0 {
        return minor.to_string();
    }
    let scale = 10_u64.pow(exponent);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = exponent as usize)
}

/// `"12.5", 2` → 1250; none for anything but digits and one dot, or too many decimals.
pub fn minor(raw: &str, exponent: u32) -> Option<i64> {
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    let fraction = fraction.trim_end_matches('0');
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if fraction.len() > exponent as usize {
        return None;
    }
    let padded = format!("{fraction:0<width$}", width = exponent as usize);
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = if padded.is_empty() { 0 } else { padded.parse().ok()? };
    whole.checked_mul(10_i64.pow(exponent))?.checked_add(fraction)
}

async fn webhook_preview(State(shop): State<FakeShopify>, Query(params): Query<Vec<(String, String)>>) -> Response {
    let param = |name: &str| params.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone());
    let state = shop.lock();
    let Some(order) = param("order").or_else(|| state.orders.last().map(FakeOrder::gid)) else {
        return (StatusCode::NOT_FOUND, "the fake shop has no order").into_response();
    };
    let secret = param("secret").unwrap_or_else(|| state.webhook_secret.clone());
    let topic = param("topic").unwrap_or_else(|| "orders/create".into());
    let (headers, body) = super::webhook::signed(&state, &order, &secret, &topic);
    let body = String::from_utf8_lossy(&body).into_owned();
    axum::Json(json!({ "headers": headers, "body": body })).into_response()
}

async fn graphql(
    State(shop): State<FakeShopify>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = shop.lock();
    let request: Option<Value> = serde_json::from_slice(&body).ok();
    let query = request.as_ref().and_then(|r| r["query"].as_str()).unwrap_or_default().to_string();
    let variables = request.as_ref().map(|r| r["variables"].clone()).unwrap_or(Value::Null);
    let root = root_field(&query).unwrap_or_default();
    state.requests.push(format!("{method} {uri} {root}").trim_end().to_string());

    if state.fail_next > 0 {
        state.fail_next -= 1;
        return (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(json!({"errors": "Internal Server Error"})))
            .into_response();
    }
    if state.garbage_next > 0 {
        state.garbage_next -= 1;
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html")],
            "<html><body>Shopify is down for maintenance</body></html>",
        )
            .into_response();
    }
    let token = headers.get("X-Shopify-Access-Token").and_then(|value| value.to_str().ok());
    if token != Some(state.access_token.as_str()) {
        return (StatusCode::UNAUTHORIZED, axum::Json(json!({ "errors": INVALID_TOKEN }))).into_response();
    }
    if request.is_none() || query.is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"errors": {"query": "Required parameter missing or invalid"}})),
        )
            .into_response();
    }

    if let Some(error) = oversized_input(&variables) {
        return answer(&mut state, json!({ "errors": [error] }), 0.0, None);
    }
    let requested = requested_cost(&root, &query, &variables);
    if requested > SINGLE_QUERY_MAX_COST {
        let message = format!(
            "Query cost is {requested}, which exceeds the single query max cost limit ({SINGLE_QUERY_MAX_COST})."
        );
        let errors = json!([{ "message": message, "extensions": { "code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": SINGLE_QUERY_MAX_COST } }]);
        return answer(&mut state, json!({ "errors": errors }), requested, None);
    }
    if state.throttle_next > 0 {
        state.throttle_next -= 1;
        state.bucket.drain();
    }
    if !state.bucket.take(requested) {
        let errors = json!([{ "message": "Throttled", "extensions": { "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits" } }]);
        return answer(&mut state, json!({ "errors": errors }), requested, None);
    }
    let (data, actual) = execute(&mut state, &root, &query, &variables);
    state.bucket.refund((requested - actual).max(0.0));
    let body = match data {
        Ok(data) => json!({ "data": data }),
        Err(errors) => json!({ "errors": errors }),
    };
    answer(&mut state, body, requested, Some(actual))
}

/// The documented refusal of an input array longer than 250 (ids, quantities, variants…),
/// looked for anywhere in the variables.
fn oversized_input(variables: &Value) -> Option<Value> {
    let too_long = |value: &Value| value.as_array().map(Vec::len).filter(|len| *len > MAX_INPUT_ARRAY);
    let mut pending = vec![variables];
    while let Some(value) = pending.pop() {
        if let Some(len) = too_long(value) {
            let message =
                format!("The input array size of {len} is greater than the maximum allowed of {MAX_INPUT_ARRAY}.");
            return Some(json!({ "message": message, "extensions": { "code": "MAX_INPUT_SIZE_EXCEEDED" } }));
        }
        match value {
            Value::Array(items) => pending.extend(items),
            Value::Object(fields) => pending.extend(fields.values()),
            _ => {}
        }
    }
    None
}

/// Adds `extensions.cost` to the body, as every Admin API answer carries it.
fn answer(state: &mut ShopState, mut body: Value, requested: f64, actual: Option<f64>) -> Response {
    let currently_available = state.bucket.currently_available().floor();
    body["extensions"] = json!({ "cost": {
        "requestedQueryCost": requested,
        "actualQueryCost": actual,
        "throttleStatus": {
            "maximumAvailable": state.bucket.maximum_available,
            "currentlyAvailable": currently_available,
            "restoreRate": state.bucket.restore_rate,
        },
    }});
    axum::Json(body).into_response()
}

/// The first field inside the operation's selection set (`productVariants` in
/// `query Page($after: String) { productVariants(first: 250) { ... } }`).
fn root_field(query: &str) -> Option<String> {
    let after_brace = &query[query.find('{')? + 1..];
    let name: String =
        after_brace.trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    (!name.is_empty()).then_some(name)
}

/// The value of `first:` in `field(...)`: a literal or a `$variable`.
pub(super) fn first_of(field: &str, query: &str, variables: &Value) -> f64 {
    let Some(start) = query.find(&format!("{field}(")) else { return 0.0 };
    let arguments = &query[start..];
    let arguments = &arguments[..arguments.find(')').unwrap_or(arguments.len())];
    let Some(at) = arguments.find("first:") else { return 0.0 };
    let value = arguments[at + "first:".len()..].trim_start();
    let token: String = value.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '$' || *c == '_').collect();
    match token.strip_prefix('$') {
        Some(name) => variables[name].as_f64().unwrap_or(0.0),
        None => token.parse().unwrap_or(0.0),
    }
}

fn requested_cost(root: &str, query: &str, variables: &Value) -> f64 {
    match root {
        "productVariants" => 2.0 + first_of("productVariants", query, variables) * 3.0,
        "nodes" => variables["ids"].as_array().map_or(1.0, |ids| ids.len() as f64 * 3.0).max(1.0),
        // An order with its customer and total (4 objects) and its lines, each with its
        // variant, the variant's product and a price set with its shop money (5 objects).
        "orders" => {
            let lines = 2.0 + first_of("lineItems", query, variables) * queries::LINE_COST;
            2.0 + first_of("orders", query, variables) * (4.0 + lines)
        }
        "order" if query.contains("lineItems(") => {
            1.0 + 2.0 + first_of("lineItems", query, variables) * queries::LINE_COST
        }
        "order" if query.contains("fulfillmentOrders(") => 1.0 + 2.0 + first_of("fulfillmentOrders", query, variables),
        "locations" => 2.0 + first_of("locations", query, variables),
        "shop" => 1.0,
        _ if query.trim_start().starts_with("mutation") => MUTATION_COST,
        _ => 1.0,
    }
}

/// Runs one operation: its `data` (or top-level `errors`) and its actual cost.
fn execute(state: &mut ShopState, root: &str, query: &str, variables: &Value) -> (Result<Value, Value>, f64) {
    match root {
        "shop" => (
            Ok(
                json!({ "shop": { "name": "Omnicanal fake", "myshopifyDomain": super::SHOP_DOMAIN, "currencyCode": state.currency } }),
            ),
            1.0,
        ),
        "locations" => (
            Ok(
                json!({ "locations": { "nodes": [{ "id": LOCATION_GID, "name": "Shop location" }], "pageInfo": queries::page_info(false, Some("MQ==")) } }),
            ),
            3.0,
        ),
        "productVariants" => queries::product_variants(state, query, variables),
        "nodes" => queries::nodes(state, variables),
        "orders" => queries::orders(state, query, variables),
        "order" if query.contains("lineItems(") => queries::order_lines(state, query, variables),
        "order" if query.contains("fulfillmentOrders(") => queries::order_fulfillment_orders(state, variables),
        "order" => queries::order_summary(state, variables),
        "inventorySetQuantities" => {
            (Ok(json!({ root: super::mutations::inventory_set_quantities(state, &variables["input"]) })), MUTATION_COST)
        }
        "productVariantsBulkUpdate" => {
            (Ok(json!({ root: super::mutations::product_variants_bulk_update(state, variables) })), MUTATION_COST)
        }
        "orderCancel" => (Ok(json!({ root: super::mutations::order_cancel(state, variables) })), MUTATION_COST),
        "fulfillmentCreate" => {
            (Ok(json!({ root: super::mutations::fulfillment_create(state, &variables["fulfillment"]) })), MUTATION_COST)
        }
        "tagsAdd" => (Ok(json!({ root: super::mutations::tags_add(state, variables) })), MUTATION_COST),
        other => {
            let message = format!("Field '{other}' doesn't exist on type 'QueryRoot'");
            (
                Err(
                    json!([{ "message": message, "extensions": { "code": "undefinedField", "typeName": "QueryRoot", "fieldName": other } }]),
                ),
                0.0,
            )
        }
    }
}
