//! Phone orders: a location's staff (or its merchant's manager) takes an order over the phone
//! for pickup or delivery at a time, paid now by card or at pickup (on delivery), into the same
//! queue as every other order.
//!
//! Why a use case of its own: the `phone` channel says a person of the location took the order,
//! so reports can tell the counter's calls from the web; a public visitor placing an order
//! through [`App::place_order`] may not claim it. A phone order also needs the customer's phone
//! (the kitchen calls back when something is off), which a web order may leave out.

use omnicanal_domain::DomainError;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::delivery::{DeliveryAddress, FulfilmentKind};
use omnicanal_store::{HeldClaim, OrderRecord};

use super::command::{OrderInput, PlaceOrder};
use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult, FieldError};

/// Fewest digits a phone number may have (a local number without area code).
pub const MIN_PHONE_DIGITS: usize = 8;
/// Most digits a phone number may have (E.164).
pub const MAX_PHONE_DIGITS: usize = 15;

/// What is wrong with a phone order's phone, if anything: it is required, and must be
/// [`MIN_PHONE_DIGITS`] to [`MAX_PHONE_DIGITS`] digits written with spaces, dashes, dots or
/// parentheses, a `+` only in front.
pub fn phone_problem(raw: Option<&str>) -> Option<FieldError> {
    let problem = |message: String| Some(FieldError { field: "customer.phone".into(), message });
    let phone = raw.map(str::trim).unwrap_or_default();
    if phone.is_empty() {
        return problem("required for a phone order".into());
    }
    let body = phone.strip_prefix('+').unwrap_or(phone);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let written = body.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'));
    if !written || !(MIN_PHONE_DIGITS..=MAX_PHONE_DIGITS).contains(&digits) {
        return problem(format!(
            "must be a phone number of {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} digits (spaces, dashes, a leading +)"
        ));
    }
    None
}

/// A delivery address as the clerk typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryAddressInput {
    /// Street.
    pub street: String,
    /// House number, or "S/N".
    pub number: String,
    /// Commune or district.
    pub district: String,
    /// A reference for the rider.
    pub reference: Option<String>,
}

/// How a phone order reaches the customer, as sent: `fulfilment` (`pickup` when absent) and,
/// for a delivery, the address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhoneFulfilment {
    /// `pickup` or `delivery`.
    pub fulfilment: Option<String>,
    /// Where to deliver (required for a delivery, refused for a pickup).
    pub delivery_address: Option<DeliveryAddressInput>,
}

/// The delivery address a phone order's fulfilment names (None for a pickup), or every
/// problem with it, fields under `fulfilment` and `delivery_address.*`.
pub fn delivery_of(fulfilment: PhoneFulfilment) -> Result<Option<DeliveryAddress>, Vec<FieldError>> {
    let as_field = |problem: DomainError| match problem {
        DomainError::Invalid { field, message } => FieldError { field, message },
        other => FieldError { field: "delivery_address".into(), message: other.to_string() },
    };
    let kind = match fulfilment.fulfilment.as_deref().map(str::trim) {
        None | Some("") => FulfilmentKind::Pickup,
        Some(raw) => FulfilmentKind::parse(raw).map_err(|_| {
            vec![FieldError { field: "fulfilment".into(), message: "must be pickup or delivery".into() }]
        })?,
    };
    match (kind, fulfilment.delivery_address) {
        (FulfilmentKind::Pickup, None) => Ok(None),
        (FulfilmentKind::Pickup, Some(_)) => Err(vec![FieldError {
            field: "delivery_address".into(),
            message: "only a delivery has an address; set fulfilment to delivery".into(),
        }]),
        (FulfilmentKind::Delivery, None) => Err(vec![FieldError {
            field: "delivery_address".into(),
            message: "is required for a delivery: street, number and commune or district".into(),
        }]),
        (FulfilmentKind::Delivery, Some(address)) => {
            DeliveryAddress::parse(&address.street, &address.number, &address.district, address.reference.as_deref())
                .map(Some)
                .map_err(|problems| problems.into_iter().map(as_field).collect())
        }
    }
}

impl App {
    /// Places a phone order at a location the caller works (staff of it, its merchant's
    /// manager, an admin): the channel is `phone`, every line is the location's, and the site
    /// is the location's, whatever the input said. Every bad field is reported at once, the
    /// phone among them. Then it is placed exactly like any order (pay at pickup only where the
    /// location allows it, the pickup slot checked, the card authorised). A delivery carries
    /// its address, checked with the rest; its time is `pickup_at` (when it leaves the kitchen
    /// for the rider, as the display schedules it).
    pub async fn place_phone_order(
        &self,
        caller: &Caller,
        location_id: &str,
        mut input: OrderInput,
        fulfilment: PhoneFulfilment,
        idempotency: Option<HeldClaim>,
    ) -> AppResult<OrderRecord> {
        let location = self.workable_location(caller, location_id).await?;
        input.site_id = location.site_id.clone();
        input.channel = Channel::Phone.to_string();
        input.table = None;
        for line in &mut input.lines {
            line.location_id = location.id.clone();
        }
        let mut problems: Vec<FieldError> = phone_problem(input.customer_phone.as_deref()).into_iter().collect();
        let delivery = delivery_of(fulfilment).unwrap_or_else(|mut bad| {
            problems.append(&mut bad);
            None
        });
        input.customer_phone = input.customer_phone.map(|p| p.trim().to_owned());
        let mut order = match (PlaceOrder::parse(input), problems.is_empty()) {
            (Ok(order), true) => order,
            (Ok(_), false) => return Err(AppError::Invalid(problems)),
            (Err(AppError::Invalid(mut errors)), false) => {
                let at = errors.iter().position(|e| e.field.starts_with("lines")).unwrap_or(errors.len());
                errors.splice(at..at, problems);
                return Err(AppError::Invalid(errors));
            }
            (Err(error), _) => return Err(error),
        };
        order.delivery = delivery;
        self.place_checked_order(order, idempotency).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_order_needs_a_plausible_phone() {
        for good in ["+56 9 8765 4321", "(2) 2345-6789", "987654321", " +56.9.8765.4321 "] {
            assert!(phone_problem(Some(good)).is_none(), "{good}");
        }
        for bad in
            [None, Some(""), Some("   "), Some("12345"), Some("call me"), Some("9 8765 432x"), Some("56+987654321")]
        {
            assert_eq!(phone_problem(bad).map(|p| p.field), Some("customer.phone".into()), "{bad:?}");
        }
        assert!(phone_problem(Some("1234567890123456")).is_some(), "16 digits");
    }

    #[test]
    fn a_delivery_needs_its_address_and_a_pickup_none() {
        let address = || DeliveryAddressInput {
            street: "Av. Providencia".into(),
            number: "1234".into(),
            district: "Providencia".into(),
            reference: None,
        };
        let of = |kind: Option<&str>, address: Option<DeliveryAddressInput>| {
            delivery_of(PhoneFulfilment { fulfilment: kind.map(str::to_owned), delivery_address: address })
        };
        assert_eq!(of(None, None), Ok(None));
        assert!(matches!(of(Some("delivery"), Some(address())), Ok(Some(_))));
        let field = |result: Result<Option<DeliveryAddress>, Vec<FieldError>>| {
            result.err().map(|errors| errors.into_iter().map(|e| e.field).collect::<Vec<_>>())
        };
        assert_eq!(field(of(Some("drone"), None)), Some(vec!["fulfilment".into()]));
        assert_eq!(field(of(Some("delivery"), None)), Some(vec!["delivery_address".into()]));
        assert_eq!(field(of(Some("pickup"), Some(address()))), Some(vec!["delivery_address".into()]));
        let no_number = DeliveryAddressInput { number: "".into(), ..address() };
        assert_eq!(field(of(Some("delivery"), Some(no_number))), Some(vec!["delivery_address.number".into()]));
    }
}
