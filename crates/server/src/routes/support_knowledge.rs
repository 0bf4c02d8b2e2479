//! The knowledge base over HTTP (issue 18 point 4): thin handlers over
//! `omnicanal_app::support::knowledge`.
//!
//! - Agents and admins write: `POST /support/articles`, `PUT /support/articles/{id}`,
//!   `POST /support/articles/{id}/publish|unpublish`, `GET /support/articles` (drafts too,
//!   paged), `POST /support/articles/preview` (the editor's rendered markdown).
//! - Anyone signed in at a store (staff, manager, agent, admin) reads what is published:
//!   `GET /support/articles/search?q=&locale=&category=&limit=` (the till calls it as the
//!   cashier types; a bounded, indexed query) and `GET /support/articles/{id}`.
//! - The help dialog records problems: `POST /support/help-sessions`,
//!   `POST /support/help-sessions/{id}/end`, `POST /support/articles/{id}/feedback`; and the
//!   desk (or a manager, for its merchant) reads `GET /support/articles/deflection?from=&to=`.
//!
//! None of these moves money or stock, so none sits behind the idempotency layer: saving an
//! article twice saves the same text, and a repeated feedback press is counted, not doubled
//! into the session's outcome.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use omnicanal_app::ids::rfc3339;
use omnicanal_app::support::knowledge::articles::{ArticleDraft, ArticleQuery, ArticleSuggestion, ArticleView};
use omnicanal_app::support::knowledge::help::{
    ArticleFeedback, Deflection, DeflectionWindow, EndHelpSession, OpenHelpSession,
};
use omnicanal_domain::support::TicketCategory;
use omnicanal_domain::support::knowledge::ArticleLocale;
use omnicanal_store::{ArticleFeedbackRow, ArticleFilter, ArticleRow, HelpSessionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Pagination};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_article, list_articles))
        .routes(routes!(search_articles))
        .routes(routes!(article_deflection))
        .routes(routes!(preview_article))
        .routes(routes!(show_article, update_article))
        .routes(routes!(publish_article))
        .routes(routes!(unpublish_article))
        .routes(routes!(article_feedback))
        .routes(routes!(open_help_session))
        .routes(routes!(end_help_session))
}

/// An article as written: to create one or replace one.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ArticleBody {
    /// `es` or `en`.
    #[schema(required = true, example = "es", pattern = "^(es|en)$")]
    pub locale: Option<String>,
    /// Title, 1 to 160 characters, one line.
    #[schema(
        required = true,
        example = "La impresora no imprime: revise el papel",
        max_length = 160,
        pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*\\S[^\\x00-\\x1f\\x7f-\\x9f]*$"
    )]
    pub title: Option<String>,
    /// Body in markdown (raw HTML is shown as text), up to 20 000 characters.
    #[schema(
        required = true,
        max_length = 20000,
        pattern = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*\\S[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
    )]
    pub body: Option<String>,
    /// impresora, pagos, promociones, sincronizacion, stock or otro.
    #[schema(
        required = true,
        example = "impresora",
        pattern = "^(impresora|pagos|promociones|sincronizacion|stock|otro)$"
    )]
    pub category: Option<String>,
    /// The same article in the other language (an existing article's id).
    #[schema(max_length = 64)]
    pub translation_id: Option<String>,
    /// Publish now (create: default false; edit: default unchanged).
    pub published: Option<bool>,
}

impl ArticleBody {
    fn parse(&self) -> Result<ArticleDraft, ApiError> {
        Ok(ArticleDraft::parse(
            self.locale.as_deref(),
            self.title.as_deref(),
            self.body.as_deref(),
            self.category.as_deref(),
            self.translation_id.as_deref(),
            self.published,
        )?)
    }
}

/// An article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleJson {
    /// Opaque id.
    pub id: String,
    /// `es` or `en`.
    pub locale: String,
    /// The same article in the other language, if any.
    pub translation_id: Option<String>,
    /// Title.
    pub title: String,
    /// Body, markdown.
    pub body: String,
    /// Body rendered as HTML (raw HTML escaped, unsafe links removed).
    pub body_html: String,
    /// Ticket category it helps with.
    pub category: String,
    /// Whether stores can find it.
    pub published: bool,
    /// Author's e-mail.
    pub author: String,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
    /// Last published (RFC 3339), if ever.
    pub published_at: Option<String>,
}

impl From<ArticleView> for ArticleJson {
    fn from(view: ArticleView) -> Self {
        let article = view.article;
        Self {
            id: article.id,
            locale: article.locale.as_str().to_owned(),
            translation_id: article.translation_id,
            title: article.title,
            body: article.body,
            body_html: view.body_html,
            category: article.category.as_str().to_owned(),
            published: article.published,
            author: article.author_email,
            created_at: rfc3339(article.created_ms),
            updated_at: rfc3339(article.updated_ms),
            published_at: article.published_ms.map(rfc3339),
        }
    }
}

/// An article in the agents' list (no body).
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummaryJson {
    /// Opaque id.
    pub id: String,
    /// `es` or `en`.
    pub locale: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// Whether stores can find it.
    pub published: bool,
    /// The translation's id, if any.
    pub translation_id: Option<String>,
    /// Author's e-mail.
    pub author: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
}

impl From<ArticleRow> for ArticleSummaryJson {
    fn from(article: ArticleRow) -> Self {
        Self {
            id: article.id,
            locale: article.locale.as_str().to_owned(),
            title: article.title,
            category: article.category.as_str().to_owned(),
            published: article.published,
            translation_id: article.translation_id,
            author: article.author_email,
            updated_at: rfc3339(article.updated_ms),
        }
    }
}

/// A page of the agents' list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleListJson {
    /// Newest edit first.
    pub items: Vec<ArticleSummaryJson>,
    /// How many match in all.
    pub total: i64,
}

/// `?locale=&category=&published=&limit=&offset=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleListQuery {
    /// Only this language.
    #[param(pattern = "^(es|en)$")]
    pub locale: Option<String>,
    /// Only this category.
    #[param(pattern = "^(impresora|pagos|promociones|sincronizacion|stock|otro)$")]
    pub category: Option<String>,
    /// Only published (true) or drafts (false).
    pub published: Option<bool>,
    /// Items per page, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Items to skip (default 0), at most 100,000,000.
    #[param(minimum = 0, maximum = 100_000_000)]
    pub offset: Option<i64>,
}

fn list_filter(query: &ArticleListQuery) -> Result<ArticleFilter, ApiError> {
    let mut errors = Vec::new();
    let locale = query.locale.as_deref().and_then(|word| {
        ArticleLocale::parse(word).map_err(|_| errors.push(field_error("locale", "must be es or en"))).ok()
    });
    let category = query.category.as_deref().and_then(|word| {
        TicketCategory::parse(word)
            .map_err(|_| {
                errors.push(field_error(
                    "category",
                    "must be impresora, pagos, promociones, sincronizacion, stock or otro",
                ))
            })
            .ok()
    });
    if errors.is_empty() {
        Ok(ArticleFilter { locale, category, published: query.published })
    } else {
        Err(ApiError::App(omnicanal_app::AppError::Invalid(errors)))
    }
}

fn field_error(field: &str, message: &str) -> omnicanal_app::FieldError {
    omnicanal_app::FieldError { field: field.to_owned(), message: message.to_owned() }
}

/// Creates an article (admins and support agents); a draft unless `published` is true.
#[utoipa::path(post, path = "/support/articles", tag = "support", request_body = ArticleBody,
    security(("bearer" = [])),
    responses((status = 201, body = ArticleJson), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn create_article(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<ArticleBody>,
) -> ApiResult<(StatusCode, Json<ArticleJson>)> {
    let draft = body.parse()?;
    Ok((StatusCode::CREATED, Json(state.app.create_article(&user, draft).await?.into())))
}

/// The agents' list of articles, drafts included, newest edit first (admins and agents).
#[utoipa::path(get, path = "/support/articles", tag = "support", params(ArticleListQuery),
    security(("bearer" = [])),
    responses((status = 200, body = ArticleListJson), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn list_articles(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<ArticleListQuery>,
) -> ApiResult<Json<ArticleListJson>> {
    let page = Pagination { limit: query.limit, offset: query.offset }.page()?;
    let filter = list_filter(&query)?;
    let (rows, total) = state.app.list_articles(&user, filter, page).await?;
    Ok(Json(ArticleListJson { items: rows.into_iter().map(Into::into).collect(), total }))
}

/// `?q=&locale=&category=&limit=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleSearchQuery {
    /// The problem as typed, 1 to 200 characters.
    #[param(required = true, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*\\S[^\\x00-\\x1f\\x7f-\\x9f]*$", max_length = 200)]
    pub q: Option<String>,
    /// Only this language (default: both).
    #[param(pattern = "^(es|en)$")]
    pub locale: Option<String>,
    /// Only this category.
    #[param(pattern = "^(impresora|pagos|promociones|sincronizacion|stock|otro)$")]
    pub category: Option<String>,
    /// Suggestions wanted, 1 to 500 like every list (default 5); at most 20 are returned.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// One suggestion.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSuggestionJson {
    /// Article id.
    pub id: String,
    /// `es` or `en`.
    pub locale: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// Plain text around the first matching word of the body.
    pub snippet: String,
    /// The snippet's words that matched (to highlight).
    pub matched_words: Vec<String>,
}

impl From<ArticleSuggestion> for ArticleSuggestionJson {
    fn from(hit: ArticleSuggestion) -> Self {
        Self {
            id: hit.id,
            locale: hit.locale.as_str().to_owned(),
            title: hit.title,
            category: hit.category.as_str().to_owned(),
            snippet: hit.snippet,
            matched_words: hit.matched_words,
        }
    }
}

/// Published articles for a problem as typed, best first: accents and case ignored, Spanish and
/// English words matched by their stems and by what is typed so far. Any signed-in staff member,
/// manager, agent or admin.
#[utoipa::path(get, path = "/support/articles/search", tag = "support", params(ArticleSearchQuery),
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ArticleSuggestionJson>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn search_articles(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<ArticleSearchQuery>,
) -> ApiResult<Json<Vec<ArticleSuggestionJson>>> {
    let query =
        ArticleQuery::parse(query.q.as_deref(), query.locale.as_deref(), query.category.as_deref(), query.limit)?;
    let hits = state.app.search_articles(&user, query).await?;
    Ok(Json(hits.into_iter().map(Into::into).collect()))
}

/// An article: published ones for every signed-in reader, drafts for admins and agents (404 to
/// others).
#[utoipa::path(get, path = "/support/articles/{id}", tag = "support", security(("bearer" = [])),
    params(("id" = String, Path, description = "The article's id")),
    responses((status = 200, body = ArticleJson), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn show_article(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ArticleJson>> {
    Ok(Json(state.app.article(&user, &id).await?.into()))
}

/// Replaces an article's text, language, category and translation (admins and agents).
#[utoipa::path(put, path = "/support/articles/{id}", tag = "support", request_body = ArticleBody,
    security(("bearer" = [])), params(("id" = String, Path, description = "The article's id")),
    responses((status = 200, body = ArticleJson), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn update_article(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ArticleBody>,
) -> ApiResult<Json<ArticleJson>> {
    let draft = body.parse()?;
    Ok(Json(state.app.update_article(&user, &id, draft).await?.into()))
}

/// Publishes an article (admins and agents); publishing a published one changes nothing.
#[utoipa::path(post, path = "/support/articles/{id}/publish", tag = "support", security(("bearer" = [])),
    params(("id" = String, Path, description = "The article's id")),
    responses((status = 200, body = ArticleJson), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn publish_article(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ArticleJson>> {
    Ok(Json(state.app.set_article_published(&user, &id, true).await?.into()))
}

/// Withdraws an article to a draft (admins and agents).
#[utoipa::path(post, path = "/support/articles/{id}/unpublish", tag = "support", security(("bearer" = [])),
    params(("id" = String, Path, description = "The article's id")),
    responses((status = 200, body = ArticleJson), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn unpublish_article(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ArticleJson>> {
    Ok(Json(state.app.set_article_published(&user, &id, false).await?.into()))
}

/// Markdown to preview.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PreviewBody {
    /// Body in markdown, up to 20 000 characters.
    #[schema(max_length = 20000)]
    pub body: Option<String>,
}

/// The preview.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewJson {
    /// The body as a reader will see it.
    pub html: String,
}

/// The editor's preview: markdown rendered exactly as the article page will (admins and agents).
#[utoipa::path(post, path = "/support/articles/preview", tag = "support", request_body = PreviewBody,
    security(("bearer" = [])),
    responses((status = 200, body = PreviewJson), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn preview_article(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<PreviewBody>,
) -> ApiResult<Json<PreviewJson>> {
    let html = state.app.preview_article(&user, body.body.as_deref().unwrap_or_default())?;
    Ok(Json(PreviewJson { html }))
}

/// Whether an article solved the problem.
#[derive(Debug, Deserialize, ToSchema)]
pub struct FeedbackBody {
    /// True: "Esto lo resolvió". False: it did not help.
    #[schema(required = true)]
    pub solved: Option<bool>,
    /// What the reader had searched for (up to 200 characters).
    #[schema(max_length = 200, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    pub query: Option<String>,
    /// The help session it was given in: `solved: true` ends that session as solved.
    #[schema(max_length = 64, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    pub help_session_id: Option<String>,
}

/// Feedback recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackJson {
    /// Opaque id.
    pub id: String,
    /// The article.
    pub article_id: String,
    /// Whether it solved the problem.
    pub solved: bool,
    /// The help session, if any.
    pub help_session_id: Option<String>,
    /// When (RFC 3339).
    pub at: String,
}

impl From<ArticleFeedbackRow> for FeedbackJson {
    fn from(row: ArticleFeedbackRow) -> Self {
        Self {
            id: row.id,
            article_id: row.article_id,
            solved: row.solved,
            help_session_id: row.help_session_id,
            at: rfc3339(row.at_ms),
        }
    }
}

/// Records that a published article solved a problem, or did not. In a help session,
/// `solved: true` ends the session as solved without a ticket; after the session ended in a
/// ticket it is 409.
#[utoipa::path(post, path = "/support/articles/{id}/feedback", tag = "support", request_body = FeedbackBody,
    security(("bearer" = [])), params(("id" = String, Path, description = "The article's id")),
    responses((status = 201, body = FeedbackJson), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn article_feedback(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FeedbackBody>,
) -> ApiResult<(StatusCode, Json<FeedbackJson>)> {
    let feedback = ArticleFeedback::parse(body.solved, body.query.as_deref(), body.help_session_id.as_deref())?;
    Ok((StatusCode::CREATED, Json(state.app.article_feedback(&user, &id, feedback).await?.into())))
}

/// A help dialog opened.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HelpSessionBody {
    /// Where (default: a staff member's own location).
    #[schema(max_length = 64, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    pub location_id: Option<String>,
    /// The problem as first typed (up to 200 characters).
    #[schema(max_length = 200, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    pub query: Option<String>,
}

/// How a help dialog ended without an article.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HelpSessionEndBody {
    /// `ticket` or `abandoned` (an article's `solved` goes through its feedback).
    #[schema(required = true, example = "ticket", pattern = "^(ticket|abandoned)$")]
    pub outcome: Option<String>,
    /// The ticket sent, for `ticket`.
    #[schema(max_length = 64, pattern = "^[^\\x00-\\x1f\\x7f-\\x9f]*$")]
    pub ticket_id: Option<String>,
}

/// A help session.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpSessionJson {
    /// Opaque id.
    pub id: String,
    /// The location, if known.
    pub location_id: Option<String>,
    /// Opened (RFC 3339).
    pub opened_at: String,
    /// `solved`, `ticket` or `abandoned`; null while open.
    pub outcome: Option<String>,
    /// The article that solved it.
    pub article_id: Option<String>,
    /// The ticket it ended in.
    pub ticket_id: Option<String>,
    /// Ended (RFC 3339).
    pub closed_at: Option<String>,
}

impl From<HelpSessionRow> for HelpSessionJson {
    fn from(row: HelpSessionRow) -> Self {
        Self {
            id: row.id,
            location_id: row.location_id,
            opened_at: rfc3339(row.opened_ms),
            outcome: row.outcome.map(|outcome| outcome.as_str().to_owned()),
            article_id: row.article_id,
            ticket_id: row.ticket_id,
            closed_at: row.closed_ms.map(rfc3339),
        }
    }
}

/// Opens a help session: the till's help dialog calls it when it opens (any signed-in staff
/// member, manager, agent or admin; another merchant's location is 404).
#[utoipa::path(post, path = "/support/help-sessions", tag = "support", request_body = HelpSessionBody,
    security(("bearer" = [])),
    responses((status = 201, body = HelpSessionJson), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn open_help_session(
    State(state): State<AppState>,
    user: AuthUser,
    ApiJson(body): ApiJson<HelpSessionBody>,
) -> ApiResult<(StatusCode, Json<HelpSessionJson>)> {
    let open = OpenHelpSession::parse(body.location_id.as_deref(), body.query.as_deref())?;
    Ok((StatusCode::CREATED, Json(state.app.open_help_session(&user, open).await?.into())))
}

/// Ends a help session in a ticket or with nothing; a ticket after "solved" replaces it, and
/// anything after a ticket is 409.
#[utoipa::path(post, path = "/support/help-sessions/{id}/end", tag = "support", request_body = HelpSessionEndBody,
    security(("bearer" = [])), params(("id" = String, Path, description = "The session's id")),
    responses((status = 200, body = HelpSessionJson), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn end_help_session(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<HelpSessionEndBody>,
) -> ApiResult<Json<HelpSessionJson>> {
    let end = EndHelpSession::parse(body.outcome.as_deref(), body.ticket_id.as_deref())?;
    Ok(Json(state.app.end_help_session(&user, &id, end).await?.into()))
}

/// `?from=&to=`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeflectionQuery {
    /// Start, inclusive: `YYYY-MM-DD` (UTC midnight) or RFC 3339 (default: 30 days before `to`).
    pub from: Option<String>,
    /// End, exclusive (default: now); at most 366 days after `from`.
    pub to: Option<String>,
}

/// The deflection share.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeflectionJson {
    /// Start (RFC 3339).
    pub from: String,
    /// End (RFC 3339).
    pub to: String,
    /// Help sessions opened in the window: problems articles were suggested for.
    pub suggested: i64,
    /// Of them, solved by an article ("Esto lo resolvió") with no ticket.
    pub solved_without_ticket: i64,
    /// Of them, ended in a ticket.
    pub tickets_opened: i64,
    /// Of them, closed with neither.
    pub abandoned: i64,
    /// Of them, still open.
    pub still_open: i64,
    /// `solved_without_ticket × 10000 / (solved_without_ticket + tickets_opened)`, rounded
    /// down; 0 when both are 0. Abandoned and open sessions are in neither side.
    pub share_solved_bps: i64,
    /// "Solved" feedback given in the window (in a session or not).
    pub feedback_solved: i64,
    /// "Not solved" feedback given in the window.
    pub feedback_not_solved: i64,
    /// Tickets opened in the window from the till or the console that no help session led to
    /// (phone tickets and merged duplicates left out).
    pub tickets_without_help: i64,
    /// Every problem raised: `suggested + tickets_without_help`.
    pub problems_raised: i64,
    /// `solved_without_ticket × 10000 / problems_raised`, rounded down; 0 when none was raised:
    /// the share of every problem raised that an article solved without a ticket.
    pub share_of_problems_bps: i64,
}

impl From<Deflection> for DeflectionJson {
    fn from(value: Deflection) -> Self {
        Self {
            from: rfc3339(value.from_ms),
            to: rfc3339(value.to_ms),
            suggested: value.suggested,
            solved_without_ticket: value.solved_without_ticket,
            tickets_opened: value.tickets_opened,
            abandoned: value.abandoned,
            still_open: value.still_open,
            share_solved_bps: value.share_solved_bps,
            feedback_solved: value.feedback_solved,
            feedback_not_solved: value.feedback_not_solved,
            tickets_without_help: value.tickets_without_help,
            problems_raised: value.problems_raised,
            share_of_problems_bps: value.share_of_problems_bps,
        }
    }
}

/// The share of problems solved by an article without a ticket, over help sessions opened in
/// the window: the desk's over every merchant, a manager's over its own (staff: 403).
#[utoipa::path(get, path = "/support/articles/deflection", tag = "support", params(DeflectionQuery),
    security(("bearer" = [])),
    responses((status = 200, body = DeflectionJson), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)))]
async fn article_deflection(
    State(state): State<AppState>,
    user: AuthUser,
    ApiQuery(query): ApiQuery<DeflectionQuery>,
) -> ApiResult<Json<DeflectionJson>> {
    let window = DeflectionWindow::parse(query.from.as_deref(), query.to.as_deref())?;
    Ok(Json(state.app.deflection(&user, window).await?.into()))
}
