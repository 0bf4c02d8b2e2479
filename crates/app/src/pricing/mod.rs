//! Pricing: a cart priced by the one engine for every channel, stored quotes, and the rules
//! merchants and operators keep — price lists, promotions and coupons.

pub mod cart;
pub mod catalog_reads;
pub mod coupons;
pub mod price_lists;
pub mod promotions;
pub mod search;
pub mod snapshot;
