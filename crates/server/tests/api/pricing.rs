//! One price everywhere (issue #3), over HTTP: quotes that explain the price list used, the
//! promotions applied and not applied (with reason codes) and the taxes of Chile, Peru and
//! Colombia; the same promotion on web and POS; orders placed at a quote's prices; coupon
//! limits; a site-wide promotion funded by the operator in parts and settlement; tax document
//! numbers per merchant; the refusals of the admin API; and `price.changed` on a webhook.
//!
//! Every test builds its own sites, merchants and products (untracked, so no stock is needed).

use crate::common;

use common::webhook::{Receiver, signature_is_valid};
use common::{Resp, TestApp, assert_validation_problem, qs, random_hex, rfc3339_from_now};
use omnicanal_store::PricingStore;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Fixture: sites, merchants with one location, a manager and untracked products.

/// A site.
struct Mall {
    id: String,
    currency: &'static str,
}

/// A merchant with one location at a mall and its manager.
struct Shop {
    id: String,
    location_id: String,
    manager: String,
    tax_id: String,
}

/// Creates a site as admin.
async fn mall(app: &TestApp, country: &str, currency: &'static str, timezone: &str) -> Mall {
    let admin = app.admin_token().await;
    let site = app
        .post(
            "/api/v1/sites",
            Some(&admin),
            &json!({"name": format!("Mall {country}"), "country": country, "currency": currency, "timezone": timezone}),
        )
        .await
        .expect(StatusCode::CREATED, "create site");
    Mall { id: text(&site["id"]), currency }
}

/// A Santiago site in CLP.
async fn santiago(app: &TestApp) -> Mall {
    mall(app, "CL", "CLP", "America/Santiago").await
}

/// Creates a merchant (`restaurant` or `retail`) with a location at `mall`, a manager (logged
/// in) and one untracked product per `(sku, price, tax_category)`.
async fn shop(
    app: &TestApp,
    mall: &Mall,
    name: &str,
    kind: &str,
    commission_bps: i64,
    products: &[(&str, i64, &str)],
) -> Shop {
    let admin = app.admin_token().await;
    let tax_id = format!("76.{}-K", &random_hex()[..6]);
    let merchant = app
        .post(
            "/api/v1/merchants",
            Some(&admin),
            &json!({"name": name, "kind": kind, "commission_bps": commission_bps, "tax_id": tax_id}),
        )
        .await
        .expect(StatusCode::CREATED, &format!("create merchant {name}"));
    let id = text(&merchant["id"]);
    assert_eq!(merchant["tax_id"], tax_id.as_str(), "the merchant keeps its tax id: {merchant}");
    let location = app
        .post(
            "/api/v1/locations",
            Some(&admin),
            &json!({"merchant_id": id, "site_id": mall.id, "name": format!("{name} local 1"), "pay_at_pickup": true}),
        )
        .await
        .expect(StatusCode::CREATED, &format!("create location of {name}"));
    let email = format!("manager-{}@pricing.test", random_hex());
    let password = format!("pw-{}", random_hex());
    app.post(
        "/api/v1/users",
        Some(&admin),
        &json!({"email": email, "password": password, "role": "merchant_manager", "merchant_id": id}),
    )
    .await
    .expect(StatusCode::CREATED, "create manager");
    let manager = app.login(&email, &password).await;
    for (sku, price, tax_category) in products {
        let product = app
            .post(
                "/api/v1/products",
                Some(&admin),
                &json!({
                    "merchant_id": id,
                    "name": format!("Producto {sku}"),
                    "track_stock": false,
                    "tax_category": tax_category,
                    "variants": [{"sku": sku, "price": {"amount": price, "currency": mall.currency}}],
                }),
            )
            .await
            .expect(StatusCode::CREATED, &format!("create product {sku}"));
        assert_eq!(product["tax_category"], *tax_category, "product tax category: {product}");
    }
    Shop { id, location_id: text(&location["id"]), manager, tax_id }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// A string field, or a panic naming it.
#[track_caller]
fn text(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("expected a string, got {v}")).to_owned()
}

/// The amount of a money value (any currency).
#[track_caller]
fn amount(money: &Value) -> i64 {
    money["amount"].as_i64().unwrap_or_else(|| panic!("money needs an integer amount, got {money}"))
}

/// A CLP money value.
fn clp(amount: i64) -> Value {
    json!({"amount": amount, "currency": "CLP"})
}

/// Cart lines as `(shop, sku, quantity)`.
fn lines(cart: &[(&Shop, &str, i64)]) -> Value {
    cart.iter().map(|(shop, sku, q)| json!({"sku": sku, "location_id": shop.location_id, "quantity": q})).collect()
}

/// `POST /pricing/quote` body.
fn quote_body(mall: &Mall, channel: &str, cart: &[(&Shop, &str, i64)], coupons: &[&str], email: Option<&str>) -> Value {
    let mut body = json!({"site_id": mall.id, "channel": channel, "lines": lines(cart), "coupon_codes": coupons});
    if let Some(email) = email {
        body["customer"] = json!({"email": email});
    }
    body
}

/// Asks for a quote that must be 200; returns the whole answer (`quote_id`, `expires_at`, `quote`).
async fn quote(
    app: &TestApp,
    mall: &Mall,
    channel: &str,
    cart: &[(&Shop, &str, i64)],
    coupons: &[&str],
    email: Option<&str>,
) -> Value {
    let answer = app
        .post("/api/v1/pricing/quote", None, &quote_body(mall, channel, cart, coupons, email))
        .await
        .expect(StatusCode::OK, &format!("quote through {channel}"));
    assert!(answer["quote_id"].is_string(), "a quote has an id: {answer}");
    assert!(answer["expires_at"].is_string(), "a quote says until when it holds: {answer}");
    assert_eq!(answer["quote"]["channel"], channel, "quoted for its channel");
    answer
}

/// An order body paid by card, with `email` as the customer's (and no phone).
fn order_body(mall: &Mall, channel: &str, cart: &[(&Shop, &str, i64)], coupons: &[&str], email: Option<&str>) -> Value {
    json!({
        "site_id": mall.id,
        "channel": channel,
        "customer": {"name": "Ana Pérez", "email": email},
        "lines": lines(cart),
        "coupon_codes": coupons,
        "payment": {"method": "card", "card_number": common::CARD_OK},
    })
}

/// `POST /orders`.
async fn place(app: &TestApp, body: &Value) -> Resp {
    app.post("/api/v1/orders", None, body).await
}

/// Places an order that must be 201.
async fn place_ok(app: &TestApp, body: &Value) -> Value {
    place(app, body).await.expect(StatusCode::CREATED, &format!("place order {body}"))
}

/// The order as its customer sees it now.
async fn get_order(app: &TestApp, order: &Value) -> Value {
    let token = text(&order["tracking_token"]);
    let path = format!("/api/v1/orders/{}?{}", text(&order["id"]), qs(&[("token", &token)]));
    app.get(&path, None).await.expect(StatusCode::OK, "get order")
}

/// `PUT` a JSON body.
async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> Resp {
    app.send(Method::PUT, path, Some(token), common::Body::Json(body.clone()), &[]).await
}

/// Creates a promotion that must be 201.
async fn promotion(app: &TestApp, token: &str, body: Value) -> Value {
    app.post("/api/v1/promotions", Some(token), &body).await.expect(StatusCode::CREATED, &format!("promotion {body}"))
}

/// A promotion body of `merchant` giving `kind`, with `extra` fields merged in.
fn promo(merchant: &str, name: &str, kind: Value, extra: Value) -> Value {
    let mut body = json!({"merchant_id": merchant, "name": name, "kind": kind});
    if let Value::Object(extra) = extra {
        for (key, value) in extra {
            body[key] = value;
        }
    }
    body
}

/// A site-wide promotion body (the operator's) giving `kind`.
fn site_promo(mall: &Mall, name: &str, kind: Value) -> Value {
    json!({"merchant_id": null, "site_id": mall.id, "name": name, "kind": kind})
}

/// `percent_off_order` kind.
fn order_off(bps: i64) -> Value {
    json!({"type": "percent_off_order", "bps": bps})
}

/// `percent_off_lines` kind for `skus`.
fn lines_off(bps: i64, skus: &[&str]) -> Value {
    json!({"type": "percent_off_lines", "bps": bps, "skus": skus})
}

/// `bundle` kind of one unit of each SKU for `price`.
fn bundle(skus: &[&str], price: i64) -> Value {
    let components: Vec<Value> = skus.iter().map(|sku| json!({"sku": sku, "quantity": 1})).collect();
    json!({"type": "bundle", "components": components, "price": clp(price)})
}

/// Creates a price list that must be 201.
async fn price_list(app: &TestApp, token: &str, body: &Value) -> Value {
    app.post("/api/v1/price-lists", Some(token), body).await.expect(StatusCode::CREATED, &format!("price list {body}"))
}

/// A price list body of one merchant with `(sku, price)` prices in CLP.
fn list_body(shop: &Shop, name: &str, prices: &[(&str, i64)]) -> Value {
    let prices: Vec<Value> = prices.iter().map(|(sku, price)| json!({"sku": sku, "price": clp(*price)})).collect();
    json!({"merchant_id": shop.id, "name": name, "prices": prices})
}

/// The quoted line of `sku`.
#[track_caller]
fn line<'a>(quote: &'a Value, sku: &str) -> &'a Value {
    quote["lines"]
        .as_array()
        .and_then(|lines| lines.iter().find(|l| l["sku"] == sku))
        .unwrap_or_else(|| panic!("no line {sku} in {quote}"))
}

/// The outcome of the promotion called `name`.
#[track_caller]
fn outcome<'a>(quote: &'a Value, name: &str) -> &'a Value {
    quote["promotions"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["name"] == name))
        .unwrap_or_else(|| panic!("promotion {name:?} not considered in {}", quote["promotions"]))
}

/// Asserts a promotion did not apply, for the reason `code`, with a message.
#[track_caller]
fn assert_not_applied(quote: &Value, name: &str, code: &str) {
    let promotion = outcome(quote, name);
    assert_eq!(promotion["applied"], false, "{name} must not apply: {promotion}");
    assert_eq!(promotion["reason"]["code"], code, "why {name} did not apply: {promotion}");
    assert!(promotion["message"].as_str().is_some_and(|m| !m.is_empty()), "{name} needs a message: {promotion}");
}

/// Asserts a promotion applied and took `off`.
#[track_caller]
fn assert_applied(quote: &Value, name: &str, off: i64) {
    let promotion = outcome(quote, name);
    assert_eq!(promotion["applied"], true, "{name} must apply: {promotion}");
    assert_eq!(amount(&promotion["amount"]), off, "what {name} takes off: {promotion}");
    assert!(promotion["reason"].is_null(), "an applied promotion has no reason: {promotion}");
}

/// The coupon outcome of `code`.
#[track_caller]
fn coupon_outcome<'a>(quote: &'a Value, code: &str) -> &'a Value {
    quote["coupons"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["code"] == code))
        .unwrap_or_else(|| panic!("coupon {code} missing from {}", quote["coupons"]))
}

/// Asserts a 422 naming `field` among its errors.
#[track_caller]
fn assert_field(resp: &Resp, field: &str, what: &str) {
    assert_validation_problem(resp, what);
    let errors = resp.body["errors"].as_array().expect("errors");
    assert!(errors.iter().any(|e| e["field"] == field), "{what}: expected an error on {field:?}, got {}", resp.body);
}

/// The part of an order at `shop`.
#[track_caller]
fn part<'a>(order: &'a Value, shop: &Shop) -> &'a Value {
    order["fulfillments"]
        .as_array()
        .and_then(|parts| parts.iter().find(|p| p["merchant_id"] == shop.id.as_str()))
        .unwrap_or_else(|| panic!("no part of merchant {} in {order}", shop.id))
}

/// The `(kind, number)` of a part's tax document.
#[track_caller]
fn document(order: &Value, shop: &Shop) -> (String, i64) {
    let doc = &part(order, shop)["document"];
    (text(&doc["kind"]), doc["number"].as_i64().unwrap_or_else(|| panic!("document number: {doc}")))
}

// ---------------------------------------------------------------------------------------------
// Quotes explain themselves.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_quote_explains_price_list_promotions_and_taxes() {
    let app = TestApp::spawn().await;
    let cl = santiago(&app).await;
    let cafe =
        shop(&app, &cl, "Café Central", "restaurant", 1000, &[("CAFE", 2000, "standard"), ("LIBRO", 10000, "exempt")])
            .await;
    let web = price_list(
        &app,
        &cafe.manager,
        &json!({
            "merchant_id": cafe.id, "name": "Web", "channel": "web",
            "prices": [{"sku": "CAFE", "price": clp(1800)}],
        }),
    )
    .await;
    assert_eq!(web["prices"], json!([{"sku": "CAFE", "price": clp(1800)}]), "the list echoes its prices");
    assert_eq!(web["active"], true, "a list is active by default");
    let m = &cafe.id;
    promotion(&app, &cafe.manager, promo(m, "Café 10%", lines_off(1000, &["CAFE"]), json!({}))).await;
    let expired = json!({
        "merchant_id": m, "name": "Verano pasado", "priority": 10,
        "kind": {"type": "percent_off_lines", "bps": 5000, "skus": ["CAFE"]},
        "valid_from": rfc3339_from_now(chrono::Duration::days(-2)),
        "valid_to": rfc3339_from_now(chrono::Duration::days(-1)),
    });
    promotion(&app, &cafe.manager, expired).await;
    promotion(&app, &cafe.manager, promo(m, "Solo caja", order_off(500), json!({"channels": ["pos"]}))).await;
    let big = json!({
        "merchant_id": m, "name": "Gran compra", "min_spend": clp(100_000),
        "kind": {"type": "amount_off_order", "amount": clp(5000)},
    });
    promotion(&app, &cafe.manager, big).await;
    let later = json!({
        "merchant_id": m, "name": "Próximamente", "valid_from": rfc3339_from_now(chrono::Duration::days(1)),
        "kind": {"type": "percent_off_order", "bps": 100},
    });
    promotion(&app, &cafe.manager, later).await;
    promotion(&app, &cafe.manager, promo(m, "Apagada", order_off(100), json!({"active": false}))).await;

    let cart = [(&cafe, "CAFE", 2), (&cafe, "LIBRO", 1)];
    let answer = quote(&app, &cl, "web", &cart, &[], None).await;
    let q = &answer["quote"];
    assert_eq!(q["currency"], "CLP");

    // The coffee: the web list's price, 10 % off, IVA taken out of what is paid.
    let coffee = line(q, "CAFE");
    assert_eq!(coffee["merchant_id"], cafe.id.as_str());
    assert_eq!(coffee["location_id"], cafe.location_id.as_str());
    assert_eq!(coffee["quantity"], 2);
    assert_eq!(coffee["base_price"], clp(2000), "the variant's own price: {coffee}");
    assert_eq!(coffee["unit_price"], clp(1800), "the web list's price: {coffee}");
    assert_eq!(
        coffee["price_source"],
        json!({"kind": "price_list", "price_list_id": web["id"], "price_list_name": "Web"}),
        "where the price came from"
    );
    assert_eq!(coffee["gross"], clp(3600));
    let discounts = coffee["discounts"].as_array().expect("discounts");
    assert_eq!(discounts.len(), 1, "one line discount: {coffee}");
    assert_eq!(discounts[0]["name"], "Café 10%");
    assert_eq!(discounts[0]["amount"], clp(360));
    assert_eq!(discounts[0]["funded_by"], "merchant");
    assert_eq!((coffee["discount"].clone(), coffee["total"].clone()), (clp(360), clp(3240)));
    // 3240 × 19 / 119 = 517.3 → 517.
    assert_eq!(coffee["tax"], json!({"code": "IVA", "rate_bps": 1900, "base": clp(2723), "amount": clp(517)}));
    let skipped = coffee["not_applied"].as_array().expect("not_applied");
    let summer = skipped.iter().find(|n| n["name"] == "Verano pasado").expect("the expired promotion is explained");
    assert_eq!(summer["reason"]["code"], "expired", "{summer}");
    assert!(summer["message"].as_str().is_some_and(|m| m.contains("expired")), "{summer}");

    // The book: base price, exempt.
    let book = line(q, "LIBRO");
    assert_eq!(book["price_source"], json!({"kind": "base", "price_list_id": null, "price_list_name": null}));
    assert_eq!((book["gross"].clone(), book["total"].clone()), (clp(10000), clp(10000)));
    assert_eq!(book["tax"], json!({"code": "EXENTO", "rate_bps": 0, "base": clp(10000), "amount": clp(0)}));

    // Every promotion considered, with why it did not apply.
    assert_applied(q, "Café 10%", 360);
    assert_not_applied(q, "Verano pasado", "expired");
    assert_not_applied(q, "Solo caja", "wrong_channel");
    assert_not_applied(q, "Gran compra", "minimum_not_met");
    let reason = &outcome(q, "Gran compra")["reason"];
    assert_eq!((reason["minimum"].clone(), reason["actual"].clone()), (clp(100_000), clp(13_240)), "{reason}");
    assert_not_applied(q, "Próximamente", "not_started");
    assert!(
        q["promotions"].as_array().unwrap().iter().all(|p| p["name"] != "Apagada"),
        "switched-off promotions are not loaded: {}",
        q["promotions"]
    );

    // Totals and taxes are sums of lines.
    assert_eq!((q["gross"].clone(), q["discount"].clone(), q["total"].clone()), (clp(13_600), clp(360), clp(13_240)));
    assert_eq!(
        q["taxes"],
        json!([
            {"code": "EXENTO", "rate_bps": 0, "label": "EXENTO", "base": clp(10000), "amount": clp(0)},
            {"code": "IVA", "rate_bps": 1900, "label": "IVA 19%", "base": clp(2723), "amount": clp(517)},
        ])
    );
    let parts = q["parts"].as_array().expect("parts");
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0]["merchant_funded"], clp(360));
    assert_eq!(parts[0]["operator_funded"], clp(0));
    assert_eq!(parts[0]["subtotal"], clp(13_240));
    assert_eq!(q["coupons"], json!([]));

    // At the till: the base price, and the POS-only promotion applies.
    let pos = quote(&app, &cl, "pos", &cart, &[], None).await;
    let q = &pos["quote"];
    assert_eq!(line(q, "CAFE")["unit_price"], clp(2000), "the web list does not apply at the till");
    assert_eq!(line(q, "CAFE")["price_source"]["kind"], "base");
    assert_applied(q, "Café 10%", 400);
    // (3600 + 10000) × 5 % = 680.
    assert_applied(q, "Solo caja", 680);
    assert_eq!(q["total"], clp(12_920));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn taxes_follow_the_country_and_the_kind_of_merchant() {
    let app = TestApp::spawn().await;

    // Peru: IGV 18 %, in céntimos.
    let pe = mall(&app, "PE", "PEN", "America/Lima").await;
    let bodega =
        shop(&app, &pe, "Bodega Lima", "retail", 800, &[("INKA", 1000, "standard"), ("AVENA", 500, "exempt")]).await;
    let answer = quote(&app, &pe, "qr", &[(&bodega, "INKA", 1), (&bodega, "AVENA", 2)], &[], None).await;
    let q = &answer["quote"];
    assert_eq!(q["currency"], "PEN");
    // S/ 10.00 × 18 / 118 = 1.5254 → S/ 1.53.
    let pen = |amount: i64| json!({"amount": amount, "currency": "PEN"});
    assert_eq!(line(q, "INKA")["tax"], json!({"code": "IGV", "rate_bps": 1800, "base": pen(847), "amount": pen(153)}));
    assert_eq!(line(q, "AVENA")["tax"]["code"], "EXENTO");
    assert_eq!(line(q, "AVENA")["tax"]["amount"], pen(0));
    let labels: Vec<&str> = q["taxes"].as_array().unwrap().iter().map(|t| t["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["EXENTO", "IGV 18%"]);
    assert_eq!(q["total"], pen(2000));

    // Colombia: a restaurant charges INC 8 % instead of IVA; a shop IVA 19 %.
    let co = mall(&app, "CO", "COP", "America/Bogota").await;
    let arepas = shop(&app, &co, "Arepas Bogotá", "restaurant", 1000, &[("AREPA", 20000, "standard")]).await;
    let tienda = shop(&app, &co, "Tienda Chapinero", "retail", 1000, &[("CAMISA", 59900, "standard")]).await;
    let cart = [(&arepas, "AREPA", 1), (&tienda, "CAMISA", 1)];
    let answer = quote(&app, &co, "web", &cart, &[], None).await;
    let q = &answer["quote"];
    let cop = |amount: i64| json!({"amount": amount, "currency": "COP"});
    // 20000 × 8 / 108 = 1481.48 → 1481; 59900 × 19 / 119 = 9563.9 → 9564.
    assert_eq!(
        line(q, "AREPA")["tax"],
        json!({"code": "INC", "rate_bps": 800, "base": cop(18519), "amount": cop(1481)})
    );
    assert_eq!(
        line(q, "CAMISA")["tax"],
        json!({"code": "IVA", "rate_bps": 1900, "base": cop(50336), "amount": cop(9564)})
    );
    let labels: Vec<&str> = q["taxes"].as_array().unwrap().iter().map(|t| t["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["INC 8%", "IVA 19%"]);
    for quoted_part in q["parts"].as_array().unwrap() {
        assert_eq!(
            quoted_part["taxes"].as_array().map(Vec::len),
            Some(1),
            "each part has its own taxes: {quoted_part}"
        );
    }

    // The order's lines keep the tax they were sold with.
    let mut body = order_body(&co, "web", &cart, &[], Some("cliente@example.co"));
    body["payment"] = json!({"method": "pay_at_pickup"});
    let order = place_ok(&app, &body).await;
    assert_eq!(order["total"], cop(79_900));
    let arepa_line = &part(&order, &arepas)["lines"][0];
    assert_eq!(arepa_line["name"], "Producto AREPA", "the product's name is kept on the line");
    assert_eq!(arepa_line["tax"], json!({"code": "INC", "rate_bps": 800, "amount": cop(1481)}));
    assert_eq!(part(&order, &tienda)["lines"][0]["tax"]["code"], "IVA");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// One price on every channel.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_promotion_applies_on_web_and_pos_alike() {
    let app = TestApp::spawn().await;
    let cl = santiago(&app).await;
    let sangucheria = shop(
        &app,
        &cl,
        "Sanguchería",
        "restaurant",
        1000,
        &[("LOMITO", 8990, "standard"), ("BEBIDA", 1990, "standard"), ("PAPAS", 2990, "standard")],
    )
    .await;
    let (m, token) = (&sangucheria.id, &sangucheria.manager);
    promotion(&app, token, promo(m, "Combo lomito", bundle(&["LOMITO", "BEBIDA"], 9990), json!({}))).await;
    promotion(&app, token, promo(m, "15% todo", order_off(1500), json!({}))).await;

    // The same cart costs the same through web and POS, quoted or ordered.
    let cart = [(&sangucheria, "LOMITO", 1), (&sangucheria, "BEBIDA", 1)];
    let mut totals = Vec::new();
    for channel in ["web", "pos"] {
        let answer = quote(&app, &cl, channel, &cart, &[], None).await;
        let q = &answer["quote"];
        // The combo saves 10980 − 9990 = 990; then 15 % of 9990 = 1498.5 → 1499.
        assert_applied(q, "Combo lomito", 990);
        assert_applied(q, "15% todo", 1499);
        assert_eq!(q["total"], clp(8491), "{channel}: {q}");
        let order = place_ok(&app, &order_body(&cl, channel, &cart, &[], Some("ana@example.com"))).await;
        assert_eq!(order["channel"], channel);
        assert_eq!(order["total"], q["total"], "{channel}: the order costs what the quote said");
        assert_eq!(order["discount"], q["discount"], "{channel}: same discount");
        assert_eq!(order["payment"]["captured"], q["total"], "{channel}: the card is charged the discounted total");
        totals.push(order["total"].clone());
    }
    assert_eq!(totals[0], totals[1], "web and POS charge the same");

    // A promotion limited to the web: applies there, and says wrong_channel at the till.
    let web_only = json!({
        "merchant_id": m, "name": "Papas web", "channels": ["web"],
        "kind": {"type": "amount_off_lines", "amount": clp(500), "skus": ["PAPAS"]},
    });
    promotion(&app, token, web_only).await;
    let fries = [(&sangucheria, "PAPAS", 2)];
    let web = quote(&app, &cl, "web", &fries, &[], None).await;
    assert_applied(&web["quote"], "Papas web", 1000);
    // 5980 − 1000 = 4980; 15 % = 747.
    assert_eq!(web["quote"]["total"], clp(4233));
    let pos = quote(&app, &cl, "pos", &fries, &[], None).await;
    assert_not_applied(&pos["quote"], "Papas web", "wrong_channel");
    let explained = line(&pos["quote"], "PAPAS")["not_applied"].as_array().unwrap().clone();
    assert!(
        explained.iter().any(|n| n["name"] == "Papas web" && n["reason"]["code"] == "wrong_channel"),
        "the line says why: {explained:?}"
    );
    // 5980 × 15 % = 897.
    assert_eq!(pos["quote"]["total"], clp(5083));
    let web_order = place_ok(&app, &order_body(&cl, "web", &fries, &[], None)).await;
    let pos_order = place_ok(&app, &order_body(&cl, "pos", &fries, &[], None)).await;
    assert_eq!((web_order["total"].clone(), pos_order["total"].clone()), (clp(4233), clp(5083)));
    let web_line = &part(&web_order, &sangucheria)["lines"][0];
    assert_eq!(
        (web_line["unit_price"].clone(), web_line["gross"].clone(), web_line["discount"].clone()),
        (clp(2990), clp(5980), clp(1747))
    );
    assert_eq!(web_line["total"], clp(4233));
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Orders placed at a quote's prices.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_keeps_the_quoted_price_and_never_changes_after() {
    let app = TestApp::spawn().await;
    let cl = santiago(&app).await;
    let nonna = shop(&app, &cl, "Pizza Nonna", "restaurant", 1200, &[("PIZZA", 10000, "standard")]).await;
    let token = &nonna.manager;
    let list = price_list(&app, token, &list_body(&nonna, "Carta", &[("PIZZA", 9000)])).await;
    let list_path = format!("/api/v1/price-lists/{}", text(&list["id"]));
    let cart = [(&nonna, "PIZZA", 2)];
    let ana = Some("ana@example.com");

    let quoted = quote(&app, &cl, "web", &cart, &[], ana).await;
    assert_eq!(quoted["quote"]["total"], clp(18_000));
    let quote_id = text(&quoted["quote_id"]);

    // The price goes up after the quote.
    put(&app, &list_path, token, &list_body(&nonna, "Carta", &[("PIZZA", 12000)]))
        .await
        .expect(StatusCode::OK, "raise the price");
    let fresh = quote(&app, &cl, "web", &cart, &[], ana).await;
    assert_eq!(fresh["quote"]["total"], clp(24_000), "a new quote has the new price");

    // With the quote: the quoted price. Without: the new one.
    let mut with_quote = order_body(&cl, "web", &cart, &[], ana);
    with_quote["quote_id"] = json!(quote_id);
    let honoured = place_ok(&app, &with_quote).await;
    assert_eq!(honoured["total"], clp(18_000), "the quote's prices are honoured: {honoured}");
    let honoured_line = part(&honoured, &nonna)["lines"][0].clone();
    assert_eq!(honoured_line["unit_price"], clp(9000));
    assert_eq!(honoured_line["total"], clp(18_000));
    assert_eq!(honoured["payment"]["captured"], clp(18_000));
    let current = place_ok(&app, &order_body(&cl, "web", &cart, &[], ana)).await;
    assert_eq!(current["total"], clp(24_000), "without a quote the current price applies");

    // A quote only fits its own cart: other lines, channel or customer are refused.
    let mut other_cart = order_body(&cl, "web", &[(&nonna, "PIZZA", 3)], &[], ana);
    other_cart["quote_id"] = json!(quote_id);
    assert_field(&place(&app, &other_cart).await, "quote_id", "a quote for another quantity");
    let mut other_channel = order_body(&cl, "pos", &cart, &[], ana);
    other_channel["quote_id"] = json!(quote_id);
    assert_field(&place(&app, &other_channel).await, "quote_id", "a quote for another channel");
    let mut other_customer = order_body(&cl, "web", &cart, &[], Some("bob@example.com"));
    other_customer["quote_id"] = json!(quote_id);
    assert_field(&place(&app, &other_customer).await, "quote_id", "a quote for another customer");
    let mut unknown = order_body(&cl, "web", &cart, &[], ana);
    unknown["quote_id"] = json!("quo_does_not_exist");
    assert_field(&place(&app, &unknown).await, "quote_id", "an unknown quote");

    // An expired quote (its copy, dated 20 minutes back in the database) is 409 quote_expired.
    let store = omnicanal_store::connect(app.database_url()).await.expect("open the app's database");
    let row = store.get_quote(&quote_id).await.expect("read the quote").expect("the quote is stored");
    assert_eq!(row.site_id, cl.id);
    let expired = omnicanal_store::QuoteRow {
        id: format!("quo_expired_{}", random_hex()),
        created_at_ms: row.created_at_ms - 20 * 60 * 1000,
        expires_at_ms: row.created_at_ms - 5 * 60 * 1000,
        ..row
    };
    store.insert_quote(&expired).await.expect("store the expired copy");
    drop(store);
    let mut late = order_body(&cl, "web", &cart, &[], ana);
    late["quote_id"] = json!(expired.id);
    let problem = place(&app, &late).await.expect_problem(StatusCode::CONFLICT, "an expired quote");
    assert_eq!(problem["code"], "quote_expired", "{problem}");

    // Later price changes never alter placed orders.
    let before = get_order(&app, &honoured).await;
    assert_eq!(before["fulfillments"], honoured["fulfillments"], "the stored order is what was answered");
    put(&app, &list_path, token, &list_body(&nonna, "Carta", &[("PIZZA", 15000)]))
        .await
        .expect(StatusCode::OK, "raise again");
    let mut web = list_body(&nonna, "Web", &[("PIZZA", 5000)]);
    web["channel"] = json!("web");
    price_list(&app, token, &web).await;
    promotion(&app, token, promo(&nonna.id, "Mitad", order_off(5000), json!({}))).await;
    app.send(Method::DELETE, &list_path, Some(token), common::Body::None, &[])
        .await
        .expect(StatusCode::NO_CONTENT, "delete the list");
    for order in [&honoured, &current] {
        let after = get_order(&app, order).await;
        assert_eq!(after["total"], order["total"], "the total never changes");
        assert_eq!(after["discount"], order["discount"]);
        let lines_of =
            |o: &Value| o["fulfillments"].as_array().unwrap().iter().map(|p| p["lines"].clone()).collect::<Vec<_>>();
        assert_eq!(lines_of(&after), lines_of(order), "the lines never change");
        for (a, b) in after["fulfillments"].as_array().unwrap().iter().zip(order["fulfillments"].as_array().unwrap()) {
            for field in ["gross", "discount", "subtotal", "merchant_funded", "operator_funded", "document"] {
                assert_eq!(a[field], b[field], "part {field} never changes");
            }
        }
    }
    let fresh = quote(&app, &cl, "web", &cart, &[], ana).await;
    assert_eq!(fresh["quote"]["total"], clp(5000), "new carts do see the new prices");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Coupons.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn coupons_respect_their_limits() {
    let app = TestApp::spawn().await;
    let cl = santiago(&app).await;
    let empanadas = shop(&app, &cl, "Empanadas", "restaurant", 1000, &[("EMPANADA", 2500, "standard")]).await;
    let token = &empanadas.manager;
    let promo =
        promotion(&app, token, promo(&empanadas.id, "Cupón 20%", order_off(2000), json!({"requires_coupon": true})))
            .await;
    let coupons_path = format!("/api/v1/promotions/{}/coupons", text(&promo["id"]));
    let new_coupon = |body: Value| {
        let app = &app;
        let path = coupons_path.clone();
        async move { app.post(&path, Some(token), &body).await }
    };
    let verano = new_coupon(json!({"code": "verano", "usage_limit": 2})).await.expect(StatusCode::CREATED, "coupon");
    assert_eq!((verano["code"].clone(), verano["used"].clone()), (json!("VERANO"), json!(0)), "codes are upper case");
    new_coupon(json!({"code": "UNOXCLIENTE", "per_customer_limit": 1})).await.expect(StatusCode::CREATED, "coupon");
    let ultimo = new_coupon(json!({"code": "ULTIMO", "usage_limit": 1})).await.expect(StatusCode::CREATED, "coupon");
    let apagado = new_coupon(json!({"code": "APAGADO"})).await.expect(StatusCode::CREATED, "coupon");
    let taken = new_coupon(json!({"code": " Verano "})).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "a taken code is 409: {}", taken.body);
    common::assert_problem_shape(&taken, "a taken code");
    let cart = [(&empanadas, "EMPANADA", 1)];

    // Without a code the promotion says it needs one; with it, 20 % off.
    let plain = quote(&app, &cl, "web", &cart, &[], None).await;
    assert_not_applied(&plain["quote"], "Cupón 20%", "coupon_required");
    let with = quote(&app, &cl, "web", &cart, &["verano"], None).await;
    assert_eq!(coupon_outcome(&with["quote"], "VERANO")["applied"], true);
    assert_eq!(with["quote"]["total"], clp(2000));

    // A total limit of 2: the third order is refused with 409, and quotes explain it.
    for email in ["a@example.com", "b@example.com"] {
        let order = place_ok(&app, &order_body(&cl, "web", &cart, &["VERANO"], Some(email))).await;
        assert_eq!(order["total"], clp(2000));
        assert_eq!(order["discount"], clp(500));
    }
    let third = place(&app, &order_body(&cl, "web", &cart, &["VERANO"], Some("c@example.com"))).await;
    let problem = third.expect_problem(StatusCode::CONFLICT, "a used-up coupon");
    assert_eq!(problem["code"], "coupon_unavailable", "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("VERANO"), "the problem names the code: {problem}");
    let used_up = quote(&app, &cl, "web", &cart, &["VERANO"], Some("c@example.com")).await;
    let q = &used_up["quote"];
    assert_eq!(coupon_outcome(q, "VERANO")["reason"]["code"], "coupon_limit_reached");
    assert_eq!(coupon_outcome(q, "VERANO")["applied"], false);
    assert_not_applied(q, "Cupón 20%", "coupon_limit_reached");
    assert_eq!(q["total"], clp(2500));
    let listed = app.get(&coupons_path, Some(token)).await.expect(StatusCode::OK, "list coupons");
    let verano_now = listed.as_array().unwrap().iter().find(|c| c["code"] == "VERANO").expect("listed").clone();
    assert_eq!(verano_now["used"], 2, "two uses counted: {verano_now}");

    // Once per customer, by e-mail (case does not matter).
    place_ok(&app, &order_body(&cl, "web", &cart, &["UNOXCLIENTE"], Some("ana@example.com"))).await;
    let again = place(&app, &order_body(&cl, "web", &cart, &["UNOXCLIENTE"], Some("ANA@Example.com"))).await;
    assert_eq!(again.expect_problem(StatusCode::CONFLICT, "a second use by Ana")["code"], "coupon_unavailable");
    let ana_again = quote(&app, &cl, "web", &cart, &["UNOXCLIENTE"], Some("ana@example.com")).await;
    assert_eq!(coupon_outcome(&ana_again["quote"], "UNOXCLIENTE")["reason"]["code"], "customer_limit_reached");
    place_ok(&app, &order_body(&cl, "web", &cart, &["UNOXCLIENTE"], Some("bob@example.com"))).await;
    let anonymous = quote(&app, &cl, "web", &cart, &["UNOXCLIENTE"], None).await;
    assert_eq!(coupon_outcome(&anonymous["quote"], "UNOXCLIENTE")["reason"]["code"], "customer_unknown");
    assert_field(
        &place(&app, &order_body(&cl, "web", &cart, &["UNOXCLIENTE"], None)).await,
        "customer.email",
        "a per-customer coupon without e-mail or phone",
    );

    // An unknown code: explained in a quote, refused (422) by an order.
    let unknown = quote(&app, &cl, "web", &cart, &["NOEXISTE"], None).await;
    let explained = coupon_outcome(&unknown["quote"], "NOEXISTE");
    assert_eq!(
        (explained["reason"]["code"].clone(), explained["promotion_id"].clone()),
        (json!("unknown_coupon"), Value::Null)
    );
    assert_field(
        &place(&app, &order_body(&cl, "web", &cart, &["NOEXISTE"], None)).await,
        "coupon_codes[0]",
        "unknown code",
    );

    // A switched-off coupon is refused.
    let patch = json!({"active": false});
    let switched = app
        .send(
            Method::PATCH,
            &format!("/api/v1/coupons/{}", text(&apagado["id"])),
            Some(token),
            common::Body::Json(patch),
            &[],
        )
        .await
        .expect(StatusCode::OK, "switch a coupon off");
    assert_eq!(switched["active"], false);
    let off = quote(&app, &cl, "web", &cart, &["APAGADO"], None).await;
    assert_eq!(coupon_outcome(&off["quote"], "APAGADO")["reason"]["code"], "inactive");
    let refused = place(&app, &order_body(&cl, "web", &cart, &["APAGADO"], None)).await;
    assert_eq!(refused.expect_problem(StatusCode::CONFLICT, "a switched-off coupon")["code"], "coupon_unavailable");

    // A quote does not reserve a use: the last use taken meanwhile refuses the quoted order.
    let quoted = quote(&app, &cl, "web", &cart, &["ULTIMO"], Some("late@example.com")).await;
    assert_eq!(coupon_outcome(&quoted["quote"], "ULTIMO")["applied"], true);
    place_ok(&app, &order_body(&cl, "web", &cart, &["ULTIMO"], Some("first@example.com"))).await;
    let mut late = order_body(&cl, "web", &cart, &["ULTIMO"], Some("late@example.com"));
    late["quote_id"] = quoted["quote_id"].clone();
    let late = place(&app, &late).await;
    assert_eq!(
        late.expect_problem(StatusCode::CONFLICT, "the quoted coupon was used up")["code"],
        "coupon_unavailable"
    );
    let listed = app.get(&coupons_path, Some(token)).await.expect(StatusCode::OK, "list coupons");
    let ultimo_now = listed.as_array().unwrap().iter().find(|c| c["id"] == ultimo["id"]).expect("listed").clone();
    assert_eq!(ultimo_now["used"], 1, "never more than its limit: {ultimo_now}");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Who pays for a promotion.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_operator_funded_promotion_is_paid_back_in_settlement() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let cl = santiago(&app).await;
    let sushi = shop(&app, &cl, "Sushi Go", "restaurant", 1000, &[("ROLL", 10000, "standard")]).await;
    let ramen = shop(&app, &cl, "Ramen Ya", "restaurant", 1500, &[("RAMEN", 8000, "standard")]).await;
    let mall_wide = promotion(&app, &admin, site_promo(&cl, "Aniversario mall", order_off(1000))).await;
    assert_eq!(mall_wide["funded_by"], "operator", "a site-wide promotion is the operator's by default: {mall_wide}");
    assert!(mall_wide["merchant_id"].is_null());
    promotion(&app, &sushi.manager, promo(&sushi.id, "Roll 5%", lines_off(500, &["ROLL"]), json!({}))).await;

    let cart = [(&sushi, "ROLL", 1), (&ramen, "RAMEN", 1)];
    let quoted = quote(&app, &cl, "qr", &cart, &[], None).await;
    // Roll: 10000 − 500 = 9500; the mall's 10 % of 9500 + 8000 = 1750, shared 950 / 800.
    assert_eq!(outcome(&quoted["quote"], "Aniversario mall")["funded_by"], "operator");
    assert_applied(&quoted["quote"], "Aniversario mall", 1750);
    let order = place_ok(&app, &order_body(&cl, "qr", &cart, &[], None)).await;
    assert_eq!((order["total"].clone(), order["discount"].clone()), (clp(15_750), clp(2_250)));
    let sushi_part = part(&order, &sushi);
    let figures = |p: &Value| {
        ["gross", "discount", "merchant_funded", "operator_funded", "subtotal"].map(|field| amount(&p[field]))
    };
    assert_eq!(figures(sushi_part), [10_000, 1_450, 500, 950, 8_550], "sushi part: {sushi_part}");
    let ramen_part = part(&order, &ramen);
    assert_eq!(figures(ramen_part), [8_000, 800, 0, 800, 7_200], "ramen part: {ramen_part}");
    let roll_line = &sushi_part["lines"][0];
    assert_eq!((roll_line["gross"].clone(), roll_line["discount"].clone()), (clp(10_000), clp(1_450)));

    // net = gross − refunds + operator_funded − commission; commission on gross − refunds + operator_funded.
    let settlement = |merchant: String| {
        let app = &app;
        let admin = admin.clone();
        async move { app.settlement(&admin, &merchant, &[]).await.expect(StatusCode::OK, "settlement") }
    };
    let s = settlement(sushi.id.clone()).await;
    assert_eq!(s["promotions"], json!({"merchant_funded": clp(500), "operator_funded": clp(950)}), "{s}");
    assert_eq!((s["gross"].clone(), s["refunds"].clone()), (clp(8_550), clp(0)));
    assert_eq!(s["commission"], clp(950), "10 % of 8550 + 950: {s}");
    assert_eq!(s["net"], clp(8_550 + 950 - 950));
    let s = settlement(ramen.id.clone()).await;
    assert_eq!(s["promotions"]["operator_funded"], clp(800));
    assert_eq!(s["commission"], clp(1_200), "15 % of 7200 + 800: {s}");
    assert_eq!(s["net"], clp(7_200 + 800 - 1_200));
    let manager_view = app.settlement(&ramen.manager, &ramen.id, &[]).await.expect(StatusCode::OK, "own settlement");
    assert_eq!(manager_view, s, "the manager sees the same settlement");

    // A rejected part is refunded and the operator owes nothing for it.
    app.post(
        &format!("/api/v1/fulfillments/{}/transition", text(&ramen_part["id"])),
        Some(&admin),
        &json!({"to": "rejected", "reason": "sin fideos"}),
    )
    .await
    .expect(StatusCode::OK, "reject the ramen");
    let s = settlement(ramen.id.clone()).await;
    assert_eq!((s["gross"].clone(), s["refunds"].clone()), (clp(7_200), clp(7_200)));
    assert_eq!(s["promotions"]["operator_funded"], clp(0), "no promotion owed on a rejected part: {s}");
    assert_eq!((s["commission"].clone(), s["net"].clone()), (clp(0), clp(0)));
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Tax documents.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn each_merchant_numbers_its_own_tax_documents() {
    let app = TestApp::spawn().await;
    let cl = santiago(&app).await;
    let a = shop(&app, &cl, "Completos", "restaurant", 1000, &[("COMPLETO", 3000, "standard")]).await;
    let b = shop(&app, &cl, "Jugos", "restaurant", 1000, &[("JUGO", 2000, "standard")]).await;
    let only_a = [(&a, "COMPLETO", 1)];
    let both = [(&a, "COMPLETO", 1), (&b, "JUGO", 1)];
    let only_b = [(&b, "JUGO", 1)];
    let factura = |cart: &[(&Shop, &str, i64)]| {
        let mut body = order_body(&cl, "pos", cart, &[], None);
        body["customer"]["tax_id"] = json!("77.777.777-7");
        body
    };
    let boleta = |number: i64| ("boleta".to_owned(), number);
    let factura_no = |number: i64| ("factura".to_owned(), number);

    let first = place_ok(&app, &order_body(&cl, "web", &only_a, &[], None)).await;
    assert_eq!(document(&first, &a), boleta(1));
    let second = place_ok(&app, &order_body(&cl, "qr", &both, &[], None)).await;
    assert_eq!(
        (document(&second, &a), document(&second, &b)),
        (boleta(2), boleta(1)),
        "each merchant its own sequence"
    );
    let third = place_ok(&app, &order_body(&cl, "pos", &only_b, &[], None)).await;
    assert_eq!(document(&third, &b), boleta(2));
    let with_tax_id = place_ok(&app, &factura(&only_a)).await;
    assert_eq!(document(&with_tax_id, &a), factura_no(1), "a tax id asks for a factura, numbered on its own");
    assert_eq!(with_tax_id["customer"]["tax_id"], "77.777.777-7");
    let fourth = place_ok(&app, &order_body(&cl, "web", &only_a, &[], None)).await;
    assert_eq!(document(&fourth, &a), boleta(3), "boletas continue after a factura");
    let both_facturas = place_ok(&app, &factura(&both)).await;
    assert_eq!((document(&both_facturas, &a), document(&both_facturas, &b)), (factura_no(2), factura_no(1)));
    assert_eq!(
        get_order(&app, &both_facturas).await["fulfillments"],
        both_facturas["fulfillments"],
        "stored as answered"
    );

    let mut blank = order_body(&cl, "web", &only_a, &[], None);
    blank["customer"]["tax_id"] = json!("   ");
    assert_field(&place(&app, &blank).await, "customer.tax_id", "a blank tax id");
    let fifth = place_ok(&app, &order_body(&cl, "web", &only_a, &[], None)).await;
    assert_eq!(document(&fifth, &a), boleta(4), "a refused order takes no number");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Refusals.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_pricing_input_is_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let cl = santiago(&app).await;
    let a =
        shop(&app, &cl, "Heladería", "restaurant", 1000, &[("HELADO", 2500, "standard"), ("CONO", 1500, "standard")])
            .await;
    let b = shop(&app, &cl, "Cafetería", "restaurant", 1000, &[("CAFE", 2000, "standard")]).await;
    let token = &a.manager;
    let create = |body: Value| {
        let app = &app;
        async move { app.post("/api/v1/promotions", Some(token), &body).await }
    };
    let percent = |bps: i64| promo(&a.id, "Mucho", order_off(bps), json!({}));
    let with = |extra: Value| promo(&a.id, "Con extra", order_off(100), extra);

    // Promotions.
    assert_field(&create(percent(10_001)).await, "kind.bps", "more than 100 %");
    assert_field(&create(percent(0)).await, "kind.bps", "0 %");
    let two_for_one = json!({"type": "buy_x_get_y", "skus": ["HELADO"], "buy": 1, "get": 1, "get_off_bps": 10_001});
    assert_field(&create(promo(&a.id, "2x1", two_for_one, json!({}))).await, "kind.get_off_bps", "more than free");
    let negative = promo(&a.id, "Combo", bundle(&["HELADO", "CONO"], -1), json!({}));
    assert_field(&create(negative).await, "kind.price", "a negative bundle price");
    let soles = json!({"type": "amount_off_order", "amount": {"amount": 100, "currency": "PEN"}});
    assert_field(&create(promo(&a.id, "Soles", soles, json!({}))).await, "kind.amount", "another currency");
    let backwards = with(json!({"valid_from": "2030-01-02", "valid_to": "2030-01-01"}));
    assert_field(&create(backwards).await, "valid_to", "a window that ends before it starts");
    let hours = with(json!({"happy_hour": {"weekdays": [1, 2], "start": "25:00", "end": "18:00"}}));
    assert_field(&create(hours).await, "happy_hour.start", "an hour that does not exist");
    assert_field(&create(with(json!({"channels": ["fax"]}))).await, "channels[0]", "an unknown channel");
    let elsewhere = with(json!({"location_ids": [b.location_id]}));
    assert_field(&create(elsewhere).await, "location_ids[0]", "another merchant's location");
    let operator = with(json!({"funded_by": "operator"}));
    assert_field(&create(operator.clone()).await, "funded_by", "a manager spending the operator's money");
    app.post("/api/v1/promotions", Some(&admin), &operator).await.expect(StatusCode::CREATED, "the admin may");
    let site_wide = site_promo(&cl, "Mall", order_off(100));
    create(site_wide).await.expect_problem(StatusCode::FORBIDDEN, "a manager creating a site-wide promotion");
    let no_site = json!({"merchant_id": null, "name": "Mall", "kind": order_off(100)});
    let resp = app.post("/api/v1/promotions", Some(&admin), &no_site).await;
    assert_field(&resp, "site_id", "a site-wide promotion needs its site");
    let resp = create(promo(&a.id, "Rara", json!({"type": "free_lunch"}), json!({}))).await;
    assert!(resp.status == StatusCode::UNPROCESSABLE_ENTITY, "an unknown kind is 422: {}", resp.body);
    let nobody = promo("mer_nobody", "X", order_off(100), json!({}));
    create(nobody).await.expect_problem(StatusCode::NOT_FOUND, "an unknown merchant");

    // Another merchant's manager sees no promotion, price list or coupon of A's.
    let own = promotion(&app, token, percent(1000)).await;
    let promo_path = format!("/api/v1/promotions/{}", text(&own["id"]));
    app.get(&promo_path, Some(&b.manager)).await.expect_problem(StatusCode::NOT_FOUND, "read another's promotion");
    put(&app, &promo_path, &b.manager, &percent(2000)).await.expect_problem(StatusCode::NOT_FOUND, "update another's");
    app.get(&format!("{promo_path}/coupons"), Some(&b.manager))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "list another's coupons");
    let updated = put(&app, &promo_path, token, &percent(2000)).await.expect(StatusCode::OK, "update own");
    assert_eq!(updated["kind"]["bps"], 2000);
    let listed = app.get("/api/v1/promotions", Some(&b.manager)).await.expect(StatusCode::OK, "list own promotions");
    assert_eq!(listed, json!([]), "B's manager lists only B's promotions");
    let list = price_list(&app, token, &list_body(&a, "Base", &[("HELADO", 2000)])).await;
    app.get(&format!("/api/v1/price-lists/{}", text(&list["id"])), Some(&b.manager))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "read another's price list");
    let mut stolen = list_body(&b, "Robada", &[("HELADO", 1)]);
    stolen["merchant_id"] = json!(a.id);
    app.post("/api/v1/price-lists", Some(&b.manager), &stolen)
        .await
        .expect_problem(StatusCode::NOT_FOUND, "create a list for another merchant");

    // Coupons.
    let plain_coupon = app.post(&format!("{promo_path}/coupons"), Some(token), &json!({"code": "SINCUPON"})).await;
    assert_field(&plain_coupon, "code", "a coupon for a promotion that needs none");
    let coupon_promo =
        promotion(&app, token, promo(&a.id, "Con cupón", order_off(100), json!({"requires_coupon": true}))).await;
    let coupons = format!("/api/v1/promotions/{}/coupons", text(&coupon_promo["id"]));
    app.post(&coupons, Some(token), &json!({"code": "HELADO10"})).await.expect(StatusCode::CREATED, "coupon");
    let dup = app.post(&coupons, Some(token), &json!({"code": "helado10"})).await;
    assert_eq!(dup.expect_problem(StatusCode::CONFLICT, "a taken code")["code"], "conflict");
    assert_field(&app.post(&coupons, Some(token), &json!({"code": "no spaces"})).await, "code", "a bad code");
    assert_field(
        &app.post(&coupons, Some(token), &json!({"code": "LIMITE", "usage_limit": 0})).await,
        "usage_limit",
        "0 uses",
    );

    // Price lists.
    let priced = |name: &str, price: i64| list_body(&a, name, &[("HELADO", price)]);
    assert_field(
        &app.post("/api/v1/price-lists", Some(token), &priced("Negativa", -1)).await,
        "prices[0].price",
        "negative",
    );
    let unknown_sku = list_body(&a, "Desconocida", &[("HELADO", 100), ("NOEXISTE", 100)]);
    assert_field(&app.post("/api/v1/price-lists", Some(token), &unknown_sku).await, "prices[1].sku", "unknown SKU");
    let theirs = list_body(&a, "Ajena", &[("CAFE", 100)]);
    assert_field(&app.post("/api/v1/price-lists", Some(token), &theirs).await, "prices[0].sku", "another's SKU");
    let twice = list_body(&a, "Doble", &[("HELADO", 100), ("HELADO", 200)]);
    assert_field(&app.post("/api/v1/price-lists", Some(token), &twice).await, "prices[1].sku", "a SKU twice");
    let empty = list_body(&a, "Vacía", &[]);
    assert_field(&app.post("/api/v1/price-lists", Some(token), &empty).await, "prices", "no prices");
    let mut dollars = priced("Dólares", 100);
    dollars["prices"][0]["price"]["currency"] = json!("USD");
    assert_field(&app.post("/api/v1/price-lists", Some(token), &dollars).await, "prices[0].price", "another currency");

    // Windows of one scope: disjoint or nested, never partly overlapping or identical.
    let windowed = |name: &str, from: &str, to: &str| {
        let mut body = priced(name, 1900);
        body["valid_from"] = json!(from);
        body["valid_to"] = json!(to);
        body
    };
    let christmas = price_list(&app, token, &windowed("Navidad", "2030-12-01", "2031-01-01")).await;
    let overlap =
        app.post("/api/v1/price-lists", Some(token), &windowed("Año nuevo", "2030-12-20", "2031-01-10")).await;
    assert_field(&overlap, "valid_from", "a partly overlapping window");
    assert!(
        overlap.body["errors"][0]["message"].as_str().unwrap().contains("Navidad"),
        "names the other list: {}",
        overlap.body
    );
    let same = app.post("/api/v1/price-lists", Some(token), &windowed("Navidad bis", "2030-12-01", "2031-01-01")).await;
    assert_field(&same, "valid_from", "the identical window");
    price_list(&app, token, &windowed("Nochebuena", "2030-12-24T18:00", "2030-12-25")).await;
    price_list(&app, token, &windowed("Enero", "2031-01-01", "2031-02-01")).await;
    let mut other_scope = windowed("Año nuevo web", "2030-12-20", "2031-01-10");
    other_scope["channel"] = json!("web");
    price_list(&app, token, &other_scope).await;
    let backwards =
        app.post("/api/v1/price-lists", Some(token), &windowed("Al revés", "2031-03-01", "2031-02-01")).await;
    assert_field(&backwards, "valid_to", "a window that ends before it starts");
    let bad_date = app.post("/api/v1/price-lists", Some(token), &windowed("Mala", "mañana", "2031-02-01")).await;
    assert_field(&bad_date, "valid_from", "a date that is not one");
    // Moving a list into a conflict is refused too; the list keeps its window.
    let christmas_path = format!("/api/v1/price-lists/{}", text(&christmas["id"]));
    let moved = put(&app, &christmas_path, token, &windowed("Navidad", "2030-12-15", "2031-01-15")).await;
    assert_field(&moved, "valid_from", "moving Christmas over January");
    let kept = app.get(&christmas_path, Some(token)).await.expect(StatusCode::OK, "read the list");
    assert_eq!(kept["valid_from"], christmas["valid_from"]);

    // Quotes.
    let cart = [(&a, "HELADO", 1)];
    let mut body = quote_body(&cl, "web", &cart, &[], None);
    body["site_id"] = json!("site_nowhere");
    assert_field(&app.post("/api/v1/pricing/quote", None, &body).await, "site_id", "an unknown site");
    let body = quote_body(&cl, "fax", &cart, &[], None);
    assert_field(&app.post("/api/v1/pricing/quote", None, &body).await, "channel", "an unknown channel");
    let body = quote_body(&cl, "web", &[(&a, "HELADO", 0)], &[], None);
    assert_field(&app.post("/api/v1/pricing/quote", None, &body).await, "lines[0].quantity", "zero units");
    let body = quote_body(&cl, "web", &[(&a, "CAFE", 1)], &[], None);
    let resp = app.post("/api/v1/pricing/quote", None, &body).await;
    assert_field(&resp, "lines[0].sku", "a SKU the location's merchant does not sell");
    let body = quote_body(&cl, "web", &cart, &["x".repeat(65).as_str()], None);
    assert_field(&app.post("/api/v1/pricing/quote", None, &body).await, "coupon_codes[0]", "a code too long");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Events.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn price_changes_reach_a_webhook() {
    let receiver = Receiver::start(0).await;
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let cl = santiago(&app).await;
    let shop = shop(&app, &cl, "Pastelería", "restaurant", 1000, &[("TORTA", 15000, "standard")]).await;
    let webhook = app
        .post("/api/v1/webhooks", Some(&admin), &json!({"url": receiver.url(), "events": ["price.changed"]}))
        .await
        .expect(StatusCode::CREATED, "register a webhook for price.changed");
    let secret = text(&webhook["secret"]);

    let list = price_list(&app, &shop.manager, &list_body(&shop, "Fin de semana", &[("TORTA", 13000)])).await;
    let list_id = text(&list["id"]);
    let promo = promotion(
        &app,
        &shop.manager,
        promo(&shop.id, "Torta 10%", json!({"type": "percent_off_lines", "bps": 1000}), json!({})),
    )
    .await;
    let promo_id = text(&promo["id"]);
    let about = |id: &str| {
        let id = id.to_owned();
        move |a: &common::webhook::Attempt| {
            let body = a.json();
            a.event_type() == "price.changed"
                && (body["data"]["price_list_id"] == id.as_str() || body["data"]["promotion_id"] == id.as_str())
        }
    };
    let (for_list, for_promo) = (about(&list_id), about(&promo_id));
    let attempts = receiver
        .wait_until(10, "price.changed for the price list and the promotion", |all| {
            all.iter().any(&for_list) && all.iter().any(&for_promo)
        })
        .await;
    let delivered = attempts.iter().find(|a| for_list(a)).unwrap();
    assert!(signature_is_valid(&secret, delivered), "the delivery is signed");
    let data = &delivered.json()["data"];
    assert_eq!(data["action"], "created", "{data}");
    assert_eq!(data["merchant_id"], shop.id.as_str());
    assert_eq!(data["prices"], json!([{"sku": "TORTA", "price": clp(13000)}]), "the event carries the prices: {data}");
    let promo_data = attempts.iter().find(|a| for_promo(a)).unwrap().json()["data"].clone();
    assert_eq!((promo_data["cause"].clone(), promo_data["action"].clone()), (json!("promotion"), json!("created")));
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Receipts, tax documents and the order's quote.

/// GETs raw bytes: status, content type and body.
async fn get_bytes(app: &TestApp, path: &str, token: Option<&str>) -> (StatusCode, String, Vec<u8>) {
    let mut request = app.client.get(app.url(path)).timeout(std::time::Duration::from_secs(15));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.bytes().await.unwrap_or_else(|e| panic!("GET {path}: body: {e}")).to_vec();
    assert!(!status.is_server_error(), "GET {path}: {status}: {}", String::from_utf8_lossy(&body));
    (status, content_type, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn receipts_and_tax_documents_print_in_every_format() {
    let app = TestApp::spawn().await;
    let cl = santiago(&app).await;
    let a = shop(&app, &cl, "Fuente Alemana", "restaurant", 1000, &[("LOMO", 9000, "standard")]).await;
    let b = shop(&app, &cl, "Jugos Naturales", "restaurant", 1000, &[("JUGO", 3000, "standard")]).await;
    promotion(&app, &a.manager, promo(&a.id, "Lomo 10%", lines_off(1000, &["LOMO"]), json!({}))).await;
    let admin = app.admin_token().await;
    let cart = [(&a, "LOMO", 1), (&b, "JUGO", 2)];
    let order = place_ok(&app, &order_body(&cl, "web", &cart, &[], Some("ana@example.com"))).await;
    let token = text(&order["tracking_token"]);
    let order_id = text(&order["id"]);
    let a_part = text(&part(&order, &a)["id"]);
    assert_eq!(document(&order, &a), ("boleta".to_owned(), 1));
    let with = |path: &str, params: &[(&str, &str)]| format!("{path}?{}", qs(params));

    // A's boleta: its own tax id and number, the discount and the IVA.
    let doc_path = format!("/api/v1/fulfillments/{a_part}/document");
    let (status, content_type, html) = get_bytes(&app, &with(&doc_path, &[("token", &token)]), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = String::from_utf8(html).expect("HTML is UTF-8");
    assert!(html.contains(&a.tax_id), "the boleta shows the merchant's tax id {}: {html}", a.tax_id);
    assert!(html.contains("000001"), "the boleta shows its number: {html}");
    assert!(html.contains("Lomo 10%"), "the boleta names the discount: {html}");
    assert!(html.contains("IVA 19%"), "the boleta shows the tax: {html}");
    assert!(!html.contains("JUGO") && !html.contains("Producto JUGO"), "only A's lines on A's boleta");
    let (status, content_type, pdf) =
        get_bytes(&app, &with(&doc_path, &[("token", &token), ("format", "pdf")]), None).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF-"), "a PDF: {:?}", &pdf[..pdf.len().min(16)]);
    for width in ["58", "80"] {
        let path = with(&doc_path, &[("token", &token), ("format", "escpos"), ("width", width)]);
        let (status, _, escpos) = get_bytes(&app, &path, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(escpos.starts_with(&[0x1b, 0x40]), "ESC/POS starts with ESC @ ({width} mm): {:?}", &escpos[..4]);
    }
    // The staff of that merchant may print it; another merchant's may not.
    let (status, _, _) = get_bytes(&app, &doc_path, Some(&a.manager)).await;
    assert_eq!(status, StatusCode::OK, "A's manager prints A's boleta");
    let (status, _, _) = get_bytes(&app, &doc_path, Some(&b.manager)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "B's manager may not");
    let (status, _, _) = get_bytes(&app, &with(&doc_path, &[("token", "wrong-token")]), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a wrong token is 404");
    let (status, _, _) = get_bytes(&app, &doc_path, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no token is 404");
    let bad = app.get(&with(&doc_path, &[("token", &token), ("format", "xml")]), None).await;
    assert_field(&bad, "format", "an unknown format");
    let bad = app.get(&with(&doc_path, &[("token", &token), ("format", "escpos"), ("width", "70")]), None).await;
    assert_field(&bad, "width", "an unknown paper width");

    // The customer's combined receipt: both restaurants, every format.
    let receipt_path = format!("/api/v1/orders/{order_id}/receipt");
    let (status, _, html) = get_bytes(&app, &with(&receipt_path, &[("token", &token)]), None).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(html).expect("HTML is UTF-8");
    for expected in ["Producto LOMO", "Producto JUGO", "Fuente Alemana local 1", "Jugos Naturales local 1"] {
        assert!(html.contains(expected), "the receipt shows {expected}: {html}");
    }
    let (status, _, pdf) = get_bytes(&app, &with(&receipt_path, &[("token", &token), ("format", "pdf")]), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(pdf.starts_with(b"%PDF-"), "a PDF receipt");
    let path = with(&receipt_path, &[("token", &token), ("format", "escpos"), ("width", "58")]);
    let (status, _, escpos) = get_bytes(&app, &path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(escpos.starts_with(&[0x1b, 0x40]), "an ESC/POS receipt");
    let (status, _, _) = get_bytes(&app, &with(&receipt_path, &[("token", "wrong-token")]), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a wrong token is 404");
    let (status, _, _) = get_bytes(&app, &receipt_path, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "platform users may print the receipt");

    // The quote the order was placed with, as stored, whatever changes later.
    let quote_path = format!("/api/v1/orders/{order_id}/quote");
    let stored = app.get(&with(&quote_path, &[("token", &token)]), None).await.expect(StatusCode::OK, "order quote");
    assert_eq!(stored["total"], order["total"], "{stored}");
    assert_applied(&stored, "Lomo 10%", 900);
    price_list(&app, &a.manager, &list_body(&a, "Cara", &[("LOMO", 99_000)])).await;
    let later = app.get(&with(&quote_path, &[("token", &token)]), None).await.expect(StatusCode::OK, "order quote");
    assert_eq!(later, stored, "the stored quote never changes");
    app.get(&with(&quote_path, &[("token", "wrong-token")]), None)
        .await
        .expect_problem(StatusCode::NOT_FOUND, "the quote with a wrong token");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Scopes: locations, channels, hours.

/// `HH:MM` of `minutes` after midnight (wrapping).
fn hhmm(minutes: i64) -> String {
    let minutes = minutes.rem_euclid(24 * 60);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_most_specific_price_and_the_promotions_scope_are_explained() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // A site on UTC, so the test knows its wall clock.
    let site = mall(&app, "CL", "CLP", "UTC").await;
    let heladeria =
        shop(&app, &site, "Heladería", "restaurant", 1000, &[("HELADO", 2000, "standard"), ("CONO", 1000, "standard")])
            .await;
    let second = app
        .post(
            "/api/v1/locations",
            Some(&admin),
            &json!({
                "merchant_id": heladeria.id, "site_id": site.id, "name": "Heladería local 2", "pay_at_pickup": true,
            }),
        )
        .await
        .expect(StatusCode::CREATED, "a second location");
    let two = Shop {
        id: heladeria.id.clone(),
        location_id: text(&second["id"]),
        manager: heladeria.manager.clone(),
        tax_id: heladeria.tax_id.clone(),
    };
    let token = &heladeria.manager;

    // Lists for the web, for location 2, and for location 2 on the web: the most specific wins.
    let mut web = list_body(&heladeria, "Web", &[("HELADO", 1800)]);
    web["channel"] = json!("web");
    let web = price_list(&app, token, &web).await;
    let mut at_two = list_body(&heladeria, "Local 2", &[("HELADO", 1500)]);
    at_two["location_id"] = json!(two.location_id);
    let at_two = price_list(&app, token, &at_two).await;
    let mut at_two_web = list_body(&heladeria, "Local 2 web", &[("HELADO", 1200)]);
    at_two_web["location_id"] = json!(two.location_id);
    at_two_web["channel"] = json!("web");
    let at_two_web = price_list(&app, token, &at_two_web).await;
    let mut elsewhere = list_body(&heladeria, "Ajena", &[("HELADO", 1)]);
    elsewhere["location_id"] = json!("loc_nowhere");
    assert_field(&app.post("/api/v1/price-lists", Some(token), &elsewhere).await, "location_id", "unknown location");

    // Promotions: one location only; a 2x1 of cones; one inside its hours and one outside.
    let one = json!({"location_ids": [heladeria.location_id]});
    promotion(&app, token, promo(&heladeria.id, "Local 1 10%", lines_off(1000, &["HELADO"]), one)).await;
    let two_for_one = json!({"type": "buy_x_get_y", "skus": ["CONO"], "buy": 1, "get": 1, "get_off_bps": 10_000});
    promotion(&app, token, promo(&heladeria.id, "2x1 conos", two_for_one, json!({}))).await;
    let now = chrono::Utc::now();
    let minute = i64::from(chrono::Timelike::hour(&now)) * 60 + i64::from(chrono::Timelike::minute(&now));
    let every_day = [1, 2, 3, 4, 5, 6, 7];
    let hours = |from: i64, to: i64| {
        let (start, end) = (hhmm(minute + from), hhmm(minute + to));
        json!({"happy_hour": {"weekdays": every_day, "start": start, "end": end}})
    };
    promotion(&app, token, promo(&heladeria.id, "Hora feliz", order_off(100), hours(-60, 60))).await;
    let closed = promotion(&app, token, promo(&heladeria.id, "Hora muerta", order_off(100), hours(120, 180))).await;
    assert_eq!(closed["happy_hour"]["start"], hhmm(minute + 120), "the hours are echoed: {closed}");

    let cart = [(&heladeria, "HELADO", 1), (&two, "HELADO", 1), (&heladeria, "CONO", 2)];
    let source = |q: &Value, location: &str| {
        let line = q["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["sku"] == "HELADO" && l["location_id"] == location)
            .unwrap_or_else(|| panic!("no HELADO line at {location}: {q}"))
            .clone();
        (amount(&line["unit_price"]), line["price_source"]["price_list_id"].clone(), line)
    };
    for (channel, at_one, at_two_expected) in [
        ("web", (1800, web["id"].clone()), (1200, at_two_web["id"].clone())),
        ("pos", (2000, Value::Null), (1500, at_two["id"].clone())),
    ] {
        let answer = quote(&app, &site, channel, &cart, &[], None).await;
        let q = &answer["quote"];
        let (price, list, _) = source(q, &heladeria.location_id);
        assert_eq!((price, list), at_one, "{channel} at location 1");
        let (price, list, line_two) = source(q, &two.location_id);
        assert_eq!((price, list), at_two_expected, "{channel} at location 2");
        let skipped = line_two["not_applied"].as_array().unwrap();
        assert!(
            skipped.iter().any(|n| n["name"] == "Local 1 10%" && n["reason"]["code"] == "wrong_location"),
            "{channel}: location 2 is told why: {line_two}"
        );
        assert_applied(q, "Local 1 10%", at_one.0 / 10);
        assert_applied(q, "2x1 conos", 1000);
        let cone = line(q, "CONO");
        let free = cone["discounts"].as_array().unwrap().iter().find(|d| d["name"] == "2x1 conos").cloned();
        assert_eq!(free.map(|d| d["amount"].clone()), Some(clp(1000)), "{channel}: the second cone is free: {cone}");
        assert!(
            outcome(q, "Hora feliz")["applied"] == true,
            "{channel}: inside its hours: {}",
            outcome(q, "Hora feliz")
        );
        assert_not_applied(q, "Hora muerta", "outside_happy_hour");
        assert_eq!(q["parts"].as_array().map(Vec::len), Some(2), "one part per location");
    }
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// The engine's JS mirror for the till's offline pricing (issue 14).

#[tokio::test]
async fn the_js_pricing_engine_is_served_as_a_module() {
    let app = TestApp::spawn().await;
    let resp = app.get("/static/pos/pricing.js", None).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.content_type(), "text/javascript; charset=utf-8");
    let served = resp.body.as_str().unwrap_or_default();
    assert_eq!(served, include_str!("../../assets/pos/pricing.js"), "the file as it is in the repository");
    assert!(served.contains("export function priceCart("), "an ES module with priceCart");
    app.stop().await;
}
