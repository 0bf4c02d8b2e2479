//! Locations: created by an admin or the merchant's manager, read by whoever may see them, and
//! changed by managers (everything) or the location's staff (the switch and the pause).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::setup::locations::NewLocation;
use omnicanal_app::setup::storefront::{LocationChangeFields, LocationChanges};

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::views::LocationView;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_location)).routes(routes!(get_location, update_location))
}

/// A new location.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateLocation {
    /// Owner.
    pub merchant_id: String,
    /// Site.
    pub site_id: String,
    /// Display name.
    #[schema(schema_with = crate::views::words::name)]
    pub name: String,
    /// Whether customers may pay at pickup.
    pub pay_at_pickup: bool,
}

impl TryFrom<CreateLocation> for NewLocation {
    type Error = AppError;

    fn try_from(request: CreateLocation) -> Result<Self, AppError> {
        NewLocation::parse(request.merchant_id, request.site_id, &request.name, request.pay_at_pickup)
    }
}

/// Creates a location (admin, or the merchant's manager).
#[utoipa::path(post, path = "/locations", tag = "setup", request_body = CreateLocation, security(("bearer" = [])),
    responses((status = 201, body = LocationView), (status = 422, body = crate::error::Problem)))]
async fn create_location(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateLocation>,
) -> ApiResult<(StatusCode, Json<LocationView>)> {
    let location = state.app.create_location(&user, NewLocation::try_from(request)?).await?;
    Ok((StatusCode::CREATED, Json(location.into())))
}

/// One location.
#[utoipa::path(get, path = "/locations/{id}", tag = "setup", params(("id" = String, Path, description = "Location id")),
    security(("bearer" = [])), responses((status = 200, body = LocationView), (status = 404, body = crate::error::Problem)))]
async fn get_location(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<LocationView>> {
    Ok(Json(state.app.location(&user, &id).await?.into()))
}

/// Changes to a location; every field is optional.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateLocation {
    /// Display name.
    #[schema(schema_with = crate::views::words::optional_name)]
    pub name: Option<String>,
    /// Whether customers may pay at pickup.
    pub pay_at_pickup: Option<bool>,
    /// The on/off switch (staff may use it).
    pub is_open: Option<bool>,
    /// Pause for this many minutes, 1 to 720 ("too busy"); 0 resumes now (staff may use it).
    #[schema(minimum = 0, maximum = 720)]
    pub pause_minutes: Option<i64>,
    /// Usual preparation time in minutes, 1 to 240.
    #[schema(minimum = 1, maximum = 240)]
    pub prep_minutes: Option<i64>,
    /// Weekly hours: ISO weekday "1"–"7" → [["HH:MM","HH:MM"], …]; days left out are closed.
    #[schema(value_type = Option<Object>)]
    pub opening_hours: Option<serde_json::Value>,
    /// True drops the opening hours: always open (while switched on and not paused).
    pub always_open: Option<bool>,
    /// Where the counter is ("Local 12, nivel 3"), up to 80 characters.
    #[schema(max_length = 80)]
    pub counter: Option<String>,
    /// Most orders per 15-minute pickup slot, 1 to 10000; 0 removes the limit.
    #[schema(minimum = 0, maximum = 10000)]
    pub slot_capacity: Option<i64>,
}

impl TryFrom<UpdateLocation> for LocationChanges {
    type Error = AppError;

    fn try_from(request: UpdateLocation) -> Result<Self, AppError> {
        LocationChanges::parse(LocationChangeFields {
            name: request.name,
            pay_at_pickup: request.pay_at_pickup,
            is_open: request.is_open,
            pause_minutes: request.pause_minutes,
            prep_minutes: request.prep_minutes,
            opening_hours_json: request.opening_hours.map(|hours| hours.to_string()),
            always_open: request.always_open,
            counter: request.counter,
            slot_capacity: request.slot_capacity,
        })
    }
}

/// Changes a location. Managers (and admins) may change everything; the location's staff may
/// switch it on or off and pause it.
#[utoipa::path(patch, path = "/locations/{id}", tag = "setup", request_body = UpdateLocation,
    params(("id" = String, Path, description = "Location id")), security(("bearer" = [])),
    responses((status = 200, body = LocationView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_location(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateLocation>,
) -> ApiResult<Json<LocationView>> {
    let location = state.app.update_location(&user, &id, LocationChanges::try_from(request)?).await?;
    Ok(Json(location.into()))
}
