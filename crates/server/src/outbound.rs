//! The one HTTP client for outbound calls to destinations others chose (webhook endpoints now,
//! shop connections next), built around the app's outbound policy
//! ([`omnicanal_app::outbound`]).
//!
//! - Its resolver checks every address a name resolves to before a connection is opened, so a
//!   DNS answer that changed since registration cannot reach inside (IP literals never reach a
//!   resolver: the app checks those before each call).
//! - It follows no redirect: a 3xx is the receiver's answer, not a new destination.
//! - It ignores `HTTP(S)_PROXY`: a proxy would resolve the name itself, out of the policy's sight.
//! - [`failure_text`] turns every error before an HTTP answer into one of two neutral phrases,
//!   so a delivery log cannot tell a closed port from a filtered one.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use omnicanal_app::outbound::{NO_HTTP_ANSWER, OutboundPolicy, OutboundRefusal, REFUSED_BY_POLICY};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// How long connecting may take, within the whole request's timeout.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A client that connects only where `policy` allows, follows no redirect and gives up after
/// `timeout`.
pub fn client(policy: Arc<OutboundPolicy>, timeout: Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(PolicyResolver { policy }))
        .build()
}

/// What the delivery log says about a request that got no HTTP answer: refused by the policy
/// (at connect time), or nothing more precise than "no HTTP answer".
pub fn failure_text(error: &reqwest::Error) -> &'static str {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if current.is::<OutboundRefusal>() {
            return REFUSED_BY_POLICY;
        }
        cause = current.source();
    }
    NO_HTTP_ANSWER
}

/// Resolves with the system's resolver, then lets the policy judge the addresses.
struct PolicyResolver {
    policy: Arc<OutboundPolicy>,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            // The port is filled in by the client; 0 is its placeholder.
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let addresses: Vec<IpAddr> = found.iter().map(SocketAddr::ip).collect();
            policy.check_resolved(&host, &addresses)?;
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_name_that_resolves_to_loopback_is_refused_at_connect_time_unless_named() {
        let strict = client(Arc::new(OutboundPolicy::strict()), Duration::from_secs(2)).expect("a client");
        // `localhost` resolves through the system's resolver (the hosts file) to loopback.
        let refused = strict.get("https://localhost:9/").send().await.expect_err("refused");
        assert_eq!(failure_text(&refused), REFUSED_BY_POLICY, "{refused:?}");

        let named = OutboundPolicy::parse("localhost").expect("a list");
        let allowed = client(Arc::new(named), Duration::from_secs(2)).expect("a client");
        // Port 9 (discard) is closed on loopback: the policy let it through, nobody answered.
        let unanswered = allowed.get("http://localhost:9/").send().await.expect_err("nobody listens");
        assert_eq!(failure_text(&unanswered), NO_HTTP_ANSWER, "{unanswered:?}");
    }
}
