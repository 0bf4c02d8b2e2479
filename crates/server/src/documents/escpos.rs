//! ESC/POS bytes for 58 and 80 mm thermal receipt printers.
//!
//! Two steps, kept apart on purpose. [`escpos_layout`] lays the document out as a short list of
//! [`PrintCommand`]s — a line of text with its alignment, weight and size, a paper feed, the cut —
//! and owns all the column arithmetic (wrapping, right-aligned amounts). [`encode_escpos`] maps
//! those commands to bytes and decides nothing. The split lets `tests/interop/escpos_check.py`
//! replay the same commands through python-escpos and compare its bytes with ours.
//!
//! The commands used (Epson ESC/POS, understood by practically every receipt printer):
//!
//! | bytes | meaning |
//! | --- | --- |
//! | `ESC @` | initialise: clears the buffer and every mode |
//! | `ESC t 16` | character code table 16, WPC1252 (Windows-1252), which has all Spanish letters |
//! | `ESC ! n` | print mode; here only the size bits (0x10 double height, 0x20 double width) |
//! | `ESC E n` | bold off/on |
//! | `ESC a n` | align left/centre/right |
//! | `LF` | print the line |
//! | `ESC d n` | print and feed `n` lines |
//! | `GS V 1` | partial cut |

use serde::Serialize;

use super::{DocumentLine, DocumentSection, DocumentView, Labels, PaperWidth, discount_display, printable};

/// ESC/POS bytes for `doc` on paper of `width`: the layout of [`escpos_layout`], encoded.
pub fn render_escpos(doc: &DocumentView, width: PaperWidth) -> Vec<u8> {
    encode_escpos(&escpos_layout(doc, width))
}

/// Horizontal alignment of a printed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Align {
    /// Flush left (amount rows are padded with spaces instead, so they stay left-aligned).
    Left,
    /// Centred by the printer.
    Center,
    /// Flush right.
    Right,
}

/// Character size: each doubling of the width halves the characters that fit on a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TextSize {
    /// Font A as is.
    Normal,
    /// Twice as tall, same width.
    DoubleHeight,
    /// Twice as wide, same height.
    DoubleWidth,
    /// Twice as tall and twice as wide.
    Double,
}

impl TextSize {
    /// How many columns one character takes.
    pub fn width_factor(self) -> usize {
        match self {
            TextSize::Normal | TextSize::DoubleHeight => 1,
            TextSize::DoubleWidth | TextSize::Double => 2,
        }
    }

    /// The `ESC !` print-mode byte for this size.
    fn mode_byte(self) -> u8 {
        match self {
            TextSize::Normal => 0x00,
            TextSize::DoubleHeight => 0x10,
            TextSize::DoubleWidth => 0x20,
            TextSize::Double => 0x30,
        }
    }
}

/// How a line of text is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TextStyle {
    /// Alignment.
    pub align: Align,
    /// Bold (emphasised).
    pub bold: bool,
    /// Character size.
    pub size: TextSize,
}

/// One step of a printed layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PrintCommand {
    /// One printed line: `text` never holds a line break and always fits the paper at its size.
    Text {
        /// The characters of the line (printed in Windows-1252; what it lacks prints as `?`).
        text: String,
        /// How it is printed.
        #[serde(flatten)]
        style: TextStyle,
    },
    /// Blank paper: print and feed this many lines.
    Feed {
        /// Lines to feed.
        lines: u8,
    },
    /// Feed the last line past the cutter and cut partially, leaving a tab to tear.
    Cut,
}

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
/// `ESC t` 16: WPC1252, the code page [`super::encode_cp1252`] writes.
const CODE_PAGE_WPC1252: u8 = 16;
/// Lines fed before the cut, so the last printed line clears the cutter (as python-escpos does).
const FEED_BEFORE_CUT: u8 = 6;

/// The bytes for `commands`, preceded by initialisation and the code page selection.
///
/// The style is sent only when it changes from the previous line, and then in full (size, bold,
/// alignment, in that order: `ESC !` would otherwise clear bold). The size is sent as python-escpos
/// 3.1 sends it, `ESC ! 0` twice and then `ESC ! n`: the repeats are harmless and keep the two
/// encoders comparable byte for byte.
pub fn encode_escpos(commands: &[PrintCommand]) -> Vec<u8> {
    let mut out = vec![ESC, b'@', ESC, b't', CODE_PAGE_WPC1252];
    let mut current: Option<TextStyle> = None;
    for command in commands {
        match command {
            PrintCommand::Text { text, style } => {
                if current != Some(*style) {
                    push_style(&mut out, *style);
                    current = Some(*style);
                }
                out.extend(super::encode_cp1252(text));
                out.push(b'\n');
            }
            PrintCommand::Feed { lines } => out.extend([ESC, b'd', *lines]),
            PrintCommand::Cut => out.extend([ESC, b'd', FEED_BEFORE_CUT, GS, b'V', 1]),
        }
    }
    out
}

fn push_style(out: &mut Vec<u8>, style: TextStyle) {
    out.extend([ESC, b'!', 0, ESC, b'!', 0, ESC, b'!', style.size.mode_byte()]);
    out.extend([ESC, b'E', u8::from(style.bold)]);
    let align = match style.align {
        Align::Left => 0,
        Align::Center => 1,
        Align::Right => 2,
    };
    out.extend([ESC, b'a', align]);
}

const PLAIN: TextStyle = TextStyle { align: Align::Left, bold: false, size: TextSize::Normal };
const BOLD: TextStyle = TextStyle { bold: true, ..PLAIN };
const CENTERED: TextStyle = TextStyle { align: Align::Center, ..PLAIN };
const CENTERED_BOLD: TextStyle = TextStyle { bold: true, ..CENTERED };
const BANNER: TextStyle = TextStyle { size: TextSize::Double, ..CENTERED_BOLD };
const TITLE: TextStyle = TextStyle { size: TextSize::DoubleHeight, ..CENTERED_BOLD };
const TOTAL: TextStyle = TextStyle { size: TextSize::DoubleHeight, ..BOLD };
/// Columns before a discount or unit-price row under a line.
const INDENT: usize = 2;

/// The printed layout of `doc` on paper of `width`: header, customer, lines, totals, taxes, cut.
pub fn escpos_layout(doc: &DocumentView, width: PaperWidth) -> Vec<PrintCommand> {
    let mut layout = Layout { columns: width.columns(), labels: &doc.labels, commands: Vec::new() };
    layout.header(doc);
    for section in &doc.sections {
        layout.section(section, doc.sections.len() > 1);
    }
    layout.totals(doc);
    layout.footer(doc);
    layout.commands
}

struct Layout<'a> {
    columns: usize,
    labels: &'a Labels,
    commands: Vec<PrintCommand>,
}

impl Layout<'_> {
    fn header(&mut self, doc: &DocumentView) {
        let labels = self.labels;
        self.text(&doc.issuer.name, BANNER);
        if let Some(tax_id) = &doc.issuer.tax_id {
            self.text(&format!("{}: {tax_id}", labels.tax_id), CENTERED);
        }
        if let Some(address) = &doc.issuer.address {
            self.text(address, CENTERED);
        }
        self.text(&doc.site_name, CENTERED);
        self.feed(1);
        self.text(&doc.title, TITLE);
        if let Some(number) = &doc.number {
            self.text(&format!("{} {number}", labels.number), CENTERED_BOLD);
        }
        if let Some(reason) = &doc.voided {
            self.feed(1);
            self.text(&format!("*** {} ***", labels.voided), BANNER);
            self.text(reason, CENTERED_BOLD);
        }
        self.rule();
        self.text(&format!("{}: {}", labels.issued_at, doc.issued_at), PLAIN);
        self.text(&format!("{}: #{}", labels.order, doc.order_number), PLAIN);
        self.text(&format!("{}: {}", labels.customer, doc.customer_name), PLAIN);
        if let Some(tax_id) = &doc.customer_tax_id {
            self.text(&format!("{}: {tax_id}", labels.tax_id), PLAIN);
        }
        self.rule();
    }

    fn section(&mut self, section: &DocumentSection, show_subtotal: bool) {
        let labels = self.labels;
        if let Some(heading) = &section.heading {
            self.text(heading, BOLD);
        }
        if let Some(code) = &section.pickup_code {
            self.row(0, &labels.pickup_code, code, BOLD);
        }
        for line in &section.lines {
            self.line(line);
        }
        if show_subtotal {
            self.row(0, &labels.subtotal, &section.subtotal.display(), PLAIN);
            self.feed(1);
        }
    }

    fn line(&mut self, line: &DocumentLine) {
        let labels = self.labels;
        let description = format!("{}{}", super::quantity_prefix(line.quantity), line.description);
        self.row(0, &description, &line.gross.display(), PLAIN);
        if line.quantity != 1 {
            self.row(INDENT, &format!("{} {}", line.unit_price.display(), labels.each), "", PLAIN);
        }
        for (name, amount) in &line.discounts {
            self.row(INDENT, name, &discount_display(*amount), PLAIN);
        }
    }

    fn totals(&mut self, doc: &DocumentView) {
        let labels = self.labels;
        self.rule();
        if doc.discount_total.amount_minor != 0 {
            self.row(0, &labels.discounts, &discount_display(doc.discount_total), PLAIN);
        }
        self.row(0, &labels.total.to_uppercase(), &doc.total.display(), TOTAL);
        for refund in &doc.refunds {
            self.row(0, &refund.label, &discount_display(refund.amount), BOLD);
            self.row(INDENT, &refund.lines, "", PLAIN);
            self.row(INDENT, &refund.at, "", PLAIN);
        }
        if let Some(after) = doc.total_after_refunds {
            self.row(0, &labels.total_after_refunds.to_uppercase(), &after.display(), TOTAL);
        }
        if let Some(payment) = &doc.payment {
            self.row(0, &labels.payment, payment, PLAIN);
        }
        if !doc.taxes.is_empty() {
            self.rule();
            self.text(&labels.taxes_included, PLAIN);
            for tax in &doc.taxes {
                self.row(0, &labels.net, &tax.base.display(), PLAIN);
                self.row(0, &tax.label, &tax.amount.display(), PLAIN);
            }
        }
        self.rule();
    }

    fn footer(&mut self, doc: &DocumentView) {
        let labels = self.labels;
        if doc.kind == super::DocumentKind::Receipt {
            self.text(&labels.receipt_note, CENTERED);
        }
        self.text(&labels.thanks, CENTERED);
        self.commands.push(PrintCommand::Cut);
    }

    /// `text` wrapped to the paper at its size, one command per printed line.
    fn text(&mut self, text: &str, style: TextStyle) {
        let width = self.columns / style.size.width_factor();
        for line in wrap(&printable(text), width, 0) {
            self.commands.push(PrintCommand::Text { text: line, style });
        }
    }

    /// `left` and `right` on one line, `right` flush with the right edge (wrapping `left` when needed).
    fn row(&mut self, indent: usize, left: &str, right: &str, style: TextStyle) {
        let width = self.columns / style.size.width_factor();
        for line in two_columns(&printable(left), &printable(right), width, indent) {
            self.commands.push(PrintCommand::Text { text: line, style });
        }
    }

    fn rule(&mut self) {
        self.commands.push(PrintCommand::Text { text: "-".repeat(self.columns), style: PLAIN });
    }

    fn feed(&mut self, lines: u8) {
        self.commands.push(PrintCommand::Feed { lines });
    }
}

/// Columns a left text keeps before an amount is moved to its own line.
const MIN_LEFT_COLUMNS: usize = 8;

/// Lines of `width` columns: `left` wrapped, `right` right-aligned on the first line (or on a line
/// of its own when the two cannot share one), every line after `indent` spaces.
pub(super) fn two_columns(left: &str, right: &str, width: usize, indent: usize) -> Vec<String> {
    let right_len = right.chars().count();
    if right_len == 0 {
        return wrap(left, width, indent);
    }
    if indent + MIN_LEFT_COLUMNS + 1 + right_len > width {
        let mut lines = wrap(left, width, indent);
        lines.extend(wrap(right, width, 0).into_iter().map(|line| format!("{line:>width$}")));
        return lines;
    }
    let left_width = width - right_len - 1;
    let mut lines = wrap(left, left_width, indent);
    match lines.first_mut() {
        Some(first) => *first = format!("{first:<left_width$} {right}"),
        None => lines.push(format!("{right:>width$}")),
    }
    lines
}

/// `text` split at spaces into lines of at most `width` columns, each after `indent` spaces; a word
/// longer than a line is cut. Runs of spaces collapse to one; nothing is returned for blank text.
pub(super) fn wrap(text: &str, width: usize, indent: usize) -> Vec<String> {
    let room = width.saturating_sub(indent).max(1);
    let margin = " ".repeat(indent);
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        let mut rest = word;
        while !rest.is_empty() {
            let rest_len = rest.chars().count();
            let needed = if current_len == 0 { rest_len } else { current_len + 1 + rest_len };
            if needed <= room {
                if current_len > 0 {
                    current.push(' ');
                }
                current.push_str(rest);
                current_len = needed;
                break;
            }
            if current_len > 0 {
                lines.push(format!("{margin}{}", std::mem::take(&mut current)));
                current_len = 0;
                continue;
            }
            let cut = rest.char_indices().nth(room).map_or(rest.len(), |(at, _)| at);
            lines.push(format!("{margin}{}", &rest[..cut]));
            rest = &rest[cut..];
        }
    }
    if current_len > 0 {
        lines.push(format!("{margin}{current}"));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::samples;

    fn all_samples() -> Vec<DocumentView> {
        vec![
            samples::mall_receipt(),
            samples::refunded_receipt(),
            samples::boleta(),
            samples::voided_factura(),
            samples::long_boleta(3),
        ]
    }

    fn printed_lines(commands: &[PrintCommand]) -> impl Iterator<Item = (&str, TextStyle)> {
        commands.iter().filter_map(|command| match command {
            PrintCommand::Text { text, style } => Some((text.as_str(), *style)),
            _ => None,
        })
    }

    #[test]
    fn starts_with_initialise_and_code_page_and_ends_with_a_partial_cut() {
        let bytes = render_escpos(&samples::mall_receipt(), PaperWidth::Mm80);
        assert!(bytes.starts_with(&[0x1B, b'@', 0x1B, b't', 16]));
        assert!(bytes.ends_with(&[0x1B, b'd', 6, 0x1D, b'V', 1]));
    }

    #[test]
    fn no_line_is_wider_than_the_paper() {
        for width in [PaperWidth::Mm58, PaperWidth::Mm80] {
            for doc in all_samples() {
                for (text, style) in printed_lines(&escpos_layout(&doc, width)) {
                    let columns = text.chars().count() * style.size.width_factor();
                    assert!(columns <= width.columns(), "{width:?}: {text:?} takes {columns} columns");
                    assert!(!text.contains('\n'));
                }
            }
        }
    }

    #[test]
    fn amounts_are_flush_with_the_right_edge() {
        let commands = escpos_layout(&samples::mall_receipt(), PaperWidth::Mm58);
        let total = printed_lines(&commands).find(|(text, _)| text.starts_with("TOTAL")).map(|(text, _)| text);
        assert_eq!(total, Some("TOTAL                    $17.680"));
        assert!(printed_lines(&commands).any(|(text, _)| text == "2 x Completo italiano     $5.980"));
        assert!(printed_lines(&commands).any(|(text, _)| text == "  Promo 2x1              -$2.990"));
    }

    #[test]
    fn a_refund_is_printed_under_the_total_then_the_new_total() {
        let commands = escpos_layout(&samples::refunded_receipt(), PaperWidth::Mm58);
        let lines: Vec<&str> = printed_lines(&commands).map(|(text, _)| text).collect();
        let at = |wanted: &str| {
            lines.iter().position(|text| *text == wanted).unwrap_or_else(|| panic!("{wanted:?} in {lines:#?}"))
        };
        let total = at("TOTAL                    $17.680");
        let refund = at("Reembolso Café Ñandú     -$8.200");
        let when = at("  23-11-2026 14:20");
        let after = at("NUEVO TOTAL               $9.480");
        assert!(total < refund && refund < when && when < after);
        assert!(lines[refund + 1].starts_with("  2 x Café cortado"), "the lines given back: {:?}", lines[refund + 1]);
    }

    #[test]
    fn accented_text_reaches_the_printer_in_windows_1252() {
        let bytes = render_escpos(&samples::mall_receipt(), PaperWidth::Mm80);
        let find = |needle: &[u8]| bytes.windows(needle.len()).any(|window| window == needle);
        assert!(find(b"Mar\xEDa Jos\xE9 N\xFA\xF1ez"), "María José Núñez");
        assert!(find(b"\xBFsin az\xFAcar? \xA1S\xED!"), "¿sin azúcar? ¡Sí!");
        assert!(find(b"Caf\xE9 cortado ?"), "the cup becomes ?");
        assert!(find(b"C\xF3digo de retiro"));
    }

    #[test]
    fn style_is_sent_only_when_it_changes() {
        let commands = [
            PrintCommand::Text { text: "a".into(), style: TITLE },
            PrintCommand::Text { text: "b".into(), style: TITLE },
            PrintCommand::Feed { lines: 2 },
            PrintCommand::Text { text: "c".into(), style: PLAIN },
        ];
        let style = |size: u8, bold: u8, align: u8| {
            vec![0x1B, b'!', 0, 0x1B, b'!', 0, 0x1B, b'!', size, 0x1B, b'E', bold, 0x1B, b'a', align]
        };
        let mut expected = vec![0x1B, b'@', 0x1B, b't', 16];
        expected.extend(style(0x10, 1, 1));
        expected.extend(b"a\nb\n\x1Bd\x02");
        expected.extend(style(0, 0, 0));
        expected.extend(b"c\n");
        assert_eq!(encode_escpos(&commands), expected);
    }

    #[test]
    fn a_void_document_says_so_in_large_letters() {
        let commands = escpos_layout(&samples::voided_factura(), PaperWidth::Mm58);
        assert!(printed_lines(&commands).any(|(text, style)| text == "*** ANULADA ***" && style == BANNER));
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_cuts_only_overlong_words() {
        assert_eq!(wrap("uno dos  tres", 7, 0), ["uno dos", "tres"]);
        assert_eq!(wrap("abcdefghij", 4, 0), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("uno dos", 6, 2), ["  uno", "  dos"]);
        assert!(wrap("   ", 10, 0).is_empty());
        assert_eq!(two_columns("Total", "$1.000", 16, 0), ["Total     $1.000"]);
        assert_eq!(two_columns("x", "a very long right side", 16, 0), ["x", "     a very long", "      right side"]);
    }
}
