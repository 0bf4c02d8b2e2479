//! The knowledge base (issue 18 point 4) over real HTTP, on whichever database the suite runs:
//! agents write, publish and page through articles; staff search as they type (accents,
//! stems, English apart) and read only what is published; the help dialog's sessions and
//! "Esto lo resolvió" feed the deflection share; bad input is a 422 naming the field, another
//! merchant's session and a draft are 404, a role that may not is 403.

use crate::common;

use common::{Fixture, TestApp, assert_problem, assert_validation_problem, qs};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A support agent's token.
async fn agent_token(app: &TestApp) -> String {
    let user = json!({"email": "agente@soporte.test", "password": "agent-password-1", "role": "support_agent"});
    app.post("/api/v1/users", Some(&app.admin_token().await), &user).await.expect(StatusCode::CREATED, "an agent");
    app.login("agente@soporte.test", "agent-password-1").await
}

async fn create(app: &TestApp, token: &str, locale: &str, title: &str, body: &str, category: &str) -> Value {
    let article = json!({"locale": locale, "title": title, "body": body, "category": category, "published": true});
    app.post("/api/v1/support/articles", Some(token), &article).await.expect(StatusCode::CREATED, title)
}

async fn search(app: &TestApp, token: &str, params: &[(&str, &str)]) -> Vec<String> {
    let found = app
        .get(&format!("/api/v1/support/articles/search?{}", qs(params)), Some(token))
        .await
        .expect(StatusCode::OK, "search");
    found
        .as_array()
        .map(|hits| hits.iter().map(|hit| hit["title"].as_str().unwrap_or("").to_owned()).collect())
        .unwrap_or_default()
}

const PRINTER: &str = "La impresora no imprime: revise el papel";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_find_articles_as_they_type_and_read_only_published_ones() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).build(&app).await;
    let agent = agent_token(&app).await;
    let staff = fx.merchants[0].staff.token(&app).await;

    let printer = create(
        &app,
        &agent,
        "es",
        PRINTER,
        "Abra la tapa y revise que el **rollo** esté bien puesto.\n\n<script>alert(1)</script>",
        "impresora",
    )
    .await;
    assert!(printer["body_html"].as_str().is_some_and(|html| html.contains("<strong>rollo</strong>")));
    assert!(printer["body_html"].as_str().is_some_and(|html| !html.contains("<script")), "{printer}");
    create(
        &app,
        &agent,
        "es",
        "Transacción negada: código 51",
        "Fondos insuficientes: pida otro medio de pago.",
        "pagos",
    )
    .await;
    create(&app, &agent, "en", "The printer does not print", "Check the paper roll.", "impresora").await;
    let draft = json!({"locale": "es", "title": "Impresión en borrador", "body": "Aún no.", "category": "impresora"});
    let draft = app.post("/api/v1/support/articles", Some(&agent), &draft).await.expect(StatusCode::CREATED, "draft");
    assert_eq!(draft["published"], false);

    for typed in ["impresora no imprime", "imprimir", "IMPRESIÓN", "la impre"] {
        assert_eq!(search(&app, &staff, &[("q", typed), ("locale", "es")]).await, vec![PRINTER], "{typed}");
    }
    assert_eq!(search(&app, &staff, &[("q", "transaccion negada"), ("locale", "es")]).await.len(), 1);
    assert_eq!(search(&app, &staff, &[("q", "printing"), ("locale", "en")]).await, vec!["The printer does not print"]);
    let hit = app
        .get(&format!("/api/v1/support/articles/search?{}", qs(&[("q", "rollo"), ("locale", "es")])), Some(&staff))
        .await
        .expect(StatusCode::OK, "a snippet");
    assert_eq!(hit[0]["category"], "impresora");
    assert_eq!(hit[0]["snippet"], "…que el rollo esté bien puesto.", "plain text, no markup: {hit}");
    assert_eq!(hit[0]["matched_words"], json!(["rollo"]));

    let id = printer["id"].as_str().unwrap_or_default();
    let read = app.get(&format!("/api/v1/support/articles/{id}"), Some(&staff)).await.expect(StatusCode::OK, "read");
    assert_eq!(read["title"], PRINTER);
    let draft_id = draft["id"].as_str().unwrap_or_default();
    let hidden = app.get(&format!("/api/v1/support/articles/{draft_id}"), Some(&staff)).await;
    assert_problem(&hidden, StatusCode::NOT_FOUND, "a draft is not there for staff");
    let missing = app.get("/api/v1/support/articles/art_nope", Some(&agent)).await;
    assert_problem(&missing, StatusCode::NOT_FOUND, "no such article");
    let anonymous = app.get("/api/v1/support/articles/search?q=papel", None).await;
    assert_problem(&anonymous, StatusCode::UNAUTHORIZED, "search needs a sign-in");

    // Staff may not write, list drafts or publish.
    let refused = app.post("/api/v1/support/articles", Some(&staff), &json!({"locale": "es"})).await;
    assert_status(&refused, &[StatusCode::FORBIDDEN, StatusCode::UNPROCESSABLE_ENTITY], "staff write");
    let refused = app.post(&format!("/api/v1/support/articles/{draft_id}/publish"), Some(&staff), &json!({})).await;
    assert_problem(&refused, StatusCode::FORBIDDEN, "staff publish");
    assert_problem(&app.get("/api/v1/support/articles", Some(&staff)).await, StatusCode::FORBIDDEN, "staff list");

    // Publishing makes the draft findable; withdrawing hides it again.
    app.post(&format!("/api/v1/support/articles/{draft_id}/publish"), Some(&agent), &json!({}))
        .await
        .expect(StatusCode::OK, "publish");
    assert!(search(&app, &staff, &[("q", "borrador")]).await.contains(&"Impresión en borrador".to_owned()));
    app.post(&format!("/api/v1/support/articles/{draft_id}/unpublish"), Some(&agent), &json!({}))
        .await
        .expect(StatusCode::OK, "unpublish");
    assert!(search(&app, &staff, &[("q", "borrador")]).await.is_empty());
    app.stop().await;
}

fn assert_status(resp: &common::Resp, allowed: &[StatusCode], what: &str) {
    common::assert_status_in(resp, allowed, what);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn agents_edit_and_page_articles_and_bad_input_names_its_field() {
    let app = TestApp::spawn().await;
    let agent = agent_token(&app).await;
    for n in 0..3 {
        create(&app, &agent, "es", &format!("Artículo {n}"), "Texto del artículo.", "otro").await;
    }
    let first =
        app.get("/api/v1/support/articles?limit=2&offset=0", Some(&agent)).await.expect(StatusCode::OK, "page 1");
    assert_eq!(first["total"], 3);
    assert_eq!(first["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(first["items"][0]["title"], "Artículo 2", "newest edit first: {first}");
    let second = app.get("/api/v1/support/articles?limit=2&offset=2", Some(&agent)).await.expect(StatusCode::OK, "2");
    assert_eq!(second["items"].as_array().map(Vec::len), Some(1));
    let drafts = app.get("/api/v1/support/articles?published=false", Some(&agent)).await.expect(StatusCode::OK, "d");
    assert_eq!(drafts["total"], 0);

    // An edit replaces the text and re-indexes it.
    let id = first["items"][1]["id"].as_str().unwrap_or_default().to_owned();
    let edit =
        json!({"locale": "es", "title": "Etiquetas de precio", "body": "Cómo se imprimen.", "category": "stock"});
    let edited = app
        .send(
            reqwest::Method::PUT,
            &format!("/api/v1/support/articles/{id}"),
            Some(&agent),
            common::Body::Json(edit),
            &[],
        )
        .await
        .expect(StatusCode::OK, "edit");
    assert_eq!((edited["category"].as_str(), edited["published"].as_bool()), (Some("stock"), Some(true)));
    assert_eq!(search(&app, &agent, &[("q", "etiqueta")]).await, vec!["Etiquetas de precio"]);
    let preview = app
        .post("/api/v1/support/articles/preview", Some(&agent), &json!({"body": "# Hola\n\n<b>x</b>"}))
        .await
        .expect(StatusCode::OK, "preview");
    assert_eq!(preview["html"], "<h1>Hola</h1>\n<p>&lt;b&gt;x&lt;/b&gt;</p>\n");

    let bad = json!({"locale": "fr", "title": "", "body": "x".repeat(20_001), "category": "cocina"});
    let refused = app.post("/api/v1/support/articles", Some(&agent), &bad).await;
    assert_validation_problem(&refused, "every bad field");
    let fields: Vec<String> = refused.body["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    assert_eq!(fields, vec!["locale", "title", "body", "category"]);
    let put = |body: Value| {
        app.send(reqwest::Method::PUT, "/api/v1/support/articles/art_nope", Some(&agent), common::Body::Json(body), &[])
    };
    let edit = json!({"locale": "es", "title": "T", "body": "B", "category": "otro"});
    assert_problem(&put(edit).await, StatusCode::NOT_FOUND, "editing nothing");
    for query in ["q=", "q=papel&limit=0", "q=papel&limit=501", "q=papel&locale=pt", "q=papel&category=cocina"] {
        let refused = app.get(&format!("/api/v1/support/articles/search?{query}"), Some(&agent)).await;
        assert_validation_problem(&refused, query);
    }
    let long = format!("q={}", "a".repeat(201));
    assert_validation_problem(&app.get(&format!("/api/v1/support/articles/search?{long}"), Some(&agent)).await, "long");
    for query in ["locale=pt", "category=x", "limit=0", "offset=-1"] {
        assert_validation_problem(&app.get(&format!("/api/v1/support/articles?{query}"), Some(&agent)).await, query);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn help_sessions_and_feedback_make_the_deflection_share() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let agent = agent_token(&app).await;
    let (a, b) = (&fx.merchants[0], &fx.merchants[1]);
    let cashier_a = a.staff.token(&app).await;
    let cashier_b = b.staff.token(&app).await;
    let manager_a = a.manager.token(&app).await;
    let article = create(&app, &agent, "es", PRINTER, "Revise el papel.", "impresora").await;
    let article_id = article["id"].as_str().unwrap_or_default().to_owned();
    let feedback = format!("/api/v1/support/articles/{article_id}/feedback");

    let open = |token: String| {
        let app = &app;
        async move {
            app.post("/api/v1/support/help-sessions", Some(&token), &json!({"query": "no imprime"}))
                .await
                .expect(StatusCode::CREATED, "open a help session")
        }
    };
    let solved_session = open(cashier_a.clone()).await;
    assert_eq!(solved_session["location_id"], a.location_id.as_str());
    assert_eq!(solved_session["outcome"], Value::Null);
    let session_id = solved_session["id"].as_str().unwrap_or_default().to_owned();
    let solved = json!({"solved": true, "query": "no imprime", "help_session_id": session_id});
    // Another merchant's cashier cannot end it.
    assert_problem(&app.post(&feedback, Some(&cashier_b), &solved).await, StatusCode::NOT_FOUND, "other merchant");
    let recorded = app.post(&feedback, Some(&cashier_a), &solved).await.expect(StatusCode::CREATED, "solved");
    assert_eq!(recorded["solved"], true);

    let ticketed = open(cashier_a.clone()).await;
    let ticketed_id = ticketed["id"].as_str().unwrap_or_default().to_owned();
    let end = format!("/api/v1/support/help-sessions/{ticketed_id}/end");
    let ended = app
        .post(&end, Some(&cashier_a), &json!({"outcome": "ticket", "ticket_id": "tkt_1"}))
        .await
        .expect(StatusCode::OK, "ticket");
    assert_eq!(ended["outcome"], "ticket");
    let late = json!({"solved": true, "help_session_id": ticketed_id});
    assert_problem(&app.post(&feedback, Some(&cashier_a), &late).await, StatusCode::CONFLICT, "after a ticket");
    assert_validation_problem(&app.post(&end, Some(&cashier_a), &json!({"outcome": "solved"})).await, "solved by end");
    assert_validation_problem(&app.post(&feedback, Some(&cashier_a), &json!({})).await, "solved is required");
    let other_location = json!({"location_id": b.location_id});
    let refused = app.post("/api/v1/support/help-sessions", Some(&cashier_a), &other_location).await;
    assert_problem(&refused, StatusCode::NOT_FOUND, "another merchant's location");
    assert_problem(
        &app.post("/api/v1/support/help-sessions/hlp_nope/end", Some(&cashier_a), &json!({"outcome": "abandoned"}))
            .await,
        StatusCode::NOT_FOUND,
        "no such session",
    );

    let at_b = open(cashier_b.clone()).await;
    let at_b_solved = json!({"solved": true, "help_session_id": at_b["id"]});
    app.post(&feedback, Some(&cashier_b), &at_b_solved).await.expect(StatusCode::CREATED, "solved at b");
    app.post(&feedback, Some(&cashier_b), &json!({"solved": false})).await.expect(StatusCode::CREATED, "not solved");

    let desk = app.get("/api/v1/support/articles/deflection", Some(&agent)).await.expect(StatusCode::OK, "desk");
    assert_eq!(
        (&desk["suggested"], &desk["solved_without_ticket"], &desk["tickets_opened"], &desk["share_solved_bps"]),
        (&json!(3), &json!(2), &json!(1), &json!(6666)),
        "{desk}"
    );
    assert_eq!((&desk["feedback_solved"], &desk["feedback_not_solved"]), (&json!(2), &json!(1)));
    let mine = app.get("/api/v1/support/articles/deflection", Some(&manager_a)).await.expect(StatusCode::OK, "mine");
    assert_eq!((&mine["suggested"], &mine["share_solved_bps"]), (&json!(2), &json!(5000)), "{mine}");
    let long_ago = app
        .get("/api/v1/support/articles/deflection?from=2020-01-01&to=2020-02-01", Some(&agent))
        .await
        .expect(StatusCode::OK, "an empty window");
    assert_eq!((&long_ago["suggested"], &long_ago["share_solved_bps"]), (&json!(0), &json!(0)));
    let refused = app.get("/api/v1/support/articles/deflection", Some(&cashier_a)).await;
    assert_problem(&refused, StatusCode::FORBIDDEN, "staff do not read the share");
    for query in ["from=ayer", "from=2026-02-01&to=2026-01-01", "from=2020-01-01&to=2026-01-01"] {
        let refused = app.get(&format!("/api/v1/support/articles/deflection?{query}"), Some(&agent)).await;
        assert_validation_problem(&refused, query);
    }
    app.stop().await;
}
