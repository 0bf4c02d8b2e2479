//! The fake's HTTP surface: the REST API v3 routes a connector uses, behind one gate that
//! records the request, plays what a test switched on (429, 500, garbage) and checks the key.
//!
//! Pages follow the docs' "Pagination" section: `page` from 1, `per_page` from 1 to 100
//! (default 10), `X-WP-Total`, `X-WP-TotalPages` and a `Link` header. Batches follow "Batch
//! update products": `{"update":[…]}`, at most 100 items, each answered in place or with an
//! `error` of its own. Unknown routes get WordPress's `rest_no_route`.

#![expect(clippy::result_large_err, reason = "a refusal is the response itself, built once per request")]

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Value, json};

use super::state::{Product, ProductType, Shop};
use super::{FakeWooCommerce, TEST_WEBHOOK_SECRET, auth, orders, wire};

pub(super) type Params = Query<Vec<(String, String)>>;

const API: &str = "/wp-json/wc/v3";
const BATCH_LIMIT: usize = 100;

pub fn router(fake: FakeWooCommerce) -> Router {
    let api = Router::new()
        .route(&format!("{API}/products"), get(list_products))
        .route(&format!("{API}/products/batch"), axum::routing::post(batch_products))
        .route(
            &format!("{API}/products/{{id}}"),
            get(get_product).put(update_product).post(update_product).patch(update_product),
        )
        .route(&format!("{API}/products/{{id}}/variations"), get(list_variations))
        .route(&format!("{API}/products/{{id}}/variations/batch"), axum::routing::post(batch_variations))
        .route(
            &format!("{API}/products/{{id}}/variations/{{variation_id}}"),
            get(get_variation).put(update_variation).post(update_variation).patch(update_variation),
        )
        .route(&format!("{API}/orders"), get(orders::list_orders))
        .route(
            &format!("{API}/orders/{{id}}"),
            get(orders::get_order).put(orders::update_order).post(orders::update_order).patch(orders::update_order),
        )
        .fallback(no_route)
        .layer(from_fn_with_state(fake.clone(), gate))
        .with_state(fake.clone());
    // Not WooCommerce: lets a process outside Rust (the interop check) ask for a signed delivery.
    let control = Router::new().route("/__fake/webhook/{id}", get(control_webhook)).with_state(fake);
    api.merge(control)
}

async fn gate(State(fake): State<FakeWooCommerce>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let uri = request.uri().clone();
    let query = Params::try_from_uri(&uri).map(|q| q.0).unwrap_or_default();
    let refusal = {
        let mut shop = fake.lock();
        let target = uri.path_and_query().map_or(uri.path(), |p| p.as_str()).to_owned();
        shop.requests.push(format!("{method} {target}"));
        if shop.throttle_next > 0 {
            shop.throttle_next -= 1;
            Some(throttled(shop.retry_after_secs))
        } else if shop.fail_next > 0 {
            shop.fail_next -= 1;
            Some(wire::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal_server_error",
                "<p>There has been a critical error on this website.</p>",
            ))
        } else if shop.garbage_next > 0 {
            shop.garbage_next -= 1;
            Some(garbage())
        } else {
            match auth::authenticate(&mut shop, &method, uri.path(), &query, request.headers()) {
                Ok(true) => None,
                Ok(false) => Some(auth::anonymous(&method)),
                Err(refused) => Some(refused),
            }
        }
    };
    match refusal {
        Some(answer) => answer,
        None => next.run(request).await,
    }
}

fn throttled(retry_after_secs: u64) -> Response {
    let message = format!("Too many requests. Please wait {retry_after_secs} seconds before trying again.");
    let mut response = wire::error(StatusCode::TOO_MANY_REQUESTS, "woocommerce_rest_too_many_requests", &message);
    let headers = response.headers_mut();
    headers.insert("Retry-After", HeaderValue::from(retry_after_secs));
    headers.insert("RateLimit-Limit", HeaderValue::from(25_u64));
    headers.insert("RateLimit-Remaining", HeaderValue::from(0_u64));
    headers.insert("RateLimit-Retry-After", HeaderValue::from(retry_after_secs));
    response
}

fn garbage() -> Response {
    let body = "<br />\n<b>Deprecated</b>:  Function create_function() is deprecated in \
                <b>/var/www/html/wp-content/plugins/old-plugin/old.php</b> on line <b>12</b><br />\n[{\"id\":";
    (StatusCode::OK, [("Content-Type", "application/json; charset=UTF-8")], body).into_response()
}

async fn no_route() -> Response {
    wire::error(StatusCode::NOT_FOUND, "rest_no_route", "No route was found matching the URL and request method.")
}

pub(super) fn invalid_param(name: &str, why: &str) -> Response {
    let body = json!({
        "code": "rest_invalid_param",
        "message": format!("Invalid parameter(s): {name}"),
        "data": {"status": 400, "params": {name: why}},
    });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

pub(super) fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query.iter().rev().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
}

/// `page` and `per_page`, validated as WordPress's collection parameters are.
pub(super) fn page_params(query: &[(String, String)]) -> Result<(usize, usize), Response> {
    let per_page = match param(query, "per_page") {
        None => 10,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => return Err(invalid_param("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)")),
        },
    };
    let page = match param(query, "page") {
        None => 1,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => return Err(invalid_param("page", "page must be greater than or equal to 1")),
        },
    };
    Ok((page, per_page))
}

pub(super) fn date_param(query: &[(String, String)], name: &str) -> Result<Option<DateTime<Utc>>, Response> {
    let Some(raw) = param(query, name) else { return Ok(None) };
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    // Without a zone: the site's time zone (UTC here) or GMT with `dates_are_gmt`, the same.
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S")
        .map(|naive| Some(naive.and_utc()))
        .map_err(|_| invalid_param(name, &format!("Invalid date. {name} must be an ISO8601 date.")))
}

fn id_list(query: &[(String, String)], name: &str) -> Option<Vec<u64>> {
    param(query, name).map(|raw| raw.split(',').filter_map(|id| id.trim().parse().ok()).collect())
}

/// One page of `items`, only that page rendered (a 5,000-product catalogue is read in 50
/// requests), with WordPress's pagination headers.
pub(super) fn paged<T>(uri: &Uri, items: &[T], page: usize, per_page: usize, render: impl Fn(&T) -> Value) -> Response {
    let total = items.len();
    let total_pages = total.div_ceil(per_page);
    let slice: Vec<Value> = items.iter().skip((page - 1) * per_page).take(per_page).map(render).collect();
    let mut response = axum::Json(Value::Array(slice)).into_response();
    let headers = response.headers_mut();
    headers.insert("X-WP-Total", HeaderValue::from(total));
    headers.insert("X-WP-TotalPages", HeaderValue::from(total_pages));
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", page_link(uri, page - 1)));
    }
    if page < total_pages {
        links.push(format!("<{}>; rel=\"next\"", page_link(uri, page + 1)));
    }
    if let (false, Ok(value)) = (links.is_empty(), HeaderValue::from_str(&links.join(", "))) {
        headers.insert("Link", value);
    }
    response
}

fn page_link(uri: &Uri, page: usize) -> String {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty() && !pair.starts_with("page=") && !pair.starts_with("oauth_"))
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    format!("{}?{query}page={page}", uri.path())
}

/// Sorts by `orderby` (`date` by default, `id`, `modified`, `title`) and `order` (`desc` by default).
fn sort_items(items: &mut [&Product], query: &[(String, String)]) {
    match param(query, "orderby").unwrap_or("date") {
        "id" => items.sort_by_key(|p| p.id),
        "title" => items.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id))),
        "modified" => items.sort_by_key(|p| (p.date_modified, p.id)),
        _ => items.sort_by_key(|p| (p.date_created, p.id)),
    }
    if param(query, "order").unwrap_or("desc") != "asc" {
        items.reverse();
    }
}

/// Filters shared by products and variations: `include`, `sku`, `modified_after`.
fn filter_items<'a>(
    candidates: impl Iterator<Item = &'a Product>,
    query: &[(String, String)],
) -> Result<Vec<&'a Product>, Response> {
    let include = id_list(query, "include");
    let skus: Option<Vec<&str>> = param(query, "sku").map(|raw| raw.split(',').map(str::trim).collect());
    let modified_after = date_param(query, "modified_after")?;
    let kind = param(query, "type");
    Ok(candidates
        .filter(|p| include.as_ref().is_none_or(|ids| ids.contains(&p.id)))
        .filter(|p| skus.as_ref().is_none_or(|skus| skus.contains(&p.sku.as_str())))
        .filter(|p| modified_after.is_none_or(|after| p.date_modified > after))
        .filter(|p| {
            kind.is_none_or(|kind| match p.kind {
                ProductType::Simple => kind == "simple",
                ProductType::Variable => kind == "variable",
                ProductType::Variation => false,
            })
        })
        .collect())
}

async fn list_products(State(fake): State<FakeWooCommerce>, uri: Uri, Query(query): Params) -> Response {
    let (page, per_page) = match page_params(&query) {
        Ok(paging) => paging,
        Err(refused) => return refused,
    };
    let shop = fake.lock();
    let products = shop.products.values().filter(|p| p.kind != ProductType::Variation);
    let mut items = match filter_items(products, &query) {
        Ok(items) => items,
        Err(refused) => return refused,
    };
    sort_items(&mut items, &query);
    paged(&uri, &items, page, per_page, |p| wire::product(&shop, p))
}

async fn list_variations(
    State(fake): State<FakeWooCommerce>,
    uri: Uri,
    Path(id): Path<u64>,
    Query(query): Params,
) -> Response {
    let (page, per_page) = match page_params(&query) {
        Ok(paging) => paging,
        Err(refused) => return refused,
    };
    let shop = fake.lock();
    if !shop.products.get(&id).is_some_and(|p| p.kind == ProductType::Variable) {
        return invalid_product_id();
    }
    let variations = shop.products.values().filter(|p| p.kind == ProductType::Variation && p.parent_id == id);
    let mut items = match filter_items(variations, &query) {
        Ok(items) => items,
        Err(refused) => return refused,
    };
    sort_items(&mut items, &query);
    paged(&uri, &items, page, per_page, |p| wire::variation(&shop, p))
}

fn invalid_product_id() -> Response {
    wire::error(StatusCode::NOT_FOUND, "woocommerce_rest_product_invalid_id", "Invalid ID.")
}

/// The product `id` is, when it is one the route addresses (a product, or a variation of `parent`).
fn addressed(shop: &Shop, id: u64, parent: Option<u64>) -> bool {
    shop.products.get(&id).is_some_and(|p| match parent {
        None => p.kind != ProductType::Variation,
        Some(parent) => p.kind == ProductType::Variation && p.parent_id == parent,
    })
}

async fn get_product(State(fake): State<FakeWooCommerce>, Path(id): Path<u64>) -> Response {
    let shop = fake.lock();
    match shop.products.get(&id) {
        Some(product) if addressed(&shop, id, None) => axum::Json(wire::product(&shop, product)).into_response(),
        _ => invalid_product_id(),
    }
}

async fn get_variation(State(fake): State<FakeWooCommerce>, Path((parent, id)): Path<(u64, u64)>) -> Response {
    let shop = fake.lock();
    match shop.products.get(&id) {
        Some(variation) if addressed(&shop, id, Some(parent)) => {
            axum::Json(wire::variation(&shop, variation)).into_response()
        }
        _ => wire::error(StatusCode::NOT_FOUND, "woocommerce_rest_product_variation_invalid_id", "Invalid ID."),
    }
}

pub(super) fn json_body(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body)
        .map_err(|_| wire::error(StatusCode::BAD_REQUEST, "rest_invalid_json", "Invalid JSON body passed."))
}

async fn update_product(State(fake): State<FakeWooCommerce>, Path(id): Path<u64>, body: Bytes) -> Response {
    update_one(&fake, id, None, &body)
}

async fn update_variation(
    State(fake): State<FakeWooCommerce>,
    Path((parent, id)): Path<(u64, u64)>,
    body: Bytes,
) -> Response {
    update_one(&fake, id, Some(parent), &body)
}

fn update_one(fake: &FakeWooCommerce, id: u64, parent: Option<u64>, body: &Bytes) -> Response {
    let changes = match json_body(body) {
        Ok(changes) => changes,
        Err(refused) => return refused,
    };
    let mut shop = fake.lock();
    if !addressed(&shop, id, parent) {
        return invalid_product_id();
    }
    match super::update::apply(&mut shop, id, &changes) {
        Ok(()) => match shop.products.get(&id) {
            Some(item) => axum::Json(wire::item(&shop, item)).into_response(),
            None => invalid_product_id(),
        },
        Err((name, why)) => invalid_param(&name, &why),
    }
}

async fn batch_products(State(fake): State<FakeWooCommerce>, body: Bytes) -> Response {
    batch(&fake, None, &body)
}

async fn batch_variations(State(fake): State<FakeWooCommerce>, Path(parent): Path<u64>, body: Bytes) -> Response {
    if !fake.lock().products.get(&parent).is_some_and(|p| p.kind == ProductType::Variable) {
        return invalid_product_id();
    }
    batch(&fake, Some(parent), &body)
}

fn batch(fake: &FakeWooCommerce, parent: Option<u64>, body: &Bytes) -> Response {
    let request = match json_body(body) {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    let list = |name: &str| request.get(name).and_then(Value::as_array).cloned().unwrap_or_default();
    let (create, update, delete) = (list("create"), list("update"), list("delete"));
    if create.len() + update.len() + delete.len() > BATCH_LIMIT {
        return wire::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "woocommerce_rest_request_entity_too_large",
            &format!("Unable to accept more than {BATCH_LIMIT} items for this request."),
        );
    }
    let mut shop = fake.lock();
    let mut updated = Vec::new();
    for changes in &update {
        let id = changes.get("id").and_then(|id| id.as_u64().or_else(|| id.as_str()?.parse().ok())).unwrap_or(0);
        let answer = if !addressed(&shop, id, parent) {
            item_error(id, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        } else {
            match super::update::apply(&mut shop, id, changes) {
                Ok(()) => shop.products.get(&id).map(|item| wire::item(&shop, item)).unwrap_or(Value::Null),
                Err((name, why)) => {
                    item_error(id, "rest_invalid_param", &format!("Invalid parameter(s): {name} ({why})"))
                }
            }
        };
        updated.push(answer);
    }
    let refused = |items: &[Value]| -> Vec<Value> {
        items.iter().map(|_| item_error(0, "woocommerce_rest_not_modelled", "Not supported by the fake.")).collect()
    };
    axum::Json(json!({"create": refused(&create), "update": updated, "delete": refused(&delete)})).into_response()
}

fn item_error(id: u64, code: &str, message: &str) -> Value {
    json!({"id": id, "error": {"code": code, "message": message, "data": {"status": 400}}})
}

async fn control_webhook(State(fake): State<FakeWooCommerce>, Path(id): Path<String>) -> Response {
    let (headers, body) = fake.signed_order_webhook(&id, TEST_WEBHOOK_SECRET);
    let body = String::from_utf8_lossy(&body).into_owned();
    axum::Json(json!({"secret": TEST_WEBHOOK_SECRET, "headers": headers, "body": body})).into_response()
}
