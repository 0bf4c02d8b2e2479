//! `omnicanal connections sync <id>` from the command line: a full resync of a shop connection
//! run in the command's own process (no server holds the connection), with a progress line and
//! a summary, against a fake WooCommerce on loopback; `connections list` shows it.

use std::process::Command;
use std::time::Duration;

use omnicanal_fakeshops::woocommerce::FakeWooCommerce;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Db, Node, Shop};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sync_command_imports_a_shop_with_progress_and_a_summary() {
    let shop = FakeWooCommerce::new("ck_cli", "cs_cli").with_currency("CLP");
    shop.seed_catalog(300);
    let db = Db::sqlite();
    let mut node = Node::start("sync-setup", &db.url).await;
    let ours = Shop::create(&node.api, 7).await;
    shop.add_product(&ours.sku, "Roll", 5_990, 0);
    let serving = shop.spawn().await.expect("the fake shop listens");
    let merchant =
        node.api.get(&format!("/api/v1/locations/{}", ours.location_id), Some(&ours.token), StatusCode::OK).await;
    let body = json!({
        "merchant_id": merchant["merchant_id"],
        "kind": "woocommerce",
        "name": "Web",
        "base_url": serving.base_url(),
        "credentials": {"consumer_key": "ck_cli", "consumer_secret": "cs_cli", "webhook_secret": "whs"},
        "location_ids": [ours.location_id],
    });
    let created = node.api.post("/api/v1/connections", Some(&ours.token), body, StatusCode::CREATED).await;
    let id = created["id"].as_str().expect("an id").to_owned();
    node.sigterm();
    node.wait_exit(Duration::from_secs(5)).await.expect("the node stops before the command");

    let binary = env!("CARGO_BIN_EXE_omnicanal");
    let run = |args: Vec<String>| {
        let binary = binary.to_owned();
        let url = db.url.clone();
        tokio::task::spawn_blocking(move || {
            Command::new(binary)
                .args(&args)
                .args(["--database-url", &url])
                .env("OMNICANAL_OUTBOUND_ALLOWED_HOSTS", "127.0.0.1,localhost")
                .output()
                .expect("run omnicanal")
        })
    };
    let output = run(vec!["connections".into(), "sync".into(), id.clone()]).await.expect("the command ran");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the sync succeeds: {stdout}\n{stderr}");
    assert!(stderr.contains("items (") && stderr.contains("%)"), "a progress line: {stderr}");
    assert!(
        stdout.contains("301 items looked at, 1 SKUs mapped, 300 unmatched"),
        "a summary of what was matched: {stdout}\n{stderr}"
    );
    assert_eq!(shop.stock_of(&ours.sku), Some(7), "our stock reached the shop");

    let listed = run(vec!["connections".into(), "list".into()]).await.expect("the command ran");
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.contains(&id) && listed.contains("woocommerce") && listed.contains("active"), "{listed}");
    drop(db);
}
