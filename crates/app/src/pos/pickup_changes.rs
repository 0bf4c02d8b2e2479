//! Pay at pickup with changes at the counter (issue 17 point 5): the till finds the customer's
//! open orders by phone (besides the pickup code, `pickups.rs`), then changes a part before
//! handing it over — a line removed, a size swapped, an item added.
//!
//! The till sends the part's lines as they should be. The one pricing engine prices them as a
//! cart of the order's channel at this location now (promotions re-evaluated, as the till's
//! own sales are priced); the domain says how the stock holds move (`stock_deltas`) and who
//! owes what (`settle_change`); the store applies it all in one transaction: holds freed for
//! what left and placed here for what came (a short SKU → 409 naming it, nothing changed),
//! the lines and totals replaced, a card's overpayment refunded by a payment job, and the
//! change recorded (who, when, which till and session, lines before and after). A card
//! order's extra is then paid at the till when the part is collected, a pay-at-pickup order's
//! new total likewise (`collect_till_pickup`).
//!
//! Two tills changing the same part: the part's version (`change_count`) is checked in the
//! transaction, so the second change fails whole (409) instead of overwriting the first.
//! Limits: lines as an order's (200, 1 to 9 999 units); the phone look-up reads the location's
//! 500 newest open parts and answers at most 20.
//!
//! A line the till sends again keeps what the customer chose for it: the modifiers and the note
//! of the part's line of the same SKU (taken in order, one old line per new line) are carried
//! into the cart, so the engine prices them again and the kitchen or the shelf still sees them.
//! The coupons the order redeemed are entered again, their use by this order not counted
//! against their limits (`price_cart_again`); one the changed part no longer qualifies for
//! (a minimum spend, an item removed) gives nothing and comes back in `coupons` with the
//! engine's reason. Limit: its use stays counted (the order did use it when placed).

use omnicanal_domain::Money;
use omnicanal_domain::catalog::{MAX_LINES_PER_ORDER, Quantity, Sku};
use omnicanal_domain::click_collect::{changeable, settle_change, stock_deltas};
use omnicanal_domain::events::{DomainEvent, PaymentRefunded};
use omnicanal_domain::modifiers::{Choice, ChosenModifier};
use omnicanal_domain::payment::PaymentMethod;
use omnicanal_domain::pricing::engine::{CouponOutcome, QuotedLine};
use omnicanal_store::{
    ChangedLine, FulfillmentRecord, LinePricing, LineRow, NewEvent, NewPickupChange, PickupChangeRow, StoreError,
};

use super::pickups::PickupAtTill;
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::pricing::cart::{Cart, CartItem, PricedCart, SoldFrom, customer_key};
use crate::validation::Validator;

/// Open parts of a location read for a phone look-up.
const PHONE_SCAN_LIMIT: i64 = 500;
/// Most parts a phone look-up answers.
pub const MAX_PHONE_MATCHES: usize = 20;
/// Fewest digits a phone must have to be looked up (a shorter one would match strangers).
pub const MIN_PHONE_DIGITS: usize = 8;
/// Most digits of a phone (E.164).
pub const MAX_PHONE_DIGITS: usize = 15;

/// A phone as typed at the till, reduced to its digits.
pub fn parse_phone(raw: &str) -> AppResult<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let allowed = |c: char| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.');
    if !raw.chars().all(allowed) || digits.len() < MIN_PHONE_DIGITS || digits.len() > MAX_PHONE_DIGITS {
        return Err(AppError::invalid(
            "phone",
            format!("must be a phone number of {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} digits"),
        ));
    }
    Ok(digits)
}

/// True when two phones (as digits) are the same number, one possibly with its country code:
/// equal, or the longer ends with the shorter of at least [`MIN_PHONE_DIGITS`] digits.
pub fn same_phone(typed: &str, stored: &str) -> bool {
    let stored: String = stored.chars().filter(char::is_ascii_digit).collect();
    let (short, long) = if typed.len() <= stored.len() { (typed, stored.as_str()) } else { (&stored[..], typed) };
    short.len() >= MIN_PHONE_DIGITS && long.ends_with(short)
}

/// One line of a change as the till sent it.
#[derive(Debug, Clone, Default)]
pub struct ChangeLineInput {
    /// SKU as typed or scanned.
    pub sku: String,
    /// Units.
    pub quantity: i64,
}

/// A change of a part at the counter, parsed: the part's lines as they should be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangePickup {
    /// The till's open session (the change is recorded in it).
    pub session_id: String,
    /// The new lines: 1 to 200.
    pub lines: Vec<(Sku, Quantity)>,
}

impl ChangePickup {
    /// Parses a change, reporting every bad field at once.
    pub fn parse(session_id: String, lines: Vec<ChangeLineInput>) -> AppResult<Self> {
        let mut v = Validator::new();
        if session_id.trim().is_empty() {
            v.push("session_id", "is required");
        }
        if lines.is_empty() {
            v.push("lines", "a part keeps at least one line (to give up the whole order, reject it)");
        }
        if lines.len() > MAX_LINES_PER_ORDER {
            v.push("lines", format!("at most {MAX_LINES_PER_ORDER} lines"));
        }
        let checked: Vec<Option<(Sku, Quantity)>> = lines
            .iter()
            .enumerate()
            .map(|(index, line)| {
                let sku = v.check(&format!("lines[{index}].sku"), Sku::parse(&line.sku));
                let quantity = v.check(&format!("lines[{index}].quantity"), Quantity::parse(line.quantity));
                Some((sku?, quantity?))
            })
            .collect();
        v.done(|| Some(Self { session_id, lines: checked.into_iter().collect::<Option<_>>()? }))
    }
}

/// A part after a change at the counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickupChanged {
    /// The part as the till now shows it (what is left to pay included).
    pub at_till: PickupAtTill,
    /// The change as recorded.
    pub change: PickupChangeRow,
    /// The order's coupons as the engine re-applied them: `applied`, or dropped with the reason.
    pub coupons: Vec<CouponOutcome>,
}

impl App {
    /// The open parts of the till's location whose order gave this phone, newest first (at
    /// most [`MAX_PHONE_MATCHES`]). None → an empty list, so the till can say so.
    pub async fn find_till_pickups_by_phone(
        &self,
        caller: &Caller,
        device_id: &str,
        phone: &str,
    ) -> AppResult<Vec<PickupAtTill>> {
        let phone = parse_phone(phone)?;
        let device = self.till(caller, device_id).await?;
        let candidates = self.store.open_parts_with_phone(&device.location_id, PHONE_SCAN_LIMIT).await?;
        let mut found = Vec::new();
        for (part_id, _) in candidates.iter().filter(|(_, stored)| same_phone(&phone, stored)).take(MAX_PHONE_MATCHES) {
            if let Some(part) = self.store.get_fulfillment(part_id).await? {
                found.push(self.pickup_at_till(part).await?);
            }
        }
        Ok(found)
    }

    /// Changes a part at the till (see the module docs). Another location's part → not found;
    /// handed over or voided → 409; a closed session → 409; a SKU this location does not sell
    /// → 422; short stock → 409 with the SKU; changed at another till meanwhile → 409.
    pub async fn change_till_pickup(
        &self,
        caller: &Caller,
        fulfillment_id: &str,
        command: ChangePickup,
    ) -> AppResult<PickupChanged> {
        let (session, device) = self.till_session(caller, &command.session_id).await?;
        session.status.check_open()?;
        let part = self.store.get_fulfillment(fulfillment_id).await?.ok_or(AppError::NotFound("fulfillment"))?;
        if part.location_id != device.location_id {
            return Err(AppError::NotFound("fulfillment"));
        }
        changeable(part.status).map_err(|error| AppError::Conflict(domain_message(error)))?;
        let version = self.store.part_change_count(&part.id).await?.ok_or(AppError::NotFound("fulfillment"))?;
        let order = self.store.get_order(&part.order_id).await?.ok_or(AppError::NotFound("fulfillment"))?.order;
        let site =
            self.store.get_site(&order.site_id).await?.ok_or(AppError::internal("an order's site is missing"))?;
        let kept = carried_over(&part, &command.lines)?;
        let coupons = self.store.order_coupon_codes(&order.id).await?;
        let cart = Cart {
            site_id: site.id.clone(),
            channel: order.channel.clone(),
            items: command
                .lines
                .iter()
                .zip(kept)
                .map(|((sku, quantity), (choices, note))| CartItem {
                    sku: sku.clone(),
                    location_id: part.location_id.clone(),
                    quantity: *quantity,
                    choices,
                    note,
                    manual_discount: None,
                })
                .collect(),
            coupon_codes: coupons.clone(),
            customer_key: customer_key(order.customer_email.as_deref(), order.customer_phone.as_deref()),
        };
        let now = self.now_ms();
        let priced = self.price_cart_again(&site, &cart, now, SoldFrom::Counter, &coupons).await?;
        let new = new_change(&part, &order, &priced, version, now, caller, &session.id, &device.id)?;
        match self.store.change_pickup_part(&new).await {
            Ok(_) => {}
            Err(StoreError::StaleState) => {
                return Err(AppError::Conflict(
                    "this order changed meanwhile (changed or collected at another till?); look it up again".into(),
                ));
            }
            Err(other) => return Err(other.into()),
        }
        // A refund owed was queued as a payment job in the same transaction.
        self.committed();
        let part = self.store.get_fulfillment(&part.id).await?.ok_or(AppError::NotFound("fulfillment"))?;
        Ok(PickupChanged {
            at_till: self.pickup_at_till(part).await?,
            change: new.change,
            coupons: priced.quote.coupons,
        })
    }

    /// A part's changes at the counter, oldest first (those who work its till).
    pub async fn till_pickup_changes(&self, caller: &Caller, fulfillment_id: &str) -> AppResult<Vec<PickupChangeRow>> {
        caller.require(&super::TILL_ROLES)?;
        let part = self.store.get_fulfillment(fulfillment_id).await?.ok_or(AppError::NotFound("fulfillment"))?;
        if !caller.sees_location(&part.merchant_id, &part.location_id) {
            return Err(AppError::NotFound("fulfillment"));
        }
        Ok(self.store.list_pickup_changes(&part.id).await?)
    }

    /// The changes made in a till's session, oldest first: part of its takings' story.
    pub async fn session_pickup_changes(&self, caller: &Caller, session_id: &str) -> AppResult<Vec<PickupChangeRow>> {
        let (session, _) = self.till_session(caller, session_id).await?;
        Ok(self.store.list_session_pickup_changes(&session.id).await?)
    }
}

/// For each new line, the choices and note of the part's first unused line of the same SKU
/// (none for an item the change adds).
fn carried_over(part: &FulfillmentRecord, lines: &[(Sku, Quantity)]) -> AppResult<Vec<(Vec<Choice>, Option<String>)>> {
    let mut used = vec![false; part.lines.len()];
    let mut kept = Vec::with_capacity(lines.len());
    for (sku, _) in lines {
        let old = part.lines.iter().zip(used.iter_mut()).find(|(line, used)| !**used && line.sku == sku.as_str());
        let Some((line, used)) = old else {
            kept.push((Vec::new(), None));
            continue;
        };
        *used = true;
        let chosen: Vec<ChosenModifier> = match &line.pricing.modifiers_json {
            Some(json) => serde_json::from_str(json)
                .map_err(|error| AppError::internal(format!("a part's line modifiers do not read back: {error}")))?,
            None => Vec::new(),
        };
        let choices = chosen.into_iter().map(|m| Choice { group: m.group, option: m.option }).collect();
        kept.push((choices, line.pricing.note.clone()));
    }
    Ok(kept)
}

/// A domain refusal's plain words.
fn domain_message(error: omnicanal_domain::DomainError) -> String {
    match error {
        omnicanal_domain::DomainError::Invalid { message, .. } => message,
        other => other.to_string(),
    }
}

/// Everything the store applies for a change, decided here.
#[expect(clippy::too_many_arguments, reason = "each is one fact of the change; a struct would only rename them")]
fn new_change(
    part: &FulfillmentRecord,
    order: &omnicanal_store::OrderRow,
    priced: &PricedCart,
    version: i64,
    now: i64,
    caller: &Caller,
    session_id: &str,
    device_id: &str,
) -> AppResult<NewPickupChange> {
    let quoted = priced
        .quote
        .parts
        .iter()
        .find(|quoted| quoted.location_id == part.location_id)
        .ok_or(AppError::internal("the priced cart lost the part's location"))?;
    let lines: Vec<LineRow> = priced
        .quote
        .lines
        .iter()
        .filter(|line| line.location_id == part.location_id)
        .map(|line| line_row(priced, line))
        .collect();
    let currency = part.currency;
    let before = Money::new(part.subtotal_minor, currency);
    let after = Money::new(quoted.subtotal.amount_minor, currency);
    let paid = match order.payment_method {
        PaymentMethod::Card | PaymentMethod::PaidInShop => part.captured_minor - part.refunded_minor,
        PaymentMethod::PayAtPickup => part.captured_minor,
    };
    let settled = settle_change(order.payment_method, before, after, Money::new(paid, currency))?;
    let tracked = |lines: &[LineRow]| -> Vec<(String, i64)> {
        lines.iter().filter(|l| l.track_stock).map(|l| (l.sku.clone(), l.quantity)).collect()
    };
    let deltas = stock_deltas(&tracked(&part.lines), &tracked(&lines));
    let change_id = new_id("pchg");
    let refund_event = (settled.refund.amount_minor > 0).then(|| NewEvent {
        event_id: new_id("evt"),
        created_at_ms: now,
        event: DomainEvent::PaymentRefunded(PaymentRefunded {
            order_id: part.order_id.clone(),
            fulfillment_id: part.id.clone(),
            merchant_id: part.merchant_id.clone(),
            location_id: part.location_id.clone(),
            amount: settled.refund,
        }),
    });
    let changed = |lines: &[LineRow]| -> Vec<ChangedLine> {
        lines
            .iter()
            .map(|l| ChangedLine {
                sku: l.sku.clone(),
                quantity: l.quantity,
                unit_price_minor: l.unit_price_minor,
                total_minor: l.total_minor,
            })
            .collect()
    };
    Ok(NewPickupChange {
        change: PickupChangeRow {
            id: change_id,
            fulfillment_id: part.id.clone(),
            order_id: part.order_id.clone(),
            merchant_id: part.merchant_id.clone(),
            location_id: part.location_id.clone(),
            session_id: Some(session_id.to_owned()),
            device_id: Some(device_id.to_owned()),
            created_by: Some(caller.id.clone()),
            created_at_ms: now,
            currency,
            before_total_minor: before.amount_minor,
            after_total_minor: after.amount_minor,
            refund_minor: settled.refund.amount_minor,
            to_collect_minor: settled.to_collect.amount_minor,
            before: changed(&part.lines),
            after: changed(&lines),
        },
        expected_change_count: version,
        expected_status: part.status,
        gross_minor: quoted.gross.amount_minor,
        discount_minor: quoted.discount.amount_minor,
        merchant_funded_minor: quoted.merchant_funded.amount_minor,
        operator_funded_minor: quoted.operator_funded.amount_minor,
        lines,
        outstanding_delta_minor: match order.payment_method {
            PaymentMethod::PayAtPickup => after.amount_minor - before.amount_minor,
            PaymentMethod::Card | PaymentMethod::PaidInShop => 0,
        },
        stock_deltas: deltas.into_iter().map(|delta| (delta.sku, delta.delta)).collect(),
        payment_reference: order.payment_reference.clone(),
        refund_event,
        event_id: new_id("evt"),
    })
}

/// A priced line as the part stores it (as placement does).
fn line_row(priced: &PricedCart, line: &QuotedLine) -> LineRow {
    LineRow {
        sku: line.sku.clone(),
        quantity: line.quantity,
        unit_price_minor: line.unit_price.amount_minor,
        total_minor: line.total.amount_minor,
        track_stock: line.track_stock,
        pricing: LinePricing {
            name: priced.names.get(&(line.location_id.clone(), line.sku.clone())).cloned(),
            gross_minor: Some(line.gross.amount_minor),
            discount_minor: line.discount.amount_minor,
            tax_code: line.tax.code.clone(),
            tax_rate_bps: i64::from(line.tax.rate_bps),
            tax_minor: line.tax.amount.amount_minor,
            modifiers_json: (!line.modifiers.is_empty())
                .then(|| serde_json::to_string(&line.modifiers).unwrap_or_default()),
            note: line.note.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_match_with_or_without_country_code_and_short_ones_are_refused() -> AppResult<()> {
        let typed = parse_phone("+56 9 1234-5678")?;
        assert_eq!(typed, "56912345678");
        assert!(same_phone(&typed, "912345678"));
        assert!(same_phone(&parse_phone("912345678")?, "+56912345678"));
        assert!(!same_phone(&typed, "+56912345679"));
        assert!(parse_phone("1234").is_err());
        assert!(parse_phone("9123abc45678").is_err());
        Ok(())
    }

    #[test]
    fn a_change_reports_every_bad_field_at_once() {
        let lines = vec![
            ChangeLineInput { sku: " ".into(), quantity: 1 },
            ChangeLineInput { sku: "SHIRT-L".into(), quantity: 0 },
        ];
        let Err(AppError::Invalid(errors)) = ChangePickup::parse(" ".into(), lines) else {
            panic!("expected a validation error")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["session_id", "lines[0].sku", "lines[1].quantity"]);
    }
}
