//! [`PosPickupStore`]: pay-at-pickup parts collected at a till.
//!
//! A collection is one transaction: the session row is locked open first (as a sale does, so
//! a close never misses money it took), then the part goes to `collected` through the same
//! step every handover takes (`tx::transition::apply_change_in`: its capture, its stock sale
//! and their events; a part that moved meanwhile is `StaleState`, which also makes a second,
//! concurrent collection of the part lose before it could insert a second row), then the
//! collection and its tenders, and the session's `pos.session_changed`.

use async_trait::async_trait;
use omnicanal_domain::pos::TenderMethod;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::get_parsed;
use super::order_rows::{currency, read_order, read_part};
use super::outbox::insert_event;
use super::pos::lock_open_session;
use super::tx::transition::apply_change_in;
use crate::backend::SqlStore;
use crate::rows::{
    FulfillmentRecord, NewPickupCollection, OrderRecord, PickupCollectionRow, PickupPaymentRow, PosSessionTotals,
};
use crate::{PosPickupStore, StoreError, StoreResult};

/// Most parts one pickup code is looked up among (four digits repeat, rarely).
const MAX_PARTS_PER_CODE: i64 = 20;

const COLLECTION_COLUMNS: &str = "fulfillment_id, order_id, session_id, device_id, merchant_id, location_id, \
    currency, amount_minor, change_minor, created_by, created_at_ms";

fn collection_from(row: &AnyRow) -> Result<PickupCollectionRow, sqlx::Error> {
    Ok(PickupCollectionRow {
        fulfillment_id: row.try_get("fulfillment_id")?,
        order_id: row.try_get("order_id")?,
        session_id: row.try_get("session_id")?,
        device_id: row.try_get("device_id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        currency: get_parsed(row, "currency", currency)?,
        amount_minor: row.try_get("amount_minor")?,
        change_minor: row.try_get("change_minor")?,
        created_by: row.try_get("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn payment_from(row: &AnyRow) -> Result<PickupPaymentRow, sqlx::Error> {
    Ok(PickupPaymentRow {
        method: get_parsed(row, "method", TenderMethod::parse)?,
        amount_minor: row.try_get("amount_minor")?,
        tendered_minor: row.try_get("tendered_minor")?,
        reference: row.try_get("reference")?,
    })
}

/// Adds a session's collected pickups to its figures, read on `connection` (inside the
/// close's transaction when closing).
pub(crate) async fn add_pickup_totals(
    connection: &mut sqlx::AnyConnection,
    session_id: &str,
    totals: &mut PosSessionTotals,
) -> StoreResult<()> {
    let collected = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS total \
         FROM pos_pickup_collections WHERE session_id = $1",
    )
    .bind(session_id)
    .fetch_one(&mut *connection)
    .await?;
    totals.pickups_count = collected.try_get("n")?;
    totals.pickups_total_minor = collected.try_get("total")?;
    let methods = sqlx::query(
        "SELECT p.method, CAST(SUM(p.amount_minor) AS BIGINT) AS amount FROM pos_pickup_payments p \
         JOIN pos_pickup_collections c ON c.fulfillment_id = p.fulfillment_id WHERE c.session_id = $1 \
         GROUP BY p.method ORDER BY p.method",
    )
    .bind(session_id)
    .fetch_all(&mut *connection)
    .await?;
    for row in &methods {
        totals.pickups_by_method.push((get_parsed(row, "method", TenderMethod::parse)?, row.try_get("amount")?));
    }
    Ok(())
}

/// The cash the session's collected pickups left in the drawer.
pub(crate) fn pickup_cash_of(totals: &PosSessionTotals) -> i64 {
    totals.pickups_by_method.iter().filter(|(method, _)| *method == TenderMethod::Cash).map(|(_, amount)| amount).sum()
}

#[async_trait]
impl PosPickupStore for SqlStore {
    async fn find_pickup_parts(&self, location_id: &str, pickup_code: &str) -> StoreResult<Vec<FulfillmentRecord>> {
        let ids = sqlx::query(
            "SELECT id FROM fulfillments WHERE location_id = $1 AND pickup_code = $2 \
             ORDER BY created_at_ms DESC, id DESC LIMIT $3",
        )
        .bind(location_id)
        .bind(pickup_code)
        .bind(MAX_PARTS_PER_CODE)
        .fetch_all(&self.read)
        .await?;
        let mut parts = Vec::with_capacity(ids.len());
        for row in &ids {
            let id: String = row.try_get("id")?;
            if let Some(part) = read_part(&self.read, &id).await? {
                parts.push(part);
            }
        }
        Ok(parts)
    }

    async fn get_pickup_collection(
        &self,
        fulfillment_id: &str,
    ) -> StoreResult<Option<(PickupCollectionRow, Vec<PickupPaymentRow>)>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLLECTION_COLUMNS} FROM pos_pickup_collections WHERE fulfillment_id = $1"
        )))
        .bind(fulfillment_id)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let payments = sqlx::query(
            "SELECT method, amount_minor, tendered_minor, reference FROM pos_pickup_payments \
             WHERE fulfillment_id = $1 ORDER BY position",
        )
        .bind(fulfillment_id)
        .fetch_all(&self.read)
        .await?;
        Ok(Some((collection_from(&row)?, payments.iter().map(payment_from).collect::<Result<_, _>>()?)))
    }

    async fn collect_pickup(&self, new: &NewPickupCollection) -> StoreResult<OrderRecord> {
        let collection = &new.collection;
        let mut transaction = self.write.begin().await?;
        lock_open_session(&mut transaction, &collection.session_id).await?;
        // Gift card and store credit tenders are spent here, so the handover and the spend
        // commit together or not at all — before the stock, as a till sale does, so the two
        // never lock the same rows in opposite orders.
        crate::sql::tx::credit::spend_pickup_tenders(&mut transaction, new).await?;
        apply_change_in(&mut transaction, &new.change).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO pos_pickup_collections ({COLLECTION_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )))
        .bind(&collection.fulfillment_id)
        .bind(&collection.order_id)
        .bind(&collection.session_id)
        .bind(&collection.device_id)
        .bind(&collection.merchant_id)
        .bind(&collection.location_id)
        .bind(collection.currency.code())
        .bind(collection.amount_minor)
        .bind(collection.change_minor)
        .bind(&collection.created_by)
        .bind(collection.created_at_ms)
        .execute(&mut *transaction)
        .await?;
        for (position, payment) in new.payments.iter().enumerate() {
            sqlx::query(
                "INSERT INTO pos_pickup_payments (fulfillment_id, position, method, amount_minor, tendered_minor, reference) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&collection.fulfillment_id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(payment.method.as_str())
            .bind(payment.amount_minor)
            .bind(payment.tendered_minor)
            .bind(&payment.reference)
            .execute(&mut *transaction)
            .await?;
        }
        if new.extra_captured_minor > 0 {
            sqlx::query("UPDATE fulfillments SET captured_minor = captured_minor + $1 WHERE id = $2")
                .bind(new.extra_captured_minor)
                .bind(&collection.fulfillment_id)
                .execute(&mut *transaction)
                .await?;
            sqlx::query("UPDATE orders SET captured_minor = captured_minor + $1 WHERE id = $2")
                .bind(new.extra_captured_minor)
                .bind(&collection.order_id)
                .execute(&mut *transaction)
                .await?;
        }
        insert_event(&mut transaction, new.session_event.clone()).await?;
        transaction.commit().await?;
        read_order(&self.write, &collection.order_id).await?.ok_or(StoreError::NotFound)
    }
}
