// The merchant console (issue #5) in a kitchen tablet's Chromium: staff sign in through the
// form; an order placed through the API appears on the live display without a reload and goes
// through accept (with a preparation time), start, ready and handover with the pickup code; a
// wrong code is refused on screen and the card stays; the sold-out switch makes an item
// unorderable on the customer's menu; another merchant's staff see nothing of it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE,
  SITE,
  TABLET,
  launch,
  withPage,
  waitUntil,
  login,
  staffEmail,
  staffLocation,
  placeOrder,
  partAt,
  apiAt,
  consoleSignIn,
  cardLocator,
  waitForConnection,
  clearQueue,
  openSite,
  itemLocator,
  menu,
  artifact,
  overflow,
  PASSWORD,
} from "./lib.mjs";

// La Fuente Chilena works the display; Taquería El Güero flips a switch; Sushi Nikkei is the
// other merchant that must see nothing.
const KITCHEN = "fuente";
const DISH = "FUE-CHAC"; // Chacarero: no options, stock counted
const SWITCHED = { slug: "guero", sku: "GUE-NACH" };
const OTHER = "nikkei";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await clearQueue(KITCHEN).catch(() => {});
});

/** The display's column that holds the card of `id` ("new", "preparing", "ready"), or null. */
const columnOf = (page, id) =>
  page.evaluate((id) => {
    const card = document.querySelector(`[data-testid=order-card][data-fulfillment-id="${id}"]`);
    return card ? card.closest("[data-column]").dataset.column : null;
  }, id);

async function waitForStatus(page, id, status) {
  await waitUntil(
    page,
    `card ${id} in status ${status}`,
    ([id, status]) => document.querySelector(`[data-testid=order-card][data-fulfillment-id="${id}"]`)?.dataset.status === status,
    [id, status],
  );
}

/** Opens the kitchen's display signed in as its staff; waits until it is live. */
async function openDisplay(page, slug) {
  const locationId = await staffLocation(slug);
  await consoleSignIn(page, staffEmail(slug));
  await page.waitForURL((url) => url.pathname === `/console/locations/${locationId}`);
  await waitForConnection(page, ["online"]);
  return locationId;
}

test("the display: a new order appears live, is accepted with a prep time, started, readied and handed over", async () => {
  await withPage(browser, "console-display", TABLET, async (page) => {
    const locationId = await openDisplay(page, KITCHEN);
    const { token } = await login(staffEmail(KITCHEN));
    assert.equal(await page.locator("[data-testid=location-name]").innerText(), "La Fuente Chilena");
    assert.match(await page.locator("[data-testid=clock]").innerText(), /^\d{2}:\d{2}$/);
    await page.locator("[data-testid=enable-sound]").click();

    const placedAt = Date.now();
    const order = await placeOrder([{ sku: DISH, locationId, quantity: 2, note: "sin mayonesa" }], { name: "Ana Consola" });
    const part = await partAt(order, locationId);
    const card = cardLocator(page, part.id);
    await card.waitFor({ timeout: 5_000 });
    const seenAfterMs = Date.now() - placedAt;
    assert.ok(seenAfterMs < 5_000, `the card appeared after ${seenAfterMs} ms`);
    assert.equal(await columnOf(page, part.id), "new");
    assert.equal(await card.getAttribute("data-status"), "placed");
    const text = await card.innerText();
    for (const wanted of [`#${order.number}`, "Ana Consola", "Chacarero", "sin mayonesa", "QR"]) {
      assert.ok(text.includes(wanted), `the card shows ${JSON.stringify(wanted)}: ${JSON.stringify(text)}`);
    }
    assert.match(text, /2\s*×/);
    assert.ok(await card.evaluate((el) => el.classList.contains("fresh")), "a new card is highlighted");
    assert.match(await page.locator("[data-testid=announcer]").textContent(), new RegExp(`#${order.number}`));
    const checked = await card.locator("[data-testid=prep-choice]:checked").getAttribute("value");
    assert.equal(checked, "10", "the location's preparation time is preselected");
    const accept = await card.locator("[data-testid=accept]").boundingBox();
    assert.ok(accept.height >= 48 && accept.width >= 48, `accept is a large target: ${JSON.stringify(accept)}`);
    await page.screenshot({ path: artifact("console-display-new.png") });

    await card.locator("[data-testid=prep-choice][value='20']").check();
    await card.locator("[data-testid=accept]").click();
    await waitForStatus(page, part.id, "accepted");
    assert.equal(await columnOf(page, part.id), "preparing");
    const { body: queue } = await apiAt(BASE, "GET", `/locations/${locationId}/queue`, { token });
    const item = queue.items.find((i) => i.fulfillment_id === part.id);
    const promisedMinutes = (Date.parse(item.estimated_ready_at) - Date.parse(item.accepted_at)) / 60_000;
    assert.equal(Math.round(promisedMinutes), 20, `estimated ready 20 min after acceptance: ${JSON.stringify(item)}`);
    assert.match(await card.locator("[data-testid=card-estimate]").innerText(), /\d{2}:\d{2}/);
    // The kitchen ticket, printable or as ESC/POS bytes for a thermal printer, with the session cookie.
    const escpos = await card.locator("[data-testid=print-escpos]").getAttribute("href");
    const head = await page.evaluate(async (href) => {
      const response = await fetch(href, { credentials: "same-origin" });
      return [response.status, Array.from(new Uint8Array(await response.arrayBuffer()).slice(0, 2))];
    }, escpos);
    assert.deepEqual(head, [200, [0x1b, 0x40]], "ESC @ starts the ticket");
    const customer = await partAt(order, locationId);
    assert.equal(customer.status, "accepted");

    await cardLocator(page, part.id).locator("[data-testid=start]").click();
    await waitForStatus(page, part.id, "preparing");
    await cardLocator(page, part.id).locator("[data-testid=ready]").click();
    await waitForStatus(page, part.id, "ready");
    assert.equal(await columnOf(page, part.id), "ready");
    await page.screenshot({ path: artifact("console-display-ready.png") });

    const ready = cardLocator(page, part.id);
    assert.equal(await ready.locator("[data-testid=code-input]").getAttribute("inputmode"), "numeric");
    await ready.locator("[data-testid=code-input]").fill(part.pickup_code);
    await ready.locator("[data-testid=handover]").click();
    await cardLocator(page, part.id).waitFor({ state: "detached" });
    assert.equal((await partAt(order, locationId)).status, "collected");
  });
});

test("a wrong pickup code is refused on screen and the card stays; a scanner's code hands it over", async () => {
  await withPage(browser, "console-wrong-code", TABLET, async (page) => {
    const locationId = await openDisplay(page, KITCHEN);
    const { token } = await login(staffEmail(KITCHEN));
    const order = await placeOrder([{ sku: DISH, locationId }], { name: "Bruno Código" });
    const part = await partAt(order, locationId);
    for (const to of ["accepted", "preparing", "ready"]) {
      await apiAt(BASE, "POST", `/fulfillments/${part.id}/transition`, { token, body: { to } });
    }
    await waitForStatus(page, part.id, "ready");
    const card = cardLocator(page, part.id);
    const wrong = part.pickup_code === "0000" ? "1111" : "0000";
    await card.locator("[data-testid=code-input]").fill(wrong);
    await card.locator("[data-testid=code-input]").press("Enter");
    const error = card.locator("[data-testid=card-error]");
    await error.waitFor();
    assert.match(await error.innerText(), /Código incorrecto/);
    assert.equal(await error.getAttribute("role"), "alert");
    assert.equal(await card.locator("[data-testid=code-input]").getAttribute("aria-invalid"), "true");
    await page.screenshot({ path: artifact("console-wrong-code.png") });
    // A live update meanwhile keeps the card, its error and what was typed.
    await placeOrder([{ sku: DISH, locationId }], { name: "Otra Persona" });
    await page.waitForTimeout(1_500);
    assert.equal(await card.getAttribute("data-status"), "ready");
    assert.ok(await error.isVisible(), "the error stays after a refresh");
    assert.equal((await partAt(order, locationId)).status, "ready");

    // A barcode scanner types the code and Enter with nothing focused: the touched card takes it.
    await card.locator("[data-testid=card-number]").click();
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    await page.keyboard.type(part.pickup_code);
    await page.keyboard.press("Enter");
    await card.waitFor({ state: "detached" });
    assert.equal((await partAt(order, locationId)).status, "collected");
  });
  await clearQueue(KITCHEN);
});

test("the reject dialog needs a reason and the refund follows", async () => {
  await withPage(browser, "console-reject", TABLET, async (page) => {
    const locationId = await openDisplay(page, KITCHEN);
    const order = await placeOrder([{ sku: DISH, locationId }], { name: "Carla Rechazo" });
    const part = await partAt(order, locationId);
    const card = cardLocator(page, part.id);
    await card.waitFor();
    await card.locator("[data-testid=reject]").click();
    const dialog = page.locator("[data-testid=reject-dialog]");
    await dialog.waitFor();
    await dialog.locator("[data-testid=reject-confirm]").click();
    assert.match(await dialog.locator("[data-testid=reject-error]").innerText(), /motivo/i);
    await dialog.getByLabel("Sin stock").check();
    await dialog.locator("[data-testid=reject-confirm]").click();
    await card.waitFor({ state: "detached" });
    const customer = await partAt(order, locationId);
    assert.equal(customer.status, "rejected");
    assert.equal(customer.reason, "Sin stock");
  });
});

test("the sold-out switch makes the item unorderable on the customer's menu, and back", async () => {
  const locationId = await staffLocation(SWITCHED.slug);
  await withPage(browser, "console-sold-out", TABLET, async (page, context) => {
    await consoleSignIn(page, staffEmail(SWITCHED.slug));
    await page.goto(`${BASE}/console/locations/${locationId}/switches`);
    const toggle = page.locator(`[data-testid=sold-out-toggle][data-sku="${SWITCHED.sku}"]`);
    await waitUntil(page, "the switches loaded", (sku) => !document.querySelector(`[data-testid=sold-out-toggle][data-sku="${sku}"]`).disabled, SWITCHED.sku);
    assert.equal(await toggle.getAttribute("aria-checked"), "false");
    await toggle.click();
    await waitUntil(page, "switched to sold out", (sku) => document.querySelector(`[data-testid=sold-out-toggle][data-sku="${sku}"]`).getAttribute("aria-checked") === "true", SWITCHED.sku);
    await page.screenshot({ path: artifact("console-switches.png"), fullPage: true });
    try {
      const customer = await context.newPage();
      await openSite(customer);
      const item = itemLocator(customer, { sku: SWITCHED.sku, locationId });
      await item.locator("[data-testid=sold-out]").waitFor();
      assert.ok(await item.locator("button[data-testid=add]").isDisabled(), "the add button is disabled");
      const { locations } = await menu();
      const variant = locations.find((l) => l.id === locationId).products.flatMap((p) => p.variants).find((v) => v.sku === SWITCHED.sku);
      assert.equal(variant.available, false);
      const refused = await apiAt(BASE, "POST", "/orders", {
        body: {
          site_id: SITE,
          channel: "web",
          customer: { name: "Web" },
          lines: [{ sku: SWITCHED.sku, location_id: locationId, quantity: 1 }],
          payment: { method: "card", card_number: "4242424242424242" },
        },
        ok: () => true,
      });
      assert.equal(refused.status, 409, `an order for a sold-out item is refused: ${JSON.stringify(refused.body)}`);
      await customer.close();
    } finally {
      await toggle.click();
      await waitUntil(page, "back to available", (sku) => document.querySelector(`[data-testid=sold-out-toggle][data-sku="${sku}"]`).getAttribute("aria-checked") === "false", SWITCHED.sku);
    }
    const customer = await context.newPage();
    await openSite(customer);
    const item = itemLocator(customer, { sku: SWITCHED.sku, locationId });
    assert.equal(await item.locator("[data-testid=sold-out]").count(), 0, "orderable again");
    assert.ok(await item.locator("button[data-testid=add]").isEnabled());
  });
});

test("another merchant's staff see nothing of the order: 404 display, not in their queue", async () => {
  const kitchen = await staffLocation(KITCHEN);
  const other = await staffLocation(OTHER);
  const order = await placeOrder([{ sku: DISH, locationId: kitchen }], { name: "Dora Aislada" });
  const part = await partAt(order, kitchen);
  await withPage(browser, "console-isolation", TABLET, async (page) => {
    await openDisplay(page, OTHER);
    const response = await page.goto(`${BASE}/console/locations/${kitchen}`);
    assert.equal(response.status(), 404);
    const body = await page.locator("body").innerText();
    assert.ok(!body.includes("La Fuente Chilena") && !body.includes("Dora Aislada"), `nothing of the other merchant: ${body}`);
    for (const path of [`/locations/${kitchen}/queue`, `/locations/${kitchen}/events`, `/fulfillments/${part.id}/ticket`]) {
      const status = await page.evaluate((url) => fetch(url).then((r) => r.status), `/api/v1${path}`);
      assert.equal(status, 404, `${path} answers 404 to the other merchant`);
    }
    const csrf = (await page.context().cookies()).find((c) => c.name === "oc_csrf").value;
    const moved = await page.evaluate(
      ([url, csrf]) =>
        fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-csrf-token": csrf }, body: '{"to":"accepted"}' }).then((r) => r.status),
      [`/api/v1/fulfillments/${part.id}/transition`, csrf],
    );
    assert.equal(moved, 404, "and cannot move it");
    await page.goto(`${BASE}/console/locations/${other}`);
    await waitForConnection(page, ["online"]);
    await page.waitForTimeout(1_000);
    assert.equal(await cardLocator(page, part.id).count(), 0, "not on their display");
    assert.ok(!(await page.locator("body").innerText()).includes("Dora Aislada"));
  });
  const { token } = await login(staffEmail(OTHER));
  const { body: queue } = await apiAt(BASE, "GET", `/locations/${other}/queue?include_done=true`, { token });
  assert.ok(!queue.items.some((i) => i.fulfillment_id === part.id), "not in their queue");
  assert.equal((await partAt(order, kitchen)).status, "placed", "untouched");
  await clearQueue(KITCHEN);
});

test("at 360 px the display and the switches fit the screen", async () => {
  const kitchen = await staffLocation(KITCHEN);
  const order = await placeOrder([{ sku: DISH, locationId: kitchen, note: "una nota bastante larga para ver que no se sale" }], {
    name: "Elena Angosta",
  });
  const part = await partAt(order, kitchen);
  const narrow = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "es-CL" };
  await withPage(browser, "console-360", narrow, async (page) => {
    await openDisplay(page, KITCHEN);
    await cardLocator(page, part.id).waitFor();
    for (const [name, path] of [
      ["display", `/console/locations/${kitchen}`],
      ["switches", `/console/locations/${kitchen}/switches`],
      ["orders", "/console/orders"],
    ]) {
      if (name !== "display") await page.goto(`${BASE}${path}`);
      const { scrollWidth, wide } = await overflow(page, 360);
      assert.ok(scrollWidth <= 360, `${name} at 360 px is ${scrollWidth} px wide: ${wide.join(", ")}`);
      await page.screenshot({ path: artifact(`console-360-${name}.png`), fullPage: true });
    }
  });
  await clearQueue(KITCHEN);
});

test("a manager finds the orders in the history and reads the day's takings and the settlement", async () => {
  const kitchen = await staffLocation(KITCHEN);
  const order = await placeOrder([{ sku: DISH, locationId: kitchen }], { name: "Federico Historial" });
  const part = await partAt(order, kitchen);
  const { token } = await login(staffEmail(KITCHEN));
  for (const to of ["accepted", "preparing", "ready"]) {
    await apiAt(BASE, "POST", `/fulfillments/${part.id}/transition`, { token, body: { to } });
  }
  await apiAt(BASE, "POST", `/fulfillments/${part.id}/transition`, { token, body: { to: "collected", pickup_code: part.pickup_code } });
  await withPage(browser, "console-manager", TABLET, async (page) => {
    await consoleSignIn(page, `gerente.${KITCHEN}@demo.omnicanal.cl`, { password: PASSWORD });
    assert.equal(new URL(page.url()).pathname, "/console");
    await page.locator(`[data-testid=location][data-location-id="${kitchen}"]`).waitFor();

    await page.goto(`${BASE}/console/orders`);
    await page.locator("[data-testid=filter-q]").fill("Federico");
    await Promise.all([page.waitForURL((url) => url.searchParams.get("q") === "Federico"), page.locator("[data-testid=filter-q]").press("Enter")]);
    const row = page.locator(`[data-testid=order-row][data-fulfillment-id="${part.id}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute("data-status"), "collected");
    assert.match(await row.innerText(), /Entregado/);
    assert.match(await page.locator("[data-testid=orders-summary]").innerText(), /de 1$/);
    await page.screenshot({ path: artifact("console-history.png"), fullPage: true });

    await page.locator("[data-testid=filter-q]").fill("nadie-se-llama-asi");
    await Promise.all([page.waitForURL((url) => url.searchParams.get("q") === "nadie-se-llama-asi"), page.locator("[data-testid=filter-q]").press("Enter")]);
    await page.locator("[data-testid=orders-empty]").waitFor();
    assert.match(await page.locator("[data-testid=orders-empty]").innerText(), /Ningún pedido/);

    await page.goto(`${BASE}/console/reports`);
    const qr = page.locator("[data-testid=takings-row][data-channel=qr]");
    await qr.waitFor();
    assert.match(await qr.innerText(), /\$\d/);
    await page.locator("[data-testid=settlement-net]").waitFor();
    assert.match(await page.locator("[data-testid=settlement-gross]").innerText(), /^\$[\d.]+$/);
    const csv = await page.locator("[data-testid=settlement-csv]").getAttribute("href");
    assert.match(csv, /^\/api\/v1\/merchants\/[^/]+\/settlement\.csv\?from=\d{4}-\d{2}-\d{2}T\d{2}%3A\d{2}%3A\d{2}Z&to=\d{4}-\d{2}-\d{2}T\d{2}%3A\d{2}%3A\d{2}Z$/);
    const download = await page.evaluate((url) => fetch(url).then(async (r) => [r.status, r.headers.get("content-type"), (await r.text()).split("\n")[0]]), csv);
    assert.equal(download[0], 200, `the CSV downloads: ${download}`);
    await page.screenshot({ path: artifact("console-reports.png"), fullPage: true });
  });
});

/** Inputs without a label and buttons or links without a name, on the current page. */
function unnamed(page) {
  return page.evaluate(() => {
    const problems = [];
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    const named = (el) =>
      (el.getAttribute("aria-label") || "").trim() ||
      (el.getAttribute("aria-labelledby") || "").trim() ||
      (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) ||
      el.closest("label");
    for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
      if (visible(el) && !named(el)) problems.push(`unlabelled ${el.outerHTML.slice(0, 120)}`);
    }
    for (const el of document.querySelectorAll("button, a[href]")) {
      if (visible(el) && !el.textContent.trim() && !(el.getAttribute("aria-label") || "").trim()) problems.push(`unnamed ${el.outerHTML.slice(0, 120)}`);
    }
    return problems;
  });
}

test("a scheduled order says when to start it; the console's controls are labelled and live regions exist", async () => {
  const kitchen = await staffLocation(KITCHEN);
  const slotMs = 15 * 60_000;
  const pickupAt = new Date(Math.ceil((Date.now() + 90 * 60_000) / slotMs) * slotMs).toISOString();
  const { body: order } = await apiAt(BASE, "POST", "/orders", {
    body: {
      site_id: SITE,
      channel: "web",
      customer: { name: "Gabriela Agenda" },
      pickup_at: pickupAt,
      lines: [{ sku: DISH, location_id: kitchen, quantity: 1 }],
      payment: { method: "card", card_number: "4242424242424242" },
    },
  });
  const part = await partAt(order, kitchen);
  await withPage(browser, "console-scheduled", TABLET, async (page) => {
    await openDisplay(page, KITCHEN);
    const card = cardLocator(page, part.id);
    await card.waitFor();
    assert.match(await card.locator("[data-testid=card-pickup]").innerText(), /Retiro a las \d{2}:\d{2}/);
    assert.match(await card.locator("[data-testid=card-start-by]").innerText(), /Empezar a las \d{2}:\d{2}/);
    assert.equal(await page.locator("[data-testid=announcer]").getAttribute("aria-live"), "polite");
    assert.equal(await page.locator("[data-testid=connection]").getAttribute("role"), "status");
    assert.deepEqual(await unnamed(page), [], "display");
    await card.locator("[data-testid=accept]").focus();
    await page.keyboard.press("Enter");
    await waitForStatus(page, part.id, "accepted");
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "start", "focus moves to the card's next step");
    for (const path of [`/console/locations/${kitchen}/switches`, "/console/orders", "/console/account"]) {
      await page.goto(`${BASE}${path}`);
      assert.deepEqual(await unnamed(page), [], path);
    }
  });
  await withPage(browser, "console-a11y-manager", TABLET, async (page) => {
    await consoleSignIn(page, `gerente.${KITCHEN}@demo.omnicanal.cl`);
    for (const path of ["/console", "/console/reports", `/console/locations/${kitchen}/switches`]) {
      await page.goto(`${BASE}${path}`);
      assert.deepEqual(await unnamed(page), [], path);
    }
  });
  await clearQueue(KITCHEN);
});

test("the hours editor keeps every range of a day, even past the two it offers", async () => {
  const slug = "altura";
  const locationId = await staffLocation(slug);
  const manager = `gerente.${slug}@demo.omnicanal.cl`;
  const { token } = await login(manager);
  const fullDay = [["00:00", "24:00"]];
  const monday = [["07:00", "10:00"], ["12:00", "15:00"], ["19:00", "23:00"]];
  const hours = { 1: monday, 2: fullDay, 3: fullDay, 4: fullDay, 5: fullDay, 6: fullDay, 7: fullDay };
  await apiAt(BASE, "PATCH", `/locations/${locationId}`, { token, body: { opening_hours: hours } });
  try {
    await withPage(browser, "console-hours", TABLET, async (page) => {
      await consoleSignIn(page, manager);
      await page.goto(`${BASE}/console/locations/${locationId}/switches`);
      const mondayFrom = page.locator('[data-testid=hours-form] input[data-day="1"][data-end="from"]');
      await mondayFrom.first().waitFor();
      assert.equal(await mondayFrom.count(), 3, "a third range gets its own inputs");
      assert.equal(await mondayFrom.nth(2).inputValue(), "19:00");
      await page.locator("[data-testid=hours-save]").click();
      await page.locator("[data-testid=hours-saved]").waitFor({ state: "visible" });
    });
    const { body } = await apiAt(BASE, "GET", `/locations/${locationId}`, { token });
    assert.deepEqual(body.opening_hours["1"], monday, "saving kept all three ranges");
  } finally {
    await apiAt(BASE, "PATCH", `/locations/${locationId}`, { token, body: { always_open: true } });
  }
});
