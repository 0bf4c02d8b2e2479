//! Payment job scenario: the money the books owe a provider is queued in the same transaction
//! as the change that owes it (a card order's capture, a rejected part's refund, a lapsed
//! hold's refund), each attempt is claimed by exactly one of two racing workers, outcomes of
//! overtaken claims are ignored, and a job that needs attention can be queued again by hand.

use std::collections::HashSet;
use std::sync::Arc;

use omnicanal_domain::events::{DomainEvent, EventType, PaymentCaptured};
use omnicanal_domain::fulfillment::{Actor, FulfillmentStatus, TransitionRequest, plan_transition};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::payment_job::{PaymentJobKind, PaymentJobState};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{
    FulfillmentChange, NewEvent, Page, PaymentAttempt, PaymentJobFilter, PaymentJobRow, PaymentStore, SqlStore, Store,
    StoreError, capture_job_id, refund_job_id,
};

use crate::stock::events_after;
use crate::support::{Shop, T0, id};

const LEASE_MS: i64 = 30_000;

fn attempt(job: &PaymentJobRow, state: PaymentJobState, now_ms: i64, event: Option<NewEvent>) -> PaymentAttempt {
    PaymentAttempt {
        job_id: job.id.clone(),
        attempts: job.attempts,
        state,
        next_attempt_at_ms: now_ms + 1_000,
        error: (state != PaymentJobState::Succeeded).then(|| "provider unavailable".to_owned()),
        now_ms,
        event,
    }
}

/// Scenario: see the module docs.
pub async fn payment_jobs_follow_the_money(shared: Arc<SqlStore>) {
    let store: &dyn Store = &*shared;
    let shop = Shop::open(store).await;
    shop.add_product(store, "PAN", 1500, false).await;
    let paid = store.place_order(&shop.order(&[("PAN", 2, 1500, false)], "card", T0)).await.expect("card order");
    store.place_order(&shop.order(&[("PAN", 1, 1500, false)], "pay_at_pickup", T0)).await.expect("cash order");
    let capture = store.get_payment_job(&capture_job_id(&paid.order.id)).await.expect("read").expect("a capture job");
    assert_eq!(
        (capture.kind, capture.state, capture.amount_minor),
        (PaymentJobKind::Capture, PaymentJobState::Pending, 3000)
    );
    assert_eq!(Some(capture.payment_reference.as_str()), paid.order.payment_reference.as_deref());
    assert_eq!((capture.fulfillment_id.as_deref(), capture.attempts), (None, 0));

    // A rejected card part owes its refund; a lapsed hold owes one too.
    let part = &paid.fulfillments[0];
    let plan = plan_transition(TransitionRequest {
        from: FulfillmentStatus::Placed,
        to: FulfillmentStatus::Rejected,
        actor: Actor::Merchant,
        presented_pickup_code: None,
        pickup_code: &part.pickup_code,
        payment_method: PaymentMethod::Card,
        subtotal: Money::new(part.subtotal_minor, Currency::Clp),
    })
    .expect("legal");
    let change = FulfillmentChange {
        fulfillment_id: part.id.clone(),
        plan,
        reason: Some("sin pan".into()),
        preparation: Default::default(),
        now_ms: T0 + 1,
        event_id: id("evt"),
        money_event_id: id("evt"),
    };
    store.apply_transition(&change).await.expect("reject");
    let refund = store.get_payment_job(&refund_job_id(&part.id)).await.expect("read").expect("a refund job");
    assert_eq!((refund.kind, refund.amount_minor), (PaymentJobKind::Refund, 3000));
    assert_eq!(refund.merchant_id.as_deref(), Some(shop.merchant.id.as_str()));
    let mut lapsing = shop.order(&[("PAN", 1, 1500, false)], "card", T0 + 2);
    lapsing.fulfillments[0].hold_expires_at_ms = Some(T0 + 60_000);
    let lapsing = store.place_order(&lapsing).await.expect("lapsing order");
    assert_eq!(store.expire_due_holds(T0 + 60_000, 10).await.expect("sweep"), 1);
    let lapsed = refund_job_id(&lapsing.fulfillments[0].id);
    assert!(store.get_payment_job(&lapsed).await.expect("read").is_some(), "a lapsed hold owes its refund");

    // Two workers racing for the same due jobs: every job is taken by exactly one of them.
    let now = T0 + 120_000;
    let (first, second) =
        tokio::join!(shared.claim_payment_jobs(now, LEASE_MS, 100), shared.claim_payment_jobs(now, LEASE_MS, 100));
    let (first, second) = (first.expect("claim"), second.expect("claim"));
    let first_ids: HashSet<&str> = first.iter().map(|job| job.id.as_str()).collect();
    let second_ids: HashSet<&str> = second.iter().map(|job| job.id.as_str()).collect();
    assert!(first_ids.is_disjoint(&second_ids), "no job claimed twice: {first_ids:?} {second_ids:?}");
    assert_eq!(first_ids.len() + second_ids.len(), 4, "two captures and two refunds");
    assert!(store.claim_payment_jobs(now + LEASE_MS - 1, LEASE_MS, 100).await.expect("claim").is_empty(), "leased");
    let claimed: Vec<PaymentJobRow> = first.into_iter().chain(second).collect();
    assert!(claimed.iter().all(|job| job.attempts == 1));

    // Outcomes: the capture succeeds (and announces it), the refund fails for now.
    let capture = claimed.iter().find(|job| job.id == capture.id).expect("the capture was claimed");
    let refund = claimed.iter().find(|job| job.id == refund.id).expect("the refund was claimed");
    let captured = NewEvent {
        event_id: id("evt"),
        created_at_ms: now,
        event: DomainEvent::PaymentCaptured(PaymentCaptured {
            order_id: paid.order.id.clone(),
            fulfillment_id: None,
            merchant_id: None,
            location_id: None,
            amount: Money::new(3000, Currency::Clp),
            method: PaymentMethod::Card,
        }),
    };
    let head = store.outbox_head().await.expect("head");
    store
        .record_payment_attempts(&[
            attempt(capture, PaymentJobState::Succeeded, now, Some(captured)),
            attempt(refund, PaymentJobState::Pending, now, None),
        ])
        .await
        .expect("record");
    let events = events_after(store, head).await;
    assert_eq!(events.iter().map(|event| event.event_type).collect::<Vec<_>>(), [EventType::PaymentCaptured]);
    let done = store.get_payment_job(&capture.id).await.expect("read").expect("job");
    assert_eq!(done.state, PaymentJobState::Succeeded);
    let waiting = store.get_payment_job(&refund.id).await.expect("read").expect("job");
    assert_eq!((waiting.state, waiting.next_attempt_at_ms), (PaymentJobState::Pending, now + 1_000));
    assert_eq!(waiting.last_error.as_deref(), Some("provider unavailable"));

    // The refund is claimed again; the first claim's late outcome changes nothing.
    let again = store.claim_payment_jobs(now + 1_000, LEASE_MS, 100).await.expect("claim");
    assert_eq!(again.iter().map(|job| job.id.as_str()).collect::<Vec<_>>(), [refund.id.as_str()]);
    store
        .record_payment_attempts(&[attempt(refund, PaymentJobState::Succeeded, now + 2_000, None)])
        .await
        .expect("late");
    let still = store.get_payment_job(&refund.id).await.expect("read").expect("job");
    assert_eq!((still.state, still.attempts), (PaymentJobState::Pending, 2), "an overtaken claim's outcome is ignored");
    store
        .record_payment_attempts(&[attempt(&again[0], PaymentJobState::NeedsAttention, now + 2_000, None)])
        .await
        .expect("give up");

    // A person sees it, and queues it again.
    let mine = PaymentJobFilter { merchant_id: Some(shop.merchant.id.clone()), ..Default::default() };
    assert_eq!(store.list_payment_jobs(&mine).await.expect("list").len(), 4, "refunds and captures of its orders");
    let theirs = PaymentJobFilter { merchant_id: Some("mer-other".into()), ..Default::default() };
    assert!(store.list_payment_jobs(&theirs).await.expect("list").is_empty());
    let stuck = PaymentJobFilter { state: Some(PaymentJobState::NeedsAttention), page: Page::default(), ..mine };
    assert_eq!(store.list_payment_jobs(&stuck).await.expect("list").len(), 1);
    assert_eq!(store.count_payment_jobs(PaymentJobState::NeedsAttention, Some(&shop.merchant.id)).await.expect("n"), 1);
    assert_eq!(store.count_payment_jobs(PaymentJobState::NeedsAttention, Some("mer-other")).await.expect("n"), 0);
    let pending = store.retry_payment_job(&lapsed, now).await;
    assert!(matches!(pending, Err(StoreError::NotNeedingAttention)), "{pending:?}");
    assert!(matches!(store.retry_payment_job("pj_none", now).await, Err(StoreError::NotFound)));
    let requeued = store.retry_payment_job(&refund.id, now + 5_000).await.expect("retry");
    assert_eq!(
        (requeued.state, requeued.attempts, requeued.next_attempt_at_ms),
        (PaymentJobState::Pending, 0, now + 5_000)
    );
}
