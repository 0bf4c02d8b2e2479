//! Rows of the till's receipts: a till's network printer and the digital receipts' links.

/// The ESC/POS network printer a manager configured for a till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosPrinterRow {
    /// The till.
    pub device_id: String,
    /// Host name or IP address, as the manager typed it (checked by the outbound policy).
    pub host: String,
    /// TCP port (9100 for raw ESC/POS).
    pub port: i64,
    /// Who set it.
    pub updated_by: Option<String>,
    /// When.
    pub updated_at_ms: i64,
}

/// A digital receipt's link: the SHA-256 of its token, never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosDigitalReceiptRow {
    /// Hex SHA-256 of the token in the link.
    pub token_hash: String,
    /// The sale it shows.
    pub sale_id: String,
    /// Who made the link.
    pub created_by: Option<String>,
    /// When.
    pub created_at_ms: i64,
}
