//! The mutations the fake shop answers, each validating all of its input before changing
//! anything and reporting refusals in `userErrors` as its 2025-01 reference page shows:
//! - `inventorySetQuantities` (<https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/inventorySetQuantities>)
//! - `productVariantsBulkUpdate` (<https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/productVariantsBulkUpdate>)
//! - `orderCancel` (<https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/orderCancel>)
//! - `fulfillmentCreate` (<https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/fulfillmentCreate>)
//! - `tagsAdd` (<https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/tagsAdd>)

use serde_json::{Value, json};

use super::graphql::LOCATION_GID;
use super::state::ShopState;

/// The reasons `inventorySetQuantities` accepts
/// (<https://shopify.dev/docs/apps/build/orders-fulfillment/inventory-management-apps#inventory-adjustment-reasons>).
const REASONS: &[&str] = &[
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_created",
    "movement_updated",
    "movement_received",
    "movement_canceled",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
];

fn user_error(field: &[&str], message: &str, code: &str) -> Value {
    json!({ "field": field, "message": message, "code": code })
}

pub fn inventory_set_quantities(state: &mut ShopState, input: &Value) -> Value {
    let mut errors = Vec::new();
    if input["name"].as_str() != Some("available") && input["name"].as_str() != Some("on_hand") {
        errors.push(user_error(
            &["input", "name"],
            "The quantity name must be either 'available' or 'on_hand'.",
            "INVALID_NAME",
        ));
    }
    if !input["reason"].as_str().is_some_and(|reason| REASONS.contains(&reason)) {
        errors.push(user_error(&["input", "reason"], "The specified reason is invalid.", "INVALID_REASON"));
    }
    let ignore_compare = input["ignoreCompareQuantity"].as_bool().unwrap_or(false);
    let quantities = input["quantities"].as_array().cloned().unwrap_or_default();
    let mut writes = Vec::new();
    for (index, quantity) in quantities.iter().enumerate() {
        let at = index.to_string();
        let item = quantity["inventoryItemId"].as_str().and_then(|gid| super::graphql_numeric(gid, "InventoryItem"));
        let variant = item.and_then(|item| state.variants.iter().position(|variant| variant.inventory_item_id == item));
        let Some(variant) = variant else {
            errors.push(user_error(
                &["input", "quantities", &at, "inventoryItemId"],
                "The specified inventory item could not be found.",
                "INVALID_INVENTORY_ITEM",
            ));
            continue;
        };
        if quantity["locationId"].as_str() != Some(LOCATION_GID) {
            errors.push(user_error(
                &["input", "quantities", &at, "locationId"],
                "The specified location could not be found.",
                "INVALID_LOCATION",
            ));
            continue;
        }
        let Some(new_quantity) = quantity["quantity"].as_i64() else {
            errors.push(user_error(
                &["input", "quantities", &at, "quantity"],
                "The quantity is invalid.",
                "INVALID_QUANTITY",
            ));
            continue;
        };
        if !ignore_compare && quantity["compareQuantity"].as_i64() != Some(state.variants[variant].stock) {
            errors.push(user_error(
                &["input", "quantities", &at, "compareQuantity"],
                "The compareQuantity argument no longer matches the persisted quantity.",
                "COMPARE_QUANTITY_STALE",
            ));
            continue;
        }
        writes.push((variant, new_quantity));
    }
    if !errors.is_empty() {
        return json!({ "inventoryAdjustmentGroup": null, "userErrors": errors });
    }
    let now = state.now_ms();
    let mut changes = Vec::new();
    for (variant, new_quantity) in writes {
        let variant = &mut state.variants[variant];
        changes.push(
            json!({ "name": "available", "delta": new_quantity - variant.stock, "quantityAfterChange": new_quantity }),
        );
        variant.stock = new_quantity;
        variant.updated_at_ms = now;
        let sku = variant.sku.clone();
        state.pushes.push((sku, new_quantity));
    }
    json!({ "inventoryAdjustmentGroup": { "reason": input["reason"], "changes": changes }, "userErrors": [] })
}

pub fn product_variants_bulk_update(state: &mut ShopState, variables: &Value) -> Value {
    let product = variables["productId"].as_str().and_then(|gid| super::graphql_numeric(gid, "Product"));
    let Some(product) = product.filter(|product| state.variants.iter().any(|variant| variant.product_id == *product))
    else {
        return json!({ "product": null, "productVariants": null, "userErrors": [user_error(&["productId"], "Product does not exist", "PRODUCT_DOES_NOT_EXIST")] });
    };
    let inputs = variables["variants"].as_array().cloned().unwrap_or_default();
    let mut errors = Vec::new();
    let mut writes = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let at = index.to_string();
        let id = input["id"].as_str().and_then(|gid| super::graphql_numeric(gid, "ProductVariant"));
        let Some(position) =
            id.and_then(|id| state.variants.iter().position(|v| v.id == id && v.product_id == product))
        else {
            errors.push(user_error(
                &["variants", &at, "id"],
                "Product variant does not exist",
                "PRODUCT_VARIANT_DOES_NOT_EXIST",
            ));
            continue;
        };
        match input["price"].as_str().and_then(|price| super::graphql_minor(price, state.exponent)) {
            Some(price_minor) => writes.push((position, price_minor)),
            None if input.get("price").is_none() => {}
            None => errors.push(user_error(&["variants", &at, "price"], "Price is invalid", "INVALID_INPUT")),
        }
    }
    if !errors.is_empty() {
        return json!({ "product": null, "productVariants": null, "userErrors": errors });
    }
    let now = state.now_ms();
    let mut updated = Vec::new();
    for (position, price_minor) in writes {
        let variant = &mut state.variants[position];
        variant.price_minor = price_minor;
        variant.updated_at_ms = now;
        updated.push(json!({ "id": format!("gid://shopify/ProductVariant/{}", variant.id), "price": super::graphql::decimal(price_minor, state.exponent) }));
    }
    json!({ "product": { "id": format!("gid://shopify/Product/{product}") }, "productVariants": updated, "userErrors": [] })
}

pub fn order_cancel(state: &mut ShopState, variables: &Value) -> Value {
    let refusal = |message: &str, code: &str| json!({ "job": null, "orderCancelUserErrors": [user_error(&["orderId"], message, code)], "userErrors": [] });
    // 2025-01 makes `reason`, `refund` and `restock` required arguments.
    if variables["reason"].as_str().is_none()
        || variables["refund"].as_bool().is_none()
        || variables["restock"].as_bool().is_none()
    {
        return refusal("reason, refund and restock are required", "INVALID");
    }
    let now = state.now_ms();
    let gid = variables["orderId"].as_str().unwrap_or_default().to_string();
    let Some(order) = state.order_by_gid_mut(&gid) else { return refusal("Order does not exist", "NOT_FOUND") };
    if order.cancelled_at_ms.is_some() {
        return refusal("Cannot cancel an order that has already been cancelled", "INVALID");
    }
    if order.fulfilled {
        return refusal("Cannot cancel a fulfilled order", "INVALID");
    }
    order.cancelled_at_ms = Some(now);
    order.updated_at_ms = now;
    let restocked: Vec<(String, i64)> = order.lines.iter().map(|line| (line.sku.clone(), line.quantity)).collect();
    if variables["restock"].as_bool() == Some(true) {
        for (sku, quantity) in restocked {
            if let Some(variant) = state.variant_by_sku_mut(&sku) {
                variant.stock += quantity;
                variant.updated_at_ms = now;
            }
        }
    }
    json!({ "job": { "id": format!("gid://shopify/Job/{now}"), "done": false }, "orderCancelUserErrors": [], "userErrors": [] })
}

pub fn fulfillment_create(state: &mut ShopState, fulfillment: &Value) -> Value {
    let refusal = |message: &str| json!({ "fulfillment": null, "userErrors": [user_error(&["fulfillment"], message, "INVALID")] });
    let groups = fulfillment["lineItemsByFulfillmentOrder"].as_array().cloned().unwrap_or_default();
    if groups.is_empty() {
        return refusal("lineItemsByFulfillmentOrder can't be blank");
    }
    let now = state.now_ms();
    let mut targets = Vec::new();
    for group in &groups {
        let id = group["fulfillmentOrderId"].as_str().and_then(|gid| super::graphql_numeric(gid, "FulfillmentOrder"));
        let Some(position) = id.and_then(|id| state.orders.iter().position(|order| order.fulfillment_order_id == id))
        else {
            return refusal("Fulfillment order does not exist.");
        };
        let order = &state.orders[position];
        if order.fulfilled || order.cancelled_at_ms.is_some() {
            return refusal("Fulfillment order is not in a fulfillable state.");
        }
        targets.push(position);
    }
    for position in targets {
        state.orders[position].fulfilled = true;
        state.orders[position].updated_at_ms = now;
    }
    json!({ "fulfillment": { "id": format!("gid://shopify/Fulfillment/{now}"), "status": "SUCCESS" }, "userErrors": [] })
}

pub fn tags_add(state: &mut ShopState, variables: &Value) -> Value {
    let gid = variables["id"].as_str().unwrap_or_default().to_string();
    let tags: Vec<String> = match &variables["tags"] {
        Value::Array(tags) => tags.iter().filter_map(|tag| tag.as_str()).map(str::to_string).collect(),
        Value::String(tags) => tags.split(',').map(|tag| tag.trim().to_string()).collect(),
        _ => Vec::new(),
    };
    let now = state.now_ms();
    let Some(order) = state.order_by_gid_mut(&gid) else {
        return json!({ "node": null, "userErrors": [user_error(&["id"], "Resource not found", "NOT_FOUND")] });
    };
    for tag in tags.into_iter().filter(|tag| !tag.is_empty()) {
        if !order.tags.contains(&tag) {
            order.tags.push(tag);
        }
    }
    order.updated_at_ms = now;
    json!({ "node": { "id": gid }, "userErrors": [] })
}
