//! The desk's macros on a SQLite store with a manual clock: who may write them, every bad
//! field named, a placeholder typo refused, another's macro changed and removed.

use std::sync::Arc;

use omnicanal_domain::access::Role;
use omnicanal_store::{Page, Store, UserRow, connect};

use super::*;
use crate::payments::SandboxCardProvider;
use crate::{App, ManualClock};

const T0: i64 = 1_700_000_000_000;

async fn desk() -> AppResult<(App, Arc<ManualClock>, Caller)> {
    let dir = std::env::temp_dir().join(new_id("omni-app-macros"));
    std::fs::create_dir_all(&dir).map_err(|error| AppError::Internal(Box::new(error)))?;
    let store: Arc<dyn Store> = connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await?;
    let clock = Arc::new(ManualClock::starting_at(T0));
    let app = App::new(store.clone(), clock.clone(), Arc::new(SandboxCardProvider));
    let agent = UserRow {
        id: new_id("usr"),
        email: "agente@example.com".into(),
        password_hash: "x".into(),
        role: Role::SupportAgent,
        merchant_id: None,
        location_id: None,
        created_at_ms: T0,
    };
    store.insert_user(&agent).await?;
    let caller =
        Caller { id: agent.id, email: agent.email, role: Role::SupportAgent, merchant_id: None, location_id: None };
    Ok((app, clock, caller))
}

fn fields(error: AppError) -> Vec<String> {
    match error {
        AppError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        other => vec![format!("not invalid: {other:?}")],
    }
}

#[test]
fn a_macro_names_every_bad_field_and_a_placeholder_typo() {
    assert_eq!(MacroText::parse(" ", "").map_err(fields).err(), Some(vec!["title".into(), "body".into()]));
    let typo = MacroText::parse("Saludo", "Hola {tienda}");
    assert!(matches!(&typo, Err(AppError::Invalid(errors)) if errors[0].message.contains("{tienda}")));
    assert_eq!(MacroChange::parse(None, None).map_err(fields).err(), Some(vec!["title".into()]));
    assert_eq!(
        MacroChange::parse(Some(" Nuevo "), None).ok(),
        Some(MacroChange { title: Some("Nuevo".into()), body: None })
    );
}

#[tokio::test]
async fn agents_write_read_change_and_remove_macros_and_stores_may_not() -> AppResult<()> {
    let (app, clock, agent) = desk().await?;
    let saved =
        app.create_support_macro(&agent, MacroText::parse("Saludo", "Hola {store}, ticket #{number}.")?).await?;
    app.create_support_macro(&agent, MacroText::parse("Añadir papel", "Cambie el rollo.")?).await?;
    let (listed, total) = app.support_macros(&agent, Page::first(10)).await?;
    assert_eq!(total, 2);
    assert_eq!(listed.iter().map(|m| m.title.as_str()).collect::<Vec<_>>(), ["Añadir papel", "Saludo"]);

    clock.advance(std::time::Duration::from_millis(1_000));
    let changed = app.update_support_macro(&agent, &saved.id, MacroChange::parse(None, Some("Hola {store}"))?).await?;
    assert_eq!(
        (changed.title.as_str(), changed.body.as_str(), changed.updated_ms),
        ("Saludo", "Hola {store}", T0 + 1_000)
    );

    let staff =
        Caller { role: Role::Staff, merchant_id: Some("mer".into()), location_id: Some("loc".into()), ..agent.clone() };
    assert!(matches!(app.support_macros(&staff, Page::first(10)).await, Err(AppError::Forbidden)));
    assert!(matches!(app.delete_support_macro(&staff, &saved.id).await, Err(AppError::Forbidden)));

    app.delete_support_macro(&agent, &saved.id).await?;
    assert!(matches!(app.delete_support_macro(&agent, &saved.id).await, Err(AppError::NotFound(_))));
    let gone = app.update_support_macro(&agent, &saved.id, MacroChange::parse(Some("x"), None)?).await;
    assert!(matches!(gone, Err(AppError::NotFound(_))));
    Ok(())
}
