//! Creating, reading, changing and resyncing a shop connection (contract v2 "Shop
//! connections"): who may (the merchant's manager, an admin), what is checked before anything
//! is stored (the shop kind's credential fields, the base URL against the outbound policy, the
//! locations being the merchant's), and what a connection shows (status, progress, lag, queue,
//! unmatched items, open conflicts, the last error in plain words).

use std::collections::BTreeMap;

use omnicanal_domain::access::Role;
use omnicanal_domain::connections::{ConnectionStatus, ConnectorKind, FieldOwner, FieldRules};
use omnicanal_store::{Page, ShopConflictRow, ShopConnectionRow, ShopUnmatchedRow};

use super::client::Credentials;
use crate::App;
use crate::audit::Change;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::validation::Validator;
use omnicanal_domain::audit::{AuditAction, AuditEntity};

/// Who may set up and read connections.
pub const CONNECTION_MANAGERS: [Role; 2] = [Role::Admin, Role::MerchantManager];
/// Longest connection name.
pub const MAX_NAME_CHARS: usize = 80;
/// Longest credential value.
pub const MAX_CREDENTIAL_CHARS: usize = 512;
/// Most locations one connection sells from.
pub const MAX_LOCATIONS: usize = 50;
/// Largest per-location buffer.
pub const MAX_BUFFER: i64 = 9_999;
/// Unmatched items and conflicts shown with a connection.
pub const SHOWN_WITH_CONNECTION: i64 = 50;

/// A new connection as sent.
#[derive(Debug, Clone, Default)]
pub struct ConnectionInput {
    /// The merchant.
    pub merchant_id: String,
    /// `woocommerce`, `prestashop`, `magento` or `shopify`.
    pub kind: String,
    /// A name for people.
    pub name: String,
    /// The shop's base URL.
    pub base_url: String,
    /// The shop's secrets, by the kind's field names.
    pub credentials: BTreeMap<String, String>,
    /// The locations whose stock the shop sells.
    pub location_ids: Vec<String>,
    /// Units kept back per location (0 when absent).
    pub stock_buffer: Option<i64>,
    /// The price list the shop shows.
    pub price_list_id: Option<String>,
    /// Who wins the stock (`omnicanal` when absent).
    pub stock_owner: Option<String>,
    /// Who wins the price (`omnicanal` when absent).
    pub price_owner: Option<String>,
    /// Who wins title and description (`shop` when absent).
    pub content_owner: Option<String>,
}

/// A connection checked field by field (what needs the store is the use case's).
#[derive(Debug, Clone)]
pub struct NewConnection {
    merchant_id: String,
    kind: ConnectorKind,
    name: String,
    base_url: String,
    credentials: Credentials,
    location_ids: Vec<String>,
    stock_buffer: i64,
    price_list_id: Option<String>,
    rules: FieldRules,
}

impl NewConnection {
    /// Parses a connection, reporting every bad field at once. Credential values are never
    /// repeated in a message.
    pub fn parse(input: ConnectionInput) -> AppResult<Self> {
        Self::parse_checked(input, true)
    }

    /// Parses an edit of a connection: like [`NewConnection::parse`], except that credentials
    /// left out (or all empty) keep the stored ones — they are never shown, so an edit cannot
    /// send them back. Credentials that are sent are checked whole, as for a new connection.
    pub fn parse_edit(mut input: ConnectionInput) -> AppResult<Self> {
        input.credentials.retain(|_, value| !value.trim().is_empty());
        let keep = input.credentials.is_empty();
        Self::parse_checked(input, !keep)
    }

    fn parse_checked(input: ConnectionInput, credentials_required: bool) -> AppResult<Self> {
        let mut v = Validator::new();
        let kind = v.check("kind", ConnectorKind::parse(input.kind.trim()));
        let name = input.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            v.push("name", format!("must be 1 to {MAX_NAME_CHARS} printable characters"));
        }
        if input.merchant_id.trim().is_empty() {
            v.push("merchant_id", "is required");
        }
        if let Some(kind) = kind.filter(|_| credentials_required) {
            for field in kind.credential_fields() {
                let value = input.credentials.get(*field).map(|value| value.trim()).unwrap_or_default();
                if value.is_empty() {
                    v.push(format!("credentials.{field}"), format!("is required for {}", kind.as_str()));
                } else if value.chars().count() > MAX_CREDENTIAL_CHARS || value.chars().any(char::is_control) {
                    v.push(
                        format!("credentials.{field}"),
                        format!("must be 1 to {MAX_CREDENTIAL_CHARS} printable characters"),
                    );
                }
            }
            for field in input.credentials.keys() {
                if !kind.credential_fields().contains(&field.as_str()) {
                    v.push(
                        format!("credentials.{field}"),
                        format!("is not a credential of {}: {}", kind.as_str(), kind.credential_fields().join(", ")),
                    );
                }
            }
        }
        let mut location_ids: Vec<String> = Vec::new();
        for id in &input.location_ids {
            let id = id.trim().to_owned();
            if !id.is_empty() && !location_ids.contains(&id) {
                location_ids.push(id);
            }
        }
        if location_ids.is_empty() || location_ids.len() > MAX_LOCATIONS {
            v.push("location_ids", format!("must name 1 to {MAX_LOCATIONS} locations whose stock the shop sells"));
        }
        let stock_buffer = input.stock_buffer.unwrap_or(0);
        if !(0..=MAX_BUFFER).contains(&stock_buffer) {
            v.push("stock_buffer", format!("must be 0 to {MAX_BUFFER} units"));
        }
        let owner = |v: &mut Validator, field: &str, raw: Option<&str>, default: FieldOwner| match raw.map(str::trim) {
            None | Some("") => Some(default),
            Some(word) => v.check(field, FieldOwner::parse(word)),
        };
        let defaults = FieldRules::default();
        let stock = owner(&mut v, "stock_owner", input.stock_owner.as_deref(), defaults.stock);
        let price = owner(&mut v, "price_owner", input.price_owner.as_deref(), defaults.price);
        let content = owner(&mut v, "content_owner", input.content_owner.as_deref(), defaults.content);
        let base_url = input.base_url.trim().trim_end_matches('/').to_owned();
        if base_url.is_empty() {
            v.push("base_url", "is required: the shop's address");
        }
        let credentials =
            Credentials(input.credentials.into_iter().map(|(field, value)| (field, value.trim().to_owned())).collect());
        let price_list_id = input.price_list_id.map(|id| id.trim().to_owned()).filter(|id| !id.is_empty());
        v.done(|| {
            Some(Self {
                merchant_id: input.merchant_id.trim().to_owned(),
                kind: kind?,
                name,
                base_url,
                credentials,
                location_ids,
                stock_buffer,
                price_list_id,
                rules: FieldRules { stock: stock?, price: price?, content: content? },
            })
        })
    }
}

/// A connection as people see it (never its credentials).
#[derive(Debug, Clone)]
pub struct ConnectionView {
    /// The connection.
    pub connection: ShopConnectionRow,
    /// How many of our SKUs it maps.
    pub mapped_skus: i64,
    /// Pushes owed.
    pub queue_length: i64,
    /// How long the oldest push owed has waited, milliseconds (0 when none).
    pub lag_ms: i64,
    /// Shop items that matched none of ours (the first [`SHOWN_WITH_CONNECTION`]).
    pub unmatched: Vec<ShopUnmatchedRow>,
    /// How many items are unmatched in all.
    pub unmatched_total: i64,
    /// Open conflicts (the first [`SHOWN_WITH_CONNECTION`]).
    pub conflicts: Vec<ShopConflictRow>,
    /// How many conflicts are open in all.
    pub conflicts_total: i64,
    /// Orders waiting for a person.
    pub orders_needing_attention: i64,
}

impl App {
    /// Creates a connection (the merchant's manager or an admin) and asks for its first import.
    /// The base URL must pass the outbound policy (https to a public host unless the allow-list
    /// names it); every location must be the merchant's. Answers with status `pending`: the
    /// credentials are tried by the first import, and a refusal shows on the connection.
    pub async fn create_connection(&self, caller: &Caller, new: NewConnection) -> AppResult<ShopConnectionRow> {
        caller.require(&CONNECTION_MANAGERS)?;
        caller.check_merchant(&new.merchant_id, "merchant")?;
        self.store.get_merchant(&new.merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        let currency = self.connection_locations(&new.merchant_id, &new.location_ids).await?;
        self.check_price_list(&new.merchant_id, new.price_list_id.as_deref()).await?;
        self.outbound
            .resolve_and_check(&new.base_url)
            .await
            .map_err(|refusal| AppError::invalid("base_url", refusal.message()))?;
        let now = self.now_ms();
        let row = ShopConnectionRow {
            id: new_id("con"),
            merchant_id: new.merchant_id,
            kind: new.kind,
            name: new.name,
            base_url: new.base_url,
            credentials_sealed: self.credentials_key.seal(&new.credentials),
            location_ids: new.location_ids,
            stock_buffer: new.stock_buffer,
            price_list_id: new.price_list_id,
            currency,
            rules: new.rules,
            status: ConnectionStatus::Pending,
            last_success_at_ms: None,
            last_error: None,
            failures: 0,
            next_call_at_ms: 0,
            // Orders placed in the shop before it was connected are not ours to fulfil.
            orders_since_ms: now,
            orders_polled_at_ms: 0,
            sync_requested_at_ms: Some(now),
            lease_until_ms: 0,
            sync_total: 0,
            sync_done: 0,
            drift_checked_at_ms: now,
            created_at_ms: now,
            updated_at_ms: now,
        };
        self.store.insert_connection(&row).await?;
        self.signals.connections.notify_one();
        let merchant = Some(row.merchant_id.as_str());
        self.record_change(caller, Change::created(AuditEntity::ShopConnection, &row.id, merchant, &row)).await;
        Ok(row)
    }

    /// A connection the caller may see: a manager of its merchant or an admin; anyone else of
    /// another merchant gets `NotFound`.
    pub async fn connection(&self, caller: &Caller, id: &str) -> AppResult<ShopConnectionRow> {
        caller.require(&CONNECTION_MANAGERS)?;
        let connection = self.store.get_connection(id).await?.ok_or(AppError::NotFound("connection"))?;
        caller.check_merchant(&connection.merchant_id, "connection")?;
        Ok(connection)
    }

    /// A connection with what its sync page shows.
    pub async fn connection_view(&self, caller: &Caller, id: &str) -> AppResult<ConnectionView> {
        let connection = self.connection(caller, id).await?;
        let shown = Page { limit: SHOWN_WITH_CONNECTION, offset: 0 };
        let mapped_skus = self.store.count_mappings(id).await?;
        let (queue_length, oldest) = self.store.push_backlog(id).await?;
        let (unmatched, unmatched_total) = self.store.list_unmatched(id, shown).await?;
        let (conflicts, conflicts_total) = self.store.list_shop_conflicts(id, true, shown).await?;
        let (_, orders_needing_attention) = self
            .store
            .list_shop_orders(
                id,
                Some(omnicanal_domain::connections::ShopOrderState::NeedsAttention),
                Page { limit: 1, offset: 0 },
            )
            .await?;
        let lag_ms = oldest.map(|oldest| (self.now_ms() - oldest).max(0)).unwrap_or(0);
        Ok(ConnectionView {
            connection,
            mapped_skus,
            queue_length,
            lag_ms,
            unmatched,
            unmatched_total,
            conflicts,
            conflicts_total,
            orders_needing_attention,
        })
    }

    /// The connections the caller may see: a manager's merchant's, or (an admin) every one
    /// or one merchant's.
    pub async fn connections(&self, caller: &Caller, merchant_id: Option<&str>) -> AppResult<Vec<ShopConnectionRow>> {
        caller.require(&CONNECTION_MANAGERS)?;
        let merchant = match (caller.is_platform(), merchant_id) {
            (true, wanted) => wanted.map(str::to_owned),
            (false, Some(wanted)) => {
                caller.check_merchant(wanted, "merchant")?;
                Some(wanted.to_owned())
            }
            (false, None) => caller.merchant_id.clone(),
        };
        Ok(self.store.list_connections(merchant.as_deref()).await?)
    }

    /// Asks for a full resync ("resync now"): the first import again, every mapped SKU pushed,
    /// the backoff lifted and a stop on refused credentials retried.
    pub async fn request_connection_sync(&self, caller: &Caller, id: &str) -> AppResult<ShopConnectionRow> {
        let connection = self.connection(caller, id).await?;
        self.store.request_connection_sync(&connection.id, self.now_ms()).await?;
        self.signals.connections.notify_one();
        let merchant = Some(connection.merchant_id.as_str());
        self.record_change(caller, Change::new(AuditEntity::ShopConnection, id, AuditAction::Resynced, merchant)).await;
        self.store.get_connection(id).await?.ok_or(AppError::NotFound("connection"))
    }

    /// Replaces a connection's settings (credentials only when given again: they are never
    /// shown, so an edit that leaves them out keeps them). A change of shop address or
    /// credentials clears a stop on refused credentials and asks for a resync.
    pub async fn update_connection(
        &self,
        caller: &Caller,
        id: &str,
        edit: NewConnection,
    ) -> AppResult<ShopConnectionRow> {
        let mut connection = self.connection(caller, id).await?;
        let before = connection.clone();
        if edit.merchant_id != connection.merchant_id || edit.kind != connection.kind {
            return Err(AppError::invalid("kind", "a connection's merchant and kind cannot change; create another"));
        }
        self.connection_locations(&connection.merchant_id, &edit.location_ids).await?;
        self.check_price_list(&connection.merchant_id, edit.price_list_id.as_deref()).await?;
        let reached_differently = edit.base_url != connection.base_url || !edit.credentials.0.is_empty();
        if edit.base_url != connection.base_url {
            self.outbound
                .resolve_and_check(&edit.base_url)
                .await
                .map_err(|refusal| AppError::invalid("base_url", refusal.message()))?;
        }
        connection.name = edit.name;
        connection.base_url = edit.base_url;
        if !edit.credentials.0.is_empty() {
            connection.credentials_sealed = self.credentials_key.seal(&edit.credentials);
        }
        connection.location_ids = edit.location_ids;
        connection.stock_buffer = edit.stock_buffer;
        connection.price_list_id = edit.price_list_id;
        connection.rules = edit.rules;
        let now = self.now_ms();
        connection.updated_at_ms = now;
        if reached_differently && connection.status == ConnectionStatus::AuthFailed {
            connection.status = ConnectionStatus::Pending;
            connection.last_error = None;
            connection.failures = 0;
            connection.next_call_at_ms = 0;
        }
        if !self.store.update_connection_settings(&connection).await? {
            return Err(AppError::NotFound("connection"));
        }
        self.store.request_connection_sync(id, now).await?;
        self.signals.connections.notify_one();
        let after = self.store.get_connection(id).await?.ok_or(AppError::NotFound("connection"))?;
        let merchant = Some(after.merchant_id.as_str());
        self.record_change(caller, Change::updated(AuditEntity::ShopConnection, id, merchant, &before, &after)).await;
        Ok(after)
    }

    /// Checks that every location is the merchant's and that they sell in one currency;
    /// returns that currency.
    async fn connection_locations(&self, merchant_id: &str, ids: &[String]) -> AppResult<omnicanal_domain::Currency> {
        let locations = self.store.get_locations(ids).await?;
        let mut currency = None;
        for id in ids {
            let location = locations
                .iter()
                .find(|location| &location.id == id && location.merchant_id == merchant_id)
                .ok_or_else(|| AppError::invalid("location_ids", format!("{id} is not a location of this merchant")))?;
            let site = self.store.get_site(&location.site_id).await?.ok_or(AppError::NotFound("site"))?;
            match currency {
                None => currency = Some(site.currency),
                Some(seen) if seen != site.currency => {
                    return Err(AppError::invalid("location_ids", "the locations must all sell in one currency"));
                }
                Some(_) => {}
            }
        }
        currency.ok_or_else(|| AppError::invalid("location_ids", "must name at least one location"))
    }

    async fn check_price_list(&self, merchant_id: &str, id: Option<&str>) -> AppResult<()> {
        let Some(id) = id else { return Ok(()) };
        match self.store.get_price_list(id).await? {
            Some(list) if list.merchant_id == merchant_id => Ok(()),
            _ => Err(AppError::invalid("price_list_id", "no such price list of this merchant")),
        }
    }
}
