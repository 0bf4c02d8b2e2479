//! What a browser's `PushSubscription` must look like before it is stored.
//!
//! Each check returns the value in its stored form or a message for the field; the app's parse
//! of a subscription (`NewPushSubscription::parse`, through [`PushSubscriptionRules`]) turns
//! the messages into one 422 with every field at once. The endpoint must belong to a push
//! service on the allow-list ([`AllowedPushHosts`], `OMNICANAL_PUSH_ALLOWED_HOSTS`): the server
//! POSTs to it, so an arbitrary URL would let anyone make the server call any host.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use omnicanal_app::notifications::PushSubscriptionRules;

/// Longest endpoint accepted (those of the big push services are about 200 characters).
pub const MAX_ENDPOINT_CHARS: usize = 1_024;
/// Bytes of a P-256 public key as browsers send it (an uncompressed point).
pub const P256DH_BYTES: usize = 65;
/// Bytes of the auth secret (RFC 8291 §3.2).
pub const AUTH_BYTES: usize = 16;

/// The push services of the browsers people use (Chrome and Android, Firefox, Edge and
/// Windows, Safari and iOS): the allow-list when `OMNICANAL_PUSH_ALLOWED_HOSTS` is not set.
pub const DEFAULT_PUSH_HOSTS: &str =
    "fcm.googleapis.com,*.push.services.mozilla.com,*.notify.windows.com,web.push.apple.com,*.push.apple.com";
/// Most entries the allow-list may have.
pub const MAX_PUSH_HOSTS: usize = 64;

/// Which hosts push endpoints may name. An entry `host` allows that host and its subdomains
/// (over https); `*.host` allows only its subdomains. A loopback host (`127.0.0.1`, `::1`,
/// `localhost`) is allowed only when listed exactly, and only such a host may be reached over
/// plain `http` — the local receivers of tests and interop runs, never by a wildcard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedPushHosts {
    entries: Vec<HostEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct HostEntry {
    /// Lower-case host, without brackets for IPv6.
    host: String,
    /// `*.host`: subdomains only.
    subdomains_only: bool,
}

impl Default for AllowedPushHosts {
    fn default() -> Self {
        Self::parse(DEFAULT_PUSH_HOSTS).unwrap_or(Self { entries: Vec::new() })
    }
}

impl AllowedPushHosts {
    /// Parses a comma-separated list (`fcm.googleapis.com,*.push.apple.com,127.0.0.1`).
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        for raw in list.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
            let (subdomains_only, host) = match raw.strip_prefix("*.") {
                Some(rest) => (true, rest),
                None => (false, raw.strip_prefix('.').unwrap_or(raw)),
            };
            let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
            let fine = !host.is_empty()
                && host.len() <= 253
                && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
                && !host.starts_with('.')
                && !host.ends_with('.');
            if !fine {
                return Err(format!(
                    "OMNICANAL_PUSH_ALLOWED_HOSTS: {raw:?} is not a host name, `*.` and a host name, or an IP address"
                ));
            }
            entries.push(HostEntry { host, subdomains_only });
        }
        if entries.len() > MAX_PUSH_HOSTS {
            return Err(format!("OMNICANAL_PUSH_ALLOWED_HOSTS may list at most {MAX_PUSH_HOSTS} hosts"));
        }
        Ok(Self { entries })
    }

    /// The list as it would be configured, for logs and docs.
    pub fn describe(&self) -> String {
        let entries: Vec<String> = self
            .entries
            .iter()
            .map(|entry| if entry.subdomains_only { format!("*.{}", entry.host) } else { entry.host.clone() })
            .collect();
        entries.join(",")
    }

    /// Whether `url` may be pushed to: its scheme and host against the list.
    pub fn check(&self, url: &reqwest::Url) -> Result<(), String> {
        let host = url.host_str().unwrap_or_default();
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        let exact = self.entries.iter().any(|entry| !entry.subdomains_only && entry.host == host);
        let local = is_loopback(&host);
        let listed = exact
            || (!local
                && self
                    .entries
                    .iter()
                    .any(|entry| host.strip_suffix(entry.host.as_str()).is_some_and(|prefix| prefix.ends_with('.'))));
        match url.scheme() {
            "https" if listed => Ok(()),
            "http" if exact && local => Ok(()),
            "https" | "http" if !listed => Err(format!(
                "must be the URL of a known push service; {host} is not on the server's allow-list \
                 (OMNICANAL_PUSH_ALLOWED_HOSTS)"
            )),
            "http" => Err("must be https (http only to a loopback host the allow-list names exactly)".to_owned()),
            _ => Err("must be an https URL".to_owned()),
        }
    }
}

/// The push service URL: `https` (or `http` to an exactly listed host) to a host `allowed`
/// names, with no credentials in it.
pub fn check_endpoint(raw: &str, allowed: &AllowedPushHosts) -> Result<reqwest::Url, String> {
    if raw.chars().count() > MAX_ENDPOINT_CHARS {
        return Err(format!("must have at most {MAX_ENDPOINT_CHARS} characters"));
    }
    let url = reqwest::Url::parse(raw).map_err(|_| "must be an absolute URL".to_owned())?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".to_owned());
    }
    if url.host().is_none() {
        return Err("must name a host".to_owned());
    }
    allowed.check(&url)?;
    Ok(url)
}

/// `localhost` (and its subdomains) or a loopback address; `host` is bare and lower-case.
fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.ends_with(".localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Decodes base64url with or without padding (browsers send it without).
fn decode(raw: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(raw.trim_end_matches('=')).ok()
}

/// The browser's public key: a point on P-256, stored as unpadded base64url.
pub fn check_p256dh(raw: &str) -> Result<String, String> {
    let bytes = decode(raw).ok_or_else(|| "must be base64url".to_owned())?;
    if bytes.len() != P256DH_BYTES {
        return Err(format!("must decode to {P256DH_BYTES} bytes (an uncompressed P-256 point)"));
    }
    web_push_native::p256::PublicKey::from_sec1_bytes(&bytes).map_err(|_| "is not a point on P-256".to_owned())?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The auth secret: 16 bytes, stored as unpadded base64url.
pub fn check_auth(raw: &str) -> Result<String, String> {
    let bytes = decode(raw).ok_or_else(|| "must be base64url".to_owned())?;
    if bytes.len() != AUTH_BYTES {
        return Err(format!("must decode to {AUTH_BYTES} bytes"));
    }
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The adapter's rules for a new subscription: an endpoint on this allow-list, keys it can
/// encrypt for. (The app adds its own: the language and the page a click opens.)
impl PushSubscriptionRules for AllowedPushHosts {
    fn endpoint(&self, raw: &str) -> Result<String, String> {
        check_endpoint(raw, self).map(|url| url.to_string())
    }

    fn p256dh(&self, raw: &str) -> Result<String, String> {
        check_p256dh(raw)
    }

    fn auth(&self, raw: &str) -> Result<String, String> {
        check_auth(raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_default_only_the_known_push_services_are_allowed() {
        let known = AllowedPushHosts::default();
        assert_eq!(known.describe(), DEFAULT_PUSH_HOSTS);
        for good in [
            "https://fcm.googleapis.com/fcm/send/abc",
            "https://updates.push.services.mozilla.com/wpush/v2/x",
            "https://wns2-par02p.notify.windows.com/w/?token=x",
            "https://web.push.apple.com/QGx",
            "https://api.push.apple.com/3/device/x",
        ] {
            assert!(check_endpoint(good, &known).is_ok(), "{good}");
        }
        for bad in [
            "http://fcm.googleapis.com/fcm/send/abc",
            "https://push.services.mozilla.com/x",
            "https://evilfcm.googleapis.com.example/x",
            "https://notfcm.googleapis.com/x",
            "https://push.example/x",
            "http://127.0.0.1:9000/push",
            "https://127.0.0.1:9000/push",
            "http://localhost:8090/notify/x",
            "http://[::1]:8090/notify/x",
            "http://10.0.0.1/x",
            "https://user:pw@fcm.googleapis.com/x",
            "ftp://fcm.googleapis.com/x",
            "/relative",
        ] {
            assert!(check_endpoint(bad, &known).is_err(), "{bad}");
        }
        let long = format!("https://fcm.googleapis.com/{}", "a".repeat(MAX_ENDPOINT_CHARS));
        assert!(check_endpoint(&long, &known).is_err());
    }

    #[test]
    fn loopback_and_http_need_a_host_listed_exactly() {
        let local = AllowedPushHosts::parse("127.0.0.1, localhost,[::1]").unwrap_or_default();
        assert!(check_endpoint("http://127.0.0.1:9000/push", &local).is_ok());
        assert!(check_endpoint("http://localhost:8090/notify/x", &local).is_ok());
        assert!(check_endpoint("http://[::1]:8090/notify/x", &local).is_ok());
        assert!(check_endpoint("http://127.0.0.2:9000/push", &local).is_err(), "only the listed address");
        assert!(check_endpoint("https://fcm.googleapis.com/x", &local).is_err(), "the list replaces the default");
        let wildcard = AllowedPushHosts::parse("*.localhost,*.0.0.1").unwrap_or_default();
        assert!(check_endpoint("https://a.localhost/x", &wildcard).is_err(), "no loopback by wildcard");
        let suffix = AllowedPushHosts::parse("push.example").unwrap_or_default();
        assert!(check_endpoint("https://eu.push.example/x", &suffix).is_ok(), "a host allows its subdomains");
        assert!(check_endpoint("https://push.example/x", &suffix).is_ok());
        assert!(check_endpoint("http://eu.push.example/x", &suffix).is_err(), "http only to loopback");
        assert!(check_endpoint("http://push.example/x", &suffix).is_err(), "http only to loopback");
        for bad in ["https://x", "a b", "*.", "host/path", "..example"] {
            assert!(AllowedPushHosts::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(AllowedPushHosts::parse(" ,").map(|hosts| hosts.describe()), Ok(String::new()));
    }

    #[test]
    fn keys_have_their_lengths_and_p256dh_is_on_the_curve() {
        // A point from RFC 8291's example.
        let p256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
        assert_eq!(check_p256dh(p256dh).as_deref(), Ok(p256dh));
        assert!(check_p256dh(&format!("{p256dh}=")).is_ok(), "padding is tolerated");
        let mut off_curve = URL_SAFE_NO_PAD.decode(p256dh).unwrap_or_default();
        off_curve[64] ^= 1;
        assert!(check_p256dh(&URL_SAFE_NO_PAD.encode(off_curve)).is_err());
        assert!(check_p256dh("AAAA").is_err());
        assert!(check_p256dh("not base64!").is_err());
        assert_eq!(check_auth("BTBZMqHH6r4Tts7J_aSIgg").as_deref(), Ok("BTBZMqHH6r4Tts7J_aSIgg"));
        assert!(check_auth("BTBZMqHH6r4Tts7J").is_err());
    }
}
