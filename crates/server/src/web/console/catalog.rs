//! The manager's catalogue in the browser (issue 15 point 2): the product list (search,
//! sortable columns, pages, archived ones apart), the product form with its variants and
//! modifier groups, archiving after a confirmation, and the categories page with its rename.
//! A manager works on its own merchant; an admin picks one (`?merchant=`). Every form posts
//! with the session's CSRF token and calls the very use cases of the JSON API
//! (`create_product`, `update_product`, `set_product_archived`, `rename_category`), so a refusal
//! is the API's, shown at its field in the page's language with the values typed kept. A
//! product of another merchant is "not found", never "forbidden".
//!
//! Kept apart from the other console pages (own templates `catalog_*.html`, own texts
//! `console-catalog.<lang>.json`, own script `console-catalog.js`).

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::catalog::{NewProduct, ProductInput, ProductPatch, ProductQuery};
use omnicanal_domain::Currency;
use omnicanal_domain::access::Role;
use omnicanal_store::CatalogEntryRow;
use serde::Deserialize;

use super::catalog_categories as categories;
use super::catalog_form::{ProductFields, form_context, price_text, problem_texts};
use super::forms::{bad_csrf, merchant_choices, page_count, page_number, pager_links, see_other};
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::state::AppState;
use crate::web::asset;

/// Products a list page shows.
const PER_PAGE: i64 = 25;

/// The catalogue's templates, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 4] = [
    ("catalog_list.html", include_str!("../../../templates/console/catalog_list.html")),
    ("catalog_form.html", include_str!("../../../templates/console/catalog_form.html")),
    ("catalog_confirm.html", include_str!("../../../templates/console/catalog_confirm.html")),
    ("catalog_categories.html", include_str!("../../../templates/console/catalog_categories.html")),
];

/// The catalogue's pages and script.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/console/catalog", get(list))
        .route("/console/catalog/products", post(create))
        .route("/console/catalog/products/new", get(new_form))
        .route("/console/catalog/products/{id}", get(edit_form).post(update))
        .route("/console/catalog/products/{id}/archive", get(confirm_archive).post(archive))
        .route("/console/catalog/products/{id}/unarchive", post(unarchive))
        .route("/console/catalog/categories", get(categories::list).post(categories::rename))
        .route(
            "/static/console/catalog.js",
            get(|| asset(include_str!("../../../assets/console-catalog.js"), "text/javascript; charset=utf-8")),
        )
}

/// `?merchant=&q=&sort=&archived=&page=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    pub(super) merchant: Option<String>,
    q: Option<String>,
    sort: Option<String>,
    archived: Option<String>,
    page: Option<String>,
    pub(super) done: Option<String>,
}

/// The merchant a page works on: a manager's own; for an admin the one asked for, or `None`
/// (the page then asks to pick one).
pub(super) fn merchant_of(console: &ConsoleUser, asked: Option<&str>) -> Option<String> {
    match console.user.role {
        Role::Admin => asked.map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned),
        _ => console.user.merchant_id.clone(),
    }
}

/// Only managers and admins keep a catalogue: staff get this 403 page.
pub(super) fn not_manager(console: &ConsoleUser, state: &AppState) -> Option<Response> {
    super::forms::not_manager(console, state, "console.catalog.forbidden")
}

/// The lowest and highest price of a product's variants, as the list shows them.
fn price_range(entry: &CatalogEntryRow) -> String {
    let prices = entry.variants.iter().map(|v| omnicanal_domain::Money::new(v.price_minor, v.currency));
    let low = prices.clone().min_by_key(|m| m.amount_minor);
    let high = prices.max_by_key(|m| m.amount_minor);
    match (low, high) {
        (Some(low), Some(high)) if low.amount_minor != high.amount_minor => {
            format!("{} – {}", low.display(), high.display())
        }
        (Some(low), _) => low.display(),
        _ => String::new(),
    }
}

/// `GET /console/catalog`: a merchant's products.
pub(super) async fn list(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(refusal) = not_manager(&console, &state) {
        return refusal;
    }
    let lang = console.lang;
    let merchants = merchant_choices(&state, &console).await;
    let Some(merchant_id) = merchant_of(&console, query.merchant.as_deref()) else {
        let ctx = context! { title => lang.text("console.catalog.title", &[]), merchants => merchants, pick => true };
        return console.page(&state, "catalog_list.html", StatusCode::OK, ctx);
    };
    let page_no = page_number(query.page.as_deref());
    let sort = query.sort.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "name".to_owned());
    let archived = if query.archived.as_deref() == Some("true") { "true" } else { "false" };
    let q: String = query.q.clone().unwrap_or_default().trim().chars().take(100).collect();
    let parsed = ProductQuery::parse(
        &merchant_id,
        Some(&q),
        Some(&sort),
        Some(archived),
        Some(PER_PAGE),
        Some((page_no - 1) * PER_PAGE),
    );
    let result = match parsed {
        Ok(parsed) => state.app.search_products(&console.user, &parsed).await,
        Err(error) => Err(error),
    };
    let (entries, total) = match result {
        Ok(found) => found,
        Err(AppError::Invalid(_)) => {
            return see_other(&format!("/console/catalog?merchant={}", urlencode(&merchant_id)));
        }
        Err(error) => return refused(&console, &state, error),
    };
    let products: Vec<Value> = entries
        .iter()
        .map(|entry| {
            context! {
                id => entry.product.id,
                name => entry.product.name,
                category => entry.product.category,
                price => price_range(entry),
                skus => entry.variants.iter().map(|v| v.sku.clone()).collect::<Vec<_>>().join(", "),
                archived => entry.archived_at_ms.is_some(),
                photo => entry.product.image_url.is_some(),
            }
        })
        .collect();
    let pages = page_count(total, PER_PAGE);
    let base = format!("/console/catalog?merchant={}&q={}&archived={archived}", urlencode(&merchant_id), urlencode(&q));
    // A column's link sorts by it; on the column already sorted it reverses the order.
    let sort_link = |key: &str| {
        let next = if sort == key { format!("-{key}") } else { key.to_owned() };
        format!("{base}&sort={}", urlencode(&next))
    };
    let sorted = |key: &str| {
        if sort == key {
            "ascending"
        } else if sort.strip_prefix('-') == Some(key) {
            "descending"
        } else {
            "none"
        }
    };
    let columns: Vec<Value> = ["name", "category", "price", "created"]
        .iter()
        .map(|key| {
            context! {
                key => key, href => sort_link(key), sorted => sorted(key),
                label => lang.text(&format!("console.catalog.column.{key}"), &[]),
            }
        })
        .collect();
    let paged = format!("{base}&sort={}", urlencode(&sort));
    let (prev, next) = pager_links(page_no, page_no < pages, |to| format!("{paged}&page={to}"));
    let ctx = context! {
        title => lang.text("console.catalog.title", &[]),
        merchants => merchants,
        merchant_id => merchant_id,
        merchant_param => urlencode(&merchant_id),
        products => products,
        total => total,
        q => q,
        sort => sort,
        archived => archived == "true",
        columns => columns,
        page_no => page_no,
        pages => pages,
        prev => prev,
        next => next,
        done => query.done.as_deref().filter(|d| ["archived", "unarchived", "saved", "created"].contains(d))
            .map(|d| lang.text(&format!("console.catalog.done.{d}"), &[])),
    };
    console.page(&state, "catalog_list.html", StatusCode::OK, ctx)
}

/// The form page, new (`id` none) or an edit.
async fn form_page(
    state: &AppState,
    console: &ConsoleUser,
    id: Option<&str>,
    form: &ProductFields,
    errors: &BTreeMap<String, String>,
    status: StatusCode,
) -> Response {
    let lang = console.lang;
    let categories: Vec<String> = state
        .app
        .merchant_categories(&console.user, &form.merchant_id)
        .await
        .map(|rows| rows.into_iter().map(|row| row.name).collect())
        .unwrap_or_default();
    let currencies: Vec<&str> = Currency::ALL.iter().map(|c| c.code()).collect();
    let title = if id.is_some() { "console.catalog.edit_title" } else { "console.catalog.new_title" };
    let ctx = context! {
        title => lang.text(title, &[]),
        id => id,
        form => form_context(lang, form, errors),
        categories => categories,
        currencies => currencies,
        merchant_param => urlencode(&form.merchant_id),
        problem => !errors.is_empty(),
    };
    console.page(state, "catalog_form.html", status, ctx)
}

/// `GET /console/catalog/products/new?merchant=`.
pub(super) async fn new_form(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<ListQuery>,
) -> Response {
    if let Some(refusal) = not_manager(&console, &state) {
        return refusal;
    }
    let Some(merchant_id) = merchant_of(&console, query.merchant.as_deref()) else {
        return see_other("/console/catalog");
    };
    // The currency of the merchant's first location's site, when it has one.
    let mut currency = Currency::Clp;
    if let Ok(listed) = state.app.console_locations(&console.user).await
        && let Some((_, site)) = listed.locations.iter().find(|(l, _)| l.merchant_id == merchant_id)
    {
        currency = site.currency;
    }
    let form = ProductFields { merchant_id, currency: currency.code().to_owned(), ..ProductFields::default() };
    form_page(&state, &console, None, &form, &BTreeMap::new(), StatusCode::OK).await
}

/// `POST /console/catalog/products`: creates, or shows the form again with its refusals.
pub(super) async fn create(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    if let Some(refusal) = not_manager(&console, &state) {
        return refusal;
    }
    let mut form = ProductFields::from_pairs(pairs);
    if let Some(refusal) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return refusal;
    }
    if let Some(own) = merchant_of(&console, Some(&form.merchant_id)) {
        form.merchant_id = own;
    }
    let result = match form.rows(&BTreeMap::new()) {
        Err(errors) => Err(AppError::Invalid(errors)),
        Ok((variants, groups)) => match NewProduct::parse(ProductInput {
            merchant_id: form.merchant_id.clone(),
            name: form.name.clone(),
            track_stock: form.track_stock,
            tax_category: Some(form.tax_category.clone()).filter(|t| !t.is_empty()),
            category: Some(form.category.clone()),
            image_url: None,
            modifier_groups: groups,
            description: Some(form.description.clone()),
            allergens: form.allergens.clone(),
            variants,
        }) {
            // A SKU taken within the merchant is checked by the store's unique key; the form
            // names the row by looking the SKUs up first.
            Ok(product) => match first_taken_sku(&state, &console, &form).await {
                Some(error) => Err(error),
                None => state.app.create_product(&console.user, product).await.map(|_| ()),
            },
            Err(error) => Err(error),
        },
    };
    match result {
        Ok(()) => see_other(&format!("/console/catalog?merchant={}&done=created", urlencode(&form.merchant_id))),
        Err(error) => refused_form(&state, &console, None, &form, error).await,
    }
}

/// The first variant row whose SKU the merchant already has, as the use case's refusal.
async fn first_taken_sku(state: &AppState, console: &ConsoleUser, form: &ProductFields) -> Option<AppError> {
    let skus: Vec<&str> = form.variants.iter().map(|row| row.sku.trim()).collect();
    state.app.check_skus_free(&console.user, &form.merchant_id, &skus).await.err()
}

/// A refused form: its fields' texts (the form again, 409 or 422), or a page.
async fn refused_form(
    state: &AppState,
    console: &ConsoleUser,
    id: Option<&str>,
    form: &ProductFields,
    error: AppError,
) -> Response {
    let status = match &error {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::SkuTaken { .. } | AppError::AlreadyExists { .. } | AppError::VariantHasHistory { .. } => {
            StatusCode::CONFLICT
        }
        _ => return refused(console, state, error),
    };
    let errors = problem_texts(console.lang, &error);
    form_page(state, console, id, form, &errors, status).await
}

/// `GET /console/catalog/products/{id}`: the edit form.
pub(super) async fn edit_form(State(state): State<AppState>, console: ConsoleUser, Path(id): Path<String>) -> Response {
    match state.app.catalog_entry(&console.user, &id).await {
        Ok(entry) => {
            let form = ProductFields::from_entry(&entry);
            form_page(&state, &console, Some(&id), &form, &BTreeMap::new(), StatusCode::OK).await
        }
        Err(error) => refused(&console, &state, error),
    }
}

/// `POST /console/catalog/products/{id}`: saves the edit whole, or shows the form again.
pub(super) async fn update(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let mut form = ProductFields::from_pairs(pairs);
    if let Some(refusal) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return refusal;
    }
    let current = match state.app.catalog_entry(&console.user, &id).await {
        Ok(entry) => entry,
        Err(error) => return refused(&console, &state, error),
    };
    form.merchant_id = current.product.merchant_id.clone();
    // A product's currency is its variants': the form cannot change it.
    form.currency = current.variants.first().map_or(Currency::Clp, |v| v.currency).code().to_owned();
    let existing = current
        .variants
        .iter()
        .map(|v| (v.sku.clone(), serde_json::from_str(&v.attributes_json).unwrap_or_default()))
        .collect();
    let result = match form.rows(&existing) {
        Err(errors) => Err(AppError::Invalid(errors)),
        Ok((variants, groups)) => {
            let patch = ProductPatch {
                name: Some(form.name.clone()),
                track_stock: Some(form.track_stock),
                tax_category: Some(form.tax_category.clone()).filter(|t| !t.is_empty()),
                category: Some(form.category.clone()),
                description: Some(form.description.clone()),
                allergens: Some(form.allergens.clone()),
                modifier_groups: Some(groups),
                variants: Some(variants),
            };
            state.app.update_product(&console.user, &id, patch).await
        }
    };
    match result {
        Ok(entry) => {
            see_other(&format!("/console/catalog?merchant={}&done=saved", urlencode(&entry.product.merchant_id)))
        }
        Err(error) => refused_form(&state, &console, Some(&id), &form, error).await,
    }
}

/// `GET /console/catalog/products/{id}/archive`: asks first.
pub(super) async fn confirm_archive(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
) -> Response {
    match state.app.catalog_entry(&console.user, &id).await {
        Ok(entry) => {
            let ctx = context! {
                title => console.lang.text("console.catalog.archive_title", &[]),
                id => entry.product.id,
                name => entry.product.name,
                price => entry.variants.first().map(|v| price_text(v.price_minor, v.currency)),
                merchant_param => urlencode(&entry.product.merchant_id),
            };
            console.page(&state, "catalog_confirm.html", StatusCode::OK, ctx)
        }
        Err(error) => refused(&console, &state, error),
    }
}

/// A form carrying only the CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct CsrfOnly {
    csrf: Option<String>,
}

async fn set_archived(
    state: AppState,
    console: ConsoleUser,
    headers: HeaderMap,
    id: String,
    csrf: Option<String>,
    archived: bool,
) -> Response {
    if let Some(refusal) = bad_csrf(&console, &state, &headers, csrf.as_deref()) {
        return refusal;
    }
    match state.app.set_product_archived(&console.user, &id, archived).await {
        Ok(entry) => {
            let done = if archived { "archived" } else { "unarchived" };
            let shown = if archived { "false" } else { "true" };
            see_other(&format!(
                "/console/catalog?merchant={}&archived={shown}&done={done}",
                urlencode(&entry.product.merchant_id)
            ))
        }
        Err(error) => refused(&console, &state, error),
    }
}

/// `POST /console/catalog/products/{id}/archive`.
pub(super) async fn archive(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    set_archived(state, console, headers, id, form.csrf, true).await
}

/// `POST /console/catalog/products/{id}/unarchive`.
pub(super) async fn unarchive(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    set_archived(state, console, headers, id, form.csrf, false).await
}

#[cfg(test)]
mod tests {
    use super::TEMPLATE_SOURCES;
    use crate::web::i18n::Lang;

    #[test]
    fn the_catalogue_templates_compile_and_every_text_they_use_exists_in_both_languages() {
        let env = minijinja::Environment::new();
        for (name, source) in TEMPLATE_SOURCES {
            assert!(env.template_from_str(source).is_ok(), "{name} does not compile");
            for piece in source.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                for lang in [Lang::Es, Lang::En] {
                    assert!(lang.all().contains_key(key), "{name} uses the missing text {key} ({})", lang.code());
                }
            }
        }
    }
}
