//! A till ready to sell, as the POS tests need it before their own steps: the merchant's
//! manager registers a device at the merchant's location and the location's staff open a
//! session on it. One helper, so every till test starts the same way and a change to how a
//! till is opened is made once.

use reqwest::StatusCode;
use serde_json::json;

use super::fixture::Merchant;
use super::{TestApp, money};

/// A registered till with an open session, worked by the location's staff.
pub struct OpenTill {
    /// The registered device.
    pub device_id: String,
    /// The device's receipt series (a sale's receipt number is `{series}-{n}`).
    pub series: String,
    /// The open session.
    pub session_id: String,
    /// The location's staff, who opened the session.
    pub staff: String,
    /// The merchant's manager, who registered the device.
    pub manager: String,
    /// The merchant's location, where the till stands.
    pub location_id: String,
}

/// Registers "Caja 1" at `merchant`'s location as its manager and opens a session on it with
/// `float` as its staff; asserts both answers describe what was asked.
pub async fn open_till(app: &TestApp, merchant: &Merchant, float: i64) -> OpenTill {
    let manager = merchant.manager.token(app).await;
    let device = app
        .post("/api/v1/pos/devices", Some(&manager), &json!({"location_id": merchant.location_id, "name": "Caja 1"}))
        .await
        .expect(StatusCode::CREATED, "register a till");
    assert_eq!(device["location_id"], json!(merchant.location_id));
    assert_eq!(device["name"], "Caja 1");
    let device_id = device["id"].as_str().expect("an id").to_owned();
    let series = device["receipt_series"].as_str().expect("a series").to_owned();
    let staff = merchant.staff.token(app).await;
    let session = app
        .post("/api/v1/pos/sessions", Some(&staff), &json!({"device_id": device_id, "opening_float": money(float)}))
        .await
        .expect(StatusCode::CREATED, "open a session");
    assert_eq!(session["status"], "open");
    assert_eq!(session["device_id"], json!(device_id));
    let session_id = session["id"].as_str().expect("an id").to_owned();
    OpenTill { device_id, series, session_id, staff, manager, location_id: merchant.location_id.clone() }
}
