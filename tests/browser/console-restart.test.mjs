// The live display survives the server going away: on a server of this test's own (own port,
// own SQLite file under target/), the server is killed, the display shows its offline banner,
// the server starts again on the same port and database, the banner clears ("Reconectado"),
// and an order placed after the restart appears without a reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  PASSWORD,
  TABLET,
  launch,
  withPage,
  waitUntil,
  staffEmail,
  apiAt,
  consoleSignIn,
  cardLocator,
  waitForConnection,
  ownServer,
  artifact,
} from "./lib.mjs";

const KITCHEN = "fuente";
const DISH = "FUE-CHAC";

let browser;
let server;
before(async () => {
  browser = await launch();
  server = await ownServer("console-restart");
});
after(async () => {
  await browser?.close();
  await server?.remove();
});

async function orderAt(locationId, name) {
  const body = {
    site_id: server.site,
    channel: "qr",
    customer: { name },
    lines: [{ sku: DISH, location_id: locationId, quantity: 1 }],
    payment: { method: "card", card_number: "4242424242424242" },
  };
  const { body: order } = await apiAt(server.base, "POST", "/orders", { body });
  const part = order.fulfillments.find((f) => f.location_id === locationId);
  return { order, part };
}

test("the display shows it is offline while the server is down and recovers by itself", async () => {
  const { body: signedIn } = await apiAt(server.base, "POST", "/auth/login", {
    body: { email: staffEmail(KITCHEN), password: PASSWORD },
  });
  const locationId = signedIn.user.location_id;
  await withPage(browser, "console-restart", TABLET, async (page) => {
    await consoleSignIn(page, staffEmail(KITCHEN), { base: server.base });
    await page.waitForURL((url) => url.pathname === `/console/locations/${locationId}`);
    await waitForConnection(page, ["online"]);
    const before = await orderAt(locationId, "Antes del Corte");
    await cardLocator(page, before.part.id).waitFor({ timeout: 5_000 });

    await server.kill("SIGKILL");
    await waitForConnection(page, ["offline"]);
    const banner = page.locator("[data-testid=connection]");
    assert.ok(await banner.isVisible(), "the offline banner is visible");
    assert.match(await banner.innerText(), /Sin conexión/);
    assert.ok(await cardLocator(page, before.part.id).isVisible(), "the cards stay on screen while offline");
    await page.screenshot({ path: artifact("console-offline.png") });

    await server.start();
    const state = await waitForConnection(page, ["reconnected", "online"], 15_000);
    if (state === "reconnected") assert.match(await banner.innerText(), /Reconectado/);
    await waitUntil(page, "the banner to clear", () => document.querySelector("[data-testid=connection]").hidden, undefined, 10_000);

    const placedAt = Date.now();
    const after = await orderAt(locationId, "Después del Corte");
    await cardLocator(page, after.part.id).waitFor({ timeout: 5_000 });
    assert.ok(Date.now() - placedAt < 5_000);
    assert.ok(await cardLocator(page, before.part.id).isVisible(), "the order from before the restart is still there");
    await page.screenshot({ path: artifact("console-reconnected.png") });
  });
});
