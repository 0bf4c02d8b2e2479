// Every refusal the cart and the kitchen display can get (issue #13, point 2), in Spanish and in
// English: sold out, stock short, paused, closed, slot full, declined, bad card, bad coupon, bad
// e-mail, no name, and a wrong pickup code on the display. Each one is caused for real (through
// the API, meanwhile), then every text the page shows for it must be an entry of that language's
// catalog (crates/server/locales) with only names, numbers and times filled in — never the
// server's English detail — and the line or field it is about must be marked. The phone runs
// in UTC: a pause's end must still read in the site's zone (America/Santiago).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE,
  SITE,
  ADMIN,
  TABLET,
  CARD_OK,
  launch,
  withPage,
  api,
  apiAt,
  login,
  menu,
  available,
  staffEmail,
  staffLocation,
  placeOrder,
  partAt,
  consoleSignIn,
  cardLocator,
  waitForConnection,
  waitUntil,
  clearQueue,
  shownProblemTexts,
  textsNotInCatalog,
  menuNames,
  artifact,
} from "./lib.mjs";

const TIMEZONE = "America/Santiago";

let browser;
let names;
before(async () => {
  browser = await launch();
  names = await menuNames();
});
after(async () => {
  await browser?.close();
});

const admin = async () => (await login(ADMIN)).token;

/** `sku`'s location, name and price on the menu. */
async function dish(sku) {
  for (const location of (await menu()).locations) {
    for (const product of location.products) {
      const variant = product.variants.find((v) => v.sku === sku);
      if (variant) return { sku, locationId: location.id, name: product.name, price: variant.price.amount, restaurant: location.name };
    }
  }
  throw new Error(`${sku} is not on the menu`);
}

const patchLocation = async (locationId, body) => api("PATCH", `/locations/${locationId}`, { token: await admin(), body });

/** Opens the cart in `lang` holding `lines` (put in localStorage as the site page would). */
async function openCart(page, lang, lines) {
  await page.goto(`${BASE}/s/${SITE}?lang=${lang}`);
  await page.evaluate(
    ([site, lines]) => localStorage.setItem(`omnicanal.cart.${site}`, JSON.stringify(lines)),
    [SITE, lines.map((l) => ({ sku: l.sku, location_id: l.locationId, name: l.name, price: l.price, quantity: l.quantity || 1, modifiers: [], note: null }))],
  );
  await page.goto(`${BASE}/s/${SITE}/cart`);
  await waitUntil(page, `${lines.length} cart lines`, (n) => document.querySelectorAll("[data-testid=cart-line]").length === n, lines.length);
}

async function fill(page, { name = "Camila", email = "", card = CARD_OK, coupon = "" }) {
  await page.locator("[data-testid=customer-name]").fill(name);
  await page.locator("[data-testid=customer-email]").fill(email);
  await page.locator("#coupon").fill(coupon);
  await page.locator("input[name=payment-method][value=card]").check();
  await page.locator("[data-testid=card-number]").fill(card);
}

// Each refusal: the dish in the cart, what the form holds, what is changed meanwhile (and put
// back), and what must be marked: the cart line of `sku`, or the input `field`.
const REFUSALS = [
  {
    name: "sold-out",
    sku: "NAP-TIRA",
    line: true,
    async meanwhile(d) {
      await api("PUT", `/locations/${d.locationId}/sold-out/${d.sku}`, { token: await admin() });
    },
    async restore(d) {
      await api("DELETE", `/locations/${d.locationId}/sold-out/${d.sku}`, { token: await admin() });
    },
  },
  {
    name: "stock-short",
    sku: "ALT-KUCH",
    line: true,
    async quantity(d) {
      return (await available(d.sku, d.locationId)) + 1;
    },
  },
  {
    name: "paused",
    sku: "NIK-GYOZ",
    line: true,
    async meanwhile(d) {
      await patchLocation(d.locationId, { pause_minutes: 45 });
    },
    async restore(d) {
      await patchLocation(d.locationId, { pause_minutes: 0 });
    },
    async check(page, lang, d, lineText) {
      const location = (await menu()).locations.find((l) => l.id === d.locationId);
      const until = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "es-CL", {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone: TIMEZONE,
      }).format(new Date(location.status.until));
      assert.ok(lineText.includes(until), `the pause's end in the site's zone (${until}): ${lineText}`);
      assert.ok(!/\d{4}-\d{2}-\d{2}T/.test(lineText), `no raw timestamp: ${lineText}`);
    },
  },
  {
    name: "closed",
    sku: "GUE-NACH",
    line: true,
    async meanwhile(d) {
      // Open half an hour a day, six hours from now (Santiago), so it is closed now and says when it opens.
      const hour = (Number(new Intl.DateTimeFormat("en-GB", { hour: "2-digit", hourCycle: "h23", timeZone: TIMEZONE }).format(new Date())) + 6) % 24;
      const hh = String(hour).padStart(2, "0");
      const hours = Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((day) => [day, [[`${hh}:00`, `${hh}:30`]]]));
      await patchLocation(d.locationId, { opening_hours: hours });
      d.opensAt = `${hh}:00`;
    },
    async restore(d) {
      await patchLocation(d.locationId, { always_open: true });
    },
    async check(page, lang, d, lineText) {
      assert.ok(lineText.includes(d.opensAt), `says when it opens (${d.opensAt}): ${lineText}`);
    },
  },
  {
    name: "slot-full",
    sku: "FUE-PAPA",
    field: "pickup-time",
    async before(page, d) {
      await patchLocation(d.locationId, { slot_capacity: 1 });
    },
    async afterOpen(page) {
      await waitUntil(page, "pickup slots", () => document.querySelectorAll("#pickup-time option:not([disabled])").length > 1);
      const slot = await page.evaluate(() => document.querySelector("#pickup-time option:not([value='']):not([disabled])").value);
      await page.locator("[data-testid=pickup-time]").selectOption(slot);
      return slot;
    },
    async meanwhile(d, slot) {
      const body = {
        site_id: SITE,
        channel: "qr",
        customer: { name: "Otra Persona" },
        lines: [{ sku: d.sku, location_id: d.locationId, quantity: 1 }],
        pickup_at: slot,
        payment: { method: "card", card_number: CARD_OK },
      };
      await apiAt(BASE, "POST", "/orders", { body });
    },
    async restore(d) {
      await patchLocation(d.locationId, { slot_capacity: 0 });
      await clearQueue("fuente");
    },
  },
  { name: "declined", sku: "ALT-LATT", field: "card-number", form: { card: "4000000000000002" } },
  { name: "bad-card", sku: "ALT-LATT", field: "card-number", form: { card: "4111 1111 1111 1111" } },
  { name: "bad-coupon", sku: "ALT-LATT", field: "coupon", form: { coupon: "NOEXISTE" } },
  { name: "bad-email", sku: "ALT-LATT", field: "customer-email", form: { email: "camila@correo" } },
  { name: "no-name", sku: "ALT-LATT", field: "customer-name", form: { name: "" } },
];

for (const lang of ["es", "en"]) {
  for (const refusal of REFUSALS) {
    test(`${lang}: ${refusal.name} is told in the catalog's words, the ${refusal.line ? "line" : "field"} marked`, async () => {
      const d = await dish(refusal.sku);
      if (refusal.quantity) d.quantity = await refusal.quantity(d);
      await withPage(browser, `refusal-${lang}-${refusal.name}`, { timezoneId: "UTC" }, async (page) => {
        try {
          if (refusal.before) await refusal.before(page, d);
          await openCart(page, lang, [d]);
          const slot = refusal.afterOpen ? await refusal.afterOpen(page) : null;
          await fill(page, refusal.form || {});
          if (refusal.meanwhile) await refusal.meanwhile(d, slot);
          await page.locator("button[data-testid=place-order]").click();
          const alert = page.locator("[data-testid=checkout-error]");
          await alert.waitFor({ state: "visible" });
          assert.equal(await alert.getAttribute("role"), "alert");
          assert.equal(new URL(page.url()).pathname, `/s/${SITE}/cart`, "still on the cart page");

          let lineText = "";
          if (refusal.line) {
            const line = page.locator(`[data-testid=cart-line][data-sku="${d.sku}"]`);
            await line.locator("[data-testid=line-error]").waitFor({ state: "visible" });
            lineText = await line.locator("[data-testid=line-error]").innerText();
          } else {
            const input = page.locator(`#${refusal.field}`);
            await waitUntil(page, `#${refusal.field} marked`, (id) => document.getElementById(id)?.getAttribute("aria-invalid") === "true", refusal.field);
            const describedBy = await input.getAttribute("aria-describedby");
            assert.ok(describedBy, `#${refusal.field} is described by its error`);
            assert.ok((await page.locator(`#${describedBy}`).innerText()).trim(), "the field's error says something");
          }
          await page.waitForTimeout(300); // a quote answered meanwhile may mark more
          const shown = await shownProblemTexts(page);
          assert.ok(shown.length > 0, "something is shown");
          assert.deepEqual(
            textsNotInCatalog(shown, lang, [...names, d.name]),
            [],
            `texts not from the ${lang} catalog (all shown: ${JSON.stringify(shown)})`,
          );
          if (refusal.check) await refusal.check(page, lang, d, lineText);
          await page.screenshot({ path: artifact(`refusal-${lang}-${refusal.name}.png`), fullPage: true });
        } finally {
          if (refusal.restore) await refusal.restore(d);
        }
      });
    });
  }

  test(`${lang}: the kitchen display's wrong pickup code is told in the catalog's words only`, async () => {
    const slug = "fuente";
    const locationId = await staffLocation(slug);
    const { token } = await login(staffEmail(slug));
    const order = await placeOrder([{ sku: "FUE-PAPA", locationId }], { name: "Bruno Código" });
    const part = await partAt(order, locationId);
    for (const to of ["accepted", "preparing", "ready"]) {
      await apiAt(BASE, "POST", `/fulfillments/${part.id}/transition`, { token, body: { to } });
    }
    try {
      await withPage(browser, `refusal-${lang}-display`, TABLET, async (page, context) => {
        await context.addCookies([{ name: "lang", value: lang, url: BASE }]);
        await consoleSignIn(page, staffEmail(slug));
        await page.waitForURL((url) => url.pathname === `/console/locations/${locationId}`);
        await waitForConnection(page, ["online"]);
        const card = cardLocator(page, part.id);
        await card.waitFor();
        const wrong = part.pickup_code === "0000" ? "1111" : "0000";
        await card.locator("[data-testid=code-input]").fill(wrong);
        await card.locator("[data-testid=code-input]").press("Enter");
        await card.locator("[data-testid=card-error]").waitFor({ state: "visible" });
        const shown = await shownProblemTexts(page);
        assert.ok(shown.length > 0, "something is shown");
        assert.deepEqual(textsNotInCatalog(shown, lang, names), [], `texts not from the ${lang} catalog (all shown: ${JSON.stringify(shown)})`);
        assert.equal(await card.locator("[data-testid=code-input]").getAttribute("aria-invalid"), "true", "the code is marked");
        await page.screenshot({ path: artifact(`refusal-${lang}-display.png`) });
      });
    } finally {
      await apiAt(BASE, "POST", `/fulfillments/${part.id}/transition`, {
        token,
        body: { to: "collected", pickup_code: part.pickup_code },
      });
    }
  });
}
