//! The knowledge base in SQL: articles saved and listed with the shared dialect, and the one
//! statement that differs per backend, the full-text search.
//!
//! Why search is two statements: SQLite's FTS5 and PostgreSQL's tsvector are each their
//! database's own index, with their own match and rank syntax, and neither can stand in for
//! the other. What they index is the same text — the folded, stemmed terms the app wrote to
//! `title_terms` and `body_terms` — and both take the same query: any of the prefix terms.
//! SQLite's FTS table is kept in step by triggers (migration 0040), PostgreSQL's vector is a
//! generated column, so saving an article is one shared `INSERT`/`UPDATE` on both. Ranking:
//! bm25 with the title's column weighing 10 to the body's 1 on SQLite; `ts_rank` with weight A
//! (title) at 1.0 and B (body) at 0.1 on PostgreSQL.
//!
//! The match expression is built here and bound as one parameter, which FTS5 and `to_tsquery`
//! then parse with their own syntax; a term keeps only letters and digits (the domain makes
//! them so, and `match_terms` drops anything else), so no query can smuggle an operator in.

use async_trait::async_trait;
use omnicanal_domain::support::TicketCategory;
use omnicanal_domain::support::knowledge::{ArticleLocale, HelpOutcome};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{flag, get_flag, get_parsed, get_parsed_opt};
use crate::backend::{Backend, SqlStore};
use crate::rows::{
    ArticleFeedbackRow, ArticleFilter, ArticleHitRow, ArticleRow, ArticleSearch, DeflectionCountsRow, HelpSessionEnd,
    HelpSessionRow, Page,
};
use crate::{KnowledgeStore, StoreError, StoreResult};

/// An article's columns, in `article_from`'s order (a macro so statements stay static text).
macro_rules! article_columns {
    () => {
        "id, locale, translation_id, title, body, category, published, author_id, author_email, \
         created_ms, updated_ms, published_ms, title_terms, body_terms"
    };
}

/// A help session's columns.
macro_rules! session_columns {
    () => {
        "id, opened_by, merchant_id, location_id, opened_ms, query, outcome, article_id, ticket_id, closed_ms"
    };
}

/// The agents' list filter; parameters `$1`…`$3`.
macro_rules! article_filter {
    () => {
        " WHERE ($1 IS NULL OR locale = $1) AND ($2 IS NULL OR category = $2) AND ($3 IS NULL OR published = $3)"
    };
}

fn article_from(row: &AnyRow) -> Result<ArticleRow, sqlx::Error> {
    Ok(ArticleRow {
        id: row.try_get("id")?,
        locale: get_parsed(row, "locale", ArticleLocale::parse)?,
        translation_id: row.try_get("translation_id")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        category: get_parsed(row, "category", TicketCategory::parse)?,
        published: get_flag(row, "published")?,
        author_id: row.try_get("author_id")?,
        author_email: row.try_get("author_email")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
        published_ms: row.try_get("published_ms")?,
        title_terms: row.try_get("title_terms")?,
        body_terms: row.try_get("body_terms")?,
    })
}

fn session_from(row: &AnyRow) -> Result<HelpSessionRow, sqlx::Error> {
    Ok(HelpSessionRow {
        id: row.try_get("id")?,
        opened_by: row.try_get("opened_by")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        opened_ms: row.try_get("opened_ms")?,
        query: row.try_get("query")?,
        outcome: get_parsed_opt(row, "outcome", HelpOutcome::parse)?,
        article_id: row.try_get("article_id")?,
        ticket_id: row.try_get("ticket_id")?,
        closed_ms: row.try_get("closed_ms")?,
    })
}

/// The terms as the backend's match expression: any of them, each as a prefix.
fn match_terms(backend: Backend, terms: &[String]) -> String {
    let clean = terms
        .iter()
        .map(|term| term.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
        .filter(|term| !term.is_empty());
    match backend {
        Backend::Sqlite => clean.map(|term| format!("\"{term}\"*")).collect::<Vec<_>>().join(" OR "),
        Backend::Postgres => clean.map(|term| format!("{term}:*")).collect::<Vec<_>>().join(" | "),
    }
}

/// SQLite: FTS5 over the terms table, bm25 ascending is best first.
const SEARCH_SQLITE: &str = "SELECT a.id, a.locale, a.title, a.body, a.category \
     FROM support_article_fts f JOIN support_articles a ON a.id = f.article_id \
     WHERE support_article_fts MATCH $1 AND a.published = 1 \
     AND ($2 IS NULL OR a.locale = $2) AND ($3 IS NULL OR a.category = $3) \
     ORDER BY bm25(support_article_fts, 0.0, 10.0, 1.0), a.id LIMIT $4";

/// PostgreSQL: the generated vector under its GIN index, `ts_rank` descending is best first.
const SEARCH_POSTGRES: &str = "SELECT a.id, a.locale, a.title, a.body, a.category \
     FROM support_articles a \
     WHERE a.search_vector @@ to_tsquery('simple', $1) AND a.published = 1 \
     AND ($2 IS NULL OR a.locale = $2) AND ($3 IS NULL OR a.category = $3) \
     ORDER BY ts_rank(CAST('{0.05, 0.05, 0.1, 1.0}' AS real[]), a.search_vector, to_tsquery('simple', $1)) DESC, \
     a.id LIMIT $4";

/// The conditional end of a help session: only from the outcome the app read.
const END_SESSION: &str = "UPDATE support_help_sessions SET outcome = $2, article_id = COALESCE($3, article_id), \
     ticket_id = COALESCE($4, ticket_id), closed_ms = $5 \
     WHERE id = $1 AND (outcome = $6 OR (outcome IS NULL AND $6 IS NULL))";

fn bind_end<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    end: &'q HelpSessionEnd,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    query
        .bind(&end.id)
        .bind(end.outcome.as_str())
        .bind(&end.article_id)
        .bind(&end.ticket_id)
        .bind(end.closed_ms)
        .bind(end.expected.map(|outcome| outcome.as_str().to_owned()))
}

#[async_trait]
impl KnowledgeStore for SqlStore {
    async fn insert_article(&self, article: &ArticleRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO support_articles (id, locale, translation_id, title, body, category, published, author_id, \
             author_email, created_ms, updated_ms, published_ms, title_terms, body_terms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(&article.id)
        .bind(article.locale.as_str())
        .bind(&article.translation_id)
        .bind(&article.title)
        .bind(&article.body)
        .bind(article.category.as_str())
        .bind(flag(article.published))
        .bind(&article.author_id)
        .bind(&article.author_email)
        .bind(article.created_ms)
        .bind(article.updated_ms)
        .bind(article.published_ms)
        .bind(&article.title_terms)
        .bind(&article.body_terms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn update_article(&self, article: &ArticleRow) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE support_articles SET locale = $2, translation_id = $3, title = $4, body = $5, category = $6, \
             published = $7, updated_ms = $8, published_ms = $9, title_terms = $10, body_terms = $11 WHERE id = $1",
        )
        .bind(&article.id)
        .bind(article.locale.as_str())
        .bind(&article.translation_id)
        .bind(&article.title)
        .bind(&article.body)
        .bind(article.category.as_str())
        .bind(flag(article.published))
        .bind(article.updated_ms)
        .bind(article.published_ms)
        .bind(&article.title_terms)
        .bind(&article.body_terms)
        .execute(&self.write)
        .await?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn get_article(&self, id: &str) -> StoreResult<Option<ArticleRow>> {
        let sql = concat!("SELECT ", article_columns!(), " FROM support_articles WHERE id = $1");
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.read).await?;
        Ok(row.as_ref().map(article_from).transpose()?)
    }

    async fn list_articles(&self, filter: &ArticleFilter, page: Page) -> StoreResult<(Vec<ArticleRow>, i64)> {
        let locale = filter.locale.map(|locale| locale.as_str().to_owned());
        let category = filter.category.map(|category| category.as_str().to_owned());
        let published = filter.published.map(flag);
        let count_sql = concat!("SELECT COUNT(*) AS n FROM support_articles", article_filter!());
        let total: i64 = sqlx::query(count_sql)
            .bind(locale.clone())
            .bind(category.clone())
            .bind(published)
            .fetch_one(&self.read)
            .await?
            .try_get("n")?;
        let list_sql = concat!(
            "SELECT ",
            article_columns!(),
            " FROM support_articles",
            article_filter!(),
            " ORDER BY updated_ms DESC, id DESC LIMIT $4 OFFSET $5"
        );
        let rows = sqlx::query(list_sql)
            .bind(locale)
            .bind(category)
            .bind(published)
            .bind(page.limit)
            .bind(page.offset)
            .fetch_all(&self.read)
            .await?;
        let articles = rows.iter().map(article_from).collect::<Result<Vec<_>, _>>()?;
        Ok((articles, total))
    }

    async fn search_articles(&self, search: &ArticleSearch) -> StoreResult<Vec<ArticleHitRow>> {
        let expression = match_terms(self.backend, &search.terms);
        if expression.is_empty() {
            return Ok(Vec::new());
        }
        let sql = match self.backend {
            Backend::Sqlite => SEARCH_SQLITE,
            Backend::Postgres => SEARCH_POSTGRES,
        };
        let rows = sqlx::query(sql)
            .bind(expression)
            .bind(search.locale.map(|locale| locale.as_str().to_owned()))
            .bind(search.category.map(|category| category.as_str().to_owned()))
            .bind(search.limit)
            .fetch_all(&self.read)
            .await?;
        let hits = rows
            .iter()
            .map(|row| {
                Ok(ArticleHitRow {
                    id: row.try_get("id")?,
                    locale: get_parsed(row, "locale", ArticleLocale::parse)?,
                    title: row.try_get("title")?,
                    body: row.try_get("body")?,
                    category: get_parsed(row, "category", TicketCategory::parse)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(hits)
    }

    async fn insert_help_session(&self, session: &HelpSessionRow) -> StoreResult<()> {
        let sql = concat!(
            "INSERT INTO support_help_sessions (",
            session_columns!(),
            ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        sqlx::query(sql)
            .bind(&session.id)
            .bind(&session.opened_by)
            .bind(&session.merchant_id)
            .bind(&session.location_id)
            .bind(session.opened_ms)
            .bind(&session.query)
            .bind(session.outcome.map(|outcome| outcome.as_str().to_owned()))
            .bind(&session.article_id)
            .bind(&session.ticket_id)
            .bind(session.closed_ms)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    async fn get_help_session(&self, id: &str) -> StoreResult<Option<HelpSessionRow>> {
        let sql = concat!("SELECT ", session_columns!(), " FROM support_help_sessions WHERE id = $1");
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.read).await?;
        Ok(row.as_ref().map(session_from).transpose()?)
    }

    async fn end_help_session(&self, end: &HelpSessionEnd) -> StoreResult<()> {
        let done = bind_end(sqlx::query(END_SESSION), end).execute(&self.write).await?;
        if done.rows_affected() == 0 { Err(StoreError::StaleState) } else { Ok(()) }
    }

    async fn record_article_feedback(
        &self,
        feedback: &ArticleFeedbackRow,
        session_end: Option<&HelpSessionEnd>,
    ) -> StoreResult<()> {
        let mut tx = self.write.begin().await?;
        if let Some(end) = session_end {
            let done = bind_end(sqlx::query(END_SESSION), end).execute(&mut *tx).await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::StaleState);
            }
        }
        sqlx::query(
            "INSERT INTO support_article_feedback (id, article_id, help_session_id, solved, query, user_id, \
             merchant_id, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&feedback.id)
        .bind(&feedback.article_id)
        .bind(&feedback.help_session_id)
        .bind(flag(feedback.solved))
        .bind(&feedback.query)
        .bind(&feedback.user_id)
        .bind(&feedback.merchant_id)
        .bind(feedback.at_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn deflection_counts(
        &self,
        merchant_id: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<DeflectionCountsRow> {
        let sessions = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS sessions, \
             CAST(COALESCE(SUM(CASE WHEN outcome = 'solved' THEN 1 ELSE 0 END), 0) AS BIGINT) AS solved, \
             CAST(COALESCE(SUM(CASE WHEN outcome = 'ticket' THEN 1 ELSE 0 END), 0) AS BIGINT) AS tickets, \
             CAST(COALESCE(SUM(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END), 0) AS BIGINT) AS abandoned \
             FROM support_help_sessions WHERE ($1 IS NULL OR merchant_id = $1) AND opened_ms >= $2 AND opened_ms < $3",
        )
        .bind(merchant_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(&self.read)
        .await?;
        let feedback = sqlx::query(
            "SELECT CAST(COALESCE(SUM(CASE WHEN solved = 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS solved, \
             CAST(COALESCE(SUM(CASE WHEN solved = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS not_solved \
             FROM support_article_feedback WHERE ($1 IS NULL OR merchant_id = $1) AND at_ms >= $2 AND at_ms < $3",
        )
        .bind(merchant_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(&self.read)
        .await?;
        Ok(DeflectionCountsRow {
            sessions: sessions.try_get("sessions")?,
            solved: sessions.try_get("solved")?,
            tickets: sessions.try_get("tickets")?,
            abandoned: sessions.try_get("abandoned")?,
            feedback_solved: feedback.try_get("solved")?,
            feedback_not_solved: feedback.try_get("not_solved")?,
        })
    }
}
