//! The audit log's vocabulary and its two pure rules (issue 15 point 3): what was changed
//! ([`AuditEntity`]), how ([`AuditAction`]), that a secret never reaches the log ([`redact`]),
//! and which fields a change touched ([`changed_fields`]), which the console shows as a diff.
//!
//! Snapshots are JSON objects because every kind of thing has its own fields and the log only
//! has to show them, never to compute with them; the words of the kinds and actions are closed
//! sets so a filter or a stored row with an unknown word is refused, never guessed.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// Largest snapshot kept, in bytes of JSON; a bigger one (a price list with thousands of
/// prices) is replaced by a note saying how big it was, so one change cannot bloat the log.
pub const MAX_SNAPSHOT_BYTES: usize = 64 * 1024;

/// What the text of a redacted secret becomes.
pub const REDACTED: &str = "[redacted]";

crate::named_enum! {
    /// The kind of thing a change was made to.
    pub enum AuditEntity("entity") {
        /// A site (mall, food hall).
        Site => "site",
        /// A merchant.
        Merchant => "merchant",
        /// A location (counter, store) and its storefront.
        Location => "location",
        /// A location's allocation for one channel (safety buffer, on/off).
        Channel => "channel",
        /// A user account.
        User => "user",
        /// An invitation by link.
        Invitation => "invitation",
        /// A product and its variants.
        Product => "product",
        /// A price list.
        PriceList => "price_list",
        /// A promotion.
        Promotion => "promotion",
        /// A coupon.
        Coupon => "coupon",
        /// A SKU's stock at a location.
        Stock => "stock",
        /// A stock transfer between locations.
        Transfer => "transfer",
        /// A stock conflict from an offline till sale.
        StockConflict => "stock_conflict",
        /// A till (its registration, limits and printer).
        PosDevice => "pos_device",
        /// A webhook endpoint.
        Webhook => "webhook",
        /// A shop connection (WooCommerce, PrestaShop, Magento, Shopify).
        ShopConnection => "shop_connection",
        /// Something a shop connection found out of step, settled by a person.
        ShopConflict => "shop_conflict",
        /// A gift card (issue 17 point 8).
        GiftCard => "gift_card",
        /// A customer's store credit (issue 17 point 8).
        StoreCredit => "store_credit",
        /// A return (with a manager's override of the return policy, when one was given).
        Return => "return",
        /// A merchant's return policy.
        ReturnPolicy => "return_policy",
    }
}

crate::named_enum! {
    /// What a change did.
    pub enum AuditAction("action") {
        /// Made.
        Created => "created",
        /// Changed.
        Updated => "updated",
        /// Removed.
        Deleted => "deleted",
        /// Switched on.
        Activated => "activated",
        /// Switched off.
        Deactivated => "deactivated",
        /// Switched on again (a user).
        Reactivated => "reactivated",
        /// An invitation taken up.
        Accepted => "accepted",
        /// A password changed (the log never holds it).
        PasswordChanged => "password_changed",
        /// Stock counted.
        Counted => "counted",
        /// Stock moved in or out.
        Moved => "moved",
        /// A transfer sent.
        Sent => "sent",
        /// A transfer received.
        Received => "received",
        /// A conflict resolved.
        Resolved => "resolved",
        /// A webhook's signing secret replaced (the log never holds it).
        SecretRotated => "secret_rotated",
        /// Taken off the menus and kept for history (a product).
        Archived => "archived",
        /// Back on the menus.
        Unarchived => "unarchived",
        /// A full resync asked for (a shop connection).
        Resynced => "resynced",
    }
}

/// True for a field name that holds a secret: a password, a PIN, a signing secret, a token, a
/// hash of one of them, a card's security code. Names are split at `_` so `pin_hash` and
/// `secret` match while `shipping` or `pinned` do not.
pub fn is_secret_field(name: &str) -> bool {
    const SECRET_WORDS: [&str; 9] = ["password", "passwd", "pin", "secret", "token", "hash", "cvv", "cvc", "apikey"];
    let lower = name.to_ascii_lowercase();
    lower.split(['_', '-', '.']).any(|word| SECRET_WORDS.contains(&word))
}

/// The snapshot with every secret field's value replaced by [`REDACTED`], at any depth, and
/// replaced whole by a note when larger than [`MAX_SNAPSHOT_BYTES`].
pub fn redact(value: Value) -> Value {
    let redacted = redact_inner(value);
    let size = redacted.to_string().len();
    if size > MAX_SNAPSHOT_BYTES {
        let mut note = Map::new();
        note.insert("omitted".into(), Value::String(format!("snapshot of {size} bytes, above the log's limit")));
        return Value::Object(note);
    }
    redacted
}

fn redact_inner(value: Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .into_iter()
                .map(|(name, field)| {
                    let kept = if is_secret_field(&name) && !field.is_null() {
                        Value::String(REDACTED.into())
                    } else {
                        redact_inner(field)
                    };
                    (name, kept)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact_inner).collect()),
        other => other,
    }
}

/// One field a change touched: its dotted path, and its value before and after (`None` where
/// the field, or the whole thing, did not exist).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// Dotted path such as `name` or `storefront.prep_minutes`.
    pub field: String,
    /// The value before.
    pub before: Option<Value>,
    /// The value after.
    pub after: Option<Value>,
}

/// The fields that differ between two snapshots, by path: nested objects are compared field
/// by field (`storefront.counter`), arrays and plain values whole. A creation lists every field
/// with no `before`, a deletion every field with no `after`.
pub fn changed_fields(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    diff_into("", before, after, &mut changes);
    changes
}

fn diff_into(path: &str, before: Option<&Value>, after: Option<&Value>, changes: &mut Vec<FieldChange>) {
    let as_object = |value: Option<&Value>| match value {
        Some(Value::Object(fields)) => Some(fields.clone()),
        Some(Value::Null) | None => Some(Map::new()),
        Some(_) => None,
    };
    let both_objects = matches!(before, Some(Value::Object(_))) || matches!(after, Some(Value::Object(_)));
    if let (true, Some(old), Some(new)) = (both_objects, as_object(before), as_object(after)) {
        let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
        for name in names {
            let nested = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
            diff_into(&nested, old.get(name), new.get(name), changes);
        }
        return;
    }
    let before = before.filter(|value| !value.is_null());
    let after = after.filter(|value| !value.is_null());
    if before != after {
        let field = if path.is_empty() { "value".to_owned() } else { path.to_owned() };
        changes.push(FieldChange { field, before: before.cloned(), after: after.cloned() });
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_are_redacted_at_any_depth_and_other_fields_kept() {
        let snapshot = json!({
            "email": "a@b.c", "password_hash": "$argon2", "pin": "2580", "shipping": "x",
            "webhook": {"secret": "whsec_1", "url": "https://h"}, "tokens": [{"token": "t"}],
            "pin_hash": null,
        });
        let redacted = redact(snapshot);
        assert_eq!(redacted["email"], "a@b.c");
        assert_eq!(redacted["password_hash"], REDACTED);
        assert_eq!(redacted["pin"], REDACTED);
        assert_eq!(redacted["shipping"], "x");
        assert_eq!(redacted["webhook"]["secret"], REDACTED);
        assert_eq!(redacted["webhook"]["url"], "https://h");
        assert_eq!(redacted["tokens"][0]["token"], REDACTED);
        assert_eq!(redacted["pin_hash"], Value::Null);
        assert!(!redacted.to_string().contains("whsec_1"));
    }

    #[test]
    fn a_huge_snapshot_is_replaced_by_a_note() {
        let huge = json!({"prices": vec!["x".repeat(100); 1000]});
        assert!(redact(huge).get("omitted").is_some());
    }

    #[test]
    fn only_changed_fields_are_listed_with_nested_paths() {
        let before = json!({"name": "Old", "storefront": {"prep_minutes": 10, "counter": null}, "tags": [1]});
        let after = json!({"name": "New", "storefront": {"prep_minutes": 10, "counter": "B2"}, "tags": [1]});
        let changes = changed_fields(Some(&before), Some(&after));
        let fields: Vec<&str> = changes.iter().map(|change| change.field.as_str()).collect();
        assert_eq!(fields, ["name", "storefront.counter"]);
        assert_eq!(changes[1].before, None);
        assert_eq!(changes[1].after, Some(json!("B2")));
        let created = changed_fields(None, Some(&json!({"a": 1, "b": null})));
        assert_eq!(created, vec![FieldChange { field: "a".into(), before: None, after: Some(json!(1)) }]);
        assert_eq!(changed_fields(Some(&json!(1)), Some(&json!(2)))[0].field, "value");
    }

    #[test]
    fn the_words_round_trip() {
        for entity in AuditEntity::ALL {
            assert_eq!(AuditEntity::parse(entity.as_str()), Ok(*entity));
        }
        for action in AuditAction::ALL {
            assert_eq!(AuditAction::parse(action.as_str()), Ok(*action));
        }
    }
}
