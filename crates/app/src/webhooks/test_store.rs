//! For the use cases' tests: an [`App`] over a fresh SQLite file and a manual clock, and the
//! callers they act as. (A `sqlite::memory:` store would give the read and write pools two
//! different databases.)

use std::path::PathBuf;
use std::sync::Arc;

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::MerchantKind;
use omnicanal_domain::pricing::PromotionKind;
use omnicanal_store::MerchantRow;

use crate::App;
use crate::caller::Caller;
use crate::clock::ManualClock;
use crate::ids::new_id;
use crate::outbound::OutboundPolicy;
use crate::payments::SandboxCardProvider;
use crate::pricing::promotions::{PromotionDraft, PromotionInput};

/// A fixed "now": 2023-11-14, in Unix milliseconds.
pub(crate) const T0: i64 = 1_700_000_000_000;

/// The app under test; its database files are removed when it is dropped.
pub(crate) struct TestApp {
    pub(crate) app: App,
    pub(crate) clock: Arc<ManualClock>,
    path: PathBuf,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

/// An app over a new, migrated SQLite database, its clock standing at [`T0`].
pub(crate) async fn test_app() -> TestApp {
    let path = std::env::temp_dir().join(format!("{}.db", new_id("omnicanal_app_test")));
    let store = omnicanal_store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap_or_else(|error| panic!("a test database: {error}"));
    let clock = Arc::new(ManualClock::starting_at(T0));
    // The tests' receivers are named on loopback, which the outbound policy refuses unless named.
    let loopback = OutboundPolicy::parse("127.0.0.1,localhost").unwrap_or_else(|error| panic!("{error}"));
    let app = App::new(store, clock.clone(), Arc::new(SandboxCardProvider)).with_outbound_policy(loopback);
    TestApp { app, clock, path }
}

/// A merchant's promotion of 10 % off the order, needing a coupon or not.
pub(crate) fn ten_percent_off(merchant_id: &str, requires_coupon: bool) -> PromotionDraft {
    let input = PromotionInput {
        merchant_id: Some(merchant_id.to_owned()),
        site_id: None,
        name: "Diez".to_owned(),
        funded_by: None,
        kind: PromotionKind::PercentOffOrder { bps: 1000 },
        channels: Vec::new(),
        location_ids: Vec::new(),
        valid_from: None,
        valid_to: None,
        happy_hour: None,
        min_spend: None,
        requires_coupon,
        priority: 0,
        exclusive: false,
        active: None,
    };
    PromotionDraft::parse(input).unwrap_or_else(|error| panic!("a promotion: {error:?}"))
}

/// Stores a merchant; returns its id.
pub(crate) async fn merchant(app: &App, name: &str) -> String {
    let row = MerchantRow {
        id: new_id("mer"),
        name: name.to_owned(),
        kind: MerchantKind::Restaurant,
        commission_bps: 1200,
        tax_id: None,
        created_at_ms: T0,
    };
    app.store.insert_merchant(&row).await.unwrap_or_else(|error| panic!("a merchant: {error}"));
    row.id
}

/// A caller of `role`, of `merchant_id` when given.
pub(crate) fn caller(role: Role, merchant_id: Option<&str>) -> Caller {
    Caller {
        id: new_id("usr"),
        email: format!("{}@example.com", role.as_str()),
        role,
        merchant_id: merchant_id.map(str::to_owned),
        location_id: None,
    }
}
