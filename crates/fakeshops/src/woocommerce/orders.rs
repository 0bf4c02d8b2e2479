//! The order routes: `GET /orders` with `after`, `modified_after` (strictly after, as
//! WordPress's date queries are), `status`, `orderby`/`order` and pages; `GET`/`PUT
//! /orders/{id}` with the documented status words ("Order properties": pending, processing,
//! on-hold, completed, cancelled, refunded, failed, checkout-draft).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::routes::{Params, date_param, invalid_param, json_body, page_params, paged, param};
use super::{FakeWooCommerce, wire};

const ORDER_STATUSES: [&str; 8] =
    ["pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft"];

pub(super) async fn list_orders(State(fake): State<FakeWooCommerce>, uri: Uri, Query(query): Params) -> Response {
    let (page, per_page) = match page_params(&query) {
        Ok(paging) => paging,
        Err(refused) => return refused,
    };
    let (after, modified_after) = match (date_param(&query, "after"), date_param(&query, "modified_after")) {
        (Ok(after), Ok(modified_after)) => (after, modified_after),
        (Err(refused), _) | (_, Err(refused)) => return refused,
    };
    let statuses: Option<Vec<&str>> =
        param(&query, "status").filter(|s| *s != "any").map(|raw| raw.split(',').collect());
    let shop = fake.lock();
    let mut orders: Vec<_> = shop
        .orders
        .values()
        .filter(|o| after.is_none_or(|at| o.date_created > at))
        .filter(|o| modified_after.is_none_or(|at| o.date_modified > at))
        .filter(|o| statuses.as_ref().is_none_or(|s| s.contains(&o.status.as_str())))
        .collect();
    match param(&query, "orderby").unwrap_or("date") {
        "id" => orders.sort_by_key(|o| o.id),
        "modified" => orders.sort_by_key(|o| (o.date_modified, o.id)),
        _ => orders.sort_by_key(|o| (o.date_created, o.id)),
    }
    if param(&query, "order").unwrap_or("desc") != "asc" {
        orders.reverse();
    }
    paged(&uri, &orders, page, per_page, |o| wire::order(&shop, o))
}

fn invalid_order_id() -> Response {
    wire::error(StatusCode::NOT_FOUND, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
}

pub(super) async fn get_order(State(fake): State<FakeWooCommerce>, Path(id): Path<u64>) -> Response {
    let shop = fake.lock();
    match shop.orders.get(&id) {
        Some(order) => axum::Json(wire::order(&shop, order)).into_response(),
        None => invalid_order_id(),
    }
}

pub(super) async fn update_order(State(fake): State<FakeWooCommerce>, Path(id): Path<u64>, body: Bytes) -> Response {
    let changes = match json_body(&body) {
        Ok(changes) => changes,
        Err(refused) => return refused,
    };
    let status = match changes.get("status") {
        None => None,
        Some(Value::String(status)) if ORDER_STATUSES.contains(&status.as_str()) => Some(status.clone()),
        Some(_) => {
            return invalid_param("status", &format!("status is not one of {}.", ORDER_STATUSES.join(", ")));
        }
    };
    let mut shop = fake.lock();
    let now = shop.tick();
    let Some(order) = shop.orders.get_mut(&id) else { return invalid_order_id() };
    if let Some(status) = status {
        order.status = status;
    }
    order.date_modified = now;
    order.updated = true;
    let order = order.clone();
    axum::Json(wire::order(&shop, &order)).into_response()
}
