//! The demo retailer's web shop (issue 17 points 1 and 2): apparel in size × colour (a variant
//! per combination, each with its SKU, EAN-13 and price), a third store in another city (Viña
//! del Mar) and a warehouse that sells only online, with stock spread so the product page says
//! "Quedan 2 en Andina Providencia, 5 en Andina Las Condes…" and some sizes are only in the
//! warehouse (delivery, no pickup). The shop is at `/shop/andina-outdoor`.
//!
//! Loaded through the ordinary use cases (products with options, locations and their kind,
//! stock movements), so the demo cannot hold what the API would refuse.

use omnicanal_app::catalog::products::{ProductInput, VariantInput};
use omnicanal_app::retail::{LocationKindChange, NewRetailProduct, RetailProductInput};
use omnicanal_app::setup::locations::NewLocation;
use omnicanal_app::setup::sites::NewSite;
use omnicanal_app::stock::movements::NewMovement;
use omnicanal_app::{App, AppResult, Caller};
use omnicanal_domain::catalog::Country;
use omnicanal_domain::retail::ProductOption;
use omnicanal_domain::{Currency, Money};
use omnicanal_store::LocationRow;

/// (name, SKU prefix, price in CLP, sizes, colours, category).
type Apparel = (&'static str, &'static str, i64, &'static [&'static str], &'static [&'static str], &'static str);

const APPAREL: [Apparel; 3] = [
    ("Polera técnica Andes", "AND-PTA", 16_990, &["S", "M", "L"], &["Azul", "Rojo"], "Vestuario"),
    ("Chaqueta softshell", "AND-SOFT", 59_990, &["S", "M", "L", "XL"], &["Negro", "Verde"], "Vestuario"),
    ("Gorro de lana", "AND-GOR", 9_990, &["Única"], &["Gris", "Azul", "Rojo"], "Accesorios"),
];

/// An EAN-13 from a 12-digit body: the body and its check digit.
fn ean13(body: u64) -> String {
    let digits: Vec<u32> = format!("{body:012}").chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits.iter().enumerate().map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 }).sum();
    format!("{body:012}{}", (10 - sum % 10) % 10)
}

/// A SKU's part for an option value: its first ASCII letters and digits, upper case ("Única" →
/// "NI" would read badly, so accents are dropped first: "UN").
fn code(value: &str, chars: usize) -> String {
    let folded: String = value
        .chars()
        .map(|c| match c {
            'Á' | 'á' => 'A',
            'É' | 'é' => 'E',
            'Í' | 'í' => 'I',
            'Ó' | 'ó' => 'O',
            'Ú' | 'ú' => 'U',
            'Ñ' | 'ñ' => 'N',
            other => other,
        })
        .filter(char::is_ascii_alphanumeric)
        .collect();
    folded.to_ascii_uppercase().chars().take(chars).collect()
}

/// Units of one variant at (Providencia, Las Condes, Viña del Mar, the warehouse): varied by
/// its place in the product, so sizes differ per store and the largest size is only online.
fn units(size_index: usize, sizes: usize, colour_index: usize) -> [i64; 4] {
    let largest = size_index + 1 == sizes && sizes > 1;
    if largest {
        return [0, 0, 0, 12];
    }
    let base = i64::try_from(size_index + colour_index).unwrap_or(0);
    [2 + base, 5 - base.min(4), (base + 1) % 4, 20]
}

/// Adds the web shop's stores, warehouse and apparel to the demo retailer.
pub(super) async fn load(
    app: &App,
    operator: &Caller,
    merchant_id: &str,
    santiago_site_id: &str,
    stores: &[LocationRow],
) -> AppResult<()> {
    let country = Country::Chile;
    let vina = NewSite::parse("Andina Viña del Mar", country.code(), country.currency().code(), "America/Santiago")?;
    let vina = app.create_site(operator, vina).await?;
    let third = app
        .create_location(operator, NewLocation::parse(merchant_id.into(), vina.id, "Andina Viña del Mar", true)?)
        .await?;
    let warehouse = NewLocation::parse(merchant_id.into(), santiago_site_id.into(), "Bodega Quilicura", false)?;
    let warehouse = app.create_location(operator, warehouse).await?;
    app.set_location_kind(operator, &warehouse.id, LocationKindChange::parse("warehouse")?).await?;
    let mut places: Vec<String> = stores.iter().map(|store| store.id.clone()).collect();
    places.extend([third.id, warehouse.id]);
    let mut barcode = 780_123_451_000_u64;
    for (name, prefix, price, sizes, colours, category) in APPAREL {
        let mut variants = Vec::new();
        let mut stock = Vec::new();
        for (size_index, size) in sizes.iter().enumerate() {
            for (colour_index, colour) in colours.iter().enumerate() {
                let sku = format!("{prefix}-{}-{}", code(size, 2), code(colour, 2));
                let mut attributes = serde_json::Map::new();
                attributes.insert("Talla".into(), (*size).into());
                attributes.insert("Color".into(), (*colour).into());
                barcode += 1;
                variants.push(VariantInput {
                    sku: sku.clone(),
                    price: Money::new(price, Currency::Clp),
                    barcode: Some(ean13(barcode)),
                    attributes,
                });
                stock.push((sku, units(size_index, sizes.len(), colour_index)));
            }
        }
        let product = NewRetailProduct::parse(RetailProductInput {
            product: ProductInput {
                merchant_id: merchant_id.into(),
                name: name.into(),
                track_stock: true,
                tax_category: None,
                category: Some(category.into()),
                image_url: None,
                modifier_groups: Vec::new(),
                description: None,
                allergens: Vec::new(),
                variants,
            },
            options: vec![
                ProductOption { name: "Talla".into(), values: sizes.iter().map(|s| (*s).to_owned()).collect() },
                ProductOption { name: "Color".into(), values: colours.iter().map(|c| (*c).to_owned()).collect() },
            ],
        })?;
        app.create_retail_product(operator, product).await?;
        for (sku, per_place) in stock {
            for (place, units) in places.iter().zip(per_place) {
                if units > 0 {
                    app.record_movement(operator, NewMovement::parse(&sku, place.clone(), units, "receipt")?).await?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barcodes_carry_their_check_digit() {
        assert_eq!(ean13(400_638_133_393), "4006381333931");
        assert_eq!((code("Única", 2), code("XL", 2), code("Negro", 2)), ("UN".into(), "XL".into(), "NE".into()));
    }
}
