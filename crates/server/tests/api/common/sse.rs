//! A minimal server-sent events reader over reqwest's `bytes_stream`, always used with timeouts.

use std::pin::Pin;
use std::time::Duration;

use futures::{Stream, StreamExt};
use reqwest::StatusCode;
use serde_json::Value;

use super::TestApp;

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Vec<u8>>> + Send>>;

/// One dispatched event.
#[derive(Debug, Clone)]
pub struct SseEvent {
    /// The `id:` field, if the event had one.
    pub id: Option<String>,
    /// The `event:` field, "message" when absent.
    pub event: String,
    /// The `data:` lines joined with newlines.
    pub data: String,
}

impl SseEvent {
    /// `data` parsed as JSON (`Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or(Value::Null)
    }
}

/// An open event stream.
pub struct SseStream {
    stream: ByteStream,
    buf: Vec<u8>,
    id: Option<String>,
    event: Option<String>,
    data: Option<String>,
    /// Every event seen so far, for failure messages.
    pub seen: Vec<SseEvent>,
}

/// The outcome of opening a stream: either an event stream or a plain response.
pub enum Opened {
    /// 200 `text/event-stream`.
    Stream(SseStream),
    /// Anything else, with its status and body text.
    Refused(StatusCode, String),
}

impl TestApp {
    /// Opens `GET path` as an event stream with optional bearer token and `Last-Event-ID`.
    pub async fn open_sse(&self, path: &str, token: Option<&str>, last_event_id: Option<&str>) -> Opened {
        let mut req = self.client.get(self.url(path)).header("accept", "text/event-stream");
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(last) = last_event_id {
            req = req.header("last-event-id", last);
        }
        let resp = super::within(10, &format!("open SSE {path}"), req.send())
            .await
            .unwrap_or_else(|e| panic!("open SSE {path}: {e}"));
        let status = resp.status();
        let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        if status != StatusCode::OK {
            let text = super::within(10, "read refusal body", resp.text()).await.unwrap_or_default();
            assert!(!status.is_server_error(), "SSE {path}: server answered {status}: {text}");
            return Opened::Refused(status, text);
        }
        assert!(
            content_type.starts_with("text/event-stream"),
            "SSE {path}: content-type must be text/event-stream, got {content_type:?}"
        );
        Opened::Stream(SseStream::new(Box::pin(resp.bytes_stream().map(|r| r.map(|b| b.to_vec())))))
    }

    /// Opens an event stream that must be accepted (200 text/event-stream).
    pub async fn sse(&self, path: &str, token: Option<&str>, last_event_id: Option<&str>) -> SseStream {
        match self.open_sse(path, token, last_event_id).await {
            Opened::Stream(s) => s,
            Opened::Refused(status, text) => panic!("SSE {path} refused with {status}: {text}"),
        }
    }
}

impl SseStream {
    fn new(stream: ByteStream) -> SseStream {
        SseStream { stream, buf: Vec::new(), id: None, event: None, data: None, seen: Vec::new() }
    }

    /// A stream over fixed chunks, to check the parser without a server.
    pub fn from_chunks(chunks: Vec<&'static [u8]>) -> SseStream {
        let items: Vec<reqwest::Result<Vec<u8>>> = chunks.into_iter().map(|c| Ok(c.to_vec())).collect();
        SseStream::new(Box::pin(futures::stream::iter(items)))
    }

    /// The next event, or `None` when `wait` passes or the stream ends first.
    pub async fn next_event(&mut self, wait: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(ev) = self.parse_buffered() {
                self.seen.push(ev.clone());
                return Some(ev);
            }
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Ok(Some(Ok(chunk))) => self.buf.extend_from_slice(&chunk),
                Ok(Some(Err(_))) | Ok(None) | Err(_) => return None,
            }
        }
    }

    /// Reads events until one satisfies `pred`; panics with what was seen after `secs`.
    pub async fn wait_for(&mut self, secs: u64, what: &str, mut pred: impl FnMut(&SseEvent) -> bool) -> SseEvent {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_event(left).await {
                Some(ev) if pred(&ev) => return ev,
                Some(_) => continue,
                None => panic!("no SSE event for {what} within {secs}s; events seen: {:#?}", self.seen),
            }
        }
    }

    /// Consumes complete lines from the buffer; returns an event when a blank line ends one.
    fn parse_buffered(&mut self) -> Option<SseEvent> {
        while let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
            let mut line: Vec<u8> = self.buf.drain(..=pos).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let line = String::from_utf8_lossy(&line).into_owned();
            if line.is_empty() {
                if let Some(data) = self.data.take() {
                    return Some(SseEvent {
                        id: self.id.clone(),
                        event: self.event.take().unwrap_or_else(|| "message".into()),
                        data,
                    });
                }
                self.event = None;
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f.to_owned(), v.strip_prefix(' ').unwrap_or(v).to_owned()),
                None => (line.clone(), String::new()),
            };
            match field.as_str() {
                "id" => self.id = Some(value),
                "event" => self.event = Some(value),
                "data" => match &mut self.data {
                    Some(d) => {
                        d.push('\n');
                        d.push_str(&value);
                    }
                    None => self.data = Some(value),
                },
                _ => {}
            }
        }
        None
    }
}
