//! Where the server may send data: the one policy for outbound calls — webhooks today, shop
//! connections next (contract v2, "Outbound calls").
//!
//! A URL registered by a merchant manager or an admin is a request for the server to POST signed
//! data somewhere. Left open, that is server-side request forgery: `http://127.0.0.1:…`,
//! `http://169.254.169.254/` (cloud metadata) or a private host would be reached from inside the
//! network. So a destination is refused when it uses plain `http://`, or when its host is — or
//! resolves to — an address that is not public ([`non_public_range`]: loopback, private,
//! link-local, unspecified, shared (CGNAT), unique-local, multicast, broadcast, reserved and
//! documentation ranges, and IPv4 hidden inside IPv6), unless `OMNICANAL_OUTBOUND_ALLOWED_HOSTS`
//! names the host exactly (the test suites name `127.0.0.1,localhost`).
//!
//! The check runs three times, because each one alone can be slipped past:
//! 1. at registration, [`OutboundPolicy::check_url`] and then [`OutboundPolicy::resolve_and_check`]
//!    (the name's addresses now);
//! 2. before each call, [`OutboundPolicy::check_url`] again: the allow-list may differ on the node
//!    that sends, and an IP literal never reaches a resolver;
//! 3. at connect time, inside the HTTP client's resolver, [`OutboundPolicy::check_resolved`] on
//!    the addresses it is about to connect to — a DNS answer that changed since registration
//!    (rebinding) cannot slip between a check and the connection.
//!
//! The client never follows redirects (a 3xx is the receiver's answer, not a new destination).
//! What a failed call is called is neutral: [`REFUSED_BY_POLICY`] or [`NO_HTTP_ANSWER`], never
//! "connection refused" apart from "timed out", which would map the network's ports.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use url::{Host, Url};

/// The variable that names the hosts exempt from the policy.
pub const ALLOWED_HOSTS_VAR: &str = "OMNICANAL_OUTBOUND_ALLOWED_HOSTS";
/// What the delivery log says when the policy stopped a call (before or at connect time).
pub const REFUSED_BY_POLICY: &str = "destination refused by the outbound policy";
/// What the delivery log says for every failure before an HTTP answer: DNS, connection, TLS,
/// timeout — alike, so the log cannot be used to scan ports.
pub const NO_HTTP_ANSWER: &str = "no HTTP answer";
/// The longest outbound URL accepted.
pub const MAX_URL_CHARS: usize = 2_000;
/// How long a name may take to resolve at registration.
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a destination is refused; [`OutboundRefusal::message`] is what the person is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundRefusal {
    /// Not an absolute `http(s)` URL with a host, or too long.
    NotHttpUrl,
    /// Plain `http://` to a host the allow-list does not name.
    PlainHttp,
    /// The host is, or resolves to, an address that is not public.
    NotPublic,
    /// The host name did not resolve (told alike with [`OutboundRefusal::NotPublic`], so the
    /// answer does not say which internal names exist).
    Unresolved,
}

impl OutboundRefusal {
    /// The message for the `url` field of a 422.
    pub fn message(self) -> &'static str {
        match self {
            Self::NotHttpUrl => "must be an absolute https URL with a host (at most 2000 characters)",
            Self::PlainHttp => "must use https (plain http only to a host named in OMNICANAL_OUTBOUND_ALLOWED_HOSTS)",
            Self::NotPublic | Self::Unresolved => {
                "must name a public host: one that resolves, and not to a loopback, private, link-local or \
                 unspecified address (unless OMNICANAL_OUTBOUND_ALLOWED_HOSTS names it)"
            }
        }
    }
}

impl std::fmt::Display for OutboundRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for OutboundRefusal {}

/// A URL that passed [`OutboundPolicy::check_url`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedUrl {
    /// The parsed URL.
    pub url: Url,
    /// Whether the allow-list names its host (then no address check applies).
    pub host_allowed: bool,
}

/// The outbound policy: which hosts are exempt (see the module documentation). Cheap to clone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    allowed: Vec<Host<String>>,
}

impl OutboundPolicy {
    /// A policy with no exemptions: only https to public hosts.
    pub fn strict() -> Self {
        Self::default()
    }

    /// Reads an allow-list: exact hosts, comma-separated (`127.0.0.1,localhost,[::1]`); empty
    /// entries are skipped. The error says which entry is not a host.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut allowed = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|entry| !entry.is_empty()) {
            let host = parse_host(entry).ok_or_else(|| {
                format!("{ALLOWED_HOSTS_VAR} names hosts, exactly (e.g. 127.0.0.1,localhost); {entry:?} is not one")
            })?;
            if !allowed.contains(&host) {
                allowed.push(host);
            }
        }
        Ok(Self { allowed })
    }

    /// The allow-list as a comma list (for logs and tests).
    pub fn describe(&self) -> String {
        self.allowed.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
    }

    /// Whether the allow-list names `host` exactly.
    pub fn allows(&self, host: &Host<String>) -> bool {
        self.allowed.contains(host)
    }

    /// Whether the allow-list names the host `name` (as a resolver sees it: a bare name, or an
    /// IP without brackets).
    pub fn allows_name(&self, name: &str) -> bool {
        parse_host(name).is_some_and(|host| self.allows(&host))
    }

    /// What can be decided without DNS: an absolute http(s) URL, https unless the host is
    /// allowed, and a host that is not a non-public IP literal nor a loopback name.
    pub fn check_url(&self, raw: &str) -> Result<CheckedUrl, OutboundRefusal> {
        if raw.chars().count() > MAX_URL_CHARS {
            return Err(OutboundRefusal::NotHttpUrl);
        }
        let url = Url::parse(raw.trim()).map_err(|_| OutboundRefusal::NotHttpUrl)?;
        let plain_http = match url.scheme() {
            "https" => false,
            "http" => true,
            _ => return Err(OutboundRefusal::NotHttpUrl),
        };
        let host = url.host().ok_or(OutboundRefusal::NotHttpUrl)?.to_owned();
        if self.allows(&host) {
            return Ok(CheckedUrl { url, host_allowed: true });
        }
        if plain_http {
            return Err(OutboundRefusal::PlainHttp);
        }
        let public = match &host {
            Host::Ipv4(ip) => non_public_range(IpAddr::V4(*ip)).is_none(),
            Host::Ipv6(ip) => non_public_range(IpAddr::V6(*ip)).is_none(),
            Host::Domain(name) => !is_loopback_name(name),
        };
        if !public {
            return Err(OutboundRefusal::NotPublic);
        }
        Ok(CheckedUrl { url, host_allowed: false })
    }

    /// The addresses a resolver found for `name`, judged: every one must be public unless the
    /// allow-list names `name`; none at all is [`OutboundRefusal::Unresolved`].
    pub fn check_resolved(&self, name: &str, addresses: &[IpAddr]) -> Result<(), OutboundRefusal> {
        if self.allows_name(name) {
            return Ok(());
        }
        if addresses.is_empty() {
            return Err(OutboundRefusal::Unresolved);
        }
        // One non-public answer refuses the host: a name that mixes public and internal
        // addresses is either misconfigured or an attempt to reach inside.
        if addresses.iter().any(|ip| non_public_range(*ip).is_some()) {
            return Err(OutboundRefusal::NotPublic);
        }
        Ok(())
    }

    /// [`OutboundPolicy::check_url`], then the host name resolved now and its addresses checked
    /// (for registration; the HTTP client checks again at each connection).
    pub async fn resolve_and_check(&self, raw: &str) -> Result<CheckedUrl, OutboundRefusal> {
        let checked = self.check_url(raw)?;
        let Some(Host::Domain(name)) = checked.url.host().map(|host| host.to_owned()) else {
            return Ok(checked);
        };
        if checked.host_allowed {
            return Ok(checked);
        }
        let port = checked.url.port_or_known_default().unwrap_or(443);
        let lookup = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((name.as_str(), port))).await;
        let addresses: Vec<IpAddr> = match lookup {
            Ok(Ok(found)) => found.map(|address| address.ip()).collect(),
            Ok(Err(_)) | Err(_) => Vec::new(),
        };
        self.check_resolved(&name, &addresses)?;
        Ok(checked)
    }
}

/// A host as an allow-list entry or a resolver names it: an IPv6 address with or without
/// brackets, an IPv4 address, or a domain (lower-cased). `None` for anything with a scheme,
/// port, path or space.
fn parse_host(entry: &str) -> Option<Host<String>> {
    if let Ok(ip) = entry.parse::<Ipv6Addr>() {
        return Some(Host::Ipv6(ip));
    }
    if entry.is_empty() || entry.contains(['/', '@', ' ', '?', '#']) {
        return None;
    }
    Host::parse(entry).ok()
}

/// `localhost` and its subdomains resolve to loopback on every system (RFC 6761), whatever DNS says.
fn is_loopback_name(name: &str) -> bool {
    let name = name.trim_end_matches('.');
    name == "localhost" || name.ends_with(".localhost")
}

/// The range an address belongs to when it is not a public unicast address (`None` when it is).
pub fn non_public_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    let range = match (a, b, c) {
        _ if ip.is_unspecified() => "unspecified",
        (0, _, _) => "this network (0.0.0.0/8)",
        (127, _, _) => "loopback",
        (10, _, _) => "private (10.0.0.0/8)",
        (172, 16..=31, _) => "private (172.16.0.0/12)",
        (192, 168, _) => "private (192.168.0.0/16)",
        (169, 254, _) => "link-local",
        (100, 64..=127, _) => "shared address space (100.64.0.0/10)",
        (192, 0, 0) => "IETF protocol assignments",
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => "documentation",
        (198, 18..=19, _) => "benchmarking",
        (224..=239, _, _) => "multicast",
        _ if ip.is_broadcast() => "broadcast",
        (240..=255, _, _) => "reserved",
        _ => return None,
    };
    Some(range)
}

fn non_public_v6(ip: Ipv6Addr) -> Option<&'static str> {
    // IPv4 carried inside IPv6 is judged as the IPv4 address it reaches.
    if let Some(v4) = embedded_ipv4(ip) {
        return non_public_v4(v4);
    }
    let segments = ip.segments();
    let first = segments[0];
    let range = match first {
        _ if ip.is_unspecified() => "unspecified",
        _ if ip.is_loopback() => "loopback",
        _ if first & 0xfe00 == 0xfc00 => "unique local (fc00::/7)",
        _ if first & 0xffc0 == 0xfe80 => "link-local (fe80::/10)",
        _ if first & 0xffc0 == 0xfec0 => "site-local (fec0::/10)",
        _ if first & 0xff00 == 0xff00 => "multicast",
        0x2001 if segments[1] == 0x0db8 => "documentation",
        0x0100 if segments[1..4] == [0, 0, 0] => "discard-only (100::/64)",
        _ => return None,
    };
    Some(range)
}

/// The IPv4 address an IPv6 one stands for: mapped (`::ffff:a.b.c.d`), compatible (`::a.b.c.d`),
/// NAT64 (`64:ff9b::a.b.c.d`, and the local-use `64:ff9b:1::/48` of RFC 8215, whose last 32
/// bits are the IPv4 address) or 6to4 (`2002:AABB:CCDD::`).
fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let o = ip.octets();
    match ip.segments() {
        // `::` and `::1` are not IPv4-compatible addresses; the caller names them.
        [0, 0, 0, 0, 0, 0, 0, 0 | 1] => None,
        [0, 0, 0, 0, 0, 0, _, _] | [0x64, 0xff9b, 0, 0, 0, 0, _, _] | [0x64, 0xff9b, 1, ..] => {
            Some(Ipv4Addr::new(o[12], o[13], o[14], o[15]))
        }
        [0x2002, ..] => Some(Ipv4Addr::new(o[2], o[3], o[4], o[5])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn testing() -> OutboundPolicy {
        OutboundPolicy::parse("127.0.0.1, LOCALHOST,,[::1]").unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn the_allow_list_names_exact_hosts() {
        assert_eq!(testing().describe(), "127.0.0.1,localhost,[::1]");
        assert!(testing().allows_name("::1") && testing().allows_name("localhost"));
        assert!(!testing().allows_name("sub.localhost") && !testing().allows_name("127.0.0.2"));
        for bad in ["http://127.0.0.1", "127.0.0.1:8080", "hooks.example/in", "a b"] {
            assert!(OutboundPolicy::parse(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(OutboundPolicy::parse(" ").map(|policy| policy.describe()), Ok(String::new()));
    }

    #[test]
    fn every_non_public_kind_of_literal_is_refused_and_public_ones_pass() {
        let strict = OutboundPolicy::strict();
        for url in [
            "https://127.0.0.1/hook",
            "https://127.1/hook",
            "https://2130706433/hook",
            "https://0x7f000001/hook",
            "https://localhost/hook",
            "https://api.localhost./hook",
            "https://[::1]/hook",
            "https://0.0.0.0/hook",
            "https://[::]/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://10.1.2.3/hook",
            "https://172.16.0.1/hook",
            "https://172.31.255.255/hook",
            "https://192.168.1.10/hook",
            "https://100.64.0.1/hook",
            "https://[fe80::1]/hook",
            "https://[fd12:3456::1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "https://[64:ff9b::a9fe:a9fe]/hook",
            "https://[64:ff9b:1::a00:1]/hook",
            "https://[2002:c0a8:0101::1]/hook",
            "https://224.0.0.1/hook",
            "https://255.255.255.255/hook",
            "https://[ff02::1]/hook",
            "https://192.0.2.1/hook",
            "https://[2001:db8::1]/hook",
        ] {
            assert_eq!(strict.check_url(url), Err(OutboundRefusal::NotPublic), "{url}");
        }
        for url in ["https://93.184.216.34/hook", "https://[2606:4700::1111]/hook", "https://hooks.example.com/in"] {
            assert!(strict.check_url(url).is_ok_and(|checked| !checked.host_allowed), "{url}");
        }
        assert!(strict.check_url("https://172.32.0.1/").is_ok(), "just outside 172.16.0.0/12");
        assert!(strict.check_url("https://100.128.0.1/").is_ok(), "just outside 100.64.0.0/10");
    }

    #[test]
    fn plain_http_and_other_schemes_are_refused_unless_the_host_is_named() {
        let strict = OutboundPolicy::strict();
        assert_eq!(strict.check_url("http://hooks.example.com/in"), Err(OutboundRefusal::PlainHttp));
        assert_eq!(strict.check_url("http://93.184.216.34/in"), Err(OutboundRefusal::PlainHttp));
        assert_eq!(strict.check_url("http://127.0.0.1:9/in"), Err(OutboundRefusal::PlainHttp));
        for bad in ["ftp://hooks.example", "/relative", "hooks.example", "mailto:a@b.c", "file:///etc/passwd"] {
            assert_eq!(strict.check_url(bad), Err(OutboundRefusal::NotHttpUrl), "{bad}");
        }
        let long = format!("https://hooks.example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert_eq!(strict.check_url(&long), Err(OutboundRefusal::NotHttpUrl));

        let testing = testing();
        for url in ["http://127.0.0.1:9/in", "http://localhost:9/in", "http://[::1]:9/in", "https://LocalHost/in"] {
            assert!(testing.check_url(url).is_ok_and(|checked| checked.host_allowed), "{url}");
        }
        // Exact: another loopback address or a subdomain is not named.
        assert_eq!(testing.check_url("http://127.0.0.2:9/in"), Err(OutboundRefusal::PlainHttp));
        assert_eq!(testing.check_url("https://127.0.0.2:9/in"), Err(OutboundRefusal::NotPublic));
        assert_eq!(testing.check_url("https://a.localhost/in"), Err(OutboundRefusal::NotPublic));
    }

    #[test]
    fn resolved_addresses_are_judged_all_together() {
        let strict = OutboundPolicy::strict();
        let public = IpAddr::V4(Ipv4Addr::new(93, 184, 216, 34));
        let internal = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 8));
        assert_eq!(strict.check_resolved("hooks.example.com", &[public]), Ok(()));
        assert_eq!(strict.check_resolved("hooks.example.com", &[public, internal]), Err(OutboundRefusal::NotPublic));
        assert_eq!(strict.check_resolved("hooks.example.com", &[]), Err(OutboundRefusal::Unresolved));
        assert_eq!(testing().check_resolved("localhost", &[IpAddr::V4(Ipv4Addr::LOCALHOST)]), Ok(()));
        assert_eq!(
            OutboundRefusal::NotPublic.message(),
            OutboundRefusal::Unresolved.message(),
            "whether an internal name exists is not told"
        );
    }

    #[tokio::test]
    async fn registration_resolves_names_but_not_allowed_hosts() {
        assert!(testing().resolve_and_check("http://localhost:9/in").await.is_ok());
        let refused = OutboundPolicy::strict().resolve_and_check("https://name-that-does-not-resolve.invalid/").await;
        assert_eq!(refused, Err(OutboundRefusal::Unresolved));
    }
}
