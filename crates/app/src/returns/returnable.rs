//! What of one purchase its customer can still bring back, as their account shows it (issue 17
//! point 3): per purchased line, bought, already returned and still returnable — counted by the
//! same [`purchased_lines`] and domain arithmetic a return is planned with, so the account never
//! promises what the till would refuse — and why a line cannot come back: a final-sale item,
//! the merchant's window passed, or a part not handed over yet. The purchase's earlier returns
//! (their credit notes) come with it.
//!
//! The policy is asked as the till asks it ([`omnicanal_domain::returns::ReturnPolicy`]), with
//! the receipt in hand: the customer's account is their receipt. A manager may still override
//! at the till; the account shows the policy, not the exception.

use omnicanal_domain::returns::{ReturnPolicy, ReturnSource};
use omnicanal_store::{PurchaseRecord, ReturnRow};

use super::lookup::purchased_lines;
use crate::App;
use crate::error::AppResult;

/// Why a purchased line cannot come back (its returnable quantity is then 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReturnable {
    /// The merchant sells this SKU as final sale.
    FinalSale,
    /// The merchant's return window ended at this moment (Unix ms).
    WindowPassed {
        /// When the window ended.
        ended_at_ms: i64,
    },
    /// Its part of the order has not been handed over yet (nothing to return so far).
    NotHandedOver,
    /// Every unit was already returned.
    AllReturned,
}

impl NotReturnable {
    /// The stable word the API answers (`final_sale`, `window_passed`, `not_handed_over`,
    /// `all_returned`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FinalSale => "final_sale",
            Self::WindowPassed { .. } => "window_passed",
            Self::NotHandedOver => "not_handed_over",
            Self::AllReturned => "all_returned",
        }
    }
}

/// One purchased line as its customer's return can see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineReturnability {
    /// The order's part, or the sale, the line belongs to.
    pub part_id: String,
    /// The SKU.
    pub sku: String,
    /// Units bought.
    pub bought: i64,
    /// Units already returned.
    pub returned: i64,
    /// Units that may still come back today (0 when `blocked`).
    pub returnable: i64,
    /// Why nothing more can come back, when so.
    pub blocked: Option<NotReturnable>,
}

/// One merchant's lines of a purchase with what may still come back, and its returns so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseReturnability {
    /// The handed-over lines, in the purchase's order (part, then position).
    pub lines: Vec<LineReturnability>,
    /// The last moment a return is inside the merchant's window (Unix ms).
    pub window_ends_at_ms: i64,
    /// The returns already taken of it, oldest first (each with its credit note).
    pub returns: Vec<ReturnRow>,
}

/// What each line of `purchase` may still return under `policy` at `now_ms`.
pub(crate) fn line_returnability(
    purchase: &PurchaseRecord,
    policy: &ReturnPolicy,
    now_ms: i64,
) -> Vec<LineReturnability> {
    let window_ends_at_ms = policy.window_ends_at_ms(purchase.purchased_at_ms);
    purchase
        .lines
        .iter()
        .zip(purchased_lines(purchase))
        .map(|(line, counted)| {
            let left = counted.returnable();
            let blocked = if left == 0 {
                Some(NotReturnable::AllReturned)
            } else if policy.is_final_sale(&line.sku) {
                Some(NotReturnable::FinalSale)
            } else if now_ms > window_ends_at_ms {
                Some(NotReturnable::WindowPassed { ended_at_ms: window_ends_at_ms })
            } else {
                None
            };
            LineReturnability {
                part_id: line.part_id.clone(),
                sku: line.sku.clone(),
                bought: counted.bought,
                returned: counted.returned,
                returnable: if blocked.is_none() { left } else { 0 },
                blocked,
            }
        })
        .collect()
}

impl App {
    /// What of `merchant_id`'s lines of the purchase may still come back now; `None` when the
    /// merchant has no line in it.
    pub(crate) async fn purchase_returnability(
        &self,
        source: ReturnSource,
        id: &str,
        merchant_id: &str,
    ) -> AppResult<Option<PurchaseReturnability>> {
        let Some(purchase) = self.store.get_purchase(source, id, merchant_id).await? else { return Ok(None) };
        let policy = self.policy_of(merchant_id).await?;
        let lines = line_returnability(&purchase, &policy, self.now_ms());
        let returns = self
            .store
            .list_purchase_returns(source, id)
            .await?
            .into_iter()
            .filter(|ret| ret.merchant_id == merchant_id)
            .collect();
        Ok(Some(PurchaseReturnability {
            lines,
            window_ends_at_ms: policy.window_ends_at_ms(purchase.purchased_at_ms),
            returns,
        }))
    }
}

#[cfg(test)]
mod tests {
    use omnicanal_domain::Currency;
    use omnicanal_store::PurchaseLineRow;

    use super::*;

    const DAY_MS: i64 = 86_400_000;

    fn purchase(lines: &[(&str, i64, i64)]) -> PurchaseRecord {
        PurchaseRecord {
            source: ReturnSource::Sale,
            id: "sale-1".into(),
            label: "T1-1".into(),
            merchant_id: "m".into(),
            location_id: "l".into(),
            purchased_at_ms: 0,
            currency: Currency::Clp,
            paid_total_minor: lines.iter().map(|(_, bought, _)| bought * 1000).sum(),
            order_payment: None,
            sale_card: None,
            order_credit: Default::default(),
            sale_tenders: Vec::new(),
            customer_email: None,
            customer_phone: None,
            lines: lines
                .iter()
                .enumerate()
                .map(|(position, (sku, bought, returned))| PurchaseLineRow {
                    part_id: "sale-1".into(),
                    position: i64::try_from(position).unwrap_or_default(),
                    sku: (*sku).into(),
                    name: None,
                    quantity: *bought,
                    total_minor: bought * 1000,
                    track_stock: true,
                    returned: *returned,
                })
                .collect(),
            parts_not_handed_over: 0,
        }
    }

    #[test]
    fn each_line_says_what_is_left_and_why_not() {
        let policy = ReturnPolicy::new(30, false, vec!["SALE".into()]).unwrap_or_default();
        let bought = purchase(&[("TEE", 3, 1), ("SALE", 1, 0), ("CAP", 1, 1)]);
        let today = line_returnability(&bought, &policy, DAY_MS);
        let seen: Vec<_> = today.iter().map(|l| (l.bought, l.returned, l.returnable, l.blocked)).collect();
        assert_eq!(
            seen,
            vec![
                (3, 1, 2, None),
                (1, 0, 0, Some(NotReturnable::FinalSale)),
                (1, 1, 0, Some(NotReturnable::AllReturned))
            ]
        );
        let late = line_returnability(&bought, &policy, 31 * DAY_MS);
        assert_eq!(late[0].returnable, 0);
        assert_eq!(late[0].blocked, Some(NotReturnable::WindowPassed { ended_at_ms: 30 * DAY_MS }));
    }
}
