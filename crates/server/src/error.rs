//! The one API error type, mapped to RFC 9457 `application/problem+json` here and nowhere else.
//!
//! Every variant has a stable snake_case code (the last segment of `type`).
//! 5xx causes are logged with their whole chain and never sent to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use omnicanal_domain::DomainError;
use omnicanal_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid input field.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The JSON path of the field (`lines[3].quantity`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON.
    #[error("{0}")]
    MalformedJson(String),
    /// The body or query does not validate.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    /// The body is larger than the limit.
    #[error("the request body exceeds 1 MiB")]
    PayloadTooLarge,
    /// The body is not declared as JSON.
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    /// No or bad credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Authenticated, but the role may not do this.
    #[error("your role may not do this")]
    Forbidden,
    /// A cookie-authenticated change without the matching `X-CSRF-Token` header.
    #[error("the request lacks the X-CSRF-Token that matches its oc_csrf cookie; reload the page")]
    CsrfRejected,
    /// The route exists but not with this method.
    #[error("this route does not accept that method")]
    MethodNotAllowed,
    /// Nothing with that id (or not visible to the caller).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// Not enough stock for a SKU.
    #[error("not enough stock for {sku}")]
    InsufficientStock {
        /// The short SKU.
        sku: String,
    },
    /// A line names a SKU its location has switched to sold out.
    #[error("{sku} is sold out at this location")]
    SoldOut {
        /// The sold-out SKU.
        sku: String,
    },
    /// A line names a SKU the location does not sell.
    #[error("unknown sku {sku}")]
    UnknownSku {
        /// The unknown SKU.
        sku: String,
        /// Where it was named.
        field: String,
    },
    /// A coupon the customer entered cannot be used.
    #[error("coupon {code} cannot be used: {reason}")]
    CouponUnavailable {
        /// The code.
        code: String,
        /// Why.
        reason: String,
    },
    /// The quote named by the order has expired.
    #[error("the quote expired at {expired_at}; ask for a new one")]
    QuoteExpired {
        /// When it expired (RFC 3339).
        expired_at: String,
    },
    /// The card was declined.
    #[error("the card was declined")]
    PaymentDeclined,
    /// The same Idempotency-Key came with another body.
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyMismatch,
    /// The first request with this key is still running.
    #[error("a request with this Idempotency-Key is still being processed")]
    IdempotencyInProgress,
    /// Too many failed sign-ins for the e-mail or from the address; answered with `Retry-After`.
    #[error("too many failed sign-ins; try again in {}", in_minutes(*retry_after_secs))]
    TooManyRequests {
        /// Seconds until an attempt is accepted again.
        retry_after_secs: u64,
    },
    /// A fault on our side; the cause is logged, not sent.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    /// A single-field validation error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError { field: field.into(), message: message.into() }])
    }

    /// The HTTP status and stable code of each variant: the one mapping table.
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            ApiError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::CsrfRejected => (StatusCode::FORBIDDEN, "csrf_failed"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::InsufficientStock { .. } => (StatusCode::CONFLICT, "insufficient_stock"),
            ApiError::SoldOut { .. } => (StatusCode::CONFLICT, "sold_out"),
            ApiError::UnknownSku { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "unknown_sku"),
            ApiError::CouponUnavailable { .. } => (StatusCode::CONFLICT, "coupon_unavailable"),
            ApiError::QuoteExpired { .. } => (StatusCode::CONFLICT, "quote_expired"),
            ApiError::PaymentDeclined => (StatusCode::PAYMENT_REQUIRED, "payment_declined"),
            ApiError::IdempotencyMismatch => (StatusCode::CONFLICT, "idempotency_key_reused"),
            ApiError::IdempotencyInProgress => (StatusCode::CONFLICT, "idempotency_key_in_progress"),
            ApiError::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let (status, code) = self.status_and_code();
        let mut problem = Problem {
            problem_type: format!("urn:omnicanal:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            code: code.to_owned(),
            errors: None,
            sku: None,
        };
        match self {
            ApiError::Validation(errors) => problem.errors = Some(errors.clone()),
            ApiError::InsufficientStock { sku } | ApiError::SoldOut { sku } => problem.sku = Some(sku.clone()),
            ApiError::UnknownSku { sku, field } => {
                problem.sku = Some(sku.clone());
                problem.errors = Some(vec![FieldError { field: field.clone(), message: format!("unknown sku {sku}") }]);
            }
            _ => {}
        }
        problem
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// URI naming the kind of problem; its last segment is `code`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the status.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// Stable snake_case code, for programs.
    pub code: String,
    /// Invalid fields, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The SKU concerned, for stock errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(cause) = &self {
            let mut chain = cause.to_string();
            let mut source = cause.source();
            while let Some(next) = source {
                chain.push_str(": ");
                chain.push_str(&next.to_string());
                source = next.source();
            }
            tracing::error!(error = %chain, "request failed");
        }
        let problem = self.problem();
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let ApiError::TooManyRequests { retry_after_secs } = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid { field, message } => ApiError::Validation(vec![FieldError { field, message }]),
            DomainError::CurrencyMismatch { left, right } => {
                ApiError::invalid("currency", format!("expected {left}, got {right}"))
            }
            DomainError::Overflow => ApiError::invalid("amount", "amount out of range"),
            DomainError::InsufficientStock { sku } => ApiError::InsufficientStock { sku },
            DomainError::LedgerViolation(why) => ApiError::Conflict(why.to_owned()),
            DomainError::IllegalTransition { from, to } => {
                ApiError::Conflict(format!("a fulfilment cannot go from {from} to {to}"))
            }
            DomainError::WrongPickupCode => ApiError::invalid("pickup_code", "the pickup code does not match"),
            DomainError::RefundExceedsCaptured => ApiError::Conflict("refund exceeds the captured amount".into()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound("resource"),
            StoreError::Duplicate(key) => ApiError::Conflict(format!("{} is taken", key.field())),
            StoreError::MissingReference(reference) => ApiError::invalid(reference.field(), "no such thing"),
            StoreError::StaleState => ApiError::Conflict("the fulfilment changed meanwhile; reload and retry".into()),
            StoreError::SlotFull { location_name } => {
                ApiError::Conflict(format!("{location_name} has no room left in that pickup slot; choose another"))
            }
            StoreError::LedgerRefused => ApiError::Conflict(StoreError::LedgerRefused.to_string()),
            StoreError::NotInTransit => ApiError::Conflict("the transfer is not in transit".into()),
            StoreError::NotNeedingAttention => ApiError::Conflict(StoreError::NotNeedingAttention.to_string()),
            StoreError::InsufficientStock { sku } => ApiError::InsufficientStock { sku },
            StoreError::SoldOut { sku } => ApiError::SoldOut { sku },
            StoreError::CouponUnavailable { code, refusal } => {
                ApiError::CouponUnavailable { code, reason: refusal.message().into() }
            }
            other => ApiError::Internal(Box::new(other)),
        }
    }
}

/// `secs` as whole minutes, rounded up: "1 minute", "15 minutes".
pub fn in_minutes(secs: u64) -> String {
    match secs.div_ceil(60).max(1) {
        1 => "1 minute".to_owned(),
        minutes => format!("{minutes} minutes"),
    }
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
