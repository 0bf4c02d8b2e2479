//! Event scenario: the transactional outbox read in order, and the webhook
//! fan-out (deliveries queued once per event, each event flagged as fanned out,
//! due deliveries and recorded attempts).

use omnicanal_domain::events::EventType;
use omnicanal_store::{DeliveryAttempt, DeliveryRow, DeliveryState, OutboxRow, Page, Store, StoreError, WebhookRow};

use crate::support::{Shop, T0, id};

fn webhook(merchant_id: Option<&str>, enabled: bool) -> WebhookRow {
    WebhookRow {
        id: id("wh"),
        merchant_id: merchant_id.map(Into::into),
        url: "https://hooks.example.cl/omnicanal".into(),
        events: vec![EventType::StockChanged, EventType::OrderCreated],
        secret: "whsec_c2VjcmV0".into(),
        enabled,
        created_at_ms: T0,
        consecutive_failures: 0,
        disabled_reason: None,
    }
}

fn delivery(webhook: &WebhookRow, event: &OutboxRow, next_attempt_at_ms: i64) -> DeliveryRow {
    DeliveryRow {
        id: id("dlv"),
        webhook_id: webhook.id.clone(),
        event_seq: event.seq,
        event_id: event.event_id.clone(),
        event_type: event.event_type,
        attempts: 0,
        last_status: None,
        last_error: None,
        state: DeliveryState::Pending,
        next_attempt_at_ms,
        created_at_ms: T0,
    }
}

fn ids(deliveries: &[DeliveryRow]) -> Vec<&str> {
    deliveries.iter().map(|d| d.id.as_str()).collect()
}

/// Scenario 7: outbox ordering and paging, webhooks, and the delivery queue.
pub async fn outbox_and_webhooks(store: &dyn Store) {
    assert_eq!(store.outbox_head().await.expect("head"), 0, "empty outbox");
    assert!(store.outbox_after(0, 10).await.expect("after").is_empty());
    assert!(store.pending_fan_out(10).await.expect("pending").is_empty());

    let shop = Shop::open(store).await;
    shop.add_product(store, "CAF-250", 4990, true).await;
    let mut event_ids = Vec::new();
    for delta in [5, 3, -2, 1] {
        let movement = shop.movement("CAF-250", delta);
        store.apply_stock_movement(&movement).await.expect("movement");
        event_ids.push(movement.event_id);
    }

    // Oldest first, with a limit, from any point; the head is the last one.
    let events = store.outbox_after(0, 100).await.expect("all");
    let seen: Vec<_> = events.iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(seen, event_ids);
    assert!(events.windows(2).all(|pair| pair[0].seq < pair[1].seq));
    assert_eq!(store.outbox_head().await.expect("head"), events[3].seq);
    assert_eq!(store.outbox_after(0, 2).await.expect("first two"), events[..2]);
    assert_eq!(store.outbox_after(events[1].seq, 100).await.expect("rest"), events[2..]);
    assert_eq!(store.outbox_after(events[1].seq, 1).await.expect("next"), events[2..3]);
    assert!(store.outbox_after(events[3].seq, 100).await.expect("none").is_empty());
    let third = store.get_outbox_event(events[2].seq).await.expect("get");
    assert_eq!(third.as_ref(), Some(&events[2]));
    assert_eq!(store.get_outbox_event(events[3].seq + 100).await.expect("get"), None);

    // Webhooks: a merchant's, an admin's, and a disabled one.
    let mine = webhook(Some(&shop.merchant.id), true);
    let admin = webhook(None, true);
    let off = webhook(Some(&shop.merchant.id), false);
    for hook in [&mine, &admin, &off] {
        store.insert_webhook(hook).await.expect("insert webhook");
    }
    assert_eq!(store.get_webhook(&off.id).await.expect("get").as_ref(), Some(&off));
    assert_eq!(store.get_webhook("nope").await.expect("get"), None);
    let mut enabled = vec![mine.clone(), admin.clone()];
    enabled.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(store.list_enabled_webhooks().await.expect("enabled"), enabled);

    // Every event waits for the fan-out, oldest first.
    let pending = |limit| store.pending_fan_out(limit);
    assert_eq!(pending(100).await.expect("pending"), events);
    assert_eq!(pending(2).await.expect("pending"), events[..2]);

    // Fan-out: queue deliveries for the first two events and flag them.
    let d0 = delivery(&mine, &events[0], T0);
    let d1 = delivery(&mine, &events[1], T0);
    let first_two = [events[0].seq, events[1].seq];
    store.enqueue_deliveries(&[d0.clone(), d1.clone()], &first_two).await.expect("enqueue");
    assert_eq!(pending(100).await.expect("pending"), events[2..]);

    // Flags, not a cursor: a later event done first does not hide an earlier one.
    store.enqueue_deliveries(&[], &[events[3].seq]).await.expect("flag the last");
    assert_eq!(pending(100).await.expect("pending"), events[2..3]);

    // Again with an event already queued (a re-run): no duplicate delivery.
    let d1_again = delivery(&mine, &events[1], T0);
    let d2 = delivery(&mine, &events[2], T0 + 5_000);
    let again = [events[1].seq, events[2].seq];
    store.enqueue_deliveries(&[d1_again, d2.clone()], &again).await.expect("enqueue again");
    assert!(pending(100).await.expect("pending").is_empty());
    let log = store.list_deliveries(&mine.id, Page::default()).await.expect("log");
    assert_eq!(ids(&log), [&d2.id, &d1.id, &d0.id].map(String::as_str), "newest first");
    assert_eq!(log[1], d1, "the first queued delivery is kept");
    // Flagging is only for the fan-out: the outbox itself still serves every event.
    assert_eq!(store.outbox_after(0, 100).await.expect("all"), events);
    let second = Page { limit: 1, offset: 1 };
    let page = store.list_deliveries(&mine.id, second).await.expect("page");
    assert_eq!(ids(&page), [d1.id.as_str()]);
    assert!(store.list_deliveries(&admin.id, Page::default()).await.expect("log").is_empty());

    // Due deliveries: by next attempt time, then event order; limited.
    let due = |now_ms, limit| store.due_deliveries(now_ms, limit);
    assert!(due(T0 - 1, 10).await.expect("due").is_empty());
    assert_eq!(ids(&due(T0, 10).await.expect("due")), [d0.id.as_str(), &d1.id]);
    assert_eq!(ids(&due(T0 + 5_000, 1).await.expect("due")), [d0.id.as_str()]);
    assert_eq!(due(T0 + 5_000, 10).await.expect("due").len(), 3);

    // Attempts: d0 delivered, d1 failed to connect and is retried later.
    let delivered = DeliveryAttempt {
        delivery_id: d0.id.clone(),
        webhook_id: d0.webhook_id.clone(),
        disable_after_failures: 100,
        status: Some(200),
        error: None,
        state: DeliveryState::Delivered,
        next_attempt_at_ms: T0,
    };
    store.record_delivery_attempt(&delivered).await.expect("record");
    let refused = DeliveryAttempt {
        delivery_id: d1.id.clone(),
        webhook_id: d1.webhook_id.clone(),
        disable_after_failures: 100,
        status: None,
        error: Some("connection refused".into()),
        state: DeliveryState::Pending,
        next_attempt_at_ms: T0 + 10_000,
    };
    store.record_delivery_attempt(&refused).await.expect("record");
    assert_eq!(ids(&due(T0 + 5_000, 10).await.expect("due")), [d2.id.as_str()]);
    assert_eq!(ids(&due(T0 + 10_000, 10).await.expect("due")), [d2.id.as_str(), &d1.id]);

    let gave_up =
        DeliveryAttempt { status: Some(500), error: Some("HTTP 500".into()), state: DeliveryState::Failed, ..refused };
    store.record_delivery_attempt(&gave_up).await.expect("record");
    let log = store.list_deliveries(&mine.id, Page::default()).await.expect("log");
    let outcome = |d: &DeliveryRow| {
        let error = d.last_error.clone();
        (d.attempts, d.last_status, error, d.state)
    };
    assert_eq!(outcome(&log[2]), (1, Some(200), None, DeliveryState::Delivered));
    let failed = (2, Some(500), Some("HTTP 500".into()), DeliveryState::Failed);
    assert_eq!(outcome(&log[1]), failed);
    assert_eq!(outcome(&log[0]), (0, None, None, DeliveryState::Pending));
    assert_eq!(ids(&due(T0 + 10_000, 10).await.expect("due")), [d2.id.as_str()]);
}

/// Scenario: an endpoint that keeps failing is disabled after the limit, its deliveries wait,
/// and enabling it again clears the count and lets them go; its secret can be rotated.
pub async fn failing_endpoints_are_disabled(store: &dyn Store) {
    let hook = webhook(None, true);
    store.insert_webhook(&hook).await.expect("webhook");
    let shop = Shop::open(store).await;
    shop.add_product(store, "DIS-1", 100, true).await;
    shop.restock(store, "DIS-1", 1).await.expect("restock");
    let event = store.pending_fan_out(10).await.expect("pending").pop().expect("an event");
    let queued = delivery(&hook, &event, T0);
    store.enqueue_deliveries(std::slice::from_ref(&queued), &[event.seq]).await.expect("enqueue");
    let failure = DeliveryAttempt {
        delivery_id: queued.id.clone(),
        webhook_id: hook.id.clone(),
        disable_after_failures: 3,
        status: Some(500),
        error: Some("HTTP 500".into()),
        state: DeliveryState::Pending,
        next_attempt_at_ms: T0,
    };
    for attempt in 1..=3 {
        assert!(store.get_webhook(&hook.id).await.expect("read").expect("webhook").enabled, "enabled before {attempt}");
        store.record_delivery_attempt(&failure).await.expect("record");
    }
    let disabled = store.get_webhook(&hook.id).await.expect("read").expect("webhook");
    assert!(!disabled.enabled && disabled.disabled_reason.is_some(), "disabled after 3 failures: {disabled:?}");
    assert!(store.due_deliveries(T0 + 1, 10).await.expect("due").is_empty(), "a disabled endpoint's deliveries wait");
    store.set_webhook_enabled(&hook.id, true).await.expect("enable");
    // A rotated secret replaces the old one; an unknown endpoint is NotFound.
    store.set_webhook_secret(&hook.id, "whsec_cm90YXRlZC1zZWNyZXQtMTIzNDU2").await.expect("rotate");
    let rotated = store.get_webhook(&hook.id).await.expect("read").expect("webhook");
    assert_eq!(rotated.secret, "whsec_cm90YXRlZC1zZWNyZXQtMTIzNDU2");
    assert!(matches!(store.set_webhook_secret("whk_nope", "whsec_x").await, Err(StoreError::NotFound)));
    let enabled = store.get_webhook(&hook.id).await.expect("read").expect("webhook");
    assert_eq!((enabled.enabled, enabled.consecutive_failures, enabled.disabled_reason), (true, 0, None));
    assert_eq!(store.due_deliveries(T0 + 1, 10).await.expect("due").len(), 1, "the waiting delivery is due again");
    // Two nodes race for the due delivery: one attempt only, until the lease runs out.
    assert!(store.claim_delivery(&queued.id, T0 + 1, 30_000).await.expect("claim"), "the first node takes it");
    assert!(!store.claim_delivery(&queued.id, T0 + 2, 30_000).await.expect("claim"), "the second does not");
    assert!(store.claim_delivery(&queued.id, T0 + 30_001, 30_000).await.expect("claim"), "free again after the lease");
}
