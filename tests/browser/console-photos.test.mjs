// Product photos (issue 15 point 2): a merchant's manager opens a product's photo page in the
// console, is refused a text file named .jpg at the file field (in Spanish), uploads a real PNG
// with the file picker, sees its thumbnail, finds it on the site's menu as a lazy-loaded image
// with its size, and removes it after a confirmation. At 360 px and at 1280 px, nothing past
// the edge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { BASE, SITE, api, login, launch, withPage, consoleSignIn, overflow } from "./lib.mjs";

const MANAGER = "gerente.napoli@demo.omnicanal.cl";

/** CRC-32 (PNG chunks), bit by bit: a test image is tiny. */
function crc32(bytes) {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/** A `width`×`height` RGB PNG with a gradient, made here so the test needs no image file. */
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
    for (let x = 0; x < width; x++) rows.set([x % 256, y % 256, 120], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", zlib.deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

let browser;
let product;
before(async () => {
  browser = await launch();
  const { token, user } = await login(MANAGER);
  const products = await api("GET", `/merchants/${user.merchant_id}/products`, { token });
  product = products[0];
  assert.ok(product, "the demo merchant has products");
});
after(async () => {
  await browser?.close();
});

for (const [width, height] of [
  [360, 740],
  [1280, 800],
]) {
  test(`${width} px: a manager uploads a product photo, the menu shows it, and it is removed after a confirmation`, async () => {
    const viewport = { viewport: { width, height }, isMobile: width < 600 };
    await withPage(browser, `console-photos-${width}`, viewport, async (page) => {
      await consoleSignIn(page, MANAGER);
      const here = `${BASE}/console/catalog/products/${product.id}/photo`;
      const opened = await page.goto(here);
      assert.equal(opened.status(), 200);
      assert.match(await page.locator("h1").innerText(), /Foto del producto/);
      assert.equal(await page.locator("[data-testid=photo-product]").innerText(), product.name);

      // A text file named .jpg: refused at the field, in Spanish.
      await page.locator("[data-testid=photo-file]").setInputFiles({
        name: "menu.jpg",
        mimeType: "image/jpeg",
        buffer: Buffer.from("esto no es una imagen"),
      });
      await page.locator("[data-testid=photo-submit]").click();
      assert.match(await page.locator("[data-testid=error-photo]").innerText(), /no es una imagen/);
      assert.equal(await page.locator("#photo-file").getAttribute("aria-invalid"), "true");

      // A real PNG: saved, its thumbnail shown.
      await page.locator("[data-testid=photo-file]").setInputFiles({ name: "plato.png", mimeType: "image/png", buffer: png(900, 600) });
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("done") === "uploaded"),
        page.locator("[data-testid=photo-submit]").click(),
      ]);
      const thumb = page.locator("[data-testid=photo-thumb]");
      await thumb.waitFor();
      assert.equal(await thumb.getAttribute("width"), "160");
      assert.equal(await thumb.getAttribute("height"), "107");
      assert.ok(await thumb.evaluate((img) => img.complete && img.naturalWidth === 160), "the thumbnail loads");
      let wide = await overflow(page, width);
      assert.ok(wide.scrollWidth <= width, `the photo page fits ${width} px: ${JSON.stringify(wide)}`);

      // The site's menu shows it, lazy-loaded, with its box's size.
      await page.goto(`${BASE}/s/${SITE}`);
      const photo = page.locator(`[data-testid=item-photo][src^="/media/products/${product.id}/card-"]`).first();
      await photo.scrollIntoViewIfNeeded();
      assert.equal(await photo.getAttribute("loading"), "lazy");
      assert.ok(await photo.getAttribute("width"), "the menu's image has a width");
      await page.waitForFunction((img) => img.complete && img.naturalWidth === 480, await photo.elementHandle());
      wide = await overflow(page, width);
      assert.ok(wide.scrollWidth <= width, `the menu fits ${width} px: ${JSON.stringify(wide)}`);

      // Removed after a confirmation.
      await page.goto(here);
      await page.locator("[data-testid=photo-delete]").click();
      await page.locator("[data-testid=photo-confirm]").waitFor();
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("done") === "deleted"),
        page.locator("[data-testid=photo-confirm-delete]").click(),
      ]);
      await page.locator("[data-testid=photo-none]").waitFor();
    });
  });
}
