//! Users: admins create anyone; managers create staff and managers of their own merchant.

use omnicanal_domain::access::Role;
use omnicanal_store::UserRow;

use super::passwords::{NewPassword, hash_password};
use crate::App;
use crate::audit::{AuditEntity, Change};
use crate::caller::Caller;
use crate::error::AppResult;
use crate::ids::new_id;
use crate::validation::{Validator, plausible_email};

/// A new user, parsed: a plausible e-mail (lower-cased), a password of 10 to 200 characters,
/// a role; the merchant and location it belongs to are checked by [`App::create_user`].
#[derive(Clone)]
pub struct NewUser {
    /// E-mail, trimmed and lower-cased.
    pub email: String,
    /// The password to hash.
    pub password: String,
    /// Role.
    pub role: Role,
    /// Its merchant (kept for managers and staff only).
    pub merchant_id: Option<String>,
    /// Its location (kept for staff only).
    pub location_id: Option<String>,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser").field("email", &self.email).field("role", &self.role).finish_non_exhaustive()
    }
}

impl NewUser {
    /// Parses the fields of a new user, reporting every bad one.
    pub fn parse(
        email: &str,
        password: &str,
        role: &str,
        merchant_id: Option<String>,
        location_id: Option<String>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let email = email.trim().to_lowercase();
        if !plausible_email(&email) {
            v.push("email", "must be an e-mail address");
        }
        // The same rule as a password change, so the account can keep the password it is given.
        if let Err(problem) = NewPassword::parse(password) {
            v.push("password", problem.message());
        }
        let role = Role::parse(role).ok();
        if role.is_none() {
            v.push("role", "must be admin, merchant_manager, staff or support_agent");
        }
        let merchant_id = merchant_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        let location_id = location_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        v.done(|| {
            let role = role?;
            Some(Self {
                email,
                password: password.to_owned(),
                role,
                merchant_id: merchant_id.filter(|_| role.belongs_to_merchant()),
                location_id: location_id.filter(|_| role == Role::Staff),
            })
        })
    }
}

impl App {
    /// Creates a user. Admins create anyone; a manager creates managers and staff of its own
    /// merchant (another merchant is "no such merchant"). A taken e-mail is `AlreadyExists`.
    pub async fn create_user(&self, caller: &Caller, user: NewUser) -> AppResult<UserRow> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let mut v = Validator::new();
        if matches!(user.role, Role::Admin | Role::SupportAgent) && caller.role != Role::Admin {
            v.push("role", "only an admin may create admins and support agents");
        }
        self.check_membership(caller, &user, &mut v).await?;
        v.finish()?;
        let row = UserRow {
            id: new_id("usr"),
            email: user.email,
            password_hash: hash_password(&user.password)?,
            role: user.role,
            merchant_id: user.merchant_id,
            location_id: user.location_id,
            created_at_ms: self.now_ms(),
        };
        self.store.insert_user(&row).await?;
        self.record_change(caller, Change::created(AuditEntity::User, &row.id, row.merchant_id.as_deref(), &row)).await;
        Ok(row)
    }

    /// Creates the first admin when the database has no users yet; false when it had some.
    pub async fn create_first_admin(&self, email: &str, password: &str) -> AppResult<bool> {
        if self.store.count_users().await? > 0 {
            return Ok(false);
        }
        let user = NewUser::parse(email, password, Role::Admin.as_str(), None, None)?;
        let row = UserRow {
            id: new_id("usr"),
            email: user.email,
            password_hash: hash_password(&user.password)?,
            role: Role::Admin,
            merchant_id: None,
            location_id: None,
            created_at_ms: self.now_ms(),
        };
        self.store.insert_user(&row).await?;
        Ok(true)
    }

    /// A manager or staff member must name a merchant the creator may see and, for staff, one
    /// of its locations.
    pub(super) async fn check_membership(&self, caller: &Caller, user: &NewUser, v: &mut Validator) -> AppResult<()> {
        if !user.role.belongs_to_merchant() {
            return Ok(());
        }
        let Some(merchant_id) = &user.merchant_id else {
            v.push("merchant_id", "required for merchant_manager and staff");
            return Ok(());
        };
        if caller.check_merchant(merchant_id, "merchant").is_err()
            || self.store.get_merchant(merchant_id).await?.is_none()
        {
            v.push("merchant_id", "no such merchant");
            return Ok(());
        }
        if user.role == Role::Staff {
            match &user.location_id {
                None => v.push("location_id", "required for staff"),
                Some(location_id) => {
                    let location = self.store.get_location(location_id).await?;
                    if location.is_none_or(|location| &location.merchant_id != merchant_id) {
                        v.push("location_id", "no such location for this merchant");
                    }
                }
            }
        }
        Ok(())
    }
}
