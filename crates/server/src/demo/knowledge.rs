//! The demo's knowledge base (issue 18 point 4): published articles for the problems the
//! stores call about — the printer that does not print, a promotion that does not apply, the
//! card terminal's "transacción negada" by decline code, the till offline with unsent sales,
//! stock that does not match — in Spanish, some also in English (linked as translations).
//! Written through the ordinary use case, as the platform's operator.

use omnicanal_app::support::knowledge::articles::ArticleDraft;
use omnicanal_app::{App, AppResult, Caller};

/// (locale, category, title, markdown body, index of the Spanish original for a translation).
type DemoArticle = (&'static str, &'static str, &'static str, &'static str, Option<usize>);

const ARTICLES: [DemoArticle; 13] = [
    (
        "es",
        "impresora",
        "La impresora no imprime: revise el papel y la tapa",
        "Si la caja dice que imprimió pero no sale nada:\n\n\
         1. **Abra la tapa** y revise que el rollo de papel térmico esté puesto con la cara brillante hacia \
         el cabezal. Un rollo al revés imprime en blanco.\n\
         2. Si el rollo se acabó, cámbielo por uno de 80 mm.\n\
         3. Cierre la tapa con firmeza hasta oír el clic: con la tapa abierta la impresora no imprime.\n\
         4. En la caja, pulse **Reimprimir** en la última venta.\n\n\
         Si la luz de error sigue encendida, apague y encienda la impresora.",
        None,
    ),
    (
        "es",
        "impresora",
        "Boletas en cola: la impresora no responde",
        "Cuando la caja muestra **«boletas en cola»**, las ventas están guardadas y se imprimirán al \
         volver la impresora. No repita la venta.\n\n\
         - Revise el cable de red o USB y que la impresora esté encendida.\n\
         - Si la impresora está en la red, compruebe que tenga la misma dirección IP configurada en la caja.\n\
         - Cuando vuelva, la cola se imprime sola, en orden. Si la cola no baja en 2 minutos, pida ayuda \
         desde la caja con «Pedir ayuda»: el ticket llevará el último error de la impresora.",
        None,
    ),
    (
        "es",
        "impresora",
        "La impresión sale débil, cortada o con rayas",
        "Una impresión débil o con rayas blancas suele ser el cabezal sucio o papel de mala calidad.\n\n\
         - Limpie el cabezal con un paño seco y sin pelusa (con la impresora apagada).\n\
         - Use papel térmico de 80 mm de buena calidad.\n\
         - Si la boleta sale cortada a la mitad, revise que el rollo no esté trabado.",
        None,
    ),
    (
        "es",
        "promociones",
        "La promoción no se aplica: condiciones, fechas y canal",
        "La caja explica en el carrito por qué cada promoción **no** se aplicó. Las causas más comunes:\n\n\
         - **Fechas**: la promoción del fin de semana empieza el sábado a las 00:00 en la hora de la tienda \
         y termina el domingo a las 23:59.\n\
         - **Canal**: una promoción solo para la tienda web no se aplica en la caja, y al revés.\n\
         - **Condiciones**: monto mínimo, productos o categorías incluidas (por ejemplo, solo faldas de la \
         temporada), y cupón obligatorio.\n\
         - **Exclusiva**: si otra promoción exclusiva ya se aplicó, la segunda no suma.\n\n\
         Si la razón mostrada no corresponde, pida ayuda: el ticket lleva el carrito con su cotización.",
        None,
    ),
    (
        "es",
        "promociones",
        "El cupón es rechazado en la caja",
        "Un cupón se rechaza cuando ya se usó el máximo de veces, venció, o es de otra tienda.\n\n\
         - Escriba el código sin espacios; mayúsculas y minúsculas dan igual.\n\
         - Revise la fecha de vencimiento impresa en el cupón.\n\
         - Si el cliente insiste, ofrezca la promoción vigente y abra un ticket con el código.",
        None,
    ),
    (
        "es",
        "pagos",
        "Transacción negada: qué significa cada código (05, 51, 54…)",
        "El terminal de tarjetas muestra **«transacción negada»** con un código del banco. La caja guarda el \
         código en la venta.\n\n\
         | código | qué significa | qué hacer |\n\
         | --- | --- | --- |\n\
         | 05 | el banco no autoriza, sin detalle | pida otro medio de pago; el cliente debe llamar a su banco |\n\
         | 51 | fondos insuficientes | pida otra tarjeta o efectivo |\n\
         | 54 | tarjeta vencida | pida otra tarjeta |\n\
         | 55 | PIN incorrecto | el cliente puede reintentar una vez |\n\
         | 91 | el banco no responde | espere un minuto y reintente |\n\n\
         Si **varias tarjetas distintas** son negadas seguidas con 05, el problema puede ser del terminal: \
         pida ayuda desde la caja.",
        None,
    ),
    (
        "es",
        "pagos",
        "El terminal de tarjetas no conecta",
        "Si el terminal no responde o dice «sin conexión»:\n\n\
         1. Revise que esté cargado y encendido.\n\
         2. Apáguelo y enciéndalo.\n\
         3. Mientras tanto, cobre en efectivo o con otro terminal registrado como «tarjeta externa».",
        None,
    ),
    (
        "es",
        "sincronizacion",
        "Caja sin conexión: ventas sin enviar",
        "La caja sigue vendiendo sin internet: cada venta se guarda en el equipo con su número de boleta y \
         se envía sola al volver la conexión, **una sola vez**.\n\n\
         - El contador «ventas sin enviar» baja a cero cuando todo llegó.\n\
         - No cierre sesión ni borre los datos del navegador con ventas sin enviar.\n\
         - Si el contador no baja después de volver la conexión, pida ayuda: el ticket lleva cuántas ventas \
         faltan.",
        None,
    ),
    (
        "es",
        "stock",
        "Diferencias de stock entre la caja y el sistema",
        "Una venta hecha sin conexión nunca se rechaza por stock: si faltaban unidades, queda un **conflicto \
         de stock** que el encargado resuelve en la consola.\n\n\
         - Revise los conflictos del local en la consola (Conflictos).\n\
         - Cuente las unidades reales y registre el ajuste con su motivo.\n\
         - Las transferencias entre tiendas en tránsito no cuentan en ninguna de las dos hasta recibirse.",
        None,
    ),
    (
        "es",
        "otro",
        "Cómo pedir ayuda desde la caja",
        "Pulse **«Pedir ayuda»** en la caja y escriba el problema: primero le sugerimos artículos. Si uno lo \
         resuelve, pulse «Esto lo resolvió». Si no, envíe el ticket: lleva solo la tienda, la caja, la \
         conexión, el último error de impresora o de pago y el carrito actual.",
        None,
    ),
    (
        "en",
        "impresora",
        "The printer does not print: check the paper and the cover",
        "If the till says it printed but nothing comes out:\n\n\
         1. **Open the cover** and check the thermal paper roll faces the print head. A roll put in \
         backwards prints blank.\n\
         2. Replace an empty roll with an 80 mm one.\n\
         3. Close the cover firmly until it clicks.\n\
         4. On the till, press **Reprint** on the last sale.",
        Some(0),
    ),
    (
        "en",
        "pagos",
        "Transaction declined: what each code means (05, 51, 54…)",
        "The card terminal shows **“declined”** with the bank's code.\n\n\
         - **05**: the bank does not authorise; ask for another payment method.\n\
         - **51**: insufficient funds.\n\
         - **54**: expired card.\n\n\
         If several different cards are declined in a row with 05, the terminal may be at fault: ask for help.",
        Some(5),
    ),
    (
        "en",
        "sincronizacion",
        "Till offline: unsent sales",
        "The till keeps selling offline: each sale is kept on the device and sent once when the connection \
         returns. Do not sign out or clear the browser's data while sales are unsent.",
        Some(7),
    ),
];

/// Writes the demo's articles, published, linking each English one to its Spanish original.
pub async fn load(app: &App, operator: &Caller) -> AppResult<()> {
    let mut ids: Vec<String> = Vec::with_capacity(ARTICLES.len());
    for (locale, category, title, body, original) in ARTICLES {
        let translation = original.and_then(|index| ids.get(index).cloned());
        let draft = ArticleDraft::parse(
            Some(locale),
            Some(title),
            Some(body),
            Some(category),
            translation.as_deref(),
            Some(true),
        )?;
        let written = app.create_article(operator, draft).await?;
        if let Some(original_id) = translation {
            // Link the Spanish original back to its translation.
            let spanish = app.article(operator, &original_id).await?.article;
            let back = ArticleDraft::parse(
                Some(spanish.locale.as_str()),
                Some(&spanish.title),
                Some(&spanish.body),
                Some(spanish.category.as_str()),
                Some(&written.article.id),
                None,
            )?;
            app.update_article(operator, &original_id, back).await?;
        }
        ids.push(written.article.id);
    }
    Ok(())
}
