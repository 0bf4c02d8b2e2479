//! The console's shop connection pages (issue 16 point 7) over real HTTP, as a browser posts
//! their forms, against a fake WooCommerce: the empty list explains what connecting does; the
//! form refuses at the field (what was typed kept, never the secrets) and creates with a 303 to
//! the sync page; the sync page shows the import's progress, the mapped SKUs, the unmatched
//! items with their "link" form, a conflict's choices as buttons, the webhook address and the
//! settled history; resync, a choice and a link post back with `?done=`. Staff get 403;
//! another merchant's connection is the 404 page.

use reqwest::StatusCode;
use serde_json::json;

use crate::common;
use crate::console_pages::Browser;
use common::Fixture;
use common::fixture::{BURGER, FRIES};
use omnicanal_fakeshops::woocommerce::FakeWooCommerce;

use crate::connections::support::{connect, connection_when, imported, spawn_fast};

const KEY: &str = "ck_console_pages";
const SECRET: &str = "cs_console_pages";
const WEBHOOK_SECRET: &str = "woo-console-webhook";

fn credentials() -> serde_json::Value {
    json!({"consumer_key": KEY, "consumer_secret": SECRET, "webhook_secret": WEBHOOK_SECRET})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_empty_list_explains_connecting_and_the_form_refuses_at_the_field_then_creates() {
    let shop = FakeWooCommerce::new(KEY, SECRET).with_currency("CLP");
    shop.add_product(BURGER, "Hamburguesa", 12_990, 3);
    let serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::builder().merchants(1).stock(10).build(&app).await;
    let m = fx.m(0);
    let mut browser = Browser::new(&app);
    browser.sign_in(&m.manager.email, &m.manager.password).await;

    let empty = browser.get("/console/connections").await;
    empty.expect(StatusCode::OK, "the connections page");
    assert!(empty.body.contains("data-testid=\"nav-connections\""), "the nav links the page");
    assert!(empty.body.contains("data-testid=\"connections-empty\""), "the empty state");
    assert!(empty.body.contains("href=\"/console/connections/new\""), "it links the form");
    assert!(empty.body.contains("Aún no hay tiendas conectadas"), "in Spanish");

    let form = browser.get("/console/connections/new").await;
    form.expect(StatusCode::OK, "the form");
    for kind in ["woocommerce", "prestashop", "magento", "shopify"] {
        assert!(form.body.contains(&format!("data-testid=\"credentials-{kind}\"")), "{kind}'s fields");
        assert!(form.body.contains(&format!("data-testid=\"url-hint-{kind}\"")), "{kind}'s address hint");
    }
    assert!(form.body.contains(&format!("value=\"{}\"", m.location_id)), "the merchant's location");
    let csrf = form.csrf_field();

    // Everything wrong: each problem at its field, what was typed kept, the secret not echoed.
    let refused = browser
        .post_form(
            "/console/connections/new",
            &[
                ("csrf", &csrf),
                ("kind", "woocommerce"),
                ("name", ""),
                ("base_url", "https://tienda.example"),
                ("cred.woocommerce.consumer_key", "ck-typed-secret"),
                ("stock_buffer", "muchos"),
                ("stock_owner", "omnicanal"),
                ("price_owner", "shop"),
                ("content_owner", "shop"),
            ],
        )
        .await;
    refused.expect(StatusCode::UNPROCESSABLE_ENTITY, "a form with every problem");
    for field in ["name", "credentials.consumer_secret", "credentials.webhook_secret", "location_ids", "stock_buffer"] {
        assert!(refused.body.contains(&format!("data-testid=\"error-{field}\"")), "{field} is told at its field");
    }
    assert!(!refused.body.contains("data-testid=\"error-credentials.consumer_key\""), "the key given is fine");
    assert!(
        refused.body.contains(&format!("value=\"{}\"", html("https://tienda.example"))),
        "the address typed is kept"
    );
    assert!(refused.body.contains("value=\"muchos\""), "the buffer typed is kept");
    assert!(!refused.body.contains("ck-typed-secret"), "a secret never comes back to the browser");
    assert!(refused.body.contains("<option value=\"shop\" selected>"), "the owner chosen is kept");

    // A plain-http address outside the allow-list is refused at the address, with the reason.
    let outside = browser
        .post_form(
            "/console/connections/new",
            &[
                ("csrf", &csrf),
                ("kind", "prestashop"),
                ("name", "Tienda"),
                ("base_url", "http://shop.invalid"),
                ("cred.prestashop.api_key", "KEY"),
                ("location_ids", &m.location_id),
            ],
        )
        .await;
    outside.expect(StatusCode::UNPROCESSABLE_ENTITY, "an address the policy refuses");
    assert!(outside.body.contains("data-testid=\"error-base_url\""), "told at the address");

    // Without the form's token nothing is created.
    let forged = browser.post_form("/console/connections/new", &[("kind", "woocommerce"), ("name", "Forjada")]).await;
    forged.expect(StatusCode::FORBIDDEN, "no CSRF token");

    let created = browser
        .post_form(
            "/console/connections/new",
            &[
                ("csrf", &csrf),
                ("kind", "woocommerce"),
                ("name", "Tienda web"),
                ("base_url", &serving.base_url()),
                ("cred.woocommerce.consumer_key", KEY),
                ("cred.woocommerce.consumer_secret", SECRET),
                ("cred.woocommerce.webhook_secret", WEBHOOK_SECRET),
                // Another kind's boxes, filled by mistake, are not sent to the use case.
                ("cred.shopify.access_token", "shpat_ignored"),
                ("location_ids", &m.location_id),
                ("stock_buffer", "1"),
                ("stock_owner", "omnicanal"),
                ("price_owner", "omnicanal"),
                ("content_owner", "shop"),
            ],
        )
        .await;
    created.expect(StatusCode::SEE_OTHER, "created through the form");
    let to = created.location.clone().unwrap_or_default();
    let id = to.strip_prefix("/console/connections/").expect("to the sync page").to_owned();
    assert!(id.starts_with("con_"), "{to}");
    imported(&app, &fx, &id).await;

    let list = browser.get("/console/connections").await;
    list.expect(StatusCode::OK, "the list with the connection");
    assert!(list.body.contains(&format!("data-id=\"{id}\"")), "listed");
    assert!(list.body.contains("data-status=\"active\"") && list.body.contains("Al día"), "up to date, in words");
    assert!(list.body.contains("WooCommerce") && list.body.contains("Tienda web"));
    assert!(!list.body.contains("connections-empty"));

    // Refused credentials: the state and the cause in plain words, and what to do.
    let wrong = json!({"consumer_key": "ck_wrong", "consumer_secret": "cs_wrong", "webhook_secret": "x"});
    let refused_id = connect(&app, &fx, "woocommerce", &serving.base_url(), wrong).await;
    connection_when(&app, &fx, &refused_id, 10_000, "the credentials are refused", |shown| {
        shown["status"] == "auth_failed"
    })
    .await;
    let stopped = browser.get(&format!("/console/connections/{refused_id}")).await;
    stopped.expect(StatusCode::OK, "the sync page of a refused connection");
    assert!(stopped.body.contains("Credenciales rechazadas"), "the state in words");
    assert!(
        stopped.body.contains("data-testid=\"connection-error-cause\">la tienda rechazó las credenciales."),
        "the cause in words"
    );

    // An admin sees every merchant's connections with their merchant, and picks one to connect.
    let mut admin = Browser::new(&app);
    admin.sign_in(common::ADMIN_EMAIL, common::ADMIN_PASSWORD).await;
    let all = admin.get("/console/connections").await;
    all.expect(StatusCode::OK, "the admin's list");
    assert!(all.body.contains(&format!("data-id=\"{id}\"")) && all.body.contains(&format!("data-id=\"{refused_id}\"")));
    let pick = admin.get("/console/connections/new").await;
    assert!(pick.body.contains("data-testid=\"connection-merchant-pick\""), "the merchant first");
    let chosen = admin.get(&format!("/console/connections/new?merchant_id={}", m.id)).await;
    assert!(chosen.body.contains("data-testid=\"connection-form\"") && chosen.body.contains(&m.location_id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_page_shows_progress_unmatched_items_and_a_conflicts_choices_and_posts_back() {
    let shop = FakeWooCommerce::new(KEY, SECRET).with_currency("CLP");
    shop.add_product(BURGER, "Hamburguesa", 12_990, 0);
    shop.add_product("WOO-ONLY", "Solo en la tienda", 1_000, 5);
    shop.add_product("WOO-NEW", "Nuevo en la tienda", 2_500, 4);
    let serving = shop.spawn().await.expect("the fake shop listens");
    let app = spawn_fast().await;
    let fx = Fixture::builder().merchants(2).stock(10).build(&app).await;
    let m = fx.m(0);
    let id = connect(&app, &fx, "woocommerce", &serving.base_url(), credentials()).await;
    imported(&app, &fx, &id).await;
    // An order for the item we do not have: listed for a person, with its choices.
    let remote = shop.place_order(&[("WOO-ONLY", 1)], "Marta Ruiz");
    connection_when(&app, &fx, &id, 5_000, "the order waits for a person", |shown| {
        shown["orders_needing_attention"] == 1
    })
    .await;

    let mut browser = Browser::new(&app);
    browser.sign_in(&m.manager.email, &m.manager.password).await;
    let path = format!("/console/connections/{id}");
    let page = browser.get(&path).await;
    page.expect(StatusCode::OK, "the sync page");
    let body = &page.body;
    assert!(body.contains("data-testid=\"sync-progress\"") && body.contains("<progress"), "a progress bar");
    assert!(body.contains("data-running=\"false\""), "the import is done");
    assert!(body.contains("<span data-testid=\"sync-done\">3</span>"), "three items looked at: {body}");
    assert!(body.contains("<span data-testid=\"sync-percent\">100 %</span>"));
    assert!(body.contains("<dd data-testid=\"connection-mapped\">1</dd>"), "one SKU mapped");
    assert!(
        body.contains("data-testid=\"unmatched-item\"") && body.contains("Solo en la tienda"),
        "the unmatched item"
    );
    for choice in ["retry", "cancel_in_shop", "dismiss"] {
        assert!(body.contains(&format!("data-testid=\"conflict-choice-{choice}\"")), "the choice {choice}");
    }
    assert!(body.contains("data-kind=\"Pedido con un SKU desconocido\""), "the conflict in words");
    assert!(body.contains("trae un producto que no vendemos (WOO-ONLY)"), "what it says, in Spanish");
    assert!(!body.contains("we do not sell"), "never the API's English sentence");
    assert!(
        body.contains(&format!("{}</code>", html(&format!("/api/v1/connections/{id}/webhooks")))),
        "the webhook address"
    );
    assert!(body.contains("data-testid=\"shop-order\" data-state=\"needs_attention\""), "the shop's order");
    assert!(body.contains(&format!("#{remote}")) || body.contains(&remote), "its number");
    let csrf = page.csrf_field();

    // A conflict settled from its button.
    let conflict_marker = "data-testid=\"connection-conflict\" data-kind=\"Pedido con un SKU desconocido\" data-id=\"";
    let start = body.find(conflict_marker).expect("the conflict") + conflict_marker.len();
    let conflict_id = body[start..].split('"').next().unwrap_or_default().to_owned();
    let settled = browser
        .post_form(&format!("{path}/conflicts/{conflict_id}/resolve"), &[("csrf", &csrf), ("choice", "dismiss")])
        .await;
    settled.redirects_to(&format!("{path}?done=resolve"), "a choice");
    let again = browser
        .post_form(&format!("{path}/conflicts/{conflict_id}/resolve"), &[("csrf", &csrf), ("choice", "dismiss")])
        .await;
    again.expect(StatusCode::CONFLICT, "settled already");
    assert!(again.body.contains("data-testid=\"connection-page-problem\""));
    let after = browser.get(&format!("{path}?done=resolve")).await;
    assert!(after.body.contains("data-testid=\"connection-done\""), "told it is done");
    assert!(
        after.body.contains("data-testid=\"settled-conflict\"") && after.body.contains("descartado"),
        "in the history"
    );
    assert!(after.body.contains("data-testid=\"no-conflicts\""), "nothing open");

    // Creating an unmatched item here in one click: it becomes our product, linked.
    let new_key = {
        let marker = "data-remote-key=\"";
        let keys: Vec<String> = after
            .body
            .match_indices(marker)
            .map(|(at, _)| after.body[at + marker.len()..].split('"').next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(keys.len(), 2, "two unmatched items");
        let at = after.body.find("Nuevo en la tienda").expect("the new item is listed");
        keys.into_iter()
            .min_by_key(|key| after.body.find(&format!("data-remote-key=\"{key}\"")).map(|k| at.abs_diff(k)))
            .unwrap_or_default()
    };
    browser
        .post_form(&format!("{path}/unmatched/create"), &[("csrf", &csrf), ("remote_key", &new_key)])
        .await
        .redirects_to(&format!("{path}?done=create"), "created here");
    let after = browser.get(&format!("{path}?done=create")).await;
    assert!(after.body.contains("Producto creado y unido"), "told it is done");
    assert!(!after.body.contains("Nuevo en la tienda"), "no longer unmatched");

    // Linking the unmatched item: an unknown SKU is refused at its field; ours links it.
    let wrong = browser
        .post_form(
            &format!("{path}/unmatched/link"),
            &[("csrf", &csrf), ("remote_key", &unmatched_key(&after.body)), ("sku", "NO-SUCH")],
        )
        .await;
    wrong.expect(StatusCode::UNPROCESSABLE_ENTITY, "an unknown SKU");
    assert!(wrong.body.contains("data-testid=\"error-sku\"") && wrong.body.contains("value=\"NO-SUCH\""));
    let linked = browser
        .post_form(
            &format!("{path}/unmatched/link"),
            &[("csrf", &csrf), ("remote_key", &unmatched_key(&after.body)), ("sku", FRIES)],
        )
        .await;
    linked.redirects_to(&format!("{path}?done=link"), "linked");
    let now = browser.get(&path).await;
    assert!(now.body.contains("<dd data-testid=\"connection-mapped\">3</dd>"), "three SKUs mapped");
    assert!(now.body.contains("data-testid=\"no-unmatched\""), "nothing unmatched");

    // Resync: needs the token; asks for an import again.
    browser.post_form(&format!("{path}/sync"), &[]).await.expect(StatusCode::FORBIDDEN, "no token");
    browser
        .post_form(&format!("{path}/sync"), &[("csrf", &csrf)])
        .await
        .redirects_to(&format!("{path}?done=sync"), "resync");
    imported(&app, &fx, &id).await;

    // Staff are refused; another merchant's manager finds nothing.
    let mut staff = Browser::new(&app);
    staff.sign_in(&m.staff.email, &m.staff.password).await;
    for page in ["/console/connections", "/console/connections/new", path.as_str()] {
        staff.get(page).await.expect(StatusCode::FORBIDDEN, "staff");
    }
    let mut other = Browser::new(&app);
    other.sign_in(&fx.m(1).manager.email, &fx.m(1).manager.password).await;
    other.get(&path).await.expect(StatusCode::NOT_FOUND, "another merchant's connection");
    let other_csrf = other.get("/console/connections").await.csrf_field();
    other
        .post_form(&format!("{path}/sync"), &[("csrf", &other_csrf)])
        .await
        .expect(StatusCode::NOT_FOUND, "its resync");
    let theirs = other.get("/console/connections").await;
    assert!(theirs.body.contains("connections-empty"), "their own list is empty");
}

/// `text` as the templates write it in HTML (minijinja escapes `/` too).
fn html(text: &str) -> String {
    text.replace('/', "&#x2f;")
}

/// The remote key of the first unmatched item on a sync page.
fn unmatched_key(body: &str) -> String {
    let marker = "data-testid=\"unmatched-item\" data-remote-key=\"";
    let start = body.find(marker).expect("an unmatched item") + marker.len();
    body[start..].split('"').next().unwrap_or_default().to_owned()
}
