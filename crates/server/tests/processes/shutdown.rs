//! SIGTERM stops the process cleanly and promptly, even with a live SSE client connected.

use std::time::{Duration, Instant};

use crate::common::{Db, Node};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_cleanly() {
    let db = Db::sqlite();
    let mut node = Node::start("sigterm", &db.url).await;
    let token = node.api.admin_token().await;
    let mut events = node.api.sse("/api/v1/stock/events", &token).await;

    let sent = Instant::now();
    node.sigterm();
    let status = node.wait_exit(Duration::from_secs(5)).await;
    let Some(status) = status else {
        panic!("still running 5 s after SIGTERM with an SSE client connected:\n{}", node.log_text());
    };
    assert!(status.success(), "exit after SIGTERM: {status}:\n{}", node.log_text());
    println!("exited with {status} {:?} after SIGTERM", sent.elapsed());
    // The client sees its stream end rather than hang.
    let end = tokio::time::Instant::now() + Duration::from_secs(2);
    assert!(events.next_before(end).await.is_none(), "an event after the process exited?");
    drop(node);
    drop(db);
}
