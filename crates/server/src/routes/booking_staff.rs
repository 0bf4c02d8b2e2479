//! The staff's schedule over HTTP (issue 19 point 5): a location's bookings over a range with
//! the customers' names, contacts and past no-shows, the range's counts by status, marking a
//! booking seated, completed, a no-show or cancelled, and seating a walk-in. Bearer (or the
//! console's session) of the location's staff, its merchant's managers or an admin; another
//! merchant's location or booking is 404. A move the booking's transition table forbids is a
//! 409 naming both statuses; a no-show before the start is a 422; a walk-in with nothing free
//! is a 409. The use cases are `omnicanal_app::bookings::{schedule, staff}`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_app::bookings::schedule::{BookingStats, RangeEnd, ScheduledBooking};
use omnicanal_app::bookings::staff::WalkIn;
use omnicanal_app::ids::rfc3339;
use omnicanal_domain::bookings::staff::StaffStatus;
use omnicanal_store::BookingRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(location_bookings))
        .routes(routes!(booking_stats))
        .routes(routes!(set_status))
        .routes(routes!(walk_in))
}

/// A range of the location's bookings: each end a date (read in the location's time zone; `to`
/// includes its whole day) or an RFC 3339 instant; at most 31 days. Today when both are absent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScheduleQuery {
    /// Start: `YYYY-MM-DD` (that day's start) or RFC 3339; today's start when absent.
    #[param(schema_with = crate::views::words::date)]
    pub from: Option<String>,
    /// End: `YYYY-MM-DD` (that day's end) or RFC 3339, exclusive; one day after `from` when absent.
    #[param(schema_with = crate::views::words::date)]
    pub to: Option<String>,
}

impl ScheduleQuery {
    fn ends(&self) -> ApiResult<(Option<RangeEnd>, Option<RangeEnd>)> {
        let from = self.from.as_deref().map(|raw| RangeEnd::parse("from", raw)).transpose()?;
        let to = self.to.as_deref().map(|raw| RangeEnd::parse("to", raw)).transpose()?;
        Ok((from, to))
    }
}

/// Who booked, as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduleCustomerView {
    /// Their name (`Walk-in` for a walk-in given no name).
    pub name: String,
    /// Their phone, when given.
    pub phone: Option<String>,
    /// Their e-mail, when given.
    pub email: Option<String>,
    /// How many of the merchant's bookings with the same phone or e-mail were no-shows.
    pub past_no_shows: i64,
}

/// A booking on the staff's schedule.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScheduledBookingView {
    /// Opaque id.
    pub id: String,
    /// The location.
    pub location_id: String,
    /// The table, staff member or room.
    pub resource_id: String,
    /// Its name.
    pub resource_name: Option<String>,
    /// The service, for appointments.
    pub service_id: Option<String>,
    /// The service's name.
    pub service_name: Option<String>,
    /// The party size, for tables.
    pub party_size: Option<i64>,
    /// Start (RFC 3339).
    pub start_at: String,
    /// End, buffer not included (RFC 3339).
    pub end_at: String,
    /// `held`, `confirmed`, `seated`, `completed`, `no_show`, `cancelled` or `expired`.
    pub status: String,
    /// Who booked.
    pub customer: ScheduleCustomerView,
    /// Its deposit, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deposit: Option<crate::routes::bookings::DepositView>,
}

impl From<ScheduledBooking> for ScheduledBookingView {
    fn from(scheduled: ScheduledBooking) -> Self {
        let ScheduledBooking { booking, resource_name, service_name, past_no_shows } = scheduled;
        Self {
            id: booking.id,
            location_id: booking.location_id,
            resource_id: booking.resource_id,
            resource_name,
            service_id: booking.service_id,
            service_name,
            party_size: booking.party_size,
            start_at: rfc3339(booking.start_ms),
            end_at: rfc3339(booking.end_ms),
            status: booking.status.as_str().to_owned(),
            customer: ScheduleCustomerView {
                name: booking.customer_name,
                phone: booking.customer_phone,
                email: booking.customer_email,
                past_no_shows,
            },
            deposit: None,
        }
    }
}

/// A location's bookings over a range, by start (at most 2,000), with customers' names,
/// contacts and past no-shows (the location's staff, its merchant's managers, admins).
#[utoipa::path(get, path = "/locations/{id}/bookings", tag = "bookings", operation_id = "location_bookings",
    security(("bearer" = [])), params(("id" = String, Path, description = "Location id"), ScheduleQuery),
    responses((status = 200, body = Vec<ScheduledBookingView>), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn location_bookings(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ScheduleQuery>,
) -> ApiResult<Json<Vec<ScheduledBookingView>>> {
    let (from, to) = query.ends()?;
    let listed = state.app.location_schedule(&user, &id, from, to).await?;
    let ids: Vec<String> = listed.iter().map(|scheduled| scheduled.booking.id.clone()).collect();
    let mut deposits = state.app.booking_deposits(&ids).await?;
    let views = listed
        .into_iter()
        .map(|scheduled| {
            let mut view = ScheduledBookingView::from(scheduled);
            if let Some(at) = deposits.iter().position(|deposit| deposit.booking_id == view.id) {
                view.deposit = Some(deposits.swap_remove(at).into());
            }
            view
        })
        .collect();
    Ok(Json(views))
}

/// How many bookings were in one status.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusCountView {
    /// The status.
    pub status: String,
    /// How many of the range's bookings are in it.
    pub count: i64,
}

/// A range's bookings counted by status.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingStatsView {
    /// Start (RFC 3339).
    pub from: String,
    /// End, exclusive (RFC 3339).
    pub to: String,
    /// Every status with its count, zeros included.
    pub by_status: Vec<StatusCountView>,
    /// All bookings starting in the range.
    pub total: i64,
    /// No-shows over the bookings that were due (no-shows, seated, completed), in basis points
    /// (2500 = 25 %).
    pub no_show_rate_bp: i64,
}

impl From<BookingStats> for BookingStatsView {
    fn from(stats: BookingStats) -> Self {
        Self {
            from: rfc3339(stats.from_ms),
            to: rfc3339(stats.to_ms),
            by_status: stats
                .by_status
                .into_iter()
                .map(|(status, count)| StatusCountView { status: status.as_str().to_owned(), count })
                .collect(),
            total: stats.total,
            no_show_rate_bp: stats.no_show_rate_bp,
        }
    }
}

/// A location's bookings starting in a range, counted by status, with the no-show rate.
#[utoipa::path(get, path = "/locations/{id}/booking-stats", tag = "bookings", operation_id = "location_booking_stats",
    security(("bearer" = [])), params(("id" = String, Path, description = "Location id"), ScheduleQuery),
    responses((status = 200, body = BookingStatsView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn booking_stats(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ScheduleQuery>,
) -> ApiResult<Json<BookingStatsView>> {
    let (from, to) = query.ends()?;
    Ok(Json(state.app.booking_stats(&user, &id, from, to).await?.into()))
}

/// A booking as a status move or a walk-in answers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffBookingView {
    /// Opaque id.
    pub id: String,
    /// The location.
    pub location_id: String,
    /// The table, staff member or room.
    pub resource_id: String,
    /// The service, for appointments.
    pub service_id: Option<String>,
    /// The party size, for tables.
    pub party_size: Option<i64>,
    /// Start (RFC 3339).
    pub start_at: String,
    /// End, buffer not included (RFC 3339).
    pub end_at: String,
    /// Its status now.
    pub status: String,
    /// Its deposit, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deposit: Option<crate::routes::bookings::DepositView>,
}

impl From<BookingRow> for StaffBookingView {
    fn from(row: BookingRow) -> Self {
        Self {
            id: row.id,
            location_id: row.location_id,
            resource_id: row.resource_id,
            service_id: row.service_id,
            party_size: row.party_size,
            start_at: rfc3339(row.start_ms),
            end_at: rfc3339(row.end_ms),
            status: row.status.as_str().to_owned(),
            deposit: None,
        }
    }
}

/// The status staff set.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetStatusRequest {
    /// `seated`, `completed`, `no_show` or `cancelled`.
    #[schema(pattern = "^(seated|completed|no_show|cancelled)$")]
    pub status: String,
}

/// Marks a booking seated, completed, a no-show or cancelled (the location's staff, its
/// merchant's managers, admins). The same mark again answers the booking unchanged.
#[utoipa::path(post, path = "/bookings/{id}/status", tag = "bookings", operation_id = "set_booking_status",
    request_body = SetStatusRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Booking id")),
    responses((status = 200, body = StaffBookingView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn set_status(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SetStatusRequest>,
) -> ApiResult<Json<StaffBookingView>> {
    let wanted = StaffStatus::parse(request.status.trim()).map_err(omnicanal_app::AppError::from)?;
    let moved = state.app.set_booking_status(&user, &id, wanted).await?;
    let deposit = state.app.booking_deposit(&moved.id).await?.map(Into::into);
    Ok(Json(StaffBookingView { deposit, ..moved.into() }))
}

/// A walk-in: exactly one of `party_size` (a table) and `service_id` (staff or a room).
#[derive(Debug, Deserialize, ToSchema)]
pub struct WalkInRequest {
    /// A table for this many people, 1 to 100.
    #[schema(minimum = 1, maximum = 100)]
    pub party_size: Option<i64>,
    /// An appointment for this service.
    #[schema(max_length = 100)]
    pub service_id: Option<String>,
    /// A particular table, staff member or room; any free one that fits when absent.
    #[schema(max_length = 100)]
    pub resource_id: Option<String>,
    /// The guest's name, up to 120 characters (`Walk-in` when absent).
    #[schema(max_length = 120)]
    pub name: Option<String>,
}

/// Seats a walk-in now (start: now rounded down to the 15-minute grid) on a free table, staff
/// member or room; nothing free → 409.
#[utoipa::path(post, path = "/locations/{id}/walk-ins", tag = "bookings", operation_id = "create_walk_in",
    request_body = WalkInRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id")),
    responses((status = 201, body = StaffBookingView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn walk_in(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<WalkInRequest>,
) -> ApiResult<(StatusCode, Json<StaffBookingView>)> {
    let walk_in = WalkIn::parse(
        request.party_size,
        request.service_id.as_deref(),
        request.resource_id.as_deref(),
        request.name.as_deref(),
    )?;
    Ok((StatusCode::CREATED, Json(state.app.walk_in(&user, &id, walk_in).await?.into())))
}
