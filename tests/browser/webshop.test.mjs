// The merchant's web shop (issue 17 points 1 and 2) at 360 px and 1280 px, on a shop of its
// own made through the API (two stores at two sites without opening hours, so always open, a
// warehouse, a t-shirt in size × colour with a 10 % promotion, a cap without options):
// browse → filter by size → the product page says how many are left in each store and shows
// the engine's price → add to the cart → pickup in a store → card 4242… → the order page with
// its pickup code. Also: nothing past the right edge, every cart input labelled, and the units
// reserved at the chosen store (and only there).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { apiAt, ADMIN, PASSWORD, BASE, CARD_OK, launch, withPage, waitUntil, overflow, artifact } from "./lib.mjs";

let browser;
let shop;

const call = async (method, path, body, token) => (await apiAt(BASE, method, path, { body, token })).body;

async function makeShop() {
  const { token } = await call("POST", "/auth/login", { email: ADMIN, password: PASSWORD });
  const tag = randomUUID().slice(0, 8);
  const siteA = await call("POST", "/sites", { name: `Providencia ${tag}`, country: "CL", currency: "CLP", timezone: "America/Santiago" }, token);
  const siteB = await call("POST", "/sites", { name: `Viña ${tag}`, country: "CL", currency: "CLP", timezone: "America/Santiago" }, token);
  const merchant = await call("POST", "/merchants", { name: `Andes Web ${tag}`, kind: "retail", commission_bps: 0 }, token);
  const place = (site, name) =>
    call("POST", "/locations", { merchant_id: merchant.id, site_id: site.id, name, pay_at_pickup: true }, token);
  const storeA = await place(siteA, "Tienda Providencia");
  const storeB = await place(siteB, "Tienda Viña");
  const warehouse = await place(siteB, "Bodega Web");
  await call("PUT", `/locations/${warehouse.id}/kind`, { kind: "warehouse" }, token);
  const variant = (sku, size) => ({ sku, price: { amount: 14990, currency: "CLP" }, attributes: { Talla: size, Color: "Azul" } });
  const polera = await call(
    "POST",
    "/products",
    {
      merchant_id: merchant.id,
      name: "Polera trekking",
      track_stock: true,
      options: [{ name: "Talla", values: ["S", "M"] }, { name: "Color", values: ["Azul"] }],
      variants: [variant(`P${tag}-S`, "S"), variant(`P${tag}-M`, "M")],
    },
    token,
  );
  await call(
    "POST",
    "/products",
    { merchant_id: merchant.id, name: "Gorro", track_stock: true, variants: [{ sku: `G${tag}`, price: { amount: 9990, currency: "CLP" } }] },
    token,
  );
  for (const [sku, at, units] of [
    [`P${tag}-M`, storeA.id, 2],
    [`P${tag}-M`, storeB.id, 9],
    [`P${tag}-S`, warehouse.id, 3],
    [`G${tag}`, storeA.id, 4],
  ]) {
    await call("POST", "/stock/movements", { sku, location_id: at, delta: units, reason: "receipt" }, token);
  }
  await call(
    "POST",
    "/promotions",
    { merchant_id: merchant.id, name: "Poleras 10%", kind: { type: "percent_off_lines", bps: 1000, skus: [`P${tag}-M`] } },
    token,
  );
  return { token, merchant, storeA, storeB, warehouse, polera, medium: `P${tag}-M` };
}

before(async () => {
  browser = await launch();
  shop = await makeShop();
});
after(async () => {
  await browser?.close();
});

async function reservedAt(locationId, sku) {
  const rows = await call("GET", `/stock?location_id=${encodeURIComponent(locationId)}&sku=${encodeURIComponent(sku)}`, undefined, shop.token);
  return rows[0]?.reserved ?? 0;
}

for (const viewport of [{ width: 360, height: 740 }, { width: 1280, height: 800 }]) {
  test(`web shop at ${viewport.width} px: filter, stock per store, pickup order paid by card`, async () => {
    await withPage(browser, `webshop-${viewport.width}`, { viewport, isMobile: viewport.width < 400 }, async (page) => {
      const beforeB = await reservedAt(shop.storeB.id, shop.medium);
      await page.goto(`${BASE}/shop/${shop.merchant.id}`);
      assert.equal(await page.locator("html").getAttribute("lang"), "es");
      assert.equal(await page.locator("[data-testid=shop-product]").count(), 2, "both products listed");

      // Filter by size: only the t-shirt offers M.
      await page.locator("select[data-option=Talla]").selectOption("M");
      await page.locator("[data-testid=shop-apply]").click();
      await page.waitForURL(/Talla=M/);
      assert.equal(await page.locator("[data-testid=shop-product]").count(), 1);
      assert.equal(await page.locator("[data-testid=shop-product-name]").innerText(), "Polera trekking");
      await page.screenshot({ path: artifact(`webshop-${viewport.width}-catalogue.png`), fullPage: true });
      const wide = await overflow(page, viewport.width);
      assert.ok(wide.scrollWidth <= viewport.width, `catalogue sticks out: ${wide.wide.join(", ")}`);

      // The product page: M chosen, how many are left where, the engine's price (10 % off).
      await page.locator("[data-testid=shop-product-link]").click();
      await page.waitForSelector("[data-testid=shop-product-page]");
      await page.locator("label.chip", { hasText: "M" }).click();
      await waitUntil(page, "the M variant", (sku) => document.getElementById("sku")?.textContent === sku, shop.medium);
      const where = await page.locator("[data-testid=product-where]").innerText();
      assert.match(where, /Quedan 2 en Tienda Providencia, \d+ en Tienda Viña\./);
      assert.equal(await page.locator("[data-testid=product-price]").innerText(), "$13.491");
      assert.match(await page.locator("[data-testid=product-promotions]").innerText(), /Poleras 10%/);
      await page.locator("label.chip", { hasText: "S" }).click();
      assert.match(await page.locator("[data-testid=product-where]").innerText(), /ninguna tienda/, "S only in the warehouse");
      assert.match(await page.locator("[data-testid=product-delivery]").innerText(), /despacho/);
      await page.locator("label.chip", { hasText: "M" }).click();
      await page.screenshot({ path: artifact(`webshop-${viewport.width}-product.png`), fullPage: true });
      const wideProduct = await overflow(page, viewport.width);
      assert.ok(wideProduct.scrollWidth <= viewport.width, `product page sticks out: ${wideProduct.wide.join(", ")}`);
      await page.locator("[data-testid=add-to-cart]").click();
      await page.locator("[data-testid=added]").waitFor();
      assert.equal(await page.locator("[data-testid=shop-cart-count]").innerText(), "1");

      // The cart: pickup in Viña (the stores that can promise it), card, order page.
      await page.goto(`${BASE}/shop/${shop.merchant.id}/cart`);
      await waitUntil(page, "the pickup stores", () => document.querySelectorAll("#pickup-store option").length > 0);
      const offered = await page.locator("#pickup-store option").allInnerTexts();
      assert.ok(offered.every((name) => !name.includes("Bodega")), `a warehouse is never a pickup point: ${offered}`);
      await page.locator("[data-testid=pickup-store]").selectOption(shop.storeB.id);
      await waitUntil(page, "the engine's total", () => document.getElementById("cart-total")?.textContent === "$13.491");
      for (const input of await page.locator("#shop-checkout input:not([type=radio])").all()) {
        const id = await input.getAttribute("id");
        assert.ok(id && (await page.locator(`label[for="${id}"]`).count()) === 1, `input ${id} has a label`);
      }
      await page.locator("[data-testid=customer-name]").fill("Camila Rojas");
      await page.locator("[data-testid=card-number]").fill(CARD_OK);
      const wideCart = await overflow(page, viewport.width);
      assert.ok(wideCart.scrollWidth <= viewport.width, `cart sticks out: ${wideCart.wide.join(", ")}`);
      await page.screenshot({ path: artifact(`webshop-${viewport.width}-cart.png`), fullPage: true });
      await page.locator("[data-testid=place-order]").click();
      await page.waitForURL(/\/orders\/.+token=/);
      const code = (await page.locator("[data-testid=pickup-code]").first().innerText()).trim();
      assert.ok(code.length > 0, "the order page shows the pickup code");
      assert.match(await page.locator("[data-testid=part] h2").first().innerText(), /Tienda Viña/);
      await page.screenshot({ path: artifact(`webshop-${viewport.width}-order.png`), fullPage: true });
      assert.equal(await reservedAt(shop.storeB.id, shop.medium), beforeB + 1, "the unit is held at Viña");
      assert.equal(await reservedAt(shop.storeA.id, shop.medium), 0, "and not at Providencia");
    });
  });
}

test("web shop: an unknown shop is the 404 page, and an empty filter says how to get out", async () => {
  await withPage(browser, "webshop-empty", {}, async (page) => {
    const missing = await page.goto(`${BASE}/shop/no-such-shop`);
    assert.equal(missing.status(), 404);
    await page.locator("[data-testid=missing-text]").waitFor();
    await page.goto(`${BASE}/shop/${shop.merchant.id}?Talla=S&where=pickup:${shop.storeA.id}`);
    await page.locator("[data-testid=shop-empty]").waitFor();
    await page.locator("[data-testid=shop-clear]").click();
    await page.waitForURL(/\/shop\/[^/?]+$/);
    assert.equal(await page.locator("[data-testid=shop-product]").count(), 2);
  });
});
