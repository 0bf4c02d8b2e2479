//! A customer's identifiers: an e-mail (trimmed, lower-cased) and a phone (E.164-ish: `+`, the
//! country's calling code, the national number), each with one fallible constructor.
//!
//! Why normalise: the same person types `Ana@Mail.cl ` on the web and `ana@mail.cl` at the till,
//! and `9 1234 5678` or `+56 9 1234-5678`; one history needs one form of each.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::catalog::Country;

/// Longest e-mail address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;
/// Fewest digits of a phone, calling code included.
pub const MIN_PHONE_DIGITS: usize = 8;
/// Most digits of a phone, calling code included (E.164).
pub const MAX_PHONE_DIGITS: usize = 15;

/// The calling code of a country we sell in (without the `+`).
pub fn calling_code(country: Country) -> &'static str {
    match country {
        Country::Chile => "56",
        Country::Peru => "51",
        Country::Colombia => "57",
    }
}

/// A customer's e-mail: trimmed and lower-cased, plausible (one `@`, a dotted domain, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CustomerEmail(String);

impl CustomerEmail {
    /// Normalises and checks an e-mail as typed.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let email = raw.trim().to_lowercase();
        let plausible = email.len() <= MAX_EMAIL_BYTES
            && !email.contains(char::is_whitespace)
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if plausible { Ok(Self(email)) } else { Err(DomainError::invalid("email", "is not an e-mail address")) }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A customer's phone in E.164 form (`+56912345678`), with the country it was read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerPhone {
    e164: String,
    country: Option<Country>,
}

/// The phone as typed without the separators people put in it (spaces, dashes, dots, brackets).
pub fn strip_separators(raw: &str) -> String {
    raw.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')' | '\u{a0}')).collect()
}

impl CustomerPhone {
    /// Normalises a phone as typed. An international form (`+…` or `00…`) stands alone; a
    /// national one gets `country`'s calling code (no country → invalid: we cannot guess).
    pub fn parse(raw: &str, country: Option<Country>) -> Result<Self, DomainError> {
        let stripped = strip_separators(raw);
        let bad = || DomainError::invalid("phone", "must be a phone number: 8 to 15 digits, optionally with +");
        let international = stripped.strip_prefix('+').or_else(|| stripped.strip_prefix("00"));
        let digits = match international {
            Some(rest) => rest.to_owned(),
            None => {
                if stripped.is_empty() || !stripped.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                let country = country.ok_or_else(|| {
                    DomainError::invalid("country", "is needed for a phone without its + and country code")
                })?;
                // A national number may carry a trunk 0 ("09 1234 5678"); the E.164 form never does.
                format!("{}{}", calling_code(country), stripped.trim_start_matches('0'))
            }
        };
        if !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.len() < MIN_PHONE_DIGITS
            || digits.len() > MAX_PHONE_DIGITS
            || digits.starts_with('0')
        {
            return Err(bad());
        }
        let country = [Country::Chile, Country::Peru, Country::Colombia]
            .into_iter()
            .find(|c| digits.starts_with(calling_code(*c)));
        Ok(Self { e164: format!("+{digits}"), country })
    }

    /// The E.164 form, `+` and digits.
    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// The country whose calling code it starts with, when it is one we sell in.
    pub fn country(&self) -> Option<Country> {
        self.country
    }

    /// The national number (without `+` and calling code), when the country is known.
    pub fn national(&self) -> Option<&str> {
        let country = self.country?;
        self.e164.strip_prefix('+')?.strip_prefix(calling_code(country))
    }
}

/// Which kind of identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
}

impl IdentifierKind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierKind::Email => "email",
            IdentifierKind::Phone => "phone",
        }
    }

    /// Reads a stored word.
    pub fn parse(word: &str) -> Result<Self, DomainError> {
        match word {
            "email" => Ok(IdentifierKind::Email),
            "phone" => Ok(IdentifierKind::Phone),
            _ => Err(DomainError::invalid("kind", "must be email or phone")),
        }
    }
}

/// One identifier of an account: how a sign-in link reaches the customer and how purchases match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// An e-mail.
    Email(CustomerEmail),
    /// A phone.
    Phone(CustomerPhone),
}

impl Identifier {
    /// Which kind.
    pub fn kind(&self) -> IdentifierKind {
        match self {
            Identifier::Email(_) => IdentifierKind::Email,
            Identifier::Phone(_) => IdentifierKind::Phone,
        }
    }

    /// The normalised value as stored.
    pub fn value(&self) -> &str {
        match self {
            Identifier::Email(email) => email.as_str(),
            Identifier::Phone(phone) => phone.as_str(),
        }
    }

    /// Reads a stored identifier back (both values are stored normalised).
    pub fn from_stored(kind: IdentifierKind, value: &str) -> Result<Self, DomainError> {
        match kind {
            IdentifierKind::Email => CustomerEmail::parse(value).map(Identifier::Email),
            IdentifierKind::Phone => CustomerPhone::parse(value, None).map(Identifier::Phone),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(CustomerEmail::parse("  Ana.Perez@Mail.CL ").map(|e| e.0), Ok("ana.perez@mail.cl".into()));
        for bad in ["", "ana", "ana@", "@mail.cl", "ana@mail", "ana perez@mail.cl", "a@b@c.cl", "ana@.cl"] {
            assert!(CustomerEmail::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones_become_e164_with_the_country_code() {
        let chile = Some(Country::Chile);
        for raw in ["+56 9 1234 5678", "0056912345678", "9 1234-5678", "(9) 1234.5678", "09 1234 5678"] {
            let phone = CustomerPhone::parse(raw, chile);
            assert_eq!(phone.as_ref().map(CustomerPhone::as_str), Ok("+56912345678"), "{raw}");
        }
        let phone = CustomerPhone::parse("+56912345678", None).ok();
        assert_eq!(phone.as_ref().and_then(CustomerPhone::national), Some("912345678"));
        assert_eq!(phone.as_ref().and_then(CustomerPhone::country), Some(Country::Chile));
        let peru = CustomerPhone::parse("987 654 321", Some(Country::Peru));
        assert_eq!(peru.as_ref().map(CustomerPhone::as_str), Ok("+51987654321"));
    }

    #[test]
    fn bad_phones_name_the_field_that_is_wrong() {
        assert!(
            matches!(CustomerPhone::parse("912345678", None), Err(DomainError::Invalid { field, .. }) if field == "country")
        );
        for bad in ["", "+56 abc", "+123", "+1234567890123456", "12ab", "+0912345678"] {
            assert!(
                matches!(CustomerPhone::parse(bad, Some(Country::Chile)), Err(DomainError::Invalid { field, .. }) if field == "phone"),
                "{bad}"
            );
        }
    }
}
