//! Channel allocation (safety buffers and on/off switches per location and channel)
//! and available-to-promise across a site's locations.

use axum::Json;
use axum::extract::{Path, State};
use omnicanal_store::ChannelAllocationRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::ordering::availability::{
    Availability, AvailabilityQuery as AvailabilityCommand, ChannelAllocation,
};

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use omnicanal_app::ids::rfc3339;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_allocations)).routes(routes!(set_allocation)).routes(routes!(availability))
}

/// How a location sells through a channel.
#[derive(Debug, Serialize, ToSchema)]
pub struct AllocationView {
    /// Location.
    pub location_id: String,
    /// Channel.
    pub channel: String,
    /// Units kept back from this channel: it sees `available − safety_buffer`.
    pub safety_buffer: i64,
    /// Whether the location sells through this channel.
    pub enabled: bool,
    /// Minutes an order's stock hold lasts while the merchant has not accepted it (null: no limit).
    pub hold_minutes: Option<i64>,
    /// Last change.
    pub updated_at: String,
}

impl From<ChannelAllocationRow> for AllocationView {
    fn from(row: ChannelAllocationRow) -> Self {
        Self {
            location_id: row.location_id,
            channel: row.channel.to_string(),
            safety_buffer: row.safety_buffer,
            enabled: row.enabled,
            hold_minutes: row.hold_ttl_ms.map(|ms| ms / 60_000),
            updated_at: rfc3339(row.updated_at_ms),
        }
    }
}

/// A new allocation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SetAllocation {
    /// Units kept back from this channel (0 or more).
    #[schema(minimum = 0, maximum = 1_000_000)]
    pub safety_buffer: i64,
    /// Whether the location sells through this channel.
    pub enabled: bool,
    /// Minutes an order's stock hold lasts while not accepted (1 to 10080; absent: no limit).
    /// A part still `placed` when its hold lapses is cancelled, released and refunded.
    #[schema(minimum = 1, maximum = 10_080)]
    pub hold_minutes: Option<i64>,
}

/// A location's channel allocations (channels without one sell everything available).
#[utoipa::path(get, path = "/locations/{id}/channels", tag = "stock", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id")),
    responses((status = 200, body = Vec<AllocationView>), (status = 404, body = crate::error::Problem)))]
async fn list_allocations(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AllocationView>>> {
    let rows = state.app.channel_allocations(&user, &id).await?;
    Ok(Json(rows.into_iter().map(AllocationView::from).collect()))
}

/// Sets how a location sells through a channel (its manager or an admin).
#[utoipa::path(put, path = "/locations/{id}/channels/{channel}", tag = "stock", security(("bearer" = [])),
    request_body = SetAllocation,
    params(("id" = String, Path, description = "Location id"), ("channel" = String, Path, description = "Channel")),
    responses((status = 200, body = AllocationView), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn set_allocation(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, channel)): Path<(String, String)>,
    ApiJson(request): ApiJson<SetAllocation>,
) -> ApiResult<Json<AllocationView>> {
    let allocation = ChannelAllocation::parse(&channel, request.safety_buffer, request.enabled, request.hold_minutes)?;
    let row = state.app.set_channel_allocation(&user, &id, allocation).await?;
    Ok(Json(row.into()))
}

/// What to look up.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AvailabilityQuery {
    /// The site.
    pub site_id: String,
    /// The SKU.
    pub sku: String,
    /// The channel asking (default `web`).
    pub channel: Option<String>,
}

/// One location's share of the availability.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationAvailability {
    /// Location.
    pub location_id: String,
    /// Units present.
    pub on_hand: i64,
    /// Units promised.
    pub reserved: i64,
    /// `on_hand − reserved`.
    pub available: i64,
    /// Units kept back from this channel.
    pub safety_buffer: i64,
    /// Whether the location sells through this channel.
    pub enabled: bool,
    /// Switched to sold out by the location's staff (then nothing is promised).
    pub sold_out: bool,
    /// What this channel may promise here: `max(0, available − safety_buffer)`, 0 when disabled
    /// or sold out.
    pub available_to_promise: i64,
}

/// Available-to-promise of a SKU across a site.
#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityView {
    /// Site.
    pub site_id: String,
    /// SKU.
    pub sku: String,
    /// Channel.
    pub channel: String,
    /// Sum over the locations.
    pub available_to_promise: i64,
    /// Per location (only those that stock the SKU and the caller may see).
    pub locations: Vec<LocationAvailability>,
}

/// Available-to-promise of a SKU for a channel across the locations of a site.
#[utoipa::path(get, path = "/availability", tag = "stock", security(("bearer" = [])), params(AvailabilityQuery),
    responses((status = 200, body = AvailabilityView), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn availability(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<AvailabilityQuery>,
) -> ApiResult<Json<AvailabilityView>> {
    let query = AvailabilityCommand::try_from(query)?;
    let availability = state.app.availability(&user, query).await?;
    Ok(Json(availability.into()))
}

impl TryFrom<AvailabilityQuery> for AvailabilityCommand {
    type Error = AppError;

    fn try_from(query: AvailabilityQuery) -> Result<Self, AppError> {
        AvailabilityCommand::parse(query.site_id, &query.sku, query.channel.as_deref())
    }
}

impl From<Availability> for AvailabilityView {
    fn from(availability: Availability) -> Self {
        Self {
            available_to_promise: availability.available_to_promise(),
            site_id: availability.query.site_id,
            sku: availability.query.sku.as_str().to_owned(),
            channel: availability.query.channel.to_string(),
            locations: availability
                .locations
                .into_iter()
                .map(|share| LocationAvailability {
                    location_id: share.location_id,
                    on_hand: share.on_hand,
                    reserved: share.reserved,
                    available: share.available,
                    safety_buffer: share.safety_buffer,
                    enabled: share.enabled,
                    sold_out: share.sold_out,
                    available_to_promise: share.available_to_promise,
                })
                .collect(),
        }
    }
}
