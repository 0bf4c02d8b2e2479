//! Incidents before anyone calls (issue 18 point 5): telemetry counts add up per minute across
//! batches, tills are found by when they were last heard from, two detectors racing open one
//! incident for a (store, cause) and announce it once, one of them wins each tick, and a closed
//! incident frees its (store, cause) for the next one; the detector's fast path reads one store.

use std::sync::Arc;

use omnicanal_domain::events::{DomainEvent, EventType};
use omnicanal_domain::support::incidents::{
    Evidence, IncidentAnnounced, IncidentCause, IncidentStatus, SignalWindow, TelemetryKind,
};
use omnicanal_store::{
    NewEvent, Page, SqlStore, Store, SupportIncidentFilter, SupportIncidentRow, SupportIncidentStore,
    TelemetryBatchRow, TelemetryCountRow,
};

use crate::support::{Shop, T0};

fn count(shop: &Shop, kind: TelemetryKind, code: &str, minute_ms: i64, events: i64) -> TelemetryCountRow {
    TelemetryCountRow {
        location_id: shop.location.id.clone(),
        merchant_id: shop.merchant.id.clone(),
        kind,
        code: code.into(),
        device_id: "dev_story".into(),
        minute_ms,
        events,
    }
}

fn incident(shop: &Shop, id: &str, cause: IncidentCause) -> SupportIncidentRow {
    SupportIncidentRow {
        id: id.into(),
        merchant_id: shop.merchant.id.clone(),
        location_id: shop.location.id.clone(),
        cause,
        status: IncidentStatus::Open,
        opened_at_ms: T0,
        last_firing_at_ms: T0,
        closed_at_ms: None,
        evidence_json: "{}".into(),
    }
}

fn event(row: &SupportIncidentRow, opened: bool) -> NewEvent {
    let payload = IncidentAnnounced {
        incident_id: row.id.clone(),
        merchant_id: row.merchant_id.clone(),
        location_id: row.location_id.clone(),
        cause: row.cause,
        opened_at: row.opened_at_ms,
        closed_at: (!opened).then_some(T0),
        evidence: Evidence::of_window(&SignalWindow::default(), T0, 5, Default::default()),
    };
    NewEvent {
        event_id: format!("evt_{}_{opened}", row.id),
        created_at_ms: T0,
        event: if opened {
            DomainEvent::SupportIncidentOpened(payload)
        } else {
            DomainEvent::SupportIncidentClosed(payload)
        },
    }
}

pub async fn one_open_incident_per_store_and_cause_under_two_detectors(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    let minute = T0 - T0 % 60_000;

    // Two batches in the same minute add up; another minute and another code stay apart.
    for _ in 0..2 {
        let batch = TelemetryBatchRow {
            device_id: "dev_story".into(),
            merchant_id: shop.merchant.id.clone(),
            location_id: shop.location.id.clone(),
            heard_at_ms: T0,
            counts: vec![
                count(&shop, TelemetryKind::PaymentDeclined, "05", minute, 3),
                count(&shop, TelemetryKind::PaymentDeclined, "51", minute - 60_000, 1),
            ],
        };
        store.record_support_telemetry(&batch).await.expect("a batch");
    }
    let window = store.support_telemetry_window(&[TelemetryKind::PaymentDeclined], minute, 100).await.expect("window");
    assert_eq!(window.len(), 1, "only this minute's code: {window:?}");
    assert_eq!((window[0].code.as_str(), window[0].events), ("05", 6));
    let totals =
        store.support_telemetry_totals(TelemetryKind::PaymentDeclined, minute - 60_000, minute).await.expect("totals");
    assert_eq!(totals, vec![(shop.location.id.clone(), 2)]);
    let seen = store.support_devices_seen_between(T0 - 1, T0, 10).await.expect("seen");
    assert_eq!(seen.iter().map(|till| till.device_id.as_str()).collect::<Vec<_>>(), vec!["dev_story"]);
    assert!(store.support_devices_seen_between(T0, T0 + 1, 10).await.expect("later").is_empty());

    // Two detectors at once: one wins the tick, and one incident opens, announced once.
    let (a, b) = (shared.clone(), shared.clone());
    let (claim_a, claim_b) =
        tokio::join!(async move { a.claim_support_detector_run(T0, 10_000).await.expect("claim a") }, async move {
            b.claim_support_detector_run(T0, 10_000).await.expect("claim b")
        },);
    assert!(claim_a ^ claim_b, "exactly one node runs the tick");
    assert!(!store.claim_support_detector_run(T0 + 5_000, 10_000).await.expect("too soon"));
    assert!(store.claim_support_detector_run(T0 + 10_000, 10_000).await.expect("next tick"));

    let head = store.outbox_head().await.expect("head");
    let first = incident(&shop, "inc_a", IncidentCause::PaymentDeclines);
    let second = incident(&shop, "inc_b", IncidentCause::PaymentDeclines);
    let (a, b) = (shared.clone(), shared.clone());
    let (e1, e2) = (event(&first, true), event(&second, true));
    let (f1, f2) = (first.clone(), second.clone());
    let (opened_a, opened_b) =
        tokio::join!(async move { a.open_support_incident(&f1, e1).await.expect("open a") }, async move {
            b.open_support_incident(&f2, e2).await.expect("open b")
        },);
    assert!(opened_a ^ opened_b, "one incident per store and cause while open");
    let announced = store.outbox_after(head, 10).await.expect("events");
    assert_eq!(announced.len(), 1, "announced once");
    assert_eq!(announced[0].event_type, EventType::SupportIncidentOpened);
    let winner = if opened_a { first.clone() } else { second.clone() };
    let other_cause = incident(&shop, "inc_c", IncidentCause::PrintFailures);
    assert!(store.open_support_incident(&other_cause, event(&other_cause, true)).await.expect("another cause"));

    // Refreshed, then closed once; the (store, cause) is free again.
    store.refresh_support_incident(&winner.id, T0 + 60_000, r#"{"count":9}"#).await.expect("refresh");
    let read = store.get_support_incident(&winner.id).await.expect("read").expect("found");
    assert_eq!((read.last_firing_at_ms, read.evidence_json.as_str()), (T0 + 60_000, r#"{"count":9}"#));
    assert!(store.close_support_incident(&winner.id, T0 + 120_000, event(&winner, false)).await.expect("close"));
    assert!(!store.close_support_incident(&winner.id, T0 + 130_000, event(&winner, false)).await.expect("twice"));
    let next = incident(&shop, "inc_d", IncidentCause::PaymentDeclines);
    assert!(store.open_support_incident(&next, event(&next, true)).await.expect("a new one"));

    let open = SupportIncidentFilter { status: Some(IncidentStatus::Open), ..Default::default() };
    assert_eq!(store.count_support_incidents(&open).await.expect("count open"), 2);
    assert_eq!(store.open_support_incidents(10).await.expect("open").len(), 2);
    let all = store.list_support_incidents(&SupportIncidentFilter::default(), Page::first(10)).await.expect("all");
    assert_eq!(all.len(), 3);
    let elsewhere = SupportIncidentFilter { location_id: Some("loc_elsewhere".into()), ..Default::default() };
    assert_eq!(store.count_support_incidents(&elsewhere).await.expect("elsewhere"), 0);

    // The fast path's reads, one store at a time: its window, its baseline total, its open ones.
    let kinds = [TelemetryKind::PaymentDeclined];
    let at = store.support_telemetry_window_at(&shop.location.id, &kinds, minute, 100).await.expect("window at");
    assert_eq!(at.iter().map(|row| (row.code.as_str(), row.events)).collect::<Vec<_>>(), vec![("05", 6)]);
    assert!(store.support_telemetry_window_at("loc_elsewhere", &kinds, minute, 100).await.expect("none").is_empty());
    let kind = TelemetryKind::PaymentDeclined;
    let total = store.support_telemetry_total_at(&shop.location.id, kind, minute - 60_000, minute).await;
    assert_eq!(total.expect("total at"), 2);
    let nothing = store.support_telemetry_total_at("loc_elsewhere", kind, minute - 60_000, minute).await;
    assert_eq!(nothing.expect("an empty total"), 0);
    let mut open_here: Vec<String> = store
        .open_support_incidents_at(&shop.location.id)
        .await
        .expect("open at")
        .into_iter()
        .map(|row| row.id)
        .collect();
    open_here.sort();
    assert_eq!(open_here, vec!["inc_c".to_owned(), "inc_d".to_owned()]);
    assert!(store.open_support_incidents_at("loc_elsewhere").await.expect("none open").is_empty());

    assert_eq!(store.prune_support_telemetry(minute).await.expect("prune"), 1, "the older minute");

    // The incidents page's cause filter, and the reports' incidents of a period (issue 18
    // point 6): those open at some moment of it, scoped by merchant and store.
    let printers = SupportIncidentFilter { cause: Some(IncidentCause::PrintFailures), ..Default::default() };
    assert_eq!(store.count_support_incidents(&printers).await.expect("by cause"), 1);
    let in_period = |from: i64, to: i64, merchant: Option<String>, location: Option<String>| async move {
        store
            .support_incidents_in_period(from, to, merchant.as_deref(), location.as_deref(), 10)
            .await
            .expect("incidents in a period")
            .len()
    };
    assert_eq!(in_period(T0, T0 + 1, None, None).await, 3, "all open at the start");
    assert_eq!(in_period(T0 + 130_000, T0 + 200_000, None, None).await, 2, "the closed one ended before");
    assert_eq!(in_period(T0 - 10_000, T0, None, None).await, 0, "none opened yet");
    let mine = Some(shop.merchant.id.clone());
    assert_eq!(in_period(T0, T0 + 1, mine, Some(shop.location.id.clone())).await, 3);
    assert_eq!(in_period(T0, T0 + 1, Some("mer_elsewhere".into()), None).await, 0, "another merchant's");
    let problems = store.support_problem_counts(T0, T0 + 1, None, None).await.expect("problem counts");
    assert_eq!(problems.help_sessions + problems.tickets_without_help, 0, "no problem raised in this story");
}
