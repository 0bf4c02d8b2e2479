//! A product's variants in the console (issue 17 point 1): the manager defines up to 3 options
//! (Talla: S, M, L; Color: Azul, Negro), generates one variant per combination, and edits every
//! variant's SKU, barcode, price and on/off in one grid. The page is the chrome and the
//! product's facts; `console-variants.js` reads and saves the grid through
//! `GET`/`PUT /api/v1/products/{id}/variant-grid` with the session's CSRF header, so the page
//! has exactly the API's checks, and each refused field (`variants[2].price`) is shown at its
//! cell. Kept in its own module, template, script and catalog files
//! (`console-variants.<lang>.json`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use minijinja::context;

use super::forms::not_manager;
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::console_messages;
use crate::state::AppState;
use crate::web::asset;

/// The variants page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("catalog_variants.html", include_str!("../../../templates/console/catalog_variants.html"))];

/// The variants page and its script.
pub(super) fn router() -> axum::Router<AppState> {
    axum::Router::new().route("/console/catalog/products/{id}/variants", get(page)).route(
        "/static/console/variants.js",
        get(|| asset(include_str!("../../../assets/console-variants.js"), super::JS)),
    )
}

/// `GET /console/catalog/products/{id}/variants`.
async fn page(State(state): State<AppState>, console: ConsoleUser, Path(id): Path<String>) -> Response {
    if let Some(denied) = not_manager(&console, &state, "console.variants.forbidden") {
        return denied;
    }
    let grid = match state.app.variant_grid(&console.user, &id).await {
        Ok(grid) => grid,
        Err(error) => return refused(&console, &state, error),
    };
    let product = grid.entry.product;
    let currency = grid.entry.variants.first().map_or("CLP", |variant| variant.currency.code());
    let shop = state.app.shop_slug(&console.user, &product.merchant_id).await.ok().map(|(slug, _)| slug);
    let lang = console.lang;
    let page_data = serde_json::json!({
        "product_id": product.id,
        "currency": currency,
        "shop_product_url": shop.map(|slug| format!("/shop/{slug}/p/{}", product.id)),
        "lang": lang.code(),
        "messages": console_messages(lang),
    });
    let ctx = context! {
        title => lang.text("console.variants.title", &[]),
        product_id => product.id,
        product_name => product.name,
        currency => currency,
        page_data => page_data,
    };
    console.page(&state, "catalog_variants.html", StatusCode::OK, ctx)
}
