//! Channel allocation (safety buffers and on/off switches per location and channel)
//! and available-to-promise across a site's locations.

use axum::Json;
use axum::extract::{Path, State};
use omnicanal_domain::catalog::Sku;
use omnicanal_domain::channel::Channel;
use omnicanal_store::{ChannelAllocationRow, StockFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::ids::{now_ms, rfc3339};
use crate::ordering::valid_channel;
use crate::state::AppState;
use omnicanal_app::AppError;

/// Largest safety buffer accepted.
pub const MAX_SAFETY_BUFFER: i64 = 1_000_000;
/// Longest hold accepted: a week.
pub const MAX_HOLD_MINUTES: i64 = 7 * 24 * 60;

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
    pub safety_buffer: i64,
    /// Whether the location sells through this channel.
    pub enabled: bool,
    /// Minutes an order's stock hold lasts while not accepted (1 to 10080; absent: no limit).
    /// A part still `placed` when its hold lapses is cancelled, released and refunded.
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
    let location = state.store.get_location(&id).await?.ok_or(AppError::NotFound("location"))?;
    user.check_location(&location.merchant_id, &location.id)?;
    let rows = state.store.list_channel_allocations(&id).await?;
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
    let location = state.store.get_location(&id).await?.ok_or(AppError::NotFound("location"))?;
    user.check_location(&location.merchant_id, &location.id)?;
    user.require(&[Role::Admin, Role::MerchantManager])?;
    if !valid_channel(&channel) {
        return Err(ApiError::invalid("channel", "must be qr, web, pos, phone, kiosk, tablet or shop:<connector>"));
    }
    if !(0..=MAX_SAFETY_BUFFER).contains(&request.safety_buffer) {
        return Err(ApiError::invalid("safety_buffer", format!("must be between 0 and {MAX_SAFETY_BUFFER}")));
    }
    if request.hold_minutes.is_some_and(|minutes| !(1..=MAX_HOLD_MINUTES).contains(&minutes)) {
        return Err(ApiError::invalid("hold_minutes", format!("must be between 1 and {MAX_HOLD_MINUTES}")));
    }
    let row = ChannelAllocationRow {
        location_id: id,
        channel: Channel::parse(&channel)?,
        safety_buffer: request.safety_buffer,
        enabled: request.enabled,
        hold_ttl_ms: request.hold_minutes.map(|minutes| minutes * 60_000),
        updated_at_ms: now_ms(),
    };
    state.store.upsert_channel_allocation(&row).await?;
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
    let sku = Sku::parse(&query.sku)?;
    let channel = query.channel.unwrap_or_else(|| "web".to_owned());
    if !valid_channel(&channel) {
        return Err(ApiError::invalid("channel", "must be qr, web, pos, phone, kiosk, tablet or shop:<connector>"));
    }
    state.store.get_site(&query.site_id).await?.ok_or(AppError::NotFound("site"))?;
    let mut locations = Vec::new();
    for location in state.store.list_site_locations(&query.site_id).await? {
        if user.check_location(&location.merchant_id, &location.id).is_err() {
            continue;
        }
        let filter = StockFilter {
            location_id: Some(location.id.clone()),
            sku: Some(sku.as_str().to_owned()),
            now_ms: now_ms(),
            ..StockFilter::default()
        };
        let Some(level) = state.store.list_stock(&filter).await?.into_iter().next() else { continue };
        let allocation = state
            .store
            .list_channel_allocations(&location.id)
            .await?
            .into_iter()
            .find(|a| a.channel.as_str() == channel.as_str());
        let (safety_buffer, enabled) = allocation.map_or((0, true), |a| (a.safety_buffer, a.enabled));
        let sold_out = state.store.list_sold_out(&location.id).await?.iter().any(|row| row.sku == sku.as_str());
        let available_to_promise = if enabled && !sold_out { (level.available - safety_buffer).max(0) } else { 0 };
        locations.push(LocationAvailability {
            location_id: location.id,
            on_hand: level.on_hand,
            reserved: level.reserved,
            available: level.available,
            safety_buffer,
            enabled,
            sold_out,
            available_to_promise,
        });
    }
    Ok(Json(AvailabilityView {
        site_id: query.site_id,
        sku: sku.as_str().to_owned(),
        channel,
        available_to_promise: locations.iter().map(|l| l.available_to_promise).sum(),
        locations,
    }))
}
