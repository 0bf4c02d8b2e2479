//! What the customer's receipt and the kitchen's ticket say once money moved: the receipt after
//! one restaurant of a mall order rejected its part (the refund, its lines and time, the new
//! total, in every format), and the ticket of a part paid at pickup (the amount to collect,
//! until it is collected).

use crate::common;

use common::fixture::{BURGER, PIZZA_M, SUSHI};
use common::{Fixture, Payment, TestApp, fulfillment_at, id};
use reqwest::StatusCode;
use serde_json::json;

/// GETs raw bytes with the order's token or a bearer token: status and body.
async fn bytes(app: &TestApp, path: &str, bearer: Option<&str>) -> (StatusCode, Vec<u8>) {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status();
    (status, response.bytes().await.expect("body").to_vec())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_receipt_after_a_partial_refund_shows_the_refund_and_the_new_total() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let (burger, sushi) = (fx.m(0), fx.m(1));
    let order = app.place_order_ok(&fx, &[burger.line(BURGER, 1), sushi.line(SUSHI, 2)], &Payment::card()).await;
    let token = order["tracking_token"].as_str().expect("token").to_owned();
    let receipt = format!("/api/v1/orders/{}/receipt?token={token}", id(&order));

    let (status, before) = bytes(&app, &receipt, None).await;
    assert_eq!(status, StatusCode::OK);
    let before = String::from_utf8(before).expect("HTML");
    assert!(!before.contains("Reembolso") && !before.contains("Nuevo total"), "nothing refunded yet");

    // Sushi rejects its part: its 2 × 8.990 go back to the card.
    let part = id(fulfillment_at(&order, &sushi.location_id));
    let staff = sushi.staff.token(&app).await;
    app.post(
        &format!("/api/v1/fulfillments/{part}/transition"),
        Some(&staff),
        &json!({"to": "rejected", "reason": "sin arroz"}),
    )
    .await
    .expect(StatusCode::OK, "sushi rejects its part");

    let (status, html) = bytes(&app, &receipt, None).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(html).expect("HTML");
    assert!(html.contains("<tr class=\"refund\" data-testid=\"refund\"><th scope=\"row\">Reembolso "), "{html}");
    assert!(html.contains("2 x Roll de salmón"), "the lines refunded: {html}");
    assert!(html.contains("<td class=\"num\">-$17.980</td>"), "the amount refunded: {html}");
    assert!(html.contains("<time>"), "when it was refunded: {html}");
    let total = "<tr class=\"total\"><th scope=\"row\">Total</th><td class=\"num\">$30.970</td></tr>";
    assert!(html.contains(total), "the total as paid: {html}");
    assert!(
        html.contains("<th scope=\"row\">Nuevo total</th><td class=\"num\">$12.990</td>"),
        "the new total is what is left: {html}"
    );
    assert_eq!(html.matches("data-testid=\"refund\"").count(), 1, "only the rejected part is refunded");

    let (_, pdf) = bytes(&app, &format!("{receipt}&format=pdf"), None).await;
    assert!(contains(&pdf, b"(-$17.980)") && contains(&pdf, b"(Nuevo total)") && contains(&pdf, b"($12.990)"));
    for width in ["58", "80"] {
        let (_, escpos) = bytes(&app, &format!("{receipt}&format=escpos&width={width}"), None).await;
        assert!(contains(&escpos, b"-$17.980"), "the refund on {width} mm paper");
        assert!(contains(&escpos, b"NUEVO TOTAL") && contains(&escpos, b"$12.990"), "the new total on {width} mm");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_kitchen_ticket_of_a_part_paid_at_pickup_says_what_to_collect() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().build(&app).await;
    let (burger, pizza) = (fx.m(0), fx.m(2));
    let order = app.place_order_ok(&fx, &[pizza.line(PIZZA_M, 2)], &Payment::AtPickup).await;
    let part = fulfillment_at(&order, &pizza.location_id).clone();
    let part_id = id(&part);
    let staff = pizza.staff.token(&app).await;
    let ticket = format!("/api/v1/fulfillments/{part_id}/ticket");

    let (status, html) = bytes(&app, &ticket, Some(&staff)).await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(html).expect("HTML");
    assert!(
        html.contains("<p class=\"collect\" data-testid=\"collect\">COBRAR AL RETIRAR <strong>$21.980</strong></p>"),
        "the ticket says what to collect: {html}"
    );
    for width in ["58", "80"] {
        let (_, escpos) = bytes(&app, &format!("{ticket}?format=escpos&width={width}"), Some(&staff)).await;
        assert!(contains(&escpos, b"COBRAR AL RETIRAR $21.980"), "on {width} mm paper");
    }

    // Collected at the counter: nothing more to collect.
    app.fulfil(&staff, &part).await;
    let (_, html) = bytes(&app, &ticket, Some(&staff)).await;
    assert!(!String::from_utf8(html).expect("HTML").contains("COBRAR"), "collected: nothing left to collect");

    // A card order's ticket never asks for money.
    let card = app.place_order_ok(&fx, &[burger.line(BURGER, 1)], &Payment::card()).await;
    let card_part = id(fulfillment_at(&card, &burger.location_id));
    let burger_staff = burger.staff.token(&app).await;
    let (_, html) = bytes(&app, &format!("/api/v1/fulfillments/{card_part}/ticket"), Some(&burger_staff)).await;
    assert!(!String::from_utf8(html).expect("HTML").contains("COBRAR"), "a card order owes nothing");
    app.stop().await;
}
