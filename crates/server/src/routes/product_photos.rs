//! Product photos over HTTP (issue 15 point 2): `POST` and `DELETE /api/v1/products/{id}/photo`
//! (admins and the merchant's managers), and the public, content-addressed renditions under
//! `/media/products/{product_id}/{size}-{hash}.jpg`, cached for a year — a new photo has new
//! paths, so nothing ever needs purging. The console's photo page reads its form with
//! `read_photo_form` too, so both take exactly the same bytes.

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use omnicanal_app::catalog::photo_images::{self, MAX_PHOTO_BYTES, PHOTO_FIELD};
use omnicanal_app::catalog::photos::{PhotoUpload, ProductPhoto};
use omnicanal_app::ids::rfc3339;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The body a photo upload may have: the photo's limit plus room for the form around it; a
/// larger body is refused at the `photo` field like a photo over the limit.
pub const PHOTO_BODY_LIMIT_BYTES: usize = MAX_PHOTO_BYTES + 256 * 1024;

/// What a served rendition may be cached for: a year, since its path names its content.
pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The API's routes of this module (under `/api/v1`).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_photo, delete_photo))
        // Inside the app's 1 MiB default, which this replaces for these routes only.
        .layer(DefaultBodyLimit::max(PHOTO_BODY_LIMIT_BYTES))
}

/// The public renditions, outside `/api`.
pub fn media_router() -> Router<AppState> {
    Router::new().route("/media/products/{product_id}/{file}", get(serve_rendition))
}

/// The upload form: one file in the field `photo`.
#[derive(Debug, ToSchema)]
pub struct PhotoUploadForm {
    /// The image: JPEG, PNG or WebP (recognised by its bytes), at most 5 MB, at most 10,000
    /// pixels a side.
    #[schema(value_type = String, format = Binary)]
    pub photo: Vec<u8>,
}

/// One served size of a photo.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoRenditionView {
    /// `thumb` (160 px), `card` (480 px, the menu's) or `large` (1200 px).
    pub size: String,
    /// Where it is served (public, cached for a year).
    pub url: String,
    /// Its media type.
    pub content_type: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// Its length in bytes.
    pub bytes: i64,
}

/// A product's photo.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductPhotoView {
    /// The product.
    pub product_id: String,
    /// The product's `image_url` now (the card size).
    pub image_url: Option<String>,
    /// When it was uploaded (RFC 3339).
    pub uploaded_at: String,
    /// The upload's width, upright.
    pub source_width: i64,
    /// The upload's height, upright.
    pub source_height: i64,
    /// Its sizes, smallest first.
    pub renditions: Vec<PhotoRenditionView>,
}

impl From<ProductPhoto> for ProductPhotoView {
    fn from(photo: ProductPhoto) -> Self {
        let image_url = photo.rendition(photo_images::PhotoSize::Card).map(|card| card.path.clone());
        Self {
            product_id: photo.product_id,
            image_url,
            uploaded_at: rfc3339(photo.uploaded_at_ms),
            source_width: photo.source_width,
            source_height: photo.source_height,
            renditions: photo
                .renditions
                .into_iter()
                .map(|served| PhotoRenditionView {
                    size: served.info.size,
                    url: served.path,
                    content_type: served.info.content_type,
                    width: served.info.width,
                    height: served.info.height,
                    bytes: served.info.byte_len,
                })
                .collect(),
        }
    }
}

/// A photo form as read: the file (None when the field was absent) and the other text fields.
#[derive(Debug, Default)]
pub struct PhotoForm {
    /// The `photo` field's bytes.
    pub photo: Option<Vec<u8>>,
    /// The `csrf` field (the console's form).
    pub csrf: Option<String>,
}

/// A multipart error: over the body limit is the photo's size refusal, the rest a bad request.
fn form_error(error: MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::App(photo_images::too_large())
    } else {
        ApiError::Rejected { status: StatusCode::BAD_REQUEST, detail: error.body_text() }
    }
}

/// Reads a photo form: the `photo` file and a `csrf` field. A photo over the limit is refused
/// without keeping more of it than the limit.
pub async fn read_photo_form(multipart: Result<Multipart, MultipartRejection>) -> Result<PhotoForm, ApiError> {
    let mut multipart = multipart.map_err(|_| ApiError::UnsupportedMediaType("multipart/form-data"))?;
    let mut form = PhotoForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(form_error)? {
        match field.name() {
            Some(PHOTO_FIELD) if form.photo.is_none() => {
                let mut bytes = Vec::new();
                let mut over_limit = false;
                while let Some(chunk) = field.chunk().await.map_err(form_error)? {
                    // Past the limit the rest is read and dropped (the body limit bounds it), so
                    // the client gets the answer instead of a connection cut mid-upload.
                    over_limit |= bytes.len() + chunk.len() > MAX_PHOTO_BYTES;
                    if !over_limit {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                if over_limit {
                    return Err(ApiError::App(photo_images::too_large()));
                }
                form.photo = Some(bytes);
            }
            Some("csrf") if form.csrf.is_none() => {
                form.csrf = Some(field.text().await.map_err(form_error)?.chars().take(200).collect());
            }
            // Anything else is skipped unread; multer discards it on the next field.
            _ => {}
        }
    }
    Ok(form)
}

/// Upload a product's photo (admins, and the merchant's managers). It is recognised by its
/// bytes (JPEG, PNG or WebP), resized into `thumb`, `card` and `large`, and replaces the
/// previous photo; the product's `image_url` becomes the `card` size's URL.
#[utoipa::path(post, path = "/products/{id}/photo", tag = "catalog",
    params(("id" = String, Path, description = "Product id")),
    request_body(content = PhotoUploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, body = ProductPhotoView, description = "The photo is in place"),
        (status = 404, body = crate::error::Problem, description = "No such product, or another merchant's"),
        (status = 413, body = crate::error::Problem, description = "The photo is over 5 MB (field `photo`)"),
        (status = 415, body = crate::error::Problem, description = "Not multipart, or the file is not a JPEG, PNG or WebP (field `photo`)"),
        (status = 422, body = crate::error::Problem, description = "No file, an image that cannot be read, or absurd dimensions (field `photo`)"),
    ))]
async fn upload_photo(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<ProductPhotoView>)> {
    let form = read_photo_form(multipart).await?;
    let bytes = form.photo.ok_or_else(|| ApiError::invalid(PHOTO_FIELD, "send the image in the field `photo`"))?;
    let photo = state.app.upload_product_photo(&user, &id, PhotoUpload { bytes }).await?;
    Ok((StatusCode::CREATED, Json(photo.into())))
}

/// Remove a product's photo (admins, and the merchant's managers); its `image_url` is cleared.
#[utoipa::path(delete, path = "/products/{id}/photo", tag = "catalog",
    params(("id" = String, Path, description = "Product id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The photo is gone"),
        (status = 404, body = crate::error::Problem, description = "No such product, another merchant's, or no photo"),
    ))]
async fn delete_photo(State(state): State<AppState>, user: AuthUser, Path(id): Path<String>) -> ApiResult<StatusCode> {
    state.app.delete_product_photo(&user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// True when `If-None-Match` names `etag` (or is `*`); weak or strong, as RFC 9110 compares for GET.
pub(crate) fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.split(',').map(str::trim).any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag))
}

/// `GET /media/products/{product_id}/{size}-{hash}.jpg`: a rendition, public and immutable.
async fn serve_rendition(
    State(state): State<AppState>,
    Path((product_id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let rendition = match state.app.photo_rendition(&product_id, &file).await {
        Ok(rendition) => rendition,
        Err(error) => return ApiError::App(error).into_response(),
    };
    immutable_image(&headers, &rendition.hash, rendition.bytes, &rendition.content_type)
}

/// A stored image rendition as a public, immutable answer named by its content hash: 304 when
/// the client's `If-None-Match` already has it. Product photos and gallery photos alike.
pub(crate) fn immutable_image(headers: &HeaderMap, hash: &str, bytes: Vec<u8>, content_type: &str) -> Response {
    let etag = format!("\"{hash}\"");
    let status = if none_match(headers, &etag) { StatusCode::NOT_MODIFIED } else { StatusCode::OK };
    let body = if status == StatusCode::OK { Body::from(bytes) } else { Body::empty() };
    let mut response = (status, body).into_response();
    let out = response.headers_mut();
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    out.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, value);
    }
    if status == StatusCode::OK {
        let content_type = HeaderValue::from_str(content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
        out.insert(header::CONTENT_TYPE, content_type);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_strong_and_weak_tags_and_lists() {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"a\", W/\"abc\""));
        assert!(none_match(&headers, "\"abc\""));
        assert!(!none_match(&headers, "\"abd\""));
        assert!(!none_match(&HeaderMap::new(), "\"abc\""));
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(none_match(&headers, "\"abc\""));
    }
}
