// "Pedir ayuda" on the till (issue 18 point 1) at 1280 px and 360 px, on a shop of the test's
// own (pos-lib.mjs): the till's printer is unreachable (a loopback port nobody listens on),
// so a cash sale's receipt fails to print; the next cart has a notebook whose "Gran compra"
// promotion is refused (minimum spend) and its card is declined (4000000000000002, code 05).
// The cashier opens "Pedir ayuda" and sends in one tap; a support agent finds the ticket with
// the decline's code, the printer's error and the refused promotion's reason in its context;
// the agent's public reply appears on the till's "Mis tickets" with a badge, the internal
// note never does.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { BASE, withPage, apiAt, artifact, waitUntil } from "./lib.mjs";
import { tillSuite, pageAt, startTill, openSession, scan, payCash, waitForScreen, NOTEBOOK, PEN, REFUSED, noOverflow } from "./pos-lib.mjs";

const suite = tillSuite();

/** A loopback port with nobody listening. */
async function deadPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function agentToken(width) {
  const agent = { email: `agente.${width}.${Date.now()}@soporte.test`, password: "agente-de-prueba-2026" };
  await apiAt(BASE, "POST", "/users", { token: suite.shop.token, body: { ...agent, role: "support_agent" } });
  const { body } = await apiAt(BASE, "POST", "/auth/login", { body: agent });
  return body.token;
}

for (const width of [1280, 360]) {
  test(`at ${width} px: a failed print and a declined card → "Pedir ayuda" → the desk sees the context and its reply reaches the till`, async () => {
    await withPage(suite.browser, `pos-help-${width}`, pageAt(width), async (page) => {
      const { deviceId } = await startTill(page, suite.shop, `Caja ayuda ${width}`);
      const { body: login } = await apiAt(BASE, "POST", "/auth/login", { body: suite.shop.manager });
      await apiAt(BASE, "PUT", `/pos/devices/${deviceId}/printer`, {
        token: login.token,
        body: { printer: { host: "127.0.0.1", port: await deadPort() } },
      });

      // A cash sale whose receipt does not print.
      await openSession(page, "5.000");
      await scan(page, PEN.barcode);
      await payCash(page, "1.000");
      await waitUntil(page, "the print failure", () => document.querySelector("[data-testid=pos-print-status]")?.dataset.state === "failed");
      await page.locator("[data-testid=pos-next-sale]").click();
      await waitForScreen(page, "sell");

      // A notebook (its big-purchase promotion refused) paid by a card the bank declines.
      await scan(page, NOTEBOOK.barcode);
      await page.locator("[data-testid=pos-pay]").click();
      await waitForScreen(page, "pay");
      await page.locator("[data-testid=pos-method-card]").click();
      await page.locator("[data-testid=pos-tender-card]").fill("4000000000000002");
      await page.locator("[data-testid=pos-add-tender]").click();
      await page.locator("[data-testid=pos-confirm]").click();
      await page.locator("[data-testid=pos-pay-error]").waitFor();

      // "Pedir ayuda": one tap sends it with the till's context.
      await page.locator("[data-testid=pos-help-open]").click();
      await page.locator("[data-testid=pos-help-category]").selectOption("pagos");
      await page.locator("[data-testid=pos-help-text]").fill("La tarjeta dice transacción negada y no imprime");
      await page.locator("[data-testid=pos-help-send]").click();
      const status = page.locator("[data-testid=pos-help-status]");
      await status.waitFor({ state: "visible" });
      assert.match(await status.innerText(), /^Solicitud n\.º \d+ enviada/);
      await page.screenshot({ path: artifact(`pos-help-${width}-sent.png`), fullPage: true });
      await noOverflow(page, width, "the help dialog");

      // The desk finds it with what the till knew.
      const agent = await agentToken(width);
      const { body: tickets } = await apiAt(BASE, "GET", `/support/tickets?location_id=${suite.shop.location.id}`, { token: agent });
      const mine = tickets.find((ticket) => ticket.device_id === deviceId);
      assert.ok(mine, `the till's ticket is on the desk: ${JSON.stringify(tickets)}`);
      assert.equal(mine.source, "till");
      assert.equal(mine.category, "pagos");
      const context = mine.context;
      assert.equal(context.last_decline.code, "05", JSON.stringify(context));
      assert.ok(context.last_printer_error.kind, JSON.stringify(context));
      assert.equal(context.server.last_decline.code, "05", "the server adds the store's last decline");
      assert.equal(context.server.last_printer_error.kind, "refused", "and the till's last print failure");
      assert.equal(context.device.id, deviceId);
      assert.equal(context.cart.lines[0].sku, NOTEBOOK.sku);
      const refused = context.cart.quote.not_applied.find((p) => p.promotion === REFUSED);
      assert.ok(refused, JSON.stringify(context.cart.quote));
      assert.equal(refused.code, "minimum_not_met");
      assert.match(refused.reason, /necesita una compra de al menos/);

      // A note stays on the desk; the reply reaches the till.
      await apiAt(BASE, "POST", `/support/tickets/${mine.id}/messages`, { token: agent, body: { body: "Nota interna: revisar el terminal", internal: true } });
      await apiAt(BASE, "POST", `/support/tickets/${mine.id}/messages`, { token: agent, body: { body: "Reinicie el terminal y vuelva a intentar" } });
      await page.locator("[data-testid=pos-help-close]").click();
      await page.locator("[data-testid=pos-help-badge]").waitFor({ state: "visible", timeout: 15_000 });
      await page.locator("[data-testid=pos-help-open]").click();
      await waitUntil(
        page,
        "the desk's reply on the till",
        () => [...document.querySelectorAll("[data-testid=pos-help-message]")].some((m) => m.textContent.includes("Reinicie el terminal")),
        undefined,
        15_000,
      );
      const shown = await page.locator("[data-testid=pos-help-tickets]").innerText();
      assert.ok(!shown.includes("Nota interna"), "the internal note never reaches the till");
      await page.screenshot({ path: artifact(`pos-help-${width}-answered.png`), fullPage: true });
    });
  });
}

// The knowledge base answers first (issue 18 point 4): as the cashier types, the demo's printer
// article is suggested; "Esto lo resolvió" closes the dialog and the desk's deflection share
// counts a problem solved without a ticket; a problem sent anyway after suggestions counts as
// a ticket. Counts are read before and after (other tests may add their own at the same time).
test("at 360 px: an article suggested as the cashier types solves the problem, and the deflection share counts it", async () => {
  await withPage(suite.browser, "pos-help-kb-360", pageAt(360), async (page) => {
    await startTill(page, suite.shop, "Caja ayuda artículos");
    const agent = await agentToken("kb");
    const deflection = async () => (await apiAt(BASE, "GET", "/support/articles/deflection", { token: agent })).body;
    const before = await deflection();

    await page.locator("[data-testid=pos-help-open]").click();
    await page.locator("[data-testid=pos-help-text]").fill("la impresora no imprime");
    const article = page.locator("[data-testid=pos-help-article]").filter({ hasText: "La impresora no imprime" }).first();
    await article.waitFor({ state: "visible", timeout: 10_000 });
    await noOverflow(page, 360, "the suggested articles");
    await page.screenshot({ path: artifact("pos-help-kb-360-suggested.png"), fullPage: true });
    await article.locator("button").click();
    await waitUntil(page, "the dialog closed", () => !document.querySelector("[data-testid=pos-help-dialog]")?.open);
    let solved;
    for (let tries = 0; tries < 50; tries++) {
      solved = await deflection();
      if (solved.solved_without_ticket > before.solved_without_ticket) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(solved.solved_without_ticket >= before.solved_without_ticket + 1, JSON.stringify({ before, solved }));
    assert.ok(solved.suggested >= before.suggested + 1, JSON.stringify({ before, solved }));

    // Suggested, but sent as a ticket all the same.
    await page.locator("[data-testid=pos-help-open]").click();
    assert.equal(await page.locator("[data-testid=pos-help-article]").count(), 0, "a solved problem's suggestions are gone");
    await page.locator("[data-testid=pos-help-text]").fill("la impresora no imprime ni con papel nuevo");
    await page.locator("[data-testid=pos-help-article]").first().waitFor({ state: "visible", timeout: 10_000 });
    // The suggestions opened a help session for this problem before it is sent.
    let opened;
    for (let tries = 0; tries < 50; tries++) {
      opened = await deflection();
      if (opened.suggested > solved.suggested) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(opened.suggested >= solved.suggested + 1, JSON.stringify({ solved, opened }));
    await page.locator("[data-testid=pos-help-send]").click();
    await page.locator("[data-testid=pos-help-status]").waitFor({ state: "visible" });
    let sent;
    for (let tries = 0; tries < 50; tries++) {
      sent = await deflection();
      if (sent.tickets_opened > solved.tickets_opened) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(sent.tickets_opened >= solved.tickets_opened + 1, JSON.stringify({ solved, sent }));

    // Suggested, then the page reloaded with the dialog open: the problem counts as abandoned,
    // not as a session left open forever.
    await page.keyboard.press("Escape");
    await waitUntil(page, "the dialog closed", () => !document.querySelector("[data-testid=pos-help-dialog]")?.open);
    await page.locator("[data-testid=pos-help-open]").click();
    await page.locator("[data-testid=pos-help-text]").fill("la impresora sigue sin imprimir");
    await page.locator("[data-testid=pos-help-article]").first().waitFor({ state: "visible", timeout: 10_000 });
    let suggestedAgain;
    for (let tries = 0; tries < 50; tries++) {
      suggestedAgain = await deflection();
      if (suggestedAgain.suggested > sent.suggested) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.reload();
    let abandoned;
    for (let tries = 0; tries < 50; tries++) {
      abandoned = await deflection();
      if (abandoned.abandoned > suggestedAgain.abandoned) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(abandoned.abandoned >= suggestedAgain.abandoned + 1, JSON.stringify({ suggestedAgain, abandoned }));
  });
});
