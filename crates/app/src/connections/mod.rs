//! Shop connections (WooCommerce, PrestaShop, Magento 2, Shopify) kept in step with the one
//! stock ledger and price book: the client trait every shop implements ([`client`]), and the
//! use cases that decide what is pushed, imported and recorded.

pub mod client;
