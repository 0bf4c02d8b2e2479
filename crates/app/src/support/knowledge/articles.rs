//! Articles: written and edited by the desk, published or withdrawn, listed for the agents,
//! read and searched by the stores.
//!
//! Every save recomputes the article's search terms (folded, stemmed by its language) from
//! its title and body, so the index can never lag behind the text. A search is answered from
//! the store's full-text index (best first) and the snippet under each hit is cut here, from
//! the markdown's plain text, around the first word that matched.

use omnicanal_domain::support::TicketCategory;
use omnicanal_domain::support::knowledge::{
    ArticleLocale, BODY_MAX_CHARS, QUERY_MAX_CHARS, TITLE_MAX_CHARS, index_text, query_terms, render_markdown, snippet,
};
use omnicanal_store::{ArticleFilter, ArticleRow, ArticleSearch, Page};

use super::{ARTICLE_AUTHORS, ARTICLE_READERS};
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// The most suggestions one search returns.
pub const SEARCH_MAX_LIMIT: i64 = 20;
/// The largest `limit` accepted (the API's page-size bound); more than 20 returns 20.
pub const SEARCH_LIMIT_ACCEPTED: i64 = 500;
/// Suggestions returned when the caller does not say.
pub const SEARCH_DEFAULT_LIMIT: i64 = 5;
/// The longest id a request may name (an article's translation), in characters.
pub const ID_MAX_CHARS: usize = 64;

/// An article as written by an agent, validated: used to create one and to replace one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDraft {
    /// Its language.
    pub locale: ArticleLocale,
    /// Title, trimmed.
    pub title: String,
    /// Body, markdown.
    pub body: String,
    /// The ticket category it helps with.
    pub category: TicketCategory,
    /// The same article in the other language, if any.
    pub translation_id: Option<String>,
    /// Whether to publish it now; `None` keeps an edited article as it is (a new one: draft).
    pub published: Option<bool>,
}

impl ArticleDraft {
    /// Checks every field, reporting each bad one.
    pub fn parse(
        locale: Option<&str>,
        title: Option<&str>,
        body: Option<&str>,
        category: Option<&str>,
        translation_id: Option<&str>,
        published: Option<bool>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let locale = match locale {
            Some(word) => v.check("locale", ArticleLocale::parse(word.trim())),
            None => {
                v.push("locale", "is required (es or en)");
                None
            }
        };
        let title = title.map(str::trim).unwrap_or_default();
        if title.is_empty() {
            v.push("title", "is required");
        } else if title.chars().count() > TITLE_MAX_CHARS {
            v.push("title", format!("must be at most {TITLE_MAX_CHARS} characters"));
        } else if title.chars().any(char::is_control) {
            v.push("title", "must be one line without control characters");
        }
        let body = body.unwrap_or_default();
        if body.trim().is_empty() {
            v.push("body", "is required");
        } else if body.chars().count() > BODY_MAX_CHARS {
            v.push("body", format!("must be at most {BODY_MAX_CHARS} characters"));
        } else if body.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            v.push("body", "must not contain control characters");
        }
        let category = match category {
            Some(word) => v.check("category", TicketCategory::parse(word.trim())),
            None => {
                v.push("category", "is required");
                None
            }
        };
        let translation_id = translation_id.map(str::trim).filter(|id| !id.is_empty());
        if translation_id.is_some_and(|id| id.chars().count() > ID_MAX_CHARS) {
            v.push("translation_id", format!("must be at most {ID_MAX_CHARS} characters"));
        }
        v.done(|| {
            Some(Self {
                locale: locale?,
                title: title.to_owned(),
                body: body.to_owned(),
                category: category?,
                translation_id: translation_id.map(str::to_owned),
                published,
            })
        })
    }
}

/// A search as the till sends it while the cashier types, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleQuery {
    /// The problem as typed so far.
    pub text: String,
    /// Only articles in this language; `None` searches both.
    pub locale: Option<ArticleLocale>,
    /// Only articles of this category.
    pub category: Option<TicketCategory>,
    /// At most this many suggestions.
    pub limit: i64,
}

impl ArticleQuery {
    /// Checks every field, reporting each bad one.
    pub fn parse(
        text: Option<&str>,
        locale: Option<&str>,
        category: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let text = text.map(str::trim).unwrap_or_default();
        if text.is_empty() {
            v.push("q", "is required");
        } else if text.chars().count() > QUERY_MAX_CHARS {
            v.push("q", format!("must be at most {QUERY_MAX_CHARS} characters"));
        } else if text.chars().any(char::is_control) {
            v.push("q", "must not contain control characters");
        }
        let locale = locale.map(str::trim).filter(|word| !word.is_empty());
        let locale = locale.and_then(|word| v.check("locale", ArticleLocale::parse(word)));
        let category = category.map(str::trim).filter(|word| !word.is_empty());
        let category = category.and_then(|word| v.check("category", TicketCategory::parse(word)));
        // Every list's `limit` takes 1 to 500 (one rule across the API); a suggestion list is
        // cut to SEARCH_MAX_LIMIT whatever is asked, since no dialog shows more.
        let limit = limit.unwrap_or(SEARCH_DEFAULT_LIMIT);
        if !(1..=SEARCH_LIMIT_ACCEPTED).contains(&limit) {
            v.push("limit", format!("must be between 1 and {SEARCH_LIMIT_ACCEPTED}"));
        }
        v.finish()?;
        Ok(Self { text: text.to_owned(), locale, category, limit: limit.min(SEARCH_MAX_LIMIT) })
    }
}

/// One suggestion: what the help dialog lists under the cashier's typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleSuggestion {
    /// Article id.
    pub id: String,
    /// Its language.
    pub locale: ArticleLocale,
    /// Title.
    pub title: String,
    /// Category.
    pub category: TicketCategory,
    /// Plain text around the first matching word of the body.
    pub snippet: String,
    /// The words of the snippet that matched, to highlight.
    pub matched_words: Vec<String>,
}

/// An article to show a reader: the row and its markdown rendered as safe HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleView {
    /// The article.
    pub article: ArticleRow,
    /// Its body as HTML (raw HTML escaped, unsafe link targets removed).
    pub body_html: String,
}

impl ArticleView {
    fn of(article: ArticleRow) -> Self {
        let body_html = render_markdown(&article.body);
        Self { article, body_html }
    }
}

impl App {
    /// Creates an article (a draft unless the draft says to publish it).
    pub async fn create_article(&self, caller: &Caller, draft: ArticleDraft) -> AppResult<ArticleView> {
        caller.require(&ARTICLE_AUTHORS)?;
        self.check_translation(None, &draft).await?;
        let now_ms = self.now_ms();
        let published = draft.published.unwrap_or(false);
        let article = ArticleRow {
            id: new_id("art"),
            locale: draft.locale,
            translation_id: draft.translation_id,
            title_terms: index_text(draft.locale, &draft.title),
            body_terms: index_text(draft.locale, &draft.body),
            title: draft.title,
            body: draft.body,
            category: draft.category,
            published,
            author_id: caller.id.clone(),
            author_email: caller.email.clone(),
            created_ms: now_ms,
            updated_ms: now_ms,
            published_ms: published.then_some(now_ms),
        };
        self.store.insert_article(&article).await?;
        Ok(ArticleView::of(article))
    }

    /// Replaces an article's text, language, category and translation link (and its published
    /// flag when the draft names it).
    pub async fn update_article(&self, caller: &Caller, id: &str, draft: ArticleDraft) -> AppResult<ArticleView> {
        caller.require(&ARTICLE_AUTHORS)?;
        let current = self.store.get_article(id).await?.ok_or(AppError::NotFound("article"))?;
        self.check_translation(Some(id), &draft).await?;
        let now_ms = self.now_ms();
        let published = draft.published.unwrap_or(current.published);
        let article = ArticleRow {
            locale: draft.locale,
            translation_id: draft.translation_id,
            title_terms: index_text(draft.locale, &draft.title),
            body_terms: index_text(draft.locale, &draft.body),
            title: draft.title,
            body: draft.body,
            category: draft.category,
            published,
            updated_ms: now_ms,
            published_ms: if published && !current.published { Some(now_ms) } else { current.published_ms },
            ..current
        };
        self.store.update_article(&article).await?;
        Ok(ArticleView::of(article))
    }

    /// Publishes (`true`) or withdraws (`false`) an article; doing what is already done
    /// changes nothing.
    pub async fn set_article_published(&self, caller: &Caller, id: &str, published: bool) -> AppResult<ArticleView> {
        caller.require(&ARTICLE_AUTHORS)?;
        let current = self.store.get_article(id).await?.ok_or(AppError::NotFound("article"))?;
        if current.published == published {
            return Ok(ArticleView::of(current));
        }
        let now_ms = self.now_ms();
        let article = ArticleRow {
            published,
            updated_ms: now_ms,
            published_ms: if published { Some(now_ms) } else { current.published_ms },
            ..current
        };
        self.store.update_article(&article).await?;
        Ok(ArticleView::of(article))
    }

    /// The agents' list, newest edit first, drafts included, with the total.
    pub async fn list_articles(
        &self,
        caller: &Caller,
        filter: ArticleFilter,
        page: Page,
    ) -> AppResult<(Vec<ArticleRow>, i64)> {
        caller.require(&ARTICLE_AUTHORS)?;
        Ok(self.store.list_articles(&filter, page).await?)
    }

    /// One article to read: published ones for every reader, drafts for the desk only.
    pub async fn article(&self, caller: &Caller, id: &str) -> AppResult<ArticleView> {
        caller.require(&ARTICLE_READERS)?;
        let article = self.store.get_article(id).await?.ok_or(AppError::NotFound("article"))?;
        if !article.published && !ARTICLE_AUTHORS.contains(&caller.role) {
            return Err(AppError::NotFound("article"));
        }
        Ok(ArticleView::of(article))
    }

    /// Published articles for a problem as typed, best first, each with its snippet. A query
    /// of stop words only ("no la") suggests nothing.
    pub async fn search_articles(&self, caller: &Caller, query: ArticleQuery) -> AppResult<Vec<ArticleSuggestion>> {
        caller.require(&ARTICLE_READERS)?;
        let locales = query.locale.map_or(ArticleLocale::ALL.to_vec(), |locale| vec![locale]);
        let terms = query_terms(&locales, &query.text);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let search = ArticleSearch { terms, locale: query.locale, category: query.category, limit: query.limit };
        let hits = self.store.search_articles(&search).await?;
        Ok(hits
            .into_iter()
            .map(|hit| {
                // The snippet is matched with the article's own stemmer, from the query's words.
                let own_terms = query_terms(&[hit.locale], &query.text);
                let cut = snippet(hit.locale, &hit.body, &own_terms);
                ArticleSuggestion {
                    id: hit.id,
                    locale: hit.locale,
                    title: hit.title,
                    category: hit.category,
                    snippet: cut.text,
                    matched_words: cut.matched_words,
                }
            })
            .collect())
    }

    /// Markdown as a reader would see it: the editor's preview.
    pub fn preview_article(&self, caller: &Caller, body: &str) -> AppResult<String> {
        caller.require(&ARTICLE_AUTHORS)?;
        if body.chars().count() > BODY_MAX_CHARS {
            let mut v = Validator::new();
            v.push("body", format!("must be at most {BODY_MAX_CHARS} characters"));
            v.finish()?;
        }
        Ok(render_markdown(body))
    }

    /// A translation link must name another existing article in the other language.
    async fn check_translation(&self, own_id: Option<&str>, draft: &ArticleDraft) -> AppResult<()> {
        let Some(translation_id) = &draft.translation_id else { return Ok(()) };
        let mut v = Validator::new();
        match self.store.get_article(translation_id).await? {
            None => v.push("translation_id", "names no article"),
            Some(other) if Some(other.id.as_str()) == own_id => v.push("translation_id", "must name another article"),
            Some(other) if other.locale == draft.locale => {
                v.push("translation_id", "must name an article in the other language")
            }
            Some(_) => {}
        }
        v.finish()
    }
}
