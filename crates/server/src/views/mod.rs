//! Response bodies: what the API shows of each row, with OpenAPI schemas, one module per area.

mod aisle;
mod aisle_orders;
mod catalog;
mod click_collect;
mod conflicts;
mod connections;
mod credit;
mod menu_promotions;
mod modifiers;
mod orders;
mod pos;
mod pos_approvals;
mod pos_pickups;
mod returns;
mod setup;
mod stock;
mod webhooks;
mod webshop;
pub mod words;

pub use aisle::*;
pub use aisle_orders::*;
pub use catalog::*;
pub use click_collect::*;
pub use conflicts::*;
pub use connections::*;
pub use credit::*;
pub use menu_promotions::*;
pub use modifiers::*;
pub use orders::*;
pub use pos::*;
pub use pos_approvals::*;
pub use pos_pickups::*;
pub use returns::*;
pub use setup::*;
pub use stock::*;
pub use webhooks::*;
pub use webshop::*;
mod customers;
pub use customers::*;

use omnicanal_domain::{Currency, Money};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Money as integer minor units: `{"amount": 12990, "currency": "CLP"}` is $12.990.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct MoneyView {
    /// Integer minor units (CLP has none: 12990 is $12.990; PEN has two: 1250 is S/ 12.50).
    pub amount: i64,
    /// ISO 4217 code: CLP, PEN, COP or USD.
    #[schema(schema_with = crate::views::words::currency)]
    pub currency: Currency,
}

impl MoneyView {
    /// Builds a view from minor units and their currency.
    pub fn from_parts(amount: i64, currency: Currency) -> Self {
        Self { amount, currency }
    }
}

impl From<Money> for MoneyView {
    fn from(money: Money) -> Self {
        Self { amount: money.amount_minor, currency: money.currency }
    }
}

impl From<MoneyView> for Money {
    fn from(view: MoneyView) -> Self {
        Money::new(view.amount, view.currency)
    }
}
