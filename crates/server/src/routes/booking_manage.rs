//! A booking's life after it is made, over HTTP (issue 19 point 3): the customer confirms a
//! held booking, reschedules it or downloads it as a calendar file with the manage token; the
//! location's staff (its merchant's manager, an admin) move it from the schedule. Cancelling
//! — by the token or by staff — is the contract's `POST /bookings/{id}/cancel` in
//! `bookings.rs`. The use cases are `omnicanal_app::bookings::{hold, reschedule, calendar}`.
//!
//! The answers: a move onto a taken time is 409 and the booking keeps its old one; a customer
//! past the cancellation window is 422 naming the deadline (the request is wrong at this time
//! whatever others do, as cancelling a booking that started is; 409 is kept for races); a lapsed
//! hold is 409; a wrong token or another merchant's booking is 404.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use omnicanal_app::AppError;
use omnicanal_app::bookings::MoveBooking;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::bookings::{BookingView, ManageQuery};
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(confirm_booking))
        .routes(routes!(reschedule_booking))
        .routes(routes!(move_booking))
        .routes(routes!(booking_calendar))
}

/// Where the booking should go.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveBookingRequest {
    /// The new start, RFC 3339 with its offset, on the 15-minute grid.
    #[schema(max_length = 40)]
    pub start_at: String,
    /// A particular table, staff member or room of the same location; the booking's own when
    /// it is free then, else any that takes it, when absent.
    #[schema(max_length = 100)]
    pub resource_id: Option<String>,
}

impl TryFrom<MoveBookingRequest> for MoveBooking {
    type Error = AppError;

    fn try_from(request: MoveBookingRequest) -> Result<Self, Self::Error> {
        MoveBooking::parse(&request.start_at, request.resource_id.as_deref())
    }
}

fn token_of(query: ManageQuery) -> Result<String, AppError> {
    query.token.ok_or(AppError::NotFound("booking"))
}

/// Confirms a held booking with its manage token before its hold lapses (a lapsed hold → 409);
/// a confirmed booking answers as it is.
#[utoipa::path(post, path = "/bookings/{id}/confirm", tag = "bookings", operation_id = "confirm_booking",
    params(("id" = String, Path, description = "Booking id"), ManageQuery),
    responses((status = 200, body = BookingView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem)))]
async fn confirm_booking(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ManageQuery>,
) -> ApiResult<Json<BookingView>> {
    let token = token_of(query)?;
    Ok(Json(BookingView::new(state.app.confirm_booking(&id, &token).await?, None)))
}

/// Moves a booking to another time (and perhaps resource) with its manage token, until the
/// location's cancellation window closes (later → 422 naming the deadline). A taken time → 409,
/// the booking keeps its old time.
#[utoipa::path(post, path = "/bookings/{id}/reschedule", tag = "bookings", operation_id = "reschedule_booking",
    request_body = MoveBookingRequest,
    params(("id" = String, Path, description = "Booking id"), ManageQuery),
    responses((status = 200, body = BookingView), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn reschedule_booking(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ManageQuery>,
    ApiJson(request): ApiJson<MoveBookingRequest>,
) -> ApiResult<Json<BookingView>> {
    let token = token_of(query)?;
    let to = MoveBooking::try_from(request)?;
    Ok(Json(BookingView::new(state.app.reschedule_booking(&id, &token, to).await?, None)))
}

/// Moves a booking for the location's staff, its merchant's manager or an admin, at any time
/// before it starts. Another merchant's booking → 404; a taken time → 409.
#[utoipa::path(post, path = "/bookings/{id}/move", tag = "bookings", operation_id = "move_booking",
    request_body = MoveBookingRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Booking id")),
    responses((status = 200, body = BookingView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn move_booking(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<MoveBookingRequest>,
) -> ApiResult<Json<BookingView>> {
    let to = MoveBooking::try_from(request)?;
    Ok(Json(BookingView::new(state.app.move_booking_as_staff(&user, &id, to).await?, None)))
}

/// The booking as a calendar file (`text/calendar`, UTC times, the site's time zone named,
/// the manage link inside), for the holder of its manage token.
#[utoipa::path(get, path = "/bookings/{id}/calendar.ics", tag = "bookings", operation_id = "booking_calendar",
    params(("id" = String, Path, description = "Booking id"), ManageQuery),
    responses((status = 200, description = "iCalendar file", content_type = "text/calendar", body = String),
        (status = 404, body = crate::error::Problem)))]
async fn booking_calendar(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ManageQuery>,
) -> ApiResult<Response> {
    let token = token_of(query)?;
    let ics = state.app.booking_calendar(&id, &token, &state.public_url).await?;
    let mut response = ics.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
    let file = format!("attachment; filename=\"reserva-{id}.ics\"");
    if let Ok(value) = HeaderValue::from_str(&file) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
