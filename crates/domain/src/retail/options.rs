//! A product's options (size, colour, …) and the rule that ties its variants to them: every
//! variant names exactly one of each option's values in its attributes, and no two variants
//! name the same combination — otherwise a shopper who picks "M · Azul" could land on two
//! SKUs, or on none the product page promised.
//!
//! Limits (why): at most [`MAX_OPTIONS`] options of at most [`MAX_VALUES_PER_OPTION`] values,
//! so a product's combinations stay within the catalogue's 100 variants per product and the
//! page's option pickers stay short; names and values are short printable words.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// Most options one product may have.
pub const MAX_OPTIONS: usize = 3;
/// Most values one option may offer.
pub const MAX_VALUES_PER_OPTION: usize = 30;
/// Longest option name or value, in characters.
pub const MAX_OPTION_CHARS: usize = 30;

/// One option of a product: its name ("Talla") and the values it offers ("S", "M", "L"), in
/// the order the shop shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductOption {
    /// Its name, unique within the product (ignoring case).
    pub name: String,
    /// Its values, each unique within the option (ignoring case), at least one.
    pub values: Vec<String>,
}

/// A product's options, checked. Empty for a product sold without options.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProductOptions(Vec<ProductOption>);

fn word(field: String, raw: &str, problems: &mut Vec<DomainError>) -> Option<String> {
    let value = raw.trim();
    if value.is_empty() || value.chars().count() > MAX_OPTION_CHARS || value.chars().any(char::is_control) {
        problems.push(DomainError::invalid(field, format!("must be 1 to {MAX_OPTION_CHARS} printable characters")));
        return None;
    }
    Some(value.to_owned())
}

impl ProductOptions {
    /// No options.
    pub fn none() -> Self {
        Self::default()
    }

    /// Checks options as sent; every problem is reported, each under `options`,
    /// `options[i].name`, `options[i].values` or `options[i].values[j]`.
    pub fn parse(raw: Vec<ProductOption>) -> Result<Self, Vec<DomainError>> {
        let mut problems = Vec::new();
        if raw.len() > MAX_OPTIONS {
            problems.push(DomainError::invalid("options", format!("a product may have at most {MAX_OPTIONS} options")));
            return Err(problems);
        }
        let mut options: Vec<ProductOption> = Vec::with_capacity(raw.len());
        for (index, option) in raw.into_iter().enumerate() {
            let name = word(format!("options[{index}].name"), &option.name, &mut problems);
            if let Some(name) = &name
                && options.iter().any(|seen| seen.name.to_lowercase() == name.to_lowercase())
            {
                problems.push(DomainError::invalid(format!("options[{index}].name"), "appears twice in this product"));
            }
            if option.values.is_empty() || option.values.len() > MAX_VALUES_PER_OPTION {
                problems.push(DomainError::invalid(
                    format!("options[{index}].values"),
                    format!("an option needs 1 to {MAX_VALUES_PER_OPTION} values"),
                ));
            }
            let mut values: Vec<String> = Vec::with_capacity(option.values.len());
            for (value_index, value) in option.values.iter().enumerate() {
                let field = format!("options[{index}].values[{value_index}]");
                if let Some(value) = word(field.clone(), value, &mut problems) {
                    if values.iter().any(|seen| seen.to_lowercase() == value.to_lowercase()) {
                        problems.push(DomainError::invalid(field, "appears twice in this option"));
                    } else {
                        values.push(value);
                    }
                }
            }
            if let Some(name) = name {
                options.push(ProductOption { name, values });
            }
        }
        if problems.is_empty() { Ok(Self(options)) } else { Err(problems) }
    }

    /// The options, in the product's order.
    pub fn as_slice(&self) -> &[ProductOption] {
        &self.0
    }

    /// Whether the product has no options.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The combination a variant's attributes name: one value per option, in the options'
    /// order (the option's own spelling of the value). None when an option is missing or
    /// names a value the option does not offer.
    pub fn combination(&self, attributes: &BTreeMap<String, String>) -> Option<Vec<String>> {
        self.0
            .iter()
            .map(|option| {
                let given = attributes.get(&option.name)?;
                option.values.iter().find(|value| value.eq_ignore_ascii_case(given.trim())).cloned()
            })
            .collect()
    }
}

/// Checks each variant's attributes against the options: one offered value per option
/// (`variants[i].attributes.<option>`), and no combination twice (`variants[i].attributes`).
/// Attributes that name no option (a material, a fit) are the variant's own and left alone.
/// A product without options puts no rule on its variants.
pub fn check_variant_combinations(
    options: &ProductOptions,
    variants: &[BTreeMap<String, String>],
) -> Result<(), Vec<DomainError>> {
    if options.is_empty() {
        return Ok(());
    }
    let mut problems = Vec::new();
    let mut seen: Vec<(Vec<String>, usize)> = Vec::with_capacity(variants.len());
    for (index, attributes) in variants.iter().enumerate() {
        let mut complete = true;
        for option in options.as_slice() {
            let field = format!("variants[{index}].attributes.{}", option.name);
            match attributes.get(&option.name) {
                None => {
                    complete = false;
                    problems.push(DomainError::invalid(field, format!("needs a value of {}", option.name)));
                }
                Some(given) if !option.values.iter().any(|value| value.eq_ignore_ascii_case(given.trim())) => {
                    complete = false;
                    problems.push(DomainError::invalid(field, format!("must be one of {}", option.values.join(", "))));
                }
                Some(_) => {}
            }
        }
        if !complete {
            continue;
        }
        if let Some(combination) = options.combination(attributes) {
            if let Some((_, first)) = seen.iter().find(|(other, _)| *other == combination) {
                problems.push(DomainError::invalid(
                    format!("variants[{index}].attributes"),
                    format!("{} is already variants[{first}]", combination.join(" · ")),
                ));
            } else {
                seen.push((combination, index));
            }
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(name: &str, values: &[&str]) -> ProductOption {
        ProductOption { name: name.into(), values: values.iter().map(|v| (*v).to_owned()).collect() }
    }

    fn attributes(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn fields(problems: Vec<DomainError>) -> Vec<String> {
        problems
            .into_iter()
            .map(|problem| match problem {
                DomainError::Invalid { field, .. } => field,
                other => other.to_string(),
            })
            .collect()
    }

    #[test]
    fn options_report_every_bad_name_and_value() {
        let parsed = ProductOptions::parse(vec![
            option(" Talla ", &["S", "M", "m"]),
            option("talla", &[]),
            option("", &["Azul", &"x".repeat(31)]),
        ]);
        assert_eq!(
            parsed.map_err(fields).err(),
            Some(vec![
                "options[0].values[2]".to_owned(),
                "options[1].name".to_owned(),
                "options[1].values".to_owned(),
                "options[2].name".to_owned(),
                "options[2].values[1]".to_owned(),
            ])
        );
        let four = vec![option("a", &["1"]), option("b", &["1"]), option("c", &["1"]), option("d", &["1"])];
        assert_eq!(ProductOptions::parse(four).map_err(fields).err(), Some(vec!["options".to_owned()]));
    }

    #[test]
    fn each_variant_names_one_offered_value_per_option_and_no_combination_twice() -> Result<(), Vec<DomainError>> {
        let options = ProductOptions::parse(vec![option("Talla", &["S", "M"]), option("Color", &["Azul", "Rojo"])])?;
        let good = [attributes(&[("Talla", "S"), ("Color", "Azul")]), attributes(&[("Talla", "m"), ("Color", "Azul")])];
        check_variant_combinations(&options, &good)?;
        assert_eq!(options.combination(&good[1]), Some(vec!["M".to_owned(), "Azul".to_owned()]));
        let bad = [
            attributes(&[("Talla", "S"), ("Color", "Azul")]),
            attributes(&[("Talla", "XL"), ("Color", "Azul"), ("Material", "Lana")]),
            attributes(&[("Color", "Rojo")]),
            attributes(&[("Talla", "s"), ("Color", "azul")]),
        ];
        assert_eq!(
            check_variant_combinations(&options, &bad).map_err(fields).err(),
            Some(vec![
                "variants[1].attributes.Talla".to_owned(),
                "variants[2].attributes.Talla".to_owned(),
                "variants[3].attributes".to_owned(),
            ])
        );
        // Without options, variants are free to carry any attributes.
        check_variant_combinations(&ProductOptions::none(), &bad)?;
        Ok(())
    }
}
