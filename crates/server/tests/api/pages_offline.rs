//! What a browser gets from this server alone (issue 13, point 8): the API docs page loads its
//! viewer from this server, never from another host; a favicon is served; and a path no route
//! knows answers a page in the visitor's language with a link back — the console's under
//! `/console`, the customer pages' elsewhere — while `/api` keeps answering problem documents.

use crate::common;

use common::{Body, Resp, TestApp};
use reqwest::{Method, StatusCode};

fn text(resp: &Resp) -> &str {
    resp.body.as_str().unwrap_or_default()
}

/// Every `src="…"` and `href="…"` value of `html`.
fn references(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            let value = &rest[start + attribute.len()..];
            let end = value.find('"').unwrap_or(value.len());
            found.push(&value[..end]);
            rest = &value[end..];
        }
    }
    found
}

#[tokio::test]
async fn the_api_docs_need_nothing_from_outside() {
    let app = TestApp::spawn().await;
    let page = app.get("/api/docs", None).await;
    assert_eq!(page.status, StatusCode::OK, "/api/docs: {}", page.body);
    assert!(page.content_type().starts_with("text/html"), "/api/docs is a page: {}", page.content_type());
    let html = text(&page);
    let referenced = references(html);
    let external: Vec<&&str> = referenced
        .iter()
        .filter(|url| url.starts_with("http:") || url.starts_with("https:") || url.starts_with("//"))
        .collect();
    assert!(external.is_empty(), "/api/docs loads from other hosts: {external:?}");
    assert!(html.contains("/api/openapi.json"), "the viewer reads this server's OpenAPI document");
    assert!(html.contains("load-fonts=\"false\""), "the viewer must not fetch its font from a font CDN");

    let scripts: Vec<&str> = html
        .split("<script")
        .skip(1)
        .filter_map(|tag| references(&tag[..tag.find('>').unwrap_or(tag.len())]).first().copied())
        .collect();
    assert!(!scripts.is_empty(), "/api/docs runs the viewer's script");
    for script in scripts {
        let served = app.get(script, None).await;
        assert_eq!(served.status, StatusCode::OK, "{script} is served");
        assert!(served.content_type().starts_with("text/javascript"), "{script}: {}", served.content_type());
        assert!(text(&served).contains("rapi-doc"), "{script} is the viewer");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_favicon_is_served() {
    let app = TestApp::spawn().await;
    for path in ["/favicon.ico", "/favicon.svg"] {
        let icon = app.get(path, None).await;
        assert_eq!(icon.status, StatusCode::OK, "{path}");
        assert!(icon.content_type().starts_with("image/"), "{path}: {}", icon.content_type());
    }
    let console = app.get("/console/login", None).await;
    assert!(text(&console).contains("rel=\"icon\""), "the console's pages name their icon");
    app.stop().await;
}

#[tokio::test]
async fn unknown_pages_answer_a_page_in_the_visitors_language() {
    let app = TestApp::spawn().await;
    let cases = [
        ("/nope", "es-CL,es;q=0.9", "No encontramos esa página.", "href=\"/\"", "Volver al inicio"),
        ("/nope/deeper?x=1", "en-US,en;q=0.9", "We could not find that page.", "href=\"/\"", "Back to the start page"),
        ("/console/nope", "es", "Esta página no existe", "href=\"/console", "Volver"),
        ("/console/x/y", "en-GB", "This page does not exist", "href=\"/console", "Back"),
    ];
    for (path, language, says, link, link_text) in cases {
        let page = app.send(Method::GET, path, None, Body::None, &[("accept-language", language)]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.content_type().starts_with("text/html"), "{path} answers a page: {}", page.content_type());
        let html = text(&page);
        assert!(html.contains(says), "{path} in {language}: {html}");
        assert!(html.contains(link) && html.contains(link_text), "{path}: a link back: {html}");
    }
    // `?lang=` chooses too, as on every page.
    let page = app.get("/nope?lang=en", None).await;
    assert!(text(&page).contains("We could not find that page."), "{}", page.body);

    // The API keeps its problem documents, whatever the browser prefers.
    for path in ["/api/v1/nope", "/api/nope", "/api"] {
        let problem = app.send(Method::GET, path, None, Body::None, &[("accept", "text/html")]).await;
        common::assert_problem(&problem, StatusCode::NOT_FOUND, path);
    }
    app.stop().await;
}
