// Deposits on the customer's booking pages (issue 19 point 3) in Chromium, at 360 px in
// Spanish and at 1280 px in English, on a restaurant of the test's own (one table, always
// open, a table deposit of $5.000 per guest, the default two-hour cancellation window):
// the amount is told before a time is picked and the card field is there up front; the
// sandbox's declined card is told at the card field in the page's words, books nothing and
// leaves the time picked; the approved card books and the confirmation, then the manage page,
// say the deposit charged; cancelling from the manage page says it refunded. At 360 px the
// shop's agenda also tells a service's deposit, and none (nor a card field) for a service
// without one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { BASE, ADMIN, PASSWORD, PHONE, CARD_OK, launch, withPage, waitUntil, apiAt, overflow } from "./lib.mjs";

const CARD_DECLINED = "4000000000000002";
const NARROW = { ...PHONE, viewport: { width: 360, height: 740 } };
const WIDE = { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1, locale: "en-GB" };
// The server's English, which must never reach the page.
const ENGLISH_DETAIL = /do not honour|payment_declined|card_number|minor units/;

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const call = async (method, path, body, token) => (await apiAt(BASE, method, path, { body, token })).body;

/**
 * A site of its own with one restaurant: a table for one to four and a stylist, a table
 * deposit of 5.000 per guest, a "Color" service with a 10.000 deposit and a "Corte" without.
 */
async function makePlace() {
  const { token } = await call("POST", "/auth/login", { email: ADMIN, password: PASSWORD });
  const tag = randomUUID().slice(0, 8);
  const site = await call("POST", "/sites", { name: `Patio ${tag}`, country: "CL", currency: "CLP", timezone: "America/Santiago" }, token);
  const merchant = await call("POST", "/merchants", { name: `Bistró ${tag}`, kind: "restaurant", commission_bps: 0 }, token);
  const place = await call("POST", "/locations", { merchant_id: merchant.id, site_id: site.id, name: "Bistró Centro", pay_at_pickup: true }, token);
  await call("POST", `/locations/${place.id}/resources`, { kind: "table", name: "Mesa 1", seats_min: 1, seats_max: 4 }, token);
  await call("POST", `/locations/${place.id}/resources`, { kind: "staff", name: "Ana" }, token);
  const rules = await call("GET", `/locations/${place.id}/booking-settings`);
  await call("PUT", `/locations/${place.id}/booking-settings`, { ...rules, cancel_window_minutes: 120, table_deposit_per_guest: { amount: 5000, currency: "CLP" } }, token);
  const color = await call("POST", "/services", { merchant_id: merchant.id, name: "Color", duration_minutes: 90, price: { amount: 35000, currency: "CLP" }, deposit: { amount: 10000, currency: "CLP" } }, token);
  const cut = await call("POST", "/services", { merchant_id: merchant.id, name: "Corte", duration_minutes: 30, price: { amount: 12000, currency: "CLP" } }, token);
  return { site, merchant, place, color, cut };
}

/** The page's `today` (the site's local date) plus `days`, as YYYY-MM-DD. */
async function dayAfter(page, days) {
  const today = await page.evaluate(() => JSON.parse(document.getElementById("page-data").textContent).today);
  const [y, m, d] = today.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const textOf = (page, id) => page.locator(`[data-testid=${id}]`).innerText();

/** Waits until the element `id` says something matching `words` (the payment worker runs on its own). */
async function waitForWords(page, id, words) {
  await waitUntil(page, `${id} to match ${words}`, ([id, source]) => new RegExp(source).test(document.querySelector(`[data-testid=${id}]`)?.textContent || ""), [id, words.source], 15_000);
}

const WORDS = {
  es: {
    note: /^Abono de \$10\.000 al reservar, devuelto si cancelas hasta 2 h antes\.$/,
    declined: /^El banco rechazó la tarjeta sin dar motivo\. Prueba con otra; no reservamos nada\.$/,
    doneDeposit: /^Abono de \$10\.000: /,
    charged: /^cobrado$/,
    chargedInLine: /: cobrado\.$/,
    refunded: /^devuelto$/,
  },
  en: {
    note: /^A \$10\.000 deposit when booking, refunded if you cancel up to 2 h before\.$/,
    declined: /^The bank declined the card without saying why\. Try another; nothing was booked\.$/,
    doneDeposit: /^Deposit of \$10\.000: /,
    charged: /^charged$/,
    chargedInLine: /: charged\.$/,
    refunded: /^refunded$/,
  },
};

for (const [width, device, lang] of [
  [360, NARROW, "es"],
  [1280, WIDE, "en"],
]) {
  test(`${width} px (${lang}): a table's deposit told before booking, a declined card books nothing, the good one is charged and refunded on cancelling`, async () => {
    const place = await makePlace();
    const words = WORDS[lang];
    await withPage(browser, `bookings-deposit-${width}`, device, async (page) => {
      await page.goto(`${BASE}/s/${place.site.id}/reservar?lang=${lang}`);
      // Two guests (the page's default) × 5.000, told before any time is picked.
      const note = page.locator("[data-testid=bk-deposit-note]");
      await note.waitFor({ state: "visible" });
      assert.match(await note.innerText(), words.note);
      await page.locator("[data-testid=bk-party]").selectOption("3");
      await waitForWords(page, "bk-deposit-note", /\$15\.000/);
      await page.locator("[data-testid=bk-party]").selectOption("2");
      await waitForWords(page, "bk-deposit-note", /\$10\.000/);

      const date = await dayAfter(page, 2);
      await page.locator("[data-testid=bk-date]").fill(date);
      await page.locator("[data-testid=bk-slot]").first().waitFor();
      const slot = page.locator("[data-testid=bk-slot]").nth(3);
      const start = await slot.getAttribute("data-start");
      await slot.click();
      // The card field is there with the name, before the API was ever asked to book.
      assert.ok(await page.locator("[data-testid=bk-card]").isVisible(), "the card field up front");
      await page.locator("[data-testid=bk-name]").fill("Camila Rojas");
      await page.locator("[data-testid=bk-phone]").fill("+56 9 8765 4321");

      await page.locator("[data-testid=bk-card]").fill(CARD_DECLINED);
      await page.locator("[data-testid=bk-confirm]").click();
      const cardError = page.locator("[data-testid=bk-card-error]");
      await cardError.waitFor({ state: "visible" });
      const said = await cardError.innerText();
      assert.match(said, words.declined);
      assert.doesNotMatch(said, ENGLISH_DETAIL);
      assert.equal(await page.locator("[data-testid=bk-card]").getAttribute("aria-invalid"), "true");
      assert.ok(await page.locator("[data-testid=bk-done]").isHidden(), "no confirmation");
      const free = await call("GET", `/locations/${place.place.id}/availability?date=${date}&party_size=2`);
      assert.ok(free.some((s) => s.start_at === start), "nothing was booked: the time is still free");
      assert.equal(await page.locator(`[data-testid=bk-slot][data-start="${start}"]`).getAttribute("aria-pressed"), "true", "the time stays picked");

      await page.locator("[data-testid=bk-card]").fill(CARD_OK);
      await page.locator("[data-testid=bk-confirm]").click();
      const done = page.locator("[data-testid=bk-done]");
      await done.waitFor({ state: "visible" });
      assert.match(await textOf(page, "bk-done-deposit"), words.doneDeposit);
      // The capture runs just after the booking; the confirmation follows it.
      await waitForWords(page, "bk-done-deposit", words.chargedInLine);
      const { scrollWidth, wide } = await overflow(page, width);
      assert.ok(scrollWidth <= width, `nothing past the right edge (${scrollWidth}): ${wide.join(", ")}`);

      await page.locator("[data-testid=bk-manage]").click();
      await page.locator("[data-testid=bk-deposit-line]").waitFor();
      assert.match(await textOf(page, "bk-deposit-line"), /\$10\.000/);
      await waitForWords(page, "bk-deposit-status", words.charged);
      await page.locator("[data-testid=bk-cancel]").click();
      await page.locator("[data-testid=bk-cancel-yes]").click();
      await page.locator("[data-testid=bk-notice]").waitFor({ state: "visible" });
      await waitForWords(page, "bk-deposit-status", words.refunded);
      const after = await overflow(page, width);
      assert.ok(after.scrollWidth <= width, `the manage page fits (${after.scrollWidth}): ${after.wide.join(", ")}`);
    });
  });
}

test("360 px: the agenda tells a service's deposit before booking, and none for a service without one", async () => {
  const place = await makePlace();
  await withPage(browser, "bookings-deposit-agenda", NARROW, async (page) => {
    await page.goto(`${BASE}/shop/${place.merchant.id}/agenda`);
    const color = page.locator(`label:has([data-testid=bk-service][value="${place.color.id}"])`);
    assert.match(await color.innerText(), /abono \$10\.000/);
    await page.locator(`[data-testid=bk-service][value="${place.color.id}"]`).check();
    await waitForWords(page, "bk-deposit-note", WORDS.es.note);
    assert.equal(await page.locator("#bk-deposit").evaluate((box) => box.hidden), false, "the card field is offered");
    await page.locator(`[data-testid=bk-service][value="${place.cut.id}"]`).check();
    await waitUntil(page, "the note gone", () => document.querySelector("[data-testid=bk-deposit-note]").hidden);
    assert.equal(await page.locator("#bk-deposit").evaluate((box) => box.hidden), true, "no card field without a deposit");
    const { scrollWidth, wide } = await overflow(page, 360);
    assert.ok(scrollWidth <= 360, `nothing past the right edge (${scrollWidth}): ${wide.join(", ")}`);
  });
});
