// A product's variants in the console (issue 17 point 1) at 360 px and 1280 px: a retailer's
// manager (made through the API, with a store always open) opens the product's variant page,
// defines two options (Talla: S, M; Color: Azul, Negro), generates the four combinations, is
// told at the cell when a price is not a price, uploads a photo for the blue ones and chooses it
// for them, edits a price, saves — then the web shop's product page shows the new price and,
// with Azul picked, the variant's photo. Nothing past the right edge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { randomUUID } from "node:crypto";
import { apiAt, ADMIN, PASSWORD, BASE, launch, withPage, consoleSignIn, overflow } from "./lib.mjs";

const call = async (method, path, body, token) => (await apiAt(BASE, method, path, { body, token })).body;

/** CRC-32 (PNG chunks), bit by bit: a test image is tiny. */
function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A `width`×`height` blue-ish RGB PNG, made here so the test needs no image file. */
function png(width, height) {
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([20, y % 256, 200], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A retailer of its own: a store (no hours: always open), a manager, a product with one variant. */
async function makeRetailer() {
  const { token } = await call("POST", "/auth/login", { email: ADMIN, password: PASSWORD });
  const tag = randomUUID().slice(0, 6).toUpperCase();
  const site = await call("POST", "/sites", { name: `Ñuñoa ${tag}`, country: "CL", currency: "CLP", timezone: "America/Santiago" }, token);
  const merchant = await call("POST", "/merchants", { name: `Cumbre ${tag}`, kind: "retail", commission_bps: 0 }, token);
  const store = await call("POST", "/locations", { merchant_id: merchant.id, site_id: site.id, name: `Tienda ${tag}`, pay_at_pickup: true }, token);
  const email = `gerente.${tag.toLowerCase()}@cumbre.test`;
  await call("POST", "/users", { email, password: PASSWORD, role: "merchant_manager", merchant_id: merchant.id }, token);
  const product = await call(
    "POST",
    "/products",
    { merchant_id: merchant.id, name: `Chaqueta ${tag}`, track_stock: false, variants: [{ sku: `CH${tag}`, price: { amount: 49990, currency: "CLP" } }] },
    token,
  );
  return { tag, merchant, store, product, email };
}

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function fits(page, width, what) {
  const wide = await overflow(page, width);
  assert.ok(wide.scrollWidth <= width, `${what} fits ${width} px: ${JSON.stringify(wide)}`);
}

for (const [width, height] of [
  [360, 740],
  [1280, 800],
]) {
  test(`${width} px: a manager defines options, generates the variants, edits a price and a photo, and the shop shows them`, async () => {
    const shop = await makeRetailer();
    const viewport = { viewport: { width, height }, isMobile: width < 600 };
    await withPage(browser, `console-variants-${width}`, viewport, async (page) => {
      await consoleSignIn(page, shop.email);
      await page.goto(`${BASE}/console/catalog/products/${shop.product.id}`);
      await Promise.all([page.waitForURL(/\/variants$/), page.locator("[data-testid=product-variant-grid]").click()]);
      assert.match(await page.locator("h1").first().innerText(), /Variantes/);
      await page.locator("[data-testid=variant-0-sku]").waitFor();
      assert.equal(await page.locator("[data-testid=variant-0-sku]").inputValue(), `CH${shop.tag}`);

      await page.locator("[data-testid=option-0-name]").fill("Talla");
      await page.locator("[data-testid=option-0-values]").fill("S, M");
      await page.locator("[data-testid=option-1-name]").fill("Color");
      await page.locator("[data-testid=option-1-values]").fill("Azul, Negro");
      await page.locator("[data-testid=variants-generate]").click();
      const rows = page.locator("[data-testid^=variant-row-]");
      assert.equal(await rows.count(), 4, "one variant per combination");
      assert.equal(await page.locator("[data-testid=variant-1-combination]").innerText(), "S · Negro");
      assert.equal(await page.locator("[data-testid=variant-2-sku]").inputValue(), `CH${shop.tag}-M-AZU`);
      await fits(page, width, "the generated grid");

      // A price that is not one is told at its cell, in Spanish, and nothing is saved.
      await page.locator("[data-testid=variant-2-price]").fill("doce mil");
      await page.locator("[data-testid=variants-save]").click();
      const cell = page.locator('[data-error-for="variants[2].price"]');
      await cell.waitFor();
      assert.match(await cell.innerText(), /Precio inválido/);
      assert.equal(await page.locator("[data-testid=variant-2-price]").getAttribute("aria-invalid"), "true");

      // A photo for the blue ones, chosen in their rows; a new price for M · Azul.
      await page.locator("[data-testid=gallery-file]").setInputFiles({ name: "azul.png", mimeType: "image/png", buffer: png(300, 300) });
      await page.locator("[data-testid=gallery-upload]").click();
      await page.locator("[data-testid=gallery-photo-0]").waitFor();
      const photoId = await page.locator("[data-testid=variant-0-photo] option").nth(1).getAttribute("value");
      await page.locator("[data-testid=variant-0-photo]").selectOption(photoId);
      await page.locator("[data-testid=variant-2-photo]").selectOption(photoId);
      await page.locator("[data-testid=variant-2-price]").fill("45.990");
      await page.locator("[data-testid=variant-3-active]").uncheck();
      await page.locator("[data-testid=variants-save]").click();
      await page.locator("[data-testid=variants-done]").waitFor({ state: "visible" });
      assert.equal(await page.locator("[data-testid=variant-2-price]").inputValue(), "45.990");
      assert.equal(await page.locator("[data-testid=variant-3-active]").isChecked(), false);
      await fits(page, width, "the saved grid");

      // The shop: M · Azul at the new price with the blue photo; M · Negro is off.
      await page.goto(`${BASE}/shop/${shop.merchant.id}/p/${shop.product.id}`);
      await page.locator("input[data-option=Talla][value=M]").check({ force: true });
      await page.locator("input[data-option=Color][value=Azul]").check({ force: true });
      await page.waitForFunction(() => document.getElementById("price")?.textContent.includes("45.990"));
      const src = await page.locator("[data-testid=product-photo]").getAttribute("src");
      assert.match(src || "", new RegExp(`^/media/gallery/${photoId}/card-`), "the variant's photo is shown");
      assert.ok(await page.locator("[data-testid=product-photo]").isVisible(), "the photo is visible");
      await page.locator("input[data-option=Color][value=Negro]").check({ force: true });
      assert.ok(await page.locator("[data-testid=no-variant]").isVisible(), "M · Negro is not on sale");
      await fits(page, width, "the shop's product page");
    });
  });
}
