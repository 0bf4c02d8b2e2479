//! Phone orders: a location's staff (or its merchant's manager) takes an order over the phone
//! for pickup, paid now by card or at pickup, into the same queue as every other order.
//!
//! Why a use case of its own: the `phone` channel says a person of the location took the order,
//! so reports can tell the counter's calls from the web; a public visitor placing an order
//! through [`App::place_order`] may not claim it. A phone order also needs the customer's phone
//! (the kitchen calls back when something is off), which a web order may leave out.

use omnicanal_domain::channel::Channel;
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

impl App {
    /// Places a phone order at a location the caller works (staff of it, its merchant's
    /// manager, an admin): the channel is `phone`, every line is the location's, and the site
    /// is the location's, whatever the input said. Every bad field is reported at once, the
    /// phone among them. Then it is placed exactly like any order (pay at pickup only where the
    /// location allows it, the pickup slot checked, the card authorised).
    pub async fn place_phone_order(
        &self,
        caller: &Caller,
        location_id: &str,
        mut input: OrderInput,
        idempotency: Option<HeldClaim>,
    ) -> AppResult<OrderRecord> {
        let location = self.workable_location(caller, location_id).await?;
        input.site_id = location.site_id.clone();
        input.channel = Channel::Phone.to_string();
        input.table = None;
        for line in &mut input.lines {
            line.location_id = location.id.clone();
        }
        let phone = phone_problem(input.customer_phone.as_deref());
        input.customer_phone = input.customer_phone.map(|p| p.trim().to_owned());
        let order = match (PlaceOrder::parse(input), phone) {
            (Ok(order), None) => order,
            (Ok(_), Some(problem)) => return Err(AppError::Invalid(vec![problem])),
            (Err(AppError::Invalid(mut errors)), Some(problem)) => {
                let at = errors.iter().position(|e| e.field.starts_with("lines")).unwrap_or(errors.len());
                errors.insert(at, problem);
                return Err(AppError::Invalid(errors));
            }
            (Err(error), _) => return Err(error),
        };
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
}
