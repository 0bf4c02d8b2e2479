//! In: the shop's orders, exactly once. A webhook (its signature checked by the shop's own
//! scheme, answered at once) and the poll (the fallback, and the only way for shops without
//! webhooks) both only *record* an order under its key `(connection, remote id)`; a second
//! delivery, a retried webhook or the poll finding it again changes nothing. Placing it is a
//! separate step from that record, under an order id derived from the same key, so even a
//! crash between placing and marking it placed cannot place it twice: the retry collides with
//! the order already there and takes it. Placed orders carry channel `shop:<kind>`, reserve
//! stock and land in the store's queue beside counter and phone orders; an order for a SKU we
//! do not know or do not have waits for a person, listed as a conflict.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use omnicanal_domain::connections::{ConnectorKind, RemoteOrderStatus, ShopOrderState, retry_delay_ms};
use omnicanal_store::{ShopConflictRow, ShopConnectionRow, ShopOrderRow, ShopStatusPushRow};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::client::{RemoteOrder, RemoteOrderLine, ShopClient};
use super::engine::PassResult;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::ordering::command::{OrderInput, Payment, PlaceOrder};
use crate::pricing::cart::LineInput;

/// The poll looks this far behind its watermark (shops' clocks and late writes).
const POLL_OVERLAP_MS: i64 = 5 * 60 * 1_000;
/// How far a shop's order time may lag ours and still count as placed after the connection.
const CLOCK_TOLERANCE_MS: i64 = 5_000;
/// Pages of orders read per poll.
const MAX_POLL_PAGES: usize = 20;
/// Orders placed per pass.
const ORDERS_PER_PASS: i64 = 50;
/// Tries to place an order that keeps failing for a reason of ours before a person is asked.
const MAX_PLACE_ATTEMPTS: i64 = 8;
/// The largest webhook body read.
pub const MAX_WEBHOOK_BYTES: usize = 1024 * 1024;

/// A webhook as it arrived: its headers (names lower-case) and raw body.
#[derive(Debug, Clone, Default)]
pub struct ShopWebhook {
    /// Headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The raw body, as signed.
    pub body: Vec<u8>,
}

impl ShopWebhook {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str())
    }
}

/// What became of a webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookReceipt {
    /// The order it carried, when it carried one.
    pub remote_id: Option<String>,
    /// True when that order had arrived before (nothing was recorded again).
    pub duplicate: bool,
}

/// The order as kept with its record (the shop's words, for the record and the retry).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredShopOrder {
    /// Shop number.
    pub number: Option<String>,
    /// Shop status word.
    pub status: String,
    /// Customer.
    pub customer_name: String,
    /// E-mail.
    pub customer_email: Option<String>,
    /// Phone.
    pub customer_phone: Option<String>,
    /// Lines: SKU (or the shop's item key), title, units.
    pub lines: Vec<StoredShopLine>,
    /// Total charged, minor units.
    pub total_minor: Option<i64>,
    /// Currency.
    pub currency: Option<String>,
}

/// One line as kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredShopLine {
    /// The SKU the shop sold.
    pub sku: Option<String>,
    /// The shop's product id.
    pub product_id: Option<String>,
    /// The shop's variant id.
    pub variant_id: Option<String>,
    /// Title.
    pub title: String,
    /// Units.
    pub quantity: i64,
}

impl From<&RemoteOrder> for StoredShopOrder {
    fn from(order: &RemoteOrder) -> Self {
        Self {
            number: order.number.clone(),
            status: order.status.clone(),
            customer_name: order.customer_name.clone(),
            customer_email: order.customer_email.clone(),
            customer_phone: order.customer_phone.clone(),
            lines: order.lines.iter().map(stored_line).collect(),
            total_minor: order.total_minor,
            currency: order.currency.clone(),
        }
    }
}

fn stored_line(line: &RemoteOrderLine) -> StoredShopLine {
    StoredShopLine {
        sku: line.sku.clone().filter(|sku| !sku.trim().is_empty()),
        product_id: line.item.as_ref().map(|item| item.product_id.clone()),
        variant_id: line.item.as_ref().and_then(|item| item.variant_id.clone()),
        title: line.title.clone(),
        quantity: line.quantity,
    }
}

/// Our order id for a shop's order: the same on every node and every try.
pub fn shop_order_id(connection_id: &str, remote_id: &str) -> String {
    let digest = Sha256::digest(format!("{connection_id}\n{remote_id}").as_bytes());
    format!("ord_shop_{}", hex::encode(&digest[..12]))
}

/// WooCommerce's ping when a webhook is saved: `webhook_id=<n>`, form-encoded and unsigned,
/// which must be answered 200 or the shop reports the delivery URL as failing. It carries
/// nothing, so taking it records nothing.
pub fn is_woocommerce_ping(kind: ConnectorKind, webhook: &ShopWebhook) -> bool {
    kind == ConnectorKind::WooCommerce
        && webhook.header("x-wc-webhook-signature").is_none()
        && std::str::from_utf8(&webhook.body)
            .ok()
            .and_then(|body| body.strip_prefix("webhook_id="))
            .is_some_and(|id| !id.is_empty() && id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether a webhook carries the shop's valid signature: base64 of HMAC-SHA256 of the raw body
/// keyed with the webhook secret, in `X-WC-Webhook-Signature` (WooCommerce) or
/// `X-Shopify-Hmac-Sha256` (Shopify), compared in constant time. Shops without webhooks never
/// verify.
pub fn webhook_signature_valid(kind: ConnectorKind, secret: &str, webhook: &ShopWebhook) -> bool {
    let header = match kind {
        ConnectorKind::WooCommerce => "x-wc-webhook-signature",
        ConnectorKind::Shopify => "x-shopify-hmac-sha256",
        ConnectorKind::PrestaShop | ConnectorKind::Magento => return false,
    };
    let Some(signature) = webhook.header(header).and_then(|value| STANDARD.decode(value.trim()).ok()) else {
        return false;
    };
    if secret.is_empty() {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(&webhook.body);
    mac.verify_slice(&signature).is_ok()
}

impl App {
    /// Takes a webhook the shop posted to its connection: `Unauthenticated` (401) unless it
    /// carries the shop's valid signature, and then nothing is recorded; an order in it is
    /// recorded once and placed by the worker (the shop gets its answer at once).
    pub async fn receive_shop_webhook(&self, connection_id: &str, webhook: ShopWebhook) -> AppResult<WebhookReceipt> {
        let connection = self.store.get_connection(connection_id).await?.ok_or(AppError::NotFound("connection"))?;
        let secret = self
            .credentials_key
            .open(&connection.credentials_sealed)
            .map(|credentials| credentials.get("webhook_secret").to_owned())
            .unwrap_or_default();
        if is_woocommerce_ping(connection.kind, &webhook) {
            return Ok(WebhookReceipt { remote_id: None, duplicate: false });
        }
        if !webhook_signature_valid(connection.kind, &secret, &webhook) {
            return Err(AppError::Unauthenticated("the webhook's signature is missing or wrong"));
        }
        let client = self.shop_client(&connection).map_err(|failure| AppError::Conflict(failure.to_string()))?;
        let topic = webhook.header("x-wc-webhook-topic").or_else(|| webhook.header("x-shopify-topic"));
        let order = client.parse_order_webhook(topic, &webhook.body).map_err(|failure| {
            AppError::invalid("body", format!("the webhook's order could not be read: {failure}"))
        })?;
        let Some(order) = order else { return Ok(WebhookReceipt { remote_id: None, duplicate: false }) };
        let inserted = self.record_shop_order(&connection, &order).await?;
        self.signals.connections.notify_one();
        Ok(WebhookReceipt { remote_id: Some(order.remote_id), duplicate: !inserted })
    }

    /// Records an order the shop sent, once; false when it was already recorded.
    async fn record_shop_order(&self, connection: &ShopConnectionRow, order: &RemoteOrder) -> AppResult<bool> {
        if order.remote_id.trim().is_empty() {
            return Err(AppError::invalid("body", "the shop's order has no id"));
        }
        let now = self.now_ms();
        let stored = StoredShopOrder::from(order);
        let row = ShopOrderRow {
            connection_id: connection.id.clone(),
            remote_id: order.remote_id.clone(),
            number: order.number.clone(),
            state: ShopOrderState::Received,
            payload_json: serde_json::to_string(&stored).map_err(|error| AppError::Internal(Box::new(error)))?,
            order_id: None,
            cause: None,
            attempts: 0,
            due_at_ms: now,
            received_at_ms: now,
            updated_at_ms: now,
        };
        Ok(self.store.insert_shop_order(&row).await?)
    }

    /// Polls the shop for orders changed since the watermark and records the new ones.
    pub(crate) async fn poll_shop_orders(
        &self,
        connection: &ShopConnectionRow,
        client: &dyn ShopClient,
    ) -> PassResult<()> {
        let started = self.now_ms();
        let since = connection.orders_since_ms - POLL_OVERLAP_MS;
        let mut cursor: Option<String> = None;
        let mut newest = connection.orders_since_ms;
        let mut read_all = false;
        for _ in 0..MAX_POLL_PAGES {
            let page = match client.list_orders(since.max(0), cursor.as_deref()).await {
                Ok(page) => page,
                Err(failure) => return Err(self.stop_pass(connection, failure).await),
            };
            for order in &page.items {
                // Orders placed in the shop before it was connected are the shop's past, not ours
                // to fulfil (the overlap only re-reads recent changes). Shops write whole
                // seconds, and their clocks drift a little from ours.
                if order.created_at_ms.is_some_and(|created| created < connection.created_at_ms - CLOCK_TOLERANCE_MS) {
                    continue;
                }
                self.record_shop_order(connection, order).await.ok();
                newest = newest.max(order.created_at_ms.unwrap_or(newest).min(started));
            }
            cursor = page.next;
            if cursor.is_none() {
                read_all = true;
                break;
            }
        }
        // Everything changed before this poll began has been seen: the next one starts there
        // (less the overlap). Cut short by the page limit, it starts at the newest order seen.
        let watermark = if read_all { started } else { newest };
        self.store.record_orders_polled(&connection.id, watermark.max(connection.orders_since_ms), started).await?;
        Ok(())
    }

    /// Places the recorded orders that wait, each exactly once.
    pub(crate) async fn place_received_shop_orders(&self, connection: &ShopConnectionRow) -> PassResult<()> {
        let due = self.store.due_shop_orders(&connection.id, self.now_ms(), ORDERS_PER_PASS).await?;
        for order in due {
            self.place_shop_order(connection, order).await?;
        }
        Ok(())
    }

    async fn place_shop_order(&self, connection: &ShopConnectionRow, mut row: ShopOrderRow) -> AppResult<()> {
        let order_id = shop_order_id(&connection.id, &row.remote_id);
        let now = self.now_ms();
        row.updated_at_ms = now;
        if self.store.get_order(&order_id).await?.is_some() {
            return self.mark_imported(row, order_id).await;
        }
        let stored: StoredShopOrder = serde_json::from_str(&row.payload_json).unwrap_or_default();
        let lines = match self.our_lines(connection, &stored).await? {
            Ok(lines) => lines,
            Err(unknown) => {
                let detail = format!("order {} names SKUs we do not sell: {}", shown_number(&row), unknown.join(", "));
                return self
                    .shop_order_needs_person(connection, row, "order_unknown_sku", detail, unknown.first().cloned())
                    .await;
            }
        };
        let Some(location_id) = self.location_for(connection, &lines).await? else {
            let detail = format!("order {}: not enough units at the connection's locations", shown_number(&row));
            let sku = lines.first().map(|(sku, _)| sku.clone());
            return self.shop_order_needs_person(connection, row, "order_sold_out", detail, sku).await;
        };
        let location = self.store.get_location(&location_id).await?.ok_or(AppError::NotFound("location"))?;
        let input = OrderInput {
            site_id: location.site_id.clone(),
            channel: connection.kind.channel().to_string(),
            customer_name: customer_name(&stored, connection),
            customer_phone: stored.customer_phone.clone().filter(|phone| !phone.trim().is_empty()),
            customer_email: stored.customer_email.clone().filter(|email| crate::validation::plausible_email(email)),
            lines: lines
                .iter()
                .map(|(sku, quantity)| LineInput {
                    sku: sku.clone(),
                    location_id: location_id.clone(),
                    quantity: *quantity,
                    ..LineInput::default()
                })
                .collect(),
            payment_method: "pay_at_pickup".into(),
            ..OrderInput::default()
        };
        let placed = match PlaceOrder::parse(input) {
            Ok(mut order) => {
                order.payment = Payment::PaidInShop;
                order.fixed_order_id = Some(order_id.clone());
                order.fixed_pickup_code = shop_pickup_code(&stored, &row.remote_id);
                self.place_checked_order(order, None).await
            }
            Err(error) => Err(error),
        };
        match placed {
            Ok(_) => self.mark_imported(row, order_id).await,
            Err(AppError::InsufficientStock { sku } | AppError::SoldOut { sku }) => {
                let detail = format!("order {}: {sku} is sold out here", shown_number(&row));
                self.shop_order_needs_person(connection, row, "order_sold_out", detail, Some(sku)).await
            }
            Err(AppError::Invalid(problems)) => {
                let detail = format!(
                    "order {} cannot be placed: {}",
                    shown_number(&row),
                    problems.iter().map(|p| format!("{} {}", p.field, p.message)).collect::<Vec<_>>().join("; ")
                );
                self.shop_order_needs_person(connection, row, "order_refused", detail, None).await
            }
            Err(error) => {
                // Another node may have placed it meanwhile: the derived id says so.
                if self.store.get_order(&order_id).await?.is_some() {
                    return self.mark_imported(row, order_id).await;
                }
                row.attempts += 1;
                if row.attempts >= MAX_PLACE_ATTEMPTS {
                    let detail = format!("order {} could not be placed: {error}", shown_number(&row));
                    return self.shop_order_needs_person(connection, row, "order_refused", detail, None).await;
                }
                row.cause = Some(error.to_string());
                row.due_at_ms = now + retry_delay_ms(row.attempts, None, 0);
                self.store.update_shop_order(&row).await?;
                Ok(())
            }
        }
    }

    /// Records that a shop's order is our order `order_id`.
    async fn mark_imported(&self, mut row: ShopOrderRow, order_id: String) -> AppResult<()> {
        row.state = ShopOrderState::Imported;
        row.order_id = Some(order_id);
        row.cause = None;
        Ok(self.store.update_shop_order(&row).await?)
    }

    /// Our SKU and units of each line, or the SKUs we could not tell.
    async fn our_lines(
        &self,
        connection: &ShopConnectionRow,
        order: &StoredShopOrder,
    ) -> AppResult<Result<Vec<(String, i64)>, Vec<String>>> {
        let mappings = self.store.list_mappings(&connection.id, None).await?;
        let mut lines: Vec<(String, i64)> = Vec::new();
        let mut unknown = Vec::new();
        for line in order.lines.iter().filter(|line| line.quantity > 0) {
            let by_item = mappings.iter().find(|mapping| {
                line.product_id.as_deref() == Some(mapping.remote_product_id.as_str())
                    && line.variant_id == mapping.remote_variant_id
            });
            let by_sku = line.sku.as_deref().and_then(|sku| {
                mappings.iter().find(|mapping| mapping.remote_sku.as_deref() == Some(sku) || mapping.sku == sku)
            });
            let sku = match by_item.or(by_sku) {
                Some(mapping) => Some(mapping.sku.clone()),
                None => match line.sku.as_deref() {
                    Some(sku) if self.store.find_variant(&connection.merchant_id, sku).await?.is_some() => {
                        Some(sku.to_owned())
                    }
                    _ => None,
                },
            };
            match sku {
                Some(sku) => match lines.iter_mut().find(|(seen, _)| *seen == sku) {
                    Some((_, quantity)) => *quantity += line.quantity,
                    None => lines.push((sku, line.quantity)),
                },
                None => unknown.push(line.sku.clone().unwrap_or_else(|| format!("\"{}\"", line.title))),
            }
        }
        if lines.is_empty() && unknown.is_empty() {
            unknown.push("(no lines)".into());
        }
        Ok(if unknown.is_empty() { Ok(lines) } else { Err(unknown) })
    }

    /// The first of the connection's locations that has every line's units available.
    async fn location_for(&self, connection: &ShopConnectionRow, lines: &[(String, i64)]) -> AppResult<Option<String>> {
        let skus: Vec<String> = lines.iter().map(|(sku, _)| sku.clone()).collect();
        let levels = self.store.levels_at(&connection.location_ids, &skus).await?;
        for location in &connection.location_ids {
            let enough = lines.iter().all(|(sku, quantity)| {
                match levels.iter().find(|level| &level.location_id == location && &level.sku == sku) {
                    Some(level) => level.on_hand - level.reserved >= *quantity,
                    // No row: a product that keeps no stock here, or none at all; the placement decides.
                    None => true,
                }
            });
            if enough {
                return Ok(Some(location.clone()));
            }
        }
        Ok(None)
    }

    async fn shop_order_needs_person(
        &self,
        connection: &ShopConnectionRow,
        mut row: ShopOrderRow,
        kind: &str,
        detail: String,
        sku: Option<String>,
    ) -> AppResult<()> {
        // The conflict first: whoever sees the order waiting for a person also finds its choices.
        if !self.store.open_conflict_exists(&connection.id, kind, None, Some(&row.remote_id)).await? {
            let conflict = ShopConflictRow {
                id: new_id("scf"),
                connection_id: connection.id.clone(),
                kind: kind.to_owned(),
                sku,
                remote_order_id: Some(row.remote_id.clone()),
                ours: None,
                theirs: None,
                detail: detail.clone(),
                status: "open".into(),
                resolution: None,
                detected_at_ms: self.now_ms(),
                resolved_at_ms: None,
                resolved_by: None,
            };
            self.store.insert_shop_conflict(&conflict).await?;
        }
        row.state = ShopOrderState::NeedsAttention;
        row.cause = Some(detail);
        self.store.update_shop_order(&row).await?;
        Ok(())
    }

    /// Tells the shop the statuses owed; true when at least one reached it.
    pub(crate) async fn tell_shop_statuses(
        &self,
        connection: &ShopConnectionRow,
        client: &dyn ShopClient,
    ) -> PassResult<bool> {
        let due = self.store.due_status_pushes(&connection.id, self.now_ms(), 50).await?;
        let mut told = false;
        for mut push in due {
            match client.set_order_status(&push.remote_id, push.status).await {
                Ok(()) => {
                    push.done_at_ms = Some(self.now_ms());
                    push.last_error = None;
                    self.store.update_status_push(&push).await?;
                    told = true;
                }
                Err(failure) => {
                    let retry_at = self.record_shop_failure(connection, &failure).await?;
                    push.attempts += 1;
                    push.due_at_ms = retry_at;
                    push.last_error = Some(failure.to_string());
                    self.store.update_status_push(&push).await?;
                    return Err(super::engine::PassOutcome::Stopped(super::engine::PassStopped));
                }
            }
        }
        Ok(told)
    }

    /// Owes the shop a status for one of its orders (a person cancelling it from a conflict).
    pub(crate) async fn owe_shop_status(
        &self,
        connection_id: &str,
        remote_id: &str,
        status: RemoteOrderStatus,
    ) -> AppResult<()> {
        let push = ShopStatusPushRow {
            connection_id: connection_id.to_owned(),
            remote_id: remote_id.to_owned(),
            status,
            due_at_ms: self.now_ms(),
            attempts: 0,
            last_error: None,
            done_at_ms: None,
        };
        self.store.enqueue_status_push(&push).await?;
        Ok(())
    }
}

/// The code a shop's customer shows at the counter: the digits of the shop's order number (the
/// last eight), which the shop's confirmation shows; its id's when the number has none.
pub fn shop_pickup_code(order: &StoredShopOrder, remote_id: &str) -> Option<String> {
    let digits = |text: &str| -> String { text.chars().filter(char::is_ascii_digit).collect() };
    let number = order.number.as_deref().map(digits).filter(|d| !d.is_empty()).unwrap_or_else(|| digits(remote_id));
    let start = number.len().saturating_sub(8);
    Some(number[start..].to_owned()).filter(|code| !code.is_empty())
}

fn shown_number(row: &ShopOrderRow) -> String {
    row.number.clone().unwrap_or_else(|| row.remote_id.clone())
}

fn customer_name(order: &StoredShopOrder, connection: &ShopConnectionRow) -> String {
    let name: String = order.customer_name.trim().chars().filter(|c| !c.is_control()).take(80).collect();
    if name.is_empty() {
        format!("{} {}", connection.name.chars().take(60).collect::<String>(), order.number.clone().unwrap_or_default())
            .trim()
            .to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(secret: &str, body: &[u8], header: &str) -> ShopWebhook {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(body);
        let signature = STANDARD.encode(mac.finalize().into_bytes());
        ShopWebhook { headers: vec![(header.into(), signature)], body: body.to_vec() }
    }

    #[test]
    fn only_the_shops_own_signature_over_the_raw_body_is_accepted() {
        let body = br#"{"id":1}"#;
        let woo = signed("s3cret", body, "x-wc-webhook-signature");
        assert!(webhook_signature_valid(ConnectorKind::WooCommerce, "s3cret", &woo));
        assert!(!webhook_signature_valid(ConnectorKind::WooCommerce, "other", &woo));
        assert!(!webhook_signature_valid(ConnectorKind::Shopify, "s3cret", &woo), "another shop's header");
        let mut tampered = woo.clone();
        tampered.body = br#"{"id":2}"#.to_vec();
        assert!(!webhook_signature_valid(ConnectorKind::WooCommerce, "s3cret", &tampered));
        let shopify = signed("s3cret", body, "x-shopify-hmac-sha256");
        assert!(webhook_signature_valid(ConnectorKind::Shopify, "s3cret", &shopify));
        assert!(!webhook_signature_valid(ConnectorKind::Magento, "s3cret", &shopify));
        assert!(!webhook_signature_valid(ConnectorKind::Shopify, "", &shopify));
    }

    #[test]
    fn the_counter_code_is_the_shops_order_number() {
        let numbered = StoredShopOrder { number: Some("#1001".into()), ..StoredShopOrder::default() };
        assert_eq!(shop_pickup_code(&numbered, "gid://shopify/Order/55"), Some("1001".into()));
        let unnumbered = StoredShopOrder::default();
        assert_eq!(shop_pickup_code(&unnumbered, "gid://shopify/Order/123456789012"), Some("56789012".into()));
        assert_eq!(shop_pickup_code(&unnumbered, "abc"), None);
    }

    #[test]
    fn a_shop_order_has_one_id_everywhere() {
        assert_eq!(shop_order_id("con_1", "gid://shopify/Order/1"), shop_order_id("con_1", "gid://shopify/Order/1"));
        assert_ne!(shop_order_id("con_1", "1"), shop_order_id("con_2", "1"));
        assert!(shop_order_id("con_1", "1").starts_with("ord_shop_"));
    }
}
