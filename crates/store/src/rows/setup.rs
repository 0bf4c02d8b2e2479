//! Sites, merchants, locations, products and variants.

use omnicanal_domain::Currency;
use omnicanal_domain::catalog::{Country, MerchantKind};
use omnicanal_domain::dish::Allergen;
use omnicanal_domain::pricing::TaxCategory;
use omnicanal_domain::site::UnacceptedPolicy;

/// A mall or shopping centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteRow {
    /// Opaque id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its country.
    pub country: Country,
    /// The currency it sells in (the country's).
    pub currency: Currency,
    /// IANA time zone.
    pub timezone: String,
    /// A part not accepted within this many minutes is dealt with by `unaccepted_policy`
    /// (None: no limit).
    pub accept_within_minutes: Option<i64>,
    /// What happens to a part not accepted in time.
    pub unaccepted_policy: UnacceptedPolicy,
    /// Creation time.
    pub created_at_ms: i64,
}

/// A restaurant or shop business.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantRow {
    /// Opaque id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Restaurant or retail.
    pub kind: MerchantKind,
    /// Commission in basis points.
    pub commission_bps: i64,
    /// Tax id printed on its tax documents (RUT, RUC, NIT).
    pub tax_id: Option<String>,
    /// Creation time.
    pub created_at_ms: i64,
}

/// A merchant's counter or store at a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationRow {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Where it is.
    pub site_id: String,
    /// Display name.
    pub name: String,
    /// Whether customers may pay at the counter.
    pub pay_at_pickup: bool,
    /// Whether it takes orders now.
    pub is_open: bool,
    /// Storefront settings: preparation time, pause, hours, counter, slot capacity.
    pub storefront: StorefrontSettings,
    /// Creation time.
    pub created_at_ms: i64,
}

/// How a location presents itself to customers and takes orders over the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorefrontSettings {
    /// Usual preparation time, in minutes, shown to customers.
    pub prep_minutes: i64,
    /// Paused ("too busy") until this time; None when not paused.
    pub paused_until_ms: Option<i64>,
    /// Weekly opening hours as JSON (see the domain's `hours` module); None: always open.
    pub opening_hours_json: Option<String>,
    /// Where the counter is ("Local 12, nivel 3").
    pub counter: Option<String>,
    /// Most orders per pickup slot; None: no limit.
    pub slot_capacity: Option<i64>,
}

impl Default for StorefrontSettings {
    fn default() -> Self {
        Self { prep_minutes: 15, paused_until_ms: None, opening_hours_json: None, counter: None, slot_capacity: None }
    }
}

/// A product; its sellable units are variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    /// Opaque id.
    pub id: String,
    /// Owner.
    pub merchant_id: String,
    /// Display name.
    pub name: String,
    /// Whether stock is counted.
    pub track_stock: bool,
    /// Which tax rate applies.
    pub tax_category: TaxCategory,
    /// Menu category ("Pizzas", "Bebidas").
    pub category: Option<String>,
    /// Photo URL; the menu shows a placeholder without one.
    pub image_url: Option<String>,
    /// Modifier groups as JSON (the domain's `ModifierGroup` list); None: no choices.
    pub modifiers_json: Option<String>,
    /// What the menu says of it (plain text, checked by the domain's `Description`).
    pub description: Option<String>,
    /// The allergens it contains, each once, in the domain's table order.
    pub allergens: Vec<Allergen>,
    /// Creation time.
    pub created_at_ms: i64,
}

/// A sellable variant with its SKU and price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantRow {
    /// Opaque id.
    pub id: String,
    /// Its product.
    pub product_id: String,
    /// Owner (denormalised for the per-merchant SKU uniqueness).
    pub merchant_id: String,
    /// Unique within the merchant.
    pub sku: String,
    /// Unit price in minor units.
    pub price_minor: i64,
    /// Currency of the price.
    pub currency: Currency,
    /// Optional EAN/UPC.
    pub barcode: Option<String>,
    /// JSON object of attributes (size, colour).
    pub attributes_json: String,
}

/// A variant with what pricing needs of its product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SellableRow {
    /// The variant.
    pub variant: VariantRow,
    /// The product's name.
    pub product_name: String,
    /// Whether stock is counted.
    pub track_stock: bool,
    /// Which tax rate applies.
    pub tax_category: TaxCategory,
    /// The product's modifier groups as JSON.
    pub modifiers_json: Option<String>,
    /// The product is archived: off the menus; only a till (whose offline sales may name it)
    /// still sells it.
    pub archived: bool,
}

/// The order of the console's site and merchant lists: by creation (oldest first, the default)
/// or by name, either way round. Ties fall back to the id, so pages never overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SetupOrder {
    /// Oldest first.
    #[default]
    Oldest,
    /// Newest first.
    Newest,
    /// By name, A to Z (any case).
    Name,
    /// By name, Z to A.
    NameDescending,
}

impl SetupOrder {
    /// Every order, for the pages' column links.
    pub const ALL: [SetupOrder; 4] = [Self::Oldest, Self::Newest, Self::Name, Self::NameDescending];

    /// `created`, `-created`, `name` or `-name`, as a page's `?sort=` says it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oldest => "created",
            Self::Newest => "-created",
            Self::Name => "name",
            Self::NameDescending => "-name",
        }
    }

    /// The order `?sort=` names; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|order| order.as_str() == raw)
    }

    /// The SQL `ORDER BY` list: a fixed text per variant, never the caller's.
    pub(crate) fn order_by(self) -> &'static str {
        match self {
            Self::Oldest => "created_at_ms, id",
            Self::Newest => "created_at_ms DESC, id DESC",
            Self::Name => "LOWER(name), id",
            Self::NameDescending => "LOWER(name) DESC, id DESC",
        }
    }
}
