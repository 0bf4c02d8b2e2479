//! A receipt or tax document as an A4 PDF, written with `pdf-writer`.
//!
//! Only the base-14 fonts Helvetica and Helvetica-Bold are used, referenced and never embedded, so
//! nothing is loaded at run time. Their text is WinAnsiEncoding (Windows-1252), which has every
//! Spanish letter; strings are encoded with [`super::encode_cp1252`], and measured with Adobe's
//! published glyph widths (the tables at the end of this file) to wrap descriptions and set
//! amounts flush right. Lines that do not fit start a new page, which repeats the column headings;
//! every page carries "Página n de N", and a void document carries "ANULADA" across each page.

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};

use super::{DocumentLine, DocumentSection, DocumentView, Labels, Refund, discount_display, encode_cp1252, printable};

pub(crate) const PAGE_WIDTH: f32 = 595.0;
pub(crate) const PAGE_HEIGHT: f32 = 842.0;
const LEFT: f32 = 50.0;
const RIGHT: f32 = PAGE_WIDTH - 50.0;
const TOP: f32 = PAGE_HEIGHT - 50.0;
/// Nothing but the page footer is drawn below this.
const BOTTOM: f32 = 70.0;
const FOOTER_Y: f32 = 40.0;
/// Width of the description column; quantity, unit price and amount are right-aligned after it.
const DESCRIPTION_WIDTH: f32 = 270.0;
const QUANTITY_RIGHT: f32 = 380.0;
const UNIT_PRICE_RIGHT: f32 = 465.0;
/// Where the labels of the totals block start.
const TOTALS_LEFT: f32 = 330.0;
const BODY_SIZE: f32 = 10.0;
const ROW_HEIGHT: f32 = 14.0;
const VOID_RED: (f32, f32, f32) = (0.69, 0.0, 0.13);

/// The PDF bytes for `doc`: one A4 page, or as many as its lines need.
pub fn render_pdf(doc: &DocumentView) -> Vec<u8> {
    let mut canvas = Canvas::new(&doc.labels, doc.voided.as_ref().map(|_| doc.labels.voided.clone()));
    header(&mut canvas, doc);
    canvas.table_headings = true;
    canvas.column_headings();
    for section in &doc.sections {
        section_rows(&mut canvas, doc, section);
    }
    canvas.table_headings = false;
    totals(&mut canvas, doc);
    let footer_left = match &doc.number {
        Some(number) => format!("{} {} {number} · {}", doc.title, doc.labels.number, doc.issuer.name),
        None => format!("{} · {} {}", doc.title, doc.labels.order, doc.order_number),
    };
    assemble(canvas.finish(&footer_left), &doc_title(doc))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Font {
    Regular,
    Bold,
}

impl Font {
    pub(crate) fn resource(self) -> Name<'static> {
        match self {
            Font::Regular => Name(b"F1"),
            Font::Bold => Name(b"F2"),
        }
    }

    /// Width of `text` in points at `size`.
    pub(crate) fn width(self, text: &str, size: f32) -> f32 {
        let table = match self {
            Font::Regular => &HELVETICA_WIDTHS,
            Font::Bold => &HELVETICA_BOLD_WIDTHS,
        };
        let units: u32 = encode_cp1252(text)
            .iter()
            .map(|byte| table.get(usize::from(byte.saturating_sub(32))).copied().unwrap_or(0))
            .map(u32::from)
            .sum();
        units as f32 * size / 1000.0
    }
}

/// Pages being drawn, top to bottom, with the position of the next line.
struct Canvas<'a> {
    labels: &'a Labels,
    watermark: Option<String>,
    done: Vec<Content>,
    page: Content,
    /// Baseline of the next line on the current page.
    y: f32,
    /// Whether a new page starts by repeating the column headings.
    table_headings: bool,
}

impl<'a> Canvas<'a> {
    fn new(labels: &'a Labels, watermark: Option<String>) -> Self {
        let mut canvas =
            Canvas { labels, watermark, done: Vec::new(), page: Content::new(), y: TOP, table_headings: false };
        canvas.start_page();
        canvas
    }

    fn start_page(&mut self) {
        self.y = TOP;
        if let Some(text) = &self.watermark {
            // Diagonal, pale, drawn first so everything else prints over it.
            let size = 110.0;
            let width = Font::Bold.width(text, size);
            let (cos, sin) = (std::f32::consts::FRAC_1_SQRT_2, std::f32::consts::FRAC_1_SQRT_2);
            let x = PAGE_WIDTH / 2.0 - width / 2.0 * cos + size * 0.35 * sin;
            let y = PAGE_HEIGHT / 2.0 - width / 2.0 * sin - size * 0.35 * cos;
            self.page.set_fill_rgb(1.0, 0.86, 0.86);
            self.page.begin_text();
            self.page.set_font(Font::Bold.resource(), size);
            self.page.set_text_matrix([cos, sin, -sin, cos, x, y]);
            self.page.show(Str(&encode_cp1252(&printable(text))));
            self.page.end_text();
            self.page.set_fill_rgb(0.0, 0.0, 0.0);
        }
        if self.table_headings {
            self.column_headings();
        }
    }

    /// Makes room for `height` points, starting a new page when this one has not enough.
    fn ensure(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            let full = std::mem::replace(&mut self.page, Content::new());
            self.done.push(full);
            self.start_page();
        }
    }

    fn text(&mut self, x: f32, y: f32, font: Font, size: f32, text: &str) {
        self.page.begin_text();
        self.page.set_font(font.resource(), size);
        self.page.next_line(x, y);
        self.page.show(Str(&encode_cp1252(&printable(text))));
        self.page.end_text();
    }

    fn text_right(&mut self, right: f32, y: f32, font: Font, size: f32, text: &str) {
        let x = right - font.width(&printable(text), size);
        self.text(x, y, font, size, text);
    }

    fn text_centered(&mut self, center: f32, y: f32, font: Font, size: f32, text: &str) {
        let x = center - font.width(&printable(text), size) / 2.0;
        self.text(x, y, font, size, text);
    }

    fn rule(&mut self, from: f32, to: f32, y: f32) {
        self.page.set_line_width(0.5);
        self.page.move_to(from, y);
        self.page.line_to(to, y);
        self.page.stroke();
    }

    fn column_headings(&mut self) {
        let labels = self.labels;
        let y = self.y;
        self.text(LEFT, y, Font::Bold, 9.0, &labels.description);
        self.text_right(QUANTITY_RIGHT, y, Font::Bold, 9.0, &labels.quantity);
        self.text_right(UNIT_PRICE_RIGHT, y, Font::Bold, 9.0, &labels.unit_price);
        self.text_right(RIGHT, y, Font::Bold, 9.0, &labels.amount);
        self.rule(LEFT, RIGHT, y - 4.0);
        self.y -= ROW_HEIGHT + 4.0;
    }

    /// A label and a value right-aligned at the page edge, in the totals column.
    fn total_row(&mut self, font: Font, size: f32, label: &str, value: &str) {
        // A larger font needs more room above its baseline.
        self.y -= (size - BODY_SIZE).max(0.0);
        self.ensure(size + 4.0);
        let y = self.y;
        self.text(TOTALS_LEFT, y, font, size, label);
        self.text_right(RIGHT, y, font, size, value);
        self.y -= size + 4.0;
    }

    /// Every page's content, each with its footer: `left` and "Página n de N".
    fn finish(mut self, left: &str) -> Vec<Vec<u8>> {
        self.done.push(self.page);
        let count = self.done.len();
        let labels = self.labels;
        let mut pages = Vec::with_capacity(count);
        for (index, mut page) in self.done.into_iter().enumerate() {
            let right = format!("{} {} {} {count}", labels.page, index + 1, labels.page_of);
            for (x, text, right_aligned) in [(LEFT, left, false), (RIGHT, right.as_str(), true)] {
                let text = printable(text);
                let x = if right_aligned { x - Font::Regular.width(&text, 8.0) } else { x };
                page.set_fill_rgb(0.35, 0.35, 0.35);
                page.begin_text();
                page.set_font(Font::Regular.resource(), 8.0);
                page.next_line(x, FOOTER_Y);
                page.show(Str(&encode_cp1252(&text)));
                page.end_text();
            }
            pages.push(page.finish().into_vec());
        }
        pages
    }
}

fn doc_title(doc: &DocumentView) -> String {
    match &doc.number {
        Some(number) => format!("{} {} {number}", doc.title, doc.labels.number),
        None => format!("{} {} {}", doc.title, doc.labels.order, doc.order_number),
    }
}

/// Issuer on the left, the title box on the right, then the void stamp and the customer.
fn header(canvas: &mut Canvas, doc: &DocumentView) {
    let labels = &doc.labels;
    let box_left = 345.0;
    let box_center = (box_left + RIGHT) / 2.0;
    let mut box_lines: Vec<String> = wrap(&doc.title, Font::Bold, 13.0, RIGHT - box_left - 16.0);
    box_lines.extend(doc.number.as_ref().map(|number| format!("{} {number}", labels.number)));
    let box_height = box_lines.len() as f32 * 18.0 + 14.0;
    canvas.page.set_line_width(1.5);
    canvas.page.rect(box_left, TOP + 14.0 - box_height, RIGHT - box_left, box_height);
    canvas.page.stroke();
    for (index, line) in box_lines.iter().enumerate() {
        canvas.text_centered(box_center, TOP - 6.0 - index as f32 * 18.0, Font::Bold, 13.0, line);
    }
    let mut y = TOP;
    for line in wrap(&doc.issuer.name, Font::Bold, 16.0, box_left - LEFT - 16.0) {
        canvas.text(LEFT, y, Font::Bold, 16.0, &line);
        y -= 19.0;
    }
    let details = [doc.issuer.tax_id.as_ref().map(|id| format!("{}: {id}", labels.tax_id)), doc.issuer.address.clone()];
    for detail in details.into_iter().flatten().chain([doc.site_name.clone()]) {
        for line in wrap(&detail, Font::Regular, 9.0, box_left - LEFT - 16.0) {
            canvas.text(LEFT, y, Font::Regular, 9.0, &line);
            y -= 12.0;
        }
    }
    canvas.y = y.min(TOP + 14.0 - box_height) - 20.0;
    if let Some(reason) = &doc.voided {
        voided_stamp(canvas, labels, reason);
    }
    let mut fields = vec![
        (labels.issued_at.as_str(), doc.issued_at.clone()),
        (labels.order.as_str(), format!("#{}", doc.order_number)),
        (labels.customer.as_str(), doc.customer_name.clone()),
    ];
    fields.extend(doc.customer_tax_id.as_ref().map(|id| (labels.tax_id.as_str(), id.clone())));
    for (label, value) in fields {
        for (index, line) in wrap(&value, Font::Regular, BODY_SIZE, RIGHT - LEFT - 110.0).iter().enumerate() {
            let y = canvas.y;
            if index == 0 {
                canvas.text(LEFT, y, Font::Bold, BODY_SIZE, &format!("{label}:"));
            }
            canvas.text(LEFT + 110.0, y, Font::Regular, BODY_SIZE, line);
            canvas.y -= ROW_HEIGHT;
        }
    }
    canvas.y -= 14.0;
}

fn voided_stamp(canvas: &mut Canvas, labels: &Labels, reason: &str) {
    let reason_lines = wrap(reason, Font::Bold, 11.0, RIGHT - LEFT - 20.0);
    let height = 34.0 + reason_lines.len() as f32 * 14.0;
    let (red, green, blue) = VOID_RED;
    canvas.page.set_stroke_rgb(red, green, blue);
    canvas.page.set_line_width(2.0);
    canvas.page.rect(LEFT, canvas.y - height + 14.0, RIGHT - LEFT, height);
    canvas.page.stroke();
    canvas.page.set_stroke_rgb(0.0, 0.0, 0.0);
    canvas.page.set_fill_rgb(red, green, blue);
    let y = canvas.y - 12.0;
    canvas.text_centered(PAGE_WIDTH / 2.0, y, Font::Bold, 22.0, &labels.voided);
    canvas.y = y - 18.0;
    for line in reason_lines {
        let y = canvas.y;
        canvas.text_centered(PAGE_WIDTH / 2.0, y, Font::Bold, 11.0, &line);
        canvas.y -= 14.0;
    }
    canvas.page.set_fill_rgb(0.0, 0.0, 0.0);
    canvas.y -= 16.0;
}

fn section_rows(canvas: &mut Canvas, doc: &DocumentView, section: &DocumentSection) {
    let labels = &doc.labels;
    let pickup = section.pickup_code.as_ref().map(|code| format!("{}: {code}", labels.pickup_code));
    if section.heading.is_some() || pickup.is_some() {
        // Keep the heading with at least its first line.
        canvas.ensure(2.0 * ROW_HEIGHT + 4.0);
        let y = canvas.y;
        if let Some(heading) = &section.heading {
            canvas.text(LEFT, y, Font::Bold, 11.0, heading);
        }
        if let Some(pickup) = &pickup {
            canvas.text_right(RIGHT, y, Font::Bold, 9.0, pickup);
        }
        canvas.y -= ROW_HEIGHT + 2.0;
    }
    for line in &section.lines {
        line_rows(canvas, line);
    }
    if doc.sections.len() > 1 {
        canvas.ensure(ROW_HEIGHT);
        let y = canvas.y + 4.0;
        canvas.rule(TOTALS_LEFT, RIGHT, y + 6.0);
        canvas.text_right(UNIT_PRICE_RIGHT, y - 6.0, Font::Bold, BODY_SIZE, &labels.subtotal);
        canvas.text_right(RIGHT, y - 6.0, Font::Bold, BODY_SIZE, &section.subtotal.display());
        canvas.y -= ROW_HEIGHT + 12.0;
    }
}

fn line_rows(canvas: &mut Canvas, line: &DocumentLine) {
    let description = wrap(&line.description, Font::Regular, BODY_SIZE, DESCRIPTION_WIDTH);
    canvas.ensure(ROW_HEIGHT);
    let y = canvas.y;
    canvas.text_right(QUANTITY_RIGHT, y, Font::Regular, BODY_SIZE, &line.quantity.to_string());
    canvas.text_right(UNIT_PRICE_RIGHT, y, Font::Regular, BODY_SIZE, &line.unit_price.display());
    canvas.text_right(RIGHT, y, Font::Regular, BODY_SIZE, &line.gross.display());
    for (index, text) in description.iter().enumerate() {
        if index > 0 {
            canvas.ensure(ROW_HEIGHT);
        }
        let y = canvas.y;
        canvas.text(LEFT, y, Font::Regular, BODY_SIZE, text);
        canvas.y -= ROW_HEIGHT;
    }
    if description.is_empty() {
        canvas.y -= ROW_HEIGHT;
    }
    for (name, amount) in &line.discounts {
        canvas.ensure(ROW_HEIGHT);
        let y = canvas.y;
        canvas.page.set_fill_rgb(0.33, 0.33, 0.33);
        canvas.text(LEFT + 12.0, y, Font::Regular, 9.0, name);
        canvas.text_right(RIGHT, y, Font::Regular, 9.0, &discount_display(*amount));
        canvas.page.set_fill_rgb(0.0, 0.0, 0.0);
        canvas.y -= ROW_HEIGHT;
    }
}

fn totals(canvas: &mut Canvas, doc: &DocumentView) {
    let labels = &doc.labels;
    // The totals and taxes stay together on one page.
    let refund_lines = doc.refunds.len() * 3 + usize::from(doc.total_after_refunds.is_some()) * 2;
    let rows = 3 + usize::from(doc.discount_total.amount_minor != 0) + 2 * doc.taxes.len() + refund_lines;
    canvas.ensure(rows as f32 * ROW_HEIGHT + 24.0);
    let y = canvas.y + 6.0;
    canvas.rule(LEFT, RIGHT, y);
    canvas.y -= 8.0;
    if doc.discount_total.amount_minor != 0 {
        canvas.total_row(Font::Regular, BODY_SIZE, &labels.discounts, &discount_display(doc.discount_total));
    }
    canvas.total_row(Font::Bold, 14.0, &labels.total, &doc.total.display());
    for refund in &doc.refunds {
        refund_rows(canvas, refund);
    }
    if let Some(after) = doc.total_after_refunds {
        canvas.total_row(Font::Bold, 14.0, &labels.total_after_refunds, &after.display());
    }
    if let Some(payment) = &doc.payment {
        canvas.total_row(Font::Regular, BODY_SIZE, &labels.payment, payment);
    }
    if !doc.taxes.is_empty() {
        canvas.y -= 8.0;
        canvas.total_row(Font::Bold, 9.0, &labels.taxes_included, "");
        for tax in &doc.taxes {
            canvas.total_row(Font::Regular, 9.0, &labels.net, &tax.base.display());
            canvas.total_row(Font::Regular, 9.0, &tax.label, &tax.amount.display());
        }
    }
    canvas.y -= 20.0;
    let mut closing = Vec::new();
    if doc.kind == super::DocumentKind::Receipt {
        closing.extend(
            wrap(&labels.receipt_note, Font::Regular, 9.0, RIGHT - LEFT).into_iter().map(|l| (Font::Regular, l)),
        );
    }
    closing.extend(wrap(&labels.thanks, Font::Bold, 11.0, RIGHT - LEFT).into_iter().map(|l| (Font::Bold, l)));
    for (font, line) in closing {
        canvas.ensure(ROW_HEIGHT);
        let y = canvas.y;
        let size = if font == Font::Bold { 11.0 } else { 9.0 };
        canvas.text_centered(PAGE_WIDTH / 2.0, y, font, size, &line);
        canvas.y -= ROW_HEIGHT;
    }
}

/// A refund across the page's width (its part's name and lines are longer than the totals
/// column): the part and the amount, then the lines given back and when, smaller.
fn refund_rows(canvas: &mut Canvas, refund: &Refund) {
    canvas.ensure(ROW_HEIGHT);
    let y = canvas.y;
    canvas.text(LEFT, y, Font::Bold, BODY_SIZE, &refund.label);
    canvas.text_right(RIGHT, y, Font::Bold, BODY_SIZE, &discount_display(refund.amount));
    canvas.y -= ROW_HEIGHT;
    let detail = format!("{} · {}", refund.lines, refund.at);
    canvas.page.set_fill_rgb(0.33, 0.33, 0.33);
    for line in wrap(&detail, Font::Regular, 9.0, RIGHT - LEFT - 12.0) {
        canvas.ensure(ROW_HEIGHT);
        let y = canvas.y;
        canvas.text(LEFT + 12.0, y, Font::Regular, 9.0, &line);
        canvas.y -= ROW_HEIGHT;
    }
    canvas.page.set_fill_rgb(0.0, 0.0, 0.0);
}

/// `text` split at spaces into lines at most `width` points wide; a word wider than that is cut.
pub(crate) fn wrap(text: &str, font: Font, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in printable(text).split(' ').filter(|word| !word.is_empty()) {
        let candidate = if current.is_empty() { word.to_owned() } else { format!("{current} {word}") };
        if font.width(&candidate, size) <= width {
            current = candidate;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        for c in word.chars() {
            current.push(c);
            if font.width(&current, size) > width && current.chars().count() > 1 {
                current.pop();
                lines.push(std::mem::replace(&mut current, c.to_string()));
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// The document structure around the page contents: catalog, page tree, the two fonts, info.
pub(crate) fn assemble(pages: Vec<Vec<u8>>, title: &str) -> Vec<u8> {
    let catalog_id = Ref::new(1);
    let page_tree_id = Ref::new(2);
    let regular_id = Ref::new(3);
    let bold_id = Ref::new(4);
    let info_id = Ref::new(5);
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..pages.len()).map(|index| Ref::new(first_page + 2 * index as i32)).collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog_id).pages(page_tree_id).lang(TextStr("es"));
    pdf.pages(page_tree_id).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.type1_font(regular_id).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_id).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info_id).title(TextStr(title)).producer(TextStr("Omnicanal"));
    for (page_id, content) in page_ids.iter().zip(&pages) {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT)).parent(page_tree_id).contents(content_id);
        page.resources().fonts().pair(Font::Regular.resource(), regular_id).pair(Font::Bold.resource(), bold_id);
        drop(page);
        pdf.stream(content_id, content);
    }
    pdf.finish()
}

/// Helvetica glyph widths (1/1000 em) for WinAnsiEncoding bytes 32–255, from Adobe's AFM metrics.
#[rustfmt::skip]
const HELVETICA_WIDTHS: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 350,
    556, 350, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
    350, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 350, 500, 667,
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

/// Helvetica-Bold glyph widths (1/1000 em) for WinAnsiEncoding bytes 32–255, from Adobe's AFM metrics.
#[rustfmt::skip]
const HELVETICA_BOLD_WIDTHS: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 350,
    556, 350, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 350, 611, 350,
    350, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 350, 500, 667,
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::samples;

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|window| window == needle)
    }

    fn page_count(pdf: &[u8]) -> usize {
        pdf.windows(b"/Type /Page\n".len()).filter(|window| *window == b"/Type /Page\n").count()
    }

    #[test]
    fn is_a_complete_pdf_file() {
        let pdf = render_pdf(&samples::mall_receipt());
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.trim_ascii_end().ends_with(b"%%EOF"));
        assert!(contains(&pdf, b"/BaseFont /Helvetica-Bold"));
        assert_eq!(page_count(&pdf), 1);
    }

    #[test]
    fn spanish_text_is_written_in_win_ansi_encoding() {
        let pdf = render_pdf(&samples::mall_receipt());
        assert!(contains(&pdf, b"/Encoding /WinAnsiEncoding"));
        // Non-ASCII strings are hex strings: "Ñuñoa" is D1 75 F1 6F 61, "¿sin" BF 73 69 6E.
        assert!(contains(&pdf, b"D175F16F61"));
        assert!(contains(&pdf, b"BF73696E"));
        assert!(contains(&pdf, b"(Total)") && contains(&pdf, b"($17.680)"));
    }

    #[test]
    fn a_refund_and_the_new_total_are_printed() {
        let pdf = render_pdf(&samples::refunded_receipt());
        assert!(contains(&pdf, b"(-$8.200)"), "the refund");
        assert!(contains(&pdf, b"(Nuevo total)") && contains(&pdf, b"($9.480)"), "the new total");
        // "Reembolso Café Ñandú" is not ASCII, so a hex string: "Caf" E9 then " " D1 "and" FA.
        assert!(contains(&pdf, b"436166E920D1616E64FA"));
        assert_eq!(page_count(&pdf), 1);
    }

    #[test]
    fn long_documents_continue_on_more_pages() {
        let pdf = render_pdf(&samples::long_boleta(120));
        let pages = page_count(&pdf);
        assert!(pages >= 3, "{pages} pages");
        assert!(contains(&pdf, format!("/Count {pages}").as_bytes()));
        let last_page = format!("{} {pages} {} {pages}", "P\u{e1}gina", "de");
        assert!(contains(
            &pdf,
            &encode_cp1252(&last_page).iter().map(|b| format!("{b:02X}")).collect::<String>().into_bytes()
        ));
    }

    #[test]
    fn a_void_document_is_stamped() {
        let pdf = render_pdf(&samples::voided_factura());
        assert!(contains(&pdf, b"(ANULADA)"));
        assert!(!contains(&render_pdf(&samples::boleta()), b"(ANULADA)"));
    }

    #[test]
    fn widths_follow_the_font_metrics() {
        assert_eq!(Font::Regular.width("$1.000", 10.0), (556.0 * 5.0 + 278.0) / 100.0);
        assert!(Font::Bold.width("Ñandú", 10.0) > Font::Regular.width("Ñandú", 10.0));
        let lines = wrap("Churrasco con palta, tomate y mayonesa casera en pan frica", Font::Regular, 10.0, 120.0);
        assert!(lines.len() > 1 && lines.iter().all(|line| Font::Regular.width(line, 10.0) <= 120.0), "{lines:?}");
    }
}
