//! Who owns each synchronised field, and what a change seen in the shop means.
//!
//! Omnicanal owns the stock by default (one ledger for every channel); the shop owns the
//! title and description by default (its merchandisers write them there); the price is the
//! connection's choice. A value seen in the shop that differs from the one we last pushed was
//! changed in the shop's admin: if we own the field it is reverted (and recorded), if the shop
//! owns it it is accepted (and recorded); if both sides changed a price since the last sync,
//! only a person can say which is right.

use serde::{Deserialize, Serialize};

crate::named_enum! {
    /// Which side's value wins for a field.
    pub enum FieldOwner("owner") {
        /// Omnicanal's value is pushed; a change in the shop is reverted.
        Omnicanal => "omnicanal",
        /// The shop's value is kept; Omnicanal takes it (or leaves it) and never pushes.
        Shop => "shop",
    }
}

crate::named_enum! {
    /// A field kept in step with a shop.
    pub enum SyncedField("field") {
        /// The available quantity.
        Stock => "stock",
        /// The regular price.
        Price => "price",
        /// Title and description.
        Content => "content",
    }
}

/// Per field, who wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldRules {
    /// Stock: Omnicanal by default.
    pub stock: FieldOwner,
    /// Price: Omnicanal by default (one price book for every channel).
    pub price: FieldOwner,
    /// Title and description: the shop by default.
    pub content: FieldOwner,
}

impl Default for FieldRules {
    fn default() -> Self {
        Self { stock: FieldOwner::Omnicanal, price: FieldOwner::Omnicanal, content: FieldOwner::Shop }
    }
}

impl FieldRules {
    /// Who owns `field`.
    pub fn owner(&self, field: SyncedField) -> FieldOwner {
        match field {
            SyncedField::Stock => self.stock,
            SyncedField::Price => self.price,
            SyncedField::Content => self.content,
        }
    }
}

/// What to do about a value read from the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteChange {
    /// The shop shows what we last pushed (or nothing was pushed and it equals ours): nothing.
    InStep,
    /// Changed in the shop, and we own the field: push ours again, and record it.
    Revert,
    /// Changed in the shop, and the shop owns it: take theirs, and record it.
    Accept,
    /// Changed on both sides since the last sync, and the shop owns it or it is a price:
    /// a person chooses.
    NeedsPerson,
}

/// Decides what a value read from the shop means.
///
/// `last_synced` is the value both sides agreed on at the last sync (what we pushed, or what we
/// took); `ours` our value now; `theirs` the shop's value now.
pub fn decide_remote_change(
    field: SyncedField,
    owner: FieldOwner,
    last_synced: Option<i64>,
    ours: i64,
    theirs: i64,
) -> RemoteChange {
    let shop_changed = match last_synced {
        Some(synced) => theirs != synced,
        None => theirs != ours,
    };
    if !shop_changed {
        return RemoteChange::InStep;
    }
    let we_changed = last_synced.is_some_and(|synced| ours != synced);
    match (owner, field, we_changed) {
        // Stock moves with every sale: ours is always the truth we own, never a dispute.
        (FieldOwner::Omnicanal, SyncedField::Stock, _) => RemoteChange::Revert,
        (FieldOwner::Omnicanal, _, false) => RemoteChange::Revert,
        (_, SyncedField::Price | SyncedField::Content, true) => RemoteChange::NeedsPerson,
        (FieldOwner::Shop, _, _) => RemoteChange::Accept,
    }
}

/// The quantity a shop is told it may sell: the units available (on hand minus reserved) over
/// the connection's locations, each less the channel's safety buffer, never below zero.
pub fn shop_available(levels: &[(i64, i64)], buffer: i64) -> i64 {
    levels.iter().map(|(on_hand, reserved)| (on_hand - reserved - buffer.max(0)).max(0)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_edited_in_the_shop_is_reverted_when_we_own_it() {
        let owner = FieldRules::default().owner(SyncedField::Stock);
        assert_eq!(decide_remote_change(SyncedField::Stock, owner, Some(5), 4, 50), RemoteChange::Revert);
        assert_eq!(decide_remote_change(SyncedField::Stock, owner, Some(5), 4, 5), RemoteChange::InStep);
    }

    #[test]
    fn a_price_changed_on_both_sides_needs_a_person() {
        let rules = FieldRules { price: FieldOwner::Shop, ..FieldRules::default() };
        let owner = rules.owner(SyncedField::Price);
        assert_eq!(decide_remote_change(SyncedField::Price, owner, Some(1000), 1200, 900), RemoteChange::NeedsPerson);
        assert_eq!(decide_remote_change(SyncedField::Price, owner, Some(1000), 1000, 900), RemoteChange::Accept);
        let ours = FieldRules::default().owner(SyncedField::Price);
        assert_eq!(decide_remote_change(SyncedField::Price, ours, Some(1000), 1000, 900), RemoteChange::Revert);
        assert_eq!(decide_remote_change(SyncedField::Price, ours, Some(1000), 1100, 900), RemoteChange::NeedsPerson);
    }

    #[test]
    fn the_shop_is_told_the_available_units_less_the_buffer() {
        assert_eq!(shop_available(&[(10, 2), (3, 0)], 1), 7 + 2);
        assert_eq!(shop_available(&[(1, 1)], 2), 0);
        assert_eq!(shop_available(&[], 0), 0);
    }
}
