//! [`BookingAvailabilityStore`] in SQL: resource details, exception days, performers,
//! locations' places, the claimed cells availability reads, and the booking on joined tables.
//!
//! A booking on joined tables is written like any booking (see `sql/bookings.rs`) but claims
//! the cells of every member in one multi-row INSERT, ordered by (resource, cell) so two such
//! bookings cannot deadlock; the claims' primary key is still what refuses the second of two
//! overlapping bookings, whichever tables they share. Availability reads the claims themselves
//! (not the bookings), so a member of another booking is seen taken exactly when claiming it
//! would fail.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::booking_life::insert_claimed_booking;
use super::bookings::{SERVICE_COLUMNS, service_from};
use super::columns::{in_list, values_clause};
use crate::backend::SqlStore;
use crate::rows::{
    BookingExceptionRow, BookingInsert, BookingResourceDetailsRow, BookingRow, BookingServiceRow, LocationPlaceRow,
    NewEvent,
};
use crate::{BookingAvailabilityStore, StoreError, StoreResult};

/// Most claimed cells one search reads (40 tables × a day and a half of cells, many times over).
const MAX_CLAIMED_CELLS: i64 = 200_000;

fn details_from(row: &AnyRow) -> Result<BookingResourceDetailsRow, sqlx::Error> {
    Ok(BookingResourceDetailsRow {
        resource_id: row.try_get("resource_id")?,
        zone: row.try_get("zone")?,
        combine_group: row.try_get("combine_group")?,
        working_hours_json: row.try_get("working_hours")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

fn exception_from(row: &AnyRow) -> Result<BookingExceptionRow, sqlx::Error> {
    Ok(BookingExceptionRow {
        id: row.try_get("id")?,
        location_id: row.try_get("location_id")?,
        resource_id: row.try_get("resource_id")?,
        day: row.try_get("day")?,
        kind: row.try_get("kind")?,
        hours_json: row.try_get("hours")?,
        created_ms: row.try_get("created_ms")?,
    })
}

fn place_from(row: &AnyRow) -> Result<LocationPlaceRow, sqlx::Error> {
    Ok(LocationPlaceRow {
        location_id: row.try_get("location_id")?,
        latitude_e6: row.try_get("latitude_e6")?,
        longitude_e6: row.try_get("longitude_e6")?,
        comuna: row.try_get("comuna")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

const EXCEPTION_COLUMNS: &str = "id, location_id, resource_id, day, kind, hours, created_ms";
const PLACE_COLUMNS: &str = "location_id, latitude_e6, longitude_e6, comuna, updated_ms";

/// Updates a service row, alone or inside a caller's transaction (a service with its deposit);
/// false when there is no such service.
pub(super) async fn update_service<'c, E>(executor: E, row: &BookingServiceRow) -> StoreResult<bool>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let done = sqlx::query(
        "UPDATE booking_services SET name = $1, duration_minutes = $2, buffer_minutes = $3, \
         buffer_before_minutes = $4, price_minor = $5, price_currency = $6 WHERE id = $7",
    )
    .bind(&row.name)
    .bind(row.duration_minutes)
    .bind(row.buffer_minutes)
    .bind(row.buffer_before_minutes)
    .bind(row.price.map(|price| price.amount_minor))
    .bind(row.price.map(|price| price.currency.code().to_owned()))
    .bind(&row.id)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() > 0)
}

#[async_trait]
impl BookingAvailabilityStore for SqlStore {
    async fn put_booking_resource_details(&self, row: &BookingResourceDetailsRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO booking_resource_details (resource_id, zone, combine_group, working_hours, updated_ms) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (resource_id) DO UPDATE SET zone = excluded.zone, \
             combine_group = excluded.combine_group, working_hours = excluded.working_hours, \
             updated_ms = excluded.updated_ms",
        )
        .bind(&row.resource_id)
        .bind(&row.zone)
        .bind(&row.combine_group)
        .bind(&row.working_hours_json)
        .bind(row.updated_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn list_booking_resource_details(&self, location_id: &str) -> StoreResult<Vec<BookingResourceDetailsRow>> {
        let rows = sqlx::query(
            "SELECT d.resource_id, d.zone, d.combine_group, d.working_hours, d.updated_ms \
             FROM booking_resource_details d JOIN booking_resources r ON r.id = d.resource_id \
             WHERE r.location_id = $1 ORDER BY d.resource_id",
        )
        .bind(location_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(details_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn insert_booking_exception(&self, row: &BookingExceptionRow) -> StoreResult<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO booking_exceptions ({EXCEPTION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        )))
        .bind(&row.id)
        .bind(&row.location_id)
        .bind(&row.resource_id)
        .bind(&row.day)
        .bind(&row.kind)
        .bind(&row.hours_json)
        .bind(row.created_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn list_booking_exceptions(
        &self,
        location_id: &str,
        from_day: &str,
        to_day: &str,
    ) -> StoreResult<Vec<BookingExceptionRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EXCEPTION_COLUMNS} FROM booking_exceptions WHERE location_id = $1 AND day >= $2 AND day <= $3 \
             ORDER BY day, created_ms, id LIMIT 5000"
        )))
        .bind(location_id)
        .bind(from_day)
        .bind(to_day)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(exception_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn delete_booking_exception(&self, location_id: &str, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM booking_exceptions WHERE location_id = $1 AND id = $2")
            .bind(location_id)
            .bind(id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_service_performers(&self, service_id: &str, resource_ids: &[String]) -> StoreResult<()> {
        let mut transaction = self.write.begin().await?;
        sqlx::query("DELETE FROM booking_service_performers WHERE service_id = $1")
            .bind(service_id)
            .execute(&mut *transaction)
            .await?;
        if !resource_ids.is_empty() {
            let sql = format!(
                "INSERT INTO booking_service_performers (service_id, resource_id) VALUES {}",
                values_clause(resource_ids.len(), 2)
            );
            let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
            for id in resource_ids {
                insert = insert.bind(service_id).bind(id);
            }
            insert.execute(&mut *transaction).await?;
        }
        transaction.commit().await?;
        Ok(())
    }

    async fn service_performers(&self, service_id: &str) -> StoreResult<Vec<String>> {
        let rows = sqlx::query(
            "SELECT resource_id FROM booking_service_performers WHERE service_id = $1 ORDER BY resource_id",
        )
        .bind(service_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(|row| row.try_get("resource_id")).collect::<Result<Vec<String>, _>>()?)
    }

    async fn list_booking_services(&self, merchant_id: &str, limit: i64) -> StoreResult<Vec<BookingServiceRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SERVICE_COLUMNS} FROM booking_services WHERE merchant_id = $1 ORDER BY created_ms, id LIMIT $2"
        )))
        .bind(merchant_id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(service_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn claimed_cells_between(
        &self,
        resource_ids: &[String],
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<(String, i64)>> {
        if resource_ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT resource_id, cell_start_ms FROM booking_claims WHERE cell_start_ms >= $1 AND cell_start_ms < $2 \
             AND resource_id IN {} ORDER BY resource_id, cell_start_ms LIMIT {MAX_CLAIMED_CELLS}",
            in_list(3, resource_ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(from_ms).bind(to_ms);
        for id in resource_ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.read).await?;
        Ok(rows
            .iter()
            .map(|row| Ok((row.try_get("resource_id")?, row.try_get("cell_start_ms")?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?)
    }

    async fn insert_joined_booking(
        &self,
        booking: &BookingRow,
        member_ids: &[String],
        cell_starts_ms: &[i64],
        hold_expires_ms: Option<i64>,
        events: &[NewEvent],
    ) -> StoreResult<BookingInsert> {
        if member_ids.is_empty() {
            return Err(StoreError::Inconsistent("a booking claims at least one cell of one resource"));
        }
        insert_claimed_booking(self, booking, member_ids, cell_starts_ms, hold_expires_ms, None, events).await
    }

    async fn booking_members(&self, booking_id: &str) -> StoreResult<Vec<String>> {
        let rows = sqlx::query("SELECT resource_id FROM booking_members WHERE booking_id = $1 ORDER BY resource_id")
            .bind(booking_id)
            .fetch_all(&self.read)
            .await?;
        Ok(rows.iter().map(|row| row.try_get("resource_id")).collect::<Result<Vec<String>, _>>()?)
    }

    async fn put_location_place(&self, row: &LocationPlaceRow) -> StoreResult<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO location_places ({PLACE_COLUMNS}) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (location_id) DO UPDATE SET latitude_e6 = excluded.latitude_e6, \
             longitude_e6 = excluded.longitude_e6, comuna = excluded.comuna, updated_ms = excluded.updated_ms"
        )))
        .bind(&row.location_id)
        .bind(row.latitude_e6)
        .bind(row.longitude_e6)
        .bind(&row.comuna)
        .bind(row.updated_ms)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn get_location_place(&self, location_id: &str) -> StoreResult<Option<LocationPlaceRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PLACE_COLUMNS} FROM location_places WHERE location_id = $1"
        )))
        .bind(location_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.as_ref().map(place_from).transpose()?)
    }

    async fn list_location_places(&self, limit: i64) -> StoreResult<Vec<LocationPlaceRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PLACE_COLUMNS} FROM location_places ORDER BY location_id LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(place_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn update_booking_service(&self, row: &BookingServiceRow) -> StoreResult<bool> {
        update_service(&self.write, row).await
    }
}
