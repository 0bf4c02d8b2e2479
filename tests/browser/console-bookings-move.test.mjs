// Drag-to-move on the staff's schedule (/console/bookings, issue 19 point 5) in Chromium at
// 1280 px and at 360 px (where the grid scrolls inside its own box), on a demo server of its
// own, with the browser's drag events (dragstart, dragover, drop) at the time's point: a booking's block dragged to a later time on its table lands there (POST
// /bookings/{id}/move, confirmed by reading the booking back from the API), and a block dropped
// onto a time another booking holds is refused with the schedule's Spanish text — not the
// server's English — and keeps its time.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, apiAt, ownServer, consoleSignIn, staffEmail, PASSWORD, artifact } from "./lib.mjs";

const SLUG = "nikkei";
const MANAGER = "gerente.nikkei@demo.omnicanal.cl";
const ZONE = "America/Santiago";
// The grid's scale and first hour (assets/console-bookings.js): 2 px a minute from 08:00.
const PX_PER_MINUTE = 2;
const FIRST_HOUR = 8;

let browser;
let server;
let manager;
let locationId;

async function login(email) {
  return (await apiAt(server.base, "POST", "/auth/login", { body: { email, password: PASSWORD } })).body;
}

/** Tomorrow's local date in Santiago and Santiago's offset then ("-03:00"). */
function tomorrow() {
  const at = new Date(Date.now() + 86_400_000);
  const date = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
  const name = new Intl.DateTimeFormat("en-US", { timeZone: ZONE, timeZoneName: "longOffset" }).formatToParts(at);
  const offset = (name.find((part) => part.type === "timeZoneName")?.value || "GMT-03:00").replace("GMT", "") || "+00:00";
  return { date, offset };
}

async function book(tableId, name, time) {
  const { date, offset } = tomorrow();
  const body = { location_id: locationId, start_at: `${date}T${time}:00${offset}`, party_size: 2, resource_id: tableId, customer: { name, phone: "+56 9 8765 4321" } };
  return (await apiAt(server.base, "POST", "/bookings", { body })).body;
}

/** The booking's start as Santiago's HH:MM, read back from the API as staff. */
async function localStart(id, token) {
  const { date } = tomorrow();
  const listed = (await apiAt(server.base, "GET", `/locations/${locationId}/bookings?from=${date}&to=${date}`, { token })).body;
  const found = listed.find((booking) => booking.id === id);
  return new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hour: "2-digit", minute: "2-digit", hour12: false }).format(new Date(found.start_at));
}

/**
 * Drags a block onto its lane at local `time` (HH:MM) with the browser's own drag events —
 * dragstart on the block, dragover and drop on the lane at the time's point — since on a narrow
 * screen the drop point lies outside the grid's scrolled box, where a pointer cannot reach it.
 */
async function dragTo(page, block, lane, time) {
  const [hours, minutes] = time.split(":").map(Number);
  const x = ((hours - FIRST_HOUR) * 60 + minutes) * PX_PER_MINUTE + 6;
  const dataTransfer = await page.evaluateHandle(() => new DataTransfer());
  const { left, top } = await lane.evaluate((el) => el.getBoundingClientRect().toJSON());
  const at = { dataTransfer, clientX: left + x, clientY: top + 8, bubbles: true, cancelable: true };
  await block.dispatchEvent("dragstart", { dataTransfer, bubbles: true });
  await lane.dispatchEvent("dragover", at);
  await lane.dispatchEvent("drop", at);
  await block.dispatchEvent("dragend", { dataTransfer, bubbles: true });
}

before(async () => {
  browser = await launch();
  server = await ownServer("console-bookings-move");
  manager = (await login(MANAGER)).token;
  locationId = (await login(staffEmail(SLUG))).user.location_id;
  const everyDay = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((day) => [String(day), [["12:00", "23:00"]]]));
  await apiAt(server.base, "PATCH", `/locations/${locationId}`, { token: manager, body: { opening_hours: everyDay } });
});
after(async () => {
  await browser?.close();
  await server?.remove();
});

for (const width of [1280, 360]) {
  test(`${width} px: a block dragged to a later time lands there; dropped on a taken time it is refused and stays`, async () => {
    const viewport = { width, height: width < 600 ? 780 : 900 };
    const table = await apiAt(server.base, "POST", `/locations/${locationId}/resources`, {
      token: manager,
      body: { kind: "table", name: `Mesa móvil ${width}`, seats_min: 1, seats_max: 4 },
    });
    const tableId = table.body.id;
    const moving = await book(tableId, `Rocío ${width}`, "13:00");
    const holder = await book(tableId, `Tomás ${width}`, "17:00");
    const staff = (await login(staffEmail(SLUG))).token;
    await withPage(browser, `console-bookings-move-${width}`, { viewport, isMobile: false, hasTouch: false }, async (page) => {
      await consoleSignIn(page, staffEmail(SLUG), { base: server.base });
      await page.goto(`${server.base}/console/bookings?date=${tomorrow().date}`);
      const block = () => page.locator(`[data-testid=booking-block][data-id="${moving.id}"]`);
      const lane = page.locator(`[data-testid=booking-row][data-resource="${tableId}"] .bk-lane`);
      await block().waitFor();
      await page.locator("[data-testid=bookings-live][data-live=true]").waitFor();

      await dragTo(page, block(), lane, "14:30");
      await page.locator("[data-testid=walk-in-result]").filter({ hasText: "Reserva movida." }).waitFor();
      assert.equal(await localStart(moving.id, staff), "14:30", "the API has the new time");
      await block().filter({ hasText: "14:30" }).waitFor();
      await page.screenshot({ path: artifact(`console-bookings-moved-${width}.png`), fullPage: true });

      // Onto Tomás's 17:00: the table is taken then.
      await dragTo(page, block(), lane, "17:00");
      const error = page.locator("[data-testid=bookings-error]");
      await error.waitFor({ state: "visible" });
      const said = await error.innerText();
      assert.equal(said, "Ese horario o mesa ya está ocupado.");
      assert.equal(await localStart(moving.id, staff), "14:30", "the booking keeps its time");
      assert.equal(await localStart(holder.id, staff), "17:00");
      await block().filter({ hasText: "14:30" }).waitFor();
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scrollWidth <= width, `the page does not scroll sideways at ${width} px: ${scrollWidth}`);
    });
  });
}
