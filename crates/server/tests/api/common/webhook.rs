//! A local webhook receiver (axum on 127.0.0.1:0) and Standard Webhooks signature checking.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// One delivery attempt as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// `webhook-id` header.
    pub id: String,
    /// `webhook-timestamp` header.
    pub timestamp: String,
    /// `webhook-signature` header.
    pub signature: String,
    /// Raw body.
    pub body: Vec<u8>,
    /// What the receiver answered.
    pub answered: u16,
}

impl Attempt {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The payload's `type`.
    pub fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_owned()
    }
}

struct State {
    fail_first: AtomicUsize,
    calls: AtomicUsize,
    attempts: Mutex<Vec<Attempt>>,
}

/// A running receiver; it answers 500 to its first `fail_first` requests (until healed) and 200
/// after that.
pub struct Receiver {
    /// Where it listens.
    pub addr: SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts a receiver that fails its first `fail_first` requests.
    pub async fn start(fail_first: usize) -> Receiver {
        let state = Arc::new(State {
            fail_first: AtomicUsize::new(fail_first),
            calls: AtomicUsize::new(0),
            attempts: Mutex::new(Vec::new()),
        });
        let shared = state.clone();
        let app = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let state = shared.clone();
            async move {
                let n = state.calls.fetch_add(1, Ordering::SeqCst);
                let status = if n < state.fail_first.load(Ordering::SeqCst) {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                };
                let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                state.attempts.lock().unwrap().push(Attempt {
                    id: header("webhook-id"),
                    timestamp: header("webhook-timestamp"),
                    signature: header("webhook-signature"),
                    body: body.to_vec(),
                    answered: status.as_u16(),
                });
                status
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind webhook receiver");
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { addr, state, task }
    }

    /// The URL to register.
    pub fn url(&self) -> String {
        format!("http://{}/hooks", self.addr)
    }

    /// From now on, answer 200 to everything.
    pub fn heal(&self) {
        self.state.fail_first.store(0, Ordering::SeqCst);
    }

    /// Every attempt so far.
    pub fn attempts(&self) -> Vec<Attempt> {
        self.state.attempts.lock().unwrap().clone()
    }

    /// Polls until `pred` holds for the attempts seen, or panics after `secs`.
    pub async fn wait_until(&self, secs: u64, what: &str, pred: impl Fn(&[Attempt]) -> bool) -> Vec<Attempt> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let attempts = self.attempts();
            if pred(&attempts) {
                return attempts;
            }
            if tokio::time::Instant::now() >= deadline {
                panic!(
                    "webhook receiver: {what} not seen within {secs}s; attempts: {:#?}",
                    attempts.iter().map(|a| (a.id.clone(), a.event_type(), a.answered)).collect::<Vec<_>>()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Checks a Standard Webhooks signature: some space-separated `v1,<sig>` entry of the header
/// equals base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")) where key is the base64-decoded
/// part of `secret` after `whsec_`.
pub fn signature_is_valid(secret: &str, attempt: &Attempt) -> bool {
    let key = match secret.strip_prefix("whsec_").and_then(|b64| BASE64.decode(b64).ok()) {
        Some(key) => key,
        None => return false,
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(attempt.id.as_bytes());
    mac.update(b".");
    mac.update(attempt.timestamp.as_bytes());
    mac.update(b".");
    mac.update(&attempt.body);
    let expected = format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()));
    attempt.signature.split(' ').any(|s| s == expected)
}

/// A fresh `whsec_` secret with 24 random bytes.
pub fn random_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    format!("whsec_{}", BASE64.encode(bytes))
}
