//! A support ticket's photos over HTTP (issue 18 point 1): the store sends the raw image
//! (`POST /api/v1/support/tickets/{id}/photos`, JPEG/PNG/WebP up to 5 MB, resized as product
//! photos are) and whoever may read the ticket reads it back by id. Unlike product photos these
//! are private: served only with the caller's credentials, never cached by shared caches. The
//! use cases are `omnicanal_app::support::till_help`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use omnicanal_app::catalog::photo_images::{self, MAX_PHOTO_BYTES};
use omnicanal_app::ids::rfc3339;
use omnicanal_app::support::till_help::TicketPhoto;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_ticket_photo))
        .routes(routes!(get_ticket_photo))
        // Inside the app's 1 MiB default, which this replaces for these routes only.
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES))
}

/// A photo kept with a ticket.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketPhotoView {
    /// Opaque id.
    pub id: String,
    /// The ticket.
    pub ticket_id: String,
    /// Where it is read (with the caller's credentials).
    pub url: String,
    /// The stored image's media type.
    pub content_type: String,
    /// Width in pixels (at most 1200 a side).
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// Sent at (RFC 3339).
    pub uploaded_at: String,
}

impl From<TicketPhoto> for TicketPhotoView {
    fn from(photo: TicketPhoto) -> Self {
        Self {
            url: format!("/api/v1/support/tickets/{}/photos/{}", photo.ticket_id, photo.id),
            id: photo.id,
            ticket_id: photo.ticket_id,
            content_type: photo.content_type,
            width: photo.width,
            height: photo.height,
            uploaded_at: rfc3339(photo.uploaded_ms),
        }
    }
}

/// Add a photo to a ticket (whoever may read the ticket): the request body is the image itself,
/// a JPEG, PNG or WebP recognised by its bytes, at most 5 MB; it is kept resized to at most
/// 1200 px a side. A ticket keeps at most 10 photos.
#[utoipa::path(post, path = "/support/tickets/{id}/photos", tag = "support",
    params(("id" = String, Path, description = "Ticket id")),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The image (JPEG, PNG or WebP)"),
    security(("bearer" = [])),
    responses(
        (status = 201, body = TicketPhotoView, description = "The photo is kept"),
        (status = 401, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem, description = "No such ticket, or another merchant's"),
        (status = 409, body = crate::error::Problem, description = "The ticket already keeps 10 photos"),
        (status = 413, body = crate::error::Problem, description = "The image is over 5 MB (field `photo`)"),
        (status = 415, body = crate::error::Problem, description = "Not a JPEG, PNG or WebP (field `photo`)"),
        (status = 422, body = crate::error::Problem, description = "No image, or one that cannot be read (field `photo`)"),
    ))]
async fn upload_ticket_photo(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<TicketPhotoView>)> {
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::App(photo_images::too_large())
        } else {
            ApiError::Rejected { status: StatusCode::BAD_REQUEST, detail: rejection.body_text() }
        }
    })?;
    let photo = state.app.add_support_ticket_photo(&user, &id, bytes.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(photo.into())))
}

/// A ticket's photo, the image itself (whoever may read the ticket; another merchant's is 404).
#[utoipa::path(get, path = "/support/tickets/{id}/photos/{photo_id}", tag = "support",
    params(("id" = String, Path, description = "Ticket id"), ("photo_id" = String, Path, description = "Photo id")),
    security(("bearer" = [])),
    responses(
        (status = 200, content_type = "image/jpeg", body = Vec<u8>, description = "The image"),
        (status = 401, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem, description = "No such ticket or photo, or another merchant's"),
    ))]
async fn get_ticket_photo(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, photo_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let photo = state.app.support_ticket_photo(&user, &id, &photo_id).await?;
    let content_type = HeaderValue::from_str(&photo.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let mut response = photo.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    // A store's photo is read with credentials: only the caller's own browser may keep it.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(response)
}
