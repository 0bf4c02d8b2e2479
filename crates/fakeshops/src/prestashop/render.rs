//! How the fake writes its answers and reads list parameters, as the Webservice does: XML with
//! CDATA values under `<prestashop xmlns:xlink=…>`, and the `display`, `filter[…]`, `date`,
//! `sort` and `limit` parameters of the cheat sheet
//! (<https://devdocs.prestashop-project.org/8/webservice/cheat-sheet/>).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::state::{Combination, Order, Product, Shop, StockAvailable, decimal_text};

/// One field's value as the Webservice writes it.
pub(crate) enum Value {
    Text(String),
    /// A value with an `xlink:href` to the resource it names.
    Linked(String, String),
    /// A multilingual field: one `<language id="1">`.
    Language(String),
    /// Already-written XML (the `associations`).
    Raw(String),
}

impl Value {
    fn text(&self) -> &str {
        match self {
            Value::Text(text) | Value::Linked(text, _) | Value::Language(text) => text,
            Value::Raw(_) => "",
        }
    }
}

pub(crate) type Fields = Vec<(&'static str, Value)>;

pub(crate) const XML_HEAD: &str =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<prestashop xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n";

pub(crate) fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

fn text(value: impl ToString) -> Value {
    Value::Text(value.to_string())
}

/// A product's combinations and stock rows, gathered once per request (not once per product:
/// the 5,000-product catalogue would make every list quadratic).
#[derive(Default)]
pub(crate) struct Linked<'a> {
    pub combinations: Vec<&'a Combination>,
    pub stocks: Vec<&'a StockAvailable>,
}

pub(crate) fn linked_by_product(shop: &Shop) -> BTreeMap<u64, Linked<'_>> {
    let mut linked: BTreeMap<u64, Linked<'_>> = BTreeMap::new();
    for combination in shop.combinations.values() {
        linked.entry(combination.id_product).or_default().combinations.push(combination);
    }
    for stock in shop.stocks.values() {
        linked.entry(stock.id_product).or_default().stocks.push(stock);
    }
    linked
}

pub(crate) fn product_fields(product: &Product, linked: Option<&Linked<'_>>, api: &str) -> Fields {
    let mut combinations = String::new();
    for combination in linked.map_or(&[][..], |l| l.combinations.as_slice()) {
        combinations.push_str(&format!(
            "<combination xlink:href=\"{api}/combinations/{id}\"><id>{}</id></combination>",
            cdata(&combination.id.to_string()),
            id = combination.id
        ));
    }
    let mut stocks = String::new();
    for stock in linked.map_or(&[][..], |l| l.stocks.as_slice()) {
        stocks.push_str(&format!(
            "<stock_available xlink:href=\"{api}/stock_availables/{id}\"><id>{}</id><id_product_attribute>{}</id_product_attribute></stock_available>",
            cdata(&stock.id.to_string()),
            cdata(&stock.id_product_attribute.to_string()),
            id = stock.id
        ));
    }
    let associations = format!(
        "<combinations nodeType=\"combination\" api=\"combinations\">{combinations}</combinations>\
         <stock_availables nodeType=\"stock_available\" api=\"stock_availables\">{stocks}</stock_availables>"
    );
    let has_combinations = !combinations.is_empty();
    vec![
        ("id", text(product.id)),
        ("id_default_combination", text(if has_combinations { "1" } else { "0" })),
        ("type", text("simple")),
        ("reference", text(&product.reference)),
        ("ean13", text(&product.ean13)),
        ("price", text(decimal_text(product.price_micros))),
        ("active", text(1)),
        ("state", text(1)),
        ("date_add", text(&product.date_add)),
        ("date_upd", text(&product.date_upd)),
        ("name", Value::Language(product.name.clone())),
        ("description", Value::Language(product.description.clone())),
        ("associations", Value::Raw(associations)),
    ]
}

pub(crate) fn combination_fields(shop: &Shop, id: u64, api: &str) -> Option<Fields> {
    let combination = shop.combinations.get(&id)?;
    Some(vec![
        ("id", text(combination.id)),
        (
            "id_product",
            Value::Linked(combination.id_product.to_string(), format!("{api}/products/{}", combination.id_product)),
        ),
        ("reference", text(&combination.reference)),
        ("ean13", text(&combination.ean13)),
        ("price", text(decimal_text(combination.price_micros))),
        ("minimal_quantity", text(1)),
    ])
}

pub(crate) fn stock_fields(stock: &StockAvailable, api: &str) -> Fields {
    vec![
        ("id", text(stock.id)),
        ("id_product", Value::Linked(stock.id_product.to_string(), format!("{api}/products/{}", stock.id_product))),
        ("id_product_attribute", text(stock.id_product_attribute)),
        ("id_shop", text(1)),
        ("id_shop_group", text(0)),
        ("quantity", text(stock.quantity)),
        ("depends_on_stock", text(&stock.depends_on_stock)),
        ("out_of_stock", text(&stock.out_of_stock)),
        ("location", text(&stock.location)),
    ]
}

pub(crate) fn order_fields(order: &Order, api: &str) -> Fields {
    let mut rows = String::new();
    for row in &order.rows {
        rows.push_str(&format!(
            "<order_row><id>{}</id><product_id>{}</product_id><product_attribute_id>{}</product_attribute_id>\
             <product_quantity>{}</product_quantity><product_name>{}</product_name><product_reference>{}</product_reference>\
             <product_price>{}</product_price><unit_price_tax_incl>{}</unit_price_tax_incl><unit_price_tax_excl>{}</unit_price_tax_excl></order_row>",
            cdata(&row.id.to_string()),
            cdata(&row.product_id.to_string()),
            cdata(&row.product_attribute_id.to_string()),
            cdata(&row.product_quantity.to_string()),
            cdata(&row.product_name),
            cdata(&row.product_reference),
            cdata(&decimal_text(row.unit_price_micros)),
            cdata(&decimal_text(row.unit_price_micros)),
            cdata(&decimal_text(row.unit_price_micros)),
        ));
    }
    vec![
        ("id", text(order.id)),
        ("id_customer", Value::Linked(order.id_customer.to_string(), format!("{api}/customers/{}", order.id_customer))),
        ("id_currency", text(1)),
        (
            "current_state",
            Value::Linked(order.current_state.to_string(), format!("{api}/order_states/{}", order.current_state)),
        ),
        ("module", text("ps_checkpayment")),
        ("payment", text("Payment by check")),
        ("total_paid", text(decimal_text(order.total_paid_micros))),
        ("total_paid_tax_incl", text(decimal_text(order.total_paid_micros))),
        ("reference", text(&order.reference)),
        ("date_add", text(&order.date_add)),
        ("date_upd", text(&order.date_upd)),
        (
            "associations",
            Value::Raw(format!("<order_rows nodeType=\"order_row\" virtualEntity=\"true\">{rows}</order_rows>")),
        ),
    ]
}

/// Writes one resource's element (`<product>…</product>`), keeping only `keep`'s fields.
pub(crate) fn element(singular: &str, fields: &Fields, keep: &dyn Fn(&str) -> bool) -> String {
    let mut out = format!("<{singular}>\n");
    for (name, value) in fields.iter().filter(|(name, _)| keep(name)) {
        let inner = match value {
            Value::Text(text) => format!("<{name}>{}</{name}>", cdata(text)),
            Value::Linked(text, href) => format!("<{name} xlink:href=\"{href}\">{}</{name}>", cdata(text)),
            Value::Language(text) => {
                format!("<{name}><language id=\"1\" xlink:href=\"\">{}</language></{name}>", cdata(text))
            }
            Value::Raw(xml) => format!("<{name}>{xml}</{name}>"),
        };
        out.push('\t');
        out.push_str(&inner);
        out.push('\n');
    }
    out.push_str(&format!("</{singular}>\n"));
    out
}

pub(crate) fn document(body: &str) -> String {
    format!("{XML_HEAD}{body}</prestashop>\n")
}

pub(crate) fn error_document(code: u32, message: &str) -> String {
    document(&format!(
        "<errors>\n<error>\n<code>{}</code>\n<message>{}</message>\n</error>\n</errors>\n",
        cdata(&code.to_string()),
        cdata(message)
    ))
}

/// Which fields a list shows: only ids (the default), all, or the named ones.
pub(crate) enum Display {
    Ids,
    Full,
    Only(Vec<String>),
}

/// A list request's parameters, read from its query.
pub(crate) struct ListQuery {
    pub display: Display,
    filters: Vec<(String, String)>,
    sort: Vec<(String, bool)>,
    offset: usize,
    count: Option<usize>,
}

impl ListQuery {
    /// Reads the parameters; an error message for a request the Webservice would refuse.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, String> {
        let mut query =
            ListQuery { display: Display::Ids, filters: Vec::new(), sort: Vec::new(), offset: 0, count: None };
        let mut dates_allowed = false;
        for (key, value) in pairs {
            if key == "display" {
                query.display = match value.as_str() {
                    "full" => Display::Full,
                    fields => {
                        let inner = bracketed(fields).ok_or_else(|| format!("display: {fields} is not [field,...]"))?;
                        Display::Only(inner.split(',').map(|f| f.trim().to_owned()).collect())
                    }
                };
            } else if let Some(field) = key.strip_prefix("filter[").and_then(|rest| rest.strip_suffix(']')) {
                query.filters.push((field.to_owned(), value.clone()));
            } else if key == "sort" {
                let inner = bracketed(value).ok_or_else(|| format!("sort: {value} is not [field_ASC,...]"))?;
                for part in inner.split(',') {
                    let (field, way) =
                        part.rsplit_once('_').ok_or_else(|| format!("sort: {part} has no _ASC or _DESC"))?;
                    match way {
                        "ASC" => query.sort.push((field.to_owned(), true)),
                        "DESC" => query.sort.push((field.to_owned(), false)),
                        _ => return Err(format!("sort: {part} is neither _ASC nor _DESC")),
                    }
                }
            } else if key == "limit" {
                let numbers: Vec<Option<usize>> = value.split(',').map(|n| n.trim().parse().ok()).collect();
                match numbers.as_slice() {
                    [Some(count)] => query.count = Some(*count),
                    [Some(offset), Some(count)] => {
                        query.offset = *offset;
                        query.count = Some(*count);
                    }
                    _ => return Err(format!("limit: {value} is not a number or offset,count")),
                }
            } else if key == "date" {
                dates_allowed = value == "1";
            }
        }
        if !dates_allowed && query.filters.iter().any(|(field, _)| field.starts_with("date_")) {
            return Err("to filter on a date field, set the parameter date=1".into());
        }
        Ok(query)
    }

    /// Which rows can match at all, by their id and their product's id, read from the
    /// `filter[id]` and `filter[id_product]` lists: rows ruled out are never written, which
    /// keeps a page of the 5,000-product catalogue cheap. `apply` still checks every filter.
    pub fn could_match(&self, id: u64, id_product: u64) -> bool {
        self.filters.iter().all(|(field, pattern)| {
            let value = match field.as_str() {
                "id" => id,
                "id_product" => id_product,
                _ => return true,
            };
            match bracketed(pattern).filter(|inner| !inner.contains(',')) {
                Some(inner) => inner.split('|').any(|option| option.trim().parse() == Ok(value)),
                None => true,
            }
        })
    }

    /// The page's `(offset, count)` when the list is in id order unfiltered, so it can be cut
    /// before its rows are written.
    pub fn id_window(&self) -> Option<(usize, usize)> {
        let by_id = self.sort.is_empty() || (self.sort.len() == 1 && self.sort[0] == ("id".to_owned(), true));
        (self.filters.is_empty() && by_id).then(|| (self.offset, self.count.unwrap_or(usize::MAX)))
    }

    /// Filters, sorts and pages `rows` (id, fields); `already_cut` when [`Self::id_window`]
    /// was applied while gathering them.
    pub fn apply(&self, mut rows: Vec<(u64, Fields)>, already_cut: bool) -> Vec<(u64, Fields)> {
        rows.retain(|(_, fields)| {
            self.filters.iter().all(|(field, pattern)| {
                let value = fields.iter().find(|(name, _)| name == field).map_or("", |(_, v)| v.text());
                matches(value, pattern)
            })
        });
        if !self.sort.is_empty() {
            rows.sort_by(|(_, a), (_, b)| {
                for (field, ascending) in &self.sort {
                    let find =
                        |fields: &Fields| fields.iter().find(|(n, _)| n == field).map(|(_, v)| v.text().to_owned());
                    let order = compare(find(a).as_deref().unwrap_or(""), find(b).as_deref().unwrap_or(""));
                    let order = if *ascending { order } else { order.reverse() };
                    if order != Ordering::Equal {
                        return order;
                    }
                }
                Ordering::Equal
            });
        }
        if already_cut {
            return rows;
        }
        let count = self.count.unwrap_or(usize::MAX);
        rows.into_iter().skip(self.offset).take(count).collect()
    }
}

fn bracketed(raw: &str) -> Option<&str> {
    raw.trim().strip_prefix('[')?.strip_suffix(']')
}

/// Numbers as numbers, the rest (dates `YYYY-MM-DD HH:MM:SS` included) as text.
fn compare(a: &str, b: &str) -> Ordering {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.cmp(b),
    }
}

/// One `filter[field]` pattern: `[a|b]`, `[a,b]`, `[x]`, `[x]%`, `%[x]`, `%[x]%`.
fn matches(value: &str, pattern: &str) -> bool {
    let pattern = pattern.trim();
    let begins = pattern.ends_with('%');
    let ends = pattern.starts_with('%');
    let core = pattern.trim_start_matches('%').trim_end_matches('%');
    let Some(inner) = bracketed(core) else { return value.eq_ignore_ascii_case(core) };
    let value_lower = value.to_lowercase();
    let inner_lower = inner.to_lowercase();
    match (begins, ends) {
        (true, true) => return value_lower.contains(&inner_lower),
        (true, false) => return value_lower.starts_with(&inner_lower),
        (false, true) => return value_lower.ends_with(&inner_lower),
        (false, false) => {}
    }
    if inner.contains('|') {
        return inner.split('|').any(|option| option.trim().eq_ignore_ascii_case(value));
    }
    if let Some((low, high)) = inner.split_once(',') {
        return compare(value, low.trim()) != Ordering::Less && compare(value, high.trim()) != Ordering::Greater;
    }
    inner.eq_ignore_ascii_case(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_read_as_the_cheat_sheet_says() {
        assert!(matches("5", "[1|5]"));
        assert!(!matches("6", "[1|5]"));
        assert!(matches("7", "[1,10]"));
        assert!(!matches("11", "[1,10]"));
        assert!(matches("2024-05-01 10:00:00", "[2024-01-01 00:00:00,2099-12-31 23:59:59]"));
        assert!(matches("John", "[john]"));
        assert!(matches("Johnny", "[jo]%"));
        assert!(matches("John", "%[hn]"));
        assert!(matches("John", "%[oh]%"));
    }
}
