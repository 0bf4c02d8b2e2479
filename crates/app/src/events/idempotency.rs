//! The claims behind `Idempotency-Key`: the first request with a key claims it, its answer is
//! kept, and a retry with the same key is answered from it.
//!
//! A claim is scoped by the credentials that made it and fingerprinted by the request (method,
//! path, body), so the same key with another request is refused. What a retry of the same
//! request finds decides its answer:
//!
//! - **an answer** (the first request finished): that answer again;
//! - **no answer, but an order linked** (the order committed and the process died before storing
//!   the answer, which the order's transaction links for exactly this): the order as the store
//!   has it now, rendered as the create handler renders it — never a 409, so the client learns
//!   the order it paid for and does not pay again with a new key;
//! - **neither, and the claim's process is gone** (its request died before committing): the
//!   claim is taken over at once and the request runs;
//! - **neither, and the claim's process runs**: 409 "still being processed" — unless the claim is
//!   older than [`ABANDONED_CLAIM_MS`], a last resort for a process whose liveness cannot be
//!   told (a host that vanished without closing its connections).
//!
//! Which process holds a claim: every process registers a *boot* in the store (a number never
//! reused) and stamps its claims with it; the store tells whether a boot still runs (see
//! `omnicanal_store::IdempotencyStore::boot_is_running`: on PostgreSQL a lock each running boot
//! holds, on SQLite only this process's boot). Nodes never take a claim of another node that
//! runs, and a restarted node finds its previous run's claims free without waiting.
//!
//! A takeover can still be wrong for a moment (a lock session dropped by the network while its
//! process lives). Each claim carries a token, new with every claim and takeover, and the
//! holder's later writes — the link to its order, its answer, its release — apply only under
//! that token: a request whose claim was taken over cannot place its order, so one key never
//! has two orders. The HTTP middleware that reads the key and renders answers stays in the
//! server.

use omnicanal_store::{HeldClaim, IdempotencyRow, OrderRecord};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;

/// An unanswered, unlinked claim older than this is taken over even if its process seems to run.
pub const ABANDONED_CLAIM_MS: i64 = 60_000;

/// How many times a claim is attempted when others keep changing it between our reads.
const CLAIM_ROUNDS: usize = 3;

/// A request carrying an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    /// Who sent it (a hash of their credentials, or `public`).
    pub scope: String,
    /// The client's key.
    pub key: String,
    /// SHA-256 of the request's method, path and body.
    pub request_hash: String,
}

/// What claiming a key found.
#[derive(Debug)]
pub enum Claimed {
    /// The key is this request's now: run it (linking what it creates to the claim), then
    /// complete or release the claim.
    New(HeldClaim),
    /// The same request was answered before: answer the same.
    Replay {
        /// The first answer's HTTP status.
        status: u16,
        /// The first answer's body.
        body: String,
    },
    /// The same request placed this order but its answer was never stored: answer the order
    /// (as it is now) as the order's creation does.
    Placed(Box<OrderRecord>),
    /// The same request is still being processed.
    InProgress,
    /// The key was used for another request.
    Mismatch,
}

/// What an earlier claim of the key shows, before asking anything more of the store.
#[derive(Debug, PartialEq, Eq)]
enum Earlier {
    /// Another request's key.
    Mismatch,
    /// Answered.
    Answered { status: u16, body: String },
    /// Unanswered, but the request's order committed.
    Placed { order_id: String },
    /// Unanswered and nothing committed: running, or abandoned.
    Unanswered,
}

impl App {
    /// Claims the request's key, or says what an earlier claim of it means (see the module docs).
    pub async fn claim_idempotency_key(&self, request: &IdempotentRequest) -> AppResult<Claimed> {
        let claim = IdempotencyRow {
            scope: request.scope.clone(),
            key: request.key.clone(),
            request_hash: request.request_hash.clone(),
            status: 0,
            body: None,
            resource_id: None,
            created_at_ms: self.now_ms(),
            boot_id: self.store.current_boot().await?,
            claim_token: new_id("clm"),
        };
        for _ in 0..CLAIM_ROUNDS {
            let Some(existing) = self.store.claim_idempotency_key(&claim).await? else {
                return Ok(Claimed::New(claim.held()));
            };
            match earlier_claim(&claim, &existing) {
                Earlier::Mismatch => return Ok(Claimed::Mismatch),
                Earlier::Answered { status, body } => return Ok(Claimed::Replay { status, body }),
                Earlier::Placed { order_id } => return self.placed_by_claim(&order_id).await,
                Earlier::Unanswered if !self.claim_abandoned(&existing, claim.created_at_ms).await? => {
                    return Ok(Claimed::InProgress);
                }
                Earlier::Unanswered => {
                    if self.store.take_over_idempotency_key(&existing, &claim).await? {
                        tracing::info!(key = %claim.key, boot = existing.boot_id, "took over an abandoned idempotency claim");
                        return Ok(Claimed::New(claim.held()));
                    }
                    // It was answered, linked or taken over meanwhile: look again.
                }
            }
        }
        Ok(Claimed::InProgress)
    }

    /// Keeps the answer to a claimed key, for its retries (if the claim is still `claim`'s).
    pub async fn complete_idempotency_key(&self, claim: &HeldClaim, status: u16, body: &str) -> AppResult<()> {
        Ok(self.store.complete_idempotency_key(claim, i64::from(status), body).await?)
    }

    /// Gives a claimed key up (its request failed on our side), so the client may retry.
    pub async fn release_idempotency_key(&self, claim: &HeldClaim) -> AppResult<()> {
        Ok(self.store.release_idempotency_key(claim).await?)
    }

    /// Whether an unanswered, unlinked claim was left by a request that will never finish.
    async fn claim_abandoned(&self, existing: &IdempotencyRow, now_ms: i64) -> AppResult<bool> {
        if now_ms - existing.created_at_ms > ABANDONED_CLAIM_MS {
            return Ok(true);
        }
        Ok(!self.store.boot_is_running(existing.boot_id).await?)
    }

    /// The order a claim's request placed, rebuilt from the store.
    async fn placed_by_claim(&self, order_id: &str) -> AppResult<Claimed> {
        match self.store.get_order(order_id).await? {
            Some(order) => Ok(Claimed::Placed(Box::new(order))),
            None => {
                Err(AppError::internal(format!("an idempotency claim links order {order_id}, which is not stored")))
            }
        }
    }
}

/// What an earlier claim of the key means for this request, as far as the row tells.
fn earlier_claim(claim: &IdempotencyRow, existing: &IdempotencyRow) -> Earlier {
    if existing.request_hash != claim.request_hash {
        return Earlier::Mismatch;
    }
    match (&existing.body, u16::try_from(existing.status), &existing.resource_id) {
        (Some(body), Ok(status), _) if (100..=999).contains(&status) => {
            Earlier::Answered { status, body: body.clone() }
        }
        (_, _, Some(order_id)) => Earlier::Placed { order_id: order_id.clone() },
        _ => Earlier::Unanswered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(request_hash: &str, status: i64, body: Option<&str>, resource_id: Option<&str>) -> IdempotencyRow {
        IdempotencyRow {
            scope: "public".into(),
            key: "k".into(),
            request_hash: request_hash.into(),
            status,
            body: body.map(str::to_owned),
            resource_id: resource_id.map(str::to_owned),
            created_at_ms: 0,
            boot_id: 1,
            claim_token: "clm_1".into(),
        }
    }

    #[test]
    fn an_earlier_claim_replays_rebuilds_waits_or_refuses() {
        let claim = row("h", 0, None, None);
        assert_eq!(earlier_claim(&claim, &row("other", 201, Some("{}"), None)), Earlier::Mismatch);
        assert_eq!(earlier_claim(&claim, &row("other", 0, None, Some("ord_1"))), Earlier::Mismatch);
        assert_eq!(earlier_claim(&claim, &row("h", 0, None, None)), Earlier::Unanswered);
        assert_eq!(
            earlier_claim(&claim, &row("h", 201, Some("{}"), Some("ord_1"))),
            Earlier::Answered { status: 201, body: "{}".into() }
        );
        assert_eq!(
            earlier_claim(&claim, &row("h", 0, None, Some("ord_1"))),
            Earlier::Placed { order_id: "ord_1".into() }
        );
    }
}
