//! Whose store credit: a customer is known by the e-mail or phone they give at the till, on the
//! web or on a return, so one key must come out of every spelling of it — an e-mail trimmed and
//! lower-cased, a phone as `+` and its digits (spaces, dashes, dots and brackets dropped).

use crate::DomainError;

/// The longest key kept (an e-mail's limit).
const MAX_CHARS: usize = 254;

/// A customer's normalised e-mail or phone.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CustomerKey(String);

impl CustomerKey {
    /// Reads an e-mail (it has an `@`) or a phone (`+` or digits, 8 to 15 digits); `field`
    /// names the input in the refusal.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(DomainError::invalid(field, "give the customer's e-mail or phone"));
        }
        if raw.chars().count() > MAX_CHARS {
            return Err(DomainError::invalid(field, format!("at most {MAX_CHARS} characters")));
        }
        if raw.contains('@') {
            let email = raw.to_lowercase();
            let valid = email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            }) && !email.chars().any(char::is_whitespace)
                && email.matches('@').count() == 1;
            return if valid { Ok(Self(email)) } else { Err(DomainError::invalid(field, "is not an e-mail address")) };
        }
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let allowed = raw.chars().all(|c| c.is_ascii_digit() || " -.()+".contains(c));
        if !allowed || !(8..=15).contains(&digits.len()) || raw.find('+').is_some_and(|at| at != 0) {
            return Err(DomainError::invalid(field, "is neither an e-mail nor a phone number (8 to 15 digits)"));
        }
        Ok(Self(format!("+{digits}")))
    }

    /// The key as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_one_customer_is_one_key() {
        let key = |raw| CustomerKey::parse("customer", raw).map(|k| k.as_str().to_owned());
        assert_eq!(key("  Ana.Perez@Example.CL "), Ok("ana.perez@example.cl".into()));
        assert_eq!(key("+56 9 1234-5678"), Ok("+56912345678".into()));
        assert_eq!(key("(56) 9.1234.5678"), Ok("+56912345678".into()));
    }

    #[test]
    fn what_is_neither_is_refused_naming_the_field() {
        for raw in ["", "ana@", "@example.cl", "ana@example", "ana @x.cl", "1234", "56-9-12a4", "9+56912345678"] {
            let refused = CustomerKey::parse("customer", raw);
            assert!(matches!(&refused, Err(DomainError::Invalid { field, .. }) if field == "customer"), "{raw}");
        }
    }
}
