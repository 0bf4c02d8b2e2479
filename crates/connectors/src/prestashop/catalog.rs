//! The catalogue as sellable variants: a product without combinations is one variant (its
//! stock the `stock_available` with `id_product_attribute` 0); a product with combinations is
//! one variant per combination, priced at the product's price plus the combination's impact
//! (<https://devdocs.prestashop-project.org/8/webservice/resources/combinations/>), its stock
//! the combination's own `stock_available` (the product's row then only holds their sum).

use std::collections::BTreeMap;

use omnicanal_app::connections::client::{RemoteItem, RemotePage, RemoteVariant, ShopFailure, ShopResult};
use omnicanal_domain::connections::decimal::minor_from_decimal;

use super::PrestaShopClient;
use super::wire::{self, Resource};

impl PrestaShopClient {
    pub(super) async fn variants_page(&self, cursor: Option<&str>) -> ShopResult<RemotePage<RemoteVariant>> {
        let offset: usize = match cursor {
            None => 0,
            Some(raw) => {
                raw.parse().map_err(|_| ShopFailure::Refused(format!("not a PrestaShop page cursor: {raw}")))?
            }
        };
        let query = [
            ("display", "full".to_owned()),
            ("sort", "[id_ASC]".to_owned()),
            ("limit", format!("{offset},{}", self.page_size)),
        ];
        let products = wire::list(&self.get("products", &query).await?, "products")?;
        let next = (products.len() == self.page_size).then(|| (offset + self.page_size).to_string());
        let items = self.variants_of_products(products).await?;
        Ok(RemotePage { items, next, total: None })
    }

    pub(super) async fn variants_of(&self, items: &[RemoteItem]) -> ShopResult<Vec<RemoteVariant>> {
        let mut product_ids: Vec<&str> = items.iter().map(|item| item.product_id.as_str()).collect();
        product_ids.sort_unstable();
        product_ids.dedup();
        let mut found = Vec::new();
        for chunk in product_ids.chunks(self.page_size) {
            let query = [("display", "full".to_owned()), ("filter[id]", one_of(chunk))];
            let products = wire::list(&self.get("products", &query).await?, "products")?;
            found.extend(self.variants_of_products(products).await?);
        }
        found.retain(|variant| {
            items
                .iter()
                .any(|item| item.product_id == variant.item.product_id && item.variant_id == variant.item.variant_id)
        });
        Ok(found)
    }

    /// The variants of these products, with two more requests: their combinations and their
    /// stock rows.
    async fn variants_of_products(&self, products: Vec<Resource>) -> ShopResult<Vec<RemoteVariant>> {
        if products.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<&str> = products.iter().map(|product| product.get("id")).collect();
        let stock_query = [("display", "full".to_owned()), ("filter[id_product]", one_of(&ids))];
        let stocks = wire::list(&self.get("stock_availables", &stock_query).await?, "stock_availables")?;
        let stock_rows: BTreeMap<(String, String), &Resource> = stocks
            .iter()
            .map(|row| ((row.get("id_product").to_owned(), row.get("id_product_attribute").to_owned()), row))
            .collect();
        let with_combinations: Vec<&str> = products
            .iter()
            .filter(|product| !product.association("combinations").is_empty())
            .map(|product| product.get("id"))
            .collect();
        let combinations = if with_combinations.is_empty() {
            Vec::new()
        } else {
            let query = [("display", "full".to_owned()), ("filter[id_product]", one_of(&with_combinations))];
            wire::list(&self.get("combinations", &query).await?, "combinations")?
        };
        let mut variants = Vec::new();
        for product in &products {
            let product_id = product.get("id");
            let base_price = self.price(product.get("price"))?;
            let own: Vec<&Resource> =
                combinations.iter().filter(|combination| combination.get("id_product") == product_id).collect();
            if own.is_empty() {
                let stock = stock_rows.get(&(product_id.to_owned(), "0".to_owned()));
                variants.push(self.variant(product, None, base_price, stock.copied())?);
            }
            for combination in own {
                let stock = stock_rows.get(&(product_id.to_owned(), combination.get("id").to_owned()));
                variants.push(self.variant(product, Some(combination), base_price, stock.copied())?);
            }
        }
        Ok(variants)
    }

    fn variant(
        &self,
        product: &Resource,
        combination: Option<&Resource>,
        base_price: Option<i64>,
        stock: Option<&Resource>,
    ) -> ShopResult<RemoteVariant> {
        let (sku, barcode, price_minor) = match combination {
            Some(combination) => {
                let impact = self.price(combination.get("price"))?.unwrap_or(0);
                (combination.get("reference"), combination.get("ean13"), base_price.map(|base| base + impact))
            }
            None => (product.get("reference"), product.get("ean13"), base_price),
        };
        let inventory_id = stock.map(|row| row.get("id").to_owned());
        let stock = match stock {
            Some(row) => Some(row.get("quantity").parse::<i64>().map_err(|_| {
                ShopFailure::Garbage(format!(
                    "stock_available {} has quantity {:?}",
                    row.get("id"),
                    row.get("quantity")
                ))
            })?),
            None => None,
        };
        let non_empty = |text: &str| (!text.is_empty()).then(|| text.to_owned());
        Ok(RemoteVariant {
            item: RemoteItem {
                product_id: product.get("id").to_owned(),
                variant_id: combination.map(|combination| combination.get("id").to_owned()),
                inventory_id,
            },
            sku: non_empty(sku),
            barcode: non_empty(barcode),
            title: product.get("name").to_owned(),
            description: non_empty(product.get("description")),
            price_minor,
            stock,
        })
    }

    /// A price as PrestaShop writes it (`23.900000`, six decimals) in minor units, rounded half
    /// up when it has more decimals than the currency (a tax-computed unit price).
    pub(super) fn price(&self, raw: &str) -> ShopResult<Option<i64>> {
        price_in(raw, self.exponent)
    }
}

/// [`PrestaShopClient::price`] in a currency of `exponent` decimals (an order's own).
pub(super) fn price_in(raw: &str, exponent: u32) -> ShopResult<Option<i64>> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    minor_from_price(raw, exponent)
        .map(Some)
        .ok_or_else(|| ShopFailure::Garbage(format!("not a PrestaShop price: {raw:?}")))
}

/// The cheat sheet's OR filter: `[1|5|9]`.
pub(super) fn one_of(ids: &[&str]) -> String {
    format!("[{}]", ids.join("|"))
}

pub(super) fn minor_from_price(raw: &str, exponent: u32) -> Option<i64> {
    if let Some(exact) = minor_from_decimal(raw, exponent) {
        return Some(exact);
    }
    let raw = raw.trim();
    let (negative, digits) = raw.strip_prefix('-').map_or((false, raw), |rest| (true, rest));
    let (whole, fraction) = digits.split_once('.')?;
    let keep = usize::try_from(exponent).ok()?;
    let kept = minor_from_decimal(&format!("{whole}.{}", fraction.get(..keep)?), exponent)?;
    let round_up = fraction.as_bytes().get(keep).is_some_and(|digit| *digit >= b'5');
    let magnitude = kept + i64::from(round_up);
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_with_more_decimals_round_half_up() {
        assert_eq!(minor_from_price("23.900000", 2), Some(2390));
        assert_eq!(minor_from_price("19.836000", 2), Some(1984));
        assert_eq!(minor_from_price("8990.000000", 0), Some(8990));
        assert_eq!(minor_from_price("8990.500000", 0), Some(8991));
        assert_eq!(minor_from_price("-1.005", 2), Some(-101));
        assert_eq!(minor_from_price("abc", 2), None);
    }
}
