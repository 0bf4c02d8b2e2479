// The till keeps selling when the server is really down (issue 14), on a server of this test's
// own (own port and SQLite file, lib.mjs ownServer): the till is set up and its service worker
// takes the page; the server process is killed mid-shift; five cash sales are made (card is
// refused on screen while offline), each with its receipt kept on the till; the banner says
// "Sin conexión · 5 ventas sin enviar"; the page is reloaded, then the browser (a profile on
// disk) is closed and started again, the server still down (the service worker serves the
// shell, IndexedDB keeps the queue); the server starts again on the
// same port and database, and the queue drains by itself: the banner counts down to zero, and
// the server has exactly five sales — receipt series at 5, no gap, no duplicate, five sales in
// the session, all marked offline.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, CHROMIUM, consoleSignIn, apiAt, artifact, waitUntil, ownServer } from "./lib.mjs";
import { makeShop, registerDevice, openSession, scan, waitForScreen, PEN } from "./pos-lib.mjs";

let server;
let shop;
before(async () => {
  server = await ownServer("pos-offline");
  shop = await makeShop(server.base);
});
after(async () => {
  await server?.remove();
});

const banner = (page) => page.locator("[data-testid=pos-banner]");

async function offlineSale(page, n) {
  await scan(page, PEN.barcode);
  await waitUntil(page, "the pen in the cart", () => document.querySelector("[data-testid=pos-total]")?.textContent === "$590");
  await page.locator("[data-testid=pos-pay]").click();
  await waitForScreen(page, "pay");
  if (n > 1) {
    assert.ok(await page.locator("[data-testid=pos-method-card]").isDisabled(), "no card payment while offline");
    assert.ok(await page.locator("[data-testid=pos-card-offline]").isVisible());
  }
  await page.locator("[data-testid=pos-tender-amount]").fill("1.000");
  await page.locator("[data-testid=pos-add-tender]").click();
  await page.locator("[data-testid=pos-confirm]").click();
  await waitForScreen(page, "receipt", 20_000);
  assert.equal(await page.locator("[data-testid=pos-receipt-state]").getAttribute("data-state"), "queued");
  assert.equal(await page.locator("[data-testid=pos-receipt-change]").innerText(), "$410");
  const number = await page.locator("[data-testid=pos-receipt-number]").innerText();
  await page.locator("[data-testid=pos-next-sale]").click();
  await waitForScreen(page, "sell");
  return number;
}

/** A browser with a profile on disk, so closing it and launching it again is a browser restart. */
function persistentBrowser(dir) {
  return chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-proxy-server", "--disable-dev-shm-usage"],
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    locale: "es-CL",
  });
}

test("five sales made with the server stopped arrive exactly once after a reload, a browser restart and a server restart", async () => {
  const base = server.base;
  const profile = mkdtempSync(path.join(tmpdir(), "pos-offline-profile-"));
  let context = await persistentBrowser(profile);
  const errors = [];
  let page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (error) => errors.push(error.message));
  try {
    await consoleSignIn(page, shop.manager.email, { base, password: shop.manager.password });
    await page.goto(`${base}/pos`);
    await registerDevice(page, "Caja Offline");
    const deviceId = await page.locator("[data-testid=pos-where]").getAttribute("data-device-id");
    const series = await page.locator("[data-testid=pos-where]").getAttribute("data-series");
    await openSession(page, "20.000");
    await waitUntil(
      page,
      "the service worker to control the till and keep its shell",
      async () => !!navigator.serviceWorker.controller && !!(await caches.match("/pos")),
      undefined,
      15_000,
    );

    await server.kill("SIGKILL");
    const numbers = [];
    for (let n = 1; n <= 5; n += 1) numbers.push(await offlineSale(page, n));
    assert.deepEqual(numbers, [1, 2, 3, 4, 5].map((n) => `${series}-${n}`));
    assert.equal(await banner(page).getAttribute("data-state"), "offline");
    assert.equal(await banner(page).innerText(), "Sin conexión · 5 ventas sin enviar");
    await page.screenshot({ path: artifact("pos-offline-5.png"), fullPage: true });

    // A reload with the server still down: the shell from the service worker, the queue from IndexedDB.
    await page.reload();
    await waitForFiveWaiting(page);

    // The browser closed and started again, the server still down.
    await context.close();
    context = await persistentBrowser(profile);
    page = context.pages()[0] || (await context.newPage());
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${base}/pos`);
    await waitForFiveWaiting(page);
    await page.evaluate(() => {
      window.seenPending = [];
      const el = document.querySelector("[data-testid=pos-banner]");
      new MutationObserver(() => window.seenPending.push(Number(el.dataset.pending))).observe(el, {
        attributes: true,
        attributeFilter: ["data-pending"],
      });
    });

    await server.start();
    await waitUntil(
      page,
      "the queue to drain by itself",
      () => document.querySelector("[data-testid=pos-banner]")?.dataset.pending === "0",
      undefined,
      45_000,
    );
    await waitUntil(page, "the banner to go", () => document.querySelector("[data-testid=pos-banner]").hidden);
    const seen = await page.evaluate(() => window.seenPending);
    assert.equal(seen.at(-1), 0, `counted down to zero: ${seen}`);
    assert.ok(seen.every((n, i) => i === 0 || n <= seen[i - 1]), `never counted up: ${seen}`);
    assert.ok(seen.some((n) => n > 0 && n < 5), `counted down through the sales: ${seen}`);
    await page.screenshot({ path: artifact("pos-offline-drained.png"), fullPage: true });
    assert.equal(await page.locator("[data-testid=pos-refused]").isVisible(), false, "no sale was refused");

    const { body: report } = await apiAt(base, "GET", `/pos/devices/${deviceId}/receipts`, { token: shop.token });
    assert.equal(report.last_number, 5);
    assert.deepEqual(report.gaps, []);
    assert.deepEqual(report.duplicates, []);
    const { body: devices } = await apiAt(base, "GET", `/pos/devices?location_id=${shop.location.id}`, { token: shop.token });
    const sessionId = devices.find((d) => d.id === deviceId).open_session_id;
    const { body: session } = await apiAt(base, "GET", `/pos/sessions/${sessionId}`, { token: shop.token });
    assert.equal(session.sales_count, 5);
    assert.equal(session.offline_sales_count, 5);
    assert.equal(session.sales_total.amount, 5 * PEN.price);
    assert.deepEqual(errors, [], "no uncaught error in the page");
  } catch (error) {
    await page.screenshot({ path: artifact("failed-pos-offline.png"), fullPage: true }).catch(() => {});
    throw error;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});

/** The till open on its selling screen with five sales waiting and the server unreachable. */
async function waitForFiveWaiting(page) {
  await waitForScreen(page, "sell", 15_000);
  await waitUntil(page, "the banner with five sales waiting", () => {
    const el = document.querySelector("[data-testid=pos-banner]");
    return el && !el.hidden && el.dataset.pending === "5" && el.dataset.state === "offline";
  });
  assert.equal(await banner(page).innerText(), "Sin conexión · 5 ventas sin enviar");
}
