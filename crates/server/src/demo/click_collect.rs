//! The demo's click & collect (issue 17 points 4 and 5): Andina Outdoor's ready orders wait 5
//! days for their customer, and two web orders paid at pickup wait to be picked at Andina
//! Providencia, so the console's "Por preparar" list and the till's look-up by phone
//! (+56 9 8765 4321) have something to show with `serve --demo`.
//!
//! Loaded through the ordinary use cases (settings, order placement). An order the store
//! refuses at seeding time (the shop closed by its hours) is only logged: the rest of the demo
//! does not depend on it.

use omnicanal_app::click_collect::PickupSettingsCommand;
use omnicanal_app::ordering::{OrderInput, PlaceOrder};
use omnicanal_app::pricing::cart::LineInput;
use omnicanal_app::{App, AppResult, Caller};

/// The store whose pick list is filled.
const STORE: &str = "Andina Providencia";

/// (customer, phone, [(sku, units)]).
type DemoOrder = (&'static str, &'static str, &'static [(&'static str, i64)]);

const ORDERS: [DemoOrder; 2] = [
    ("Camila Rojas", "+56 9 8765 4321", &[("AND-POLE", 1), ("AND-CALC", 2)]),
    ("Diego Fuentes", "+56 9 2233 4455", &[("AND-MOCH", 1)]),
];

/// Sets Andina's pickup wait and places the demo's pay-at-pickup orders at its store.
pub(super) async fn load(app: &App, operator: &Caller, site_id: &str) -> AppResult<()> {
    let locations = app.console_locations(operator).await?;
    let Some((store, _)) = locations.locations.iter().find(|(l, _)| l.site_id == site_id && l.name == STORE) else {
        return Ok(());
    };
    app.set_pickup_settings(operator, &store.merchant_id, PickupSettingsCommand::parse(5)?).await?;
    for (customer, phone, lines) in ORDERS {
        let order = PlaceOrder::parse(OrderInput {
            site_id: site_id.to_owned(),
            channel: "web".into(),
            customer_name: customer.into(),
            customer_phone: Some(phone.into()),
            customer_email: None,
            customer_tax_id: None,
            lines: lines
                .iter()
                .map(|(sku, quantity)| LineInput {
                    sku: (*sku).into(),
                    location_id: store.id.clone(),
                    quantity: *quantity,
                    ..LineInput::default()
                })
                .collect(),
            pickup_at: None,
            payment_method: "pay_at_pickup".into(),
            card_number: None,
            coupon_codes: Vec::new(),
            table: None,
            quote_id: None,
            ..OrderInput::default()
        })?;
        if let Err(error) = app.place_order(order, None).await {
            tracing::warn!(%error, customer, "a demo click & collect order was not placed");
        }
    }
    Ok(())
}
