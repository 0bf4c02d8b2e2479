// Issue 13, point 9, in a kitchen tablet's Chromium: on the live display an accepted part and
// one being prepared share the "preparing" column but each card says which it is, in its own
// badge of its own colour; no card shows a separator standing alone; and the reports page names
// its two net figures apart ("Ventas netas" of the day against the settlement's "Neto a pagar").
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE,
  TABLET,
  PASSWORD,
  launch,
  withPage,
  waitUntil,
  login,
  staffEmail,
  staffLocation,
  placeOrder,
  partAt,
  apiAt,
  consoleSignIn,
  cardLocator,
  waitForConnection,
  clearQueue,
  artifact,
} from "./lib.mjs";

const KITCHEN = "altura";
const DISH = "ALT-LATT"; // Café latte: no options, no stock count

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await clearQueue(KITCHEN).catch(() => {});
});

/** Every text on the board that is only a separator, or starts or ends with one. */
const strandedSeparators = (page) =>
  page.evaluate(() => {
    const found = [];
    const walker = document.createTreeWalker(document.querySelector("[data-testid=board]"), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      if (/^[·|—–-]|[·|—–-]$/.test(text) && !/^\d/.test(text)) found.push(JSON.stringify(node.parentElement.outerHTML.slice(0, 160)));
    }
    return found;
  });

test("accepted and preparing are told apart at a glance, and no separator stands alone", async () => {
  const locationId = await staffLocation(KITCHEN);
  const { token } = await login(staffEmail(KITCHEN));
  const accepted = await partAt(await placeOrder([{ sku: DISH, locationId }], { name: "Aceptada Sinempezar" }), locationId);
  const started = await partAt(await placeOrder([{ sku: DISH, locationId }], { name: "Preparando Ya" }), locationId);
  await apiAt(BASE, "POST", `/fulfillments/${accepted.id}/transition`, { token, body: { to: "accepted" } });
  for (const to of ["accepted", "preparing"]) {
    await apiAt(BASE, "POST", `/fulfillments/${started.id}/transition`, { token, body: { to } });
  }
  await withPage(browser, "console-stages", TABLET, async (page) => {
    await consoleSignIn(page, staffEmail(KITCHEN));
    await page.waitForURL((url) => url.pathname === `/console/locations/${locationId}`);
    await waitForConnection(page, ["online"]);
    const badges = {};
    for (const [part, stage, words] of [
      [accepted, "accepted", "Aceptado, sin empezar"],
      [started, "preparing", "En preparación"],
    ]) {
      const card = cardLocator(page, part.id);
      await card.waitFor();
      assert.equal(await card.evaluate((el) => el.closest("[data-column]").dataset.column), "preparing");
      const badge = card.locator("[data-testid=card-stage]");
      assert.equal(await badge.getAttribute("data-stage"), stage);
      assert.equal((await badge.innerText()).trim(), words);
      assert.ok(await badge.isVisible(), `${stage}: the badge is shown`);
      badges[stage] = await badge.evaluate((el) => {
        const style = getComputedStyle(el);
        return [style.backgroundColor, style.color, style.borderStyle].join(" ");
      });
    }
    assert.notEqual(badges.accepted, badges.preparing, `the two badges look different: ${JSON.stringify(badges)}`);
    await page.screenshot({ path: artifact("console-stages.png") });
    assert.deepEqual(await strandedSeparators(page), []);
    await page.setViewportSize({ width: 360, height: 800 });
    assert.deepEqual(await strandedSeparators(page), [], "at 360 px too");
  });
  await clearQueue(KITCHEN);
});

test("the reports page says which net figure is which", async () => {
  await withPage(browser, "console-report-nets", TABLET, async (page) => {
    await consoleSignIn(page, `gerente.${KITCHEN}@demo.omnicanal.cl`, { password: PASSWORD });
    await page.goto(`${BASE}/console/reports`);
    await page.locator("[data-testid=settlement-net]").waitFor();
    await waitUntil(page, "the takings table loaded", () => document.querySelector("[data-testid=takings-table]").getAttribute("aria-busy") === "false");
    const takingsNet = (await page.locator("[data-testid=takings-net-heading]").innerText()).trim();
    const settlementNet = (await page.locator("[data-testid=settlement-net]").evaluate((dd) => dd.previousElementSibling.textContent)).trim();
    assert.equal(takingsNet, "Ventas netas");
    assert.equal(settlementNet, "Neto a pagar");
    const body = await page.locator("main").innerText();
    const payable = body.match(/Neto a pagar/g) || [];
    // Once as the settlement's figure, once in the hint under the takings that points to it.
    assert.equal(payable.length, 2, `"Neto a pagar" names one figure: ${body}`);
    const hint = await page.locator("[data-testid=takings-hint]").innerText();
    assert.match(hint, /Ventas netas = bruto − reembolsos, antes de la comisión/);
    assert.match(hint, /Neto a pagar/);
    assert.match(await page.locator("[data-testid=settlement-hint]").innerText(), /^Neto = /);
    await page.screenshot({ path: artifact("console-report-nets.png"), fullPage: true });

    await page.goto(`${BASE}/console/reports?lang=en`);
    await page.locator("[data-testid=settlement-net]").waitFor();
    assert.equal((await page.locator("[data-testid=takings-net-heading]").innerText()).trim(), "Net sales");
    assert.match(await page.locator("[data-testid=takings-hint]").innerText(), /Net payable/);
  });
});
