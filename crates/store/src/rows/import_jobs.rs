//! CSV import jobs (issue 15 point 2): a file imported in the background, its progress and,
//! once done, its rejected rows — stored so that any node answers a poll about it.

/// One import job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJobRow {
    /// Opaque id (`imp_…`).
    pub id: String,
    /// `catalog` or `stock`.
    pub kind: String,
    /// The creator's merchant; `None` for a platform user's job (only platform users see it).
    pub merchant_id: Option<String>,
    /// Who uploaded the file.
    pub created_by: String,
    /// `running`, `done` or `failed`.
    pub state: String,
    /// Units of work: rows (stock) or products (catalog) once read; data rows before.
    pub total: i64,
    /// Units done so far.
    pub processed: i64,
    /// Rows applied (known when done).
    pub applied: i64,
    /// Rows rejected (known when done).
    pub rejected: i64,
    /// The rejected rows as JSON (`[{line, column, reason}]`), once done.
    pub rejected_json: Option<String>,
    /// Why the job failed as a whole.
    pub error: Option<String>,
    /// When the file was taken.
    pub created_at_ms: i64,
    /// Last progress written; a running job whose heartbeat stops was interrupted.
    pub updated_at_ms: i64,
}
