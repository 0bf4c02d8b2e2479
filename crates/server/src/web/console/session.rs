//! Signing in and out of the console, the password change, and [`ConsoleUser`]: the extractor
//! every console page starts with.
//!
//! The session is the API's own (`auth::sign_in`), carried by the `oc_session` cookie
//! (HttpOnly, `SameSite=Lax`, 12 hours). Forms and scripts prove they come from our pages by
//! repeating the session's CSRF token (`auth::session_csrf`, handed to them in the `oc_csrf`
//! cookie, `SameSite=Strict`, readable by our scripts) in a hidden `csrf` field or the
//! `X-CSRF-Token` header: another site can make a browser send our cookies but can neither read
//! them nor derive the token. The login form, before any session, uses a random `oc_csrf`
//! double-submitted. Its failed sign-ins are throttled exactly like the API's (the same use
//! case and client address: `omnicanal_app::throttle`), the wait shown in seconds or minutes.

use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{LOCATION, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};
use serde::Deserialize;

use super::view::{message, render, urlencode};
use omnicanal_app::AppError;
use omnicanal_app::access::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, NewPassword, PasswordProblem, SESSION_TTL_MS};

use crate::auth::{self, AuthUser, CSRF_COOKIE, Role, SESSION_COOKIE, csrf_matches};
use crate::extract::ClientIp;
use crate::state::AppState;
use crate::web::i18n::Lang;
use omnicanal_app::ids::{new_token, sha256_hex};

/// Seconds a console session lasts (the API's session time).
pub(super) const SESSION_MAX_AGE_S: i64 = SESSION_TTL_MS / 1000;

/// The roles that may use the console.
// Support agents sign in here too, for the knowledge base's pages (issue 18 point 4).
const CONSOLE_ROLES: [Role; 4] = [Role::Staff, Role::MerchantManager, Role::Admin, Role::SupportAgent];

/// A signed-in console user, their language and the CSRF token their forms repeat.
pub(super) struct ConsoleUser {
    /// The session's user.
    pub user: AuthUser,
    /// The page's language.
    pub lang: Lang,
    /// `?lang=` when given (remembered in the `lang` cookie).
    query_lang: Option<Lang>,
    /// The `oc_csrf` value forms carry.
    pub csrf: String,
    /// Set when the request had no `oc_csrf` cookie and `csrf` is new.
    fresh_csrf: bool,
}

#[derive(Debug, Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

fn query_lang(uri: &Uri) -> Option<String> {
    Query::<LangQuery>::try_from_uri(uri).ok().and_then(|query| query.0.lang)
}

/// The request's language and whether `?lang=` asked for it.
pub(super) fn negotiate(uri: &Uri, headers: &HeaderMap) -> (Lang, Option<Lang>) {
    let asked = query_lang(uri);
    let lang = Lang::negotiate(asked.as_deref(), headers);
    let explicit = asked.filter(|raw| matches!(raw.as_str(), "es" | "en")).map(|_| lang);
    (lang, explicit)
}

impl<S> FromRequestParts<S> for ConsoleUser
where
    S: Send + Sync,
    AppState: axum::extract::FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = <AppState as axum::extract::FromRef<S>>::from_ref(state);
        let (lang, query_lang) = negotiate(&parts.uri, &parts.headers);
        let to_login = || {
            let here = parts.uri.path_and_query().map(|pq| pq.as_str()).unwrap_or("/console");
            see_other(&format!("/console/login?next={}", urlencode(here)), &[])
        };
        let Some(token) = auth::cookie(&parts.headers, SESSION_COOKIE) else { return Err(to_login()) };
        let user = match AuthUser::from_token(&state, token, true).await {
            Ok(Some(user)) => user,
            Ok(None) => return Err(to_login()),
            Err(error) => return Err(unavailable(lang, &error)),
        };
        if !CONSOLE_ROLES.contains(&user.role) {
            return Err(message(
                lang,
                StatusCode::FORBIDDEN,
                "console.forbidden.title",
                "console.login.role_not_allowed",
                context! {},
            ));
        }
        let csrf = auth::session_csrf(token);
        let fresh_csrf = auth::cookie(&parts.headers, CSRF_COOKIE) != Some(csrf.as_str());
        Ok(ConsoleUser { user, lang, query_lang, csrf, fresh_csrf })
    }
}

impl ConsoleUser {
    /// Answers `template` with the console's chrome: who is signed in, the CSRF token, and the
    /// navigation links their role may follow.
    pub fn page(&self, state: &AppState, template: &str, status: StatusCode, ctx: Value) -> Response {
        let mut cookies = Vec::new();
        if self.fresh_csrf {
            cookies.push(csrf_cookie(state, &self.csrf));
        }
        if let Some(lang) = self.query_lang {
            cookies.push(format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code()));
        }
        let ctx = context! {
            me => context! {
                email => self.user.email,
                role => self.user.role.as_str(),
                manager => self.is_manager(),
                location_id => self.user.location_id,
            },
            csrf => self.csrf,
            ..ctx
        };
        render(template, self.lang, status, ctx, &cookies)
    }

    /// A page with a title and one sentence, inside the console's chrome.
    pub fn message(&self, state: &AppState, status: StatusCode, title_key: &str, text_key: &str) -> Response {
        let ctx = context! { title => self.lang.text(title_key, &[]), text => self.lang.text(text_key, &[]) };
        self.page(state, "message.html", status, ctx)
    }

    /// The 404 page (also what another merchant's location answers).
    pub fn missing(&self, state: &AppState) -> Response {
        self.message(state, StatusCode::NOT_FOUND, "console.missing.title", "console.missing.text")
    }

    /// Managers and admins see every location of a merchant (admins: of every merchant).
    pub fn is_manager(&self) -> bool {
        matches!(self.user.role, Role::MerchantManager | Role::Admin)
    }
}

/// `oc_csrf`: readable by our scripts, never sent by other sites' requests.
pub(super) fn csrf_cookie(state: &AppState, token: &str) -> String {
    format!("{CSRF_COOKIE}={token}; Path=/; SameSite=Strict{}", secure(state))
}

pub(super) fn secure(state: &AppState) -> &'static str {
    if state.public_url.starts_with("https://") { "; Secure" } else { "" }
}

/// A 303 to `to` with these cookies set.
pub(super) fn see_other(to: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(to) {
        response.headers_mut().insert(LOCATION, value);
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(axum::http::header::SET_COOKIE, value);
        }
    }
    response
}

pub(super) fn unavailable(lang: Lang, error: &dyn std::fmt::Display) -> Response {
    tracing::error!(%error, "the console could not read the session");
    message(lang, StatusCode::SERVICE_UNAVAILABLE, "console.unavailable.title", "console.unavailable.text", context! {})
}

/// Where to go after signing in: only a path inside the console or the till (`/pos`, which
/// signs in here too), never another site.
fn safe_next(next: Option<&str>) -> &str {
    match next.map(str::trim) {
        Some(next)
            if (next.starts_with("/console")
                || next == "/pos"
                || next.starts_with("/pos?")
                || next.starts_with("/support"))
                && !next.starts_with("//")
                && !next.contains(['\\', '\r', '\n'])
                && next.chars().all(|c| !c.is_control()) =>
        {
            next
        }
        _ => "/console",
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct LoginQuery {
    next: Option<String>,
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    csrf: Option<String>,
    next: Option<String>,
}

struct LoginPage<'a> {
    email: &'a str,
    next: &'a str,
    error: Option<String>,
    status: StatusCode,
}

fn login_page(state: &AppState, headers: &HeaderMap, uri: &Uri, page: LoginPage<'_>, rotate: bool) -> Response {
    let (lang, query_lang) = negotiate(uri, headers);
    let existing = auth::cookie(headers, CSRF_COOKIE).filter(|_| !rotate).map(str::to_owned);
    let mut cookies = Vec::new();
    let csrf = existing.unwrap_or_else(|| {
        let token = new_token();
        cookies.push(csrf_cookie(state, &token));
        token
    });
    if let Some(lang) = query_lang {
        cookies.push(format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code()));
    }
    let ctx = context! {
        title => lang.text("console.login.title", &[]),
        csrf => csrf,
        email => page.email,
        next => page.next,
        error => page.error,
    };
    render("login.html", lang, page.status, ctx, &cookies)
}

/// `GET /console/login`: the form (and an `oc_csrf` cookie when there is none). Someone
/// already signed in goes straight on.
pub(super) async fn login_form(
    State(state): State<AppState>,
    Query(query): Query<LoginQuery>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let next = safe_next(query.next.as_deref());
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE)
        && let Ok(Some(user)) = AuthUser::from_token(&state, token, true).await
        && CONSOLE_ROLES.contains(&user.role)
        && auth::cookie(&headers, CSRF_COOKIE).is_some()
    {
        return see_other(next, &[]);
    }
    login_page(&state, &headers, &uri, LoginPage { email: "", next, error: None, status: StatusCode::OK }, false)
}

/// `POST /console/login`: checks the form's CSRF token and the credentials, opens a session,
/// sets `oc_session` and a fresh `oc_csrf`, and goes to `next` (a console path) or `/console`.
pub(super) async fn login(
    State(state): State<AppState>,
    ClientIp(client_ip): ClientIp,
    headers: HeaderMap,
    uri: Uri,
    Form(form): Form<LoginForm>,
) -> Response {
    let (lang, _) = negotiate(&uri, &headers);
    let next = safe_next(form.next.as_deref());
    let email = form.email.trim();
    let again = |key: &str, status: StatusCode| {
        let page = LoginPage { email, next, error: Some(lang.text(key, &[])), status };
        login_page(&state, &headers, &uri, page, false)
    };
    if !csrf_matches(&headers, form.csrf.as_deref()) {
        return again("console.login.csrf", StatusCode::FORBIDDEN);
    }
    if email.is_empty() || form.password.is_empty() {
        return again("console.login.missing", StatusCode::UNPROCESSABLE_ENTITY);
    }
    if form.password.chars().count() > MAX_PASSWORD_CHARS {
        return again("console.login.wrong", StatusCode::UNAUTHORIZED);
    }
    let (token, session) = match state.app.sign_in(email, &form.password, client_ip).await {
        Ok(signed_in) => signed_in,
        Err(AppError::Unauthenticated(_)) => return again("console.login.wrong", StatusCode::UNAUTHORIZED),
        Err(AppError::Throttled { retry_after_secs }) => {
            // The delays grow from a second: say seconds until they reach a minute.
            let error = Some(if retry_after_secs < 60 {
                lang.text("console.login.throttled_seconds", &[("seconds", retry_after_secs.max(1).to_string())])
            } else {
                lang.text("console.login.throttled", &[("minutes", retry_after_secs.div_ceil(60).to_string())])
            });
            let page = LoginPage { email, next, error, status: StatusCode::TOO_MANY_REQUESTS };
            let mut response = login_page(&state, &headers, &uri, page, false);
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
            return response;
        }
        Err(error) => return unavailable(lang, &error),
    };
    if !CONSOLE_ROLES.contains(&session.caller.role) {
        if let Err(error) = state.app.sign_out(&session.token_hash).await {
            tracing::warn!(%error, "could not end the session of a user the console refused");
        }
        return again("console.login.role_not_allowed", StatusCode::FORBIDDEN);
    }
    // A new CSRF token with the new session: a token planted before the login is worthless.
    let cookies = [
        format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_MAX_AGE_S}{}",
            secure(&state)
        ),
        csrf_cookie(&state, &auth::session_csrf(&token)),
    ];
    see_other(next, &cookies)
}

/// A form that only carries the CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct CsrfForm {
    csrf: Option<String>,
}

/// `POST /console/logout`: ends the session (it no longer works anywhere, API included), clears
/// the cookie and goes back to the login form.
pub(super) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (lang, _) = negotiate(&uri, &headers);
    if !auth::session_csrf_matches(&headers, form.csrf.as_deref()) {
        return message(lang, StatusCode::FORBIDDEN, "console.forbidden.title", "console.login.csrf", context! {});
    }
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE)
        && let Err(error) = state.app.sign_out(&sha256_hex(token.as_bytes())).await
    {
        return unavailable(lang, &error);
    }
    let cleared = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}", secure(&state));
    see_other("/console/login", &[cleared])
}

/// The password change form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct PasswordForm {
    csrf: Option<String>,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

fn account_page(console: &ConsoleUser, state: &AppState, status: StatusCode, notice: Option<(&str, &str)>) -> Response {
    let lang = console.lang;
    let ctx = context! {
        title => lang.text("console.account.title", &[]),
        min_chars => MIN_PASSWORD_CHARS,
        notice => notice.map(|(kind, key)| context! {
            kind => kind,
            text => lang.text(key, &[("min", MIN_PASSWORD_CHARS.to_string())]),
        }),
    };
    console.page(state, "account.html", status, ctx)
}

/// `GET /console/account`: the password change form.
pub(super) async fn account_form(State(state): State<AppState>, console: ConsoleUser) -> Response {
    account_page(&console, &state, StatusCode::OK, None)
}

/// `POST /console/account`: changes the password when the current one is right and the new
/// one is long enough and typed twice alike; every other session of the user ends.
pub(super) async fn change_password(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    let refuse = |key: &str, status: StatusCode| account_page(&console, &state, status, Some(("error", key)));
    if !auth::session_csrf_matches(&headers, form.csrf.as_deref()) {
        return refuse("console.login.csrf", StatusCode::FORBIDDEN);
    }
    let new = match NewPassword::parse(&form.new) {
        Ok(new) => new,
        Err(PasswordProblem::TooShort) => return refuse("console.account.too_short", StatusCode::UNPROCESSABLE_ENTITY),
        Err(PasswordProblem::TooLong) => return refuse("console.account.too_long", StatusCode::UNPROCESSABLE_ENTITY),
    };
    if form.new != form.repeat {
        return refuse("console.account.mismatch", StatusCode::UNPROCESSABLE_ENTITY);
    }
    match state.app.change_password(&console.user.session, &form.current, &new).await {
        Ok(()) => account_page(&console, &state, StatusCode::OK, Some(("ok", "console.account.changed"))),
        Err(AppError::Invalid(errors)) if errors.iter().any(|error| error.field == "current_password") => {
            refuse("console.account.wrong_current", StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(AppError::Invalid(_)) => refuse("console.account.same", StatusCode::UNPROCESSABLE_ENTITY),
        Err(AppError::Unauthenticated(_)) => console.missing(&state),
        Err(error) => unavailable(console.lang, &error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_inside_the_console() {
        assert_eq!(safe_next(Some("/console/orders?status=ready")), "/console/orders?status=ready");
        assert_eq!(safe_next(Some("https://evil.example/console")), "/console");
        assert_eq!(safe_next(Some("//evil.example/console")), "/console");
        assert_eq!(safe_next(Some("/console\\@evil")), "/console");
        assert_eq!(safe_next(Some("/s/site")), "/console");
        assert_eq!(safe_next(Some("/pos")), "/pos");
        assert_eq!(safe_next(Some("/posh")), "/console");
        assert_eq!(safe_next(None), "/console");
    }
}
