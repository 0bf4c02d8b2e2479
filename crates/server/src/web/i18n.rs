//! Message catalogs for the pages (and, apart, the till's: `pos.<lang>.json`): Spanish by default, English by `?lang=en`, a `lang` cookie or
//! `Accept-Language`. Every text a page shows comes from `locales/<lang>.json`; a template asks
//! for it with `t("key", name=value)`.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};

/// A language the pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Spanish, the default.
    Es,
    /// English.
    En,
}

type Catalog = HashMap<String, String>;

/// Merges catalog files: the customer pages' and the merchant console's (`console.<lang>.json`).
fn load(files: &[&str]) -> Catalog {
    files.iter().flat_map(|json| serde_json::from_str::<Catalog>(json).unwrap_or_default()).collect()
}

static SPANISH: LazyLock<Catalog> = LazyLock::new(|| {
    load(&[
        include_str!("../../locales/es.json"),
        include_str!("../../locales/console.es.json"),
        include_str!("../../locales/console-setup.es.json"),
        include_str!("../../locales/console-setup-edit.es.json"),
        include_str!("../../locales/console-pricing.es.json"),
        include_str!("../../locales/console-stock.es.json"),
        include_str!("../../locales/console-catalog.es.json"),
        include_str!("../../locales/console-photos.es.json"),
        include_str!("../../locales/console-audit.es.json"),
        include_str!("../../locales/console-connections.es.json"),
        include_str!("../../locales/console-pickup.es.json"),
        include_str!("../../locales/console-shipments.es.json"),
        include_str!("../../locales/console-credit.es.json"),
        include_str!("../../locales/shop.es.json"),
        include_str!("../../locales/console-variants.es.json"),
        include_str!("../../locales/support-reports.es.json"),
        include_str!("../../locales/console-support-sla.es.json"),
        // The knowledge base (issue 18 point 4).
        include_str!("../../locales/support-kb.es.json"),
        // The agents' console (issue 18 points 1-4).
        include_str!("../../locales/support-desk.es.json"),
        // Incidents in the reports and the incidents page (issue 18 points 4-6).
        include_str!("../../locales/support-incidents.es.json"),
        // The on-call rota and agents' alerts (issue 18 point 3).
        include_str!("../../locales/support-on-call.es.json"),
        // The staff's schedule of bookings (issue 19 point 5).
        include_str!("../../locales/console-bookings.es.json"),
        // The customer's booking pages (issue 19 point 5).
        include_str!("../../locales/bookings.es.json"),
        // Setting bookings up in the console (issue 19 points 1-4).
        include_str!("../../locales/console-booking-setup.es.json"),
    ])
});
static ENGLISH: LazyLock<Catalog> = LazyLock::new(|| {
    load(&[
        include_str!("../../locales/en.json"),
        include_str!("../../locales/console.en.json"),
        include_str!("../../locales/console-setup.en.json"),
        include_str!("../../locales/console-setup-edit.en.json"),
        include_str!("../../locales/console-pricing.en.json"),
        include_str!("../../locales/console-stock.en.json"),
        include_str!("../../locales/console-catalog.en.json"),
        include_str!("../../locales/console-photos.en.json"),
        include_str!("../../locales/console-audit.en.json"),
        include_str!("../../locales/console-connections.en.json"),
        include_str!("../../locales/console-pickup.en.json"),
        include_str!("../../locales/console-shipments.en.json"),
        include_str!("../../locales/console-credit.en.json"),
        include_str!("../../locales/shop.en.json"),
        include_str!("../../locales/console-variants.en.json"),
        include_str!("../../locales/support-reports.en.json"),
        include_str!("../../locales/console-support-sla.en.json"),
        // The knowledge base (issue 18 point 4).
        include_str!("../../locales/support-kb.en.json"),
        // The agents' console (issue 18 points 1-4).
        include_str!("../../locales/support-desk.en.json"),
        // Incidents in the reports and the incidents page (issue 18 points 4-6).
        include_str!("../../locales/support-incidents.en.json"),
        // The on-call rota and agents' alerts (issue 18 point 3).
        include_str!("../../locales/support-on-call.en.json"),
        // The staff's schedule of bookings (issue 19 point 5).
        include_str!("../../locales/console-bookings.en.json"),
        // The customer's booking pages (issue 19 point 5).
        include_str!("../../locales/bookings.en.json"),
        // Setting bookings up in the console (issue 19 points 1-4).
        include_str!("../../locales/console-booking-setup.en.json"),
    ])
});

/// The till's texts (`pos.<lang>.json`), kept apart so the other pages do not carry them.
static TILL_SPANISH: LazyLock<Catalog> = LazyLock::new(|| load(&[include_str!("../../locales/pos.es.json")]));
static TILL_ENGLISH: LazyLock<Catalog> = LazyLock::new(|| load(&[include_str!("../../locales/pos.en.json")]));

impl Lang {
    /// `es` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    fn parse(raw: &str) -> Option<Lang> {
        match raw.trim().get(..2).map(str::to_ascii_lowercase).as_deref() {
            Some("es") => Some(Lang::Es),
            Some("en") => Some(Lang::En),
            _ => None,
        }
    }

    /// The page's language: `?lang=`, else the `lang` cookie, else the first of `Accept-Language`
    /// that we speak, else Spanish.
    pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(lang) = query.and_then(Lang::parse) {
            return lang;
        }
        let cookie = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .find_map(|pair| pair.trim().strip_prefix("lang="))
            .and_then(Lang::parse);
        if let Some(lang) = cookie {
            return lang;
        }
        headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(',').find_map(|part| Lang::parse(part.split(';').next().unwrap_or(""))))
            .unwrap_or(Lang::Es)
    }

    fn catalog(self) -> &'static Catalog {
        match self {
            Lang::Es => &SPANISH,
            Lang::En => &ENGLISH,
        }
    }

    fn till_catalog(self) -> &'static Catalog {
        match self {
            Lang::Es => &TILL_SPANISH,
            Lang::En => &TILL_ENGLISH,
        }
    }

    /// The text for `key` with `{name}` placeholders filled; the key itself when missing.
    pub fn text(self, key: &str, args: &[(&str, String)]) -> String {
        let mut text =
            self.catalog().get(key).or_else(|| self.till_catalog().get(key)).cloned().unwrap_or_else(|| key.to_owned());
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// Every text of the catalog, for scripts that render on the client.
    pub fn all(self) -> &'static Catalog {
        self.catalog()
    }

    /// Every text of the till's catalog, for the till's script.
    pub fn till(self) -> &'static Catalog {
        self.till_catalog()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogs_have_the_same_keys() {
        let mut spanish: Vec<&String> = SPANISH.keys().collect();
        let mut english: Vec<&String> = ENGLISH.keys().collect();
        spanish.sort();
        english.sort();
        assert!(!spanish.is_empty());
        assert_eq!(spanish, english);
        let mut spanish: Vec<&String> = TILL_SPANISH.keys().collect();
        let mut english: Vec<&String> = TILL_ENGLISH.keys().collect();
        spanish.sort();
        english.sort();
        assert!(!spanish.is_empty());
        assert_eq!(spanish, english);
    }

    #[test]
    fn negotiation_prefers_query_then_cookie_then_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::negotiate(None, &headers), Lang::Es);
        headers.insert(ACCEPT_LANGUAGE, "en-US,en;q=0.9".parse().unwrap_or(axum::http::HeaderValue::from_static("")));
        assert_eq!(Lang::negotiate(None, &headers), Lang::En);
        headers.insert(COOKIE, axum::http::HeaderValue::from_static("a=b; lang=es"));
        assert_eq!(Lang::negotiate(None, &headers), Lang::Es);
        assert_eq!(Lang::negotiate(Some("en"), &headers), Lang::En);
        assert_eq!(Lang::En.text("order.tracker", &[("ready", "1".into()), ("total", "3".into())]), "1 of 3 ready");
    }
}
