//! The catalogue: products, their variants and modifier groups, whether a location takes orders
//! now (its storefront state), the menu a channel shows, and the snapshot a till sells with offline.

pub mod categories;
pub mod editing;
pub mod menu;
pub mod menu_promotions;
/// Resizing and checking product photos (pure, blocking work).
pub mod photo_images;
/// Product photos: upload, delete, serve (issue 15 point 2).
pub mod photos;
pub mod products;
pub mod storefront;
pub mod till;

pub use categories::CategoryRename;
pub use editing::{ProductPatch, ProductQuery};
pub use menu::{MenuLocation, MenuProduct, MenuVariant, SiteMenu};
pub use menu_promotions::{MenuPromotion, PromotionEnds};
pub use products::{NewProduct, NewVariant, ProductInput, VariantInput};
pub use storefront::LocationState;
