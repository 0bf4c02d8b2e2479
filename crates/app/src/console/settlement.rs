//! A merchant's settlement for a period: what it earned, as totals or as a statement with one
//! row per part whose columns add up exactly to the totals (the domain's `settle_parts`).
//!
//! Read by the merchant's managers and platform users; the parts counted are those placed in
//! the period, their money in the merchant's currency.
//!
//! Returns (issue 17 point 6) reduce the period's sales where they happened: a return of an
//! order taken in the period is one more row (the return's id, the store that took it, nothing
//! captured, its refund refunded), whatever period the order was placed in — as the day's
//! takings count it — so its refund lowers the commission base and the net. Till sales are not
//! in settlements (the merchant's own counter), so neither are their returns.

use omnicanal_domain::access::Role;
use omnicanal_domain::catalog::CommissionRate;
use omnicanal_domain::settlement::{PartSettlement, Settlement, SettlementPart, settle, settle_parts};
use omnicanal_domain::{Currency, Money};
use omnicanal_store::{MerchantRow, SettlementLineRow, SettlementPartRow};

use super::period::Period;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};

/// The roles that read settlements.
const SETTLEMENT_ROLES: [Role; 3] = [Role::Admin, Role::MerchantManager, Role::SupportAgent];

/// A settlement's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementReport {
    /// The merchant.
    pub merchant_id: String,
    /// The figures.
    pub totals: Settlement,
}

/// A settlement statement: one row per part, oldest first, then the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementStatement {
    /// The merchant.
    pub merchant_id: String,
    /// The currency of every amount.
    pub currency: Currency,
    /// The time zone the merchant sells in (for the rows' dates).
    pub timezone: String,
    /// Each part with its share of the figures.
    pub lines: Vec<(SettlementLineRow, PartSettlement)>,
    /// The figures of every part together.
    pub totals: Settlement,
}

/// What every settlement reads: the merchant, its currency and time zone, its rate.
struct Scope {
    merchant: MerchantRow,
    currency: Currency,
    timezone: String,
    rate: CommissionRate,
}

impl Scope {
    /// The domain's view of a stored part.
    fn part(&self, row: &SettlementPartRow) -> SettlementPart {
        let money = |amount| Money::new(amount, self.currency);
        SettlementPart {
            captured: money(row.captured_minor),
            refunded: money(row.refunded_minor),
            merchant_funded: money(row.merchant_funded_minor),
            operator_funded: money(row.operator_funded_minor),
            voided: row.status.is_voided(),
        }
    }
}

impl App {
    /// What a merchant earned in `period`.
    pub async fn settlement(&self, caller: &Caller, merchant_id: &str, period: Period) -> AppResult<SettlementReport> {
        let scope = self.settlement_scope(caller, merchant_id).await?;
        let mut parts = self.store.merchant_money(&scope.merchant.id, period.from_ms, period.to_ms).await?;
        let returns = self.store.settlement_returns(&scope.merchant.id, period.from_ms, period.to_ms).await?;
        parts.extend(returns.into_iter().map(|row| row.money));
        let totals = settle(scope.currency, scope.rate, parts.iter().map(|part| scope.part(part)))?;
        Ok(SettlementReport { merchant_id: scope.merchant.id, totals })
    }

    /// The same settlement as a statement, one row per part placed in `period` and per return
    /// of an order taken in it, oldest first.
    /// Each part's commission is its share of the total commission (largest remainder).
    pub async fn settlement_statement(
        &self,
        caller: &Caller,
        merchant_id: &str,
        period: Period,
    ) -> AppResult<SettlementStatement> {
        let scope = self.settlement_scope(caller, merchant_id).await?;
        let mut lines = self.store.settlement_lines(&scope.merchant.id, period.from_ms, period.to_ms).await?;
        lines.extend(self.store.settlement_returns(&scope.merchant.id, period.from_ms, period.to_ms).await?);
        lines.sort_by(|a, b| (a.created_at_ms, &a.fulfillment_id).cmp(&(b.created_at_ms, &b.fulfillment_id)));
        let parts: Vec<SettlementPart> = lines.iter().map(|line| scope.part(&line.money)).collect();
        let (totals, rows) = settle_parts(scope.currency, scope.rate, &parts)?;
        Ok(SettlementStatement {
            merchant_id: scope.merchant.id,
            currency: scope.currency,
            timezone: scope.timezone,
            lines: lines.into_iter().zip(rows).collect(),
            totals,
        })
    }

    async fn settlement_scope(&self, caller: &Caller, merchant_id: &str) -> AppResult<Scope> {
        caller.check_merchant(merchant_id, "merchant")?;
        caller.require(&SETTLEMENT_ROLES)?;
        let merchant = self.store.get_merchant(merchant_id).await?.ok_or(AppError::NotFound("merchant"))?;
        let (currency, timezone) = self.merchant_home(&merchant.id).await?;
        let rate = CommissionRate::parse(merchant.commission_bps)?;
        Ok(Scope { merchant, currency, timezone, rate })
    }
}
