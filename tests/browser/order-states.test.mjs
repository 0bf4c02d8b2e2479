// The order page in every state, and pay at pickup told honestly (issue 13, points 3 and 4):
// a rejection's reason and the new money line appear without reload, notices stack, a part that
// will not be picked up shows no code, an order with nothing left says so instead of "0 de 0" and
// "Total pagado"; the cart hides the card field and says "Pedir y pagar al retirar"; the order
// page says what is still to pay at the counter.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  SITE,
  launch,
  withPage,
  openSite,
  orderableItems,
  addItems,
  goToCart,
  waitForOrderPage,
  waitUntil,
  staffByLocation,
  transition,
  customerOrder,
  menu,
  placeOrder,
  partAt,
  text,
} from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test("pay at pickup: no card field, an honest button, and the order page says what is still to pay", async () => {
  await withPage(browser, "pay-at-pickup", {}, async (page) => {
    await openSite(page);
    const picks = await orderableItems(page);
    const takesIt = Object.fromEntries((await menu()).locations.map((l) => [l.id, !!l.pay_at_pickup]));
    const papItem = picks.find((p) => takesIt[p.locationId]);
    const cardOnly = picks.find((p) => takesIt[p.locationId] === false);
    assert.ok(papItem && cardOnly, "the demo has restaurants with and without pay at pickup");

    // A cart with a restaurant that refuses pay at pickup names it.
    await addItems(page, [papItem, cardOnly], 2);
    await goToCart(page, 2);
    assert.equal(await page.locator("#pay-at-pickup").isDisabled(), true);
    const hint = await text(page, "#pap-hint");
    const cardOnlyName = await page.evaluate((id) => window.omnicanal.data.locations[id].name, cardOnly.locationId);
    assert.ok(hint.includes(cardOnlyName), `the hint names ${cardOnlyName}: ${hint}`);

    // Only restaurants that take it: the card field hides and the button says how it is paid.
    await page
      .locator(`[data-testid=cart-line][data-sku="${cardOnly.sku}"][data-location-id="${cardOnly.locationId}"] [data-testid=line-remove]`)
      .click();
    await waitUntil(page, "one cart line", () => document.querySelectorAll("[data-testid=cart-line]").length === 1);
    await page.locator("#pay-at-pickup").check();
    await waitUntil(page, "the card field hidden", () => document.getElementById("card-field").hidden);
    assert.equal((await text(page, "[data-testid=place-order]")).trim(), "Pedir y pagar al retirar");
    await page.locator("input[name=payment-method][value=card]").check();
    await waitUntil(page, "the card field back", () => !document.getElementById("card-field").hidden);
    assert.equal((await text(page, "[data-testid=place-order]")).trim(), "Pagar y pedir");
    await page.locator("#pay-at-pickup").check();
    await page.locator("input[data-testid=customer-name]").fill("Camila");
    await page.locator("button[data-testid=place-order]").click();
    const { orderId, token } = await waitForOrderPage(page);

    const order = await customerOrder(orderId, token);
    assert.equal(order.payment.method, "pay_at_pickup");
    const label = await text(page, "#total-label");
    assert.equal(label.trim(), "Por pagar al retirar");
    assert.ok(/\d/.test(await text(page, "#total-text")), "the amount to pay is shown");
  });
});

test("the order page is live in every state: reason, money line, stacked notices, no code for a rejected part", async () => {
  await withPage(browser, "order-states", {}, async (page) => {
    await openSite(page);
    const picks = (await orderableItems(page)).slice(0, 2);
    assert.equal(picks.length, 2, "two open restaurants");
    const order = await placeOrder(picks.map((p, i) => ({ sku: p.sku, locationId: p.locationId, note: i ? undefined : "sin cebolla" })));
    await page.goto(`${new URL(page.url()).origin}/s/${SITE}/orders/${order.id}?token=${encodeURIComponent(order.tracking_token)}`);
    await page.locator("[data-testid=live][data-connected=true]").waitFor();
    const before = await text(page, "#total-text");
    // The customer sees the line's note as the kitchen does.
    assert.equal((await text(page, "[data-testid=line-note]")).trim(), "Nota: sin cebolla");
    const staff = await staffByLocation();
    const [first, second] = await Promise.all(picks.map((p) => partAt(order, p.locationId)));

    // Both parts rejected at once: both notices stay on screen together.
    await Promise.all([
      transition(first.id, staff.get(picks[0].locationId).token, [{ to: "rejected", reason: "sin pan" }]),
      transition(second.id, staff.get(picks[1].locationId).token, [{ to: "rejected", reason: "sin gas" }]),
    ]);
    await waitUntil(page, "two notices", () => document.querySelectorAll("[data-testid=notice]").length >= 2);
    await waitUntil(page, "the reasons shown", () =>
      [...document.querySelectorAll("[data-testid=reason]")].filter((r) => !r.hidden && r.textContent.trim()).length === 2,
    );
    await waitUntil(page, "no pickup code on rejected parts", () =>
      [...document.querySelectorAll("[data-testid=part] .pickup")].every((p) => p.offsetParent === null),
    );
    const tracker = await text(page, "[data-testid=tracker]");
    assert.ok(!/0\D+0/.test(tracker), `no "0 de 0": ${tracker}`);
    await waitUntil(page, "the money line says what was given back", () =>
      document.getElementById("total-label").textContent.trim() === "Te devolvimos",
    );
    assert.equal(await text(page, "#total-text"), before, "everything paid was given back");
    // And a reload says the same.
    await page.reload();
    assert.equal((await text(page, "#total-label")).trim(), "Te devolvimos");
    assert.equal(await page.locator("[data-testid=reason]:not([hidden])").count(), 2);
  });
});
