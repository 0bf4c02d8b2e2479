//! Writes, as the Webservice takes them (<https://devdocs.prestashop-project.org/8/webservice/>):
//! XML bodies `<prestashop><resource>…</resource></prestashop>`, one resource per request (the
//! API has no batch write), so a batch is one read of the current rows and then one write each.
//! - stock: PUT `/api/stock_availables/{id}` with the whole row as just read, its `quantity`
//!   replaced (PUT replaces the whole resource; "Update a resource" tutorial);
//! - prices: PATCH `/api/products/{id}` or `/api/combinations/{id}` with only the id and the
//!   price (PATCH is in PrestaShop 8's cheat sheet); a combination's `price` is its impact on
//!   the product's, so it is written as wanted − the product's price, read after the product
//!   prices of the same batch are written;
//! - order status: POST `/api/order_histories` with `id_order` and `id_order_state`, in
//!   PrestaShop's default states: Ready → 3 "Processing in progress" (the default install has
//!   no "ready for pickup" state), Shipped → 4, Cancelled → 6, Refunded → 7.

use std::collections::BTreeMap;

use omnicanal_app::connections::client::{PricePush, ShopFailure, ShopResult, StockPush};
use omnicanal_domain::connections::RemoteOrderStatus;
use omnicanal_domain::connections::decimal::decimal_from_minor;
use reqwest::Method;

use super::PrestaShopClient;
use super::catalog::one_of;
use super::wire;

const XML_HEAD: &str =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<prestashop xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n";

impl PrestaShopClient {
    pub(super) async fn write_stock(&self, pushes: &[StockPush]) -> ShopResult<()> {
        let mut refused = None;
        for chunk in pushes.chunks(self.page_size) {
            let mut product_ids: Vec<&str> = chunk.iter().map(|push| push.item.product_id.as_str()).collect();
            product_ids.sort_unstable();
            product_ids.dedup();
            let query = [("display", "full".to_owned()), ("filter[id_product]", one_of(&product_ids))];
            let rows = wire::list(&self.get("stock_availables", &query).await?, "stock_availables")?;
            for push in chunk {
                let attribute = push.item.variant_id.as_deref().unwrap_or("0");
                let row = rows.iter().find(|row| match push.item.inventory_id.as_deref() {
                    Some(id) => row.get("id") == id,
                    None => {
                        row.get("id_product") == push.item.product_id && row.get("id_product_attribute") == attribute
                    }
                });
                let Some(row) = row else {
                    refused = Some(ShopFailure::Refused(format!("PrestaShop has no stock row for {}", push.sku)));
                    continue;
                };
                let fields: Vec<(String, String)> = row
                    .fields
                    .iter()
                    .map(|(name, value)| {
                        let value = if name == "quantity" { push.available.to_string() } else { value.clone() };
                        (name.clone(), value)
                    })
                    .collect();
                let path = format!("stock_availables/{}", row.get("id"));
                match self.write(Method::PUT, &path, body("stock_available", &fields)).await {
                    Ok(answer) => _ = wire::one(&answer, "stock_available")?,
                    Err(ShopFailure::Refused(why)) => {
                        refused = Some(ShopFailure::Refused(format!("{}: {why}", push.sku)))
                    }
                    Err(other) => return Err(other),
                }
            }
        }
        refused.map_or(Ok(()), Err)
    }

    pub(super) async fn write_prices(&self, pushes: &[PricePush]) -> ShopResult<()> {
        let mut refused = None;
        let (combinations, products): (Vec<&PricePush>, Vec<&PricePush>) =
            pushes.iter().partition(|push| push.item.variant_id.is_some());
        for push in products {
            let fields =
                [("id", push.item.product_id.clone()), ("price", decimal_from_minor(push.price_minor, self.exponent))];
            let path = format!("products/{}", push.item.product_id);
            match self.write(Method::PATCH, &path, body("product", &fields)).await {
                Ok(answer) => _ = wire::one(&answer, "product")?,
                Err(ShopFailure::Refused(why)) => refused = Some(ShopFailure::Refused(format!("{}: {why}", push.sku))),
                Err(other) => return Err(other),
            }
        }
        for chunk in combinations.chunks(self.page_size) {
            let bases = self.product_prices(chunk).await?;
            for push in chunk {
                let Some(combination) = push.item.variant_id.as_deref() else { continue };
                let Some(base) = bases.get(push.item.product_id.as_str()).copied().flatten() else {
                    refused = Some(ShopFailure::Refused(format!("PrestaShop has no product price for {}", push.sku)));
                    continue;
                };
                let impact = push.price_minor - base;
                let fields = [
                    ("id", combination.to_owned()),
                    ("id_product", push.item.product_id.clone()),
                    ("price", decimal_from_minor(impact, self.exponent)),
                ];
                match self
                    .write(Method::PATCH, &format!("combinations/{combination}"), body("combination", &fields))
                    .await
                {
                    Ok(answer) => _ = wire::one(&answer, "combination")?,
                    Err(ShopFailure::Refused(why)) => {
                        refused = Some(ShopFailure::Refused(format!("{}: {why}", push.sku)))
                    }
                    Err(other) => return Err(other),
                }
            }
        }
        refused.map_or(Ok(()), Err)
    }

    /// The current price (minor units) of each product these pushes' combinations belong to.
    async fn product_prices(&self, pushes: &[&PricePush]) -> ShopResult<BTreeMap<String, Option<i64>>> {
        let mut ids: Vec<&str> = pushes.iter().map(|push| push.item.product_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let query = [("display", "[id,price]".to_owned()), ("filter[id]", one_of(&ids))];
        let products = wire::list(&self.get("products", &query).await?, "products")?;
        products.iter().map(|product| Ok((product.get("id").to_owned(), self.price(product.get("price"))?))).collect()
    }

    pub(super) async fn add_order_history(&self, order_id: &str, status: RemoteOrderStatus) -> ShopResult<()> {
        let state = match status {
            RemoteOrderStatus::Ready => "3",
            RemoteOrderStatus::Shipped => "4",
            RemoteOrderStatus::Cancelled => "6",
            RemoteOrderStatus::Refunded => "7",
        };
        let fields = [("id_order", order_id.to_owned()), ("id_order_state", state.to_owned())];
        let answer = self.write(Method::POST, "order_histories", body("order_history", &fields)).await?;
        wire::one(&answer, "order_history").map(|_| ())
    }
}

/// `<prestashop><element><name><![CDATA[value]]></name>…</element></prestashop>`.
fn body<N: AsRef<str>>(element: &str, fields: &[(N, String)]) -> String {
    let mut xml = format!("{XML_HEAD}<{element}>\n");
    for (name, value) in fields {
        let name = name.as_ref();
        xml.push_str(&format!("<{name}><![CDATA[{}]]></{name}>\n", value.replace("]]>", "]]]]><![CDATA[>")));
    }
    xml.push_str(&format!("</{element}>\n</prestashop>\n"));
    xml
}
