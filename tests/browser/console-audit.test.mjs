// The audit log (issue 15 point 3): the admin renames a site in /console/setup/sites/{id} and
// then finds that change in /console/audit — who, when, and the changed field with its value before and after, only the
// changed fields. The page is searchable by kind of thing; at 360 px and at 1280 px nothing
// sticks out past the edge. A site of the test's own is used so the demo's sites stay as they are.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, ADMIN, api, launch, login, withPage, consoleSignIn, overflow } from "./lib.mjs";

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
  test(`${width} px: a site renamed in setup shows in the change log with before and after`, async () => {
    const { token } = await login(ADMIN);
    const site = await api("POST", "/sites", {
      token,
      body: { name: `Mall Registro ${width} ${Date.now()}`, country: "CL", currency: "CLP", timezone: "America/Santiago" },
    });
    const viewport = { viewport: { width, height }, isMobile: width < 600 };
    await withPage(browser, `console-audit-${width}`, viewport, async (page) => {
      await consoleSignIn(page, ADMIN);
      await page.goto(`${BASE}/console/setup/sites/${site.id}`);
      const renamed = `Mall Renombrado ${width} ${Date.now()}`;
      await page.locator("[data-testid=site-name-input]").fill(renamed);
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("done") === "policy"),
        page.locator("[data-testid=policy-submit]").click(),
      ]);

      // The nav leads to the log; the newest site entry is this change.
      await page.locator("[data-testid=nav-audit]").click();
      await page.waitForURL((url) => url.pathname === "/console/audit");
      assert.match(await page.locator("h1").first().innerText(), /Registro de cambios/);
      await page.locator("[data-testid=audit-entity]").selectOption("site");
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get("entity") === "site"),
        page.locator("[data-testid=audit-submit]").click(),
      ]);
      const row = page.locator(`[data-testid=audit-row][data-entity-id="${site.id}"][data-action="updated"]`);
      assert.equal(await row.count(), 1, "the change is listed once");
      assert.equal(
        await page.locator("[data-testid=audit-row]").first().getAttribute("data-entity-id"),
        site.id,
        "newest first",
      );
      assert.match(await row.locator("[data-testid=audit-who]").innerText(), new RegExp(ADMIN.replace(/\./g, "\\.")));
      assert.match(await row.locator("[data-testid=audit-when]").innerText(), /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
      const fields = await row.locator("[data-testid=audit-diff] li").evaluateAll((items) =>
        items.map((li) => li.getAttribute("data-field")),
      );
      assert.deepEqual(fields, ["name"], "only the changed field");
      const changed = row.locator('[data-field="name"]');
      assert.equal(await changed.locator("[data-testid=audit-before]").innerText(), site.name);
      assert.equal(await changed.locator("[data-testid=audit-after]").innerText(), renamed);

      // The site's creation is there too, older.
      const created = page.locator(`[data-testid=audit-row][data-entity-id="${site.id}"][data-action="created"]`);
      assert.equal(await created.count(), 1);
      assert.ok((await created.innerText()).includes(site.name), "the created site's name is shown");

      const wide = await overflow(page, width);
      assert.ok(wide.scrollWidth <= width, `the change log fits ${width} px: ${JSON.stringify(wide)}`);
    });
  });
}
