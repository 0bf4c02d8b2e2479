//! Browsers' push subscriptions on an order, registered and removed by its customer.
//!
//! The customer proves the order is theirs with its tracking token (compared in constant
//! time); a wrong token is "no such order", so ids cannot be probed. A subscription is parsed
//! with the push adapter's rules ([`PushSubscriptionRules`]: which endpoints the server may
//! call, which keys it can encrypt for) and this module's own (language, the page a click
//! opens), every bad field reported at once.

use omnicanal_store::{OrderRecord, PushSubscriptionRow};

use super::language::Language;
use crate::App;
use crate::error::{AppError, AppResult};
use crate::ids::{constant_time_eq, new_id};
use crate::validation::Validator;

/// Subscriptions one order may have (a few phones and browsers of one party).
pub const MAX_SUBSCRIPTIONS_PER_ORDER: usize = 10;
/// Longest page path accepted for a click on the notification.
pub const MAX_OPEN_PATH_CHARS: usize = 1_024;

/// What the push adapter accepts: each check returns the value in its stored form, or a
/// message for the field.
pub trait PushSubscriptionRules {
    /// The push service URL: one the server may POST to.
    fn endpoint(&self, raw: &str) -> Result<String, String>;
    /// The browser's public key: one the adapter can encrypt for.
    fn p256dh(&self, raw: &str) -> Result<String, String>;
    /// The browser's auth secret.
    fn auth(&self, raw: &str) -> Result<String, String>;
}

/// A browser's subscription as sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct PushSubscriptionInput<'a> {
    /// The push service URL.
    pub endpoint: &'a str,
    /// The browser's P-256 public key (base64url).
    pub p256dh: &'a str,
    /// The browser's auth secret (base64url).
    pub auth: &'a str,
    /// `es` or `en`, when said.
    pub language: Option<&'a str>,
    /// The request's `Accept-Language`, for when the language is not said.
    pub accept_language: Option<&'a str>,
    /// The page to open on a click.
    pub open_path: Option<&'a str>,
}

/// A subscription, parsed: values in their stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPushSubscription {
    /// The push service URL.
    pub endpoint: String,
    /// The browser's public key (base64url without padding).
    pub p256dh: String,
    /// The browser's auth secret (base64url without padding).
    pub auth: String,
    /// The texts' language.
    pub language: Language,
    /// The path on this server a click opens.
    pub open_path: Option<String>,
}

impl NewPushSubscription {
    /// Parses a subscription with the adapter's `rules`, reporting every bad field at once.
    pub fn parse(input: PushSubscriptionInput<'_>, rules: &dyn PushSubscriptionRules) -> AppResult<Self> {
        let mut v = Validator::new();
        let endpoint = verdict(&mut v, "endpoint", rules.endpoint(input.endpoint));
        let p256dh = verdict(&mut v, "keys.p256dh", rules.p256dh(input.p256dh));
        let auth = verdict(&mut v, "keys.auth", rules.auth(input.auth));
        let language = match input.language {
            None => Some(Language::from_accept_language(input.accept_language)),
            Some(raw) => verdict(&mut v, "language", Language::parse(raw).ok_or_else(|| "must be es or en".to_owned())),
        };
        let open_path = input.open_path.map(|raw| verdict(&mut v, "url", check_open_path(raw)));
        v.done(|| {
            Some(Self {
                endpoint: endpoint?,
                p256dh: p256dh?,
                auth: auth?,
                language: language?,
                open_path: open_path.map(|path| path.unwrap_or_default()),
            })
        })
    }
}

/// The value of a check, or its message recorded under `field`.
fn verdict<T>(v: &mut Validator, field: &str, result: Result<T, String>) -> Option<T> {
    result.map_err(|message| v.push(field, message)).ok()
}

/// The page to open on a click: a path on this server (`/…`, not `//host`), printable ASCII.
pub fn check_open_path(raw: &str) -> Result<String, String> {
    let fine = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.starts_with("/\\")
        && raw.chars().count() <= MAX_OPEN_PATH_CHARS
        && raw.chars().all(|c| c.is_ascii_graphic());
    if fine {
        Ok(raw.to_owned())
    } else {
        Err(format!("must be a path on this server starting with / (at most {MAX_OPEN_PATH_CHARS} characters)"))
    }
}

impl App {
    /// Registers a browser's subscription on an order for its customer (`token`); the same
    /// endpoint again refreshes its keys and language. Past [`MAX_SUBSCRIPTIONS_PER_ORDER`] a
    /// new endpoint is a conflict.
    pub async fn subscribe_push(
        &self,
        order_id: &str,
        token: Option<&str>,
        subscription: NewPushSubscription,
    ) -> AppResult<PushSubscriptionRow> {
        let order = self.order_of_push_customer(order_id, token).await?;
        let existing = self.store.list_push_subscriptions(&order.order.id).await?;
        let known = existing.iter().any(|row| row.endpoint == subscription.endpoint);
        if !known && existing.len() >= MAX_SUBSCRIPTIONS_PER_ORDER {
            return Err(AppError::Conflict(format!(
                "an order may have at most {MAX_SUBSCRIPTIONS_PER_ORDER} push subscriptions"
            )));
        }
        let row = PushSubscriptionRow {
            id: new_id("psb"),
            order_id: order.order.id,
            endpoint: subscription.endpoint,
            p256dh: subscription.p256dh,
            auth: subscription.auth,
            language: subscription.language.as_str().to_owned(),
            open_path: subscription.open_path,
            created_at_ms: self.now_ms(),
        };
        Ok(self.store.upsert_push_subscription(&row).await?)
    }

    /// Removes a browser's subscription from an order for its customer (`token`); `endpoint`
    /// is required, and one the order does not have is `NotFound`.
    pub async fn unsubscribe_push(
        &self,
        order_id: &str,
        token: Option<&str>,
        endpoint: Option<String>,
    ) -> AppResult<()> {
        let order = self.order_of_push_customer(order_id, token).await?;
        let endpoint = endpoint
            .filter(|endpoint| !endpoint.is_empty())
            .ok_or_else(|| AppError::invalid("endpoint", "is required"))?;
        // Stored endpoints are normalised by URL parsing; look up the same form.
        let endpoint = url::Url::parse(&endpoint).map(|url| url.to_string()).unwrap_or(endpoint);
        if self.store.delete_push_subscription(&order.order.id, &endpoint).await? {
            Ok(())
        } else {
            Err(AppError::NotFound("push subscription"))
        }
    }

    /// The order, when `token` is its tracking token; `NotFound("order")` otherwise.
    async fn order_of_push_customer(&self, order_id: &str, token: Option<&str>) -> AppResult<OrderRecord> {
        let order = self.store.get_order(order_id).await?.ok_or(AppError::NotFound("order"))?;
        match token {
            Some(token) if constant_time_eq(token, &order.order.tracking_token) => Ok(order),
            _ => Err(AppError::NotFound("order")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rules that accept what starts with `ok`.
    struct Prefix;

    impl PushSubscriptionRules for Prefix {
        fn endpoint(&self, raw: &str) -> Result<String, String> {
            raw.starts_with("ok").then(|| raw.to_owned()).ok_or_else(|| "bad endpoint".to_owned())
        }
        fn p256dh(&self, raw: &str) -> Result<String, String> {
            self.endpoint(raw)
        }
        fn auth(&self, raw: &str) -> Result<String, String> {
            self.endpoint(raw)
        }
    }

    #[test]
    fn every_bad_field_is_reported_and_the_language_guessed_when_unsaid() {
        let input = PushSubscriptionInput {
            endpoint: "ok-endpoint",
            p256dh: "ok-key",
            auth: "ok-auth",
            accept_language: Some("en-GB"),
            ..PushSubscriptionInput::default()
        };
        let parsed = NewPushSubscription::parse(input, &Prefix).map(|subscription| subscription.language);
        assert_eq!(parsed.ok(), Some(Language::En));
        let bad = PushSubscriptionInput {
            endpoint: "x",
            auth: "y",
            language: Some("fr"),
            open_path: Some("//evil"),
            ..input
        };
        let Err(AppError::Invalid(errors)) = NewPushSubscription::parse(bad, &Prefix) else {
            panic!("must be refused")
        };
        let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
        assert_eq!(fields, ["endpoint", "keys.auth", "language", "url"]);
    }

    #[test]
    fn open_paths_stay_on_this_server() {
        assert!(check_open_path("/o/ord_1?token=abc").is_ok());
        for bad in ["https://evil.example/", "//evil.example/", "/\\evil.example", "/a b", "o/1", ""] {
            assert!(check_open_path(bad).is_err(), "{bad}");
        }
    }
}
