//! The demo's support desk (issue 18 points 1–4): an agent's login (`soporte@…`, added with
//! the others), a few saved replies in Spanish, and tickets from the retailer's stores and a
//! food-court restaurant with what their tills knew — a failed print, a card declined with code
//! 05, a promotion the till refused with its reason — so `/support` has something to work.
//!
//! Everything goes through the ordinary use cases, as the store's cashier (signed in with the
//! demo password) and as the agent; only the logins themselves are seeded.

use omnicanal_app::support::OpenTicket;
use omnicanal_app::support::macros::MacroText;
use omnicanal_app::{App, AppResult};
use serde_json::json;

/// The desk's demo login.
pub(super) const AGENT_EMAIL: &str = "soporte@demo.omnicanal.dev";

/// Saved replies every agent starts with.
const MACROS: [(&str, &str); 4] = [
    (
        "Saludo",
        "Hola, equipo de {store}: gracias por escribirnos. Ya estamos revisando el ticket #{number} y les contamos en cuanto tengamos novedades.",
    ),
    (
        "Impresora sin papel o atascada",
        "Hola {cashier}: abran la tapa de la impresora, retiren el papel atascado y pongan un rollo nuevo con el papel saliendo por abajo. Luego toquen «Reimprimir» en la caja. ¿Nos confirman si salió la boleta?",
    ),
    (
        "Tarjeta rechazada (código 05)",
        "El código 05 significa que el banco del cliente no autorizó la compra: no es una falla de la caja. Pidan al cliente otro medio de pago o que llame a su banco.",
    ),
    (
        "Promoción no aplicada",
        "Revisamos el carro del ticket #{number}: la promoción no aplica porque no se cumple una de sus condiciones (ver el motivo en el ticket). Si creen que debería aplicar, respóndannos con la boleta.",
    ),
];

/// Saves the macros and opens the tickets. `cashiers` are (cashier's e-mail, store's name) of
/// tills whose staff open a ticket each; all use `password`.
pub(super) async fn load(app: &App, password: &str, cashiers: &[(String, String)]) -> AppResult<()> {
    let (_, agent) = app.sign_in(AGENT_EMAIL, password, None).await?;
    for (title, body) in MACROS {
        app.create_support_macro(&agent.caller, MacroText::parse(title, body)?).await?;
    }
    for (index, (email, store)) in cashiers.iter().enumerate() {
        let (_, cashier) = app.sign_in(email, password, None).await?;
        let Some(location_id) = cashier.caller.location_id.clone() else { continue };
        let (subject, description, category, priority, context) = match index % 3 {
            0 => (
                "La impresora no imprime la boleta",
                "Hay cola y la boleta no sale; la caja dice que la impresora no responde.",
                "impresora",
                "high",
                json!({
                    "device": {"id": "caja-1", "name": format!("Caja 1 · {store}")},
                    "cashier": {"email": email}, "app_version": "2026.12.1",
                    "connectivity": {"online": true, "last_sync_at": "2026-12-07T12:58:00Z"},
                    "unsent_sales": 0,
                    "last_printer_error": {"kind": "paper_out", "message": "Sin papel (sensor de fin de rollo)", "at": "2026-12-07T12:59:10Z"},
                }),
            ),
            1 => (
                "Tarjeta rechazada con código 05",
                "Dos clientes seguidos con la tarjeta rechazada. ¿Es la terminal?",
                "pagos",
                "urgent",
                json!({
                    "device": {"id": "caja-1", "name": format!("Caja 1 · {store}")},
                    "cashier": {"email": email}, "app_version": "2026.12.1",
                    "connectivity": {"online": true, "last_sync_at": "2026-12-07T13:01:00Z"},
                    "unsent_sales": 2,
                    "last_decline": {"code": "05", "message": "No autorizada por el emisor", "at": "2026-12-07T13:02:30Z"},
                }),
            ),
            _ => (
                "No se aplica la promoción 2x1",
                "El cliente dice que la promoción del folleto debería aplicar y la caja no la descuenta.",
                "promociones",
                "normal",
                json!({
                    "device": {"id": "caja-1", "name": format!("Caja 1 · {store}")},
                    "cashier": {"email": email}, "app_version": "2026.12.1",
                    "connectivity": {"online": false, "last_sync_at": "2026-12-07T11:40:00Z"},
                    "unsent_sales": 0,
                    "cart": {
                        "lines": [{"sku": "AND-BOT-1L", "name": "Botella térmica 1 L", "quantity": 1}],
                        "quote": {
                            "total": {"amount": 19990, "currency": "CLP"},
                            "applied": [],
                            "not_applied": [{"promotion": "2x1 en botellas", "code": "min_quantity", "reason": "Se necesitan 2 unidades y el carro tiene 1"}],
                        },
                    },
                }),
            ),
        };
        let ticket = OpenTicket::parse(
            &location_id,
            subject,
            description,
            Some(category),
            Some(priority),
            Some(&context),
            None,
            Some("till"),
        )?;
        app.open_support_ticket(&cashier.caller, ticket).await?;
    }
    Ok(())
}
