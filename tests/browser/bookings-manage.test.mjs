// The manage link /reservas/{id}?token= (issue 19 point 3) in Chromium at 360 px and 1280 px, on
// a salon of the test's own (one stylist, always open), so nothing else books its times:
// rescheduling to another free time (the API then has the new start); a time someone else
// took meanwhile, refused in Spanish with the booking kept at its time; and a booking past
// its online change deadline, whose reschedule and cancel are refused in the page's words
// (Spanish, then English) — never the server's English detail.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { BASE, ADMIN, PASSWORD, PHONE, launch, withPage, apiAt, overflow } from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const NARROW = { ...PHONE, viewport: { width: 360, height: 740 } };
const WIDE = { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1, locale: "es-CL" };
// The server's English for the deadline, which must never reach the page.
const ENGLISH_DETAIL = /online until|please call|already booked|choose another slot/;

const call = async (method, path, body, token) => (await apiAt(BASE, method, path, { body, token })).body;

/** A salon of its own, always open, with one stylist and one service; `cancelWindowMinutes` set. */
async function makeSalon(cancelWindowMinutes) {
  const { token } = await call("POST", "/auth/login", { email: ADMIN, password: PASSWORD });
  const tag = randomUUID().slice(0, 8);
  const site = await call("POST", "/sites", { name: `Salón ${tag}`, country: "CL", currency: "CLP", timezone: "America/Santiago" }, token);
  const merchant = await call("POST", "/merchants", { name: `Barbería ${tag}`, kind: "retail", commission_bps: 0 }, token);
  const store = await call("POST", "/locations", { merchant_id: merchant.id, site_id: site.id, name: "Barbería Centro", pay_at_pickup: true }, token);
  await call("POST", `/locations/${store.id}/resources`, { kind: "staff", name: "Ana" }, token);
  const cut = await call("POST", "/services", { merchant_id: merchant.id, name: "Corte", duration_minutes: 30, price: { amount: 12000, currency: "CLP" } }, token);
  if (cancelWindowMinutes !== undefined) {
    const rules = await call("GET", `/locations/${store.id}/booking-settings`);
    await call("PUT", `/locations/${store.id}/booking-settings`, { ...rules, cancel_window_minutes: cancelWindowMinutes }, token);
  }
  return { store, cut };
}

/** The local date `days` from now in Santiago. */
function santiagoDay(days) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "America/Santiago", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(Date.now() + days * 86_400_000));
}

/** Books the salon's `index`-th free time `days` ahead; answers {id, start, manage}. */
async function bookAt(salon, days, index, name = "Martina Vidal") {
  const slots = await call("GET", `/locations/${salon.store.id}/availability?date=${santiagoDay(days)}&service_id=${salon.cut.id}`);
  assert.ok(slots.length > index, `free times ${days} days ahead`);
  const made = await call("POST", "/bookings", { location_id: salon.store.id, start_at: slots[index].start_at, service_id: salon.cut.id, customer: { name, phone: "+56 9 8765 4321" } });
  return { id: made.id, start: made.start_at, manage: made.manage_url, token: made.manage_token };
}

const startOf = async (booking) => Date.parse((await call("GET", `/bookings/${booking.id}?token=${encodeURIComponent(booking.token)}`)).start_at);

/** Opens "Cambiar la hora" and waits for the free times; answers their starts. */
async function openReschedule(page) {
  await page.locator("[data-testid=bk-reschedule] summary").click();
  await page.locator("[data-testid=bk-slot]").first().waitFor();
  return page.locator("[data-testid=bk-slot]").evaluateAll((buttons) => buttons.map((b) => b.dataset.start));
}

for (const [width, device] of [
  [360, NARROW],
  [1280, WIDE],
]) {
  test(`${width} px: the manage link moves a booking to a free time, and a time taken meanwhile is refused in Spanish`, async () => {
    const salon = await makeSalon();
    const booking = await bookAt(salon, 2, 4);
    await withPage(browser, `bookings-reschedule-${width}`, device, async (page) => {
      await page.goto(`${BASE}${booking.manage}`);
      const starts = await openReschedule(page);
      const later = starts.find((start) => Date.parse(start) >= Date.parse(booking.start) + 2 * 3_600_000);
      assert.ok(later, "a free time two hours later");
      await page.locator(`[data-testid=bk-slot][data-start="${later}"]`).click();
      const notice = page.locator("[data-testid=bk-notice]");
      await notice.waitFor({ state: "visible" });
      assert.match(await notice.innerText(), /^Listo: tu reserva quedó para el /);
      assert.equal(await startOf(booking), Date.parse(later), "the API has the new time");
      const when = await page.locator("[data-testid=bk-when]").innerText();
      assert.ok(when && (await notice.innerText()).endsWith(when + "."), `the card shows the new time: ${when}`);

      // Someone else books a time the page still offers; picking it is refused and kept.
      const shown = await openReschedule(page);
      const other = shown.find((start) => Math.abs(Date.parse(start) - Date.parse(later)) >= 2 * 3_600_000);
      await call("POST", "/bookings", { location_id: salon.store.id, start_at: other, service_id: salon.cut.id, customer: { name: "Otra clienta", phone: "+56 9 1111 2222" } });
      await page.locator(`[data-testid=bk-slot][data-start="${other}"]`).click();
      const error = page.locator("[data-testid=bk-error]");
      await error.waitFor({ state: "visible" });
      const said = await error.innerText();
      assert.match(said, /Alguien tomó esa hora hace un momento/);
      assert.doesNotMatch(said, ENGLISH_DETAIL);
      assert.equal(await startOf(booking), Date.parse(later), "the booking keeps its time");
      const { scrollWidth } = await overflow(page, width);
      assert.ok(scrollWidth <= width, `nothing past the right edge (${scrollWidth})`);
    });
  });
}

test("360 px: past the online change deadline, moving and cancelling are refused in the page's words, es and en", async () => {
  // The window closes a week before the start: a booking two days ahead is already past it.
  const salon = await makeSalon(10_080);
  const booking = await bookAt(salon, 2, 3);
  await withPage(browser, "bookings-deadline", NARROW, async (page) => {
    await page.goto(`${BASE}${booking.manage}`);
    const starts = await openReschedule(page);
    await page.locator(`[data-testid=bk-slot][data-start="${starts.find((start) => start !== booking.start)}"]`).click();
    const error = page.locator("[data-testid=bk-error]");
    await error.waitFor({ state: "visible" });
    let said = await error.innerText();
    assert.match(said, /^Ya no se puede cambiar ni cancelar por aquí: se podía hasta el \S+ \d+ de \S+, \d\d:\d\d\. Llama o escribe al local\.$/, said);
    assert.doesNotMatch(said, ENGLISH_DETAIL);
    assert.equal(await startOf(booking), Date.parse(booking.start), "not moved");

    await page.goto(`${BASE}${booking.manage}&lang=en`);
    await page.locator("[data-testid=bk-cancel]").click();
    await page.locator("[data-testid=bk-cancel-yes]").click();
    await error.waitFor({ state: "visible" });
    said = await error.innerText();
    assert.match(said, /^This can no longer be changed or cancelled online: it could be until .+\. Please call or message the place\.$/, said);
    assert.doesNotMatch(said, /2\d\d\d-\d\d-\d\dT/, "the deadline in words, not the API's timestamp");
    const status = await call("GET", `/bookings/${booking.id}?token=${encodeURIComponent(booking.token)}`);
    assert.equal(status.status, "confirmed", "not cancelled");
  });
});
