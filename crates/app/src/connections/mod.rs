//! Shop connections (WooCommerce, PrestaShop, Magento 2, Shopify) kept in step with the one
//! stock ledger and price book (issue 16).
//!
//! - [`client`]: the trait every shop's client implements, and what it answers with.
//! - [`credentials`]: credentials sealed at rest.
//! - [`setup`]: creating, reading, changing a connection and asking for a resync.
//! - [`engine`]: one pass over one connection on the node that holds it; what a failure does.
//! - [`import`]: the first import (matching by SKU, then barcode) and linking an unmatched item.
//! - [`push`]: the outbox read for what shops must be told; coalesced stock and price pushes.
//! - [`orders`]: the shop's orders in, exactly once (webhook and poll); statuses back.
//! - [`drift`]: edits made in the shop's admin, reverted, accepted or listed for a person.
//! - [`conflicts`]: what a person chooses about what is listed.

pub mod client;
pub mod conflicts;
pub mod credentials;
pub mod drift;
pub mod engine;
pub mod import;
pub mod orders;
pub mod push;
pub mod setup;
