//! Carrying out payment jobs: each capture, refund or void the books owe a provider.
//!
//! The transaction that owes the money wrote the job (placement, a transition, a lapsed hold);
//! here a worker's step claims the jobs that are due, calls the provider once per job with the
//! job's id as the provider's idempotency key, and records what came of it.
//! A claim leases the job for [`LEASE_MS`], so two nodes never attempt it at once and a node
//! that dies mid-attempt leaves it to be taken again. What follows a failure — another attempt
//! after a growing delay, or `needs_attention` for a person — is the domain's decision
//! ([`omnicanal_domain::payment_job::next_step`]).
//!
//! Limits: at most [`BATCH`] jobs per step, [`CONCURRENT_CALLS`] calls at a time, and a call
//! that has not answered within [`CALL_TIMEOUT`] counts as a temporary failure — so a whole
//! step ends inside the lease, and a slow provider never lets a second node attempt a job
//! meanwhile.

use std::time::Duration;

use futures::StreamExt;

use omnicanal_domain::Money;
use omnicanal_domain::access::Role;
use omnicanal_domain::events::{DomainEvent, PaymentCaptured, PaymentNeedsAttention};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::payment_job::{NextStep, PaymentJobKind, PaymentJobState, PaymentPayee, next_step};
use omnicanal_store::{NewEvent, Page, PaymentAttempt, PaymentJobFilter, PaymentJobRow};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::payments::PaymentError;

/// How long a claimed job is left to the node that claimed it: longer than a whole batch can
/// take ([`BATCH`] / [`CONCURRENT_CALLS`] rounds of at most [`CALL_TIMEOUT`] each).
pub const LEASE_MS: i64 = 5 * 60_000;
/// Jobs claimed per step: under load one claim and one record cover many orders.
pub const BATCH: i64 = 128;
/// Provider calls made at the same time.
pub const CONCURRENT_CALLS: usize = 16;
/// Longest wait for one provider call.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// Which payment jobs a person lists.
#[derive(Debug, Clone, Default)]
pub struct PaymentJobQuery {
    /// Only in this state.
    pub state: Option<PaymentJobState>,
    /// Only one merchant's (required for a merchant's own users; theirs is used).
    pub merchant_id: Option<String>,
    /// Only one order's.
    pub order_id: Option<String>,
    /// Paging.
    pub page: Page,
}

impl App {
    /// Attempts every payment job due now, each once; returns how many were attempted.
    ///
    /// The claimed jobs are attempted [`CONCURRENT_CALLS`] at a time, so the whole batch ends
    /// inside the lease, and their outcomes are recorded together, at one instant, so outcomes
    /// alike are written by one statement.
    pub async fn run_payment_jobs(&self) -> AppResult<usize> {
        let jobs = self.store.claim_payment_jobs(self.now_ms(), LEASE_MS, BATCH).await?;
        if jobs.is_empty() {
            return Ok(0);
        }
        // Boxed, so the stream's futures are `Send` for every caller (the worker spawns this).
        let calls: Vec<futures::future::BoxFuture<'_, Result<(), PaymentError>>> =
            jobs.iter().map(|job| Box::pin(self.call_provider(job)) as _).collect();
        let outcomes: Vec<Result<(), PaymentError>> =
            futures::stream::iter(calls).buffered(CONCURRENT_CALLS).collect().await;
        let now = self.now_ms();
        let attempts: Vec<PaymentAttempt> =
            jobs.iter().zip(outcomes).map(|(job, outcome)| self.attempt_outcome(job, outcome, now)).collect();
        self.store.record_payment_attempts(&attempts).await?;
        if attempts.iter().any(|attempt| attempt.event.is_some()) {
            self.signals.outbox.notify_one();
            self.signals.webhooks.notify_one();
        }
        Ok(jobs.len())
    }

    /// Queues the void of an authorisation that will never be captured (its order was refused
    /// after the card was authorised). Failing to queue it is logged: an unvoided hold lapses
    /// at the issuer by itself, and the refusal the customer is waiting for matters more.
    pub async fn queue_void(&self, order_id: &str, payment_reference: &str, amount: Money) {
        let now = self.now_ms();
        let job = PaymentJobRow {
            id: omnicanal_store::void_job_id(payment_reference),
            kind: PaymentJobKind::Void,
            payee: PaymentPayee::Provider,
            state: PaymentJobState::Pending,
            order_id: order_id.to_owned(),
            fulfillment_id: None,
            merchant_id: None,
            payment_reference: payment_reference.to_owned(),
            amount_minor: amount.amount_minor,
            currency: amount.currency,
            attempts: 0,
            next_attempt_at_ms: now,
            last_error: None,
            created_at_ms: now,
            updated_at_ms: now,
        };
        match self.store.insert_payment_job(&job).await {
            Ok(()) => self.signals.payment_jobs.notify_one(),
            Err(error) => tracing::warn!(%error, order_id, "could not queue the void of an authorisation"),
        }
    }

    /// Payment jobs a person may see, newest first: every merchant's for the platform, their
    /// own merchant's otherwise (another merchant's filter is `NotFound`).
    pub async fn list_payment_jobs(&self, caller: &Caller, query: PaymentJobQuery) -> AppResult<Vec<PaymentJobRow>> {
        caller.require(&[Role::Admin, Role::SupportAgent, Role::MerchantManager])?;
        let merchant_id = self.payment_jobs_scope(caller, query.merchant_id)?;
        let filter = PaymentJobFilter { state: query.state, merchant_id, order_id: query.order_id, page: query.page };
        Ok(self.store.list_payment_jobs(&filter).await?)
    }

    /// How many jobs wait for a person, for the caller's merchant (or everyone's).
    pub async fn count_payment_jobs_needing_attention(&self, caller: &Caller) -> AppResult<i64> {
        let merchant_id = self.payment_jobs_scope(caller, None)?;
        Ok(self.store.count_payment_jobs(PaymentJobState::NeedsAttention, merchant_id.as_deref()).await?)
    }

    /// Queues a job that needs attention for a fresh series of attempts (admins and the job's
    /// merchant's managers); a job in another state is a conflict.
    pub async fn retry_payment_job(&self, caller: &Caller, job_id: &str) -> AppResult<PaymentJobRow> {
        caller.require(&[Role::Admin, Role::MerchantManager])?;
        let job = self.store.get_payment_job(job_id).await?.ok_or(AppError::NotFound("payment job"))?;
        if !caller.is_platform() {
            let merchant_id = caller.merchant_id.clone().unwrap_or_default();
            let visible = PaymentJobFilter {
                merchant_id: Some(merchant_id),
                order_id: Some(job.order_id.clone()),
                ..PaymentJobFilter::default()
            };
            if !self.store.list_payment_jobs(&visible).await?.iter().any(|row| row.id == job.id) {
                return Err(AppError::NotFound("payment job"));
            }
        }
        let job = self.store.retry_payment_job(job_id, self.now_ms()).await?;
        self.signals.payment_jobs.notify_one();
        Ok(job)
    }

    /// The merchant whose jobs the caller may list: a platform user any (or all), anyone else
    /// only their own.
    fn payment_jobs_scope(&self, caller: &Caller, asked: Option<String>) -> AppResult<Option<String>> {
        if caller.is_platform() {
            return Ok(asked);
        }
        let own = caller.merchant_id.clone().ok_or(AppError::Forbidden)?;
        match asked {
            Some(asked) if asked != own => Err(AppError::NotFound("merchant")),
            _ => Ok(Some(own)),
        }
    }

    async fn call_provider(&self, job: &PaymentJobRow) -> Result<(), PaymentError> {
        let amount = Money::new(job.amount_minor, job.currency);
        let reference = job.payment_reference.as_str();
        let call = async {
            if job.payee == PaymentPayee::Terminal {
                return match job.kind {
                    PaymentJobKind::Refund => {
                        self.terminal.refund(reference, amount, &job.id).await.map_err(terminal_failure)
                    }
                    PaymentJobKind::Capture | PaymentJobKind::Void => {
                        Err(PaymentError::Refused(format!("a till's terminal takes no {} job", job.kind)))
                    }
                };
            }
            match job.kind {
                PaymentJobKind::Capture => self.payments.capture(reference, amount, &job.id).await,
                PaymentJobKind::Refund => self.payments.refund(reference, amount, &job.id).await,
                PaymentJobKind::Void => self.payments.void(reference, &job.id).await,
            }
        };
        match tokio::time::timeout(CALL_TIMEOUT, call).await {
            Ok(result) => result,
            Err(_) => Err(PaymentError::Unavailable(format!("no answer within {} s", CALL_TIMEOUT.as_secs()))),
        }
    }

    /// What one attempt came to, with the event it announces.
    fn attempt_outcome(&self, job: &PaymentJobRow, outcome: Result<(), PaymentError>, now: i64) -> PaymentAttempt {
        let step = next_step(job.attempts, outcome.as_ref().map(|_| ()).map_err(PaymentError::failure_kind), now);
        let error = outcome.err().map(|error| error.to_string());
        if let Some(error) = &error {
            tracing::warn!(job_id = %job.id, kind = %job.kind, attempts = job.attempts, %error, "payment job attempt failed");
        }
        let amount = Money::new(job.amount_minor, job.currency);
        let (state, next_attempt_at_ms, event) = match step {
            NextStep::Succeeded => {
                // A booking's deposit is no order's payment: its status follows the job in the
                // store (`booking_deposits`), and `payment.captured` stays about orders.
                let for_order = !job.id.starts_with(crate::bookings::deposits::DEPOSIT_JOB_PREFIX);
                let event = (job.kind == PaymentJobKind::Capture && for_order).then(|| {
                    DomainEvent::PaymentCaptured(PaymentCaptured {
                        order_id: job.order_id.clone(),
                        fulfillment_id: None,
                        merchant_id: None,
                        location_id: None,
                        amount,
                        method: PaymentMethod::Card,
                    })
                });
                (PaymentJobState::Succeeded, now, event)
            }
            NextStep::RetryAt(at) => (PaymentJobState::Pending, at, None),
            NextStep::NeedsAttention => {
                tracing::error!(job_id = %job.id, kind = %job.kind, "payment job needs attention");
                let event = DomainEvent::PaymentNeedsAttention(PaymentNeedsAttention {
                    job_id: job.id.clone(),
                    kind: job.kind,
                    order_id: job.order_id.clone(),
                    fulfillment_id: job.fulfillment_id.clone(),
                    merchant_id: job.merchant_id.clone(),
                    amount,
                    error: error.clone().unwrap_or_default(),
                });
                (PaymentJobState::NeedsAttention, now, Some(event))
            }
        };
        PaymentAttempt {
            job_id: job.id.clone(),
            attempts: job.attempts,
            state,
            next_attempt_at_ms,
            error,
            now_ms: now,
            // Deterministic: a recorded outcome is announced once even if recorded twice.
            event: event.map(|event| NewEvent {
                event_id: format!("evt_{}_{}", job.id, job.attempts),
                created_at_ms: now,
                event,
            }),
        }
    }
}

/// A terminal's answer as a payment job's failure: its network failing is worth another
/// attempt, a refusal is not.
fn terminal_failure(error: crate::pos::terminal::TerminalError) -> PaymentError {
    use crate::pos::terminal::TerminalError;
    match error {
        TerminalError::Unavailable(message) => PaymentError::Unavailable(message),
        TerminalError::Declined(code) => PaymentError::Refused(format!("the terminal declined the refund ({code})")),
        TerminalError::InvalidCard(message) => PaymentError::Refused(message),
    }
}
