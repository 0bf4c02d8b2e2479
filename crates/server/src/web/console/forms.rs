//! What every console form page shares, kept once so the pages cannot drift apart: the CSRF
//! check and the role gates (each a 403 page), the 303 after a form is saved, a use case's
//! refusal turned into field messages (or the page to answer instead), the pager and the
//! page-number parsing, percentages typed and shown, the admin's merchant picker and instants
//! shown in a site's time zone. Each page keeps only what is its own (its texts' keys, its
//! field names, its list's links).

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_store::Page;

use super::pages::refused;
use super::session::ConsoleUser;
use crate::auth::{self, Role};
use crate::state::AppState;
use crate::web::i18n::Lang;

/// Deepest page a list offers (a page asked beyond it is shown as this one).
pub(super) const MAX_PAGE: i64 = 100_000;
/// Merchants an admin chooses among (a platform has a few dozen).
const MERCHANT_CHOICES: i64 = 500;

/// The 403 page telling `text_key`.
pub(super) fn forbidden(console: &ConsoleUser, state: &AppState, text_key: &str) -> Response {
    console.message(state, StatusCode::FORBIDDEN, "console.forbidden.title", text_key)
}

/// The 403 page when the form's CSRF token is not the session's.
pub(super) fn bad_csrf(
    console: &ConsoleUser,
    state: &AppState,
    headers: &HeaderMap,
    csrf: Option<&str>,
) -> Option<Response> {
    bad_csrf_told(console, state, headers, csrf, "console.login.csrf")
}

/// [`bad_csrf`] for a page that tells it in its own words (`text_key`).
pub(super) fn bad_csrf_told(
    console: &ConsoleUser,
    state: &AppState,
    headers: &HeaderMap,
    csrf: Option<&str>,
    text_key: &str,
) -> Option<Response> {
    (!auth::session_csrf_matches(headers, csrf)).then(|| forbidden(console, state, text_key))
}

/// Only admins set up the platform: anyone else gets this 403 page.
pub(super) fn not_admin(console: &ConsoleUser, state: &AppState) -> Option<Response> {
    (console.user.role != Role::Admin).then(|| forbidden(console, state, "console.setup.forbidden"))
}

/// Only managers and admins keep a merchant's catalogue, prices and stock: anyone else (staff)
/// gets this 403 page, telling the page's `text_key`.
pub(super) fn not_manager(console: &ConsoleUser, state: &AppState, text_key: &str) -> Option<Response> {
    (!console.is_manager()).then(|| forbidden(console, state, text_key))
}

/// A 303 to `to` (after a form is saved, so reloading the page does not post it again).
pub(super) fn see_other(to: &str) -> Response {
    super::session::see_other(to, &[])
}

/// What a use case's refusal answers on a page: `Ok` with what `fields` made of it (the form
/// shown again with its fields' messages), or the page to answer instead: the 403 page telling
/// `forbidden_key`, or the 404 / "try again" page of anything else `fields` gives back.
pub(super) fn refusal<T>(
    console: &ConsoleUser,
    state: &AppState,
    error: AppError,
    forbidden_key: &str,
    fields: impl FnOnce(AppError) -> Result<T, AppError>,
) -> Result<T, Box<Response>> {
    match fields(error) {
        Ok(shown) => Ok(shown),
        Err(AppError::Forbidden) => Err(Box::new(forbidden(console, state, forbidden_key))),
        Err(other) => Err(Box::new(refused(console, state, other))),
    }
}

/// `?page=` as typed: from 1 to [`MAX_PAGE`]; anything else is the nearest of those (a word
/// is the first page), never an error.
pub(super) fn page_number(raw: Option<&str>) -> i64 {
    raw.and_then(|raw| raw.trim().parse::<i64>().ok()).unwrap_or(1).clamp(1, MAX_PAGE)
}

/// The store's page `number` (from 1) of `per_page` rows.
pub(super) fn store_page(number: i64, per_page: i64) -> Page {
    Page { limit: per_page, offset: (number - 1) * per_page }
}

/// How many pages `total` rows fill, at least one (an empty list is one empty page).
pub(super) fn page_count(total: i64, per_page: i64) -> i64 {
    ((total + per_page - 1) / per_page).max(1)
}

/// The pager's `(previous, next)` links, when there are such pages.
pub(super) fn pager_links(page: i64, has_next: bool, link: impl Fn(i64) -> String) -> (Option<String>, Option<String>) {
    ((page > 1).then(|| link(page - 1)), has_next.then(|| link(page + 1)))
}

/// A percentage as typed ("12", "12.5", "12,5 %") in basis points; `None` when it is not a
/// number with at most six digits and two decimals. Its range is the use case's to judge.
pub(super) fn parse_percent(raw: &str) -> Option<i64> {
    let cleaned = raw.trim().trim_end_matches('%').trim().replace(',', ".");
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((cleaned.as_str(), ""));
    let digits = |s: &str| !s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.len() > 2 || !(fraction.is_empty() || digits(fraction)) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole * 100 + fraction)
}

/// Basis points as a percentage with a point (`12`, `12.5`, `7.25`).
pub(super) fn percent_text(bps: i64) -> String {
    let whole = bps / 100;
    match bps % 100 {
        0 => whole.to_string(),
        cents if cents % 10 == 0 => format!("{whole}.{}", cents / 10),
        cents => format!("{whole}.{cents:02}"),
    }
}

/// [`percent_text`] as `lang` writes a decimal (Spanish with a comma, as its fields' hints ask
/// it typed).
pub(super) fn percent_in(lang: Lang, bps: i64) -> String {
    match lang {
        Lang::Es => percent_text(bps).replace('.', ","),
        Lang::En => percent_text(bps),
    }
}

/// The admin's merchant picker (empty for a manager, who keeps to their merchant).
pub(super) async fn merchant_choices(state: &AppState, console: &ConsoleUser) -> Vec<Value> {
    if console.user.role != Role::Admin {
        return Vec::new();
    }
    let all = state.app.list_merchants(&console.user, Page::first(MERCHANT_CHOICES)).await;
    all.unwrap_or_default().into_iter().map(|m| context! { id => m.id, name => m.name }).collect()
}

/// An instant in `timezone` (UTC when it is not a zone), written with `format` (chrono's).
pub(super) fn local_time(ms: i64, timezone: &str, format: &str) -> String {
    let zone = timezone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC);
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|at| at.with_timezone(&zone).format(format).to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_percentage_is_typed_in_percent_and_counted_in_basis_points() {
        assert_eq!(parse_percent("12"), Some(1200));
        assert_eq!(parse_percent("12.5"), Some(1250));
        assert_eq!(parse_percent(" 7,25 % "), Some(725));
        assert_eq!(parse_percent("12,5 %"), Some(1250));
        assert_eq!(parse_percent("0.05"), Some(5));
        assert_eq!(parse_percent("0"), Some(0));
        for bad in ["", "abc", "diez", "1.234", "-3", ".5", "1e3"] {
            assert_eq!(parse_percent(bad), None, "{bad}");
        }
        assert_eq!(percent_text(1250), "12.5");
        assert_eq!(percent_text(725), "7.25");
        assert_eq!(percent_text(1200), "12");
        assert_eq!(percent_text(5), "0.05");
        assert_eq!(percent_in(Lang::Es, 1250), "12,5");
        assert_eq!(percent_in(Lang::En, 1250), "12.5");
    }

    #[test]
    fn a_page_number_is_always_one_the_lists_can_show() {
        assert_eq!(page_number(None), 1);
        assert_eq!(page_number(Some(" 3 ")), 3);
        for bad in ["0", "-2", "abc", ""] {
            assert_eq!(page_number(Some(bad)), 1, "{bad}");
        }
        assert_eq!(page_number(Some("999999999")), MAX_PAGE);
        assert_eq!(page_count(0, 25), 1);
        assert_eq!(page_count(26, 25), 2);
        assert_eq!(pager_links(1, true, |n| n.to_string()), (None, Some("2".into())));
        assert_eq!(pager_links(3, false, |n| n.to_string()), (Some("2".into()), None));
    }
}
