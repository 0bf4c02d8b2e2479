//! Placing a group-commit batch's plain orders set-based: a fixed handful of statements for the
//! whole batch instead of about fourteen per order.
//!
//! On SQLite every statement is a hand-off between the async runtime and the driver's worker
//! thread, and those hand-offs, not SQLite's own work, were most of an order's CPU (issue 20).
//! A *plain* order ([`is_plain`]: no idempotency claim, coupon, credit, pickup time or delivery)
//! needs only reads that can be made once for the batch and inserts that can be made multi-row.
//! Its refusals (catalog changed, sold out, short stock) and reservations are decided in memory, in batch order,
//! exactly as `place_in` decides them one order after another, and then written together.
//!
//! That is sound only because the caller holds SQLite's write lock from `BEGIN IMMEDIATE`, so
//! nothing changes a level or a sold-out switch between the reads here and the writes; the
//! reservation `UPDATE` still carries the ledger invariant and its returned levels are checked
//! against the ones computed, so a mismatch fails the batch rather than the ledger.
//!
//! Only the SQLite writer runs this, and its statements use SQLite's anonymous `?` placeholders:
//! with thousands of `$n` in one statement SQLite spends quadratic time matching their names
//! (see [`anonymous_values_clause`]), which costs more than the hand-offs saved. Their text
//! changes with the batch's size, so they are not kept in the connection's statement cache,
//! where they would only push out the statements every write reuses.

use std::collections::{HashMap, HashSet};

use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::payment_job::PaymentJobKind;
use sqlx::Row;

use super::Tx;
use super::catalog::{check_generation, generation_in};
use super::ledger::{Level, level_event};
use super::payment_jobs::{Owed, PAYMENT_JOB_COLUMNS, bind_job, capture_job_id};
use super::placement::{LINE_COLUMNS, ORDER_COLUMNS, bind_line, bind_order, bind_part, order_created};
use crate::rows::{FulfillmentRecord, LineRow, NewEvent, NewOrder, OrderRecord, OrderRow, PaymentJobRow};
use crate::sql::columns::{anonymous_values_clause, rows_per_statement};
use crate::sql::order_rows::fulfillment_columns;
use crate::sql::outbox::{OUTBOX_INSERT_COLUMNS, bind_event};
use crate::{StoreError, StoreResult};

/// Whether `new_order` needs nothing but what [`place_plain_batch`] does: the others (claims,
/// coupons, credit, pickup slots, delivery addresses) keep `place_in`, under a savepoint.
pub(crate) fn is_plain(new_order: &NewOrder) -> bool {
    new_order.idempotency.is_none()
        && new_order.redemptions.is_empty()
        && new_order.credit_spends.is_empty()
        && new_order.order.pickup_at.is_none()
        && new_order.order.delivery.is_none()
}

/// A stock level's (location, SKU).
type LevelKey<'a> = (&'a str, &'a str);

/// One reserved line and the level right after its reservation (what the per-line
/// `UPDATE … RETURNING` of `place_in` gives its `stock.changed` event).
struct Reserved<'a> {
    location_id: &'a str,
    merchant_id: &'a str,
    sku: &'a str,
    quantity: i64,
    level: Level,
}

/// An order that passed its checks, on its way to its rows.
struct Accepted<'a> {
    new_order: &'a NewOrder,
    reserved: Vec<Reserved<'a>>,
    number: i64,
    fulfillments: Vec<FulfillmentRecord>,
}

/// Places plain orders (see the module docs) inside the caller's transaction, as if each ran
/// `place_in` in turn: the inner results are each order's, in the order given (a refused one
/// wrote nothing). The outer error means a statement failed and the caller must roll back
/// everything this call wrote.
pub(crate) async fn place_plain_batch<'a>(
    transaction: &mut Tx,
    orders: &[&'a NewOrder],
) -> StoreResult<Vec<StoreResult<OrderRecord>>> {
    // No write of a placement raises the catalog generation, so one read holds for the batch.
    let generation = if orders.iter().any(|new_order| new_order.catalog_generation.is_some()) {
        Some(generation_in(transaction).await?)
    } else {
        None
    };
    let switched_off = read_sold_out(transaction, orders).await?;
    let mut decisions: Vec<StoreResult<Vec<Reserved<'a>>>> = orders
        .iter()
        .map(|new_order| {
            if let Some(current) = generation {
                check_generation(new_order.catalog_generation, current)?;
            }
            // As in `place_in`: an order priced from a still-current snapshot was checked
            // against its switches already; only one priced from fresh reads is checked here.
            let sold_out =
                if new_order.catalog_generation.is_none() { first_sold_out(new_order, &switched_off) } else { None };
            match sold_out {
                Some(sku) => Err(StoreError::SoldOut { sku }),
                None => Ok(Vec::new()),
            }
        })
        .collect();
    let wanted: HashSet<LevelKey<'a>> = orders
        .iter()
        .zip(&decisions)
        .filter(|(_, decision)| decision.is_ok())
        .flat_map(|(new_order, _)| tracked_lines(new_order))
        .map(|(part, line)| (part.location_id.as_str(), line.sku.as_str()))
        .collect();
    let read = read_levels(transaction, &wanted).await?;
    let mut levels = read.clone();
    for (new_order, decision) in orders.iter().zip(decisions.iter_mut()) {
        if decision.is_ok() {
            *decision = reserve_in_memory(new_order, &mut levels);
        }
    }
    write_reservations(transaction, &read, &levels).await?;

    let mut outcomes: Vec<Option<StoreResult<OrderRecord>>> = Vec::with_capacity(orders.len());
    let mut accepted = Vec::new();
    for (&new_order, decision) in orders.iter().zip(decisions) {
        match decision {
            Ok(reserved) => {
                outcomes.push(None);
                let mut fulfillments = new_order.fulfillments.clone();
                fulfillments.iter_mut().for_each(|part| part.order_id = new_order.order.id.clone());
                accepted.push(Accepted { new_order, reserved, number: 0, fulfillments });
            }
            Err(refusal) => outcomes.push(Some(Err(refusal))),
        }
    }
    if !accepted.is_empty() {
        insert_orders(transaction, &mut accepted).await?;
        number_documents(transaction, &mut accepted).await?;
        insert_parts(transaction, &accepted).await?;
        insert_lines(transaction, &accepted).await?;
        queue_captures(transaction, &accepted).await?;
        let events: Vec<NewEvent> = accepted.iter().flat_map(order_events).collect();
        insert_events(transaction, &events).await?;
    }
    let mut placed = accepted.into_iter().map(|accepted| {
        let order = &accepted.new_order.order;
        Ok(OrderRecord {
            order: OrderRow { number: accepted.number, ..order.clone() },
            fulfillments: accepted.fulfillments,
        })
    });
    Ok(outcomes
        .into_iter()
        .map(|outcome| outcome.unwrap_or_else(|| placed.next().unwrap_or(Err(MISCOUNTED))))
        .collect())
}

/// An accepted order without its record: a bug here, never a database state.
const MISCOUNTED: StoreError = StoreError::Inconsistent("the batch lost track of an accepted order");

/// The `(location, SKU)` pairs switched off at any location of the batch's orders priced from
/// fresh reads, read once.
async fn read_sold_out(transaction: &mut Tx, orders: &[&NewOrder]) -> StoreResult<HashSet<(String, String)>> {
    let locations: Vec<&str> = {
        let mut locations: Vec<&str> = orders
            .iter()
            .filter(|new_order| new_order.catalog_generation.is_none())
            .flat_map(|new_order| new_order.fulfillments.iter().map(|part| part.location_id.as_str()))
            .collect();
        locations.sort_unstable();
        locations.dedup();
        locations
    };
    let mut switched_off = HashSet::new();
    for chunk in locations.chunks(rows_per_statement(1)) {
        let sql = format!(
            "SELECT location_id, sku FROM sold_out_items WHERE location_id IN {}",
            // One row of `chunk.len()` placeholders: `(?, ?, …)`.
            anonymous_values_clause(1, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for location_id in chunk {
            query = query.bind(location_id.to_string());
        }
        for row in query.fetch_all(&mut **transaction).await? {
            switched_off.insert((row.try_get("location_id")?, row.try_get("sku")?));
        }
    }
    Ok(switched_off)
}

/// The first switched-off line in part and line order (as `place_in` refuses it), if any.
fn first_sold_out(new_order: &NewOrder, switched_off: &HashSet<(String, String)>) -> Option<String> {
    if switched_off.is_empty() {
        return None;
    }
    new_order.fulfillments.iter().find_map(|part| {
        part.lines
            .iter()
            .find(|line| switched_off.contains(&(part.location_id.clone(), line.sku.clone())))
            .map(|line| line.sku.clone())
    })
}

/// An order's tracked lines in the order `place_in` reserves them: (location, SKU), ties kept
/// in part and line order (the sort is stable).
fn tracked_lines(new_order: &NewOrder) -> Vec<(&FulfillmentRecord, &LineRow)> {
    let mut lines: Vec<(&FulfillmentRecord, &LineRow)> = new_order
        .fulfillments
        .iter()
        .flat_map(|part| part.lines.iter().filter(|line| line.track_stock).map(move |line| (part, line)))
        .collect();
    lines.sort_by(|(a_part, a_line), (b_part, b_line)| {
        (a_part.location_id.as_str(), a_line.sku.as_str()).cmp(&(b_part.location_id.as_str(), b_line.sku.as_str()))
    });
    lines
}

/// The current level of every wanted (location, SKU) that has a row (a missing row never fits).
async fn read_levels<'a>(
    transaction: &mut Tx,
    wanted: &HashSet<LevelKey<'a>>,
) -> StoreResult<HashMap<LevelKey<'a>, Level>> {
    let keys: Vec<LevelKey<'a>> = wanted.iter().copied().collect();
    let mut found: HashMap<(String, String), Level> = HashMap::with_capacity(keys.len());
    for chunk in keys.chunks(rows_per_statement(2)) {
        let sql = format!(
            "SELECT location_id, sku, on_hand, reserved FROM stock_levels WHERE (location_id, sku) IN (VALUES {})",
            anonymous_values_clause(chunk.len(), 2)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for (location_id, sku) in chunk {
            query = query.bind(location_id.to_string()).bind(sku.to_string());
        }
        for row in query.fetch_all(&mut **transaction).await? {
            let key = (row.try_get("location_id")?, row.try_get("sku")?);
            found.insert(key, (row.try_get("on_hand")?, row.try_get("reserved")?));
        }
    }
    Ok(keys
        .into_iter()
        .filter_map(|key| found.get(&(key.0.to_owned(), key.1.to_owned())).map(|level| (key, *level)))
        .collect())
}

/// Reserves the order's tracked lines against `levels`, line by line as `place_in` does: a line
/// fits when `on_hand - reserved - safety_buffer >= quantity`. A short line refuses the order
/// and gives back what its earlier lines took, so a refused order reserves nothing.
fn reserve_in_memory<'a>(
    new_order: &'a NewOrder,
    levels: &mut HashMap<LevelKey<'a>, Level>,
) -> StoreResult<Vec<Reserved<'a>>> {
    let mut reserved: Vec<Reserved<'a>> = Vec::new();
    for (part, line) in tracked_lines(new_order) {
        let key = (part.location_id.as_str(), line.sku.as_str());
        let buffer = new_order.safety_buffer(&part.location_id);
        match levels.get_mut(&key) {
            Some(level) if level.0 - level.1 - buffer >= line.quantity => {
                level.1 += line.quantity;
                reserved.push(Reserved {
                    location_id: key.0,
                    merchant_id: &part.merchant_id,
                    sku: key.1,
                    quantity: line.quantity,
                    level: *level,
                });
            }
            _ => {
                for taken in &reserved {
                    if let Some(level) = levels.get_mut(&(taken.location_id, taken.sku)) {
                        level.1 -= taken.quantity;
                    }
                }
                return Err(StoreError::InsufficientStock { sku: line.sku.clone() });
            }
        }
    }
    Ok(reserved)
}

/// Writes every level's added reservations at once. The `WHERE` keeps `0 ≤ reserved ≤ on_hand`,
/// and each returned level must be the one computed in memory: anything else (a level changed
/// under the batch, a row refused) is an error that fails the batch.
async fn write_reservations(
    transaction: &mut Tx,
    read: &HashMap<LevelKey<'_>, Level>,
    levels: &HashMap<LevelKey<'_>, Level>,
) -> StoreResult<()> {
    let mut changes: Vec<(LevelKey<'_>, i64, Level)> = levels
        .iter()
        .filter_map(|(key, after)| {
            let before = read.get(key)?;
            (after.1 != before.1).then_some((*key, after.1 - before.1, *after))
        })
        .collect();
    // Rows are updated in key order, like `place_in`'s reservations.
    changes.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for chunk in changes.chunks(rows_per_statement(3)) {
        let sql = format!(
            "WITH v (at_location, at_sku, units) AS (VALUES {}) \
             UPDATE stock_levels SET reserved = reserved + v.units FROM v \
             WHERE location_id = v.at_location AND sku = v.at_sku \
             AND reserved + v.units <= on_hand AND reserved + v.units >= 0 \
             RETURNING location_id, sku, on_hand, reserved",
            anonymous_values_clause(chunk.len(), 3)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for ((location_id, sku), units, _) in chunk {
            query = query.bind(location_id.to_string()).bind(sku.to_string()).bind(*units);
        }
        let rows = query.fetch_all(&mut **transaction).await?;
        if rows.len() != chunk.len() {
            return Err(StoreError::Inconsistent("a batch reservation found its stock level changed"));
        }
        for row in rows {
            let location_id: String = row.try_get("location_id")?;
            let sku: String = row.try_get("sku")?;
            let level: Level = (row.try_get("on_hand")?, row.try_get("reserved")?);
            if levels.get(&(location_id.as_str(), sku.as_str())) != Some(&level) {
                return Err(StoreError::Inconsistent("a batch reservation found its stock level changed"));
            }
        }
    }
    Ok(())
}

/// Inserts the accepted orders' header rows and gives each the number the database chose.
async fn insert_orders(transaction: &mut Tx, accepted: &mut [Accepted<'_>]) -> StoreResult<()> {
    let mut numbers: HashMap<String, i64> = HashMap::with_capacity(accepted.len());
    for chunk in accepted.chunks(rows_per_statement(19)) {
        let sql = format!(
            "INSERT INTO orders ({ORDER_COLUMNS}) VALUES {} RETURNING id, number",
            anonymous_values_clause(chunk.len(), 19)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for order in chunk.iter().map(|accepted| &accepted.new_order.order) {
            query = bind_order(query, order);
        }
        // RETURNING gives no promise of row order: the numbers are matched by id.
        for row in query.fetch_all(&mut **transaction).await? {
            numbers.insert(row.try_get("id")?, row.try_get("number")?);
        }
    }
    for accepted in accepted.iter_mut() {
        accepted.number = numbers
            .get(&accepted.new_order.order.id)
            .copied()
            .ok_or(StoreError::Inconsistent("an inserted order came back without its number"))?;
    }
    Ok(())
}

/// Gives every accepted part the next number of its merchant's sequence of its order's kind:
/// one upsert adds each (merchant, kind)'s count, and the numbers it frees are handed out in
/// batch order, part order — the numbers one-by-one placement would give.
async fn number_documents(transaction: &mut Tx, accepted: &mut [Accepted<'_>]) -> StoreResult<()> {
    // Counted in order of first use, so new sequences are created in the order one-by-one
    // placement creates them.
    let mut counts: Vec<((String, &'static str), i64)> = Vec::new();
    let mut positions: HashMap<(&str, &'static str), usize> = HashMap::new();
    for accepted in accepted.iter() {
        let kind = accepted.new_order.document_kind.as_str();
        for part in &accepted.new_order.fulfillments {
            let position = *positions.entry((part.merchant_id.as_str(), kind)).or_insert_with(|| {
                counts.push(((part.merchant_id.clone(), kind), 0));
                counts.len() - 1
            });
            counts[position].1 += 1;
        }
    }
    let mut next: HashMap<(String, String), i64> = HashMap::with_capacity(counts.len());
    for chunk in counts.chunks(rows_per_statement(3)) {
        let sql = format!(
            "INSERT INTO document_sequences (merchant_id, kind, last_number) VALUES {} \
             ON CONFLICT (merchant_id, kind) DO UPDATE \
             SET last_number = document_sequences.last_number + excluded.last_number \
             RETURNING merchant_id, kind, last_number",
            anonymous_values_clause(chunk.len(), 3)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for ((merchant_id, kind), count) in chunk {
            query = query.bind(merchant_id.clone()).bind(*kind).bind(*count);
        }
        let rows = query.fetch_all(&mut **transaction).await?;
        if rows.len() != chunk.len() {
            return Err(StoreError::Inconsistent("a document sequence did not come back"));
        }
        for row in rows {
            let key: (String, String) = (row.try_get("merchant_id")?, row.try_get("kind")?);
            let last: i64 = row.try_get("last_number")?;
            let count = chunk
                .iter()
                .find(|((merchant_id, kind), _)| *merchant_id == key.0 && *kind == key.1)
                .map(|(_, count)| *count)
                .ok_or(StoreError::Inconsistent("a document sequence came back that was not asked for"))?;
            next.insert(key, last - count + 1);
        }
    }
    for accepted in accepted.iter_mut() {
        let kind = accepted.new_order.document_kind;
        for part in &mut accepted.fulfillments {
            let number = next
                .get_mut(&(part.merchant_id.clone(), kind.as_str().to_owned()))
                .ok_or(StoreError::Inconsistent("a part's document sequence was not counted"))?;
            part.pricing.document_kind = Some(kind);
            part.pricing.document_number = Some(*number);
            *number += 1;
        }
    }
    Ok(())
}

/// Inserts every accepted part, the columns of `place_in`'s `insert_parts`.
async fn insert_parts(transaction: &mut Tx, accepted: &[Accepted<'_>]) -> StoreResult<()> {
    let parts: Vec<&FulfillmentRecord> = accepted.iter().flat_map(|accepted| &accepted.fulfillments).collect();
    for chunk in parts.chunks(rows_per_statement(23)) {
        let sql = format!(
            "INSERT INTO fulfillments ({}) VALUES {}",
            fulfillment_columns!(),
            anonymous_values_clause(chunk.len(), 23)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for part in chunk {
            query = bind_part(query, part, &part.order_id);
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}

/// Inserts every accepted line, the columns of `place_in`'s `insert_parts`.
async fn insert_lines(transaction: &mut Tx, accepted: &[Accepted<'_>]) -> StoreResult<()> {
    let lines: Vec<(&str, usize, &LineRow)> = accepted
        .iter()
        .flat_map(|accepted| &accepted.fulfillments)
        .flat_map(|part| part.lines.iter().enumerate().map(|(position, line)| (part.id.as_str(), position, line)))
        .collect();
    for chunk in lines.chunks(rows_per_statement(15)) {
        let sql = format!(
            "INSERT INTO fulfillment_lines ({LINE_COLUMNS}) VALUES {}",
            anonymous_values_clause(chunk.len(), 15)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for (fulfillment_id, position, line) in chunk {
            query = bind_line(query, fulfillment_id, *position, line);
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}

/// Queues the capture of every accepted card order (a plain order spends no credit, so it owes
/// its whole total), as `place_in`'s `queue_capture` does one at a time.
async fn queue_captures(transaction: &mut Tx, accepted: &[Accepted<'_>]) -> StoreResult<()> {
    let jobs: Vec<PaymentJobRow> = accepted
        .iter()
        .filter_map(|accepted| {
            let order = &accepted.new_order.order;
            let (PaymentMethod::Card, Some(reference)) = (order.payment_method, &order.payment_reference) else {
                return None;
            };
            let owed = Owed {
                id: capture_job_id(&order.id),
                kind: PaymentJobKind::Capture,
                order_id: &order.id,
                fulfillment_id: None,
                merchant_id: None,
                payment_reference: reference,
                amount_minor: order.total_minor,
                currency: order.currency,
                now_ms: order.created_at_ms,
            };
            Some(owed.job())
        })
        .collect();
    for chunk in jobs.chunks(rows_per_statement(15)) {
        let sql = format!(
            "INSERT INTO payment_jobs ({PAYMENT_JOB_COLUMNS}) VALUES {} ON CONFLICT (id) DO NOTHING",
            anonymous_values_clause(chunk.len(), 15)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for job in chunk {
            query = bind_job(query, job);
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}

/// Writes `events` into the outbox: the columns of the outbox's `insert_events`, with anonymous
/// placeholders (see [`anonymous_values_clause`]).
async fn insert_events(transaction: &mut Tx, events: &[NewEvent]) -> StoreResult<()> {
    for chunk in events.chunks(rows_per_statement(8)) {
        let sql =
            format!("INSERT INTO outbox ({OUTBOX_INSERT_COLUMNS}) VALUES {}", anonymous_values_clause(chunk.len(), 8));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
        for new in chunk {
            query = bind_event(query, new);
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}

/// An accepted order's events as `place_in` writes them: `order.created`, then one
/// `stock.changed` per reserved line with the level right after it.
fn order_events(accepted: &Accepted<'_>) -> Vec<NewEvent> {
    let new_order = accepted.new_order;
    let order = &new_order.order;
    let mut events = vec![order_created(new_order, accepted.number)];
    events.extend(accepted.reserved.iter().enumerate().map(|(index, line)| {
        level_event(
            format!("{}-s{index}", new_order.event_id),
            line.merchant_id,
            line.location_id,
            line.sku,
            line.level,
            order.created_at_ms,
        )
    }));
    events
}

#[cfg(test)]
mod tests {
    //! Each batch runs through the writer's own `commit_batch`, and its rows are compared with
    //! what `place_in` writes placing the same orders one by one.

    use std::path::PathBuf;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use omnicanal_domain::Currency;
    use omnicanal_domain::catalog::{Country, MerchantKind};
    use omnicanal_domain::channel::Channel;
    use omnicanal_domain::fulfillment::FulfillmentStatus;
    use omnicanal_domain::order::DocumentKind;
    use omnicanal_domain::payment::PaymentMethod;
    use omnicanal_domain::site::UnacceptedPolicy;
    use sqlx::Row;

    use crate::rows::{
        CouponRedemption, FulfillmentRecord, LineRow, LocationRow, MerchantRow, NewOrder, OrderRecord, OrderRow,
        SiteRow,
    };
    use crate::sql::group_commit::commit_together;
    use crate::sql::outbox::outbox_from;
    use crate::sql::tx::placement::place_in;
    use crate::{SetupStore, SqlStore, StoreError, StoreResult};

    const T0: i64 = 1_700_000_000_000;
    const SITE: &str = "site-1";
    /// Two merchants, each with one location: (merchant, location).
    const CAFE: (&str, &str) = ("mer-cafe", "loc-cafe");
    const BAKERY: (&str, &str) = ("mer-bakery", "loc-bakery");

    /// A store on a fresh SQLite file; the directory is removed by [`finish`].
    async fn open() -> (Arc<SqlStore>, PathBuf) {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "omnicanal-batch-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let store = crate::backend::connect(&format!("sqlite://{}", dir.join("x.db").display())).await.expect("sqlite");
        let site = SiteRow {
            id: SITE.into(),
            name: "Costanera Center".into(),
            country: Country::Chile,
            currency: Currency::Clp,
            timezone: "America/Santiago".into(),
            accept_within_minutes: None,
            unaccepted_policy: UnacceptedPolicy::default(),
            created_at_ms: T0,
        };
        store.insert_site(&site).await.expect("site");
        for (merchant_id, location_id) in [CAFE, BAKERY] {
            let merchant = MerchantRow {
                id: merchant_id.into(),
                name: merchant_id.into(),
                kind: MerchantKind::Restaurant,
                commission_bps: 1200,
                tax_id: None,
                created_at_ms: T0,
            };
            store.insert_merchant(&merchant).await.expect("merchant");
            let location = LocationRow {
                id: location_id.into(),
                merchant_id: merchant_id.into(),
                site_id: SITE.into(),
                name: location_id.into(),
                pay_at_pickup: true,
                is_open: true,
                storefront: Default::default(),
                created_at_ms: T0,
            };
            store.insert_location(&location).await.expect("location");
        }
        (store, dir)
    }

    async fn finish(store: Arc<SqlStore>, dir: PathBuf) {
        store.write.close().await;
        store.read.close().await;
        drop(store);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Puts `on_hand` units of `sku` at `location` (nothing reserved).
    async fn stock(store: &SqlStore, (merchant_id, location_id): (&str, &str), sku: &str, on_hand: i64) {
        sqlx::query(
            "INSERT INTO stock_levels (location_id, sku, merchant_id, on_hand, reserved) VALUES ($1, $2, $3, $4, 0)",
        )
        .bind(location_id)
        .bind(sku)
        .bind(merchant_id)
        .bind(on_hand)
        .execute(&store.write)
        .await
        .expect("stock level");
    }

    /// (on_hand, reserved) of a level.
    async fn level(store: &SqlStore, location_id: &str, sku: &str) -> (i64, i64) {
        let row = sqlx::query("SELECT on_hand, reserved FROM stock_levels WHERE location_id = $1 AND sku = $2")
            .bind(location_id)
            .bind(sku)
            .fetch_one(&store.read)
            .await
            .expect("level");
        (row.get("on_hand"), row.get("reserved"))
    }

    /// One line: (SKU, quantity, tracked).
    type Line<'a> = (&'a str, i64, bool);

    /// An order named `id` with one part per (merchant and location, lines), paid by card when
    /// `card`; ids are fixed so the same order can be placed in two stores.
    fn order(id: &str, parts: &[((&str, &str), &[Line<'_>])], card: bool) -> NewOrder {
        let fulfillments: Vec<FulfillmentRecord> = parts
            .iter()
            .enumerate()
            .map(|(index, ((merchant_id, location_id), lines))| {
                let lines: Vec<LineRow> = lines
                    .iter()
                    .map(|&(sku, quantity, track_stock)| LineRow {
                        sku: sku.into(),
                        quantity,
                        unit_price_minor: 1_000,
                        total_minor: quantity * 1_000,
                        track_stock,
                        pricing: Default::default(),
                    })
                    .collect();
                let subtotal = lines.iter().map(|line| line.total_minor).sum();
                FulfillmentRecord {
                    id: format!("{id}-f{index}"),
                    order_id: String::new(),
                    merchant_id: (*merchant_id).into(),
                    location_id: (*location_id).into(),
                    status: FulfillmentStatus::Placed,
                    pickup_code: "4821".into(),
                    subtotal_minor: subtotal,
                    currency: Currency::Clp,
                    captured_minor: if card { subtotal } else { 0 },
                    refunded_minor: 0,
                    reason: None,
                    created_at_ms: T0,
                    updated_at_ms: T0,
                    hold_expires_at_ms: None,
                    pricing: Default::default(),
                    preparation: Default::default(),
                    lines,
                }
            })
            .collect();
        let total: i64 = fulfillments.iter().map(|part| part.subtotal_minor).sum();
        NewOrder {
            order: OrderRow {
                id: id.into(),
                number: 0,
                site_id: SITE.into(),
                channel: Channel::Qr,
                customer_name: "Ana Pérez".into(),
                customer_phone: Some("+56911112222".into()),
                customer_email: None,
                tracking_token: format!("trk-{id}"),
                currency: Currency::Clp,
                total_minor: total,
                payment_method: if card { PaymentMethod::Card } else { PaymentMethod::PayAtPickup },
                payment_reference: card.then(|| format!("ch-{id}")),
                captured_minor: if card { total } else { 0 },
                refunded_minor: 0,
                outstanding_minor: if card { 0 } else { total },
                pickup_at: None,
                customer_tax_id: None,
                table_label: None,
                quote_json: None,
                created_at_ms: T0,
                delivery: None,
            },
            fulfillments,
            event_id: format!("evt-{id}"),
            idempotency: None,
            safety_buffers: Vec::new(),
            redemptions: Vec::new(),
            document_kind: DocumentKind::Boleta,
            credit_spends: Vec::new(),
            catalog_generation: None,
        }
    }

    /// Places `orders` one by one as the PostgreSQL path does, each in its own transaction.
    async fn one_by_one(store: &SqlStore, orders: &[NewOrder]) -> Vec<StoreResult<OrderRecord>> {
        let mut outcomes = Vec::new();
        for new_order in orders {
            let mut transaction = store.write.begin().await.expect("begin");
            let outcome = place_in(&mut transaction, new_order, true).await;
            if outcome.is_ok() {
                transaction.commit().await.expect("commit");
            } else {
                transaction.rollback().await.expect("rollback");
            }
            outcomes.push(outcome);
        }
        outcomes
    }

    /// Every row of the tables an order writes, as text, for comparing two stores.
    async fn dump(store: &SqlStore) -> Vec<String> {
        let mut rows = Vec::new();
        for table in [
            "orders",
            "fulfillments",
            "fulfillment_lines",
            "stock_levels",
            "document_sequences",
            "payment_jobs",
            "outbox",
        ] {
            let columns: Vec<String> =
                sqlx::query(sqlx::AssertSqlSafe(format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid")))
                    .fetch_all(&store.read)
                    .await
                    .expect("columns")
                    .iter()
                    .map(|row| format!("quote({})", row.get::<String, _>("name")))
                    .collect();
            let sql =
                format!("SELECT '{table}: ' || {} AS line FROM {table} ORDER BY rowid", columns.join(" || '|' || "));
            for row in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&store.read).await.expect("dump") {
                rows.push(row.get("line"));
            }
        }
        rows
    }

    /// The (on_hand, reserved) each `stock.changed` event of the outbox carries, in order.
    async fn stock_event_levels(store: &SqlStore) -> Vec<(String, i64, i64)> {
        let rows = sqlx::query("SELECT * FROM outbox WHERE event_type = 'stock.changed' ORDER BY seq")
            .fetch_all(&store.read)
            .await
            .expect("outbox");
        rows.iter()
            .map(|row| {
                let event = outbox_from(row).expect("outbox row");
                let payload: serde_json::Value = serde_json::from_str(&event.payload_json).expect("json");
                let on_hand = payload["on_hand"].as_i64().unwrap_or(-1);
                let reserved = payload["reserved"].as_i64().unwrap_or(-1);
                (event.event_id, on_hand, reserved)
            })
            .collect()
    }

    /// A part's (merchant, document kind, document number).
    type Document = (String, Option<DocumentKind>, Option<i64>);

    fn refusal(outcome: &StoreResult<OrderRecord>) -> Option<&StoreError> {
        outcome.as_ref().err()
    }

    #[tokio::test]
    async fn a_short_order_is_refused_and_the_others_reserve_in_batch_order() {
        let (store, dir) = open().await;
        stock(&store, CAFE, "aa", 3).await;
        stock(&store, CAFE, "mm", 5).await;
        stock(&store, CAFE, "zz", 1).await;
        let orders = vec![
            order("o1", &[(CAFE, &[("mm", 2, true)])], true),
            // Short on mm (3 left): refused, and its "aa" line, reserved first, is given back.
            order("o2", &[(CAFE, &[("mm", 4, true), ("aa", 3, true)])], false),
            order("o3", &[(CAFE, &[("mm", 3, true), ("aa", 3, true), ("free", 9, false)])], true),
            // Nothing left of mm, and zz has one.
            order("o4", &[(CAFE, &[("zz", 1, true), ("mm", 1, true)])], false),
            // The one zz is still there: o4 took nothing.
            order("o5", &[(CAFE, &[("zz", 1, true)])], false),
            // A level with no row never fits.
            order("o6", &[(CAFE, &[("nowhere", 1, true)])], false),
        ];
        let outcomes = commit_together(&store.write, orders).await;
        assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
        assert!(matches!(refusal(&outcomes[1]), Some(StoreError::InsufficientStock { sku }) if sku == "mm"));
        assert!(outcomes[2].is_ok(), "{:?}", outcomes[2]);
        assert!(matches!(refusal(&outcomes[3]), Some(StoreError::InsufficientStock { sku }) if sku == "mm"));
        assert!(outcomes[4].is_ok(), "{:?}", outcomes[4]);
        assert!(matches!(refusal(&outcomes[5]), Some(StoreError::InsufficientStock { sku }) if sku == "nowhere"));
        assert_eq!(level(&store, CAFE.1, "mm").await, (5, 5));
        assert_eq!(level(&store, CAFE.1, "aa").await, (3, 3));
        assert_eq!(level(&store, CAFE.1, "zz").await, (1, 1));
        let placed: Vec<&OrderRecord> = outcomes.iter().filter_map(|outcome| outcome.as_ref().ok()).collect();
        let numbers: Vec<i64> = placed.iter().map(|record| record.order.number).collect();
        assert_eq!(numbers, vec![1, 2, 3], "accepted orders are numbered in batch order");
        assert!(placed.iter().all(|record| record.fulfillments.iter().all(|part| part.order_id == record.order.id)));
        // Each event carries the level right after its order's reservation, lines in SKU order.
        assert_eq!(
            stock_event_levels(&store).await,
            vec![
                ("evt-o1-s0".to_owned(), 5, 2),
                ("evt-o3-s0".to_owned(), 3, 3),
                ("evt-o3-s1".to_owned(), 5, 5),
                ("evt-o5-s0".to_owned(), 1, 1),
            ]
        );
        let captures: i64 = sqlx::query("SELECT COUNT(*) AS n FROM payment_jobs WHERE kind = 'capture'")
            .fetch_one(&store.read)
            .await
            .expect("jobs")
            .get("n");
        assert_eq!(captures, 2, "o1 and o3 are card orders");
        finish(store, dir).await;
    }

    #[tokio::test]
    async fn document_numbers_run_on_per_merchant_and_kind_across_a_batch() {
        let (store, dir) = open().await;
        // A sequence that already exists carries on from its number.
        assert!(
            commit_together(&store.write, vec![order("o0", &[(CAFE, &[("x", 1, false)])], false)]).await[0].is_ok()
        );
        let mut factura = order("o3", &[(CAFE, &[("x", 1, false)])], false);
        factura.document_kind = DocumentKind::Factura;
        let orders = vec![
            order("o1", &[(CAFE, &[("x", 1, false)]), (BAKERY, &[("y", 1, false)])], false),
            order("o2", &[(BAKERY, &[("y", 1, false)])], false),
            factura,
            order("o4", &[(BAKERY, &[("y", 1, false)]), (CAFE, &[("x", 1, false)])], true),
        ];
        let outcomes = commit_together(&store.write, orders).await;
        let documents: Vec<Vec<Document>> = outcomes
            .iter()
            .map(|outcome| {
                let record = outcome.as_ref().expect("placed");
                record
                    .fulfillments
                    .iter()
                    .map(|part| (part.merchant_id.clone(), part.pricing.document_kind, part.pricing.document_number))
                    .collect()
            })
            .collect();
        let boleta = Some(DocumentKind::Boleta);
        assert_eq!(
            documents,
            vec![
                vec![(CAFE.0.to_owned(), boleta, Some(2)), (BAKERY.0.to_owned(), boleta, Some(1))],
                vec![(BAKERY.0.to_owned(), boleta, Some(2))],
                vec![(CAFE.0.to_owned(), Some(DocumentKind::Factura), Some(1))],
                vec![(BAKERY.0.to_owned(), boleta, Some(3)), (CAFE.0.to_owned(), boleta, Some(3))],
            ]
        );
        let stored: Vec<(String, i64)> =
            sqlx::query("SELECT id, document_number FROM fulfillments WHERE order_id = 'o4' ORDER BY id")
                .fetch_all(&store.read)
                .await
                .expect("parts")
                .iter()
                .map(|row| (row.get("id"), row.get("document_number")))
                .collect();
        assert_eq!(stored, vec![("o4-f0".to_owned(), 3), ("o4-f1".to_owned(), 3)]);
        finish(store, dir).await;
    }

    #[tokio::test]
    async fn a_sold_out_line_refuses_its_order_before_its_stock_is_looked_at() {
        let (store, dir) = open().await;
        stock(&store, BAKERY, "bread", 2).await;
        sqlx::query("INSERT INTO sold_out_items (location_id, sku, since_ms) VALUES ($1, 'cake', $2), ($1, 'pie', $2)")
            .bind(BAKERY.1)
            .bind(T0)
            .execute(&store.write)
            .await
            .expect("switch off");
        let orders = vec![
            // The first switched-off line in part and line order is named ("pie", not "cake"),
            // and refuses the order before its short "bread" line is looked at.
            order(
                "o1",
                &[(CAFE, &[("x", 1, false)]), (BAKERY, &[("bread", 9, true), ("pie", 1, false), ("cake", 1, true)])],
                false,
            ),
            // "cake" is sold out at the bakery only.
            order("o2", &[(CAFE, &[("cake", 1, false)]), (BAKERY, &[("bread", 2, true)])], false),
        ];
        let outcomes = commit_together(&store.write, orders).await;
        assert!(matches!(refusal(&outcomes[0]), Some(StoreError::SoldOut { sku }) if sku == "pie"));
        assert!(outcomes[1].is_ok(), "{:?}", outcomes[1]);
        assert_eq!(level(&store, BAKERY.1, "bread").await, (2, 2));
        finish(store, dir).await;
    }

    /// The catalog generation as committed.
    async fn generation(store: &SqlStore) -> i64 {
        crate::sql::tx::catalog::read_generation(&store.read).await.expect("generation")
    }

    #[tokio::test]
    async fn a_stale_catalog_generation_refuses_only_its_order() {
        let (store, dir) = open().await;
        stock(&store, CAFE, "mm", 3).await;
        sqlx::query("INSERT INTO sold_out_items (location_id, sku, since_ms) VALUES ($1, 'cake', $2)")
            .bind(CAFE.1)
            .bind(T0)
            .execute(&store.write)
            .await
            .expect("switch off");
        let current = generation(&store).await;
        let mut stale = order("o1", &[(CAFE, &[("mm", 1, true)])], true);
        stale.catalog_generation = Some(current - 1);
        // Priced from a snapshot still current: its switches were checked then, not again.
        let mut snapshot = order("o2", &[(CAFE, &[("cake", 1, false)])], false);
        snapshot.catalog_generation = Some(current);
        let orders = vec![
            stale,
            snapshot,
            order("o3", &[(CAFE, &[("cake", 1, false)])], false),
            // All three units are still there: the stale order reserved nothing.
            order("o4", &[(CAFE, &[("mm", 3, true)])], false),
        ];
        let outcomes = commit_together(&store.write, orders.clone()).await;
        assert!(matches!(refusal(&outcomes[0]), Some(StoreError::CatalogChanged)));
        assert!(outcomes[1].is_ok(), "{:?}", outcomes[1]);
        assert!(matches!(refusal(&outcomes[2]), Some(StoreError::SoldOut { sku }) if sku == "cake"));
        assert!(outcomes[3].is_ok(), "{:?}", outcomes[3]);
        assert_eq!(level(&store, CAFE.1, "mm").await, (3, 3));

        // The same answers as one-by-one placement.
        let (reference, reference_dir) = open().await;
        stock(&reference, CAFE, "mm", 3).await;
        sqlx::query("INSERT INTO sold_out_items (location_id, sku, since_ms) VALUES ($1, 'cake', $2)")
            .bind(CAFE.1)
            .bind(T0)
            .execute(&reference.write)
            .await
            .expect("switch off");
        assert_eq!(generation(&reference).await, current);
        let sequential = one_by_one(&reference, &orders).await;
        assert_eq!(format!("{outcomes:?}"), format!("{sequential:?}"));
        assert_eq!(dump(&store).await, dump(&reference).await);
        finish(store, dir).await;
        finish(reference, reference_dir).await;
    }

    #[tokio::test]
    async fn orders_that_are_not_plain_take_the_savepoint_path_after_the_plain_ones() {
        let (store, dir) = open().await;
        stock(&store, CAFE, "mm", 3).await;
        let mut scheduled = order("o1", &[(CAFE, &[("mm", 1, true)])], true);
        scheduled.order.pickup_at = Some("2023-11-14T23:00:00Z".into());
        let mut coupon = order("o2", &[(CAFE, &[("x", 1, false)])], false);
        coupon.redemptions.push(CouponRedemption {
            coupon_id: "cpn-none".into(),
            code: "NONE".into(),
            customer_key: None,
        });
        let orders = vec![
            scheduled,
            coupon,
            order("o3", &[(CAFE, &[("mm", 2, true)])], false),
            // The plain ones reserve first: this takes the last unit before o1 does.
            order("o4", &[(CAFE, &[("mm", 1, true)])], false),
        ];
        let outcomes = commit_together(&store.write, orders).await;
        assert!(matches!(refusal(&outcomes[0]), Some(StoreError::InsufficientStock { sku }) if sku == "mm"));
        assert!(matches!(refusal(&outcomes[1]), Some(StoreError::CouponUnavailable { code, .. }) if code == "NONE"));
        assert_eq!(outcomes[2].as_ref().map(|record| record.order.number).ok(), Some(1));
        assert_eq!(outcomes[3].as_ref().map(|record| record.order.number).ok(), Some(2));
        assert_eq!(level(&store, CAFE.1, "mm").await, (3, 3));

        // With room, the scheduled order is placed through `place_in` and books its slot.
        stock(&store, CAFE, "tea", 1).await;
        let mut scheduled = order("o5", &[(CAFE, &[("tea", 1, true)])], true);
        scheduled.order.pickup_at = Some("2023-11-14T23:00:00Z".into());
        let outcomes =
            commit_together(&store.write, vec![scheduled, order("o6", &[(CAFE, &[("x", 1, false)])], false)]).await;
        assert_eq!(outcomes[0].as_ref().map(|record| record.order.number).ok(), Some(4));
        assert_eq!(outcomes[1].as_ref().map(|record| record.order.number).ok(), Some(3));
        let booked: i64 = sqlx::query("SELECT COUNT(*) AS n FROM pickup_slot_bookings WHERE fulfillment_id = 'o5-f0'")
            .fetch_one(&store.read)
            .await
            .expect("slots")
            .get("n");
        assert_eq!(booked, 1);
        finish(store, dir).await;
    }

    #[tokio::test]
    async fn a_failing_statement_sends_the_set_one_by_one_and_fails_only_its_order() {
        let (store, dir) = open().await;
        stock(&store, CAFE, "mm", 5).await;
        assert!(
            commit_together(&store.write, vec![order("dup", &[(CAFE, &[("x", 1, false)])], false)]).await[0].is_ok()
        );
        let mut again = order("dup", &[(CAFE, &[("mm", 1, true)])], false);
        again.event_id = "evt-dup-again".into();
        again.fulfillments[0].id = "dup-again-f0".into();
        let orders = vec![
            order("o1", &[(CAFE, &[("mm", 2, true)])], false),
            again,
            order("o2", &[(CAFE, &[("mm", 3, true)])], false),
        ];
        let outcomes = commit_together(&store.write, orders).await;
        assert!(outcomes[0].is_ok(), "{:?}", outcomes[0]);
        assert!(outcomes[1].is_err(), "a second order with the same id is refused");
        assert!(outcomes[2].is_ok(), "{:?}", outcomes[2]);
        assert_eq!(level(&store, CAFE.1, "mm").await, (5, 5));
        finish(store, dir).await;
    }

    #[tokio::test]
    async fn a_batch_writes_what_one_by_one_placement_writes() {
        let (batched, batched_dir) = open().await;
        let (reference, reference_dir) = open().await;
        for store in [&batched, &reference] {
            stock(store, CAFE, "mm", 6).await;
            stock(store, CAFE, "aa", 2).await;
            stock(store, BAKERY, "bread", 3).await;
            stock(store, BAKERY, "mm", 1).await;
        }
        let mut buffered = order("o5", &[(CAFE, &[("mm", 1, true)])], true);
        buffered.safety_buffers = vec![(CAFE.1.into(), 2)];
        let mut factura = order("o6", &[(BAKERY, &[("bread", 1, true)])], true);
        factura.document_kind = DocumentKind::Factura;
        factura.order.customer_tax_id = Some("76.123.456-7".into());
        let orders = vec![
            order(
                "o1",
                &[(CAFE, &[("mm", 2, true), ("aa", 1, true), ("mm", 1, true)]), (BAKERY, &[("mm", 1, true)])],
                true,
            ),
            order("o2", &[(BAKERY, &[("bread", 2, true), ("mm", 1, true)])], false),
            order("o3", &[(CAFE, &[("aa", 1, true), ("latte", 1, false)])], false),
            order("o4", &[(CAFE, &[("aa", 1, true)])], true),
            // 3 mm left at the café, 2 kept back from this order's channel: 1 fits.
            buffered,
            factura,
            order("o7", &[(CAFE, &[("mm", 1, true)])], false),
        ];
        let batch = commit_together(&batched.write, orders.clone()).await;
        let sequential = one_by_one(&reference, &orders).await;
        let answers = |outcomes: &[StoreResult<OrderRecord>]| -> Vec<String> {
            outcomes.iter().map(|outcome| format!("{outcome:?}")).collect()
        };
        assert_eq!(answers(&batch), answers(&sequential));
        assert_eq!(batch.iter().filter(|outcome| outcome.is_ok()).count(), 5);
        assert_eq!(stock_event_levels(&batched).await, stock_event_levels(&reference).await);
        assert_eq!(dump(&batched).await, dump(&reference).await);
        let created = sqlx::query("SELECT * FROM outbox WHERE event_id = 'evt-o1'")
            .fetch_one(&batched.read)
            .await
            .expect("order.created");
        let event = outbox_from(&created).expect("outbox row");
        assert!(event.payload_json.contains("\"number\":1"), "{}", event.payload_json);
        finish(batched, batched_dir).await;
        finish(reference, reference_dir).await;
    }

    #[tokio::test]
    async fn a_batch_too_big_for_one_statement_is_split() {
        let (store, dir) = open().await;
        stock(&store, CAFE, "mm", 10_000).await;
        let lines: Vec<Line<'_>> = (0..12).map(|_| ("mm", 1, true)).collect();
        let orders: Vec<NewOrder> = (0..crate::sql::group_commit::MAX_BATCH)
            .map(|n| order(&format!("o{n}"), &[(CAFE, &lines)], true))
            .collect();
        let outcomes = commit_together(&store.write, orders).await;
        assert!(outcomes.iter().all(Result::is_ok));
        let lines: i64 = sqlx::query("SELECT COUNT(*) AS n FROM fulfillment_lines")
            .fetch_one(&store.read)
            .await
            .expect("lines")
            .get("n");
        assert_eq!(lines, 256 * 12, "more lines than one statement's variables hold");
        assert_eq!(level(&store, CAFE.1, "mm").await, (10_000, 256 * 12));
        let last = stock_event_levels(&store).await.pop();
        assert_eq!(last, Some(("evt-o255-s11".to_owned(), 10_000, 256 * 12)));
        finish(store, dir).await;
    }
}
