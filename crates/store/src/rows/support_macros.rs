//! The support desk's macros (issue 18 point 2), as stored: a canned answer's title and body
//! with `{placeholders}`, shared by the whole desk. The app decides who may write them.

/// One macro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportMacroRow {
    /// Id (`mac_…`).
    pub id: String,
    /// A short name agents pick it by.
    pub title: String,
    /// The text, with `{placeholders}` filled when inserted.
    pub body: String,
    /// The agent or admin who wrote it.
    pub created_by: String,
    /// Written at (Unix ms).
    pub created_ms: i64,
    /// Last changed at (Unix ms).
    pub updated_ms: i64,
}
