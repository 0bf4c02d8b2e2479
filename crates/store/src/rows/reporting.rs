//! Rows of the dashboard's reporting queries: sales and parts added up in SQL per hour,
//! channel, merchant and product, and the refused parts per reason. Kept apart from the
//! console's rows because the dashboard reads across merchants and sites.

/// What a report covers: a half-open period, narrowed to one merchant and/or one site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportScope {
    /// Start, inclusive, Unix milliseconds.
    pub from_ms: i64,
    /// End, exclusive.
    pub to_ms: i64,
    /// Only this merchant (a manager's own); every merchant when None.
    pub merchant_id: Option<String>,
    /// Only this site's locations; every site when None.
    pub site_id: Option<String>,
}

/// Sales and parts of one group (an hour, a channel, a merchant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportGroupRow {
    /// The group's key: a UTC hour's start in ms as text, a channel, a merchant id.
    pub key: String,
    /// What people read: the merchant's name, else the key.
    pub label: String,
    /// Parts (and till sales) not rejected or cancelled.
    pub orders: i64,
    /// Their sales after discounts, minor units.
    pub gross_minor: i64,
}

/// Refused parts of one status and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectionRow {
    /// `rejected` or `cancelled`.
    pub status: String,
    /// The reason given (None: none given).
    pub reason: Option<String>,
    /// How many parts.
    pub count: i64,
}

/// A product's units and sales.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopProductRow {
    /// The SKU.
    pub sku: String,
    /// Its name on the lines (the SKU when none was recorded).
    pub name: String,
    /// Units sold.
    pub units: i64,
    /// Their sales, minor units.
    pub gross_minor: i64,
}

/// Figures over every part in scope, whatever its status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportSummaryRow {
    /// Refunded for the parts, minor units.
    pub refunds_minor: i64,
    /// Parts accepted by their kitchen.
    pub accepted: i64,
    /// Milliseconds from placement to acceptance, added up over the accepted parts.
    pub accept_ms: i64,
    /// Parts with a promised preparation time.
    pub prepared: i64,
    /// Their promised preparation minutes, added up.
    pub prep_minutes: i64,
    /// Parts accepted and then made ready.
    pub readied: i64,
    /// Milliseconds from acceptance to ready, added up over those parts.
    pub ready_ms: i64,
    /// Parts made ready and then collected.
    pub collected: i64,
    /// Milliseconds from ready to collected, added up over those parts.
    pub collect_ms: i64,
}

/// Every figure of a dashboard, aggregated by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesReport {
    /// Per UTC hour (key: the hour's start in ms), oldest first; the use case folds them into
    /// the site's local hours and days.
    pub hours: Vec<ReportGroupRow>,
    /// Per channel (`pos` includes the till's own sales), by channel.
    pub channels: Vec<ReportGroupRow>,
    /// Per merchant, most sales first.
    pub merchants: Vec<ReportGroupRow>,
    /// Rejected and cancelled parts per reason, most first.
    pub rejections: Vec<RejectionRow>,
    /// The best-selling products by units (order lines and the till's), at most ten.
    pub top_products: Vec<TopProductRow>,
    /// Refunds, acceptance and preparation times.
    pub summary: ReportSummaryRow,
}
