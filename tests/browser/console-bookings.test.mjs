// The staff's schedule in the console (issue 19 point 5), at 360 px and 1280 px, on a demo
// server of its own (the test opens the location 12:00–23:00 and adds tables, which the shared
// demo must not see): a booking made through the API shows on the day's grid; a booking made
// meanwhile appears live, without a reload; a no-show before the start is refused with a
// message; seat and complete move the block; a cancelled booking leaves the grid; the walk-in
// form seats a party now; a day without bookings says so. The page never scrolls sideways:
// only the grid scrolls inside its own box. Dragging a block (POST /bookings/{id}/move) is
// console-bookings-move.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, withPage, apiAt, ownServer, consoleSignIn, staffEmail, PASSWORD, artifact } from "./lib.mjs";

const SLUG = "fuente";
const MANAGER = "gerente.fuente@demo.omnicanal.cl";
const ZONE = "America/Santiago";

let browser;
let server;
let manager;
let locationId;

async function login(email) {
  return (await apiAt(server.base, "POST", "/auth/login", { body: { email, password: PASSWORD } })).body;
}

// The local date `days` from now in Santiago, and Santiago's UTC offset then ("-03:00").
function localDay(days) {
  const at = new Date(Date.now() + days * 86_400_000);
  const date = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
  const name = new Intl.DateTimeFormat("en-US", { timeZone: ZONE, timeZoneName: "longOffset" }).formatToParts(at);
  const offset = (name.find((part) => part.type === "timeZoneName")?.value || "GMT-03:00").replace("GMT", "") || "+00:00";
  return { date, offset };
}

async function book(tableId, name, hour) {
  const { date, offset } = localDay(1);
  const body = {
    location_id: locationId,
    start_at: `${date}T${hour}:00:00${offset}`,
    party_size: 2,
    resource_id: tableId,
    customer: { name, phone: "+56 9 8765 4321" },
  };
  return (await apiAt(server.base, "POST", "/bookings", { body })).body;
}

before(async () => {
  browser = await launch();
  server = await ownServer("console-bookings");
  manager = (await login(MANAGER)).token;
  locationId = (await login(staffEmail(SLUG))).user.location_id;
  const everyDay = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((day) => [String(day), [["12:00", "23:00"]]]));
  await apiAt(server.base, "PATCH", `/locations/${locationId}`, { token: manager, body: { opening_hours: everyDay } });
});
after(async () => {
  await browser?.close();
  await server?.remove();
});

for (const width of [360, 1280]) {
  test(`the staff's schedule at ${width} px: live bookings, seat, no-show refused before the start, walk-ins`, async () => {
    const viewport = { width, height: width < 600 ? 780 : 900 };
    const table = await apiAt(server.base, "POST", `/locations/${locationId}/resources`, {
      token: manager,
      body: { kind: "table", name: `Mesa ${width}`, seats_min: 1, seats_max: 4 },
    });
    const tableId = table.body.id;
    const first = await book(tableId, `Ana ${width}`, "13");
    await withPage(browser, `console-bookings-${width}`, { viewport, isMobile: width < 600 }, async (page) => {
      await consoleSignIn(page, staffEmail(SLUG), { base: server.base });
      await page.goto(`${server.base}/console/bookings?date=${localDay(1).date}`);
      const block = (id) => page.locator(`[data-testid=booking-block][data-id="${id}"]`);
      await block(first.id).waitFor();
      assert.ok((await block(first.id).innerText()).includes(`Ana ${width}`), "the block names the guest");
      await page.locator("[data-testid=bookings-live][data-live=true]").waitFor();

      // A booking made meanwhile appears without a reload.
      const second = await book(tableId, `Beto ${width}`, "16");
      await block(second.id).waitFor({ timeout: 10_000 });

      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scrollWidth <= width, `the page does not scroll sideways at ${width} px: ${scrollWidth}`);
      await page.screenshot({ path: artifact(`console-bookings-day-${width}.png`), fullPage: true });

      // Not yet started: a no-show is refused, with the reason shown.
      await block(first.id).locator("[data-testid=booking-no-show]").click();
      await page.locator("[data-testid=bookings-error]").waitFor({ state: "visible" });
      assert.equal(await block(first.id).getAttribute("data-status"), "confirmed");

      await block(first.id).locator("[data-testid=booking-seat]").click();
      await page.locator(`[data-testid=booking-block][data-id="${first.id}"][data-status=seated]`).waitFor();
      await block(first.id).locator("[data-testid=booking-complete]").click();
      await page.locator(`[data-testid=booking-block][data-id="${first.id}"][data-status=completed]`).waitFor();
      await block(second.id).locator("[data-testid=booking-cancel]").click();
      await block(second.id).waitFor({ state: "detached" });

      // A walk-in is seated now, on today's grid.
      await page.locator("[data-testid=walk-in-party]").fill("2");
      await page.locator("[data-testid=walk-in-name]").fill(`Walk ${width}`);
      await page.locator("[data-testid=walk-in-resource]").selectOption(tableId);
      await page.locator("[data-testid=walk-in-submit]").click();
      await page.locator("[data-testid=walk-in-result]").filter({ hasText: `Mesa ${width}` }).waitFor();
      const walkIn = page.locator("[data-testid=booking-block][data-status=seated]").filter({ hasText: `Walk ${width}` });
      await walkIn.waitFor();
      await page.screenshot({ path: artifact(`console-bookings-walk-in-${width}.png`), fullPage: true });

      // A day without bookings says so.
      await page.goto(`${server.base}/console/bookings?date=${localDay(20).date}`);
      await page.locator("[data-testid=bookings-state]").filter({ hasText: "Sin reservas este día" }).waitFor();
    });
  });
}
