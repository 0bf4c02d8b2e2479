//! Setup: sites and merchants (admin; managers see their own merchant) here, locations and
//! their storefronts in [`locations`]. Each handler parses its body into the app's command and
//! calls one use case of `omnicanal_app::setup`, which decides who may do what.

pub mod locations;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::setup::merchants::{MerchantPatch, NewMerchant};
use omnicanal_app::setup::sites::{NewSite, SiteChanges};

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;
use crate::views::{MerchantView, SiteView};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_site, list_sites))
        .routes(routes!(get_site, update_site))
        .routes(routes!(create_merchant, list_merchants))
        .routes(routes!(get_merchant, update_merchant))
        .merge(locations::router())
}

/// A new site.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateSite {
    /// Display name.
    #[schema(schema_with = crate::views::words::name)]
    pub name: String,
    /// CL, PE or CO.
    #[schema(schema_with = crate::views::words::country)]
    pub country: String,
    /// Currency code; must be the country's (CLP, PEN, COP).
    #[schema(schema_with = crate::views::words::site_currency)]
    pub currency: String,
    /// IANA time zone such as America/Santiago.
    #[schema(schema_with = crate::views::words::timezone)]
    pub timezone: String,
}

impl TryFrom<CreateSite> for NewSite {
    type Error = AppError;

    fn try_from(request: CreateSite) -> Result<Self, AppError> {
        NewSite::parse(&request.name, &request.country, &request.currency, &request.timezone)
    }
}

/// Creates a site (admin).
#[utoipa::path(post, path = "/sites", tag = "setup", request_body = CreateSite, security(("bearer" = [])),
    responses((status = 201, body = SiteView), (status = 422, body = crate::error::Problem)))]
async fn create_site(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateSite>,
) -> ApiResult<(StatusCode, Json<SiteView>)> {
    let site = state.app.create_site(&user, NewSite::try_from(request)?).await?;
    Ok((StatusCode::CREATED, Json(site.into())))
}

/// Lists sites (any signed-in user).
#[utoipa::path(get, path = "/sites", tag = "setup", params(Pagination), security(("bearer" = [])),
    responses((status = 200, body = Vec<SiteView>)))]
async fn list_sites(
    State(state): State<AppState>,
    _user: AuthUser,
    ApiQuery(pagination): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<SiteView>>> {
    let sites = state.app.list_sites(pagination.page()?).await?;
    Ok(Json(sites.into_iter().map(SiteView::from).collect()))
}

/// One site (public: customers reach it from a QR code).
#[utoipa::path(get, path = "/sites/{id}", tag = "setup", params(("id" = String, Path, description = "Site id")),
    responses((status = 200, body = SiteView), (status = 404, body = crate::error::Problem)))]
async fn get_site(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<SiteView>> {
    Ok(Json(state.app.site(&id).await?.into()))
}

/// Changes to a site; each field is optional, at least one is required.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateSite {
    /// A new display name.
    #[serde(default)]
    #[schema(schema_with = crate::views::words::optional_name)]
    pub name: Option<String>,
    /// A part not accepted within this many minutes (1 to 240) is dealt with by
    /// `unaccepted_policy`; 0 removes the limit.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 240)]
    pub accept_within_minutes: Option<i64>,
    /// What happens to a part not accepted in time: `cancel_and_refund` (the default: it is
    /// cancelled and refunded, and the customer told at once) or `notify_only` (it is not
    /// cancelled; the customer is told at once that it is still not accepted, once).
    #[serde(default)]
    #[schema(schema_with = crate::views::words::unaccepted_policy)]
    pub unaccepted_policy: Option<String>,
}

impl TryFrom<UpdateSite> for SiteChanges {
    type Error = AppError;

    fn try_from(request: UpdateSite) -> Result<Self, AppError> {
        SiteChanges::parse_with_name(
            request.name.as_deref(),
            request.accept_within_minutes,
            request.unaccepted_policy.as_deref(),
        )
    }
}

/// Changes a site's name, its acceptance limit and what happens when it passes (admin).
#[utoipa::path(patch, path = "/sites/{id}", tag = "setup", request_body = UpdateSite,
    params(("id" = String, Path, description = "Site id")), security(("bearer" = [])),
    responses((status = 200, body = SiteView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_site(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateSite>,
) -> ApiResult<Json<SiteView>> {
    let site = state.app.update_site(&user, &id, SiteChanges::try_from(request)?).await?;
    Ok(Json(site.into()))
}

/// A new merchant.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateMerchant {
    /// Display name.
    #[schema(schema_with = crate::views::words::name)]
    pub name: String,
    /// `restaurant` or `retail`.
    #[schema(schema_with = crate::views::words::merchant_kind)]
    pub kind: String,
    /// Platform commission in basis points (0 to 10000).
    #[schema(minimum = 0, maximum = 10000)]
    pub commission_bps: i64,
    /// Tax id printed on its tax documents (RUT in Chile, RUC in Peru, NIT in Colombia).
    #[serde(default)]
    pub tax_id: Option<String>,
}

impl TryFrom<CreateMerchant> for NewMerchant {
    type Error = AppError;

    fn try_from(request: CreateMerchant) -> Result<Self, AppError> {
        NewMerchant::parse(&request.name, &request.kind, request.commission_bps, request.tax_id.as_deref())
    }
}

/// A change to a merchant: the fields given are changed, the others kept.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMerchant {
    /// Display name.
    #[schema(schema_with = crate::views::words::optional_name)]
    pub name: Option<String>,
    /// `restaurant` or `retail`.
    #[schema(schema_with = crate::views::words::optional_merchant_kind)]
    pub kind: Option<String>,
    /// Platform commission in basis points (0 to 10000).
    #[schema(minimum = 0, maximum = 10000)]
    pub commission_bps: Option<i64>,
    /// Tax id; `null` or blank clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 32)]
    pub tax_id: Option<Option<String>>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// Changes a merchant (admin): name, kind, commission, tax id.
#[utoipa::path(patch, path = "/merchants/{id}", tag = "setup", request_body = UpdateMerchant,
    params(("id" = String, Path, description = "Merchant id")), security(("bearer" = [])),
    responses((status = 200, body = MerchantView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_merchant(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateMerchant>,
) -> ApiResult<Json<MerchantView>> {
    let patch = MerchantPatch {
        name: request.name,
        kind: request.kind,
        commission_bps: request.commission_bps,
        tax_id: request.tax_id,
    };
    Ok(Json(state.app.update_merchant(&user, &id, patch).await?.into()))
}

/// Creates a merchant (admin).
#[utoipa::path(post, path = "/merchants", tag = "setup", request_body = CreateMerchant, security(("bearer" = [])),
    responses((status = 201, body = MerchantView), (status = 422, body = crate::error::Problem)))]
async fn create_merchant(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateMerchant>,
) -> ApiResult<(StatusCode, Json<MerchantView>)> {
    let merchant = state.app.create_merchant(&user, NewMerchant::try_from(request)?).await?;
    Ok((StatusCode::CREATED, Json(merchant.into())))
}

/// Lists merchants (admin and support see all; others see their own).
#[utoipa::path(get, path = "/merchants", tag = "setup", params(Pagination), security(("bearer" = [])),
    responses((status = 200, body = Vec<MerchantView>)))]
async fn list_merchants(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(pagination): ApiQuery<Pagination>,
) -> ApiResult<Json<Vec<MerchantView>>> {
    let merchants = state.app.list_merchants(&user, pagination.page()?).await?;
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
    Ok(Json(state.app.merchant(&user, &id).await?.into()))
}
