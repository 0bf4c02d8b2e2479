//! The till's money accounting: managers' PINs, the approvals they give at a till, the run of
//! wrong PINs per till, each till's approval limits, the lines voided from a sale and a sale's
//! manual discount, and the count per denomination at a close.

use omnicanal_domain::Currency;
use omnicanal_domain::access::Role;
use omnicanal_domain::pos::ApprovalAction;

/// A user who may approve at a till, with their PIN's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagerPinRow {
    /// The user.
    pub user_id: String,
    /// Their e-mail (the name the till shows).
    pub email: String,
    /// `merchant_manager` or `admin`.
    pub role: Role,
    /// The argon2 hash of their PIN.
    pub pin_hash: String,
}

/// An approval a manager gave at a till by typing their PIN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosApprovalRow {
    /// Opaque id, sent with the sale that uses it.
    pub id: String,
    /// The till it was typed on.
    pub device_id: String,
    /// The till's open session then, if any.
    pub session_id: Option<String>,
    /// The till's merchant.
    pub merchant_id: String,
    /// What it approves.
    pub action: ApprovalAction,
    /// Up to how much (the discount, or the voided line's value), when the till said.
    pub amount_minor: Option<i64>,
    /// The amount's currency.
    pub currency: Option<Currency>,
    /// Why, as the cashier typed it.
    pub reason: String,
    /// The manager whose PIN it was.
    pub approved_by: String,
    /// The signed-in user at the till.
    pub requested_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
    /// The sale that used it (an approval covers one line of one sale).
    pub sale_id: Option<String>,
}

/// A till's limits above which a manager must approve, as set by a manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosDeviceLimitsRow {
    /// The till.
    pub device_id: String,
    /// Largest line discount without approval, in basis points.
    pub line_discount_bps: i64,
    /// Largest voided line without approval, in minor units.
    pub line_void_minor: i64,
    /// Who set them.
    pub updated_by: Option<String>,
    /// When.
    pub updated_at_ms: i64,
}

/// A line taken off a sale's cart before payment, kept for the session report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosSaleVoidRow {
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// What the line was worth (units × the engine's unit price).
    pub value_minor: i64,
    /// The manager's approval, when the value was above the till's limit.
    pub approval_id: Option<String>,
}

/// What a sale adds to the till's accounting, written in the sale's transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PosSaleAccounting {
    /// The cashier's manual discounts in the sale's discount.
    pub manual_discount_minor: i64,
    /// Lines voided before payment.
    pub voids: Vec<PosSaleVoidRow>,
    /// Approvals the sale uses: each is marked with the sale, and one already used by another
    /// sale refuses the sale (`ApprovalTaken`).
    pub approval_ids: Vec<String>,
}

/// A session's voids and manual discounts, for its report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PosSessionAccounting {
    /// Lines voided.
    pub void_count: i64,
    /// What they were worth.
    pub void_minor: i64,
    /// The cashiers' manual discounts.
    pub manual_discount_minor: i64,
    /// Approvals given on the session's till while it was open.
    pub approval_count: i64,
    /// The count per denomination at the close: (value, count), largest first.
    pub denominations: Vec<(i64, i64)>,
}
