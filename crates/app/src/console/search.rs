//! The search of a merchant's past and present orders, one row per part, newest first.

use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_store::{OrderSearch, OrderSearchRow, Page};

use super::period::Period;
use crate::App;
use crate::caller::Caller;
use crate::error::AppResult;
use crate::validation::Validator;

/// Longest search text.
pub const MAX_SEARCH_CHARS: usize = 100;

/// What to look for, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderQuery {
    /// An order number (`123` or `#123`), or part of the customer's name or phone.
    pub text: Option<String>,
    /// Only parts in this status.
    pub status: Option<FulfillmentStatus>,
    /// Only this location (staff: only their own).
    pub location_id: Option<String>,
    /// Placed within.
    pub period: Period,
    /// Paging.
    pub page: Page,
}

impl OrderQuery {
    /// Parses a search, reporting every bad field; blank text is no text.
    pub fn parse(
        text: Option<&str>,
        status: Option<&str>,
        location_id: Option<String>,
        from: Option<&str>,
        to: Option<&str>,
        page: Page,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let status = status.map(|raw| v.check("status", FulfillmentStatus::parse(raw)));
        let text = text.map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned);
        if text.as_ref().is_some_and(|text| text.chars().count() > MAX_SEARCH_CHARS) {
            v.push("q", format!("must be at most {MAX_SEARCH_CHARS} characters"));
        }
        let period = Period::check(&mut v, from, to);
        v.done(|| {
            let status = match status {
                Some(parsed) => Some(parsed?),
                None => None,
            };
            Some(Self { text, status, location_id, period: period?, page })
        })
    }
}

/// A page of parts found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrdersFound {
    /// The parts, newest first.
    pub rows: Vec<OrderSearchRow>,
    /// How many match in all.
    pub total: i64,
    /// The page read.
    pub page: Page,
}

impl App {
    /// Searches a merchant's parts: managers and platform users every location of the
    /// merchant, staff only their own.
    pub async fn search_orders(&self, caller: &Caller, merchant_id: &str, query: OrderQuery) -> AppResult<OrdersFound> {
        let merchant = self.readable_merchant(caller, merchant_id).await?;
        let location = self.scoped_location(caller, &merchant.id, query.location_id.as_deref()).await?;
        let search = OrderSearch {
            merchant_id: merchant.id,
            location_id: location.map(|location| location.id),
            status: query.status,
            text: query.text,
            from_ms: query.period.from_ms,
            to_ms: query.period.to_ms,
            page: query.page,
        };
        let (rows, total) = self.store.search_orders(&search).await?;
        Ok(OrdersFound { rows, total, page: query.page })
    }
}
