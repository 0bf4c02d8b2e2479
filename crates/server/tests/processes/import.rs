//! `omnicanal import` from the command line: a progress line, a report of rejected rows,
//! a failing exit status when rows were rejected, and the good rows applied.

use std::process::Command;
use std::time::Duration;

use crate::common::{Db, Node, Shop};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_import_command_reports_progress_and_rejected_rows() {
    let db = Db::sqlite();
    let mut node = Node::start("import-setup", &db.url).await;
    let shop = Shop::create(&node.api, 5).await;
    node.sigterm();
    node.wait_exit(Duration::from_secs(5)).await.expect("the node stops before the import");

    let file = std::env::temp_dir().join(format!("omni_import_{}.csv", std::process::id()));
    let csv = format!(
        "sku,location_id,on_hand\n{sku},{loc},12\nNOPE,{loc},1\n{sku},elsewhere,3\n",
        sku = shop.sku,
        loc = shop.location_id
    );
    std::fs::write(&file, csv).expect("write the CSV");
    let output = Command::new(env!("CARGO_BIN_EXE_omnicanal"))
        .args(["import", "stock"])
        .arg(&file)
        .args(["--database-url", &db.url])
        .output()
        .expect("run omnicanal import");
    let _ = std::fs::remove_file(&file);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "rejected rows make the command fail: {stdout}\n{stderr}");
    assert!(stderr.contains("imported 3/3 rows"), "a progress line: {stderr}");
    assert!(stdout.contains("3 rows read, 1 applied, 2 rejected"), "a summary: {stdout}");
    assert!(stdout.contains("line 3:") && stdout.contains("line 4:"), "each rejected row with its line: {stdout}");

    let node = Node::start("import-check", &db.url).await;
    let shop = Shop { token: node.api.admin_token().await, ..shop };
    assert_eq!(shop.level(&node.api).await["on_hand"], 12, "the good row was applied");
    drop(node);
    drop(db);
}
