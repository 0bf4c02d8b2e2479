//! Steps 6 and 7 of the engine, turned into the result: each line's final amount and contained
//! tax, one part per location with who funds its discounts, and the quote's totals.
//!
//! Every total is a sum of lines, never recomputed from rates, so the parts a merchant settles
//! add up exactly to what the customer pays.

use std::collections::BTreeMap;

use super::{
    CouponOutcome, LineTax, PricingContext, PromotionOutcome, Quote, QuotedLine, QuotedPart, TaxTotal, WorkLine,
};
use crate::pricing::promotion::Funder;
use crate::pricing::tax::{TaxRate, tax_included};
use crate::{Currency, DomainError, Money};

/// The quote of the priced lines, with the promotions and coupons as they turned out.
pub(super) fn assemble(
    currency: Currency,
    context: &PricingContext<'_>,
    work: Vec<WorkLine>,
    promotions: Vec<PromotionOutcome>,
    coupons: Vec<CouponOutcome>,
) -> Result<Quote, DomainError> {
    let lines = work.into_iter().map(|w| quoted_line(currency, w)).collect::<Result<Vec<_>, _>>()?;
    let mut parts = parts_by_location(currency, &lines)?;
    for part in &mut parts {
        part.taxes = tax_totals(currency, lines.iter().filter(|line| line.location_id == part.location_id))?;
    }
    let taxes = tax_totals(currency, lines.iter())?;
    Ok(Quote {
        currency,
        channel: context.channel.to_owned(),
        priced_at_ms: context.now_ms,
        gross: Money::sum(currency, lines.iter().map(|l| l.gross))?,
        discount: Money::sum(currency, lines.iter().map(|l| l.discount))?,
        total: Money::sum(currency, lines.iter().map(|l| l.total))?,
        taxes,
        lines,
        parts,
        promotions,
        coupons,
    })
}

/// One line as the quote shows it: what is left of it is its total, and its tax is taken out of
/// that total.
fn quoted_line(currency: Currency, w: WorkLine) -> Result<QuotedLine, DomainError> {
    let total = Money::new(w.net, currency);
    let tax = tax_included(total, w.line.tax.rate_bps);
    Ok(QuotedLine {
        sku: w.line.sku.as_str().to_owned(),
        location_id: w.line.location_id,
        merchant_id: w.line.merchant_id,
        quantity: w.line.quantity.get(),
        track_stock: w.line.track_stock,
        modifiers: w.line.modifiers,
        note: w.line.note,
        base_price: w.line.base_price,
        unit_price: w.unit_price,
        price_source: w.source,
        gross: Money::new(w.gross, currency),
        discount: Money::new(w.gross - w.net, currency),
        discounts: w.discounts,
        total,
        tax: LineTax {
            code: w.line.tax.code,
            rate_bps: w.line.tax.rate_bps,
            base: total.checked_sub(tax)?,
            amount: tax,
        },
        not_applied: w.not_applied,
        manual_discount: w.line.manual_discount,
    })
}

/// One part per location (the lines come sorted by location), with its sums and who funds its
/// discounts; taxes are filled in afterwards.
fn parts_by_location(currency: Currency, lines: &[QuotedLine]) -> Result<Vec<QuotedPart>, DomainError> {
    let mut parts: Vec<QuotedPart> = Vec::new();
    for line in lines {
        let funded = |funder: Funder| {
            line.discounts.iter().filter(|d| d.funded_by == funder).map(|d| d.amount.amount_minor).sum::<i64>()
        };
        let (merchant_funded, operator_funded) = (funded(Funder::Merchant), funded(Funder::Operator));
        if parts.last().is_none_or(|part| part.location_id != line.location_id) {
            let zero = Money::zero(currency);
            parts.push(QuotedPart {
                location_id: line.location_id.clone(),
                merchant_id: line.merchant_id.clone(),
                gross: zero,
                discount: zero,
                merchant_funded: zero,
                operator_funded: zero,
                subtotal: zero,
                taxes: Vec::new(),
            });
        }
        if let Some(part) = parts.last_mut() {
            part.gross = part.gross.checked_add(line.gross)?;
            part.discount = part.discount.checked_add(line.discount)?;
            part.merchant_funded = part.merchant_funded.checked_add(Money::new(merchant_funded, currency))?;
            part.operator_funded = part.operator_funded.checked_add(Money::new(operator_funded, currency))?;
            part.subtotal = part.subtotal.checked_add(line.total)?;
        }
    }
    Ok(parts)
}

/// Taxes of some lines summed by rate, in code then rate order.
fn tax_totals<'a>(
    currency: Currency,
    lines: impl Iterator<Item = &'a QuotedLine>,
) -> Result<Vec<TaxTotal>, DomainError> {
    let mut totals: BTreeMap<(String, u32), (Money, Money)> = BTreeMap::new();
    for line in lines {
        let entry = totals
            .entry((line.tax.code.clone(), line.tax.rate_bps))
            .or_insert((Money::zero(currency), Money::zero(currency)));
        entry.0 = entry.0.checked_add(line.tax.base)?;
        entry.1 = entry.1.checked_add(line.tax.amount)?;
    }
    Ok(totals
        .into_iter()
        .map(|((code, rate_bps), (base, amount))| TaxTotal {
            label: TaxRate { code: code.clone(), rate_bps }.label(),
            code,
            rate_bps,
            base,
            amount,
        })
        .collect())
}
