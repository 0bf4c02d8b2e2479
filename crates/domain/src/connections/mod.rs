//! Shop connections: an external shop (WooCommerce, PrestaShop, Magento 2, Shopify) kept in
//! step with Omnicanal's one stock ledger and one price book.
//!
//! Pure rules only: which shop a connection talks to, who owns each synchronised field, what a
//! change seen in the shop means (revert it, accept it, or ask a person), what the shop is told
//! a SKU's available quantity is, and how long to wait before trying a shop again. The clients
//! that speak each shop's API live at the edge; the use cases decide with what is here.

pub mod backoff;
pub mod decimal;
pub mod kind;
pub mod rules;

pub use backoff::retry_delay_ms;
pub use kind::{ConnectionStatus, ConnectorKind, RemoteOrderStatus, ShopOrderState};
pub use rules::{FieldOwner, FieldRules, RemoteChange, SyncedField, decide_remote_change, shop_available};
