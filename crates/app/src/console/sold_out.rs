//! A location's sold-out switches: a SKU switched off is shown unavailable and refused on every
//! channel at once, and the switch is announced as `stock.changed` (to the streams and webhooks).

use std::collections::HashMap;

use omnicanal_domain::catalog::Sku;
use omnicanal_store::SoldOutSwitch;

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;

/// A SKU's switch at a location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldOutState {
    /// The location.
    pub location_id: String,
    /// The SKU.
    pub sku: String,
    /// The product's name, when the SKU is still in the catalog.
    pub name: Option<String>,
    /// Since when it is sold out; `None`: on sale.
    pub since_ms: Option<i64>,
}

impl App {
    /// The SKUs switched sold out at a location, by SKU (its staff, manager, admins).
    pub async fn sold_out_at(&self, caller: &Caller, location_id: &str) -> AppResult<Vec<SoldOutState>> {
        let location = self.workable_location(caller, location_id).await?;
        let names: HashMap<String, String> = self
            .store
            .list_merchant_products(&location.merchant_id)
            .await?
            .into_iter()
            .flat_map(|(product, variants)| variants.into_iter().map(move |v| (v.sku, product.name.clone())))
            .collect();
        let rows = self.store.list_sold_out(&location.id).await?;
        Ok(rows
            .into_iter()
            .map(|row| SoldOutState {
                name: names.get(&row.sku).cloned(),
                location_id: row.location_id,
                sku: row.sku,
                since_ms: Some(row.since_ms),
            })
            .collect())
    }

    /// Switches a SKU of the location's merchant sold out (`sold_out`) or back on sale.
    /// Idempotent: switching it to where it already is changes nothing and announces nothing.
    pub async fn switch_sold_out(
        &self,
        caller: &Caller,
        location_id: &str,
        sku: &Sku,
        sold_out: bool,
    ) -> AppResult<SoldOutState> {
        let location = self.workable_location(caller, location_id).await?;
        let (variant, track_stock) =
            self.store.find_variant(&location.merchant_id, sku.as_str()).await?.ok_or(AppError::NotFound("sku"))?;
        let name = self.store.get_product(&variant.product_id).await?.map(|(product, _)| product.name);
        let switch = SoldOutSwitch {
            location_id: location.id.clone(),
            merchant_id: location.merchant_id.clone(),
            sku: variant.sku.clone(),
            sold_out,
            track_stock,
            user_id: Some(caller.id.clone()),
            now_ms: self.now_ms(),
            event_id: new_id("evt"),
        };
        let (current, changed) = self.store.switch_sold_out(&switch).await?;
        if changed {
            self.committed();
        }
        Ok(SoldOutState { location_id: location.id, sku: variant.sku, name, since_ms: current.map(|row| row.since_ms) })
    }
}
