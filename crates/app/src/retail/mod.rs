//! The retail catalogue (issue 17 point 1): products with options (size, colour, …) and one
//! variant per combination, and locations that are stores or warehouses. The web shop
//! (`crate::webshop`) reads both.

pub mod locations;
pub mod products;

pub use locations::LocationKindChange;
pub use products::{NewRetailProduct, RetailProductInput};
