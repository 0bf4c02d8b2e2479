//! The retail catalogue as the console edits it (issue 17 points 1 and 2): a product's variant
//! grid (options, and per variant SKU, barcode, price, attributes and on/off) read and saved
//! whole, and a merchant's web shop address. Thin: each handler builds the app's input and
//! calls one use case; the console's variant page calls these very routes.

use axum::Json;
use axum::extract::{Path, State};
use omnicanal_app::catalog::VariantInput;
use omnicanal_app::retail::{GridVariantInput, VariantGrid, VariantGridInput, parse_shop_slug};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::views::{MoneyView, ProductOptionView, option_views};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_variant_grid, put_variant_grid))
        .routes(routes!(get_shop_slug, put_shop_slug))
}

/// One variant of the grid.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GridVariantView {
    /// Unique within the merchant.
    #[schema(schema_with = crate::views::words::sku)]
    pub sku: String,
    /// Unit price, tax included.
    #[schema(schema_with = crate::views::words::price)]
    pub price: MoneyView,
    /// EAN/UPC.
    #[serde(default)]
    pub barcode: Option<String>,
    /// One value of each option (`{"Talla": "M", "Color": "Azul"}`), and any of its own.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// On sale in the web shop (false: kept, neither shown nor sold there). Default true.
    #[serde(default = "on")]
    pub active: bool,
    /// The gallery photo it shows (`GET /products/{id}/gallery`); null: the product's photo.
    #[serde(default)]
    pub photo_id: Option<String>,
}

fn on() -> bool {
    true
}

/// A product's options and variants.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct VariantGridView {
    /// At most 3 options of at most 30 values.
    #[serde(default)]
    #[schema(max_items = 3)]
    pub options: Vec<ProductOptionView>,
    /// Every variant the product has (1 to 100).
    #[schema(min_items = 1, max_items = 100)]
    pub variants: Vec<GridVariantView>,
    /// The product's gallery (answers only; ignored when sent).
    #[serde(default, skip_deserializing)]
    pub gallery: Vec<crate::routes::product_gallery::GalleryPhotoView>,
}

impl From<VariantGrid> for VariantGridView {
    fn from(grid: VariantGrid) -> Self {
        let variants = grid
            .entry
            .variants
            .into_iter()
            .map(|variant| GridVariantView {
                active: !grid.inactive_skus.contains(&variant.sku),
                photo_id: grid.variant_photos.get(&variant.sku).cloned(),
                price: MoneyView::from_parts(variant.price_minor, variant.currency),
                attributes: serde_json::from_str(&variant.attributes_json).unwrap_or_default(),
                barcode: variant.barcode,
                sku: variant.sku,
            })
            .collect();
        let gallery = grid.gallery.into_iter().map(Into::into).collect();
        Self { options: option_views(&grid.options), variants, gallery }
    }
}

/// A product's options and variants (admin, or the merchant's manager).
#[utoipa::path(get, path = "/products/{id}/variant-grid", tag = "catalog",
    params(("id" = String, Path, description = "Product id")), security(("bearer" = [])),
    responses((status = 200, body = VariantGridView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
async fn get_variant_grid(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<VariantGridView>> {
    Ok(Json(state.app.variant_grid(&user, &id).await?.into()))
}

/// Saves a product's options and every variant at once (admin, or the merchant's manager):
/// each bad field named by its path (`variants[2].price`, `options[0].values[1]`,
/// `variants[1].attributes.Talla`); a SKU another product has is 409 at its row; removing a
/// variant with history is 409.
#[utoipa::path(put, path = "/products/{id}/variant-grid", tag = "catalog", request_body = VariantGridView,
    params(("id" = String, Path, description = "Product id")), security(("bearer" = [])),
    responses((status = 200, body = VariantGridView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn put_variant_grid(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<VariantGridView>,
) -> ApiResult<Json<VariantGridView>> {
    let grid = VariantGridInput {
        options: request.options.into_iter().map(Into::into).collect(),
        variants: request
            .variants
            .into_iter()
            .map(|row| GridVariantInput {
                variant: VariantInput {
                    sku: row.sku,
                    price: row.price.into(),
                    barcode: row.barcode,
                    attributes: row.attributes,
                },
                active: row.active,
                photo_id: row.photo_id,
            })
            .collect(),
    };
    Ok(Json(state.app.save_variant_grid(&user, &id, grid).await?.into()))
}

/// A merchant's web shop address.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShopSlugView {
    /// The merchant.
    pub merchant_id: String,
    /// `/shop/{slug}`.
    pub slug: String,
    /// Whether the merchant chose it (false: the slug of its name).
    pub chosen: bool,
}

/// A new web shop address.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ShopSlugRequest {
    /// 3 to 60 letters or digits (upper case is lowered), words joined by single `-`.
    #[schema(min_length = 3, max_length = 60, pattern = r"^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$", example = "andina-outdoor")]
    pub slug: String,
}

/// A merchant's web shop address (anyone who may see the merchant).
#[utoipa::path(get, path = "/merchants/{id}/shop-slug", tag = "webshop",
    params(("id" = String, Path, description = "Merchant id")), security(("bearer" = [])),
    responses((status = 200, body = ShopSlugView), (status = 404, body = crate::error::Problem)))]
async fn get_shop_slug(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ShopSlugView>> {
    let (slug, chosen) = state.app.shop_slug(&user, &id).await?;
    Ok(Json(ShopSlugView { merchant_id: id, slug, chosen }))
}

/// Sets a merchant's web shop address (its manager or an admin); one another shop has is 409.
/// The address of its name keeps working.
#[utoipa::path(put, path = "/merchants/{id}/shop-slug", tag = "webshop", request_body = ShopSlugRequest,
    params(("id" = String, Path, description = "Merchant id")), security(("bearer" = [])),
    responses((status = 200, body = ShopSlugView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn put_shop_slug(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ShopSlugRequest>,
) -> ApiResult<Json<ShopSlugView>> {
    let slug = parse_shop_slug(&request.slug)?;
    let slug = state.app.set_shop_slug(&user, &id, slug).await?;
    Ok(Json(ShopSlugView { merchant_id: id, slug, chosen: true }))
}
