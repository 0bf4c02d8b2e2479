//! What a menu tells a visitor about a dish beyond its name and price: a short description and
//! the allergens it contains.
//!
//! Allergens are a closed set with stable codes (the EU's fourteen, which Chile's and Peru's
//! labelling lists also name), so a page can word each one in its own language from its catalog
//! and a client can filter on them; free text would be neither translatable nor checkable.

use serde::Serialize;

use crate::DomainError;

/// Longest description, in characters (after trimming).
pub const MAX_DESCRIPTION_CHARS: usize = 500;

/// A dish's description: plain text, 1 to [`MAX_DESCRIPTION_CHARS`] characters after trimming,
/// line breaks and tabs allowed, no other control character (pages escape it; no markup).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Description(String);

impl Description {
    /// Checks a description; blank text is no description (`None`), not an error.
    pub fn parse(raw: &str) -> Result<Option<Self>, DomainError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if trimmed.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(DomainError::invalid(
                "description",
                format!("must be at most {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        if trimmed.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            return Err(DomainError::invalid("description", "must be plain text without control characters"));
        }
        Ok(Some(Self(trimmed.to_owned())))
    }
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Takes the inner string.
    pub fn into_inner(self) -> String {
        self.0
    }
}

crate::named_enum! {
    /// An allergen a dish contains (the EU's fourteen; Chile and Peru label the same ones).
    pub enum Allergen("allergens") {
        /// Cereals containing gluten (wheat, rye, barley, oats).
        Gluten => "gluten",
        /// Crustaceans (shrimp, prawns, crab).
        Shellfish => "shellfish",
        /// Eggs.
        Egg => "egg",
        /// Fish.
        Fish => "fish",
        /// Peanuts.
        Peanuts => "peanuts",
        /// Soybeans.
        Soy => "soy",
        /// Milk, lactose included.
        Milk => "milk",
        /// Tree nuts (almonds, walnuts, cashews…).
        Nuts => "nuts",
        /// Celery.
        Celery => "celery",
        /// Mustard.
        Mustard => "mustard",
        /// Sesame seeds.
        Sesame => "sesame",
        /// Sulphur dioxide and sulphites.
        Sulphites => "sulphites",
        /// Lupin.
        Lupin => "lupin",
        /// Molluscs (squid, octopus, mussels).
        Molluscs => "molluscs",
    }
}

/// A dish's allergens: each at most once, in the table's order, whatever order they came in
/// (so two equal lists compare equal and the menu lists them alike).
pub fn normalize_allergens(mut allergens: Vec<Allergen>) -> Vec<Allergen> {
    allergens.sort_unstable();
    allergens.dedup();
    allergens
}

/// The column form of a list: codes joined by commas (empty for none).
pub fn allergens_to_column(allergens: &[Allergen]) -> String {
    allergens.iter().map(|allergen| allergen.as_str()).collect::<Vec<_>>().join(",")
}

/// Reads the column form back; a code the table does not know is an error, never skipped.
pub fn allergens_from_column(raw: &str) -> Result<Vec<Allergen>, DomainError> {
    raw.split(',').map(str::trim).filter(|code| !code.is_empty()).map(Allergen::parse).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_trimmed_plain_text_of_bounded_length() {
        assert_eq!(Description::parse("  "), Ok(None));
        let text = Description::parse(" Masa madre,\nmozzarella ").ok().flatten();
        assert_eq!(text.as_ref().map(Description::as_str), Some("Masa madre,\nmozzarella"));
        assert!(Description::parse(&"á".repeat(MAX_DESCRIPTION_CHARS)).is_ok());
        assert!(Description::parse(&"á".repeat(MAX_DESCRIPTION_CHARS + 1)).is_err());
        assert!(Description::parse("bell\u{7}").is_err());
    }

    #[test]
    fn allergen_lists_round_trip_through_their_column() {
        let list = normalize_allergens(vec![Allergen::Milk, Allergen::Gluten, Allergen::Milk]);
        assert_eq!(list, [Allergen::Gluten, Allergen::Milk]);
        assert_eq!(allergens_to_column(&list), "gluten,milk");
        assert_eq!(allergens_from_column("gluten,milk"), Ok(list));
        assert_eq!(allergens_from_column(""), Ok(Vec::new()));
        assert!(allergens_from_column("gluten,chocolate").is_err());
        assert_eq!(Allergen::ALL.len(), 14);
    }
}
