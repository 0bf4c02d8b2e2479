//! The demo's customer account (issue 17 point 3): `cliente@demo.omnicanal.cl` with the demo
//! password, registered and confirmed through the ordinary use cases (the confirming link is
//! used at once, here, instead of being sent), so `/account` can be tried signed in.

use omnicanal_app::customers::RegisterCustomer;
use omnicanal_app::{App, AppResult};

/// The demo customer's e-mail.
pub const DEMO_CUSTOMER_EMAIL: &str = "cliente@demo.omnicanal.cl";

/// Registers and confirms the demo customer with `password`.
pub async fn load(app: &App, password: &str) -> AppResult<()> {
    let command = RegisterCustomer::parse(Some(DEMO_CUSTOMER_EMAIL), None, None, Some("Cliente Demo"), Some(password))?;
    if let Some(link) = app.register_customer(command).await? {
        app.sign_in_with_customer_link(&link.token).await?;
    }
    Ok(())
}
