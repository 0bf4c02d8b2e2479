//! What the customer reads: one table of texts per kind of notification and language.
//!
//! Texts live here and nowhere else; the logic picks a row and fills its `{placeholders}`.
//! Spanish is the default language; a subscription made in English gets the English row.

use omnicanal_domain::Money;

/// The language of a notification's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Spanish, the default.
    Es,
    /// English.
    En,
}

impl Language {
    /// `es` or `en`, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Es => "es",
            Language::En => "en",
        }
    }

    /// Parses `es` or `en`; anything else is `None`.
    pub fn parse(raw: &str) -> Option<Language> {
        match raw {
            "es" => Some(Language::Es),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// The first of `es`/`en` an `Accept-Language` header names, else Spanish.
    pub fn from_accept_language(header: Option<&str>) -> Language {
        header
            .unwrap_or_default()
            .split(',')
            .filter_map(|range| range.split(';').next())
            .map(|tag| tag.trim().to_ascii_lowercase())
            .find_map(|tag| Language::parse(tag.split('-').next().unwrap_or_default()))
            .unwrap_or(Language::Es)
    }
}

/// Why the customer is notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    /// The part is waiting at the counter.
    Ready,
    /// The restaurant refused the part.
    Rejected,
    /// The part was cancelled (not accepted in time, or by the customer).
    Cancelled,
    /// The part has been ready for a while and is still not collected.
    PickupReminder,
}

impl NotificationKind {
    /// The stable name sent to gateways and service workers.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Ready => "ready",
            NotificationKind::Rejected => "rejected",
            NotificationKind::Cancelled => "cancelled",
            NotificationKind::PickupReminder => "pickup_reminder",
        }
    }
}

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

/// Which row of the table: the kind, refined by whether money was given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    Ready,
    RejectedRefunded,
    RejectedNothingCharged,
    CancelledRefunded,
    CancelledNothingCharged,
    PickupReminder,
}

/// `(row, language, title, body)`. Placeholders: `{restaurant}`, `{code}`, `{amount}`.
const MESSAGES: &[(Row, Language, &str, &str)] = &[
    (Row::Ready, Language::Es, "Tu pedido está listo", "Tu pedido de {restaurant} está listo. Código {code}"),
    (Row::Ready, Language::En, "Your order is ready", "Your order from {restaurant} is ready. Code {code}"),
    (
        Row::RejectedRefunded,
        Language::Es,
        "No pudimos preparar tu pedido",
        "{restaurant} no pudo preparar tu pedido; te devolvimos {amount}",
    ),
    (
        Row::RejectedRefunded,
        Language::En,
        "We could not prepare your order",
        "{restaurant} could not prepare your order; we refunded {amount}",
    ),
    (
        Row::RejectedNothingCharged,
        Language::Es,
        "No pudimos preparar tu pedido",
        "{restaurant} no pudo preparar tu pedido; no se te cobrará",
    ),
    (
        Row::RejectedNothingCharged,
        Language::En,
        "We could not prepare your order",
        "{restaurant} could not prepare your order; you will not be charged",
    ),
    (
        Row::CancelledRefunded,
        Language::Es,
        "Pedido cancelado",
        "Tu pedido de {restaurant} fue cancelado; te devolvimos {amount}",
    ),
    (
        Row::CancelledRefunded,
        Language::En,
        "Order cancelled",
        "Your order from {restaurant} was cancelled; we refunded {amount}",
    ),
    (
        Row::CancelledNothingCharged,
        Language::Es,
        "Pedido cancelado",
        "Tu pedido de {restaurant} fue cancelado; no se te cobrará",
    ),
    (
        Row::CancelledNothingCharged,
        Language::En,
        "Order cancelled",
        "Your order from {restaurant} was cancelled; you will not be charged",
    ),
    (Row::PickupReminder, Language::Es, "Tu pedido te espera", "Recuerda retirar tu pedido en {restaurant}"),
    (Row::PickupReminder, Language::En, "Your order is waiting", "Remember to pick up your order at {restaurant}"),
];

/// The texts for `facts` in `language`.
pub fn render(facts: &MessageFacts, language: Language) -> Texts {
    let row = match (facts.kind, facts.refunded.is_some()) {
        (NotificationKind::Ready, _) => Row::Ready,
        (NotificationKind::Rejected, true) => Row::RejectedRefunded,
        (NotificationKind::Rejected, false) => Row::RejectedNothingCharged,
        (NotificationKind::Cancelled, true) => Row::CancelledRefunded,
        (NotificationKind::Cancelled, false) => Row::CancelledNothingCharged,
        (NotificationKind::PickupReminder, _) => Row::PickupReminder,
    };
    let (title, body) = MESSAGES
        .iter()
        .find(|(candidate, lang, _, _)| *candidate == row && *lang == language)
        .map_or(("", ""), |(_, _, title, body)| (*title, *body));
    let amount = facts.refunded.map(Money::display).unwrap_or_default();
    let values = [("restaurant", facts.restaurant.as_str()), ("code", facts.pickup_code.as_str()), ("amount", &amount)];
    Texts { title: fill(title, &values), body: fill(body, &values) }
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
    fn every_row_has_both_languages() {
        for row in [
            Row::Ready,
            Row::RejectedRefunded,
            Row::RejectedNothingCharged,
            Row::CancelledRefunded,
            Row::CancelledNothingCharged,
            Row::PickupReminder,
        ] {
            for language in [Language::Es, Language::En] {
                assert_eq!(MESSAGES.iter().filter(|(r, l, _, _)| *r == row && *l == language).count(), 1);
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
    }

    #[test]
    fn accept_language_picks_english_only_when_asked() {
        assert_eq!(Language::from_accept_language(Some("en-US,en;q=0.9")), Language::En);
        assert_eq!(Language::from_accept_language(Some("fr-FR, en;q=0.5")), Language::En);
        assert_eq!(Language::from_accept_language(Some("es-CL")), Language::Es);
        assert_eq!(Language::from_accept_language(None), Language::Es);
    }
}
