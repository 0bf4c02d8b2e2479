// The console's refusals in its own words (issue 13): on a location's switches page a refused
// pause, a refused sold-out switch and refused opening hours are told with the console catalog's
// Spanish text for the problem's stable `code` (and field), never the server's English
// `detail`, and the control the refusal is about is marked.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { BASE, TABLET, launch, withPage, login, staffLocation, apiAt, consoleSignIn, waitUntil } from "./lib.mjs";

const SLUG = "napoli";
const MANAGER = `gerente.${SLUG}@demo.omnicanal.cl`;
const here = path.dirname(new URL(import.meta.url).pathname);
const CATALOG = JSON.parse(fs.readFileSync(path.resolve(here, "../../crates/server/locales/console.es.json"), "utf8"));
const ENGLISH = /\b(must|the|is|are|not|found|overlap|ranges?)\b/i;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The English detail and field messages the API gives for the same request. */
async function serverWords(method, urlPath, body) {
  const { token } = await login(MANAGER);
  const { status, body: problem } = await apiAt(BASE, method, urlPath, { token, body, ok: () => true });
  assert.ok(status >= 400, `${method} ${urlPath} is refused (${status})`);
  return [problem.detail, ...(problem.errors || []).map((e) => e.message)].filter(Boolean);
}

async function openSwitches(page, locationId) {
  await consoleSignIn(page, MANAGER);
  await page.goto(`${BASE}/console/locations/${locationId}/switches`);
  await waitUntil(page, "the switches loaded", () => [...document.querySelectorAll("[data-testid=sold-out-toggle]")].some((b) => !b.disabled));
}

function assertCatalogWords(shown, key, english, args = {}) {
  let expected = CATALOG[key];
  assert.ok(expected, `the catalog has ${key}`);
  for (const [name, value] of Object.entries(args)) expected = expected.split(`{${name}}`).join(value);
  assert.equal(shown.trim(), expected);
  for (const words of english) assert.ok(!shown.includes(words), `no server English (${words}) in: ${shown}`);
  assert.ok(!ENGLISH.test(shown), `Spanish only: ${shown}`);
}

test("switches: a refused pause and a refused sold-out switch are told in the catalog's words, the control marked", async () => {
  const locationId = await staffLocation(SLUG);
  await withPage(browser, "console-refusals-switches", TABLET, async (page) => {
    await openSwitches(page, locationId);
    const error = page.locator("[data-testid=switch-error]");

    // A pause longer than the 720 minutes the API takes (the page only offers 15 to 60).
    const pause = page.locator("[data-testid=pause-15]");
    await pause.evaluate((button) => (button.dataset.pause = "999"));
    await pause.click();
    await error.waitFor({ state: "visible" });
    const pauseEnglish = await serverWords("PATCH", `/locations/${locationId}`, { pause_minutes: 999 });
    assertCatalogWords(await error.innerText(), "console.switches.problem.pause_minutes", pauseEnglish);
    assert.equal(await pause.getAttribute("aria-invalid"), "true", "the pause button is marked");
    assert.equal(await pause.getAttribute("aria-describedby"), "switch-error");

    // A product this location no longer sells (its switch still on a page left open).
    const toggle = page.locator("[data-testid=sold-out-toggle]").first();
    await toggle.evaluate((button) => (button.dataset.sku = "NO-SE-VENDE"));
    await toggle.click();
    await waitUntil(page, "the switch marked", () => document.querySelector("[data-testid=sold-out-toggle][aria-invalid=true]") !== null);
    const skuEnglish = await serverWords("PUT", `/locations/${locationId}/sold-out/NO-SE-VENDE`);
    assertCatalogWords(await error.innerText(), "console.switches.problem.not_found", skuEnglish);
    assert.equal(await pause.getAttribute("aria-invalid"), null, "the earlier mark is gone");
    assert.equal(await toggle.getAttribute("aria-checked"), "false", "the switch did not flip");
    assert.ok(await page.locator("[data-testid=sold-out-row].has-problem").count(), "its row is marked");
  });
});

test("switches: overlapping opening hours are refused in the catalog's words, the day's times marked", async () => {
  const locationId = await staffLocation(SLUG);
  const { token } = await login(MANAGER);
  try {
    await withPage(browser, "console-refusals-hours", TABLET, async (page) => {
      await openSwitches(page, locationId);
      const alwaysOpen = page.locator("[data-testid=always-open]");
      if (await alwaysOpen.isChecked()) await alwaysOpen.uncheck();
      const monday = (slot, end) => page.locator(`input[data-day="1"][data-slot="${slot}"][data-end="${end}"]`);
      await monday(0, "from").fill("10:00");
      await monday(0, "to").fill("14:00");
      await monday(1, "from").fill("13:00");
      await monday(1, "to").fill("16:00");
      await page.locator("[data-testid=hours-save]").click();
      const error = page.locator("[data-testid=hours-error]");
      await error.waitFor({ state: "visible" });
      const english = await serverWords("PATCH", `/locations/${locationId}`, {
        opening_hours: { 1: [["10:00", "14:00"], ["13:00", "16:00"]] },
      });
      assertCatalogWords(await error.innerText(), "console.hours.problem.day", english, { day: CATALOG["console.day.1"] });
      for (const [slot, end] of [[0, "from"], [0, "to"], [1, "from"], [1, "to"]]) {
        assert.equal(await monday(slot, end).getAttribute("aria-invalid"), "true", `Monday ${slot} ${end} marked`);
      }
      assert.equal(await page.locator('input[data-day="2"][aria-invalid=true]').count(), 0, "other days unmarked");
      assert.equal(await page.locator("[data-testid=hours-saved]").isVisible(), false, "nothing saved");
    });
  } finally {
    // Refused hours are never saved; this only guards the demo's "always open" for the other tests.
    await apiAt(BASE, "PATCH", `/locations/${locationId}`, { token, body: { always_open: true } });
  }
});
