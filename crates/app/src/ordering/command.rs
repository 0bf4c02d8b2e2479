//! The command to place an order, parsed once where the request arrives: every field that can
//! be judged without the store is checked here and reported at once; what needs the store (the
//! site, the locations, the catalogue) is checked by `App::place_order`.

use omnicanal_domain::catalog::Name;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::payment::PaymentMethod;

use crate::error::AppResult;
use crate::pricing::cart::{Cart, LineInput, check_line_count, customer_key};
use crate::validation::{Validator, plausible_email};

/// Longest table label an order may carry.
pub const MAX_TABLE_CHARS: usize = 20;
/// Longest customer tax id (RUT, RUC, NIT), in characters.
pub const MAX_TAX_ID_CHARS: usize = 32;

/// A new order as the customer sent it, before it is checked.
#[derive(Debug, Clone, Default)]
pub struct OrderInput {
    /// The site.
    pub site_id: String,
    /// The channel, as sent.
    pub channel: String,
    /// Who picks it up.
    pub customer_name: String,
    /// Phone, for notifications.
    pub customer_phone: Option<String>,
    /// E-mail, for receipts.
    pub customer_email: Option<String>,
    /// Tax id, when the customer wants a factura.
    pub customer_tax_id: Option<String>,
    /// The lines.
    pub lines: Vec<LineInput>,
    /// Pickup time (RFC 3339); as soon as possible when absent.
    pub pickup_at: Option<String>,
    /// `card` or `pay_at_pickup`.
    pub payment_method: String,
    /// Card number, for `card`.
    pub card_number: Option<String>,
    /// Coupon codes as typed.
    pub coupon_codes: Vec<String>,
    /// The table the customer orders from.
    pub table: Option<String>,
    /// A stored quote whose prices the order keeps.
    pub quote_id: Option<String>,
    /// A gift card's code, spent as part payment (issue 17 point 8).
    pub gift_card_code: Option<String>,
    /// Whether the signed-in customer's store credit is spent as part payment.
    pub store_credit: bool,
}

/// Who picks the order up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// Name called at the counter.
    pub name: Name,
    /// Phone, as given.
    pub phone: Option<String>,
    /// E-mail, as given.
    pub email: Option<String>,
    /// Tax id, trimmed (1 to [`MAX_TAX_ID_CHARS`] characters): the parts get a factura.
    pub tax_id: Option<String>,
}

/// A card number, kept out of logs.
#[derive(Clone, PartialEq, Eq)]
pub struct CardNumber(String);

impl CardNumber {
    /// The number, for the provider.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for CardNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardNumber(<redacted>)")
    }
}

/// How the customer pays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payment {
    /// Authorised at checkout, captured by a payment job once the order is stored.
    Card(CardNumber),
    /// Paid at the counter as each part is handed over.
    PayAtPickup,
    /// Already paid to an external shop (only the shop connections place these).
    PaidInShop,
}

impl Payment {
    /// The method, as orders record it.
    pub fn method(&self) -> PaymentMethod {
        match self {
            Payment::Card(_) => PaymentMethod::Card,
            Payment::PayAtPickup => PaymentMethod::PayAtPickup,
            Payment::PaidInShop => PaymentMethod::PaidInShop,
        }
    }
}

/// An order to place, checked: the cart, the customer, when and how it is paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOrder {
    /// What is ordered, where, through which channel.
    pub cart: Cart,
    /// Who picks it up.
    pub customer: Customer,
    /// The table label (1 to [`MAX_TABLE_CHARS`] printable characters), printed on the ticket.
    pub table: Option<String>,
    /// The scheduled pickup (Unix ms); as soon as possible when absent.
    pub pickup_at_ms: Option<i64>,
    /// How it is paid.
    pub payment: Payment,
    /// A stored quote for this very cart, whose prices are honoured until it expires.
    pub quote_id: Option<String>,
    /// Where a phone order is delivered; None: picked up. Only the phone use case sets it
    /// (`App::place_phone_order`): the public order contract has no delivery.
    pub delivery: Option<omnicanal_domain::delivery::DeliveryAddress>,
    /// The order's id when its placer fixes it (a shop's order: derived from the connection
    /// and the shop's id, so a second import of it collides instead of placing it twice).
    pub fixed_order_id: Option<String>,
    /// The pickup code when the customer already holds one: a shop order's number, which its
    /// confirmation from the shop shows (our tracking page is never theirs).
    pub fixed_pickup_code: Option<String>,
    /// A gift card spent as part payment, its code checked (issue 17 point 8).
    pub gift_card: Option<omnicanal_domain::credit::GiftCardCode>,
    /// Whether the customer's store credit is spent as part payment; the edge names the
    /// signed-in customer's account in `credit_customer`.
    pub store_credit: bool,
    /// The signed-in customer's account whose store credit is spent.
    pub credit_customer: Option<String>,
}

impl PlaceOrder {
    /// Parses an order, reporting every bad field at once (more than 200 lines alone).
    pub fn parse(input: OrderInput) -> AppResult<Self> {
        check_line_count(input.lines.len())?;
        let mut v = Validator::new();
        let channel = v.check("channel", Channel::parse(&input.channel));
        let name = v.check("customer.name", Name::parse("customer.name", &input.customer_name));
        let raw_tax_id = input.customer_tax_id.as_deref();
        if raw_tax_id.is_some_and(|id| id.trim().is_empty() || id.chars().count() > MAX_TAX_ID_CHARS) {
            v.push("customer.tax_id", format!("must be 1 to {MAX_TAX_ID_CHARS} characters"));
        }
        let tax_id = raw_tax_id.map(|id| id.trim().to_owned());
        // A receipt sent to a mistyped address is lost: the customer hears now, while she can fix it.
        if input.customer_email.as_deref().is_some_and(|email| !email.trim().is_empty() && !plausible_email(email)) {
            v.push("customer.email", "must be an e-mail address");
        }
        let table = input.table.as_deref().map(str::trim).filter(|table| !table.is_empty()).map(str::to_owned);
        if table.as_deref().is_some_and(|t| t.chars().count() > MAX_TABLE_CHARS || t.chars().any(char::is_control)) {
            v.push("table", format!("must be 1 to {MAX_TABLE_CHARS} printable characters"));
        }
        let payment = payment(&input.payment_method, input.card_number, &mut v);
        let pickup_at_ms = input.pickup_at.as_deref().and_then(|raw| {
            let parsed = chrono::DateTime::parse_from_rfc3339(raw).map(|time| time.timestamp_millis()).ok();
            if parsed.is_none() {
                v.push("pickup_at", "must be an RFC 3339 time with offset");
            }
            parsed
        });
        let key = customer_key(input.customer_email.as_deref(), input.customer_phone.as_deref());
        let cart = Cart::check(input.site_id, channel, input.lines, input.coupon_codes, key, &mut v);
        let gift_card =
            input.gift_card_code.as_deref().map(str::trim).filter(|code| !code.is_empty()).and_then(|code| {
                v.check(
                    "payment.gift_card_code",
                    omnicanal_domain::credit::GiftCardCode::parse("payment.gift_card_code", code),
                )
            });
        v.done(|| {
            Some(Self {
                cart: cart?,
                customer: Customer { name: name?, phone: input.customer_phone, email: input.customer_email, tax_id },
                table,
                pickup_at_ms,
                payment: payment?,
                quote_id: input.quote_id,
                delivery: None,
                fixed_order_id: None,
                fixed_pickup_code: None,
                gift_card,
                store_credit: input.store_credit,
                credit_customer: None,
            })
        })
    }
}

/// The payment: a known method, and a card number when it is `card`.
fn payment(method: &str, card_number: Option<String>, v: &mut Validator) -> Option<Payment> {
    match v.check("payment.method", PaymentMethod::parse(method))? {
        PaymentMethod::PayAtPickup => Some(Payment::PayAtPickup),
        PaymentMethod::PaidInShop => {
            v.push("payment.method", "must be card or pay_at_pickup");
            None
        }
        PaymentMethod::Card => match card_number.filter(|number| !number.trim().is_empty()) {
            Some(number) => Some(Payment::Card(CardNumber(number))),
            None => {
                v.push("payment.card_number", "required when paying by card");
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;

    fn input() -> OrderInput {
        OrderInput {
            site_id: "site".into(),
            channel: "qr".into(),
            customer_name: " Ana ".into(),
            customer_email: Some("Ana@x.cl".into()),
            lines: vec![LineInput {
                sku: "PIZZA".into(),
                location_id: "loc".into(),
                quantity: 2,
                ..LineInput::default()
            }],
            payment_method: "card".into(),
            card_number: Some("4242424242424242".into()),
            ..OrderInput::default()
        }
    }

    fn fields(result: AppResult<PlaceOrder>) -> Vec<String> {
        match result {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_order_is_typed_and_keyed_by_its_customer() -> AppResult<()> {
        let order = PlaceOrder::parse(OrderInput { table: Some(" 12 ".into()), ..input() })?;
        assert_eq!(order.customer.name.as_str(), "Ana");
        assert_eq!(order.cart.channel, Channel::Qr);
        assert_eq!(order.cart.customer_key.as_deref(), Some("email:ana@x.cl"));
        assert_eq!(order.table.as_deref(), Some("12"));
        assert_eq!(order.payment.method(), PaymentMethod::Card);
        assert!(!format!("{:?}", order.payment).contains("4242"), "card numbers stay out of logs");
        Ok(())
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = OrderInput {
            channel: "fax".into(),
            customer_name: " ".into(),
            customer_tax_id: Some(" ".into()),
            customer_email: Some("ana@".into()),
            table: Some("x".repeat(MAX_TABLE_CHARS + 1)),
            card_number: Some("  ".into()),
            pickup_at: Some("tomorrow".into()),
            lines: vec![LineInput { sku: "PIZZA".into(), quantity: 0, ..LineInput::default() }],
            ..input()
        };
        assert_eq!(
            fields(PlaceOrder::parse(bad)),
            [
                "channel",
                "customer.name",
                "customer.tax_id",
                "customer.email",
                "table",
                "payment.card_number",
                "pickup_at",
                "lines[0].quantity"
            ]
        );
        for blank_or_plausible in ["", "  ", "ana.perez@correo.cl"] {
            let email = Some(blank_or_plausible.into());
            assert!(
                PlaceOrder::parse(OrderInput { customer_email: email, ..input() }).is_ok(),
                "{blank_or_plausible:?}"
            );
        }
        assert_eq!(
            fields(PlaceOrder::parse(OrderInput { payment_method: "cash".into(), ..input() })),
            ["payment.method"]
        );
        assert!(
            PlaceOrder::parse(OrderInput { payment_method: "pay_at_pickup".into(), card_number: None, ..input() })
                .is_ok()
        );
    }
}
