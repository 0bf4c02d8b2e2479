//! `/r/{token}`: the digital receipt a till offers when its printer fails — the sale's receipt
//! as one standalone page, readable on a phone (the 380 px receipt of `documents::html`), in
//! Spanish or English (`?lang=`, the `lang` cookie, `Accept-Language`), with a link to the other
//! language. Anyone holding the unguessable token may read it; the page is never cached by a
//! shared cache, asks search engines not to index it and sends no referrer onwards, so the
//! token does not travel further than the customer takes it.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use omnicanal_app::AppError;

use super::PageQuery;
use super::i18n::Lang;
use crate::documents::html::render_html;
use crate::documents::till::sale_receipt;
use crate::state::AppState;

/// The digital receipt's page.
pub fn router() -> Router<AppState> {
    Router::new().route("/r/{token}", get(receipt_page))
}

async fn receipt_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = Lang::negotiate(query.lang.as_deref(), &headers);
    let (status, body) = match state.app.digital_receipt(&token).await {
        Ok(receipt) => {
            let page = render_html(&sale_receipt(&receipt, lang));
            (StatusCode::OK, with_extras(page, lang))
        }
        Err(AppError::NotFound(_)) => (StatusCode::NOT_FOUND, not_found_page(lang)),
        Err(error) => {
            tracing::warn!(%error, "a digital receipt could not be read");
            let text = match lang {
                Lang::Es => "El ticket no se pudo leer ahora; inténtelo de nuevo en un momento.",
                Lang::En => "The receipt could not be read now; try again in a moment.",
            };
            (StatusCode::SERVICE_UNAVAILABLE, text.to_owned())
        }
    };
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    response
}

/// The receipt page with its language set, `noindex`, and a link to the other language.
fn with_extras(page: String, lang: Lang) -> String {
    let (code, other, other_name) = match lang {
        Lang::Es => ("es", "en", "English"),
        Lang::En => ("en", "es", "Español"),
    };
    page.replacen("<html lang=\"es\">", &format!("<html lang=\"{code}\">"), 1)
        .replacen("<head>\n", "<head>\n<meta name=\"robots\" content=\"noindex\">\n", 1)
        .replacen(
            "</body>",
            &format!(
                "<p class=\"actions\"><a href=\"?lang={other}\" hreflang=\"{other}\" lang=\"{other}\">{other_name}</a></p>\n</body>"
            ),
            1,
        )
}

fn not_found_page(lang: Lang) -> String {
    let (code, title, text) = match lang {
        Lang::Es => {
            ("es", "Ticket no encontrado", "Este enlace no corresponde a ningún ticket. Pida uno nuevo en la caja.")
        }
        Lang::En => ("en", "Receipt not found", "This link does not lead to a receipt. Ask the till for a new one."),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{code}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n<title>{title}</title>\n</head>\n\
         <body style=\"font-family: system-ui, sans-serif; max-width: 380px; margin: 2rem auto; padding: 0 1rem\">\n\
         <h1>{title}</h1>\n<p>{text}</p>\n</body>\n</html>\n"
    )
}
