//! Setting bookings up and finding them nearby over HTTP (issue 19 points 1 and 2): a
//! resource's zone, combinable group and working week; a location's exception days, booking
//! rules and place (coordinates, comuna); who performs a service; the public list of a
//! merchant's services; and "nearest to me" with free slots. Managers of the merchant (or
//! admins) set things up — another merchant's resource, service or location is 404 — and every
//! bad field is a 422 naming it. The use cases are `omnicanal_app::bookings::{setup, settings,
//! nearest}`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use omnicanal_app::AppError;
use omnicanal_app::bookings::BookFor;
use omnicanal_app::bookings::command::{LocationPlace, NewException, RawWeek, ResourceDetails, parse_performers};
use omnicanal_app::bookings::nearest::{NearTo, NearbyLocation};
use omnicanal_app::bookings::services::ServiceChanges;
use omnicanal_app::bookings::setup::{ResourceWithDetails, ServiceWithPerformers};
use omnicanal_app::ids::rfc3339;
use omnicanal_domain::bookings::exceptions::WorkingWeek;
use omnicanal_domain::bookings::nearest::Coordinates;
use omnicanal_domain::bookings::settings::BookingSettings;
use omnicanal_store::{BookingExceptionRow, LocationPlaceRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::bookings::{ResourceView, ServiceView, SlotView};
use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::views::MoneyView;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_resource_details))
        .routes(routes!(add_exception, list_exceptions))
        .routes(routes!(delete_exception))
        .routes(routes!(set_performers))
        .routes(routes!(list_services))
        .routes(routes!(get_service))
        .routes(routes!(update_service))
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(get_place, put_place))
        .routes(routes!(nearest))
}

/// A resource's zone, combinable group and working week; each absent clears it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResourceDetailsRequest {
    /// The area it is in ("terraza"), up to 60 characters.
    #[schema(max_length = 60)]
    pub zone: Option<String>,
    /// Tables of one group may be joined for a larger party (tables only), up to 60 characters.
    #[schema(max_length = 60)]
    pub combine_group: Option<String>,
    /// Weekday "1" (Monday) to "7" (Sunday) → `[["HH:MM", "HH:MM"], …]`; an end at or before
    /// its start is the next day. Absent: whenever the location is open.
    #[schema(value_type = Option<Object>)]
    pub working_hours: Option<RawWeek>,
}

/// Sets a resource's zone, combinable group and working week (its merchant's manager, or an admin).
#[utoipa::path(put, path = "/resources/{id}/details", tag = "bookings", request_body = ResourceDetailsRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "Resource id")),
    responses((status = 200, body = ResourceView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn set_resource_details(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ResourceDetailsRequest>,
) -> ApiResult<Json<ResourceView>> {
    let details = ResourceDetails::parse(
        request.zone.as_deref(),
        request.combine_group.as_deref(),
        request.working_hours.as_ref(),
    )?;
    Ok(Json(state.app.set_resource_details(&user, &id, details).await?.into()))
}

impl From<ResourceWithDetails> for ResourceView {
    fn from(with: ResourceWithDetails) -> Self {
        let details = with.details;
        let mut view = ResourceView::from(with.resource);
        if let Some(details) = details {
            view.zone = details.zone;
            view.combine_group = details.combine_group;
            view.working_hours = details
                .working_hours_json
                .and_then(|json| WorkingWeek::parse(&json).ok())
                .and_then(|week| serde_json::from_str(&week.to_json()).ok());
        }
        view
    }
}

/// An exception day.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExceptionRequest {
    /// The local date, `YYYY-MM-DD`.
    #[schema(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", max_length = 10)]
    pub date: String,
    /// `holiday` (the location closes), `location_hours` (it opens other hours), `day_off`
    /// (the resource does not work) or `special_hours` (it works other hours).
    #[schema(pattern = "^(holiday|location_hours|day_off|special_hours)$")]
    pub kind: String,
    /// For `location_hours` and `special_hours`: `[["HH:MM", "HH:MM"], …]`, at most 4.
    #[schema(max_items = 4)]
    pub hours: Option<Vec<Vec<String>>>,
    /// One resource of the location; absent: every resource of the location.
    #[schema(max_length = 100)]
    pub resource_id: Option<String>,
}

/// An exception day as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionView {
    /// Opaque id.
    pub id: String,
    /// The location.
    pub location_id: String,
    /// The resource, or null for the whole location.
    pub resource_id: Option<String>,
    /// The local date.
    pub date: String,
    /// Its kind.
    pub kind: String,
    /// Its hours, for `location_hours` and `special_hours`.
    pub hours: Option<Vec<Vec<String>>>,
    /// Created at (RFC 3339).
    pub created_at: String,
}

impl From<BookingExceptionRow> for ExceptionView {
    fn from(row: BookingExceptionRow) -> Self {
        let hours: Option<Vec<(String, String)>> = row.hours_json.and_then(|json| serde_json::from_str(&json).ok());
        Self {
            id: row.id,
            location_id: row.location_id,
            resource_id: row.resource_id,
            date: row.day,
            kind: row.kind,
            hours: hours.map(|ranges| ranges.into_iter().map(|(start, end)| vec![start, end]).collect()),
            created_at: rfc3339(row.created_ms),
        }
    }
}

/// Adds an exception day to a location or one of its resources (days off, holidays, special hours).
#[utoipa::path(post, path = "/locations/{id}/booking-exceptions", tag = "bookings", request_body = ExceptionRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "Location id")),
    responses((status = 201, body = ExceptionView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn add_exception(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ExceptionRequest>,
) -> ApiResult<(StatusCode, Json<ExceptionView>)> {
    let exception =
        NewException::parse(&request.date, &request.kind, request.hours.as_deref(), request.resource_id.as_deref())?;
    let saved = state.app.add_booking_exception(&user, &id, exception).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// The dates of a list of exception days.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExceptionsQuery {
    /// First date, `YYYY-MM-DD`.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", max_length = 10)]
    pub from: String,
    /// Last date, `YYYY-MM-DD`, at most 400 days after `from`.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", max_length = 10)]
    pub to: String,
}

fn date_param(field: &str, raw: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| AppError::invalid(field, "must be a date YYYY-MM-DD"))
}

/// A location's exception days between two dates (its manager, or an admin).
#[utoipa::path(get, path = "/locations/{id}/booking-exceptions", tag = "bookings", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id"), ExceptionsQuery),
    responses((status = 200, body = Vec<ExceptionView>), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn list_exceptions(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ExceptionsQuery>,
) -> ApiResult<Json<Vec<ExceptionView>>> {
    let (from, to) = (date_param("from", &query.from)?, date_param("to", &query.to)?);
    let rows = state.app.booking_exceptions(&user, &id, from, to).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Removes an exception day.
#[utoipa::path(delete, path = "/locations/{id}/booking-exceptions/{exception_id}", tag = "bookings",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id"), ("exception_id" = String, Path, description = "Exception id")),
    responses((status = 204, description = "Removed"), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn delete_exception(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, exception_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.app.delete_booking_exception(&user, &id, &exception_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who performs a service.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PerformersRequest {
    /// Staff members and rooms of the service's merchant; empty: every one of a location.
    #[schema(max_items = 100)]
    pub resource_ids: Vec<String>,
}

/// A service with who performs it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceDetailsView {
    /// The service.
    #[serde(flatten)]
    pub service: ServiceView,
    /// The staff members and rooms that perform it (empty: every one of a location).
    pub performer_ids: Vec<String>,
}

impl ServiceDetailsView {
    /// The view with the deposit its service asks for (the public reads tell it before booking).
    fn with_deposit(mut self, deposit: Option<omnicanal_domain::Money>) -> Self {
        self.service.deposit = deposit.map(Into::into);
        self
    }
}

impl From<ServiceWithPerformers> for ServiceDetailsView {
    fn from(with: ServiceWithPerformers) -> Self {
        Self { service: with.service.into(), performer_ids: with.performer_ids }
    }
}

/// Sets who performs a service (its merchant's manager, or an admin).
#[utoipa::path(put, path = "/services/{id}/performers", tag = "bookings", request_body = PerformersRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "Service id")),
    responses((status = 200, body = ServiceDetailsView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn set_performers(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PerformersRequest>,
) -> ApiResult<Json<ServiceDetailsView>> {
    let ids = parse_performers(&request.resource_ids)?;
    Ok(Json(state.app.set_service_performers(&user, &id, ids).await?.into()))
}

/// Whose services.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServicesQuery {
    /// The merchant.
    #[param(min_length = 1, max_length = 100)]
    pub merchant_id: String,
}

/// A merchant's services, with who performs each (public: the booking pages list them).
#[utoipa::path(get, path = "/services", tag = "bookings", operation_id = "list_booking_services",
    params(ServicesQuery),
    responses((status = 200, body = Vec<ServiceDetailsView>), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn list_services(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ServicesQuery>,
) -> ApiResult<Json<Vec<ServiceDetailsView>>> {
    let services = state.app.booking_services(query.merchant_id.trim()).await?;
    let ids: Vec<String> = services.iter().map(|with| with.service.id.clone()).collect();
    let mut deposits = state.app.service_deposits(&ids).await?;
    let views = services.into_iter().map(|with| {
        let deposit = deposits.remove(&with.service.id);
        ServiceDetailsView::from(with).with_deposit(deposit)
    });
    Ok(Json(views.collect()))
}

/// A service, with who performs it (public).
#[utoipa::path(get, path = "/services/{id}", tag = "bookings", operation_id = "get_booking_service",
    params(("id" = String, Path, description = "Service id")),
    responses((status = 200, body = ServiceDetailsView), (status = 404, body = crate::error::Problem)))]
async fn get_service(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<ServiceDetailsView>> {
    let service = state.app.booking_service(&id).await?;
    let deposit = state.app.deposit_rule(&service.service.id).await?;
    Ok(Json(ServiceDetailsView::from(service).with_deposit(deposit)))
}

/// The fields of a service to change; each absent keeps its value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateServiceRequest {
    /// 1 to 120 characters.
    #[schema(min_length = 1, max_length = 120)]
    pub name: Option<String>,
    /// 5 to 720 minutes.
    #[schema(minimum = 5, maximum = 720)]
    pub duration_minutes: Option<i64>,
    /// 0 to 240 minutes kept free after it.
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_minutes: Option<i64>,
    /// 0 to 240 minutes held before it (preparation, inside the working hours).
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_before_minutes: Option<i64>,
    /// What it costs (not negative); at least its deposit.
    pub price: Option<MoneyView>,
    /// The deposit a booking of it puts down (more than zero, at most the price); `null`
    /// removes it.
    #[serde(default, deserialize_with = "present_money")]
    #[schema(value_type = Option<MoneyView>)]
    pub deposit: Option<Option<MoneyView>>,
}

/// Tells a deposit sent as `null` (`Some(None)`: remove it) from one left out (`None`: keep it).
fn present_money<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<MoneyView>>, D::Error> {
    Option::<MoneyView>::deserialize(deserializer).map(Some)
}

/// Edits a service (its merchant's manager, or an admin): bookings already made keep their time
/// (and their deposit); a price below the deposit is refused naming `price` (or `deposit`).
#[utoipa::path(patch, path = "/services/{id}", tag = "bookings", operation_id = "update_booking_service",
    params(("id" = String, Path, description = "Service id")), request_body = UpdateServiceRequest,
    security(("bearer" = [])),
    responses((status = 200, body = ServiceView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn update_service(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateServiceRequest>,
) -> ApiResult<Json<ServiceView>> {
    let changes = ServiceChanges {
        name: request.name,
        duration_minutes: request.duration_minutes,
        buffer_minutes: request.buffer_minutes,
        buffer_before_minutes: request.buffer_before_minutes,
        price: request.price.map(Into::into),
        deposit: request.deposit.map(|deposit| deposit.map(Into::into)),
    };
    let (saved, deposit) = state.app.update_booking_service(&user, &id, changes).await?;
    Ok(Json(ServiceView { deposit: deposit.map(Into::into), ..saved.into() }))
}

/// A location's booking rules.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BookingSettingsBody {
    /// A booking starts at least this many minutes after it is made, 0 to 10080.
    #[schema(minimum = 0, maximum = 10080)]
    pub min_notice_minutes: i64,
    /// And at most this many days ahead, 1 to 365.
    #[schema(minimum = 1, maximum = 365)]
    pub max_days_ahead: i64,
    /// The customer may cancel until this many minutes before the start, 0 to 10080.
    #[schema(minimum = 0, maximum = 10080)]
    pub cancel_window_minutes: i64,
    /// A held slot waits this many minutes for the customer's confirmation, 1 to 60.
    #[schema(minimum = 1, maximum = 60)]
    pub hold_minutes: i64,
    /// Reminders, in minutes before the start (15 to 10080 each, at most 3).
    #[schema(max_items = 3)]
    pub reminder_offsets_minutes: Vec<i64>,
    /// The deposit each guest of a table booking puts down, paid by card when booking; none
    /// when absent (a PUT without it removes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_deposit_per_guest: Option<crate::views::MoneyView>,
}

impl From<BookingSettings> for BookingSettingsBody {
    fn from(settings: BookingSettings) -> Self {
        Self {
            min_notice_minutes: settings.window.min_notice_minutes,
            max_days_ahead: settings.window.max_days_ahead,
            cancel_window_minutes: settings.cancel_window_minutes,
            hold_minutes: settings.hold_minutes,
            reminder_offsets_minutes: settings.reminder_offsets_minutes,
            table_deposit_per_guest: None,
        }
    }
}

/// A location's booking rules (public: the booking pages say how far ahead one may book).
#[utoipa::path(get, path = "/locations/{id}/booking-settings", tag = "bookings",
    params(("id" = String, Path, description = "Location id")),
    responses((status = 200, body = BookingSettingsBody), (status = 404, body = crate::error::Problem)))]
async fn get_settings(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<BookingSettingsBody>> {
    let settings: BookingSettingsBody = state.app.public_booking_settings(&id).await?.into();
    let table_deposit_per_guest = state.app.deposit_rule(&id).await?.map(Into::into);
    Ok(Json(BookingSettingsBody { table_deposit_per_guest, ..settings }))
}

/// Sets a location's booking rules (its merchant's manager, or an admin).
#[utoipa::path(put, path = "/locations/{id}/booking-settings", tag = "bookings", request_body = BookingSettingsBody,
    security(("bearer" = [])), params(("id" = String, Path, description = "Location id")),
    responses((status = 200, body = BookingSettingsBody), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn put_settings(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<BookingSettingsBody>,
) -> ApiResult<Json<BookingSettingsBody>> {
    let settings = BookingSettings::new(
        request.min_notice_minutes,
        request.max_days_ahead,
        request.cancel_window_minutes,
        request.hold_minutes,
        request.reminder_offsets_minutes,
    )
    .map_err(AppError::from)?;
    let saved: BookingSettingsBody = state.app.set_booking_settings(&user, &id, settings).await?.into();
    let per_guest = request.table_deposit_per_guest.map(Into::into);
    let table_deposit_per_guest = state.app.set_table_deposit(&user, &id, per_guest).await?.map(Into::into);
    Ok(Json(BookingSettingsBody { table_deposit_per_guest, ..saved }))
}

/// Where a location is.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlaceRequest {
    /// Decimal degrees, -90 to 90.
    #[schema(minimum = -90, maximum = 90)]
    pub latitude: f64,
    /// Decimal degrees, -180 to 180.
    #[schema(minimum = -180, maximum = 180)]
    pub longitude: f64,
    /// Its comuna or district, up to 80 characters.
    #[schema(max_length = 80)]
    pub comuna: Option<String>,
}

/// Where a location is, as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaceView {
    /// The location.
    pub location_id: String,
    /// Decimal degrees.
    pub latitude: f64,
    /// Decimal degrees.
    pub longitude: f64,
    /// Its comuna or district.
    pub comuna: Option<String>,
}

impl From<LocationPlaceRow> for PlaceView {
    fn from(row: LocationPlaceRow) -> Self {
        Self {
            location_id: row.location_id,
            latitude: row.latitude_e6 as f64 / 1_000_000.0,
            longitude: row.longitude_e6 as f64 / 1_000_000.0,
            comuna: row.comuna,
        }
    }
}

/// Where a location is (public), when its manager set it.
#[utoipa::path(get, path = "/locations/{id}/place", tag = "bookings",
    params(("id" = String, Path, description = "Location id")),
    responses((status = 200, body = PlaceView), (status = 404, body = crate::error::Problem)))]
async fn get_place(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<PlaceView>> {
    Ok(Json(state.app.location_place(&id).await?.into()))
}

/// Sets where a location is: its coordinates and comuna (its merchant's manager, or an admin).
#[utoipa::path(put, path = "/locations/{id}/place", tag = "bookings", request_body = PlaceRequest,
    security(("bearer" = [])), params(("id" = String, Path, description = "Location id")),
    responses((status = 200, body = PlaceView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn put_place(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PlaceRequest>,
) -> ApiResult<Json<PlaceView>> {
    let place = LocationPlace::parse(request.latitude, request.longitude, request.comuna.as_deref())?;
    Ok(Json(state.app.set_location_place(&user, &id, place).await?.into()))
}

/// "Nearest to me": a position (`lat` and `lon`) or a `comuna`, a date, and exactly one of
/// `party_size` and `service_id`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NearestQuery {
    /// The local date, `YYYY-MM-DD`.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", max_length = 10)]
    pub date: String,
    /// A table for this many people, 1 to 100.
    #[param(minimum = 1, maximum = 100)]
    pub party_size: Option<i64>,
    /// An appointment for this service.
    #[param(max_length = 100)]
    pub service_id: Option<String>,
    /// Latitude, decimal degrees.
    #[param(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    /// Longitude, decimal degrees.
    #[param(minimum = -180, maximum = 180)]
    pub lon: Option<f64>,
    /// A comuna or district, instead of a position.
    #[param(max_length = 80)]
    pub comuna: Option<String>,
}

/// A location near the visitor, with its free slots.
#[derive(Debug, Serialize, ToSchema)]
pub struct NearbyView {
    /// The location.
    pub location_id: String,
    /// Its name.
    pub name: String,
    /// Its comuna.
    pub comuna: Option<String>,
    /// Metres from the position given (null when a comuna was given).
    pub distance_m: Option<u64>,
    /// Its free slots that day.
    pub slots: Vec<SlotView>,
}

impl From<NearbyLocation> for NearbyView {
    fn from(nearby: NearbyLocation) -> Self {
        Self {
            location_id: nearby.location_id,
            name: nearby.name,
            comuna: nearby.comuna,
            distance_m: nearby.distance_m,
            slots: nearby.slots.into_iter().map(Into::into).collect(),
        }
    }
}

fn near_to(query: &NearestQuery) -> Result<NearTo, AppError> {
    match (query.lat, query.lon, query.comuna.as_deref().map(str::trim).filter(|c| !c.is_empty())) {
        (Some(lat), Some(lon), None) => Ok(NearTo::Position(
            Coordinates::new(lat, lon).map_err(|error| AppError::from(omnicanal_domain::DomainError::from(error)))?,
        )),
        (None, None, Some(comuna)) if comuna.chars().count() <= 80 => Ok(NearTo::Comuna(comuna.to_owned())),
        (None, None, Some(_)) => Err(AppError::invalid("comuna", "must be at most 80 characters")),
        _ => Err(AppError::invalid("lat", "give lat and lon (a position) or comuna, not both")),
    }
}

/// The locations nearest a position or in a comuna, with their free slots (public).
#[utoipa::path(get, path = "/bookings/nearest", tag = "bookings", operation_id = "nearest_booking_availability",
    params(NearestQuery),
    responses((status = 200, body = Vec<NearbyView>), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn nearest(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<NearestQuery>,
) -> ApiResult<Json<Vec<NearbyView>>> {
    let date = date_param("date", &query.date)?;
    let wants = BookFor::parse(query.party_size, query.service_id.as_deref())?;
    let near = near_to(&query)?;
    let found = state.app.nearest_availability(&near, date, &wants).await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}
