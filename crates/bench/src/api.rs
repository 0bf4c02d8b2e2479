//! A thin JSON client over the Omnicanal API, and the fixtures the workloads set up
//! through it as admin: a CLP site, restaurant merchants with one location each,
//! products with stock-tracked variants, and receipts of stock.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The card the sandbox provider approves.
pub const APPROVED_CARD: &str = "4242424242424242";
/// Price of every bench variant, in CLP.
pub const UNIT_PRICE_CLP: i64 = 4_990;
/// Largest stock movement the server accepts.
pub const MAX_MOVEMENT: i64 = 1_000_000;
/// Most variants per product the server accepts.
const MAX_VARIANTS_PER_PRODUCT: usize = 100;

/// An authenticated client.
#[derive(Clone)]
pub struct Api {
    /// The shared HTTP client (connection pool).
    pub client: reqwest::Client,
    /// `http://host:port`.
    pub base_url: String,
    /// Admin bearer token.
    pub token: String,
}

/// An HTTP client sized for `connections` concurrent requests, with a per-request timeout.
pub fn http_client(connections: usize, timeout: Duration) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .tcp_nodelay(true)
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

impl Api {
    /// Signs in as `email`.
    pub async fn login(client: reqwest::Client, base_url: &str, email: &str, password: &str) -> Result<Api, String> {
        let response = client
            .post(format!("{base_url}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .map_err(|e| format!("login: {e}"))?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| format!("login answer: {e}"))?;
        if !status.is_success() {
            return Err(format!("login as {email} failed with {status}: {body}"));
        }
        let token = body["token"].as_str().ok_or("login answer has no token")?.to_owned();
        Ok(Api { client, base_url: base_url.to_owned(), token })
    }

    /// `POST path` as admin, expecting 2xx; returns the JSON answer.
    pub async fn post(&self, path: &str, body: &Value) -> Result<Value, String> {
        let response = self
            .client
            .post(format!("{}/api/v1{path}", self.base_url))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .map_err(|e| format!("POST {path}: {e}"))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| format!("POST {path} answer: {e}"))?;
        if !status.is_success() {
            return Err(format!("POST {path} → {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("POST {path} answer is not JSON ({e}): {text}"))
    }

    /// `GET path` as admin, expecting 2xx; returns the JSON answer.
    pub async fn get(&self, path: &str) -> Result<Value, String> {
        let response = self
            .client
            .get(format!("{}/api/v1{path}", self.base_url))
            .bearer_auth(&self.token)
            .send()
            .await
            .map_err(|e| format!("GET {path}: {e}"))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| format!("GET {path} answer: {e}"))?;
        if !status.is_success() {
            return Err(format!("GET {path} → {status}: {text}"));
        }
        serde_json::from_str(&text).map_err(|e| format!("GET {path} answer is not JSON ({e}): {text}"))
    }

    /// The stock level of `sku` at `location_id`: `(on_hand, reserved, available)`.
    pub async fn stock_level(&self, location_id: &str, sku: &str) -> Result<(i64, i64, i64), String> {
        let levels = self.get(&format!("/stock?location_id={location_id}&sku={sku}")).await?;
        let level = levels
            .as_array()
            .and_then(|levels| levels.iter().find(|level| level["sku"] == sku))
            .ok_or_else(|| format!("no stock level for {sku} at {location_id}: {levels}"))?;
        let field = |name: &str| level[name].as_i64().ok_or_else(|| format!("stock level without {name}: {level}"));
        Ok((field("on_hand")?, field("reserved")?, field("available")?))
    }
}

/// One sellable SKU at one location.
#[derive(Debug, Clone)]
pub struct Item {
    /// The location that sells it.
    pub location_id: String,
    /// The SKU.
    pub sku: String,
}

/// What a workload sets up: one site and its locations' items.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The CLP site.
    pub site_id: String,
    /// Merchant ids, one per location.
    pub merchants: Vec<String>,
    /// Location ids, one per merchant.
    pub locations: Vec<String>,
    /// Items, grouped by location in order (`skus_per_location` each).
    pub items: Vec<Item>,
    /// How long the set-up took.
    pub took: Duration,
}

/// A run-unique prefix so fixtures of several runs on one server do not collide.
pub fn unique_prefix(workload: &str) -> String {
    let millis =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
    format!("{workload}-{millis}")
}

/// Creates a CLP site, `locations` restaurants with one location each, and at each
/// location `skus_per_location` stock-tracked SKUs holding `stock` units.
pub async fn setup(
    api: &Api,
    prefix: &str,
    locations: usize,
    skus_per_location: usize,
    stock: i64,
) -> Result<Fixture, String> {
    let started = Instant::now();
    let site = api
        .post(
            "/sites",
            &json!({"name": format!("Bench {prefix}"), "country": "CL", "currency": "CLP", "timezone": "America/Santiago"}),
        )
        .await?;
    let site_id = id_of(&site)?;
    let mut fixture = Fixture {
        site_id: site_id.clone(),
        merchants: Vec::new(),
        locations: Vec::new(),
        items: Vec::new(),
        took: Duration::ZERO,
    };
    for l in 0..locations {
        let merchant = api
            .post(
                "/merchants",
                &json!({"name": format!("Restaurant {l} {prefix}"), "kind": "restaurant", "commission_bps": 1000}),
            )
            .await?;
        let merchant_id = id_of(&merchant)?;
        let location = api
            .post(
                "/locations",
                &json!({"merchant_id": merchant_id, "site_id": site_id, "name": format!("Local {l}"), "pay_at_pickup": true}),
            )
            .await?;
        let location_id = id_of(&location)?;
        let skus: Vec<String> = (0..skus_per_location).map(|s| format!("{prefix}-L{l}-S{s}")).collect();
        for (p, chunk) in skus.chunks(MAX_VARIANTS_PER_PRODUCT).enumerate() {
            let variants: Vec<Value> = chunk
                .iter()
                .map(|sku| json!({"sku": sku, "price": {"amount": UNIT_PRICE_CLP, "currency": "CLP"}}))
                .collect();
            api.post(
                "/products",
                &json!({"merchant_id": merchant_id, "name": format!("Plato {p}"), "track_stock": true, "variants": variants}),
            )
            .await?;
        }
        for sku in &skus {
            let mut left = stock;
            while left > 0 {
                let delta = left.min(MAX_MOVEMENT);
                api.post(
                    "/stock/movements",
                    &json!({"sku": sku, "location_id": location_id, "delta": delta, "reason": "receipt"}),
                )
                .await?;
                left -= delta;
            }
            fixture.items.push(Item { location_id: location_id.clone(), sku: sku.clone() });
        }
        fixture.merchants.push(merchant_id);
        fixture.locations.push(location_id);
    }
    fixture.took = started.elapsed();
    Ok(fixture)
}

fn id_of(value: &Value) -> Result<String, String> {
    value["id"].as_str().map(str::to_owned).ok_or_else(|| format!("answer without id: {value}"))
}

/// The body of a card order for `lines` of `(item, quantity)`.
pub fn order_body(site_id: &str, lines: &[(&Item, i64)], customer: &str) -> Value {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(item, quantity)| json!({"sku": item.sku, "location_id": item.location_id, "quantity": quantity}))
        .collect();
    json!({
        "site_id": site_id,
        "channel": "web",
        "customer": {"name": customer},
        "lines": lines,
        "payment": {"method": "card", "card_number": APPROVED_CARD},
    })
}

/// One order placed by [`place_paced`].
#[derive(Debug)]
pub struct Placed<K> {
    /// What the caller tagged the order with.
    pub key: K,
    /// When the request was sent.
    pub sent: Instant,
    /// When the answer's status line and headers arrived (the "201").
    pub answered: Instant,
    /// The status and the JSON answer (`Null` when not JSON), or why there was none.
    pub answer: Result<(u16, Value), reqwest::Error>,
}

impl<K> Placed<K> {
    /// Send → status received.
    pub fn latency(&self) -> Duration {
        self.answered.saturating_duration_since(self.sent)
    }
}

/// Places `orders` (each a key and an order body) as `POST /api/v1/orders` at a steady `rate`
/// per second, without waiting for one answer before sending the next; returns every order's
/// timing and answer, in order, and how long sending and answering took in all.
pub async fn place_paced<K: Send + 'static>(
    client: &reqwest::Client,
    base_url: &str,
    orders: Vec<(K, Value)>,
    rate: f64,
) -> Result<(Vec<Placed<K>>, Duration), String> {
    let url = format!("{base_url}/api/v1/orders");
    let period = Duration::from_secs_f64(1.0 / rate.max(0.001));
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let started = Instant::now();
    let mut in_flight = Vec::with_capacity(orders.len());
    for (key, body) in orders {
        ticker.tick().await;
        let request = client.post(&url).header("content-type", "application/json").body(body.to_string());
        in_flight.push(tokio::spawn(async move {
            let sent = Instant::now();
            let answer = request.send().await;
            let answered = Instant::now();
            let answer = match answer {
                Ok(response) => {
                    let status = response.status().as_u16();
                    match response.bytes().await {
                        Ok(bytes) => Ok((status, serde_json::from_slice(&bytes).unwrap_or_default())),
                        Err(error) => Err(error),
                    }
                }
                Err(error) => Err(error),
            };
            Placed { key, sent, answered, answer }
        }));
    }
    let mut placed = Vec::with_capacity(in_flight.len());
    for task in in_flight {
        placed.push(task.await.map_err(|e| format!("an order task failed: {e}"))?);
    }
    Ok((placed, started.elapsed()))
}
