//! Which promotions are on now, and until when: what a menu announces beside the dishes.
//!
//! The engine decides what a cart is charged; a menu only says which promotions a visitor would
//! get without a coupon at this moment through this channel, so it asks the same time and channel
//! gates the engine asks first ([`Promotion::time_and_channel_gate`], shared by both), and when
//! the stretch that is on now ends, so the page can say "hasta las 18:00".

use super::promotion::{LocalTime, NotAppliedReason, Promotion};

const MINUTE_MS: i64 = 60_000;
const DAY_MINUTES: i64 = 1_440;

impl Promotion {
    /// The gates that depend only on the moment and the channel, not on a cart: switched off,
    /// not started, expired, another channel, outside its happy hour. `None`: it passes them.
    pub fn time_and_channel_gate(&self, channel: &str, now_ms: i64, local: LocalTime) -> Option<NotAppliedReason> {
        if !self.active {
            return Some(NotAppliedReason::Inactive);
        }
        if self.valid_from_ms.is_some_and(|from| now_ms < from) {
            return Some(NotAppliedReason::NotStarted);
        }
        if self.valid_to_ms.is_some_and(|to| now_ms >= to) {
            return Some(NotAppliedReason::Expired);
        }
        if !self.channels.is_empty() && !self.channels.iter().any(|c| c == channel) {
            return Some(NotAppliedReason::WrongChannel);
        }
        if self.happy_hour.as_ref().is_some_and(|hours| !hours.contains(local)) {
            return Some(NotAppliedReason::OutsideHappyHour);
        }
        None
    }

    /// Whether a visitor gets it now through `channel` without typing a coupon (a cart may still
    /// fall short of its minimum or its group size).
    pub fn offered_now(&self, channel: &str, now_ms: i64, local: LocalTime) -> bool {
        !self.requires_coupon && self.time_and_channel_gate(channel, now_ms, local).is_none()
    }

    /// When the stretch it is on now ends: the end of its validity or of today's happy hour,
    /// whichever comes first; `None` when neither bounds it. Only meaningful while it is on.
    /// The happy hour's end is counted in whole minutes from `local` (the site's zones are
    /// whole-minute offsets), so no time-zone table is needed here.
    pub fn on_until_ms(&self, now_ms: i64, local: LocalTime) -> Option<i64> {
        let happy_hour_end = self.happy_hour.as_ref().map(|hours| {
            let (now_minute, end_minute) = (i64::from(local.minute), i64::from(hours.end_minute));
            let minutes_left =
                if end_minute > now_minute { end_minute - now_minute } else { end_minute + DAY_MINUTES - now_minute };
            now_ms - now_ms.rem_euclid(MINUTE_MS) + minutes_left * MINUTE_MS
        });
        match (self.valid_to_ms, happy_hour_end) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::promotion::HappyHour;
    use crate::pricing::{Funder, PromotionKind};

    fn promotion() -> Promotion {
        Promotion {
            id: "p".into(),
            name: "p".into(),
            merchant_id: None,
            funded_by: Funder::Operator,
            kind: PromotionKind::PercentOffOrder { bps: 1_000 },
            channels: vec!["qr".into()],
            location_ids: vec![],
            valid_from_ms: None,
            valid_to_ms: None,
            happy_hour: Some(HappyHour { weekdays: vec![1, 2, 3, 4, 5], start_minute: 15 * 60, end_minute: 18 * 60 }),
            min_spend: None,
            requires_coupon: false,
            priority: 0,
            exclusive: false,
            active: true,
        }
    }

    #[test]
    fn a_happy_hour_is_on_in_its_window_until_its_end() {
        let promo = promotion();
        // Wednesday 16:30:20 local; now_ms only matters through its seconds here.
        let local = LocalTime { weekday: 3, minute: 16 * 60 + 30 };
        let now_ms = 1_000 * MINUTE_MS + 20_000;
        assert!(promo.offered_now("qr", now_ms, local));
        assert!(!promo.offered_now("web", now_ms, local), "another channel");
        assert!(!promo.offered_now("qr", now_ms, LocalTime { weekday: 6, minute: 16 * 60 }), "Saturday");
        assert_eq!(promo.on_until_ms(now_ms, local), Some(1_090 * MINUTE_MS), "90 minutes left, to 18:00");
        let mut ends_sooner = promo.clone();
        ends_sooner.valid_to_ms = Some(1_010 * MINUTE_MS);
        assert_eq!(ends_sooner.on_until_ms(now_ms, local), Some(1_010 * MINUTE_MS));
        let mut coupon = promo;
        coupon.requires_coupon = true;
        assert!(!coupon.offered_now("qr", now_ms, local), "a coupon's promotion is not announced");
    }

    #[test]
    fn a_window_past_midnight_ends_the_next_day() {
        let mut promo = promotion();
        promo.happy_hour = Some(HappyHour { weekdays: vec![5], start_minute: 22 * 60, end_minute: 60 });
        let local = LocalTime { weekday: 5, minute: 23 * 60 };
        assert_eq!(promo.on_until_ms(0, local), Some(120 * MINUTE_MS));
        promo.happy_hour = None;
        assert_eq!(promo.on_until_ms(0, local), None);
    }
}
