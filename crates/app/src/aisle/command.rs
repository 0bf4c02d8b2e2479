//! The tablet's aisle order as a command, parsed once where the request arrives: every field
//! that can be judged without the store is checked here and reported at once (the lines, one
//! source location, how it reaches the customer, who the customer is and how they are told,
//! the tenders); what needs the store (the till, the source, the catalogue, the stock) is the
//! use case's.

use omnicanal_domain::aisle::AisleFulfilment;
use omnicanal_domain::catalog::Name;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::delivery::DeliveryAddress;
use omnicanal_domain::pos::TenderMethod;

use crate::error::{AppResult, FieldError};
use crate::ordering::phone::{DeliveryAddressInput, phone_problem};
use crate::pos::sales::{MAX_PAYMENTS, PaymentInput, SalePayment, check_payment};
use crate::pricing::cart::{Cart, LineInput, check_line_count, customer_key};
use crate::validation::{Validator, plausible_email};

/// One line as the tablet sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AisleLineInput {
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: i64,
    /// The location whose stock is sold (the tablet's search showed it could promise them).
    pub source_location_id: String,
}

/// How the order reaches the customer, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AisleFulfilmentInput {
    /// `delivery` or `pickup_here`.
    pub kind: String,
    /// A delivery's address.
    pub address: Option<DeliveryAddressInput>,
    /// Who receives a delivery (the customer when absent).
    pub recipient_name: Option<String>,
    /// Their phone, for the carrier (the customer's when absent).
    pub recipient_phone: Option<String>,
}

/// An aisle order as the tablet sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AisleOrderInput {
    /// The till's open session the customer pays into.
    pub session_id: String,
    /// The lines, all from one source location.
    pub lines: Vec<AisleLineInput>,
    /// Delivery or pickup here.
    pub fulfilment: AisleFulfilmentInput,
    /// The customer's name.
    pub customer_name: String,
    /// Their phone (a phone or an e-mail is required: the customer is told at each step).
    pub customer_phone: Option<String>,
    /// Their e-mail.
    pub customer_email: Option<String>,
    /// How they pay at the tablet: cash (with change), the till's card terminal, a gift card
    /// (its code as `reference`) and store credit (the customer's e-mail or phone as
    /// `reference`, this order's customer when absent).
    pub payments: Vec<PaymentInput>,
}

/// A delivery, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AisleDelivery {
    /// Where.
    pub address: DeliveryAddress,
    /// Who receives it.
    pub recipient_name: String,
    /// Their phone.
    pub recipient_phone: String,
}

/// An aisle order, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AisleOrder {
    /// The till's session.
    pub session_id: String,
    /// The one source location.
    pub source_location_id: String,
    /// The cart (channel `tablet`, every line at the source; its site is the source's, set
    /// by the use case).
    pub cart: Cart,
    /// Delivery or pickup here.
    pub kind: AisleFulfilment,
    /// A delivery's address and recipient.
    pub delivery: Option<AisleDelivery>,
    /// The customer's name.
    pub customer_name: Name,
    /// Their phone.
    pub customer_phone: Option<String>,
    /// Their e-mail.
    pub customer_email: Option<String>,
    /// The tenders (a gift card's or store credit's `reference` is its code or its holder
    /// until the use case names the account).
    pub payments: Vec<SalePayment>,
}

impl AisleOrder {
    /// Parses an aisle order, reporting every bad field at once.
    pub fn parse(input: AisleOrderInput) -> AppResult<Self> {
        check_line_count(input.lines.len())?;
        let mut v = Validator::new();
        if input.session_id.trim().is_empty() {
            v.push("session_id", "is required: the till's open session");
        }
        let source_location_id = one_source(&input.lines, &mut v);
        let name = v.check("customer.name", Name::parse("customer.name", &input.customer_name));
        let phone = input.customer_phone.map(|phone| phone.trim().to_owned()).filter(|phone| !phone.is_empty());
        let email = input.customer_email.map(|email| email.trim().to_owned()).filter(|email| !email.is_empty());
        if phone.is_none() && email.is_none() {
            v.push("customer", "give the customer's phone or e-mail: they are told at each step");
        }
        if let Some(problem) = phone.as_deref().and_then(|phone| phone_problem(Some(phone))) {
            v.push(problem.field, problem.message);
        }
        if email.as_deref().is_some_and(|email| !plausible_email(email)) {
            v.push("customer.email", "must be an e-mail address");
        }
        let (kind, delivery) = fulfilment(input.fulfilment, name.as_ref(), phone.as_deref(), &mut v);
        let holder = email.as_deref().or(phone.as_deref());
        let payments = tenders(input.payments, holder, &mut v);
        let lines = input
            .lines
            .into_iter()
            .map(|line| LineInput {
                sku: line.sku,
                location_id: line.source_location_id,
                quantity: line.quantity,
                choices: Vec::new(),
                note: None,
            })
            .collect();
        let key = customer_key(email.as_deref(), phone.as_deref());
        let cart = Cart::check(String::new(), Some(Channel::Tablet), lines, Vec::new(), key, &mut v);
        v.done(|| {
            Some(Self {
                session_id: input.session_id.trim().to_owned(),
                source_location_id: source_location_id?,
                cart: cart?,
                kind: kind?,
                delivery,
                customer_name: name?,
                customer_phone: phone,
                customer_email: email,
                payments: payments?,
            })
        })
    }
}

/// The one source location of the lines: an order holds its units at one place.
fn one_source(lines: &[AisleLineInput], v: &mut Validator) -> Option<String> {
    let mut source: Option<String> = None;
    for (index, line) in lines.iter().enumerate() {
        let id = line.source_location_id.trim();
        if id.is_empty() {
            v.push(format!("lines[{index}].source_location_id"), "is required: where the units are");
            continue;
        }
        match &source {
            None => source = Some(id.to_owned()),
            Some(first) if first != id => {
                v.push(
                    format!("lines[{index}].source_location_id"),
                    "one source location per aisle order: sell the other location's items in another order",
                );
            }
            Some(_) => {}
        }
    }
    source
}

/// The fulfilment: a delivery needs its address (and a recipient, the customer by default);
/// a pickup here has none.
fn fulfilment(
    input: AisleFulfilmentInput,
    customer: Option<&Name>,
    customer_phone: Option<&str>,
    v: &mut Validator,
) -> (Option<AisleFulfilment>, Option<AisleDelivery>) {
    let Some(kind) = v.check(
        "fulfilment.kind",
        AisleFulfilment::parse(&input.kind)
            .map_err(|_| omnicanal_domain::DomainError::invalid("fulfilment.kind", "must be delivery or pickup_here")),
    ) else {
        return (None, None);
    };
    match kind {
        AisleFulfilment::PickupHere => {
            if input.address.is_some() {
                v.push("fulfilment.address", "only a delivery has an address");
            }
            (Some(kind), None)
        }
        AisleFulfilment::Delivery => {
            let Some(address) = input.address else {
                v.push("fulfilment.address", "is required for a delivery: street, number and commune or district");
                return (Some(kind), None);
            };
            let address = match DeliveryAddress::parse(
                &address.street,
                &address.number,
                &address.district,
                address.reference.as_deref(),
            ) {
                Ok(address) => Some(address),
                Err(problems) => {
                    for problem in problems {
                        let FieldError { field, message } = as_field(problem);
                        v.push(field.replacen("delivery_address", "fulfilment.address", 1), message);
                    }
                    None
                }
            };
            let recipient_name = match input.recipient_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                Some(raw) => v.check("fulfilment.recipient_name", Name::parse("fulfilment.recipient_name", raw)),
                None => customer.cloned(),
            };
            let recipient_phone = input
                .recipient_phone
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty())
                .or_else(|| customer_phone.map(str::to_owned));
            match &recipient_phone {
                None => v.push("fulfilment.recipient_phone", "is required for a delivery: the carrier calls it"),
                Some(phone) => {
                    if let Some(problem) = phone_problem(Some(phone)) {
                        v.push("fulfilment.recipient_phone", problem.message);
                    }
                }
            }
            let delivery = match (address, recipient_name, recipient_phone) {
                (Some(address), Some(name), Some(phone)) => {
                    Some(AisleDelivery { address, recipient_name: name.as_str().to_owned(), recipient_phone: phone })
                }
                _ => None,
            };
            (Some(kind), delivery)
        }
    }
}

fn as_field(problem: omnicanal_domain::DomainError) -> FieldError {
    match problem {
        omnicanal_domain::DomainError::Invalid { field, message } => FieldError { field, message },
        other => FieldError { field: "fulfilment.address".into(), message: other.to_string() },
    }
}

/// The tenders, parsed as a till sale's (online): cash, the till's card terminal, a gift card
/// by its code and store credit — the holder named in `reference`, or this order's customer
/// (e-mail first, as the credit pages key a customer). An external terminal's refund after a
/// cancellation has no path here yet, so the tablet does not take it.
fn tenders(payments: Vec<PaymentInput>, holder: Option<&str>, v: &mut Validator) -> Option<Vec<SalePayment>> {
    if payments.is_empty() {
        v.push("payments", "the customer pays at the tablet: cash, card, gift card or store credit");
        return None;
    }
    if payments.len() > MAX_PAYMENTS {
        v.push("payments", format!("at most {MAX_PAYMENTS} payments"));
        return None;
    }
    let checked: Vec<Option<SalePayment>> = payments
        .into_iter()
        .enumerate()
        .map(|(index, mut payment)| {
            match TenderMethod::parse(&payment.method) {
                Ok(TenderMethod::ExternalCard) => {
                    v.push(
                        format!("payments[{index}].method"),
                        "the tablet takes cash, card, gift card or store credit",
                    );
                    return None;
                }
                Ok(TenderMethod::StoreCredit) if payment.reference.as_deref().is_none_or(|r| r.trim().is_empty()) => {
                    payment.reference = holder.map(str::to_owned);
                }
                _ => {}
            }
            check_payment(v, index, payment, false)
        })
        .collect();
    checked.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AppError;
    use omnicanal_domain::{Currency, Money};

    fn input() -> AisleOrderInput {
        AisleOrderInput {
            session_id: "ses_1".into(),
            lines: vec![AisleLineInput { sku: "CHAQ-M".into(), quantity: 1, source_location_id: "loc_b".into() }],
            fulfilment: AisleFulfilmentInput { kind: "pickup_here".into(), ..Default::default() },
            customer_name: "Ana".into(),
            customer_phone: Some("+56 9 8765 4321".into()),
            customer_email: None,
            payments: vec![PaymentInput {
                method: "cash".into(),
                amount: Money::new(89_990, Currency::Clp),
                tendered: Some(Money::new(100_000, Currency::Clp)),
                reference: None,
                card_number: None,
            }],
        }
    }

    fn fields(result: AppResult<AisleOrder>) -> Vec<String> {
        match result {
            Err(AppError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => vec![format!("{other:?}")],
        }
    }

    #[test]
    fn a_pickup_here_paid_in_cash_parses() -> AppResult<()> {
        let order = AisleOrder::parse(input())?;
        assert_eq!(order.kind, AisleFulfilment::PickupHere);
        assert_eq!(order.source_location_id, "loc_b");
        assert_eq!(order.cart.channel, Channel::Tablet);
        Ok(())
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let mut bad = input();
        bad.session_id = " ".into();
        bad.lines.push(AisleLineInput { sku: "X".into(), quantity: 0, source_location_id: "loc_c".into() });
        bad.customer_phone = None;
        bad.fulfilment = AisleFulfilmentInput { kind: "delivery".into(), ..Default::default() };
        bad.payments.clear();
        let found = fields(AisleOrder::parse(bad));
        for field in ["session_id", "lines[1].source_location_id", "customer", "fulfilment.address", "payments"] {
            assert!(found.iter().any(|f| f == field), "{field} missing from {found:?}");
        }
        assert!(found.iter().any(|f| f.starts_with("lines[1].quantity")), "{found:?}");
    }

    #[test]
    fn a_delivery_needs_its_address_and_the_tablet_takes_cash_or_card() {
        let mut delivery = input();
        delivery.fulfilment = AisleFulfilmentInput {
            kind: "delivery".into(),
            address: Some(DeliveryAddressInput {
                street: "Av. Providencia".into(),
                number: "".into(),
                district: "Providencia".into(),
                reference: None,
            }),
            ..Default::default()
        };
        delivery.payments[0].method = "external_card".into();
        let found = fields(AisleOrder::parse(delivery));
        assert!(found.contains(&"fulfilment.address.number".to_owned()), "{found:?}");
        assert!(found.contains(&"payments[0].method".to_owned()), "{found:?}");
    }

    #[test]
    fn store_credit_is_the_customers_unless_named_and_a_gift_card_needs_its_code() -> AppResult<()> {
        let mut credit = input();
        credit.customer_email = Some(" ana@example.cl ".into());
        credit.payments[0] =
            PaymentInput { method: "store_credit".into(), tendered: None, ..credit.payments[0].clone() };
        let order = AisleOrder::parse(credit.clone())?;
        assert_eq!(order.payments[0].reference.as_deref(), Some("ana@example.cl"), "the e-mail first");
        credit.payments[0].reference = Some("+56 2 2345 6789".into());
        let order = AisleOrder::parse(credit)?;
        assert_eq!(order.payments[0].reference.as_deref(), Some("+56 2 2345 6789"), "a named holder");
        let mut gift = input();
        gift.payments[0] = PaymentInput { method: "gift_card".into(), tendered: None, ..gift.payments[0].clone() };
        assert_eq!(fields(AisleOrder::parse(gift)), vec!["payments[0].reference".to_owned()]);
        Ok(())
    }
}
