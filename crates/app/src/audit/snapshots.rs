//! What the audit log keeps of each kind of thing: a JSON snapshot per row type.
//!
//! Written out field by field rather than derived on the store's rows, so the rows stay free of
//! serde and a secret column (a password hash, a webhook's secret, a PIN hash) is left out here
//! by choice; [`omnicanal_domain::audit::redact`] then redacts any secret-named field that slips
//! in. Columns holding JSON text (hours, modifiers, a promotion's definition) are parsed back so
//! the console's diff can show their fields.

use omnicanal_store::{
    CatalogEntryRow, ChannelAllocationRow, CouponRow, LocationRow, ManagedUserRow, MerchantRow, PosDeviceLimitsRow,
    PosDeviceRow, PosPrinterRow, PriceListRow, ProductRow, PromotionRow, ShopConflictRow, ShopConnectionRow, SiteRow,
    StockRow, TransferRow, UserRow, VariantRow, WebhookRow,
};
use serde_json::{Value, json};

/// A thing the audit log can keep a snapshot of.
pub trait Snapshot {
    /// The thing as JSON, with no secret in it.
    fn snapshot(&self) -> Value;
}

/// JSON text parsed back (kept as text if it is not JSON).
fn embedded(text: Option<&str>) -> Value {
    match text {
        Some(text) => serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())),
        None => Value::Null,
    }
}

impl Snapshot for SiteRow {
    fn snapshot(&self) -> Value {
        json!({
            "name": self.name, "country": self.country.code(), "currency": self.currency.to_string(),
            "timezone": self.timezone, "accept_within_minutes": self.accept_within_minutes,
            "unaccepted_policy": self.unaccepted_policy.as_str(),
        })
    }
}

impl Snapshot for MerchantRow {
    fn snapshot(&self) -> Value {
        json!({
            "name": self.name, "kind": self.kind.as_str(), "commission_bps": self.commission_bps,
            "tax_id": self.tax_id,
        })
    }
}

impl Snapshot for LocationRow {
    fn snapshot(&self) -> Value {
        let storefront = &self.storefront;
        json!({
            "merchant_id": self.merchant_id, "site_id": self.site_id, "name": self.name,
            "pay_at_pickup": self.pay_at_pickup, "is_open": self.is_open,
            "prep_minutes": storefront.prep_minutes, "paused_until_ms": storefront.paused_until_ms,
            "opening_hours": embedded(storefront.opening_hours_json.as_deref()),
            "counter": storefront.counter, "slot_capacity": storefront.slot_capacity,
        })
    }
}

impl Snapshot for ChannelAllocationRow {
    fn snapshot(&self) -> Value {
        json!({
            "location_id": self.location_id, "channel": self.channel.to_string(),
            "safety_buffer": self.safety_buffer, "enabled": self.enabled, "hold_ttl_ms": self.hold_ttl_ms,
        })
    }
}

impl Snapshot for UserRow {
    fn snapshot(&self) -> Value {
        // The password hash is left out on purpose: the log never holds a credential.
        json!({
            "email": self.email, "role": self.role.as_str(), "merchant_id": self.merchant_id,
            "location_id": self.location_id,
        })
    }
}

impl Snapshot for ManagedUserRow {
    fn snapshot(&self) -> Value {
        let mut value = self.user.snapshot();
        let status = if self.deactivated_at_ms.is_some() {
            "deactivated"
        } else if self.invited {
            "invited"
        } else {
            "active"
        };
        value["status"] = Value::String(status.into());
        value
    }
}

impl Snapshot for (ProductRow, Vec<VariantRow>) {
    fn snapshot(&self) -> Value {
        let (product, variants) = self;
        product_snapshot(product, variants)
    }
}

/// A product as the catalogue pages edit it: the product and variants, and whether it is
/// archived.
impl Snapshot for CatalogEntryRow {
    fn snapshot(&self) -> Value {
        let mut value = product_snapshot(&self.product, &self.variants);
        value["archived"] = Value::Bool(self.archived_at_ms.is_some());
        value
    }
}

fn product_snapshot(product: &ProductRow, variants: &[VariantRow]) -> Value {
    let variants: Vec<Value> = variants
        .iter()
        .map(|variant| {
            json!({
                "sku": variant.sku, "price_minor": variant.price_minor, "currency": variant.currency.to_string(),
                "barcode": variant.barcode, "attributes": embedded(Some(&variant.attributes_json)),
            })
        })
        .collect();
    json!({
        "merchant_id": product.merchant_id, "name": product.name, "track_stock": product.track_stock,
        "tax_category": product.tax_category, "category": product.category, "image_url": product.image_url,
        "description": product.description, "allergens": product.allergens,
        "modifier_groups": embedded(product.modifiers_json.as_deref()), "variants": variants,
    })
}

impl Snapshot for PriceListRow {
    fn snapshot(&self) -> Value {
        let prices: serde_json::Map<String, Value> = self
            .entries
            .iter()
            .map(|entry| (entry.sku.clone(), json!(format!("{} {}", entry.price_minor, entry.currency))))
            .collect();
        json!({
            "merchant_id": self.merchant_id, "name": self.name,
            "channel": self.channel.as_ref().map(ToString::to_string), "location_id": self.location_id,
            "valid_from_ms": self.valid_from_ms, "valid_to_ms": self.valid_to_ms, "active": self.active,
            "prices": prices,
        })
    }
}

impl Snapshot for PromotionRow {
    fn snapshot(&self) -> Value {
        json!({
            "merchant_id": self.merchant_id, "site_id": self.site_id, "name": self.name, "active": self.active,
            "definition": embedded(Some(&self.definition_json)),
        })
    }
}

impl Snapshot for CouponRow {
    fn snapshot(&self) -> Value {
        json!({
            "promotion_id": self.promotion_id, "code": self.code, "usage_limit": self.usage_limit,
            "per_customer_limit": self.per_customer_limit, "active": self.active,
        })
    }
}

impl Snapshot for StockRow {
    fn snapshot(&self) -> Value {
        json!({ "sku": self.sku, "location_id": self.location_id, "on_hand": self.on_hand, "reserved": self.reserved })
    }
}

impl Snapshot for TransferRow {
    fn snapshot(&self) -> Value {
        json!({
            "sku": self.sku, "from_location_id": self.from_location_id, "to_location_id": self.to_location_id,
            "quantity": self.quantity, "status": self.status.as_str(), "received_at_ms": self.received_at_ms,
        })
    }
}

impl Snapshot for PosDeviceRow {
    fn snapshot(&self) -> Value {
        json!({
            "merchant_id": self.merchant_id, "location_id": self.location_id, "name": self.name,
            "receipt_series": self.receipt_series,
        })
    }
}

impl Snapshot for PosDeviceLimitsRow {
    fn snapshot(&self) -> Value {
        json!({ "line_discount_bps": self.line_discount_bps, "line_void_minor": self.line_void_minor })
    }
}

impl Snapshot for PosPrinterRow {
    fn snapshot(&self) -> Value {
        json!({ "printer_host": self.host, "printer_port": self.port })
    }
}

impl Snapshot for WebhookRow {
    fn snapshot(&self) -> Value {
        // The signing secret is left out on purpose; a rotation is recorded as its own action.
        let events: Vec<&str> = self.events.iter().map(|event| event.as_str()).collect();
        json!({
            "merchant_id": self.merchant_id, "url": self.url, "events": events, "enabled": self.enabled,
            "disabled_reason": self.disabled_reason,
        })
    }
}

impl Snapshot for ShopConnectionRow {
    fn snapshot(&self) -> Value {
        // The sealed credentials are left out: the log never holds a shop's secrets, even sealed.
        json!({
            "merchant_id": self.merchant_id, "kind": self.kind.as_str(), "name": self.name,
            "base_url": self.base_url, "location_ids": self.location_ids, "stock_buffer": self.stock_buffer,
            "price_list_id": self.price_list_id, "stock_owner": self.rules.stock.as_str(),
            "price_owner": self.rules.price.as_str(), "content_owner": self.rules.content.as_str(),
        })
    }
}

impl Snapshot for ShopConflictRow {
    fn snapshot(&self) -> Value {
        json!({
            "connection_id": self.connection_id, "kind": self.kind, "sku": self.sku,
            "remote_order_id": self.remote_order_id, "ours": self.ours, "theirs": self.theirs,
            "status": self.status, "resolution": self.resolution,
        })
    }
}

#[cfg(test)]
mod tests {
    use omnicanal_domain::access::Role;

    use super::*;

    #[test]
    fn a_users_snapshot_holds_no_password_hash() {
        let user = UserRow {
            id: "usr_1".into(),
            email: "a@b.c".into(),
            password_hash: "$argon2id$secret".into(),
            role: Role::Staff,
            merchant_id: Some("mer_1".into()),
            location_id: None,
            created_at_ms: 0,
        };
        let text = user.snapshot().to_string();
        assert!(!text.contains("argon2"), "{text}");
        assert!(text.contains("a@b.c"));
    }
}
