//! The till queue's two hard cases, on a SQLite store with a terminal that counts its calls:
//! a card sale whose answer was lost is sent again (and again at once, racing itself) and the
//! card is charged under one key only, never voided by the repeat; and a sale priced from a
//! stale catalogue snapshot is recorded at what the customer paid, its difference flagged.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use omnicanal_domain::access::Role;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::LocationRow;

use super::devices::RegisterDevice;
use super::sales::{PaymentInput, RecordSale, SaleInput, SaleLineInput};
use super::sessions::OpenSession;
use super::terminal::{CardTerminal, TerminalApproval, TerminalError};
use crate::caller::Caller;
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::payments::SandboxCardProvider;
use crate::setup::demo::DemoDish;
use crate::setup::locations::NewLocation;
use crate::setup::merchants::NewMerchant;
use crate::setup::sites::NewSite;
use crate::{App, SystemClock};

/// A terminal that approves every card under its key and remembers every call.
#[derive(Default)]
struct CountingTerminal {
    charges: Mutex<Vec<String>>,
    voids: Mutex<Vec<String>>,
}

#[async_trait]
impl CardTerminal for CountingTerminal {
    async fn charge(&self, _card: &str, _amount: Money, key: &str) -> Result<TerminalApproval, TerminalError> {
        self.charges.lock().map_err(|_| TerminalError::Unavailable("poisoned".into()))?.push(key.to_owned());
        Ok(TerminalApproval { reference: format!("term_{key}"), approval_code: "A1".into() })
    }

    async fn void(&self, _reference: &str, key: &str) -> Result<(), TerminalError> {
        self.voids.lock().map_err(|_| TerminalError::Unavailable("poisoned".into()))?.push(key.to_owned());
        Ok(())
    }

    async fn refund(&self, _reference: &str, _amount: Money, _key: &str) -> Result<(), TerminalError> {
        Ok(())
    }
}

impl CountingTerminal {
    /// Distinct keys charged: what a terminal that honours keys took money for.
    fn keys_charged(&self) -> Vec<String> {
        let mut keys = self.charges.lock().map(|keys| keys.clone()).unwrap_or_default();
        keys.sort();
        keys.dedup();
        keys
    }
}

fn caller(role: Role, merchant_id: Option<&str>) -> Caller {
    Caller {
        id: format!("usr_{}", role.as_str()),
        email: "someone@example.test".into(),
        role,
        merchant_id: merchant_id.map(str::to_owned),
        location_id: None,
    }
}

fn clp(amount: i64) -> Money {
    Money::new(amount, Currency::Clp)
}

/// An app with the counting terminal, a shop with 10 pizzas at $9.990, and an open session.
async fn till(terminal: Arc<CountingTerminal>) -> AppResult<(App, Caller, LocationRow, String)> {
    let dir = std::env::temp_dir().join(format!("omni-app-{}", crate::ids::new_id("test")));
    std::fs::create_dir_all(&dir).map_err(|error| AppError::internal(error.to_string()))?;
    let store = omnicanal_store::connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await?;
    let app = App::new(store, Arc::new(SystemClock), Arc::new(SandboxCardProvider)).with_card_terminal(terminal);
    let admin = caller(Role::Admin, None);
    let site = app.create_site(&admin, NewSite::parse("Mall", "CL", "CLP", "America/Santiago")?).await?;
    let merchant = app.create_merchant(&admin, NewMerchant::parse("Napoli", "restaurant", 0, None)?).await?;
    let location =
        app.create_location(&admin, NewLocation::parse(merchant.id.clone(), site.id, "Local", false)?).await?;
    let dish = DemoDish {
        name: "Pizza".into(),
        sku: "PIZZA".into(),
        price_minor: 9_990,
        opening_stock: Some(10),
        category: "Platos".into(),
        modifiers: Vec::new(),
        description: None,
        allergens: Vec::new(),
    };
    app.seed_demo_dish(&location, Currency::Clp, dish).await?;
    let manager = caller(Role::MerchantManager, Some(&merchant.id));
    let device = app.register_pos_device(&manager, RegisterDevice::parse(location.id.clone(), "Caja 1")?).await?;
    let session = app.open_pos_session(&manager, OpenSession::parse(device.id.clone(), clp(0))?).await?;
    // "<series>|<session>": what a sale of this till names.
    Ok((app, manager, location, format!("{}|{}", device.receipt_series, session.id)))
}

fn sale(handle: &str, id: &str, n: u32, payment: PaymentInput, total: Option<Money>) -> AppResult<RecordSale> {
    let (series, session_id) = handle.split_once('|').ok_or_else(|| AppError::internal("handle"))?;
    RecordSale::parse(SaleInput {
        id: id.into(),
        session_id: session_id.into(),
        receipt_number: format!("{series}-{n}"),
        sold_at: SOLD_AT.with(Clone::clone),
        offline: false,
        customer: None,
        lines: vec![SaleLineInput {
            sku: "PIZZA".into(),
            quantity: 1,
            options: Vec::new(),
            note: None,
            manual_discount: None,
            approval_id: None,
        }],
        payments: vec![payment],
        coupon: None,
        total,
        voided_lines: Vec::new(),
    })
}

thread_local! {
    /// One time for every sending of a test's sales (a repeat must be the same body).
    static SOLD_AT: String = chrono::DateTime::from_timestamp_millis(SystemClock.now_ms() - 60_000)
        .map(|at| at.to_rfc3339())
        .unwrap_or_default();
}

fn card(amount: i64) -> PaymentInput {
    PaymentInput {
        method: "card".into(),
        amount: clp(amount),
        tendered: None,
        reference: None,
        card_number: Some("4242424242424242".into()),
    }
}

#[tokio::test]
async fn a_card_sale_sent_again_after_a_lost_answer_is_charged_under_one_key_and_never_voided() -> AppResult<()> {
    let terminal = Arc::new(CountingTerminal::default());
    let (app, manager, _, handle) = till(terminal.clone()).await?;
    let first = app.record_pos_sale(&manager, sale(&handle, "card-1", 1, card(9_990), None)?).await?;
    assert!(first.created);
    // The answer was lost: the queue sends the same body again, later and at once twice.
    let again = app.record_pos_sale(&manager, sale(&handle, "card-1", 1, card(9_990), None)?).await?;
    assert!(!again.created);
    assert_eq!(again.answer, first.answer);
    let (a, b) = tokio::join!(
        app.record_pos_sale(&manager, sale(&handle, "card-1", 1, card(9_990), None)?),
        app.record_pos_sale(&manager, sale(&handle, "card-1", 1, card(9_990), None)?),
    );
    assert_eq!(a?.answer, first.answer);
    assert_eq!(b?.answer, first.answer);
    assert_eq!(terminal.keys_charged(), vec!["card-1:0".to_owned()], "one key, so one charge");
    assert_eq!(terminal.voids.lock().map(|v| v.len()).unwrap_or(usize::MAX), 0, "a repeat never voids the charge");

    // Two racing first sendings of a new sale: both may reach the terminal, under one key.
    let (a, b) = tokio::join!(
        app.record_pos_sale(&manager, sale(&handle, "card-2", 2, card(9_990), None)?),
        app.record_pos_sale(&manager, sale(&handle, "card-2", 2, card(9_990), None)?),
    );
    let (a, b) = (a?, b?);
    assert_eq!(a.answer, b.answer);
    assert!(a.created != b.created, "recorded once");
    assert_eq!(terminal.keys_charged(), vec!["card-1:0".to_owned(), "card-2:0".to_owned()]);
    assert_eq!(terminal.voids.lock().map(|v| v.len()).unwrap_or(usize::MAX), 0);
    Ok(())
}

#[tokio::test]
async fn a_sale_priced_from_a_stale_snapshot_is_recorded_at_what_the_customer_paid() -> AppResult<()> {
    let terminal = Arc::new(CountingTerminal::default());
    let (app, manager, location, handle) = till(terminal).await?;
    let cash = |amount: i64| PaymentInput {
        method: "cash".into(),
        amount: clp(amount),
        tendered: Some(clp(amount)),
        reference: None,
        card_number: None,
    };
    // The till's snapshot still had the pizza at $8.990: without its total, the tenders fall short.
    let refused = app.record_pos_sale(&manager, sale(&handle, "old-1", 1, cash(8_990), None)?).await;
    assert!(matches!(refused, Err(AppError::Invalid(_))), "{refused:?}");
    let recorded = app.record_pos_sale(&manager, sale(&handle, "old-2", 1, cash(8_990), Some(clp(8_990)))?).await?;
    assert_eq!(recorded.answer.total, clp(8_990), "recorded at what the customer paid");
    assert_eq!(recorded.answer.price_difference, Some(clp(-1_000)));
    assert_eq!(recorded.answer.lines[0].total, clp(9_990), "the lines say today's price");
    let flagged = app.pos_price_differences(&manager, &location.id).await?;
    assert_eq!(flagged.len(), 1);
    assert_eq!((flagged[0].sale_id.as_str(), flagged[0].price_difference_minor), ("old-2", -1_000));
    // The same total as the engine's flags nothing.
    let same = app.record_pos_sale(&manager, sale(&handle, "new-3", 2, cash(9_990), Some(clp(9_990)))?).await?;
    assert_eq!(same.answer.price_difference, None);
    assert_eq!(app.pos_price_differences(&manager, &location.id).await?.len(), 1);
    // A repeat answers the first answer, difference included.
    let again = app.record_pos_sale(&manager, sale(&handle, "old-2", 1, cash(8_990), Some(clp(8_990)))?).await?;
    assert_eq!(again.answer, recorded.answer);
    Ok(())
}
