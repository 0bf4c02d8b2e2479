// The endless aisle (issue 17 point 7), at 1280 px and 360 px: the shop of the test's own
// (pos-lib.mjs) gets a second store that holds a parka the first one lacks. At the first
// store's till the manager opens "Pasillo infinito", searches "parka", sees this store with
// none and the other store with units, adds it from there, chooses home delivery, types the
// address and the customer, pays cash with change and reads the confirmation with the order
// number; the units are held at the other store. Then, in the console's "Envíos" page of the
// other store, the shipment is picked, packed, shipped with a tracking reference (refused
// first without one) and delivered — the held unit leaves that store's on-hand.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, withPage, consoleSignIn, apiAt, artifact, layoutProblems } from "./lib.mjs";
import { makeShop, registerDevice, openSession, waitForScreen } from "./pos-lib.mjs";

const PARKA = { sku: "AIS-PARKA", price: 129990, name: "Parka plumón Andes" };

let browser;
let shop;
let other;
before(async () => {
  browser = await launch();
  shop = await makeShop(BASE);
  const always = Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((day) => [day, [["00:00", "23:59"]]]));
  other = (
    await apiAt(BASE, "POST", "/locations", {
      body: { merchant_id: shop.merchant.id, site_id: shop.site.id, name: "Librería Las Condes", pay_at_pickup: false },
      token: shop.token,
    })
  ).body;
  for (const location of [shop.location, other]) {
    await apiAt(BASE, "PATCH", `/locations/${location.id}`, { body: { opening_hours: always, is_open: true }, token: shop.token });
  }
  await apiAt(BASE, "POST", "/products", {
    body: {
      merchant_id: shop.merchant.id,
      name: PARKA.name,
      track_stock: true,
      variants: [{ sku: PARKA.sku, price: { amount: PARKA.price, currency: "CLP" } }],
    },
    token: shop.token,
  });
  await apiAt(BASE, "POST", "/stock/movements", {
    body: { sku: PARKA.sku, location_id: other.id, delta: 5, reason: "receipt" },
    token: shop.token,
  });
});
after(async () => {
  await browser?.close();
});

const text = (page, testid) => page.locator(`[data-testid=${testid}]`).first().innerText();

async function level(locationId) {
  const rows = (await apiAt(BASE, "GET", `/stock?location_id=${locationId}&sku=${PARKA.sku}`, { token: shop.token })).body;
  const row = rows.find((r) => r.sku === PARKA.sku && r.location_id === locationId);
  return [row?.on_hand ?? 0, row?.reserved ?? 0];
}

async function noOverflow(page, width, what) {
  const layout = await layoutProblems(page, width);
  assert.ok(layout.scrollWidth <= width && !layout.wide.length, `${what}: nothing past the edge: ${JSON.stringify(layout)}`);
}

for (const width of [1280, 360]) {
  test(`at ${width} px: the tablet sells another store's parka for delivery and the console ships it`, async () => {
    const viewport = { width, height: width > 600 ? 800 : 740 };
    const [onHand, reserved] = await level(other.id);
    await withPage(browser, `endless-aisle-${width}`, { viewport, isMobile: width < 600, hasTouch: true }, async (page) => {
      await consoleSignIn(page, shop.manager.email, { password: shop.manager.password });
      assert.equal((await page.goto(`${BASE}/pos`)).status(), 200);
      await waitForScreen(page, "device");
      await page.locator("#location").selectOption(shop.location.id);
      await registerDevice(page, `Tablet ${width}`);
      await openSession(page, "10.000");

      await page.locator("[data-testid=pos-aisle-open]").click();
      await waitForScreen(page, "aisle");
      await page.locator("[data-testid=pos-aisle-query]").fill("parka");
      await page.locator("[data-testid=pos-aisle-find]").click();
      const item = page.locator(`[data-testid=pos-aisle-item][data-sku="${PARKA.sku}"]`);
      await item.waitFor();
      const here = item.locator(`[data-testid=pos-aisle-add][data-location-id="${shop.location.id}"]`);
      assert.ok(await here.isDisabled(), "this store has none to sell");
      const there = item.locator(`[data-testid=pos-aisle-add][data-location-id="${other.id}"]`);
      assert.match(await there.innerText(), new RegExp(`Librería Las Condes: ${onHand - reserved}`));
      await there.click();
      await page.locator("[data-testid=pos-aisle-line]").waitFor();
      // The one engine prices it: the shop's "Gran compra 15%" applies above $100.000, as at the till.
      await page.waitForFunction(() => document.querySelector("[data-testid=pos-aisle-total]")?.dataset.priced === "engine");
      const total = Number(await page.locator("[data-testid=pos-aisle-total]").getAttribute("data-amount"));
      assert.ok(total > 0 && total < PARKA.price, `the promotion applies: ${total}`);
      const clp = (amount) => "$" + amount.toLocaleString("es-CL").replace(/,/g, ".");

      await page.locator("[data-testid=pos-aisle-street]").fill("Av. Apoquindo");
      await page.locator("[data-testid=pos-aisle-number]").fill("4501");
      await page.locator("[data-testid=pos-aisle-district]").fill("Las Condes");
      await page.locator("[data-testid=pos-aisle-name]").fill(`Ana ${width}`);
      await page.locator("[data-testid=pos-aisle-contact]").fill("+56 9 8765 4321");
      await page.locator("[data-testid=pos-aisle-tendered]").fill("130.000");
      assert.equal(await text(page, "pos-aisle-change"), clp(130_000 - total));
      await noOverflow(page, width, "the aisle screen");
      await page.screenshot({ path: artifact(`endless-aisle-${width}.png`), fullPage: true });
      await page.locator("[data-testid=pos-aisle-pay]").click();
      const confirmation = page.locator("[data-testid=pos-aisle-confirmation]");
      await confirmation.waitFor({ state: "visible", timeout: 15_000 });
      assert.match(await text(page, "pos-aisle-order-number"), /Pedido n\.º \d+ confirmado/);
      assert.ok((await text(page, "pos-aisle-paid")).includes(`vuelto ${clp(130_000 - total)}`));
      const orderId = await confirmation.getAttribute("data-order-id");
      assert.deepEqual(await level(other.id), [onHand, reserved + 1], "held at the other store");

      // The other store ships it from the console's "Envíos".
      const shipments = `${BASE}/console/locations/${other.id}/shipments`;
      await page.goto(`${shipments}?status=pending`);
      const sale = (await apiAt(BASE, "GET", `/aisle-orders/${orderId}`, { token: shop.token })).body;
      const card = page.locator(`[data-testid=shipment][data-shipment-id="${sale.shipment.id}"]`);
      await card.waitFor();
      await noOverflow(page, width, "the shipments page");
      for (const step of ["picked", "packed"]) {
        await Promise.all([page.waitForURL(/done=/), card.locator(`[data-testid=shipment-step-${step}]`).click()]);
        await page.locator("[data-testid=shipment-done]").waitFor();
      }
      // The browser asks for the tracking reference before sending the form.
      const tracking = card.locator("[data-testid=shipment-tracking-input]");
      assert.equal(await tracking.evaluate((input) => input.validity.valueMissing), true, "shipping needs a tracking reference");
      await tracking.fill(`CHX-${width}-001`);
      await Promise.all([page.waitForURL(/done=shipped/), card.locator("[data-testid=shipment-step-shipped]").click()]);
      assert.equal(await card.locator("[data-testid=shipment-tracking]").innerText(), `CHX-${width}-001`);
      await Promise.all([page.waitForURL(/done=delivered/), card.locator("[data-testid=shipment-step-delivered]").click()]);
      assert.equal(await card.getAttribute("data-status"), "delivered");
      await page.screenshot({ path: artifact(`endless-aisle-${width}-shipped.png`), fullPage: true });
      assert.deepEqual(await level(other.id), [onHand - 1, reserved], "the held unit left on-hand");
    });
  });
}

// Gift cards at the tablet (issue 17 points 7 + 8): the same parka paid with a gift card's code;
// the card's balance is spent with the order.
test("at 360 px: the tablet takes a gift card for an aisle order", async () => {
  const issued = await apiAt(BASE, "POST", "/gift-cards", {
    body: { merchant_id: shop.merchant.id, amount: { amount: 200000, currency: "CLP" } },
    token: shop.token,
  });
  assert.equal(issued.status, 201, JSON.stringify(issued.body));
  const code = issued.body.code;
  const [onHand, reserved] = await level(other.id);
  let total = 0;
  await withPage(browser, "endless-aisle-gift-card", { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }, async (page) => {
    await consoleSignIn(page, shop.manager.email, { password: shop.manager.password });
    await page.goto(`${BASE}/pos`);
    await waitForScreen(page, "device");
    await page.locator("#location").selectOption(shop.location.id);
    await registerDevice(page, "Tablet regalo");
    await openSession(page, "10.000");
    await page.locator("[data-testid=pos-aisle-open]").click();
    await waitForScreen(page, "aisle");
    await page.locator("[data-testid=pos-aisle-query]").fill("parka");
    await page.locator("[data-testid=pos-aisle-find]").click();
    const item = page.locator(`[data-testid=pos-aisle-item][data-sku="${PARKA.sku}"]`);
    await item.locator(`[data-testid=pos-aisle-add][data-location-id="${other.id}"]`).click();
    await page.waitForFunction(() => document.querySelector("[data-testid=pos-aisle-total]")?.dataset.priced === "engine");
    total = Number(await page.locator("[data-testid=pos-aisle-total]").getAttribute("data-amount"));
    await page.locator("[data-testid=pos-aisle-street]").fill("Av. Apoquindo");
    await page.locator("[data-testid=pos-aisle-number]").fill("4501");
    await page.locator("[data-testid=pos-aisle-district]").fill("Las Condes");
    await page.locator("[data-testid=pos-aisle-name]").fill("Ana Regalo");
    await page.locator("[data-testid=pos-aisle-contact]").fill("+56 9 1234 5678");
    await page.locator("[data-testid=pos-aisle-method-gift-card]").click();
    assert.equal(await page.locator("[data-testid=pos-aisle-tendered]").isVisible(), false, "no cash to hand over");
    await page.locator("[data-testid=pos-aisle-gift-card]").fill(code);
    await noOverflow(page, 360, "the aisle screen with a gift card");
    await page.locator("[data-testid=pos-aisle-pay]").click();
    await page.locator("[data-testid=pos-aisle-confirmation]").waitFor({ state: "visible", timeout: 15_000 });
    assert.match(await text(page, "pos-aisle-order-number"), /Pedido n\.º \d+ confirmado/);
    assert.deepEqual(await level(other.id), [onHand, reserved + 1], "held at the other store");
  });
  const query = new URLSearchParams({ merchant_id: shop.merchant.id, code });
  const balance = (await apiAt(BASE, "GET", `/gift-cards/balance?${query}`, {})).body;
  assert.equal(balance.balance.amount, 200000 - total, JSON.stringify(balance));
});
