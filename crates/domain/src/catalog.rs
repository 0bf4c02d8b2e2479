//! Validated catalog and setup values: SKUs, quantities, names, countries, rates.
//!
//! Each type has one fallible constructor, so a function that takes a `Sku`
//! never has to check it again ("parse, don't validate").

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::{Currency, DomainError};

/// Most lines one order may have.
pub const MAX_LINES_PER_ORDER: usize = 200;
/// Largest quantity on one line.
pub const MAX_QUANTITY_PER_LINE: i64 = 9_999;
/// Most items one page of a list may hold.
pub const MAX_PAGE_SIZE: i64 = 500;

/// A stock-keeping unit code: 1–64 characters of letters, digits, `-`, `_`, `.`, `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Sku(String);

impl Sku {
    /// Validates a SKU code.
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.len() > 64 {
            return Err(DomainError::invalid("sku", "must be 1 to 64 characters"));
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/');
        if !trimmed.chars().all(allowed) {
            return Err(DomainError::invalid("sku", "may contain only letters, digits, '-', '_', '.' and '/'"));
        }
        Ok(Self(trimmed.to_owned()))
    }
    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A quantity on an order line: 1 to [`MAX_QUANTITY_PER_LINE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Quantity(i64);

impl Quantity {
    /// Validates a line quantity.
    pub fn parse(raw: i64) -> Result<Self, DomainError> {
        if (1..=MAX_QUANTITY_PER_LINE).contains(&raw) {
            Ok(Self(raw))
        } else {
            Err(DomainError::invalid("quantity", format!("must be between 1 and {MAX_QUANTITY_PER_LINE}")))
        }
    }
    /// The number of units.
    pub fn get(self) -> i64 {
        self.0
    }
}

/// A human-readable name: 1 to 200 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Name(String);

impl Name {
    /// Validates a name given for `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, DomainError> {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if length == 0 || length > 200 {
            return Err(DomainError::invalid(field, "must be 1 to 200 characters"));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(DomainError::invalid(field, "must not contain control characters"));
        }
        Ok(Self(trimmed.to_owned()))
    }
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Takes the inner string.
    pub fn into_inner(self) -> String {
        self.0
    }
}

/// The countries Omnicanal serves, each with its legal currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Country {
    /// Chile.
    #[serde(rename = "CL")]
    Chile,
    /// Peru.
    #[serde(rename = "PE")]
    Peru,
    /// Colombia.
    #[serde(rename = "CO")]
    Colombia,
}

impl Country {
    /// Parses an ISO 3166 alpha-2 code.
    pub fn parse(code: &str) -> Result<Self, DomainError> {
        match code {
            "CL" => Ok(Country::Chile),
            "PE" => Ok(Country::Peru),
            "CO" => Ok(Country::Colombia),
            _ => Err(DomainError::invalid("country", "must be one of CL, PE, CO")),
        }
    }
    /// ISO 3166 alpha-2 code.
    pub fn code(self) -> &'static str {
        match self {
            Country::Chile => "CL",
            Country::Peru => "PE",
            Country::Colombia => "CO",
        }
    }
    /// The currency prices are set in.
    pub fn currency(self) -> Currency {
        match self {
            Country::Chile => Currency::Clp,
            Country::Peru => Currency::Pen,
            Country::Colombia => Currency::Cop,
        }
    }
}

crate::named_enum! {
    /// What kind of business a merchant is: restaurants pay the restaurant tax rates.
    pub enum MerchantKind("kind") {
        /// A restaurant or food counter.
        Restaurant => "restaurant",
        /// A shop.
        Retail => "retail",
    }
}

/// A commission rate in basis points (1 bp = 0.01 %), at most 10 000 (100 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommissionRate(u32);

impl CommissionRate {
    /// Validates a commission in basis points.
    pub fn parse(bps: i64) -> Result<Self, DomainError> {
        u32::try_from(bps)
            .ok()
            .filter(|bps| *bps <= 10_000)
            .map(Self)
            .ok_or_else(|| DomainError::invalid("commission_bps", "must be between 0 and 10000"))
    }
    /// Basis points.
    pub fn bps(self) -> u32 {
        self.0
    }
}

/// A unit price: non-negative minor units.
pub fn parse_price(field: &str, price: crate::Money) -> Result<crate::Money, DomainError> {
    if price.amount_minor < 0 {
        return Err(DomainError::invalid(field, "must not be negative"));
    }
    if price.amount_minor > 1_000_000_000_000 {
        return Err(DomainError::invalid(field, "is too large"));
    }
    Ok(price)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_rules() {
        assert!(Sku::parse("PIZ-MARG-30").is_ok());
        assert!(Sku::parse("").is_err());
        assert!(Sku::parse("a b").is_err());
        assert!(Sku::parse(&"x".repeat(65)).is_err());
    }

    #[test]
    fn quantity_bounds() {
        assert!(Quantity::parse(0).is_err());
        assert!(Quantity::parse(-1).is_err());
        assert!(Quantity::parse(1).is_ok());
        assert!(Quantity::parse(9_999).is_ok());
        assert!(Quantity::parse(10_000).is_err());
    }

    #[test]
    fn commission_bounds() {
        assert!(CommissionRate::parse(-1).is_err());
        assert!(CommissionRate::parse(10_001).is_err());
        assert_eq!(CommissionRate::parse(1250).map(CommissionRate::bps), Ok(1250));
    }
}
