// The on-call panel of the desk (issue 18 point 3) at 360 px and 1280 px: the demo's agent
// opens /support, takes the watch for 2 hours, sees themself on call now and in the coming
// shifts, and ends the watch again; the panel fits 360 px. The rota the page shows is the
// one the API answers. (Turning on alerts needs a real push service: the API tests and the
// interop suite judge the pushes.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, api, launch, login, withPage, consoleSignIn, overflow, artifact } from "./lib.mjs";

const AGENT = "soporte@demo.omnicanal.dev";

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
  test(`${width} px: an agent takes the watch and sees themself on call`, async () => {
    const agent = await login(AGENT);
    await withPage(browser, `support-on-call-${width}`, { viewport: { width, height }, isMobile: width < 400 }, async (page) => {
      await consoleSignIn(page, AGENT);
      await page.goto(`${BASE}/support`);
      const panel = page.locator("[data-testid=on-call]");
      await panel.waitFor();
      assert.match(await panel.locator("h2").innerText(), /Guardia/);
      await page.locator("[data-testid=watch-hours]").fill("2");
      await page.locator("[data-testid=take-watch-submit]").click();
      await page.waitForFunction((email) => document.querySelector("[data-testid=on-call-now]")?.textContent.includes(email), AGENT);
      const mine = page.locator("[data-testid=on-call-shift]", { hasText: AGENT });
      await mine.first().waitFor();
      const rota = await api("GET", "/support/on-call", { token: agent.token });
      assert.ok(rota.shifts.some((shift) => shift.user_email === AGENT), "the API lists the shift");
      if (width < 400) {
        const wide = await overflow(page, width);
        assert.ok(wide.scrollWidth <= width, `the page sticks out: ${wide.wide.join(", ")}`);
      }
      await page.screenshot({ path: artifact(`support-on-call-${width}.png`), fullPage: true });
      // End the watch again, so the next run (and the rest of the suite) starts from nobody.
      while ((await mine.count()) > 0) {
        const before = await mine.count();
        await mine.first().locator("button").click();
        await page.waitForFunction(
          ([email, count]) => [...document.querySelectorAll("[data-testid=on-call-shift]")].filter((li) => li.textContent.includes(email)).length < count,
          [AGENT, before],
        );
      }
    });
  });
}
