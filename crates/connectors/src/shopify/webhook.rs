//! The REST order JSON of Shopify's `orders/*` webhooks
//! (<https://shopify.dev/docs/api/admin-rest/2025-01/resources/order>, as the webhook
//! reference shows their payloads: <https://shopify.dev/docs/api/webhooks>):
//! numeric ids beside `admin_graphql_api_id`, prices as decimal strings. Read into the same
//! [`RemoteOrder`] as the GraphQL `orders` query gives, with the same remote id (the GID) and
//! status word.

use omnicanal_app::connections::client::{RemoteItem, RemoteOrder, RemoteOrderLine};
use omnicanal_domain::connections::decimal::minor_from_decimal;
use serde::Deserialize;

use super::wire::{full_name, millis, non_empty, status_word};

/// The REST order JSON of an `orders/*` webhook.
#[derive(Debug, Deserialize)]
pub struct WebhookOrder {
    pub id: u64,
    #[serde(default)]
    pub admin_graphql_api_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub customer: Option<WebhookCustomer>,
    #[serde(default)]
    pub line_items: Vec<WebhookLine>,
    #[serde(default)]
    pub total_price: Option<String>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub financial_status: Option<String>,
    #[serde(default)]
    pub fulfillment_status: Option<String>,
    #[serde(default)]
    pub cancelled_at: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct WebhookCustomer {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct WebhookLine {
    #[serde(default)]
    pub sku: Option<String>,
    pub quantity: i64,
    #[serde(default)]
    pub price: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub variant_id: Option<u64>,
    #[serde(default)]
    pub product_id: Option<u64>,
}

impl WebhookOrder {
    pub fn into_remote(self, exponent: u32) -> RemoteOrder {
        // REST writes fulfillment as `fulfilled`, `partial` or null; GraphQL's words are kept.
        let fulfillment = match self.fulfillment_status.as_deref() {
            None => "UNFULFILLED",
            Some("partial") => "PARTIALLY_FULFILLED",
            Some(other) => other,
        };
        let status = status_word(self.cancelled_at.is_some(), self.financial_status.as_deref(), fulfillment);
        let lines = self
            .line_items
            .into_iter()
            .map(|line| RemoteOrderLine {
                sku: non_empty(line.sku),
                item: line.variant_id.map(|variant| RemoteItem {
                    product_id: line
                        .product_id
                        .map(|product| format!("gid://shopify/Product/{product}"))
                        .unwrap_or_default(),
                    variant_id: Some(format!("gid://shopify/ProductVariant/{variant}")),
                    inventory_id: None,
                }),
                title: line.title.or(line.name).unwrap_or_default(),
                quantity: line.quantity,
                unit_price_minor: line.price.and_then(|price| minor_from_decimal(&price, exponent)),
            })
            .collect();
        let (first, last) = self.customer.map_or((None, None), |customer| (customer.first_name, customer.last_name));
        RemoteOrder {
            remote_id: self.admin_graphql_api_id.unwrap_or_else(|| format!("gid://shopify/Order/{}", self.id)),
            number: self.name,
            status,
            customer_name: full_name(first, last),
            customer_email: non_empty(self.email),
            customer_phone: non_empty(self.phone),
            lines,
            total_minor: self.total_price.and_then(|total| minor_from_decimal(&total, exponent)),
            currency: self.currency,
            created_at_ms: self.created_at.as_deref().and_then(millis),
        }
    }
}
