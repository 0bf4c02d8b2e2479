//! A till's cash session report (issue 14, point 2) as a printable 80 mm page, an A4 PDF and
//! ESC/POS bytes: sales by payment method, discounts (promotions and manual), taxes, voids and
//! refunds, cash in and out with their reasons, and expected against counted cash with the
//! count per denomination.
//!
//! Unlike a receipt, a report is label–value rows in sections, so it has its own small view
//! model ([`ReportDocument`]) filled once from the use case's `SessionReport` in the reader's
//! language; the three renderers only lay the rows out, with the receipt's building blocks (the
//! PDF fonts and page assembly, the ESC/POS encoder and two-column layout, HTML escaping).

use std::fmt::Write as _;

use omnicanal_app::pos::sessions::SessionReport;
use omnicanal_domain::Money;
use omnicanal_domain::pos::{CashDirection, SessionStatus};
use pdf_writer::{Content, Str};

use super::escpos::{Align, PrintCommand, TextSize, TextStyle, encode_escpos, two_columns, wrap};
use super::html::escape;
use super::pdf::{Font, PAGE_HEIGHT, PAGE_WIDTH, assemble};
use super::{PaperWidth, encode_cp1252, printable};
use crate::web::i18n::Lang;

/// One row of a section: a label and its value, bold when it is a section's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// What the figure is.
    pub label: String,
    /// The figure, formatted.
    pub value: String,
    /// Printed bold (totals, the difference).
    pub strong: bool,
}

/// A titled group of rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSection {
    /// The heading.
    pub heading: String,
    /// Its rows, in order.
    pub rows: Vec<ReportRow>,
}

/// A session report, decided and localised: the renderers only lay it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDocument {
    /// `es` or `en`.
    pub lang: &'static str,
    /// "Informe de caja".
    pub title: String,
    /// The till's name.
    pub till: String,
    /// The session's id.
    pub session_id: String,
    /// Sections, in order.
    pub sections: Vec<ReportSection>,
    /// The print button's text.
    pub print: String,
    /// The link back to the till.
    pub back: String,
}

fn row(label: String, value: String) -> ReportRow {
    ReportRow { label, value, strong: false }
}

fn strong(label: String, value: String) -> ReportRow {
    ReportRow { label, value, strong: true }
}

/// A time in the site's zone, as `dd-mm-yyyy hh:mm`.
fn local_time(ms: i64, timezone: &str) -> String {
    let Some(utc) = chrono::DateTime::from_timestamp_millis(ms) else { return String::new() };
    match timezone.parse::<chrono_tz::Tz>() {
        Ok(zone) => utc.with_timezone(&zone).format("%d-%m-%Y %H:%M").to_string(),
        Err(_) => utc.format("%d-%m-%Y %H:%M UTC").to_string(),
    }
}

impl ReportDocument {
    /// The report of `report` in `lang`.
    pub fn new(report: &SessionReport, lang: Lang) -> Self {
        let t = |key: &str| lang.text(&format!("pos.report.{key}"), &[]);
        let currency = report.session.currency;
        let money = |amount: i64| Money::new(amount, currency).display();
        let figures = &report.figures;
        let accounting = &report.accounting;
        let session = &report.session;
        let mut sections = Vec::new();

        let mut header = vec![row(t("till"), report.device_name.clone())];
        let status = match session.status {
            SessionStatus::Open => t("status_open"),
            SessionStatus::Closed => t("status_closed"),
        };
        header.push(row(t("status"), status));
        header.push(row(t("opened_at"), local_time(session.opened_at_ms, &report.timezone)));
        if let Some(closed) = session.closed_at_ms {
            header.push(row(t("closed_at"), local_time(closed, &report.timezone)));
        }
        sections.push(ReportSection { heading: t("session"), rows: header });

        let mut sales: Vec<ReportRow> = report
            .totals
            .iter()
            .map(|total| row(lang.text(&format!("pos.pay.method.{}", total.method), &[]), total.amount.display()))
            .collect();
        sales.push(row(t("sales_count"), figures.sales_count.to_string()));
        sales.push(row(t("offline_count"), figures.offline_count.to_string()));
        sales.push(strong(t("sales_total"), money(figures.total_minor)));
        sections.push(ReportSection { heading: t("sales_by_method"), rows: sales });

        // Pay-at-pickup orders collected here are not the till's sales: counted apart, and their
        // cash is in the drawer.
        if figures.pickups_count > 0 {
            let mut pickups: Vec<ReportRow> = figures
                .pickups_by_method
                .iter()
                .map(|(method, amount)| {
                    row(lang.text(&format!("pos.pay.method.{}", method.as_str()), &[]), money(*amount))
                })
                .collect();
            pickups.push(row(t("pickups_count"), figures.pickups_count.to_string()));
            pickups.push(strong(t("pickups_total"), money(figures.pickups_total_minor)));
            sections.push(ReportSection { heading: t("pickups"), rows: pickups });
        }

        sections.push(ReportSection {
            heading: t("discounts"),
            rows: vec![
                row(t("discounts_promotions"), money(figures.discount_minor - accounting.manual_discount_minor)),
                row(t("discounts_manual"), money(accounting.manual_discount_minor)),
                row(t("approvals"), accounting.approval_count.to_string()),
                strong(t("discounts_total"), money(figures.discount_minor)),
            ],
        });
        sections.push(ReportSection {
            heading: t("taxes"),
            rows: vec![strong(t("taxes_included"), money(figures.tax_minor))],
        });
        sections.push(ReportSection {
            heading: t("voids_refunds"),
            rows: vec![
                row(t("voids"), format!("{} · {}", accounting.void_count, money(accounting.void_minor))),
                row(t("refunds"), format!("{} · {}", report.refunds.0, money(report.refunds.1.amount_minor))),
            ],
        });

        let mut cash = vec![row(t("opening_float"), money(session.opening_float_minor))];
        let cash_sales = report.totals.iter().find(|total| total.method.as_str() == "cash").map(|total| total.amount);
        cash.push(row(t("cash_sales"), cash_sales.map(|m| m.display()).unwrap_or_else(|| money(0))));
        cash.push(row(t("change_given"), money(figures.change_minor)));
        if figures.pickups_count > 0 {
            let pickup_cash: i64 = figures
                .pickups_by_method
                .iter()
                .filter(|(method, _)| method.as_str() == "cash")
                .map(|(_, amount)| amount)
                .sum();
            cash.push(row(t("pickup_cash"), money(pickup_cash)));
        }
        for movement in &report.cash_movements {
            let (label, sign) = match movement.direction {
                CashDirection::In => (t("cash_in"), ""),
                CashDirection::Out => (t("cash_out"), "-"),
            };
            cash.push(row(format!("{label}: {}", movement.reason), format!("{sign}{}", money(movement.amount_minor))));
        }
        cash.push(row(t("cash_in_total"), money(figures.cash_in_minor)));
        cash.push(row(t("cash_out_total"), money(figures.cash_out_minor)));
        sections.push(ReportSection { heading: t("cash"), rows: cash });

        let mut count = vec![row(t("expected"), report.expected_cash.display())];
        if let Some(counted) = report.counted_cash {
            count.push(row(t("counted"), counted.display()));
        }
        if let Some(difference) = report.difference {
            count.push(strong(t("difference"), difference.display()));
        }
        for line in &report.denominations {
            count.push(row(format!("{} × {}", line.value.display(), line.count), line.amount.display()));
        }
        sections.push(ReportSection { heading: t("count"), rows: count });

        Self {
            lang: lang.code(),
            title: t("title"),
            till: report.device_name.clone(),
            session_id: session.id.clone(),
            sections,
            print: t("print"),
            back: t("back"),
        }
    }
}

/// The report as a standalone page, 80 mm wide on screen and on paper.
pub fn render_report_html(doc: &ReportDocument) -> String {
    let mut page = String::with_capacity(8 * 1024);
    let _ = writeln!(page, "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">", doc.lang);
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(page, "<title>{} · {}</title>", escape(&doc.title), escape(&doc.till));
    let _ = writeln!(page, "<style>{STYLE}</style>\n</head>\n<body>");
    page.push_str("<main class=\"report\" data-testid=\"session-report\">\n");
    let _ = writeln!(page, "<h1>{}</h1>", escape(&doc.title));
    for section in &doc.sections {
        let _ = writeln!(page, "<section>\n<h2>{}</h2>\n<dl>", escape(&section.heading));
        for row in &section.rows {
            let class = if row.strong { " class=\"strong\"" } else { "" };
            let _ = writeln!(page, "<div{class}><dt>{}</dt><dd>{}</dd></div>", escape(&row.label), escape(&row.value));
        }
        page.push_str("</dl>\n</section>\n");
    }
    let _ = writeln!(page, "<p class=\"id\">{}</p>", escape(&doc.session_id));
    page.push_str("</main>\n<p class=\"actions\">");
    let _ = write!(page, "<button type=\"button\" onclick=\"window.print()\">{}</button> ", escape(&doc.print));
    let _ = write!(page, "<a href=\"?format=pdf&amp;lang={}\">PDF</a> ", doc.lang);
    let _ = write!(page, "<a href=\"/pos\">{}</a>", escape(&doc.back));
    page.push_str("</p>\n</body>\n</html>\n");
    page
}

const STYLE: &str = "
* { box-sizing: border-box; }
body { margin: 0; padding: 12px; background: #eceff1; color: #000;
  font: 14px/1.35 system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; }
.report { width: 80mm; max-width: 100%; margin: 0 auto; padding: 3mm; background: #fff; }
h1 { margin: 0 0 4px; font-size: 20px; text-align: center; }
h2 { margin: 8px 0 2px; font-size: 14px; text-transform: uppercase; border-top: 1px dashed #000; padding-top: 4px; }
dl { margin: 0; }
dl div { display: flex; justify-content: space-between; gap: 8px; }
dt { overflow-wrap: anywhere; }
dd { margin: 0; text-align: right; white-space: nowrap; }
.strong { font-weight: 800; }
.id { margin: 8px 0 0; font-size: 11px; color: #555; text-align: center; overflow-wrap: anywhere; }
.actions { display: flex; gap: 12px; justify-content: center; align-items: center; }
.actions button { font-size: 16px; padding: 10px 20px; min-height: 44px; }
.actions a { min-height: 44px; display: inline-flex; align-items: center; }
@media print {
  @page { size: 80mm auto; margin: 0; }
  body { padding: 0; background: #fff; }
  .report { width: 100%; padding: 2mm; }
  .actions { display: none; }
}
";

const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_WIDTH - 50.0;
const TOP: f32 = PAGE_HEIGHT - 50.0;
const BOTTOM: f32 = 60.0;
const SIZE: f32 = 10.0;
const ROW: f32 = 14.0;

/// The report as an A4 PDF (as many pages as its rows need).
pub fn render_report_pdf(doc: &ReportDocument) -> Vec<u8> {
    let mut pages: Vec<Vec<u8>> = Vec::new();
    let mut page = Content::new();
    let mut y = TOP;
    let text = |page: &mut Content, x: f32, y: f32, font: Font, size: f32, text: &str| {
        page.begin_text();
        page.set_font(font.resource(), size);
        page.next_line(x, y);
        page.show(Str(&encode_cp1252(&printable(text))));
        page.end_text();
    };
    text(&mut page, LEFT, y, Font::Bold, 16.0, &format!("{} · {}", doc.title, doc.till));
    y -= 26.0;
    for section in &doc.sections {
        for (index, line) in std::iter::once(None).chain(section.rows.iter().map(Some)).enumerate() {
            if y < BOTTOM {
                pages.push(std::mem::replace(&mut page, Content::new()).finish().into_vec());
                y = TOP;
            }
            match line {
                None => {
                    y -= if index == 0 { 4.0 } else { 0.0 };
                    text(&mut page, LEFT, y, Font::Bold, 11.0, &section.heading);
                }
                Some(row) => {
                    let font = if row.strong { Font::Bold } else { Font::Regular };
                    text(&mut page, LEFT + 8.0, y, font, SIZE, &row.label);
                    let width = font.width(&printable(&row.value), SIZE);
                    text(&mut page, RIGHT - width, y, font, SIZE, &row.value);
                }
            }
            y -= ROW;
        }
    }
    text(&mut page, LEFT, y - 10.0, Font::Regular, 8.0, &doc.session_id);
    pages.push(page.finish().into_vec());
    assemble(pages, &format!("{} {}", doc.title, doc.till))
}

const PLAIN: TextStyle = TextStyle { align: Align::Left, bold: false, size: TextSize::Normal };
const BOLD: TextStyle = TextStyle { bold: true, ..PLAIN };
const TITLE: TextStyle = TextStyle { align: Align::Center, bold: true, size: TextSize::DoubleHeight };

/// The report as ESC/POS bytes for a thermal printer of `width`.
pub fn render_report_escpos(doc: &ReportDocument, width: PaperWidth) -> Vec<u8> {
    let columns = width.columns();
    let mut commands = Vec::new();
    for line in wrap(&printable(&doc.title), columns, 0) {
        commands.push(PrintCommand::Text { text: line, style: TITLE });
    }
    for line in wrap(&printable(&doc.till), columns, 0) {
        commands.push(PrintCommand::Text { text: line, style: TextStyle { align: Align::Center, ..PLAIN } });
    }
    for section in &doc.sections {
        commands.push(PrintCommand::Text { text: "-".repeat(columns), style: PLAIN });
        for line in wrap(&printable(&section.heading.to_uppercase()), columns, 0) {
            commands.push(PrintCommand::Text { text: line, style: BOLD });
        }
        for row in &section.rows {
            let style = if row.strong { BOLD } else { PLAIN };
            for line in two_columns(&printable(&row.label), &printable(&row.value), columns, 0) {
                commands.push(PrintCommand::Text { text: line, style });
            }
        }
    }
    commands.push(PrintCommand::Text { text: "-".repeat(columns), style: PLAIN });
    for line in wrap(&doc.session_id, columns, 0) {
        commands.push(PrintCommand::Text { text: line, style: PLAIN });
    }
    commands.push(PrintCommand::Cut);
    encode_escpos(&commands)
}
