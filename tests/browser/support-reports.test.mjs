// The support desk's reports (issue 18 point 6): a store's staff ask for help from a food-court
// kitchen, the admin opens "Informes de soporte" from the console's nav and finds the ticket
// counted by store and category, the SLA figures and the time charts drawn as SVG with their
// numbers in a table; at 360 px and at 1280 px nothing sticks out past the edge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, ADMIN, SLUGS, api, launch, login, staffEmail, withPage, consoleSignIn, overflow } from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

for (const [width, height] of [
  [360, 740],
  [1280, 800],
]) {
  test(`${width} px: a store's ticket is counted in the desk's report`, async () => {
    const { token, user } = await login(staffEmail(SLUGS[0]));
    await api("POST", "/support/tickets", {
      token,
      body: { location_id: user.location_id, subject: `La impresora no imprime (${width})`, category: "impresora" },
    });
    const viewport = { viewport: { width, height }, isMobile: width < 600 };
    await withPage(browser, `support-reports-${width}`, viewport, async (page) => {
      await consoleSignIn(page, ADMIN);
      await page.goto(`${BASE}/console`);
      await page.locator("[data-testid=nav-support-reports]").click();
      await page.waitForURL((url) => url.pathname === "/support/reports");
      assert.match(await page.locator("h1").first().innerText(), /Informes de soporte/);
      const total = Number(await page.locator("[data-testid=support-total]").innerText());
      assert.ok(total >= 1, `the ticket is counted: ${total}`);
      for (const chart of ["stores", "categories", "hours", "compliance", "first_response", "resolution"]) {
        assert.equal(await page.locator(`[data-testid=support-chart-${chart}]`).count(), 1, chart);
      }
      assert.ok(await page.locator("[data-testid=support-chart-categories] svg").count(), "categories drawn");
      const printers = page.locator("[data-testid=support-table-categories] tr", { hasText: "Impresora" });
      assert.ok(Number(await printers.locator("td").textContent()) >= 1, "counted under Impresora (in the folded table)");
      await page.locator("[data-testid=support-report-days]").selectOption("30");
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("days") === "30"),
        page.locator("[data-testid=support-report-filters] button").click(),
      ]);
      const wide = await overflow(page, width);
      assert.ok(wide.scrollWidth <= width, `the report fits ${width} px: ${JSON.stringify(wide)}`);
    });
  });
}
