//! The product form of the console's catalogue (issue 15 point 2): how its plain POST becomes
//! the use case's input, and how the form is shown again — with the values typed and each
//! refusal at its field in the page's language.
//!
//! Rows repeat (variants, modifier groups and their options), and a plain form cannot send a
//! list, so each input is named by its row: `v.0.sku`, `g.1.name`, `g.1.o.2.price`. The page
//! always offers a few blank rows, so it works without its script; `console-catalog.js` only
//! adds more. A row left wholly blank is ignored. Prices are typed as people write them
//! (`12.990`, `25,50`) in the product's currency and read into minor units here.

use std::collections::BTreeMap;

use minijinja::{Value, context};
use omnicanal_app::catalog::VariantInput;
use omnicanal_app::{AppError, FieldError};
use omnicanal_domain::dish::Allergen;
use omnicanal_domain::modifiers::{MAX_GROUPS, MAX_OPTIONS, ModifierGroup, ModifierOption};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::CatalogEntryRow;

use crate::web::i18n::Lang;

/// Blank variant rows offered under the typed ones.
const BLANK_VARIANTS: usize = 2;
/// Blank option rows offered under each group's.
const BLANK_OPTIONS: usize = 2;
/// Most rows of any kind read from one form (a bound on what a post can make us build).
const MAX_ROWS: usize = 100;
/// The attributes the form has a column for; others a variant has are kept as they are.
pub(super) const FORM_ATTRIBUTES: [&str; 2] = ["size", "color"];

/// One variant row as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct VariantFields {
    pub sku: String,
    pub price: String,
    pub barcode: String,
    pub size: String,
    pub color: String,
}

/// One option row as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct OptionFields {
    pub name: String,
    pub price: String,
}

/// One modifier group as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct GroupFields {
    pub name: String,
    pub min: String,
    pub max: String,
    pub options: Vec<OptionFields>,
}

/// The whole form as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct ProductFields {
    pub csrf: Option<String>,
    pub merchant_id: String,
    pub name: String,
    pub category: String,
    pub description: String,
    pub tax_category: String,
    pub currency: String,
    pub track_stock: bool,
    pub allergens: Vec<String>,
    pub variants: Vec<VariantFields>,
    pub groups: Vec<GroupFields>,
}

/// The row index and rest of a name like `v.3.sku`, within bounds.
fn row_of<'a>(key: &'a str, prefix: &str) -> Option<(usize, &'a str)> {
    let rest = key.strip_prefix(prefix)?;
    let (index, field) = rest.split_once('.')?;
    let index: usize = index.parse().ok()?;
    (index < MAX_ROWS).then_some((index, field))
}

fn slot<T: Default>(rows: &mut Vec<T>, index: usize) -> &mut T {
    if rows.len() <= index {
        rows.resize_with(index + 1, T::default);
    }
    &mut rows[index]
}

impl ProductFields {
    /// Reads the posted pairs; unknown names are ignored.
    pub(super) fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "csrf" => form.csrf = Some(value),
                "merchant_id" => form.merchant_id = value,
                "name" => form.name = value,
                "category" => form.category = value,
                "description" => form.description = value,
                "tax_category" => form.tax_category = value,
                "currency" => form.currency = value,
                "track_stock" => form.track_stock = true,
                "allergens" if form.allergens.len() < Allergen::ALL.len() * 2 => form.allergens.push(value),
                _ => form.read_row(&key, value),
            }
        }
        form.variants
            .retain(|v| ![&v.sku, &v.price, &v.barcode, &v.size, &v.color].iter().all(|f| f.trim().is_empty()));
        for group in &mut form.groups {
            group.options.retain(|o| !(o.name.trim().is_empty() && o.price.trim().is_empty()));
        }
        form.groups.retain(|g| !(g.name.trim().is_empty() && g.options.is_empty()));
        form
    }

    fn read_row(&mut self, key: &str, value: String) {
        if let Some((index, field)) = row_of(key, "v.") {
            let row = slot(&mut self.variants, index);
            match field {
                "sku" => row.sku = value,
                "price" => row.price = value,
                "barcode" => row.barcode = value,
                "size" => row.size = value,
                "color" => row.color = value,
                _ => {}
            }
        } else if let Some((index, field)) = row_of(key, "g.") {
            let group = slot(&mut self.groups, index);
            match field {
                "name" => group.name = value,
                "min" => group.min = value,
                "max" => group.max = value,
                option => {
                    if let Some((at, part)) = row_of(option, "o.") {
                        let row = slot(&mut group.options, at);
                        match part {
                            "name" => row.name = value,
                            "price" => row.price = value,
                            _ => {}
                        }
                    }
                }
            }
        }
    }

    /// The form filled from a stored product.
    pub(super) fn from_entry(entry: &CatalogEntryRow) -> Self {
        let product = &entry.product;
        let currency = entry.variants.first().map_or(Currency::Clp, |v| v.currency);
        let groups: Vec<ModifierGroup> =
            product.modifiers_json.as_deref().and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default();
        Self {
            csrf: None,
            merchant_id: product.merchant_id.clone(),
            name: product.name.clone(),
            category: product.category.clone().unwrap_or_default(),
            description: product.description.clone().unwrap_or_default(),
            tax_category: product.tax_category.as_str().to_owned(),
            currency: currency.code().to_owned(),
            track_stock: product.track_stock,
            allergens: product.allergens.iter().map(|a| a.as_str().to_owned()).collect(),
            variants: entry
                .variants
                .iter()
                .map(|v| {
                    let attributes: serde_json::Map<String, serde_json::Value> =
                        serde_json::from_str(&v.attributes_json).unwrap_or_default();
                    let text = |key: &str| attributes.get(key).and_then(|a| a.as_str()).unwrap_or_default().to_owned();
                    VariantFields {
                        sku: v.sku.clone(),
                        price: price_text(v.price_minor, v.currency),
                        barcode: v.barcode.clone().unwrap_or_default(),
                        size: text("size"),
                        color: text("color"),
                    }
                })
                .collect(),
            groups: groups
                .into_iter()
                .map(|g| GroupFields {
                    name: g.name,
                    min: g.min.to_string(),
                    max: g.max.to_string(),
                    options: g
                        .options
                        .into_iter()
                        .map(|o| OptionFields {
                            name: o.name,
                            price: price_text(o.price.amount_minor, o.price.currency),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The currency typed prices are in.
    pub(super) fn currency(&self) -> Currency {
        Currency::ALL.into_iter().find(|c| c.code() == self.currency).unwrap_or(Currency::Clp)
    }

    /// The variants and groups as the use case takes them, or the fields this form refuses
    /// before the use case sees them (a price that is not a number, a bad min/max).
    /// `existing` gives each SKU's stored attributes, so attributes without a column survive.
    pub(super) fn rows(
        &self,
        existing: &BTreeMap<String, serde_json::Map<String, serde_json::Value>>,
    ) -> Result<(Vec<VariantInput>, Vec<ModifierGroup>), Vec<FieldError>> {
        let currency = self.currency();
        let mut errors = Vec::new();
        let mut refuse = |field: String| errors.push(FieldError { field, message: "not a number".into() });
        let mut variants = Vec::new();
        for (index, row) in self.variants.iter().enumerate() {
            let amount = parse_price_text(&row.price, currency).unwrap_or_else(|| {
                refuse(format!("variants[{index}].price"));
                0
            });
            let mut attributes = existing.get(row.sku.trim()).cloned().unwrap_or_default();
            for (key, value) in FORM_ATTRIBUTES.iter().zip([&row.size, &row.color]) {
                match value.trim() {
                    "" => attributes.remove(*key),
                    text => attributes.insert((*key).to_owned(), serde_json::Value::String(text.to_owned())),
                };
            }
            variants.push(VariantInput {
                sku: row.sku.trim().to_owned(),
                price: Money::new(amount, currency),
                barcode: Some(row.barcode.trim().to_owned()),
                attributes,
            });
        }
        let mut groups = Vec::new();
        for (index, group) in self.groups.iter().enumerate().take(MAX_GROUPS + 1) {
            let count = |raw: &str, field: &str, refuse: &mut dyn FnMut(String)| {
                raw.trim().parse::<u8>().unwrap_or_else(|_| {
                    refuse(format!("modifier_groups[{index}].{field}"));
                    0
                })
            };
            let min = count(&group.min, "min", &mut refuse);
            let max = count(&group.max, "max", &mut refuse);
            let mut options = Vec::new();
            for (at, option) in group.options.iter().enumerate().take(MAX_OPTIONS + 1) {
                let amount =
                    if option.price.trim().is_empty() { Some(0) } else { parse_price_text(&option.price, currency) };
                let amount = amount.unwrap_or_else(|| {
                    refuse(format!("modifier_groups[{index}].options[{at}].price"));
                    0
                });
                options
                    .push(ModifierOption { name: option.name.trim().to_owned(), price: Money::new(amount, currency) });
            }
            groups.push(ModifierGroup { name: group.name.trim().to_owned(), min, max, options });
        }
        if errors.is_empty() { Ok((variants, groups)) } else { Err(errors) }
    }
}

/// A price as the form shows it: whole units for CLP/COP, two decimals with a dot otherwise.
pub(super) fn price_text(amount_minor: i64, currency: Currency) -> String {
    match currency.exponent() {
        0 => amount_minor.to_string(),
        _ => format!("{}.{:02}", amount_minor / 100, (amount_minor % 100).abs()),
    }
}

/// A typed price in minor units: `12990`, `12.990` (thousands) for CLP/COP; `25.5`, `25,50`
/// for two-decimal currencies. `None` when it is not a plain non-negative amount.
pub(super) fn parse_price_text(raw: &str, currency: Currency) -> Option<i64> {
    let text: String = raw.trim().trim_start_matches(['$', 'S', '/']).chars().filter(|c| !c.is_whitespace()).collect();
    if text.is_empty() || text.len() > 20 {
        return None;
    }
    if currency.exponent() == 0 {
        let digits: String = text.chars().filter(|c| *c != '.').collect();
        return digits.chars().all(|c| c.is_ascii_digit()).then(|| digits.parse().ok()).flatten();
    }
    let (whole, fraction) = match text.rfind(['.', ',']) {
        Some(at) if text.len() - at - 1 <= 2 => (&text[..at], &text[at + 1..]),
        _ => (text.as_str(), ""),
    };
    let whole: String = whole.chars().filter(|c| !matches!(c, '.' | ',')).collect();
    if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let cents: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.parse::<i64>().ok()?.checked_mul(100)?.checked_add(cents)
}

/// The words for a refused field in the page's language: the use case's fields and messages
/// mapped to `console.catalog.problem.*`.
pub(super) fn problem_texts(lang: Lang, error: &AppError) -> BTreeMap<String, String> {
    let mut texts = BTreeMap::new();
    let mut put = |field: String, key: &str, args: &[(&str, String)]| {
        texts.entry(field).or_insert_with(|| lang.text(&format!("console.catalog.problem.{key}"), args));
    };
    match error {
        AppError::Invalid(errors) => {
            for error in errors {
                let field = error.field.as_str();
                let key = if field.starts_with("modifier_groups") {
                    "modifier_groups"
                } else if field.starts_with("allergens") {
                    "allergens"
                } else if field.ends_with(".sku") && error.message.contains("twice") {
                    "sku_twice"
                } else if field.ends_with(".sku") {
                    "sku"
                } else if field.ends_with(".price") {
                    "price"
                } else {
                    match field {
                        "name" | "category" | "description" | "tax_category" | "variants" => field,
                        _ => "invalid",
                    }
                };
                let field = if key == "modifier_groups" { "modifier_groups".to_owned() } else { field.to_owned() };
                let field = if key == "allergens" { "allergens".to_owned() } else { field };
                put(field, key, &[]);
            }
        }
        AppError::SkuTaken { field, sku } => put(field.clone(), "sku_taken", &[("sku", sku.clone())]),
        AppError::AlreadyExists { .. } => put("variants".to_owned(), "sku_taken_some", &[]),
        AppError::VariantHasHistory { sku } => put("variants".to_owned(), "variant_history", &[("sku", sku.clone())]),
        _ => {}
    }
    texts
}

/// The form's values and errors as the template reads them, with blank rows to fill.
pub(super) fn form_context(lang: Lang, form: &ProductFields, errors: &BTreeMap<String, String>) -> Value {
    let err = |field: String| errors.get(&field).cloned();
    let mut variants: Vec<Value> = form
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            context! {
                i => i, sku => v.sku, price => v.price, barcode => v.barcode, size => v.size, color => v.color,
                err_sku => err(format!("variants[{i}].sku")), err_price => err(format!("variants[{i}].price")),
            }
        })
        .collect();
    for i in form.variants.len()..form.variants.len() + BLANK_VARIANTS {
        variants.push(context! { i => i, sku => "", price => "", barcode => "", size => "", color => "" });
    }
    let blank_group = GroupFields { min: "0".into(), max: "1".into(), ..GroupFields::default() };
    let groups: Vec<Value> = form
        .groups
        .iter()
        .chain(std::iter::once(&blank_group))
        .enumerate()
        .map(|(i, g)| {
            let options: Vec<Value> = g
                .options
                .iter()
                .map(|o| (o.name.as_str(), o.price.as_str()))
                .chain(std::iter::repeat_n(("", ""), BLANK_OPTIONS))
                .enumerate()
                .map(|(j, (name, price))| context! { j => j, name => name, price => price })
                .collect();
            context! { i => i, name => g.name, min => g.min, max => g.max, options => options }
        })
        .collect();
    let allergens: Vec<Value> = Allergen::ALL
        .iter()
        .map(|a| {
            context! {
                code => a.as_str(),
                label => lang.text(&format!("allergen.{}", a.as_str()), &[]),
                checked => form.allergens.iter().any(|c| c == a.as_str()),
            }
        })
        .collect();
    context! {
        merchant_id => form.merchant_id,
        name => form.name,
        category => form.category,
        description => form.description,
        tax_category => if form.tax_category.is_empty() { "standard" } else { form.tax_category.as_str() },
        currency => form.currency().code(),
        track_stock => form.track_stock,
        allergens => allergens,
        variants => variants,
        groups => groups,
        err => errors.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<BTreeMap<_, _>>(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_read_as_people_type_them() {
        assert_eq!(parse_price_text("12.990", Currency::Clp), Some(12_990));
        assert_eq!(parse_price_text("$ 4500", Currency::Cop), Some(4_500));
        assert_eq!(parse_price_text("25,5", Currency::Pen), Some(2_550));
        assert_eq!(parse_price_text("1.250,00", Currency::Pen), Some(125_000));
        assert_eq!(parse_price_text("S/ 9.90", Currency::Pen), Some(990));
        assert_eq!(parse_price_text("-3", Currency::Clp), None);
        assert_eq!(parse_price_text("abc", Currency::Pen), None);
        assert_eq!(price_text(2_550, Currency::Pen), "25.50");
    }

    #[test]
    fn rows_are_read_by_their_names_and_blank_rows_dropped() {
        let pairs = [
            ("name", "Polera"),
            ("v.0.sku", "POL-M"),
            ("v.0.price", "9990"),
            ("v.0.size", "M"),
            ("v.1.sku", ""),
            ("v.1.price", ""),
            ("g.0.name", "Estampado"),
            ("g.0.min", "0"),
            ("g.0.max", "1"),
            ("g.0.o.0.name", "Logo"),
            ("g.0.o.0.price", "1000"),
            ("g.0.o.1.name", ""),
            ("g.1.name", ""),
            ("v.999.sku", "ignored"),
        ];
        let form = ProductFields::from_pairs(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect());
        assert_eq!(form.variants.len(), 1);
        assert_eq!(form.groups.len(), 1);
        assert_eq!(form.groups[0].options.len(), 1);
        let (variants, groups) = form.rows(&BTreeMap::new()).expect("rows");
        assert_eq!(variants[0].price.amount_minor, 9_990);
        assert_eq!(variants[0].attributes.get("size").and_then(|s| s.as_str()), Some("M"));
        assert_eq!(groups[0].options[0].price.amount_minor, 1_000);
    }
}
