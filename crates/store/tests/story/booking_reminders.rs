//! [`BookingReminderStore`] on both databases (issue 19 point 4): a browser's subscription
//! refreshed in place and forgotten by endpoint; the customer's choices keeping a token handed
//! over before; the candidates (confirmed or seated bookings in the window, with the reminders
//! claimed); a reminder claimed once however many nodes race — its deliveries enqueued once with
//! it; deliveries taken once each by racing nodes, retried, then final; an extra delivery
//! enqueued once; and a language outside the CHECK refused.

use std::sync::Arc;

use omnicanal_domain::bookings::booking::{BookingStatus, Occupancy};
use omnicanal_domain::bookings::resources::ResourceKind;
use omnicanal_store::{
    BookingPushSubscriptionRow, BookingReminderJobRow, BookingReminderPreferencesRow, BookingReminderStore, BookingRow,
    ReminderJobState, SqlStore, Store,
};

use crate::booking_availability::{HOUR, START, booking_row, resource};
use crate::support::{Shop, T0};

fn job(booking_id: &str, offset_minutes: i64, target: &str, next_at_ms: i64) -> BookingReminderJobRow {
    BookingReminderJobRow {
        booking_id: booking_id.into(),
        offset_minutes,
        target: target.into(),
        payload_json: r#"{"title":"Tu reserva"}"#.into(),
        state: ReminderJobState::Pending,
        attempts: 0,
        next_at_ms,
        give_up_at_ms: START,
        last_error: None,
        created_at_ms: T0,
    }
}

fn subscription(id: &str, booking_id: &str, endpoint: &str, auth: &str) -> BookingPushSubscriptionRow {
    BookingPushSubscriptionRow {
        id: id.into(),
        booking_id: booking_id.into(),
        endpoint: endpoint.into(),
        p256dh: "BP256".into(),
        auth: auth.into(),
        language: "es".into(),
        open_path: Some(format!("/reservas/{booking_id}")),
        created_at_ms: T0,
    }
}

async fn stored(store: &dyn Store, row: BookingRow) -> BookingRow {
    let cells = Occupancy::new(row.start_ms, 60, 0).cell_starts_ms();
    store.insert_booking(&row, &cells, &[]).await.expect("a booking");
    row
}

pub async fn booking_reminders_are_claimed_once_and_each_delivery_taken_once(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    let table = resource(store, &shop, "res_rem_t1", ResourceKind::Table).await;
    let soon = stored(store, booking_row(&shop, "bkg_rem_soon", &table.id, START, 60)).await;
    let later = stored(store, booking_row(&shop, "bkg_rem_later", &table.id, START + 3 * HOUR, 60)).await;
    let far = stored(store, booking_row(&shop, "bkg_rem_far", &table.id, START + 30 * HOUR, 60)).await;
    let held = booking_row(&shop, "bkg_rem_held", &table.id, START + 6 * HOUR, 60);
    let cells = Occupancy::new(held.start_ms, 60, 0).cell_starts_ms();
    let held = BookingRow { status: BookingStatus::Held, ..held };
    store.insert_held_booking(&held, &cells, T0 + 600_000, &[]).await.expect("held");

    // Subscriptions: the same endpoint again refreshes its keys in place; forgotten by endpoint.
    let endpoint = "https://push.example/abc";
    let first = store.upsert_booking_push_subscription(&subscription("bps_1", &soon.id, endpoint, "a1")).await;
    assert_eq!(first.expect("subscribed").id, "bps_1");
    let again = store.upsert_booking_push_subscription(&subscription("bps_2", &soon.id, endpoint, "a2")).await;
    let again = again.expect("refreshed");
    assert_eq!((again.id.as_str(), again.auth.as_str()), ("bps_1", "a2"), "the stored row, refreshed");
    store.upsert_booking_push_subscription(&subscription("bps_3", &later.id, endpoint, "a3")).await.expect("later");
    let other_browser = subscription("bps_4", &soon.id, "https://push.example/other", "a4");
    store.upsert_booking_push_subscription(&other_browser).await.expect("another browser");
    let listed = store.list_booking_push_subscriptions(&soon.id).await.expect("listed");
    assert_eq!(listed.iter().map(|row| row.id.as_str()).collect::<Vec<_>>(), ["bps_1", "bps_4"]);
    assert_eq!(store.get_booking_push_subscription("bps_4").await.expect("read"), Some(other_browser.clone()));
    let french =
        BookingPushSubscriptionRow { language: "fr".into(), ..subscription("bps_5", &far.id, "https://x", "a") };
    assert!(store.upsert_booking_push_subscription(&french).await.is_err(), "a language outside es/en");
    assert_eq!(store.forget_booking_push_endpoint(endpoint).await.expect("forgotten"), 2, "on both bookings");
    assert_eq!(store.list_booking_push_subscriptions(&soon.id).await.expect("left"), vec![other_browser]);
    assert_eq!(store.get_booking_push_subscription("bps_1").await.expect("gone"), None);

    // The customer's choices: a later call without the token keeps the one handed over.
    let preferences = BookingReminderPreferencesRow {
        booking_id: soon.id.clone(),
        language: "es".into(),
        manage_token: Some("token".into()),
        updated_at_ms: T0,
    };
    store.put_booking_reminder_preferences(&preferences).await.expect("put");
    let english = BookingReminderPreferencesRow {
        language: "en".into(),
        manage_token: None,
        updated_at_ms: T0 + 1,
        ..preferences
    };
    store.put_booking_reminder_preferences(&english).await.expect("again");
    let read = store.get_booking_reminder_preferences(&soon.id).await.expect("read").expect("set");
    assert_eq!(
        (read.language.as_str(), read.manage_token.as_deref(), read.updated_at_ms),
        ("en", Some("token"), T0 + 1)
    );
    assert_eq!(store.get_booking_reminder_preferences(&far.id).await.expect("none"), None);

    // Ten nodes race to claim the 24-hour reminder of the first booking: one claims it, and
    // its deliveries are enqueued once, with the claim.
    let claims: Vec<_> = (0..10)
        .map(|_| {
            let store = shared.clone();
            let jobs = vec![job(&soon.id, 1_440, "gateway", T0), job(&soon.id, 1_440, "push:bps_4", T0)];
            let id = soon.id.clone();
            tokio::spawn(async move { store.claim_booking_reminder(&id, 1_440, T0, &jobs).await.expect("claim") })
        })
        .collect();
    let mut claimed = 0;
    for claim in claims {
        claimed += usize::from(claim.await.expect("a node"));
    }
    assert_eq!(claimed, 1, "one node of ten claims it");
    assert_eq!(store.booking_reminder_jobs_of(&soon.id).await.expect("jobs").len(), 2, "enqueued once");
    assert!(!store.claim_booking_reminder(&soon.id, 1_440, T0 + 9, &[]).await.expect("again"), "claimed before");
    let two_hours = [job(&soon.id, 120, "gateway", START - 2 * HOUR)];
    assert!(store.claim_booking_reminder(&soon.id, 120, T0 + 10, &two_hours).await.expect("the 2-hour one"));
    assert_eq!(store.latest_booking_reminder_claim(&soon.id).await.expect("latest"), Some((120, T0 + 10)));
    assert_eq!(store.latest_booking_reminder_claim(&later.id).await.expect("none yet"), None);

    // Candidates: confirmed or seated bookings starting in (after, until], with their claims.
    let candidates = store.booking_reminder_candidates(START - 1, START + 24 * HOUR, 10).await.expect("candidates");
    let found: Vec<(&str, Vec<i64>)> = candidates
        .iter()
        .map(|row| {
            let mut claimed = row.claimed_offsets_minutes.clone();
            claimed.sort_unstable();
            (row.booking_id.as_str(), claimed)
        })
        .collect();
    assert_eq!(
        found,
        vec![(soon.id.as_str(), vec![120, 1_440]), (later.id.as_str(), vec![])],
        "the held one is not reminded"
    );
    let bounded = store.booking_reminder_candidates(START, START + 3 * HOUR, 10).await.expect("bounded");
    assert_eq!(bounded.iter().map(|row| row.booking_id.as_str()).collect::<Vec<_>>(), [later.id.as_str()]);
    assert_eq!(store.booking_reminder_candidates(START - 1, START + 48 * HOUR, 1).await.expect("limit").len(), 1);

    // Four nodes take the due deliveries at once: each is taken by one node, its attempt counted.
    let lease_until = T0 + 120_000;
    let takers: Vec<_> = (0..4)
        .map(|_| {
            let store = shared.clone();
            tokio::spawn(async move { store.take_due_booking_reminder_jobs(T0, lease_until, 10).await.expect("take") })
        })
        .collect();
    let mut taken = Vec::new();
    for taker in takers {
        taken.extend(taker.await.expect("a node"));
    }
    let mut targets: Vec<&str> = taken.iter().map(|job| job.target.as_str()).collect();
    targets.sort_unstable();
    assert_eq!(targets, ["gateway", "push:bps_4"], "the 24-hour deliveries, once each; the 2-hour one is not due");
    assert!(taken.iter().all(|job| job.attempts == 1 && job.next_at_ms == lease_until));
    assert!(store.take_due_booking_reminder_jobs(T0 + 1, lease_until, 10).await.expect("leased").is_empty());

    // One fails and is due again later; the other is sent, which is final.
    let (gateway, push) = match taken.iter().position(|job| job.target == "gateway") {
        Some(0) => (&taken[0], &taken[1]),
        _ => (&taken[1], &taken[0]),
    };
    store
        .finish_booking_reminder_job(gateway, ReminderJobState::Pending, T0 + 30_000, Some("503"), T0)
        .await
        .expect("retry");
    store.finish_booking_reminder_job(push, ReminderJobState::Sent, T0, None, T0).await.expect("sent");
    store.finish_booking_reminder_job(push, ReminderJobState::Pending, T0, None, T0).await.expect("no-op");
    let retried = store.take_due_booking_reminder_jobs(T0 + 30_000, T0 + 150_000, 10).await.expect("retried");
    assert_eq!(retried.iter().map(|job| (job.target.as_str(), job.attempts)).collect::<Vec<_>>(), [("gateway", 2)]);
    let jobs = store.booking_reminder_jobs_of(&soon.id).await.expect("jobs");
    let states: Vec<(i64, &str, ReminderJobState)> =
        jobs.iter().map(|job| (job.offset_minutes, job.target.as_str(), job.state)).collect();
    assert_eq!(
        states,
        [
            (1_440, "gateway", ReminderJobState::Pending),
            (1_440, "push:bps_4", ReminderJobState::Sent),
            (120, "gateway", ReminderJobState::Pending),
        ],
        "by reminder (earliest first) and target; a sent delivery stays sent"
    );
    assert_eq!(jobs[0].last_error.as_deref(), Some("503"));

    // A browser subscribed after the claim: its delivery is enqueued once.
    let late_push = job(&soon.id, 1_440, "push:bps_9", T0);
    assert!(store.enqueue_booking_reminder_job(&late_push).await.expect("enqueued"));
    assert!(!store.enqueue_booking_reminder_job(&late_push).await.expect("once"));
    assert_eq!(store.booking_reminder_jobs_of(&soon.id).await.expect("jobs").len(), 4);
}
