//! Telling Shopify an order's new status, each the documented way:
//! - Cancelled → `orderCancel` (<https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/orderCancel>)
//!   with no refund and no restock (Omnicanal pushes the stock itself); a retried cancel of
//!   an order already cancelled is done, not refused;
//! - Shipped → `fulfillmentCreate` over the order's open fulfillment orders
//!   (<https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/fulfillmentCreate>); none
//!   open means it has shipped;
//! - Ready and Refunded → `tagsAdd` (<https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/tagsAdd>).

use omnicanal_app::connections::client::{ShopFailure, ShopResult};
use serde::Deserialize;
use serde_json::json;

use super::ShopifyClient;
use super::wire::{self, UserError};

impl ShopifyClient {
    pub(super) async fn add_tag(&self, order_id: &str, tag: &str) -> ShopResult<()> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            tags_add: Payload,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            user_errors: Vec<UserError>,
        }
        let variables = json!({ "id": order_id, "tags": [tag] });
        let data: Data = wire::read(self.transport.call(wire::TAGS_ADD_MUTATION, variables).await?, "tagsAdd")?;
        wire::refused_if_any(&data.tags_add.user_errors)
    }

    pub(super) async fn cancel(&self, order_id: &str) -> ShopResult<()> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            order_cancel: Payload,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            order_cancel_user_errors: Vec<UserError>,
        }
        let variables = json!({ "orderId": order_id, "reason": "OTHER", "refund": false, "restock": false, "notifyCustomer": false });
        let data: Data = wire::read(self.transport.call(wire::ORDER_CANCEL_MUTATION, variables).await?, "orderCancel")?;
        let refused = wire::refused_if_any(&data.order_cancel.order_cancel_user_errors);
        // A cancel retried after one that went through is refused (`INVALID`): that order
        // is cancelled, which is what was asked.
        if refused.is_err() && self.is_cancelled(order_id).await? {
            return Ok(());
        }
        refused
    }

    pub(super) async fn is_cancelled(&self, order_id: &str) -> ShopResult<bool> {
        #[derive(Deserialize)]
        struct Data {
            order: Option<Summary>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Summary {
            #[serde(default)]
            cancelled_at: Option<String>,
        }
        let data: Data =
            wire::read(self.transport.call(wire::ORDER_CANCELLED_QUERY, json!({ "id": order_id })).await?, "order")?;
        Ok(data.order.is_some_and(|order| order.cancelled_at.is_some()))
    }

    pub(super) async fn fulfil(&self, order_id: &str) -> ShopResult<()> {
        #[derive(Deserialize)]
        struct Data {
            order: Option<OrderFulfillmentOrders>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct OrderFulfillmentOrders {
            fulfillment_orders: Nodes,
        }
        #[derive(Deserialize)]
        struct Nodes {
            nodes: Vec<FulfillmentOrder>,
        }
        #[derive(Deserialize)]
        struct FulfillmentOrder {
            id: String,
            status: String,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Created {
            fulfillment_create: Payload,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            user_errors: Vec<UserError>,
        }
        let data: Data =
            wire::read(self.transport.call(wire::FULFILLMENT_ORDERS_QUERY, json!({ "id": order_id })).await?, "order")?;
        let Some(order) = data.order else {
            return Err(ShopFailure::Refused(format!("the shop has no order {order_id}")));
        };
        // Only open fulfillment orders can be fulfilled; none left means it has shipped.
        let open: Vec<serde_json::Value> = order
            .fulfillment_orders
            .nodes
            .into_iter()
            .filter(|fulfillment_order| matches!(fulfillment_order.status.as_str(), "OPEN" | "IN_PROGRESS"))
            .map(|fulfillment_order| json!({ "fulfillmentOrderId": fulfillment_order.id }))
            .collect();
        if open.is_empty() {
            return Ok(());
        }
        let variables = json!({ "fulfillment": { "lineItemsByFulfillmentOrder": open, "notifyCustomer": true } });
        let data: Created =
            wire::read(self.transport.call(wire::FULFILLMENT_CREATE_MUTATION, variables).await?, "fulfillmentCreate")?;
        wire::refused_if_any(&data.fulfillment_create.user_errors)
    }
}
