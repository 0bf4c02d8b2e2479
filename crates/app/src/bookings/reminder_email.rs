//! Reminders by e-mail (issue 19 point 4): the message a reminder's `email` delivery sends, and
//! the port it is sent through. The app decides what the message says — the reminder's texts in
//! the customer's language with the start in the site's time zone (rendered when the reminder
//! was claimed), the location, the manage link and the booking's `.ics` — and the server's SMTP
//! adapter (`omnicanal_server::notify::smtp`, on `lettre`) only carries it, as the gateway and
//! Web Push adapters carry theirs.
//!
//! The message is built at each attempt, not stored: the manage link's token is derived again
//! then ([`super::manage_token`]), so no delivery row holds it. An attempt the server refuses for
//! good ([`EmailError::Refused`], a 5xx) is not retried; anything else is, with the reminder's
//! backoff, until the start — and a delivery once accepted is final, so it is never sent twice.

use async_trait::async_trait;
use omnicanal_store::BookingReminderJobRow;

use crate::App;
use crate::error::{AppError, AppResult};

/// A file attached to an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAttachment {
    /// The file name the customer sees, e.g. `reserva.ics`.
    pub filename: String,
    /// Its MIME type, e.g. `text/calendar; charset=utf-8; method=PUBLISH`.
    pub content_type: String,
    /// Its content.
    pub content: String,
}

/// One e-mail to one customer: a plain-text body and its HTML alternative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// The recipient's address.
    pub to: String,
    /// The subject, in the customer's language.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The same message as HTML.
    pub html: String,
    /// The booking's calendar file, when the manage token could be derived again.
    pub attachment: Option<EmailAttachment>,
}

/// Why an e-mail was not sent; the message never contains the server's credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Worth another attempt: no connection, a 4xx answer, a timeout, no SMTP on this node.
    #[error("{0}")]
    Transient(String),
    /// Not worth another attempt: the address or the message was refused (5xx), or the
    /// outbound policy refuses the SMTP host.
    #[error("{0}")]
    Refused(String),
}

/// Sends e-mail (the server's SMTP adapter; tests may put a fake here).
#[async_trait]
pub trait EmailSender: Send + Sync {
    /// Sends one message.
    async fn send(&self, email: &OutgoingEmail) -> Result<(), EmailError>;
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

/// The words around the reminder's own texts, in its language.
struct Wording {
    subject_prefix: &'static str,
    manage: &'static str,
    calendar: &'static str,
    filename: &'static str,
}

fn wording(language: &str) -> Wording {
    if language == "en" {
        Wording {
            subject_prefix: "Reminder",
            manage: "Change or cancel the booking",
            calendar: "The booking's calendar file is attached.",
            filename: "booking.ics",
        }
    } else {
        Wording {
            subject_prefix: "Recordatorio",
            manage: "Cambiar o cancelar la reserva",
            calendar: "Adjuntamos la reserva para tu calendario.",
            filename: "reserva.ics",
        }
    }
}

impl App {
    /// The e-mail of one `email` delivery, built now: `None` when the booking has no address
    /// any more. `public_url` (no trailing slash) makes the links absolute.
    pub async fn booking_reminder_email(
        &self,
        job: &BookingReminderJobRow,
        public_url: &str,
    ) -> AppResult<Option<OutgoingEmail>> {
        let booking = self.store.get_booking(&job.booking_id).await?.ok_or(AppError::NotFound("booking"))?;
        let Some(to) = booking.customer_email.clone().filter(|address| !address.trim().is_empty()) else {
            return Ok(None);
        };
        let payload: serde_json::Value = serde_json::from_str(&self.booking_reminder_payload(job).await?)
            .map_err(|_| AppError::internal("a reminder's payload is not JSON"))?;
        let field = |name: &str| payload[name].as_str().unwrap_or_default().to_owned();
        let words = wording(&field("language"));
        let (title, body) = (field("title"), field("body"));
        let token = self.rederived_manage_token(&booking);
        let public_url = public_url.trim_end_matches('/');
        let manage_url = match &token {
            Some(token) => format!("{public_url}{}", super::calendar::manage_path(&booking.id, token)),
            None => format!("{public_url}/reservas/{}", booking.id),
        };
        let attachment = match &token {
            Some(token) => Some(EmailAttachment {
                filename: words.filename.to_owned(),
                content_type: "text/calendar; charset=utf-8; method=PUBLISH".to_owned(),
                content: self.booking_calendar(&booking.id, token, public_url).await?,
            }),
            None => None,
        };
        let calendar_line = if attachment.is_some() { words.calendar } else { "" };
        let text = format!("{body}\n\n{}: {manage_url}\n\n{calendar_line}\n", words.manage).replace("\n\n\n", "\n");
        let html = format!(
            "<!doctype html><html><body><h1 style=\"font-size:1.2em\">{}</h1><p>{}</p>\
             <p><a href=\"{}\">{}</a></p><p>{}</p></body></html>",
            escape_html(&title),
            escape_html(&body),
            escape_html(&manage_url),
            escape_html(words.manage),
            escape_html(calendar_line),
        );
        Ok(Some(OutgoingEmail { to, subject: format!("{}: {title}", words.subject_prefix), text, html, attachment }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_and_the_words_follow_the_language() {
        assert_eq!(escape_html("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(wording("en").subject_prefix, "Reminder");
        assert_eq!(wording("es").filename, "reserva.ics");
        assert_eq!(wording("fr").subject_prefix, "Recordatorio", "Spanish first");
    }
}
