//! The shop clients: one [`ShopClient`] per shop software, each speaking that shop's published
//! API over the HTTP client the server hands in — its outbound client, which follows no
//! redirect and connects only where the outbound policy allows. They translate and pace; every
//! decision is the use cases' (`omnicanal_app::connections`).

mod magento;
mod prestashop;
mod shopify;
mod woocommerce;

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::connections::client::{ShopAccess, ShopClient, ShopClients, ShopFailure};
use omnicanal_app::outbound::{NO_HTTP_ANSWER, REFUSED_BY_POLICY};
use omnicanal_domain::connections::ConnectorKind;

/// How long one call to a shop may take (the server builds its client with it).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Makes each shop's client over one shared HTTP client.
pub struct HttpShopClients {
    http: reqwest::Client,
}

impl HttpShopClients {
    /// Clients over `http`: the server's outbound client (tests may pass a plain one).
    pub fn new(http: reqwest::Client) -> Self {
        Self { http }
    }
}

impl ShopClients for HttpShopClients {
    fn client(&self, access: &ShopAccess) -> Arc<dyn ShopClient> {
        let http = self.http.clone();
        match access.kind {
            ConnectorKind::WooCommerce => Arc::new(woocommerce::WooCommerceClient::new(http, access)),
            ConnectorKind::PrestaShop => Arc::new(prestashop::PrestaShopClient::new(http, access)),
            ConnectorKind::Magento => Arc::new(magento::MagentoClient::new(http, access)),
            ConnectorKind::Shopify => Arc::new(shopify::ShopifyClient::new(http, access)),
        }
    }
}

/// What a request that got no answer is called on the connection: a neutral phrase (refused by
/// the outbound policy, a timeout, or no HTTP answer), never the network error itself, so the
/// connection page cannot be used to scan the network's ports.
#[allow(dead_code, reason = "the clients being built use it")]
pub(crate) fn no_answer(error: &reqwest::Error) -> ShopFailure {
    if error.is_timeout() {
        return ShopFailure::Unavailable("the shop did not answer in time".into());
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if current.is::<omnicanal_app::outbound::OutboundRefusal>() {
            return ShopFailure::Unavailable(REFUSED_BY_POLICY.into());
        }
        cause = current.source();
    }
    ShopFailure::Unavailable(NO_HTTP_ANSWER.into())
}
