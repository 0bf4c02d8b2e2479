//! Two nodes on one PostgreSQL database book one table (issue 19): twenty concurrent requests
//! for the same table and time, spread over both nodes, give exactly one booking (201) and
//! nineteen conflicts (409). The guarantee is the claim's primary key in the shared database,
//! not anything a node reads, so the nodes need no coordination of their own.

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{Db, Node, PG_ENV, Shop};

const REQUESTS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_bookings_of_one_table_over_two_nodes_give_exactly_one() {
    let Some(db) = Db::postgres().await else {
        println!("twenty_bookings_of_one_table_over_two_nodes_give_exactly_one: skipped, {PG_ENV} is not set");
        return;
    };
    let a = Node::start("A", &db.url).await;
    let b = Node::start("B", &db.url).await;
    let shop = Shop::create(&a.api, 1).await;
    // The location has no opening hours: it takes bookings at any hour.
    let table = json!({"kind": "table", "name": "Mesa 1", "seats_min": 1, "seats_max": 4});
    let path = format!("/api/v1/locations/{}/resources", shop.location_id);
    let table = a.api.post(&path, Some(&shop.token), table, StatusCode::CREATED).await;
    let table_id = table["id"].as_str().expect("table id").to_owned();

    // Tomorrow, on the hour, written in UTC (no claim about the site's clock).
    let hour_ms = 3_600_000;
    #[expect(clippy::disallowed_methods, reason = "the nodes run on the real clock, so the booking is dated by it")]
    let now_ms = chrono::Utc::now().timestamp_millis();
    let start_ms = (now_ms + 86_400_000) / hour_ms * hour_ms;
    let start_at = chrono::DateTime::from_timestamp_millis(start_ms).expect("start").format("%Y-%m-%dT%H:%M:%SZ");
    let body = json!({
        "location_id": shop.location_id, "start_at": start_at.to_string(), "party_size": 2, "resource_id": table_id,
        "customer": {"name": "Cliente Proc", "phone": "+56 9 8765 4321"},
    });
    let answers = join_all((0..REQUESTS).map(|n| {
        let api = if n % 2 == 0 { &a.api } else { &b.api };
        api.try_call(Method::POST, "/api/v1/bookings", None, Some(&body))
    }))
    .await;
    let statuses: Vec<StatusCode> =
        answers.iter().map(|answer| answer.as_ref().map(|(status, _)| *status).expect("an answer")).collect();
    let created = statuses.iter().filter(|status| **status == StatusCode::CREATED).count();
    let conflicts = statuses.iter().filter(|status| **status == StatusCode::CONFLICT).count();
    assert_eq!((created, conflicts), (1, REQUESTS - 1), "exactly one booking over two nodes: {answers:?}");
    drop((a, b));
    drop(db);
}
