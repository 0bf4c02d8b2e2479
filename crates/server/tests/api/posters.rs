//! QR posters (issue #4, point 8), `GET /api/v1/sites/{id}/posters`: an SVG poster is valid XML
//! whose code, read back with a QR decoder, carries `<public URL>/s/<site>?table=12`; a PDF has
//! the site's poster and one page per table, each page's code carrying its own URL; who may print
//! (anonymous 401, staff 403, another site's manager 404); bad table lists 422; and a configured
//! `OMNICANAL_PUBLIC_URL` is the URL in the code.
//!
//! The codes are decoded from what the server sent, not from a second rendering: the SVG's
//! `<path id="qr">` and the PDF's `re` rectangles are rasterised module by module and read with
//! `rqrr`, an independent decoder.

use crate::common;

use common::{ADMIN_EMAIL, ADMIN_PASSWORD, Fixture, TestApp, assert_problem, assert_validation_problem, qs};
use reqwest::StatusCode;
use serde_json::json;

/// Light modules the server draws around each code.
const QUIET_ZONE: usize = 4;
/// Pixels per module when a code is rasterised for the decoder.
const PIXELS_PER_MODULE: usize = 6;

/// One answer read as bytes (the harness's `get` reads JSON).
struct Download {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

async fn download(app: &TestApp, path: &str, token: Option<&str>) -> Download {
    let mut request = app.client.get(app.url(path)).timeout(std::time::Duration::from_secs(30));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = response.bytes().await.unwrap_or_else(|e| panic!("GET {path}: reading the body: {e}")).to_vec();
    assert!(!status.is_server_error(), "GET {path}: {status} {}", String::from_utf8_lossy(&body));
    Download { status, content_type, body }
}

fn posters_path(site_id: &str, params: &[(&str, &str)]) -> String {
    format!("/api/v1/sites/{site_id}/posters?{}", qs(params))
}

/// Dark modules as `(x, y, length)` runs, decoded into the text the code carries.
fn decode_runs(runs: &[(usize, usize, usize)]) -> String {
    let extent = runs.iter().map(|&(x, y, length)| (x + length).max(y + 1)).max().expect("the code has dark modules");
    let min_x = runs.iter().map(|&(x, _, _)| x).min().unwrap_or_default();
    let min_y = runs.iter().map(|&(_, y, _)| y).min().unwrap_or_default();
    assert_eq!((min_x, min_y), (QUIET_ZONE, QUIET_ZONE), "the finder pattern starts after a quiet zone of 4 modules");
    let modules = extent + QUIET_ZONE;
    let mut dark = vec![false; modules * modules];
    for &(x, y, length) in runs {
        for column in x..x + length {
            dark[y * modules + column] = true;
        }
    }
    let pixels = modules * PIXELS_PER_MODULE;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(pixels, pixels, |x, y| {
        if dark[(y / PIXELS_PER_MODULE) * modules + x / PIXELS_PER_MODULE] { 0 } else { 255 }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the poster");
    let (meta, text) = grids[0].decode().unwrap_or_else(|e| panic!("the code does not decode: {e}"));
    // rqrr numbers the levels as the format bits do: M is 0, L 1, H 2, Q 3.
    assert!(meta.ecc_level == 0 || meta.ecc_level == 3, "error correction M or Q, got {}", meta.ecc_level);
    text
}

/// The SVG parsed as XML, checked to be an `<svg>`, and the text its code carries.
fn read_svg(svg: &str) -> String {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("the SVG is not well-formed XML: {e}\n{svg}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert_eq!(doc.root_element().tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
    let qr = doc.descendants().find(|node| node.attribute("id") == Some("qr")).expect("a <path id=\"qr\">");
    let runs = qr
        .attribute("d")
        .expect("the code's path data")
        .split('M')
        .filter(|run| !run.is_empty())
        .map(|run| {
            // `x yhLv1h-Lz`
            let (x, rest) = run.split_once(' ').expect("x y");
            let (y, rest) = rest.split_once('h').expect("h");
            let (length, _) = rest.split_once('v').expect("v");
            (x.parse().expect("x"), y.parse().expect("y"), length.parse().expect("length"))
        })
        .collect::<Vec<(usize, usize, usize)>>();
    decode_runs(&runs)
}

/// Each page's content stream (pdf-writer writes them uncompressed, one per page, in order).
fn pdf_pages(pdf: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(pdf);
    text.split("\nstream\n")
        .skip(1)
        .filter_map(|part| part.split_once("\nendstream").map(|(s, _)| s.to_owned()))
        .collect()
}

/// The text carried by the code on one page: its `x y length 1 re` module runs.
fn read_pdf_page(content: &str) -> String {
    let runs = content
        .lines()
        .filter_map(|line| {
            let operands: Vec<&str> = line.strip_suffix(" re")?.split(' ').collect();
            match operands.as_slice() {
                [x, y, length, "1"] => Some((x.parse().ok()?, y.parse().ok()?, length.parse().ok()?)),
                _ => None,
            }
        })
        .collect::<Vec<(usize, usize, usize)>>();
    decode_runs(&runs)
}

fn page_count(pdf: &[u8]) -> usize {
    pdf.windows(b"/Type /Page\n".len()).filter(|window| *window == b"/Type /Page\n").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_svg_poster_is_xml_whose_code_carries_the_table_url() {
    let app = TestApp::spawn().await;
    let fixture = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let admin = app.admin_token().await;
    let site = &fixture.site_id;

    let table = download(&app, &posters_path(site, &[("table", "12")]), Some(&admin)).await;
    assert_eq!(table.status, StatusCode::OK, "{}", String::from_utf8_lossy(&table.body));
    assert_eq!(table.content_type, "image/svg+xml");
    let svg = String::from_utf8(table.body).expect("UTF-8 SVG");
    assert!(svg.contains("<svg"));
    let url = format!("{}/s/{site}?table=12", app.base);
    assert_eq!(read_svg(&svg), url);
    for text in ["Mall Plaza Santiago", "Mesa 12", "Escanea para pedir", url.as_str()] {
        assert!(svg.contains(text), "the poster says {text:?}");
    }

    let whole_site = download(&app, &posters_path(site, &[("format", "svg")]), Some(&admin)).await;
    assert_eq!(whole_site.status, StatusCode::OK);
    let svg = String::from_utf8(whole_site.body).expect("UTF-8 SVG");
    assert_eq!(read_svg(&svg), format!("{}/s/{site}", app.base));
    assert!(!svg.contains("Mesa"));

    // A label outside ASCII travels percent-encoded and prints as written.
    let terrace = download(&app, &posters_path(site, &[("table", "Ñ1")]), Some(&admin)).await;
    let svg = String::from_utf8(terrace.body).expect("UTF-8 SVG");
    assert_eq!(read_svg(&svg), format!("{}/s/{site}?table=%C3%911", app.base));
    assert!(svg.contains("Mesa Ñ1"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_has_the_site_poster_then_a_page_per_table() {
    let app = TestApp::spawn().await;
    let fixture = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let admin = app.admin_token().await;
    let site = &fixture.site_id;

    let pdf = download(&app, &posters_path(site, &[("format", "pdf"), ("tables", "1-3")]), Some(&admin)).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF-"));
    assert_eq!(page_count(&pdf.body), 4, "the site's poster and three tables");
    let pages = pdf_pages(&pdf.body);
    assert_eq!(pages.len(), 4);
    assert_eq!(read_pdf_page(&pages[0]), format!("{}/s/{site}", app.base));
    for (page, table) in pages[1..].iter().zip(["1", "2", "3"]) {
        assert_eq!(read_pdf_page(page), format!("{}/s/{site}?table={table}", app.base));
        assert!(page.contains(&format!("(Mesa {table}) Tj")), "page of table {table} says Mesa {table}");
    }

    let labels = download(&app, &posters_path(site, &[("format", "pdf"), ("tables", "A1, A2,5")]), Some(&admin)).await;
    assert_eq!(page_count(&labels.body), 4);
    let repeated =
        download(&app, &posters_path(site, &[("format", "pdf"), ("tables", "1-3,2,A1,A1")]), Some(&admin)).await;
    assert_eq!(page_count(&repeated.body), 5, "a table named twice is printed once");
    assert_eq!(read_pdf_page(&pdf_pages(&labels.body)[2]), format!("{}/s/{site}?table=A2", app.base));

    let alone = download(&app, &posters_path(site, &[("format", "pdf")]), Some(&admin)).await;
    assert_eq!(page_count(&alone.body), 1, "without tables, the site's poster alone");

    let most = download(&app, &posters_path(site, &[("format", "pdf"), ("tables", "1-200")]), Some(&admin)).await;
    assert_eq!(most.status, StatusCode::OK);
    assert_eq!(page_count(&most.body), 201);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_support_and_the_sites_managers_may_print() {
    let app = TestApp::spawn().await;
    let fixture = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let admin = app.admin_token().await;
    let site = &fixture.site_id;
    let path = posters_path(site, &[("table", "3")]);

    assert_problem(&app.get(&path, None).await, StatusCode::UNAUTHORIZED, "anonymous");
    let staff = fixture.m(0).staff.token(&app).await;
    assert_problem(&app.get(&path, Some(&staff)).await, StatusCode::FORBIDDEN, "staff");
    let manager = fixture.m(0).manager.token(&app).await;
    assert_eq!(download(&app, &path, Some(&manager)).await.status, StatusCode::OK, "the site's manager");

    app.post(
        "/api/v1/users",
        Some(&admin),
        &json!({"email": "agent@support.test", "password": "agent-password-1", "role": "support_agent"}),
    )
    .await
    .expect(StatusCode::CREATED, "create a support agent");
    let agent = app.login("agent@support.test", "agent-password-1").await;
    assert_eq!(download(&app, &path, Some(&agent)).await.status, StatusCode::OK, "support");

    // A manager whose merchant has no location at another site sees no such site.
    let other = app
        .post(
            "/api/v1/sites",
            Some(&admin),
            &json!({"name": "Mall Costanera", "country": "CL", "currency": "CLP", "timezone": "America/Santiago"}),
        )
        .await
        .expect(StatusCode::CREATED, "create another site");
    let other_path = posters_path(other["id"].as_str().expect("site id"), &[]);
    assert_problem(&app.get(&other_path, Some(&manager)).await, StatusCode::NOT_FOUND, "another site's manager");
    assert_eq!(download(&app, &other_path, Some(&admin)).await.status, StatusCode::OK);
    assert_problem(&app.get("/api/v1/sites/site_nope/posters", Some(&admin)).await, StatusCode::NOT_FOUND, "no site");
    app.stop().await;
}

/// Query parameters as `(name, value)` pairs.
type Query<'a> = &'a [(&'a str, &'a str)];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_table_lists_and_formats_are_422() {
    let app = TestApp::spawn().await;
    let fixture = Fixture::builder().merchants(1).stock(0).build(&app).await;
    let admin = app.admin_token().await;
    let long_list: Vec<String> = (1..=500).map(|n| format!("A{n}")).collect();
    let long_list = long_list.join(",");
    let cases: &[(Query, &str, &str)] = &[
        (&[("format", "pdf"), ("tables", "5-1")], "tables", "runs backwards"),
        (&[("format", "pdf"), ("tables", "1-201")], "tables", "at most 200"),
        (&[("format", "pdf"), ("tables", "1-99999999999999999999999")], "tables", "range"),
        (&[("format", "pdf"), ("tables", "1,,2")], "tables", "empty"),
        (&[("format", "pdf"), ("tables", "A-1")], "tables", "range"),
        (&[("format", "pdf"), ("tables", "桌1")], "tables", "letters and digits"),
        (&[("format", "pdf"), ("tables", &long_list)], "tables", "at most 200"),
        (&[("format", "pdf"), ("table", "12")], "table", "format=svg"),
        (&[("format", "svg"), ("tables", "1-2")], "tables", "format=pdf"),
        (&[("table", "Mesa\u{0}12")], "table", "letters and digits"),
        (&[("table", "ABCDEFGHIJKLMNOP")], "table", "at most 12"),
        (&[("format", "png")], "format", "svg or pdf"),
    ];
    for (params, field, message) in cases {
        let resp = app.get(&posters_path(&fixture.site_id, params), Some(&admin)).await;
        let what = format!("{params:?}");
        assert_validation_problem(&resp, &what);
        let error = &resp.body["errors"][0];
        assert_eq!(error["field"], *field, "{what}: {}", resp.body);
        let text = error["message"].as_str().unwrap_or_default();
        assert!(text.contains(message), "{what}: the message {text:?} should mention {message:?}");
    }
    app.stop().await;
}

/// With `OMNICANAL_PUBLIC_URL` set, the code carries that URL, not the listen address; an
/// unusable one stops the server from starting. (SQLite only: the setting is the same on both.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_configured_public_url_is_in_the_code() {
    let dir = std::env::temp_dir().join(format!("omnicanal-posters-{}", common::random_hex()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let config = |public_url: &str| {
        let mut config = omnicanal_server::Config::new(format!("sqlite://{}", dir.join("posters.db").display()));
        config.listen = "127.0.0.1:0".parse().expect("address");
        config.admin_email = Some(ADMIN_EMAIL.into());
        config.admin_password = Some(omnicanal_server::config::Secret::new(ADMIN_PASSWORD));
        config.public_url = Some(public_url.into());
        config
    };
    assert!(omnicanal_server::start(config("food.example.cl")).await.is_err(), "a URL without a scheme is refused");

    let running = omnicanal_server::start(config("https://food.example.cl/")).await.expect("start");
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let base = format!("http://{}", running.addr);
    let login: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("login")
        .json()
        .await
        .expect("login JSON");
    let token = login["token"].as_str().expect("token");
    let site: serde_json::Value = client
        .post(format!("{base}/api/v1/sites"))
        .bearer_auth(token)
        .json(&json!({"name": "Patio Bellavista", "country": "CL", "currency": "CLP", "timezone": "America/Santiago"}))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("create site")
        .json()
        .await
        .expect("site JSON");
    let site_id = site["id"].as_str().expect("site id");
    let svg = client
        .get(format!("{base}{}", posters_path(site_id, &[("table", "12")])))
        .bearer_auth(token)
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .expect("poster")
        .text()
        .await
        .expect("SVG");
    assert_eq!(read_svg(&svg), format!("https://food.example.cl/s/{site_id}?table=12"));
    running.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
