//! Placing orders and quotes through the app on a fresh SQLite store, with a hand-moved clock
//! and the sandbox card provider.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_domain::Currency;
use omnicanal_domain::catalog::{Country, MerchantKind};
use omnicanal_domain::inventory::MovementReason;
use omnicanal_domain::pricing::TaxCategory;
use omnicanal_domain::site::UnacceptedPolicy;
use omnicanal_store::{
    LocationRow, MerchantRow, ProductRow, SiteRow, StockFilter, StockMovementRow, Store, VariantRow, connect,
};

use super::command::{OrderInput, PlaceOrder};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::payments::{SANDBOX_APPROVED_CARD, SANDBOX_DECLINED_CARD, SandboxCardProvider};
use crate::pricing::cart::{Cart, LineInput};
use crate::{App, ManualClock};

/// 2023-11-14T22:13:20Z.
const T0: i64 = 1_700_000_000_000;
const SKU: &str = "EMPANADA-PINO";
const PRICE: i64 = 2_500;

/// An app over a store holding one site, one restaurant location and 10 empanadas.
struct Shop {
    app: App,
    clock: Arc<ManualClock>,
    store: Arc<dyn Store>,
    site: SiteRow,
    location: LocationRow,
    dir: std::path::PathBuf,
}

impl Shop {
    async fn open() -> AppResult<Shop> {
        let dir = std::env::temp_dir().join(new_id("omni-app-ordering"));
        std::fs::create_dir_all(&dir).map_err(|error| AppError::Internal(Box::new(error)))?;
        let store: Arc<dyn Store> = connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await?;
        let clock = Arc::new(ManualClock::starting_at(T0));
        let app = App::new(store.clone(), clock.clone(), Arc::new(SandboxCardProvider));
        let site = SiteRow {
            id: new_id("site"),
            name: "Mall Plaza".into(),
            country: Country::Chile,
            currency: Currency::Clp,
            timezone: "America/Santiago".into(),
            accept_within_minutes: None,
            unaccepted_policy: UnacceptedPolicy::default(),
            created_at_ms: T0,
        };
        let merchant = MerchantRow {
            id: new_id("mer"),
            name: "La Empanadería".into(),
            kind: MerchantKind::Restaurant,
            commission_bps: 1_000,
            tax_id: None,
            created_at_ms: T0,
        };
        let location = LocationRow {
            id: new_id("loc"),
            merchant_id: merchant.id.clone(),
            site_id: site.id.clone(),
            name: "Patio de comidas".into(),
            pay_at_pickup: true,
            is_open: true,
            storefront: Default::default(),
            created_at_ms: T0,
        };
        store.insert_site(&site).await?;
        store.insert_merchant(&merchant).await?;
        store.insert_location(&location).await?;
        let shop = Shop { app, clock, store, site, location, dir };
        shop.stock_empanadas(&merchant.id).await?;
        Ok(shop)
    }

    async fn stock_empanadas(&self, merchant_id: &str) -> AppResult<()> {
        let product = ProductRow {
            id: new_id("prd"),
            merchant_id: merchant_id.into(),
            name: "Empanada de pino".into(),
            track_stock: true,
            tax_category: TaxCategory::Standard,
            category: None,
            image_url: None,
            modifiers_json: None,
            description: None,
            allergens: Vec::new(),
            created_at_ms: T0,
        };
        let variant = VariantRow {
            id: new_id("var"),
            product_id: product.id.clone(),
            merchant_id: merchant_id.into(),
            sku: SKU.into(),
            price_minor: PRICE,
            currency: Currency::Clp,
            barcode: None,
            attributes_json: "{}".into(),
        };
        self.store.insert_product(&product, &[variant]).await?;
        let receipt = StockMovementRow {
            id: new_id("mov"),
            sku: SKU.into(),
            location_id: self.location.id.clone(),
            merchant_id: merchant_id.into(),
            delta: 10,
            reason: MovementReason::Receipt,
            reference: None,
            channel: None,
            created_by: None,
            created_at_ms: T0,
            event_id: new_id("evt"),
        };
        self.store.apply_stock_movement(&receipt).await?;
        Ok(())
    }

    fn lines(&self, quantity: i64) -> Vec<LineInput> {
        vec![LineInput { sku: SKU.into(), location_id: self.location.id.clone(), quantity, ..LineInput::default() }]
    }

    fn order(&self, quantity: i64, method: &str, card: Option<&str>) -> AppResult<PlaceOrder> {
        PlaceOrder::parse(OrderInput {
            site_id: self.site.id.clone(),
            channel: "qr".into(),
            customer_name: "Ana".into(),
            customer_email: Some("ana@example.cl".into()),
            lines: self.lines(quantity),
            payment_method: method.into(),
            card_number: card.map(str::to_owned),
            ..OrderInput::default()
        })
    }

    async fn reserved(&self) -> AppResult<i64> {
        let filter = StockFilter {
            location_id: Some(self.location.id.clone()),
            sku: Some(SKU.into()),
            ..StockFilter::default()
        };
        Ok(self.store.list_stock(&filter).await?.first().map_or(0, |row| row.reserved))
    }

    fn close(self) {
        drop(self.app);
        drop(self.store);
        let _ = std::fs::remove_dir_all(self.dir);
    }
}

#[tokio::test]
async fn an_order_reserves_its_stock_and_a_declined_card_reserves_nothing() -> AppResult<()> {
    let shop = Shop::open().await?;
    let placed = shop.app.place_order(shop.order(2, "pay_at_pickup", None)?, None).await?;
    assert_eq!(placed.order.total_minor, 2 * PRICE);
    assert_eq!(placed.order.outstanding_minor, 2 * PRICE, "paid at the counter");
    assert_eq!(placed.fulfillments.len(), 1);
    assert_eq!(placed.fulfillments[0].lines[0].pricing.name.as_deref(), Some("Empanada de pino"));
    assert_eq!(shop.reserved().await?, 2);

    let declined = shop.app.place_order(shop.order(1, "card", Some(SANDBOX_DECLINED_CARD))?, None).await;
    assert!(matches!(declined, Err(AppError::PaymentDeclined)), "{declined:?}");
    let short = shop.app.place_order(shop.order(9, "card", Some(SANDBOX_APPROVED_CARD))?, None).await;
    assert!(matches!(short, Err(AppError::InsufficientStock { .. })), "{short:?}");
    assert_eq!(shop.reserved().await?, 2, "refused orders reserve nothing");

    let paid = shop.app.place_order(shop.order(1, "card", Some(SANDBOX_APPROVED_CARD))?, None).await?;
    assert_eq!((paid.order.captured_minor, paid.order.outstanding_minor), (PRICE, 0));
    shop.close();
    Ok(())
}

#[tokio::test]
async fn a_quote_is_honoured_for_its_own_cart_until_it_expires() -> AppResult<()> {
    let shop = Shop::open().await?;
    let cart = Cart::parse(shop.site.id.clone(), "qr", shop.lines(2), vec![], Some("email:ana@example.cl".into()))?;
    let quote = shop.app.quote_cart(&cart).await?;
    assert_eq!(quote.quote.total.amount_minor, 2 * PRICE);

    let mut other_cart = shop.order(3, "pay_at_pickup", None)?;
    other_cart.quote_id = Some(quote.id.clone());
    let refused = shop.app.place_order(other_cart, None).await;
    assert!(matches!(&refused, Err(AppError::Invalid(errors)) if errors[0].field == "quote_id"), "{refused:?}");

    shop.clock.advance(Duration::from_secs(16 * 60));
    let mut late = shop.order(2, "pay_at_pickup", None)?;
    late.quote_id = Some(quote.id.clone());
    let expired = shop.app.place_order(late, None).await;
    assert!(matches!(expired, Err(AppError::QuoteExpired { .. })), "{expired:?}");

    let unknown_site = Cart { site_id: "nowhere".into(), ..cart };
    assert!(matches!(shop.app.quote_cart(&unknown_site).await, Err(AppError::Invalid(_))));
    shop.close();
    Ok(())
}
