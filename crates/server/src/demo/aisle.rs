//! The demo's endless aisle (issue 17 point 7, seeds 002/003): the item seen on TV that the
//! Las Condes store lacks but Providencia has, so the Las Condes till's "Pasillo infinito"
//! search shows something real to sell for delivery or for pickup there tomorrow.

use omnicanal_app::catalog::products::{NewProduct, ProductInput, VariantInput};
use omnicanal_app::stock::movements::NewMovement;
use omnicanal_app::{App, AppResult, Caller};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::LocationRow;

/// The parka from the TV spot: its SKU, for the demo's tests and the README.
pub const TV_PARKA_SKU: &str = "AND-PARKA-TV";

/// Adds the parka with units at the first store (Providencia) only.
pub(super) async fn load(app: &App, operator: &Caller, merchant_id: &str, stores: &[LocationRow]) -> AppResult<()> {
    let product = NewProduct::parse(ProductInput {
        merchant_id: merchant_id.into(),
        name: "Parka plumón Andes (vista en TV)".into(),
        track_stock: true,
        tax_category: None,
        category: Some("Vestuario".into()),
        image_url: None,
        modifier_groups: Vec::new(),
        description: None,
        allergens: Vec::new(),
        variants: vec![VariantInput {
            sku: TV_PARKA_SKU.into(),
            price: Money::new(129_990, Currency::Clp),
            barcode: Some("7801234500099".into()),
            attributes: serde_json::Map::new(),
        }],
    })?;
    app.create_product(operator, product).await?;
    if let Some(providencia) = stores.first() {
        app.record_movement(operator, NewMovement::parse(TV_PARKA_SKU, providencia.id.clone(), 3, "receipt")?).await?;
    }
    Ok(())
}
