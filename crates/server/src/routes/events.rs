//! Server-sent event streams: an order's status changes, the live stock feed, and a location's
//! feed for its kitchen display.
//!
//! Each stream subscribes to the dispatcher's broadcast first, then replays from
//! the outbox what came after `Last-Event-ID`, then forwards live events it has
//! not sent yet, so a reconnecting client misses nothing. A subscriber that falls
//! too far behind is disconnected and resumes the same way.

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use omnicanal_domain::events::EventType;
use omnicanal_store::OutboxRow;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AuthUser, MaybeAuthUser, Role};
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::routes::orders::{TrackingQuery, visible_order};
use crate::state::AppState;
use crate::workers::webhooks::keep_parts;
use omnicanal_app::AppError;

/// Most outbox rows scanned when replaying after `Last-Event-ID`.
const MAX_REPLAY_ROWS: i64 = 10_000;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(order_events)).routes(routes!(stock_events)).routes(routes!(location_events))
}

/// What a stream sends for an outbox row: the event as its reader may see it, or nothing.
type EventView = Arc<dyn Fn(&OutboxRow) -> Option<Event> + Send + Sync>;

/// A view that sends the rows `keep` accepts unchanged.
fn only(keep: impl Fn(&OutboxRow) -> bool + Send + Sync + 'static) -> EventView {
    Arc::new(move |row| keep(row).then(|| to_sse(row)))
}

fn last_event_id(headers: &HeaderMap) -> Option<i64> {
    headers.get("last-event-id").and_then(|value| value.to_str().ok()).and_then(|value| value.trim().parse().ok())
}

fn to_sse(row: &OutboxRow) -> Event {
    Event::default().id(row.seq.to_string()).event(row.event_type.as_str()).data(row.payload_json.clone())
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
                let Ok(rows) = state.store.outbox_after(after, 500).await else {
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
#[utoipa::path(get, path = "/orders/{id}/events", tag = "ordering",
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
    let order = state.store.get_order(&id).await?.ok_or(AppError::NotFound("order"))?;
    let view = visible_order(order, user.as_ref(), query.token.as_deref())?;
    let visible_parts: Vec<String> = view.fulfillments.into_iter().map(|part| part.id).collect();
    let view = only(move |row: &OutboxRow| {
        row.event_type == EventType::FulfillmentStatusChanged
            && row.order_id.as_deref() == Some(id.as_str())
            && serde_json::from_str::<serde_json::Value>(&row.payload_json)
                .ok()
                .and_then(|payload| payload.get("fulfillment_id").and_then(|v| v.as_str()).map(str::to_owned))
                .is_some_and(|part| visible_parts.contains(&part))
    });
    Ok(sse(event_stream(state, last_event_id(&headers), view)))
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
    user.require(&[Role::Admin, Role::MerchantManager, Role::Staff, Role::SupportAgent])?;
    if let Some(location_id) = &query.location_id {
        let location = state.store.get_location(location_id).await?.ok_or(AppError::NotFound("location"))?;
        user.check_location(&location.merchant_id, &location.id)?;
    }
    let view = only(move |row: &OutboxRow| {
        row.event_type == EventType::StockChanged
            && query.location_id.as_ref().is_none_or(|wanted| row.location_id.as_ref() == Some(wanted))
            && query.sku.as_ref().is_none_or(|wanted| row.sku.as_ref() == Some(wanted))
            && (user.is_platform()
                || (row.merchant_id == user.merchant_id
                    && (user.role != Role::Staff || row.location_id == user.location_id)))
    });
    Ok(sse(event_stream(state, last_event_id(&headers), view)))
}

/// How soon a browser reconnects after the connection drops (the stream's first line, `retry:`).
pub const RECONNECT_AFTER: Duration = Duration::from_secs(1);

/// True when `row` concerns `location_id`: an order with a part there, a status change of one
/// of its parts, or a change of its stock (including sold-out switches).
fn concerns_location(row: &OutboxRow, location_id: &str) -> bool {
    match row.event_type {
        EventType::FulfillmentStatusChanged | EventType::StockChanged => {
            row.location_id.as_deref() == Some(location_id)
        }
        EventType::OrderCreated => serde_json::from_str::<serde_json::Value>(&row.payload_json)
            .ok()
            .and_then(|payload| payload.get("fulfillments").and_then(|parts| parts.as_array()).cloned())
            .is_some_and(|parts| parts.iter().any(|part| part["location_id"].as_str() == Some(location_id))),
        _ => false,
    }
}

/// The event a location's display may see of `row`: `order.created` narrowed to the location's
/// own part (no other merchant's parts, no order total), the others as they are.
fn location_view(row: &OutboxRow, location_id: &str) -> Option<Event> {
    if !concerns_location(row, location_id) {
        return None;
    }
    if row.event_type != EventType::OrderCreated {
        return Some(to_sse(row));
    }
    let mut data: serde_json::Value = serde_json::from_str(&row.payload_json).ok()?;
    keep_parts(&mut data, |part| part["location_id"].as_str() == Some(location_id));
    Some(Event::default().id(row.seq.to_string()).event(row.event_type.as_str()).data(data.to_string()))
}

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
    let location = state.store.get_location(&id).await?.ok_or(AppError::NotFound("location"))?;
    user.check_location(&location.merchant_id, &location.id)?;
    user.require(&[Role::Admin, Role::MerchantManager, Role::Staff])?;
    let view: EventView = Arc::new(move |row: &OutboxRow| location_view(row, &location.id));
    let retry = futures::stream::once(async { Ok(Event::default().retry(RECONNECT_AFTER)) });
    Ok(sse(futures::StreamExt::chain(retry, event_stream(state, last_event_id(&headers), view))))
}
