// The order page in every state, and pay at pickup told honestly (issue 13, points 3 and 4):
// a rejection's reason and the new money line appear without reload, notices stack, a part that
// will not be picked up shows no code, an order with nothing left says so instead of "0 de 0" and
// "Total pagado"; the cart hides the card field and says "Pedir y pagar al retirar"; the order
// page says what is still to pay at the counter. A line's options and the chosen pickup time
// read on the order page as on the kitchen's ticket; after a restaurant rejects its part, the
// receipt linked from the order page lists the refund and the new total.
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
  apiAt,
  BASE,
  CARD_OK,
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

/** The kitchen ticket of part `id` as the location's staff print it (HTML). */
async function kitchenTicket(id, token) {
  const response = await fetch(`${BASE}/api/v1/fulfillments/${id}/ticket`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, "the kitchen ticket");
  return response.text();
}

test("the order page shows each line's options and the pickup time as the kitchen's ticket does", async () => {
  const { locations } = await menu();
  const napoli = locations.find((l) => l.products.some((p) => p.variants.some((v) => v.sku === "NAP-MARG")));
  assert.ok(napoli, "the demo sells a pizza with options");
  const { body: slots } = await apiAt(BASE, "GET", `/sites/${SITE}/pickup-slots?location_ids=${encodeURIComponent(napoli.id)}`);
  const slot = slots.find((s) => s.available);
  assert.ok(slot, "a pickup slot is free");
  const modifiers = [
    { group: "Tamaño", option: "Familiar" },
    { group: "Agregados", option: "Extra queso" },
    { group: "Agregados", option: "Aceitunas" },
  ];
  const { body: order } = await apiAt(BASE, "POST", "/orders", {
    body: {
      site_id: SITE,
      channel: "qr",
      customer: { name: "Ignacia Horario" },
      pickup_at: slot.start,
      lines: [{ sku: "NAP-MARG", location_id: napoli.id, quantity: 1, modifiers }],
      payment: { method: "card", card_number: CARD_OK },
    },
  });
  const part = await partAt(order, napoli.id);
  const staff = await staffByLocation();
  const ticket = await kitchenTicket(part.id, staff.get(napoli.id).token);
  const ticketOptions = [...ticket.matchAll(/<ul>(.*?)<\/ul>/g)].flatMap((m) => [...m[1].matchAll(/<li>(.*?)<\/li>/g)].map((li) => li[1]));
  assert.deepEqual([...ticketOptions].sort(), ["Agregados: Aceitunas", "Agregados: Extra queso", "Tamaño: Familiar"], "the kitchen's ticket");
  const ticketTime = /<p class="pickup"><small>Retiro<\/small> (?:\d{2}-\d{2} )?(\d{2}:\d{2})<\/p>/.exec(ticket);
  assert.ok(ticketTime, "the ticket prints the pickup time");

  for (const width of [360, 1280]) {
    const size = width > 1000 ? { viewport: { width, height: 800 }, isMobile: false, hasTouch: false } : { viewport: { width, height: 800 } };
    await withPage(browser, `order-options-${width}`, size, async (page) => {
      await page.goto(`${BASE}/s/${SITE}/orders/${order.id}?token=${encodeURIComponent(order.tracking_token)}`);
      // The options as the kitchen reads them: group and choice, in the ticket's order.
      assert.equal((await text(page, "[data-testid=line-options]")).trim(), ticketOptions.join(" · "));
      assert.equal(await page.locator("[data-testid=line-options]").isVisible(), true);
      // The pickup time the customer chose, the one the ticket prints.
      assert.equal((await text(page, "[data-testid=pickup-time]")).trim(), `Retiro a las ${ticketTime[1]}`);
      const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      assert.ok(fits, `nothing wider than ${width} px`);
    });
  }
});

test("after one restaurant rejects its part, the receipt linked from the order page shows the refund and the new total", async () => {
  await withPage(browser, "receipt-refund", {}, async (page) => {
    await openSite(page);
    const picks = (await orderableItems(page)).slice(0, 2);
    assert.equal(picks.length, 2, "two open restaurants");
    const order = await placeOrder(picks.map((p) => ({ sku: p.sku, locationId: p.locationId })));
    const [kept, rejected] = await Promise.all(picks.map((p) => partAt(order, p.locationId)));
    const staff = await staffByLocation();
    await transition(rejected.id, staff.get(picks[1].locationId).token, [{ to: "rejected", reason: "sin stock" }]);
    const money = (part) => part.subtotal.amount;
    const expected = { refund: money(rejected), after: money(kept) };

    await page.goto(`${BASE}/s/${SITE}/orders/${order.id}?token=${encodeURIComponent(order.tracking_token)}`);
    const link = page.getByRole("link", { name: "Recibo", exact: true });
    const href = await link.getAttribute("href");
    assert.ok(href && href.includes(`/orders/${order.id}/receipt`), `the order page links the receipt: ${href}`);
    await link.click();
    await page.waitForURL((url) => url.pathname.endsWith("/receipt"));
    const refund = page.locator("[data-testid=refund]");
    assert.equal(await refund.count(), 1, "one refund");
    const refundText = await refund.innerText();
    assert.ok(refundText.startsWith("Reembolso"), refundText);
    const digits = (s) => Number(String(s).replace(/[^\d]/g, ""));
    assert.equal(digits(await refund.locator("td").innerText()), expected.refund, "the amount refunded");
    assert.ok(/\d{2}-\d{2}-\d{4} \d{2}:\d{2}/.test(refundText), `when: ${refundText}`);
    const after = page.locator("[data-testid=total-after-refunds]");
    assert.equal((await after.locator("th").innerText()).trim(), "Nuevo total");
    assert.equal(digits(await after.locator("td").innerText()), expected.after, "the new total is what was kept");
  });
});
