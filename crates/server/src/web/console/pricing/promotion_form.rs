//! The promotion form: what a manager types for each kind the engine knows (a percentage or an
//! amount off lines or the order, buy X get Y, a bundle at a price) and the conditions every
//! kind shares (window, weekdays and hours, channels, locations, minimum spend, coupon,
//! priority, exclusivity), read into the use case's `PromotionInput` and shown back.
//!
//! The form posts checkboxes that repeat a name (`channels`, `weekdays`, `location_ids`), so it
//! is read as a list of pairs rather than a struct. Amounts are typed in the merchant's
//! currency and percentages in % (`12,5`); what is not a number is told here, and everything
//! else — bounds, SKUs, windows — is the engine's to refuse.

use minijinja::{Value, context};
use omnicanal_app::pricing::promotions::{HappyHourInput, PromotionInput, PromotionRecord};
use omnicanal_domain::Money;
use omnicanal_domain::hours::hhmm;
use omnicanal_domain::pricing::promotion::BundleComponent;
use omnicanal_domain::pricing::{Funder, PromotionKind};

use super::Merchant;
use super::problems::{Fields, amount_text, parse_amount, parse_count};
use crate::web::console::forms::{parse_percent, percent_text};
use crate::web::i18n::Lang;

/// The kinds, as the form's `kind` values (the engine's own names).
pub(super) const KINDS: [&str; 6] =
    ["percent_off_order", "percent_off_lines", "amount_off_order", "amount_off_lines", "buy_x_get_y", "bundle"];

/// The form as typed.
#[derive(Debug, Default, Clone)]
pub(super) struct PromotionForm {
    pub csrf: Option<String>,
    pub merchant_id: Option<String>,
    pub name: String,
    pub kind: String,
    pub percent: String,
    pub amount: String,
    pub skus: String,
    pub buy: String,
    pub get: String,
    pub get_off: String,
    pub components: String,
    pub bundle_price: String,
    pub valid_from: String,
    pub valid_to: String,
    pub channels: Vec<String>,
    pub location_ids: Vec<String>,
    pub weekdays: Vec<String>,
    pub hours_start: String,
    pub hours_end: String,
    pub min_spend: String,
    pub requires_coupon: bool,
    pub exclusive: bool,
    pub priority: String,
    pub funded_by: String,
    pub active: bool,
}

impl PromotionForm {
    /// A new promotion's form: 10 % off the order, active.
    pub fn blank() -> Self {
        Self { kind: "percent_off_order".into(), get_off: "100".into(), active: true, ..Self::default() }
    }

    /// Reads the posted pairs.
    pub fn from_pairs(pairs: &[(String, String)]) -> Self {
        let one = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
        let all = |key: &str| pairs.iter().filter(|(k, v)| k == key && !v.is_empty()).map(|(_, v)| v.clone()).collect();
        let flag = |key: &str| pairs.iter().any(|(k, _)| k == key);
        Self {
            csrf: pairs.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.clone()),
            merchant_id: Some(one("merchant_id")).filter(|id| !id.is_empty()),
            name: one("name"),
            kind: one("kind"),
            percent: one("percent"),
            amount: one("amount"),
            skus: one("skus"),
            buy: one("buy"),
            get: one("get"),
            get_off: one("get_off"),
            components: one("components"),
            bundle_price: one("bundle_price"),
            valid_from: one("valid_from"),
            valid_to: one("valid_to"),
            channels: all("channels"),
            location_ids: all("location_ids"),
            weekdays: all("weekdays"),
            hours_start: one("hours_start"),
            hours_end: one("hours_end"),
            min_spend: one("min_spend"),
            requires_coupon: flag("requires_coupon"),
            exclusive: flag("exclusive"),
            priority: one("priority"),
            funded_by: one("funded_by"),
            active: flag("active"),
        }
    }

    /// A stored promotion as the form shows it.
    pub fn from_record(record: &PromotionRecord, timezone: &str) -> Self {
        let promotion = &record.definition;
        let mut form = Self {
            merchant_id: record.row.merchant_id.clone(),
            name: promotion.name.clone(),
            valid_from: super::local_input(promotion.valid_from_ms, timezone),
            valid_to: super::local_input(promotion.valid_to_ms, timezone),
            channels: promotion.channels.clone(),
            location_ids: promotion.location_ids.clone(),
            min_spend: promotion.min_spend.map(amount_text).unwrap_or_default(),
            requires_coupon: promotion.requires_coupon,
            exclusive: promotion.exclusive,
            priority: if promotion.priority == 0 { String::new() } else { promotion.priority.to_string() },
            funded_by: match promotion.funded_by {
                Funder::Merchant => "merchant".into(),
                Funder::Operator => "operator".into(),
            },
            active: promotion.active,
            get_off: "100".into(),
            ..Self::default()
        };
        if let Some(hours) = &promotion.happy_hour {
            form.weekdays = hours.weekdays.iter().map(u8::to_string).collect();
            form.hours_start = hhmm(hours.start_minute);
            form.hours_end = hhmm(hours.end_minute);
        }
        match &promotion.kind {
            PromotionKind::PercentOffLines { bps, skus } => {
                (form.kind, form.percent, form.skus) =
                    ("percent_off_lines".into(), percent_text(i64::from(*bps)), skus.join(" "));
            }
            PromotionKind::AmountOffLines { amount, skus } => {
                (form.kind, form.amount, form.skus) = ("amount_off_lines".into(), amount_text(*amount), skus.join(" "));
            }
            PromotionKind::PercentOffOrder { bps } => {
                (form.kind, form.percent) = ("percent_off_order".into(), percent_text(i64::from(*bps)))
            }
            PromotionKind::AmountOffOrder { amount } => {
                (form.kind, form.amount) = ("amount_off_order".into(), amount_text(*amount));
            }
            PromotionKind::BuyXGetY { skus, buy, get, get_off_bps } => {
                form.kind = "buy_x_get_y".into();
                form.skus = skus.join(" ");
                (form.buy, form.get, form.get_off) =
                    (buy.to_string(), get.to_string(), percent_text(i64::from(*get_off_bps)));
            }
            PromotionKind::Bundle { components, price } => {
                form.kind = "bundle".into();
                form.components =
                    components.iter().map(|c| format!("{} {}", c.sku, c.quantity)).collect::<Vec<_>>().join("\n");
                form.bundle_price = amount_text(*price);
            }
        }
        form
    }

    /// The use case's input, with what the page itself could not read told at its field.
    pub fn input(&self, lang: Lang, merchant: &Merchant, errors: &mut Fields) -> PromotionInput {
        let kind = self.kind(lang, merchant, errors);
        let optional = |raw: &str| Some(raw.trim().to_owned()).filter(|raw| !raw.is_empty());
        let happy_hour =
            (!self.weekdays.is_empty() || optional(&self.hours_start).is_some() || optional(&self.hours_end).is_some())
                .then(|| HappyHourInput {
                    weekdays: self.weekdays.iter().filter_map(|day| day.parse::<u8>().ok()).collect(),
                    start: self.hours_start.trim().to_owned(),
                    end: self.hours_end.trim().to_owned(),
                });
        let min_spend = optional(&self.min_spend).and_then(|raw| {
            let amount = parse_amount(&raw, merchant.currency);
            if amount.is_none() {
                errors.add("min_spend", amount_problem(lang, merchant));
            }
            amount
        });
        let priority = match parse_count(&self.priority) {
            Ok(priority) => priority.and_then(|p| i32::try_from(p).ok()).unwrap_or(0),
            Err(()) => {
                errors.add("priority", lang.text("console.pricing.problem.whole", &[]));
                0
            }
        };
        PromotionInput {
            merchant_id: Some(merchant.id.clone()),
            site_id: None,
            name: self.name.clone(),
            funded_by: optional(&self.funded_by),
            kind,
            channels: self.channels.clone(),
            location_ids: self.location_ids.clone(),
            valid_from: optional(&self.valid_from),
            valid_to: optional(&self.valid_to),
            happy_hour,
            min_spend,
            requires_coupon: self.requires_coupon,
            priority,
            exclusive: self.exclusive,
            active: Some(self.active),
        }
    }

    /// The kind typed; a stand-in (10 % off) when the page already told what is wrong with it.
    fn kind(&self, lang: Lang, merchant: &Merchant, errors: &mut Fields) -> PromotionKind {
        let mut percent = |input: &str, raw: &str| {
            parse_percent(raw).and_then(|bps| u32::try_from(bps).ok()).unwrap_or_else(|| {
                errors.add(input, lang.text("console.pricing.problem.percent", &[]));
                1000
            })
        };
        let skus = split_skus(&self.skus);
        match self.kind.as_str() {
            "percent_off_order" => PromotionKind::PercentOffOrder { bps: percent("percent", &self.percent) },
            "percent_off_lines" => PromotionKind::PercentOffLines { bps: percent("percent", &self.percent), skus },
            "buy_x_get_y" => {
                let get_off_bps = percent("get_off", &self.get_off);
                let buy = self.count(lang, "buy", &self.buy, errors);
                let get = self.count(lang, "get", &self.get, errors);
                PromotionKind::BuyXGetY { skus, buy, get, get_off_bps }
            }
            "amount_off_order" => {
                PromotionKind::AmountOffOrder { amount: self.money(lang, merchant, "amount", &self.amount, errors) }
            }
            "amount_off_lines" => PromotionKind::AmountOffLines {
                amount: self.money(lang, merchant, "amount", &self.amount, errors),
                skus,
            },
            "bundle" => {
                let price = self.money(lang, merchant, "bundle_price", &self.bundle_price, errors);
                PromotionKind::Bundle { components: self.components(lang, errors), price }
            }
            _ => {
                errors.add("kind", lang.text("console.pricing.problem.kind", &[]));
                PromotionKind::PercentOffOrder { bps: 1000 }
            }
        }
    }

    fn count(&self, lang: Lang, input: &str, raw: &str, errors: &mut Fields) -> i64 {
        match parse_count(raw) {
            Ok(Some(count)) => count,
            Ok(None) | Err(()) => {
                errors.add(input, lang.text("console.pricing.problem.whole", &[]));
                1
            }
        }
    }

    fn money(&self, lang: Lang, merchant: &Merchant, input: &str, raw: &str, errors: &mut Fields) -> Money {
        parse_amount(raw, merchant.currency).unwrap_or_else(|| {
            errors.add(input, amount_problem(lang, merchant));
            Money::new(1, merchant.currency)
        })
    }

    /// `SKU quantity` per line (the quantity defaults to 1).
    fn components(&self, lang: Lang, errors: &mut Fields) -> Vec<BundleComponent> {
        let lines = self.components.lines().map(str::trim).filter(|line| !line.is_empty()).take(501);
        lines
            .map(|line| {
                let mut words = line.split_whitespace();
                let sku = words.next().unwrap_or_default().to_owned();
                let quantity = match words.next().map(str::parse::<i64>) {
                    None => 1,
                    Some(Ok(quantity)) => quantity,
                    Some(Err(_)) => {
                        errors
                            .add("components", lang.text("console.pricing.problem.component", &[("sku", sku.clone())]));
                        1
                    }
                };
                BundleComponent { sku, quantity }
            })
            .collect()
    }

    /// What the template shows back.
    pub fn view(&self) -> Value {
        context! {
            name => self.name, kind => self.kind, percent => self.percent, amount => self.amount,
            skus => self.skus, buy => self.buy, get => self.get, get_off => self.get_off,
            components => self.components, bundle_price => self.bundle_price,
            valid_from => self.valid_from, valid_to => self.valid_to,
            channels => self.channels, location_ids => self.location_ids, weekdays => self.weekdays,
            hours_start => self.hours_start, hours_end => self.hours_end, min_spend => self.min_spend,
            requires_coupon => self.requires_coupon, exclusive => self.exclusive,
            priority => self.priority, funded_by => self.funded_by, active => self.active,
        }
    }
}

fn amount_problem(lang: Lang, merchant: &Merchant) -> String {
    lang.text("console.pricing.problem.price", &[("currency", merchant.currency.code().to_owned())])
}

/// SKUs typed with spaces, commas or one per line.
fn split_skus(raw: &str) -> Vec<String> {
    raw.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|sku| !sku.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What a promotion gives, as the list says it.
pub(super) fn kind_text(lang: Lang, kind: &PromotionKind) -> String {
    let skus_text = |skus: &[String]| {
        if skus.is_empty() { lang.text("console.pricing.kind_text.all_products", &[]) } else { skus.join(", ") }
    };
    let key = |name: &str| format!("console.pricing.kind_text.{name}");
    match kind {
        PromotionKind::PercentOffOrder { bps } => {
            lang.text(&key("percent_off_order"), &[("percent", percent_text(i64::from(*bps)))])
        }
        PromotionKind::PercentOffLines { bps, skus } => lang
            .text(&key("percent_off_lines"), &[("percent", percent_text(i64::from(*bps))), ("skus", skus_text(skus))]),
        PromotionKind::AmountOffOrder { amount } => {
            lang.text(&key("amount_off_order"), &[("amount", amount.display())])
        }
        PromotionKind::AmountOffLines { amount, skus } => {
            lang.text(&key("amount_off_lines"), &[("amount", amount.display()), ("skus", skus_text(skus))])
        }
        PromotionKind::BuyXGetY { skus, buy, get, get_off_bps } => lang.text(
            &key("buy_x_get_y"),
            &[
                ("buy", buy.to_string()),
                ("get", get.to_string()),
                ("percent", percent_text(i64::from(*get_off_bps))),
                ("skus", skus.join(", ")),
            ],
        ),
        PromotionKind::Bundle { components, price } => {
            let parts = components.iter().map(|c| format!("{}×{}", c.quantity, c.sku)).collect::<Vec<_>>().join(" + ");
            lang.text(&key("bundle"), &[("components", parts), ("price", price.display())])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnicanal_domain::Currency;

    fn merchant() -> Merchant {
        Merchant { id: "mer_1".into(), name: "Heladería".into(), currency: Currency::Clp, timezone: "UTC".into() }
    }

    #[test]
    fn the_posted_pairs_become_the_use_case_input() {
        let pairs: Vec<(String, String)> = [
            ("name", "Tarde"),
            ("kind", "buy_x_get_y"),
            ("skus", "HELADO, CONO\nBARQUILLO"),
            ("buy", "2"),
            ("get", "1"),
            ("get_off", "50"),
            ("channels", "web"),
            ("channels", "qr"),
            ("weekdays", "1"),
            ("weekdays", "5"),
            ("hours_start", "15:00"),
            ("hours_end", "18:00"),
            ("min_spend", "5.000"),
            ("requires_coupon", "on"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let form = PromotionForm::from_pairs(&pairs);
        let mut errors = Fields::default();
        let input = form.input(Lang::Es, &merchant(), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            input.kind,
            PromotionKind::BuyXGetY {
                skus: vec!["HELADO".into(), "CONO".into(), "BARQUILLO".into()],
                buy: 2,
                get: 1,
                get_off_bps: 5000
            }
        );
        assert_eq!(input.channels, ["web", "qr"]);
        assert_eq!(input.happy_hour.map(|h| h.weekdays), Some(vec![1, 5]));
        assert_eq!(input.min_spend.map(|m| m.amount_minor), Some(5000));
        assert!(input.requires_coupon && !input.exclusive && input.active == Some(false));
    }

    #[test]
    fn what_is_not_a_number_is_told_at_its_field() {
        let form = PromotionForm {
            kind: "percent_off_order".into(),
            percent: "diez".into(),
            priority: "alta".into(),
            ..PromotionForm::blank()
        };
        let mut errors = Fields::default();
        form.input(Lang::En, &merchant(), &mut errors);
        assert!(errors.0.contains_key("percent") && errors.0.contains_key("priority"), "{errors:?}");
    }
}
