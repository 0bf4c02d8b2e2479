//! The woocommerce client (placeholder until it is built from the published API docs).

use async_trait::async_trait;
use omnicanal_app::connections::client::{
    PricePush, RemoteItem, RemoteOrder, RemotePage, RemoteVariant, ShopAccess, ShopClient, ShopFailure, ShopResult,
    StockPush,
};
use omnicanal_domain::connections::RemoteOrderStatus;

/// Speaks woocommerce's API.
pub struct WooCommerceClient {
    _http: reqwest::Client,
    _access: ShopAccess,
}

impl WooCommerceClient {
    /// A client for one shop.
    pub fn new(http: reqwest::Client, access: &ShopAccess) -> Self {
        Self { _http: http, _access: access.clone() }
    }
}

fn not_built() -> ShopFailure {
    ShopFailure::Refused("this connector is not built yet".into())
}

#[async_trait]
impl ShopClient for WooCommerceClient {
    async fn check_credentials(&self) -> ShopResult<()> {
        Err(not_built())
    }
    async fn list_variants(&self, _cursor: Option<&str>) -> ShopResult<RemotePage<RemoteVariant>> {
        Err(not_built())
    }
    async fn read_variants(&self, _items: &[RemoteItem]) -> ShopResult<Vec<RemoteVariant>> {
        Err(not_built())
    }
    async fn push_stock(&self, _pushes: &[StockPush]) -> ShopResult<()> {
        Err(not_built())
    }
    async fn push_prices(&self, _pushes: &[PricePush]) -> ShopResult<()> {
        Err(not_built())
    }
    async fn list_orders(&self, _since_ms: i64, _cursor: Option<&str>) -> ShopResult<RemotePage<RemoteOrder>> {
        Err(not_built())
    }
    async fn set_order_status(&self, _remote_order_id: &str, _status: RemoteOrderStatus) -> ShopResult<()> {
        Err(not_built())
    }
    fn parse_order_webhook(&self, _topic: Option<&str>, _body: &[u8]) -> ShopResult<Option<RemoteOrder>> {
        Err(not_built())
    }
}
