// Prices and promotions in the console (issue 15 point 2): a merchant's manager opens
// "Precios y promociones", creates a 10 % promotion that needs a coupon and a coupon for it, and
// sees a price list whose dates cross another of the same scope refused at the date fields (the
// lists are dated in 2099, so no price of today changes). The promotion then applies to a cart
// with the code (the quote API the customer's cart calls), and no longer once ended from the
// page, after a confirmation. At 360 px and at 1280 px, nothing past the edge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SITE, launch, withPage, consoleSignIn, staffLocation, overflow, menu, apiAt } from "./lib.mjs";

const SLUG = "guero";
const MANAGER = `gerente.${SLUG}@demo.omnicanal.cl`;

let browser;
let locationId;
let sku;
before(async () => {
  browser = await launch();
  locationId = await staffLocation(SLUG);
  const { locations } = await menu();
  sku = locations.find((l) => l.id === locationId).products.flatMap((p) => p.variants)[0].sku;
});
after(async () => {
  await browser?.close();
});

/** The cart's quote with `code`: the outcome of the promotion named `name`. */
async function outcome(name, code) {
  const { body } = await apiAt(BASE, "POST", "/pricing/quote", {
    body: { site_id: SITE, channel: "web", lines: [{ sku, location_id: locationId, quantity: 1 }], coupon_codes: [code] },
  });
  return body.quote.promotions.find((p) => p.name === name);
}

async function fits(page, width, what) {
  const wide = await overflow(page, width);
  assert.ok(wide.scrollWidth <= width, `${what} fits ${width} px: ${JSON.stringify(wide)}`);
}

for (const [width, height] of [
  [360, 740],
  [1280, 800],
]) {
  test(`${width} px: a promotion with a coupon applies to the cart; an overlapping price list is refused at its dates`, async () => {
    const stamp = `${width}-${Date.now() % 1_000_000}`;
    const viewport = { viewport: { width, height }, isMobile: width < 600 };
    await withPage(browser, `console-pricing-${width}`, viewport, async (page) => {
      await consoleSignIn(page, MANAGER);
      await page.locator("[data-testid=nav-pricing]").click();
      await page.waitForURL((url) => url.pathname === "/console/pricing");
      assert.match(await page.locator("h1").first().innerText(), /Precios y promociones/);
      await fits(page, width, "the price lists");

      // A price list in 2099, then one whose dates cross it: refused at the dates, nothing saved.
      const year = width === 360 ? 2099 : 2098;
      const first = `Lista ${stamp}`;
      await page.locator("[data-testid=new-price-list]").click();
      await page.locator("[data-testid=list-name]").fill(first);
      await page.locator("[data-testid=list-valid-from]").fill(`${year}-01-01T00:00`);
      await page.locator("[data-testid=list-valid-to]").fill(`${year}-02-01T00:00`);
      await page.locator("[data-testid=list-prices]").fill(`${sku} 1000`);
      await page.locator("[data-testid=list-submit]").click();
      await page.locator("[data-testid=pricing-done]").waitFor();
      await page.locator("[data-testid=new-price-list]").click();
      await page.locator("[data-testid=list-name]").fill(`Cruce ${stamp}`);
      await page.locator("[data-testid=list-valid-from]").fill(`${year}-01-15T00:00`);
      await page.locator("[data-testid=list-valid-to]").fill(`${year}-03-01T00:00`);
      await page.locator("[data-testid=list-prices]").fill(`${sku} 900`);
      await page.locator("[data-testid=list-submit]").click();
      const error = page.locator("[data-testid=error-valid_from]");
      await error.waitFor();
      assert.match(await error.innerText(), new RegExp(`se cruzan con la lista «${first}»`));
      assert.equal(await page.locator("#list-valid-from").getAttribute("aria-invalid"), "true");
      assert.equal(await page.locator("#list-name").inputValue(), `Cruce ${stamp}`, "what was typed is kept");
      await fits(page, width, "the refused form");

      // The first list goes, after a confirmation.
      await page.goto(`${BASE}/console/pricing/price-lists?q=${encodeURIComponent(stamp)}`);
      assert.equal(await page.locator("[data-testid=price-list-row]").count(), 1, "the crossing list was not saved");
      await page.locator("[data-testid=delete-price-list]").first().click();
      await page.locator("[data-testid=confirm-delete]").click();
      await page.locator("[data-testid=pricing-done]").waitFor();

      // A 10 % promotion that needs a coupon; a bad percentage first, told at its field.
      const name = `Diez ${stamp}`;
      await page.locator("[data-testid=tab-promotions]").click();
      await page.locator("[data-testid=new-promotion]").click();
      await page.locator("[data-testid=promotion-name]").fill(name);
      await page.locator("[data-testid=promotion-kind]").selectOption("percent_off_order");
      assert.equal(await page.locator("[data-testid=promotion-skus]").isVisible(), false, "only the kind's fields");
      await page.locator("[data-testid=promotion-percent]").fill("150");
      await page.locator("[data-testid=promotion-requires-coupon]").check();
      await page.locator("[data-testid=promotion-submit]").click();
      await page.locator("[data-testid=error-percent]").waitFor();
      assert.match(await page.locator("[data-testid=error-percent]").innerText(), /porcentaje mayor que 0/);
      await fits(page, width, "the promotion form");
      await page.locator("[data-testid=promotion-percent]").fill("10");
      await page.locator("[data-testid=promotion-submit]").click();
      await page.locator("[data-testid=pricing-done]").waitFor();
      const row = page.locator(`[data-testid=promotion-row][data-name="${name}"]`);
      await fits(page, width, "the promotions");

      // Its coupon.
      const code = `PRUEBA${stamp.replace("-", "X")}`;
      await row.locator("[data-testid=promotion-coupons]").click();
      await page.locator("[data-testid=coupon-code]").fill(code.toLowerCase());
      await page.locator("[data-testid=coupon-usage-limit]").fill("50");
      await page.locator("[data-testid=coupon-submit]").click();
      await page.locator(`[data-testid=coupon-row][data-code="${code}"]`).waitFor();
      await fits(page, width, "the coupons");

      // The cart's price: 10 % off with the code.
      const applied = await outcome(name, code);
      assert.ok(applied && applied.applied, `the promotion applies with its code: ${JSON.stringify(applied)}`);
      assert.ok(applied.amount.amount > 0, "something off");

      // Ended from the page, after a confirmation: it no longer applies.
      await page.locator("[data-testid=back-promotions]").click();
      await row.locator("[data-testid=end-promotion]").click();
      await page.locator("[data-testid=confirm-end]").click();
      await page.locator("[data-testid=pricing-done]").waitFor();
      assert.equal(await row.getAttribute("data-active"), "false");
      const ended = await outcome(name, code);
      assert.ok(!ended || !ended.applied, `an ended promotion gives nothing: ${JSON.stringify(ended)}`);
    });
  });
}
