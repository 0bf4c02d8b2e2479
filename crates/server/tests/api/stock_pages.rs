//! The console's stock pages (issue 15 point 2) over real HTTP, as a browser posts their forms:
//! a count shows its difference before it is saved, goods received carry their reference, a
//! transfer leaves one location and is received at the other; refusals are told at their field
//! with what was typed kept. CSV imports run as jobs whose progress is polled to the end and
//! whose rejected rows are reported (also as CSV); an export imported again changes nothing
//! (stock) or recreates the catalogue (another merchant). Another merchant's manager gets 404
//! for the pages, the jobs and the exports.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::common;
use crate::console_pages::Browser;
use common::fixture::id_of;
use common::{Body, Fixture, TestApp};

/// A second location of merchant `i`, created by the admin.
async fn second_location(app: &TestApp, fx: &Fixture, i: usize) -> String {
    let admin = app.admin_token().await;
    let m = fx.m(i);
    let body = app
        .post(
            "/api/v1/locations",
            Some(&admin),
            &json!({"merchant_id": m.id, "site_id": fx.site_id, "name": "Bodega Norte", "pay_at_pickup": false}),
        )
        .await
        .expect(StatusCode::CREATED, "a second location");
    id_of(&body, "location")
}

/// The first SKU of merchant `i` whose stock is tracked.
fn tracked_sku(fx: &Fixture, i: usize) -> String {
    fx.m(i).tracked_skus().into_iter().next().expect("a tracked SKU")
}

/// Starts an import job through the API.
async fn start_job(app: &TestApp, token: &str, kind: &str, csv: &str) -> common::Resp {
    let path = format!("/api/v1/imports/{kind}/jobs");
    app.send(Method::POST, &path, Some(token), Body::Raw(csv.as_bytes().to_vec()), &[("content-type", "text/csv")])
        .await
}

/// Polls a job until it is no longer running.
async fn finished(app: &TestApp, token: &str, id: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..200 {
        let job = app.get(&format!("/api/v1/imports/jobs/{id}"), Some(token)).await.expect(StatusCode::OK, "the job");
        assert!(job["processed"].as_i64() <= job["total"].as_i64(), "progress never passes the total: {job}");
        if job["state"] != "running" {
            return job;
        }
        last = job;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the import job {id} did not finish: {last}");
}

/// A `multipart/form-data` body as a browser sends the import form.
fn upload_body(csrf: &str, kind: &str, file: &str) -> (String, Vec<u8>) {
    let boundary = "----omnicanal-test-boundary";
    let mut body = String::new();
    for (name, value) in [("csrf", csrf), ("kind", kind), ("location_id", "")] {
        body.push_str(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"import.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    ));
    (format!("multipart/form-data; boundary={boundary}"), body.into_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_manager_counts_receives_and_transfers_from_the_stock_page() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(10).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let sku = tracked_sku(&fx, 0);
    let bodega = second_location(&app, &fx, 0).await;
    let mut browser = Browser::new(&app);
    browser.sign_in(&m.manager.email, &m.manager.password).await;

    let page = browser.get(&format!("/console/stock?location_id={}", m.location_id)).await;
    page.expect(StatusCode::OK, "the stock page");
    assert!(page.body.contains("data-testid=\"nav-stock\""), "the nav links the page");
    assert!(page.body.contains(&format!("data-sku=\"{sku}\"")), "the level is listed");
    assert!(page.body.contains("Bodega Norte"), "the other location is a destination");
    let csrf = page.csrf_field();
    let at = m.location_id.as_str();

    // A count: the difference first, nothing saved; then saved.
    let preview = browser
        .post_form(
            "/console/stock/count",
            &[("csrf", &csrf), ("location_id", at), ("sku", &sku), ("counted", "7"), ("step", "preview")],
        )
        .await;
    preview.expect(StatusCode::OK, "a count's preview");
    assert!(
        preview.body.contains("data-testid=\"count-difference\"") && preview.body.contains("Diferencia: -3"),
        "the difference"
    );
    assert_eq!(app.stock_level(&admin, at, &sku).await.on_hand, 10, "nothing saved by the preview");
    let saved = browser
        .post_form(
            "/console/stock/count",
            &[("csrf", &csrf), ("location_id", at), ("sku", &sku), ("counted", "7"), ("step", "save")],
        )
        .await;
    saved.redirects_to(&format!("/console/stock?location_id={at}&done=count&sku={sku}&difference=-3"), "a saved count");
    assert_eq!(app.stock_level(&admin, at, &sku).await.on_hand, 7);

    // Refusals at their field, in Spanish, what was typed kept.
    let bad = browser
        .post_form("/console/stock/count", &[("csrf", &csrf), ("location_id", at), ("sku", &sku), ("counted", "siete")])
        .await;
    bad.expect(StatusCode::UNPROCESSABLE_ENTITY, "a count that is not a number");
    assert!(bad.body.contains("data-testid=\"count-error-counted\"") && bad.body.contains("value=\"siete\""));
    let unknown = browser
        .post_form(
            "/console/stock/count",
            &[("csrf", &csrf), ("location_id", at), ("sku", "NO-SUCH"), ("counted", "3"), ("step", "save")],
        )
        .await;
    unknown.expect(StatusCode::UNPROCESSABLE_ENTITY, "an unknown SKU");
    assert!(
        unknown.body.contains("data-testid=\"count-error-sku\"")
            && unknown.body.contains("El comercio no tiene ese SKU")
    );
    assert!(!unknown.body.contains("must be"), "no server English");

    // Goods received with a reference.
    let received = browser
        .post_form(
            "/console/stock/receipt",
            &[
                ("csrf", &csrf),
                ("location_id", at),
                ("sku", &sku),
                ("quantity", "5"),
                ("reason", "receipt"),
                ("reference", "GD-4711"),
            ],
        )
        .await;
    received.expect(StatusCode::SEE_OTHER, "a receipt");
    assert_eq!(app.stock_level(&admin, at, &sku).await.on_hand, 12);
    let history = app
        .get(&format!("/api/v1/stock/movements?location_id={at}&sku={sku}"), Some(&admin))
        .await
        .expect(StatusCode::OK, "history");
    assert_eq!(
        (history[0]["reason"].as_str(), history[0]["reference"].as_str()),
        (Some("receipt"), Some("GD-4711")),
        "{history}"
    );
    let zero = browser
        .post_form(
            "/console/stock/receipt",
            &[
                ("csrf", &csrf),
                ("location_id", at),
                ("sku", &sku),
                ("quantity", "0"),
                ("reason", "receipt"),
                ("reference", "x"),
            ],
        )
        .await;
    zero.expect(StatusCode::UNPROCESSABLE_ENTITY, "nothing received");
    assert!(zero.body.contains("data-testid=\"receipt-error-quantity\"") && zero.body.contains("value=\"0\""));

    // A transfer to the other location; more than there is is refused at the quantity.
    let short = browser
        .post_form(
            "/console/stock/transfer",
            &[("csrf", &csrf), ("location_id", at), ("sku", &sku), ("to_location_id", &bodega), ("quantity", "999")],
        )
        .await;
    short.expect(StatusCode::CONFLICT, "more than available");
    assert!(short.body.contains("data-testid=\"transfer-error-quantity\"") && short.body.contains("value=\"999\""));
    browser
        .post_form(
            "/console/stock/transfer",
            &[("csrf", &csrf), ("location_id", at), ("sku", &sku), ("to_location_id", &bodega), ("quantity", "4")],
        )
        .await
        .expect(StatusCode::SEE_OTHER, "a transfer");
    assert_eq!(app.stock_level(&admin, at, &sku).await.on_hand, 8, "the units left at once");
    let there = browser.get(&format!("/console/stock?location_id={bodega}")).await;
    there.expect(StatusCode::OK, "the destination's page");
    assert!(there.body.contains("data-direction=\"in\" data-status=\"in_transit\""), "the transfer is on its way");
    let transfers = app.get(&format!("/api/v1/stock/movements?location_id={at}&sku={sku}"), Some(&admin)).await;
    let transfer_id = transfers.body[0]["reference"].as_str().expect("the transfer's id").to_owned();
    let receive = format!("/console/stock/transfers/{transfer_id}/receive");
    browser
        .post_form(&receive, &[("csrf", &csrf), ("location_id", &bodega)])
        .await
        .expect(StatusCode::SEE_OTHER, "received");
    assert_eq!(app.stock_level(&admin, &bodega, &sku).await.on_hand, 4, "the units arrived");
    let twice = browser.post_form(&receive, &[("csrf", &csrf), ("location_id", &bodega)]).await;
    twice.expect(StatusCode::CONFLICT, "received twice");
    assert!(twice.body.contains("data-testid=\"stock-problem\""));

    // Search and the empty state; no CSRF token, no change.
    let found = browser.get(&format!("/console/stock?location_id={at}&q={}", &sku[..3].to_lowercase())).await;
    assert!(found.body.contains(&format!("data-sku=\"{sku}\"")), "a part of the SKU finds it");
    let none = browser.get(&format!("/console/stock?location_id={at}&q=zzzz")).await;
    assert!(none.body.contains("data-testid=\"no-stock\"") && !none.body.contains("data-testid=\"stock-row\""));
    browser
        .post_form("/console/stock/count", &[("location_id", at), ("sku", &sku), ("counted", "1"), ("step", "save")])
        .await
        .expect(StatusCode::FORBIDDEN, "no CSRF token");
    assert_eq!(app.stock_level(&admin, at, &sku).await.on_hand, 8, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn import_jobs_run_to_the_end_and_report_rejected_rows() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let m = fx.m(0);
    let token = m.manager.token(&app).await;
    let sku = tracked_sku(&fx, 0);
    let at = &m.location_id;
    let csv = format!("sku,location_id,on_hand\n{sku},{at},25\n{sku},{at},-4\n{sku},nowhere,3\nbroken,row\n");

    let started = start_job(&app, &token, "stock", &csv).await;
    let job = started.expect(StatusCode::ACCEPTED, "a job");
    let id = job["id"].as_str().expect("its id").to_owned();
    assert_eq!(job["total"], 4, "{job}");
    let job = finished(&app, &token, &id).await;
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!((job["processed"].as_i64(), job["total"].as_i64()), (Some(4), Some(4)), "{job}");
    assert_eq!((job["accepted"].as_i64(), job["rejected"].as_i64()), (Some(1), Some(3)), "{job}");
    let cells: Vec<(u64, String)> = job["rejected_rows"]
        .as_array()
        .expect("rejected rows")
        .iter()
        .map(|cell| (cell["line"].as_u64().unwrap_or(0), cell["column"].as_str().unwrap_or("?").to_owned()))
        .collect();
    assert_eq!(cells, [(3, "on_hand".to_owned()), (4, "location_id".to_owned()), (5, String::new())], "{job}");
    let admin = app.admin_token().await;
    assert_eq!(app.stock_level(&admin, at, &sku).await.on_hand, 25, "the good row is applied");
    let report = app.get(&format!("/api/v1/imports/jobs/{id}/rejected.csv"), Some(&token)).await;
    let text = report.body.as_str().expect("CSV text").to_owned();
    assert!(text.starts_with("line,column,reason\n3,on_hand,"), "{text}");

    // A bad file is refused whole at once; JSON is not CSV.
    common::assert_problem(
        &start_job(&app, &token, "stock", "product,where\nx,y\n").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "wrong columns",
    );
    let json_body = app.post("/api/v1/imports/stock/jobs", Some(&token), &json!({"csv": csv})).await;
    common::assert_problem(&json_body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "JSON");
    let staff = m.staff.token(&app).await;
    let catalog = "merchant_id,product,sku,price,currency\n";
    common::assert_problem(
        &start_job(&app, &staff, "catalog", catalog).await,
        StatusCode::FORBIDDEN,
        "staff import no catalogue",
    );

    // The same through the page: the upload starts the job, the page reports its rows.
    let mut browser = Browser::new(&app);
    browser.sign_in(&m.manager.email, &m.manager.password).await;
    let form = browser.get("/console/stock/import").await;
    form.expect(StatusCode::OK, "the import form");
    let csrf = form.csrf_field();
    let (content_type, body) = upload_body("", "stock", &csv);
    browser
        .post_body("/console/stock/import", &content_type, body)
        .await
        .expect(StatusCode::FORBIDDEN, "no CSRF token");
    let (content_type, body) = upload_body(&csrf, "stock", "nothing,useful\n1,2\n");
    let refused = browser.post_body("/console/stock/import", &content_type, body).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "a file with the wrong columns");
    assert!(refused.body.contains("data-testid=\"import-error-file\""), "told at the file field");
    // A file just over the limit: told at the file field in Spanish, no job started.
    let big = format!("sku,location_id,on_hand\n{}", "x".repeat(8 * 1024 * 1024));
    let (content_type, body) = upload_body(&csrf, "stock", &big);
    let refused = browser.post_body("/console/stock/import", &content_type, body).await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "a file over 8 MB");
    assert!(refused.body.contains("data-testid=\"import-error-file\"") && refused.body.contains("pasa de 8 MB"));
    // Staff are refused the page before any job starts (the API's own rules aside).
    let mut staff_browser = Browser::new(&app);
    staff_browser.sign_in(&m.staff.email, &m.staff.password).await;
    let staff_csrf = staff_browser.get("/console/account").await.csrf_field();
    let (content_type, body) = upload_body(&staff_csrf, "stock", &csv);
    staff_browser
        .post_body("/console/stock/import", &content_type, body)
        .await
        .expect(StatusCode::FORBIDDEN, "staff's upload through the page");
    let (content_type, body) = upload_body(&csrf, "stock", &csv);
    let uploaded = browser.post_body("/console/stock/import", &content_type, body).await;
    uploaded.expect(StatusCode::SEE_OTHER, "an upload");
    let job_page = uploaded.location.clone().expect("the job's page");
    assert!(job_page.starts_with("/console/imports/imp_"), "{job_page}");
    let mut shown = String::new();
    for _ in 0..200 {
        let page = browser.get(&job_page).await;
        page.expect(StatusCode::OK, "the job's page");
        if page.body.contains("data-testid=\"rejected-table\"") {
            shown = page.body.clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(shown.contains("data-line=\"3\" data-column=\"on_hand\""), "the report lists the rows: {shown}");
    assert!(shown.contains("data-testid=\"rejected-csv\""), "and offers them as CSV");

    // A catalogue file of many products runs to the end too.
    let mut big = String::from("merchant_id,product,sku,price,currency\n");
    for n in 0..300 {
        big.push_str(&format!("{},Producto {n},BULK-{n},1000,CLP\n", m.id));
    }
    big.push_str(&format!("{},Malo,BAD SKU,1000,CLP\n", m.id));
    let job = start_job(&app, &token, "catalog", &big).await.expect(StatusCode::ACCEPTED, "a big job");
    let job = finished(&app, &token, job["id"].as_str().unwrap_or_default()).await;
    assert_eq!(
        (job["state"].as_str(), job["accepted"].as_i64(), job["rejected"].as_i64()),
        (Some("done"), Some(300), Some(1)),
        "{job}"
    );
    assert_eq!(job["rejected_rows"][0]["column"], "sku", "{job}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_export_imported_again_round_trips() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(10).build(&app).await;
    let admin = app.admin_token().await;
    let m = fx.m(0);
    let token = m.manager.token(&app).await;

    // Stock: the export is the import's file; importing it changes nothing.
    let before = app.stock_snapshot(&fx).await;
    let stock = app.get(&format!("/api/v1/locations/{}/stock.csv", m.location_id), Some(&token)).await;
    assert!(stock.content_type().starts_with("text/csv"), "{:?}", stock.headers);
    let stock = stock.body.as_str().expect("CSV").to_owned();
    assert!(stock.starts_with("sku,location_id,on_hand\n"), "{stock}");
    let rows = stock.lines().count() - 1;
    assert!(rows > 0, "{stock}");
    let job = start_job(&app, &token, "stock", &stock).await.expect(StatusCode::ACCEPTED, "re-import");
    let job = finished(&app, &token, job["id"].as_str().unwrap_or_default()).await;
    assert_eq!((job["accepted"].as_u64(), job["rejected"].as_u64()), (Some(rows as u64), Some(0)), "{job}");
    assert_eq!(app.stock_snapshot(&fx).await, before, "the same levels");

    // Catalogue: merchant 0's export, given to merchant 1, recreates the same products there.
    let products = app.get(&format!("/api/v1/merchants/{}/products.csv", m.id), Some(&token)).await;
    let products = products.body.as_str().expect("CSV").to_owned();
    assert!(products.starts_with("merchant_id,product,sku,price,currency,barcode,track_stock\n"), "{products}");
    let other = &fx.m(1).id;
    let moved = products.replace(&m.id, other);
    let job = start_job(&app, &admin, "catalog", &moved).await.expect(StatusCode::ACCEPTED, "import at merchant 1");
    let job = finished(&app, &admin, job["id"].as_str().unwrap_or_default()).await;
    assert_eq!((job["state"].as_str(), job["rejected"].as_u64()), (Some("done"), Some(0)), "{job}");
    let theirs = app.get(&format!("/api/v1/merchants/{other}/products.csv"), Some(&admin)).await;
    let theirs = theirs.body.as_str().expect("CSV").to_owned();
    let mut expected: Vec<&str> = moved.lines().skip(1).collect();
    expected.sort_unstable();
    for line in &expected {
        assert!(theirs.lines().any(|l| l == *line), "{line} is exported again by merchant 1: {theirs}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn another_merchants_manager_gets_not_found() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).stock(5).build(&app).await;
    let (mine, theirs) = (fx.m(0), fx.m(1));
    let token = mine.manager.token(&app).await;
    let sku = tracked_sku(&fx, 0);
    let job =
        start_job(&app, &token, "stock", &format!("sku,location_id,on_hand\n{sku},{},6\n", mine.location_id)).await;
    let job_id = job.expect(StatusCode::ACCEPTED, "a job")["id"].as_str().unwrap_or_default().to_owned();
    finished(&app, &token, &job_id).await;

    let intruder = theirs.manager.token(&app).await;
    for path in [
        format!("/api/v1/imports/jobs/{job_id}"),
        format!("/api/v1/imports/jobs/{job_id}/rejected.csv"),
        format!("/api/v1/locations/{}/stock.csv", mine.location_id),
        format!("/api/v1/merchants/{}/products.csv", mine.id),
    ] {
        common::assert_problem(&app.get(&path, Some(&intruder)).await, StatusCode::NOT_FOUND, &path);
    }
    let mut browser = Browser::new(&app);
    browser.sign_in(&theirs.manager.email, &theirs.manager.password).await;
    browser
        .get(&format!("/console/stock?location_id={}", mine.location_id))
        .await
        .expect(StatusCode::NOT_FOUND, "their page");
    browser.get(&format!("/console/imports/{job_id}")).await.expect(StatusCode::NOT_FOUND, "their job");
    let csrf = browser.get("/console/stock").await.csrf_field();
    browser
        .post_form(
            "/console/stock/count",
            &[("csrf", &csrf), ("location_id", &mine.location_id), ("sku", &sku), ("counted", "0"), ("step", "save")],
        )
        .await
        .expect(StatusCode::NOT_FOUND, "a count at their location");
    let admin = app.admin_token().await;
    assert_eq!(app.stock_level(&admin, &mine.location_id, &sku).await.on_hand, 6, "untouched");

    // Staff have no stock pages.
    let mut staff = Browser::new(&app);
    staff.sign_in(&mine.staff.email, &mine.staff.password).await;
    staff.get("/console/stock").await.expect(StatusCode::FORBIDDEN, "staff");
}
