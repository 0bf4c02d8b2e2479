//! Price lists: a merchant's prices for a channel, a location or both, valid in a window.
//!
//! **Which price wins** (the one rule, used by every channel): for a line of SKU `s` sold at
//! location `l` through channel `c` at instant `t`, consider the merchant's active lists that
//! contain `s`, whose scope matches (`channel` empty or `c`; `location` empty or `l`) and whose
//! window contains `t` (`valid_from` inclusive, `valid_to` exclusive, either open). The most
//! specific scope wins — location and channel, then location, then channel, then a list with no
//! scope — and among lists of the same scope the innermost window wins (latest start, then
//! earliest end). With no such list the variant's base price applies.
//!
//! **Conflicts.** Two lists of one merchant with the same scope must have windows that are
//! disjoint or nested (one strictly inside the other, like a Christmas list inside the
//! year-round list); partly overlapping or identical windows would leave the winner to chance,
//! so [`check_conflicts`] refuses them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{DomainError, Money};

/// A price list as the engine sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    /// Identifier.
    pub id: String,
    /// Name shown in explanations.
    pub name: String,
    /// The merchant whose prices these are.
    pub merchant_id: String,
    /// Only for this channel, when set.
    pub channel: Option<String>,
    /// Only at this location, when set.
    pub location_id: Option<String>,
    /// Valid from this instant (Unix ms, inclusive), when set.
    pub valid_from_ms: Option<i64>,
    /// Valid until this instant (Unix ms, exclusive), when set.
    pub valid_to_ms: Option<i64>,
    /// Switched off lists are ignored.
    pub active: bool,
    /// Unit price by SKU.
    pub prices: HashMap<String, Money>,
}

impl PriceList {
    /// 3 for location and channel, 2 for location, 1 for channel, 0 for none.
    pub fn specificity(&self) -> u8 {
        u8::from(self.location_id.is_some()) * 2 + u8::from(self.channel.is_some())
    }

    /// Whether `now_ms` falls in the window.
    pub fn is_valid_at(&self, now_ms: i64) -> bool {
        self.valid_from_ms.is_none_or(|from| now_ms >= from) && self.valid_to_ms.is_none_or(|to| now_ms < to)
    }

    /// Whether the list applies to a line at `location_id` through `channel`.
    pub fn matches_scope(&self, location_id: &str, channel: &str) -> bool {
        self.channel.as_deref().is_none_or(|c| c == channel)
            && self.location_id.as_deref().is_none_or(|l| l == location_id)
    }

    fn same_scope(&self, other: &PriceList) -> bool {
        self.merchant_id == other.merchant_id && self.channel == other.channel && self.location_id == other.location_id
    }

    fn window(&self) -> (i64, i64) {
        (self.valid_from_ms.unwrap_or(i64::MIN), self.valid_to_ms.unwrap_or(i64::MAX))
    }
}

/// Checks a list's own window and that it does not conflict with `others` (see the module docs).
pub fn check_conflicts(list: &PriceList, others: &[PriceList]) -> Result<(), DomainError> {
    let (from, to) = list.window();
    if from >= to {
        return Err(DomainError::invalid("valid_to", "must be after valid_from"));
    }
    for other in others.iter().filter(|other| other.id != list.id && list.same_scope(other)) {
        let (other_from, other_to) = other.window();
        let disjoint = to <= other_from || other_to <= from;
        let inside = (from >= other_from && to <= other_to) && (from, to) != (other_from, other_to);
        let contains = (other_from >= from && other_to <= to) && (from, to) != (other_from, other_to);
        if !(disjoint || inside || contains) {
            return Err(DomainError::invalid(
                "valid_from",
                format!(
                    "the window overlaps price list {:?} ({}) of the same scope; windows of one scope must be disjoint or one inside the other",
                    other.name, other.id
                ),
            ));
        }
    }
    Ok(())
}

/// The winning list and its price for one line, by the module's rule.
pub fn resolve<'a>(
    lists: &'a [PriceList],
    merchant_id: &str,
    location_id: &str,
    channel: &str,
    sku: &str,
    now_ms: i64,
) -> Option<(&'a PriceList, Money)> {
    lists
        .iter()
        .filter(|list| {
            list.active
                && list.merchant_id == merchant_id
                && list.matches_scope(location_id, channel)
                && list.is_valid_at(now_ms)
        })
        .filter_map(|list| list.prices.get(sku).map(|price| (list, *price)))
        .max_by(|(a, _), (b, _)| {
            let (a_from, a_to) = a.window();
            let (b_from, b_to) = b.window();
            a.specificity().cmp(&b.specificity()).then(a_from.cmp(&b_from)).then(b_to.cmp(&a_to)).then(b.id.cmp(&a.id))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Currency;

    fn list(
        id: &str,
        channel: Option<&str>,
        location: Option<&str>,
        window: (Option<i64>, Option<i64>),
        price: i64,
    ) -> PriceList {
        PriceList {
            id: id.into(),
            name: id.into(),
            merchant_id: "m".into(),
            channel: channel.map(Into::into),
            location_id: location.map(Into::into),
            valid_from_ms: window.0,
            valid_to_ms: window.1,
            active: true,
            prices: HashMap::from([("PIZZA".to_owned(), Money::new(price, Currency::Clp))]),
        }
    }

    #[test]
    fn the_most_specific_valid_list_wins() {
        let lists = vec![
            list("all", None, None, (None, None), 100),
            list("web", Some("web"), None, (None, None), 90),
            list("l1", None, Some("l1"), (None, None), 80),
            list("l1-web", Some("web"), Some("l1"), (Some(0), Some(1_000)), 70),
        ];
        let price = |location: &str, channel: &str, now: i64| {
            resolve(&lists, "m", location, channel, "PIZZA", now)
                .map(|(list, price)| (list.id.clone(), price.amount_minor))
        };
        assert_eq!(price("l1", "web", 500), Some(("l1-web".into(), 70)));
        assert_eq!(price("l1", "web", 1_000), Some(("l1".into(), 80)), "the window's end is exclusive");
        assert_eq!(price("l1", "pos", 500), Some(("l1".into(), 80)));
        assert_eq!(price("l2", "web", 500), Some(("web".into(), 90)));
        assert_eq!(price("l2", "pos", 500), Some(("all".into(), 100)));
        assert_eq!(resolve(&lists, "other", "l1", "web", "PIZZA", 500).map(|(l, _)| l.id.clone()), None);
    }

    #[test]
    fn the_inner_window_of_one_scope_wins() {
        let lists =
            vec![list("year", None, None, (None, None), 100), list("xmas", None, None, (Some(10), Some(20)), 50)];
        assert_eq!(resolve(&lists, "m", "l", "qr", "PIZZA", 15).map(|(l, _)| l.id.as_str()), Some("xmas"));
        assert_eq!(resolve(&lists, "m", "l", "qr", "PIZZA", 25).map(|(l, _)| l.id.as_str()), Some("year"));
    }

    #[test]
    fn conflicting_windows_are_refused() {
        let existing = vec![list("a", None, None, (Some(10), Some(20)), 1)];
        assert!(check_conflicts(&list("b", None, None, (Some(15), Some(25)), 1), &existing).is_err());
        assert!(check_conflicts(&list("b", None, None, (Some(10), Some(20)), 1), &existing).is_err());
        assert!(check_conflicts(&list("b", None, None, (Some(12), Some(18)), 1), &existing).is_ok());
        assert!(check_conflicts(&list("b", None, None, (None, None), 1), &existing).is_ok());
        assert!(check_conflicts(&list("b", None, None, (Some(20), Some(30)), 1), &existing).is_ok());
        assert!(check_conflicts(&list("b", Some("web"), None, (Some(15), Some(25)), 1), &existing).is_ok());
        assert!(check_conflicts(&list("b", None, None, (Some(30), Some(20)), 1), &[]).is_err());
    }
}
