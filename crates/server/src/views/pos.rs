//! The till's answers as the API shows them: tills, cash sessions and their reports, sales,
//! receipt series and stock conflicts.

use omnicanal_app::ids::rfc3339;
use omnicanal_app::pos::devices::{ReceiptReport, TillListing};
use omnicanal_app::pos::sales::{SaleAnswer, SaleAnswerLine, SaleAnswerPayment, SaleConflict, SaleCustomer};
use omnicanal_app::pos::sessions::{MethodTotal, SessionReport};
use omnicanal_domain::Currency;
use omnicanal_domain::pos::TenderMethod;
use omnicanal_domain::pricing::engine::CouponOutcome;
use omnicanal_domain::pricing::engine::{AppliedDiscount, NotApplied, PromotionOutcome};
use omnicanal_store::{PosCashMovementRow, PosDeviceRow, PosSessionRow, ReceiptDuplicateRow, StockConflictRow};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ChosenModifierView, MoneyView};

/// A registered till.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceView {
    /// Opaque id.
    pub id: String,
    /// The location's merchant.
    pub merchant_id: String,
    /// Where it sells.
    pub location_id: String,
    /// What the staff call it.
    pub name: String,
    /// Its receipt series: receipts are numbered `<receipt_series>-<n>`, n from 1.
    pub receipt_series: String,
    /// Its open session, if any (in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_session_id: Option<String>,
    /// Its ESC/POS network printer, when one is set (on `GET /pos/devices/{id}` and its
    /// printer's `PUT`; absent in lists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub printer: Option<PrinterView>,
}

/// A till's ESC/POS network printer: raw TCP to `host:port`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrinterView {
    /// Host name or IP address; a host on an internal network must be named in
    /// `OMNICANAL_OUTBOUND_ALLOWED_HOSTS`.
    pub host: String,
    /// TCP port (9100 by default).
    pub port: i64,
    /// When it was set (RFC 3339).
    pub updated_at: String,
}

impl From<omnicanal_store::PosPrinterRow> for PrinterView {
    fn from(row: omnicanal_store::PosPrinterRow) -> Self {
        Self { host: row.host, port: row.port, updated_at: rfc3339(row.updated_at_ms) }
    }
}

impl From<PosDeviceRow> for DeviceView {
    fn from(row: PosDeviceRow) -> Self {
        Self {
            id: row.id,
            merchant_id: row.merchant_id,
            location_id: row.location_id,
            name: row.name,
            receipt_series: row.receipt_series,
            open_session_id: None,
            printer: None,
        }
    }
}

impl From<TillListing> for DeviceView {
    fn from(listing: TillListing) -> Self {
        Self { open_session_id: listing.open_session.map(|session| session.id), ..listing.device.into() }
    }
}

/// A session just opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    /// Opaque id.
    pub id: String,
    /// The till.
    pub device_id: String,
    /// Where.
    pub location_id: String,
    /// `open`.
    pub status: String,
    /// The float counted into the drawer.
    pub opening_float: MoneyView,
    /// When.
    pub opened_at: String,
}

impl From<PosSessionRow> for SessionView {
    fn from(row: PosSessionRow) -> Self {
        Self {
            id: row.id,
            device_id: row.device_id,
            location_id: row.location_id,
            status: row.status.to_string(),
            opening_float: MoneyView::from_parts(row.opening_float_minor, row.currency),
            opened_at: rfc3339(row.opened_at_ms),
        }
    }
}

/// What one payment method took.
#[derive(Debug, Serialize, ToSchema)]
pub struct MethodTotalView {
    /// `cash`, `card` or `external_card`.
    pub method: String,
    /// What it paid of the session's sales (cash net of change).
    pub amount: MoneyView,
}

impl From<MethodTotal> for MethodTotalView {
    fn from(total: MethodTotal) -> Self {
        Self { method: total.method.to_string(), amount: total.amount.into() }
    }
}

/// Cash put into or taken out of a drawer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CashMovementView {
    /// Opaque id.
    pub id: String,
    /// The session.
    pub session_id: String,
    /// `in` or `out`.
    pub direction: String,
    /// How much.
    pub amount: MoneyView,
    /// Why.
    pub reason: String,
    /// Who.
    pub created_by: Option<String>,
    /// When.
    pub created_at: String,
}

impl CashMovementView {
    /// The view of a movement in `currency`.
    pub fn new(row: PosCashMovementRow, currency: Currency) -> Self {
        Self {
            id: row.id,
            session_id: row.session_id,
            direction: row.direction.to_string(),
            amount: MoneyView::from_parts(row.amount_minor, currency),
            reason: row.reason,
            created_by: row.created_by,
            created_at: rfc3339(row.created_at_ms),
        }
    }
}

/// A session's report (the close answers it too): expected vs counted cash and the figures
/// behind them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionReportView {
    /// Opaque id.
    pub id: String,
    /// The till.
    pub device_id: String,
    /// The till's name.
    pub device_name: String,
    /// Where.
    pub location_id: String,
    /// `open` or `closed`.
    pub status: String,
    /// When it opened.
    pub opened_at: String,
    /// Who opened it.
    pub opened_by: Option<String>,
    /// When it closed.
    pub closed_at: Option<String>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// The float counted in.
    pub opening_float: MoneyView,
    /// What the drawer should hold: float + cash sales + cash in − cash out (now, or at the close).
    pub expected_cash: MoneyView,
    /// Counted at the close.
    pub counted_cash: Option<MoneyView>,
    /// counted − expected (negative: cash missing).
    pub difference: Option<MoneyView>,
    /// What each method took (cash, card, external_card; every one listed).
    pub totals: Vec<MethodTotalView>,
    /// Sales recorded.
    pub sales_count: i64,
    /// Of which sold offline.
    pub offline_sales_count: i64,
    /// What the sales came to.
    pub sales_total: MoneyView,
    /// Discounts given.
    pub discounts: MoneyView,
    /// Taxes within the sales.
    pub taxes: MoneyView,
    /// Change given back.
    pub change_given: MoneyView,
    /// Returns paid back in cash at this till (their cash is among `cash_movements`, `out`).
    pub refunds: MoneyView,
    /// How many returns were paid back in cash at this till.
    pub refunds_count: i64,
    /// Lines voided from carts before payment.
    pub voids: i64,
    /// What the voided lines were worth.
    pub voids_value: MoneyView,
    /// The promotions' part of `discounts`.
    pub discounts_promotions: MoneyView,
    /// The cashiers' manual discounts, part of `discounts`.
    pub discounts_manual: MoneyView,
    /// Managers' approvals given on the till during the session.
    pub approvals_count: i64,
    /// The count per denomination at the close, largest first (empty when only a total was typed).
    pub denominations: Vec<DenominationView>,
    /// The notes and coins the till offers for the session's currency, in minor units.
    pub offered_denominations: Vec<i64>,
    /// Cash put in.
    pub cash_in: MoneyView,
    /// Cash taken out.
    pub cash_out: MoneyView,
    /// Every cash movement, oldest first.
    pub cash_movements: Vec<CashMovementView>,
    /// Pay-at-pickup orders collected at this till (not sales: apart from `totals`; their
    /// cash is in `expected_cash`).
    pub pickups: PickupTotalsView,
}

/// Pay-at-pickup orders collected at a till in one session.
#[derive(Debug, Serialize, ToSchema)]
pub struct PickupTotalsView {
    /// Parts collected.
    pub count: i64,
    /// What they came to.
    pub total: MoneyView,
    /// What each method took of them (cash net of change; every method listed).
    pub by_method: Vec<MethodTotalView>,
}

impl From<SessionReport> for SessionReportView {
    fn from(report: SessionReport) -> Self {
        let currency = report.session.currency;
        let money = |amount| MoneyView::from_parts(amount, currency);
        let session = report.session;
        Self {
            id: session.id,
            device_id: session.device_id,
            device_name: report.device_name,
            location_id: session.location_id,
            status: session.status.to_string(),
            opened_at: rfc3339(session.opened_at_ms),
            opened_by: session.opened_by,
            closed_at: session.closed_at_ms.map(rfc3339),
            closed_by: session.closed_by,
            opening_float: money(session.opening_float_minor),
            expected_cash: report.expected_cash.into(),
            counted_cash: report.counted_cash.map(MoneyView::from),
            difference: report.difference.map(MoneyView::from),
            totals: report.totals.into_iter().map(MethodTotalView::from).collect(),
            sales_count: report.figures.sales_count,
            offline_sales_count: report.figures.offline_count,
            sales_total: money(report.figures.total_minor),
            discounts: money(report.figures.discount_minor),
            taxes: money(report.figures.tax_minor),
            change_given: money(report.figures.change_minor),
            refunds: report.refunds.1.into(),
            refunds_count: report.refunds.0,
            voids: report.accounting.void_count,
            voids_value: money(report.accounting.void_minor),
            discounts_promotions: money(report.figures.discount_minor - report.accounting.manual_discount_minor),
            discounts_manual: money(report.accounting.manual_discount_minor),
            approvals_count: report.accounting.approval_count,
            denominations: report
                .denominations
                .iter()
                .map(|line| DenominationView {
                    value: line.value.into(),
                    count: line.count,
                    amount: line.amount.into(),
                })
                .collect(),
            offered_denominations: report.offered_denominations.clone(),
            cash_in: money(report.figures.cash_in_minor),
            cash_out: money(report.figures.cash_out_minor),
            cash_movements: report
                .cash_movements
                .into_iter()
                .map(|movement| CashMovementView::new(movement, currency))
                .collect(),
            pickups: PickupTotalsView {
                count: report.figures.pickups_count,
                total: money(report.figures.pickups_total_minor),
                by_method: TenderMethod::ALL
                    .iter()
                    .map(|method| MethodTotalView {
                        method: method.to_string(),
                        amount: money(
                            report.figures.pickups_by_method.iter().filter(|(m, _)| m == method).map(|(_, a)| *a).sum(),
                        ),
                    })
                    .collect(),
            },
        }
    }
}

/// One note or coin counted at a close.
#[derive(Debug, Serialize, ToSchema)]
pub struct DenominationView {
    /// The note or coin.
    pub value: MoneyView,
    /// How many.
    pub count: i64,
    /// value × count.
    pub amount: MoneyView,
}

/// A stock conflict: units sold that the ledger did not have.
#[derive(Debug, Serialize, ToSchema)]
pub struct StockConflictView {
    /// Opaque id.
    pub id: String,
    /// The SKU.
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// Units short.
    pub shortfall: i64,
    /// Why: `offline_sale_short` (an offline till sale the ledger could not cover).
    pub cause: String,
    /// The sale that found it.
    pub sale_id: Option<String>,
    /// A live order holding units of the SKU there, which may no longer be served.
    pub order_id: Option<String>,
    /// `open` or `resolved`.
    pub status: String,
    /// What the manager may do (`POST /stock/conflicts/{id}/resolve`'s `action`): `count`,
    /// `transfer`, and `cancel_order` when an order is named.
    pub choices: Vec<String>,
    /// When (absent inside a sale's answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

fn choices(order_id: Option<&String>) -> Vec<String> {
    // The actions of `POST /stock/conflicts/{id}/resolve`.
    let mut choices = vec!["count".to_owned(), "transfer".to_owned()];
    if order_id.is_some() {
        choices.push("cancel_order".to_owned());
    }
    choices
}

impl From<StockConflictRow> for StockConflictView {
    fn from(row: StockConflictRow) -> Self {
        Self {
            choices: choices(row.order_id.as_ref()),
            id: row.id,
            sku: row.sku,
            location_id: row.location_id,
            shortfall: row.shortfall,
            cause: row.cause,
            sale_id: row.sale_id,
            order_id: row.order_id,
            status: row.status,
            created_at: Some(rfc3339(row.created_at_ms)),
        }
    }
}

impl From<SaleConflict> for StockConflictView {
    fn from(conflict: SaleConflict) -> Self {
        Self {
            choices: choices(conflict.order_id.as_ref()),
            id: conflict.id,
            sku: conflict.sku,
            location_id: conflict.location_id,
            shortfall: conflict.shortfall,
            cause: conflict.cause,
            sale_id: conflict.sale_id,
            order_id: conflict.order_id,
            status: conflict.status,
            created_at: None,
        }
    }
}

/// One line of a sale.
#[derive(Debug, Serialize, ToSchema)]
pub struct SaleLineView {
    /// The SKU.
    pub sku: String,
    /// The product's name.
    pub name: String,
    /// Units.
    pub quantity: i64,
    /// Unit price for channel `pos`, before discounts.
    pub unit_price: MoneyView,
    /// Units × unit price.
    pub gross: MoneyView,
    /// Discounts on the line.
    pub discount: MoneyView,
    /// What the line costs.
    pub total: MoneyView,
    /// Tax within the total.
    pub tax: MoneyView,
    /// Discounts given: `{promotion_id, name, amount, funded_by}`.
    #[schema(value_type = Vec<Object>)]
    pub discounts: Vec<AppliedDiscount>,
    /// Line-level promotions that did not apply: `{promotion_id, name, reason, message}`.
    #[schema(value_type = Vec<Object>)]
    pub not_applied: Vec<NotApplied>,
    /// The options chosen, each with what it adds to the unit price.
    pub options: Vec<ChosenModifierView>,
    /// The line's note.
    pub note: Option<String>,
}

impl From<SaleAnswerLine> for SaleLineView {
    fn from(line: SaleAnswerLine) -> Self {
        Self {
            sku: line.sku,
            name: line.name,
            quantity: line.quantity,
            unit_price: line.unit_price.into(),
            gross: line.gross.into(),
            discount: line.discount.into(),
            total: line.total.into(),
            tax: line.tax.into(),
            discounts: line.discounts,
            not_applied: line.not_applied,
            options: line
                .options
                .into_iter()
                .map(|m| ChosenModifierView { group: m.group, option: m.option, price: m.price.into() })
                .collect(),
            note: line.note,
        }
    }
}

/// One payment of a sale.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalePaymentView {
    /// `cash`, `card` or `external_card`.
    pub method: String,
    /// What it paid of the total (cash net of change).
    pub amount: MoneyView,
    /// Cash handed over.
    pub tendered: Option<MoneyView>,
    /// The terminal's reference, or the external terminal's approval code as typed.
    pub reference: Option<String>,
    /// The till terminal's approval code (card).
    pub approval_code: Option<String>,
    /// The card's last four digits (card).
    pub card_last4: Option<String>,
}

impl From<SaleAnswerPayment> for SalePaymentView {
    fn from(payment: SaleAnswerPayment) -> Self {
        Self {
            method: payment.method.to_string(),
            amount: payment.amount.into(),
            tendered: payment.tendered.map(MoneyView::from),
            reference: payment.reference,
            approval_code: payment.approval_code,
            card_last4: payment.card_last4,
        }
    }
}

/// The customer attached to a sale.
#[derive(Debug, Serialize, ToSchema)]
pub struct SaleCustomerView {
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

impl From<SaleCustomer> for SaleCustomerView {
    fn from(customer: SaleCustomer) -> Self {
        Self { name: customer.name, phone: customer.phone, email: customer.email }
    }
}

/// A recorded sale: the same answer for every repeat of the same id and body.
#[derive(Debug, Serialize, ToSchema)]
pub struct SaleView {
    /// The id the till made.
    pub id: String,
    /// `<receipt_series>-<n>`.
    pub receipt_number: String,
    /// The session.
    pub session_id: String,
    /// The till.
    pub device_id: String,
    /// Where.
    pub location_id: String,
    /// When the till sold it.
    pub sold_at: String,
    /// When the server recorded it.
    pub recorded_at: String,
    /// Sold while the till was offline.
    pub offline: bool,
    /// What the customer pays: the pricing engine's quote for channel `pos`.
    pub total: MoneyView,
    /// Before discounts.
    pub gross: MoneyView,
    /// Discounts given.
    pub discount: MoneyView,
    /// Taxes within the total.
    pub tax: MoneyView,
    /// Everything handed over (total + change).
    pub paid: MoneyView,
    /// Given back.
    pub change: MoneyView,
    /// Lines, merged per SKU, options and note (the engine's lines).
    pub lines: Vec<SaleLineView>,
    /// Payments, in the order sent.
    pub payments: Vec<SalePaymentView>,
    /// Every promotion the engine considered: `{promotion_id, name, applied, amount, funded_by,
    /// reason, message}` — applied, or with the engine's reason code and words.
    #[schema(value_type = Vec<Object>)]
    pub promotions: Vec<PromotionOutcome>,
    /// The customer, when attached.
    pub customer: Option<SaleCustomerView>,
    /// Stock conflicts the sale opened (offline sales the ledger could not cover).
    pub conflicts: Vec<StockConflictView>,
    /// The coupon typed, with the engine's verdict: `{code, promotion_id, applied, reason,
    /// message}` (a refused code does not refuse the sale; its use is counted only if applied).
    #[schema(value_type = Vec<Object>)]
    pub coupons: Vec<CouponOutcome>,
    /// The till's total minus the engine's, when the till priced the sale from an older
    /// catalogue snapshot: recorded at what the customer paid, flagged for the manager.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_difference: Option<MoneyView>,
}

impl From<SaleAnswer> for SaleView {
    fn from(answer: SaleAnswer) -> Self {
        Self {
            id: answer.id,
            receipt_number: answer.receipt_number,
            session_id: answer.session_id,
            device_id: answer.device_id,
            location_id: answer.location_id,
            sold_at: answer.sold_at,
            recorded_at: answer.recorded_at,
            offline: answer.offline,
            total: answer.total.into(),
            gross: answer.gross.into(),
            discount: answer.discount.into(),
            tax: answer.tax.into(),
            paid: answer.paid.into(),
            change: answer.change.into(),
            lines: answer.lines.into_iter().map(SaleLineView::from).collect(),
            payments: answer.payments.into_iter().map(SalePaymentView::from).collect(),
            promotions: answer.promotions,
            customer: answer.customer.map(SaleCustomerView::from),
            conflicts: answer.conflicts.into_iter().map(StockConflictView::from).collect(),
            coupons: answer.coupons,
            price_difference: answer.price_difference.map(Into::into),
        }
    }
}

/// A receipt number given to a second sale (which was refused with 409).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptDuplicateView {
    /// The receipt number.
    pub receipt_number: String,
    /// The sale recorded with it.
    pub sale_id: String,
    /// The sale refused for reusing it.
    pub refused_sale_id: String,
    /// When the reuse was refused.
    pub at: String,
}

impl From<ReceiptDuplicateRow> for ReceiptDuplicateView {
    fn from(row: ReceiptDuplicateRow) -> Self {
        Self {
            receipt_number: row.receipt_number,
            sale_id: row.sale_id,
            refused_sale_id: row.refused_sale_id,
            at: rfc3339(row.at_ms),
        }
    }
}

/// What the server received of a till's receipt series.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReceiptReportView {
    /// The till.
    pub device_id: String,
    /// Its series.
    pub receipt_series: String,
    /// The highest n received (0: none yet).
    pub last_number: u64,
    /// Receipt numbers below it never received, lowest first (at most 500 listed).
    pub gaps: Vec<String>,
    /// How many are missing in all.
    pub gap_count: u64,
    /// Receipt numbers given to a second sale.
    pub duplicates: Vec<ReceiptDuplicateView>,
}

impl From<ReceiptReport> for ReceiptReportView {
    fn from(report: ReceiptReport) -> Self {
        Self {
            device_id: report.device_id,
            receipt_series: report.receipt_series,
            last_number: report.last_number,
            gaps: report.gaps,
            gap_count: report.gap_count,
            duplicates: report.duplicates.into_iter().map(ReceiptDuplicateView::from).collect(),
        }
    }
}
