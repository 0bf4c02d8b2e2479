//! The one error of the use-case layer: every way an operation can be refused, closed.
//!
//! Store and domain errors become `AppError` here, in one `From` each, so no caller rewrites
//! them; the HTTP edge maps each variant to a status and a stable code in its own single table.
//! A fault (`Internal`) carries its cause for the log and nothing for the client.

use omnicanal_domain::DomainError;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_store::{StoreError, UniqueKey};

/// One invalid input field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The JSON path of the field (`lines[3].quantity`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Everything a use case can refuse or fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The command has invalid fields (every one is listed).
    #[error("the request has invalid fields")]
    Invalid(Vec<FieldError>),
    /// A line names a SKU its location does not sell.
    #[error("unknown sku {sku}")]
    UnknownSku {
        /// The unknown SKU.
        sku: String,
        /// Where it was named.
        field: String,
    },
    /// No credentials, or wrong ones.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Signed in, but the role may not do this.
    #[error("your role may not do this")]
    Forbidden,
    /// Nothing with that id, or nothing the caller may see (never 403 across merchants).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Something with this unique key exists already.
    #[error("{message}")]
    AlreadyExists {
        /// The field that collided.
        field: &'static str,
        /// What collided, in plain words.
        message: String,
    },
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// A fulfilment cannot make this move.
    #[error("a fulfilment cannot go from {from} to {to}")]
    IllegalTransition {
        /// Its status.
        from: FulfillmentStatus,
        /// The one asked for.
        to: FulfillmentStatus,
    },
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
    /// A location has no room left in the pickup slot asked for.
    #[error("{location_name} has no room left in that pickup slot; choose another")]
    SlotFull {
        /// The location whose slot is full.
        location_name: String,
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
    /// The till's card terminal declined the card, with the issuer's code.
    #[error("the card was declined (code {decline_code}): {next_step}")]
    CardDeclined {
        /// The issuer's decline code.
        decline_code: omnicanal_domain::pos::DeclineCode,
        /// What the cashier should do next.
        next_step: omnicanal_domain::pos::NextStep,
    },
    /// Too many failed sign-ins; try again later.
    #[error("too many failed sign-ins; try again in {}", wait_in_words(*retry_after_secs))]
    Throttled {
        /// Seconds until an attempt is accepted again.
        retry_after_secs: u64,
    },
    /// No manager's PIN matched at a till; the till may try this many more times before its
    /// approvals lock.
    #[error("the PIN matches no manager of this till's merchant; {attempts_left} attempts left")]
    PinWrong {
        /// Wrong PINs still allowed before the lock.
        attempts_left: u32,
    },
    /// A till's approvals are locked after five wrong PINs in a row.
    #[error("too many wrong PINs on this till; approvals are locked until {}", crate::ids::rfc3339(*until_ms))]
    PinLocked {
        /// Until when (Unix ms).
        until_ms: i64,
    },
    /// A service we depend on (the card provider) did not answer; nothing was changed.
    #[error("{0}")]
    Unavailable(String),
    /// A till's receipt printer could not be reached or reported a fault; nothing is assumed
    /// printed (`kind`: `refused`, `timeout`, `write_failed`, `paper_out`, `error`).
    #[error("the printer did not print: {message}")]
    PrinterUnreachable {
        /// A stable word for what happened.
        kind: &'static str,
        /// What happened, for a person.
        message: String,
    },
    /// A product edit names a SKU the merchant already has on another product (issue 15 point 2).
    #[error("the SKU {sku} already belongs to another product of this merchant")]
    SkuTaken {
        /// Where it was named (`variants[2].sku`).
        field: String,
        /// The SKU.
        sku: String,
    },
    /// A product edit would remove a variant whose SKU has been stocked, sold or priced: its
    /// history stays, so the variant stays (archive the product instead).
    #[error("the variant {sku} has been stocked, sold or priced and cannot be removed; archive the product instead")]
    VariantHasHistory {
        /// The SKU kept.
        sku: String,
    },
    /// An upload is larger than the operation takes (the limit is in `message`).
    #[error("{message}")]
    TooLarge {
        /// The field that carried it.
        field: &'static str,
        /// What is too large and the limit, in plain words.
        message: String,
    },
    /// An upload's content is not of a type the operation takes (checked from its bytes).
    #[error("{message}")]
    UnsupportedMedia {
        /// The field that carried it.
        field: &'static str,
        /// What was sent and what is taken, in plain words.
        message: String,
    },
    /// The merchant's return policy refuses this return (every broken rule is listed, by its
    /// code in `field`); a manager's override lets it through.
    #[error("the return policy refuses this return; a manager may override it")]
    ReturnPolicyRefused(Vec<FieldError>),
    /// A booking rule refused one field (issue 19): the HTTP edge chooses the status from
    /// `refusal` (a taken slot is a conflict, a start in the past a bad field) and sends its
    /// stable code beside the field, so pages tell refusals apart without reading `message`.
    #[error("{message}")]
    BookingRefused {
        /// The field refused (`start_at`, `party_size`, `status`...).
        field: String,
        /// Which rule refused it.
        refusal: omnicanal_domain::bookings::refusal::BookingRefusal,
        /// Why, in plain English for developers.
        message: String,
    },
    /// A fault on our side; the cause is logged, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A store-credit or gift-card balance does not cover the spend (issue 17 point 8).
    #[error("the credit balance does not cover this amount")]
    InsufficientCredit {
        /// The balance as it stands (minor units).
        balance_minor: i64,
    },
    /// Too many gift card codes that match no card from this address (issue 17 point 8).
    #[error("too many gift card codes that match no card; try again in {}", wait_in_words(*retry_after_secs))]
    GuessThrottled {
        /// Seconds until a code is looked up again.
        retry_after_secs: u64,
    },
    /// A store-credit or gift-card balance has expired (issue 17 point 8).
    #[error("the credit balance expired at {expired_at}")]
    CreditExpired {
        /// When it expired (RFC 3339).
        expired_at: String,
    },
    /// A customer's sign-in link was used already or expired (issue 17 point 3).
    #[error("{0}")]
    SignInLinkRefused(omnicanal_domain::customers::LinkRefusal),
    /// The endless aisle's source location cannot promise a line (issue 17 point 7).
    #[error("{location_name} cannot promise enough of {sku} now")]
    ShortAtLocation {
        /// The short SKU.
        sku: String,
        /// The source location.
        location_id: String,
        /// Its name, for the clerk.
        location_name: String,
    },
}

/// Result of every use case.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A single-field validation error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![FieldError { field: field.into(), message: message.into() }])
    }

    /// A booking refusal of one field, with its stable code.
    pub fn booking_refused(
        field: impl Into<String>,
        refusal: omnicanal_domain::bookings::refusal::BookingRefusal,
        message: impl Into<String>,
    ) -> Self {
        AppError::BookingRefused { field: field.into(), refusal, message: message.into() }
    }

    /// A fault with this explanation (for the log).
    pub fn internal(why: impl Into<String>) -> Self {
        AppError::Internal(why.into().into())
    }
}

/// A wait in words: seconds under a minute ("1 second", "8 seconds"), else whole minutes
/// rounded up ("1 minute", "5 minutes").
pub fn wait_in_words(secs: u64) -> String {
    match secs.max(1) {
        1 => "1 second".to_owned(),
        secs @ 2..60 => format!("{secs} seconds"),
        secs => match secs.div_ceil(60) {
            1 => "1 minute".to_owned(),
            minutes => format!("{minutes} minutes"),
        },
    }
}

/// What a person is told when a unique key is taken.
fn taken_message(key: UniqueKey) -> &'static str {
    match key {
        UniqueKey::UserEmail => "a user with this e-mail already exists",
        UniqueKey::MerchantSku => "one of these SKUs already exists for this merchant",
        UniqueKey::CouponCode => "this coupon code is already in use",
        UniqueKey::ReceiptSeries => "this receipt series belongs to another till",
        UniqueKey::OpenSession => "this till already has an open session; close it first",
        UniqueKey::PosSaleId => "a sale with this id was already recorded",
        UniqueKey::ReceiptNumber => "this receipt number was already given to another sale",
        UniqueKey::ConnectionName => "this merchant already has a shop connection with this name",
    }
}

impl From<DomainError> for AppError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid { field, message } => AppError::Invalid(vec![FieldError { field, message }]),
            DomainError::CurrencyMismatch { left, right } => {
                AppError::invalid("currency", format!("expected {left}, got {right}"))
            }
            DomainError::Overflow => AppError::invalid("amount", "amount out of range"),
            DomainError::InsufficientStock { sku } => AppError::InsufficientStock { sku },
            DomainError::LedgerViolation(why) => AppError::Conflict(why.to_owned()),
            DomainError::IllegalTransition { from, to } => AppError::IllegalTransition { from, to },
            DomainError::WrongPickupCode => AppError::invalid("pickup_code", "the pickup code does not match"),
            DomainError::SessionNotOpen => AppError::Conflict("the cash session is closed".into()),
            DomainError::RefundExceedsCaptured => AppError::Conflict("refund exceeds the captured amount".into()),
            DomainError::BookingRefused { field, refusal, message } => {
                AppError::BookingRefused { field, refusal, message }
            }
        }
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => AppError::NotFound("resource"),
            StoreError::Duplicate(key) => {
                AppError::AlreadyExists { field: key.field(), message: taken_message(key).into() }
            }
            StoreError::MissingReference(reference) => {
                AppError::invalid(reference.field(), format!("no such {}", reference.field().trim_end_matches("_id")))
            }
            StoreError::StaleState => AppError::Conflict("the fulfilment changed meanwhile; reload and retry".into()),
            StoreError::InsufficientStock { sku } => AppError::InsufficientStock { sku },
            StoreError::SoldOut { sku } => AppError::SoldOut { sku },
            StoreError::CouponUnavailable { code, refusal } => {
                AppError::CouponUnavailable { code, reason: refusal.message().into() }
            }
            StoreError::SlotFull { location_name } => AppError::SlotFull { location_name },
            StoreError::ApprovalTaken(id) => {
                AppError::invalid("approval_id", format!("approval {id} was already used by another sale"))
            }
            StoreError::ClaimLost => AppError::Conflict(
                "a retry with the same Idempotency-Key took this request over; its answer is the retry's".into(),
            ),
            StoreError::CatalogChanged => {
                AppError::Unavailable("the catalog changed while the order was placed; send it again".into())
            }
            error @ (StoreError::LedgerRefused
            | StoreError::NotInTransit
            | StoreError::NotNeedingAttention
            | StoreError::SessionClosed) => AppError::Conflict(error.to_string()),
            StoreError::InsufficientCredit { balance_minor } => AppError::InsufficientCredit { balance_minor },
            StoreError::CreditExpired { expired_at_ms } => {
                AppError::CreditExpired { expired_at: crate::ids::rfc3339(expired_at_ms) }
            }
            StoreError::CreditCurrency { currency } => {
                AppError::invalid("currency", format!("the credit balance is held in {currency}"))
            }
            fault @ (StoreError::Corrupt(_)
            | StoreError::Inconsistent(_)
            | StoreError::Database(_)
            | StoreError::Unavailable(_)
            | StoreError::Migration(_)
            | StoreError::UnsupportedUrl(_)) => AppError::Internal(Box::new(fault)),
        }
    }
}
