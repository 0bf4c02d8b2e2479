//! The retail catalogue (issue 17) on both backends: a product with options is stored whole
//! with its variants (or, on a taken SKU, not at all), its options read back per merchant, and
//! a location's kind is a store until it is made a warehouse.

use omnicanal_domain::retail::LocationKind;
use omnicanal_store::{
    GalleryPhotoRow, GalleryRenditionRow, LocationKindRow, ShopSlugOutcome, ShopSlugRow, Store, StoreError, UniqueKey,
    VariantPhotoRow,
};

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

/// The console's retail settings (issue 17, migration 0037): a product's options, switched-off
/// SKUs and photo choices replaced together; a gallery photo with its renditions, listed, served
/// and removed with the choices naming it; a shop slug unique across merchants.
pub async fn retail_variant_settings_slugs_and_gallery(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let polera = product(&shop.merchant.id, "Polera", true);
    let variants = [variant(&polera, "POL-S", 14_990), variant(&polera, "POL-M", 14_990)];
    store.insert_retail_product(&polera, &variants, None).await.expect("insert");

    let photo = GalleryPhotoRow {
        id: "gph_story".into(),
        product_id: polera.id.clone(),
        uploaded_by: "usr_story".into(),
        uploaded_at_ms: 1_000,
    };
    let rendition = |size: &str, width: i64| GalleryRenditionRow {
        photo_id: photo.id.clone(),
        size: size.into(),
        hash: format!("{size}-hash"),
        content_type: "image/jpeg".into(),
        width,
        height: width,
        bytes: vec![1, 2, 3],
    };
    store.insert_gallery_photo(&photo, &[rendition("card", 480), rendition("thumb", 160)]).await.expect("gallery");
    let gallery = store.list_gallery_photos(&polera.id).await.expect("list");
    assert_eq!(gallery.len(), 1);
    let sizes: Vec<&str> = gallery[0].1.iter().map(|info| info.size.as_str()).collect();
    assert_eq!((gallery[0].0.id.as_str(), sizes), ("gph_story", vec!["thumb", "card"]), "smallest first");
    assert_eq!(gallery[0].1[0].byte_len, 3);
    let served = store.get_gallery_rendition("gph_story", "card").await.expect("read").expect("the card");
    assert_eq!(served.bytes, [1, 2, 3]);

    let choice = VariantPhotoRow { sku: "POL-S".into(), photo_id: photo.id.clone() };
    let saved = store
        .save_variant_settings(&polera.id, Some(OPTIONS), &["POL-M".into()], std::slice::from_ref(&choice))
        .await
        .expect("save");
    assert!(saved);
    assert_eq!(store.merchant_inactive_skus(&shop.merchant.id).await.expect("off"), ["POL-M"]);
    assert_eq!(store.variant_photos(&polera.id).await.expect("photos"), [choice]);
    assert_eq!(store.merchant_product_options(&shop.merchant.id).await.expect("options")[0].options_json, OPTIONS);
    // Saved again: replaced, not added to.
    assert!(store.save_variant_settings(&polera.id, None, &[], &[]).await.expect("save again"));
    assert!(store.merchant_inactive_skus(&shop.merchant.id).await.expect("off").is_empty());
    assert!(store.merchant_product_options(&shop.merchant.id).await.expect("options").is_empty());
    assert!(!store.save_variant_settings("prd_nowhere", None, &[], &[]).await.expect("nowhere"));

    // Removing a photo removes its renditions and the variants' choice of it.
    let choice = VariantPhotoRow { sku: "POL-M".into(), photo_id: photo.id.clone() };
    store.save_variant_settings(&polera.id, None, &[], std::slice::from_ref(&choice)).await.expect("choose");
    assert!(!store.delete_gallery_photo("prd_other", &photo.id).await.expect("another product's"));
    assert!(store.delete_gallery_photo(&polera.id, &photo.id).await.expect("delete"));
    assert!(store.list_gallery_photos(&polera.id).await.expect("list").is_empty());
    assert!(store.variant_photos(&polera.id).await.expect("photos").is_empty());
    assert!(store.get_gallery_rendition(&photo.id, "card").await.expect("read").is_none());

    // A shop slug: set, renamed, and refused when another merchant has it.
    // Named after the merchant's id, so stories sharing one database never collide.
    let (first, second) = (format!("andina-{}", shop.merchant.id), format!("andina-sur-{}", shop.merchant.id));
    let mine = ShopSlugRow { merchant_id: shop.merchant.id.clone(), slug: first.clone() };
    assert_eq!(store.set_shop_slug(&mine).await.expect("set"), ShopSlugOutcome::Saved);
    assert_eq!(store.merchant_of_shop_slug(&first).await.expect("read").as_deref(), Some(shop.merchant.id.as_str()));
    let other = Shop::open(store).await;
    let theirs = ShopSlugRow { merchant_id: other.merchant.id.clone(), slug: first.clone() };
    assert_eq!(store.set_shop_slug(&theirs).await.expect("taken"), ShopSlugOutcome::Taken);
    let renamed = ShopSlugRow { merchant_id: shop.merchant.id.clone(), slug: second.clone() };
    assert_eq!(store.set_shop_slug(&renamed).await.expect("renamed"), ShopSlugOutcome::Saved);
    assert_eq!(store.shop_slug_of(&shop.merchant.id).await.expect("read").as_deref(), Some(second.as_str()));
    assert!(store.merchant_of_shop_slug(&first).await.expect("read").is_none(), "the old one is free");
    assert_eq!(store.set_shop_slug(&theirs).await.expect("free now"), ShopSlugOutcome::Saved);
    let nobody = ShopSlugRow { merchant_id: "mer_nowhere".into(), slug: format!("nadie-{}", shop.merchant.id) };
    assert!(store.set_shop_slug(&nobody).await.is_err(), "an unknown merchant");
}
