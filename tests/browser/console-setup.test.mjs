// The admin sets up a mall in the browser (issue 15): at 360 px and at 1280 px, the admin of the
// demo creates a site, a merchant and a location from the console's setup pages; a bad time
// zone and a commission that is not a number are told at their fields in the console's Spanish
// words (never the server's English), what was typed kept; a merchant's manager is refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, ADMIN, launch, withPage, consoleSignIn, catalog, layoutProblems, artifact } from "./lib.mjs";

const ES = catalog("es");
const ENGLISH = /\b(must|the|is|are|not|found|characters)\b/i;
const DEVICES = {
  360: { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "es-CL" },
  1280: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, isMobile: false, hasTouch: false, locale: "es-CL" },
};

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

async function fits(page, width, name) {
  const { broken, scrollWidth, wide } = await layoutProblems(page, width);
  assert.ok(scrollWidth <= width, `${name} at ${width} px is ${scrollWidth} px wide: ${wide.join(", ")}`);
  assert.deepEqual(broken, [], `${name} at ${width} px keeps words whole`);
  await page.screenshot({ path: artifact(`console-setup-${width}-${name}.png`), fullPage: true });
}

/** The field's message: the catalog's Spanish, the field marked and pointing at it. */
async function assertFieldMessage(page, field, input, key, args = {}) {
  const error = page.locator(`[data-testid=error-${field}]`);
  await error.waitFor({ state: "visible" });
  let expected = ES[key];
  for (const [name, value] of Object.entries(args)) expected = expected.split(`{${name}}`).join(value);
  const shown = (await error.innerText()).trim();
  assert.equal(shown, expected, `${field} is told in the catalog's words`);
  assert.ok(!ENGLISH.test(shown), `Spanish only: ${shown}`);
  const marked = page.locator(`[data-testid=${input}]`);
  assert.equal(await marked.getAttribute("aria-invalid"), "true", `${input} is marked`);
  assert.ok((await marked.getAttribute("aria-describedby")).includes(await error.getAttribute("id")), `${input} points at its message`);
}

for (const width of [360, 1280]) {
  test(`${width} px: the admin creates a site, a merchant and a location from the pages`, async () => {
    const stamp = `${width}-${Date.now().toString(36)}`;
    const siteName = `Mall Prueba ${stamp}`;
    const merchantName = `Ceviche ${stamp}`;
    const locationName = `Ceviche Patio ${stamp}`;
    await withPage(browser, `console-setup-${width}`, DEVICES[width], async (page) => {
      await consoleSignIn(page, ADMIN);
      await page.locator("[data-testid=nav-setup-sites]").click();
      await page.waitForURL(/\/console\/setup\/sites$/);
      await fits(page, width, "sites");

      // A bad time zone: refused at the field, the other values kept, nothing saved.
      await page.locator("[data-testid=site-name]").fill(siteName);
      await page.locator("[data-testid=site-country]").selectOption("PE");
      await page.locator("[data-testid=site-currency]").selectOption("PEN");
      await page.locator("[data-testid=site-timezone]").fill("Lima/Peru");
      await page.locator("[data-testid=site-submit]").click();
      await assertFieldMessage(page, "timezone", "site-timezone", "console.setup.problem.timezone");
      assert.equal(await page.locator("[data-testid=site-name]").inputValue(), siteName, "the name is kept");
      assert.equal(await page.locator("[data-testid=setup-site]").filter({ hasText: siteName }).count(), 0, "nothing saved");
      await fits(page, width, "sites-refused");

      await page.locator("[data-testid=site-timezone]").fill("America/Lima");
      await page.locator("[data-testid=site-submit]").click();
      await page.locator("[data-testid=setup-done]").waitFor();
      assert.equal((await page.locator("[data-testid=setup-site-name]").innerText()).trim(), siteName);
      assert.equal((await page.locator("dd[data-testid=site-currency]").innerText()).trim(), "PEN");
      await page.locator("[data-testid=site-accept-within]").fill("15");
      await page.locator("[data-testid=site-unaccepted-policy]").selectOption("notify_only");
      await page.locator("[data-testid=policy-submit]").click();
      await page.locator("[data-testid=setup-done]").waitFor();
      assert.equal((await page.locator("[data-testid=site-limit]").innerText()).trim(), "15 min");
      await fits(page, width, "site");

      // Its QR posters: a list of tables the API would refuse is told at the field.
      await page.locator("[data-testid=poster-tables]").fill("1,,2");
      await page.locator("[data-testid=posters-submit]").click();
      await assertFieldMessage(page, "tables", "poster-tables", "console.setup.problem.tables");
      await fits(page, width, "site-posters-refused");

      // A merchant: a commission that is not a number is told at its field.
      await page.locator("[data-testid=nav-setup-merchants]").click();
      await page.waitForURL(/\/console\/setup\/merchants$/);
      await page.locator("[data-testid=merchant-name]").fill(merchantName);
      await page.locator("[data-testid=merchant-commission]").fill("doce");
      await page.locator("[data-testid=merchant-submit]").click();
      await assertFieldMessage(page, "commission", "merchant-commission", "console.setup.problem.commission");
      await fits(page, width, "merchants-refused");
      await page.locator("[data-testid=merchant-commission]").fill("12,5");
      await page.locator("[data-testid=merchant-submit]").click();
      await page.locator("[data-testid=setup-done]").waitFor();
      assert.equal((await page.locator("dd[data-testid=merchant-commission]").innerText()).trim(), "12,5 %");
      assert.ok(await page.locator("[data-testid=merchant-no-locations]").isVisible(), "a helpful empty state");

      // The list finds it by a part of its name.
      await page.locator("[data-testid=back-merchants]").click();
      await page.locator("[data-testid=setup-search-text]").fill(stamp.toUpperCase());
      await page.locator("[data-testid=setup-search-submit]").click();
      await page.waitForURL(/[?&]q=/);
      const rows = page.locator("[data-testid=setup-merchant]");
      assert.equal(await rows.count(), 1, "one merchant matches");
      await rows.getByRole("link", { name: merchantName }).click();
      await page.locator("[data-testid=location-form]").waitFor();

      // Its location at the new site.
      await page.locator("[data-testid=location-site]").selectOption({ label: siteName });
      await page.locator("[data-testid=location-name]").fill(locationName);
      await page.locator("[data-testid=location-pay-at-pickup]").check();
      await page.locator("[data-testid=location-submit]").click();
      await page.locator("[data-testid=setup-done]").waitFor();
      const listed = page.locator("[data-testid=merchant-location]").filter({ hasText: locationName });
      assert.equal(await listed.count(), 1, "the location is listed");
      await fits(page, width, "merchant");

      // Its settings: a word for the orders per slot is told at the field, then a number saved.
      await listed.locator("[data-testid=location-settings]").click();
      await page.locator("[data-testid=settings-form]").waitFor();
      await page.locator("[data-testid=settings-slot-capacity]").fill("muchos");
      await page.locator("[data-testid=settings-submit]").click();
      await assertFieldMessage(page, "slot_capacity", "settings-slot-capacity", "console.setup.problem.slot_capacity");
      await fits(page, width, "location-refused");
      await page.locator("[data-testid=settings-slot-capacity]").fill("30");
      await page.locator("[data-testid=settings-submit]").click();
      await page.locator("[data-testid=setup-done]").waitFor();
      assert.equal(await page.locator("[data-testid=settings-slot-capacity]").inputValue(), "30");
      await page.locator("[data-testid=back-merchant]").click();

      // The location shows on its site's page, and in English the pages speak English.
      await listed.getByRole("link", { name: siteName }).click();
      await page.locator("[data-testid=site-location]").filter({ hasText: locationName }).waitFor();
      await page.goto(`${BASE}/console/setup/merchants?lang=en`);
      assert.equal((await page.locator("h1").innerText()).trim(), "Merchants");
      await page.goto(`${BASE}/console/setup/merchants?lang=es`);
    });
  });
}

test("a merchant's manager is refused the setup pages", async () => {
  await withPage(browser, "console-setup-manager", DEVICES[1280], async (page) => {
    await consoleSignIn(page, "gerente.napoli@demo.omnicanal.cl");
    assert.equal(await page.locator("[data-testid=nav-setup-sites]").count(), 0, "no setup links");
    const response = await page.goto(`${BASE}/console/setup/sites`);
    assert.equal(response.status(), 403);
  });
});
