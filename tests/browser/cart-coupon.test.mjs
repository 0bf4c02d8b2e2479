// The cart as a shop's (issue 13, point 5): a subtotal line, discounts with one minus sign, a
// coupon with an Apply button that says at once whether it applied or why not, and quantities
// that stop at what the menu says is left.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  launch,
  withPage,
  openSite,
  orderableItems,
  addItems,
  goToCart,
  waitUntil,
  staffLocation,
  available,
  adjustStock,
  text,
} from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function napoliItem(page) {
  const napoli = await staffLocation("napoli");
  const item = (await orderableItems(page)).find((p) => p.locationId === napoli);
  assert.ok(item, "Pizzería Napoli is open with an orderable item");
  return item;
}

test("the coupon's Apply button says at once whether it applied, and why not", async () => {
  await withPage(browser, "cart-coupon", {}, async (page) => {
    await openSite(page);
    const item = await napoliItem(page);
    await addItems(page, [item], 1);
    await goToCart(page, 1);
    await waitUntil(page, "a subtotal", () => /\d/.test(document.getElementById("cart-subtotal").textContent));

    await page.locator("[data-testid=coupon]").fill("NOEXISTE");
    await page.locator("[data-testid=apply-coupon]").click();
    await waitUntil(page, "the unknown code explained", () => !document.getElementById("coupon-result").hidden);
    const unknown = await text(page, "[data-testid=coupon-result]");
    assert.ok(/No hay un cupón/.test(unknown), unknown);
    assert.equal(await page.locator("[data-testid=coupon]").getAttribute("aria-invalid"), "true");

    await page.locator("[data-testid=coupon]").fill("BIENVENIDA");
    await page.locator("[data-testid=apply-coupon]").click();
    await waitUntil(page, "why the one-per-customer coupon waits", () =>
      /correo o tu teléfono/.test(document.getElementById("coupon-result").textContent),
    );

    await page.locator("input[data-testid=customer-email]").fill("camila@example.cl");
    await page.locator("[data-testid=apply-coupon]").click();
    await waitUntil(page, "the coupon applied", () => /aplicado/.test(document.getElementById("coupon-result").textContent));
    const applied = await text(page, "[data-testid=coupon-result]");
    assert.match(applied, /^Cupón BIENVENIDA aplicado: −\$[\d.]+$/);
    const discount = await text(page, "[data-testid=cart-discount]");
    assert.match(discount, /^−\$[\d.]+$/, `one minus sign: ${discount}`);
    assert.equal(await page.locator("[data-testid=coupon]").getAttribute("aria-invalid"), null);
  });
});

test("a quantity stops at what the menu says is left", async () => {
  await withPage(browser, "cart-max", {}, async (page) => {
    await openSite(page);
    const item = await napoliItem(page);
    const left = await available(item.sku, item.locationId);
    // Two units left: the cart lets the customer take two, not three.
    await adjustStock(item.sku, item.locationId, 2 - left);
    try {
      await page.reload();
      await page.locator("[data-testid=restaurant]").first().waitFor();
      await addItems(page, [item], 1);
      await goToCart(page, 1);
      const plus = page.locator("[data-testid=line-plus]");
      await plus.click();
      await waitUntil(page, "two units", () => document.querySelector("[data-testid=line-quantity]").textContent === "2");
      await waitUntil(page, "plus disabled at the limit", () => document.querySelector("[data-testid=line-plus]").disabled);
      assert.equal(await text(page, "[data-testid=line-quantity]"), "2");
    } finally {
      await adjustStock(item.sku, item.locationId, left - 2);
    }
  });
});
