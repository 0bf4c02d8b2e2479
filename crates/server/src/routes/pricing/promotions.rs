//! Promotions: a merchant's or a site's, with kinds, windows, scope and funder (`/promotions`;
//! the use cases are `omnicanal_app::pricing::promotions`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::Money;
use omnicanal_domain::hours::hhmm;
use omnicanal_domain::pricing::{Funder, PromotionKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;
use crate::views::MoneyView;
use omnicanal_app::AppError;
use omnicanal_app::ids::rfc3339;
use omnicanal_app::pricing::promotions::{
    HappyHourInput, PromotionDraft, PromotionInput, PromotionQuery, PromotionRecord,
};
use omnicanal_app::pricing::search::Search;

/// Routes of this part.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_promotion, list_promotions)).routes(routes!(
        get_promotion,
        replace_promotion,
        switch_promotion
    ))
}

/// Weekdays and local hours.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct HappyHourView {
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    #[schema(schema_with = crate::views::words::weekdays)]
    pub weekdays: Vec<u8>,
    /// Local start, `HH:MM` (inclusive).
    #[schema(schema_with = crate::views::words::time_of_day)]
    pub start: String,
    /// Local end, `HH:MM` (exclusive); earlier than `start` runs past midnight.
    #[schema(schema_with = crate::views::words::time_of_day)]
    pub end: String,
}

/// The schema of the domain's `PromotionKind` as serde reads and writes it: an object tagged by
/// `type`, with each kind's own fields and the limits `PromotionKind` is checked against. Only the
/// document uses it; requests are read into `PromotionKind` itself.
#[derive(ToSchema)]
#[schema(as = PromotionKind)]
#[serde(tag = "type", rename_all = "snake_case")]
#[expect(dead_code, reason = "a schema only: the OpenAPI document's picture of PromotionKind")]
pub enum PromotionKindSchema {
    /// A percentage off each matching line.
    PercentOffLines {
        /// Basis points off (1000 = 10 %), 1 to 10000.
        #[schema(minimum = 1, maximum = 10_000)]
        bps: u32,
        /// Matching SKUs; empty or left out: every line in scope.
        #[serde(default)]
        #[schema(schema_with = promotion_skus)]
        skus: Vec<String>,
    },
    /// A fixed amount off each matching unit (never below zero).
    AmountOffLines {
        /// Off each unit, more than zero, in the promotion's currency.
        amount: MoneyView,
        /// Matching SKUs; empty or left out: every line in scope.
        #[serde(default)]
        #[schema(schema_with = promotion_skus)]
        skus: Vec<String>,
    },
    /// A percentage off the order's lines in scope.
    PercentOffOrder {
        /// Basis points off, 1 to 10000.
        #[schema(minimum = 1, maximum = 10_000)]
        bps: u32,
    },
    /// A fixed amount off the order's lines in scope.
    AmountOffOrder {
        /// Off the lines in scope, more than zero.
        amount: MoneyView,
    },
    /// Buy `buy` units of the matching SKUs, get the next `get` at `get_off_bps` off (2×1 is
    /// `buy 1, get 1, 10000`).
    BuyXGetY {
        /// Matching SKUs, one or more.
        #[schema(schema_with = required_promotion_skus)]
        skus: Vec<String>,
        /// Units paid in full per group, 1 to 9999.
        #[schema(minimum = 1, maximum = 9_999)]
        buy: i64,
        /// Units discounted per group, 1 to 9999.
        #[schema(minimum = 1, maximum = 9_999)]
        get: i64,
        /// Basis points off the discounted units, 1 to 10000 (10000: free).
        #[schema(minimum = 1, maximum = 10_000)]
        get_off_bps: u32,
    },
    /// A combo: the components together cost `price`.
    Bundle {
        /// Distinct SKUs with their units, at least two units in all.
        #[schema(min_items = 1, max_items = 500)]
        components: Vec<BundleComponentSchema>,
        /// Price of one complete set, not negative.
        #[schema(schema_with = crate::views::words::price)]
        price: MoneyView,
    },
}

/// One component of a bundle.
#[derive(ToSchema)]
#[schema(as = BundleComponent)]
#[expect(dead_code, reason = "a schema only: the OpenAPI document's picture of BundleComponent")]
pub struct BundleComponentSchema {
    /// The SKU.
    #[schema(schema_with = crate::views::words::sku)]
    sku: String,
    /// Units of it in one set, 1 to 9999.
    #[schema(minimum = 1, maximum = 9_999)]
    quantity: i64,
}

fn promotion_skus() -> utoipa::openapi::schema::Array {
    crate::views::words::skus(omnicanal_domain::pricing::promotion::MAX_PROMOTION_SKUS)
}

fn required_promotion_skus() -> utoipa::openapi::schema::Array {
    let mut skus = promotion_skus();
    skus.min_items = Some(1);
    skus
}

/// A promotion as sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PromotionRequest {
    /// The merchant's own promotion; leave out (null) for a site-wide promotion of the site's operator (admin).
    #[serde(default)]
    pub merchant_id: Option<String>,
    /// The site of a site-wide promotion (required then).
    #[serde(default)]
    pub site_id: Option<String>,
    /// Name shown to customers and staff.
    #[schema(schema_with = crate::views::words::name)]
    pub name: String,
    /// `merchant` (default for a merchant's promotion) or `operator` (default for a site-wide one).
    #[serde(default)]
    #[schema(schema_with = crate::views::words::funder)]
    pub funded_by: Option<String>,
    /// What it gives, by `type`: `percent_off_lines {bps, skus?}`, `amount_off_lines {amount, skus?}`,
    /// `percent_off_order {bps}`, `amount_off_order {amount}`, `buy_x_get_y {skus, buy, get, get_off_bps}`,
    /// `bundle {components: [{sku, quantity}], price}`. `bps` are basis points: 1000 = 10 %, at most 10000.
    #[schema(value_type = PromotionKindSchema)]
    pub kind: PromotionKind,
    /// Channels it applies to (empty: all).
    #[serde(default)]
    pub channels: Vec<String>,
    /// Locations it applies to (empty: all of its scope).
    #[serde(default)]
    pub location_ids: Vec<String>,
    /// Start: RFC 3339, or a local time in the site's time zone.
    #[serde(default)]
    #[schema(schema_with = crate::views::words::optional_timestamp)]
    pub valid_from: Option<String>,
    /// End (exclusive), same formats.
    #[serde(default)]
    #[schema(schema_with = crate::views::words::optional_timestamp)]
    pub valid_to: Option<String>,
    /// Only on these weekdays and hours.
    #[serde(default)]
    pub happy_hour: Option<HappyHourView>,
    /// The lines in scope must add up to at least this.
    #[serde(default)]
    pub min_spend: Option<MoneyView>,
    /// Only with one of its coupon codes.
    #[serde(default)]
    pub requires_coupon: bool,
    /// Higher goes first (default 0).
    #[serde(default)]
    #[schema(minimum = -1_000_000, maximum = 1_000_000)]
    pub priority: i32,
    /// Combines with no other promotion.
    #[serde(default)]
    pub exclusive: bool,
    /// Default true.
    #[serde(default)]
    pub active: Option<bool>,
}

/// A promotion.
#[derive(Debug, Serialize, ToSchema)]
pub struct PromotionView {
    /// Opaque id.
    pub id: String,
    /// Owner; null for a site-wide promotion.
    pub merchant_id: Option<String>,
    /// The site of a site-wide promotion.
    pub site_id: Option<String>,
    /// Name.
    pub name: String,
    /// `merchant` or `operator`.
    pub funded_by: String,
    /// What it gives (see the request).
    #[schema(value_type = PromotionKindSchema)]
    pub kind: PromotionKind,
    /// Channels (empty: all).
    pub channels: Vec<String>,
    /// Locations (empty: all).
    pub location_ids: Vec<String>,
    /// Start.
    pub valid_from: Option<String>,
    /// End.
    pub valid_to: Option<String>,
    /// Weekdays and hours.
    pub happy_hour: Option<HappyHourView>,
    /// Minimum spend.
    pub min_spend: Option<MoneyView>,
    /// Whether a coupon is needed.
    pub requires_coupon: bool,
    /// Higher goes first.
    pub priority: i32,
    /// Combines with no other promotion.
    pub exclusive: bool,
    /// Whether it is used.
    pub active: bool,
    /// Creation time.
    pub created_at: String,
    /// Last change.
    pub updated_at: String,
}

impl From<PromotionRecord> for PromotionView {
    fn from(record: PromotionRecord) -> Self {
        let (row, promotion) = (record.row, record.definition);
        Self {
            id: row.id,
            merchant_id: row.merchant_id,
            site_id: row.site_id,
            name: row.name,
            funded_by: match promotion.funded_by {
                Funder::Merchant => "merchant".into(),
                Funder::Operator => "operator".into(),
            },
            kind: promotion.kind,
            channels: promotion.channels,
            location_ids: promotion.location_ids,
            valid_from: promotion.valid_from_ms.map(rfc3339),
            valid_to: promotion.valid_to_ms.map(rfc3339),
            happy_hour: promotion.happy_hour.map(|h| HappyHourView {
                weekdays: h.weekdays,
                start: hhmm(h.start_minute),
                end: hhmm(h.end_minute),
            }),
            min_spend: promotion.min_spend.map(MoneyView::from),
            requires_coupon: promotion.requires_coupon,
            priority: promotion.priority,
            exclusive: promotion.exclusive,
            active: row.active,
            created_at: rfc3339(row.created_at_ms),
            updated_at: rfc3339(row.updated_at_ms),
        }
    }
}

impl TryFrom<PromotionRequest> for PromotionDraft {
    type Error = AppError;

    fn try_from(request: PromotionRequest) -> Result<Self, AppError> {
        PromotionDraft::parse(PromotionInput {
            merchant_id: request.merchant_id,
            site_id: request.site_id,
            name: request.name,
            funded_by: request.funded_by,
            kind: request.kind,
            channels: request.channels,
            location_ids: request.location_ids,
            valid_from: request.valid_from,
            valid_to: request.valid_to,
            happy_hour: request.happy_hour.map(|hours| HappyHourInput {
                weekdays: hours.weekdays,
                start: hours.start,
                end: hours.end,
            }),
            min_spend: request.min_spend.map(Money::from),
            requires_coupon: request.requires_coupon,
            priority: request.priority,
            exclusive: request.exclusive,
            active: request.active,
        })
    }
}

/// Creates a promotion: a merchant's (its manager or an admin) or a site-wide one (admin).
#[utoipa::path(post, path = "/promotions", tag = "pricing", request_body = PromotionRequest, security(("bearer" = [])),
    responses((status = 201, body = PromotionView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_promotion(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<PromotionRequest>,
) -> ApiResult<(StatusCode, Json<PromotionView>)> {
    let draft = PromotionDraft::try_from(request)?;
    let record = state.app.create_promotion(&user, draft).await?;
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// `?merchant_id=&site_id=` for promotions.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PromotionFilter {
    /// One merchant's promotions (managers: their own).
    pub merchant_id: Option<String>,
    /// One site's site-wide promotions.
    pub site_id: Option<String>,
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
    /// Only those whose name contains this text (any case).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `created` (default, oldest first), `name` or `valid_from`; `-` first reverses it.
    #[param(pattern = r"^-?(created|name|valid_from)$")]
    pub sort: Option<String>,
}

/// Promotions: platform users see all (or filter), managers and staff their merchant's; `q` finds
/// those whose name contains it, `sort` orders them.
#[utoipa::path(get, path = "/promotions", tag = "pricing", params(PromotionFilter), security(("bearer" = [])),
    responses((status = 200, body = Vec<PromotionView>), (status = 422, body = crate::error::Problem)))]
async fn list_promotions(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(filter): ApiQuery<PromotionFilter>,
) -> ApiResult<Json<Vec<PromotionView>>> {
    let page = Pagination { limit: filter.limit, offset: filter.offset }.page()?;
    let query = PromotionQuery { merchant_id: filter.merchant_id, site_id: filter.site_id, page };
    let records = if super::asks_search(filter.q.as_deref(), filter.sort.as_deref()) {
        let search = Search::parse(filter.q.as_deref(), filter.sort.as_deref(), page)?;
        state.app.search_promotions(&user, query, &search).await?.items
    } else {
        state.app.list_promotions(&user, query).await?
    };
    Ok(Json(records.into_iter().map(PromotionView::from).collect()))
}

/// One promotion.
#[utoipa::path(get, path = "/promotions/{id}", tag = "pricing", params(("id" = String, Path, description = "Promotion id")),
    security(("bearer" = [])), responses((status = 200, body = PromotionView), (status = 404, body = crate::error::Problem)))]
async fn get_promotion(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PromotionView>> {
    Ok(Json(state.app.promotion(&user, &id).await?.into()))
}

/// Replaces a promotion (its merchant or site stays); set `active: false` to end it.
#[utoipa::path(put, path = "/promotions/{id}", tag = "pricing", request_body = PromotionRequest,
    params(("id" = String, Path, description = "Promotion id")), security(("bearer" = [])),
    responses((status = 200, body = PromotionView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn replace_promotion(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PromotionRequest>,
) -> ApiResult<Json<PromotionView>> {
    let draft = PromotionDraft::try_from(request)?;
    Ok(Json(state.app.replace_promotion(&user, &id, draft).await?.into()))
}

/// Switches a promotion off or on, the rest of it unchanged.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SwitchPromotion {
    /// `false` ends the promotion (quotes stop applying it); `true` starts it again.
    pub active: bool,
}

/// Ends a promotion (`active: false`) or starts it again, without sending all of it.
#[utoipa::path(patch, path = "/promotions/{id}", tag = "pricing", request_body = SwitchPromotion,
    params(("id" = String, Path, description = "Promotion id")), security(("bearer" = [])),
    responses((status = 200, body = PromotionView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn switch_promotion(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SwitchPromotion>,
) -> ApiResult<Json<PromotionView>> {
    Ok(Json(state.app.set_promotion_active(&user, &id, request.active).await?.into()))
}
