//! Shared harness for the black-box HTTP tests: a server per test on a fresh database, a JSON
//! client, problem+json assertions, a data fixture, an SSE reader, a webhook receiver and an
//! open till.
//!
//! Each test file includes this with `mod common;` and uses only part of it.
#![allow(dead_code)]

pub mod api;
pub mod bookings;
pub mod fixture;
pub mod sse;
pub mod till;
pub mod webhook;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use reqwest::header::{CONTENT_TYPE, HeaderMap};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::sync::OnceCell;

#[allow(unused_imports)]
pub use api::{Settlement, StockLevel, fulfillment_at, id, pickup_code, wrong_code};
#[allow(unused_imports)]
pub use fixture::{Fixture, Line, Merchant, Payment};
#[allow(unused_imports)]
pub use till::{OpenTill, open_till};

/// Admin credentials the server is started with.
pub const ADMIN_EMAIL: &str = "admin@test.local";
/// Admin password the server is started with.
pub const ADMIN_PASSWORD: &str = "admin-password-123";
/// The sandbox card that is approved.
pub const CARD_OK: &str = "4242424242424242";
/// The sandbox card that is declined.
pub const CARD_DECLINED: &str = "4000000000000002";
/// Env var naming a PostgreSQL server to create per-test databases on.
pub const PG_ENV: &str = "OMNICANAL_TEST_DATABASE_URL";

/// Upper bound for a single JSON request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A server started in-process on its own fresh database.
pub struct TestApp {
    /// Where the server listens.
    pub addr: SocketAddr,
    /// `http://addr`.
    pub base: String,
    /// A client without proxies; per-request timeouts are set by the helpers.
    pub client: reqwest::Client,
    running: Option<omnicanal_server::Running>,
    db: Option<TestDb>,
    admin: OnceCell<String>,
}

/// One HTTP answer: status, headers and the body parsed as JSON (`Value::String` if it is not).
#[derive(Debug)]
pub struct Resp {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// JSON body, `Null` when empty, `String` with the raw text when not JSON.
    pub body: Value,
}

/// A request body.
pub enum Body {
    /// No body.
    None,
    /// A JSON document.
    Json(Value),
    /// Raw bytes sent as `application/json` (for malformed or huge bodies).
    Raw(Vec<u8>),
}

impl Resp {
    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(self, status: StatusCode, what: &str) -> Value {
        assert_eq!(self.status, status, "{what}: expected HTTP {status}, got {} with body {}", self.status, self.body);
        self.body
    }

    /// The `content-type` header, or "".
    pub fn content_type(&self) -> &str {
        self.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// Asserts an RFC 9457 problem with this status: content type, `status` field equal to the
    /// HTTP status, and string `type`, `title` and `detail`. Returns the body.
    #[track_caller]
    pub fn expect_problem(self, status: StatusCode, what: &str) -> Value {
        assert_problem(&self, status, what);
        self.body
    }
}

/// See [`Resp::expect_problem`].
#[track_caller]
pub fn assert_problem(resp: &Resp, status: StatusCode, what: &str) {
    assert_eq!(resp.status, status, "{what}: expected HTTP {status}, got {} with body {}", resp.status, resp.body);
    assert_problem_shape(resp, what);
}

/// Asserts the problem+json shape whatever the status is.
#[track_caller]
pub fn assert_problem_shape(resp: &Resp, what: &str) {
    assert!(
        resp.content_type().starts_with("application/problem+json"),
        "{what}: content-type should be application/problem+json, got {:?} (status {}, body {})",
        resp.content_type(),
        resp.status,
        resp.body
    );
    assert_eq!(
        resp.body["status"].as_u64(),
        Some(u64::from(resp.status.as_u16())),
        "{what}: problem `status` field must equal the HTTP status; body {}",
        resp.body
    );
    for field in ["type", "title", "detail"] {
        assert!(resp.body[field].is_string(), "{what}: problem must have a string `{field}`; body {}", resp.body);
    }
}

/// Asserts a 422 problem with a non-empty `errors: [{field, message}]` list.
#[track_caller]
pub fn assert_validation_problem(resp: &Resp, what: &str) {
    assert_problem(resp, StatusCode::UNPROCESSABLE_ENTITY, what);
    let errors = resp.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: a validation problem needs an `errors` array; body {}", resp.body));
    assert!(!errors.is_empty(), "{what}: `errors` is empty");
    for e in errors {
        assert!(
            e["field"].is_string() && e["message"].is_string(),
            "{what}: each error needs string `field` and `message`, got {e}"
        );
    }
}

/// Asserts a status is one of `allowed` (used where the contract leaves a choice open).
#[track_caller]
pub fn assert_status_in(resp: &Resp, allowed: &[StatusCode], what: &str) {
    assert!(
        allowed.contains(&resp.status),
        "{what}: expected one of {allowed:?}, got {} with body {}",
        resp.status,
        resp.body
    );
}

/// The amount of a CLP `Money` value; panics if it is not `{amount: int, currency: "CLP"}`.
#[track_caller]
pub fn clp(money: &Value) -> i64 {
    assert_eq!(money["currency"], "CLP", "money must be in CLP, got {money}");
    money["amount"].as_i64().unwrap_or_else(|| panic!("money amount must be an integer, got {money}"))
}

/// A `Money` JSON value in CLP.
pub fn money(amount: i64) -> Value {
    json!({"amount": amount, "currency": "CLP"})
}

/// A random lowercase hex string of 16 characters.
pub fn random_hex() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// Percent-encodes query parameters: `[("a", "b c")]` → `a=b%20c`.
pub fn qs(params: &[(&str, &str)]) -> String {
    params.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An RFC 3339 UTC timestamp `offset` from now (seconds precision, `Z` suffix).
pub fn rfc3339_from_now(offset: chrono::Duration) -> String {
    (chrono::Utc::now() + offset).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Runs `fut` with a deadline, failing the test with `what` if it does not finish.
pub async fn within<T>(secs: u64, what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), fut)
        .await
        .unwrap_or_else(|_| panic!("timed out after {secs}s: {what}"))
}

/// `OMNICANAL_PUSH_ALLOWED_HOSTS` as the tests and interop runs set it: the loopback receivers.
pub fn test_push_hosts() -> omnicanal_server::notify::subscription::AllowedPushHosts {
    omnicanal_server::notify::subscription::AllowedPushHosts::parse("127.0.0.1,localhost").expect("a valid host list")
}

/// `OMNICANAL_OUTBOUND_ALLOWED_HOSTS` as the tests and interop runs set it: webhook receivers
/// listen on loopback, which the outbound policy refuses unless named.
pub const TEST_OUTBOUND_HOSTS: &str = "127.0.0.1,localhost";

/// The settings every test node starts with whatever the environment says: webhooks may reach
/// the loopback receivers, and no proxy header is trusted (a test that wants one sets it).
/// The shop connections' credentials key every node of a test shares (as every node of a real
/// deployment shares `OMNICANAL_CREDENTIALS_KEY`): 32 bytes in base64.
pub const TEST_CREDENTIALS_KEY: &str = "dGVzdC1jcmVkZW50aWFscy1rZXktMzItYnl0ZXMhISE=";

fn set_test_security(config: &mut omnicanal_server::Config) {
    config.outbound_allowed_hosts = Some(TEST_OUTBOUND_HOSTS.to_owned());
    config.credentials_key = Some(TEST_CREDENTIALS_KEY.to_owned());
    config.trusted_proxy_header = Some(String::new());
}

impl TestApp {
    /// Starts a server on a fresh database (PostgreSQL if [`PG_ENV`] is set, else SQLite).
    pub async fn spawn() -> TestApp {
        TestApp::boot(TestDb::create().await).await
    }

    /// Like [`TestApp::spawn`], with the configuration adjusted by `configure` first.
    pub async fn spawn_with(configure: impl FnOnce(&mut omnicanal_server::Config)) -> TestApp {
        TestApp::boot_with(TestDb::create().await, configure).await
    }

    /// Like [`TestApp::spawn_with`], with a chosen clock and card provider too.
    pub async fn spawn_full(
        configure: impl FnOnce(&mut omnicanal_server::Config),
        services: omnicanal_server::Services,
    ) -> TestApp {
        TestApp::boot_full(TestDb::create().await, configure, services).await
    }

    /// Like [`TestApp::spawn`], with a chosen clock and card provider.
    pub async fn spawn_with_services(services: omnicanal_server::Services) -> TestApp {
        TestApp::boot_full(TestDb::create().await, |_| {}, services).await
    }

    /// A second node on this app's database, with its own clock and provider (share them with
    /// the first node's to make both nodes see the same time and the same card network).
    pub async fn second_node(&self, services: omnicanal_server::Services) -> omnicanal_server::Running {
        self.second_node_with(services, |_| {}).await
    }

    /// [`TestApp::second_node`] with its configuration adjusted by `configure` (the same
    /// gateway as the first node, say: a cluster's nodes share their settings).
    pub async fn second_node_with(
        &self,
        services: omnicanal_server::Services,
        configure: impl FnOnce(&mut omnicanal_server::Config),
    ) -> omnicanal_server::Running {
        let mut config = omnicanal_server::Config::new(self.database_url());
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.notify.push_allowed_hosts = test_push_hosts();
        set_test_security(&mut config);
        configure(&mut config);
        within(30, "second node", omnicanal_server::start_with(config, services)).await.expect("second node starts")
    }

    /// The URL of this app's database (to start a second node on it).
    pub fn database_url(&self) -> &str {
        self.db.as_ref().map(|db| db.url.as_str()).unwrap_or_default()
    }

    /// Stops the server gracefully and starts a new one on the same database (new port; log in
    /// again). For "survives a restart" checks.
    pub async fn restart(mut self) -> TestApp {
        if let Some(running) = self.running.take() {
            within(10, "graceful shutdown", running.shutdown()).await;
        }
        let db = self.db.take().expect("the app still has its database");
        TestApp::boot(db).await
    }

    /// [`TestApp::restart`] with the new node's configuration adjusted by `configure` (another
    /// outbound allow-list, say) and a chosen clock and card provider.
    pub async fn restart_with(
        mut self,
        configure: impl FnOnce(&mut omnicanal_server::Config),
        services: omnicanal_server::Services,
    ) -> TestApp {
        if let Some(running) = self.running.take() {
            within(10, "graceful shutdown", running.shutdown()).await;
        }
        let db = self.db.take().expect("the app still has its database");
        TestApp::boot_full(db, configure, services).await
    }

    async fn boot(db: TestDb) -> TestApp {
        TestApp::boot_with(db, |_| {}).await
    }

    async fn boot_with(db: TestDb, configure: impl FnOnce(&mut omnicanal_server::Config)) -> TestApp {
        TestApp::boot_full(db, configure, omnicanal_server::Services::default()).await
    }

    async fn boot_full(
        db: TestDb,
        configure: impl FnOnce(&mut omnicanal_server::Config),
        services: omnicanal_server::Services,
    ) -> TestApp {
        let mut config = omnicanal_server::Config::new(db.url.clone());
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.admin_email = Some(ADMIN_EMAIL.into());
        config.admin_password = Some(omnicanal_server::config::Secret::new(ADMIN_PASSWORD));
        // The tests' push services listen on loopback, which the default allow-list refuses.
        config.notify.push_allowed_hosts = test_push_hosts();
        set_test_security(&mut config);
        configure(&mut config);
        let running = within(30, "server start", omnicanal_server::start_with(config, services))
            .await
            .unwrap_or_else(|e| panic!("server failed to start on {}: {e}", db.url));
        let addr = running.addr;
        let client = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(Duration::from_secs(5))
            .build()
            .expect("build reqwest client");
        TestApp {
            addr,
            base: format!("http://{addr}"),
            client,
            running: Some(running),
            db: Some(db),
            admin: OnceCell::new(),
        }
    }

    /// Shuts the server down gracefully (bounded) and removes its database.
    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            within(10, "graceful shutdown", running.shutdown()).await;
        }
        if let Some(db) = self.db.take() {
            db.drop_async().await;
        }
    }

    /// `http://addr` + path.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request with an optional bearer token, body and extra headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Body,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut req = self.client.request(method.clone(), self.url(path)).timeout(REQUEST_TIMEOUT);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        req = match body {
            Body::None => req,
            Body::Json(v) => req.json(&v),
            Body::Raw(bytes) => req.header(CONTENT_TYPE, "application/json").body(bytes),
        };
        let resp = req.send().await.unwrap_or_else(|e| panic!("{method} {path}: request failed: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap_or_else(|e| panic!("{method} {path}: reading body failed: {e}"));
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        assert!(!status.is_server_error(), "{method} {path}: the server answered {status} (never acceptable): {body}");
        Resp { status, headers, body }
    }

    /// GET with an optional bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.send(Method::GET, path, token, Body::None, &[]).await
    }

    /// POST a JSON body with an optional bearer token.
    pub async fn post(&self, path: &str, token: Option<&str>, json: &Value) -> Resp {
        self.send(Method::POST, path, token, Body::Json(json.clone()), &[]).await
    }

    /// POST a JSON body with an `Idempotency-Key` header.
    pub async fn post_idem(&self, path: &str, token: Option<&str>, json: &Value, key: &str) -> Resp {
        self.send(Method::POST, path, token, Body::Json(json.clone()), &[("Idempotency-Key", key)]).await
    }

    /// POST raw bytes as `application/json`.
    pub async fn post_raw(&self, path: &str, token: Option<&str>, bytes: Vec<u8>) -> Resp {
        self.send(Method::POST, path, token, Body::Raw(bytes), &[]).await
    }

    /// Logs in and returns the bearer token; panics unless the answer is 200 with a token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let body = self
            .post("/api/v1/auth/login", None, &json!({"email": email, "password": password}))
            .await
            .expect(StatusCode::OK, &format!("login as {email}"));
        body["token"].as_str().unwrap_or_else(|| panic!("login answer has no string token: {body}")).to_owned()
    }

    /// The first admin's token (logged in once per app).
    pub async fn admin_token(&self) -> String {
        self.admin.get_or_init(|| self.login(ADMIN_EMAIL, ADMIN_PASSWORD)).await.clone()
    }
}

/// A per-test database: a SQLite file in a fresh temporary directory, or a fresh PostgreSQL
/// database on the server named by [`PG_ENV`]. Removed by [`TestApp::stop`], or on drop when a
/// test panicked before that.
struct TestDb {
    url: String,
    kind: Option<DbKind>,
}

enum DbKind {
    Sqlite { dir: PathBuf },
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    async fn create() -> TestDb {
        match std::env::var(PG_ENV) {
            Ok(admin_url) if !admin_url.trim().is_empty() => {
                let name = format!("omni_test_{}", random_hex());
                let mut conn = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("connect to {PG_ENV}={admin_url}: {e}"));
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
                let _ = conn.close().await;
                TestDb { url: with_database(&admin_url, &name), kind: Some(DbKind::Postgres { admin_url, name }) }
            }
            _ => {
                let dir = std::env::temp_dir().join(format!("omnicanal-test-{}", random_hex()));
                std::fs::create_dir_all(&dir).expect("create temp dir for SQLite");
                TestDb {
                    url: format!("sqlite://{}", dir.join("test.db").display()),
                    kind: Some(DbKind::Sqlite { dir }),
                }
            }
        }
    }

    async fn drop_async(mut self) {
        match self.kind.take() {
            Some(DbKind::Sqlite { dir }) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Some(DbKind::Postgres { admin_url, name }) => drop_pg_database(&admin_url, &name).await,
            None => {}
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self.kind.take() {
            Some(DbKind::Sqlite { dir }) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Some(DbKind::Postgres { admin_url, name }) => {
                // Drop may run inside a runtime: do the async work on a thread of its own.
                let _ = std::thread::spawn(move || {
                    if let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                        rt.block_on(drop_pg_database(&admin_url, &name));
                    }
                })
                .join();
            }
            None => {}
        }
    }
}

async fn drop_pg_database(admin_url: &str, name: &str) {
    let fut = async {
        if let Ok(mut conn) = sqlx::PgConnection::connect(admin_url).await {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
            let _ = conn.close().await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), fut).await;
}

/// Replaces the database name in a `postgres://` URL, keeping any query string.
pub fn with_database(url: &str, name: &str) -> String {
    let (main, query) = match url.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (url, None),
    };
    let scheme_end = main.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match main[scheme_end..].find('/') {
        Some(slash) => &main[..scheme_end + slash],
        None => main,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}
