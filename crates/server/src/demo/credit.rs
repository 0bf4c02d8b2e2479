//! The demo's store credit and gift cards (issue 17 point 8) for Andina Outdoor: a customer
//! with credit from a return, and a gift card sold at the counter — through the ordinary use
//! cases. The card's code is shown nowhere: the demo's secrets are its logins only, so the card
//! is there to be seen in the list and its ledger, and new cards are issued to try the rest.

use omnicanal_app::credit::{GrantCredit, IssueGiftCard};
use omnicanal_app::{App, AppResult, Caller};
use omnicanal_domain::{Currency, Money};

/// The demo customer who has store credit at Andina Outdoor.
pub const DEMO_CREDIT_CUSTOMER: &str = "ana.perez@example.cl";

/// Grants the demo customer credit and issues one gift card, at `merchant_id`.
pub(super) async fn load(app: &App, operator: &Caller, merchant_id: &str) -> AppResult<()> {
    let grant = GrantCredit::parse(
        Some(merchant_id.to_owned()),
        Some(DEMO_CREDIT_CUSTOMER.to_owned()),
        Some(Money::new(15_000, Currency::Clp)),
        Some("Devolución de una polera (demo)".to_owned()),
    )?;
    app.grant_store_credit(operator, grant).await?;
    let card = IssueGiftCard::parse(Some(merchant_id.to_owned()), Some(Money::new(30_000, Currency::Clp)))?;
    app.issue_gift_card(operator, card).await?;
    Ok(())
}
