//! The manager's catalogue over HTTP (issue 15 point 2): editing a product and its variants,
//! archiving it, the list's search/sort/paging parameters, and a merchant's categories with
//! their rename. Each handler turns the request into the use case's command and calls it once;
//! the console's catalogue pages call the same use cases.

use axum::Json;
use axum::extract::{Path, State};
use omnicanal_app::catalog::{CategoryRename, ProductPatch, ProductQuery, VariantInput};
use omnicanal_domain::modifiers::ModifierGroup;
use omnicanal_store::{CatalogEntryRow, CategoryRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::routes::catalog::CreateVariant;
use crate::state::AppState;
use crate::views::{ModifierGroupView, ProductView};

/// Routes of this module (the list's parameters are read by `catalog::list_merchant_products`).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(update_product))
        .routes(routes!(archive_product))
        .routes(routes!(unarchive_product))
        .routes(routes!(list_categories))
        .routes(routes!(rename_category))
}

/// `?q=&sort=&archived=&limit=&offset=` on a merchant's product list; without any of them the
/// list is the whole catalogue on sale, as it always was.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListQuery {
    /// Part of the name, a SKU or a barcode (case-insensitive), up to 100 characters.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// `name` (default), `category`, `price` (lowest variant) or `created`; `-` in front for
    /// descending.
    #[param(pattern = r"^-?(name|category|price|created)$")]
    pub sort: Option<String>,
    /// `false` (default): on sale only; `true`: archived only; `all`: both.
    #[param(pattern = r"^(false|true|all)$")]
    pub archived: Option<String>,
    /// Items per page, 1 to 500 (default 100 when searching).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip (default 0).
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

impl ProductListQuery {
    /// True when no parameter was given: the list answers as before they existed.
    pub fn is_empty(&self) -> bool {
        self.q.is_none()
            && self.sort.is_none()
            && self.archived.is_none()
            && self.limit.is_none()
            && self.offset.is_none()
    }

    /// The use case's query for this merchant.
    pub fn parse(&self, merchant_id: &str) -> ApiResult<ProductQuery> {
        Ok(ProductQuery::parse(
            merchant_id,
            self.q.as_deref(),
            self.sort.as_deref(),
            self.archived.as_deref(),
            self.limit,
            self.offset,
        )?)
    }
}

/// A product as the back office sees it: the product with its archive state.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogProductView {
    /// The product.
    #[serde(flatten)]
    pub product: ProductView,
    /// Archived: off the menus and the till, kept for history.
    pub archived: bool,
    /// When it was archived (RFC 3339), null while on sale.
    pub archived_at: Option<String>,
}

impl From<CatalogEntryRow> for CatalogProductView {
    fn from(entry: CatalogEntryRow) -> Self {
        Self {
            archived: entry.archived_at_ms.is_some(),
            archived_at: entry.archived_at_ms.map(omnicanal_app::ids::rfc3339),
            product: ProductView::new(entry.product, entry.variants),
        }
    }
}

/// A product's changes: a field left out keeps its value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateProduct {
    /// Display name.
    #[schema(schema_with = crate::views::words::name)]
    pub name: Option<String>,
    /// Whether stock is counted.
    pub track_stock: Option<bool>,
    /// `standard` or `exempt`.
    #[schema(pattern = r"^(standard|exempt)$")]
    pub tax_category: Option<String>,
    /// Menu category, up to 40 characters (blank: none).
    #[schema(max_length = 40, pattern = r"^[^\x00-\x1f\x7f]*$")]
    pub category: Option<String>,
    /// What the menu says of the dish, up to 500 characters (blank: none).
    #[schema(schema_with = crate::views::words::description)]
    pub description: Option<String>,
    /// The allergens it contains, as codes (the whole list).
    #[schema(schema_with = crate::views::words::allergens)]
    pub allergens: Option<Vec<String>>,
    /// Choices offered with it (the whole list).
    pub modifier_groups: Option<Vec<ModifierGroupView>>,
    /// Every variant the product will have: a SKU it has is changed, a new SKU added, one left
    /// out removed (refused with 409 when its SKU was stocked, sold or priced).
    #[schema(min_items = 1, max_items = 100)]
    pub variants: Option<Vec<CreateVariant>>,
}

impl From<UpdateProduct> for ProductPatch {
    fn from(request: UpdateProduct) -> Self {
        Self {
            name: request.name,
            track_stock: request.track_stock,
            tax_category: request.tax_category,
            category: request.category,
            description: request.description,
            allergens: request.allergens,
            modifier_groups: request
                .modifier_groups
                .map(|groups| groups.into_iter().map(ModifierGroup::from).collect()),
            variants: request.variants.map(|variants| {
                variants
                    .into_iter()
                    .map(|variant| VariantInput {
                        sku: variant.sku,
                        price: variant.price.into(),
                        barcode: variant.barcode,
                        attributes: variant.attributes.unwrap_or_default(),
                    })
                    .collect()
            }),
        }
    }
}

/// Edits a product and its variants (admin, or the merchant's manager), checked like a new
/// product and saved whole: a SKU the merchant has on another product is 409 at that variant's
/// `sku`; removing a variant with history is 409 (archive the product instead).
#[utoipa::path(patch, path = "/products/{id}", tag = "catalog", request_body = UpdateProduct,
    params(("id" = String, Path, description = "Product id")), security(("bearer" = [])),
    responses((status = 200, body = CatalogProductView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn update_product(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<UpdateProduct>,
) -> ApiResult<Json<CatalogProductView>> {
    let entry = state.app.update_product(&user, &id, request.into()).await?;
    Ok(Json(entry.into()))
}

/// Archives a product: off the menus and the till, kept for history (admin or its manager).
#[utoipa::path(post, path = "/products/{id}/archive", tag = "catalog",
    params(("id" = String, Path, description = "Product id")), security(("bearer" = [])),
    responses((status = 200, body = CatalogProductView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
async fn archive_product(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<CatalogProductView>> {
    Ok(Json(state.app.set_product_archived(&user, &id, true).await?.into()))
}

/// Brings an archived product back on sale (admin or its manager).
#[utoipa::path(post, path = "/products/{id}/unarchive", tag = "catalog",
    params(("id" = String, Path, description = "Product id")), security(("bearer" = [])),
    responses((status = 200, body = CatalogProductView), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
async fn unarchive_product(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<CatalogProductView>> {
    Ok(Json(state.app.set_product_archived(&user, &id, false).await?.into()))
}

/// A category of a merchant.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    /// The category as written on its products.
    pub name: String,
    /// Products on sale in it.
    pub products: i64,
    /// Archived products in it.
    pub archived_products: i64,
}

impl From<CategoryRow> for CategoryView {
    fn from(row: CategoryRow) -> Self {
        Self { name: row.name, products: row.active_products, archived_products: row.archived_products }
    }
}

/// A merchant's categories with their product counts, by name (admin or its manager).
#[utoipa::path(get, path = "/merchants/{id}/categories", tag = "catalog",
    params(("id" = String, Path, description = "Merchant id")), security(("bearer" = [])),
    responses((status = 200, body = Vec<CategoryView>), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
async fn list_categories(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<CategoryView>>> {
    let rows = state.app.merchant_categories(&user, &id).await?;
    Ok(Json(rows.into_iter().map(CategoryView::from).collect()))
}

/// A category's new name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RenameCategory {
    /// The category as written on the products now.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub from: String,
    /// Its new name, 1 to 40 characters (an existing category's name merges the two).
    #[schema(min_length = 1, max_length = 40, pattern = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$")]
    pub to: String,
}

/// How many products a rename moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryRenamed {
    /// The new name.
    pub name: String,
    /// Products moved to it.
    pub products: i64,
}

/// Renames a category on every product of the merchant at once (admin or its manager); a
/// category no product carries is 404.
#[utoipa::path(post, path = "/merchants/{id}/categories/rename", tag = "catalog", request_body = RenameCategory,
    params(("id" = String, Path, description = "Merchant id")), security(("bearer" = [])),
    responses((status = 200, body = CategoryRenamed), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn rename_category(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<RenameCategory>,
) -> ApiResult<Json<CategoryRenamed>> {
    let rename = CategoryRename::parse(&request.from, &request.to)?;
    let products = state.app.rename_category(&user, &id, &rename).await?;
    Ok(Json(CategoryRenamed { name: rename.to, products }))
}
