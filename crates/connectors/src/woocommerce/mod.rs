//! The WooCommerce client: the REST API v3 (`<site>/wp-json/wc/v3/`) as documented at
//! <https://woocommerce.github.io/woocommerce-rest-api-docs/>, behind the app's [`ShopClient`].
//!
//! Which documented behaviour each part follows:
//! - Auth (`oauth`, `http`): REST API keys, HTTP Basic over HTTPS; over plain HTTP OAuth
//!   1.0a one-legged signing in the query ("Authentication over HTTP"), as the official
//!   clients do. 401/403 (`woocommerce_rest_authentication_error`, `…_cannot_view`) stop the
//!   connection.
//! - Catalogue: `GET /products?per_page=100&page=N&orderby=id&order=asc` ("List all products";
//!   100 is the documented maximum, `X-WP-Total`/`X-WP-TotalPages` in "Pagination"); a
//!   `variable` product's sellable items are its variations, `GET /products/{id}/variations`
//!   ("List all product variations"). The cursor is the product page number, the total the
//!   shop's product count. The barcode is `global_unique_id` (WooCommerce 9.2+).
//! - Reads by item: `include=` on the same two lists, 100 ids a request.
//! - Pushes: `POST /products/batch` and `/products/{id}/variations/batch` with
//!   `{"update":[…]}`, at most 100 items a request ("Batch update products"); stock writes
//!   `manage_stock: true` with `stock_quantity`, prices write `regular_price` as a decimal
//!   string. An item answered with an `error` fails the push as [`ShopFailure::Refused`].
//! - Orders: `GET /orders?modified_after=…&dates_are_gmt=true&orderby=id&order=asc` (the
//!   `modified_after` filter, WooCommerce 5.8+, is strictly after and keeps seconds, so the
//!   asked instant is taken back one second to mean "at or after"); status changes are
//!   `PUT /orders/{id}` with the nearest status word ("Update an order").
//! - Webhooks: the body of `order.created`/`order.updated` is the order as the REST API shows it
//!   (docs "Webhooks"); other topics, `order.deleted` and the `webhook_id=…` ping are not orders.

mod http;
mod oauth;
mod wire;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use async_trait::async_trait;
use omnicanal_app::connections::client::{
    PricePush, RemoteItem, RemoteOrder, RemotePage, RemoteVariant, ShopAccess, ShopClient, ShopFailure, ShopResult,
    StockPush,
};
use omnicanal_domain::connections::RemoteOrderStatus;
use omnicanal_domain::connections::decimal::decimal_from_minor;
use omnicanal_domain::money::Currency;
use reqwest::Method;
use serde_json::{Value, json};

use wire::{WireOrder, WireProduct};

/// Items per page and per batch: the REST API's documented maximum for both.
const PAGE_AND_BATCH_LIMIT: usize = 100;

/// Speaks WooCommerce's REST API v3.
pub struct WooCommerceClient {
    http: reqwest::Client,
    access: ShopAccess,
}

impl WooCommerceClient {
    /// A client for one shop.
    pub fn new(http: reqwest::Client, access: &ShopAccess) -> Self {
        Self { http, access: access.clone() }
    }

    fn exponent(&self) -> u32 {
        exponent_of(&self.access.currency)
    }

    async fn get_list(&self, path: &str, query: Vec<(String, String)>) -> ShopResult<(Vec<Value>, http::Answer)> {
        let answer = self.call(Method::GET, path, &query, None).await?;
        match &answer.body {
            Value::Array(items) => Ok((items.clone(), answer)),
            _ => Err(ShopFailure::Garbage(format!("{path}: expected a JSON list"))),
        }
    }

    /// Every variation of a variable product, all pages.
    async fn variations_of(&self, product: &WireProduct) -> ShopResult<Vec<RemoteVariant>> {
        let path = format!("products/{}/variations", product.id);
        let parent_id = product.id.to_string();
        let mut variants = Vec::new();
        let mut page = 1_u64;
        loop {
            let (items, answer) = self.get_list(&path, paged(page, Vec::new())).await?;
            let more = has_more(page, items.len(), &answer);
            for item in items {
                let variation = parse::<WireProduct>(item)?;
                variants.push(variation.into_variation(&parent_id, product.name.as_deref(), self.exponent()));
            }
            if !more {
                return Ok(variants);
            }
            page += 1;
        }
    }

    /// Sends `{"update": …}` batches of at most 100 to each endpoint; items the shop refused
    /// are named in one [`ShopFailure::Refused`] after every batch was sent.
    async fn batch_update(&self, updates: BTreeMap<String, Vec<Value>>) -> ShopResult<()> {
        let mut refused = Vec::new();
        for (path, items) in updates {
            for chunk in items.chunks(PAGE_AND_BATCH_LIMIT) {
                let answer = self.call(Method::POST, &path, &[], Some(&json!({ "update": chunk }))).await?;
                let answered = answer.body.get("update").and_then(Value::as_array).cloned().unwrap_or_default();
                for item in answered {
                    if let Some(error) = item.get("error") {
                        let id = item.get("id").map(Value::to_string).unwrap_or_default();
                        let message = error.get("message").and_then(Value::as_str).unwrap_or("refused");
                        refused.push(format!("{id}: {message}"));
                    }
                }
            }
        }
        if refused.is_empty() {
            Ok(())
        } else {
            Err(ShopFailure::Refused(format!("batch update: {}", refused.join("; "))))
        }
    }
}

/// Decimals of a currency's minor unit (unknown currencies: 2).
pub(crate) fn exponent_of(currency: &str) -> u32 {
    currency.parse::<Currency>().map(Currency::exponent).unwrap_or(2)
}

fn paged(page: u64, mut query: Vec<(String, String)>) -> Vec<(String, String)> {
    query.push(("per_page".into(), PAGE_AND_BATCH_LIMIT.to_string()));
    query.push(("page".into(), page.to_string()));
    query.push(("orderby".into(), "id".into()));
    query.push(("order".into(), "asc".into()));
    query
}

fn parse<T: serde::de::DeserializeOwned>(value: Value) -> ShopResult<T> {
    serde_json::from_value(value).map_err(|error| ShopFailure::Garbage(format!("unexpected shape: {error}")))
}

/// The batch endpoint an item is written through, and its id there.
fn batch_target(item: &RemoteItem) -> ShopResult<(String, u64)> {
    let number = |id: &str| id.parse::<u64>().map_err(|_| ShopFailure::Refused(format!("not a WooCommerce id: {id}")));
    match &item.variant_id {
        Some(variation) => Ok((format!("products/{}/variations/batch", number(&item.product_id)?), number(variation)?)),
        None => Ok(("products/batch".to_owned(), number(&item.product_id)?)),
    }
}

fn cursor_page(cursor: Option<&str>) -> ShopResult<u64> {
    match cursor {
        None => Ok(1),
        Some(raw) => raw.parse().map_err(|_| ShopFailure::Refused(format!("not a page cursor: {raw}"))),
    }
}

/// Whether a page after `page` exists: `X-WP-TotalPages` says; when a proxy or cache dropped
/// the header, a full page means there may be more (an empty next page ends it).
fn has_more(page: u64, returned: usize, answer: &http::Answer) -> bool {
    match answer.total_pages {
        Some(total_pages) => page < total_pages,
        None => returned >= PAGE_AND_BATCH_LIMIT,
    }
}

fn next_page(page: u64, returned: usize, answer: &http::Answer) -> Option<String> {
    has_more(page, returned, answer).then(|| (page + 1).to_string())
}

#[async_trait]
impl ShopClient for WooCommerceClient {
    async fn check_credentials(&self) -> ShopResult<()> {
        let query = vec![("per_page".to_owned(), "1".to_owned())];
        self.get_list("products", query).await.map(|_| ())
    }

    async fn list_variants(&self, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteVariant>> {
        let page = cursor_page(cursor)?;
        let (items, answer) = self.get_list("products", paged(page, Vec::new())).await?;
        let next = next_page(page, items.len(), &answer);
        let mut variants = Vec::new();
        for item in items {
            let product = parse::<WireProduct>(item)?;
            match product.kind.as_deref() {
                Some("variable") => variants.extend(self.variations_of(&product).await?),
                Some("grouped") => {}
                _ => variants.push(product.into_simple(self.exponent())),
            }
        }
        Ok(RemotePage { items: variants, next, total: answer.total })
    }

    async fn read_variants(&self, items: &[RemoteItem]) -> ShopResult<Vec<RemoteVariant>> {
        // Products by id, and variations by their product: one `include=` list per endpoint.
        let mut wanted: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
        for item in items {
            match &item.variant_id {
                Some(variation) => wanted.entry(Some(item.product_id.clone())).or_default().push(variation.clone()),
                None => wanted.entry(None).or_default().push(item.product_id.clone()),
            }
        }
        let mut found = Vec::new();
        for (parent, ids) in wanted {
            let path = match &parent {
                Some(parent) => format!("products/{parent}/variations"),
                None => "products".to_owned(),
            };
            for chunk in ids.chunks(PAGE_AND_BATCH_LIMIT) {
                let query = paged(1, vec![("include".to_owned(), chunk.join(","))]);
                let items = match self.get_list(&path, query).await {
                    Ok((items, _)) => items,
                    // The product is gone: so are its variations.
                    Err(ShopFailure::Refused(why)) if parent.is_some() && why.starts_with("HTTP 404") => continue,
                    Err(failure) => return Err(failure),
                };
                for item in items {
                    let product = parse::<WireProduct>(item)?;
                    match &parent {
                        Some(parent) => found.push(product.into_variation(parent, None, self.exponent())),
                        None if product.has_no_stock_of_its_own() => {}
                        None => found.push(product.into_simple(self.exponent())),
                    }
                }
            }
        }
        Ok(found)
    }

    async fn push_stock(&self, pushes: &[StockPush]) -> ShopResult<()> {
        let mut updates: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for push in pushes {
            let (path, id) = batch_target(&push.item)?;
            updates
                .entry(path)
                .or_default()
                .push(json!({"id": id, "manage_stock": true, "stock_quantity": push.available}));
        }
        self.batch_update(updates).await
    }

    async fn push_prices(&self, pushes: &[PricePush]) -> ShopResult<()> {
        let mut updates: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for push in pushes {
            if push.currency != self.access.currency {
                return Err(ShopFailure::Refused(format!(
                    "{}: a price in {} for a shop that sells in {}",
                    push.sku, push.currency, self.access.currency
                )));
            }
            let (path, id) = batch_target(&push.item)?;
            let price = decimal_from_minor(push.price_minor, exponent_of(&push.currency));
            updates.entry(path).or_default().push(json!({"id": id, "regular_price": price}));
        }
        self.batch_update(updates).await
    }

    async fn list_orders(&self, since_ms: i64, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteOrder>> {
        let page = cursor_page(cursor)?;
        // Strictly after, in whole seconds: one second back keeps an order changed at `since_ms`.
        let after_secs = since_ms.div_euclid(1000) - 1;
        let after = chrono::DateTime::from_timestamp(after_secs, 0)
            .map(|at| at.format("%Y-%m-%dT%H:%M:%S").to_string())
            .unwrap_or_else(|| "1970-01-01T00:00:00".to_owned());
        let query = vec![("modified_after".to_owned(), after), ("dates_are_gmt".to_owned(), "true".to_owned())];
        let (items, answer) = self.get_list("orders", paged(page, query)).await?;
        let orders = items
            .into_iter()
            .map(|item| parse::<WireOrder>(item).map(|order| order.into_order(&self.access.currency)))
            .collect::<ShopResult<Vec<_>>>()?;
        let next = next_page(page, orders.len(), &answer);
        Ok(RemotePage { items: orders, next, total: answer.total })
    }

    async fn set_order_status(&self, remote_order_id: &str, status: RemoteOrderStatus) -> ShopResult<()> {
        let word = match status {
            // Paid and being fulfilled: WooCommerce has no "ready" of its own.
            RemoteOrderStatus::Ready => "processing",
            RemoteOrderStatus::Shipped => "completed",
            RemoteOrderStatus::Cancelled => "cancelled",
            RemoteOrderStatus::Refunded => "refunded",
        };
        let id: u64 = remote_order_id
            .parse()
            .map_err(|_| ShopFailure::Refused(format!("not a WooCommerce order id: {remote_order_id}")))?;
        self.call(Method::PUT, &format!("orders/{id}"), &[], Some(&json!({ "status": word }))).await.map(|_| ())
    }

    fn parse_order_webhook(&self, topic: Option<&str>, body: &[u8]) -> ShopResult<Option<RemoteOrder>> {
        if topic.is_some_and(|topic| !topic.starts_with("order.") || topic == "order.deleted") {
            return Ok(None);
        }
        // The ping WooCommerce sends when a webhook is saved is a form body, not an order.
        if body.starts_with(b"webhook_id=") {
            return Ok(None);
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|error| ShopFailure::Garbage(format!("webhook body is not JSON: {error}")))?;
        if topic.is_none() && value.get("line_items").is_none() {
            return Ok(None);
        }
        parse::<WireOrder>(value).map(|order| Some(order.into_order(&self.access.currency)))
    }
}
