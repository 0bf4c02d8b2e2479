//! A connection's sync page: its state, last success, lag and queue, the SKUs mapped, the
//! first import's (or a resync's) progress — the page reloads itself every 2 s while it runs —
//! the last error with its cause in plain words, "resync now", the webhook address to paste in
//! the shop, the open conflicts with their choices as buttons, the shop's items that matched
//! none of ours with a "link to SKU" form, the shop's recent orders and the conflicts already
//! settled. The posts call `request_connection_sync`, `resolve_shop_conflict` and
//! `link_unmatched` and come back here with `?done=`.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::connections::conflicts::choices;
use omnicanal_domain::connections::ShopOrderState;
use omnicanal_store::{Page, ShopConflictRow};
use serde::Deserialize;

use super::super::forms::{bad_csrf, local_time, not_manager, see_other};
use super::super::pages::refused;
use super::super::session::ConsoleUser;
use super::super::view::urlencode;
use super::{FORBIDDEN, kind_label, lag_text, last_success_text, status_badge, timezone_of};
use crate::state::AppState;
use crate::web::i18n::Lang;

/// How a shop's failure begins (`ShopFailure`'s words) and the catalogue's name for its cause.
pub(super) const CAUSES: [(&str, &str); 5] = [
    ("the shop refused the credentials", "unauthorized"),
    ("the shop asked to slow down", "throttled"),
    ("the shop did not answer", "unavailable"),
    ("the shop's answer could not be read", "garbage"),
    ("the shop refused the request", "refused"),
];
/// Every choice a conflict may offer (`conflicts::choices`), whose words the catalogue must have.
#[cfg(test)]
pub(super) const CHOICES: [&str; 5] = ["keep_ours", "take_theirs", "retry", "cancel_in_shop", "dismiss"];
/// The states of a shop's order, whose words the catalogue must have.
#[cfg(test)]
pub(super) const ORDER_STATES: [&str; 4] = ["received", "imported", "needs_attention", "dismissed"];
/// Recent shop orders the page lists.
const RECENT_ORDERS: i64 = 20;
/// Settled conflicts the page lists.
const HISTORY: i64 = 30;
/// What `?done=` may tell.
const DONE: [&str; 4] = ["sync", "resolve", "link", "create"];

/// `?done=` after a post.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

/// A form with only its CSRF token (resync).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CsrfForm {
    csrf: Option<String>,
}

/// A conflict's choice.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ChoiceForm {
    csrf: Option<String>,
    #[serde(default)]
    choice: String,
}

/// Linking an unmatched item to one of our SKUs.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct LinkForm {
    csrf: Option<String>,
    #[serde(default)]
    remote_key: String,
    #[serde(default)]
    sku: String,
}

/// A problem to show on the page: about one unmatched item (its key, what was typed), or the page's.
#[derive(Debug, Default)]
struct Problem {
    remote_key: Option<String>,
    sku: String,
    text: Option<String>,
}

/// A catalogue word when the catalogue has it, else the word itself (a kind added later still shows).
fn word(lang: Lang, prefix: &str, raw: &str) -> String {
    let key = format!("{prefix}.{raw}");
    if lang.all().contains_key(&key) { lang.text(&key, &[]) } else { raw.to_owned() }
}

/// What a conflict says, in the catalogue's words: by its kind and how it was settled
/// (`console.connections.detail.<kind>.<resolution>`, else `…<kind>`), with its SKU, values
/// and the shop's order. The use case's own sentence (English, for the API) is never shown.
fn conflict_detail(lang: Lang, conflict: &ShopConflictRow) -> String {
    let base = format!("console.connections.detail.{}", conflict.kind);
    let settled = conflict.resolution.as_deref().map(|r| format!("{base}.{r}"));
    let open = (conflict.status == "open").then(|| format!("{base}.open"));
    let key = [settled, open, Some(base.clone())]
        .into_iter()
        .flatten()
        .find(|key| lang.all().contains_key(key))
        .unwrap_or(base);
    let shown = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
    lang.text(
        &key,
        &[
            ("sku", conflict.sku.clone().unwrap_or_else(|| "—".into())),
            ("ours", shown(conflict.ours)),
            ("theirs", shown(conflict.theirs)),
            ("order", conflict.remote_order_id.clone().unwrap_or_default()),
        ],
    )
}

/// The cause of a failure in the catalogue's plain words (`None` for words we do not know).
fn cause_of(lang: Lang, error: &str) -> Option<String> {
    CAUSES
        .iter()
        .find(|(start, _)| error.starts_with(start))
        .map(|(_, cause)| lang.text(&format!("console.connections.cause.{cause}"), &[]))
}

/// A progress bar's percentage (0 when nothing is known yet).
fn percent(done: i64, total: i64) -> i64 {
    if total <= 0 { 0 } else { (done.clamp(0, total) * 100) / total }
}

fn conflict_row(lang: Lang, conflict: &ShopConflictRow, timezone: &str) -> Value {
    let open = conflict.status == "open";
    let offered: Vec<Value> = if open {
        choices(&conflict.kind)
            .iter()
            .map(|&choice| context! { value => choice, label => word(lang, "console.connections.choice", choice) })
            .collect()
    } else {
        Vec::new()
    };
    context! {
        id => conflict.id,
        kind => word(lang, "console.connections.conflict_kind", &conflict.kind),
        sku => conflict.sku,
        remote_order_id => conflict.remote_order_id,
        ours => conflict.ours,
        theirs => conflict.theirs,
        detail => conflict_detail(lang, conflict),
        choices => offered,
        resolution => conflict.resolution.as_deref().map(|r| word(lang, "console.connections.resolution", r)),
        resolved_by => conflict.resolved_by.clone().unwrap_or_else(|| lang.text("console.connections.by_rule", &[])),
        detected_at => local_time(conflict.detected_at_ms, timezone, "%Y-%m-%d %H:%M"),
        resolved_at => conflict.resolved_at_ms.map(|ms| local_time(ms, timezone, "%Y-%m-%d %H:%M")),
    }
}

/// The sync page, with `problem` shown (a refused link or choice).
async fn show(
    state: &AppState,
    console: &ConsoleUser,
    id: &str,
    done: Option<&str>,
    problem: Problem,
    status: StatusCode,
) -> Response {
    if let Some(denied) = not_manager(console, state, FORBIDDEN) {
        return denied;
    }
    let lang = console.lang;
    let view = match state.app.connection_view(&console.user, id).await {
        Ok(view) => view,
        Err(error) => return refused(console, state, error),
    };
    let orders = match state.app.shop_orders(&console.user, id, None, Page { limit: RECENT_ORDERS, offset: 0 }).await {
        Ok((orders, _)) => orders,
        Err(error) => return refused(console, state, error),
    };
    let recorded = match state.app.shop_conflicts(&console.user, id, false, Page { limit: HISTORY, offset: 0 }).await {
        Ok((all, _)) => all,
        Err(error) => return refused(console, state, error),
    };
    let order_conflicts: Vec<&ShopConflictRow> = view.conflicts.iter().chain(recorded.iter()).collect();
    let settled: Vec<&ShopConflictRow> = recorded.iter().filter(|conflict| conflict.status != "open").collect();
    let places = state.app.console_locations(&console.user).await.map(|listed| listed.locations).unwrap_or_default();
    let connection = &view.connection;
    let timezone = timezone_of(connection, &places);
    let running = connection.sync_requested_at_ms.is_some();
    let (done_items, total_items) = (connection.sync_done, connection.sync_total);
    let webhook = connection
        .kind
        .has_webhooks()
        .then(|| format!("{}/api/v1/connections/{}/webhooks", state.public_url.trim_end_matches('/'), connection.id));
    let location_names: Vec<String> = connection
        .location_ids
        .iter()
        .map(|id| places.iter().find(|(l, _)| &l.id == id).map(|(l, _)| l.name.clone()).unwrap_or_else(|| id.clone()))
        .collect();
    let unmatched: Vec<Value> = view
        .unmatched
        .iter()
        .map(|item| {
            let mine = problem.remote_key.as_deref() == Some(item.remote_key.as_str());
            context! {
                remote_key => item.remote_key,
                sku => item.remote_sku,
                barcode => item.barcode,
                title => item.title,
                price => item.price_minor,
                stock => item.stock,
                typed => if mine { problem.sku.clone() } else { item.remote_sku.clone().unwrap_or_default() },
                error => if mine { problem.text.clone() } else { None },
            }
        })
        .collect();
    let order_rows: Vec<Value> = orders
        .iter()
        .map(|order| {
            let state_word = order.state.as_str();
            context! {
                remote_id => order.remote_id,
                number => order.number.clone().unwrap_or_else(|| order.remote_id.clone()),
                state => state_word,
                state_text => word(lang, "console.connections.order_state", state_word),
                order_id => order.order_id,
                // Waiting for a person: what its conflict says; waiting for a retry: that it will be.
                cause => match order.state {
                    ShopOrderState::NeedsAttention => order_conflicts
                        .iter()
                        .find(|c| c.remote_order_id.as_deref() == Some(order.remote_id.as_str()))
                        .map(|c| conflict_detail(lang, c))
                        .or_else(|| Some(lang.text("console.connections.orders.needs_person", &[]))),
                    ShopOrderState::Received if order.cause.is_some() => {
                        Some(lang.text("console.connections.orders.retrying", &[]))
                    }
                    _ => None,
                },
                received_at => local_time(order.received_at_ms, &timezone, "%Y-%m-%d %H:%M"),
            }
        })
        .collect();
    let ctx = context! {
        title => connection.name,
        connection => context! {
            id => connection.id,
            name => connection.name,
            kind => kind_label(connection.kind.as_str()),
            base_url => connection.base_url,
            badge => status_badge(lang, connection.status),
            last_success => last_success_text(lang, connection.last_success_at_ms, &timezone),
            locations => location_names,
            stock_buffer => connection.stock_buffer,
        },
        mapped_skus => view.mapped_skus,
        queue_length => view.queue_length,
        lag => lag_text(view.lag_ms),
        orders_needing_attention => view.orders_needing_attention,
        sync => context! {
            running => running,
            done => done_items,
            total => total_items,
            percent => percent(done_items, total_items),
        },
        last_error => connection.last_error.as_deref().map(|error| context! {
            cause => cause_of(lang, error),
            detail => error,
        }),
        auth_failed => connection.status == omnicanal_domain::connections::ConnectionStatus::AuthFailed,
        webhook => webhook,
        conflicts => view.conflicts.iter().map(|c| conflict_row(lang, c, &timezone)).collect::<Vec<_>>(),
        conflicts_total => view.conflicts_total,
        unmatched => unmatched,
        unmatched_total => view.unmatched_total,
        orders => order_rows,
        settled => settled.iter().map(|c| conflict_row(lang, c, &timezone)).collect::<Vec<_>>(),
        done => done.filter(|done| DONE.contains(done)).map(|done| lang.text(&format!("console.connections.done.{done}"), &[])),
        problem => if problem.remote_key.is_none() { problem.text } else { None },
    };
    console.page(state, "connections_sync.html", status, ctx)
}

/// `GET /console/connections/{id}`.
pub(crate) async fn page(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Response {
    show(&state, &console, &id, query.done.as_deref(), Problem::default(), StatusCode::OK).await
}

/// Back to the sync page, telling what was done.
fn back(id: &str, done: &str) -> Response {
    see_other(&format!("/console/connections/{}?done={done}", urlencode(id)))
}

/// `POST /console/connections/{id}/sync`: "resync now".
pub(crate) async fn resync(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if let Some(denied) = not_manager(&console, &state, FORBIDDEN) {
        return denied;
    }
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    match state.app.request_connection_sync(&console.user, &id).await {
        Ok(_) => back(&id, "sync"),
        Err(error) => refused(&console, &state, error),
    }
}

/// `POST /console/connections/{id}/conflicts/{conflict_id}/resolve`: one of the conflict's choices.
pub(crate) async fn resolve(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path((id, conflict_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ChoiceForm>,
) -> Response {
    if let Some(denied) = not_manager(&console, &state, FORBIDDEN) {
        return denied;
    }
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let lang = console.lang;
    match state.app.resolve_shop_conflict(&console.user, &id, &conflict_id, form.choice.trim()).await {
        Ok(_) => back(&id, "resolve"),
        // Settled meanwhile (another tab, another manager), or a choice that does not fit.
        Err(AppError::Conflict(_)) => {
            let problem =
                Problem { text: Some(lang.text("console.connections.problem.settled", &[])), ..Problem::default() };
            show(&state, &console, &id, None, problem, StatusCode::CONFLICT).await
        }
        Err(AppError::Invalid(_)) => {
            let problem =
                Problem { text: Some(lang.text("console.connections.problem.choice", &[])), ..Problem::default() };
            show(&state, &console, &id, None, problem, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => refused(&console, &state, error),
    }
}

/// `POST /console/connections/{id}/unmatched/link`: maps a shop's item to one of our SKUs.
pub(crate) async fn link(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<LinkForm>,
) -> Response {
    if let Some(denied) = not_manager(&console, &state, FORBIDDEN) {
        return denied;
    }
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let lang = console.lang;
    let sku = form.sku.trim();
    let refusal = |key: &str| Problem {
        remote_key: Some(form.remote_key.clone()),
        sku: sku.to_owned(),
        text: Some(lang.text(key, &[])),
    };
    if sku.is_empty() {
        let problem = refusal("console.connections.problem.sku_required");
        return show(&state, &console, &id, None, problem, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match state.app.link_unmatched(&console.user, &id, &form.remote_key, sku).await {
        Ok(()) => back(&id, "link"),
        Err(AppError::Invalid(_)) => {
            let problem = refusal("console.connections.problem.sku");
            show(&state, &console, &id, None, problem, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => refused(&console, &state, error),
    }
}

/// `POST /console/connections/{id}/unmatched/create`: makes a shop's item one of our products
/// (its title, SKU, barcode and price in the shop) and links it, in one click.
pub(crate) async fn create_here(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<LinkForm>,
) -> Response {
    if let Some(denied) = not_manager(&console, &state, FORBIDDEN) {
        return denied;
    }
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let lang = console.lang;
    match state.app.create_from_unmatched(&console.user, &id, &form.remote_key).await {
        Ok(_) => back(&id, "create"),
        // Its SKU is another product's here, or the shop's item cannot be a product as it is.
        Err(AppError::AlreadyExists { .. } | AppError::SkuTaken { .. } | AppError::Invalid(_)) => {
            let problem = Problem {
                remote_key: Some(form.remote_key.clone()),
                sku: String::new(),
                text: Some(lang.text("console.connections.problem.create", &[])),
            };
            show(&state, &console, &id, None, problem, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => refused(&console, &state, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_told_by_its_cause() {
        let told = cause_of(Lang::En, "the shop refused the credentials: 401 Unauthorized");
        assert_eq!(told, Some(Lang::En.text("console.connections.cause.unauthorized", &[])));
        assert_eq!(cause_of(Lang::En, "something new"), None);
    }

    #[test]
    fn progress_is_a_whole_percentage_that_never_passes_one_hundred() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(5, 4), 100);
    }
}
