//! "Stock" (issue 15 point 2): a location's stock for its merchant's managers and the admins —
//! levels searchable by SKU or name, sortable and paged; a count that shows its difference
//! before it is saved; goods received with a reason and a reference; a transfer to another
//! location of the merchant; the transfers in and out, with "confirm receipt". Each form posts
//! here with the session's CSRF token and calls the same use case as the API
//! (`omnicanal_app::stock`), so the page has the API's roles and isolation (another merchant's
//! location: 404); a refusal is shown at its field, in the page's language, with what was typed.
//! The forms' posts are in [`writes`]; the CSV import and its progress are in [`imports`].

mod imports;
mod multipart;
mod writes;

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::stock::levels::LevelQuery;
use omnicanal_domain::inventory::TransferStatus;
use omnicanal_store::{LocationRow, Page, StockRow, TransferRow};
use serde::Deserialize;

use super::forms::{local_time, not_manager, page_number};
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::state::AppState;
use crate::web::i18n::Lang;

/// The stock pages' templates, chained into the console's environment by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 3] = [
    ("stock_levels.html", include_str!("../../../templates/console/stock_levels.html")),
    ("import_form.html", include_str!("../../../templates/console/import_form.html")),
    ("import_job.html", include_str!("../../../templates/console/import_job.html")),
];

/// Levels a page shows.
const PER_PAGE: usize = 25;
/// Stock rows read per request while gathering a location's levels.
const READ_PAGE: i64 = 500;
/// Reasons goods may be received for (positive movements a person records).
const RECEIPT_REASONS: [&str; 3] = ["receipt", "return", "correction"];
/// Columns the levels can be sorted by.
const SORTS: [&str; 5] = ["sku", "name", "on_hand", "reserved", "available"];

/// The stock pages and their script.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/stock", get(levels))
        .route("/console/stock/count", post(writes::count))
        .route("/console/stock/receipt", post(writes::receipt))
        .route("/console/stock/transfer", post(writes::transfer))
        .route("/console/stock/transfers/{id}/receive", post(writes::receive))
        .route(
            "/console/stock/import",
            get(imports::form)
                .post(imports::upload)
                // Room for the form around the file, so a file just over the limit is told at its field.
                .layer(DefaultBodyLimit::max(omnicanal_app::imports::jobs::MAX_IMPORT_FILE_BYTES + 256 * 1024)),
        )
        .route("/console/imports/{id}", get(imports::job))
        .route(
            "/static/console/stock-import.js",
            get(|| crate::web::asset(include_str!("../../../assets/console-stock-import.js"), super::JS)),
        )
}

/// `?location_id=&q=&sort=&dir=&page=&done=&difference=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct LevelsQuery {
    location_id: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<String>,
    done: Option<String>,
    sku: Option<String>,
    difference: Option<String>,
}

/// A form that was refused (or a count awaiting confirmation): which one, what was typed and
/// the problem of each field.
#[derive(Debug, Default)]
struct FormState {
    form: &'static str,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
    /// A count's preview: (on-hand now, counted, difference).
    preview: Option<(i64, i64, i64)>,
}

/// The form context of `name`: its values and errors when it is the one posted, empty otherwise.
fn form_ctx(state: &FormState, name: &str) -> Value {
    if state.form == name {
        context! { values => state.values, err => state.errors }
    } else {
        context! { values => BTreeMap::<String, String>::new(), err => BTreeMap::<String, String>::new() }
    }
}

/// Every level of a location (the page searches, sorts and pages them itself).
async fn all_levels(state: &AppState, console: &ConsoleUser, location_id: &str) -> Result<Vec<StockRow>, AppError> {
    let mut levels = Vec::new();
    let mut offset = 0;
    loop {
        let page = Page { limit: READ_PAGE, offset };
        let query = LevelQuery { location_id: Some(location_id.to_owned()), sku: None, page };
        let read = state.app.stock_levels(&console.user, query).await?;
        let last = i64::try_from(read.len()).unwrap_or(i64::MAX) < READ_PAGE;
        levels.extend(read);
        if last {
            return Ok(levels);
        }
        offset += READ_PAGE;
    }
}

/// One line of the levels table.
struct Line {
    sku: String,
    name: String,
    on_hand: i64,
    reserved: i64,
    available: i64,
}

/// The chosen location among those the user may see: the asked one (404 when not visible),
/// else the first.
async fn choose_location(
    state: &AppState,
    console: &ConsoleUser,
    asked: Option<&str>,
) -> Result<(Option<LocationRow>, Vec<LocationRow>), Response> {
    let listed = state.app.console_locations(&console.user).await.map_err(|error| refused(console, state, error))?;
    let locations: Vec<LocationRow> = listed.locations.into_iter().map(|(location, _)| location).collect();
    let asked = asked.map(str::trim).filter(|id| !id.is_empty());
    let chosen = match asked {
        Some(id) => match locations.iter().find(|location| location.id == id) {
            Some(location) => Some(location.clone()),
            None => return Err(console.missing(state)),
        },
        None => locations.first().cloned(),
    };
    Ok((chosen, locations))
}

/// The levels page with `form` as the posted form's state.
async fn page(
    state: &AppState,
    console: &ConsoleUser,
    query: &LevelsQuery,
    form: FormState,
    status: StatusCode,
) -> Response {
    if let Some(denied) = not_manager(console, state, "console.stock.forbidden") {
        return denied;
    }
    let lang = console.lang;
    let (chosen, locations) = match choose_location(state, console, query.location_id.as_deref()).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let merchants = state.app.list_merchants(&console.user, Page { limit: 500, offset: 0 }).await.unwrap_or_default();
    let merchant_name = |id: &str| merchants.iter().find(|m| m.id == id).map(|m| m.name.clone()).unwrap_or_default();
    let several_merchants = locations.iter().any(|l| Some(&l.merchant_id) != locations.first().map(|f| &f.merchant_id));
    let location_options: Vec<Value> = locations
        .iter()
        .map(|l| {
            let name = if several_merchants {
                format!("{} — {}", merchant_name(&l.merchant_id), l.name)
            } else {
                l.name.clone()
            };
            context! { id => l.id, name => name }
        })
        .collect();
    let Some(location) = chosen else {
        let ctx =
            context! { title => lang.text("console.stock.title", &[]), locations => location_options, location => () };
        return console.page(state, "stock_levels.html", status, ctx);
    };
    let levels = match all_levels(state, console, &location.id).await {
        Ok(levels) => levels,
        Err(error) => return refused(console, state, error),
    };
    let products = match state.app.merchant_products(&console.user, &location.merchant_id).await {
        Ok(products) => products,
        Err(error) => return refused(console, state, error),
    };
    let transfers = match state.app.location_transfers(&console.user, &location.id).await {
        Ok(transfers) => transfers,
        Err(error) => return refused(console, state, error),
    };
    // Every tracked SKU is listed, at 0 when the ledger has no level for it yet.
    let mut lines: BTreeMap<String, Line> = BTreeMap::new();
    for (product, variants) in products.iter().filter(|(product, _)| product.track_stock) {
        for variant in variants {
            let line =
                Line { sku: variant.sku.clone(), name: product.name.clone(), on_hand: 0, reserved: 0, available: 0 };
            lines.insert(variant.sku.clone(), line);
        }
    }
    for level in levels {
        let line = lines.entry(level.sku.clone()).or_insert_with(|| Line {
            sku: level.sku.clone(),
            name: String::new(),
            on_hand: 0,
            reserved: 0,
            available: 0,
        });
        (line.on_hand, line.reserved, line.available) = (level.on_hand, level.reserved, level.available);
    }
    let tracked_skus: Vec<String> = lines.keys().cloned().collect();
    let q: String = query.q.as_deref().unwrap_or_default().trim().chars().take(100).collect();
    let needle = q.to_lowercase();
    let mut shown: Vec<&Line> = lines
        .values()
        .filter(|line| {
            needle.is_empty() || line.sku.to_lowercase().contains(&needle) || line.name.to_lowercase().contains(&needle)
        })
        .collect();
    let sort = query.sort.as_deref().filter(|sort| SORTS.contains(sort)).unwrap_or("sku");
    let descending = query.dir.as_deref() == Some("desc");
    shown.sort_by(|a, b| {
        let order = match sort {
            "name" => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            "on_hand" => a.on_hand.cmp(&b.on_hand),
            "reserved" => a.reserved.cmp(&b.reserved),
            "available" => a.available.cmp(&b.available),
            _ => std::cmp::Ordering::Equal,
        }
        .then_with(|| a.sku.cmp(&b.sku));
        if descending { order.reverse() } else { order }
    });
    let total = shown.len();
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page_no = usize::try_from(page_number(query.page.as_deref())).unwrap_or(1).min(pages);
    let rows: Vec<Value> = shown
        .iter()
        .skip((page_no - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|line| {
            context! { sku => line.sku, name => line.name, on_hand => line.on_hand, reserved => line.reserved, available => line.available }
        })
        .collect();
    let base = format!("/console/stock?location_id={}&q={}", urlencode(&location.id), urlencode(&q));
    let link = |sort: &str, dir: &str, page: usize| format!("{base}&sort={sort}&dir={dir}&page={page}");
    let dir = if descending { "desc" } else { "asc" };
    let headers: Vec<Value> = SORTS
        .iter()
        .map(|&column| {
            let next_dir = if column == sort && !descending { "desc" } else { "asc" };
            let current = (column == sort).then_some(if descending { "descending" } else { "ascending" });
            context! { column => column, href => link(column, next_dir, 1), current => current }
        })
        .collect();
    let location_name =
        |id: &str| locations.iter().find(|l| l.id == id).map(|l| l.name.clone()).unwrap_or_else(|| id.to_owned());
    // Times in the location's own site's zone, as every other console page shows them.
    let timezone = state.app.site(&location.site_id).await.map(|site| site.timezone).unwrap_or_else(|_| "UTC".into());
    let transfer_rows: Vec<Value> =
        transfers.iter().map(|t| transfer_row(lang, &location, t, &location_name, &timezone)).collect();
    let destinations: Vec<Value> = locations
        .iter()
        .filter(|l| l.merchant_id == location.merchant_id && l.id != location.id)
        .map(|l| context! { id => l.id, name => l.name })
        .collect();
    let done =
        query.done.as_deref().filter(|done| ["count", "receipt", "transfer", "receive"].contains(done)).map(|done| {
            let args = [
                ("sku", query.sku.clone().unwrap_or_default()),
                ("difference", signed(query.difference.as_deref().and_then(|d| d.parse().ok()).unwrap_or(0))),
            ];
            lang.text(&format!("console.stock.done.{done}"), &args)
        });
    let preview = form.preview.map(|(on_hand, counted, difference)| {
        context! { on_hand => on_hand, counted => counted, difference => signed(difference), sku => form.values.get("sku").cloned().unwrap_or_default() }
    });
    let reasons: Vec<Value> = RECEIPT_REASONS
        .iter()
        .map(|&reason| context! { value => reason, label => lang.text(&format!("console.stock.reason.{reason}"), &[]) })
        .collect();
    let ctx = context! {
        title => lang.text("console.stock.title", &[]),
        locations => location_options,
        location => context! { id => location.id, name => location.name, merchant_id => location.merchant_id },
        rows => rows,
        total => total,
        tracked => tracked_skus,
        q => q,
        sort => sort,
        dir => dir,
        headers => headers,
        page_no => page_no,
        pages => pages,
        prev => (page_no > 1).then(|| link(sort, dir, page_no - 1)),
        next => (page_no < pages).then(|| link(sort, dir, page_no + 1)),
        transfers => transfer_rows,
        timezone => timezone,
        destinations => destinations,
        reasons => reasons,
        done => done,
        problem => form.errors.get("_").cloned(),
        preview => preview,
        count => form_ctx(&form, "count"),
        receipt => form_ctx(&form, "receipt"),
        transfer => form_ctx(&form, "transfer"),
    };
    console.page(state, "stock_levels.html", status, ctx)
}

/// `+3`, `-2`, `0`.
fn signed(n: i64) -> String {
    if n > 0 { format!("+{n}") } else { n.to_string() }
}

fn transfer_row(
    lang: Lang,
    here: &LocationRow,
    transfer: &TransferRow,
    name: &dyn Fn(&str) -> String,
    timezone: &str,
) -> Value {
    let incoming = transfer.to_location_id == here.id;
    let other = if incoming { &transfer.from_location_id } else { &transfer.to_location_id };
    let in_transit = transfer.status == TransferStatus::InTransit;
    context! {
        id => transfer.id,
        sku => transfer.sku,
        quantity => transfer.quantity,
        direction => if incoming { "in" } else { "out" },
        direction_text => lang.text(if incoming { "console.stock.transfers.in" } else { "console.stock.transfers.out" }, &[]),
        other => name(other),
        status => transfer.status.to_string(),
        status_text => lang.text(&format!("console.stock.transfers.status.{}", transfer.status), &[]),
        sent_at => local_time(transfer.created_at_ms, timezone, "%Y-%m-%d %H:%M"),
        receivable => incoming && in_transit,
    }
}

/// `GET /console/stock`.
pub(super) async fn levels(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<LevelsQuery>,
) -> Response {
    page(&state, &console, &query, FormState::default(), StatusCode::OK).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stock_template_compiles_and_its_texts_exist_in_both_languages() {
        let mut env = minijinja::Environment::new();
        let (es, en) = (Lang::Es.all(), Lang::En.all());
        for (name, source) in TEMPLATE_SOURCES {
            assert!(env.add_template(name, source).is_ok(), "{name} does not compile");
            for piece in source.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                if piece.starts_with(&format!("{key}\" ~")) {
                    continue;
                }
                assert!(es.contains_key(key) && en.contains_key(key), "{name} uses the missing text {key}");
            }
        }
        // The keys the pages compose.
        let mut composed: Vec<String> = SORTS.iter().map(|sort| format!("console.stock.col.{sort}")).collect();
        composed.extend(RECEIPT_REASONS.iter().map(|reason| format!("console.stock.reason.{reason}")));
        composed.extend(["count", "receipt", "transfer", "receive"].map(|done| format!("console.stock.done.{done}")));
        composed.extend(["in_transit", "received"].map(|status| format!("console.stock.transfers.status.{status}")));
        composed.extend(["stock", "catalog"].map(|kind| format!("console.import.kind.{kind}")));
        composed
            .extend(["running", "done", "failed", "interrupted"].map(|state| format!("console.import.state.{state}")));
        for key in composed {
            assert!(es.contains_key(&key) && en.contains_key(&key), "the missing text {key}");
        }
    }

    #[test]
    fn a_difference_is_signed() {
        assert_eq!(signed(3), "+3");
        assert_eq!(signed(-2), "-2");
        assert_eq!(signed(0), "0");
    }
}
