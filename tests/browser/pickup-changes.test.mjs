// Pay at pickup with a size swapped at the counter, and the console's pick list (issue 17
// points 4 and 5), at 1280 px and 360 px. The test's own shop (pos-lib.mjs) sells a T-shirt
// in sizes M and L; a customer orders size M on the web, paying at pickup. In the console the
// store's manager opens "Por preparar", sees the order with its SKU and quantity, and marks it
// ready. At the till "Retiros" finds the order by the customer's phone, "Cambiar pedido" swaps
// the line to size L, the server reprices it (L costs more), and the new total is paid in cash
// with change; the stock hold moved from M to L.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, withPage, apiAt, artifact, layoutProblems } from "./lib.mjs";
import { makeShop, waitForScreen, openSession, startTill } from "./pos-lib.mjs";

const SHIRT_M = { sku: "POLERA-M", price: 9990, name: "Polera algodón M" };
const SHIRT_L = { sku: "POLERA-L", price: 11990, name: "Polera algodón L" };

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
  await apiAt(BASE, "POST", "/products", {
    body: {
      merchant_id: shop.merchant.id,
      name: "Polera algodón",
      track_stock: true,
      variants: [SHIRT_M, SHIRT_L].map((v) => ({ sku: v.sku, price: { amount: v.price, currency: "CLP" }, attributes: { talla: v.sku.slice(-1) } })),
    },
    token: shop.token,
  });
  for (const shirt of [SHIRT_M, SHIRT_L]) {
    await apiAt(BASE, "POST", "/stock/movements", {
      body: { sku: shirt.sku, location_id: shop.location.id, delta: 10, reason: "adjustment" },
      token: shop.token,
    });
  }
  managerToken = (await apiAt(BASE, "POST", "/auth/login", { body: shop.manager })).body.token;
});
after(async () => {
  await browser?.close();
});

const clp = (amount) => "$" + amount.toLocaleString("es-CL").replace(/,/g, ".");
const reserved = async (sku) => {
  const rows = (await apiAt(BASE, "GET", `/stock?location_id=${shop.location.id}&sku=${sku}`, { token: shop.token })).body;
  return rows.find((row) => row.sku === sku)?.reserved ?? 0;
};

for (const [index, width] of [1280, 360].entries()) {
  test(`at ${width} px: picked in the console, found by phone at the till, a size swapped and paid in cash`, async () => {
    const viewport = { width, height: width > 600 ? 800 : 740 };
    const phone = `+56 9 5555 10${index}${index}`;
    const body = {
      site_id: shop.site.id,
      channel: "web",
      customer: { name: `Cliente talla ${width}`, phone },
      lines: [{ sku: SHIRT_M.sku, location_id: shop.location.id, quantity: 1 }],
      payment: { method: "pay_at_pickup" },
    };
    const placed = await apiAt(BASE, "POST", "/orders", { body });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    const part = placed.body.fulfillments.find((f) => f.location_id === shop.location.id);
    const [heldM, heldL] = [await reserved(SHIRT_M.sku), await reserved(SHIRT_L.sku)];

    await withPage(browser, `pickup-changes-${width}`, { viewport, isMobile: width < 600, hasTouch: true }, async (page) => {
      // The console's pick list shows the order; "Listo para retirar" makes it ready.
      const { response } = await startTill(page, shop, `Caja tallas ${width}`);
      assert.equal(response.status(), 200);
      await page.goto(`${BASE}/console/locations/${shop.location.id}/pick-list`);
      const entry = page.locator(`[data-testid=pick-order][data-fulfillment-id="${part.id}"]`);
      await entry.waitFor();
      assert.equal(await entry.locator("[data-testid=pick-sku]").innerText(), SHIRT_M.sku);
      assert.equal(await entry.locator("[data-testid=pick-quantity]").innerText(), "1");
      await page.screenshot({ path: artifact(`pick-list-${width}.png`), fullPage: true });
      let layout = await layoutProblems(page, width);
      assert.ok(layout.scrollWidth <= width && !layout.wide.length, `pick list within the edge: ${JSON.stringify(layout)}`);
      await entry.locator("[data-testid=pick-ready]").click();
      await page.locator("[data-testid=pick-done]").waitFor();
      assert.equal(await page.locator(`[data-testid=pick-order][data-fulfillment-id="${part.id}"]`).count(), 0);

      // At the till: found by phone, the size swapped, the new total paid in cash.
      await page.goto(`${BASE}/pos`);
      await openSession(page, "20.000");
      await page.locator("[data-testid=pos-pickup-open]").click();
      await waitForScreen(page, "pickup");
      await page.locator("[data-testid=pos-pickup-phone]").fill(phone);
      await page.locator("[data-testid=pos-pickup-phone-find]").click();
      const found = page.locator("[data-testid=pos-pickup-order]");
      await found.waitFor({ state: "visible" });
      assert.equal(await found.getAttribute("data-fulfillment-id"), part.id);
      assert.equal(await page.locator("[data-testid=pos-pickup-owed]").innerText(), clp(SHIRT_M.price));

      await page.locator("[data-testid=pos-pickup-change-open]").click();
      await page.locator("[data-testid=pos-pickup-change-sku]").first().selectOption(SHIRT_L.sku);
      await page.locator("[data-testid=pos-pickup-change-save]").click();
      await page.waitForFunction(
        (amount) => document.querySelector("[data-testid=pos-pickup-owed]")?.dataset.amount === String(amount),
        SHIRT_L.price,
      );
      assert.equal(await reserved(SHIRT_M.sku), heldM - 1, "size M's hold freed");
      assert.equal(await reserved(SHIRT_L.sku), heldL + 1, "size L held");

      await page.locator("[data-testid=pos-pickup-tendered]").fill("20.000");
      assert.equal(await page.locator("[data-testid=pos-pickup-change]").innerText(), clp(20_000 - SHIRT_L.price));
      await page.screenshot({ path: artifact(`pickup-changes-${width}.png`), fullPage: true });
      layout = await layoutProblems(page, width);
      assert.ok(layout.scrollWidth <= width && !layout.wide.length, `till within the edge: ${JSON.stringify(layout)}`);
      await page.locator("[data-testid=pos-pickup-collect]").click();
      const done = page.locator("[data-testid=pos-pickup-done]");
      await page.waitForFunction(() => document.querySelector("[data-testid=pos-pickup-done]")?.dataset.change);
      assert.equal(await done.getAttribute("data-change"), String(20_000 - SHIRT_L.price));
      const changes = (await apiAt(BASE, "GET", `/pos/pickups/${part.id}/changes`, { token: managerToken })).body;
      assert.equal(changes.length, 1);
      assert.equal(changes[0].after[0].sku, SHIRT_L.sku);
    });
  });
}
