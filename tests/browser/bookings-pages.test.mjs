// The customer's booking pages (issue 19 point 5) in Chromium at 360 px: a table booked end to
// end at the demo's food court (restaurant, party, day, a free time, name and phone → the
// confirmation in the site's zone with the manage link, which opens the booking); a slot taken
// by someone else meanwhile → "Alguien tomó esa hora…" with the times reloaded; an appointment
// from /shop/{merchant}/agenda with a chosen stylist on a shop of the test's own; cancelling
// from the manage page; and "¿Te quedas a comer?" on the order page.
//
// Elsewhere: "Recordarme" and the reminder pushed (bookings-reminder.test.mjs), rescheduling
// and the change deadline from the manage page (bookings-manage.test.mjs), "cerca de mí"
// (bookings-near.test.mjs), the refusals' reasons (booking-refusals.test.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { BASE, SITE, ADMIN, PASSWORD, PHONE, launch, withPage, waitUntil, apiAt, placeOrder, staffLocation, overflow } from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const NARROW = { ...PHONE, viewport: { width: 360, height: 740 } };

/** The page's `today` (the site's local date) plus `days`, as YYYY-MM-DD. */
async function dayAfter(page, days) {
  const today = await page.evaluate(() => JSON.parse(document.getElementById("page-data").textContent).today);
  const [y, m, d] = today.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Picks `date` and waits for its free times; answers their starts. */
async function showSlots(page, date) {
  await page.locator("[data-testid=bk-date]").fill(date);
  await page.locator("[data-testid=bk-slot]").first().waitFor();
  return page.locator("[data-testid=bk-slot]").evaluateAll((buttons) => buttons.map((b) => b.dataset.start));
}

async function fillWho(page, name = "Camila Rojas") {
  await page.locator("[data-testid=bk-name]").fill(name);
  await page.locator("[data-testid=bk-phone]").fill("+56 9 8765 4321");
}

test("360 px: a table booked end to end, its confirmation in the site's time and its manage link", async () => {
  await withPage(browser, "bookings-table", NARROW, async (page) => {
    await page.goto(`${BASE}/s/${SITE}/reservar`);
    assert.match(await page.locator("h1").innerText(), /Reserva una mesa/);
    await page.locator("[data-testid=bk-party]").selectOption("4");
    const starts = await showSlots(page, await dayAfter(page, 3));
    assert.ok(starts.length > 4, "a whole day of free times");
    const slot = page.locator("[data-testid=bk-slot]").nth(4);
    const time = await slot.innerText();
    await slot.click();
    assert.match(await page.locator("[data-testid=bk-chosen]").innerText(), /mesa para 4 personas/);
    await fillWho(page);
    await page.locator("[data-testid=bk-confirm]").click();
    const done = page.locator("[data-testid=bk-done]");
    await done.waitFor({ state: "visible" });
    assert.match(await done.innerText(), /Reserva confirmada/);
    assert.ok((await page.locator("[data-testid=bk-done-when]").innerText()).endsWith(time), "the time the customer picked, in the site's zone");
    assert.match(await page.locator("[data-testid=bk-calendar]").getAttribute("href"), /\/api\/v1\/bookings\/bkg_[^/]+\/calendar\.ics\?token=/, "the calendar file");
    assert.ok(await page.locator("[data-testid=bk-remind]").isVisible());
    const { scrollWidth } = await overflow(page, 360);
    assert.ok(scrollWidth <= 360, `nothing past the right edge (${scrollWidth})`);
    const manage = await page.locator("[data-testid=bk-manage]").getAttribute("href");
    assert.match(manage, /^\/reservas\/bkg_[^?]+\?token=/);
    await page.goto(`${BASE}${manage}`);
    assert.equal(await page.locator("[data-testid=bk-status]").innerText(), "Confirmada");
    assert.ok((await page.locator("[data-testid=bk-when]").innerText()).endsWith(time));
    assert.match(await page.locator("[data-testid=bk-what]").innerText(), /Mesa para 4/);
  });
});

test("360 px: the time taken by someone else meanwhile → 409 said in place, times reloaded", async () => {
  await withPage(browser, "bookings-taken", NARROW, async (page) => {
    await page.goto(`${BASE}/s/${SITE}/reservar`);
    // A party of 6 fits the 6-seat table or the two joinable 4-seat ones: other bookings take
    // every way to seat it at that time (until the API answers 409).
    await page.locator("[data-testid=bk-party]").selectOption("6");
    const starts = await showSlots(page, await dayAfter(page, 4));
    const slot = page.locator("[data-testid=bk-slot]").nth(6);
    const start = starts[6];
    await slot.click();
    await fillWho(page);
    const locationId = await page.locator("[data-testid=bk-location]").inputValue();
    for (let taken = 0; taken < 5; taken++) {
      const other = await apiAt(BASE, "POST", "/bookings", {
        body: { location_id: locationId, start_at: start, party_size: 6, customer: { name: "Otra familia", phone: "+56 9 1111 2222" } },
        ok: (status) => status === 201 || status === 409,
      });
      if (other.status === 409) break;
    }
    await page.locator("[data-testid=bk-confirm]").click();
    const error = page.locator("[data-testid=bk-error]");
    await error.waitFor({ state: "visible" });
    assert.match(await error.innerText(), /Alguien tomó esa hora/);
    await waitUntil(page, "the times reloaded without the taken one", (taken) => {
      const shown = [...document.querySelectorAll("[data-testid=bk-slot]")].map((b) => b.dataset.start);
      return shown.length > 0 && !shown.includes(taken);
    }, start);
    assert.equal(await page.locator("[data-testid=bk-done]").isVisible(), false);
  });
});

test("360 px: a day with no table left for the party says what to try instead", async () => {
  await withPage(browser, "bookings-empty", NARROW, async (page) => {
    await page.goto(`${BASE}/s/${SITE}/reservar`);
    const locationId = await page.locator("[data-testid=bk-location]").inputValue();
    const date = await dayAfter(page, 5);
    // Every six-seat table taken all day: the page says so, in Spanish, and what to try.
    for (let round = 0; round < 60; round += 1) {
      const { body: slots } = await apiAt(BASE, "GET", `/locations/${locationId}/availability?date=${date}&party_size=6`);
      if (!slots.length) break;
      await apiAt(BASE, "POST", "/bookings", {
        body: { location_id: locationId, start_at: slots[0].start_at, party_size: 6, customer: { name: "Grupo", phone: "+56 9 3333 4444" } },
        ok: (s) => s === 201 || s === 409,
      });
    }
    await page.locator("[data-testid=bk-party]").selectOption("6");
    await page.locator("[data-testid=bk-date]").fill(date);
    await waitUntil(page, "the empty state", () => /No quedan mesas para 6 personas ese día — prueba otro día o un grupo más pequeño/.test(document.querySelector("[data-testid=bk-slots-state]").textContent));
  });
});

/** A merchant of the test's own, always open (no hours), with two stylists and two services. */
async function makeSalon() {
  const call = async (method, path, body, token) => (await apiAt(BASE, method, path, { body, token })).body;
  const { token } = await call("POST", "/auth/login", { email: ADMIN, password: PASSWORD });
  const tag = randomUUID().slice(0, 8);
  const site = await call("POST", "/sites", { name: `Salón ${tag}`, country: "CL", currency: "CLP", timezone: "America/Santiago" }, token);
  const merchant = await call("POST", "/merchants", { name: `Peluquería ${tag}`, kind: "retail", commission_bps: 0 }, token);
  const store = await call("POST", "/locations", { merchant_id: merchant.id, site_id: site.id, name: "Peluquería Centro", pay_at_pickup: true }, token);
  const ana = await call("POST", `/locations/${store.id}/resources`, { kind: "staff", name: "Ana" }, token);
  await call("POST", `/locations/${store.id}/resources`, { kind: "staff", name: "Beatriz" }, token);
  const cut = await call("POST", "/services", { merchant_id: merchant.id, name: "Corte", duration_minutes: 30, buffer_minutes: 10, price: { amount: 12000, currency: "CLP" } }, token);
  await call("POST", "/services", { merchant_id: merchant.id, name: "Manicure", duration_minutes: 45, price: { amount: 10000, currency: "CLP" } }, token);
  return { merchant, store, ana, cut };
}

test("360 px: an appointment with a chosen stylist from the shop's agenda, then cancelled from its manage page", async () => {
  const salon = await makeSalon();
  await withPage(browser, "bookings-agenda", NARROW, async (page) => {
    await page.goto(`${BASE}/shop/${salon.merchant.id}/agenda`);
    assert.match(await page.locator("h1").innerText(), /Agenda una hora/);
    await page.locator(`[data-testid=bk-service][value="${salon.cut.id}"]`).check();
    await page.locator("[data-testid=bk-staff]").selectOption({ label: "Ana" });
    await showSlots(page, await dayAfter(page, 2));
    const resources = await page.locator("[data-testid=bk-slot]").evaluateAll((buttons) => [...new Set(buttons.map((b) => b.dataset.resource))]);
    assert.deepEqual(resources, [salon.ana.id], "only Ana's times");
    await page.locator("[data-testid=bk-slot]").nth(2).click();
    assert.match(await page.locator("[data-testid=bk-chosen]").innerText(), /Corte en Peluquería Centro/);
    await fillWho(page, "Martina Vidal");
    await page.locator("[data-testid=bk-confirm]").click();
    await page.locator("[data-testid=bk-done]").waitFor({ state: "visible" });
    const manage = await page.locator("[data-testid=bk-manage]").getAttribute("href");

    await page.goto(`${BASE}${manage}`);
    assert.equal(await page.locator("[data-testid=bk-with]").innerText(), "Ana");
    assert.equal(await page.locator("[data-testid=bk-what]").innerText(), "Corte");
    await page.locator("[data-testid=bk-cancel]").click();
    await page.locator("[data-testid=bk-cancel-yes]").click();
    await page.locator("[data-testid=bk-notice]").waitFor({ state: "visible" });
    assert.equal(await page.locator("[data-testid=bk-status]").innerText(), "Cancelada");
    assert.equal(await page.locator("[data-testid=bk-actions]").isVisible(), false);
    await page.reload();
    assert.equal(await page.locator("[data-testid=bk-status]").innerText(), "Cancelada", "stored, not only shown");
    assert.equal(await page.locator("[data-testid=bk-cancel]").count(), 0);
  });
});

test("the order page offers a table: ¿Te quedas a comer?", async () => {
  const locationId = await staffLocation("fuente");
  const order = await placeOrder([{ sku: "FUE-PAPA", locationId }], { name: "Cliente Reserva" });
  await withPage(browser, "bookings-order", NARROW, async (page) => {
    await page.goto(`${BASE}/s/${SITE}/orders/${order.id}?token=${encodeURIComponent(order.tracking_token)}`);
    const offer = page.locator("[data-testid=stay-to-eat]");
    assert.match(await offer.innerText(), /¿Te quedas a comer\?/);
    await page.locator("[data-testid=book-table]").click();
    await page.waitForURL(`${BASE}/s/${SITE}/reservar`);
    await page.locator("[data-testid=bk-slot]").first().waitFor();
  });
});

test("a wrong token or an unknown site is the page that says not found", async () => {
  for (const path of ["/reservas/bkg_nope?token=x", "/s/no-such-site/reservar", "/shop/no-such-shop/agenda"]) {
    const response = await fetch(`${BASE}${path}`);
    assert.equal(response.status, 404, path);
  }
});
