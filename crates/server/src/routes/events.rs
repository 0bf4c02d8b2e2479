//! Server-sent event streams: an order's status changes, the live stock feed, and a location's
//! feed for its kitchen display.
//!
//! Each stream subscribes to the dispatcher's broadcast first, then replays from
//! the outbox what came after `Last-Event-ID`, then forwards live events it has
//! not sent yet, so a reconnecting client misses nothing. A subscriber that falls
//! too far behind is disconnected and resumes the same way.
//!
//! Who may follow which stream, and what each follower is sent of an event, is decided by the
//! use cases (`App::follow_order`, `follow_stock`, `follow_location`); this frames it as SSE.

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use omnicanal_app::events::Follow;
use omnicanal_app::fulfilment::Viewer;
use omnicanal_store::OutboxRow;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, MaybeAuthUser};
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::routes::orders::TrackingQuery;
use crate::state::AppState;

/// Most outbox rows scanned when replaying after `Last-Event-ID`.
const MAX_REPLAY_ROWS: i64 = 10_000;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(order_events))
        .routes(routes!(stock_events))
        .routes(routes!(location_events))
        .routes(routes!(support_events))
}

/// What a stream sends for an outbox row: the event as its follower may see it, or nothing.
type EventView = Arc<dyn Fn(&OutboxRow) -> Option<Event> + Send + Sync>;

/// The view of a follower: what the use case decided they may see, framed as SSE events.
fn view_of(follow: Follow) -> EventView {
    Arc::new(move |row| follow.data_for(row).map(|data| framed(row, data)))
}

fn last_event_id(headers: &HeaderMap) -> Option<i64> {
    headers.get("last-event-id").and_then(|value| value.to_str().ok()).and_then(|value| value.trim().parse().ok())
}

fn framed(row: &OutboxRow, data: String) -> Event {
    Event::default().id(row.seq.to_string()).event(row.event_type.as_str()).data(data)
}

/// The stream: replay after `resume_after`, then live.
///
/// Two details keep a resumed stream complete. The replay remembers which rows it read, and a
/// live row is dropped only when the replay read it, not merely because its number is lower than
/// the last one replayed: on PostgreSQL a lower number can commit after a higher one, and the
/// dispatcher broadcasts it late. And a replay longer than [`MAX_REPLAY_ROWS`] ends with an
/// `event: resync` carrying the last row read as its `id` and closes the stream, so the client
/// reconnects with that `Last-Event-ID` and the replay goes on where it stopped; no row is skipped.
fn event_stream(
    state: AppState,
    resume_after: Option<i64>,
    view: EventView,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let mut live = state.events.subscribe();
    let mut shutdown = state.shutdown.clone();
    async_stream(move |sender| async move {
        let mut replayed: HashSet<i64> = HashSet::new();
        if let Some(mut after) = resume_after {
            loop {
                let Ok(rows) = state.app.outbox_after(after, 500).await else {
                    break;
                };
                if rows.is_empty() {
                    break;
                }
                for row in &rows {
                    after = row.seq;
                    replayed.insert(row.seq);
                    if let Some(event) = view(row)
                        && sender.send(event).await.is_err()
                    {
                        return;
                    }
                }
                if i64::try_from(replayed.len()).unwrap_or(i64::MAX) >= MAX_REPLAY_ROWS {
                    let resync = Event::default().id(after.to_string()).event("resync").data("{}");
                    let _ = sender.send(resync).await;
                    return;
                }
            }
        }
        loop {
            let received = tokio::select! {
                received = live.recv() => received,
                _ = shutdown.wait_for(|stop| *stop) => return,
            };
            match received {
                Ok(row) => {
                    if replayed.contains(&row.seq) {
                        continue;
                    }
                    if let Some(event) = view(&row)
                        && sender.send(event).await.is_err()
                    {
                        return;
                    }
                }
                Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => return,
            }
        }
    })
}

/// Adapts a producer task to a stream through a small bounded channel.
fn async_stream<F, Fut>(producer: F) -> impl Stream<Item = Result<Event, Infallible>>
where
    F: FnOnce(tokio::sync::mpsc::Sender<Event>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (sender, receiver) = tokio::sync::mpsc::channel(64);
    tokio::spawn(producer(sender));
    futures::StreamExt::map(tokio_stream::wrappers::ReceiverStream::new(receiver), Ok)
}

fn sse(
    stream: impl Stream<Item = Result<Event, Infallible>> + Send + 'static,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

/// Live status changes of an order's parts (`event: fulfillment.status_changed`), for its
/// customer (`?token=`) or staff of a merchant in it. Resumable with `Last-Event-ID`.
#[utoipa::path(get, path = "/orders/{id}/events", tag = "ordering", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "Order id"), TrackingQuery),
    responses((status = 200, description = "text/event-stream of status changes", content_type = "text/event-stream", body = String),
        (status = 404, body = crate::error::Problem)))]
async fn order_events(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<TrackingQuery>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let viewer = Viewer::new(user.as_deref(), query.token.as_deref());
    let follow = state.app.follow_order(viewer, &id).await?;
    Ok(sse(event_stream(state, last_event_id(&headers), view_of(follow))))
}

/// Filters for the stock feed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockEventsQuery {
    /// Only this location.
    pub location_id: Option<String>,
    /// Only this SKU.
    pub sku: Option<String>,
}

/// Live stock changes: one `stock.changed` event per change with
/// `{sku, location_id, on_hand, reserved, available}`. Resumable with `Last-Event-ID`.
#[utoipa::path(get, path = "/stock/events", tag = "stock", security(("bearer" = [])), params(StockEventsQuery),
    responses((status = 200, description = "text/event-stream of stock levels", content_type = "text/event-stream", body = String),
        (status = 404, body = crate::error::Problem)))]
async fn stock_events(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<StockEventsQuery>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let follow = state.app.follow_stock(&user, query.location_id, query.sku).await?;
    Ok(sse(event_stream(state, last_event_id(&headers), view_of(follow))))
}

/// How soon a browser reconnects after the connection drops (the stream's first line, `retry:`).
pub const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// A location's live feed for its kitchen display: `order.created` for orders with a part
/// there, `fulfillment.status_changed` for its parts, `stock.changed` for its stock and sold-out
/// switches. Starts with `retry: 1000` so a browser reconnects within a second; resumable with
/// `Last-Event-ID` (staff of the location, its merchant's manager, admins).
#[utoipa::path(get, path = "/locations/{id}/events", tag = "console", security(("bearer" = [])),
    params(("id" = String, Path, description = "Location id")),
    responses((status = 200, description = "text/event-stream of the location's events", content_type = "text/event-stream", body = String),
        (status = 404, body = crate::error::Problem)))]
async fn location_events(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let view = view_of(state.app.follow_location(&user, &id).await?);
    let retry = futures::stream::once(async { Ok(Event::default().retry(RECONNECT_AFTER)) });
    Ok(sse(futures::StreamExt::chain(retry, event_stream(state, last_event_id(&headers), view))))
}

/// The support desk's live feed: `support.ticket_changed` for every ticket the user may read
/// (agents and admins: all; a manager: their merchant's; staff: their location's). Starts with
/// `retry: 1000`; resumable with `Last-Event-ID`.
#[utoipa::path(get, path = "/support/events", tag = "support", security(("bearer" = [])),
    responses((status = 200, description = "text/event-stream of ticket changes", content_type = "text/event-stream", body = String),
        (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn support_events(
    State(state): State<AppState>,
    user: AuthUser,
    headers: HeaderMap,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let view = view_of(state.app.follow_support(&user)?);
    let retry = futures::stream::once(async { Ok(Event::default().retry(RECONNECT_AFTER)) });
    Ok(sse(futures::StreamExt::chain(retry, event_stream(state, last_event_id(&headers), view))))
}
