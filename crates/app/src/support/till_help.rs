//! "Pedir ayuda" from the till, the server's side (issue 18 point 1): what the server knows
//! that the till may not, and the photo a store sends with its ticket.
//!
//! **What the server adds.** A till reports its own last printer error and card decline, but
//! it may have been reloaded since, or the failure may have happened on another path. So the
//! server remembers the last receipt print that failed on each till and the last card declined
//! at each store (one row each, overwritten: [`App::remember_print_failure`],
//! [`App::remember_decline`]), and a ticket opened from a till gets them in its context under
//! `server` — only those that exist, never invented empties. Remembering is best effort: a
//! failure to write it is logged and never turns the sale's or print's answer into a 500.
//!
//! **Photos.** A ticket's photo is checked by its bytes and size like a product photo, resized
//! on a blocking thread to the `large` size only (the desk looks at it, no page lays it out),
//! and kept in the database; whoever may read the ticket may add and read its photos, and
//! another merchant's ticket is not found.

use omnicanal_domain::pos::DeclineCode;
use omnicanal_store::{SupportTicketPhotoRow, TillFailureKind, TillFailureRow};

use super::tickets::OpenTicket;
use crate::App;
use crate::caller::Caller;
use crate::catalog::photo_images::PhotoSize;
use crate::catalog::photos::render_upload;
use crate::error::{AppError, AppResult};
use crate::ids::{new_id, rfc3339};

/// Most photos one ticket keeps: enough for a screen, a printer and a receipt, and a bound on
/// what one ticket can store.
pub const MAX_PHOTOS_PER_TICKET: i64 = 10;

/// A ticket's photo, as stored.
pub type TicketPhoto = SupportTicketPhotoRow;

fn failure_json(failure: &TillFailureRow, code_key: &str) -> serde_json::Value {
    serde_json::json!({
        code_key: failure.code,
        "message": failure.message,
        "at": rfc3339(failure.at_ms),
    })
}

/// Adds `server` (the till's last print failure, the store's last decline) to a context
/// object; a context that is not an object is left as it was.
fn with_server_part(context_json: &str, server: serde_json::Map<String, serde_json::Value>) -> String {
    let Ok(serde_json::Value::Object(mut context)) = serde_json::from_str::<serde_json::Value>(context_json) else {
        return context_json.to_owned();
    };
    context.insert("server".to_owned(), serde_json::Value::Object(server));
    serde_json::Value::Object(context).to_string()
}

impl App {
    /// Remembers that a receipt did not print on a till (best effort).
    pub async fn remember_print_failure(&self, device_id: &str, kind: &str, message: &str) {
        let failure = TillFailureRow {
            kind: TillFailureKind::Print,
            scope_id: device_id.to_owned(),
            code: kind.to_owned(),
            message: message.to_owned(),
            at_ms: self.now_ms(),
        };
        if let Err(error) = self.store.record_till_failure(&failure).await {
            tracing::warn!(device_id, %error, "a print failure could not be remembered for the desk");
        }
    }

    /// Remembers that a card was declined at a store (best effort).
    pub async fn remember_decline(&self, location_id: &str, code: DeclineCode) {
        let failure = TillFailureRow {
            kind: TillFailureKind::Decline,
            scope_id: location_id.to_owned(),
            code: code.as_str().to_owned(),
            message: AppError::CardDeclined { decline_code: code, next_step: code.next_step() }.to_string(),
            at_ms: self.now_ms(),
        };
        if let Err(error) = self.store.record_till_failure(&failure).await {
            tracing::warn!(location_id, %error, "a card decline could not be remembered for the desk");
        }
    }

    /// A till's ticket with what the server knows added under `server` in its context:
    /// `last_printer_error {kind, message, at}` of the till and `last_decline {code, message,
    /// at}` of the store, each only when there is one. A ticket without a till is unchanged.
    pub(crate) async fn with_server_context(&self, mut command: OpenTicket) -> AppResult<OpenTicket> {
        let Some(device_id) = command.device_id.as_deref() else { return Ok(command) };
        let mut server = serde_json::Map::new();
        if let Some(print) = self.store.last_till_failure(TillFailureKind::Print, device_id).await? {
            server.insert("last_printer_error".to_owned(), failure_json(&print, "kind"));
        }
        if let Some(decline) = self.store.last_till_failure(TillFailureKind::Decline, &command.location_id).await? {
            server.insert("last_decline".to_owned(), failure_json(&decline, "code"));
        }
        if !server.is_empty() {
            command.context_json = with_server_part(&command.context_json, server);
        }
        Ok(command)
    }

    /// Adds a photo to a ticket the caller may see: JPEG, PNG or WebP by its bytes, at most
    /// 5 MB, resized to the `large` size. At most [`MAX_PHOTOS_PER_TICKET`] (else 409).
    pub async fn add_support_ticket_photo(
        &self,
        caller: &Caller,
        ticket_id: &str,
        bytes: Vec<u8>,
    ) -> AppResult<TicketPhoto> {
        let ticket = self.support_ticket_row(caller, ticket_id).await?;
        let kept = self.store.list_support_ticket_photo_ids(&ticket.id).await?;
        if i64::try_from(kept.len()).unwrap_or(i64::MAX) >= MAX_PHOTOS_PER_TICKET {
            return Err(AppError::Conflict(format!("a ticket keeps at most {MAX_PHOTOS_PER_TICKET} photos")));
        }
        let rendered = render_upload(bytes).await?;
        let large = rendered
            .renditions
            .into_iter()
            .find(|rendition| rendition.size == PhotoSize::Large)
            .ok_or_else(|| AppError::internal("a photo was rendered without its large size"))?;
        let photo = SupportTicketPhotoRow {
            id: new_id("tph"),
            ticket_id: ticket.id,
            uploaded_by: caller.id.clone(),
            uploaded_ms: self.now_ms(),
            content_type: large.content_type.to_owned(),
            width: i64::from(large.width),
            height: i64::from(large.height),
            bytes: large.bytes,
        };
        self.store.insert_support_ticket_photo(&photo).await?;
        Ok(photo)
    }

    /// A ticket's photo, for a caller who may read the ticket.
    pub async fn support_ticket_photo(
        &self,
        caller: &Caller,
        ticket_id: &str,
        photo_id: &str,
    ) -> AppResult<TicketPhoto> {
        let ticket = self.support_ticket_row(caller, ticket_id).await?;
        self.store.get_support_ticket_photo(&ticket.id, photo_id).await?.ok_or(AppError::NotFound("photo"))
    }

    /// A ticket's photo ids, oldest first (the caller has already been allowed the ticket).
    pub(crate) async fn support_ticket_photo_ids(&self, ticket_id: &str) -> AppResult<Vec<String>> {
        Ok(self.store.list_support_ticket_photo_ids(ticket_id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_part_is_added_to_an_object_and_leaves_other_json_alone() {
        let mut server = serde_json::Map::new();
        server.insert("last_decline".to_owned(), serde_json::json!({"code": "05"}));
        let added = with_server_part(r#"{"device":{"id":"d"}}"#, server.clone());
        let value: serde_json::Value = serde_json::from_str(&added).unwrap_or_default();
        assert_eq!(value["server"]["last_decline"]["code"], "05");
        assert_eq!(value["device"]["id"], "d");
        assert_eq!(with_server_part("[1]", server), "[1]");
    }
}
