//! What the customer reads: the texts of each kind of notification, in her language.
//!
//! The texts live in the pages' message catalogs (`locales/<lang>.json`, keys `notify.*`), so
//! a translator finds every customer-facing text in one place and the order page shows the same
//! words as the push message; this module picks the row and fills its `{placeholders}`.
//! Spanish is the default language; a subscription made in English gets the English texts
//! (the language and the kinds of notification are the app's: `omnicanal_app::notifications`).

use omnicanal_domain::Money;
use omnicanal_domain::shipment::ShipmentStatus;

use crate::web::i18n::Lang;

pub use omnicanal_app::notifications::{Language, NotificationKind};

/// The facts a text is filled with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFacts {
    /// Why.
    pub kind: NotificationKind,
    /// The restaurant's (merchant's) name.
    pub restaurant: String,
    /// The part's pickup code.
    pub pickup_code: String,
    /// What was refunded for the part, when something was.
    pub refunded: Option<Money>,
}

/// A title and a body, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    /// The notification's title.
    pub title: String,
    /// Its text.
    pub body: String,
}

/// Which texts: the kind, refined by whether money was given back. Each row is a pair of keys
/// `notify.<row>.title` and `notify.<row>.body` in `locales/<lang>.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Ready,
    RejectedRefunded,
    RejectedNothingCharged,
    CancelledRefunded,
    CancelledNothingCharged,
    PickupReminder,
    NotAccepted,
    ShipmentPicked,
    ShipmentPacked,
    ShipmentShipped,
    ShipmentDelivered,
}

impl Row {
    #[cfg(test)]
    const ALL: [Row; 11] = [
        Row::Ready,
        Row::RejectedRefunded,
        Row::RejectedNothingCharged,
        Row::CancelledRefunded,
        Row::CancelledNothingCharged,
        Row::PickupReminder,
        Row::NotAccepted,
        Row::ShipmentPicked,
        Row::ShipmentPacked,
        Row::ShipmentShipped,
        Row::ShipmentDelivered,
    ];

    /// The middle of the row's catalog keys.
    fn key(self) -> &'static str {
        match self {
            Row::Ready => "ready",
            Row::RejectedRefunded => "rejected_refunded",
            Row::RejectedNothingCharged => "rejected_nothing_charged",
            Row::CancelledRefunded => "cancelled_refunded",
            Row::CancelledNothingCharged => "cancelled_nothing_charged",
            Row::PickupReminder => "pickup_reminder",
            Row::NotAccepted => "not_accepted",
            Row::ShipmentPicked => "shipment_picked",
            Row::ShipmentPacked => "shipment_packed",
            Row::ShipmentShipped => "shipment_shipped",
            Row::ShipmentDelivered => "shipment_delivered",
        }
    }
}

/// The pages' language of the same name, whose catalog holds the texts.
pub fn catalog(language: Language) -> Lang {
    match language {
        Language::Es => Lang::Es,
        Language::En => Lang::En,
    }
}

/// The texts for `facts` in `language`, from the message catalogs (`notify.*` keys), with
/// `{restaurant}`, `{code}` and `{amount}` filled.
pub fn render(facts: &MessageFacts, language: Language) -> Texts {
    let row = match (facts.kind, facts.refunded.is_some()) {
        (NotificationKind::Ready, _) => Row::Ready,
        (NotificationKind::Rejected, true) => Row::RejectedRefunded,
        (NotificationKind::Rejected, false) => Row::RejectedNothingCharged,
        (NotificationKind::Cancelled, true) => Row::CancelledRefunded,
        (NotificationKind::Cancelled, false) => Row::CancelledNothingCharged,
        (NotificationKind::PickupReminder, _) => Row::PickupReminder,
        (NotificationKind::NotAccepted, _) => Row::NotAccepted,
        // A pending shipment is never told (nothing moved); a cancelled one is the part's notice.
        (NotificationKind::Shipment(ShipmentStatus::Pending | ShipmentStatus::Picked), _) => Row::ShipmentPicked,
        (NotificationKind::Shipment(ShipmentStatus::Packed), _) => Row::ShipmentPacked,
        (NotificationKind::Shipment(ShipmentStatus::Shipped), _) => Row::ShipmentShipped,
        (NotificationKind::Shipment(ShipmentStatus::Delivered), _) => Row::ShipmentDelivered,
        (NotificationKind::Shipment(ShipmentStatus::Cancelled), true) => Row::CancelledRefunded,
        (NotificationKind::Shipment(ShipmentStatus::Cancelled), false) => Row::CancelledNothingCharged,
    };
    let lang = catalog(language);
    // The catalog's text as written (no arguments), then filled here in one pass, so a
    // restaurant called "{code}" stays as it is.
    let title = lang.text(&format!("notify.{}.title", row.key()), &[]);
    let body = lang.text(&format!("notify.{}.body", row.key()), &[]);
    let amount = facts.refunded.map(Money::display).unwrap_or_default();
    let values = [("restaurant", facts.restaurant.as_str()), ("code", facts.pickup_code.as_str()), ("amount", &amount)];
    Texts { title: fill(&title, &values), body: fill(&body, &values) }
}

/// Replaces each `{name}` in one pass, so a value that itself contains braces is never re-read.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| values.iter().find(|(name, _)| *name == &after[..close]).zip(Some(close)))
        {
            Some(((_, value), close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use omnicanal_domain::Currency;

    fn facts(kind: NotificationKind, refunded: Option<i64>) -> MessageFacts {
        MessageFacts {
            kind,
            restaurant: "Sushi {code} Go".into(),
            pickup_code: "4821".into(),
            refunded: refunded.map(|amount| Money::new(amount, Currency::Clp)),
        }
    }

    #[test]
    fn every_row_has_both_languages_in_the_catalogs() {
        for row in Row::ALL {
            for language in [Language::Es, Language::En] {
                for part in ["title", "body"] {
                    let key = format!("notify.{}.{part}", row.key());
                    let text = catalog(language).all().get(&key);
                    assert!(text.is_some_and(|text| !text.is_empty()), "{key} missing in {}", language.as_str());
                }
            }
        }
    }

    #[test]
    fn texts_are_filled_once() {
        let ready = render(&facts(NotificationKind::Ready, None), Language::Es);
        assert_eq!(ready.body, "Tu pedido de Sushi {code} Go está listo. Código 4821");
        let rejected = render(&facts(NotificationKind::Rejected, Some(12_990)), Language::Es);
        assert_eq!(rejected.body, "Sushi {code} Go no pudo preparar tu pedido; te devolvimos $12.990");
        let reminder = render(&facts(NotificationKind::PickupReminder, None), Language::En);
        assert_eq!(reminder.body, "Remember to pick up your order at Sushi {code} Go");
        let waiting = render(&facts(NotificationKind::NotAccepted, None), Language::Es);
        assert_eq!(waiting.title, "Tu pedido aún no fue aceptado");
        assert!(waiting.body.starts_with("Sushi {code} Go todavía no acepta tu pedido"), "{}", waiting.body);
        let waiting = render(&facts(NotificationKind::NotAccepted, None), Language::En);
        assert_eq!(waiting.title, "Your order is not accepted yet");
    }
}
