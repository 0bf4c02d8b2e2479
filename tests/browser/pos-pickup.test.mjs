// The till collects a pay-at-pickup web order (issue 14 point 4), at 1280 px and 360 px: a
// customer orders two notebooks on the web shop of the test's own shop (pos-lib.mjs, its
// location switched to take payment at pickup) and reads the pickup code on the order page;
// the shop marks it ready; at the till the manager opens "Retiros", types a wrong code (told
// plainly), then the right one: the till shows the lines and "COBRAR AL RETIRAR" with the
// amount, $10.000 in cash shows the change, and collecting hands it over; the customer's order
// page then shows it picked up, and the cash is in the session's expected cash. The till's
// "Pedido telefónico" opens the console's phone order page for its location.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, withPage, consoleSignIn, apiAt, artifact, waitUntil, layoutProblems } from "./lib.mjs";
import { makeShop, registerDevice, openSession, waitForScreen, NOTEBOOK } from "./pos-lib.mjs";

let browser;
let shop;
let managerToken;
before(async () => {
  browser = await launch();
  shop = await makeShop(BASE);
  const always = Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((day) => [day, [["00:00", "23:59"]]]));
  await apiAt(BASE, "PATCH", `/locations/${shop.location.id}`, {
    body: { pay_at_pickup: true, opening_hours: always, is_open: true },
    token: shop.token,
  });
  managerToken = (await apiAt(BASE, "POST", "/auth/login", { body: shop.manager })).body.token;
});
after(async () => {
  await browser?.close();
});

const text = (page, testid) => page.locator(`[data-testid=${testid}]`).first().innerText();
const clp = (amount) => "$" + amount.toLocaleString("es-CL").replace(/,/g, ".");

/** A web order of two notebooks paid at pickup, made ready by the shop; returns it and its part. */
async function readyOrder(width) {
  const body = {
    site_id: shop.site.id,
    channel: "web",
    customer: { name: `Retira ${width}`, phone: "+56 9 1111 2222" },
    lines: [{ sku: NOTEBOOK.sku, location_id: shop.location.id, quantity: 2 }],
    payment: { method: "pay_at_pickup" },
  };
  const order = (await apiAt(BASE, "POST", "/orders", { body })).body;
  const part = order.fulfillments.find((f) => f.location_id === shop.location.id);
  for (const to of ["accepted", "preparing", "ready"]) {
    await apiAt(BASE, "POST", `/fulfillments/${part.id}/transition`, { body: { to }, token: managerToken });
  }
  return { order, part };
}

for (const width of [1280, 360]) {
  test(`at ${width} px: a pay-at-pickup web order is collected at the till in cash with change`, async () => {
    const viewport = { width, height: width > 600 ? 800 : 740 };
    const { order, part } = await readyOrder(width);
    const owed = part.subtotal.amount;
    await withPage(browser, `pos-pickup-${width}`, { viewport, isMobile: width < 600, hasTouch: true }, async (page) => {
      // The customer's order page shows the code (and its QR) to show at the counter.
      const orderUrl = `${BASE}/s/${shop.site.id}/orders/${order.id}?token=${encodeURIComponent(order.tracking_token)}`;
      await page.goto(orderUrl);
      const code = (await text(page, "pickup-code")).trim();
      assert.equal(code, part.pickup_code);
      assert.ok(await page.locator("[data-testid=pickup-qr] svg").count(), "a QR of the code");

      await consoleSignIn(page, shop.manager.email, { password: shop.manager.password });
      assert.equal((await page.goto(`${BASE}/pos`)).status(), 200);
      await registerDevice(page, `Caja retiros ${width}`);
      await openSession(page, "10.000");

      await page.locator("[data-testid=pos-pickup-open]").click();
      await waitForScreen(page, "pickup");
      // A wrong code: told plainly, nothing shown to collect.
      const wrong = code === "0000" ? "0001" : "0000";
      await page.locator("[data-testid=pos-pickup-code]").fill(wrong);
      await page.locator("[data-testid=pos-pickup-code]").press("Enter");
      await page.locator("[data-testid=pos-pickup-error]").waitFor({ state: "visible" });
      assert.match(await text(page, "pos-pickup-error"), new RegExp(`No hay un pedido con el código ${wrong}`));
      assert.ok(await page.locator("[data-testid=pos-pickup-order]").isHidden());

      await page.locator("[data-testid=pos-pickup-code]").fill(code);
      await page.locator("[data-testid=pos-pickup-find]").click();
      const found = page.locator("[data-testid=pos-pickup-order]");
      await found.waitFor({ state: "visible" });
      assert.equal(await found.getAttribute("data-status"), "ready");
      assert.equal(await page.locator("[data-testid=pos-pickup-line]").count(), 1);
      assert.match(await page.locator("[data-testid=pos-pickup-line]").innerText(), /2 × Cuaderno universitario/);
      const shown = await found.innerText();
      assert.ok(shown.includes("COBRAR AL RETIRAR"), `the amount owed is called out: ${shown}`);
      assert.equal(await text(page, "pos-pickup-owed"), clp(owed));

      await page.locator("[data-testid=pos-pickup-tendered]").fill("10.000");
      assert.equal(await text(page, "pos-pickup-change"), clp(10_000 - owed));
      await page.screenshot({ path: artifact(`pos-pickup-${width}.png`), fullPage: true });
      const layout = await layoutProblems(page, width);
      assert.ok(layout.scrollWidth <= width && !layout.wide.length, `nothing past the edge: ${JSON.stringify(layout)}`);
      assert.deepEqual(layout.broken, [], "no word broken across lines");
      await page.locator("[data-testid=pos-pickup-collect]").click();
      const done = page.locator("[data-testid=pos-pickup-done]");
      await done.waitFor({ state: "visible" });
      assert.equal(await done.getAttribute("data-change"), String(10_000 - owed));
      assert.match(await done.innerText(), new RegExp(`entregado y cobrado. Vuelto: ${clp(10_000 - owed).replace("$", "\\$")}`));

      // Looked up again: already picked up, nothing to collect.
      await page.locator("[data-testid=pos-pickup-code]").fill(code);
      await page.locator("[data-testid=pos-pickup-code]").press("Enter");
      await waitUntil(page, "the part shown collected", () => document.querySelector("[data-testid=pos-pickup-order]")?.dataset.status === "collected");
      assert.ok(await page.locator("[data-testid=pos-pickup-collect]").isHidden(), "nothing to collect twice");
      await page.screenshot({ path: artifact(`pos-pickup-${width}-done.png`), fullPage: true });

      // The session expects the float plus the cash kept.
      const deviceId = await page.locator("[data-testid=pos-where]").getAttribute("data-device-id");
      const devices = (await apiAt(BASE, "GET", `/pos/devices?location_id=${shop.location.id}`, { token: managerToken })).body;
      const session = devices.find((d) => d.id === deviceId)?.open_session_id;
      assert.ok(session, `the till has its open session: ${JSON.stringify(devices)}`);
      const report = (await apiAt(BASE, "GET", `/pos/sessions/${session}`, { token: managerToken })).body;
      assert.equal(report.expected_cash.amount, 10_000 + owed);
      assert.equal(report.pickups.count, 1);

      // "Pedido telefónico" on the till opens the console's phone order page for its location.
      await page.locator("[data-testid=pos-pickup-back]").click();
      await waitForScreen(page, "sell");
      await page.locator("[data-testid=pos-phone-order]").click();
      await page.waitForURL((url) => url.pathname === `/console/locations/${shop.location.id}/phone`);
      await page.locator("[data-testid=phone-form]").waitFor();

      // The customer's order page now shows the part picked up.
      await page.goto(orderUrl);
      await waitUntil(page, "the order page shows it picked up", () => document.querySelector("[data-testid=part-status]")?.dataset.status === "collected");
    });
  });
}
