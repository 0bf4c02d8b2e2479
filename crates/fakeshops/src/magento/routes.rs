//! The fake's HTTP side: one dispatcher for `/rest[/<store code>]/V1/...` (Magento routes the
//! same service under the default and store-scoped prefixes), answering the documented shapes
//! of the endpoints listed in the module doc, with Magento's error bodies
//! (`{"message": "...%1", "parameters": ...}`).

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::search::SearchCriteria;
use super::{DEFAULT_SOURCE, EXPONENT, FakeMagento, Order, Product, SourceItem};

pub(super) fn router(shop: FakeMagento) -> Router {
    Router::new().fallback(dispatch).with_state(shop)
}

fn magento_error(status: StatusCode, message: &str, parameters: Value) -> Response {
    let mut body = json!({ "message": message });
    if !parameters.is_null() {
        body["parameters"] = parameters;
    }
    (status, axum::Json(body)).into_response()
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// The ACL resource Magento names in its 401 for each endpoint family.
fn resource_of(segments: &[&str]) -> &'static str {
    match segments.first() {
        Some(&"inventory") => "Magento_InventoryApi::source",
        Some(&"orders" | &"order") => "Magento_Sales::sales",
        _ => "Magento_Catalog::products",
    }
}

async fn dispatch(
    State(shop): State<FakeMagento>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path_and_query = uri.path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_default();
    {
        let mut state = shop.lock();
        state.requests.push(format!("{method} {path_and_query}"));
        if state.throttle > 0 {
            state.throttle -= 1;
            return (StatusCode::TOO_MANY_REQUESTS, [("Retry-After", "2")], "Too Many Requests").into_response();
        }
        if state.fail > 0 {
            state.fail -= 1;
            let message = "Internal Error. Details are available in Magento log file. Report ID: webapi-fake";
            return magento_error(StatusCode::INTERNAL_SERVER_ERROR, message, Value::Null);
        }
        if state.garbage > 0 {
            state.garbage -= 1;
            return (StatusCode::OK, [("Content-Type", "text/html")], "<html><body>Maintenance</body></html>")
                .into_response();
        }
    }
    let Some(rest) = uri.path().strip_prefix("/rest/") else {
        return magento_error(StatusCode::NOT_FOUND, "Request does not match any route.", Value::Null);
    };
    let mut segments: Vec<&str> = rest.split('/').filter(|segment| !segment.is_empty()).collect();
    // `/rest/V1/...` or `/rest/<store code>/V1/...`
    match segments.iter().position(|segment| *segment == "V1") {
        Some(at) if at <= 1 => segments.drain(..=at).for_each(drop),
        _ => return magento_error(StatusCode::NOT_FOUND, "Request does not match any route.", Value::Null),
    }
    let token = shop.lock().token.clone();
    let authorized = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value == format!("Bearer {token}"));
    if !authorized {
        let message = "The consumer isn't authorized to access %resources.";
        return magento_error(StatusCode::UNAUTHORIZED, message, json!({ "resources": resource_of(&segments) }));
    }
    let pairs = Query::<Vec<(String, String)>>::try_from_uri(&uri).map(|query| query.0).unwrap_or_default();
    let criteria = SearchCriteria::parse(&pairs);
    let body: Value = if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap_or(Value::Null) };
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["products"]) => list_products(&shop, &criteria),
        ("POST", ["products", "base-prices"]) => save_base_prices(&shop, &body),
        ("GET", ["inventory", "source-items"]) => list_source_items(&shop, &criteria),
        ("POST", ["inventory", "source-items"]) => save_source_items(&shop, &body),
        ("GET", ["orders"]) => list_orders(&shop, &criteria),
        ("POST", ["orders", id, "cancel"]) => order_action(&shop, id, Action::Cancel),
        ("POST", ["order", id, "ship"]) => order_action(&shop, id, Action::Ship),
        ("POST", ["order", id, "refund"]) => order_action(&shop, id, Action::Refund),
        ("POST", ["orders", id, "comments"]) => order_action(&shop, id, Action::Comment(body)),
        _ => magento_error(StatusCode::NOT_FOUND, "Request does not match any route.", Value::Null),
    }
}

/// Minor units as the JSON number Magento writes (`12.5`).
fn money(minor: i64) -> Value {
    let scale = 10_i64.pow(EXPONENT);
    let text = format!("{}{}.{:02}", if minor < 0 { "-" } else { "" }, minor.abs() / scale, minor.abs() % scale);
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A JSON number (or numeric string) as minor units, read from its text, never through a float.
fn minor_of(value: &Value) -> Option<i64> {
    let text = match value {
        Value::Number(number) => number.to_string(),
        Value::String(text) => text.clone(),
        _ => return None,
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > 2 || text.contains('e') || text.contains('E') {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    Some(if text.starts_with('-') { whole * 100 - fraction } else { whole * 100 + fraction })
}

fn product_json(product: &Product) -> Value {
    let mut custom_attributes = Vec::new();
    if let Some(description) = &product.description {
        custom_attributes.push(json!({ "attribute_code": "description", "value": description }));
    }
    if let Some(barcode) = &product.barcode {
        custom_attributes.push(json!({ "attribute_code": "barcode", "value": barcode }));
    }
    let visibility = if product.parent_sku.is_some() { 1 } else { 4 };
    json!({
        "id": product.id,
        "sku": product.sku,
        "name": product.name,
        "attribute_set_id": 4,
        "price": money(product.price_minor),
        "status": 1,
        "visibility": visibility,
        "type_id": product.type_id,
        "created_at": product.updated_at,
        "updated_at": product.updated_at,
        "extension_attributes": { "website_ids": [1] },
        "custom_attributes": custom_attributes,
    })
}

/// The product fields searches use, read without writing the whole product.
fn product_field(product: &Product, name: &str) -> Option<Value> {
    match name {
        "sku" => Some(json!(product.sku)),
        "type_id" => Some(json!(product.type_id)),
        "id" | "entity_id" => Some(json!(product.id)),
        "name" => Some(json!(product.name)),
        "updated_at" | "created_at" => Some(json!(product.updated_at)),
        _ => product_json(product).get(name).cloned(),
    }
}

fn list_products(shop: &FakeMagento, criteria: &SearchCriteria) -> Response {
    let state = shop.lock();
    let products: Vec<&Product> = state.products.iter().collect();
    ok(criteria.answer_with(products, |product, name| product_field(product, name), |product| product_json(product)))
}

fn source_item_json(sku: &str, source_code: &str, item: &SourceItem) -> Value {
    json!({
        "sku": sku,
        "source_code": source_code,
        "quantity": item.quantity,
        "status": i32::from(item.quantity > 0),
    })
}

fn list_source_items(shop: &FakeMagento, criteria: &SearchCriteria) -> Response {
    let state = shop.lock();
    let items: Vec<_> = state.source_items.iter().collect();
    let to_json =
        |((sku, source_code), item): &(&(String, String), &SourceItem)| source_item_json(sku, source_code, item);
    let field = |((sku, source_code), item): &(&(String, String), &SourceItem), name: &str| match name {
        "sku" => Some(json!(sku)),
        "source_code" => Some(json!(source_code)),
        _ => source_item_json(sku, source_code, item).get(name).cloned(),
    };
    ok(criteria.answer_with(items, field, to_json))
}

fn save_source_items(shop: &FakeMagento, body: &Value) -> Response {
    let Some(items) = body.get("sourceItems").and_then(Value::as_array) else {
        return magento_error(
            StatusCode::BAD_REQUEST,
            "\"%fieldName\" is required. Enter and try again.",
            json!({ "fieldName": "sourceItems" }),
        );
    };
    let mut state = shop.lock();
    let mut saves = Vec::new();
    for item in items {
        let sku = item.get("sku").and_then(Value::as_str).unwrap_or_default();
        let source_code = item.get("source_code").and_then(Value::as_str).unwrap_or_default();
        // Magento's quantity is a float; the fake keeps whole units.
        let quantity = item.get("quantity").and_then(Value::as_f64);
        if !state.products.iter().any(|product| product.sku == sku) || source_code != DEFAULT_SOURCE {
            return magento_error(
                StatusCode::BAD_REQUEST,
                "Validation Failed",
                json!([format!("Could not save Source Item for SKU \"{sku}\" and source \"{source_code}\".")]),
            );
        }
        let Some(quantity) = quantity.filter(|quantity| quantity.is_finite()) else {
            return magento_error(
                StatusCode::BAD_REQUEST,
                "\"%fieldName\" is required. Enter and try again.",
                json!({ "fieldName": "quantity" }),
            );
        };
        #[allow(clippy::cast_possible_truncation, reason = "a fake's whole units")]
        saves.push((sku.to_owned(), source_code.to_owned(), quantity.round() as i64));
    }
    for (sku, source_code, quantity) in saves {
        state.pushes.push((sku.clone(), quantity));
        state.source_items.insert((sku, source_code), SourceItem { quantity });
    }
    ok(json!([]))
}

fn save_base_prices(shop: &FakeMagento, body: &Value) -> Response {
    let Some(prices) = body.get("prices").and_then(Value::as_array) else {
        return magento_error(
            StatusCode::BAD_REQUEST,
            "\"%fieldName\" is required. Enter and try again.",
            json!({ "fieldName": "prices" }),
        );
    };
    let mut state = shop.lock();
    let now = state.now();
    let mut errors = Vec::new();
    for price in prices {
        let sku = price.get("sku").and_then(Value::as_str).unwrap_or_default().to_owned();
        let minor = price.get("price").and_then(minor_of).filter(|minor| *minor >= 0);
        match (state.product_mut(&sku), minor) {
            (Some(product), Some(minor)) => {
                product.price_minor = minor;
                product.updated_at = now.clone();
            }
            (None, _) => errors.push(json!({
                "message": "Requested product doesn't exist. SKU: %sku.",
                "parameters": { "sku": sku },
            })),
            (Some(_), None) => errors.push(json!({
                "message": "Invalid attribute %fieldName = %fieldValue.",
                "parameters": { "fieldName": "Price", "fieldValue": price.get("price").cloned().unwrap_or(Value::Null) },
            })),
        }
    }
    ok(Value::Array(errors))
}

fn order_json(shop: &FakeMagento, order: &Order) -> Value {
    let state = shop.lock();
    let mut items = Vec::new();
    let mut item_id = order.entity_id * 100;
    let mut grand_total = 0;
    for line in &order.lines {
        grand_total += line.price_minor * line.quantity;
        item_id += 1;
        let simple = json!({
            "item_id": item_id, "sku": line.sku, "name": line.name, "product_type": "simple",
            "qty_ordered": line.quantity, "price": money(line.price_minor),
        });
        let Some(parent_sku) = &line.parent_sku else {
            items.push(simple);
            continue;
        };
        // A configurable sale: the parent line carries the price and the child's SKU; the child
        // line follows with price 0 and `parent_item_id`.
        let parent_name =
            state.products.iter().find(|product| &product.sku == parent_sku).map(|product| product.name.clone());
        let parent_id = item_id;
        items.push(json!({
            "item_id": parent_id, "sku": line.sku, "name": parent_name.unwrap_or_else(|| line.name.clone()),
            "product_type": "configurable", "qty_ordered": line.quantity, "price": money(line.price_minor),
        }));
        item_id += 1;
        let mut child = simple;
        child["item_id"] = json!(item_id);
        child["price"] = json!(0);
        child["parent_item_id"] = json!(parent_id);
        items.push(child);
    }
    let histories: Vec<Value> =
        order.comments.iter().map(|comment| json!({ "comment": comment, "parent_id": order.entity_id })).collect();
    json!({
        "entity_id": order.entity_id,
        "increment_id": order.increment_id,
        "state": order.state,
        "status": order.status,
        "customer_firstname": order.firstname,
        "customer_lastname": order.lastname,
        "customer_email": order.email,
        "customer_is_guest": 0,
        "billing_address": {
            "address_type": "billing", "firstname": order.firstname, "lastname": order.lastname,
            "email": order.email, "telephone": order.telephone,
        },
        "items": items,
        "grand_total": money(grand_total),
        "order_currency_code": "USD",
        "base_currency_code": "USD",
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "status_histories": histories,
    })
}

fn list_orders(shop: &FakeMagento, criteria: &SearchCriteria) -> Response {
    let orders = shop.lock().orders.clone();
    let items: Vec<Value> = orders.iter().map(|order| order_json(shop, order)).collect();
    ok(criteria.answer(items))
}

enum Action {
    Cancel,
    Ship,
    Refund,
    Comment(Value),
}

fn order_action(shop: &FakeMagento, id: &str, action: Action) -> Response {
    let mut state = shop.lock();
    let now = state.now();
    let Some(index) = state.orders.iter().position(|order| order.entity_id.to_string() == id) else {
        let message = "The entity that was requested doesn't exist. Verify the entity and try again.";
        return magento_error(StatusCode::NOT_FOUND, message, Value::Null);
    };
    let current = state.orders[index].state.clone();
    let finished = matches!(current.as_str(), "canceled" | "closed" | "complete");
    let answer = match action {
        Action::Cancel if finished => json!(false),
        Action::Cancel => {
            // Cancelling gives the reserved units back (MSI's compensating reservation).
            let lines = state.orders[index].lines.clone();
            for line in lines {
                if let Some(item) = state.source_items.get_mut(&(line.sku.clone(), DEFAULT_SOURCE.to_owned())) {
                    item.quantity += line.quantity;
                }
            }
            set_state(&mut state.orders[index], "canceled", &now);
            json!(true)
        }
        Action::Ship if matches!(current.as_str(), "canceled" | "closed") => {
            return magento_error(
                StatusCode::BAD_REQUEST,
                "Shipment Document Validation Error(s):\nThe order does not allow a shipment to be created.",
                Value::Null,
            );
        }
        Action::Ship => {
            set_state(&mut state.orders[index], "complete", &now);
            json!(format!("{}", state.orders[index].entity_id))
        }
        Action::Refund if current == "canceled" || current == "closed" => {
            return magento_error(
                StatusCode::BAD_REQUEST,
                "The order does not allow a creditmemo to be created.",
                Value::Null,
            );
        }
        Action::Refund => {
            set_state(&mut state.orders[index], "closed", &now);
            json!(format!("{}", state.orders[index].entity_id))
        }
        Action::Comment(body) => {
            let history = body.get("statusHistory").cloned().unwrap_or(Value::Null);
            let Some(comment) = history.get("comment").and_then(Value::as_str) else {
                return magento_error(
                    StatusCode::BAD_REQUEST,
                    "\"%fieldName\" is required. Enter and try again.",
                    json!({ "fieldName": "comment" }),
                );
            };
            let order = &mut state.orders[index];
            order.comments.push(comment.to_owned());
            if let Some(status) = history.get("status").and_then(Value::as_str).filter(|status| !status.is_empty()) {
                order.status = status.to_owned();
            }
            order.updated_at = now;
            json!(true)
        }
    };
    ok(answer)
}

fn set_state(order: &mut Order, state: &str, now: &str) {
    order.state = state.to_owned();
    order.status = state.to_owned();
    order.updated_at = now.to_owned();
}
