//! A location's kind: a store (pickup, the till, deliveries) or a warehouse that sells only
//! online. Set by the merchant's manager or an admin; every location starts as a store.

use omnicanal_domain::access::Role;
use omnicanal_domain::retail::LocationKind;
use omnicanal_store::LocationKindRow;

use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::validation::Validator;

/// A location's new kind, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocationKindChange {
    /// Store or warehouse.
    pub kind: LocationKind,
}

impl LocationKindChange {
    /// Parses `kind` (`store` or `warehouse`).
    pub fn parse(kind: &str) -> AppResult<Self> {
        let mut v = Validator::new();
        let kind = v.check("kind", LocationKind::parse(kind.trim()));
        v.done(|| Some(Self { kind: kind? }))
    }
}

impl App {
    /// Makes a location a store or a warehouse (its merchant's manager or an admin). A location
    /// of another merchant is `NotFound`.
    pub async fn set_location_kind(
        &self,
        caller: &Caller,
        location_id: &str,
        change: LocationKindChange,
    ) -> AppResult<LocationKindRow> {
        let location = self.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        caller.check_location(&location.merchant_id, &location.id)?;
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let before = self.retail_location_kinds(&location.merchant_id).await?.remove(&location.id);
        let row = LocationKindRow { location_id: location.id.clone(), kind: change.kind };
        if !self.store.set_location_kind(&row).await? {
            return Err(AppError::NotFound("location"));
        }
        let entry = Change::new(AuditEntity::Location, &location.id, AuditAction::Updated, Some(&location.merchant_id))
            .values(
                before.map(|kind| serde_json::json!({ "kind": kind })),
                Some(serde_json::json!({ "kind": change.kind })),
            );
        self.record_change(caller, entry).await;
        Ok(row)
    }

    /// A merchant's locations with their kind, by name (anyone who may see the merchant; 404
    /// across merchants) — what the console's shop settings list.
    pub async fn locations_with_kind(
        &self,
        caller: &Caller,
        merchant_id: &str,
    ) -> AppResult<Vec<(omnicanal_store::LocationRow, LocationKind)>> {
        caller.check_merchant(merchant_id, "merchant")?;
        let kinds = self.retail_location_kinds(merchant_id).await?;
        let mut locations: Vec<_> = self
            .store
            .list_merchant_locations(merchant_id)
            .await?
            .into_iter()
            .map(|location| {
                let kind = kinds.get(&location.id).copied().unwrap_or(LocationKind::Store);
                (location, kind)
            })
            .collect();
        locations.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(locations)
    }

    /// The kind of each of a merchant's locations, by location id.
    pub(crate) async fn retail_location_kinds(
        &self,
        merchant_id: &str,
    ) -> AppResult<std::collections::HashMap<String, LocationKind>> {
        Ok(self
            .store
            .merchant_location_kinds(merchant_id)
            .await?
            .into_iter()
            .map(|row| (row.location_id, row.kind))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_is_a_store_or_a_warehouse() {
        assert_eq!(LocationKindChange::parse(" warehouse ").ok().map(|c| c.kind), Some(LocationKind::Warehouse));
        let fields = match LocationKindChange::parse("depot") {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect::<Vec<_>>(),
            other => panic!("expected invalid, got {other:?}"),
        };
        assert_eq!(fields, ["kind"]);
    }
}
