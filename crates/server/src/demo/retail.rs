//! The demo's retailer: an outdoor shop in Santiago with two stores and a web shop, its
//! catalogue with barcodes, stock in both stores, one till per store and promotions offered
//! at the till and online alike — what the till (journey 2) and cross-channel retail need to
//! be tried with `serve --demo` before anyone sets anything up.
//!
//! Loaded through the ordinary use cases (products, stock movements, till registration), so
//! the demo cannot hold what the API would refuse.

use omnicanal_app::catalog::products::{NewProduct, ProductInput, VariantInput};
use omnicanal_app::pos::devices::RegisterDevice;
use omnicanal_app::setup::demo::DemoLogin;
use omnicanal_app::setup::locations::NewLocation;
use omnicanal_app::setup::merchants::NewMerchant;
use omnicanal_app::setup::sites::NewSite;
use omnicanal_app::setup::storefront::{LocationChangeFields, LocationChanges};
use omnicanal_app::stock::movements::NewMovement;
use omnicanal_app::{App, AppResult, Caller};
use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::Country;
use omnicanal_domain::pricing::{Funder, Promotion, PromotionKind};
use omnicanal_domain::{Currency, Money};

use super::Logins;
use super::menus::{OPENING_HOURS_JSON, demo_promotion};

/// (name, sku, EAN-13, price in CLP, units at Providencia, units at Las Condes, category).
type Article = (&'static str, &'static str, &'static str, i64, i64, i64, &'static str);

/// The shop's catalogue. Las Condes holds a single headlamp, so a web order and the till
/// can race for the last unit in a demo of the stock conflict.
const ARTICLES: [Article; 8] = [
    ("Calcetines trekking (par)", "AND-CALC", "7801234500013", 5_990, 60, 40, "Vestuario"),
    ("Polera técnica manga corta", "AND-POLE", "7801234500020", 14_990, 25, 18, "Vestuario"),
    ("Chaqueta cortavientos", "AND-CHAQ", "7801234500037", 49_990, 8, 6, "Vestuario"),
    ("Mochila 28 L", "AND-MOCH", "7801234500044", 39_990, 10, 7, "Equipo"),
    ("Botella térmica 750 ml", "AND-BOTE", "7801234500051", 17_990, 30, 20, "Equipo"),
    ("Linterna frontal 300 lm", "AND-LINT", "7801234500068", 21_990, 12, 1, "Equipo"),
    ("Bastones de trekking (par)", "AND-BAST", "7801234500075", 34_990, 5, 4, "Equipo"),
    ("Barra de cereal", "AND-BARR", "7801234500082", 990, 200, 150, "Snacks"),
];

const STORES: [(&str, &str); 2] = [("Andina Providencia", "providencia"), ("Andina Las Condes", "lascondes")];

/// Loads the retailer and adds its logins; answers its site's (name, id).
pub(super) async fn load(app: &App, operator: &Caller, logins: &mut Logins) -> AppResult<(String, String)> {
    let country = Country::Chile;
    let site = NewSite::parse("Andina Outdoor", country.code(), country.currency().code(), "America/Santiago")?;
    let site = app.create_site(operator, site).await?;
    let merchant = NewMerchant::parse("Andina Outdoor", "retail", 0, Some("76.555.321-0"))?;
    let merchant = app.create_merchant(operator, merchant).await?;
    let mut stores = Vec::new();
    for (name, slug) in STORES {
        let location = NewLocation::parse(merchant.id.clone(), site.id.clone(), name, true)?;
        let location = app.create_location(operator, location).await?;
        let hours = LocationChanges::parse(LocationChangeFields {
            opening_hours_json: Some(OPENING_HOURS_JSON.into()),
            ..LocationChangeFields::default()
        })?;
        let location = app.update_location(operator, &location.id, hours).await?;
        stores.push((location, slug));
    }
    for (name, sku, barcode, price, providencia, las_condes, category) in ARTICLES {
        let product = NewProduct::parse(ProductInput {
            merchant_id: merchant.id.clone(),
            name: name.into(),
            track_stock: true,
            tax_category: None,
            category: Some(category.into()),
            image_url: None,
            modifier_groups: Vec::new(),
            description: None,
            allergens: Vec::new(),
            variants: vec![VariantInput {
                sku: sku.into(),
                price: Money::new(price, Currency::Clp),
                barcode: Some(barcode.into()),
                attributes: serde_json::Map::new(),
            }],
        })?;
        app.create_product(operator, product).await?;
        for ((location, _), units) in stores.iter().zip([providencia, las_condes]) {
            app.record_movement(operator, NewMovement::parse(sku, location.id.clone(), units, "receipt")?).await?;
        }
    }
    // The web shop's apparel, third store and warehouse (issue 17), beside what is above.
    let store_rows: Vec<_> = stores.iter().map(|(location, _)| location.clone()).collect();
    super::webshop::load(app, operator, &merchant.id, &site.id, &store_rows).await?;
    // The item seen on TV: Providencia has it, Las Condes sells it from the aisle (issue 17 point 7).
    super::aisle::load(app, operator, &merchant.id, &store_rows).await?;
    for promotion in promotions(&merchant.id) {
        app.seed_demo_promotion(&site.id, &promotion, None).await?;
    }
    // Store credit and a gift card (issue 17 point 8).
    super::credit::load(app, operator, &merchant.id).await?;
    // Returns in any store within 30 days; cereal bars are final sale (issue 17 point 6).
    let policy = omnicanal_app::returns::SetReturnPolicy::parse(30, false, &["AND-BARR".to_owned()])?;
    app.set_return_policy(operator, &merchant.id, policy).await?;
    let domain = "demo.omnicanal.cl";
    let manager = DemoLogin {
        email: format!("gerente.andina@{domain}"),
        role: Role::MerchantManager,
        merchant_id: Some(merchant.id.clone()),
        location_id: None,
    };
    logins.add(manager, "Andina Outdoor (both stores, web shop)".into());
    for (location, slug) in stores {
        app.register_pos_device(operator, RegisterDevice::parse(location.id.clone(), "Caja 1")?).await?;
        let cashier = DemoLogin {
            email: format!("caja.{slug}@{domain}"),
            role: Role::Staff,
            merchant_id: Some(merchant.id.clone()),
            location_id: Some(location.id.clone()),
        };
        logins.add(cashier, format!("{} (till: /pos)", location.name));
    }
    Ok((site.name, site.id))
}

/// One promotion the till and the web shop both give, and one only the web shop gives, so the
/// till shows a promotion applied and another refused with its reason.
fn promotions(merchant_id: &str) -> Vec<Promotion> {
    let base = |name: &str, kind: PromotionKind, channels: &[&str]| Promotion {
        channels: channels.iter().map(|channel| (*channel).to_owned()).collect(),
        ..demo_promotion(name, Some(merchant_id.to_owned()), Funder::Merchant, kind)
    };
    vec![
        base(
            "2x1 en calcetines",
            PromotionKind::BuyXGetY { skus: vec!["AND-CALC".into()], buy: 1, get: 1, get_off_bps: 10_000 },
            &["pos", "web"],
        ),
        base(
            "Mochilas -15% solo en la web",
            PromotionKind::PercentOffLines { bps: 1_500, skus: vec!["AND-MOCH".into()] },
            &["web"],
        ),
    ]
}
