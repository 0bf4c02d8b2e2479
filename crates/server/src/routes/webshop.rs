//! The retail catalogue and the web shop over JSON (issue 17 points 1 and 2): a location's
//! kind (store or warehouse), products with options (through `POST /products`), and the
//! public shop — its catalogue with filters, a product with per-store availability, where a
//! cart can be had, and the checkout, which places an ordinary order. Thin: each handler parses
//! into the app's command and calls one use case.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::catalog::{ProductInput, VariantInput};
use omnicanal_app::ordering::phone::DeliveryAddressInput;
use omnicanal_app::pricing::cart::LineInput;
use omnicanal_app::retail::{LocationKindChange, NewRetailProduct, RetailProductInput};
use omnicanal_app::webshop::{CatalogueQuery, ShopCheckoutInput, ShopOrder};
use omnicanal_app::{AppError, Caller};
use omnicanal_domain::modifiers::ModifierGroup;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::idempotency::IdempotencyClaim;
use crate::routes::catalog::CreateProduct;
use crate::routes::orders::PaymentRequest;
use crate::state::AppState;
use crate::views::{
    CatalogueView, CustomerView, DeliveryAddressView, FulfilmentOptionsView, LocationKindView, OrderView, ProductView,
    ShopLocationView, ShopProductView,
};

/// Routes that read the shop or set a location's kind.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_location_kind))
        .routes(routes!(shop_catalogue))
        .routes(routes!(shop_product))
        .routes(routes!(fulfilment_options))
}

/// Routes that reserve stock and move money (wrapped by the idempotency layer).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(place_shop_order))
}

/// Creates a product with options (`POST /products` with `options`): the product, its options
/// and each variant's combination checked at once.
pub(crate) async fn create_product_with_options(
    state: &AppState,
    caller: &Caller,
    request: CreateProduct,
) -> ApiResult<(StatusCode, Json<ProductView>)> {
    let options = request.options.into_iter().map(Into::into).collect();
    let product = ProductInput {
        merchant_id: request.merchant_id,
        name: request.name,
        track_stock: request.track_stock,
        tax_category: request.tax_category,
        category: request.category,
        image_url: request.image_url,
        modifier_groups: request.modifier_groups.into_iter().map(ModifierGroup::from).collect(),
        description: request.description,
        allergens: request.allergens,
        variants: request
            .variants
            .into_iter()
            .map(|variant| VariantInput {
                sku: variant.sku,
                price: variant.price.into(),
                barcode: variant.barcode,
                attributes: variant.attributes.unwrap_or_default(),
            })
            .collect(),
    };
    let command = NewRetailProduct::parse(RetailProductInput { product, options })?;
    let ((product, variants), _) = state.app.create_retail_product(caller, command).await?;
    Ok((StatusCode::CREATED, Json(ProductView::new(product, variants))))
}

/// A location's kind.
#[derive(Debug, Deserialize, ToSchema)]
pub struct LocationKindRequest {
    /// `store` (pickup, the till, deliveries) or `warehouse` (sells only online).
    #[schema(example = "warehouse")]
    pub kind: String,
}

/// Makes a location a store or a warehouse (its merchant's manager or an admin).
#[utoipa::path(put, path = "/locations/{id}/kind", tag = "setup", params(("id" = String, Path, description = "Location id")),
    request_body = LocationKindRequest, security(("bearer" = [])),
    responses((status = 200, body = LocationKindView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn set_location_kind(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<LocationKindRequest>,
) -> ApiResult<Json<LocationKindView>> {
    let change = LocationKindChange::parse(&request.kind)?;
    let row = state.app.set_location_kind(&user, &id, change).await?;
    Ok(Json(LocationKindView { location_id: row.location_id, kind: row.kind }))
}

/// The catalogue's parameters (documentation: any other key filters by that option).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueParams {
    /// Words in the name, category or description (up to 60 characters).
    pub q: Option<String>,
    /// Page, from 1 (12 products a page).
    #[param(minimum = 1, maximum = 1000)]
    pub page: Option<i64>,
    /// Only what this store can promise for pickup.
    pub pickup: Option<String>,
    /// `1`: only what can be delivered.
    pub delivery: Option<String>,
}

/// A page of the shop's catalogue (public). Any key besides `q`, `page`, `pickup` and
/// `delivery` filters by that option: `?Talla=M&Color=Azul`.
#[utoipa::path(get, path = "/shops/{shop}/products", tag = "webshop",
    params(("shop" = String, Path, description = "Merchant id or the shop's slug"), CatalogueParams),
    responses((status = 200, body = CatalogueView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn shop_catalogue(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    ApiQuery(pairs): ApiQuery<Vec<(String, String)>>,
) -> ApiResult<Json<CatalogueView>> {
    let query = CatalogueQuery::from_pairs(&pairs)?;
    let catalogue = state.app.webshop_catalogue(&shop, query).await?;
    Ok(Json(CatalogueView::from(&catalogue)))
}

/// A product of the shop (public): each variant's web price from the pricing engine and the
/// units each store can promise.
#[utoipa::path(get, path = "/shops/{shop}/products/{id}", tag = "webshop",
    params(("shop" = String, Path, description = "Merchant id or the shop's slug"), ("id" = String, Path, description = "Product id")),
    responses((status = 200, body = ShopProductView), (status = 404, body = crate::error::Problem)))]
async fn shop_product(
    State(state): State<AppState>,
    Path((shop, id)): Path<(String, String)>,
) -> ApiResult<Json<ShopProductView>> {
    let page = state.app.webshop_product(&shop, &id).await?;
    Ok(Json(ShopProductView::from(&page)))
}

/// One line of a web shop cart.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ShopLineRequest {
    /// A SKU of the shop.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
    /// 1 to 9999.
    #[schema(minimum = 1, maximum = 9999)]
    pub quantity: i64,
}

/// A cart, to learn where it can be had.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FulfilmentOptionsRequest {
    /// 1 to 200 lines.
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<ShopLineRequest>,
}

/// Where a cart can be had now (public): the stores that can promise every line for pickup,
/// and whether one location can deliver it all.
#[utoipa::path(post, path = "/shops/{shop}/fulfilment-options", tag = "webshop",
    params(("shop" = String, Path, description = "Merchant id or the shop's slug")), request_body = FulfilmentOptionsRequest,
    responses((status = 200, body = FulfilmentOptionsView), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn fulfilment_options(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    ApiJson(request): ApiJson<FulfilmentOptionsRequest>,
) -> ApiResult<Json<FulfilmentOptionsView>> {
    if request.lines.is_empty() || request.lines.len() > omnicanal_domain::catalog::MAX_LINES_PER_ORDER {
        return Err(AppError::invalid("lines", "a cart needs 1 to 200 lines").into());
    }
    let lines: Vec<(String, i64)> = request.lines.into_iter().map(|line| (line.sku, line.quantity)).collect();
    let (_, pickup, delivery) = state.app.webshop_fulfilment_options(&shop, &lines).await?;
    Ok(Json(FulfilmentOptionsView {
        pickup: pickup.iter().map(ShopLocationView::from).collect(),
        delivery: delivery.is_some(),
        delivery_from: delivery.as_ref().map(ShopLocationView::from),
    }))
}

/// A web shop order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ShopOrderRequest {
    /// `pickup` (in `location_id`) or `delivery` (to `delivery_address`).
    #[schema(example = "pickup")]
    pub fulfilment: String,
    /// The store to pick up at (a store of this shop that can promise every line).
    #[serde(default)]
    pub location_id: Option<String>,
    /// Where to deliver.
    #[serde(default)]
    pub delivery_address: Option<DeliveryAddressView>,
    /// 1 to 200 lines.
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<ShopLineRequest>,
    /// Who orders (e-mail or phone optional).
    pub customer: CustomerView,
    /// `card` (authorised now) or `pay_at_pickup` (paid at the store, or on delivery).
    pub payment: PaymentRequest,
    /// Coupon codes (at most 10).
    #[serde(default)]
    #[schema(max_items = 10)]
    pub coupon_codes: Vec<String>,
}

impl TryFrom<ShopOrderRequest> for ShopOrder {
    type Error = AppError;

    fn try_from(request: ShopOrderRequest) -> Result<Self, AppError> {
        ShopOrder::parse(ShopCheckoutInput {
            fulfilment: request.fulfilment,
            location_id: request.location_id,
            delivery_address: request.delivery_address.map(|address| DeliveryAddressInput {
                street: address.street,
                number: address.number,
                district: address.district,
                reference: address.reference,
            }),
            lines: request
                .lines
                .into_iter()
                .map(|line| LineInput { sku: line.sku, quantity: line.quantity, ..LineInput::default() })
                .collect(),
            customer_name: request.customer.name,
            customer_email: request.customer.email,
            customer_phone: request.customer.phone,
            payment_method: request.payment.method,
            card_number: request.payment.card_number,
            coupon_codes: request.coupon_codes,
            gift_card_code: request.payment.gift_card_code,
            store_credit: request.payment.store_credit.unwrap_or(false),
        })
    }
}

/// Places a web shop order (public): reserved at the pickup store, or at the location that
/// delivers it, paid by card or at pickup — an ordinary order of the `web` channel, with its
/// tracking token and pickup codes.
#[utoipa::path(post, path = "/shops/{shop}/orders", tag = "webshop",
    params(("shop" = String, Path, description = "Merchant id or the shop's slug")), request_body = ShopOrderRequest,
    responses(
        (status = 201, body = OrderView),
        (status = 401, description = "`store_credit` with a customer token that is no live session", body = crate::error::Problem),
        (status = 402, description = "Card declined; nothing reserved or charged", body = crate::error::Problem),
        (status = 404, body = crate::error::Problem),
        (status = 409, description = "A line is short at that store (see `sku`); nothing reserved or charged", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem),
        (status = 429, description = "Too many gift card codes that match no card; see `Retry-After`", body = crate::error::Problem)))]
async fn place_shop_order(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    headers: axum::http::HeaderMap,
    claim: Option<Extension<IdempotencyClaim>>,
    ApiJson(request): ApiJson<ShopOrderRequest>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let mut order = ShopOrder::try_from(request)?;
    if order.order.store_credit {
        order.order.credit_customer = crate::customer_auth::credit_customer(&state, &headers).await?;
    }
    let placed = state.app.place_webshop_order(&shop, order, claim.map(|Extension(claim)| claim)).await?;
    Ok((StatusCode::CREATED, Json(OrderView::new(&placed, true))))
}
