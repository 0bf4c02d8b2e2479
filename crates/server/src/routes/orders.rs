//! Orders: placing (public; a phone order by a location's staff), reading with the tracking
//! token or as staff.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use omnicanal_store::OrderRecord;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::ordering::phone::{DeliveryAddressInput, PhoneFulfilment};
use omnicanal_app::ordering::{OrderInput, PlaceOrder, VisibleOrder};
use omnicanal_app::pricing::cart::LineInput;

use crate::auth::{AuthUser, MaybeAuthUser};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::idempotency::IdempotencyClaim;
use crate::state::AppState;
use crate::views::{ChoiceView, CustomerView, DeliveryAddressView, OrderView};

/// Routes that move money and stock (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create_order)).routes(routes!(create_phone_order))
}

/// Routes that read orders.
pub fn read_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_order))
}

/// `?token=` for customers following their order.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackingQuery {
    /// The order's tracking token.
    pub token: Option<String>,
}

/// One line of a new order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrderLineRequest {
    /// SKU sold by the location's merchant.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
    /// Where it is picked up.
    pub location_id: String,
    /// 1 to 9999.
    #[schema(minimum = 1, maximum = 9999)]
    pub quantity: i64,
    /// Choices among the product's modifier groups (size, extras), checked against the catalog.
    #[serde(default)]
    pub modifiers: Vec<ChoiceView>,
    /// A note for the kitchen ("sin cebolla"), up to 140 characters.
    #[serde(default)]
    #[schema(max_length = 140)]
    pub note: Option<String>,
}

impl From<OrderLineRequest> for LineInput {
    fn from(line: OrderLineRequest) -> Self {
        Self {
            sku: line.sku,
            location_id: line.location_id,
            quantity: line.quantity,
            choices: line.modifiers.iter().map(Into::into).collect(),
            note: line.note,
        }
    }
}

/// How the customer pays.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PaymentRequest {
    /// `card` or `pay_at_pickup`.
    #[schema(schema_with = crate::views::words::order_payment_method)]
    pub method: String,
    /// Card number, for `card`.
    pub card_number: Option<String>,
    /// A gift card of the merchant spent as part payment (16 characters, dashes and spaces
    /// ignored); the card or pay at pickup covers the rest.
    #[serde(default)]
    #[schema(max_length = 40)]
    pub gift_card_code: Option<String>,
    /// Spend the signed-in customer's store credit as part payment (needs the customer's
    /// `Authorization: Bearer <token>`).
    #[serde(default)]
    pub store_credit: Option<bool>,
}

/// A new order.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = PlaceOrder)]
pub struct PlaceOrderRequest {
    /// The site (mall) the order is placed at.
    pub site_id: String,
    /// `qr`, `web`, `pos`, `phone`, `kiosk`, `tablet` or `shop:<connector>`.
    #[schema(schema_with = crate::views::words::channel)]
    pub channel: String,
    /// Who picks it up.
    pub customer: CustomerView,
    /// 1 to 200 lines, across any of the site's locations.
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<OrderLineRequest>,
    /// Pickup time (RFC 3339); as soon as possible when absent.
    pub pickup_at: Option<String>,
    /// Payment.
    pub payment: PaymentRequest,
    /// Coupon codes the customer entered (at most 10).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub coupon_codes: Option<Vec<String>>,
    /// The table the customer orders from (a QR poster's `?table=`): 1 to 20 characters, printed
    /// on the kitchen ticket so the food can be brought over.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 20)]
    pub table: Option<String>,
    /// A quote from `POST /api/v1/pricing/quote` for this very cart: its prices are honoured
    /// until it expires, even if prices change meanwhile.
    #[serde(default)]
    pub quote_id: Option<String>,
}

impl TryFrom<PlaceOrderRequest> for PlaceOrder {
    type Error = AppError;

    fn try_from(request: PlaceOrderRequest) -> Result<Self, AppError> {
        PlaceOrder::parse(OrderInput {
            site_id: request.site_id,
            channel: request.channel,
            customer_name: request.customer.name,
            customer_phone: request.customer.phone,
            customer_email: request.customer.email,
            customer_tax_id: request.customer.tax_id,
            lines: request.lines.into_iter().map(LineInput::from).collect(),
            pickup_at: request.pickup_at,
            payment_method: request.payment.method,
            card_number: request.payment.card_number,
            coupon_codes: request.coupon_codes.unwrap_or_default(),
            table: request.table,
            quote_id: request.quote_id,
            gift_card_code: request.payment.gift_card_code,
            store_credit: request.payment.store_credit.unwrap_or(false),
        })
    }
}

/// Places an order across one or more locations of a site, paid once (public).
#[utoipa::path(post, path = "/orders", tag = "ordering", request_body = PlaceOrderRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, body = OrderView),
        (status = 401, description = "`store_credit` with a customer token that is no live session", body = crate::error::Problem),
        (status = 402, description = "Card declined; nothing reserved or charged", body = crate::error::Problem),
        (status = 404, description = "`gift_card_code` is no gift card of the order's merchants", body = crate::error::Problem),
        (status = 409, description = "A line is short of stock (see `sku`); nothing reserved or charged", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem),
        (status = 429, description = "Too many gift card codes that match no card; see `Retry-After`", body = crate::error::Problem)))]
async fn create_order(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    claim: Option<Extension<IdempotencyClaim>>,
    ApiJson(request): ApiJson<PlaceOrderRequest>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let mut order = PlaceOrder::try_from(request)?;
    if order.store_credit {
        order.credit_customer = crate::customer_auth::credit_customer(&state, &headers).await?;
    }
    let placed = state.app.place_order(order, claim.map(|Extension(claim)| claim)).await?;
    Ok((StatusCode::CREATED, Json(OrderView::new(&placed, true))))
}

/// One line of a phone order: the location is the one taking the call.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PhoneLineRequest {
    /// SKU sold by the location's merchant.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
    /// 1 to 9999.
    #[schema(minimum = 1, maximum = 9999)]
    pub quantity: i64,
    /// Choices among the product's modifier groups (size, extras), checked against the catalog.
    #[serde(default)]
    pub modifiers: Vec<ChoiceView>,
    /// A note for the kitchen ("sin cebolla"), up to 140 characters.
    #[serde(default)]
    #[schema(max_length = 140)]
    pub note: Option<String>,
}

/// An order taken over the phone: channel `phone`, at the location of the path.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PhoneOrderRequest {
    /// Who picks it up; `phone` is required (8 to 15 digits).
    pub customer: CustomerView,
    /// 1 to 200 lines of the location's menu.
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<PhoneLineRequest>,
    /// Pickup time (RFC 3339, a slot of `GET /sites/{id}/pickup-slots`); as soon as possible when absent.
    pub pickup_at: Option<String>,
    /// Payment: `pay_at_pickup` where the location allows it, or `card` now.
    pub payment: PaymentRequest,
    /// Coupon codes the customer gave (at most 10).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub coupon_codes: Option<Vec<String>>,
    /// `pickup` (when absent) or `delivery`; a delivery's time is `pickup_at` (when it leaves
    /// the kitchen), paid by card now or on delivery (`pay_at_pickup`).
    #[schema(pattern = "^(pickup|delivery)$")]
    pub fulfilment: Option<String>,
    /// Where to deliver: required for `delivery`, refused for `pickup`.
    pub delivery_address: Option<DeliveryAddressView>,
}

impl PhoneOrderRequest {
    /// The request's fulfilment, taken out (the rest becomes the order's input).
    fn take_fulfilment(&mut self) -> PhoneFulfilment {
        PhoneFulfilment {
            fulfilment: self.fulfilment.take(),
            delivery_address: self.delivery_address.take().map(|address| DeliveryAddressInput {
                street: address.street,
                number: address.number,
                district: address.district,
                reference: address.reference,
            }),
        }
    }
}

impl From<PhoneOrderRequest> for OrderInput {
    fn from(request: PhoneOrderRequest) -> Self {
        // Site, channel and each line's location are the app's to set from the path's location.
        Self {
            customer_name: request.customer.name,
            customer_phone: request.customer.phone,
            customer_email: request.customer.email,
            customer_tax_id: request.customer.tax_id,
            lines: request
                .lines
                .into_iter()
                .map(|line| LineInput {
                    sku: line.sku,
                    location_id: String::new(),
                    quantity: line.quantity,
                    choices: line.modifiers.iter().map(Into::into).collect(),
                    note: line.note,
                })
                .collect(),
            pickup_at: request.pickup_at,
            payment_method: request.payment.method,
            card_number: request.payment.card_number,
            coupon_codes: request.coupon_codes.unwrap_or_default(),
            gift_card_code: request.payment.gift_card_code,
            store_credit: request.payment.store_credit.unwrap_or(false),
            ..OrderInput::default()
        }
    }
}

/// Takes an order over the phone at a location (its staff, its merchant's manager, admins):
/// channel `phone`, into the location's queue like any order, paid by card now or at pickup.
#[utoipa::path(post, path = "/locations/{id}/phone-orders", tag = "ordering", request_body = PhoneOrderRequest,
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, body = OrderView),
        (status = 401, description = "`store_credit`: a phone order has no signed-in customer; take store credit at the till", body = crate::error::Problem),
        (status = 402, description = "Card declined; nothing reserved or charged", body = crate::error::Problem),
        (status = 404, description = "No such location, or not the caller's, or `gift_card_code` is no card of its merchant", body = crate::error::Problem),
        (status = 409, description = "A line is short of stock (see `sku`); nothing reserved or charged", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem),
        (status = 429, description = "Too many gift card codes that match no card; see `Retry-After`", body = crate::error::Problem)))]
async fn create_phone_order(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    claim: Option<Extension<IdempotencyClaim>>,
    ApiJson(mut request): ApiJson<PhoneOrderRequest>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let claim = claim.map(|Extension(claim)| claim);
    let fulfilment = request.take_fulfilment();
    let placed = state.app.place_phone_order(&user, &id, request.into(), fulfilment, claim).await?;
    Ok((StatusCode::CREATED, Json(OrderView::new(&placed, true))))
}

/// An order, for its customer (`?token=`) or for staff of a merchant in it.
#[utoipa::path(get, path = "/orders/{id}", tag = "ordering", security((), ("bearer" = [])), params(("id" = String, Path, description = "Order id"), TrackingQuery),
    responses((status = 200, body = OrderView), (status = 404, body = crate::error::Problem)))]
async fn get_order(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TrackingQuery>,
) -> ApiResult<Json<OrderView>> {
    let caller = user.as_ref().map(AuthUser::caller);
    let order = state.app.order_for_reader(&id, caller, query.token.as_deref()).await?;
    Ok(Json(order_view(&order)))
}

/// The view of an order its reader may see (the app decides: [`omnicanal_app::ordering::tracking`]).
pub fn visible_order(order: OrderRecord, user: Option<&AuthUser>, token: Option<&str>) -> ApiResult<OrderView> {
    let visible = omnicanal_app::ordering::tracking::visible_order(order, user.map(AuthUser::caller), token)?;
    Ok(order_view(&visible))
}

fn order_view(order: &VisibleOrder) -> OrderView {
    OrderView::new(&order.record, order.for_customer)
}
