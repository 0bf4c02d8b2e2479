//! Shop connections (issue 16, contract v2 "Shop connections"): set-up and its refusals, the
//! webhook's signature, and — against each shop's fake built from its published API — stock
//! and prices out, orders in exactly once, edits in the shop's admin, throttling and failures.

mod magento;
mod prestashop;
mod setup;
mod shopify;
pub(crate) mod support;
mod woocommerce;
