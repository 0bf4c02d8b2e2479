//! The customer ordering app (issue #4), over HTTP: a location paused by its staff, opening
//! hours, modifier groups and notes on order lines, pickup slots with a capacity, the site's
//! acceptance limit on each part's hold, and the server-rendered pages under `/s/{site}` with
//! their static assets.

use crate::common;

use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use chrono_tz::America::Santiago;
use common::fixture::{BURGER, FRIES, SUSHI};
use common::{
    Body, Fixture, Payment, Resp, TestApp, assert_validation_problem, id, money, pickup_code, qs, rfc3339_from_now,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Helpers.

/// `PATCH path` with a JSON body.
async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> Resp {
    app.send(Method::PATCH, path, Some(token), Body::Json(body), &[]).await
}

/// `PATCH /api/v1/locations/{id}`.
async fn patch_location(app: &TestApp, token: &str, location_id: &str, body: Value) -> Resp {
    patch(app, token, &format!("/api/v1/locations/{location_id}"), body).await
}

/// Asserts a 422 naming `field` among its errors.
#[track_caller]
fn assert_field(resp: &Resp, field: &str, what: &str) {
    assert_validation_problem(resp, what);
    let errors = resp.body["errors"].as_array().expect("errors");
    assert!(errors.iter().any(|e| e["field"] == field), "{what}: expected an error on {field:?}, got {}", resp.body);
}

/// The site menu (public), with or without closed and paused locations.
async fn menu(app: &TestApp, site_id: &str, include_closed: bool) -> Value {
    let query = if include_closed { "?include_closed=true" } else { "" };
    app.get(&format!("/api/v1/sites/{site_id}/menu{query}"), None).await.expect(StatusCode::OK, "site menu")
}

/// The entry of `location_id` in a menu, if listed.
fn menu_location<'a>(menu: &'a Value, location_id: &str) -> Option<&'a Value> {
    menu["locations"].as_array()?.iter().find(|l| l["id"] == location_id)
}

/// A product of a menu by name.
#[track_caller]
fn menu_product<'a>(menu: &'a Value, name: &str) -> &'a Value {
    menu["locations"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|l| l["products"].as_array().into_iter().flatten())
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("product {name:?} missing from menu {menu}"))
}

/// Parses an RFC 3339 field.
#[track_caller]
fn time_of(v: &Value) -> DateTime<Utc> {
    let raw = v.as_str().unwrap_or_else(|| panic!("expected an RFC 3339 string, got {v}"));
    DateTime::parse_from_rfc3339(raw).unwrap_or_else(|e| panic!("{raw:?} is not RFC 3339: {e}")).with_timezone(&Utc)
}

/// Minutes from `from` to the RFC 3339 time `v`.
#[track_caller]
fn minutes_after(v: &Value, from: DateTime<Utc>) -> f64 {
    (time_of(v) - from).num_milliseconds() as f64 / 60_000.0
}

/// The customer's local date and time at the Santiago site now.
fn santiago_now() -> DateTime<chrono_tz::Tz> {
    Utc::now().with_timezone(&Santiago)
}

/// ISO weekday `offset` days after `weekday` (1 = Monday … 7 = Sunday).
fn weekday_plus(weekday: u32, offset: u32) -> u32 {
    (weekday - 1 + offset) % 7 + 1
}

/// The HTML text of a page answer; asserts `text/html`.
#[track_caller]
fn html<'a>(resp: &'a Resp, what: &str) -> &'a str {
    assert!(resp.content_type().starts_with("text/html"), "{what}: content-type {:?}", resp.content_type());
    resp.body.as_str().unwrap_or_else(|| panic!("{what}: the page body is not text: {}", resp.body))
}

/// GET a page with extra headers.
async fn page(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Resp {
    app.send(Method::GET, path, None, Body::None, headers).await
}

// ---------------------------------------------------------------------------------------------
// 1. Pause.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_pause_a_location_which_then_refuses_orders_until_resumed() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let staff = burger.staff.token(&app).await;

    let before = Utc::now();
    let paused = patch_location(&app, &staff, &burger.location_id, json!({"pause_minutes": 30}))
        .await
        .expect(StatusCode::OK, "staff pause their location");
    let minutes = minutes_after(&paused["paused_until"], before);
    assert!((29.9..=30.1).contains(&minutes), "paused for 30 minutes, got {minutes}: {paused}");
    assert_eq!(paused["is_open"], true, "a pause does not touch the switch: {paused}");

    let open_menu = menu(&app, &fx.site_id, false).await;
    assert!(menu_location(&open_menu, &burger.location_id).is_none(), "a paused location leaves the menu");
    assert!(menu_location(&open_menu, &sushi.location_id).is_some(), "others stay: {open_menu}");
    let full_menu = menu(&app, &fx.site_id, true).await;
    let listed = menu_location(&full_menu, &burger.location_id).expect("include_closed lists paused locations");
    assert_eq!(listed["status"]["state"], "paused", "{listed}");
    assert_eq!(time_of(&listed["status"]["until"]), time_of(&paused["paused_until"]), "{listed}");
    assert!(
        listed["products"][0]["variants"].as_array().is_some_and(|v| v.iter().all(|v| v["available"] == false)),
        "nothing is orderable while paused: {listed}"
    );
    assert_eq!(menu_location(&full_menu, &sushi.location_id).expect("sushi")["status"]["state"], "open");

    let refused = app.place_order(&fx, &[fx.line(SUSHI, 1), fx.line(BURGER, 1)], &Payment::card()).await;
    assert_field(&refused, "lines[1].location_id", "an order at a paused location");
    // Naming the till's channel on the public route gets round neither the pause nor a quote's
    // check: only a till sale sells at the counter.
    let mut as_till = fx.order_body(&[fx.line(BURGER, 1)], &Payment::card());
    as_till["channel"] = json!("pos");
    let refused = app.post("/api/v1/orders", None, &as_till).await;
    assert_field(&refused, "lines[0].location_id", "a public order claiming channel pos");

    // The staff may not change anything else; another merchant's manager cannot see it.
    for body in [json!({"prep_minutes": 20}), json!({"slot_capacity": 3}), json!({"always_open": true})] {
        patch_location(&app, &staff, &burger.location_id, body.clone())
            .await
            .expect_problem(StatusCode::FORBIDDEN, &format!("staff trying {body}"));
    }
    let other_manager = sushi.manager.token(&app).await;
    patch_location(&app, &other_manager, &burger.location_id, json!({"pause_minutes": 0}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another merchant's manager");
    let other_staff = sushi.staff.token(&app).await;
    patch_location(&app, &other_staff, &burger.location_id, json!({"pause_minutes": 0}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "another location's staff");

    let manager = burger.manager.token(&app).await;
    for (body, field) in [
        (json!({"pause_minutes": 721}), "pause_minutes"),
        (json!({"pause_minutes": -1}), "pause_minutes"),
        (json!({"prep_minutes": 0}), "prep_minutes"),
        (json!({"prep_minutes": 241}), "prep_minutes"),
        (json!({"slot_capacity": -1}), "slot_capacity"),
        (json!({"counter": "x".repeat(81)}), "counter"),
    ] {
        let refused = patch_location(&app, &manager, &burger.location_id, body.clone()).await;
        assert_field(&refused, field, &format!("bad value {body}"));
    }
    let unchanged = app
        .get(&format!("/api/v1/locations/{}", burger.location_id), Some(&manager))
        .await
        .expect(StatusCode::OK, "get location");
    assert_eq!(unchanged["prep_minutes"], 15, "refused changes are not saved: {unchanged}");
    assert!(unchanged["paused_until"].is_string(), "still paused: {unchanged}");

    let resumed = patch_location(&app, &staff, &burger.location_id, json!({"pause_minutes": 0}))
        .await
        .expect(StatusCode::OK, "staff resume");
    assert!(resumed["paused_until"].is_null(), "{resumed}");
    let listed = menu(&app, &fx.site_id, false).await;
    assert_eq!(menu_location(&listed, &burger.location_id).expect("back on the menu")["status"]["state"], "open");
    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;

    // The on/off switch is the staff's too: off is closed with no next opening.
    let off = patch_location(&app, &staff, &burger.location_id, json!({"is_open": false}))
        .await
        .expect(StatusCode::OK, "staff switch off");
    assert_eq!(off["is_open"], false);
    let full_menu = menu(&app, &fx.site_id, true).await;
    let listed = menu_location(&full_menu, &burger.location_id).expect("listed");
    assert_eq!(listed["status"], json!({"state": "closed", "opens_at": null}), "{listed}");
    let refused = app.place_order(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    assert_field(&refused, "lines[0].location_id", "an order at a switched-off location");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// 2. Opening hours.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn opening_hours_close_a_location_and_name_its_next_opening() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;

    // Open only three days from today (Santiago time), so closed now whatever the hour.
    let today = santiago_now().weekday().number_from_monday();
    let open_day = weekday_plus(today, 3).to_string();
    let hours = json!({ open_day.clone(): [["10:00", "14:00"], ["19:00", "23:30"]] });
    let saved = patch_location(&app, &manager, &m.location_id, json!({"opening_hours": hours}))
        .await
        .expect(StatusCode::OK, "manager sets opening hours");
    assert_eq!(saved["opening_hours"], hours, "{saved}");

    assert!(menu_location(&menu(&app, &fx.site_id, false).await, &m.location_id).is_none(), "closed: off the menu");
    let full_menu = menu(&app, &fx.site_id, true).await;
    let listed = menu_location(&full_menu, &m.location_id).expect("include_closed lists it");
    assert_eq!(listed["status"]["state"], "closed", "{listed}");
    assert_eq!(listed["status"]["opens_at"], format!("{open_day} 10:00"), "the next opening: {listed}");
    assert_eq!(listed["opening_hours"], hours, "{listed}");
    let refused = app.place_order(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    assert_field(&refused, "lines[0].location_id", "an order outside opening hours");

    let staff = m.staff.token(&app).await;
    patch_location(&app, &staff, &m.location_id, json!({"opening_hours": {"1": [["00:00", "24:00"]]}}))
        .await
        .expect_problem(StatusCode::FORBIDDEN, "staff may not set hours");
    for bad in [
        json!({"1": [["23:00", "01:00"]]}),
        json!({"9": []}),
        json!({"0": [["10:00", "12:00"]]}),
        json!({"1": [["10:00", "14:00"], ["13:00", "15:00"]]}),
        json!({"1": [["9:00", "14:00"]]}),
        json!({"1": [["10:00", "24:30"]]}),
        json!({"1": [
            ["10:00", "11:00"], ["12:00", "13:00"], ["14:00", "15:00"], ["16:00", "17:00"], ["18:00", "19:00"],
        ]}),
        json!(["1"]),
        json!("always"),
    ] {
        let refused = patch_location(&app, &manager, &m.location_id, json!({"opening_hours": bad})).await;
        assert_field(&refused, "opening_hours", &format!("bad hours {bad}"));
    }
    let unchanged = app
        .get(&format!("/api/v1/locations/{}", m.location_id), Some(&manager))
        .await
        .expect(StatusCode::OK, "get location");
    assert_eq!(unchanged["opening_hours"], hours, "refused hours are not saved: {unchanged}");

    // Open all day today only: orders now work, a pickup tomorrow is outside the hours.
    let mut local = santiago_now();
    if local.hour() == 23 && local.minute() >= 58 {
        tokio::time::sleep(std::time::Duration::from_secs(150)).await;
        local = santiago_now();
    }
    let today = local.weekday().number_from_monday().to_string();
    patch_location(&app, &manager, &m.location_id, json!({"opening_hours": {today: [["00:00", "24:00"]]}}))
        .await
        .expect(StatusCode::OK, "open all day today");
    let listed = menu(&app, &fx.site_id, false).await;
    assert_eq!(menu_location(&listed, &m.location_id).expect("open now")["status"]["state"], "open");
    let tomorrow_1am = (local.date_naive() + Duration::days(1)).and_hms_opt(1, 0, 0).expect("01:00");
    let tomorrow_1am = tomorrow_1am.and_local_timezone(Santiago).earliest().expect("01:00 exists").with_timezone(&Utc);
    let mut body = fx.order_body(&[fx.line(BURGER, 1)], &Payment::card());
    body["pickup_at"] = json!(tomorrow_1am.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    let refused = app.post("/api/v1/orders", None, &body).await;
    assert_field(&refused, "pickup_at", "a pickup outside the opening hours");
    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;

    // Closed again, then always open: orders work and the hours are gone.
    patch_location(&app, &manager, &m.location_id, json!({"opening_hours": {open_day: [["10:00", "14:00"]]}}))
        .await
        .expect(StatusCode::OK, "closed again");
    let refused = app.place_order(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    assert_field(&refused, "lines[0].location_id", "closed again");
    let always = patch_location(&app, &manager, &m.location_id, json!({"always_open": true}))
        .await
        .expect(StatusCode::OK, "always open");
    assert!(always["opening_hours"].is_null(), "{always}");
    let listed = menu(&app, &fx.site_id, false).await;
    let listed = menu_location(&listed, &m.location_id).expect("back on the menu");
    assert_eq!((listed["status"]["state"].clone(), listed["opening_hours"].clone()), (json!("open"), Value::Null));
    app.place_order_ok(&fx, &[fx.line(BURGER, 1)], &Payment::card()).await;
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// 3. Modifiers and notes.

const PIZZA_SKU: &str = "PIZZA-GUSTO";
const PIZZA_NAME: &str = "Pizza a tu gusto";
const PIZZA_BASE: i64 = 9_990;

/// Size (required, one of two) and extras (up to two of three).
fn pizza_groups() -> Value {
    json!([
        {"name": "Tamaño", "min": 1, "max": 1, "options": [
            {"name": "Mediana", "price": money(0)},
            {"name": "Familiar", "price": money(3_000)},
        ]},
        {"name": "Agregados", "min": 0, "max": 2, "options": [
            {"name": "Extra queso", "price": money(990)},
            {"name": "Aceitunas", "price": money(590)},
            {"name": "Sin cebolla", "price": money(0)},
        ]},
    ])
}

/// `POST /api/v1/products` of an untracked pizza with these groups.
async fn create_pizza(app: &TestApp, token: &str, merchant_id: &str, sku: &str, groups: Value) -> Resp {
    let body = json!({
        "merchant_id": merchant_id,
        "name": PIZZA_NAME,
        "track_stock": false,
        "category": "Pizzas",
        "image_url": "https://img.example.com/pizza.jpg",
        "modifier_groups": groups,
        "variants": [{"sku": sku, "price": money(PIZZA_BASE)}],
    });
    app.post("/api/v1/products", Some(token), &body).await
}

/// An order line with modifier choices and an optional note.
fn pizza_line(location_id: &str, quantity: i64, choices: &[(&str, &str)], note: Option<&str>) -> Value {
    let modifiers: Vec<Value> = choices.iter().map(|(g, o)| json!({"group": g, "option": o})).collect();
    let mut line = json!({"sku": PIZZA_SKU, "location_id": location_id, "quantity": quantity, "modifiers": modifiers});
    if let Some(note) = note {
        line["note"] = json!(note);
    }
    line
}

/// `POST /api/v1/orders` with raw lines, paid by card.
async fn order_lines(app: &TestApp, fx: &Fixture, lines: Vec<Value>) -> Resp {
    let mut body = fx.order_body(&[], &Payment::card());
    body["lines"] = Value::Array(lines);
    app.post("/api/v1/orders", None, &body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn modifiers_are_checked_priced_and_kept_on_the_order_line() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;
    let created = create_pizza(&app, &manager, &m.id, PIZZA_SKU, pizza_groups())
        .await
        .expect(StatusCode::CREATED, "a product with modifier groups");
    assert_eq!(created["modifier_groups"], pizza_groups(), "{created}");

    let listed = menu(&app, &fx.site_id, false).await;
    let pizza = menu_product(&listed, PIZZA_NAME);
    assert_eq!(pizza["modifier_groups"], pizza_groups(), "the menu shows the groups: {pizza}");
    assert_eq!(pizza["category"], "Pizzas");
    assert_eq!(pizza["image_url"], "https://img.example.com/pizza.jpg");
    let variant = &pizza["variants"][0];
    assert_eq!((variant["sku"].clone(), variant["price"].clone()), (json!(PIZZA_SKU), money(PIZZA_BASE)), "{pizza}");
    assert_eq!(variant["base_price"], money(PIZZA_BASE), "{pizza}");
    assert_eq!((variant["available"].clone(), variant["sold_out"].clone()), (json!(true), json!(false)), "{pizza}");
    assert!(variant["available_quantity"].is_null(), "untracked: {pizza}");

    // Refusals name the line.
    let loc = m.location_id.as_str();
    let refusals = [
        (vec![pizza_line(loc, 1, &[], None)], "lines[0].modifiers", "the required size is missing"),
        (vec![pizza_line(loc, 1, &[("Tamaño", "Gigante")], None)], "lines[0].modifiers", "an unknown option"),
        (
            vec![pizza_line(loc, 1, &[("Tamaño", "Mediana"), ("Salsa", "Pesto")], None)],
            "lines[0].modifiers",
            "an unknown group",
        ),
        (
            vec![pizza_line(loc, 1, &[("Tamaño", "Mediana"), ("Tamaño", "Familiar")], None)],
            "lines[0].modifiers",
            "two sizes",
        ),
        (
            vec![
                pizza_line(loc, 1, &[("Tamaño", "Mediana")], None),
                pizza_line(
                    loc,
                    1,
                    &[
                        ("Tamaño", "Mediana"),
                        ("Agregados", "Extra queso"),
                        ("Agregados", "Aceitunas"),
                        ("Agregados", "Sin cebolla"),
                    ],
                    None,
                ),
            ],
            "lines[1].modifiers",
            "three extras of at most two",
        ),
        (
            vec![pizza_line(loc, 1, &[("Tamaño", "Mediana")], Some(&"x".repeat(141)))],
            "lines[0].note",
            "a note over 140 characters",
        ),
        (
            vec![pizza_line(loc, 1, &[("Tamaño", "Mediana")], Some("línea uno\nlínea dos"))],
            "lines[0].note",
            "a note of two lines",
        ),
        (
            vec![json!({
                "sku": BURGER, "location_id": loc, "quantity": 1,
                "modifiers": [{"group": "Tamaño", "option": "Mediana"}],
            })],
            "lines[0].modifiers",
            "choices on a product without groups",
        ),
    ];
    for (lines, field, what) in refusals {
        let refused = order_lines(&app, &fx, lines).await;
        assert_field(&refused, field, what);
    }

    // (base + options) × quantity, with the choices and the note on the line.
    let note = "sin orégano, por favor";
    let choices = [("Agregados", "Extra queso"), ("Tamaño", "Familiar"), ("Agregados", "Aceitunas")];
    let order = order_lines(&app, &fx, vec![pizza_line(loc, 2, &choices, Some(&format!("  {note} ")))])
        .await
        .expect(StatusCode::CREATED, "a valid pizza order");
    let unit = PIZZA_BASE + 3_000 + 990 + 590;
    assert_eq!(order["total"], money(unit * 2), "{order}");
    let line = &order["fulfillments"][0]["lines"][0];
    assert_eq!(line["sku"], PIZZA_SKU);
    assert_eq!(line["quantity"], 2);
    assert_eq!(line["unit_price"], money(unit), "{line}");
    assert_eq!(line["total"], money(unit * 2), "{line}");
    assert_eq!(line["name"], PIZZA_NAME, "{line}");
    assert_eq!(line["note"], note, "the note is kept, trimmed: {line}");
    assert_eq!(
        line["modifiers"],
        json!([
            {"group": "Agregados", "option": "Aceitunas", "price": money(590)},
            {"group": "Agregados", "option": "Extra queso", "price": money(990)},
            {"group": "Tamaño", "option": "Familiar", "price": money(3_000)},
        ]),
        "the choices with their prices: {line}"
    );
    let tracked = app.get_order(&order).await;
    assert_eq!(tracked["fulfillments"][0]["lines"][0]["modifiers"], line["modifiers"], "read back: {tracked}");
    assert_eq!(tracked["fulfillments"][0]["lines"][0]["note"], note);

    // The same SKU with different choices stays two lines; identical choices merge.
    let order = order_lines(
        &app,
        &fx,
        vec![
            pizza_line(loc, 1, &[("Tamaño", "Mediana")], None),
            pizza_line(loc, 1, &[("Tamaño", "Familiar")], None),
            pizza_line(loc, 2, &[("Tamaño", "Mediana")], None),
        ],
    )
    .await
    .expect(StatusCode::CREATED, "two sizes of one SKU");
    let lines = order["fulfillments"][0]["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 2, "one line per set of choices: {order}");
    let line_of = |size: &str| {
        lines
            .iter()
            .find(|l| l["modifiers"][0]["option"] == size)
            .unwrap_or_else(|| panic!("no {size} line in {order}"))
    };
    assert_eq!(
        (line_of("Mediana")["quantity"].clone(), line_of("Mediana")["unit_price"].clone()),
        (json!(3), money(PIZZA_BASE))
    );
    assert_eq!(
        (line_of("Familiar")["quantity"].clone(), line_of("Familiar")["unit_price"].clone()),
        (json!(1), money(PIZZA_BASE + 3_000))
    );
    assert_eq!(order["total"], money(3 * PIZZA_BASE + PIZZA_BASE + 3_000), "{order}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_modifier_groups_are_refused_when_the_product_is_created() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;
    let mutated = |change: &dyn Fn(&mut Value)| {
        let mut groups = pizza_groups();
        change(&mut groups);
        groups
    };
    let bad = [
        ("max above the number of options", mutated(&|g| g[0]["max"] = json!(3))),
        ("min above max", mutated(&|g| g[1]["min"] = json!(3))),
        ("max 0", mutated(&|g| g[1]["max"] = json!(0))),
        ("a negative option price", mutated(&|g| g[1]["options"][0]["price"] = money(-100))),
        (
            "an option in another currency",
            mutated(&|g| g[1]["options"][0]["price"] = json!({"amount": 100, "currency": "PEN"})),
        ),
        ("duplicate group names", mutated(&|g| g[1]["name"] = json!("Tamaño"))),
        ("duplicate option names", mutated(&|g| g[1]["options"][1]["name"] = json!("Extra queso"))),
        ("a group without options", mutated(&|g| g[1]["options"] = json!([]))),
        ("an empty group name", mutated(&|g| g[0]["name"] = json!("  "))),
    ];
    for (index, (what, groups)) in bad.into_iter().enumerate() {
        let refused = create_pizza(&app, &manager, &m.id, &format!("PIZZA-BAD-{index}"), groups).await;
        assert_field(&refused, "modifier_groups", what);
    }
    let mut body = json!({
        "merchant_id": m.id, "name": "Foto rara", "track_stock": false,
        "image_url": "javascript:alert(1)", "variants": [{"sku": "FOTO-RARA", "price": money(1_000)}],
    });
    assert_field(&app.post("/api/v1/products", Some(&manager), &body).await, "image_url", "a javascript: image");
    body["image_url"] = json!("/static/pizza.jpg");
    body["category"] = json!("c".repeat(41));
    assert_field(&app.post("/api/v1/products", Some(&manager), &body).await, "category", "a 41-character category");
    let products = app
        .get(&format!("/api/v1/merchants/{}/products", m.id), Some(&manager))
        .await
        .expect(StatusCode::OK, "list products");
    assert_eq!(products.as_array().map(Vec::len), Some(2), "nothing refused was created: {products}");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// 4. Pickup slots.

/// `GET /api/v1/sites/{id}/pickup-slots?location_ids=…`.
async fn pickup_slots(app: &TestApp, site_id: &str, location_ids: &str) -> Resp {
    app.get(&format!("/api/v1/sites/{site_id}/pickup-slots?{}", qs(&[("location_ids", location_ids)])), None).await
}

/// The slots of one location (must be 200).
async fn slots_of(app: &TestApp, site_id: &str, location_id: &str) -> Vec<Value> {
    let slots = pickup_slots(app, site_id, location_id).await.expect(StatusCode::OK, "pickup slots");
    slots.as_array().unwrap_or_else(|| panic!("slots must be an array: {slots}")).clone()
}

/// A preparation time (16–30 minutes, slower than the default 15) that puts `now + prep` 5 to 10
/// minutes into a 15-minute slot, so the first slot is minutes away from the preparation deadline
/// whatever the clock.
fn prep_away_from_slot_edges() -> i64 {
    let into_slot = Utc::now().timestamp().rem_euclid(900);
    (16..=30).find(|prep| (300..=600).contains(&((into_slot + 60 * prep) % 900))).expect("one of 15 steps of 60 s")
}

/// An order of one burger for pickup at `pickup_at`.
async fn burger_at(app: &TestApp, fx: &Fixture, pickup_at: &str) -> Resp {
    let mut body = fx.order_body(&[fx.line(BURGER, 1)], &Payment::card());
    body["pickup_at"] = json!(pickup_at);
    app.post("/api/v1/orders", None, &body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pickup_slots_follow_preparation_time_and_fill_up() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let manager = burger.manager.token(&app).await;
    let prep = prep_away_from_slot_edges();
    let saved = patch_location(&app, &manager, &burger.location_id, json!({"prep_minutes": prep, "slot_capacity": 1}))
        .await
        .expect(StatusCode::OK, "prep time and slot capacity");
    assert_eq!((saved["prep_minutes"].as_i64(), saved["slot_capacity"].as_i64()), (Some(prep), Some(1)), "{saved}");

    let before = Utc::now();
    let slots = slots_of(&app, &fx.site_id, &burger.location_id).await;
    let after = Utc::now();
    assert_eq!(slots.len(), 12 * 4, "12 hours of 15-minute slots when always open: {slots:?}");
    let starts: Vec<DateTime<Utc>> = slots.iter().map(|s| time_of(&s["start"])).collect();
    assert!(starts[0] >= before + Duration::minutes(prep), "the first slot leaves {prep} minutes: {}", slots[0]);
    assert!(starts[0] < after + Duration::minutes(prep + 15), "the first slot is the earliest possible: {}", slots[0]);
    for (slot, start) in slots.iter().zip(&starts) {
        assert_eq!(start.timestamp() % 900, 0, "slots start on quarter hours: {slot}");
        assert_eq!(slot["label"], start.with_timezone(&Santiago).format("%H:%M").to_string(), "local label: {slot}");
        assert_eq!(slot["available"], true, "{slot}");
    }
    assert!(starts.windows(2).all(|w| w[1] - w[0] == Duration::minutes(15)), "consecutive slots: {slots:?}");

    // A cart at two locations waits for the slower one.
    let both = format!("{},{}", burger.location_id, sushi.location_id);
    let joint = pickup_slots(&app, &fx.site_id, &both).await.expect(StatusCode::OK, "slots of two locations");
    assert_eq!(joint[0]["start"], slots[0]["start"], "burger's {prep} minutes, not sushi's 15: {joint}");

    // Bad requests.
    assert_field(&pickup_slots(&app, &fx.site_id, "loc_nope").await, "location_ids", "an unknown location");
    assert_field(&pickup_slots(&app, &fx.site_id, "").await, "location_ids", "no location");
    let other_site = app
        .post(
            "/api/v1/sites",
            Some(&app.admin_token().await),
            &json!({"name": "Costanera", "country": "CL", "currency": "CLP", "timezone": "America/Santiago"}),
        )
        .await
        .expect(StatusCode::CREATED, "another site");
    assert_field(
        &pickup_slots(&app, &id(&other_site), &burger.location_id).await,
        "location_ids",
        "a location of another site",
    );
    pickup_slots(&app, "site_nope", &burger.location_id).await.expect_problem(StatusCode::NOT_FOUND, "unknown site");

    // Capacity 1: the first order takes the slot, the second is refused, the list shows it full.
    let first = slots[0]["start"].as_str().expect("start").to_owned();
    let order = burger_at(&app, &fx, &first).await.expect(StatusCode::CREATED, "an order in the first slot");
    assert_eq!(order["pickup_at"], first.as_str(), "{order}");
    let refused =
        burger_at(&app, &fx, &first).await.expect_problem(StatusCode::CONFLICT, "a second order in a full slot");
    assert_eq!(refused["code"], "slot_full", "{refused}");
    let later_in_slot = (starts[0] + Duration::minutes(7)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    burger_at(&app, &fx, &later_in_slot).await.expect_problem(StatusCode::CONFLICT, "later in the same full slot");
    let now_slots = slots_of(&app, &fx.site_id, &burger.location_id).await;
    let full = now_slots.iter().find(|s| s["start"] == first.as_str()).expect("the first slot is still listed");
    assert_eq!(full["available"], false, "{full}");
    assert_eq!(now_slots[1]["available"], true, "the next slot has room: {now_slots:?}");
    let joint = pickup_slots(&app, &fx.site_id, &both).await.expect(StatusCode::OK, "slots of two locations");
    assert_eq!(joint[0]["available"], false, "a cart with the full location cannot use it: {joint}");
    let sushi_slots = slots_of(&app, &fx.site_id, &sushi.location_id).await;
    assert!(sushi_slots.iter().all(|s| s["available"] == true), "capacity is per location: {sushi_slots:?}");
    let second = slots[1]["start"].as_str().expect("start");
    burger_at(&app, &fx, second).await.expect(StatusCode::CREATED, "the next slot has room");

    // Too soon for the preparation time, or too far ahead.
    let too_soon = rfc3339_from_now(Duration::minutes(prep - 3));
    assert_field(&burger_at(&app, &fx, &too_soon).await, "pickup_at", "sooner than the preparation time");
    let past = rfc3339_from_now(Duration::minutes(-30));
    assert_field(&burger_at(&app, &fx, &past).await, "pickup_at", "in the past");
    let far = rfc3339_from_now(Duration::days(8));
    assert_field(&burger_at(&app, &fx, &far).await, "pickup_at", "eight days ahead");

    // Removing the limit frees the slot.
    patch_location(&app, &manager, &burger.location_id, json!({"slot_capacity": 0}))
        .await
        .expect(StatusCode::OK, "no limit");
    burger_at(&app, &fx, &first).await.expect(StatusCode::CREATED, "no limit any more");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_first_slot_leaves_the_whole_preparation_time() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let m = fx.m(0);
    let manager = m.manager.token(&app).await;
    // Put now + prep a few seconds past a quarter hour (the seconds of the minute must leave room).
    if Utc::now().second() >= 45 {
        tokio::time::sleep(std::time::Duration::from_secs(u64::from(61 - Utc::now().second()))).await;
    }
    let minute_of_slot = Utc::now().timestamp().rem_euclid(900) / 60;
    let prep = (5..=19).find(|p| (minute_of_slot + p) % 15 == 0).expect("a multiple of 15");
    patch_location(&app, &manager, &m.location_id, json!({"prep_minutes": prep}))
        .await
        .expect(StatusCode::OK, "prep time");
    let before = Utc::now();
    let slots = slots_of(&app, &fx.site_id, &m.location_id).await;
    let first = &slots[0];
    burger_at(&app, &fx, first["start"].as_str().expect("start"))
        .await
        .expect(StatusCode::CREATED, &format!("an order for the first offered slot {first}"));
    assert!(
        time_of(&first["start"]) >= before + Duration::minutes(prep),
        "the first slot must start at least {prep} minutes after {before}: {first}"
    );
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// 5. Acceptance limit.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_site_acceptance_limit_bounds_every_parts_hold() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let site_path = format!("/api/v1/sites/{}", fx.site_id);
    let (burger, sushi) = (fx.m(0), fx.m(1));

    let manager = burger.manager.token(&app).await;
    let staff = burger.staff.token(&app).await;
    for (token, who) in [(&manager, "a manager"), (&staff, "staff")] {
        patch(&app, token, &site_path, json!({"accept_within_minutes": 5}))
            .await
            .expect_problem(StatusCode::FORBIDDEN, &format!("{who} setting the site's limit"));
    }
    for bad in [241, -1] {
        let refused = patch(&app, &admin, &site_path, json!({"accept_within_minutes": bad})).await;
        assert_field(&refused, "accept_within_minutes", &format!("limit {bad}"));
    }
    patch(&app, &admin, "/api/v1/sites/site_nope", json!({"accept_within_minutes": 5}))
        .await
        .expect_problem(StatusCode::NOT_FOUND, "unknown site");

    let site = patch(&app, &admin, &site_path, json!({"accept_within_minutes": 5}))
        .await
        .expect(StatusCode::OK, "admin sets the limit");
    assert_eq!(site["accept_within_minutes"], 5, "{site}");
    let read = app.get(&site_path, Some(&admin)).await.expect(StatusCode::OK, "get site");
    assert_eq!(read["accept_within_minutes"], 5, "saved: {read}");

    // A longer channel hold is cut to the site's limit; every part gets one.
    let body = json!({"safety_buffer": 0, "enabled": true, "hold_minutes": 15});
    app.send(
        Method::PUT,
        &format!("/api/v1/locations/{}/channels/web", burger.location_id),
        Some(&manager),
        Body::Json(body),
        &[],
    )
    .await
    .expect(StatusCode::OK, "a 15-minute web hold");
    for channel in ["qr", "web"] {
        let mut body = fx.order_body(&[fx.line(BURGER, 1), fx.line(SUSHI, 1)], &Payment::card());
        body["channel"] = json!(channel);
        let before = Utc::now();
        let order = app.post("/api/v1/orders", None, &body).await.expect(StatusCode::CREATED, "an order");
        for location in [&burger.location_id, &sushi.location_id] {
            let part = common::fulfillment_at(&order, location);
            let minutes = minutes_after(&part["hold_expires_at"], before);
            assert!(
                (4.0..=6.0).contains(&minutes),
                "{channel}: the part must be accepted within 5 minutes, got {minutes}"
            );
        }
    }

    let cleared = patch(&app, &admin, &site_path, json!({"accept_within_minutes": 0}))
        .await
        .expect(StatusCode::OK, "0 removes the limit");
    assert!(cleared["accept_within_minutes"].is_null(), "{cleared}");
    let order = app.place_order_ok(&fx, &[fx.line(SUSHI, 1)], &Payment::card()).await;
    assert!(order["fulfillments"][0]["hold_expires_at"].is_null(), "no limit, no hold deadline: {order}");
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// 6. Pages.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_customer_pages_render_translate_and_escape() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let admin = app.admin_token().await;
    let evil = "<script>alert(1)</script>";
    app.post(
        "/api/v1/products",
        Some(&admin),
        &json!({"merchant_id": fx.m(0).id, "name": evil, "track_stock": false,
                "variants": [{"sku": "EVIL", "price": money(1_000)}]}),
    )
    .await
    .expect(StatusCode::CREATED, "a product with markup in its name");

    let site_path = format!("/s/{}", fx.site_id);
    let resp = page(&app, &site_path, &[]).await;
    assert_eq!(resp.status, StatusCode::OK, "site page: {}", resp.body);
    let text = html(&resp, "site page");
    assert!(text.contains(r#"<html lang="es">"#), "Spanish by default");
    assert!(text.contains("Pide en Mall Plaza Santiago"), "Spanish texts");
    assert_eq!(text.matches(r#"data-testid="menu-item""#).count(), 6, "one item per variant: {text}");
    for name in ["Hamburguesa", "Papas fritas", "Roll de salmón", "Té verde", "Burger Hub", "Sushi Go"] {
        assert!(text.contains(name), "{name} is on the page");
    }
    for sku in [BURGER, FRIES, SUSHI] {
        assert!(text.contains(&format!(r#"data-sku="{sku}""#)), "{sku} can be added");
    }
    assert!(!text.contains("<script>alert(1)"), "markup in a product name must be escaped");
    assert!(text.contains("&lt;script&gt;alert(1)"), "the name is shown escaped");
    assert!(resp.headers.get("set-cookie").is_none(), "no language cookie without ?lang");

    let resp = page(&app, &format!("{site_path}?lang=en"), &[]).await;
    let text = html(&resp, "site page in English");
    assert!(text.contains(r#"<html lang="en">"#) && text.contains("Order at Mall Plaza Santiago"), "English");
    let cookie = resp.headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(cookie.starts_with("lang=en"), "?lang=en remembers the choice: {cookie:?}");
    for headers in [[("Accept-Language", "en-US,en;q=0.9,es;q=0.5")], [("Cookie", "lang=en")]] {
        let resp = page(&app, &site_path, &headers).await;
        assert!(html(&resp, "negotiated").contains(r#"<html lang="en">"#), "English from {headers:?}");
    }
    let resp = page(&app, &format!("{site_path}?lang=es"), &[("Accept-Language", "en")]).await;
    assert!(html(&resp, "explicit es").contains(r#"<html lang="es">"#), "?lang wins over Accept-Language");

    let missing = page(&app, "/s/site_nope", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(html(&missing, "unknown site").contains("<html"), "a 404 page, not JSON");
    let cart = page(&app, &format!("{site_path}/cart"), &[]).await;
    assert_eq!(cart.status, StatusCode::OK);
    html(&cart, "cart page");

    // The live order page: one section and one pickup code per part, only with the token.
    let order = app.place_order_ok(&fx, &[fx.line(BURGER, 1), fx.line(SUSHI, 2)], &Payment::card()).await;
    let token = order["tracking_token"].as_str().expect("tracking token");
    let order_path = format!("{site_path}/orders/{}", id(&order));
    let resp = page(&app, &format!("{order_path}?{}", qs(&[("token", token)])), &[]).await;
    assert_eq!(resp.status, StatusCode::OK, "order page: {}", resp.body);
    let text = html(&resp, "order page");
    assert_eq!(text.matches(r#"data-testid="part""#).count(), 2, "one section per part");
    for part in order["fulfillments"].as_array().expect("parts") {
        let code = pickup_code(part);
        assert!(text.contains(&format!(r#"data-testid="pickup-code">{code}<"#)), "pickup code {code} shown");
    }
    let wrong = common::random_hex();
    for path in [order_path.clone(), format!("{order_path}?token={wrong}"), format!("{order_path}?token=")] {
        let resp = page(&app, &path, &[]).await;
        assert_eq!(resp.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!html(&resp, "refused order page").contains(token), "{path} must not leak the order");
    }
    let other_site = app
        .post(
            "/api/v1/sites",
            Some(&admin),
            &json!({"name": "Costanera", "country": "CL", "currency": "CLP", "timezone": "America/Santiago"}),
        )
        .await
        .expect(StatusCode::CREATED, "another site");
    let elsewhere = format!("/s/{}/orders/{}?{}", id(&other_site), id(&order), qs(&[("token", token)]));
    assert_eq!(page(&app, &elsewhere, &[]).await.status, StatusCode::NOT_FOUND, "the order under another site");

    for (path, kind) in [
        ("/static/app.css", "text/css"),
        ("/static/site.js", "text/javascript"),
        ("/static/cart.js", "text/javascript"),
        ("/static/order.js", "text/javascript"),
        ("/static/common.js", "text/javascript"),
    ] {
        let resp = page(&app, path, &[]).await;
        assert_eq!(resp.status, StatusCode::OK, "{path}");
        assert!(resp.content_type().starts_with(kind), "{path}: content-type {:?}", resp.content_type());
        assert!(resp.body.as_str().is_some_and(|s| !s.trim().is_empty()), "{path} has content");
    }
    assert_eq!(page(&app, "/static/nope.js", &[]).await.status, StatusCode::NOT_FOUND);
    app.stop().await;
}
