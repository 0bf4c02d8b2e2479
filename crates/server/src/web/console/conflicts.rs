//! "Conflictos de stock": a location's open stock conflicts for its manager — units a till sold
//! offline that the ledger did not have — each with its cause in words, the sale, the order that
//! took the units and the shortfall, and the three ways out as plain forms (count the shelf,
//! transfer from another location, cancel and refund the order). The forms post here with the
//! session's CSRF token and call the same use case as `POST /api/v1/stock/conflicts/{id}/resolve`,
//! so the page has exactly the API's roles and isolation; a refusal is shown above the list.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::console::pages::SiteLocation;
use omnicanal_app::pos::conflicts::{ConflictExplanation, ResolveConflict, order_cancellable};
use omnicanal_store::{LocationRow, Page, StockConflictDetailRow};
use serde::Deserialize;

use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::auth;
use crate::state::AppState;
use crate::web::i18n::Lang;

/// Conflicts listed on the page; more than this many open at one location is itself the news.
const LISTED: i64 = 100;

/// What the page was told after a form: `?done=count|transfer|cancel_order`.
#[derive(Debug, Deserialize)]
pub(super) struct Done {
    done: Option<String>,
}

/// `GET /console/locations/{id}/conflicts`.
pub(super) async fn list(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let done = done.done.filter(|action| ["count", "transfer", "cancel_order"].contains(&action.as_str()));
    render(&state, &console, &id, done, None, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    console: &ConsoleUser,
    location_id: &str,
    done: Option<String>,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    if !console.is_manager() {
        return console.message(state, StatusCode::FORBIDDEN, "console.forbidden.title", "console.conflicts.forbidden");
    }
    let SiteLocation { location, site } = match state.app.console_location(&console.user, location_id).await {
        Ok(found) => found,
        Err(error) => return refused(console, state, error),
    };
    let page = Page { limit: LISTED, offset: 0 };
    let conflicts = match state.app.stock_conflict_details(&console.user, &location.id, Some("open"), page).await {
        Ok(conflicts) => conflicts,
        Err(error) => return refused(console, state, error),
    };
    let sources = match state.app.conflict_transfer_sources(&console.user, &location.id).await {
        Ok(sources) => sources,
        Err(error) => return refused(console, state, error),
    };
    let differences = match state.app.pos_price_differences(&console.user, &location.id).await {
        Ok(differences) => differences,
        Err(error) => return refused(console, state, error),
    };
    let lang = console.lang;
    let rows: Vec<Value> = conflicts.iter().map(|detail| row(lang, &site.timezone, detail)).collect();
    let differences: Vec<Value> = differences
        .iter()
        .map(|difference| {
            let money = |minor: i64| {
                difference
                    .currency
                    .parse::<omnicanal_domain::Currency>()
                    .map(|currency| omnicanal_domain::Money::new(minor, currency).display())
                    .unwrap_or_else(|_| minor.to_string())
            };
            context! {
                receipt => difference.receipt_number,
                sold_at => clock(&site.timezone, difference.sold_at_ms),
                paid => money(difference.total_minor),
                difference => money(difference.price_difference_minor),
            }
        })
        .collect();
    let sources: Vec<Value> =
        sources.iter().map(|source: &LocationRow| context! { id => source.id, name => source.name }).collect();
    let ctx = context! {
        title => lang.text("console.conflicts.heading", &[("location", location.name.clone())]),
        location => context! { id => location.id, name => location.name },
        conflicts => rows,
        differences => differences,
        sources => sources,
        done => done.map(|action| lang.text(&format!("console.conflicts.done.{action}"), &[])),
        problem => problem,
    };
    console.page(state, "conflicts.html", status, ctx)
}

fn row(lang: Lang, timezone: &str, detail: &StockConflictDetailRow) -> Value {
    let explanation = ConflictExplanation::of(detail);
    let order = match (detail.order_number, detail.order_channel.as_deref()) {
        (Some(number), Some(channel)) => {
            let channel = lang.text(&format!("console.channel.{channel}"), &[]);
            format!("#{number} ({channel})")
        }
        _ => String::new(),
    };
    let args = [
        ("sku", detail.conflict.sku.clone()),
        ("units", detail.conflict.shortfall.to_string()),
        ("order", order.clone()),
        ("placed", detail.order_created_at_ms.map(|ms| clock(timezone, ms)).unwrap_or_default()),
        ("sold", detail.sold_at_ms.map(|ms| clock(timezone, ms)).unwrap_or_default()),
    ];
    context! {
        id => detail.conflict.id,
        sku => detail.conflict.sku,
        shortfall => detail.conflict.shortfall,
        cause => lang.text(&format!("console.conflicts.cause.{}", explanation.code()), &args),
        cause_code => explanation.code(),
        sale_id => detail.conflict.sale_id,
        receipt => detail.receipt_number,
        sold_at => detail.sold_at_ms.map(|ms| clock(timezone, ms)),
        order_id => detail.conflict.order_id,
        order => (!order.is_empty()).then_some(order),
        order_status => detail.order_part_status.as_deref().map(|status| lang.text(&format!("console.status.{status}"), &[])),
        cancellable => order_cancellable(detail),
    }
}

/// `dd/mm HH:MM` in the site's time zone.
fn clock(timezone: &str, ms: i64) -> String {
    let zone = timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|at| at.with_timezone(&zone).format("%d/%m %H:%M").to_string())
        .unwrap_or_default()
}

/// One of the three forms.
#[derive(Debug, Deserialize)]
pub(super) struct ResolveForm {
    csrf: Option<String>,
    action: Option<String>,
    counted: Option<String>,
    from_location_id: Option<String>,
    order_id: Option<String>,
}

/// `POST /console/locations/{id}/conflicts/{conflict_id}/resolve`: resolves and goes back to
/// the list (303), or shows the list again with what was refused.
pub(super) async fn resolve(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path((location_id, conflict_id)): Path<(String, String)>,
    Form(form): Form<ResolveForm>,
) -> Response {
    if !auth::session_csrf_matches(&headers, form.csrf.as_deref()) {
        return console.message(&state, StatusCode::FORBIDDEN, "console.forbidden.title", "console.login.csrf");
    }
    let lang = console.lang;
    let counted = match form.counted.as_deref().map(str::trim).filter(|raw| !raw.is_empty()) {
        None => None,
        Some(raw) => match raw.parse::<i64>() {
            Ok(counted) => Some(counted),
            Err(_) => {
                let problem = lang.text("console.conflicts.problem.counted", &[]);
                return render(&state, &console, &location_id, None, Some(problem), StatusCode::UNPROCESSABLE_ENTITY)
                    .await;
            }
        },
    };
    let action = form.action.unwrap_or_default();
    let outcome = match ResolveConflict::parse(&action, counted, form.from_location_id, form.order_id) {
        Ok(command) => match state.app.stock_conflict(&console.user, &conflict_id).await {
            // The conflict must be of the location whose page posted the form.
            Ok(detail) if detail.conflict.location_id == location_id => {
                state.app.resolve_stock_conflict(&console.user, &conflict_id, command).await.map(|_| ())
            }
            Ok(_) => Err(AppError::NotFound("stock conflict")),
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => {
            let target = format!("/console/locations/{}/conflicts?done={action}", urlencode(&location_id));
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(value) = HeaderValue::from_str(&target) {
                response.headers_mut().insert(LOCATION, value);
            }
            response
        }
        Err(AppError::Forbidden) => {
            console.message(&state, StatusCode::FORBIDDEN, "console.forbidden.title", "console.conflicts.forbidden")
        }
        Err(AppError::NotFound(_)) => console.missing(&state),
        Err(error @ AppError::Internal(_)) => refused(&console, &state, error),
        Err(error) => {
            let (status, key) = match &error {
                AppError::InsufficientStock { .. } => (StatusCode::CONFLICT, "console.conflicts.problem.source_short"),
                AppError::Conflict(_) => (StatusCode::CONFLICT, "console.conflicts.problem.conflict"),
                _ => (StatusCode::UNPROCESSABLE_ENTITY, "console.conflicts.problem.invalid"),
            };
            // The rule's own words (English) stay beside the console's, as the payments page does.
            let problem = format!("{} ({error})", lang.text(key, &[]));
            render(&state, &console, &location_id, None, Some(problem), status).await
        }
    }
}
