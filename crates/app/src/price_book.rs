//! What the pricing engine reads from the store, as the engine's types: stored price lists
//! become [`PriceList`]s (a price in another currency than the list's merchant sells in is
//! left out by the engine's own currency check).

use omnicanal_domain::Money;
use omnicanal_domain::pricing::PriceList;
use omnicanal_store::PriceListRow;

/// Converts stored price lists for the engine (prices in another currency are left out).
pub fn engine_price_lists(rows: Vec<PriceListRow>) -> Vec<PriceList> {
    rows.into_iter()
        .map(|row| PriceList {
            prices: row
                .entries
                .iter()
                .map(|entry| (entry.sku.clone(), Money::new(entry.price_minor, entry.currency)))
                .collect(),
            id: row.id,
            name: row.name,
            merchant_id: row.merchant_id,
            channel: row.channel.map(|channel| channel.to_string()),
            location_id: row.location_id,
            valid_from_ms: row.valid_from_ms,
            valid_to_ms: row.valid_to_ms,
            active: row.active,
        })
        .collect()
}
