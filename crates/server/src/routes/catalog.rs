//! Products and the public site menu.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::dish::Allergen;
use omnicanal_domain::modifiers::ModifierGroup;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::AppError;
use omnicanal_app::catalog::{self, NewProduct, ProductInput, VariantInput};
use omnicanal_app::ordering::pickup::{SlotOffer, SlotRequest};

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;
use crate::views::{
    LocationStateView, MenuPromotionView, ModifierGroupView, MoneyView, ProductView, SiteView, modifier_groups,
};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_product))
        .routes(routes!(get_product))
        .routes(routes!(list_merchant_products))
        .routes(routes!(site_menu))
        .routes(routes!(pickup_slots))
}

/// A variant of a new product.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateVariant {
    /// Unique within the merchant.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
    /// Unit price, tax included.
    #[schema(schema_with = crate::views::words::price)]
    pub price: MoneyView,
    /// EAN/UPC.
    pub barcode: Option<String>,
    /// Free-form attributes.
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A new product.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateProduct {
    /// Owner.
    pub merchant_id: String,
    /// Display name.
    #[schema(schema_with = crate::views::words::name)]
    pub name: String,
    /// Whether stock is counted (false for made-to-order dishes).
    pub track_stock: bool,
    /// `standard` (the country's rate; 8 % consumption tax for Colombian restaurants) or `exempt`.
    #[serde(default)]
    pub tax_category: Option<String>,
    /// Menu category ("Pizzas", "Bebidas"), up to 40 characters.
    #[serde(default)]
    #[schema(max_length = 40)]
    pub category: Option<String>,
    /// Photo (an https URL or a path on this server); the menu shows a placeholder without one.
    #[serde(default)]
    pub image_url: Option<String>,
    /// Choices offered with it (size, extras with a price, "sin cebolla"), checked on every order.
    #[serde(default)]
    pub modifier_groups: Vec<ModifierGroupView>,
    /// What the menu says of the dish: plain text up to 500 characters, line breaks allowed
    /// (null or blank: none).
    #[serde(default)]
    #[schema(schema_with = crate::views::words::description)]
    pub description: Option<String>,
    /// The allergens it contains, as codes (`gluten`, `milk`, `egg`…); each page words them in
    /// its language. A repeat is dropped.
    #[serde(default)]
    #[schema(schema_with = crate::views::words::allergens)]
    pub allergens: Vec<String>,
    /// One or more variants.
    #[schema(min_items = 1)]
    pub variants: Vec<CreateVariant>,
    /// Its options (size, colour, …; at most 3): each variant then names one value of every
    /// option in its `attributes` (`{"Talla": "M", "Color": "Azul"}`), no two the same
    /// combination (issue 17). Empty: a product without options.
    #[serde(default)]
    #[schema(max_items = 3)]
    pub options: Vec<crate::views::ProductOptionView>,
}

/// Creates a product with its variants (admin, or the merchant's manager).
#[utoipa::path(post, path = "/products", tag = "catalog", request_body = CreateProduct, security(("bearer" = [])),
    responses((status = 201, body = ProductView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_product(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateProduct>,
) -> ApiResult<(StatusCode, Json<ProductView>)> {
    if !request.options.is_empty() {
        return crate::routes::webshop::create_product_with_options(&state, &user, request).await;
    }
    let product = NewProduct::try_from(request)?;
    let (product, variants) = state.app.create_product(&user, product).await?;
    Ok((StatusCode::CREATED, Json(ProductView::new(product, variants))))
}

impl TryFrom<CreateProduct> for NewProduct {
    type Error = AppError;

    fn try_from(request: CreateProduct) -> Result<Self, AppError> {
        NewProduct::parse(ProductInput {
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
        })
    }
}

/// One product.
#[utoipa::path(get, path = "/products/{id}", tag = "catalog", params(("id" = String, Path, description = "Product id")),
    security(("bearer" = [])), responses((status = 200, body = ProductView), (status = 404, body = crate::error::Problem)))]
async fn get_product(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ProductView>> {
    let (product, variants) = state.app.product(&user, &id).await?;
    Ok(Json(ProductView::new(product, variants)))
}

/// A merchant's products. Without parameters, every product on sale by name; with any of
/// `q`, `sort`, `archived`, `limit`, `offset` (issue 15 point 2), that page of the search, and
/// the number of matches in the `X-Total-Count` header.
#[utoipa::path(get, path = "/merchants/{id}/products", tag = "catalog",
    params(("id" = String, Path, description = "Merchant id"), crate::routes::catalog_admin::ProductListQuery),
    security(("bearer" = [])), responses(
        (status = 200, body = Vec<ProductView>, headers(("X-Total-Count" = i64, description = "Matches in all (when searching)"))),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn list_merchant_products(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<crate::routes::catalog_admin::ProductListQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    if query.is_empty() {
        let products = state.app.merchant_products(&user, &id).await?;
        let views: Vec<ProductView> =
            products.into_iter().map(|(product, variants)| ProductView::new(product, variants)).collect();
        return Ok(Json(views).into_response());
    }
    let (entries, total) = state.app.search_products(&user, &query.parse(&id)?).await?;
    let views: Vec<ProductView> =
        entries.into_iter().map(|entry| ProductView::new(entry.product, entry.variants)).collect();
    Ok(([("x-total-count", total.to_string())], Json(views)).into_response())
}

/// A variant on the menu, with availability.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuVariant {
    /// SKU to order.
    pub sku: String,
    /// Unit price through this channel (its price list, else the base price).
    pub price: MoneyView,
    /// The variant's base price.
    pub base_price: MoneyView,
    /// Whether it can be ordered now (in stock, not switched to sold out, the location taking orders).
    pub available: bool,
    /// No units left, or switched to sold out by the location's staff (shown, not orderable).
    pub sold_out: bool,
    /// Units that can be ordered (null when stock is not counted).
    pub available_quantity: Option<i64>,
    /// Free-form attributes.
    #[schema(value_type = Object)]
    pub attributes: serde_json::Value,
}

/// A product on the menu.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuProduct {
    /// Product id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Menu category.
    pub category: Option<String>,
    /// Photo URL (null: show a placeholder).
    pub image_url: Option<String>,
    /// What the menu says of the dish (null: nothing).
    pub description: Option<String>,
    /// The allergens it contains, as codes.
    #[schema(schema_with = crate::views::words::allergens)]
    pub allergens: Vec<Allergen>,
    /// Choices offered with it.
    pub modifier_groups: Vec<ModifierGroupView>,
    /// Variants.
    pub variants: Vec<MenuVariant>,
    /// Promotions on now that name one of its variants (a 2×1, a combo), without a coupon.
    pub promotions: Vec<MenuPromotionView>,
}

/// An open location with its menu.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuLocation {
    /// Location id (use it in order lines).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Merchant id.
    pub merchant_id: String,
    /// Merchant name.
    pub merchant_name: String,
    /// Whether customers may pay at pickup here.
    pub pay_at_pickup: bool,
    /// Open, paused (until when) or closed (opens when).
    pub status: LocationStateView,
    /// Usual preparation time, minutes.
    pub prep_minutes: i64,
    /// Where the counter is.
    pub counter: Option<String>,
    /// Weekly hours (null: always open).
    #[schema(value_type = Option<Object>)]
    pub opening_hours: Option<serde_json::Value>,
    /// Products.
    pub products: Vec<MenuProduct>,
    /// Promotions on now for every dish here, without a coupon (a site-wide one is on the site).
    pub promotions: Vec<MenuPromotionView>,
}

/// A site's menu.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteMenu {
    /// The site.
    pub site: SiteView,
    /// Its open locations.
    pub locations: Vec<MenuLocation>,
    /// Promotions on now for every dish at the site, without a coupon (the mall's happy hour).
    pub promotions: Vec<MenuPromotionView>,
}

/// Which channel the menu is for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MenuQuery {
    /// The channel (default `qr`): locations closed to it are left out, and its safety buffers apply.
    pub channel: Option<String>,
    /// Also list closed and paused locations, with their state (default false).
    pub include_closed: Option<bool>,
}

/// The menu of a site: open locations with products, the channel's prices and live availability
/// (public). Prices come from the merchants' price lists for this channel, as the pricing engine
/// will charge them (promotions are applied by `POST /pricing/quote`).
#[utoipa::path(get, path = "/sites/{id}/menu", tag = "ordering", params(("id" = String, Path, description = "Site id"), MenuQuery),
    responses((status = 200, body = SiteMenu), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn site_menu(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<MenuQuery>,
) -> ApiResult<Json<SiteMenu>> {
    let channel = query.channel.as_deref().map_or(Ok(Channel::Qr), Channel::parse)?;
    let menu = state.app.site_menu(&id, &channel, query.include_closed.unwrap_or(false)).await?;
    Ok(Json(menu.into()))
}

impl From<catalog::SiteMenu> for SiteMenu {
    fn from(menu: catalog::SiteMenu) -> Self {
        Self {
            promotions: MenuPromotionView::list(menu.promotions),
            site: menu.site.into(),
            locations: menu.locations.into_iter().map(MenuLocation::from).collect(),
        }
    }
}

impl From<catalog::MenuLocation> for MenuLocation {
    fn from(entry: catalog::MenuLocation) -> Self {
        let location = entry.location;
        Self {
            id: location.id,
            name: location.name,
            merchant_id: location.merchant_id,
            merchant_name: entry.merchant_name,
            pay_at_pickup: location.pay_at_pickup,
            status: entry.status.into(),
            prep_minutes: location.storefront.prep_minutes,
            counter: location.storefront.counter,
            opening_hours: location.storefront.opening_hours_json.as_deref().and_then(|j| serde_json::from_str(j).ok()),
            products: entry.products.into_iter().map(MenuProduct::from).collect(),
            promotions: MenuPromotionView::list(entry.promotions),
        }
    }
}

impl From<catalog::MenuProduct> for MenuProduct {
    fn from(entry: catalog::MenuProduct) -> Self {
        let product = entry.product;
        Self {
            id: product.id,
            name: product.name,
            category: product.category,
            image_url: product.image_url,
            description: product.description,
            allergens: product.allergens,
            modifier_groups: modifier_groups(product.modifiers_json.as_deref()),
            variants: entry.variants.into_iter().map(MenuVariant::from).collect(),
            promotions: MenuPromotionView::list(entry.promotions),
        }
    }
}

impl From<catalog::MenuVariant> for MenuVariant {
    fn from(entry: catalog::MenuVariant) -> Self {
        Self {
            price: entry.price.into(),
            base_price: entry.base_price.into(),
            available: entry.available,
            sold_out: entry.sold_out,
            available_quantity: entry.available_quantity,
            attributes: serde_json::from_str(&entry.variant.attributes_json).unwrap_or_default(),
            sku: entry.variant.sku,
        }
    }
}

/// `?location_ids=a,b` for pickup slots.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    /// Comma-separated locations of the cart (at most 50).
    pub location_ids: String,
}

/// Pickup slots a cart at these locations can choose: after every location's preparation time,
/// inside every location's opening hours, each with whether it still has room (public).
#[utoipa::path(get, path = "/sites/{id}/pickup-slots", tag = "ordering", params(("id" = String, Path, description = "Site id"), SlotQuery),
    responses((status = 200, body = Vec<SlotView>), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn pickup_slots(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<SlotQuery>,
) -> ApiResult<Json<Vec<SlotView>>> {
    let request = SlotRequest::parse(&query.location_ids)?;
    let offers = state.app.pickup_slots(&id, &request).await?;
    Ok(Json(offers.into_iter().map(SlotView::from).collect()))
}

/// A pickup slot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotView {
    /// Start (RFC 3339, UTC): the order's `pickup_at`.
    pub start: String,
    /// Local time to show (`HH:MM`).
    pub label: String,
    /// False when a location in the cart has no room left in it.
    pub available: bool,
}

impl From<SlotOffer> for SlotView {
    fn from(offer: SlotOffer) -> Self {
        Self { start: offer.slot.start, label: offer.slot.label, available: offer.available }
    }
}
