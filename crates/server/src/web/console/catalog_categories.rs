//! The categories page of the console's catalogue (issue 15 point 2): a merchant's categories
//! with how many products carry each (on sale and archived), and a rename per category that
//! moves every product of the merchant at once (`App::rename_category`, the API's use case); a
//! refused name is shown at that category's field in the page's language, as typed.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::catalog::CategoryRename;
use serde::Deserialize;

use super::catalog::{ListQuery, merchant_of, not_manager};
use super::forms::{bad_csrf, merchant_choices, see_other};
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::state::AppState;

/// The categories page, with a rename's refusal at its field.
async fn categories_page(
    state: &AppState,
    console: &ConsoleUser,
    merchant: Option<&str>,
    refusal: Option<(String, String, String)>,
    done: Option<String>,
    status: StatusCode,
) -> Response {
    if let Some(refusal) = not_manager(console, state) {
        return refusal;
    }
    let lang = console.lang;
    let merchants = merchant_choices(state, console).await;
    let Some(merchant_id) = merchant_of(console, merchant) else {
        let ctx = context! { title => lang.text("console.catalog.categories_title", &[]), merchants => merchants, pick => true };
        return console.page(state, "catalog_categories.html", StatusCode::OK, ctx);
    };
    let rows = match state.app.merchant_categories(&console.user, &merchant_id).await {
        Ok(rows) => rows,
        Err(error) => return refused(console, state, error),
    };
    let (failed_from, failed_to, error) = refusal.unwrap_or_default();
    let categories: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let failed = row.name == failed_from;
            context! {
                i => i,
                name => row.name,
                products => row.active_products,
                archived => row.archived_products,
                link => format!("/console/catalog?merchant={}&q=", urlencode(&merchant_id)),
                to => if failed { failed_to.clone() } else { row.name.clone() },
                error => failed.then(|| error.clone()),
            }
        })
        .collect();
    let ctx = context! {
        title => lang.text("console.catalog.categories_title", &[]),
        merchants => merchants,
        merchant_id => merchant_id,
        merchant_param => urlencode(&merchant_id),
        categories => categories,
        done => done,
    };
    console.page(state, "catalog_categories.html", status, ctx)
}

/// `GET /console/catalog/categories?merchant=`.
pub(super) async fn list(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<ListQuery>,
) -> Response {
    let done = query
        .done
        .as_deref()
        .filter(|d| *d == "renamed")
        .map(|_| console.lang.text("console.catalog.done.renamed", &[]));
    categories_page(&state, &console, query.merchant.as_deref(), None, done, StatusCode::OK).await
}

/// The rename form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct RenameForm {
    csrf: Option<String>,
    merchant_id: Option<String>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `POST /console/catalog/categories`: renames a category on all its products.
pub(super) async fn rename(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<RenameForm>,
) -> Response {
    if let Some(refusal) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return refusal;
    }
    let Some(merchant_id) = merchant_of(&console, form.merchant_id.as_deref()) else {
        return see_other("/console/catalog/categories");
    };
    let result = match CategoryRename::parse(&form.from, &form.to) {
        Ok(rename) => state.app.rename_category(&console.user, &merchant_id, &rename).await,
        Err(error) => Err(error),
    };
    let lang = console.lang;
    match result {
        Ok(_) => see_other(&format!("/console/catalog/categories?merchant={}&done=renamed", urlencode(&merchant_id))),
        Err(AppError::Invalid(errors)) => {
            let too_long = errors.iter().any(|e| e.message.contains("at most"));
            let key =
                if too_long { "console.catalog.problem.category" } else { "console.catalog.problem.category_empty" };
            let refusal = (form.from.trim().to_owned(), form.to.clone(), lang.text(key, &[]));
            categories_page(&state, &console, Some(&merchant_id), Some(refusal), None, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(error) => refused(&console, &state, error),
    }
}
