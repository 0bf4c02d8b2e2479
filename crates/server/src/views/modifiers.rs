//! Modifier groups (size, extras) and a customer's choices, as the API reads and shows them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::MoneyView;

/// A choice the customer makes in one modifier group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChoiceView {
    /// The group's name ("Tamaño").
    pub group: String,
    /// The option's name ("Familiar").
    pub option: String,
}

impl From<&ChoiceView> for omnicanal_domain::modifiers::Choice {
    fn from(view: &ChoiceView) -> Self {
        Self { group: view.group.clone(), option: view.option.clone() }
    }
}

/// One option of a modifier group.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ModifierOptionView {
    /// Name ("Extra queso", "Sin cebolla").
    #[schema(schema_with = crate::views::words::name)]
    pub name: String,
    /// Added to the unit price (zero for free choices).
    #[schema(schema_with = crate::views::words::price)]
    pub price: MoneyView,
}

/// A product's modifier group: choose between `min` and `max` options.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ModifierGroupView {
    /// Name ("Tamaño", "Agregados").
    #[schema(schema_with = crate::views::words::name)]
    pub name: String,
    /// At least this many (1 makes it required).
    pub min: u8,
    /// At most this many (at least 1, and no more than the options).
    #[schema(minimum = 1)]
    pub max: u8,
    /// The options.
    pub options: Vec<ModifierOptionView>,
}

impl From<ModifierGroupView> for omnicanal_domain::modifiers::ModifierGroup {
    fn from(view: ModifierGroupView) -> Self {
        Self {
            name: view.name.trim().to_owned(),
            min: view.min,
            max: view.max,
            options: view
                .options
                .into_iter()
                .map(|o| omnicanal_domain::modifiers::ModifierOption {
                    name: o.name.trim().to_owned(),
                    price: o.price.into(),
                })
                .collect(),
        }
    }
}

impl From<omnicanal_domain::modifiers::ModifierGroup> for ModifierGroupView {
    fn from(group: omnicanal_domain::modifiers::ModifierGroup) -> Self {
        Self {
            name: group.name,
            min: group.min,
            max: group.max,
            options: group
                .options
                .into_iter()
                .map(|o| ModifierOptionView { name: o.name, price: o.price.into() })
                .collect(),
        }
    }
}

/// A product's modifier groups, read from the stored JSON.
pub fn modifier_groups(json: Option<&str>) -> Vec<ModifierGroupView> {
    json.and_then(|json| serde_json::from_str::<Vec<omnicanal_domain::modifiers::ModifierGroup>>(json).ok())
        .unwrap_or_default()
        .into_iter()
        .map(ModifierGroupView::from)
        .collect()
}
