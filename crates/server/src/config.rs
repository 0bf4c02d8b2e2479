//! Typed configuration built from defaults, command-line flags and `OMNICANAL_*` variables.

use std::fmt;
use std::net::SocketAddr;

use axum::http::HeaderName;
use omnicanal_app::outbound::{ALLOWED_HOSTS_VAR, OutboundPolicy};

/// A secret string whose `Debug` output never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret value; call only where it is used, never to log.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// `sqlite://PATH` or `postgres://...`.
    pub database_url: String,
    /// E-mail of the first admin, created when the database has no users.
    pub admin_email: Option<String>,
    /// Password of the first admin.
    pub admin_password: Option<Secret>,
    /// Load the demo data set when the database is empty.
    pub demo: bool,
    /// Notifications to the customer's phone (Web Push, pickup reminders, a webhook gateway).
    pub notify: NotifyConfig,
    /// The base URL customers reach the server at (`OMNICANAL_PUBLIC_URL`, e.g.
    /// `https://food.example.cl`), printed in QR posters. `None`: `http://<listen address>` as
    /// bound, which only phones on the same network can open.
    pub public_url: Option<String>,
    /// Failed sign-ins one client address may make within 15 minutes before it is refused for
    /// a while (0: no limit by address; the limit per e-mail stays). `None`: read
    /// `OMNICANAL_LOGIN_IP_LIMIT` at start, default [`omnicanal_app::throttle::DEFAULT_IP_LIMIT`].
    pub login_ip_limit: Option<u32>,
    /// Hosts exempt from the outbound policy (webhooks, shop connections): a comma list of
    /// exact hosts, e.g. `127.0.0.1,localhost`. `None`: read `OMNICANAL_OUTBOUND_ALLOWED_HOSTS`
    /// at start (unset: no exemption, only https to public hosts).
    pub outbound_allowed_hosts: Option<String>,
    /// The header a trusted reverse proxy names the client's address in (e.g. `X-Forwarded-For`;
    /// the right-most entry counts). `Some("")`: none, the TCP peer is the client. `None`: read
    /// `OMNICANAL_TRUSTED_PROXY_HEADER` at start (unset: none).
    pub trusted_proxy_header: Option<String>,
    /// The key shop connections' credentials are sealed with: 32 bytes in base64. `None`: read
    /// `OMNICANAL_CREDENTIALS_KEY` at start; when that is unset too, a SQLite database file keeps
    /// its key in a file beside it (`<database>.credentials-key`, created on first start), and
    /// any other database gets a key for this process only (connections must then be given
    /// their credentials again after a restart: set the variable on every node).
    pub credentials_key: Option<String>,
    /// How often shops are polled for orders and looked at for edits in their admin. `None`:
    /// `OMNICANAL_SHOP_POLL_MS` and `OMNICANAL_SHOP_DRIFT_MS` at start, else 30 s and 60 s.
    pub connection_timing: Option<omnicanal_app::connections::engine::ConnectionTiming>,
}

impl Config {
    /// A configuration with defaults for everything but the database.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: database_url.into(),
            admin_email: None,
            admin_password: None,
            demo: false,
            notify: NotifyConfig::default(),
            public_url: None,
            login_ip_limit: None,
            outbound_allowed_hosts: None,
            trusted_proxy_header: None,
            credentials_key: None,
            connection_timing: None,
        }
    }

    /// The shop connections' timing (see [`Config::connection_timing`]); the error names the
    /// variable that is not a number of milliseconds.
    pub fn connection_timing(&self) -> Result<omnicanal_app::connections::engine::ConnectionTiming, String> {
        if let Some(timing) = self.connection_timing {
            return Ok(timing);
        }
        let mut timing = omnicanal_app::connections::engine::ConnectionTiming::default();
        let read = |name: &str, default: i64| -> Result<i64, String> {
            match std::env::var(name) {
                Ok(raw) if !raw.trim().is_empty() => raw
                    .trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|ms| (100..=86_400_000).contains(ms))
                    .ok_or_else(|| format!("{name} must be a number of milliseconds from 100 to 86400000")),
                _ => Ok(default),
            }
        };
        timing.poll_orders_ms = read("OMNICANAL_SHOP_POLL_MS", timing.poll_orders_ms)?;
        timing.drift_check_ms = read("OMNICANAL_SHOP_DRIFT_MS", timing.drift_check_ms)?;
        Ok(timing)
    }

    /// The credentials key (see [`Config::credentials_key`]); the error says what is wrong.
    pub fn credentials_key(&self) -> Result<omnicanal_app::connections::credentials::CredentialsKey, String> {
        use omnicanal_app::connections::credentials::CredentialsKey;
        let configured = self.credentials_key.clone().or_else(|| std::env::var("OMNICANAL_CREDENTIALS_KEY").ok());
        if let Some(text) = configured.filter(|text| !text.trim().is_empty()) {
            return CredentialsKey::from_base64(&text).ok_or_else(|| {
                "OMNICANAL_CREDENTIALS_KEY must be 32 bytes in base64 (openssl rand -base64 32)".into()
            });
        }
        let file = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))
            .map(|rest| rest.split('?').next().unwrap_or(rest))
            .filter(|path| !path.is_empty() && !path.contains(":memory:") && !path.starts_with("file::memory"));
        let Some(database_path) = file else {
            tracing::warn!(
                "OMNICANAL_CREDENTIALS_KEY is not set: shop connections' credentials are sealed with a key of this                  process only; set it on every node to keep them across restarts"
            );
            return Ok(CredentialsKey::random());
        };
        let key_path = format!("{database_path}.credentials-key");
        match std::fs::read_to_string(&key_path) {
            Ok(text) => CredentialsKey::from_base64(&text).ok_or_else(|| format!("{key_path} does not hold a key")),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let key = CredentialsKey::random();
                write_private(&key_path, &key.to_base64()).map_err(|error| format!("{key_path}: {error}"))?;
                Ok(key)
            }
            Err(error) => Err(format!("{key_path}: {error}")),
        }
    }

    /// The outbound policy: [`Config::outbound_allowed_hosts`] when set, else
    /// `OMNICANAL_OUTBOUND_ALLOWED_HOSTS`; the error names the entry that is not a host.
    pub fn outbound_policy(&self) -> Result<OutboundPolicy, String> {
        match &self.outbound_allowed_hosts {
            Some(hosts) => OutboundPolicy::parse(hosts),
            None => OutboundPolicy::parse(&std::env::var(ALLOWED_HOSTS_VAR).unwrap_or_default()),
        }
    }

    /// The trusted proxy's header: [`Config::trusted_proxy_header`] when set, else
    /// `OMNICANAL_TRUSTED_PROXY_HEADER`; empty is none. The error says what is wrong with it.
    pub fn trusted_proxy_header(&self) -> Result<Option<HeaderName>, String> {
        let raw = match &self.trusted_proxy_header {
            Some(name) => name.clone(),
            None => std::env::var(TRUSTED_PROXY_HEADER_VAR).unwrap_or_default(),
        };
        parse_trusted_proxy_header(&raw)
    }

    /// The failed sign-ins allowed per client address: [`Config::login_ip_limit`] when set,
    /// else `OMNICANAL_LOGIN_IP_LIMIT`, else [`omnicanal_app::throttle::DEFAULT_IP_LIMIT`]. The error
    /// says what is wrong with the variable.
    pub fn login_ip_limit(&self) -> Result<u32, String> {
        match self.login_ip_limit {
            Some(limit) => Ok(limit),
            None => parse_login_ip_limit(std::env::var(LOGIN_IP_LIMIT_VAR).ok().as_deref()),
        }
    }

    /// The public base URL without a trailing slash: [`Config::public_url`] once checked, else
    /// `http://` and the address the server is `bound` to (which knows the port when `listen`
    /// asked for port 0). The error says what is wrong with a configured URL.
    pub fn public_base_url(&self, bound: SocketAddr) -> Result<String, String> {
        let Some(configured) = self.public_url.as_deref() else {
            return Ok(format!("http://{bound}"));
        };
        let url = configured.trim().trim_end_matches('/');
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        let problem = match rest {
            _ if url.chars().count() > MAX_PUBLIC_URL_CHARS => {
                Some(format!("must have at most {MAX_PUBLIC_URL_CHARS} characters"))
            }
            None => Some("must start with https:// or http://".to_owned()),
            Some(rest) if rest.is_empty() || rest.starts_with('/') => Some("must name a host".to_owned()),
            Some(_) if !url.chars().all(|c| c.is_ascii_graphic()) => {
                Some("must be plain ASCII without spaces (write an international domain in punycode)".to_owned())
            }
            Some(_) if url.contains(['?', '#']) => Some("must not have a query or fragment".to_owned()),
            Some(_) => None,
        };
        match problem {
            Some(problem) => Err(format!("OMNICANAL_PUBLIC_URL {problem}, e.g. https://food.example.cl")),
            None => Ok(url.to_owned()),
        }
    }
}

/// The variable that sets [`Config::trusted_proxy_header`].
pub const TRUSTED_PROXY_HEADER_VAR: &str = "OMNICANAL_TRUSTED_PROXY_HEADER";

/// Reads a value of `OMNICANAL_TRUSTED_PROXY_HEADER`: an HTTP header name, or empty for none.
pub fn parse_trusted_proxy_header(raw: &str) -> Result<Option<HeaderName>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    HeaderName::from_bytes(raw.to_ascii_lowercase().as_bytes()).map(Some).map_err(|_| {
        format!("{TRUSTED_PROXY_HEADER_VAR} must be one HTTP header name (e.g. X-Forwarded-For), got {raw:?}")
    })
}

/// The variable that sets [`Config::login_ip_limit`].
pub const LOGIN_IP_LIMIT_VAR: &str = "OMNICANAL_LOGIN_IP_LIMIT";

/// Reads a value of `OMNICANAL_LOGIN_IP_LIMIT`: a whole number (0 turns the rule off); unset
/// or empty is the default.
pub fn parse_login_ip_limit(raw: Option<&str>) -> Result<u32, String> {
    match raw.map(str::trim).filter(|raw| !raw.is_empty()) {
        None => Ok(omnicanal_app::throttle::DEFAULT_IP_LIMIT),
        Some(raw) => raw.parse().map_err(|_| {
            format!("{LOGIN_IP_LIMIT_VAR} must be a whole number of failed sign-ins (0: no limit), got {raw:?}")
        }),
    }
}

/// A public URL longer than this would crowd the QR code with modules.
pub const MAX_PUBLIC_URL_CHARS: usize = 200;

/// The VAPID contact used when none is configured (set `OMNICANAL_VAPID_SUBJECT` in production:
/// push services use it to reach the operator).
pub const DEFAULT_VAPID_SUBJECT: &str = "mailto:webpush@example.com";
/// Minutes a part may wait `ready` before the customer is reminded, by default.
pub const DEFAULT_PICKUP_REMINDER_MINUTES: u32 = 15;
/// The longest reminder delay accepted: a day.
pub const MAX_PICKUP_REMINDER_MINUTES: u32 = 24 * 60;

/// How often due booking reminders are looked for, by default (milliseconds).
pub const DEFAULT_BOOKING_REMINDER_INTERVAL_MS: u64 = 30_000;
/// The intervals accepted for the booking reminder sender (milliseconds).
pub const BOOKING_REMINDER_INTERVAL_RANGE_MS: std::ops::RangeInclusive<u64> = 100..=3_600_000;

/// Notifications to the customer's phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyConfig {
    /// Where the signed webhook provider POSTs each notification (an SMS or WhatsApp gateway); off when `None`.
    pub webhook_url: Option<String>,
    /// The `whsec_` secret that signs those POSTs (Standard Webhooks); required with `webhook_url`.
    pub webhook_secret: Option<Secret>,
    /// Minutes a part may wait `ready` and not collected before the customer is reminded.
    pub pickup_reminder_minutes: u32,
    /// The VAPID `sub` claim: a `mailto:` or `https:` contact for push services.
    pub vapid_subject: String,
    /// Hosts a browser's push endpoint may name (`OMNICANAL_PUSH_ALLOWED_HOSTS`); by default the
    /// big browsers' push services. A loopback host only when listed exactly, and plain http
    /// only to such a host.
    pub push_allowed_hosts: crate::notify::subscription::AllowedPushHosts,
    /// How often due booking reminders are looked for (`OMNICANAL_BOOKING_REMINDER_INTERVAL_MS`,
    /// 100 ms to an hour; issue 19 point 4).
    pub booking_reminder_interval_ms: u64,
    /// The SMTP server booking reminders are e-mailed through (`OMNICANAL_SMTP_URL`:
    /// `smtp://host:port` plain, `smtp://…?tls=required` with STARTTLS, `smtps://user:pass@host`
    /// with TLS); off when `None`. A secret: the URL may hold the password.
    pub smtp_url: Option<Secret>,
    /// The sender of those e-mails (`OMNICANAL_SMTP_FROM`, e.g. `Reservas <reservas@example.com>`);
    /// required with `smtp_url`.
    pub smtp_from: Option<String>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            webhook_url: None,
            webhook_secret: None,
            pickup_reminder_minutes: DEFAULT_PICKUP_REMINDER_MINUTES,
            vapid_subject: DEFAULT_VAPID_SUBJECT.to_owned(),
            push_allowed_hosts: crate::notify::subscription::AllowedPushHosts::default(),
            booking_reminder_interval_ms: DEFAULT_BOOKING_REMINDER_INTERVAL_MS,
            smtp_url: None,
            smtp_from: None,
        }
    }
}

impl NotifyConfig {
    /// Reads `OMNICANAL_NOTIFY_WEBHOOK_URL`, `OMNICANAL_NOTIFY_WEBHOOK_SECRET`,
    /// `OMNICANAL_PICKUP_REMINDER_MINUTES`, `OMNICANAL_VAPID_SUBJECT` (which defaults to
    /// `mailto:` the first admin's e-mail when that is set) and `OMNICANAL_PUSH_ALLOWED_HOSTS`
    /// through `variable`, and validates them.
    pub fn from_env(variable: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let variable = |name: &str| variable(name).map(|value| value.trim().to_owned()).filter(|v| !v.is_empty());
        let mut config = NotifyConfig {
            webhook_url: variable("OMNICANAL_NOTIFY_WEBHOOK_URL"),
            webhook_secret: variable("OMNICANAL_NOTIFY_WEBHOOK_SECRET").map(Secret::new),
            smtp_url: variable("OMNICANAL_SMTP_URL").map(Secret::new),
            smtp_from: variable("OMNICANAL_SMTP_FROM"),
            ..NotifyConfig::default()
        };
        if let Some(minutes) = variable("OMNICANAL_PICKUP_REMINDER_MINUTES") {
            config.pickup_reminder_minutes = minutes.parse().map_err(|_| {
                format!("OMNICANAL_PICKUP_REMINDER_MINUTES must be a whole number of minutes, got {minutes:?}")
            })?;
        }
        if let Some(subject) = variable("OMNICANAL_VAPID_SUBJECT") {
            config.vapid_subject = subject;
        } else if let Some(email) = variable("OMNICANAL_ADMIN_EMAIL") {
            config.vapid_subject = format!("mailto:{email}");
        }
        if let Some(hosts) = variable("OMNICANAL_PUSH_ALLOWED_HOSTS") {
            config.push_allowed_hosts = crate::notify::subscription::AllowedPushHosts::parse(&hosts)?;
        }
        if let Some(interval) = variable("OMNICANAL_BOOKING_REMINDER_INTERVAL_MS") {
            config.booking_reminder_interval_ms = interval
                .parse()
                .ok()
                .filter(|ms| BOOKING_REMINDER_INTERVAL_RANGE_MS.contains(ms))
                .ok_or_else(|| {
                    format!(
                        "OMNICANAL_BOOKING_REMINDER_INTERVAL_MS must be 100 to 3600000 milliseconds, got {interval:?}"
                    )
                })?;
        }
        config.validate()?;
        Ok(config)
    }

    /// Checks the settings together; the message never contains the secret.
    pub fn validate(&self) -> Result<(), String> {
        if self.pickup_reminder_minutes > MAX_PICKUP_REMINDER_MINUTES {
            return Err(format!("OMNICANAL_PICKUP_REMINDER_MINUTES must be at most {MAX_PICKUP_REMINDER_MINUTES}"));
        }
        if !(self.vapid_subject.starts_with("mailto:") || self.vapid_subject.starts_with("https://")) {
            return Err("OMNICANAL_VAPID_SUBJECT must be a mailto: or https: URL".to_owned());
        }
        match (&self.webhook_url, &self.webhook_secret) {
            (None, None) => Ok(()),
            (Some(url), Some(secret)) => {
                let parsed = reqwest::Url::parse(url)
                    .map_err(|error| format!("OMNICANAL_NOTIFY_WEBHOOK_URL is not a URL: {error}"))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err("OMNICANAL_NOTIFY_WEBHOOK_URL must be an http(s) URL".to_owned());
                }
                if omnicanal_app::signing::secret_key(secret.expose()).is_none() {
                    return Err(
                        "OMNICANAL_NOTIFY_WEBHOOK_SECRET must be a whsec_ secret (16 to 64 bytes in base64)".to_owned()
                    );
                }
                Ok(())
            }
            (Some(_), None) => Err("OMNICANAL_NOTIFY_WEBHOOK_URL needs OMNICANAL_NOTIFY_WEBHOOK_SECRET".to_owned()),
            (None, Some(_)) => {
                Err("OMNICANAL_NOTIFY_WEBHOOK_SECRET is set without OMNICANAL_NOTIFY_WEBHOOK_URL".to_owned())
            }
        }
    }
}

#[cfg(test)]
mod notify_config_tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<NotifyConfig, String> {
        NotifyConfig::from_env(|name| pairs.iter().find(|(key, _)| *key == name).map(|(_, value)| (*value).to_owned()))
    }

    #[test]
    fn notification_settings_default_and_validate() {
        assert_eq!(from(&[]), Ok(NotifyConfig::default()));
        let admin = from(&[("OMNICANAL_ADMIN_EMAIL", "ops@mall.cl"), ("OMNICANAL_PICKUP_REMINDER_MINUTES", "5")]);
        assert_eq!(admin.as_ref().map(|c| c.vapid_subject.as_str()), Ok("mailto:ops@mall.cl"));
        assert_eq!(admin.map(|c| c.pickup_reminder_minutes), Ok(5));
        assert!(from(&[("OMNICANAL_PICKUP_REMINDER_MINUTES", "soon")]).is_err());
        assert!(from(&[("OMNICANAL_PICKUP_REMINDER_MINUTES", "100000")]).is_err());
        assert!(from(&[("OMNICANAL_VAPID_SUBJECT", "ops@mall.cl")]).is_err());
        assert!(from(&[("OMNICANAL_NOTIFY_WEBHOOK_URL", "https://sms.example/hook")]).is_err());
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let url = "https://sms.example/hook";
        let hook = from(&[("OMNICANAL_NOTIFY_WEBHOOK_URL", url), ("OMNICANAL_NOTIFY_WEBHOOK_SECRET", secret)]);
        assert!(hook.is_ok());
        assert!(!format!("{hook:?}").contains("MfKQ9r8"), "the secret never shows in Debug");
        let bad = from(&[("OMNICANAL_NOTIFY_WEBHOOK_URL", "ftp://x"), ("OMNICANAL_NOTIFY_WEBHOOK_SECRET", secret)]);
        assert!(bad.is_err());
        let weak = from(&[("OMNICANAL_NOTIFY_WEBHOOK_URL", url), ("OMNICANAL_NOTIFY_WEBHOOK_SECRET", "hunter2")]);
        assert!(weak.is_err());
    }

    #[test]
    fn push_hosts_default_to_the_push_services_and_can_be_replaced() {
        use crate::notify::subscription::DEFAULT_PUSH_HOSTS;
        assert_eq!(from(&[]).map(|c| c.push_allowed_hosts.describe()).as_deref(), Ok(DEFAULT_PUSH_HOSTS));
        let local = from(&[("OMNICANAL_PUSH_ALLOWED_HOSTS", "127.0.0.1, localhost")]);
        assert_eq!(local.map(|c| c.push_allowed_hosts.describe()).as_deref(), Ok("127.0.0.1,localhost"));
        assert!(from(&[("OMNICANAL_PUSH_ALLOWED_HOSTS", "https://push.example/")]).is_err());
    }
}

#[cfg(test)]
mod login_ip_limit_tests {
    use super::*;

    #[test]
    fn the_login_ip_limit_defaults_to_twenty_and_zero_turns_it_off() {
        assert_eq!(parse_login_ip_limit(None), Ok(omnicanal_app::throttle::DEFAULT_IP_LIMIT));
        assert_eq!(parse_login_ip_limit(Some(" ")), Ok(20));
        assert_eq!(parse_login_ip_limit(Some("0")), Ok(0));
        assert_eq!(parse_login_ip_limit(Some(" 100 ")), Ok(100));
        for bad in ["-1", "twenty", "1.5"] {
            assert!(parse_login_ip_limit(Some(bad)).is_err(), "{bad} should be refused");
        }
        let mut config = Config::new("sqlite://test.db");
        config.login_ip_limit = Some(3);
        assert_eq!(config.login_ip_limit(), Ok(3), "a value set in code wins over the variable");
    }

    #[test]
    fn the_trusted_proxy_header_is_a_header_name_or_nothing() {
        assert_eq!(parse_trusted_proxy_header(" "), Ok(None));
        let named = parse_trusted_proxy_header(" X-Forwarded-For ");
        assert_eq!(named.map(|name| name.map(|name| name.as_str().to_owned())), Ok(Some("x-forwarded-for".into())));
        assert!(parse_trusted_proxy_header("X Forwarded").is_err());
        let mut config = Config::new("sqlite://test.db");
        config.trusted_proxy_header = Some(String::new());
        assert_eq!(config.trusted_proxy_header(), Ok(None), "set in code: the variable is not read");
        config.outbound_allowed_hosts = Some("127.0.0.1, localhost".into());
        assert_eq!(config.outbound_policy().map(|policy| policy.describe()).as_deref(), Ok("127.0.0.1,localhost"));
        config.outbound_allowed_hosts = Some("http://127.0.0.1".into());
        assert!(config.outbound_policy().is_err());
    }
}

#[cfg(test)]
mod public_url_tests {
    use super::*;

    fn with_public_url(url: Option<&str>) -> Config {
        let mut config = Config::new("sqlite://test.db");
        config.public_url = url.map(str::to_owned);
        config
    }

    #[test]
    fn public_url_defaults_to_the_bound_address() {
        let bound = SocketAddr::from(([127, 0, 0, 1], 43_210));
        assert_eq!(with_public_url(None).public_base_url(bound).as_deref(), Ok("http://127.0.0.1:43210"));
    }

    #[test]
    fn public_url_is_checked_and_loses_its_trailing_slash() {
        let bound = SocketAddr::from(([127, 0, 0, 1], 8080));
        let checked = |url: &str| with_public_url(Some(url)).public_base_url(bound);
        assert_eq!(checked("https://food.example.cl/").as_deref(), Ok("https://food.example.cl"));
        assert_eq!(checked("http://10.0.0.5:8080/patio").as_deref(), Ok("http://10.0.0.5:8080/patio"));
        for bad in ["food.example.cl", "ftp://food.example.cl", "https://", "https:///x", "https://a b.cl"] {
            assert!(checked(bad).is_err(), "{bad} should be refused");
        }
        assert!(checked("https://food.example.cl/?x=1").is_err());
        assert!(checked(&format!("https://{}.cl", "a".repeat(MAX_PUBLIC_URL_CHARS))).is_err());
    }
}

/// Writes a file only its owner may read (the credentials key).
fn write_private(path: &str, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())
}
