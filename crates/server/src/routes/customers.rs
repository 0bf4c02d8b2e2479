//! Customer accounts over HTTP (issue 17 point 3): register, sign in by password or by a
//! single-use link sent through the notification gateway, the account, its one history across
//! channels, claiming a guest order, a till sale's receipt, signing out. The decisions are in
//! `omnicanal_app::customers`; here requests are parsed, links sent and answers rendered.
//!
//! A link is sent in the background after the answer is decided, and the answer to asking for
//! one (or registering) is the same 202 whether or not an account has that e-mail or phone, so
//! neither the body nor the time taken tells. The link's token is never logged.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use omnicanal_app::customers::{
    ClaimOrder, CustomerSession, LinkRequest, LinkToSend, PasswordSignIn, RegisterCustomer,
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::customer_auth::{CUSTOMER_COOKIE, CustomerUser};
use crate::documents::PaperWidth;
use crate::documents::till::sale_receipt;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, ClientIp};
use crate::state::AppState;
use crate::views::{
    CustomerAccountView, CustomerCreditView, CustomerLinkSentView, CustomerPurchasePageView, CustomerPurchaseView,
    CustomerSessionView,
};
use crate::web::i18n::Lang;

/// Routes of this area.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(sign_in))
        .routes(routes!(request_link))
        .routes(routes!(use_link))
        .routes(routes!(me))
        .routes(routes!(sign_out))
        .routes(routes!(purchases))
        .routes(routes!(claim))
        .routes(routes!(sale_receipt_for_customer))
        .routes(routes!(own_credit))
}

/// How long the account page's cookie lasts (the session's 30 days).
const COOKIE_MAX_AGE_S: i64 = 30 * 24 * 60 * 60;

/// A registration.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterBody {
    /// E-mail (an e-mail or a phone is required; the confirming link goes to the e-mail when both).
    pub email: Option<String>,
    /// Phone, with `+` and country code, or national with `country`.
    pub phone: Option<String>,
    /// `CL`, `PE` or `CO`: the country of a national phone number.
    pub country: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Password, 10 to 200 characters; it works once the confirming link is used.
    pub password: Option<String>,
}

/// A password sign-in.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CustomerSignInBody {
    /// E-mail (or `phone`).
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// `CL`, `PE` or `CO`, for a national phone.
    pub country: Option<String>,
    /// Password.
    pub password: Option<String>,
}

/// Where to send a sign-in link.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LinkBody {
    /// E-mail (or `phone`).
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// `CL`, `PE` or `CO`, for a national phone.
    pub country: Option<String>,
}

/// A guest order to join to the account.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ClaimBody {
    /// The order's id.
    pub order_id: Option<String>,
    /// Its tracking token (in the order's link).
    pub token: Option<String>,
}

/// Which page of the history.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PurchasesQuery {
    /// Page, from 1 (20 per page).
    #[param(minimum = 1, maximum = 10_000)]
    pub page: Option<i64>,
    /// Only purchases from this merchant (a retailer's own shop shows its own).
    pub merchant_id: Option<String>,
}

fn session_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.public_url.starts_with("https://") { "; Secure" } else { "" };
    format!("{CUSTOMER_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={COOKIE_MAX_AGE_S}{secure}")
}

async fn signed_in(state: &AppState, token: String, session: CustomerSession) -> ApiResult<Response> {
    let customer = state.app.customer_profile(&session).await?;
    let cookie = session_cookie(state, &token);
    let mut response =
        (StatusCode::CREATED, Json(CustomerSessionView { token, customer: customer.into() })).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Sends the link in the background: the answer does not wait for the gateway, so its timing
/// does not tell whether there was an account to send to.
fn send_link(state: &AppState, headers: &HeaderMap, link: Option<LinkToSend>) {
    let Some(link) = link else { return };
    let Some(sender) = state.sign_in_links.clone() else {
        tracing::warn!("a customer sign-in link could not be sent: no notification gateway is configured");
        return;
    };
    let lang = Lang::negotiate(None, headers);
    let url = format!("{}/account#link={}", state.public_url, link.token);
    let (title, text) = match lang {
        Lang::Es => {
            ("Entra a tu cuenta", format!("Entra a tu cuenta con este enlace (sirve una vez, por 15 minutos): {url}"))
        }
        Lang::En => ("Sign in to your account", format!("Sign in with this link (works once, for 15 minutes): {url}")),
    };
    tokio::spawn(async move {
        if let Err(error) = sender.send(&link.to, lang.code(), title, &text).await {
            tracing::warn!(%error, kind = link.to.kind().as_str(), "a customer sign-in link was not taken by the gateway");
        }
    });
}

/// Registers a customer account with an e-mail and/or phone (and optionally a name and a
/// password) and sends a link that confirms it. The answer is the same whether or not an
/// account has that e-mail or phone; a password works once the link is used.
#[utoipa::path(post, path = "/customers", tag = "customers", request_body = RegisterBody,
    responses((status = 202, body = CustomerLinkSentView), (status = 422, body = Problem)))]
async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RegisterBody>,
) -> ApiResult<(StatusCode, Json<CustomerLinkSentView>)> {
    let command = RegisterCustomer::parse(
        body.email.as_deref(),
        body.phone.as_deref(),
        body.country.as_deref(),
        body.name.as_deref(),
        body.password.as_deref(),
    )?;
    let to = command.link_target().map(|t| t.kind().as_str()).unwrap_or("email").to_owned();
    let link = state.app.register_customer(command).await?;
    send_link(&state, &headers, link);
    Ok((StatusCode::ACCEPTED, Json(CustomerLinkSentView { to })))
}

/// Signs a customer in with e-mail (or phone) and password. Failed attempts are throttled as
/// staff sign-ins are: 429 with `Retry-After` while a delay runs. Sets the `oc_customer` cookie
/// for the account page.
#[utoipa::path(post, path = "/customers/sessions", tag = "customers", request_body = CustomerSignInBody,
    responses((status = 201, body = CustomerSessionView), (status = 401, body = Problem), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<CustomerSignInBody>,
) -> ApiResult<Response> {
    let command = PasswordSignIn::parse(
        body.email.as_deref(),
        body.phone.as_deref(),
        body.country.as_deref(),
        body.password.as_deref(),
    )?;
    let (token, session) = state.app.sign_in_customer(command, ip).await?;
    signed_in(&state, token, session).await
}

/// Sends a sign-in link (single use, 15 minutes) to an e-mail or phone through the
/// notification gateway. The answer is the same whether or not an account has it.
#[utoipa::path(post, path = "/customers/sign-in-links", tag = "customers", request_body = LinkBody,
    responses((status = 202, body = CustomerLinkSentView), (status = 422, body = Problem)))]
async fn request_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LinkBody>,
) -> ApiResult<(StatusCode, Json<CustomerLinkSentView>)> {
    let request = LinkRequest::parse(body.email.as_deref(), body.phone.as_deref(), body.country.as_deref())?;
    let to = request.to.kind().as_str().to_owned();
    let link = state.app.request_customer_link(request).await?;
    send_link(&state, &headers, link);
    Ok((StatusCode::ACCEPTED, Json(CustomerLinkSentView { to })))
}

/// Signs in with a link's token: once, within 15 minutes (used or expired → 410). Using it
/// verifies the e-mail or phone it was sent to, so its purchases join the history.
#[utoipa::path(post, path = "/customers/sign-in-links/{token}", tag = "customers",
    params(("token" = String, Path, description = "The token from the link")),
    responses((status = 201, body = CustomerSessionView), (status = 404, body = Problem), (status = 410, body = Problem)))]
async fn use_link(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Response> {
    let (session_token, session) = state.app.sign_in_with_customer_link(&token).await?;
    signed_in(&state, session_token, session).await
}

/// The signed-in customer's account.
#[utoipa::path(get, path = "/customers/me", operation_id = "customer_me", tag = "customers", security(("bearer" = [])),
    responses((status = 200, body = CustomerAccountView), (status = 401, body = Problem)))]
async fn me(
    State(state): State<AppState>,
    CustomerUser(session): CustomerUser,
) -> ApiResult<Json<CustomerAccountView>> {
    Ok(Json(state.app.customer_profile(&session).await?.into()))
}

/// Signs the customer out: the token stops working at once; the cookie is cleared.
#[utoipa::path(post, path = "/customers/me/sign-out", tag = "customers", security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem)))]
async fn sign_out(State(state): State<AppState>, CustomerUser(session): CustomerUser) -> ApiResult<Response> {
    state.app.sign_out_customer(&session).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    let cleared = format!("{CUSTOMER_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&cleared) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// The customer's one history: every order (web, QR, phone, shops…) and till sale made with a
/// verified e-mail or phone of the account, and the orders it claimed, newest first, 20 a page,
/// each with its lines and its receipt.
#[utoipa::path(get, path = "/customers/me/purchases", tag = "customers", security(("bearer" = [])), params(PurchasesQuery),
    responses((status = 200, body = CustomerPurchasePageView), (status = 401, body = Problem), (status = 422, body = Problem)))]
async fn purchases(
    State(state): State<AppState>,
    CustomerUser(session): CustomerUser,
    ApiQuery(query): ApiQuery<PurchasesQuery>,
) -> ApiResult<Json<CustomerPurchasePageView>> {
    let merchant = query.merchant_id.filter(|id| !id.trim().is_empty());
    let page = state.app.customer_purchases(&session, query.page.unwrap_or(1), merchant).await?;
    Ok(Json(page.into()))
}

/// Joins a guest order to the account by its tracking token, so it shows in the history. An
/// unknown order or a wrong token → 404, and nothing is joined.
#[utoipa::path(post, path = "/customers/me/claims", tag = "customers", security(("bearer" = [])), request_body = ClaimBody,
    responses((status = 201, body = CustomerPurchaseView), (status = 401, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
async fn claim(
    State(state): State<AppState>,
    CustomerUser(session): CustomerUser,
    ApiJson(body): ApiJson<ClaimBody>,
) -> ApiResult<(StatusCode, Json<CustomerPurchaseView>)> {
    let command = ClaimOrder::parse(body.order_id.as_deref(), body.token.as_deref())?;
    let purchase = state.app.claim_customer_order(&session, command).await?;
    Ok((StatusCode::CREATED, Json(purchase.into())))
}

/// Which language a receipt is in.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerReceiptQuery {
    /// `es` (default) or `en`.
    pub lang: Option<String>,
    /// `html` (default) or `pdf`.
    pub format: Option<String>,
}

/// A till sale's receipt, for the customer whose verified e-mail or phone it carries (the
/// `oc_customer` cookie works here, so the account page opens it as a link).
#[utoipa::path(get, path = "/customers/me/sales/{id}/receipt", tag = "customers", security(("bearer" = [])),
    params(("id" = String, Path, description = "Sale id"), CustomerReceiptQuery),
    responses(
        (status = 200, description = "HTML or PDF", content((String = "text/html"), (String = "application/pdf"))),
        (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn sale_receipt_for_customer(
    State(state): State<AppState>,
    CustomerUser(session): CustomerUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<CustomerReceiptQuery>,
) -> ApiResult<Response> {
    let mut v = omnicanal_app::validation::Validator::new();
    let lang = match query.lang.as_deref() {
        None | Some("es") => Some(Lang::Es),
        Some("en") => Some(Lang::En),
        Some(_) => {
            v.push("lang", "must be es or en");
            None
        }
    };
    let format = query.format.unwrap_or_else(|| "html".to_owned());
    if !["html", "pdf"].contains(&format.as_str()) {
        v.push("format", "must be html or pdf");
    }
    v.finish()?;
    let receipt = state.app.customer_sale_receipt(&session, &id).await?;
    let doc = sale_receipt(&receipt, lang.unwrap_or(Lang::Es));
    Ok(crate::routes::pos_print::respond(&doc, &format, PaperWidth::Mm80, &receipt.sale.receipt_number))
}

/// The signed-in customer's store credit: per merchant, the balance (zero once expired), when it
/// expires and the newest ledger entries — only what the account's proven e-mails and phones
/// hold; empty when none.
#[utoipa::path(get, path = "/customers/me/credit", operation_id = "customer_own_credit", tag = "customers",
    security(("bearer" = [])),
    responses((status = 200, body = CustomerCreditView), (status = 401, body = Problem)))]
async fn own_credit(
    State(state): State<AppState>,
    CustomerUser(session): CustomerUser,
) -> ApiResult<Json<CustomerCreditView>> {
    Ok(Json(state.app.customer_own_credit(&session).await?.into()))
}
