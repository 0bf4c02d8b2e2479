//! The claims behind `Idempotency-Key`: the first request with a key claims it, its answer is
//! kept, and a retry with the same key is answered from it.
//!
//! A claim is scoped by the credentials that made it and fingerprinted by the request (method,
//! path, body), so the same key with another request is refused. A claim with no answer and
//! nothing linked to it for over a minute was abandoned (its request died) and is taken over.
//! The HTTP middleware that reads the key and replays answers stays in the server.

use omnicanal_store::IdempotencyRow;

use crate::App;
use crate::error::AppResult;

/// A claim older than this with no answer and nothing written is considered abandoned.
pub const ABANDONED_CLAIM_MS: i64 = 60_000;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// The key is this request's now: run it, then complete or release the claim.
    New,
    /// The same request was answered before: answer the same.
    Replay {
        /// The first answer's HTTP status.
        status: u16,
        /// The first answer's body.
        body: String,
    },
    /// The same request is still being processed.
    InProgress,
    /// The key was used for another request.
    Mismatch,
}

impl App {
    /// Claims the request's key, taking over a claim that was clearly abandoned.
    pub async fn claim_idempotency_key(&self, request: &IdempotentRequest) -> AppResult<Claimed> {
        let claim = IdempotencyRow {
            scope: request.scope.clone(),
            key: request.key.clone(),
            request_hash: request.request_hash.clone(),
            status: 0,
            body: None,
            resource_id: None,
            created_at_ms: self.now_ms(),
        };
        let existing = match self.store.claim_idempotency_key(&claim).await? {
            Some(row)
                if row.status == 0
                    && row.resource_id.is_none()
                    && claim.created_at_ms - row.created_at_ms > ABANDONED_CLAIM_MS =>
            {
                self.store.release_idempotency_key(&claim.scope, &claim.key).await?;
                self.store.claim_idempotency_key(&claim).await?
            }
            other => other,
        };
        Ok(match existing {
            None => Claimed::New,
            Some(existing) => earlier_answer(&claim, existing),
        })
    }

    /// Keeps the answer to a claimed key, for its retries.
    pub async fn complete_idempotency_key(&self, scope: &str, key: &str, status: u16, body: &str) -> AppResult<()> {
        Ok(self.store.complete_idempotency_key(scope, key, i64::from(status), body).await?)
    }

    /// Gives a claimed key up (its request failed on our side), so the client may retry.
    pub async fn release_idempotency_key(&self, scope: &str, key: &str) -> AppResult<()> {
        Ok(self.store.release_idempotency_key(scope, key).await?)
    }
}

/// What an earlier claim of the key means for this request.
fn earlier_answer(claim: &IdempotencyRow, existing: IdempotencyRow) -> Claimed {
    if existing.request_hash != claim.request_hash {
        return Claimed::Mismatch;
    }
    match (existing.body, u16::try_from(existing.status)) {
        (Some(body), Ok(status)) if (100..=999).contains(&status) => Claimed::Replay { status, body },
        _ => Claimed::InProgress,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(request_hash: &str, status: i64, body: Option<&str>) -> IdempotencyRow {
        IdempotencyRow {
            scope: "public".into(),
            key: "k".into(),
            request_hash: request_hash.into(),
            status,
            body: body.map(str::to_owned),
            resource_id: None,
            created_at_ms: 0,
        }
    }

    #[test]
    fn an_earlier_claim_replays_waits_or_refuses() {
        let claim = row("h", 0, None);
        assert_eq!(earlier_answer(&claim, row("other", 201, Some("{}"))), Claimed::Mismatch);
        assert_eq!(earlier_answer(&claim, row("h", 0, None)), Claimed::InProgress);
        assert_eq!(
            earlier_answer(&claim, row("h", 201, Some("{}"))),
            Claimed::Replay { status: 201, body: "{}".into() }
        );
    }
}
