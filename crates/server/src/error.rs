//! The one API error type, mapped to RFC 9457 `application/problem+json` here and nowhere else.
//!
//! Every variant has a stable snake_case code (the last segment of `type`).
//! 5xx causes are logged with their whole chain and never sent to the client.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use omnicanal_app::AppError;
use omnicanal_domain::DomainError;
use omnicanal_domain::bookings::refusal::BookingRefusal;
use omnicanal_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid input field, as a problem document lists it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The JSON path of the field (`lines[3].quantity`).
    pub field: String,
    /// What is wrong with it, in English for developers; it may be reworded at any time.
    pub message: String,
    /// A stable snake_case code for the rule that refused the field, where one field can be
    /// refused for several reasons a program must tell apart (today: booking refusals, e.g.
    /// `in_the_past`, `too_little_notice`, `slot_taken`). Match on this, never on `message`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "too_little_notice")]
    pub code: Option<String>,
}

impl FieldError {
    /// A field refused without a code of its own (the problem's `code` says enough).
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into(), code: None }
    }
}

impl From<&omnicanal_app::FieldError> for FieldError {
    fn from(error: &omnicanal_app::FieldError) -> Self {
        Self::new(error.field.clone(), error.message.clone())
    }
}

/// Everything a request can fail with: what only HTTP knows (a body that is not JSON, a
/// missing CSRF token, a reused idempotency key), and every refusal of the use cases.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON.
    #[error("{0}")]
    MalformedJson(String),
    /// The body is larger than the limit.
    #[error("the request body exceeds 1 MiB")]
    PayloadTooLarge,
    /// The body is not declared with the media type the route reads (named here).
    #[error("send the body as {0}")]
    UnsupportedMediaType(&'static str),
    /// A cookie-authenticated change without the matching `X-CSRF-Token` header.
    #[error("the request lacks the X-CSRF-Token that matches its oc_csrf cookie; reload the page")]
    CsrfRejected,
    /// The route exists but not with this method.
    #[error("this route does not accept that method")]
    MethodNotAllowed,
    /// A refusal the framework made around a handler (a path that is not UTF-8, a form that does
    /// not parse...), rewritten by [`crate::rejections`] with its status and text kept.
    #[error("{detail}")]
    Rejected {
        /// The framework's status.
        status: StatusCode,
        /// The framework's text, or a generic one for a 5xx.
        detail: String,
    },
    /// The same Idempotency-Key came with another body.
    #[error("this Idempotency-Key was used with a different request")]
    IdempotencyMismatch,
    /// The first request with this key is still running.
    #[error("a request with this Idempotency-Key is still being processed")]
    IdempotencyInProgress,
    /// A use case refused or failed.
    #[error(transparent)]
    App(#[from] AppError),
}

impl ApiError {
    /// A single-field validation error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::App(AppError::invalid(field, message))
    }

    /// A framework refusal with `status`: the ones we have a variant for become it (its text names
    /// our limit), the others keep the framework's text, except a 5xx's, which is never sent.
    pub fn from_rejection(status: StatusCode, detail: String) -> Self {
        match status {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            _ if status.is_server_error() => {
                tracing::error!(%status, %detail, "a framework error reached the client");
                ApiError::Rejected { status, detail: "the server could not answer this request".to_owned() }
            }
            _ if detail.is_empty() => {
                ApiError::Rejected { status, detail: status.canonical_reason().unwrap_or("refused").to_owned() }
            }
            _ => ApiError::Rejected { status, detail },
        }
    }

    /// The HTTP status and stable code of each error: the one mapping table.
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::UnsupportedMediaType(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::CsrfRejected => (StatusCode::FORBIDDEN, "csrf_failed"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::Rejected { status, .. } => (*status, rejection_code(*status)),
            ApiError::IdempotencyMismatch => (StatusCode::CONFLICT, "idempotency_key_reused"),
            ApiError::IdempotencyInProgress => (StatusCode::CONFLICT, "idempotency_key_in_progress"),
            ApiError::App(error) => match error {
                AppError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
                AppError::UnknownSku { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "unknown_sku"),
                AppError::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
                AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
                AppError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
                AppError::AlreadyExists { .. } => (StatusCode::CONFLICT, "conflict"),
                AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
                AppError::IllegalTransition { .. } => (StatusCode::CONFLICT, "conflict"),
                AppError::InsufficientStock { .. } => (StatusCode::CONFLICT, "insufficient_stock"),
                AppError::SoldOut { .. } => (StatusCode::CONFLICT, "sold_out"),
                AppError::SlotFull { .. } => (StatusCode::CONFLICT, "slot_full"),
                AppError::CouponUnavailable { .. } => (StatusCode::CONFLICT, "coupon_unavailable"),
                AppError::QuoteExpired { .. } => (StatusCode::CONFLICT, "quote_expired"),
                AppError::PaymentDeclined => (StatusCode::PAYMENT_REQUIRED, "payment_declined"),
                AppError::CardDeclined { .. } => (StatusCode::PAYMENT_REQUIRED, "payment_declined"),
                AppError::Throttled { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
                AppError::PinWrong { .. } => (StatusCode::FORBIDDEN, "pin_wrong"),
                AppError::PinLocked { .. } => (StatusCode::LOCKED, "pin_locked"),
                AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "service_unavailable"),
                AppError::PrinterUnreachable { .. } => (StatusCode::BAD_GATEWAY, "printer_unreachable"),
                AppError::SkuTaken { .. } => (StatusCode::CONFLICT, "sku_taken"),
                AppError::VariantHasHistory { .. } => (StatusCode::CONFLICT, "variant_has_history"),
                AppError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
                AppError::UnsupportedMedia { .. } => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
                AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
                AppError::ReturnPolicyRefused(_) => (StatusCode::UNPROCESSABLE_ENTITY, "return_policy_refused"),
                AppError::InsufficientCredit { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "insufficient_credit"),
                AppError::CreditExpired { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "credit_expired"),
                AppError::GuessThrottled { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
                AppError::SignInLinkRefused(_) => (StatusCode::GONE, "sign_in_link_unusable"),
                AppError::ShortAtLocation { .. } => (StatusCode::CONFLICT, "insufficient_stock"),
                AppError::BookingRefused { refusal, .. } => booking_refusal_status_and_code(*refusal),
            },
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
            decline_code: None,
            next_step: None,
            printer_failure: None,
            attempts_left: None,
            locked_until: None,
            location_id: None,
        };
        let ApiError::App(error) = self else {
            return problem;
        };
        match error {
            AppError::Invalid(errors) => problem.errors = Some(errors.iter().map(FieldError::from).collect()),
            AppError::ReturnPolicyRefused(errors) => {
                problem.errors = Some(errors.iter().map(FieldError::from).collect())
            }
            AppError::AlreadyExists { field, message } => {
                problem.errors = Some(vec![FieldError::new(*field, message.clone())]);
            }
            AppError::InsufficientStock { sku } | AppError::SoldOut { sku } => problem.sku = Some(sku.clone()),
            AppError::CardDeclined { decline_code, next_step } => {
                problem.decline_code = Some(decline_code.as_str().to_owned());
                problem.next_step = Some(next_step.as_str().to_owned());
            }
            AppError::PrinterUnreachable { kind, .. } => problem.printer_failure = Some((*kind).to_owned()),
            AppError::PinWrong { attempts_left } => problem.attempts_left = Some(*attempts_left),
            AppError::PinLocked { until_ms } => problem.locked_until = Some(omnicanal_app::ids::rfc3339(*until_ms)),
            AppError::TooLarge { field, message } | AppError::UnsupportedMedia { field, message } => {
                problem.errors = Some(vec![FieldError::new(*field, message.clone())]);
            }
            AppError::UnknownSku { sku, field } => {
                problem.sku = Some(sku.clone());
                problem.errors = Some(vec![FieldError::new(field.clone(), format!("unknown sku {sku}"))]);
            }
            AppError::SkuTaken { field, sku } => {
                problem.sku = Some(sku.clone());
                problem.errors = Some(vec![FieldError::new(field.clone(), error.to_string())]);
            }
            AppError::VariantHasHistory { sku } => {
                problem.sku = Some(sku.clone());
                problem.errors = Some(vec![FieldError::new("variants", error.to_string())]);
            }
            AppError::BookingRefused { field, refusal, message } => {
                problem.errors = Some(vec![FieldError {
                    field: field.clone(),
                    message: message.clone(),
                    code: Some(refusal.code().to_owned()),
                }]);
            }
            AppError::ShortAtLocation { sku, location_id, .. } => {
                problem.sku = Some(sku.clone());
                problem.location_id = Some(location_id.clone());
            }
            _ => {}
        }
        problem
    }
}

/// The status and problem code of each booking refusal (its own code goes in `errors[].code`):
/// a request that can never succeed as written is a 422 at its field, one that lost to the
/// current state (the slot was taken, the hold lapsed, the status moved on) a 409.
fn booking_refusal_status_and_code(refusal: BookingRefusal) -> (StatusCode, &'static str) {
    let invalid = (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let conflict = (StatusCode::CONFLICT, "conflict");
    match refusal {
        BookingRefusal::OffGrid
        | BookingRefusal::InThePast
        | BookingRefusal::TooLittleNotice
        | BookingRefusal::TooFarAhead
        | BookingRefusal::LocalTimeSkipped
        | BookingRefusal::WrongOffset
        | BookingRefusal::LocationClosed
        | BookingRefusal::ChangeDeadlinePassed
        | BookingRefusal::AlreadyStarted
        | BookingRefusal::PartyTooLarge
        | BookingRefusal::NotAPerformer
        | BookingRefusal::NoShowTooEarly
        | BookingRefusal::StatusForbids
        | BookingRefusal::DepositRequired => invalid,
        BookingRefusal::StatusConflict
        | BookingRefusal::SlotTaken
        | BookingRefusal::HoldExpired
        | BookingRefusal::NothingFree => conflict,
    }
}

/// The stable code of a framework refusal, by its status.
fn rejection_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation_failed",
        _ if status.is_server_error() => "internal_error",
        _ => "request_refused",
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
    /// The issuer's decline code, for a card a till's terminal declined (`05`, `51`, `54`, `91`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decline_code: Option<String>,
    /// What the cashier should do next after a decline: `ask_another_method`,
    /// `split_or_another_method`, `ask_another_card` or `retry_or_external_terminal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
    /// What happened to a till's receipt printer, for `printer_unreachable`: `refused`,
    /// `timeout`, `write_failed`, `paper_out` or `error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub printer_failure: Option<String>,
    /// Wrong PINs still allowed on this till before its approvals lock, for `pin_wrong`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    /// Until when a till's approvals are locked (RFC 3339), for `pin_locked`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
    /// The location that cannot promise the SKU, for an endless-aisle `insufficient_stock`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::App(AppError::Internal(cause)) = &self {
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
        if let ApiError::App(AppError::Throttled { retry_after_secs }) = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        if let ApiError::App(AppError::GuessThrottled { retry_after_secs }) = self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        response
    }
}

// The two conversions below serve handlers not yet moved onto use cases: each goes through
// AppError, so the mapping stays in one place.
impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        ApiError::App(error.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::App(error.into())
    }
}

/// Result type of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
