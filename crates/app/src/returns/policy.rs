//! A merchant's return policy: read by anyone who takes returns, set by its managers and
//! admins (audited).

use omnicanal_domain::returns::ReturnPolicy;
use omnicanal_store::ReturnPolicyRow;
use serde_json::json;

use super::{POLICY_ROLES, RETURN_ROLES};
use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::Validator;

/// A policy as a manager sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetReturnPolicy {
    /// The policy.
    pub policy: ReturnPolicy,
}

impl SetReturnPolicy {
    /// Parses a policy, reporting every bad field (each SKU by its index).
    pub fn parse(window_days: i64, needs_receipt: bool, final_sale_skus: &[String]) -> AppResult<Self> {
        let mut v = Validator::new();
        let mut skus = Vec::with_capacity(final_sale_skus.len());
        for (index, raw) in final_sale_skus.iter().enumerate() {
            if let Some(sku) = v.check(&format!("final_sale_skus[{index}]"), omnicanal_domain::catalog::Sku::parse(raw))
            {
                skus.push(sku.as_str().to_owned());
            }
        }
        let policy = v.check("window_days", ReturnPolicy::new(window_days, needs_receipt, skus));
        v.done(|| Some(Self { policy: policy? }))
    }
}

fn policy_json(policy: &ReturnPolicy) -> serde_json::Value {
    json!({
        "window_days": policy.window_days(),
        "needs_receipt": policy.needs_receipt(),
        "final_sale_skus": policy.final_sale_skus(),
    })
}

impl App {
    /// The merchant's policy (the default when none was set).
    pub(crate) async fn policy_of(&self, merchant_id: &str) -> AppResult<ReturnPolicy> {
        match self.store.get_return_policy(merchant_id).await? {
            None => Ok(ReturnPolicy::default()),
            Some(row) => ReturnPolicy::new(row.window_days, row.needs_receipt, row.final_sale_skus)
                .map_err(|error| AppError::internal(format!("stored return policy: {error}"))),
        }
    }

    /// A merchant's return policy (anyone who takes its returns may read it).
    pub async fn return_policy(&self, caller: &Caller, merchant_id: &str) -> AppResult<ReturnPolicy> {
        caller.require(&RETURN_ROLES)?;
        caller.check_merchant(merchant_id, "merchant")?;
        if self.store.get_merchant(merchant_id).await?.is_none() {
            return Err(AppError::NotFound("merchant"));
        }
        self.policy_of(merchant_id).await
    }

    /// Sets a merchant's return policy (its managers, admins); audited.
    pub async fn set_return_policy(
        &self,
        caller: &Caller,
        merchant_id: &str,
        command: SetReturnPolicy,
    ) -> AppResult<ReturnPolicy> {
        caller.check_merchant(merchant_id, "merchant")?;
        caller.require(&POLICY_ROLES)?;
        if self.store.get_merchant(merchant_id).await?.is_none() {
            return Err(AppError::NotFound("merchant"));
        }
        let before = self.policy_of(merchant_id).await?;
        let policy = command.policy;
        let row = ReturnPolicyRow {
            merchant_id: merchant_id.to_owned(),
            window_days: policy.window_days(),
            needs_receipt: policy.needs_receipt(),
            final_sale_skus: policy.final_sale_skus().to_vec(),
            updated_by: Some(caller.id.clone()),
            updated_at_ms: self.now_ms(),
        };
        self.store.put_return_policy(&row).await?;
        let change = Change::new(AuditEntity::ReturnPolicy, merchant_id, AuditAction::Updated, Some(merchant_id));
        self.record_change(caller, change.values(Some(policy_json(&before)), Some(policy_json(&policy)))).await;
        Ok(policy)
    }
}
