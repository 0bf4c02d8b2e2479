//! The shop clients: one [`ShopClient`] per shop software, each speaking that shop's published
//! API over the outbound HTTP client ([`crate::outbound`]: no redirects, only destinations the
//! outbound policy allows). They translate and pace; every decision is the use cases'
//! (`omnicanal_app::connections`).

mod magento;
mod prestashop;
mod shopify;
mod woocommerce;

use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::connections::client::{ShopAccess, ShopClient, ShopClients, ShopFailure};
use omnicanal_app::outbound::OutboundPolicy;
use omnicanal_domain::connections::ConnectorKind;

/// How long one call to a shop may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Makes each shop's client over one shared outbound HTTP client.
pub struct HttpShopClients {
    http: reqwest::Client,
}

impl HttpShopClients {
    /// Clients that connect only where `policy` allows.
    pub fn new(policy: Arc<OutboundPolicy>) -> reqwest::Result<Self> {
        Ok(Self { http: crate::outbound::client(policy, REQUEST_TIMEOUT)? })
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

/// What a request that got no answer is called on the connection: the outbound client's
/// neutral phrase (refused by policy, or no HTTP answer), never the network error itself.
#[allow(dead_code, reason = "the clients being built use it")]
pub(crate) fn no_answer(error: &reqwest::Error) -> ShopFailure {
    if error.is_timeout() {
        return ShopFailure::Unavailable("the shop did not answer in time".into());
    }
    ShopFailure::Unavailable(crate::outbound::failure_text(error).to_owned())
}
