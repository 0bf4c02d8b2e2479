//! Support tickets: a store asks for help (from the till, with what the till knew, or from the
//! console), an agent takes a phone call; agents answer, note, assign, prioritise, merge.
//!
//! Who sees what: agents and admins every ticket; a manager their merchant's; staff their own
//! location's — another merchant's ticket is `NotFound`. Agents' internal notes never reach
//! the store. Every change is decided here and written only if the ticket has not changed
//! since it was read (retried on a race), with its `support.ticket_changed` event.
//!
//! The SLA clock stops while the desk waits on the store and while the store has the ticket
//! as solved; each closed pause pushes both deadlines forward by the business time it took
//! ([`App::sla_extend_for_pause`]), and the pauses are kept so that a change of priority or
//! category recounts the deadlines from the opening.

use omnicanal_domain::access::Role;
use omnicanal_domain::events::{DomainEvent, SupportTicketChanged, TicketChangeKind};
use omnicanal_domain::support::{TicketCategory, TicketPriority, TicketSource, TicketStatus};
use omnicanal_store::{
    NewEvent, Page, StoreError, SupportMessageRow, SupportTicketChange, SupportTicketFilter, SupportTicketRow,
};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;

/// Longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 200;
/// Longest description or message, in characters.
pub const MAX_BODY_CHARS: usize = 10_000;
/// Largest context a till may attach, as JSON bytes.
pub const MAX_CONTEXT_BYTES: usize = 32 * 1024;
/// Roles that may open and follow tickets.
pub const TICKET_ROLES: [Role; 4] = [Role::Admin, Role::SupportAgent, Role::MerchantManager, Role::Staff];
/// Roles that work the desk.
pub const AGENT_ROLES: [Role; 2] = [Role::Admin, Role::SupportAgent];
/// How many times a change is tried again when another one landed first.
const RACE_RETRIES: usize = 5;

/// A ticket to open.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenTicket {
    /// The store it is about.
    pub location_id: String,
    /// One line.
    pub subject: String,
    /// What happened.
    pub description: String,
    /// What it is about (default `otro`).
    pub category: TicketCategory,
    /// How urgent (default `normal`).
    pub priority: TicketPriority,
    /// What the till or console knew, a JSON object (`{}` when none).
    pub context_json: String,
    /// The till it was asked from.
    pub device_id: Option<String>,
    /// Where it was asked from; `None`: the phone for an agent, the console for the store.
    pub source: Option<TicketSource>,
}

impl OpenTicket {
    /// Parses a ticket, reporting every bad field.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        location_id: &str,
        subject: &str,
        description: &str,
        category: Option<&str>,
        priority: Option<&str>,
        context: Option<&serde_json::Value>,
        device_id: Option<&str>,
        source: Option<&str>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        if location_id.trim().is_empty() {
            v.push("location_id", "is required");
        }
        let subject = subject.trim();
        if subject.is_empty() {
            v.push("subject", "is required");
        } else if subject.chars().count() > MAX_SUBJECT_CHARS {
            v.push("subject", format!("must be at most {MAX_SUBJECT_CHARS} characters"));
        }
        let description = description.trim();
        if description.chars().count() > MAX_BODY_CHARS {
            v.push("description", format!("must be at most {MAX_BODY_CHARS} characters"));
        }
        let category = category.map(|raw| v.check("category", TicketCategory::parse(raw)));
        let priority = priority.map(|raw| v.check("priority", TicketPriority::parse(raw)));
        let source = source.map(|raw| v.check("source", TicketSource::parse(raw)));
        let context_json = match context {
            None | Some(serde_json::Value::Null) => "{}".to_owned(),
            Some(value @ serde_json::Value::Object(_)) => {
                let json = value.to_string();
                if json.len() > MAX_CONTEXT_BYTES {
                    v.push("context", format!("must be at most {} KiB of JSON", MAX_CONTEXT_BYTES / 1024));
                }
                json
            }
            Some(_) => {
                v.push("context", "must be a JSON object");
                String::new()
            }
        };
        let device_id = device_id.map(str::trim).filter(|id| !id.is_empty()).map(str::to_owned);
        v.done(|| {
            Some(Self {
                location_id: location_id.trim().to_owned(),
                subject: subject.to_owned(),
                description: description.to_owned(),
                category: category.unwrap_or(Some(TicketCategory::Other))?,
                priority: priority.unwrap_or(Some(TicketPriority::Normal))?,
                context_json,
                device_id,
                source: source.map_or(Some(None), |parsed| parsed.map(Some))?,
            })
        })
    }
}

/// A message to post on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostTicketMessage {
    /// The text.
    pub body: String,
    /// An agents' note the store never sees.
    pub internal: bool,
    /// The status an agent's answer leaves the ticket in (e.g. `waiting_on_store`).
    pub status: Option<TicketStatus>,
}

impl PostTicketMessage {
    /// Parses a message, reporting every bad field.
    pub fn parse(body: &str, internal: bool, status: Option<&str>) -> AppResult<Self> {
        let mut v = Validator::new();
        let body = body.trim();
        if body.is_empty() {
            v.push("body", "is required");
        } else if body.chars().count() > MAX_BODY_CHARS {
            v.push("body", format!("must be at most {MAX_BODY_CHARS} characters"));
        }
        let status = status.map(|raw| v.check("status", TicketStatus::parse(raw)));
        v.done(|| {
            Some(Self {
                body: body.to_owned(),
                internal,
                status: status.map_or(Some(None), |parsed| parsed.map(Some))?,
            })
        })
    }
}

/// An agent's change to a ticket; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketUpdate {
    /// A new status.
    pub status: Option<TicketStatus>,
    /// A new priority.
    pub priority: Option<TicketPriority>,
    /// A new category.
    pub category: Option<TicketCategory>,
    /// A new agent (`Some(None)`: nobody).
    pub assignee_id: Option<Option<String>>,
}

impl TicketUpdate {
    /// Parses a change, reporting every bad field. `assignee_id`: `Some("")` unassigns.
    pub fn parse(
        status: Option<&str>,
        priority: Option<&str>,
        category: Option<&str>,
        assignee_id: Option<&str>,
    ) -> AppResult<Self> {
        let mut v = Validator::new();
        let status = status.map(|raw| v.check("status", TicketStatus::parse(raw)));
        let priority = priority.map(|raw| v.check("priority", TicketPriority::parse(raw)));
        let category = category.map(|raw| v.check("category", TicketCategory::parse(raw)));
        if status.is_none() && priority.is_none() && category.is_none() && assignee_id.is_none() {
            v.push("status", "name at least one of status, priority, category or assignee_id");
        }
        let assignee_id = assignee_id.map(|raw| Some(raw.trim().to_owned()).filter(|id| !id.is_empty()));
        v.done(|| {
            Some(Self {
                status: status.map_or(Some(None), |parsed| parsed.map(Some))?,
                priority: priority.map_or(Some(None), |parsed| parsed.map(Some))?,
                category: category.map_or(Some(None), |parsed| parsed.map(Some))?,
                assignee_id,
            })
        })
    }
}

/// The desk's standing queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketQueue {
    /// Not answered yet.
    New,
    /// Assigned to the caller and not over.
    Mine,
    /// Past a deadline while the clock runs.
    Overdue,
    /// Open and nobody's.
    Unassigned,
}

impl TicketQueue {
    /// Parses `new`, `mine`, `overdue` or `unassigned`.
    pub fn parse(raw: &str) -> Result<Self, omnicanal_domain::DomainError> {
        match raw {
            "new" => Ok(Self::New),
            "mine" => Ok(Self::Mine),
            "overdue" => Ok(Self::Overdue),
            "unassigned" => Ok(Self::Unassigned),
            _ => Err(omnicanal_domain::DomainError::invalid("queue", "must be one of new, mine, overdue, unassigned")),
        }
    }
}

/// Which tickets to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketQuery {
    /// Only these statuses (empty: any).
    pub statuses: Vec<TicketStatus>,
    /// Only this store.
    pub location_id: Option<String>,
    /// Only this merchant (platform users).
    pub merchant_id: Option<String>,
    /// Only this category.
    pub category: Option<TicketCategory>,
    /// Only this priority.
    pub priority: Option<TicketPriority>,
    /// A standing queue.
    pub queue: Option<TicketQueue>,
    /// Words or a ticket number.
    pub text: String,
}

/// A ticket with its conversation as the caller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketDetail {
    /// The ticket.
    pub ticket: SupportTicketRow,
    /// Its messages, oldest first (agents' notes only for agents).
    pub messages: Vec<SupportMessageRow>,
    /// Its photos' ids, oldest first.
    pub photo_ids: Vec<String>,
}

fn changed_event(ticket: &SupportTicketRow, change: TicketChangeKind, now_ms: i64) -> NewEvent {
    NewEvent {
        event_id: new_id("evt"),
        created_at_ms: now_ms,
        event: DomainEvent::SupportTicketChanged(SupportTicketChanged {
            ticket_id: ticket.id.clone(),
            number: ticket.number,
            merchant_id: ticket.merchant_id.clone(),
            location_id: ticket.location_id.clone(),
            change,
            status: ticket.status,
            priority: ticket.priority,
        }),
    }
}

fn pauses_of(ticket: &SupportTicketRow) -> Vec<(i64, i64)> {
    serde_json::from_str(&ticket.pauses_json).unwrap_or_default()
}

fn is_agent(caller: &Caller) -> bool {
    AGENT_ROLES.contains(&caller.role)
}

impl App {
    /// Opens a ticket for a store the caller may see, with deadlines on that store's calendar.
    pub async fn open_support_ticket(&self, caller: &Caller, command: OpenTicket) -> AppResult<SupportTicketRow> {
        caller.require(&TICKET_ROLES)?;
        let location = self.store.get_location(&command.location_id).await?;
        let location = location
            .filter(|location| caller.sees_location(&location.merchant_id, &location.id))
            .ok_or_else(|| AppError::invalid("location_id", "no such location"))?;
        if let Some(device_id) = &command.device_id {
            let device = self.store.get_pos_device(device_id).await?;
            if device.is_none_or(|device| device.location_id != location.id) {
                return Err(AppError::invalid("device_id", "no such till at this location"));
            }
        }
        // What the server saw on this till and store, beside what the till says it knew.
        let command = self.with_server_context(command).await?;
        let source =
            command.source.unwrap_or(if is_agent(caller) { TicketSource::Phone } else { TicketSource::Console });
        let now = self.now_ms();
        let deadlines = self.sla_deadlines(&location.id, command.priority, command.category, now).await?;
        let ticket = SupportTicketRow {
            id: new_id("tkt"),
            number: 0,
            merchant_id: location.merchant_id.clone(),
            location_id: location.id.clone(),
            device_id: command.device_id,
            source: source.as_str().to_owned(),
            opened_by: caller.id.clone(),
            subject: command.subject,
            description: command.description,
            category: command.category,
            priority: command.priority,
            status: TicketStatus::New,
            assignee_id: is_agent(caller).then(|| caller.id.clone()),
            merged_into_id: None,
            context_json: command.context_json,
            first_response_due_ms: deadlines.first_response_due_ms,
            resolution_due_ms: deadlines.resolution_due_ms,
            first_responded_ms: None,
            resolved_ms: None,
            paused_since_ms: None,
            pauses_json: "[]".to_owned(),
            created_ms: now,
            updated_ms: now,
        };
        let event = changed_event(&ticket, TicketChangeKind::Opened, now);
        let stored = self.store.insert_support_ticket(&ticket, &[], &[event]).await?;
        self.committed();
        Ok(stored)
    }

    /// A ticket the caller may see (others' are not found).
    pub async fn support_ticket_row(&self, caller: &Caller, id: &str) -> AppResult<SupportTicketRow> {
        caller.require(&TICKET_ROLES)?;
        let ticket = self.store.get_support_ticket(id).await?.ok_or(AppError::NotFound("ticket"))?;
        caller.check_location(&ticket.merchant_id, &ticket.location_id).map_err(|_| AppError::NotFound("ticket"))?;
        Ok(ticket)
    }

    /// A ticket with its conversation; the store never sees agents' notes.
    pub async fn support_ticket(&self, caller: &Caller, id: &str) -> AppResult<TicketDetail> {
        let ticket = self.support_ticket_row(caller, id).await?;
        let messages = self.store.list_support_messages(&ticket.id, is_agent(caller)).await?;
        let photo_ids = self.support_ticket_photo_ids(&ticket.id).await?;
        Ok(TicketDetail { ticket, messages, photo_ids })
    }

    /// Tickets the caller may see, most urgent first, with the count of all matches.
    pub async fn support_tickets(
        &self,
        caller: &Caller,
        query: TicketQuery,
        page: Page,
    ) -> AppResult<(Vec<SupportTicketRow>, i64)> {
        caller.require(&TICKET_ROLES)?;
        let mut filter = SupportTicketFilter {
            merchant_id: query.merchant_id,
            location_id: query.location_id,
            statuses: query.statuses,
            category: query.category,
            priority: query.priority,
            assignee_id: None,
            overdue_at_ms: None,
            text: query.text,
        };
        if !caller.is_platform() {
            // A store's people see their merchant's tickets; staff only their own location's.
            if let Some(wanted) = &filter.merchant_id
                && caller.merchant_id.as_ref() != Some(wanted)
            {
                return Err(AppError::NotFound("merchant"));
            }
            filter.merchant_id = caller.merchant_id.clone();
            if caller.role == Role::Staff {
                if filter.location_id.as_ref().is_some_and(|wanted| caller.location_id.as_ref() != Some(wanted)) {
                    return Err(AppError::NotFound("location"));
                }
                filter.location_id = caller.location_id.clone();
            }
        }
        match query.queue {
            None => {}
            Some(TicketQueue::New) => filter.statuses = vec![TicketStatus::New],
            Some(TicketQueue::Mine) => {
                filter.assignee_id = Some(caller.id.clone());
                if filter.statuses.is_empty() {
                    filter.statuses = vec![TicketStatus::New, TicketStatus::Open, TicketStatus::WaitingOnStore];
                }
            }
            Some(TicketQueue::Overdue) => filter.overdue_at_ms = Some(self.now_ms()),
            Some(TicketQueue::Unassigned) => {
                filter.assignee_id = Some(String::new());
                if filter.statuses.is_empty() {
                    filter.statuses = vec![TicketStatus::New, TicketStatus::Open];
                }
            }
        }
        Ok(self.store.list_support_tickets(&filter, page).await?)
    }

    /// Posts a message. An agent's first answer stops the first-response clock; the store's
    /// answer to a ticket waiting on it (or solved) reopens it and restarts the clock.
    pub async fn post_support_message(
        &self,
        caller: &Caller,
        ticket_id: &str,
        command: PostTicketMessage,
    ) -> AppResult<(SupportTicketRow, SupportMessageRow)> {
        let agent = is_agent(caller);
        if command.internal && !agent {
            return Err(AppError::invalid("internal", "only the support desk writes internal notes"));
        }
        if command.status.is_some() && !agent {
            return Err(AppError::invalid("status", "only the support desk sets a status with an answer"));
        }
        for _ in 0..RACE_RETRIES {
            let ticket = self.support_ticket_row(caller, ticket_id).await?;
            if ticket.status.is_final() {
                return Err(AppError::Conflict(format!(
                    "ticket #{} is {}; write on the open ticket instead",
                    ticket.number, ticket.status
                )));
            }
            // The clock's time for what happened; a version that always moves forward for the
            // conditional write, even when two changes land in one millisecond.
            let now = self.now_ms();
            let mut next = ticket.clone();
            next.updated_ms = now.max(ticket.updated_ms + 1);
            if agent && !command.internal {
                next.first_responded_ms = next.first_responded_ms.or(Some(now));
            }
            let wanted = match (agent, command.internal, command.status) {
                (true, _, Some(status)) => Some(status),
                (true, false, None) if ticket.status == TicketStatus::New => Some(TicketStatus::Open),
                (false, _, _) if matches!(ticket.status, TicketStatus::WaitingOnStore | TicketStatus::Resolved) => {
                    Some(TicketStatus::Open)
                }
                _ => None,
            };
            if let Some(status) = wanted.filter(|status| *status != ticket.status) {
                self.move_ticket(&mut next, status, now).await?;
            }
            let message = SupportMessageRow {
                id: new_id("tmsg"),
                ticket_id: ticket.id.clone(),
                author_id: caller.id.clone(),
                author_email: caller.email.clone(),
                author_role: caller.role,
                body: command.body.clone(),
                internal: command.internal,
                created_ms: now,
            };
            let change = SupportTicketChange {
                expected_updated_ms: ticket.updated_ms,
                events: vec![changed_event(&next, TicketChangeKind::Message, now)],
                ticket: next,
                messages: vec![message.clone()],
            };
            match self.store.change_support_ticket(&change).await {
                Ok(stored) => {
                    self.committed();
                    return Ok((stored, message));
                }
                Err(StoreError::StaleState) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Conflict("the ticket keeps changing; try again".into()))
    }

    /// An agent changes a ticket's status, priority, category or agent. The store's people may
    /// only mark their own ticket solved or closed.
    pub async fn update_support_ticket(
        &self,
        caller: &Caller,
        ticket_id: &str,
        update: TicketUpdate,
    ) -> AppResult<SupportTicketRow> {
        caller.require(&TICKET_ROLES)?;
        let agent = is_agent(caller);
        if !agent {
            let store_may = update.priority.is_none()
                && update.category.is_none()
                && update.assignee_id.is_none()
                && matches!(update.status, Some(TicketStatus::Resolved | TicketStatus::Closed));
            if !store_may {
                // Still 404 for a ticket they may not see.
                self.support_ticket_row(caller, ticket_id).await?;
                return Err(AppError::Forbidden);
            }
        }
        if update.status == Some(TicketStatus::Merged) {
            return Err(AppError::invalid("status", "merge a ticket with POST /support/tickets/{id}/merge"));
        }
        if let Some(Some(assignee)) = &update.assignee_id {
            let user = self.store.get_managed_user(assignee).await?;
            let works_the_desk =
                user.is_some_and(|user| AGENT_ROLES.contains(&user.user.role) && user.deactivated_at_ms.is_none());
            if !works_the_desk {
                return Err(AppError::invalid("assignee_id", "must be an active support agent or admin"));
            }
        }
        for _ in 0..RACE_RETRIES {
            let ticket = self.support_ticket_row(caller, ticket_id).await?;
            // The clock's time for what happened; a version that always moves forward for the
            // conditional write, even when two changes land in one millisecond.
            let now = self.now_ms();
            let mut next = ticket.clone();
            next.updated_ms = now.max(ticket.updated_ms + 1);
            if let Some(status) = update.status.filter(|status| *status != ticket.status) {
                self.move_ticket(&mut next, status, now).await?;
            }
            if let Some(assignee) = &update.assignee_id {
                next.assignee_id = assignee.clone();
            }
            let recount = update.priority.is_some_and(|priority| priority != ticket.priority)
                || update.category.is_some_and(|category| category != ticket.category);
            next.priority = update.priority.unwrap_or(ticket.priority);
            next.category = update.category.unwrap_or(ticket.category);
            if recount {
                self.recount_deadlines(&mut next).await?;
            }
            let change = SupportTicketChange {
                expected_updated_ms: ticket.updated_ms,
                events: vec![changed_event(&next, TicketChangeKind::Updated, now)],
                ticket: next,
                messages: Vec::new(),
            };
            match self.store.change_support_ticket(&change).await {
                Ok(stored) => {
                    self.committed();
                    return Ok(stored);
                }
                Err(StoreError::StaleState) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Conflict("the ticket keeps changing; try again".into()))
    }

    /// Folds a duplicate into another ticket of the same store's merchant: the duplicate ends
    /// as `merged`, and the one kept gets an agents' note with the duplicate's text.
    pub async fn merge_support_ticket(
        &self,
        caller: &Caller,
        ticket_id: &str,
        into_id: &str,
    ) -> AppResult<SupportTicketRow> {
        caller.require(&AGENT_ROLES)?;
        if ticket_id == into_id {
            return Err(AppError::invalid("into_id", "a ticket cannot be merged into itself"));
        }
        for _ in 0..RACE_RETRIES {
            let ticket = self.support_ticket_row(caller, ticket_id).await?;
            let into = self
                .support_ticket_row(caller, into_id)
                .await
                .map_err(|_| AppError::invalid("into_id", "no such ticket"))?;
            if into.merchant_id != ticket.merchant_id {
                return Err(AppError::invalid("into_id", "tickets of different merchants cannot be merged"));
            }
            if into.status.is_final() {
                return Err(AppError::invalid("into_id", format!("ticket #{} is {}", into.number, into.status)));
            }
            // The clock's time for what happened; a version that always moves forward for the
            // conditional write, even when two changes land in one millisecond.
            let now = self.now_ms();
            let mut next = ticket.clone();
            next.updated_ms = now.max(ticket.updated_ms + 1);
            next.status = ticket.status.move_to(TicketStatus::Merged).map_err(AppError::from)?;
            next.merged_into_id = Some(into.id.clone());
            let note = SupportMessageRow {
                id: new_id("tmsg"),
                ticket_id: into.id.clone(),
                author_id: caller.id.clone(),
                author_email: caller.email.clone(),
                author_role: caller.role,
                body: format!("#{} · {}\n\n{}", ticket.number, ticket.subject, ticket.description),
                internal: true,
                created_ms: now,
            };
            let change = SupportTicketChange {
                expected_updated_ms: ticket.updated_ms,
                events: vec![
                    changed_event(&next, TicketChangeKind::Merged, now),
                    changed_event(&into, TicketChangeKind::Message, now),
                ],
                ticket: next,
                messages: vec![note],
            };
            match self.store.change_support_ticket(&change).await {
                Ok(stored) => {
                    self.committed();
                    return Ok(stored);
                }
                Err(StoreError::StaleState) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Conflict("the ticket keeps changing; try again".into()))
    }

    /// Moves `ticket` to `status` at `now`, pausing or resuming its clock.
    async fn move_ticket(&self, ticket: &mut SupportTicketRow, status: TicketStatus, now: i64) -> AppResult<()> {
        let was_running = ticket.status.sla_clock_runs();
        ticket.status = ticket.status.move_to(status).map_err(AppError::from)?;
        if status == TicketStatus::Resolved {
            ticket.resolved_ms = Some(now);
        } else if status != TicketStatus::Closed {
            ticket.resolved_ms = None;
        }
        let runs = status.sla_clock_runs();
        if was_running && !runs {
            ticket.paused_since_ms = Some(now);
        } else if !was_running
            && runs
            && let Some(since) = ticket.paused_since_ms.take()
        {
            let mut pauses = pauses_of(ticket);
            pauses.push((since, now));
            ticket.pauses_json = serde_json::to_string(&pauses).unwrap_or_else(|_| "[]".to_owned());
            ticket.first_response_due_ms =
                self.sla_extend_for_pause(&ticket.location_id, ticket.first_response_due_ms, since, now).await?;
            ticket.resolution_due_ms =
                self.sla_extend_for_pause(&ticket.location_id, ticket.resolution_due_ms, since, now).await?;
        }
        Ok(())
    }

    /// Deadlines counted again from the opening, every closed pause added back.
    async fn recount_deadlines(&self, ticket: &mut SupportTicketRow) -> AppResult<()> {
        let deadlines =
            self.sla_deadlines(&ticket.location_id, ticket.priority, ticket.category, ticket.created_ms).await?;
        let (mut first, mut resolution) = (deadlines.first_response_due_ms, deadlines.resolution_due_ms);
        for (from, to) in pauses_of(ticket) {
            first = self.sla_extend_for_pause(&ticket.location_id, first, from, to).await?;
            resolution = self.sla_extend_for_pause(&ticket.location_id, resolution, from, to).await?;
        }
        ticket.first_response_due_ms = first;
        ticket.resolution_due_ms = resolution;
        Ok(())
    }
}
