//! Queuing a payment job inside the transaction that owes the money.
//!
//! A job's id is derived from what it pays for — the order for its capture, the part for its
//! refund — so the same money can never be queued twice: a second insert of the same id is a
//! no-op. The worker that carries jobs out lives above the store (`omnicanal-app`'s payments).

use omnicanal_domain::Currency;
use omnicanal_domain::payment_job::{PaymentJobKind, PaymentJobState, PaymentPayee};

use super::Tx;
use crate::rows::PaymentJobRow;

/// The payment jobs columns, read back and inserted alike.
pub(crate) const PAYMENT_JOB_COLUMNS: &str = "id, kind, payee, state, order_id, fulfillment_id, merchant_id, \
    payment_reference, amount_minor, currency, attempts, next_attempt_at_ms, last_error, created_at_ms, updated_at_ms";

/// The id of an order's capture job.
pub fn capture_job_id(order_id: &str) -> String {
    format!("pj_capture_{order_id}")
}

/// The id of a part's refund job.
pub fn refund_job_id(fulfillment_id: &str) -> String {
    format!("pj_refund_{fulfillment_id}")
}

/// The id of the void job of an authorisation.
pub fn void_job_id(payment_reference: &str) -> String {
    format!("pj_void_{payment_reference}")
}

/// What a new job is for.
pub(crate) struct Owed<'a> {
    pub(crate) id: String,
    pub(crate) kind: PaymentJobKind,
    pub(crate) order_id: &'a str,
    pub(crate) fulfillment_id: Option<&'a str>,
    pub(crate) merchant_id: Option<&'a str>,
    pub(crate) payment_reference: &'a str,
    pub(crate) amount_minor: i64,
    pub(crate) currency: Currency,
    pub(crate) now_ms: i64,
}

impl Owed<'_> {
    /// The job row, pending and due at once.
    pub(crate) fn job(&self) -> PaymentJobRow {
        PaymentJobRow {
            id: self.id.clone(),
            kind: self.kind,
            payee: PaymentPayee::Provider,
            state: PaymentJobState::Pending,
            order_id: self.order_id.to_owned(),
            fulfillment_id: self.fulfillment_id.map(str::to_owned),
            merchant_id: self.merchant_id.map(str::to_owned),
            payment_reference: self.payment_reference.to_owned(),
            amount_minor: self.amount_minor,
            currency: self.currency,
            attempts: 0,
            next_attempt_at_ms: self.now_ms,
            last_error: None,
            created_at_ms: self.now_ms,
            updated_at_ms: self.now_ms,
        }
    }
}

/// Inserts a job (ignoring one with the same id: that money is already queued).
pub(crate) async fn enqueue<'c, E>(executor: E, job: &PaymentJobRow) -> Result<(), sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let sql = format!(
        "INSERT INTO payment_jobs ({PAYMENT_JOB_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (id) DO NOTHING"
    );
    bind_job(sqlx::query(sqlx::AssertSqlSafe(sql)), job).execute(executor).await?;
    Ok(())
}

/// Binds one job's row, in [`PAYMENT_JOB_COLUMNS`] order.
pub(crate) fn bind_job<'q>(query: super::placement::Bound<'q>, job: &'q PaymentJobRow) -> super::placement::Bound<'q> {
    query
        .bind(&job.id)
        .bind(job.kind.as_str())
        .bind(job.payee.as_str())
        .bind(job.state.as_str())
        .bind(&job.order_id)
        .bind(&job.fulfillment_id)
        .bind(&job.merchant_id)
        .bind(&job.payment_reference)
        .bind(job.amount_minor)
        .bind(job.currency.code())
        .bind(job.attempts)
        .bind(job.next_attempt_at_ms)
        .bind(&job.last_error)
        .bind(job.created_at_ms)
        .bind(job.updated_at_ms)
}

/// Queues `owed` inside the caller's transaction.
pub(crate) async fn enqueue_in(transaction: &mut Tx, owed: Owed<'_>) -> Result<(), sqlx::Error> {
    enqueue(&mut **transaction, &owed.job()).await
}

/// Queues `owed` for the till's card terminal rather than the order provider.
pub(crate) async fn enqueue_for_terminal(transaction: &mut Tx, owed: Owed<'_>) -> Result<(), sqlx::Error> {
    let job = PaymentJobRow { payee: PaymentPayee::Terminal, ..owed.job() };
    enqueue(&mut **transaction, &job).await
}
