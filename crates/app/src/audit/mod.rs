//! The audit log (issue 15 point 3): every change made in the back office is recorded — who
//! (id, e-mail and role at the time), when, to what, and the thing before and after — and
//! admins read it all while a merchant's manager reads only its merchant's entries.
//!
//! **When an entry is written.** Right after the change succeeds, by [`App::record_change`],
//! not inside the change's transaction: the store's write methods each own their transaction,
//! and threading an audit row through every one of them would reshape half the store for one
//! cross-cutting concern. The cost is named: a crash (or a failing database) between the
//! change's commit and the entry's insert loses that one entry. A failed insert is logged as an
//! error but does not fail the request, since the change itself is already committed and a
//! client retrying it would do it twice.
//!
//! **What is never written.** Secrets: the snapshots ([`snapshots`]) leave password hashes, PINs
//! and webhook secrets out, and [`omnicanal_domain::audit::redact`] redacts any field named like
//! one before the insert. Order placement and fulfilment transitions are not audited here: they
//! have their own event log, and the ordering hot path stays untouched.
//!
//! **Who sees what.** An entry carries the merchant the thing belongs to (`None` for the
//! platform's own: sites, merchants, platform users). A manager's list is always narrowed to its
//! merchant; naming another merchant, or opening another merchant's entry, is `NotFound` (as
//! everywhere, never `Forbidden`, so ids cannot be probed). Staff and support agents are refused.

pub mod snapshots;

use omnicanal_domain::access::Role;
use omnicanal_domain::audit::redact;
pub use omnicanal_domain::audit::{AuditAction, AuditEntity};
use omnicanal_store::{AuditEntryRow, AuditFilter, Page, StockRow};
use serde_json::{Value, json};

pub use snapshots::Snapshot;

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// Who may read the audit log.
pub const AUDIT_READERS: [Role; 2] = [Role::Admin, Role::MerchantManager];
/// Longest text search, merchant or thing id accepted, in characters.
pub const MAX_FILTER_CHARS: usize = 200;
/// Longest actor filter (an id or an e-mail, which may be 254 bytes), in characters.
pub const MAX_ACTOR_CHARS: usize = 254;

/// One change to record: what, how, whose, and the thing before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The kind of thing.
    pub entity: AuditEntity,
    /// Its id.
    pub entity_id: String,
    /// What was done.
    pub action: AuditAction,
    /// The merchant it belongs to; `None` for the platform's own.
    pub merchant_id: Option<String>,
    /// The thing before (`None` for a creation).
    pub before: Option<Value>,
    /// The thing after (`None` for a deletion).
    pub after: Option<Value>,
}

impl Change {
    /// A change of any kind.
    pub fn new(entity: AuditEntity, entity_id: &str, action: AuditAction, merchant_id: Option<&str>) -> Self {
        Self {
            entity,
            entity_id: entity_id.to_owned(),
            action,
            merchant_id: merchant_id.map(str::to_owned),
            before: None,
            after: None,
        }
    }

    /// A thing made, with what it is now.
    pub fn created(entity: AuditEntity, entity_id: &str, merchant_id: Option<&str>, after: &impl Snapshot) -> Self {
        Self::new(entity, entity_id, AuditAction::Created, merchant_id).after(after)
    }

    /// A thing changed, with what it was and what it is now.
    pub fn updated(
        entity: AuditEntity,
        entity_id: &str,
        merchant_id: Option<&str>,
        before: &impl Snapshot,
        after: &impl Snapshot,
    ) -> Self {
        Self::new(entity, entity_id, AuditAction::Updated, merchant_id).before(before).after(after)
    }

    /// The same change with this snapshot before.
    pub fn before(mut self, before: &impl Snapshot) -> Self {
        self.before = Some(before.snapshot());
        self
    }

    /// The same change with this snapshot after.
    pub fn after(mut self, after: &impl Snapshot) -> Self {
        self.after = Some(after.snapshot());
        self
    }

    /// The same change with these values before and after (for things that are not one row).
    pub fn values(mut self, before: Option<Value>, after: Option<Value>) -> Self {
        self.before = before;
        self.after = after;
        self
    }
}

/// A change to a SKU's stock at a location: on-hand before and after, with the movement's
/// reason and size (the ledger's movement itself is in the stock movements).
pub fn stock_change(merchant_id: &str, level: &StockRow, action: AuditAction, delta: i64, reason: &str) -> Change {
    let entity_id = format!("{}/{}", level.location_id, level.sku);
    let before = json!({ "sku": level.sku, "location_id": level.location_id, "on_hand": level.on_hand - delta });
    let after = json!({
        "sku": level.sku, "location_id": level.location_id, "on_hand": level.on_hand, "delta": delta, "reason": reason,
    });
    Change::new(AuditEntity::Stock, &entity_id, action, Some(merchant_id)).values(Some(before), Some(after))
}

/// Which entries to read, parsed from the edge; empty fields leave their filter open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only this merchant's entries.
    pub merchant_id: Option<String>,
    /// Only changes to this kind of thing.
    pub entity: Option<AuditEntity>,
    /// Only changes to this thing.
    pub entity_id: Option<String>,
    /// Only changes by this user (id or e-mail).
    pub actor: Option<String>,
    /// Text to find in the e-mail, the id or the snapshots.
    pub text: String,
    /// Only changes at or after this time (Unix ms).
    pub from_ms: Option<i64>,
    /// Only changes before this time (Unix ms).
    pub to_ms: Option<i64>,
}

/// Trimmed, or `None` when blank.
fn given(raw: Option<&str>) -> Option<String> {
    raw.map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned)
}

impl AuditQuery {
    /// Parses the filters, reporting every bad one: an unknown kind of thing, a text or id
    /// longer than [`MAX_FILTER_CHARS`], an actor longer than [`MAX_ACTOR_CHARS`], or a control
    /// character anywhere (no id or e-mail has one, and PostgreSQL refuses a NUL in text).
    pub fn parse(
        merchant_id: Option<&str>,
        entity: Option<&str>,
        entity_id: Option<&str>,
        actor: Option<&str>,
        text: Option<&str>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let entity = match given(entity) {
            Some(word) => v.check("entity", AuditEntity::parse(&word)),
            None => None,
        };
        let (merchant_id, entity_id, actor) = (given(merchant_id), given(entity_id), given(actor));
        let text = given(text).unwrap_or_default();
        let text_given = Some(text.clone()).filter(|text| !text.is_empty());
        let limited = [
            ("merchant_id", &merchant_id, MAX_FILTER_CHARS),
            ("entity_id", &entity_id, MAX_FILTER_CHARS),
            ("actor", &actor, MAX_ACTOR_CHARS),
            ("q", &text_given, MAX_FILTER_CHARS),
        ];
        for (field, value, max) in limited {
            let Some(value) = value else { continue };
            if value.chars().count() > max {
                v.push(field, format!("must be at most {max} characters"));
            } else if value.chars().any(char::is_control) {
                v.push(field, "must not contain control characters");
            }
        }
        v.finish()?;
        Ok(Self { merchant_id, entity, entity_id, actor, text, from_ms: None, to_ms: None })
    }
}

impl App {
    /// Records a change the caller just made (see the module docs for when and what). Never
    /// fails the caller's request: a failed insert is logged.
    pub async fn record_change(&self, caller: &Caller, change: Change) {
        let entry = AuditEntryRow {
            id: new_id("aud"),
            at_ms: self.now_ms(),
            actor_id: caller.id.clone(),
            actor_email: caller.email.clone(),
            actor_role: caller.role,
            merchant_id: change.merchant_id,
            entity: change.entity,
            entity_id: change.entity_id,
            action: change.action,
            before_json: change.before.map(|value| redact(value).to_string()),
            after_json: change.after.map(|value| redact(value).to_string()),
        };
        if let Err(error) = self.store.insert_audit_entry(&entry).await {
            tracing::error!(
                error = %error, entity = %entry.entity, entity_id = %entry.entity_id, action = %entry.action,
                "an audit entry could not be written after its change committed"
            );
        }
    }

    /// A page of the audit log, newest first, with the number of matches: everything for an
    /// admin, the caller's merchant's entries for a manager (another merchant named is
    /// `NotFound`), `Forbidden` for anyone else. An admin naming an unknown merchant gets
    /// `NotFound` too.
    pub async fn audit_log(
        &self,
        caller: &Caller,
        query: AuditQuery,
        page: Page,
    ) -> AppResult<(Vec<AuditEntryRow>, i64)> {
        caller.require(&AUDIT_READERS)?;
        let merchant_id = match (caller.role, &query.merchant_id) {
            (Role::Admin, Some(id)) => {
                self.store.get_merchant(id).await?.ok_or(AppError::NotFound("merchant"))?;
                Some(id.clone())
            }
            (Role::Admin, None) => None,
            (_, named) => {
                let own = caller.merchant_id.clone().ok_or(AppError::Forbidden)?;
                if named.as_ref().is_some_and(|id| *id != own) {
                    return Err(AppError::NotFound("merchant"));
                }
                Some(own)
            }
        };
        let filter = AuditFilter {
            merchant_id,
            entity: query.entity,
            entity_id: query.entity_id,
            actor: query.actor,
            text: query.text,
            from_ms: query.from_ms,
            to_ms: query.to_ms,
        };
        Ok(self.store.list_audit_entries(&filter, page).await?)
    }

    /// One entry of the audit log the caller may read (another merchant's, or a platform entry
    /// for a manager, is `NotFound`).
    pub async fn audit_entry(&self, caller: &Caller, id: &str) -> AppResult<AuditEntryRow> {
        caller.require(&AUDIT_READERS)?;
        let entry = self.store.get_audit_entry(id).await?.ok_or(AppError::NotFound("audit entry"))?;
        if caller.role != Role::Admin && (entry.merchant_id.is_none() || entry.merchant_id != caller.merchant_id) {
            return Err(AppError::NotFound("audit entry"));
        }
        Ok(entry)
    }
}
