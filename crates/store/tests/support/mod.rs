//! Shared set-up for the store's backend-conformance story.
//!
//! [`TestDb`] gives every test its own fresh database: a SQLite file in a new
//! temp directory, or — when `OMNICANAL_TEST_DATABASE_URL` points at a
//! PostgreSQL server — a throwaway `omni_store_<hex>` database created on it.
//! [`Shop`] and the row builders keep the scenarios short.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use omnicanal_domain::Currency;
use omnicanal_domain::catalog::{Country, MerchantKind};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::inventory::MovementReason;
use omnicanal_domain::order::DocumentKind;
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pricing::TaxCategory;
use omnicanal_domain::site::UnacceptedPolicy;
use omnicanal_store::{
    FulfillmentRecord, LineRow, LocationRow, MerchantRow, NewOrder, OrderRow, ProductRow, SiteRow, SqlStore,
    StockFilter, StockMovementRow, StockRow, Store, StoreResult, VariantRow, connect,
};
// The name is `omni_store_` and hex digits only, so it is safe to splice in.
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};

/// The variable naming the PostgreSQL server to test against.
pub const PG_ENV: &str = "OMNICANAL_TEST_DATABASE_URL";

/// A fixed "now" for the story: 2023-11-14, in Unix milliseconds.
pub const T0: i64 = 1_700_000_000_000;

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// A fresh id with a readable prefix, unique within the test binary.
pub fn id(prefix: &str) -> String {
    format!("{prefix}-{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// 16 random hex digits, for temp directory and database names.
pub fn random_hex() -> String {
    let mut hasher = RandomState::new().build_hasher();
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    hasher.write_u32(std::process::id());
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("{:016x}", hasher.finish())
}

enum Cleanup {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// A store on its own fresh database; derefs to `dyn Store`.
pub struct TestDb {
    /// The store under test.
    pub store: Arc<SqlStore>,
    /// Its database URL (to open a second store on it, as a second process would).
    pub url: String,
    cleanup: Cleanup,
}

impl Deref for TestDb {
    type Target = dyn Store;
    fn deref(&self) -> &Self::Target {
        &*self.store
    }
}

/// What a scenario takes, picked by its parameter type: `&dyn Store`, or
/// `Arc<SqlStore>` for scenarios that spawn tasks.
pub trait ScenarioArg<'a> {
    /// The argument for a scenario run on `db`.
    fn from_db(db: &'a TestDb) -> Self;
}

impl<'a> ScenarioArg<'a> for &'a dyn Store {
    fn from_db(db: &'a TestDb) -> Self {
        &**db
    }
}

impl<'a> ScenarioArg<'a> for Arc<SqlStore> {
    fn from_db(db: &'a TestDb) -> Self {
        Arc::clone(&db.store)
    }
}

impl TestDb {
    /// A store on a new SQLite file under the temp directory.
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("omni-store-{}", random_hex()));
        std::fs::create_dir_all(&dir).expect("create the temp directory");
        let url = format!("sqlite://{}", dir.join("db.sqlite").display());
        let store = connect(&url).await.expect("open the SQLite store");
        TestDb { store, url, cleanup: Cleanup::Dir(dir) }
    }

    /// A store on a new PostgreSQL database, or `None` when the variable is unset.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var(PG_ENV) else {
            println!("{PG_ENV} is unset: skipping the PostgreSQL run");
            return None;
        };
        let name = format!("omni_store_{}", random_hex());
        let mut admin = PgConnection::connect(&admin_url).await.expect("connect to the PostgreSQL server");
        admin
            .execute(sqlx::raw_sql(AssertSqlSafe(format!("CREATE DATABASE {name}"))))
            .await
            .expect("create the test database");
        admin.close().await.expect("close the admin connection");
        let url = database_url(&admin_url, &name);
        let store = connect(&url).await.expect("open the PostgreSQL store");
        Some(TestDb { store, url, cleanup: Cleanup::Postgres { admin_url, name } })
    }

    /// Drops the database after a passing test (a failing one leaves it to inspect).
    pub async fn finish(self) {
        drop(self.store);
        match self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                let mut admin = PgConnection::connect(&admin_url).await.expect("reconnect to the PostgreSQL server");
                admin
                    .execute(sqlx::raw_sql(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))))
                    .await
                    .expect("drop the test database");
            }
        }
    }
}

/// The admin URL with its database name replaced by `name` (query kept).
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin_url, String::new()),
    };
    let authority = base.find("://").map_or(0, |i| i + 3);
    let root = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    format!("{root}/{name}{query}")
}

/// A site.
pub fn site() -> SiteRow {
    SiteRow {
        id: id("site"),
        name: "Costanera Center".into(),
        country: Country::Chile,
        currency: Currency::Clp,
        timezone: "America/Santiago".into(),
        accept_within_minutes: None,
        unaccepted_policy: UnacceptedPolicy::default(),
        created_at_ms: T0,
    }
}

/// A merchant.
pub fn merchant(name: &str) -> MerchantRow {
    MerchantRow {
        id: id("mer"),
        name: name.into(),
        kind: MerchantKind::Restaurant,
        commission_bps: 1200,
        tax_id: None,
        created_at_ms: T0,
    }
}

/// A product of a merchant.
pub fn product(merchant_id: &str, name: &str, track_stock: bool) -> ProductRow {
    ProductRow {
        id: id("prd"),
        merchant_id: merchant_id.into(),
        name: name.into(),
        track_stock,
        tax_category: TaxCategory::Standard,
        category: None,
        image_url: None,
        modifiers_json: None,
        description: None,
        allergens: Vec::new(),
        created_at_ms: T0,
    }
}

/// A CLP variant of a product.
pub fn variant(product: &ProductRow, sku: &str, price_minor: i64) -> VariantRow {
    VariantRow {
        id: id("var"),
        product_id: product.id.clone(),
        merchant_id: product.merchant_id.clone(),
        sku: sku.into(),
        price_minor,
        currency: Currency::Clp,
        barcode: None,
        attributes_json: "{}".into(),
    }
}

/// A site with one merchant and one of its locations, all stored.
pub struct Shop {
    /// The site.
    pub site: SiteRow,
    /// The merchant.
    pub merchant: MerchantRow,
    /// Its location at the site.
    pub location: LocationRow,
}

/// One order line as (SKU, quantity, unit price, tracked).
pub type Line<'a> = (&'a str, i64, i64, bool);

impl Shop {
    /// Stores a site, a merchant and a location.
    pub async fn open(store: &dyn Store) -> Shop {
        let site = site();
        let merchant = merchant("Café Andino");
        let location = LocationRow {
            id: id("loc"),
            merchant_id: merchant.id.clone(),
            site_id: site.id.clone(),
            name: "Level 3 counter".into(),
            pay_at_pickup: true,
            is_open: true,
            storefront: Default::default(),
            created_at_ms: T0,
        };
        store.insert_site(&site).await.expect("insert site");
        store.insert_merchant(&merchant).await.expect("insert merchant");
        store.insert_location(&location).await.expect("insert location");
        Shop { site, merchant, location }
    }

    /// Stores a one-variant product and returns its variant.
    pub async fn add_product(&self, store: &dyn Store, sku: &str, price: i64, track: bool) -> VariantRow {
        let product = product(&self.merchant.id, sku, track);
        let variant = variant(&product, sku, price);
        store.insert_product(&product, std::slice::from_ref(&variant)).await.expect("insert product");
        variant
    }

    /// A movement of `delta` units of `sku` at the shop's location.
    pub fn movement(&self, sku: &str, delta: i64) -> StockMovementRow {
        StockMovementRow {
            reference: None,
            channel: None,
            id: id("mov"),
            sku: sku.into(),
            location_id: self.location.id.clone(),
            merchant_id: self.merchant.id.clone(),
            delta,
            reason: if delta >= 0 { MovementReason::Receipt } else { MovementReason::Adjustment },
            created_by: None,
            created_at_ms: T0,
            event_id: id("evt"),
        }
    }

    /// Applies a movement of `delta` units.
    pub async fn restock(&self, store: &dyn Store, sku: &str, delta: i64) -> StoreResult<StockRow> {
        store.apply_stock_movement(&self.movement(sku, delta)).await
    }

    /// The stock level of `sku` at the shop's location, if any.
    pub async fn level(&self, store: &dyn Store, sku: &str) -> Option<StockRow> {
        let filter = StockFilter {
            location_id: Some(self.location.id.clone()),
            sku: Some(sku.into()),
            ..StockFilter::default()
        };
        let mut levels = store.list_stock(&filter).await.expect("list stock");
        assert!(levels.len() <= 1, "one level per (location, sku)");
        levels.pop()
    }

    /// A one-part order at the shop's location, paid by `method` (`card` or `pay_at_pickup`).
    pub fn order(&self, lines: &[Line<'_>], method: &str, at_ms: i64) -> NewOrder {
        let order_id = id("ord");
        let lines: Vec<LineRow> = lines
            .iter()
            .map(|&(sku, quantity, unit_price_minor, track_stock)| LineRow {
                sku: sku.into(),
                quantity,
                unit_price_minor,
                total_minor: quantity * unit_price_minor,
                track_stock,
                pricing: Default::default(),
            })
            .collect();
        let subtotal: i64 = lines.iter().map(|line| line.total_minor).sum();
        let method = PaymentMethod::parse(method).expect("card or pay_at_pickup");
        let card = method == PaymentMethod::Card;
        let captured = if card { subtotal } else { 0 };
        NewOrder {
            order: OrderRow {
                id: order_id.clone(),
                number: 0,
                site_id: self.site.id.clone(),
                channel: Channel::Qr,
                customer_name: "Ana Pérez".into(),
                customer_phone: Some("+56911112222".into()),
                customer_email: None,
                tracking_token: id("trk"),
                currency: Currency::Clp,
                total_minor: subtotal,
                payment_method: method,
                payment_reference: card.then(|| id("ch")),
                captured_minor: captured,
                refunded_minor: 0,
                outstanding_minor: subtotal - captured,
                pickup_at: None,
                customer_tax_id: None,
                table_label: None,
                quote_json: None,
                created_at_ms: at_ms,
                delivery: None,
            },
            fulfillments: vec![FulfillmentRecord {
                id: id("ful"),
                order_id,
                merchant_id: self.merchant.id.clone(),
                location_id: self.location.id.clone(),
                status: FulfillmentStatus::Placed,
                pickup_code: "4821".into(),
                subtotal_minor: subtotal,
                currency: Currency::Clp,
                captured_minor: captured,
                refunded_minor: 0,
                reason: None,
                created_at_ms: at_ms,
                updated_at_ms: at_ms,
                hold_expires_at_ms: None,
                pricing: Default::default(),
                preparation: Default::default(),
                lines,
            }],
            event_id: id("evt"),
            idempotency: None,
            safety_buffers: Vec::new(),
            redemptions: Vec::new(),
            document_kind: DocumentKind::Boleta,
            credit_spends: Vec::new(),
            catalog_generation: None,
        }
    }
}
