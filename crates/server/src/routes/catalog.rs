//! Products and the public site menu.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::Money;
use omnicanal_domain::catalog::{Name, Sku, parse_price};
use omnicanal_domain::pricing::TaxCategory;
use omnicanal_store::{Page, ProductRow, StockFilter, VariantRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::ids::{new_id, now_ms};
use crate::state::AppState;
use crate::validate::{Validator, vetted};
use crate::views::{MoneyView, ProductView, SiteView};

/// Most variants one product may have.
pub const MAX_VARIANTS_PER_PRODUCT: usize = 100;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_product))
        .routes(routes!(get_product))
        .routes(routes!(list_merchant_products))
        .routes(routes!(site_menu))
}

/// A variant of a new product.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateVariant {
    /// Unique within the merchant.
    pub sku: String,
    /// Unit price, tax included.
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
    pub name: String,
    /// Whether stock is counted (false for made-to-order dishes).
    pub track_stock: bool,
    /// `standard` (the country's rate; 8 % consumption tax for Colombian restaurants) or `exempt`.
    #[serde(default)]
    pub tax_category: Option<String>,
    /// One or more variants.
    pub variants: Vec<CreateVariant>,
}

/// Creates a product with its variants (admin, or the merchant's manager).
#[utoipa::path(post, path = "/products", tag = "catalog", request_body = CreateProduct, security(("bearer" = [])),
    responses((status = 201, body = ProductView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_product(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(request): ApiJson<CreateProduct>,
) -> ApiResult<(StatusCode, Json<ProductView>)> {
    user.require(&[Role::Admin, Role::MerchantManager])?;
    let mut v = Validator::new();
    let name = v.check("name", Name::parse("name", &request.name));
    let tax_category =
        v.check("tax_category", request.tax_category.as_deref().map_or(Ok(TaxCategory::Standard), TaxCategory::parse));
    if user.check_merchant(&request.merchant_id, "merchant").is_err()
        || state.store.get_merchant(&request.merchant_id).await?.is_none()
    {
        v.push("merchant_id", "no such merchant");
    }
    if request.variants.is_empty() || request.variants.len() > MAX_VARIANTS_PER_PRODUCT {
        v.push("variants", format!("a product needs 1 to {MAX_VARIANTS_PER_PRODUCT} variants"));
    }
    let product_id = new_id("prd");
    let mut variants = Vec::with_capacity(request.variants.len());
    for (index, variant) in request.variants.into_iter().enumerate() {
        let sku = v.check(&format!("variants[{index}].sku"), Sku::parse(&variant.sku));
        let price = v.check(&format!("variants[{index}].price"), parse_price("price", Money::from(variant.price)));
        if let Some(sku) = &sku
            && variants.iter().any(|existing: &VariantRow| existing.sku == sku.as_str())
        {
            v.push(format!("variants[{index}].sku"), "appears twice in this product");
        }
        if let (Some(sku), Some(price)) = (sku, price) {
            variants.push(VariantRow {
                id: new_id("var"),
                product_id: product_id.clone(),
                merchant_id: request.merchant_id.clone(),
                sku: sku.as_str().to_owned(),
                price_minor: price.amount_minor,
                currency: price.currency.code().to_owned(),
                barcode: variant.barcode.filter(|code| !code.trim().is_empty()),
                attributes_json: serde_json::Value::Object(variant.attributes.unwrap_or_default()).to_string(),
            });
        }
    }
    v.finish()?;
    let product = ProductRow {
        id: product_id,
        merchant_id: request.merchant_id,
        name: vetted(name)?.into_inner(),
        track_stock: request.track_stock,
        tax_category: vetted(tax_category)?.as_str().to_owned(),
        created_at_ms: now_ms(),
    };
    state.store.insert_product(&product, &variants).await.map_err(|error| match error {
        omnicanal_store::StoreError::Conflict(_) => {
            ApiError::Conflict("one of these SKUs already exists for this merchant".into())
        }
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(ProductView::new(product, variants))))
}

/// One product.
#[utoipa::path(get, path = "/products/{id}", tag = "catalog", params(("id" = String, Path, description = "Product id")),
    security(("bearer" = [])), responses((status = 200, body = ProductView), (status = 404, body = crate::error::Problem)))]
async fn get_product(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ProductView>> {
    let (product, variants) = state.store.get_product(&id).await?.ok_or(ApiError::NotFound("product"))?;
    user.check_merchant(&product.merchant_id, "product")?;
    Ok(Json(ProductView::new(product, variants)))
}

/// A merchant's products.
#[utoipa::path(get, path = "/merchants/{id}/products", tag = "catalog", params(("id" = String, Path, description = "Merchant id")),
    security(("bearer" = [])), responses((status = 200, body = Vec<ProductView>), (status = 404, body = crate::error::Problem)))]
async fn list_merchant_products(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ProductView>>> {
    user.check_merchant(&id, "merchant")?;
    state.store.get_merchant(&id).await?.ok_or(ApiError::NotFound("merchant"))?;
    let products = state.store.list_merchant_products(&id).await?;
    Ok(Json(products.into_iter().map(|(p, v)| ProductView::new(p, v)).collect()))
}

/// A variant on the menu, with availability.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuVariant {
    /// SKU to order.
    pub sku: String,
    /// Unit price.
    pub price: MoneyView,
    /// Whether it can be ordered now.
    pub available: bool,
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
    /// Variants.
    pub variants: Vec<MenuVariant>,
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
    /// Products.
    pub products: Vec<MenuProduct>,
}

/// A site's menu.
#[derive(Debug, Serialize, ToSchema)]
pub struct SiteMenu {
    /// The site.
    pub site: SiteView,
    /// Its open locations.
    pub locations: Vec<MenuLocation>,
}

/// Which channel the menu is for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MenuQuery {
    /// The channel (default `qr`): locations closed to it are left out, and its safety buffers apply.
    pub channel: Option<String>,
}

/// The menu of a site: open locations with products, prices and live availability (public).
#[utoipa::path(get, path = "/sites/{id}/menu", tag = "ordering", params(("id" = String, Path, description = "Site id"), MenuQuery),
    responses((status = 200, body = SiteMenu), (status = 404, body = crate::error::Problem)))]
async fn site_menu(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<MenuQuery>,
) -> ApiResult<Json<SiteMenu>> {
    let site = state.store.get_site(&id).await?.ok_or(ApiError::NotFound("site"))?;
    let channel = query.channel.unwrap_or_else(|| "qr".to_owned());
    let mut locations = Vec::new();
    for location in state.store.list_site_locations(&id).await?.into_iter().filter(|l| l.is_open) {
        let allocation =
            state.store.list_channel_allocations(&location.id).await?.into_iter().find(|a| a.channel == channel);
        if allocation.as_ref().is_some_and(|a| !a.enabled) {
            continue;
        }
        let safety_buffer = allocation.map_or(0, |a| a.safety_buffer);
        let merchant_name = state.store.get_merchant(&location.merchant_id).await?.map(|m| m.name).unwrap_or_default();
        let filter = StockFilter {
            location_id: Some(location.id.clone()),
            page: Page { limit: 100_000, offset: 0 },
            now_ms: now_ms(),
            ..StockFilter::default()
        };
        let stock: HashMap<String, i64> = state
            .store
            .list_stock(&filter)
            .await?
            .into_iter()
            .map(|row| (row.sku, row.available - safety_buffer))
            .collect();
        let products = state
            .store
            .list_merchant_products(&location.merchant_id)
            .await?
            .into_iter()
            .map(|(product, variants)| MenuProduct {
                variants: variants
                    .into_iter()
                    .map(|variant| {
                        let quantity =
                            product.track_stock.then(|| stock.get(&variant.sku).copied().unwrap_or(0).max(0));
                        MenuVariant {
                            available: quantity.is_none_or(|q| q > 0),
                            available_quantity: quantity,
                            price: MoneyView::from_parts(variant.price_minor, &variant.currency),
                            attributes: serde_json::from_str(&variant.attributes_json).unwrap_or_default(),
                            sku: variant.sku,
                        }
                    })
                    .collect(),
                id: product.id,
                name: product.name,
            })
            .collect();
        locations.push(MenuLocation {
            id: location.id,
            name: location.name,
            merchant_id: location.merchant_id,
            merchant_name,
            pay_at_pickup: location.pay_at_pickup,
            products,
        });
    }
    Ok(Json(SiteMenu { site: site.into(), locations }))
}
