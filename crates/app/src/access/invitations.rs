//! Users with roles from the console (issue 15 point 1): the list an admin or a manager sees,
//! invitations by link with a first password, deactivation and reactivation.
//!
//! An invitation creates the user at once (its e-mail is taken, a second invitation to it is
//! "already exists") with no usable password, and gives the inviter a link token shown once:
//! only its SHA-256 is stored, it works once and expires after [`INVITATION_TTL_MS`].
//! Deactivating a user ends every session of theirs in the same commit, and sign-in and session
//! lookups skip deactivated users, so their open pages stop working at their next request.

use omnicanal_domain::access::Role;
use omnicanal_store::{InvitationRow, ManagedUserRow, Page, SessionRow, UserOrder, UserRow, UserSearch};

use super::passwords::{NewPassword, hash_password};
use super::sessions::{SESSION_TTL_MS, Session};
use super::users::NewUser;
use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::{new_id, new_token, sha256_hex};
use crate::validation::{Validator, plausible_email};
use serde_json::json;

/// How long an invitation link works: seven days.
pub const INVITATION_TTL_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// The most users a page of the list shows.
pub const MAX_USERS_PAGE: i64 = 500;

/// A new invitation, parsed: e-mail, role and, as the role needs, merchant and location.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    /// E-mail, trimmed and lower-cased.
    pub email: String,
    /// Role to grant.
    pub role: Role,
    /// Its merchant (managers and staff).
    pub merchant_id: Option<String>,
    /// Its location (staff).
    pub location_id: Option<String>,
}

impl NewInvitation {
    /// Parses an invitation, reporting every bad field.
    pub fn parse(email: &str, role: &str, merchant_id: Option<String>, location_id: Option<String>) -> AppResult<Self> {
        let mut v = Validator::new();
        let email = email.trim().to_lowercase();
        if !plausible_email(&email) {
            v.push("email", "must be an e-mail address");
        }
        let role = Role::parse(role.trim()).ok();
        if role.is_none() {
            v.push("role", "must be admin, merchant_manager, staff or support_agent");
        }
        let merchant_id = merchant_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        let location_id = location_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        v.done(|| {
            let role = role?;
            Some(Self {
                email,
                role,
                merchant_id: merchant_id.filter(|_| role.belongs_to_merchant()),
                location_id: location_id.filter(|_| role == Role::Staff),
            })
        })
    }
}

/// An invitation just made: the user and the link's token, shown once.
#[derive(Debug, Clone)]
pub struct IssuedInvitation {
    /// The invited user (no password yet).
    pub user: UserRow,
    /// The token of the link `/console/invite/{token}`; only its hash is stored.
    pub token: String,
    /// When the link stops working.
    pub expires_at_ms: i64,
}

/// What the first-password page shows of an open invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvitation {
    /// The invited e-mail.
    pub email: String,
    /// The role it grants.
    pub role: Role,
    /// When the link stops working.
    pub expires_at_ms: i64,
}

impl App {
    /// The users the caller manages, by e-mail fragment: an admin sees every user, a manager
    /// its merchant's; anyone else is `Forbidden`.
    pub async fn list_managed_users(
        &self,
        caller: &Caller,
        email_contains: &str,
        order: UserOrder,
        page: Page,
    ) -> AppResult<(Vec<ManagedUserRow>, i64)> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let search = UserSearch {
            merchant_id: if caller.role == Role::Admin { None } else { caller.merchant_id.clone() },
            email_contains: email_contains.trim().to_lowercase(),
            order,
        };
        let page = Page { limit: page.limit.clamp(1, MAX_USERS_PAGE), offset: page.offset.max(0) };
        Ok(self.store.list_users(&search, page).await?)
    }

    /// A user the caller manages; another merchant's (or an admin, for a manager) is `NotFound`.
    pub async fn managed_user(&self, caller: &Caller, user_id: &str) -> AppResult<ManagedUserRow> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let user = self.store.get_managed_user(user_id).await?.ok_or(AppError::NotFound("user"))?;
        if caller.role != Role::Admin
            && (user.user.merchant_id.is_none() || caller.merchant_id != user.user.merchant_id)
        {
            return Err(AppError::NotFound("user"));
        }
        Ok(user)
    }

    /// Invites a user: an admin grants any role; a manager invites staff of its own merchant's
    /// locations only (another role is invalid `role`). A taken e-mail is `AlreadyExists(email)`.
    pub async fn invite_user(&self, caller: &Caller, invitation: NewInvitation) -> AppResult<IssuedInvitation> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let mut v = Validator::new();
        if caller.role != Role::Admin && invitation.role != Role::Staff {
            v.push("role", "a merchant manager may invite staff only");
        }
        let as_user = NewUser {
            email: invitation.email.clone(),
            password: String::new(),
            role: invitation.role,
            merchant_id: invitation.merchant_id.clone(),
            location_id: invitation.location_id.clone(),
        };
        self.check_membership(caller, &as_user, &mut v).await?;
        v.finish()?;
        let now = self.now_ms();
        let user = UserRow {
            id: new_id("usr"),
            email: invitation.email,
            // No argon2 hash is empty, so no password signs in until the link sets one.
            password_hash: String::new(),
            role: invitation.role,
            merchant_id: invitation.merchant_id,
            location_id: invitation.location_id,
            created_at_ms: now,
        };
        let token = new_token();
        let row = InvitationRow {
            token_hash: sha256_hex(token.as_bytes()),
            user_id: user.id.clone(),
            invited_by: caller.id.clone(),
            created_at_ms: now,
            expires_at_ms: now + INVITATION_TTL_MS,
            accepted_at_ms: None,
        };
        self.store.insert_invited_user(&user, &row).await?;
        self.record_change(
            caller,
            Change::created(AuditEntity::Invitation, &user.id, user.merchant_id.as_deref(), &user),
        )
        .await;
        Ok(IssuedInvitation { user, token, expires_at_ms: row.expires_at_ms })
    }

    /// The invitation behind a link token, while it can still be accepted: unknown is
    /// `NotFound`, used or expired or deactivated is `Conflict` with the reason.
    pub async fn open_invitation(&self, token: &str) -> AppResult<OpenInvitation> {
        let (invitation, user) = self.usable_invitation(token).await?;
        Ok(OpenInvitation { email: user.user.email, role: user.user.role, expires_at_ms: invitation.expires_at_ms })
    }

    /// Sets the first password through an invitation link and signs the user in: the new
    /// session's token (shown once) and the session. The link works once.
    pub async fn accept_invitation(&self, token: &str, password: &NewPassword) -> AppResult<(String, Session)> {
        let (invitation, user) = self.usable_invitation(token).await?;
        let password_hash = hash_password(password.expose())?;
        let session_token = new_token();
        let session = SessionRow {
            token_hash: sha256_hex(session_token.as_bytes()),
            user_id: user.user.id.clone(),
            expires_at_ms: self.now_ms() + SESSION_TTL_MS,
        };
        // The store re-checks in its transaction: of two uses racing, one wins.
        if !self.store.accept_invitation(&invitation.token_hash, &password_hash, &session, self.now_ms()).await? {
            return Err(AppError::Conflict("this invitation link was already used or has expired".into()));
        }
        let caller = Caller {
            id: user.user.id,
            email: user.user.email,
            role: user.user.role,
            merchant_id: user.user.merchant_id,
            location_id: user.user.location_id,
        };
        let change =
            Change::new(AuditEntity::Invitation, &caller.id, AuditAction::Accepted, caller.merchant_id.as_deref());
        self.record_change(
            &caller,
            change.values(Some(json!({"status": "invited"})), Some(json!({"status": "active"}))),
        )
        .await;
        Ok((session_token, Session { caller, token_hash: session.token_hash }))
    }

    /// Deactivates (`active == false`) or reactivates a user the caller manages. A manager may
    /// change staff of its merchant only (`Forbidden` for its fellow managers); nobody
    /// deactivates themselves (`Conflict`). Deactivating ends every session of the user.
    pub async fn set_user_active(&self, caller: &Caller, user_id: &str, active: bool) -> AppResult<ManagedUserRow> {
        let user = self.managed_user(caller, user_id).await?;
        if caller.role != Role::Admin && user.user.role != Role::Staff {
            return Err(AppError::Forbidden);
        }
        if !active && user.user.id == caller.id {
            return Err(AppError::Conflict("you cannot deactivate yourself".into()));
        }
        let at = if active { None } else { Some(user.deactivated_at_ms.unwrap_or_else(|| self.now_ms())) };
        if !self.store.set_user_deactivated(user_id, at).await? {
            return Err(AppError::NotFound("user"));
        }
        let after = ManagedUserRow { deactivated_at_ms: at, ..user.clone() };
        let action = if active { AuditAction::Reactivated } else { AuditAction::Deactivated };
        let change = Change::new(AuditEntity::User, &user.user.id, action, user.user.merchant_id.as_deref());
        self.record_change(caller, change.before(&user).after(&after)).await;
        Ok(after)
    }

    async fn usable_invitation(&self, token: &str) -> AppResult<(InvitationRow, ManagedUserRow)> {
        let token = token.trim();
        if token.is_empty() || token.len() > 200 {
            return Err(AppError::NotFound("invitation"));
        }
        let invitation =
            self.store.get_invitation(&sha256_hex(token.as_bytes())).await?.ok_or(AppError::NotFound("invitation"))?;
        if invitation.accepted_at_ms.is_some() {
            return Err(AppError::Conflict("this invitation link was already used; sign in instead".into()));
        }
        if invitation.expires_at_ms <= self.now_ms() {
            return Err(AppError::Conflict("this invitation link has expired; ask for a new one".into()));
        }
        let user = self.store.get_managed_user(&invitation.user_id).await?.ok_or(AppError::NotFound("invitation"))?;
        if user.deactivated_at_ms.is_some() {
            return Err(AppError::Conflict("this account was deactivated".into()));
        }
        Ok((invitation, user))
    }
}
