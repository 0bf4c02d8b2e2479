//! [`BookingStore`] in SQL: resources, services and bookings, and the claim that makes a
//! double booking impossible.
//!
//! A booking is written in one transaction: its row, one `booking_claims` row per grid cell it
//! holds (its time and its buffer, computed by the domain's `Occupancy`), and its
//! `booking.created` event. The claims' primary key `(resource_id, cell_start_ms)` is the
//! guarantee: whichever of two overlapping bookings commits first keeps the cells and the
//! other's INSERT fails with a unique violation, which is answered as [`BookingInsert::Taken`]
//! after the transaction is rolled back — on SQLite (one writer at a time) and on PostgreSQL
//! (the second waits on the first's index entry, on any node) alike. No read decides it.
//! Cells are inserted in ascending order in one statement, so two bookings cannot deadlock.
//! Every booking — one resource, joined tables, held — is stored by the one
//! `booking_life::insert_claimed_booking`.

use async_trait::async_trait;
use omnicanal_domain::Money;
use omnicanal_domain::bookings::booking::{BookingStatus, BookingWindow};
use omnicanal_domain::bookings::resources::ResourceKind;
use omnicanal_domain::bookings::settings::BookingSettings;
use sqlx::Row;
use sqlx::any::AnyRow;
use sqlx::error::ErrorKind;

use super::booking_deposits::end_claimed_booking;
use super::booking_life::insert_claimed_booking;
use super::columns::{get_parsed, get_parsed_opt, in_list};
use super::order_rows::currency;
use crate::backend::SqlStore;
use crate::rows::{
    BookingEnd, BookingInsert, BookingResourceRow, BookingRow, BookingServiceRow, BookingSettingsRow, NewEvent,
};
use crate::{BookingStore, StoreResult};

const RESOURCE_COLUMNS: &str = "id, merchant_id, location_id, kind, name, seats_min, seats_max, created_ms";
pub(super) const SERVICE_COLUMNS: &str = "id, merchant_id, name, duration_minutes, buffer_minutes, price_minor, price_currency, created_ms, \
     buffer_before_minutes";
pub(super) const BOOKING_COLUMNS: &str = "id, merchant_id, location_id, resource_id, service_id, party_size, start_ms, end_ms, \
     blocked_until_ms, status, customer_name, customer_phone, customer_email, manage_token_hash, created_ms, cancelled_ms";

fn resource_from(row: &AnyRow) -> Result<BookingResourceRow, sqlx::Error> {
    Ok(BookingResourceRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        kind: get_parsed(row, "kind", ResourceKind::parse)?,
        name: row.try_get("name")?,
        seats_min: row.try_get("seats_min")?,
        seats_max: row.try_get("seats_max")?,
        created_ms: row.try_get("created_ms")?,
    })
}

pub(super) fn service_from(row: &AnyRow) -> Result<BookingServiceRow, sqlx::Error> {
    let amount: Option<i64> = row.try_get("price_minor")?;
    let price_currency = get_parsed_opt(row, "price_currency", currency)?;
    Ok(BookingServiceRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        name: row.try_get("name")?,
        duration_minutes: row.try_get("duration_minutes")?,
        buffer_minutes: row.try_get("buffer_minutes")?,
        price: amount.zip(price_currency).map(|(amount, currency)| Money::new(amount, currency)),
        created_ms: row.try_get("created_ms")?,
        buffer_before_minutes: row.try_get("buffer_before_minutes")?,
    })
}

pub(super) fn booking_from(row: &AnyRow) -> Result<BookingRow, sqlx::Error> {
    Ok(BookingRow {
        id: row.try_get("id")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        resource_id: row.try_get("resource_id")?,
        service_id: row.try_get("service_id")?,
        party_size: row.try_get("party_size")?,
        start_ms: row.try_get("start_ms")?,
        end_ms: row.try_get("end_ms")?,
        blocked_until_ms: row.try_get("blocked_until_ms")?,
        status: get_parsed(row, "status", BookingStatus::parse)?,
        customer_name: row.try_get("customer_name")?,
        customer_phone: row.try_get("customer_phone")?,
        customer_email: row.try_get("customer_email")?,
        manage_token_hash: row.try_get("manage_token_hash")?,
        created_ms: row.try_get("created_ms")?,
        cancelled_ms: row.try_get("cancelled_ms")?,
    })
}

pub(super) fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(database) if database.kind() == ErrorKind::UniqueViolation)
}

/// Inserts a service row, alone or inside a caller's transaction (a service with its deposit).
pub(super) async fn insert_service<'c, E>(executor: E, row: &BookingServiceRow) -> StoreResult<()>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO booking_services ({SERVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )))
    .bind(&row.id)
    .bind(&row.merchant_id)
    .bind(&row.name)
    .bind(row.duration_minutes)
    .bind(row.buffer_minutes)
    .bind(row.price.map(|price| price.amount_minor))
    .bind(row.price.map(|price| price.currency.code().to_owned()))
    .bind(row.created_ms)
    .bind(row.buffer_before_minutes)
    .execute(executor)
    .await?;
    Ok(())
}

#[async_trait]
impl BookingStore for SqlStore {
    async fn insert_booking_resource(&self, row: &BookingResourceRow) -> StoreResult<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO booking_resources ({RESOURCE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )))
        .bind(&row.id)
        .bind(&row.merchant_id)
        .bind(&row.location_id)
        .bind(row.kind.as_str())
        .bind(&row.name)
        .bind(row.seats_min)
        .bind(row.seats_max)
        .bind(row.created_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_booking_resource(&self, id: &str) -> StoreResult<Option<BookingResourceRow>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {RESOURCE_COLUMNS} FROM booking_resources WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(resource_from).transpose()?)
    }

    async fn list_booking_resources(&self, location_id: &str) -> StoreResult<Vec<BookingResourceRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RESOURCE_COLUMNS} FROM booking_resources WHERE location_id = $1 ORDER BY created_ms, id"
        )))
        .bind(location_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(resource_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn insert_booking_service(&self, row: &BookingServiceRow) -> StoreResult<()> {
        insert_service(&self.write, row).await
    }

    async fn get_booking_service(&self, id: &str) -> StoreResult<Option<BookingServiceRow>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SERVICE_COLUMNS} FROM booking_services WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(service_from).transpose()?)
    }

    async fn confirmed_bookings_between(
        &self,
        resource_ids: &[String],
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<BookingRow>> {
        if resource_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE status IN ('held', 'confirmed', 'seated') AND start_ms < $1 \
             AND blocked_until_ms > $2 AND resource_id IN {} ORDER BY resource_id, start_ms",
            in_list(3, resource_ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to_ms).bind(from_ms);
        for id in resource_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows.iter().map(booking_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn insert_booking(
        &self,
        booking: &BookingRow,
        cell_starts_ms: &[i64],
        events: &[NewEvent],
    ) -> StoreResult<BookingInsert> {
        insert_claimed_booking(self, booking, &[], cell_starts_ms, None, None, events).await
    }

    async fn get_booking(&self, id: &str) -> StoreResult<Option<BookingRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.write)
            .await?;
        Ok(row.as_ref().map(booking_from).transpose()?)
    }

    async fn cancel_booking(&self, id: &str, now_ms: i64, events: &[NewEvent]) -> StoreResult<bool> {
        let end = BookingEnd {
            booking_id: id.to_owned(),
            from: vec![BookingStatus::Held, BookingStatus::Confirmed],
            to: BookingStatus::Cancelled,
            hold_lapsed_by_ms: None,
            now_ms,
            events: events.to_vec(),
            deposit: None,
        };
        end_claimed_booking(self, &end).await
    }

    async fn get_booking_settings(&self, location_id: &str) -> StoreResult<Option<BookingSettingsRow>> {
        let row = sqlx::query(
            "SELECT location_id, min_notice_minutes, max_days_ahead, cancel_window_minutes, hold_minutes, \
             reminder_offsets, updated_ms FROM booking_settings WHERE location_id = $1",
        )
        .bind(location_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(settings_from).transpose()?)
    }

    async fn put_booking_settings(&self, row: &BookingSettingsRow) -> StoreResult<()> {
        let settings = &row.settings;
        sqlx::query(
            "INSERT INTO booking_settings (location_id, min_notice_minutes, max_days_ahead, cancel_window_minutes, \
             hold_minutes, reminder_offsets, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (location_id) DO UPDATE SET min_notice_minutes = excluded.min_notice_minutes, \
             max_days_ahead = excluded.max_days_ahead, cancel_window_minutes = excluded.cancel_window_minutes, \
             hold_minutes = excluded.hold_minutes, reminder_offsets = excluded.reminder_offsets, \
             updated_ms = excluded.updated_ms",
        )
        .bind(&row.location_id)
        .bind(settings.window.min_notice_minutes)
        .bind(settings.window.max_days_ahead)
        .bind(settings.cancel_window_minutes)
        .bind(settings.hold_minutes)
        .bind(settings.reminders_text())
        .bind(row.updated_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    // The customer's booking pages (issue 19 point 5).
    async fn booking_services_of_merchant(&self, merchant_id: &str) -> StoreResult<Vec<BookingServiceRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SERVICE_COLUMNS} FROM booking_services WHERE merchant_id = $1 ORDER BY name, id LIMIT 200"
        )))
        .bind(merchant_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(service_from).collect::<Result<Vec<_>, _>>()?)
    }
}

fn settings_from(row: &AnyRow) -> Result<BookingSettingsRow, sqlx::Error> {
    let reminders: String = row.try_get("reminder_offsets")?;
    Ok(BookingSettingsRow {
        location_id: row.try_get("location_id")?,
        settings: BookingSettings {
            window: BookingWindow {
                min_notice_minutes: row.try_get("min_notice_minutes")?,
                max_days_ahead: row.try_get("max_days_ahead")?,
            },
            cancel_window_minutes: row.try_get("cancel_window_minutes")?,
            hold_minutes: row.try_get("hold_minutes")?,
            reminder_offsets_minutes: BookingSettings::parse_reminders(&reminders)
                .map_err(|error| sqlx::Error::Decode(error.to_string().into()))?,
        },
        updated_ms: row.try_get("updated_ms")?,
    })
}
