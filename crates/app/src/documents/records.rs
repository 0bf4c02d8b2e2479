//! The records an order's documents are printed from, and who may read them.
//!
//! The customer (holding the tracking token) reads everything of their order; platform users
//! read receipts and quotes; a merchant's staff read their own parts' tax documents. Anyone
//! else is told the document does not exist.

use std::collections::HashMap;

use omnicanal_domain::pricing::Quote;
use omnicanal_store::{FulfillmentRecord, OrderRecord, SiteRow};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::fulfilment::Viewer;

/// A merchant as its tax documents name it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MerchantIdentity {
    /// Its name.
    pub name: String,
    /// Its tax id (RUT, RUC, NIT), when it has one.
    pub tax_id: Option<String>,
}

/// What an order's documents print: the order, its site, the names of its locations and
/// merchants, and the quote it was placed with (for the discounts' names).
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRecords {
    /// The order with its parts.
    pub order: OrderRecord,
    /// The site it was placed at.
    pub site: SiteRow,
    /// Location names by id.
    pub location_names: HashMap<String, String>,
    /// Merchants by id.
    pub merchants: HashMap<String, MerchantIdentity>,
    /// The stored quote, when it can be read.
    pub quote: Option<Quote>,
    /// True when the reader is the customer (pickup codes are theirs to see).
    pub for_customer: bool,
}

impl App {
    /// The quote an order was placed with, exactly as stored (for the customer or platform users).
    pub async fn order_quote(&self, viewer: Viewer<'_>, order_id: &str) -> AppResult<serde_json::Value> {
        let order = self.store.get_order(order_id).await?.ok_or(AppError::NotFound("order"))?;
        if !viewer.holds_token_of(&order.order) && !viewer.is_platform() {
            return Err(AppError::NotFound("order"));
        }
        let stored = self.store.get_order_quote(order_id).await?.ok_or(AppError::NotFound("quote"))?;
        serde_json::from_str(&stored).map_err(|error| AppError::Internal(Box::new(error)))
    }

    /// The records of an order's combined receipt (for the customer or platform users).
    pub async fn receipt_records(&self, viewer: Viewer<'_>, order_id: &str) -> AppResult<DocumentRecords> {
        let order = self.store.get_order(order_id).await?.ok_or(AppError::NotFound("order"))?;
        let for_customer = viewer.holds_token_of(&order.order);
        if !for_customer && !viewer.is_platform() {
            return Err(AppError::NotFound("order"));
        }
        self.document_records(order, for_customer).await
    }

    /// The records of a part's tax document, and the part (for the customer or the staff who
    /// see the part's location).
    pub async fn part_document_records(
        &self,
        viewer: Viewer<'_>,
        fulfillment_id: &str,
    ) -> AppResult<(DocumentRecords, FulfillmentRecord)> {
        let not_found = || AppError::NotFound("fulfillment");
        let part = self.store.get_fulfillment(fulfillment_id).await?.ok_or_else(not_found)?;
        let order = self.store.get_order(&part.order_id).await?.ok_or_else(not_found)?;
        let staff_may = viewer.staff.is_some_and(|staff| staff.sees_location(&part.merchant_id, &part.location_id));
        let for_customer = viewer.holds_token_of(&order.order);
        if !for_customer && !staff_may {
            return Err(not_found());
        }
        let part = order.fulfillments.iter().find(|p| p.id == fulfillment_id).cloned().ok_or_else(not_found)?;
        Ok((self.document_records(order, for_customer).await?, part))
    }

    async fn document_records(&self, order: OrderRecord, for_customer: bool) -> AppResult<DocumentRecords> {
        let site = self.store.get_site(&order.order.site_id).await?.ok_or(AppError::NotFound("site"))?;
        let mut location_names = HashMap::new();
        let mut merchants = HashMap::new();
        for part in &order.fulfillments {
            if let Some(location) = self.store.get_location(&part.location_id).await? {
                location_names.insert(location.id, location.name);
            }
            if let Some(merchant) = self.store.get_merchant(&part.merchant_id).await? {
                merchants.insert(merchant.id, MerchantIdentity { name: merchant.name, tax_id: merchant.tax_id });
            }
        }
        // A quote that no longer parses only costs the discounts their names.
        let quote =
            self.store.get_order_quote(&order.order.id).await?.and_then(|json| serde_json::from_str(&json).ok());
        Ok(DocumentRecords { order, site, location_names, merchants, quote, for_customer })
    }
}
