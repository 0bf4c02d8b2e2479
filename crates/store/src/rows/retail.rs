//! Rows of the retail catalogue (issue 17): a product's options and a location's kind, read
//! beside the product and location rows rather than inside them, so the many places that
//! build those rows are untouched by a column only the web shop reads.

use omnicanal_domain::retail::LocationKind;

/// A product's options as stored (a JSON list of `{name, values}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductOptionsRow {
    /// The product.
    pub product_id: String,
    /// `[{"name": "Talla", "values": ["S", "M"]}, …]`.
    pub options_json: String,
}

/// A location's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationKindRow {
    /// The location.
    pub location_id: String,
    /// Store or warehouse.
    pub kind: LocationKind,
}

/// A merchant's chosen web shop address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopSlugRow {
    /// The merchant.
    pub merchant_id: String,
    /// Its slug (lower-case words joined by `-`).
    pub slug: String,
}

/// What saving a shop slug came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShopSlugOutcome {
    /// Saved (or unchanged).
    Saved,
    /// Another merchant has it.
    Taken,
}

/// A photo of a product's gallery (photos its variants can show).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryPhotoRow {
    /// Its id.
    pub id: String,
    /// The product.
    pub product_id: String,
    /// Who uploaded it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_at_ms: i64,
}

/// One size of a gallery photo, with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryRenditionRow {
    /// The gallery photo.
    pub photo_id: String,
    /// Which size (`thumb`, `card`, `large`).
    pub size: String,
    /// Hex SHA-256 of `bytes`.
    pub hash: String,
    /// Its media type.
    pub content_type: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// The encoded image.
    pub bytes: Vec<u8>,
}

/// A variant's chosen gallery photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantPhotoRow {
    /// The variant's SKU.
    pub sku: String,
    /// The gallery photo it shows.
    pub photo_id: String,
}
