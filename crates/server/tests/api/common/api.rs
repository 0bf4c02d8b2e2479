//! Domain-level helpers over the HTTP API: orders, transitions, stock and settlement.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::fixture::{Fixture, Line, Payment};
use super::{Resp, TestApp, clp, qs};

/// One row of `GET /api/v1/stock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockLevel {
    /// SKU.
    pub sku: String,
    /// Location.
    pub location_id: String,
    /// Units physically there.
    pub on_hand: i64,
    /// Units promised to open orders.
    pub reserved: i64,
    /// on_hand − reserved.
    pub available: i64,
}

impl StockLevel {
    /// Parses a stock row (also the body of a stock movement answer or a stock event).
    #[track_caller]
    pub fn from_json(v: &Value) -> StockLevel {
        let int = |k: &str| v[k].as_i64().unwrap_or_else(|| panic!("stock row needs integer `{k}`: {v}"));
        let level = StockLevel {
            sku: v["sku"].as_str().unwrap_or_default().to_owned(),
            location_id: v["location_id"].as_str().unwrap_or_default().to_owned(),
            on_hand: int("on_hand"),
            reserved: int("reserved"),
            available: int("available"),
        };
        assert_eq!(level.available, level.on_hand - level.reserved, "available must be on_hand - reserved: {v}");
        level
    }

    /// `(on_hand, reserved, available)`, handy in assertions.
    pub fn triple(&self) -> (i64, i64, i64) {
        (self.on_hand, self.reserved, self.available)
    }
}

/// A merchant settlement in CLP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Captured.
    pub gross: i64,
    /// Platform commission.
    pub commission: i64,
    /// Refunded.
    pub refunds: i64,
    /// What the merchant gets.
    pub net: i64,
}

impl Settlement {
    /// Parses `{gross, commission, refunds, net}` Money values.
    #[track_caller]
    pub fn from_json(v: &Value) -> Settlement {
        Settlement {
            gross: clp(&v["gross"]),
            commission: clp(&v["commission"]),
            refunds: clp(&v["refunds"]),
            net: clp(&v["net"]),
        }
    }

    /// The settlement rule: commission = round half up of (gross − refunds) × bps / 10000,
    /// net = gross − refunds − commission.
    pub fn expected(gross: i64, refunds: i64, commission_bps: i64) -> Settlement {
        let base = gross - refunds;
        let commission = (base * commission_bps + 5_000).div_euclid(10_000);
        Settlement { gross, commission, refunds, net: base - commission }
    }
}

/// The fulfillment of `order` at `location_id`; panics if there is not exactly one.
#[track_caller]
pub fn fulfillment_at<'a>(order: &'a Value, location_id: &str) -> &'a Value {
    let all = order["fulfillments"].as_array().unwrap_or_else(|| panic!("order has no fulfillments array: {order}"));
    let found: Vec<&Value> = all.iter().filter(|f| f["location_id"] == location_id).collect();
    assert_eq!(found.len(), 1, "expected exactly one fulfillment at location {location_id}: {order}");
    found[0]
}

/// The string id of a fulfillment or order.
#[track_caller]
pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no string id in {v}")).to_owned()
}

/// The pickup code of a fulfillment; asserts it is a non-empty string of digits.
#[track_caller]
pub fn pickup_code(f: &Value) -> String {
    let code = f["pickup_code"].as_str().unwrap_or_else(|| panic!("fulfillment has no string pickup_code: {f}"));
    assert!(!code.is_empty() && code.chars().all(|c| c.is_ascii_digit()), "pickup_code must be digits, got {code:?}");
    code.to_owned()
}

/// A code of the same length that differs from `code` in every digit.
pub fn wrong_code(code: &str) -> String {
    code.chars().map(|c| char::from_digit((c.to_digit(10).unwrap() + 1) % 10, 10).unwrap()).collect()
}

impl TestApp {
    /// `POST /api/v1/orders` for these lines (no auth, as the customer).
    pub async fn place_order(&self, fx: &Fixture, lines: &[Line], payment: &Payment) -> Resp {
        self.post("/api/v1/orders", None, &fx.order_body(lines, payment)).await
    }

    /// Places an order that must succeed (201) and returns it.
    pub async fn place_order_ok(&self, fx: &Fixture, lines: &[Line], payment: &Payment) -> Value {
        self.place_order(fx, lines, payment).await.expect(StatusCode::CREATED, &format!("place order {lines:?}"))
    }

    /// `GET /api/v1/orders/{id}?token=` as the customer; must be 200.
    pub async fn get_order(&self, order: &Value) -> Value {
        let token = order["tracking_token"].as_str().unwrap_or_else(|| panic!("order has no tracking_token: {order}"));
        self.get(&format!("/api/v1/orders/{}?{}", id(order), qs(&[("token", token)])), None)
            .await
            .expect(StatusCode::OK, "get order with its tracking token")
    }

    /// `POST /api/v1/fulfillments/{id}/transition` with a bearer token.
    pub async fn transition(&self, token: &str, fulfillment_id: &str, to: &str, pickup_code: Option<&str>) -> Resp {
        let mut body = json!({"to": to});
        if let Some(code) = pickup_code {
            body["pickup_code"] = json!(code);
        }
        self.post(&format!("/api/v1/fulfillments/{fulfillment_id}/transition"), Some(token), &body).await
    }

    /// Applies each step in turn; each must answer 200 with the new status.
    pub async fn advance(&self, token: &str, fulfillment_id: &str, steps: &[&str]) {
        for step in steps {
            let f = self
                .transition(token, fulfillment_id, step, None)
                .await
                .expect(StatusCode::OK, &format!("transition {fulfillment_id} to {step}"));
            assert_eq!(f["status"], *step, "transition answer shows the new status");
        }
    }

    /// placed → accepted → preparing → ready → collected (with the right pickup code).
    pub async fn fulfil(&self, token: &str, fulfillment: &Value) {
        let fid = id(fulfillment);
        self.advance(token, &fid, &["accepted", "preparing", "ready"]).await;
        let code = pickup_code(fulfillment);
        let f = self
            .transition(token, &fid, "collected", Some(&code))
            .await
            .expect(StatusCode::OK, "collect with the right pickup code");
        assert_eq!(f["status"], "collected");
    }

    /// `POST /api/v1/stock/movements` with reason "receipt".
    pub async fn add_stock(&self, token: &str, location_id: &str, sku: &str, delta: i64) -> Resp {
        self.post(
            "/api/v1/stock/movements",
            Some(token),
            &json!({"sku": sku, "location_id": location_id, "delta": delta, "reason": "receipt"}),
        )
        .await
    }

    /// The stock row of one SKU at one location (admin token recommended).
    pub async fn stock_level(&self, token: &str, location_id: &str, sku: &str) -> StockLevel {
        let path = format!("/api/v1/stock?{}", qs(&[("location_id", location_id), ("sku", sku)]));
        let rows = self.get(&path, Some(token)).await.expect(StatusCode::OK, &format!("GET stock of {sku}"));
        let rows = rows.as_array().unwrap_or_else(|| panic!("GET /stock must answer an array, got {rows}"));
        let matching: Vec<StockLevel> =
            rows.iter().map(StockLevel::from_json).filter(|s| s.sku == sku && s.location_id == location_id).collect();
        assert_eq!(matching.len(), 1, "expected one stock row for {sku} at {location_id}, got {rows:?}");
        matching.into_iter().next().unwrap()
    }

    /// Stock of every tracked SKU of the fixture, as admin, for before/after comparisons.
    pub async fn stock_snapshot(&self, fx: &Fixture) -> Vec<StockLevel> {
        let admin = self.admin_token().await;
        let mut all = Vec::new();
        for m in &fx.merchants {
            for sku in m.tracked_skus() {
                all.push(self.stock_level(&admin, &m.location_id, &sku).await);
            }
        }
        all
    }

    /// `GET /api/v1/locations/{id}/fulfillments[?status=]`.
    pub async fn fulfillments(&self, token: &str, location_id: &str, status: Option<&str>) -> Resp {
        let query = status.map(|s| format!("?{}", qs(&[("status", s)]))).unwrap_or_default();
        self.get(&format!("/api/v1/locations/{location_id}/fulfillments{query}"), Some(token)).await
    }

    /// Ids of the fulfillments listed at a location (must be 200).
    pub async fn fulfillment_ids(&self, token: &str, location_id: &str) -> Vec<String> {
        let list = self.fulfillments(token, location_id, None).await.expect(StatusCode::OK, "list fulfillments");
        list.as_array()
            .unwrap_or_else(|| panic!("fulfillment list must be an array, got {list}"))
            .iter()
            .map(id)
            .collect()
    }

    /// `GET /api/v1/merchants/{id}/settlement` with optional `from`/`to`.
    pub async fn settlement(&self, token: &str, merchant_id: &str, window: &[(&str, &str)]) -> Resp {
        let query = if window.is_empty() { String::new() } else { format!("?{}", qs(window)) };
        self.get(&format!("/api/v1/merchants/{merchant_id}/settlement{query}"), Some(token)).await
    }

    /// The settlement as admin, without a window (must be 200).
    pub async fn settlement_ok(&self, merchant_id: &str) -> Settlement {
        let admin = self.admin_token().await;
        let body = self.settlement(&admin, merchant_id, &[]).await.expect(StatusCode::OK, "settlement as admin");
        Settlement::from_json(&body)
    }
}
