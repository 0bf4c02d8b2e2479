//! The retail catalogue (issue 17 point 1): products with options (size, colour, …) and one
//! variant per combination, and locations that are stores or warehouses. The web shop
//! (`crate::webshop`) reads both.

pub mod gallery;
pub mod locations;
pub mod products;
pub mod shop_slug;
pub mod variant_grid;

pub use locations::LocationKindChange;
pub use products::{NewRetailProduct, RetailProductInput};
pub use shop_slug::parse_shop_slug;
pub use variant_grid::{GridVariantInput, VariantGrid, VariantGridInput};
