//! What the customer reads: the texts of each kind of notification, in her language.
//!
//! The texts live in the pages' message catalogs (`locales/<lang>.json`, keys `notify.*`), so
//! a translator finds every customer-facing text in one place and the order page shows the same
//! words as the push message; this module picks the row and fills its `{placeholders}`.
//! Spanish is the default language; a subscription made in English gets the English texts.

use omnicanal_domain::Money;

use crate::web::i18n::Lang;

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
    /// The restaurant has not accepted the part within the site's limit, and the site's policy
    /// is to tell the customer rather than cancel (`notify_only`).
    NotAccepted,
}

impl NotificationKind {
    /// The stable name sent to gateways and service workers.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Ready => "ready",
            NotificationKind::Rejected => "rejected",
            NotificationKind::Cancelled => "cancelled",
            NotificationKind::PickupReminder => "pickup_reminder",
            NotificationKind::NotAccepted => "not_accepted",
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
}

impl Row {
    #[cfg(test)]
    const ALL: [Row; 7] = [
        Row::Ready,
        Row::RejectedRefunded,
        Row::RejectedNothingCharged,
        Row::CancelledRefunded,
        Row::CancelledNothingCharged,
        Row::PickupReminder,
        Row::NotAccepted,
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
        }
    }
}

impl Language {
    /// The pages' language of the same name, whose catalog holds the texts.
    pub fn lang(self) -> Lang {
        match self {
            Language::Es => Lang::Es,
            Language::En => Lang::En,
        }
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
    };
    let lang = language.lang();
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
                    let text = language.lang().all().get(&key);
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

    #[test]
    fn accept_language_picks_english_only_when_asked() {
        assert_eq!(Language::from_accept_language(Some("en-US,en;q=0.9")), Language::En);
        assert_eq!(Language::from_accept_language(Some("fr-FR, en;q=0.5")), Language::En);
        assert_eq!(Language::from_accept_language(Some("es-CL")), Language::Es);
        assert_eq!(Language::from_accept_language(None), Language::Es);
    }
}
