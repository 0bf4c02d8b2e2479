//! Small helpers for the process tests: a throw-away database, a server process guard,
//! a JSON client, an SSE reader, a one-SKU shop fixture and what the shop's store holds
//! (its orders' parts, its capture jobs).

use std::io::{BufRead, BufReader, Read};
use std::pin::Pin;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::Connection;

/// Names a PostgreSQL server to create throw-away databases on.
pub const PG_ENV: &str = "OMNICANAL_TEST_DATABASE_URL";
/// The first admin every node is started with.
pub const ADMIN_EMAIL: &str = "admin@proc.test";
const ADMIN_PASSWORD: &str = "proc-password-1";
/// The sandbox card that is approved.
pub const CARD_OK: &str = "4242424242424242";

fn random_hex() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// A fresh database, removed on drop (drop it after the nodes that use it).
pub struct Db {
    /// What to pass as `--database-url`.
    pub url: String,
    /// A SQLite file, or (admin URL, database name) on PostgreSQL.
    sqlite: Option<std::path::PathBuf>,
    postgres: Option<(String, String)>,
}

impl Db {
    /// A SQLite file in the temporary directory.
    pub fn sqlite() -> Db {
        let path = std::env::temp_dir().join(format!("omni_proc_{}.db", random_hex()));
        Db { url: format!("sqlite://{}", path.display()), sqlite: Some(path), postgres: None }
    }

    /// A fresh `omni_proc_<hex>` database on the server named by [`PG_ENV`], if it is set.
    pub async fn postgres() -> Option<Db> {
        let admin_url = std::env::var(PG_ENV).ok().filter(|url| !url.trim().is_empty())?;
        let name = format!("omni_proc_{}", random_hex());
        let mut conn = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| panic!("{PG_ENV}: {e}"));
        let sql = format!("CREATE DATABASE {name}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("CREATE DATABASE");
        let _ = conn.close().await;
        let (main, query) = admin_url.split_once('?').map_or((admin_url.as_str(), None), |(m, q)| (m, Some(q)));
        let host_end = main.find("://").map_or(0, |i| i + 3);
        let base = main[host_end..].find('/').map_or(main, |slash| &main[..host_end + slash]);
        let url = format!("{base}/{name}{}", query.map(|q| format!("?{q}")).unwrap_or_default());
        Some(Db { url, sqlite: None, postgres: Some((admin_url, name)) })
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some(path) = self.sqlite.take() {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        if let Some((admin_url, name)) = self.postgres.take() {
            // Drop may run inside a runtime: do the async work on a thread of its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                rt.block_on(async {
                    let drop = async {
                        let mut conn = sqlx::PgConnection::connect(&admin_url).await.ok()?;
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.ok()
                    };
                    let _ = tokio::time::timeout(Duration::from_secs(10), drop).await;
                });
            })
            .join();
        }
    }
}

/// A running `omnicanal serve` process; killed (SIGKILL) on drop, its log printed if the test failed.
pub struct Node {
    /// `A`, `B`, ... for messages.
    pub name: String,
    /// A client for this node.
    pub api: Api,
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Node {
    /// Starts a node on `db_url` and waits for its "listening" line and a 200 from `/healthz`.
    pub async fn start(name: &str, db_url: &str) -> Node {
        for _attempt in 0..3 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
            let mut child = Command::new(env!("CARGO_BIN_EXE_omnicanal"))
                .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database-url", db_url])
                .env("OMNICANAL_ADMIN_EMAIL", ADMIN_EMAIL)
                .env("OMNICANAL_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .env("NO_COLOR", "1")
                // Shop connections reach the tests' fake shops on loopback (contract v2).
                .env("OMNICANAL_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1,localhost")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn omnicanal");
            let log = Arc::new(Mutex::new(Vec::new()));
            let (ready_tx, ready) = mpsc::channel();
            let outputs: [Box<dyn Read + Send>; 2] =
                [Box::new(child.stdout.take().expect("stdout")), Box::new(child.stderr.take().expect("stderr"))];
            for output in outputs {
                let (log, ready_tx) = (log.clone(), ready_tx.clone());
                std::thread::spawn(move || {
                    for line in BufReader::new(output).lines().map_while(Result::ok) {
                        if line.contains("omnicanal listening on") {
                            let _ = ready_tx.send(());
                        }
                        log.lock().expect("log").push(line);
                    }
                });
            }
            let mut node = Node { name: name.into(), api: Api::new(port), child, log };
            let deadline = Instant::now() + Duration::from_secs(15);
            while ready.try_recv().is_err() {
                if let Ok(Some(status)) = node.child.try_wait() {
                    if node.log_text().contains("cannot listen") {
                        break; // the port was taken in between: try another
                    }
                    panic!("node {name} exited with {status} before listening:\n{}", node.log_text());
                }
                assert!(Instant::now() < deadline, "node {name} not listening after 15 s:\n{}", node.log_text());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            if node.child.try_wait().ok().flatten().is_some() {
                continue;
            }
            while node.api.try_call(Method::GET, "/healthz", None, None).await.map(|r| r.0) != Ok(StatusCode::OK) {
                assert!(Instant::now() < deadline, "node {name}: /healthz not 200 after 15 s:\n{}", node.log_text());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            return node;
        }
        panic!("node {name}: could not find a free port in 3 attempts");
    }

    /// Everything the process printed so far.
    pub fn log_text(&self) -> String {
        self.log.lock().map(|lines| lines.join("\n")).unwrap_or_default()
    }

    /// SIGKILL, and reaps the process.
    pub fn sigkill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM.
    pub fn sigterm(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("run kill");
        assert!(status.success(), "kill -TERM {} failed: {status}", self.child.id());
    }

    /// Waits up to `within` for the process to exit.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.sigkill();
        if std::thread::panicking() {
            let log = self.log_text();
            let tail: Vec<&str> = log.lines().rev().take(40).collect::<Vec<_>>().into_iter().rev().collect();
            eprintln!("---- last lines of node {} ----\n{}\n----", self.name, tail.join("\n"));
        }
    }
}

/// A JSON client for one node.
#[derive(Clone)]
pub struct Api {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    client: reqwest::Client,
}

impl Api {
    fn new(port: u16) -> Api {
        let client = reqwest::Client::builder().no_proxy().build().expect("client");
        Api { base: format!("http://127.0.0.1:{port}"), client }
    }

    /// One request; a transport error (refused, reset, timeout) is `Err`.
    pub async fn try_call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), String> {
        let mut req = self.client.request(method, format!("{}{path}", self.base)).timeout(Duration::from_secs(10));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.map_err(error_chain)?;
        let status = resp.status();
        let text = resp.text().await.map_err(error_chain)?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    /// POST with an `Idempotency-Key`: the status, whether the answer says it was replayed
    /// (`Idempotent-Replayed: true`), and the body; a transport error is `Err`.
    pub async fn try_post_keyed(
        &self,
        path: &str,
        body: &Value,
        key: &str,
    ) -> Result<(StatusCode, bool, Value), String> {
        let req = self.client.post(format!("{}{path}", self.base)).timeout(Duration::from_secs(10));
        let resp = req.header("idempotency-key", key).json(body).send().await.map_err(error_chain)?;
        let status = resp.status();
        let replayed = resp.headers().get("idempotent-replayed").is_some_and(|value| value == "true");
        let text = resp.text().await.map_err(error_chain)?;
        Ok((status, replayed, serde_json::from_str(&text).unwrap_or(Value::String(text))))
    }

    /// GET that must answer `expected`; returns the body.
    pub async fn get(&self, path: &str, token: Option<&str>, expected: StatusCode) -> Value {
        self.expect(Method::GET, path, token, None, expected).await
    }

    /// POST that must answer `expected`; returns the body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value, expected: StatusCode) -> Value {
        self.expect(Method::POST, path, token, Some(&body), expected).await
    }

    async fn expect(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        expected: StatusCode,
    ) -> Value {
        let what = format!("{method} {}{path}", self.base);
        let (status, answer) = self.try_call(method, path, token, body).await.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(status, expected, "{what}: expected {expected}, got {status}: {answer}");
        answer
    }

    /// Signs in as the first admin; returns the bearer token.
    pub async fn admin_token(&self) -> String {
        let body = json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD});
        let answer = self.post("/api/v1/auth/login", None, body, StatusCode::OK).await;
        answer["token"].as_str().expect("login token").to_owned()
    }

    /// Opens `path` as a server-sent event stream (must answer 200 `text/event-stream`).
    pub async fn sse(&self, path: &str, token: &str) -> Sse {
        let url = format!("{}{path}", self.base);
        let send = self.client.get(&url).bearer_auth(token).header("accept", "text/event-stream").send();
        let resp = tokio::time::timeout(Duration::from_secs(10), send)
            .await
            .unwrap_or_else(|_| panic!("open SSE {url}: no answer in 10 s"))
            .unwrap_or_else(|e| panic!("open SSE {url}: {e}"));
        let kind = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(resp.status() == StatusCode::OK && kind.starts_with("text/event-stream"), "SSE {url}: {resp:?}");
        Sse { stream: Box::pin(resp.bytes_stream().map(|chunk| chunk.map(|b| b.to_vec()))), buf: String::new() }
    }
}

/// An error with its causes, e.g. "error sending request ...: client error (Connect): Connection refused".
fn error_chain(error: reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// One server-sent event.
#[derive(Debug)]
pub struct Event {
    /// `event:` ("message" when absent).
    pub event: String,
    /// `data:` parsed as JSON (`Null` if it is not).
    pub data: Value,
}

/// An open event stream.
pub struct Sse {
    stream: Pin<Box<dyn Stream<Item = reqwest::Result<Vec<u8>>> + Send>>,
    buf: String,
}

impl Sse {
    /// The next event before `deadline`, or `None` (timeout or end of stream).
    pub async fn next_before(&mut self, deadline: tokio::time::Instant) -> Option<Event> {
        loop {
            let normalized = self.buf.replace("\r\n", "\n");
            if let Some(end) = normalized.find("\n\n") {
                self.buf = normalized[end + 2..].to_owned();
                let (mut event, mut data) = ("message".to_owned(), Vec::new());
                for line in normalized[..end].lines() {
                    let (field, value) = line.split_once(':').unwrap_or((line, ""));
                    let value = value.strip_prefix(' ').unwrap_or(value);
                    match field {
                        "event" => event = value.to_owned(),
                        "data" => data.push(value),
                        _ => {}
                    }
                }
                if !data.is_empty() {
                    return Some(Event { event, data: serde_json::from_str(&data.join("\n")).unwrap_or(Value::Null) });
                }
                continue;
            }
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Ok(Some(Ok(chunk))) => self.buf.push_str(&String::from_utf8_lossy(&chunk)),
                _ => return None,
            }
        }
    }
}

/// One site, restaurant merchant, location and tracked SKU with some stock, made by the admin.
pub struct Shop {
    /// Admin bearer token.
    pub token: String,
    /// The site.
    pub site_id: String,
    /// The location.
    pub location_id: String,
    /// The tracked SKU.
    pub sku: String,
    /// The restaurant selling it.
    pub merchant_id: String,
}

impl Shop {
    /// Creates everything through `api` and receives `stock` units.
    pub async fn create(api: &Api, stock: i64) -> Shop {
        let token = api.admin_token().await;
        let t = Some(token.as_str());
        let created = StatusCode::CREATED;
        let site = json!({"name": "Mall Proc", "country": "CL", "currency": "CLP", "timezone": "America/Santiago"});
        let site_id = api.post("/api/v1/sites", t, site, created).await["id"].as_str().expect("site id").to_owned();
        let merchant = json!({"name": "Proc Sushi", "kind": "restaurant", "commission_bps": 1000});
        let merchant = api.post("/api/v1/merchants", t, merchant, created).await;
        let merchant_id = merchant["id"].as_str().expect("merchant id").to_owned();
        let location =
            json!({"merchant_id": merchant_id, "site_id": site_id, "name": "Local 1", "pay_at_pickup": false});
        let location = api.post("/api/v1/locations", t, location, created).await;
        let location_id = location["id"].as_str().expect("location id").to_owned();
        let sku = format!("ROLL-{}", &random_hex()[..8]).to_uppercase();
        let variant = json!({"sku": sku, "price": {"amount": 5990, "currency": "CLP"}});
        let product = json!({"merchant_id": merchant_id, "name": "Roll", "track_stock": true, "variants": [variant]});
        api.post("/api/v1/products", t, product, created).await;
        let movement = json!({"sku": sku, "location_id": location_id, "delta": stock, "reason": "receipt"});
        api.post("/api/v1/stock/movements", t, movement, created).await;
        Shop { token, site_id, location_id, sku, merchant_id }
    }

    /// The body of a card order for `quantity` units of the SKU.
    pub fn order(&self, quantity: i64) -> Value {
        json!({
            "site_id": self.site_id,
            "channel": "web",
            "customer": {"name": "Cliente Proc"},
            "lines": [{"sku": self.sku, "location_id": self.location_id, "quantity": quantity}],
            "payment": {"method": "card", "card_number": CARD_OK},
        })
    }

    /// The stock level of the SKU at the location, read through `api`.
    pub async fn level(&self, api: &Api) -> Value {
        let path = format!("/api/v1/stock?location_id={}&sku={}", self.location_id, self.sku);
        let levels = api.get(&path, Some(&self.token), StatusCode::OK).await;
        assert_eq!(levels.as_array().map(Vec::len), Some(1), "{path}: one level expected, got {levels}");
        levels[0].clone()
    }
}

/// Every item of a paged list (`limit=500`), read through `api` with the admin's token.
async fn every_page(api: &Api, token: &str, list: &str) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let path = format!("{list}?limit=500&offset={}", all.len());
        let page = api.get(&path, Some(token), StatusCode::OK).await;
        let page = page.as_array().unwrap_or_else(|| panic!("{path}: a list expected, got {page}")).clone();
        let full = page.len() == 500;
        all.extend(page);
        if !full {
            return all;
        }
    }
}

impl Shop {
    /// Every part placed at the shop's location.
    pub async fn fulfillments(&self, api: &Api) -> Vec<Value> {
        every_page(api, &self.token, &format!("/api/v1/locations/{}/fulfillments", self.location_id)).await
    }

    /// The units of each order with a part at the shop's location, by order id.
    pub async fn orders_in_store(&self, api: &Api) -> std::collections::HashMap<String, i64> {
        let mut orders = std::collections::HashMap::new();
        for part in self.fulfillments(api).await {
            let quantity: i64 =
                part["lines"].as_array().expect("lines").iter().filter_map(|line| line["quantity"].as_i64()).sum();
            let order_id = part["order_id"].as_str().expect("order_id").to_owned();
            assert!(orders.insert(order_id, quantity).is_none(), "one part per order expected: {part}");
        }
        orders
    }

    /// How many capture jobs each order owes the card provider, by order id.
    pub async fn captures(&self, api: &Api) -> std::collections::HashMap<String, usize> {
        let mut captures = std::collections::HashMap::new();
        for job in every_page(api, &self.token, "/api/v1/payment-jobs").await {
            if job["kind"] == "capture" {
                *captures.entry(job["order_id"].as_str().expect("order_id").to_owned()).or_default() += 1;
            }
        }
        captures
    }
}
