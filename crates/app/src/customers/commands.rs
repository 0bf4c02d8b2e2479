//! The customer accounts' commands, each parsed once with every bad field reported.

use omnicanal_domain::catalog::Country;
use omnicanal_domain::customers::{CustomerEmail, CustomerPhone, Identifier};

use crate::access::passwords::{MAX_PASSWORD_BYTES, NewPassword};
use crate::error::AppResult;
use crate::validation::Validator;

/// Longest name a customer may give.
pub const MAX_NAME_CHARS: usize = 120;
/// Longest id or token accepted in a claim.
pub const MAX_CLAIM_FIELD_CHARS: usize = 128;

/// Registering: an e-mail and/or a phone, an optional name and password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterCustomer {
    /// The e-mail, normalised.
    pub email: Option<CustomerEmail>,
    /// The phone, in E.164.
    pub phone: Option<CustomerPhone>,
    /// The name.
    pub name: Option<String>,
    /// A password, set once the link sent to confirm the registration is used.
    pub password: Option<NewPassword>,
}

/// Reads `email`, `phone` (with `country` for a national number) into identifiers, recording
/// every problem; at least one is required.
fn identifiers(
    v: &mut Validator,
    email: Option<&str>,
    phone: Option<&str>,
    country: Option<&str>,
) -> (Option<CustomerEmail>, Option<CustomerPhone>) {
    let country = country.map(str::trim).filter(|c| !c.is_empty()).and_then(|c| v.check("country", Country::parse(c)));
    let email = email.map(str::trim).filter(|e| !e.is_empty()).and_then(|e| v.check("email", CustomerEmail::parse(e)));
    let phone =
        phone.map(str::trim).filter(|p| !p.is_empty()).and_then(|raw| match CustomerPhone::parse(raw, country) {
            Ok(phone) => Some(phone),
            Err(omnicanal_domain::DomainError::Invalid { field, message }) => {
                v.push(field, message);
                None
            }
            Err(other) => {
                v.push("phone", other.to_string());
                None
            }
        });
    (email, phone)
}

fn missing_both(email: Option<&str>, phone: Option<&str>) -> bool {
    let blank = |value: Option<&str>| value.is_none_or(|text| text.trim().is_empty());
    blank(email) && blank(phone)
}

impl RegisterCustomer {
    /// Parses a registration.
    pub fn parse(
        email: Option<&str>,
        phone: Option<&str>,
        country: Option<&str>,
        name: Option<&str>,
        password: Option<&str>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        if missing_both(email, phone) {
            v.push("email", "give an e-mail or a phone");
        }
        let (email, phone) = identifiers(&mut v, email, phone, country);
        let name = name.map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
        if name.as_ref().is_some_and(|n| n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control)) {
            v.push("name", format!("must be at most {MAX_NAME_CHARS} printable characters"));
        }
        let password = password.and_then(|raw| match NewPassword::parse(raw) {
            Ok(password) => Some(password),
            Err(problem) => {
                v.push("password", problem.message());
                None
            }
        });
        v.finish()?;
        Ok(Self { email, phone, name, password })
    }

    /// Where the confirming link goes: the e-mail when given, else the phone.
    pub fn link_target(&self) -> Option<Identifier> {
        match (&self.email, &self.phone) {
            (Some(email), _) => Some(Identifier::Email(email.clone())),
            (None, Some(phone)) => Some(Identifier::Phone(phone.clone())),
            (None, None) => None,
        }
    }
}

/// Asking for a sign-in link to an e-mail or a phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRequest {
    /// Where to send it.
    pub to: Identifier,
}

impl LinkRequest {
    /// Parses a request: exactly one place to send to (an e-mail, else a phone).
    pub fn parse(email: Option<&str>, phone: Option<&str>, country: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        if missing_both(email, phone) {
            v.push("email", "give an e-mail or a phone");
        }
        let (email, phone) = identifiers(&mut v, email, phone, country);
        v.finish()?;
        let to = match (email, phone) {
            (Some(email), _) => Identifier::Email(email),
            (None, Some(phone)) => Identifier::Phone(phone),
            (None, None) => return Err(crate::AppError::invalid("email", "give an e-mail or a phone")),
        };
        Ok(Self { to })
    }
}

/// Signing in with a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordSignIn {
    /// The e-mail or phone signed in with.
    pub who: Identifier,
    /// The password as typed (checked, never stored).
    password: String,
}

impl PasswordSignIn {
    /// Parses a sign-in: an e-mail or a phone, and a password.
    pub fn parse(
        email: Option<&str>,
        phone: Option<&str>,
        country: Option<&str>,
        password: Option<&str>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        if missing_both(email, phone) {
            v.push("email", "give an e-mail or a phone");
        }
        let (email, phone) = identifiers(&mut v, email, phone, country);
        let password = match password {
            Some(password) if !password.is_empty() => Some(password.to_owned()),
            _ => {
                v.push("password", "is required");
                None
            }
        };
        v.finish()?;
        let who = match (email, phone) {
            (Some(email), _) => Identifier::Email(email),
            (None, Some(phone)) => Identifier::Phone(phone),
            (None, None) => return Err(crate::AppError::invalid("email", "give an e-mail or a phone")),
        };
        Ok(Self { who, password: password.unwrap_or_default() })
    }

    /// The password, for checking.
    pub(crate) fn password(&self) -> &str {
        &self.password
    }

    /// Whether the password is too long to be anyone's (refused without hashing a megabyte).
    pub(crate) fn too_long(&self) -> bool {
        self.password.len() > MAX_PASSWORD_BYTES
    }
}

/// Claiming a guest order by its tracking token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimOrder {
    /// The order.
    pub order_id: String,
    /// Its tracking token (from the order's link).
    pub token: String,
}

impl ClaimOrder {
    /// Parses a claim: both fields present and of a sane length.
    pub fn parse(order_id: Option<&str>, token: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let mut field = |name: &str, value: Option<&str>| match value.map(str::trim) {
            Some(text) if !text.is_empty() && text.chars().count() <= MAX_CLAIM_FIELD_CHARS => Some(text.to_owned()),
            Some(text) if !text.is_empty() => {
                v.push(name, format!("must be at most {MAX_CLAIM_FIELD_CHARS} characters"));
                None
            }
            _ => {
                v.push(name, "is required");
                None
            }
        };
        let order_id = field("order_id", order_id);
        let token = field("token", token);
        v.done(|| Some(Self { order_id: order_id?, token: token? }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AppError;

    fn fields(error: AppError) -> Vec<String> {
        match error {
            AppError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => vec![format!("{other:?}")],
        }
    }

    #[test]
    fn a_registration_reports_every_bad_field() {
        let refused = RegisterCustomer::parse(Some("nope"), Some("12ab"), Some("XX"), None, Some("short"));
        assert_eq!(
            refused.err().map(fields),
            Some(vec!["country".into(), "email".into(), "phone".into(), "password".into()])
        );
        let refused = RegisterCustomer::parse(None, Some(" "), None, None, None);
        assert_eq!(refused.err().map(fields), Some(vec!["email".into()]));
        let national = RegisterCustomer::parse(None, Some("912345678"), None, None, None);
        assert_eq!(national.err().map(fields), Some(vec!["country".into()]));
        let ok = RegisterCustomer::parse(Some(" Ana@Mail.cl"), Some("9 1234 5678"), Some("CL"), Some("Ana"), None);
        assert_eq!(ok.ok().and_then(|r| r.link_target()).map(|t| t.value().to_owned()), Some("ana@mail.cl".into()));
    }

    #[test]
    fn claims_and_sign_ins_need_their_fields() {
        assert_eq!(ClaimOrder::parse(None, Some("")).err().map(fields), Some(vec!["order_id".into(), "token".into()]));
        assert_eq!(
            PasswordSignIn::parse(None, None, None, None).err().map(fields),
            Some(vec!["email".into(), "password".into()])
        );
    }
}
