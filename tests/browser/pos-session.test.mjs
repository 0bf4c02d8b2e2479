// The till's money accounting (/pos, issue 14, points 2 and 3) on a shop of the test's own
// (pos-lib.mjs), at 1280 px and 360 px: a 20 % line discount above the till's 10 % limit asks
// for a manager's PIN — a wrong PIN says how many tries are left, the right one applies it and
// the line shows the manual discount; a pen is voided (within the limit, no PIN); the sale is
// paid in cash; cash is taken out with a reason; the close is counted note by note with the
// expected cash, the counted cash and the difference shown as the cashier counts; the session
// report opens from the close as an 80 mm page with the discount, the void, the cash out and
// the difference.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, withPage, apiAt, artifact, waitUntil } from "./lib.mjs";
import {
  tillSuite,
  pageAt,
  text,
  noOverflow,
  startTill,
  openSession,
  scan,
  payCash,
  waitForScreen,
  NOTEBOOK,
  PEN,
} from "./pos-lib.mjs";

const PIN = "4821";
const suite = tillSuite(async (shop) => {
  const { body } = await apiAt(BASE, "POST", "/auth/login", { body: shop.manager });
  await apiAt(BASE, "PUT", "/users/me/pin", { body: { pin: PIN }, token: body.token });
});

for (const width of [1280, 360]) {
  test(`at ${width} px: a discount with the manager's PIN, a void, cash out, the count and the report`, async () => {
    await withPage(suite.browser, `pos-session-${width}`, pageAt(width), async (page) => {
      await startTill(page, suite.shop, `Caja dinero ${width}`);
      await openSession(page, "10.000");

      // A notebook (2.990 − 10 % promotion = 2.691) and a pen.
      await scan(page, NOTEBOOK.barcode);
      await scan(page, PEN.barcode);
      await waitUntil(page, "two cart lines", () => document.querySelectorAll("[data-testid=pos-line]").length === 2);
      assert.equal(await text(page, "pos-total"), "$3.281");

      // 20 % on the notebook is above the 10 % limit: the manager's PIN.
      await page.locator(`[data-testid=pos-line][data-sku="${NOTEBOOK.sku}"] [data-testid=pos-line-actions]`).click();
      await page.locator("[data-testid=pos-line-percent]").fill("20");
      await page.locator("[data-testid=pos-line-apply]").click();
      await page.locator("[data-testid=pos-pin-input]").waitFor();
      assert.match(await text(page, "pos-pin-why"), /10%/);
      await page.screenshot({ path: artifact(`pos-session-${width}-pin.png`), fullPage: true });
      await page.locator("[data-testid=pos-pin-input]").fill("0000");
      await page.locator("[data-testid=pos-pin-approve]").click();
      await waitUntil(page, "the wrong PIN told", () => document.querySelector("[data-testid=pos-line-message]")?.dataset.kind === "wrong");
      assert.equal(await text(page, "pos-line-message"), "PIN incorrecto. Quedan 4 intentos.");
      await page.locator("[data-testid=pos-pin-input]").fill(PIN);
      await page.locator("[data-testid=pos-pin-reason]").fill("cliente frecuente");
      await page.locator("[data-testid=pos-pin-approve]").click();
      await waitUntil(page, "the dialog closed", () => !document.querySelector("[data-testid=pos-line-dialog]").open);
      // 20 % of 2.691 = 538 (538,2).
      assert.equal(await text(page, "pos-line-manual"), "Descuento manual −$538");
      assert.equal(await text(page, "pos-total"), "$2.743");

      // The pen is voided: $590 is within the limit, no PIN.
      await page.locator(`[data-testid=pos-line][data-sku="${PEN.sku}"] [data-testid=pos-line-actions]`).click();
      await page.locator("[data-testid=pos-line-void]").click();
      await waitUntil(page, "one line left", () => document.querySelectorAll("[data-testid=pos-line]").length === 1);
      assert.equal(await text(page, "pos-total"), "$2.153");
      await noOverflow(page, width, "the cart with a manual discount");
      await page.screenshot({ path: artifact(`pos-session-${width}-cart.png`), fullPage: true });
      await payCash(page, "2.153");
      assert.equal(await text(page, "pos-receipt-total"), "$2.153");
      await page.locator("[data-testid=pos-next-sale]").click();
      await waitForScreen(page, "sell");

      // Cash out with a reason.
      await page.locator("[data-testid=pos-cash-move]").click();
      await page.locator("[data-testid=pos-cash-out]").check();
      await page.locator("[data-testid=pos-cash-amount]").fill("1.000");
      await page.locator("[data-testid=pos-cash-save]").click();
      assert.equal(await text(page, "pos-cash-error"), "Escribe el motivo.");
      await page.locator("[data-testid=pos-cash-reason]").fill("pago al repartidor");
      await page.screenshot({ path: artifact(`pos-session-${width}-cash.png`), fullPage: true });
      await page.locator("[data-testid=pos-cash-save]").click();
      await waitUntil(page, "the cash out recorded", () => document.querySelector("[data-testid=pos-cash-result]")?.textContent.includes("pago al repartidor"));
      assert.equal(await text(page, "pos-cash-result"), "Registrado: Salida de $1.000 (pago al repartidor)");

      // The close, note by note: 10.000 + 2.153 − 1.000 = 11.153 expected; 11.100 counted.
      await page.locator("[data-testid=pos-close-session]").click();
      await waitForScreen(page, "close");
      await waitUntil(page, "the expected cash", () => document.querySelector("[data-testid=pos-live-expected]")?.textContent === "$11.153");
      await page.locator("[data-testid=pos-count-10000]").fill("1");
      await page.locator("[data-testid=pos-count-1000]").fill("1");
      await page.locator("[data-testid=pos-count-100]").fill("1");
      assert.equal(await text(page, "pos-count-total"), "$11.100");
      assert.equal(await page.locator("[data-testid=pos-counted]").inputValue(), "11100");
      assert.equal(await text(page, "pos-live-difference"), "-$53");
      await noOverflow(page, width, "the count");
      await page.screenshot({ path: artifact(`pos-session-${width}-count.png`), fullPage: true });
      await page.locator("[data-testid=pos-close]").click();
      await page.locator("[data-testid=pos-close-result]").waitFor();
      assert.equal(await text(page, "pos-close-expected"), "$11.153");
      assert.equal(await text(page, "pos-close-counted"), "$11.100");
      assert.equal(await text(page, "pos-close-difference"), "-$53");

      // The report, linked from the close.
      const link = page.locator("[data-testid=pos-report-link]");
      await link.waitFor();
      const href = await link.getAttribute("href");
      const response = await page.goto(`${BASE}${href}`);
      assert.equal(response.status(), 200);
      const report = await text(page, "session-report");
      for (const expected of [
        "Informe de caja",
        "Descuentos manuales\n$538",
        "Líneas anuladas\n1 · $590",
        "Salida: pago al repartidor\n-$1.000",
        "Diferencia\n-$53",
        "$10.000 × 1\n$10.000",
        "Devoluciones\n0 · $0",
      ]) {
        assert.ok(report.includes(expected), `the report shows ${JSON.stringify(expected)}:\n${report}`);
      }
      await noOverflow(page, width, "the report");
      await page.screenshot({ path: artifact(`pos-session-${width}-report.png`), fullPage: true });
    });
  });
}
