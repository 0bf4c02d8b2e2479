//! The store's till (POS): tills, cash sessions, sales kept by the id the till made, the
//! receipt series' report, and the stock conflicts offline sales open. Each handler parses its
//! body into the app's command and calls one use case; the rules are in `omnicanal_app::pos`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::pos::devices::RegisterDevice;
use omnicanal_app::pos::sale_accounting::{ManualDiscountInput, VoidedLineInput};
use omnicanal_app::pos::sales::{PaymentInput, RecordSale, SaleCustomer, SaleInput, SaleLineInput};
use omnicanal_app::pos::sessions::{CashMovement, CloseSession, OpenSession};

use crate::auth::AuthUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;
use crate::views::ChoiceView;
use crate::views::{
    CashMovementView, DeviceView, MoneyView, ReceiptReportView, SaleView, SessionReportView, SessionView,
};

/// Routes that move money or stock (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_session))
        .routes(routes!(move_cash))
        .routes(routes!(close_session))
        .routes(routes!(record_sale))
}

/// Routes that register tills and read what they did.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register_device, list_devices))
        .routes(routes!(get_device))
        .routes(routes!(device_receipts))
        .routes(routes!(session_report))
        .routes(routes!(get_sale))
        .routes(routes!(stock_conflicts))
}

/// A till to register.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterDeviceBody {
    /// The location it sells at.
    pub location_id: String,
    /// What the staff call it ("Caja 1"), 1 to 200 characters.
    pub name: String,
}

/// Registers a till for a location (managers of its merchant, admins); it gets its own receipt series.
#[utoipa::path(post, path = "/pos/devices", tag = "pos", request_body = RegisterDeviceBody, security(("bearer" = [])),
    responses((status = 201, body = DeviceView), (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn register_device(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<RegisterDeviceBody>,
) -> ApiResult<(StatusCode, Json<DeviceView>)> {
    let command = RegisterDevice::parse(body.location_id, &body.name)?;
    let device = state.app.register_pos_device(&user, command).await?;
    Ok((StatusCode::CREATED, Json(device.into())))
}

/// Which location's tills.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocationFilter {
    /// The location (required).
    pub location_id: String,
}

/// A location's tills, by name, each with its open session's id.
#[utoipa::path(get, path = "/pos/devices", tag = "pos", params(LocationFilter), security(("bearer" = [])),
    responses((status = 200, body = Vec<DeviceView>), (status = 404, body = Problem)))]
async fn list_devices(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<LocationFilter>,
) -> ApiResult<Json<Vec<DeviceView>>> {
    let listings = state.app.pos_devices(&user, &query.location_id).await?;
    Ok(Json(listings.into_iter().map(DeviceView::from).collect()))
}

/// A till.
#[utoipa::path(get, path = "/pos/devices/{id}", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Till id")),
    responses((status = 200, body = DeviceView), (status = 404, body = Problem)))]
async fn get_device(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<DeviceView>> {
    let device = state.app.pos_device(&user, &id).await?;
    let printer = state.app.pos_printer(&user, &id).await?;
    Ok(Json(DeviceView { printer: printer.map(Into::into), ..device.into() }))
}

/// What the server received of a till's receipt series: the last number, every gap (a sale
/// that never arrived) and every number given to two sales.
#[utoipa::path(get, path = "/pos/devices/{id}/receipts", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Till id")),
    responses((status = 200, body = ReceiptReportView), (status = 404, body = Problem)))]
async fn device_receipts(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ReceiptReportView>> {
    Ok(Json(state.app.pos_receipts(&user, &id).await?.into()))
}

/// Opening a cash session.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenSessionBody {
    /// The till.
    pub device_id: String,
    /// The cash counted into the drawer, in the site's currency.
    pub opening_float: MoneyView,
}

/// Opens a cash session on a till (staff of its location, its managers, admins); a till
/// with an open session → 409.
#[utoipa::path(post, path = "/pos/sessions", tag = "pos", request_body = OpenSessionBody, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = SessionView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn open_session(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<OpenSessionBody>,
) -> ApiResult<(StatusCode, Json<SessionView>)> {
    let command = OpenSession::parse(body.device_id, body.opening_float.into())?;
    let session = state.app.open_pos_session(&user, command).await?;
    Ok((StatusCode::CREATED, Json(session.into())))
}

/// Cash put into or taken out of the drawer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CashMovementBody {
    /// `in` or `out`.
    #[schema(pattern = "^(in|out)$")]
    pub direction: String,
    /// How much (more than zero).
    pub amount: MoneyView,
    /// Why (1 to 200 characters).
    pub reason: String,
}

/// Records cash put into or taken out of an open session's drawer; a closed session → 409.
#[utoipa::path(post, path = "/pos/sessions/{id}/cash-movements", tag = "pos", request_body = CashMovementBody,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = CashMovementView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn move_cash(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CashMovementBody>,
) -> ApiResult<(StatusCode, Json<CashMovementView>)> {
    let currency = body.amount.currency;
    let command = CashMovement::parse(&body.direction, body.amount.into(), &body.reason)?;
    let movement = state.app.move_pos_cash(&user, &id, command).await?;
    Ok((StatusCode::CREATED, Json(CashMovementView::new(movement, currency))))
}

/// Closing a session.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseSessionBody {
    /// The cash counted in the drawer. May be left out when `denominations` is given (it is
    /// then their sum); when both are given they must agree (422 otherwise).
    pub counted_cash: Option<MoneyView>,
    /// The count per note and coin (at most 40 lines), in the session's currency.
    pub denominations: Option<Vec<DenominationBody>>,
}

/// How many of one note or coin were counted.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DenominationBody {
    /// The note's or coin's value, in minor units (20000, 10000, … 10 for CLP).
    #[schema(minimum = 1)]
    pub value: i64,
    /// How many, 0 to 1 000 000.
    #[schema(minimum = 0, maximum = 1000000)]
    pub count: i64,
}

/// Closes an open session with the counted cash: the answer is its report, with the expected
/// cash, the difference and the totals per method. A closed session → 409.
#[utoipa::path(post, path = "/pos/sessions/{id}/close", tag = "pos", request_body = CloseSessionBody,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = SessionReportView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)))]
async fn close_session(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CloseSessionBody>,
) -> ApiResult<Json<SessionReportView>> {
    let command = CloseSession::parse(
        body.counted_cash.map(Into::into),
        body.denominations.map(|lines| lines.into_iter().map(|line| (line.value, line.count)).collect()),
    )?;
    let report = state.app.close_pos_session(&user, &id, command).await?;
    Ok(Json(report.into()))
}

/// A session's report: sales by payment method, discounts, taxes, cash moved, expected vs counted.
#[utoipa::path(get, path = "/pos/sessions/{id}", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Session id")),
    responses((status = 200, body = SessionReportView), (status = 404, body = Problem)))]
async fn session_report(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<SessionReportView>> {
    Ok(Json(state.app.pos_session_report(&user, &id).await?.into()))
}

/// The customer attached to a sale.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SaleCustomerBody {
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// One line of a sale.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SaleLineBody {
    /// SKU of the till's merchant.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
    /// Units, 1 to 9 999.
    #[schema(minimum = 1, maximum = 9999)]
    pub quantity: i64,
    /// Options chosen in the product's modifier groups, the shape of an order line's
    /// `modifiers` (also accepted under that name); each adds its price to the unit price. An
    /// option the product does not offer → 422 on `lines[i].modifiers`.
    #[serde(default, alias = "modifiers")]
    pub options: Vec<ChoiceView>,
    /// A note for the line ("sin cebolla"), up to 140 characters, one line.
    #[schema(max_length = 140)]
    pub note: Option<String>,
    /// The cashier's manual discount on the line: `percent_bps` (1 to 10 000) or `amount`,
    /// taken by the pricing engine after the promotions.
    pub manual_discount: Option<ManualDiscountBody>,
    /// A manager's approval (`POST /pos/devices/{id}/approvals`, action `line_discount`),
    /// required when the discount is above the till's limit.
    pub approval_id: Option<String>,
}

/// A cashier's manual discount on one line: exactly one of the two.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ManualDiscountBody {
    /// Basis points off what is left of the line after promotions (1 000 = 10 %).
    #[schema(minimum = 1, maximum = 10000)]
    pub percent_bps: Option<i64>,
    /// An amount off the line (capped at the line).
    pub amount: Option<MoneyView>,
}

/// A line taken off the cart before payment, kept for the session report.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VoidedLineBody {
    /// Its SKU.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
    /// Units, 1 to 9 999.
    #[schema(minimum = 1, maximum = 9999)]
    pub quantity: i64,
    /// A manager's approval (action `line_void`), required when the line's value is above the
    /// till's limit.
    pub approval_id: Option<String>,
}

/// One payment of a sale.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SalePaymentBody {
    /// `cash`, `card` (the till's terminal; online only) or `external_card` (a terminal the till
    /// does not drive: give its approval code as `reference`).
    #[schema(pattern = "^(cash|card|external_card)$")]
    pub method: String,
    /// What it pays of the total.
    pub amount: MoneyView,
    /// Cash handed over, when more than `amount` (the change is returned).
    pub tendered: Option<MoneyView>,
    /// The external terminal's approval code (required for `external_card`).
    pub reference: Option<String>,
    /// The card number, for `card` (sandbox: 4242424242424242 approves; 4000000000000002,
    /// 4000000000009995, 4000000000000069 and 4000000000000119 decline with 05, 51, 54 and 91).
    pub card_number: Option<String>,
}

/// The one reading of a payment body, shared by a sale and a pickup collected at the till.
impl From<SalePaymentBody> for PaymentInput {
    fn from(p: SalePaymentBody) -> Self {
        PaymentInput {
            method: p.method,
            amount: p.amount.into(),
            tendered: p.tendered.map(Into::into),
            reference: p.reference,
            card_number: p.card_number,
        }
    }
}

/// A till sale.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SaleBody {
    /// Made on the till, unique, 1 to 64 printable characters: the sale's id forever.
    #[schema(min_length = 1, max_length = 64)]
    pub id: String,
    /// The open session.
    pub session_id: String,
    /// `<receipt_series>-<n>`, n from 1, from the till's own series.
    pub receipt_number: String,
    /// When the till sold it (RFC 3339).
    pub sold_at: String,
    /// Whether the till was offline when it sold it.
    #[serde(default)]
    pub offline: bool,
    /// The customer, when attached.
    pub customer: Option<SaleCustomerBody>,
    /// What was sold (1 to 200 lines).
    pub lines: Vec<SaleLineBody>,
    /// How it was paid (at most 10): they must cover the total; cash may exceed it.
    pub payments: Vec<SalePaymentBody>,
    /// A coupon code (1 to 64 characters), priced by the engine as online; per-customer limits
    /// count by the attached customer's e-mail or phone. A code the engine refuses does not
    /// refuse the sale: the answer's `coupons` carries its reason.
    #[schema(max_length = 64)]
    pub coupon: Option<String>,
    /// The total the till showed and charged, priced from its catalogue snapshot. When the
    /// server's engine prices the sale otherwise (the snapshot predates a price change), the
    /// sale is recorded at this total — the customer already paid it — and the answer's
    /// `price_difference` (till − engine) is flagged for the manager. Without it, payments must
    /// cover the engine's total.
    pub total: Option<MoneyView>,
    /// Lines taken off the cart before payment (at most 200), valued at the till's unit price.
    #[serde(default)]
    pub voided_lines: Vec<VoidedLineBody>,
}

impl TryFrom<SaleBody> for RecordSale {
    type Error = AppError;

    fn try_from(body: SaleBody) -> Result<Self, AppError> {
        RecordSale::parse(SaleInput {
            id: body.id,
            session_id: body.session_id,
            receipt_number: body.receipt_number,
            sold_at: body.sold_at,
            offline: body.offline,
            customer: body.customer.map(|c| SaleCustomer { name: c.name, phone: c.phone, email: c.email }),
            lines: body
                .lines
                .into_iter()
                .map(|l| SaleLineInput {
                    sku: l.sku,
                    quantity: l.quantity,
                    options: l.options.iter().map(Into::into).collect(),
                    note: l.note,
                    manual_discount: l
                        .manual_discount
                        .map(|m| ManualDiscountInput { percent_bps: m.percent_bps, amount: m.amount.map(Into::into) }),
                    approval_id: l.approval_id,
                })
                .collect(),
            payments: body.payments.into_iter().map(Into::into).collect(),
            coupon: body.coupon,
            total: body.total.map(Into::into),
            voided_lines: body
                .voided_lines
                .into_iter()
                .map(|l| VoidedLineInput { sku: l.sku, quantity: l.quantity, approval_id: l.approval_id })
                .collect(),
        })
    }
}

/// Records a till sale exactly once. The same `id` with the same body answers the first answer
/// again at any later time (200); with another body → 409. Prices come from the pricing engine
/// for channel `pos`; payments must cover the total (422). An online sale short of stock →
/// 409 with `sku`; an offline one is recorded and its shortfall listed in `conflicts`. A
/// declined card → 402 with `decline_code` and `next_step`. A closed session, or a receipt
/// number already given to another sale → 409.
#[utoipa::path(post, path = "/pos/sales", tag = "pos", request_body = SaleBody, security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = SaleView, description = "Recorded now"),
        (status = 200, body = SaleView, description = "Recorded before with this body: the first answer"),
        (status = 402, body = Problem, description = "The card was declined: `decline_code`, `next_step`"),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn record_sale(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<SaleBody>,
) -> ApiResult<(StatusCode, Json<SaleView>)> {
    let command = RecordSale::try_from(body)?;
    let recorded = state.app.record_pos_sale(&user, command).await?;
    let status = if recorded.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(recorded.answer.into())))
}

/// A recorded sale, as it was answered (with its conflicts as they stand now).
#[utoipa::path(get, path = "/pos/sales/{id}", tag = "pos", security(("bearer" = [])),
    params(("id" = String, Path, description = "Sale id (made on the till)")),
    responses((status = 200, body = SaleView), (status = 404, body = Problem)))]
async fn get_sale(State(state): State<AppState>, user: AuthUser, Path(id): Path<String>) -> ApiResult<Json<SaleView>> {
    Ok(Json(state.app.pos_sale(&user, &id).await?.into()))
}

/// Which conflicts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConflictQuery {
    /// The location (required).
    pub location_id: String,
    /// Only `open` or `resolved` ones.
    #[param(pattern = "^(open|resolved)$")]
    pub status: Option<String>,
    /// Items per page, 1 to 500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// A location's stock conflicts, newest first: units sold (offline) that the ledger did not
/// have, with the cause, the sale, the order that may no longer be served and the choices.
#[utoipa::path(get, path = "/stock/conflicts", tag = "stock", params(ConflictQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<crate::views::ConflictDetailView>), (status = 404, body = Problem)))]
async fn stock_conflicts(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<ConflictQuery>,
) -> ApiResult<Json<Vec<crate::views::ConflictDetailView>>> {
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    // With what explains each one and how it was resolved (`routes::stock_conflicts`).
    let conflicts = state.app.stock_conflict_details(&user, &query.location_id, query.status.as_deref(), page).await?;
    Ok(Json(conflicts.into_iter().map(crate::views::ConflictDetailView::from).collect()))
}
