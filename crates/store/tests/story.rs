//! The backend-conformance story of the store: every scenario is one
//! `async fn(store: &dyn Store)` (or `Arc<SqlStore>` when it spawns tasks) and
//! runs twice, against SQLite (always, on a fresh temp file) and against
//! PostgreSQL (on a fresh database, when `OMNICANAL_TEST_DATABASE_URL` is set),
//! so both backends keep the same contract.
//!
//! This file holds the test matrix plus the access and setup scenarios; the
//! stock, fulfilment, event and idempotency scenarios live under `story/`.

#![allow(clippy::disallowed_methods, reason = "the story stamps rows with the wall clock, as a caller would")]

mod support;

#[path = "story/aisle.rs"]
mod aisle;
#[path = "story/audit.rs"]
mod audit;
#[path = "story/cart_reads.rs"]
mod cart_reads;
#[path = "story/catalog_admin.rs"]
mod catalog_admin;
#[path = "story/catalog_generation.rs"]
mod catalog_generation;
#[path = "story/click_collect.rs"]
mod click_collect;
#[path = "story/conflicts.rs"]
mod conflicts;
#[path = "story/console.rs"]
mod console;
#[path = "story/constraints.rs"]
mod constraints;
#[path = "story/credit.rs"]
mod credit;
#[path = "story/customer_app.rs"]
mod customer_app;
#[path = "story/customers.rs"]
mod customers;
#[path = "story/events.rs"]
mod events;
#[path = "story/fulfillment.rs"]
mod fulfillment;
#[path = "story/holds.rs"]
mod holds;
#[path = "story/idempotency.rs"]
mod idempotency;
#[path = "story/knowledge.rs"]
mod knowledge;
#[path = "story/order_credit.rs"]
mod order_credit;
#[path = "story/payments.rs"]
mod payments;
#[path = "story/pos.rs"]
mod pos;
#[path = "story/pos_approvals.rs"]
mod pos_approvals;
#[path = "story/pos_print.rs"]
mod pos_print;
#[path = "story/pricing.rs"]
mod pricing;
#[path = "story/retail.rs"]
mod retail;
#[path = "story/returns.rs"]
mod returns;
#[path = "story/stock.rs"]
mod stock;
#[path = "story/support_incidents.rs"]
mod support_incidents;
#[path = "story/support_sla.rs"]
mod support_sla;
// The on-call rota and alert deliveries (issue 18 point 3).
#[path = "story/support_on_call.rs"]
mod support_on_call;
// Bookings, never double-booked (issue 19).
#[path = "story/bookings.rs"]
mod bookings;
// A booking's life: holds, expiry and moves (issue 19 point 3).
#[path = "story/booking_life.rs"]
mod booking_life;
// The availability, staff and reminder stores' own stories (issue 19, helper buffers).
#[path = "story/booking_availability.rs"]
mod booking_availability;
#[path = "story/booking_reminders.rs"]
mod booking_reminders;
#[path = "story/booking_staff.rs"]
mod booking_staff;

use aisle::{
    aisle_orders_hold_the_last_unit_once_and_ship_it, an_aisle_pickup_leaves_the_source_and_is_held_at_the_store_once,
};
use audit::audit_entries_are_listed_newest_first_with_filters;
use booking_availability::booking_availability_reads_what_a_search_needs_and_joined_tables_claim_every_member;
use booking_life::a_bookings_hold_confirmation_expiry_and_moves_happen_once;
use booking_reminders::booking_reminders_are_claimed_once_and_each_delivery_taken_once;
use booking_staff::booking_staff_moves_happen_once_and_the_schedule_reads_its_range;
use bookings::bookings_never_claim_one_table_twice;
use cart_reads::a_carts_catalogue_is_read_at_once;
use catalog_admin::catalog_edits_are_saved_whole;
use catalog_generation::catalog_generation_guards_orders_priced_from_a_snapshot;
use click_collect::pickup_changes_of_one_part_land_once;
use conflicts::stock_conflicts_are_resolved_once;
use console::{
    console_order_search, console_promise_and_queue, console_sold_out_switches, console_takings_and_statement,
};
use constraints::constraint_violations_are_named;
use credit::{
    credit_expires_by_merchant_policy, credit_ledger_grants_spends_and_refuses,
    gift_card_spent_at_once_never_goes_negative,
};
use customer_app::{pickup_slots_hold_exactly_their_capacity, unaccepted_parts_are_listed_for_notify_only_sites};
use customers::{customer_history_joins_channels, customer_links_verify_once};
use events::{failing_endpoints_are_disabled, outbox_and_webhooks};
use fulfillment::transitions_move_stock_and_money;
use holds::{lapsed_holds_free_their_stock, sweeper_cancels_only_lapsed_placed_parts};
use idempotency::{idempotency_claims_are_fenced_by_their_token, idempotency_keys};
use knowledge::{articles_are_found_by_stems_and_ranked_title_first, help_sessions_end_once_and_are_counted};
use omnicanal_domain::access::Role;
use omnicanal_domain::dish::Allergen;
use omnicanal_store::{Page, SessionRow, Store, StoreError, UniqueKey, UserRow};
use order_credit::{a_voided_part_gives_its_credit_back, web_order_and_till_sale_race_the_last_balance};
use payments::payment_jobs_follow_the_money;
use pos::pos_till_sessions_sales_and_receipts;
use pos_approvals::pos_approvals_voids_and_the_count;
use pos_print::pos_printers_and_digital_receipts;
use pricing::{
    pricing_coupons_are_redeemed_within_their_limits, pricing_document_numbers_have_no_gaps,
    pricing_price_lists_round_trip, pricing_promotions_and_coupons, pricing_quotes_and_priced_orders,
};
use retail::retail_products_and_location_kinds;
use retail::retail_variant_settings_slugs_and_gallery;
use returns::an_exchange_takes_its_new_items_or_nothing;
use returns::returns_never_exceed_what_was_bought;
use stock::{concurrent_orders_never_oversell, place_order_reserves_or_changes_nothing, stock_ledger};
use support::{Shop, T0, TestDb, id, merchant, product, variant};
use support_incidents::one_open_incident_per_store_and_cause_under_two_detectors;
use support_on_call::on_call_shifts_subscriptions_and_alert_deliveries;
use support_sla::support_sla_rules_and_special_days;

/// One test per scenario and backend: `sqlite::<name>` and `postgres::<name>`.
macro_rules! story {
    ($($scenario:ident),* $(,)?) => {
        mod sqlite {
            use super::support::ScenarioArg;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    let db = super::TestDb::sqlite().await;
                    super::$scenario(ScenarioArg::from_db(&db)).await;
                    db.finish().await;
                }
            )*
        }
        mod postgres {
            use super::support::ScenarioArg;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $scenario() {
                    let Some(db) = super::TestDb::postgres().await else {
                        return;
                    };
                    super::$scenario(ScenarioArg::from_db(&db)).await;
                    db.finish().await;
                }
            )*
        }
    };
}

story!(
    users_and_sessions,
    catalog_edits_are_saved_whole,
    setup_and_catalog,
    stock_ledger,
    place_order_reserves_or_changes_nothing,
    transitions_move_stock_and_money,
    lapsed_holds_free_their_stock,
    failing_endpoints_are_disabled,
    sweeper_cancels_only_lapsed_placed_parts,
    idempotency_keys,
    idempotency_claims_are_fenced_by_their_token,
    outbox_and_webhooks,
    concurrent_orders_never_oversell,
    pricing_coupons_are_redeemed_within_their_limits,
    pricing_document_numbers_have_no_gaps,
    pricing_price_lists_round_trip,
    pricing_promotions_and_coupons,
    pricing_quotes_and_priced_orders,
    console_sold_out_switches,
    console_promise_and_queue,
    console_order_search,
    console_takings_and_statement,
    pickup_slots_hold_exactly_their_capacity,
    unaccepted_parts_are_listed_for_notify_only_sites,
    constraint_violations_are_named,
    payment_jobs_follow_the_money,
    a_carts_catalogue_is_read_at_once,
    catalog_generation_guards_orders_priced_from_a_snapshot,
    pos_till_sessions_sales_and_receipts,
    stock_conflicts_are_resolved_once,
    pos_printers_and_digital_receipts,
    pos_approvals_voids_and_the_count,
    audit_entries_are_listed_newest_first_with_filters,
    retail_products_and_location_kinds,
    credit_ledger_grants_spends_and_refuses,
    credit_expires_by_merchant_policy,
    gift_card_spent_at_once_never_goes_negative,
    web_order_and_till_sale_race_the_last_balance,
    a_voided_part_gives_its_credit_back,
    customer_links_verify_once,
    customer_history_joins_channels,
    pickup_changes_of_one_part_land_once,
    returns_never_exceed_what_was_bought,
    an_exchange_takes_its_new_items_or_nothing,
    retail_variant_settings_slugs_and_gallery,
    aisle_orders_hold_the_last_unit_once_and_ship_it,
    an_aisle_pickup_leaves_the_source_and_is_held_at_the_store_once,
    support_sla_rules_and_special_days,
    articles_are_found_by_stems_and_ranked_title_first,
    help_sessions_end_once_and_are_counted,
    one_open_incident_per_store_and_cause_under_two_detectors,
    on_call_shifts_subscriptions_and_alert_deliveries,
    bookings_never_claim_one_table_twice,
    a_bookings_hold_confirmation_expiry_and_moves_happen_once,
    booking_availability_reads_what_a_search_needs_and_joined_tables_claim_every_member,
    booking_staff_moves_happen_once_and_the_schedule_reads_its_range,
    booking_reminders_are_claimed_once_and_each_delivery_taken_once,
);

fn user(email: &str) -> UserRow {
    UserRow {
        id: id("usr"),
        email: email.into(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: Role::Admin,
        merchant_id: None,
        location_id: None,
        created_at_ms: T0,
    }
}

/// Scenario 1: users are unique by e-mail and sessions expire.
async fn users_and_sessions(store: &dyn Store) {
    store.ping().await.expect("ping");
    assert_eq!(store.count_users().await.expect("count"), 0);
    let ana = user("ana@example.cl");
    store.insert_user(&ana).await.expect("insert ana");
    assert_eq!(store.count_users().await.expect("count"), 1);

    let twin = user("ana@example.cl");
    let duplicate = store.insert_user(&twin).await;
    assert!(
        matches!(duplicate, Err(StoreError::Duplicate(UniqueKey::UserEmail))),
        "a taken e-mail is named: {duplicate:?}"
    );
    assert_eq!(store.count_users().await.expect("count"), 1);

    let found = store.find_user_by_email("Ana@Example.CL").await.expect("find");
    assert_eq!(found.as_ref(), Some(&ana), "found case-insensitively");
    assert_eq!(store.find_user_by_email("bob@example.cl").await.expect("find"), None);

    let session = SessionRow { token_hash: "a".repeat(64), user_id: ana.id.clone(), expires_at_ms: T0 + 60_000 };
    store.insert_session(&session).await.expect("insert session");
    let user_at = |now_ms| store.find_session_user(&session.token_hash, now_ms);
    assert_eq!(user_at(T0).await.expect("live session"), Some(ana.clone()));
    assert_eq!(user_at(T0 + 59_999).await.expect("last ms"), Some(ana));
    assert_eq!(user_at(T0 + 60_000).await.expect("at expiry"), None);
    assert_eq!(user_at(T0 + 3_600_000).await.expect("long after"), None);
    let unknown = store.find_session_user(&"b".repeat(64), T0).await;
    assert_eq!(unknown.expect("unknown token"), None);
}

/// Scenario 2: sites, merchants, locations and a catalog with per-merchant SKUs.
async fn setup_and_catalog(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let get_site = store.get_site(&shop.site.id).await.expect("get site");
    assert_eq!(get_site.as_ref(), Some(&shop.site));
    assert_eq!(store.list_sites(Page::default()).await.expect("sites"), vec![shop.site.clone()]);
    let get_merchant = store.get_merchant(&shop.merchant.id).await.expect("get merchant");
    assert_eq!(get_merchant.as_ref(), Some(&shop.merchant));
    let get_location = store.get_location(&shop.location.id).await.expect("get location");
    assert_eq!(get_location.as_ref(), Some(&shop.location));
    let at_site = store.list_site_locations(&shop.site.id).await.expect("locations");
    assert_eq!(at_site, vec![shop.location.clone()]);
    let of_merchant = store.list_merchant_locations(&shop.merchant.id).await;
    assert_eq!(of_merchant.expect("merchant locations"), vec![shop.location.clone()]);
    assert_eq!(store.get_site("nope").await.expect("missing site"), None);

    let other = merchant("Tienda Sur");
    store.insert_merchant(&other).await.expect("insert other merchant");
    let merchants = store.list_merchants(Page::default()).await.expect("merchants");
    assert_eq!(merchants.len(), 2);
    let first_only = Page { limit: 1, offset: 1 };
    assert_eq!(store.list_merchants(first_only).await.expect("page").len(), 1);
    let none = store.list_merchant_locations(&other.id).await.expect("none");
    assert!(none.is_empty());

    // What the menu says of a dish round-trips: its description and allergens in table order.
    let mut coffee = product(&shop.merchant.id, "Coffee", true);
    coffee.description = Some("Espresso doble con leche vaporizada.\nGrano de altura.".into());
    coffee.allergens = vec![Allergen::Milk, Allergen::Nuts];
    let mut small = variant(&coffee, "CAF-S", 2500);
    small.attributes_json = r#"{"size":"S"}"#.into();
    small.barcode = Some("7801234567890".into());
    let large = variant(&coffee, "CAF-L", 3200);
    store.insert_product(&coffee, &[small.clone(), large.clone()]).await.expect("insert coffee");
    let (stored, variants) = store.get_product(&coffee.id).await.expect("get").expect("some");
    assert_eq!(stored, coffee);
    assert_eq!(variants, vec![large.clone(), small.clone()], "variants by SKU");

    // A SKU taken within the merchant: conflict, and the product is not left behind.
    let tea = product(&shop.merchant.id, "Tea", false);
    let clash = [variant(&tea, "TEA-1", 1900), variant(&tea, "CAF-S", 1900)];
    let outcome = store.insert_product(&tea, &clash).await;
    assert!(matches!(outcome, Err(StoreError::Duplicate(UniqueKey::MerchantSku))), "{outcome:?}");
    assert_eq!(store.get_product(&tea.id).await.expect("get tea"), None);
    let listed = store.list_merchant_products(&shop.merchant.id).await.expect("list");
    assert_eq!(listed, vec![(coffee.clone(), vec![large, small.clone()])]);
    assert_eq!(store.find_variant(&shop.merchant.id, "TEA-1").await.expect("find"), None);

    // The same SKU under another merchant is fine; so is an untracked product.
    let theirs = product(&other.id, "Their coffee", false);
    let their_small = variant(&theirs, "CAF-S", 2000);
    store.insert_product(&theirs, std::slice::from_ref(&their_small)).await.expect("same SKU, other merchant");
    let ours = store.find_variant(&shop.merchant.id, "CAF-S").await.expect("find ours");
    assert_eq!(ours, Some((small, true)));
    let found = store.find_variant(&other.id, "CAF-S").await.expect("find theirs");
    assert_eq!(found, Some((their_small, false)));
    assert_eq!(store.find_variant(&other.id, "CAF-L").await.expect("find"), None);
}

/// The backend-specific part stays out of the scenarios: both report which one they are.
#[tokio::test]
async fn backend_is_reported() {
    let db = TestDb::sqlite().await;
    assert_eq!(db.backend(), omnicanal_store::Backend::Sqlite);
    db.finish().await;
    if let Some(db) = TestDb::postgres().await {
        assert_eq!(db.backend(), omnicanal_store::Backend::Postgres);
        db.finish().await;
    }
}
