//! What the use cases ask of a shop, whichever it is: one trait, [`ShopClient`], with one
//! implementation per shop at the edge (`omnicanal-server`'s `connectors/`), each speaking that
//! shop's published API over the outbound HTTP client.
//!
//! Why a trait here and the HTTP there: every decision (what to push, when to retry, what an
//! order means, what a change in the shop's admin means) is the app's and is tested with a
//! client made in the test; the clients only translate to and from each shop's wire shapes,
//! pages and throttling. Failures come back as [`ShopFailure`], already sorted into what the
//! connection must do next (stop on refused credentials, wait on throttling, back off on an
//! outage or garbage).

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use omnicanal_domain::connections::{ConnectorKind, RemoteOrderStatus};

/// How to reach one item in the shop. Each shop fills what its API addresses items by.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct RemoteItem {
    /// The shop's product: WooCommerce product id, PrestaShop product id, Magento SKU, Shopify
    /// product GID.
    pub product_id: String,
    /// The variant, when the product has them: WooCommerce variation id, PrestaShop
    /// combination id, Shopify variant GID; none for a simple product (and on Magento, where
    /// every variant is a product of its own SKU).
    pub variant_id: Option<String>,
    /// Where its stock is written, when that is another resource: PrestaShop
    /// `stock_availables` id, Shopify inventory item GID, Magento MSI source code.
    pub inventory_id: Option<String>,
}

/// One sellable variant as the shop lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteVariant {
    /// How to address it.
    pub item: RemoteItem,
    /// Its SKU in the shop (may be empty there).
    pub sku: Option<String>,
    /// Its barcode (EAN/UPC/GTIN) in the shop.
    pub barcode: Option<String>,
    /// Product title (with the variant's options, when the shop names them).
    pub title: String,
    /// Description as the shop holds it (HTML allowed).
    pub description: Option<String>,
    /// Regular price in minor units of the shop's currency; none when the shop has none.
    pub price_minor: Option<i64>,
    /// Quantity the shop shows; none when the shop does not manage its stock.
    pub stock: Option<i64>,
}

/// One page of a list, and how to ask for the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePage<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// The cursor of the next page (a page number, an offset or an opaque cursor); none at the end.
    pub next: Option<String>,
    /// How many items the whole list has, when the shop says (for the progress bar).
    pub total: Option<u64>,
}

/// One line of a shop's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteOrderLine {
    /// The SKU the shop sold (none when the shop's item has no SKU).
    pub sku: Option<String>,
    /// The shop's item, when the order names it (to match a mapping without a SKU).
    pub item: Option<RemoteItem>,
    /// What the shop called it.
    pub title: String,
    /// Units.
    pub quantity: i64,
    /// Unit price charged, minor units.
    pub unit_price_minor: Option<i64>,
}

/// An order as the shop holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteOrder {
    /// The shop's id for it: unique per connection, the key of "exactly once".
    pub remote_id: String,
    /// The number people see in the shop (`#1001`).
    pub number: Option<String>,
    /// The shop's status word (`processing`, `paid`, `2`…), kept for the record.
    pub status: String,
    /// Customer's name.
    pub customer_name: String,
    /// Customer's e-mail.
    pub customer_email: Option<String>,
    /// Customer's phone.
    pub customer_phone: Option<String>,
    /// The lines.
    pub lines: Vec<RemoteOrderLine>,
    /// Total charged, minor units.
    pub total_minor: Option<i64>,
    /// ISO 4217 currency of the order.
    pub currency: Option<String>,
    /// When it was placed, Unix milliseconds.
    pub created_at_ms: Option<i64>,
}

/// A quantity to show in the shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockPush {
    /// Where.
    pub item: RemoteItem,
    /// Our SKU (for logs and for shops that address items by SKU).
    pub sku: String,
    /// The available quantity to show.
    pub available: i64,
}

/// A price to show in the shop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricePush {
    /// Where.
    pub item: RemoteItem,
    /// Our SKU.
    pub sku: String,
    /// Regular price, minor units of the shop's currency.
    pub price_minor: i64,
    /// ISO 4217 currency (the shop's prices are decimal strings in it).
    pub currency: String,
}

/// Why a call to a shop did not succeed, sorted by what the connection does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShopFailure {
    /// The shop refused the credentials (401/403): the connection stops and says so; nothing is
    /// retried until the credentials change or a person asks for a resync.
    Unauthorized(String),
    /// The shop asked us to slow down (429, Shopify's throttled cost): try again after this
    /// long, when it said.
    Throttled {
        /// How long the shop asked us to wait, milliseconds.
        retry_after_ms: Option<i64>,
    },
    /// No answer, a timeout, or a 5xx: back off and retry.
    Unavailable(String),
    /// An answer we cannot read (not the documented shape): back off, retry, and show it.
    Garbage(String),
    /// The shop refused this request (another 4xx, a GraphQL `userErrors`): retrying the same
    /// will not help; shown on the connection.
    Refused(String),
}

impl fmt::Display for ShopFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShopFailure::Unauthorized(why) => write!(f, "the shop refused the credentials: {why}"),
            ShopFailure::Throttled { retry_after_ms: Some(ms) } => {
                write!(f, "the shop asked to slow down for {ms} ms")
            }
            ShopFailure::Throttled { retry_after_ms: None } => f.write_str("the shop asked to slow down"),
            ShopFailure::Unavailable(why) => write!(f, "the shop did not answer: {why}"),
            ShopFailure::Garbage(why) => write!(f, "the shop's answer could not be read: {why}"),
            ShopFailure::Refused(why) => write!(f, "the shop refused the request: {why}"),
        }
    }
}

/// The result of a call to a shop.
pub type ShopResult<T> = Result<T, ShopFailure>;

/// A connection's secrets, decrypted only to make a call. `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials(pub std::collections::BTreeMap<String, String>);

impl Credentials {
    /// The value of `field` (`consumer_key`, `api_key`, `token`, `access_token`…), empty when absent.
    pub fn get(&self, field: &str) -> &str {
        self.0.get(field).map(String::as_str).unwrap_or_default()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys().map(|key| format!("{key}=<redacted>"))).finish()
    }
}

/// What a client needs to reach one shop.
#[derive(Debug, Clone)]
pub struct ShopAccess {
    /// Which shop software.
    pub kind: ConnectorKind,
    /// The shop's base URL as registered (site root; `/rest` or `/api` below it for Magento and
    /// PrestaShop; `https://<shop>.myshopify.com` for Shopify), already checked by the
    /// outbound policy.
    pub base_url: String,
    /// Its secrets.
    pub credentials: Credentials,
    /// The shop's currency (ISO 4217) for reading and writing decimal prices.
    pub currency: String,
}

/// Speaks one shop's API. Implementations follow the shop's published documentation: its
/// paths, auth, payload shapes, pagination and throttling (honouring `Retry-After` or the cost
/// budget inside a call where it is short, returning [`ShopFailure::Throttled`] otherwise).
#[async_trait]
pub trait ShopClient: Send + Sync {
    /// A cheap authenticated call, to tell wrong credentials at once.
    async fn check_credentials(&self) -> ShopResult<()>;

    /// One page of the shop's sellable variants (simple products count as one); `cursor` is
    /// the previous page's [`RemotePage::next`], none for the first page.
    async fn list_variants(&self, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteVariant>>;

    /// Reads these items' current stock and price (for detecting changes made in the shop's
    /// admin). Items the shop no longer has are left out.
    async fn read_variants(&self, items: &[RemoteItem]) -> ShopResult<Vec<RemoteVariant>>;

    /// Sets the shown quantity of each item (a batch: as many per request as the API allows).
    async fn push_stock(&self, pushes: &[StockPush]) -> ShopResult<()>;

    /// Sets the regular price of each item.
    async fn push_prices(&self, pushes: &[PricePush]) -> ShopResult<()>;

    /// One page of orders created or changed at or after `since_ms` (Unix ms), oldest first.
    async fn list_orders(&self, since_ms: i64, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteOrder>>;

    /// Tells the shop an order's new status (the shop's nearest word for it).
    async fn set_order_status(&self, remote_order_id: &str, status: RemoteOrderStatus) -> ShopResult<()>;

    /// Reads the order in a verified webhook's body (the shop's order-created/updated payload);
    /// none when the webhook is about something else (a product, a ping).
    fn parse_order_webhook(&self, topic: Option<&str>, body: &[u8]) -> ShopResult<Option<RemoteOrder>>;
}

/// Makes the client for a shop: the server's implementations over its outbound HTTP client,
/// or a test's own.
pub trait ShopClients: Send + Sync {
    /// The client for this access.
    fn client(&self, access: &ShopAccess) -> Arc<dyn ShopClient>;
}

/// No shop clients: the layer's default until the server hands in its own. Every call fails
/// as if the shop did not answer, so a connection shows it rather than pretending.
pub struct NoShopClients;

struct Unreachable;

#[async_trait]
impl ShopClient for Unreachable {
    async fn check_credentials(&self) -> ShopResult<()> {
        Err(unreachable())
    }
    async fn list_variants(&self, _cursor: Option<&str>) -> ShopResult<RemotePage<RemoteVariant>> {
        Err(unreachable())
    }
    async fn read_variants(&self, _items: &[RemoteItem]) -> ShopResult<Vec<RemoteVariant>> {
        Err(unreachable())
    }
    async fn push_stock(&self, _pushes: &[StockPush]) -> ShopResult<()> {
        Err(unreachable())
    }
    async fn push_prices(&self, _pushes: &[PricePush]) -> ShopResult<()> {
        Err(unreachable())
    }
    async fn list_orders(&self, _since_ms: i64, _cursor: Option<&str>) -> ShopResult<RemotePage<RemoteOrder>> {
        Err(unreachable())
    }
    async fn set_order_status(&self, _remote_order_id: &str, _status: RemoteOrderStatus) -> ShopResult<()> {
        Err(unreachable())
    }
    fn parse_order_webhook(&self, _topic: Option<&str>, _body: &[u8]) -> ShopResult<Option<RemoteOrder>> {
        Err(unreachable())
    }
}

fn unreachable() -> ShopFailure {
    ShopFailure::Unavailable("this process has no client for shops".into())
}

impl ShopClients for NoShopClients {
    fn client(&self, _access: &ShopAccess) -> Arc<dyn ShopClient> {
        Arc::new(Unreachable)
    }
}
