//! The Magento 2 / Adobe Commerce client: its REST web API under `<site>/rest/V1`, with an
//! integration's access token, and Multi-Source Inventory for stock.
//!
//! Which documented behaviour each part follows:
//! - Auth: `Authorization: Bearer <integration access token>`
//!   (<https://developer.adobe.com/commerce/webapi/get-started/authentication/gs-authentication-token/>);
//!   a refused token is a 401 (`The consumer isn't authorized to access %resources.`).
//! - Lists: `searchCriteria` in the query string, `filter_groups` ANDed, filters inside one ORed,
//!   `condition_type` `eq`/`in`/`gteq`, `pageSize`/`currentPage`, `sortOrders`
//!   (<https://developer.adobe.com/commerce/webapi/rest/use-rest/performing-searches/>). Magento
//!   answers the last page again for a `currentPage` past the end, so paging stops by
//!   `total_count`, never by an empty page.
//! - Catalogue: `GET /V1/products`; every sellable SKU is a product of its own (a configurable
//!   product's sizes are simple products), so `RemoteItem.product_id` is the SKU and the
//!   configurable parents themselves are filtered out (`type_id in simple,virtual`).
//! - Stock: MSI source items, `GET` and `POST /V1/inventory/source-items` (a batch), at the
//!   item's source (`default` unless the shop listed another)
//!   (<https://developer.adobe.com/commerce/webapi/rest/inventory/manage-source-items/>).
//! - Prices: `POST /V1/products/base-prices` (a batch, `store_id` 0 = all store views), which
//!   answers `[]` or a list of per-item errors
//!   (<https://developer.adobe.com/commerce/webapi/rest/modules/catalog-pricing/>).
//! - Orders: `GET /V1/orders` filtered on `updated_at gteq` (UTC `YYYY-MM-DD HH:MM:SS`), oldest
//!   first; status back by cancel (`POST /V1/orders/{id}/cancel`), shipment
//!   (`POST /V1/order/{id}/ship`), offline credit memo (`POST /V1/order/{id}/refund`) and a
//!   status-history comment (`POST /V1/orders/{id}/comments`)
//!   (<https://developer.adobe.com/commerce/webapi/rest/tutorials/orders/>).
//! - Throttling: Adobe Commerce on cloud rate-limits at Fastly with HTTP 429
//!   (<https://experienceleague.adobe.com/en/docs/experience-cloud-kcs/kbarticles/ka-27428>); a
//!   `Retry-After` in seconds, when sent, becomes `Throttled { retry_after_ms }` (the connection
//!   waits; no wait inside the call). An HTTP-date `Retry-After` is read as none.
//! - Webhooks: open-source Magento sends none, so orders are only polled.

mod wire;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use async_trait::async_trait;
use omnicanal_app::connections::client::{
    PricePush, RemoteItem, RemoteOrder, RemotePage, RemoteVariant, ShopAccess, ShopClient, ShopFailure, ShopResult,
    StockPush,
};
use omnicanal_domain::Currency;
use omnicanal_domain::connections::RemoteOrderStatus;
use omnicanal_domain::connections::decimal::decimal_from_minor;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Products per page of the catalogue (Magento documents no maximum; 100 keeps answers small).
const PRODUCT_PAGE_SIZE: usize = 100;
/// Orders per page.
const ORDER_PAGE_SIZE: usize = 50;
/// SKUs per `in` filter when reading items back (keeps the URL well under servers' limits).
const SKUS_PER_READ: usize = 100;
/// Source items per page when reading stock.
const SOURCE_ITEMS_PAGE_SIZE: usize = 500;
/// Source items or prices per write (Magento documents no maximum; this bounds one request).
const WRITES_PER_REQUEST: usize = 500;
/// The source Magento creates and assigns every product to.
const DEFAULT_SOURCE: &str = "default";
/// At most this many pages of one list in a single call (a shop that never ends its list).
const MAX_PAGES_PER_CALL: usize = 1000;

/// Speaks Magento 2's REST API.
pub struct MagentoClient {
    http: reqwest::Client,
    /// `<site>/rest/V1`.
    api: String,
    token: String,
    exponent: u32,
    product_page_size: usize,
}

/// Minor-unit exponent of an ISO 4217 code: the domain's for the currencies it knows, 2 for
/// any other (most currencies' minor unit).
fn exponent_of(currency: &str) -> u32 {
    serde_json::from_value::<Currency>(Value::String(currency.trim().to_ascii_uppercase()))
        .map(Currency::exponent)
        .unwrap_or(2)
}

impl MagentoClient {
    /// A client for one shop.
    pub fn new(http: reqwest::Client, access: &ShopAccess) -> Self {
        let site = access.base_url.trim_end_matches('/');
        let rest = if site.ends_with("/rest") { site.to_owned() } else { format!("{site}/rest") };
        Self {
            http,
            api: format!("{rest}/V1"),
            token: access.credentials.get("token").to_owned(),
            exponent: exponent_of(&access.currency),
            product_page_size: PRODUCT_PAGE_SIZE,
        }
    }

    /// Sends a request with the token and sorts the answer: the body of a 2xx, or the failure.
    async fn send(&self, request: reqwest::RequestBuilder) -> ShopResult<Vec<u8>> {
        let response = request.bearer_auth(&self.token).send().await.map_err(|error| crate::no_answer(&error))?;
        let status = response.status();
        let retry_after_ms = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(|seconds| seconds.trim().parse::<i64>().ok())
            .map(|seconds| seconds.saturating_mul(1000));
        let body = response.bytes().await.map_err(|error| crate::no_answer(&error))?.to_vec();
        if status.is_success() {
            return Ok(body);
        }
        let message = wire::error_message(&body).unwrap_or_else(|| format!("HTTP {status}"));
        Err(match status.as_u16() {
            401 | 403 => ShopFailure::Unauthorized(message),
            429 => ShopFailure::Throttled { retry_after_ms },
            500..=599 => ShopFailure::Unavailable(message),
            _ => ShopFailure::Refused(message),
        })
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, query: &[(String, String)]) -> ShopResult<T> {
        let body = self.send(self.http.get(format!("{}/{path}", self.api)).query(query)).await?;
        read_json(&body)
    }

    async fn post(&self, path: &str, payload: &Value) -> ShopResult<Value> {
        let body = self.send(self.http.post(format!("{}/{path}", self.api)).json(payload)).await?;
        read_json(&body)
    }

    /// Source items of these SKUs, every page of them, as `sku → (source code, quantity)`,
    /// preferring the default source where a SKU has several.
    async fn stock_of(&self, skus: &[String]) -> ShopResult<BTreeMap<String, (String, i64)>> {
        let mut stock: BTreeMap<String, (String, i64)> = BTreeMap::new();
        if skus.is_empty() {
            return Ok(stock);
        }
        let mut seen = 0_u64;
        for page in 1..=MAX_PAGES_PER_CALL {
            let mut query = filter(0, 0, "sku", &skus.join(","), "in");
            query.extend(paging(SOURCE_ITEMS_PAGE_SIZE, page));
            let results: wire::SearchResults<wire::SourceItem> = self.get("inventory/source-items", &query).await?;
            seen += results.items.len() as u64;
            let fetched = results.items.len();
            for item in results.items {
                let quantity = wire::whole_units(item.quantity.as_ref())?.unwrap_or(0);
                let keep = stock.get(&item.sku).is_none_or(|(source, _)| source != DEFAULT_SOURCE);
                if keep {
                    stock.insert(item.sku, (item.source_code, quantity));
                }
            }
            if fetched == 0 || seen >= results.total_count {
                break;
            }
        }
        Ok(stock)
    }

    /// Products with their stock, as variants.
    async fn with_stock(&self, products: Vec<wire::Product>) -> ShopResult<Vec<RemoteVariant>> {
        let skus: Vec<String> = products.iter().map(|product| product.sku.clone()).collect();
        let stock = self.stock_of(&skus).await?;
        products
            .into_iter()
            .map(|product| {
                let source = stock.get(&product.sku).map(|(code, quantity)| (code.as_str(), *quantity));
                wire::variant(product, source, self.exponent)
            })
            .collect()
    }
}

fn read_json<T: DeserializeOwned>(body: &[u8]) -> ShopResult<T> {
    serde_json::from_slice(body).map_err(|error| ShopFailure::Garbage(format!("not Magento's JSON: {error}")))
}

/// One `searchCriteria` filter, as the docs write it in a query string.
fn filter(group: usize, index: usize, field: &str, value: &str, condition: &str) -> Vec<(String, String)> {
    let key = |name: &str| format!("searchCriteria[filter_groups][{group}][filters][{index}][{name}]");
    vec![
        (key("field"), field.to_owned()),
        (key("value"), value.to_owned()),
        (key("condition_type"), condition.to_owned()),
    ]
}

fn paging(page_size: usize, page: usize) -> Vec<(String, String)> {
    vec![
        ("searchCriteria[pageSize]".into(), page_size.to_string()),
        ("searchCriteria[currentPage]".into(), page.to_string()),
    ]
}

/// The page a cursor names (our cursors are Magento's `currentPage`).
fn page_of(cursor: Option<&str>) -> ShopResult<usize> {
    match cursor {
        None => Ok(1),
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|page| *page >= 1)
            .ok_or_else(|| ShopFailure::Refused(format!("not a page of Magento's list: {text}"))),
    }
}

/// The next page, when `total_count` says there is one.
fn next_page(page: usize, page_size: usize, total_count: u64) -> Option<String> {
    let shown = (page as u64).saturating_mul(page_size as u64);
    (shown < total_count).then(|| (page + 1).to_string())
}

fn refused_unless_true(answer: &Value, what: &str) -> ShopResult<()> {
    match answer {
        Value::Bool(true) => Ok(()),
        Value::Bool(false) => Err(ShopFailure::Refused(format!("Magento would not {what}"))),
        other => Err(ShopFailure::Garbage(format!("Magento answered {other} to {what}"))),
    }
}

#[async_trait]
impl ShopClient for MagentoClient {
    async fn check_credentials(&self) -> ShopResult<()> {
        let _: wire::SearchResults<Value> = self.get("products", &paging(1, 1)).await?;
        Ok(())
    }

    async fn list_variants(&self, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteVariant>> {
        let page = page_of(cursor)?;
        // Configurable (and bundle, grouped) parents are not sold themselves: their simple
        // children are listed as products of their own.
        let mut query = filter(0, 0, "type_id", "simple,virtual", "in");
        query.extend(paging(self.product_page_size, page));
        let results: wire::SearchResults<wire::Product> = self.get("products", &query).await?;
        let total = results.total_count;
        let items = self.with_stock(results.items).await?;
        Ok(RemotePage { items, next: next_page(page, self.product_page_size, total), total: Some(total) })
    }

    async fn read_variants(&self, items: &[RemoteItem]) -> ShopResult<Vec<RemoteVariant>> {
        let skus: Vec<String> = items.iter().map(|item| item.product_id.clone()).collect();
        let mut variants = Vec::new();
        for chunk in skus.chunks(SKUS_PER_READ) {
            let mut query = filter(0, 0, "sku", &chunk.join(","), "in");
            query.extend(paging(chunk.len(), 1));
            let results: wire::SearchResults<wire::Product> = self.get("products", &query).await?;
            variants.extend(self.with_stock(results.items).await?);
        }
        Ok(variants)
    }

    async fn push_stock(&self, pushes: &[StockPush]) -> ShopResult<()> {
        for chunk in pushes.chunks(WRITES_PER_REQUEST) {
            let source_items: Vec<Value> = chunk
                .iter()
                .map(|push| {
                    let quantity = push.available.max(0);
                    json!({
                        "sku": push.item.product_id,
                        "source_code": push.item.inventory_id.as_deref().unwrap_or(DEFAULT_SOURCE),
                        "quantity": quantity,
                        "status": i32::from(quantity > 0),
                    })
                })
                .collect();
            self.post("inventory/source-items", &json!({ "sourceItems": source_items })).await?;
        }
        Ok(())
    }

    async fn push_prices(&self, pushes: &[PricePush]) -> ShopResult<()> {
        for chunk in pushes.chunks(WRITES_PER_REQUEST) {
            let mut prices = Vec::new();
            for push in chunk {
                let decimal = decimal_from_minor(push.price_minor, exponent_of(&push.currency));
                // A JSON number written from the exact decimal text, never through a float.
                let price: Value = serde_json::from_str(&decimal)
                    .map_err(|_| ShopFailure::Refused(format!("a price Magento cannot take: {decimal}")))?;
                prices.push(json!({ "price": price, "store_id": 0, "sku": push.item.product_id }));
            }
            let answer = self.post("products/base-prices", &json!({ "prices": prices })).await?;
            let errors =
                answer.as_array().ok_or_else(|| ShopFailure::Garbage(format!("base-prices answered {answer}")))?;
            if !errors.is_empty() {
                let messages: Vec<String> = errors
                    .iter()
                    .map(|error| wire::error_message(error.to_string().as_bytes()).unwrap_or_else(|| error.to_string()))
                    .collect();
                return Err(ShopFailure::Refused(messages.join("; ")));
            }
        }
        Ok(())
    }

    async fn list_orders(&self, since_ms: i64, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteOrder>> {
        let page = page_of(cursor)?;
        let mut query = filter(0, 0, "updated_at", &wire::magento_time(since_ms), "gteq");
        query.push(("searchCriteria[sortOrders][0][field]".into(), "updated_at".into()));
        query.push(("searchCriteria[sortOrders][0][direction]".into(), "ASC".into()));
        query.extend(paging(ORDER_PAGE_SIZE, page));
        let results: wire::SearchResults<wire::Order> = self.get("orders", &query).await?;
        let total = results.total_count;
        let items =
            results.items.into_iter().map(|order| wire::order(order, self.exponent)).collect::<ShopResult<_>>()?;
        Ok(RemotePage { items, next: next_page(page, ORDER_PAGE_SIZE, total), total: Some(total) })
    }

    async fn set_order_status(&self, remote_order_id: &str, status: RemoteOrderStatus) -> ShopResult<()> {
        let id = remote_order_id.trim();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
            return Err(ShopFailure::Refused(format!("not a Magento order id: {remote_order_id}")));
        }
        match status {
            RemoteOrderStatus::Cancelled => {
                let answer = self.post(&format!("orders/{id}/cancel"), &json!({})).await?;
                refused_unless_true(&answer, &format!("cancel order {id}"))
            }
            // Both answer the new document's id; any JSON answer is a success.
            RemoteOrderStatus::Shipped => {
                self.post(&format!("order/{id}/ship"), &json!({ "notify": true })).await.map(drop)
            }
            RemoteOrderStatus::Refunded => {
                self.post(&format!("order/{id}/refund"), &json!({ "notify": true })).await.map(drop)
            }
            RemoteOrderStatus::Ready => {
                let history = json!({ "statusHistory": {
                    "comment": "Ready: picked and packed (Omnicanal).",
                    "is_customer_notified": 0,
                    "is_visible_on_front": 0,
                    "parent_id": id.parse::<u64>().unwrap_or_default(),
                }});
                let answer = self.post(&format!("orders/{id}/comments"), &history).await?;
                refused_unless_true(&answer, &format!("add a comment to order {id}"))
            }
        }
    }

    fn parse_order_webhook(&self, _topic: Option<&str>, _body: &[u8]) -> ShopResult<Option<RemoteOrder>> {
        Err(ShopFailure::Refused("Magento sends no order webhooks; its orders are polled".into()))
    }
}
