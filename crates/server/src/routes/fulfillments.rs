//! Fulfilment work: a location's queue, status transitions, and the merchant's settlement.

use axum::Json;
use axum::extract::{Path, State};
use omnicanal_domain::catalog::CommissionRate;
use omnicanal_domain::fulfillment::{Actor, FulfillmentStatus, MoneyEffect, TransitionRequest, plan_transition};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::settlement::{SettlementPart, settle};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::FulfillmentChange;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, MaybeAuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::ids::{constant_time_eq, new_id, now_ms, parse_time};
use crate::routes::orders::TrackingQuery;
use crate::state::AppState;
use crate::views::{FulfillmentView, MoneyView};

/// Longest rejection reason kept.
pub const MAX_REASON_CHARS: usize = 500;

/// Routes that change fulfilments (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(transition))
}

/// Routes that read fulfilments and settlements.
pub fn read_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_location_fulfillments)).routes(routes!(settlement))
}

/// Filters for a location's queue.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// Only this status.
    pub status: Option<String>,
    /// Items per page, 1 to 500.
    pub limit: Option<i64>,
    /// Items to skip.
    pub offset: Option<i64>,
}

/// A location's fulfilments, newest first (its staff, its merchant's manager, admins).
#[utoipa::path(get, path = "/locations/{id}/fulfillments", tag = "fulfilment", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id"), QueueQuery),
    responses((status = 200, body = Vec<FulfillmentView>), (status = 404, body = crate::error::Problem)))]
async fn list_location_fulfillments(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<QueueQuery>,
) -> ApiResult<Json<Vec<FulfillmentView>>> {
    let location = state.store.get_location(&id).await?.ok_or(ApiError::NotFound("location"))?;
    user.check_location(&location.merchant_id, &location.id)?;
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let status = query.status.as_deref().map(FulfillmentStatus::parse).transpose()?;
    let parts = state.store.list_location_fulfillments(&id, status.map(FulfillmentStatus::as_str), page).await?;
    Ok(Json(parts.iter().map(|part| FulfillmentView::new(part, false)).collect()))
}

/// A requested status change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionBody {
    /// accepted, preparing, ready, collected, rejected or cancelled.
    pub to: String,
    /// The customer's code; required for `collected`.
    pub pickup_code: Option<String>,
    /// Why, for `rejected` (shown to the customer).
    pub reason: Option<String>,
}

/// Moves a fulfilment to its next status. Staff of the location, its merchant's manager
/// or an admin; the customer (with `?token=`) may only cancel a part still `placed`.
/// Rejecting or cancelling releases the part's stock and refunds its subtotal.
#[utoipa::path(post, path = "/fulfillments/{id}/transition", tag = "fulfilment", request_body = TransitionBody,
    params(("id" = String, Path, description = "Fulfilment id"), TrackingQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 200, body = FulfillmentView), (status = 404, body = crate::error::Problem),
        (status = 409, description = "Illegal transition", body = crate::error::Problem),
        (status = 422, description = "Wrong pickup code or invalid status", body = crate::error::Problem)))]
async fn transition(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TrackingQuery>,
    ApiJson(body): ApiJson<TransitionBody>,
) -> ApiResult<Json<FulfillmentView>> {
    let part = state.store.get_fulfillment(&id).await?.ok_or(ApiError::NotFound("fulfillment"))?;
    let order = state.store.get_order(&part.order_id).await?.ok_or(ApiError::NotFound("fulfillment"))?;
    let actor = match (&user, query.token.as_deref()) {
        (Some(user), _) => {
            user.check_location(&part.merchant_id, &part.location_id)?;
            user.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
            Actor::Merchant
        }
        (None, Some(token)) if constant_time_eq(token, &order.order.tracking_token) => Actor::Customer,
        (None, Some(_)) => return Err(ApiError::NotFound("fulfillment")),
        (None, None) => {
            return Err(ApiError::Unauthorized("sign in, or pass the order's ?token="));
        }
    };
    let to = FulfillmentStatus::parse(&body.to)
        .map_err(|_| ApiError::invalid("to", "must be accepted, preparing, ready, collected, rejected or cancelled"))?;
    let from = FulfillmentStatus::parse(&part.status)?;
    let reason = body.reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > MAX_REASON_CHARS) {
        return Err(ApiError::invalid("reason", format!("must be at most {MAX_REASON_CHARS} characters")));
    }
    let currency: Currency = part.currency.parse()?;
    let plan = plan_transition(TransitionRequest {
        from,
        to,
        actor,
        presented_pickup_code: body.pickup_code.as_deref(),
        pickup_code: &part.pickup_code,
        payment_method: PaymentMethod::parse(&order.order.payment_method)?,
        subtotal: Money::new(part.subtotal_minor, currency),
    })?;
    let change = FulfillmentChange {
        fulfillment_id: part.id.clone(),
        plan,
        reason,
        now_ms: now_ms(),
        event_id: new_id("evt"),
        refund_event_id: new_id("evt"),
    };
    let updated = state.store.apply_transition(&change).await?;
    state.wake_dispatcher();
    if let (Some(MoneyEffect::Refund(amount)), Some(reference)) = (plan.money, &order.order.payment_reference)
        && let Err(error) = state.payments.refund(reference, amount).await
    {
        tracing::error!(fulfillment_id = %part.id, %error, "refund recorded but the provider refused it");
    }
    let part = updated.fulfillments.iter().find(|p| p.id == part.id).ok_or(ApiError::NotFound("fulfillment"))?;
    Ok(Json(FulfillmentView::new(part, actor == Actor::Customer)))
}

/// The settlement period.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// Start (RFC 3339 or YYYY-MM-DD), inclusive; the beginning of time when absent.
    pub from: Option<String>,
    /// End (RFC 3339 or YYYY-MM-DD), exclusive; now when absent.
    pub to: Option<String>,
}

/// What a merchant earned in a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementView {
    /// Merchant.
    pub merchant_id: String,
    /// Captured for the merchant's parts placed in the period.
    pub gross: MoneyView,
    /// Commission: round half away from zero of (gross − refunds + promotions.operator_funded) ×
    /// commission_bps / 10 000.
    pub commission: MoneyView,
    /// Refunded to customers.
    pub refunds: MoneyView,
    /// gross − refunds + promotions.operator_funded − commission.
    pub net: MoneyView,
    /// Who funded the promotions on the merchant's parts.
    pub promotions: SettlementPromotionsView,
    /// Period start, when given.
    pub from: Option<String>,
    /// Period end, when given.
    pub to: Option<String>,
}

/// Who funded the promotions in a settlement.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettlementPromotionsView {
    /// Discounts the merchant gave (already out of `gross`; information only).
    pub merchant_funded: MoneyView,
    /// Discounts the site's operator funded: paid back to the merchant, included in `net`.
    pub operator_funded: MoneyView,
}

/// A merchant's settlement for a period (its manager or an admin).
#[utoipa::path(get, path = "/merchants/{id}/settlement", tag = "fulfilment", security(("bearer" = [])),
    params(("id" = String, Path, description = "Merchant id"), PeriodQuery),
    responses((status = 200, body = SettlementView), (status = 404, body = crate::error::Problem)))]
async fn settlement(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<SettlementView>> {
    user.check_merchant(&id, "merchant")?;
    user.require(&[Role::Admin, Role::MerchantManager, Role::SupportAgent])?;
    let merchant = state.store.get_merchant(&id).await?.ok_or(ApiError::NotFound("merchant"))?;
    let parse = |field: &str, raw: &Option<String>| -> ApiResult<Option<i64>> {
        raw.as_deref()
            .map(|raw| parse_time(raw).ok_or_else(|| ApiError::invalid(field, "must be RFC 3339 or YYYY-MM-DD")))
            .transpose()
    };
    let from_ms = parse("from", &query.from)?.unwrap_or(i64::MIN);
    let to_ms = parse("to", &query.to)?.unwrap_or(i64::MAX);
    if from_ms >= to_ms {
        return Err(ApiError::invalid("to", "must be later than from"));
    }
    let (currency, _) = crate::pricing::merchant_home(&state, &id).await?;
    let rate = CommissionRate::parse(merchant.commission_bps)?;
    let parts = state.store.merchant_money(&id, from_ms, to_ms).await?;
    let money = |amount| Money::new(amount, currency);
    let totals = settle(
        currency,
        rate,
        parts.into_iter().map(|part| SettlementPart {
            captured: money(part.captured_minor),
            refunded: money(part.refunded_minor),
            merchant_funded: money(part.merchant_funded_minor),
            operator_funded: money(part.operator_funded_minor),
            voided: matches!(part.status.as_str(), "rejected" | "cancelled"),
        }),
    )?;
    Ok(Json(SettlementView {
        merchant_id: id,
        gross: totals.gross.into(),
        commission: totals.commission.into(),
        refunds: totals.refunds.into(),
        net: totals.net.into(),
        promotions: SettlementPromotionsView {
            merchant_funded: totals.merchant_funded.into(),
            operator_funded: totals.operator_funded.into(),
        },
        from: query.from,
        to: query.to,
    }))
}
