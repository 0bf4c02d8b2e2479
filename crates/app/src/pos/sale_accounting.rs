//! What a till sale adds to the till's accounting beyond its lines and payments: the cashier's
//! manual discount on a line (a percent or an amount, priced by the one engine as its last
//! step), the lines voided from the cart before payment (kept for the session report), and the
//! manager's approval each needs above the till's limits.
//!
//! The limits are checked on the server's figures, never the till's: a discount is what the
//! engine took, compared with what was left of the line before it; a voided line is worth its
//! units at the engine's unit price for the till (price lists and modifiers, no promotions).
//! Above a limit, the line must name an approval of this till for that action covering the
//! amount, used by no other sale (422 otherwise). Offline, a till has no way to get an approval,
//! so it does not offer discounts or voids above its limits (see `approvals.rs`), and such a
//! sale arriving without one is refused like any other.

use omnicanal_domain::Money;
use omnicanal_domain::catalog::{Quantity, Sku};
use omnicanal_domain::pos::ApprovalAction;
use omnicanal_domain::pricing::{MANUAL_DISCOUNT_ID, ManualDiscount, Quote};
use omnicanal_store::{PosDeviceRow, PosSaleAccounting, PosSaleVoidRow, SiteRow};

use crate::App;
use crate::error::{AppError, AppResult};
use crate::pricing::cart::{Cart, CartItem, SoldFrom};
use crate::validation::Validator;

/// Most voided lines one sale may carry.
pub const MAX_VOIDED_LINES: usize = 200;
/// Longest approval id accepted.
const MAX_APPROVAL_ID_CHARS: usize = 64;

/// A manual discount as the till sent it: exactly one of a percent (in basis points) or an
/// amount.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ManualDiscountInput {
    /// Basis points off what is left of the line (1 000 = 10 %), 1 to 10 000.
    pub percent_bps: Option<i64>,
    /// An amount off the line.
    pub amount: Option<Money>,
}

/// A line taken off the cart before payment, as the till sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidedLineInput {
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// The manager's approval, when its value is above the till's limit.
    pub approval_id: Option<String>,
}

/// A sale line's manual discount and approval, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineAccounting {
    /// The discount, for the engine.
    pub manual_discount: Option<ManualDiscount>,
    /// The approval named on the line.
    pub approval_id: Option<String>,
}

/// A voided line, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidedLine {
    /// The SKU.
    pub sku: Sku,
    /// Units.
    pub quantity: Quantity,
    /// The approval named.
    pub approval_id: Option<String>,
}

/// A sale's accounting, checked: one entry per sale line, in order, and the voided lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaleAccountingInput {
    /// Per sale line.
    pub lines: Vec<LineAccounting>,
    /// Voided lines.
    pub voids: Vec<VoidedLine>,
}

impl SaleAccountingInput {
    /// The manual discount of sale line `index`.
    pub fn manual_of(&self, index: usize) -> Option<ManualDiscount> {
        self.lines.get(index).and_then(|line| line.manual_discount)
    }
}

fn approval_id(v: &mut Validator, field: &str, raw: Option<String>) -> Option<String> {
    let id = raw.map(|raw| raw.trim().to_owned()).filter(|id| !id.is_empty())?;
    if id.len() > MAX_APPROVAL_ID_CHARS || !id.bytes().all(|b| b.is_ascii_graphic()) {
        v.push(field, format!("must be 1 to {MAX_APPROVAL_ID_CHARS} printable characters"));
        return None;
    }
    Some(id)
}

/// Checks one line's manual discount and approval.
pub fn check_line(
    v: &mut Validator,
    index: usize,
    manual: Option<ManualDiscountInput>,
    approval: Option<String>,
) -> LineAccounting {
    let field = format!("lines[{index}]");
    let manual_discount = match manual {
        None | Some(ManualDiscountInput { percent_bps: None, amount: None }) => None,
        Some(ManualDiscountInput { percent_bps: Some(bps), amount: None }) => match u32::try_from(bps) {
            Ok(bps @ 1..=10_000) => Some(ManualDiscount::Percent { bps }),
            _ => {
                v.push(format!("{field}.manual_discount.percent_bps"), "must be 1 to 10000 (basis points)");
                None
            }
        },
        Some(ManualDiscountInput { percent_bps: None, amount: Some(amount) }) => {
            if (1..=super::sessions::MAX_CASH_MINOR).contains(&amount.amount_minor) {
                Some(ManualDiscount::Amount { amount })
            } else {
                v.push(
                    format!("{field}.manual_discount.amount.amount"),
                    format!("must be 1 to {} minor units", super::sessions::MAX_CASH_MINOR),
                );
                None
            }
        }
        Some(_) => {
            v.push(format!("{field}.manual_discount"), "give percent_bps or amount, not both");
            None
        }
    };
    LineAccounting { manual_discount, approval_id: approval_id(v, &format!("{field}.approval_id"), approval) }
}

/// Checks the voided lines.
pub fn check_voids(v: &mut Validator, voids: Vec<VoidedLineInput>) -> Vec<Option<VoidedLine>> {
    if voids.len() > MAX_VOIDED_LINES {
        v.push("voided_lines", format!("at most {MAX_VOIDED_LINES} voided lines"));
        return Vec::new();
    }
    voids
        .into_iter()
        .enumerate()
        .map(|(index, void)| {
            let field = format!("voided_lines[{index}]");
            let sku = v.check(&format!("{field}.sku"), Sku::parse(&void.sku));
            let quantity = v.check(&format!("{field}.quantity"), Quantity::parse(void.quantity));
            let approval_id = approval_id(v, &format!("{field}.approval_id"), void.approval_id);
            Some(VoidedLine { sku: sku?, quantity: quantity?, approval_id })
        })
        .collect()
}

/// The part of a sale's fingerprint its accounting adds: nothing when there is none, so the
/// fingerprint of every sale without discounts or voids is what it always was.
pub fn fingerprint_part(
    lines: &[(Option<&ManualDiscountInput>, Option<&str>)],
    voids: &[VoidedLineInput],
) -> Option<serde_json::Value> {
    let any_line = lines.iter().any(|(manual, approval)| manual.is_some() || approval.is_some());
    if !any_line && voids.is_empty() {
        return None;
    }
    Some(serde_json::json!({
        "lines": lines.iter().map(|(manual, approval)| serde_json::json!({
            "percent_bps": manual.and_then(|m| m.percent_bps),
            "amount": manual.and_then(|m| m.amount),
            "approval_id": approval,
        })).collect::<Vec<_>>(),
        "voids": voids.iter().map(|void| (void.sku.trim(), void.quantity, void.approval_id.as_deref())).collect::<Vec<_>>(),
    }))
}

impl App {
    /// Checks a priced sale's manual discounts and voids against the till's limits and
    /// approvals, and values the voids (see the module docs).
    pub(crate) async fn sale_accounting(
        &self,
        device: &PosDeviceRow,
        site: &SiteRow,
        command: &super::sales::RecordSale,
        quote: &Quote,
        priced_at_ms: i64,
    ) -> AppResult<PosSaleAccounting> {
        let (sale_id, sale_lines, accounting) = (command.id.as_str(), &command.lines, &command.accounting);
        let limits = self.limits_of(device).await?.limits;
        let mut approval_ids = Vec::new();
        let mut manual_total = 0i64;
        for line in &quote.lines {
            let manual: i64 = line
                .discounts
                .iter()
                .filter(|discount| discount.promotion_id == MANUAL_DISCOUNT_ID)
                .map(|discount| discount.amount.amount_minor)
                .sum();
            manual_total += manual;
            if manual == 0 || !limits.discount_needs_approval(manual, line.total.amount_minor + manual) {
                continue;
            }
            // The sale lines that merged into this one: same SKU, options, note and manual
            // discount (lines of one SKU with other options are other lines).
            let named = sale_lines.iter().enumerate().find_map(|(index, (sku, _))| {
                let entry = accounting.lines.get(index)?;
                let details = command.line_details.get(index);
                let options_match = details.is_none_or(|details| {
                    details.options.len() == line.modifiers.len()
                        && details.options.iter().all(|choice| {
                            line.modifiers
                                .iter()
                                .any(|chosen| chosen.group == choice.group && chosen.option == choice.option)
                        })
                });
                let note_match = details.is_none_or(|details| {
                    details.note.as_deref().map(str::trim) == line.note.as_deref().map(str::trim)
                });
                let same = sku.as_str() == line.sku
                    && entry.manual_discount == line.manual_discount
                    && options_match
                    && note_match;
                same.then(|| (index, entry.approval_id.clone()))
            });
            let (index, approval) = named.unwrap_or((0, None));
            let field = format!("lines[{index}].approval_id");
            let Some(approval) = approval else {
                return Err(AppError::invalid(
                    field,
                    format!(
                        "a discount of {manual} on {} is above the till's limit ({} bps): it needs a manager's approval",
                        line.sku, limits.line_discount_bps
                    ),
                ));
            };
            self.check_approval(device, sale_id, &field, &approval, ApprovalAction::LineDiscount, manual).await?;
            approval_ids.push(approval);
        }
        let voids = self.value_voids(device, site, &accounting.voids, priced_at_ms).await?;
        // The limit is on what a SKU's voided lines are worth together, so one line voided as
        // several small entries still needs the manager.
        let worth_of_sku = |sku: &str| -> i64 {
            voids.iter().filter(|other| other.sku == sku).map(|other| other.value_minor).fold(0, i64::saturating_add)
        };
        for (index, void) in voids.iter().enumerate() {
            let worth = worth_of_sku(&void.sku);
            if !limits.void_needs_approval(worth) {
                continue;
            }
            let field = format!("voided_lines[{index}].approval_id");
            let Some(approval) = void.approval_id.clone() else {
                return Err(AppError::invalid(
                    field,
                    format!(
                        "voiding {} worth {worth} is above the till's limit of {}: it needs a manager's approval",
                        void.sku, limits.line_void_minor
                    ),
                ));
            };
            self.check_approval(device, sale_id, &field, &approval, ApprovalAction::LineVoid, worth).await?;
            approval_ids.push(approval);
        }
        approval_ids.sort();
        approval_ids.dedup();
        Ok(PosSaleAccounting { manual_discount_minor: manual_total, voids, approval_ids })
    }

    /// Each voided line at its units × the engine's unit price for the till (no promotions: a
    /// voided line was never sold).
    async fn value_voids(
        &self,
        device: &PosDeviceRow,
        site: &SiteRow,
        voids: &[VoidedLine],
        priced_at_ms: i64,
    ) -> AppResult<Vec<PosSaleVoidRow>> {
        if voids.is_empty() {
            return Ok(Vec::new());
        }
        // One pricing for every voided line: a line's gross is units × unit price whatever the
        // promotions do, so only the unit price is read.
        let cart = Cart {
            site_id: site.id.clone(),
            channel: omnicanal_domain::channel::Channel::Pos,
            items: voids
                .iter()
                .map(|void| CartItem {
                    sku: void.sku.clone(),
                    location_id: device.location_id.clone(),
                    quantity: void.quantity,
                    choices: Vec::new(),
                    note: None,
                    manual_discount: None,
                })
                .collect(),
            coupon_codes: Vec::new(),
            customer_key: None,
        };
        let priced =
            self.price_cart(site, &cart, priced_at_ms, SoldFrom::Counter).await.map_err(|error| match error {
                AppError::UnknownSku { sku, field } => AppError::UnknownSku { sku, field: format!("voided_{}", field) },
                AppError::Invalid(errors) => AppError::Invalid(
                    errors
                        .into_iter()
                        .map(|mut error| {
                            error.field = format!("voided_{}", error.field);
                            error
                        })
                        .collect(),
                ),
                other => other,
            })?;
        let mut rows = Vec::with_capacity(voids.len());
        for void in voids {
            let unit = priced
                .quote
                .lines
                .iter()
                .find(|line| line.sku == void.sku.as_str())
                .map(|line| line.unit_price)
                .ok_or(AppError::internal("a voided line was not priced"))?;
            rows.push(PosSaleVoidRow {
                sku: void.sku.as_str().to_owned(),
                quantity: void.quantity.get(),
                value_minor: unit.checked_mul(void.quantity.get())?.amount_minor,
                approval_id: void.approval_id.clone(),
            });
        }
        Ok(rows)
    }
}
