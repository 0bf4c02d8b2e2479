// The mall-wide view (issue 15): the operator signs in, opens "Costanera Food Hall" from the
// console's site list and sees every restaurant with its queue (parts not yet handed over),
// the same count the kitchen's own queue gives; an order placed meanwhile shows up without a
// reload (the page refetches itself); pausing a restaurant from there pauses it on the
// customer's menu, and resuming opens it again. At 360 px and at 1280 px, nothing past the edge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE,
  SITE,
  ADMIN,
  launch,
  withPage,
  waitUntil,
  login,
  staffLocation,
  placeOrder,
  apiAt,
  consoleSignIn,
  clearQueue,
  openSite,
  menu,
  artifact,
  overflow,
} from "./lib.mjs";

// Café de Altura is paused and resumed; its coffee counts no stock.
const SLUG = "altura";
const SKU = "ALT-LATT";

let browser;
let locationId;
before(async () => {
  browser = await launch();
  locationId = await staffLocation(SLUG);
  await placeOrder([{ sku: SKU, locationId }], { name: "Cliente Mall" });
  await placeOrder([{ sku: SKU, locationId, quantity: 2 }], { name: "Cliente Mall" });
});
after(async () => {
  await browser?.close();
  const { token } = await login(ADMIN);
  await apiAt(BASE, "PATCH", `/locations/${locationId}`, { token, body: { pause_minutes: 0 }, ok: () => true }).catch(() => {});
  await clearQueue(SLUG).catch(() => {});
});

/** Parts at the location not yet handed over, as the kitchen's queue says. */
async function liveQueue() {
  const { token } = await login(ADMIN);
  const { body } = await apiAt(BASE, "GET", `/locations/${locationId}/queue`, { token });
  return body.items.filter((item) => ["placed", "accepted", "preparing", "ready"].includes(item.status)).length;
}

const card = (page) => page.locator(`[data-testid=mall-location][data-location-id="${locationId}"]`);

for (const [width, height] of [
  [360, 740],
  [1280, 800],
]) {
  test(`${width} px: the admin sees every restaurant's queue, pauses one (the menu says so) and resumes it`, async () => {
    await withPage(browser, `console-mall-${width}`, { viewport: { width, height }, isMobile: width < 600 }, async (page) => {
      await consoleSignIn(page, ADMIN);
      const site = page.locator(`[data-testid=site][data-site-id="${SITE}"]`);
      assert.equal(await site.locator("[data-testid=site-name]").innerText(), "Costanera Food Hall");
      await site.locator("[data-testid=open-mall]").click();
      await page.waitForURL((url) => url.pathname === `/console/sites/${SITE}`);
      assert.match(await page.locator("h1").innerText(), /Costanera Food Hall/);

      const { locations } = await menu();
      assert.equal(await page.locator("[data-testid=mall-location]").count(), locations.length, "every restaurant of the site");
      const names = await page.locator("[data-testid=mall-location-name]").allInnerTexts();
      for (const location of locations) assert.ok(names.includes(location.name), `${location.name} is listed`);

      const expected = await liveQueue();
      assert.ok(expected >= 2, `the two orders wait at ${SLUG}: ${expected}`);
      assert.equal(Number(await card(page).locator("[data-testid=queue-count]").innerText()), expected, "the kitchen's queue length");

      // A new order shows up by itself.
      await placeOrder([{ sku: SKU, locationId }], { name: "Cliente Mall" });
      await waitUntil(
        page,
        "the queue to grow without a reload",
        ([id, n]) => Number(document.querySelector(`[data-location-id="${id}"] [data-testid=queue-count]`)?.textContent) === n,
        [locationId, expected + 1],
        20_000,
      );

      await card(page).locator("[data-testid=mall-pause-15]").click();
      await waitUntil(page, "the card to say paused", (id) => document.querySelector(`[data-testid=mall-location][data-location-id="${id}"]`)?.dataset.state === "paused", locationId);
      assert.match(await card(page).locator("[data-testid=mall-state]").innerText(), /En pausa hasta las \d\d:\d\d/);
      const { scrollWidth, wide } = await overflow(page, width);
      assert.ok(scrollWidth <= width && !wide.length, `nothing past ${width} px: ${wide.join(", ")}`);
      await page.screenshot({ path: artifact(`console-mall-${width}.png`), fullPage: true });

      const customer = await page.context().newPage();
      await openSite(customer);
      const status = customer.locator(`[data-testid=restaurant][data-location-id="${locationId}"] [data-testid=restaurant-status]`);
      assert.equal(await status.getAttribute("data-state"), "paused", "the customer's menu shows it paused");
      await customer.close();

      await card(page).locator("[data-testid=mall-resume]").click();
      await waitUntil(page, "the card to say open", (id) => document.querySelector(`[data-testid=mall-location][data-location-id="${id}"]`)?.dataset.state === "open", locationId);
      const after = (await menu()).locations.find((l) => l.id === locationId);
      assert.equal(after.status.state, "open", "resumed on the customer's menu");
    });
  });
}

test("a merchant manager never reaches the mall view", async () => {
  await withPage(browser, "console-mall-manager", {}, async (page) => {
    await consoleSignIn(page, "gerente.altura@demo.omnicanal.cl");
    const response = await page.goto(`${BASE}/console/sites/${SITE}`);
    assert.equal(response.status(), 404);
    assert.equal(await page.locator("[data-testid=mall-location]").count(), 0);
    assert.equal(await page.locator("[data-testid=site-chooser]").count(), 0, "no site list for a manager");
  });
});
