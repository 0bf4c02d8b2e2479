//! Returns and exchanges in any store (issue 17 point 6): find a purchase with what is still
//! returnable per line, take a return at any location of the same merchant, apply the
//! merchant's policy (a manager's override recorded in the audit log), and give the money
//! back — to the card (a refund payment job), in cash out of the returning till's open
//! session, or (once the credit ledger lands) as store credit — with a credit note from the
//! merchant's series.
//!
//! The quantities and pro rata refunds are the domain's ([`omnicanal_domain::returns`]); the
//! store checks them again inside the return's transaction, and a return another till beat
//! to the same line is planned again here on fresh counts (`create.rs`).

mod command;
mod create;
mod exchange;
mod lookup;
mod policy;
mod returnable;

pub use command::{
    CreateReturn, CreateReturnInput, ExchangeLine, ExchangeLineInput, ExchangeTender, PurchaseRef, ReturnLineInput,
    ReturnOverride,
};
pub use create::CreatedReturn;
pub use exchange::CreatedExchange;
pub use lookup::{FoundPurchase, FoundPurchaseLine, PurchaseQuery};
pub use policy::SetReturnPolicy;
pub use returnable::{LineReturnability, NotReturnable, PurchaseReturnability};

use omnicanal_domain::access::Role;

/// Who takes returns: the store's staff, the merchant's managers, admins.
pub const RETURN_ROLES: [Role; 3] = [Role::Admin, Role::MerchantManager, Role::Staff];
/// Who overrides the policy or sets it.
pub const POLICY_ROLES: [Role; 2] = [Role::Admin, Role::MerchantManager];
/// Most lines one return carries.
pub const MAX_RETURN_LINES: usize = 200;
/// Most units of one line.
pub const MAX_LINE_QUANTITY: i64 = 9_999;
/// Longest reason, in characters.
pub const MAX_REASON_CHARS: usize = 200;
