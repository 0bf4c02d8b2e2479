// "Cerca de mí" on the demo retailer's agenda (/shop/andina-outdoor/agenda, issue 19 point 5)
// in Chromium at 360 px and 1280 px: with the position granted next to one of its two stores
// (Andina Providencia, Andina Las Condes), that store is offered first, whichever it is; with
// the position refused, the page says to pick a comuna, and picking one puts its store first.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, PHONE, launch, withPage } from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const AGENDA = `${BASE}/shop/andina-outdoor/agenda`;
const NARROW = { ...PHONE, viewport: { width: 360, height: 740 } };
const WIDE = { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1, locale: "es-CL" };
// A few hundred metres from each store (the demo's places: crates/server/src/demo/bookings.rs).
const NEAR = {
  "Andina Providencia": { latitude: -33.4251, longitude: -70.6149 },
  "Andina Las Condes": { latitude: -33.4095, longitude: -70.5701 },
};

const storeNames = (page) => page.locator("[data-testid=bk-location] option").allInnerTexts();
const chosenStore = (page) => page.locator("[data-testid=bk-location] option:checked").innerText();

for (const [width, device] of [
  [360, NARROW],
  [1280, WIDE],
]) {
  for (const [store, position] of Object.entries(NEAR)) {
    test(`${width} px: "cerca de mí" next to ${store} offers it first`, async () => {
      const options = { ...device, geolocation: position, permissions: ["geolocation"] };
      await withPage(browser, `bookings-near-${width}-${store}`, options, async (page) => {
        await page.goto(AGENDA);
        assert.deepEqual([...(await storeNames(page))].sort(), Object.keys(NEAR).sort(), "the retailer's two stores");
        await page.locator("[data-testid=bk-near]").click();
        const state = page.locator("#bk-near-state");
        await state.filter({ hasText: "Tiendas ordenadas de la más cercana a la más lejana." }).waitFor();
        assert.equal((await storeNames(page))[0].trim(), store, "the nearest store first");
        assert.equal((await chosenStore(page)).trim(), store, "and chosen");
        await page.locator("[data-testid=bk-slots-state]").filter({ hasText: /Elige una hora|No quedan horas/ }).waitFor();
      });
    });
  }
}

test("360 px: without the position, the page asks for a comuna, and the comuna's store comes first", async () => {
  await withPage(browser, "bookings-near-comuna", { ...NARROW, permissions: [] }, async (page) => {
    await page.goto(AGENDA);
    await page.locator("[data-testid=bk-near]").click();
    await page.locator("#bk-near-state").filter({ hasText: "Sin tu ubicación no sabemos cuál te queda más cerca; elige tu comuna." }).waitFor();
    for (const [comuna, store] of [
      ["Las Condes", "Andina Las Condes"],
      ["Providencia", "Andina Providencia"],
    ]) {
      await page.locator("[data-testid=bk-comuna]").selectOption(comuna);
      await page.locator("#bk-near-state").filter({ hasText: "Tiendas ordenadas" }).waitFor();
      await waitForFirst(page, store);
      assert.equal((await chosenStore(page)).trim(), store, `${comuna}: its store chosen`);
    }
  });
});

async function waitForFirst(page, store) {
  await page.waitForFunction(
    (name) => document.querySelector("[data-testid=bk-location] option")?.textContent.trim() === name,
    store,
    { timeout: 10_000, polling: 100 },
  );
}
