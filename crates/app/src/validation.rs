//! Collecting field errors, so a command reports every invalid field at once.

use omnicanal_domain::DomainError;

use crate::error::{AppError, AppResult, FieldError};

/// Accumulates validation errors while a request is parsed into a command (or a use case
/// checks what the command names).
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// A validator with no errors yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps the value of `result`, or records its error under `field` (overriding the domain's field name).
    pub fn check<T>(&mut self, field: &str, result: Result<T, DomainError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(DomainError::Invalid { message, .. }) => {
                self.push(field, message);
                None
            }
            Err(other) => {
                self.push(field, other.to_string());
                None
            }
        }
    }

    /// Records an error.
    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), message: message.into() });
    }

    /// How many errors were recorded.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Ok when nothing was recorded, else the error with every field.
    pub fn finish(self) -> AppResult<()> {
        if self.errors.is_empty() { Ok(()) } else { Err(AppError::Invalid(self.errors)) }
    }

    /// `value` when nothing was recorded, else the error with every field. The parse of a
    /// command ends with this: `v.done(|| Command { … vetted fields … })`.
    pub fn done<T>(self, value: impl FnOnce() -> Option<T>) -> AppResult<T> {
        self.finish()?;
        value().ok_or_else(|| AppError::internal("a validated value is missing"))
    }
}

/// Whether `email` (trimmed) looks like an e-mail address: something, one `@`, a domain with a
/// dot, no spaces, at most 254 bytes. Whether it receives mail is the mail server's question.
pub fn plausible_email(email: &str) -> bool {
    let email = email.trim();
    email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.contains(char::is_whitespace)
}

/// Requires a value the validator already vetted; a missing one is an internal inconsistency.
pub fn vetted<T>(value: Option<T>) -> AppResult<T> {
    value.ok_or_else(|| AppError::internal("validated value missing"))
}
