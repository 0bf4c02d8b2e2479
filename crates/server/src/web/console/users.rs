//! The users page (issue 15 point 1): an admin sees every user, a merchant manager its
//! merchant's; both search by e-mail, page through, invite (the link is shown once to copy),
//! and deactivate (after a confirmation page) or reactivate. The invitee's first-password page
//! `/console/invite/{token}` signs them in. Everything goes through the same use cases as the
//! API (`omnicanal_app::access::invitations`); forms carry the CSRF token like every console form.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use minijinja::{Value, context};
use omnicanal_app::AppError;
use omnicanal_app::access::{MIN_PASSWORD_CHARS, NewInvitation, NewPassword};
use omnicanal_domain::access::Role;
use omnicanal_store::{ManagedUserRow, Page, UserOrder};
use serde::Deserialize;

use super::forms::{bad_csrf, forbidden, page_count, page_number, pager_links};
use super::pages::refused;
use super::session::{ConsoleUser, SESSION_MAX_AGE_S, csrf_cookie, negotiate, secure, see_other, unavailable};
use super::view::{render, urlencode};
use crate::auth::{self, CSRF_COOKIE, SESSION_COOKIE, csrf_matches};
use crate::state::AppState;
use crate::web::i18n::Lang;
use omnicanal_app::ids::new_token;

/// Users a page shows.
const PER_PAGE: i64 = 25;

/// `?q=&page=`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct UsersQuery {
    q: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

/// The invitation form's fields.
#[derive(Debug, Default, Deserialize)]
pub(super) struct InviteForm {
    csrf: Option<String>,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    merchant_id: Option<String>,
    location_id: Option<String>,
}

/// What the page shows after an invitation: the link (once) or the fields to fix.
#[derive(Default)]
struct Outcome {
    form: Option<InviteForm>,
    errors: Vec<(String, String)>,
    link: Option<String>,
}

fn status_of(row: &ManagedUserRow) -> &'static str {
    if row.deactivated_at_ms.is_some() {
        "deactivated"
    } else if row.invited {
        "invited"
    } else {
        "active"
    }
}

/// The page: list, search, pages and the invitation form.
async fn users_page(
    state: &AppState,
    console: &ConsoleUser,
    query: &UsersQuery,
    status: StatusCode,
    outcome: Outcome,
) -> Response {
    let lang = console.lang;
    let q = query.q.clone().unwrap_or_default().chars().take(200).collect::<String>();
    let page_no = page_number(query.page.as_deref());
    let page = super::forms::store_page(page_no, PER_PAGE);
    // An unknown order is the default one, never an error.
    let order = query.sort.as_deref().and_then(UserOrder::parse).unwrap_or_default();
    let (rows, total) = match state.app.list_managed_users(&console.user, &q, order, page).await {
        Ok(found) => found,
        Err(AppError::Forbidden) => return forbidden(console, state, "console.users.forbidden"),
        Err(error) => return refused(console, state, error),
    };
    let admin = console.user.role == Role::Admin;
    let merchants = state.app.list_merchants(&console.user, Page { limit: 500, offset: 0 }).await.unwrap_or_default();
    let locations = state.app.console_locations(&console.user).await.map(|l| l.locations).unwrap_or_default();
    let merchant_name = |id: &str| merchants.iter().find(|m| m.id == id).map(|m| m.name.clone()).unwrap_or_default();
    let location_name =
        |id: &str| locations.iter().find(|(l, _)| l.id == id).map(|(l, _)| l.name.clone()).unwrap_or_default();
    let users: Vec<Value> = rows
        .iter()
        .map(|row| {
            let status = status_of(row);
            context! {
                id => row.user.id,
                email => row.user.email,
                role => lang.text(&format!("console.users.role.{}", row.user.role.as_str()), &[]),
                merchant => row.user.merchant_id.as_deref().map(merchant_name),
                location => row.user.location_id.as_deref().map(location_name),
                status => status,
                status_text => lang.text(&format!("console.users.status.{status}"), &[]),
                yourself => row.user.id == console.user.id,
                changeable => admin || row.user.role == Role::Staff,
            }
        })
        .collect();
    let roles: Vec<Value> = if admin {
        [Role::Staff, Role::MerchantManager, Role::SupportAgent, Role::Admin].to_vec()
    } else {
        vec![Role::Staff]
    }
    .into_iter()
    .map(|role| context! { value => role.as_str(), label => lang.text(&format!("console.users.role.{}", role.as_str()), &[]) })
    .collect();
    let merchant_options: Vec<Value> = merchants.iter().map(|m| context! { id => m.id, name => m.name }).collect();
    let location_options: Vec<Value> = locations
        .iter()
        .map(|(l, _)| context! { id => l.id, name => format!("{} — {}", merchant_name(&l.merchant_id), l.name), merchant_id => l.merchant_id })
        .collect();
    let form = outcome.form.unwrap_or_default();
    let error_of = |field: &str| outcome.errors.iter().find(|(f, _)| f == field).map(|(_, text)| text.clone());
    let err = context! {
        email => error_of("email"), role => error_of("role"),
        merchant => error_of("merchant_id"), location => error_of("location_id"),
    };
    let pages = page_count(total, PER_PAGE);
    let q_param = match order {
        UserOrder::Email => urlencode(&q),
        other => format!("{}&sort={}", urlencode(&q), other.as_str()),
    };
    let (prev, next) = pager_links(page_no, page_no < pages, |to| format!("/console/users?q={q_param}&page={to}"));
    let ctx = context! {
        title => lang.text("console.users.title", &[]),
        users => users,
        total => total,
        q => q,
        sort => order.as_str(),
        prev => prev,
        next => next,
        page_no => page_no,
        pages => pages,
        roles => roles,
        merchants => merchant_options,
        locations => location_options,
        form => context! {
            email => form.email, role => form.role,
            merchant_id => form.merchant_id.unwrap_or_default(), location_id => form.location_id.unwrap_or_default(),
        },
        err => err,
        link => outcome.link,
    };
    console.page(state, "users.html", status, ctx)
}

/// `GET /console/users`.
pub(super) async fn list(
    State(state): State<AppState>,
    console: ConsoleUser,
    Query(query): Query<UsersQuery>,
) -> Response {
    users_page(&state, &console, &query, StatusCode::OK, Outcome::default()).await
}

/// The console's words for a field's problem.
fn field_text(lang: Lang, field: &str, taken: bool) -> String {
    let key = match field {
        "email" if taken => "console.users.error.email_taken",
        "email" => "console.users.error.email",
        "role" => "console.users.error.role",
        "merchant_id" => "console.users.error.merchant",
        _ => "console.users.error.location",
    };
    lang.text(key, &[])
}

/// `POST /console/users/invite`: invites and shows the link once, or the fields to fix.
pub(super) async fn invite(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Form(form): Form<InviteForm>,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, form.csrf.as_deref()) {
        return denied;
    }
    let lang = console.lang;
    // The merchant of a staff member is its location's: the form asks for the location only.
    let mut merchant_id = form.merchant_id.clone().filter(|id| !id.trim().is_empty());
    if form.role == Role::Staff.as_str()
        && let Some(location_id) = form.location_id.as_deref().filter(|id| !id.is_empty())
        && let Ok(listed) = state.app.console_locations(&console.user).await
        && let Some((location, _)) = listed.locations.iter().find(|(l, _)| l.id == location_id)
    {
        merchant_id = Some(location.merchant_id.clone());
    }
    let result = match NewInvitation::parse(&form.email, &form.role, merchant_id, form.location_id.clone()) {
        Ok(invitation) => state.app.invite_user(&console.user, invitation).await,
        Err(error) => Err(error),
    };
    let query = UsersQuery::default();
    match result {
        Ok(issued) => {
            let link = format!("{}/console/invite/{}", state.public_url.trim_end_matches('/'), issued.token);
            users_page(
                &state,
                &console,
                &query,
                StatusCode::CREATED,
                Outcome { link: Some(link), ..Outcome::default() },
            )
            .await
        }
        Err(AppError::Invalid(fields)) => {
            let mut errors: Vec<(String, String)> = Vec::new();
            for field in fields {
                let name = if field.field == "merchant_id" && form.role == Role::Staff.as_str() {
                    "location_id".to_owned()
                } else {
                    field.field.clone()
                };
                if !errors.iter().any(|(f, _)| *f == name) {
                    let text = field_text(lang, &name, false);
                    errors.push((name, text));
                }
            }
            let outcome = Outcome { form: Some(form), errors, link: None };
            users_page(&state, &console, &query, StatusCode::UNPROCESSABLE_ENTITY, outcome).await
        }
        Err(AppError::AlreadyExists { .. }) => {
            let errors = vec![("email".to_owned(), field_text(lang, "email", true))];
            let outcome = Outcome { form: Some(form), errors, link: None };
            users_page(&state, &console, &query, StatusCode::CONFLICT, outcome).await
        }
        Err(error) => refused(&console, &state, error),
    }
}

/// `GET /console/users/{id}/deactivate`: asks first.
pub(super) async fn confirm_deactivate(
    State(state): State<AppState>,
    console: ConsoleUser,
    Path(id): Path<String>,
) -> Response {
    match state.app.managed_user(&console.user, &id).await {
        Ok(user) => {
            let ctx = context! {
                title => console.lang.text("console.users.confirm_title", &[]),
                id => user.user.id,
                email => user.user.email,
            };
            console.page(&state, "users_confirm.html", StatusCode::OK, ctx)
        }
        Err(error) => refused(&console, &state, error),
    }
}

/// A form carrying only the CSRF token.
#[derive(Debug, Deserialize)]
pub(super) struct CsrfOnly {
    csrf: Option<String>,
}

async fn set_active(
    state: AppState,
    console: ConsoleUser,
    headers: HeaderMap,
    id: String,
    csrf: Option<String>,
    active: bool,
) -> Response {
    if let Some(denied) = bad_csrf(&console, &state, &headers, csrf.as_deref()) {
        return denied;
    }
    match state.app.set_user_active(&console.user, &id, active).await {
        Ok(_) => super::forms::see_other("/console/users"),
        Err(AppError::Conflict(_)) => {
            console.message(&state, StatusCode::CONFLICT, "console.users.confirm_title", "console.users.not_yourself")
        }
        Err(error) => refused(&console, &state, error),
    }
}

/// `POST /console/users/{id}/deactivate`: deactivates; every session of the user ends.
pub(super) async fn deactivate(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    set_active(state, console, headers, id, form.csrf, false).await
}

/// `POST /console/users/{id}/reactivate`.
pub(super) async fn reactivate(
    State(state): State<AppState>,
    console: ConsoleUser,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    set_active(state, console, headers, id, form.csrf, true).await
}

/// The first-password form's fields.
#[derive(Debug, Deserialize)]
pub(super) struct FirstPasswordForm {
    csrf: Option<String>,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
}

/// The first-password page, with a double-submitted CSRF token as the login form has (no
/// session yet).
fn invite_page(
    state: &AppState,
    headers: &HeaderMap,
    uri: &Uri,
    token: &str,
    email: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let (lang, _) = negotiate(uri, headers);
    let mut cookies = Vec::new();
    let csrf = auth::cookie(headers, CSRF_COOKIE).map(str::to_owned).unwrap_or_else(|| {
        let fresh = new_token();
        cookies.push(csrf_cookie(state, &fresh));
        fresh
    });
    let ctx = context! {
        title => lang.text("console.invite.title", &[]),
        csrf => csrf,
        token => token,
        email => email,
        error => error,
        min_chars => MIN_PASSWORD_CHARS,
    };
    render("users_invite.html", lang, status, ctx, &cookies)
}

/// A link that no longer works: unknown, used, expired.
fn dead_link(headers: &HeaderMap, uri: &Uri, error: &AppError) -> Response {
    let (lang, _) = negotiate(uri, headers);
    let (status, key) = match error {
        AppError::NotFound(_) => (StatusCode::NOT_FOUND, "console.invite.unknown"),
        _ => (StatusCode::CONFLICT, "console.invite.dead"),
    };
    super::view::message(lang, status, "console.invite.title", key, context! {})
}

/// `GET /console/invite/{token}`: the first-password form, while the link works.
pub(super) async fn invite_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(token): Path<String>,
) -> Response {
    match state.app.open_invitation(&token).await {
        Ok(open) => invite_page(&state, &headers, &uri, &token, &open.email, None, StatusCode::OK),
        Err(error @ (AppError::NotFound(_) | AppError::Conflict(_))) => dead_link(&headers, &uri, &error),
        Err(error) => unavailable(negotiate(&uri, &headers).0, &error),
    }
}

/// `POST /console/invite/{token}`: sets the first password, signs in and goes to `/console`.
pub(super) async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(token): Path<String>,
    Form(form): Form<FirstPasswordForm>,
) -> Response {
    let (lang, _) = negotiate(&uri, &headers);
    let open = match state.app.open_invitation(&token).await {
        Ok(open) => open,
        Err(error @ (AppError::NotFound(_) | AppError::Conflict(_))) => return dead_link(&headers, &uri, &error),
        Err(error) => return unavailable(lang, &error),
    };
    let again = |key: &str, status: StatusCode| {
        invite_page(
            &state,
            &headers,
            &uri,
            &token,
            &open.email,
            Some(lang.text(key, &[("min", MIN_PASSWORD_CHARS.to_string())])),
            status,
        )
    };
    if !csrf_matches(&headers, form.csrf.as_deref()) {
        return again("console.login.csrf", StatusCode::FORBIDDEN);
    }
    let Ok(password) = NewPassword::parse(&form.password) else {
        return again("console.invite.rule_broken", StatusCode::UNPROCESSABLE_ENTITY);
    };
    if form.password != form.repeat {
        return again("console.account.mismatch", StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (session_token, _) = match state.app.accept_invitation(&token, &password).await {
        Ok(signed_in) => signed_in,
        Err(error @ (AppError::NotFound(_) | AppError::Conflict(_))) => return dead_link(&headers, &uri, &error),
        Err(error) => return unavailable(lang, &error),
    };
    let cookies = [
        format!(
            "{SESSION_COOKIE}={session_token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={SESSION_MAX_AGE_S}{}",
            secure(&state)
        ),
        csrf_cookie(&state, &auth::session_csrf(&session_token)),
    ];
    see_other("/console", &cookies)
}
