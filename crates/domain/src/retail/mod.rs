//! Retail (issue 17 points 1 and 2): what a shop that sells clothes and gear needs beyond a
//! menu — a product's options (size, colour, …) with one variant per combination, and whether a
//! location is a store a customer can pick up from or a warehouse that only serves the web.
//! Pure values with one fallible constructor each; the app layer stores and serves them.

pub mod location_kind;
pub mod options;
pub mod pickup_promise;
pub mod shop_slug;

pub use location_kind::LocationKind;
pub use options::{ProductOption, ProductOptions, check_variant_combinations};
pub use pickup_promise::pickup_ready_in_minutes;
pub use shop_slug::ShopSlug;
