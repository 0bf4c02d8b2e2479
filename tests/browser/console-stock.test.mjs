// Stock in the console (issue 15 point 2): the manager of Andina Outdoor (two stores) opens
// /console/stock, counts a SKU (the difference is shown before saving; a count that is not a
// number is refused at its field), sends units to the other store (the transfer is listed in
// transit), then imports a stock CSV with one bad row from the browser: the job's page follows
// its progress and shows the report of rejected rows (row, column, reason) with its CSV.
// At 360 px and at 1280 px, nothing past the edge. Each width works on a SKU of its own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, withPage, consoleSignIn, overflow } from "./lib.mjs";

const MANAGER = "gerente.andina@demo.omnicanal.cl";

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

for (const [width, height, sku] of [
  [360, 740, "AND-BAST"],
  [1280, 800, "AND-MOCH"],
]) {
  test(`${width} px: a manager counts ${sku}, sends a transfer and imports a CSV with one bad row`, async () => {
    const viewport = { viewport: { width, height }, isMobile: width < 600 };
    await withPage(browser, `console-stock-${width}`, viewport, async (page) => {
      await consoleSignIn(page, MANAGER);
      await page.locator("[data-testid=nav-stock]").first().click();
      await page.waitForURL((url) => url.pathname === "/console/stock");
      const here = await page.locator("#stock-location").inputValue();
      assert.ok(here, "a location is chosen");
      await fits(page, width, "the stock page");

      // Search finds the SKU; its level is shown.
      await page.locator("[data-testid=stock-search]").fill(sku.toLowerCase());
      await page.locator("[data-testid=stock-search-go]").click();
      const row = page.locator(`[data-testid=stock-row][data-sku="${sku}"]`);
      await row.waitFor();
      const onHand = Number(await row.locator("[data-testid=stock-on-hand]").innerText());
      assert.ok(onHand >= 2, `${sku} has stock: ${onHand}`);

      // A count that is not a number: refused at its field, what was typed kept.
      await page.locator("[data-testid=count-sku]").fill(sku);
      await page.locator("[data-testid=count-counted]").fill("muchas");
      await page.locator("[data-testid=count-preview-submit]").click();
      await page.locator("[data-testid=count-error-counted]").waitFor();
      assert.equal(await page.locator("[data-testid=count-counted]").inputValue(), "muchas");
      assert.equal(await page.locator("#count-counted").getAttribute("aria-invalid"), "true");

      // The count: the difference first, then saved.
      await page.locator("[data-testid=count-counted]").fill(String(onHand - 1));
      await page.locator("[data-testid=count-preview-submit]").click();
      assert.match(await page.locator("[data-testid=count-difference]").innerText(), /-1\b/);
      await fits(page, width, "the count's preview");
      await page.locator("[data-testid=count-save]").click();
      await page.locator("[data-testid=stock-done]").waitFor();
      assert.match(await page.locator("[data-testid=stock-done]").innerText(), new RegExp(`${sku}.*-1`));

      // A transfer of one unit to the other store.
      await page.locator("[data-testid=transfer-sku]").fill(sku);
      await page.locator("[data-testid=transfer-to]").selectOption({ index: 0 });
      await page.locator("[data-testid=transfer-quantity]").fill("1");
      await page.locator("[data-testid=transfer-submit]").click();
      await page.locator("[data-testid=stock-done]").waitFor();
      const sent = page.locator(`[data-testid=transfer-row][data-direction=out][data-sku="${sku}"][data-status=in_transit]`);
      assert.ok((await sent.count()) >= 1, "the transfer is listed in transit");
      await page.locator("[data-testid=stock-search]").fill(sku);
      await page.locator("[data-testid=stock-search-go]").click();
      assert.equal(Number(await row.locator("[data-testid=stock-on-hand]").innerText()), onHand - 2, "count −1, transfer −1");
      await fits(page, width, "the page with its transfers");

      // The CSV import: one good row, one bad, from the browser.
      await page.locator("[data-testid=stock-import-link]").click();
      await page.waitForURL((url) => url.pathname === "/console/stock/import");
      await fits(page, width, "the import form");
      await page.locator("[data-testid=import-kind]").selectOption("stock");
      const csv = `sku,location_id,on_hand\n${sku},${here},20\n${sku},${here},-5\n`;
      await page.locator("[data-testid=import-file]").setInputFiles({ name: "stock.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await page.locator("[data-testid=import-submit]").click();
      await page.waitForURL((url) => url.pathname.startsWith("/console/imports/"));
      await page.locator("[data-testid=rejected-table]").waitFor({ timeout: 15_000 });
      assert.equal(await page.locator("[data-testid=import-accepted]").innerText(), "1");
      assert.equal(await page.locator("[data-testid=import-rejected]").innerText(), "1");
      const rejected = page.locator("[data-testid=rejected-row]");
      assert.equal(await rejected.count(), 1);
      assert.equal(await rejected.getAttribute("data-line"), "3");
      assert.equal(await rejected.getAttribute("data-column"), "on_hand");
      const href = await page.locator("[data-testid=rejected-csv]").getAttribute("href");
      const report = await page.evaluate(async (href) => (await fetch(href)).text(), href);
      assert.match(report, /^line,column,reason\n3,on_hand,/);
      await fits(page, width, "the import's report");

      // Back on the stock page the imported level shows.
      await page.locator("[data-testid=import-back]").click();
      await page.waitForURL((url) => url.pathname === "/console/stock");
      await page.locator("[data-testid=stock-search]").fill(sku);
      await page.locator("[data-testid=stock-search-go]").click();
      assert.equal(await row.locator("[data-testid=stock-on-hand]").innerText(), "20");
    });
  });
}
