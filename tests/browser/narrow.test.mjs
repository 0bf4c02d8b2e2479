// A 360 px phone: nothing on the site, cart or order page is wider than the screen.
// Full-page screenshots of each are kept in target/browser-artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  launch,
  withPage,
  openSite,
  orderableItems,
  addItems,
  goToCart,
  fillAndPlace,
  waitForOrderPage,
  overflow,
  artifact,
} from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const WIDTH = 360;

async function check(page, name) {
  // Layout settles after scripts fill in totals, statuses and the like.
  // (Not "networkidle": the order page keeps its live connection open.)
  await page.waitForLoadState("load");
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(300);
  await page.screenshot({ path: artifact(`360-${name}.png`), fullPage: true });
  const { scrollWidth, wide } = await overflow(page, WIDTH);
  assert.ok(
    scrollWidth <= WIDTH,
    `${name} page: document.documentElement.scrollWidth is ${scrollWidth} > ${WIDTH}; sticking out: ${wide.join(", ")}`,
  );
}

test("360 px: the site, cart and order pages do not overflow", async () => {
  await withPage(browser, "360", { viewport: { width: WIDTH, height: 740 } }, async (page) => {
    await openSite(page, "?table=12");
    await check(page, "site");

    const items = (await orderableItems(page)).slice(0, 3);
    assert.equal(items.length, 3, "three orderable items");
    await addItems(page, items, 3);
    await goToCart(page, 3);
    await check(page, "cart");

    await fillAndPlace(page, { name: "Camila Andrea González Riquelme" });
    await waitForOrderPage(page);
    await page.locator("[data-testid=part]").nth(2).waitFor();
    await check(page, "order");
  });
});
