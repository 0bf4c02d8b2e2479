//! Writes the ESC/POS layouts and bytes of the sample documents, for the interop check.
//!
//! ```text
//! cargo run -q -p omnicanal-server --example escpos_sample -- OUTDIR
//! ```
//!
//! For each sample (receipts, tax documents, a kitchen ticket) on 58 and 80 mm paper it writes `NAME.json`, the layout
//! (`{"name", "columns", "commands"}`, commands as [`PrintCommand`] serialises them), and
//! `NAME.bin`, the bytes [`encode_escpos`] makes of it. `tests/interop/escpos_check.py` replays
//! each layout through python-escpos and compares the bytes. Nothing here is committed.

use std::path::PathBuf;
use std::process::ExitCode;

use omnicanal_server::documents::escpos::{PrintCommand, encode_escpos, escpos_layout};
use omnicanal_server::documents::kitchen::{KitchenTicket, kitchen_layout, samples as tickets};
use omnicanal_server::documents::{DocumentView, PaperWidth, samples};

fn main() -> ExitCode {
    let Some(out_dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: escpos_sample OUTDIR");
        return ExitCode::from(2);
    };
    match write_samples(&out_dir) {
        Ok(count) => {
            println!("wrote {count} ESC/POS samples to {}", out_dir.display());
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("escpos_sample: {error}");
            ExitCode::FAILURE
        }
    }
}

fn write_samples(out_dir: &std::path::Path) -> std::io::Result<usize> {
    std::fs::create_dir_all(out_dir)?;
    let documents = [
        ("mall_receipt", Sample::Document(Box::new(samples::mall_receipt()))),
        ("refunded_receipt", Sample::Document(Box::new(samples::refunded_receipt()))),
        ("boleta", Sample::Document(Box::new(samples::boleta()))),
        ("voided_factura", Sample::Document(Box::new(samples::voided_factura()))),
        ("awkward_text", Sample::Document(Box::new(awkward_text()))),
        ("kitchen_pay_at_pickup", Sample::Ticket(Box::new(tickets::pay_at_pickup_ticket()))),
    ];
    let mut count = 0;
    for (name, sample) in &documents {
        for (suffix, width) in [("58mm", PaperWidth::Mm58), ("80mm", PaperWidth::Mm80)] {
            let name = format!("{name}_{suffix}");
            let commands: Vec<PrintCommand> = match sample {
                Sample::Document(doc) => escpos_layout(doc, width),
                Sample::Ticket(ticket) => kitchen_layout(ticket, width),
            };
            let layout = serde_json::json!({ "name": name, "columns": width.columns(), "commands": commands });
            std::fs::write(out_dir.join(format!("{name}.json")), serde_json::to_vec_pretty(&layout)?)?;
            std::fs::write(out_dir.join(format!("{name}.bin")), encode_escpos(&commands))?;
            count += 1;
        }
    }
    Ok(count)
}

/// A receipt or tax document, or a kitchen ticket: both print through the same encoder.
enum Sample {
    Document(Box<DocumentView>),
    Ticket(Box<KitchenTicket>),
}

/// Text that tests the edges: Windows-1252's own letters, characters it lacks, control characters,
/// decomposed accents and a word longer than the paper.
fn awkward_text() -> DocumentView {
    let mut doc = samples::boleta();
    doc.customer_name = "Zoë\tO'Higgins «Café»\u{1b}@ — Jose\u{301}".to_owned();
    let line = &mut doc.sections[0].lines[0];
    line.description =
        "Ñoquis\u{a0}al pesto ½ porción 10€ “especial” 🍝 ĄĘŁ SúperCalifragilísticoEspialidosoExtraLargo".to_owned();
    line.discounts.push(("Cupón ¡bienvenida! ™".to_owned(), omnicanal_domain::Money::new(100, line.total.currency)));
    doc
}
