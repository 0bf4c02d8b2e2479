//! [`SupportTicketStore`] in SQL: tickets numbered from one series, changed only at the
//! version they were read at, listed with one fixed `WHERE` whose NULL parameters leave a
//! filter open (no SQL assembled from input).

use async_trait::async_trait;
use omnicanal_domain::access::Role;
use omnicanal_domain::events::DomainEvent;
use omnicanal_domain::support::{TicketCategory, TicketPriority, TicketStatus};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::columns::{flag, get_flag, get_parsed, like_escape};
use super::outbox::insert_events;
use super::tx::Tx;
use crate::backend::SqlStore;
use crate::rows::{NewEvent, Page, SupportMessageRow, SupportTicketChange, SupportTicketFilter, SupportTicketRow};
use crate::{StoreError, StoreResult, SupportTicketStore};

const TICKET_COLUMNS: &str = "id, number, merchant_id, location_id, device_id, source, opened_by, subject, \
     description, category, priority, status, assignee_id, merged_into_id, context_json, first_response_due_ms, \
     resolution_due_ms, first_responded_ms, resolved_ms, paused_since_ms, pauses_json, created_ms, updated_ms";

const MESSAGE_COLUMNS: &str = "id, ticket_id, author_id, author_email, author_role, body, internal, created_ms";

/// The filter shared by the count and the page; parameters `$1`…`$9`. `$3` is a
/// comma-wrapped list of statuses (`,new,open,`) or NULL.
macro_rules! ticket_filter {
    () => {
        " WHERE ($1 IS NULL OR merchant_id = $1) \
         AND ($2 IS NULL OR location_id = $2) \
         AND ($3 IS NULL OR $3 LIKE '%,' || status || ',%') \
         AND ($4 IS NULL OR category = $4) \
         AND ($5 IS NULL OR priority = $5) \
         AND ($6 IS NULL OR ($6 = '' AND assignee_id IS NULL) OR assignee_id = $6) \
         AND ($7 IS NULL OR (status IN ('new', 'open') AND (resolution_due_ms < $7 \
              OR (first_responded_ms IS NULL AND first_response_due_ms < $7)))) \
         AND ($8 = '%%' OR LOWER(subject) LIKE $8 ESCAPE '\\' OR LOWER(description) LIKE $8 ESCAPE '\\' \
              OR CAST(number AS TEXT) = $9)"
    };
}

fn ticket_from(row: &AnyRow) -> Result<SupportTicketRow, sqlx::Error> {
    Ok(SupportTicketRow {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        merchant_id: row.try_get("merchant_id")?,
        location_id: row.try_get("location_id")?,
        device_id: row.try_get("device_id")?,
        source: row.try_get("source")?,
        opened_by: row.try_get("opened_by")?,
        subject: row.try_get("subject")?,
        description: row.try_get("description")?,
        category: get_parsed(row, "category", TicketCategory::parse)?,
        priority: get_parsed(row, "priority", TicketPriority::parse)?,
        status: get_parsed(row, "status", TicketStatus::parse)?,
        assignee_id: row.try_get("assignee_id")?,
        merged_into_id: row.try_get("merged_into_id")?,
        context_json: row.try_get("context_json")?,
        first_response_due_ms: row.try_get("first_response_due_ms")?,
        resolution_due_ms: row.try_get("resolution_due_ms")?,
        first_responded_ms: row.try_get("first_responded_ms")?,
        resolved_ms: row.try_get("resolved_ms")?,
        paused_since_ms: row.try_get("paused_since_ms")?,
        pauses_json: row.try_get("pauses_json")?,
        created_ms: row.try_get("created_ms")?,
        updated_ms: row.try_get("updated_ms")?,
    })
}

fn message_from(row: &AnyRow) -> Result<SupportMessageRow, sqlx::Error> {
    Ok(SupportMessageRow {
        id: row.try_get("id")?,
        ticket_id: row.try_get("ticket_id")?,
        author_id: row.try_get("author_id")?,
        author_email: row.try_get("author_email")?,
        author_role: get_parsed(row, "author_role", Role::parse)?,
        body: row.try_get("body")?,
        internal: get_flag(row, "internal")?,
        created_ms: row.try_get("created_ms")?,
    })
}

/// The desk's next ticket number (the series row stays locked until commit).
async fn next_ticket_number(transaction: &mut Tx) -> StoreResult<i64> {
    let row = sqlx::query(
        "INSERT INTO support_ticket_series (id, last_number) VALUES (1, 1) \
         ON CONFLICT (id) DO UPDATE SET last_number = support_ticket_series.last_number + 1 \
         RETURNING last_number",
    )
    .fetch_one(&mut **transaction)
    .await?;
    Ok(row.try_get("last_number")?)
}

async fn insert_messages(transaction: &mut Tx, messages: &[SupportMessageRow]) -> StoreResult<()> {
    for message in messages {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO support_ticket_messages ({MESSAGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )))
        .bind(&message.id)
        .bind(&message.ticket_id)
        .bind(&message.author_id)
        .bind(&message.author_email)
        .bind(message.author_role.as_str())
        .bind(&message.body)
        .bind(flag(message.internal))
        .bind(message.created_ms)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

async fn write_events(transaction: &mut Tx, events: &[NewEvent]) -> StoreResult<()> {
    insert_events(transaction, events).await?;
    Ok(())
}

#[async_trait]
impl SupportTicketStore for SqlStore {
    async fn insert_support_ticket(
        &self,
        ticket: &SupportTicketRow,
        messages: &[SupportMessageRow],
        events: &[NewEvent],
    ) -> StoreResult<SupportTicketRow> {
        let mut transaction = self.write.begin().await?;
        let number = next_ticket_number(&mut transaction).await?;
        let stored = SupportTicketRow { number, ..ticket.clone() };
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO support_tickets ({TICKET_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)"
        )))
        .bind(&stored.id)
        .bind(stored.number)
        .bind(&stored.merchant_id)
        .bind(&stored.location_id)
        .bind(&stored.device_id)
        .bind(&stored.source)
        .bind(&stored.opened_by)
        .bind(&stored.subject)
        .bind(&stored.description)
        .bind(stored.category.as_str())
        .bind(stored.priority.as_str())
        .bind(stored.status.as_str())
        .bind(&stored.assignee_id)
        .bind(&stored.merged_into_id)
        .bind(&stored.context_json)
        .bind(stored.first_response_due_ms)
        .bind(stored.resolution_due_ms)
        .bind(stored.first_responded_ms)
        .bind(stored.resolved_ms)
        .bind(stored.paused_since_ms)
        .bind(&stored.pauses_json)
        .bind(stored.created_ms)
        .bind(stored.updated_ms)
        .execute(&mut *transaction)
        .await?;
        insert_messages(&mut transaction, messages).await?;
        // The events were built before the number was drawn: they get it here.
        let numbered: Vec<NewEvent> = events
            .iter()
            .cloned()
            .map(|mut new| {
                if let DomainEvent::SupportTicketChanged(event) = &mut new.event
                    && event.ticket_id == stored.id
                {
                    event.number = number;
                }
                new
            })
            .collect();
        write_events(&mut transaction, &numbered).await?;
        transaction.commit().await?;
        Ok(stored)
    }

    async fn get_support_ticket(&self, id: &str) -> StoreResult<Option<SupportTicketRow>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TICKET_COLUMNS} FROM support_tickets WHERE id = $1")))
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(ticket_from).transpose()?)
    }

    async fn get_support_ticket_by_number(&self, number: i64) -> StoreResult<Option<SupportTicketRow>> {
        let row =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {TICKET_COLUMNS} FROM support_tickets WHERE number = $1")))
                .bind(number)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.as_ref().map(ticket_from).transpose()?)
    }

    async fn list_support_tickets(
        &self,
        filter: &SupportTicketFilter,
        page: Page,
    ) -> StoreResult<(Vec<SupportTicketRow>, i64)> {
        let statuses = (!filter.statuses.is_empty()).then(|| {
            let words: Vec<&str> = filter.statuses.iter().map(|status| status.as_str()).collect();
            format!(",{},", words.join(","))
        });
        let text = filter.text.trim().to_lowercase();
        let pattern = format!("%{}%", like_escape(&text));
        let number = text.trim_start_matches('#').to_owned();
        let bind = |query: sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>| {
            query
                .bind(filter.merchant_id.clone())
                .bind(filter.location_id.clone())
                .bind(statuses.clone())
                .bind(filter.category.map(|category| category.as_str().to_owned()))
                .bind(filter.priority.map(|priority| priority.as_str().to_owned()))
                .bind(filter.assignee_id.clone())
                .bind(filter.overdue_at_ms)
                .bind(pattern.clone())
                .bind(number.clone())
        };
        let count = sqlx::query(concat!("SELECT COUNT(*) AS n FROM support_tickets", ticket_filter!()));
        let total: i64 = bind(count).fetch_one(&self.read).await?.try_get("n")?;
        let select = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {TICKET_COLUMNS} FROM support_tickets{} \
             ORDER BY CASE status WHEN 'new' THEN 0 WHEN 'open' THEN 1 WHEN 'waiting_on_store' THEN 2 ELSE 3 END, \
             CASE WHEN first_responded_ms IS NULL AND first_response_due_ms < resolution_due_ms \
             THEN first_response_due_ms ELSE resolution_due_ms END, number LIMIT $10 OFFSET $11",
            ticket_filter!()
        )));
        let rows = bind(select).bind(page.limit).bind(page.offset).fetch_all(&self.read).await?;
        let tickets = rows.iter().map(ticket_from).collect::<Result<Vec<_>, _>>()?;
        Ok((tickets, total))
    }

    async fn list_support_messages(&self, ticket_id: &str, with_internal: bool) -> StoreResult<Vec<SupportMessageRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM support_ticket_messages WHERE ticket_id = $1 AND ($2 = 1 OR internal = 0) \
             ORDER BY created_ms, id"
        )))
        .bind(ticket_id)
        .bind(flag(with_internal))
        .fetch_all(&self.read)
        .await?;
        Ok(rows.iter().map(message_from).collect::<Result<Vec<_>, _>>()?)
    }

    async fn change_support_ticket(&self, change: &SupportTicketChange) -> StoreResult<SupportTicketRow> {
        let ticket = &change.ticket;
        let mut transaction = self.write.begin().await?;
        let updated = sqlx::query(
            "UPDATE support_tickets SET category = $1, priority = $2, status = $3, assignee_id = $4, \
             merged_into_id = $5, first_response_due_ms = $6, resolution_due_ms = $7, first_responded_ms = $8, \
             resolved_ms = $9, paused_since_ms = $10, pauses_json = $11, updated_ms = $12 \
             WHERE id = $13 AND updated_ms = $14",
        )
        .bind(ticket.category.as_str())
        .bind(ticket.priority.as_str())
        .bind(ticket.status.as_str())
        .bind(&ticket.assignee_id)
        .bind(&ticket.merged_into_id)
        .bind(ticket.first_response_due_ms)
        .bind(ticket.resolution_due_ms)
        .bind(ticket.first_responded_ms)
        .bind(ticket.resolved_ms)
        .bind(ticket.paused_since_ms)
        .bind(&ticket.pauses_json)
        .bind(ticket.updated_ms)
        .bind(&ticket.id)
        .bind(change.expected_updated_ms)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::StaleState);
        }
        insert_messages(&mut transaction, &change.messages).await?;
        write_events(&mut transaction, &change.events).await?;
        transaction.commit().await?;
        Ok(ticket.clone())
    }
}
