//! Product photos (issue 15 point 2) over HTTP: a manager uploads a JPEG or PNG made here, it is
//! resized into thumb/card/large (aspect kept, never upscaled), the product's `image_url` points
//! at the card size, the renditions are served public and immutable with an ETag and 304s; a
//! text file named `.jpg`, a file over 5 MB and an undecodable image are refused at the `photo`
//! field with nothing saved; another merchant's manager gets 404; a second node on the same
//! database serves the same photo; and removing it clears `image_url`.

use crate::common;

use std::io::Cursor;

use common::{Fixture, TestApp};
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::Value;

/// A `width`×`height` image encoded as `format`, with a gradient so the encoder has work.
fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(image).write_to(&mut out, format).expect("encode the test image");
    out.into_inner()
}

/// Posts `bytes` as the multipart field `photo` named `file_name`.
async fn upload(app: &TestApp, token: &str, product_id: &str, bytes: Vec<u8>, file_name: &str) -> (StatusCode, Value) {
    let part = Part::bytes(bytes).file_name(file_name.to_owned()).mime_str("image/jpeg").expect("a mime type");
    let response = app
        .client
        .post(app.url(&format!("/api/v1/products/{product_id}/photo")))
        .bearer_auth(token)
        .multipart(Form::new().part("photo", part))
        .send()
        .await
        .expect("the upload is answered");
    let status = response.status();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}

/// The product as the API shows it.
async fn product(app: &TestApp, token: &str, id: &str) -> Value {
    app.get(&format!("/api/v1/products/{id}"), Some(token)).await.expect(StatusCode::OK, "the product")
}

fn rendition<'a>(photo: &'a Value, size: &str) -> &'a Value {
    photo["renditions"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["size"] == size))
        .unwrap_or_else(|| panic!("no {size} rendition in {photo}"))
}

fn assert_refused_at_photo(status: StatusCode, body: &Value, expected: StatusCode, what: &str) {
    assert_eq!(status, expected, "{what}: {body}");
    assert_eq!(body["errors"][0]["field"], "photo", "{what}: the problem names the photo field: {body}");
}

#[tokio::test]
async fn a_photo_is_resized_served_immutable_and_replaced() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let product_id = fx.m(0).products[0].id.clone();

    let (status, photo) = upload(&app, &manager, &product_id, picture(2400, 1600, ImageFormat::Jpeg), "a.jpg").await;
    assert_eq!(status, StatusCode::CREATED, "a JPEG is taken: {photo}");
    assert_eq!((photo["source_width"].as_i64(), photo["source_height"].as_i64()), (Some(2400), Some(1600)));
    for (size, width, height) in [("thumb", 160, 107), ("card", 480, 320), ("large", 1200, 800)] {
        let served = rendition(&photo, size);
        assert_eq!((served["width"].as_i64(), served["height"].as_i64()), (Some(width), Some(height)), "{size}");
        assert_eq!(served["content_type"], "image/jpeg");
    }
    let card_url = rendition(&photo, "card")["url"].as_str().expect("a card url").to_owned();
    assert!(card_url.starts_with(&format!("/media/products/{product_id}/card-")), "{card_url}");
    assert_eq!(product(&app, &manager, &product_id).await["image_url"], card_url.as_str());

    // Served public (no token), immutable, with an ETag; the same ETag is a 304 with no body.
    let served = app.client.get(app.url(&card_url)).send().await.expect("the card");
    assert_eq!(served.status(), StatusCode::OK);
    let header = |name: &str| served.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(header("content-type"), "image/jpeg");
    assert_eq!(header("cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(header("x-content-type-options"), "nosniff");
    let etag = header("etag");
    assert!(etag.starts_with('"') && etag.len() == 66, "a strong ETag of the SHA-256: {etag}");
    let bytes = served.bytes().await.expect("the card's bytes");
    let decoded = image::load_from_memory(&bytes).expect("the card is an image");
    assert_eq!((decoded.width(), decoded.height()), (480, 320));
    let again = app.client.get(app.url(&card_url)).header("if-none-match", &etag).send().await.expect("revalidate");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers().get("etag").and_then(|v| v.to_str().ok()), Some(etag.as_str()));
    assert!(again.bytes().await.expect("no body").is_empty());

    // A small PNG replaces it: never upscaled, new paths, the old ones gone.
    let (status, second) = upload(&app, &manager, &product_id, picture(300, 200, ImageFormat::Png), "b.png").await;
    assert_eq!(status, StatusCode::CREATED, "a PNG is taken: {second}");
    let large = rendition(&second, "large");
    assert_eq!((large["width"].as_i64(), large["height"].as_i64()), (Some(300), Some(200)), "not upscaled");
    let thumb = rendition(&second, "thumb");
    assert_eq!((thumb["width"].as_i64(), thumb["height"].as_i64()), (Some(160), Some(107)));
    let new_card = rendition(&second, "card")["url"].as_str().expect("a card url").to_owned();
    assert_ne!(new_card, card_url, "a new photo is a new URL");
    assert_eq!(app.client.get(app.url(&card_url)).send().await.expect("old").status(), StatusCode::NOT_FOUND);
    assert_eq!(app.client.get(app.url(&new_card)).send().await.expect("new").status(), StatusCode::OK);
    for unknown in [
        format!("/media/products/{product_id}/huge-0123456789abcdef.jpg"),
        format!("/media/products/{product_id}/card-zz.jpg"),
        "/media/products/prd_nope/card-0123456789abcdef.jpg".to_owned(),
    ] {
        assert_eq!(app.client.get(app.url(&unknown)).send().await.expect("unknown").status(), StatusCode::NOT_FOUND);
    }

    // The menu (JSON and page) shows it; the page escapes the path's slashes, so look for its file.
    let menu = app.get(&format!("/api/v1/sites/{}/menu", fx.site_id), None).await.expect(StatusCode::OK, "menu");
    assert!(menu.to_string().contains(&format!("\"image_url\":\"{new_card}\"")), "the menu names the card: {menu}");
    let page = app.get(&format!("/s/{}", fx.site_id), None).await;
    let file = new_card.rsplit('/').next().unwrap_or_default();
    assert!(page.body.as_str().unwrap_or_default().contains(file), "the menu page shows the photo");

    // Another node on the same database serves the same bytes.
    let second_node = app.second_node(omnicanal_server::Services::default()).await;
    let there = app.client.get(format!("http://{}{new_card}", second_node.addr)).send().await.expect("node 2");
    assert_eq!(there.status(), StatusCode::OK, "the second node serves the photo");
    second_node.shutdown().await;

    // Removing it clears image_url; the renditions are gone; a second removal is 404.
    let removed = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/products/{product_id}/photo"),
            Some(&manager),
            common::Body::None,
            &[],
        )
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT, "{}", removed.body);
    assert_eq!(product(&app, &manager, &product_id).await["image_url"], Value::Null);
    assert_eq!(app.client.get(app.url(&new_card)).send().await.expect("gone").status(), StatusCode::NOT_FOUND);
    let twice = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/products/{product_id}/photo"),
            Some(&manager),
            common::Body::None,
            &[],
        )
        .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn refused_uploads_leave_the_previous_photo_and_other_merchants_see_nothing() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let manager = fx.m(0).manager.token(&app).await;
    let product_id = fx.m(0).products[0].id.clone();
    let (status, photo) = upload(&app, &manager, &product_id, picture(640, 480, ImageFormat::Jpeg), "a.jpg").await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    let image_url = product(&app, &manager, &product_id).await["image_url"].clone();

    let (status, body) = upload(&app, &manager, &product_id, b"just some text, named .jpg".to_vec(), "fake.jpg").await;
    assert_refused_at_photo(status, &body, StatusCode::UNSUPPORTED_MEDIA_TYPE, "a text file renamed .jpg");
    let mut huge = picture(64, 64, ImageFormat::Jpeg);
    huge.resize(5 * 1024 * 1024 + 1000, 0);
    let (status, body) = upload(&app, &manager, &product_id, huge, "huge.jpg").await;
    assert_refused_at_photo(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "a file over 5 MB");
    let mut broken = picture(400, 300, ImageFormat::Png);
    broken.truncate(120);
    let (status, body) = upload(&app, &manager, &product_id, broken, "broken.png").await;
    assert_refused_at_photo(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "a damaged PNG");
    let (status, body) = upload(&app, &manager, &product_id, picture(2000, 40, ImageFormat::Png), "strip.png").await;
    assert_refused_at_photo(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "a 50:1 strip");
    let json = app.post(&format!("/api/v1/products/{product_id}/photo"), Some(&manager), &serde_json::json!({})).await;
    assert_eq!(json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "JSON instead of multipart: {}", json.body);

    // Nothing half-saved: the first photo is still the product's and still served.
    assert_eq!(product(&app, &manager, &product_id).await["image_url"], image_url);
    let url = image_url.as_str().expect("an image url");
    assert_eq!(app.client.get(app.url(url)).send().await.expect("still there").status(), StatusCode::OK);

    // Another merchant's manager: 404 for the upload and the removal; staff may not upload.
    let other = fx.m(1).manager.token(&app).await;
    let (status, _) = upload(&app, &other, &product_id, picture(100, 100, ImageFormat::Jpeg), "x.jpg").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another merchant's product");
    let removal = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/products/{product_id}/photo"),
            Some(&other),
            common::Body::None,
            &[],
        )
        .await;
    assert_eq!(removal.status, StatusCode::NOT_FOUND);
    let staff = fx.m(0).staff.token(&app).await;
    let (status, _) = upload(&app, &staff, &product_id, picture(100, 100, ImageFormat::Jpeg), "x.jpg").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "staff may not change photos");
    let (status, _) = upload(&app, &manager, "prd_missing", picture(100, 100, ImageFormat::Jpeg), "x.jpg").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(product(&app, &manager, &product_id).await["image_url"], image_url, "still the first photo");
    app.stop().await;
}

/// A console session by hand (sign-in form, cookies kept as one header): `(cookie header, csrf)`.
async fn console_session(app: &TestApp, email: &str, password: &str) -> (String, String) {
    let client =
        reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let cookies_of = |response: &reqwest::Response| -> Vec<String> {
        let all = response.headers().get_all("set-cookie");
        all.iter().filter_map(|v| v.to_str().ok()).map(|c| c.split(';').next().unwrap_or_default().to_owned()).collect()
    };
    let form = client.get(app.url("/console/login")).send().await.expect("login form");
    let cookie = cookies_of(&form).join("; ");
    let html = form.text().await.unwrap_or_default();
    let csrf = field_value(&html, "csrf");
    let signed = client
        .post(app.url("/console/login"))
        .header("cookie", &cookie)
        .form(&[("email", email), ("password", password), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed.status(), StatusCode::SEE_OTHER, "signed in as {email}");
    let session = cookies_of(&signed).join("; ");
    let page = client.get(app.url("/console/account")).header("cookie", &session).send().await.expect("account");
    let csrf = field_value(&page.text().await.unwrap_or_default(), "csrf");
    (session, csrf)
}

/// The `value` of the hidden input named `name` in `html`.
fn field_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|i| i + marker.len()).unwrap_or_else(|| panic!("no {name} field"));
    html[start..].split('"').next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_console_photo_page_checks_csrf_tells_refusals_at_the_field_and_hides_other_merchants() {
    let app = TestApp::spawn().await;
    let fx = Fixture::builder().merchants(2).build(&app).await;
    let product_id = fx.m(0).products[0].id.clone();
    let page_path = format!("/console/catalog/products/{product_id}/photo");
    let client =
        reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let (session, csrf) = console_session(&app, &fx.m(0).manager.email, &fx.m(0).manager.password).await;
    let page = client.get(app.url(&page_path)).header("cookie", &session).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap_or_default().contains("data-testid=\"photo-none\""), "no photo yet");

    let post = |form: Form| client.post(app.url(&page_path)).header("cookie", &session).multipart(form).send();
    let png = || Part::bytes(picture(320, 240, ImageFormat::Png)).file_name("a.png");
    let without_token = post(Form::new().part("photo", png())).await.expect("no csrf");
    assert_eq!(without_token.status(), StatusCode::FORBIDDEN, "an upload without the CSRF field");
    let text = Part::bytes(b"hola".to_vec()).file_name("menu.jpg");
    let refused = post(Form::new().text("csrf", csrf.clone()).part("photo", text)).await.expect("text");
    assert_eq!(refused.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let html = refused.text().await.unwrap_or_default();
    assert!(
        html.contains("data-testid=\"error-photo\"") && html.contains("no es una imagen"),
        "at the field, in Spanish"
    );
    let manager = fx.m(0).manager.token(&app).await;
    assert_eq!(product(&app, &manager, &product_id).await["image_url"], Value::Null, "nothing saved");

    let saved = post(Form::new().text("csrf", csrf.clone()).part("photo", png())).await.expect("png");
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let image_url = product(&app, &manager, &product_id).await["image_url"].as_str().unwrap_or_default().to_owned();
    assert!(image_url.starts_with(&format!("/media/products/{product_id}/card-")), "{image_url}");

    // Another merchant's manager: the console's 404, for the page and the removal.
    let (theirs, their_csrf) = console_session(&app, &fx.m(1).manager.email, &fx.m(1).manager.password).await;
    let other = client.get(app.url(&page_path)).header("cookie", &theirs).send().await.expect("other page");
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
    let removal = client
        .post(app.url(&format!("{page_path}/delete")))
        .header("cookie", &theirs)
        .form(&[("csrf", their_csrf.as_str())])
        .send()
        .await
        .expect("other removal");
    assert_eq!(removal.status(), StatusCode::NOT_FOUND);
    assert_eq!(product(&app, &manager, &product_id).await["image_url"], image_url.as_str(), "still there");
    app.stop().await;
}
