//! A merchant's web shop settings in the console (issue 17 points 1 and 2): its address
//! (`/shop/{slug}`, unique, the old address of its name keeps working) and each location's kind
//! — a store (pickup, the till, deliveries) or a warehouse that sells only online. The merchant's
//! manager (or an admin) changes both here with plain forms carrying the session's CSRF token,
//! through the same use cases as `PUT /api/v1/merchants/{id}/shop-slug` and
//! `PUT /api/v1/locations/{id}/kind`; a taken or malformed address is told at its field.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::context;
use omnicanal_app::AppError;
use omnicanal_app::retail::{LocationKindChange, parse_shop_slug};
use serde::Deserialize;

use super::forms::{bad_csrf, not_manager, see_other};
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::state::AppState;

/// The shop settings page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("shop_settings.html", include_str!("../../../templates/console/shop_settings.html"))];

/// The page and its two forms.
pub(super) fn router() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/console/merchants/{id}/shop", get(page))
        .route("/console/merchants/{id}/shop/slug", post(save_slug))
        .route("/console/merchants/{id}/shop/locations/{location_id}/kind", post(save_kind))
}

/// `?done=slug|kind`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct DoneQuery {
    done: Option<String>,
}

/// The address form.
#[derive(Debug, Deserialize)]
pub(super) struct SlugForm {
    csrf: Option<String>,
    #[serde(default)]
    slug: String,
}

/// A location's kind form.
#[derive(Debug, Deserialize)]
pub(super) struct KindForm {
    csrf: Option<String>,
    #[serde(default)]
    kind: String,
}

async fn settings_page(
    state: &AppState,
    console: &ConsoleUser,
    merchant_id: &str,
    done: Option<String>,
    typed_slug: Option<(String, String)>,
    status: StatusCode,
) -> Response {
    if let Some(denied) = not_manager(console, state, "console.merchants.shop_slug.forbidden") {
        return denied;
    }
    let merchant = match state.app.merchant(&console.user, merchant_id).await {
        Ok(merchant) => merchant,
        Err(error) => return refused(console, state, error),
    };
    let (slug, locations) = match (
        state.app.shop_slug(&console.user, merchant_id).await,
        state.app.locations_with_kind(&console.user, merchant_id).await,
    ) {
        (Ok((slug, _)), Ok(locations)) => (slug, locations),
        (Err(error), _) | (_, Err(error)) => return refused(console, state, error),
    };
    let locations: Vec<_> = locations
        .into_iter()
        .map(|(location, kind)| context! { id => location.id, name => location.name, kind => kind.as_str() })
        .collect();
    let (slug, slug_error) = match typed_slug {
        Some((typed, error)) => (typed, Some(error)),
        None => (slug, None),
    };
    let ctx = context! {
        title => console.lang.text("console.merchants.shop_slug", &[]),
        merchant => context! { id => merchant.id, name => merchant.name },
        slug => slug,
        slug_error => slug_error,
        locations => locations,
        done => done,
    };
    console.page(state, "shop_settings.html", status, ctx)
}

/// `GET /console/merchants/{id}/shop`.
async fn page(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let done = match query.done.as_deref() {
        Some("slug") => Some(console.lang.text("console.merchants.shop_slug.saved", &[])),
        Some("kind") => Some(console.lang.text("console.locations.kind.saved", &[])),
        _ => None,
    };
    settings_page(&state, &console, &id, done, None, StatusCode::OK).await
}

fn back_to(id: &str, done: &str) -> Response {
    see_other(&format!("/console/merchants/{}/shop?done={done}", urlencode(id)))
}

/// `POST /console/merchants/{id}/shop/slug`.
async fn save_slug(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<SlugForm>,
) -> Response {
    if let Some(page) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return page;
    }
    let saved = match parse_shop_slug(&form.slug) {
        Ok(slug) => state.app.set_shop_slug(&console.user, &id, slug).await,
        Err(error) => Err(error),
    };
    let key = match saved {
        Ok(_) => return back_to(&id, "slug"),
        Err(AppError::AlreadyExists { .. }) => "console.merchants.shop_slug.taken",
        Err(AppError::Invalid(_)) => "console.merchants.shop_slug.invalid",
        Err(error) => return refused(&console, &state, error),
    };
    let error = console.lang.text(key, &[]);
    settings_page(&state, &console, &id, None, Some((form.slug, error)), StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /console/merchants/{id}/shop/locations/{location_id}/kind`.
async fn save_kind(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path((id, location_id)): Path<(String, String)>,
    Form(form): Form<KindForm>,
) -> Response {
    if let Some(page) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return page;
    }
    let change = match LocationKindChange::parse(&form.kind) {
        Ok(change) => change,
        Err(error) => return refused(&console, &state, error),
    };
    match state.app.set_location_kind(&console.user, &location_id, change).await {
        Ok(_) => back_to(&id, "kind"),
        Err(error) => refused(&console, &state, error),
    }
}
