//! `POST /pricing/quote`: prices any cart without placing it (public).

use axum::Json;
use axum::extract::State;
use omnicanal_domain::pricing::Quote;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::pricing::cart::{Cart, LineInput, customer_key};

use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::routes::orders::OrderLineRequest;
use crate::state::AppState;
use crate::views::CustomerContact;
use omnicanal_app::ids::rfc3339;

/// Routes of this part.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(quote))
}

/// A cart to price.
#[derive(Debug, Deserialize, ToSchema)]
pub struct QuoteRequest {
    /// The site.
    pub site_id: String,
    /// `qr`, `web`, `pos`, `phone`, `kiosk`, `tablet` or `shop:<connector>`.
    #[schema(schema_with = crate::views::words::channel)]
    pub channel: String,
    /// 1 to 200 lines, across any of the site's locations.
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<OrderLineRequest>,
    /// Coupon codes entered (at most 10).
    #[serde(default)]
    pub coupon_codes: Vec<String>,
    /// Who is buying, for per-customer coupon limits.
    #[serde(default)]
    pub customer: Option<CustomerContact>,
}

impl TryFrom<QuoteRequest> for Cart {
    type Error = AppError;

    fn try_from(request: QuoteRequest) -> Result<Self, AppError> {
        let contact = request.customer.unwrap_or_default();
        let key = customer_key(contact.email.as_deref(), contact.phone.as_deref());
        let lines = request.lines.into_iter().map(LineInput::from).collect();
        Cart::parse(request.site_id, &request.channel, lines, request.coupon_codes, key)
    }
}

/// A priced cart, kept for 15 minutes so an order can be placed at exactly these prices.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteView {
    /// Pass it as `quote_id` to `POST /orders` with the same cart.
    pub quote_id: String,
    /// Until when the quote is honoured.
    pub expires_at: String,
    /// The priced cart: `lines` (each with `unit_price`, `price_source`, `gross`, `discounts`,
    /// `discount`, `total`, `tax`, and `not_applied` promotions with a reason `code` and
    /// `message`), `parts` (one per location, with who funds its discount and its taxes),
    /// `gross`, `discount`, `total`, `taxes`, `promotions` (every one considered, applied or
    /// with the reason it was not) and `coupons`.
    #[schema(value_type = Object)]
    pub quote: Quote,
}

/// Prices a cart without placing it, explaining every price, promotion and tax. Public.
#[utoipa::path(post, path = "/pricing/quote", tag = "pricing", request_body = QuoteRequest,
    responses((status = 200, body = QuoteView), (status = 422, body = crate::error::Problem)))]
async fn quote(State(state): State<AppState>, ApiJson(request): ApiJson<QuoteRequest>) -> ApiResult<Json<QuoteView>> {
    let cart = Cart::try_from(request)?;
    let stored = state.app.quote_cart(&cart).await?;
    Ok(Json(QuoteView { quote_id: stored.id, expires_at: rfc3339(stored.expires_at_ms), quote: stored.quote }))
}
