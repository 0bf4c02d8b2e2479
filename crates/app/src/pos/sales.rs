//! Recording a till sale, exactly once.
//!
//! The till makes the sale's id and receipt number (offline too), so the server keeps every
//! sale under its id forever: the same id with the same body answers the first answer again
//! whenever it comes back (a queue drained after a day offline included); with another body it
//! is a conflict. The total is the one pricing engine's quote for channel `pos` at the time of
//! the sale, the tenders must cover it, a card is charged on the till's terminal before the
//! sale is stored (and voided if the store then refuses), and the store records the sale, its
//! stock movements and its events in one transaction. An offline sale is never refused for
//! stock: what the ledger lacked becomes a stock conflict.

use omnicanal_domain::Money;
use omnicanal_domain::catalog::{Quantity, Sku};
use omnicanal_domain::channel::Channel;
use omnicanal_domain::events::{DomainEvent, PosSaleLine, PosSaleRecorded};
use omnicanal_domain::modifiers::{Choice, ChosenModifier};
use omnicanal_domain::pos::{
    DeclineCode, ReceiptNumber, ReceiptSeries, Tender, TenderMethod, check_sale_id, settle_tenders,
};
use omnicanal_domain::pricing::engine::CouponOutcome;
use omnicanal_domain::pricing::engine::{AppliedDiscount, NotApplied, PromotionOutcome};
use omnicanal_domain::time::parse_rfc3339_ms;
use omnicanal_store::{
    CouponRedemption, NewEvent, NewPosSale, PosPaymentRow, PosSaleLineRow, PosSaleOutcome, PosSaleRow, PosSessionRow,
    PosStockLine, ReceiptDuplicateRow, StockConflictRow, StoreError, UniqueKey,
};
use serde::{Deserialize, Serialize};

use super::sale_accounting::{LineAccounting, ManualDiscountInput, SaleAccountingInput, VoidedLineInput};
use super::sessions::check_cash;
use super::terminal::{TerminalApproval, TerminalError};
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::{new_id, rfc3339, sha256_hex};
use crate::ordering::phone::phone_problem;
use crate::pricing::cart::{Cart, CartItem, MAX_COUPON_CODE_CHARS, SoldFrom, check_line_count, customer_key};
use crate::validation::{Validator, plausible_email};

/// Most payments one sale may carry.
pub const MAX_PAYMENTS: usize = 10;
/// Longest payment reference, in characters.
pub const MAX_REFERENCE_CHARS: usize = 64;
/// How far ahead of the server's clock a till's `sold_at` may be (clocks drift).
pub const MAX_CLOCK_AHEAD_MS: i64 = 5 * 60 * 1000;
/// How far before its session's opening a sale may be dated (the till's clock and the
/// server's drift; a sale is made in an open session).
pub const MAX_CLOCK_BEHIND_MS: i64 = 60 * 60 * 1000;

/// A customer attached to a sale.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleCustomer {
    /// Name.
    pub name: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// E-mail.
    pub email: Option<String>,
}

/// One line as the till sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleLineInput {
    /// SKU as typed or scanned.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// Options chosen in the product's modifier groups (issue 14 point 3).
    pub options: Vec<Choice>,
    /// A note for the line ("sin cebolla"), up to 140 characters.
    pub note: Option<String>,
    /// The cashier's manual discount on the line.
    pub manual_discount: Option<ManualDiscountInput>,
    /// The manager's approval of that discount, when above the till's limit.
    pub approval_id: Option<String>,
}

/// One payment as the till sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInput {
    /// `cash`, `card` or `external_card`.
    pub method: String,
    /// What it pays of the total.
    pub amount: Money,
    /// Cash handed over.
    pub tendered: Option<Money>,
    /// An external terminal's approval code.
    pub reference: Option<String>,
    /// The card, for `card`.
    pub card_number: Option<String>,
}

/// A sale as the till sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleInput {
    /// The id the till made.
    pub id: String,
    /// The open session.
    pub session_id: String,
    /// `<series>-<n>`.
    pub receipt_number: String,
    /// When the till sold it (RFC 3339).
    pub sold_at: String,
    /// Whether the till was offline.
    pub offline: bool,
    /// The customer, when attached.
    pub customer: Option<SaleCustomer>,
    /// What was sold.
    pub lines: Vec<SaleLineInput>,
    /// How it was paid.
    pub payments: Vec<PaymentInput>,
    /// A coupon code the cashier typed.
    pub coupon: Option<String>,
    /// The total the till showed and the customer paid (priced from the till's snapshot), when
    /// sent: a sale whose snapshot was older than a price change is recorded at it, with the
    /// difference flagged for the manager, instead of being refused after the money was taken.
    pub total: Option<Money>,
    /// Lines taken off the cart before payment.
    pub voided_lines: Vec<VoidedLineInput>,
}

/// One payment, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalePayment {
    /// The tender.
    pub tender: Tender,
    /// The external terminal's approval code.
    pub reference: Option<String>,
    /// The card number, for the till's terminal.
    pub card_number: Option<String>,
}

/// A sale, parsed: every field checked; the receipt number against the till's series, the
/// SKUs against the catalogue and the tenders against the total when it is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSale {
    /// The id the till made.
    pub id: String,
    /// The session.
    pub session_id: String,
    /// As sent.
    pub receipt_number: String,
    /// When sold.
    pub sold_at_ms: i64,
    /// Offline or not.
    pub offline: bool,
    /// The customer.
    pub customer: Option<SaleCustomer>,
    /// Lines.
    pub lines: Vec<(Sku, Quantity)>,
    /// Payments.
    pub payments: Vec<SalePayment>,
    /// The total the till charged, when sent.
    pub till_total: Option<Money>,
    /// Fingerprint of the body: a repeat must match it.
    pub request_hash: String,
    /// Each line's options and note, in the order of `lines` (checked against the product's
    /// modifier groups when the sale is priced).
    pub line_details: Vec<SaleLineDetails>,
    /// The coupon code as typed (trimmed), if any.
    pub coupon: Option<String>,
    /// Manual discounts, voided lines and their approvals.
    pub accounting: SaleAccountingInput,
}

/// What a line carries besides its SKU and units: the options chosen and a note.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaleLineDetails {
    /// Options chosen, as sent (checked against the product's groups when priced).
    pub options: Vec<Choice>,
    /// The note, trimmed; empty becomes none.
    pub note: Option<String>,
}

/// Most options one line may carry.
pub const MAX_LINE_OPTIONS: usize = 50;

/// Checks a line's options (their shape only: the product's groups are checked when priced)
/// and its note.
fn check_line_details(v: &mut Validator, index: usize, line: &SaleLineInput) -> SaleLineDetails {
    let field = format!("lines[{index}]");
    if line.options.len() > MAX_LINE_OPTIONS {
        v.push(format!("{field}.options"), format!("at most {MAX_LINE_OPTIONS} options"));
    }
    let blank = |text: &str| text.trim().is_empty() || text.chars().count() > 60;
    if line.options.iter().any(|choice| blank(&choice.group) || blank(&choice.option)) {
        v.push(format!("{field}.options"), "each option needs a group and an option of 1 to 60 characters");
    }
    let note = v.check(&format!("{field}.note"), omnicanal_domain::modifiers::note(line.note.as_deref(), &field));
    SaleLineDetails { options: line.options.clone(), note: note.flatten() }
}

fn optional_text(v: &mut Validator, field: &str, raw: Option<String>, max: usize) -> Option<String> {
    let text = raw.map(|raw| raw.trim().to_owned()).filter(|text| !text.is_empty())?;
    if text.chars().count() > max || text.chars().any(char::is_control) {
        v.push(field, format!("must be at most {max} characters without control characters"));
        return None;
    }
    Some(text)
}

impl RecordSale {
    /// Parses a sale, reporting every bad field at once.
    pub fn parse(input: SaleInput) -> AppResult<Self> {
        check_line_count(input.lines.len())?;
        let request_hash = fingerprint(&input);
        let mut v = Validator::new();
        let id = v.check("id", check_sale_id(&input.id));
        if input.session_id.trim().is_empty() {
            v.push("session_id", "is required");
        }
        if input.receipt_number.is_empty() || input.receipt_number.len() > 40 {
            v.push("receipt_number", "must be <receipt_series>-<n>");
        }
        let sold_at_ms = parse_rfc3339_ms(&input.sold_at);
        if sold_at_ms.is_none() {
            v.push("sold_at", "must be an RFC 3339 time");
        }
        let customer = input.customer.map(|customer| SaleCustomer {
            name: optional_text(&mut v, "customer.name", customer.name, 200),
            phone: optional_text(&mut v, "customer.phone", customer.phone, 32),
            email: optional_text(&mut v, "customer.email", customer.email, 254),
        });
        if let Some(email) = customer.as_ref().and_then(|c| c.email.as_deref())
            && !plausible_email(email)
        {
            v.push("customer.email", "is not an e-mail address");
        }
        // The same rule as a phone order's customer (`ordering::phone`).
        if let Some(problem) =
            customer.as_ref().and_then(|c| c.phone.as_deref()).and_then(|phone| phone_problem(Some(phone)))
        {
            v.push(problem.field, problem.message);
        }
        if input.lines.is_empty() {
            v.push("lines", "a sale needs at least one line");
        }
        let lines: Vec<Option<(Sku, Quantity)>> = input
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let sku = v.check(&format!("lines[{index}].sku"), Sku::parse(&line.sku));
                let quantity = v.check(&format!("lines[{index}].quantity"), Quantity::parse(line.quantity));
                Some((sku?, quantity?))
            })
            .collect();
        let line_details: Vec<SaleLineDetails> =
            input.lines.iter().enumerate().map(|(index, line)| check_line_details(&mut v, index, line)).collect();
        let coupon = input.coupon.as_deref().map(str::trim).filter(|code| !code.is_empty()).map(str::to_owned);
        if coupon
            .as_ref()
            .is_some_and(|code| code.chars().count() > MAX_COUPON_CODE_CHARS || code.chars().any(char::is_control))
        {
            v.push("coupon", format!("must be 1 to {MAX_COUPON_CODE_CHARS} characters"));
        }
        let accounting_lines: Vec<LineAccounting> = input
            .lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                super::sale_accounting::check_line(
                    &mut v,
                    index,
                    line.manual_discount.clone(),
                    line.approval_id.clone(),
                )
            })
            .collect();
        let voids = super::sale_accounting::check_voids(&mut v, input.voided_lines);
        if input.payments.len() > MAX_PAYMENTS {
            v.push("payments", format!("at most {MAX_PAYMENTS} payments"));
        }
        if let Some(total) = input.total {
            check_cash(&mut v, "total", total);
        }
        let payments: Vec<Option<SalePayment>> = input
            .payments
            .into_iter()
            .enumerate()
            .map(|(index, payment)| check_payment(&mut v, index, payment, input.offline))
            .collect();
        v.done(|| {
            Some(Self {
                id: id?,
                session_id: input.session_id,
                receipt_number: input.receipt_number,
                sold_at_ms: sold_at_ms?,
                offline: input.offline,
                customer,
                lines: lines.into_iter().collect::<Option<_>>()?,
                payments: payments.into_iter().collect::<Option<_>>()?,
                till_total: input.total,
                request_hash,
                line_details,
                coupon,
                accounting: SaleAccountingInput {
                    lines: accounting_lines,
                    voids: voids.into_iter().collect::<Option<_>>()?,
                },
            })
        })
    }
}

/// The coupon uses a till sale counts: the coupons whose promotion gave a discount. Unlike an
/// order, a sale is never refused for its coupon (the cashier saw the engine's verdict before
/// taking the money, and an offline sale already happened): a refused code is recorded with
/// its reason in the answer's `coupons`, and its use is not counted.
fn till_redemptions(
    found: &[omnicanal_store::CouponRow],
    quote: &omnicanal_domain::pricing::Quote,
    cart: &Cart,
) -> Vec<CouponRedemption> {
    quote
        .coupons
        .iter()
        .filter(|outcome| outcome.applied)
        .filter_map(|outcome| found.iter().find(|coupon| coupon.code == outcome.code))
        .map(|coupon| CouponRedemption {
            coupon_id: coupon.id.clone(),
            code: coupon.code.clone(),
            customer_key: cart.customer_key.clone(),
        })
        .collect()
}

/// One tender of a till sale, checked as the till sends it (the aisle's tablet checks its own
/// the same way, online).
pub(crate) fn check_payment(
    v: &mut Validator,
    index: usize,
    payment: PaymentInput,
    offline: bool,
) -> Option<SalePayment> {
    let field = format!("payments[{index}]");
    // Bounded like every cash figure of a session, so its sums never overflow.
    check_cash(v, &format!("{field}.amount"), payment.amount);
    if let Some(tendered) = payment.tendered {
        check_cash(v, &format!("{field}.tendered"), tendered);
    }
    let method = v.check(&format!("{field}.method"), TenderMethod::parse(&payment.method));
    let reference = optional_text(v, &format!("{field}.reference"), payment.reference, MAX_REFERENCE_CHARS);
    let card_number = payment.card_number.map(|card| card.trim().to_owned()).filter(|card| !card.is_empty());
    match method? {
        TenderMethod::Card if offline => {
            v.push(
                format!("{field}.method"),
                "the till's card terminal needs the network: offline, take cash or external_card",
            );
            return None;
        }
        TenderMethod::Card if card_number.is_none() => {
            v.push(format!("{field}.card_number"), "is required for card");
            return None;
        }
        TenderMethod::Cash | TenderMethod::ExternalCard if card_number.is_some() => {
            v.push(format!("{field}.card_number"), "only card payments carry a card number");
            return None;
        }
        TenderMethod::ExternalCard if reference.is_none() => {
            v.push(format!("{field}.reference"), "type the external terminal's approval code");
            return None;
        }
        // Store credit (issue 17 point 8): the balance is checked and spent on the server.
        TenderMethod::GiftCard | TenderMethod::StoreCredit if offline => {
            v.push(format!("{field}.method"), "gift cards and store credit need the network: offline, take cash");
            return None;
        }
        TenderMethod::GiftCard | TenderMethod::StoreCredit if card_number.is_some() => {
            v.push(format!("{field}.card_number"), "only card payments carry a card number");
            return None;
        }
        TenderMethod::GiftCard if reference.is_none() => {
            v.push(format!("{field}.reference"), "type the gift card's code");
            return None;
        }
        TenderMethod::StoreCredit if reference.is_none() => {
            v.push(format!("{field}.reference"), "give the customer's e-mail or phone");
            return None;
        }
        _ => {}
    }
    let method = method?;
    Some(SalePayment {
        tender: Tender { method, amount: payment.amount, tendered: payment.tendered },
        reference,
        card_number,
    })
}

/// The body's fingerprint: every field as sent, a card number by its last four digits only.
fn fingerprint(input: &SaleInput) -> String {
    let last4 = |card: &Option<String>| {
        card.as_deref().map(|card| card.chars().filter(char::is_ascii_digit).rev().take(4).collect::<String>())
    };
    let mut canonical = serde_json::json!({
        "id": input.id,
        "session_id": input.session_id,
        "receipt_number": input.receipt_number,
        "sold_at": parse_rfc3339_ms(&input.sold_at),
        "offline": input.offline,
        "customer": input.customer,
        "lines": input.lines.iter().map(|l| (l.sku.trim(), l.quantity)).collect::<Vec<_>>(),
        "payments": input.payments.iter().map(|p| serde_json::json!({
            "method": p.method, "amount": p.amount, "tendered": p.tendered, "reference": p.reference,
            "card": last4(&p.card_number),
        })).collect::<Vec<_>>(),
    });
    // Options, notes and a coupon join the fingerprint only when sent, so a body without them
    // (every sale recorded before they existed) keeps the fingerprint it was recorded with.
    let details: Vec<_> = input.lines.iter().map(|l| (&l.options, l.note.as_deref().map(str::trim))).collect();
    if details.iter().any(|(options, note)| !options.is_empty() || note.is_some_and(|n| !n.is_empty())) {
        canonical["line_details"] = serde_json::json!(details);
    }
    if let Some(coupon) = input.coupon.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        canonical["coupon"] = serde_json::json!(coupon);
    }
    // Only when sent, so the fingerprints of sales recorded before the field existed still match.
    if let Some(total) = input.total {
        canonical["total"] = serde_json::json!(total);
    }
    let line_accounting: Vec<_> =
        input.lines.iter().map(|l| (l.manual_discount.as_ref(), l.approval_id.as_deref())).collect();
    if let Some(part) = super::sale_accounting::fingerprint_part(&line_accounting, &input.voided_lines)
        && let Some(object) = canonical.as_object_mut()
    {
        object.insert("accounting".to_owned(), part);
    }
    sha256_hex(canonical.to_string().as_bytes())
}

/// One line of a recorded sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleAnswerLine {
    /// The SKU.
    pub sku: String,
    /// The product's name.
    pub name: String,
    /// Units.
    pub quantity: i64,
    /// Unit price before discounts (the engine's price for `pos`).
    pub unit_price: Money,
    /// Units × unit price.
    pub gross: Money,
    /// Discounts on the line.
    pub discount: Money,
    /// What the line costs.
    pub total: Money,
    /// Tax within the total.
    pub tax: Money,
    /// The discounts given, each with its promotion.
    pub discounts: Vec<AppliedDiscount>,
    /// Line-level promotions that did not apply, with the engine's reason.
    pub not_applied: Vec<NotApplied>,
    /// The options chosen, each with what it adds to the unit price (in `unit_price`).
    #[serde(default)]
    pub options: Vec<ChosenModifier>,
    /// The line's note.
    #[serde(default)]
    pub note: Option<String>,
}

/// One payment of a recorded sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleAnswerPayment {
    /// How.
    pub method: TenderMethod,
    /// What it paid of the total (cash net of change).
    pub amount: Money,
    /// Cash handed over.
    pub tendered: Option<Money>,
    /// The terminal's reference, or the external terminal's approval code as typed.
    pub reference: Option<String>,
    /// The terminal's approval code, for `card`.
    pub approval_code: Option<String>,
    /// The card's last four digits, for `card`.
    pub card_last4: Option<String>,
}

/// A stock conflict a sale opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleConflict {
    /// The conflict.
    pub id: String,
    /// The SKU.
    pub sku: String,
    /// Where.
    pub location_id: String,
    /// Units the ledger lacked.
    pub shortfall: i64,
    /// Why.
    pub cause: String,
    /// This sale.
    pub sale_id: Option<String>,
    /// An order holding units there that may no longer be served.
    pub order_id: Option<String>,
    /// `open` or `resolved`.
    pub status: String,
}

impl From<StockConflictRow> for SaleConflict {
    fn from(row: StockConflictRow) -> Self {
        Self {
            id: row.id,
            sku: row.sku,
            location_id: row.location_id,
            shortfall: row.shortfall,
            cause: row.cause,
            sale_id: row.sale_id,
            order_id: row.order_id,
            status: row.status,
        }
    }
}

/// A recorded sale, as the till is answered (the same answer for every repeat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleAnswer {
    /// The id the till made.
    pub id: String,
    /// `<series>-<n>`.
    pub receipt_number: String,
    /// The session.
    pub session_id: String,
    /// The till.
    pub device_id: String,
    /// Where.
    pub location_id: String,
    /// When the till sold it (RFC 3339).
    pub sold_at: String,
    /// When the server recorded it (RFC 3339).
    pub recorded_at: String,
    /// Sold offline.
    pub offline: bool,
    /// What the customer pays: the engine's quote.
    pub total: Money,
    /// Before discounts.
    pub gross: Money,
    /// Discounts given.
    pub discount: Money,
    /// Taxes within the total.
    pub tax: Money,
    /// Everything handed over.
    pub paid: Money,
    /// Given back.
    pub change: Money,
    /// Lines, merged per SKU, options and note (the engine's lines).
    pub lines: Vec<SaleAnswerLine>,
    /// Payments, in the order sent.
    pub payments: Vec<SaleAnswerPayment>,
    /// Every promotion the engine considered: applied, or with its reason.
    pub promotions: Vec<PromotionOutcome>,
    /// The customer.
    pub customer: Option<SaleCustomer>,
    /// Stock conflicts the sale opened (offline sales only).
    #[serde(default)]
    pub conflicts: Vec<SaleConflict>,
    /// The coupon typed, with the engine's verdict: applied, or its reason.
    #[serde(default)]
    pub coupons: Vec<CouponOutcome>,
    /// The till's total minus the engine's, when the till priced the sale from a snapshot older
    /// than a price change: the sale is recorded at what the customer paid (`total`) and the
    /// difference is flagged for the manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_difference: Option<Money>,
}

/// A sale recorded now (`created`) or found recorded before with the same body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleRecorded {
    /// The answer.
    pub answer: SaleAnswer,
    /// False when this is a repeat.
    pub created: bool,
}

fn replay(existing: PosSaleRow, conflicts: Vec<StockConflictRow>, hash: &str) -> AppResult<SaleRecorded> {
    if existing.request_hash != hash {
        return Err(AppError::Conflict(format!(
            "sale {} was recorded with another body; a new sale needs a new id",
            existing.id
        )));
    }
    let mut answer: SaleAnswer = serde_json::from_str(&existing.answer_json)
        .map_err(|error| AppError::internal(format!("a stored sale answer does not read back: {error}")))?;
    answer.conflicts = conflicts.into_iter().map(SaleConflict::from).collect();
    Ok(SaleRecorded { answer, created: false })
}

impl App {
    /// Records a till sale once (see the module docs).
    pub async fn record_pos_sale(&self, caller: &Caller, mut command: RecordSale) -> AppResult<SaleRecorded> {
        let (session, device) = self.till_session(caller, &command.session_id).await?;
        if let Some((existing, conflicts)) = self.store.get_pos_sale(&command.id).await? {
            return replay(existing, conflicts, &command.request_hash);
        }
        let series = ReceiptSeries::parse(&device.receipt_series)
            .map_err(|_| AppError::internal("a till's stored series is not a series"))?;
        let mut v = Validator::new();
        let receipt = v.check("receipt_number", ReceiptNumber::parse(&command.receipt_number, &series));
        let now = self.now_ms();
        if command.sold_at_ms > now + MAX_CLOCK_AHEAD_MS {
            v.push("sold_at", "is in the future; check the till's clock");
        }
        // A sale belongs to its session: one dated well before the session opened would be
        // priced at that time (an old price, an ended promotion).
        if command.sold_at_ms < session.opened_at_ms - MAX_CLOCK_BEHIND_MS {
            v.push("sold_at", "is before the session opened; check the till's clock");
        }
        v.finish()?;
        let receipt = receipt.ok_or(AppError::internal("a checked receipt number is missing"))?;
        session.status.check_open()?;

        let location = self
            .store
            .get_location(&device.location_id)
            .await?
            .ok_or(AppError::internal("a till's location is missing"))?;
        let site =
            self.store.get_site(&location.site_id).await?.ok_or(AppError::internal("a location's site is missing"))?;
        let cart = Cart {
            site_id: site.id.clone(),
            channel: Channel::Pos,
            items: command
                .lines
                .iter()
                .zip(command.line_details.iter().chain(std::iter::repeat(&SaleLineDetails::default())))
                .enumerate()
                .map(|(index, ((sku, quantity), details))| CartItem {
                    sku: sku.clone(),
                    location_id: location.id.clone(),
                    quantity: *quantity,
                    choices: details.options.clone(),
                    note: details.note.clone(),
                    manual_discount: command.accounting.manual_of(index),
                })
                .collect(),
            // The coupon counts per customer by the attached customer's e-mail or phone, as online.
            coupon_codes: command.coupon.iter().cloned().collect(),
            customer_key: command
                .customer
                .as_ref()
                .and_then(|customer| customer_key(customer.email.as_deref(), customer.phone.as_deref())),
        };
        // Offline, the till priced the sale when it was made: the server prices it at that time.
        let priced_at = if command.offline { command.sold_at_ms } else { now };
        let priced = self.price_cart(&site, &cart, priced_at, SoldFrom::Counter).await?;
        // The till's limits are checked on the engine's own figures, before the till's total
        // (a stale snapshot's) is taken as what the customer paid.
        let accounting = self.sale_accounting(&device, &site, &command, &priced.quote, priced_at).await?;
        let (quote, price_difference) = at_till_price(priced.quote, command.till_total)?;
        let tenders: Vec<Tender> = command.payments.iter().map(|payment| payment.tender).collect();
        let settled = settle_tenders(quote.total, &tenders)?;
        // Gift cards and store credit name their balance by its account from here on: the code
        // itself is never stored, and the spend happens in the sale's transaction.
        self.resolve_credit_tenders(&session.merchant_id, &device.id, &mut command.payments).await?;

        let approvals = self.charge_cards(&command, &settled.applied).await;
        if let Err(AppError::CardDeclined { decline_code, .. }) = &approvals {
            // A decline is telemetry for the support desk's incident detector (issue 18 point 5)
            // and the store's last decline, which a ticket from its till carries (point 1).
            let kind = omnicanal_domain::support::incidents::TelemetryKind::PaymentDeclined;
            self.note_till_telemetry(&device, kind, Some(decline_code.as_str())).await;
            self.remember_decline(&location.id, *decline_code).await;
        }
        let approvals = approvals?;
        let mut answer = build_answer(&command, &session, &receipt, &quote, &priced.names, &settled, &approvals, now)?;
        answer.price_difference = price_difference;
        let mut new = new_sale(&command, &session, &receipt, &quote, &answer, &approvals, caller, now)?;
        new.redemptions = till_redemptions(&priced.coupons, &quote, &cart);
        new.accounting = accounting;
        let outcome = match self.store.record_pos_sale(&new).await {
            // A twin of this request got there first: its row answers.
            Err(StoreError::Duplicate(UniqueKey::PosSaleId | UniqueKey::ReceiptNumber)) => {
                self.store.record_pos_sale(&new).await
            }
            other => other,
        };
        match outcome {
            Ok(PosSaleOutcome::Recorded(conflicts)) => {
                self.committed();
                if let Some(difference) = price_difference {
                    // The answer kept in the sale's row carries it already; this flag lists it
                    // for the manager, so a failure here loses no money, only the listing.
                    if let Err(error) = self.store.flag_pos_price_difference(&command.id, difference.amount_minor).await
                    {
                        tracing::error!(sale = %command.id, %error, "a till sale's price difference could not be flagged");
                    }
                }
                let mut answer = answer;
                answer.conflicts = conflicts.into_iter().map(SaleConflict::from).collect();
                Ok(SaleRecorded { answer, created: true })
            }
            // The same id means the same charges (their keys come from it): nothing to void.
            Ok(PosSaleOutcome::Existing(existing, conflicts)) => replay(*existing, conflicts, &command.request_hash),
            Ok(PosSaleOutcome::ReceiptTaken(sale_id)) => {
                self.void_charges(&approvals).await;
                self.store
                    .record_receipt_duplicate(&ReceiptDuplicateRow {
                        device_id: device.id.clone(),
                        receipt_n: i64::try_from(receipt.n()).unwrap_or(i64::MAX),
                        receipt_number: receipt.text(),
                        sale_id: sale_id.clone(),
                        refused_sale_id: command.id.clone(),
                        at_ms: now,
                    })
                    .await?;
                Err(AppError::AlreadyExists {
                    field: "receipt_number",
                    message: format!("receipt {} was already given to sale {sale_id}", receipt.text()),
                })
            }
            Err(error) => {
                self.void_charges(&approvals).await;
                Err(error.into())
            }
        }
    }

    /// A recorded sale of a till the caller may work, as it was answered.
    pub async fn pos_sale(&self, caller: &Caller, id: &str) -> AppResult<SaleAnswer> {
        caller.require(&super::TILL_ROLES)?;
        let (sale, conflicts) = self.store.get_pos_sale(id).await?.ok_or(AppError::NotFound("sale"))?;
        if !caller.sees_location(&sale.merchant_id, &sale.location_id) {
            return Err(AppError::NotFound("sale"));
        }
        let hash = sale.request_hash.clone();
        Ok(replay(sale, conflicts, &hash)?.answer)
    }

    /// Charges every card tender on the till's terminal, in order; a decline voids the charges
    /// made before it.
    async fn charge_cards(
        &self,
        command: &RecordSale,
        applied: &[Money],
    ) -> AppResult<Vec<Option<(TerminalApproval, String)>>> {
        let mut approvals: Vec<Option<(TerminalApproval, String)>> = Vec::new();
        for (index, (payment, amount)) in command.payments.iter().zip(applied).enumerate() {
            let (TenderMethod::Card, Some(card)) = (payment.tender.method, payment.card_number.as_deref()) else {
                approvals.push(None);
                continue;
            };
            let key = format!("{}:{index}", command.id);
            match self.terminal.charge(card, *amount, &key).await {
                Ok(approval) => approvals.push(Some((approval, key))),
                Err(error) => {
                    self.void_charges(&approvals).await;
                    return Err(match error {
                        TerminalError::Declined(code) => declined(code),
                        TerminalError::InvalidCard(why) => {
                            AppError::invalid(format!("payments[{index}].card_number"), why)
                        }
                        TerminalError::Unavailable(why) => AppError::Unavailable(why),
                    });
                }
            }
        }
        Ok(approvals)
    }

    /// Voids the charges of a sale that was not recorded; a void that fails is logged for a
    /// person (the terminal's own batch shows it).
    async fn void_charges(&self, approvals: &[Option<(TerminalApproval, String)>]) {
        for (approval, key) in approvals.iter().flatten() {
            if let Err(error) = self.terminal.void(&approval.reference, key).await {
                tracing::error!(reference = %approval.reference, %error, "a till charge could not be voided");
            }
        }
    }
}

/// The quote with the till's total when the till sent one that differs (its snapshot predates
/// a price change), and the difference (till − engine). The lines stay the engine's: they say
/// what the price is now; the total says what the customer paid.
fn at_till_price(
    mut quote: omnicanal_domain::pricing::Quote,
    till_total: Option<Money>,
) -> AppResult<(omnicanal_domain::pricing::Quote, Option<Money>)> {
    let Some(till_total) = till_total else { return Ok((quote, None)) };
    if till_total.currency != quote.total.currency {
        return Err(AppError::invalid("total", format!("must be in {}", quote.total.currency)));
    }
    if till_total == quote.total {
        return Ok((quote, None));
    }
    let difference = till_total.checked_sub(quote.total)?;
    quote.total = till_total;
    Ok((quote, Some(difference)))
}

fn declined(code: DeclineCode) -> AppError {
    AppError::CardDeclined { decline_code: code, next_step: code.next_step() }
}

#[allow(clippy::too_many_arguments, reason = "one sale's parts, assembled once")]
fn build_answer(
    command: &RecordSale,
    session: &PosSessionRow,
    receipt: &ReceiptNumber,
    quote: &omnicanal_domain::pricing::Quote,
    names: &std::collections::HashMap<(String, String), String>,
    settled: &omnicanal_domain::pos::TenderOutcome,
    approvals: &[Option<(TerminalApproval, String)>],
    now: i64,
) -> AppResult<SaleAnswer> {
    let currency = quote.currency;
    let tax = Money::sum(currency, quote.taxes.iter().map(|tax| tax.amount))?;
    let paid = quote.total.checked_add(settled.change)?;
    let lines = quote
        .lines
        .iter()
        .map(|line| SaleAnswerLine {
            sku: line.sku.clone(),
            name: names.get(&(line.location_id.clone(), line.sku.clone())).cloned().unwrap_or_default(),
            quantity: line.quantity,
            unit_price: line.unit_price,
            gross: line.gross,
            discount: line.discount,
            total: line.total,
            tax: line.tax.amount,
            discounts: line.discounts.clone(),
            not_applied: line.not_applied.clone(),
            options: line.modifiers.clone(),
            note: line.note.clone(),
        })
        .collect();
    let payments = command
        .payments
        .iter()
        .zip(&settled.applied)
        .zip(approvals)
        .map(|((payment, applied), approval)| SaleAnswerPayment {
            method: payment.tender.method,
            amount: *applied,
            tendered: payment.tender.tendered,
            reference: approval.as_ref().map(|(a, _)| a.reference.clone()).or_else(|| payment.reference.clone()),
            approval_code: approval.as_ref().map(|(a, _)| a.approval_code.clone()),
            card_last4: payment.card_number.as_deref().map(last4),
        })
        .collect();
    Ok(SaleAnswer {
        id: command.id.clone(),
        receipt_number: receipt.text(),
        session_id: session.id.clone(),
        device_id: session.device_id.clone(),
        location_id: session.location_id.clone(),
        sold_at: rfc3339(command.sold_at_ms),
        recorded_at: rfc3339(now),
        offline: command.offline,
        total: quote.total,
        gross: quote.gross,
        discount: quote.discount,
        tax,
        paid,
        change: settled.change,
        lines,
        payments,
        promotions: quote.promotions.clone(),
        customer: command.customer.clone(),
        conflicts: Vec::new(),
        coupons: quote.coupons.clone(),
        price_difference: None,
    })
}

fn last4(card: &str) -> String {
    let digits: Vec<char> = card.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(4)..].iter().collect()
}

#[allow(clippy::too_many_arguments, reason = "one sale's parts, assembled once")]
fn new_sale(
    command: &RecordSale,
    session: &PosSessionRow,
    receipt: &ReceiptNumber,
    quote: &omnicanal_domain::pricing::Quote,
    answer: &SaleAnswer,
    approvals: &[Option<(TerminalApproval, String)>],
    caller: &Caller,
    now: i64,
) -> AppResult<NewPosSale> {
    let answer_json =
        serde_json::to_string(answer).map_err(|error| AppError::internal(format!("a sale answer: {error}")))?;
    let customer_json = command.customer.as_ref().map(|customer| serde_json::json!(customer).to_string());
    let sale = PosSaleRow {
        id: command.id.clone(),
        session_id: session.id.clone(),
        device_id: session.device_id.clone(),
        merchant_id: session.merchant_id.clone(),
        location_id: session.location_id.clone(),
        receipt_number: receipt.text(),
        receipt_n: i64::try_from(receipt.n()).unwrap_or(i64::MAX),
        request_hash: command.request_hash.clone(),
        offline: command.offline,
        sold_at_ms: command.sold_at_ms,
        recorded_at_ms: now,
        currency: quote.currency,
        total_minor: quote.total.amount_minor,
        discount_minor: quote.discount.amount_minor,
        tax_minor: answer.tax.amount_minor,
        change_minor: answer.change.amount_minor,
        customer_json,
        created_by: Some(caller.id.clone()),
        answer_json,
    };
    let lines = quote
        .lines
        .iter()
        .map(|line| PosSaleLineRow {
            sku: line.sku.clone(),
            quantity: line.quantity,
            unit_price_minor: line.unit_price.amount_minor,
            discount_minor: line.discount.amount_minor,
            tax_minor: line.tax.amount.amount_minor,
            total_minor: line.total.amount_minor,
            track_stock: line.track_stock,
            modifiers_json: (!line.modifiers.is_empty())
                .then(|| serde_json::to_string(&line.modifiers).unwrap_or_default()),
            note: line.note.clone(),
        })
        .collect();
    let payments = answer
        .payments
        .iter()
        .zip(approvals)
        .map(|(payment, _)| PosPaymentRow {
            method: payment.method,
            amount_minor: payment.amount.amount_minor,
            tendered_minor: payment.tendered.map(|money| money.amount_minor),
            reference: payment.reference.clone(),
            card_last4: payment.card_last4.clone(),
        })
        .collect();
    // One movement per SKU: lines of one dish with other options are the same stock.
    let mut units: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for line in quote.lines.iter().filter(|line| line.track_stock) {
        *units.entry(line.sku.as_str()).or_default() += line.quantity;
    }
    let stock: Vec<PosStockLine> = units
        .into_iter()
        .map(|(sku, quantity)| PosStockLine {
            sku: sku.to_owned(),
            quantity,
            movement_id: new_id("mov"),
            event_id: new_id("evt"),
            conflict_id: new_id("scf"),
        })
        .collect();
    let event = NewEvent {
        event_id: new_id("evt"),
        created_at_ms: now,
        event: DomainEvent::PosSaleRecorded(PosSaleRecorded {
            sale_id: command.id.clone(),
            merchant_id: session.merchant_id.clone(),
            location_id: session.location_id.clone(),
            device_id: session.device_id.clone(),
            session_id: session.id.clone(),
            receipt_number: receipt.text(),
            total: quote.total,
            offline: command.offline,
            sold_at: command.sold_at_ms,
            lines: quote
                .lines
                .iter()
                .map(|line| PosSaleLine { sku: line.sku.clone(), quantity: line.quantity, total: line.total })
                .collect(),
            conflicts: Vec::new(),
        }),
    };
    Ok(NewPosSale { sale, lines, payments, stock, event, redemptions: Vec::new(), accounting: Default::default() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnicanal_domain::Currency;

    fn clp(amount: i64) -> Money {
        Money::new(amount, Currency::Clp)
    }

    fn input() -> SaleInput {
        SaleInput {
            id: "sale-1".into(),
            session_id: "ses_1".into(),
            receipt_number: "TABC23-1".into(),
            sold_at: "2026-12-06T12:00:00Z".into(),
            offline: false,
            customer: None,
            lines: vec![SaleLineInput {
                sku: "CAF-1".into(),
                quantity: 2,
                options: Vec::new(),
                note: None,
                manual_discount: None,
                approval_id: None,
            }],
            payments: vec![PaymentInput {
                method: "cash".into(),
                amount: clp(5000),
                tendered: Some(clp(10_000)),
                reference: None,
                card_number: None,
            }],
            coupon: None,
            total: None,
            voided_lines: Vec::new(),
        }
    }

    fn fields(result: AppResult<RecordSale>) -> Vec<String> {
        match result {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_sale_parses_and_its_fingerprint_follows_the_body() -> AppResult<()> {
        let sale = RecordSale::parse(input())?;
        assert_eq!(sale.sold_at_ms, 1_796_558_400_000);
        let same = RecordSale::parse(input())?;
        assert_eq!(sale.request_hash, same.request_hash);
        let mut other = input();
        other.lines[0].quantity = 3;
        assert_ne!(RecordSale::parse(other)?.request_hash, sale.request_hash);
        Ok(())
    }

    #[test]
    fn every_bad_field_of_a_sale_is_reported() {
        let mut bad = input();
        bad.id = "has space".into();
        bad.sold_at = "yesterday".into();
        bad.lines[0].quantity = 0;
        bad.payments[0].method = "cheque".into();
        bad.customer = Some(SaleCustomer { email: Some("nope".into()), ..SaleCustomer::default() });
        assert_eq!(
            fields(RecordSale::parse(bad)),
            ["id", "sold_at", "customer.email", "lines[0].quantity", "payments[0].method"]
        );
    }

    #[test]
    fn offline_sales_take_no_card_and_cards_need_numbers() {
        let mut offline = input();
        offline.offline = true;
        offline.payments[0] = PaymentInput {
            method: "card".into(),
            amount: clp(5000),
            tendered: None,
            reference: None,
            card_number: Some("4242424242424242".into()),
        };
        assert_eq!(fields(RecordSale::parse(offline)), ["payments[0].method"]);
        let mut external = input();
        external.payments[0] = PaymentInput {
            method: "external_card".into(),
            amount: clp(5000),
            tendered: None,
            reference: None,
            card_number: None,
        };
        assert_eq!(fields(RecordSale::parse(external)), ["payments[0].reference"]);
        assert_eq!(last4("4242 4242 4242 4242"), "4242");
    }

    #[test]
    fn options_notes_phones_and_coupons_are_checked_and_join_the_fingerprint_only_when_sent() -> AppResult<()> {
        let plain = RecordSale::parse(input())?;
        let mut detailed = input();
        detailed.lines[0].options = vec![Choice { group: "Tamaño".into(), option: "Grande".into() }];
        detailed.lines[0].note = Some("  sin azúcar ".into());
        detailed.coupon = Some(" caja10 ".into());
        let sale = RecordSale::parse(detailed)?;
        assert_eq!(sale.line_details[0].note.as_deref(), Some("sin azúcar"));
        assert_eq!(sale.coupon.as_deref(), Some("caja10"));
        assert_ne!(sale.request_hash, plain.request_hash);
        let mut blank = input();
        blank.lines[0].note = Some("   ".into());
        blank.coupon = Some(String::new());
        assert_eq!(RecordSale::parse(blank)?.request_hash, plain.request_hash, "nothing sent, the old fingerprint");

        let mut bad = input();
        bad.lines[0].note = Some("x".repeat(141));
        bad.lines[0].options = vec![Choice { group: " ".into(), option: "Grande".into() }];
        bad.coupon = Some("C".repeat(65));
        bad.customer = Some(SaleCustomer { phone: Some("12-ab".into()), ..SaleCustomer::default() });
        assert_eq!(fields(RecordSale::parse(bad)), ["customer.phone", "lines[0].options", "lines[0].note", "coupon"]);
        Ok(())
    }
}
