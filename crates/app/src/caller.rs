//! Who asks: the signed-in user a use case decides for, and the isolation rule.
//!
//! A user of one merchant gets `NotFound`, never `Forbidden`, for another merchant's
//! resources, so ids of other merchants cannot even be probed; a role that may not do
//! something within its own merchant gets `Forbidden`. Every check is here, so a handler never
//! decides who may do what.

use omnicanal_domain::access::Role;

use crate::error::{AppError, AppResult};

/// A signed-in user, as the use cases see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// User id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The merchant of a manager or staff member.
    pub merchant_id: Option<String>,
    /// The location of a staff member.
    pub location_id: Option<String>,
}

impl Caller {
    /// `Forbidden` unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> AppResult<()> {
        if roles.contains(&self.role) { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// True when the user works across all merchants.
    pub fn is_platform(&self) -> bool {
        self.role.is_platform()
    }

    /// `NotFound(what)` unless the user may see `merchant_id`'s data.
    pub fn check_merchant(&self, merchant_id: &str, what: &'static str) -> AppResult<()> {
        if self.is_platform() || self.merchant_id.as_deref() == Some(merchant_id) {
            Ok(())
        } else {
            Err(AppError::NotFound(what))
        }
    }

    /// `NotFound("location")` unless the user may see the location (staff: only their own).
    pub fn check_location(&self, merchant_id: &str, location_id: &str) -> AppResult<()> {
        self.check_merchant(merchant_id, "location")?;
        if self.role == Role::Staff && self.location_id.as_deref() != Some(location_id) {
            return Err(AppError::NotFound("location"));
        }
        Ok(())
    }

    /// True when the user may see the location (the same rule as [`Caller::check_location`]).
    pub fn sees_location(&self, merchant_id: &str, location_id: &str) -> bool {
        self.check_location(merchant_id, location_id).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(role: Role, merchant: Option<&str>, location: Option<&str>) -> Caller {
        Caller {
            id: "usr_1".into(),
            email: "a@b.c".into(),
            role,
            merchant_id: merchant.map(str::to_owned),
            location_id: location.map(str::to_owned),
        }
    }

    #[test]
    fn other_merchants_are_not_found_and_staff_see_only_their_location() {
        let admin = caller(Role::Admin, None, None);
        assert!(admin.check_location("mer_b", "loc_b").is_ok());
        let manager = caller(Role::MerchantManager, Some("mer_a"), None);
        assert!(manager.check_location("mer_a", "loc_x").is_ok());
        assert!(matches!(manager.check_merchant("mer_b", "merchant"), Err(AppError::NotFound("merchant"))));
        let staff = caller(Role::Staff, Some("mer_a"), Some("loc_a"));
        assert!(staff.sees_location("mer_a", "loc_a"));
        assert!(!staff.sees_location("mer_a", "loc_b"));
        assert!(matches!(staff.require(&[Role::Admin]), Err(AppError::Forbidden)));
    }
}
