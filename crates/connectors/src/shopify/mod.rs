//! The Shopify client: the GraphQL Admin API, version [`API_VERSION`]
//! (<https://shopify.dev/docs/api/admin-graphql/2025-01>), behind the app's [`ShopClient`].
//!
//! What each part follows:
//! - one endpoint, `POST <shop>/admin/api/2025-01/graphql.json`, with the app's token in
//!   `X-Shopify-Access-Token`; answers, errors and the cost-based throttle are read in
//!   `transport.rs` (<https://shopify.dev/docs/api/usage/limits>);
//! - the catalogue is `productVariants` in pages of 250 with `pageInfo.endCursor`
//!   (<https://shopify.dev/docs/api/usage/pagination-graphql>), one [`RemoteVariant`] per
//!   variant (a simple product has one, "Default Title"); `read_variants` reads by id with
//!   `nodes(ids:)`, 250 ids at a time;
//! - stock is set with `inventorySetQuantities` (name `available`, reason `correction`,
//!   `ignoreCompareQuantity: true`: Omnicanal is the source of truth for the quantity it
//!   pushes) at the shop's first location, read once with `locations(first: 1)` and kept;
//! - prices are set with `productVariantsBulkUpdate`, one call per product and 250 variants
//!   (the mutation takes one product's variants; input arrays hold at most 250);
//! - orders are `orders(query: "updated_at:>='…'", sortKey: UPDATED_AT)`, 10 per page with
//!   their first 15 lines (a page's requested cost stays under the single-query maximum of
//!   1,000 points); a longer order's other lines are read with `order(id:) { lineItems }`,
//!   150 at a time. The order's GID is its remote id, the same as the webhook's
//!   `admin_graphql_api_id`;
//! - statuses: Cancelled → `orderCancel` (no refund, no restock: Omnicanal pushes the stock
//!   itself); Shipped → `fulfillmentCreate` over the order's open fulfillment orders;
//!   Ready and Refunded → `tagsAdd` with the tag `ready` / `refunded`. A simplification:
//!   Refunded moves no money (`refundCreate` needs the order's payment transactions and is a
//!   decision better taken in Shopify's admin); the tag tells the shop's staff.
//! - webhooks (`orders/create`, `orders/updated`, …) carry the REST order JSON
//!   (<https://shopify.dev/docs/apps/build/webhooks>); their signature is checked by the
//!   server before [`ShopClient::parse_order_webhook`] reads them.

mod statuses;
mod transport;
mod webhook;
mod wire;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use omnicanal_app::connections::client::{
    PricePush, RemoteItem, RemoteOrder, RemotePage, RemoteVariant, ShopAccess, ShopClient, ShopFailure, ShopResult,
    StockPush,
};
use omnicanal_domain::Currency;
use omnicanal_domain::connections::RemoteOrderStatus;
use omnicanal_domain::connections::decimal::decimal_from_minor;
use serde::Deserialize;
use serde_json::json;

use transport::Transport;
use wire::{Connection, Id, UserError};

/// The Admin API version this client speaks (one of Shopify's dated, supported versions).
pub const API_VERSION: &str = "2025-01";
/// Variants per page (the most a connection's `first` takes).
const VARIANTS_PER_PAGE: usize = 250;
/// Ids per `nodes(ids:)` call (its documented maximum).
const IDS_PER_READ: usize = 250;
/// Quantities per `inventorySetQuantities` call and variants per `productVariantsBulkUpdate`:
/// every input array holds at most 250 (<https://shopify.dev/docs/api/usage/limits#input-limits>).
const QUANTITIES_PER_SET: usize = 250;
const VARIANTS_PER_PRICE_UPDATE: usize = 250;
/// Orders per page and the lines read with each: an order costs 4 points (itself, its
/// customer, its total and the total's shop money) and each line 5 (itself, its variant, the
/// variant's product, its price set and shop money), so a page requests
/// 2 + 10 × (4 + 2 + 15 × 5) = 812 points, under the single-query maximum of 1,000.
const ORDERS_PER_PAGE: usize = 10;
const LINES_PER_ORDER: usize = 15;
/// Lines per follow-up read of a longer order: 1 + 2 + 150 × 5 = 753 points.
const LINES_PER_FOLLOW_UP: usize = 150;
/// The most follow-up reads of one order's lines (3,015 lines): a bound, not a shop limit.
const MAX_LINE_FOLLOW_UPS: usize = 20;
/// Tags set for the statuses Shopify has no state of its own for.
const READY_TAG: &str = "ready";
const REFUNDED_TAG: &str = "refunded";

/// Speaks Shopify's GraphQL Admin API for one shop.
pub struct ShopifyClient {
    transport: Transport,
    exponent: u32,
    /// The location stock is written at, read once.
    location_id: Mutex<Option<String>>,
}

fn exponent_of(currency: &str) -> u32 {
    currency.trim().to_ascii_uppercase().parse::<Currency>().map_or(2, Currency::exponent)
}

impl ShopifyClient {
    /// A client for one shop.
    pub fn new(http: reqwest::Client, access: &ShopAccess) -> Self {
        let endpoint = format!("{}/admin/api/{API_VERSION}/graphql.json", access.base_url.trim_end_matches('/'));
        Self {
            transport: Transport { http, endpoint, access_token: access.credentials.get("access_token").to_string() },
            exponent: exponent_of(&access.currency),
            location_id: Mutex::new(None),
        }
    }

    async fn location_id(&self) -> ShopResult<String> {
        if let Some(known) = self.location_id.lock().ok().and_then(|known| known.clone()) {
            return Ok(known);
        }
        #[derive(Deserialize)]
        struct Data {
            locations: Locations,
        }
        #[derive(Deserialize)]
        struct Locations {
            nodes: Vec<Id>,
        }
        let data: Data = wire::read(self.transport.call(wire::FIRST_LOCATION_QUERY, json!({})).await?, "locations")?;
        let Some(location) = data.locations.nodes.into_iter().next() else {
            return Err(ShopFailure::Refused("the shop has no location to hold stock".into()));
        };
        if let Ok(mut known) = self.location_id.lock() {
            *known = Some(location.id.clone());
        }
        Ok(location.id)
    }

    /// Fills in the inventory item of pushes that lack it, from their variants.
    async fn with_inventory_items(&self, pushes: &[StockPush]) -> ShopResult<Vec<(String, i64, String)>> {
        let missing: Vec<RemoteItem> =
            pushes.iter().filter(|push| push.item.inventory_id.is_none()).map(|push| push.item.clone()).collect();
        let found = if missing.is_empty() { Vec::new() } else { self.read_variants(&missing).await? };
        let mut resolved = Vec::with_capacity(pushes.len());
        for push in pushes {
            let inventory = push.item.inventory_id.clone().or_else(|| {
                found
                    .iter()
                    .find(|variant| variant.item.variant_id == push.item.variant_id)
                    .and_then(|variant| variant.item.inventory_id.clone())
            });
            let Some(inventory) = inventory else {
                return Err(ShopFailure::Refused(format!("{}: the shop has no inventory item for it", push.sku)));
            };
            resolved.push((inventory, push.available, push.sku.clone()));
        }
        Ok(resolved)
    }

    /// Reads the lines of a long order that its page left out.
    async fn read_remaining_lines(&self, order: &mut wire::Order) -> ShopResult<()> {
        #[derive(Deserialize)]
        struct Data {
            order: Option<wire::OrderLines>,
        }
        for _ in 0..MAX_LINE_FOLLOW_UPS {
            let info = &order.line_items.page_info;
            if !info.has_next_page {
                return Ok(());
            }
            let variables = json!({ "id": order.id, "lines": LINES_PER_FOLLOW_UP, "after": info.end_cursor });
            let data: Data =
                wire::read(self.transport.call(&wire::order_lines_query(), variables).await?, "order lines")?;
            let Some(more) = data.order else {
                return Err(ShopFailure::Garbage(format!("order {} vanished while its lines were read", order.name)));
            };
            order.line_items.nodes.extend(more.line_items.nodes);
            order.line_items.page_info = more.line_items.page_info;
        }
        Err(ShopFailure::Refused(format!("order {} has more lines than Omnicanal reads", order.name)))
    }
}

#[async_trait]
impl ShopClient for ShopifyClient {
    async fn check_credentials(&self) -> ShopResult<()> {
        let data = self.transport.call(wire::SHOP_QUERY, json!({})).await?;
        if data["shop"].is_object() { Ok(()) } else { Err(ShopFailure::Garbage("an answer without the shop".into())) }
    }

    async fn list_variants(&self, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteVariant>> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            product_variants: Connection<wire::Variant>,
        }
        let variables = json!({ "first": VARIANTS_PER_PAGE, "after": cursor });
        let data: Data =
            wire::read(self.transport.call(&wire::variants_page_query(), variables).await?, "productVariants")?;
        let page = data.product_variants;
        Ok(RemotePage {
            items: page.nodes.into_iter().map(|variant| variant.into_remote(self.exponent)).collect(),
            next: if page.page_info.has_next_page { page.page_info.end_cursor } else { None },
            total: None,
        })
    }

    async fn read_variants(&self, items: &[RemoteItem]) -> ShopResult<Vec<RemoteVariant>> {
        #[derive(Deserialize)]
        struct Data {
            nodes: Vec<Option<serde_json::Value>>,
        }
        let ids: Vec<&str> = items.iter().filter_map(|item| item.variant_id.as_deref()).collect();
        let mut variants = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_READ) {
            let data: Data = wire::read(
                self.transport.call(&wire::variants_by_id_query(), json!({ "ids": chunk })).await?,
                "nodes",
            )?;
            // A deleted variant is a null node; a node of another type is an empty object.
            for node in data.nodes.into_iter().flatten().filter(|node| node.get("id").is_some()) {
                let variant: wire::Variant = wire::read(node, "a variant")?;
                variants.push(variant.into_remote(self.exponent));
            }
        }
        Ok(variants)
    }

    async fn push_stock(&self, pushes: &[StockPush]) -> ShopResult<()> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            inventory_set_quantities: Payload,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            user_errors: Vec<UserError>,
        }
        if pushes.is_empty() {
            return Ok(());
        }
        let location = self.location_id().await?;
        let resolved = self.with_inventory_items(pushes).await?;
        for chunk in resolved.chunks(QUANTITIES_PER_SET) {
            let quantities: Vec<serde_json::Value> = chunk
                .iter()
                .map(|(inventory, available, _)| json!({ "inventoryItemId": inventory, "locationId": location, "quantity": available }))
                .collect();
            let input = json!({ "name": "available", "reason": "correction", "ignoreCompareQuantity": true, "quantities": quantities });
            let data: Data = wire::read(
                self.transport.call(wire::SET_QUANTITIES_MUTATION, json!({ "input": input })).await?,
                "inventorySetQuantities",
            )?;
            wire::refused_if_any(&data.inventory_set_quantities.user_errors)?;
        }
        Ok(())
    }

    async fn push_prices(&self, pushes: &[PricePush]) -> ShopResult<()> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            product_variants_bulk_update: Payload,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            user_errors: Vec<UserError>,
        }
        let mut by_product: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
        for push in pushes {
            let Some(variant) = push.item.variant_id.as_deref() else {
                return Err(ShopFailure::Refused(format!("{}: no Shopify variant to price", push.sku)));
            };
            let price = decimal_from_minor(push.price_minor, exponent_of(&push.currency));
            by_product.entry(push.item.product_id.as_str()).or_default().push(json!({ "id": variant, "price": price }));
        }
        let mut calls: Vec<(&str, &[serde_json::Value])> = Vec::new();
        for (product, variants) in &by_product {
            calls.extend(variants.chunks(VARIANTS_PER_PRICE_UPDATE).map(|chunk| (*product, chunk)));
        }
        for (product, variants) in calls {
            let variables = json!({ "productId": product, "variants": variants });
            let data: Data = wire::read(
                self.transport.call(wire::SET_PRICES_MUTATION, variables).await?,
                "productVariantsBulkUpdate",
            )?;
            wire::refused_if_any(&data.product_variants_bulk_update.user_errors)?;
        }
        Ok(())
    }

    async fn list_orders(&self, since_ms: i64, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteOrder>> {
        #[derive(Deserialize)]
        struct Data {
            orders: Connection<wire::Order>,
        }
        // Shopify's times have whole seconds: round down so the boundary order is included.
        let since = chrono::DateTime::from_timestamp(since_ms.div_euclid(1000), 0)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let variables = json!({
            "first": ORDERS_PER_PAGE,
            "lines": LINES_PER_ORDER,
            "after": cursor,
            "query": format!("updated_at:>='{since}'"),
        });
        let data: Data = wire::read(self.transport.call(&wire::orders_query(), variables).await?, "orders")?;
        let page = data.orders;
        let mut items = Vec::with_capacity(page.nodes.len());
        for mut order in page.nodes {
            self.read_remaining_lines(&mut order).await?;
            items.push(order.into_remote(self.exponent));
        }
        Ok(RemotePage {
            items,
            next: if page.page_info.has_next_page { page.page_info.end_cursor } else { None },
            total: None,
        })
    }

    async fn set_order_status(&self, remote_order_id: &str, status: RemoteOrderStatus) -> ShopResult<()> {
        match status {
            RemoteOrderStatus::Ready => self.add_tag(remote_order_id, READY_TAG).await,
            RemoteOrderStatus::Shipped => self.fulfil(remote_order_id).await,
            RemoteOrderStatus::Cancelled => self.cancel(remote_order_id).await,
            RemoteOrderStatus::Refunded => self.add_tag(remote_order_id, REFUNDED_TAG).await,
        }
    }

    fn parse_order_webhook(&self, topic: Option<&str>, body: &[u8]) -> ShopResult<Option<RemoteOrder>> {
        // Topics whose body is the order resource (`orders/delete` carries only its id).
        const ORDER_TOPICS: &[&str] = &[
            "orders/create",
            "orders/updated",
            "orders/paid",
            "orders/cancelled",
            "orders/fulfilled",
            "orders/partially_fulfilled",
            "orders/edited",
        ];
        if topic.is_some_and(|topic| !ORDER_TOPICS.contains(&topic)) {
            return Ok(None);
        }
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|error| ShopFailure::Garbage(format!("webhook body: {error}")))?;
        if topic.is_none() && value.get("line_items").is_none() {
            return Ok(None);
        }
        let order: webhook::WebhookOrder = wire::read(value, "webhook order")?;
        Ok(Some(order.into_remote(self.exponent)))
    }
}
