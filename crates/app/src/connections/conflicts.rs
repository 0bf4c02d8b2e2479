//! What a person does about a conflict the sync page lists: keep our value (push it again),
//! take the shop's, try an order again (after restocking or linking its SKU), cancel it at the
//! shop, or set it aside. Each choice fits only some kinds; any other is refused with the
//! choices that fit.

use omnicanal_domain::connections::{RemoteOrderStatus, ShopOrderState, SyncedField};
use omnicanal_store::{Page, ShopConflictRow, ShopOrderRow, ShopPushRow};

use crate::App;
use crate::audit::Change;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use omnicanal_domain::audit::{AuditAction, AuditEntity};

/// The choices for a conflict of this kind.
pub fn choices(kind: &str) -> &'static [&'static str] {
    match kind {
        "price_changed_on_both_sides" => &["keep_ours", "take_theirs", "dismiss"],
        "order_unknown_sku" | "order_sold_out" | "order_refused" => &["retry", "cancel_in_shop", "dismiss"],
        _ => &["dismiss"],
    }
}

impl App {
    /// A page of a connection's conflicts (open ones, or all), newest first, with the total.
    pub async fn shop_conflicts(
        &self,
        caller: &Caller,
        connection_id: &str,
        open_only: bool,
        page: Page,
    ) -> AppResult<(Vec<ShopConflictRow>, i64)> {
        self.connection(caller, connection_id).await?;
        Ok(self.store.list_shop_conflicts(connection_id, open_only, page).await?)
    }

    /// A page of a connection's imported orders, newest first, optionally in one state.
    pub async fn shop_orders(
        &self,
        caller: &Caller,
        connection_id: &str,
        state: Option<ShopOrderState>,
        page: Page,
    ) -> AppResult<(Vec<ShopOrderRow>, i64)> {
        self.connection(caller, connection_id).await?;
        Ok(self.store.list_shop_orders(connection_id, state, page).await?)
    }

    /// Settles an open conflict with one of its choices.
    pub async fn resolve_shop_conflict(
        &self,
        caller: &Caller,
        connection_id: &str,
        conflict_id: &str,
        choice: &str,
    ) -> AppResult<ShopConflictRow> {
        let connection = self.connection(caller, connection_id).await?;
        let conflict = self
            .store
            .get_shop_conflict(conflict_id)
            .await?
            .filter(|conflict| conflict.connection_id == connection.id)
            .ok_or(AppError::NotFound("conflict"))?;
        if conflict.status != "open" {
            return Err(AppError::Conflict("this conflict was already settled".into()));
        }
        let allowed = choices(&conflict.kind);
        if !allowed.contains(&choice) {
            return Err(AppError::invalid("choice", format!("must be one of {}", allowed.join(", "))));
        }
        let now = self.now_ms();
        match choice {
            "keep_ours" => {
                if let Some(sku) = &conflict.sku {
                    // Forget what was agreed, so our value is pushed as the new agreement.
                    let push = ShopPushRow {
                        connection_id: connection.id.clone(),
                        sku: sku.clone(),
                        field: SyncedField::Price,
                        due_at_ms: now,
                        changed_at_ms: now,
                        attempts: 0,
                    };
                    self.store.enqueue_pushes(&[push]).await?;
                }
            }
            "take_theirs" => {
                if let (Some(sku), Some(theirs)) = (&conflict.sku, conflict.theirs)
                    && let Err(why) = self.adopt_shop_value(&connection, sku, SyncedField::Price, theirs).await?
                {
                    return Err(AppError::Conflict(format!("the shop's price cannot be taken here: {why}")));
                }
            }
            "retry" | "cancel_in_shop" | "dismiss" => {
                if let Some(remote_id) = &conflict.remote_order_id {
                    if let Some(mut order) = self.store.get_shop_order(&connection.id, remote_id).await?
                        && order.state == ShopOrderState::NeedsAttention
                    {
                        order.state =
                            if choice == "retry" { ShopOrderState::Received } else { ShopOrderState::Dismissed };
                        order.due_at_ms = now;
                        order.attempts = 0;
                        order.updated_at_ms = now;
                        self.store.update_shop_order(&order).await?;
                    }
                    if choice == "cancel_in_shop" {
                        self.owe_shop_status(&connection.id, remote_id, RemoteOrderStatus::Cancelled).await?;
                    }
                }
            }
            _ => {}
        }
        let resolution = match choice {
            "retry" => "retried",
            "cancel_in_shop" => "cancelled_in_shop",
            "dismiss" => "dismissed",
            "keep_ours" => "kept_ours",
            _ => "took_theirs",
        };
        if !self.store.resolve_shop_conflict(&conflict.id, resolution, Some(&caller.email), now).await? {
            return Err(AppError::Conflict("this conflict was already settled".into()));
        }
        self.signals.connections.notify_one();
        let settled = self.store.get_shop_conflict(&conflict.id).await?.ok_or(AppError::NotFound("conflict"))?;
        let merchant = Some(connection.merchant_id.as_str());
        let change = Change::new(AuditEntity::ShopConflict, &settled.id, AuditAction::Resolved, merchant)
            .before(&conflict)
            .after(&settled);
        self.record_change(caller, change).await;
        Ok(settled)
    }
}
