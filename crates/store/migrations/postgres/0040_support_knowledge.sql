-- The knowledge base (issue 18 point 4): articles in Spanish and English, what a cashier's help
-- dialog ended in (help sessions) and what readers said of an article (feedback).
--
-- title_terms and body_terms hold the article's words folded and stemmed by the app
-- (omnicanal_domain::support::knowledge::index_text); each backend indexes them with its own
-- full-text index below, so search handles accents and Spanish stems on both alike.
CREATE TABLE support_articles (
    id TEXT PRIMARY KEY,
    locale TEXT NOT NULL,
    -- The same article in the other language, if written; not enforced as a reference so an
    -- article and its translation can be created in either order.
    translation_id TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    category TEXT NOT NULL,
    published INTEGER NOT NULL DEFAULT 0,
    author_id TEXT NOT NULL,
    author_email TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    published_ms BIGINT,
    title_terms TEXT NOT NULL,
    body_terms TEXT NOT NULL
);
-- The agents' list: newest edit first.
CREATE INDEX support_articles_updated ON support_articles (updated_ms, id);

-- One help dialog opened at a till or console for one problem, and how it ended: outcome NULL
-- while open, then 'solved' (by article_id), 'ticket' (ticket_id when known) or 'abandoned'.
CREATE TABLE support_help_sessions (
    id TEXT PRIMARY KEY,
    opened_by TEXT NOT NULL,
    merchant_id TEXT,
    location_id TEXT,
    opened_ms BIGINT NOT NULL,
    query TEXT,
    outcome TEXT,
    article_id TEXT,
    ticket_id TEXT,
    closed_ms BIGINT
);
-- Deflection counts sessions opened in a window, optionally of one merchant.
CREATE INDEX support_help_sessions_opened ON support_help_sessions (opened_ms);
CREATE INDEX support_help_sessions_merchant ON support_help_sessions (merchant_id, opened_ms);

-- "Esto lo resolvió" (solved = 1) or "no me sirvió" (solved = 0) on an article.
CREATE TABLE support_article_feedback (
    id TEXT PRIMARY KEY,
    article_id TEXT NOT NULL REFERENCES support_articles (id),
    help_session_id TEXT REFERENCES support_help_sessions (id),
    solved INTEGER NOT NULL,
    query TEXT,
    user_id TEXT NOT NULL,
    merchant_id TEXT,
    at_ms BIGINT NOT NULL
);
CREATE INDEX support_article_feedback_article ON support_article_feedback (article_id, at_ms);
CREATE INDEX support_article_feedback_at ON support_article_feedback (at_ms);

-- PostgreSQL: a generated tsvector with the 'simple' configuration (the app already folded and
-- stemmed the words), title weight A above body weight B, under a GIN index; ranked with ts_rank.
ALTER TABLE support_articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', title_terms), 'A') || setweight(to_tsvector('simple', body_terms), 'B')
) STORED;
CREATE INDEX support_articles_search ON support_articles USING GIN (search_vector);
