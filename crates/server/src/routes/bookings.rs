//! Bookings over HTTP (issue 19), the contract's five routes and two around them: managers
//! add a location's tables, staff and rooms and a merchant's services; anyone reads a day's
//! free slots, books (the 201 shows the manage token once) and, with the token, reads or
//! cancels the booking. A slot someone else took first is 409; a start off the 15-minute grid,
//! in the past, within the notice or beyond the window, a party no table seats, a closed hour
//! are 422 naming the field. The use cases are `omnicanal_app::bookings`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use omnicanal_app::AppError;
use omnicanal_app::bookings::calendar::{calendar_path, manage_path};
use omnicanal_app::bookings::command::BookingFields;
use omnicanal_app::bookings::deposits::DepositCard;
use omnicanal_app::bookings::{BookFor, BookingMade, BookingRequest, NewResource, NewService};
use omnicanal_app::ids::rfc3339;
use omnicanal_domain::bookings::availability::Slot;
use omnicanal_store::{BookingDepositRow, BookingResourceRow, BookingRow, BookingServiceRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, MaybeAuthUser};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::views::MoneyView;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_resource, list_resources))
        .routes(routes!(create_service))
        .routes(routes!(availability))
        .routes(routes!(create_booking))
        .routes(routes!(get_booking))
        .routes(routes!(cancel_booking))
}

/// A table, staff member or room.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceView {
    /// Opaque id.
    pub id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// The location.
    pub location_id: String,
    /// `table`, `staff` or `room`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// Fewest people a table is given to (tables only).
    pub seats_min: Option<i64>,
    /// Most people a table seats (tables only).
    pub seats_max: Option<i64>,
    /// Created at (RFC 3339).
    pub created_at: String,
    /// The area it is in ("terraza"), when set.
    pub zone: Option<String>,
    /// Tables with the same group may be joined for a larger party.
    pub combine_group: Option<String>,
    /// Its working week (weekday → `[["HH:MM", "HH:MM"], …]`); null: whenever the location is open.
    #[schema(value_type = Option<Object>)]
    pub working_hours: Option<serde_json::Value>,
}

impl From<BookingResourceRow> for ResourceView {
    fn from(row: BookingResourceRow) -> Self {
        Self {
            id: row.id,
            merchant_id: row.merchant_id,
            location_id: row.location_id,
            kind: row.kind.as_str().to_owned(),
            name: row.name,
            seats_min: row.seats_min,
            seats_max: row.seats_max,
            created_at: rfc3339(row.created_ms),
            zone: None,
            combine_group: None,
            working_hours: None,
        }
    }
}

/// A new table, staff member or room. A table needs `seats_max` (`seats_min` is 1 when
/// absent); staff and rooms take no seats.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateResourceRequest {
    /// `table`, `staff` or `room`.
    #[schema(pattern = "^(table|staff|room)$")]
    pub kind: String,
    /// 1 to 120 characters.
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// Fewest people the table is given to, 1 to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub seats_min: Option<i64>,
    /// Most people the table seats, 1 to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub seats_max: Option<i64>,
}

/// Adds a table, staff member or room to a location (its merchant's manager, or an admin).
#[utoipa::path(post, path = "/locations/{id}/resources", tag = "bookings", request_body = CreateResourceRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "Location id")),
    responses((status = 201, body = ResourceView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn create_resource(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CreateResourceRequest>,
) -> ApiResult<(StatusCode, Json<ResourceView>)> {
    let resource = NewResource::parse(&request.kind, &request.name, request.seats_min, request.seats_max)?;
    let saved = state.app.create_booking_resource(&user, &id, resource).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// A location's tables, staff and rooms (public: customers pick one).
#[utoipa::path(get, path = "/locations/{id}/resources", tag = "bookings",
    params(("id" = String, Path, description = "Location id")),
    responses((status = 200, body = Vec<ResourceView>), (status = 404, body = crate::error::Problem)))]
async fn list_resources(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Vec<ResourceView>>> {
    Ok(Json(state.app.booking_resources_with_details(&id).await?.into_iter().map(Into::into).collect()))
}

/// A service booked on staff or rooms.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceView {
    /// Opaque id.
    pub id: String,
    /// Its merchant.
    pub merchant_id: String,
    /// Its name.
    pub name: String,
    /// How long it takes.
    pub duration_minutes: i64,
    /// Kept free after it.
    pub buffer_minutes: i64,
    /// What it costs, when shown.
    pub price: Option<MoneyView>,
    /// Created at (RFC 3339).
    pub created_at: String,
    /// Held before it (preparation), in minutes: the staff member or room is taken this long
    /// before `start_at`, inside their working hours.
    pub buffer_before_minutes: i64,
    /// The deposit a booking of it puts down, when it asks for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deposit: Option<MoneyView>,
}

impl From<BookingServiceRow> for ServiceView {
    fn from(row: BookingServiceRow) -> Self {
        Self {
            id: row.id,
            merchant_id: row.merchant_id,
            name: row.name,
            duration_minutes: row.duration_minutes,
            buffer_minutes: row.buffer_minutes,
            price: row.price.map(Into::into),
            created_at: rfc3339(row.created_ms),
            buffer_before_minutes: row.buffer_before_minutes,
            deposit: None,
        }
    }
}

/// A new service.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateServiceRequest {
    /// The merchant offering it.
    #[schema(min_length = 1, max_length = 100)]
    pub merchant_id: String,
    /// 1 to 120 characters.
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// 5 to 720 minutes.
    #[schema(minimum = 5, maximum = 720)]
    pub duration_minutes: i64,
    /// 0 to 240 minutes kept free after it (0 when absent).
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_minutes: Option<i64>,
    /// What it costs (not negative).
    pub price: Option<MoneyView>,
    /// 0 to 240 minutes held before it (0 when absent): preparation inside the working hours.
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_before_minutes: Option<i64>,
    /// A deposit to book it, paid by card when booking (more than zero, at most the price).
    pub deposit: Option<MoneyView>,
}

/// Adds a service a merchant books on its staff and rooms (its manager, or an admin).
#[utoipa::path(post, path = "/services", tag = "bookings", request_body = CreateServiceRequest,
    security(("bearer" = [])),
    responses((status = 201, body = ServiceView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn create_service(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateServiceRequest>,
) -> ApiResult<(StatusCode, Json<ServiceView>)> {
    let service = NewService::parse(
        &request.merchant_id,
        &request.name,
        request.duration_minutes,
        request.buffer_minutes,
        request.price.map(Into::into),
    )?
    .with_buffer_before(request.buffer_before_minutes)?;
    let (saved, deposit) =
        state.app.create_booking_service_with_deposit(&user, service, request.deposit.map(Into::into)).await?;
    let view = ServiceView { deposit: deposit.map(Into::into), ..saved.into() };
    Ok((StatusCode::CREATED, Json(view)))
}

/// A free slot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotView {
    /// Start (RFC 3339).
    pub start_at: String,
    /// End of the booking, buffer not included (RFC 3339).
    pub end_at: String,
    /// The table, staff member or room free then (the first member, for joined tables).
    pub resource_id: String,
    /// Every resource the booking takes: the one above, or every member of joined tables.
    pub resource_ids: Vec<String>,
}

impl From<Slot> for SlotView {
    fn from(slot: Slot) -> Self {
        Self {
            start_at: rfc3339(slot.start_ms),
            end_at: rfc3339(slot.end_ms),
            resource_id: slot.resource_id,
            resource_ids: slot.resource_ids,
        }
    }
}

/// The day and what the booking is for: exactly one of `party_size` and `service_id`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// The location's local date, `YYYY-MM-DD`.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub date: String,
    /// A table for this many people, 1 to 100.
    #[param(minimum = 1, maximum = 100)]
    pub party_size: Option<i64>,
    /// An appointment for this service.
    #[param(max_length = 100)]
    pub service_id: Option<String>,
}

/// The free slots of a location's day, on the 15-minute grid (public).
#[utoipa::path(get, path = "/locations/{id}/availability", tag = "bookings", operation_id = "booking_availability",
    params(("id" = String, Path, description = "Location id"), AvailabilityQuery),
    responses((status = 200, body = Vec<SlotView>), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn availability(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<AvailabilityQuery>,
) -> ApiResult<Json<Vec<SlotView>>> {
    let date = NaiveDate::parse_from_str(query.date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid("date", "must be a date YYYY-MM-DD"))?;
    let wants = BookFor::parse(query.party_size, query.service_id.as_deref())?;
    let slots = state.app.booking_availability(&id, date, &wants).await?;
    Ok(Json(slots.into_iter().map(Into::into).collect()))
}

/// Who books.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BookingCustomerRequest {
    /// 1 to 120 characters.
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// 8 to 15 digits (spaces, dashes, a leading +).
    #[schema(max_length = 30)]
    pub phone: Option<String>,
    /// An e-mail address.
    #[schema(max_length = 254)]
    pub email: Option<String>,
}

/// A booking: exactly one of `party_size` (a table) and `service_id` (an appointment).
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateBookingRequest {
    /// The location.
    #[schema(min_length = 1, max_length = 100)]
    pub location_id: String,
    /// Start, RFC 3339 with its offset, on the 15-minute grid.
    #[schema(max_length = 40)]
    pub start_at: String,
    /// A table for this many people, 1 to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub party_size: Option<i64>,
    /// An appointment for this service.
    #[schema(max_length = 100)]
    pub service_id: Option<String>,
    /// A particular table, staff member or room; any free one that fits when absent.
    #[schema(max_length = 100)]
    pub resource_id: Option<String>,
    /// Who books.
    pub customer: BookingCustomerRequest,
    /// Hold the slot for the location's `hold_minutes` until the customer confirms it
    /// (`POST /bookings/{id}/confirm`); confirmed at once when absent or false.
    pub hold: Option<bool>,
    /// The deposit's payment, required when the service or the table asks for a deposit
    /// (missing → 422 naming `payment` and the amount; a declined card → 402).
    pub payment: Option<BookingPaymentRequest>,
}

impl TryFrom<CreateBookingRequest> for BookingRequest {
    type Error = AppError;

    fn try_from(request: CreateBookingRequest) -> Result<Self, Self::Error> {
        BookingRequest::parse(BookingFields {
            location_id: &request.location_id,
            start_at: &request.start_at,
            party_size: request.party_size,
            service_id: request.service_id.as_deref(),
            resource_id: request.resource_id.as_deref(),
            name: &request.customer.name,
            phone: request.customer.phone.as_deref(),
            email: request.customer.email.as_deref(),
        })
    }
}

/// A booking.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingView {
    /// Opaque id.
    pub id: String,
    /// The location.
    pub location_id: String,
    /// Start (RFC 3339).
    pub start_at: String,
    /// End, buffer not included (RFC 3339).
    pub end_at: String,
    /// The table, staff member or room.
    pub resource_id: String,
    /// The service, for appointments.
    pub service_id: Option<String>,
    /// The party size, for tables.
    pub party_size: Option<i64>,
    /// `held`, `confirmed`, `seated`, `completed`, `no_show`, `cancelled` or `expired`.
    pub status: String,
    /// The manage link's secret: shown once, in the answer to the booking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manage_token: Option<String>,
    /// When a held booking's hold lapses unless confirmed (RFC 3339); in the answer to a held booking.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_expires_at: Option<String>,
    /// The customer's page to cancel or reschedule it (`/reservas/{id}?token=…`); in the
    /// answer to the booking only, like the token it carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manage_url: Option<String>,
    /// Its calendar file (`.ics`); in the answer to the booking only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar_url: Option<String>,
    /// Its deposit, when the service or the table asked for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deposit: Option<DepositView>,
}

/// A booking's deposit.
#[derive(Debug, Serialize, ToSchema)]
pub struct DepositView {
    /// What was authorised on the card.
    pub amount: MoneyView,
    /// `authorised`, `captured`, `refund_pending`, `refunded`, `void_pending`, `voided` or `kept`.
    pub status: String,
}

impl From<BookingDepositRow> for DepositView {
    fn from(row: BookingDepositRow) -> Self {
        Self { amount: row.amount.into(), status: row.status.as_str().to_owned() }
    }
}

impl BookingView {
    /// The view with its deposit, read from the store.
    pub(crate) async fn with_deposit(mut self, state: &AppState) -> ApiResult<Self> {
        self.deposit = state.app.booking_deposit(&self.id).await?.map(Into::into);
        Ok(self)
    }
}

/// How a booking's deposit is paid: a card (the only method a deposit takes).
#[derive(Debug, Deserialize, ToSchema)]
pub struct BookingPaymentRequest {
    /// `card`.
    #[schema(pattern = "^card$")]
    pub method: String,
    /// The card number (sandbox: 4242424242424242 approves; 4000000000000002 is declined).
    #[schema(max_length = 30)]
    pub card_number: Option<String>,
}

impl BookingPaymentRequest {
    /// The card, or 422 naming the field.
    pub fn card(&self) -> Result<Option<DepositCard>, AppError> {
        if self.method.trim() != "card" {
            return Err(AppError::invalid("payment.method", "a deposit is paid by card"));
        }
        match DepositCard::parse(self.card_number.as_deref()) {
            Some(card) => Ok(Some(card)),
            None => Err(AppError::invalid("payment.card_number", "required when paying by card")),
        }
    }
}

impl BookingView {
    pub(crate) fn new(row: BookingRow, manage_token: Option<String>) -> Self {
        Self {
            id: row.id,
            location_id: row.location_id,
            start_at: rfc3339(row.start_ms),
            end_at: rfc3339(row.end_ms),
            resource_id: row.resource_id,
            service_id: row.service_id,
            party_size: row.party_size,
            status: row.status.as_str().to_owned(),
            manage_token,
            hold_expires_at: None,
            manage_url: None,
            calendar_url: None,
            deposit: None,
        }
    }
}

impl From<BookingMade> for BookingView {
    fn from(made: BookingMade) -> Self {
        let manage_url = Some(manage_path(&made.booking.id, &made.manage_token));
        let calendar_url = Some(calendar_path(&made.booking.id, &made.manage_token));
        let hold_expires_at = made.hold_expires_ms.map(rfc3339);
        Self { hold_expires_at, manage_url, calendar_url, ..Self::new(made.booking, Some(made.manage_token)) }
    }
}

/// Books a table or an appointment (public). Taken meanwhile → 409.
#[utoipa::path(post, path = "/bookings", tag = "bookings", request_body = CreateBookingRequest,
    responses((status = 201, body = BookingView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_booking(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateBookingRequest>,
) -> ApiResult<(StatusCode, Json<BookingView>)> {
    let hold = request.hold.unwrap_or(false);
    let card = match &request.payment {
        Some(payment) => payment.card()?,
        None => None,
    };
    let command = BookingRequest::try_from(request)?;
    let made: BookingView = state.app.book_paying(command, hold, card).await?.into();
    Ok((StatusCode::CREATED, Json(made.with_deposit(&state).await?)))
}

/// The manage link's token.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ManageQuery {
    /// The `manage_token` the booking's answer showed.
    #[param(max_length = 200)]
    pub token: Option<String>,
}

/// A booking, for the holder of its manage token.
#[utoipa::path(get, path = "/bookings/{id}", tag = "bookings",
    params(("id" = String, Path, description = "Booking id"), ManageQuery),
    responses((status = 200, body = BookingView), (status = 404, body = crate::error::Problem)))]
async fn get_booking(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ManageQuery>,
) -> ApiResult<Json<BookingView>> {
    let token = query.token.ok_or(AppError::NotFound("booking"))?;
    Ok(Json(BookingView::new(state.app.booking_by_token(&id, &token).await?, None).with_deposit(&state).await?))
}

/// Cancels a booking and frees its time; again → the same answer. With `?token=` (the
/// customer's manage link) only until the location's cancellation window closes — later is
/// 422 naming the deadline; without a token, the location's staff, its merchant's manager or an
/// admin (bearer) may cancel until it starts.
#[utoipa::path(post, path = "/bookings/{id}/cancel", tag = "bookings",
    security((), ("bearer" = [])),
    params(("id" = String, Path, description = "Booking id"), ManageQuery),
    responses((status = 200, body = BookingView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn cancel_booking(
    State(state): State<AppState>,
    user: MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ManageQuery>,
) -> ApiResult<Json<BookingView>> {
    let cancelled = match (query.token, user.0) {
        (Some(token), _) => state.app.cancel_booking(&id, &token).await?,
        (None, Some(staff)) => state.app.cancel_booking_as_staff(&staff, &id).await?,
        (None, None) => return Err(AppError::NotFound("booking").into()),
    };
    Ok(Json(BookingView::new(cancelled, None).with_deposit(&state).await?))
}
