//! The PrestaShop client: PrestaShop 8's Webservice (`<site>/api/<resource>`), following
//! <https://devdocs.prestashop-project.org/8/webservice/> —
//! - auth and answers: [`http`] (the key as the Basic user, empty password; XML);
//! - reading: [`wire`] (the XML shapes) and [`catalog`] (`products` with `display=full`,
//!   `sort=[id_ASC]`, `limit=offset,count` pages; their `combinations` and `stock_availables`
//!   fetched per page with `filter[id_product]=[1|2|…]`, the cheat sheet's OR filter);
//! - writing: [`writes`] (stock by PUT of the whole `stock_available` as read, one per item,
//!   the API having no batch write; prices by PATCH, which PrestaShop 8 lists among its
//!   methods, a combination's as its impact on the product's price; an order's status by
//!   POST of an `order_history`);
//! - orders: [`orders`] (`filter[date_upd]=[since,…]&date=1`, customers fetched per page).
//!
//! PrestaShop has no webhooks: orders are only polled.

mod catalog;
mod dates;
mod http;
mod orders;
mod wire;
mod writes;

#[cfg(test)]
mod tests;

use async_trait::async_trait;
use omnicanal_app::connections::client::{
    PricePush, RemoteItem, RemoteOrder, RemotePage, RemoteVariant, ShopAccess, ShopClient, ShopResult, StockPush,
};
use omnicanal_domain::connections::RemoteOrderStatus;

/// Products (and orders) asked for per page, and ids per `filter[…]=[a|b|…]`: small enough for
/// a URL, large enough for the 5,000-SKU catalogue in 50 pages.
const PAGE_SIZE: usize = 100;

/// Speaks PrestaShop's Webservice.
pub struct PrestaShopClient {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
    /// Decimals of the shop's currency: how its decimal prices become minor units.
    exponent: u32,
    page_size: usize,
}

impl PrestaShopClient {
    /// A client for one shop.
    pub fn new(http: reqwest::Client, access: &ShopAccess) -> Self {
        Self {
            http,
            base_url: access.base_url.clone(),
            api_key: access.credentials.get("api_key").to_owned(),
            exponent: currency_exponent(&access.currency),
            page_size: PAGE_SIZE,
        }
    }
}

/// CLP and COP have no decimals; PEN, USD and anything unknown have 2.
pub(super) fn currency_exponent(currency: &str) -> u32 {
    match currency.trim().to_ascii_uppercase().as_str() {
        "CLP" | "COP" => 0,
        _ => 2,
    }
}

#[async_trait]
impl ShopClient for PrestaShopClient {
    async fn check_credentials(&self) -> ShopResult<()> {
        // The resource the connection needs most: a key without access to products is as
        // useless as a wrong one.
        self.get("products", &[("display", "[id]".into()), ("limit", "1".into())]).await.map(|_| ())
    }

    async fn list_variants(&self, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteVariant>> {
        self.variants_page(cursor).await
    }

    async fn read_variants(&self, items: &[RemoteItem]) -> ShopResult<Vec<RemoteVariant>> {
        self.variants_of(items).await
    }

    async fn push_stock(&self, pushes: &[StockPush]) -> ShopResult<()> {
        self.write_stock(pushes).await
    }

    async fn push_prices(&self, pushes: &[PricePush]) -> ShopResult<()> {
        self.write_prices(pushes).await
    }

    async fn list_orders(&self, since_ms: i64, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteOrder>> {
        self.orders_page(since_ms, cursor).await
    }

    async fn set_order_status(&self, remote_order_id: &str, status: RemoteOrderStatus) -> ShopResult<()> {
        self.add_order_history(remote_order_id, status).await
    }

    /// PrestaShop sends no webhooks (orders are polled), so nothing posted to us is its order.
    fn parse_order_webhook(&self, _topic: Option<&str>, _body: &[u8]) -> ShopResult<Option<RemoteOrder>> {
        Ok(None)
    }
}
