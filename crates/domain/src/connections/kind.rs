//! The closed sets of words of a shop connection: which shop, how the link is doing, what an
//! imported order's journey is, and the order statuses told back to the shop.

crate::named_enum! {
    /// Which shop software a connection talks to.
    pub enum ConnectorKind("kind") {
        /// WooCommerce REST API v3 (`/wp-json/wc/v3`), consumer key and secret.
        WooCommerce => "woocommerce",
        /// PrestaShop Webservice (`/api`), a key; no webhooks, so orders are polled.
        PrestaShop => "prestashop",
        /// Magento 2 / Adobe Commerce REST (`/rest/V1`) with MSI source items, an integration token.
        Magento => "magento",
        /// Shopify Admin GraphQL API, an access token; webhooks signed with the app's secret.
        Shopify => "shopify",
    }
}

impl ConnectorKind {
    /// Whether the shop pushes orders to us by a signed webhook (the others are only polled).
    pub fn has_webhooks(self) -> bool {
        match self {
            ConnectorKind::WooCommerce | ConnectorKind::Shopify => true,
            ConnectorKind::PrestaShop | ConnectorKind::Magento => false,
        }
    }

    /// The credential fields the contract names for this shop, every one required.
    pub fn credential_fields(self) -> &'static [&'static str] {
        match self {
            ConnectorKind::WooCommerce => &["consumer_key", "consumer_secret", "webhook_secret"],
            ConnectorKind::PrestaShop => &["api_key"],
            ConnectorKind::Magento => &["token"],
            ConnectorKind::Shopify => &["access_token", "webhook_secret"],
        }
    }

    /// The channel word of the orders it imports (`shop:woocommerce`).
    pub fn channel(self) -> crate::channel::Channel {
        crate::channel::Channel::Shop(self.as_str().to_owned())
    }
}

crate::named_enum! {
    /// How a connection is doing, as its sync page and `GET /connections/{id}` show it.
    pub enum ConnectionStatus("status") {
        /// Created; the first import has not finished yet.
        Pending => "pending",
        /// The first import (or a full resync) is running.
        Importing => "importing",
        /// In step: pushes and polls succeed.
        Active => "active",
        /// The shop fails or times out; calls are retried with backoff.
        Failing => "failing",
        /// The shop refused the credentials: nothing is retried until they are changed or a
        /// person asks for a resync (no crash loop against a shop that says no).
        AuthFailed => "auth_failed",
    }
}

crate::named_enum! {
    /// What became of an order the shop sent (by webhook or found by polling).
    pub enum ShopOrderState("state") {
        /// Received, not yet placed in our queue.
        Received => "received",
        /// Placed: it is an Omnicanal order in the store's queue.
        Imported => "imported",
        /// Could not be placed without a person: an unknown SKU, or units sold out here.
        NeedsAttention => "needs_attention",
        /// A person chose to leave it out (cancelled at the shop, or handled by hand).
        Dismissed => "dismissed",
    }
}

crate::named_enum! {
    /// An order status told back to the shop.
    pub enum RemoteOrderStatus("status") {
        /// Ready for the customer (picked, packed).
        Ready => "ready",
        /// Handed over or shipped.
        Shipped => "shipped",
        /// Cancelled here.
        Cancelled => "cancelled",
        /// Refunded here.
        Refunded => "refunded",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_and_name_their_channel() {
        for kind in ConnectorKind::ALL {
            assert_eq!(ConnectorKind::parse(kind.as_str()), Ok(*kind));
            assert_eq!(kind.channel().to_string(), format!("shop:{}", kind.as_str()));
            assert!(!kind.credential_fields().is_empty());
        }
        assert!(ConnectorKind::parse("ebay").is_err());
    }
}
