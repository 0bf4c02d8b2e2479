//! The stock use cases on a SQLite store: refusals decided before the write name what was
//! wrong, and nothing moves when they refuse.

use std::sync::Arc;

use omnicanal_domain::Currency;
use omnicanal_domain::access::Role;
use omnicanal_store::{LocationRow, Page};

use super::counts::NewCount;
use super::levels::LevelQuery;
use super::movements::NewMovement;
use super::transfers::NewTransfer;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::payments::SandboxCardProvider;
use crate::setup::demo::DemoDish;
use crate::setup::locations::NewLocation;
use crate::setup::merchants::NewMerchant;
use crate::setup::sites::NewSite;
use crate::{App, SystemClock};

fn caller(role: Role, merchant_id: Option<&str>, location_id: Option<&str>) -> Caller {
    Caller {
        id: format!("usr_{}", role.as_str()),
        email: "someone@example.test".into(),
        role,
        merchant_id: merchant_id.map(str::to_owned),
        location_id: location_id.map(str::to_owned),
    }
}

/// An app on a fresh SQLite file.
async fn app() -> AppResult<App> {
    let dir = std::env::temp_dir().join(format!("omni-app-{}", crate::ids::new_id("test")));
    std::fs::create_dir_all(&dir).map_err(|error| AppError::internal(error.to_string()))?;
    let store = omnicanal_store::connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await?;
    Ok(App::new(store, Arc::new(SystemClock), Arc::new(SandboxCardProvider)))
}

/// A merchant with two locations at one site, and 10 units of a tracked SKU at the first.
async fn shop(app: &App, admin: &Caller) -> AppResult<(LocationRow, LocationRow)> {
    let site = app.create_site(admin, NewSite::parse("Mall", "CL", "CLP", "America/Santiago")?).await?;
    let merchant = app.create_merchant(admin, NewMerchant::parse("Napoli", "restaurant", 1000, None)?).await?;
    let mut locations = Vec::new();
    for name in ["Local", "Bodega"] {
        let location = NewLocation::parse(merchant.id.clone(), site.id.clone(), name, false)?;
        locations.push(app.create_location(admin, location).await?);
    }
    let dish = DemoDish {
        name: "Pizza".into(),
        sku: "PIZZA".into(),
        price_minor: 9_990,
        opening_stock: Some(10),
        category: "Platos".into(),
        modifiers: Vec::new(),
        description: None,
        allergens: Vec::new(),
    };
    app.seed_demo_dish(&locations[0], Currency::Clp, dish).await?;
    let bodega = locations.pop().ok_or_else(|| AppError::internal("no second location"))?;
    let local = locations.pop().ok_or_else(|| AppError::internal("no first location"))?;
    Ok((local, bodega))
}

async fn on_hand(app: &App, admin: &Caller, location: &LocationRow) -> AppResult<i64> {
    let query = LevelQuery { location_id: Some(location.id.clone()), sku: None, page: Page { limit: 10, offset: 0 } };
    Ok(app.stock_levels(admin, query).await?.iter().map(|level| level.on_hand).sum())
}

#[tokio::test]
async fn refusals_name_what_was_wrong_and_move_nothing() -> AppResult<()> {
    let app = app().await?;
    let admin = caller(Role::Admin, None, None);
    let (local, bodega) = shop(&app, &admin).await?;

    let write_off = NewMovement::parse("PIZZA", local.id.clone(), -11, "loss")?;
    let refused = app.record_movement(&admin, write_off).await;
    assert!(matches!(&refused, Err(AppError::Conflict(why)) if why.contains("-11")), "{refused:?}");

    let too_many = NewTransfer::parse("PIZZA", local.id.clone(), bodega.id.clone(), 11)?;
    let refused = app.send_transfer(&admin, too_many).await;
    assert!(matches!(&refused, Err(AppError::InsufficientStock { sku }) if sku == "PIZZA"), "{refused:?}");
    assert_eq!(on_hand(&app, &admin, &local).await?, 10, "the refusals moved nothing");

    let sent = app.send_transfer(&admin, NewTransfer::parse("PIZZA", local.id.clone(), bodega.id.clone(), 4)?).await?;
    let staff_at_local = caller(Role::Staff, Some(&local.merchant_id), Some(&local.id));
    let refused = app.receive_transfer(&staff_at_local, &sent.id).await;
    assert!(matches!(refused, Err(AppError::NotFound("transfer"))), "only the destination receives: {refused:?}");
    app.receive_transfer(&admin, &sent.id).await?;
    assert!(matches!(app.receive_transfer(&admin, &sent.id).await, Err(AppError::Conflict(_))), "received once");
    assert_eq!((on_hand(&app, &admin, &local).await?, on_hand(&app, &admin, &bodega).await?), (6, 4));

    let counted = app.count_stock(&staff_at_local, NewCount::parse("PIZZA", local.id.clone(), 2)?).await?;
    assert_eq!((counted.level.on_hand, counted.difference), (2, -4));
    Ok(())
}

#[tokio::test]
async fn another_merchants_locations_do_not_exist_for_stock() -> AppResult<()> {
    let app = app().await?;
    let admin = caller(Role::Admin, None, None);
    let (local, _) = shop(&app, &admin).await?;
    let stranger = caller(Role::MerchantManager, Some("mer_other"), None);
    let refused = app.record_movement(&stranger, NewMovement::parse("PIZZA", local.id.clone(), 1, "receipt")?).await;
    assert!(matches!(&refused, Err(AppError::Invalid(errors)) if errors[0].field == "location_id"), "{refused:?}");
    let history = app.movements(&stranger, &local.id, None, Page { limit: 10, offset: 0 }).await;
    assert!(matches!(history, Err(AppError::NotFound("location"))), "{history:?}");
    let support = caller(Role::SupportAgent, None, None);
    let refused = app.count_stock(&support, NewCount::parse("PIZZA", local.id.clone(), 1)?).await;
    assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
    Ok(())
}
