//! Omnicanal persistence: the [`Store`] trait, its row types and its two backends.
//!
//! Both backends run the same SQL through sqlx's `Any` driver: the statements
//! use the subset SQLite and PostgreSQL share (`$n` parameters, `RETURNING`,
//! `ON CONFLICT`), so one implementation serves both and cannot drift. What
//! differs per backend — pool set-up, pragmas, how a write transaction starts,
//! the migrations — lives in [`backend`]. Each backend has its own plain-SQL
//! `migrations/` folder, added to and never edited.

pub mod backend;
mod boot;
pub mod constraints;
pub mod error;
pub mod rows;

pub use sql::credit_note_number;
pub use sql::{
    HOLD_EXPIRED_REASON, OFFLINE_SALE_SHORT, capture_job_id, pickup_slot_start_ms, refund_job_id, void_job_id,
};
mod sql;
pub use sql::change_refund_job_id;

pub use backend::{Backend, SqlStore, connect};
pub use boot::BOOT_LOCK_NAMESPACE;
pub use constraints::{Reference, UniqueKey};
pub use error::{CouponRefusal, StoreError};
pub use rows::*;

use async_trait::async_trait;
use omnicanal_domain::payment_job::PaymentJobState;
use omnicanal_domain::site::UnacceptedPolicy;

/// Result of every store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the application persists. Implemented once ([`backend::SqlStore`]), over both backends.
pub trait Store:
    AccessStore
    + SetupStore
    + StockStore
    + OrderStore
    + PricingStore
    + IdempotencyStore
    + EventStore
    + NotificationStore
    + ConsoleStore
    + PaymentStore
    + PosStore
    + StockConflictStore
    + PosPrintStore
    + PosApprovalStore
    + PosPickupStore
    + ReportingStore
    + UserAdminStore
    + ImportJobStore
    + CatalogAdminStore
    + PhotoStore
    + AuditStore
    + ConnectionStore
    + ClickCollectStore
    + RetailStore
    + ReturnStore
    + CreditStore
    + CustomerStore
    + AisleStore
    + SupportTicketStore
    + SupportSlaStore
    + KnowledgeStore
    + SupportIncidentStore
    + SupportMacroStore
    + SupportPhotoStore
    + SupportReportStore
    + SupportOnCallStore
    + BookingStore
    + BookingAvailabilityStore
    + BookingLifeStore
    + BookingStaffStore
    + BookingReminderStore
    + BookingDepositStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Store for T where
    T: AccessStore
        + SetupStore
        + StockStore
        + OrderStore
        + PricingStore
        + IdempotencyStore
        + EventStore
        + NotificationStore
        + ConsoleStore
        + PaymentStore
        + PosStore
        + StockConflictStore
        + PosPrintStore
        + PosApprovalStore
        + PosPickupStore
        + ReportingStore
        + UserAdminStore
        + ImportJobStore
        + CatalogAdminStore
        + PhotoStore
        + AuditStore
        + ConnectionStore
        + ClickCollectStore
        + RetailStore
        + ReturnStore
        + CreditStore
        + CustomerStore
        + AisleStore
        + SupportTicketStore
        + SupportSlaStore
        + KnowledgeStore
        + SupportIncidentStore
        + SupportMacroStore
        + SupportPhotoStore
        + SupportReportStore
        + SupportOnCallStore
        + BookingStore
        + BookingAvailabilityStore
        + BookingLifeStore
        + BookingStaffStore
        + BookingReminderStore
        + BookingDepositStore
        + Send
        + Sync
        + 'static
{
}

/// Users and sessions.
#[async_trait]
pub trait AccessStore {
    /// Which database this is.
    fn backend(&self) -> Backend;
    /// A listener woken by other nodes' outbox commits (PostgreSQL); `None` on SQLite.
    async fn listen_outbox(&self) -> StoreResult<Option<backend::OutboxListener>>;
    /// True when the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Number of users; zero means a fresh database.
    async fn count_users(&self) -> StoreResult<i64>;
    /// Inserts a user; a taken e-mail is `Duplicate(UserEmail)`.
    async fn insert_user(&self, user: &UserRow) -> StoreResult<()>;
    /// Finds an active user by e-mail (case-insensitive; e-mails are stored lower-case); a
    /// deactivated user is not found, so it cannot sign in.
    async fn find_user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>>;
    /// Stores a session token hash for a user.
    async fn insert_session(&self, session: &SessionRow) -> StoreResult<()>;
    /// The active user behind an unexpired session token hash.
    async fn find_session_user(&self, token_hash: &str, now_ms: i64) -> StoreResult<Option<UserRow>>;
    /// Ends one session (logout); true when it existed.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<bool>;
    /// Replaces a user's password hash and ends every other session of the user.
    async fn set_password(&self, user_id: &str, password_hash: &str, keep_session_hash: &str) -> StoreResult<()>;
}

/// Sites, merchants, locations and the catalog.
#[async_trait]
pub trait SetupStore {
    /// Inserts a site.
    async fn insert_site(&self, site: &SiteRow) -> StoreResult<()>;
    /// A site by id.
    async fn get_site(&self, id: &str) -> StoreResult<Option<SiteRow>>;
    /// Sites, oldest first.
    async fn list_sites(&self, page: Page) -> StoreResult<Vec<SiteRow>>;
    /// Inserts a merchant.
    async fn insert_merchant(&self, merchant: &MerchantRow) -> StoreResult<()>;
    /// A merchant by id.
    async fn get_merchant(&self, id: &str) -> StoreResult<Option<MerchantRow>>;
    /// Saves a merchant's name, kind, commission and tax id (its id and creation time stay);
    /// `NotFound` when there is no such merchant.
    async fn update_merchant(&self, merchant: &MerchantRow) -> StoreResult<()>;
    /// The merchants with these ids that exist, in no particular order (one query: a cart's
    /// merchants are read at once).
    async fn get_merchants(&self, ids: &[String]) -> StoreResult<Vec<MerchantRow>>;
    /// Merchants, oldest first.
    async fn list_merchants(&self, page: Page) -> StoreResult<Vec<MerchantRow>>;
    /// Sites whose name contains `text` (any case), in `order`.
    async fn search_sites(&self, text: &str, order: SetupOrder, page: Page) -> StoreResult<Vec<SiteRow>>;
    /// Merchants whose name contains `text` (any case), in `order`.
    async fn search_merchants(&self, text: &str, order: SetupOrder, page: Page) -> StoreResult<Vec<MerchantRow>>;
    /// Inserts a location; a missing merchant or site is `MissingReference`.
    async fn insert_location(&self, location: &LocationRow) -> StoreResult<()>;
    /// A location by id.
    async fn get_location(&self, id: &str) -> StoreResult<Option<LocationRow>>;
    /// The locations with these ids that exist, in no particular order (one query).
    async fn get_locations(&self, ids: &[String]) -> StoreResult<Vec<LocationRow>>;
    /// Locations of a site, by name.
    async fn list_site_locations(&self, site_id: &str) -> StoreResult<Vec<LocationRow>>;
    /// Locations of a merchant, by name.
    async fn list_merchant_locations(&self, merchant_id: &str) -> StoreResult<Vec<LocationRow>>;
    /// Inserts a product and its variants in one transaction; a SKU taken within the merchant is
    /// `Duplicate(MerchantSku)`, a missing merchant `MissingReference(Merchant)`.
    async fn insert_product(&self, product: &ProductRow, variants: &[VariantRow]) -> StoreResult<()>;
    /// A product with its variants.
    async fn get_product(&self, id: &str) -> StoreResult<Option<(ProductRow, Vec<VariantRow>)>>;
    /// Products of a merchant on sale (archived ones left out) with their variants, by name.
    async fn list_merchant_products(&self, merchant_id: &str) -> StoreResult<Vec<(ProductRow, Vec<VariantRow>)>>;
    /// The variant with this SKU within a merchant, with its product's `track_stock`.
    async fn find_variant(&self, merchant_id: &str, sku: &str) -> StoreResult<Option<(VariantRow, bool)>>;
    /// The variant with this SKU within a merchant, with its product's name, stock and tax settings.
    async fn find_sellable(&self, merchant_id: &str, sku: &str) -> StoreResult<Option<SellableRow>>;
    /// The sellable variants among these (merchant, SKU) pairs, in no particular order: what
    /// [`SetupStore::find_sellable`] finds for each, in one query.
    async fn find_sellables(&self, wanted: &[(String, String)]) -> StoreResult<Vec<SellableRow>>;
    /// Saves a location's name, payment, open switch and storefront settings; `NotFound` if absent.
    async fn update_location(&self, location: &LocationRow) -> StoreResult<()>;
    /// Sets how long a site's restaurants have to accept a part (None: no limit).
    async fn set_site_accept_within(&self, site_id: &str, minutes: Option<i64>) -> StoreResult<()>;
    /// Sets what happens to a site's parts not accepted in time.
    async fn set_site_unaccepted_policy(&self, site_id: &str, policy: UnacceptedPolicy) -> StoreResult<()>;
    /// Renames a site; `NotFound` if absent.
    async fn set_site_name(&self, site_id: &str, name: &str) -> StoreResult<()>;
    /// Saves a site's name, acceptance limit and policy in one statement (a change to several
    /// of them is never half-saved); `NotFound` if absent.
    async fn update_site_settings(&self, site: &SiteRow) -> StoreResult<()>;
    /// Places taken at a location by pickup slots starting in `[from_ms, to_ms)`: the live parts
    /// counted by placement in `pickup_slot_counts`.
    async fn count_pickups(&self, location_id: &str, from_ms: i64, to_ms: i64) -> StoreResult<i64>;
    /// Sets the tax id a merchant prints on its documents.
    async fn set_merchant_tax_id(&self, merchant_id: &str, tax_id: Option<&str>) -> StoreResult<()>;
}

/// Price lists, promotions, coupons and stored quotes.
#[async_trait]
pub trait PricingStore {
    /// Inserts a price list with its prices and a `price.changed` event, atomically.
    async fn insert_price_list(&self, list: &PriceListRow, event: &NewEvent) -> StoreResult<()>;
    /// Replaces a price list and its prices, with a `price.changed` event; `NotFound` if absent.
    async fn replace_price_list(&self, list: &PriceListRow, event: &NewEvent) -> StoreResult<()>;
    /// Deletes a price list, with a `price.changed` event; `NotFound` if absent.
    async fn delete_price_list(&self, id: &str, event: &NewEvent) -> StoreResult<()>;
    /// A price list with its prices.
    async fn get_price_list(&self, id: &str) -> StoreResult<Option<PriceListRow>>;
    /// A merchant's price lists with their prices, oldest first.
    async fn list_price_lists(&self, merchant_id: &str, page: Page) -> StoreResult<Vec<PriceListRow>>;
    /// Every active price list of these merchants, for pricing.
    async fn active_price_lists(&self, merchant_ids: &[String]) -> StoreResult<Vec<PriceListRow>>;

    /// Inserts a promotion with a `price.changed` event.
    async fn insert_promotion(&self, promotion: &PromotionRow, event: &NewEvent) -> StoreResult<()>;
    /// Replaces a promotion with a `price.changed` event; `NotFound` if absent.
    async fn replace_promotion(&self, promotion: &PromotionRow, event: &NewEvent) -> StoreResult<()>;
    /// A promotion.
    async fn get_promotion(&self, id: &str) -> StoreResult<Option<PromotionRow>>;
    /// Promotions, oldest first: one merchant's, one site's site-wide ones, or all.
    async fn list_promotions(
        &self,
        merchant_id: Option<&str>,
        site_id: Option<&str>,
        page: Page,
    ) -> StoreResult<Vec<PromotionRow>>;
    /// Active promotions of these merchants and the site's active site-wide ones, for pricing.
    async fn active_promotions(&self, site_id: &str, merchant_ids: &[String]) -> StoreResult<Vec<PromotionRow>>;

    /// Inserts a coupon; a taken code is `Duplicate(CouponCode)`.
    async fn insert_coupon(&self, coupon: &CouponRow) -> StoreResult<()>;
    /// A coupon.
    async fn get_coupon(&self, id: &str) -> StoreResult<Option<CouponRow>>;
    /// A promotion's coupons, oldest first.
    async fn list_coupons(&self, promotion_id: &str, page: Page) -> StoreResult<Vec<CouponRow>>;
    /// Switches a coupon on or off.
    async fn set_coupon_active(&self, id: &str, active: bool) -> StoreResult<()>;
    /// Coupons with these codes, each with this customer's uses (None without a customer key).
    async fn find_coupons(
        &self,
        codes: &[String],
        customer_key: Option<&str>,
    ) -> StoreResult<Vec<(CouponRow, Option<i64>)>>;

    /// Stores a quote (and drops quotes that expired before it).
    async fn insert_quote(&self, quote: &QuoteRow) -> StoreResult<()>;
    /// A stored quote.
    async fn get_quote(&self, id: &str) -> StoreResult<Option<QuoteRow>>;
}

/// The stock ledger.
#[async_trait]
pub trait StockStore {
    /// Applies a movement to on-hand under the ledger rules and writes its events, atomically.
    async fn apply_stock_movement(&self, movement: &StockMovementRow) -> StoreResult<StockRow>;
    /// Sets on-hand to a counted figure (not below what is reserved), recording the
    /// difference as a `count` movement whose `delta` the store fills in.
    async fn apply_stock_count(&self, movement: &StockMovementRow, counted: i64) -> StoreResult<(StockRow, i64)>;
    /// A SKU's movements at a location, newest first.
    async fn list_movements(
        &self,
        location_id: &str,
        sku: Option<&str>,
        page: Page,
    ) -> StoreResult<Vec<MovementRecord>>;
    /// Sends a transfer: takes the units out of the source (`transfer_out`) and records it in transit.
    async fn send_transfer(&self, transfer: &TransferRow, out: &StockMovementRow) -> StoreResult<StockRow>;
    /// Receives a transfer still in transit: puts the units into the destination (`transfer_in`).
    async fn receive_transfer(&self, transfer_id: &str, into: &StockMovementRow) -> StoreResult<TransferRow>;
    /// A transfer by id.
    async fn get_transfer(&self, id: &str) -> StoreResult<Option<TransferRow>>;
    /// Stock levels, filtered.
    async fn list_stock(&self, filter: &StockFilter) -> StoreResult<Vec<StockRow>>;
    /// Creates or replaces a location's allocation for a channel.
    async fn upsert_channel_allocation(&self, allocation: &ChannelAllocationRow) -> StoreResult<()>;
    /// A location's allocations, by channel.
    async fn list_channel_allocations(&self, location_id: &str) -> StoreResult<Vec<ChannelAllocationRow>>;
    /// The allocations of several locations, by location and channel (one query).
    async fn list_channel_allocations_at(&self, location_ids: &[String]) -> StoreResult<Vec<ChannelAllocationRow>>;
}

/// Orders, fulfilments and the money that follows them.
#[async_trait]
pub trait OrderStore {
    /// Stores an order, reserving stock for every tracked line and writing its
    /// events, all in one transaction: a short line is `InsufficientStock` and leaves nothing behind.
    async fn place_order(&self, order: &NewOrder) -> StoreResult<OrderRecord>;
    /// The catalog's generation: a number every committed change to what an order reads
    /// (sites, merchants, locations, products, variants, price lists, promotions, sold-out
    /// switches, channel allocations) raises, on whichever node or path made it. An order
    /// priced from a snapshot of that generation is placed only if it is still current.
    async fn catalog_generation(&self) -> StoreResult<i64>;
    /// An order with its parts and lines.
    async fn get_order(&self, id: &str) -> StoreResult<Option<OrderRecord>>;
    /// A fulfilment by id with its order id.
    async fn get_fulfillment(&self, id: &str) -> StoreResult<Option<FulfillmentRecord>>;
    /// A location's parts, newest first, optionally of one status.
    async fn list_location_fulfillments(
        &self,
        location_id: &str,
        status: Option<omnicanal_domain::fulfillment::FulfillmentStatus>,
        page: Page,
    ) -> StoreResult<Vec<FulfillmentRecord>>;
    /// Applies a planned transition: status (only if still `plan.from`), the kitchen's promise,
    /// stock, money (with its payment job, for a card) and events in one transaction. A
    /// concurrent change is `StaleState`.
    async fn apply_transition(&self, change: &FulfillmentChange) -> StoreResult<OrderRecord>;
    /// Cancels up to `limit` parts still `placed` whose stock hold lapsed by `now_ms`; returns how many.
    async fn expire_due_holds(&self, now_ms: i64, limit: i64) -> StoreResult<usize>;
    /// The quote an order was placed with (JSON), if it has one.
    async fn get_order_quote(&self, id: &str) -> StoreResult<Option<String>>;
    /// Money figures of a merchant's parts placed in `[from_ms, to_ms)`.
    async fn merchant_money(&self, merchant_id: &str, from_ms: i64, to_ms: i64) -> StoreResult<Vec<SettlementPartRow>>;
}

/// Remembered requests for `Idempotency-Key`, each held by one run of one process (a boot).
#[async_trait]
pub trait IdempotencyStore {
    /// This process's boot: registered on first use (on PostgreSQL, with a lock held for as long
    /// as the process runs), the same number on every later call.
    async fn current_boot(&self) -> StoreResult<i64>;
    /// Whether the process run `boot_id` is still running: this process's own boot is; on
    /// PostgreSQL another boot is while it holds its lock; on SQLite, where one process owns
    /// the file, no other boot is.
    async fn boot_is_running(&self, boot_id: i64) -> StoreResult<bool>;
    /// Claims `(scope, key)` for a request hash; returns the existing record if already claimed.
    async fn claim_idempotency_key(&self, claim: &IdempotencyRow) -> StoreResult<Option<IdempotencyRow>>;
    /// Takes `abandoned` over for `claim` (new boot, token and time) if it is still unanswered,
    /// unlinked and `abandoned`'s; false if it changed meanwhile.
    async fn take_over_idempotency_key(&self, abandoned: &IdempotencyRow, claim: &IdempotencyRow) -> StoreResult<bool>;
    /// Stores the response of a claim, if it is still the holder's.
    async fn complete_idempotency_key(&self, claim: &HeldClaim, status: i64, body: &str) -> StoreResult<()>;
    /// Drops a claim whose request failed unexpectedly, so a retry can run (only while it is
    /// the holder's and nothing was linked to it).
    async fn release_idempotency_key(&self, claim: &HeldClaim) -> StoreResult<()>;
}

/// The transactional outbox and webhook deliveries.
#[async_trait]
pub trait EventStore {
    /// Events after `after_seq`, oldest first, at most `limit`.
    async fn outbox_after(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<OutboxRow>>;
    /// The newest event sequence number (0 when empty).
    async fn outbox_head(&self) -> StoreResult<i64>;

    /// Inserts a webhook endpoint.
    async fn insert_webhook(&self, webhook: &WebhookRow) -> StoreResult<()>;
    /// A webhook by id.
    async fn get_webhook(&self, id: &str) -> StoreResult<Option<WebhookRow>>;
    /// Enabled webhooks.
    async fn list_enabled_webhooks(&self) -> StoreResult<Vec<WebhookRow>>;
    /// Webhooks, oldest first; only one merchant's when `merchant_id` is given.
    async fn list_webhooks(&self, merchant_id: Option<&str>, page: Page) -> StoreResult<Vec<WebhookRow>>;
    /// Enables (resetting the failure count) or disables a webhook.
    async fn set_webhook_enabled(&self, id: &str, enabled: bool) -> StoreResult<()>;
    /// Replaces a webhook's signing secret (`NotFound` for an unknown id).
    async fn set_webhook_secret(&self, id: &str, secret: &str) -> StoreResult<()>;
    /// One delivery.
    async fn get_delivery(&self, id: &str) -> StoreResult<Option<DeliveryRow>>;
    /// Queues a delivery again for an attempt now, whatever its state.
    async fn redeliver(&self, delivery_id: &str, now_ms: i64) -> StoreResult<()>;
    /// Events whose webhook deliveries have not been queued yet, oldest first.
    async fn pending_fan_out(&self, limit: i64) -> StoreResult<Vec<OutboxRow>>;
    /// Queues deliveries and marks the events as fanned out, atomically (duplicates are ignored).
    async fn enqueue_deliveries(&self, deliveries: &[DeliveryRow], fanned_out_seqs: &[i64]) -> StoreResult<()>;
    /// Deliveries due at `now_ms`, oldest first.
    async fn due_deliveries(&self, now_ms: i64, limit: i64) -> StoreResult<Vec<DeliveryRow>>;
    /// Takes a due delivery for one attempt, so another node does not send it at the same
    /// time: pushes its next attempt `lease_ms` ahead; false when someone else took it first.
    async fn claim_delivery(&self, delivery_id: &str, now_ms: i64, lease_ms: i64) -> StoreResult<bool>;
    /// Records one attempt's outcome.
    async fn record_delivery_attempt(&self, attempt: &DeliveryAttempt) -> StoreResult<()>;
    /// A webhook's delivery log, newest first.
    async fn list_deliveries(&self, webhook_id: &str, page: Page) -> StoreResult<Vec<DeliveryRow>>;
    /// One outbox event by sequence number.
    async fn get_outbox_event(&self, seq: i64) -> StoreResult<Option<OutboxRow>>;
}

/// Customer notifications: server settings (the VAPID key pair), browsers' push
/// subscriptions, and the claims that make each notification go out once across nodes.
#[async_trait]
pub trait NotificationStore {
    /// The value of a server setting, if it has one.
    async fn get_setting(&self, key: &str) -> StoreResult<Option<String>>;
    /// Stores `value` under `key` unless the key already has one, and returns the value kept:
    /// with several nodes starting at once, the first insert wins and all read the same value.
    async fn insert_setting_once(&self, key: &str, value: &str) -> StoreResult<String>;
    /// Stores a browser's subscription for an order, or refreshes the keys, language and page of
    /// the one with the same endpoint; returns the stored row (keeping its first id).
    async fn upsert_push_subscription(&self, subscription: &PushSubscriptionRow) -> StoreResult<PushSubscriptionRow>;
    /// Removes an order's subscription with this endpoint; false when there was none.
    async fn delete_push_subscription(&self, order_id: &str, endpoint: &str) -> StoreResult<bool>;
    /// Removes every subscription with this endpoint (the push service said it is gone); returns how many.
    async fn delete_push_endpoint(&self, endpoint: &str) -> StoreResult<u64>;
    /// An order's subscriptions, oldest first.
    async fn list_push_subscriptions(&self, order_id: &str) -> StoreResult<Vec<PushSubscriptionRow>>;
    /// Claims the right to send notification `key` to `target`; false when a node claimed it before.
    async fn claim_notification(&self, key: &str, target: &str, now_ms: i64) -> StoreResult<bool>;
    /// Ids of parts `ready` since a time in `(ready_after_ms, ready_before_ms]` whose pickup reminder
    /// has not been claimed yet, longest waiting first, at most `limit`.
    async fn parts_due_pickup_reminder(
        &self,
        ready_after_ms: i64,
        ready_before_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<String>>;
    /// Ids of parts still `placed` at sites with the `notify_only` policy whose acceptance limit
    /// (placed + the site's `accept_within_minutes`) passed by `now_ms`, placed after
    /// `placed_after_ms`, whose notice ([`unaccepted_notice_key`]) has not been claimed yet;
    /// oldest first, at most `limit`.
    async fn parts_due_unaccepted_notice(
        &self,
        placed_after_ms: i64,
        now_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<String>>;
}

/// The notification key of the "still not accepted" notice of a part at a `notify_only` site:
/// `unaccepted:<fulfilment id>` (what [`NotificationStore::parts_due_unaccepted_notice`] looks for).
pub fn unaccepted_notice_key(fulfillment_id: &str) -> String {
    format!("unaccepted:{fulfillment_id}")
}

/// Length of a pickup slot in minutes. Placement counts each part with a pickup time in the
/// slot that contains it, so the server offers slots cut the same way.
pub const PICKUP_SLOT_MINUTES: i64 = 15;

/// The notification key of a part's pickup reminder: `reminder:<fulfilment id>`
/// (what [`NotificationStore::parts_due_pickup_reminder`] looks for among the claims).
pub fn pickup_reminder_key(fulfillment_id: &str) -> String {
    format!("reminder:{fulfillment_id}")
}

/// The merchant console: the kitchen's promise on acceptance, the live queue, sold-out
/// switches, order search, the day's takings and the per-part settlement statement.
#[async_trait]
pub trait ConsoleStore {
    /// A location's parts in `statuses`, plus (when `done_since_ms` is given) its collected,
    /// rejected and cancelled parts changed since then, oldest first, each with its order.
    async fn location_queue(
        &self,
        location_id: &str,
        done_since_ms: Option<i64>,
        page: Page,
    ) -> StoreResult<Vec<QueueEntry>>;
    /// Switches a SKU sold out (or back) at a location and, when that changes anything, writes
    /// its `stock.changed` event (with `sold_out`) in the same transaction. Returns the switch
    /// as it now stands (None: not sold out) and whether it changed.
    async fn switch_sold_out(&self, switch: &SoldOutSwitch) -> StoreResult<(Option<SoldOutRow>, bool)>;
    /// A location's sold-out SKUs, by SKU.
    async fn list_sold_out(&self, location_id: &str) -> StoreResult<Vec<SoldOutRow>>;
    /// The sold-out SKUs of several locations, by location and SKU (one query).
    async fn list_sold_out_at(&self, location_ids: &[String]) -> StoreResult<Vec<SoldOutRow>>;
    /// A merchant's parts matching `search`, newest first, with how many match in all.
    async fn search_orders(&self, search: &OrderSearch) -> StoreResult<(Vec<OrderSearchRow>, i64)>;
    /// A merchant's parts placed in `[from_ms, to_ms)` (at one location when given), added up
    /// per channel, by channel.
    async fn takings_by_channel(
        &self,
        merchant_id: &str,
        location_id: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<TakingsRow>>;
    /// A merchant's parts placed in `[from_ms, to_ms)` with their money, oldest first: the same
    /// parts as [`OrderStore::merchant_money`], for a statement with one row per part.
    async fn settlement_lines(
        &self,
        merchant_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<SettlementLineRow>>;
    /// The parts not yet handed over (placed, accepted, preparing, ready) at every location of
    /// a site, with what tells whether each is late, in one query (the mall-wide view).
    async fn site_live_parts(&self, site_id: &str) -> StoreResult<Vec<LivePartRow>>;
}

/// The dashboard's reporting queries: every figure added up by the database (per UTC hour,
/// channel, merchant, reason, product), never by loading the orders.
#[async_trait]
pub trait ReportingStore {
    /// The figures of the parts placed (and till sales made) within `scope`.
    async fn sales_report(&self, scope: &ReportScope) -> StoreResult<SalesReport>;
}

/// Payment jobs: every capture, refund or void the books owe a provider, carried out by a
/// worker. Jobs are written by the transactions that owe the money (placement, a transition, a
/// lapsed hold); this trait claims, records and shows them.
#[async_trait]
pub trait PaymentStore {
    /// Queues a job outside any other change (a void after a refused placement).
    async fn insert_payment_job(&self, job: &PaymentJobRow) -> StoreResult<()>;
    /// Takes up to `limit` pending jobs due at `now_ms` for one attempt each: their attempt count
    /// goes up and their next attempt moves `lease_ms` ahead, in one statement, so another node
    /// never attempts the same job at the same time (and a node that dies mid-attempt leaves it
    /// to be taken again when the lease lapses).
    async fn claim_payment_jobs(&self, now_ms: i64, lease_ms: i64, limit: i64) -> StoreResult<Vec<PaymentJobRow>>;
    /// Records attempts' outcomes and their events in one transaction; an outcome whose claim
    /// was overtaken (the job's attempt count moved on) is ignored.
    async fn record_payment_attempts(&self, attempts: &[PaymentAttempt]) -> StoreResult<()>;
    /// A job.
    async fn get_payment_job(&self, id: &str) -> StoreResult<Option<PaymentJobRow>>;
    /// Jobs, newest first, filtered.
    async fn list_payment_jobs(&self, filter: &PaymentJobFilter) -> StoreResult<Vec<PaymentJobRow>>;
    /// Queues a job that needs attention again for an attempt now, its attempts counted afresh;
    /// `NotNeedingAttention` for a job in another state.
    async fn retry_payment_job(&self, id: &str, now_ms: i64) -> StoreResult<PaymentJobRow>;
    /// How many jobs are in `state`, of one merchant when given.
    async fn count_payment_jobs(&self, state: PaymentJobState, merchant_id: Option<&str>) -> StoreResult<i64>;
}

/// The till's receipts: a till's network printer and the digital receipts' links
/// (`sql/pos_print.rs`).
#[async_trait]
pub trait PosPrintStore {
    /// Sets a till's printer, replacing the one before.
    async fn set_pos_printer(&self, printer: &PosPrinterRow) -> StoreResult<()>;
    /// Removes a till's printer (nothing to remove is fine).
    async fn clear_pos_printer(&self, device_id: &str) -> StoreResult<()>;
    /// A till's printer.
    async fn get_pos_printer(&self, device_id: &str) -> StoreResult<Option<PosPrinterRow>>;
    /// Keeps a digital receipt's link.
    async fn insert_pos_digital_receipt(&self, receipt: &PosDigitalReceiptRow) -> StoreResult<()>;
    /// The link with this token hash.
    async fn get_pos_digital_receipt(&self, token_hash: &str) -> StoreResult<Option<PosDigitalReceiptRow>>;
    /// How many links a sale has.
    async fn count_pos_digital_receipts(&self, sale_id: &str) -> StoreResult<i64>;
}

/// The store's till: devices, cash sessions, sales kept forever by the id the device made,
/// the receipt series' numbers, and the stock conflicts offline sales open.
#[async_trait]
pub trait PosStore {
    /// Registers a till; a taken series is `Duplicate(ReceiptSeries)`, a missing location
    /// `MissingReference(Location)`.
    async fn insert_pos_device(&self, device: &PosDeviceRow) -> StoreResult<()>;
    /// A till.
    async fn get_pos_device(&self, id: &str) -> StoreResult<Option<PosDeviceRow>>;
    /// A location's tills, by name.
    async fn list_pos_devices(&self, location_id: &str) -> StoreResult<Vec<PosDeviceRow>>;
    /// Opens a session with its `pos.session_changed` event; a till with an open session is
    /// `Duplicate(OpenSession)`.
    async fn open_pos_session(&self, session: &PosSessionRow, event: &NewEvent) -> StoreResult<()>;
    /// A session.
    async fn get_pos_session(&self, id: &str) -> StoreResult<Option<PosSessionRow>>;
    /// A till's sessions, newest first.
    async fn list_pos_sessions(&self, device_id: &str, page: Page) -> StoreResult<Vec<PosSessionRow>>;
    /// Records cash put in or taken out of an open session, with its event; a closed
    /// session is `SessionClosed`.
    async fn add_pos_cash_movement(&self, movement: &PosCashMovementRow, event: &NewEvent) -> StoreResult<()>;
    /// A session's cash movements, oldest first.
    async fn list_pos_cash_movements(&self, session_id: &str) -> StoreResult<Vec<PosCashMovementRow>>;
    /// Closes an open session with the counted cash: the expected cash is the domain's sum of
    /// the float, the cash kept from its sales and the cash moved, all read inside the
    /// transaction that closes it (a sale being recorded waits, or finds it closed). Its
    /// event gets the close's figures. A closed session is `SessionClosed`.
    async fn close_pos_session(
        &self,
        session_id: &str,
        counted_cash_minor: i64,
        closed_by: &str,
        closed_at_ms: i64,
        event_id: &str,
    ) -> StoreResult<PosSessionRow>;
    /// A session's figures.
    async fn pos_session_totals(&self, session_id: &str) -> StoreResult<PosSessionTotals>;
    /// Records a sale in one transaction: a sale already recorded under the id is returned as
    /// it was (`Existing`, whatever the session's state now), a receipt number of the device
    /// already used by another sale is `ReceiptTaken`, a closed session `SessionClosed`. Then
    /// the sale, its lines and payments, a `sale` movement per tracked SKU and its
    /// `stock.changed`, and the sale's event. Online, a SKU short of available units is
    /// `InsufficientStock` and nothing is recorded; offline, the movement takes what the
    /// ledger has available and the rest becomes an open stock conflict.
    async fn record_pos_sale(&self, sale: &NewPosSale) -> StoreResult<PosSaleOutcome>;
    /// A sale by id, with its conflicts.
    async fn get_pos_sale(&self, id: &str) -> StoreResult<Option<(PosSaleRow, Vec<StockConflictRow>)>>;
    /// A sale's payments, in order.
    async fn list_pos_sale_payments(&self, sale_id: &str) -> StoreResult<Vec<PosPaymentRow>>;
    /// Every receipt number (n) a till's sales carry.
    async fn pos_receipt_numbers(&self, device_id: &str) -> StoreResult<Vec<i64>>;
    /// Keeps a receipt number a till gave a second sale (once per refused sale).
    async fn record_receipt_duplicate(&self, duplicate: &ReceiptDuplicateRow) -> StoreResult<()>;
    /// A till's reused receipt numbers, by number.
    async fn list_receipt_duplicates(&self, device_id: &str) -> StoreResult<Vec<ReceiptDuplicateRow>>;
    /// A location's stock conflicts, newest first, of one status when given.
    async fn list_stock_conflicts(
        &self,
        location_id: &str,
        status: Option<&str>,
        page: Page,
    ) -> StoreResult<Vec<StockConflictRow>>;
}

/// The manager's side of stock conflicts: each conflict with what explains it, and its
/// resolution written in one transaction with the movements it makes.
#[async_trait]
pub trait StockConflictStore {
    /// One conflict with its sale's and order's facts.
    async fn get_stock_conflict_detail(&self, id: &str) -> StoreResult<Option<StockConflictDetailRow>>;
    /// A location's conflicts with their facts, newest first, of one status when given.
    async fn list_stock_conflict_details(
        &self,
        location_id: &str,
        status: Option<&str>,
        page: Page,
    ) -> StoreResult<Vec<StockConflictDetailRow>>;
    /// Resolves an open conflict in one transaction: the conflict becomes `resolved` (a
    /// conditional update, so two resolutions never both win), the count, transfer and
    /// movements are applied (a transfer's source short of units is `InsufficientStock`, a
    /// count below what is reserved `LedgerRefused`, and nothing is kept), and the event is
    /// written to the outbox.
    async fn resolve_stock_conflict(&self, resolution: &NewConflictResolution) -> StoreResult<ConflictResolveOutcome>;
    /// Flags a till sale recorded at the till's total: `difference_minor` is till − engine.
    async fn flag_pos_price_difference(&self, sale_id: &str, difference_minor: i64) -> StoreResult<()>;
    /// A location's till sales recorded at a total the engine priced otherwise, newest first.
    async fn list_pos_price_differences(&self, location_id: &str, limit: i64) -> StoreResult<Vec<PriceDifferenceRow>>;
}

/// The till's money accounting: managers' PINs, the approvals they give at a till with the
/// per-till lock after wrong PINs, each till's approval limits, and what a session's report
/// adds up beyond its sales (voids, manual discounts, the count per denomination).
#[async_trait]
pub trait PosApprovalStore {
    /// Sets a user's PIN hash; an unknown user is `NotFound`.
    async fn set_user_pin(&self, user_id: &str, pin_hash: &str) -> StoreResult<()>;
    /// The users whose PIN approves at a till of `merchant_id`: its managers, then admins, each
    /// with a PIN set (at most 50).
    async fn manager_pins(&self, merchant_id: &str) -> StoreResult<Vec<ManagerPinRow>>;
    /// A till's run of wrong PINs and its lock (none yet: the default).
    async fn pin_guard(&self, device_id: &str) -> StoreResult<omnicanal_domain::pos::PinGuard>;
    /// Counts a wrong PIN on a till at `now_ms` (the domain's rule, in one transaction): what to
    /// tell the till, attempts left or the lock.
    async fn record_pin_failure(&self, device_id: &str, now_ms: i64) -> StoreResult<omnicanal_domain::pos::PinRefusal>;
    /// Records an approval and ends the till's run of wrong PINs, in one transaction; a till
    /// locked meanwhile is `StaleState`.
    async fn insert_pos_approval(&self, approval: &PosApprovalRow) -> StoreResult<()>;
    /// An approval.
    async fn get_pos_approval(&self, id: &str) -> StoreResult<Option<PosApprovalRow>>;
    /// The approvals given during a session, oldest first.
    async fn list_session_approvals(&self, session_id: &str) -> StoreResult<Vec<PosApprovalRow>>;
    /// A till's limits, when a manager set them.
    async fn pos_device_limits(&self, device_id: &str) -> StoreResult<Option<PosDeviceLimitsRow>>;
    /// Sets a till's limits.
    async fn set_pos_device_limits(&self, limits: &PosDeviceLimitsRow) -> StoreResult<()>;
    /// [`PosStore::close_pos_session`], keeping the count per denomination (JSON
    /// `[[value, count], ..]`) in the same transaction.
    async fn close_pos_session_counted(
        &self,
        session_id: &str,
        counted_cash_minor: i64,
        denominations_json: Option<&str>,
        closed_by: &str,
        closed_at_ms: i64,
        event_id: &str,
    ) -> StoreResult<()>;
    /// A session's voids, manual discounts, approvals and count per denomination.
    async fn pos_session_accounting(&self, session_id: &str) -> StoreResult<PosSessionAccounting>;
}

/// Pay-at-pickup parts collected at a till (issue 14 point 4).
#[async_trait]
pub trait PosPickupStore {
    /// A location's parts with this pickup code, newest first (a four-digit code may repeat).
    async fn find_pickup_parts(&self, location_id: &str, pickup_code: &str) -> StoreResult<Vec<FulfillmentRecord>>;
    /// A part's collection at a till, with its tenders.
    async fn get_pickup_collection(
        &self,
        fulfillment_id: &str,
    ) -> StoreResult<Option<(PickupCollectionRow, Vec<PickupPaymentRow>)>>;
    /// Records a collection in one transaction: the session must still be open
    /// (`SessionClosed`), the part moves to `collected` as any handover (its capture, its stock
    /// sale and their events; `StaleState` when it moved meanwhile), then the collection, its
    /// tenders and the session's event. Returns the order as it now stands.
    async fn collect_pickup(&self, new: &NewPickupCollection) -> StoreResult<OrderRecord>;
}

/// Users managed from the console: lists, invitations by link, deactivation (issue 15 point 1).
#[async_trait]
pub trait UserAdminStore {
    /// Users matching a search, by e-mail, with the total count of matches.
    async fn list_users(&self, search: &UserSearch, page: Page) -> StoreResult<(Vec<ManagedUserRow>, i64)>;
    /// One user with its state.
    async fn get_managed_user(&self, user_id: &str) -> StoreResult<Option<ManagedUserRow>>;
    /// Creates an invited user (no usable password) and its invitation in one transaction; a
    /// taken e-mail is `Duplicate(UserEmail)`.
    async fn insert_invited_user(&self, user: &UserRow, invitation: &InvitationRow) -> StoreResult<()>;
    /// The invitation of a token hash.
    async fn get_invitation(&self, token_hash: &str) -> StoreResult<Option<InvitationRow>>;
    /// Accepts an invitation once: when it is open, unexpired at `now_ms` and its user active,
    /// marks it accepted, sets the password and opens the session, in one transaction; false
    /// (nothing written) otherwise, so two uses of one link never both succeed.
    async fn accept_invitation(
        &self,
        token_hash: &str,
        password_hash: &str,
        session: &SessionRow,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// Deactivates (`Some(time)`) or reactivates (`None`) a user; deactivating ends every
    /// session of the user in the same transaction. False when no such user.
    async fn set_user_deactivated(&self, user_id: &str, deactivated_at_ms: Option<i64>) -> StoreResult<bool>;
}

/// CSV import jobs with their progress, and a location's transfers (issue 15 point 2).
#[async_trait]
pub trait ImportJobStore {
    /// Records a new job.
    async fn insert_import_job(&self, job: &ImportJobRow) -> StoreResult<()>;
    /// Writes a running job's progress (and heartbeat); a finished job is left as it is.
    async fn update_import_progress(&self, id: &str, processed: i64, total: i64, now_ms: i64) -> StoreResult<()>;
    /// Writes a job's final state, figures and report.
    async fn finish_import_job(&self, job: &ImportJobRow) -> StoreResult<()>;
    /// A job by id.
    async fn get_import_job(&self, id: &str) -> StoreResult<Option<ImportJobRow>>;
    /// Transfers that leave or reach a location, newest first.
    async fn list_location_transfers(&self, location_id: &str, limit: i64) -> StoreResult<Vec<TransferRow>>;
}

/// The manager's catalogue (issue 15 point 2): search, edits saved whole, archiving, categories.
#[async_trait]
pub trait CatalogAdminStore {
    /// A merchant's products matching a search, with the total count of matches.
    async fn search_products(&self, search: &ProductSearch, page: Page) -> StoreResult<(Vec<CatalogEntryRow>, i64)>;
    /// One product with its variants and archive state.
    async fn get_catalog_entry(&self, product_id: &str) -> StoreResult<Option<CatalogEntryRow>>;
    /// Saves an edit in one transaction: nothing is written when the product is missing, a
    /// removed variant's SKU has history, or a SKU is taken (`Duplicate(MerchantSku)`).
    async fn update_product(&self, edit: &ProductEditRow) -> StoreResult<ProductEditOutcome>;
    /// Archives (`Some(time)`) or brings back (`None`) a product; false when no such product.
    async fn set_product_archived(&self, product_id: &str, archived_at_ms: Option<i64>) -> StoreResult<bool>;
    /// A merchant's categories with their product counts, by name.
    async fn merchant_categories(&self, merchant_id: &str) -> StoreResult<Vec<CategoryRow>>;
    /// Moves every product of a merchant from one category to another; returns how many.
    async fn rename_category(&self, merchant_id: &str, from: &str, to: &str) -> StoreResult<i64>;
}

/// Product photos and their resized renditions, kept in the database so every node sees them
/// (issue 15 point 2).
#[async_trait]
pub trait PhotoStore {
    /// Puts `photo` in place of the product's previous one (if any), with exactly these
    /// renditions, and points the product's `image_url` at `image_url`, in one transaction.
    /// `NotFound` when the product is gone.
    async fn replace_product_photo(
        &self,
        photo: &ProductPhotoRow,
        renditions: &[PhotoRenditionRow],
        image_url: &str,
    ) -> StoreResult<()>;
    /// Removes the product's photo and its renditions and clears its `image_url`, in one
    /// transaction; false (nothing changed) when it had no photo.
    async fn delete_product_photo(&self, product_id: &str) -> StoreResult<bool>;
    /// The product's photo with its renditions (without their bytes), smallest first.
    async fn get_product_photo(
        &self,
        product_id: &str,
    ) -> StoreResult<Option<(ProductPhotoRow, Vec<PhotoRenditionInfo>)>>;
    /// One rendition with its bytes, for serving.
    async fn get_photo_rendition(&self, product_id: &str, size: &str) -> StoreResult<Option<PhotoRenditionRow>>;
    /// Sets only a product's `image_url` (None clears it); false when no such product.
    async fn set_product_image_url(&self, product_id: &str, image_url: Option<&str>) -> StoreResult<bool>;
}

/// The audit log: who changed what in the back office, before and after (issue 15 point 3).
#[async_trait]
pub trait AuditStore {
    /// Records one change.
    async fn insert_audit_entry(&self, entry: &AuditEntryRow) -> StoreResult<()>;
    /// Entries matching a filter, newest first, with the total count of matches.
    async fn list_audit_entries(&self, filter: &AuditFilter, page: Page) -> StoreResult<(Vec<AuditEntryRow>, i64)>;
    /// One entry.
    async fn get_audit_entry(&self, id: &str) -> StoreResult<Option<AuditEntryRow>>;
}

/// Shop connections (issue 16): the link, the SKU mappings, the coalesced push queue, the
/// orders a shop sent (exactly once by their key), the statuses owed back, and conflicts.
#[async_trait]
pub trait ConnectionStore {
    /// Records a new connection (`Duplicate(ConnectionName)` when the merchant has the name).
    async fn insert_connection(&self, connection: &ShopConnectionRow) -> StoreResult<()>;
    /// A connection by id.
    async fn get_connection(&self, id: &str) -> StoreResult<Option<ShopConnectionRow>>;
    /// Connections, oldest first; one merchant's when given.
    async fn list_connections(&self, merchant_id: Option<&str>) -> StoreResult<Vec<ShopConnectionRow>>;
    /// Replaces the settings a person edits (name, URL, sealed credentials, locations, buffer,
    /// price list, rules); false when no such connection.
    async fn update_connection_settings(&self, connection: &ShopConnectionRow) -> StoreResult<bool>;
    /// Records how calls to the shop went.
    async fn record_connection_health(&self, id: &str, health: &ConnectionHealth, now_ms: i64) -> StoreResult<()>;
    /// Takes the connection for this node until `until_ms`, when no other node holds it;
    /// false when another does.
    async fn lease_connection(&self, id: &str, now_ms: i64, until_ms: i64) -> StoreResult<bool>;
    /// Gives the lease back: the one this holder took (`held_until_ms`) or renewed since.
    async fn release_connection(&self, id: &str, held_until_ms: i64) -> StoreResult<()>;
    /// Extends a lease this node holds (a long import renews it page by page).
    async fn renew_connection_lease(&self, id: &str, until_ms: i64) -> StoreResult<()>;
    /// Asks for a full resync (the first import included); progress starts at zero.
    async fn request_connection_sync(&self, id: &str, now_ms: i64) -> StoreResult<bool>;
    /// Writes an import's progress.
    async fn record_sync_progress(&self, id: &str, done: i64, total: i64, now_ms: i64) -> StoreResult<()>;
    /// Marks the import finished (the request asked at `requested_at_ms`; a newer one stays).
    async fn finish_connection_sync(&self, id: &str, requested_at_ms: i64, now_ms: i64) -> StoreResult<()>;
    /// Moves the order-poll watermark.
    async fn record_orders_polled(&self, id: &str, since_ms: i64, polled_at_ms: i64) -> StoreResult<()>;
    /// Records that drift was looked for.
    async fn record_drift_checked(&self, id: &str, now_ms: i64) -> StoreResult<()>;

    /// Creates or replaces mappings (keeping the synced values of an existing one unless the
    /// shop's item changed).
    async fn upsert_mappings(&self, mappings: &[ShopMappingRow]) -> StoreResult<()>;
    /// A connection's mappings; only these SKUs when given.
    async fn list_mappings(&self, connection_id: &str, skus: Option<&[String]>) -> StoreResult<Vec<ShopMappingRow>>;
    /// How many SKUs a connection maps.
    async fn count_mappings(&self, connection_id: &str) -> StoreResult<i64>;
    /// The mappings of these SKUs in every connection of a merchant.
    async fn merchant_mappings(&self, merchant_id: &str, skus: &[String]) -> StoreResult<Vec<ShopMappingRow>>;
    /// Records the value both sides now agree on for these SKUs.
    async fn record_synced(
        &self,
        connection_id: &str,
        field: omnicanal_domain::connections::SyncedField,
        values: &[(String, i64)],
    ) -> StoreResult<()>;

    /// Forgets what a previous import left unmatched.
    async fn clear_unmatched(&self, connection_id: &str) -> StoreResult<()>;
    /// Records unmatched items (replacing those of the same key).
    async fn upsert_unmatched(&self, items: &[ShopUnmatchedRow]) -> StoreResult<()>;
    /// A connection's unmatched items by title, with their total count.
    async fn list_unmatched(&self, connection_id: &str, page: Page) -> StoreResult<(Vec<ShopUnmatchedRow>, i64)>;
    /// One unmatched item.
    async fn get_unmatched(&self, connection_id: &str, remote_key: &str) -> StoreResult<Option<ShopUnmatchedRow>>;
    /// Forgets one unmatched item (it was linked or created).
    async fn delete_unmatched(&self, connection_id: &str, remote_key: &str) -> StoreResult<()>;

    /// Owes these pushes: a row already owed for the same SKU and field takes the newer change
    /// and the sooner due time (unless it is backing off).
    async fn enqueue_pushes(&self, pushes: &[ShopPushRow]) -> StoreResult<()>;
    /// A connection's pushes of one field due at `now_ms`, oldest change first.
    async fn due_pushes(
        &self,
        connection_id: &str,
        field: omnicanal_domain::connections::SyncedField,
        now_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<ShopPushRow>>;
    /// Drops pushes made, each only if no newer change came meanwhile.
    async fn complete_pushes(&self, pushes: &[ShopPushRow]) -> StoreResult<()>;
    /// Puts pushes off after a failure.
    async fn defer_pushes(&self, pushes: &[ShopPushRow], due_at_ms: i64) -> StoreResult<()>;
    /// How many pushes a connection owes, and the oldest change among them.
    async fn push_backlog(&self, connection_id: &str) -> StoreResult<(i64, Option<i64>)>;

    /// Records an order a shop sent, once: false when it was already there.
    async fn insert_shop_order(&self, order: &ShopOrderRow) -> StoreResult<bool>;
    /// A connection's orders waiting to be placed, due at `now_ms`, oldest first.
    async fn due_shop_orders(&self, connection_id: &str, now_ms: i64, limit: i64) -> StoreResult<Vec<ShopOrderRow>>;
    /// Writes what became of an order (state, our order, cause, attempts, due time).
    async fn update_shop_order(&self, order: &ShopOrderRow) -> StoreResult<()>;
    /// One shop order.
    async fn get_shop_order(&self, connection_id: &str, remote_id: &str) -> StoreResult<Option<ShopOrderRow>>;
    /// The shop order that became our order.
    async fn shop_order_for(&self, order_id: &str) -> StoreResult<Option<ShopOrderRow>>;
    /// A connection's orders, newest first, optionally in one state, with the total count.
    async fn list_shop_orders(
        &self,
        connection_id: &str,
        state: Option<omnicanal_domain::connections::ShopOrderState>,
        page: Page,
    ) -> StoreResult<(Vec<ShopOrderRow>, i64)>;

    /// Owes a status to the shop (once per order and status).
    async fn enqueue_status_push(&self, push: &ShopStatusPushRow) -> StoreResult<()>;
    /// A connection's statuses owed, due at `now_ms`.
    async fn due_status_pushes(
        &self,
        connection_id: &str,
        now_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<ShopStatusPushRow>>;
    /// Records an attempt to tell a status (done, or put off with its error).
    async fn update_status_push(&self, push: &ShopStatusPushRow) -> StoreResult<()>;

    /// Records a conflict.
    async fn insert_shop_conflict(&self, conflict: &ShopConflictRow) -> StoreResult<()>;
    /// A connection's conflicts, newest first; only open ones when asked; with the total count.
    async fn list_shop_conflicts(
        &self,
        connection_id: &str,
        open_only: bool,
        page: Page,
    ) -> StoreResult<(Vec<ShopConflictRow>, i64)>;
    /// One conflict.
    async fn get_shop_conflict(&self, id: &str) -> StoreResult<Option<ShopConflictRow>>;
    /// Settles an open conflict; false when it was not open.
    async fn resolve_shop_conflict(
        &self,
        id: &str,
        resolution: &str,
        by: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<bool>;
    /// Whether an open conflict of this kind exists for this SKU or order.
    async fn open_conflict_exists(
        &self,
        connection_id: &str,
        kind: &str,
        sku: Option<&str>,
        remote_order_id: Option<&str>,
    ) -> StoreResult<bool>;

    /// How far a consumer has read the outbox (0 when it never has).
    async fn outbox_cursor(&self, consumer: &str) -> StoreResult<i64>;
    /// Moves a consumer's outbox cursor forward (never back).
    async fn advance_outbox_cursor(&self, consumer: &str, seq: i64) -> StoreResult<()>;

    /// A merchant's SKUs with their barcodes and base prices.
    async fn merchant_sku_index(&self, merchant_id: &str) -> StoreResult<Vec<SkuIndexRow>>;
    /// Stock levels of these SKUs at these locations.
    async fn levels_at(&self, location_ids: &[String], skus: &[String]) -> StoreResult<Vec<LevelRow>>;
    /// Whether a connection owes anything due at `now_ms`: a push, an order to place, a status.
    async fn connection_work_due(&self, connection_id: &str, now_ms: i64) -> StoreResult<bool>;
    /// Sets a variant's base price (a price the shop owns, taken from it); false when no such SKU.
    async fn set_variant_price(&self, merchant_id: &str, sku: &str, price_minor: i64) -> StoreResult<bool>;
}

/// Click & collect and pay-at-pickup changes (issue 17 points 4 and 5): a store's pick list,
/// a merchant's pickup wait, the release of parts not collected in time, and parts changed at
/// the counter.
#[async_trait]
pub trait ClickCollectStore {
    /// The merchant's pickup wait in days, when it set one.
    async fn pickup_expiry_days(&self, merchant_id: &str) -> StoreResult<Option<i64>>;
    /// Sets the merchant's pickup wait in days.
    async fn set_pickup_expiry_days(&self, merchant_id: &str, days: i64, now_ms: i64) -> StoreResult<()>;
    /// The location's parts still to pick (placed, accepted, preparing), oldest first.
    async fn list_pick_list(&self, location_id: &str, page: Page) -> StoreResult<Vec<PickListRow>>;
    /// The barcodes of a merchant's SKUs (SKUs it does not sell are left out).
    async fn sku_barcodes(&self, merchant_id: &str, skus: &[String]) -> StoreResult<Vec<SkuBarcodeRow>>;
    /// Releases up to `limit` ready parts whose wait (the merchant's, else `default_days`)
    /// ended by `now_ms`: cancelled, units released, money refunded or forgiven; how many.
    async fn expire_uncollected_pickups(&self, now_ms: i64, default_days: i64, limit: i64) -> StoreResult<usize>;
    /// The location's newest open parts (at most `limit`) whose order gave a phone: (part id, phone).
    async fn open_parts_with_phone(&self, location_id: &str, limit: i64) -> StoreResult<Vec<(String, String)>>;
    /// How many times a part was changed at the counter (its version); `None` when no such part.
    async fn part_change_count(&self, fulfillment_id: &str) -> StoreResult<Option<i64>>;
    /// Applies a change at the counter in one transaction (see `sql/click_collect.rs`): a part
    /// changed or moved meanwhile is `StaleState`, a short SKU `InsufficientStock`, a closed
    /// session `SessionClosed`; nothing is kept then.
    async fn change_pickup_part(&self, change: &NewPickupChange) -> StoreResult<OrderRecord>;
    /// A part's changes at the counter, oldest first.
    async fn list_pickup_changes(&self, fulfillment_id: &str) -> StoreResult<Vec<PickupChangeRow>>;
    /// The changes made in a till's session, oldest first.
    async fn list_session_pickup_changes(&self, session_id: &str) -> StoreResult<Vec<PickupChangeRow>>;
    /// The codes of the coupons an order redeemed when it was placed, sorted.
    async fn order_coupon_codes(&self, order_id: &str) -> StoreResult<Vec<String>>;
}

/// The retail catalogue (issue 17 points 1 and 2): products with options, locations that are
/// stores or warehouses.
#[async_trait]
pub trait RetailStore {
    /// Inserts a product with its variants and its options (None: none) in one transaction;
    /// a SKU the merchant already has is `Duplicate(MerchantSku)`.
    async fn insert_retail_product(
        &self,
        product: &ProductRow,
        variants: &[VariantRow],
        options_json: Option<&str>,
    ) -> StoreResult<()>;
    /// The options of a merchant's products that have some.
    async fn merchant_product_options(&self, merchant_id: &str) -> StoreResult<Vec<ProductOptionsRow>>;
    /// Sets a location's kind; false when there is no such location.
    async fn set_location_kind(&self, row: &LocationKindRow) -> StoreResult<bool>;
    /// The kind of each of a merchant's locations.
    async fn merchant_location_kinds(&self, merchant_id: &str) -> StoreResult<Vec<LocationKindRow>>;
    /// Saves a product's options (None: none) and which of its SKUs are off, replacing both, in
    /// one transaction; false when there is no such product.
    async fn save_variant_settings(
        &self,
        product_id: &str,
        options_json: Option<&str>,
        inactive_skus: &[String],
        variant_photos: &[VariantPhotoRow],
    ) -> StoreResult<bool>;
    /// Which gallery photo each of a product's variants shows (variants without one absent).
    async fn variant_photos(&self, product_id: &str) -> StoreResult<Vec<VariantPhotoRow>>;
    /// Adds a photo to a product's gallery with its renditions, in one transaction.
    async fn insert_gallery_photo(
        &self,
        photo: &GalleryPhotoRow,
        renditions: &[GalleryRenditionRow],
    ) -> StoreResult<()>;
    /// A product's gallery, oldest first, each photo with its renditions (no bytes).
    async fn list_gallery_photos(
        &self,
        product_id: &str,
    ) -> StoreResult<Vec<(GalleryPhotoRow, Vec<PhotoRenditionInfo>)>>;
    /// One size of a gallery photo, with its bytes, for serving.
    async fn get_gallery_rendition(&self, photo_id: &str, size: &str) -> StoreResult<Option<GalleryRenditionRow>>;
    /// Removes a gallery photo of this product, its renditions and the variants' choice of it;
    /// false when the product has no such photo.
    async fn delete_gallery_photo(&self, product_id: &str, photo_id: &str) -> StoreResult<bool>;
    /// The SKUs of a merchant's variants that are switched off.
    async fn merchant_inactive_skus(&self, merchant_id: &str) -> StoreResult<Vec<String>>;
    /// Sets a merchant's shop slug; `Taken` when another merchant has it.
    async fn set_shop_slug(&self, row: &ShopSlugRow) -> StoreResult<ShopSlugOutcome>;
    /// The merchant whose chosen slug this is.
    async fn merchant_of_shop_slug(&self, slug: &str) -> StoreResult<Option<String>>;
    /// A merchant's chosen slug, if it chose one.
    async fn shop_slug_of(&self, merchant_id: &str) -> StoreResult<Option<String>>;
}

/// Returns and exchanges (issue 17 point 6): the merchant's policy, purchases with what is
/// still returnable, and returns recorded in one transaction.
#[async_trait]
pub trait ReturnStore {
    /// A merchant's return policy (`None`: the default).
    async fn get_return_policy(&self, merchant_id: &str) -> StoreResult<Option<ReturnPolicyRow>>;
    /// Sets a merchant's return policy.
    async fn put_return_policy(&self, policy: &ReturnPolicyRow) -> StoreResult<()>;
    /// An order (its parts of `merchant_id`, only handed-over lines) or a till sale of
    /// `merchant_id`, with what was already returned of each line; `None` when it does not
    /// exist or has nothing of that merchant.
    async fn get_purchase(
        &self,
        source: omnicanal_domain::returns::ReturnSource,
        id: &str,
        merchant_id: &str,
    ) -> StoreResult<Option<PurchaseRecord>>;
    /// A merchant's purchases by order number, receipt number or the customer's phone (each
    /// given one matched), newest first, at most 20 of each kind.
    async fn find_purchases(
        &self,
        merchant_id: &str,
        order_number: Option<i64>,
        receipt_number: Option<&str>,
        phone: Option<&str>,
    ) -> StoreResult<Vec<(omnicanal_domain::returns::ReturnSource, String)>>;
    /// Records a return in one transaction: the purchase's row locked, the returned counts
    /// the plan was made with checked (`StaleState` when another return came first), the
    /// merchant's next credit note, the card refund's payment job, the cash paid out of the
    /// open session (`SessionClosed`) or the customer's store credit, the return and its lines, and a `return` movement per
    /// restocked SKU at the return's location with its `stock.changed`.
    async fn record_return(&self, new: &NewReturn) -> StoreResult<ReturnRecord>;
    /// A return with its lines.
    async fn get_return(&self, id: &str) -> StoreResult<Option<ReturnRecord>>;
    /// The exchange a return was part of (its new items, the difference and how it was paid);
    /// `None` for a plain return.
    async fn get_return_exchange(&self, return_id: &str) -> StoreResult<Option<NewExchange>>;
    /// A purchase's returns, oldest first.
    async fn list_purchase_returns(
        &self,
        source: omnicanal_domain::returns::ReturnSource,
        source_id: &str,
    ) -> StoreResult<Vec<ReturnRow>>;
    /// A merchant's returns taken in `[from_ms, to_ms)`, at one location when given.
    async fn list_returns_between(
        &self,
        merchant_id: &str,
        location_id: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<ReturnRow>>;
    /// The returns whose cash came out of a till session.
    async fn list_session_returns(&self, session_id: &str) -> StoreResult<Vec<ReturnRow>>;
    /// A merchant's returns of orders taken in `[from_ms, to_ms)`, as settlement rows (one per
    /// return: `fulfillment_id` is the return's id, the location where it was taken, nothing
    /// captured and its refund refunded), oldest first. Till sales are not in settlements.
    async fn settlement_returns(
        &self,
        merchant_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<SettlementLineRow>>;
}

/// Store credit and gift cards (issue 17 point 8): balances per customer or per card code that
/// never go below zero, whatever spends at once, each change recorded once by its source.
#[async_trait]
pub trait CreditStore {
    /// Applies a positive credit in its own transaction (creating the account on the first);
    /// a retry of the same source returns the entry already written.
    async fn grant_credit(&self, entry: &NewCreditEntry) -> StoreResult<CreditEntryRow>;
    /// Applies a negative spend in its own transaction: `InsufficientCredit` beyond the balance
    /// (or with no account), `CreditExpired` once expired; a retry returns the first entry.
    async fn spend_credit(&self, entry: &NewCreditEntry) -> StoreResult<CreditEntryRow>;
    /// Creates a gift card's account with its first credit in one transaction; `None` (nothing
    /// written) when the code's hash is already a card of the merchant.
    async fn issue_gift_card(&self, card: &NewGiftCard) -> StoreResult<Option<(CreditAccountRow, CreditEntryRow)>>;
    /// A holder's balance.
    async fn get_credit_account(
        &self,
        merchant_id: &str,
        holder: &CreditHolderKey,
    ) -> StoreResult<Option<CreditAccountRow>>;
    /// A balance by its id.
    async fn get_credit_account_by_id(&self, id: &str) -> StoreResult<Option<CreditAccountRow>>;
    /// An account's ledger, newest first, with its total count.
    async fn list_credit_entries(&self, account_id: &str, page: Page) -> StoreResult<(Vec<CreditEntryRow>, i64)>;
    /// A merchant's accounts of one holder kind, newest first, with their total count.
    async fn list_credit_accounts(
        &self,
        merchant_id: &str,
        holder_kind: &str,
        page: Page,
    ) -> StoreResult<(Vec<CreditAccountRow>, i64)>;
    /// The merchant's `credit_expiry_days` (`None`: credit never expires); `NotFound` without
    /// the merchant.
    async fn credit_expiry_days(&self, merchant_id: &str) -> StoreResult<Option<i64>>;
    /// Sets the merchant's `credit_expiry_days`; false when no such merchant.
    async fn set_credit_expiry_days(&self, merchant_id: &str, days: Option<i64>) -> StoreResult<bool>;
}

/// Customer accounts (issue 17 point 3): accounts and their identifiers, sign-in links used
/// once, customer sessions (apart from staff sessions, so a customer token opens no staff
/// route), claimed orders, and the history of purchases matching the verified identifiers.
#[async_trait]
pub trait CustomerStore {
    /// Records a new account with its (unverified) identifiers.
    async fn insert_customer_account(
        &self,
        account: &CustomerAccountRow,
        identifiers: &[CustomerIdentifierRow],
    ) -> StoreResult<()>;
    /// Adds an identifier to an account (nothing when the account has it already).
    async fn add_customer_identifier(&self, identifier: &CustomerIdentifierRow) -> StoreResult<()>;
    /// An account by id.
    async fn get_customer_account(&self, id: &str) -> StoreResult<Option<CustomerAccountRow>>;
    /// The account an e-mail or phone belongs to: the one that verified it, else the oldest
    /// that registered it.
    async fn find_customer_by_identifier(
        &self,
        kind: omnicanal_domain::customers::IdentifierKind,
        value: &str,
    ) -> StoreResult<Option<CustomerAccountRow>>;
    /// An account's identifiers, e-mails first.
    async fn customer_identifiers(&self, account_id: &str) -> StoreResult<Vec<CustomerIdentifierRow>>;
    /// Records a sign-in link.
    async fn insert_customer_sign_in_link(&self, link: &CustomerSignInLinkRow) -> StoreResult<()>;
    /// How many links an account was sent since `since_ms` (a bound on link mail).
    async fn count_customer_sign_in_links(&self, account_id: &str, since_ms: i64) -> StoreResult<i64>;
    /// A link by the hash of its token.
    async fn get_customer_sign_in_link(&self, token_hash: &str) -> StoreResult<Option<CustomerSignInLinkRow>>;
    /// Uses a link, once, in one transaction: marks it used (only if unused and unexpired at
    /// `now_ms`), verifies the identifier it was sent to (unless another account verified it),
    /// sets the password it carries, and opens `session`. False when the link did not qualify.
    async fn use_customer_sign_in_link(
        &self,
        token_hash: &str,
        now_ms: i64,
        session: &CustomerSessionRow,
    ) -> StoreResult<bool>;
    /// Opens a session.
    async fn insert_customer_session(&self, session: &CustomerSessionRow) -> StoreResult<()>;
    /// The account of an unexpired session.
    async fn customer_session_account(&self, token_hash: &str, now_ms: i64) -> StoreResult<Option<CustomerAccountRow>>;
    /// Ends a session.
    async fn delete_customer_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Joins an order to an account (again: nothing changes).
    async fn insert_customer_claim(&self, account_id: &str, order_id: &str, now_ms: i64) -> StoreResult<()>;
    /// The history: orders and till sales matching the query, newest first, with the total.
    async fn customer_purchases(&self, query: &PurchaseQuery, page: Page) -> StoreResult<(Vec<PurchaseRefRow>, i64)>;
    /// The store-credit balances held under any of these customer keys (normalised e-mails and
    /// phones, as the credit ledger keys them) at every merchant, by merchant; at most 100.
    async fn customer_credit_accounts(&self, keys: &[String]) -> StoreResult<Vec<CreditAccountRow>>;
}

/// The endless aisle (issue 17 point 7): orders sold on a tablet for another location's
/// stock, their shipments and their transfers to the selling store.
#[async_trait]
pub trait AisleStore {
    /// Stores an aisle order in one transaction: the till's session locked open, the order
    /// placed as any order (its units reserved at the source; short → `InsufficientStock`,
    /// nothing recorded), the aisle's row and tenders, the cash into the session, then the
    /// shipment (delivery) or the transfers out of the source with the part moved to the store
    /// (pickup here).
    async fn place_aisle_order(&self, new: &NewAisleOrder) -> StoreResult<OrderRecord>;
    /// An aisle order by its order id.
    async fn get_aisle_order(&self, order_id: &str) -> StoreResult<Option<AisleOrderRecord>>;
    /// A shipment by id.
    async fn get_shipment(&self, id: &str) -> StoreResult<Option<ShipmentRow>>;
    /// A shipment by its order.
    async fn get_order_shipment(&self, order_id: &str) -> StoreResult<Option<ShipmentRow>>;
    /// A location's shipments, optionally of one status, oldest first.
    async fn list_location_shipments(
        &self,
        location_id: &str,
        status: Option<omnicanal_domain::shipment::ShipmentStatus>,
        page: Page,
    ) -> StoreResult<Vec<ShipmentRow>>;
    /// Applies a shipment's step in one transaction (only if still at `from`, else
    /// `StaleState`): the part's change, refunds owed, the event.
    async fn step_shipment(&self, change: &ShipmentChange) -> StoreResult<ShipmentRow>;
    /// A pickup here arrived at the store, in one transaction: transfers still in transit are
    /// received, the units reserved at the store for the part, the part made ready. Received
    /// twice → `StaleState`.
    async fn receive_aisle_order(&self, receipt: &AisleReceipt) -> StoreResult<OrderRecord>;
}

/// The support desk's tickets and messages (issue 18 point 1).
#[async_trait]
pub trait SupportTicketStore {
    /// Stores a new ticket with its number drawn from the desk's one series, its first
    /// messages and events (a `support.ticket_changed` of this ticket gets the number too), in
    /// one transaction; returns it with its number.
    async fn insert_support_ticket(
        &self,
        ticket: &SupportTicketRow,
        messages: &[SupportMessageRow],
        events: &[NewEvent],
    ) -> StoreResult<SupportTicketRow>;
    /// A ticket by id.
    async fn get_support_ticket(&self, id: &str) -> StoreResult<Option<SupportTicketRow>>;
    /// A ticket by its number.
    async fn get_support_ticket_by_number(&self, number: i64) -> StoreResult<Option<SupportTicketRow>>;
    /// Tickets matching a filter, most urgent due first, with the count of all matches.
    async fn list_support_tickets(
        &self,
        filter: &SupportTicketFilter,
        page: Page,
    ) -> StoreResult<(Vec<SupportTicketRow>, i64)>;
    /// A ticket's messages, oldest first; agents' notes only when `with_internal`.
    async fn list_support_messages(&self, ticket_id: &str, with_internal: bool) -> StoreResult<Vec<SupportMessageRow>>;
    /// Writes a change in one transaction if the ticket is still at the version it was read
    /// at; otherwise `StaleState` and nothing is written.
    async fn change_support_ticket(&self, change: &SupportTicketChange) -> StoreResult<SupportTicketRow>;
    /// Tickets opened in `[from_ms, to_ms)`, optionally of one merchant or store, oldest first,
    /// at most `limit` (the reports' input).
    async fn list_support_tickets_opened(
        &self,
        from_ms: i64,
        to_ms: i64,
        merchant_id: Option<&str>,
        location_id: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<SupportTicketRow>>;
}

/// SLA policies and special days of the support desk (issue 18 point 3).
#[async_trait]
pub trait SupportSlaStore {
    /// The rules of one scope (None: the platform's), by priority then category.
    async fn list_sla_rules(&self, merchant_id: Option<&str>) -> StoreResult<Vec<SlaRuleRow>>;
    /// The rules that may apply to a merchant's tickets: its own and the platform's.
    async fn sla_rules_for(&self, merchant_id: &str) -> StoreResult<Vec<SlaRuleRow>>;
    /// Replaces a scope's rules with `rules` in one transaction (an unknown merchant is
    /// `MissingReference(Merchant)`, nothing changed).
    async fn replace_sla_rules(&self, merchant_id: Option<&str>, rules: &[SlaRuleRow]) -> StoreResult<()>;
    /// Stores a special day; another one of the same scope on the same date is
    /// `Ok(false)`, nothing written; an unknown merchant or site is `MissingReference`.
    async fn insert_special_day(&self, day: &SpecialDayRow) -> StoreResult<bool>;
    /// A special day by id.
    async fn get_special_day(&self, id: &str) -> StoreResult<Option<SpecialDayRow>>;
    /// Deletes a special day; false when there was none.
    async fn delete_special_day(&self, id: &str) -> StoreResult<bool>;
    /// Special days by scope and dates, by date.
    async fn list_special_days(&self, filter: &SpecialDayFilter, page: Page) -> StoreResult<Vec<SpecialDayRow>>;
    /// The special days that apply to a location of `merchant_id` at `site_id` between two
    /// dates (inclusive): platform-wide, the site's, the merchant's and the merchant's at the
    /// site, by date and least specific first (so the most specific is last for its date).
    async fn special_days_applying(
        &self,
        merchant_id: &str,
        site_id: &str,
        from_date: &str,
        to_date: &str,
    ) -> StoreResult<Vec<SpecialDayRow>>;
    /// Tickets whose SLA clock runs (new or open) with a warning or breach not yet claimed for
    /// a target still open (no first response yet; not resolved), earliest resolution first.
    async fn tickets_for_sla_watch(&self, limit: i64) -> StoreResult<Vec<SlaWatchRow>>;
    /// Claims one alert of a ticket (its 0/1 flag set only if still 0 and its clock still runs)
    /// and writes `event` in the same transaction; false when another node claimed it first or
    /// the ticket moved on.
    async fn claim_sla_alert(&self, ticket_id: &str, alert: SlaAlertFlag, event: &NewEvent) -> StoreResult<bool>;
}

/// The support desk's knowledge base (issue 18 point 4): articles, their full-text search
/// (FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL, over terms the app folded and
/// stemmed), help sessions and feedback.
#[async_trait]
pub trait KnowledgeStore {
    /// Stores a new article; its terms enter the search index in the same statement.
    async fn insert_article(&self, article: &ArticleRow) -> StoreResult<()>;
    /// Replaces an article's editable fields (everything but id, author and creation time);
    /// `NotFound` if there is no such article.
    async fn update_article(&self, article: &ArticleRow) -> StoreResult<()>;
    /// An article by id.
    async fn get_article(&self, id: &str) -> StoreResult<Option<ArticleRow>>;
    /// Articles matching the filter, newest edit first, with the total count.
    async fn list_articles(&self, filter: &ArticleFilter, page: Page) -> StoreResult<(Vec<ArticleRow>, i64)>;
    /// Published articles matching any of the search's terms, best ranked first (title matches
    /// weigh more than body matches).
    async fn search_articles(&self, search: &ArticleSearch) -> StoreResult<Vec<ArticleHitRow>>;
    /// Stores a newly opened help session.
    async fn insert_help_session(&self, session: &HelpSessionRow) -> StoreResult<()>;
    /// A help session by id.
    async fn get_help_session(&self, id: &str) -> StoreResult<Option<HelpSessionRow>>;
    /// Ends a help session if it still ends as `end.expected`; else `StaleState`.
    async fn end_help_session(&self, end: &HelpSessionEnd) -> StoreResult<()>;
    /// Records feedback and, in the same transaction, the help session's end it implies
    /// (`StaleState` and nothing recorded if the session moved meanwhile).
    async fn record_article_feedback(
        &self,
        feedback: &ArticleFeedbackRow,
        session_end: Option<&HelpSessionEnd>,
    ) -> StoreResult<()>;
    /// Counts help sessions opened and feedback given in `[from_ms, to_ms)`, of one merchant
    /// or (with `None`) of all.
    async fn deflection_counts(
        &self,
        merchant_id: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<DeflectionCountsRow>;
}

/// Incidents before anyone calls (issue 18 point 5): telemetry counted per (store, kind, code,
/// till, minute), when each till was last heard from, the detector's one-winner-per-tick lease,
/// and incidents, one open per (store, cause) by a partial unique index.
#[async_trait]
pub trait SupportIncidentStore {
    /// Adds a till's batch of counts and marks the till heard from, in one transaction.
    async fn record_support_telemetry(&self, batch: &TelemetryBatchRow) -> StoreResult<()>;
    /// Counts of `kinds` from `from_minute_ms` on, summed per (store, kind, code, till);
    /// at most `limit` rows, largest first.
    async fn support_telemetry_window(
        &self,
        kinds: &[omnicanal_domain::support::incidents::TelemetryKind],
        from_minute_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<TelemetryWindowRow>>;
    /// Each store's total of `kind` in minutes `[from_minute_ms, to_minute_ms)`.
    async fn support_telemetry_totals(
        &self,
        kind: omnicanal_domain::support::incidents::TelemetryKind,
        from_minute_ms: i64,
        to_minute_ms: i64,
    ) -> StoreResult<Vec<(String, i64)>>;
    /// Tills last heard from in `(after_ms, before_ms]`, at most `limit`, longest silent first.
    async fn support_devices_seen_between(
        &self,
        after_ms: i64,
        before_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<DeviceSeenRow>>;
    /// Claims the detector's tick at `now_ms`: true only for the one node whose claim lands,
    /// and only when the last tick was at least `min_gap_ms` ago.
    async fn claim_support_detector_run(&self, now_ms: i64, min_gap_ms: i64) -> StoreResult<bool>;
    /// Every open incident (at most `limit`).
    async fn open_support_incidents(&self, limit: i64) -> StoreResult<Vec<SupportIncidentRow>>;
    /// Opens an incident with its event in one transaction; false (and no event) when one is
    /// already open for the same store and cause.
    async fn open_support_incident(&self, incident: &SupportIncidentRow, event: NewEvent) -> StoreResult<bool>;
    /// Keeps an open incident open: its rule passed again at `last_firing_at_ms`.
    async fn refresh_support_incident(&self, id: &str, last_firing_at_ms: i64, evidence_json: &str) -> StoreResult<()>;
    /// Closes an open incident with its event in one transaction; false when it was not open.
    async fn close_support_incident(&self, id: &str, closed_at_ms: i64, event: NewEvent) -> StoreResult<bool>;
    /// Incidents newest first.
    async fn list_support_incidents(
        &self,
        filter: &SupportIncidentFilter,
        page: Page,
    ) -> StoreResult<Vec<SupportIncidentRow>>;
    /// How many incidents match.
    async fn count_support_incidents(&self, filter: &SupportIncidentFilter) -> StoreResult<i64>;
    /// One incident.
    async fn get_support_incident(&self, id: &str) -> StoreResult<Option<SupportIncidentRow>>;
    /// Forgets telemetry counts of minutes before `before_minute_ms`; returns how many rows.
    async fn prune_support_telemetry(&self, before_minute_ms: i64) -> StoreResult<u64>;
    /// One store's counts of `kinds` from `from_minute_ms` on, summed per (kind, code, till);
    /// at most `limit` rows, largest first (the detector's fast path judges one store at once).
    async fn support_telemetry_window_at(
        &self,
        location_id: &str,
        kinds: &[omnicanal_domain::support::incidents::TelemetryKind],
        from_minute_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<TelemetryWindowRow>>;
    /// One store's total of `kind` in minutes `[from_minute_ms, to_minute_ms)`.
    async fn support_telemetry_total_at(
        &self,
        location_id: &str,
        kind: omnicanal_domain::support::incidents::TelemetryKind,
        from_minute_ms: i64,
        to_minute_ms: i64,
    ) -> StoreResult<i64>;
    /// One store's open incidents (at most one per cause).
    async fn open_support_incidents_at(&self, location_id: &str) -> StoreResult<Vec<SupportIncidentRow>>;
}

/// The support desk's macros: canned answers (issue 18 point 2).
#[async_trait]
pub trait SupportMacroStore {
    /// Stores a new macro.
    async fn insert_support_macro(&self, row: &SupportMacroRow) -> StoreResult<()>;
    /// A macro by id.
    async fn get_support_macro(&self, id: &str) -> StoreResult<Option<SupportMacroRow>>;
    /// Macros by title (then id), with the count of all.
    async fn list_support_macros(&self, page: Page) -> StoreResult<(Vec<SupportMacroRow>, i64)>;
    /// Writes a macro's title, body and `updated_ms`; `NotFound` when it is gone.
    async fn update_support_macro(&self, row: &SupportMacroRow) -> StoreResult<()>;
    /// Removes a macro; `NotFound` when it was not there.
    async fn delete_support_macro(&self, id: &str) -> StoreResult<()>;
}

/// A support ticket's photos and the last till failures the server saw (issue 18 point 1;
/// `sql/support_photos.rs`).
#[async_trait]
pub trait SupportPhotoStore {
    /// Keeps a ticket's photo.
    async fn insert_support_ticket_photo(&self, photo: &SupportTicketPhotoRow) -> StoreResult<()>;
    /// A photo of a ticket (another ticket's photo is `None`).
    async fn get_support_ticket_photo(&self, ticket_id: &str, id: &str) -> StoreResult<Option<SupportTicketPhotoRow>>;
    /// A ticket's photo ids, oldest first.
    async fn list_support_ticket_photo_ids(&self, ticket_id: &str) -> StoreResult<Vec<String>>;
    /// Records a failure, replacing the last one of its kind and scope.
    async fn record_till_failure(&self, failure: &TillFailureRow) -> StoreResult<()>;
    /// The last failure of a kind on a till or store.
    async fn last_till_failure(&self, kind: TillFailureKind, scope_id: &str) -> StoreResult<Option<TillFailureRow>>;
}

/// What the desk's reports read beyond tickets (issue 18 points 4 and 6): the incidents of a
/// period and the problems raised, help session or not.
#[async_trait]
pub trait SupportReportStore {
    /// Incidents open at some moment of `[from_ms, to_ms)` (opened before `to_ms`, not closed
    /// before `from_ms`), of one merchant and/or one store when named; at most `limit`, oldest
    /// first.
    async fn support_incidents_in_period(
        &self,
        from_ms: i64,
        to_ms: i64,
        merchant_id: Option<&str>,
        location_id: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<SupportIncidentRow>>;
    /// Help sessions opened and tickets opened without one in `[from_ms, to_ms)`, of one
    /// merchant and/or one store when named.
    async fn support_problem_counts(
        &self,
        from_ms: i64,
        to_ms: i64,
        merchant_id: Option<&str>,
        location_id: Option<&str>,
    ) -> StoreResult<SupportProblemCountsRow>;
}

/// The desk's on-call rota, its agents' push subscriptions and its alert deliveries (issue 18
/// point 3; `sql/support_on_call.rs`).
#[async_trait]
pub trait SupportOnCallStore {
    /// Adds a shift (`user_email` is ignored).
    async fn insert_on_call_shift(&self, shift: &OnCallShiftRow) -> StoreResult<()>;
    /// Shifts that end after `after_ms`, by start then id, with each agent's e-mail (at most `limit`).
    async fn list_on_call_shifts(&self, after_ms: i64, limit: i64) -> StoreResult<Vec<OnCallShiftRow>>;
    /// Removes a shift; `NotFound` when it was not there.
    async fn delete_on_call_shift(&self, id: &str) -> StoreResult<()>;
    /// Stores an agent's subscription; the same (agent, endpoint) again refreshes its keys and
    /// language. Returns the stored row.
    async fn upsert_support_push_subscription(
        &self,
        subscription: &SupportPushSubscriptionRow,
    ) -> StoreResult<SupportPushSubscriptionRow>;
    /// Removes an agent's subscription; false when the agent had no such endpoint.
    async fn delete_support_push_subscription(&self, user_id: &str, endpoint: &str) -> StoreResult<bool>;
    /// An agent's subscriptions, oldest first.
    async fn list_support_push_subscriptions(&self, user_id: &str) -> StoreResult<Vec<SupportPushSubscriptionRow>>;
    /// Every subscription of an active support agent or admin, by agent (at most `limit`).
    async fn list_desk_push_subscriptions(&self, limit: i64) -> StoreResult<Vec<SupportPushSubscriptionRow>>;
    /// Forgets every agent subscription with this endpoint (the push service says it is gone).
    async fn forget_support_push_endpoint(&self, endpoint: &str) -> StoreResult<u64>;
    /// Enqueues an alert delivery; false when (event, target) was enqueued before (by any
    /// node): the insert is the claim.
    async fn enqueue_support_alert_job(&self, job: &SupportAlertJobRow) -> StoreResult<bool>;
    /// Takes up to `limit` pending deliveries due at `now_ms` for one attempt each: their
    /// attempts counted and `next_at_ms` moved to `lease_until_ms`, each by a conditional
    /// update, so two nodes never take the same one.
    async fn take_due_support_alert_jobs(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<SupportAlertJobRow>>;
    /// Records an attempt's outcome: `Sent` or `Failed` (final), or `Pending` again at `next_at_ms`.
    async fn finish_support_alert_job(
        &self,
        event_id: &str,
        target: &str,
        state: SupportAlertJobState,
        next_at_ms: i64,
        last_error: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// The deliveries of one event, by target.
    async fn support_alert_jobs_of(&self, event_id: &str) -> StoreResult<Vec<SupportAlertJobRow>>;
}

/// Bookings (issue 19): resources, services, and bookings never two at once on one resource.
#[async_trait]
pub trait BookingStore {
    /// Inserts a table, staff member or room.
    async fn insert_booking_resource(&self, row: &BookingResourceRow) -> StoreResult<()>;
    /// A resource by id.
    async fn get_booking_resource(&self, id: &str) -> StoreResult<Option<BookingResourceRow>>;
    /// A location's resources, oldest first.
    async fn list_booking_resources(&self, location_id: &str) -> StoreResult<Vec<BookingResourceRow>>;
    /// Inserts a service.
    async fn insert_booking_service(&self, row: &BookingServiceRow) -> StoreResult<()>;
    /// A service by id.
    async fn get_booking_service(&self, id: &str) -> StoreResult<Option<BookingServiceRow>>;
    /// The bookings of these resources that hold their time (held, confirmed or seated:
    /// `BookingStatus::holds_time`) and whose held time (buffer included) meets `[from_ms, to_ms)`.
    async fn confirmed_bookings_between(
        &self,
        resource_ids: &[String],
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<BookingRow>>;
    /// Stores a booking, claims its grid cells (`cell_starts_ms`, the start of each) and writes
    /// its events, in one transaction; a cell already claimed answers `Taken` and stores nothing.
    async fn insert_booking(
        &self,
        booking: &BookingRow,
        cell_starts_ms: &[i64],
        events: &[NewEvent],
    ) -> StoreResult<BookingInsert>;
    /// A booking by id (read from the primary, so a booking just made is found).
    async fn get_booking(&self, id: &str) -> StoreResult<Option<BookingRow>>;
    /// Cancels a held or confirmed booking, frees its cells and writes its events, in one
    /// transaction; false when it was neither (cancelled meanwhile).
    async fn cancel_booking(&self, id: &str, now_ms: i64, events: &[NewEvent]) -> StoreResult<bool>;
    /// A location's booking rules, when its manager set them.
    async fn get_booking_settings(&self, location_id: &str) -> StoreResult<Option<BookingSettingsRow>>;
    /// Sets a location's booking rules (insert or replace).
    async fn put_booking_settings(&self, row: &BookingSettingsRow) -> StoreResult<()>;

    // The customer's booking pages (issue 19 point 5).
    /// A merchant's services, by name: what `/shop/{merchant}/agenda` offers.
    async fn booking_services_of_merchant(&self, merchant_id: &str) -> StoreResult<Vec<BookingServiceRow>>;
}

/// Bookings' availability (issue 19 points 1 and 2, helper bkavail): what a slot search reads
/// beyond resources and bookings, and the booking on joined tables that claims every member.
#[async_trait]
pub trait BookingAvailabilityStore {
    /// Sets a resource's zone, combinable group and working week (insert or replace).
    async fn put_booking_resource_details(&self, row: &BookingResourceDetailsRow) -> StoreResult<()>;
    /// The details of a location's resources that have any.
    async fn list_booking_resource_details(&self, location_id: &str) -> StoreResult<Vec<BookingResourceDetailsRow>>;
    /// Adds an exception day.
    async fn insert_booking_exception(&self, row: &BookingExceptionRow) -> StoreResult<()>;
    /// A location's exception days (its own and its resources') from `from_day` to `to_day`
    /// (`YYYY-MM-DD`, inclusive), by day.
    async fn list_booking_exceptions(
        &self,
        location_id: &str,
        from_day: &str,
        to_day: &str,
    ) -> StoreResult<Vec<BookingExceptionRow>>;
    /// Deletes an exception day of a location; false when there was none.
    async fn delete_booking_exception(&self, location_id: &str, id: &str) -> StoreResult<bool>;
    /// Replaces who performs a service.
    async fn set_service_performers(&self, service_id: &str, resource_ids: &[String]) -> StoreResult<()>;
    /// Who performs a service (empty: every staff member and room of a location).
    async fn service_performers(&self, service_id: &str) -> StoreResult<Vec<String>>;
    /// A merchant's services, oldest first, at most `limit`.
    async fn list_booking_services(&self, merchant_id: &str, limit: i64) -> StoreResult<Vec<BookingServiceRow>>;
    /// The grid cells claimed on these resources in `[from_ms, to_ms)`, as (resource, cell
    /// start): what availability treats as taken, so a slot offered is one the claim accepts.
    async fn claimed_cells_between(
        &self,
        resource_ids: &[String],
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<(String, i64)>>;
    /// Inserts a booking on joined tables: its row, the claims of every member on every cell,
    /// its members, its hold when it is held (`hold_expires_ms`) and its events, in one
    /// transaction; `Taken` when any member's cell is claimed.
    async fn insert_joined_booking(
        &self,
        booking: &BookingRow,
        member_ids: &[String],
        cell_starts_ms: &[i64],
        hold_expires_ms: Option<i64>,
        events: &[NewEvent],
    ) -> StoreResult<BookingInsert>;
    /// The members of a booking on joined tables (empty for a one-resource booking).
    async fn booking_members(&self, booking_id: &str) -> StoreResult<Vec<String>>;
    /// Sets where a location is (insert or replace).
    async fn put_location_place(&self, row: &LocationPlaceRow) -> StoreResult<()>;
    /// Where a location is, when set.
    async fn get_location_place(&self, location_id: &str) -> StoreResult<Option<LocationPlaceRow>>;
    /// The places of every location with one, at most `limit`.
    async fn list_location_places(&self, limit: i64) -> StoreResult<Vec<LocationPlaceRow>>;

    // A service's buffer before and its edits (issue 19 point 1, helper buffers).
    /// Replaces a service's name, duration, buffers and price (its id, merchant and creation
    /// stay); false when there is no such service. Bookings already made keep their claims.
    async fn update_booking_service(&self, row: &BookingServiceRow) -> StoreResult<bool>;
}

/// A booking's life after it is made (issue 19 point 3): a hold while the customer confirms,
/// its confirmation or expiry, and moving a booking to another time or resource — each one
/// transaction with its claims and its events, conditional on the status so two nodes racing
/// change a booking once.
#[async_trait]
pub trait BookingLifeStore {
    /// Stores a booking `held` until `hold_expires_ms`, claims its cells and writes its events,
    /// in one transaction; a cell already claimed answers `Taken` and stores nothing.
    async fn insert_held_booking(
        &self,
        booking: &BookingRow,
        cell_starts_ms: &[i64],
        hold_expires_ms: i64,
        events: &[NewEvent],
    ) -> StoreResult<BookingInsert>;
    /// When a booking's hold lapses (`None`: it was never held, or its hold was settled).
    async fn booking_hold_expiry(&self, booking_id: &str) -> StoreResult<Option<i64>>;
    /// Confirms a held booking whose hold has not lapsed at `now_ms`, with its events; false
    /// when it was not held any more or its hold lapsed (expired or cancelled meanwhile).
    async fn confirm_held_booking(&self, booking_id: &str, now_ms: i64, events: &[NewEvent]) -> StoreResult<bool>;
    /// Held bookings whose hold lapsed by `now_ms`, the oldest lapse first, at most `limit`.
    async fn lapsed_held_bookings(&self, now_ms: i64, limit: i64) -> StoreResult<Vec<BookingRow>>;
    /// Expires a held booking whose hold lapsed by `now_ms`: frees its cells and writes its
    /// events; false when another node (or a confirmation) settled it first.
    async fn expire_held_booking(&self, booking_id: &str, now_ms: i64, events: &[NewEvent]) -> StoreResult<bool>;
    /// Moves a held or confirmed booking to `moved`'s resource and times: deletes its claims,
    /// claims `claims`, updates the row and writes its events in one transaction. A claimed
    /// cell rolls everything back (`Taken`: the old time is still held).
    async fn move_booking(
        &self,
        moved: &BookingRow,
        claims: &[BookingClaim],
        events: &[NewEvent],
    ) -> StoreResult<BookingMove>;
}

/// Deposits on bookings and the one way a booking ends (issue 19 point 3): the rules that ask
/// for a deposit, a booking stored with its deposit and the capture job, and every ending —
/// cancellation, lapsed hold, a staff's status move — as one conditional transaction that
/// frees the cells, writes the events and queues the deposit's refund or void.
#[async_trait]
pub trait BookingDepositStore {
    /// Sets a service's or a location's deposit (insert or replace).
    async fn put_deposit_rule(&self, row: &DepositRuleRow) -> StoreResult<()>;
    /// Removes one; false when there was none.
    async fn delete_deposit_rule(&self, owner_id: &str) -> StoreResult<bool>;
    /// A service's or a location's deposit rule, when set.
    async fn get_deposit_rule(&self, owner_id: &str) -> StoreResult<Option<DepositRuleRow>>;
    /// The deposit rules of these owners.
    async fn deposit_rules_of(&self, owner_ids: &[String]) -> StoreResult<Vec<DepositRuleRow>>;
    /// Stores a booking as `insert_booking`, `insert_held_booking` or `insert_joined_booking`
    /// do (`members` empty for one resource), with its deposit and, for a confirmed booking,
    /// the capture job, in the same transaction; `Taken` stores nothing.
    #[expect(clippy::too_many_arguments, reason = "the insert's own arguments plus the deposit and its job")]
    async fn insert_booking_with_deposit(
        &self,
        booking: &BookingRow,
        members: &[String],
        cell_starts_ms: &[i64],
        hold_expires_ms: Option<i64>,
        deposit: &BookingDepositRow,
        capture: Option<&PaymentJobRow>,
        events: &[NewEvent],
    ) -> StoreResult<BookingInsert>;
    /// A booking's deposit, when it has one.
    async fn get_booking_deposit(&self, booking_id: &str) -> StoreResult<Option<BookingDepositRow>>;
    /// The deposits of these bookings (those that have one).
    async fn booking_deposits_of(&self, booking_ids: &[String]) -> StoreResult<Vec<BookingDepositRow>>;
    /// Ends (or moves) a booking as `end` says, in one transaction; false when it was no
    /// longer in `end.from` (or its hold had not lapsed): nothing is written.
    async fn end_booking(&self, end: &BookingEnd) -> StoreResult<bool>;
    /// Confirms a held booking as `confirm_held_booking` does and, in the same transaction,
    /// queues its deposit's capture job and points the deposit at it.
    async fn confirm_held_booking_with_capture(
        &self,
        booking_id: &str,
        now_ms: i64,
        capture: &PaymentJobRow,
        events: &[NewEvent],
    ) -> StoreResult<bool>;
    /// Adds a service and, when it asks for one, its deposit rule, in one transaction.
    async fn insert_booking_service_with_deposit(
        &self,
        row: &BookingServiceRow,
        deposit: Option<&DepositRuleRow>,
    ) -> StoreResult<()>;
    /// Updates a service and changes its deposit rule as `deposit` says, in one transaction;
    /// false (nothing written) when there is no such service.
    async fn update_booking_service_with_deposit(
        &self,
        row: &BookingServiceRow,
        deposit: &DepositRuleChange,
    ) -> StoreResult<bool>;
}

/// The staff's schedule (issue 19 point 5, bkstaff): a location's bookings over a range, the
/// customers' past no-shows, the status moves staff make, and the counts of a period.
#[async_trait]
pub trait BookingStaffStore {
    /// A location's bookings whose time (buffer not included) meets `[from_ms, to_ms)`, by start,
    /// at most `limit`.
    async fn location_bookings_between(
        &self,
        location_id: &str,
        from_ms: i64,
        to_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<BookingRow>>;
    /// The contacts (phone, e-mail) of a merchant's no-show bookings whose phone is one of
    /// `phones` or whose e-mail is one of `emails`, one row per no-show, at most `limit`.
    async fn no_show_contacts(
        &self,
        merchant_id: &str,
        phones: &[String],
        emails: &[String],
        limit: i64,
    ) -> StoreResult<Vec<(Option<String>, Option<String>)>>;
    /// Moves a booking from `from` to `to` and writes its events, in one transaction; when
    /// `to` does not hold time its claimed cells are deleted in the same transaction. False
    /// when the booking was no longer in `from` (moved meanwhile): nothing is written.
    async fn move_booking_status(
        &self,
        id: &str,
        from: omnicanal_domain::bookings::booking::BookingStatus,
        to: omnicanal_domain::bookings::booking::BookingStatus,
        now_ms: i64,
        events: &[NewEvent],
    ) -> StoreResult<bool>;
    /// How many of a location's bookings starting in `[from_ms, to_ms)` are in each status.
    async fn booking_status_counts(
        &self,
        location_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> StoreResult<Vec<(omnicanal_domain::bookings::booking::BookingStatus, i64)>>;
}

/// Reminders before a booking (issue 19 point 4; `sql/booking_reminders.rs`): the customer's
/// channels for a booking, the claim of each (booking, reminder) and its delivery jobs.
#[async_trait]
pub trait BookingReminderStore {
    /// Stores a browser's subscription on a booking; the same (booking, endpoint) again
    /// refreshes its keys, language and page. Returns the stored row.
    async fn upsert_booking_push_subscription(
        &self,
        row: &BookingPushSubscriptionRow,
    ) -> StoreResult<BookingPushSubscriptionRow>;
    /// A booking's subscriptions, oldest first.
    async fn list_booking_push_subscriptions(&self, booking_id: &str) -> StoreResult<Vec<BookingPushSubscriptionRow>>;
    /// A booking's subscription by id.
    async fn get_booking_push_subscription(&self, id: &str) -> StoreResult<Option<BookingPushSubscriptionRow>>;
    /// Forgets every booking subscription with this endpoint (the push service says it is gone).
    async fn forget_booking_push_endpoint(&self, endpoint: &str) -> StoreResult<u64>;
    /// Sets the customer's choices for a booking's reminders (insert or replace).
    async fn put_booking_reminder_preferences(&self, row: &BookingReminderPreferencesRow) -> StoreResult<()>;
    /// The customer's choices for a booking's reminders, when set.
    async fn get_booking_reminder_preferences(
        &self,
        booking_id: &str,
    ) -> StoreResult<Option<BookingReminderPreferencesRow>>;
    /// Confirmed or seated bookings starting in `(after_ms, until_ms]`, soonest first, each with
    /// the reminders already claimed for it (at most `limit`).
    async fn booking_reminder_candidates(
        &self,
        after_ms: i64,
        until_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<ReminderCandidateRow>>;
    /// Claims reminder `offset_minutes` of a booking and enqueues its deliveries, in one
    /// transaction; false (nothing stored) when any node claimed it before: the insert is the claim.
    async fn claim_booking_reminder(
        &self,
        booking_id: &str,
        offset_minutes: i64,
        now_ms: i64,
        jobs: &[BookingReminderJobRow],
    ) -> StoreResult<bool>;
    /// Takes up to `limit` pending deliveries due at `now_ms` for one attempt each (attempts
    /// counted, `next_at_ms` moved to `lease_until_ms`), each by a conditional update, so two
    /// nodes never take the same one.
    async fn take_due_booking_reminder_jobs(
        &self,
        now_ms: i64,
        lease_until_ms: i64,
        limit: i64,
    ) -> StoreResult<Vec<BookingReminderJobRow>>;
    /// Records an attempt's outcome: `Sent` or `Failed` (final), or `Pending` again at `next_at_ms`.
    async fn finish_booking_reminder_job(
        &self,
        job: &BookingReminderJobRow,
        state: ReminderJobState,
        next_at_ms: i64,
        last_error: Option<&str>,
        now_ms: i64,
    ) -> StoreResult<()>;
    /// The deliveries of one booking's reminders, by reminder and target.
    async fn booking_reminder_jobs_of(&self, booking_id: &str) -> StoreResult<Vec<BookingReminderJobRow>>;
    /// The latest reminder claimed for a booking: (minutes before the start, claimed at).
    async fn latest_booking_reminder_claim(&self, booking_id: &str) -> StoreResult<Option<(i64, i64)>>;
    /// Enqueues one more delivery of a claimed reminder (a browser subscribed just after it was
    /// claimed); false when that (booking, reminder, target) was enqueued before.
    async fn enqueue_booking_reminder_job(&self, job: &BookingReminderJobRow) -> StoreResult<bool>;
}
