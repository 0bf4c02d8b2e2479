//! The knowledge base's use cases on a SQLite store with a manual clock: commands name every
//! bad field, drafts stay with the desk, search finds accents and stems, help sessions end
//! once, and the deflection share counts what it says.

use std::time::Duration;

use omnicanal_domain::access::Role;
use omnicanal_domain::support::knowledge::HelpOutcome;
use omnicanal_store::{ArticleFilter, Page};

use super::articles::{ArticleDraft, ArticleQuery};
use super::help::{ArticleFeedback, DeflectionWindow, EndHelpSession, OpenHelpSession};
use crate::App;
use crate::caller::Caller;
use crate::error::AppError;
use crate::setup::locations::NewLocation;
use crate::setup::merchants::NewMerchant;
use crate::setup::sites::NewSite;
use crate::webhooks::test_store::{T0, test_app};

fn fields(error: AppError) -> Vec<String> {
    match error {
        AppError::Invalid(errors) => errors.into_iter().map(|error| error.field).collect(),
        other => vec![format!("not invalid: {other:?}")],
    }
}

fn person(role: Role, merchant_id: Option<&str>, location_id: Option<&str>) -> Caller {
    Caller {
        id: format!("usr_{}_{}", role.as_str(), merchant_id.unwrap_or("platform")),
        email: "alguien@example.cl".into(),
        role,
        merchant_id: merchant_id.map(str::to_owned),
        location_id: location_id.map(str::to_owned),
    }
}

fn draft(locale: &str, title: &str, body: &str, published: bool) -> ArticleDraft {
    ArticleDraft::parse(Some(locale), Some(title), Some(body), Some("impresora"), None, Some(published))
        .unwrap_or_else(|error| panic!("a draft: {error:?}"))
}

/// A merchant with one location; returns (merchant id, location id).
async fn store_location(app: &App, name: &str) -> (String, String) {
    let admin = person(Role::Admin, None, None);
    let site = NewSite::parse("Mall", "CL", "CLP", "America/Santiago").unwrap_or_else(|e| panic!("{e:?}"));
    let site = app.create_site(&admin, site).await.unwrap_or_else(|e| panic!("{e:?}"));
    let merchant = NewMerchant::parse(name, "retail", 1000, None).unwrap_or_else(|e| panic!("{e:?}"));
    let merchant = app.create_merchant(&admin, merchant).await.unwrap_or_else(|e| panic!("{e:?}"));
    let location =
        NewLocation::parse(merchant.id.clone(), site.id, "Tienda", false).unwrap_or_else(|e| panic!("{e:?}"));
    let location = app.create_location(&admin, location).await.unwrap_or_else(|e| panic!("{e:?}"));
    (merchant.id, location.id)
}

#[test]
fn a_draft_and_a_query_name_every_bad_field() {
    let refused = ArticleDraft::parse(Some("fr"), Some("  "), Some(""), Some("cocina"), None, None);
    assert_eq!(
        refused.map_err(fields).err(),
        Some(vec!["locale".into(), "title".into(), "body".into(), "category".into()])
    );
    let too_long = "x".repeat(201);
    let refused = ArticleQuery::parse(Some(&too_long), Some("pt"), Some("nada"), Some(501));
    assert_eq!(
        refused.map_err(fields).err(),
        Some(vec!["q".into(), "locale".into(), "category".into(), "limit".into()])
    );
    assert_eq!(ArticleQuery::parse(Some(" impresora "), None, None, None).map(|q| q.limit).ok(), Some(5));
    assert_eq!(ArticleQuery::parse(Some("papel"), None, None, Some(500)).map(|q| q.limit).ok(), Some(20));
    assert_eq!(EndHelpSession::parse(Some("solved"), None).map_err(fields).err(), Some(vec!["outcome".into()]));
    assert_eq!(ArticleFeedback::parse(None, None, None).map_err(fields).err(), Some(vec!["solved".into()]));
    assert_eq!(
        DeflectionWindow::parse(Some("ayer"), Some("2026-01-01")).map_err(fields).err(),
        Some(vec!["from".into()])
    );
    assert_eq!(
        DeflectionWindow::parse(Some("2026-02-01"), Some("2026-01-01")).map_err(fields).err(),
        Some(vec!["to".into()])
    );
}

#[tokio::test]
async fn drafts_stay_with_the_desk_and_search_finds_every_form() {
    let test = test_app().await;
    let app = &test.app;
    let agent = person(Role::SupportAgent, None, None);
    let staff = person(Role::Staff, Some("mer_x"), Some("loc_x"));

    let refused = app.create_article(&staff, draft("es", "Título", "Cuerpo", true)).await;
    assert!(matches!(refused, Err(AppError::Forbidden)), "{refused:?}");

    let printer = draft("es", "La impresora no imprime: revise el papel", "Abra la tapa y **revise** el rollo.", true);
    let printer = app.create_article(&agent, printer).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert!(printer.body_html.contains("<strong>revise</strong>"));
    let hidden = app.create_article(&agent, draft("es", "Impresión de etiquetas", "Borrador.", false)).await;
    let hidden = hidden.unwrap_or_else(|e| panic!("{e:?}"));

    for typed in ["impresora no imprime", "imprimir", "IMPRESIÓN"] {
        let query = ArticleQuery::parse(Some(typed), Some("es"), None, None).unwrap_or_else(|e| panic!("{e:?}"));
        let found = app.search_articles(&staff, query).await.unwrap_or_else(|e| panic!("{e:?}"));
        let ids: Vec<&str> = found.iter().map(|hit| hit.id.as_str()).collect();
        assert_eq!(ids, vec![printer.article.id.as_str()], "{typed}");
    }
    let stop_words = ArticleQuery::parse(Some("no la"), None, None, None).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(app.search_articles(&staff, stop_words).await.unwrap_or_else(|e| panic!("{e:?}")).is_empty());

    assert!(matches!(app.article(&staff, &hidden.article.id).await, Err(AppError::NotFound(_))));
    assert!(app.article(&agent, &hidden.article.id).await.is_ok());
    test.clock.advance(Duration::from_secs(60));
    let published = app.set_article_published(&agent, &hidden.article.id, true).await;
    assert_eq!(published.ok().and_then(|view| view.article.published_ms), Some(T0 + 60_000));
    assert!(app.article(&staff, &hidden.article.id).await.is_ok());

    let (page, total) = app
        .list_articles(&agent, ArticleFilter::default(), Page { limit: 1, offset: 0 })
        .await
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((page.len(), total), (1, 2));
    assert!(matches!(
        app.list_articles(&staff, ArticleFilter::default(), Page::default()).await,
        Err(AppError::Forbidden)
    ));

    // A translation must be another article in the other language.
    let same_language =
        ArticleDraft::parse(Some("es"), Some("Otra"), Some("Texto"), Some("otro"), Some(&printer.article.id), None)
            .unwrap_or_else(|e| panic!("{e:?}"));
    let refused = app.create_article(&agent, same_language).await;
    assert_eq!(refused.map_err(fields).err(), Some(vec!["translation_id".into()]));
}

#[tokio::test]
async fn help_sessions_end_once_and_the_share_counts_finished_ones() {
    let test = test_app().await;
    let app = &test.app;
    let agent = person(Role::SupportAgent, None, None);
    let (merchant_a, location_a) = store_location(app, "Moda A").await;
    let (merchant_b, location_b) = store_location(app, "Moda B").await;
    let cashier_a = person(Role::Staff, Some(&merchant_a), Some(&location_a));
    let cashier_b = person(Role::Staff, Some(&merchant_b), Some(&location_b));
    let manager_a = person(Role::MerchantManager, Some(&merchant_a), None);
    let article = app.create_article(&agent, draft("es", "Papel atascado", "Abra la tapa.", true)).await;
    let article_id = article.unwrap_or_else(|e| panic!("{e:?}")).article.id;
    let open = || OpenHelpSession::parse(None, Some("papel")).unwrap_or_else(|e| panic!("{e:?}"));
    let solved = |session: &str| {
        ArticleFeedback::parse(Some(true), Some("papel"), Some(session)).unwrap_or_else(|e| panic!("{e:?}"))
    };

    // A staff member's session is at their own location; another store's location is hidden.
    let first = app.open_help_session(&cashier_a, open()).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(first.location_id.as_deref(), Some(location_a.as_str()));
    let elsewhere = OpenHelpSession::parse(Some(&location_b), None).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(matches!(app.open_help_session(&cashier_a, elsewhere).await, Err(AppError::NotFound(_))));

    app.article_feedback(&cashier_a, &article_id, solved(&first.id)).await.unwrap_or_else(|e| panic!("{e:?}"));
    // Pressing again records the press and leaves the session solved.
    app.article_feedback(&cashier_a, &article_id, solved(&first.id)).await.unwrap_or_else(|e| panic!("{e:?}"));
    // Another merchant's cashier cannot touch the session.
    let foreign = app.article_feedback(&cashier_b, &article_id, solved(&first.id)).await;
    assert!(matches!(foreign, Err(AppError::NotFound(_))), "{foreign:?}");

    let second = app.open_help_session(&cashier_a, open()).await.unwrap_or_else(|e| panic!("{e:?}"));
    let ticket = EndHelpSession::parse(Some("ticket"), Some("tkt_1")).unwrap_or_else(|e| panic!("{e:?}"));
    let ended = app.end_help_session(&cashier_a, &second.id, ticket).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((ended.outcome, ended.ticket_id.as_deref()), (Some(HelpOutcome::Ticket), Some("tkt_1")));
    // A ticket is final: "solved" afterwards is a conflict.
    let late = app.article_feedback(&cashier_a, &article_id, solved(&second.id)).await;
    assert!(matches!(late, Err(AppError::Conflict(_))), "{late:?}");

    let third = app.open_help_session(&cashier_a, open()).await.unwrap_or_else(|e| panic!("{e:?}"));
    let gave_up = EndHelpSession::parse(Some("abandoned"), None).unwrap_or_else(|e| panic!("{e:?}"));
    app.end_help_session(&cashier_a, &third.id, gave_up).await.unwrap_or_else(|e| panic!("{e:?}"));
    let at_b = app.open_help_session(&cashier_b, open()).await.unwrap_or_else(|e| panic!("{e:?}"));
    app.article_feedback(&cashier_b, &article_id, solved(&at_b.id)).await.unwrap_or_else(|e| panic!("{e:?}"));
    app.open_help_session(&cashier_b, open()).await.unwrap_or_else(|e| panic!("{e:?}"));

    test.clock.advance(Duration::from_secs(60));
    let window = DeflectionWindow::parse(None, None).unwrap_or_else(|e| panic!("{e:?}"));
    let desk = app.deflection(&agent, window).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        (desk.suggested, desk.solved_without_ticket, desk.tickets_opened, desk.abandoned, desk.still_open),
        (5, 2, 1, 1, 1)
    );
    assert_eq!(desk.share_solved_bps, 6_666, "2 solved of 3 finished with an answer");
    assert_eq!((desk.feedback_solved, desk.feedback_not_solved), (3, 0));
    let mine = app.deflection(&manager_a, window).await.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((mine.suggested, mine.solved_without_ticket, mine.tickets_opened), (3, 1, 1));
    assert_eq!(mine.share_solved_bps, 5_000);
    assert!(matches!(app.deflection(&cashier_a, window).await, Err(AppError::Forbidden)));
}
