//! Returns and exchanges in any store (issue 17 point 6): take a return (the contract's
//! `POST /returns`, idempotent like every route that moves money or stock), find a purchase
//! with what is still returnable, read a return, and a merchant's return policy. The rules are
//! in `omnicanal_app::returns`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::returns::{
    CreateReturn, CreateReturnInput, ExchangeLineInput, PurchaseQuery, ReturnLineInput, ReturnOverride, SetReturnPolicy,
};

use super::pos::SalePaymentBody;
use crate::auth::AuthUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::views::{ReturnPolicyView, ReturnView, ReturnablePurchaseView};

/// Routes that move money or stock (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_return))
}

/// Routes that read, and the policy (which moves neither).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(lookup_purchases))
        .routes(routes!(get_return))
        .routes(routes!(get_return_policy, put_return_policy))
}

/// One line coming back.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReturnLineBody {
    /// The SKU as bought.
    pub sku: String,
    /// Units (never more than bought minus already returned).
    pub quantity: i64,
    /// `true`: back into this location's on-hand (a stock movement); `false`: to the damaged bin.
    #[serde(default)]
    pub restock: bool,
    /// `resellable` or `damaged` (default: resellable when restocked, else damaged).
    pub condition: Option<String>,
}

/// A manager's override of the return policy, recorded in the audit log.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReturnOverrideBody {
    /// Staff: an approval a manager gave by PIN at a till of this location
    /// (`POST /pos/devices/{id}/approvals`). A manager or admin taking the return needs none.
    pub approval_id: Option<String>,
    /// Why the policy is set aside.
    #[serde(default)]
    pub reason: String,
}

/// A return.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateReturnBody {
    /// The order returned from (any channel), or…
    pub order_id: Option<String>,
    /// …the till sale.
    pub sale_id: Option<String>,
    /// Where the return is taken: any location of the purchase's merchant.
    #[serde(default)]
    pub location_id: String,
    /// What comes back (1 to 200 lines).
    #[serde(default)]
    pub lines: Vec<ReturnLineBody>,
    /// `original` (the card's refund job; cash from this location's till for what was paid
    /// at a counter) or `store_credit`.
    #[serde(default)]
    pub refund_to: String,
    /// Why the customer returns it.
    #[serde(default)]
    pub reason: String,
    /// The till whose open session pays cash back (default: an open one at the location).
    pub device_id: Option<String>,
    /// Whether the customer brought the receipt (default true).
    pub has_receipt: Option<bool>,
    /// A manager's override of the policy.
    #[serde(rename = "override")]
    pub override_: Option<ReturnOverrideBody>,
    /// The store-credit holder (e-mail or phone), when the purchase has none.
    pub customer: Option<String>,
    /// An exchange: the items the customer takes instead (at most 200), priced today at this
    /// location and taken from its stock; only the difference moves.
    #[serde(default)]
    pub exchange_lines: Vec<ExchangeLineBody>,
    /// The open till session a difference the customer pays goes into (default: the till's,
    /// `device_id`, or the first open one here).
    pub session_id: Option<String>,
    /// How the customer pays a difference (`cash`, with `tendered` for change, or
    /// `external_card` with its approval code), as a till sale's payments.
    #[serde(default)]
    pub payments: Vec<SalePaymentBody>,
}

/// One item taken in exchange.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExchangeLineBody {
    /// The SKU taken.
    pub sku: String,
    /// Units (1 to 9 999).
    pub quantity: i64,
}

impl TryFrom<CreateReturnBody> for CreateReturn {
    type Error = AppError;

    fn try_from(body: CreateReturnBody) -> Result<Self, AppError> {
        CreateReturn::parse(CreateReturnInput {
            order_id: body.order_id,
            sale_id: body.sale_id,
            location_id: body.location_id,
            lines: body
                .lines
                .into_iter()
                .map(|line| ReturnLineInput {
                    sku: line.sku,
                    quantity: line.quantity,
                    restock: line.restock,
                    condition: line.condition,
                })
                .collect(),
            refund_to: body.refund_to,
            reason: body.reason,
            device_id: body.device_id,
            has_receipt: body.has_receipt,
            override_: body
                .override_
                .map(|given| ReturnOverride { approval_id: given.approval_id, reason: given.reason }),
            customer: body.customer,
            exchange_lines: body
                .exchange_lines
                .into_iter()
                .map(|line| ExchangeLineInput { sku: line.sku, quantity: line.quantity })
                .collect(),
            session_id: body.session_id,
            payments: body.payments.into_iter().map(Into::into).collect(),
        })
    }
}

/// Takes a return at any location of the purchase's merchant (its staff, managers, admins):
/// restocked units go into **this** location's on-hand; the refund is the price paid after
/// discounts, pro rata, and goes to the card (a refund payment job), in cash out of this
/// location's open till session, or to store credit; a credit note is issued in the merchant's
/// series. More than bought minus already returned → 422; another merchant's purchase → 404;
/// the policy refusing (window, final sale, receipt) without a manager's override → 422
/// `return_policy_refused` naming each rule. An exchange (`exchange_lines`) prices the new items
/// today here and takes them from this location's stock (short → 409 `insufficient_stock`
/// naming the SKU, nothing changed); only the difference moves: paid with `payments` into an
/// open session, or refunded as the return's refund; the answer adds `exchange`.
#[utoipa::path(post, path = "/returns", tag = "returns", request_body = CreateReturnBody,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = ReturnView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn create_return(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<CreateReturnBody>,
) -> ApiResult<(StatusCode, Json<ReturnView>)> {
    let command = CreateReturn::try_from(body)?;
    Ok((StatusCode::CREATED, Json(state.app.create_return(&user, command).await?.into())))
}

/// How to find a purchase (at least one).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The location taking the return (its merchant's purchases are searched).
    pub location_id: String,
    /// An order's id.
    pub order_id: Option<String>,
    /// An order's number.
    pub order_number: Option<String>,
    /// A till sale's id.
    pub sale_id: Option<String>,
    /// A till receipt's number.
    pub receipt_number: Option<String>,
    /// The customer's phone.
    pub phone: Option<String>,
}

/// Finds purchases to return, each with what is still returnable per line and what the
/// policy would refuse today. Nothing found → an empty list.
#[utoipa::path(get, path = "/returns/lookup", tag = "returns", security(("bearer" = [])), params(LookupQuery),
    responses((status = 200, body = Vec<ReturnablePurchaseView>), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn lookup_purchases(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> ApiResult<Json<Vec<ReturnablePurchaseView>>> {
    let query = PurchaseQuery {
        location_id: query.location_id,
        order_id: query.order_id,
        order_number: query.order_number,
        sale_id: query.sale_id,
        receipt_number: query.receipt_number,
        phone: query.phone,
    };
    let found = state.app.find_returnable_purchases(&user, query).await?;
    Ok(Json(found.into_iter().map(ReturnablePurchaseView::from).collect()))
}

/// A return with its lines and, when it was an exchange, the new items, the difference and
/// how it was settled.
#[utoipa::path(get, path = "/returns/{id}", tag = "returns", security(("bearer" = [])),
    params(("id" = String, Path, description = "Return id")),
    responses((status = 200, body = ReturnView), (status = 404, body = Problem)))]
async fn get_return(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ReturnView>> {
    Ok(Json(state.app.get_return(&user, &id).await?.into()))
}

/// A merchant's return policy (30 days, no receipt needed, nothing final sale until set).
#[utoipa::path(get, path = "/merchants/{id}/return-policy", tag = "returns", security(("bearer" = [])),
    params(("id" = String, Path, description = "Merchant id")),
    responses((status = 200, body = ReturnPolicyView), (status = 404, body = Problem)))]
async fn get_return_policy(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ReturnPolicyView>> {
    Ok(Json(state.app.return_policy(&user, &id).await?.into()))
}

/// A return policy as a manager sets it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReturnPolicyBody {
    /// Days after the purchase a return is taken without an override (0 to 3650).
    pub window_days: i64,
    /// Whether a return needs the receipt.
    #[serde(default)]
    pub needs_receipt: bool,
    /// SKUs sold as final sale (at most 500).
    #[serde(default)]
    pub final_sale_skus: Vec<String>,
}

/// Sets a merchant's return policy (its managers, admins); audited.
#[utoipa::path(put, path = "/merchants/{id}/return-policy", tag = "returns", request_body = ReturnPolicyBody,
    security(("bearer" = [])), params(("id" = String, Path, description = "Merchant id")),
    responses((status = 200, body = ReturnPolicyView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn put_return_policy(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReturnPolicyBody>,
) -> ApiResult<Json<ReturnPolicyView>> {
    let command = SetReturnPolicy::parse(body.window_days, body.needs_receipt, &body.final_sale_skus)?;
    Ok(Json(state.app.set_return_policy(&user, &id, command).await?.into()))
}
