// Incidents before anyone calls (issue 18 point 5), the way a store lives it: at one bookshop's
// till the bank declines card after card (the sandbox's 4000000000000002, code 05) — five in a
// row — while another bookshop sells normally (a cash sale, one lone decline). Within a minute
// the desk has exactly one "payment declines" incident, at the first store, with the code in
// its evidence, and none at the second; the agent finds it on /support/incidents at 1280 px and
// at 360 px. Nothing here calls the telemetry API: the server's own payment path reports the
// declines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, apiAt, artifact, consoleSignIn, withPage } from "./lib.mjs";
import { tillSuite, makeShop, pageAt, startTill, openSession, scan, payCash, waitForScreen, NOTEBOOK, PEN, noOverflow } from "./pos-lib.mjs";

const DECLINED = "4000000000000002";
const suite = tillSuite();

/** One card payment the bank declines, on the pay screen: the card tender is dropped each time. */
async function declinedCard(page) {
  await page.locator("[data-testid=pos-method-card]").click();
  await page.locator("[data-testid=pos-tender-card]").fill(DECLINED);
  await page.locator("[data-testid=pos-add-tender]").click();
  await page.locator("[data-testid=pos-pay-error]").waitFor({ state: "hidden" });
  await page.locator("[data-testid=pos-confirm]").click();
  await page.locator("[data-testid=pos-pay-error]").waitFor({ state: "visible" });
}

/** The open payment-decline incidents at `locationId`, as the desk's API lists them. */
async function declineIncidents(token, locationId) {
  const { body } = await apiAt(BASE, "GET", `/support/incidents?status=open&cause=payment_declines&location_id=${encodeURIComponent(locationId)}`, { token });
  return Array.isArray(body) ? body : body.items || [];
}

test("a burst of declined cards at one store opens one incident within a minute; another store's normal day opens none", async () => {
  const calm = await makeShop(BASE);
  const agent = { email: `agente.rechazos.${Date.now()}@soporte.test`, password: "agente-de-prueba-2026" };
  await apiAt(BASE, "POST", "/users", { token: suite.shop.token, body: { ...agent, role: "support_agent" } });
  const { body: login } = await apiAt(BASE, "POST", "/auth/login", { body: agent });

  // The calm store: a cash sale and one lone decline, its normal day.
  await withPage(suite.browser, "support-declines-calm", pageAt(1280), async (page) => {
    await startTill(page, calm, "Caja tranquila");
    await openSession(page, "5.000");
    await scan(page, PEN.barcode);
    await payCash(page, "1.000");
    await page.locator("[data-testid=pos-next-sale]").click();
    await waitForScreen(page, "sell");
    await scan(page, PEN.barcode);
    await page.locator("[data-testid=pos-pay]").click();
    await waitForScreen(page, "pay");
    await declinedCard(page);
  });

  // The store in trouble: five declines in a row for the same notebook.
  const started = Date.now();
  await withPage(suite.browser, "support-declines-burst", pageAt(1280), async (page) => {
    await startTill(page, suite.shop, "Caja con rechazos");
    await openSession(page, "5.000");
    await scan(page, NOTEBOOK.barcode);
    await page.locator("[data-testid=pos-pay]").click();
    await waitForScreen(page, "pay");
    for (let attempt = 0; attempt < 5; attempt++) await declinedCard(page);
  });

  let incidents = [];
  while (Date.now() - started < 60_000) {
    incidents = await declineIncidents(login.token, suite.shop.location.id);
    if (incidents.length) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.equal(incidents.length, 1, "one incident at the store whose cards were declined, within a minute");
  assert.match(JSON.stringify(incidents[0].evidence), /05/, JSON.stringify(incidents[0]));
  assert.deepEqual(await declineIncidents(login.token, calm.location.id), [], "none at the calm store");

  for (const width of [1280, 360]) {
    await withPage(suite.browser, `support-declines-desk-${width}`, pageAt(width), async (page) => {
      await consoleSignIn(page, agent.email, { password: agent.password });
      await page.goto(`${BASE}/support/incidents?status=open&cause=payment_declines&location_id=${encodeURIComponent(suite.shop.location.id)}`);
      const row = page.locator(`[data-testid=incident-row][data-id="${incidents[0].id}"]`);
      await row.waitFor();
      assert.match(await row.locator("[data-testid=incident-cause]").innerText(), /Rechazos de pago/);
      assert.match(await row.locator("[data-testid=incident-evidence]").innerText(), /05/);
      await page.screenshot({ path: artifact(`support-declines-desk-${width}.png`), fullPage: true });
      await noOverflow(page, width, "the incidents page");
      await page.goto(`${BASE}/support/incidents?cause=payment_declines&location_id=${encodeURIComponent(calm.location.id)}`);
      await page.locator("[data-testid=incident-empty]").waitFor();
    });
  }
});
