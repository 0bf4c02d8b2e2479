//! Idempotency scenarios: keys are claimed once per (scope, key) by this process's boot,
//! completed, released only while unfinished; a claim taken over by a retry gets a new token
//! and the first holder's late writes (its order's link, its answer, its release) change
//! nothing. And which boots run: this one; on PostgreSQL another process's while it lives;
//! on SQLite, which one process owns, no other.

use std::sync::Arc;
use std::time::Duration;

use omnicanal_store::{
    BOOT_LOCK_NAMESPACE, Backend, IdempotencyRow, IdempotencyStore, SqlStore, Store, StoreError, connect,
};
use sqlx::Connection;

use crate::support::{Shop, T0, TestDb, id};

fn claim(boot_id: i64, scope: &str, key: &str, hash: &str) -> IdempotencyRow {
    IdempotencyRow {
        scope: scope.into(),
        key: key.into(),
        request_hash: hash.into(),
        status: 0,
        body: None,
        resource_id: None,
        created_at_ms: T0,
        boot_id,
        claim_token: id("clm"),
    }
}

/// Scenario 6: idempotency keys are claimed once, completed, and released only while unfinished.
pub async fn idempotency_keys(store: &dyn Store) {
    let boot = store.current_boot().await.expect("boot");
    assert_eq!(store.current_boot().await.expect("boot again"), boot, "one boot per store");
    assert!(store.boot_is_running(boot).await.expect("own boot"), "this process runs");
    assert!(!store.boot_is_running(0).await.expect("boot 0"), "no process is boot 0 (claims older than boots)");

    let first = claim(boot, "usr-1", "k1", "hash-a");
    assert_eq!(store.claim_idempotency_key(&first).await.expect("claim"), None);
    let again = store.claim_idempotency_key(&claim(boot, "usr-1", "k1", "hash-b")).await;
    assert_eq!(again.expect("reclaim"), Some(first.clone()), "the first claim, hash and token kept");
    let other_scope = claim(boot, "usr-2", "k1", "hash-a");
    assert_eq!(store.claim_idempotency_key(&other_scope).await.expect("claim"), None);

    let body = r#"{"id":"ord-1"}"#;
    store.complete_idempotency_key(&first.held(), 201, body).await.expect("complete");
    store.release_idempotency_key(&first.held()).await.expect("release is a no-op");
    let done = store.claim_idempotency_key(&first).await.expect("reclaim").expect("kept");
    assert_eq!((done.status, done.body.as_deref()), (201, Some(body)));
    assert_eq!(done.request_hash, "hash-a");

    let abandoned = claim(boot, "usr-1", "k2", "hash-c");
    assert_eq!(store.claim_idempotency_key(&abandoned).await.expect("claim"), None);
    store.release_idempotency_key(&abandoned.held()).await.expect("release");
    assert_eq!(store.claim_idempotency_key(&abandoned).await.expect("claim anew"), None);

    // A claim linked to the order it created survives a release.
    let shop = Shop::open(store).await;
    shop.add_product(store, "BUN-1", 1500, false).await;
    let linked = claim(boot, "public", "k3", "hash-d");
    assert_eq!(store.claim_idempotency_key(&linked).await.expect("claim"), None);
    let mut order = shop.order(&[("BUN-1", 1, 1500, false)], "card", T0);
    order.idempotency = Some(linked.held());
    store.place_order(&order).await.expect("place order");
    store.release_idempotency_key(&linked.held()).await.expect("release");
    let kept = store.claim_idempotency_key(&linked).await.expect("claim").expect("kept");
    assert_eq!(kept.resource_id.as_deref(), Some(order.order.id.as_str()));
    assert_eq!(kept.status, 0);
}

/// A claim taken over by a retry belongs to the retry: the first holder can no longer link an
/// order to it, answer it or release it, and a stale takeover loses.
pub async fn idempotency_claims_are_fenced_by_their_token(store: &dyn Store) {
    let boot = store.current_boot().await.expect("boot");
    let shop = Shop::open(store).await;
    shop.add_product(store, "PAN-1", 900, true).await;
    shop.restock(store, "PAN-1", 5).await.expect("restock");

    // Claimed by a process run that is gone (boot 0), then taken over by this one.
    let dead = claim(0, "public", "k-fenced", "hash-f");
    assert_eq!(store.claim_idempotency_key(&dead).await.expect("claim"), None);
    let retry = claim(boot, "public", "k-fenced", "hash-f");
    let found = store.claim_idempotency_key(&retry).await.expect("claim").expect("the dead claim");
    assert_eq!((found.boot_id, &found.claim_token), (0, &dead.claim_token));
    assert!(store.take_over_idempotency_key(&found, &retry).await.expect("take over"), "taken over");
    let stale = claim(boot, "public", "k-fenced", "hash-f");
    assert!(!store.take_over_idempotency_key(&found, &stale).await.expect("take over"), "only once");

    // The first holder's late writes change nothing.
    let mut late_order = shop.order(&[("PAN-1", 2, 900, true)], "card", T0);
    late_order.idempotency = Some(dead.held());
    let refused = store.place_order(&late_order).await;
    assert!(matches!(refused, Err(StoreError::ClaimLost)), "the late order is refused: {refused:?}");
    assert_eq!(store.get_order(&late_order.order.id).await.expect("read"), None, "and not stored");
    let level = shop.level(store, "PAN-1").await.expect("a level");
    assert_eq!((level.on_hand, level.reserved), (5, 0), "nothing reserved by the refused order");
    store.complete_idempotency_key(&dead.held(), 500, "late").await.expect("late answer");
    store.release_idempotency_key(&dead.held()).await.expect("late release");
    let now = store.claim_idempotency_key(&stale).await.expect("claim").expect("the retry's claim");
    assert_eq!((now.boot_id, &now.claim_token, now.status), (boot, &retry.claim_token, 0));

    // The retry's own order links.
    let mut order = shop.order(&[("PAN-1", 1, 900, true)], "card", T0);
    order.idempotency = Some(retry.held());
    store.place_order(&order).await.expect("the retry's order");
    let linked = store.claim_idempotency_key(&stale).await.expect("claim").expect("linked");
    assert_eq!(linked.resource_id.as_deref(), Some(order.order.id.as_str()));
    assert!(!store.take_over_idempotency_key(&linked, &stale).await.expect("take over"), "a linked claim is kept");
}

/// A second store on the same database stands for a second process: on PostgreSQL its boot
/// runs until the store is gone; on SQLite, which one process owns, only this store's boot runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_boot_runs_until_it_ends() {
    boots_of_another_process(TestDb::sqlite().await).await;
    if let Some(db) = TestDb::postgres().await {
        boots_of_another_process(db).await;
    }
}

async fn boots_of_another_process(db: TestDb) {
    let mine = db.current_boot().await.expect("boot");
    let other = connect(&db.url).await.expect("a second store");
    let theirs = other.current_boot().await.expect("their boot");
    assert_ne!(theirs, mine, "each process run has its own boot");
    assert!(theirs > mine, "boots are never reused");
    let running = db.boot_is_running(theirs).await.expect("theirs");
    match db.backend() {
        Backend::Sqlite => assert!(!running, "SQLite: only this process's boot runs"),
        Backend::Postgres => {
            assert!(running, "PostgreSQL: the other process's boot runs while it holds its lock");
            assert!(other.boot_is_running(mine).await.expect("mine, seen by them"), "and they see ours");
            drop(other);
            // The lock session closes when the store is dropped; the server then ends it.
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            while db.boot_is_running(theirs).await.expect("theirs") {
                assert!(tokio::time::Instant::now() < deadline, "boot {theirs} still runs 10 s after its store ended");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // Another node's question about the same boot, caught mid-flight (its probe holds the
            // key until its transaction ends), must not be taken for the boot's own lock; nor
            // must many questions asked at once.
            let mut other_node = sqlx::PgConnection::connect(&db.url).await.expect("another node");
            let mut question = other_node.begin().await.expect("begin");
            let free: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock_shared($1, $2)")
                .bind(BOOT_LOCK_NAMESPACE)
                .bind(i32::try_from(theirs).expect("a small boot id"))
                .fetch_one(&mut *question)
                .await
                .expect("ask as another node");
            assert!(free, "the other node sees boot {theirs} ended");
            assert!(!db.boot_is_running(theirs).await.expect("theirs"), "a question in flight is not a running boot");
            question.rollback().await.expect("rollback");
            every_answer_is(&db.store, theirs, false).await;
            every_answer_is(&db.store, mine, true).await;
        }
    }
    db.finish().await;
}

/// Asks whether `boot` runs from many tasks at once; every answer must be `expected`.
async fn every_answer_is(store: &Arc<SqlStore>, boot: i64, expected: bool) {
    let asks: Vec<_> = (0..200)
        .map(|_| {
            let store = Arc::clone(store);
            tokio::spawn(async move { store.boot_is_running(boot).await.expect("ask") })
        })
        .collect();
    for ask in asks {
        assert_eq!(ask.await.expect("ask task"), expected, "boot {boot}, asked 200 times at once");
    }
}
