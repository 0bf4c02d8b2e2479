//! The merchant's own web shop (issue 17 point 2) as read models and one use case: the
//! catalogue with its filters, a product page with each variant's price from the one pricing
//! engine and where it can be promised, and the checkout, which places an ordinary order
//! (`App::place_order`) at the one location that can promise every line — the store the
//! customer picks it up from, or, for a delivery, a warehouse or store that holds it all.
//!
//! Public: a shop is what any visitor sees, so nothing here takes a `Caller`.

pub mod catalogue;
pub mod checkout;
pub mod product;
pub mod shop;

pub use catalogue::{Catalogue, CatalogueProduct, CatalogueQuery, Facet};
pub use checkout::{ShopCheckoutInput, ShopFulfilment, ShopOrder};
pub use product::{ShopProduct, ShopVariant, StoreUnits};
pub use shop::{Shop, ShopLocation, ShopStock, shop_slug};
