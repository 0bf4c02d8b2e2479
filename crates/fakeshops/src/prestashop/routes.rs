//! The fake's HTTP side: one handler for everything under `/api`, which records the request,
//! plays the injected failures, checks the key as the Webservice does, then reads or writes a
//! resource. Writes read XML bodies with roxmltree, as PrestaShop reads them with SimpleXML.

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use base64::Engine;

use super::FakePrestaShop;
use super::render::{self, Display, Fields, ListQuery};
use super::state::{OrderHistory, Shop, micros_from_text, now_text};

/// The realm PrestaShop's webservice names when it asks for the key.
const REALM: &str = "Basic realm=\"Welcome to PrestaShop Webservice, please enter the authentication key as the login. No password required.\"";

pub(crate) fn router(fake: FakePrestaShop) -> Router {
    Router::new()
        .route("/api", any(handle))
        .route("/api/", any(handle))
        .route("/api/{*rest}", any(handle))
        .with_state(fake)
}

async fn handle(
    State(fake): State<FakePrestaShop>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
    body: Bytes,
) -> Response {
    let mut shop = fake.lock();
    let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
    shop.requests.push(format!("{method} {}{query}", uri.path()));
    if shop.throttle_next > 0 {
        shop.throttle_next -= 1;
        return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "2")], "Too Many Requests").into_response();
    }
    if shop.fail_next > 0 {
        shop.fail_next -= 1;
        return xml(StatusCode::INTERNAL_SERVER_ERROR, render::error_document(0, "Internal Server Error"));
    }
    if shop.garbage_next > 0 {
        shop.garbage_next -= 1;
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/xml;charset=utf-8")],
            "<html><body>Fatal error: Allowed memory size exhausted",
        )
            .into_response();
    }
    if !authorized(&shop, &headers, &pairs) {
        let mut answer =
            xml(StatusCode::UNAUTHORIZED, render::error_document(17, "Authentication key is empty or invalid"));
        answer.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(REALM));
        return answer;
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let api = format!("http://{host}/api");
    let path = uri.path().trim_start_matches("/api").trim_matches('/');
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let answer = match (method.as_str(), segments.as_slice()) {
        ("GET" | "HEAD", []) => Ok((StatusCode::OK, api_index(&api))),
        ("GET" | "HEAD", [resource]) => list(&shop, resource, &pairs, &api),
        ("GET" | "HEAD", [resource, id]) => one(&shop, resource, id, &api),
        ("PUT" | "PATCH", [resource]) => write(&mut shop, resource, None, &body, method == Method::PATCH, &api),
        ("PUT" | "PATCH", [resource, id]) => write(&mut shop, resource, Some(id), &body, method == Method::PATCH, &api),
        ("POST", ["order_histories"]) => add_order_history(&mut shop, &body, &api),
        _ => Err((StatusCode::METHOD_NOT_ALLOWED, 5, format!("Method {method} is not allowed here"))),
    };
    match answer {
        Ok((status, body)) => xml(status, body),
        Err((status, code, message)) => xml(status, render::error_document(code, &message)),
    }
}

type Answer = Result<(StatusCode, String), (StatusCode, u32, String)>;

fn xml(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/xml;charset=utf-8"), (header::HeaderName::from_static("psws-version"), "8.1.7")],
        body,
    )
        .into_response()
}

/// The key as the Basic user (any password), or `ws_key` in the query.
fn authorized(shop: &Shop, headers: &HeaderMap, pairs: &[(String, String)]) -> bool {
    if pairs.iter().any(|(key, value)| key == "ws_key" && *value == shop.api_key) {
        return true;
    }
    let Some(encoded) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else { return false };
    let decoded = String::from_utf8_lossy(&decoded);
    let user = decoded.split_once(':').map_or(decoded.as_ref(), |(user, _)| user);
    !shop.api_key.is_empty() && user == shop.api_key
}

fn api_index(api: &str) -> String {
    let mut body = String::from("<api shopName=\"Fake PrestaShop\">\n");
    for resource in
        ["combinations", "currencies", "customers", "order_histories", "orders", "products", "stock_availables"]
    {
        body.push_str(&format!(
            "<{resource} xlink:href=\"{api}/{resource}\" get=\"true\" put=\"true\" post=\"true\" patch=\"true\" delete=\"false\" head=\"true\"><description xlink:href=\"{api}/{resource}\">{resource}</description></{resource}>\n"
        ));
    }
    body.push_str("</api>\n");
    render::document(&body)
}

fn singular(resource: &str) -> Option<&'static str> {
    Some(match resource {
        "products" => "product",
        "combinations" => "combination",
        "stock_availables" => "stock_available",
        "orders" => "order",
        "customers" => "customer",
        "order_histories" => "order_history",
        "currencies" => "currency",
        _ => return None,
    })
}

/// Which rows to write: those `wanted(id, id_product)` lets through, then `window`'s
/// `(offset, count)` of them.
struct Selection<'a> {
    wanted: &'a dyn Fn(u64, u64) -> bool,
    window: Option<(usize, usize)>,
}

impl Selection<'_> {
    fn cut<T>(&self, items: impl Iterator<Item = T>) -> Vec<T> {
        let (offset, count) = self.window.unwrap_or((0, usize::MAX));
        items.skip(offset).take(count).collect()
    }
}

fn rows(shop: &Shop, resource: &str, api: &str, select: &Selection<'_>) -> Vec<(u64, Fields)> {
    let wanted = select.wanted;
    match resource {
        "products" => {
            let linked = render::linked_by_product(shop);
            let products = shop.products.values().filter(|p| wanted(p.id, p.id));
            select
                .cut(products)
                .into_iter()
                .map(|p| (p.id, render::product_fields(p, linked.get(&p.id), api)))
                .collect()
        }
        "combinations" => {
            let combinations = shop.combinations.values().filter(|c| wanted(c.id, c.id_product));
            select
                .cut(combinations)
                .into_iter()
                .filter_map(|c| Some((c.id, render::combination_fields(shop, c.id, api)?)))
                .collect()
        }
        "stock_availables" => {
            let stocks = shop.stocks.values().filter(|s| wanted(s.id, s.id_product));
            select.cut(stocks).into_iter().map(|s| (s.id, render::stock_fields(s, api))).collect()
        }
        "orders" => shop.orders.values().map(|o| (o.id, render::order_fields(o, api))).collect(),
        "customers" => shop
            .customers
            .values()
            .map(|c| {
                let fields: Fields = vec![
                    ("id", render::Value::Text(c.id.to_string())),
                    ("lastname", render::Value::Text(c.lastname.clone())),
                    ("firstname", render::Value::Text(c.firstname.clone())),
                    ("email", render::Value::Text(c.email.clone())),
                ];
                (c.id, fields)
            })
            .collect(),
        "order_histories" => shop.histories.values().map(|h| (h.id, history_fields(h, api))).collect(),
        "currencies" if wanted(1, 1) => {
            let fields: Fields = vec![
                ("id", render::Value::Text("1".into())),
                ("name", render::Value::Language(shop.currency.clone())),
                ("iso_code", render::Value::Text(shop.currency.clone())),
                ("precision", render::Value::Text(shop.exponent.to_string())),
                ("conversion_rate", render::Value::Text("1.000000".into())),
                ("active", render::Value::Text("1".into())),
            ];
            vec![(1, fields)]
        }
        _ => Vec::new(),
    }
}

fn history_fields(history: &OrderHistory, api: &str) -> Fields {
    vec![
        ("id", render::Value::Text(history.id.to_string())),
        ("id_employee", render::Value::Text("0".into())),
        (
            "id_order_state",
            render::Value::Linked(
                history.id_order_state.to_string(),
                format!("{api}/order_states/{}", history.id_order_state),
            ),
        ),
        ("id_order", render::Value::Linked(history.id_order.to_string(), format!("{api}/orders/{}", history.id_order))),
        ("date_add", render::Value::Text(history.date_add.clone())),
    ]
}

fn not_found(resource: &str) -> (StatusCode, u32, String) {
    (StatusCode::NOT_FOUND, 20, format!("Resource of type \"{resource}\" not found"))
}

fn list(shop: &Shop, resource: &str, pairs: &[(String, String)], api: &str) -> Answer {
    let one = singular(resource).ok_or_else(|| not_found(resource))?;
    if pairs.iter().any(|(key, value)| key == "schema" && (value == "blank" || value == "synopsis")) {
        return Ok((StatusCode::OK, blank_schema(resource, one)));
    }
    let query = ListQuery::parse(pairs).map_err(|why| (StatusCode::BAD_REQUEST, 32, why))?;
    let wanted = |id, id_product| query.could_match(id, id_product);
    let window = query.id_window();
    let rows = query.apply(rows(shop, resource, api, &Selection { wanted: &wanted, window }), window.is_some());
    let mut body = format!("<{resource}>\n");
    for (id, fields) in &rows {
        match &query.display {
            Display::Ids => body.push_str(&format!("<{one} id=\"{id}\" xlink:href=\"{api}/{resource}/{id}\"/>\n")),
            Display::Full => body.push_str(&render::element(one, fields, &|_| true)),
            Display::Only(names) => {
                body.push_str(&render::element(one, fields, &|name| names.iter().any(|n| n == name)))
            }
        }
    }
    body.push_str(&format!("</{resource}>\n"));
    Ok((StatusCode::OK, render::document(&body)))
}

/// `?schema=blank`: the resource's writable fields, empty, to fill and send back
/// ("Create a resource" tutorial).
fn blank_schema(resource: &str, element: &str) -> String {
    let (fields, languages): (&[&str], &[&str]) = match resource {
        "products" => (&["id", "reference", "ean13", "price", "active", "state"], &["name", "description"]),
        "combinations" => (&["id", "id_product", "reference", "ean13", "price", "minimal_quantity"], &[]),
        "stock_availables" => (
            &[
                "id",
                "id_product",
                "id_product_attribute",
                "id_shop",
                "id_shop_group",
                "quantity",
                "depends_on_stock",
                "out_of_stock",
                "location",
            ],
            &[],
        ),
        "order_histories" => (&["id", "id_employee", "id_order_state", "id_order"], &[]),
        "customers" => (&["id", "lastname", "firstname", "email"], &[]),
        _ => (&["id", "id_customer", "id_currency", "current_state", "total_paid", "reference"], &[]),
    };
    let mut body = format!("<{element}>\n");
    for field in fields {
        body.push_str(&format!("<{field}></{field}>\n"));
    }
    for field in languages {
        body.push_str(&format!("<{field}><language id=\"1\"></language></{field}>\n"));
    }
    body.push_str(&format!("</{element}>\n"));
    render::document(&body)
}

fn one(shop: &Shop, resource: &str, id: &str, api: &str) -> Answer {
    let element = singular(resource).ok_or_else(|| not_found(resource))?;
    let id: u64 = id.parse().map_err(|_| (StatusCode::BAD_REQUEST, 30, format!("id {id} is not a number")))?;
    let (_, fields) = rows(shop, resource, api, &Selection { wanted: &|row, _| row == id, window: None })
        .into_iter()
        .find(|(row, _)| *row == id)
        .ok_or_else(|| not_found(resource))?;
    Ok((StatusCode::OK, render::document(&render::element(element, &fields, &|_| true))))
}

/// The fields of the one resource element in a written body: `name` → text (a multilingual
/// field's first language); `associations` are not read.
fn read_body(body: &[u8], element: &str) -> Result<BTreeMap<String, String>, (StatusCode, u32, String)> {
    let refuse = |why: String| (StatusCode::BAD_REQUEST, 127, why);
    let text = std::str::from_utf8(body).map_err(|_| refuse("the XML body is not UTF-8".into()))?;
    let document = roxmltree::Document::parse(text).map_err(|e| refuse(format!("XML error: {e}")))?;
    let root = document.root_element();
    if root.tag_name().name() != "prestashop" {
        return Err(refuse("the XML body's root must be <prestashop>".into()));
    }
    let node = root
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == element)
        .ok_or_else(|| refuse(format!("the XML body has no <{element}>")))?;
    let mut fields = BTreeMap::new();
    for child in node.children().filter(|n| n.is_element() && n.tag_name().name() != "associations") {
        let source = child.children().find(|n| n.is_element() && n.tag_name().name() == "language").unwrap_or(child);
        let value: String = source.children().filter(|n| n.is_text()).filter_map(|n| n.text()).collect();
        fields.insert(child.tag_name().name().to_owned(), value.trim().to_owned());
    }
    Ok(fields)
}

fn write(shop: &mut Shop, resource: &str, id_in_path: Option<&str>, body: &[u8], partial: bool, api: &str) -> Answer {
    let element = singular(resource).ok_or_else(|| not_found(resource))?;
    let fields = read_body(body, element)?;
    let bad = |why: String| (StatusCode::BAD_REQUEST, 90, why);
    let id_text = id_in_path
        .map(str::to_owned)
        .or_else(|| fields.get("id").cloned())
        .ok_or_else(|| bad("id is required when modifying a resource".into()))?;
    let id: u64 = id_text.parse().map_err(|_| bad(format!("id {id_text} is not a number")))?;
    if let Some(body_id) = fields.get("id")
        && *body_id != id.to_string()
    {
        return Err(bad("the id in the body differs from the id in the URL".into()));
    }
    let required: &[&str] = match resource {
        "stock_availables" => &["id_product", "id_product_attribute", "quantity", "depends_on_stock", "out_of_stock"],
        "products" => &["price"],
        "combinations" => &["id_product", "minimal_quantity"],
        _ => return Err((StatusCode::METHOD_NOT_ALLOWED, 5, format!("{resource} cannot be modified here"))),
    };
    if !partial && let Some(missing) = required.iter().find(|field| !fields.contains_key(**field)) {
        return Err(bad(format!(
            "parameter \"{missing}\" required (PUT replaces the whole resource; use PATCH for some fields)"
        )));
    }
    let number = |field: &str| -> Result<Option<i64>, (StatusCode, u32, String)> {
        fields
            .get(field)
            .map(|v| v.parse::<i64>().map_err(|_| bad(format!("{field} is not an integer: {v}"))))
            .transpose()
    };
    let decimal = |field: &str| -> Result<Option<i64>, (StatusCode, u32, String)> {
        fields
            .get(field)
            .map(|v| micros_from_text(v).ok_or_else(|| bad(format!("{field} is not a decimal: {v}"))))
            .transpose()
    };
    match resource {
        "stock_availables" => {
            let quantity = number("quantity")?;
            let stock = shop.stocks.get_mut(&id).ok_or_else(|| not_found(resource))?;
            if let Some(quantity) = quantity {
                stock.quantity = quantity;
            }
            for (field, slot) in [
                ("depends_on_stock", &mut stock.depends_on_stock),
                ("out_of_stock", &mut stock.out_of_stock),
                ("location", &mut stock.location),
            ] {
                if let Some(value) = fields.get(field) {
                    *slot = value.clone();
                }
            }
            let (product, combination, quantity) = (stock.id_product, stock.id_product_attribute, stock.quantity);
            let sku = shop.sku_of(product, combination);
            shop.pushes.push((sku, quantity));
            shop.recount_product_stock(product);
        }
        "products" => {
            let price = decimal("price")?;
            let product = shop.products.get_mut(&id).ok_or_else(|| not_found(resource))?;
            if let Some(price) = price {
                product.price_micros = price;
            }
            for (field, slot) in [
                ("reference", &mut product.reference),
                ("ean13", &mut product.ean13),
                ("name", &mut product.name),
                ("description", &mut product.description),
            ] {
                if let Some(value) = fields.get(field) {
                    *slot = value.clone();
                }
            }
            product.date_upd = now_text();
        }
        _ => {
            let price = decimal("price")?;
            let combination = shop.combinations.get_mut(&id).ok_or_else(|| not_found(resource))?;
            if let Some(price) = price {
                combination.price_micros = price;
            }
            for (field, slot) in [("reference", &mut combination.reference), ("ean13", &mut combination.ean13)] {
                if let Some(value) = fields.get(field) {
                    *slot = value.clone();
                }
            }
            let product = combination.id_product;
            shop.touch_product(product);
        }
    }
    let (_, fields) = rows(shop, resource, api, &Selection { wanted: &|row, _| row == id, window: None })
        .into_iter()
        .find(|(row, _)| *row == id)
        .ok_or_else(|| not_found(resource))?;
    Ok((StatusCode::OK, render::document(&render::element(element, &fields, &|_| true))))
}

/// A new order history: the order moves to that state (and its `date_upd` with it).
fn add_order_history(shop: &mut Shop, body: &[u8], api: &str) -> Answer {
    let fields = read_body(body, "order_history")?;
    let bad = |why: String| (StatusCode::BAD_REQUEST, 90, why);
    let field = |name: &str| -> Result<u64, (StatusCode, u32, String)> {
        let raw = fields.get(name).ok_or_else(|| bad(format!("parameter \"{name}\" required")))?;
        raw.parse().map_err(|_| bad(format!("{name} is not an id: {raw}")))
    };
    let (id_order, id_order_state) = (field("id_order")?, field("id_order_state")?);
    if !(1..=14).contains(&id_order_state) {
        return Err(bad(format!("order state {id_order_state} does not exist")));
    }
    let order = shop.orders.get_mut(&id_order).ok_or_else(|| not_found("orders"))?;
    order.current_state = id_order_state;
    order.date_upd = now_text();
    let id = shop.next_id();
    let history = OrderHistory { id, id_order, id_order_state, date_add: now_text() };
    let body = render::document(&render::element("order_history", &history_fields(&history, api), &|_| true));
    shop.histories.insert(id, history);
    Ok((StatusCode::CREATED, body))
}
