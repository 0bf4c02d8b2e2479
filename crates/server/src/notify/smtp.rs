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
//! without TLS, are refused — at start and again before each message, as a name's addresses may
//! change — unless `OMNICANAL_OUTBOUND_ALLOWED_HOSTS` names the host. Limit: lettre resolves the
//! name again when it connects, so unlike the HTTP client's, the check is not at connect time.

use std::sync::Arc;

use async_trait::async_trait;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use omnicanal_app::bookings::reminder_email::{EmailError, EmailSender, OutgoingEmail};
use omnicanal_app::outbound::OutboundPolicy;

use super::REQUEST_TIMEOUT;
use crate::config::NotifyConfig;

/// Sends e-mail through the configured SMTP server.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// `host:port`, for the policy and for logs (never the credentials).
    address: String,
    /// Whether the connection is encrypted (TLS or required STARTTLS).
    encrypted: bool,
    policy: Arc<OutboundPolicy>,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender").field("address", &self.address).finish_non_exhaustive()
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
        let tls = url.query_pairs().find(|(name, _)| name == "tls").map(|(_, value)| value.into_owned());
        let encrypted = match (url.scheme(), tls.as_deref()) {
            ("smtps", _) | ("smtp", Some("required")) => true,
            ("smtp", None | Some("opportunistic")) => false,
            _ => {
                return Err(
                    "OMNICANAL_SMTP_URL must start with smtp:// or smtps:// (tls= required or opportunistic)".into()
                );
            }
        };
        let host = url.host_str().filter(|host| !host.is_empty()).ok_or("OMNICANAL_SMTP_URL must name a host")?;
        let port = url.port().unwrap_or(if url.scheme() == "smtps" { 465 } else { 587 });
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(raw.expose())
            .map_err(|_| "OMNICANAL_SMTP_URL is not a URL lettre can connect with".to_owned())?
            .timeout(Some(REQUEST_TIMEOUT))
            .build();
        let sender = Self { transport, from, address: format!("{host}:{port}"), encrypted, policy };
        sender.check_policy_offline().map_err(|refusal| format!("OMNICANAL_SMTP_URL: {refusal}"))?;
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

    /// The whole policy before a message: the offline rules, then the name's addresses now.
    async fn check_policy(&self) -> Result<(), EmailError> {
        self.check_policy_offline().map_err(EmailError::Refused)?;
        let scheme = if self.encrypted { "https" } else { "http" };
        self.policy
            .resolve_and_check(&format!("{scheme}://{}/", self.address))
            .await
            .map(|_| ())
            .map_err(|refusal| EmailError::Refused(format!("SMTP host refused by the outbound policy: {refusal}")))
    }
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
        self.check_policy().await?;
        let message = message(&self.from, email)?;
        // lettre's timeout is per read and write; this bounds the whole conversation.
        let sent = tokio::time::timeout(REQUEST_TIMEOUT.saturating_mul(3), self.transport.send(message)).await;
        let Ok(sent) = sent else {
            return Err(EmailError::Transient(format!("SMTP to {}: timed out", self.address)));
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
