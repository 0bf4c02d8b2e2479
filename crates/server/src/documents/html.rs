//! A receipt or tax document as one standalone, printable HTML page.
//!
//! Everything is inline (styles, the one-line print script), so the page can be saved, mailed or
//! opened offline. On screen it is a narrow receipt; printed, it keeps that width centred on A4
//! and fills the page on an 80 mm roll, and the print button disappears. Every text from the view
//! model goes through [`escape`]: names, descriptions and even labels are data, never markup.

use std::fmt::Write;

use super::{DocumentKind, DocumentLine, DocumentSection, DocumentView, discount_display, quantity_prefix};

/// The complete HTML5 page for `doc`.
pub fn render_html(doc: &DocumentView) -> String {
    let labels = &doc.labels;
    let mut page = String::with_capacity(8 * 1024);
    let title = match &doc.number {
        Some(number) => format!("{} {} {number}", doc.title, labels.number),
        None => format!("{} {} {}", doc.title, labels.order, doc.order_number),
    };
    page.push_str("<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(page, "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>", escape(&title));
    let void_class = if doc.voided.is_some() { " voided" } else { "" };
    let _ = writeln!(page, "<main class=\"doc{void_class}\">");
    header(&mut page, doc);
    for section in &doc.sections {
        section_html(&mut page, doc, section);
    }
    totals(&mut page, doc);
    if doc.kind == DocumentKind::Receipt {
        let _ = writeln!(page, "<p class=\"note\">{}</p>", escape(&labels.receipt_note));
    }
    let _ = writeln!(page, "<p class=\"thanks\">{}</p>\n</main>", escape(&labels.thanks));
    let _ = writeln!(
        page,
        "<p class=\"actions\"><button type=\"button\" onclick=\"window.print()\">{}</button></p>",
        escape(&labels.print)
    );
    page.push_str("</body>\n</html>\n");
    page
}

/// `text` with the five characters that matter in HTML text and attribute values escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn header(page: &mut String, doc: &DocumentView) {
    let labels = &doc.labels;
    let _ = writeln!(page, "<header>\n<h1>{}</h1>", escape(&doc.issuer.name));
    if let Some(tax_id) = &doc.issuer.tax_id {
        let _ = writeln!(page, "<p>{}: {}</p>", escape(&labels.tax_id), escape(tax_id));
    }
    if let Some(address) = &doc.issuer.address {
        let _ = writeln!(page, "<p>{}</p>", escape(address));
    }
    let _ = writeln!(page, "<p>{}</p>", escape(&doc.site_name));
    let _ = writeln!(page, "<div class=\"title\">\n<h2>{}</h2>", escape(&doc.title));
    if let Some(number) = &doc.number {
        let _ = writeln!(page, "<p class=\"number\">{} {}</p>", escape(&labels.number), escape(number));
    }
    page.push_str("</div>\n</header>\n");
    if let Some(reason) = &doc.voided {
        let _ = writeln!(
            page,
            "<div class=\"void\" role=\"alert\"><strong>{}</strong><p>{}</p></div>",
            escape(&labels.voided),
            escape(reason)
        );
    }
    page.push_str("<dl class=\"meta\">\n");
    let mut field = |label: &str, value: &str| {
        let _ = writeln!(page, "<div><dt>{}</dt><dd>{}</dd></div>", escape(label), escape(value));
    };
    field(&labels.issued_at, &doc.issued_at);
    field(&labels.order, &format!("#{}", doc.order_number));
    field(&labels.customer, &doc.customer_name);
    if let Some(tax_id) = &doc.customer_tax_id {
        field(&labels.tax_id, tax_id);
    }
    page.push_str("</dl>\n");
}

fn section_html(page: &mut String, doc: &DocumentView, section: &DocumentSection) {
    let labels = &doc.labels;
    page.push_str("<section>\n");
    if let Some(heading) = &section.heading {
        let _ = writeln!(page, "<h3>{}</h3>", escape(heading));
    }
    if let Some(code) = &section.pickup_code {
        let _ = writeln!(
            page,
            "<p class=\"pickup\">{}: <strong>{}</strong></p>",
            escape(&labels.pickup_code),
            escape(code)
        );
    }
    let _ = writeln!(
        page,
        "<table class=\"lines\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr></thead>\n<tbody>",
        escape(&labels.description),
        escape(&labels.amount)
    );
    for line in &section.lines {
        line_rows(page, doc, line);
    }
    page.push_str("</tbody>\n");
    if doc.sections.len() > 1 {
        let _ = writeln!(
            page,
            "<tfoot><tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr></tfoot>",
            escape(&labels.subtotal),
            escape(&section.subtotal.display())
        );
    }
    page.push_str("</table>\n</section>\n");
}

fn line_rows(page: &mut String, doc: &DocumentView, line: &DocumentLine) {
    let _ = write!(page, "<tr><td>{}", escape(&format!("{}{}", quantity_prefix(line.quantity), line.description)));
    if line.quantity != 1 {
        let each = format!("{} {}", line.unit_price.display(), doc.labels.each);
        let _ = write!(page, "<br><small>{}</small>", escape(&each));
    }
    let _ = writeln!(page, "</td><td class=\"num\">{}</td></tr>", escape(&line.gross.display()));
    for (name, amount) in &line.discounts {
        let _ = writeln!(
            page,
            "<tr class=\"discount\"><td>{}</td><td class=\"num\">{}</td></tr>",
            escape(name),
            escape(&discount_display(*amount))
        );
    }
}

fn totals(page: &mut String, doc: &DocumentView) {
    let labels = &doc.labels;
    page.push_str("<table class=\"totals\">\n");
    let row = |page: &mut String, class: &str, label: &str, value: &str| {
        let _ = writeln!(
            page,
            "<tr class=\"{class}\"><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
            escape(label),
            escape(value)
        );
    };
    if doc.discount_total.amount_minor != 0 {
        row(page, "discount", &labels.discounts, &discount_display(doc.discount_total));
    }
    row(page, "total", &labels.total, &doc.total.display());
    for refund in &doc.refunds {
        let _ = writeln!(
            page,
            "<tr class=\"refund\" data-testid=\"refund\"><th scope=\"row\">{}<small>{}</small><small><time>{}</time></small></th><td class=\"num\">{}</td></tr>",
            escape(&refund.label),
            escape(&refund.lines),
            escape(&refund.at),
            escape(&discount_display(refund.amount))
        );
    }
    if let Some(after) = doc.total_after_refunds {
        let _ = writeln!(
            page,
            "<tr class=\"total after-refunds\" data-testid=\"total-after-refunds\"><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
            escape(&labels.total_after_refunds),
            escape(&after.display())
        );
    }
    if let Some(payment) = &doc.payment {
        row(page, "payment", &labels.payment, payment);
    }
    page.push_str("</table>\n");
    if !doc.taxes.is_empty() {
        let _ = writeln!(page, "<table class=\"taxes\">\n<caption>{}</caption>", escape(&labels.taxes_included));
        for tax in &doc.taxes {
            let _ = writeln!(
                page,
                "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>\n<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td></tr>",
                escape(&labels.net),
                escape(&tax.base.display()),
                escape(&tax.label),
                escape(&tax.amount.display())
            );
        }
        page.push_str("</table>\n");
    }
}

/// The page's whole stylesheet: a receipt column on screen; on paper, no button, no shadow.
const STYLE: &str = "
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; padding: 16px; background: #eceff1; color: #111;
  font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; }
.doc { position: relative; max-width: 380px; margin: 0 auto; padding: 20px 18px; background: #fff;
  box-shadow: 0 1px 4px rgba(0, 0, 0, .2); }
header { text-align: center; }
h1 { font-size: 20px; margin: 0 0 4px; }
header p { margin: 0; }
.title { margin: 12px 0 8px; padding: 6px; border: 2px solid #111; }
h2 { font-size: 16px; margin: 0; letter-spacing: .04em; }
.number { font-weight: 700; }
.void { margin: 10px 0; padding: 8px; border: 3px double #b00020; color: #b00020; text-align: center; }
.void strong { display: block; font-size: 26px; letter-spacing: .2em; }
.void p { margin: 2px 0 0; font-weight: 600; }
.voided .lines, .voided .totals { text-decoration: line-through; text-decoration-color: #b00020; }
.meta { margin: 10px 0; padding: 8px 0; border-top: 1px dashed #777; border-bottom: 1px dashed #777; }
.meta div { display: flex; gap: 8px; }
.meta dt { font-weight: 600; }
.meta dt::after { content: ':'; }
.meta dd { margin: 0; overflow-wrap: anywhere; }
section { margin: 10px 0; }
h3 { font-size: 15px; margin: 0 0 2px; }
.pickup { margin: 0 0 4px; }
table { width: 100%; border-collapse: collapse; }
th, td { padding: 2px 0; text-align: left; vertical-align: top; font-weight: normal; }
thead th { font-size: 12px; text-transform: uppercase; color: #555; border-bottom: 1px solid #999; }
td { overflow-wrap: anywhere; }
.num { text-align: right; white-space: nowrap; padding-left: 8px; }
small { color: #555; }
.discount td { color: #555; padding-left: 12px; }
.discount td.num { padding-left: 8px; }
tfoot th, tfoot td { border-top: 1px solid #ccc; font-weight: 600; }
.totals { margin-top: 8px; border-top: 1px dashed #777; }
.totals .total th, .totals .total td { font-size: 18px; font-weight: 700; padding-top: 4px; }
.refund th { padding-top: 4px; }
.refund th small { display: block; padding-left: 12px; font-size: 12px; }
.refund td { padding-top: 4px; }
.totals .after-refunds th, .totals .after-refunds td { border-top: 1px solid #999; }
.taxes { margin-top: 8px; font-size: 12px; color: #333; }
.taxes caption { text-align: left; font-weight: 600; }
.note { font-size: 12px; color: #555; text-align: center; }
.thanks { text-align: center; font-weight: 600; margin-bottom: 0; }
.actions { text-align: center; }
button { font: inherit; padding: 8px 20px; cursor: pointer; }
@media print {
  @page { margin: 10mm; }
  body { background: none; padding: 0; font-size: 11pt; }
  .doc { max-width: 100mm; box-shadow: none; padding: 0; }
  .actions { display: none; }
  .void, .title { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::samples;

    #[test]
    fn is_a_complete_spanish_page_without_external_resources() {
        let page = render_html(&samples::boleta());
        assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"es\">"));
        assert!(page.trim_end().ends_with("</html>"));
        assert!(page.contains("<meta charset=\"utf-8\">"));
        assert!(page.contains("<title>BOLETA ELECTRÓNICA N° B-000123</title>"));
        for external in ["<link", "src=", "@import", "url(", "http"] {
            assert!(!page.contains(external), "{external}");
        }
        assert!(page.contains("@media print") && page.contains(".actions { display: none; }"));
        assert!(page.contains(">Imprimir</button>"));
    }

    #[test]
    fn escapes_every_text() {
        let mut doc = samples::boleta();
        doc.customer_name = "<script>alert(\"x\")</script>".to_owned();
        doc.sections[0].lines[0].description = "Té & 'scones'".to_owned();
        doc.labels.total = "<b>Total</b>".to_owned();
        let page = render_html(&doc);
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
        assert!(page.contains("2 x Té &amp; &#39;scones&#39;"));
        assert!(page.contains("&lt;b&gt;Total&lt;/b&gt;"));
        assert!(render_html(&samples::voided_factura()).contains("Cupón &lt;VERANO&gt;"));
    }

    #[test]
    fn a_refund_is_listed_under_the_total_with_its_part_lines_and_time_then_the_new_total() {
        let doc = samples::refunded_receipt();
        let page = render_html(&doc);
        let refund = &doc.refunds[0];
        let at = |needle: &str| page.find(needle).unwrap_or_else(|| panic!("{needle} missing"));
        let total = at(&format!("<td class=\"num\">{}</td>", doc.total.display()));
        let row = at("<tr class=\"refund\"");
        let after = at("data-testid=\"total-after-refunds\"");
        assert!(total < row && row < after, "total, then the refund, then the new total");
        assert!(page.contains("Reembolso Café Ñandú"));
        assert!(page.contains("2 x Café cortado ☕, Kuchen de manzana ¿sin azúcar? ¡Sí!"));
        assert!(page.contains("<time>23-11-2026 14:20</time>"));
        assert!(page.contains(&format!("<td class=\"num\">-{}</td>", refund.amount.display())));
        let new_total = doc.total_after_refunds.expect("a new total");
        assert_eq!(new_total.amount_minor, doc.total.amount_minor - refund.amount.amount_minor);
        assert!(
            page.contains(&format!("<th scope=\"row\">Nuevo total</th><td class=\"num\">{}</td>", new_total.display()))
        );
        assert!(!render_html(&samples::mall_receipt()).contains("Nuevo total"), "no refund, no new total");
    }

    #[test]
    fn shows_sections_totals_and_taxes() {
        let doc = samples::mall_receipt();
        let page = render_html(&doc);
        assert!(page.contains("<h3>Sánguches Ñuñoa</h3>") && page.contains("<h3>Café Ñandú</h3>"));
        assert!(page.contains("Código de retiro: <strong>K7P2</strong>"));
        assert!(page.contains(&format!("<td class=\"num\">{}</td>", doc.total.display())));
        assert!(page.contains("<td class=\"num\">-$2.990</td>"));
        assert!(page.contains(&format!(
            "<th scope=\"row\">IVA 19%</th><td class=\"num\">{}</td>",
            doc.taxes[0].amount.display()
        )));
        assert!(page.contains("Subtotal") && page.contains(&doc.labels.receipt_note));
        assert!(!render_html(&samples::boleta()).contains("Subtotal"));
    }

    #[test]
    fn a_void_document_is_stamped() {
        let page = render_html(&samples::voided_factura());
        assert!(page.contains("<main class=\"doc voided\">"));
        assert!(page.contains("<strong>ANULADA</strong><p>Rechazado por el local: sin stock de pollo</p>"));
        assert!(page.contains("<dt>RUC</dt><dd>20600011122</dd>"));
        assert!(!render_html(&samples::boleta()).contains("role=\"alert\""));
    }
}
