//! A promotion as the menu announces it: the parts its short label is built from ("2×1 hoy",
//! "Happy hour -10% hasta las 18:00"), not the label itself, so every client words it in its
//! own language.

use omnicanal_app::catalog::{MenuPromotion, PromotionEnds};
use omnicanal_domain::pricing::PromotionKind;
use serde::Serialize;
use utoipa::ToSchema;

use super::MoneyView;

/// A promotion on now, where it applies on the menu.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuPromotionView {
    /// The promotion's id.
    pub id: String,
    /// Its name, as its merchant wrote it.
    pub name: String,
    /// `percent_off`, `amount_off`, `buy_x_get_y` or `bundle`.
    #[schema(example = "buy_x_get_y")]
    pub kind: &'static str,
    /// Basis points off (`percent_off`), or off the discounted units (`buy_x_get_y`; 10000: free).
    pub bps: Option<u32>,
    /// Off each unit or the order (`amount_off`), or the combo's price (`bundle`).
    pub amount: Option<MoneyView>,
    /// Units paid in full per group (`buy_x_get_y`: 2×1 is buy 1, get 1).
    pub buy: Option<i64>,
    /// Units discounted per group (`buy_x_get_y`).
    pub get: Option<i64>,
    /// On only some hours of some days.
    pub happy_hour: bool,
    /// When the stretch that is on now ends (RFC 3339, UTC); null when nothing bounds it.
    pub ends_at: Option<String>,
    /// How a label says that end: `later` (nothing to say), `today` ("hoy") or `at_time`
    /// ("hasta las 18:00", with `ends_local_time`).
    #[schema(example = "at_time")]
    pub ends: &'static str,
    /// `HH:MM` in the site's time zone, when `ends` is `at_time`.
    pub ends_local_time: Option<String>,
}

impl MenuPromotionView {
    /// The views of a list, in its order.
    pub fn list(promotions: Vec<MenuPromotion>) -> Vec<Self> {
        promotions.into_iter().map(Self::from).collect()
    }
}

impl From<MenuPromotion> for MenuPromotionView {
    fn from(promotion: MenuPromotion) -> Self {
        let (kind, bps, amount, buy, get) = match promotion.kind {
            PromotionKind::PercentOffLines { bps, .. } | PromotionKind::PercentOffOrder { bps } => {
                ("percent_off", Some(bps), None, None, None)
            }
            PromotionKind::AmountOffLines { amount, .. } | PromotionKind::AmountOffOrder { amount } => {
                ("amount_off", None, Some(amount.into()), None, None)
            }
            PromotionKind::BuyXGetY { buy, get, get_off_bps, .. } => {
                ("buy_x_get_y", Some(get_off_bps), None, Some(buy), Some(get))
            }
            PromotionKind::Bundle { price, .. } => ("bundle", None, Some(price.into()), None, None),
        };
        let (ends, ends_local_time) = match promotion.ends {
            PromotionEnds::Later => ("later", None),
            PromotionEnds::Today => ("today", None),
            PromotionEnds::At { local_time } => ("at_time", Some(local_time)),
        };
        Self {
            id: promotion.id,
            name: promotion.name,
            kind,
            bps,
            amount,
            buy,
            get,
            happy_hour: promotion.happy_hour,
            ends_at: promotion.ends_at_ms.and_then(rfc3339),
            ends,
            ends_local_time,
        }
    }
}

fn rfc3339(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms).map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}
