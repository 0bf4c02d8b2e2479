//! The records of a part's kitchen ticket: the order's header, the part with its lines, where
//! it is made and in which time zone, and when it is printed. No prices are printed, but the
//! ticket is still for the location's own people only.

use omnicanal_domain::access::Role;
use omnicanal_store::{FulfillmentRecord, OrderRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// What a kitchen ticket is printed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRecords {
    /// The order's header (number, customer, channel, table, pickup time).
    pub order: OrderRow,
    /// The part with its lines.
    pub part: FulfillmentRecord,
    /// The location's name.
    pub location_name: String,
    /// The site's time zone, for the times printed.
    pub timezone: String,
    /// When it is printed, by the app's clock.
    pub printed_at_ms: i64,
}

impl App {
    /// The records of a part's kitchen ticket (staff of the location, its manager, admins).
    pub async fn kitchen_ticket(&self, caller: &Caller, fulfillment_id: &str) -> AppResult<TicketRecords> {
        let not_found = || AppError::NotFound("fulfillment");
        let part = self.store.get_fulfillment(fulfillment_id).await?.ok_or_else(not_found)?;
        caller.check_location(&part.merchant_id, &part.location_id)?;
        caller.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
        let order = self.store.get_order(&part.order_id).await?.ok_or_else(not_found)?;
        let location = self.store.get_location(&part.location_id).await?.ok_or_else(not_found)?;
        let site = self.store.get_site(&order.order.site_id).await?.ok_or_else(not_found)?;
        Ok(TicketRecords {
            order: order.order,
            part,
            location_name: location.name,
            timezone: site.timezone,
            printed_at_ms: self.now_ms(),
        })
    }
}
