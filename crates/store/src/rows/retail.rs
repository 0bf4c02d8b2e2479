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
