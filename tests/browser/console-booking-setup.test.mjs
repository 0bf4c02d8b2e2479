// Setting bookings up from the console (issue 19 points 1-4), at 360 px and 1280 px, on a shop
// of the test's own (a merchant, its store and its manager, made through the API by the admin):
// the manager opens /console/bookings/setup, sees the empty states, is told in Spanish next to
// the field that a table's fewest guests cannot pass its most, adds a stylist with a working
// week, a service with a price and a deposit performed by her, and a day off for her. Then the
// public agenda (/shop/{merchant}/agenda) offers the service with her times, none on her day
// off, and asks for a card for the deposit. Also: a table's zone and group edited, the booking
// rules and the place refused at their field and then saved; staff refused; English. The page
// never scrolls sideways.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { BASE, ADMIN, PASSWORD, launch, withPage, apiAt, consoleSignIn, overflow, artifact } from "./lib.mjs";

let browser;
let admin;
before(async () => {
  browser = await launch();
  admin = (await apiAt(BASE, "POST", "/auth/login", { body: { email: ADMIN, password: PASSWORD } })).body.token;
});
after(async () => {
  await browser?.close();
});

/** A merchant of the test's own with one store (always open: no hours) and its manager. */
async function makeShop(width) {
  const call = async (method, path, body) => (await apiAt(BASE, method, path, { body, token: admin })).body;
  const tag = `${width}-${randomUUID().slice(0, 8)}`;
  const site = await call("POST", "/sites", { name: `Galería ${tag}`, country: "CL", currency: "CLP", timezone: "America/Santiago" });
  const merchant = await call("POST", "/merchants", { name: `Salón ${tag}`, kind: "retail", commission_bps: 0 });
  const store = await call("POST", "/locations", { merchant_id: merchant.id, site_id: site.id, name: "Salón Centro", pay_at_pickup: true });
  const email = `gerente.${tag}@example.cl`;
  await call("POST", "/users", { email, password: PASSWORD, role: "merchant_manager", merchant_id: merchant.id });
  return { merchant, store, email };
}

/** The page's `today` (the site's local date) plus `days`, as YYYY-MM-DD. */
async function dayAfter(page, days) {
  const today = await page.evaluate(() => JSON.parse(document.getElementById("page-data").textContent).today);
  const [y, m, d] = today.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

for (const width of [360, 1280]) {
  test(`${width} px: a manager sets up a stylist, her week, a service with a deposit and a day off; the agenda offers it`, async () => {
    const shop = await makeShop(width);
    const device = { viewport: { width, height: width < 600 ? 780 : 900 }, isMobile: width < 600, hasTouch: width < 600 };
    await withPage(browser, `console-booking-setup-${width}`, device, async (page) => {
      await consoleSignIn(page, shop.email);
      await page.goto(`${BASE}/console/bookings`);
      await page.locator("[data-testid=bookings-setup-link]").click();
      await page.waitForURL(/\/console\/bookings\/setup/);
      await page.locator("body[data-ready=true]").waitFor();
      assert.match(await page.locator("h1").innerText(), /Configurar reservas/);
      assert.match(await page.locator("[data-testid=resources-state]").innerText(), /Aún no hay mesas/);
      assert.match(await page.locator("[data-testid=services-state]").innerText(), /Aún no hay servicios/);
      assert.match(await page.locator("[data-testid=exceptions-state]").innerText(), /Aún no hay días especiales/);

      // A table whose fewest guests pass its most: the API's 422 told at the field, in Spanish.
      await page.locator("[data-testid=resource-kind]").selectOption("table");
      await page.locator("[data-testid=resource-name]").fill("Mesa 1");
      await page.locator("[data-testid=resource-seats-min]").fill("6");
      await page.locator("[data-testid=resource-seats-max]").fill("2");
      await page.locator("[data-testid=resource-submit]").click();
      const seatsError = page.locator("[data-testid=error-seats-min]");
      await seatsError.waitFor({ state: "visible" });
      assert.match(await seatsError.innerText(), /El mínimo debe ser al menos 1 y no mayor que el máximo/);
      assert.equal(await page.locator("[data-testid=resource-seats-min]").getAttribute("aria-invalid"), "true");
      assert.equal(await page.locator("[data-testid=resource-row]").count(), 0, "nothing was added");
      const { scrollWidth } = await overflow(page, width);
      assert.ok(scrollWidth <= width, `nothing past the right edge (${scrollWidth})`);

      // The stylist, working every day 10:00–19:00 with a break on Mondays.
      await page.locator("[data-testid=resource-kind]").selectOption("staff");
      assert.equal(await page.locator("[data-testid=resource-seats-min]").isVisible(), false, "staff take no seats");
      await page.locator("[data-testid=resource-name]").fill("Ana");
      await page.locator("[data-testid=resource-week-on]").check();
      for (const day of ["1", "2", "3", "4", "5", "6", "7"]) await page.locator(`[data-testid=week-works-${day}]`).check();
      await page.locator("[data-testid=week-to-1]").fill("13:00");
      await page.locator("[data-testid=week-from2-1]").fill("14:00");
      await page.locator("[data-testid=week-to2-1]").fill("19:00");
      await page.locator("[data-testid=resource-form]").screenshot({ path: artifact(`console-booking-setup-${width}-week.png`) });
      await page.locator("[data-testid=resource-submit]").click();
      const ana = page.locator("[data-testid=resource-row]", { hasText: "Ana" });
      await ana.waitFor();
      assert.match(await ana.locator("[data-testid=resource-row-week]").innerText(), /Lun 10:00–13:00, 14:00–19:00/);
      assert.match(await page.locator("[data-testid=resource-result]").innerText(), /«Ana» quedó guardado/);
      const anaId = await ana.getAttribute("data-id");

      // A service with a price and a deposit typed in pesos, performed by Ana.
      await page.locator("[data-testid=service-name]").fill("Corte");
      await page.locator("[data-testid=service-duration]").fill("30");
      await page.locator("[data-testid=service-buffer-after]").fill("10");
      await page.locator("[data-testid=service-price]").fill("12.000");
      await page.locator("[data-testid=service-deposit]").fill("3.000");
      await page.locator(`[data-testid=service-performer][value="${anaId}"]`).check();
      await page.locator("[data-testid=service-submit]").click();
      const cut = page.locator("[data-testid=service-row]", { hasText: "Corte" });
      await cut.waitFor();
      assert.match(await cut.locator("[data-testid=service-row-price]").innerText(), /\$12\.000/);
      assert.equal(await cut.locator("[data-testid=service-row-performers]").innerText(), "Ana");
      assert.match(await page.locator("[data-testid=service-result]").innerText(), /con abono de \$3\.000/);
      const services = (await apiAt(BASE, "GET", `/services?merchant_id=${shop.merchant.id}`)).body;
      assert.equal(services.length, 1);
      assert.deepEqual(services[0].price, { amount: 12000, currency: "CLP" }, "sent in minor units");
      assert.deepEqual(services[0].performer_ids, [anaId]);

      // Editing it: 45 minutes and a $4.000 deposit (PATCH /services/{id}); the saved
      // deposit is read back into the form.
      await cut.locator("[data-testid=service-edit]").click();
      assert.equal(await page.locator("[data-testid=service-name]").inputValue(), "Corte");
      assert.equal(await page.locator("[data-testid=service-deposit]").inputValue(), "3.000");
      await page.locator("[data-testid=service-duration]").fill("45");
      await page.locator("[data-testid=service-deposit]").fill("4.000");
      await page.locator("[data-testid=service-submit]").click();
      await page.locator("[data-testid=service-row]", { hasText: "45 min" }).waitFor();
      assert.match(await cut.innerText(), /abono \$4\.000/);
      const edited = (await apiAt(BASE, "GET", `/services?merchant_id=${shop.merchant.id}`)).body[0];
      assert.deepEqual(edited.deposit, { amount: 4000, currency: "CLP" }, "the edit sent the deposit");

      // Ana's day off in three days.
      const dayOff = await dayAfter(page, 3);
      await page.locator("[data-testid=exception-date]").fill(dayOff);
      await page.locator("[data-testid=exception-kind]").selectOption("day_off");
      await page.locator("[data-testid=exception-resource]").selectOption(anaId);
      await page.locator("[data-testid=exception-submit]").click();
      const off = page.locator("[data-testid=exception-row]", { hasText: dayOff });
      await off.waitFor();
      assert.match(await off.innerText(), /Día libre/);
      assert.match(await off.innerText(), /Ana/);
      const after = await overflow(page, width);
      assert.ok(after.scrollWidth <= width, `nothing past the right edge with the lists filled (${after.scrollWidth})`);
      await page.screenshot({ path: artifact(`console-booking-setup-${width}-filled.png`), fullPage: true });

      // The public agenda offers the service, with Ana's times, none on her day off.
      const workday = await dayAfter(page, 2);
      await page.goto(`${BASE}/shop/${shop.merchant.id}/agenda`);
      await page.locator(`[data-testid=bk-service][value="${services[0].id}"]`).check();
      await page.locator("[data-testid=bk-date]").fill(workday);
      await page.locator("[data-testid=bk-slot]").first().waitFor();
      const slots = await page.locator("[data-testid=bk-slot]").evaluateAll((buttons) => buttons.map((b) => [b.dataset.resource, b.innerText.trim()]));
      assert.ok(slots.every(([resource]) => resource === anaId), "only Ana performs it");
      assert.ok(slots.every(([, time]) => time >= "10:00" && time < "19:00"), `within her hours: ${slots.map((s) => s[1]).join(" ")}`);
      await page.locator("[data-testid=bk-date]").fill(dayOff);
      await page.waitForFunction(() => /No quedan horas libres ese día/.test(document.querySelector("[data-testid=bk-slots-state]").textContent));
      assert.equal(await page.locator("[data-testid=bk-slot]").count(), 0, "no time on her day off");
      // A time on her working day asks for the deposit's card.
      await page.locator("[data-testid=bk-date]").fill(workday);
      await page.locator("[data-testid=bk-slot]").first().click();
      await page.locator("[data-testid=bk-name]").fill("Martina Vidal");
      await page.locator("[data-testid=bk-phone]").fill("+56 9 8765 4321");
      await page.locator("[data-testid=bk-confirm]").click();
      await page.locator("[data-testid=bk-deposit]").waitFor({ state: "visible" });
    });
  });
}

test("360 px: a table with its zone and group, edited; the booking rules and the place, refused at the field then saved", async () => {
  const shop = await makeShop("rules");
  await withPage(browser, "console-booking-setup-rules", { viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true }, async (page) => {
    await consoleSignIn(page, shop.email);
    await page.goto(`${BASE}/console/bookings/setup?location=${shop.store.id}`);
    await page.locator("body[data-ready=true]").waitFor();

    // A table in the terrace, joinable with group A; then moved indoors (PUT .../details).
    await page.locator("[data-testid=resource-name]").fill("Mesa 7");
    await page.locator("[data-testid=resource-seats-min]").fill("2");
    await page.locator("[data-testid=resource-seats-max]").fill("4");
    await page.locator("[data-testid=resource-zone]").fill("Terraza");
    await page.locator("[data-testid=resource-group]").fill("A");
    await page.locator("[data-testid=resource-submit]").click();
    const table = page.locator("[data-testid=resource-row]", { hasText: "Mesa 7" });
    await table.waitFor();
    assert.match(await table.innerText(), /2 a 4 personas · zona Terraza · grupo A/);
    await table.locator("[data-testid=resource-edit]").click();
    assert.equal(await page.locator("[data-testid=resource-name]").isVisible(), false, "the kind and name are not edited here");
    await page.locator("[data-testid=resource-zone]").fill("Salón");
    await page.locator("[data-testid=resource-submit]").click();
    await page.locator("[data-testid=resource-row]", { hasText: "zona Salón · grupo A" }).waitFor();

    // The rules: a window the API refuses (400 days) is told at its field, in Spanish.
    await page.locator("[data-testid=settings-ahead]").fill("400");
    await page.locator("[data-testid=settings-cancel]").fill("180");
    await page.locator("[data-testid=settings-reminders]").fill("1440, 120");
    await page.locator("[data-testid=settings-deposit]").fill("2.000");
    await page.locator("[data-testid=settings-submit]").click();
    const ahead = page.locator("[data-testid=error-settings-ahead]");
    await ahead.waitFor({ state: "visible" });
    assert.match(await ahead.innerText(), /Se reserva de 1 a 365 días antes/);
    await page.locator("[data-testid=settings-ahead]").fill("90");
    await page.locator("[data-testid=settings-submit]").click();
    await page.locator("[data-testid=settings-result]", { hasText: "Las reglas quedaron guardadas" }).waitFor();
    assert.equal(await ahead.isVisible(), false);
    const rules = (await apiAt(BASE, "GET", `/locations/${shop.store.id}/booking-settings`)).body;
    assert.equal(rules.max_days_ahead, 90);
    assert.equal(rules.cancel_window_minutes, 180);
    assert.deepEqual(rules.reminder_offsets_minutes, [1440, 120]);
    assert.deepEqual(rules.table_deposit_per_guest, { amount: 2000, currency: "CLP" }, "typed in pesos, sent in minor units");

    // The place: a latitude off the globe is told at the field; a comma decimal is read.
    await page.locator("[data-testid=place-latitude]").fill("200");
    await page.locator("[data-testid=place-longitude]").fill("-70.6506");
    await page.locator("[data-testid=place-submit]").click();
    assert.match(await page.locator("[data-testid=error-place-latitude]").innerText(), /La latitud va de -90 a 90/);
    await page.locator("[data-testid=place-latitude]").fill("-33,4372");
    await page.locator("[data-testid=place-comuna]").fill("Santiago");
    await page.locator("[data-testid=place-submit]").click();
    await page.locator("[data-testid=place-result]", { hasText: "La ubicación quedó guardada" }).waitFor();

    // Everything is read back after a reload.
    await page.reload();
    await page.locator("body[data-ready=true]").waitFor();
    assert.equal(await page.locator("[data-testid=settings-ahead]").inputValue(), "90");
    assert.equal(await page.locator("[data-testid=settings-deposit]").inputValue(), "2.000");
    assert.equal(await page.locator("[data-testid=place-comuna]").inputValue(), "Santiago");
    assert.equal(Number(await page.locator("[data-testid=place-latitude]").inputValue()), -33.4372);
    const { scrollWidth } = await overflow(page, 360);
    assert.ok(scrollWidth <= 360, `nothing past the right edge (${scrollWidth})`);
  });
});

test("staff may not set bookings up; the English page speaks English", async () => {
  await withPage(browser, "console-booking-setup-staff", { viewport: { width: 360, height: 780 } }, async (page) => {
    await consoleSignIn(page, "cocina.fuente@demo.omnicanal.cl");
    const answer = await page.goto(`${BASE}/console/bookings/setup`);
    assert.equal(answer.status(), 403);
    assert.match(await page.locator("main").innerText(), /Solo el gerente del local/);
  });
  await withPage(browser, "console-booking-setup-en", { viewport: { width: 1280, height: 900 } }, async (page) => {
    await consoleSignIn(page, "gerente.fuente@demo.omnicanal.cl");
    await page.goto(`${BASE}/console/bookings/setup?lang=en`);
    await page.locator("body[data-ready=true]").waitFor();
    assert.match(await page.locator("h1").innerText(), /Set up bookings/);
    assert.match(await page.locator("[data-testid=resource-submit]").innerText(), /Add/);
  });
});
