//! A product's photo gallery over HTTP (issue 17 point 1): `GET`/`POST
//! /api/v1/products/{id}/gallery` and `DELETE /api/v1/products/{id}/gallery/{photo_id}` (the
//! upload is the main photo's multipart form, read by `product_photos::read_photo_form`), and
//! the public, content-addressed renditions under `/media/gallery/{photo_id}/{size}-{hash}.jpg`.
//! A variant chooses its photo in the variant grid (`photo_id`).

use axum::Json;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use omnicanal_app::catalog::photo_images::PHOTO_FIELD;
use omnicanal_app::catalog::photos::PhotoUpload;
use omnicanal_app::ids::rfc3339;
use omnicanal_app::retail::gallery::GalleryPhoto;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::routes::product_photos::{PHOTO_BODY_LIMIT_BYTES, PhotoUploadForm, immutable_image, read_photo_form};
use crate::state::AppState;

/// The API's routes of this module (under `/api/v1`).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_gallery, upload_gallery_photo))
        .routes(routes!(delete_gallery_photo))
        .layer(DefaultBodyLimit::max(PHOTO_BODY_LIMIT_BYTES))
}

/// The public renditions, outside `/api`.
pub fn media_router() -> Router<AppState> {
    Router::new().route("/media/gallery/{photo_id}/{file}", get(serve_rendition))
}

/// One size of a gallery photo.
#[derive(Debug, Serialize, ToSchema)]
pub struct GalleryRenditionView {
    /// `thumb`, `card` or `large`.
    pub size: String,
    /// Where it is served (public, cached for a year).
    pub url: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
}

/// A photo of a product's gallery.
#[derive(Debug, Serialize, ToSchema)]
pub struct GalleryPhotoView {
    /// Its id: what a variant's `photo_id` names.
    pub id: String,
    /// When it was uploaded (RFC 3339).
    pub uploaded_at: String,
    /// Its sizes, smallest first.
    pub renditions: Vec<GalleryRenditionView>,
}

impl From<GalleryPhoto> for GalleryPhotoView {
    fn from(photo: GalleryPhoto) -> Self {
        Self {
            id: photo.id,
            uploaded_at: rfc3339(photo.uploaded_at_ms),
            renditions: photo
                .renditions
                .into_iter()
                .map(|(size, url, width, height)| GalleryRenditionView { size, url, width, height })
                .collect(),
        }
    }
}

/// A product's gallery, oldest first (anyone who may see the product).
#[utoipa::path(get, path = "/products/{id}/gallery", tag = "catalog",
    params(("id" = String, Path, description = "Product id")), security(("bearer" = [])),
    responses((status = 200, body = [GalleryPhotoView]), (status = 404, body = crate::error::Problem)))]
async fn list_gallery(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<GalleryPhotoView>>> {
    let gallery = state.app.product_gallery(&user, &id).await?;
    Ok(Json(gallery.into_iter().map(Into::into).collect()))
}

/// Adds a photo to a product's gallery (admins, and the merchant's managers): checked and
/// resized as the main photo is; at most 10 per product.
#[utoipa::path(post, path = "/products/{id}/gallery", tag = "catalog",
    params(("id" = String, Path, description = "Product id")),
    request_body(content = PhotoUploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, body = GalleryPhotoView),
        (status = 404, body = crate::error::Problem, description = "No such product, or another merchant's"),
        (status = 413, body = crate::error::Problem, description = "The photo is over 5 MB (field `photo`)"),
        (status = 415, body = crate::error::Problem, description = "Not multipart, or not a JPEG, PNG or WebP"),
        (status = 422, body = crate::error::Problem, description = "No file, unreadable, or the gallery is full (field `photo`)"),
    ))]
async fn upload_gallery_photo(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<GalleryPhotoView>)> {
    let form = read_photo_form(multipart).await?;
    let bytes = form.photo.ok_or_else(|| ApiError::invalid(PHOTO_FIELD, "send the image in the field `photo`"))?;
    let photo = state.app.upload_gallery_photo(&user, &id, PhotoUpload { bytes }).await?;
    Ok((StatusCode::CREATED, Json(photo.into())))
}

/// Removes a gallery photo (admins, and the merchant's managers); variants that showed it show
/// the product's main photo again.
#[utoipa::path(delete, path = "/products/{id}/gallery/{photo_id}", tag = "catalog",
    params(("id" = String, Path, description = "Product id"), ("photo_id" = String, Path, description = "Gallery photo id")),
    security(("bearer" = [])),
    responses((status = 204, description = "The photo is gone"), (status = 404, body = crate::error::Problem)))]
async fn delete_gallery_photo(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, photo_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.app.delete_gallery_photo(&user, &id, &photo_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /media/gallery/{photo_id}/{size}-{hash}.jpg`: a rendition, public and immutable.
async fn serve_rendition(
    State(state): State<AppState>,
    Path((photo_id, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let rendition = match state.app.gallery_rendition(&photo_id, &file).await {
        Ok(rendition) => rendition,
        Err(error) => return ApiError::App(error).into_response(),
    };
    immutable_image(&headers, &rendition.hash, rendition.bytes, &rendition.content_type)
}
