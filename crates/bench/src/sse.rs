//! The client side of the server's SSE feeds, shared by the workloads that time events:
//! parsing `text/event-stream` and a reader task that hands each event, with the
//! instant its bytes arrived, to a callback.

use std::time::{Duration, Instant};

use futures::StreamExt;
use tokio::sync::watch;

/// One event of a `text/event-stream`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field (`None` for the default `message`).
    pub event: Option<String>,
    /// The `data:` lines, joined by newlines.
    pub data: String,
}

/// Splits complete SSE events off the front of `buffer`; keeps a trailing partial one.
/// Blocks without `data:` (comments, keep-alives, `retry:`) are dropped.
pub fn take_sse_events(buffer: &mut String) -> Vec<SseEvent> {
    let mut events = Vec::new();
    loop {
        if buffer.contains('\r') {
            *buffer = buffer.replace("\r\n", "\n").replace('\r', "\n");
        }
        let Some(end) = buffer.find("\n\n") else {
            break;
        };
        let block: String = buffer.drain(..end + 2).collect();
        let field = |name: &str| -> Vec<String> {
            block
                .lines()
                .filter_map(|line| line.strip_prefix(name))
                .map(|value| value.strip_prefix(' ').unwrap_or(value).to_owned())
                .collect()
        };
        let data = field("data:");
        if !data.is_empty() {
            events.push(SseEvent { event: field("event:").pop(), data: data.join("\n") });
        }
    }
    events
}

/// Opens the SSE feed at `url` (`/api/v1/...` path included) with `token` as bearer and
/// returns once the server has answered 200. The returned task calls `on_event` for every
/// event with the instant its chunk arrived, until `stop` turns true (→ `None`) or the
/// stream ends or fails (→ `Some(why)`).
pub async fn open_sse<F>(
    url: &str,
    token: &str,
    mut stop: watch::Receiver<bool>,
    mut on_event: F,
) -> Result<tokio::task::JoinHandle<Option<String>>, String>
where
    F: FnMut(SseEvent, Instant) + Send + 'static,
{
    // Its own client: a long-lived stream must not hold a connection of the load's pool.
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .tcp_nodelay(true)
        .build()
        .map_err(|e| format!("SSE client: {e}"))?;
    let response = client
        .get(url)
        .bearer_auth(token)
        .header("accept", "text/event-stream")
        .send()
        .await
        .map_err(|e| format!("GET {url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("GET {url} → {}", response.status()));
    }
    Ok(tokio::spawn(async move {
        let mut stream = response.bytes_stream();
        let mut buffer = String::new();
        loop {
            let chunk = tokio::select! {
                chunk = stream.next() => chunk,
                _ = stop.wait_for(|stopped| *stopped) => return None,
            };
            let at = Instant::now();
            match chunk {
                Some(Ok(bytes)) => {
                    buffer.push_str(&String::from_utf8_lossy(&bytes));
                    for event in take_sse_events(&mut buffer) {
                        on_event(event, at);
                    }
                }
                Some(Err(error)) => return Some(format!("the SSE stream failed: {error}")),
                None => return Some("the server closed the SSE stream".into()),
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sse_events_and_keeps_partial_ones() {
        let mut buffer = String::from(
            "retry: 1000\n\nid: 7\nevent: stock.changed\ndata: {\"sku\":\"A\"}\n\n: keep-alive\n\nid: 8\r\ndata: {\"sku\":\"B\"}\r\n\r\nid: 9\ndata: {\"sk",
        );
        let events = take_sse_events(&mut buffer);
        assert_eq!(
            events,
            vec![
                SseEvent { event: Some("stock.changed".into()), data: "{\"sku\":\"A\"}".into() },
                SseEvent { event: None, data: "{\"sku\":\"B\"}".into() },
            ]
        );
        assert_eq!(buffer, "id: 9\ndata: {\"sk");
    }

    #[test]
    fn joins_multi_line_data() {
        let mut buffer = String::from("event: order.created\ndata: a\ndata:b\n\n");
        let events = take_sse_events(&mut buffer);
        assert_eq!(events, vec![SseEvent { event: Some("order.created".into()), data: "a\nb".into() }]);
        assert!(buffer.is_empty());
    }
}
