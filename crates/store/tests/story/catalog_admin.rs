//! The manager's catalogue (issue 15 point 2) on both backends: an edit is saved whole or not at
//! all (a taken SKU, a removed variant with history), archiving takes a product off the menu's
//! list, the search counts and pages, and a category is renamed on every product at once.

use omnicanal_store::{
    ArchiveFilter, CatalogEntryRow, Page, ProductEditOutcome, ProductEditRow, ProductSearch, ProductSort, Store,
    StoreError, UniqueKey,
};

use crate::support::{Shop, id, variant};

async fn entry(store: &dyn Store, product_id: &str) -> CatalogEntryRow {
    store.get_catalog_entry(product_id).await.expect("read").expect("the product")
}

pub async fn catalog_edits_are_saved_whole(store: &dyn Store) {
    let shop = Shop::open(store).await;
    let coffee = shop.add_product(store, "CAF-S", 2000, true).await;
    let tea = shop.add_product(store, "TEA-1", 1500, false).await;
    let before = entry(store, &coffee.product_id).await;
    let mut product = before.product.clone();
    product.name = "Café de grano".into();
    product.category = Some("Bebidas".into());

    // A SKU the merchant has on another product: refused by the unique key, nothing written.
    let taken = ProductEditRow {
        product: product.clone(),
        changed: vec![before.variants[0].clone()],
        added: vec![variant(&product, "TEA-1", 100)],
        removed: Vec::new(),
    };
    assert!(matches!(store.update_product(&taken).await, Err(StoreError::Duplicate(UniqueKey::MerchantSku))));
    assert_eq!(entry(store, &coffee.product_id).await, before, "nothing half-saved");

    // Changed, added and a removed variant without history, in one go.
    let mut cheaper = before.variants[0].clone();
    cheaper.price_minor = 1800;
    let saved = ProductEditRow {
        product: product.clone(),
        changed: vec![cheaper],
        added: vec![variant(&product, "CAF-L", 2500), variant(&product, "CAF-XL", 2900)],
        removed: Vec::new(),
    };
    assert_eq!(store.update_product(&saved).await.expect("save"), ProductEditOutcome::Saved);
    let after = entry(store, &coffee.product_id).await;
    assert_eq!(after.product.name, "Café de grano");
    let skus: Vec<&str> = after.variants.iter().map(|v| v.sku.as_str()).collect();
    assert_eq!(skus, ["CAF-L", "CAF-S", "CAF-XL"]);
    let xl = after.variants.iter().find(|v| v.sku == "CAF-XL").cloned().expect("XL");
    let drop_xl =
        ProductEditRow { product: product.clone(), changed: Vec::new(), added: Vec::new(), removed: vec![xl] };
    assert_eq!(store.update_product(&drop_xl).await.expect("drop"), ProductEditOutcome::Saved);

    // A variant with stock keeps its history: the whole edit is refused.
    store.apply_stock_movement(&shop.movement("CAF-S", 5)).await.expect("stock");
    let small = entry(store, &coffee.product_id).await.variants.into_iter().find(|v| v.sku == "CAF-S").expect("S");
    let mut renamed = product.clone();
    renamed.name = "Otro".into();
    let unsafe_edit = ProductEditRow { product: renamed, changed: Vec::new(), added: Vec::new(), removed: vec![small] };
    assert_eq!(
        store.update_product(&unsafe_edit).await.expect("refused"),
        ProductEditOutcome::SkuHasHistory { sku: "CAF-S".into() }
    );
    assert_eq!(entry(store, &coffee.product_id).await.product.name, "Café de grano");
    let mut missing = product.clone();
    missing.id = id("prd");
    let nowhere = ProductEditRow { product: missing, changed: Vec::new(), added: Vec::new(), removed: Vec::new() };
    assert_eq!(store.update_product(&nowhere).await.expect("missing"), ProductEditOutcome::Missing);

    // Archived: off the list the menus read, found by the archive filter, back when unarchived.
    assert!(store.set_product_archived(&tea.product_id, Some(1_000)).await.expect("archive"));
    let on_sale = store.list_merchant_products(&shop.merchant.id).await.expect("list");
    assert_eq!(on_sale.len(), 1);
    let search = |text: &str, archive| ProductSearch {
        merchant_id: shop.merchant.id.clone(),
        text: text.into(),
        sort: ProductSort::Price,
        descending: true,
        archive,
    };
    let (archived, total) =
        store.search_products(&search("", ArchiveFilter::Archived), Page::first(10)).await.expect("s");
    assert_eq!(
        (archived[0].product.id.as_str(), archived[0].archived_at_ms, total),
        (tea.product_id.as_str(), Some(1_000), 1)
    );
    let (all, total) =
        store.search_products(&search("", ArchiveFilter::All), Page { limit: 1, offset: 0 }).await.expect("s");
    assert_eq!((all.len(), total, all[0].product.id.as_str()), (1, 2, coffee.product_id.as_str()), "dearest first");
    let (by_sku, _) = store.search_products(&search("caf-l", ArchiveFilter::Active), Page::first(10)).await.expect("s");
    assert_eq!(by_sku.len(), 1);
    assert!(store.set_product_archived(&tea.product_id, None).await.expect("unarchive"));
    assert_eq!(store.list_merchant_products(&shop.merchant.id).await.expect("list").len(), 2);

    // Categories: counted, renamed on every product at once.
    let categories = store.merchant_categories(&shop.merchant.id).await.expect("categories");
    assert_eq!(categories.iter().map(|c| (c.name.as_str(), c.active_products)).collect::<Vec<_>>(), [("Bebidas", 1)]);
    assert_eq!(store.rename_category(&shop.merchant.id, "Bebidas", "Cafés").await.expect("rename"), 1);
    assert_eq!(entry(store, &coffee.product_id).await.product.category.as_deref(), Some("Cafés"));
}
