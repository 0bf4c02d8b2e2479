//! Self-checks of the test harness that need no server: the SSE parser, the Standard Webhooks
//! signature check against the specification's published example, and URL helpers.

use crate::common;

use std::time::Duration;

use common::sse::SseStream;
use common::webhook::{Attempt, signature_is_valid};
use common::{qs, with_database};

#[tokio::test]
async fn sse_parser_handles_split_chunks_comments_ids_and_multiline_data() {
    let mut s = SseStream::from_chunks(vec![
        b": keep-alive\n\n",
        b"id: 7\r\nevent: stock.changed\r\nda",
        b"ta: {\"a\":\r\ndata: 1}\r\n\r\n",
        b"data: plain\n\n",
    ]);
    let first = s.next_event(Duration::from_secs(1)).await.expect("first event");
    assert_eq!(first.id.as_deref(), Some("7"));
    assert_eq!(first.event, "stock.changed");
    assert_eq!(first.data, "{\"a\":\n1}");
    assert_eq!(first.json()["a"], 1);
    let second = s.next_event(Duration::from_secs(1)).await.expect("second event");
    assert_eq!(second.event, "message", "event name resets after dispatch");
    assert_eq!(second.id.as_deref(), Some("7"), "the last event id persists");
    assert_eq!(second.data, "plain");
    assert!(s.next_event(Duration::from_millis(50)).await.is_none(), "stream ended");
}

#[test]
fn signature_check_accepts_the_specification_example_only() {
    let mut attempt = Attempt {
        id: "msg_p5jXN8AQM9LWM0D4loKWxJek".into(),
        timestamp: "1614265330".into(),
        signature: "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".into(),
        body: br#"{"test": 2432232314}"#.to_vec(),
        answered: 200,
    };
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    assert!(signature_is_valid(secret, &attempt));
    attempt.body = br#"{"test": 2432232315}"#.to_vec();
    assert!(!signature_is_valid(secret, &attempt), "a changed body must fail");
}

#[test]
fn url_helpers() {
    assert_eq!(qs(&[("token", "a+b/c="), ("sku", "X-1")]), "token=a%2Bb%2Fc%3D&sku=X-1");
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "omni_test_1"),
        "postgres://postgres@127.0.0.1:5432/omni_test_1"
    );
    assert_eq!(with_database("postgres://u:p@h/db?sslmode=disable", "x"), "postgres://u:p@h/x?sslmode=disable");
    assert_eq!(with_database("postgres://h:5432", "x"), "postgres://h:5432/x");
}
