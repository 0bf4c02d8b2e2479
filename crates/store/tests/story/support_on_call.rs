//! The desk's on-call rota, agents' push subscriptions and alert deliveries (issue 18 point 3):
//! shifts listed by start until they end; one subscription per (agent, endpoint); a delivery
//! enqueued once (the insert is the claim), taken by one of two racing takers, held by its
//! lease, retried when due and never taken again once sent — on both databases.

use omnicanal_domain::access::Role;
use omnicanal_store::{
    OnCallShiftRow, Store, StoreError, SupportAlertJobRow, SupportAlertJobState, SupportPushSubscriptionRow,
};

use crate::support::{T0, id};

fn job(event_id: &str, target: &str) -> SupportAlertJobRow {
    SupportAlertJobRow {
        event_id: event_id.into(),
        target: target.into(),
        payload_json: r#"{"title":"x"}"#.into(),
        state: SupportAlertJobState::Pending,
        attempts: 0,
        next_at_ms: T0,
        last_error: None,
        created_at_ms: T0,
    }
}

/// Shifts, subscriptions and one delivery's life.
pub async fn on_call_shifts_subscriptions_and_alert_deliveries(store: &dyn Store) {
    let agent = omnicanal_store::UserRow { role: Role::SupportAgent, ..crate::user("agente@soporte.test") };
    store.insert_user(&agent).await.expect("agent");
    let shift = OnCallShiftRow {
        id: id("onc"),
        user_id: agent.id.clone(),
        user_email: String::new(),
        starts_at_ms: T0,
        ends_at_ms: T0 + 3_600_000,
        created_by: agent.id.clone(),
        created_at_ms: T0,
    };
    store.insert_on_call_shift(&shift).await.expect("a shift");
    let listed = store.list_on_call_shifts(T0, 10).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].user_email, "agente@soporte.test", "read with the agent's e-mail");
    assert!(store.list_on_call_shifts(T0 + 3_600_000, 10).await.expect("after").is_empty(), "over at its end");
    store.delete_on_call_shift(&shift.id).await.expect("delete");
    assert!(matches!(store.delete_on_call_shift(&shift.id).await, Err(StoreError::NotFound)));

    let subscription = SupportPushSubscriptionRow {
        id: id("spb"),
        user_id: agent.id.clone(),
        endpoint: "https://fcm.googleapis.com/fcm/send/x".into(),
        p256dh: "key".into(),
        auth: "auth".into(),
        language: "es".into(),
        created_at_ms: T0,
    };
    store.upsert_support_push_subscription(&subscription).await.expect("subscribe");
    let again = SupportPushSubscriptionRow { id: id("spb"), language: "en".into(), ..subscription.clone() };
    let stored = store.upsert_support_push_subscription(&again).await.expect("again");
    assert_eq!((stored.id.as_str(), stored.language.as_str()), (subscription.id.as_str(), "en"), "one row, refreshed");
    assert_eq!(store.list_desk_push_subscriptions(10).await.expect("desk").len(), 1);
    assert_eq!(store.forget_support_push_endpoint(&subscription.endpoint).await.expect("forget"), 1);
    assert!(store.list_support_push_subscriptions(&agent.id).await.expect("mine").is_empty());

    assert!(store.enqueue_support_alert_job(&job("evt_1", "gateway")).await.expect("enqueue"));
    assert!(!store.enqueue_support_alert_job(&job("evt_1", "gateway")).await.expect("again"), "claimed once");
    let (first, second) = tokio::join!(
        store.take_due_support_alert_jobs(T0, T0 + 120_000, 10),
        store.take_due_support_alert_jobs(T0, T0 + 120_000, 10)
    );
    let taken = first.expect("take").len() + second.expect("take").len();
    assert_eq!(taken, 1, "two takers: one gets it");
    assert!(store.take_due_support_alert_jobs(T0 + 60_000, T0 + 180_000, 10).await.expect("leased").is_empty());
    let failed = Some("the receiver answered 500");
    store
        .finish_support_alert_job("evt_1", "gateway", SupportAlertJobState::Pending, T0 + 30_000, failed, T0)
        .await
        .expect("retry later");
    assert!(store.take_due_support_alert_jobs(T0 + 29_999, T0 + 150_000, 10).await.expect("early").is_empty());
    let retry = store.take_due_support_alert_jobs(T0 + 30_000, T0 + 150_000, 10).await.expect("due");
    assert_eq!(retry.iter().map(|job| job.attempts).collect::<Vec<_>>(), [2]);
    store
        .finish_support_alert_job("evt_1", "gateway", SupportAlertJobState::Sent, T0 + 30_000, None, T0 + 30_000)
        .await
        .expect("sent");
    assert!(store.take_due_support_alert_jobs(T0 + 10_000_000, T0 + 10_200_000, 10).await.expect("done").is_empty());
    let jobs = store.support_alert_jobs_of("evt_1").await.expect("jobs");
    assert_eq!(jobs.iter().map(|job| (job.state, job.attempts)).collect::<Vec<_>>(), [(SupportAlertJobState::Sent, 2)]);
}
