//! The `orders/*` webhooks the fake shop sends: the REST Admin order resource as JSON
//! (<https://shopify.dev/docs/api/admin-rest/2025-01/resources/order>, ids numeric, prices
//! decimal strings, `admin_graphql_api_id` the GraphQL GID) and the documented headers, with
//! `X-Shopify-Hmac-Sha256` = base64(HMAC-SHA256(secret, raw body))
//! (<https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-2-validate-the-origin-of-your-webhook-to-ensure-its-coming-from-shopify>).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::state::{FakeOrder, ShopState};
use super::{API_VERSION, SHOP_DOMAIN};

/// Headers and body of the webhook for `gid` (an empty JSON object when the shop has no such
/// order, still signed, so a test of a stale id sees the shop's shape).
pub fn signed(state: &ShopState, gid: &str, secret: &str, topic: &str) -> (Vec<(String, String)>, Vec<u8>) {
    let body = match state.order_by_gid(gid) {
        Some(order) => rest_order(order, state.exponent),
        None => json!({}),
    };
    let body = serde_json::to_vec(&body).unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(&body);
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let now = chrono::DateTime::from_timestamp_millis(super::state::wall_clock_ms())
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let event = state.order_by_gid(gid).map_or(0, |order| order.updated_at_ms);
    let headers = [
        ("Content-Type", "application/json".to_string()),
        ("X-Shopify-Topic", topic.to_string()),
        ("X-Shopify-Hmac-Sha256", signature),
        ("X-Shopify-Shop-Domain", SHOP_DOMAIN.to_string()),
        ("X-Shopify-API-Version", API_VERSION.to_string()),
        ("X-Shopify-Webhook-Id", format!("b54557e4-bdd9-4b37-8a5f-{:012x}", event.unsigned_abs() % (1 << 48))),
        ("X-Shopify-Event-Id", format!("98880550-7158-44d4-b7cd-{:012x}", event.unsigned_abs() % (1 << 48))),
        ("X-Shopify-Triggered-At", now),
    ];
    (headers.into_iter().map(|(name, value)| (name.to_string(), value)).collect(), body)
}

/// Seconds precision with the shop's offset, as the REST resource writes times.
fn rest_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn rest_order(order: &FakeOrder, exponent: u32) -> Value {
    let money = |minor: i64| super::graphql::decimal(minor, exponent);
    let line_items: Vec<Value> = order
        .lines
        .iter()
        .map(|line| {
            json!({
                "id": line.id,
                "admin_graphql_api_id": format!("gid://shopify/LineItem/{}", line.id),
                "sku": line.sku,
                "quantity": line.quantity,
                "price": money(line.price_minor),
                "title": line.title,
                "name": line.title,
                "variant_id": line.variant_id,
                "product_id": line.product_id,
            })
        })
        .collect();
    json!({
        "id": order.id,
        "admin_graphql_api_id": order.gid(),
        "name": format!("#{}", order.number),
        "order_number": order.number,
        "email": order.email,
        "contact_email": order.email,
        "phone": order.phone,
        "customer": {
            "first_name": order.first_name,
            "last_name": order.last_name,
            "email": order.email,
        },
        "line_items": line_items,
        "total_price": money(order.total_minor),
        "subtotal_price": money(order.total_minor),
        "currency": order.currency,
        "financial_status": "paid",
        "fulfillment_status": if order.fulfilled { Value::from("fulfilled") } else { Value::Null },
        "cancelled_at": order.cancelled_at_ms.map(rest_time),
        "tags": order.tags.join(", "),
        "created_at": rest_time(order.created_at_ms),
        "updated_at": rest_time(order.updated_at_ms),
    })
}
