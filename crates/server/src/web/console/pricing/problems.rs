//! The use cases' field messages in the console's words, and the amounts a manager types
//! (percentages are `forms.rs`'s, shared with the setup pages).
//!
//! A refusal names a field the way the API does (`prices[3].sku`, `kind.bps`, `valid_from`); a
//! page shows it at the input that holds it (`prices`, `percent`, `valid_from`). Where the
//! message is one of the engine's fixed texts it is said from the catalog
//! (`console.pricing.problem.*`, with the list's name or the SKU it carries when it carries
//! one); a message no entry knows is shown as the API says it, so nothing is ever hidden.

use std::collections::BTreeMap;

use omnicanal_app::FieldError;
use omnicanal_domain::{Currency, Money};

use crate::web::i18n::Lang;

/// Each refused input and what to tell about it (the first message per input wins).
#[derive(Debug, Default)]
pub(super) struct Fields(pub BTreeMap<String, String>);

impl Fields {
    /// The console's words for the use case's field errors.
    pub fn from_errors(lang: Lang, errors: &[FieldError]) -> Self {
        let mut fields = Fields::default();
        for error in errors {
            let (input, line) = input_of(&error.field);
            let mut text = say(lang, &error.field, &error.message);
            if let Some(line) = line {
                text = lang.text("console.pricing.problem.line", &[("line", line.to_string()), ("text", text)]);
            }
            fields.add(&input, text);
        }
        fields
    }

    /// A value taken by another (a coupon code in use anywhere on the platform).
    pub fn taken(lang: Lang, field: &str) -> Self {
        let mut fields = Fields::default();
        fields.add(field, lang.text("console.pricing.problem.code_taken", &[]));
        fields
    }

    /// Records `text` at `input` unless something is already said there.
    pub fn add(&mut self, input: &str, text: String) {
        self.0.entry(input.to_owned()).or_insert(text);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds every message of `other` not already said.
    pub fn merge(&mut self, other: Fields) {
        for (input, text) in other.0 {
            self.add(&input, text);
        }
    }
}

/// The input a field error belongs to, and for a price or a bundle component its line (from 1).
fn input_of(field: &str) -> (String, Option<usize>) {
    let indexed = |prefix: &str| {
        field.strip_prefix(prefix).and_then(|rest| rest.split(']').next()).and_then(|n| n.parse::<usize>().ok())
    };
    if field.starts_with("prices[") {
        return ("prices".into(), indexed("prices[").map(|n| n + 1));
    }
    let input = match field {
        "kind.bps" => "percent",
        "kind.get_off_bps" => "get_off",
        "kind.amount" => "amount",
        "kind.skus" => "skus",
        "kind.components" => "components",
        "kind.price" => "bundle_price",
        "kind.buy" => "buy",
        "kind.get" => "get",
        other if other.starts_with("happy_hour") => "happy_hour",
        other if other.starts_with("channels[") => "channels",
        other if other.starts_with("location_ids[") => "locations",
        other => other,
    };
    (input.into(), None)
}

/// The engine's fixed texts, each with its catalog entry.
const FIXED: &[(&str, &str)] = &[
    ("must be after valid_from", "window_order"),
    ("must be more than 0 and at most 10000 basis points (100%)", "percent"),
    ("must be more than zero", "positive"),
    ("must not be negative", "not_negative"),
    ("is too large", "too_large"),
    ("appears twice in this list", "twice"),
    ("must be 3 to 32 letters, digits, '-' or '_'", "code"),
    ("must be between 1 and 100000000", "limit"),
    ("must name at least one SKU", "need_sku"),
    ("must be at least 1", "at_least_one"),
    ("each component needs a quantity of at least 1", "at_least_one"),
    ("a bundle needs at least two units", "bundle_units"),
    ("name each SKU once, with its quantity", "bundle_once"),
    ("must be a time of day HH:MM", "time"),
    ("must list weekdays from 1 (Monday) to 7 (Sunday)", "weekdays"),
    ("start and end must be different times of day", "hours_differ"),
    ("no such location of this merchant", "location"),
    ("no such location in the promotion's scope", "location"),
    ("this promotion applies without a coupon; set requires_coupon on it first", "needs_coupon_flag"),
    ("only the site's operator (an admin) may fund a promotion with its money", "operator_funds"),
    ("must be 1 to 200 characters", "name"),
    ("must be RFC 3339 (2026-12-24T18:00:00-03:00) or a local time (2026-12-24T18:00)", "when"),
];

/// One message in the page's language.
fn say(lang: Lang, field: &str, message: &str) -> String {
    let text = |entry: &str, args: &[(&str, String)]| lang.text(&format!("console.pricing.problem.{entry}"), args);
    if let Some((_, entry)) = FIXED.iter().find(|(fixed, _)| *fixed == message) {
        return text(entry, &[]);
    }
    // `the window overlaps price list "Navidad" (prl_…) of the same scope; …`
    if let Some(rest) = message.strip_prefix("the window overlaps price list ") {
        let name = rest.strip_prefix('"').and_then(|rest| rest.split('"').next()).unwrap_or(rest);
        return text("overlap", &[("name", name.to_owned())]);
    }
    // `Heladería does not sell HELADO-XL`
    if let Some((_, sku)) = message.split_once(" does not sell ") {
        return text("not_sold", &[("sku", sku.to_owned())]);
    }
    // `must be in CLP, the currency this promotion's scope sells in`
    if let Some(rest) = message.strip_prefix("must be in ") {
        let currency = rest.split(',').next().unwrap_or_default();
        return text("currency", &[("currency", currency.to_owned())]);
    }
    if (field.ends_with(".sku") || field == "kind.skus")
        && (message.starts_with("must be 1 to 64") || message.starts_with("may contain only"))
    {
        return text("sku", &[]);
    }
    message.to_owned()
}

/// An amount typed in the currency's usual way (`2500`, `2.500` in pesos; `12.50` or `12,50`
/// in soles), as minor units; `None` when it is not one.
pub(super) fn parse_amount(raw: &str, currency: Currency) -> Option<Money> {
    let cleaned: String = raw.trim().chars().filter(|c| !c.is_whitespace() && *c != '$').collect();
    let cleaned = cleaned.strip_prefix("S/").unwrap_or(&cleaned);
    if cleaned.is_empty() || cleaned.starts_with('-') {
        return None;
    }
    let exponent = currency.exponent();
    let minor = if exponent == 0 {
        // Whole pesos: dots group thousands, a comma would start cents they do not have.
        let digits: String = cleaned.chars().filter(|c| *c != '.').collect();
        digits.chars().all(|c| c.is_ascii_digit()).then(|| digits.parse::<i64>().ok()).flatten()?
    } else {
        let normal = cleaned.replace(',', ".");
        let (whole, fraction) = normal.split_once('.').unwrap_or((&normal, ""));
        let ok = !whole.is_empty()
            && whole.chars().all(|c| c.is_ascii_digit())
            && fraction.chars().all(|c| c.is_ascii_digit())
            && fraction.len() <= exponent as usize;
        if !ok {
            return None;
        }
        let scale = 10i64.pow(exponent);
        let padded = format!("{fraction:0<width$}", width = exponent as usize);
        whole.parse::<i64>().ok()?.checked_mul(scale)?.checked_add(padded.parse::<i64>().unwrap_or(0))?
    };
    Some(Money::new(minor, currency))
}

/// An amount as the form shows it back (`2500`, `12.50`).
pub(super) fn amount_text(money: Money) -> String {
    let exponent = money.currency.exponent();
    if exponent == 0 {
        return money.amount_minor.to_string();
    }
    let scale = 10i64.pow(exponent);
    format!("{}.{:0width$}", money.amount_minor / scale, money.amount_minor % scale, width = exponent as usize)
}

/// A whole number typed in a form; `Ok(None)` when left empty, `Err` when it is not one.
pub(super) fn parse_count(raw: &str) -> Result<Option<i64>, ()> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse::<i64>().map(Some).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_the_way_each_currency_is_written() {
        assert_eq!(parse_amount("2.500", Currency::Clp).map(|m| m.amount_minor), Some(2500));
        assert_eq!(parse_amount("$ 2500", Currency::Clp).map(|m| m.amount_minor), Some(2500));
        assert_eq!(parse_amount("2,5", Currency::Clp), None, "pesos have no cents");
        assert_eq!(parse_amount("12,5", Currency::Pen).map(|m| m.amount_minor), Some(1250));
        assert_eq!(parse_amount("S/ 12.05", Currency::Pen).map(|m| m.amount_minor), Some(1205));
        assert_eq!(parse_amount("12.345", Currency::Pen), None);
        assert_eq!(parse_amount("-1", Currency::Clp), None);
        assert_eq!(parse_amount("", Currency::Clp), None);
        assert_eq!(amount_text(Money::new(1205, Currency::Pen)), "12.05");
    }

    #[test]
    fn field_errors_land_at_their_input_in_the_page_language() {
        let errors = [
            FieldError { field: "prices[1].sku".into(), message: "Heladería does not sell CONO-XL".into() },
            FieldError {
                field: "valid_from".into(),
                message: "the window overlaps price list \"Navidad\" (prl_1) of the same scope; windows …".into(),
            },
            FieldError {
                field: "kind.bps".into(),
                message: "must be more than 0 and at most 10000 basis points (100%)".into(),
            },
            FieldError { field: "priority".into(), message: "something new".into() },
        ];
        let fields = Fields::from_errors(Lang::Es, &errors).0;
        assert!(fields["prices"].contains("Línea 2") && fields["prices"].contains("CONO-XL"), "{fields:?}");
        assert!(fields["valid_from"].contains("Navidad"), "{fields:?}");
        assert!(!fields["percent"].contains("basis points"), "{fields:?}");
        assert_eq!(fields["priority"], "something new", "an unknown message is shown as the API says it");
        let english = Fields::from_errors(Lang::En, &errors).0;
        assert!(
            english["valid_from"].contains("cross the list") && english["prices"].starts_with("Line 2"),
            "{english:?}"
        );
    }
}
