// The agents' console (issue 18 points 1-4) at 360 px and 1280 px: the demo's agent opens the
// queue, opens a ticket a till sent through the API with its context, reads the decline code
// 05, the printer error and a refused promotion's reason as text, replies with a saved reply
// (its {store} and {number} filled), and the store reads that reply through the API; a ticket
// opened meanwhile appears in the queue without a reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, api, launch, login, withPage, consoleSignIn, overflow, waitUntil } from "./lib.mjs";

const AGENT = "soporte@demo.omnicanal.dev";
const CASHIER = "caja.providencia@demo.omnicanal.cl";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

function tillContext() {
  return {
    device: { id: "caja-1", name: "Caja 1" },
    cashier: { email: CASHIER },
    connectivity: { online: true, last_sync_at: new Date().toISOString() },
    unsent_sales: 1,
    last_printer_error: { kind: "paper_out", message: "Sin papel en la impresora", at: new Date().toISOString() },
    last_decline: { code: "05", message: "No autorizada por el emisor", at: new Date().toISOString() },
    cart: {
      lines: [{ sku: "AND-BOT-1L", name: "Botella térmica", quantity: 1 }],
      quote: {
        total: { amount: 19990, currency: "CLP" },
        applied: [],
        not_applied: [{ promotion: "2x1 en botellas", code: "min_quantity", reason: "Faltan unidades para el 2x1" }],
      },
    },
    "<b>raro</b>": "<img src=x onerror=alert(1)>",
  };
}

for (const [width, height] of [
  [360, 740],
  [1280, 800],
]) {
  test(`${width} px: an agent answers a till's ticket with a saved reply, and new tickets arrive live`, async () => {
    const cashier = await login(CASHIER);
    const agent = await login(AGENT);
    const stamp = `${width}-${Date.now()}`;
    const macro = await api("POST", "/support/macros", {
      token: agent.token,
      body: { title: `Respuesta ${stamp}`, body: "Hola {store}, revisamos el ticket #{number}." },
    });
    const ticket = await api("POST", "/support/tickets", {
      token: cashier.token,
      body: { location_id: cashier.user.location_id, subject: `Caja rechaza ${stamp}`, category: "pagos", source: "till", context: tillContext() },
    });
    const viewport = { viewport: { width, height }, isMobile: width < 600 };
    await withPage(browser, `support-desk-${width}`, viewport, async (page) => {
      await consoleSignIn(page, AGENT);
      await page.goto(`${BASE}/support?queue=all`);
      const row = page.locator(`[data-testid=desk-row][data-ticket-id="${ticket.id}"]`);
      await row.waitFor({ timeout: 10_000 });

      // A ticket opened meanwhile shows without a reload.
      const later = await api("POST", "/support/tickets", {
        token: cashier.token,
        body: { location_id: cashier.user.location_id, subject: `Llega en vivo ${stamp}`, category: "impresora" },
      });
      await page.locator(`[data-testid=desk-row][data-ticket-id="${later.id}"]`).waitFor({ timeout: 15_000 });
      const wideQueue = await overflow(page, width);
      assert.ok(wideQueue.scrollWidth <= width, `the queue fits ${width} px: ${JSON.stringify(wideQueue)}`);

      await row.locator("[data-testid=desk-row-link]").click();
      await page.waitForURL((url) => url.pathname === `/support/tickets/${ticket.id}`);
      const context = page.locator("[data-testid=desk-context]");
      await page.locator("[data-testid=desk-context-decline]").waitFor();
      assert.match(await page.locator("[data-testid=desk-context-decline]").innerText(), /05/);
      assert.match(await page.locator("[data-testid=desk-context-printer]").innerText(), /Sin papel en la impresora/);
      assert.match(await page.locator("[data-testid=desk-context-refused]").innerText(), /Faltan unidades para el 2x1/);
      assert.match(await context.innerText(), /<img src=x onerror=alert\(1\)>/, "an unknown key is shown as text");
      assert.equal(await context.locator("img, b").count(), 0, "nothing the till sent becomes markup");

      await page.locator("[data-testid=desk-macro]").selectOption(macro.id);
      const filled = await page.locator("[data-testid=desk-reply-body]").inputValue();
      assert.match(filled, new RegExp(`ticket #${ticket.number}\\.`), filled);
      assert.ok(!filled.includes("{store}"), filled);
      await page.locator("[data-testid=desk-reply-send]").click();
      await waitUntil(page, "the reply in the conversation", (text) => [...document.querySelectorAll("[data-testid=desk-message]")].some((m) => m.innerText.includes(text)), `ticket #${ticket.number}.`);
      const wideTicket = await overflow(page, width);
      assert.ok(wideTicket.scrollWidth <= width, `the ticket fits ${width} px: ${JSON.stringify(wideTicket)}`);
    });

    const seen = await api("GET", `/support/tickets/${ticket.id}`, { token: cashier.token });
    assert.ok(
      seen.messages.some((m) => m.body.includes(`ticket #${ticket.number}.`) && !m.internal),
      `the store reads the reply: ${JSON.stringify(seen.messages)}`,
    );
  });
}
