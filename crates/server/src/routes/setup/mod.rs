//! Setup: sites, merchants and locations (admin; managers within their merchant).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::catalog::{CommissionRate, Country, MerchantKind, Name};
use omnicanal_domain::hours::OpeningHours;
use omnicanal_domain::site::UnacceptedPolicy;
use omnicanal_store::{LocationRow, MerchantRow, SiteRow};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, Role};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::ids::{new_id, now_ms};
use crate::state::AppState;
use crate::views::{LocationView, MerchantView, SiteView};
use omnicanal_app::AppError;
use omnicanal_app::validation::{Validator, vetted};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_site, list_sites))
        .routes(routes!(get_site, update_site))
        .routes(routes!(create_merchant, list_merchants))
        .routes(routes!(get_merchant))
        .routes(routes!(create_location))
        .routes(routes!(get_location, update_location))
}

/// A new site.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateSite {
    /// Display name.
    pub name: String,
    /// CL, PE or CO.
    pub country: String,
    /// Currency code; must be the country's (CLP, PEN, COP).
    pub currency: String,
    /// IANA time zone such as America/Santiago.
    pub timezone: String,
}

/// Creates a site (admin).
#[utoipa::path(post, path = "/sites", tag = "setup", request_body = CreateSite, security(("bearer" = [])),
    responses((status = 201, body = SiteView), (status = 422, body = crate::error::Problem)))]
async fn create_site(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateSite>,
) -> ApiResult<(StatusCode, Json<SiteView>)> {
    user.require(&[Role::Admin])?;
    let mut v = Validator::new();
    let name = v.check("name", Name::parse("name", &request.name));
    let country = v.check("country", Country::parse(&request.country));
    if let Some(country) = country
        && country.currency().code() != request.currency
    {
        v.push("currency", format!("a site in {} prices in {}", country.code(), country.currency()));
    }
    if request.timezone.parse::<chrono_tz::Tz>().is_err() {
        v.push("timezone", "must be an IANA time zone such as America/Santiago");
    }
    v.finish()?;
    let row = SiteRow {
        id: new_id("site"),
        name: vetted(name)?.into_inner(),
        country: vetted(country)?,
        currency: vetted(country)?.currency(),
        timezone: request.timezone,
        accept_within_minutes: None,
        unaccepted_policy: UnacceptedPolicy::default(),
        created_at_ms: now_ms(),
    };
    state.store.insert_site(&row).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Lists sites (any signed-in user).
#[utoipa::path(get, path = "/sites", tag = "setup", params(Pagination), security(("bearer" = [])),
    responses((status = 200, body = Vec<SiteView>)))]
async fn list_sites(
    State(state): State<AppState>,
    _user: AuthUser,
    ApiQuery(pagination): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<SiteView>>> {
    let sites = state.store.list_sites(pagination.page()?).await?;
    Ok(Json(sites.into_iter().map(SiteView::from).collect()))
}

/// One site (public: customers reach it from a QR code).
#[utoipa::path(get, path = "/sites/{id}", tag = "setup", params(("id" = String, Path, description = "Site id")),
    responses((status = 200, body = SiteView), (status = 404, body = crate::error::Problem)))]
async fn get_site(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<SiteView>> {
    let site = state.store.get_site(&id).await?.ok_or(AppError::NotFound("site"))?;
    Ok(Json(site.into()))
}

/// A new merchant.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateMerchant {
    /// Display name.
    pub name: String,
    /// `restaurant` or `retail`.
    pub kind: String,
    /// Platform commission in basis points (0 to 10000).
    pub commission_bps: i64,
    /// Tax id printed on its tax documents (RUT in Chile, RUC in Peru, NIT in Colombia).
    #[serde(default)]
    pub tax_id: Option<String>,
}

/// Creates a merchant (admin).
#[utoipa::path(post, path = "/merchants", tag = "setup", request_body = CreateMerchant, security(("bearer" = [])),
    responses((status = 201, body = MerchantView), (status = 422, body = crate::error::Problem)))]
async fn create_merchant(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateMerchant>,
) -> ApiResult<(StatusCode, Json<MerchantView>)> {
    user.require(&[Role::Admin])?;
    let mut v = Validator::new();
    let name = v.check("name", Name::parse("name", &request.name));
    if !matches!(request.kind.as_str(), "restaurant" | "retail") {
        v.push("kind", "must be restaurant or retail");
    }
    let rate = v.check("commission_bps", CommissionRate::parse(request.commission_bps));
    let tax_id = request.tax_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
    if tax_id.as_ref().is_some_and(|id| id.chars().count() > 32) {
        v.push("tax_id", "must be at most 32 characters");
    }
    v.finish()?;
    let row = MerchantRow {
        id: new_id("mer"),
        name: vetted(name)?.into_inner(),
        kind: MerchantKind::parse(&request.kind)?,
        commission_bps: i64::from(vetted(rate)?.bps()),
        tax_id,
        created_at_ms: now_ms(),
    };
    state.store.insert_merchant(&row).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// Lists merchants (admin and support see all; others see their own).
#[utoipa::path(get, path = "/merchants", tag = "setup", params(Pagination), security(("bearer" = [])),
    responses((status = 200, body = Vec<MerchantView>)))]
async fn list_merchants(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(pagination): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<MerchantView>>> {
    let page = pagination.page()?;
    let merchants = if user.is_platform() {
        state.store.list_merchants(page).await?
    } else {
        let own = match &user.merchant_id {
            Some(id) => state.store.get_merchant(id).await?,
            None => None,
        };
        own.into_iter().collect()
    };
    Ok(Json(merchants.into_iter().map(MerchantView::from).collect()))
}

/// One merchant.
#[utoipa::path(get, path = "/merchants/{id}", tag = "setup", params(("id" = String, Path, description = "Merchant id")),
    security(("bearer" = [])), responses((status = 200, body = MerchantView), (status = 404, body = crate::error::Problem)))]
async fn get_merchant(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<MerchantView>> {
    user.check_merchant(&id, "merchant")?;
    let merchant = state.store.get_merchant(&id).await?.ok_or(AppError::NotFound("merchant"))?;
    Ok(Json(merchant.into()))
}

/// A new location.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateLocation {
    /// Owner.
    pub merchant_id: String,
    /// Site.
    pub site_id: String,
    /// Display name.
    pub name: String,
    /// Whether customers may pay at pickup.
    pub pay_at_pickup: bool,
}

/// Creates a location (admin, or the merchant's manager).
#[utoipa::path(post, path = "/locations", tag = "setup", request_body = CreateLocation, security(("bearer" = [])),
    responses((status = 201, body = LocationView), (status = 422, body = crate::error::Problem)))]
async fn create_location(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateLocation>,
) -> ApiResult<(StatusCode, Json<LocationView>)> {
    user.require(&[Role::Admin, Role::MerchantManager])?;
    let mut v = Validator::new();
    let name = v.check("name", Name::parse("name", &request.name));
    let merchant_visible = user.check_merchant(&request.merchant_id, "merchant").is_ok();
    if !merchant_visible || state.store.get_merchant(&request.merchant_id).await?.is_none() {
        v.push("merchant_id", "no such merchant");
    }
    if state.store.get_site(&request.site_id).await?.is_none() {
        v.push("site_id", "no such site");
    }
    v.finish()?;
    let row = LocationRow {
        id: new_id("loc"),
        merchant_id: request.merchant_id,
        site_id: request.site_id,
        name: vetted(name)?.into_inner(),
        pay_at_pickup: request.pay_at_pickup,
        is_open: true,
        storefront: Default::default(),
        created_at_ms: now_ms(),
    };
    state.store.insert_location(&row).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// One location.
#[utoipa::path(get, path = "/locations/{id}", tag = "setup", params(("id" = String, Path, description = "Location id")),
    security(("bearer" = [])), responses((status = 200, body = LocationView), (status = 404, body = crate::error::Problem)))]
async fn get_location(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<LocationView>> {
    let location = state.store.get_location(&id).await?.ok_or(AppError::NotFound("location"))?;
    user.check_location(&location.merchant_id, &location.id)?;
    Ok(Json(location.into()))
}

/// Changes to a location; every field is optional.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateLocation {
    /// Display name.
    pub name: Option<String>,
    /// Whether customers may pay at pickup.
    pub pay_at_pickup: Option<bool>,
    /// The on/off switch (staff may use it).
    pub is_open: Option<bool>,
    /// Pause for this many minutes, 1 to 720 ("too busy"); 0 resumes now (staff may use it).
    pub pause_minutes: Option<i64>,
    /// Usual preparation time in minutes, 1 to 240.
    pub prep_minutes: Option<i64>,
    /// Weekly hours: ISO weekday "1"–"7" → [["HH:MM","HH:MM"], …]; days left out are closed.
    #[schema(value_type = Option<Object>)]
    pub opening_hours: Option<serde_json::Value>,
    /// True drops the opening hours: always open (while switched on and not paused).
    pub always_open: Option<bool>,
    /// Where the counter is ("Local 12, nivel 3"), up to 80 characters.
    pub counter: Option<String>,
    /// Most orders per 15-minute pickup slot, 1 to 10000; 0 removes the limit.
    pub slot_capacity: Option<i64>,
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
    let mut location = state.store.get_location(&id).await?.ok_or(AppError::NotFound("location"))?;
    user.check_location(&location.merchant_id, &location.id)?;
    user.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
    let manager_only = request.name.is_some()
        || request.pay_at_pickup.is_some()
        || request.prep_minutes.is_some()
        || request.opening_hours.is_some()
        || request.always_open.is_some()
        || request.counter.is_some()
        || request.slot_capacity.is_some();
    if manager_only && user.role == Role::Staff {
        return Err(AppError::Forbidden.into());
    }
    let mut v = Validator::new();
    if let Some(name) = &request.name {
        location.name = v.check("name", Name::parse("name", name)).map(Name::into_inner).unwrap_or_default();
    }
    if let Some(pay_at_pickup) = request.pay_at_pickup {
        location.pay_at_pickup = pay_at_pickup;
    }
    if let Some(is_open) = request.is_open {
        location.is_open = is_open;
    }
    match request.pause_minutes {
        Some(0) => location.storefront.paused_until_ms = None,
        Some(minutes @ 1..=720) => location.storefront.paused_until_ms = Some(now_ms() + minutes * 60_000),
        Some(_) => v.push("pause_minutes", "must be 0 (resume) to 720"),
        None => {}
    }
    match request.prep_minutes {
        Some(minutes @ 1..=240) => location.storefront.prep_minutes = minutes,
        Some(_) => v.push("prep_minutes", "must be 1 to 240"),
        None => {}
    }
    if let Some(hours) = &request.opening_hours {
        match OpeningHours::parse(&hours.to_string()) {
            Ok(hours) => location.storefront.opening_hours_json = Some(hours.to_json()),
            Err(error) => {
                v.check::<()>("opening_hours", Err(error));
            }
        }
    }
    if request.always_open == Some(true) {
        location.storefront.opening_hours_json = None;
    }
    if let Some(counter) = &request.counter {
        let counter = counter.trim();
        if counter.chars().count() > 80 {
            v.push("counter", "must be at most 80 characters");
        }
        location.storefront.counter = (!counter.is_empty()).then(|| counter.to_owned());
    }
    match request.slot_capacity {
        Some(0) => location.storefront.slot_capacity = None,
        Some(capacity @ 1..=10_000) => location.storefront.slot_capacity = Some(capacity),
        Some(_) => v.push("slot_capacity", "must be 0 (no limit) to 10000"),
        None => {}
    }
    v.finish()?;
    state.store.update_location(&location).await?;
    Ok(Json(location.into()))
}

/// Changes to a site; each field is optional, at least one is required.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateSite {
    /// A part not accepted within this many minutes (1 to 240) is dealt with by
    /// `unaccepted_policy`; 0 removes the limit.
    #[serde(default)]
    pub accept_within_minutes: Option<i64>,
    /// What happens to a part not accepted in time: `cancel_and_refund` (the default: it is
    /// cancelled and refunded, and the customer told at once) or `notify_only` (it is not
    /// cancelled; the customer is told at once that it is still not accepted, once).
    #[serde(default)]
    pub unaccepted_policy: Option<String>,
}

/// Changes a site's acceptance limit and what happens when it passes (admin).
#[utoipa::path(patch, path = "/sites/{id}", tag = "setup", request_body = UpdateSite,
    params(("id" = String, Path, description = "Site id")), security(("bearer" = [])),
    responses((status = 200, body = SiteView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_site(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateSite>,
) -> ApiResult<Json<SiteView>> {
    user.require(&[Role::Admin])?;
    let mut site = state.store.get_site(&id).await?.ok_or(AppError::NotFound("site"))?;
    let mut v = Validator::new();
    match request.accept_within_minutes {
        Some(0) => site.accept_within_minutes = None,
        Some(minutes @ 1..=240) => site.accept_within_minutes = Some(minutes),
        Some(_) => v.push("accept_within_minutes", "must be 0 (no limit) to 240"),
        None => {}
    }
    match request.unaccepted_policy.as_deref().map(UnacceptedPolicy::parse) {
        Some(Ok(policy)) => site.unaccepted_policy = policy,
        Some(Err(_)) => v.push("unaccepted_policy", "must be cancel_and_refund or notify_only"),
        None => {}
    }
    if request.accept_within_minutes.is_none() && request.unaccepted_policy.is_none() {
        v.push("accept_within_minutes", "give accept_within_minutes, unaccepted_policy or both");
    }
    v.finish()?;
    if request.accept_within_minutes.is_some() {
        state.store.set_site_accept_within(&id, site.accept_within_minutes).await?;
    }
    if request.unaccepted_policy.is_some() {
        state.store.set_site_unaccepted_policy(&id, site.unaccepted_policy).await?;
    }
    Ok(Json(site.into()))
}
