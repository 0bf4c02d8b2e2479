// The till (/pos, issue 14) on a shop of the test's own (pos-lib.mjs), at 1280 px and 360 px:
// a manager signs in, registers the till once, opens the cash session with a counted float;
// two notebooks and a pen are "scanned" (the code typed into the focused search box, then
// Enter, as a scanner does); the total is priced in the browser by pricing.js with the
// notebooks' promotion applied and the big-purchase promotion refused with its reason in
// Spanish; cash of $10.000 shows $4.028 change; the receipt carries the till's series number
// 1 and the server's own total and change; the server's receipt series has no gap; closing the
// session with the right count shows expected = counted and a zero difference.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BASE, withPage, consoleSignIn, apiAt, artifact, waitUntil } from "./lib.mjs";
import {
  tillSuite,
  pageAt,
  text,
  noOverflow,
  startTill,
  openSession,
  scan,
  payCash,
  waitForScreen,
  NOTEBOOK,
  PEN,
  APPLIED,
  REFUSED,
} from "./pos-lib.mjs";

const suite = tillSuite();

for (const width of [1280, 360]) {
  test(`at ${width} px: a scanned sale, a promotion applied and one refused with its reason, cash with change`, async () => {
    await withPage(suite.browser, `pos-${width}`, pageAt(width), async (page) => {
      const { response, deviceId, series } = await startTill(page, suite.shop, `Caja ${width}`);
      assert.equal(response.status(), 200);
      assert.ok(deviceId && series, "the till shows which device it is");
      await openSession(page, "10.000");

      // The scanner: the code and Enter, into the search box that has the focus.
      assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "pos-search");
      await page.keyboard.type(NOTEBOOK.barcode);
      await page.keyboard.press("Enter");
      await scan(page, NOTEBOOK.barcode);
      await scan(page, PEN.barcode);
      await waitUntil(page, "two cart lines", () => document.querySelectorAll("[data-testid=pos-line]").length === 2);
      const quantity = page.locator(`[data-testid=pos-line][data-sku="${NOTEBOOK.sku}"] [data-testid=pos-quantity]`);
      assert.equal(await quantity.inputValue(), "2");

      // 2 × 2.990 − 10 % (598) + 590 = 5.972, priced in the browser.
      assert.equal(await text(page, "pos-total"), "$5.972");
      const applied = await page.locator("[data-testid=pos-promo-applied]").allInnerTexts();
      assert.deepEqual(applied, [`${APPLIED}: −$598`]);
      const refused = await page.locator("[data-testid=pos-promo-refused]").allInnerTexts();
      assert.equal(refused.length, 1, `one promotion refused: ${refused}`);
      assert.match(refused[0], new RegExp(`^${REFUSED}: necesita una compra de al menos \\$100\\.000`));
      await page.screenshot({ path: artifact(`pos-${width}-cart.png`), fullPage: true });
      await noOverflow(page, width, "the cart");

      // Cash: $10.000 handed over, $4.028 back, shown before and after the sale.
      await page.locator("[data-testid=pos-pay]").click();
      await waitForScreen(page, "pay");
      await page.locator("[data-testid=pos-tender-amount]").fill("10.000");
      await page.locator("[data-testid=pos-add-tender]").click();
      assert.equal(await text(page, "pos-change"), "$4.028");
      assert.equal(await text(page, "pos-pay-remaining"), "$0");
      await page.screenshot({ path: artifact(`pos-${width}-pay.png`), fullPage: true });
      await page.locator("[data-testid=pos-confirm]").click();
      await waitForScreen(page, "receipt", 15_000);
      assert.equal(await text(page, "pos-receipt-number"), `${series}-1`);
      assert.equal(await page.locator("[data-testid=pos-receipt-state]").getAttribute("data-state"), "sent");
      assert.equal(await text(page, "pos-receipt-total"), "$5.972");
      assert.equal(await text(page, "pos-receipt-change"), "$4.028");
      await page.screenshot({ path: artifact(`pos-${width}-receipt.png`), fullPage: true });
      // Printed (window.print): the receipt alone, no wider than 80 mm paper.
      await page.emulateMedia({ media: "print" });
      const printed = await page.evaluate(() => ({
        receipt: document.querySelector("[data-testid=pos-receipt]").getBoundingClientRect().width,
        bar: document.querySelector(".bar").checkVisibility(),
        buttons: document.querySelector("[data-testid=pos-print]").checkVisibility(),
      }));
      assert.ok(printed.receipt > 0 && printed.receipt <= (80 / 25.4) * 96, `receipt ${printed.receipt}px wide`);
      assert.equal(printed.bar, false);
      assert.equal(printed.buttons, false);
      await page.emulateMedia({ media: "screen" });

      const { body: report } = await apiAt(BASE, "GET", `/pos/devices/${deviceId}/receipts`, { token: suite.shop.token });
      assert.equal(report.last_number, 1);
      assert.deepEqual(report.gaps, []);
      assert.deepEqual(report.duplicates, []);

      // The next sale starts with the search box ready for the scanner.
      await page.locator("[data-testid=pos-next-sale]").click();
      await waitForScreen(page, "sell");
      assert.equal(await text(page, "pos-total"), "$0");

      // Close: 10.000 float + 5.972 cash sale = 15.972 expected.
      await page.locator("[data-testid=pos-close-session]").click();
      await waitForScreen(page, "close");
      await page.locator("[data-testid=pos-counted]").fill("15.972");
      await page.locator("[data-testid=pos-close]").click();
      await page.locator("[data-testid=pos-close-result]").waitFor();
      assert.equal(await text(page, "pos-close-expected"), "$15.972");
      assert.equal(await text(page, "pos-close-counted"), "$15.972");
      assert.equal(await text(page, "pos-close-difference"), "$0");
      await page.screenshot({ path: artifact(`pos-${width}-closed.png`), fullPage: true });
    });
  });
}

test("a sale id the server already has with another body is shown as refused, once, not retried in a loop", async () => {
  await withPage(suite.browser, "pos-409", { viewport: { width: 1280, height: 800 }, isMobile: false }, async (page) => {
    const sent = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/api/v1/pos/sales") {
        sent.push(JSON.parse(request.postData() || "{}"));
      }
    });
    const { deviceId, series } = await startTill(page, suite.shop, "Caja 409");
    await openSession(page, "5.000");
    await scan(page, PEN.barcode);
    await payCash(page, "1.000");
    assert.equal(await page.locator("[data-testid=pos-receipt-state]").getAttribute("data-state"), "sent");
    assert.equal(sent.length, 1);
    const first = sent[0];

    // The same id queued again with another body (two pens, the next number): the server says 409.
    await page.evaluate(
      ({ first, deviceId, series }) =>
        new Promise((resolve, reject) => {
          const open = indexedDB.open("omnicanal-pos");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const tx = open.result.transaction("sales", "readwrite");
            const body = { ...first, receipt_number: `${series}-2`, lines: [{ sku: first.lines[0].sku, quantity: 2 }] };
            tx.objectStore("sales").put({ id: first.id, device_id: deviceId, n: 2, state: "pending", attempts: 0, body, receipt: {} });
            tx.oncomplete = () => resolve();
            tx.onerror = () => reject(tx.error);
          };
        }),
      { first, deviceId, series },
    );
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    const refused = page.locator(`[data-testid=pos-refused-sale][data-sale-id="${first.id}"]`);
    await refused.waitFor({ timeout: 15_000 });
    assert.match(await refused.innerText(), new RegExp(`^Boleta ${series}-2: `));
    await page.waitForTimeout(3_000);
    assert.equal(sent.filter((body) => body.id === first.id).length, 2, "sent again once, then kept as refused");
    assert.equal(await page.locator("[data-testid=pos-banner]").getAttribute("data-pending"), "0");
    await page.screenshot({ path: artifact("pos-409.png"), fullPage: true });
    await refused.locator("button").click();
    await page.locator("[data-testid=pos-refused]").waitFor({ state: "hidden" });
  });
});

test("a declined card shows its code and what to do, keeps the receipt number; split tender with an external card and cash", async () => {
  await withPage(suite.browser, "pos-tender", { viewport: { width: 1280, height: 800 }, isMobile: false }, async (page) => {
    const { deviceId, series } = await startTill(page, suite.shop, "Caja Tarjetas");
    await openSession(page, "0");
    await scan(page, NOTEBOOK.barcode);
    assert.equal(await text(page, "pos-total"), "$2.691");
    // Enter on the empty search box goes to payment (scan, scan, Enter).
    await page.locator("[data-testid=pos-search]").press("Enter");
    await waitForScreen(page, "pay");

    await page.locator("[data-testid=pos-method-card]").click();
    assert.equal(await page.locator("[data-testid=pos-tender-amount]").inputValue(), "2691");
    await page.locator("[data-testid=pos-tender-card]").fill("4000000000000002");
    await page.locator("[data-testid=pos-add-tender]").click();
    await page.locator("[data-testid=pos-confirm]").click();
    const error = page.locator("[data-testid=pos-pay-error]");
    await error.waitFor();
    assert.match(await error.innerText(), /^Tarjeta rechazada \(código 05\)\. /);
    await page.screenshot({ path: artifact("pos-declined.png"), fullPage: true });

    assert.equal(await page.locator("[data-testid=pos-tender]").count(), 0, "the declined card is off the list");
    await page.locator("[data-testid=pos-method-external]").click();
    await page.locator("[data-testid=pos-tender-amount]").fill("1.000");
    await page.locator("[data-testid=pos-tender-reference]").fill("AUT-123456");
    await page.locator("[data-testid=pos-add-tender]").click();
    await page.locator("[data-testid=pos-method-cash]").click();
    assert.equal(await page.locator("[data-testid=pos-tender-amount]").inputValue(), "1691");
    await page.locator("[data-testid=pos-tender-amount]").fill("2.000");
    await page.locator("[data-testid=pos-add-tender]").click();
    assert.equal(await text(page, "pos-change"), "$309");
    await page.locator("[data-testid=pos-confirm]").click();
    await waitForScreen(page, "receipt", 15_000);
    assert.equal(await text(page, "pos-receipt-number"), `${series}-1`, "the declined sale's number was given back");
    assert.equal(await text(page, "pos-receipt-change"), "$309");
    const { body: report } = await apiAt(BASE, "GET", `/pos/devices/${deviceId}/receipts`, { token: suite.shop.token });
    assert.equal(report.last_number, 1);
    assert.deepEqual(report.gaps, []);
  });
});

test("a staff member of the location sees the registered till and cannot register one", async () => {
  await withPage(suite.browser, "pos-staff", {}, async (page) => {
    await consoleSignIn(page, suite.shop.staff.email, { password: suite.shop.staff.password });
    await page.goto(`${BASE}/pos`);
    await waitForScreen(page, "device");
    await page.locator("[data-testid=pos-device]").first().waitFor();
    assert.equal(await page.locator("[data-testid=pos-register]").isVisible(), false);
  });
});

test("a visitor who is not signed in is sent to sign in and back to the till", async () => {
  await withPage(suite.browser, "pos-signin", {}, async (page) => {
    await page.goto(`${BASE}/pos`);
    assert.equal(new URL(page.url()).pathname, "/console/login");
    assert.equal(new URL(page.url()).searchParams.get("next"), "/pos");
  });
});

test("the till is installable: its manifest, icons and service worker scope", async () => {
  const response = await fetch(`${BASE}/pos/manifest.webmanifest`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type"), /application\/manifest\+json/);
  const manifest = await response.json();
  assert.equal(manifest.start_url, "/pos");
  assert.equal(manifest.scope, "/pos");
  assert.equal(manifest.display, "standalone");
  assert.equal(manifest.name, "Omnicanal Caja");
  assert.ok(manifest.icons.some((icon) => icon.sizes === "512x512"));
  const worker = await fetch(`${BASE}/pos/sw.js`);
  assert.equal(worker.status, 200);
  assert.equal(worker.headers.get("service-worker-allowed"), "/pos");
});
