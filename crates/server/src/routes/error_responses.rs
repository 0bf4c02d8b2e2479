//! The error answers of every operation, added to the OpenAPI document in one pass.
//!
//! Each route's `#[utoipa::path]` lists what is particular to it (a 402 for a declined card, a 409
//! for short stock...). What every route of a kind can answer comes from the extractors and layers
//! it goes through, so it is written here once, from what the document already says of the
//! operation, instead of on each of the 70-odd annotations:
//!
//! | the operation has | it can answer | because |
//! | --- | --- | --- |
//! | a request body | 400, 413, 415, 422 | malformed JSON (or CSV that is not UTF-8), over the 1 MiB limit, another `Content-Type`, a field that fails validation |
//! | path parameters | 400, 404, 422 | a segment that is not UTF-8; an unknown or another merchant's id; an id that fails validation |
//! | query or header parameters | 422 | a value that does not parse or fails validation |
//! | a bearer security requirement | 401, 403 | no, an unknown or an expired token; a role that may not, or a cookie-signed change without its CSRF token |
//! | an `Idempotency-Key` header | 409 | the key was used with another body, or its first request is still running |
//! | anything | 500 | a fault of ours, logged, its cause never sent |
//!
//! Every 4xx and 5xx answer is `application/problem+json` with the `Problem` schema: the existing
//! error responses are moved to that media type and the missing ones added with it.
//! `tests/api/openapi.rs` checks the result on the served document.

use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, Response};

/// The media type of every error answer (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Adds the shared error answers to every operation; see the module documentation.
pub struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations =
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch, &mut item.head];
            for operation in operations.into_iter().flatten() {
                document_errors(operation);
            }
        }
    }
}

fn document_errors(operation: &mut Operation) {
    let has_body = operation.request_body.is_some();
    let parameters = operation.parameters.as_deref().unwrap_or_default();
    let has_path = parameters.iter().any(|p| p.parameter_in == ParameterIn::Path);
    let has_other_parameters = parameters.iter().any(|p| p.parameter_in != ParameterIn::Path);
    let idempotent = parameters.iter().any(|p| p.name.eq_ignore_ascii_case("Idempotency-Key"));
    let signed_in = operation.security.as_ref().is_some_and(|requirements| !requirements.is_empty());
    let media_type = body_media_type(operation);

    let mut add = |status: &str, description: String| {
        operation.responses.responses.entry(status.to_owned()).or_insert_with(|| problem_response(description));
    };
    if has_body {
        add("400", "The body does not parse (malformed JSON, or text that is not UTF-8).".to_owned());
        add("413", "The body is over the 1 MiB limit.".to_owned());
        add("415", format!("The body is not sent as `{media_type}`."));
    }
    if has_path {
        add("400", "A path segment is not valid UTF-8.".to_owned());
        add("404", "No such resource, or it belongs to another merchant.".to_owned());
    }
    if has_body || has_path || has_other_parameters {
        add("422", "A field or parameter fails validation (see `errors`).".to_owned());
    }
    if signed_in {
        add("401", "No bearer token, or an unknown or expired one.".to_owned());
        add("403", "The caller's role may not do this, or a cookie-signed change lacks its `X-CSRF-Token`.".to_owned());
    }
    if idempotent {
        add("409", "The Idempotency-Key was used with another body, or its first request is still running.".to_owned());
    }
    add("500", "A fault on our side; it is logged and its cause is not sent.".to_owned());
    for (status, response) in &mut operation.responses.responses {
        if is_error(status)
            && let RefOr::T(response) = response
        {
            as_problem_json(response);
        }
    }
}

/// The request body's media type (the first, where several are accepted).
fn body_media_type(operation: &Operation) -> String {
    operation
        .request_body
        .as_ref()
        .and_then(|body| body.content.keys().next().cloned())
        .unwrap_or_else(|| "application/json".to_owned())
}

fn is_error(status: &str) -> bool {
    status.starts_with('4') || status.starts_with('5')
}

fn problem_response(description: String) -> RefOr<Response> {
    let mut response = Response::new(description);
    response.content.insert(PROBLEM_JSON.to_owned(), problem_content());
    RefOr::T(response)
}

fn problem_content() -> Content {
    Content::new(Some(Ref::from_schema_name("Problem")))
}

/// An error answer documented as `application/json` (utoipa's default for `body = Problem`),
/// or with no content at all, is the problem document the server sends.
fn as_problem_json(response: &mut Response) {
    let content = response.content.shift_remove("application/json").unwrap_or_else(problem_content);
    response.content.insert(PROBLEM_JSON.to_owned(), content);
}
