//! SIGKILL in the middle of a burst of orders, each with its own `Idempotency-Key`; restart on
//! the same database; resend every request (answered, cut off, or never sent) with its key and
//! body. Each gets 201 with an order — the one its first answer named, the one that committed
//! while its answer was lost, or a fresh one if it died before committing — never a 409; and
//! each key has exactly one order and each order one capture: nobody is charged twice.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Api, Db, Node, PG_ENV, Shop};

const STOCK: i64 = 100_000;
/// Concurrent clients, each sending its own requests one after another.
const CLIENTS: usize = 48;
const REQUESTS_PER_CLIENT: usize = 6;
/// Not a multiple of [`CLIENTS`]: on SQLite orders commit in groups, and a kill after a whole
/// number of groups would never find an order committed but not yet answered.
const KILL_AFTER: usize = 120;

/// One request of the burst.
struct Keyed {
    key: String,
    body: Value,
    quantity: i64,
}

/// What became of a request before the kill.
#[derive(Debug, Clone)]
enum FirstTry {
    /// Answered 201 with this order.
    Answered(String),
    /// Sent, and cut off by the kill.
    CutOff,
    /// Not sent before the kill.
    NotSent,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_request_resent_after_a_sigkill_gets_its_one_order() {
    burst_kill_resend("sqlite", Db::sqlite()).await;
    match Db::postgres().await {
        Some(db) => burst_kill_resend("postgres", db).await,
        None => println!("every_request_resent_after_a_sigkill_gets_its_one_order: PostgreSQL skipped, {PG_ENV} unset"),
    }
}

async fn burst_kill_resend(backend: &str, db: Db) {
    let started = Instant::now();
    let mut node = Node::start(&format!("{backend}-1"), &db.url).await;
    let shop = Shop::create(&node.api, STOCK).await;
    let run = format!("{:08x}", rand::random::<u32>());
    let requests: Arc<Vec<Keyed>> = Arc::new(
        (0..CLIENTS * REQUESTS_PER_CLIENT)
            .map(|n| {
                let quantity = i64::try_from(1 + n % 3).expect("quantity");
                Keyed { key: format!("burst-{run}-{n}"), body: shop.order(quantity), quantity }
            })
            .collect(),
    );

    let first_tries = burst_until_killed(&mut node, &requests).await;
    drop(node);
    let node = Node::start(&format!("{backend}-2"), &db.url).await;
    let resent = resend_all(&node.api, &requests).await;

    // Every resend is a 201 with an order; an answered request gets its first order back.
    let (mut rebuilt_or_replayed, mut fresh) = (0, 0);
    let mut failures = Vec::new();
    for ((request, first), answer) in requests.iter().zip(&first_tries).zip(&resent) {
        let (status, replayed, body) = answer;
        if *status != StatusCode::CREATED {
            failures.push(format!("{} ({first:?}): {status} {body}", request.key));
            continue;
        }
        match first {
            FirstTry::Answered(id) if body["id"] != id.as_str() || !replayed => {
                failures.push(format!("{}: first answered {id}, resent got {body} (replayed {replayed})", request.key));
            }
            FirstTry::Answered(_) => {}
            FirstTry::CutOff | FirstTry::NotSent if *replayed => rebuilt_or_replayed += 1,
            FirstTry::CutOff | FirstTry::NotSent => fresh += 1,
        }
    }
    assert!(failures.is_empty(), "{backend}: resent requests not answered with their order: {failures:#?}");
    let ids: Vec<String> =
        resent.iter().map(|(_, _, body)| body["id"].as_str().expect("order id").to_owned()).collect();

    // A second resend answers the same order for every key.
    let again = resend_all(&node.api, &requests).await;
    for ((request, id), (status, _, body)) in requests.iter().zip(&ids).zip(&again) {
        assert!(
            *status == StatusCode::CREATED && body["id"] == id.as_str(),
            "{backend}: {}: {status} {body}",
            request.key
        );
    }

    // One order per key, one capture per order, and the stock reserved for exactly those.
    let distinct: HashSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), requests.len(), "{backend}: every key has its own order");
    let orders_in_store = shop.orders_in_store(&node.api).await;
    let stored: HashSet<&String> = orders_in_store.keys().collect();
    assert_eq!(stored, distinct, "{backend}: the orders in the store are exactly the keys' orders");
    for (request, id) in requests.iter().zip(&ids) {
        assert_eq!(orders_in_store[id], request.quantity, "{backend}: order {id} of {}", request.key);
    }
    let captures = shop.captures(&node.api).await;
    let charged_twice: Vec<(&String, &usize)> = captures.iter().filter(|(_, count)| **count != 1).collect();
    assert!(charged_twice.is_empty(), "{backend}: orders with other than one capture: {charged_twice:?}");
    assert_eq!(captures.len(), requests.len(), "{backend}: one capture per key");
    let reserved: i64 = requests.iter().map(|request| request.quantity).sum();
    assert_eq!(shop.level(&node.api).await["reserved"], reserved, "{backend}: reserved once per key");

    let count = |wanted: fn(&FirstTry) -> bool| first_tries.iter().filter(|first| wanted(first)).count();
    println!(
        "{backend}: {} keys; before the kill {} answered, {} cut off, {} not sent; resent: {rebuilt_or_replayed} \
         unanswered ones got the order that had committed, {fresh} a fresh order; {:?} in all",
        requests.len(),
        count(|first| matches!(first, FirstTry::Answered(_))),
        count(|first| matches!(first, FirstTry::CutOff)),
        count(|first| matches!(first, FirstTry::NotSent)),
        started.elapsed()
    );
    drop(node);
    drop(db);
}

/// Sends the requests from [`CLIENTS`] clients at once and SIGKILLs the node after
/// [`KILL_AFTER`] answers; returns what became of each request.
async fn burst_until_killed(node: &mut Node, requests: &Arc<Vec<Keyed>>) -> Vec<FirstTry> {
    let first_tries = Arc::new(Mutex::new(vec![FirstTry::NotSent; requests.len()]));
    let answers = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (api, requests, first_tries, answers, killed) =
            (node.api.clone(), requests.clone(), first_tries.clone(), answers.clone(), killed.clone());
        clients.push(tokio::spawn(async move {
            for n in (client..requests.len()).step_by(CLIENTS) {
                let request = &requests[n];
                first_tries.lock().expect("first tries")[n] = FirstTry::CutOff;
                match api.try_post_keyed("/api/v1/orders", &request.body, &request.key).await {
                    Ok((StatusCode::CREATED, _, order)) => {
                        let id = order["id"].as_str().expect("order id").to_owned();
                        first_tries.lock().expect("first tries")[n] = FirstTry::Answered(id);
                        answers.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok((status, _, body)) => return Err(format!("{}: {status} {body}", request.key)),
                    Err(_) if killed.load(Ordering::SeqCst) => return Ok(()),
                    Err(error) => return Err(format!("{}: transport error before the kill: {error}", request.key)),
                }
            }
            Ok(())
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while answers.load(Ordering::SeqCst) < KILL_AFTER && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    killed.store(true, Ordering::SeqCst);
    node.sigkill();
    let answered = answers.load(Ordering::SeqCst);
    assert!(answered >= KILL_AFTER, "only {answered} answers in 20 s before the kill");
    for client in clients {
        let outcome = tokio::time::timeout(Duration::from_secs(15), client).await.expect("client hung");
        if let Err(failure) = outcome.expect("client task") {
            panic!("a client got an unexpected answer before the kill: {failure}");
        }
    }
    let first_tries = first_tries.lock().expect("first tries").clone();
    let cut_off = first_tries.iter().filter(|first| matches!(first, FirstTry::CutOff)).count();
    assert!(cut_off > 0, "the kill came after every request was answered: nothing was in flight");
    first_tries
}

/// Sends every request again with its key and body, [`CLIENTS`] at a time.
async fn resend_all(api: &Api, requests: &Arc<Vec<Keyed>>) -> Vec<(StatusCode, bool, Value)> {
    let clients = Arc::new(tokio::sync::Semaphore::new(CLIENTS));
    let mut tasks = Vec::new();
    for n in 0..requests.len() {
        let (api, requests, clients) = (api.clone(), requests.clone(), clients.clone());
        tasks.push(tokio::spawn(async move {
            let _client = clients.acquire().await.expect("semaphore");
            let request = &requests[n];
            api.try_post_keyed("/api/v1/orders", &request.body, &request.key)
                .await
                .unwrap_or_else(|error| panic!("{}: resend failed: {error}", request.key))
        }));
    }
    let mut answers = Vec::with_capacity(tasks.len());
    for task in tasks {
        answers.push(task.await.expect("resend task"));
    }
    answers
}
