//! Magento's `searchCriteria` as the fake reads it from a GET query string, and the list answer
//! it makes (`{items, search_criteria, total_count}`).
//!
//! Follows "Search using REST endpoints"
//! (<https://developer.adobe.com/commerce/webapi/rest/use-rest/performing-searches/>): filters
//! inside one `filter_groups` entry are ORed, groups are ANDed; `condition_type` defaults to
//! `eq`; `in`/`nin` take comma-separated values. Both spellings Magento accepts are read
//! (`filter_groups`/`filterGroups`, `page_size`/`pageSize`, `current_page`/`currentPage`,
//! `sort_orders`/`sortOrders`). As the real shop does, a `currentPage` past the end answers the
//! last page again (clients must stop by `total_count`).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde_json::{Value, json};

/// One filter: `field condition value`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub field: String,
    pub value: String,
    pub condition: String,
    /// `value` split at commas, for `in`/`nin` (split once, not per item).
    pub listed: std::collections::BTreeSet<String>,
}

/// A parsed `searchCriteria`.
#[derive(Debug, Clone, Default)]
pub struct SearchCriteria {
    /// ANDed groups of ORed filters.
    pub groups: Vec<Vec<Filter>>,
    /// `(field, ascending)`.
    pub sort: Vec<(String, bool)>,
    pub page_size: Option<usize>,
    pub current_page: Option<usize>,
}

/// Magento names the same key in snake_case or camelCase; the fake keeps snake_case.
fn canonical(segment: &str) -> &str {
    match segment {
        "filterGroups" => "filter_groups",
        "pageSize" => "page_size",
        "currentPage" => "current_page",
        "sortOrders" => "sort_orders",
        "conditionType" => "condition_type",
        other => other,
    }
}

impl SearchCriteria {
    /// Reads `searchCriteria[...]` pairs of a query string (already URL-decoded).
    pub fn parse(pairs: &[(String, String)]) -> SearchCriteria {
        // group index → filter index → (key → value); sort index → (key → value)
        let mut groups: BTreeMap<usize, BTreeMap<usize, BTreeMap<String, String>>> = BTreeMap::new();
        let mut sorts: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
        let mut criteria = SearchCriteria::default();
        for (key, value) in pairs {
            let Some(rest) = key.strip_prefix("searchCriteria") else { continue };
            let segments: Vec<&str> =
                rest.split(['[', ']']).filter(|segment| !segment.is_empty()).map(canonical).collect();
            match segments.as_slice() {
                ["page_size"] => criteria.page_size = value.parse().ok(),
                ["current_page"] => criteria.current_page = value.parse().ok(),
                ["filter_groups", group, "filters", filter, name] => {
                    if let (Ok(group), Ok(filter)) = (group.parse(), filter.parse()) {
                        let entry = groups.entry(group).or_default().entry(filter).or_default();
                        entry.insert(canonical(name).to_owned(), value.clone());
                    }
                }
                ["sort_orders", index, name] => {
                    if let Ok(index) = index.parse() {
                        sorts.entry(index).or_default().insert((*name).to_owned(), value.clone());
                    }
                }
                _ => {}
            }
        }
        criteria.groups = groups
            .into_values()
            .map(|filters| {
                filters
                    .into_values()
                    .map(|mut parts| {
                        let value = parts.remove("value").unwrap_or_default();
                        Filter {
                            field: parts.remove("field").unwrap_or_default(),
                            listed: value.split(',').map(|one| one.trim().to_owned()).collect(),
                            value,
                            condition: parts.remove("condition_type").unwrap_or_else(|| "eq".into()),
                        }
                    })
                    .collect()
            })
            .collect();
        criteria.sort = sorts
            .into_values()
            .filter_map(|mut parts| {
                let field = parts.remove("field")?;
                let ascending = !parts.get("direction").is_some_and(|direction| direction.eq_ignore_ascii_case("desc"));
                Some((field, ascending))
            })
            .collect();
        criteria
    }

    /// Filters, sorts and pages `items` (JSON objects whose top-level fields are searched), and
    /// answers Magento's list shape.
    pub fn answer(&self, items: Vec<Value>) -> Value {
        self.answer_with(items, |item, name| item.get(name).cloned(), Clone::clone)
    }

    /// Like [`answer`](Self::answer), over records that become JSON only when on the page:
    /// `field` reads one searchable field, `to_json` writes a record (a 5,000-SKU catalogue
    /// is paged without writing 5,000 products per request).
    pub fn answer_with<T>(
        &self,
        items: Vec<T>,
        field: impl Fn(&T, &str) -> Option<Value>,
        to_json: impl Fn(&T) -> Value,
    ) -> Value {
        let mut matching: Vec<T> = items.into_iter().filter(|item| self.matches(&|name| field(item, name))).collect();
        for (name, ascending) in self.sort.iter().rev() {
            matching.sort_by(|a, b| {
                let order = compare(field(a, name).as_ref(), field(b, name).as_ref());
                if *ascending { order } else { order.reverse() }
            });
        }
        let total_count = matching.len();
        let page_items: Vec<Value> = match self.page_size.filter(|size| *size > 0) {
            None => matching.iter().map(to_json).collect(),
            Some(size) => {
                let last_page = total_count.div_ceil(size).max(1);
                let page = self.current_page.unwrap_or(1).clamp(1, last_page);
                matching.iter().skip((page - 1) * size).take(size).map(to_json).collect()
            }
        };
        let filter_groups: Vec<Value> = self
            .groups
            .iter()
            .map(|filters| {
                let filters: Vec<Value> = filters
                    .iter()
                    .map(|f| json!({"field": f.field, "value": f.value, "condition_type": f.condition}))
                    .collect();
                json!({ "filters": filters })
            })
            .collect();
        let mut search_criteria = json!({ "filter_groups": filter_groups });
        if let Some(size) = self.page_size {
            search_criteria["page_size"] = json!(size);
        }
        if let Some(page) = self.current_page {
            search_criteria["current_page"] = json!(page);
        }
        json!({ "items": page_items, "search_criteria": search_criteria, "total_count": total_count })
    }

    fn matches(&self, field: &dyn Fn(&str) -> Option<Value>) -> bool {
        self.groups.iter().all(|group| group.iter().any(|filter| filter_matches(filter, field(&filter.field).as_ref())))
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Numbers compare as numbers, everything else as text (Magento's dates, `YYYY-MM-DD HH:MM:SS`,
/// order correctly as text).
fn compare_text(left: &str, right: &str) -> Ordering {
    match (left.parse::<f64>(), right.parse::<f64>()) {
        (Ok(l), Ok(r)) => l.partial_cmp(&r).unwrap_or(Ordering::Equal),
        _ => left.cmp(right),
    }
}

fn compare(left: Option<&Value>, right: Option<&Value>) -> Ordering {
    match (left, right) {
        (Some(l), Some(r)) => compare_text(&text_of(l), &text_of(r)),
        (l, r) => l.is_some().cmp(&r.is_some()),
    }
}

fn filter_matches(filter: &Filter, field: Option<&Value>) -> bool {
    let present = field.filter(|value| !value.is_null());
    let Some(value) = present else {
        return filter.condition == "null";
    };
    let text = text_of(value);
    let listed = || filter.listed.contains(&text);
    let order = compare_text(&text, &filter.value);
    match filter.condition.as_str() {
        "eq" => text == filter.value,
        "neq" => text != filter.value,
        "in" => listed(),
        "nin" => !listed(),
        "gt" => order == Ordering::Greater,
        "gteq" | "moreq" | "from" => order != Ordering::Less,
        "lt" => order == Ordering::Less,
        "lteq" | "to" => order != Ordering::Greater,
        "like" => like(&text, &filter.value),
        "nlike" => !like(&text, &filter.value),
        "notnull" => true,
        _ => false,
    }
}

/// SQL `LIKE` with `%` wildcards only (what the docs' examples use).
fn like(text: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('%').collect();
    let mut rest = text;
    for (index, part) in parts.iter().enumerate() {
        if index == 0 {
            let Some(after) = rest.strip_prefix(part) else { return false };
            rest = after;
        } else if index == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}
