//! A booking's reminders over HTTP (issue 19 point 4), for the holder of its manage token:
//! register a browser's Web Push subscription (the same body as an order's —
//! `PushSubscription.toJSON()` plus `language` and `url`), choose the texts' language, and read
//! what was sent. A wrong token is 404, as if the booking did not exist; a push host off the
//! allow-list, a language other than `es`/`en` are 422 naming the field. The worker that sends
//! the reminders is `workers::booking_reminders`; the use cases `omnicanal_app::bookings::reminders`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::{HeaderMap, StatusCode};
use omnicanal_app::AppError;
use omnicanal_app::ids::rfc3339;
use omnicanal_app::notifications::{Language, NewPushSubscription, PushSubscriptionInput};
use omnicanal_store::{BookingPushSubscriptionRow, BookingReminderJobRow, BookingReminderPreferencesRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::bookings::ManageQuery;
use crate::routes::push::SubscribeBody;
use crate::state::AppState;

/// The routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(subscribe_booking_push))
        .routes(routes!(set_reminder_preferences))
        .routes(routes!(reminder_deliveries))
}

/// A browser's subscription on a booking.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingPushSubscriptionView {
    /// Id.
    pub id: String,
    /// The booking it follows.
    pub booking_id: String,
    /// The push service URL.
    pub endpoint: String,
    /// `es` or `en`.
    pub language: String,
    /// The path a click opens (the manage page when absent).
    pub url: Option<String>,
    /// When it was first registered (RFC 3339).
    pub created_at: String,
}

impl From<BookingPushSubscriptionRow> for BookingPushSubscriptionView {
    fn from(row: BookingPushSubscriptionRow) -> Self {
        Self {
            id: row.id,
            booking_id: row.booking_id,
            endpoint: row.endpoint,
            language: row.language,
            url: row.open_path,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// Registers a browser's push subscription on a booking, for its customer (`?token=`, the
/// manage token): its reminders are then pushed to it. The same endpoint again refreshes it.
#[utoipa::path(post, path = "/bookings/{id}/push-subscriptions", tag = "bookings", request_body = SubscribeBody,
    operation_id = "subscribe_booking_push",
    params(("id" = String, Path, description = "Booking id"), ManageQuery),
    responses((status = 201, body = BookingPushSubscriptionView),
        (status = 404, description = "No such booking, or a wrong token", body = crate::error::Problem),
        (status = 409, description = "The booking has as many subscriptions as allowed", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn subscribe_booking_push(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ManageQuery>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<SubscribeBody>,
) -> ApiResult<(StatusCode, Json<BookingPushSubscriptionView>)> {
    let input = PushSubscriptionInput {
        endpoint: &body.endpoint,
        p256dh: &body.keys.p256dh,
        auth: &body.keys.auth,
        language: body.language.as_deref(),
        accept_language: headers.get(ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok()),
        open_path: body.url.as_deref(),
    };
    let subscription = NewPushSubscription::parse(input, &*state.push_allowed_hosts)?;
    let stored = state.app.subscribe_booking_push(&id, query.token.as_deref(), subscription).await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// The customer's choices for a booking's reminders.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReminderPreferencesBody {
    /// `es` or `en`: the language of the SMS, WhatsApp and e-mail reminders (each browser
    /// reads them in the language it subscribed with).
    #[schema(max_length = 2)]
    pub language: String,
}

/// A booking's reminder choices as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderPreferencesView {
    /// The booking.
    pub booking_id: String,
    /// `es` or `en`.
    pub language: String,
}

impl From<BookingReminderPreferencesRow> for ReminderPreferencesView {
    fn from(row: BookingReminderPreferencesRow) -> Self {
        Self { booking_id: row.booking_id, language: row.language }
    }
}

/// Sets the language of a booking's reminders, for its customer (`?token=`); Spanish until set.
#[utoipa::path(put, path = "/bookings/{id}/reminder-preferences", tag = "bookings",
    request_body = ReminderPreferencesBody, operation_id = "set_booking_reminder_preferences",
    params(("id" = String, Path, description = "Booking id"), ManageQuery),
    responses((status = 200, body = ReminderPreferencesView),
        (status = 404, description = "No such booking, or a wrong token", body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn set_reminder_preferences(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ManageQuery>,
    ApiJson(body): ApiJson<ReminderPreferencesBody>,
) -> ApiResult<Json<ReminderPreferencesView>> {
    let language = Language::parse(&body.language).ok_or_else(|| AppError::invalid("language", "must be es or en"))?;
    let stored = state.app.set_booking_reminder_language(&id, query.token.as_deref(), language).await?;
    Ok(Json(stored.into()))
}

/// One delivery of one reminder.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderDeliveryView {
    /// Which reminder, in minutes before the start.
    pub offset_minutes: i64,
    /// `gateway`, `email` or `push:<subscription id>`.
    pub target: String,
    /// `pending`, `sent` or `failed`.
    pub state: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When it was enqueued (RFC 3339).
    pub created_at: String,
}

impl From<BookingReminderJobRow> for ReminderDeliveryView {
    fn from(row: BookingReminderJobRow) -> Self {
        Self {
            offset_minutes: row.offset_minutes,
            target: row.target,
            state: row.state.as_str().to_owned(),
            attempts: row.attempts,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// The reminders of a booking sent or being sent, for its customer (`?token=`).
#[utoipa::path(get, path = "/bookings/{id}/reminders", tag = "bookings", operation_id = "booking_reminder_deliveries",
    params(("id" = String, Path, description = "Booking id"), ManageQuery),
    responses((status = 200, body = Vec<ReminderDeliveryView>),
        (status = 404, description = "No such booking, or a wrong token", body = crate::error::Problem)))]
async fn reminder_deliveries(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<ManageQuery>,
) -> ApiResult<Json<Vec<ReminderDeliveryView>>> {
    let jobs = state.app.booking_reminder_deliveries(&id, query.token.as_deref()).await?;
    Ok(Json(jobs.into_iter().map(ReminderDeliveryView::from).collect()))
}
