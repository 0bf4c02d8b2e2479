//! Rows of a ticket's photos and of the last till failures the server saw (issue 18 point 1).

/// A photo sent with a ticket, as one resized rendition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportTicketPhotoRow {
    /// Opaque id.
    pub id: String,
    /// The ticket it belongs to.
    pub ticket_id: String,
    /// Who sent it.
    pub uploaded_by: String,
    /// When.
    pub uploaded_ms: i64,
    /// The stored bytes' media type.
    pub content_type: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// The encoded image.
    pub bytes: Vec<u8>,
}

/// What failed: a print on a till, or a card at a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TillFailureKind {
    /// A receipt did not print; scoped by the till (device id).
    Print,
    /// A card was declined; scoped by the store (location id).
    Decline,
}

impl TillFailureKind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Print => "print",
            Self::Decline => "decline",
        }
    }
}

/// The last failure of one kind on one till or store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TillFailureRow {
    /// What failed.
    pub kind: TillFailureKind,
    /// The till (print) or store (decline).
    pub scope_id: String,
    /// A stable code: the print failure's kind (`refused`, `timeout`…) or the issuer's code.
    pub code: String,
    /// What the cashier was told.
    pub message: String,
    /// When.
    pub at_ms: i64,
}
