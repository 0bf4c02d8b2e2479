//! A product's photo page in the console (issue 15 point 2): an admin or the merchant's
//! manager sees the current photo (its thumbnail), uploads a new one (a plain multipart form
//! carrying the session's CSRF token in its `csrf` field, read by the API's own
//! `routes::product_photos::read_photo_form`), and removes it after a confirmation. Every change goes through the use
//! cases of `POST`/`DELETE /api/v1/products/{id}/photo`; a refusal (not an image, too big,
//! unreadable) is shown at the file field in the page's language. Another merchant's product is
//! the console's 404.
//!
//! Kept apart from the other console pages: own template (`product_photo.html`) and catalog
//! files (`console-photos.<lang>.json`); the product pages link here.

use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::catalog::photo_images::{MAX_PHOTO_BYTES, PhotoSize};
use omnicanal_app::catalog::photos::{PhotoUpload, ProductPhoto};
use serde::Deserialize;

use super::forms::{bad_csrf_told, not_manager, see_other};
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::urlencode;
use crate::error::ApiError;
use crate::routes::product_photos::{PHOTO_BODY_LIMIT_BYTES, read_photo_form};
use crate::state::AppState;
use crate::web::i18n::Lang;

/// The photo page's template, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 1] =
    [("product_photo.html", include_str!("../../../templates/console/product_photo.html"))];

/// The photo page's routes; the upload takes the photo's body limit instead of the pages' 1 MiB.
pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/console/catalog/products/{id}/photo",
            get(page).post(upload).layer(DefaultBodyLimit::max(PHOTO_BODY_LIMIT_BYTES)),
        )
        .route("/console/catalog/products/{id}/photo/delete", post(delete))
}

/// `?confirm=delete` asks before removing; `?done=` says what the last form did.
#[derive(Debug, Default, Deserialize)]
pub(super) struct PhotoQuery {
    confirm: Option<String>,
    done: Option<String>,
}

/// The delete form: its CSRF token only.
#[derive(Debug, Deserialize)]
pub(super) struct DeleteForm {
    csrf: Option<String>,
}

fn megabytes() -> usize {
    MAX_PHOTO_BYTES / (1024 * 1024)
}

/// The page's words for a refused upload.
fn refusal_text(lang: Lang, error: &AppError) -> Option<String> {
    let key = match error {
        AppError::TooLarge { .. } => "console.photos.error.too_large",
        AppError::UnsupportedMedia { .. } => "console.photos.error.not_image",
        AppError::Invalid(fields) if fields.iter().any(|f| f.message.starts_with("choose")) => {
            "console.photos.error.missing"
        }
        AppError::Invalid(_) => "console.photos.error.unreadable",
        _ => return None,
    };
    Some(lang.text(key, &[("megabytes", megabytes().to_string())]))
}

fn photo_context(photo: &ProductPhoto) -> Value {
    let thumb = photo.rendition(PhotoSize::Thumb);
    let large = photo.rendition(PhotoSize::Large).or(thumb);
    context! {
        thumb_url => thumb.map(|r| r.path.clone()),
        thumb_width => thumb.map(|r| r.info.width),
        thumb_height => thumb.map(|r| r.info.height),
        large_url => large.map(|r| r.path.clone()),
        source_width => photo.source_width,
        source_height => photo.source_height,
    }
}

/// What the page shows beside the product and its photo.
#[derive(Default)]
struct Shown {
    confirm_delete: bool,
    done: Option<String>,
    error: Option<String>,
}

/// The page for a product the caller may change, or the page that says why not.
async fn photo_page(state: &AppState, console: &ConsoleUser, id: &str, status: StatusCode, shown: Shown) -> Response {
    if let Some(denied) = not_manager(console, state, "console.photos.forbidden") {
        return denied;
    }
    let (product, _) = match state.app.product(&console.user, id).await {
        Ok(found) => found,
        Err(error) => return refused(console, state, error),
    };
    let photo = match state.app.product_photo(&console.user, id).await {
        Ok(photo) => photo,
        Err(error) => return refused(console, state, error),
    };
    let ctx = context! {
        title => console.lang.text("console.photos.title", &[]),
        product_id => product.id,
        product_name => product.name,
        photo => photo.as_ref().map(photo_context),
        confirm_delete => shown.confirm_delete,
        done => shown.done,
        error => shown.error,
        max_megabytes => megabytes(),
    };
    console.page(state, "product_photo.html", status, ctx)
}

/// `GET /console/catalog/products/{id}/photo`.
pub(super) async fn page(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    Query(query): Query<PhotoQuery>,
) -> Response {
    let done = query
        .done
        .as_deref()
        .filter(|done| matches!(*done, "uploaded" | "deleted"))
        .map(|done| console.lang.text(&format!("console.photos.done.{done}"), &[]));
    let shown = Shown { confirm_delete: query.confirm.as_deref() == Some("delete"), done, error: None };
    photo_page(&state, &console, &id, StatusCode::OK, shown).await
}

fn back_to(id: &str, done: &str) -> Response {
    see_other(&format!("/console/catalog/products/{}/photo?done={done}", urlencode(id)))
}

/// `POST /console/catalog/products/{id}/photo` (multipart): uploads, or shows the refusal at the field.
pub(super) async fn upload(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let lang = console.lang;
    let refusal = |error: &AppError| Shown { error: refusal_text(lang, error), ..Shown::default() };
    let form = match read_photo_form(multipart).await {
        Ok(form) => form,
        Err(ApiError::App(error)) => {
            let status = if matches!(error, AppError::TooLarge { .. }) {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            return photo_page(&state, &console, &id, status, refusal(&error)).await;
        }
        Err(_) => {
            let shown = Shown { error: Some(lang.text("console.photos.error.missing", &[])), ..Shown::default() };
            return photo_page(&state, &console, &id, StatusCode::BAD_REQUEST, shown).await;
        }
    };
    if let Some(denied) = bad_csrf_told(&console, &state, &headers, form.csrf.as_deref(), "console.photos.error.csrf") {
        return denied;
    }
    let bytes = form.photo.unwrap_or_default();
    match state.app.upload_product_photo(&console.user, &id, PhotoUpload { bytes }).await {
        Ok(_) => back_to(&id, "uploaded"),
        Err(error) => {
            let status = match &error {
                AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                AppError::UnsupportedMedia { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => return refused(&console, &state, error),
            };
            photo_page(&state, &console, &id, status, refusal(&error)).await
        }
    }
}

/// `POST /console/catalog/products/{id}/photo/delete`: removes the photo (after the confirmation).
pub(super) async fn delete(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<DeleteForm>,
) -> Response {
    if let Some(denied) = bad_csrf_told(&console, &state, &headers, form.csrf.as_deref(), "console.photos.error.csrf") {
        return denied;
    }
    match state.app.delete_product_photo(&console.user, &id).await {
        // Already gone (a second click, another tab): the page says so by showing no photo.
        Ok(()) | Err(AppError::NotFound("photo")) => back_to(&id, "deleted"),
        Err(error) => refused(&console, &state, error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_photo_template_compiles_and_its_texts_exist_in_both_languages() {
        let mut env = minijinja::Environment::new();
        env.add_template("layout.html", "{% block content %}{% endblock %}").ok();
        for (name, source) in TEMPLATE_SOURCES {
            assert!(env.add_template(name, source).is_ok(), "{name} does not compile");
            for piece in source.split("t(\"").skip(1) {
                let key = piece.split('"').next().unwrap_or_default();
                assert!(Lang::Es.all().contains_key(key), "{name} uses the missing Spanish text {key}");
                assert!(Lang::En.all().contains_key(key), "{name} uses the missing English text {key}");
            }
        }
    }

    #[test]
    fn each_refusal_is_told_at_the_field_in_the_page_language() {
        let too_big = AppError::TooLarge { field: "photo", message: String::new() };
        assert!(refusal_text(Lang::Es, &too_big).is_some_and(|text| text.contains("5 MB")));
        let not_image = AppError::UnsupportedMedia { field: "photo", message: String::new() };
        assert_eq!(refusal_text(Lang::En, &not_image), Some(Lang::En.text("console.photos.error.not_image", &[])));
        assert_eq!(refusal_text(Lang::En, &AppError::Forbidden), None);
    }
}
