// Shared by the till's browser tests (issue 14): a shop of their own, made through the API as
// the demo admin on any server (the main one or a test's own) — its own site (so no site-wide
// demo promotion changes the totals), a retail merchant, a location with stock, a manager and a
// staff login, products with barcodes and two promotions: one that applies to a 2-unit cart of
// notebooks and one that needs a bigger purchase — and the till's page helpers, with the steps
// every till test starts with (a browser and a shop for the suite, the manager signed in on a
// till of their own), so they are written once.
import { randomUUID } from "node:crypto";
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { apiAt, PASSWORD, ADMIN, BASE, waitUntil, launch, consoleSignIn, layoutProblems } from "./lib.mjs";

export const SHOP_PASSWORD = "caja-de-prueba-2026";

/** Notebook: 10% off by promotion. Pen: no promotion. Prices in CLP. */
export const NOTEBOOK = { sku: "LIB-CUAD", barcode: "7801234500011", price: 2990, name: "Cuaderno universitario" };
export const PEN = { sku: "LIB-LAPIZ", barcode: "7801234500028", price: 590, name: "Lápiz pasta azul" };
export const APPLIED = "Cuadernos 10%";
export const REFUSED = "Gran compra 15%";

/** Creates the shop on the server at `base`; returns ids, logins and the admin's token. */
export async function makeShop(base) {
  const call = async (method, path, body, token) => (await apiAt(base, method, path, { body, token })).body;
  const { token } = await call("POST", "/auth/login", { email: ADMIN, password: PASSWORD });
  const tag = randomUUID().slice(0, 8);
  const site = await call("POST", "/sites", { name: `Librería ${tag}`, country: "CL", currency: "CLP", timezone: "America/Santiago" }, token);
  const merchant = await call("POST", "/merchants", { name: `Librería Central ${tag}`, kind: "retail", commission_bps: 0 }, token);
  const location = await call(
    "POST",
    "/locations",
    { merchant_id: merchant.id, site_id: site.id, name: "Librería Providencia", pay_at_pickup: false },
    token,
  );
  for (const item of [NOTEBOOK, PEN]) {
    await call(
      "POST",
      "/products",
      {
        merchant_id: merchant.id,
        name: item.name,
        track_stock: true,
        variants: [{ sku: item.sku, price: { amount: item.price, currency: "CLP" }, barcode: item.barcode }],
      },
      token,
    );
    await call("POST", "/stock/movements", { sku: item.sku, location_id: location.id, delta: 100, reason: "adjustment" }, token);
  }
  await call(
    "POST",
    "/promotions",
    { merchant_id: merchant.id, name: APPLIED, kind: { type: "percent_off_lines", bps: 1000, skus: [NOTEBOOK.sku] } },
    token,
  );
  await call(
    "POST",
    "/promotions",
    {
      merchant_id: merchant.id,
      name: REFUSED,
      kind: { type: "percent_off_order", bps: 1500 },
      min_spend: { amount: 100000, currency: "CLP" },
    },
    token,
  );
  const manager = { email: `jefa.${tag}@libreria.test`, password: SHOP_PASSWORD };
  await call("POST", "/users", { ...manager, role: "merchant_manager", merchant_id: merchant.id }, token);
  const staff = { email: `caja.${tag}@libreria.test`, password: SHOP_PASSWORD };
  await call("POST", "/users", { ...staff, role: "staff", merchant_id: merchant.id, location_id: location.id }, token);
  return { base, token, site, merchant, location, manager, staff };
}

/** Waits for the till's screen `name` (data-state of the app). */
export async function waitForScreen(page, name, timeout = 10_000) {
  await waitUntil(page, `the till's ${name} screen`, (n) => document.querySelector("[data-testid=pos-app]")?.dataset.state === n, name, timeout);
}

/** On the device screen: registers a till named `name` (a manager) and lands on the open screen. */
export async function registerDevice(page, name) {
  await waitForScreen(page, "device");
  await page.locator("[data-testid=pos-device-name]").fill(name);
  await page.locator("[data-testid=pos-register-submit]").click();
  await waitForScreen(page, "open");
}

/** Opens the cash session with `float` typed as the cashier would. */
export async function openSession(page, float) {
  await page.locator("[data-testid=pos-float]").fill(float);
  await page.locator("[data-testid=pos-open]").click();
  await waitForScreen(page, "sell");
}

/** Types `code` into the search box and presses Enter, as a barcode scanner does. */
export async function scan(page, code) {
  const search = page.locator("[data-testid=pos-search]");
  await search.fill(code);
  await search.press("Enter");
}

/** Pays the cart with cash, `tendered` typed in, and confirms; waits for the receipt. */
export async function payCash(page, tendered) {
  await page.locator("[data-testid=pos-pay]").click();
  await waitForScreen(page, "pay");
  await page.locator("[data-testid=pos-method-cash]").click();
  await page.locator("[data-testid=pos-tender-amount]").fill(tendered);
  await page.locator("[data-testid=pos-add-tender]").click();
  await page.locator("[data-testid=pos-confirm]").click();
  await waitForScreen(page, "receipt", 15_000);
}

/**
 * Registers the suite's hooks: before it, a browser and a shop of its own on BASE (then
 * `setup(shop)`, for what the suite adds to it); after it, the browser closed. Returns the
 * suite's `{ browser, shop }`, filled in when its tests run.
 */
export function tillSuite(setup) {
  const suite = { browser: undefined, shop: undefined };
  before(async () => {
    suite.browser = await launch();
    suite.shop = await makeShop(BASE);
    await setup?.(suite.shop);
  });
  after(async () => {
    await suite.browser?.close();
  });
  return suite;
}

/** A test's page options at `width` px: a phone below 600 px, a desk above, touch either way. */
export const pageAt = (width) => ({ viewport: { width, height: width > 600 ? 800 : 740 }, isMobile: width < 600, hasTouch: true });

/** The text of the first element with test id `testid`. */
export const text = (page, testid) => page.locator(`[data-testid=${testid}]`).first().innerText();

/** Asserts nothing on the page sticks out past `width` and no word is broken across lines. */
export async function noOverflow(page, width, what) {
  const layout = await layoutProblems(page, width);
  assert.ok(layout.scrollWidth <= width && !layout.wide.length, `${what}: nothing past the edge: ${JSON.stringify(layout)}`);
  assert.deepEqual(layout.broken, [], `${what}: no word broken across lines`);
}

/**
 * Signs `shop`'s manager in, opens the till and registers a till named `name`; returns the
 * page's answer, the till's device id and its receipt series.
 */
export async function startTill(page, shop, name) {
  await consoleSignIn(page, shop.manager.email, { password: shop.manager.password, base: shop.base });
  const response = await page.goto(`${shop.base}/pos`);
  await registerDevice(page, name);
  const where = page.locator("[data-testid=pos-where]");
  return { response, deviceId: await where.getAttribute("data-device-id"), series: await where.getAttribute("data-series") };
}
