//! Endless-aisle sales and their shipments (issue 17 point 7): the tablet sells what the store
//! lacks (`POST /pos/devices/{id}/aisle-orders`), the source location's staff move a delivery's
//! shipment (`POST /shipments/{id}/steps`, `GET /locations/{id}/shipments`), and the store
//! receives a pickup here (`POST /aisle-orders/{id}/receive`). The rules are in
//! `omnicanal_app::aisle`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::aisle::command::{AisleFulfilmentInput, AisleLineInput, AisleOrder, AisleOrderInput};
use omnicanal_app::aisle::shipments::ShipmentStepCommand;
use omnicanal_app::ordering::phone::DeliveryAddressInput;
use omnicanal_app::pos::sales::PaymentInput;
use omnicanal_app::{AppError, FieldError};
use omnicanal_domain::shipment::ShipmentStatus;

use super::pos::SalePaymentBody;
use crate::auth::AuthUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::idempotency::IdempotencyClaim;
use crate::state::AppState;
use crate::views::{AisleOrderView, DeliveryAddressView, ShipmentListView, ShipmentView};

/// Routes that move money or stock (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_aisle_order))
        .routes(routes!(step_shipment))
        .routes(routes!(receive_aisle_order))
}

/// Routes that read.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_aisle_order)).routes(routes!(list_shipments)).routes(routes!(get_shipment))
}

/// One line sold from another location.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AisleLineBody {
    /// The SKU.
    pub sku: String,
    /// Units, 1 to 9 999.
    #[schema(minimum = 1, maximum = 9999)]
    pub quantity: i64,
    /// The location whose stock is sold (from the aisle search); every line the same one.
    pub source_location_id: String,
}

/// How the order reaches the customer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AisleFulfilmentBody {
    /// `delivery` (shipped from the source) or `pickup_here` (transferred to this store and
    /// picked up on its next opening day).
    #[schema(pattern = "^(delivery|pickup_here)$")]
    pub kind: String,
    /// A delivery's address (required for a delivery, refused for a pickup here).
    pub address: Option<DeliveryAddressView>,
    /// Who receives a delivery (the customer when absent).
    pub recipient_name: Option<String>,
    /// Their phone for the carrier (the customer's when absent).
    pub recipient_phone: Option<String>,
}

/// The customer, told at each step.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AisleCustomerBody {
    /// Name.
    pub name: String,
    /// Phone (a phone or an e-mail is required).
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// An aisle order sold at a till in tablet mode.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AisleOrderBody {
    /// The till's open session the customer pays into.
    pub session_id: String,
    /// The lines (1 to 200), all from one source location.
    pub lines: Vec<AisleLineBody>,
    /// Delivery or pickup here.
    pub fulfilment: AisleFulfilmentBody,
    /// The customer.
    pub customer: AisleCustomerBody,
    /// How the customer pays at the tablet (1 to 10): `cash` (with `tendered` for change),
    /// `card` (the till's terminal), `gift_card` (its code as `reference`) and `store_credit`
    /// (the customer's e-mail or phone as `reference`, this order's customer when absent).
    /// They must cover the engine's total.
    pub payments: Vec<SalePaymentBody>,
}

impl TryFrom<AisleOrderBody> for AisleOrder {
    type Error = AppError;

    fn try_from(body: AisleOrderBody) -> Result<Self, AppError> {
        AisleOrder::parse(AisleOrderInput {
            session_id: body.session_id,
            lines: body
                .lines
                .into_iter()
                .map(|line| AisleLineInput {
                    sku: line.sku,
                    quantity: line.quantity,
                    source_location_id: line.source_location_id,
                })
                .collect(),
            fulfilment: AisleFulfilmentInput {
                kind: body.fulfilment.kind,
                address: body.fulfilment.address.map(|address| DeliveryAddressInput {
                    street: address.street,
                    number: address.number,
                    district: address.district,
                    reference: address.reference,
                }),
                recipient_name: body.fulfilment.recipient_name,
                recipient_phone: body.fulfilment.recipient_phone,
            },
            customer_name: body.customer.name,
            customer_phone: body.customer.phone,
            customer_email: body.customer.email,
            payments: body.payments.into_iter().map(PaymentInput::from).collect(),
        })
    }
}

/// Sells what this store lacks from another location of the merchant, on the till in tablet
/// mode (staff of the till's store, its merchant's manager, admins). Priced by the one engine
/// (channel `tablet`); the units are held at the source; paid at the tablet (cash into the
/// session, card on the till's terminal, a gift card or store credit spent from its balance
/// with the order: a mistyped code → 422, an unknown card → 404, too little balance → 422
/// `insufficient_credit`, nothing recorded). A delivery gets a shipment at the source; a pickup
/// here is transferred to this store at once and promised for its next opening day. A source
/// that cannot promise a line → 409 `insufficient_stock` with `sku` and `location_id`, nothing
/// recorded; another merchant's till or location → 404; an unknown SKU → 422.
#[utoipa::path(post, path = "/pos/devices/{id}/aisle-orders", tag = "pos", request_body = AisleOrderBody,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Till (device) id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = AisleOrderView),
        (status = 402, body = Problem, description = "The card was declined: `decline_code`, `next_step`"),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_aisle_order(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    claim: Option<Extension<IdempotencyClaim>>,
    ApiJson(body): ApiJson<AisleOrderBody>,
) -> ApiResult<(StatusCode, Json<AisleOrderView>)> {
    let command = AisleOrder::try_from(body)?;
    let sale = state.app.place_aisle_order(&user, &id, command, claim.map(|Extension(claim)| claim)).await?;
    Ok((StatusCode::CREATED, Json(AisleOrderView::new(sale, true))))
}

/// An aisle order (staff of its store or source, their merchant's manager, admins).
#[utoipa::path(get, path = "/aisle-orders/{id}", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Order id")),
    responses((status = 200, body = AisleOrderView), (status = 404, body = Problem)))]
async fn get_aisle_order(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AisleOrderView>> {
    Ok(Json(AisleOrderView::new(state.app.aisle_order(&user, &id).await?, false)))
}

/// A pickup here arrived at the store (staff of the store): its transfers are received, the
/// units held for the order, the part made ready and the customer told with the pickup code;
/// then the till hands it over by that code. Received already, or a delivery → 409.
#[utoipa::path(post, path = "/aisle-orders/{id}/receive", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Order id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = AisleOrderView), (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn receive_aisle_order(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AisleOrderView>> {
    Ok(Json(AisleOrderView::new(state.app.receive_aisle_order(&user, &id).await?, false)))
}

/// A shipment's next step.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ShipmentStepBody {
    /// `picked`, `packed`, `shipped`, `delivered` or `cancelled` (before it ships).
    #[schema(pattern = "^(pending|picked|packed|shipped|delivered|cancelled)$")]
    pub to: String,
    /// The carrier's tracking reference, required to ship (1 to 80 letters, digits, `-`, `_`,
    /// `/`, `.`).
    #[schema(max_length = 80)]
    pub tracking_reference: Option<String>,
}

/// Moves a shipment one step (staff of its source location, its merchant's manager, admins):
/// delivered takes the held units out of on-hand; cancelled releases them and refunds (a card
/// by a payment job, a gift card or store credit to its balance, cash recorded as owed back). The customer is told of each step. A move
/// the table has not → 409; shipping without a tracking reference → 422.
#[utoipa::path(post, path = "/shipments/{id}/steps", tag = "pos", request_body = ShipmentStepBody,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Shipment id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = ShipmentView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn step_shipment(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ShipmentStepBody>,
) -> ApiResult<Json<ShipmentView>> {
    let command = ShipmentStepCommand::parse(&body.to, body.tracking_reference.as_deref())?;
    Ok(Json(state.app.step_shipment(&user, &id, command).await?.into()))
}

/// A shipment (staff of its source location, its merchant's manager, admins).
#[utoipa::path(get, path = "/shipments/{id}", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Shipment id")),
    responses((status = 200, body = ShipmentView), (status = 404, body = Problem)))]
async fn get_shipment(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ShipmentView>> {
    Ok(Json(state.app.shipment(&user, &id).await?.into()))
}

/// `?status=&limit=&offset=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ShipmentQuery {
    /// Only shipments in this status.
    #[param(pattern = "^(pending|picked|packed|shipped|delivered|cancelled)$")]
    pub status: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// A location's shipments, oldest first (staff of the location, its merchant's manager,
/// admins).
#[utoipa::path(get, path = "/locations/{id}/shipments", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id"), ShipmentQuery),
    responses((status = 200, body = ShipmentListView), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn list_shipments(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ShipmentQuery>,
) -> ApiResult<Json<ShipmentListView>> {
    let mut errors = Vec::new();
    let page = Pagination { limit: query.limit, offset: query.offset }.page_or_collect(&mut errors);
    let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => match ShipmentStatus::parse(raw) {
            Ok(status) => Some(status),
            Err(_) => {
                errors.push(FieldError {
                    field: "status".into(),
                    message: "must be pending, picked, packed, shipped, delivered or cancelled".into(),
                });
                None
            }
        },
        None => None,
    };
    let Some(page) = page.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors).into());
    };
    let items = state.app.location_shipments(&user, &id, status, page).await?;
    Ok(Json(ShipmentListView { items: items.into_iter().map(Into::into).collect() }))
}
