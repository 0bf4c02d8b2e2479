//! A web shop's own address, `/shop/{slug}`: the merchant chooses it in the console, so a
//! rename of the business does not move the shop, and two merchants with the same name can
//! both have one. Lower-case letters and digits in words joined by single `-`, 3 to 60
//! characters — safe in a URL path as typed, and never an opaque id (ids carry `_`).

use crate::DomainError;

/// Shortest slug, in characters.
pub const MIN_SHOP_SLUG_CHARS: usize = 3;
/// Longest slug, in characters.
pub const MAX_SHOP_SLUG_CHARS: usize = 60;

/// A checked shop slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ShopSlug(String);

impl ShopSlug {
    /// Checks a slug as typed (surrounding spaces ignored, upper case lowered).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let slug = raw.trim().to_lowercase();
        let length = slug.chars().count();
        let words_ok = slug.split('-').all(|word| !word.is_empty())
            && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !(MIN_SHOP_SLUG_CHARS..=MAX_SHOP_SLUG_CHARS).contains(&length) || !words_ok {
            return Err(DomainError::invalid(
                "slug",
                format!(
                    "must be {MIN_SHOP_SLUG_CHARS} to {MAX_SHOP_SLUG_CHARS} lower-case letters or digits, words joined by single -"
                ),
            ));
        }
        Ok(Self(slug))
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_is_short_lower_case_words_joined_by_dashes() {
        assert_eq!(ShopSlug::parse(" Andina-Sur2 ").map(|s| s.as_str().to_owned()).ok(), Some("andina-sur2".into()));
        for bad in ["ab", "andina--sur", "-andina", "andina sur", "añdina", "andina_sur", &"a".repeat(61)] {
            assert!(ShopSlug::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
