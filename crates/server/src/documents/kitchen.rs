//! The kitchen ticket: what the cooks need to make one part of an order, without prices.
//!
//! The order number and the pickup time in large print (or "LO ANTES POSIBLE" when the customer
//! wants it as soon as possible), who picks it up and through which channel, then every line with
//! its quantity, choices and note, and the acceptance time with the promised ready time. A part
//! paid at pickup says, under the pickup time, how much to collect ("COBRAR AL RETIRAR $12.990"):
//! the one amount a kitchen ticket prints, since the counter hands it over. Like
//! the receipts, the caller fills a [`KitchenTicket`] with everything already decided (local
//! times formatted, texts chosen) and the two renderers only lay it out:
//! [`render_kitchen_escpos`] through the receipts' ESC/POS encoder, and [`render_kitchen_html`]
//! as a printable page sized to the roll (58 or 80 mm).

use std::fmt::Write;

use chrono::{DateTime, Utc};
use omnicanal_app::documents::TicketRecords;
use omnicanal_domain::Money;
use omnicanal_domain::channel::Channel;
use omnicanal_domain::fulfillment::FulfillmentStatus;
use omnicanal_domain::modifiers::ChosenModifier;
use omnicanal_domain::payment::PaymentMethod;

use super::PaperWidth;
use super::escpos::{Align, PrintCommand, TextSize, TextStyle, encode_escpos, wrap};
use super::html::escape;
use super::printable;

/// One line of the ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketLine {
    /// Units.
    pub quantity: i64,
    /// What to make.
    pub name: String,
    /// The customer's choices, "Group: option".
    pub modifiers: Vec<String>,
    /// The customer's note.
    pub note: Option<String>,
}

/// Everything a kitchen ticket prints, already decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitchenTicket {
    /// The location's name.
    pub location_name: String,
    /// The order's number.
    pub order_number: i64,
    /// The pickup time in local time ("14:30", or "16-05 14:30" on another day), or
    /// [`ASAP`] when the customer wants it as soon as possible.
    pub pickup: String,
    /// True for a scheduled pickup.
    pub scheduled: bool,
    /// Who picks it up.
    pub customer_name: String,
    /// The channel, as people say it ("QR", "Caja", "Tienda online").
    pub channel: String,
    /// The table, when the order has one.
    pub table: Option<String>,
    /// The lines.
    pub lines: Vec<TicketLine>,
    /// When it was accepted, local "HH:MM".
    pub accepted_at: Option<String>,
    /// When it is promised ready, local "HH:MM".
    pub estimated_ready_at: Option<String>,
    /// The part's status, printed when it is no longer being made (rejected, cancelled).
    pub voided: Option<String>,
    /// For a part paid at pickup, what is still to collect at the counter ("$12.990"); `None`
    /// when paid by card, already collected, or no longer made.
    pub collect: Option<String>,
    /// When the ticket was printed, local "DD-MM-YYYY HH:MM".
    pub printed_at: String,
}

/// What the ticket prints instead of a time for an order wanted as soon as possible.
pub const ASAP: &str = "LO ANTES POSIBLE";

/// Before the amount a part paid at pickup still owes.
pub const COLLECT: &str = "COBRAR AL RETIRAR";

/// What is still to collect for `part` of an order paid at pickup, as printed.
fn to_collect(order: &omnicanal_store::OrderRow, part: &omnicanal_store::FulfillmentRecord) -> Option<String> {
    let owed = part.subtotal_minor - part.captured_minor;
    let live = !part.status.is_voided() && part.status != FulfillmentStatus::Collected;
    (order.payment_method == PaymentMethod::PayAtPickup && live && owed > 0)
        .then(|| Money::new(owed, part.currency).display())
}

/// The channel as staff call it.
pub fn channel_label(channel: &Channel) -> String {
    match channel {
        Channel::Qr => "QR".into(),
        Channel::Web => "Web".into(),
        Channel::Pos => "Caja".into(),
        Channel::Phone => "Teléfono".into(),
        Channel::Kiosk => "Tótem".into(),
        Channel::Tablet => "Tablet".into(),
        Channel::Shop(connector) => format!("Tienda {connector}"),
    }
}

/// What a ticket stamps on a part no longer being made.
fn void_stamp(status: FulfillmentStatus) -> Option<String> {
    use FulfillmentStatus::*;
    match status {
        Rejected => Some("RECHAZADO".to_owned()),
        Cancelled => Some("ANULADO".to_owned()),
        Placed | Accepted | Preparing | Ready | Collected => None,
    }
}

impl KitchenTicket {
    /// The ticket of a part, times in its site's time zone.
    pub fn new(records: &TicketRecords) -> Self {
        let TicketRecords { order, part, location_name, timezone, printed_at_ms } = records;
        let zone: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
        let local = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default().with_timezone(&zone);
        let now = local(*printed_at_ms);
        let pickup = order.pickup_at.as_deref().and_then(omnicanal_app::ids::parse_time).map(local);
        let pickup_text = match pickup {
            Some(at) if at.date_naive() == now.date_naive() => at.format("%H:%M").to_string(),
            Some(at) => at.format("%d-%m %H:%M").to_string(),
            None => ASAP.to_owned(),
        };
        Self {
            location_name: location_name.clone(),
            order_number: order.number,
            pickup: pickup_text,
            scheduled: pickup.is_some(),
            customer_name: order.customer_name.clone(),
            channel: channel_label(&order.channel),
            table: order.table_label.clone(),
            lines: part
                .lines
                .iter()
                .map(|line| TicketLine {
                    quantity: line.quantity,
                    name: line.pricing.name.clone().unwrap_or_else(|| line.sku.clone()),
                    modifiers: line
                        .pricing
                        .modifiers_json
                        .as_deref()
                        .and_then(|json| serde_json::from_str::<Vec<ChosenModifier>>(json).ok())
                        .unwrap_or_default()
                        .into_iter()
                        .map(|chosen| format!("{}: {}", chosen.group, chosen.option))
                        .collect(),
                    note: line.pricing.note.clone().filter(|note| !note.trim().is_empty()),
                })
                .collect(),
            accepted_at: part.preparation.accepted_at_ms.map(|ms| local(ms).format("%H:%M").to_string()),
            estimated_ready_at: part.preparation.estimated_ready_ms.map(|ms| local(ms).format("%H:%M").to_string()),
            voided: void_stamp(part.status),
            collect: to_collect(order, part),
            printed_at: now.format("%d-%m-%Y %H:%M").to_string(),
        }
    }
}

const PLAIN: TextStyle = TextStyle { align: Align::Left, bold: false, size: TextSize::Normal };
const BOLD: TextStyle = TextStyle { bold: true, ..PLAIN };
const CENTERED: TextStyle = TextStyle { align: Align::Center, ..PLAIN };
const HUGE: TextStyle = TextStyle { align: Align::Center, bold: true, size: TextSize::Double };
const DISH: TextStyle = TextStyle { bold: true, size: TextSize::DoubleHeight, ..PLAIN };
const COLLECT_STYLE: TextStyle = TextStyle { align: Align::Center, ..DISH };

/// ESC/POS bytes of the ticket on paper of `width`, ending with a cut.
pub fn render_kitchen_escpos(ticket: &KitchenTicket, width: PaperWidth) -> Vec<u8> {
    encode_escpos(&kitchen_layout(ticket, width))
}

/// The printed layout of the ticket: large number and pickup time, customer, lines, times, cut.
pub fn kitchen_layout(ticket: &KitchenTicket, width: PaperWidth) -> Vec<PrintCommand> {
    let columns = width.columns();
    let mut commands = Vec::new();
    let mut text = |text: &str, style: TextStyle, indent: usize| {
        for line in wrap(&printable(text), columns / style.size.width_factor(), indent) {
            commands.push(PrintCommand::Text { text: line, style });
        }
    };
    text(&ticket.location_name, CENTERED, 0);
    text(&format!("#{}", ticket.order_number), HUGE, 0);
    if let Some(voided) = &ticket.voided {
        text(&format!("*** {voided} ***"), HUGE, 0);
    }
    text("RETIRO", CENTERED, 0);
    text(&ticket.pickup, HUGE, 0);
    if let Some(amount) = &ticket.collect {
        text(&format!("{COLLECT} {amount}"), COLLECT_STYLE, 0);
    }
    let rule = "-".repeat(columns);
    text(&rule, PLAIN, 0);
    text(&format!("Cliente: {}", ticket.customer_name), BOLD, 0);
    text(&format!("Canal: {}", ticket.channel), PLAIN, 0);
    if let Some(table) = &ticket.table {
        text(&format!("Mesa: {table}"), BOLD, 0);
    }
    text(&rule, PLAIN, 0);
    for line in &ticket.lines {
        text(&format!("{} x {}", line.quantity, line.name), DISH, 0);
        for modifier in &line.modifiers {
            text(&format!("- {modifier}"), PLAIN, 2);
        }
        if let Some(note) = &line.note {
            text(&format!("NOTA: {note}"), BOLD, 2);
        }
    }
    text(&rule, PLAIN, 0);
    if let Some(accepted) = &ticket.accepted_at {
        text(&format!("Aceptado: {accepted}"), PLAIN, 0);
    }
    if let Some(ready) = &ticket.estimated_ready_at {
        text(&format!("Listo estimado: {ready}"), BOLD, 0);
    }
    text(&format!("Impreso: {}", ticket.printed_at), PLAIN, 0);
    commands.push(PrintCommand::Cut);
    commands
}

/// The ticket as a standalone printable page, `width` millimetres wide on paper.
pub fn render_kitchen_html(ticket: &KitchenTicket, width: PaperWidth) -> String {
    let millimetres = match width {
        PaperWidth::Mm58 => 58,
        PaperWidth::Mm80 => 80,
    };
    let mut page = String::with_capacity(4 * 1024);
    page.push_str("<!DOCTYPE html>\n<html lang=\"es\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(page, "<title>Comanda #{}</title>", ticket.order_number);
    let _ = writeln!(page, "<style>{}</style>\n</head>\n<body>", style(millimetres));
    let void_class = if ticket.voided.is_some() { " voided" } else { "" };
    let _ = writeln!(page, "<main class=\"ticket{void_class}\">");
    let _ = writeln!(page, "<p class=\"location\">{}</p>", escape(&ticket.location_name));
    let _ = writeln!(page, "<h1 class=\"number\">#{}</h1>", ticket.order_number);
    if let Some(voided) = &ticket.voided {
        let _ = writeln!(page, "<p class=\"void\" role=\"alert\">{}</p>", escape(voided));
    }
    let _ = writeln!(page, "<p class=\"pickup\"><small>Retiro</small> {}</p>", escape(&ticket.pickup));
    if let Some(amount) = &ticket.collect {
        let _ = writeln!(
            page,
            "<p class=\"collect\" data-testid=\"collect\">{COLLECT} <strong>{}</strong></p>",
            escape(amount)
        );
    }
    page.push_str("<dl class=\"meta\">\n");
    let mut field = |label: &str, value: &str| {
        let _ = writeln!(page, "<div><dt>{label}</dt><dd>{}</dd></div>", escape(value));
    };
    field("Cliente", &ticket.customer_name);
    field("Canal", &ticket.channel);
    if let Some(table) = &ticket.table {
        field("Mesa", table);
    }
    page.push_str("</dl>\n<ol class=\"lines\">\n");
    for line in &ticket.lines {
        let _ = write!(page, "<li><span class=\"qty\">{}</span> {}", line.quantity, escape(&line.name));
        if !line.modifiers.is_empty() {
            page.push_str("<ul>");
            for modifier in &line.modifiers {
                let _ = write!(page, "<li>{}</li>", escape(modifier));
            }
            page.push_str("</ul>");
        }
        if let Some(note) = &line.note {
            let _ = write!(page, "<p class=\"note\">NOTA: {}</p>", escape(note));
        }
        page.push_str("</li>\n");
    }
    page.push_str("</ol>\n<dl class=\"times\">\n");
    let mut time = |label: &str, value: &str| {
        let _ = writeln!(page, "<div><dt>{label}</dt><dd>{}</dd></div>", escape(value));
    };
    if let Some(accepted) = &ticket.accepted_at {
        time("Aceptado", accepted);
    }
    if let Some(ready) = &ticket.estimated_ready_at {
        time("Listo estimado", ready);
    }
    time("Impreso", &ticket.printed_at);
    page.push_str("</dl>\n</main>\n");
    page.push_str("<p class=\"actions\"><button type=\"button\" onclick=\"window.print()\">Imprimir</button></p>\n");
    page.push_str("</body>\n</html>\n");
    page
}

/// The page's stylesheet for a roll `millimetres` wide: the ticket's own width on screen too.
fn style(millimetres: u32) -> String {
    format!(
        "
* {{ box-sizing: border-box; }}
body {{ margin: 0; padding: 12px; background: #eceff1; color: #000;
  font: 15px/1.35 system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; }}
.ticket {{ width: {millimetres}mm; margin: 0 auto; padding: 3mm; background: #fff; }}
.location {{ margin: 0; text-align: center; }}
.number {{ margin: 2px 0; font-size: 40px; text-align: center; }}
.pickup {{ margin: 0 0 6px; font-size: 26px; font-weight: 800; text-align: center; }}
.pickup small {{ display: block; font-size: 13px; font-weight: 400; }}
.collect {{ margin: 0 0 6px; padding: 4px; border: 3px solid #000; font-size: 18px; font-weight: 800; text-align: center; }}
.collect strong {{ font-size: 24px; white-space: nowrap; }}
.void {{ margin: 4px 0; padding: 4px; border: 3px double #000; font-size: 22px; font-weight: 800; text-align: center; }}
.voided .lines {{ text-decoration: line-through; }}
dl {{ margin: 6px 0; padding: 4px 0; border-top: 1px dashed #000; }}
dl div {{ display: flex; justify-content: space-between; gap: 8px; }}
dt {{ font-weight: 600; }}
dd {{ margin: 0; text-align: right; }}
.lines {{ list-style: none; margin: 0; padding: 6px 0; border-top: 1px dashed #000; }}
.lines > li {{ margin: 0 0 6px; font-size: 20px; font-weight: 700; }}
.qty::after {{ content: ' x'; }}
.lines ul {{ margin: 0; padding-left: 18px; font-size: 15px; font-weight: 400; }}
.note {{ margin: 2px 0 0 18px; font-size: 16px; font-weight: 800; }}
.actions {{ text-align: center; }}
.actions button {{ font-size: 18px; padding: 10px 24px; }}
@media print {{
  @page {{ size: {millimetres}mm auto; margin: 0; }}
  body {{ padding: 0; background: #fff; }}
  .ticket {{ width: 100%; padding: 2mm; }}
  .actions {{ display: none; }}
}}
"
    )
}

/// Example tickets: for the renderers' tests and the ESC/POS interop check.
pub mod samples {
    use super::*;

    /// A card order's ticket: two dishes, one with a choice and a note, at a table, as soon as possible.
    pub fn card_ticket() -> KitchenTicket {
        KitchenTicket {
            location_name: "Sánguches Nonna".into(),
            order_number: 4821,
            pickup: ASAP.into(),
            scheduled: false,
            customer_name: "Ana <Pérez>".into(),
            channel: channel_label(&Channel::Qr),
            table: Some("12".into()),
            lines: vec![
                TicketLine {
                    quantity: 2,
                    name: "Lomito completo italiano con palta extra".into(),
                    modifiers: vec!["Pan: Frica".into()],
                    note: Some("sin mayo".into()),
                },
                TicketLine { quantity: 1, name: "Bebida".into(), modifiers: Vec::new(), note: None },
            ],
            accepted_at: Some("14:05".into()),
            estimated_ready_at: Some("14:25".into()),
            voided: None,
            collect: None,
            printed_at: "16-05-2026 14:06".into(),
        }
    }

    /// A scheduled pickup paid at the counter: the ticket says what to collect.
    pub fn pay_at_pickup_ticket() -> KitchenTicket {
        KitchenTicket {
            pickup: "14:30".into(),
            scheduled: true,
            table: None,
            collect: Some(omnicanal_domain::Money::new(12_990, omnicanal_domain::Currency::Clp).display()),
            ..card_ticket()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::samples::{card_ticket as ticket, pay_at_pickup_ticket};
    use super::*;

    #[test]
    fn escpos_starts_by_initialising_carries_the_number_and_ends_with_a_cut() {
        for width in [PaperWidth::Mm58, PaperWidth::Mm80] {
            let bytes = render_kitchen_escpos(&ticket(), width);
            assert_eq!(&bytes[..2], b"\x1b@", "ESC @ first");
            assert!(bytes.windows(5).any(|w| w == b"#4821"), "the order number is printed");
            assert!(bytes.windows(ASAP.len()).any(|w| w == ASAP.as_bytes()), "as soon as possible");
            assert!(bytes.windows(3).any(|w| w == b"NOT"), "the note is printed");
            assert!(bytes.ends_with(b"\x1dV\x01"), "ends with a partial cut");
            assert!(!bytes.windows(1).any(|w| w == b"$"), "no prices on a kitchen ticket");
        }
    }

    #[test]
    fn no_printed_line_is_wider_than_the_paper() {
        for ticket in [ticket(), pay_at_pickup_ticket()] {
            for width in [PaperWidth::Mm58, PaperWidth::Mm80] {
                for command in kitchen_layout(&ticket, width) {
                    if let PrintCommand::Text { text, style } = command {
                        let room = width.columns() / style.size.width_factor();
                        assert!(text.chars().count() <= room, "{text:?} is wider than {room} columns");
                    }
                }
            }
        }
    }

    #[test]
    fn the_page_is_escaped_and_sized_to_the_roll() {
        let page = render_kitchen_html(&ticket(), PaperWidth::Mm58);
        assert!(page.contains("Ana &lt;Pérez&gt;"), "names are escaped");
        assert!(page.contains("@media print") && page.contains("size: 58mm auto"));
        assert!(page.contains("#4821") && page.contains(ASAP) && page.contains("sin mayo"));
        assert!(!page.contains("http"), "nothing loaded from elsewhere");
    }

    #[test]
    fn a_part_paid_at_pickup_says_what_to_collect_under_the_pickup_time() {
        for width in [PaperWidth::Mm58, PaperWidth::Mm80] {
            let lines: Vec<String> = kitchen_layout(&pay_at_pickup_ticket(), width)
                .into_iter()
                .filter_map(|command| match command {
                    PrintCommand::Text { text, .. } => Some(text),
                    _ => None,
                })
                .collect();
            let pickup = lines.iter().position(|line| line == "14:30").expect("the pickup time");
            assert_eq!(lines[pickup + 1], "COBRAR AL RETIRAR $12.990", "{width:?}");
            let bytes = render_kitchen_escpos(&pay_at_pickup_ticket(), width);
            assert!(bytes.windows(25).any(|w| w == b"COBRAR AL RETIRAR $12.990"));
        }
        let page = render_kitchen_html(&pay_at_pickup_ticket(), PaperWidth::Mm80);
        assert!(
            page.contains(
                "<p class=\"collect\" data-testid=\"collect\">COBRAR AL RETIRAR <strong>$12.990</strong></p>"
            )
        );
        assert!(!render_kitchen_html(&ticket(), PaperWidth::Mm80).contains("COBRAR"), "a card order owes nothing");
    }

    #[test]
    fn channels_read_as_staff_say_them() {
        assert_eq!(channel_label(&Channel::Pos), "Caja");
        assert_eq!(channel_label(&Channel::Shop("vtex".into())), "Tienda vtex");
    }
}
