//! The knowledge base's pages (issue 18 point 4): `/support/kb`, the agents' list of articles
//! with the editor and its preview, and `/support/kb/{id}`, an article as staff read it, with
//! the suggest-as-you-type box the till's help dialog reuses (`/static/support/kb-suggest.js`).
//!
//! Both pages wear the console's chrome and session (a support agent signs in at the console's
//! login like everyone else). Nothing changes through a form post here: the editor saves,
//! previews and publishes through the JSON API with the session cookie and the CSRF header
//! (`kb-editor.js`), so the page and `/api/v1/support/articles` cannot disagree. The article's
//! body is the domain's rendering (raw HTML escaped, unsafe links removed), the one string
//! this page marks safe.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::ids::rfc3339;
use omnicanal_domain::support::TicketCategory;
use omnicanal_domain::support::knowledge::ArticleLocale;
use omnicanal_store::{ArticleFilter, ArticleRow, Page};
use serde::Deserialize;

use super::forms::forbidden;
use super::pages::refused;
use super::session::ConsoleUser;
use super::view::console_messages;
use crate::state::AppState;
use crate::web::i18n::Lang;

/// The pages' templates, joined to the console's by `view.rs`.
pub(super) const TEMPLATE_SOURCES: [(&str, &str); 2] = [
    ("support_kb.html", include_str!("../../../templates/console/support_kb.html")),
    ("support_kb_article.html", include_str!("../../../templates/console/support_kb_article.html")),
];

/// Articles the list shows at once; the desk's base is a few hundred at most, and the filter
/// by language and category narrows it.
const LISTED: i64 = 200;

/// `?edit=&locale=&category=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct KbPageQuery {
    edit: Option<String>,
    locale: Option<String>,
    category: Option<String>,
}

fn category_choices(lang: Lang) -> Vec<Value> {
    TicketCategory::ALL
        .iter()
        .map(|category| {
            let word = category.as_str();
            context! { value => word, label => lang.text(&format!("console.kb.category.{word}"), &[]) }
        })
        .collect()
}

fn summary(lang: Lang, article: &ArticleRow) -> Value {
    context! {
        id => article.id,
        title => article.title,
        locale => article.locale.as_str(),
        category => lang.text(&format!("console.kb.category.{}", article.category.as_str()), &[]),
        published => article.published,
        updated => rfc3339(article.updated_ms),
        author => article.author_email,
    }
}

/// `GET /support/kb`: the list and the editor (a new article, or `?edit=<id>`).
pub(super) async fn list(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<KbPageQuery>,
) -> Response {
    let lang = console.lang;
    let filter = ArticleFilter {
        locale: query.locale.as_deref().and_then(|word| ArticleLocale::parse(word).ok()),
        category: query.category.as_deref().and_then(|word| TicketCategory::parse(word).ok()),
        published: None,
    };
    let (articles, total) =
        match state.app.list_articles(&console.user, filter.clone(), Page { limit: LISTED, offset: 0 }).await {
            Ok(found) => found,
            Err(AppError::Forbidden) => return forbidden(&console, &state, "console.kb.forbidden"),
            Err(error) => return refused(&console, &state, error),
        };
    let editing = match query.edit.as_deref().filter(|id| !id.is_empty()) {
        Some(id) => match state.app.article(&console.user, id).await {
            Ok(view) => Some(view.article),
            Err(error) => return refused(&console, &state, error),
        },
        None => None,
    };
    let editor = editing.as_ref().map(|article| {
        serde_json::json!({
            "id": article.id,
            "locale": article.locale.as_str(),
            "title": article.title,
            "body": article.body,
            "category": article.category.as_str(),
            "translation_id": article.translation_id,
            "published": article.published,
        })
    });
    let page_data = serde_json::json!({
        "lang": lang.code(),
        "messages": console_messages(lang),
        "article": editor,
    });
    let ctx = context! {
        title => lang.text("console.kb.title", &[]),
        articles => articles.iter().map(|article| summary(lang, article)).collect::<Vec<_>>(),
        total => total,
        shown => articles.len(),
        editing => editing.as_ref().map(|article| summary(lang, article)),
        categories => category_choices(lang),
        filter_locale => filter.locale.map(ArticleLocale::as_str),
        filter_category => filter.category.map(TicketCategory::as_str),
        page_data => page_data,
    };
    console.page(&state, "support_kb.html", StatusCode::OK, ctx)
}

/// `GET /support/kb/{id}`: one article, rendered; drafts only for the desk (others: 404).
pub(super) async fn article(State(state): State<AppState>, console: ConsoleUser, Path(id): Path<String>) -> Response {
    let lang = console.lang;
    let view = match state.app.article(&console.user, &id).await {
        Ok(view) => view,
        Err(AppError::Forbidden) => return forbidden(&console, &state, "console.kb.forbidden"),
        Err(error) => return refused(&console, &state, error),
    };
    let article = &view.article;
    let desk = matches!(
        console.user.role,
        omnicanal_domain::access::Role::Admin | omnicanal_domain::access::Role::SupportAgent
    );
    let page_data = serde_json::json!({
        "lang": lang.code(),
        "messages": console_messages(lang),
        "article_id": article.id,
        "locale": article.locale.as_str(),
    });
    let ctx = context! {
        title => article.title,
        article => summary(lang, article),
        article_lang => article.locale.as_str(),
        translation_id => article.translation_id,
        // The domain's rendering: raw HTML in the source is already text, unsafe links are gone.
        body_html => Value::from_safe_string(view.body_html.clone()),
        desk => desk,
        page_data => page_data,
    };
    console.page(&state, "support_kb_article.html", StatusCode::OK, ctx)
}
