// The manager's catalogue (issue 15 point 2): a restaurant's manager signs in, opens
// "Catálogo" from the console's nav, creates a product with two variants (size and colour) and a
// modifier group; a SKU the restaurant already has is refused at that variant's field with what
// was typed kept; then fixes it, finds the product by search, edits it (a new price, a variant
// removed with the row's button) and sees the change. At 360 px and at 1280 px, nothing past the edge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, withPage, consoleSignIn, overflow } from "./lib.mjs";

const MANAGER = "gerente.napoli@demo.omnicanal.cl";

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
  test(`${width} px: a manager creates a product with variants and a group, a taken SKU is refused at its field, then edits it`, async () => {
    const stamp = `${width}-${Date.now().toString(36)}`.toUpperCase();
    const name = `Polera ${stamp}`;
    const viewport = { viewport: { width, height }, isMobile: width < 600 };
    await withPage(browser, `console-catalog-${width}`, viewport, async (page) => {
      await consoleSignIn(page, MANAGER);
      await Promise.all([page.waitForURL(/\/console\/catalog/), page.locator("[data-testid=nav-catalog]").click()]);
      assert.match(await page.locator("h1").first().innerText(), /Catálogo/);
      await fits(page, width, "the product list");
      const takenSku = (await page.locator("[data-testid=catalog-row] code").first().innerText()).split(",")[0].trim();
      assert.ok(takenSku.length > 0, "the list shows the restaurant's SKUs");

      await Promise.all([page.waitForURL(/products\/new/), page.locator("[data-testid=catalog-new]").click()]);
      await page.locator("[data-testid=product-name]").fill(name);
      await page.locator("[data-testid=product-category]").fill("Ropa");
      await page.locator("[data-testid=allergen-milk]").check();
      const rows = page.locator("[data-testid=variant-row]");
      const before = await rows.count();
      await page.locator("[data-testid=add-variant]").click();
      assert.equal(await rows.count(), before + 1, "the script adds a variant row");
      await rows.nth(0).locator("[data-testid=variant-sku]").fill(`POL-${stamp}-M`);
      await rows.nth(0).locator("[data-testid=variant-price]").fill("9990");
      await rows.nth(0).locator("[data-testid=variant-size]").fill("M");
      await rows.nth(0).locator("[data-testid=variant-color]").fill("Rojo");
      await rows.nth(1).locator("[data-testid=variant-sku]").fill(takenSku);
      await rows.nth(1).locator("[data-testid=variant-price]").fill("10990");
      await rows.nth(1).locator("[data-testid=variant-size]").fill("L");
      const group = page.locator("[data-testid=group-row]").first();
      await group.locator("[data-testid=group-name]").fill("Estampado");
      await group.locator("[data-testid=group-max]").fill("1");
      await group.locator("[data-testid=option-name]").first().fill("Logo");
      await group.locator("[data-testid=option-price]").first().fill("1000");
      await fits(page, width, "the product form");
      await page.locator("[data-testid=product-submit]").click();

      // Refused at the second variant's SKU, in Spanish, with everything typed kept.
      const error = page.locator("[data-testid=error-variant-sku]");
      await error.waitFor();
      assert.match(await error.innerText(), /ya es de otro producto/);
      const refusedRows = page.locator("[data-testid=variant-row]");
      assert.equal(await refusedRows.nth(1).locator("[data-testid=variant-sku]").getAttribute("aria-invalid"), "true");
      assert.equal(await page.locator("[data-testid=product-name]").inputValue(), name);
      assert.equal(await refusedRows.nth(0).locator("[data-testid=variant-color]").inputValue(), "Rojo");
      assert.equal(await page.locator("[data-testid=group-name]").first().inputValue(), "Estampado");
      assert.ok(await page.locator("[data-testid=allergen-milk]").isChecked());
      await fits(page, width, "the refused form");

      await refusedRows.nth(1).locator("[data-testid=variant-sku]").fill(`POL-${stamp}-L`);
      await Promise.all([page.waitForURL(/done=created/), page.locator("[data-testid=product-submit]").click()]);
      await page.locator("[data-testid=catalog-search]").fill(stamp);
      await Promise.all([page.waitForURL(/q=/), page.locator("[data-testid=catalog-search-submit]").click()]);
      const row = page.locator("[data-testid=catalog-row]");
      assert.equal(await row.count(), 1, "found by search");
      assert.match(await row.first().innerText(), new RegExp(`POL-${stamp}-L, POL-${stamp}-M`));
      assert.equal(await row.first().locator("[data-testid=catalog-photo]").getAttribute("href"), `/console/catalog/products/${await row.first().getAttribute("data-product-id")}/photo`);

      // Edit: a new price for M, L removed with its row's button.
      await Promise.all([page.waitForURL(/\/console\/catalog\/products\/[^/]+$/), row.first().locator("[data-testid=catalog-edit]").click()]);
      const editRows = page.locator("[data-testid=variant-row]");
      assert.equal(await editRows.nth(0).locator("[data-testid=variant-sku]").inputValue(), `POL-${stamp}-L`);
      await editRows.nth(0).locator("button[data-remove-row]").click();
      await editRows.nth(1).locator("[data-testid=variant-price]").fill("8990");
      await fits(page, width, "the edit form");
      await Promise.all([page.waitForURL(/done=saved/), page.locator("[data-testid=product-submit]").click()]);
      await page.goto(`${BASE}/console/catalog?q=${encodeURIComponent(stamp)}`);
      const edited = page.locator("[data-testid=catalog-row]").first();
      const text = await edited.innerText();
      assert.ok(text.includes(`POL-${stamp}-M`) && !text.includes(`POL-${stamp}-L`), `one variant left: ${text}`);
      assert.match(text, /8\.990/);
      await fits(page, width, "the list after the edit");
    });
  });
}
