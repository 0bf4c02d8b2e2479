//! The SLA use cases on a SQLite store with a manual clock: deadlines on a Santiago store's
//! calendar (holiday, special day, merchant's rule over the platform's), a pause added back,
//! the calendar's reasons, and who may edit policies and special days.

use std::sync::Arc;

use chrono::TimeZone;
use omnicanal_domain::access::Role;
use omnicanal_domain::support::calendar::DayReason;
use omnicanal_domain::support::{TicketCategory, TicketPriority};
use omnicanal_store::{LocationRow, Page};

use super::sla::CalendarQuery;
use super::sla_admin::{NewSpecialDay, RawSlaRule, SlaPolicyEdit, SpecialDayQuery};
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::payments::SandboxCardProvider;
use crate::setup::locations::NewLocation;
use crate::setup::merchants::NewMerchant;
use crate::setup::sites::NewSite;
use crate::{App, ManualClock};

const MINUTE: i64 = 60_000;

fn caller(role: Role, merchant_id: Option<&str>) -> Caller {
    Caller {
        id: format!("usr_{}", role.as_str()),
        email: "someone@example.test".into(),
        role,
        merchant_id: merchant_id.map(str::to_owned),
        location_id: None,
    }
}

/// Santiago wall-clock time as Unix ms.
fn santiago(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    chrono_tz::America::Santiago
        .with_ymd_and_hms(y, mo, d, h, mi, 0)
        .earliest()
        .map(|time| time.timestamp_millis())
        .unwrap_or_default()
}

/// An app at Monday 7 December 2026, 12:00 in Santiago, with a store open 10:00–21:00 daily.
async fn app() -> AppResult<(App, LocationRow)> {
    let dir = std::env::temp_dir().join(format!("omni-app-{}", crate::ids::new_id("sla")));
    std::fs::create_dir_all(&dir).map_err(|error| AppError::internal(error.to_string()))?;
    let store = omnicanal_store::connect(&format!("sqlite://{}", dir.join("db.sqlite").display())).await?;
    let clock = Arc::new(ManualClock::starting_at(santiago(2026, 12, 7, 12, 0)));
    let app = App::new(store, clock, Arc::new(SandboxCardProvider));
    let admin = caller(Role::Admin, None);
    let site = app.create_site(&admin, NewSite::parse("Costanera", "CL", "CLP", "America/Santiago")?).await?;
    let merchant = app.create_merchant(&admin, NewMerchant::parse("Moda Sur", "retail", 1000, None)?).await?;
    let mut location =
        app.create_location(&admin, NewLocation::parse(merchant.id.clone(), site.id.clone(), "Tienda", false)?).await?;
    let day = r#"[["10:00","21:00"]]"#;
    location.storefront.opening_hours_json =
        Some(format!(r#"{{"1":{day},"2":{day},"3":{day},"4":{day},"5":{day},"6":{day},"7":{day}}}"#));
    app.store.update_location(&location).await?;
    Ok((app, location))
}

fn rule(priority: &str, category: Option<&str>, first: i64, resolution: i64) -> RawSlaRule {
    RawSlaRule {
        priority: priority.into(),
        category: category.map(str::to_owned),
        first_response_minutes: first,
        resolution_minutes: resolution,
        ..RawSlaRule::default()
    }
}

#[tokio::test]
async fn a_ticket_opened_at_closing_is_due_after_the_holiday() -> AppResult<()> {
    let (app, location) = app().await?;
    // Monday 21:00, closing; Tuesday 8 December is a holiday in Chile: due Wednesday.
    let due = app
        .sla_deadlines(&location.id, TicketPriority::Urgent, TicketCategory::Payments, santiago(2026, 12, 7, 21, 0))
        .await?;
    assert_eq!(due.first_response_due_ms, santiago(2026, 12, 9, 10, 15));
    assert_eq!(due.resolution_due_ms, santiago(2026, 12, 9, 14, 0));
    // 240 minutes from Monday 19:00: 120 on Monday, 120 on Wednesday.
    let due = app
        .sla_deadlines(&location.id, TicketPriority::Urgent, TicketCategory::Other, santiago(2026, 12, 7, 19, 0))
        .await?;
    assert_eq!(due.resolution_due_ms, santiago(2026, 12, 9, 12, 0));
    let missing = app.sla_deadlines("loc_nowhere", TicketPriority::Low, TicketCategory::Other, 0).await;
    assert!(matches!(missing, Err(AppError::NotFound("location"))), "{missing:?}");
    Ok(())
}

#[tokio::test]
async fn merchant_rules_and_special_days_set_the_targets() -> AppResult<()> {
    let (app, location) = app().await?;
    let agent = caller(Role::SupportAgent, None);
    let platform = SlaPolicyEdit::parse(None, &[rule("normal", None, 60, 600)])?;
    app.replace_sla_policy(&agent, platform).await?;
    let mut own = rule("normal", Some("pagos"), 20, 200);
    own.special_day_first_response_minutes = Some(10);
    own.special_day_resolution_minutes = Some(100);
    let view =
        app.replace_sla_policy(&agent, SlaPolicyEdit::parse(Some(location.merchant_id.clone()), &[own])?).await?;
    assert_eq!((view.rules.len(), view.platform_rules.len()), (1, 1));

    let noon = santiago(2026, 12, 7, 12, 0);
    let due = |category| app.sla_deadlines(&location.id, TicketPriority::Normal, category, noon);
    assert_eq!(due(TicketCategory::Payments).await?.first_response_due_ms, noon + 20 * MINUTE);
    assert_eq!(due(TicketCategory::Printer).await?.first_response_due_ms, noon + 60 * MINUTE);

    // Nochebuena for this merchant: open 10:00–18:00, tighter targets.
    let nochebuena = NewSpecialDay::parse(
        Some(location.merchant_id.clone()),
        None,
        "2026-12-24",
        "Nochebuena",
        Some(vec![("10:00".into(), "18:00".into())]),
        true,
    )?;
    app.create_special_day(&agent, nochebuena.clone()).await?;
    let again = app.create_special_day(&agent, nochebuena).await;
    assert!(matches!(again, Err(AppError::AlreadyExists { field: "date", .. })), "{again:?}");
    let evening = santiago(2026, 12, 24, 17, 55);
    let due = app.sla_deadlines(&location.id, TicketPriority::Normal, TicketCategory::Payments, evening).await?;
    // 10 minutes: 5 before the early close, the 25th is Navidad, 5 more on the 26th.
    assert_eq!(due.first_response_due_ms, santiago(2026, 12, 26, 10, 5));
    Ok(())
}

#[tokio::test]
async fn a_pause_is_added_back_in_business_time() -> AppResult<()> {
    let (app, location) = app().await?;
    let due = santiago(2026, 12, 7, 20, 0);
    // Paused from 19:00 to 20:30: 90 business minutes, so due 21:00 + 30 the next open day.
    let extended = app
        .sla_extend_for_pause(&location.id, due, santiago(2026, 12, 7, 19, 0), santiago(2026, 12, 7, 20, 30))
        .await?;
    assert_eq!(extended, santiago(2026, 12, 9, 10, 30));
    // A pause while closed adds nothing.
    let night =
        app.sla_extend_for_pause(&location.id, due, santiago(2026, 12, 7, 22, 0), santiago(2026, 12, 8, 9, 0)).await?;
    assert_eq!(night, due);
    Ok(())
}

#[tokio::test]
async fn the_calendar_says_why_and_only_editors_edit() -> AppResult<()> {
    let (app, location) = app().await?;
    let manager = caller(Role::MerchantManager, Some(&location.merchant_id));
    let view = app.support_calendar(&manager, CalendarQuery::parse(&location.id, None, Some(3))?).await?;
    let reasons: Vec<DayReason> = view.days.iter().map(|day| day.reason).collect();
    assert_eq!(reasons, [DayReason::Weekly, DayReason::Holiday, DayReason::Weekly]);
    assert_eq!(view.days[1].holiday, Some("Inmaculada Concepción"));
    let stranger = caller(Role::MerchantManager, Some("mer_other"));
    let hidden = app.support_calendar(&stranger, CalendarQuery::parse(&location.id, None, None)?).await;
    assert!(matches!(hidden, Err(AppError::NotFound("location"))), "{hidden:?}");

    let refused = app.replace_sla_policy(&manager, SlaPolicyEdit::parse(None, &[])?).await;
    assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");
    let listed = app.list_special_days(&manager, SpecialDayQuery::default()).await;
    assert!(matches!(listed, Err(AppError::Forbidden)), "{listed:?}");

    let bad = SlaPolicyEdit::parse(
        None,
        &[rule("critical", None, 10, 100), rule("low", Some("nada"), 0, 10), rule("high", None, 50, 10)],
    );
    let Err(AppError::Invalid(errors)) = bad else { panic!("{bad:?}") };
    let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "rules[0].priority",
            "rules[1].category",
            "rules[1].first_response_minutes",
            "rules[2].first_response_minutes"
        ]
    );
    let bad_day = NewSpecialDay::parse(None, None, "2026-02-30", " ", Some(vec![("9".into(), "10:00".into())]), false);
    let Err(AppError::Invalid(errors)) = bad_day else { panic!("{bad_day:?}") };
    assert_eq!(errors.iter().map(|error| error.field.as_str()).collect::<Vec<_>>(), ["date", "name", "hours"]);
    assert!(CalendarQuery::parse("loc", Some("2026-13-01"), Some(0)).is_err());
    let query = SpecialDayQuery::parse(None, None, Some("2026-12-31"), Some("2026-12-01"), Page::default());
    assert!(matches!(query, Err(AppError::Invalid(_))));
    Ok(())
}

#[tokio::test]
async fn the_watch_warns_at_80_percent_and_breaches_once_per_target() -> AppResult<()> {
    use crate::support::tickets::OpenTicket;
    use omnicanal_domain::events::EventType;
    let (app, location) = app().await?;
    let manager = caller(Role::MerchantManager, Some(&location.merchant_id));
    let user = omnicanal_store::UserRow {
        id: manager.id.clone(),
        email: manager.email.clone(),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        role: manager.role,
        merchant_id: manager.merchant_id.clone(),
        location_id: None,
        created_at_ms: 0,
    };
    app.store.insert_user(&user).await?;
    let clock = santiago(2026, 12, 7, 12, 0);
    // Urgent: first response in 15 business minutes, resolution in 240.
    let open = OpenTicket::parse(
        &location.id,
        "La caja no imprime",
        "Papel puesto",
        Some("impresora"),
        Some("urgent"),
        None,
        None,
        None,
    )?;
    let ticket = app.open_support_ticket(&manager, open).await?;
    assert_eq!(ticket.first_response_due_ms, clock + 15 * MINUTE);
    let alerts = |app: App| async move {
        let rows = app.store.outbox_after(0, 1_000).await?;
        let kinds: Vec<EventType> = rows
            .iter()
            .map(|row| row.event_type)
            .filter(|kind| matches!(kind, EventType::SupportSlaWarning | EventType::SupportSlaBreached))
            .collect();
        AppResult::Ok(kinds)
    };
    assert_eq!(app.run_sla_watch(clock + 11 * MINUTE).await?, 0, "under 80 % of 15 minutes");
    assert_eq!(app.run_sla_watch(clock + 12 * MINUTE).await?, 1, "80 % of the first response");
    assert_eq!(app.run_sla_watch(clock + 13 * MINUTE).await?, 0, "a warning fires once");
    assert_eq!(app.run_sla_watch(clock + 15 * MINUTE).await?, 1, "the first response breached");
    assert_eq!(app.run_sla_watch(clock + 16 * MINUTE).await?, 0);
    assert_eq!(alerts(app.clone()).await?, [EventType::SupportSlaWarning, EventType::SupportSlaBreached]);
    // Resolution: 240 business minutes; 80 % is 192 minutes after noon, 15:12.
    assert_eq!(app.run_sla_watch(santiago(2026, 12, 7, 15, 11)).await?, 0);
    assert_eq!(app.run_sla_watch(santiago(2026, 12, 7, 15, 12)).await?, 1);
    // Two watchers at once (two nodes): the breach is written by one of them only.
    let at = santiago(2026, 12, 7, 16, 0);
    let (a, b) = tokio::join!(app.run_sla_watch(at), app.run_sla_watch(at));
    assert_eq!(a? + b?, 1);
    let payload = app.store.outbox_after(0, 1_000).await?;
    let last = payload.iter().rev().find(|row| row.event_type == EventType::SupportSlaBreached);
    let json: serde_json::Value =
        serde_json::from_str(&last.map(|row| row.payload_json.clone()).unwrap_or_default()).unwrap_or_default();
    assert_eq!((json["target"].as_str(), json["ticket_id"].as_str()), (Some("resolution"), Some(ticket.id.as_str())));
    assert_eq!(json["due_at"], crate::ids::rfc3339(ticket.resolution_due_ms));
    Ok(())
}
