//! Which purchases are a customer's: an order or till sale whose customer e-mail (normalised)
//! equals one of the account's verified e-mails, or whose phone is one of its verified phones.
//!
//! Phones are typed in many forms; a purchase's phone matches when, separators removed, it is
//! the account's E.164 form (with `+`, `00` or bare calling code) — or its national number
//! (with or without a trunk `0`) **and** the purchase was made at a site of the phone's
//! country, since `912345678` in Lima is not the Chilean `+56 9 1234 5678`. Orders claimed by
//! their tracking token join the account whatever they carry (the use cases add them).

use super::identity::{CustomerEmail, CustomerPhone, strip_separators};
use crate::catalog::Country;

/// The stored forms a phone may take in a purchase, for the store's query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneForms {
    /// Forms that match at any site: `+56912345678`, `0056912345678`, `56912345678`.
    pub international: Vec<String>,
    /// Forms that match only at a site of [`PhoneForms::country`]: `912345678`, `0912345678`.
    pub national: Vec<String>,
    /// The phone's country (no national forms without one).
    pub country: Option<Country>,
}

impl PhoneForms {
    /// Every form of `phone`.
    pub fn of(phone: &CustomerPhone) -> Self {
        let digits = phone.as_str().trim_start_matches('+');
        let international = vec![phone.as_str().to_owned(), format!("00{digits}"), digits.to_owned()];
        let national = phone.national().map(|n| vec![n.to_owned(), format!("0{n}")]).unwrap_or_default();
        Self { international, national, country: phone.country() }
    }
}

/// Whether a purchase with this customer e-mail and phone (as typed), made at a site of
/// `site_country`, belongs to an account with these verified identifiers.
pub fn purchase_is_theirs(
    emails: &[CustomerEmail],
    phones: &[CustomerPhone],
    purchase_email: Option<&str>,
    purchase_phone: Option<&str>,
    site_country: Country,
) -> bool {
    let email_matches =
        purchase_email.and_then(|raw| CustomerEmail::parse(raw).ok()).is_some_and(|email| emails.contains(&email));
    let phone_matches = purchase_phone.map(strip_separators).is_some_and(|typed| {
        phones.iter().any(|phone| {
            let forms = PhoneForms::of(phone);
            forms.international.contains(&typed)
                || (forms.country == Some(site_country) && forms.national.contains(&typed))
        })
    });
    email_matches || phone_matches
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> (Vec<CustomerEmail>, Vec<CustomerPhone>) {
        let email = CustomerEmail::parse("ana@mail.cl").ok().into_iter().collect();
        let phone = CustomerPhone::parse("+56912345678", None).ok().into_iter().collect();
        (email, phone)
    }

    #[test]
    fn the_same_email_in_any_case_is_theirs() {
        let (emails, phones) = account();
        assert!(purchase_is_theirs(&emails, &phones, Some(" ANA@mail.CL"), None, Country::Peru));
        assert!(!purchase_is_theirs(&emails, &phones, Some("ana2@mail.cl"), None, Country::Chile));
        assert!(!purchase_is_theirs(&emails, &phones, None, None, Country::Chile));
    }

    #[test]
    fn a_phone_matches_in_its_forms_and_national_ones_only_in_its_country() {
        let (emails, phones) = account();
        for typed in ["+56 9 1234 5678", "56912345678", "0056912345678"] {
            assert!(purchase_is_theirs(&emails, &phones, None, Some(typed), Country::Peru), "{typed}");
        }
        assert!(purchase_is_theirs(&emails, &phones, None, Some("9 1234 5678"), Country::Chile));
        assert!(purchase_is_theirs(&emails, &phones, None, Some("09-1234-5678"), Country::Chile));
        assert!(!purchase_is_theirs(&emails, &phones, None, Some("912345678"), Country::Peru));
        assert!(!purchase_is_theirs(&emails, &phones, None, Some("+56912345679"), Country::Chile));
    }
}
