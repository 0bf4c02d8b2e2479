//! The knowledge base (issue 18 point 4) on both backends: articles found by any form of their
//! words, accents or none, ranked with the title above the body; drafts and other languages
//! left out; an edit re-indexed; help sessions ended once; deflection counted.

use omnicanal_domain::support::TicketCategory;
use omnicanal_domain::support::knowledge::{ArticleLocale, HelpOutcome, index_text, query_terms};
use omnicanal_store::{
    ArticleFeedbackRow, ArticleFilter, ArticleRow, ArticleSearch, HelpSessionEnd, HelpSessionRow, Page, Store,
    StoreError,
};

use crate::support::T0;

fn article(id: &str, locale: ArticleLocale, title: &str, body: &str, published: bool, n: i64) -> ArticleRow {
    ArticleRow {
        id: id.to_owned(),
        locale,
        translation_id: None,
        title: title.to_owned(),
        body: body.to_owned(),
        category: TicketCategory::Printer,
        published,
        author_id: "usr_agent".to_owned(),
        author_email: "agente@example.cl".to_owned(),
        created_ms: T0 + n,
        updated_ms: T0 + n,
        published_ms: published.then_some(T0 + n),
        title_terms: index_text(locale, title),
        body_terms: index_text(locale, body),
    }
}

async fn search(store: &dyn Store, query: &str, locale: Option<ArticleLocale>) -> Vec<String> {
    let locales = locale.map_or(ArticleLocale::ALL.to_vec(), |locale| vec![locale]);
    let search = ArticleSearch { terms: query_terms(&locales, query), locale, category: None, limit: 10 };
    store.search_articles(&search).await.expect("search").into_iter().map(|hit| hit.id).collect()
}

pub async fn articles_are_found_by_stems_and_ranked_title_first(store: &dyn Store) {
    let es = ArticleLocale::Spanish;
    let written = [
        article(
            "art_printer",
            es,
            "La impresora no imprime: revise el papel",
            "Abra la tapa, compruebe que el rollo de papel térmico esté bien puesto y vacíe la cola.",
            true,
            1,
        ),
        article(
            "art_card",
            es,
            "Transacción negada en el terminal de tarjetas",
            "Mire el código de rechazo. Si el ticket de la impresora sale en blanco, es otro problema.",
            true,
            2,
        ),
        article("art_draft", es, "Impresión de etiquetas (borrador)", "Aún no publicado.", false, 3),
        article("art_en", ArticleLocale::English, "The printer does not print", "Check the paper roll.", true, 4),
    ];
    for row in &written {
        store.insert_article(row).await.expect("insert an article");
    }

    for query in ["impresora no imprime", "imprimir", "IMPRESIÓN", "impresion"] {
        let found = search(store, query, Some(es)).await;
        assert_eq!(found.first().map(String::as_str), Some("art_printer"), "{query}: {found:?}");
        assert!(!found.contains(&"art_draft".to_owned()), "drafts are never found: {found:?}");
        assert!(!found.contains(&"art_en".to_owned()), "Spanish only: {found:?}");
    }
    // The card article mentions the printer only in its body: found, but below the title match.
    assert_eq!(search(store, "impresora", Some(es)).await, vec!["art_printer", "art_card"]);
    assert_eq!(search(store, "transaccion negada", Some(es)).await, vec!["art_card"]);
    assert_eq!(search(store, "printing", Some(ArticleLocale::English)).await, vec!["art_en"]);
    assert!(search(store, "nada que ver", Some(es)).await.is_empty());
    let any_language = search(store, "impresora printer", None).await;
    assert!(any_language.contains(&"art_en".to_owned()) && any_language.contains(&"art_printer".to_owned()));

    // An edit re-indexes the article; publishing the draft makes it findable.
    let mut draft = written[2].clone();
    draft.published = true;
    draft.title = "Etiquetas de precio".to_owned();
    draft.title_terms = index_text(es, &draft.title);
    draft.updated_ms = T0 + 10;
    store.update_article(&draft).await.expect("publish the draft");
    assert_eq!(search(store, "etiqueta", Some(es)).await, vec!["art_draft"]);
    assert!(!search(store, "impresion", Some(es)).await.contains(&"art_draft".to_owned()));
    let mut missing = draft.clone();
    missing.id = "art_none".to_owned();
    assert!(matches!(store.update_article(&missing).await, Err(StoreError::NotFound)));

    let (page, total) =
        store.list_articles(&ArticleFilter::default(), Page { limit: 2, offset: 0 }).await.expect("list");
    assert_eq!(total, 4);
    assert_eq!(page.iter().map(|row| row.id.as_str()).collect::<Vec<_>>(), vec!["art_draft", "art_en"]);
    let drafts = ArticleFilter { published: Some(false), ..ArticleFilter::default() };
    assert_eq!(store.list_articles(&drafts, Page::default()).await.expect("list").1, 0);
    let read = store.get_article("art_printer").await.expect("get").expect("exists");
    assert_eq!(read, written[0]);
}

pub async fn help_sessions_end_once_and_are_counted(store: &dyn Store) {
    store.insert_article(&article("art_a", ArticleLocale::Spanish, "Papel", "Rollo.", true, 1)).await.expect("art");
    for (n, merchant) in [(1, "mer_a"), (2, "mer_a"), (3, "mer_a"), (4, "mer_b")] {
        let session = HelpSessionRow {
            id: format!("hlp_{n}"),
            opened_by: "usr_cajera".to_owned(),
            merchant_id: Some(merchant.to_owned()),
            location_id: Some("loc_a".to_owned()),
            opened_ms: T0 + n,
            query: None,
            outcome: None,
            article_id: None,
            ticket_id: None,
            closed_ms: None,
        };
        store.insert_help_session(&session).await.expect("open a session");
    }
    let end = |id: &str, expected, outcome| HelpSessionEnd {
        id: id.to_owned(),
        expected,
        outcome,
        article_id: (outcome == HelpOutcome::Solved).then(|| "art_a".to_owned()),
        ticket_id: None,
        closed_ms: T0 + 100,
    };
    let feedback = ArticleFeedbackRow {
        id: "afb_1".to_owned(),
        article_id: "art_a".to_owned(),
        help_session_id: Some("hlp_1".to_owned()),
        solved: true,
        query: Some("no imprime".to_owned()),
        user_id: "usr_cajera".to_owned(),
        merchant_id: Some("mer_a".to_owned()),
        at_ms: T0 + 50,
    };
    store.record_article_feedback(&feedback, Some(&end("hlp_1", None, HelpOutcome::Solved))).await.expect("solved");
    // A second press read the session as open too: it loses, and records nothing.
    let again = ArticleFeedbackRow { id: "afb_2".to_owned(), ..feedback.clone() };
    let stale = store.record_article_feedback(&again, Some(&end("hlp_1", None, HelpOutcome::Solved))).await;
    assert!(matches!(stale, Err(StoreError::StaleState)), "{stale:?}");
    store.end_help_session(&end("hlp_2", None, HelpOutcome::Ticket)).await.expect("ticket");
    store.end_help_session(&end("hlp_3", None, HelpOutcome::Abandoned)).await.expect("abandoned");
    store.end_help_session(&end("hlp_4", None, HelpOutcome::Solved)).await.expect("solved at b");

    let session = store.get_help_session("hlp_1").await.expect("get").expect("exists");
    assert_eq!(session.outcome, Some(HelpOutcome::Solved));
    assert_eq!(session.article_id.as_deref(), Some("art_a"));

    let all = store.deflection_counts(None, T0, T0 + 1_000).await.expect("counts");
    assert_eq!((all.sessions, all.solved, all.tickets, all.abandoned), (4, 2, 1, 1));
    assert_eq!((all.feedback_solved, all.feedback_not_solved), (1, 0));
    let merchant_a = store.deflection_counts(Some("mer_a"), T0, T0 + 1_000).await.expect("counts");
    assert_eq!((merchant_a.sessions, merchant_a.solved, merchant_a.tickets), (3, 1, 1));
    let before = store.deflection_counts(None, T0 - 1_000, T0).await.expect("counts");
    assert_eq!(before.sessions, 0);
}
