//! What the tablet's endless-aisle search shows: each variant found with the units every
//! location of the merchant can promise, the till's own store first (issue 17 point 7).

use serde::Serialize;
use utoipa::ToSchema;

use super::MoneyView;
use omnicanal_app::aisle::search::{AisleItem, AisleLocationUnits, AisleSearch};

/// A location's units of one variant.
#[derive(Debug, Serialize, ToSchema)]
pub struct AisleLocationView {
    /// Location id (the `source_location_id` to sell from).
    pub location_id: String,
    /// Its name ("Andina Providencia").
    pub name: String,
    /// Its site (mall, street or city).
    pub site_name: String,
    /// `store` or `warehouse`.
    #[schema(value_type = String, example = "store")]
    pub kind: omnicanal_domain::retail::LocationKind,
    /// Whether it is the till's own store.
    pub here: bool,
    /// Units the tablet may promise there; null: not counted (always available).
    pub units: Option<i64>,
    /// Its site's id (to quote a line sold from there: `POST /pricing/quote`).
    pub site_id: String,
}

impl From<AisleLocationUnits> for AisleLocationView {
    fn from(entry: AisleLocationUnits) -> Self {
        Self {
            location_id: entry.location_id,
            name: entry.name,
            site_name: entry.site_name,
            kind: entry.kind,
            here: entry.here,
            units: entry.units,
            site_id: entry.site_id,
        }
    }
}

/// A variant found, with where it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct AisleItemView {
    /// Its product's id.
    pub product_id: String,
    /// Its product's name.
    pub name: String,
    /// The variant's SKU.
    pub sku: String,
    /// Its barcode, if any.
    pub barcode: Option<String>,
    /// Its option values (`{"Talla": "M"}`).
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
    /// Its base price (the engine prices the sale).
    pub price: MoneyView,
    /// Whether its stock is counted.
    pub track_stock: bool,
    /// Every location of the merchant, the till's own first.
    pub locations: Vec<AisleLocationView>,
}

impl From<AisleItem> for AisleItemView {
    fn from(item: AisleItem) -> Self {
        Self {
            product_id: item.product.id,
            name: item.product.name,
            sku: item.variant.sku,
            barcode: item.variant.barcode,
            attributes: item.attributes.into_iter().map(|(name, value)| (name, value.into())).collect(),
            price: MoneyView::from_parts(item.variant.price_minor, item.variant.currency),
            track_stock: item.product.track_stock,
            locations: item.locations.into_iter().map(Into::into).collect(),
        }
    }
}

/// A page of the search.
#[derive(Debug, Serialize, ToSchema)]
pub struct AisleSearchView {
    /// The till's location.
    pub location_id: String,
    /// Variants on this page.
    pub items: Vec<AisleItemView>,
    /// Variants matching in all.
    pub total: usize,
}

impl From<AisleSearch> for AisleSearchView {
    fn from(search: AisleSearch) -> Self {
        Self {
            location_id: search.location_id,
            items: search.items.into_iter().map(Into::into).collect(),
            total: search.total,
        }
    }
}
