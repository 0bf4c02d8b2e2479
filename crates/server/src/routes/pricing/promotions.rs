//! Promotions: a merchant's or a site's, with kinds, windows, scope and funder.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::Money;
use omnicanal_domain::catalog::Name;
use omnicanal_domain::events::{ChangeAction, PriceChanged, PromotionChanged};
use omnicanal_domain::hours::hhmm;
use omnicanal_domain::pricing::promotion::HappyHour;
use omnicanal_domain::pricing::{Funder, Promotion, PromotionKind};
use omnicanal_store::{NewEvent, PromotionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{may_manage_prices, may_read_prices, price_event, window};
use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::ids::{new_id, now_ms, rfc3339};
use crate::ordering::valid_channel;
use crate::state::AppState;
use crate::views::MoneyView;
use omnicanal_app::AppError;
use omnicanal_app::validation::{Validator, vetted};

/// Routes of this part.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_promotion, list_promotions))
        .routes(routes!(get_promotion, replace_promotion))
}

/// Weekdays and local hours.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct HappyHourView {
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    pub weekdays: Vec<u8>,
    /// Local start, `HH:MM` (inclusive).
    pub start: String,
    /// Local end, `HH:MM` (exclusive); earlier than `start` runs past midnight.
    pub end: String,
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
    pub name: String,
    /// `merchant` (default for a merchant's promotion) or `operator` (default for a site-wide one).
    #[serde(default)]
    pub funded_by: Option<String>,
    /// What it gives, by `type`: `percent_off_lines {bps, skus?}`, `amount_off_lines {amount, skus?}`,
    /// `percent_off_order {bps}`, `amount_off_order {amount}`, `buy_x_get_y {skus, buy, get, get_off_bps}`,
    /// `bundle {components: [{sku, quantity}], price}`. `bps` are basis points: 1000 = 10 %, at most 10000.
    #[schema(value_type = Object)]
    pub kind: PromotionKind,
    /// Channels it applies to (empty: all).
    #[serde(default)]
    pub channels: Vec<String>,
    /// Locations it applies to (empty: all of its scope).
    #[serde(default)]
    pub location_ids: Vec<String>,
    /// Start: RFC 3339, or a local time in the site's time zone.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// End (exclusive), same formats.
    #[serde(default)]
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
    #[schema(value_type = Object)]
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

fn minutes(field: &str, raw: &str, v: &mut Validator) -> u16 {
    let parsed = raw
        .split_once(':')
        .and_then(|(h, m)| Some((h.parse::<u16>().ok()?, m.parse::<u16>().ok()?)))
        .filter(|(h, m)| *h < 24 && *m < 60 && raw.len() == 5);
    match parsed {
        Some((h, m)) => h * 60 + m,
        None => {
            v.push(field, "must be a time of day HH:MM");
            0
        }
    }
}

fn promotion_view(row: &PromotionRow) -> ApiResult<PromotionView> {
    let promotion: Promotion =
        serde_json::from_str(&row.definition_json).map_err(|error| AppError::Internal(Box::new(error)))?;
    Ok(PromotionView {
        id: row.id.clone(),
        merchant_id: row.merchant_id.clone(),
        site_id: row.site_id.clone(),
        name: row.name.clone(),
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
    })
}

/// Validates a promotion request into a row (the caller sets id and creation time).
async fn promotion_row(
    state: &AppState,
    user: &AuthUser,
    request: PromotionRequest,
    id: String,
    created_at_ms: i64,
) -> ApiResult<PromotionRow> {
    let mut v = Validator::new();
    // Scope: the merchant's own promotion, or a site-wide one of the operator (admin only).
    let (merchant_id, site_id, currency, timezone) = match &request.merchant_id {
        Some(merchant_id) => {
            let merchant = state.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
            user.check_merchant(&merchant.id, "merchant")?;
            let (currency, timezone) = state.app.merchant_home(&merchant.id).await?;
            (Some(merchant.id), None, currency, timezone)
        }
        None => {
            user.require(&[Role::Admin])?;
            let site_id = request
                .site_id
                .clone()
                .ok_or_else(|| ApiError::invalid("site_id", "required for a site-wide promotion (no merchant_id)"))?;
            let site =
                state.store.get_site(&site_id).await?.ok_or_else(|| ApiError::invalid("site_id", "no such site"))?;
            (None, Some(site.id), site.currency, site.timezone)
        }
    };
    let funded_by = match request.funded_by.as_deref() {
        None if merchant_id.is_some() => Funder::Merchant,
        None => Funder::Operator,
        Some(raw) => v.check("funded_by", Funder::parse(raw)).unwrap_or(Funder::Merchant),
    };
    if funded_by == Funder::Operator && user.role != Role::Admin {
        v.push("funded_by", "only the site's operator (an admin) may fund a promotion with its money");
    }
    let name = v.check("name", Name::parse("name", &request.name));
    for (index, channel) in request.channels.iter().enumerate() {
        if !valid_channel(channel) {
            v.push(format!("channels[{index}]"), "must be qr, web, pos, phone, kiosk, tablet or shop:<connector>");
        }
    }
    for (index, location_id) in request.location_ids.iter().enumerate() {
        let location = state.store.get_location(location_id).await?;
        let in_scope = location.is_some_and(|l| match (&merchant_id, &site_id) {
            (Some(merchant), _) => &l.merchant_id == merchant,
            (None, Some(site)) => &l.site_id == site,
            (None, None) => false,
        });
        if !in_scope {
            v.push(format!("location_ids[{index}]"), "no such location in the promotion's scope");
        }
    }
    let (valid_from_ms, valid_to_ms) = window(&mut v, &timezone, &request.valid_from, &request.valid_to);
    let happy_hour = request.happy_hour.as_ref().map(|h| HappyHour {
        weekdays: h.weekdays.clone(),
        start_minute: minutes("happy_hour.start", &h.start, &mut v),
        end_minute: minutes("happy_hour.end", &h.end, &mut v),
    });
    let mut amounts: Vec<(&str, Money)> = Vec::new();
    match &request.kind {
        PromotionKind::AmountOffLines { amount, .. } | PromotionKind::AmountOffOrder { amount } => {
            amounts.push(("kind.amount", *amount));
        }
        PromotionKind::Bundle { price, .. } => amounts.push(("kind.price", *price)),
        _ => {}
    }
    let min_spend = request.min_spend.map(Money::from);
    if let Some(min) = min_spend {
        amounts.push(("min_spend", min));
    }
    for (field, amount) in amounts {
        if amount.currency != currency {
            v.push(field, format!("must be in {currency}, the currency this promotion's scope sells in"));
        }
    }
    v.finish()?;
    let promotion = Promotion {
        id,
        name: vetted(name)?.into_inner(),
        merchant_id: merchant_id.clone(),
        funded_by,
        kind: request.kind,
        channels: request.channels,
        location_ids: request.location_ids,
        valid_from_ms,
        valid_to_ms,
        happy_hour,
        min_spend,
        requires_coupon: request.requires_coupon,
        priority: request.priority,
        exclusive: request.exclusive,
        active: request.active.unwrap_or(true),
    };
    promotion.validate()?;
    Ok(PromotionRow {
        id: promotion.id.clone(),
        merchant_id,
        site_id,
        name: promotion.name.clone(),
        active: promotion.active,
        definition_json: serde_json::to_string(&promotion).map_err(|error| AppError::Internal(Box::new(error)))?,
        created_at_ms,
        updated_at_ms: now_ms(),
    })
}

fn promotion_event(row: &PromotionRow, action: ChangeAction) -> NewEvent {
    price_event(PriceChanged::Promotion(PromotionChanged {
        action,
        promotion_id: row.id.clone(),
        merchant_id: row.merchant_id.clone(),
        site_id: row.site_id.clone(),
        name: row.name.clone(),
        active: row.active,
    }))
}

/// Creates a promotion: a merchant's (its manager or an admin) or a site-wide one (admin).
#[utoipa::path(post, path = "/promotions", tag = "pricing", request_body = PromotionRequest, security(("bearer" = [])),
    responses((status = 201, body = PromotionView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_promotion(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<PromotionRequest>,
) -> ApiResult<(StatusCode, Json<PromotionView>)> {
    may_manage_prices(&user)?;
    let row = promotion_row(&state, &user, request, new_id("pro"), now_ms()).await?;
    state.store.insert_promotion(&row, &promotion_event(&row, ChangeAction::Created)).await?;
    state.wake_dispatcher();
    Ok((StatusCode::CREATED, Json(promotion_view(&row)?)))
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
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    pub offset: Option<i64>,
}

/// Promotions: platform users see all (or filter), managers and staff their merchant's.
#[utoipa::path(get, path = "/promotions", tag = "pricing", params(PromotionFilter), security(("bearer" = [])),
    responses((status = 200, body = Vec<PromotionView>), (status = 422, body = crate::error::Problem)))]
async fn list_promotions(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(filter): ApiQuery<PromotionFilter>,
) -> ApiResult<Json<Vec<PromotionView>>> {
    may_read_prices(&user)?;
    let page = Pagination { limit: filter.limit, offset: filter.offset }.page()?;
    let (merchant_id, site_id) = if user.is_platform() {
        (filter.merchant_id, filter.site_id)
    } else {
        let own = user.merchant_id.clone().ok_or(AppError::Forbidden)?;
        if filter.merchant_id.as_ref().is_some_and(|m| *m != own) {
            return Err(AppError::NotFound("merchant").into());
        }
        (Some(own), None)
    };
    let rows = state.store.list_promotions(merchant_id.as_deref(), site_id.as_deref(), page).await?;
    Ok(Json(rows.iter().map(promotion_view).collect::<ApiResult<_>>()?))
}

pub(super) async fn visible_promotion(state: &AppState, user: &AuthUser, id: &str) -> ApiResult<PromotionRow> {
    let row = state.store.get_promotion(id).await?.ok_or(AppError::NotFound("promotion"))?;
    match &row.merchant_id {
        Some(merchant) => user.check_merchant(merchant, "promotion")?,
        None if user.is_platform() => {}
        None => return Err(AppError::NotFound("promotion").into()),
    }
    Ok(row)
}

/// One promotion.
#[utoipa::path(get, path = "/promotions/{id}", tag = "pricing", params(("id" = String, Path, description = "Promotion id")),
    security(("bearer" = [])), responses((status = 200, body = PromotionView), (status = 404, body = crate::error::Problem)))]
async fn get_promotion(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PromotionView>> {
    may_read_prices(&user)?;
    Ok(Json(promotion_view(&visible_promotion(&state, &user, &id).await?)?))
}

/// Replaces a promotion (its merchant or site stays); set `active: false` to end it.
#[utoipa::path(put, path = "/promotions/{id}", tag = "pricing", request_body = PromotionRequest,
    params(("id" = String, Path, description = "Promotion id")), security(("bearer" = [])),
    responses((status = 200, body = PromotionView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn replace_promotion(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(mut request): ApiJson<PromotionRequest>,
) -> ApiResult<Json<PromotionView>> {
    may_manage_prices(&user)?;
    let existing = visible_promotion(&state, &user, &id).await?;
    request.merchant_id = existing.merchant_id.clone();
    request.site_id = existing.site_id.clone();
    let row = promotion_row(&state, &user, request, existing.id, existing.created_at_ms).await?;
    state.store.replace_promotion(&row, &promotion_event(&row, ChangeAction::Updated)).await?;
    state.wake_dispatcher();
    Ok(Json(promotion_view(&row)?))
}
