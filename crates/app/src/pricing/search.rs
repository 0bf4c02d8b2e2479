//! Finding price lists and promotions by a part of their name, in a chosen order, one page at a
//! time — what the console's lists and `GET /price-lists?q=&sort=` / `GET /promotions?q=&sort=`
//! need — and switching a promotion off (ending it) or on again without retyping it.
//!
//! A merchant keeps a handful of lists and promotions (the conflict check already reads them
//! all), so the search reads a merchant's rows once, bounded by [`MOST_SEARCHED`], and filters
//! and sorts them here rather than in two dialects of SQL: the store stays as it is and the
//! order is the same on SQLite and PostgreSQL.

use std::cmp::Ordering;

use omnicanal_domain::events::ChangeAction;
use omnicanal_store::{Page, PriceListRow};

use super::price_lists::PRICE_MANAGERS;
use super::promotions::{PromotionQuery, PromotionRecord, promotion_event};
use crate::App;
use crate::audit::{AuditAction, AuditEntity, Change};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// Most rows one search reads; past this a merchant's oldest rows are searched only.
pub const MOST_SEARCHED: i64 = 10_000;
/// Longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 100;

/// The orders a list can be read in; `Created` (oldest first) is the API's historic order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Oldest first.
    #[default]
    Created,
    /// Newest first.
    CreatedDesc,
    /// By name, A to Z (case-insensitive).
    Name,
    /// By name, Z to A.
    NameDesc,
    /// By window start, open starts first.
    ValidFrom,
    /// By window start, latest first.
    ValidFromDesc,
}

impl Sort {
    /// Every value of `?sort=`, for the API's schema and the console's links.
    pub const VALUES: [&'static str; 6] = ["created", "-created", "name", "-name", "valid_from", "-valid_from"];

    /// Parses `created`, `name` or `valid_from`, each optionally prefixed by `-` (descending).
    pub fn parse(raw: &str) -> AppResult<Self> {
        match raw {
            "created" => Ok(Sort::Created),
            "-created" => Ok(Sort::CreatedDesc),
            "name" => Ok(Sort::Name),
            "-name" => Ok(Sort::NameDesc),
            "valid_from" => Ok(Sort::ValidFrom),
            "-valid_from" => Ok(Sort::ValidFromDesc),
            _ => Err(AppError::invalid("sort", format!("must be one of {}", Sort::VALUES.join(", ")))),
        }
    }

    /// The `?sort=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Created => "created",
            Sort::CreatedDesc => "-created",
            Sort::Name => "name",
            Sort::NameDesc => "-name",
            Sort::ValidFrom => "valid_from",
            Sort::ValidFromDesc => "-valid_from",
        }
    }

    fn compare(self, a: &Sortable<'_>, b: &Sortable<'_>) -> Ordering {
        let by_name = || a.name.to_lowercase().cmp(&b.name.to_lowercase());
        let by_start = || a.valid_from_ms.unwrap_or(i64::MIN).cmp(&b.valid_from_ms.unwrap_or(i64::MIN));
        let oldest_first = a.created_at_ms.cmp(&b.created_at_ms).then_with(|| a.id.cmp(b.id));
        match self {
            Sort::Created => oldest_first,
            Sort::CreatedDesc => oldest_first.reverse(),
            Sort::Name => by_name().then(oldest_first),
            Sort::NameDesc => by_name().reverse().then(oldest_first),
            Sort::ValidFrom => by_start().then(oldest_first),
            Sort::ValidFromDesc => by_start().reverse().then(oldest_first),
        }
    }
}

/// A search: a part of the name (any case; empty finds all), an order and a page.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Part of the name.
    pub text: String,
    /// The order.
    pub sort: Sort,
    /// The page.
    pub page: Page,
}

impl Search {
    /// Parses `?q=` (trimmed; longer than [`MAX_SEARCH_CHARS`] is refused) and `?sort=`.
    pub fn parse(text: Option<&str>, sort: Option<&str>, page: Page) -> AppResult<Self> {
        let text = text.unwrap_or_default().trim().to_owned();
        if text.chars().count() > MAX_SEARCH_CHARS {
            return Err(AppError::invalid("q", format!("must be at most {MAX_SEARCH_CHARS} characters")));
        }
        let sort = sort.map(Sort::parse).transpose()?.unwrap_or_default();
        Ok(Self { text, sort, page })
    }
}

/// One page of what a search found, and how many it found in all.
#[derive(Debug, Clone)]
pub struct Found<T> {
    /// The page's items.
    pub items: Vec<T>,
    /// Items found in all pages.
    pub total: usize,
}

/// What sorting looks at.
struct Sortable<'a> {
    id: &'a str,
    name: &'a str,
    valid_from_ms: Option<i64>,
    created_at_ms: i64,
}

/// Filters by name, sorts and cuts out the page.
fn found<T>(mut items: Vec<T>, search: &Search, key: impl Fn(&T) -> Sortable<'_>) -> Found<T> {
    let needle = search.text.to_lowercase();
    items.retain(|item| needle.is_empty() || key(item).name.to_lowercase().contains(&needle));
    items.sort_by(|a, b| search.sort.compare(&key(a), &key(b)));
    let total = items.len();
    let offset = usize::try_from(search.page.offset).unwrap_or(usize::MAX);
    let limit = usize::try_from(search.page.limit).unwrap_or(0);
    let items = items.into_iter().skip(offset).take(limit).collect();
    Found { items, total }
}

const EVERY_ROW: Page = Page { limit: MOST_SEARCHED, offset: 0 };

impl App {
    /// A merchant's price lists whose name contains the text, in the order asked (who may
    /// read them is [`App::list_price_lists`]'s rule).
    pub async fn search_price_lists(
        &self,
        caller: &Caller,
        merchant_id: Option<String>,
        search: &Search,
    ) -> AppResult<Found<PriceListRow>> {
        let rows = self.list_price_lists(caller, merchant_id, EVERY_ROW).await?;
        Ok(found(rows, search, |row| Sortable {
            id: &row.id,
            name: &row.name,
            valid_from_ms: row.valid_from_ms,
            created_at_ms: row.created_at_ms,
        }))
    }

    /// Promotions (as [`App::list_promotions`] chooses them) whose name contains the text.
    pub async fn search_promotions(
        &self,
        caller: &Caller,
        query: PromotionQuery,
        search: &Search,
    ) -> AppResult<Found<PromotionRecord>> {
        let records = self.list_promotions(caller, PromotionQuery { page: EVERY_ROW, ..query }).await?;
        Ok(found(records, search, |record| Sortable {
            id: &record.row.id,
            name: &record.row.name,
            valid_from_ms: record.definition.valid_from_ms,
            created_at_ms: record.row.created_at_ms,
        }))
    }

    /// Switches a promotion off (it ends: quotes stop applying it) or on again, keeping the rest
    /// of it, with its `price.changed` event. Admins, or its merchant's managers.
    pub async fn set_promotion_active(&self, caller: &Caller, id: &str, active: bool) -> AppResult<PromotionRecord> {
        caller.require(&PRICE_MANAGERS)?;
        let PromotionRecord { mut row, mut definition } =
            PromotionRecord::read(self.visible_promotion(caller, id).await?)?;
        Self::check_funder(caller, &definition)?;
        if definition.active == active && row.active == active {
            return Ok(PromotionRecord { row, definition });
        }
        let before = row.clone();
        definition.active = active;
        row.active = active;
        row.updated_at_ms = self.now_ms();
        row.definition_json =
            serde_json::to_string(&definition).map_err(|error| AppError::Internal(Box::new(error)))?;
        let event = promotion_event(&row, ChangeAction::Updated, row.updated_at_ms);
        self.store.replace_promotion(&row, &event).await?;
        self.committed();
        let action = if active { AuditAction::Activated } else { AuditAction::Deactivated };
        let change = Change::new(AuditEntity::Promotion, &row.id, action, row.merchant_id.as_deref());
        self.record_change(caller, change.before(&before).after(&row)).await;
        Ok(PromotionRecord { row, definition })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Item {
        id: &'static str,
        name: &'static str,
        from: Option<i64>,
        created: i64,
    }

    fn key(item: &Item) -> Sortable<'_> {
        Sortable { id: item.id, name: item.name, valid_from_ms: item.from, created_at_ms: item.created }
    }

    fn items() -> Vec<Item> {
        vec![
            Item { id: "a", name: "Navidad", from: Some(20), created: 1 },
            Item { id: "b", name: "almuerzo", from: None, created: 2 },
            Item { id: "c", name: "Noche", from: Some(10), created: 3 },
        ]
    }

    fn ids(search: &Search) -> (Vec<&'static str>, usize) {
        let found = found(items(), search, key);
        (found.items.iter().map(|item| item.id).collect(), found.total)
    }

    #[test]
    fn a_search_filters_by_any_case_sorts_and_pages() {
        let page = Page { limit: 10, offset: 0 };
        let by = |text: &str, sort: &str| Search::parse(Some(text), Some(sort), page).unwrap_or_default();
        assert_eq!(ids(&by("", "created")), (vec!["a", "b", "c"], 3));
        assert_eq!(ids(&by("", "-created")), (vec!["c", "b", "a"], 3));
        assert_eq!(ids(&by("", "name")), (vec!["b", "a", "c"], 3), "case does not matter");
        assert_eq!(ids(&by("", "valid_from")), (vec!["b", "c", "a"], 3), "an open start comes first");
        assert_eq!(ids(&by(" N ", "-name")), (vec!["c", "a"], 2), "two names hold an n; almuerzo none");
        let second = Search { page: Page { limit: 1, offset: 1 }, ..by("", "created") };
        assert_eq!(ids(&second), (vec!["b"], 3));
        assert!(Search::parse(None, Some("price"), page).is_err());
        assert!(Search::parse(Some(&"x".repeat(101)), None, page).is_err());
    }
}
