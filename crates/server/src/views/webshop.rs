//! Response bodies of the retail catalogue and the web shop (issue 17 points 1 and 2), with
//! their OpenAPI schemas, built from what the app's `retail` and `webshop` use cases return.

use std::collections::BTreeMap;

use omnicanal_app::webshop::{
    Catalogue, CatalogueProduct, Facet, Shop, ShopLocation, ShopProduct, ShopVariant, StoreUnits,
};
use omnicanal_domain::retail::{ProductOption, ProductOptions};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::MoneyView;

/// One option of a product: its name and the values it offers, in the order shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProductOptionView {
    /// "Talla", "Color": 1 to 30 characters, unique within the product.
    #[schema(min_length = 1, max_length = 30)]
    pub name: String,
    /// "S", "M", "L": 1 to 30 values, each 1 to 30 characters.
    #[schema(min_items = 1, max_items = 30)]
    pub values: Vec<String>,
}

impl From<ProductOptionView> for ProductOption {
    fn from(view: ProductOptionView) -> Self {
        Self { name: view.name, values: view.values }
    }
}

/// A product's options as views.
pub fn option_views(options: &ProductOptions) -> Vec<ProductOptionView> {
    options
        .as_slice()
        .iter()
        .map(|option| ProductOptionView { name: option.name.clone(), values: option.values.clone() })
        .collect()
}

/// A location as the shop shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShopLocationView {
    /// Location id.
    pub id: String,
    /// Its name ("Andina Providencia").
    pub name: String,
    /// Its site's id (to price a cart there with `POST /pricing/quote`).
    pub site_id: String,
    /// Its site (mall, street or city).
    pub site_name: String,
    /// `store` or `warehouse` (a warehouse sells only online: never a pickup point).
    #[schema(value_type = String, example = "store")]
    pub kind: omnicanal_domain::retail::LocationKind,
    /// Whether a customer may order a pickup there now (a store, open now or closed until
    /// its next opening).
    pub pickup: bool,
    /// Whether it takes orders now (a closed store's pickups are ready after it opens).
    pub open: bool,
    /// When a pickup ordered now would be ready (RFC 3339): its preparation time from now, or
    /// from its next opening while closed. Null where no pickup is offered.
    pub pickup_ready_at: Option<String>,
}

impl From<&ShopLocation> for ShopLocationView {
    fn from(entry: &ShopLocation) -> Self {
        Self {
            id: entry.location.id.clone(),
            name: entry.location.name.clone(),
            site_id: entry.site.id.clone(),
            site_name: entry.site.name.clone(),
            kind: entry.kind,
            pickup: entry.offers_pickup(),
            open: entry.open,
            pickup_ready_at: entry
                .pickup_ready_at_ms
                .filter(|_| entry.offers_pickup())
                .map(omnicanal_app::ids::rfc3339),
        }
    }
}

/// A web shop: its merchant and locations.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShopView {
    /// The merchant's id.
    pub merchant_id: String,
    /// Its name.
    pub name: String,
    /// The shop's address: `/shop/{slug}` (the merchant id works too).
    pub slug: String,
    /// Its stores first, then its warehouses.
    pub locations: Vec<ShopLocationView>,
}

impl From<&Shop> for ShopView {
    fn from(shop: &Shop) -> Self {
        Self {
            merchant_id: shop.merchant.id.clone(),
            name: shop.merchant.name.clone(),
            slug: shop.slug.clone(),
            locations: shop.locations.iter().map(ShopLocationView::from).collect(),
        }
    }
}

/// An option and every value the shop's products offer of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetView {
    /// The option ("Talla"); filter with `?Talla=M`.
    pub name: String,
    /// Its values.
    pub values: Vec<String>,
}

impl From<&Facet> for FacetView {
    fn from(facet: &Facet) -> Self {
        Self { name: facet.name.clone(), values: facet.values.clone() }
    }
}

/// A product on a catalogue page.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueProductView {
    /// Product id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: Option<String>,
    /// Photo (null: a placeholder).
    pub image_url: Option<String>,
    /// Its options.
    pub options: Vec<ProductOptionView>,
    /// One unit of its first matching variant through the web, promotions applied.
    pub price: MoneyView,
    /// That price before promotions.
    pub list_price: MoneyView,
    /// Whether a matching variant can be picked up or delivered now.
    pub available: bool,
    /// How many of its variants match the filters.
    pub matching_variants: usize,
}

impl From<&CatalogueProduct> for CatalogueProductView {
    fn from(entry: &CatalogueProduct) -> Self {
        Self {
            id: entry.product.id.clone(),
            name: entry.product.name.clone(),
            category: entry.product.category.clone(),
            image_url: entry.product.image_url.clone(),
            options: option_views(&entry.options),
            price: entry.price.into(),
            list_price: entry.list_price.into(),
            available: entry.available,
            matching_variants: entry.matching_variants,
        }
    }
}

/// A page of the shop's catalogue.
#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogueView {
    /// The shop.
    pub shop: ShopView,
    /// Every option with its values, for filters.
    pub facets: Vec<FacetView>,
    /// This page's products.
    pub products: Vec<CatalogueProductView>,
    /// Matches in all.
    pub total: usize,
    /// This page (from 1).
    pub page: usize,
    /// Pages in all.
    pub pages: usize,
}

impl From<&Catalogue> for CatalogueView {
    fn from(catalogue: &Catalogue) -> Self {
        Self {
            shop: ShopView::from(&catalogue.shop),
            facets: catalogue.facets.iter().map(FacetView::from).collect(),
            products: catalogue.products.iter().map(CatalogueProductView::from).collect(),
            total: catalogue.total,
            page: catalogue.query.page,
            pages: catalogue.pages,
        }
    }
}

/// Units a store can promise.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoreUnitsView {
    /// The store.
    pub location_id: String,
    /// Its name.
    pub name: String,
    /// Its site.
    pub site_name: String,
    /// Available to promise: on hand − holds − the web's safety buffer (null: not counted).
    pub units: Option<i64>,
    /// Whether a customer may pick up there now.
    pub pickup: bool,
}

impl From<&StoreUnits> for StoreUnitsView {
    fn from(units: &StoreUnits) -> Self {
        Self {
            location_id: units.location_id.clone(),
            name: units.name.clone(),
            site_name: units.site_name.clone(),
            units: units.units,
            pickup: units.pickup,
        }
    }
}

/// A variant on the product page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShopVariantView {
    /// SKU.
    pub sku: String,
    /// EAN/UPC.
    pub barcode: Option<String>,
    /// Its option values by option name.
    pub attributes: BTreeMap<String, String>,
    /// One unit through the web, promotions applied (the till's engine).
    pub price: MoneyView,
    /// Before promotions.
    pub list_price: MoneyView,
    /// The promotions that lowered it.
    pub promotions: Vec<String>,
    /// Units per store.
    pub stores: Vec<StoreUnitsView>,
    /// Units one location can deliver (null: not counted).
    pub delivery_units: Option<i64>,
    /// The photo it shows (a gallery photo's card size; null: the product's own photo).
    pub image_url: Option<String>,
}

impl From<&ShopVariant> for ShopVariantView {
    fn from(variant: &ShopVariant) -> Self {
        Self {
            sku: variant.variant.sku.clone(),
            barcode: variant.variant.barcode.clone(),
            attributes: variant.attributes.clone(),
            price: variant.price.into(),
            list_price: variant.list_price.into(),
            promotions: variant.promotions.clone(),
            stores: variant.stores.iter().map(StoreUnitsView::from).collect(),
            delivery_units: variant.delivery_units,
            image_url: variant.image_url.clone(),
        }
    }
}

/// A product page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShopProductView {
    /// The shop.
    pub shop: ShopView,
    /// Product id.
    pub id: String,
    /// Name.
    pub name: String,
    /// What it says of itself.
    pub description: Option<String>,
    /// Category.
    pub category: Option<String>,
    /// Photo.
    pub image_url: Option<String>,
    /// Its options.
    pub options: Vec<ProductOptionView>,
    /// Its variants.
    pub variants: Vec<ShopVariantView>,
}

impl From<&ShopProduct> for ShopProductView {
    fn from(page: &ShopProduct) -> Self {
        Self {
            shop: ShopView::from(&page.shop),
            id: page.product.id.clone(),
            name: page.product.name.clone(),
            description: page.product.description.clone(),
            category: page.product.category.clone(),
            image_url: page.product.image_url.clone(),
            options: option_views(&page.options),
            variants: page.variants.iter().map(ShopVariantView::from).collect(),
        }
    }
}

/// Where a cart can be had.
#[derive(Debug, Serialize, ToSchema)]
pub struct FulfilmentOptionsView {
    /// The stores that can promise every line for pickup now.
    pub pickup: Vec<ShopLocationView>,
    /// Whether one location can deliver every line.
    pub delivery: bool,
    /// The location a delivery would come from (null: none holds every line).
    pub delivery_from: Option<ShopLocationView>,
}

/// A location's kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationKindView {
    /// The location.
    pub location_id: String,
    /// `store` or `warehouse`.
    #[schema(value_type = String, example = "warehouse")]
    pub kind: omnicanal_domain::retail::LocationKind,
}

/// A product with options, as created.
#[derive(Debug, Serialize, ToSchema)]
pub struct RetailProductView {
    /// The product and its variants.
    #[serde(flatten)]
    pub product: super::ProductView,
    /// Its options.
    pub options: Vec<ProductOptionView>,
}
