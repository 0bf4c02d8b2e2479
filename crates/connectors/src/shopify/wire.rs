//! Shopify's wire shapes: the GraphQL documents we send (2025-01 reference,
//! <https://shopify.dev/docs/api/admin-graphql/2025-01>), the fields of their answers we read,
//! the REST order JSON its `orders/*` webhooks carry
//! (<https://shopify.dev/docs/api/admin-rest/2025-01/resources/order>), and their translation
//! to the app's words. Only the fields we read are declared; a missing required one makes the
//! answer [`ShopFailure::Garbage`].

use omnicanal_app::connections::client::{
    RemoteItem, RemoteOrder, RemoteOrderLine, RemoteVariant, ShopFailure, ShopResult,
};
use omnicanal_domain::connections::decimal::minor_from_decimal;
use serde::Deserialize;
use serde_json::Value;

/// The fields of a variant we read, for `productVariants` and `nodes`.
const VARIANT_FIELDS: &str = "id sku barcode title price inventoryQuantity \
    product { id title descriptionHtml } inventoryItem { id }";

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/queries/productVariants>
pub fn variants_page_query() -> String {
    format!(
        "query VariantsPage($first: Int!, $after: String) {{ productVariants(first: $first, after: $after, sortKey: ID) \
         {{ nodes {{ {VARIANT_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    )
}

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/queries/nodes>
pub fn variants_by_id_query() -> String {
    format!(
        "query VariantsById($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on ProductVariant {{ {VARIANT_FIELDS} }} }} }}"
    )
}

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/queries/shop>
pub const SHOP_QUERY: &str = "query Shop { shop { name myshopifyDomain currencyCode } }";

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/queries/locations>
pub const FIRST_LOCATION_QUERY: &str = "query FirstLocation { locations(first: 1) { nodes { id } } }";

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/inventorySetQuantities>
pub const SET_QUANTITIES_MUTATION: &str = "mutation SetQuantities($input: InventorySetQuantitiesInput!) { \
    inventorySetQuantities(input: $input) { inventoryAdjustmentGroup { reason } userErrors { field message code } } }";

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/productVariantsBulkUpdate>
pub const SET_PRICES_MUTATION: &str = "mutation SetPrices($productId: ID!, $variants: [ProductVariantsBulkInput!]!) { \
    productVariantsBulkUpdate(productId: $productId, variants: $variants) { productVariants { id price } \
    userErrors { field message code } } }";

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/queries/orders>, sorted by `UPDATED_AT`
/// and filtered with the search syntax `updated_at:>='<time>'`
/// (<https://shopify.dev/docs/api/usage/search-syntax>).
const ORDERS_QUERY_TEMPLATE: &str = "query OrdersPage($first: Int!, $lines: Int!, $after: String, $query: String) { \
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) { nodes { \
    id name displayFinancialStatus displayFulfillmentStatus cancelledAt email phone createdAt \
    customer { firstName lastName } \
    lineItems(first: $lines) { nodes { LINE_FIELDS } pageInfo { hasNextPage endCursor } } \
    totalPriceSet { shopMoney { amount currencyCode } } } pageInfo { hasNextPage endCursor } } }";

/// The fields of an order's line we read.
const LINE_FIELDS: &str =
    "sku quantity name variant { id product { id } } originalUnitPriceSet { shopMoney { amount currencyCode } }";

/// [`ORDERS_QUERY_TEMPLATE`] with the line fields in place.
pub fn orders_query() -> String {
    ORDERS_QUERY_TEMPLATE.replace("LINE_FIELDS", LINE_FIELDS)
}

/// The rest of a long order's lines
/// (<https://shopify.dev/docs/api/admin-graphql/2025-01/objects/Order#connection-Order.fields.lineItems>).
pub fn order_lines_query() -> String {
    format!(
        "query OrderLines($id: ID!, $lines: Int!, $after: String) {{ order(id: $id) {{ id \
         lineItems(first: $lines, after: $after) {{ nodes {{ {LINE_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }} }}"
    )
}

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/objects/Order#field-Order.fields.fulfillmentOrders>
pub const FULFILLMENT_ORDERS_QUERY: &str = "query OrderFulfillmentOrders($id: ID!) { order(id: $id) { id fulfillmentOrders(first: 10) { nodes { id status } } } }";

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/queries/order>
pub const ORDER_CANCELLED_QUERY: &str = "query OrderCancelled($id: ID!) { order(id: $id) { id cancelledAt } }";

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/orderCancel>
pub const ORDER_CANCEL_MUTATION: &str = "mutation CancelOrder($orderId: ID!, $reason: OrderCancelReason!, $refund: Boolean!, \
    $restock: Boolean!, $notifyCustomer: Boolean) { orderCancel(orderId: $orderId, reason: $reason, refund: $refund, \
    restock: $restock, notifyCustomer: $notifyCustomer) { job { id } orderCancelUserErrors { field message code } } }";

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/fulfillmentCreate>
pub const FULFILLMENT_CREATE_MUTATION: &str = "mutation Fulfil($fulfillment: FulfillmentInput!) { \
    fulfillmentCreate(fulfillment: $fulfillment) { fulfillment { id status } userErrors { field message } } }";

/// <https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/tagsAdd>
pub const TAGS_ADD_MUTATION: &str = "mutation Tag($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }";

/// Reads `data` (or a part of it) into `T`; the wrong shape is garbage.
pub fn read<T: serde::de::DeserializeOwned>(value: Value, what: &str) -> ShopResult<T> {
    serde_json::from_value(value).map_err(|error| ShopFailure::Garbage(format!("{what}: {error}")))
}

/// One entry of a payload's `userErrors` (or `orderCancelUserErrors`).
#[derive(Debug, Deserialize)]
pub struct UserError {
    #[serde(default)]
    pub field: Option<Vec<String>>,
    pub message: String,
}

/// A mutation's refusals as [`ShopFailure::Refused`].
pub fn refused_if_any(errors: &[UserError]) -> ShopResult<()> {
    if errors.is_empty() {
        return Ok(());
    }
    let described: Vec<String> = errors
        .iter()
        .map(|error| match &error.field {
            Some(field) if !field.is_empty() => format!("{}: {}", field.join("."), error.message),
            _ => error.message.clone(),
        })
        .collect();
    Err(ShopFailure::Refused(described.join("; ")))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    #[serde(default)]
    pub end_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Connection<T> {
    pub nodes: Vec<T>,
    #[serde(rename = "pageInfo")]
    pub page_info: PageInfo,
}

#[derive(Debug, Deserialize)]
pub struct Id {
    pub id: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description_html: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Variant {
    pub id: String,
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub barcode: Option<String>,
    pub title: String,
    pub price: String,
    #[serde(default)]
    pub inventory_quantity: Option<i64>,
    pub product: Product,
    #[serde(default)]
    pub inventory_item: Option<Id>,
}

/// The title Shopify gives the one variant of a product without options.
const DEFAULT_VARIANT_TITLE: &str = "Default Title";

pub(super) fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|value| !value.trim().is_empty())
}

impl Variant {
    pub fn into_remote(self, exponent: u32) -> RemoteVariant {
        let title = if self.title == DEFAULT_VARIANT_TITLE || self.title.is_empty() {
            self.product.title
        } else {
            format!("{} - {}", self.product.title, self.title)
        };
        let price_minor = minor_from_decimal(&self.price, exponent);
        if price_minor.is_none() {
            tracing::warn!(variant = %self.id, price = %self.price, "a Shopify price that does not fit the connection's currency");
        }
        RemoteVariant {
            item: RemoteItem {
                product_id: self.product.id,
                variant_id: Some(self.id),
                inventory_id: self.inventory_item.map(|item| item.id),
            },
            sku: non_empty(self.sku),
            barcode: non_empty(self.barcode),
            title,
            description: non_empty(self.product.description_html),
            price_minor,
            stock: self.inventory_quantity,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Money {
    pub amount: String,
    pub currency_code: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoneyBag {
    pub shop_money: Money,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LineVariant {
    pub id: String,
    #[serde(default)]
    pub product: Option<Id>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    #[serde(default)]
    pub sku: Option<String>,
    pub quantity: i64,
    pub name: String,
    #[serde(default)]
    pub variant: Option<LineVariant>,
    #[serde(default)]
    pub original_unit_price_set: Option<MoneyBag>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub display_financial_status: Option<String>,
    pub display_fulfillment_status: String,
    #[serde(default)]
    pub cancelled_at: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub customer: Option<Customer>,
    pub line_items: Connection<LineItem>,
    pub total_price_set: MoneyBag,
}

pub(super) fn millis(time: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(time).ok().map(|time| time.timestamp_millis())
}

/// The status word we keep, the same from a query and from a webhook:
/// `CANCELLED`, or `<financial>/<fulfillment>` (`PAID/UNFULFILLED`).
pub(super) fn status_word(cancelled: bool, financial: Option<&str>, fulfillment: &str) -> String {
    if cancelled {
        return "CANCELLED".into();
    }
    format!("{}/{}", financial.unwrap_or("PENDING").to_uppercase(), fulfillment.to_uppercase())
}

pub(super) fn full_name(first: Option<String>, last: Option<String>) -> String {
    [first, last]
        .into_iter()
        .flatten()
        .map(|part| part.trim().to_string())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Order {
    /// The order in the app's words, once all its lines are read.
    pub fn into_remote(self, exponent: u32) -> RemoteOrder {
        let lines = self
            .line_items
            .nodes
            .into_iter()
            .map(|line| RemoteOrderLine {
                sku: non_empty(line.sku),
                item: line.variant.map(|variant| RemoteItem {
                    product_id: variant.product.map(|product| product.id).unwrap_or_default(),
                    variant_id: Some(variant.id),
                    inventory_id: None,
                }),
                title: line.name,
                quantity: line.quantity,
                unit_price_minor: line
                    .original_unit_price_set
                    .and_then(|bag| minor_from_decimal(&bag.shop_money.amount, exponent)),
            })
            .collect();
        let (first, last) = self.customer.map_or((None, None), |customer| (customer.first_name, customer.last_name));
        RemoteOrder {
            remote_id: self.id,
            number: Some(self.name),
            status: status_word(
                self.cancelled_at.is_some(),
                self.display_financial_status.as_deref(),
                &self.display_fulfillment_status,
            ),
            customer_name: full_name(first, last),
            customer_email: non_empty(self.email),
            customer_phone: non_empty(self.phone),
            lines,
            total_minor: minor_from_decimal(&self.total_price_set.shop_money.amount, exponent),
            currency: Some(self.total_price_set.shop_money.currency_code),
            created_at_ms: millis(&self.created_at),
        }
    }
}

/// The `order { lineItems }` of [`order_lines_query`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLines {
    pub line_items: Connection<LineItem>,
}
