//! The catalogue: products, their variants and modifier groups, and the menu a channel shows.

pub mod menu;
pub mod products;

pub use menu::{MenuLocation, MenuProduct, MenuVariant, SiteMenu};
pub use products::{NewProduct, NewVariant, ProductInput, VariantInput};
