//! The promotions a menu announces, and where: the ones a visitor gets now through the menu's
//! channel without a coupon, each placed where it applies — on the dishes it names (a 2×1, a
//! combo, a percentage off some SKUs), on a restaurant when it covers all of that restaurant's
//! dishes, on the site when it covers every restaurant (the mall's happy hour).
//!
//! What a label says is worked out here from the promotion itself (its kind, its amounts, when
//! the stretch that is on now ends, in the site's zone), so the JSON menu and the page agree; the
//! words come from each page's catalog. A promotion a menu shows is a promise of the pricing
//! engine, which decides the price: both read the same gates (`Promotion::offered_now`).

use chrono::{Duration, TimeZone};
use omnicanal_domain::pricing::{Promotion, PromotionKind};
use omnicanal_store::LocationRow;

use crate::local_time::local_time;

/// An end further off than this is not announced ("hasta las 01:00" is clear late at night,
/// "hasta las 14:00" tomorrow would read as today).
const ANNOUNCED_END_WITHIN_MS: i64 = 12 * 60 * 60 * 1_000;

/// When an announced promotion stops, as the visitor reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromotionEnds {
    /// Not soon (or never): nothing to say.
    Later,
    /// At the end of today, local time ("hoy").
    Today,
    /// At this local time within the next hours ("hasta las 18:00").
    At {
        /// `HH:MM` in the site's zone.
        local_time: String,
    },
}

/// A promotion on the menu, with what its label needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuPromotion {
    /// The promotion's id.
    pub id: String,
    /// Its name, as its merchant wrote it.
    pub name: String,
    /// What it gives (the label's figures: percentage, amount, buy and get, combo price).
    pub kind: PromotionKind,
    /// Whether it is a happy hour (on only some hours of some days).
    pub happy_hour: bool,
    /// When the stretch that is on now ends (Unix ms); `None` when nothing bounds it.
    pub ends_at_ms: Option<i64>,
    /// The same end, as the label says it.
    pub ends: PromotionEnds,
}

/// The promotions on now for one menu, ready to be placed.
pub(crate) struct MenuOffers {
    offers: Vec<(Promotion, MenuPromotion)>,
}

impl MenuOffers {
    /// The promotions of `promotions` a visitor gets now through `channel` without a coupon,
    /// highest priority first.
    pub(crate) fn new(mut promotions: Vec<Promotion>, channel: &str, now_ms: i64, timezone: &str) -> Self {
        let local = local_time(timezone, now_ms);
        promotions.retain(|promotion| promotion.offered_now(channel, now_ms, local));
        promotions.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.id.cmp(&b.id)));
        let offers = promotions
            .into_iter()
            .map(|promotion| {
                let ends_at_ms = promotion.on_until_ms(now_ms, local);
                let offer = MenuPromotion {
                    id: promotion.id.clone(),
                    name: promotion.name.clone(),
                    kind: promotion.kind.clone(),
                    happy_hour: promotion.happy_hour.is_some(),
                    ends: ends_at_ms.map_or(PromotionEnds::Later, |end| ends_as_read(now_ms, end, timezone)),
                    ends_at_ms,
                };
                (promotion, offer)
            })
            .collect();
        Self { offers }
    }

    /// Those that cover every dish of every restaurant at the site.
    pub(crate) fn site_wide(&self) -> Vec<MenuPromotion> {
        self.placed(|promotion| {
            promotion.merchant_id.is_none() && promotion.location_ids.is_empty() && promotion.kind.skus().is_empty()
        })
    }

    /// Those that cover every dish of `location` (and are not site-wide).
    pub(crate) fn for_location(&self, location: &LocationRow) -> Vec<MenuPromotion> {
        self.placed(|promotion| {
            covers(promotion, location)
                && promotion.kind.skus().is_empty()
                && !(promotion.merchant_id.is_none() && promotion.location_ids.is_empty())
        })
    }

    /// Those at `location` that name one of `skus` (a product's variants).
    pub(crate) fn for_product(&self, location: &LocationRow, skus: &[&str]) -> Vec<MenuPromotion> {
        self.placed(|promotion| {
            covers(promotion, location) && promotion.kind.skus().iter().any(|sku| skus.contains(sku))
        })
    }

    fn placed(&self, wanted: impl Fn(&Promotion) -> bool) -> Vec<MenuPromotion> {
        self.offers.iter().filter(|(promotion, _)| wanted(promotion)).map(|(_, offer)| offer.clone()).collect()
    }
}

/// Whether the promotion's scope includes the location: its merchant's (or the site's) and, when
/// it names locations, one of them.
fn covers(promotion: &Promotion, location: &LocationRow) -> bool {
    promotion.merchant_id.as_ref().is_none_or(|merchant| merchant == &location.merchant_id)
        && (promotion.location_ids.is_empty() || promotion.location_ids.contains(&location.id))
}

/// "hoy" for an end at the close of today (23:59 or the next midnight), "hasta las HH:MM" for
/// an end within the next hours, nothing for an end further off.
fn ends_as_read(now_ms: i64, end_ms: i64, timezone: &str) -> PromotionEnds {
    let zone = timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    let (Some(now), Some(end)) =
        (zone.timestamp_millis_opt(now_ms).single(), zone.timestamp_millis_opt(end_ms).single())
    else {
        return PromotionEnds::Later;
    };
    let today = now.date_naive();
    let time = end.format("%H:%M").to_string();
    let ends_today = end.date_naive() == today;
    let at_next_midnight = end.date_naive() == today + Duration::days(1) && time == "00:00";
    if (ends_today && time.as_str() >= "23:59") || at_next_midnight {
        PromotionEnds::Today
    } else if end_ms - now_ms <= ANNOUNCED_END_WITHIN_MS {
        PromotionEnds::At { local_time: time }
    } else {
        PromotionEnds::Later
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-12-02 16:30 in Santiago (UTC-3 in summer).
    const TUESDAY_1630_SANTIAGO_MS: i64 = 1_764_703_800_000;
    const HOUR_MS: i64 = 3_600_000;

    #[test]
    fn ends_are_read_in_the_sites_zone() {
        let now = TUESDAY_1630_SANTIAGO_MS;
        let zone = "America/Santiago";
        assert_eq!(ends_as_read(now, now + 90 * 60_000, zone), PromotionEnds::At { local_time: "18:00".into() });
        assert_eq!(ends_as_read(now, now + 7 * HOUR_MS + 30 * 60_000, zone), PromotionEnds::Today, "midnight");
        assert_eq!(ends_as_read(now, now + 9 * HOUR_MS, zone), PromotionEnds::At { local_time: "01:30".into() });
        assert_eq!(ends_as_read(now, now + 30 * HOUR_MS, zone), PromotionEnds::Later);
    }
}
