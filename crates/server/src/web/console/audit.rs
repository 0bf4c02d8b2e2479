//! The audit log page `/console/audit` (issue 15 point 3): who changed what and when, newest
//! first, searchable (text, kind of thing, person; an admin also by merchant) and paged, each
//! entry with only the fields it changed, before → after. Admins see every entry, a merchant's
//! manager its merchant's (naming another merchant answers the console's 404), anyone else is
//! told 403. The page reads the very use case of `GET /api/v1/audit-log`.
//!
//! Times are shown in a site's local time: the manager's merchant's first site, or for an
//! admin the platform's first site (a platform usually runs one mall; the zone is named on the
//! page so the reader knows which clock it is).
//!
//! Kept apart from the other console pages (own template `audit.html`, own catalog files
//! `console-audit.<lang>.json`) so it grows without touching theirs.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::audit::AuditQuery;
use omnicanal_domain::access::Role;
use omnicanal_domain::audit::{AuditAction, AuditEntity, changed_fields};
use omnicanal_store::{AuditEntryRow, Page};
use serde::Deserialize;

use super::forms::{forbidden, local_time, merchant_choices, not_manager, page_count, page_number, pager_links};
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::routes::audit_log::stored_json;
use crate::state::AppState;
use crate::web::i18n::Lang;

/// The audit page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("audit.html", include_str!("../../../templates/console/audit.html"))];

/// Entries a page shows.
const PER_PAGE: i64 = 25;
/// Longest value shown in a diff, in characters (the API has the whole value).
const MAX_VALUE_CHARS: usize = 160;

/// `?q=&entity=&actor=&merchant_id=&page=`, as typed (bad values are told, not refused whole).
#[derive(Debug, Default, Deserialize)]
pub(super) struct AuditPageQuery {
    q: Option<String>,
    entity: Option<String>,
    actor: Option<String>,
    merchant_id: Option<String>,
    page: Option<String>,
}

/// `GET /console/audit`.
pub(super) async fn list(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<AuditPageQuery>,
) -> Response {
    let lang = console.lang;
    if let Some(denied) = not_manager(&console, &state, "console.audit.forbidden") {
        return denied;
    }
    let page_no = page_number(query.page.as_deref());
    let page = super::forms::store_page(page_no, PER_PAGE);
    let (filters, problem) = match AuditQuery::parse(
        query.merchant_id.as_deref(),
        query.entity.as_deref(),
        None,
        query.actor.as_deref(),
        query.q.as_deref(),
    ) {
        Ok(filters) => (filters, None),
        // A bad filter is told above the list, which then shows everything the caller may see.
        Err(_) => (AuditQuery::default(), Some(lang.text("console.audit.bad_filter", &[]))),
    };
    let (rows, total) = match state.app.audit_log(&console.user, filters, page).await {
        Ok(found) => found,
        Err(AppError::Forbidden) => return forbidden(&console, &state, "console.audit.forbidden"),
        Err(error) => return refused(&console, &state, error),
    };
    let timezone = page_timezone(&state, &console).await;
    let entries: Vec<Value> = rows.iter().map(|row| entry(lang, &timezone, row)).collect();
    let admin = console.user.role == Role::Admin;
    let merchants = merchant_choices(&state, &console).await;
    let entities: Vec<Value> = AuditEntity::ALL
        .iter()
        .map(|entity| context! { value => entity.as_str(), label => entity_label(lang, *entity) })
        .collect();
    let pages = page_count(total, PER_PAGE);
    let keep = kept_filters(&query);
    let (prev, next) = pager_links(page_no, page_no < pages, |to| format!("/console/audit?{keep}page={to}"));
    let ctx = context! {
        title => lang.text("console.audit.title", &[]),
        entries => entries,
        total => total,
        problem => problem,
        timezone => timezone,
        admin => admin,
        merchants => merchants,
        entities => entities,
        form => context! {
            q => query.q.clone().unwrap_or_default(),
            entity => query.entity.clone().unwrap_or_default(),
            actor => query.actor.clone().unwrap_or_default(),
            merchant_id => query.merchant_id.clone().unwrap_or_default(),
        },
        page_no => page_no,
        pages => pages,
        prev => prev,
        next => next,
    };
    console.page(&state, "audit.html", StatusCode::OK, ctx)
}

/// The filters as a query string prefix (`q=…&entity=…&`) for the pager's links.
fn kept_filters(query: &AuditPageQuery) -> String {
    [("q", &query.q), ("entity", &query.entity), ("actor", &query.actor), ("merchant_id", &query.merchant_id)]
        .into_iter()
        .filter_map(|(name, value)| {
            value.as_deref().filter(|value| !value.trim().is_empty()).map(|value| (name, value))
        })
        .map(|(name, value)| format!("{name}={}&", urlencode(value)))
        .collect()
}

/// The zone the page's times are shown in (see the module docs); UTC when there is no site.
async fn page_timezone(state: &AppState, console: &ConsoleUser) -> String {
    if console.user.role != Role::Admin
        && let Ok(listed) = state.app.console_locations(&console.user).await
        && let Some((_, site)) = listed.locations.first()
    {
        return site.timezone.clone();
    }
    match state.app.list_sites(Page::first(1)).await {
        Ok(sites) if console.user.role == Role::Admin => {
            sites.first().map(|site| site.timezone.clone()).unwrap_or_else(|| "UTC".into())
        }
        _ => "UTC".into(),
    }
}

fn entity_label(lang: Lang, entity: AuditEntity) -> String {
    lang.text(&format!("console.audit.entity.{}", entity.as_str()), &[])
}

fn action_label(lang: Lang, action: AuditAction) -> String {
    lang.text(&format!("console.audit.action.{}", action.as_str()), &[])
}

/// A value of the diff as the page shows it: text as is, nothing as a dash, the rest as JSON,
/// cut at [`MAX_VALUE_CHARS`].
fn shown(value: Option<&serde_json::Value>) -> String {
    let text = match value {
        None | Some(serde_json::Value::Null) => return "—".into(),
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    };
    if text.chars().count() > MAX_VALUE_CHARS {
        format!("{}…", text.chars().take(MAX_VALUE_CHARS).collect::<String>())
    } else {
        text
    }
}

/// One entry of the list, with its changed fields.
fn entry(lang: Lang, timezone: &str, row: &AuditEntryRow) -> Value {
    let before = stored_json(row.before_json.as_deref());
    let after = stored_json(row.after_json.as_deref());
    let changes: Vec<Value> = changed_fields(before.as_ref(), after.as_ref())
        .iter()
        .map(|change| {
            context! {
                field => change.field,
                before => shown(change.before.as_ref()),
                after => shown(change.after.as_ref()),
                had_before => change.before.is_some(),
            }
        })
        .collect();
    context! {
        id => row.id,
        at => local_time(row.at_ms, timezone, "%d/%m/%Y %H:%M"),
        actor => row.actor_email,
        role => lang.text(&format!("console.users.role.{}", row.actor_role.as_str()), &[]),
        entity => row.entity.as_str(),
        entity_label => entity_label(lang, row.entity),
        entity_id => row.entity_id,
        action => row.action.as_str(),
        action_label => action_label(lang, row.action),
        changes => changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_template_compiles_and_its_texts_exist_in_both_languages() {
        let mut env = minijinja::Environment::new();
        for (name, source) in TEMPLATE_SOURCES {
            assert!(env.add_template(name, source).is_ok(), "{name} does not compile");
            for lang in [Lang::Es, Lang::En] {
                let catalog = lang.all();
                for piece in source.split("t(\"").skip(1) {
                    let key = piece.split('"').next().unwrap_or_default();
                    assert!(catalog.contains_key(key), "{name} uses the missing text {key}");
                }
            }
        }
    }

    #[test]
    fn every_kind_and_action_has_words_in_both_languages() {
        for lang in [Lang::Es, Lang::En] {
            let catalog = lang.all();
            for entity in AuditEntity::ALL {
                assert!(catalog.contains_key(&format!("console.audit.entity.{}", entity.as_str())), "{entity}");
            }
            for action in AuditAction::ALL {
                assert!(catalog.contains_key(&format!("console.audit.action.{}", action.as_str())), "{action}");
            }
        }
    }

    #[test]
    fn long_values_are_cut_and_nothing_is_a_dash() {
        assert_eq!(shown(None), "—");
        assert_eq!(shown(Some(&serde_json::json!("Costanera"))), "Costanera");
        assert_eq!(shown(Some(&serde_json::json!(15))), "15");
        assert!(shown(Some(&serde_json::json!("x".repeat(500)))).ends_with('…'));
    }

    #[test]
    fn the_pager_keeps_the_filters() {
        let query = AuditPageQuery { q: Some("a b".into()), entity: Some("site".into()), ..AuditPageQuery::default() };
        assert_eq!(kept_filters(&query), "q=a%20b&entity=site&");
    }
}
