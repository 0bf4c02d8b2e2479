// The whole journey on a phone: scan URL → three restaurants → one card payment → the order
// page, which follows the kitchens live (staff move parts through the API; no reload).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BASE,
  SITE,
  launch,
  withPage,
  openSite,
  orderableItems,
  addItems,
  goToCart,
  waitForCartLines,
  fillAndPlace,
  waitForOrderPage,
  waitUntil,
  customerOrder,
  staffByLocation,
  transition,
  artifact,
  orderFromRestaurants,
} from "./lib.mjs";

/**
 * Records how the order page tries to get attention: system notifications through the service
 * worker registration (still shown), vibrations, and WebAudio oscillators (the chime).
 */
function spyOnAlerts() {
  window.__alerts = { shown: [], vibrations: 0, oscillators: 0 };
  const show = ServiceWorkerRegistration.prototype.showNotification;
  ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
    window.__alerts.shown.push({ title, body: options && options.body, tag: options && options.tag });
    return show.call(this, title, options);
  };
  Object.defineProperty(Navigator.prototype, "vibrate", {
    configurable: true,
    value: () => {
      window.__alerts.vibrations += 1;
      return true;
    },
  });
  const Audio = window.AudioContext;
  if (Audio) {
    const oscillator = Audio.prototype.createOscillator;
    Audio.prototype.createOscillator = function () {
      window.__alerts.oscillators += 1;
      return oscillator.call(this);
    };
  }
}

/** Waits until the page alerted about `tag`: banner, system notification, chime, vibration. */
async function waitForAlert(page, tag, what) {
  await waitUntil(
    page,
    `${what}: banner, notification, chime and vibration for ${tag}`,
    (tag) => {
      const alert = (window.omnicanalOrder?.alerts || []).find((a) => a.tag === tag);
      const toast = document.getElementById("toast");
      return (
        !!alert &&
        alert.chimed === true &&
        alert.vibrated === true &&
        window.__alerts.shown.some((n) => n.tag === tag) &&
        !toast.hidden &&
        toast.textContent === alert.body &&
        toast.getAttribute("role") === "status"
      );
    },
    tag,
    8_000,
  );
}

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("the site page follows the DOM contract", async () => {
  await withPage(browser, "site-contract", {}, async (page) => {
    await openSite(page);
    const report = await page.evaluate(() => {
      const problems = [];
      const restaurants = [...document.querySelectorAll("[data-testid=restaurant]")];
      for (const r of restaurants) {
        const label = r.dataset.locationId || "(no data-location-id)";
        if (!r.dataset.locationId) problems.push(`restaurant without data-location-id`);
        if (!r.querySelector("[data-testid=restaurant-name]")?.textContent.trim()) problems.push(`${label}: no restaurant-name`);
        const status = r.querySelector("[data-testid=restaurant-status]");
        if (!status || !["open", "paused", "closed"].includes(status.dataset.state)) {
          problems.push(`${label}: restaurant-status data-state=${status && status.dataset.state}`);
        }
        if (!r.querySelector("[data-testid=prep-time]")?.textContent.trim()) problems.push(`${label}: no prep-time`);
        const items = [...r.querySelectorAll("[data-testid=menu-item]")];
        if (!items.length) problems.push(`${label}: no menu-item`);
        for (const item of items) {
          const id = `${label}/${item.dataset.sku}`;
          if (!item.dataset.sku || item.dataset.locationId !== r.dataset.locationId) {
            problems.push(`${id}: menu-item data-sku/data-location-id`);
          }
          if (!item.querySelector("[data-testid=item-name]")?.textContent.trim()) problems.push(`${id}: no item-name`);
          const price = item.querySelector("[data-testid=item-price]")?.textContent.trim() || "";
          if (!/^\$\d{1,3}(\.\d{3})*$/.test(price)) problems.push(`${id}: item-price ${JSON.stringify(price)} is not like $8.990`);
          const add = item.querySelector("button[data-testid=add]");
          if (!add) problems.push(`${id}: no button[data-testid=add]`);
          if (item.querySelector("[data-testid=sold-out]") && add && !add.disabled) problems.push(`${id}: sold out but add enabled`);
        }
      }
      const count = document.querySelector("[data-testid=cart-count]");
      if (!count || count.textContent.trim() !== "0") problems.push(`cart-count is ${JSON.stringify(count && count.textContent)}`);
      const link = document.querySelector("a[data-testid=go-to-cart]");
      if (!link) problems.push("no a[data-testid=go-to-cart]");
      return { restaurants: restaurants.length, problems, cartHref: link && new URL(link.href).pathname };
    });
    assert.deepEqual(report.problems, [], "site page contract");
    assert.equal(report.restaurants, 5, "the five Santiago restaurants");
    assert.equal(report.cartHref, `/s/${SITE}/cart`);
    // A table from the QR is carried along.
    await openSite(page, "?table=12");
    const href = await page.locator("a[data-testid=go-to-cart]").getAttribute("href");
    assert.match(href, /table=12/, "the cart link keeps ?table=12");
  });
});

test("the cart page starts empty", async () => {
  await withPage(browser, "empty-cart", {}, async (page) => {
    await page.goto(`${BASE}/s/${SITE}/cart`);
    await page.locator("[data-testid=empty-cart]").waitFor({ state: "visible" });
    assert.equal(await page.locator("[data-testid=cart-line]").count(), 0);
  });
});

test("the cart page: form fields, plus, remove, empty", async () => {
  await withPage(browser, "cart-contract", {}, async (page) => {
    await openSite(page);
    const items = (await orderableItems(page)).slice(0, 2);
    assert.equal(items.length, 2, "two orderable items");
    await addItems(page, items, 2);
    await goToCart(page, 2);

    for (const selector of [
      "input[data-testid=customer-name]",
      "input[data-testid=customer-email]",
      "input[data-testid=customer-phone]",
      "select[data-testid=pickup-time]",
      "input[name=payment-method][value=card]",
      "input[name=payment-method][value=pay_at_pickup]",
      "input[data-testid=card-number]",
      "button[data-testid=place-order]",
      "[data-testid=checkout-error][role=alert]",
      "[data-testid=cart-total]",
      "[data-testid=cart-discount]",
    ]) {
      assert.equal(await page.locator(selector).count(), 1, `one ${selector}`);
    }
    const firstOption = await page.$eval("select[data-testid=pickup-time]", (s) => ({
      value: s.options[0]?.value,
      selected: s.selectedIndex,
    }));
    assert.deepEqual(firstOption, { value: "", selected: 0 }, "pickup-time starts at its first option, value \"\" (as soon as possible)");
    assert.equal(await page.locator("[data-testid=checkout-error]").isVisible(), false, "no checkout error before paying");
    assert.equal(await page.locator("[data-testid=empty-cart]").isVisible(), false, "not empty");

    const line = (item) => page.locator(`[data-testid=cart-line][data-sku="${item.sku}"][data-location-id="${item.locationId}"]`);
    const totalText = () => page.locator("[data-testid=cart-total]").innerText();
    await waitUntil(page, "a cart total", () => /\d/.test(document.querySelector("[data-testid=cart-total]")?.textContent || ""));
    const before = await totalText();
    await line(items[0]).locator("button[data-testid=line-plus]").click();
    await waitUntil(
      page,
      "line-quantity 2 after line-plus",
      (sel) => /\b2\b/.test(document.querySelector(sel)?.textContent || ""),
      `[data-testid=cart-line][data-sku="${items[0].sku}"][data-location-id="${items[0].locationId}"] [data-testid=line-quantity]`,
    );
    await waitUntil(page, "the total to change after line-plus", (b) => {
      const t = document.querySelector("[data-testid=cart-total]")?.textContent.trim();
      return /\d/.test(t || "") && t !== b;
    }, before.trim());

    await line(items[1]).locator("button[data-testid=line-remove]").click();
    await waitForCartLines(page, 1);
    await page.reload();
    await waitForCartLines(page, 1);
    assert.match(await line(items[0]).locator("[data-testid=line-quantity]").innerText(), /\b2\b/, "quantity kept across a reload");
    await line(items[0]).locator("button[data-testid=line-remove]").click();
    await waitForCartLines(page, 0);
    await page.locator("[data-testid=empty-cart]").waitFor({ state: "visible" });
  });
});

test("whole journey: three restaurants, one payment, live parts, a rejection refunded", async () => {
  await withPage(browser, "journey", { permissions: ["notifications"] }, async (page) => {
    await page.addInitScript(spyOnAlerts);
    // The QR's URL.
    await openSite(page, "?table=12");
    const items = (await orderableItems(page)).slice(0, 3);
    assert.equal(items.length, 3, "three open restaurants with an orderable item");
    assert.equal(new Set(items.map((i) => i.locationId)).size, 3, "three different restaurants");
    await addItems(page, items, 3);
    assert.equal((await page.locator("[data-testid=cart-count]").innerText()).trim(), "3");

    // The cart, and it survives a reload.
    await goToCart(page, 3);
    const lines = async () =>
      page.$$eval("[data-testid=cart-line]", (els) =>
        els.map((el) => `${el.dataset.locationId}/${el.dataset.sku}`).sort(),
      );
    const expected = items.map((i) => `${i.locationId}/${i.sku}`).sort();
    assert.deepEqual(await lines(), expected, "the cart lines are the items added");
    for (const quantity of await page.locator("[data-testid=line-quantity]").allInnerTexts()) {
      assert.match(quantity, /\b1\b/, "each line has quantity 1");
    }
    await page.reload();
    await waitForCartLines(page, 3);
    assert.deepEqual(await lines(), expected, "the cart is kept across a reload");
    await waitUntil(
      page,
      "a cart total from the quote",
      () => /\d/.test(document.querySelector("[data-testid=cart-total]")?.textContent || ""),
      undefined,
    );
    assert.equal(await page.locator("[data-testid=cart-discount]").count(), 1, "cart-discount is shown");

    // Pay once, by card.
    await fillAndPlace(page);
    const { orderId, token } = await waitForOrderPage(page);
    await page.locator("[data-testid=part]").nth(2).waitFor();
    assert.equal(await page.locator("[data-testid=part]").count(), 3, "three parts");
    const tracker = page.locator("[data-testid=tracker]");
    assert.equal(await tracker.getAttribute("data-ready"), "0");
    assert.equal(await tracker.getAttribute("data-total"), "3");
    assert.match(await tracker.innerText(), /0\D+3/, "tracker says 0 of 3");
    const parts = await page.$$eval("[data-testid=part]", (els) =>
      els.map((el) => ({
        id: el.dataset.fulfillmentId,
        status: el.querySelector("[data-testid=part-status]")?.dataset.status,
        code: el.querySelector("[data-testid=pickup-code]")?.textContent.trim(),
        qr: !!el.querySelector("[data-testid=pickup-qr] svg, svg[data-testid=pickup-qr]"),
        counter: el.querySelector("[data-testid=counter]")?.textContent.trim(),
        refunded: (() => {
          const r = el.querySelector("[data-testid=refunded]");
          return !!r && !r.hidden && getComputedStyle(r).display !== "none";
        })(),
      })),
    );
    for (const part of parts) {
      assert.ok(part.id, "part has data-fulfillment-id");
      assert.equal(part.status, "placed", `part ${part.id} starts placed`);
      assert.match(part.code || "", /^\d{3,}$/, `part ${part.id} pickup code is digits`);
      assert.ok(part.qr, `part ${part.id} has an svg pickup QR`);
      assert.ok(part.counter, `part ${part.id} names its counter`);
      assert.equal(part.refunded, false, `part ${part.id} is not refunded`);
    }
    assert.equal(await page.locator("button[data-testid=enable-push]").count(), 1, "enable-push button");
    await waitUntil(
      page,
      "the live connection (data-connected=true)",
      () => document.querySelector("[data-testid=live]")?.dataset.connected === "true",
      undefined,
      5_000,
    );
    await page.screenshot({ path: artifact("journey-order-placed.png"), fullPage: true });

    // The kitchens, through the API as each restaurant's own staff.
    const order = await customerOrder(orderId, token);
    const locationOf = new Map(order.fulfillments.map((f) => [f.id, f.location_id]));
    const staff = await staffByLocation();
    const kitchen = (part) => {
      const s = staff.get(locationOf.get(part.id));
      assert.ok(s, `a staff login for the location of part ${part.id}`);
      return s.token;
    };
    // A marker that a reload would wipe.
    await page.evaluate(() => {
      window.__notReloaded = true;
    });
    const [first, second] = parts;
    await transition(first.id, kitchen(first), ["accepted", "preparing", "ready"]);
    await waitUntil(
      page,
      `part ${first.id} ready and the tracker at 1 of 3, live`,
      (id) => {
        const part = document.querySelector(`[data-testid=part][data-fulfillment-id="${id}"]`);
        const tracker = document.querySelector("[data-testid=tracker]");
        return (
          part?.querySelector("[data-testid=part-status]")?.dataset.status === "ready" &&
          tracker?.dataset.ready === "1" &&
          tracker?.dataset.total === "3" &&
          /1\D+3/.test(tracker.textContent)
        );
      },
      first.id,
      5_000,
    );
    // The open page alerts too: banner, a system notification under the push message's tag, a
    // chime and a vibration; the texts are the push message's.
    await waitForAlert(page, `${first.id}:ready`, "ready");
    const readyAlert = await page.evaluate(
      (tag) => window.omnicanalOrder.alerts.find((a) => a.tag === tag),
      `${first.id}:ready`,
    );
    assert.equal(readyAlert.title, "Tu pedido está listo");
    assert.match(readyAlert.body, new RegExp(`está listo\\. Código ${first.code}$`));

    await transition(second.id, kitchen(second), [{ to: "rejected", reason: "Sin stock" }]);
    await waitUntil(
      page,
      `part ${second.id} rejected and refunded, live`,
      (id) => {
        const part = document.querySelector(`[data-testid=part][data-fulfillment-id="${id}"]`);
        const refunded = part?.querySelector("[data-testid=refunded]");
        return (
          part?.querySelector("[data-testid=part-status]")?.dataset.status === "rejected" &&
          !!refunded &&
          !refunded.hidden &&
          refunded.getClientRects().length > 0
        );
      },
      second.id,
      5_000,
    );
    await waitForAlert(page, `${second.id}:rejected`, "rejected");
    const rejectedAlert = await page.evaluate(
      (tag) => window.omnicanalOrder.alerts.find((a) => a.tag === tag),
      `${second.id}:rejected`,
    );
    assert.equal(rejectedAlert.title, "No pudimos preparar tu pedido");
    assert.match(rejectedAlert.body, /no pudo preparar tu pedido; te devolvimos \$/);
    assert.equal(
      await page.evaluate(() => window.omnicanalOrder.alerts.length),
      2,
      "one alert per change: nothing for accepted or preparing",
    );
    assert.equal(await page.evaluate(() => window.__notReloaded), true, "the page was not reloaded");
    const untouched = page.locator(`[data-testid=part][data-fulfillment-id="${parts[2].id}"] [data-testid=part-status]`);
    assert.equal(await untouched.getAttribute("data-status"), "placed", "the third part is still placed");
    assert.equal(await page.locator(`[data-testid=part][data-fulfillment-id="${first.id}"] [data-testid=refunded]`).isVisible(), false);
    await page.screenshot({ path: artifact("journey-ready-and-rejected.png"), fullPage: true });

    // A fresh load shows the same.
    await page.reload();
    assert.equal(
      await page.locator(`[data-testid=part][data-fulfillment-id="${second.id}"] [data-testid=refunded]`).isVisible(),
      true,
      "refunded is shown after a reload too",
    );
    assert.equal(await page.locator("[data-testid=tracker]").getAttribute("data-ready"), "1");
  });
});

test("the order page shows the kitchen's estimate and warns when a part is not accepted in time", async () => {
  await withPage(browser, "estimate-and-late", { permissions: ["notifications"] }, async (page) => {
    await page.addInitScript(spyOnAlerts);
    // The kitchen's estimate, as the order JSON carries it once a kitchen accepts with a
    // preparation time; added here to the real answer so the page is judged on its own.
    const estimate = "2030-01-15T15:42:00Z"; // 12:42 in Santiago (summer, UTC-3)
    let withEstimate = true;
    await page.route(/\/api\/v1\/orders\/[^/?]+\?token=/, async (route) => {
      const response = await route.fetch();
      const order = await response.json();
      if (withEstimate && order.fulfillments?.length) order.fulfillments[0].estimated_ready_at = estimate;
      await route.fulfill({ response, json: order });
    });
    const { orderId, token } = await orderFromRestaurants(page, 2);
    const estimated = page.locator("[data-testid=part]").first().locator("[data-testid=ready-around]");
    await estimated.waitFor({ state: "visible", timeout: 8_000 });
    assert.equal((await estimated.innerText()).trim(), "Listo aprox. a las 12:42");
    const other = page.locator("[data-testid=part]").nth(1).locator("[data-testid=ready-around]");
    assert.equal(await other.isVisible(), false, "no estimate, nothing shown");

    // Without the field (an older server) nothing breaks and nothing shows.
    withEstimate = false;
    await page.reload();
    await waitUntil(page, "live again", () => document.querySelector("[data-testid=live]")?.dataset.connected === "true");
    await page.waitForTimeout(500);
    assert.equal(await estimated.isVisible(), false, "no estimate without the field");

    // At a notify_only site the page knows each part's limit (data-accept-by); passing it
    // shows the warning on that part and alerts once, under the push message's tag.
    const order = await customerOrder(orderId, token);
    const late = order.fulfillments[0].id;
    await page.evaluate((id) => {
      const part = document.querySelector(`[data-testid=part][data-fulfillment-id="${id}"]`);
      part.dataset.acceptBy = String(Date.now() - 1000);
    }, late);
    const warning = page.locator(`[data-testid=part][data-fulfillment-id="${late}"] [data-testid=not-accepted]`);
    await warning.waitFor({ state: "visible", timeout: 5_000 });
    await waitForAlert(page, `${late}:not_accepted`, "not accepted");
    await page.waitForTimeout(2_500);
    const count = await page.evaluate(
      (tag) => window.omnicanalOrder.alerts.filter((a) => a.tag === tag).length,
      `${late}:not_accepted`,
    );
    assert.equal(count, 1, "the late part is announced once");
    await page.screenshot({ path: artifact("order-estimate-and-late.png"), fullPage: true });
  });
});
