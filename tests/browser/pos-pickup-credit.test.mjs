// The till's pickup screen takes a gift card (issue 17 point 8), at 1280 px and 360 px: the
// test's own shop (pos-lib.mjs) issues a $2.000 gift card through the API; a customer orders two
// notebooks on the web, to pay at pickup, and the shop makes the part ready. At the till,
// "Retiros" finds it by its code; "Tarjeta de regalo" with a wrong code is refused in the
// cashier's words; the right code shows its balance and is applied ($2.000, less than what is
// owed), "Falta por cobrar" shows the rest, which is paid in cash with change. The card's
// balance drops to zero and only the cash is in the session's expected cash. Then a customer's
// store credit (granted through the API, typed by e-mail, Enter applies it) pays a whole pickup.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, withPage, apiAt, artifact, layoutProblems } from "./lib.mjs";
import { makeShop, openSession, startTill, waitForScreen, pageAt, text, NOTEBOOK } from "./pos-lib.mjs";

let browser;
let shop;
let managerToken;
before(async () => {
  browser = await launch();
  shop = await makeShop(BASE);
  const always = Object.fromEntries(["1", "2", "3", "4", "5", "6", "7"].map((day) => [day, [["00:00", "23:59"]]]));
  await apiAt(BASE, "PATCH", `/locations/${shop.location.id}`, {
    body: { pay_at_pickup: true, opening_hours: always, is_open: true },
    token: shop.token,
  });
  managerToken = (await apiAt(BASE, "POST", "/auth/login", { body: shop.manager })).body.token;
});
after(async () => {
  await browser?.close();
});

const clp = (amount) => "$" + amount.toLocaleString("es-CL").replace(/,/g, ".");
const balance = async (code) => {
  const query = new URLSearchParams({ merchant_id: shop.merchant.id, code });
  return (await apiAt(BASE, "GET", `/gift-cards/balance?${query}`)).body.balance.amount;
};

/** A web order of two notebooks paid at pickup, made ready by the shop; returns its part. */
async function readyPart(width) {
  const body = {
    site_id: shop.site.id,
    channel: "web",
    customer: { name: `Regalo ${width}`, phone: "+56 9 3333 4444" },
    lines: [{ sku: NOTEBOOK.sku, location_id: shop.location.id, quantity: 2 }],
    payment: { method: "pay_at_pickup" },
  };
  const order = await apiAt(BASE, "POST", "/orders", { body });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  const part = order.body.fulfillments.find((f) => f.location_id === shop.location.id);
  for (const to of ["accepted", "preparing", "ready"]) {
    await apiAt(BASE, "POST", `/fulfillments/${part.id}/transition`, { body: { to }, token: managerToken });
  }
  return part;
}

for (const width of [1280, 360]) {
  test(`at ${width} px: a pickup is paid part with a gift card and the rest in cash`, async () => {
    const issued = await apiAt(BASE, "POST", "/gift-cards", {
      body: { merchant_id: shop.merchant.id, amount: { amount: 2000, currency: "CLP" } },
      token: managerToken,
    });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const card = issued.body.code;
    assert.equal(await balance(card), 2000);
    const part = await readyPart(width);
    const owed = part.subtotal.amount;
    const rest = owed - 2000;
    assert.ok(rest > 0, `the card pays only part: ${owed}`);

    await withPage(browser, `pos-pickup-credit-${width}`, pageAt(width), async (page) => {
      const till = await startTill(page, shop, `Caja regalo retiros ${width}`);
      await openSession(page, "10.000");
      await page.locator("[data-testid=pos-pickup-open]").click();
      await waitForScreen(page, "pickup");
      await page.locator("[data-testid=pos-pickup-code]").fill(part.pickup_code);
      await page.locator("[data-testid=pos-pickup-find]").click();
      await page.locator("[data-testid=pos-pickup-order]").waitFor({ state: "visible" });
      assert.equal(await text(page, "pos-pickup-owed"), clp(owed));

      // A code that is not a card of this shop: refused plainly, nothing applied.
      await page.locator("[data-testid=pos-pickup-method-gift-card]").click();
      await page.locator("[data-testid=pos-pickup-credit]").fill("ZZZZ-ZZZZ-ZZZZ-ZZZZ");
      await page.locator("[data-testid=pos-pickup-credit-apply]").click();
      const error = page.locator("[data-testid=pos-pickup-error]");
      await error.waitFor({ state: "visible" });
      assert.match(await error.innerText(), /tarjeta de regalo|tipeo/i);
      assert.equal(await page.locator("[data-testid=pos-pickup-credit-applied]").count(), 0);
      // Collecting with the code typed but not applied asks to apply it first.
      await page.locator("[data-testid=pos-pickup-collect]").click();
      assert.match(await error.innerText(), /Primero aplica el saldo/);

      // The right code: its balance shown and applied, the rest still to collect.
      await page.locator("[data-testid=pos-pickup-credit]").fill(card.toLowerCase());
      await page.locator("[data-testid=pos-pickup-credit-apply]").click();
      await page.locator("[data-testid=pos-pickup-credit-applied]").waitFor();
      assert.match(await text(page, "pos-pickup-credit-balance"), /Saldo disponible: \$2\.000/);
      assert.match(await text(page, "pos-pickup-credit-applied"), /Tarjeta de regalo \$2\.000/);
      assert.equal(await text(page, "pos-pickup-due"), clp(rest));
      assert.ok(await error.isHidden(), "the earlier refusal is gone");
      assert.equal(await page.locator("[data-testid=pos-pickup-method-cash]").getAttribute("aria-pressed"), "true");
      assert.equal(await page.locator("[data-testid=pos-pickup-tendered]").inputValue(), String(rest));
      // Applying the same card twice is refused.
      await page.locator("[data-testid=pos-pickup-method-gift-card]").click();
      await page.locator("[data-testid=pos-pickup-credit]").fill(card.toLowerCase());
      await page.locator("[data-testid=pos-pickup-credit-apply]").click();
      await error.waitFor({ state: "visible" });
      assert.match(await error.innerText(), /ya está aplicado/);
      await page.locator("[data-testid=pos-pickup-method-cash]").click();

      await page.locator("[data-testid=pos-pickup-tendered]").fill("10.000");
      assert.equal(await text(page, "pos-pickup-change"), clp(10_000 - rest));
      await page.screenshot({ path: artifact(`pos-pickup-credit-${width}.png`), fullPage: true });
      const layout = await layoutProblems(page, width);
      assert.ok(layout.scrollWidth <= width && !layout.wide.length, `nothing past the edge: ${JSON.stringify(layout)}`);
      assert.deepEqual(layout.broken, [], "no word broken across lines");
      await page.locator("[data-testid=pos-pickup-collect]").click();
      const done = page.locator("[data-testid=pos-pickup-done]");
      await done.waitFor({ state: "visible" });
      assert.equal(await done.getAttribute("data-change"), String(10_000 - rest));

      assert.equal(await balance(card), 0, "the card paid its $2.000");
      const devices = (await apiAt(BASE, "GET", `/pos/devices?location_id=${shop.location.id}`, { token: managerToken })).body;
      const session = devices.find((d) => d.id === till.deviceId)?.open_session_id;
      const report = (await apiAt(BASE, "GET", `/pos/sessions/${session}`, { token: managerToken })).body;
      assert.equal(report.expected_cash.amount, 10_000 + rest, "only the cash is in the drawer");
    });
  });
}

test("at 1280 px: the customer's store credit pays a whole pickup, nothing in cash", async () => {
  const customer = "saldo.retiro@example.com";
  await apiAt(BASE, "POST", "/store-credit", {
    body: { merchant_id: shop.merchant.id, customer, amount: { amount: 20_000, currency: "CLP" }, reason: "devolución" },
    token: managerToken,
  });
  const credit = async () => {
    const query = new URLSearchParams({ merchant_id: shop.merchant.id, customer, limit: "1" });
    return (await apiAt(BASE, "GET", `/store-credit?${query}`, { token: managerToken })).body.balance.amount;
  };
  const part = await readyPart("saldo");
  const owed = part.subtotal.amount;
  await withPage(browser, "pos-pickup-store-credit", pageAt(1280), async (page) => {
    const till = await startTill(page, shop, "Caja saldo retiros");
    await openSession(page, "5.000");
    await page.locator("[data-testid=pos-pickup-open]").click();
    await waitForScreen(page, "pickup");
    await page.locator("[data-testid=pos-pickup-code]").fill(part.pickup_code);
    await page.locator("[data-testid=pos-pickup-find]").click();
    await page.locator("[data-testid=pos-pickup-order]").waitFor({ state: "visible" });
    await page.locator("[data-testid=pos-pickup-method-store-credit]").click();
    await page.locator("[data-testid=pos-pickup-credit]").fill(customer);
    await page.locator("[data-testid=pos-pickup-credit]").press("Enter");
    await page.locator("[data-testid=pos-pickup-credit-applied]").waitFor();
    assert.match(await text(page, "pos-pickup-credit-applied"), new RegExp(`Saldo a favor ${clp(owed).replace("$", "\\$")}`));
    assert.equal(await text(page, "pos-pickup-due"), "$0");
    await page.locator("[data-testid=pos-pickup-collect]").click();
    const done = page.locator("[data-testid=pos-pickup-done]");
    await done.waitFor({ state: "visible" });
    assert.equal(await done.getAttribute("data-change"), "0");
    assert.equal(await credit(), 20_000 - owed, "the credit paid it all");
    const devices = (await apiAt(BASE, "GET", `/pos/devices?location_id=${shop.location.id}`, { token: managerToken })).body;
    const session = devices.find((d) => d.id === till.deviceId)?.open_session_id;
    const report = (await apiAt(BASE, "GET", `/pos/sessions/${session}`, { token: managerToken })).body;
    assert.equal(report.expected_cash.amount, 5_000, "no cash taken");
  });
});
