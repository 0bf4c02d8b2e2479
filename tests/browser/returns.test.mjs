// Returns across channels and stores (issue 17 point 6) at 360 px and 1280 px, on a shop of
// its own made through the API (two stores at two sites, a jacket stocked in both, the
// merchant's manager): a customer buys one jacket on the web shop with pickup at store A and
// pays by card 4242…; store A hands it over (picked → ready, then collected with the pickup
// code, through the API: those pages have tests of their own); at store B's till the new
// "Devoluciones" screen finds the purchase by its order number, and ONE jacket comes back,
// restocked at B, refunded to the card. Then, through the API: B's on-hand rose by one, A's
// did not move, and exactly one card refund job exists for the order. A second return of the
// same jacket is refused with a clear message (more than bought), and nothing sticks out.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { BASE, ADMIN, PASSWORD, CARD_OK, apiAt, launch, withPage, waitUntil, artifact, consoleSignIn } from "./lib.mjs";
import { SHOP_PASSWORD, waitForScreen, openSession, noOverflow } from "./pos-lib.mjs";

const call = async (method, path, body, token) => {
  const answer = await apiAt(BASE, method, path, { body, token });
  return answer.body;
};

let browser;
let shop;

async function makeShop() {
  const { token } = await call("POST", "/auth/login", { email: ADMIN, password: PASSWORD });
  const tag = randomUUID().slice(0, 8);
  const siteA = await call("POST", "/sites", { name: `Centro ${tag}`, country: "CL", currency: "CLP", timezone: "America/Santiago" }, token);
  const siteB = await call("POST", "/sites", { name: `Costa ${tag}`, country: "CL", currency: "CLP", timezone: "America/Santiago" }, token);
  const merchant = await call("POST", "/merchants", { name: `Cumbre ${tag}`, kind: "retail", commission_bps: 0 }, token);
  const place = (site, name) =>
    call("POST", "/locations", { merchant_id: merchant.id, site_id: site.id, name, pay_at_pickup: false }, token);
  const storeA = await place(siteA, "Tienda Centro");
  const storeB = await place(siteB, "Tienda Costa");
  const sku = `CHAQ-${tag}`;
  await call(
    "POST",
    "/products",
    { merchant_id: merchant.id, name: "Chaqueta cortaviento", track_stock: true, variants: [{ sku, price: { amount: 39990, currency: "CLP" } }] },
    token,
  );
  for (const store of [storeA, storeB]) {
    await call("POST", "/stock/movements", { sku, location_id: store.id, delta: 5, reason: "receipt" }, token);
  }
  const manager = { email: `jefe.${tag}@cumbre.test`, password: SHOP_PASSWORD };
  await call("POST", "/users", { ...manager, role: "merchant_manager", merchant_id: merchant.id }, token);
  return { token, merchant, storeA, storeB, sku, manager };
}

before(async () => {
  browser = await launch();
  shop = await makeShop();
});
after(async () => {
  await browser?.close();
});

const onHand = async (locationId) => {
  const rows = await call("GET", `/stock?location_id=${encodeURIComponent(locationId)}&sku=${encodeURIComponent(shop.sku)}`, undefined, shop.token);
  return rows.find((row) => row.sku === shop.sku)?.on_hand ?? 0;
};
const refundJobs = async (orderId) => {
  const jobs = await call("GET", `/payment-jobs?order_id=${encodeURIComponent(orderId)}`, undefined, shop.token);
  return (jobs || []).filter((job) => job.kind === "refund");
};

for (const width of [360, 1280]) {
  test(`at ${width} px: bought on the web, collected at A, one item returned at B's till`, async () => {
    const viewport = { width, height: width > 600 ? 800 : 740 };
    await withPage(browser, `returns-${width}`, { viewport, isMobile: width < 600, hasTouch: true }, async (page) => {
      // The web shop: the jacket, pickup at store A, card.
      await page.goto(`${BASE}/shop/${shop.merchant.id}`);
      await page.locator("[data-testid=shop-product-link]").first().click();
      await page.waitForSelector("[data-testid=shop-product-page]");
      await page.locator("[data-testid=add-to-cart]").click();
      await page.locator("[data-testid=added]").waitFor();
      await page.goto(`${BASE}/shop/${shop.merchant.id}/cart`);
      await waitUntil(page, "the pickup stores", () => document.querySelectorAll("#pickup-store option").length > 0);
      await page.locator("[data-testid=pickup-store]").selectOption(shop.storeA.id);
      await page.locator("[data-testid=customer-name]").fill(`Cliente ${width}`);
      await page.locator("[data-testid=card-number]").fill(CARD_OK);
      await page.locator("[data-testid=place-order]").click();
      await page.waitForURL(/\/orders\/.+token=/);
      const orderId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
      const code = (await page.locator("[data-testid=pickup-code]").first().innerText()).trim();

      // Store A hands it over (pick list → picked → ready, then the code at the counter).
      const order = await call("GET", `/orders/${encodeURIComponent(orderId)}`, undefined, shop.token);
      const part = order.fulfillments.find((f) => f.location_id === shop.storeA.id);
      assert.ok(part, `the order has a part at store A: ${JSON.stringify(order)}`);
      const picked = await apiAt(BASE, "POST", `/fulfillments/${part.id}/picked`, { token: shop.token });
      assert.equal(picked.body.status, "ready");
      const collected = await apiAt(BASE, "POST", `/fulfillments/${part.id}/transition`, {
        body: { to: "collected", pickup_code: code },
        token: shop.token,
      });
      assert.equal(collected.body.status, "collected");
      const [beforeA, beforeB] = [await onHand(shop.storeA.id), await onHand(shop.storeB.id)];
      assert.equal((await refundJobs(orderId)).length, 0);

      // Store B's till: the manager signs in, a till at B, a session.
      await consoleSignIn(page, shop.manager.email, { password: shop.manager.password });
      await page.goto(`${BASE}/pos`);
      await waitForScreen(page, "device");
      await page.locator("[data-testid=pos-location]").selectOption(shop.storeB.id);
      await page.locator("[data-testid=pos-device-name]").fill(`Caja Costa ${width}`);
      await page.locator("[data-testid=pos-register-submit]").click();
      await waitForScreen(page, "open");
      await openSession(page, "50.000");

      // Devoluciones: found by order number, one jacket back into B's stock, to the card.
      await page.locator("[data-testid=pos-returns-open]").click();
      await waitForScreen(page, "returns");
      await page.locator("[data-testid=pos-returns-query]").fill(`#${order.number}`);
      await page.locator("[data-testid=pos-returns-search]").click();
      const line = page.locator(`[data-testid=pos-returns-line][data-sku="${shop.sku}"]`);
      await line.waitFor();
      assert.equal(await line.getAttribute("data-returnable"), "1");
      await line.locator("[data-testid=pos-returns-qty]").fill("1");
      await line.locator("[data-testid=pos-returns-restock]").selectOption("restock");
      await page.locator("[data-testid=pos-returns-reason]").fill("No le quedó");
      await noOverflow(page, width, "the returns screen with the purchase");
      await page.screenshot({ path: artifact(`returns-${width}-purchase.png`), fullPage: true });
      await page.locator("[data-testid=pos-returns-submit]").click();
      const result = page.locator("[data-testid=pos-returns-result]");
      await result.waitFor({ state: "visible" });
      assert.equal(await result.getAttribute("data-method"), "card");
      assert.match(await page.locator("[data-testid=pos-returns-note]").innerText(), /^NC-\d+$/);
      assert.equal(await page.locator("[data-testid=pos-returns-amount]").getAttribute("data-amount"), "39990");
      await noOverflow(page, width, "the return's result");
      await page.screenshot({ path: artifact(`returns-${width}-done.png`), fullPage: true });

      // Through the API: B's on-hand rose by one, A's did not, one card refund job.
      assert.equal(await onHand(shop.storeB.id), beforeB + 1, "restocked at B");
      assert.equal(await onHand(shop.storeA.id), beforeA, "nothing at A");
      const jobs = await refundJobs(orderId);
      assert.equal(jobs.length, 1, `one refund job: ${JSON.stringify(jobs)}`);

      // The same jacket again: more than bought, refused in plain words, nothing changed.
      await page.locator("[data-testid=pos-returns-again]").click();
      await page.locator("[data-testid=pos-returns-query]").fill(String(order.number));
      await page.locator("[data-testid=pos-returns-search]").click();
      await line.waitFor();
      assert.equal(await line.getAttribute("data-returnable"), "0");
      await line.locator("[data-testid=pos-returns-qty]").fill("1");
      await page.locator("[data-testid=pos-returns-submit]").click();
      const error = page.locator("[data-testid=pos-returns-error]");
      await error.waitFor({ state: "visible" });
      assert.match(await error.innerText(), /más de lo comprado/);
      assert.match(await error.innerText(), new RegExp(shop.sku));
      await noOverflow(page, width, "the refusal");
      await page.screenshot({ path: artifact(`returns-${width}-refused.png`), fullPage: true });
      assert.equal(await onHand(shop.storeB.id), beforeB + 1, "nothing more restocked");
      assert.equal((await refundJobs(orderId)).length, 1, "no second refund");
    });
  });
}
