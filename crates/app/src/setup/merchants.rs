//! Merchants (restaurants, shops): created by the platform's admins; seen by platform users
//! all, and by a merchant's own people as their one merchant.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::{CommissionRate, MerchantKind, Name};
use omnicanal_store::{MerchantRow, Page, SetupOrder};

use crate::App;
use crate::audit::{AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// Longest tax id accepted, in characters.
pub const MAX_TAX_ID_CHARS: usize = 32;

/// A new merchant, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMerchant {
    /// Display name.
    pub name: Name,
    /// Restaurant or retail.
    pub kind: MerchantKind,
    /// The platform's commission.
    pub commission: CommissionRate,
    /// Tax id printed on its tax documents, trimmed; `None` when blank.
    pub tax_id: Option<String>,
}

impl NewMerchant {
    /// Parses a new merchant, reporting every bad field.
    pub fn parse(name: &str, kind: &str, commission_bps: i64, tax_id: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let name = v.check("name", Name::parse("name", name));
        let kind = MerchantKind::parse(kind).ok();
        if kind.is_none() {
            v.push("kind", "must be restaurant or retail");
        }
        let commission = v.check("commission_bps", CommissionRate::parse(commission_bps));
        let tax_id = tax_id.map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned);
        if tax_id.as_ref().is_some_and(|id| id.chars().count() > MAX_TAX_ID_CHARS) {
            v.push("tax_id", format!("must be at most {MAX_TAX_ID_CHARS} characters"));
        }
        v.done(|| Some(Self { name: name?, kind: kind?, commission: commission?, tax_id }))
    }
}

/// A change to a merchant as sent: `None` keeps a field; `tax_id: Some(None)` (or blank) clears
/// it.
#[derive(Debug, Clone, Default)]
pub struct MerchantPatch {
    /// New display name.
    pub name: Option<String>,
    /// `restaurant` or `retail`.
    pub kind: Option<String>,
    /// New commission in basis points.
    pub commission_bps: Option<i64>,
    /// New tax id.
    pub tax_id: Option<Option<String>>,
}

impl App {
    /// Creates a merchant (admins only).
    pub async fn create_merchant(&self, caller: &Caller, merchant: NewMerchant) -> AppResult<MerchantRow> {
        caller.require(&[Role::Admin])?;
        let row = MerchantRow {
            id: new_id("mer"),
            name: merchant.name.into_inner(),
            kind: merchant.kind,
            commission_bps: i64::from(merchant.commission.bps()),
            tax_id: merchant.tax_id,
            created_at_ms: self.now_ms(),
        };
        self.store.insert_merchant(&row).await?;
        self.record_change(caller, Change::created(AuditEntity::Merchant, &row.id, Some(&row.id), &row)).await;
        Ok(row)
    }

    /// Changes a merchant's name, kind, commission and tax id (admins only: the commission is
    /// the platform's business); a field not given keeps its value, and the result is checked
    /// as a new merchant is. Its id, creation time, locations and catalogue stay.
    pub async fn update_merchant(&self, caller: &Caller, id: &str, patch: MerchantPatch) -> AppResult<MerchantRow> {
        caller.require(&[Role::Admin])?;
        let mut row = self.store.get_merchant(id).await?.ok_or(AppError::NotFound("merchant"))?;
        let before = row.clone();
        let tax_id = match patch.tax_id {
            Some(given) => given,
            None => row.tax_id.clone(),
        };
        let changes = NewMerchant::parse(
            patch.name.as_deref().unwrap_or(&row.name),
            patch.kind.as_deref().unwrap_or(row.kind.as_str()),
            patch.commission_bps.unwrap_or(row.commission_bps),
            tax_id.as_deref(),
        )?;
        row.name = changes.name.into_inner();
        row.kind = changes.kind;
        row.commission_bps = i64::from(changes.commission.bps());
        row.tax_id = changes.tax_id;
        self.store.update_merchant(&row).await?;
        self.record_change(caller, Change::updated(AuditEntity::Merchant, &row.id, Some(&row.id), &before, &row)).await;
        Ok(row)
    }

    /// Merchants the caller may see: a page of all of them for platform users, else their own
    /// (whatever the page).
    pub async fn list_merchants(&self, caller: &Caller, page: Page) -> AppResult<Vec<MerchantRow>> {
        if caller.is_platform() {
            return Ok(self.store.list_merchants(page).await?);
        }
        let own = match &caller.merchant_id {
            Some(id) => self.store.get_merchant(id).await?,
            None => None,
        };
        Ok(own.into_iter().collect())
    }

    /// The merchants the caller may see whose name contains `text` (any case), as
    /// [`App::list_merchants`].
    pub async fn search_merchants(
        &self,
        caller: &Caller,
        text: &str,
        order: SetupOrder,
        page: Page,
    ) -> AppResult<Vec<MerchantRow>> {
        if caller.is_platform() {
            return Ok(self.store.search_merchants(text, order, page).await?);
        }
        let wanted = text.trim().to_lowercase();
        let own = self.list_merchants(caller, page).await?;
        Ok(own.into_iter().filter(|merchant| merchant.name.to_lowercase().contains(&wanted)).collect())
    }

    /// One merchant the caller may see (another merchant's is not found).
    pub async fn merchant(&self, caller: &Caller, id: &str) -> AppResult<MerchantRow> {
        caller.check_merchant(id, "merchant")?;
        self.store.get_merchant(id).await?.ok_or(AppError::NotFound("merchant"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merchant_is_parsed_with_every_bad_field_named() {
        let parsed = NewMerchant::parse("Napoli", "restaurant", 1200, Some("  ")).ok();
        assert_eq!(
            parsed.map(|m| (m.kind, m.commission.bps(), m.tax_id)),
            Some((MerchantKind::Restaurant, 1200, None))
        );
        let long_tax_id = "9".repeat(33);
        let refused = NewMerchant::parse(" ", "bakery", -1, Some(&long_tax_id));
        let fields: Vec<String> = match refused {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|error| error.field).collect(),
            other => panic!("expected invalid fields, got {other:?}"),
        };
        assert_eq!(fields, ["name", "kind", "commission_bps", "tax_id"]);
    }
}
