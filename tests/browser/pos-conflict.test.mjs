// Stock truth when the till was offline (issue 14 point 7), on a server of this test's own
// (lib.mjs ownServer): one pen left; the server process is killed and the till sells that pen
// offline (the sale waits in its queue); the browser is then cut off the network, the server
// started again, and a web order (POST /orders, channel web) takes the last pen meanwhile; the
// network comes back and the queue drains by itself → the sale is recorded and exactly one
// stock conflict is listed on the manager's "Conflictos de stock" page, saying the web order
// took the unit (the till itself says "1 conflicto de stock por resolver" to its manager).
// A count below what the web order holds is refused on the page; a count of one
// resolves it, and the page shows its empty state. The page is checked at 360 and 1280 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, consoleSignIn, apiAt, artifact, waitUntil, ownServer, overflow, CARD_OK } from "./lib.mjs";
import { makeShop, registerDevice, openSession, scan, waitForScreen, PEN } from "./pos-lib.mjs";

let server;
let shop;
let browser;
before(async () => {
  server = await ownServer("pos-conflict");
  shop = await makeShop(server.base);
  // One pen left on the shelf and in the ledger.
  await apiAt(server.base, "POST", "/stock/movements", {
    body: { sku: PEN.sku, location_id: shop.location.id, delta: -99, reason: "adjustment" },
    token: shop.token,
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.remove();
});

const banner = (page) => page.locator("[data-testid=pos-banner]");

async function openConflicts(page, location) {
  await page.goto(`${server.base}/console/locations/${location}/conflicts`);
  await page.locator("h1").waitFor();
}

async function checkWidth(page, width, name) {
  const { scrollWidth, wide } = await overflow(page, width);
  assert.ok(scrollWidth <= width, `${name} fits ${width} px: ${scrollWidth} ${wide}`);
  await page.screenshot({ path: artifact(`${name}-${width}.png`), fullPage: true });
}

test("a pen sold offline while a web order took it becomes one stock conflict, resolved by a count", async () => {
  const base = server.base;
  const location = shop.location.id;
  await withPage(browser, "pos-conflict-till", { viewport: { width: 360, height: 740 } }, async (page, context) => {
    await consoleSignIn(page, shop.manager.email, { base, password: shop.manager.password });
    await page.goto(`${base}/pos`);
    await registerDevice(page, "Caja Conflicto");
    await openSession(page, "10.000");

    // The server really stops; the till sells the last pen anyway.
    await server.kill("SIGKILL");
    await scan(page, PEN.barcode);
    await waitUntil(page, "the pen in the cart", () => document.querySelector("[data-testid=pos-total]")?.textContent === "$590");
    await page.locator("[data-testid=pos-pay]").click();
    await waitForScreen(page, "pay");
    await page.locator("[data-testid=pos-tender-amount]").fill("590");
    await page.locator("[data-testid=pos-add-tender]").click();
    await page.locator("[data-testid=pos-confirm]").click();
    await waitForScreen(page, "receipt", 20_000);
    assert.equal(await page.locator("[data-testid=pos-receipt-state]").getAttribute("data-state"), "queued");
    await page.locator("[data-testid=pos-next-sale]").click();
    await waitForScreen(page, "sell");
    await waitUntil(page, "one sale waiting", () => document.querySelector("[data-testid=pos-banner]")?.dataset.pending === "1");

    // The till stays cut off while the server comes back and a web order takes the last pen.
    await context.setOffline(true);
    await server.start();
    const order = (
      await apiAt(base, "POST", "/orders", {
        body: {
          site_id: shop.site.id,
          channel: "web",
          customer: { name: "Cliente Web", phone: "+56911112222" },
          lines: [{ sku: PEN.sku, location_id: location, quantity: 1 }],
          payment: { method: "card", card_number: CARD_OK },
        },
      })
    ).body;
    assert.equal(order.channel, "web");

    // The network returns: the queue drains by itself and the sale is recorded, never refused.
    await context.setOffline(false);
    await waitUntil(page, "the queue to drain", () => document.querySelector("[data-testid=pos-banner]")?.dataset.pending === "0", undefined, 45_000);
    assert.equal(await page.locator("[data-testid=pos-refused]").isVisible(), false, "the sale was not refused");
    assert.equal(await banner(page).getAttribute("data-pending"), "0");

    // The manager at the till is told, with a link to the page that resolves it.
    await waitUntil(page, "the till's conflicts line", () => document.querySelector("[data-testid=pos-conflicts]")?.dataset.count === "1");
    assert.equal(await page.locator("[data-testid=pos-conflicts]").innerText(), "1 conflicto de stock por resolver");
    assert.equal(await page.locator("#conflicts-link").getAttribute("href"), `/console/locations/${location}/conflicts`);
    await checkWidth(page, 360, "pos-conflict-till");
    const { body: listed } = await apiAt(base, "GET", `/stock/conflicts?location_id=${location}`, { token: shop.token });
    assert.equal(listed.length, 1, `exactly one conflict: ${JSON.stringify(listed)}`);
    assert.equal(listed[0].order_id, order.id);
    assert.equal(listed[0].cause_detail, "order_placed_while_offline");
  });

  // The manager's page on a desktop: the conflict, its cause in words, its three choices.
  await withPage(browser, "pos-conflict-desktop", { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false }, async (page) => {
    await consoleSignIn(page, shop.manager.email, { base, password: shop.manager.password });
    await page.goto(`${base}/console/locations/${location}`);
    await page.locator("[data-testid=nav-conflicts]").click();
    await page.waitForURL((url) => url.pathname.endsWith("/conflicts"));
    const cards = page.locator("[data-testid=stock-conflict]");
    assert.equal(await cards.count(), 1, "exactly one stock conflict listed");
    assert.equal(await cards.first().getAttribute("data-cause"), "order_placed_while_offline");
    const cause = await page.locator("[data-testid=conflict-cause]").innerText();
    assert.match(cause, /pedido #\d+ \(Web\)/, cause);
    assert.equal(await page.locator("[data-testid=conflict-shortfall]").innerText(), "1");
    assert.ok(await page.locator("[data-testid=resolve-transfer]").count() === 0, "no other location to transfer from");
    assert.ok(await page.locator("[data-testid=resolve-cancel]").isEnabled(), "the web order can still be cancelled");
    await checkWidth(page, 1280, "pos-conflict-page");
  });

  // On a phone: a count below what the web order holds is refused, then a count of one resolves it.
  await withPage(browser, "pos-conflict-phone", { viewport: { width: 360, height: 740 } }, async (page) => {
    await consoleSignIn(page, shop.manager.email, { base, password: shop.manager.password });
    await openConflicts(page, location);
    await checkWidth(page, 360, "pos-conflict-page");
    await page.locator("[data-testid=conflict-counted]").fill("0");
    await page.locator("[data-testid=resolve-count]").click();
    await page.locator("[data-testid=conflict-problem]").waitFor();
    assert.equal(await page.locator("[data-testid=stock-conflict]").count(), 1, "still open after the refused count");
    await page.locator("[data-testid=conflict-counted]").fill("1");
    await page.locator("[data-testid=resolve-count]").click();
    await page.locator("[data-testid=conflict-done]").waitFor();
    assert.equal(await page.locator("[data-testid=stock-conflict]").count(), 0);
    assert.ok(await page.locator("[data-testid=no-conflicts]").isVisible(), "the empty state");
    await checkWidth(page, 360, "pos-conflict-resolved");
    const { body: all } = await apiAt(base, "GET", `/stock/conflicts?location_id=${location}`, { token: shop.token });
    assert.equal(all.length, 1);
    assert.equal(all[0].status, "resolved");
    assert.equal(all[0].resolution.action, "count");
    assert.equal(all[0].resolution.counted, 1);
    // In English too.
    await page.goto(`${base}/console/locations/${location}/conflicts?lang=en`);
    assert.equal(await page.locator("h1").innerText(), `Stock conflicts · ${shop.location.name}`);
  });
});
