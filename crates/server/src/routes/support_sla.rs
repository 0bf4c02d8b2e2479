//! SLAs in store time through the API (issue 18 point 3): the SLA policy of the platform or of
//! one merchant (`GET|PUT /support/sla-policies`), special days (`GET|POST /support/special-days`,
//! `DELETE /support/special-days/{id}`), and a location's business calendar day by day with
//! the reason for each day's hours (`GET /support/calendar`). Admins and support agents manage
//! policies and special days; the calendar is readable by whoever may see the location. The
//! decisions are the app's (`omnicanal_app::support::sla`, `sla_admin`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_app::AppError;
use omnicanal_app::ids::rfc3339;
use omnicanal_app::support::sla::{CalendarQuery, CalendarView, MAX_CALENDAR_DAYS};
use omnicanal_app::support::sla_admin::{
    EffectiveTargets, NewSpecialDay, RawSlaRule, SlaPolicyEdit, SlaPolicyView, SpecialDayQuery,
};
use omnicanal_domain::support::calendar::{CalendarDay, DayHours, DayReason};
use omnicanal_domain::support::sla::MAX_TARGET_MINUTES;
use omnicanal_store::{Page, SlaRuleRow, SpecialDayRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_sla_policy, replace_sla_policy))
        .routes(routes!(list_special_days, create_special_day))
        .routes(routes!(delete_special_day))
        .routes(routes!(show_calendar))
}

/// `?merchant_id=`: whose policy (absent: the platform's).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlaPolicyQuery {
    /// The merchant; absent for the platform's policy.
    #[param(pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]{1,200}$")]
    pub merchant_id: Option<String>,
}

/// One SLA rule: targets in business minutes on the store's calendar.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SlaRuleBody {
    /// `urgent`, `high`, `normal` or `low`.
    #[schema(example = "urgent")]
    pub priority: String,
    /// A category (`impresora`, `pagos`, `promociones`, `sincronizacion`, `stock`, `otro`);
    /// absent or null: any category without its own rule.
    pub category: Option<String>,
    /// Business minutes to the first response.
    #[schema(minimum = 1, maximum = 43200)]
    pub first_response_minutes: i64,
    /// Business minutes to the resolution (at least the first response's).
    #[schema(minimum = 1, maximum = 43200)]
    pub resolution_minutes: i64,
    /// On special days with tighter targets (give both or neither; at most the ordinary ones).
    #[schema(minimum = 1, maximum = 43200)]
    pub special_day_first_response_minutes: Option<i64>,
    /// On special days with tighter targets.
    #[schema(minimum = 1, maximum = 43200)]
    pub special_day_resolution_minutes: Option<i64>,
}

/// A scope's whole new policy.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SlaPolicyBody {
    /// The merchant whose policy it is; absent or null: the platform's.
    pub merchant_id: Option<String>,
    /// Every rule of the scope (the old ones are replaced), at most 28.
    #[schema(max_items = 28)]
    pub rules: Vec<SlaRuleBody>,
}

/// Targets in business minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaTargetsView {
    /// To the first response.
    pub first_response_minutes: i64,
    /// To the resolution.
    pub resolution_minutes: i64,
}

/// What one priority and category get after the merchant's, the platform's and the built-in
/// rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct EffectiveTargetsView {
    /// The priority.
    pub priority: String,
    /// The category.
    pub category: String,
    /// On ordinary days.
    pub targets: SlaTargetsView,
    /// On special days with tighter targets.
    pub special_day_targets: SlaTargetsView,
}

/// A scope's SLA policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaPolicyResponse {
    /// The merchant; null: the platform.
    pub merchant_id: Option<String>,
    /// The scope's own rules.
    pub rules: Vec<SlaRuleBody>,
    /// The platform's rules beneath a merchant's (empty for the platform).
    pub platform_rules: Vec<SlaRuleBody>,
    /// Every priority and category's targets in the end.
    pub effective: Vec<EffectiveTargetsView>,
}

fn rule_view(row: SlaRuleRow) -> SlaRuleBody {
    SlaRuleBody {
        priority: row.priority.as_str().to_owned(),
        category: row.category.map(|category| category.as_str().to_owned()),
        first_response_minutes: row.first_response_minutes,
        resolution_minutes: row.resolution_minutes,
        special_day_first_response_minutes: row.special_first_response_minutes,
        special_day_resolution_minutes: row.special_resolution_minutes,
    }
}

fn effective_view(effective: EffectiveTargets) -> EffectiveTargetsView {
    let targets = |t: omnicanal_domain::support::sla::SlaTargets| SlaTargetsView {
        first_response_minutes: t.first_response_minutes,
        resolution_minutes: t.resolution_minutes,
    };
    EffectiveTargetsView {
        priority: effective.priority.as_str().to_owned(),
        category: effective.category.as_str().to_owned(),
        targets: targets(effective.targets),
        special_day_targets: targets(effective.special_day_targets),
    }
}

impl From<SlaPolicyView> for SlaPolicyResponse {
    fn from(view: SlaPolicyView) -> Self {
        Self {
            merchant_id: view.merchant_id,
            rules: view.rules.into_iter().map(rule_view).collect(),
            platform_rules: view.platform_rules.into_iter().map(rule_view).collect(),
            effective: view.effective.into_iter().map(effective_view).collect(),
        }
    }
}

/// The SLA policy of the platform or of one merchant, with what every priority and category
/// gets in the end (admins and support agents).
#[utoipa::path(get, path = "/support/sla-policies", tag = "support", operation_id = "show_sla_policy",
    security(("bearer" = [])), params(SlaPolicyQuery),
    responses((status = 200, body = SlaPolicyResponse), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn show_sla_policy(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<SlaPolicyQuery>,
) -> ApiResult<Json<SlaPolicyResponse>> {
    Ok(Json(state.app.sla_policy(&user, query.merchant_id.as_deref()).await?.into()))
}

/// Replaces the SLA policy of the platform or of one merchant whole (admins and support agents).
#[utoipa::path(put, path = "/support/sla-policies", tag = "support", operation_id = "replace_sla_policy",
    security(("bearer" = [])), request_body = SlaPolicyBody,
    responses((status = 200, body = SlaPolicyResponse), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn replace_sla_policy(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<SlaPolicyBody>,
) -> ApiResult<Json<SlaPolicyResponse>> {
    let rules: Vec<RawSlaRule> = body
        .rules
        .into_iter()
        .map(|rule| RawSlaRule {
            priority: rule.priority,
            category: rule.category,
            first_response_minutes: rule.first_response_minutes,
            resolution_minutes: rule.resolution_minutes,
            special_day_first_response_minutes: rule.special_day_first_response_minutes,
            special_day_resolution_minutes: rule.special_day_resolution_minutes,
        })
        .collect();
    let edit = SlaPolicyEdit::parse(body.merchant_id, &rules)?;
    Ok(Json(state.app.replace_sla_policy(&user, edit).await?.into()))
}

/// A new special day.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SpecialDayBody {
    /// Only this merchant's locations (absent: every merchant's).
    pub merchant_id: Option<String>,
    /// Only locations at this site (absent: every site).
    pub site_id: Option<String>,
    /// The local date, `YYYY-MM-DD`.
    #[schema(example = "2026-11-27")]
    pub date: String,
    /// What it is ("Black Friday", "Nochebuena"), up to 80 characters.
    #[schema(example = "Black Friday")]
    pub name: String,
    /// The day's hours as `["HH:MM", "HH:MM"]` ranges (up to 4; `[]`: closed); absent or null:
    /// the usual hours (closed on a public holiday).
    #[schema(max_items = 4)]
    pub hours: Option<Vec<Vec<String>>>,
    /// Whether tighter SLA targets apply to tickets opened that day (default false).
    #[serde(default)]
    pub tighter_targets: bool,
}

/// A special day.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpecialDayView {
    /// Opaque id.
    pub id: String,
    /// Only this merchant's locations (null: every merchant's).
    pub merchant_id: Option<String>,
    /// Only locations at this site (null: every site).
    pub site_id: Option<String>,
    /// The local date.
    pub date: String,
    /// What it is.
    pub name: String,
    /// The day's hours (null: the usual ones; `[]`: closed).
    #[schema(value_type = Option<Vec<Vec<String>>>)]
    pub hours: Option<Vec<(String, String)>>,
    /// Whether tighter SLA targets apply that day.
    pub tighter_targets: bool,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

impl From<SpecialDayRow> for SpecialDayView {
    fn from(row: SpecialDayRow) -> Self {
        let hours =
            row.hours_json.as_deref().and_then(|json| DayHours::parse("hours", json).ok()).map(|hours| hours.as_text());
        Self {
            id: row.id,
            merchant_id: row.merchant_id,
            site_id: row.site_id,
            date: row.date,
            name: row.name,
            hours,
            tighter_targets: row.tighter_targets,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// `?merchant_id=&site_id=&from=&to=&limit=&offset=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpecialDayListQuery {
    /// Only this merchant's own special days.
    #[param(pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]{1,200}$")]
    pub merchant_id: Option<String>,
    /// Only this site's own special days.
    #[param(pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]{1,200}$")]
    pub site_id: Option<String>,
    /// From this date on (`YYYY-MM-DD`).
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub from: Option<String>,
    /// Up to this date, inclusive.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub to: Option<String>,
    /// Items, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// Special days by date (admins and support agents).
#[utoipa::path(get, path = "/support/special-days", tag = "support", operation_id = "list_special_days",
    security(("bearer" = [])), params(SpecialDayListQuery),
    responses((status = 200, body = [SpecialDayView]), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn list_special_days(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<SpecialDayListQuery>,
) -> ApiResult<Json<Vec<SpecialDayView>>> {
    let mut v = omnicanal_app::validation::Validator::new();
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        v.push("limit", "must be from 1 to 500");
    }
    let offset = query.offset.unwrap_or(0);
    if !(0..=100_000_000).contains(&offset) {
        v.push("offset", "must be from 0 to 100000000");
    }
    v.finish()?;
    let query = SpecialDayQuery::parse(
        query.merchant_id,
        query.site_id,
        query.from.as_deref(),
        query.to.as_deref(),
        Page { limit, offset },
    )?;
    Ok(Json(state.app.list_special_days(&user, query).await?.into_iter().map(Into::into).collect()))
}

/// Marks a special day: other hours, tighter targets, or both, for one scope and local date
/// (admins and support agents; a second one for the same scope and date is 409).
#[utoipa::path(post, path = "/support/special-days", tag = "support", operation_id = "create_special_day",
    security(("bearer" = [])), request_body = SpecialDayBody,
    responses((status = 201, body = SpecialDayView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_special_day(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<SpecialDayBody>,
) -> ApiResult<(StatusCode, Json<SpecialDayView>)> {
    // A range is read as sent and judged here, so one of three times is a 422 naming `hours`,
    // not a JSON error about a tuple.
    let hours = match body.hours {
        None => None,
        Some(ranges) => Some(
            ranges
                .into_iter()
                .map(|range| <[String; 2]>::try_from(range).map(|[from, to]| (from, to)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| AppError::invalid("hours", "each range is two times, [\"HH:MM\", \"HH:MM\"]"))?,
        ),
    };
    let new =
        NewSpecialDay::parse(body.merchant_id, body.site_id, &body.date, &body.name, hours, body.tighter_targets)?;
    Ok((StatusCode::CREATED, Json(state.app.create_special_day(&user, new).await?.into())))
}

/// Removes a special day (admins and support agents).
#[utoipa::path(delete, path = "/support/special-days/{id}", tag = "support", operation_id = "delete_special_day",
    security(("bearer" = [])), params(("id" = String, Path, description = "The special day's id")),
    responses((status = 204, description = "Removed"), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn delete_special_day(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.app.delete_special_day(&user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?location_id=&date=&days=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarParams {
    /// The location.
    #[param(pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]{1,200}$")]
    pub location_id: String,
    /// The first day (`YYYY-MM-DD`); absent: today in the location's time zone.
    #[param(pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<String>,
    /// How many days, 1 to 62 (default 14).
    #[param(minimum = 1, maximum = 62)]
    pub days: Option<i64>,
}

/// One day of a location's calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDayView {
    /// The local date.
    pub date: String,
    /// ISO weekday, 1 (Monday) to 7 (Sunday).
    pub weekday: u32,
    /// Open ranges `["HH:MM", "HH:MM"]` (empty: closed).
    #[schema(value_type = Vec<Vec<String>>)]
    pub hours: Vec<(String, String)>,
    /// Minutes open.
    pub open_minutes: i64,
    /// Why: `weekly`, `always_open`, `holiday` or `special_day`.
    #[schema(example = "holiday")]
    pub reason: String,
    /// The public holiday's name, if the day is one.
    pub holiday: Option<String>,
    /// The special day's name, if any.
    pub special_day: Option<String>,
    /// Whether tighter SLA targets apply to tickets opened that day.
    pub tighter_targets: bool,
}

/// A location's business calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarResponse {
    /// The location.
    pub location_id: String,
    /// Its site's IANA time zone.
    pub timezone: String,
    /// Its site's country (CL, PE, CO), whose public holidays apply.
    pub country: String,
    /// False when the location has no weekly hours (open around the clock).
    pub has_weekly_hours: bool,
    /// The days.
    pub days: Vec<CalendarDayView>,
}

fn day_view(day: CalendarDay) -> CalendarDayView {
    CalendarDayView {
        date: day.date.format("%Y-%m-%d").to_string(),
        weekday: chrono::Datelike::weekday(&day.date).number_from_monday(),
        hours: day.hours.as_text(),
        open_minutes: day.hours.open_minutes(),
        reason: match day.reason {
            DayReason::Weekly => "weekly",
            DayReason::AlwaysOpen => "always_open",
            DayReason::Holiday => "holiday",
            DayReason::SpecialDay => "special_day",
        }
        .to_owned(),
        holiday: day.holiday.map(str::to_owned),
        special_day: day.special_day,
        tighter_targets: day.tighter_targets,
    }
}

impl From<CalendarView> for CalendarResponse {
    fn from(view: CalendarView) -> Self {
        Self {
            location_id: view.location_id,
            timezone: view.timezone,
            country: view.country.code().to_owned(),
            has_weekly_hours: view.has_weekly_hours,
            days: view.days.into_iter().map(day_view).collect(),
        }
    }
}

/// A location's business hours day by day and why (weekly hours, public holiday, special day):
/// the calendar its tickets' SLAs are counted on. Anyone who may see the location.
#[utoipa::path(get, path = "/support/calendar", tag = "support", operation_id = "show_support_calendar",
    security(("bearer" = [])), params(CalendarParams),
    responses((status = 200, body = CalendarResponse), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn show_calendar(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(params): ApiQuery<CalendarParams>,
) -> ApiResult<Json<CalendarResponse>> {
    let query = CalendarQuery::parse(&params.location_id, params.date.as_deref(), params.days)?;
    Ok(Json(state.app.support_calendar(&user, query).await?.into()))
}

/// Bounds the OpenAPI document states, checked against the app's own limits.
const _: () = assert!(MAX_CALENDAR_DAYS == 62 && MAX_TARGET_MINUTES == 43_200);
