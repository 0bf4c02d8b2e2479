//! The retail catalogue (issue 17) on both backends: a product with options is stored whole
//! with its variants (or, on a taken SKU, not at all), its options read back per merchant, and
//! a location's kind is a store until it is made a warehouse.

use omnicanal_domain::retail::LocationKind;
use omnicanal_store::{LocationKindRow, Store, StoreError, UniqueKey};

use crate::support::{Shop, product, variant};

const OPTIONS: &str = r#"[{"name":"Talla","values":["S","M"]}]"#;

pub async fn retail_products_and_location_kinds(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let polera = product(&shop.merchant.id, "Polera", true);
    let variants = [variant(&polera, "POL-S", 14_990), variant(&polera, "POL-M", 14_990)];
    store.insert_retail_product(&polera, &variants, Some(OPTIONS)).await.expect("insert with options");
    let plain = product(&shop.merchant.id, "Gorro", true);
    store.insert_retail_product(&plain, &[variant(&plain, "GOR-1", 9_990)], None).await.expect("insert without");

    let options = store.merchant_product_options(&shop.merchant.id).await.expect("options");
    assert_eq!(options.len(), 1, "only products with options are listed");
    assert_eq!((options[0].product_id.as_str(), options[0].options_json.as_str()), (polera.id.as_str(), OPTIONS));
    let (_, stored) = store.get_product(&polera.id).await.expect("read").expect("the product");
    assert_eq!(stored.len(), 2);

    // A SKU the merchant already has: nothing of the product is written.
    let clash = product(&shop.merchant.id, "Polera 2", true);
    let refused = store
        .insert_retail_product(&clash, &[variant(&clash, "NEW-1", 1), variant(&clash, "POL-M", 1)], Some(OPTIONS))
        .await;
    assert!(matches!(refused, Err(StoreError::Duplicate(UniqueKey::MerchantSku))), "{refused:?}");
    assert!(store.get_product(&clash.id).await.expect("read").is_none(), "nothing half-saved");
    assert_eq!(store.merchant_product_options(&shop.merchant.id).await.expect("options").len(), 1);

    // Every location starts as a store; a warehouse once made one; an unknown location is no row.
    let kinds = store.merchant_location_kinds(&shop.merchant.id).await.expect("kinds");
    assert_eq!(kinds, [LocationKindRow { location_id: shop.location.id.clone(), kind: LocationKind::Store }]);
    let warehouse = LocationKindRow { location_id: shop.location.id.clone(), kind: LocationKind::Warehouse };
    assert!(store.set_location_kind(&warehouse).await.expect("set"));
    assert_eq!(store.merchant_location_kinds(&shop.merchant.id).await.expect("kinds"), [warehouse]);
    let nowhere = LocationKindRow { location_id: "loc_nowhere".into(), kind: LocationKind::Store };
    assert!(!store.set_location_kind(&nowhere).await.expect("set nowhere"));
}
