// Sold out meanwhile: an item in the cart runs out before the customer pays. The order is
// refused with a clear error, that line is marked, and the cart is kept.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE,
  SITE,
  launch,
  withPage,
  openSite,
  orderableItems,
  itemLocator,
  addItems,
  goToCart,
  waitForCartLines,
  fillAndPlace,
  waitUntil,
  menu,
  available,
  adjustStock,
  artifact,
} from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A stock-tracked, orderable item without options at an open restaurant, chosen from the end of the menu. */
async function trackedItem() {
  const { locations } = await menu();
  const candidates = [];
  for (const location of locations) {
    if (location.status?.state !== "open") continue;
    for (const product of location.products) {
      if (product.modifier_groups?.length) continue;
      for (const variant of product.variants) {
        if (variant.available && typeof variant.available_quantity === "number" && variant.available_quantity > 0) {
          candidates.push({ locationId: location.id, sku: variant.sku });
        }
      }
    }
  }
  assert.ok(candidates.length, "a stock-tracked item on the menu");
  return candidates[candidates.length - 1];
}

test("sold out meanwhile: checkout error, the line marked, the cart kept", async () => {
  const target = await trackedItem();
  let drained = 0;
  try {
    await withPage(browser, "sold-out", {}, async (page) => {
      await openSite(page);
      await itemLocator(page, target).waitFor();
      // One other line, from another restaurant, that stays fine.
      const other = (await orderableItems(page, [target.sku])).find((i) => i.locationId !== target.locationId);
      assert.ok(other, "an item from another open restaurant");
      await addItems(page, [target, other], 2);
      await goToCart(page, 2);
      await page.locator("input[data-testid=customer-name]").fill("Camila");

      // Meanwhile, the last units go.
      drained = await available(target.sku, target.locationId);
      assert.ok(drained > 0, `${target.sku} has stock before draining`);
      await adjustStock(target.sku, target.locationId, -drained);
      assert.equal(await available(target.sku, target.locationId), 0, "drained");

      await fillAndPlace(page);
      const error = page.locator("[data-testid=checkout-error]");
      await error.waitFor({ state: "visible" });
      assert.equal(await error.getAttribute("role"), "alert", "checkout-error has role=alert");
      assert.ok((await error.innerText()).trim().length > 0, "checkout-error says something");

      const line = (item) => page.locator(`[data-testid=cart-line][data-sku="${item.sku}"][data-location-id="${item.locationId}"]`);
      await line(target).locator("[data-testid=line-error]").waitFor({ state: "visible" });
      assert.ok((await line(target).locator("[data-testid=line-error]").innerText()).trim(), "the line error says something");
      assert.equal(await line(other).locator("[data-testid=line-error]").count(), 0, "the other line is not marked");

      // Still on the cart page, with both lines.
      assert.equal(new URL(page.url()).pathname, `/s/${SITE}/cart`, "still on the cart page");
      await waitForCartLines(page, 2);
      await page.screenshot({ path: artifact("sold-out-cart.png"), fullPage: true });

      // The cart is kept: the count on the site page is unchanged, and the item shows sold out.
      await page.goto(`${BASE}/s/${SITE}`);
      await waitUntil(
        page,
        "cart-count still 2",
        () => document.querySelector("[data-testid=cart-count]")?.textContent.trim() === "2",
        undefined,
      );
      const item = itemLocator(page, target);
      assert.equal(await item.locator("[data-testid=sold-out]").count(), 1, "the drained item shows sold out");
      assert.equal(await item.locator("button[data-testid=add]").isDisabled(), true, "and cannot be added");
    });
  } finally {
    if (drained > 0) await adjustStock(target.sku, target.locationId, drained);
  }
});
