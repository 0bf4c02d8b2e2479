//! Shop connections (contract v2 "Shop connections"; the use cases are
//! `omnicanal_app::connections`): create, list, read with the sync state, change, resync, the
//! webhook the shop posts to, conflicts and what a person chooses, the shop's orders, linking
//! an unmatched item. Credentials go in and never come out.

use std::collections::BTreeMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;
use crate::views::{ConnectionDetailView, ConnectionSummaryView, ShopConflictView, ShopOrderView, WebhookReceiptView};
use omnicanal_app::AppError;
use omnicanal_app::connections::orders::ShopWebhook;
use omnicanal_app::connections::setup::{ConnectionInput, MAX_BUFFER, MAX_LOCATIONS, MAX_NAME_CHARS, NewConnection};
use omnicanal_domain::connections::{FieldOwner, ShopOrderState};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_connection, list_connections))
        .routes(routes!(get_connection, update_connection))
        .routes(routes!(sync_connection))
        .routes(routes!(receive_webhook))
        .routes(routes!(list_conflicts))
        .routes(routes!(resolve_shop_conflict))
        .routes(routes!(list_shop_orders))
        .routes(routes!(link_unmatched))
        .routes(routes!(create_from_unmatched))
}

/// A shop connection to create (or the whole of one to change).
#[derive(Debug, Deserialize, ToSchema)]
pub struct ConnectionRequest {
    /// The merchant whose shop it is.
    pub merchant_id: String,
    /// `woocommerce`, `prestashop`, `magento` or `shopify`.
    #[schema(schema_with = crate::views::words::connector_kind)]
    pub kind: String,
    /// A name for people, unique per merchant.
    #[schema(schema_with = connection_name)]
    pub name: String,
    /// The shop's address: WooCommerce the site root (`/wp-json/wc/v3` below it), Shopify
    /// `https://<shop>.myshopify.com`, Magento with `/rest` below it, PrestaShop with `/api`
    /// below it. https to a public host (plain http only to hosts `OMNICANAL_OUTBOUND_ALLOWED_HOSTS`
    /// names).
    #[schema(schema_with = shop_address)]
    pub base_url: String,
    /// The shop's secrets: WooCommerce `{consumer_key, consumer_secret, webhook_secret}`,
    /// Shopify `{access_token, webhook_secret}`, Magento `{token}`, PrestaShop `{api_key}`. Never
    /// shown again; on a change, leave it out (or empty) to keep the stored ones.
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    /// The locations whose stock the shop sells.
    #[schema(min_items = 1, max_items = 50)]
    pub location_ids: Vec<String>,
    /// Units kept back per location from what the shop is told (0 when absent).
    #[schema(minimum = 0, maximum = 9_999)]
    pub stock_buffer: Option<i64>,
    /// The price list whose prices the shop shows (base prices when absent).
    pub price_list_id: Option<String>,
    /// Who wins the stock: `omnicanal` (default) or `shop`.
    #[schema(schema_with = optional_owner)]
    pub stock_owner: Option<String>,
    /// Who wins the price: `omnicanal` (default) or `shop`.
    #[schema(schema_with = optional_owner)]
    pub price_owner: Option<String>,
    /// Who wins title and description: `shop` (default) or `omnicanal`.
    #[schema(schema_with = optional_owner)]
    pub content_owner: Option<String>,
}

// The request's checked fields as `NewConnection::parse` checks them, so a client (or the
// interop suite's fuzzer) reading the document builds connections the server takes. What no
// schema can say stays in words: the credential fields depend on `kind`, the address must pass
// the outbound policy, the locations and price list must be the merchant's.
const _: () = assert!(MAX_LOCATIONS == 50 && MAX_BUFFER == 9_999, "update the #[schema] limits above");

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

/// What `NewConnection::parse` takes as a name: 1 to `MAX_NAME_CHARS` characters, no control
/// character, not only white space (counted after trimming; the schema counts it whole).
fn connection_name() -> Object {
    string()
        .min_length(Some(1))
        .max_length(Some(MAX_NAME_CHARS))
        .pattern(Some(crate::views::words::NAME_PATTERN))
        .build()
}

/// A shop's address: an http(s) URL (the outbound policy decides which hosts).
fn shop_address() -> Object {
    string().min_length(Some(8)).max_length(Some(2_000)).pattern(Some("^https?://[^\\s/?#]+[^\\s]*$")).build()
}

/// Who wins a field; null or absent for the default.
fn optional_owner() -> Object {
    let words: Vec<serde_json::Value> = FieldOwner::ALL
        .iter()
        .map(|owner| serde_json::Value::from(owner.as_str()))
        .chain([serde_json::Value::Null])
        .collect();
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null])).enum_values(Some(words)).build()
}

/// A shop order's state, as a filter (left out: every state).
fn shop_order_state() -> Object {
    string().enum_values(Some(ShopOrderState::ALL.iter().map(|state| state.as_str()))).build()
}

/// The choices a conflict can offer (each conflict lists its own in `choices`).
fn conflict_choice() -> Object {
    string().enum_values(Some(["keep_ours", "take_theirs", "retry", "cancel_in_shop", "dismiss"])).build()
}

impl From<ConnectionRequest> for ConnectionInput {
    fn from(request: ConnectionRequest) -> Self {
        Self {
            merchant_id: request.merchant_id,
            kind: request.kind,
            name: request.name,
            base_url: request.base_url,
            credentials: request.credentials,
            location_ids: request.location_ids,
            stock_buffer: request.stock_buffer,
            price_list_id: request.price_list_id,
            stock_owner: request.stock_owner,
            price_owner: request.price_owner,
            content_owner: request.content_owner,
        }
    }
}

/// Connects a merchant's shop (its manager or an admin) and starts the first import. The
/// answer's `status` is `pending`: the credentials are tried by the import, and a refusal shows
/// on the connection (`status: auth_failed`, `last_error`), never as a crash loop.
#[utoipa::path(post, path = "/connections", tag = "connections", request_body = ConnectionRequest,
    security(("bearer" = [])),
    responses((status = 201, body = ConnectionSummaryView), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn create_connection(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<ConnectionRequest>,
) -> ApiResult<(StatusCode, Json<ConnectionSummaryView>)> {
    let new = NewConnection::parse(request.into())?;
    let row = state.app.create_connection(&user, new).await?;
    Ok((StatusCode::CREATED, Json((&row).into())))
}

/// Which connections to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConnectionsQuery {
    /// Only this merchant's (an admin's filter; a manager sees only its own).
    pub merchant_id: Option<String>,
}

/// The connections the caller may see.
#[utoipa::path(get, path = "/connections", tag = "connections", security(("bearer" = [])), params(ConnectionsQuery),
    responses((status = 200, body = Vec<ConnectionSummaryView>)))]
async fn list_connections(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<ConnectionsQuery>,
) -> ApiResult<Json<Vec<ConnectionSummaryView>>> {
    let rows = state.app.connections(&user, query.merchant_id.as_deref()).await?;
    Ok(Json(rows.iter().map(ConnectionSummaryView::from).collect()))
}

/// A connection with its sync state: status, last success, queue length and lag, mapped SKUs,
/// unmatched items, open conflicts, the last error in plain words, the import's progress.
#[utoipa::path(get, path = "/connections/{id}", tag = "connections", security(("bearer" = [])),
    params(("id" = String, Path, description = "Connection id")),
    responses((status = 200, body = ConnectionDetailView), (status = 404, body = crate::error::Problem)))]
async fn get_connection(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ConnectionDetailView>> {
    let view = state.app.connection_view(&user, &id).await?;
    Ok(Json((&view).into()))
}

/// Changes a connection's settings (the whole of them; credentials left out are kept) and
/// resyncs it. Its merchant and kind cannot change.
#[utoipa::path(put, path = "/connections/{id}", tag = "connections", security(("bearer" = [])),
    request_body = ConnectionRequest, params(("id" = String, Path, description = "Connection id")),
    responses((status = 200, body = ConnectionSummaryView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem, description = "Another connection of this merchant has this name"),
        (status = 422, body = crate::error::Problem)))]
async fn update_connection(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ConnectionRequest>,
) -> ApiResult<Json<ConnectionSummaryView>> {
    let edit = NewConnection::parse_edit(request.into())?;
    let row = state.app.update_connection(&user, &id, edit).await?;
    Ok(Json((&row).into()))
}

/// Runs the first import again (a full resync, "resync now"): every shop item matched again,
/// every mapped SKU pushed; it also lifts a backoff and retries refused credentials.
#[utoipa::path(post, path = "/connections/{id}/sync", tag = "connections", security(("bearer" = [])),
    params(("id" = String, Path, description = "Connection id")),
    responses((status = 202, body = ConnectionSummaryView), (status = 404, body = crate::error::Problem)))]
async fn sync_connection(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<ConnectionSummaryView>)> {
    let row = state.app.request_connection_sync(&user, &id).await?;
    Ok((StatusCode::ACCEPTED, Json((&row).into())))
}

/// Where the shop posts its webhooks (WooCommerce `order.created`/`order.updated`, Shopify
/// `orders/create`/`orders/updated`), verified by the shop's own scheme (`X-WC-Webhook-Signature`,
/// `X-Shopify-Hmac-Sha256`: base64 HMAC-SHA256 of the raw body with the webhook secret). A bad or
/// missing signature is 401 and nothing is recorded. An order is recorded once, whatever how
/// often it is delivered, and placed in the store's queue by the worker.
#[utoipa::path(post, path = "/connections/{id}/webhooks", tag = "connections",
    params(("id" = String, Path, description = "Connection id")),
    request_body(content = String, content_type = "application/json", description = "The shop's webhook body, as signed"),
    responses((status = 200, body = WebhookReceiptView), (status = 401, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem, description = "The connection's stored settings no longer make a shop client"),
        (status = 422, body = crate::error::Problem)))]
async fn receive_webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookReceiptView>> {
    let headers = headers
        .iter()
        .filter_map(|(name, value)| Some((name.as_str().to_ascii_lowercase(), value.to_str().ok()?.to_owned())))
        .collect();
    let receipt = state.app.receive_shop_webhook(&id, ShopWebhook { headers, body: body.to_vec() }).await?;
    Ok(Json(WebhookReceiptView { remote_id: receipt.remote_id, duplicate: receipt.duplicate }))
}

/// Which conflicts to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConflictsQuery {
    /// Only open ones (default true).
    pub open: Option<bool>,
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// A connection's conflicts, newest first: open ones by default, or every one recorded (edits
/// in the shop reverted or accepted by the connection's rules included).
#[utoipa::path(get, path = "/connections/{id}/conflicts", tag = "connections", security(("bearer" = [])),
    params(("id" = String, Path, description = "Connection id"), ConflictsQuery),
    responses((status = 200, body = Vec<ShopConflictView>), (status = 404, body = crate::error::Problem)))]
async fn list_conflicts(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ConflictsQuery>,
) -> ApiResult<Json<Vec<ShopConflictView>>> {
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let (rows, _) = state.app.shop_conflicts(&user, &id, query.open.unwrap_or(true), page).await?;
    Ok(Json(rows.iter().map(ShopConflictView::from).collect()))
}

/// A person's choice about a conflict.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResolveConflict {
    /// One of the conflict's `choices`: `keep_ours`, `take_theirs`, `retry`, `cancel_in_shop`,
    /// `dismiss`.
    #[schema(schema_with = conflict_choice)]
    pub choice: String,
}

/// Settles an open conflict with one of its choices.
#[utoipa::path(post, path = "/connections/{id}/conflicts/{conflict_id}/resolve", tag = "connections",
    security(("bearer" = [])), request_body = ResolveConflict,
    params(("id" = String, Path, description = "Connection id"), ("conflict_id" = String, Path, description = "Conflict id")),
    responses((status = 200, body = ShopConflictView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn resolve_shop_conflict(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, conflict_id)): Path<(String, String)>,
    ApiJson(request): ApiJson<ResolveConflict>,
) -> ApiResult<Json<ShopConflictView>> {
    let row = state.app.resolve_shop_conflict(&user, &id, &conflict_id, request.choice.trim()).await?;
    Ok(Json((&row).into()))
}

/// Which shop orders to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShopOrdersQuery {
    /// Only orders in this state: `received`, `imported`, `needs_attention`, `dismissed`.
    #[param(schema_with = shop_order_state)]
    pub state: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// The orders the shop sent, newest first.
#[utoipa::path(get, path = "/connections/{id}/orders", tag = "connections", security(("bearer" = [])),
    params(("id" = String, Path, description = "Connection id"), ShopOrdersQuery),
    responses((status = 200, body = Vec<ShopOrderView>), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn list_shop_orders(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ShopOrdersQuery>,
) -> ApiResult<Json<Vec<ShopOrderView>>> {
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let wanted = match query.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(word) => Some(ShopOrderState::parse(word).map_err(AppError::from)?),
        None => None,
    };
    let (rows, _) = state.app.shop_orders(&user, &id, wanted, page).await?;
    Ok(Json(rows.iter().map(ShopOrderView::from).collect()))
}

/// Links a shop item that matched none of ours to one of our SKUs.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkUnmatched {
    /// The item's `remote_key` from the connection's `unmatched` list.
    pub remote_key: String,
    /// Our SKU.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
}

/// Links an unmatched shop item to one of our SKUs: it is mapped and gets our stock and price.
#[utoipa::path(post, path = "/connections/{id}/unmatched/link", tag = "connections", security(("bearer" = [])),
    request_body = LinkUnmatched, params(("id" = String, Path, description = "Connection id")),
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn link_unmatched(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<LinkUnmatched>,
) -> ApiResult<StatusCode> {
    state.app.link_unmatched(&user, &id, &request.remote_key, &request.sku).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One of the shop's unmatched items, to create here.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateFromUnmatched {
    /// The item's `remote_key` from the connection's `unmatched` list.
    pub remote_key: String,
}

/// The product created from a shop's item.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct CreatedFromUnmatched {
    /// Its SKU here (the shop's, or one made from the shop's ids when it has none).
    pub sku: String,
}

/// Creates one of our products from an unmatched shop item (its title, SKU, barcode and price
/// in the shop; stock tracked) and links it.
#[utoipa::path(post, path = "/connections/{id}/unmatched/create", tag = "connections", security(("bearer" = [])),
    request_body = CreateFromUnmatched, params(("id" = String, Path, description = "Connection id")),
    responses((status = 201, body = CreatedFromUnmatched), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_from_unmatched(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CreateFromUnmatched>,
) -> ApiResult<(StatusCode, Json<CreatedFromUnmatched>)> {
    let sku = state.app.create_from_unmatched(&user, &id, &request.remote_key).await?;
    Ok((StatusCode::CREATED, Json(CreatedFromUnmatched { sku })))
}
