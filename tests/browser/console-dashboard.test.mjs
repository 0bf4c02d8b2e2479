// The console's dashboard (issue 15, point 4): a visitor orders through the API, the admin opens
// /console/dashboard and sees the order counted — in the totals, the charts (SVG images with a
// title and an aria-label) and their tables — and each chart's CSV carries the same figures.
// At 360 px and at 1280 px, nothing sticks out past the edge. Other tests order on the same demo
// at the same time, so the figures are compared as "at least one more than before".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, ADMIN, artifact, launch, withPage, placeOrder, staffLocation, consoleSignIn, overflow } from "./lib.mjs";

const KITCHEN = "fuente";
const DISH = "FUE-CHAC"; // Chacarero
const WIDTHS = [
  { width: 360, height: 800 },
  { width: 1280, height: 900 },
];

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const totalOrders = async (page) => Number((await page.locator("[data-testid=total-orders]").innerText()).trim());

test("dashboard: the admin sees a visitor's order counted in the charts and tables, at 360 and 1280 px", async () => {
  const locationId = await staffLocation(KITCHEN);
  for (const viewport of WIDTHS) {
    await withPage(browser, `console-dashboard-${viewport.width}`, { viewport, isMobile: viewport.width < 600 }, async (page) => {
      await consoleSignIn(page, ADMIN);
      const first = await page.goto(`${BASE}/console/dashboard`);
      assert.equal(first.status(), 200);
      const before = await totalOrders(page);

      await placeOrder([{ sku: DISH, locationId, quantity: 1 }], { name: `Visita ${viewport.width}` });

      await page.goto(`${BASE}/console/dashboard`);
      assert.equal(await page.locator("h1").innerText(), "Panel de ventas");
      const after = await totalOrders(page);
      assert.ok(after >= before + 1, `the order is counted (${before} → ${after})`);
      assert.equal(await page.locator("[data-testid=dashboard-empty]").count(), 0, "no empty state once sold");

      // Every chart is an accessible image; the sales by day and by channel are drawn.
      for (const chart of ["days", "hours", "channels", "merchants", "products"]) {
        const svg = page.locator(`[data-testid=chart-${chart}] svg.chart`);
        assert.equal(await svg.count(), 1, `the ${chart} chart is drawn`);
        assert.ok((await svg.getAttribute("aria-label")).length > 0);
        assert.equal(await svg.getAttribute("role"), "img");
        assert.ok(await svg.locator("title").count());
      }
      // The numbers as tables: the QR channel and the dish are there.
      const channels = page.locator("[data-testid=chart-channels]");
      await channels.locator("summary").click();
      const qrRow = channels.locator("tbody tr", { hasText: "QR" });
      assert.ok(Number(await qrRow.locator("td").first().innerText()) >= 1, "the QR channel counts the order");
      const products = page.locator("[data-testid=chart-products]");
      await products.locator("summary").click();
      assert.match(await products.locator("tbody").innerText(), /Chacarero/);

      // The CSV of the channels, with the same figures.
      const href = await page.locator("[data-testid=csv-channels]").getAttribute("href");
      const csv = await page.request.get(`${BASE}${href}`);
      assert.equal(csv.status(), 200);
      assert.match(csv.headers()["content-type"], /^text\/csv/);
      const qr = (await csv.text()).split("\n").find((line) => line.startsWith('"QR"'));
      assert.ok(qr && Number(qr.split(",")[1]) >= 1, `the CSV counts the order: ${qr}`);

      // Nothing sticks out past the edge.
      const { scrollWidth, wide } = await overflow(page, viewport.width);
      assert.ok(scrollWidth <= viewport.width, `no horizontal scroll at ${viewport.width} px: ${wide.join(", ")}`);
      await page.screenshot({ path: artifact(`console-dashboard-${viewport.width}.png`), fullPage: true });
    });
  }
});

test("dashboard: English too", async () => {
  await withPage(browser, "console-dashboard-en", { viewport: { width: 1280, height: 900 }, isMobile: false }, async (page) => {
    await consoleSignIn(page, ADMIN);
    await page.goto(`${BASE}/console/dashboard?lang=en&days=30`);
    assert.equal(await page.locator("h1").innerText(), "Sales dashboard");
    assert.equal(await page.locator("[data-testid=dashboard-days]").inputValue(), "30");
  });
});
