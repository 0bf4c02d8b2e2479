//! E-mail over SMTP (`lettre`), for booking reminders (issue 19 point 4): the server's
//! [`omnicanal_app::bookings::reminder_email::EmailSender`]. The app writes the message; this
//! only connects, sends and says whether a failure is worth another attempt.
//!
//! Configured by `OMNICANAL_SMTP_URL` and `OMNICANAL_SMTP_FROM` ([`crate::config::NotifyConfig`]):
//! `smtp://host:port` (plain, for a local sink or relay), `smtp://…?tls=required` (STARTTLS) or
//! `smtps://user:pass@host` (TLS; the web PKI's roots). The URL may hold the password, so it is
//! kept as a `Secret` and nothing here prints it: [`SmtpSender`]'s `Debug` shows the host only,
//! and lettre's errors are reduced to their kind and the server's answer.
//!
//! The outbound policy (contract v2, "Outbound calls") applies to the SMTP host as to a webhook:
//! a host that is, or resolves to, a loopback, private or link-local address, and plain SMTP
//! without TLS, are refused — at start, and again before each message — unless
//! `OMNICANAL_OUTBOUND_ALLOWED_HOSTS` names the host.
//!
//! The name is resolved once per message, here, and lettre is given the checked address rather
//! than the name: left to itself lettre would resolve the name again when it connects, and a
//! DNS answer that changed in between (a rebinding) would reach an address nobody checked. TLS
//! still verifies the certificate against the host *name* (lettre's `TlsParameters` take the
//! domain apart from the address), so pinning the address weakens nothing. A name with several
//! addresses has every one checked; they are tried in the resolver's order, the next only when
//! no TCP connection could be opened to the previous (so a message is never sent twice).

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use omnicanal_app::bookings::reminder_email::{EmailError, EmailSender, OutgoingEmail};
use omnicanal_app::outbound::{OutboundPolicy, RESOLVE_TIMEOUT};

use super::REQUEST_TIMEOUT;
use crate::config::NotifyConfig;

/// At most this many of a name's addresses are tried for one message.
const MAX_ADDRESSES_TRIED: usize = 4;

/// Finds a host's addresses: the system's resolver, or a test's fixed answer.
type Resolver =
    Arc<dyn Fn(String, u16) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>> + Send + Sync>;

/// Sends e-mail through the configured SMTP server.
pub struct SmtpSender {
    server: SmtpServer,
    from: Mailbox,
    /// `host:port`, for the policy and for logs (never the credentials).
    address: String,
    /// Whether the connection is encrypted (TLS or required STARTTLS).
    encrypted: bool,
    policy: Arc<OutboundPolicy>,
    resolver: Resolver,
}

/// Where and how to connect, read once from `OMNICANAL_SMTP_URL` the way lettre's `from_url`
/// reads it (scheme, `tls=`, port defaults, the path as the EHLO name, the credentials).
struct SmtpServer {
    /// The host as written: resolved before each message, and the name TLS verifies.
    host: String,
    port: u16,
    tls: TlsMode,
    hello_name: Option<String>,
    credentials: Option<Credentials>,
}

/// The URL's TLS choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TlsMode {
    /// `smtp://`: no TLS.
    None,
    /// `smtp://…?tls=opportunistic`: STARTTLS when offered.
    Opportunistic,
    /// `smtp://…?tls=required`: STARTTLS or fail.
    Required,
    /// `smtps://`: TLS from the first byte.
    Wrapper,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender").field("address", &self.address).finish_non_exhaustive()
    }
}

impl SmtpServer {
    /// The server the URL names; `None` for a scheme or `tls=` lettre does not know, or a
    /// password that is not valid percent-encoded UTF-8.
    fn from_url(url: &url::Url) -> Option<Self> {
        let tls = url.query_pairs().find(|(name, _)| name == "tls").map(|(_, value)| value.into_owned());
        // lettre's defaults: 25 for plain SMTP, 587 for STARTTLS, 465 for TLS.
        let (tls, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (TlsMode::None, 25),
            ("smtp", Some("opportunistic")) => (TlsMode::Opportunistic, 587),
            ("smtp", Some("required")) => (TlsMode::Required, 587),
            ("smtps", _) => (TlsMode::Wrapper, 465),
            _ => return None,
        };
        let host = match url.host()? {
            url::Host::Domain(name) => name.to_owned(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        let decode =
            |raw: &str| percent_encoding::percent_decode_str(raw).decode_utf8().ok().map(|text| text.into_owned());
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        let path = url.path().trim_matches('/');
        Some(Self {
            host,
            port: url.port().unwrap_or(default_port),
            tls,
            hello_name: (!path.is_empty()).then(|| path.to_owned()),
            credentials,
        })
    }

    /// A transport that connects to `ip` (already checked) and nowhere else, with TLS, if any,
    /// verifying the certificate against the host name.
    fn transport_to(&self, ip: IpAddr) -> Result<AsyncSmtpTransport<Tokio1Executor>, EmailError> {
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(ip.to_string())
            .port(self.port)
            .timeout(Some(REQUEST_TIMEOUT));
        let parameters = || {
            TlsParameters::new(self.host.clone())
                .map_err(|_| EmailError::Refused("the SMTP host is not a name TLS can verify".into()))
        };
        builder = match self.tls {
            TlsMode::None => builder.tls(Tls::None),
            TlsMode::Opportunistic => builder.tls(Tls::Opportunistic(parameters()?)),
            TlsMode::Required => builder.tls(Tls::Required(parameters()?)),
            TlsMode::Wrapper => builder.tls(Tls::Wrapper(parameters()?)),
        };
        if let Some(name) = &self.hello_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        if let Some(credentials) = &self.credentials {
            builder = builder.credentials(credentials.clone());
        }
        Ok(builder.build())
    }
}

impl SmtpSender {
    /// The sender for the configured server; `Ok(None)` when none is configured. The error
    /// names what is wrong without repeating the URL (it may hold the password).
    pub fn from_config(config: &NotifyConfig, policy: Arc<OutboundPolicy>) -> Result<Option<Self>, String> {
        let Some(raw) = &config.smtp_url else { return Ok(None) };
        let from = config
            .smtp_from
            .as_deref()
            .ok_or("OMNICANAL_SMTP_FROM is required with OMNICANAL_SMTP_URL")?
            .parse::<Mailbox>()
            .map_err(|_| "OMNICANAL_SMTP_FROM must be an e-mail address, e.g. Reservas <reservas@example.com>")?;
        let url = url::Url::parse(raw.expose())
            .map_err(|_| "OMNICANAL_SMTP_URL must be a URL: smtp://host:port or smtps://user:pass@host")?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err("OMNICANAL_SMTP_URL must name a host".into());
        }
        let server = SmtpServer::from_url(&url).ok_or(
            "OMNICANAL_SMTP_URL must start with smtp:// or smtps:// (tls= required or opportunistic), \
             its user and password percent-encoded",
        )?;
        let encrypted = server.tls != TlsMode::None && server.tls != TlsMode::Opportunistic;
        let address = match url.host() {
            Some(url::Host::Ipv6(ip)) => format!("[{ip}]:{}", server.port),
            _ => format!("{}:{}", server.host, server.port),
        };
        let resolver: Resolver = Arc::new(|host: String, port: u16| {
            Box::pin(async move {
                let found = tokio::net::lookup_host((host.as_str(), port)).await?;
                Ok(found.map(|address| address.ip()).collect())
            })
        });
        let sender = Self { server, from, address, encrypted, policy, resolver };
        sender.check_policy_offline().map_err(|refusal| format!("OMNICANAL_SMTP_URL: {refusal}"))?;
        // A transport can be refused only its TLS name: found out now rather than at the first
        // message (the address is a placeholder; nothing connects).
        sender
            .server
            .transport_to(IpAddr::from([0, 0, 0, 0]))
            .map_err(|_| "OMNICANAL_SMTP_URL: the host is not a name TLS can verify".to_owned())?;
        Ok(Some(sender))
    }

    /// What can be said without DNS: plain SMTP only to an allowed host, and no non-public IP
    /// literal nor loopback name unless allowed (the HTTP rules, with `smtps` for `https`).
    fn check_policy_offline(&self) -> Result<(), String> {
        let scheme = if self.encrypted { "https" } else { "http" };
        self.policy.check_url(&format!("{scheme}://{}/", self.address)).map(|_| ()).map_err(|refusal| match refusal {
            omnicanal_app::outbound::OutboundRefusal::PlainHttp => {
                "plain SMTP (no TLS) only to a host named in OMNICANAL_OUTBOUND_ALLOWED_HOSTS".to_owned()
            }
            other => other.message().to_owned(),
        })
    }

    /// The whole policy before a message: the offline rules, then the host resolved now and
    /// every address it has checked. The answer is where to connect — nothing else is.
    async fn checked_addresses(&self) -> Result<Vec<IpAddr>, EmailError> {
        self.check_policy_offline().map_err(EmailError::Refused)?;
        let lookup = tokio::time::timeout(RESOLVE_TIMEOUT, (self.resolver)(self.server.host.clone(), self.server.port));
        let mut addresses = match lookup.await {
            Ok(Ok(found)) => found,
            Ok(Err(_)) | Err(_) => Vec::new(),
        };
        addresses.dedup();
        self.policy
            .check_resolved(&self.server.host, &addresses)
            .map_err(|refusal| EmailError::Refused(format!("SMTP host refused by the outbound policy: {refusal}")))?;
        if addresses.is_empty() {
            // Only an allowed host gets here (the policy refuses an unresolved one).
            return Err(EmailError::Transient(format!("SMTP to {}: the host did not resolve", self.address)));
        }
        addresses.truncate(MAX_ADDRESSES_TRIED);
        Ok(addresses)
    }
}

/// Sends with each transport in turn, moving on only when no connection was opened; `None`
/// when there was none to try.
async fn send_in_turn(
    transports: &[AsyncSmtpTransport<Tokio1Executor>],
    message: &Message,
) -> Option<Result<(), lettre::transport::smtp::Error>> {
    let mut last = None;
    for transport in transports {
        match transport.send(message.clone()).await {
            Ok(_) => return Some(Ok(())),
            Err(error) if never_connected(&error) => last = Some(error),
            Err(error) => return Some(Err(error)),
        }
    }
    last.map(Err)
}

/// Whether lettre failed before a TCP connection was open (refused, unreachable, connect
/// timeout), so nothing was said to the server and the next address may be tried. lettre does
/// not expose its error kinds; its "Connection error" wording is pinned by a test below.
fn never_connected(error: &lettre::transport::smtp::Error) -> bool {
    error.status().is_none() && !error.is_tls() && error.to_string().starts_with("Connection error")
}

/// The MIME message: text and HTML as alternatives, the calendar file attached.
fn message(from: &Mailbox, email: &OutgoingEmail) -> Result<Message, EmailError> {
    let to: Mailbox =
        email.to.parse().map_err(|_| EmailError::Refused("the recipient is not an e-mail address".into()))?;
    let body = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
    let body = match &email.attachment {
        Some(file) => {
            let content_type = ContentType::parse(&file.content_type)
                .map_err(|_| EmailError::Refused("the attachment's type is not a MIME type".into()))?;
            let attachment = Attachment::new(file.filename.clone()).body(file.content.clone(), content_type);
            MultiPart::mixed().multipart(body).singlepart(attachment)
        }
        None => body,
    };
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .multipart(body)
        .map_err(|error| EmailError::Refused(format!("the message could not be built: {error}")))
}

#[async_trait]
impl EmailSender for SmtpSender {
    async fn send(&self, email: &OutgoingEmail) -> Result<(), EmailError> {
        let addresses = self.checked_addresses().await?;
        let message = message(&self.from, email)?;
        let transports =
            addresses.iter().map(|ip| self.server.transport_to(*ip)).collect::<Result<Vec<_>, EmailError>>()?;
        // lettre's timeout is per read and write; this bounds the whole conversation.
        let sent = tokio::time::timeout(REQUEST_TIMEOUT.saturating_mul(3), send_in_turn(&transports, &message)).await;
        let Ok(sent) = sent else {
            return Err(EmailError::Transient(format!("SMTP to {}: timed out", self.address)));
        };
        let Some(sent) = sent else {
            return Err(EmailError::Transient(format!("SMTP to {}: no address to connect to", self.address)));
        };
        match sent {
            Ok(_) => Ok(()),
            // A 5xx answer: the server will not take this message, however often it is sent.
            Err(error) if error.is_permanent() => {
                Err(EmailError::Refused(format!("the SMTP server refused the message: {}", describe(&error))))
            }
            Err(error) => Err(EmailError::Transient(format!("SMTP to {}: {}", self.address, describe(&error)))),
        }
    }
}

/// A lettre error told without its source chain (which could quote the connection URL).
fn describe(error: &lettre::transport::smtp::Error) -> String {
    match error.status() {
        Some(code) => format!("answer {code}"),
        None if error.is_timeout() => "timed out".to_owned(),
        None => "no SMTP answer".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn config(url: &str) -> NotifyConfig {
        NotifyConfig {
            smtp_url: Some(Secret::new(url)),
            smtp_from: Some("Reservas <reservas@example.com>".into()),
            ..NotifyConfig::default()
        }
    }

    fn strict() -> Arc<OutboundPolicy> {
        Arc::new(OutboundPolicy::strict())
    }

    #[test]
    fn private_hosts_and_plain_smtp_are_refused_unless_allowed() {
        for url in ["smtp://127.0.0.1:2525", "smtps://user:pw@10.0.0.5", "smtp://localhost:25?tls=required"] {
            let error = SmtpSender::from_config(&config(url), strict()).expect_err(url);
            assert!(!error.contains("pw"), "never the password: {error}");
        }
        let plain = SmtpSender::from_config(&config("smtp://mail.example.com:25"), strict()).expect_err("plain");
        assert!(plain.contains("plain SMTP"), "{plain}");
        let allowed = Arc::new(OutboundPolicy::parse("127.0.0.1").expect("a host list"));
        let sender = SmtpSender::from_config(&config("smtp://user:S3CRET@127.0.0.1:2525"), allowed).expect("allowed");
        assert!(sender.is_some());
        assert!(!format!("{sender:?}").contains("S3CRET"), "Debug never shows the password");
        assert!(SmtpSender::from_config(&config("smtps://smtp.example.com"), strict()).is_ok(), "TLS to a public host");
    }

    /// A resolver that answers `ips` for every name: the test decides what DNS says.
    fn resolving_to(ips: Vec<IpAddr>) -> Resolver {
        Arc::new(move |_, _| {
            let ips = ips.clone();
            Box::pin(async move { Ok(ips) })
        })
    }

    fn email() -> OutgoingEmail {
        OutgoingEmail {
            to: "ana@example.com".into(),
            subject: "Recordatorio".into(),
            text: "Hola".into(),
            html: "<p>Hola</p>".into(),
            attachment: None,
        }
    }

    fn sender(url: &str, policy: Arc<OutboundPolicy>, ips: Vec<IpAddr>) -> SmtpSender {
        let mut sender = SmtpSender::from_config(&config(url), policy).expect("valid").expect("configured");
        sender.resolver = resolving_to(ips);
        sender
    }

    const LOOPBACK: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[tokio::test]
    async fn a_name_that_resolves_to_a_forbidden_address_is_refused_without_connecting() {
        let listener = tokio::net::TcpListener::bind((LOOPBACK, 0)).await.expect("a port");
        let port = listener.local_addr().expect("its address").port();
        // A public-looking name whose DNS answer (now) is loopback: a rebinding.
        let rebound = sender(&format!("smtps://u:S3CRET@mail.example.com:{port}"), strict(), vec![LOOPBACK]);
        let refused = rebound.send(&email()).await;
        let Err(EmailError::Refused(why)) = &refused else { panic!("refused for good: {refused:?}") };
        assert!(why.contains("outbound policy") && !why.contains("S3CRET"), "{why}");
        let nobody = tokio::time::timeout(std::time::Duration::from_millis(300), listener.accept()).await;
        assert!(nobody.is_err(), "no connection was opened to the forbidden address");
    }

    #[tokio::test]
    async fn the_message_goes_to_the_checked_address_the_next_only_when_the_first_does_not_connect() {
        let listener = tokio::net::TcpListener::bind((LOOPBACK, 0)).await.expect("a port");
        let port = listener.local_addr().expect("its address").port();
        // Nothing listens at 127.0.0.2 on that port; the real DNS of mail.example.com is not
        // on loopback at all: reaching the listener means lettre used the addresses checked
        // here, in order, and looked nothing up again.
        let allowed = Arc::new(OutboundPolicy::parse("mail.example.com").expect("a host list"));
        let pinned = sender(
            &format!("smtp://mail.example.com:{port}"),
            allowed,
            vec![IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2)), LOOPBACK],
        );
        let server = async {
            let (mut stream, _) = listener.accept().await.expect("a connection");
            // Close with a 5xx greeting: the message is refused, the test has its answer.
            tokio::io::AsyncWriteExt::write_all(&mut stream, b"554 no service\r\n").await.expect("a greeting");
        };
        let email = email();
        let (sent, ()) = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            tokio::join!(pinned.send(&email), server)
        })
        .await
        .expect("the listener was reached");
        assert!(sent.is_err(), "the listener took no message: {sent:?}");
    }

    #[tokio::test]
    async fn a_closed_port_is_told_as_never_connected() {
        let listener = std::net::TcpListener::bind((LOOPBACK, 0)).expect("a port");
        let port = listener.local_addr().expect("its address").port();
        drop(listener);
        let allowed = Arc::new(OutboundPolicy::parse("127.0.0.1").expect("a host list"));
        let closed = sender(&format!("smtp://127.0.0.1:{port}"), allowed, vec![LOOPBACK]);
        let transport = closed.server.transport_to(LOOPBACK).expect("a transport");
        let error = transport.send(message(&closed.from, &email()).expect("a message")).await.expect_err("closed");
        assert!(never_connected(&error), "lettre's wording for a refused connection changed: {error}");
    }

    #[test]
    fn settings_that_are_wrong_are_named_without_the_url() {
        let mut no_from = config("smtps://u:S3CRET@smtp.example.com");
        no_from.smtp_from = None;
        assert!(SmtpSender::from_config(&no_from, strict()).expect_err("no from").contains("OMNICANAL_SMTP_FROM"));
        let error = SmtpSender::from_config(&config("http://u:S3CRET@smtp.example.com"), strict()).expect_err("http");
        assert!(!error.contains("S3CRET"), "{error}");
        assert!(SmtpSender::from_config(&NotifyConfig::default(), strict()).expect("off").is_none());
    }
}
