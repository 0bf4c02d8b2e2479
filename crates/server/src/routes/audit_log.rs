//! The audit log through the API (issue 15 point 3): `GET /audit-log` lists who changed what,
//! newest first, with filters and pages; `GET /audit-log/{id}` is one entry. Admins read every
//! entry; a merchant's manager only its merchant's (another merchant's filter or entry is 404);
//! staff and support agents are 403. The console's page calls the same use cases
//! (`omnicanal_app::audit`).

use axum::Json;
use axum::extract::{Path, State};
use omnicanal_app::audit::AuditQuery;
use omnicanal_app::ids::rfc3339;
use omnicanal_domain::audit::{AuditEntity, changed_fields};
use omnicanal_store::{AuditEntryRow, Page};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Most entries one page holds.
pub const MAX_PER_PAGE: i64 = 100;
/// Deepest page asked for: past it, narrow the list with its filters.
pub const MAX_PAGE: i64 = 100_000;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit_log)).routes(routes!(show_audit_entry))
}

/// The words of `?entity=`, from the domain's own table.
fn entity_words() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(AuditEntity::ALL.iter().map(|e| e.as_str())))
        .build()
}

/// `?merchant_id=&entity=&entity_id=&actor=&q=&page=&per_page=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditLogQuery {
    /// Only this merchant's entries (a manager may name only its own: another is 404).
    #[param(pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]{1,200}$")]
    pub merchant_id: Option<String>,
    /// Only changes to this kind of thing.
    #[param(schema_with = entity_words)]
    pub entity: Option<String>,
    /// Only changes to the thing with this id (stock: `location_id/sku`).
    #[param(pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]{1,200}$")]
    pub entity_id: Option<String>,
    /// Only changes by this user: its id or e-mail.
    #[param(pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]{1,254}$")]
    pub actor: Option<String>,
    /// Text anywhere in the e-mail, the id or the values (any case).
    #[param(pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]{0,200}$")]
    pub q: Option<String>,
    /// Page, from 1 (default 1).
    #[param(minimum = 1, maximum = 100_000)]
    pub page: Option<i64>,
    /// Entries per page, 1 to 100 (default 25).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

impl AuditLogQuery {
    /// The page asked for, checked.
    fn paging(&self) -> Result<(i64, i64, Page), ApiError> {
        let page = self.page.unwrap_or(1);
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(ApiError::invalid("page", format!("must be between 1 and {MAX_PAGE}")));
        }
        let per_page = self.per_page.unwrap_or(25);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::invalid("per_page", format!("must be between 1 and {MAX_PER_PAGE}")));
        }
        Ok((page, per_page, Page { limit: per_page, offset: (page - 1) * per_page }))
    }
}

/// Who made a change, as they were then.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActorView {
    /// User id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Role (admin, merchant_manager, staff, support_agent).
    pub role: String,
}

/// One field a change touched.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditFieldChangeView {
    /// Dotted path, such as `name` or `storefront.counter`.
    pub field: String,
    /// Its value before (absent: it had none).
    pub before: Option<serde_json::Value>,
    /// Its value after (absent: it has none).
    pub after: Option<serde_json::Value>,
}

/// One change in the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    /// Opaque id.
    pub id: String,
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor: AuditActorView,
    /// The merchant the thing belongs to (null: the platform's own).
    pub merchant_id: Option<String>,
    /// The kind of thing.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// What was done (created, updated, deleted, deactivated…).
    pub action: String,
    /// The thing before, secrets redacted (null for a creation).
    pub before: Option<serde_json::Value>,
    /// The thing after, secrets redacted (null for a deletion).
    pub after: Option<serde_json::Value>,
    /// Only the fields that changed.
    pub changes: Vec<AuditFieldChangeView>,
}

/// JSON text stored by the log, read back (text that is not JSON is kept as a string).
pub fn stored_json(text: Option<&str>) -> Option<serde_json::Value> {
    text.map(|text| serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned())))
}

impl From<AuditEntryRow> for AuditEntryView {
    fn from(row: AuditEntryRow) -> Self {
        let before = stored_json(row.before_json.as_deref());
        let after = stored_json(row.after_json.as_deref());
        let changes = changed_fields(before.as_ref(), after.as_ref())
            .into_iter()
            .map(|change| AuditFieldChangeView { field: change.field, before: change.before, after: change.after })
            .collect();
        Self {
            id: row.id,
            at: rfc3339(row.at_ms),
            actor: AuditActorView {
                id: row.actor_id,
                email: row.actor_email,
                role: row.actor_role.as_str().to_owned(),
            },
            merchant_id: row.merchant_id,
            entity: row.entity.as_str().to_owned(),
            entity_id: row.entity_id,
            action: row.action.as_str().to_owned(),
            before,
            after,
            changes,
        }
    }
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditLogPage {
    /// The entries, newest first.
    pub items: Vec<AuditEntryView>,
    /// How many match in all.
    pub total: i64,
    /// This page's number, from 1.
    pub page: i64,
    /// Entries per page.
    pub per_page: i64,
}

/// The audit log, newest first: every change for an admin, its merchant's for a manager
/// (naming another merchant is 404); staff and support agents are 403.
#[utoipa::path(get, path = "/audit-log", tag = "setup", security(("bearer" = [])), params(AuditLogQuery),
    responses((status = 200, body = AuditLogPage), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn list_audit_log(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<AuditLogQuery>,
) -> ApiResult<Json<AuditLogPage>> {
    let (page_no, per_page, page) = query.paging()?;
    let filters = AuditQuery::parse(
        query.merchant_id.as_deref(),
        query.entity.as_deref(),
        query.entity_id.as_deref(),
        query.actor.as_deref(),
        query.q.as_deref(),
    )?;
    let (rows, total) = state.app.audit_log(&user, filters, page).await?;
    Ok(Json(AuditLogPage { items: rows.into_iter().map(Into::into).collect(), total, page: page_no, per_page }))
}

/// One entry of the audit log (another merchant's is 404 for a manager).
#[utoipa::path(get, path = "/audit-log/{id}", tag = "setup", security(("bearer" = [])),
    params(("id" = String, Path, description = "The entry's id")),
    responses((status = 200, body = AuditEntryView), (status = 401, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn show_audit_entry(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<AuditEntryView>> {
    Ok(Json(state.app.audit_entry(&user, &id).await?.into()))
}
