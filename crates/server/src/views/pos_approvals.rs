//! Views of a manager's approvals at the till and of a till's approval limits.

use omnicanal_app::pos::approvals::{Approval, TillLimits};
use serde::Serialize;
use utoipa::ToSchema;

use super::MoneyView;
use omnicanal_app::ids::rfc3339;

/// The manager who approved.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovingManagerView {
    /// User id.
    pub id: String,
    /// Their e-mail (what the till shows as their name).
    pub email: String,
}

/// An approval given at a till by a manager's PIN: send its id with the sale line it covers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalView {
    /// Opaque id (`approval_id` in the sale).
    pub approval_id: String,
    /// `line_discount` or `line_void`.
    pub action: String,
    /// Up to how much it approves, when the till said.
    pub amount: Option<MoneyView>,
    /// Why.
    pub reason: String,
    /// The till.
    pub device_id: String,
    /// The till's open session then.
    pub session_id: Option<String>,
    /// Who approved.
    pub manager: ApprovingManagerView,
    /// When.
    pub created_at: String,
}

impl From<Approval> for ApprovalView {
    fn from(approval: Approval) -> Self {
        let row = approval.approval;
        let amount =
            row.amount_minor.zip(row.currency).map(|(amount, currency)| MoneyView::from_parts(amount, currency));
        Self {
            approval_id: row.id,
            action: row.action.to_string(),
            amount,
            reason: row.reason,
            device_id: row.device_id,
            session_id: row.session_id,
            manager: ApprovingManagerView { id: row.approved_by, email: approval.manager_email },
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// A till's limits above which a manager's PIN is needed.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceLimitsView {
    /// Largest manual discount on a line without approval, in basis points (1000 = 10 %).
    pub line_discount_bps: i64,
    /// Largest value of a voided line without approval.
    pub line_void_amount: MoneyView,
}

impl From<TillLimits> for DeviceLimitsView {
    fn from(limits: TillLimits) -> Self {
        Self {
            line_discount_bps: limits.limits.line_discount_bps,
            line_void_amount: MoneyView::from_parts(limits.limits.line_void_minor, limits.currency),
        }
    }
}
