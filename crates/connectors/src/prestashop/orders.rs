//! Orders by polling (PrestaShop sends no webhooks): `GET /api/orders` with
//! `filter[date_upd]=[since,2099-12-31 23:59:59]&date=1`, `sort=[date_upd_ASC,id_ASC]` and
//! `limit=offset,count` (<https://devdocs.prestashop-project.org/8/webservice/tutorials/advanced-use/additional-list-parameters/>),
//! the customers' names and e-mails then read for the page at once from `/api/customers`, and
//! the orders' currencies (`id_currency`) from `/api/currencies`.
//! Lines come from the order's `order_rows` association; totals and unit prices tax included.
//! Dates are read as UTC (the Webservice names no zone), and the `date_upd` filter starts 14
//! hours early so a shop in any zone loses no order.

use std::collections::BTreeMap;

use omnicanal_app::connections::client::{
    RemoteItem, RemoteOrder, RemoteOrderLine, RemotePage, ShopFailure, ShopResult,
};

use super::catalog::{one_of, price_in};
use super::dates;
use super::wire::{self, Resource, entry};
use super::{PrestaShopClient, currency_exponent};

/// The open end of the date interval (the docs' own example's far future).
const FAR_FUTURE: &str = "2099-12-31 23:59:59";

/// PrestaShop writes `date_upd` in the shop's time zone and says not which (it is a setting,
/// `PS_TIMEZONE`, an IANA name we cannot turn into an offset here). Asking from `since`
/// minus the widest offset there is (UTC+14) never misses an order, whatever the zone; the
/// orders seen again are harmless, their import being exactly once.
const ZONE_MARGIN_MS: i64 = 14 * 3_600_000;

impl PrestaShopClient {
    pub(super) async fn orders_page(&self, since_ms: i64, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteOrder>> {
        let offset: usize = match cursor {
            None => 0,
            Some(raw) => {
                raw.parse().map_err(|_| ShopFailure::Refused(format!("not a PrestaShop page cursor: {raw}")))?
            }
        };
        let query = [
            ("display", "full".to_owned()),
            (
                "filter[date_upd]",
                format!("[{},{FAR_FUTURE}]", dates::text_from_ms(since_ms.saturating_sub(ZONE_MARGIN_MS))),
            ),
            ("date", "1".to_owned()),
            ("sort", "[date_upd_ASC,id_ASC]".to_owned()),
            ("limit", format!("{offset},{}", self.page_size)),
        ];
        let orders = wire::list(&self.get("orders", &query).await?, "orders")?;
        let next = (orders.len() == self.page_size).then(|| (offset + self.page_size).to_string());
        let customers = self.customers_of(&orders).await?;
        let currencies = self.currencies_of(&orders).await?;
        let items =
            orders.iter().map(|order| self.order(order, &customers, &currencies)).collect::<ShopResult<Vec<_>>>()?;
        Ok(RemotePage { items, next, total: None })
    }

    async fn customers_of(&self, orders: &[Resource]) -> ShopResult<BTreeMap<String, Resource>> {
        let mut ids: Vec<&str> =
            orders.iter().map(|order| order.get("id_customer")).filter(|id| !id.is_empty() && *id != "0").collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let query = [("display", "[id,firstname,lastname,email]".to_owned()), ("filter[id]", one_of(&ids))];
        let customers = wire::list(&self.get("customers", &query).await?, "customers")?;
        Ok(customers.into_iter().map(|customer| (customer.get("id").to_owned(), customer)).collect())
    }

    /// `id_currency` → ISO code, for the currencies of these orders.
    async fn currencies_of(&self, orders: &[Resource]) -> ShopResult<BTreeMap<String, String>> {
        let mut ids: Vec<&str> =
            orders.iter().map(|order| order.get("id_currency")).filter(|id| !id.is_empty() && *id != "0").collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(BTreeMap::new());
        }
        let query = [("display", "[id,iso_code]".to_owned()), ("filter[id]", one_of(&ids))];
        let currencies = wire::list(&self.get("currencies", &query).await?, "currencies")?;
        Ok(currencies.iter().map(|c| (c.get("id").to_owned(), c.get("iso_code").to_ascii_uppercase())).collect())
    }

    fn order(
        &self,
        order: &Resource,
        customers: &BTreeMap<String, Resource>,
        currencies: &BTreeMap<String, String>,
    ) -> ShopResult<RemoteOrder> {
        let id = order.get("id");
        let currency = currencies.get(order.get("id_currency")).filter(|code| !code.is_empty()).cloned();
        // The order's amounts are in its own currency, which may not be the shop's default.
        let exponent = currency.as_deref().map_or(self.exponent, currency_exponent);
        if id.is_empty() {
            return Err(ShopFailure::Garbage("an order without an id".into()));
        }
        let customer = customers.get(order.get("id_customer"));
        let customer_name = customer
            .map(|c| format!("{} {}", c.get("firstname"), c.get("lastname")).trim().to_owned())
            .unwrap_or_default();
        let customer_email = customer.map(|c| c.get("email").to_owned()).filter(|email| !email.is_empty());
        let mut lines = Vec::new();
        for row in order.association("order_rows") {
            let quantity = entry(row, "product_quantity")
                .parse::<i64>()
                .map_err(|_| ShopFailure::Garbage(format!("order {id} has a line without a quantity")))?;
            let attribute = entry(row, "product_attribute_id");
            let sku = entry(row, "product_reference");
            let product_id = entry(row, "product_id");
            lines.push(RemoteOrderLine {
                sku: (!sku.is_empty()).then(|| sku.to_owned()),
                item: (!product_id.is_empty()).then(|| RemoteItem {
                    product_id: product_id.to_owned(),
                    variant_id: (!attribute.is_empty() && attribute != "0").then(|| attribute.to_owned()),
                    inventory_id: None,
                }),
                title: entry(row, "product_name").to_owned(),
                quantity,
                unit_price_minor: price_in(entry(row, "unit_price_tax_incl"), exponent)?,
            });
        }
        Ok(RemoteOrder {
            remote_id: id.to_owned(),
            number: Some(order.get("reference").to_owned()).filter(|reference| !reference.is_empty()),
            status: order.get("current_state").to_owned(),
            customer_name,
            customer_email,
            customer_phone: None,
            lines,
            total_minor: price_in(order.get("total_paid"), exponent)?,
            currency,
            created_at_ms: dates::ms_from_text(order.get("date_add")),
        })
    }
}
