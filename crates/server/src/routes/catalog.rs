//! Products and the public site menu.

use std::collections::{HashMap, HashSet};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_domain::catalog::{Name, Sku, parse_price};
use omnicanal_domain::modifiers::{ModifierGroup, validate_groups};
use omnicanal_domain::pricing::TaxCategory;
use omnicanal_domain::pricing::price_list::resolve;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{Page, ProductRow, SiteRow, StockFilter, VariantRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, Role};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery};
use crate::ids::{new_id, now_ms};
use crate::ordering::valid_channel;
use crate::state::AppState;
use crate::storefront::{LocationState, SLOT_MINUTES, candidate_slots, location_state};
use crate::views::{ModifierGroupView, MoneyView, ProductView, SiteView, modifier_groups};
use omnicanal_app::AppError;
use omnicanal_app::price_book::engine_price_lists;
use omnicanal_app::validation::{Validator, vetted};

/// Most variants one product may have.
pub const MAX_VARIANTS_PER_PRODUCT: usize = 100;

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
    /// Menu category ("Pizzas", "Bebidas"), up to 40 characters.
    #[serde(default)]
    pub category: Option<String>,
    /// Photo (an https URL or a path on this server); the menu shows a placeholder without one.
    #[serde(default)]
    pub image_url: Option<String>,
    /// Choices offered with it (size, extras with a price, "sin cebolla"), checked on every order.
    #[serde(default)]
    pub modifier_groups: Vec<ModifierGroupView>,
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
    let category = request.category.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
    if category.as_ref().is_some_and(|c| c.chars().count() > 40) {
        v.push("category", "must be at most 40 characters");
    }
    let image_url = request.image_url.as_deref().map(str::trim).filter(|u| !u.is_empty()).map(str::to_owned);
    if image_url.as_ref().is_some_and(|u| {
        u.len() > 500
            || !(u.starts_with("https://") || (u.starts_with('/') && !u.starts_with("//")))
            || u.contains(['"', '<', '>', ' '])
    }) {
        v.push("image_url", "must be an https:// URL or a path on this server, at most 500 characters");
    }
    let groups: Vec<ModifierGroup> = request.modifier_groups.into_iter().map(ModifierGroup::from).collect();
    if !groups.is_empty() {
        let currency = request.variants.first().map_or(Currency::Clp, |variant| variant.price.currency);
        v.check("modifier_groups", validate_groups(&groups, currency));
    }
    let modifiers_json = (!groups.is_empty())
        .then(|| serde_json::to_string(&groups).map_err(|error| AppError::Internal(Box::new(error))))
        .transpose()?;
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
                currency: price.currency,
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
        tax_category: vetted(tax_category)?,
        category,
        image_url,
        modifiers_json,
        created_at_ms: now_ms(),
    };
    state.store.insert_product(&product, &variants).await.map_err(|error| match error {
        omnicanal_store::StoreError::Duplicate(_) => {
            AppError::Conflict("one of these SKUs already exists for this merchant".into())
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
    let (product, variants) = state.store.get_product(&id).await?.ok_or(AppError::NotFound("product"))?;
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
    state.store.get_merchant(&id).await?.ok_or(AppError::NotFound("merchant"))?;
    let products = state.store.list_merchant_products(&id).await?;
    Ok(Json(products.into_iter().map(|(p, v)| ProductView::new(p, v)).collect()))
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
    /// Choices offered with it.
    pub modifier_groups: Vec<ModifierGroupView>,
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
    /// Open, paused (until when) or closed (opens when).
    pub status: LocationState,
    /// Usual preparation time, minutes.
    pub prep_minutes: i64,
    /// Where the counter is.
    pub counter: Option<String>,
    /// Weekly hours (null: always open).
    #[schema(value_type = Option<Object>)]
    pub opening_hours: Option<serde_json::Value>,
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
    let site = state.store.get_site(&id).await?.ok_or(AppError::NotFound("site"))?;
    let channel = query.channel.unwrap_or_else(|| "qr".to_owned());
    if !valid_channel(&channel) {
        return Err(ApiError::invalid("channel", "must be qr, web, pos, phone, kiosk, tablet or shop:<connector>"));
    }
    let locations = build_menu(&state, &site, &channel, query.include_closed.unwrap_or(false)).await?;
    Ok(Json(SiteMenu { site: site.into(), locations }))
}

/// The menu's locations for `channel`: open ones, or every one with its state when
/// `include_closed` (the customer page shows closed and paused restaurants too).
pub async fn build_menu(
    state: &AppState,
    site: &SiteRow,
    channel: &str,
    include_closed: bool,
) -> ApiResult<Vec<MenuLocation>> {
    let now = now_ms();
    let mut locations = Vec::new();
    for location in state.store.list_site_locations(&site.id).await? {
        let location_state = location_state(&location, &site.timezone, now);
        if !include_closed && !location_state.is_open() {
            continue;
        }
        let allocation = state
            .store
            .list_channel_allocations(&location.id)
            .await?
            .into_iter()
            .find(|a| a.channel.as_str() == channel);
        if allocation.as_ref().is_some_and(|a| !a.enabled) {
            continue;
        }
        let safety_buffer = allocation.map_or(0, |a| a.safety_buffer);
        let merchant_name = state.store.get_merchant(&location.merchant_id).await?.map(|m| m.name).unwrap_or_default();
        let filter = StockFilter {
            location_id: Some(location.id.clone()),
            page: Page { limit: 100_000, offset: 0 },
            now_ms: now,
            ..StockFilter::default()
        };
        let stock: HashMap<String, i64> = state
            .store
            .list_stock(&filter)
            .await?
            .into_iter()
            .map(|row| (row.sku, row.available - safety_buffer))
            .collect();
        // SKUs the location's staff switched to sold out: shown, not orderable, on every channel.
        let switched_off: HashSet<String> =
            state.store.list_sold_out(&location.id).await?.into_iter().map(|row| row.sku).collect();
        let lists =
            engine_price_lists(state.store.active_price_lists(std::slice::from_ref(&location.merchant_id)).await?);
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
                        let base = MoneyView::from_parts(variant.price_minor, variant.currency);
                        let price = resolve(&lists, &location.merchant_id, &location.id, channel, &variant.sku, now)
                            .filter(|(_, price)| price.currency == variant.currency)
                            .map_or(base, |(_, price)| price.into());
                        let switched = switched_off.contains(&variant.sku);
                        MenuVariant {
                            available: location_state.is_open() && !switched && quantity.is_none_or(|q| q > 0),
                            sold_out: switched || quantity == Some(0),
                            available_quantity: quantity,
                            base_price: base,
                            price,
                            attributes: serde_json::from_str(&variant.attributes_json).unwrap_or_default(),
                            sku: variant.sku,
                        }
                    })
                    .collect(),
                id: product.id,
                name: product.name,
                modifier_groups: modifier_groups(product.modifiers_json.as_deref()),
                category: product.category,
                image_url: product.image_url,
            })
            .collect();
        locations.push(MenuLocation {
            id: location.id,
            name: location.name,
            merchant_id: location.merchant_id,
            merchant_name,
            pay_at_pickup: location.pay_at_pickup,
            status: location_state,
            prep_minutes: location.storefront.prep_minutes,
            counter: location.storefront.counter,
            opening_hours: location.storefront.opening_hours_json.as_deref().and_then(|j| serde_json::from_str(j).ok()),
            products,
        });
    }
    Ok(locations)
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
    let site = state.store.get_site(&id).await?.ok_or(AppError::NotFound("site"))?;
    let ids: Vec<&str> = query.location_ids.split(',').map(str::trim).filter(|id| !id.is_empty()).collect();
    if ids.is_empty() || ids.len() > 50 {
        return Err(ApiError::invalid("location_ids", "name 1 to 50 locations of the site"));
    }
    let mut locations = Vec::with_capacity(ids.len());
    for location_id in ids {
        match state.store.get_location(location_id).await?.filter(|l| l.site_id == site.id) {
            Some(location) => locations.push(location),
            None => {
                return Err(ApiError::invalid("location_ids", format!("{location_id} is not a location of this site")));
            }
        }
    }
    let refs: Vec<&omnicanal_store::LocationRow> = locations.iter().collect();
    let mut slots = Vec::new();
    for (start, slot) in candidate_slots(&refs, &site.timezone, now_ms()) {
        let end = (start + chrono::Duration::minutes(SLOT_MINUTES)).timestamp_millis();
        let mut available = true;
        for location in locations.iter().filter(|l| l.storefront.slot_capacity.is_some()) {
            let taken = state.store.count_pickups(&location.id, start.timestamp_millis(), end).await?;
            if location.storefront.slot_capacity.is_some_and(|capacity| taken >= capacity) {
                available = false;
            }
        }
        slots.push(SlotView { start: slot.start, label: slot.label, available });
    }
    Ok(Json(slots))
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
