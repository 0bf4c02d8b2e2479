//! The menu page's words for what the catalog stores as codes and figures: a promotion's short
//! label ("2×1 hoy", "Happy hour -10% hasta las 18:00") and a dish's allergens, each from the
//! page's language catalog (`promo.*`, `allergen.*`), never in the server's words.

use omnicanal_app::catalog::{MenuPromotion, PromotionEnds};
use omnicanal_domain::dish::Allergen;
use omnicanal_domain::pricing::PromotionKind;

use super::i18n::Lang;

/// The short label of a promotion on now: what it gives, "Happy hour" when it is one, and
/// when it ends if that is today.
pub(crate) fn promotion_label(lang: Lang, promotion: &MenuPromotion) -> String {
    let offer = match &promotion.kind {
        PromotionKind::PercentOffLines { bps, .. } | PromotionKind::PercentOffOrder { bps } => {
            lang.text("promo.percent_off", &[("percent", percent(lang, *bps))])
        }
        PromotionKind::AmountOffLines { amount, .. } | PromotionKind::AmountOffOrder { amount } => {
            lang.text("promo.amount_off", &[("amount", amount.display())])
        }
        PromotionKind::BuyXGetY { buy, get, get_off_bps, .. } if *get_off_bps >= 10_000 => {
            lang.text("promo.buy_x_get_y_free", &[("total", (buy + get).to_string()), ("paid", buy.to_string())])
        }
        PromotionKind::BuyXGetY { buy, get, get_off_bps, .. } => lang.text(
            "promo.buy_x_get_y_off",
            &[("total", (buy + get).to_string()), ("get", get.to_string()), ("percent", percent(lang, *get_off_bps))],
        ),
        PromotionKind::Bundle { price, .. } => lang.text("promo.bundle", &[("price", price.display())]),
    };
    let offer = if promotion.happy_hour { lang.text("promo.happy_hour", &[("offer", offer)]) } else { offer };
    match &promotion.ends {
        PromotionEnds::Later => offer,
        PromotionEnds::Today => lang.text("promo.ends_today", &[("offer", offer)]),
        PromotionEnds::At { local_time } => {
            lang.text("promo.ends_at", &[("offer", offer), ("time", local_time.clone())])
        }
    }
}

/// Basis points as a percentage: "10", or "12,5" in Spanish and "12.5" in English.
fn percent(lang: Lang, bps: u32) -> String {
    let (whole, hundredths) = (bps / 100, bps % 100);
    if hundredths == 0 {
        return whole.to_string();
    }
    let fraction = format!("{hundredths:02}");
    let separator = if lang == Lang::Es { "," } else { "." };
    format!("{whole}{separator}{}", fraction.trim_end_matches('0'))
}

/// An allergen's name in the page's language.
pub(crate) fn allergen_label(lang: Lang, allergen: Allergen) -> String {
    lang.text(&format!("allergen.{}", allergen.as_str()), &[])
}

#[cfg(test)]
mod tests {
    use omnicanal_domain::{Currency, Money};

    use super::*;

    fn promotion(kind: PromotionKind, happy_hour: bool, ends: PromotionEnds) -> MenuPromotion {
        MenuPromotion { id: "p".into(), name: "p".into(), kind, happy_hour, ends_at_ms: None, ends }
    }

    #[test]
    fn labels_read_as_the_visitor_says_them() {
        let two_for_one = PromotionKind::BuyXGetY { skus: vec!["T".into()], buy: 1, get: 1, get_off_bps: 10_000 };
        assert_eq!(promotion_label(Lang::Es, &promotion(two_for_one.clone(), false, PromotionEnds::Today)), "2×1 hoy");
        assert_eq!(promotion_label(Lang::En, &promotion(two_for_one, false, PromotionEnds::Later)), "2×1");
        let at_six = PromotionEnds::At { local_time: "18:00".into() };
        let happy = promotion(PromotionKind::PercentOffOrder { bps: 1_000 }, true, at_six);
        assert_eq!(promotion_label(Lang::Es, &happy), "Happy hour -10% hasta las 18:00");
        assert_eq!(promotion_label(Lang::En, &happy), "Happy hour -10% until 18:00");
        let combo = PromotionKind::Bundle { components: vec![], price: Money::new(10_990, Currency::Clp) };
        assert_eq!(promotion_label(Lang::Es, &promotion(combo, false, PromotionEnds::Later)), "Combo a $10.990");
        assert_eq!(percent(Lang::Es, 1_250), "12,5");
        assert_eq!(allergen_label(Lang::Es, Allergen::Peanuts), "Maní");
        for allergen in Allergen::ALL {
            for lang in [Lang::Es, Lang::En] {
                assert!(!allergen_label(lang, *allergen).starts_with("allergen."), "{allergen} has no {lang:?} text");
            }
        }
    }
}
