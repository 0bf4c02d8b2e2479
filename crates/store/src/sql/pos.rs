//! [`PosStore`]: the till's devices, cash sessions, sales and stock conflicts.
//!
//! A sale is recorded in one transaction with everything it changes: the sale, its lines and
//! payments, a `sale` movement per tracked SKU with its `stock.changed`, any stock conflict,
//! and `pos.sale_recorded`. The session row is touched by a conditional update first, so a
//! sale and the session's close never interleave (the close reads the cash sums inside its
//! own transaction after locking the same row).

use async_trait::async_trait;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::{DomainEvent, PosConflictSummary, PosSessionChanged, SessionAction};
use omnicanal_domain::inventory::MovementReason;
use omnicanal_domain::pos::{CashDirection, CashTotals, SessionStatus, TenderMethod, close_session};
use omnicanal_domain::{DomainError, Money};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{flag, get_flag, get_parsed};
use super::order_rows::currency;
use super::outbox::insert_event;
use super::tx::Tx;
use super::tx::ledger::{ensure_level, record_movement};
use crate::backend::SqlStore;
use crate::constraints::{Reference, or_missing};
use crate::rows::{
    NewEvent, NewPosSale, Page, PosCashMovementRow, PosDeviceRow, PosPaymentRow, PosSaleOutcome, PosSaleRow,
    PosSessionRow, PosSessionTotals, ReceiptDuplicateRow, StockConflictRow, StockMovementRow,
};
use crate::{PosStore, StoreError, StoreResult};

/// The cause of a conflict opened by an offline sale the ledger could not cover.
pub const OFFLINE_SALE_SHORT: &str = "offline_sale_short";

const DEVICE_COLUMNS: &str = "id, merchant_id, location_id, name, receipt_series, created_by, created_at_ms";
const SESSION_COLUMNS: &str = "id, device_id, merchant_id, location_id, currency, status, opening_float_minor, \
    opened_by, opened_at_ms, expected_cash_minor, counted_cash_minor, closed_by, closed_at_ms";
const SALE_COLUMNS: &str = "id, session_id, device_id, merchant_id, location_id, receipt_number, receipt_n, \
    request_hash, offline, sold_at_ms, recorded_at_ms, currency, total_minor, discount_minor, tax_minor, \
    change_minor, customer_json, created_by, answer_json";
const CONFLICT_COLUMNS: &str =
    "id, merchant_id, location_id, sku, shortfall, cause, sale_id, order_id, status, created_at_ms";

fn device_from(row: &AnyRow) -> Result<PosDeviceRow, sqlx::Error> {
    Ok(PosDeviceRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        name: row.try_get("name")?,
        receipt_series: row.try_get("receipt_series")?,
        created_by: row.try_get("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn session_from(row: &AnyRow) -> Result<PosSessionRow, sqlx::Error> {
    Ok(PosSessionRow {
        id: row.try_get("id")?,
        device_id: row.try_get("device_id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        currency: get_parsed(row, "currency", currency)?,
        status: get_parsed(row, "status", SessionStatus::parse)?,
        opening_float_minor: row.try_get("opening_float_minor")?,
        opened_by: row.try_get("opened_by")?,
        opened_at_ms: row.try_get("opened_at_ms")?,
        expected_cash_minor: row.try_get("expected_cash_minor")?,
        counted_cash_minor: row.try_get("counted_cash_minor")?,
        closed_by: row.try_get("closed_by")?,
        closed_at_ms: row.try_get("closed_at_ms")?,
    })
}

fn sale_from(row: &AnyRow) -> Result<PosSaleRow, sqlx::Error> {
    Ok(PosSaleRow {
        id: row.try_get("id")?,
        session_id: row.try_get("session_id")?,
        device_id: row.try_get("device_id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        receipt_number: row.try_get("receipt_number")?,
        receipt_n: row.try_get("receipt_n")?,
        request_hash: row.try_get("request_hash")?,
        offline: get_flag(row, "offline")?,
        sold_at_ms: row.try_get("sold_at_ms")?,
        recorded_at_ms: row.try_get("recorded_at_ms")?,
        currency: get_parsed(row, "currency", currency)?,
        total_minor: row.try_get("total_minor")?,
        discount_minor: row.try_get("discount_minor")?,
        tax_minor: row.try_get("tax_minor")?,
        change_minor: row.try_get("change_minor")?,
        customer_json: row.try_get("customer_json")?,
        created_by: row.try_get("created_by")?,
        answer_json: row.try_get("answer_json")?,
    })
}

/// A conflict's own columns; the conflicts page's detail reads reuse it for their `conflict` part.
pub(crate) fn conflict_from(row: &AnyRow) -> Result<StockConflictRow, sqlx::Error> {
    Ok(StockConflictRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        sku: row.try_get("sku")?,
        shortfall: row.try_get("shortfall")?,
        cause: row.try_get("cause")?,
        sale_id: row.try_get("sale_id")?,
        order_id: row.try_get("order_id")?,
        status: row.try_get("status")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

fn cash_movement_from(row: &AnyRow) -> Result<PosCashMovementRow, sqlx::Error> {
    Ok(PosCashMovementRow {
        id: row.try_get("id")?,
        session_id: row.try_get("session_id")?,
        direction: get_parsed(row, "direction", CashDirection::parse)?,
        amount_minor: row.try_get("amount_minor")?,
        reason: row.try_get("reason")?,
        created_by: row.try_get("created_by")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

/// Locks an open session's row until commit (a no-op update that only an open session
/// matches); `SessionClosed` otherwise, `NotFound` when there is none.
pub(crate) async fn lock_open_session(transaction: &mut Tx, session_id: &str) -> StoreResult<PosSessionRow> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE pos_sessions SET status = status WHERE id = $1 AND status = 'open' RETURNING {SESSION_COLUMNS}"
    )))
    .bind(session_id)
    .fetch_optional(&mut **transaction)
    .await?;
    match row {
        Some(row) => Ok(session_from(&row)?),
        None => {
            let exists = sqlx::query("SELECT id FROM pos_sessions WHERE id = $1")
                .bind(session_id)
                .fetch_optional(&mut **transaction)
                .await?;
            Err(if exists.is_some() { StoreError::SessionClosed } else { StoreError::NotFound })
        }
    }
}

/// The figures of a session, read on `connection` (inside the caller's transaction, if any).
async fn totals_in(connection: &mut sqlx::AnyConnection, session_id: &str) -> StoreResult<PosSessionTotals> {
    let sales = sqlx::query(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(total_minor), 0) AS BIGINT) AS total, \
         CAST(COALESCE(SUM(discount_minor), 0) AS BIGINT) AS discount, CAST(COALESCE(SUM(tax_minor), 0) AS BIGINT) AS tax, \
         CAST(COALESCE(SUM(change_minor), 0) AS BIGINT) AS change, CAST(COALESCE(SUM(offline), 0) AS BIGINT) AS offline \
         FROM pos_sales WHERE session_id = $1",
    )
    .bind(session_id)
    .fetch_one(&mut *connection)
    .await?;
    let methods = sqlx::query(
        "SELECT p.method, CAST(SUM(p.amount_minor) AS BIGINT) AS amount FROM pos_sale_payments p \
         JOIN pos_sales s ON s.id = p.sale_id WHERE s.session_id = $1 GROUP BY p.method ORDER BY p.method",
    )
    .bind(session_id)
    .fetch_all(&mut *connection)
    .await?;
    let cash = sqlx::query(
        "SELECT direction, CAST(SUM(amount_minor) AS BIGINT) AS amount FROM pos_cash_movements \
         WHERE session_id = $1 GROUP BY direction",
    )
    .bind(session_id)
    .fetch_all(&mut *connection)
    .await?;
    let mut totals = PosSessionTotals {
        sales_count: sales.try_get("n")?,
        total_minor: sales.try_get("total")?,
        discount_minor: sales.try_get("discount")?,
        tax_minor: sales.try_get("tax")?,
        change_minor: sales.try_get("change")?,
        offline_count: sales.try_get("offline")?,
        ..PosSessionTotals::default()
    };
    for row in &methods {
        totals.by_method.push((get_parsed(row, "method", TenderMethod::parse)?, row.try_get("amount")?));
    }
    for row in &cash {
        let amount: i64 = row.try_get("amount")?;
        match get_parsed(row, "direction", CashDirection::parse)? {
            CashDirection::In => totals.cash_in_minor = amount,
            CashDirection::Out => totals.cash_out_minor = amount,
        }
    }
    super::pos_pickups::add_pickup_totals(connection, session_id, &mut totals).await?;
    Ok(totals)
}

fn cash_of(totals: &PosSessionTotals) -> i64 {
    totals.by_method.iter().filter(|(method, _)| *method == TenderMethod::Cash).map(|(_, amount)| amount).sum()
}

async fn conflicts_of_sale<'e, E>(executor: E, sale_id: &str) -> StoreResult<Vec<StockConflictRow>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {CONFLICT_COLUMNS} FROM stock_conflicts WHERE sale_id = $1 ORDER BY sku"
    )))
    .bind(sale_id)
    .fetch_all(executor)
    .await?;
    Ok(rows.iter().map(conflict_from).collect::<Result<_, _>>()?)
}

/// A live order holding units of `sku` at the location, newest first: the one a shortfall
/// may leave unserved.
async fn order_holding(transaction: &mut Tx, location_id: &str, sku: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT f.order_id FROM fulfillments f JOIN fulfillment_lines l ON l.fulfillment_id = f.id \
         WHERE f.location_id = $1 AND l.sku = $2 AND l.track_stock = 1 \
         AND f.status IN ('placed', 'accepted', 'preparing', 'ready') ORDER BY f.created_at_ms DESC LIMIT 1",
    )
    .bind(location_id)
    .bind(sku)
    .fetch_optional(&mut **transaction)
    .await?;
    row.map(|row| row.try_get("order_id")).transpose()
}

#[async_trait]
impl PosStore for SqlStore {
    async fn insert_pos_device(&self, device: &PosDeviceRow) -> StoreResult<()> {
        let result = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO pos_devices ({DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )))
        .bind(&device.id)
        .bind(&device.merchant_id)
        .bind(&device.location_id)
        .bind(&device.name)
        .bind(&device.receipt_series)
        .bind(&device.created_by)
        .bind(device.created_at_ms)
        .execute(&self.write)
        .await;
        or_missing(&self.read, result, &[(Reference::Location, &device.location_id)]).await?;
        Ok(())
    }

    async fn get_pos_device(&self, id: &str) -> StoreResult<Option<PosDeviceRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {DEVICE_COLUMNS} FROM pos_devices WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(device_from).transpose()?)
    }

    async fn list_pos_devices(&self, location_id: &str) -> StoreResult<Vec<PosDeviceRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {DEVICE_COLUMNS} FROM pos_devices WHERE location_id = $1 ORDER BY name, id"
        )))
        .bind(location_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(device_from).collect::<Result<_, _>>()?)
    }

    async fn open_pos_session(&self, session: &PosSessionRow, event: &NewEvent) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO pos_sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        )))
        .bind(&session.id)
        .bind(&session.device_id)
        .bind(&session.merchant_id)
        .bind(&session.location_id)
        .bind(session.currency.code())
        .bind(session.status.as_str())
        .bind(session.opening_float_minor)
        .bind(&session.opened_by)
        .bind(session.opened_at_ms)
        .bind(session.expected_cash_minor)
        .bind(session.counted_cash_minor)
        .bind(&session.closed_by)
        .bind(session.closed_at_ms)
        .execute(&mut *transaction)
        .await?;
        insert_event(&mut transaction, event.clone()).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn get_pos_session(&self, id: &str) -> StoreResult<Option<PosSessionRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SESSION_COLUMNS} FROM pos_sessions WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(session_from).transpose()?)
    }

    async fn list_pos_sessions(&self, device_id: &str, page: Page) -> StoreResult<Vec<PosSessionRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION_COLUMNS} FROM pos_sessions WHERE device_id = $1 ORDER BY opened_at_ms DESC, id DESC \
             LIMIT $2 OFFSET $3"
        )))
        .bind(device_id)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(session_from).collect::<Result<_, _>>()?)
    }

    async fn add_pos_cash_movement(&self, movement: &PosCashMovementRow, event: &NewEvent) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        lock_open_session(&mut transaction, &movement.session_id).await?;
        sqlx::query(
            "INSERT INTO pos_cash_movements (id, session_id, direction, amount_minor, reason, created_by, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&movement.id)
        .bind(&movement.session_id)
        .bind(movement.direction.as_str())
        .bind(movement.amount_minor)
        .bind(&movement.reason)
        .bind(&movement.created_by)
        .bind(movement.created_at_ms)
        .execute(&mut *transaction)
        .await?;
        insert_event(&mut transaction, event.clone()).await?;
        transaction.commit().await?;
        Ok(())
    }

    async fn list_pos_cash_movements(&self, session_id: &str) -> StoreResult<Vec<PosCashMovementRow>> {
        let rows = sqlx::query(
            "SELECT id, session_id, direction, amount_minor, reason, created_by, created_at_ms FROM pos_cash_movements \
             WHERE session_id = $1 ORDER BY created_at_ms, id",
        )
        .bind(session_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(cash_movement_from).collect::<Result<_, _>>()?)
    }

    async fn close_pos_session(
        &self,
        session_id: &str,
        counted_cash_minor: i64,
        closed_by: &str,
        closed_at_ms: i64,
        event_id: &str,
    ) -> StoreResult<PosSessionRow> {
        close_in(self, session_id, counted_cash_minor, None, closed_by, closed_at_ms, event_id).await
    }

    async fn pos_session_totals(&self, session_id: &str) -> StoreResult<PosSessionTotals> {
        let mut connection = self.read.acquire().await?;
        totals_in(&mut connection, session_id).await
    }

    async fn record_pos_sale(&self, new: &NewPosSale) -> StoreResult<PosSaleOutcome> {
        let sale = &new.sale;
        let mut transaction = self.write.begin().await?;
        let existing = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SALE_COLUMNS} FROM pos_sales WHERE id = $1")))
            .bind(&sale.id)
            .fetch_optional(&mut *transaction)
            .await?;
        if let Some(existing) = existing {
            let existing = sale_from(&existing)?;
            let conflicts = conflicts_of_sale(&mut *transaction, &existing.id).await?;
            return Ok(PosSaleOutcome::Existing(Box::new(existing), conflicts));
        }
        let taken = sqlx::query("SELECT id FROM pos_sales WHERE device_id = $1 AND receipt_n = $2")
            .bind(&sale.device_id)
            .bind(sale.receipt_n)
            .fetch_optional(&mut *transaction)
            .await?;
        if let Some(taken) = taken {
            return Ok(PosSaleOutcome::ReceiptTaken(taken.try_get("id")?));
        }
        lock_open_session(&mut transaction, &sale.session_id).await?;
        insert_sale(&mut transaction, new).await?;
        let mut conflicts = Vec::new();
        for line in &new.stock {
            let movement = StockMovementRow {
                id: line.movement_id.clone(),
                sku: line.sku.clone(),
                location_id: sale.location_id.clone(),
                merchant_id: sale.merchant_id.clone(),
                delta: -line.quantity,
                reason: MovementReason::Sale,
                reference: Some(sale.id.clone()),
                channel: Some(Channel::Pos),
                created_by: sale.created_by.clone(),
                created_at_ms: sale.recorded_at_ms,
                event_id: line.event_id.clone(),
            };
            ensure_level(&mut transaction, &movement).await?;
            let given = if sale.offline {
                // The goods left the store: take what the ledger has available, never more.
                let level = sqlx::query(
                    "UPDATE stock_levels SET on_hand = on_hand WHERE location_id = $1 AND sku = $2 \
                     RETURNING on_hand, reserved",
                )
                .bind(&sale.location_id)
                .bind(&line.sku)
                .fetch_one(&mut *transaction)
                .await?;
                let available: i64 = level.try_get::<i64, _>("on_hand")? - level.try_get::<i64, _>("reserved")?;
                line.quantity.min(available.max(0))
            } else {
                line.quantity
            };
            if given > 0 {
                let level = sqlx::query(
                    "UPDATE stock_levels SET on_hand = on_hand - $1 \
                     WHERE location_id = $2 AND sku = $3 AND on_hand - reserved >= $1 RETURNING on_hand, reserved",
                )
                .bind(given)
                .bind(&sale.location_id)
                .bind(&line.sku)
                .fetch_optional(&mut *transaction)
                .await?;
                let Some(level) = level else {
                    return Err(StoreError::InsufficientStock { sku: line.sku.clone() });
                };
                let level = (level.try_get("on_hand")?, level.try_get("reserved")?);
                record_movement(&mut transaction, &StockMovementRow { delta: -given, ..movement }, level).await?;
            }
            let shortfall = line.quantity - given;
            if shortfall > 0 {
                let conflict = StockConflictRow {
                    id: line.conflict_id.clone(),
                    merchant_id: sale.merchant_id.clone(),
                    location_id: sale.location_id.clone(),
                    sku: line.sku.clone(),
                    shortfall,
                    cause: OFFLINE_SALE_SHORT.to_owned(),
                    sale_id: Some(sale.id.clone()),
                    order_id: order_holding(&mut transaction, &sale.location_id, &line.sku).await?,
                    status: "open".to_owned(),
                    created_at_ms: sale.recorded_at_ms,
                };
                insert_conflict(&mut transaction, &conflict).await?;
                conflicts.push(conflict);
            }
        }
        let mut event = new.event.clone();
        if let DomainEvent::PosSaleRecorded(recorded) = &mut event.event {
            recorded.conflicts = conflicts
                .iter()
                .map(|c| PosConflictSummary {
                    id: c.id.clone(),
                    sku: c.sku.clone(),
                    shortfall: c.shortfall,
                    cause: c.cause.clone(),
                })
                .collect();
        }
        insert_event(&mut transaction, event).await?;
        transaction.commit().await?;
        Ok(PosSaleOutcome::Recorded(conflicts))
    }

    async fn get_pos_sale(&self, id: &str) -> StoreResult<Option<(PosSaleRow, Vec<StockConflictRow>)>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SALE_COLUMNS} FROM pos_sales WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let sale = sale_from(&row)?;
        let conflicts = conflicts_of_sale(&self.read, id).await?;
        Ok(Some((sale, conflicts)))
    }

    async fn list_pos_sale_payments(&self, sale_id: &str) -> StoreResult<Vec<PosPaymentRow>> {
        let rows = sqlx::query(
            "SELECT method, amount_minor, tendered_minor, reference, card_last4 FROM pos_sale_payments \
             WHERE sale_id = $1 ORDER BY position",
        )
        .bind(sale_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(PosPaymentRow {
                    method: get_parsed(row, "method", TenderMethod::parse)?,
                    amount_minor: row.try_get("amount_minor")?,
                    tendered_minor: row.try_get("tendered_minor")?,
                    reference: row.try_get("reference")?,
                    card_last4: row.try_get("card_last4")?,
                })
            })
            .collect()
    }

    async fn pos_receipt_numbers(&self, device_id: &str) -> StoreResult<Vec<i64>> {
        let rows = sqlx::query("SELECT receipt_n FROM pos_sales WHERE device_id = $1 ORDER BY receipt_n")
            .bind(device_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(|row| row.try_get("receipt_n")).collect::<Result<_, _>>()?)
    }

    async fn record_receipt_duplicate(&self, duplicate: &ReceiptDuplicateRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO pos_receipt_duplicates (device_id, receipt_n, receipt_number, sale_id, refused_sale_id, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(&duplicate.device_id)
        .bind(duplicate.receipt_n)
        .bind(&duplicate.receipt_number)
        .bind(&duplicate.sale_id)
        .bind(&duplicate.refused_sale_id)
        .bind(duplicate.at_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn list_receipt_duplicates(&self, device_id: &str) -> StoreResult<Vec<ReceiptDuplicateRow>> {
        let rows = sqlx::query(
            "SELECT device_id, receipt_n, receipt_number, sale_id, refused_sale_id, at_ms FROM pos_receipt_duplicates \
             WHERE device_id = $1 ORDER BY receipt_n, at_ms",
        )
        .bind(device_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ReceiptDuplicateRow {
                    device_id: row.try_get("device_id")?,
                    receipt_n: row.try_get("receipt_n")?,
                    receipt_number: row.try_get("receipt_number")?,
                    sale_id: row.try_get("sale_id")?,
                    refused_sale_id: row.try_get("refused_sale_id")?,
                    at_ms: row.try_get("at_ms")?,
                })
            })
            .collect()
    }

    async fn list_stock_conflicts(
        &self,
        location_id: &str,
        status: Option<&str>,
        page: Page,
    ) -> StoreResult<Vec<StockConflictRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CONFLICT_COLUMNS} FROM stock_conflicts WHERE location_id = $1 AND ($2 IS NULL OR status = $2) \
             ORDER BY created_at_ms DESC, id DESC LIMIT $3 OFFSET $4"
        )))
        .bind(location_id)
        .bind(status)
        .bind(page.limit)
        .bind(page.offset)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(conflict_from).collect::<Result<_, _>>()?)
    }
}

/// Closes an open session (see [`PosStore::close_pos_session`]), keeping the count per
/// denomination when one was given.
pub(crate) async fn close_in(
    store: &SqlStore,
    session_id: &str,
    counted_cash_minor: i64,
    denominations_json: Option<&str>,
    closed_by: &str,
    closed_at_ms: i64,
    event_id: &str,
) -> StoreResult<PosSessionRow> {
    let mut transaction = store.write.begin().await?;
    let session = lock_open_session(&mut transaction, session_id).await?;
    let totals = totals_in(&mut transaction, session_id).await?;
    let money = |amount| Money::new(amount, session.currency);
    let cash = CashTotals {
        opening_float: money(session.opening_float_minor),
        cash_sales: money(cash_of(&totals)),
        cash_in: money(totals.cash_in_minor),
        cash_out: money(totals.cash_out_minor),
        pickup_cash: money(super::pos_pickups::pickup_cash_of(&totals)),
    };
    let outcome = close_session(session.status, &cash, money(counted_cash_minor)).map_err(|error| match error {
        DomainError::SessionNotOpen => StoreError::SessionClosed,
        _ => StoreError::Inconsistent("a session's cash does not add up"),
    })?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE pos_sessions SET status = 'closed', expected_cash_minor = $1, counted_cash_minor = $2, \
         closed_by = $3, closed_at_ms = $4 WHERE id = $5 AND status = 'open' RETURNING {SESSION_COLUMNS}"
    )))
    .bind(outcome.expected.amount_minor)
    .bind(counted_cash_minor)
    .bind(closed_by)
    .bind(closed_at_ms)
    .bind(session_id)
    .fetch_one(&mut *transaction)
    .await?;
    let closed = session_from(&row)?;
    if let Some(json) = denominations_json {
        sqlx::query("UPDATE pos_sessions SET denominations_json = $1 WHERE id = $2")
            .bind(json)
            .bind(session_id)
            .execute(&mut *transaction)
            .await?;
    }
    let event = DomainEvent::PosSessionChanged(PosSessionChanged {
        session_id: closed.id.clone(),
        merchant_id: closed.merchant_id.clone(),
        location_id: closed.location_id.clone(),
        device_id: closed.device_id.clone(),
        action: SessionAction::Closed,
        amount: None,
        reason: None,
        expected_cash: Some(outcome.expected),
        counted_cash: Some(outcome.counted),
        difference: Some(outcome.difference),
    });
    insert_event(&mut transaction, NewEvent { event_id: event_id.to_owned(), created_at_ms: closed_at_ms, event })
        .await?;
    transaction.commit().await?;
    Ok(closed)
}

async fn insert_sale(transaction: &mut Tx, new: &NewPosSale) -> StoreResult<()> {
    let sale = &new.sale;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO pos_sales ({SALE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19)"
    )))
    .bind(&sale.id)
    .bind(&sale.session_id)
    .bind(&sale.device_id)
    .bind(&sale.merchant_id)
    .bind(&sale.location_id)
    .bind(&sale.receipt_number)
    .bind(sale.receipt_n)
    .bind(&sale.request_hash)
    .bind(flag(sale.offline))
    .bind(sale.sold_at_ms)
    .bind(sale.recorded_at_ms)
    .bind(sale.currency.code())
    .bind(sale.total_minor)
    .bind(sale.discount_minor)
    .bind(sale.tax_minor)
    .bind(sale.change_minor)
    .bind(&sale.customer_json)
    .bind(&sale.created_by)
    .bind(&sale.answer_json)
    .execute(&mut **transaction)
    .await?;
    for (position, line) in new.lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO pos_sale_lines (sale_id, position, sku, quantity, unit_price_minor, discount_minor, tax_minor, \
             total_minor, track_stock, modifiers_json, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&sale.id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&line.sku)
        .bind(line.quantity)
        .bind(line.unit_price_minor)
        .bind(line.discount_minor)
        .bind(line.tax_minor)
        .bind(line.total_minor)
        .bind(flag(line.track_stock))
        .bind(&line.modifiers_json)
        .bind(&line.note)
        .execute(&mut **transaction)
        .await?;
    }
    count_coupon_uses(transaction, new).await?;
    for (position, payment) in new.payments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO pos_sale_payments (sale_id, position, method, amount_minor, tendered_minor, reference, card_last4) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&sale.id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(payment.method.as_str())
        .bind(payment.amount_minor)
        .bind(payment.tendered_minor)
        .bind(&payment.reference)
        .bind(&payment.card_last4)
        .execute(&mut **transaction)
        .await?;
    }
    super::pos_approvals::record_sale_accounting(transaction, &sale.id, &new.accounting).await?;
    // Gift cards and store credit (issue 17 point 8) are spent in the sale's own transaction.
    super::tx::credit::spend_sale_tenders(transaction, new).await?;
    Ok(())
}

/// Counts the coupons a till sale used, with no limit check: the engine checked them when the
/// sale was priced, and a sale that happened (offline perhaps) is never refused for a coupon.
async fn count_coupon_uses(transaction: &mut Tx, new: &NewPosSale) -> StoreResult<()> {
    for redemption in &new.redemptions {
        sqlx::query("UPDATE coupons SET used = used + 1 WHERE id = $1")
            .bind(&redemption.coupon_id)
            .execute(&mut **transaction)
            .await?;
        if let Some(customer) = &redemption.customer_key {
            sqlx::query(
                "INSERT INTO coupon_customer_uses (coupon_id, customer_key, used) VALUES ($1, $2, 1) \
                 ON CONFLICT (coupon_id, customer_key) DO UPDATE SET used = coupon_customer_uses.used + 1",
            )
            .bind(&redemption.coupon_id)
            .bind(customer)
            .execute(&mut **transaction)
            .await?;
        }
        sqlx::query(
            "INSERT INTO coupon_redemptions (coupon_id, order_id, customer_key, created_at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(&redemption.coupon_id)
        .bind(&new.sale.id)
        .bind(&redemption.customer_key)
        .bind(new.sale.recorded_at_ms)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

async fn insert_conflict(transaction: &mut Tx, conflict: &StockConflictRow) -> Result<(), sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO stock_conflicts ({CONFLICT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )))
    .bind(&conflict.id)
    .bind(&conflict.merchant_id)
    .bind(&conflict.location_id)
    .bind(&conflict.sku)
    .bind(conflict.shortfall)
    .bind(&conflict.cause)
    .bind(&conflict.sale_id)
    .bind(&conflict.order_id)
    .bind(&conflict.status)
    .bind(conflict.created_at_ms)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
