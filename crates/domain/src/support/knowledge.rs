//! The knowledge base's text rules (issue 18 point 4): how an article's words are folded and
//! stemmed for search, how a cashier's half-typed problem becomes search terms, the snippet
//! shown under a suggestion, and the one safe way an article's markdown becomes HTML.
//!
//! Why search is shaped this way: both databases must find "La impresora no imprime" for
//! "impresora no imprime", "imprimir" and "IMPRESIÓN". Neither SQLite's FTS5 nor PostgreSQL's
//! `simple` configuration stems Spanish, so the words are prepared here, once, for both: each
//! is lower-cased, stripped of accents ([`fold`]) and reduced to its Snowball stem
//! ([`index_text`]); the store indexes that text with its own full-text index. A query is
//! prepared the same way and each of its words becomes a *prefix* of at most
//! [`TERM_PREFIX_CHARS`] characters of its stem ([`query_terms`]): that joins the families
//! the stemmer keeps apart (`impresion` and `impresor` share `impre`), and matches the word the
//! cashier is still typing. Stop words ("no", "la", "the") are dropped from queries only: they
//! would match every article.
//!
//! Markdown is rendered with `pulldown-cmark` with raw HTML turned into text and link targets
//! limited to `http`, `https`, `mailto` and local paths, so an article cannot carry a script
//! ([`render_markdown`]).

use std::collections::BTreeSet;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

crate::named_enum! {
    /// The language an article is written in; it picks the stemmer.
    pub enum ArticleLocale("locale") {
        /// Spanish, the desk's first language.
        Spanish => "es",
        /// English.
        English => "en",
    }
}

crate::named_enum! {
    /// How a help session (the till's help dialog, opened once per problem) ended.
    pub enum HelpOutcome("outcome") {
        /// An article solved the problem: no ticket was needed.
        Solved => "solved",
        /// The cashier sent a ticket.
        Ticket => "ticket",
        /// The dialog was closed with neither.
        Abandoned => "abandoned",
    }
}

impl HelpOutcome {
    /// Whether a session that ended as `current` (`None`: still open) may now end as `next`.
    /// A ticket always wins, since the problem was not solved after all; an article may still
    /// solve an abandoned session (the cashier reopened the article from history). A ticket
    /// is final: a later "solved" press does not undo the ticket.
    pub fn may_follow(current: Option<HelpOutcome>, next: HelpOutcome) -> bool {
        match (current, next) {
            (None, _) => true,
            (Some(HelpOutcome::Solved), HelpOutcome::Ticket) => true,
            (Some(HelpOutcome::Solved), HelpOutcome::Solved | HelpOutcome::Abandoned) => false,
            (Some(HelpOutcome::Abandoned), HelpOutcome::Solved | HelpOutcome::Ticket) => true,
            (Some(HelpOutcome::Abandoned), HelpOutcome::Abandoned) => false,
            (Some(HelpOutcome::Ticket), _) => false,
        }
    }
}

/// The share of finished help sessions an article solved without a ticket, in basis points
/// (10 000 = all): `solved × 10 000 / (solved + tickets)`, rounded down; 0 when neither
/// happened. Abandoned and still-open sessions are left out of both sides: nobody knows
/// whether their problem was solved.
pub fn share_solved_bps(solved: i64, tickets: i64) -> i64 {
    let finished = solved.saturating_add(tickets);
    if finished <= 0 { 0 } else { solved.saturating_mul(10_000) / finished }
}

/// The longest title an article may have, in characters.
pub const TITLE_MAX_CHARS: usize = 160;
/// The longest body an article may have, in characters (a long how-to fits ten times over).
pub const BODY_MAX_CHARS: usize = 20_000;
/// The longest search query, in characters: a problem typed at the till, not a document.
pub const QUERY_MAX_CHARS: usize = 200;
/// At most this many words of a query are searched; the rest add little and cost a scan each.
pub const QUERY_MAX_TERMS: usize = 8;
/// A query word matches every indexed stem that starts with this many characters of its own
/// stem (or with the whole stem when shorter).
pub const TERM_PREFIX_CHARS: usize = 5;
/// The longest snippet shown under a suggestion, in characters.
pub const SNIPPET_MAX_CHARS: usize = 180;

/// Lower-cases `text` and strips its accents and other combining marks (`IMPRESIÓN` →
/// `impresion`, `año` → `ano`), so a cashier who types without accents finds the same words.
pub fn fold(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// The folded words of `text`, in order: runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    fold(text).split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).map(str::to_owned).collect()
}

fn stemmer(locale: ArticleLocale) -> Stemmer {
    match locale {
        ArticleLocale::Spanish => Stemmer::create(Algorithm::Spanish),
        ArticleLocale::English => Stemmer::create(Algorithm::English),
    }
}

/// The text the store indexes for `text` written in `locale`: its folded words' stems,
/// separated by spaces. Markdown punctuation falls away with the other non-word characters.
pub fn index_text(locale: ArticleLocale, text: &str) -> String {
    let stemmer = stemmer(locale);
    words(text).iter().map(|word| stemmer.stem(word).into_owned()).collect::<Vec<_>>().join(" ")
}

/// The search terms for a query: for each word that is not a stop word, the first
/// [`TERM_PREFIX_CHARS`] characters of its stem in each of `locales`, deduplicated, at most
/// [`QUERY_MAX_TERMS`] words. Every term is plain ASCII letters and digits or other
/// alphanumeric characters, so the store may quote it without escaping rules of its own.
/// Empty when the query has no searchable word.
pub fn query_terms(locales: &[ArticleLocale], query: &str) -> Vec<String> {
    let mut terms = BTreeSet::new();
    let searchable = words(query).into_iter().filter(|word| !is_stop_word(word)).take(QUERY_MAX_TERMS);
    let stemmers: Vec<Stemmer> = locales.iter().map(|locale| stemmer(*locale)).collect();
    for word in searchable {
        for stemmer in &stemmers {
            terms.insert(term_prefix(&stemmer.stem(&word)));
        }
    }
    terms.into_iter().collect()
}

fn term_prefix(stem: &str) -> String {
    stem.chars().take(TERM_PREFIX_CHARS).collect()
}

/// Whether `folded_word` is too common to search for, in Spanish or English.
fn is_stop_word(folded_word: &str) -> bool {
    const STOP_WORDS: &[&str] = &[
        // Spanish, folded.
        "a", "al", "con", "de", "del", "el", "en", "es", "esta", "este", "la", "las", "le", "lo", "los", "me", "mi",
        "no", "o", "para", "pero", "por", "que", "se", "si", "sin", "su", "sus", "un", "una", "y", "ya",
        // English.
        "an", "and", "are", "at", "be", "by", "does", "doesn", "don", "for", "from", "i", "is", "it", "my", "not", "of",
        "on", "or", "t", "the", "this", "to", "with",
    ];
    STOP_WORDS.contains(&folded_word)
}

/// A short piece of an article's body around the first place a query's terms match, with the
/// words that matched (as written) so a page can highlight them without trusting HTML.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// Plain text (markdown removed), at most [`SNIPPET_MAX_CHARS`] characters plus the
    /// ellipses that mark a cut.
    pub text: String,
    /// The words of `text` that matched a term, each once, in order of appearance.
    pub matched_words: Vec<String>,
}

/// The snippet of `body_markdown` (written in `locale`) for `terms` from [`query_terms`]:
/// the window starting a little before the first matching word, or the body's beginning when
/// no word of the body matches (the title did).
pub fn snippet(locale: ArticleLocale, body_markdown: &str, terms: &[String]) -> Snippet {
    let plain = plain_text(body_markdown);
    let stemmer = stemmer(locale);
    let spans = word_spans(&plain);
    let matches = |word: &str| {
        let stem = stemmer.stem(&fold(word)).into_owned();
        terms.iter().any(|term| stem.starts_with(term.as_str()))
    };
    let first_match = spans.iter().position(|(start, end)| matches(&plain[*start..*end]));
    // Two words of context before the first match read better than a cut mid-sentence.
    let first_word = first_match.map_or(0, |index| index.saturating_sub(2));
    let start = spans.get(first_word).map_or(0, |(start, _)| *start);
    let mut end = start;
    for (_, word_end) in spans.iter().skip(first_word) {
        if plain[start..*word_end].chars().count() > SNIPPET_MAX_CHARS {
            break;
        }
        end = *word_end;
    }
    // The window that reaches the last word keeps the closing punctuation too.
    let last_word_end = spans.last().map_or(0, |(_, word_end)| *word_end);
    if end == last_word_end {
        end = plain.len();
    }
    let mut matched_words: Vec<String> = Vec::new();
    for (word_start, word_end) in spans.iter().skip(first_word) {
        if *word_end > end {
            break;
        }
        let word = &plain[*word_start..*word_end];
        if matches(word) && !matched_words.iter().any(|seen| seen == word) {
            matched_words.push(word.to_owned());
        }
    }
    let mut text = String::new();
    if start > 0 {
        text.push('…');
    }
    text.push_str(plain[start..end].trim());
    if end < plain.len() {
        text.push('…');
    }
    Snippet { text, matched_words }
}

/// Byte ranges of the words (runs of letters and digits) of `text`.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut current: Option<usize> = None;
    for (index, character) in text.char_indices() {
        match (character.is_alphanumeric(), current) {
            (true, None) => current = Some(index),
            (false, Some(start)) => {
                spans.push((start, index));
                current = None;
            }
            _ => {}
        }
    }
    if let Some(start) = current {
        spans.push((start, text.len()));
    }
    spans
}

/// The text of a markdown document without its markup: what a reader sees, on one line with
/// single spaces. Raw HTML is dropped.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, markdown_options()) {
        match event {
            Event::Text(part) | Event::Code(part) => text.push_str(&part),
            // Spaces between blocks; doubled ones are collapsed below.
            Event::SoftBreak | Event::HardBreak | Event::End(_) | Event::Rule => text.push(' '),
            _ => {}
        }
    }
    // Inline ends (bold, links) also passed through the arm above: collapse the doubled spaces.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// An article's markdown as HTML safe to put in a page: raw HTML in the source is shown as
/// text, and a link or image whose target is not `http(s)`, `mailto` or a local path
/// (`javascript:`, `data:`) points nowhere (`#`).
pub fn render_markdown(markdown: &str) -> String {
    let events = Parser::new_ext(markdown, markdown_options()).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: safe_url(dest_url), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: safe_url(dest_url), title, id })
        }
        Event::End(TagEnd::HtmlBlock) => Event::Text(CowStr::Borrowed("")),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

fn safe_url(url: CowStr<'_>) -> CowStr<'_> {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_end = lower.find([':', '/', '?', '#']);
    let has_scheme = scheme_end.is_some_and(|end| lower[end..].starts_with(':'));
    let allowed = !has_scheme || ["http:", "https:", "mailto:"].iter().any(|scheme| lower.starts_with(scheme));
    if allowed { url } else { CowStr::Borrowed("#") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PRINTER_TITLE: &str = "La impresora no imprime: revise el papel y la cola";

    fn found_by(query: &str, title: &str) -> bool {
        let indexed: Vec<String> = index_text(ArticleLocale::Spanish, title).split(' ').map(str::to_owned).collect();
        let terms = query_terms(&[ArticleLocale::Spanish], query);
        !terms.is_empty() && terms.iter().any(|term| indexed.iter().any(|stem| stem.starts_with(term.as_str())))
    }

    #[test]
    fn folding_drops_accents_and_case() {
        assert_eq!(fold("IMPRESIÓN Año Pingüino"), "impresion ano pinguino");
        assert_eq!(words("¿La impresora *no* imprime? 3×"), vec!["la", "impresora", "no", "imprime", "3"]);
    }

    #[test]
    fn spanish_stems_join_a_words_forms() {
        let stems = index_text(ArticleLocale::Spanish, "imprime imprimir Impresión impresora");
        let stems: Vec<&str> = stems.split(' ').collect();
        assert_eq!(stems[0], stems[1], "imprime and imprimir share a stem: {stems:?}");
        assert!(stems[2].starts_with("impre") && stems[3].starts_with("impre"), "{stems:?}");
    }

    #[test]
    fn the_printer_article_is_found_by_every_way_of_asking() {
        for query in ["impresora no imprime", "imprimir", "IMPRESIÓN", "impresion", "la impreso"] {
            assert!(found_by(query, PRINTER_TITLE), "{query} should find the printer article");
        }
        assert!(!found_by("tarjeta rechazada", PRINTER_TITLE));
    }

    #[test]
    fn stop_words_alone_search_for_nothing() {
        assert!(query_terms(&[ArticleLocale::Spanish], "no la de").is_empty());
        assert!(query_terms(&[ArticleLocale::English], "the printer").iter().all(|term| term != "the"));
    }

    #[test]
    fn english_queries_use_the_english_stemmer() {
        assert_eq!(query_terms(&[ArticleLocale::English], "Printing"), vec!["print"]);
        let indexed = index_text(ArticleLocale::English, "The printer prints nothing");
        assert!(indexed.contains("print"));
    }

    #[test]
    fn a_query_is_bounded_in_words() {
        let long = (0..40).map(|n| format!("palabra{n}x")).collect::<Vec<_>>().join(" ");
        assert!(query_terms(&[ArticleLocale::Spanish], &long).len() <= QUERY_MAX_TERMS);
    }

    #[test]
    fn the_snippet_shows_the_matched_words_in_plain_text() {
        let body = "## Antes de llamar\n\nCompruebe la tapa. Si la **impresora** sigue sin imprimir, \
                    vacíe la cola de impresión desde el menú.";
        let terms = query_terms(&[ArticleLocale::Spanish], "no imprime");
        let snippet = snippet(ArticleLocale::Spanish, body, &terms);
        assert!(snippet.text.contains("sin imprimir"), "{snippet:?}");
        assert!(!snippet.text.contains("**") && !snippet.text.contains("##"), "{snippet:?}");
        assert_eq!(snippet.matched_words, vec!["imprimir"]);
        assert!(snippet.text.starts_with('…'));
    }

    #[test]
    fn a_snippet_without_a_match_is_the_beginning() {
        let snippet = snippet(ArticleLocale::Spanish, "Primero revise el cable.", &["zzzz".to_owned()]);
        assert_eq!(snippet.text, "Primero revise el cable.");
        assert!(snippet.matched_words.is_empty());
    }

    #[test]
    fn markdown_renders_and_raw_html_is_text() {
        let html = render_markdown("# Título\n\n**ojo** <script>alert(1)</script>\n\n<img src=x onerror=alert(1)>");
        assert!(html.contains("<h1>Título</h1>") && html.contains("<strong>ojo</strong>"), "{html}");
        assert!(!html.contains("<script") && !html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn dangerous_link_targets_point_nowhere() {
        let html = render_markdown("[a](javascript:alert(1)) [b](https://example.com) [c](/support/kb/x) ![d](data:x)");
        assert!(!html.contains("javascript:") && !html.contains("data:"), "{html}");
        assert!(html.contains("href=\"https://example.com\"") && html.contains("href=\"/support/kb/x\""), "{html}");
    }

    #[test]
    fn a_ticket_is_final_and_wins_over_an_article() {
        assert!(HelpOutcome::may_follow(None, HelpOutcome::Solved));
        assert!(HelpOutcome::may_follow(Some(HelpOutcome::Solved), HelpOutcome::Ticket));
        assert!(!HelpOutcome::may_follow(Some(HelpOutcome::Ticket), HelpOutcome::Solved));
        assert!(HelpOutcome::may_follow(Some(HelpOutcome::Abandoned), HelpOutcome::Solved));
        assert!(!HelpOutcome::may_follow(Some(HelpOutcome::Solved), HelpOutcome::Solved));
    }

    #[test]
    fn the_share_solved_counts_finished_sessions_only() {
        assert_eq!(share_solved_bps(0, 0), 0);
        assert_eq!(share_solved_bps(3, 1), 7_500);
        assert_eq!(share_solved_bps(1, 2), 3_333);
        assert_eq!(share_solved_bps(5, 0), 10_000);
    }

    proptest! {
        #[test]
        fn rendered_markdown_never_opens_a_script_or_handler(source in "[<>a-z =\"'/:()\\[\\]!#*\n]{0,120}") {
            let html = render_markdown(&source);
            let lower = html.to_ascii_lowercase();
            prop_assert!(!lower.contains("<script"), "{}", html);
            prop_assert!(!lower.contains("<img src=x"), "{}", html);
            prop_assert!(!lower.contains("href=\"javascript"), "{}", html);
        }

        #[test]
        fn every_query_term_is_a_short_run_of_word_characters(query in "\\PC{0,80}") {
            for term in query_terms(ArticleLocale::ALL, &query) {
                prop_assert!(!term.is_empty() && term.chars().count() <= TERM_PREFIX_CHARS);
                prop_assert!(term.chars().all(char::is_alphanumeric), "{}", term);
            }
        }

        #[test]
        fn the_share_solved_is_a_fraction(solved in 0i64..1_000_000, tickets in 0i64..1_000_000) {
            let share = share_solved_bps(solved, tickets);
            prop_assert!((0..=10_000).contains(&share));
        }

        #[test]
        fn a_word_always_finds_itself(word in "[a-záéíóúñ]{2,14}") {
            prop_assume!(!is_stop_word(&fold(&word)));
            let indexed = index_text(ArticleLocale::Spanish, &word);
            let terms = query_terms(&[ArticleLocale::Spanish], &word.to_uppercase());
            prop_assert!(terms.iter().any(|term| indexed.starts_with(term.as_str())), "{} {:?}", indexed, terms);
        }
    }
}
