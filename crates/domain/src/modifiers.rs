//! Modifiers: the choices a menu item offers (size, extras with a price, "sin cebolla"), and the
//! check of what a customer chose against them.

use serde::{Deserialize, Serialize};

use crate::{Currency, DomainError, Money};

/// Most groups one product may have.
pub const MAX_GROUPS: usize = 10;
/// Most options one group may have.
pub const MAX_OPTIONS: usize = 30;
/// Longest note a customer may add to a line.
pub const MAX_NOTE_CHARS: usize = 140;

/// One option of a group, with what it adds to the unit price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifierOption {
    /// Name shown and sent back ("Grande", "Extra queso", "Sin cebolla").
    pub name: String,
    /// Added to the unit price (zero for free choices).
    pub price: Money,
}

/// A group of options: choose between `min` and `max` of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModifierGroup {
    /// Name shown and sent back ("Tamaño", "Agregados").
    pub name: String,
    /// Options to choose at least (1 makes the group required).
    pub min: u8,
    /// Options to choose at most.
    pub max: u8,
    /// The options.
    pub options: Vec<ModifierOption>,
}

/// What the customer chose in one group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Choice {
    /// The group's name.
    pub group: String,
    /// The option's name.
    pub option: String,
}

/// A checked choice with its price, as stored on an order line.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ChosenModifier {
    /// The group's name.
    pub group: String,
    /// The option's name.
    pub option: String,
    /// What it adds to the unit price.
    pub price: Money,
}

/// A group's or option's name: 1 to 60 characters, none of them a control character (a menu
/// and a kitchen ticket print it).
fn text_ok(text: &str) -> bool {
    let count = text.trim().chars().count();
    (1..=60).contains(&count) && !text.chars().any(char::is_control)
}

/// Checks a product's groups: names present and unique, sensible bounds, prices not negative and
/// in `currency`.
pub fn validate_groups(groups: &[ModifierGroup], currency: Currency) -> Result<(), DomainError> {
    if groups.len() > MAX_GROUPS {
        return Err(DomainError::invalid("modifier_groups", format!("at most {MAX_GROUPS} groups")));
    }
    for (index, group) in groups.iter().enumerate() {
        let field = format!("modifier_groups[{index}]");
        if !text_ok(&group.name) {
            return Err(DomainError::invalid(
                format!("{field}.name"),
                "must be 1 to 60 characters, with no control characters",
            ));
        }
        if groups.iter().filter(|other| other.name == group.name).count() > 1 {
            return Err(DomainError::invalid(format!("{field}.name"), "group names must be unique"));
        }
        if group.options.is_empty() || group.options.len() > MAX_OPTIONS {
            return Err(DomainError::invalid(format!("{field}.options"), format!("needs 1 to {MAX_OPTIONS} options")));
        }
        if group.min > group.max || group.max == 0 || usize::from(group.max) > group.options.len() {
            return Err(DomainError::invalid(
                format!("{field}.max"),
                "needs min ≤ max, max ≥ 1 and no more than the number of options",
            ));
        }
        for (position, option) in group.options.iter().enumerate() {
            let option_field = format!("{field}.options[{position}]");
            if !text_ok(&option.name) {
                return Err(DomainError::invalid(
                    format!("{option_field}.name"),
                    "must be 1 to 60 characters, with no control characters",
                ));
            }
            if group.options.iter().filter(|other| other.name == option.name).count() > 1 {
                return Err(DomainError::invalid(format!("{option_field}.name"), "option names must be unique"));
            }
            if option.price.amount_minor < 0 || option.price.amount_minor > 1_000_000_000_000 {
                return Err(DomainError::invalid(format!("{option_field}.price"), "must not be negative"));
            }
            if option.price.currency != currency {
                return Err(DomainError::invalid(format!("{option_field}.price"), format!("must be in {currency}")));
            }
        }
    }
    Ok(())
}

/// Checks a line's choices against the product's groups and prices them; `field` names the
/// line in errors. Choices come back sorted, so equal choices compare equal.
pub fn choose(groups: &[ModifierGroup], choices: &[Choice], field: &str) -> Result<Vec<ChosenModifier>, DomainError> {
    let mut chosen = Vec::with_capacity(choices.len());
    for choice in choices {
        let group = groups.iter().find(|g| g.name == choice.group).ok_or_else(|| {
            DomainError::invalid(format!("{field}.modifiers"), format!("this item has no choice {:?}", choice.group))
        })?;
        let option = group.options.iter().find(|o| o.name == choice.option).ok_or_else(|| {
            DomainError::invalid(
                format!("{field}.modifiers"),
                format!("{:?} has no option {:?}", choice.group, choice.option),
            )
        })?;
        if chosen.iter().any(|c: &ChosenModifier| c.group == group.name && c.option == option.name) {
            return Err(DomainError::invalid(
                format!("{field}.modifiers"),
                format!("{:?} is chosen twice", option.name),
            ));
        }
        chosen.push(ChosenModifier { group: group.name.clone(), option: option.name.clone(), price: option.price });
    }
    for group in groups {
        let count = chosen.iter().filter(|c| c.group == group.name).count();
        if count < usize::from(group.min) {
            return Err(DomainError::invalid(
                format!("{field}.modifiers"),
                format!("choose at least {} of {:?}", group.min, group.name),
            ));
        }
        if count > usize::from(group.max) {
            return Err(DomainError::invalid(
                format!("{field}.modifiers"),
                format!("choose at most {} of {:?}", group.max, group.name),
            ));
        }
    }
    chosen.sort_by(|a, b| (&a.group, &a.option).cmp(&(&b.group, &b.option)));
    Ok(chosen)
}

/// A line's note, trimmed; empty becomes none.
pub fn note(raw: Option<&str>, field: &str) -> Result<Option<String>, DomainError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if text.chars().count() > MAX_NOTE_CHARS || text.chars().any(char::is_control) {
        return Err(DomainError::invalid(
            format!("{field}.note"),
            format!("at most {MAX_NOTE_CHARS} characters, one line"),
        ));
    }
    Ok(Some(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups() -> Vec<ModifierGroup> {
        let clp = |amount| Money::new(amount, Currency::Clp);
        vec![
            ModifierGroup {
                name: "Tamaño".into(),
                min: 1,
                max: 1,
                options: vec![
                    ModifierOption { name: "Mediana".into(), price: clp(0) },
                    ModifierOption { name: "Familiar".into(), price: clp(3_000) },
                ],
            },
            ModifierGroup {
                name: "Agregados".into(),
                min: 0,
                max: 2,
                options: vec![
                    ModifierOption { name: "Extra queso".into(), price: clp(990) },
                    ModifierOption { name: "Aceitunas".into(), price: clp(590) },
                    ModifierOption { name: "Sin cebolla".into(), price: clp(0) },
                ],
            },
        ]
    }

    fn pick(group: &str, option: &str) -> Choice {
        Choice { group: group.into(), option: option.into() }
    }

    #[test]
    fn valid_choices_are_priced_and_sorted() -> Result<(), DomainError> {
        validate_groups(&groups(), Currency::Clp)?;
        let chosen = choose(&groups(), &[pick("Agregados", "Extra queso"), pick("Tamaño", "Familiar")], "lines[0]")?;
        assert_eq!(chosen.iter().map(|c| c.price.amount_minor).sum::<i64>(), 3_990);
        assert_eq!(chosen[0].group, "Agregados");
        Ok(())
    }

    #[test]
    fn bad_choices_name_the_line() {
        let refused = |choices: &[Choice]| choose(&groups(), choices, "lines[2]").is_err();
        assert!(refused(&[]), "size is required");
        assert!(refused(&[pick("Tamaño", "Gigante")]));
        assert!(refused(&[pick("Color", "Rojo"), pick("Tamaño", "Mediana")]));
        assert!(refused(&[pick("Tamaño", "Mediana"), pick("Tamaño", "Familiar")]));
        assert!(refused(&[
            pick("Tamaño", "Mediana"),
            pick("Agregados", "Extra queso"),
            pick("Agregados", "Aceitunas"),
            pick("Agregados", "Sin cebolla")
        ]));
        assert!(note(Some(&"x".repeat(141)), "lines[0]").is_err());
        assert_eq!(note(Some("  sin cebolla "), "lines[0]"), Ok(Some("sin cebolla".into())));
    }

    #[test]
    fn bad_groups_are_refused() {
        let mut bad = groups();
        bad[0].max = 3;
        assert!(validate_groups(&bad, Currency::Clp).is_err());
        assert!(validate_groups(&groups(), Currency::Pen).is_err());
        let mut control = groups();
        control[0].options[0].name = "Grande\u{9b}".into();
        assert!(validate_groups(&control, Currency::Clp).is_err(), "a C1 control character in an option");
        let mut control = groups();
        control[0].name = "Tama\u{0}ño".into();
        assert!(validate_groups(&control, Currency::Clp).is_err(), "a NUL in a group's name");
    }
}
