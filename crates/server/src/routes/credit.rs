//! Store credit and gift cards over HTTP (issue 17 point 8): thin handlers over
//! `omnicanal_app::credit`. Issuing a card stays outside the idempotency layer on purpose: its
//! answer carries the code, and a stored replay would be the code kept in the database.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::credit::{CustomerCreditLookup, GiftCardLookup, GrantCredit, IssueGiftCard};

use crate::auth::AuthUser;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, ClientIp, Pagination};
use crate::state::AppState;
use crate::views::{
    CreditPolicyView, CreditStatementView, GiftCardListView, GiftCardView, IssuedGiftCardView, MoneyView,
};

/// A grant moves money owed to a customer: behind the idempotency layer.
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(grant_store_credit))
}

/// Issuing cards, balances, lists and the policy.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(issue_gift_card, list_gift_cards))
        .routes(routes!(gift_card_balance))
        .routes(routes!(customer_credit))
        .routes(routes!(get_credit_policy, set_credit_policy))
}

/// A gift card to issue.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IssueGiftCardBody {
    /// The merchant whose card it is.
    pub merchant_id: Option<String>,
    /// Its value (1 to 10¹² minor units).
    pub amount: Option<MoneyView>,
}

/// Issues a gift card (managers of the merchant, admins). The answer is the only place its
/// code ever appears: it is stored as a keyed hash, so it cannot be shown again.
#[utoipa::path(post, path = "/gift-cards", tag = "credit", request_body = IssueGiftCardBody,
    security(("bearer" = [])),
    responses((status = 201, body = IssuedGiftCardView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn issue_gift_card(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<IssueGiftCardBody>,
) -> ApiResult<(StatusCode, Json<IssuedGiftCardView>)> {
    let command = IssueGiftCard::parse(body.merchant_id, body.amount.map(Into::into))?;
    Ok((StatusCode::CREATED, Json(state.app.issue_gift_card(&user, command).await?.into())))
}

/// Which merchant's cards.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GiftCardListQuery {
    /// The merchant.
    pub merchant_id: String,
    /// Items per page, 1 to 500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// A merchant's gift cards, newest first (managers, admins); never their codes.
#[utoipa::path(get, path = "/gift-cards", tag = "credit", params(GiftCardListQuery), security(("bearer" = [])),
    responses((status = 200, body = GiftCardListView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn list_gift_cards(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<GiftCardListQuery>,
) -> ApiResult<Json<GiftCardListView>> {
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let (cards, total) = state.app.gift_cards(&user, &query.merchant_id, page).await?;
    Ok(Json(GiftCardListView { items: cards.into_iter().map(GiftCardView::from).collect(), total }))
}

/// A card to look up.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GiftCardBalanceQuery {
    /// The merchant the card is of.
    #[param(required = true, min_length = 1)]
    pub merchant_id: Option<String>,
    /// The card's code (16 characters, dashes and spaces ignored, any case).
    #[param(required = true, pattern = "^[2-9A-HJ-NP-Za-hj-np-z -]{16,40}$")]
    pub code: Option<String>,
}

/// A gift card's balance by its code (public: whoever holds the code). A mistyped code is 422
/// (its check character), a code that matches no card of the merchant is 404 whether or not
/// the merchant exists, and repeated misses from one address are 429 with `Retry-After`.
#[utoipa::path(get, path = "/gift-cards/balance", tag = "credit", params(GiftCardBalanceQuery),
    responses((status = 200, body = CreditStatementView), (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
async fn gift_card_balance(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    ApiQuery(query): ApiQuery<GiftCardBalanceQuery>,
) -> ApiResult<Json<CreditStatementView>> {
    let lookup = GiftCardLookup::parse(query.merchant_id, query.code)?;
    Ok(Json(state.app.gift_card_balance(lookup, client_ip).await?.into()))
}

/// Credit to grant a customer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantCreditBody {
    /// The merchant whose credit it is.
    pub merchant_id: Option<String>,
    /// The customer's e-mail or phone (normalised: lower-cased e-mail, `+digits` phone).
    pub customer: Option<String>,
    /// How much (1 to 10¹² minor units).
    pub amount: Option<MoneyView>,
    /// Why (up to 200 characters), shown in the ledger and the audit log.
    pub reason: Option<String>,
}

/// Grants a customer store credit (managers of the merchant, admins), recorded in the ledger and
/// the audit log; answers the customer's balance and latest entries.
#[utoipa::path(post, path = "/store-credit", tag = "credit", request_body = GrantCreditBody,
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses((status = 201, body = CreditStatementView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn grant_store_credit(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<GrantCreditBody>,
) -> ApiResult<(StatusCode, Json<CreditStatementView>)> {
    let command = GrantCredit::parse(body.merchant_id, body.customer, body.amount.map(Into::into), body.reason)?;
    Ok((StatusCode::CREATED, Json(state.app.grant_store_credit(&user, command).await?.into())))
}

/// A customer to look up.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerCreditQuery {
    /// The merchant.
    pub merchant_id: Option<String>,
    /// The customer's e-mail or phone.
    pub customer: Option<String>,
    /// Entries per page, 1 to 500.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Entries to skip.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

/// A customer's store credit with a page of its ledger (staff, managers, admins of the
/// merchant); a customer without credit is 404.
#[utoipa::path(get, path = "/store-credit", tag = "credit", params(CustomerCreditQuery), security(("bearer" = [])),
    responses((status = 200, body = CreditStatementView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn customer_credit(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<CustomerCreditQuery>,
) -> ApiResult<Json<CreditStatementView>> {
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let lookup = CustomerCreditLookup::parse(query.merchant_id, query.customer)?;
    Ok(Json(state.app.customer_credit(&user, lookup, page).await?.into()))
}

/// The merchant's credit policy.
#[utoipa::path(get, path = "/merchants/{id}/credit-policy", tag = "credit", security(("bearer" = [])),
    params(("id" = String, Path, description = "Merchant id")),
    responses((status = 200, body = CreditPolicyView), (status = 403, body = Problem), (status = 404, body = Problem)))]
async fn get_credit_policy(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<CreditPolicyView>> {
    Ok(Json(state.app.credit_policy(&user, &id).await?.into()))
}

/// Sets how many days credit lasts after it is granted (managers, admins; audited). Balances
/// keep the expiry they were given; the next credit to each gets the new one.
#[utoipa::path(put, path = "/merchants/{id}/credit-policy", tag = "credit", request_body = CreditPolicyView,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Merchant id")),
    responses((status = 200, body = CreditPolicyView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn set_credit_policy(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CreditPolicyView>,
) -> ApiResult<Json<CreditPolicyView>> {
    Ok(Json(state.app.set_credit_policy(&user, &id, body.credit_expiry_days).await?.into()))
}
