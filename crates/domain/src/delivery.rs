//! Where an order taken over the phone is delivered (issue 14 point 8): street, number,
//! commune or district, and a reference for the rider. One fallible constructor that reports
//! every bad part at once, so the clerk on the phone fixes them all while the customer is on
//! the line.

use crate::DomainError;

/// Longest street name, in characters.
pub const MAX_STREET_CHARS: usize = 120;
/// Longest house number ("1234", "S/N", "1502-B depto 31"), in characters.
pub const MAX_NUMBER_CHARS: usize = 20;
/// Longest commune or district name, in characters.
pub const MAX_DISTRICT_CHARS: usize = 80;
/// Longest reference for the rider, in characters.
pub const MAX_REFERENCE_CHARS: usize = 200;

crate::named_enum! {
    /// How an order reaches its customer.
    pub enum FulfilmentKind("fulfilment") {
        /// The customer picks it up at the location.
        Pickup => "pickup",
        /// The location delivers it to an address.
        Delivery => "delivery",
    }
}

/// A delivery address, checked: every part trimmed, printable, within its limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAddress {
    /// Street ("Av. Providencia").
    pub street: String,
    /// House number ("1234", "S/N").
    pub number: String,
    /// Commune or district ("Providencia", "Miraflores").
    pub district: String,
    /// A reference for the rider ("portón verde, depto 31"), when given.
    pub reference: Option<String>,
}

fn text(field: &str, raw: &str, max: usize, required: bool, problems: &mut Vec<DomainError>) -> Option<String> {
    let value = raw.trim();
    if value.is_empty() {
        if required {
            problems.push(DomainError::invalid(field, "is required for a delivery"));
        }
        return None;
    }
    if value.chars().count() > max || value.chars().any(char::is_control) {
        problems.push(DomainError::invalid(field, format!("must be at most {max} printable characters")));
        return None;
    }
    Some(value.to_owned())
}

impl DeliveryAddress {
    /// Checks an address; every bad part is reported, each under `delivery_address.<part>`.
    /// The street and the district need a letter (a bare number is not a street), the number
    /// a digit or "S/N" (sin número).
    pub fn parse(
        street: &str,
        number: &str,
        district: &str,
        reference: Option<&str>,
    ) -> Result<Self, Vec<DomainError>> {
        let mut problems = Vec::new();
        let street = text("delivery_address.street", street, MAX_STREET_CHARS, true, &mut problems);
        if street.as_deref().is_some_and(|s| !s.chars().any(char::is_alphabetic)) {
            problems.push(DomainError::invalid("delivery_address.street", "must name a street"));
        }
        let number = text("delivery_address.number", number, MAX_NUMBER_CHARS, true, &mut problems);
        if number.as_deref().is_some_and(|n| !n.chars().any(|c| c.is_ascii_digit()) && !n.eq_ignore_ascii_case("s/n")) {
            problems.push(DomainError::invalid("delivery_address.number", "must be a house number, or S/N"));
        }
        let district = text("delivery_address.district", district, MAX_DISTRICT_CHARS, true, &mut problems);
        if district.as_deref().is_some_and(|d| !d.chars().any(char::is_alphabetic)) {
            problems.push(DomainError::invalid("delivery_address.district", "must name a commune or district"));
        }
        let reference =
            reference.and_then(|r| text("delivery_address.reference", r, MAX_REFERENCE_CHARS, false, &mut problems));
        match (street, number, district) {
            (Some(street), Some(number), Some(district)) if problems.is_empty() => {
                Ok(Self { street, number, district, reference })
            }
            _ => Err(problems),
        }
    }

    /// One line, as a display card or a rider reads it: "Av. Providencia 1234, Providencia
    /// (portón verde)".
    pub fn one_line(&self) -> String {
        let mut line = format!("{} {}, {}", self.street, self.number, self.district);
        if let Some(reference) = &self.reference {
            line.push_str(&format!(" ({reference})"));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(result: Result<DeliveryAddress, Vec<DomainError>>) -> Vec<String> {
        match result {
            Ok(_) => Vec::new(),
            Err(problems) => problems
                .into_iter()
                .map(|problem| match problem {
                    DomainError::Invalid { field, .. } => field,
                    other => other.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_good_address_is_trimmed_and_reads_as_one_line() {
        let address = DeliveryAddress::parse(" Av. Providencia ", "1234", "Providencia", Some(" portón verde "));
        let Ok(address) = address else { return };
        assert_eq!(address.one_line(), "Av. Providencia 1234, Providencia (portón verde)");
        assert!(DeliveryAddress::parse("Calle Sin Nombre", "s/n", "Miraflores", Some("  ")).is_ok());
    }

    #[test]
    fn every_bad_part_is_reported() {
        assert_eq!(
            fields(DeliveryAddress::parse("", " ", "", None)),
            ["delivery_address.street", "delivery_address.number", "delivery_address.district"]
        );
        assert_eq!(
            fields(DeliveryAddress::parse("123", "abc", "9", Some(&"x".repeat(201)))),
            [
                "delivery_address.street",
                "delivery_address.number",
                "delivery_address.district",
                "delivery_address.reference"
            ]
        );
        assert_eq!(fields(DeliveryAddress::parse("Calle\u{7}", "1", "Lima", None)), ["delivery_address.street"]);
        assert_eq!(FulfilmentKind::parse("delivery"), Ok(FulfilmentKind::Delivery));
        assert!(FulfilmentKind::parse("drone").is_err());
    }
}
